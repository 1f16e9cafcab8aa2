//! DNS for a DR pair: the public failover records with their health checks and the traffic
//! switch that sends users to the DR Region, and the private hosted zone holding the generic
//! database CNAME, so applications keep one database name whichever Region writes.
//!
//! Route 53 behaviour used here is documented in the Route 53 Developer Guide:
//! - "Values for failover alias records",
//!   <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-failover-alias.html>;
//! - "How Route 53 chooses records when health checking is configured",
//!   <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html>;
//! - "Values for health checks",
//!   <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html>;
//! - "Configuring failover in a private hosted zone",
//!   <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-private-hosted-zones.html>.
//!
//! The alias targets' hosted zone ids are the load balancers' own `CanonicalHostedZoneID`
//! attributes ("AWS::ElasticLoadBalancingV2::LoadBalancer",
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticloadbalancingv2-loadbalancer.html>),
//! carried across Regions as parameters, so every Region works without a table of ids.

use dr_core::diagnostics::codes;
use dr_core::{CfnResource, Expr, Output, Parameter, Region, Scope, Token, Val};

use crate::common::val;
use crate::l1::Tag;
use crate::l1::cloudwatch::CfnAlarm;
use crate::l1::cloudwatch::alarm::Dimension;
use crate::l1::route53::health_check::{AlarmIdentifier, HealthCheckConfig};
use crate::l1::route53::hosted_zone::{HostedZoneConfig, Vpc as ZoneVpc};
use crate::l1::route53::record_set::AliasTarget;
use crate::l1::route53::{CfnHealthCheck, CfnHostedZone, CfnRecordSet};

/// Seconds between two Route 53 health checks of the primary load balancer: 30 (the standard
/// interval; 10 costs extra). Fixed at creation ("HealthCheckConfig", Route 53 API Reference,
/// <https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html>).
pub const HEALTH_CHECK_INTERVAL_SECS: i64 = 30;
/// Failed checks in a row before the primary counts as unhealthy: 3 (Route 53's default).
pub const HEALTH_CHECK_FAILURE_THRESHOLD: i64 = 3;

/// The public hosted zone that holds the app's failover records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostedZoneRef {
    /// A zone that already exists (delegated at the registrar), by id and name. The id goes
    /// into a typed `AWS::Route53::HostedZone::Id` parameter, so CloudFormation checks the zone
    /// exists before creating anything.
    Existing {
        /// The hosted zone id, e.g. `Z0123456789ABCDEFGHIJ`.
        id: String,
        /// The zone's domain name, e.g. `example.com`.
        name: String,
    },
    /// Create a public hosted zone. It answers nothing until its name servers are set at the
    /// registrar (or in the parent zone): synthesis warns, and the stack outputs them.
    Create {
        /// The zone's domain name, e.g. `shop.example.com`.
        name: String,
    },
}

impl HostedZoneRef {
    /// [`HostedZoneRef::Existing`]: the zone `name` (e.g. `example.com`) with id `id` (e.g.
    /// `Z0123456789ABCDEFGHIJ`, in the Route 53 console under Hosted zones).
    pub fn existing(id: impl Into<String>, name: impl Into<String>) -> HostedZoneRef {
        HostedZoneRef::Existing {
            id: id.into(),
            name: name.into(),
        }
    }
    /// [`HostedZoneRef::Create`]: a new public zone `name` (e.g. `shop.example.com`).
    pub fn create(name: impl Into<String>) -> HostedZoneRef {
        HostedZoneRef::Create { name: name.into() }
    }
    /// The zone's domain name, without a trailing dot.
    pub fn name(&self) -> &str {
        match self {
            HostedZoneRef::Existing { name, .. } | HostedZoneRef::Create { name } => {
                name.trim_end_matches('.')
            }
        }
    }
}

