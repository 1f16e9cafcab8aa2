//! The deploy engine against a small in-test `Cloud` (tests/it/fake_cloud): the engine's own
//! logic (skip, change sets, refusal, policies, failure reporting, waves and wiring, size limit,
//! diff, destroy) independent of the simulator.

use crate::fake_cloud;

use dr_core::cloud::{GlobalCluster, StackStatus};
use dr_core::{LookupKind, Region};
use dr_deploy::{
    ChangeKind, DeployError, DeployErrorKind, DeployOptions, DestroyOptions, DestroyOutcome,
    NullObserver, RecordingObserver, RefusalReason, StackAction, TemplateBuckets, allow_all_policy,
    deploy, destroy, diff,
};
use dr_synth::assembly::{Assembly, ParameterWiring, StackArtifact, WiringSource};
use fake_cloud::FakeCloud;
use serde_json::{Value, json};

fn artifact(name: &str, region: Region, template: Value) -> StackArtifact {
    StackArtifact {
        name: name.into(),
        path: name.into(),
        region,
        account: None,
        template,
        dependencies: vec![],
        parameter_wiring: vec![],
        termination_protection: true,
    }
}

fn assembly(stacks: Vec<StackArtifact>) -> Assembly {
    Assembly {
        app: "shop".into(),
        stacks,
        dr_pairs: Vec::new(),
        warnings: vec![],
        extra_files: vec![],
    }
}

fn network() -> Value {
    json!({
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.10.0.0/16"}},
            "Db": {"Type": "AWS::RDS::DBCluster", "Properties": {"DBClusterIdentifier": "shop-db", "Engine": "aurora-mysql"}}
        },
        "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}}, "DbName": {"Value": {"Ref": "Db"}}}
    })
}

fn consumer() -> Value {
    json!({
        "Parameters": {"PeerVpc": {"Type": "String"}, "Size": {"Type": "Number", "Default": 3}},
        "Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": {"Ref": "PeerVpc"}}}},
        "Outputs": {"Peer": {"Value": {"Ref": "PeerVpc"}}}
    })
}

fn two_stacks() -> Assembly {
    let mut app = artifact("shop-app", Region::UsWest2, consumer());
    app.dependencies = vec!["shop-net".into()];
    app.parameter_wiring = vec![ParameterWiring {
        parameter: "PeerVpc".into(),
        source: WiringSource::Output {
            stack: "shop-net".into(),
            output: "VpcId".into(),
        },
    }];
    assembly(vec![artifact("shop-net", Region::UsEast2, network()), app])
}

#[tokio::test]
async fn creates_wires_outputs_protects_and_then_skips_unchanged_stacks() {
    let cloud = FakeCloud::new();
    let asm = two_stacks();
    let obs = RecordingObserver::new();
    let s = deploy(&cloud, &asm, &DeployOptions::default(), &obs).await;
    assert!(
        s.is_success(),
        "{:?}",
        s.first_error().map(ToString::to_string)
    );
    assert_eq!(s.stack("shop-net").unwrap().action, StackAction::Created);
    assert_eq!(s.stack("shop-app").unwrap().action, StackAction::Created);
    // The producer's output reached the consumer's parameter.
    let vpc = s.output("shop-net", "VpcId").unwrap().to_string();
    assert!(vpc.starts_with("vpc-"), "{vpc}");
    assert_eq!(s.output("shop-app", "Peer"), Some(vpc.as_str()));
    // Termination protection on, and a policy protecting the database only.
    let net = cloud.stack(Region::UsEast2, "shop-net").unwrap();
    assert!(net.termination_protection);
    let policy: Value = serde_json::from_str(net.policy.as_deref().unwrap()).unwrap();
    assert_eq!(
        policy["Statement"][1]["Resource"],
        json!(["LogicalResourceId/Db"])
    );
    assert!(
        cloud
            .stack(Region::UsWest2, "shop-app")
            .unwrap()
            .policy
            .is_none()
    );
    // The display saw each resource finish.
    let log = obs.log();
    assert!(
        log.iter().any(
            |l| l.contains("shop-net: [2/2] Vpc AWS::EC2::VPC CREATE_COMPLETE")
                || l.contains("[2/2] Db")
        ),
        "{log:#?}"
    );

    let text = s.to_string();
    assert!(
        text.starts_with("shop-net (us-east-2): created in "),
        "{text}"
    );
    assert!(
        text.contains(", 4 mutating calls\nshop-app (us-west-2): created in "),
        "{text}"
    );

    cloud.clear_calls();
    let again = deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(again.is_success());
    assert!(
        again
            .stacks
            .iter()
            .all(|r| r.action == StackAction::Unchanged)
    );
    assert_eq!(again.mutating_calls(), 0);
    assert_eq!(cloud.mutating_calls(), vec![]);
    assert_eq!(again.output("shop-app", "Peer"), Some(vpc.as_str()));
}

