//! The traffic switch of the example app, deployed on the simulator: publishing 0 to the switch
//! metric in the DR Region moves the app name to the DR load balancer within the bound the
//! synthesized settings give, it stays there with no further data, and 1 moves it back; a
//! primary site whose targets fail moves it too, and with both sites failing Route 53 answers
//! the primary.

use crate::two_region;

use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{Cloud, Dimension, FailoverRole, MetricDatum};
use dr_deploy::{DeployOptions, NullObserver, deploy};
use dr_local::LocalCloud;
use dr_synth::Assembly;
use serde_json::Value;

/// The TTL Route 53 gives an alias to a load balancer, which takes no TTL of its own: 60 s
/// ("Choosing between alias and non-alias records",
/// <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html>).
const ALB_ALIAS_TTL_SECS: u64 = 60;

/// The resources of `type_name` in the stack named `*-Global`, with its Region.
fn global_resources<'a>(asm: &'a Assembly, type_name: &str) -> (Region, Vec<&'a Value>) {
    let st = asm
        .stacks
        .iter()
        .find(|s| s.name.ends_with("-Global"))
        .expect("a global stack");
    let found = st.template["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .filter(|r| r["Type"] == type_name)
        .map(|r| &r["Properties"])
        .collect();
    (st.region, found)
}

fn num(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_f64().map(|f| f as u64))
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not a number: {v}"))
}

/// What the synthesized templates say about the switch.
struct Switch {
    dr_region: Region,
    namespace: String,
    metric: String,
    dimensions: Vec<Dimension>,
    domain: String,
    /// Alarm period x evaluation periods + check interval x failure threshold + TTL.
    bound_secs: u64,
    /// Check interval x failure threshold + TTL.
    endpoint_bound_secs: u64,
}

fn read_switch(asm: &Assembly) -> Switch {
    let (dr_region, alarms) = global_resources(asm, "AWS::CloudWatch::Alarm");
    let alarm = alarms
        .iter()
        .find(|a| a["TreatMissingData"] == "ignore")
        .expect("the switch alarm");
    let (_, checks) = global_resources(asm, "AWS::Route53::HealthCheck");
    let endpoint = checks
        .iter()
        .map(|c| &c["HealthCheckConfig"])
        .find(|c| c["Type"] == "HTTP" || c["Type"] == "HTTPS")
        .expect("the endpoint check");
    let (_, records) = global_resources(asm, "AWS::Route53::RecordSet");
    let primary = records
        .iter()
        .find(|r| r["Failover"] == "PRIMARY")
        .expect("the primary record");
    // An alias record takes no TTL; Route 53 uses the load balancer's.
    let ttl = primary.get("TTL").map_or(ALB_ALIAS_TTL_SECS, num);
    let endpoint_bound =
        num(&endpoint["RequestInterval"]) * num(&endpoint["FailureThreshold"]) + ttl;
    Switch {
        dr_region,
        namespace: alarm["Namespace"].as_str().unwrap().into(),
        metric: alarm["MetricName"].as_str().unwrap().into(),
        dimensions: alarm["Dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| Dimension {
                name: d["Name"].as_str().unwrap().into(),
                value: d["Value"].as_str().unwrap().into(),
            })
            .collect(),
        domain: primary["Name"].as_str().unwrap().into(),
        bound_secs: num(&alarm["Period"]) * num(&alarm["EvaluationPeriods"]) + endpoint_bound,
        endpoint_bound_secs: endpoint_bound,
    }
}

fn answer(local: &LocalCloud, domain: &str) -> String {
    local
        .resolve_dns(domain, "A")
        .expect("an answer")
        .alias_target
        .expect("an alias")
        .dns_name
}

/// The failover record of `role`'s alias target.
fn site_dns(local: &LocalCloud, domain: &str, role: FailoverRole) -> String {
    let name = format!("{domain}.");
    local
        .snapshot()
        .records
        .values()
        .flatten()
        .find(|r| r.name == name && r.failover == Some(role.clone()))
        .and_then(|r| r.alias_target.clone())
        .expect("the failover record")
        .dns_name
}

/// Steps the clock 5 s at a time until `domain` answers `want`; the seconds it took.
async fn seconds_until(local: &LocalCloud, domain: &str, want: &str, limit: u64) -> Option<u64> {
    let mut waited = 0;
    while answer(local, domain) != want {
        if waited > limit {
            return None;
        }
        local.sleep(Duration::from_secs(5)).await;
        waited += 5;
    }
    Some(waited)
}