/// One Region's load balancer as a failover target.
#[derive(Debug, Clone)]
pub struct AlbEndpoint {
    /// The load balancer's DNS name ([`Alb::dns_name`](crate::Alb::dns_name)).
    pub dns_name: Token,
    /// The load balancer's canonical hosted zone id
    /// ([`Alb::canonical_hosted_zone_id`](crate::Alb::canonical_hosted_zone_id)), the alias
    /// target's zone. Taken from the load balancer rather than a table so that any Region works.
    pub hosted_zone_id: Token,
    /// Its Region; names the failover records' set identifiers.
    pub region: Region,
    /// Whether it serves HTTPS (the health check then uses HTTPS on 443, else HTTP on 80).
    pub https: bool,
    /// The path its target group checks ([`Alb::health_check_path`](crate::Alb::health_check_path)).
    /// Route 53 probes the primary on this same path, so the site counts as able to serve
    /// exactly when its load balancer has targets that can, and a path the app does not
    /// serve cannot fail the site over for nothing (its targets would be unhealthy too).
    pub health_check_path: String,
}

impl AlbEndpoint {
    /// The failover target of `alb`, a load balancer of `region`.
    pub fn of(alb: &crate::Alb, region: Region) -> AlbEndpoint {
        AlbEndpoint {
            dns_name: alb.dns_name(),
            hosted_zone_id: alb.canonical_hosted_zone_id(),
            region,
            https: alb.https(),
            health_check_path: alb.health_check_path().to_string(),
        }
    }
}

/// The traffic switch: a CloudWatch alarm in the DR Region over a metric the DR runtime
/// publishes there. Value 1 means "the primary serves", 0 means "move traffic to the DR
/// Region". See [`FailoverDns`] for why this and not a record or health-check property.
#[derive(Debug, Clone, PartialEq, Eq, bon::Builder)]
#[builder(on(String, into), on(_, setters(doc(default(skip)))))]
pub struct TrafficSwitchProps {
    /// The alarm's name (unique per account and Region). Required.
    pub alarm_name: String,
    /// The metric namespace (a [`DrPair`](crate::DrPair) uses `drkit`). Required.
    pub namespace: String,
    /// The metric name (a [`DrPair`](crate::DrPair) uses `PrimaryActive`). Required.
    pub metric_name: String,
    /// The metric dimensions, e.g. `("App", "shop")`. Default: none.
    #[builder(default, with = |dims: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>| dims.into_iter().map(|(k, v)| (k.into(), v.into())).collect())]
    pub dimensions: Vec<(String, String)>,
}

/// Settings of [`FailoverDns`].
#[derive(Debug, Clone, bon::Builder)]
#[builder(on(String, into), on(_, setters(doc(default(skip)))))]
pub struct FailoverDnsProps {
    /// The public zone. Required.
    pub zone: HostedZoneRef,
    /// The app's name, e.g. `shop.example.com`; must be inside the zone. Required.
    pub domain: String,
    /// The primary Region's load balancer. Required.
    pub primary: AlbEndpoint,
    /// The DR Region's load balancer. Required.
    pub secondary: AlbEndpoint,
    /// The traffic switch. Required.
    pub switch: TrafficSwitchProps,
    /// An SNS topic of the DR Region (where the switch alarm is: an alarm notifies only a
    /// topic of its own Region) told when the switch moves traffic to the DR Region (`ALARM`)
    /// and back (`OK`), e.g. [`AlarmTopic::topic_arn`](crate::AlarmTopic::topic_arn).
    /// Default: none, the alarm has no actions. A [`DrPair`](crate::DrPair) always gives its
    /// DR Region's topic, so the switch never moves silently.
    pub notify: Option<Val<String>>,
}

/// DNS failover between two Regions' load balancers, with a traffic switch that no
/// CloudFormation property holds.
///
/// - `PRIMARY` alias record to the primary ALB, `EvaluateTargetHealth`, and a `CALCULATED`
///   health check that is healthy only when both children are: an HTTP(S) check of the primary
///   ALB on the app's health path, and a `CLOUDWATCH_METRIC` check of the switch alarm.
/// - `SECONDARY` alias record to the DR ALB with `EvaluateTargetHealth`.
/// - The switch alarm is `ALARM` when the metric's minimum is below 1; missing data keeps the
///   last state (`TreatMissingData: ignore`, and `InsufficientDataHealthStatus:
///   LastKnownStatus` on the check), so one `PutMetricData` of 0 in the DR Region moves
///   traffic and stays in force. The template owns the alarm and the checks, never the
///   metric's data, so a redeploy cannot move traffic back; and publishing is a CloudWatch
///   data-plane call in the DR Region, not a Route 53 control-plane call (served from
///   us-east-1), which AWS advises against during recovery ("Best practices for Amazon
///   Route 53 DNS",
///   <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/best-practices-dns.html>).
/// - When both load balancers are unhealthy Route 53 answers with the primary (documented).
#[derive(Debug, Clone)]
pub struct FailoverDns {
    scope: Scope,
    zone: Option<CfnResource>,
    zone_id: Expr,
    primary_record: CfnResource,
    secondary_record: CfnResource,
    endpoint_check: CfnResource,
    switch_check: CfnResource,
    primary_check: CfnResource,
    alarm: CfnResource,
    switch: TrafficSwitchProps,
    region: Option<Region>,
}

