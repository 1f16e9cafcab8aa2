//! The deploy engine: applies a cloud [`Assembly`] through the [`Cloud`] port, stack by stack,
//! in dependency waves, with CloudFormation change sets.
//!
//! First a preflight (`preflight.rs`) compares every stack the deploy will touch with what is
//! deployed and refuses, all at once and before any change, what the inspection below would
//! refuse later, so a deploy is never left half applied.
//!
//! Per stack ([`deploy`]): skip it when the deployed template, parameters and resolved SSM values
//! are unchanged (zero mutating calls); otherwise create a change set (CREATE or UPDATE), wait,
//! refuse replacement or removal of stateful resources unless data loss is allowed, execute,
//! stream events to a [`DeployObserver`], check that every resource got a physical id, and report.
//! Stacks of one wave deploy concurrently; producer outputs fill consumer parameters.
//!
//! [`diff`] shows what a deploy would change; [`destroy`] deletes the stacks in reverse order.
//! [`Timeline`] shows where a deploy's time went: its waves and the critical path.
//! The engine talks to `&dyn Cloud` only and never asks which backend is behind it: time comes
//! from [`Cloud::now`] and waiting from [`Cloud::sleep`], so the simulator runs it on virtual time.

mod destroy;
mod diff;
mod inspect;
mod observer;
mod preflight;
mod recording;
pub mod runtime;
mod stack;
mod template_buckets;
mod timeline;
mod wait;

use std::collections::HashMap;
use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{
    Capability, Cloud, CloudError, ResourceStatus, StackOutput, StackStatus, Tag, Timestamp,
};
use dr_core::template::{MAX_INLINE_TEMPLATE_BYTES, MAX_TEMPLATE_BYTES};
use dr_synth::assembly::{Assembly, StackArtifact};

use destroy::lift_flags;
pub use destroy::{
    DestroyOptions, DestroyOutcome, DestroyReport, DestroySummary, Protection, destroy,
};
pub use diff::{
    ChangeKind, DiffSource, PropertyChange, PropertyReplacement, ResourceDiff, StackDiff,
    ValueChange, diff,
};
pub use inspect::{
    RefusalReason, RefusedChange, STATEFUL_RESOURCE_TYPES, allow_all_policy, is_stateful,
    protective_policy, stateful_logical_ids,
};
pub use observer::{DeployEvent, DeployObserver, NullObserver, RecordingObserver};
pub use recording::{CallRecord, CallRecorder, DNS_QUERY_REGION};
pub use template_buckets::TemplateBuckets;
pub use timeline::{TimedStack, Timeline, Wave};
pub use wait::PollOptions;

/// How to deploy.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployOptions {
    /// Deploy even stacks whose template and parameters are unchanged (`--force`).
    pub force: bool,
    /// Allow replacing or removing stateful resources (`--allow-data-loss`). The protective
    /// stack policy is swapped for an allow-all one during the update and restored afterwards.
    pub allow_data_loss: bool,
    /// Turn termination protection on for stacks whose artifact asks for it (default true).
    /// Off, stacks are left deletable.
    pub termination_protection: bool,
    /// Set a stack policy that denies `Update:Replace` and `Update:Delete` on stateful
    /// resources (default true).
    pub stack_policy: bool,
    /// The S3 buckets for templates over 51,200 bytes (CloudFormation's inline limit), one per
    /// Region ([`TemplateBuckets`]). Default none: such a template is an error naming its size
    /// and Region.
    pub template_buckets: TemplateBuckets,
    /// Acknowledged capabilities (default `CAPABILITY_IAM`, `CAPABILITY_NAMED_IAM`).
    pub capabilities: Vec<Capability>,
    /// Tags applied to every stack.
    pub tags: Vec<Tag>,
    /// Only these stacks (by name); `None` = all. Producers outside the selection are read
    /// from their deployed outputs.
    pub only: Option<Vec<String>>,
    /// Polling intervals and the timeout.
    pub poll: PollOptions,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            force: false,
            allow_data_loss: false,
            termination_protection: true,
            stack_policy: true,
            template_buckets: TemplateBuckets::none(),
            capabilities: vec![Capability::Iam, Capability::NamedIam],
            tags: Vec::new(),
            only: None,
            poll: PollOptions::default(),
        }
    }
}

