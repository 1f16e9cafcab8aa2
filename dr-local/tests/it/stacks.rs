//! The local simulator's CloudFormation behaviour through the `Cloud` port: create events in
//! order, updates with replacements predicted from create-only properties, injected failures
//! rolled back with CloudFormation's reasons, exports and imports, protections.

use crate::support;

use dr_core::Region;
use dr_core::cloud::{ChangeAction, Cloud, CloudErrorKind, Replacement, StackStatus};
use dr_local::LocalCloud;
use serde_json::{Value, json};
use support::{change_set, deploy, events};

const R: Region = Region::UsEast2;

fn network(cidr: &str) -> Value {
    json!({
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}},
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": {"Ref": "Vpc"},
                "CidrBlock": {"Fn::Select": [0, {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 2, 8]}]},
                "AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
            }},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "app", "VpcId": {"Ref": "Vpc"}}}
        },
        "Outputs": {
            "VpcId": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "shop-vpc-id"}},
            "SubnetAz": {"Value": {"Fn::GetAtt": ["Subnet", "AvailabilityZone"]}}
        }
    })
}

#[tokio::test]
async fn create_emits_cloudformation_events_in_order() {
    let cloud = LocalCloud::in_memory();
    let cs = change_set(
        &cloud,
        R,
        "shop-net",
        &network("10.10.0.0/16"),
        &[],
        "first",
    )
    .await;
    // A CREATE change set makes the stack appear as REVIEW_IN_PROGRESS.
    assert_eq!(
        cloud
            .describe_stack(R, "shop-net")
            .await
            .unwrap()
            .unwrap()
            .status,
        StackStatus::ReviewInProgress
    );
    assert!(
        cloud.get_template(R, "shop-net").await.is_err(),
        "nothing is deployed yet"
    );
    assert_eq!(
        cs.changes
            .iter()
            .map(|c| (c.logical_id.as_str(), c.action.clone()))
            .collect::<Vec<_>>(),
        [
            ("Vpc", ChangeAction::Add),
            ("Subnet", ChangeAction::Add),
            ("Sg", ChangeAction::Add)
        ]
    );
    cloud
        .execute_change_set(R, "shop-net", &cs.change_set_id)
        .await
        .unwrap();
    let st = support::wait(&cloud, R, "shop-net").await;
    assert_eq!(st, StackStatus::CreateComplete);

    let ev = events(&cloud, R, "shop-net").await;
    let s =
        |l: &str, st: &str, r: Option<&str>| (l.to_string(), st.to_string(), r.map(str::to_string));
    assert_eq!(
        ev.first(),
        Some(&s("shop-net", "REVIEW_IN_PROGRESS", Some("User Initiated")))
    );
    assert_eq!(
        ev[1],
        s("shop-net", "CREATE_IN_PROGRESS", Some("User Initiated"))
    );
    assert_eq!(ev.last(), Some(&s("shop-net", "CREATE_COMPLETE", None)));
    // Per resource: IN_PROGRESS, IN_PROGRESS "Resource creation Initiated", COMPLETE.
    for r in ["Vpc", "Subnet", "Sg"] {
        let mine: Vec<_> = ev.iter().filter(|e| e.0 == r).cloned().collect();
        assert_eq!(
            mine,
            [
                s(r, "CREATE_IN_PROGRESS", None),
                s(r, "CREATE_IN_PROGRESS", Some("Resource creation Initiated")),
                s(r, "CREATE_COMPLETE", None)
            ]
        );
    }
    // Dependencies: the subnet and the group start after the VPC completes; they run at once.
    let raw = {
        let mut v = cloud
            .describe_stack_events(R, "shop-net", None)
            .await
            .unwrap();
        v.reverse();
        v
    };
    let at = |l: &str, st: &str| {
        raw.iter()
            .find(|e| e.logical_id == l && e.status.as_str() == st)
            .unwrap()
            .timestamp
    };
    assert!(at("Subnet", "CREATE_IN_PROGRESS") >= at("Vpc", "CREATE_COMPLETE"));
    assert_eq!(
        at("Subnet", "CREATE_IN_PROGRESS"),
        at("Sg", "CREATE_IN_PROGRESS")
    );

    let d = cloud.describe_stack(R, "shop-net").await.unwrap().unwrap();
    let vpc = d.output("VpcId").unwrap();
    assert!(vpc.starts_with("vpc-") && vpc.len() == 21, "{vpc}");
    assert_eq!(d.output("SubnetAz"), Some("us-east-2a"));
    let res = cloud.describe_stack_resources(R, "shop-net").await.unwrap();
    assert_eq!(res.len(), 3);
    assert!(
        res.iter()
            .all(|r| r.physical_id.is_some() && r.status.as_str() == "CREATE_COMPLETE")
    );
    assert_eq!(
        cloud.get_template(R, "shop-net").await.unwrap(),
        serde_json::to_string(&network("10.10.0.0/16")).unwrap()
    );
}

