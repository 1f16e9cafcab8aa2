//! `Vpc`: the network of one site.

use dr_core::diagnostics::codes;
use dr_core::{CfnResource, Expr, Parameter, Region, Scope, Token, Val};
use ipnet::Ipv4Net;

use crate::common::{SummaryRow, name_tag, val};
use crate::l1::Tag;
use crate::l1::ec2::{
    CfnEip, CfnInternetGateway, CfnNatGateway, CfnRoute, CfnRouteTable, CfnSubnet,
    CfnSubnetRouteTableAssociation, CfnVpc, CfnVpcGatewayAttachment,
};
use crate::validate;

/// How many NAT gateways give the private subnets their way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NatGateways {
    /// One per AZ, each private subnet using the one of its zone: an AZ outage does not cut
    /// the other zones off. The default.
    #[default]
    PerAz,
    /// One, in the first public subnet, shared by every zone: cheaper, but a single point of
    /// failure for outbound traffic.
    Single,
}

/// The VPC's IPv4 CIDR block when none is given: a /16 of the private `10.0.0.0/8` range
/// (RFC 1918), the largest block a VPC takes. The two sites of a DR pair need disjoint blocks,
/// so a pair sets its own per site.
pub const DEFAULT_VPC_CIDR: &str = "10.0.0.0/16";
/// How many AZs a VPC spans when none are named: three, so an AZ outage leaves two, and
/// every Region drkit knows has at least three usable zones.
pub const DEFAULT_AZ_COUNT: usize = 3;

/// Settings of a [`Vpc`]: `VpcProps::builder().cidr("10.10.0.0/16").azs(site.azs()).build()`.
#[derive(Debug, Clone, PartialEq, bon::Builder)]
#[builder(on(String, into), on(_, setters(doc(default(skip)))))]
pub struct VpcProps {
    /// The VPC's IPv4 CIDR block, /16 to /28. The two sites of a DR pair need disjoint blocks.
    /// Default: [`DEFAULT_VPC_CIDR`].
    #[builder(default = DEFAULT_VPC_CIDR)]
    pub cidr: String,
    /// The AZs to use, by name (e.g. `us-east-2a`). Names given are checked against the
    /// stack's Region and emitted as `AWS::EC2::AvailabilityZone::Name` parameters whose
    /// defaults are the names, so CloudFormation checks them in the account. Default: none,
    /// the first [`az_count`](Self::az_count) zones of the Region via `Fn::GetAZs`.
    #[builder(default, with = |azs: impl IntoIterator<Item = impl Into<String>>| azs.into_iter().map(Into::into).collect())]
    pub azs: Vec<String>,
    /// How many AZs to use when [`azs`](Self::azs) is empty: at least 2, at most the
    /// Region's usable zones. With zones listed in `azs`, leave it unset (it is ignored; a
    /// different count than the zones listed is a warning). Default: none,
    /// [`DEFAULT_AZ_COUNT`] zones.
    pub az_count: Option<usize>,
    /// NAT gateways for the private subnets. Default: [`NatGateways::PerAz`].
    #[builder(default)]
    pub nat_gateways: NatGateways,
    /// The prefix length of every subnet, /16 to /28; one public and one private subnet per
    /// AZ must fit in [`cidr`](Self::cidr). Default: the largest equal subnets that fit (a /16
    /// with 3 AZs gives /19s).
    pub subnet_prefix: Option<u8>,
}

/// One subnet of a [`Vpc`].
#[derive(Debug, Clone)]
pub struct Subnet {
    /// The subnet resource.
    pub resource: CfnResource,
    /// Its route table: one shared by all public subnets, one per private subnet.
    pub route_table: CfnResource,
    /// Its CIDR block.
    pub cidr: String,
    /// Its AZ, as a template value (a parameter or `Fn::Select` of `Fn::GetAZs`).
    pub availability_zone: Expr,
    /// Its default route to the internet: through the internet gateway for a public subnet,
    /// through a NAT gateway for a private one. What needs the internet while it is created
    /// waits for it (see [`Vpc::internet_routes`]).
    pub internet_route: Option<CfnResource>,
}

impl Subnet {
    /// The subnet id.
    pub fn subnet_id(&self) -> Token {
        self.resource.ref_()
    }
    /// The route table id.
    pub fn route_table_id(&self) -> Token {
        self.route_table.ref_()
    }
}

