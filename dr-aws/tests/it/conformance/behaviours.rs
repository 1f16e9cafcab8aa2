//! The conformance suite's second half: the behaviours beyond one create/delete cycle that the
//! simulator models and moto also serves, each probed the same way on both backends and
//! reduced to one observation, so a difference shows as a line, not a stack trace:
//!
//! - update change sets: which resources a change modifies, which it replaces (from the
//!   schemas' create-only properties), and whether the physical id survives;
//! - stack policies: read back as set, and a denied update refused;
//! - exports and imports: a stack importing another's export, and the exporter's delete and
//!   value change refused while it is imported;
//! - AWS-specific parameter types whose value does not exist in the account;
//! - required properties left out;
//! - S3: `PutObject` into a bucket a stack made, and into one that does not exist;
//!   `ListObjectVersions` and `DeleteObjects` by version id, which empty a bucket;
//! - Route 53: the records of a zone a stack made, a record's update through the stack,
//!   `ChangeResourceRecordSets` (create, upsert, duplicate create, missing delete, missing
//!   zone), `GetChange`, `GetHealthCheck`, `UpdateHealthCheck`, `GetHealthCheckStatus` of a
//!   calculated check, and a stack's record in a zone that does not exist.
//!
//! `local_simulator_behaves_as_aws_documents` holds the simulator to AWS's documented answer
//! for every probe (the sources are beside each assertion); `local_and_moto_agree_on_behaviours`
//! compares the two backends probe by probe, and every place where moto 5.2 departs is listed
//! exactly in [`MOTO_DEPARTURES`], with which side is right and why.

use std::collections::BTreeMap;

use dr_core::Region;
use dr_core::cloud::{
    ChangeSetRef, ChangeSetStatus, ChangeSetType, ChangeStatus, Cloud, CloudError,
    CreateChangeSetInput, HealthCheckUpdate, ParameterValue, RecordChange, RecordChangeAction,
    ResourceRecordSet, TemplateSource,
};
use dr_local::LocalCloud;
use serde_json::{Value, json};

use super::kind;
use crate::moto_support::{moto_cloud, unique, wait_change_set, wait_stack};

const R: Region = Region::UsEast2;

/// Probe → what the backend did, in words both backends can produce.
type Observations = BTreeMap<&'static str, String>;

/// A template of types both backends create: a VPC with a subnet, a security group, a target
/// group and a bucket; `health_path` and `sg_description` vary between updates (the first is
/// updatable, the second create-only: "AWS::ElasticLoadBalancingV2::TargetGroup",
/// "AWS::EC2::SecurityGroup", CloudFormation Template Reference).
fn app_template(cidr: &str, health_path: &str, sg_description: &str, outputs: Value) -> String {
    json!({
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": format!("{cidr}.0.0/16")}},
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": {"Ref": "Vpc"}, "CidrBlock": format!("{cidr}.0.0/24"),
                "AvailabilityZone": "us-east-2a"}},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": sg_description, "VpcId": {"Ref": "Vpc"}}},
            "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
                "VpcId": {"Ref": "Vpc"}, "Port": 3000, "Protocol": "HTTP",
                "TargetType": "instance", "HealthCheckPath": health_path}},
            "Bucket": {"Type": "AWS::S3::Bucket"}
        },
        "Outputs": outputs
    })
    .to_string()
}

/// A zone with a CNAME of `ttl` seconds, an HTTP health check and a calculated one over it.
fn dns_template(zone: &str, ttl: u32) -> String {
    json!({
        "Resources": {
            "Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": zone}},
            "Hc": {"Type": "AWS::Route53::HealthCheck", "Properties": {"HealthCheckConfig": {
                "Type": "HTTP", "FullyQualifiedDomainName": format!("www.{zone}"), "Port": 80,
                "ResourcePath": "/", "RequestInterval": 30, "FailureThreshold": 3}}},
            "Calc": {"Type": "AWS::Route53::HealthCheck", "Properties": {"HealthCheckConfig": {
                "Type": "CALCULATED", "ChildHealthChecks": [{"Ref": "Hc"}], "HealthThreshold": 1}}},
            "Record": {"Type": "AWS::Route53::RecordSet", "Properties": {
                "HostedZoneId": {"Ref": "Zone"}, "Name": format!("app.{zone}."), "Type": "CNAME",
                "TTL": ttl.to_string(), "ResourceRecords": [format!("www.{zone}")]}}
        }
    })
    .to_string()
}

