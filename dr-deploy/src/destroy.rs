//! `destroy`: deletes the stacks in reverse dependency order. Protections are lifted only when
//! the options say so, and the report says which ones it met.
//!
//! Facts: `DeleteStack` fails while termination protection is on ("Protect a stack from being
//! deleted",
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-protect-stacks.html>);
//! a DB cluster or a global cluster with `DeletionProtection` cannot be deleted
//! ([ModifyGlobalCluster](https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyGlobalCluster.html):
//! "The global database cluster can't be deleted when deletion protection is enabled"), and
//! CloudFormation's DBCluster delete handler detaches a member from its global cluster itself
//! (the `DeleteHandler` of the AWS::RDS::DBCluster resource provider,
//! <https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds/blob/master/aws-rds-dbcluster/src/main/java/software/amazon/rds/dbcluster/DeleteHandler.java>),
//! which drkit does not let happen silently; a load balancer with `deletion_protection.enabled`
//! cannot be deleted ("DeleteLoadBalancer",
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteLoadBalancer.html>:
//! "You can't delete a load balancer if deletion protection is enabled"), and is lifted with
//! `ModifyLoadBalancerAttributes` under the same option as the databases'.
//!
//! Access-log buckets: ELB writes a test object as soon as access logs are on, so the bucket of
//! a load balancer's access logs is never empty, and S3 deletes only an empty bucket
//! (`BucketNotEmpty`). Told to ([`DestroyOptions::empty_buckets`]), destroy deletes every
//! object version and delete marker of those buckets after the protections are lifted and
//! before the stack's deletion, and once more if logs delivered in between fail it. Otherwise
//! the stack's deletion fails on them, and the stack is deleted again keeping them
//! (`RetainResources`, which "DeleteStack" offers for exactly this: "Retaining resources is
//! useful when you can't delete a resource, such as a non-empty S3 bucket, but you want to
//! delete the stack", <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStack.html>);
//! the report names each bucket kept and its Region.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;

use dr_core::Region;
use dr_core::cloud::{
    Cloud, DeletionMode, LB_ACCESS_LOGS_BUCKET, LB_DELETION_PROTECTION, ResourceStatus,
    StackDescription, StackResource, StackStatus, Timestamp,
};
use dr_synth::assembly::{Assembly, StackArtifact};
use serde_json::Value;

use super::stack::Run;
use super::{
    DeployError, DeployErrorKind, DeployEvent, DeployObserver, FailedResource, PollOptions,
};

/// The command-line flags that lift protections, in the order they are suggested.
const LIFT_FLAGS: [&str; 3] = [
    "--lift-termination-protection",
    "--lift-deletion-protection",
    "--leave-global-cluster",
];

/// A protection `destroy` met and was not told to lift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    /// What is protected, and how: "termination protection is on", "DB cluster `x` has
    /// deletion protection on".
    pub what: String,
    /// The `destroy` flag that lifts it (the [`DestroyOptions`] field of the same name).
    pub flag: &'static str,
}

/// The distinct flags that lift `protections`, in [`LIFT_FLAGS`] order.
pub(crate) fn lift_flags<'a>(
    protections: impl Iterator<Item = &'a Protection>,
) -> Vec<&'static str> {
    let wanted: HashSet<&str> = protections.map(|p| p.flag).collect();
    LIFT_FLAGS
        .into_iter()
        .filter(|f| wanted.contains(f))
        .collect()
}