#[tokio::test]
async fn update_predicts_replacement_from_create_only_properties() {
    let cloud = LocalCloud::in_memory();
    assert_eq!(
        deploy(&cloud, R, "shop-net", &network("10.10.0.0/16"), &[])
            .await
            .1,
        StackStatus::CreateComplete
    );
    let old_vpc = cloud
        .describe_stack(R, "shop-net")
        .await
        .unwrap()
        .unwrap()
        .output("VpcId")
        .unwrap()
        .to_string();

    // Same template again: the empty change set fails with CloudFormation's reason.
    let cs = change_set(
        &cloud,
        R,
        "shop-net",
        &network("10.10.0.0/16"),
        &[],
        "again",
    )
    .await;
    assert!(cs.is_empty_change(), "{cs:?}");
    assert_eq!(
        cs.status_reason.as_deref(),
        Some(
            "The submitted information didn't contain changes. Submit different information to create a change set."
        )
    );
    assert_eq!(cs.execution_status.as_str(), "UNAVAILABLE");

    // CidrBlock is create-only on AWS::EC2::VPC: Replacement True. The subnet takes its VPC id
    // and CIDR from the VPC, which is replaced: its create-only VpcId is only known at deploy
    // time, so Conditional. The group's create-only VpcId, too.
    let cs = change_set(&cloud, R, "shop-net", &network("10.20.0.0/16"), &[], "cidr").await;
    let by = |id: &str| {
        cs.changes
            .iter()
            .find(|c| c.logical_id == id)
            .unwrap_or_else(|| panic!("{id}: {cs:?}"))
    };
    assert_eq!(by("Vpc").replacement, Some(Replacement::True));
    assert_eq!(by("Vpc").replacing_properties(), ["CidrBlock"]);
    assert_eq!(by("Subnet").replacement, Some(Replacement::Conditional));
    assert!(
        by("Subnet")
            .replacing_properties()
            .contains(&"VpcId".to_string())
    );
    assert_eq!(by("Sg").replacement, Some(Replacement::Conditional));
    let source = |id: &str, prop: &str| {
        let d = by(id)
            .details
            .iter()
            .find(|d| d.name.as_deref() == Some(prop))
            .unwrap();
        (
            d.evaluation.clone().unwrap().as_str().to_string(),
            d.change_source.clone().unwrap().as_str().to_string(),
            d.causing_entity.clone(),
        )
    };
    assert_eq!(
        source("Sg", "VpcId"),
        (
            "Dynamic".into(),
            "ResourceReference".into(),
            Some("Vpc".into())
        )
    );
    assert_eq!(
        source("Subnet", "CidrBlock"),
        (
            "Dynamic".into(),
            "ResourceAttribute".into(),
            Some("Vpc.CidrBlock".into())
        )
    );
    assert_eq!(
        source("Vpc", "CidrBlock"),
        ("Static".into(), "DirectModification".into(), None)
    );
    cloud
        .execute_change_set(R, "shop-net", &cs.change_set_id)
        .await
        .unwrap();
    assert_eq!(
        support::wait(&cloud, R, "shop-net").await,
        StackStatus::UpdateComplete
    );
    let new_vpc = cloud
        .describe_stack(R, "shop-net")
        .await
        .unwrap()
        .unwrap()
        .output("VpcId")
        .unwrap()
        .to_string();
    assert_ne!(old_vpc, new_vpc);
    let ev = events(&cloud, R, "shop-net").await;
    let tail: Vec<_> = ev
        .iter()
        .skip_while(|e| e.1 != "UPDATE_IN_PROGRESS")
        .collect();
    assert_eq!(
        tail.iter().find(|e| e.0 == "Vpc").unwrap().2.as_deref(),
        Some(
            "Requested update requires the creation of a new physical resource; hence creating one."
        )
    );
    // The old VPC is deleted in the cleanup phase, after everything new exists.
    let statuses: Vec<&str> = tail
        .iter()
        .filter(|e| e.0 == "shop-net")
        .map(|e| e.1.as_str())
        .collect();
    assert_eq!(
        statuses,
        [
            "UPDATE_IN_PROGRESS",
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            "UPDATE_COMPLETE"
        ]
    );
    assert!(
        tail.iter()
            .any(|e| e.0 == "Vpc" && e.1 == "DELETE_COMPLETE")
    );

    // A change to a property that is not create-only: Modify without replacement.
    let mut t = network("10.20.0.0/16");
    t["Resources"]["Vpc"]["Properties"]["EnableDnsHostnames"] = json!(true);
    let cs = change_set(&cloud, R, "shop-net", &t, &[], "dns").await;
    assert_eq!(cs.changes.len(), 1, "{cs:?}");
    assert_eq!(cs.changes[0].replacement, Some(Replacement::False));
    assert_eq!(
        cs.changes[0].details[0].name.as_deref(),
        Some("EnableDnsHostnames")
    );
}

