//! What the simulator refuses because AWS does: required properties left out, an Auto Scaling
//! group without a launch source, an Application Load Balancer without two Availability
//! Zones, references to VPCs, subnets, security groups, key pairs, hosted zones and buckets
//! the account does not have, and AWS-specific parameter types naming nothing. Each refusal
//! with AWS's message, where AWS reports it, and the same template accepted once the thing
//! exists.

use crate::support;

use dr_core::Region;
use dr_core::cloud::{
    ChangeSetType, Cloud, CloudErrorKind, CreateChangeSetInput, ParameterValue, StackStatus,
    TemplateSource,
};
use dr_local::LocalCloud;
use serde_json::{Value, json};
use support::{deploy, events};

const R: Region = Region::UsEast2;

/// Deploys `template` as stack `stack`, which must fail and roll back; returns the
/// `CREATE_FAILED` reason of `logical_id`.
async fn create_fails(
    cloud: &LocalCloud,
    stack: &str,
    template: &Value,
    logical_id: &str,
) -> String {
    let (cs, status) = deploy(cloud, R, stack, template, &[]).await;
    assert_eq!(
        cs.status.as_str(),
        "CREATE_COMPLETE",
        "the change set is not where AWS refuses"
    );
    assert_eq!(status, StackStatus::RollbackComplete);
    let ev = events(cloud, R, stack).await;
    ev.iter()
        .find(|e| e.0 == logical_id && e.1 == "CREATE_FAILED")
        .and_then(|e| e.2.clone())
        .unwrap_or_else(|| panic!("no CREATE_FAILED for {logical_id}: {ev:?}"))
}

/// Deploys `template` as stack `stack`, which must succeed.
async fn creates(cloud: &LocalCloud, stack: &str, template: &Value) {
    let (_, status) = deploy(cloud, R, stack, template, &[]).await;
    assert_eq!(
        status,
        StackStatus::CreateComplete,
        "{:?}",
        events(cloud, R, stack).await
    );
}

/// A VPC with subnets in the given Availability Zones (`Subnet0`, `Subnet1`, …) and a
/// security group.
fn network(zones: &[&str]) -> Value {
    let mut resources = serde_json::Map::new();
    resources.insert(
        "Vpc".into(),
        json!({"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}),
    );
    for (i, az) in zones.iter().enumerate() {
        resources.insert(
            format!("Subnet{i}"),
            json!({"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": {"Ref": "Vpc"}, "CidrBlock": format!("10.0.{i}.0/24"), "AvailabilityZone": az}}),
        );
    }
    resources.insert(
        "Sg".into(),
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "app", "VpcId": {"Ref": "Vpc"}}}),
    );
    json!({"Resources": resources})
}

/// A template whose resource `Res` is `resource`.
fn one(resource: Value) -> Value {
    json!({"Resources": {"Res": resource}})
}

#[tokio::test]
async fn a_required_property_left_out_fails_the_resource_with_the_schema_message() {
    let cloud = LocalCloud::in_memory();
    // One key missing: the single-line form.
    let reason = create_fails(
        &cloud,
        "sg",
        &json!({"Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": {"Ref": "Vpc"}}}
        }}),
        "Sg",
    )
    .await;
    assert_eq!(
        reason,
        "Properties validation failed for resource Sg with message: #: required key [GroupDescription] not found"
    );
    // Two missing: one line each.
    let reason = create_fails(
        &cloud,
        "param",
        &json!({"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/x"}}}}),
        "P",
    )
    .await;
    assert_eq!(
        reason,
        "Properties validation failed for resource P with message:\n#: required key [Value] not found\n#: required key [Type] not found"
    );
    // An Auto Scaling group without its sizes.
    let reason = create_fails(
        &cloud,
        "asg",
        &json!({"Resources": {
            "Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"InstanceType": "t3.micro"}}},
            "Asg": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
                "MaxSize": "1",
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}, "Version": "1"}}}
        }}),
        "Asg",
    )
    .await;
    assert_eq!(
        reason,
        "Properties validation failed for resource Asg with message: #: required key [MinSize] not found"
    );
    // With the property, the same resource is created.
    creates(
        &cloud,
        "param2",
        &json!({"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/x", "Type": "String", "Value": "v"}}}}),
    )
    .await;
}

