//! The simulator refuses what AWS's resource providers refuse (`dr_core::provider_rules`): the
//! resource AWS fails fails, with AWS's message as CloudFormation reports it, and the stack
//! rolls back; the corrected template deploys. Also the export locks and the signals a
//! `CreationPolicy` waits for.

use crate::support;

use dr_core::Region;
use dr_core::cloud::{Cloud, StackStatus};
use dr_local::LocalCloud;
use serde_json::{Value, json};
use support::{deploy, events};

const R: Region = Region::UsEast2;

/// The reason of the first event of `logical` with `status` in stack `stack`.
async fn reason(cloud: &LocalCloud, stack: &str, logical: &str, status: &str) -> Option<String> {
    events(cloud, R, stack)
        .await
        .into_iter()
        .rev()
        .find(|e| e.0 == logical && e.1 == status)
        .and_then(|e| e.2)
}

/// The physical id the stack's events give `logical`.
async fn physical(cloud: &LocalCloud, stack: &str, logical: &str) -> String {
    cloud
        .describe_stack_events(R, stack, None)
        .await
        .unwrap()
        .into_iter()
        .find(|e| {
            e.logical_id == logical && e.physical_id.as_deref().is_some_and(|p| !p.is_empty())
        })
        .and_then(|e| e.physical_id)
        .unwrap()
}

/// Deploys `bad` (which must fail at `logical` with a reason `check` accepts and roll back),
/// deletes the rolled-back stack, then deploys `good`, which must succeed.
async fn refused_then_fixed(
    stack: &str,
    bad: &Value,
    logical: &str,
    check: impl Fn(&str),
    good: &Value,
) -> LocalCloud {
    let cloud = LocalCloud::in_memory();
    let (_, st) = deploy(&cloud, R, stack, bad, &[]).await;
    assert_eq!(st, StackStatus::RollbackComplete);
    let Some(r) = reason(&cloud, stack, logical, "CREATE_FAILED").await else {
        panic!(
            "{logical} did not fail: {:?}",
            events(&cloud, R, stack).await
        );
    };
    check(&r);
    cloud.delete_stack(R, stack).await.unwrap();
    support::wait(&cloud, R, stack).await;
    let (_, st) = deploy(&cloud, R, stack, good, &[]).await;
    assert_eq!(
        st,
        StackStatus::CreateComplete,
        "{:?}",
        events(&cloud, R, stack).await
    );
    cloud
}

/// An Aurora cluster and a member instance with `policy`.
fn aurora(policy: &str, version: &str) -> Value {
    json!({"Resources": {
        "Cluster": {"Type": "AWS::RDS::DBCluster", "Properties": {
            "Engine": "aurora-mysql", "EngineVersion": version,
            "MasterUsername": "admin", "MasterUserPassword": "correct-horse-battery"}},
        "Db": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": policy, "Properties": {
            "DBClusterIdentifier": {"Ref": "Cluster"}, "Engine": "aurora-mysql",
            "DBInstanceClass": "db.r6g.large"}}
    }})
}

const CURRENT_MYSQL: &str = "8.0.mysql_aurora.3.10.3";

/// RDS's create handler refuses `DeletionPolicy: Snapshot` on a cluster member.
#[tokio::test]
async fn snapshot_policy_on_an_aurora_member_fails_its_create() {
    refused_then_fixed(
        "db",
        &aurora("Snapshot", CURRENT_MYSQL),
        "Db",
        |r| {
            assert_eq!(
                r,
                "DeletionPolicy:Snapshot cannot be specified for a cluster instance, use deletion policy on the cluster instead."
            )
        },
        &aurora("Delete", CURRENT_MYSQL),
    )
    .await;
}