#[tokio::test]
async fn injected_failure_rolls_back_with_the_reason() {
    let cloud = LocalCloud::in_memory();
    cloud.fail_resource_on_next_deploy(
        R,
        "shop-net",
        "Sg",
        "Resource handler returned message: \"boom\"",
    );
    let (_, status) = deploy(&cloud, R, "shop-net", &network("10.10.0.0/16"), &[]).await;
    assert_eq!(status, StackStatus::RollbackComplete);
    let d = cloud.describe_stack(R, "shop-net").await.unwrap().unwrap();
    assert!(d.outputs.is_empty());
    let ev = events(&cloud, R, "shop-net").await;
    let find = |l: &str, st: &str| ev.iter().find(|e| e.0 == l && e.1 == st).cloned();
    assert_eq!(
        find("Sg", "CREATE_FAILED").unwrap().2.as_deref(),
        Some("Resource handler returned message: \"boom\"")
    );
    // The subnet was being created at the same time: cancelled.
    assert_eq!(
        find("Subnet", "CREATE_FAILED").unwrap().2.as_deref(),
        Some("Resource creation cancelled")
    );
    assert_eq!(
        find("shop-net", "ROLLBACK_IN_PROGRESS")
            .unwrap()
            .2
            .as_deref(),
        Some(
            "The following resource(s) failed to create: [Sg, Subnet]. Rollback requested by user."
        )
    );
    // Everything created is deleted again, the VPC last (the others depend on it).
    let deletes: Vec<&str> = ev
        .iter()
        .filter(|e| e.1 == "DELETE_COMPLETE")
        .map(|e| e.0.as_str())
        .collect();
    assert_eq!(deletes.last(), Some(&"Vpc"));
    assert!(deletes.contains(&"Sg") && deletes.contains(&"Subnet"));
    assert_eq!(ev.last().unwrap().1, "ROLLBACK_COMPLETE");
    assert!(
        cloud
            .describe_stack_resources(R, "shop-net")
            .await
            .unwrap()
            .is_empty()
    );

    // ROLLBACK_COMPLETE allows only delete.
    let input = dr_core::cloud::CreateChangeSetInput {
        stack_name: "shop-net".into(),
        change_set_name: "retry".into(),
        change_set_type: dr_core::cloud::ChangeSetType::Update,
        template: dr_core::cloud::TemplateSource::Body(network("10.10.0.0/16").to_string()),
        parameters: vec![],
        capabilities: vec![],
        tags: vec![],
        description: None,
        client_token: None,
    };
    let err = cloud.create_change_set(R, input).await.unwrap_err();
    assert!(
        matches!(err.kind(), CloudErrorKind::Validation if err.message().ends_with("is in ROLLBACK_COMPLETE state and can not be updated.")),
        "{err}"
    );
    cloud.delete_stack(R, "shop-net").await.unwrap();
    assert_eq!(
        support::wait(&cloud, R, "shop-net").await,
        StackStatus::DeleteComplete
    );
    // The failure fired once: the next create succeeds.
    assert_eq!(
        deploy(&cloud, R, "shop-net", &network("10.10.0.0/16"), &[])
            .await
            .1,
        StackStatus::CreateComplete
    );
}

