//! The local simulator's DR model: an Aurora global database deployed by stacks, switchover
//! and failover on the virtual clock, lag metrics, Route 53 failover records with health checks,
//! ELBv2 target health.

use crate::support;

use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{
    Cloud, FailoverStatus, HealthCheckUpdate, MetricQuery, Statistic, SynchronizationStatus,
    Timestamp,
};
use dr_local::LocalCloud;
use serde_json::json;
use support::deploy;

const P: Region = Region::UsEast2;
const S: Region = Region::UsWest2;

pub(crate) async fn deploy_global_db(cloud: &LocalCloud) -> (String, String) {
    let primary = json!({"Resources": {
        "Global": {"Type": "AWS::RDS::GlobalCluster", "Properties": {"GlobalClusterIdentifier": "shop-global", "Engine": "aurora-mysql", "EngineVersion": "8.0.mysql_aurora.3.08.0"}},
        "Db": {"Type": "AWS::RDS::DBCluster", "Properties": {"DBClusterIdentifier": "shop-db-use2", "Engine": "aurora-mysql", "EngineVersion": "8.0.mysql_aurora.3.08.0",
            "GlobalClusterIdentifier": {"Ref": "Global"}, "MasterUsername": "admin", "MasterUserPassword": "{{resolve:secretsmanager:${Secret}:SecretString:password}}"}},
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"GenerateSecretString": {"SecretStringTemplate": "{\"username\":\"admin\"}", "GenerateStringKey": "password"}, "ReplicaRegions": [{"Region": "us-west-2"}]}},
        "Writer": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBClusterIdentifier": {"Ref": "Db"}, "DBInstanceClass": "db.r6g.large", "Engine": "aurora-mysql"}}
    }, "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Db", "DBClusterArn"]}}, "Endpoint": {"Value": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}}}});
    // The secret reference is resolved inside Fn::Sub: written as CloudFormation would get it.
    let mut primary = primary;
    primary["Resources"]["Db"]["Properties"]["MasterUserPassword"] =
        json!({"Fn::Sub": "{{resolve:secretsmanager:${Secret}:SecretString:password}}"});
    assert_eq!(
        deploy(cloud, P, "shop-data-primary", &primary, &[])
            .await
            .1
            .as_str(),
        "CREATE_COMPLETE"
    );
    let secondary = json!({"Resources": {
        "Db": {"Type": "AWS::RDS::DBCluster", "Properties": {"DBClusterIdentifier": "shop-db-usw2", "Engine": "aurora-mysql", "EngineVersion": "8.0.mysql_aurora.3.08.0",
            "GlobalClusterIdentifier": "shop-global", "SourceRegion": "us-east-2"}},
        "Reader": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBClusterIdentifier": {"Ref": "Db"}, "DBInstanceClass": "db.r6g.large", "Engine": "aurora-mysql"}}
    }, "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Db", "DBClusterArn"]}}}});
    assert_eq!(
        deploy(cloud, S, "shop-data-dr", &secondary, &[])
            .await
            .1
            .as_str(),
        "CREATE_COMPLETE"
    );
    let arn = |r, s| {
        let cloud = cloud.clone();
        async move {
            cloud
                .describe_stack(r, s)
                .await
                .unwrap()
                .unwrap()
                .output("Arn")
                .unwrap()
                .to_string()
        }
    };
    (
        arn(P, "shop-data-primary").await,
        arn(S, "shop-data-dr").await,
    )
}

