//! Deploying one stack.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use dr_core::LookupKind;
use dr_core::cloud::{
    ChangeSetDescription, ChangeSetType, Cloud, CloudError, CreateChangeSetInput, DeleteStackInput,
    DeletionMode, ExecuteChangeSetInput, ExecutionStatus, LB_DELETION_PROTECTION, ParameterValue,
    StackDescription, StackEvent, StackOutput, StackResource, StackStatus, TemplateSource,
    idempotency_token,
};
use dr_core::template::MAX_INLINE_TEMPLATE_BYTES;
use dr_synth::assembly::{Assembly, StackArtifact, WiringSource};
use serde_json::Value;

use super::inspect::{
    RefusedChange, allow_all_policy, protective_policy, refused_changes, stateful_logical_ids,
};
use super::wait::{Backoff, Patience, Verdict};
use super::{
    DeployError, DeployErrorKind, DeployEvent, DeployObserver, DeployOptions, DeployReport,
    FailedResource, StackAction,
};

/// Change set names must be unique per stack; the clock alone may repeat on a virtual clock
/// that does not move between two deploys.
static CHANGE_SET_SEQ: AtomicU64 = AtomicU64::new(0);

pub(crate) fn change_set_name(cloud: &dyn Cloud, prefix: &str) -> String {
    let n = CHANGE_SET_SEQ.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{n}", cloud.now().millis())
}

/// Stack descriptions read while one stack's parameters are resolved, by stack name.
type StackReads = HashMap<String, Result<Option<StackDescription>, CloudError>>;

/// What a successful stack deploy produced.
struct Done {
    action: StackAction,
    outputs: Vec<StackOutput>,
    final_status: Option<StackStatus>,
    change_count: usize,
}

/// What a template protects from deletion, which a deploy keeps protected.
#[derive(Clone, Copy)]
enum Protected {
    DbCluster,
    GlobalCluster,
    LoadBalancer,
}

/// One stack's deploy: the cloud, the artifact, and the count of mutating calls made.
pub(crate) struct Run<'a> {
    pub(crate) cloud: &'a dyn Cloud,
    pub(crate) art: &'a StackArtifact,
    pub(crate) obs: &'a dyn DeployObserver,
    pub(crate) poll: super::PollOptions,
    pub(crate) mutating: AtomicUsize,
    pub(crate) notes: std::sync::Mutex<Vec<String>>,
}

pub(crate) async fn deploy_stack(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    art: &StackArtifact,
    opts: &DeployOptions,
    obs: &dyn DeployObserver,
    outputs: &HashMap<String, Vec<StackOutput>>,
) -> DeployReport {
    let started_at = cloud.now();
    obs.on_event(&DeployEvent::StackStarted {
        stack: art.name.clone(),
        region: art.region,
        at: started_at,
    });
    let run = Run::new(cloud, art, obs, opts.poll);
    let result = run.deploy(assembly, opts, outputs).await;
    let mut report = DeployReport {
        stack: art.name.clone(),
        region: art.region,
        action: StackAction::Failed,
        mutating_calls: run.mutating.load(Ordering::Relaxed),
        outputs: Vec::new(),
        final_status: None,
        change_count: 0,
        started_at,
        finished_at: cloud.now(),
        notes: run.notes.lock().map(|n| n.clone()).unwrap_or_default(),
        error: None,
    };
    match result {
        Ok(done) => {
            report.action = done.action;
            report.outputs = done.outputs;
            report.final_status = done.final_status;
            report.change_count = done.change_count;
        }
        Err(e) => {
            report.action = if matches!(e.kind(), DeployErrorKind::Refused { .. }) {
                StackAction::Refused
            } else {
                StackAction::Failed
            };
            if let DeployErrorKind::StackFailed { final_status, .. } = e.kind() {
                report.final_status = Some(final_status.clone());
            }
            report.error = Some(e);
        }
    }
    obs.on_event(&DeployEvent::StackFinished {
        report: report.clone(),
    });
    report
}