#[tokio::test]
async fn failed_update_rolls_back_to_the_previous_state() {
    let cloud = LocalCloud::in_memory();
    deploy(&cloud, R, "shop-net", &network("10.10.0.0/16"), &[]).await;
    let before = cloud.describe_stack_resources(R, "shop-net").await.unwrap();
    cloud.fail_resource_on_next_deploy(R, "shop-net", "Vpc", "Internal failure");
    let (_, status) = deploy(&cloud, R, "shop-net", &network("10.30.0.0/16"), &[]).await;
    assert_eq!(status, StackStatus::UpdateRollbackComplete);
    let ev = events(&cloud, R, "shop-net").await;
    let reason = ev
        .iter()
        .find(|e| e.1 == "UPDATE_ROLLBACK_IN_PROGRESS")
        .unwrap()
        .2
        .clone();
    assert_eq!(
        reason.as_deref(),
        Some("The following resource(s) failed to update: [Vpc]. ")
    );
    let after = cloud.describe_stack_resources(R, "shop-net").await.unwrap();
    assert_eq!(
        before
            .iter()
            .map(|r| r.physical_id.clone())
            .collect::<Vec<_>>(),
        after
            .iter()
            .map(|r| r.physical_id.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        cloud.get_template(R, "shop-net").await.unwrap(),
        network("10.10.0.0/16").to_string()
    );
}

#[tokio::test]
async fn exports_and_imports_across_stacks() {
    let cloud = LocalCloud::in_memory();
    deploy(&cloud, R, "shop-net", &network("10.10.0.0/16"), &[]).await;
    let app = json!({
        "Resources": {"AppSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x", "VpcId": {"Fn::ImportValue": "shop-vpc-id"}}}},
        "Outputs": {"Vpc": {"Value": {"Fn::GetAtt": ["AppSg", "VpcId"]}}}
    });
    assert_eq!(
        deploy(&cloud, R, "shop-app", &app, &[]).await.1,
        StackStatus::CreateComplete
    );
    let vpc = cloud
        .describe_stack(R, "shop-net")
        .await
        .unwrap()
        .unwrap()
        .output("VpcId")
        .unwrap()
        .to_string();
    assert_eq!(
        cloud
            .describe_stack(R, "shop-app")
            .await
            .unwrap()
            .unwrap()
            .output("Vpc"),
        Some(vpc.as_str())
    );

    // Imports only see exports of their own Region.
    let err = cloud
        .create_change_set(
            Region::UsWest2,
            dr_core::cloud::CreateChangeSetInput {
                stack_name: "shop-app".into(),
                change_set_name: "x".into(),
                change_set_type: dr_core::cloud::ChangeSetType::Create,
                template: dr_core::cloud::TemplateSource::Body(app.to_string()),
                parameters: vec![],
                capabilities: vec![],
                tags: vec![],
                description: None,
                client_token: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.message(), "No export named shop-vpc-id found");

    // Another stack exporting the same name fails and rolls back.
    let clash = json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"O": {"Value": "v", "Export": {"Name": "shop-vpc-id"}}}});
    assert_eq!(
        deploy(&cloud, R, "shop-other", &clash, &[]).await.1,
        StackStatus::RollbackComplete
    );
    let ev = events(&cloud, R, "shop-other").await;
    assert_eq!(
        ev.iter()
            .find(|e| e.1 == "ROLLBACK_IN_PROGRESS")
            .unwrap()
            .2
            .as_deref(),
        Some(
            "Export with name shop-vpc-id is already exported by stack shop-net. Rollback requested by user."
        )
    );

    // The exporting stack cannot change the exported value while it is imported...
    let (_, st) = deploy(&cloud, R, "shop-net", &network("10.40.0.0/16"), &[]).await;
    assert_eq!(st, StackStatus::UpdateRollbackComplete);
    let ev = events(&cloud, R, "shop-net").await;
    assert_eq!(
        ev.iter()
            .rev()
            .find(|e| e.1 == "UPDATE_ROLLBACK_IN_PROGRESS")
            .unwrap()
            .2
            .as_deref(),
        Some("Cannot update export shop-vpc-id as it is in use by shop-app.")
    );
    // ...nor be deleted: the deletion is cancelled and the stack keeps its status.
    cloud.delete_stack(R, "shop-net").await.unwrap();
    assert_eq!(
        support::wait(&cloud, R, "shop-net").await,
        StackStatus::UpdateRollbackComplete
    );
    let d = cloud.describe_stack(R, "shop-net").await.unwrap().unwrap();
    assert_eq!(
        d.status_reason.as_deref(),
        Some("Delete canceled. Cannot delete export shop-vpc-id as it is in use by shop-app.")
    );
    // Event ids stay unique across operations (pollers stop at the last id they saw).
    let ids: Vec<String> = cloud
        .describe_stack_events(R, "shop-net", None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    // Once the importer is gone, it can.
    cloud.delete_stack(R, "shop-app").await.unwrap();
    support::wait(&cloud, R, "shop-app").await;
    cloud.delete_stack(R, "shop-net").await.unwrap();
    assert_eq!(
        support::wait(&cloud, R, "shop-net").await,
        StackStatus::DeleteComplete
    );
    assert!(cloud.describe_stack(R, "shop-net").await.unwrap().is_none());
}