/// What the engine did to a stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackAction {
    /// Created (also after deleting a stack left in `ROLLBACK_COMPLETE` by a failed create).
    Created,
    /// Updated.
    Updated,
    /// Nothing to change (skipped without a change set, or the change set was empty).
    Unchanged,
    /// Refused: the change set would replace or remove stateful resources.
    Refused,
    /// The deploy failed (see the report's error).
    Failed,
    /// Not attempted because a stack it depends on did not deploy.
    Skipped,
}

impl StackAction {
    /// A word for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            StackAction::Created => "created",
            StackAction::Updated => "updated",
            StackAction::Unchanged => "unchanged",
            StackAction::Refused => "refused",
            StackAction::Failed => "failed",
            StackAction::Skipped => "skipped",
        }
    }
    /// The deploy changed the stack: it was created or updated.
    pub fn changed(self) -> bool {
        matches!(self, StackAction::Created | StackAction::Updated)
    }
    /// The stack is as the assembly says.
    pub fn is_success(self) -> bool {
        matches!(
            self,
            StackAction::Created | StackAction::Updated | StackAction::Unchanged
        )
    }
}

/// The outcome for one stack.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployReport {
    /// The stack.
    pub stack: String,
    /// Its Region.
    pub region: Region,
    /// What happened.
    pub action: StackAction,
    /// How many mutating calls the engine made for it (zero for a skipped unchanged stack).
    pub mutating_calls: usize,
    /// The stack's outputs after the deploy.
    pub outputs: Vec<StackOutput>,
    /// The stack status at the end, when the stack exists.
    pub final_status: Option<StackStatus>,
    /// Resource changes the change set carried (0 when skipped).
    pub change_count: usize,
    /// When the engine started on the stack (backend clock).
    pub started_at: Timestamp,
    /// When it finished (backend clock).
    pub finished_at: Timestamp,
    /// Things worth saying that are not errors (e.g. "deleted the stack left in ROLLBACK_COMPLETE").
    pub notes: Vec<String>,
    /// Why it failed, was refused or skipped.
    pub error: Option<DeployError>,
}

impl DeployReport {
    /// The value of output `key`.
    pub fn output(&self, key: &str) -> Option<&str> {
        self.outputs
            .iter()
            .find(|o| o.key == key)
            .map(|o| o.value.as_str())
    }
    /// How long it took on the backend clock.
    pub fn duration(&self) -> Duration {
        self.finished_at.since(self.started_at)
    }
    /// Whether the stack failed only because its Region's endpoints did not answer, in either
    /// shape of an outage: no answer, or only 5xx server errors after the SDK's retries
    /// ([`CloudError::is_region_outage`], which says why both count and a 4xx never does).
    pub fn failed_by_region_outage(&self) -> bool {
        self.error
            .as_ref()
            .and_then(DeployError::cloud_error)
            .is_some_and(CloudError::is_region_outage)
    }
}

/// The outcome of a whole deploy.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploySummary {
    /// One report per stack, in assembly order.
    pub stacks: Vec<DeployReport>,
    /// Start (backend clock).
    pub started_at: Timestamp,
    /// End (backend clock).
    pub finished_at: Timestamp,
    /// Whether the times come from the simulator's virtual clock ([`Cloud::is_simulated`]):
    /// the report labels them so, lest "created in 25m28s" be read as a measurement.
    pub simulated: bool,
}

