//! The local simulator's state file and fault injection: persistence across processes, a
//! Region outage, an answer lost after the call was applied, and the call log.

use crate::support;

use dr_core::Region;
use dr_core::cloud::{
    Cloud, CloudError, CloudErrorKind, HealthCheckUpdate, RecordChange, RecordChangeAction,
    ResourceRecordSet, StackStatus,
};
use dr_local::{DEFAULT_STATE_FILE, LocalCloud, LocalError, Outage, ServerFault};
use serde_json::json;
use support::deploy;

fn template() -> serde_json::Value {
    json!({
        "Parameters": {"Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"}},
        "Resources": {"Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"ImageId": {"Ref": "Ami"}}}}},
        "Outputs": {"Lt": {"Value": {"Ref": "Lt"}, "Export": {"Name": "shop-lt"}}}
    })
}

#[tokio::test]
async fn state_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (lt, ami, now) = {
        let cloud = LocalCloud::open_project(dir.path()).unwrap();
        assert_eq!(
            deploy(&cloud, Region::UsWest2, "shop-app", &template(), &[])
                .await
                .1,
            StackStatus::CreateComplete
        );
        let d = cloud
            .describe_stack(Region::UsWest2, "shop-app")
            .await
            .unwrap()
            .unwrap();
        let ami = d.parameter("Ami").unwrap().resolved_value.clone().unwrap();
        assert!(ami.starts_with("ami-") && ami.len() == 21, "{ami}");
        (
            d.output("Lt").unwrap().to_string(),
            ami,
            cloud.clock().now(),
        )
    };
    assert!(dir.path().join(DEFAULT_STATE_FILE).exists());
    let cloud = LocalCloud::open_project(dir.path()).unwrap();
    assert!(
        cloud.clock().now() >= now,
        "the virtual clock does not go back"
    );
    let d = cloud
        .describe_stack(Region::UsWest2, "shop-app")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.status, StackStatus::CreateComplete);
    assert_eq!(d.output("Lt"), Some(lt.as_str()));
    assert_eq!(
        d.parameter("Ami").unwrap().resolved_value.as_deref(),
        Some(ami.as_str())
    );
    // The same template again changes nothing, and the stored template is byte-identical.
    let cs = support::change_set(
        &cloud,
        Region::UsWest2,
        "shop-app",
        &template(),
        &[],
        "again",
    )
    .await;
    assert!(cs.is_empty_change());
    assert_eq!(
        cloud
            .get_template(Region::UsWest2, "shop-app")
            .await
            .unwrap(),
        template().to_string()
    );
    // Each Region has its own AL2023 AMI id.
    let east = cloud
        .get_parameter(
            Region::UsEast2,
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        )
        .await
        .unwrap();
    assert_ne!(east.value, ami);

    drop(cloud);
    std::fs::write(dir.path().join(DEFAULT_STATE_FILE), "{not json").unwrap();
    let err = LocalCloud::open_project(dir.path()).unwrap_err();
    assert!(
        matches!(&err, LocalError::State { message, .. } if message.contains("delete the file")),
        "{err}"
    );
}

/// Two commands on one state file would each overwrite the other's changes: the second one
/// is refused, with what to do, until the first lets go.
#[tokio::test]
async fn the_state_belongs_to_one_process_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let first = LocalCloud::open_project(dir.path()).unwrap();
    deploy(&first, Region::UsWest2, "shop-app", &template(), &[]).await;
    let held = first.clone();
    drop(first);
    let err = LocalCloud::open_project(dir.path()).unwrap_err();
    let lock_file = dir.path().join(".drkit/local-state.json.lock");
    assert_eq!(
        err.to_string(),
        format!(
            "local simulator state file {}: another drkit process is using it (it holds {}); wait for that command to finish, then run this one again",
            dir.path().join(DEFAULT_STATE_FILE).display(),
            lock_file.display()
        )
    );
    drop(held);
    let second = LocalCloud::open_project(dir.path()).unwrap();
    let d = second
        .describe_stack(Region::UsWest2, "shop-app")
        .await
        .unwrap()
        .expect("the first command's stack is there");
    assert_eq!(d.status, StackStatus::CreateComplete);
}

