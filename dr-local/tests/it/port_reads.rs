//! The reads the DR runtime makes besides the deploy engine's: CloudWatch alarms, Route 53's
//! `TestDNSAnswer`, DNS resolution from this machine, RDS events and DB cluster snapshots, as
//! the simulator models them (sources in `dr-local/src/services/rds.rs` and `dns.rs`).

use crate::dr_services::deploy_global_db;
use crate::support::deploy;

use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{
    AlarmState, Cloud, CloudErrorKind, Dimension, MetricDatum, RdsEvent, Timestamp,
};
use dr_local::{LocalCloud, Outage, ServerFault};
use serde_json::json;

const P: Region = Region::UsEast2;
const S: Region = Region::UsWest2;

fn messages(events: &[RdsEvent]) -> Vec<&str> {
    events.iter().map(|e| e.message.as_str()).collect()
}

#[tokio::test]
async fn describe_alarms_reports_the_evaluated_state_and_leaves_unknown_names_out() {
    let cloud = LocalCloud::in_memory();
    let t = json!({"Resources": {"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": "Shop-PrimaryActive", "Namespace": "drkit", "MetricName": "PrimaryActive",
        "Dimensions": [{"Name": "App", "Value": "shop"}], "Statistic": "Minimum", "Period": 60,
        "EvaluationPeriods": 1, "Threshold": 1.0, "ComparisonOperator": "LessThanThreshold",
        "TreatMissingData": "ignore", "ActionsEnabled": false}}}});
    let (_, status) = deploy(&cloud, S, "alarm", &t, &[]).await;
    assert_eq!(status.as_str(), "CREATE_COMPLETE");
    let names = vec![
        "Shop-PrimaryActive".to_string(),
        "no-such-alarm".to_string(),
    ];

    let alarms = cloud.describe_alarms(S, &names).await.unwrap();
    assert_eq!(alarms.len(), 1, "the unknown name is left out: {alarms:?}");
    let a = &alarms[0];
    assert_eq!(a.name, "Shop-PrimaryActive");
    assert_eq!(a.state, AlarmState::InsufficientData, "a new alarm");
    assert_eq!(a.namespace.as_deref(), Some("drkit"));
    assert_eq!(a.metric_name.as_deref(), Some("PrimaryActive"));
    assert_eq!(
        a.dimensions,
        [Dimension {
            name: "App".into(),
            value: "shop".into()
        }]
    );
    assert_eq!(a.threshold, Some(1.0));
    // An alarm lives in its Region.
    assert!(cloud.describe_alarms(P, &names).await.unwrap().is_empty());

    let publish = |v: f64| {
        let cloud = cloud.clone();
        async move {
            cloud
                .put_metric_data(
                    S,
                    "drkit",
                    vec![MetricDatum {
                        metric_name: "PrimaryActive".into(),
                        dimensions: vec![Dimension {
                            name: "App".into(),
                            value: "shop".into(),
                        }],
                        value: v,
                        unit: None,
                        timestamp: None,
                    }],
                )
                .await
                .unwrap();
        }
    };
    publish(0.0).await;
    cloud.sleep(Duration::from_secs(120)).await;
    let a = cloud.describe_alarms(S, &names).await.unwrap().remove(0);
    assert_eq!(a.state, AlarmState::Alarm);
    let (state, since) = cloud.alarm_state(S, "Shop-PrimaryActive").unwrap();
    assert_eq!(state, "ALARM");
    assert_eq!(a.state_updated, Some(Timestamp::from(since)));

    publish(1.0).await;
    cloud.sleep(Duration::from_secs(120)).await;
    let a = cloud.describe_alarms(S, &names).await.unwrap().remove(0);
    assert_eq!(a.state, AlarmState::Ok);
    assert!(a.state_updated > Some(Timestamp::from(since)));
}