/// RDS creates no cluster of a deprecated engine version.
#[tokio::test]
async fn a_deprecated_aurora_engine_version_fails_the_clusters_create() {
    refused_then_fixed(
        "db",
        &aurora("Delete", "5.7.mysql_aurora.2.03.2"),
        "Cluster",
        |r| {
            assert!(
                r.starts_with(
                    "Resource handler returned message: \"Cannot find version 5.7.mysql_aurora.2.03.2 for aurora-mysql (Service: Rds, Status Code: 400, Request ID: "
                ) && r.ends_with(", HandlerErrorCode: InvalidRequest)"),
                "{r}"
            )
        },
        &aurora("Delete", CURRENT_MYSQL),
    )
    .await;
}

/// A VPC with an internet gateway and two subnets, and an internet-facing load balancer in
/// them; `wait` makes the load balancer depend on the gateway attachment.
fn public_lb(wait: bool) -> Value {
    let mut t = json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Igw": {"Type": "AWS::EC2::InternetGateway"},
        "Attach": {"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {
            "VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}}},
        "A": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.0.0/24", "AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}},
        "B": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.1.0/24", "AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": ""}]}}},
        "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
            "Scheme": "internet-facing", "Subnets": [{"Ref": "A"}, {"Ref": "B"}]}}
    }});
    if wait {
        t["Resources"]["Lb"]["DependsOn"] = json!("Attach");
    }
    t
}

/// The subnets are ready before the attachment, so a load balancer that does not wait for the
/// attachment starts in a VPC without a gateway, every time; waiting for it fixes it.
#[tokio::test]
async fn an_internet_facing_lb_not_waiting_for_the_gateway_fails() {
    let cloud = LocalCloud::in_memory();
    let (_, st) = deploy(&cloud, R, "net", &public_lb(false), &[]).await;
    assert_eq!(st, StackStatus::RollbackComplete);
    let vpc = physical(&cloud, "net", "Vpc").await;
    let r = reason(&cloud, "net", "Lb", "CREATE_FAILED").await.unwrap();
    assert!(
        r.starts_with(&format!(
            "VPC {vpc} has no internet gateway (Service: AmazonElasticLoadBalancingV2; Status Code: 400; Error Code: InvalidSubnet; Request ID: "
        )),
        "{r}"
    );
    cloud.delete_stack(R, "net").await.unwrap();
    support::wait(&cloud, R, "net").await;
    let (_, st) = deploy(&cloud, R, "net", &public_lb(true), &[]).await;
    assert_eq!(st, StackStatus::CreateComplete);

    // A gateway an earlier stack attached counts; an internal load balancer needs none.
    let mut later = json!({"Resources": {"Lb": public_lb(false)["Resources"]["Lb"].clone()}});
    let subnets = cloud.describe_stack_resources(R, "net").await.unwrap();
    let id = |l: &str| {
        subnets
            .iter()
            .find(|r| r.logical_id == l)
            .and_then(|r| r.physical_id.clone())
            .unwrap()
    };
    later["Resources"]["Lb"]["Properties"]["Subnets"] = json!([id("A"), id("B")]);
    let (_, st) = deploy(&cloud, R, "app", &later, &[]).await;
    assert_eq!(st, StackStatus::CreateComplete);
}

/// A VPC, an internal load balancer, a target group of `version` and a listener of
/// `protocol` forwarding to it, with certificate `cert` if given.
fn listener(protocol: &str, version: &str, cert: Option<&str>) -> Value {
    let mut t = json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "A": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.0.0/24", "AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}},
        "B": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.1.0/24", "AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": ""}]}}},
        "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
            "Scheme": "internal", "Subnets": [{"Ref": "A"}, {"Ref": "B"}]}},
        "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
            "VpcId": {"Ref": "Vpc"}, "Port": 80, "Protocol": "HTTP", "ProtocolVersion": version}},
        "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
            "LoadBalancerArn": {"Ref": "Lb"}, "Port": 443, "Protocol": protocol,
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}}
    }});
    if let Some(c) = cert {
        t["Resources"]["Listener"]["Properties"]["Certificates"] = json!([{"CertificateArn": c}]);
    }
    t
}