#[tokio::test]
async fn a_required_property_removed_by_an_update_fails_the_update() {
    let cloud = LocalCloud::in_memory();
    let with = |value: Option<&str>| {
        let mut p = json!({"Name": "/x", "Type": "String"});
        if let Some(v) = value {
            p["Value"] = json!(v);
        }
        json!({"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": p}}})
    };
    creates(&cloud, "param", &with(Some("v"))).await;
    let (_, status) = deploy(&cloud, R, "param", &with(None), &[]).await;
    assert_eq!(status, StackStatus::UpdateRollbackComplete);
    let ev = events(&cloud, R, "param").await;
    assert!(
        ev.iter().any(|e| e.0 == "P"
            && e.1 == "UPDATE_FAILED"
            && e.2.as_deref()
                == Some("Properties validation failed for resource P with message: #: required key [Value] not found")),
        "{ev:?}"
    );
}

#[tokio::test]
async fn an_auto_scaling_group_without_a_launch_source_is_refused() {
    let cloud = LocalCloud::in_memory();
    let reason = create_fails(
        &cloud,
        "asg",
        &one(json!({"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {"MinSize": "0", "MaxSize": "1"}})),
        "Res",
    )
    .await;
    assert!(
        reason.starts_with("Resource handler returned message: \"Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter. (Service: AutoScaling, Status Code: 400, Request ID: "),
        "{reason}"
    );
    assert!(
        reason.ends_with("HandlerErrorCode: InvalidRequest)"),
        "{reason}"
    );
}

/// A launch template with `data` and a group launching from it.
fn fleet(data: Value) -> Value {
    json!({"Resources": {
        "Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": data}},
        "Asg": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
            "MinSize": "0", "MaxSize": "1",
            "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}, "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]}}}}
    }})
}

#[tokio::test]
async fn a_group_launching_with_a_missing_key_pair_fails_until_the_key_pair_exists() {
    let cloud = LocalCloud::in_memory();
    let t = fleet(json!({"InstanceType": "t3.micro", "KeyName": "ops"}));
    let reason = create_fails(&cloud, "fleet", &t, "Asg").await;
    assert!(
        reason.starts_with("Resource handler returned message: \"You must use a valid fully-formed launch template. The key pair 'ops' does not exist (Service: AutoScaling, Status Code: 400, "),
        "{reason}"
    );
    // The launch template itself was created: EC2 does not validate it.
    let ev = events(&cloud, R, "fleet").await;
    assert!(
        ev.iter().any(|e| e.0 == "Lt" && e.1 == "CREATE_COMPLETE"),
        "{ev:?}"
    );
    // A key pair of another Region does not count.
    cloud.create_key_pair(Region::UsWest2, "ops");
    create_fails(&cloud, "fleet2", &t, "Asg").await;
    cloud.create_key_pair(R, "ops");
    creates(&cloud, "fleet3", &t).await;
}

#[tokio::test]
async fn a_key_pair_made_by_a_stack_counts() {
    let cloud = LocalCloud::in_memory();
    let mut t = fleet(json!({"InstanceType": "t3.micro", "KeyName": {"Ref": "Key"}}));
    t["Resources"]["Key"] = json!({"Type": "AWS::EC2::KeyPair", "Properties": {"KeyName": "ops"}});
    creates(&cloud, "fleet", &t).await;
}

#[tokio::test]
async fn a_group_launching_with_a_missing_security_group_is_refused() {
    let cloud = LocalCloud::in_memory();
    let t =
        fleet(json!({"InstanceType": "t3.micro", "SecurityGroupIds": ["sg-0123456789abcdef0"]}));
    let reason = create_fails(&cloud, "fleet", &t, "Asg").await;
    assert!(
        reason.starts_with("Resource handler returned message: \"You must use a valid fully-formed launch template. The security group 'sg-0123456789abcdef0' does not exist (Service: AutoScaling"),
        "{reason}"
    );
    // A group of the account's network is found.
    let mut t = fleet(json!({"InstanceType": "t3.micro", "SecurityGroupIds": [{"Ref": "Sg"}]}));
    let net = network(&["us-east-2a"]);
    for (k, v) in net["Resources"].as_object().unwrap() {
        t["Resources"][k] = v.clone();
    }
    creates(&cloud, "fleet2", &t).await;
}

