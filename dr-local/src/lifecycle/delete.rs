//! Deleting a stack: its resources in reverse dependency order, and what blocks the deletion
//! (an export in use, deletion protection, a DB cluster its delete handler cannot take out of
//! its global cluster), with `DeleteStack`'s `RetainResources` and `FORCE_DELETE_STACK`.

use std::collections::BTreeSet;

use dr_core::Region;
use indexmap::IndexMap;
use serde_json::{Value, json};

use super::outputs::export_deleted_in_use;
use super::schedule::reverse_schedule;
use super::timeline::Timeline;
use super::{DeleteOptions, Outcome, committed_dependencies, unchanged};
use crate::clock::SimTime;
use crate::durations;
use crate::services;
use crate::state::{Committed, Stack, StackResource, World};

/// What deleting the resources left.
struct Deletion {
    /// Resources that failed to delete: logical ids, in the order they failed.
    failed: Vec<String>,
    /// Resources not deleted: retained ones excluded, the failed ones and those the failure
    /// left alone.
    remaining: IndexMap<String, StackResource>,
    /// Resources left in the account outside the stack (`DELETE_SKIPPED`).
    retained: Vec<StackResource>,
}

/// Deletes `stack`; `seq` is a fresh sequence number of the world.
pub(super) fn run_delete(
    world: &World,
    region: Region,
    stack: &Stack,
    seq: u64,
    options: DeleteOptions<'_>,
) -> Outcome {
    let t0 = world.now;
    let mut tl = Timeline::new(stack, seq);
    let keep = unchanged(stack);
    let before = stack.status_at(t0).0;
    tl.stack(t0, "DELETE_IN_PROGRESS", Some("User Initiated"));
    if let Some(reason) = export_in_use(world, region, stack) {
        // CloudFormation cancels the deletion before touching a resource, and the stack goes
        // back to the status it had, with the reason (no DELETE_FAILED: aws/aws-sdk-go#4581,
        // aws/aws-sdk-java#1712, boto/botocore#2590 report `DELETE_IN_PROGRESS` followed by
        // `UPDATE_COMPLETE`, the stack's status before, and its status reason).
        let end = t0.plus_secs(1);
        tl.stack(end, &before, Some(&reason));
        return Outcome {
            events: tl.finish(),
            result: keep,
            end,
            succeeded: false,
        };
    }
    let Deletion {
        mut failed,
        remaining,
        mut retained,
    } = delete_resources(world, &mut tl, stack, t0, options);
    let end = tl.latest().unwrap_or(t0).plus_secs(1);
    if failed.is_empty() || options.force {
        // `FORCE_DELETE_STACK` deletes the stack whatever failed ("DeleteStack", DeletionMode:
        // "Delete the stack if it's stuck in a DELETE_FAILED state due to resource deletion
        // failure",
        // <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStack.html>):
        // what it could not delete stays in the account.
        retained.extend(remaining.into_values());
        tl.stack(end, "DELETE_COMPLETE", None);
        let gone = Committed {
            resources: IndexMap::new(),
            outputs: vec![],
            deleted: true,
            retained,
            ..keep
        };
        return Outcome {
            events: tl.finish(),
            result: gone,
            end,
            succeeded: true,
        };
    }
    failed.sort();
    tl.stack(
        end,
        "DELETE_FAILED",
        Some(&format!(
            "The following resource(s) failed to delete: [{}]. ",
            failed.join(", ")
        )),
    );
    let partial = Committed {
        resources: remaining,
        retained,
        ..keep
    };
    Outcome {
        events: tl.finish(),
        result: partial,
        end,
        succeeded: false,
    }
}

/// An export of the stack that other stacks import: it blocks the deletion before any
/// resource is touched, with CloudFormation's reason ([`export_deleted_in_use`]).
fn export_in_use(world: &World, region: Region, stack: &Stack) -> Option<String> {
    stack.outputs.iter().find_map(|o| {
        let e = o.export_name.as_ref()?;
        let users = world.importers(region, e, &stack.name);
        (!users.is_empty()).then(|| export_deleted_in_use(e, &users))
    })
}

/// What deleting one resource comes to before its own deletion runs.
enum Verdict {
    /// Deleted, after waiting this many seconds more than the type's deletion takes.
    Delete { extra_secs: u64 },
    /// Left in the account: a `Retain` policy or `RetainResources`.
    Skip,
    /// Refused, with the reason.
    Fail(String),
}

