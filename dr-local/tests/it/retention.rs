//! What stack operations leave in the account outside any stack: `Retain` on a rollback (and
//! `RetainExceptOnCreate`, the policy and the execution option), and `DeleteStack`'s
//! `RetainResources` and `FORCE_DELETE_STACK` for a stack in `DELETE_FAILED`.

use crate::support;

use dr_core::Region;
use dr_core::cloud::{
    Cloud, CloudErrorKind, DeleteStackInput, DeletionMode, ExecuteChangeSetInput, StackStatus,
};
use dr_local::LocalCloud;
use serde_json::{Value, json};

const R: Region = Region::UsEast2;

/// A key pair with `policy`, and a parameter made after it that the tests make fail.
fn keyed(policy: &str) -> Value {
    json!({"Resources": {
        "Key": {"Type": "AWS::EC2::KeyPair", "DeletionPolicy": policy, "Properties": {"KeyName": "shop"}},
        "Param": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Ref": "Key"}}}
    }})
}

/// Creates `shop-keys` from `template`, the parameter failing, executed with
/// `RetainExceptOnCreate` as given; returns the stack's events.
async fn failed_create(
    cloud: &LocalCloud,
    template: &Value,
    retain_except_on_create: bool,
) -> Vec<(String, String, Option<String>)> {
    cloud.fail_resource_on_next_deploy(R, "shop-keys", "Param", "boom");
    let cs = support::change_set(cloud, R, "shop-keys", template, &[], "first").await;
    cloud
        .execute_change_set_with(
            R,
            ExecuteChangeSetInput {
                retain_except_on_create,
                ..ExecuteChangeSetInput::new("shop-keys", cs.change_set_id)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        support::wait(cloud, R, "shop-keys").await,
        StackStatus::RollbackComplete
    );
    support::events(cloud, R, "shop-keys").await
}

/// The status the rollback gave `logical`.
fn rolled_back(ev: &[(String, String, Option<String>)], logical: &str) -> String {
    ev.iter()
        .rev()
        .find(|e| e.0 == logical && e.1.starts_with("DELETE_"))
        .map(|e| e.1.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_failed_create_keeps_its_retained_resources_outside_the_stack() {
    let cloud = LocalCloud::in_memory();
    let ev = failed_create(&cloud, &keyed("Retain"), false).await;
    assert_eq!(rolled_back(&ev, "Key"), "DELETE_SKIPPED");
    assert_eq!(
        cloud.retained_resources(R),
        [("AWS::EC2::KeyPair".to_string(), "shop".to_string())]
    );
    assert!(
        cloud
            .describe_stack_resources(R, "shop-keys")
            .await
            .unwrap()
            .is_empty(),
        "the stack keeps nothing"
    );
}

#[tokio::test]
async fn retain_except_on_create_deletes_what_the_failed_create_made() {
    let cloud = LocalCloud::in_memory();
    let ev = failed_create(&cloud, &keyed("Retain"), true).await;
    assert_eq!(rolled_back(&ev, "Key"), "DELETE_COMPLETE");
    assert!(cloud.retained_resources(R).is_empty());

    // The policy of that name does the same without the option.
    let cloud = LocalCloud::in_memory();
    let ev = failed_create(&cloud, &keyed("RetainExceptOnCreate"), false).await;
    assert_eq!(rolled_back(&ev, "Key"), "DELETE_COMPLETE");
    assert!(cloud.retained_resources(R).is_empty());
}

#[tokio::test]
async fn retain_except_on_create_keeps_what_an_earlier_operation_made() {
    let cloud = LocalCloud::in_memory();
    let t = json!({"Resources": {
        "Key": {"Type": "AWS::EC2::KeyPair", "DeletionPolicy": "RetainExceptOnCreate", "Properties": {"KeyName": "shop"}}
    }});
    assert_eq!(
        support::deploy(&cloud, R, "shop-keys", &t, &[]).await.1,
        StackStatus::CreateComplete
    );
    cloud.delete_stack(R, "shop-keys").await.unwrap();
    assert_eq!(
        support::wait(&cloud, R, "shop-keys").await,
        StackStatus::DeleteComplete
    );
    assert_eq!(
        cloud.retained_resources(R),
        [("AWS::EC2::KeyPair".to_string(), "shop".to_string())]
    );
}

#[tokio::test]
async fn a_failed_update_keeps_an_added_retained_resource_unless_told_otherwise() {
    for (retain_except_on_create, kept) in [(false, true), (true, false)] {
        let cloud = LocalCloud::in_memory();
        let base = json!({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}}});
        support::deploy(&cloud, R, "shop-keys", &base, &[]).await;
        let mut t = keyed("Retain");
        t["Resources"]["Vpc"] = base["Resources"]["Vpc"].clone();
        cloud.fail_resource_on_next_deploy(R, "shop-keys", "Param", "boom");
        let cs = support::change_set(&cloud, R, "shop-keys", &t, &[], "add").await;
        cloud
            .execute_change_set_with(
                R,
                ExecuteChangeSetInput {
                    retain_except_on_create,
                    ..ExecuteChangeSetInput::new("shop-keys", cs.change_set_id)
                },
            )
            .await
            .unwrap();
        assert_eq!(
            support::wait(&cloud, R, "shop-keys").await,
            StackStatus::UpdateRollbackComplete
        );
        let ev = support::events(&cloud, R, "shop-keys").await;
        assert_eq!(
            rolled_back(&ev, "Key"),
            if kept {
                "DELETE_SKIPPED"
            } else {
                "DELETE_COMPLETE"
            }
        );
        assert_eq!(
            cloud.retained_resources(R).len(),
            usize::from(kept),
            "RetainExceptOnCreate={retain_except_on_create}"
        );
    }
}

/// A cluster with deletion protection on and a subnet parameter beside it: its deletion fails.
fn protected() -> Value {
    json!({"Resources": {
        "Db": {"Type": "AWS::RDS::DBCluster", "DeletionPolicy": "Delete", "Properties": {
            "DBClusterIdentifier": "shop-db", "Engine": "aurora-mysql", "MasterUsername": "admin",
            "MasterUserPassword": "correct-horse", "DeletionProtection": true}},
        "Note": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "x"}}
    }})
}