/// How to destroy.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DestroyOptions {
    /// Turn termination protection off where it is on (otherwise such a stack is not deleted).
    pub lift_termination_protection: bool,
    /// Turn deletion protection off where it is on: on DB clusters, Aurora global clusters and
    /// load balancers (`--lift-deletion-protection`).
    pub lift_deletion_protection: bool,
    /// Remove DB clusters from their global cluster before deleting them.
    pub leave_global_cluster: bool,
    /// For a stack in `DELETE_FAILED`: delete it but keep the resources that failed to delete
    /// (DeleteStack's `RetainResources`), which are then outside any stack, for you to delete
    /// or keep (`--retain-failed`). Default false.
    pub retain_failed: bool,
    /// For a stack in `DELETE_FAILED`: delete it with `DeletionMode` `FORCE_DELETE_STACK`,
    /// which leaves whatever fails to delete behind (`--force-delete`). Default false.
    pub force_delete: bool,
    /// Empty the access-log buckets drkit made for the stack's load balancers (every object
    /// version and delete marker: the logs are gone for good) so that the stack's deletion
    /// deletes them too (`--empty-buckets`). Default false: a bucket that holds logs is kept,
    /// outside any stack, and named in the report. Only these buckets are emptied, never
    /// another bucket of the stack.
    pub empty_buckets: bool,
    /// Only these stacks; `None` = all.
    pub only: Option<Vec<String>>,
    /// Polling intervals and the timeout.
    pub poll: PollOptions,
}

impl DestroyOptions {
    /// Lift every protection (what `destroy --yes --force`-style callers want). Access-log
    /// buckets are not emptied: that deletes data, and is asked for separately
    /// ([`DestroyOptions::empty_buckets`]).
    pub fn lift_all() -> Self {
        DestroyOptions {
            lift_termination_protection: true,
            lift_deletion_protection: true,
            leave_global_cluster: true,
            ..Default::default()
        }
    }
}

/// What happened to a stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestroyOutcome {
    /// Deleted.
    Deleted,
    /// It did not exist.
    Absent,
    /// Not deleted: a protection is on and the options do not lift it.
    Blocked,
    /// Not attempted: a stack that depends on it was not deleted.
    Skipped,
    /// Deletion failed.
    Failed,
}

impl DestroyOutcome {
    /// A word for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            DestroyOutcome::Deleted => "deleted",
            DestroyOutcome::Absent => "absent",
            DestroyOutcome::Blocked => "blocked",
            DestroyOutcome::Skipped => "skipped",
            DestroyOutcome::Failed => "failed",
        }
    }
}

/// The outcome for one stack.
#[derive(Debug, Clone, PartialEq)]
pub struct DestroyReport {
    /// The stack.
    pub stack: String,
    /// Its Region.
    pub region: Region,
    /// What happened.
    pub outcome: DestroyOutcome,
    /// The protections lifted and the resources retained, one line each (the protections
    /// that blocked the stack are in its error, [`DeployErrorKind::Protected`]).
    pub met: Vec<String>,
    /// Mutating calls made.
    pub mutating_calls: usize,
    /// Start (backend clock).
    pub started_at: Timestamp,
    /// End (backend clock).
    pub finished_at: Timestamp,
    /// Why it was blocked, skipped or failed.
    pub error: Option<DeployError>,
}

/// The outcome of a destroy.
#[derive(Debug, Clone, PartialEq)]
pub struct DestroySummary {
    /// One report per stack, in the order they were handled (reverse dependency order).
    pub stacks: Vec<DestroyReport>,
    /// Whether the times come from the simulator's virtual clock ([`Cloud::is_simulated`]).
    pub simulated: bool,
}

impl DestroySummary {
    /// Every stack is gone.
    pub fn is_success(&self) -> bool {
        self.stacks
            .iter()
            .all(|r| matches!(r.outcome, DestroyOutcome::Deleted | DestroyOutcome::Absent))
    }
    /// The report of `stack`.
    pub fn stack(&self, stack: &str) -> Option<&DestroyReport> {
        self.stacks.iter().find(|r| r.stack == stack)
    }
    /// The first error.
    pub fn first_error(&self) -> Option<&DeployError> {
        self.stacks.iter().find_map(|r| {
            r.error
                .as_ref()
                .filter(|e| !matches!(e.kind(), DeployErrorKind::DependentRemains { .. }))
        })
    }
    /// The protections that blocked stacks, each with its stack and Region.
    pub fn protections(&self) -> Vec<(&DestroyReport, &Protection)> {
        self.stacks
            .iter()
            .flat_map(|r| blocking(r).iter().map(move |p| (r, p)))
            .collect()
    }
    /// The distinct flags that would lift every protection met (empty when none blocked).
    pub fn lift_flags(&self) -> Vec<&'static str> {
        lift_flags(self.protections().into_iter().map(|(_, p)| p))
    }
}

