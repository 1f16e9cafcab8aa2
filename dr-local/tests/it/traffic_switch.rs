//! The traffic switch DrPair synthesizes, on the simulator: CloudWatch alarm evaluation
//! (period, M of N, missing-data treatment, state over time), Route 53's endpoint, CloudWatch
//! and calculated checks (failure threshold x interval, `HealthThreshold`, `Inverted`,
//! `Disabled`), `GetHealthCheckStatus`, the `HealthCheckStatus` metric, the failover answer
//! rules, and stack updates reaching the DNS and health state.

use crate::support::{self, deploy};

use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{
    Cloud, CloudErrorKind, Dimension, MetricDatum, MetricQuery, Statistic, Timestamp,
};
use dr_local::LocalCloud;
use serde_json::{Value, json};

const P: Region = Region::UsEast2;
const S: Region = Region::UsWest2;
const APP: &str = "shop.example.com";

/// One site: an internet-facing ALB (VPC, gateway, two subnets) forwarding port 80 to a
/// target group with two registered targets.
fn site(region: Region, net: u8) -> Value {
    let az = |x: &str| format!("{region}{x}");
    json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": format!("10.{net}.0.0/16")}},
        "Igw": {"Type": "AWS::EC2::InternetGateway", "Properties": {}},
        "Attach": {"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}}},
        "SubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": format!("10.{net}.0.0/24"), "AvailabilityZone": az("a")}},
        "SubnetB": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": format!("10.{net}.1.0/24"), "AvailabilityZone": az("b")}},
        "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "DependsOn": "Attach",
            "Properties": {"Scheme": "internet-facing", "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]}},
        "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 3000, "Protocol": "HTTP", "VpcId": {"Ref": "Vpc"},
            "TargetType": "ip", "Targets": [{"Id": format!("10.{net}.0.10"), "Port": 3000}, {"Id": format!("10.{net}.1.10"), "Port": 3000}]}},
        "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "Lb"}, "Port": 80, "Protocol": "HTTP",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}}
    }, "Outputs": {
        "Dns": {"Value": {"Fn::GetAtt": ["Lb", "DNSName"]}},
        "Zone": {"Value": {"Fn::GetAtt": ["Lb", "CanonicalHostedZoneID"]}},
        "Tg": {"Value": {"Ref": "Tg"}}
    }})
}

/// The switch as `two_region__Shop-Global.snap` has it, in the DR Region.
fn switch(p: &Sites, threshold: u32) -> Value {
    let alias = |dns: &str, zone: &str| json!({"DNSName": dns, "HostedZoneId": zone, "EvaluateTargetHealth": true});
    json!({"Resources": {
        "Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": APP}},
        "Endpoint": {"Type": "AWS::Route53::HealthCheck", "Properties": {"HealthCheckConfig": {
            "Type": "HTTP", "FullyQualifiedDomainName": p.p_dns, "Port": 80, "ResourcePath": "/api/health",
            "RequestInterval": 30, "FailureThreshold": 3}}},
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmName": "Shop-Global-PrimaryActive", "Namespace": "drkit", "MetricName": "PrimaryActive",
            "Dimensions": [{"Name": "App", "Value": "shop"}], "Statistic": "Minimum", "Period": 60,
            "EvaluationPeriods": 1, "Threshold": 1.0, "ComparisonOperator": "LessThanThreshold",
            "TreatMissingData": "ignore", "ActionsEnabled": false}},
        "Switch": {"Type": "AWS::Route53::HealthCheck", "Properties": {"HealthCheckConfig": {
            "Type": "CLOUDWATCH_METRIC", "AlarmIdentifier": {"Name": {"Ref": "Alarm"}, "Region": {"Ref": "AWS::Region"}},
            "InsufficientDataHealthStatus": "LastKnownStatus"}}},
        "Primary": {"Type": "AWS::Route53::HealthCheck", "Properties": {"HealthCheckConfig": {
            "Type": "CALCULATED", "ChildHealthChecks": [{"Ref": "Endpoint"}, {"Ref": "Switch"}], "HealthThreshold": threshold}}},
        "PrimaryRecord": {"Type": "AWS::Route53::RecordSet", "Properties": {"HostedZoneId": {"Fn::GetAtt": ["Zone", "Id"]},
            "Name": APP, "Type": "A", "SetIdentifier": "primary", "Failover": "PRIMARY",
            "HealthCheckId": {"Ref": "Primary"}, "AliasTarget": alias(&p.p_dns, &p.p_zone)}},
        "SecondaryRecord": {"Type": "AWS::Route53::RecordSet", "Properties": {"HostedZoneId": {"Fn::GetAtt": ["Zone", "Id"]},
            "Name": APP, "Type": "A", "SetIdentifier": "secondary", "Failover": "SECONDARY",
            "AliasTarget": alias(&p.s_dns, &p.s_zone)}}
    }, "Outputs": {
        "Endpoint": {"Value": {"Ref": "Endpoint"}},
        "Switch": {"Value": {"Ref": "Switch"}},
        "Primary": {"Value": {"Ref": "Primary"}},
        "ZoneId": {"Value": {"Fn::GetAtt": ["Zone", "Id"]}}
    }})
}