impl<'a> Run<'a> {
    pub(crate) fn new(
        cloud: &'a dyn Cloud,
        art: &'a StackArtifact,
        obs: &'a dyn DeployObserver,
        poll: super::PollOptions,
    ) -> Self {
        Run {
            cloud,
            art,
            obs,
            poll,
            mutating: AtomicUsize::new(0),
            notes: std::sync::Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn err(&self, source: CloudError) -> DeployError {
        self.fail(DeployErrorKind::Cloud { source })
    }

    /// An error of `kind` on this stack.
    pub(crate) fn fail(&self, kind: DeployErrorKind) -> DeployError {
        DeployError::new(&self.art.name, self.art.region, kind)
    }

    /// Counts a mutating call about to be made.
    pub(crate) fn mutate(&self) {
        self.mutating.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn step(&self, message: impl Into<String>) {
        self.obs.on_event(&DeployEvent::Step {
            stack: self.art.name.clone(),
            message: message.into(),
            at: self.cloud.now(),
        });
    }

    pub(crate) fn note(&self, message: impl Into<String>) {
        let m = message.into();
        self.step(m.clone());
        if let Ok(mut n) = self.notes.lock() {
            n.push(m);
        }
    }

    fn name(&self) -> &str {
        &self.art.name
    }

    async fn deploy(
        &self,
        assembly: &Assembly,
        opts: &DeployOptions,
        outputs: &HashMap<String, Vec<StackOutput>>,
    ) -> Result<Done, DeployError> {
        let region = self.art.region;
        // Everything that can fail without touching the cloud goes first.
        let body = super::check_template_size(
            self.art,
            opts.template_buckets.for_region(self.art.region),
        )?;
        let params = self.resolve_parameters(assembly, outputs).await?;
        let desc = self.settled_stack().await?;
        let want_tp = opts.termination_protection && self.art.termination_protection;
        match desc {
            None => self.create(opts, &body, params, want_tp).await,
            Some(d) if d.status == StackStatus::ReviewInProgress || d.status == StackStatus::DeleteComplete => {
                self.create(opts, &body, params, want_tp).await
            }
            Some(d) if d.status == StackStatus::RollbackComplete => {
                // A failed create leaves a stack that can only be deleted ("Stack status codes",
                // <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-describing-stacks.html>).
                self.note("deleting the stack left in ROLLBACK_COMPLETE by a failed create, to create it again");
                if d.termination_protection {
                    self.mutate();
                    self.cloud.update_termination_protection(region, self.name(), false).await.map_err(|e| self.err(e))?;
                }
                self.delete_and_wait(&d.stack_id, Vec::new(), None).await?;
                self.create(opts, &body, params, want_tp).await
            }
            Some(d) if !d.status.is_updatable() => Err(self.fail(DeployErrorKind::NotUpdatable {
                hint: match d.status {
                    StackStatus::UpdateRollbackFailed => {
                        "continue the rollback (ContinueUpdateRollback) or delete the stack, then deploy again".into()
                    }
                    _ => "delete the stack (`destroy`), then deploy again".into(),
                },
                status: d.status,
                reason: d.status_reason,
            })),
            Some(d) => self.update(opts, &body, params, want_tp, d).await,
        }
    }

    /// Describes the stack, first waiting for an operation in progress (someone else's, or
    /// one an interrupted deploy left running) to settle. The first read is not inside a wait:
    /// a Region that does not answer it fails the stack at once (as an outage, which releases
    /// the other Region's dependents, and nothing has been started that a retry would have to
    /// follow); any other failure that trying again can cure is looked past ([`Patience`]).
    pub(crate) async fn settled_stack(&self) -> Result<Option<StackDescription>, DeployError> {
        let mut patience = Patience::new(self.poll, self.cloud.now());
        let mut backoff = Backoff::new(&self.poll);
        let mut waiting = false;
        loop {
            let read = self
                .cloud
                .describe_stack(self.art.region, self.name())
                .await;
            let read = match read {
                Err(e) if !waiting && e.is_region_outage() => return Err(self.err(e)),
                read => self.poll_read(read, &mut patience, "an operation in progress")?,
            };
            let Some(desc) = read else {
                self.cloud.sleep(backoff.next_interval()).await;
                continue;
            };
            match desc {
                Some(d) if !d.status.is_terminal() => {
                    if !waiting {
                        self.step(format!("waiting for the stack's {} to finish", d.status));
                        waiting = true;
                    }
                    self.check_timeout(
                        patience.started(),
                        "an operation in progress",
                        d.status.as_str(),
                    )?;
                    self.cloud.sleep(backoff.next_interval()).await;
                }
                other => return Ok(other),
            }
        }
    }

    /// A read inside a wait. A stack operation goes on at CloudFormation whatever the caller's
    /// connection does, so an error that trying again can cure (throttling, expired
    /// credentials, a Region answering 5xx or nothing: [`CloudError::is_retryable`]) is "look
    /// again at the next poll" (`Ok(None)`) until the wait's timeout or, without a usable answer,
    /// its `unanswered` limit ([`Patience`]); any other error ends the wait.
    fn poll_read<T>(
        &self,
        result: Result<T, CloudError>,
        patience: &mut Patience,
        what: &str,
    ) -> Result<Option<T>, DeployError> {
        match result {
            Ok(v) => {
                patience.answered();
                Ok(Some(v))
            }
            Err(e) => match patience.failed(e, self.cloud.now()) {
                Verdict::LookAgain(why) => {
                    self.step(why);
                    self.check_timeout(patience.started(), what, "unknown (no usable answer)")?;
                    Ok(None)
                }
                Verdict::GiveUp(e) => Err(self.err(e)),
            },
        }
    }

    fn check_timeout(
        &self,
        start: dr_core::cloud::Timestamp,
        what: &str,
        status: &str,
    ) -> Result<(), DeployError> {
        let waited = self.cloud.now().since(start);
        if waited > self.poll.timeout {
            return Err(self.fail(DeployErrorKind::Timeout {
                what: what.to_string(),
                status: status.to_string(),
                waited,
                simulated: self.cloud.is_simulated(),
            }));
        }
        Ok(())
    }

    /// Every template parameter's value: wired from another stack, or the template default.
    pub(crate) async fn resolve_parameters(
        &self,
        assembly: &Assembly,
        outputs: &HashMap<String, Vec<StackOutput>>,
    ) -> Result<Vec<ParameterValue>, DeployError> {
        let mut out = Vec::new();
        let Some(params) = self
            .art
            .template
            .get("Parameters")
            .and_then(Value::as_object)
        else {
            return Ok(out);
        };
        let mut reads = StackReads::new();
        for (key, def) in params {
            let value = match self
                .art
                .parameter_wiring
                .iter()
                .find(|w| &w.parameter == key)
            {
                Some(w) => {
                    self.wired_value(assembly, outputs, &mut reads, key, &w.source)
                        .await?
                }
                None => match def.get("Default") {
                    Some(v) => default_string(v),
                    None => {
                        return Err(self.fail(DeployErrorKind::MissingParameterValue {
                            parameter: key.clone(),
                        }));
                    }
                },
            };
            out.push(ParameterValue {
                key: key.clone(),
                value,
            });
        }
        Ok(out)
    }

    async fn wired_value(
        &self,
        assembly: &Assembly,
        outputs: &HashMap<String, Vec<StackOutput>>,
        reads: &mut StackReads,
        parameter: &str,
        source: &WiringSource,
    ) -> Result<String, DeployError> {
        let producer = source.stack();
        let output = source.output();
        let missing = |deployed: bool| {
            self.fail(DeployErrorKind::MissingProducerOutput {
                parameter: parameter.to_string(),
                producer: producer.to_string(),
                output: output.to_string(),
                producer_deployed: deployed,
            })
        };
        let producer_region = assembly
            .stack(producer)
            .map(|s| s.region)
            .ok_or_else(|| missing(false))?;
        // The producer's output: from this deploy, else as deployed. `None` when the producer's
        // Region does not answer.
        let value = match outputs.get(producer) {
            Some(outs) => Some(
                outs.iter()
                    .find(|o| o.key == output)
                    .map(|o| o.value.clone())
                    .ok_or_else(|| missing(true))?,
            ),
            None => {
                // A producer outside this deploy, or one that failed in it: read what is
                // deployed.
                match self.read_stack(reads, producer_region, producer).await {
                    Err(e) if e.is_region_outage() => None,
                    read => {
                        let d = read
                            .map_err(|e| self.err(e))?
                            .ok_or_else(|| missing(false))?;
                        Some(
                            d.output(output)
                                .map(str::to_string)
                                .ok_or_else(|| missing(true))?,
                        )
                    }
                }
            }
        };
        match source {
            WiringSource::Output { .. } => match value {
                Some(v) => Ok(v),
                None => {
                    self.kept_value(reads, parameter, producer, producer_region)
                        .await
                }
            },
            WiringSource::Lookup {
                kind: LookupKind::GlobalClusterWriterEndpoint,
                ..
            } => {
                // In an outage of the producer's Region, DescribeGlobalClusters is asked in the
                // consumer's Region, a member Region that answers; otherwise the producer's
                // Region first.
                let producer_answers = value.is_some();
                let id = match value {
                    Some(v) => Some(v),
                    None => {
                        self.value_held_elsewhere(assembly, reads, source, producer_region)
                            .await
                    }
                };
                let Some(id) = id else {
                    return self
                        .kept_value(reads, parameter, producer, producer_region)
                        .await;
                };
                let mut regions = vec![self.art.region];
                if producer_answers && producer_region != self.art.region {
                    regions.insert(0, producer_region);
                }
                match self
                    .writer_endpoint(parameter, producer, output, &id, &regions)
                    .await?
                {
                    Some(endpoint) => Ok(endpoint),
                    None => {
                        self.kept_value(reads, parameter, producer, producer_region)
                            .await
                    }
                }
            }
        }
    }

    /// The value of `source`'s producer output as another deployed stack in a Region that
    /// answers received it: a consumer of the same output has it as a deployed parameter. In an
    /// outage of the producer's Region that is how the DR Region's stacks still learn, say, the
    /// global cluster's id (the secondary data stack received it) and ask their own Region for
    /// its writer endpoint. `None` when no such stack answers.
    async fn value_held_elsewhere(
        &self,
        assembly: &Assembly,
        reads: &mut StackReads,
        source: &WiringSource,
        producer_region: dr_core::Region,
    ) -> Option<String> {
        for other in &assembly.stacks {
            if other.name == self.art.name || other.region == producer_region {
                continue;
            }
            let Some(w) = other.parameter_wiring.iter().find(|w| {
                matches!(&w.source, WiringSource::Output { stack, output }
                    if stack == source.stack() && output == source.output())
            }) else {
                continue;
            };
            if let Ok(Some(d)) = self.read_stack(reads, other.region, &other.name).await
                && d.status != StackStatus::ReviewInProgress
                && let Some(p) = d.parameter(&w.parameter)
            {
                self.note(format!(
                    "the value of output `{}` of stack `{}` was read from stack `{}` ({}), which received it",
                    source.output(),
                    source.stack(),
                    other.name,
                    other.region
                ));
                return Some(p.value.clone());
            }
        }
        None
    }

    /// The Aurora global writer endpoint of global cluster `id`, asked in `regions` in order: a
    /// global cluster is described in its member Regions, so when one does not answer the next
    /// one can. `Ok(None)` when none answers (the caller keeps the deployed value).
    async fn writer_endpoint(
        &self,
        parameter: &str,
        producer: &str,
        output: &str,
        id: &str,
        regions: &[dr_core::Region],
    ) -> Result<Option<String>, DeployError> {
        let lookup_failed = |message: String| {
            self.fail(DeployErrorKind::LookupFailed {
                parameter: parameter.to_string(),
                message,
            })
        };
        let mut unanswered = false;
        for region in regions {
            let gc = match self.cloud.describe_global_cluster(*region, id).await {
                Err(e) if e.is_region_outage() => {
                    unanswered = true;
                    continue;
                }
                read => read.map_err(|e| self.err(e))?,
            };
            // Not described in this Region (not a member yet): ask the next one.
            let Some(gc) = gc else { continue };
            return gc
                .endpoint
                .filter(|e| !e.is_empty())
                .map(Some)
                .ok_or_else(|| {
                    lookup_failed(format!(
                        "global cluster `{id}` has no writer endpoint yet (status {}); deploy again once it is available",
                        gc.status
                    ))
                });
        }
        if unanswered {
            return Ok(None);
        }
        let asked: Vec<String> = regions.iter().map(ToString::to_string).collect();
        Err(lookup_failed(format!(
            "global cluster `{id}` (output `{output}` of stack `{producer}`) does not exist in {}",
            asked.join(" or ")
        )))
    }

    /// The consumer's deployed value of `parameter`, kept because its producer's Region does not
    /// answer. That keeps the DR Region's stacks deployable during a primary-Region outage, and
    /// it is the value the consumer already runs with, so nothing changes behind the user's
    /// back. (The one lookup, the Aurora global writer endpoint, keeps its name across
    /// switchover and failover, "Connecting to Amazon Aurora Global Database",
    /// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html>,
    /// so a kept endpoint stays right.) Without a deployed value (a first deploy) the stack
    /// cannot be deployed yet, and the error says so.
    async fn kept_value(
        &self,
        reads: &mut StackReads,
        parameter: &str,
        producer: &str,
        producer_region: dr_core::Region,
    ) -> Result<String, DeployError> {
        let deployed = self
            .read_stack(reads, self.art.region, self.name())
            .await
            .map_err(|e| self.err(e))?;
        let value = deployed
            .as_ref()
            .filter(|d| d.status != StackStatus::ReviewInProgress)
            .and_then(|d| d.parameter(parameter))
            .map(|p| p.value.clone())
            .ok_or_else(|| {
                self.fail(DeployErrorKind::ProducerUnreachable {
                    parameter: parameter.to_string(),
                    producer: producer.to_string(),
                    producer_region,
                })
            })?;
        self.note(format!(
            "parameter `{parameter}` keeps its deployed value: stack `{producer}` ({producer_region}) does not answer"
        ));
        Ok(value)
    }

    /// `DescribeStacks` of `stack`, read once while the parameters are resolved: several
    /// parameters come from the same producer, and in an outage each read of the unreachable
    /// Region costs the SDK's retries.
    async fn read_stack(
        &self,
        reads: &mut StackReads,
        region: dr_core::Region,
        stack: &str,
    ) -> Result<Option<StackDescription>, CloudError> {
        if let Some(read) = reads.get(stack) {
            return read.clone();
        }
        let read = self.cloud.describe_stack(region, stack).await;
        reads.insert(stack.to_string(), read.clone());
        read
    }

    /// Whether the deployed stack already has this template, these parameters and the same
    /// resolved SSM values. Reads only.
    pub(crate) async fn unchanged(
        &self,
        d: &StackDescription,
        old_template: Option<&Value>,
        params: &[ParameterValue],
    ) -> Result<bool, DeployError> {
        if old_template != Some(&self.art.template) || d.parameters.len() != params.len() {
            return Ok(false);
        }
        let declared = self.art.template.get("Parameters");
        for p in params {
            let Some(deployed) = d.parameter(&p.key) else {
                return Ok(false);
            };
            if deployed.value != p.value {
                return Ok(false);
            }
            let is_ssm = declared
                .and_then(|ps| ps.get(&p.key))
                .and_then(|def| def.get("Type"))
                .and_then(Value::as_str)
                .is_some_and(|t| t.starts_with("AWS::SSM::Parameter::Value<"));
            if is_ssm {
                // The AMI id behind an SSM parameter changes without the template changing.
                let current = self
                    .cloud
                    .get_parameter(self.art.region, &p.value)
                    .await
                    .map_err(|e| self.err(e))?;
                if deployed.resolved_value.as_deref() != Some(current.value.as_str()) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    pub(crate) async fn template_source(
        &self,
        opts: &DeployOptions,
        body: &str,
    ) -> Result<TemplateSource, DeployError> {
        if body.len() <= MAX_INLINE_TEMPLATE_BYTES {
            return Ok(TemplateSource::Body(body.to_string()));
        }
        let bucket = opts
            .template_buckets
            .for_region(self.art.region)
            .unwrap_or_default();
        let key = format!(
            "drkit/{}/{:016x}.template.json",
            self.name(),
            fnv1a(body.as_bytes())
        );
        self.step(format!(
            "uploading the {}-byte template to s3://{bucket}/{key}",
            body.len()
        ));
        self.mutate();
        let url = self
            .cloud
            .put_object(self.art.region, &bucket, &key, body.as_bytes().to_vec())
            .await
            .map_err(|e| self.err(e))?;
        Ok(TemplateSource::Url(url))
    }

    pub(crate) async fn create_change_set(
        &self,
        opts: &DeployOptions,
        body: &str,
        params: Vec<ParameterValue>,
        ty: ChangeSetType,
    ) -> Result<(String, Result<ChangeSetDescription, DeployError>), DeployError> {
        let template = self.template_source(opts, body).await?;
        let name = change_set_name(self.cloud, "drkit");
        self.step(format!("creating {} change set {name}", ty.as_str()));
        self.mutate();
        self.cloud
            .create_change_set(
                self.art.region,
                CreateChangeSetInput {
                    stack_name: self.name().to_string(),
                    change_set_name: name.clone(),
                    change_set_type: ty,
                    template,
                    parameters: params,
                    capabilities: opts.capabilities.clone(),
                    tags: opts.tags.clone(),
                    description: Some("drkit deploy".into()),
                    client_token: Some(idempotency_token("create", &name)),
                },
            )
            .await
            .map_err(|e| self.err(e))?;
        let desc = self.wait_change_set(&name).await;
        Ok((name, desc))
    }

    pub(crate) async fn wait_change_set(
        &self,
        name: &str,
    ) -> Result<ChangeSetDescription, DeployError> {
        let mut patience = Patience::new(self.poll, self.cloud.now());
        let mut backoff = Backoff::new(&self.poll);
        loop {
            let read = self
                .cloud
                .describe_change_set(self.art.region, self.name(), name)
                .await;
            let Some(cs) = self.poll_read(read, &mut patience, "the change set")? else {
                self.cloud.sleep(backoff.next_interval()).await;
                continue;
            };
            if cs.status.is_terminal() {
                return Ok(cs);
            }
            self.check_timeout(patience.started(), "the change set", cs.status.as_str())?;
            self.cloud.sleep(backoff.next_interval()).await;
        }
    }

    pub(crate) async fn delete_change_set(&self, name: &str) -> Result<(), DeployError> {
        self.mutate();
        self.cloud
            .delete_change_set(self.art.region, self.name(), name)
            .await
            .map_err(|e| self.err(e))
    }

    async fn create(
        &self,
        opts: &DeployOptions,
        body: &str,
        params: Vec<ParameterValue>,
        want_tp: bool,
    ) -> Result<Done, DeployError> {
        let region = self.art.region;
        let (name, cs) = self
            .create_change_set(opts, body, params, ChangeSetType::Create)
            .await?;
        let cs = cs?;
        if cs.status != dr_core::cloud::ChangeSetStatus::CreateComplete {
            return Err(self.change_set_failed(&cs));
        }
        let total = cs.changes.len().max(self.art.resource_types().len());
        let baseline = self.newest_event_id().await?;
        self.step(format!("executing change set {name} ({} resources)", total));
        self.execute(&name, true).await?;
        let (desc, events) = self
            .stream_until_settled(baseline, total, "stack creation")
            .await?;
        if !desc.status.is_success() {
            return Err(self.stack_failed(&desc, &events));
        }
        self.check_physical_ids().await?;
        if let Some(policy) = protective_policy(&stateful_logical_ids(&self.art.template))
            .filter(|_| opts.stack_policy)
        {
            self.step("setting the stack policy that protects stateful resources");
            self.mutate();
            self.cloud
                .set_stack_policy(region, self.name(), &policy)
                .await
                .map_err(|e| self.err(e))?;
        }
        if want_tp {
            self.mutate();
            self.cloud
                .update_termination_protection(region, self.name(), true)
                .await
                .map_err(|e| self.err(e))?;
        }
        Ok(Done {
            action: StackAction::Created,
            outputs: desc.outputs.clone(),
            final_status: Some(desc.status),
            change_count: cs.changes.len(),
        })
    }

    async fn update(
        &self,
        opts: &DeployOptions,
        body: &str,
        params: Vec<ParameterValue>,
        want_tp: bool,
        d: StackDescription,
    ) -> Result<Done, DeployError> {
        let region = self.art.region;
        let old_text = self
            .cloud
            .get_template(region, self.name())
            .await
            .map_err(|e| self.err(e))?;
        let old_template: Option<Value> = serde_json::from_str(&old_text).ok();
        let unchanged = |d: StackDescription, count: usize| Done {
            action: StackAction::Unchanged,
            outputs: d.outputs,
            final_status: Some(d.status),
            change_count: count,
        };
        if !opts.force && self.unchanged(&d, old_template.as_ref(), &params).await? {
            self.keep_protections(opts, &d, want_tp, old_template.as_ref())
                .await?;
            return Ok(unchanged(d, 0));
        }
        let (name, cs) = match self
            .create_change_set(opts, body, params, ChangeSetType::Update)
            .await
        {
            Err(e) if e.cloud_error().is_some_and(CloudError::is_no_changes) => {
                self.keep_protections(opts, &d, want_tp, old_template.as_ref())
                    .await?;
                self.step("no changes");
                return Ok(unchanged(d, 0));
            }
            other => other?,
        };
        let cs = match cs {
            Ok(cs) => cs,
            Err(e) => {
                let _ = self.delete_change_set(&name).await;
                return Err(e);
            }
        };
        // A change set that CloudFormation could compute but that changes no resource (only
        // outputs, parameters or metadata) is still executed: that is how outputs get updated.
        // Only the FAILED "didn't contain changes" one means there is nothing to do.
        if cs.is_empty_change() {
            self.step("no changes: deleting the empty change set");
            self.delete_change_set(&name).await?;
            self.keep_protections(opts, &d, want_tp, old_template.as_ref())
                .await?;
            return Ok(unchanged(d, 0));
        }
        if cs.status != dr_core::cloud::ChangeSetStatus::CreateComplete {
            let err = self.change_set_failed(&cs);
            let _ = self.delete_change_set(&name).await;
            return Err(err);
        }
        let refused = refused_changes(&cs.changes, &self.art.template, old_template.as_ref());
        if !refused.is_empty() && !opts.allow_data_loss {
            self.delete_change_set(&name).await?;
            return Err(self.fail(DeployErrorKind::Refused { changes: refused }));
        }
        let restore = self
            .policy_for_update(opts, &refused, old_template.as_ref())
            .await?;
        let outcome = self.execute_update(&name, cs.changes.len()).await;
        let outcome = match restore {
            Some(policy) => self.restore_policy(&policy, outcome).await,
            None => outcome,
        };
        let desc = outcome?;
        let resources = self.check_physical_ids().await?;
        self.restore_deletion_protection(Some(&resources)).await?;
        self.sync_termination_protection(&desc, want_tp).await?;
        Ok(Done {
            action: StackAction::Updated,
            outputs: desc.outputs.clone(),
            final_status: Some(desc.status),
            change_count: cs.changes.len(),
        })
    }

    /// Sets the stack policy an update runs under: allow-all while changes the data-loss guard
    /// refused are allowed, else the protective policy (only if it differs from the current
    /// one). Returns the policy to put back after an update that ran under allow-all.
    async fn policy_for_update(
        &self,
        opts: &DeployOptions,
        refused: &[RefusedChange],
        old_template: Option<&Value>,
    ) -> Result<Option<String>, DeployError> {
        let region = self.art.region;
        // The policy to keep: the stateful resources of both templates (a Deny on an id the
        // stack no longer has is harmless, and after a rollback the old ones are back).
        let mut stateful = stateful_logical_ids(&self.art.template);
        for id in old_template.map(stateful_logical_ids).unwrap_or_default() {
            if !stateful.contains(&id) {
                stateful.push(id);
            }
        }
        let protective = protective_policy(&stateful).filter(|_| opts.stack_policy);
        if !refused.is_empty() {
            let list: Vec<String> = refused.iter().map(|r| r.describe()).collect();
            self.note(format!("allowing data loss: {}", list.join("; ")));
            self.mutate();
            self.cloud
                .set_stack_policy(region, self.name(), &allow_all_policy())
                .await
                .map_err(|e| self.err(e))?;
            // A stack policy cannot be removed, so with no stateful resource left the
            // allow-all one stays.
            return Ok(Some(protective.unwrap_or_else(allow_all_policy)));
        }
        if let Some(p) = &protective {
            let current = self
                .cloud
                .get_stack_policy(region, self.name())
                .await
                .map_err(|e| self.err(e))?;
            let same = current
                .as_deref()
                .and_then(|c| serde_json::from_str::<Value>(c).ok())
                .zip(serde_json::from_str::<Value>(p).ok())
                .is_some_and(|(a, b)| a == b);
            if !same {
                self.mutate();
                self.cloud
                    .set_stack_policy(region, self.name(), p)
                    .await
                    .map_err(|e| self.err(e))?;
            }
        }
        Ok(None)
    }

    /// Puts `policy` back after an update that ran under allow-all, whatever the update's
    /// outcome; a failure to restore is reported with the update's own error, if any.
    async fn restore_policy(
        &self,
        policy: &str,
        outcome: Result<StackDescription, DeployError>,
    ) -> Result<StackDescription, DeployError> {
        self.mutate();
        if let Err(e) = self
            .cloud
            .set_stack_policy(self.art.region, self.name(), policy)
            .await
        {
            return Err(match outcome {
                Err(first) => self.fail(DeployErrorKind::PolicyNotRestored {
                    first: Box::new(first.kind),
                    restore: e,
                }),
                Ok(_) => self.err(e),
            });
        }
        self.step("restored the protective stack policy");
        outcome
    }

    async fn execute_update(
        &self,
        name: &str,
        total: usize,
    ) -> Result<StackDescription, DeployError> {
        let baseline = self.newest_event_id().await?;
        self.step(format!("executing change set {name} ({total} changes)"));
        self.execute(name, false).await?;
        let (desc, events) = self
            .stream_until_settled(baseline, total, "the stack update")
            .await?;
        if !desc.status.is_success() {
            return Err(self.stack_failed(&desc, &events));
        }
        Ok(desc)
    }

    /// `ExecuteChangeSet`, with a token derived from the change set's name so that a retry
    /// (the SDK's after a lost answer, or this one's) is the same request and not a second
    /// execution CloudFormation refuses with `InvalidChangeSetStatus`. A CREATE runs with
    /// `RetainExceptOnCreate`, so a first create that fails and rolls back deletes what it made,
    /// `Retain` or not (a KMS key per failed attempt otherwise), while an update's rollback
    /// keeps what already existed.
    ///
    /// When the outcome is unknown (a 5xx or no answer outlasted the SDK's retries), the change
    /// set says whether it ran: one no longer `AVAILABLE` was executed and the deploy waits for
    /// it; one still `AVAILABLE` is sent again with the same token, until the Region answers or
    /// the wait's `unanswered` limit passes.
    async fn execute(&self, name: &str, creating: bool) -> Result<(), DeployError> {
        let region = self.art.region;
        let input = ExecuteChangeSetInput {
            stack_name: self.name().to_string(),
            change_set: name.to_string(),
            client_request_token: Some(idempotency_token("execute", name)),
            retain_except_on_create: creating,
        };
        let mut patience = Patience::new(self.poll, self.cloud.now());
        let mut backoff = Backoff::new(&self.poll);
        loop {
            self.mutate();
            let e = match self
                .cloud
                .execute_change_set_with(region, input.clone())
                .await
            {
                Ok(()) => return Ok(()),
                Err(e) if !e.outcome_unknown() => return Err(self.err(e)),
                Err(e) => e,
            };
            // Ask the change set until it answers; a failed read counts against the same
            // patience as the execute.
            let mut failure = e;
            let executed = loop {
                match patience.failed(failure, self.cloud.now()) {
                    Verdict::GiveUp(e) => return Err(self.err(e)),
                    Verdict::LookAgain(why) => self.step(why),
                }
                self.cloud.sleep(backoff.next_interval()).await;
                match self
                    .cloud
                    .describe_change_set(region, self.name(), name)
                    .await
                {
                    Ok(cs) => break cs.execution_status != ExecutionStatus::Available,
                    Err(e) if e.is_retryable() => failure = e,
                    Err(e) => return Err(self.err(e)),
                }
            };
            if executed {
                self.step(format!(
                    "change set {name} is executing: its ExecuteChangeSet answer was lost"
                ));
                return Ok(());
            }
            self.check_timeout(patience.started(), "ExecuteChangeSet", "AVAILABLE")?;
        }
    }

    /// What a stack with nothing to change still gets: the protective stack policy and
    /// termination protection, each set only when missing. An update whose protective policy
    /// could not be restored (`PolicyNotRestored`, or a failed restore after a successful
    /// update) leaves the stack under the allow-all one; the next deploy finds nothing else to
    /// change and must still put it back, as that error tells the user to do.
    async fn keep_protections(
        &self,
        opts: &DeployOptions,
        d: &StackDescription,
        want_tp: bool,
        old_template: Option<&Value>,
    ) -> Result<(), DeployError> {
        self.policy_for_update(opts, &[], old_template).await?;
        self.restore_deletion_protection(None).await?;
        self.sync_termination_protection(d, want_tp).await
    }

    /// Turns deletion protection back on where the template asks for it and the resource has
    /// it off: `destroy --lift-deletion-protection` lifts it with `ModifyDBCluster` /
    /// `ModifyGlobalCluster` / `ModifyLoadBalancerAttributes`, outside CloudFormation, so a
    /// destroy that stopped after lifting it leaves a template that says `true` over a database
    /// or load balancer that is not protected, and no update puts it back (CloudFormation
    /// compares templates, not the resource). Reads only the stacks whose template protects
    /// something, and their resources only when `known` does not already hold them; no
    /// mutating call when nothing drifted.
    async fn restore_deletion_protection(
        &self,
        known: Option<&[StackResource]>,
    ) -> Result<(), DeployError> {
        let protected: Vec<(&str, Protected)> = self
            .art
            .template
            .get("Resources")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(id, r)| {
                let kind = match r.get("Type").and_then(Value::as_str)? {
                    "AWS::RDS::DBCluster" => Protected::DbCluster,
                    "AWS::RDS::GlobalCluster" => Protected::GlobalCluster,
                    "AWS::ElasticLoadBalancingV2::LoadBalancer" => Protected::LoadBalancer,
                    _ => return None,
                };
                let on = |v: &Value| v == &Value::Bool(true) || v == "true";
                let protects = match kind {
                    Protected::LoadBalancer => r
                        .pointer("/Properties/LoadBalancerAttributes")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .any(|a| {
                            a.get("Key").and_then(Value::as_str) == Some(LB_DELETION_PROTECTION)
                                && a.get("Value").is_some_and(on)
                        }),
                    _ => r.pointer("/Properties/DeletionProtection").is_some_and(on),
                };
                protects.then_some((id.as_str(), kind))
            })
            .collect();
        if protected.is_empty() {
            return Ok(());
        }
        let region = self.art.region;
        let read;
        let resources = match known {
            Some(r) => r,
            None => {
                read = self
                    .cloud
                    .describe_stack_resources(region, self.name())
                    .await
                    .map_err(|e| self.err(e))?;
                &read
            }
        };
        for (id, kind) in protected {
            let Some(pid) = resources
                .iter()
                .find(|r| r.logical_id == id)
                .and_then(|r| r.physical_id.as_deref())
                .filter(|p| !p.is_empty())
            else {
                continue;
            };
            let unprotected = match kind {
                Protected::GlobalCluster => {
                    let g = self.cloud.describe_global_cluster(region, pid).await;
                    g.map(|g| g.is_some_and(|g| !g.deletion_protection))
                }
                Protected::DbCluster => {
                    let c = self.cloud.describe_db_cluster(region, pid).await;
                    c.map(|c| c.is_some_and(|c| !c.deletion_protection))
                }
                Protected::LoadBalancer => {
                    match self
                        .cloud
                        .describe_load_balancer_attributes(region, pid)
                        .await
                    {
                        Ok(a) => Ok(!a.deletion_protection()),
                        Err(e) if e.is_not_found() => Ok(false),
                        Err(e) => Err(e),
                    }
                }
            };
            if !unprotected.map_err(|e| self.err(e))? {
                continue;
            }
            self.mutate();
            let what = match kind {
                Protected::GlobalCluster => self
                    .cloud
                    .modify_global_cluster_deletion_protection(region, pid, true)
                    .await
                    .map(|_| "global cluster"),
                Protected::DbCluster => self
                    .cloud
                    .modify_db_cluster_deletion_protection(region, pid, true)
                    .await
                    .map(|_| "DB cluster"),
                Protected::LoadBalancer => self
                    .cloud
                    .modify_load_balancer_attributes(
                        region,
                        pid,
                        vec![(LB_DELETION_PROTECTION.to_string(), "true".to_string())],
                    )
                    .await
                    .map(|_| "load balancer"),
            };
            let what = what.map_err(|e| self.err(e))?;
            self.note(format!(
                "{what} `{pid}` had deletion protection off though the template turns it on (lifted by a destroy that stopped?): turned it back on"
            ));
        }
        Ok(())
    }

    async fn sync_termination_protection(
        &self,
        d: &StackDescription,
        want: bool,
    ) -> Result<(), DeployError> {
        // Only ever turns protection on: turning it off is `destroy`'s business, when told.
        if want && !d.termination_protection {
            self.mutate();
            self.cloud
                .update_termination_protection(self.art.region, self.name(), true)
                .await
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    fn change_set_failed(&self, cs: &ChangeSetDescription) -> DeployError {
        self.fail(DeployErrorKind::ChangeSetFailed {
            reason: cs
                .status_reason
                .clone()
                .unwrap_or_else(|| format!("status {}", cs.status)),
        })
    }

    /// The id of the stack's newest event, the baseline from which a wait streams what is new:
    /// one page of `DescribeStackEvents`, since events come newest first.
    pub(crate) async fn newest_event_id(&self) -> Result<Option<String>, DeployError> {
        let newest = self
            .cloud
            .describe_newest_stack_event(self.art.region, self.name())
            .await
            .map_err(|e| self.err(e))?;
        Ok(newest.map(|e| e.event_id))
    }

    /// Polls the stack until its status settles, passing new events to the observer with the
    /// progress they make. Returns the last description and this operation's events, oldest
    /// first.
    pub(crate) async fn stream_until_settled(
        &self,
        baseline: Option<String>,
        total: usize,
        what: &str,
    ) -> Result<(StackDescription, Vec<StackEvent>), DeployError> {
        let region = self.art.region;
        let mut patience = Patience::new(self.poll, self.cloud.now());
        let mut backoff = Backoff::new(&self.poll);
        let mut last = baseline;
        let mut all: Vec<StackEvent> = Vec::new();
        let mut done: HashSet<String> = HashSet::new();
        loop {
            self.cloud.sleep(backoff.next_interval()).await;
            // Status first, events second: the last read then holds every event up to the
            // settled status.
            let read = self.cloud.describe_stack(region, self.name()).await;
            let Some(desc) = self.poll_read(read, &mut patience, what)? else {
                continue;
            };
            let read = self
                .cloud
                .describe_stack_events(region, self.name(), last.as_deref())
                .await;
            let Some(events) = self.poll_read(read, &mut patience, what)? else {
                continue;
            };
            if let Some(first) = events.first() {
                last = Some(first.event_id.clone());
            }
            for e in events.into_iter().rev() {
                if !e.is_stack_event() && e.status.is_complete() {
                    done.insert(e.logical_id.clone());
                }
                self.obs.on_event(&DeployEvent::Resource {
                    stack: self.name().to_string(),
                    event: e.clone(),
                    done: done.len().min(total),
                    total,
                });
                all.push(e);
            }
            let Some(desc) = desc else {
                return Err(self.err(CloudError::not_found(
                    "DescribeStacks",
                    format!("stack {}", self.name()),
                    format!("the stack disappeared during {what}"),
                )));
            };
            if desc.status.is_terminal() {
                return Ok((desc, all));
            }
            self.check_timeout(patience.started(), what, desc.status.as_str())?;
        }
    }

    pub(crate) fn stack_failed(
        &self,
        desc: &StackDescription,
        events: &[StackEvent],
    ) -> DeployError {
        self.fail(DeployErrorKind::StackFailed {
            first_failure: first_failure(events).map(Box::new),
            final_status: desc.status.clone(),
            status_reason: desc
                .status_reason
                .clone()
                .or_else(|| stack_failure_reason(events)),
        })
    }

    /// After a successful operation every resource of the template must have a physical id:
    /// an emulator that skips a type reports success without creating it.
    /// Returns the resources it read.
    async fn check_physical_ids(&self) -> Result<Vec<StackResource>, DeployError> {
        let resources = self
            .cloud
            .describe_stack_resources(self.art.region, self.name())
            .await
            .map_err(|e| self.err(e))?;
        let by_id: HashMap<&str, &StackResource> = resources
            .iter()
            .map(|r| (r.logical_id.as_str(), r))
            .collect();
        let mut missing = Vec::new();
        if let Some(res) = self
            .art
            .template
            .get("Resources")
            .and_then(Value::as_object)
        {
            for (id, def) in res {
                let conditional = def.get("Condition").is_some();
                match by_id.get(id.as_str()) {
                    Some(r) if r.physical_id.as_deref().is_some_and(|p| !p.is_empty()) => {}
                    // A resource whose condition is false is legitimately absent.
                    None if conditional => {}
                    _ => {
                        let ty = def.get("Type").and_then(Value::as_str).unwrap_or("?");
                        missing.push(format!("{id} ({ty})"));
                    }
                }
            }
        }
        if missing.is_empty() {
            Ok(resources)
        } else {
            Err(self.fail(DeployErrorKind::MissingPhysicalIds { resources: missing }))
        }
    }

    /// Deletes the stack and waits until it is gone. `retain` (logical ids) and `mode` are
    /// DeleteStack's `RetainResources` and `DeletionMode`, which CloudFormation accepts only for
    /// a stack in `DELETE_FAILED`.
    pub(crate) async fn delete_and_wait(
        &self,
        stack_id: &str,
        retain: Vec<String>,
        mode: Option<DeletionMode>,
    ) -> Result<Vec<StackEvent>, DeployError> {
        let region = self.art.region;
        let baseline = self.newest_event_id().await?;
        self.mutate();
        let operation = change_set_name(self.cloud, "drkit-delete");
        self.cloud
            .delete_stack_with(
                region,
                DeleteStackInput {
                    stack_name: self.name().to_string(),
                    retain_resources: retain,
                    deletion_mode: mode,
                    client_request_token: Some(idempotency_token("delete", &operation)),
                },
            )
            .await
            .map_err(|e| self.err(e))?;
        let total = self
            .cloud
            .describe_stack_resources(region, self.name())
            .await
            .map(|r| r.len())
            .unwrap_or(0);
        let mut patience = Patience::new(self.poll, self.cloud.now());
        let mut backoff = Backoff::new(&self.poll);
        let mut last = baseline;
        let mut all = Vec::new();
        let mut done: HashSet<String> = HashSet::new();
        loop {
            self.cloud.sleep(backoff.next_interval()).await;
            let read = self.cloud.describe_stack(region, self.name()).await;
            let Some(desc) = self.poll_read(read, &mut patience, "the stack deletion")? else {
                continue;
            };
            // Once deleted, the stack is known only by its id.
            let events = self
                .cloud
                .describe_stack_events(
                    region,
                    if desc.is_some() {
                        self.name()
                    } else {
                        stack_id
                    },
                    last.as_deref(),
                )
                .await
                .unwrap_or_default();
            if let Some(first) = events.first() {
                last = Some(first.event_id.clone());
            }
            for e in events.into_iter().rev() {
                if !e.is_stack_event() && e.status.is_complete() {
                    done.insert(e.logical_id.clone());
                }
                self.obs.on_event(&DeployEvent::Resource {
                    stack: self.name().to_string(),
                    event: e.clone(),
                    done: done.len().min(total),
                    total,
                });
                all.push(e);
            }
            match desc {
                None => return Ok(all),
                Some(d) if d.status == StackStatus::DeleteComplete => return Ok(all),
                Some(d) if d.status.is_terminal() => return Err(self.stack_failed(&d, &all)),
                Some(d) => {
                    self.check_timeout(patience.started(), "the stack deletion", d.status.as_str())?
                }
            }
        }
    }
}

/// The first resource that failed in `events` (oldest first). Siblings cancelled because of it
/// ("Resource creation cancelled") are not the cause, so they come last.
pub(crate) fn first_failure(events: &[StackEvent]) -> Option<FailedResource> {
    let failed = || {
        events
            .iter()
            .filter(|e| !e.is_stack_event() && e.status.is_failed())
    };
    let cancelled = |e: &&StackEvent| {
        e.status_reason
            .as_deref()
            .is_some_and(|r| r.contains("cancelled"))
    };
    failed()
        .find(|e| !cancelled(e))
        .or_else(|| failed().next())
        .map(|e| FailedResource {
            logical_id: e.logical_id.clone(),
            resource_type: e.resource_type.clone(),
            status: e.status.clone(),
            reason: e
                .status_reason
                .clone()
                .unwrap_or_else(|| "no reason given".into()),
        })
}

/// The reason the stack itself gave for failing, when no resource event names one: sometimes
/// only the `ROLLBACK_IN_PROGRESS` event carries it (observed in
/// <https://github.com/rancher/kontainer-engine/pull/103>), e.g. a template error found while
/// resolving outputs.
pub(crate) fn stack_failure_reason(events: &[StackEvent]) -> Option<String> {
    events
        .iter()
        .filter(|e| {
            e.is_stack_event()
                && (e.status.is_failed() || e.status.as_str().contains("ROLLBACK_IN_PROGRESS"))
        })
        .find_map(|e| e.status_reason.clone().filter(|r| !r.is_empty()))
}

/// A template parameter default as the string CloudFormation takes.
fn default_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(default_string).collect::<Vec<_>>().join(","),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// FNV-1a, 64 bits: a stable content hash for upload keys (std's hasher is not stable across
/// releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
