//! `Alb`: an internet-facing Application Load Balancer in front of a fleet.
//!
//! Secure by default, each with a prop to opt out: deletion protection on
//! (`deletion_protection`; `drkit destroy` lifts it when told), invalid header fields dropped
//! (`drop_invalid_header_fields`), a TLS 1.2+ security policy on the HTTPS listener (a policy
//! that still accepts TLS 1.0/1.1 is an error unless `allow_legacy_tls`), and access logs to a
//! bucket of the load balancer's own ([`AccessLogBucket`](crate::AccessLogBucket), one per
//! Region in a `DrPair`; `access_logs`).

use dr_core::diagnostics::codes;
use dr_core::{CfnResource, Scope, Token, Val};

use crate::access_logs::{
    AccessLogBucket, AccessLogBucketProps, AccessLogs, DEFAULT_ACCESS_LOG_RETENTION_DAYS,
    bucket_name_problem, prefix_problem, retention_problem,
};
use crate::common::{SummaryRow, name_tag, val};
use crate::ec2_fleet::{DEFAULT_APP_PORT, FleetTarget};
use crate::l1::Tag;
use crate::l1::ec2::security_group::{Egress, Ingress};
use crate::l1::ec2::{CfnSecurityGroup, CfnSecurityGroupIngress};
use crate::l1::elasticloadbalancingv2::listener::{Action, Certificate, RedirectConfig};
use crate::l1::elasticloadbalancingv2::target_group::Matcher;
use crate::l1::elasticloadbalancingv2::{CfnListener, CfnLoadBalancer, CfnTargetGroup};
use crate::validate;
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
    /// The port the targets listen on (1 to 65535); a fleet target's own port wins. Default:
    /// [`DEFAULT_APP_PORT`].
    #[builder(default = DEFAULT_APP_PORT)]
    pub target_port: u16,
    /// The path the target group's health check requests: it answers 200 while the target
    /// can serve requests (its dependencies included), so the load balancer routes only to
    /// targets that can. Served by the app on every target; in a [`DrPair`](crate::DrPair) the
    /// Route 53 check of the primary site probes the same path through the load balancer, so
    /// this is the one setting of what "the site can serve" means. A path given for GRPC is
    /// expected to answer status 0 (OK), like the gRPC health service. It starts with `/`, has
    /// at most 1024 characters, and only letters, digits and `-@:%_+.~#?&/=` (percent-encode
    /// the rest). Default: [`DEFAULT_HEALTH_CHECK_PATH`], or for GRPC
    /// [`GRPC_HEALTH_CHECK_PATH`].
    pub health_check_path: Option<String>,
    /// The HTTPS listener's TLS policy, one of ELB's security policies (`SSL_POLICIES` in this module).
    /// A policy that still accepts TLS 1.0 or 1.1 ([`LEGACY_TLS_POLICIES`]) is an error unless
    /// `allow_legacy_tls` is set. Default: [`DEFAULT_SSL_POLICY`] (TLS 1.2 and 1.3).
    #[builder(default = DEFAULT_SSL_POLICY)]
    pub ssl_policy: String,
    /// Accept an `ssl_policy` that lets clients negotiate TLS 1.0 or 1.1 (deprecated by RFC
    /// 8996), for clients that speak nothing newer. Default: `false`, such a policy is an
    /// error (DRK-ALB-011).
    #[builder(default)]
    pub allow_legacy_tls: bool,
    /// Deletion protection (`deletion_protection.enabled`): ELB refuses to delete the load
    /// balancer, so neither a stray stack update nor a hand in the console removes the site's
    /// entry point ("Deletion protection", "Edit attributes of your Application Load
    /// Balancer",
    /// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#deletion-protection>).
    /// `drkit destroy` lifts it only when told to. Default: `true`; `false` for a throwaway
    /// environment.
    #[builder(default = true)]
    pub deletion_protection: bool,
    /// Drop HTTP headers whose names are not valid (`routing.http.drop_invalid_header_fields.enabled`):
    /// "Elastic Load Balancing requires that message header names conform to the regular
    /// expression `[-A-Za-z0-9]+`"; with this on, the load balancer removes the others instead
    /// of routing them to the targets ("Application Load Balancers", "Load balancer
    /// attributes", <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html>;
    /// ELB's own default is off; AWS Security Hub control ELB.4 asks for it). Default: `true`;
    /// `false` only for an app that needs such headers (an `_` in a name, for one).
    #[builder(default = true)]
    pub drop_invalid_header_fields: bool,
    /// Where the access logs go: a bucket of the load balancer's own (one per Region), an
    /// existing bucket of the same Region by name, or nowhere. Default:
    /// [`AccessLogs::Create`].
    #[builder(default)]
    pub access_logs: AccessLogs,
    /// The key prefix of the access logs in the bucket (`prefix/AWSLogs/<account>/…`): no
    /// leading or trailing `/`, not containing `AWSLogs`. Default: none.
    pub access_log_prefix: Option<String>,
    /// Days the created bucket keeps access logs (1 to 2147483647); only for
    /// [`AccessLogs::Create`]. Default: [`DEFAULT_ACCESS_LOG_RETENTION_DAYS`] (90).
    #[builder(default = DEFAULT_ACCESS_LOG_RETENTION_DAYS)]
    pub access_log_retention_days: u32,
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
    access_log_bucket: Option<AccessLogBucket>,
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
        let access_log_bucket = add_access_log_bucket(&scope, &props);
        let load_balancer =
            add_load_balancer(&scope, &props, &security_group, access_log_bucket.as_ref());
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
            access_log_bucket,
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
    /// The access-log bucket the load balancer created ([`AccessLogs::Create`]), if any.
    pub fn access_log_bucket(&self) -> Option<&AccessLogBucket> {
        self.access_log_bucket.as_ref()
    }
}

