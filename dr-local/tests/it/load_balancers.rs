//! Load balancer deletion protection and access logs in the simulator, as ELB and S3 behave:
//! a protected load balancer fails its stack's deletion with ELB's message until
//! `ModifyLoadBalancerAttributes` lifts it; a stack update of the attribute reaches ELB; access
//! logs are refused unless the bucket lets the Region's log-delivery principal write, and
//! accepted ones leave ELB's test file in the bucket, which then fails its own deletion with
//! S3's `BucketNotEmpty` until every version is deleted.

use crate::support;

use dr_core::Region;
use dr_core::cloud::{
    Cloud, CloudErrorKind, LB_ACCESS_LOGS_BUCKET, LB_ACCESS_LOGS_ENABLED, LB_DELETION_PROTECTION,
    ObjectVersion, StackStatus,
};
use dr_core::facts::elb::elb_log_delivery_principal;
use dr_local::LocalCloud;
use serde_json::{Value, json};
use support::{deploy, events, wait};

const R: Region = Region::UsEast2;
const BUCKET: &str = "shop-access-logs-use2";
const TEST_FILE: &str = "AWSLogs/123456789012/ELBAccessLogTestFile";

/// Two subnets in two zones, a security group, and an internal Application Load Balancer `Lb` with
/// `attributes`; `extra` resources are added, and `Lb` depends on `depends_on`.
fn template(attributes: &[(&str, Value)], extra: Value, depends_on: &[&str]) -> Value {
    let mut resources = json!({
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "SubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "us-east-2a"}},
        "SubnetB": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-2b"}},
        "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "lb", "VpcId": {"Ref": "Vpc"}}},
        "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
            "Scheme": "internal",
            "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}],
            "SecurityGroups": [{"Ref": "Sg"}],
            "LoadBalancerAttributes": attributes
                .iter()
                .map(|(k, v)| json!({"Key": k, "Value": v}))
                .collect::<Vec<_>>()
        }}
    });
    if !depends_on.is_empty() {
        resources["Lb"]["DependsOn"] = json!(depends_on);
    }
    if let (Some(r), Some(e)) = (resources.as_object_mut(), extra.as_object()) {
        r.extend(e.clone());
    }
    json!({"Resources": resources})
}

/// A versioned, SSE-S3 bucket named [`BUCKET`] (`LogBucket`), and (`with_policy`) a policy
/// (`LogPolicy`) granting `principal` `s3:PutObject` on `resource`, with the TLS-only Deny
/// drkit writes.
fn log_bucket(with_policy: Option<(Value, &str)>, sse: &str) -> Value {
    let mut r = json!({"LogBucket": {"Type": "AWS::S3::Bucket", "Properties": {
        "BucketName": BUCKET,
        "VersioningConfiguration": {"Status": "Enabled"},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": sse}}]}
    }}});
    if let Some((principal, resource)) = with_policy {
        r["LogPolicy"] = json!({"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": "LogBucket"},
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                 "Resource": [{"Fn::GetAtt": ["LogBucket", "Arn"]},
                              {"Fn::Sub": "${LogBucket.Arn}/*"}],
                 "Condition": {"Bool": {"aws:SecureTransport": false}}},
                {"Effect": "Allow", "Principal": principal, "Action": "s3:PutObject",
                 "Resource": {"Fn::Sub": resource}}
            ]}
        }});
    }
    r
}

/// The Region's own log-delivery principal, as a policy's `Principal`.
fn delivery_principal(region: Region) -> Value {
    let p = elb_log_delivery_principal(region);
    json!({ p.policy_key(): p.policy_value() })
}

/// Access logs on, into [`BUCKET`] (by `Ref`).
fn logs_on() -> Vec<(&'static str, Value)> {
    vec![
        (LB_ACCESS_LOGS_ENABLED, json!("true")),
        (LB_ACCESS_LOGS_BUCKET, json!({"Ref": "LogBucket"})),
    ]
}