#[tokio::test]
async fn a_region_outage_fails_every_call_there_only() {
    let cloud = LocalCloud::in_memory();
    deploy(&cloud, Region::UsEast2, "shop-primary", &template(), &[]).await;
    cloud.set_region_available(Region::UsEast2, false);
    let err = cloud
        .describe_stack(Region::UsEast2, "shop-primary")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            CloudErrorKind::RegionUnavailable {
                region: Region::UsEast2
            }
        ),
        "{err}"
    );
    assert!(err.is_retryable());
    assert!(matches!(
        cloud.delete_stack(Region::UsEast2, "shop-primary").await,
        Err(e) if e.is_region_unavailable()
    ));
    // The other Region answers.
    assert_eq!(
        deploy(&cloud, Region::UsWest2, "shop-dr", &template(), &[])
            .await
            .1,
        StackStatus::CreateComplete
    );
    cloud.set_region_available(Region::UsEast2, true);
    // Nothing happened to the stack while the Region was down.
    assert_eq!(
        cloud
            .describe_stack(Region::UsEast2, "shop-primary")
            .await
            .unwrap()
            .unwrap()
            .status,
        StackStatus::CreateComplete
    );
}

/// The no-answer shape reads as the aws backend's dispatch failure, and `set_region_available`
/// is that shape.
#[tokio::test]
async fn a_region_that_does_not_answer_fails_as_a_dispatch_failure() {
    let cloud = LocalCloud::in_memory();
    cloud.set_region_available(Region::UsEast2, false);
    assert_eq!(cloud.region_outage(Region::UsEast2), Some(Outage::NoAnswer));
    assert_eq!(cloud.region_outage(Region::UsWest2), None);
    let err = cloud
        .describe_stack(Region::UsEast2, "shop-primary")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "DescribeStacks: Region us-east-2 is unavailable: could not reach the endpoint: dispatch \
         failure: the Region's endpoints do not answer (simulated outage)"
    );
    assert!(err.is_region_outage());
    cloud.set_region_outage(Region::UsEast2, None);
    assert_eq!(cloud.region_outage(Region::UsEast2), None);
    assert_eq!(
        cloud
            .describe_stack(Region::UsEast2, "shop-primary")
            .await
            .unwrap(),
        None
    );
}

/// A Region whose endpoints answer only server errors: every call there fails with the
/// service's error code and status, as the aws backend reports a 5xx that outlasted the SDK's
/// retries; nothing is applied; work already under way there still completes; the other
/// Region answers.
#[tokio::test]
async fn a_region_answering_server_errors_fails_every_call_there_with_the_services_code() {
    let cloud = LocalCloud::in_memory();
    let cs = support::change_set(
        &cloud,
        Region::UsEast2,
        "shop-primary",
        &template(),
        &[],
        "first",
    )
    .await;
    cloud
        .execute_change_set(Region::UsEast2, "shop-primary", &cs.change_set_id)
        .await
        .unwrap();
    cloud.set_region_outage(
        Region::UsEast2,
        Some(Outage::ServerErrors(ServerFault::InternalFailure)),
    );
    let err = cloud
        .describe_stack(Region::UsEast2, "shop-primary")
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &CloudErrorKind::ServerError {
            region: Region::UsEast2,
            status: 500
        }
    );
    assert_eq!(
        err.to_string(),
        "DescribeStacks: Region us-east-2 answered HTTP 500 (a server error, after the SDK's \
         retries): InternalFailure: The request processing has failed because of an unknown \
         error, exception or failure. (the call's outcome is unknown)"
    );
    assert!(err.is_region_outage() && err.is_retryable());
    assert!(!err.is_region_unavailable(), "not the no-answer shape");
    let err = cloud
        .delete_stack(Region::UsEast2, "shop-primary")
        .await
        .unwrap_err();
    assert!(err.is_region_outage(), "{err}");
    // ServiceUnavailable is 503.
    cloud.set_region_outage(
        Region::UsEast2,
        Some(Outage::ServerErrors(ServerFault::ServiceUnavailable)),
    );
    let err = cloud
        .get_template(Region::UsEast2, "shop-primary")
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &CloudErrorKind::ServerError {
            region: Region::UsEast2,
            status: 503
        }
    );
    assert!(
        err.message().starts_with(
            "ServiceUnavailable: The request has failed due to a temporary failure of the server."
        ),
        "{err}"
    );
    // The other Region answers.
    assert_eq!(
        deploy(&cloud, Region::UsWest2, "shop-dr", &template(), &[])
            .await
            .1,
        StackStatus::CreateComplete
    );
    cloud.clock().run_until_idle();
    cloud.set_region_outage(Region::UsEast2, None);
    // The create under way finished during the outage; the refused delete did nothing.
    assert_eq!(
        cloud
            .describe_stack(Region::UsEast2, "shop-primary")
            .await
            .unwrap()
            .unwrap()
            .status,
        StackStatus::CreateComplete
    );
}

