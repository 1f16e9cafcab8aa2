//! Inter-Region VPC peering with routes both ways, so applications in either Region reach the
//! database writer wherever it is.
//!
//! Facts: a same-account peering created by CloudFormation with `PeerRegion` is accepted
//! without a peer role; routes to a peering that is not yet active are blackholes until it is
//! ("AWS::EC2::VPCPeeringConnection",
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-vpcpeeringconnection.html>;
//! "VPC peering lifecycle",
//! <https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html>;
//! "Routing for peering",
//! <https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html>).
//! Security groups cannot be referenced across Regions through a peering ("Update your security
//! groups to reference peer security groups", Amazon VPC Peering Guide: "You cannot reference
//! the security group of a peer VPC that's in a different Region"), so the peer's CIDR is
//! admitted instead (see `DrPair`).

use dr_core::diagnostics::codes;
use dr_core::{CfnResource, Diagnostic, Region, Scope, Token, Val};
use ipnet::Ipv4Net;

use crate::common::{name_tag, val};
use crate::l1::ec2::{CfnRoute, CfnVpcPeeringConnection};
use crate::validate;
use crate::vpc::Vpc;

/// One side of a peering: the VPC, its CIDR and the route tables that get a route to the peer.
#[derive(Debug, Clone)]
pub struct PeerVpc {
    /// The VPC id.
    pub vpc_id: Token,
    /// The VPC's CIDR block (the peer's routes point at it).
    pub cidr: String,
    /// Route tables that get a route to the other side (the private ones, by default).
    pub route_table_ids: Vec<Token>,
    /// The VPC's Region.
    pub region: Region,
    /// The path of the `Vpc` construct whose `cidr` this is: a CIDR problem is reported there,
    /// where the user wrote it. `None` for a side described by hand (reported on the peering).
    pub vpc_path: Option<String>,
}

impl PeerVpc {
    /// The VPC with its private route tables; `None` when the VPC is not in a stack.
    pub fn private(vpc: &Vpc) -> Option<PeerVpc> {
        Some(PeerVpc {
            vpc_id: vpc.vpc_id(),
            cidr: vpc.cidr().to_string(),
            route_table_ids: vpc.private_route_table_ids(),
            region: vpc.region()?,
            vpc_path: Some(vpc.scope().path()),
        })
    }
}

/// An inter-Region VPC peering connection: the request (with `PeerRegion`) and the
/// requester's routes under `requester_scope` (a stack of the requester's Region), the
/// accepter's routes under `accepter_scope` (a stack of the accepter's Region; the connection
/// id reaches it as a cross-Region parameter). The two CIDRs must not overlap.
#[derive(Debug, Clone)]
pub struct VpcPeering {
    scope: Scope,
    connection: CfnResource,
    requester_routes: Vec<CfnResource>,
    accepter_routes: Vec<CfnResource>,
}

impl VpcPeering {
    /// Creates the peering `id`.
    pub fn new(
        requester_scope: &Scope,
        accepter_scope: &Scope,
        id: &str,
        requester: &PeerVpc,
        accepter: &PeerVpc,
    ) -> VpcPeering {
        let scope = requester_scope.child(id);
        let accepter_scope = accepter_scope.child(id);
        for (s, side, want) in [
            (&scope, "requester", requester.region),
            (&accepter_scope, "accepter", accepter.region),
        ] {
            if let Some(r) = s.region()
                && r != want
            {
                s.error(
                    codes::PEER_001,
                    format!("the {side} VPC is in {want} but this stack deploys to {r}"),
                    format!("create the {side} side in a stack of {want}"),
                );
            }
        }
        if requester.region == accepter.region {
            scope.error(
                codes::PEER_002,
                format!(
                    "both VPCs are in {}; this construct peers two Regions",
                    requester.region
                ),
                "use two Regions, or an intra-Region peering",
            );
        }
        let a = peer_cidr(&scope, "requester CIDR", requester);
        let b = peer_cidr(&scope, "accepter CIDR", accepter);
        if let (Some(a), Some(b)) = (a, b)
            && validate::cidrs_overlap(&a, &b)
        {
            report_overlap(&scope, (requester, a), (accepter, b));
        }

        let connection = scope.add(
            "Connection",
            &CfnVpcPeeringConnection {
                vpc_id: val(requester.vpc_id.clone()),
                peer_vpc_id: val(accepter.vpc_id.clone()),
                peer_region: val(accepter.region.code()),
                tags: Some(name_tag(&scope)),
                ..Default::default()
            },
        );
        let routes = |s: &Scope, side: &PeerVpc, dest: &str| -> Vec<CfnResource> {
            side.route_table_ids
                .iter()
                .enumerate()
                .map(|(i, rt)| {
                    s.add(
                        &format!("Route{}", i + 1),
                        &CfnRoute {
                            route_table_id: val(rt.clone()),
                            destination_cidr_block: val(dest),
                            vpc_peering_connection_id: Some(Val::from(connection.ref_())),
                            ..Default::default()
                        },
                    )
                })
                .collect()
        };
        let requester_routes = routes(&scope, requester, &accepter.cidr);
        let accepter_routes = routes(&accepter_scope, accepter, &requester.cidr);
        VpcPeering {
            scope,
            connection,
            requester_routes,
            accepter_routes,
        }
    }

    /// The construct's scope (requester side).
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The peering connection.
    pub fn connection(&self) -> &CfnResource {
        &self.connection
    }
    /// The peering connection id.
    pub fn connection_id(&self) -> Token {
        self.connection.ref_()
    }
    /// Routes in the requester's route tables.
    pub fn requester_routes(&self) -> &[CfnResource] {
        &self.requester_routes
    }
    /// Routes in the accepter's route tables.
    pub fn accepter_routes(&self) -> &[CfnResource] {
        &self.accepter_routes
    }
}

/// A side's CIDR: parsed quietly when it comes from a `Vpc`, which reported any problem with
/// it already; checked and reported on the peering for a side described by hand.
fn peer_cidr(scope: &Scope, what: &str, side: &PeerVpc) -> Option<Ipv4Net> {
    match side.vpc_path {
        Some(_) => side.cidr.parse().ok(),
        None => validate::parse_cidr(scope, "cidr", what, &side.cidr),
    }
}

/// Reports two overlapping CIDRs once, on the `Vpc`s where they were written (the second path
/// in `also_at`), or on the peering for sides described by hand.
fn report_overlap(scope: &Scope, (ra, a): (&PeerVpc, Ipv4Net), (rb, b): (&PeerVpc, Ipv4Net)) {
    let mut paths = [&ra.vpc_path, &rb.vpc_path].into_iter().flatten().cloned();
    let path = paths.next().unwrap_or_else(|| scope.path());
    let mut d = Diagnostic::error(
        path,
        codes::CIDR_005,
        format!(
            "the CIDR blocks of the peered VPCs overlap: `{a}` in {} and `{b}` in {}",
            ra.region, rb.region
        ),
    )
    .with_hint("set `cidr` on one of the VPCs to a range of its own, e.g. 10.10.0.0/16 and 10.20.0.0/16: AWS cannot peer VPCs whose ranges overlap");
    d.also_at = paths.collect();
    scope.report(d);
}