#[tokio::test]
async fn an_attribute_the_type_lacks_fails_the_resource() {
    let cloud = LocalCloud::in_memory();
    let t = json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": {"Fn::GetAtt": ["Vpc", "DNSName"]}}}
    }});
    assert_eq!(
        deploy(&cloud, R, "bad", &t, &[]).await.1,
        StackStatus::RollbackComplete
    );
    let ev = events(&cloud, R, "bad").await;
    assert_eq!(
        ev.iter()
            .find(|e| e.1 == "CREATE_FAILED")
            .map(|e| (e.0.as_str(), e.2.as_deref())),
        Some((
            "Sg",
            Some(
                "Template error: resource Vpc does not support attribute type DNSName in Fn::GetAtt"
            )
        ))
    );
}

/// An Auto Scaling group of 2 with at most `max`, on launch template `image`, whose rolling
/// update keeps `in_service` instances in service.
fn fleet(max: &str, in_service: u32, image: &str) -> Value {
    json!({"Resources": {
        "Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {
            "LaunchTemplateData": {"ImageId": image, "InstanceType": "t3.micro"}
        }},
        "Asg": {
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            "Properties": {
                "MinSize": "2", "MaxSize": max, "DesiredCapacity": "2",
                "AvailabilityZones": {"Fn::GetAZs": ""},
                "LaunchTemplate": {
                    "LaunchTemplateId": {"Ref": "Lt"},
                    "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]}
                }
            },
            "UpdatePolicy": {"AutoScalingRollingUpdate": {
                "MaxBatchSize": 1, "MinInstancesInService": in_service, "PauseTime": "PT5M"
            }}
        }
    }})
}