fn input(
    stack: &str,
    name: &str,
    ty: ChangeSetType,
    body: &str,
    params: &[(&str, &str)],
) -> CreateChangeSetInput {
    CreateChangeSetInput {
        stack_name: stack.into(),
        change_set_name: name.into(),
        change_set_type: ty,
        template: TemplateSource::Body(body.into()),
        parameters: params
            .iter()
            .map(|(k, v)| ParameterValue {
                key: (*k).into(),
                value: (*v).into(),
            })
            .collect(),
        capabilities: vec![],
        tags: vec![],
        description: Some("drkit conformance".into()),
        client_token: None,
    }
}

/// The port error's kind and, for the messages that carry one, the service's error code.
fn refused(e: &CloudError) -> String {
    format!("refused: {}", kind::<()>(&Err(e.clone())))
}

/// Runs one change set to its end: `refused: <kind>` where a call refuses it, `change set
/// FAILED` when its computation fails, else the stack's settled status (`gone` once deleted).
async fn apply(cloud: &dyn Cloud, i: CreateChangeSetInput) -> (String, Option<ChangeSetRef>) {
    let stack = i.stack_name.clone();
    let cs = match cloud.create_change_set(R, i).await {
        Ok(cs) => cs,
        Err(e) => return (refused(&e), None),
    };
    let d = wait_change_set(cloud, R, &stack, &cs).await;
    if d.status == ChangeSetStatus::Failed {
        return (
            format!("change set FAILED (empty: {})", d.is_empty_change()),
            Some(cs),
        );
    }
    if let Err(e) = cloud.execute_change_set(R, &stack, &cs.id).await {
        return (refused(&e), Some(cs));
    }
    let settled = wait_stack(cloud, R, &stack).await;
    (
        settled.map_or("gone".into(), |s| s.status.to_string()),
        Some(cs),
    )
}

/// The stack's physical ids by logical id.
async fn physical_ids(cloud: &dyn Cloud, stack: &str) -> BTreeMap<String, String> {
    cloud
        .describe_stack_resources(R, stack)
        .await
        .unwrap_or_else(|e| panic!("{}: DescribeStackResources: {e}", cloud.label()))
        .into_iter()
        .filter_map(|r| Some((r.logical_id, r.physical_id?)))
        .collect()
}

fn record(name: &str, ttl: u32, value: &str) -> ResourceRecordSet {
    ResourceRecordSet {
        name: name.into(),
        record_type: "CNAME".into(),
        set_identifier: None,
        failover: None,
        ttl: Some(ttl),
        records: vec![value.into()],
        alias_target: None,
        health_check_id: None,
    }
}

/// The zone's records as `name TYPE ttl`, the zone's name written `ZONE` (so both backends'
/// zones compare), sorted.
async fn zone_records(cloud: &dyn Cloud, zone_id: &str, zone: &str) -> String {
    match cloud.list_resource_record_sets(R, zone_id).await {
        Err(e) => refused(&e),
        Ok(rs) => {
            let mut lines: Vec<String> = rs
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {}",
                        r.name.replace(zone, "ZONE"),
                        r.record_type,
                        r.ttl.map_or("-".into(), |t| t.to_string())
                    )
                })
                .collect();
            lines.sort();
            lines.join("; ")
        }
    }
}

