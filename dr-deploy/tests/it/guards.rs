//! Guards a flipped line would otherwise not trip (issue 18): the data-loss guard's list of
//! stateful types, read through what the engine does with a change (the policy it sets, the
//! preflight, the change-set inspection, the diff's flag); the protective stack policy restored
//! after an allowed data-loss update, and what the user is told when it cannot be; the policy
//! extended when an update adds a stateful resource, as the simulator enforces it.

use std::time::Duration;

use crate::fake_cloud::FakeCloud;

use dr_core::Region;
use dr_core::cloud::{
    ChangeSetType, Cloud, CloudError, CloudErrorKind, CreateChangeSetInput, Replacement,
    StackStatus, TemplateSource,
};
use dr_deploy::{
    DeployErrorKind, DeployOptions, NullObserver, RefusalReason, StackAction, allow_all_policy,
    deploy, diff,
};
use dr_local::LocalCloud;
use dr_synth::assembly::{Assembly, ParameterWiring, StackArtifact, WiringSource};
use serde_json::{Value, json};

const R: Region = Region::UsEast2;

/// The stateful types drkit's own templates use (DrPair's data stacks, the global stack, the
/// fleets' key pairs, user buckets). Each must be guarded by its type alone: these resources
/// are written here without a `DeletionPolicy`, which would make them stateful on its own.
const DRKIT_STATEFUL_TYPES: &[&str] = &[
    "AWS::RDS::GlobalCluster",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Route53::HostedZone",
    "AWS::EC2::KeyPair",
    "AWS::KMS::Key",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
];

fn one_stack(template: Value) -> Assembly {
    Assembly {
        app: "shop".into(),
        stacks: vec![StackArtifact {
            name: "data".into(),
            path: "shop/data".into(),
            region: R,
            account: None,
            template,
            dependencies: vec![],
            parameter_wiring: vec![],
            termination_protection: true,
        }],
        dr_pairs: Vec::new(),
        warnings: vec![],
        extra_files: vec![],
    }
}

/// A VPC and `Keep` of type `ty`. `Marker` is no property the resource facts know, so the
/// preflight takes its change for an update in place; the fake cloud is told it replaces.
fn keeping(ty: &str, marker: &str) -> Value {
    json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.10.0.0/16"}},
        "Keep": {"Type": ty, "Properties": {"Marker": marker}}
    }})
}

fn without_keep() -> Value {
    json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.10.0.0/16"}}
    }})
}

fn fake_replacing_marker() -> FakeCloud {
    let cloud = FakeCloud::new();
    cloud
        .state
        .lock()
        .unwrap()
        .replace_props
        .insert("Marker".into());
    cloud
}