#[tokio::test]
async fn a_switchover_emits_its_events_at_start_and_completion_and_takes_no_snapshot() {
    let cloud = LocalCloud::in_memory();
    let (p_arn, s_arn) = deploy_global_db(&cloud).await;
    let start = cloud.now();
    assert!(
        cloud
            .describe_cluster_events(S, "shop-db-usw2", start)
            .await
            .unwrap()
            .is_empty()
    );

    cloud
        .switchover_global_cluster(P, "shop-global", &s_arn)
        .await
        .unwrap();
    let events = cloud
        .describe_cluster_events(S, "shop-db-usw2", start)
        .await
        .unwrap();
    assert_eq!(
        messages(&events),
        ["Global switchover to DB cluster shop-db-usw2 in Region us-west-2 started."]
    );
    let e = &events[0];
    assert_eq!(
        (e.source_identifier.as_str(), e.source_type.as_str()),
        ("shop-db-usw2", "db-cluster")
    );
    assert_eq!(e.event_categories, ["global failover"]);
    assert_eq!(e.source_arn.as_deref(), Some(s_arn.as_str()));
    assert_eq!(e.date, start);
    // Nothing has completed yet.
    assert!(
        cloud
            .describe_cluster_events(P, "shop-db-use2", start)
            .await
            .unwrap()
            .is_empty()
    );

    cloud.clock().run_until_idle();
    let done = cloud.now();
    let on_new = cloud
        .describe_cluster_events(S, "SHOP-DB-USW2", start)
        .await
        .unwrap();
    assert_eq!(
        messages(&on_new),
        [
            "Global switchover to DB cluster shop-db-usw2 in Region us-west-2 started.",
            "New primary DB cluster shop-db-usw2 in Region us-west-2 was successfully promoted.",
            "Global switchover to DB cluster shop-db-usw2 in Region us-west-2 finished.",
            "Aurora finished changing the DNS name that the global writer endpoint resolves to.",
        ]
    );
    assert!(on_new[1..].iter().all(|e| e.date == done), "{on_new:?}");
    let on_old = cloud
        .describe_cluster_events(P, "shop-db-use2", start)
        .await
        .unwrap();
    assert_eq!(
        messages(&on_old),
        ["Old primary DB cluster shop-db-use2 in Region us-east-2 successfully shut down."]
    );
    assert_eq!(on_old[0].source_arn.as_deref(), Some(p_arn.as_str()));
    // `start` filters: only what happened since.
    assert_eq!(
        cloud
            .describe_cluster_events(S, "shop-db-usw2", done)
            .await
            .unwrap()
            .len(),
        3
    );
    // The fencing of a switchover is a DB instance event on the old primary: not a cluster
    // event.
    let world = cloud.snapshot();
    let fencing: Vec<_> = world
        .rds_events
        .iter()
        .filter(|e| e.event.message.starts_with("Attempt to block writes"))
        .collect();
    assert_eq!(fencing.len(), 1, "{fencing:?}");
    assert_eq!(fencing[0].region, P);
    assert_eq!(fencing[0].event.source_type, "db-instance");
    assert_eq!(
        fencing[0].event.message,
        "Attempt to block writes for DB cluster shop-db-use2 in Region us-east-2 succeeded."
    );

    // No point-of-failure snapshot after a switchover, in either Region.
    for (r, id) in [(P, "shop-db-use2"), (S, "shop-db-usw2")] {
        assert!(
            cloud
                .describe_db_cluster_snapshots(r, id)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn an_unplanned_failover_fences_on_the_new_primary_and_snapshots_once_the_region_is_back() {
    let cloud = LocalCloud::in_memory();
    let (_p_arn, s_arn) = deploy_global_db(&cloud).await;
    let start = cloud.now();
    cloud.set_region_available(P, false);
    cloud
        .failover_global_cluster(S, "shop-global", &s_arn, true)
        .await
        .unwrap();
    let events = cloud
        .describe_cluster_events(S, "shop-db-usw2", start)
        .await
        .unwrap();
    assert_eq!(
        messages(&events),
        ["Global failover to DB cluster shop-db-usw2 in Region us-west-2 started."]
    );

    cloud.clock().run_until_idle();
    let events = cloud
        .describe_cluster_events(S, "shop-db-usw2", start)
        .await
        .unwrap();
    assert_eq!(
        messages(&events)[1..],
        [
            "Global failover to DB cluster shop-db-usw2 in Region us-west-2 completed.",
            "Aurora finished changing the DNS name that the global writer endpoint resolves to.",
        ]
    );
    // The old primary is unreachable: the fencing attempt times out, and the event is recorded
    // on the new primary's instance, in its Region.
    let world = cloud.snapshot();
    let fencing: Vec<_> = world
        .rds_events
        .iter()
        .filter(|e| e.event.message.starts_with("Attempt to block writes"))
        .collect();
    assert_eq!(fencing.len(), 1, "{fencing:?}");
    assert_eq!(fencing[0].region, S);
    assert_eq!(fencing[0].event.source_type, "db-instance");
    assert_eq!(
        fencing[0].event.message,
        "Attempt to block writes for DB cluster shop-db-use2 in Region us-east-2 timed out."
    );
    assert!(
        world.cluster_snapshots.is_empty(),
        "no snapshot while the old primary's Region is down"
    );
    cloud.sleep(Duration::from_secs(600)).await;
    assert!(cloud.snapshot().cluster_snapshots.is_empty());

    // The Region is back: the rebuild starts with a snapshot of the old volume, taken once.
    cloud.set_region_available(P, true);
    let back = cloud.now();
    let snaps = cloud
        .describe_db_cluster_snapshots(P, "shop-db-use2")
        .await
        .unwrap();
    assert_eq!(snaps.len(), 1, "{snaps:?}");
    let snap = &snaps[0];
    // 2026-01-01T00:xx: the stamp is the time the snapshot was taken, to the minute.
    let iso = back.to_string();
    let stamp = format!("{}-{}-{}", &iso[..10], &iso[11..13], &iso[14..16]);
    assert_eq!(
        snap.identifier,
        format!("rds:unplanned-global-failover-shop-db-use2-{stamp}")
    );
    assert_eq!(snap.db_cluster_identifier, "shop-db-use2");
    assert_eq!(snap.snapshot_type, "automated");
    assert_eq!(snap.status, "available");
    assert_eq!(snap.created, Some(back));
    assert!(
        snap.arn.as_deref().is_some_and(|a| a.starts_with(
            "arn:aws:rds:us-east-2:123456789012:cluster-snapshot:rds:unplanned-global-failover-"
        )),
        "{snap:?}"
    );
    // The new primary's Region holds none of it.
    assert!(
        cloud
            .describe_db_cluster_snapshots(S, "shop-db-use2")
            .await
            .unwrap()
            .is_empty()
    );
    let resync = cloud
        .describe_cluster_events(S, "shop-db-usw2", back)
        .await
        .unwrap();
    assert_eq!(
        messages(&resync),
        [
            "Started resynchronizing members of DB cluster shop-db-usw2 in Region us-west-2 after global failover."
        ]
    );
    // Until the rebuild completes, and after: still one snapshot.
    cloud.sleep(Duration::from_secs(3600)).await;
    assert_eq!(
        cloud
            .describe_db_cluster_snapshots(P, "SHOP-DB-USE2")
            .await
            .unwrap()
            .len(),
        1
    );
    let resync = cloud
        .describe_cluster_events(S, "shop-db-usw2", back)
        .await
        .unwrap();
    assert_eq!(
        messages(&resync)[1..],
        [
            "Finished resynchronizing members of DB cluster shop-db-usw2 in Region us-west-2 after global failover."
        ]
    );
}

#[tokio::test]
async fn an_unplanned_failover_with_the_old_primary_reachable_fences_it() {
    let cloud = LocalCloud::in_memory();
    let (_p_arn, s_arn) = deploy_global_db(&cloud).await;
    cloud
        .failover_global_cluster(S, "shop-global", &s_arn, true)
        .await
        .unwrap();
    cloud.clock().run_until_idle();
    let world = cloud.snapshot();
    let fencing: Vec<_> = world
        .rds_events
        .iter()
        .filter(|e| e.event.message.starts_with("Attempt to block writes"))
        .collect();
    assert_eq!(fencing.len(), 1, "{fencing:?}");
    assert_eq!(fencing[0].region, P, "recorded on the old primary");
    assert_eq!(
        fencing[0].event.message,
        "Attempt to block writes for DB cluster shop-db-use2 in Region us-east-2 succeeded."
    );
    assert!(
        fencing[0]
            .event
            .source_arn
            .as_deref()
            .is_some_and(|a| a.starts_with("arn:aws:rds:us-east-2:123456789012:db:")),
        "{fencing:?}"
    );
    // The Region never went away: the rebuild, and its snapshot, start at once.
    assert_eq!(
        cloud
            .describe_db_cluster_snapshots(P, "shop-db-use2")
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn the_global_writer_endpoint_resolves_to_the_current_writer() {
    let cloud = LocalCloud::in_memory();
    let (_p_arn, s_arn) = deploy_global_db(&cloud).await;
    let g = cloud
        .describe_global_cluster(S, "shop-global")
        .await
        .unwrap()
        .unwrap();
    let global = g.endpoint.unwrap();
    let endpoint = |r: Region, id: &'static str| {
        let cloud = cloud.clone();
        async move {
            cloud
                .describe_db_cluster(r, id)
                .await
                .unwrap()
                .unwrap()
                .endpoint
                .unwrap()
        }
    };
    let p_addr = cloud
        .resolve_addresses(&endpoint(P, "shop-db-use2").await)
        .await
        .unwrap();
    let s_addr = cloud
        .resolve_addresses(&endpoint(S, "shop-db-usw2").await)
        .await
        .unwrap();
    assert_eq!(p_addr.len(), 1);
    assert_eq!(s_addr.len(), 1);
    assert_ne!(p_addr, s_addr, "distinct addresses per endpoint");
    assert!(p_addr[0].starts_with("203.0.113."), "{p_addr:?}");
    // Stable: the same name, the same address.
    assert_eq!(
        cloud
            .resolve_addresses(&endpoint(P, "shop-db-use2").await)
            .await
            .unwrap(),
        p_addr
    );
    assert_eq!(cloud.resolve_addresses(&global).await.unwrap(), p_addr);
    // A trailing dot and another case are the same name.
    assert_eq!(
        cloud
            .resolve_addresses(&format!("{}.", global.to_uppercase()))
            .await
            .unwrap(),
        p_addr
    );

    cloud
        .switchover_global_cluster(P, "shop-global", &s_arn)
        .await
        .unwrap();
    // Until the switchover completes, the old writer.
    assert_eq!(cloud.resolve_addresses(&global).await.unwrap(), p_addr);
    cloud.clock().run_until_idle();
    assert_eq!(cloud.resolve_addresses(&global).await.unwrap(), s_addr);

    assert!(
        cloud
            .resolve_addresses("nothing.example.com")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn test_dns_answer_follows_failover_routing_in_public_zones_only() {
    let cloud = LocalCloud::in_memory();
    let site = |region: Region, net: u8| {
        json!({"Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": format!("10.{net}.0.0/16"), "EnableDnsHostnames": true, "EnableDnsSupport": true}},
            "Igw": {"Type": "AWS::EC2::InternetGateway", "Properties": {}},
            "Attach": {"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}}},
            "SubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": format!("10.{net}.0.0/24"), "AvailabilityZone": format!("{region}a")}},
            "SubnetB": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": format!("10.{net}.1.0/24"), "AvailabilityZone": format!("{region}b")}},
            "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "DependsOn": "Attach",
                "Properties": {"Scheme": "internet-facing", "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]}},
            "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 3000, "Protocol": "HTTP", "VpcId": {"Ref": "Vpc"},
                "TargetType": "ip", "Targets": [{"Id": format!("10.{net}.0.10")}]}},
            "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "Lb"}, "Port": 80, "Protocol": "HTTP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}}
        }, "Outputs": {
            "Dns": {"Value": {"Fn::GetAtt": ["Lb", "DNSName"]}},
            "Tg": {"Value": {"Ref": "Tg"}},
            "Vpc": {"Value": {"Ref": "Vpc"}}
        }})
    };
    deploy(&cloud, P, "shop-p", &site(P, 10), &[]).await;
    deploy(&cloud, S, "shop-s", &site(S, 20), &[]).await;
    let out = |r: Region, s: &'static str, k: &'static str| {
        let cloud = cloud.clone();
        async move {
            cloud
                .describe_stack(r, s)
                .await
                .unwrap()
                .unwrap()
                .output(k)
                .unwrap()
                .to_string()
        }
    };
    let (p_dns, s_dns) = (out(P, "shop-p", "Dns").await, out(S, "shop-s", "Dns").await);
    let record = |role: &str, dns: &str, zone: &str| {
        json!({"Type": "AWS::Route53::RecordSet", "Properties": {"HostedZoneId": {"Ref": "Zone"}, "Name": "app.shop.example.com", "Type": "A",
            "SetIdentifier": role, "Failover": role,
            "AliasTarget": {"DNSName": dns, "HostedZoneId": zone, "EvaluateTargetHealth": true}}})
    };
    let dns = json!({"Resources": {
        "Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "shop.example.com"}},
        "Primary": record("PRIMARY", &p_dns, "Z3AADJGX6KTTL2"),
        "Secondary": record("SECONDARY", &s_dns, "Z1H1FL5HABSF5"),
        "Private": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "internal.shop",
            "VPCs": [{"VPCId": out(S, "shop-s", "Vpc").await, "VPCRegion": "us-west-2"}]}},
        "Db": {"Type": "AWS::Route53::RecordSet", "Properties": {"HostedZoneId": {"Ref": "Private"}, "Name": "db.internal.shop", "Type": "CNAME",
            "TTL": "60", "ResourceRecords": ["shop-global.global-abc.global.rds.amazonaws.com"]}}
    }, "Outputs": {"Zone": {"Value": {"Ref": "Zone"}}, "Private": {"Value": {"Ref": "Private"}}}});
    let (_, status) = deploy(&cloud, S, "shop-dns", &dns, &[]).await;
    assert_eq!(status.as_str(), "CREATE_COMPLETE");
    let zone = out(S, "shop-dns", "Zone").await;
    let private = out(S, "shop-dns", "Private").await;

    let p_addr = cloud.resolve_addresses(&p_dns).await.unwrap();
    let s_addr = cloud.resolve_addresses(&s_dns).await.unwrap();
    assert_eq!(p_addr.len(), 2, "{p_addr:?}");
    assert_eq!(s_addr.len(), 2, "{s_addr:?}");
    assert!(p_addr.iter().all(|a| a.starts_with("198.51.100.")));
    assert!(
        p_addr.iter().all(|a| !s_addr.contains(a)),
        "{p_addr:?} {s_addr:?}"
    );
    let mut sorted = p_addr.clone();
    sorted.sort();
    assert_eq!(p_addr, sorted, "sorted");

    let answer = cloud
        .test_dns_answer(S, &zone, "app.shop.example.com", "A")
        .await
        .unwrap();
    assert_eq!(answer.response_code, "NOERROR");
    assert_eq!(answer.record_name, "app.shop.example.com");
    assert_eq!(answer.record_type, "A");
    assert_eq!(answer.record_data, p_addr, "the primary's load balancer");
    assert_eq!(
        cloud
            .resolve_addresses("app.shop.example.com")
            .await
            .unwrap(),
        p_addr
    );

    // The primary's targets fail: the alias evaluating them is unhealthy, and both answers
    // move to the DR site, as `resolve_dns` does.
    let tg = out(P, "shop-p", "Tg").await;
    cloud.set_target_health(P, &tg, "unhealthy").unwrap();
    let answer = cloud
        .test_dns_answer(S, &zone, "app.shop.example.com", "A")
        .await
        .unwrap();
    assert_eq!(answer.record_data, s_addr);
    assert_eq!(
        cloud
            .resolve_dns("app.shop.example.com", "A")
            .unwrap()
            .alias_target
            .unwrap()
            .dns_name,
        s_dns
    );
    assert_eq!(
        cloud
            .resolve_addresses("app.shop.example.com")
            .await
            .unwrap(),
        s_addr
    );

    // A name the zone does not hold.
    let missing = cloud
        .test_dns_answer(S, &zone, "nope.shop.example.com", "A")
        .await
        .unwrap();
    assert_eq!(missing.response_code, "NXDOMAIN");
    assert!(missing.record_data.is_empty());

    // A private zone is refused, and its names do not resolve from this machine.
    let err = cloud
        .test_dns_answer(S, &private, "db.internal.shop", "CNAME")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &CloudErrorKind::Validation, "{err:?}");
    assert!(err.message().starts_with("InvalidInput: "), "{err}");
    assert!(
        cloud
            .resolve_addresses("db.internal.shop")
            .await
            .unwrap()
            .is_empty()
    );
    let err = cloud
        .test_dns_answer(S, "Z000NOSUCHZONE", "app.shop.example.com", "A")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");

    // Route 53's control plane is in us-east-1: its outage fails TestDNSAnswer whatever Region
    // is named, while DNS answers go on.
    cloud.set_region_outage(
        Region::UsEast1,
        Some(Outage::ServerErrors(ServerFault::ServiceUnavailable)),
    );
    let err = cloud
        .test_dns_answer(S, &zone, "app.shop.example.com", "A")
        .await
        .unwrap_err();
    assert!(err.is_region_outage(), "{err:?}");
    assert_eq!(err.outage_region(), Some(Region::UsEast1));
    assert_eq!(
        cloud
            .resolve_addresses("app.shop.example.com")
            .await
            .unwrap(),
        s_addr
    );
    // And an outage of the primary Region leaves its load balancer's name resolvable.
    cloud.set_region_available(P, false);
    assert_eq!(cloud.resolve_addresses(&p_dns).await.unwrap(), p_addr);
}