/// The physical id of `logical` in `stack`.
async fn physical(cloud: &LocalCloud, stack: &str, logical: &str) -> String {
    cloud
        .describe_stack_resources(R, stack)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.logical_id == logical)
        .and_then(|r| r.physical_id)
        .unwrap_or_else(|| panic!("no {logical}"))
}

/// Deletes `stack` and returns its final status and the `DELETE_FAILED` reasons, by logical id.
async fn delete(cloud: &LocalCloud, stack: &str) -> (StackStatus, Vec<(String, String)>) {
    let before = events(cloud, R, stack).await.len();
    let id = cloud
        .describe_stack(R, stack)
        .await
        .unwrap()
        .expect("the stack exists")
        .stack_id;
    cloud.delete_stack(R, stack).await.unwrap();
    let status = wait(cloud, R, stack).await;
    let failed = events(cloud, R, &id).await[before..]
        .iter()
        .filter(|e| e.1 == "DELETE_FAILED" && e.0 != stack)
        .map(|e| (e.0.clone(), e.2.clone().unwrap_or_default()))
        .collect();
    (status, failed)
}

#[tokio::test]
async fn a_protected_load_balancer_fails_its_stack_deletion_until_elb_lifts_it() {
    let cloud = LocalCloud::in_memory();
    let t = template(&[(LB_DELETION_PROTECTION, json!("true"))], json!({}), &[]);
    let (_, status) = deploy(&cloud, R, "shop-lb", &t, &[]).await;
    assert_eq!(status, StackStatus::CreateComplete);
    let arn = physical(&cloud, "shop-lb", "Lb").await;
    let attrs = cloud
        .describe_load_balancer_attributes(R, &arn)
        .await
        .unwrap();
    assert!(attrs.deletion_protection(), "{attrs:?}");
    // What ELB lists besides: every attribute, with its default.
    assert_eq!(attrs.get("idle_timeout.timeout_seconds"), Some("60"));
    assert_eq!(attrs.get(LB_ACCESS_LOGS_ENABLED), Some("false"));

    let (status, failed) = delete(&cloud, "shop-lb").await;
    assert_eq!(status, StackStatus::DeleteFailed);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "Lb");
    let prefix = format!(
        "Resource handler returned message: \"Load balancer '{arn}' cannot be deleted because deletion protection is enabled (Service: ElasticLoadBalancingV2, Status Code: 400, Request ID: "
    );
    assert!(failed[0].1.starts_with(&prefix), "{}", failed[0].1);
    assert!(
        cloud
            .describe_load_balancer_attributes(R, &arn)
            .await
            .is_ok(),
        "the load balancer is still there"
    );

    // Off, on again (the stack still fails), off: the stack goes.
    for (value, expect) in [("false", false), ("true", true), ("false", false)] {
        let after = cloud
            .modify_load_balancer_attributes(
                R,
                &arn,
                vec![(LB_DELETION_PROTECTION.into(), value.into())],
            )
            .await
            .unwrap();
        assert_eq!(after.deletion_protection(), expect);
        assert_eq!(
            cloud
                .describe_load_balancer_attributes(R, &arn)
                .await
                .unwrap()
                .deletion_protection(),
            expect
        );
    }
    let (status, failed) = delete(&cloud, "shop-lb").await;
    assert_eq!(status, StackStatus::DeleteComplete, "{failed:?}");
    let gone = cloud
        .describe_load_balancer_attributes(R, &arn)
        .await
        .unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert!(
        gone.to_string()
            .contains("LoadBalancerNotFound: The specified load balancer does not exist."),
        "{gone}"
    );
}

#[tokio::test]
async fn a_stack_update_of_deletion_protection_reaches_elb() {
    let cloud = LocalCloud::in_memory();
    let with = |on: &str| template(&[(LB_DELETION_PROTECTION, json!(on))], json!({}), &[]);
    let (_, status) = deploy(&cloud, R, "shop-lb", &with("false"), &[]).await;
    assert_eq!(status, StackStatus::CreateComplete);
    let arn = physical(&cloud, "shop-lb", "Lb").await;
    for (on, expect) in [("true", true), ("false", false)] {
        let (_, status) = deploy(&cloud, R, "shop-lb", &with(on), &[]).await;
        assert_eq!(status, StackStatus::UpdateComplete);
        assert_eq!(
            cloud
                .describe_load_balancer_attributes(R, &arn)
                .await
                .unwrap()
                .deletion_protection(),
            expect
        );
    }
    let err = cloud
        .modify_load_balancer_attributes(R, &arn, vec![("no_such.key".into(), "1".into())])
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), CloudErrorKind::Validation), "{err}");
}