/// The security policies an HTTPS listener of an Application Load Balancer takes
/// ("Security policies for your Application Load Balancer",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html>;
/// ALBs "do not support custom security policies"), as of 2026-12 (the post-quantum
/// `…-PQ-2025-09` policies are the newest). Read from the page's policy tables as mirrored by
/// aws-cdk-lib's `SslPolicy` enum (`aws-elasticloadbalancingv2/lib/shared/enums.ts`), plus
/// `ELBSecurityPolicy-2015-05`, which the page lists beside `ELBSecurityPolicy-2016-08`. A
/// policy AWS adds later is reported as unknown until this list is updated.
pub const SSL_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-1-2021-06",
    "ELBSecurityPolicy-TLS13-1-0-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-1-2019-08",
    "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-2015-05",
    "ELBSecurityPolicy-TLS-1-0-2015-04",
];

/// The policies of [`SSL_POLICIES`] that still let clients negotiate TLS 1.0 or TLS 1.1, from
/// the "Protocols by policy" tables (TLS, FIPS and FS policies) of "Security policies for your
/// Application Load Balancer",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html>:
/// the `TLS13-1-0`/`TLS13-1-1` families (FIPS and post-quantum variants included, which the
/// page names after the same minimum), `FS-1-1-2019-08`, `FS-2018-06`, `TLS-1-1-2017-01` and
/// `2016-08`, plus `2015-05` and `TLS-1-0-2015-04`, whose names say TLS 1.0. Every other policy
/// of the list accepts TLS 1.2 and newer only.
pub const LEGACY_TLS_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-TLS13-1-1-2021-06",
    "ELBSecurityPolicy-TLS13-1-0-2021-06",
    "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-FS-1-1-2019-08",
    "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-2015-05",
    "ELBSecurityPolicy-TLS-1-0-2015-04",
];

/// The longest health check path (`CreateTargetGroup` `HealthCheckPath`, "Minimum length of 1.
/// Maximum length of 1024",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html>,
/// also the vendored `AWS::ElasticLoadBalancingV2::TargetGroup` schema).
pub const MAX_HEALTH_CHECK_PATH_LEN: usize = 1024;