impl FailoverDns {
    /// Creates the records, health checks and switch alarm under `scope` (keep it in the DR
    /// Region, so that it stays manageable during a primary-Region outage).
    pub fn new(scope: &Scope, id: &str, props: FailoverDnsProps) -> FailoverDns {
        let scope = scope.child(id);
        let region = scope.region();
        let domain = props.domain.trim_end_matches('.').to_string();
        let zone_name = props.zone.name().to_string();
        check_props(&scope, &props, &domain, &zone_name);

        let (zone, zone_id) = match &props.zone {
            HostedZoneRef::Existing { id, .. } => {
                let p = scope.add_parameter(
                    "HostedZoneId",
                    Parameter::of_type("AWS::Route53::HostedZone::Id")
                        .with_default(id.as_str())
                        .with_description(format!("Public hosted zone of {zone_name}")),
                );
                (None, Expr::Token(p))
            }
            HostedZoneRef::Create { .. } => {
                let z = add_public_zone(&scope, &zone_name, &domain);
                let zid = Expr::from(z.get_att("Id"));
                (Some(z), zid)
            }
        };

        let endpoint_check = add_endpoint_check(&scope, &props);
        let alarm = add_switch_alarm(&scope, &props.switch, &domain, props.notify.as_ref());
        let switch_check = add_switch_check(&scope, &alarm);
        let primary_check = add_primary_check(&scope, &endpoint_check, &switch_check);
        let [primary_record, secondary_record] =
            add_records(&scope, &props, &zone_id, &domain, &primary_check);

        FailoverDns {
            scope,
            zone,
            zone_id,
            primary_record,
            secondary_record,
            endpoint_check,
            switch_check,
            primary_check,
            alarm,
            switch: props.switch,
            region,
        }
    }

    /// The construct's scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The created public zone, when [`HostedZoneRef::Create`] was used.
    pub fn zone(&self) -> Option<&CfnResource> {
        self.zone.as_ref()
    }
    /// The public zone's id (a parameter or the created zone's id).
    pub fn zone_id(&self) -> &Expr {
        &self.zone_id
    }
    /// The `PRIMARY` record.
    pub fn primary_record(&self) -> &CfnResource {
        &self.primary_record
    }
    /// The `SECONDARY` record.
    pub fn secondary_record(&self) -> &CfnResource {
        &self.secondary_record
    }
    /// The HTTP(S) check of the primary load balancer.
    pub fn endpoint_check(&self) -> &CfnResource {
        &self.endpoint_check
    }
    /// The `CLOUDWATCH_METRIC` check of the switch alarm.
    pub fn switch_check(&self) -> &CfnResource {
        &self.switch_check
    }
    /// The `CALCULATED` check on the `PRIMARY` record.
    pub fn primary_check(&self) -> &CfnResource {
        &self.primary_check
    }
    /// The switch alarm.
    pub fn alarm(&self) -> &CfnResource {
        &self.alarm
    }
    /// The switch's settings.
    pub fn switch(&self) -> &TrafficSwitchProps {
        &self.switch
    }
    /// The Region the alarm (and so the switch metric) lives in.
    pub fn switch_region(&self) -> Option<Region> {
        self.region
    }
}

/// Reports a domain outside the zone, both targets in one Region and a missing zone id,
/// before anything is built.
fn check_props(scope: &Scope, props: &FailoverDnsProps, domain: &str, zone_name: &str) {
    if check_zone(scope, "zone", &props.zone) {
        check_domain(scope, "domain", domain, zone_name);
    }
    if props.primary.region == props.secondary.region {
        scope.prop_error(
            "secondary",
            codes::DNS_003,
            format!("both failover targets are in {}", props.primary.region),
            "put the primary and the secondary load balancer in different Regions",
        );
    }
}