/// An Application Load Balancer on `subnets` (logical ids), with the network.
fn alb(zones: &[&str], subnets: &[&str]) -> Value {
    let mut t = network(zones);
    let subnets: Vec<Value> = subnets.iter().map(|s| json!({"Ref": s})).collect();
    // Internal, so the internet gateway rule (tested in provider_rules.rs) stays out of it.
    let mut props = json!({"SecurityGroups": [{"Ref": "Sg"}], "Scheme": "internal"});
    if !subnets.is_empty() {
        props["Subnets"] = json!(subnets);
    }
    t["Resources"]["Lb"] =
        json!({"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": props});
    t
}

#[tokio::test]
async fn an_application_load_balancer_needs_subnets_in_two_zones() {
    let cloud = LocalCloud::in_memory();
    let expected = "At least two subnets in two different Availability Zones must be specified (Service: AmazonElasticLoadBalancing; Status Code: 400; Error Code: ValidationError; Request ID: ";
    // No subnets at all.
    let reason = create_fails(&cloud, "none", &alb(&["us-east-2a"], &[]), "Lb").await;
    assert!(reason.starts_with(expected), "{reason}");
    assert!(reason.ends_with("; Proxy: null)"), "{reason}");
    // Two subnets, one zone.
    let reason = create_fails(
        &cloud,
        "one-zone",
        &alb(&["us-east-2a", "us-east-2a"], &["Subnet0", "Subnet1"]),
        "Lb",
    )
    .await;
    assert!(reason.starts_with(expected), "{reason}");
    // Two zones.
    creates(
        &cloud,
        "two-zones",
        &alb(&["us-east-2a", "us-east-2b"], &["Subnet0", "Subnet1"]),
    )
    .await;
    // A network load balancer is not held to it.
    let mut nlb = alb(&["us-east-2a"], &["Subnet0"]);
    nlb["Resources"]["Lb"]["Properties"]["Type"] = json!("network");
    creates(&cloud, "nlb", &nlb).await;
}

/// A record in the zone named by `zone` (`HostedZoneId` or `HostedZoneName`).
fn record(zone: Value) -> Value {
    let mut p = json!({"Name": "app.example.com", "Type": "A", "TTL": "60", "ResourceRecords": ["192.0.2.1"]});
    for (k, v) in zone.as_object().unwrap() {
        p[k] = v.clone();
    }
    one(json!({"Type": "AWS::Route53::RecordSet", "Properties": p}))
}

#[tokio::test]
async fn a_record_in_a_hosted_zone_that_does_not_exist_is_refused() {
    let cloud = LocalCloud::in_memory();
    let by_id = record(json!({"HostedZoneId": "Z0123456789ABCDEFGHIJ"}));
    let reason = create_fails(&cloud, "by-id", &by_id, "Res").await;
    assert_eq!(
        reason,
        "No hosted zone found with ID: Z0123456789ABCDEFGHIJ"
    );
    let by_name = record(json!({"HostedZoneName": "example.com."}));
    let reason = create_fails(&cloud, "by-name", &by_name, "Res").await;
    assert_eq!(reason, "No hosted zones named example.com. found");

    // Once the account has the zone, both deploy.
    let id = cloud.create_hosted_zone("example.com");
    creates(&cloud, "by-id2", &record(json!({"HostedZoneId": id}))).await;
    creates(&cloud, "by-name2", &by_name).await;
}