/// A hosted zone and an HTTPS health check, owned by a stack in us-west-2.
fn route53_template() -> serde_json::Value {
    json!({
        "Resources": {
            "Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "shop.example.com"}},
            "Check": {"Type": "AWS::Route53::HealthCheck", "Properties": {"HealthCheckConfig": {
                "Type": "HTTPS", "FullyQualifiedDomainName": "shop.example.org", "ResourcePath": "/api/health"}}}
        },
        "Outputs": {
            "Zone": {"Value": {"Ref": "Zone"}},
            "Check": {"Value": {"Ref": "Check"}}
        }
    })
}

/// An UPSERT of a CNAME in the zone.
fn upsert(value: &str) -> Vec<RecordChange> {
    vec![RecordChange {
        action: RecordChangeAction::Upsert,
        record_set: ResourceRecordSet {
            name: "db.shop.example.com.".into(),
            record_type: "CNAME".into(),
            set_identifier: None,
            failover: None,
            ttl: Some(30),
            records: vec![value.into()],
            alias_target: None,
            health_check_id: None,
        },
    }]
}

/// Each of the port's Route 53 calls, sent to `region`: its API name and its outcome.
async fn route53_calls(
    cloud: &LocalCloud,
    region: Region,
    zone: &str,
    check: &str,
    change: &str,
) -> Vec<(&'static str, Result<(), CloudError>)> {
    let version = cloud
        .get_health_check(Region::UsWest2, check)
        .await
        .map(|h| h.version);
    vec![
        (
            "GetHealthCheck",
            cloud.get_health_check(region, check).await.map(drop),
        ),
        (
            "GetHealthCheckStatus",
            cloud.get_health_check_status(region, check).await.map(drop),
        ),
        (
            "UpdateHealthCheck",
            cloud
                .update_health_check(
                    region,
                    check,
                    HealthCheckUpdate {
                        inverted: None,
                        disabled: Some(false),
                        expected_version: version.ok(),
                    },
                )
                .await
                .map(drop),
        ),
        (
            "ListResourceRecordSets",
            cloud
                .list_resource_record_sets(region, zone)
                .await
                .map(drop),
        ),
        (
            "ChangeResourceRecordSets",
            cloud
                .change_resource_record_sets(region, zone, upsert("writer-2.example.com"), None)
                .await
                .map(drop),
        ),
        (
            "GetChange",
            cloud.get_change(region, change).await.map(drop),
        ),
    ]
}

/// Route 53's API is served from us-east-1 whatever Region the caller names: its calls keep
/// working in an outage of the Region passed, and fail in an outage of us-east-1, in that
/// outage's shape, naming us-east-1. The Regional services are not affected by us-east-1.
#[tokio::test]
async fn route53_calls_fail_only_in_an_outage_of_us_east_1() {
    let cloud = LocalCloud::in_memory();
    let west = Region::UsWest2;
    assert_eq!(
        deploy(&cloud, west, "shop-dns", &route53_template(), &[])
            .await
            .1,
        StackStatus::CreateComplete
    );
    let d = cloud
        .describe_stack(west, "shop-dns")
        .await
        .unwrap()
        .unwrap();
    let (zone, check) = (
        d.output("Zone").unwrap().to_string(),
        d.output("Check").unwrap().to_string(),
    );
    let change = cloud
        .change_resource_record_sets(west, &zone, upsert("writer-1.example.com"), None)
        .await
        .unwrap()
        .id;

    // The Region passed is down, in either shape: Route 53 answers.
    for outage in [
        Outage::NoAnswer,
        Outage::ServerErrors(ServerFault::ServiceUnavailable),
    ] {
        cloud.set_region_outage(west, Some(outage));
        assert!(
            cloud
                .describe_stack(west, "shop-dns")
                .await
                .unwrap_err()
                .is_region_outage(),
            "CloudFormation in {west} is down"
        );
        for (op, r) in route53_calls(&cloud, west, &zone, &check, &change).await {
            assert!(r.is_ok(), "{op} in a {west} outage ({outage:?}): {r:?}");
        }
        cloud.set_region_outage(west, None);
    }

    // us-east-1 is down: every Route 53 call fails, whatever Region it names, in the shape
    // of that outage.
    for (outage, status) in [
        (
            Outage::ServerErrors(ServerFault::InternalFailure),
            Some(500),
        ),
        (Outage::NoAnswer, None),
    ] {
        cloud.set_region_outage(Region::UsEast1, Some(outage));
        for region in [west, Region::UsEast2, Region::UsEast1] {
            for (op, r) in route53_calls(&cloud, region, &zone, &check, &change).await {
                let e = r.expect_err(op);
                assert_eq!(e.operation(), op);
                let expected = match status {
                    Some(status) => CloudErrorKind::ServerError {
                        region: Region::UsEast1,
                        status,
                    },
                    None => CloudErrorKind::RegionUnavailable {
                        region: Region::UsEast1,
                    },
                };
                assert_eq!(e.kind(), &expected, "{op} sent to {region}: {e}");
            }
        }
        // The Regional services elsewhere are not affected.
        assert_eq!(
            cloud
                .describe_stack(west, "shop-dns")
                .await
                .unwrap()
                .unwrap()
                .status,
            StackStatus::CreateComplete
        );
        cloud.set_region_outage(Region::UsEast1, None);
    }
}