impl DeploySummary {
    /// Every stack is as the assembly says.
    pub fn is_success(&self) -> bool {
        self.stacks.iter().all(|r| r.action.is_success())
    }
    /// The report of `stack`.
    pub fn stack(&self, stack: &str) -> Option<&DeployReport> {
        self.stacks.iter().find(|r| r.stack == stack)
    }
    /// The first error (in assembly order), for the exit message.
    pub fn first_error(&self) -> Option<&DeployError> {
        self.stacks.iter().find_map(|r| {
            r.error.as_ref().filter(|e| {
                !matches!(
                    e.kind(),
                    DeployErrorKind::DependencyFailed { .. } | DeployErrorKind::NotAttempted { .. }
                )
            })
        })
    }
    /// All mutating calls made.
    pub fn mutating_calls(&self) -> usize {
        self.stacks.iter().map(|r| r.mutating_calls).sum()
    }
    /// The value of output `key` of `stack`.
    pub fn output(&self, stack: &str, key: &str) -> Option<&str> {
        self.stack(stack).and_then(|r| r.output(key))
    }
    /// `Ok(self)` when every stack succeeded, else the first error.
    pub fn into_result(self) -> Result<DeploySummary, DeployError> {
        match self.first_error() {
            Some(e) => Err(e.clone()),
            None => Ok(self),
        }
    }
}

impl std::fmt::Display for DeploySummary {
    /// One line per stack: what happened, how long it took on the backend clock (labelled
    /// when simulated), how many mutating calls; then the error, if any.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for r in &self.stacks {
            writeln!(
                f,
                "{} ({}): {} in {}{}, {} mutating call{}",
                r.stack,
                r.region,
                r.action.as_str(),
                human_duration(r.duration()),
                simulated_label(self.simulated),
                r.mutating_calls,
                if r.mutating_calls == 1 { "" } else { "s" }
            )?;
            for n in &r.notes {
                writeln!(f, "  note: {n}")?;
            }
            if let Some(e) = &r.error {
                writeln!(f, "  error: {e}")?;
            }
        }
        Ok(())
    }
}

/// `1h02m03s`, `5m14s`, `12s`, `0.250s`.
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => format!("{:.3}s", d.as_secs_f64()),
        1..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m{:02}s", s / 3600, s % 3600 / 60, s % 60),
    }
}

/// A resource that failed, as the stack events tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedResource {
    /// Its logical id.
    pub logical_id: String,
    /// Its type.
    pub resource_type: String,
    /// The failed status.
    pub status: ResourceStatus,
    /// CloudFormation's reason.
    pub reason: String,
}

/// Why a stack did not deploy (or was not destroyed): the stack and its Region, once, beside
/// the [`kind`](DeployError::kind) of failure. Messages name the stack and Region, what went
/// wrong and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployError {
    stack: String,
    region: Region,
    kind: DeployErrorKind,
}

