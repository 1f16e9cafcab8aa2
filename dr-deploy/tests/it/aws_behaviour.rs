//! The engine as real AWS behaves (issue 25), against the simulator: protections reconciled on
//! a redeploy after an interrupted run, a failed first create leaving nothing retained, a stack
//! left in DELETE_FAILED cleaned up only when told how, waits that ride out blips, dependents
//! held back past an unreachable dependency in their own Region, and calls whose answer was lost
//! retried as the same request.

use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{
    ChangeSetType, Cloud, CreateChangeSetInput, ResourceStatus, StackStatus, TemplateSource,
};
use dr_deploy::{
    DeployErrorKind, DeployOptions, DestroyOptions, DestroyOutcome, NullObserver,
    RecordingObserver, StackAction, deploy, destroy, protective_policy, stateful_logical_ids,
};
use dr_local::{LocalCloud, Outage, ServerFault};
use dr_synth::assembly::{Assembly, StackArtifact};
use serde_json::{Value, json};

use crate::on_local::deployed_dr_pair;

const R: Region = Region::UsEast2;

fn one_stack(name: &str, template: Value) -> Assembly {
    Assembly {
        app: "shop".into(),
        stacks: vec![StackArtifact {
            name: name.into(),
            path: format!("shop/{name}"),
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

/// A key (stateful, `Retain`) and a topic.
fn keyed() -> Value {
    json!({"Resources": {
        "Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "kms:*", "Resource": "*"}]}}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "alerts"}}
    }})
}

/// Runs `stack`'s operation in flight to its end on the virtual clock.
async fn settle(local: &LocalCloud, stack: &str) -> Option<StackStatus> {
    loop {
        match local.describe_stack(R, stack).await.unwrap() {
            None => return None,
            Some(s) if s.status.is_terminal() => return Some(s.status),
            Some(_) => local.sleep(Duration::from_secs(5)).await,
        }
    }
}

/// A run interrupted right after `ExecuteChangeSet` of a first create leaves a stack created
/// without its stack policy or termination protection. The next deploy finds the template
/// unchanged and still puts both on, with exactly those two calls; the one after makes none.
#[tokio::test]
async fn a_create_interrupted_after_execute_gets_its_protections_on_the_next_deploy() {
    let local = LocalCloud::in_memory();
    let asm = one_stack("keys", keyed());
    let art = &asm.stacks[0];
    // What the interrupted run got done: the change set, executed; nothing after.
    local
        .create_change_set(
            R,
            CreateChangeSetInput {
                stack_name: "keys".into(),
                change_set_name: "drkit-interrupted".into(),
                change_set_type: ChangeSetType::Create,
                template: TemplateSource::Body(art.template_body()),
                parameters: vec![],
                capabilities: vec![],
                tags: vec![],
                description: None,
                client_token: None,
            },
        )
        .await
        .unwrap();
    local.clock().run_until_idle();
    local
        .execute_change_set(R, "keys", "drkit-interrupted")
        .await
        .unwrap();
    assert_eq!(
        settle(&local, "keys").await,
        Some(StackStatus::CreateComplete)
    );
    assert_eq!(local.get_stack_policy(R, "keys").await.unwrap(), None);

    local.clear_call_log();
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    let r = s.stack("keys").unwrap();
    assert_eq!(r.action, StackAction::Unchanged, "{s}");
    let mutating: Vec<String> = local
        .call_log()
        .into_iter()
        .filter(|c| c.mutating)
        .map(|c| c.operation)
        .collect();
    assert_eq!(
        mutating,
        ["set_stack_policy", "update_termination_protection"],
        "{s}"
    );
    let policy: Value =
        serde_json::from_str(&local.get_stack_policy(R, "keys").await.unwrap().unwrap()).unwrap();
    let want: Value =
        serde_json::from_str(&protective_policy(&stateful_logical_ids(&art.template)).unwrap())
            .unwrap();
    assert_eq!(policy, want);
    assert!(
        local
            .describe_stack(R, "keys")
            .await
            .unwrap()
            .unwrap()
            .termination_protection
    );

    local.clear_call_log();
    let again = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(again.mutating_calls(), 0, "{again}");
    assert_eq!(local.mutating_calls(), 0);
}

/// `destroy --lift-deletion-protection` lifts deletion protection outside CloudFormation; a
/// destroy that stopped after that leaves the databases unprotected under a template that says
/// otherwise. The next deploy, with nothing else to change, turns it back on (and says so);
/// the one after makes no call that changes anything.
#[tokio::test]
async fn deletion_protection_lifted_by_a_stopped_destroy_is_turned_back_on() {
    let (asm, local) = deployed_dr_pair().await;
    let resources = local
        .describe_stack_resources(R, "Shop-Primary-Data")
        .await
        .unwrap();
    let physical = |ty: &str| {
        resources
            .iter()
            .find(|r| r.resource_type == ty)
            .and_then(|r| r.physical_id.clone())
            .unwrap()
    };
    let (cluster, global) = (
        physical("AWS::RDS::DBCluster"),
        physical("AWS::RDS::GlobalCluster"),
    );
    local
        .modify_db_cluster_deletion_protection(R, &cluster, false)
        .await
        .unwrap();
    local
        .modify_global_cluster_deletion_protection(R, &global, false)
        .await
        .unwrap();

    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(
        s.stacks.iter().all(|r| r.action == StackAction::Unchanged),
        "{s}"
    );
    let data = s.stack("Shop-Primary-Data").unwrap();
    assert_eq!(data.mutating_calls, 2, "{s}");
    assert_eq!(s.mutating_calls(), 2, "{s}");
    assert!(
        data.notes.iter().any(|n| n.contains(&format!(
            "DB cluster `{cluster}` had deletion protection off"
        ))),
        "{:#?}",
        data.notes
    );
    assert!(
        local
            .describe_db_cluster(R, &cluster)
            .await
            .unwrap()
            .unwrap()
            .deletion_protection
    );
    assert!(
        local
            .describe_global_cluster(R, &global)
            .await
            .unwrap()
            .unwrap()
            .deletion_protection
    );

    let again = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(again.mutating_calls(), 0, "{again}");
}

/// With nothing drifted, the redeploy of a pair reads the databases' deletion protection (it is
/// not assumed) and makes no call that changes anything.
#[tokio::test]
async fn an_unchanged_pair_reads_its_protections_but_changes_nothing() {
    let (asm, local) = deployed_dr_pair().await;
    local.clear_call_log();
    let obs = RecordingObserver::new();
    let s = deploy(&local, &asm, &DeployOptions::default(), &obs).await;
    assert!(
        s.stacks.iter().all(|r| r.action == StackAction::Unchanged),
        "{s}"
    );
    assert_eq!(local.mutating_calls(), 0);
    // The databases' protection was read, not assumed.
    let reads: Vec<String> = local
        .call_log()
        .into_iter()
        .map(|c| c.operation)
        .filter(|o| o == "describe_db_cluster" || o == "describe_global_cluster")
        .collect();
    assert!(
        reads.iter().any(|o| o == "describe_db_cluster"),
        "{reads:?}"
    );
}

/// The events a stack has, by logical id and status.
async fn resource_statuses(local: &LocalCloud, stack: &str) -> Vec<(String, ResourceStatus)> {
    local
        .describe_stack_events(R, stack, None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.logical_id, e.status))
        .collect()
}

/// A first create that fails rolls back; drkit executes CREATE change sets with
/// `RetainExceptOnCreate`, so the key it made (DeletionPolicy Retain) is deleted in the
/// rollback rather than left behind, one per failed attempt.
#[tokio::test]
async fn a_failed_first_create_leaves_no_retained_resource_behind() {
    let local = LocalCloud::in_memory();
    let asm = one_stack("keys", keyed());
    local.fail_resource_on_next_deploy(R, "keys", "Topic", "Topic limit exceeded");
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(s.stack("keys").unwrap().action, StackAction::Failed, "{s}");
    let events = resource_statuses(&local, "keys").await;
    assert!(
        events
            .iter()
            .any(|(id, st)| id == "Key" && *st == ResourceStatus::DeleteComplete),
        "the key is deleted in the rollback: {events:?}"
    );
    assert!(
        !events
            .iter()
            .any(|(id, st)| id == "Key" && *st == ResourceStatus::DeleteSkipped),
        "{events:?}"
    );
    assert_eq!(local.retained_resources(R), Vec::<(String, String)>::new());
    // The next deploy deletes the ROLLBACK_COMPLETE stack and creates it.
    let again = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(
        again.stack("keys").unwrap().action,
        StackAction::Created,
        "{again}"
    );
    assert_eq!(local.retained_resources(R), Vec::<(String, String)>::new());
}

/// A protected global cluster and a topic, in a stack without termination protection.
fn protected_global() -> Assembly {
    let mut asm = one_stack(
        "shop-global-db",
        json!({"Resources": {
            "Global": {"Type": "AWS::RDS::GlobalCluster", "Properties": {
                "GlobalClusterIdentifier": "shop-global", "Engine": "aurora-mysql",
                "DeletionProtection": true
            }},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "alerts"}}
        }}),
    );
    asm.stacks[0].termination_protection = false;
    asm
}

/// A stack left in DELETE_FAILED by an earlier delete is cleaned up as told: `retain_failed`
/// deletes the stack and keeps the resource that failed (RetainResources), outside any stack,
/// and the report says so.
#[tokio::test]
async fn a_delete_failed_stack_is_deleted_keeping_what_failed_when_told() {
    let local = LocalCloud::in_memory();
    let asm = protected_global();
    deploy(&local, &asm, &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    // An earlier delete that failed on the protected global cluster.
    local.delete_stack(R, "shop-global-db").await.unwrap();
    assert_eq!(
        settle(&local, "shop-global-db").await,
        Some(StackStatus::DeleteFailed)
    );

    let opts = DestroyOptions {
        retain_failed: true,
        ..DestroyOptions::default()
    };
    let s = destroy(&local, &asm, &opts, &NullObserver).await;
    let r = s.stack("shop-global-db").unwrap();
    assert_eq!(r.outcome, DestroyOutcome::Deleted, "{s}");
    assert!(
        r.met
            .iter()
            .any(|m| m.contains("`Global` failed to delete and was retained")),
        "{s}"
    );
    assert_eq!(
        local.describe_stack(R, "shop-global-db").await.unwrap(),
        None
    );
    assert!(
        local
            .describe_global_cluster(R, "shop-global")
            .await
            .unwrap()
            .is_some(),
        "the retained global cluster is still there"
    );
}

/// The same with `force_delete`: FORCE_DELETE_STACK deletes the stack and leaves behind what
/// fails to delete.
#[tokio::test]
async fn a_delete_failed_stack_is_force_deleted_when_told() {
    let local = LocalCloud::in_memory();
    let asm = protected_global();
    deploy(&local, &asm, &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    local.delete_stack(R, "shop-global-db").await.unwrap();
    assert_eq!(
        settle(&local, "shop-global-db").await,
        Some(StackStatus::DeleteFailed)
    );
    let opts = DestroyOptions {
        force_delete: true,
        ..DestroyOptions::default()
    };
    let s = destroy(&local, &asm, &opts, &NullObserver).await;
    let r = s.stack("shop-global-db").unwrap();
    assert_eq!(r.outcome, DestroyOutcome::Deleted, "{s}");
    assert!(
        r.met.iter().any(|m| m.contains("FORCE_DELETE_STACK")),
        "{s}"
    );
    assert_eq!(
        local.describe_stack(R, "shop-global-db").await.unwrap(),
        None
    );
}

/// Told neither, destroy names the protection that makes the delete fail (it is on a resource
/// CloudFormation could not delete) and the ways out, and deletes nothing.
#[tokio::test]
async fn a_delete_failed_stack_without_a_way_out_names_it() {
    let local = LocalCloud::in_memory();
    let asm = protected_global();
    deploy(&local, &asm, &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    local.delete_stack(R, "shop-global-db").await.unwrap();
    settle(&local, "shop-global-db").await;
    let s = destroy(&local, &asm, &DestroyOptions::default(), &NullObserver).await;
    let r = s.stack("shop-global-db").unwrap();
    assert_eq!(r.outcome, DestroyOutcome::Blocked, "{s}");
    let text = s.to_string();
    assert!(
        text.contains("global cluster `shop-global` has deletion protection on"),
        "{text}"
    );
    assert!(
        matches!(
            r.error.as_ref().unwrap().kind(),
            DeployErrorKind::Protected { .. }
        ),
        "{text}"
    );
    assert_eq!(
        settle(&local, "shop-global-db").await,
        Some(StackStatus::DeleteFailed)
    );
}

/// A network and an Aurora cluster: a create that takes minutes on the simulator's clock.
fn database() -> Value {
    json!({
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.10.0.0/16"}},
            "Db": {"Type": "AWS::RDS::DBCluster", "Properties": {
                "DBClusterIdentifier": "shop-db", "Engine": "aurora-mysql",
                "MasterUsername": "admin", "MasterUserPassword": "correct-horse-battery"
            }}
        },
        "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}}}
    })
}

/// Two minutes of HTTP 500s in the middle of a database's creation: CloudFormation carries on,
/// and so does the wait, which looks again after each failed read and reports the stack
/// created. Before, the first 500 past the SDK's retries marked the stack failed.
#[tokio::test]
async fn a_wait_rides_out_two_minutes_of_server_errors() {
    for outage in [
        Outage::ServerErrors(ServerFault::InternalFailure),
        Outage::NoAnswer,
    ] {
        let local = LocalCloud::in_memory();
        local.schedule_region_outage(R, Duration::from_secs(60), Duration::from_secs(120), outage);
        let obs = RecordingObserver::new();
        let s = deploy(
            &local,
            &one_stack("db", database()),
            &DeployOptions::default(),
            &obs,
        )
        .await;
        let r = s.stack("db").unwrap();
        assert_eq!(r.action, StackAction::Created, "{outage:?}: {s}");
        assert!(
            obs.log()
                .iter()
                .any(|l| l.contains("us-east-2 did not answer") && l.contains("polling again")),
            "{outage:?}: {:#?}",
            obs.log()
        );
    }
}

/// An outage that outlasts the wait's `unanswered` limit ends the wait as an outage. The
/// dependent in the other Region deploys; the one in the same Region is held back, since the
/// dependency may still be mid-operation there.
#[tokio::test]
async fn past_an_unreachable_dependency_only_the_other_regions_stacks_deploy() {
    let local = LocalCloud::in_memory();
    let topic = |name: &str| {
        json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic",
            "Properties": {"DisplayName": name}}}})
    };
    let mut asm = one_stack("db", database());
    for (name, region) in [("app-east", R), ("app-west", Region::UsWest2)] {
        let mut art = asm.stacks[0].clone();
        art.name = name.into();
        art.path = format!("shop/{name}");
        art.region = region;
        art.template = topic(name);
        art.dependencies = vec!["db".into()];
        asm.stacks.push(art);
    }
    local.schedule_region_outage(
        R,
        Duration::from_secs(60),
        Duration::from_secs(3 * 3600),
        Outage::ServerErrors(ServerFault::ServiceUnavailable),
    );
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    let db = s.stack("db").unwrap();
    assert_eq!(db.action, StackAction::Failed, "{s}");
    assert!(db.failed_by_region_outage(), "{s}");
    // Given up after the unanswered limit, not the three-hour timeout.
    assert!(db.duration() < Duration::from_secs(20 * 60), "{s}");
    let east = s.stack("app-east").unwrap();
    assert_eq!(east.action, StackAction::Skipped, "{s}");
    assert!(matches!(
        east.error.as_ref().unwrap().kind(),
        DeployErrorKind::DependencyFailed { dependency } if dependency == "db"
    ));
    assert_eq!(
        s.stack("app-west").unwrap().action,
        StackAction::Created,
        "{s}"
    );
}

