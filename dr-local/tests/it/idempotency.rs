//! Idempotency tokens: a request whose answer was lost and that the SDK sends again
//! (`LocalCloud::lose_answer_then_retry`) is recognised by its token, and refused as a second
//! request without one, as CloudFormation does.

use crate::support;

use dr_core::Region;
use dr_core::cloud::{
    ChangeSetType, Cloud, CloudErrorKind, CreateChangeSetInput, DeleteStackInput,
    ExecuteChangeSetInput, StackStatus, TemplateSource,
};
use dr_local::LocalCloud;
use serde_json::{Value, json};

const R: Region = Region::UsEast2;

fn template(cidr: &str) -> Value {
    json!({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}}}})
}

fn create_input(name: &str, cidr: &str, token: Option<&str>) -> CreateChangeSetInput {
    CreateChangeSetInput {
        stack_name: "shop-net".into(),
        change_set_name: name.into(),
        change_set_type: ChangeSetType::Create,
        template: TemplateSource::Body(template(cidr).to_string()),
        parameters: vec![],
        capabilities: vec![],
        tags: vec![],
        description: None,
        client_token: token.map(str::to_string),
    }
}

fn execute_input(change_set: &str, token: Option<&str>) -> ExecuteChangeSetInput {
    ExecuteChangeSetInput {
        client_request_token: token.map(str::to_string),
        ..ExecuteChangeSetInput::new("shop-net", change_set)
    }
}

/// How many times the stack was started: its `CREATE_IN_PROGRESS` "User Initiated" events.
async fn executions(cloud: &LocalCloud) -> usize {
    support::events(cloud, R, "shop-net")
        .await
        .iter()
        .filter(|(l, s, r)| {
            l == "shop-net" && s == "CREATE_IN_PROGRESS" && r.as_deref() == Some("User Initiated")
        })
        .count()
}

#[tokio::test]
async fn a_retried_create_change_set_with_its_token_is_the_same_request() {
    let cloud = LocalCloud::in_memory();
    let first = cloud
        .create_change_set(
            R,
            create_input("drkit-1", "10.0.0.0/16", Some("drkit-1-create")),
        )
        .await
        .unwrap();

    cloud.lose_answer_then_retry("create_change_set");
    let again = cloud
        .create_change_set(
            R,
            create_input("drkit-2", "10.0.0.0/16", Some("drkit-2-create")),
        )
        .await
        .expect("the retry carries the first attempt's token");
    assert_ne!(again.id, first.id);
    assert_eq!(again.stack_id, first.stack_id);
    // One port call, one change set made of it.
    let calls = cloud
        .call_log()
        .iter()
        .filter(|c| c.operation == "create_change_set")
        .count();
    assert_eq!(calls, 2, "two port calls in all");
    let named: Vec<String> = cloud.snapshot().regions[&R].stacks[0]
        .change_sets
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(named, ["drkit-1", "drkit-2"]);
    assert_eq!(
        cloud
            .describe_change_set(R, "shop-net", &again.id)
            .await
            .unwrap()
            .change_set_name,
        "drkit-2"
    );

    // The same request once more, answered the same: ids, and nothing new.
    let third = cloud
        .create_change_set(
            R,
            create_input("drkit-2", "10.0.0.0/16", Some("drkit-2-create")),
        )
        .await
        .unwrap();
    assert_eq!(third, again);
    assert_eq!(cloud.snapshot().regions[&R].stacks[0].change_sets.len(), 2);
}

#[tokio::test]
async fn a_retried_create_change_set_without_a_token_meets_already_exists() {
    let cloud = LocalCloud::in_memory();
    cloud.lose_answer_then_retry("create_change_set");
    let err = cloud
        .create_change_set(R, create_input("drkit-1", "10.0.0.0/16", None))
        .await
        .unwrap_err();
    // AlreadyExistsException, which the aws backend reports as Validation.
    assert!(matches!(err.kind(), CloudErrorKind::Validation), "{err}");
    assert_eq!(
        err.message(),
        "ChangeSet drkit-1 cannot be created due to a mismatch with existing attribute ClientToken"
    );
    // The first attempt was applied all the same.
    let cs = cloud
        .describe_change_set(R, "shop-net", "drkit-1")
        .await
        .unwrap();
    assert_eq!(cs.change_set_name, "drkit-1");
}