/// Deletes the resources from `t0` on, dependents first.
fn delete_resources(
    world: &World,
    tl: &mut Timeline,
    stack: &Stack,
    t0: SimTime,
    options: DeleteOptions<'_>,
) -> Deletion {
    let deps = committed_dependencies(stack);
    let list: Vec<(String, String)> = stack
        .resources
        .values()
        .map(|r| (r.logical_id.clone(), r.physical_id.clone()))
        .collect();
    let verdict = |id: &str| {
        let r = &stack.resources[id];
        if options.retain_resources.iter().any(|k| k == id) {
            return Verdict::Skip;
        }
        resource_verdict(world, stack.region, r, t0)
    };
    let sched = reverse_schedule(&list, &deps, t0.plus_secs(1), &|id| {
        let r = &stack.resources[id];
        let extra = match verdict(id) {
            Verdict::Delete { extra_secs } => extra_secs,
            _ => 0,
        };
        durations::delete_secs(&r.type_name, &r.properties) + extra
    });
    // A resource that cannot be deleted fails; what depends on it was already deleted, what
    // it depends on is left alone.
    let mut failed: Vec<String> = Vec::new();
    let mut blocked: BTreeSet<String> = BTreeSet::new();
    let mut remaining = stack.resources.clone();
    let mut retained: Vec<StackResource> = Vec::new();
    let mut by_time: Vec<&(String, String)> = list.iter().collect();
    by_time.sort_by_key(|(id, _)| sched.span(id).start);
    let mut fail_time: Option<SimTime> = None;
    for (id, phys) in by_time {
        let r = &stack.resources[id];
        let span = sched.span(id);
        // A forced deletion goes on past a failure; only what the failed resource depends on
        // stays (with it) in the account.
        if blocked.contains(id) || (!options.force && fail_time.is_some_and(|f| span.start > f)) {
            continue;
        }
        let (s, rtype, phys) = (span.start, r.type_name.as_str(), Some(phys.as_str()));
        match verdict(id) {
            Verdict::Skip => {
                tl.push(s, id, phys, rtype, "DELETE_SKIPPED", None);
                if let Some(kept) = remaining.shift_remove(id) {
                    retained.push(kept);
                }
            }
            Verdict::Fail(reason) => {
                tl.push(s, id, phys, rtype, "DELETE_IN_PROGRESS", None);
                tl.push(
                    s.plus_secs(1),
                    id,
                    phys,
                    rtype,
                    "DELETE_FAILED",
                    Some(&reason),
                );
                // DescribeStackResources reports it DELETE_FAILED with the reason, which is how
                // a later DeleteStack's RetainResources names what to keep.
                if let Some(r) = remaining.get_mut(id) {
                    r.status = "DELETE_FAILED".into();
                    r.status_reason = Some(reason.clone());
                }
                failed.push(id.clone());
                fail_time.get_or_insert(s.plus_secs(1));
                if let Some(v) = deps.get(id) {
                    blocked.extend(v.iter().cloned());
                }
            }
            Verdict::Delete { .. } => {
                tl.push(s, id, phys, rtype, "DELETE_IN_PROGRESS", None);
                tl.push(span.end, id, phys, rtype, "DELETE_COMPLETE", None);
                remaining.shift_remove(id);
            }
        }
    }
    Deletion {
        failed,
        remaining,
        retained,
    }
}

/// What the deletion of `r` (of a stack in `region`), starting around `t0`, comes to: its
/// `DeletionPolicy`, then its resource provider's refusals.
fn resource_verdict(world: &World, region: Region, r: &StackResource, t0: SimTime) -> Verdict {
    // `RetainExceptOnCreate` behaves as `Retain` for every operation but the one that created
    // the resource ("DeletionPolicy attribute",
    // <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html>).
    if matches!(
        r.deletion_policy.as_deref(),
        Some("Retain" | "RetainExceptOnCreate")
    ) {
        return Verdict::Skip;
    }
    if let Some(reason) = protected_database(r) {
        return Verdict::Fail(reason);
    }
    let seed = format!("{region}/{}/{t0}", r.physical_id);
    if let Some(reason) = services::elbv2::deletion_refusal(world, region, r, &seed) {
        return Verdict::Fail(reason);
    }
    if let Some(reason) = bucket_not_empty(world, r, &seed) {
        return Verdict::Fail(reason);
    }
    if r.type_name == "AWS::RDS::DBCluster" {
        return match leave_global_cluster(world, r, t0) {
            Ok(extra_secs) => Verdict::Delete { extra_secs },
            Err(reason) => Verdict::Fail(reason),
        };
    }
    Verdict::Delete { extra_secs: 0 }
}