#[tokio::test]
async fn force_on_an_unchanged_stack_deletes_the_empty_change_set() {
    let cloud = FakeCloud::new();
    let asm = assembly(vec![artifact("one", Region::UsEast2, network())]);
    deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    cloud.clear_calls();
    let opts = DeployOptions {
        force: true,
        ..Default::default()
    };
    let s = deploy(&cloud, &asm, &opts, &NullObserver).await;
    assert_eq!(s.stacks[0].action, StackAction::Unchanged);
    let ops: Vec<&str> = cloud.mutating_calls().iter().map(|c| c.0).collect();
    assert_eq!(ops, ["create_change_set", "delete_change_set"]);
}

#[tokio::test]
async fn a_new_ssm_value_redeploys_an_unchanged_template() {
    let cloud = FakeCloud::new();
    cloud
        .state
        .lock()
        .unwrap()
        .ssm
        .insert("/aws/ami".into(), "ami-1".into());
    let t = json!({
        "Parameters": {"Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": "/aws/ami"}},
        "Resources": {"Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"ImageId": {"Ref": "Ami"}}}}
    });
    let asm = assembly(vec![artifact("fleet", Region::UsEast2, t)]);
    deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    let s = deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(s.stacks[0].action, StackAction::Unchanged);
    cloud
        .state
        .lock()
        .unwrap()
        .ssm
        .insert("/aws/ami".into(), "ami-2".into());
    let s = deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(
        s.stacks[0].action,
        StackAction::Updated,
        "{:?}",
        s.stacks[0].error
    );
}

fn renamed_db() -> Value {
    let mut t = network();
    t["Resources"]["Db"]["Properties"]["DBClusterIdentifier"] = json!("shop-db-2");
    t
}