/// Deploys [`protected`] as `shop-data` and deletes it into `DELETE_FAILED`.
async fn delete_failed(cloud: &LocalCloud) -> String {
    support::deploy(cloud, R, "shop-data", &protected(), &[]).await;
    let id = cloud
        .describe_stack(R, "shop-data")
        .await
        .unwrap()
        .unwrap()
        .stack_id;
    cloud.delete_stack(R, "shop-data").await.unwrap();
    assert_eq!(
        support::wait(cloud, R, "shop-data").await,
        StackStatus::DeleteFailed
    );
    id
}

#[tokio::test]
async fn delete_options_are_refused_for_a_stack_not_in_delete_failed() {
    let cloud = LocalCloud::in_memory();
    support::deploy(&cloud, R, "shop-data", &protected(), &[]).await;
    let id = cloud
        .describe_stack(R, "shop-data")
        .await
        .unwrap()
        .unwrap()
        .stack_id;
    let err = cloud
        .delete_stack_with(
            R,
            DeleteStackInput {
                retain_resources: vec!["Db".into()],
                ..DeleteStackInput::new("shop-data")
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), CloudErrorKind::Validation), "{err}");
    assert_eq!(
        err.message(),
        format!(
            "Invalid operation on stack [{id}]. When you delete a stack, specify which resources to retain only when the stack is in the DELETE_FAILED state."
        )
    );
    let err = cloud
        .delete_stack_with(
            R,
            DeleteStackInput {
                deletion_mode: Some(DeletionMode::ForceDeleteStack),
                ..DeleteStackInput::new("shop-data")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        format!(
            "Invalid operation on stack [{id}]. You can activate DeletionMode FORCE_DELETE_STACK in a delete stack operation only when the stack is in the DELETE_FAILED state."
        )
    );
    // Refused before anything started.
    assert_eq!(
        cloud
            .describe_stack(R, "shop-data")
            .await
            .unwrap()
            .unwrap()
            .status,
        StackStatus::CreateComplete
    );
}