#[derive(Clone)]
struct Sites {
    p_dns: String,
    p_zone: String,
    p_tg: String,
    s_dns: String,
    s_zone: String,
    s_tg: String,
}

async fn output(cloud: &LocalCloud, region: Region, stack: &str, key: &str) -> String {
    cloud
        .describe_stack(region, stack)
        .await
        .unwrap()
        .unwrap()
        .output(key)
        .unwrap_or_else(|| panic!("{stack} has no output {key}"))
        .to_string()
}

async fn sites(cloud: &LocalCloud) -> Sites {
    for (r, name, net) in [(P, "shop-p", 10), (S, "shop-s", 20)] {
        let (_, status) = deploy(cloud, r, name, &site(r, net), &[]).await;
        assert_eq!(status.as_str(), "CREATE_COMPLETE", "{name}");
    }
    Sites {
        p_dns: output(cloud, P, "shop-p", "Dns").await,
        p_zone: output(cloud, P, "shop-p", "Zone").await,
        p_tg: output(cloud, P, "shop-p", "Tg").await,
        s_dns: output(cloud, S, "shop-s", "Dns").await,
        s_zone: output(cloud, S, "shop-s", "Zone").await,
        s_tg: output(cloud, S, "shop-s", "Tg").await,
    }
}

/// The two sites and the switch, deployed; the three checks' ids.
struct Pair {
    cloud: LocalCloud,
    sites: Sites,
    endpoint: String,
    switch: String,
    primary: String,
}

async fn pair(threshold: u32) -> Pair {
    let cloud = LocalCloud::in_memory();
    let sites = sites(&cloud).await;
    let (_, status) = deploy(&cloud, S, "shop-dns", &switch(&sites, threshold), &[]).await;
    assert_eq!(status.as_str(), "CREATE_COMPLETE");
    Pair {
        endpoint: output(&cloud, S, "shop-dns", "Endpoint").await,
        switch: output(&cloud, S, "shop-dns", "Switch").await,
        primary: output(&cloud, S, "shop-dns", "Primary").await,
        cloud,
        sites,
    }
}

fn datum(name: &str, v: f64, at: Option<Timestamp>) -> MetricDatum {
    MetricDatum {
        metric_name: name.into(),
        dimensions: vec![Dimension {
            name: "App".into(),
            value: "shop".into(),
        }],
        value: v,
        unit: None,
        timestamp: at,
    }
}

async fn flip(cloud: &LocalCloud, v: f64) {
    cloud
        .put_metric_data(S, "drkit", vec![datum("PrimaryActive", v, None)])
        .await
        .unwrap();
}

fn answer(cloud: &LocalCloud) -> String {
    cloud
        .resolve_dns(APP, "A")
        .expect("an answer")
        .alias_target
        .expect("an alias")
        .dns_name
}