/// The protections that blocked the stack of `r`.
fn blocking(r: &DestroyReport) -> &[Protection] {
    match r.error.as_ref().map(DeployError::kind) {
        Some(DeployErrorKind::Protected { protections }) => protections,
        _ => &[],
    }
}

impl std::fmt::Display for DestroySummary {
    /// One line per stack; under it what was lifted or retained, each protection that
    /// blocked it with the flag that lifts it, or the error. Then, once, the flags to lift
    /// every protection met.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for r in &self.stacks {
            write!(f, "{} ({}): {}", r.stack, r.region, r.outcome.as_str())?;
            // A blocked, skipped or absent stack took no time worth reporting.
            if matches!(r.outcome, DestroyOutcome::Deleted | DestroyOutcome::Failed) {
                write!(
                    f,
                    " in {}{}",
                    super::human_duration(r.finished_at.since(r.started_at)),
                    super::simulated_label(self.simulated)
                )?;
            }
            let mut error = r.error.as_ref();
            if let Some(DeployErrorKind::DependentRemains { dependent }) =
                error.map(DeployError::kind)
            {
                write!(f, " (`{dependent}`, which depends on it, remains)")?;
                error = None;
            }
            writeln!(f)?;
            for m in &r.met {
                writeln!(f, "  {m}")?;
            }
            let blocked = blocking(r);
            for p in blocked {
                writeln!(f, "  {} ({})", p.what, p.flag)?;
            }
            if let Some(e) = error.filter(|_| blocked.is_empty()) {
                writeln!(f, "  error: {e}")?;
            }
        }
        let flags = self.lift_flags();
        if !flags.is_empty() {
            writeln!(
                f,
                "Protected stacks were kept as they were; to delete them, add: {}",
                flags.join(" ")
            )?;
        }
        Ok(())
    }
}

/// Deletes the stacks of `assembly` in reverse wave order, a wave's stacks concurrently. A
/// stack whose dependents were not deleted is skipped (its exports may still be imported).
pub async fn destroy(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    options: &DestroyOptions,
    observer: &dyn DeployObserver,
) -> DestroySummary {
    let mut reports: Vec<DestroyReport> = Vec::new();
    let mut not_deleted: HashSet<String> = HashSet::new();
    let mut waves = assembly.waves();
    waves.reverse();
    for wave in waves {
        let mut runs = Vec::new();
        for art in wave {
            if options
                .only
                .as_ref()
                .is_some_and(|o| !o.contains(&art.name))
            {
                // A stack left out still holds up what it depends on while it exists: its
                // imports, or parameters filled from those stacks' outputs in another Region,
                // which CloudFormation does not track. Unknown (a read failed) counts as there.
                if !stack_is_gone(cloud, art).await {
                    not_deleted.insert(art.name.clone());
                }
                continue;
            }
            let blocker = assembly
                .stacks
                .iter()
                .find(|s| s.dependencies.contains(&art.name) && not_deleted.contains(&s.name));
            if let Some(dependent) = blocker {
                let now = cloud.now();
                let report = DestroyReport {
                    stack: art.name.clone(),
                    region: art.region,
                    outcome: DestroyOutcome::Skipped,
                    met: Vec::new(),
                    mutating_calls: 0,
                    started_at: now,
                    finished_at: now,
                    error: Some(DeployError::new(
                        &art.name,
                        art.region,
                        DeployErrorKind::DependentRemains {
                            dependent: dependent.name.clone(),
                        },
                    )),
                };
                observer.on_event(&DeployEvent::StackDestroyed {
                    report: report.clone(),
                });
                not_deleted.insert(art.name.clone());
                reports.push(report);
                continue;
            }
            runs.push(destroy_stack(cloud, art, options, observer));
        }
        for r in futures::future::join_all(runs).await {
            if !matches!(r.outcome, DestroyOutcome::Deleted | DestroyOutcome::Absent) {
                not_deleted.insert(r.stack.clone());
            }
            reports.push(r);
        }
    }
    DestroySummary {
        stacks: reports,
        simulated: cloud.is_simulated(),
    }
}