/// The kinds of [`DeployError`]; each carries what is particular to it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DeployErrorKind {
    /// A `Cloud` call failed.
    Cloud {
        /// The failure.
        source: CloudError,
    },
    /// The change set would replace or remove stateful resources.
    Refused {
        /// The refused changes.
        changes: Vec<RefusedChange>,
    },
    /// The preflight refused changes to this stack before any stack was changed.
    PreflightRefused {
        /// The refused changes.
        changes: Vec<RefusedChange>,
    },
    /// A value this stack exported (an earlier drkit's cross-stack mechanism) is still imported
    /// by deployed stacks, and this deploy removes or replaces what it exports, which
    /// CloudFormation refuses ("Export ... cannot be updated as it is in use").
    ExportInUse {
        /// The export name.
        export: String,
        /// The deployed stacks that import it.
        importers: Vec<String>,
    },
    /// Not attempted: the preflight found problems in these stacks, so no stack was changed.
    NotAttempted {
        /// The stacks with problems.
        because_of: Vec<String>,
    },
    /// The stack operation ended in a failed status.
    StackFailed {
        /// The first resource that failed, when an event names one (boxed to keep the error small).
        first_failure: Option<Box<FailedResource>>,
        /// The status after rollback.
        final_status: StackStatus,
        /// The stack's status reason.
        status_reason: Option<String>,
    },
    /// The change set could not be computed.
    ChangeSetFailed {
        /// CloudFormation's reason.
        reason: String,
    },
    /// After a successful deploy, some resources of the template have no physical id (an
    /// emulator that skips types it does not support).
    MissingPhysicalIds {
        /// The resources without a physical id, as `LogicalId (Type)`.
        resources: Vec<String>,
    },
    /// The minified template is over the inline limit and no bucket was named.
    TemplateTooLarge {
        /// The minified size.
        size: usize,
        /// The limit that applies.
        limit: usize,
    },
    /// The minified template is over CloudFormation's absolute limit.
    TemplateOverAbsoluteLimit {
        /// The minified size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A parameter's producer has not got the output it should fill the parameter from.
    MissingProducerOutput {
        /// The consumer's parameter.
        parameter: String,
        /// The producer stack.
        producer: String,
        /// The producer's output.
        output: String,
        /// Whether the producer stack exists.
        producer_deployed: bool,
    },
    /// A value comes from a stack in a Region that does not answer, and the consumer has no
    /// deployed value to keep instead.
    ProducerUnreachable {
        /// The consumer's parameter.
        parameter: String,
        /// The producer stack.
        producer: String,
        /// The producer's Region.
        producer_region: Region,
    },
    /// A deploy-time lookup found nothing.
    LookupFailed {
        /// The consumer's parameter.
        parameter: String,
        /// What went wrong.
        message: String,
    },
    /// A template parameter has neither a default nor a wired value.
    MissingParameterValue {
        /// The parameter.
        parameter: String,
    },
    /// The stack is in a status from which it cannot be updated automatically.
    NotUpdatable {
        /// Its status.
        status: StackStatus,
        /// Its status reason.
        reason: Option<String>,
        /// What to do.
        hint: String,
    },
    /// Waiting took longer than the poll timeout.
    Timeout {
        /// What was awaited.
        what: String,
        /// The last status seen.
        status: String,
        /// How long it waited, on the backend's clock.
        waited: Duration,
        /// Whether that clock is the simulator's ([`Cloud::is_simulated`]).
        simulated: bool,
    },
    /// The stack could not be deleted: these resources failed to delete (`DELETE_FAILED`).
    DeleteFailed {
        /// Each resource that failed, with CloudFormation's reason.
        resources: Vec<FailedResource>,
    },
    /// A dependency did not deploy.
    DependencyFailed {
        /// The failed dependency.
        dependency: String,
    },
    /// `destroy` kept a stack because a stack that depends on it is still there (its exports
    /// may still be imported, or its resources still used).
    DependentRemains {
        /// The dependent stack that was not deleted.
        dependent: String,
    },
    /// `destroy` met protections it was not told to lift.
    Protected {
        /// Each protection met, with the option that lifts it.
        protections: Vec<Protection>,
    },
    /// A deploy step failed, and so did restoring the protective stack policy afterwards.
    PolicyNotRestored {
        /// The deploy's own outcome, on the same stack (boxed: the enum is recursive).
        first: Box<DeployErrorKind>,
        /// Why restoring failed.
        restore: CloudError,
    },
}

impl DeployError {
    /// An error of `kind` on `stack` in `region`.
    pub fn new(stack: impl Into<String>, region: Region, kind: DeployErrorKind) -> Self {
        DeployError {
            stack: stack.into(),
            region,
            kind,
        }
    }
    /// The stack.
    pub fn stack(&self) -> &str {
        &self.stack
    }
    /// The stack's Region.
    pub fn region(&self) -> Region {
        self.region
    }
    /// What went wrong.
    pub fn kind(&self) -> &DeployErrorKind {
        &self.kind
    }
    /// The `Cloud` failure behind it, if a call failed.
    pub fn cloud_error(&self) -> Option<&CloudError> {
        match &self.kind {
            DeployErrorKind::Cloud { source } => Some(source),
            _ => None,
        }
    }

