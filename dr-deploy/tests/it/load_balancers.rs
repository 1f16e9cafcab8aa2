//! `destroy` and deploy with a protected load balancer and its access-log bucket, on the fake
//! cloud (the engine's calls and their order) and on the simulator (ELB's and S3's refusals):
//! the protection blocks the stack until `lift_deletion_protection` lifts it; a bucket that
//! holds logs is kept outside the stack and named, or emptied and deleted with
//! `empty_buckets`, again when logs arrive after the emptying; a bucket that is not an
//! access-log bucket is never emptied; a deploy turns a lifted protection back on.

use crate::fake_cloud;

use dr_core::Region;
use dr_core::cloud::{Cloud, LB_DELETION_PROTECTION, ObjectVersion};
use dr_core::facts::elb::elb_log_delivery_principal;
use dr_deploy::{
    DeployErrorKind, DeployOptions, DestroyOptions, DestroyOutcome, NullObserver, StackAction,
    deploy, destroy,
};
use dr_local::LocalCloud;
use dr_synth::assembly::{Assembly, StackArtifact};
use fake_cloud::FakeCloud;
use serde_json::{Value, json};

const R: Region = Region::UsEast2;
const STACK: &str = "shop-site";

/// A site with an internal load balancer (`Lb`, deletion protection on) whose access logs go
/// to a versioned, SSE-S3 bucket (`LogBucket`) with the Region's log-delivery policy
/// (`LogPolicy`), the shape drkit's `Alb` writes; and (`plain_bucket`) a bucket that is no
/// access-log bucket (`Data`).
fn site(plain_bucket: bool) -> Value {
    let p = elb_log_delivery_principal(R);
    let mut t = json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "SubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "us-east-2a"}},
        "SubnetB": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-2b"}},
        "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "lb", "VpcId": {"Ref": "Vpc"}}},
        "LogBucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Delete", "Properties": {
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}},
        "LogPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": "LogBucket"},
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {p.policy_key(): p.policy_value()},
                 "Action": "s3:PutObject",
                 "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${LogBucket}/AWSLogs/${AWS::AccountId}/*"}}
            ]}}},
        "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "DependsOn": ["LogPolicy"],
            "Properties": {
                "Scheme": "internal",
                "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}],
                "SecurityGroups": [{"Ref": "Sg"}],
                "LoadBalancerAttributes": [
                    {"Key": "deletion_protection.enabled", "Value": "true"},
                    {"Key": "access_logs.s3.enabled", "Value": "true"},
                    {"Key": "access_logs.s3.bucket", "Value": {"Ref": "LogBucket"}}
                ]}}
    }});
    if plain_bucket {
        t["Resources"]["Data"] = json!({"Type": "AWS::S3::Bucket"});
    }
    t
}

fn assembly(template: Value) -> Assembly {
    Assembly {
        app: "shop".into(),
        stacks: vec![StackArtifact {
            name: STACK.into(),
            path: STACK.into(),
            region: R,
            account: None,
            template,
            dependencies: vec![],
            parameter_wiring: vec![],
            termination_protection: false,
        }],
        dr_pairs: Vec::new(),
        warnings: vec![],
        extra_files: vec![],
    }
}

/// The physical id of `logical` in the stack.
async fn physical(cloud: &dyn Cloud, logical: &str) -> String {
    cloud
        .describe_stack_resources(R, STACK)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.logical_id == logical)
        .and_then(|r| r.physical_id)
        .unwrap_or_else(|| panic!("no {logical}"))
}

fn lift() -> DestroyOptions {
    DestroyOptions {
        lift_deletion_protection: true,
        ..DestroyOptions::default()
    }
}

fn log(key: &str, version: &str) -> ObjectVersion {
    ObjectVersion {
        key: key.into(),
        version_id: Some(version.into()),
        is_delete_marker: false,
    }
}

/// The fake cloud with the site deployed; returns it with the load balancer's and the log
/// bucket's physical ids.
async fn fake_site(plain_bucket: bool) -> (FakeCloud, Assembly, String, String) {
    let cloud = FakeCloud::new();
    let asm = assembly(site(plain_bucket));
    deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    let lb = physical(&cloud, "Lb").await;
    let bucket = physical(&cloud, "LogBucket").await;
    cloud.clear_calls();
    (cloud, asm, lb, bucket)
}