/// Whether `art`'s stack does not exist (or is deleted).
async fn stack_is_gone(cloud: &dyn Cloud, art: &StackArtifact) -> bool {
    match cloud.describe_stack(art.region, &art.name).await {
        Ok(None) => true,
        Ok(Some(d)) => d.status == StackStatus::DeleteComplete,
        Err(_) => false,
    }
}

/// A protection found on a stack or its resources, and how to lift it.
enum Lift {
    TerminationProtection,
    DeletionProtection { cluster: String },
    GlobalDeletionProtection { global: String },
    LeaveGlobal { global: String, cluster: String },
    LoadBalancerDeletionProtection { arn: String },
}

/// An access-log bucket of the stack: its logical id and its name.
struct LogBucket {
    logical_id: String,
    name: String,
}

/// How many times the stack's deletion is run again after it failed only on access-log
/// buckets that hold objects: once, emptied again (logs delivered after the first emptying)
/// or kept.
const BUCKET_RETRIES: usize = 1;

async fn destroy_stack(
    cloud: &dyn Cloud,
    art: &StackArtifact,
    options: &DestroyOptions,
    observer: &dyn DeployObserver,
) -> DestroyReport {
    let started_at = cloud.now();
    observer.on_event(&DeployEvent::StackStarted {
        stack: art.name.clone(),
        region: art.region,
        at: started_at,
    });
    let run = Run::new(cloud, art, observer, options.poll);
    let mut met = Vec::new();
    let result = destroy_inner(&run, options, &mut met).await;
    let (outcome, error) = match result {
        Ok(o) => (o, None),
        Err(e) if matches!(e.kind(), DeployErrorKind::Protected { .. }) => {
            (DestroyOutcome::Blocked, Some(e))
        }
        Err(e) => (DestroyOutcome::Failed, Some(e)),
    };
    let report = DestroyReport {
        stack: art.name.clone(),
        region: art.region,
        outcome,
        met,
        mutating_calls: run.mutating.load(Ordering::Relaxed),
        started_at,
        finished_at: cloud.now(),
        error,
    };
    observer.on_event(&DeployEvent::StackDestroyed {
        report: report.clone(),
    });
    report
}