#[tokio::test]
async fn another_request_for_an_existing_change_set_name_is_refused_naming_what_differs() {
    let cloud = LocalCloud::in_memory();
    cloud
        .create_change_set(R, create_input("drkit-1", "10.0.0.0/16", Some("t-1")))
        .await
        .unwrap();
    for (input, attribute) in [
        (
            create_input("drkit-1", "10.0.0.0/16", Some("t-2")),
            "ClientToken",
        ),
        (create_input("drkit-1", "10.0.0.0/16", None), "ClientToken"),
        (
            create_input("drkit-1", "10.9.0.0/16", Some("t-1")),
            "Template",
        ),
    ] {
        let err = cloud.create_change_set(R, input).await.unwrap_err();
        assert!(matches!(err.kind(), CloudErrorKind::Validation), "{err}");
        assert_eq!(
            err.message(),
            format!(
                "ChangeSet drkit-1 cannot be created due to a mismatch with existing attribute {attribute}"
            )
        );
    }
    // Neither side with a token, another template: the template is what differs.
    cloud
        .create_change_set(R, create_input("drkit-2", "10.0.0.0/16", None))
        .await
        .unwrap();
    let err = cloud
        .create_change_set(R, create_input("drkit-2", "10.1.0.0/16", None))
        .await
        .unwrap_err();
    assert!(
        err.message().ends_with("existing attribute Template"),
        "{err}"
    );
}

#[tokio::test]
async fn a_retried_execute_with_its_token_is_the_execution_under_way() {
    let cloud = LocalCloud::in_memory();
    let cs =
        support::change_set(&cloud, R, "shop-net", &template("10.0.0.0/16"), &[], "cs-1").await;
    cloud.lose_answer_then_retry("execute_change_set_with");
    cloud
        .execute_change_set_with(R, execute_input(&cs.change_set_id, Some("cs-1-execute")))
        .await
        .expect("the retry carries the first attempt's token");
    assert_eq!(
        support::wait(&cloud, R, "shop-net").await,
        StackStatus::CreateComplete
    );
    assert_eq!(executions(&cloud).await, 1, "executed once");
    // Once complete, the same request is still the same request.
    cloud
        .execute_change_set_with(R, execute_input(&cs.change_set_id, Some("cs-1-execute")))
        .await
        .unwrap();
    assert_eq!(executions(&cloud).await, 1);
    // Another token is another request, for a change set already executed.
    let err = cloud
        .execute_change_set_with(R, execute_input(&cs.change_set_id, Some("other")))
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), CloudErrorKind::InvalidState), "{err}");
    assert_eq!(
        err.message(),
        format!(
            "ChangeSet [{}] cannot be executed in its current execution status of [EXECUTE_COMPLETE]",
            cs.change_set_id
        )
    );
}

#[tokio::test]
async fn a_retried_execute_without_a_token_meets_invalid_change_set_status() {
    let cloud = LocalCloud::in_memory();
    let cs =
        support::change_set(&cloud, R, "shop-net", &template("10.0.0.0/16"), &[], "cs-1").await;
    cloud.lose_answer_then_retry("execute_change_set_with");
    let err = cloud
        .execute_change_set_with(R, execute_input(&cs.change_set_id, None))
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), CloudErrorKind::InvalidState), "{err}");
    assert_eq!(
        err.message(),
        format!(
            "ChangeSet [{}] cannot be executed in its current execution status of [EXECUTE_IN_PROGRESS]",
            cs.change_set_id
        )
    );
    // CloudFormation carries on with the first attempt.
    assert_eq!(
        support::wait(&cloud, R, "shop-net").await,
        StackStatus::CreateComplete
    );
    assert_eq!(executions(&cloud).await, 1);
}

#[tokio::test]
async fn a_change_set_still_being_created_is_refused_by_its_status() {
    let cloud = LocalCloud::in_memory();
    let r = cloud
        .create_change_set(R, create_input("drkit-1", "10.0.0.0/16", None))
        .await
        .unwrap();
    let err = cloud
        .execute_change_set(R, "shop-net", &r.id)
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        format!(
            "ChangeSet [{}] cannot be executed in its current status of [CREATE_IN_PROGRESS]",
            r.id
        )
    );
}

#[tokio::test]
async fn a_retried_delete_stack_is_accepted() {
    let cloud = LocalCloud::in_memory();
    support::deploy(&cloud, R, "shop-net", &template("10.0.0.0/16"), &[]).await;
    for token in [Some("drkit-9-delete"), None] {
        cloud.lose_answer_then_retry("delete_stack_with");
        cloud
            .delete_stack_with(
                R,
                DeleteStackInput {
                    client_request_token: token.map(str::to_string),
                    ..DeleteStackInput::new("shop-net")
                },
            )
            .await
            .unwrap();
    }
    assert_eq!(
        support::wait(&cloud, R, "shop-net").await,
        StackStatus::DeleteComplete
    );
    let deletions = cloud.snapshot().regions[&R].stacks[0]
        .events
        .iter()
        .filter(|e| e.logical_id == "shop-net" && e.status.as_str() == "DELETE_IN_PROGRESS")
        .count();
    assert_eq!(deletions, 1, "one deletion");
}