/// ELB refuses a plain HTTP listener forwarding to an HTTP/2 or gRPC target group.
#[tokio::test]
async fn an_http_listener_to_an_http2_or_grpc_target_group_fails() {
    for version in ["HTTP2", "GRPC"] {
        refused_then_fixed(
            "lb",
            &listener("HTTP", version, None),
            "Listener",
            |r| {
                assert!(
                    r.starts_with(&format!(
                        "Internal error reported from downstream service during operation 'Listener protocol 'HTTP' is not supported with a target group with the protocol-version '{version}' (Service: ElasticLoadBalancingV2, Status Code: 400, Request ID: "
                    )) && r.ends_with(", Extended Request ID: null)'."),
                    "{r}"
                )
            },
            &listener("HTTP", "HTTP1", None),
        )
        .await;
    }
}

/// A load balancer takes only ACM certificates of its own Region.
#[tokio::test]
async fn a_certificate_of_another_region_fails_the_listener() {
    let other = "arn:aws:acm:us-west-2:123456789012:certificate/0a1b2c3d";
    let own = "arn:aws:acm:us-east-2:123456789012:certificate/0a1b2c3d";
    refused_then_fixed(
        "lb",
        &listener("HTTPS", "HTTP1", Some(other)),
        "Listener",
        |r| {
            assert!(
                r.contains(&format!(
                    "'Certificate ARN '{other}' is not valid (Service: ElasticLoadBalancingV2"
                )),
                "{r}"
            )
        },
        &listener("HTTPS", "HTTP1", Some(own)),
    )
    .await;
}

/// An EKS cluster of Kubernetes 1.33 and a node group of `ami`, without its own version.
fn eks(ami: &str) -> Value {
    json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "A": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.0.0/24", "AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}},
        "B": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.1.0/24", "AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": ""}]}}},
        "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {
            "Version": "1.33", "RoleArn": "arn:aws:iam::123456789012:role/eks",
            "ResourcesVpcConfig": {"SubnetIds": [{"Ref": "A"}, {"Ref": "B"}]}}},
        "Nodes": {"Type": "AWS::EKS::Nodegroup", "Properties": {
            "ClusterName": {"Ref": "Cluster"}, "AmiType": ami,
            "NodeRole": "arn:aws:iam::123456789012:role/nodes",
            "Subnets": [{"Ref": "A"}, {"Ref": "B"}]}}
    }})
}

/// EKS creates no Amazon Linux 2 node group for Kubernetes 1.33, the cluster's version.
#[tokio::test]
async fn an_al2_node_group_on_kubernetes_1_33_fails() {
    refused_then_fixed(
        "eks",
        &eks("AL2_x86_64"),
        "Nodes",
        |r| {
            assert!(
                r.starts_with(
                    "Resource handler returned message: \"AMI Type AL2_x86_64 is only supported for kubernetes versions 1.32 or earlier (Service: Eks, Status Code: 400, Request ID: "
                ),
                "{r}"
            )
        },
        &eks("AL2023_x86_64_STANDARD"),
    )
    .await;
}

/// An instance waiting for one signal within ten minutes: nothing sends it, so the create
/// fails at the timeout, not before, and the stack rolls back.
#[tokio::test]
async fn a_creation_policy_times_out_without_signals() {
    let instance = |policy: bool| {
        let mut t = json!({"Resources": {"Host": {"Type": "AWS::EC2::Instance", "Properties": {
            "ImageId": "ami-0abcdef1234567890", "InstanceType": "t3.micro"}}}});
        if policy {
            t["Resources"]["Host"]["CreationPolicy"] =
                json!({"ResourceSignal": {"Count": 1, "Timeout": "PT10M"}});
        }
        t
    };
    let cloud = refused_then_fixed(
        "host",
        &instance(true),
        "Host",
        |r| {
            assert_eq!(
                r,
                "Failed to receive 1 resource signal(s) within the specified duration"
            )
        },
        &instance(false),
    )
    .await;
    drop(cloud);
    // The failure comes at the timeout.
    let cloud = LocalCloud::in_memory();
    deploy(&cloud, R, "host", &instance(true), &[]).await;
    let ev = cloud.describe_stack_events(R, "host", None).await.unwrap();
    let at = |status: &str| {
        ev.iter()
            .filter(|e| e.logical_id == "Host" && e.status.as_str() == status)
            .map(|e| e.timestamp)
            .min()
            .unwrap()
    };
    let waited = at("CREATE_FAILED").millis() - at("CREATE_IN_PROGRESS").millis();
    assert_eq!(waited, 600_000);
}