#[tokio::test]
async fn a_lost_answer_is_applied_and_the_call_log_counts_mutations() {
    let cloud = LocalCloud::in_memory();
    deploy(&cloud, Region::UsEast2, "shop", &template(), &[]).await;
    let log = cloud.call_log();
    assert!(
        log.iter()
            .any(|c| c.operation == "create_change_set" && c.mutating)
    );
    assert!(
        log.iter()
            .any(|c| c.operation == "describe_stack" && !c.mutating)
    );
    assert_eq!(
        cloud.mutating_calls(),
        2,
        "create_change_set + execute_change_set: {log:?}"
    );

    cloud.clear_call_log();
    cloud.drop_answer_of("update_termination_protection");
    let err = cloud
        .update_termination_protection(Region::UsEast2, "shop", true)
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), CloudErrorKind::Other), "{err}");
    // Applied all the same.
    assert!(
        cloud
            .describe_stack(Region::UsEast2, "shop")
            .await
            .unwrap()
            .unwrap()
            .termination_protection
    );
    assert_eq!(cloud.mutating_calls(), 1);
    // Reads leave the count alone.
    cloud
        .describe_stack_events(Region::UsEast2, "shop", None)
        .await
        .unwrap();
    assert_eq!(cloud.mutating_calls(), 1);
}

#[tokio::test]
async fn large_templates_go_through_s3() {
    use dr_core::cloud::{ChangeSetType, CreateChangeSetInput, TemplateSource};
    let cloud = LocalCloud::in_memory();
    // PutObject needs the bucket to exist.
    cloud.create_bucket(Region::UsEast2, "shop-templates");
    let mut t = template();
    t["Description"] = json!("x".repeat(60_000));
    let body = t.to_string();
    let input = |template| CreateChangeSetInput {
        stack_name: "big".into(),
        change_set_name: "cs".into(),
        change_set_type: ChangeSetType::Create,
        template,
        parameters: vec![],
        capabilities: vec![],
        tags: vec![],
        description: None,
        client_token: None,
    };
    let err = cloud
        .create_change_set(Region::UsEast2, input(TemplateSource::Body(body.clone())))
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), CloudErrorKind::Validation if err.message().contains("less than or equal to 51200")),
        "{err}"
    );
    let url = cloud
        .put_object(
            Region::UsEast2,
            "shop-templates",
            "big.json",
            body.into_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(
        url,
        "https://shop-templates.s3.us-east-2.amazonaws.com/big.json"
    );
    cloud
        .create_change_set(Region::UsEast2, input(TemplateSource::Url(url)))
        .await
        .unwrap();
    cloud.clock().run_until_idle();
    let cs = cloud
        .describe_change_set(Region::UsEast2, "big", "cs")
        .await
        .unwrap();
    assert_eq!(cs.status.as_str(), "CREATE_COMPLETE");
}