#[tokio::test]
async fn switchover_then_unplanned_failover() {
    let cloud = LocalCloud::in_memory();
    let (p_arn, s_arn) = deploy_global_db(&cloud).await;
    assert!(
        p_arn.starts_with("arn:aws:rds:us-east-2:123456789012:cluster:shop-db-use2"),
        "{p_arn}"
    );

    let g = cloud
        .describe_global_cluster(S, "shop-global")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        g.arn,
        "arn:aws:rds::123456789012:global-cluster:shop-global"
    );
    let endpoint = g.endpoint.clone().unwrap();
    assert!(
        endpoint.starts_with("shop-global.global-")
            && endpoint.ends_with(".global.rds.amazonaws.com"),
        "{endpoint}"
    );
    assert_eq!(g.writer().unwrap().db_cluster_arn, p_arn);
    assert_eq!(g.writer().unwrap().readers, std::slice::from_ref(&s_arn));
    assert_eq!(
        g.members
            .iter()
            .find(|m| !m.is_writer)
            .unwrap()
            .synchronization_status,
        Some(SynchronizationStatus::Connected)
    );

    // Lag is published in the secondary Region only ("CloudWatch metrics for Amazon Aurora",
    // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html>).
    let q = |id: &str| MetricQuery {
        namespace: "AWS/RDS".into(),
        metric_name: "AuroraGlobalDBRPOLag".into(),
        dimensions: vec![dr_core::cloud::Dimension {
            name: "DBClusterIdentifier".into(),
            value: id.into(),
        }],
        start: Timestamp::from_millis(cloud.now().millis() - 300_000),
        end: cloud.now(),
        period_seconds: 60,
        statistic: Statistic::Maximum,
    };
    let lag = cloud
        .get_metric_statistics(S, q("shop-db-usw2"))
        .await
        .unwrap();
    assert!(
        !lag.is_empty() && lag.iter().all(|d| d.value < 1000.0),
        "{lag:?}"
    );
    assert!(
        cloud
            .get_metric_statistics(P, q("shop-db-use2"))
            .await
            .unwrap()
            .is_empty()
    );

    // Planned switchover: right after the call the old primary is still the writer.
    let g = cloud
        .switchover_global_cluster(P, "shop-global", &s_arn)
        .await
        .unwrap();
    assert_eq!(g.status, "switching-over");
    assert_eq!(
        g.failover_state.as_ref().unwrap().status,
        FailoverStatus::Pending
    );
    assert!(!g.failover_state.as_ref().unwrap().is_data_loss_allowed);
    assert_eq!(g.writer().unwrap().db_cluster_arn, p_arn);
    // A second call meanwhile is refused (state fault).
    assert!(
        cloud
            .switchover_global_cluster(P, "shop-global", &s_arn)
            .await
            .is_err()
    );
    cloud.sleep(Duration::from_secs(10)).await;
    let g = cloud
        .describe_global_cluster(P, "shop-global")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        g.failover_state.unwrap().status,
        FailoverStatus::SwitchingOver
    );
    cloud.sleep(Duration::from_secs(120)).await;
    let g = cloud
        .describe_global_cluster(P, "shop-global")
        .await
        .unwrap()
        .unwrap();
    assert!(g.failover_state.is_none());
    assert_eq!(g.writer().unwrap().db_cluster_arn, s_arn);
    assert_eq!(
        g.endpoint.as_deref(),
        Some(endpoint.as_str()),
        "the global endpoint keeps its name"
    );

    // Back, then an unplanned failover while us-east-2 is down, called from us-west-2.
    cloud
        .switchover_global_cluster(S, "shop-global", &p_arn)
        .await
        .unwrap();
    cloud.clock().run_until_idle();
    cloud.set_region_available(P, false);
    assert!(
        cloud
            .switchover_global_cluster(S, "shop-global", &s_arn)
            .await
            .is_err(),
        "a switchover needs the primary"
    );
    cloud.set_replication_lag(S, "shop-db-usw2", 800).unwrap();
    let g = cloud
        .failover_global_cluster(S, "shop-global", &s_arn, true)
        .await
        .unwrap();
    assert_eq!(g.status, "failing-over");
    assert!(g.failover_state.unwrap().is_data_loss_allowed);
    cloud.sleep(Duration::from_secs(180)).await;
    let g = cloud
        .describe_global_cluster(S, "shop-global")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g.writer().unwrap().db_cluster_arn, s_arn);
    let old = g
        .members
        .iter()
        .find(|m| m.db_cluster_arn == p_arn)
        .unwrap();
    assert_eq!(
        old.synchronization_status,
        Some(SynchronizationStatus::PendingResync)
    );
    // The old primary resynchronizes only once its Region is back.
    cloud.sleep(Duration::from_secs(3600)).await;
    let g = cloud
        .describe_global_cluster(S, "shop-global")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        g.members
            .iter()
            .find(|m| m.db_cluster_arn == p_arn)
            .unwrap()
            .synchronization_status,
        Some(SynchronizationStatus::PendingResync)
    );
    cloud.set_region_available(P, true);
    cloud.sleep(Duration::from_secs(1)).await;
    let g = cloud
        .describe_global_cluster(P, "shop-global")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        g.members
            .iter()
            .find(|m| m.db_cluster_arn == p_arn)
            .unwrap()
            .synchronization_status,
        Some(SynchronizationStatus::Connected)
    );
}

