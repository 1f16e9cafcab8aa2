//! `Alb`: an internet-facing Application Load Balancer in front of a fleet.

use dr_core::diagnostics::codes;
use dr_core::{CfnResource, Scope, Token, Val};

use crate::common::{SummaryRow, name_tag, val};
use crate::ec2_fleet::{DEFAULT_APP_PORT, FleetTarget};
use crate::l1::Tag;
use crate::l1::ec2::security_group::{Egress, Ingress};
use crate::l1::ec2::{CfnSecurityGroup, CfnSecurityGroupIngress};
use crate::l1::elasticloadbalancingv2::listener::{Action, Certificate, RedirectConfig};
use crate::l1::elasticloadbalancingv2::target_group::Matcher;
use crate::l1::elasticloadbalancingv2::{CfnListener, CfnLoadBalancer, CfnTargetGroup};
use crate::vpc::Vpc;

/// The TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only, AWS's recommended policy
/// ("Security policies for your Application Load Balancer",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html>).
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// The path health checks request when none is given: `/api/health`, the health endpoint of
/// Grafana, the default app; it answers 200 without authentication while the server and its
/// database connection work.
pub const DEFAULT_HEALTH_CHECK_PATH: &str = "/api/health";

/// The health check path for gRPC targets when none is given: the load balancer's own probe,
/// which any gRPC server answers with status 12 (unimplemented) while it is up ("Health
/// checks for Application Load Balancer target groups",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html>).
pub const GRPC_HEALTH_CHECK_PATH: &str = "/AWS.ALB/healthcheck";

/// The protocol version the load balancer speaks to its targets (`ProtocolVersion` of the
/// target group; "Target groups for your Application Load Balancers",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#target-group-protocol-version>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProtocolVersion {
    /// HTTP/1.1, what most web apps (Grafana among them) serve. The default.
    #[default]
    Http1,
    /// HTTP/2; clients only reach it over HTTPS.
    Http2,
    /// gRPC; needs an HTTPS listener.
    Grpc,
}

impl ProtocolVersion {
    fn as_str(self) -> &'static str {
        match self {
            ProtocolVersion::Http1 => "HTTP1",
            ProtocolVersion::Http2 => "HTTP2",
            ProtocolVersion::Grpc => "GRPC",
        }
    }
}

/// Settings of an [`Alb`]:
/// `AlbProps::builder().vpc(&vpc).targets(fleet.app_target()).build()`.
#[derive(Debug, Clone, bon::Builder)]
#[builder(on(String, into), on(_, setters(doc(default(skip)))))]
pub struct AlbProps<'a> {
    /// The VPC; the load balancer goes to its public subnets. Required.
    pub vpc: &'a Vpc,
    /// The fleet to send traffic to (from [`Ec2Fleet::app_target`](crate::Ec2Fleet::app_target)).
    /// Default: none, a target group with no targets.
    pub targets: Option<FleetTarget>,
    /// An ACM certificate ARN of the stack's Region. With one: HTTPS on 443, HTTP on 80
    /// redirected to it. Default: none, plain HTTP only (and a warning).
    pub certificate_arn: Option<String>,
    /// The target group's protocol version; GRPC needs a certificate. Default:
    /// [`ProtocolVersion::Http1`].
    #[builder(default)]
    pub protocol_version: ProtocolVersion,
    /// The port the targets listen on; a fleet target's own port wins. Default:
    /// [`DEFAULT_APP_PORT`].
    #[builder(default = DEFAULT_APP_PORT)]
    pub target_port: u16,
    /// The path the target group's health check requests: it answers 200 while the target
    /// can serve requests (its dependencies included), so the load balancer routes only to
    /// targets that can. Served by the app on every target; in a [`DrPair`](crate::DrPair) the
    /// Route 53 check of the primary site probes the same path through the load balancer, so
    /// this is the one setting of what "the site can serve" means. A path given for GRPC is
    /// expected to answer status 0 (OK), like the gRPC health service. Default:
    /// [`DEFAULT_HEALTH_CHECK_PATH`], or for GRPC [`GRPC_HEALTH_CHECK_PATH`].
    pub health_check_path: Option<String>,
    /// The HTTPS listener's TLS policy. Default: [`DEFAULT_SSL_POLICY`].
    #[builder(default = DEFAULT_SSL_POLICY)]
    pub ssl_policy: String,
}

