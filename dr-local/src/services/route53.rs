//! Route 53 as DrPair uses it: health checks (endpoint, CloudWatch alarm, calculated) whose
//! status changes on the virtual clock as AWS documents it, records kept by (zone, name, type,
//! set identifier), the failover answer rules, and the health history the `AWS/Route53`
//! `HealthCheckStatus` metric is computed from.
//!
//! Sources: "How Amazon Route 53 determines whether a health check is healthy",
//! <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html>;
//! "Values that you specify when you create or update health checks",
//! <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html>;
//! "How Amazon Route 53 chooses records when health checking is configured",
//! <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html>.
//!
//! One checker view stands for Route 53's ~15 checkers: every checker sees the same answer, so
//! "more than 18 % report healthy" is the one view's answer.

use std::collections::{BTreeMap, BTreeSet};

use dr_core::Region;
use dr_core::cloud::{AliasTarget, FailoverRole, ResourceRecordSet};
use serde_json::{Value, json};

use super::cloudwatch::{self, Spec};
use super::{s, truthy};
use crate::clock::SimTime;
use crate::state::{HealthCheck, StackResource, TargetGroup, World};

/// `RequestInterval` when not set: 30 seconds ("Values that you specify when you create or
/// update health checks", "Request interval").
pub const DEFAULT_REQUEST_INTERVAL_SECS: u64 = 30;
/// `FailureThreshold` when not set: three ("Values that you specify when you create or update
/// health checks", "Failure threshold").
pub const DEFAULT_FAILURE_THRESHOLD: u32 = 3;
/// How many status changes a check keeps for its metric (CloudWatch keeps 1-minute data for
/// 15 days; a bounded list of transitions covers that for any check that does not flap).
const HISTORY_LIMIT: usize = 1024;
/// Calculated checks nested deeper than this count unhealthy (a cycle cannot loop forever).
const MAX_DEPTH: u8 = 8;

fn is_endpoint(h: &HealthCheck) -> bool {
    matches!(
        h.check_type.as_str(),
        "HTTP" | "HTTPS" | "HTTP_STR_MATCH" | "HTTPS_STR_MATCH" | "TCP"
    )
}

fn interval_ms(h: &HealthCheck) -> u64 {
    s(&h.config, "RequestInterval")
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(DEFAULT_REQUEST_INTERVAL_SECS)
        * 1000
}

fn failure_threshold(h: &HealthCheck) -> u32 {
    s(&h.config, "FailureThreshold")
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(DEFAULT_FAILURE_THRESHOLD)
}

/// A stack's health check enters Route 53. "Route 53 considers a new health check to be
/// healthy until there's enough data to determine the actual status" (and unhealthy when
/// inverted): the raw status starts healthy.
pub fn register_health_check(w: &mut World, r: &StackResource) {
    let c = r
        .properties
        .get("HealthCheckConfig")
        .cloned()
        .unwrap_or(json!({}));
    let now = w.now;
    let mut h = HealthCheck {
        id: r.physical_id.clone(),
        check_type: s(&c, "Type").unwrap_or_else(|| "HTTPS".into()),
        inverted: truthy(&c, "Inverted"),
        disabled: truthy(&c, "Disabled"),
        measured_healthy: true,
        version: 1,
        config: c,
        raw_healthy: true,
        contrary: 0,
        created: now,
        next_observation: now,
        history: vec![],
    };
    h.next_observation = now.plus_ms(interval_ms(&h));
    w.health_checks.insert(h.id.clone(), h);
}

/// An update through the stack. CloudFormation sends the template's whole configuration, so
/// `Inverted` and `Disabled` become the template's (the template owns them; the runtime moves
/// traffic with the switch metric instead: ARCHITECTURE.md, "The traffic switch"). The status
/// Route 53 measured so far is kept.
pub fn update_health_check(w: &mut World, r: &StackResource) {
    let c = r
        .properties
        .get("HealthCheckConfig")
        .cloned()
        .unwrap_or(json!({}));
    let Some(h) = w.health_checks.get_mut(&r.physical_id) else {
        register_health_check(w, r);
        return;
    };
    h.inverted = truthy(&c, "Inverted");
    h.disabled = truthy(&c, "Disabled");
    if let Some(t) = s(&c, "Type") {
        h.check_type = t;
    }
    h.config = c;
    h.version += 1;
}