async fn destroy_inner(
    run: &Run<'_>,
    options: &DestroyOptions,
    met: &mut Vec<String>,
) -> Result<DestroyOutcome, DeployError> {
    let art = run.art;
    let desc = run
        .cloud
        .describe_stack(art.region, &art.name)
        .await
        .map_err(|e| run.err(e))?;
    let Some(desc) = desc.filter(|d| d.status != StackStatus::DeleteComplete) else {
        return Ok(DestroyOutcome::Absent);
    };

    // A stack in DELETE_FAILED deleted keeping (or forcing past) what failed: the protections
    // of those resources stand in no one's way, since they are not deleted.
    let left_behind: Vec<String> = if desc.status == StackStatus::DeleteFailed
        && (options.retain_failed || options.force_delete)
    {
        failed_resources(run)
            .await?
            .into_iter()
            .map(|f| f.logical_id)
            .collect()
    } else {
        Vec::new()
    };
    // An access-log bucket to empty is deleted with the stack, not kept as it failed.
    let log_ids = access_log_buckets(&art.template);
    let left_behind: Vec<String> = left_behind
        .into_iter()
        .filter(|id| !(options.empty_buckets && log_ids.contains(id)))
        .collect();
    // First find every protection, then lift them only if none blocks, so that a blocked
    // stack is left exactly as it was.
    let found = find_protections(run, options, &desc, &left_behind).await?;
    if !found.blocked.is_empty() {
        return Err(run.fail(DeployErrorKind::Protected {
            protections: found.blocked,
        }));
    }
    for lift in found.lifts {
        met.push(lift_protection(run, lift).await?);
    }
    let log_buckets: Vec<LogBucket> = log_ids
        .iter()
        .filter_map(|id| {
            let r = found.resources.iter().find(|r| &r.logical_id == id)?;
            let name = r.physical_id.clone().filter(|p| !p.is_empty())?;
            Some(LogBucket {
                logical_id: id.clone(),
                name,
            })
        })
        .collect();
    if options.empty_buckets {
        for b in &log_buckets {
            if let Some(line) = empty_bucket(run, b).await? {
                met.push(line);
            }
        }
    }
    for (id, policy) in retention(&art.template) {
        met.push(match policy.as_str() {
            "Snapshot" => {
                format!("`{id}` has DeletionPolicy Snapshot: a final snapshot is kept (and billed)")
            }
            _ => format!(
                "`{id}` has DeletionPolicy {policy}: the resource is kept outside the stack"
            ),
        });
    }
    let (mut retain, mut mode) = if desc.status == StackStatus::DeleteFailed {
        delete_failed_options(options, left_behind, met)
    } else {
        (Vec::new(), None)
    };
    let mut retries = 0;
    loop {
        run.step("deleting the stack");
        let Err(e) = run
            .delete_and_wait(&desc.stack_id, retain.clone(), mode)
            .await
        else {
            break;
        };
        let e = named_failures(run, e).await;
        // Failed only because access-log buckets hold objects: empty them again or keep them,
        // and delete the stack (now in DELETE_FAILED) once more.
        let full: Vec<&LogBucket> = match e.kind() {
            DeployErrorKind::DeleteFailed { resources } if retries < BUCKET_RETRIES => resources
                .iter()
                .map(|f| {
                    log_buckets
                        .iter()
                        .find(|b| b.logical_id == f.logical_id)
                        .filter(|_| holds_objects(&f.reason))
                })
                .collect::<Option<Vec<_>>>()
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        if full.is_empty() {
            return Err(e);
        }
        retries += 1;
        mode = None;
        if options.empty_buckets {
            for b in full {
                if let Some(line) = empty_bucket(run, b).await? {
                    met.push(line);
                }
            }
            retain = Vec::new();
        } else {
            run.step(format!(
                "keeping {} access-log bucket(s) that hold logs (RetainResources)",
                full.len()
            ));
            retain = full.iter().map(|b| b.logical_id.clone()).collect();
        }
    }
    for id in &retain {
        met.push(match log_buckets.iter().find(|b| &b.logical_id == id) {
            Some(b) => kept_bucket_line(b, run.art.region),
            None => format!(
                "`{id}` failed to delete and was retained: it is outside any stack now; delete it yourself when it can go"
            ),
        });
    }
    Ok(DestroyOutcome::Deleted)
}

/// The report's line for access-log bucket `b` of a stack in `region`, kept outside any stack
/// because it holds logs.
fn kept_bucket_line(b: &LogBucket, region: Region) -> String {
    format!(
        "kept bucket `{}` (`{}`) in {region}: it holds access logs, so the stack was deleted without it and it is outside any stack now; empty it (every object version) and delete it when the logs can go, or destroy with --empty-buckets to delete such buckets with their stack",
        b.name, b.logical_id
    )
}

/// Whether a resource's deletion failed because the bucket holds objects: S3's
/// `BucketNotEmpty`, "The bucket you tried to delete is not empty" ("Error responses",
/// <https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html>), as CloudFormation
/// quotes it in the resource's reason.
fn holds_objects(reason: &str) -> bool {
    reason.contains("BucketNotEmpty")
        || reason.contains("The bucket you tried to delete is not empty")
}

/// Deletes every object version and delete marker of access-log bucket `b`; the report's
/// line about it, or `None` when it held nothing (or is gone).
async fn empty_bucket(run: &Run<'_>, b: &LogBucket) -> Result<Option<String>, DeployError> {
    let (cloud, region) = (run.cloud, run.art.region);
    let versions = match cloud.list_object_versions(region, &b.name).await {
        Ok(v) => v,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(run.err(e)),
    };
    if versions.is_empty() {
        return Ok(None);
    }
    let n = versions.len();
    run.step(format!(
        "emptying access-log bucket `{}`: {n} object version(s) and delete marker(s)",
        b.name
    ));
    run.mutate();
    cloud
        .delete_objects(region, &b.name, versions)
        .await
        .map_err(|e| run.err(e))?;
    Ok(Some(format!(
        "access-log bucket `{}` (`{}`) emptied: {n} object version(s) and delete marker(s) deleted, so the stack's deletion deletes it",
        b.name, b.logical_id
    )))
}

/// The logical ids of the template's access-log buckets: each `AWS::S3::Bucket` a load
/// balancer of the same template sends its access logs to (`access_logs.s3.bucket` given as
/// `{"Ref": <bucket>}`), or that drkit marked with the metadata `drkit:access-log-bucket`. A
/// bucket whose `DeletionPolicy` keeps it is left out: the deletion does not touch it.
fn access_log_buckets(template: &Value) -> Vec<String> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    let referenced: HashSet<&str> = resources
        .values()
        .filter(|r| {
            r.get("Type").and_then(Value::as_str)
                == Some("AWS::ElasticLoadBalancingV2::LoadBalancer")
        })
        .filter_map(|r| r.pointer("/Properties/LoadBalancerAttributes")?.as_array())
        .flatten()
        .filter(|a| a.get("Key").and_then(Value::as_str) == Some(LB_ACCESS_LOGS_BUCKET))
        .filter_map(|a| a.pointer("/Value/Ref")?.as_str())
        .collect();
    resources
        .iter()
        .filter(|(id, r)| {
            r.get("Type").and_then(Value::as_str) == Some("AWS::S3::Bucket")
                && (referenced.contains(id.as_str())
                    || r.pointer("/Metadata/drkit:access-log-bucket") == Some(&Value::Bool(true)))
                && !matches!(
                    r.get("DeletionPolicy").and_then(Value::as_str),
                    Some("Retain" | "RetainExceptOnCreate" | "Snapshot")
                )
        })
        .map(|(id, _)| id.clone())
        .collect()
}