    fn fmt_kind(
        &self,
        kind: &DeployErrorKind,
        f: &mut std::fmt::Formatter<'_>,
    ) -> std::fmt::Result {
        let (stack, region) = (&self.stack, self.region);
        match kind {
            DeployErrorKind::Cloud { source } => write!(f, "stack `{stack}` ({region}): {source}"),
            DeployErrorKind::Refused { changes } => {
                f.write_str(&inspect::refusal_message(stack, region, changes))
            }
            DeployErrorKind::PreflightRefused { changes } => {
                f.write_str(&inspect::preflight_message(stack, region, changes))
            }
            DeployErrorKind::ExportInUse { export, importers } => write!(
                f,
                "stack `{stack}` ({region}): export `{export}` is still imported by {}, and this deploy removes or replaces the value it exports, which CloudFormation refuses while the export is in use. drkit now passes values between stacks as parameters; deploy once without this change (so the importers switch to parameters and the export is dropped), then make it",
                importers
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            DeployErrorKind::NotAttempted { because_of } => write!(
                f,
                "stack `{stack}` was not deployed: the preflight found problems in {}, so no stack was changed",
                because_of
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            DeployErrorKind::StackFailed {
                first_failure,
                final_status,
                status_reason,
            } => f.write_str(&stack_failed_message(
                stack,
                region,
                first_failure.as_deref(),
                final_status,
                status_reason.as_deref(),
            )),
            DeployErrorKind::ChangeSetFailed { reason } => {
                write!(
                    f,
                    "stack `{stack}` ({region}): the change set failed: {reason}"
                )
            }
            DeployErrorKind::MissingPhysicalIds { resources } => write!(
                f,
                "stack `{stack}` ({region}) reports success but these resources have no physical id: {}; the backend did not create them (an emulator may not support their types)",
                resources.join(", ")
            ),
            DeployErrorKind::TemplateTooLarge { size, limit } => write!(
                f,
                "stack `{stack}`: the template is {size} bytes minified, over CloudFormation's inline limit of {limit} bytes; name an S3 bucket in {region} for templates (the `template_buckets` option, `--template-bucket {region}=BUCKET`) so it is uploaded and passed by URL"
            ),
            DeployErrorKind::TemplateOverAbsoluteLimit { size, limit } => write!(
                f,
                "stack `{stack}`: the template is {size} bytes minified, over CloudFormation's limit of {limit} bytes even from S3; split the stack"
            ),
            DeployErrorKind::MissingProducerOutput {
                parameter,
                producer,
                output,
                producer_deployed,
            } => write!(
                f,
                "stack `{stack}`: parameter `{parameter}` comes from output `{output}` of stack `{producer}`, which {}",
                if *producer_deployed {
                    "has no such output; redeploy the producer"
                } else {
                    "is not deployed; deploy it first"
                }
            ),
            DeployErrorKind::ProducerUnreachable {
                parameter,
                producer,
                producer_region,
            } => write!(
                f,
                "stack `{stack}`: parameter `{parameter}` comes from stack `{producer}` in {producer_region}, which does not answer, and `{stack}` has no deployed value to keep; deploy again when {producer_region} answers"
            ),
            DeployErrorKind::LookupFailed { parameter, message } => {
                write!(f, "stack `{stack}`: parameter `{parameter}`: {message}")
            }
            DeployErrorKind::MissingParameterValue { parameter } => write!(
                f,
                "stack `{stack}`: parameter `{parameter}` has no default and nothing fills it; give it a default in the template"
            ),
            DeployErrorKind::NotUpdatable {
                status,
                reason,
                hint,
            } => write!(
                f,
                "stack `{stack}` ({region}) is in {status}{}; {hint}",
                reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
            DeployErrorKind::Timeout {
                what,
                status,
                waited,
                simulated,
            } => write!(
                f,
                "stack `{stack}` ({region}): still {status} after {}{} (waiting for {what}); check the console, then deploy again",
                human_duration(*waited),
                simulated_label(*simulated)
            ),
            DeployErrorKind::DeleteFailed { resources } => {
                write!(f, "stack `{stack}` ({region}) could not be deleted: ")?;
                for (i, r) in resources.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "; " };
                    write!(
                        f,
                        "{sep}resource `{}` ({}) failed to delete: {}",
                        r.logical_id, r.resource_type, r.reason
                    )?;
                }
                write!(
                    f,
                    ". Fix the cause and run destroy again, or delete the stack and leave {} behind, outside any stack, for you to delete: keep {} (--retain-failed) or force the deletion (--force-delete)",
                    if resources.len() == 1 { "it" } else { "them" },
                    if resources.len() == 1 { "it" } else { "them" },
                )
            }
            DeployErrorKind::DependencyFailed { dependency } => write!(
                f,
                "stack `{stack}` was not deployed because stack `{dependency}` did not deploy"
            ),
            DeployErrorKind::DependentRemains { dependent } => write!(
                f,
                "stack `{stack}` was not deleted because stack `{dependent}`, which depends on it, is still there"
            ),
            DeployErrorKind::Protected { protections } => {
                // One protection is named; several are counted, and the destroy summary lists
                // them, one line each, so that this line stays short wherever it is repeated.
                write!(f, "stack `{stack}` ({region}) was not deleted: ")?;
                match protections.as_slice() {
                    [one] => write!(f, "{}", one.what)?,
                    many => write!(f, "{} protections are on", many.len())?,
                }
                let flags = lift_flags(protections.iter());
                write!(f, " (lift with {})", flags.join(" "))
            }
            DeployErrorKind::PolicyNotRestored { first, restore } => {
                self.fmt_kind(first, f)?;
                write!(
                    f,
                    "; also, restoring the protective stack policy failed: {restore} (set it again by deploying once more)"
                )
            }
        }
    }
}

impl std::fmt::Display for DeployError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.fmt_kind(&self.kind, f)
    }
}