async fn sleep(cloud: &LocalCloud, secs: u64) {
    cloud.sleep(Duration::from_secs(secs)).await;
}

#[tokio::test]
async fn with_ignore_the_switch_stays_in_alarm_hours_after_the_last_data() {
    let p = pair(2).await;
    assert_eq!(answer(&p.cloud), p.sites.p_dns);
    flip(&p.cloud, 0.0).await;
    sleep(&p.cloud, 60).await;
    assert_eq!(
        p.cloud
            .alarm_state(S, "Shop-Global-PrimaryActive")
            .unwrap()
            .0,
        "ALARM"
    );
    assert_eq!(p.cloud.health_check_healthy(&p.switch), Some(false));
    assert_eq!(answer(&p.cloud), p.sites.s_dns);
    // No more data: `ignore` keeps ALARM, and LastKnownStatus keeps the check unhealthy.
    sleep(&p.cloud, 6 * 3600).await;
    let (state, since) = p.cloud.alarm_state(S, "Shop-Global-PrimaryActive").unwrap();
    assert_eq!(state, "ALARM");
    assert!(
        p.cloud.clock().now().as_millis() - since.as_millis() >= 6 * 3600 * 1000,
        "the transition is kept with its time"
    );
    assert_eq!(p.cloud.health_check_healthy(&p.switch), Some(false));
    assert_eq!(answer(&p.cloud), p.sites.s_dns);
    // 1 moves it back within a period.
    flip(&p.cloud, 1.0).await;
    sleep(&p.cloud, 60).await;
    assert_eq!(answer(&p.cloud), p.sites.p_dns);
}

/// One alarm on `drkit/<metric>{App=shop}` (Maximum > 0, period 60) in the DR Region.
async fn alarm(cloud: &LocalCloud, metric: &str, extra: Value) -> String {
    let mut props = json!({"AlarmName": metric, "Namespace": "drkit", "MetricName": metric,
        "Dimensions": [{"Name": "App", "Value": "shop"}], "Statistic": "Maximum", "Period": 60,
        "EvaluationPeriods": 1, "Threshold": 0, "ComparisonOperator": "GreaterThanThreshold"});
    for (k, v) in extra.as_object().unwrap() {
        props[k] = v.clone();
    }
    let t =
        json!({"Resources": {"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": props}}});
    let (_, status) = deploy(cloud, S, &format!("alarm-{metric}"), &t, &[]).await;
    assert_eq!(status.as_str(), "CREATE_COMPLETE");
    metric.to_string()
}

fn state(cloud: &LocalCloud, name: &str) -> String {
    cloud.alarm_state(S, name).unwrap().0
}

#[tokio::test]
async fn missing_data_goes_to_insufficient_data_by_default() {
    let cloud = LocalCloud::in_memory();
    let a = alarm(&cloud, "Default", json!({})).await;
    assert_eq!(state(&cloud, &a), "INSUFFICIENT_DATA", "a new alarm");
    cloud
        .put_metric_data(S, "drkit", vec![datum(&a, 5.0, None)])
        .await
        .unwrap();
    sleep(&cloud, 60).await;
    assert_eq!(state(&cloud, &a), "ALARM");
    sleep(&cloud, 3 * 3600).await;
    assert_eq!(state(&cloud, &a), "INSUFFICIENT_DATA");
}