/// A VPC with one public and one private subnet per AZ, an internet gateway, NAT gateways for
/// the private subnets, route tables (one for all public subnets, one per private subnet,
/// each routing through its AZ's NAT gateway), DNS support and hostnames on (Route 53 private hosted
/// zones need both), and the subnet tags the AWS Load Balancer Controller and EKS look for
/// (`kubernetes.io/role/elb` on public, `kubernetes.io/role/internal-elb` on private subnets).
///
/// Public subnets do not map public IPs on launch: only the load balancer and the NAT
/// gateways (with Elastic IPs) live there.
#[derive(Debug, Clone)]
pub struct Vpc {
    scope: Scope,
    resource: CfnResource,
    gateway_attachment: CfnResource,
    cidr: String,
    public: Vec<Subnet>,
    private: Vec<Subnet>,
    region: Option<Region>,
}

impl Vpc {
    /// Creates the VPC under `scope` with id `id`. Invalid input (an AZ of another Region, a
    /// CIDR too small) is reported as a diagnostic; the construct is still built as far as it
    /// can be, so that all problems show at once.
    pub fn new(scope: &Scope, id: &str, props: VpcProps) -> Vpc {
        let scope = scope.child(id);
        let region = scope.region();
        let az_count = if props.azs.is_empty() {
            props.az_count.unwrap_or(DEFAULT_AZ_COUNT)
        } else {
            props.azs.len()
        };
        let blocks = check_props(&scope, &props, region, az_count);

        let resource = scope.add(
            "Resource",
            &CfnVpc {
                cidr_block: val(props.cidr.as_str()),
                enable_dns_hostnames: val(true),
                enable_dns_support: val(true),
                instance_tenancy: val("default"),
                tags: Some(name_tag(&scope)),
                ..Default::default()
            },
        );
        let gateway = add_internet_gateway(&scope, &resource);
        let az_exprs = az_exprs(&scope, &props, az_count);
        let block = |i: usize| blocks.get(i).cloned().unwrap_or_default();

        // One route table for every public subnet: they all route the same way (the VPC,
        // then the internet gateway), so a table per subnet would only add resources. The
        // private subnets keep one each, since each routes through its own AZ's NAT gateway.
        let public_table = Self::route_table(&scope.child("PublicRouteTable"), &resource);
        let public_route = Self::route_to_gateway(&scope, &public_table, &gateway);
        let mut public = Vec::new();
        let mut nats: Vec<CfnResource> = Vec::new();
        for (i, az) in az_exprs.iter().enumerate() {
            let s = scope.child(&format!("PublicSubnet{}", i + 1));
            let subnet = Self::subnet(
                &s,
                &resource,
                &block(i),
                az,
                "kubernetes.io/role/elb",
                Some(&public_table),
            );
            let with_nat = i == 0 || props.nat_gateways == NatGateways::PerAz;
            if with_nat {
                nats.push(Self::nat_gateway(&s, &subnet, &gateway));
            }
            public.push(Subnet {
                internet_route: Some(public_route.clone()),
                ..subnet
            });
        }

        let mut private = Vec::new();
        for (i, az) in az_exprs.iter().enumerate() {
            let s = scope.child(&format!("PrivateSubnet{}", i + 1));
            let subnet = Self::subnet(
                &s,
                &resource,
                &block(az_count + i),
                az,
                "kubernetes.io/role/internal-elb",
                None,
            );
            let internet_route = nats.get(i).or(nats.first()).map(|nat| {
                s.add(
                    "DefaultRoute",
                    &CfnRoute {
                        route_table_id: val(subnet.route_table_id()),
                        destination_cidr_block: val("0.0.0.0/0"),
                        nat_gateway_id: val(nat.ref_()),
                        ..Default::default()
                    },
                )
            });
            private.push(Subnet {
                internet_route,
                ..subnet
            });
        }

        record_summary(&scope, &props, az_count);

        Vpc {
            scope,
            resource,
            gateway_attachment: gateway.attachment,
            cidr: props.cidr,
            public,
            private,
            region,
        }
    }