#[tokio::test]
async fn retain_resources_names_only_resources_still_in_the_stack() {
    let cloud = LocalCloud::in_memory();
    delete_failed(&cloud).await;
    // `Note` was deleted by the failed attempt; `Nothing` never existed.
    for gone in ["Note", "Nothing"] {
        let err = cloud
            .delete_stack_with(
                R,
                DeleteStackInput {
                    retain_resources: vec!["Db".into(), gone.into()],
                    ..DeleteStackInput::new("shop-data")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.message(),
            "The specified resources to retain must be in a valid state. Do not specify resources that are in the DELETE_COMPLETE state."
        );
    }
}

#[tokio::test]
async fn retain_resources_deletes_the_stack_and_leaves_the_cluster() {
    let cloud = LocalCloud::in_memory();
    let id = delete_failed(&cloud).await;
    cloud
        .delete_stack_with(
            R,
            DeleteStackInput {
                retain_resources: vec!["Db".into()],
                ..DeleteStackInput::new("shop-data")
            },
        )
        .await
        .unwrap();
    assert_eq!(
        support::wait(&cloud, R, "shop-data").await,
        StackStatus::DeleteComplete
    );
    let ev = cloud.describe_stack_events(R, &id, None).await.unwrap();
    let db = ev.iter().find(|e| e.logical_id == "Db").unwrap();
    assert_eq!(db.status.as_str(), "DELETE_SKIPPED", "newest first");
    assert_eq!(
        cloud.retained_resources(R),
        [("AWS::RDS::DBCluster".to_string(), "shop-db".to_string())]
    );
    // The cluster goes on existing, with its protection.
    let c = cloud
        .describe_db_cluster(R, "shop-db")
        .await
        .unwrap()
        .unwrap();
    assert!(c.deletion_protection);
}

#[tokio::test]
async fn force_delete_stack_deletes_the_stack_and_leaves_what_fails() {
    let cloud = LocalCloud::in_memory();
    let id = delete_failed(&cloud).await;
    cloud
        .delete_stack_with(
            R,
            DeleteStackInput {
                deletion_mode: Some(DeletionMode::ForceDeleteStack),
                ..DeleteStackInput::new("shop-data")
            },
        )
        .await
        .unwrap();
    assert_eq!(
        support::wait(&cloud, R, "shop-data").await,
        StackStatus::DeleteComplete
    );
    let ev = cloud.describe_stack_events(R, &id, None).await.unwrap();
    assert_eq!(ev[0].status.as_str(), "DELETE_COMPLETE", "{:?}", ev[0]);
    assert_eq!(
        cloud.retained_resources(R),
        [("AWS::RDS::DBCluster".to_string(), "shop-db".to_string())]
    );
    assert!(
        cloud
            .describe_db_cluster(R, "shop-db")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn a_stack_left_in_delete_failed_is_deleted_once_the_cause_is_gone() {
    let cloud = LocalCloud::in_memory();
    delete_failed(&cloud).await;
    cloud
        .modify_db_cluster_deletion_protection(R, "shop-db", false)
        .await
        .unwrap();
    // STANDARD is the default spelled out.
    cloud
        .delete_stack_with(
            R,
            DeleteStackInput {
                deletion_mode: Some(DeletionMode::Standard),
                ..DeleteStackInput::new("shop-data")
            },
        )
        .await
        .unwrap();
    assert_eq!(
        support::wait(&cloud, R, "shop-data").await,
        StackStatus::DeleteComplete
    );
    assert!(cloud.retained_resources(R).is_empty());
    assert!(
        cloud
            .describe_db_cluster(R, "shop-db")
            .await
            .unwrap()
            .is_none()
    );
}