/// A network stack exporting its VPC id, and a stack importing it.
fn exporter(cidr: &str, export: bool) -> Value {
    let mut t = json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}}},
        "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "shop-vpc"}}}
    });
    if !export {
        t["Outputs"]["VpcId"]
            .as_object_mut()
            .unwrap()
            .remove("Export");
    }
    t
}

fn importer() -> Value {
    json!({"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupDescription": "app", "VpcId": {"Fn::ImportValue": "shop-vpc"}}}}})
}

/// An export another stack imports cannot change value, go, or go with its stack, each with
/// CloudFormation's reason; a deletion refused this way leaves the stack in its former status.
#[tokio::test]
async fn an_export_in_use_cannot_change_go_or_be_deleted() {
    let cloud = LocalCloud::in_memory();
    assert_eq!(
        deploy(&cloud, R, "net", &exporter("10.0.0.0/16", true), &[])
            .await
            .1,
        StackStatus::CreateComplete
    );
    assert_eq!(
        deploy(&cloud, R, "app", &importer(), &[]).await.1,
        StackStatus::CreateComplete
    );

    // A new CIDR replaces the VPC: a new id for the export.
    let (_, st) = deploy(&cloud, R, "net", &exporter("10.1.0.0/16", true), &[]).await;
    assert_eq!(st, StackStatus::UpdateRollbackComplete);
    assert_eq!(
        reason(&cloud, "net", "net", "UPDATE_ROLLBACK_IN_PROGRESS")
            .await
            .as_deref(),
        Some("Cannot update export shop-vpc as it is in use by app.")
    );

    let (_, st) = deploy(&cloud, R, "net", &exporter("10.0.0.0/16", false), &[]).await;
    assert_eq!(st, StackStatus::UpdateRollbackComplete);
    assert_eq!(
        reason(&cloud, "net", "net", "UPDATE_ROLLBACK_IN_PROGRESS")
            .await
            .as_deref(),
        Some("Delete canceled. Cannot delete export shop-vpc as it is in use by app.")
    );

    cloud.delete_stack(R, "net").await.unwrap();
    let st = support::wait(&cloud, R, "net").await;
    assert_eq!(
        st,
        StackStatus::UpdateRollbackComplete,
        "back to its former status"
    );
    let d = cloud.describe_stack(R, "net").await.unwrap().unwrap();
    assert_eq!(
        d.status_reason.as_deref(),
        Some("Delete canceled. Cannot delete export shop-vpc as it is in use by app.")
    );
    assert!(
        events(&cloud, R, "net")
            .await
            .iter()
            .any(|e| e.0 == "net" && e.1 == "DELETE_IN_PROGRESS"),
    );
    assert_eq!(
        cloud
            .describe_stack_resources(R, "net")
            .await
            .unwrap()
            .len(),
        1
    );

    // Once the importer is gone, all three go through.
    cloud.delete_stack(R, "app").await.unwrap();
    support::wait(&cloud, R, "app").await;
    let (_, st) = deploy(&cloud, R, "net", &exporter("10.1.0.0/16", false), &[]).await;
    assert_eq!(st, StackStatus::UpdateComplete);
    cloud.delete_stack(R, "net").await.unwrap();
    assert_eq!(
        support::wait(&cloud, R, "net").await,
        StackStatus::DeleteComplete
    );
}