/// The `CREATE_FAILED` reason of `Lb` when `template` is deployed as `stack`.
async fn lb_refused(cloud: &LocalCloud, stack: &str, template: &Value) -> String {
    let (_, status) = deploy(cloud, R, stack, template, &[]).await;
    assert_eq!(status, StackStatus::RollbackComplete);
    events(cloud, R, stack)
        .await
        .into_iter()
        .find(|e| e.0 == "Lb" && e.1 == "CREATE_FAILED")
        .and_then(|e| e.2)
        .expect("Lb failed")
}

fn access_denied(reason: &str) -> bool {
    reason.starts_with(&format!(
        "Resource handler returned message: \"Access Denied for bucket: {BUCKET}. Please check S3bucket permission (Service: ElasticLoadBalancingV2, Status Code: 400, Request ID: "
    ))
}

#[tokio::test]
async fn access_logs_are_refused_unless_the_regions_log_delivery_may_write_there() {
    let own = "${LogBucket.Arn}/AWSLogs/${AWS::AccountId}/*";
    let cases = [
        ("no policy", log_bucket(None, "AES256"), vec!["LogBucket"]),
        (
            "another Region's ELB account",
            log_bucket(Some((delivery_principal(Region::UsWest2), own)), "AES256"),
            vec!["LogPolicy"],
        ),
        (
            "another account's prefix",
            log_bucket(
                Some((
                    delivery_principal(R),
                    "${LogBucket.Arn}/AWSLogs/999999999999/*",
                )),
                "AES256",
            ),
            vec!["LogPolicy"],
        ),
        (
            "SSE-KMS",
            log_bucket(Some((delivery_principal(R), own)), "aws:kms"),
            vec!["LogPolicy"],
        ),
    ];
    for (i, (case, bucket, depends)) in cases.into_iter().enumerate() {
        let cloud = LocalCloud::in_memory();
        let t = template(&logs_on(), bucket, &depends);
        let reason = lb_refused(&cloud, &format!("shop-lb-{i}"), &t).await;
        assert!(access_denied(&reason), "{case}: {reason}");
    }

    // A bucket that does not exist at all.
    let cloud = LocalCloud::in_memory();
    let t = template(
        &[
            (LB_ACCESS_LOGS_ENABLED, json!("true")),
            (LB_ACCESS_LOGS_BUCKET, json!(BUCKET)),
        ],
        json!({}),
        &[],
    );
    let reason = lb_refused(&cloud, "shop-lb-missing", &t).await;
    assert!(access_denied(&reason), "{reason}");
}