/// Reports the settings that cannot work or are risky, before anything is built. Each slip is
/// reported once, here, naming the prop; a VPC with fewer than two zones is the VPC's own
/// slip, which it reports naming this load balancer, so it is not reported again here.
fn check_props(scope: &Scope, props: &AlbProps<'_>, https: bool) {
    if let Some(arn) = &props.certificate_arn {
        check_certificate_arn(scope, arn);
    }
    match (props.protocol_version, https) {
        (ProtocolVersion::Grpc, false) => scope.prop_error(
            "protocol_version",
            codes::ALB_002,
            "protocol_version GRPC needs an HTTPS listener, but no certificate_arn was given",
            "set certificate_arn to an ACM certificate of this Region, or use ProtocolVersion::Http1",
        ),
        // ELB refuses to forward from an HTTP listener to an HTTP/2 target group: "Listener
        // protocol 'HTTP' is not supported with a target group with the protocol-version
        // 'HTTP2'" (InvalidLoadBalancerAction, as reported in aws/copilot-cli#4551 and
        // kubernetes-sigs/aws-load-balancer-controller#4497), so the stack would fail.
        (ProtocolVersion::Http2, false) => scope.prop_error(
            "protocol_version",
            codes::ALB_004,
            "protocol_version HTTP2 needs an HTTPS listener, but no certificate_arn was given: ELB refuses to forward from a plain HTTP listener to an HTTP/2 target group",
            "set certificate_arn to an ACM certificate of this Region, or use ProtocolVersion::Http1",
        ),
        (ProtocolVersion::Http1, false) => scope.prop_warning(
            "certificate_arn",
            codes::ALB_001,
            "the load balancer serves plain HTTP: no certificate_arn was given",
            "request an ACM certificate for the site's domain in this Region and set certificate_arn; HTTP is then redirected to HTTPS",
        ),
        _ => {}
    }
    // A target group's port is 1 to 65535 (`Port` of "CreateTargetGroup",
    // <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html>);
    // a u16 has only 0 to rule out. Checked even when a fleet
    // target's own port wins: the value written is wrong either way.
    if props.target_port == 0 {
        scope.prop_error(
            "target_port",
            codes::ALB_007,
            "target_port 0 is not a port: a target group's port is 1 to 65535",
            format!(
                "set target_port to the port the targets listen on (default {DEFAULT_APP_PORT})"
            ),
        );
    }
    if let Some(path) = &props.health_check_path
        && let Some(why) = health_check_path_problem(path)
    {
        scope.prop_error(
            "health_check_path",
            codes::ALB_008,
            format!("health_check_path `{path}` {why}"),
            "write an absolute path such as /api/health, percent-encoding other characters (a space is %20)",
        );
    }
    if !SSL_POLICIES.contains(&props.ssl_policy.as_str()) {
        let hint = match dr_core::suggest::nearest(&props.ssl_policy, SSL_POLICIES.iter().copied())
        {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "use {DEFAULT_SSL_POLICY} (AWS's recommendation) or another policy of the ELB guide's \"Security policies for your Application Load Balancer\""
            ),
        };
        scope.prop_error(
            "ssl_policy",
            codes::ALB_009,
            format!(
                "ssl_policy `{}` is not a security policy of Application Load Balancers",
                props.ssl_policy
            ),
            hint,
        );
    } else if LEGACY_TLS_POLICIES.contains(&props.ssl_policy.as_str()) && !props.allow_legacy_tls {
        // An error, not a warning: a TLS 1.0 listener is what a review flags first (AWS
        // Security Hub control ELB.17, "Security Hub CSPM controls for Elastic Load
        // Balancing", <https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html>),
        // and a warning scrolls by; the way out is one explicit prop.
        scope.prop_error(
            "ssl_policy",
            codes::ALB_011,
            format!(
                "ssl_policy `{}` still accepts TLS 1.0 or TLS 1.1, deprecated since RFC 8996",
                props.ssl_policy
            ),
            format!(
                "use {DEFAULT_SSL_POLICY} (TLS 1.2 and 1.3), or set allow_legacy_tls(true) if clients that speak only TLS 1.0/1.1 must connect"
            ),
        );
    }
    check_access_log_props(scope, props);
}