#[tokio::test]
async fn failover_records_follow_health_checks_and_target_health() {
    let cloud = LocalCloud::in_memory();
    // An internet-facing ALB needs its VPC's gateway attached and two subnets; targets
    // registered by the template.
    let site = |region: Region, net: u8| {
        json!({"Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": format!("10.{net}.0.0/16")}},
            "Igw": {"Type": "AWS::EC2::InternetGateway", "Properties": {}},
            "Attach": {"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}}},
            "SubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": format!("10.{net}.0.0/24"), "AvailabilityZone": format!("{region}a")}},
            "SubnetB": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": format!("10.{net}.1.0/24"), "AvailabilityZone": format!("{region}b")}},
            "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "DependsOn": "Attach",
                "Properties": {"Scheme": "internet-facing", "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]}},
            "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 3000, "Protocol": "HTTP", "VpcId": {"Ref": "Vpc"},
                "TargetType": "ip", "Targets": [{"Id": format!("10.{net}.0.10")}, {"Id": format!("10.{net}.0.11")}, {"Id": format!("10.{net}.1.10")}]}},
            "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "Lb"}, "Port": 80, "Protocol": "HTTP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}}
        }, "Outputs": {
            "Dns": {"Value": {"Fn::GetAtt": ["Lb", "DNSName"]}},
            "Zone": {"Value": {"Fn::GetAtt": ["Lb", "CanonicalHostedZoneID"]}},
            "Tg": {"Value": {"Ref": "Tg"}}
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
    assert!(p_dns.ends_with(".us-east-2.elb.amazonaws.com"), "{p_dns}");
    assert_eq!(out(S, "shop-s", "Zone").await, "Z1H1FL5HABSF5");
    let tg = out(P, "shop-p", "Tg").await;
    let health = cloud.describe_target_health(P, &tg).await.unwrap();
    assert_eq!(health.len(), 3);
    assert!(health.iter().all(|t| t.state.as_str() == "healthy"));

    let record = |role: &str, dns: &str, zone: &str| {
        json!({"Type": "AWS::Route53::RecordSet", "Properties": {"HostedZoneId": {"Fn::GetAtt": ["Zone", "Id"]}, "Name": "app.shop.example.com", "Type": "A",
            "SetIdentifier": role, "Failover": role, "HealthCheckId": {"Ref": "Check"},
            "AliasTarget": {"DNSName": dns, "HostedZoneId": zone, "EvaluateTargetHealth": true}}})
    };
    let mut dns = json!({"Resources": {
        "Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "shop.example.com"}},
        "Check": {"Type": "AWS::Route53::HealthCheck", "Properties": {"HealthCheckConfig": {"Type": "HTTP", "FullyQualifiedDomainName": p_dns, "Port": 80, "Inverted": false}}},
        "Primary": record("PRIMARY", &p_dns, "Z3AADJGX6KTTL2"),
        "Secondary": record("SECONDARY", &s_dns, "Z1H1FL5HABSF5")
    }, "Outputs": {"Check": {"Value": {"Ref": "Check"}}}});
    dns["Resources"]["Secondary"]["Properties"]
        .as_object_mut()
        .unwrap()
        .remove("HealthCheckId");
    deploy(&cloud, S, "shop-dns", &dns, &[]).await;
    let check = out(S, "shop-dns", "Check").await;
    let answer = |cloud: &LocalCloud| {
        cloud
            .resolve_dns("app.shop.example.com", "A")
            .unwrap()
            .alias_target
            .unwrap()
            .dns_name
    };
    assert_eq!(answer(&cloud), p_dns);

    // Inverting the check moves traffic to the DR Region; the version guard is honoured.
    let h = cloud.get_health_check(S, &check).await.unwrap();
    assert!(
        cloud
            .update_health_check(
                S,
                &check,
                HealthCheckUpdate {
                    inverted: Some(true),
                    disabled: None,
                    expected_version: Some(h.version + 7)
                }
            )
            .await
            .is_err()
    );
    cloud
        .update_health_check(
            S,
            &check,
            HealthCheckUpdate {
                inverted: Some(true),
                disabled: None,
                expected_version: Some(h.version),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        cloud
            .get_health_check_status(S, &check)
            .await
            .unwrap()
            .is_healthy(),
        Some(false)
    );
    assert_eq!(answer(&cloud), s_dns);
    // A disabled check counts healthy: traffic goes back to the primary.
    cloud
        .update_health_check(
            S,
            &check,
            HealthCheckUpdate {
                inverted: None,
                disabled: Some(true),
                expected_version: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(answer(&cloud), p_dns);
    // With the check healthy, unhealthy primary targets (EvaluateTargetHealth) fail over too.
    cloud
        .update_health_check(
            S,
            &check,
            HealthCheckUpdate {
                inverted: Some(false),
                disabled: Some(false),
                expected_version: None,
            },
        )
        .await
        .unwrap();
    cloud.set_target_health(P, &tg, "unhealthy").unwrap();
    assert_eq!(answer(&cloud), s_dns);
    // A redeploy does not reset the runtime's health-check state.
    cloud
        .update_health_check(
            S,
            &check,
            HealthCheckUpdate {
                inverted: Some(true),
                disabled: None,
                expected_version: None,
            },
        )
        .await
        .unwrap();
    let cs = support::change_set(&cloud, S, "shop-dns", &dns, &[], "again").await;
    assert!(cs.is_empty_change());
    assert!(cloud.get_health_check(S, &check).await.unwrap().inverted);
}

#[tokio::test]
async fn a_cloudwatch_metric_health_check_follows_published_data() {
    use dr_core::cloud::{Dimension, MetricDatum};
    let cloud = LocalCloud::in_memory();
    let t = json!({"Resources": {
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "Namespace": "drkit/Shop", "MetricName": "PrimaryActive", "Dimensions": [{"Name": "App", "Value": "shop"}],
            "Statistic": "Minimum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "LessThanThreshold"}},
        "Check": {"Type": "AWS::Route53::HealthCheck", "Properties": {"HealthCheckConfig": {
            "Type": "CLOUDWATCH_METRIC", "AlarmIdentifier": {"Name": {"Ref": "Alarm"}, "Region": "us-west-2"},
            "InsufficientDataHealthStatus": "Healthy"}}}
    }, "Outputs": {"Check": {"Value": {"Ref": "Check"}}}});
    deploy(&cloud, S, "shop-switch", &t, &[]).await;
    let check = cloud
        .describe_stack(S, "shop-switch")
        .await
        .unwrap()
        .unwrap()
        .output("Check")
        .unwrap()
        .to_string();
    let healthy = |cloud: LocalCloud, check: String| async move {
        cloud
            .get_health_check_status(S, &check)
            .await
            .unwrap()
            .is_healthy()
    };
    // No data yet: InsufficientDataHealthStatus decides.
    assert_eq!(healthy(cloud.clone(), check.clone()).await, Some(true));
    let put = |v: f64| MetricDatum {
        metric_name: "PrimaryActive".into(),
        dimensions: vec![Dimension {
            name: "App".into(),
            value: "shop".into(),
        }],
        value: v,
        unit: None,
        timestamp: None,
    };
    cloud
        .put_metric_data(S, "drkit/Shop", vec![put(0.0)])
        .await
        .unwrap();
    // The alarm evaluates at the end of the period, not at the call.
    assert_eq!(healthy(cloud.clone(), check.clone()).await, Some(true));
    cloud.sleep(Duration::from_secs(60)).await;
    assert_eq!(
        healthy(cloud.clone(), check.clone()).await,
        Some(false),
        "0 < 1: in ALARM within one period"
    );
    cloud
        .put_metric_data(S, "drkit/Shop", vec![put(1.0)])
        .await
        .unwrap();
    cloud.sleep(Duration::from_secs(60)).await;
    assert_eq!(healthy(cloud.clone(), check.clone()).await, Some(true));
    // The data are the runtime's: published in the DR Region, readable there.
    let dims = cloud
        .list_metric_dimensions(S, "drkit/Shop", "PrimaryActive")
        .await
        .unwrap();
    assert_eq!(
        dims,
        [vec![Dimension {
            name: "App".into(),
            value: "shop".into()
        }]]
    );
}

/// A global cluster is described in every Region that answers, member or not, whatever the
/// case of its identifier; only an outage of the Region asked stops the call.
#[tokio::test]
async fn a_global_cluster_is_described_in_every_region() {
    let cloud = LocalCloud::in_memory();
    let (p_arn, _) = deploy_global_db(&cloud).await;
    for region in [P, S, Region::EuWest1] {
        let g = cloud
            .describe_global_cluster(region, "Shop-Global")
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("not described in {region}"));
        assert_eq!(g.identifier, "shop-global");
        assert_eq!(g.writer().unwrap().db_cluster_arn, p_arn);
    }
    assert_eq!(
        cloud
            .describe_global_cluster(S, "no-such-global")
            .await
            .unwrap(),
        None
    );
    cloud.set_region_available(P, false);
    assert!(
        cloud
            .describe_global_cluster(P, "shop-global")
            .await
            .unwrap_err()
            .is_region_outage()
    );
    assert!(
        cloud
            .describe_global_cluster(S, "shop-global")
            .await
            .unwrap()
            .is_some(),
        "the DR Region answers in a primary-Region outage"
    );
}

/// `RemoveFromGlobalCluster` answers at once while the detach goes on: the member is still
/// listed and its cluster still names the global cluster, until the detach completes.
#[tokio::test]
async fn a_removed_member_stays_listed_until_the_detach_completes() {
    let cloud = LocalCloud::in_memory();
    let (p_arn, s_arn) = deploy_global_db(&cloud).await;
    let g = cloud
        .remove_from_global_cluster(S, "shop-global", &s_arn)
        .await
        .unwrap();
    assert_eq!(g.members.len(), 2, "the answer still lists it: {g:?}");
    assert_eq!(g.writer().unwrap().readers, std::slice::from_ref(&s_arn));
    let member = |cloud: LocalCloud| async move {
        cloud
            .describe_db_cluster(S, "shop-db-usw2")
            .await
            .unwrap()
            .unwrap()
            .global_cluster_identifier
    };
    cloud.clock().advance(Duration::from_secs(30));
    assert_eq!(member(cloud.clone()).await.as_deref(), Some("shop-global"));
    // The same call again while it detaches changes nothing.
    cloud
        .remove_from_global_cluster(S, "shop-global", &s_arn)
        .await
        .unwrap();
    cloud.clock().advance(Duration::from_secs(30));
    assert_eq!(member(cloud.clone()).await, None);
    let g = cloud
        .describe_global_cluster(P, "shop-global")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        g.members
            .iter()
            .map(|m| m.db_cluster_arn.as_str())
            .collect::<Vec<_>>(),
        [p_arn.as_str()]
    );

    // A cluster that is not a member: RDS's InvalidParameterValue, rejected input.
    let err = cloud
        .remove_from_global_cluster(S, "shop-global", &s_arn)
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), dr_core::cloud::CloudErrorKind::Validation),
        "{err}"
    );
    assert!(
        err.message().starts_with("InvalidParameterValue: ")
            && err
                .message()
                .contains("is not found in global cluster shop-global"),
        "{err}"
    );
}