async fn publish(local: &LocalCloud, sw: &Switch, value: f64) {
    local
        .put_metric_data(
            sw.dr_region,
            &sw.namespace,
            vec![MetricDatum {
                metric_name: sw.metric.clone(),
                dimensions: sw.dimensions.clone(),
                value,
                unit: None,
                timestamp: None,
            }],
        )
        .await
        .unwrap();
}

/// The target groups of a site's stack (`*-Primary` or `*-Secondary`).
fn target_groups(local: &LocalCloud, suffix: &str) -> Vec<(Region, String)> {
    let w = local.snapshot();
    w.regions
        .iter()
        .flat_map(|(r, rs)| rs.stacks.iter().map(move |s| (*r, s)))
        .filter(|(_, s)| s.deleted.is_none() && s.name.ends_with(suffix))
        .flat_map(|(r, s)| {
            s.resources
                .values()
                .filter(|x| x.type_name == "AWS::ElasticLoadBalancingV2::TargetGroup")
                .map(move |x| (r, x.physical_id.clone()))
        })
        .collect()
}

async fn deployed() -> (Assembly, LocalCloud) {
    let asm = dr_synth::synth(&two_region::build())
        .unwrap_or_else(|d| panic!("the example must synthesize:\n{d}"));
    let local = LocalCloud::in_memory();
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(s.is_success(), "{s}");
    (asm, local)
}

#[tokio::test]
async fn publishing_zero_moves_the_app_to_dr_within_the_bound_and_keeps_it_there() {
    let (asm, local) = deployed().await;
    let sw = read_switch(&asm);
    assert_eq!(
        sw.bound_secs,
        60 + 30 * 3 + 60,
        "the settings DrPair synthesizes"
    );
    let primary = site_dns(&local, &sw.domain, FailoverRole::Primary);
    let dr = site_dns(&local, &sw.domain, FailoverRole::Secondary);
    assert_ne!(primary, dr);
    assert_eq!(answer(&local, &sw.domain), primary);

    publish(&local, &sw, 0.0).await;
    // The alarm evaluates at the end of its period, not at the call.
    assert_eq!(answer(&local, &sw.domain), primary);
    let took = seconds_until(&local, &sw.domain, &dr, sw.bound_secs).await;
    assert!(
        took.is_some_and(|t| t <= sw.bound_secs),
        "DR within {} s: took {took:?}",
        sw.bound_secs
    );
    // No further data: the answer stays (TreatMissingData ignore, LastKnownStatus).
    local.sleep(Duration::from_secs(8 * 3600)).await;
    assert_eq!(answer(&local, &sw.domain), dr);

    publish(&local, &sw, 1.0).await;
    let took = seconds_until(&local, &sw.domain, &primary, sw.bound_secs).await;
    assert!(
        took.is_some_and(|t| t <= sw.bound_secs),
        "back within {} s: took {took:?}",
        sw.bound_secs
    );
}

#[tokio::test]
async fn failing_primary_targets_move_the_app_to_dr_and_both_failing_answer_primary() {
    let (asm, local) = deployed().await;
    let sw = read_switch(&asm);
    let primary = site_dns(&local, &sw.domain, FailoverRole::Primary);
    let dr = site_dns(&local, &sw.domain, FailoverRole::Secondary);
    let p_groups = target_groups(&local, "-Primary");
    assert!(!p_groups.is_empty());
    for (r, tg) in &p_groups {
        local.set_target_health(*r, tg, "unhealthy").unwrap();
    }
    let took = seconds_until(&local, &sw.domain, &dr, sw.endpoint_bound_secs).await;
    assert!(
        took.is_some_and(|t| t <= sw.endpoint_bound_secs),
        "DR within {} s: took {took:?}",
        sw.endpoint_bound_secs
    );
    // Past the checkers' threshold too, it stays.
    local.sleep(Duration::from_secs(600)).await;
    assert_eq!(answer(&local, &sw.domain), dr);
    for (r, tg) in target_groups(&local, "-Secondary") {
        local.set_target_health(r, &tg, "unhealthy").unwrap();
    }
    local
        .sleep(Duration::from_secs(sw.endpoint_bound_secs))
        .await;
    assert_eq!(
        answer(&local, &sw.domain),
        primary,
        "both unhealthy: Route 53 answers the primary"
    );
}