#[tokio::test]
async fn a_record_in_a_zone_made_by_another_stack_in_another_region_is_accepted() {
    let cloud = LocalCloud::in_memory();
    let (_, status) = deploy(
        &cloud,
        Region::UsWest2,
        "zone",
        &json!({"Resources": {"Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "shop.example.com"}}},
                "Outputs": {"Id": {"Value": {"Ref": "Zone"}}}}),
        &[],
    )
    .await;
    assert_eq!(status, StackStatus::CreateComplete);
    let zone = cloud
        .describe_stack(Region::UsWest2, "zone")
        .await
        .unwrap()
        .unwrap()
        .outputs[0]
        .value
        .clone();
    creates(&cloud, "rec", &record(json!({"HostedZoneId": zone}))).await;
    creates(
        &cloud,
        "rec2",
        &record(json!({"HostedZoneName": "shop.example.com"})),
    )
    .await;
}

#[tokio::test]
async fn a_security_group_or_subnet_in_a_vpc_that_does_not_exist_is_refused() {
    let cloud = LocalCloud::in_memory();
    let reason = create_fails(
        &cloud,
        "sg",
        &one(json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x", "VpcId": "vpc-0123456789abcdef0"}})),
        "Res",
    )
    .await;
    assert!(
        reason.starts_with("The vpc ID 'vpc-0123456789abcdef0' does not exist (Service: AmazonEC2; Status Code: 400; Error Code: InvalidVpcID.NotFound; Request ID: "),
        "{reason}"
    );
    let reason = create_fails(
        &cloud,
        "subnet",
        &one(json!({"Type": "AWS::EC2::Subnet", "Properties": {"CidrBlock": "10.0.0.0/24", "VpcId": "vpc-0123456789abcdef0"}})),
        "Res",
    )
    .await;
    assert!(
        reason.starts_with("Resource handler returned message: \"The vpc ID 'vpc-0123456789abcdef0' does not exist (Service: Ec2, Status Code: 400"),
        "{reason}"
    );
    // A VPC made by an earlier stack of the Region is found by its id.
    let (_, status) = deploy(
        &cloud,
        R,
        "net",
        &json!({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}},
                "Outputs": {"Vpc": {"Value": {"Ref": "Vpc"}}}}),
        &[],
    )
    .await;
    assert_eq!(status, StackStatus::CreateComplete);
    let vpc = cloud
        .describe_stack(R, "net")
        .await
        .unwrap()
        .unwrap()
        .outputs[0]
        .value
        .clone();
    creates(
        &cloud,
        "sg2",
        &one(json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x", "VpcId": vpc}})),
    )
    .await;
    // …but not from another Region.
    let (_, status) = deploy(
        &cloud,
        Region::UsWest2,
        "sg3",
        &one(json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x", "VpcId": vpc}})),
        &[],
    )
    .await;
    assert_eq!(status, StackStatus::RollbackComplete);
}

#[tokio::test]
async fn an_eks_cluster_on_a_subnet_that_does_not_exist_is_refused() {
    let cloud = LocalCloud::in_memory();
    let reason = create_fails(
        &cloud,
        "eks",
        &one(json!({"Type": "AWS::EKS::Cluster", "Properties": {
            "RoleArn": "arn:aws:iam::123456789012:role/eks",
            "ResourcesVpcConfig": {"SubnetIds": ["subnet-0123456789abcdef0"]}}})),
        "Res",
    )
    .await;
    assert!(
        reason.starts_with("Resource handler returned message: \"The subnet ID 'subnet-0123456789abcdef0' does not exist (Service: AmazonEC2; Status Code: 400; Error Code: InvalidSubnetID.NotFound; "),
        "{reason}"
    );
    assert!(
        reason.contains("(Service: Eks, Status Code: 400"),
        "{reason}"
    );
}

#[tokio::test]
async fn put_object_needs_a_bucket_of_the_region() {
    let cloud = LocalCloud::in_memory();
    let err = cloud
        .put_object(R, "shop-templates", "t.json", b"{}".to_vec())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(
        err.message(),
        "NoSuchBucket: The specified bucket does not exist"
    );
    // A bucket of another Region: S3 redirects.
    cloud.create_bucket(Region::UsWest2, "shop-templates");
    let err = cloud
        .put_object(R, "shop-templates", "t.json", b"{}".to_vec())
        .await
        .unwrap_err();
    assert_eq!(*err.kind(), CloudErrorKind::Validation, "{err:?}");
    assert_eq!(
        err.message(),
        "PermanentRedirect: The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint."
    );
    cloud
        .put_object(Region::UsWest2, "shop-templates", "t.json", b"{}".to_vec())
        .await
        .unwrap();
    // A bucket made by a stack.
    creates(
        &cloud,
        "bucket",
        &one(json!({"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "shop-east"}})),
    )
    .await;
    cloud
        .put_object(R, "shop-east", "t.json", b"{}".to_vec())
        .await
        .unwrap();
}

/// `CreateChangeSet` of a template with one parameter `P` of `type_name` set to `value`.
async fn parameter(
    cloud: &LocalCloud,
    stack: &str,
    type_name: &str,
    value: &str,
) -> Result<(), String> {
    let body = json!({
        "Parameters": {"P": {"Type": type_name}},
        "Resources": {"T": {"Type": "AWS::SNS::Topic"}}
    });
    cloud
        .create_change_set(
            R,
            CreateChangeSetInput {
                stack_name: stack.into(),
                change_set_name: "cs".into(),
                change_set_type: ChangeSetType::Create,
                template: TemplateSource::Body(body.to_string()),
                parameters: vec![ParameterValue {
                    key: "P".into(),
                    value: value.into(),
                }],
                capabilities: vec![],
                tags: vec![],
                description: None,
                client_token: None,
            },
        )
        .await
        .map(|_| ())
        .map_err(|e| {
            assert_eq!(*e.kind(), CloudErrorKind::Validation, "{e:?}");
            e.message().to_string()
        })
}

#[tokio::test]
async fn each_aws_specific_parameter_type_must_name_something_that_exists() {
    let cloud = LocalCloud::in_memory();
    for (type_name, value) in [
        ("AWS::EC2::KeyPair::KeyName", "ops"),
        ("AWS::EC2::VPC::Id", "vpc-0123456789abcdef0"),
        ("AWS::EC2::Subnet::Id", "subnet-0123456789abcdef0"),
        ("AWS::EC2::SecurityGroup::Id", "sg-0123456789abcdef0"),
        ("AWS::Route53::HostedZone::Id", "Z0123456789ABCDEFGHIJ"),
        ("AWS::SSM::Parameter::Name", "/no/such/parameter"),
        ("List<AWS::EC2::Subnet::Id>", "subnet-0123456789abcdef0"),
        ("List<AWS::EC2::SecurityGroup::Id>", "sg-0123456789abcdef0"),
    ] {
        let err = parameter(&cloud, "p", type_name, value).await.unwrap_err();
        assert_eq!(
            err,
            format!(
                "Parameter validation failed: parameter value {value} for parameter name P does not exist."
            ),
            "{type_name}"
        );
    }
    // An empty value reads with one space.
    assert_eq!(
        parameter(&cloud, "p", "AWS::EC2::KeyPair::KeyName", "")
            .await
            .unwrap_err(),
        "Parameter validation failed: parameter value for parameter name P does not exist."
    );
}

#[tokio::test]
async fn aws_specific_parameter_types_accept_what_the_account_has() {
    let cloud = LocalCloud::in_memory();
    cloud.create_key_pair(R, "ops");
    let zone = cloud.create_hosted_zone("example.com");
    let (_, status) = deploy(
        &cloud,
        R,
        "net",
        &network(&["us-east-2a", "us-east-2b"]),
        &[],
    )
    .await;
    assert_eq!(status, StackStatus::CreateComplete);
    let res = cloud.describe_stack_resources(R, "net").await.unwrap();
    let id = |l: &str| {
        res.iter()
            .find(|r| r.logical_id == l)
            .and_then(|r| r.physical_id.clone())
            .unwrap()
    };
    let subnets = format!("{}, {}", id("Subnet0"), id("Subnet1"));
    for (n, (type_name, value)) in [
        ("AWS::EC2::KeyPair::KeyName", "ops".to_string()),
        ("AWS::EC2::VPC::Id", id("Vpc")),
        ("AWS::EC2::SecurityGroup::Id", id("Sg")),
        ("List<AWS::EC2::Subnet::Id>", subnets.clone()),
        ("AWS::Route53::HostedZone::Id", zone.clone()),
        (
            "AWS::SSM::Parameter::Name",
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64".to_string(),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        parameter(&cloud, &format!("p{n}"), type_name, &value)
            .await
            .unwrap_or_else(|e| panic!("{type_name}: {e}"));
    }
    // One element of a list missing names that element.
    let err = parameter(
        &cloud,
        "bad-list",
        "List<AWS::EC2::Subnet::Id>",
        &format!("{},subnet-0123456789abcdef0", id("Subnet0")),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        "Parameter validation failed: parameter value subnet-0123456789abcdef0 for parameter name P does not exist."
    );
    // A key pair is Regional.
    let err = cloud
        .create_change_set(
            Region::UsWest2,
            CreateChangeSetInput {
                stack_name: "west".into(),
                change_set_name: "cs".into(),
                change_set_type: ChangeSetType::Create,
                template: TemplateSource::Body(
                    json!({"Parameters": {"K": {"Type": "AWS::EC2::KeyPair::KeyName"}},
                           "Resources": {"T": {"Type": "AWS::SNS::Topic"}}})
                    .to_string(),
                ),
                parameters: vec![ParameterValue {
                    key: "K".into(),
                    value: "ops".into(),
                }],
                capabilities: vec![],
                tags: vec![],
                description: None,
                client_token: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        "Parameter validation failed: parameter value ops for parameter name K does not exist."
    );
}

#[tokio::test]
async fn an_ssm_typed_parameter_checks_the_value_it_resolves_to() {
    let cloud = LocalCloud::in_memory();
    cloud.put_ssm_parameter(R, "/shop/subnet", "subnet-0123456789abcdef0");
    let err = parameter(
        &cloud,
        "p",
        "AWS::SSM::Parameter::Value<AWS::EC2::Subnet::Id>",
        "/shop/subnet",
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        "Parameter validation failed: parameter value subnet-0123456789abcdef0 for parameter name P does not exist."
    );
}

#[tokio::test]
async fn every_missing_value_is_named_in_one_reason() {
    let cloud = LocalCloud::in_memory();
    let body = json!({
        "Parameters": {
            "Key": {"Type": "AWS::EC2::KeyPair::KeyName"},
            "Vpc": {"Type": "AWS::EC2::VPC::Id"}
        },
        "Resources": {"T": {"Type": "AWS::SNS::Topic"}}
    });
    let err = cloud
        .create_change_set(
            R,
            CreateChangeSetInput {
                stack_name: "p".into(),
                change_set_name: "cs".into(),
                change_set_type: ChangeSetType::Create,
                template: TemplateSource::Body(body.to_string()),
                parameters: vec![
                    ParameterValue {
                        key: "Key".into(),
                        value: "ops".into(),
                    },
                    ParameterValue {
                        key: "Vpc".into(),
                        value: "vpc-1".into(),
                    },
                ],
                capabilities: vec![],
                tags: vec![],
                description: None,
                client_token: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        "Parameter validation failed: parameter value ops for parameter name Key does not exist, parameter value vpc-1 for parameter name Vpc does not exist."
    );
}

#[tokio::test]
async fn an_alarm_notifying_a_topic_of_another_region_is_refused_with_cloudwatchs_message() {
    let cloud = LocalCloud::in_memory();
    let alarm = |topic: &str| {
        one(json!({"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "Namespace": "drkit", "MetricName": "PrimaryActive", "Statistic": "Minimum",
            "Period": 60, "EvaluationPeriods": 1, "Threshold": 1,
            "ComparisonOperator": "LessThanThreshold", "AlarmActions": [topic]}}))
    };
    let reason = create_fails(
        &cloud,
        "alarm-elsewhere",
        &alarm("arn:aws:sns:us-west-2:123456789012:alarms"),
        "Res",
    )
    .await;
    assert!(
        reason.contains("Invalid region us-west-2 specified. Only us-east-2 is supported."),
        "{reason}"
    );
    creates(
        &cloud,
        "alarm-here",
        &alarm("arn:aws:sns:us-east-2:123456789012:alarms"),
    )
    .await;
}

/// An Aurora MySQL cluster with `extra` properties and one instance with `instance` ones.
fn aurora_with(extra: Value, instance: Value) -> Value {
    let mut cluster = json!({"Engine": "aurora-mysql", "EngineVersion": "8.0.mysql_aurora.3.10.3",
        "MasterUsername": "admin", "MasterUserPassword": "correct-horse-battery"});
    cluster
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let mut inst = json!({"DBClusterIdentifier": {"Ref": "Cluster"}, "Engine": "aurora-mysql",
        "DBInstanceClass": "db.r6g.large"});
    inst.as_object_mut()
        .unwrap()
        .extend(instance.as_object().unwrap().clone());
    json!({"Resources": {
        "Cluster": {"Type": "AWS::RDS::DBCluster", "Properties": cluster},
        "Db": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Delete", "Properties": inst}
    }})
}

/// RDS refuses Enhanced Monitoring without its role, with RDS's message in the handler's
/// wording; with the role the instance is created.
#[tokio::test]
async fn enhanced_monitoring_without_a_role_fails_the_instance() {
    let cloud = LocalCloud::in_memory();
    let reason = create_fails(
        &cloud,
        "em-no-role",
        &aurora_with(json!({}), json!({"MonitoringInterval": 60})),
        "Db",
    )
    .await;
    assert!(
        reason.starts_with("Resource handler returned message: \"A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0. (Service: Rds, Status Code: 400"),
        "{reason}"
    );
    creates(
        &cloud,
        "em-role",
        &aurora_with(
            json!({}),
            json!({"MonitoringInterval": 60,
                "MonitoringRoleArn": "arn:aws:iam::123456789012:role/rds-monitoring"}),
        ),
    )
    .await;
}

/// RDS refuses a log type of the other engine, naming it and the engine version.
#[tokio::test]
async fn a_log_type_the_engine_does_not_export_fails_the_cluster() {
    let cloud = LocalCloud::in_memory();
    let reason = create_fails(
        &cloud,
        "logs-wrong",
        &aurora_with(
            json!({"EnableCloudwatchLogsExports": ["error", "postgresql"]}),
            json!({}),
        ),
        "Cluster",
    )
    .await;
    assert!(
        reason.contains("You cannot use the log types 'postgresql' with engine version aurora-mysql 8.0.mysql_aurora.3.10.3. For supported log types, see the documentation."),
        "{reason}"
    );
    creates(
        &cloud,
        "logs-right",
        &aurora_with(
            json!({"EnableCloudwatchLogsExports": ["audit", "error", "slowquery"]}),
            json!({}),
        ),
    )
    .await;
}

/// The Advanced mode of Database Insights without Performance Insights kept 465 days fails
/// the cluster; with them it is created.
#[tokio::test]
async fn advanced_database_insights_without_465_days_fails_the_cluster() {
    let cloud = LocalCloud::in_memory();
    let reason = create_fails(
        &cloud,
        "insights-short",
        &aurora_with(
            json!({"DatabaseInsightsMode": "advanced", "PerformanceInsightsEnabled": true}),
            json!({}),
        ),
        "Cluster",
    )
    .await;
    assert!(
        reason.contains("To enable the Advanced mode of Database Insights, modify your cluster to enable Performance Insights and set the retention period for Performance Insights to at least 465 days."),
        "{reason}"
    );
    creates(
        &cloud,
        "insights-long",
        &aurora_with(
            json!({"DatabaseInsightsMode": "advanced", "PerformanceInsightsEnabled": true,
                "PerformanceInsightsRetentionPeriod": 465}),
            json!({}),
        ),
    )
    .await;
}