/// CloudFormation's DBCluster delete handler takes a cluster whose template names a global
/// cluster out of it itself, waiting for the detach; a cluster detached beforehand makes its
/// `RemoveFromGlobalCluster` fail, and with it the deletion.
#[tokio::test]
async fn deleting_a_secondary_stack_detaches_its_cluster_unless_it_left_before() {
    // Deleted as deployed: the handler detaches, then deletes.
    let cloud = LocalCloud::in_memory();
    let (p_arn, _) = deploy_global_db(&cloud).await;
    let stack_id = cloud
        .describe_stack(S, "shop-data-dr")
        .await
        .unwrap()
        .unwrap()
        .stack_id;
    cloud.delete_stack(S, "shop-data-dr").await.unwrap();
    assert_eq!(
        support::wait(&cloud, S, "shop-data-dr").await.as_str(),
        "DELETE_COMPLETE"
    );
    let g = cloud
        .describe_global_cluster(P, "shop-global")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g.members.len(), 1);
    assert_eq!(g.members[0].db_cluster_arn, p_arn);
    // The cluster's deletion takes the detach (a minute) and the deletion (a minute).
    let ev = cloud
        .describe_stack_events(S, &stack_id, None)
        .await
        .unwrap();
    let at = |status: &str| {
        ev.iter()
            .find(|e| e.logical_id == "Db" && e.status.as_str() == status)
            .unwrap()
            .timestamp
            .millis()
    };
    assert_eq!(at("DELETE_COMPLETE") - at("DELETE_IN_PROGRESS"), 120_000);

    // Deleted right after RemoveFromGlobalCluster: the handler waits for the detach.
    let cloud = LocalCloud::in_memory();
    let (_, s_arn) = deploy_global_db(&cloud).await;
    cloud
        .remove_from_global_cluster(S, "shop-global", &s_arn)
        .await
        .unwrap();
    cloud.delete_stack(S, "shop-data-dr").await.unwrap();
    assert_eq!(
        support::wait(&cloud, S, "shop-data-dr").await.as_str(),
        "DELETE_COMPLETE"
    );

    // Deleted once the detach is over: the handler's own RemoveFromGlobalCluster fails.
    let cloud = LocalCloud::in_memory();
    let (_, s_arn) = deploy_global_db(&cloud).await;
    cloud
        .remove_from_global_cluster(S, "shop-global", &s_arn)
        .await
        .unwrap();
    cloud.clock().run_until_idle();
    cloud.delete_stack(S, "shop-data-dr").await.unwrap();
    assert_eq!(
        support::wait(&cloud, S, "shop-data-dr").await.as_str(),
        "DELETE_FAILED"
    );
    let ev = support::events(&cloud, S, "shop-data-dr").await;
    let db = ev.iter().rev().find(|e| e.0 == "Db").unwrap();
    assert_eq!(db.1, "DELETE_FAILED");
    assert_eq!(
        db.2.as_deref(),
        Some(
            format!("The DB cluster {s_arn} is not found in global cluster shop-global.").as_str()
        )
    );
}