/// Checks a public hosted zone reference given in `prop`: an existing zone's id is Route 53's
/// (letters and digits, at most 32: `Id` of "HostedZone", Amazon Route 53 API Reference,
/// <https://docs.aws.amazon.com/Route53/latest/APIReference/API_HostedZone.html>), without the
/// `/hostedzone/` prefix some API answers carry (CloudFormation's `AWS::Route53::HostedZone::Id`
/// parameter type takes the bare id), and the zone name is a DNS name. Returns whether it is.
pub(crate) fn check_zone(scope: &Scope, prop: &str, zone: &HostedZoneRef) -> bool {
    let name = zone.name();
    if !is_domain_name(name) {
        scope.prop_error(
            prop,
            codes::DNS_010,
            format!("`{name}` is not a valid hosted zone name"),
            "use the zone's domain name, labels of letters, digits and hyphens joined by dots, e.g. example.com",
        );
        return false;
    }
    let HostedZoneRef::Existing { id, .. } = zone else {
        return true;
    };
    if id.is_empty() {
        scope.prop_error(
            prop,
            codes::DNS_001,
            "no hosted zone id given for the failover records",
            "set hosted_zone to HostedZoneRef::existing(id, name) with your public zone's id (Route 53 console, Hosted zones), or use HostedZoneRef::create(name)",
        );
        return false;
    }
    let bare = id.trim_start_matches("/hostedzone/");
    if bare != id {
        scope.prop_error(
            prop,
            codes::DNS_011,
            format!("hosted zone id `{id}` carries the `/hostedzone/` prefix"),
            format!("give the bare id: `{bare}`"),
        );
        return false;
    }
    if id.len() > 32
        || !id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        scope.prop_error(
            prop,
            codes::DNS_011,
            format!("`{id}` is not a Route 53 hosted zone id (upper-case letters and digits, at most 32, e.g. Z0123456789ABCDEFGHIJ)"),
            "copy the id from the Route 53 console (Hosted zones, Hosted zone ID)",
        );
        return false;
    }
    true
}

fn add_public_zone(scope: &Scope, zone_name: &str, domain: &str) -> CfnResource {
    let z = scope.add(
        "Zone",
        &CfnHostedZone {
            name: val(zone_name),
            hosted_zone_config: Some(HostedZoneConfig {
                comment: val(format!("Public zone of {}, created by drkit", scope.path())),
            }),
            ..Default::default()
        },
    );
    scope.warning(
        codes::DNS_002,
        format!("the public hosted zone {zone_name} is created by this app and is not delegated: nobody can resolve {domain} yet"),
        format!("after the first deploy, set the zone's name servers (the stack's NameServers output) as NS records of {zone_name} at your registrar or parent zone, or use HostedZoneRef::existing(id, name)"),
    );
    scope.add_output(
        "NameServers",
        // Route 53 assigns a public zone four name servers; `Fn::Join` cannot take
        // the list attribute directly (cfn-lint E6101), so each is selected.
        Output::new(Expr::join(
            ",",
            (0..4).map(|i| Expr::select(i, z.get_att("NameServers"))),
        ))
        .with_description(format!(
            "Name servers of {zone_name}: delegate the zone to them"
        )),
    );
    z
}

fn add_endpoint_check(scope: &Scope, props: &FailoverDnsProps) -> CfnResource {
    let (check_type, port) = if props.primary.https {
        ("HTTPS", 443)
    } else {
        ("HTTP", 80)
    };
    scope.add(
        "PrimaryEndpointCheck",
        &CfnHealthCheck {
            health_check_config: Some(HealthCheckConfig {
                r#type: val(check_type),
                fully_qualified_domain_name: val(props.primary.dns_name.clone()),
                port: val(port),
                resource_path: val(props.primary.health_check_path.as_str()),
                request_interval: val(HEALTH_CHECK_INTERVAL_SECS),
                failure_threshold: val(HEALTH_CHECK_FAILURE_THRESHOLD),
                enable_sni: props.primary.https.then(|| Val::from(true)),
                ..Default::default()
            }),
            health_check_tags: Some(vec![Tag::new(
                "Name",
                format!("{}/PrimaryEndpointCheck", scope.path()),
            )]),
        },
    )
}