impl std::error::Error for DeployError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            DeployErrorKind::Cloud { source } => Some(source),
            _ => None,
        }
    }
}

/// `" (simulated)"` after a time or duration read on the simulator's virtual clock, so that it
/// is not taken for a measurement.
pub fn simulated_label(simulated: bool) -> &'static str {
    if simulated { " (simulated)" } else { "" }
}

fn stack_failed_message(
    stack: &str,
    region: Region,
    first: Option<&FailedResource>,
    status: &StackStatus,
    reason: Option<&str>,
) -> String {
    let mut s = format!("stack `{stack}` ({region}) failed");
    match first {
        Some(f) => s.push_str(&format!(
            ": resource `{}` ({}) {}: {}",
            f.logical_id, f.resource_type, f.status, f.reason
        )),
        None => {
            if let Some(r) = reason {
                s.push_str(&format!(": {r}"));
            }
        }
    }
    s.push_str(&format!("; the stack is now {status}"));
    if *status == StackStatus::RollbackComplete {
        s.push_str(" (the next deploy deletes and recreates it)");
    }
    s
}

/// Deploys every stack of `assembly` (or those in `options.only`) wave by wave: the stacks of a
/// wave concurrently, each wave after the previous one. A stack whose dependency failed is
/// skipped. Progress goes to `observer`. Never panics on what the cloud returns; every failure
/// is in the returned reports.
pub async fn deploy(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    options: &DeployOptions,
    observer: &dyn DeployObserver,
) -> DeploySummary {
    let started_at = cloud.now();
    let selected: Vec<&StackArtifact> = assembly
        .waves()
        .into_iter()
        .flatten()
        .filter(|art| options.only.as_ref().is_none_or(|o| o.contains(&art.name)))
        .collect();
    let preflight = preflight::run(cloud, assembly, &selected, options, observer).await;
    if !preflight.findings.is_empty() {
        return stopped_by_preflight(
            cloud,
            assembly,
            &selected,
            preflight.findings,
            observer,
            started_at,
        );
    }
    // Stacks an earlier drkit deployed with exports keep those still imported for their first
    // update, until the importers read the values from parameters.
    let bridged: Vec<StackArtifact> = selected
        .iter()
        .filter_map(|art| {
            let kept = preflight.kept_exports.get(&art.name)?;
            let mut with_exports = (*art).clone();
            let outputs = with_exports
                .template
                .as_object_mut()?
                .entry("Outputs")
                .or_insert_with(|| serde_json::json!({}));
            for (key, output) in kept {
                outputs.as_object_mut()?.insert(key.clone(), output.clone());
            }
            Some(with_exports)
        })
        .collect();
    let mut reports: HashMap<String, DeployReport> = HashMap::new();
    let mut outputs: HashMap<String, Vec<StackOutput>> = HashMap::new();
    for wave in assembly.waves() {
        let mut runs = Vec::new();
        for art in wave {
            if options
                .only
                .as_ref()
                .is_some_and(|o| !o.contains(&art.name))
            {
                continue;
            }
            // A dependency that failed only because its Region does not answer does not hold
            // back its dependents in *another* Region: in a Region outage the other Region's
            // stacks must stay deployable, and their values from the unreachable Region keep
            // what is deployed (see `Run::kept_value`). A dependent in the same Region is held
            // back like any other: the dependency may be mid-operation there (its wait gave up,
            // CloudFormation did not), and deploying against it would read a producer in flux.
            // A stack skipped because its own Region does not answer is as unreachable as
            // the one that failed.
            let outage_regions: Vec<Region> = reports
                .values()
                .filter_map(|r| r.error.as_ref()?.cloud_error()?.outage_region())
                .collect();
            let unreachable = |r: &DeployReport| {
                r.failed_by_region_outage()
                    || (r.action == StackAction::Skipped && outage_regions.contains(&r.region))
            };
            if let Some(dep) = art.dependencies.iter().find(|d| {
                reports.get(*d).is_some_and(|r| {
                    let released = unreachable(r) && r.region != art.region;
                    !r.action.is_success() && !released
                })
            }) {
                let now = cloud.now();
                let report = DeployReport {
                    stack: art.name.clone(),
                    region: art.region,
                    action: StackAction::Skipped,
                    mutating_calls: 0,
                    outputs: Vec::new(),
                    final_status: None,
                    change_count: 0,
                    started_at: now,
                    finished_at: now,
                    notes: Vec::new(),
                    error: Some(DeployError::new(
                        &art.name,
                        art.region,
                        DeployErrorKind::DependencyFailed {
                            dependency: dep.clone(),
                        },
                    )),
                };
                observer.on_event(&DeployEvent::StackFinished {
                    report: report.clone(),
                });
                reports.insert(art.name.clone(), report);
                continue;
            }
            let art = bridged.iter().find(|b| b.name == art.name).unwrap_or(art);
            runs.push(stack::deploy_stack(
                cloud, assembly, art, options, observer, &outputs,
            ));
        }
        for report in futures::future::join_all(runs).await {
            if report.action.is_success() {
                outputs.insert(report.stack.clone(), report.outputs.clone());
            }
            reports.insert(report.stack.clone(), report);
        }
    }
    for kept in &bridged {
        drop_kept_exports(
            cloud,
            assembly,
            kept,
            &preflight.kept_exports[&kept.name],
            options,
            observer,
            &mut reports,
            &outputs,
        )
        .await;
    }
    let stacks = assembly
        .stacks
        .iter()
        .filter_map(|s| reports.remove(&s.name))
        .collect();
    DeploySummary {
        stacks,
        started_at,
        finished_at: cloud.now(),
        simulated: cloud.is_simulated(),
    }
}