/// CreateChangeSet and ExecuteChangeSet whose answer is lost are sent again by the SDK: with
/// drkit's tokens the retry is the same request, and the deploy goes on. Without them the
/// retry met `AlreadyExistsException` and `InvalidChangeSetStatus` while the stack was in fact
/// being created.
#[tokio::test]
async fn a_lost_answer_retried_with_the_same_token_is_the_same_request() {
    for op in ["create_change_set", "execute_change_set_with"] {
        let local = LocalCloud::in_memory();
        local.lose_answer_then_retry(op);
        let s = deploy(
            &local,
            &one_stack("keys", keyed()),
            &DeployOptions::default(),
            &NullObserver,
        )
        .await;
        assert_eq!(
            s.stack("keys").unwrap().action,
            StackAction::Created,
            "{op}: {s}"
        );
        let executes = local
            .call_log()
            .into_iter()
            .filter(|c| c.operation == "execute_change_set_with")
            .count();
        assert_eq!(executes, 1, "{op}");
    }
}

/// A DB cluster detached from its global cluster before destroy (by hand, or by an earlier
/// drkit that detached it itself) makes CloudFormation's delete handler fail: it removes the
/// cluster its template names from the global cluster, and RDS answers that it is not a
/// member. destroy names the resource, its reason and the ways out; told to keep what failed,
/// it deletes the stack and leaves the cluster.
#[tokio::test]
async fn a_delete_that_fails_names_the_resource_and_the_ways_out() {
    let (asm, local) = deployed_dr_pair().await;
    let dr = Region::UsWest2;
    let secondary = local
        .describe_db_clusters(dr)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.global_cluster_identifier.is_some())
        .unwrap();
    local
        .remove_from_global_cluster(
            dr,
            secondary.global_cluster_identifier.as_deref().unwrap(),
            &secondary.arn,
        )
        .await
        .unwrap();
    local.sleep(Duration::from_secs(600)).await;
    let lift = DestroyOptions {
        only: Some(vec![
            "Shop-Secondary-Data".into(),
            "Shop-Secondary-Peering".into(),
            "Shop-Global".into(),
        ]),
        ..DestroyOptions::lift_all()
    };
    let s = destroy(&local, &asm, &lift, &NullObserver).await;
    let r = s.stack("Shop-Secondary-Data").unwrap();
    assert_eq!(r.outcome, DestroyOutcome::Failed, "{s}");
    let e = r.error.as_ref().unwrap();
    let DeployErrorKind::DeleteFailed { resources } = e.kind() else {
        panic!("{e:?}");
    };
    assert_eq!(resources.len(), 1, "{e}");
    assert_eq!(resources[0].resource_type, "AWS::RDS::DBCluster");
    let text = e.to_string();
    assert!(text.contains("is not found in global cluster"), "{text}");
    assert!(
        text.contains("--retain-failed") && text.contains("--force-delete"),
        "{text}"
    );

    let keep = DestroyOptions {
        retain_failed: true,
        ..lift
    };
    let s = destroy(&local, &asm, &keep, &NullObserver).await;
    assert_eq!(
        s.stack("Shop-Secondary-Data").unwrap().outcome,
        DestroyOutcome::Deleted,
        "{s}"
    );
    assert!(
        local
            .describe_db_cluster(dr, &secondary.identifier)
            .await
            .unwrap()
            .is_some(),
        "the retained cluster is still there"
    );
    assert!(
        local
            .retained_resources(dr)
            .iter()
            .any(|(ty, id)| ty == "AWS::RDS::DBCluster" && *id == secondary.identifier),
        "{:?}",
        local.retained_resources(dr)
    );
}