#[tokio::test]
async fn a_new_ami_in_parameter_store_is_a_change() {
    use dr_core::cloud::{ChangeSource, Replacement};
    let cloud = LocalCloud::in_memory();
    deploy(&cloud, Region::UsEast2, "shop", &template(), &[]).await;
    let cs = support::change_set(&cloud, Region::UsEast2, "shop", &template(), &[], "same").await;
    assert!(cs.is_empty_change());
    cloud.put_ssm_parameter(
        Region::UsEast2,
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        "ami-0newnewnewnewnew1",
    );
    let cs =
        support::change_set(&cloud, Region::UsEast2, "shop", &template(), &[], "new-ami").await;
    assert_eq!(cs.status.as_str(), "CREATE_COMPLETE");
    assert_eq!(cs.changes.len(), 1);
    let c = &cs.changes[0];
    assert_eq!(
        (c.logical_id.as_str(), c.replacement.clone()),
        ("Lt", Some(Replacement::False))
    );
    assert_eq!(c.details[0].name.as_deref(), Some("LaunchTemplateData"));
    assert_eq!(
        c.details[0].change_source,
        Some(ChangeSource::ParameterReference)
    );
    assert_eq!(c.details[0].causing_entity.as_deref(), Some("Ami"));
}

/// An outage on the virtual clock: the Region answers before and after the window and fails
/// in the outage's shape inside it, while the stack operation under way there carries on.
#[tokio::test]
async fn a_scheduled_outage_fails_calls_only_inside_its_window() {
    use std::time::Duration;
    let cloud = LocalCloud::in_memory();
    let cs = support::change_set(&cloud, Region::UsEast2, "shop", &template(), &[], "first").await;
    cloud
        .execute_change_set(Region::UsEast2, "shop", &cs.change_set_id)
        .await
        .unwrap();
    cloud.schedule_region_outage(
        Region::UsEast2,
        Duration::from_secs(1),
        Duration::from_secs(600),
        Outage::ServerErrors(ServerFault::ServiceUnavailable),
    );
    // Before the window.
    assert_eq!(cloud.region_outage(Region::UsEast2), None);
    assert!(
        cloud
            .describe_stack(Region::UsEast2, "shop")
            .await
            .unwrap()
            .is_some()
    );
    cloud.clock().advance(Duration::from_secs(1));
    assert_eq!(
        cloud.region_outage(Region::UsEast2),
        Some(Outage::ServerErrors(ServerFault::ServiceUnavailable))
    );
    let err = cloud
        .describe_stack(Region::UsEast2, "shop")
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &CloudErrorKind::ServerError {
            region: Region::UsEast2,
            status: 503
        }
    );
    // Other Regions answer.
    assert!(
        cloud
            .describe_stack(Region::UsWest2, "shop")
            .await
            .unwrap()
            .is_none()
    );
    // Still inside, just before the end.
    cloud.clock().advance(Duration::from_secs(599));
    assert!(
        cloud
            .describe_stack(Region::UsEast2, "shop")
            .await
            .unwrap_err()
            .is_region_outage()
    );
    // At the end it answers, and the create went on meanwhile.
    cloud.clock().advance(Duration::from_secs(1));
    assert_eq!(cloud.region_outage(Region::UsEast2), None);
    assert_eq!(
        cloud
            .describe_stack(Region::UsEast2, "shop")
            .await
            .unwrap()
            .unwrap()
            .status,
        StackStatus::CreateComplete
    );
}

/// A scheduled outage starts and ends on the virtual clock; one set by hand takes precedence
/// while it lasts.
#[tokio::test]
async fn a_scheduled_outage_yields_to_one_set_by_hand() {
    use std::time::Duration;
    let cloud = LocalCloud::in_memory();
    cloud.schedule_region_outage(
        Region::UsWest2,
        Duration::from_secs(60),
        Duration::from_secs(120),
        Outage::NoAnswer,
    );
    cloud.clock().advance(Duration::from_secs(59));
    assert_eq!(cloud.region_outage(Region::UsWest2), None);
    cloud.clock().advance(Duration::from_secs(1));
    assert_eq!(cloud.region_outage(Region::UsWest2), Some(Outage::NoAnswer));
    // A hand-set outage takes precedence over the schedule, and ends by hand.
    cloud.set_region_outage(
        Region::UsWest2,
        Some(Outage::ServerErrors(ServerFault::InternalFailure)),
    );
    assert_eq!(
        cloud.region_outage(Region::UsWest2),
        Some(Outage::ServerErrors(ServerFault::InternalFailure))
    );
    cloud.set_region_outage(Region::UsWest2, None);
    assert_eq!(cloud.region_outage(Region::UsWest2), Some(Outage::NoAnswer));
    cloud.clock().advance(Duration::from_secs(120));
    assert_eq!(cloud.region_outage(Region::UsWest2), None);
}