/// What the engine does with a resource of type `ty` (and no `DeletionPolicy`) that a later
/// template replaces or drops; an empty list when it guards it at every step.
async fn unguarded_steps(ty: &str) -> Vec<String> {
    let mut gaps = Vec::new();
    let cloud = fake_replacing_marker();
    let opts = DeployOptions::default();
    let s = deploy(&cloud, &one_stack(keeping(ty, "a")), &opts, &NullObserver).await;
    if !s.is_success() {
        return vec![format!(
            "{ty}: the first deploy failed: {:?}",
            s.first_error()
        )];
    }

    // The policy set after the create denies replacing and deleting it.
    let policy: Option<Value> = cloud
        .stack(R, "data")
        .unwrap()
        .policy
        .and_then(|p| serde_json::from_str(&p).ok());
    let denied = policy.as_ref().is_some_and(|p| {
        p["Statement"].as_array().is_some_and(|st| {
            st.iter().any(|s| {
                s["Effect"] == "Deny"
                    && s["Action"] == json!(["Update:Replace", "Update:Delete"])
                    && s["Resource"] == json!(["LogicalResourceId/Keep"])
            })
        })
    });
    if !denied {
        gaps.push(format!(
            "{ty}: the stack policy set at create does not deny replacing `Keep`: {policy:?}"
        ));
    }

    // A replacement only the change set shows is refused before execution.
    cloud.clear_calls();
    let s = deploy(&cloud, &one_stack(keeping(ty, "b")), &opts, &NullObserver).await;
    let r = &s.stacks[0];
    let inspected = match r.error.as_ref().map(|e| e.kind()) {
        Some(DeployErrorKind::Refused { changes }) => {
            changes
                .iter()
                .map(|c| (c.logical_id.as_str(), c.removed, &c.reason))
                .collect::<Vec<_>>()
                == [("Keep", false, &RefusalReason::DataLoss)]
        }
        _ => false,
    };
    let ops: Vec<&str> = cloud.mutating_calls().iter().map(|c| c.0).collect();
    if r.action != StackAction::Refused
        || !inspected
        || ops != ["create_change_set", "delete_change_set"]
    {
        gaps.push(format!(
            "{ty}: a replacement in the change set was not refused by the inspection: {:?} {:?}, calls {ops:?}",
            r.action, r.error
        ));
    }

    // The diff flags the removal as data loss.
    match diff(&cloud, &one_stack(without_keep()), &opts).await {
        Ok(d) => {
            let keep = d[0].changes.iter().find(|c| c.logical_id == "Keep");
            if !keep.is_some_and(|c| c.stateful) {
                gaps.push(format!(
                    "{ty}: the diff does not flag removing `Keep` as data loss: {keep:?}"
                ));
            }
        }
        Err(e) => gaps.push(format!("{ty}: diff failed: {e}")),
    }

    // The removal is refused by the preflight, before any change.
    cloud.clear_calls();
    let s = deploy(&cloud, &one_stack(without_keep()), &opts, &NullObserver).await;
    let r = &s.stacks[0];
    let preflight = match r.error.as_ref().map(|e| e.kind()) {
        Some(DeployErrorKind::PreflightRefused { changes }) => changes
            .iter()
            .map(|c| c.describe())
            .eq([format!("`Keep` ({ty}) would be removed")]),
        _ => false,
    };
    if r.action != StackAction::Refused || !preflight || !cloud.mutating_calls().is_empty() {
        gaps.push(format!(
            "{ty}: removing `Keep` was not refused by the preflight: {:?} {:?}, calls {:?}",
            r.action,
            r.error,
            cloud.mutating_calls()
        ));
    }
    gaps
}

/// Each stateful type drkit deploys is guarded because of its type: dropping its line from
/// `STATEFUL_RESOURCE_TYPES` fails here, at the policy, the inspection, the diff and the
/// preflight alike.
#[tokio::test]
async fn every_stateful_type_drkit_deploys_is_guarded_by_its_type() {
    let mut gaps = Vec::new();
    for ty in DRKIT_STATEFUL_TYPES {
        gaps.extend(unguarded_steps(ty).await);
    }
    assert!(gaps.is_empty(), "{gaps:#?}");
}

/// The control for the test above: a type outside the list, without a `DeletionPolicy`, is
/// neither protected nor refused, so the guard's answer comes from the list.
#[tokio::test]
async fn a_stateless_type_is_replaced_and_removed_without_a_guard() {
    let ty = "AWS::SQS::Queue";
    let cloud = fake_replacing_marker();
    let opts = DeployOptions::default();
    deploy(&cloud, &one_stack(keeping(ty, "a")), &opts, &NullObserver)
        .await
        .into_result()
        .unwrap();
    assert_eq!(cloud.stack(R, "data").unwrap().policy, None);
    let s = deploy(&cloud, &one_stack(keeping(ty, "b")), &opts, &NullObserver).await;
    assert_eq!(
        s.stacks[0].action,
        StackAction::Updated,
        "{:?}",
        s.stacks[0].error
    );
    let s = deploy(&cloud, &one_stack(without_keep()), &opts, &NullObserver).await;
    assert_eq!(
        s.stacks[0].action,
        StackAction::Updated,
        "{:?}",
        s.stacks[0].error
    );
}

// ---------------------------------------------------------------------------------------
// The protective policy around an allowed data-loss update

/// A template whose `Db` a changed `Marker` replaces (on the fake cloud).
fn database(marker: &str) -> Value {
    json!({"Resources": {
        "Db": {"Type": "AWS::RDS::DBCluster", "Properties": {"Engine": "aurora-mysql", "Marker": marker}}
    }})
}

fn lost_permission() -> CloudError {
    CloudError::access_denied(
        "SetStackPolicy",
        "User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: cloudformation:SetStackPolicy",
    )
}