fn normalize(name: &str) -> String {
    let mut n = name.to_lowercase();
    if !n.ends_with('.') {
        n.push('.');
    }
    n
}

/// The hosted zone a record names: `HostedZoneId`, or the id of the stack-made zone called
/// `HostedZoneName` (the name itself when no such zone is known).
fn zone_of(w: &World, p: &Value) -> String {
    if let Some(id) = s(p, "HostedZoneId") {
        return id.trim_start_matches("/hostedzone/").to_string();
    }
    let Some(name) = s(p, "HostedZoneName") else {
        return String::new();
    };
    let wanted = normalize(&name);
    w.regions
        .values()
        .flat_map(|rs| rs.stacks.iter().filter(|st| st.deleted.is_none()))
        .flat_map(|st| st.resources.values())
        .find(|r| {
            r.type_name == "AWS::Route53::HostedZone"
                && s(&r.properties, "Name").is_some_and(|n| normalize(&n) == wanted)
        })
        .map(|r| r.physical_id.clone())
        .unwrap_or(name)
}

fn record_of(p: &Value) -> ResourceRecordSet {
    let alias = p.get("AliasTarget");
    let mut name = s(p, "Name").unwrap_or_default();
    if !name.ends_with('.') {
        name.push('.');
    }
    ResourceRecordSet {
        name,
        record_type: s(p, "Type").unwrap_or_default(),
        set_identifier: s(p, "SetIdentifier"),
        failover: s(p, "Failover").as_deref().map(FailoverRole::from_aws),
        health_check_id: s(p, "HealthCheckId"),
        ttl: s(p, "TTL").and_then(|t| t.parse().ok()),
        records: p
            .get("ResourceRecords")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        // Without a DNS name there is no target to answer with (and none to check).
        alias_target: alias.and_then(|a| {
            Some(AliasTarget {
                hosted_zone_id: s(a, "HostedZoneId").unwrap_or_default(),
                dns_name: s(a, "DNSName")?,
                evaluate_target_health: truthy(a, "EvaluateTargetHealth"),
            })
        }),
    }
}

/// A stack's record enters its zone.
pub fn register_record_set(w: &mut World, r: &StackResource) {
    let zone = zone_of(w, &r.properties);
    let rec = record_of(&r.properties);
    w.records.entry(zone).or_default().push(rec);
}

/// A stack's record leaves its zone: found by (zone, name, type, set identifier), the record's
/// identity in Route 53, since two failover records share a name (and so a physical id).
pub fn unregister_record_set(w: &mut World, r: &StackResource) {
    let zone = zone_of(w, &r.properties);
    let gone = record_of(&r.properties);
    if let Some(recs) = w.records.get_mut(&zone) {
        recs.retain(|x| {
            !(x.name.eq_ignore_ascii_case(&gone.name)
                && x.record_type == gone.record_type
                && x.set_identifier == gone.set_identifier)
        });
    }
}

fn norm_dns(d: &str) -> String {
    d.trim_end_matches('.')
        .trim_start_matches("dualstack.")
        .to_lowercase()
}

/// The stack-made load balancer whose DNS name is `dns`, with its Region.
pub(crate) fn find_alb<'a>(w: &'a World, dns: &str) -> Option<(Region, &'a StackResource)> {
    let dns = norm_dns(dns);
    w.regions.iter().find_map(|(region, rs)| {
        rs.stacks
            .iter()
            .filter(|st| st.deleted.is_none())
            .flat_map(|st| st.resources.values())
            .find(|r| {
                r.type_name == "AWS::ElasticLoadBalancingV2::LoadBalancer"
                    && r.attributes.get("DNSName").and_then(Value::as_str) == Some(dns.as_str())
            })
            .map(|r| (*region, r))
    })
}