#[tokio::test]
async fn accepted_access_logs_leave_the_test_file_and_the_bucket_refuses_deletion_until_emptied() {
    let cloud = LocalCloud::in_memory();
    let bucket = log_bucket(
        Some((
            delivery_principal(R),
            "${LogBucket.Arn}/lb/AWSLogs/${AWS::AccountId}/*",
        )),
        "AES256",
    );
    let mut attributes = logs_on();
    attributes.push(("access_logs.s3.prefix", json!("lb")));
    let t = template(&attributes, bucket, &["LogPolicy"]);
    let (_, status) = deploy(&cloud, R, "shop-lb", &t, &[]).await;
    assert_eq!(
        status,
        StackStatus::CreateComplete,
        "{:?}",
        events(&cloud, R, "shop-lb").await
    );
    // The bucket policy is identified by its bucket, as AWS reports it.
    assert_eq!(physical(&cloud, "shop-lb", "LogPolicy").await, BUCKET);
    let versions = cloud.list_object_versions(R, BUCKET).await.unwrap();
    assert_eq!(versions.len(), 1, "{versions:?}");
    assert_eq!(versions[0].key, format!("lb/{TEST_FILE}"));
    assert!(!versions[0].is_delete_marker);

    // Deleting the object without its version id leaves a delete marker in a versioned
    // bucket: still not empty.
    cloud
        .delete_objects(
            R,
            BUCKET,
            vec![ObjectVersion {
                key: versions[0].key.clone(),
                version_id: None,
                is_delete_marker: false,
            }],
        )
        .await
        .unwrap();
    let left = cloud.list_object_versions(R, BUCKET).await.unwrap();
    assert_eq!(left.len(), 2, "{left:?}");
    assert_eq!(left.iter().filter(|v| v.is_delete_marker).count(), 1);

    let (status, failed) = delete(&cloud, "shop-lb").await;
    assert_eq!(status, StackStatus::DeleteFailed);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "LogBucket");
    assert!(
        failed[0].1.starts_with(
            "The bucket you tried to delete is not empty. You must delete all versions in the bucket. (Service: Amazon S3; Status Code: 409; Error Code: BucketNotEmpty; Request ID: "
        ),
        "{}",
        failed[0].1
    );

    // Every version and marker by its id: the bucket is empty, and the stack goes.
    cloud
        .delete_objects(
            R,
            BUCKET,
            cloud.list_object_versions(R, BUCKET).await.unwrap(),
        )
        .await
        .unwrap();
    assert!(
        cloud
            .list_object_versions(R, BUCKET)
            .await
            .unwrap()
            .is_empty()
    );
    let (status, failed) = delete(&cloud, "shop-lb").await;
    assert_eq!(status, StackStatus::DeleteComplete, "{failed:?}");
    let gone = cloud.list_object_versions(R, BUCKET).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
}

#[tokio::test]
async fn modify_load_balancer_attributes_checks_the_access_log_bucket_as_elb_does() {
    let cloud = LocalCloud::in_memory();
    // The bucket, and a policy for it, in one stack; the load balancer without logs in another.
    let own = "${LogBucket.Arn}/AWSLogs/${AWS::AccountId}/*";
    let (_, status) = deploy(
        &cloud,
        R,
        "shop-logs",
        &json!({"Resources": log_bucket(Some((delivery_principal(R), own)), "AES256")}),
        &[],
    )
    .await;
    assert_eq!(status, StackStatus::CreateComplete);
    let (_, status) = deploy(&cloud, R, "shop-lb", &template(&[], json!({}), &[]), &[]).await;
    assert_eq!(status, StackStatus::CreateComplete);
    let arn = physical(&cloud, "shop-lb", "Lb").await;
    cloud.create_bucket(R, "shop-unwritable");

    let on = |bucket: &str| {
        vec![
            (LB_ACCESS_LOGS_ENABLED.to_string(), "true".to_string()),
            (LB_ACCESS_LOGS_BUCKET.to_string(), bucket.to_string()),
        ]
    };
    let err = cloud
        .modify_load_balancer_attributes(R, &arn, on("shop-unwritable"))
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), CloudErrorKind::Validation), "{err}");
    assert!(
        err.to_string().contains(
            "InvalidConfigurationRequest: Access Denied for bucket: shop-unwritable. Please check S3bucket permission"
        ),
        "{err}"
    );
    assert_eq!(
        cloud
            .describe_load_balancer_attributes(R, &arn)
            .await
            .unwrap()
            .get(LB_ACCESS_LOGS_ENABLED),
        Some("false"),
        "a refused change changes nothing"
    );
    assert!(
        cloud
            .list_object_versions(R, "shop-unwritable")
            .await
            .unwrap()
            .is_empty()
    );

    let after = cloud
        .modify_load_balancer_attributes(R, &arn, on(BUCKET))
        .await
        .unwrap();
    assert!(after.is_true(LB_ACCESS_LOGS_ENABLED));
    let versions = cloud.list_object_versions(R, BUCKET).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.key.as_str()).collect::<Vec<_>>(),
        [TEST_FILE]
    );
}