/// The physical id of the group of stack `shop-app`.
async fn asg_id(cloud: &LocalCloud) -> String {
    let res = cloud.describe_stack_resources(R, "shop-app").await.unwrap();
    res.into_iter()
        .find(|r| r.logical_id == "Asg")
        .and_then(|r| r.physical_id)
        .unwrap()
}

/// CloudFormation requires a rolling update's `MinInstancesInService` to be below the group's
/// `MaxSize` ("UpdatePolicy attribute"): the group is created, but its update fails with AWS's
/// message and rolls back; with room above the minimum the same update goes through.
#[tokio::test]
async fn a_rolling_update_keeping_max_size_in_service_fails_the_groups_update() {
    let cloud = LocalCloud::in_memory();
    let (_, st) = deploy(&cloud, R, "shop-app", &fleet("2", 2, "ami-1"), &[]).await;
    assert_eq!(st, StackStatus::CreateComplete);

    let group = asg_id(&cloud).await;

    // A new AMI is a new launch template version, so the group's `LaunchTemplate` changes:
    // conditionally create-only in the group's schema (a replacing update would replace
    // it), updated in place under a rolling update.
    let (cs, st) = deploy(&cloud, R, "shop-app", &fleet("2", 2, "ami-2"), &[]).await;
    let asg = cs.changes.iter().find(|c| c.logical_id == "Asg").unwrap();
    assert_eq!(asg.replacement, Some(Replacement::Conditional));
    assert_eq!(st, StackStatus::UpdateRollbackComplete);
    let ev = events(&cloud, R, "shop-app").await;
    assert_eq!(
        ev.iter()
            .find(|e| e.0 == "Asg" && e.1 == "UPDATE_FAILED")
            .map(|e| e.2.as_deref()),
        Some(Some(
            "MinInstancesInService must be less than the autoscaling group's MaxSize"
        ))
    );

    let (_, st) = deploy(&cloud, R, "shop-app", &fleet("3", 2, "ami-2"), &[]).await;
    assert_eq!(st, StackStatus::UpdateComplete);
    assert_eq!(
        asg_id(&cloud).await,
        group,
        "updated in place, not replaced"
    );
    assert!(
        cloud
            .get_template(R, "shop-app")
            .await
            .unwrap()
            .contains("\"UpdatePolicy\"")
    );
}

/// A rolling update pauses at most an hour, written as an ISO 8601 duration ("UpdatePolicy
/// attribute"); a longer or malformed `PauseTime` fails the group's update with AWS's message.
#[tokio::test]
async fn a_rolling_update_pausing_over_an_hour_fails_the_groups_update() {
    let cloud = LocalCloud::in_memory();
    let (_, st) = deploy(&cloud, R, "shop-app", &fleet("3", 2, "ami-1"), &[]).await;
    assert_eq!(st, StackStatus::CreateComplete);
    let pausing = |pause: &str, image: &str| {
        let mut t = fleet("3", 2, image);
        t["Resources"]["Asg"]["UpdatePolicy"]["AutoScalingRollingUpdate"]["PauseTime"] =
            json!(pause);
        t
    };
    for (pause, image) in [("PT2H", "ami-2"), ("5 minutes", "ami-3")] {
        let (_, st) = deploy(&cloud, R, "shop-app", &pausing(pause, image), &[]).await;
        assert_eq!(st, StackStatus::UpdateRollbackComplete, "{pause}");
        let ev = events(&cloud, R, "shop-app").await;
        let reason = ev
            .iter()
            .rev()
            .find(|e| e.0 == "Asg" && e.1 == "UPDATE_FAILED")
            .and_then(|e| e.2.clone());
        assert_eq!(
            reason.as_deref(),
            Some(
                "Invalid Autoscaling rolling update policy: PauseTime must be in the ISO8601 time period format and must be no greater than PT3600S seconds, e.g. \"PT5M30S\" specifies a pause time of 5 minutes and 30 seconds."
            ),
            "{pause}"
        );
    }
    let (_, st) = deploy(&cloud, R, "shop-app", &pausing("PT60M", "ami-2"), &[]).await;
    assert_eq!(st, StackStatus::UpdateComplete);
}