#[tokio::test]
async fn a_protected_load_balancer_blocks_destroy_until_deletion_protection_may_be_lifted() {
    let (cloud, asm, lb, _) = fake_site(false).await;
    assert_eq!(
        cloud.state.lock().unwrap().load_balancers[&lb][LB_DELETION_PROTECTION],
        "true"
    );

    let s = destroy(&cloud, &asm, &DestroyOptions::default(), &NullObserver).await;
    let r = s.stack(STACK).unwrap();
    assert_eq!(r.outcome, DestroyOutcome::Blocked, "{s}");
    assert_eq!(r.mutating_calls, 0);
    assert!(cloud.mutating_calls().is_empty(), "{:?}", cloud.calls());
    let Some(DeployErrorKind::Protected { protections }) = r.error.as_ref().map(|e| e.kind())
    else {
        panic!("{:?}", r.error);
    };
    assert_eq!(protections.len(), 1, "{protections:?}");
    assert_eq!(
        protections[0].what,
        format!("load balancer `{lb}` has deletion protection on")
    );
    assert_eq!(protections[0].flag, "--lift-deletion-protection");
    assert_eq!(s.lift_flags(), ["--lift-deletion-protection"]);

    let s = destroy(&cloud, &asm, &lift(), &NullObserver).await;
    let r = s.stack(STACK).unwrap();
    assert_eq!(r.outcome, DestroyOutcome::Deleted, "{s}");
    assert!(
        r.met.contains(&format!(
            "deletion protection on load balancer `{lb}`: lifted"
        )),
        "{:?}",
        r.met
    );
    let ops: Vec<&str> = cloud
        .mutating_calls()
        .into_iter()
        .map(|(op, _)| op)
        .collect();
    assert_eq!(ops, ["modify_load_balancer_attributes", "delete_stack"]);
    assert!(cloud.stack(R, STACK).is_none());
}

#[tokio::test]
async fn an_access_log_bucket_that_holds_logs_is_kept_and_named_without_empty_buckets() {
    let (cloud, asm, _, bucket) = fake_site(false).await;
    let held = vec![log("AWSLogs/123456789012/ELBAccessLogTestFile", "v1")];
    cloud
        .state
        .lock()
        .unwrap()
        .buckets
        .insert(bucket.clone(), held.clone());

    let s = destroy(&cloud, &asm, &lift(), &NullObserver).await;
    let r = s.stack(STACK).unwrap();
    assert_eq!(r.outcome, DestroyOutcome::Deleted, "{s}");
    assert!(s.is_success());
    let kept = format!(
        "kept bucket `{bucket}` (`LogBucket`) in us-east-2: it holds access logs, so the stack was deleted without it and it is outside any stack now; empty it (every object version) and delete it when the logs can go, or destroy with --empty-buckets to delete such buckets with their stack"
    );
    assert!(r.met.contains(&kept), "{:?}", r.met);
    assert!(s.to_string().contains(&kept), "{s}");
    // Deleted once (failing on the bucket), then once more keeping it; nothing emptied.
    let ops: Vec<&str> = cloud.calls().into_iter().map(|(op, _)| op).collect();
    assert_eq!(
        ops.iter().filter(|o| **o == "delete_stack").count(),
        2,
        "{ops:?}"
    );
    assert!(!ops.contains(&"delete_objects"), "{ops:?}");
    assert!(cloud.stack(R, STACK).is_none());
    assert_eq!(
        cloud.state.lock().unwrap().buckets.get(&bucket),
        Some(&held)
    );
}

#[tokio::test]
async fn empty_buckets_empties_the_access_log_bucket_before_the_stack_is_deleted() {
    let (cloud, asm, _, bucket) = fake_site(false).await;
    cloud.state.lock().unwrap().buckets.insert(
        bucket.clone(),
        vec![
            log("AWSLogs/123456789012/ELBAccessLogTestFile", "v1"),
            log("AWSLogs/123456789012/ELBAccessLogTestFile", "v2"),
        ],
    );
    let opts = DestroyOptions {
        empty_buckets: true,
        ..lift()
    };
    let s = destroy(&cloud, &asm, &opts, &NullObserver).await;
    let r = s.stack(STACK).unwrap();
    assert_eq!(r.outcome, DestroyOutcome::Deleted, "{s}");
    assert!(
        r.met.contains(&format!(
            "access-log bucket `{bucket}` (`LogBucket`) emptied: 2 object version(s) and delete marker(s) deleted, so the stack's deletion deletes it"
        )),
        "{:?}",
        r.met
    );
    let ops: Vec<&str> = cloud
        .mutating_calls()
        .into_iter()
        .map(|(op, _)| op)
        .collect();
    assert_eq!(
        ops,
        [
            "modify_load_balancer_attributes",
            "delete_objects",
            "delete_stack"
        ]
    );
    assert!(!cloud.state.lock().unwrap().buckets.contains_key(&bucket));
}

#[tokio::test]
async fn logs_delivered_after_the_emptying_are_emptied_too_and_the_deletion_is_run_again() {
    let (cloud, asm, _, bucket) = fake_site(false).await;
    {
        let mut st = cloud.state.lock().unwrap();
        st.buckets
            .insert(bucket.clone(), vec![log("a.log.gz", "v1")]);
        st.late_logs = vec![log("b.log.gz", "v1")];
    }
    let opts = DestroyOptions {
        empty_buckets: true,
        ..lift()
    };
    let s = destroy(&cloud, &asm, &opts, &NullObserver).await;
    let r = s.stack(STACK).unwrap();
    assert_eq!(r.outcome, DestroyOutcome::Deleted, "{s}");
    let emptied = r.met.iter().filter(|m| m.contains("emptied")).count();
    assert_eq!(emptied, 2, "{:?}", r.met);
    let ops: Vec<&str> = cloud
        .mutating_calls()
        .into_iter()
        .map(|(op, _)| op)
        .collect();
    assert_eq!(
        ops,
        [
            "modify_load_balancer_attributes",
            "delete_objects",
            "delete_stack",
            "delete_objects",
            "delete_stack"
        ]
    );
    assert!(cloud.stack(R, STACK).is_none());
    assert!(!cloud.state.lock().unwrap().buckets.contains_key(&bucket));
}