/// The second update of a stack deployed with exports an earlier drkit wrote: once every
/// importer has deployed with parameters, the exports kept for them are dropped. Until then
/// (an importer failed, or was not in this deploy) they stay, and the report says so.
#[allow(clippy::too_many_arguments)]
async fn drop_kept_exports(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    kept: &StackArtifact,
    exports: &serde_json::Map<String, serde_json::Value>,
    options: &DeployOptions,
    observer: &dyn DeployObserver,
    reports: &mut HashMap<String, DeployReport>,
    outputs: &HashMap<String, Vec<StackOutput>>,
) {
    let names: Vec<&str> = exports
        .values()
        .filter_map(|o| {
            o.pointer("/Export/Name")
                .and_then(serde_json::Value::as_str)
        })
        .collect();
    let Some(first) = reports.get(&kept.name) else {
        return;
    };
    if !first.action.is_success() {
        return;
    }
    let waiting: Vec<&str> = assembly
        .stacks
        .iter()
        .filter(|s| s.dependencies.contains(&kept.name))
        .filter(|s| !reports.get(&s.name).is_some_and(|r| r.action.is_success()))
        .map(|s| s.name.as_str())
        .collect();
    if !waiting.is_empty() {
        if let Some(r) = reports.get_mut(&kept.name) {
            r.notes.push(format!(
                "kept export(s) {} of an earlier drkit until {} deploy(s) with parameters; deploy again then",
                names.join(", "),
                waiting.join(", ")
            ));
        }
        return;
    }
    let Some(art) = assembly.stack(&kept.name) else {
        return;
    };
    let second = stack::deploy_stack(cloud, assembly, art, options, observer, outputs).await;
    if let Some(r) = reports.get_mut(&kept.name) {
        r.mutating_calls += second.mutating_calls;
        r.finished_at = second.finished_at;
        r.notes.push(format!(
            "dropped export(s) {} of an earlier drkit once their importers read the values from parameters",
            names.join(", ")
        ));
        r.notes.extend(second.notes);
        if !second.action.is_success() {
            r.action = second.action;
            r.error = second.error;
            r.final_status = second.final_status;
        } else {
            r.outputs = second.outputs;
            r.final_status = second.final_status;
        }
    }
}