/// Checks the access-log props at the prop the user wrote; [`add_access_log_bucket`] then
/// builds from valid values only.
fn check_access_log_props(scope: &Scope, props: &AlbProps<'_>) {
    if let AccessLogs::Bucket(name) = &props.access_logs
        && let Some(why) = bucket_name_problem(name)
    {
        scope.prop_error(
            "access_logs",
            codes::ALB_012,
            format!("access_logs bucket `{name}` is not a valid S3 bucket name: it {why}"),
            "give the name of an existing bucket of this Region (e.g. `my-alb-logs`), or AccessLogs::Create for one drkit makes",
        );
    }
    if props.access_logs == AccessLogs::Create
        && let Some(why) = retention_problem(props.access_log_retention_days)
    {
        scope.prop_error(
            "access_log_retention_days",
            codes::ALB_013,
            format!(
                "access_log_retention_days {} {why}",
                props.access_log_retention_days
            ),
            format!(
                "give a number of days from 1 up (default {DEFAULT_ACCESS_LOG_RETENTION_DAYS})"
            ),
        );
    }
    if let Some(p) = &props.access_log_prefix
        && let Some(why) = prefix_problem(p)
    {
        scope.prop_error(
            "access_log_prefix",
            codes::ALB_014,
            format!("access_log_prefix `{p}` {why}"),
            "give a prefix such as `alb` (no leading or trailing `/`, not containing AWSLogs), or leave it unset",
        );
    }
}

/// The prefix the logs are written under, when it is valid ([`check_access_log_props`]
/// reported it otherwise).
fn valid_prefix(props: &AlbProps<'_>) -> Option<String> {
    props
        .access_log_prefix
        .clone()
        .filter(|p| prefix_problem(p).is_none())
}

/// The bucket of [`AccessLogs::Create`], built from valid values only.
fn add_access_log_bucket(scope: &Scope, props: &AlbProps<'_>) -> Option<AccessLogBucket> {
    if props.access_logs != AccessLogs::Create {
        return None;
    }
    let retention_days = if retention_problem(props.access_log_retention_days).is_none() {
        props.access_log_retention_days
    } else {
        DEFAULT_ACCESS_LOG_RETENTION_DAYS
    };
    Some(AccessLogBucket::new(
        scope,
        "AccessLogs",
        AccessLogBucketProps {
            retention_days,
            prefix: valid_prefix(props),
        },
    ))
}