/// Deploys `database("a")`, then scripts the next `set_stack_policy` calls: the allow-all one
/// goes through, the restore fails.
async fn deployed_with_a_failing_restore() -> (FakeCloud, String) {
    let cloud = fake_replacing_marker();
    deploy(
        &cloud,
        &one_stack(database("a")),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await
    .into_result()
    .unwrap();
    let protective = cloud.stack(R, "data").unwrap().policy.unwrap();
    cloud
        .state
        .lock()
        .unwrap()
        .script
        .insert("set_stack_policy", [None, Some(lost_permission())].into());
    (cloud, protective)
}

/// An allowed data-loss update that fails, and then the protective policy cannot be put back:
/// both failures are reported, and the user is told the stack is left unprotected and what to
/// do.
#[tokio::test]
async fn a_failed_update_whose_policy_cannot_be_restored_says_both_and_what_to_do() {
    let (cloud, protective) = deployed_with_a_failing_restore().await;
    cloud
        .state
        .lock()
        .unwrap()
        .fail
        .insert("Db".into(), "Injected: cluster quota exceeded".into());
    let opts = DeployOptions {
        allow_data_loss: true,
        ..Default::default()
    };
    let s = deploy(&cloud, &one_stack(database("b")), &opts, &NullObserver).await;
    let r = &s.stacks[0];
    assert_eq!(r.action, StackAction::Failed);
    let err = r.error.as_ref().unwrap();
    match err.kind() {
        DeployErrorKind::PolicyNotRestored { first, restore } => {
            assert!(
                matches!(
                    **first,
                    DeployErrorKind::StackFailed {
                        final_status: StackStatus::UpdateRollbackComplete,
                        ..
                    }
                ),
                "{first:?}"
            );
            assert_eq!(restore, &lost_permission());
        }
        other => panic!("expected PolicyNotRestored, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "stack `data` (us-east-2) failed: resource `Db` (AWS::RDS::DBCluster) UPDATE_FAILED: Injected: cluster quota exceeded; \
         the stack is now UPDATE_ROLLBACK_COMPLETE; also, restoring the protective stack policy failed: \
         SetStackPolicy: access denied: User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: cloudformation:SetStackPolicy \
         (set it again by deploying once more)"
    );
    // The restore was attempted after the update, and the allow-all policy is what is left.
    let ops: Vec<&str> = cloud.mutating_calls().iter().map(|c| c.0).collect();
    assert_eq!(
        ops[ops.len() - 3..],
        ["set_stack_policy", "execute_change_set", "set_stack_policy"]
    );
    let left = cloud.stack(R, "data").unwrap().policy.unwrap();
    assert_eq!(left, allow_all_policy());
    assert_ne!(left, protective);
    // As the message says: the next deploy (here of the template the stack rolled back to,
    // which has nothing else to change) puts the protective policy back.
    let s = deploy(
        &cloud,
        &one_stack(database("a")),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    assert_eq!(
        s.stacks[0].action,
        StackAction::Unchanged,
        "{:?}",
        s.stacks[0].error
    );
    assert_eq!(cloud.stack(R, "data").unwrap().policy.unwrap(), protective);
}

/// An allowed data-loss update that succeeds but whose protective policy cannot be put back is
/// not a success: the stack is left under the allow-all policy, so the deploy fails on the
/// `SetStackPolicy` call rather than report the stack updated.
#[tokio::test]
async fn a_successful_update_whose_policy_cannot_be_restored_is_a_failure() {
    let (cloud, protective) = deployed_with_a_failing_restore().await;
    let opts = DeployOptions {
        allow_data_loss: true,
        ..Default::default()
    };
    let s = deploy(&cloud, &one_stack(database("b")), &opts, &NullObserver).await;
    let r = &s.stacks[0];
    assert_eq!(r.action, StackAction::Failed);
    let err = r.error.as_ref().unwrap();
    assert_eq!(err.cloud_error(), Some(&lost_permission()));
    assert!(
        matches!(
            err.cloud_error().map(CloudError::kind),
            Some(CloudErrorKind::AccessDenied)
        ),
        "{err:?}"
    );
    assert_eq!(
        cloud.stack(R, "data").unwrap().policy.unwrap(),
        allow_all_policy()
    );
    // The next deploy of the same template has nothing else to change, and restores it.
    let s = deploy(
        &cloud,
        &one_stack(database("b")),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    assert_eq!(
        s.stacks[0].action,
        StackAction::Unchanged,
        "{:?}",
        s.stacks[0].error
    );
    assert_eq!(cloud.stack(R, "data").unwrap().policy.unwrap(), protective);
}

// ---------------------------------------------------------------------------------------
// The policy follows the stateful resources an update adds (on the simulator)

fn logs_bucket() -> Value {
    json!({"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "shop-guards-logs"}})
}

fn with_secret(name: &str) -> Value {
    json!({"Resources": {
        "Logs": logs_bucket(),
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": name}}
    }})
}

/// Creates an UPDATE change set of `template` through the port, bypassing the engine and its
/// guard, executes it and waits: what the stack policy alone makes of it.
async fn update_past_the_engine(cloud: &LocalCloud, template: &Value) -> StackStatus {
    let r = cloud
        .create_change_set(
            R,
            CreateChangeSetInput {
                stack_name: "data".into(),
                change_set_name: "past-the-engine".into(),
                change_set_type: ChangeSetType::Update,
                template: TemplateSource::Body(template.to_string()),
                parameters: vec![],
                capabilities: vec![],
                tags: vec![],
                description: None,
                client_token: None,
            },
        )
        .await
        .unwrap();
    let cs = loop {
        let d = cloud.describe_change_set(R, "data", &r.id).await.unwrap();
        if d.status.is_terminal() {
            break d;
        }
        cloud.sleep(Duration::from_secs(1)).await;
    };
    let secret = cs
        .changes
        .iter()
        .find(|c| c.logical_id == "Secret")
        .unwrap();
    assert_eq!(secret.replacement, Some(Replacement::True), "{cs:?}");
    cloud.execute_change_set(R, "data", &r.id).await.unwrap();
    loop {
        let d = cloud.describe_stack(R, "data").await.unwrap().unwrap();
        if d.status.is_terminal() {
            return d.status;
        }
        cloud.sleep(Duration::from_secs(5)).await;
    }
}

/// An update that adds a secret to a stack whose policy protects only its bucket extends the
/// policy to the secret: replacing the secret afterwards is denied by the stack policy itself
/// (CloudFormation's enforcement, as the simulator models it), not only by drkit's guard.
#[tokio::test]
async fn an_update_adding_a_stateful_resource_extends_the_protective_policy() {
    let local = LocalCloud::in_memory();
    let opts = DeployOptions::default();
    let first = json!({"Resources": {"Logs": logs_bucket()}});
    deploy(&local, &one_stack(first), &opts, &NullObserver)
        .await
        .into_result()
        .unwrap();
    let s = deploy(
        &local,
        &one_stack(with_secret("shop/db-1")),
        &opts,
        &NullObserver,
    )
    .await;
    assert_eq!(
        s.stacks[0].action,
        StackAction::Updated,
        "{:?}",
        s.stacks[0].error
    );

    // The engine's guard refuses the replacement up front...
    let s = deploy(
        &local,
        &one_stack(with_secret("shop/db-2")),
        &opts,
        &NullObserver,
    )
    .await;
    assert_eq!(s.stacks[0].action, StackAction::Refused);
    assert!(
        matches!(
            s.stacks[0].error.as_ref().map(|e| e.kind()),
            Some(DeployErrorKind::PreflightRefused { changes }) if changes[0].logical_id == "Secret"
        ),
        "{:?}",
        s.stacks[0].error
    );

    // ...and the stack policy, set with the update that added the secret, denies it too.
    let status = update_past_the_engine(&local, &with_secret("shop/db-2")).await;
    assert_eq!(status, StackStatus::UpdateRollbackComplete);
    let events = local.describe_stack_events(R, "data", None).await.unwrap();
    let denied = events
        .iter()
        .find(|e| e.logical_id == "Secret" && e.status.as_str() == "UPDATE_FAILED")
        .and_then(|e| e.status_reason.clone());
    assert_eq!(
        denied.as_deref(),
        Some(
            "Action denied by stack policy: Statement [#2] does not allow [Update:Replace] for resource [LogicalResourceId/Secret]"
        ),
        "{events:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// Further guards cargo-mutants found untested (each named with the mutant it kills)

/// `termination_protection: false` creates the stack unprotected and a redeploy with nothing to
/// change leaves it so (no call); `true` on that unchanged stack turns protection on.
/// (Kills: `sync_termination_protection` replaced with `Ok(())`, and its `&&` made `||`.)
#[tokio::test]
async fn termination_protection_follows_the_option_on_create_and_on_an_unchanged_redeploy() {
    let cloud = FakeCloud::new();
    let asm = one_stack(without_keep());
    let off = DeployOptions {
        termination_protection: false,
        ..Default::default()
    };
    deploy(&cloud, &asm, &off, &NullObserver)
        .await
        .into_result()
        .unwrap();
    assert!(!cloud.stack(R, "data").unwrap().termination_protection);
    cloud.clear_calls();
    let s = deploy(&cloud, &asm, &off, &NullObserver).await;
    assert_eq!(s.stacks[0].action, StackAction::Unchanged);
    assert_eq!(cloud.mutating_calls(), []);
    assert!(!cloud.stack(R, "data").unwrap().termination_protection);

    let s = deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(s.stacks[0].action, StackAction::Unchanged);
    assert!(cloud.stack(R, "data").unwrap().termination_protection);
    let ops: Vec<&str> = cloud.mutating_calls().iter().map(|c| c.0).collect();
    assert_eq!(ops, ["update_termination_protection"]);
}

/// A change set that replaces `Db` and changes another property in place names only the
/// property that forces the replacement. (Kills: `&&` made `||` in `refused_changes`, which
/// would list every changed property.)
#[tokio::test]
async fn a_refusal_names_only_the_properties_that_force_the_replacement() {
    let cloud = fake_replacing_marker();
    let opts = DeployOptions::default();
    deploy(&cloud, &one_stack(database("a")), &opts, &NullObserver)
        .await
        .into_result()
        .unwrap();
    let mut t = database("b");
    t["Resources"]["Db"]["Properties"]["BackupRetentionPeriod"] = json!(7);
    let s = deploy(&cloud, &one_stack(t), &opts, &NullObserver).await;
    let refused = match s.stacks[0].error.as_ref().map(|e| e.kind()) {
        Some(DeployErrorKind::Refused { changes }) => changes.clone(),
        other => panic!("expected Refused, got {other:?}"),
    };
    assert_eq!(
        refused.iter().map(|c| c.describe()).collect::<Vec<_>>(),
        ["`Db` (AWS::RDS::DBCluster) would be replaced: changing Marker forces it"]
    );
}

/// What stops a deploy without a call (here a template over the inline limit with no bucket)
/// stops every stack of it, not only its own: the other stack is not attempted and nothing is
/// changed. (Kills: the preflight's early findings dropped, which let the sound stack deploy
/// and left the deploy half applied.)
#[tokio::test]
async fn a_problem_found_before_any_call_stops_every_stack() {
    let cloud = FakeCloud::new();
    let mut big = without_keep();
    big["Description"] = json!("x".repeat(60_000));
    let mut asm = one_stack(without_keep());
    let mut second = asm.stacks[0].clone();
    second.name = "big".into();
    second.template = big;
    asm.stacks.push(second);
    let s = deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(s.stack("big").unwrap().action, StackAction::Failed);
    assert!(
        matches!(
            s.stack("big").unwrap().error.as_ref().map(|e| e.kind()),
            Some(DeployErrorKind::TemplateTooLarge { .. })
        ),
        "{:?}",
        s.stack("big").unwrap().error
    );
    let data = s.stack("data").unwrap();
    assert_eq!(data.action, StackAction::Skipped);
    assert!(
        matches!(
            data.error.as_ref().map(|e| e.kind()),
            Some(DeployErrorKind::NotAttempted { because_of }) if because_of == &["big"]
        ),
        "{:?}",
        data.error
    );
    assert_eq!(cloud.mutating_calls(), []);
    assert!(cloud.stack(R, "data").is_none());
}

/// A stack left in `REVIEW_IN_PROGRESS` (a CREATE change set never executed, e.g. an
/// interrupted first deploy) is created by the next deploy. (Kills: the `ReviewInProgress`
/// match guard made `false`, or its `||` made `&&`, which report it not updatable.)
#[tokio::test]
async fn a_stack_left_in_review_in_progress_is_created() {
    let cloud = FakeCloud::new();
    cloud
        .create_change_set(
            R,
            CreateChangeSetInput {
                stack_name: "data".into(),
                change_set_name: "interrupted".into(),
                change_set_type: ChangeSetType::Create,
                template: TemplateSource::Body(without_keep().to_string()),
                parameters: vec![],
                capabilities: vec![],
                tags: vec![],
                description: None,
                client_token: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        cloud.stack(R, "data").unwrap().status,
        Some(StackStatus::ReviewInProgress)
    );
    let s = deploy(
        &cloud,
        &one_stack(without_keep()),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    assert_eq!(
        s.stacks[0].action,
        StackAction::Created,
        "{:?}",
        s.stacks[0].error
    );
    assert_eq!(
        cloud.stack(R, "data").unwrap().status,
        Some(StackStatus::CreateComplete)
    );
}

/// A stack in `UPDATE_ROLLBACK_FAILED` is not touched; the error says how to get out of it.
/// (Kills: the not-updatable match guard made `false` or its `!` deleted, and the deleted
/// `UpdateRollbackFailed` hint arm.)
#[tokio::test]
async fn a_stack_whose_rollback_failed_is_left_alone_with_how_to_continue() {
    let cloud = FakeCloud::new();
    let asm = one_stack(without_keep());
    deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    cloud
        .state
        .lock()
        .unwrap()
        .stacks
        .get_mut(&(R, "data".to_string()))
        .unwrap()
        .status = Some(StackStatus::UpdateRollbackFailed);
    cloud.clear_calls();
    let s = deploy(
        &cloud,
        &one_stack(keeping("AWS::SQS::Queue", "a")),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    assert_eq!(s.stacks[0].action, StackAction::Failed);
    assert_eq!(
        s.stacks[0].error.as_ref().unwrap().to_string(),
        "stack `data` (us-east-2) is in UPDATE_ROLLBACK_FAILED; continue the rollback (ContinueUpdateRollback) or delete the stack, then deploy again"
    );
    assert_eq!(cloud.mutating_calls(), []);
}

/// `CreateChangeSet` refused with "No updates are to be performed." (how some endpoints say
/// nothing changed) is an unchanged stack; refused for any other reason it is a failure, never
/// reported as unchanged. (Kills: the no-changes match guard made `true` or `false`.)
#[tokio::test]
async fn create_change_set_refused_is_unchanged_only_when_nothing_changed() {
    let cloud = FakeCloud::new();
    let opts = DeployOptions {
        force: true,
        ..Default::default()
    };
    deploy(&cloud, &one_stack(without_keep()), &opts, &NullObserver)
        .await
        .into_result()
        .unwrap();
    let no_updates = CloudError::validation("CreateChangeSet", "No updates are to be performed.");
    let malformed = CloudError::validation(
        "CreateChangeSet",
        "Template format error: Unrecognized resource types: [AWS::Nope::Nope]",
    );
    cloud.state.lock().unwrap().script.insert(
        "create_change_set",
        [Some(no_updates), Some(malformed.clone())].into(),
    );
    let s = deploy(&cloud, &one_stack(without_keep()), &opts, &NullObserver).await;
    assert_eq!(
        s.stacks[0].action,
        StackAction::Unchanged,
        "{:?}",
        s.stacks[0].error
    );
    let s = deploy(&cloud, &one_stack(without_keep()), &opts, &NullObserver).await;
    assert_eq!(s.stacks[0].action, StackAction::Failed);
    assert_eq!(
        s.stacks[0].error.as_ref().unwrap().cloud_error(),
        Some(&malformed)
    );
}

/// The preflight's one refusal of stack `stack`, described, with no call that changes anything.
async fn preflight_refusal(cloud: &FakeCloud, asm: &Assembly, stack: &str) -> Vec<String> {
    cloud.clear_calls();
    let s = deploy(cloud, asm, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(cloud.mutating_calls(), []);
    let r = s.stack(stack).unwrap();
    assert_eq!(r.action, StackAction::Refused, "{:?}", r.error);
    match r.error.as_ref().map(|e| e.kind()) {
        Some(DeployErrorKind::PreflightRefused { changes }) => {
            changes.iter().map(|c| c.describe()).collect()
        }
        other => panic!("expected PreflightRefused, got {other:?}"),
    }
}

/// A new value of a parameter that feeds a create-only property replaces the resource: the
/// preflight compares the deployed parameter values with the new ones and refuses it.
/// (Kills: the NoEcho test `!=` made `==` in the preflight, which took every deployed value
/// for unknown; `parameter_text` and `new_parameter_values` replaced with constants.)
#[tokio::test]
async fn a_changed_parameter_feeding_a_create_only_property_is_refused_up_front() {
    let t = |name: &str| {
        json!({
            "Parameters": {"DbName": {"Type": "String", "Default": name}},
            "Resources": {"Db": {"Type": "AWS::RDS::DBCluster", "Properties": {
                "Engine": "aurora-mysql", "DBClusterIdentifier": {"Ref": "DbName"}
            }}}
        })
    };
    let cloud = FakeCloud::new();
    deploy(
        &cloud,
        &one_stack(t("shop-db-1")),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await
    .into_result()
    .unwrap();
    assert_eq!(
        preflight_refusal(&cloud, &one_stack(t("shop-db-2")), "data").await,
        [
            "`Db` (AWS::RDS::DBCluster) may be replaced (Replacement: Conditional): changing DBClusterIdentifier forces it"
        ]
    );
}

/// The preflight names only the create-only property among those that change. (Kills: `>`
/// made `>=` where the forcing properties are collected.)
#[tokio::test]
async fn the_preflight_names_only_the_properties_that_force_the_replacement() {
    let t = |id: &str, days: u32| {
        json!({"Resources": {"Db": {"Type": "AWS::RDS::DBCluster", "Properties": {
            "Engine": "aurora-mysql", "DBClusterIdentifier": id, "BackupRetentionPeriod": days
        }}}})
    };
    let cloud = FakeCloud::new();
    deploy(
        &cloud,
        &one_stack(t("shop-db", 1)),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await
    .into_result()
    .unwrap();
    assert_eq!(
        preflight_refusal(&cloud, &one_stack(t("shop-db-2", 7)), "data").await,
        ["`Db` (AWS::RDS::DBCluster) would be replaced: changing DBClusterIdentifier forces it"]
    );
}

/// A replacement reaches a stateful resource that refers to the replaced one whatever their
/// order in the template: here the bucket comes first and names the security group replaced
/// after it. (Kills: the fixpoint's `grew |=` made `&=`, a single pass in template order.)
#[tokio::test]
async fn a_replacement_reaches_an_earlier_stateful_resource_through_its_reference() {
    let t = |description: &str| {
        json!({"Resources": {
            "Logs": {"Type": "AWS::S3::Bucket", "Properties": {
                "BucketName": {"Fn::Join": ["-", [{"Ref": "Sg"}, "logs"]]}
            }},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": description}}
        }})
    };
    let cloud = FakeCloud::new();
    deploy(
        &cloud,
        &one_stack(t("a")),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await
    .into_result()
    .unwrap();
    assert_eq!(
        preflight_refusal(&cloud, &one_stack(t("b")), "data").await,
        [
            "`Logs` (AWS::S3::Bucket) may be replaced (Replacement: Conditional): changing BucketName forces it"
        ]
    );
}

/// A producer's replaced resource changes the output a consumer's parameter is filled from,
/// and so the consumer's stateful resource built from it: refused in the consumer before the
/// producer is touched. (Kills: the changing-output match guard made `false`, which took the
/// producer's deployed output for the new one.)
#[tokio::test]
async fn a_replacement_in_a_producer_reaches_a_stateful_resource_of_its_consumer() {
    let producer = |description: &str| {
        json!({
            "Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": description}}},
            "Outputs": {"SgId": {"Value": {"Ref": "Sg"}}}
        })
    };
    let asm = |description: &str| {
        let mut a = one_stack(json!({
            "Parameters": {"SgId": {"Type": "String"}},
            "Resources": {"Logs": {"Type": "AWS::S3::Bucket", "Properties": {
                "BucketName": {"Fn::Join": ["-", [{"Ref": "SgId"}, "logs"]]}
            }}}
        }));
        a.stacks[0].dependencies = vec!["net".into()];
        a.stacks[0].parameter_wiring = vec![ParameterWiring {
            parameter: "SgId".into(),
            source: WiringSource::Output {
                stack: "net".into(),
                output: "SgId".into(),
            },
        }];
        let mut net = a.stacks[0].clone();
        net.name = "net".into();
        net.template = producer(description);
        net.dependencies = vec![];
        net.parameter_wiring = vec![];
        a.stacks.insert(0, net);
        a
    };
    let cloud = FakeCloud::new();
    deploy(&cloud, &asm("a"), &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    assert_eq!(
        preflight_refusal(&cloud, &asm("b"), "data").await,
        [
            "`Logs` (AWS::S3::Bucket) may be replaced (Replacement: Conditional): changing BucketName forces it"
        ]
    );
}