#[tokio::test]
async fn termination_protection_and_stack_policy() {
    let cloud = LocalCloud::in_memory();
    let db = |id: &str| {
        json!({"Resources": {"Db": {"Type": "AWS::RDS::DBCluster", "DeletionPolicy": "Snapshot", "Properties": {
            "DBClusterIdentifier": id, "Engine": "aurora-mysql", "EngineVersion": "8.0.mysql_aurora.3.08.0",
            "MasterUsername": "admin", "MasterUserPassword": "{{resolve:ssm:/shop/db-password}}"
        }}}})
    };
    // A dynamic reference to something that does not exist fails the resource.
    let (_, st) = deploy(&cloud, R, "shop-data", &db("shop-db"), &[]).await;
    assert_eq!(st, StackStatus::RollbackComplete);
    let ev = events(&cloud, R, "shop-data").await;
    assert_eq!(
        ev.iter()
            .find(|e| e.1 == "CREATE_FAILED")
            .unwrap()
            .2
            .as_deref(),
        Some(
            "Unable to fetch parameters [/shop/db-password] from parameter store for this account."
        )
    );
    cloud.delete_stack(R, "shop-data").await.unwrap();
    support::wait(&cloud, R, "shop-data").await;
    cloud.put_ssm_parameter(R, "/shop/db-password", "s3cret");
    assert_eq!(
        deploy(&cloud, R, "shop-data", &db("shop-db"), &[]).await.1,
        StackStatus::CreateComplete
    );

    cloud
        .update_termination_protection(R, "shop-data", true)
        .await
        .unwrap();
    let err = cloud.delete_stack(R, "shop-data").await.unwrap_err();
    assert_eq!(
        err.message(),
        "Stack [shop-data] cannot be deleted while TerminationProtection is enabled"
    );
    assert_eq!(
        cloud
            .describe_stack(R, "shop-data")
            .await
            .unwrap()
            .unwrap()
            .status,
        StackStatus::CreateComplete
    );

    let policy = json!({"Statement": [
        {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["Update:Replace", "Update:Delete"], "Principal": "*", "Resource": "*",
         "Condition": {"StringEquals": {"ResourceType": ["AWS::RDS::DBCluster"]}}}
    ]});
    cloud
        .set_stack_policy(R, "shop-data", &policy.to_string())
        .await
        .unwrap();
    // Renaming the cluster replaces it: denied, and the update rolls back.
    let (cs, st) = deploy(&cloud, R, "shop-data", &db("shop-db-2"), &[]).await;
    assert_eq!(cs.changes[0].replacement, Some(Replacement::True));
    assert_eq!(st, StackStatus::UpdateRollbackComplete);
    let ev = events(&cloud, R, "shop-data").await;
    assert_eq!(
        ev.iter()
            .find(|e| e.0 == "Db" && e.1 == "UPDATE_FAILED")
            .unwrap()
            .2
            .as_deref(),
        Some(
            "Action denied by stack policy: Statement [#2] does not allow [Update:Replace] for resource [LogicalResourceId/Db]"
        )
    );
    let res = cloud
        .describe_stack_resources(R, "shop-data")
        .await
        .unwrap();
    assert_eq!(res[0].physical_id.as_deref(), Some("shop-db"));

    // With the policy lifted, a create-only change that keeps the custom name cannot replace.
    let allow = json!({"Statement": [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]});
    cloud
        .set_stack_policy(R, "shop-data", &allow.to_string())
        .await
        .unwrap();
    let mut t = db("shop-db");
    t["Resources"]["Db"]["Properties"]["StorageEncrypted"] = json!(true);
    let (cs, st) = deploy(&cloud, R, "shop-data", &t, &[]).await;
    assert_eq!(cs.changes[0].replacing_properties(), ["StorageEncrypted"]);
    assert_eq!(st, StackStatus::UpdateRollbackComplete);
    let ev = events(&cloud, R, "shop-data").await;
    assert_eq!(
        ev.iter()
            .rev()
            .find(|e| e.0 == "Db" && e.1 == "UPDATE_FAILED")
            .unwrap()
            .2
            .as_deref(),
        Some(
            "CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename shop-db and update the stack again."
        )
    );
}

