//! Deleting a stack: its resources in reverse dependency order, and what blocks the deletion
//! (an export in use, deletion protection).

use std::collections::BTreeSet;

use dr_core::Region;
use indexmap::IndexMap;
use serde_json::json;

use super::outputs::export_deleted_in_use;
use super::schedule::reverse_schedule;
use super::timeline::Timeline;
use super::{Outcome, committed_dependencies, unchanged};
use crate::clock::SimTime;
use crate::durations;
use crate::state::{Committed, Stack, StackResource, World};

/// What deleting the resources left.
struct Deletion {
    /// Resources that failed to delete: logical ids, in the order they failed.
    failed: Vec<String>,
    /// Resources not deleted: retained ones excluded, the failed ones and those the failure
    /// left alone.
    remaining: IndexMap<String, StackResource>,
}

/// Deletes `stack`; `seq` is a fresh sequence number of the world.
pub(super) fn run_delete(world: &World, region: Region, stack: &Stack, seq: u64) -> Outcome {
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
    } = delete_resources(&mut tl, stack, t0);
    let end = tl.latest().unwrap_or(t0).plus_secs(1);
    if failed.is_empty() {
        tl.stack(end, "DELETE_COMPLETE", None);
        let gone = Committed {
            resources: IndexMap::new(),
            outputs: vec![],
            deleted: true,
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

/// Deletes the resources from `t0` on, dependents first.
fn delete_resources(tl: &mut Timeline, stack: &Stack, t0: SimTime) -> Deletion {
    let deps = committed_dependencies(stack);
    let list: Vec<(String, String)> = stack
        .resources
        .values()
        .map(|r| (r.logical_id.clone(), r.physical_id.clone()))
        .collect();
    let sched = reverse_schedule(&list, &deps, t0.plus_secs(1), &|id| {
        let r = &stack.resources[id];
        durations::delete_secs(&r.type_name, &r.properties)
    });
    // A resource that cannot be deleted (deletion protection) fails; what depends on it was
    // already deleted, what it depends on is left alone.
    let mut failed: Vec<String> = Vec::new();
    let mut blocked: BTreeSet<String> = BTreeSet::new();
    let mut remaining = stack.resources.clone();
    let mut by_time: Vec<&(String, String)> = list.iter().collect();
    by_time.sort_by_key(|(id, _)| sched.span(id).start);
    let mut fail_time: Option<SimTime> = None;
    for (id, phys) in by_time {
        let r = &stack.resources[id];
        let span = sched.span(id);
        if blocked.contains(id) || fail_time.is_some_and(|f| span.start > f) {
            continue;
        }
        let (s, rtype, phys) = (span.start, r.type_name.as_str(), Some(phys.as_str()));
        match (r.deletion_policy.as_deref(), protected_database(r)) {
            (Some("Retain" | "RetainExceptOnCreate"), _) => {
                tl.push(s, id, phys, rtype, "DELETE_SKIPPED", None);
                remaining.shift_remove(id);
            }
            (_, Some(what)) => {
                tl.push(s, id, phys, rtype, "DELETE_IN_PROGRESS", None);
                // RDS's InvalidParameterCombination message for a protected cluster.
                let reason = format!(
                    "Cannot delete protected {what}, please disable deletion protection and try again."
                );
                tl.push(
                    s.plus_secs(1),
                    id,
                    phys,
                    rtype,
                    "DELETE_FAILED",
                    Some(&reason),
                );
                failed.push(id.clone());
                fail_time.get_or_insert(s.plus_secs(1));
                if let Some(v) = deps.get(id) {
                    blocked.extend(v.iter().cloned());
                }
            }
            _ => {
                tl.push(s, id, phys, rtype, "DELETE_IN_PROGRESS", None);
                tl.push(span.end, id, phys, rtype, "DELETE_COMPLETE", None);
                remaining.shift_remove(id);
            }
        }
    }
    Deletion { failed, remaining }
}

/// What RDS calls a database resource whose deletion protection is on, if `r` is one.
fn protected_database(r: &StackResource) -> Option<&'static str> {
    let protected = r
        .properties
        .get("DeletionProtection")
        .is_some_and(|v| v == &json!(true) || v == &json!("true"));
    if !protected {
        return None;
    }
    match r.type_name.as_str() {
        "AWS::RDS::DBCluster" => Some("Cluster"),
        "AWS::RDS::DBInstance" => Some("DB Instance"),
        "AWS::RDS::GlobalCluster" => Some("Global Cluster"),
        _ => None,
    }
}