    /// The public route table's default route to the internet gateway.
    fn route_to_gateway(
        scope: &Scope,
        table: &CfnResource,
        gateway: &InternetGateway,
    ) -> CfnResource {
        let default_route = scope.add(
            "PublicDefaultRoute",
            &CfnRoute {
                route_table_id: val(table.ref_()),
                destination_cidr_block: val("0.0.0.0/0"),
                gateway_id: val(gateway.igw.ref_()),
                ..Default::default()
            },
        );
        // The route needs the gateway attached first; CloudFormation does not infer it.
        default_route.add_depends_on(&gateway.attachment);
        default_route
    }

    /// The NAT gateway (with its Elastic IP) in a public subnet, which private subnets route
    /// through.
    fn nat_gateway(s: &Scope, subnet: &Subnet, gateway: &InternetGateway) -> CfnResource {
        let eip = s.add(
            "Eip",
            &CfnEip {
                domain: val("vpc"),
                tags: Some(name_tag(s)),
                ..Default::default()
            },
        );
        eip.add_depends_on(&gateway.attachment);
        s.add(
            "NatGateway",
            &CfnNatGateway {
                allocation_id: val(eip.get_att("AllocationId")),
                subnet_id: val(subnet.subnet_id()),
                tags: Some(name_tag(s)),
                ..Default::default()
            },
        )
    }

    fn route_table(s: &Scope, vpc: &CfnResource) -> CfnResource {
        s.add(
            "Resource",
            &CfnRouteTable {
                vpc_id: val(vpc.ref_()),
                tags: Some(name_tag(s)),
                ..Default::default()
            },
        )
    }

    /// A subnet associated with `shared_table`, or with a route table of its own.
    fn subnet(
        s: &Scope,
        vpc: &CfnResource,
        cidr: &str,
        az: &Expr,
        role_tag: &str,
        shared_table: Option<&CfnResource>,
    ) -> Subnet {
        let resource = s.add(
            "Subnet",
            &CfnSubnet {
                vpc_id: val(vpc.ref_()),
                cidr_block: val(cidr),
                availability_zone: Some(Val::expr(az.clone())),
                map_public_ip_on_launch: val(false),
                tags: Some(vec![Tag::new("Name", s.path()), Tag::new(role_tag, "1")]),
                ..Default::default()
            },
        );
        let route_table = match shared_table {
            Some(table) => table.clone(),
            None => s.add(
                "RouteTable",
                &CfnRouteTable {
                    vpc_id: val(vpc.ref_()),
                    tags: Some(name_tag(s)),
                    ..Default::default()
                },
            ),
        };
        s.add(
            "RouteTableAssociation",
            &CfnSubnetRouteTableAssociation {
                subnet_id: val(resource.ref_()),
                route_table_id: val(route_table.ref_()),
                ..Default::default()
            },
        );
        Subnet {
            resource,
            route_table,
            cidr: cidr.to_string(),
            availability_zone: az.clone(),
            internet_route: None,
        }
    }