/// A load balancer's name, from its ARN (`…:loadbalancer/app/<name>/<id>`), for reports; the
/// ARN itself when it has no such shape.
fn load_balancer_name(arn: &str) -> &str {
    arn.split_once(":loadbalancer/")
        .and_then(|(_, rest)| rest.split('/').nth(1))
        .unwrap_or(arn)
}

/// How to delete a stack left in `DELETE_FAILED` by an earlier attempt, whose resources that
/// failed are `failed`: keep them (`RetainResources`), force the deletion
/// (`FORCE_DELETE_STACK`), or, told neither, try again as is (the cause, e.g. deletion
/// protection, may have been lifted since).
fn delete_failed_options(
    options: &DestroyOptions,
    failed: Vec<String>,
    met: &mut Vec<String>,
) -> (Vec<String>, Option<DeletionMode>) {
    if options.retain_failed {
        (failed, None)
    } else if options.force_delete {
        met.push(
            "the stack was in DELETE_FAILED: deleted with FORCE_DELETE_STACK, which leaves what fails to delete behind"
                .into(),
        );
        (Vec::new(), Some(DeletionMode::ForceDeleteStack))
    } else {
        (Vec::new(), None)
    }
}

/// The stack's resources in `DELETE_FAILED`, with CloudFormation's reasons.
async fn failed_resources(run: &Run<'_>) -> Result<Vec<FailedResource>, DeployError> {
    let resources = run
        .cloud
        .describe_stack_resources(run.art.region, &run.art.name)
        .await
        .map_err(|e| run.err(e))?;
    Ok(resources
        .into_iter()
        .filter(|r| r.status == ResourceStatus::DeleteFailed)
        .map(|r| FailedResource {
            logical_id: r.logical_id,
            resource_type: r.resource_type,
            status: r.status,
            reason: r.status_reason.unwrap_or_else(|| "no reason given".into()),
        })
        .collect())
}