fn listeners<'a>(w: &'a World, region: Region, lb_arn: &str) -> Vec<&'a StackResource> {
    w.regions
        .get(&region)
        .map(|rs| {
            rs.stacks
                .iter()
                .filter(|st| st.deleted.is_none())
                .flat_map(|st| st.resources.values())
                .filter(|r| {
                    r.type_name == "AWS::ElasticLoadBalancingV2::Listener"
                        && s(&r.properties, "LoadBalancerArn").as_deref() == Some(lb_arn)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn actions(listener: &StackResource) -> Vec<Value> {
    listener
        .properties
        .get("DefaultActions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The target groups an action forwards to (`TargetGroupArn` or `ForwardConfig`).
fn action_groups(a: &Value) -> Vec<String> {
    let mut out: Vec<String> = s(a, "TargetGroupArn").into_iter().collect();
    for g in a
        .get("ForwardConfig")
        .and_then(|f| f.get("TargetGroups"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.extend(s(g, "TargetGroupArn"));
    }
    out
}

fn group<'a>(w: &'a World, region: Region, arn: &str) -> Option<&'a TargetGroup> {
    w.regions.get(&region)?.target_groups.get(arn)
}

fn has_healthy_target(g: &TargetGroup) -> bool {
    g.targets.values().any(|s| s == "healthy")
}

/// Whether an ALB (by DNS name) counts healthy for an alias with `EvaluateTargetHealth`:
/// "every target group that contains targets must contain at least one healthy target ... A
/// target group that has no registered targets is considered unhealthy" ("AliasTarget",
/// <https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html>). An ALB in a
/// Region that is down reports no healthy target. `None` when no such ALB is known.
pub fn alb_healthy(w: &World, dns_name: &str, unavailable: &BTreeSet<Region>) -> Option<bool> {
    let (region, lb) = find_alb(w, dns_name)?;
    if unavailable.contains(&region) {
        return Some(false);
    }
    let tgs: BTreeSet<String> = listeners(w, region, &lb.physical_id)
        .into_iter()
        .flat_map(actions)
        .flat_map(|a| action_groups(&a))
        .collect();
    if tgs.is_empty() {
        return Some(false);
    }
    Some(tgs.iter().all(|t| {
        group(w, region, t).is_some_and(|g| !g.targets.is_empty() && has_healthy_target(g))
    }))
}

/// What one check of an endpoint sees now. An ALB (found by the check's domain name) answers
/// only while its Region is up (else the connection times out) and on a port a listener
/// holds (else it is refused); a TCP check then passes. An HTTP(S) check passes on a 2xx or
/// 3xx ("How Amazon Route 53 determines whether a health check is healthy"): a redirect, a
/// fixed response of such a code, or a forward to a target group with a healthy target. A
/// group without targets answers 503 ("HTTP 503: Service unavailable", "Troubleshoot your
/// Application Load Balancers",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html>);
/// a group whose targets all fail fails open to them ("Health checks for Application Load
/// Balancer target groups"), and they fail the same path, since DrPair probes the path the
/// target group checks. An endpoint the simulator does not know keeps what the tester set
/// ([`crate::LocalCloud::set_health_check_measured`]).
fn endpoint_answers(w: &World, h: &HealthCheck, unavailable: &BTreeSet<Region>) -> bool {
    let c = &h.config;
    let Some((region, lb)) = s(c, "FullyQualifiedDomainName").and_then(|f| find_alb(w, &f)) else {
        return h.measured_healthy;
    };
    if unavailable.contains(&region) {
        return false;
    }
    // "If you don't specify a value for Port ... 80 ... 443" by type ("Values that you
    // specify when you create or update health checks", "Port").
    let https = h.check_type.starts_with("HTTPS");
    let port = s(c, "Port")
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or(if https { 443 } else { 80 });
    let Some(l) = listeners(w, region, &lb.physical_id)
        .into_iter()
        .find(|l| s(&l.properties, "Port").and_then(|p| p.parse::<u16>().ok()) == Some(port))
    else {
        return false;
    };
    if h.check_type == "TCP" {
        return true;
    }
    let Some(a) = actions(l).into_iter().next() else {
        return false;
    };
    match s(&a, "Type").as_deref() {
        Some("redirect") => true,
        Some("fixed-response") => a
            .get("FixedResponseConfig")
            .and_then(|f| s(f, "StatusCode"))
            .is_some_and(|c| c.starts_with('2') || c.starts_with('3')),
        _ => action_groups(&a)
            .iter()
            .any(|t| group(w, region, t).is_some_and(has_healthy_target)),
    }
}

/// The status Route 53 acts on for `h` now: a disabled check is healthy ("Disabled", "Values
/// that you specify when you create or update health checks"); a calculated check is healthy
/// when at least `HealthThreshold` children are (each after its own `Inverted`/`Disabled`; 0:
/// always healthy; more than there are children: always unhealthy, "HealthCheckConfig",
/// <https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html>; an
/// absent threshold is read as 0, which AWS does not document); `Inverted` flips the rest.
pub fn reported(w: &World, h: &HealthCheck) -> bool {
    reported_at(w, h, 0)
}

fn reported_at(w: &World, h: &HealthCheck, depth: u8) -> bool {
    if h.disabled {
        return true;
    }
    let raw = if h.check_type == "CALCULATED" {
        if depth >= MAX_DEPTH {
            false
        } else {
            let threshold = s(&h.config, "HealthThreshold")
                .and_then(|t| t.parse::<usize>().ok())
                .unwrap_or(0);
            let healthy = h
                .config
                .get("ChildHealthChecks")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|id| {
                    w.health_checks
                        .get(*id)
                        .is_some_and(|c| reported_at(w, c, depth + 1))
                })
                .count();
            healthy >= threshold
        }
    } else {
        h.raw_healthy
    };
    raw != h.inverted
}

/// Notes, at `at`, every check whose status changed since its last entry; returns whether one
/// did.
pub fn record_statuses(w: &mut World, at: SimTime) -> bool {
    let now: BTreeMap<String, bool> = w
        .health_checks
        .values()
        .map(|h| (h.id.clone(), reported(w, h)))
        .collect();
    let mut changed = false;
    for (id, status) in now {
        let Some(h) = w.health_checks.get_mut(&id) else {
            continue;
        };
        if h.history.last().map(|e| e.1) != Some(status) {
            h.history.push((at, status));
            if h.history.len() > HISTORY_LIMIT {
                h.history.remove(0);
            }
            changed = true;
        }
    }
    changed
}

/// The alarm a CloudWatch check follows, when Route 53 can read its data stream: "Route 53
/// supports CloudWatch alarms with ... Standard-resolution metrics ... Statistics: Average,
/// Minimum, Maximum, Sum, and SampleCount" ("AlarmIdentifier",
/// <https://docs.aws.amazon.com/Route53/latest/APIReference/API_AlarmIdentifier.html>).
fn followed_alarm(h: &HealthCheck) -> Option<String> {
    let a = h.config.get("AlarmIdentifier")?;
    Some(cloudwatch::alarm_key(&s(a, "Region")?, &s(a, "Name")?))
}

fn route53_reads(spec: &Spec, config: &Value) -> bool {
    spec.period_ms >= 60_000
        && matches!(
            s(config, "Statistic").as_deref(),
            Some("Average" | "Minimum" | "Maximum" | "Sum" | "SampleCount")
        )
}

/// A CloudWatch check after its alarm's evaluation: "Route 53 monitors the data stream for the
/// corresponding alarm instead of monitoring the alarm state. If the data stream indicates
/// that the state of the alarm is OK, the health check is considered healthy. If ... Alarm,
/// ... unhealthy. If the data stream doesn't provide enough information to determine the state
/// of the alarm, the health check status depends on ... InsufficientDataHealthStatus" ("How
/// Amazon Route 53 determines whether a health check is healthy"). `LastKnownStatus` (the
/// default: "By default, Route 53 uses the status of the health check from the last time
/// CloudWatch had sufficient data", "UpdateHealthCheck") keeps the status.
fn follow(h: &mut HealthCheck, stream: Option<bool>) -> bool {
    let next = match stream {
        Some(breaching) => !breaching,
        None => match s(&h.config, "InsufficientDataHealthStatus").as_deref() {
            Some("Healthy") => true,
            Some("Unhealthy") => false,
            _ => h.raw_healthy,
        },
    };
    let changed = next != h.raw_healthy;
    h.raw_healthy = next;
    changed
}

/// Runs CloudWatch's alarm evaluations and Route 53's checkers from where they stopped up to
/// `w.now`, in time order, and notes each status change at the time it happened. Between two
/// calls the world does not change, so a check whose endpoint keeps answering as its status
/// says, and an alarm no data can reach any more, skip ahead instead of stepping: hours or
/// days of virtual time cost a few steps. Returns whether anything changed.
pub fn settle_health(w: &mut World, unavailable: &BTreeSet<Region>) -> bool {
    let to = w.now.as_millis();
    let specs: BTreeMap<String, Spec> = w
        .alarms
        .iter()
        .filter_map(|(k, a)| Some((k.clone(), Spec::of(k.split_once('|')?.0, &a.config)?)))
        .collect();
    let mut answers: Option<BTreeMap<String, bool>> = None;
    let mut changed = false;
    loop {
        let alarm_due = specs
            .iter()
            .filter_map(|(k, spec)| {
                Some(cloudwatch::next_tick(spec, w.alarms.get(k)?.evaluated_to))
            })
            .filter(|t| *t <= to);
        let check_due = w
            .health_checks
            .values()
            .filter(|h| is_endpoint(h))
            .map(|h| h.next_observation.as_millis())
            .filter(|t| *t <= to);
        let Some(t) = alarm_due.chain(check_due).min() else {
            break;
        };
        let at = SimTime(t);
        let mut evaluated: BTreeMap<String, Option<bool>> = BTreeMap::new();
        for (k, spec) in &specs {
            let Some(a) = w.alarms.get(k) else { continue };
            if cloudwatch::next_tick(spec, a.evaluated_to) != t {
                continue;
            }
            let points = w.metrics.get(&spec.key).map(Vec::as_slice).unwrap_or(&[]);
            let outcome = spec.evaluate(points, t);
            // No point in this tick's range or any later one's: every tick up to now decides
            // the same, so one stands for all.
            let reach = spec.period_ms * (spec.n as u64 + 2);
            let quiet = points.iter().all(|(p, _)| p.as_millis() + reach <= t);
            let read = route53_reads(spec, &a.config);
            let a = w.alarms.get_mut(k).expect("found above");
            let moved = cloudwatch::apply(a, outcome, at);
            changed |= moved;
            let sent = if moved {
                cloudwatch::notifications(k, a, at)
            } else {
                Vec::new()
            };
            a.evaluated_to = if quiet {
                SimTime((to / spec.period_ms * spec.period_ms).max(t))
            } else {
                at
            };
            evaluated.insert(k.clone(), if read { a.stream } else { None });
            w.notifications.extend(sent);
        }
        let due: Vec<String> = w
            .health_checks
            .values()
            .filter(|h| is_endpoint(h) && h.next_observation.as_millis() == t)
            .map(|h| h.id.clone())
            .collect();
        if !due.is_empty() {
            let answers = answers.get_or_insert_with(|| {
                w.health_checks
                    .values()
                    .filter(|h| is_endpoint(h))
                    .map(|h| (h.id.clone(), endpoint_answers(w, h, unavailable)))
                    .collect()
            });
            for id in due {
                let answer = answers.get(&id).copied().unwrap_or(true);
                let Some(h) = w.health_checks.get_mut(&id) else {
                    continue;
                };
                // "FailureThreshold: The number of consecutive health checks that an endpoint
                // must pass or fail for Route 53 to change the current status of the endpoint
                // from unhealthy to healthy or vice versa" ("HealthCheckConfig"). A disabled
                // check sends no requests ("Disabled", same page).
                if !h.disabled {
                    if answer == h.raw_healthy {
                        h.contrary = 0;
                    } else {
                        h.contrary += 1;
                        if h.contrary >= failure_threshold(h) {
                            h.raw_healthy = answer;
                            h.contrary = 0;
                            changed = true;
                        }
                    }
                }
                let i = interval_ms(h);
                let steady = h.disabled || (answer == h.raw_healthy && h.contrary == 0);
                h.next_observation = if steady {
                    let c = h.created.as_millis();
                    SimTime(c + (to.saturating_sub(c) / i + 1) * i)
                } else {
                    at.plus_ms(i)
                };
            }
        }
        if !evaluated.is_empty() {
            for h in w.health_checks.values_mut() {
                if h.check_type != "CLOUDWATCH_METRIC" {
                    continue;
                }
                if let Some(stream) = followed_alarm(h).and_then(|k| evaluated.get(&k).copied()) {
                    changed |= follow(h, stream);
                }
            }
        }
        changed |= record_statuses(w, at);
    }
    changed
}

/// What Route 53 answers for `name`/`record_type` under failover routing ("How Amazon Route 53
/// chooses records when health checking is configured"): the primary when healthy; else the
/// secondary when healthy; both unhealthy → the primary. A record's health is its health
/// check's (none: healthy) and, for an alias with `EvaluateTargetHealth`, its target's too.
pub fn resolve(
    w: &World,
    name: &str,
    record_type: &str,
    unavailable: &BTreeSet<Region>,
) -> Option<ResourceRecordSet> {
    resolve_in(w, name, record_type, unavailable, &|_| true)
}

/// [`resolve`] among the records of the hosted zones whose id `zones` accepts.
pub fn resolve_in(
    w: &World,
    name: &str,
    record_type: &str,
    unavailable: &BTreeSet<Region>,
    zones: &dyn Fn(&str) -> bool,
) -> Option<ResourceRecordSet> {
    let n = normalize(name);
    let recs: Vec<&ResourceRecordSet> = w
        .records
        .iter()
        .filter(|(zone, _)| zones(zone))
        .flat_map(|(_, recs)| recs)
        .filter(|r| r.name.eq_ignore_ascii_case(&n) && r.record_type == record_type)
        .collect();
    let healthy = |r: &ResourceRecordSet| {
        let hc = r
            .health_check_id
            .as_ref()
            .and_then(|id| w.health_checks.get(id))
            .is_none_or(|h| reported(w, h));
        let tgt = r.alias_target.as_ref().is_none_or(|a| {
            !a.evaluate_target_health || alb_healthy(w, &a.dns_name, unavailable).unwrap_or(true)
        });
        hc && tgt
    };
    let role = |want: FailoverRole| recs.iter().find(|r| r.failover.as_ref() == Some(&want));
    match (role(FailoverRole::Primary), role(FailoverRole::Secondary)) {
        (Some(p), Some(s)) => Some(if healthy(p) || !healthy(s) {
            (*p).clone()
        } else {
            (*s).clone()
        }),
        _ => recs.first().map(|r| (*r).clone()),
    }
}

/// The `HealthCheckStatus` samples of `h` between `from` and `to` (milliseconds): one a minute
/// (Route 53 reports the metric at one-minute intervals, "Monitoring health checks using
/// CloudWatch",
/// <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html>)
/// plus one at each change, so a change inside a minute shows in its Minimum and Maximum. 1
/// healthy, 0 unhealthy; nothing before the check existed.
pub fn status_samples(h: &HealthCheck, from: u64, to: u64) -> Vec<(SimTime, f64)> {
    let value_at = |t: u64| {
        h.history
            .iter()
            .take_while(|(at, _)| at.as_millis() <= t)
            .last()
            .map(|(_, v)| if *v { 1.0 } else { 0.0 })
    };
    let start = from.max(h.created.as_millis());
    let mut out: Vec<(SimTime, f64)> = Vec::new();
    let mut m = start.div_ceil(60_000) * 60_000;
    while m < to && out.len() < 100_000 {
        if let Some(v) = value_at(m) {
            out.push((SimTime(m), v));
        }
        m += 60_000;
    }
    for (at, v) in &h.history {
        if at.as_millis() >= start && at.as_millis() < to {
            out.push((*at, if *v { 1.0 } else { 0.0 }));
        }
    }
    out
}

/// The TTL of the NS record Route 53 creates in a new hosted zone: 172800 s; of the SOA record:
/// 900 s ("NS and SOA records that Amazon Route 53 creates for a public hosted zone",
/// <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/SOA-NSrecords.html>; private
/// zones get the same two records).
const ZONE_NS_TTL: u32 = 172_800;
/// See [`ZONE_NS_TTL`].
const ZONE_SOA_TTL: u32 = 900;

/// A new hosted zone (`AWS::Route53::HostedZone`, or one the account already had) holds its
/// NS and SOA records from the start (same page as [`ZONE_NS_TTL`]).
pub fn register_hosted_zone(w: &mut World, zone_id: &str, name: &str, name_servers: &[String]) {
    let mut apex = name.trim_end_matches('.').to_ascii_lowercase();
    apex.push('.');
    let record = |record_type: &str, ttl: u32, records: Vec<String>| ResourceRecordSet {
        name: apex.clone(),
        record_type: record_type.into(),
        set_identifier: None,
        failover: None,
        ttl: Some(ttl),
        records,
        alias_target: None,
        health_check_id: None,
    };
    let first = name_servers.first().cloned().unwrap_or_default();
    // The SOA's fields as the same page gives them: the first name server, the hostmaster,
    // serial 1, refresh 7200, retry 900, expire 1209600, negative-cache TTL 86400.
    let soa = format!("{first}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400");
    let recs = w.records.entry(zone_id.to_string()).or_default();
    recs.retain(|r| !(r.name == apex && matches!(r.record_type.as_str(), "NS" | "SOA")));
    recs.push(record(
        "NS",
        ZONE_NS_TTL,
        name_servers.iter().map(|n| format!("{n}.")).collect(),
    ));
    recs.push(record("SOA", ZONE_SOA_TTL, vec![soa]));
}

/// A stack's hosted zone, with the name servers the simulator gave it.
pub fn register_stack_zone(w: &mut World, r: &StackResource) {
    let name_servers: Vec<String> = r
        .attributes
        .get("NameServers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    register_hosted_zone(
        w,
        &r.physical_id,
        &s(&r.properties, "Name").unwrap_or_default(),
        &name_servers,
    );
}

/// Whether the account has hosted zone `id` (bare or `/hostedzone/`-prefixed): one a live
/// stack made, or one the account already had.
pub fn zone_exists(w: &World, id: &str) -> bool {
    let id = id.trim_start_matches("/hostedzone/");
    w.seeded.hosted_zones.contains_key(id)
        || w.regions.values().any(|rs| {
            rs.stacks
                .iter()
                .filter(|st| st.deleted.is_none())
                .flat_map(|st| st.resources.values())
                .any(|r| r.type_name == "AWS::Route53::HostedZone" && r.physical_id == id)
        })
}

/// Route 53's answer for a zone the account does not have ("NoSuchHostedZone", Amazon Route
/// 53 API Reference, <https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html>;
/// the message as Route 53 words it: "No hosted zone found with ID: Z…").
pub fn no_such_zone(id: &str) -> String {
    format!(
        "NoSuchHostedZone: No hosted zone found with ID: {}",
        id.trim_start_matches("/hostedzone/")
    )
}

/// Whether hosted zone `id` is private: a stack-made `AWS::Route53::HostedZone` with `VPCs`
/// ("AWS::Route53::HostedZone", `VPCs`: "Private hosted zones only",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-route53-hostedzone.html>).
/// A zone the account already had (`LocalCloud::create_hosted_zone`) is public.
pub fn zone_is_private(w: &World, id: &str) -> bool {
    let id = id.trim_start_matches("/hostedzone/");
    w.regions.values().any(|rs| {
        rs.stacks
            .iter()
            .filter(|st| st.deleted.is_none())
            .flat_map(|st| st.resources.values())
            .any(|r| {
                r.type_name == "AWS::Route53::HostedZone"
                    && r.physical_id == id
                    && r.properties
                        .get("VPCs")
                        .and_then(Value::as_array)
                        .is_some_and(|v| !v.is_empty())
            })
    })
}