    /// The construct's scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The VPC resource.
    pub fn resource(&self) -> &CfnResource {
        &self.resource
    }
    /// The VPC id.
    pub fn vpc_id(&self) -> Token {
        self.resource.ref_()
    }
    /// The VPC's CIDR block as CloudFormation reports it (`Fn::GetAtt CidrBlock`).
    pub fn cidr_block_token(&self) -> Token {
        self.resource.get_att("CidrBlock")
    }
    /// The CIDR block as configured.
    pub fn cidr(&self) -> &str {
        &self.cidr
    }
    /// The Region of the stack the VPC is in.
    pub fn region(&self) -> Option<Region> {
        self.region
    }
    /// How many AZs the VPC spans.
    pub fn az_count(&self) -> usize {
        self.private.len()
    }
    /// The public subnets, one per AZ.
    pub fn public_subnets(&self) -> &[Subnet] {
        &self.public
    }
    /// The private subnets, one per AZ.
    pub fn private_subnets(&self) -> &[Subnet] {
        &self.private
    }
    /// The public subnet ids.
    pub fn public_subnet_ids(&self) -> Vec<Token> {
        self.public.iter().map(Subnet::subnet_id).collect()
    }
    /// The private subnet ids.
    pub fn private_subnet_ids(&self) -> Vec<Token> {
        self.private.iter().map(Subnet::subnet_id).collect()
    }
    /// The internet gateway's attachment to the VPC.
    pub fn internet_gateway_attachment(&self) -> &CfnResource {
        &self.gateway_attachment
    }
    /// The default routes to the internet of the public subnets (`public`) or of the private
    /// ones. A resource that needs the internet while CloudFormation creates it must wait for
    /// them, since nothing it references leads there: an internet-facing load balancer created
    /// before its subnets route to the internet gateway fails, and instances booting before
    /// the NAT routes exist cannot download what their user data installs. CloudFormation
    /// names the load balancers, Auto Scaling groups and instances among the resources that
    /// need a `DependsOn` on the gateway attachment ("DependsOn attribute", "When a DependsOn
    /// attribute is required",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html>),
    /// and AWS CDK makes every internet-facing load balancer and every cluster instance depend
    /// on its subnets' `internetConnectivityEstablished` for the same reason
    /// (`aws-elasticloadbalancingv2/lib/shared/base-load-balancer.ts`, `aws-rds/lib/cluster.ts`).
    pub fn internet_routes(&self, public: bool) -> Vec<CfnResource> {
        let subnets = if public { &self.public } else { &self.private };
        let mut routes: Vec<CfnResource> = Vec::new();
        // The public subnets share one route.
        for route in subnets.iter().filter_map(|s| s.internet_route.as_ref()) {
            if !routes.iter().any(|r| r.logical_id() == route.logical_id()) {
                routes.push(route.clone());
            }
        }
        routes
    }
    /// Makes `resource` wait until the subnets it is placed in (`public` or private) route to
    /// the internet ([`internet_routes`](Self::internet_routes)).
    pub fn wait_for_internet(&self, resource: &CfnResource, public: bool) {
        for route in self.internet_routes(public) {
            resource.add_depends_on(&route);
        }
    }
    /// The private route table ids (peering adds its routes there).
    pub fn private_route_table_ids(&self) -> Vec<Token> {
        self.private.iter().map(Subnet::route_table_id).collect()
    }
}

/// Reports invalid zones and CIDRs before anything is built, and returns the subnet blocks
/// (public ones first), empty when the CIDR cannot hold them. Each slip is reported once, on
/// the prop it was made in: a `subnet_prefix` out of range or too short for the VPC block is
/// the prefix's, a VPC block too small even for /28 subnets is the block's.
fn check_props(
    scope: &Scope,
    props: &VpcProps,
    region: Option<Region>,
    az_count: usize,
) -> Vec<String> {
    // Subnets are planned for the zones the Region can give: more zones than it has is the
    // zones' slip, reported once, not again as subnets that do not fit.
    let mut planned = az_count;
    if let Some(region) = region {
        let ok = if props.azs.is_empty() {
            validate::check_az_count(scope, "az_count", region, az_count)
        } else {
            let ok = validate::check_azs(scope, "azs", region, &props.azs);
            if let Some(count) = props.az_count {
                check_az_count_beside_azs(scope, region, count, props.azs.len());
            }
            ok
        };
        if !ok {
            planned = az_count.min(region.usable_az_count());
        }
    }
    let subnets = 2 * planned;
    let prefix = props
        .subnet_prefix
        .filter(|p| check_subnet_prefix(scope, &props.cidr, *p, subnets));
    validate::plan_subnets(scope, "cidr", &props.cidr, subnets, prefix)
        .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>())
        .unwrap_or_default()
}

/// Checks an `az_count` given beside zones listed in `azs`: its own range (2 to the Region's
/// usable zones) as when it is used, and, when it is in range but another number than the
/// zones listed, a warning that it is ignored.
fn check_az_count_beside_azs(scope: &Scope, region: Region, count: usize, listed: usize) {
    if !validate::check_az_count(scope, "az_count", region, count) || count == listed {
        return;
    }
    scope.prop_warning(
        "az_count",
        codes::AZ_006,
        format!(
            "az_count is {count}, but azs lists {listed} zones; az_count applies only when azs is empty, so it is ignored"
        ),
        "remove az_count (the VPC uses the zones listed), or list that many zones in azs",
    );
}