/// An internet-facing Application Load Balancer in the public subnets with its own security
/// group (only 80, and 443 with HTTPS, open to the internet; outbound only to the VPC on the
/// target port), a target group with an HTTP health check, and its listeners.
#[derive(Debug, Clone)]
pub struct Alb {
    scope: Scope,
    load_balancer: CfnResource,
    target_group: CfnResource,
    security_group: CfnResource,
    https: bool,
    health_check_path: String,
}

impl Alb {
    /// Creates the load balancer under `scope` with id `id`.
    pub fn new(scope: &Scope, id: &str, props: AlbProps<'_>) -> Alb {
        let scope = scope.child(id);
        let https = props.certificate_arn.is_some();
        check_props(&scope, &props, https);
        let port = props
            .targets
            .as_ref()
            .map(|t| t.port)
            .unwrap_or(props.target_port);

        let security_group = add_security_group(&scope, &props, https, port);
        let load_balancer = add_load_balancer(&scope, &props, &security_group);
        // Created before its subnets route to the internet gateway, an internet-facing load
        // balancer fails ("... has no internet gateway"): nothing it references leads there.
        props.vpc.wait_for_internet(&load_balancer, true);
        let (health_check_path, matcher) = health_check(&props);
        let target_group = add_target_group(&scope, &props, port, &health_check_path, matcher);
        add_listeners(&scope, &props, &load_balancer, &target_group);
        if let Some(t) = &props.targets {
            attach_targets(&scope, t, &target_group, &security_group);
        }
        record_summary(&scope, props.protocol_version == ProtocolVersion::Grpc);

        Alb {
            scope,
            load_balancer,
            target_group,
            security_group,
            https,
            health_check_path,
        }
    }

    /// The construct's scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The load balancer resource.
    pub fn load_balancer(&self) -> &CfnResource {
        &self.load_balancer
    }
    /// The load balancer's ARN.
    pub fn load_balancer_arn(&self) -> Token {
        self.load_balancer.ref_()
    }
    /// The load balancer's DNS name (the target of alias records).
    pub fn dns_name(&self) -> Token {
        self.load_balancer.get_att("DNSName")
    }
    /// The Route 53 hosted zone id of the load balancer's DNS name, for alias records.
    pub fn canonical_hosted_zone_id(&self) -> Token {
        self.load_balancer.get_att("CanonicalHostedZoneID")
    }
    /// `app/<name>/<id>`, the `LoadBalancer` dimension of CloudWatch metrics.
    pub fn load_balancer_full_name(&self) -> Token {
        self.load_balancer.get_att("LoadBalancerFullName")
    }
    /// The target group's ARN.
    pub fn target_group_arn(&self) -> Token {
        self.target_group.ref_()
    }
    /// `targetgroup/<name>/<id>`, the `TargetGroup` dimension of CloudWatch metrics.
    pub fn target_group_full_name(&self) -> Token {
        self.target_group.get_att("TargetGroupFullName")
    }
    /// The load balancer's security group id.
    pub fn security_group_id(&self) -> Token {
        self.security_group.get_att("GroupId")
    }
    /// Whether it serves HTTPS.
    pub fn https(&self) -> bool {
        self.https
    }
    /// The path the target group's health check requests: what "can serve" means for this
    /// load balancer's targets. A DNS failover check of the site probes the same path.
    pub fn health_check_path(&self) -> &str {
        &self.health_check_path
    }
}