/// The summary of a deploy the preflight stopped: each stack with findings reports them (the
/// first; refusals list every change), the others were not attempted, and no call was made
/// that changes anything.
fn stopped_by_preflight(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    selected: &[&StackArtifact],
    findings: Vec<DeployError>,
    observer: &dyn DeployObserver,
    started_at: Timestamp,
) -> DeploySummary {
    let mut because_of: Vec<String> = Vec::new();
    for f in &findings {
        if !because_of.contains(&f.stack) {
            because_of.push(f.stack.clone());
        }
    }
    let now = cloud.now();
    let mut reports: HashMap<String, DeployReport> = HashMap::new();
    for art in selected {
        let own = findings.iter().find(|f| f.stack == art.name).cloned();
        let (action, error) = match own {
            Some(e) if matches!(e.kind(), DeployErrorKind::PreflightRefused { .. }) => {
                (StackAction::Refused, e)
            }
            Some(e) => (StackAction::Failed, e),
            None => (
                StackAction::Skipped,
                DeployError::new(
                    &art.name,
                    art.region,
                    DeployErrorKind::NotAttempted {
                        because_of: because_of.clone(),
                    },
                ),
            ),
        };
        let report = DeployReport {
            stack: art.name.clone(),
            region: art.region,
            action,
            mutating_calls: 0,
            outputs: Vec::new(),
            final_status: None,
            change_count: 0,
            started_at: now,
            finished_at: now,
            notes: Vec::new(),
            error: Some(error),
        };
        observer.on_event(&DeployEvent::StackFinished {
            report: report.clone(),
        });
        reports.insert(art.name.clone(), report);
    }
    DeploySummary {
        stacks: assembly
            .stacks
            .iter()
            .filter_map(|s| reports.remove(&s.name))
            .collect(),
        started_at,
        finished_at: cloud.now(),
        simulated: cloud.is_simulated(),
    }
}

/// How the template goes to CloudFormation, after checking its size: inline up to 51,200
/// bytes; larger uploaded to `bucket` (if any) up to 1 MB.
pub(crate) fn check_template_size(
    art: &StackArtifact,
    bucket: Option<String>,
) -> Result<String, DeployError> {
    let body = art.template_body();
    if body.len() > MAX_TEMPLATE_BYTES {
        return Err(DeployError::new(
            &art.name,
            art.region,
            DeployErrorKind::TemplateOverAbsoluteLimit {
                size: body.len(),
                limit: MAX_TEMPLATE_BYTES,
            },
        ));
    }
    if body.len() > MAX_INLINE_TEMPLATE_BYTES && bucket.is_none() {
        return Err(DeployError::new(
            &art.name,
            art.region,
            DeployErrorKind::TemplateTooLarge {
                size: body.len(),
                limit: MAX_INLINE_TEMPLATE_BYTES,
            },
        ));
    }
    Ok(body)
}