/// Checks `subnet_prefix`: /16 to /28 (an IPv4 subnet is "between a /28 netmask (16 IP
/// addresses) and a /16 netmask (65,536 IP addresses)", "CreateSubnet", Amazon EC2 API
/// Reference, <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnet.html>),
/// and `subnets` of them fit in the VPC block `cidr`. A `cidr` that is invalid, or too small
/// even for /28 subnets, is left to [`validate::plan_subnets`], which reports it on `cidr`.
/// Returns whether the prefix is to be used (given on to `plan_subnets`).
fn check_subnet_prefix(scope: &Scope, cidr: &str, prefix: u8, subnets: usize) -> bool {
    if !(validate::VPC_MIN_PREFIX..=validate::VPC_MAX_PREFIX).contains(&prefix) {
        scope.prop_error(
            "subnet_prefix",
            codes::CIDR_007,
            format!(
                "subnet_prefix /{prefix} is outside /{} to /{}, the sizes a subnet can have",
                validate::VPC_MIN_PREFIX,
                validate::VPC_MAX_PREFIX
            ),
            format!(
                "set subnet_prefix between {} and {}, or leave it unset for the largest subnets that fit",
                validate::VPC_MIN_PREFIX,
                validate::VPC_MAX_PREFIX
            ),
        );
        return false;
    }
    // The block's own problems are `cidr`'s; only a valid block can tell whether the prefix fits.
    let Ok(net) = cidr.parse::<Ipv4Net>() else {
        return true;
    };
    if net.addr() != net.network()
        || !(validate::VPC_MIN_PREFIX..=validate::VPC_MAX_PREFIX).contains(&net.prefix_len())
    {
        return true;
    }
    let Some(longest_needed) = validate::subnet_prefix_for(&net, subnets) else {
        // Too small even for /28 subnets: no prefix helps, the block must grow.
        return false;
    };
    if prefix >= longest_needed {
        return true;
    }
    scope.prop_error(
        "subnet_prefix",
        codes::CIDR_008,
        format!(
            "{subnets} /{prefix} subnets (one public and one private per Availability Zone) do not fit in a /{} VPC CIDR",
            net.prefix_len()
        ),
        format!(
            "set subnet_prefix to {longest_needed} or more (at most {}), or use a larger VPC CIDR",
            validate::VPC_MAX_PREFIX
        ),
    );
    false
}

/// The internet gateway and its attachment, which routes and Elastic IPs wait for.
struct InternetGateway {
    igw: CfnResource,
    attachment: CfnResource,
}

fn add_internet_gateway(scope: &Scope, vpc: &CfnResource) -> InternetGateway {
    let igw = scope.add(
        "Igw",
        &CfnInternetGateway {
            tags: Some(name_tag(scope)),
            ..Default::default()
        },
    );
    let attachment = scope.add(
        "IgwAttachment",
        &CfnVpcGatewayAttachment {
            vpc_id: val(vpc.ref_()),
            internet_gateway_id: val(igw.ref_()),
            ..Default::default()
        },
    );
    InternetGateway { igw, attachment }
}

/// Each AZ as a template value.
fn az_exprs(scope: &Scope, props: &VpcProps, az_count: usize) -> Vec<Expr> {
    // AZs given by name become typed parameters (cfn-lint W3010 flags hard-coded names,
    // and CloudFormation then checks the zone exists in the account).
    (0..az_count)
        .map(|i| match props.azs.get(i) {
            Some(name) => Expr::Token(
                scope.add_parameter(
                    &format!("Az{}", i + 1),
                    Parameter::of_type("AWS::EC2::AvailabilityZone::Name")
                        .with_default(name.as_str())
                        .with_description(format!(
                            "Availability Zone {} of {}",
                            i + 1,
                            scope.path()
                        )),
                ),
            ),
            None => Expr::select(i as u32, Expr::get_azs()),
        })
        .collect()
}

fn record_summary(scope: &Scope, props: &VpcProps, az_count: usize) {
    SummaryRow {
        asset: "VPC".into(),
        purpose: "private network of the site: public subnets for the load balancer and NAT gateways, private subnets for instances, nodes and databases".into(),
        size: props.cidr.clone(),
        quantity: format!("1 VPC, {az_count} public + {az_count} private subnets across {az_count} AZs"),
        dr: "one per region with disjoint CIDRs; the DR region's VPC carries the traffic after a failover".into(),
    }
    .record(scope);
}