/// The preflight reads the deployed template and sees the create-only `DBClusterIdentifier`
/// change: refused before any call that changes anything.
#[tokio::test]
async fn refuses_to_replace_the_database_and_changes_nothing() {
    let cloud = FakeCloud::new();
    cloud
        .state
        .lock()
        .unwrap()
        .replace_props
        .insert("DBClusterIdentifier".into());
    deploy(
        &cloud,
        &assembly(vec![artifact("net", Region::UsEast2, network())]),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await
    .into_result()
    .unwrap();
    cloud.clear_calls();
    let s = deploy(
        &cloud,
        &assembly(vec![artifact("net", Region::UsEast2, renamed_db())]),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    let r = &s.stacks[0];
    assert_eq!(r.action, StackAction::Refused);
    assert_eq!(
        r.error.as_ref().unwrap().to_string(),
        "stack `net` (us-east-2): the preflight refuses, before any stack was changed:\n  \
         - `Db` (AWS::RDS::DBCluster) would be replaced: changing DBClusterIdentifier forces it\n\
         No stack was changed. Revert the change, or deploy again with --allow-data-loss if losing the data is intended."
    );
    assert_eq!(cloud.mutating_calls(), []);
}

/// What only the change set shows (here a replacement the resource facts do not predict) is
/// still refused by inspecting the change set before it is executed.
#[tokio::test]
async fn the_change_set_inspection_refuses_what_the_preflight_cannot_see() {
    let cloud = FakeCloud::new();
    cloud
        .state
        .lock()
        .unwrap()
        .replace_props
        .insert("BackupRetentionPeriod".into());
    deploy(
        &cloud,
        &assembly(vec![artifact("net", Region::UsEast2, network())]),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await
    .into_result()
    .unwrap();
    cloud.clear_calls();
    let mut t = network();
    t["Resources"]["Db"]["Properties"]["BackupRetentionPeriod"] = json!(7);
    let s = deploy(
        &cloud,
        &assembly(vec![artifact("net", Region::UsEast2, t)]),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    let r = &s.stacks[0];
    assert_eq!(r.action, StackAction::Refused);
    assert_eq!(
        r.error.as_ref().unwrap().to_string(),
        "stack `net` (us-east-2): refusing to replace or remove stateful resources, which would lose their data:\n  \
         - `Db` (AWS::RDS::DBCluster) would be replaced: changing BackupRetentionPeriod forces it\n\
         Nothing was executed and the change set was deleted. Revert the change, or deploy again with --allow-data-loss if losing the data is intended."
    );
    let ops: Vec<&str> = cloud.mutating_calls().iter().map(|c| c.0).collect();
    assert_eq!(ops, ["create_change_set", "delete_change_set"]);
}

#[tokio::test]
async fn allow_data_loss_swaps_the_policy_and_restores_it() {
    let cloud = FakeCloud::new();
    cloud
        .state
        .lock()
        .unwrap()
        .replace_props
        .insert("DBClusterIdentifier".into());
    deploy(
        &cloud,
        &assembly(vec![artifact("net", Region::UsEast2, network())]),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await
    .into_result()
    .unwrap();
    let protective = cloud.stack(Region::UsEast2, "net").unwrap().policy.unwrap();
    cloud.clear_calls();
    let opts = DeployOptions {
        allow_data_loss: true,
        ..Default::default()
    };
    let s = deploy(
        &cloud,
        &assembly(vec![artifact("net", Region::UsEast2, renamed_db())]),
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
    let ops: Vec<&str> = cloud.mutating_calls().iter().map(|c| c.0).collect();
    assert_eq!(
        ops,
        [
            "create_change_set",
            "set_stack_policy",
            "execute_change_set",
            "set_stack_policy"
        ]
    );
    assert_eq!(
        cloud.stack(Region::UsEast2, "net").unwrap().policy.unwrap(),
        protective
    );
    assert!(
        s.stacks[0]
            .notes
            .iter()
            .any(|n| n.contains("allowing data loss"))
    );
    let _ = allow_all_policy();
}

#[tokio::test]
async fn an_update_failure_still_restores_the_policy() {
    let cloud = FakeCloud::new();
    cloud
        .state
        .lock()
        .unwrap()
        .replace_props
        .insert("DBClusterIdentifier".into());
    deploy(
        &cloud,
        &assembly(vec![artifact("net", Region::UsEast2, network())]),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await
    .into_result()
    .unwrap();
    let protective = cloud.stack(Region::UsEast2, "net").unwrap().policy.unwrap();
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
    let s = deploy(
        &cloud,
        &assembly(vec![artifact("net", Region::UsEast2, renamed_db())]),
        &opts,
        &NullObserver,
    )
    .await;
    assert_eq!(s.stacks[0].action, StackAction::Failed);
    assert_eq!(
        s.stacks[0].error.as_ref().unwrap().to_string(),
        "stack `net` (us-east-2) failed: resource `Db` (AWS::RDS::DBCluster) UPDATE_FAILED: Injected: cluster quota exceeded; the stack is now UPDATE_ROLLBACK_COMPLETE"
    );
    assert_eq!(
        cloud.stack(Region::UsEast2, "net").unwrap().policy.unwrap(),
        protective
    );
}

#[tokio::test]
async fn a_failed_create_is_reported_then_recreated_on_the_next_deploy() {
    let cloud = FakeCloud::new();
    cloud.state.lock().unwrap().fail.insert(
        "Db".into(),
        "Injected: DB subnet group has too few AZs".into(),
    );
    let asm = two_stacks();
    let s = deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(s.stack("shop-net").unwrap().action, StackAction::Failed);
    assert_eq!(
        s.stack("shop-net").unwrap().final_status,
        Some(StackStatus::RollbackComplete)
    );
    assert_eq!(
        s.first_error().unwrap().to_string(),
        "stack `shop-net` (us-east-2) failed: resource `Db` (AWS::RDS::DBCluster) CREATE_FAILED: Injected: DB subnet group has too few AZs; the stack is now ROLLBACK_COMPLETE (the next deploy deletes and recreates it)"
    );
    // The dependent stack was not attempted.
    let app = s.stack("shop-app").unwrap();
    assert_eq!(app.action, StackAction::Skipped);
    assert_eq!(app.mutating_calls, 0);

    cloud.state.lock().unwrap().fail.clear();
    cloud.clear_calls();
    let s = deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(
        s.is_success(),
        "{:?}",
        s.first_error().map(ToString::to_string)
    );
    let net = s.stack("shop-net").unwrap();
    assert_eq!(net.action, StackAction::Created);
    assert!(
        net.notes[0].contains("ROLLBACK_COMPLETE"),
        "{:?}",
        net.notes
    );
    assert_eq!(cloud.mutating_calls()[0].0, "delete_stack");
}

#[tokio::test]
async fn a_stack_without_physical_ids_fails_naming_them() {
    let cloud = FakeCloud::new();
    cloud
        .state
        .lock()
        .unwrap()
        .skip_types
        .insert("AWS::RDS::DBCluster".into());
    let s = deploy(
        &cloud,
        &assembly(vec![artifact("net", Region::UsEast2, network())]),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    assert_eq!(
        s.first_error().unwrap().to_string(),
        "stack `net` (us-east-2) reports success but these resources have no physical id: Db (AWS::RDS::DBCluster); the backend did not create them (an emulator may not support their types)"
    );
}

fn big_template() -> Value {
    let mut res = serde_json::Map::new();
    for i in 0..400 {
        res.insert(
            format!("Topic{i:03}"),
            json!({"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "x".repeat(120)}}),
        );
    }
    json!({"Resources": res})
}

#[tokio::test]
async fn templates_over_the_inline_limit_need_a_bucket() {
    let cloud = FakeCloud::new();
    let asm = assembly(vec![artifact("big", Region::UsEast2, big_template())]);
    let size = asm.stacks[0].template_body().len();
    let s = deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(
        s.first_error().unwrap().to_string(),
        format!(
            "stack `big`: the template is {size} bytes minified, over CloudFormation's inline limit of 51200 bytes; name an S3 bucket in us-east-2 for templates (the `template_buckets` option, `--template-bucket us-east-2=BUCKET`) so it is uploaded and passed by URL"
        )
    );
    assert!(cloud.mutating_calls().is_empty());
    let opts = DeployOptions {
        template_buckets: TemplateBuckets::none().with(Region::UsEast2, "my-templates"),
        ..Default::default()
    };
    let s = deploy(&cloud, &asm, &opts, &NullObserver).await;
    assert!(
        s.is_success(),
        "{:?}",
        s.first_error().map(ToString::to_string)
    );
    assert_eq!(cloud.mutating_calls()[0].0, "put_object");
}

#[tokio::test]
async fn a_lookup_passes_the_global_writer_endpoint() {
    let cloud = FakeCloud::new();
    cloud.state.lock().unwrap().global_clusters.insert(
        "shop-global".into(),
        GlobalCluster {
            identifier: "shop-global".into(),
            arn: "arn:aws:rds::123456789012:global-cluster:shop-global".into(),
            status: "available".into(),
            engine: None,
            engine_version: None,
            endpoint: Some("shop-global.global-abc.global.rds.amazonaws.com".into()),
            members: vec![],
            failover_state: None,
            deletion_protection: false,
        },
    );
    let producer = json!({
        "Resources": {"G": {"Type": "AWS::RDS::GlobalCluster", "Properties": {}}},
        "Outputs": {"GlobalId": {"Value": "shop-global"}}
    });
    let mut app = artifact("dns", Region::UsEast1, consumer());
    app.dependencies = vec!["db".into()];
    app.parameter_wiring = vec![ParameterWiring {
        parameter: "PeerVpc".into(),
        source: WiringSource::Lookup {
            kind: LookupKind::GlobalClusterWriterEndpoint,
            stack: "db".into(),
            output: "GlobalId".into(),
        },
    }];
    let asm = assembly(vec![artifact("db", Region::UsEast2, producer), app]);
    let s = deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(
        s.is_success(),
        "{:?}",
        s.first_error().map(ToString::to_string)
    );
    assert_eq!(
        s.output("dns", "Peer"),
        Some("shop-global.global-abc.global.rds.amazonaws.com")
    );
}

#[tokio::test]
async fn independent_stacks_run_in_one_wave() {
    let cloud = FakeCloud::new();
    let asm = assembly(vec![
        artifact("a", Region::UsEast2, network()),
        artifact("b", Region::UsWest2, network()),
    ]);
    let obs = RecordingObserver::new();
    deploy(&cloud, &asm, &DeployOptions::default(), &obs)
        .await
        .into_result()
        .unwrap();
    // Both started before either finished.
    let log = obs.log();
    let pos = |needle: &str| log.iter().position(|l| l.contains(needle)).unwrap();
    assert!(
        pos("b (us-west-2): started") < pos("a: created"),
        "{log:#?}"
    );
    assert!(
        pos("a (us-east-2): started") < pos("b: created"),
        "{log:#?}"
    );
}

#[tokio::test]
async fn diff_lists_added_modified_and_removed() {
    let cloud = FakeCloud::new();
    cloud
        .state
        .lock()
        .unwrap()
        .replace_props
        .insert("DBClusterIdentifier".into());
    let first = assembly(vec![artifact("net", Region::UsEast2, network())]);
    let d = diff(&cloud, &first, &DeployOptions::default())
        .await
        .unwrap();
    assert!(!d[0].exists);
    assert_eq!(d[0].changes.len(), 2);
    assert!(d[0].changes.iter().all(|c| c.kind == ChangeKind::Added));
    deploy(&cloud, &first, &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    assert!(
        diff(&cloud, &first, &DeployOptions::default())
            .await
            .unwrap()[0]
            .changes
            .is_empty()
    );

    let mut t = renamed_db();
    t["Resources"].as_object_mut().unwrap().remove("Vpc");
    t["Resources"]["Topic"] = json!({"Type": "AWS::SNS::Topic"});
    t["Outputs"].as_object_mut().unwrap().remove("VpcId");
    let d = diff(
        &cloud,
        &assembly(vec![artifact("net", Region::UsEast2, t)]),
        &DeployOptions::default(),
    )
    .await
    .unwrap();
    let text = d[0].to_string();
    assert_eq!(
        text,
        "Stack net (us-east-2)\n  \
         ! a deploy would change no stack, refused: `Db` (AWS::RDS::DBCluster) would be replaced: changing DBClusterIdentifier forces it\n  \
         ~ Db AWS::RDS::DBCluster (replace) (stateful: data loss)\n      DBClusterIdentifier: \"shop-db\" -> \"shop-db-2\" (replace)\n  + Topic AWS::SNS::Topic\n  - Vpc AWS::EC2::VPC\n  Outputs:\n    - VpcId: {\"Ref\":\"Vpc\"}\n"
    );
    // The change set used for the diff is gone.
    assert!(
        cloud
            .stack(Region::UsEast2, "net")
            .unwrap()
            .change_sets
            .is_empty()
    );
}

#[tokio::test]
async fn destroy_goes_in_reverse_order_and_lifts_protection_only_when_told() {
    let cloud = FakeCloud::new();
    let asm = two_stacks();
    deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    let s = destroy(&cloud, &asm, &DestroyOptions::default(), &NullObserver).await;
    assert!(!s.is_success());
    assert_eq!(s.stacks[0].stack, "shop-app");
    assert_eq!(s.stacks[0].outcome, DestroyOutcome::Blocked);
    assert_eq!(
        s.stacks[0].error.as_ref().unwrap().to_string(),
        "stack `shop-app` (us-west-2) was not deleted: termination protection is on (lift with --lift-termination-protection)"
    );
    assert_eq!(
        s.stack("shop-net").unwrap().outcome,
        DestroyOutcome::Skipped
    );
    assert!(
        cloud
            .stack(Region::UsWest2, "shop-app")
            .is_some_and(|s| s.status.is_some())
    );

    let opts = DestroyOptions {
        lift_termination_protection: true,
        ..Default::default()
    };
    let obs = RecordingObserver::new();
    let s = destroy(&cloud, &asm, &opts, &obs).await;
    assert!(
        s.is_success(),
        "{:?}",
        s.first_error().map(ToString::to_string)
    );
    let order: Vec<&str> = s.stacks.iter().map(|r| r.stack.as_str()).collect();
    assert_eq!(order, ["shop-app", "shop-net"]);
    assert!(
        s.stacks[0]
            .met
            .contains(&"termination protection was on: lifted".to_string())
    );
    assert!(
        s.stack("shop-net")
            .unwrap()
            .met
            .iter()
            .any(|m| m.contains("`Db` has DeletionPolicy Snapshot"))
    );
    assert!(cloud.stack(Region::UsEast2, "shop-net").is_none());
    let again = destroy(&cloud, &asm, &opts, &NullObserver).await;
    assert!(
        again
            .stacks
            .iter()
            .all(|r| r.outcome == DestroyOutcome::Absent)
    );
}

#[tokio::test]
async fn a_missing_parameter_value_is_an_error_before_any_call() {
    let cloud = FakeCloud::new();
    let asm = assembly(vec![artifact("app", Region::UsEast2, consumer())]);
    let s = deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(matches!(
        s.first_error().map(DeployError::kind),
        Some(DeployErrorKind::MissingParameterValue { .. })
    ));
    assert_eq!(
        s.first_error().unwrap().to_string(),
        "stack `app`: parameter `PeerVpc` has no default and nothing fills it; give it a default in the template"
    );
    assert!(cloud.calls().is_empty());
}

#[tokio::test]
async fn throttled_reads_while_polling_are_retried() {
    let cloud = FakeCloud::new();
    cloud.state.lock().unwrap().throttle_describe_stack = 3;
    let obs = RecordingObserver::new();
    let s = deploy(
        &cloud,
        &assembly(vec![artifact("net", Region::UsEast2, network())]),
        &DeployOptions::default(),
        &obs,
    )
    .await;
    assert!(s.is_success(), "{s}");
    assert_eq!(
        obs.log()
            .iter()
            .filter(|l| l.contains("throttled (DescribeStacks); polling again"))
            .count(),
        3
    );
}

fn global_database(version: &str) -> Value {
    json!({
        "Resources": {
            "Global": {"Type": "AWS::RDS::GlobalCluster", "Properties": {
                "GlobalClusterIdentifier": "shop-global", "Engine": "aurora-mysql",
                "EngineVersion": version
            }}
        }
    })
}

/// An engine upgrade of a global database is done outside drkit (secondary clusters first);
/// once the running global cluster reports the new version, the templates catch up: the same
/// change the preflight refused before goes through.
#[tokio::test]
async fn an_engine_upgrade_done_outside_lets_the_templates_catch_up() {
    let cloud = FakeCloud::new();
    let asm = |v: &str| assembly(vec![artifact("data", Region::UsEast2, global_database(v))]);
    deploy(
        &cloud,
        &asm("8.0.mysql_aurora.3.10.3"),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await
    .into_result()
    .unwrap();
    let physical = cloud.stack(Region::UsEast2, "data").unwrap().resources["Global"]
        .1
        .clone()
        .unwrap();
    let running = |version: &str| GlobalCluster {
        identifier: physical.clone(),
        arn: format!("arn:aws:rds::123456789012:global-cluster:{physical}"),
        status: "available".into(),
        engine: Some("aurora-mysql".into()),
        engine_version: Some(version.into()),
        endpoint: None,
        members: vec![],
        failover_state: None,
        deletion_protection: true,
    };
    cloud
        .state
        .lock()
        .unwrap()
        .global_clusters
        .insert(physical.clone(), running("8.0.mysql_aurora.3.10.3"));
    cloud.clear_calls();

    let s = deploy(
        &cloud,
        &asm("8.0.mysql_aurora.3.11.0"),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    assert_eq!(s.stacks[0].action, StackAction::Refused, "{s}");
    assert!(matches!(
        s.first_error().map(DeployError::kind),
        Some(DeployErrorKind::PreflightRefused { changes })
            if matches!(&changes[0].reason, RefusalReason::GlobalEngineUpgrade { running, wanted }
                if running == "8.0.mysql_aurora.3.10.3" && wanted == "8.0.mysql_aurora.3.11.0")
    ));
    assert_eq!(cloud.mutating_calls(), []);

    // Upgraded outside drkit.
    cloud
        .state
        .lock()
        .unwrap()
        .global_clusters
        .insert(physical.clone(), running("8.0.mysql_aurora.3.11.0"));
    let s = deploy(
        &cloud,
        &asm("8.0.mysql_aurora.3.11.0"),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    assert_eq!(s.stacks[0].action, StackAction::Updated, "{s}");
}