#[tokio::test]
async fn a_state_change_publishes_to_the_topics_of_its_state_only_when_actions_are_enabled() {
    let cloud = LocalCloud::in_memory();
    let topic = "arn:aws:sns:us-west-2:123456789012:alarms";
    let told = alarm(
        &cloud,
        "Told",
        json!({"AlarmActions": [topic], "OKActions": [topic]}),
    )
    .await;
    let muted = alarm(
        &cloud,
        "Muted",
        json!({"AlarmActions": [topic], "ActionsEnabled": false}),
    )
    .await;
    for name in [&told, &muted] {
        cloud
            .put_metric_data(S, "drkit", vec![datum(name, 5.0, None)])
            .await
            .unwrap();
    }
    sleep(&cloud, 60).await;
    assert_eq!(state(&cloud, &muted), "ALARM");
    let sent = |cloud: &LocalCloud| {
        cloud
            .snapshot()
            .notifications
            .iter()
            .map(|n| (n.alarm.clone(), n.state.clone(), n.topic_arn.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        sent(&cloud),
        [(told.clone(), "ALARM".to_string(), topic.to_string())],
        "the muted alarm publishes nothing"
    );
    cloud
        .put_metric_data(S, "drkit", vec![datum(&told, 0.0, None)])
        .await
        .unwrap();
    sleep(&cloud, 60).await;
    assert_eq!(state(&cloud, &told), "OK");
    assert_eq!(sent(&cloud).len(), 2);
    assert_eq!(sent(&cloud)[1].1, "OK");
    // INSUFFICIENT_DATA has no actions here: the change is not published.
    sleep(&cloud, 3 * 3600).await;
    assert_eq!(state(&cloud, &told), "INSUFFICIENT_DATA");
    assert_eq!(sent(&cloud).len(), 2);
}

#[tokio::test]
async fn breaching_and_not_breaching_decide_missing_data() {
    let cloud = LocalCloud::in_memory();
    let bad = alarm(&cloud, "Bad", json!({"TreatMissingData": "breaching"})).await;
    let good = alarm(&cloud, "Good", json!({"TreatMissingData": "notBreaching"})).await;
    sleep(&cloud, 120).await;
    assert_eq!(state(&cloud, &bad), "ALARM");
    assert_eq!(state(&cloud, &good), "OK");
}

#[tokio::test]
async fn m_of_n_alarms_on_m_breaching_points() {
    let cloud = LocalCloud::in_memory();
    let two = alarm(
        &cloud,
        "TwoOfThree",
        json!({"EvaluationPeriods": 3, "DatapointsToAlarm": 2}),
    )
    .await;
    let three = alarm(&cloud, "ThreeOfThree", json!({"EvaluationPeriods": 3})).await;
    // Start on a minute boundary, then one point a minute: breaching, not, breaching.
    let now = cloud.clock().now().as_millis();
    sleep(&cloud, 60 - (now / 1000) % 60).await;
    for v in [5.0, 0.0, 5.0] {
        for m in [&two, &three] {
            cloud
                .put_metric_data(S, "drkit", vec![datum(m, v, None)])
                .await
                .unwrap();
        }
        sleep(&cloud, 60).await;
    }
    assert_eq!(state(&cloud, &two), "ALARM");
    assert_eq!(state(&cloud, &three), "OK");
}

#[tokio::test]
async fn a_calculated_check_follows_its_children_and_its_threshold() {
    let p = pair(2).await;
    assert_eq!(p.cloud.health_check_healthy(&p.primary), Some(true));
    flip(&p.cloud, 0.0).await;
    sleep(&p.cloud, 60).await;
    assert_eq!(p.cloud.health_check_healthy(&p.endpoint), Some(true));
    assert_eq!(
        p.cloud.health_check_healthy(&p.primary),
        Some(false),
        "one of two children unhealthy, threshold 2"
    );
    // The same switch with HealthThreshold 1 keeps the primary.
    let q = pair(1).await;
    flip(&q.cloud, 0.0).await;
    sleep(&q.cloud, 60).await;
    assert_eq!(q.cloud.health_check_healthy(&q.switch), Some(false));
    assert_eq!(q.cloud.health_check_healthy(&q.primary), Some(true));
    assert_eq!(answer(&q.cloud), q.sites.p_dns);
}

/// The switch stack with the CloudWatch child's `Inverted`/`Disabled` set.
fn switch_with_child_flags(p: &Sites, flags: Value) -> Value {
    let mut t = switch(p, 2);
    for (k, v) in flags.as_object().unwrap() {
        t["Resources"]["Switch"]["Properties"]["HealthCheckConfig"][k] = v.clone();
    }
    t
}

#[tokio::test]
async fn children_count_after_their_own_inverted_and_disabled() {
    let p = pair(2).await;
    // Inverted: the healthy switch child counts unhealthy, so the parent is unhealthy.
    let t = switch_with_child_flags(&p.sites, json!({"Inverted": true}));
    let (_, status) = deploy(&p.cloud, S, "shop-dns", &t, &[]).await;
    assert_eq!(status.as_str(), "UPDATE_COMPLETE");
    assert_eq!(p.cloud.health_check_healthy(&p.switch), Some(false));
    assert_eq!(p.cloud.health_check_healthy(&p.primary), Some(false));
    assert_eq!(answer(&p.cloud), p.sites.s_dns);
    // Disabled: "Route 53 considers the status of the health check to always be healthy",
    // even in ALARM.
    let t = switch_with_child_flags(&p.sites, json!({"Disabled": true}));
    deploy(&p.cloud, S, "shop-dns", &t, &[]).await;
    flip(&p.cloud, 0.0).await;
    sleep(&p.cloud, 120).await;
    assert_eq!(p.cloud.health_check_healthy(&p.switch), Some(true));
    assert_eq!(p.cloud.health_check_healthy(&p.primary), Some(true));
    assert_eq!(answer(&p.cloud), p.sites.p_dns);
}

#[tokio::test]
async fn an_endpoint_check_changes_after_failure_threshold_intervals() {
    let p = pair(2).await;
    // Align to the check's observations (every 30 s from its creation).
    sleep(&p.cloud, 30).await;
    p.cloud
        .set_target_health(P, &p.sites.p_tg, "unhealthy")
        .unwrap();
    // EvaluateTargetHealth sees the targets at once; the HTTP check after 3 x 30 s.
    assert_eq!(p.cloud.health_check_healthy(&p.endpoint), Some(true));
    sleep(&p.cloud, 60).await;
    assert_eq!(
        p.cloud.health_check_healthy(&p.endpoint),
        Some(true),
        "two failures are not three"
    );
    sleep(&p.cloud, 30).await;
    assert_eq!(p.cloud.health_check_healthy(&p.endpoint), Some(false));
    assert_eq!(answer(&p.cloud), p.sites.s_dns);
    // Back after three passing observations.
    p.cloud
        .set_target_health(P, &p.sites.p_tg, "healthy")
        .unwrap();
    sleep(&p.cloud, 90).await;
    assert_eq!(p.cloud.health_check_healthy(&p.endpoint), Some(true));
    // A Region that is down does not answer; DNS answers keep working.
    p.cloud.set_region_available(P, false);
    sleep(&p.cloud, 90).await;
    assert_eq!(p.cloud.health_check_healthy(&p.endpoint), Some(false));
    assert_eq!(answer(&p.cloud), p.sites.s_dns);
}

/// A scheduled outage is seen by Route 53's checkers while it lasts, even when the clock
/// crosses the whole window in one step: each observation sees the Region as it was then.
#[tokio::test]
async fn a_scheduled_outage_fails_the_endpoint_check_while_it_lasts() {
    let p = pair(2).await;
    sleep(&p.cloud, 30).await;
    p.cloud.schedule_region_outage(
        P,
        Duration::from_secs(5),
        Duration::from_secs(120),
        dr_local::Outage::NoAnswer,
    );
    // Observations 30, 60, 90 and 120 s on fall in the window; the one at 150 s does not.
    sleep(&p.cloud, 150).await;
    assert_eq!(p.cloud.region_outage(P), None, "the window is over");
    assert_eq!(
        p.cloud.health_check_healthy(&p.endpoint),
        Some(false),
        "one passing observation after the window is not three"
    );
    assert_eq!(answer(&p.cloud), p.sites.s_dns);
    sleep(&p.cloud, 60).await;
    assert_eq!(p.cloud.health_check_healthy(&p.endpoint), Some(true));
    assert_eq!(answer(&p.cloud), p.sites.p_dns);
}

#[tokio::test]
async fn both_sites_unhealthy_answers_primary() {
    let p = pair(2).await;
    p.cloud
        .set_target_health(P, &p.sites.p_tg, "unhealthy")
        .unwrap();
    assert_eq!(answer(&p.cloud), p.sites.s_dns);
    p.cloud
        .set_target_health(S, &p.sites.s_tg, "unhealthy")
        .unwrap();
    assert_eq!(answer(&p.cloud), p.sites.p_dns);
}

#[tokio::test]
async fn get_health_check_status_refuses_a_calculated_check() {
    let p = pair(2).await;
    let e = p
        .cloud
        .get_health_check_status(S, &p.primary)
        .await
        .unwrap_err();
    assert_eq!(*e.kind(), CloudErrorKind::Validation, "{e}");
    assert!(
        e.to_string().contains(
            "You can't use GetHealthCheckStatus to get the status of a calculated health check"
        ),
        "{e}"
    );
    assert!(
        p.cloud
            .get_health_check_status(S, &p.endpoint)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn the_health_check_status_metric_is_in_us_east_1_for_every_check() {
    let p = pair(2).await;
    let start = p.cloud.now();
    sleep(&p.cloud, 120).await;
    flip(&p.cloud, 0.0).await;
    sleep(&p.cloud, 240).await;
    let q = |id: &str, statistic| MetricQuery {
        namespace: "AWS/Route53".into(),
        metric_name: "HealthCheckStatus".into(),
        dimensions: vec![Dimension {
            name: "HealthCheckId".into(),
            value: id.into(),
        }],
        start,
        end: p.cloud.now(),
        period_seconds: 60,
        statistic,
    };
    let points = p
        .cloud
        .get_metric_statistics(Region::UsEast1, q(&p.primary, Statistic::Minimum))
        .await
        .unwrap();
    let values: Vec<f64> = points.iter().map(|d| d.value).collect();
    assert!(
        values.first() == Some(&1.0) && values.last() == Some(&0.0),
        "{values:?}"
    );
    for r in [S, P] {
        assert!(
            p.cloud
                .get_metric_statistics(r, q(&p.primary, Statistic::Minimum))
                .await
                .unwrap()
                .is_empty(),
            "{r}"
        );
    }
    let dims = p
        .cloud
        .list_metric_dimensions(Region::UsEast1, "AWS/Route53", "HealthCheckStatus")
        .await
        .unwrap();
    assert_eq!(dims.len(), 3, "{dims:?}");
    assert!(
        p.cloud
            .list_metric_dimensions(S, "AWS/Route53", "HealthCheckStatus")
            .await
            .unwrap()
            .is_empty()
    );
}

fn record_stack(ttl: &str, value: &str, check: Option<&str>) -> Value {
    let mut rec = json!({"HostedZoneId": {"Ref": "Zone"}, "Name": "db.shop.internal", "Type": "CNAME",
        "TTL": ttl, "ResourceRecords": [value], "SetIdentifier": "primary", "Failover": "PRIMARY"});
    if let Some(c) = check {
        rec["HealthCheckId"] = json!(c);
    }
    json!({"Resources": {
        "Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "shop.internal"}},
        "Check": {"Type": "AWS::Route53::HealthCheck", "Properties": {"HealthCheckConfig": {
            "Type": "CALCULATED", "ChildHealthChecks": [], "HealthThreshold": 0}}},
        "Db": {"Type": "AWS::Route53::RecordSet", "Properties": rec}
    }, "Outputs": {"Check": {"Value": {"Ref": "Check"}}}})
}

#[tokio::test]
async fn record_updates_reach_the_dns_answer() {
    let cloud = LocalCloud::in_memory();
    let t = record_stack("60", "a.example.com", None);
    deploy(&cloud, S, "db", &t, &[]).await;
    let got = cloud.resolve_dns("db.shop.internal", "CNAME").unwrap();
    assert_eq!(
        (got.ttl, got.records.clone()),
        (Some(60), vec!["a.example.com".to_string()])
    );
    let (_, status) = deploy(
        &cloud,
        S,
        "db",
        &record_stack("300", "b.example.com", None),
        &[],
    )
    .await;
    assert_eq!(status.as_str(), "UPDATE_COMPLETE");
    let got = cloud.resolve_dns("db.shop.internal", "CNAME").unwrap();
    assert_eq!(
        (got.ttl, got.records),
        (Some(300), vec!["b.example.com".to_string()])
    );
    let check = output(&cloud, S, "db", "Check").await;
    let mut t = record_stack("300", "b.example.com", None);
    t["Resources"]["Db"]["Properties"]["HealthCheckId"] = json!({"Ref": "Check"});
    deploy(&cloud, S, "db", &t, &[]).await;
    assert_eq!(
        cloud
            .resolve_dns("db.shop.internal", "CNAME")
            .unwrap()
            .health_check_id,
        Some(check)
    );
    assert_eq!(
        cloud
            .snapshot()
            .records
            .values()
            .flatten()
            .filter(|r| r.name == "db.shop.internal.")
            .count(),
        1,
        "the update replaced the record, it did not add one"
    );
}

#[tokio::test]
async fn an_alias_target_update_reaches_the_dns_answer() {
    let p = pair(2).await;
    let mut sites = p.sites.clone();
    sites.s_dns = p.sites.p_dns.clone();
    sites.s_zone = p.sites.p_zone.clone();
    let mut t = switch(&sites, 2);
    t["Resources"]["PrimaryRecord"]["Properties"]["AliasTarget"]["DNSName"] = json!(p.sites.s_dns);
    t["Resources"]["PrimaryRecord"]["Properties"]["AliasTarget"]["HostedZoneId"] =
        json!(p.sites.s_zone);
    let (_, status) = deploy(&p.cloud, S, "shop-dns", &t, &[]).await;
    assert_eq!(status.as_str(), "UPDATE_COMPLETE");
    assert_eq!(answer(&p.cloud), p.sites.s_dns);
}

#[tokio::test]
async fn a_health_check_update_reaches_its_state() {
    let p = pair(2).await;
    flip(&p.cloud, 0.0).await;
    sleep(&p.cloud, 60).await;
    assert_eq!(p.cloud.health_check_healthy(&p.primary), Some(false));
    let (_, status) = deploy(&p.cloud, S, "shop-dns", &switch(&p.sites, 1), &[]).await;
    assert_eq!(status.as_str(), "UPDATE_COMPLETE");
    assert_eq!(
        p.cloud.health_check_healthy(&p.primary),
        Some(true),
        "threshold now 1"
    );
    let h = p.cloud.get_health_check(S, &p.primary).await.unwrap();
    assert_eq!(h.version, 2);
}

#[tokio::test]
async fn replaced_and_deleted_resources_leave_the_service_state() {
    let p = pair(2).await;
    // A new name is a new record (its physical id is its name): the old name stops answering.
    let mut t = switch(&p.sites, 2);
    for r in ["PrimaryRecord", "SecondaryRecord"] {
        t["Resources"][r]["Properties"]["Name"] = json!(format!("www.{APP}"));
    }
    let (_, status) = deploy(&p.cloud, S, "shop-dns", &t, &[]).await;
    assert_eq!(status.as_str(), "UPDATE_COMPLETE");
    assert!(p.cloud.resolve_dns(APP, "A").is_none());
    assert!(p.cloud.resolve_dns(&format!("www.{APP}"), "A").is_some());
    p.cloud.delete_stack(S, "shop-dns").await.unwrap();
    support::wait(&p.cloud, S, "shop-dns").await;
    let w = p.cloud.snapshot();
    assert!(w.records.values().all(Vec::is_empty), "{:?}", w.records);
    assert!(w.health_checks.is_empty());
    assert!(w.alarms.is_empty());
}