fn add_switch_alarm(
    scope: &Scope,
    switch: &TrafficSwitchProps,
    domain: &str,
    notify: Option<&Val<String>>,
) -> CfnResource {
    let actions = notify.map(|topic| vec![topic.clone()]);
    scope.add(
        "SwitchAlarm",
        &CfnAlarm {
            alarm_name: val(switch.alarm_name.as_str()),
            alarm_description: val(format!(
                "drkit traffic switch of {domain}: ALARM moves traffic to the DR Region. Set by publishing {}/{} (1 = primary serves, 0 = DR serves); never edit this alarm to fail over",
                switch.namespace, switch.metric_name
            )),
            namespace: val(switch.namespace.as_str()),
            metric_name: val(switch.metric_name.as_str()),
            dimensions: Some(
                switch
                    .dimensions
                    .iter()
                    .map(|(k, v)| Dimension { name: val(k.as_str()), value: val(v.as_str()) })
                    .collect(),
            ),
            // Route 53 reads alarms on standard-resolution metrics with the Average,
            // Minimum, Maximum, Sum or SampleCount statistic only ("AlarmIdentifier",
            // Route 53 API Reference): the runtime publishes at standard resolution.
            statistic: val("Minimum"),
            period: val(60),
            evaluation_periods: val(1),
            threshold: val(1.0),
            comparison_operator: val("LessThanThreshold"),
            // The runtime publishes once per switch; between publications the alarm keeps
            // its state instead of drifting to INSUFFICIENT_DATA.
            treat_missing_data: val("ignore"),
            // Told both ways: traffic moved to the DR Region, and back.
            actions_enabled: val(actions.is_some()),
            alarm_actions: actions.clone(),
            ok_actions: actions,
            ..Default::default()
        },
    )
}

fn add_switch_check(scope: &Scope, alarm: &CfnResource) -> CfnResource {
    scope.add(
        "SwitchCheck",
        &CfnHealthCheck {
            health_check_config: Some(HealthCheckConfig {
                r#type: val("CLOUDWATCH_METRIC"),
                alarm_identifier: Some(AlarmIdentifier {
                    name: val(alarm.ref_()),
                    region: Some(Val::expr(Expr::pseudo(dr_core::Pseudo::Region))),
                }),
                insufficient_data_health_status: val("LastKnownStatus"),
                ..Default::default()
            }),
            health_check_tags: Some(vec![Tag::new(
                "Name",
                format!("{}/SwitchCheck", scope.path()),
            )]),
        },
    )
}

fn add_primary_check(
    scope: &Scope,
    endpoint_check: &CfnResource,
    switch_check: &CfnResource,
) -> CfnResource {
    scope.add(
        "PrimaryCheck",
        &CfnHealthCheck {
            health_check_config: Some(HealthCheckConfig {
                r#type: val("CALCULATED"),
                child_health_checks: Some(vec![
                    Val::from(endpoint_check.ref_()),
                    Val::from(switch_check.ref_()),
                ]),
                health_threshold: val(2),
                ..Default::default()
            }),
            health_check_tags: Some(vec![Tag::new(
                "Name",
                format!("{}/PrimaryCheck", scope.path()),
            )]),
        },
    )
}

/// The `PRIMARY` and `SECONDARY` failover records.
fn add_records(
    scope: &Scope,
    props: &FailoverDnsProps,
    zone_id: &Expr,
    domain: &str,
    primary_check: &CfnResource,
) -> [CfnResource; 2] {
    let alias = |e: &AlbEndpoint| AliasTarget {
        dns_name: val(e.dns_name.clone()),
        hosted_zone_id: val(e.hosted_zone_id.clone()),
        evaluate_target_health: val(true),
    };
    let primary_record = scope.add(
        "PrimaryRecord",
        &CfnRecordSet {
            hosted_zone_id: Some(Val::expr(zone_id.clone())),
            name: val(domain),
            r#type: val("A"),
            set_identifier: val(format!("primary-{}", props.primary.region)),
            failover: val("PRIMARY"),
            health_check_id: val(primary_check.ref_()),
            alias_target: Some(alias(&props.primary)),
            ..Default::default()
        },
    );
    let secondary_record = scope.add(
        "SecondaryRecord",
        &CfnRecordSet {
            hosted_zone_id: Some(Val::expr(zone_id.clone())),
            name: val(domain),
            r#type: val("A"),
            set_identifier: val(format!("secondary-{}", props.secondary.region)),
            failover: val("SECONDARY"),
            alias_target: Some(alias(&props.secondary)),
            ..Default::default()
        },
    );
    [primary_record, secondary_record]
}