/// Reports the settings that cannot work or are risky, before anything is built.
fn check_props(scope: &Scope, props: &AlbProps<'_>, https: bool) {
    if props.vpc.az_count() < 2 {
        scope.error(
            codes::ALB_003,
            format!(
                "an Application Load Balancer needs subnets in at least 2 AZs; the VPC has {}",
                props.vpc.az_count()
            ),
            "give the VPC 2 or more AZs",
        );
    }
    match (props.protocol_version, https) {
        (ProtocolVersion::Grpc, false) => scope.error(
            codes::ALB_002,
            "protocol_version GRPC needs an HTTPS listener, but no certificate_arn was given",
            "set certificate_arn to an ACM certificate of this Region, or use ProtocolVersion::Http1",
        ),
        (_, false) => scope.warning(
            codes::ALB_001,
            "the load balancer serves plain HTTP: no certificate_arn was given",
            "request an ACM certificate for the site's domain in this Region and set certificate_arn; HTTP is then redirected to HTTPS",
        ),
        _ => {}
    }
    if props.protocol_version == ProtocolVersion::Http2 && !https {
        scope.warning(
            codes::ALB_004,
            "protocol_version HTTP2 without HTTPS: clients reach a plain HTTP listener over HTTP/1.1, which a target group of protocol version HTTP2 does not accept",
            "set certificate_arn, or use ProtocolVersion::Http1",
        );
    }
}

fn add_security_group(scope: &Scope, props: &AlbProps<'_>, https: bool, port: u16) -> CfnResource {
    let mut ingress = vec![Ingress {
        cidr_ip: val("0.0.0.0/0"),
        ip_protocol: val("tcp"),
        from_port: val(80),
        to_port: val(80),
        description: val(if https {
            "HTTP, redirected to HTTPS"
        } else {
            "HTTP"
        }),
        ..Default::default()
    }];
    if https {
        ingress.push(Ingress {
            cidr_ip: val("0.0.0.0/0"),
            ip_protocol: val("tcp"),
            from_port: val(443),
            to_port: val(443),
            description: val("HTTPS"),
            ..Default::default()
        });
    }
    scope.add(
        "SecurityGroup",
        &CfnSecurityGroup {
            group_description: val(format!("{}: internet-facing load balancer", scope.path())),
            vpc_id: val(props.vpc.vpc_id()),
            security_group_ingress: Some(ingress),
            // Replaces the default allow-all egress: the load balancer only talks to its
            // targets.
            security_group_egress: Some(vec![Egress {
                cidr_ip: val(props.vpc.cidr_block_token()),
                ip_protocol: val("tcp"),
                from_port: val(i64::from(port)),
                to_port: val(i64::from(port)),
                description: val("to the targets"),
                ..Default::default()
            }]),
            tags: Some(name_tag(scope)),
            ..Default::default()
        },
    )
}

fn add_load_balancer(
    scope: &Scope,
    props: &AlbProps<'_>,
    security_group: &CfnResource,
) -> CfnResource {
    scope.add(
        "Resource",
        &CfnLoadBalancer {
            scheme: val("internet-facing"),
            r#type: val("application"),
            ip_address_type: val("ipv4"),
            subnets: Some(
                props
                    .vpc
                    .public_subnet_ids()
                    .into_iter()
                    .map(Val::from)
                    .collect(),
            ),
            security_groups: Some(vec![Val::from(security_group.get_att("GroupId"))]),
            // The attribute list reuses the generic key/value struct.
            load_balancer_attributes: Some(vec![Tag::new(
                "routing.http.drop_invalid_header_fields.enabled",
                "true",
            )]),
            tags: Some(name_tag(scope)),
            ..Default::default()
        },
    )
}

/// The health check path and the answer that counts as healthy.
fn health_check(props: &AlbProps<'_>) -> (String, Matcher) {
    let grpc = props.protocol_version == ProtocolVersion::Grpc;
    match (&props.health_check_path, grpc) {
        (None, true) => (
            GRPC_HEALTH_CHECK_PATH.to_string(),
            Matcher {
                grpc_code: val("12"),
                ..Default::default()
            },
        ),
        (Some(p), true) => (
            p.clone(),
            Matcher {
                grpc_code: val("0"),
                ..Default::default()
            },
        ),
        (p, false) => (
            p.clone()
                .unwrap_or_else(|| DEFAULT_HEALTH_CHECK_PATH.to_string()),
            Matcher {
                http_code: val("200"),
                ..Default::default()
            },
        ),
    }
}