/// A deletion that ended in `DELETE_FAILED` becomes [`DeployErrorKind::DeleteFailed`], naming
/// every resource that failed and the ways out; any other error is returned as it is.
async fn named_failures(run: &Run<'_>, e: DeployError) -> DeployError {
    let failed = matches!(
        e.kind(),
        DeployErrorKind::StackFailed { final_status, .. } if *final_status == StackStatus::DeleteFailed
    );
    if !failed {
        return e;
    }
    match failed_resources(run).await {
        Ok(resources) if !resources.is_empty() => {
            run.fail(DeployErrorKind::DeleteFailed { resources })
        }
        _ => e,
    }
}

/// What stands between a stack and its deletion: the protections the options allow lifting,
/// and the ones they do not; and the stack's resources as read to find them.
#[derive(Default)]
struct Protections {
    lifts: Vec<Lift>,
    blocked: Vec<Protection>,
    resources: Vec<StackResource>,
}

impl Protections {
    fn lift_or_block(&mut self, allowed: bool, lift: Lift, flag: &'static str, what: String) {
        if allowed {
            self.lifts.push(lift);
        } else {
            self.blocked.push(Protection { what, flag });
        }
    }
}

/// Reads termination protection, the deletion protection and global membership of the
/// stack's database clusters and the deletion protection of its load balancers, without
/// changing anything.
async fn find_protections(
    run: &Run<'_>,
    options: &DestroyOptions,
    desc: &StackDescription,
    left_behind: &[String],
) -> Result<Protections, DeployError> {
    let (cloud, region) = (run.cloud, run.art.region);
    let mut found = Protections::default();
    if desc.termination_protection {
        found.lift_or_block(
            options.lift_termination_protection,
            Lift::TerminationProtection,
            LIFT_FLAGS[0],
            "termination protection is on".to_string(),
        );
    }
    let resources = cloud
        .describe_stack_resources(region, &run.art.name)
        .await
        .map_err(|e| run.err(e))?;
    for r in resources
        .iter()
        .filter(|r| !left_behind.contains(&r.logical_id))
    {
        let Some(pid) = r.physical_id.as_deref().filter(|p| !p.is_empty()) else {
            continue;
        };
        match r.resource_type.as_str() {
            "AWS::RDS::DBCluster" => {
                let Some(c) = cloud
                    .describe_db_cluster(region, pid)
                    .await
                    .map_err(|e| run.err(e))?
                else {
                    continue;
                };
                if c.deletion_protection {
                    found.lift_or_block(
                        options.lift_deletion_protection,
                        Lift::DeletionProtection {
                            cluster: c.identifier.clone(),
                        },
                        LIFT_FLAGS[1],
                        format!("DB cluster `{}` has deletion protection on", c.identifier),
                    );
                }
                if let Some(g) = c
                    .global_cluster_identifier
                    .clone()
                    .filter(|g| !g.is_empty())
                {
                    let what = format!("DB cluster `{}` is in global cluster `{g}`", c.identifier);
                    found.lift_or_block(
                        options.leave_global_cluster,
                        Lift::LeaveGlobal {
                            global: g,
                            cluster: c.identifier.clone(),
                        },
                        LIFT_FLAGS[2],
                        what,
                    );
                }
            }
            "AWS::RDS::GlobalCluster" => {
                // A global cluster is in no one Region: the stack's Region, where its source
                // cluster was, serves the describe and the modify.
                if let Some(g) = cloud
                    .describe_global_cluster(region, pid)
                    .await
                    .map_err(|e| run.err(e))?
                    && g.deletion_protection
                {
                    found.lift_or_block(
                        options.lift_deletion_protection,
                        Lift::GlobalDeletionProtection {
                            global: g.identifier.clone(),
                        },
                        LIFT_FLAGS[1],
                        format!(
                            "global cluster `{}` has deletion protection on",
                            g.identifier
                        ),
                    );
                }
            }
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                let attributes = match cloud.describe_load_balancer_attributes(region, pid).await {
                    Ok(a) => a,
                    // Gone already: nothing protects it.
                    Err(e) if e.is_not_found() => continue,
                    Err(e) => return Err(run.err(e)),
                };
                if attributes.deletion_protection() {
                    found.lift_or_block(
                        options.lift_deletion_protection,
                        Lift::LoadBalancerDeletionProtection {
                            arn: pid.to_string(),
                        },
                        LIFT_FLAGS[1],
                        format!(
                            "load balancer `{}` has deletion protection on",
                            load_balancer_name(pid)
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    found.resources = resources;
    Ok(found)
}

/// Lifts one protection; returns the line the report keeps about it.
async fn lift_protection(run: &Run<'_>, lift: Lift) -> Result<String, DeployError> {
    let (cloud, region, stack) = (run.cloud, run.art.region, run.art.name.as_str());
    if !matches!(lift, Lift::LeaveGlobal { .. }) {
        run.mutate();
    }
    match lift {
        Lift::TerminationProtection => {
            cloud
                .update_termination_protection(region, stack, false)
                .await
                .map_err(|e| run.err(e))?;
            Ok("termination protection was on: lifted".into())
        }
        Lift::DeletionProtection { cluster } => {
            cloud
                .modify_db_cluster_deletion_protection(region, &cluster, false)
                .await
                .map_err(|e| run.err(e))?;
            Ok(format!(
                "deletion protection on DB cluster `{cluster}`: lifted"
            ))
        }
        Lift::GlobalDeletionProtection { global } => {
            cloud
                .modify_global_cluster_deletion_protection(region, &global, false)
                .await
                .map_err(|e| run.err(e))?;
            Ok(format!(
                "deletion protection on global cluster `{global}`: lifted"
            ))
        }
        Lift::LeaveGlobal { global, cluster } => {
            // No call: CloudFormation's AWS::RDS::DBCluster delete handler removes a cluster
            // whose template names a global cluster from it and waits until it is detached
            // before deleting it (`DeleteHandler` and `BaseHandlerStd.removeFromGlobalCluster`,
            // <https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds/tree/master/aws-rds-dbcluster/src/main/java/software/amazon/rds/dbcluster>).
            // A detach made here first would leave the handler's own RemoveFromGlobalCluster
            // to fail on a cluster that is no longer a member ("... is not found in global
            // cluster ..."), failing the delete; one made here without waiting would race it.
            Ok(format!(
                "DB cluster `{cluster}` was a member of global cluster `{global}`: the stack's deletion removes it from it"
            ))
        }
        Lift::LoadBalancerDeletionProtection { arn } => {
            cloud
                .modify_load_balancer_attributes(
                    region,
                    &arn,
                    vec![(LB_DELETION_PROTECTION.to_string(), "false".to_string())],
                )
                .await
                .map_err(|e| run.err(e))?;
            Ok(format!(
                "deletion protection on load balancer `{}`: lifted",
                load_balancer_name(&arn)
            ))
        }
    }
}

/// Resources whose `DeletionPolicy` keeps something after deletion, in template order.
fn retention(template: &Value) -> Vec<(String, String)> {
    let defaults: HashMap<&str, &str> = [("AWS::RDS::DBCluster", "Snapshot")].into_iter().collect();
    template
        .get("Resources")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(id, r)| {
                    let ty = r.get("Type").and_then(Value::as_str).unwrap_or_default();
                    // DBCluster defaults to Snapshot ("DeletionPolicy attribute",
                    // <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html>).
                    let p = r
                        .get("DeletionPolicy")
                        .and_then(Value::as_str)
                        .or_else(|| defaults.get(ty).copied())?;
                    matches!(p, "Retain" | "Snapshot").then(|| (id.clone(), p.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}