/// A VPC a private hosted zone is attached to.
#[derive(Debug, Clone)]
pub struct ZoneVpcRef {
    /// The VPC id.
    pub vpc_id: Token,
    /// The VPC's Region.
    pub region: Region,
}

/// A private hosted zone attached to VPCs of one or more Regions (each VPC entry names its
/// Region, so one zone serves both sites; the VPCs need DNS support and hostnames, which
/// [`Vpc`](crate::Vpc) turns on).
#[derive(Debug, Clone)]
pub struct PrivateZone {
    scope: Scope,
    resource: CfnResource,
    name: String,
}

impl PrivateZone {
    /// Creates the zone `name` (e.g. `shop.internal`) attached to `vpcs`.
    pub fn new(scope: &Scope, id: &str, name: &str, vpcs: &[ZoneVpcRef]) -> PrivateZone {
        let scope = scope.child(id);
        let name = name.trim_end_matches('.').to_string();
        if !is_domain_name(&name) {
            scope.prop_error(
                "name",
                codes::DNS_005,
                format!("`{name}` is not a valid DNS zone name"),
                "use labels of letters, digits and hyphens joined by dots, e.g. shop.internal",
            );
        }
        if vpcs.is_empty() {
            scope.error(
                codes::DNS_006,
                "a private hosted zone needs at least one VPC",
                "attach the VPCs of both sites",
            );
        }
        let resource = scope.add(
            "Resource",
            &CfnHostedZone {
                name: val(name.as_str()),
                hosted_zone_config: Some(HostedZoneConfig {
                    comment: val(format!(
                        "Private zone of {}, created by drkit",
                        scope.path()
                    )),
                }),
                vp_cs: Some(
                    vpcs.iter()
                        .map(|v| ZoneVpc {
                            vpc_id: val(v.vpc_id.clone()),
                            vpc_region: val(v.region.code()),
                        })
                        .collect(),
                ),
                ..Default::default()
            },
        );
        PrivateZone {
            scope,
            resource,
            name,
        }
    }

    /// Adds a CNAME `<label>.<zone>` → `target` with `ttl_secs`.
    pub fn add_cname(
        &self,
        id: &str,
        label: &str,
        target: impl Into<Expr>,
        ttl_secs: u32,
    ) -> CfnResource {
        if !is_domain_name(label) {
            self.scope.error(
                codes::DNS_007,
                format!("`{label}` is not a valid record label"),
                "use letters, digits and hyphens, e.g. db",
            );
        }
        self.scope.add(
            id,
            &CfnRecordSet {
                hosted_zone_id: val(self.resource.ref_()),
                name: val(format!("{label}.{}", self.name)),
                r#type: val("CNAME"),
                ttl: val(ttl_secs.to_string()),
                resource_records: Some(vec![Val::expr(target.into())]),
                ..Default::default()
            },
        )
    }

    /// The construct's scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The zone resource.
    pub fn resource(&self) -> &CfnResource {
        &self.resource
    }
    /// The zone's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Whether `name` is a DNS name of letters, digits and hyphens (1-63 per label, at most 253).
pub(crate) fn is_domain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Checks the app's domain given in `prop`: a DNS name inside the hosted zone `zone`. Returns
/// whether it is.
pub(crate) fn check_domain(scope: &Scope, prop: &str, domain: &str, zone: &str) -> bool {
    if domain.is_empty() {
        scope.prop_error(
            prop,
            codes::DNS_008,
            "no domain given for the app",
            "set domain to the name users reach the app by, e.g. shop.example.com",
        );
        return false;
    }
    if !is_domain_name(domain) {
        scope.prop_error(
            prop,
            codes::DNS_008,
            format!("`{domain}` is not a valid domain name"),
            "use labels of letters, digits and hyphens joined by dots, e.g. shop.example.com",
        );
        return false;
    }
    if !zone.is_empty() && domain != zone && !domain.ends_with(&format!(".{zone}")) {
        scope.prop_error(
            prop,
            codes::DNS_009,
            format!("the domain `{domain}` is not inside the hosted zone `{zone}`"),
            format!("use a name ending in .{zone}, or the zone that holds {domain}"),
        );
        return false;
    }
    true
}