/// What CloudFormation reports when `r` is an S3 bucket that holds any object version or
/// delete marker: S3's `BucketNotEmpty` (409), as a `DELETE_FAILED` event of an
/// `AWS::S3::Bucket` quoted it: "The bucket you tried to delete is not empty (Service: Amazon
/// S3; Status Code: 409; Error Code: BucketNotEmpty; Request ID: …; S3 Extended Request ID:
/// …; Proxy: null)" (aws/aws-cdk#21776; "Error responses",
/// <https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html>). For a bucket with
/// versioning S3 adds "You must delete all versions in the bucket." (as reported by
/// gruntwork-io/cloud-nuke#369 and go-to-k/delstack#114 for versioned buckets whose current
/// objects were gone).
fn bucket_not_empty(world: &World, r: &StackResource, seed: &str) -> Option<String> {
    if r.type_name != "AWS::S3::Bucket" || !services::s3::holds_anything(world, &r.physical_id) {
        return None;
    }
    let versions = if services::s3::is_versioned(world, &r.physical_id) {
        ". You must delete all versions in the bucket."
    } else {
        ""
    };
    Some(format!(
        "The bucket you tried to delete is not empty{versions} (Service: Amazon S3; Status Code: 409; Error Code: BucketNotEmpty; Request ID: {}; S3 Extended Request ID: {}=; Proxy: null)",
        crate::ids::upper(&format!("s3-request/{seed}"), 16),
        crate::ids::lower(&format!("s3-extended/{seed}"), 75),
    ))
}

/// What RDS answers when `r` is a database resource whose deletion protection is on. The
/// AWS::RDS::DBCluster delete handler refuses with "Cannot delete protected Cluster %s, please
/// disable deletion protection and try again" (`DELETION_PROTECTION_ENABLED_ERROR` in
/// <https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds/blob/master/aws-rds-dbcluster/src/main/java/software/amazon/rds/dbcluster/DeleteHandler.java>);
/// the instance's and the global cluster's come from RDS's `InvalidParameterCombination`,
/// whose wording for them was not found beyond the same sentence.
fn protected_database(r: &StackResource) -> Option<String> {
    let protected = r
        .properties
        .get("DeletionProtection")
        .is_some_and(|v| v == &json!(true) || v == &json!("true"));
    if !protected {
        return None;
    }
    match r.type_name.as_str() {
        "AWS::RDS::DBCluster" => Some(format!(
            "Cannot delete protected Cluster {}, please disable deletion protection and try again",
            r.physical_id
        )),
        "AWS::RDS::DBInstance" => Some(
            "Cannot delete protected DB Instance, please disable deletion protection and try again."
                .into(),
        ),
        "AWS::RDS::GlobalCluster" => Some(
            "Cannot delete protected Global Cluster, please disable deletion protection and try again."
                .into(),
        ),
        _ => None,
    }
}

/// The global-cluster step of the AWS::RDS::DBCluster delete handler (`DeleteHandler` and
/// `BaseHandlerStd.removeFromGlobalCluster` in
/// <https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds/tree/master/aws-rds-dbcluster/src/main/java/software/amazon/rds/dbcluster>):
/// when the resource's model names a `GlobalClusterIdentifier`, the handler calls
/// `RemoveFromGlobalCluster` for it and waits until the cluster is available and no longer a
/// member, then deletes it. Returns the seconds that adds to the deletion, or the reason it
/// fails:
///
/// - a member: the handler's detach runs ([`services::DETACH_SECS`]); one already under way
///   (a `RemoveFromGlobalCluster` made just before) is waited for. That RDS accepts a second
///   call for a member still listed is an assumption: what it answers then was not found.
/// - no longer a member (detached before the stack was deleted): RDS answers
///   `InvalidParameterValue` "... is not found in global cluster ..." (observed, and ignored
///   for that reason, by terraform-provider-aws's `aws_rds_cluster` delete,
///   <https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/cluster.go>),
///   which the handler's error rules (`Commons.DEFAULT_ERROR_RULE_SET`: `InvalidParameterValue`
///   fails with `InvalidRequest`) turn into a failed deletion. The message beyond that
///   fragment is not confirmed.
/// - the global cluster gone: nothing to leave.
fn leave_global_cluster(world: &World, r: &StackResource, t0: SimTime) -> Result<u64, String> {
    let Some(global) = r
        .properties
        .get("GlobalClusterIdentifier")
        .and_then(Value::as_str)
        .filter(|g| !g.is_empty())
    else {
        return Ok(0);
    };
    let Some(g) = world
        .global_clusters
        .values()
        .find(|g| g.id.eq_ignore_ascii_case(global))
    else {
        return Ok(0);
    };
    let arn = r
        .attributes
        .get("DBClusterArn")
        .and_then(Value::as_str)
        .unwrap_or(&r.physical_id);
    match g.members.iter().find(|m| m.cluster_arn == arn) {
        Some(m) => Ok(match m.detach_done_at {
            Some(done) => done
                .as_millis()
                .saturating_sub(t0.as_millis())
                .div_ceil(1000),
            None => services::DETACH_SECS,
        }),
        None => Err(services::not_in_global_cluster(arn, &g.id)),
    }
}