fn add_target_group(
    scope: &Scope,
    props: &AlbProps<'_>,
    port: u16,
    health_path: &str,
    matcher: Matcher,
) -> CfnResource {
    scope.add(
        "TargetGroup",
        &CfnTargetGroup {
            vpc_id: val(props.vpc.vpc_id()),
            port: val(i64::from(port)),
            protocol: val("HTTP"),
            protocol_version: val(props.protocol_version.as_str()),
            target_type: val("instance"),
            health_check_enabled: val(true),
            health_check_protocol: val("HTTP"),
            health_check_path: val(health_path),
            health_check_interval_seconds: val(30),
            health_check_timeout_seconds: val(5),
            healthy_threshold_count: val(2),
            unhealthy_threshold_count: val(2),
            // gRPC health checks answer with a gRPC status code, HTTP ones with an HTTP
            // status.
            matcher: Some(matcher),
            tags: Some(name_tag(scope)),
            ..Default::default()
        },
    )
}

fn add_listeners(
    scope: &Scope,
    props: &AlbProps<'_>,
    load_balancer: &CfnResource,
    target_group: &CfnResource,
) {
    let forward = || Action {
        r#type: val("forward"),
        target_group_arn: val(target_group.ref_()),
        ..Default::default()
    };
    if let Some(cert) = &props.certificate_arn {
        scope.add(
            "HttpsListener",
            &CfnListener {
                load_balancer_arn: val(load_balancer.ref_()),
                port: val(443),
                protocol: val("HTTPS"),
                certificates: Some(vec![Certificate {
                    certificate_arn: val(cert.as_str()),
                }]),
                ssl_policy: val(props.ssl_policy.as_str()),
                default_actions: Some(vec![forward()]),
                ..Default::default()
            },
        );
        scope.add(
            "HttpListener",
            &CfnListener {
                load_balancer_arn: val(load_balancer.ref_()),
                port: val(80),
                protocol: val("HTTP"),
                default_actions: Some(vec![Action {
                    r#type: val("redirect"),
                    redirect_config: Some(RedirectConfig {
                        protocol: val("HTTPS"),
                        port: val("443"),
                        status_code: val("HTTP_301"),
                        ..Default::default()
                    }),
                    ..Default::default()
                }]),
                ..Default::default()
            },
        );
    } else {
        scope.add(
            "HttpListener",
            &CfnListener {
                load_balancer_arn: val(load_balancer.ref_()),
                port: val(80),
                protocol: val("HTTP"),
                default_actions: Some(vec![forward()]),
                ..Default::default()
            },
        );
    }
}

fn attach_targets(
    scope: &Scope,
    t: &FleetTarget,
    target_group: &CfnResource,
    security_group: &CfnResource,
) {
    // The group registers its instances with the target group. Whether the target group's
    // health also replaces instances is the fleet's choice (`FleetHealthCheck`, EC2 status
    // checks only by default): see ARCHITECTURE.md, "What healthy means".
    t.asg
        .set_property("TargetGroupARNs", vec![target_group.ref_()]);
    t.asg
        .set_property("HealthCheckType", t.health_check.as_str());
    t.scope.add(
        "IngressFromLoadBalancer",
        &CfnSecurityGroupIngress {
            group_id: val(t.security_group_id.clone()),
            source_security_group_id: val(security_group.get_att("GroupId")),
            ip_protocol: val("tcp"),
            from_port: val(i64::from(t.port)),
            to_port: val(i64::from(t.port)),
            description: val(format!("from {}", scope.path())),
            ..Default::default()
        },
    );
}

fn record_summary(scope: &Scope, grpc: bool) {
    SummaryRow {
        asset: "ALB".into(),
        purpose: if grpc {
            "routes and load-balances gRPC traffic to the application servers".into()
        } else {
            "routes and load-balances HTTP(S) traffic to the application servers (Grafana)".into()
        },
        size: String::new(),
        quantity: "1".into(),
        dr: "one per region; DNS failover records point at both".into(),
    }
    .record(scope);
}