/// What is wrong with a health check path, if anything: 1 to
/// [`MAX_HEALTH_CHECK_PATH_LEN`] characters, starting with `/`, made of letters, digits and
/// `@:%_+.~#?&/=`, as ELB's own message says ("Health check must begin with a '/' and can
/// only consist of the characters: a-z, A-Z, 0-9, and @:%_+.~#?&/=", quoted in
/// apollographql/router#1852). drkit also admits `-`, an unreserved URI character (RFC 3986)
/// found in health paths that ELB serves every day (`/-/healthy`), which that message's list
/// leaves out: refusing a path that works would be worse than missing one.
fn health_check_path_problem(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return Some("does not start with `/`".into());
    }
    if path.chars().count() > MAX_HEALTH_CHECK_PATH_LEN {
        return Some(format!(
            "is {} characters long; a health check path has at most {MAX_HEALTH_CHECK_PATH_LEN}",
            path.chars().count()
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "@:%_+.~#?&/=-".contains(c);
    path.chars().find(|c| !allowed(*c)).map(|c| {
        let c = if c == ' ' {
            "a space".to_string()
        } else {
            format!("`{c}`")
        };
        format!(
            "has {c}; ELB takes only letters, digits and `-@:%_+.~#?&/=` in a health check path"
        )
    })
}

/// Checks the HTTPS listener's certificate: an ACM certificate of the load balancer's own
/// Region, or an IAM server certificate ("SSL certificates for your Application Load
/// Balancer", <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html>;
/// "Supported Regions", ACM User Guide,
/// <https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html>: "Certificates in ACM
/// are regional resources"; "IAM identifiers",
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html>:
/// `arn:aws:iam::123456789012:server-certificate/NAME`, no Region).
fn check_certificate_arn(scope: &Scope, arn: &str) {
    const PROP: &str = "certificate_arn";
    let parsed = match dr_core::arn::parse(arn) {
        Ok(a) => a,
        Err(e) => {
            scope.prop_error(
                PROP,
                codes::ARN_001,
                format!("certificate_arn is not an ARN: {e}"),
                "give the ARN of an ACM certificate of this Region (`aws acm list-certificates`)",
            );
            return;
        }
    };
    let not_a_certificate = |why: String| {
        scope.prop_error(
            PROP,
            codes::ALB_005,
            format!("certificate_arn `{arn}` {why}"),
            "give the ARN of an ACM certificate of this Region (arn:aws:acm:REGION:ACCOUNT:certificate/ID), or of an IAM server certificate",
        );
    };
    match (parsed.service, parsed.resource_type()) {
        ("acm", "certificate") => {
            if parsed.resource_id().is_none_or(str::is_empty) {
                return not_a_certificate("has no certificate id after `certificate/`".into());
            }
            if parsed.account.len() != 12 {
                return not_a_certificate("has no 12-digit account id".into());
            }
            if parsed.region.is_empty() {
                return not_a_certificate(
                    "has no Region; ACM certificates are regional (arn:aws:acm:REGION:…)".into(),
                );
            }
            let Some(own) = scope.region() else { return };
            if parsed.region != own.code() && !validate::region_in_doubt(scope) {
                scope.prop_error(
                    PROP,
                    codes::ALB_006,
                    format!(
                        "certificate_arn is an ACM certificate of {}, but this load balancer is in {own}: a load balancer takes only certificates of its own Region",
                        parsed.region
                    ),
                    format!(
                        "request or import the certificate in ACM in {own} and give its ARN (in a DrPair, each site its own with site.pick(primary, secondary), in the order of the sites)"
                    ),
                );
            }
        }
        ("iam", "server-certificate") => {
            if !parsed.region.is_empty() {
                not_a_certificate(format!(
                    "names the Region `{}`; IAM server certificate ARNs have none",
                    parsed.region
                ));
            } else if parsed.resource_id().is_none_or(str::is_empty) {
                not_a_certificate("has no certificate name after `server-certificate/`".into());
            }
        }
        ("acm" | "iam", other) => not_a_certificate(format!(
            "names a `{other}`, not a certificate (`certificate/…` in ACM, `server-certificate/…` in IAM)"
        )),
        (service, _) => not_a_certificate(format!(
            "is an ARN of the service `{service}`, not an ACM or IAM certificate"
        )),
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

/// The load balancer's attributes ("LoadBalancerAttribute",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-elasticloadbalancingv2-loadbalancer-loadbalancerattribute.html>;
/// values are strings).
fn attributes(props: &AlbProps<'_>, bucket: Option<&AccessLogBucket>) -> Vec<Tag> {
    let flag = |b: bool| if b { "true" } else { "false" };
    let mut a = vec![
        Tag::new(
            "deletion_protection.enabled",
            flag(props.deletion_protection),
        ),
        Tag::new(
            "routing.http.drop_invalid_header_fields.enabled",
            flag(props.drop_invalid_header_fields),
        ),
    ];
    let target: Option<Val<String>> = match (&props.access_logs, bucket) {
        (AccessLogs::Create, Some(b)) => Some(Val::from(b.bucket_name())),
        // A name that is not a bucket name was reported; writing it would fail the deploy.
        (AccessLogs::Bucket(name), _) if bucket_name_problem(name).is_none() => {
            Some(Val::from(name.as_str()))
        }
        _ => None,
    };
    if let Some(target) = target {
        a.push(Tag::new("access_logs.s3.enabled", "true"));
        a.push(Tag::new("access_logs.s3.bucket", target));
        if let Some(p) = valid_prefix(props) {
            a.push(Tag::new("access_logs.s3.prefix", p));
        }
    }
    a
}

fn add_load_balancer(
    scope: &Scope,
    props: &AlbProps<'_>,
    security_group: &CfnResource,
    access_log_bucket: Option<&AccessLogBucket>,
) -> CfnResource {
    let lb = scope.add(
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
            load_balancer_attributes: Some(attributes(props, access_log_bucket)),
            tags: Some(name_tag(scope)),
            ..Default::default()
        },
    );
    // ELB checks that it may write to the bucket when the access-log attributes are set, and
    // refuses the load balancer with "Access Denied for bucket: <name>. Please check S3bucket
    // permission" otherwise (aws/aws-cdk#5758; aws-cdk-lib adds the same dependency,
    // `application-load-balancer.ts` `logAccessLogs`): the policy must exist first.
    if let Some(b) = access_log_bucket {
        lb.add_depends_on(b.policy());
    }
    lb
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

#[cfg(test)]
mod tests {
    use dr_core::{App, Region, Stack, StackProps};

    use super::*;
    use crate::vpc::{Vpc, VpcProps};

    const CERT_WEST: &str =
        "arn:aws:acm:us-west-2:123456789012:certificate/22222222-2222-2222-2222-222222222222";

    fn errors(app: &App) -> Vec<String> {
        app.tree()
            .diagnostics()
            .0
            .into_iter()
            .filter(|d| d.is_error())
            .map(|d| d.code)
            .collect()
    }

    /// An ALB in us-east-2 with the us-west-2 certificate, its stack marked or not.
    fn alb_with_the_other_regions_certificate(marked: bool) -> App {
        let app = App::new("t");
        let s = Stack::new(&app, "Site", StackProps::in_region(Region::UsEast2));
        if marked {
            validate::mark_region_in_doubt(&s, "the site's zones are in us-west-2");
        }
        let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
        Alb::new(
            &s,
            "Lb",
            AlbProps::builder()
                .vpc(&vpc)
                .certificate_arn(CERT_WEST)
                .build(),
        );
        app
    }

    #[test]
    fn another_regions_certificate_is_an_error_unless_the_stacks_region_is_already_in_doubt() {
        assert_eq!(
            errors(&alb_with_the_other_regions_certificate(false)),
            [codes::ALB_006]
        );
        assert!(errors(&alb_with_the_other_regions_certificate(true)).is_empty());
    }

    #[test]
    fn health_check_paths_follow_elbs_characters() {
        for ok in [
            "/",
            "/api/health",
            "/-/healthy",
            "/AWS.ALB/healthcheck",
            "/h?x=1&y=%20",
        ] {
            assert_eq!(health_check_path_problem(ok), None, "{ok}");
        }
        for bad in ["", "health", "/a b", "/{x}", "/ä"] {
            assert!(health_check_path_problem(bad).is_some(), "{bad}");
        }
        assert!(health_check_path_problem(&format!("/{}", "a".repeat(1023))).is_none());
        assert!(health_check_path_problem(&format!("/{}", "a".repeat(1024))).is_some());
    }

    #[test]
    fn legacy_tls_policies_are_the_ones_named_for_tls_1_0_or_1_1() {
        for p in LEGACY_TLS_POLICIES {
            assert!(SSL_POLICIES.contains(p), "{p} is not an ALB policy");
        }
        for p in SSL_POLICIES {
            // The page's tables follow the names: `1-0`/`1-1` after the family is the
            // minimum version; the pre-2017 names without one accept TLS 1.0.
            let named_legacy = p.contains("-1-0-")
                || p.contains("-1-1-")
                || ["2016-08", "2015-05", "FS-2018-06"]
                    .iter()
                    .any(|s| p.ends_with(s));
            assert_eq!(
                LEGACY_TLS_POLICIES.contains(p),
                named_legacy,
                "{p}: the legacy list and the policy's name disagree"
            );
        }
        assert!(!LEGACY_TLS_POLICIES.contains(&DEFAULT_SSL_POLICY));
    }

    #[test]
    fn the_default_ssl_policy_is_in_the_vendored_list_once() {
        assert!(SSL_POLICIES.contains(&DEFAULT_SSL_POLICY));
        let mut sorted = SSL_POLICIES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), SSL_POLICIES.len());
    }
}