#[tokio::test]
async fn a_bucket_that_is_not_an_access_log_bucket_is_never_emptied() {
    let (cloud, asm, _, _) = fake_site(true).await;
    let data = physical(&cloud, "Data").await;
    let held = vec![log("orders.csv", "null")];
    cloud
        .state
        .lock()
        .unwrap()
        .buckets
        .insert(data.clone(), held.clone());
    let opts = DestroyOptions {
        empty_buckets: true,
        ..lift()
    };
    let s = destroy(&cloud, &asm, &opts, &NullObserver).await;
    let r = s.stack(STACK).unwrap();
    assert_eq!(r.outcome, DestroyOutcome::Failed, "{s}");
    let Some(DeployErrorKind::DeleteFailed { resources }) = r.error.as_ref().map(|e| e.kind())
    else {
        panic!("{:?}", r.error);
    };
    assert_eq!(
        resources
            .iter()
            .map(|f| f.logical_id.as_str())
            .collect::<Vec<_>>(),
        ["Data"]
    );
    assert_eq!(cloud.state.lock().unwrap().buckets.get(&data), Some(&held));
    assert!(
        !cloud
            .calls()
            .iter()
            .any(|(op, target)| *op == "delete_objects" && *target == data)
    );
}

/// The simulator with the site deployed through the engine; returns the bucket's name.
async fn local_site() -> (LocalCloud, Assembly, String) {
    let local = LocalCloud::in_memory();
    let asm = assembly(site(false));
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(s.is_success(), "{s}");
    let bucket = physical(&local, "LogBucket").await;
    (local, asm, bucket)
}

#[tokio::test]
async fn on_the_simulator_the_log_bucket_is_kept_and_named_or_emptied_when_told() {
    let (local, asm, bucket) = local_site().await;
    // ELB wrote its test file when the load balancer was created: the bucket is not empty.
    let held = local.list_object_versions(R, &bucket).await.unwrap();
    assert_eq!(held.len(), 1, "{held:?}");

    let s = destroy(&local, &asm, &DestroyOptions::default(), &NullObserver).await;
    assert_eq!(
        s.stack(STACK).unwrap().outcome,
        DestroyOutcome::Blocked,
        "{s}"
    );

    let s = destroy(&local, &asm, &lift(), &NullObserver).await;
    let r = s.stack(STACK).unwrap();
    assert_eq!(r.outcome, DestroyOutcome::Deleted, "{s}");
    assert!(
        r.met.iter().any(|m| m.starts_with(&format!(
            "kept bucket `{bucket}` (`LogBucket`) in us-east-2"
        ))),
        "{:?}",
        r.met
    );
    assert!(local.describe_stack(R, STACK).await.unwrap().is_none());
    assert_eq!(
        local.retained_resources(R),
        [("AWS::S3::Bucket".to_string(), bucket.clone())]
    );
    assert_eq!(local.list_object_versions(R, &bucket).await.unwrap(), held);

    // The same site again, destroyed with every flag: nothing is left.
    let (local, asm, bucket) = local_site().await;
    let opts = DestroyOptions {
        empty_buckets: true,
        ..lift()
    };
    let s = destroy(&local, &asm, &opts, &NullObserver).await;
    assert!(s.is_success(), "{s}");
    assert!(local.retained_resources(R).is_empty());
    assert!(
        local
            .list_object_versions(R, &bucket)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn a_deploy_turns_a_lifted_load_balancer_protection_back_on() {
    let (local, asm, _) = local_site().await;
    let lb = physical(&local, "Lb").await;
    // What a destroy that stopped after lifting it leaves.
    local
        .modify_load_balancer_attributes(
            R,
            &lb,
            vec![(LB_DELETION_PROTECTION.into(), "false".into())],
        )
        .await
        .unwrap();
    local.clear_call_log();
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    let r = s.stack(STACK).unwrap();
    assert_eq!(r.action, StackAction::Unchanged, "{s}");
    assert!(
        r.notes.contains(&format!(
            "load balancer `{lb}` had deletion protection off though the template turns it on (lifted by a destroy that stopped?): turned it back on"
        )),
        "{:?}",
        r.notes
    );
    assert_eq!(local.mutating_calls(), 1);
    assert!(
        local
            .describe_load_balancer_attributes(R, &lb)
            .await
            .unwrap()
            .deletion_protection()
    );
    // Nothing drifted now: no mutating call.
    local.clear_call_log();
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(s.is_success(), "{s}");
    assert_eq!(local.mutating_calls(), 0);
}