#[tokio::test]
async fn delete_honours_deletion_protection_and_policies() {
    let cloud = LocalCloud::in_memory();
    let t = json!({"Resources": {
        "Key": {"Type": "AWS::EC2::KeyPair", "DeletionPolicy": "Retain", "Properties": {"KeyName": "shop"}},
        "Db": {"Type": "AWS::RDS::DBCluster", "DeletionPolicy": "Snapshot", "Properties": {
            "DBClusterIdentifier": "shop-db", "Engine": "aurora-mysql", "MasterUsername": "admin",
            "MasterUserPassword": "correct-horse", "DeletionProtection": true}},
        "Writer": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBClusterIdentifier": {"Ref": "Db"}, "DBInstanceClass": "db.r6g.large", "Engine": "aurora-mysql"}}
    }});
    assert_eq!(
        deploy(&cloud, R, "shop-data", &t, &[]).await.1,
        StackStatus::CreateComplete
    );
    cloud.delete_stack(R, "shop-data").await.unwrap();
    assert_eq!(
        support::wait(&cloud, R, "shop-data").await,
        StackStatus::DeleteFailed
    );
    let ev = events(&cloud, R, "shop-data").await;
    let last = |l: &str| ev.iter().rev().find(|e| e.0 == l).cloned().unwrap();
    // The instance (which depends on the cluster) goes first; the cluster refuses.
    assert_eq!(last("Writer").1, "DELETE_COMPLETE");
    assert_eq!(
        last("Db"),
        ("Db".to_string(), "DELETE_FAILED".to_string(), Some("Cannot delete protected Cluster shop-db, please disable deletion protection and try again".to_string()))
    );
    assert_eq!(
        last("shop-data").2.as_deref(),
        Some("The following resource(s) failed to delete: [Db]. ")
    );
    let left: Vec<String> = cloud
        .describe_stack_resources(R, "shop-data")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.logical_id)
        .collect();
    assert!(
        left.contains(&"Db".to_string()) && !left.contains(&"Writer".to_string()),
        "{left:?}"
    );

    cloud
        .modify_db_cluster_deletion_protection(R, "shop-db", false)
        .await
        .unwrap();
    cloud.delete_stack(R, "shop-data").await.unwrap();
    assert_eq!(
        support::wait(&cloud, R, "shop-data").await,
        StackStatus::DeleteComplete
    );
    assert!(
        cloud
            .describe_db_cluster(R, "shop-db")
            .await
            .unwrap()
            .is_none()
    );
    let ev = {
        let snap = cloud.snapshot();
        let s = snap.regions[&R]
            .stacks
            .iter()
            .find(|s| s.name == "shop-data")
            .unwrap()
            .id
            .clone();
        let mut v = cloud.describe_stack_events(R, &s, None).await.unwrap();
        v.reverse();
        v
    };
    // Retain keeps the key pair outside the stack.
    assert!(
        ev.iter()
            .any(|e| e.logical_id == "Key" && e.status.as_str() == "DELETE_SKIPPED")
    );
    assert_eq!(ev.last().unwrap().status.as_str(), "DELETE_COMPLETE");
    assert_eq!(
        cloud.retained_resources(R),
        [("AWS::EC2::KeyPair".to_string(), "shop".to_string())],
        "the retained key pair is left in the account, and only it"
    );
}