/// Every probe, on one backend. `tag` keeps names unique on a long-lived moto.
async fn probes(cloud: &dyn Cloud, tag: &str) -> Observations {
    let mut o = Observations::new();

    // -- Update change sets ------------------------------------------------------------------
    let app = format!("{tag}-app");
    let base = app_template("10.50", "/health", "app", json!({}));
    let (created, _) = apply(
        cloud,
        input(&app, "create", ChangeSetType::Create, &base, &[]),
    )
    .await;
    o.insert("create the app stack", created);
    let before = physical_ids(cloud, &app).await;
    let changed = app_template("10.50", "/ready", "app v2", json!({}));
    let cs = cloud
        .create_change_set(
            R,
            input(&app, "update", ChangeSetType::Update, &changed, &[]),
        )
        .await
        .unwrap_or_else(|e| panic!("{}: CreateChangeSet (update): {e}", cloud.label()));
    let d = wait_change_set(cloud, R, &app, &cs).await;
    let mut actions: Vec<String> = d
        .changes
        .iter()
        .map(|c| {
            format!(
                "{} {} replacement={}",
                c.logical_id,
                c.action,
                c.replacement.as_ref().map_or("-".into(), |r| r.to_string())
            )
        })
        .collect();
    actions.sort();
    o.insert("update: the change set's changes", actions.join("; "));
    cloud.execute_change_set(R, &app, &cs.id).await.unwrap();
    let updated = wait_stack(cloud, R, &app).await.unwrap();
    o.insert("update: the stack's status", updated.status.to_string());
    let after = physical_ids(cloud, &app).await;
    let fate = |id: &str| {
        if before.get(id) == after.get(id) {
            "kept"
        } else {
            "replaced"
        }
    };
    o.insert(
        "update: physical ids (Sg, Tg)",
        format!("Sg {}, Tg {}", fate("Sg"), fate("Tg")),
    );

    // -- Stack policy ------------------------------------------------------------------------
    let policy = json!({"Statement": [
        {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "Update:*", "Principal": "*", "Resource": "LogicalResourceId/Tg"}
    ]});
    cloud
        .set_stack_policy(R, &app, &policy.to_string())
        .await
        .unwrap_or_else(|e| panic!("{}: SetStackPolicy: {e}", cloud.label()));
    let read: Option<Value> = cloud
        .get_stack_policy(R, &app)
        .await
        .unwrap()
        .and_then(|p| serde_json::from_str(&p).ok());
    o.insert(
        "stack policy: read back as set",
        (read.as_ref() == Some(&policy)).to_string(),
    );
    let denied = app_template("10.50", "/denied", "app v2", json!({}));
    let (status, _) = apply(
        cloud,
        input(&app, "denied", ChangeSetType::Update, &denied, &[]),
    )
    .await;
    o.insert("stack policy: an update of a denied resource", status);

    // -- S3 ----------------------------------------------------------------------------------
    let bucket = after.get("Bucket").cloned().unwrap_or_default();
    let put = cloud.put_object(R, &bucket, "t.json", b"{}".to_vec()).await;
    o.insert(
        "s3: PutObject into the stack's bucket",
        put.map_or_else(|e| refused(&e), |_| "ok".into()),
    );
    let put = cloud
        .put_object(
            R,
            &format!("{tag}-no-such-bucket"),
            "t.json",
            b"{}".to_vec(),
        )
        .await;
    o.insert(
        "s3: PutObject into a missing bucket",
        put.map_or_else(|e| refused(&e), |_| "ok".into()),
    );
    let listed = cloud.list_object_versions(R, &bucket).await;
    o.insert(
        "s3: ListObjectVersions after the PutObject",
        match &listed {
            Ok(v) => format!(
                "{} version(s), version ids {:?}",
                v.len(),
                v.iter().map(|v| v.version_id.clone()).collect::<Vec<_>>()
            ),
            Err(e) => refused(e),
        },
    );
    let emptied = match listed {
        Ok(v) => match cloud.delete_objects(R, &bucket, v).await {
            Ok(()) => cloud
                .list_object_versions(R, &bucket)
                .await
                .map_or_else(|e| refused(&e), |v| format!("{} version(s) left", v.len())),
            Err(e) => refused(&e),
        },
        Err(e) => refused(&e),
    };
    o.insert("s3: DeleteObjects of every version", emptied);
    let listed = cloud
        .list_object_versions(R, &format!("{tag}-no-such-bucket"))
        .await;
    o.insert(
        "s3: ListObjectVersions of a missing bucket",
        listed.map_or_else(|e| refused(&e), |v| format!("{} version(s)", v.len())),
    );

    // -- Exports and imports -----------------------------------------------------------------
    let export = format!("{tag}-vpc");
    let exporter = format!("{tag}-exporter");
    let outputs =
        |value: &str| json!({"Vpc": {"Value": {"Ref": value}, "Export": {"Name": export}}});
    let (status, _) = apply(
        cloud,
        input(
            &exporter,
            "create",
            ChangeSetType::Create,
            &app_template("10.60", "/", "x", outputs("Vpc")),
            &[],
        ),
    )
    .await;
    o.insert("exports: create the exporter", status);
    let importer = format!("{tag}-importer");
    let imports = json!({"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupDescription": "importer", "VpcId": {"Fn::ImportValue": export}}}}})
    .to_string();
    let (status, _) = apply(
        cloud,
        input(&importer, "create", ChangeSetType::Create, &imports, &[]),
    )
    .await;
    o.insert("exports: a stack importing the export", status);
    let (status, _) = apply(
        cloud,
        input(
            &exporter,
            "move",
            ChangeSetType::Update,
            &app_template("10.60", "/", "x", outputs("Subnet")),
            &[],
        ),
    )
    .await;
    o.insert("exports: the exporter changing an imported value", status);
    let deleted = match cloud.delete_stack(R, &exporter).await {
        Err(e) => refused(&e),
        Ok(()) => wait_stack(cloud, R, &exporter)
            .await
            .map_or("gone".into(), |s| s.status.to_string()),
    };
    o.insert("exports: deleting the exporter while imported", deleted);

    // -- AWS-specific parameter types --------------------------------------------------------
    let vpc = after.get("Vpc").cloned().unwrap_or_default();
    for (probe, ty, missing) in [
        (
            "parameters: a VPC id that does not exist",
            "AWS::EC2::VPC::Id",
            "vpc-0123456789abcdef0",
        ),
        (
            "parameters: a subnet id that does not exist",
            "AWS::EC2::Subnet::Id",
            "subnet-0123456789abcdef0",
        ),
        (
            "parameters: a security group id that does not exist",
            "AWS::EC2::SecurityGroup::Id",
            "sg-0123456789abcdef0",
        ),
        (
            "parameters: a key pair that does not exist",
            "AWS::EC2::KeyPair::KeyName",
            "no-such-key",
        ),
        (
            "parameters: a hosted zone that does not exist",
            "AWS::Route53::HostedZone::Id",
            "Z0123456789NOSUCHZONE",
        ),
        (
            "parameters: an AZ of another Region",
            "AWS::EC2::AvailabilityZone::Name",
            "us-west-1a",
        ),
        (
            "parameters: the VPC the app stack made",
            "AWS::EC2::VPC::Id",
            vpc.as_str(),
        ),
    ] {
        let body = json!({"Parameters": {"P": {"Type": ty}},
            "Resources": {"Topic": {"Type": "AWS::S3::Bucket"}}})
        .to_string();
        let stack = format!("{tag}-param-{}", o.len());
        let (status, _) = apply(
            cloud,
            input(
                &stack,
                "create",
                ChangeSetType::Create,
                &body,
                &[("P", missing)],
            ),
        )
        .await;
        o.insert(probe, status);
    }

    // -- Required properties -----------------------------------------------------------------
    let body = json!({"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {}}}})
        .to_string();
    let (status, _) = apply(
        cloud,
        input(
            &format!("{tag}-required"),
            "create",
            ChangeSetType::Create,
            &body,
            &[],
        ),
    )
    .await;
    o.insert(
        "required: a security group without GroupDescription",
        status,
    );

    // -- Route 53 ----------------------------------------------------------------------------
    let zone = format!("{tag}.example.com");
    let dns = format!("{tag}-dns");
    let (status, _) = apply(
        cloud,
        input(
            &dns,
            "create",
            ChangeSetType::Create,
            &dns_template(&zone, 60),
            &[],
        ),
    )
    .await;
    o.insert("route53: create the dns stack", status);
    let ids = physical_ids(cloud, &dns).await;
    let zone_id = ids.get("Zone").cloned().unwrap_or_default();
    let zone_id = zone_id.trim_start_matches("/hostedzone/").to_string();
    o.insert(
        "route53: the records of the stack's zone",
        zone_records(cloud, &zone_id, &zone).await,
    );
    let (status, _) = apply(
        cloud,
        input(
            &dns,
            "ttl",
            ChangeSetType::Update,
            &dns_template(&zone, 120),
            &[],
        ),
    )
    .await;
    o.insert("route53: update the record's TTL through the stack", status);
    o.insert(
        "route53: the records after the TTL update",
        zone_records(cloud, &zone_id, &zone).await,
    );

    let api_name = format!("api.{zone}.");
    let change = |action, ttl| RecordChange {
        action,
        record_set: record(&api_name, ttl, &format!("www.{zone}")),
    };
    let r = cloud
        .change_resource_record_sets(
            R,
            &zone_id,
            vec![change(RecordChangeAction::Create, 60)],
            None,
        )
        .await;
    o.insert(
        "route53: CREATE a record",
        r.as_ref().map_or_else(refused, |_| "ok".into()),
    );
    if let Ok(info) = &r {
        let mut status = ChangeStatus::Pending;
        for _ in 0..40 {
            status = cloud
                .get_change(R, &info.id)
                .await
                .map(|c| c.status)
                .unwrap_or(ChangeStatus::Pending);
            if status == ChangeStatus::InSync {
                break;
            }
            cloud.sleep(std::time::Duration::from_secs(5)).await;
        }
        o.insert("route53: GetChange settles", status.to_string());
    }
    let r = cloud
        .change_resource_record_sets(
            R,
            &zone_id,
            vec![change(RecordChangeAction::Create, 60)],
            None,
        )
        .await;
    o.insert(
        "route53: CREATE an existing record",
        r.map_or_else(|e| refused(&e), |_| "ok".into()),
    );
    let r = cloud
        .change_resource_record_sets(
            R,
            &zone_id,
            vec![change(RecordChangeAction::Upsert, 300)],
            None,
        )
        .await;
    o.insert(
        "route53: UPSERT a record",
        r.map_or_else(|e| refused(&e), |_| "ok".into()),
    );
    o.insert(
        "route53: the records after the API changes",
        zone_records(cloud, &zone_id, &zone).await,
    );
    let r = cloud
        .change_resource_record_sets(
            R,
            &zone_id,
            vec![RecordChange {
                action: RecordChangeAction::Delete,
                record_set: record(&format!("none.{zone}."), 60, "x.example.com"),
            }],
            None,
        )
        .await;
    o.insert(
        "route53: DELETE a missing record",
        r.map_or_else(|e| refused(&e), |_| "ok".into()),
    );
    let r = cloud
        .change_resource_record_sets(
            R,
            "Z0123456789NOSUCHZONE",
            vec![change(RecordChangeAction::Upsert, 60)],
            None,
        )
        .await;
    o.insert(
        "route53: a change in a zone that does not exist",
        r.map_or_else(|e| refused(&e), |_| "ok".into()),
    );

    let hc = ids.get("Hc").cloned().unwrap_or_default();
    let got = cloud.get_health_check(R, &hc).await;
    o.insert(
        "route53: GetHealthCheck of the stack's check",
        got.as_ref().map_or_else(refused, |h| {
            format!(
                "{} inverted={} disabled={}",
                h.check_type, h.inverted, h.disabled
            )
        }),
    );
    if let Ok(h) = got {
        let r = cloud
            .update_health_check(
                R,
                &hc,
                HealthCheckUpdate {
                    inverted: Some(true),
                    disabled: None,
                    expected_version: Some(h.version),
                },
            )
            .await;
        o.insert(
            "route53: UpdateHealthCheck Inverted",
            r.map_or_else(
                |e| refused(&e),
                |u| format!("inverted={} version+{}", u.inverted, u.version - h.version),
            ),
        );
        let r = cloud
            .update_health_check(
                R,
                &hc,
                HealthCheckUpdate {
                    inverted: Some(false),
                    disabled: None,
                    expected_version: Some(h.version),
                },
            )
            .await;
        o.insert(
            "route53: UpdateHealthCheck with a stale version",
            r.map_or_else(|e| refused(&e), |_| "ok".into()),
        );
    }
    let calc = ids.get("Calc").cloned().unwrap_or_default();
    let r = cloud.get_health_check_status(R, &calc).await;
    o.insert(
        "route53: GetHealthCheckStatus of a calculated check",
        r.map_or_else(|e| refused(&e), |_| "ok".into()),
    );

    let body = json!({"Resources": {"Record": {"Type": "AWS::Route53::RecordSet", "Properties": {
        "HostedZoneId": "Z0123456789NOSUCHZONE", "Name": format!("x.{zone}."), "Type": "CNAME",
        "TTL": "60", "ResourceRecords": ["www.example.com"]}}}})
    .to_string();
    let (status, _) = apply(
        cloud,
        input(
            &format!("{tag}-orphan"),
            "create",
            ChangeSetType::Create,
            &body,
            &[],
        ),
    )
    .await;
    o.insert(
        "route53: a stack's record in a zone that does not exist",
        status,
    );

    o
}

/// What AWS answers for each probe; the source beside each.
fn aws_documented() -> Vec<(&'static str, &'static str)> {
    vec![
        ("create the app stack", "CREATE_COMPLETE"),
        // `GroupDescription` is "Update requires: Replacement", `HealthCheckPath` "No
        // interruption" ("AWS::EC2::SecurityGroup", "AWS::ElasticLoadBalancingV2::TargetGroup",
        // CloudFormation Template Reference); an unchanged resource is not a change
        // ("ResourceChange", CloudFormation API Reference).
        (
            "update: the change set's changes",
            "Sg Modify replacement=True; Tg Modify replacement=False",
        ),
        ("update: physical ids (Sg, Tg)", "Sg replaced, Tg kept"),
        ("update: the stack's status", "UPDATE_COMPLETE"),
        // "Prevent updates to stack resources": a denied update fails and rolls back
        // (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/protect-stack-resources.html>).
        ("stack policy: read back as set", "true"),
        (
            "stack policy: an update of a denied resource",
            "UPDATE_ROLLBACK_COMPLETE",
        ),
        // "PutObject" / "Error responses", Amazon S3 API Reference: NoSuchBucket.
        ("s3: PutObject into the stack's bucket", "ok"),
        ("s3: PutObject into a missing bucket", "refused: NotFound"),
        // "ListObjectVersions": a bucket without versioning lists each object once, with the
        // version id `null`; "DeleteObjects" with those ids removes them; a missing bucket is
        // `NoSuchBucket` (Amazon S3 API Reference).
        (
            "s3: ListObjectVersions after the PutObject",
            "1 version(s), version ids [Some(\"null\")]",
        ),
        ("s3: DeleteObjects of every version", "0 version(s) left"),
        (
            "s3: ListObjectVersions of a missing bucket",
            "refused: NotFound",
        ),
        // "Fn::ImportValue": "You can't modify or remove an output value that is referenced by
        // another stack" and "You can't delete a stack if another stack references one of its
        // outputs"; a refused delete returns the stack to its previous status (here the
        // rolled-back update before it) with "Delete canceled. Cannot delete export …"
        // (aws/aws-sdk-go#4581, boto/botocore#2590).
        ("exports: create the exporter", "CREATE_COMPLETE"),
        ("exports: a stack importing the export", "CREATE_COMPLETE"),
        (
            "exports: the exporter changing an imported value",
            "UPDATE_ROLLBACK_COMPLETE",
        ),
        (
            "exports: deleting the exporter while imported",
            "UPDATE_ROLLBACK_COMPLETE",
        ),
        // "Parameters", "Supported AWS-specific parameter types": "CloudFormation validates
        // input values against existing values in your AWS account"; refused with "Parameter
        // validation failed: parameter value … does not exist." (the simulator refuses at
        // CreateChangeSet; see dr-local's eval.rs for why).
        (
            "parameters: a VPC id that does not exist",
            "refused: Validation",
        ),
        (
            "parameters: a subnet id that does not exist",
            "refused: Validation",
        ),
        (
            "parameters: a security group id that does not exist",
            "refused: Validation",
        ),
        (
            "parameters: a key pair that does not exist",
            "refused: Validation",
        ),
        (
            "parameters: a hosted zone that does not exist",
            "refused: Validation",
        ),
        ("parameters: an AZ of another Region", "refused: Validation"),
        ("parameters: the VPC the app stack made", "CREATE_COMPLETE"),
        // Schema validation fails the resource: "Properties validation failed for resource Sg
        // with message: #: required key [GroupDescription] not found", then the rollback.
        (
            "required: a security group without GroupDescription",
            "ROLLBACK_COMPLETE",
        ),
        ("route53: create the dns stack", "CREATE_COMPLETE"),
        // A new zone holds its NS (TTL 172800) and SOA (TTL 900) records ("NS and SOA records
        // that Amazon Route 53 creates for a public hosted zone",
        // <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/SOA-NSrecords.html>).
        (
            "route53: the records of the stack's zone",
            "ZONE. NS 172800; ZONE. SOA 900; app.ZONE. CNAME 60",
        ),
        (
            "route53: update the record's TTL through the stack",
            "UPDATE_COMPLETE",
        ),
        (
            "route53: the records after the TTL update",
            "ZONE. NS 172800; ZONE. SOA 900; app.ZONE. CNAME 120",
        ),
        // "ChangeResourceRecordSets", Amazon Route 53 API Reference: InvalidChangeBatch for a
        // CREATE of an existing record or a DELETE of a missing one; NoSuchHostedZone.
        ("route53: CREATE a record", "ok"),
        ("route53: GetChange settles", "INSYNC"),
        ("route53: CREATE an existing record", "refused: Validation"),
        ("route53: UPSERT a record", "ok"),
        (
            "route53: the records after the API changes",
            "ZONE. NS 172800; ZONE. SOA 900; api.ZONE. CNAME 300; app.ZONE. CNAME 120",
        ),
        ("route53: DELETE a missing record", "refused: Validation"),
        (
            "route53: a change in a zone that does not exist",
            "refused: NotFound",
        ),
        (
            "route53: GetHealthCheck of the stack's check",
            "HTTP inverted=false disabled=false",
        ),
        // "UpdateHealthCheck": HealthCheckVersion increments with each update, and a stale one
        // is HealthCheckVersionMismatch.
        (
            "route53: UpdateHealthCheck Inverted",
            "inverted=true version+1",
        ),
        (
            "route53: UpdateHealthCheck with a stale version",
            "refused: InvalidState",
        ),
        // "GetHealthCheckStatus": "You can't use GetHealthCheckStatus to get the status of a
        // calculated health check" (InvalidInput).
        (
            "route53: GetHealthCheckStatus of a calculated check",
            "refused: Validation",
        ),
        // The record's create fails with "No hosted zone found with ID: …" and rolls back.
        (
            "route53: a stack's record in a zone that does not exist",
            "ROLLBACK_COMPLETE",
        ),
    ]
}

/// Where moto 5.2 departs from the simulator: (probe, local, moto, which is right and why).
/// Asserted exactly, so a fix on either side fails the test until the entry is updated.
pub const MOTO_DEPARTURES: &[(&str, &str, &str, &str)] = &[
    (
        "update: the change set's changes",
        "Sg Modify replacement=True; Tg Modify replacement=False",
        "Bucket Modify replacement=-; Sg Modify replacement=-; Tg Modify replacement=-",
        "moto 5.2 lists every resource of the template as modified, with no Replacement; \
         CloudFormation lists only what changes and says whether it is replaced \
         (\"ResourceChange\", CloudFormation API Reference). The simulator is right.",
    ),
    (
        "update: physical ids (Sg, Tg)",
        "Sg replaced, Tg kept",
        "Sg replaced, Tg replaced",
        "moto 5.2 recreates the target group for a HealthCheckPath change, which CloudFormation \
         updates with no interruption. The simulator is right.",
    ),
    (
        "stack policy: an update of a denied resource",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_COMPLETE",
        "moto 5.2 stores stack policies but does not enforce them; CloudFormation fails the \
         update (\"Prevent updates to stack resources\"). The simulator is right.",
    ),
    (
        "exports: a stack importing the export",
        "CREATE_COMPLETE",
        "refused: Validation",
        "moto 5.2 keeps no Outputs for a stack created through a change set, so nothing is \
         exported (\"No export named … found\"). The simulator is right.",
    ),
    (
        "exports: the exporter changing an imported value",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_COMPLETE",
        "Follows from the import moto refused: nothing imports the value there.",
    ),
    (
        "exports: deleting the exporter while imported",
        "UPDATE_ROLLBACK_COMPLETE",
        "gone",
        "Follows from the import moto refused: nothing imports the value there.",
    ),
    (
        "parameters: a VPC id that does not exist",
        "refused: Validation",
        "CREATE_COMPLETE",
        PARAMETER_TYPES,
    ),
    (
        "parameters: a subnet id that does not exist",
        "refused: Validation",
        "CREATE_COMPLETE",
        PARAMETER_TYPES,
    ),
    (
        "parameters: a security group id that does not exist",
        "refused: Validation",
        "CREATE_COMPLETE",
        PARAMETER_TYPES,
    ),
    (
        "parameters: a key pair that does not exist",
        "refused: Validation",
        "CREATE_COMPLETE",
        PARAMETER_TYPES,
    ),
    (
        "parameters: a hosted zone that does not exist",
        "refused: Validation",
        "CREATE_COMPLETE",
        PARAMETER_TYPES,
    ),
    (
        "parameters: an AZ of another Region",
        "refused: Validation",
        "CREATE_COMPLETE",
        PARAMETER_TYPES,
    ),
    (
        "required: a security group without GroupDescription",
        "ROLLBACK_COMPLETE",
        "refused: Validation",
        "moto 5.2 refuses the ExecuteChangeSet call (MissingParameter); CloudFormation accepts it \
         and fails the resource with the schema's \"#: required key [GroupDescription] not \
         found\", then rolls back. The simulator is right.",
    ),
    (
        "route53: a stack's record in a zone that does not exist",
        "ROLLBACK_COMPLETE",
        "refused: NotFound",
        "moto 5.2 refuses the ExecuteChangeSet call (NoSuchHostedZone); CloudFormation fails the \
         record's create and rolls back. The simulator is right.",
    ),
    (
        "route53: the records of the stack's zone",
        "ZONE. NS 172800; ZONE. SOA 900; app.ZONE. CNAME 60",
        "ZONE NS 172800; ZONE. SOA 900; app.ZONE. CNAME 60",
        NS_NAME,
    ),
    (
        "route53: the records after the TTL update",
        "ZONE. NS 172800; ZONE. SOA 900; app.ZONE. CNAME 120",
        "ZONE NS 172800; ZONE. SOA 900; app.ZONE. CNAME 120",
        NS_NAME,
    ),
    (
        "route53: the records after the API changes",
        "ZONE. NS 172800; ZONE. SOA 900; api.ZONE. CNAME 300; app.ZONE. CNAME 120",
        "ZONE NS 172800; ZONE. SOA 900; api.ZONE. CNAME 300; app.ZONE. CNAME 120",
        NS_NAME,
    ),
    (
        "route53: UpdateHealthCheck Inverted",
        "inverted=true version+1",
        "inverted=true version+0",
        "moto 5.2 does not increment HealthCheckVersion; Route 53 does (\"UpdateHealthCheck\", \
         Amazon Route 53 API Reference). The simulator is right.",
    ),
    (
        "route53: UpdateHealthCheck with a stale version",
        "refused: InvalidState",
        "ok",
        "moto 5.2 ignores HealthCheckVersion; Route 53 answers HealthCheckVersionMismatch. The \
         simulator is right.",
    ),
    (
        "route53: GetHealthCheckStatus of a calculated check",
        "refused: Validation",
        "ok",
        "moto 5.2 answers with a made-up observation; Route 53 refuses a calculated check \
         (\"GetHealthCheckStatus\": InvalidInput). The simulator is right.",
    ),
];

const PARAMETER_TYPES: &str = "moto 5.2 does not check AWS-specific parameter types against the \
    account; CloudFormation does (\"Parameters\", \"Supported AWS-specific parameter types\", \
    CloudFormation User Guide). The simulator is right.";

const NS_NAME: &str = "moto 5.2 names the zone's NS record without the final dot; Route 53 answers \
    fully qualified names (\"ResourceRecordSet\", Amazon Route 53 API Reference). The simulator \
    is right.";

#[tokio::test]
async fn local_simulator_behaves_as_aws_documents() {
    let cloud = LocalCloud::in_memory();
    let o = probes(&cloud, "conf").await;
    for (probe, seen) in &o {
        eprintln!("local: {probe}: {seen}");
    }
    let documented = aws_documented();
    for (probe, want) in &documented {
        assert_eq!(o.get(probe).map(String::as_str), Some(*want), "{probe}");
    }
    // Every probe is held to AWS's answer, none only compared with moto.
    assert_eq!(documented.len(), o.len(), "a probe without AWS's answer");
}

#[tokio::test]
async fn local_and_moto_agree_on_behaviours() {
    let Some(moto) = moto_cloud() else { return };
    let local = LocalCloud::in_memory();
    let mut a = probes(&local, "conf").await;
    let mut b = probes(&moto, &unique("conf")).await;
    for (probe, seen) in &b {
        eprintln!("moto: {probe}: {seen}");
    }
    for (probe, local_saw, moto_saw, why) in MOTO_DEPARTURES {
        let (l, m) = (a.remove(probe), b.remove(probe));
        assert_eq!(
            (l.as_deref(), m.as_deref()),
            (Some(*local_saw), Some(*moto_saw)),
            "known departure on \"{probe}\" changed; update MOTO_DEPARTURES"
        );
        eprintln!("DEPARTURE (reported): {probe}: local {local_saw}, moto {moto_saw}: {why}");
    }
    assert_eq!(a, b, "the simulator and moto disagree");
}
