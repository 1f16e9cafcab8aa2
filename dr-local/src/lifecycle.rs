//! Stack lifecycle on the virtual clock: change sets, execution (create and update, with
//! rollback), deletion. An operation computes its whole timeline when it starts: every event
//! with its virtual timestamp, and the stack's final state, applied when the clock passes the
//! last event. Reads in between see the events up to "now", so a poller sees the statuses
//! CloudFormation would show, in CloudFormation's order (AWS-FACTS §4).

use std::collections::{BTreeMap, BTreeSet};

use dr_core::Region;
use dr_core::cloud::{RequiresRecreation, ResourceStatus, StackEvent, StackOutput};
use indexmap::IndexMap;
use serde_json::{Value, json};

use super::LocalError;
use super::changeset::{self, Action};
use super::clock::SimTime;
use super::durations;
use super::eval::{
    DynamicRef, EvalError, Evaluator, ResolvedParameter, Resolver, StackContext, Template,
    dynamic_refs, resolve_parameters,
};
use super::facts;
use super::ids::{self, IdContext, fallback_attribute};
use super::services;
use super::state::{ChangeSet, Committed, Operation, Stack, StackResource, World};

const STACK_TYPE: &str = "AWS::CloudFormation::Stack";
/// AWS-FACTS §4, "Failed create (observed wording)".
pub const CANCELLED_CREATE: &str = "Resource creation cancelled";
/// The update counterpart of [`CANCELLED_CREATE`].
pub const CANCELLED_UPDATE: &str = "Resource update cancelled";
/// AWS-FACTS §4: the empty change set's status reason.
pub const NO_CHANGES: &str = "The submitted information didn't contain changes. Submit different information to create a change set.";

/// A failure the tests inject: resource `logical_id` of `stack` fails on the next create or
/// update that touches it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InjectedFailure {
    /// Region of the stack.
    pub region: Region,
    /// Stack name.
    pub stack: String,
    /// Logical id.
    pub logical_id: String,
    /// Status reason reported.
    pub reason: String,
}

fn not_found_stack(name: &str) -> LocalError {
    // CloudFormation: ValidationError "Stack with id X does not exist".
    LocalError::NotFound(format!("Stack with id {name} does not exist"))
}

impl World {
    /// Applies the final state of every operation whose last event is at or before now.
    /// Returns whether anything changed.
    pub fn settle(&mut self) -> bool {
        let now = self.now;
        let mut settled = Vec::new();
        for (region, rs) in self.regions.iter_mut() {
            for stack in rs.stacks.iter_mut() {
                if stack.op.as_ref().is_some_and(|op| op.end <= now) {
                    let op = stack.op.take().expect("checked");
                    let before: IndexMap<String, StackResource> = stack.resources.clone();
                    let r = op.result;
                    stack.template_body = r.template_body;
                    stack.parameters = r.parameters;
                    stack.resources = r.resources;
                    stack.outputs = r.outputs;
                    stack.imports = r.imports;
                    if r.deleted {
                        stack.deleted = Some(op.end);
                    }
                    if let Some((cs, status)) = op.change_set
                        && let Some(c) = stack.change_sets.iter_mut().find(|c| c.id == cs)
                    {
                        c.execution_status = status;
                    }
                    settled.push((*region, before, stack.resources.clone(), stack.name.clone()));
                }
            }
        }
        let any = !settled.is_empty();
        for (region, before, after, stack_name) in settled {
            services::sync(self, region, &stack_name, &before, &after);
        }
        any
    }

    /// The exports of a Region: name → (exporting stack id, stack name, value).
    pub fn exports(&self, region: Region) -> BTreeMap<String, (String, String, String)> {
        let mut out = BTreeMap::new();
        if let Some(rs) = self.regions.get(&region) {
            for s in rs.stacks.iter().filter(|s| s.deleted.is_none()) {
                for o in &s.outputs {
                    if let Some(e) = &o.export_name {
                        out.insert(e.clone(), (s.id.clone(), s.name.clone(), o.value.clone()));
                    }
                }
            }
        }
        out
    }

    /// Stacks of the Region (other than `except`) whose template imports `export`.
    pub fn importers(&self, region: Region, export: &str, except: &str) -> Vec<String> {
        self.regions
            .get(&region)
            .map(|rs| {
                rs.stacks
                    .iter()
                    .filter(|s| {
                        s.deleted.is_none() && s.name != except && s.imports.contains(export)
                    })
                    .map(|s| s.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn stack_mut(&mut self, region: Region, name: &str) -> Result<&mut Stack, LocalError> {
        let rs = self.region(region);
        let i = rs.stack_index(name).ok_or_else(|| not_found_stack(name))?;
        let s = &mut rs.stacks[i];
        if s.deleted.is_some() {
            return Err(not_found_stack(name));
        }
        Ok(s)
    }

    /// `CreateChangeSet`. Returns (change set id, stack id).
    #[allow(clippy::too_many_arguments)]
    pub fn create_change_set(
        &mut self,
        region: Region,
        stack_name: &str,
        change_set_name: &str,
        template_body: &str,
        given: &[(String, String)],
        change_set_type: &str,
        description: Option<String>,
    ) -> Result<(String, String), LocalError> {
        let now = self.now;
        let account = self.account.clone();
        let existing = self
            .region(region)
            .stack_index(stack_name)
            .filter(|i| self.regions[&region].stacks[*i].deleted.is_none());
        match (change_set_type, existing) {
            ("CREATE", Some(i)) => {
                let s = &self.regions[&region].stacks[i];
                // A stack still in REVIEW_IN_PROGRESS takes another CREATE change set.
                if s.status_at(now).0 != "REVIEW_IN_PROGRESS" {
                    return Err(LocalError::Validation(format!(
                        "Stack [{stack_name}] already exists"
                    )));
                }
            }
            // CloudFormation answers ValidationError "Stack [..] does not exist"; the port's
            // contract reports a missing stack as NotFound, as the aws backend does.
            ("UPDATE", None) => {
                return Err(LocalError::NotFound(format!(
                    "Stack [{stack_name}] does not exist"
                )));
            }
            ("UPDATE", Some(i)) => {
                let s = &self.regions[&region].stacks[i];
                let (status, _) = s.status_at(now);
                // ROLLBACK_COMPLETE, ROLLBACK_FAILED, DELETE_FAILED allow only deletion; a stack
                // operation in flight allows nothing (AWS-FACTS §4).
                if !dr_core::cloud::StackStatus::from_aws(&status).is_updatable() {
                    // AWS-FACTS §4: "… is in ROLLBACK_COMPLETE state and can not be updated."
                    return Err(LocalError::Validation(format!(
                        "Stack:{} is in {status} state and can not be updated.",
                        s.id
                    )));
                }
            }
            ("CREATE", None) => {}
            (other, _) => {
                return Err(LocalError::Validation(format!(
                    "1 validation error detected: Value '{other}' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [IMPORT, UPDATE, CREATE]"
                )));
            }
        }
        dr_core::template::check_stack_name(stack_name).map_err(LocalError::Validation)?;
        let template =
            Template::parse(template_body).map_err(|e| LocalError::Validation(e.to_string()))?;
        // A new stack appears at once, in REVIEW_IN_PROGRESS (AWS-FACTS §4).
        let idx = match existing {
            Some(i) => i,
            None => {
                let seq = self.next_seq();
                let id = format!(
                    "arn:aws:cloudformation:{region}:{account}:stack/{stack_name}/{}",
                    ids::uuid(&format!("stack/{seq}/{stack_name}"))
                );
                let description = template
                    .raw
                    .get("Description")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let mut stack = Stack {
                    name: stack_name.to_string(),
                    id: id.clone(),
                    region,
                    created: now,
                    last_updated: None,
                    deleted: None,
                    description,
                    template_body: None,
                    parameters: vec![],
                    resources: IndexMap::new(),
                    outputs: vec![],
                    imports: BTreeSet::new(),
                    termination_protection: false,
                    stack_policy: None,
                    events: vec![],
                    change_sets: vec![],
                    op: None,
                    generations: BTreeMap::new(),
                };
                stack.events.push(StackEvent {
                    event_id: ids::uuid(&format!("event/{seq}/review")),
                    stack_id: id.clone(),
                    stack_name: stack_name.to_string(),
                    logical_id: stack_name.to_string(),
                    physical_id: Some(id),
                    resource_type: STACK_TYPE.into(),
                    timestamp: now.into(),
                    status: ResourceStatus::from_aws("REVIEW_IN_PROGRESS"),
                    status_reason: Some("User Initiated".into()),
                    detailed_status: None,
                });
                let rs = self.region(region);
                rs.stacks.push(stack);
                rs.stacks.len() - 1
            }
        };
        let stack = self.regions[&region].stacks[idx].clone();
        if stack.change_sets.iter().any(|c| c.name == change_set_name) {
            return Err(LocalError::InvalidState(format!(
                "ChangeSet [{change_set_name}] already exists"
            )));
        }
        let ctx = StackContext {
            region,
            account: account.clone(),
            stack_name: stack.name.clone(),
            stack_id: stack.id.clone(),
        };
        let ssm = self.regions[&region].ssm.clone();
        let exports = self.exports(region);
        let params = resolve_parameters(&template, given, region, &|n| ssm.get(n).cloned())
            .map_err(|e| LocalError::Validation(e.to_string()))?;
        let plan = changeset::plan(&template, &ctx, params, &stack.resources, &|n| {
            exports.get(n).map(|e| e.2.clone())
        })
        .map_err(|e| LocalError::Validation(e.to_string()))?;
        let new_params: Vec<ResolvedParameter> = plan.params.values().cloned().collect();
        let same_template = stack
            .template_body
            .as_deref()
            .and_then(|b| serde_json::from_str::<Value>(b).ok())
            == Some(template.raw.clone());
        let unchanged = change_set_type == "UPDATE"
            && plan.changes.is_empty()
            && same_template
            && stack.parameters == new_params;
        let seq = self.next_seq();
        let cs = ChangeSet {
            id: format!(
                "arn:aws:cloudformation:{region}:{account}:changeSet/{change_set_name}/{}",
                ids::uuid(&format!("cs/{seq}"))
            ),
            name: change_set_name.to_string(),
            change_set_type: change_set_type.to_string(),
            created: now,
            ready_at: now.plus_secs(durations::CHANGE_SET_SECS),
            final_status: if unchanged {
                "FAILED"
            } else {
                "CREATE_COMPLETE"
            }
            .into(),
            status_reason: unchanged.then(|| NO_CHANGES.to_string()),
            execution_status: if unchanged {
                "UNAVAILABLE"
            } else {
                "AVAILABLE"
            }
            .into(),
            template_body: template_body.to_string(),
            parameters: new_params,
            changes: plan.changes,
            description,
        };
        let out = (cs.id.clone(), stack.id.clone());
        self.regions.get_mut(&region).expect("exists").stacks[idx]
            .change_sets
            .push(cs);
        Ok(out)
    }

    /// `DeleteChangeSet`.
    pub fn delete_change_set(
        &mut self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> Result<(), LocalError> {
        let now = self.now;
        let rs = self.region(region);
        let stack = rs
            .stacks
            .iter_mut()
            .find(|s| {
                s.change_sets.iter().any(|c| c.id == change_set)
                    || (s.name == stack_name || s.id == stack_name) && s.deleted.is_none()
            })
            .ok_or_else(|| {
                LocalError::NotFound(format!("ChangeSet [{change_set}] does not exist"))
            })?;
        let i = stack
            .change_sets
            .iter()
            .position(|c| c.id == change_set || c.name == change_set)
            .ok_or_else(|| {
                LocalError::NotFound(format!("ChangeSet [{change_set}] does not exist"))
            })?;
        if stack.change_sets[i].execution_status == "EXECUTE_IN_PROGRESS" {
            return Err(LocalError::InvalidState(format!(
                "ChangeSet [{change_set}] cannot be deleted while its execution is in progress"
            )));
        }
        stack.change_sets.remove(i);
        // A stack created for a CREATE change set and never executed stays in
        // REVIEW_IN_PROGRESS, as in CloudFormation.
        let _ = now;
        Ok(())
    }

    /// `ExecuteChangeSet`.
    pub fn execute_change_set(
        &mut self,
        region: Region,
        stack_name: &str,
        change_set: &str,
        faults: &mut Vec<InjectedFailure>,
    ) -> Result<(), LocalError> {
        let now = self.now;
        let stack = self
            .region(region)
            .stacks
            .iter()
            .find(|s| {
                s.deleted.is_none()
                    && (s.name == stack_name
                        || s.id == stack_name
                        || s.change_sets.iter().any(|c| c.id == change_set))
            })
            .cloned()
            .ok_or_else(|| {
                LocalError::NotFound(format!("ChangeSet [{change_set}] does not exist"))
            })?;
        let cs = stack
            .change_sets
            .iter()
            .find(|c| c.id == change_set || c.name == change_set)
            .cloned()
            .ok_or_else(|| {
                LocalError::NotFound(format!("ChangeSet [{change_set}] does not exist"))
            })?;
        let (status, _) = stack.status_at(now);
        let cs_status = if now < cs.ready_at {
            "CREATE_IN_PROGRESS"
        } else {
            cs.final_status.as_str()
        };
        if cs_status != "CREATE_COMPLETE" || cs.execution_status != "AVAILABLE" {
            // CloudFormation's InvalidChangeSetStatus wording.
            return Err(LocalError::InvalidState(format!(
                "ChangeSet [{}] cannot be executed in its current status of [{}]",
                cs.id,
                if cs_status == "CREATE_COMPLETE" {
                    cs.execution_status.as_str()
                } else {
                    cs_status
                }
            )));
        }
        if status.ends_with("_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS"
            || status == "ROLLBACK_COMPLETE"
        {
            return Err(LocalError::Validation(format!(
                "Stack:{} is in {status} state and can not be updated.",
                stack.id
            )));
        }
        let template = Template::parse(&cs.template_body)
            .map_err(|e| LocalError::Validation(e.to_string()))?;
        let mine: Vec<InjectedFailure> = {
            let (mine, rest): (Vec<_>, Vec<_>) = faults
                .drain(..)
                .partition(|f| f.region == region && f.stack == stack.name);
            *faults = rest;
            mine
        };
        let kind = if cs.change_set_type == "CREATE" {
            Kind::Create
        } else {
            Kind::Update
        };
        let (events, result, end, ok) =
            run_deploy(self, region, &stack, &cs, &template, kind, &mine)?;
        // Failures not consumed (the resource was not touched) stay armed.
        for f in mine {
            if !events.iter().any(|e| {
                e.logical_id == f.logical_id
                    && e.status_reason.as_deref() == Some(f.reason.as_str())
            }) {
                faults.push(f);
            }
        }
        let s = self.stack_mut(region, &stack.name)?;
        append_events(s, events);
        s.last_updated = if kind == Kind::Update {
            Some(now)
        } else {
            None
        };
        // Executing a change set deletes the stack's other change sets (AWS-FACTS §4).
        s.change_sets.retain(|c| c.id == cs.id);
        if let Some(c) = s.change_sets.first_mut() {
            c.execution_status = "EXECUTE_IN_PROGRESS".into();
        }
        s.op = Some(Operation {
            start: now,
            end,
            result,
            change_set: Some((
                cs.id.clone(),
                if ok {
                    "EXECUTE_COMPLETE"
                } else {
                    "EXECUTE_FAILED"
                }
                .into(),
            )),
        });
        if let Some(g) = &template.raw.get("Description").and_then(Value::as_str) {
            s.description = Some((*g).to_string());
        }
        Ok(())
    }

    /// `DeleteStack`.
    pub fn delete_stack(&mut self, region: Region, stack_name: &str) -> Result<(), LocalError> {
        let now = self.now;
        let Some(i) = self.region(region).stack_index(stack_name) else {
            // DeleteStack of a stack that does not exist succeeds and does nothing.
            return Ok(());
        };
        let stack = self.regions[&region].stacks[i].clone();
        if stack.deleted.is_some() {
            return Ok(());
        }
        if stack.termination_protection {
            // AWS-FACTS §4; CloudFormation's ValidationError wording.
            return Err(LocalError::Validation(format!(
                "Stack [{}] cannot be deleted while TerminationProtection is enabled",
                stack.name
            )));
        }
        let (status, _) = stack.status_at(now);
        if status.ends_with("_IN_PROGRESS")
            && status != "REVIEW_IN_PROGRESS"
            && status != "DELETE_IN_PROGRESS"
        {
            return Err(LocalError::Validation(format!(
                "Stack:{} is in {status} state and can not be deleted.",
                stack.id
            )));
        }
        if status == "DELETE_IN_PROGRESS" {
            return Ok(());
        }
        let seq = self.next_seq();
        let (events, result, end) = run_delete(self, region, &stack, seq);
        let seq_ok = result.deleted;
        let s = &mut self.region(region).stacks[i];
        append_events(s, events);
        s.op = Some(Operation {
            start: now,
            end,
            result,
            change_set: None,
        });
        if seq_ok {
            s.change_sets.clear();
        }
        Ok(())
    }
}

/// Appends an operation's events, keeping event ids unique: two operations can start at the
/// same virtual instant, and a poller that stops at a known event id must never meet it again.
fn append_events(s: &mut Stack, events: Vec<StackEvent>) {
    let mut seen: BTreeSet<String> = s.events.iter().map(|e| e.event_id.clone()).collect();
    for mut e in events {
        let base = e.event_id.clone();
        let mut n = 1;
        while seen.contains(&e.event_id) {
            n += 1;
            e.event_id = format!("{base}-{n}");
        }
        seen.insert(e.event_id.clone());
        s.events.push(e);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Create,
    Update,
}

/// Writes events with CloudFormation's ids.
struct Timeline {
    events: Vec<StackEvent>,
    stack_id: String,
    stack_name: String,
    seq: u64,
}

impl Timeline {
    fn push(
        &mut self,
        t: SimTime,
        logical: &str,
        physical: Option<&str>,
        rtype: &str,
        status: &str,
        reason: Option<&str>,
    ) {
        self.seq += 1;
        let is_stack = rtype == STACK_TYPE && logical == self.stack_name;
        // Stack events carry a UUID; resource events `<logical>-<status>-<timestamp>`.
        let event_id = if is_stack {
            ids::uuid(&format!("{}/{}/{}", self.stack_id, self.seq, status))
        } else {
            format!("{logical}-{status}-{t}")
        };
        self.events.push(StackEvent {
            event_id,
            stack_id: self.stack_id.clone(),
            stack_name: self.stack_name.clone(),
            logical_id: logical.to_string(),
            physical_id: physical.map(str::to_string),
            resource_type: rtype.to_string(),
            timestamp: t.into(),
            status: ResourceStatus::from_aws(status),
            status_reason: reason.map(str::to_string),
            detailed_status: None,
        });
    }
    fn stack(&mut self, t: SimTime, status: &str, reason: Option<&str>) {
        let (n, id) = (self.stack_name.clone(), self.stack_id.clone());
        self.push(t, &n, Some(&id), STACK_TYPE, status, reason);
    }
    fn finish(mut self) -> Vec<StackEvent> {
        // Stable: same-time events keep the order they were written in.
        self.events.sort_by_key(|e| e.timestamp);
        self.events
    }
}

/// Resources known while a deploy runs.
struct Live<'a> {
    map: &'a BTreeMap<String, (String, String, BTreeMap<String, Value>)>,
    exports: &'a BTreeMap<String, (String, String, String)>,
}

impl Resolver for Live<'_> {
    fn resource_ref(&self, l: &str) -> Option<Value> {
        self.map.get(l).map(|(_, p, _)| Value::String(p.clone()))
    }
    fn resource_attribute(&self, l: &str, a: &str) -> Result<Value, EvalError> {
        let Some((t, p, attrs)) = self.map.get(l) else {
            return Err(EvalError::Resource(format!(
                "Template error: resource {l} has not been created"
            )));
        };
        if let Some(v) = attrs.get(a) {
            return Ok(v.clone());
        }
        match facts::has_attribute(t, a) {
            Some(true) => Ok(fallback_attribute(p, a)),
            // The wording CloudFormation uses for an attribute the type does not have.
            _ => Err(EvalError::Resource(format!(
                "Template error: resource {l} does not support attribute type {a} in Fn::GetAtt"
            ))),
        }
    }
    fn import_value(&self, name: &str) -> Option<String> {
        self.exports.get(name).map(|e| e.2.clone())
    }
}

#[derive(Debug, Clone)]
struct Item {
    id: String,
    type_name: String,
    action: Action,
    start: SimTime,
    end: SimTime,
    physical: Option<String>,
    old_physical: Option<String>,
    fail: Option<(SimTime, String)>,
    denied: bool,
    resource: Option<StackResource>,
}

fn policy_denials(
    world_stack: &Stack,
    template: &Template,
    actions: &BTreeMap<String, Action>,
    removed: &[String],
) -> BTreeMap<String, String> {
    let Some(policy) = world_stack.stack_policy.as_deref() else {
        return BTreeMap::new();
    };
    let policy: Value = serde_json::from_str(policy).unwrap_or(json!({}));
    let mut out = BTreeMap::new();
    let mut check = |id: &str, rtype: &str, action: &str| {
        if let Some(reason) = super::policy::denied(&policy, id, rtype, action) {
            out.insert(id.to_string(), reason);
        }
    };
    for (id, a) in actions {
        let rtype = &template.resources[id].type_name;
        match a {
            Action::Modify => check(id, rtype, "Update:Modify"),
            Action::Replace | Action::MaybeReplace => check(id, rtype, "Update:Replace"),
            _ => {}
        }
    }
    for id in removed {
        if let Some(r) = world_stack.resources.get(id) {
            check(id, &r.type_name, "Update:Delete");
        }
    }
    out
}

fn reverse_schedule(
    to_delete: &[(String, String)],
    deps: &BTreeMap<String, BTreeSet<String>>,
    start: SimTime,
    dur: &dyn Fn(&str) -> u64,
) -> BTreeMap<String, (SimTime, SimTime)> {
    // A resource is deleted once everything that depends on it is gone.
    let set: BTreeSet<&String> = to_delete.iter().map(|(id, _)| id).collect();
    let mut sched: BTreeMap<String, (SimTime, SimTime)> = BTreeMap::new();
    let mut left: Vec<&(String, String)> = to_delete.iter().collect();
    while !left.is_empty() {
        let before = left.len();
        left.retain(|(id, _)| {
            let dependents: Vec<&String> = deps
                .iter()
                .filter(|(k, v)| set.contains(k) && v.contains(id))
                .map(|(k, _)| k)
                .collect();
            if dependents.iter().all(|d| sched.contains_key(*d)) {
                let s = dependents
                    .iter()
                    .map(|d| sched[*d].1)
                    .max()
                    .unwrap_or(start)
                    .max(start);
                sched.insert(id.clone(), (s, s.plus_secs(dur(id))));
                false
            } else {
                true
            }
        });
        if left.len() == before {
            // A cycle cannot happen in a validated template; schedule the rest at once.
            for (id, _) in left.drain(..) {
                sched.insert(id.clone(), (start, start.plus_secs(dur(id))));
            }
        }
    }
    sched
}

type DeployOutcome = (Vec<StackEvent>, Committed, SimTime, bool);

#[allow(clippy::too_many_lines)]
fn run_deploy(
    world: &mut World,
    region: Region,
    stack: &Stack,
    cs: &ChangeSet,
    template: &Template,
    kind: Kind,
    faults: &[InjectedFailure],
) -> Result<DeployOutcome, LocalError> {
    let t0 = world.now;
    let account = world.account.clone();
    let ctx = StackContext {
        region,
        account: account.clone(),
        stack_name: stack.name.clone(),
        stack_id: stack.id.clone(),
    };
    let params: IndexMap<String, ResolvedParameter> = cs
        .parameters
        .iter()
        .map(|p| (p.key.clone(), p.clone()))
        .collect();
    let exports = world.exports(region);
    let plan = changeset::plan(template, &ctx, params.clone(), &stack.resources, &|n| {
        exports.get(n).map(|e| e.2.clone())
    })
    .map_err(|e| LocalError::Validation(e.to_string()))?;
    let removed: Vec<String> = stack
        .resources
        .keys()
        .filter(|k| !plan.included.contains(*k))
        .cloned()
        .collect();
    let denials = policy_denials(stack, template, &plan.actions, &removed);
    let order = template
        .dependency_order(&plan.included)
        .map_err(|e| LocalError::Validation(e.to_string()))?;
    let deps = template.dependencies(&plan.included);
    let mut tl = Timeline {
        events: vec![],
        stack_id: stack.id.clone(),
        stack_name: stack.name.clone(),
        seq: world.next_seq() * 10_000,
    };
    tl.stack(
        t0,
        if kind == Kind::Create {
            "CREATE_IN_PROGRESS"
        } else {
            "UPDATE_IN_PROGRESS"
        },
        Some("User Initiated"),
    );
    let first = t0.plus_secs(1);

    // Stores visible to dynamic references: the Region's, plus what this deploy creates.
    let mut ssm = world.regions[&region].ssm.clone();
    let mut secrets: BTreeSet<String> = world.regions[&region]
        .secrets
        .values()
        .flat_map(|s| [s.arn.clone(), s.name.clone()])
        .collect();

    let mut live: BTreeMap<String, (String, String, BTreeMap<String, Value>)> = BTreeMap::new();
    for (id, r) in &stack.resources {
        if plan.included.contains(id) {
            live.insert(
                id.clone(),
                (
                    r.type_name.clone(),
                    r.physical_id.clone(),
                    r.attributes.clone(),
                ),
            );
        }
    }
    let mut generations = stack.generations.clone();
    let mut items: BTreeMap<String, Item> = BTreeMap::new();
    for id in &order {
        let decl = &template.resources[id];
        let mut action = plan.actions[id];
        let ready = deps[id]
            .iter()
            .filter_map(|d| items.get(d))
            .map(|i| i.end)
            .max()
            .unwrap_or(first)
            .max(first);
        let old = stack.resources.get(id);
        if action == Action::Keep {
            let mut r = old.cloned().expect("kept resources exist");
            r.template_properties = decl.properties.clone();
            r.deletion_policy = decl.deletion_policy.clone();
            r.update_replace_policy = decl.update_replace_policy.clone();
            items.insert(
                id.clone(),
                Item {
                    id: id.clone(),
                    type_name: decl.type_name.clone(),
                    action,
                    start: t0,
                    end: t0,
                    physical: Some(r.physical_id.clone()),
                    old_physical: None,
                    fail: None,
                    denied: false,
                    resource: Some(r),
                },
            );
            continue;
        }
        let resolver = Live {
            map: &live,
            exports: &exports,
        };
        let ev = Evaluator {
            template,
            stack: &ctx,
            params: &params,
            conditions: &plan.conditions,
            resolver: &resolver,
        };
        let evaluated = ev.eval(&decl.properties);
        let mut fail: Option<String> = None;
        let props = match evaluated {
            Ok(v) => v,
            Err(e) => {
                fail = Some(e.to_string());
                json!({})
            }
        };
        if fail.is_none() {
            match dynamic_refs(&props) {
                Err(e) => fail = Some(e.to_string()),
                Ok(refs) => {
                    for r in refs {
                        match r {
                            // Wording not documented; the SSM parameter-type message is reused.
                            DynamicRef::Ssm { name } if !ssm.contains_key(&name) => {
                                fail = Some(format!(
                                    "Unable to fetch parameters [{name}] from parameter store for this account."
                                ));
                            }
                            // Secrets Manager's ResourceNotFoundException message.
                            DynamicRef::Secret { secret_id, .. }
                                if !secrets.contains(&secret_id) =>
                            {
                                fail = Some(
                                    "Secrets Manager can't find the specified secret.".to_string(),
                                );
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        if action == Action::MaybeReplace {
            // Now every value is known: replace only if a create-only property really changes.
            let old_props = old.map(|o| o.properties.clone()).unwrap_or(json!({}));
            let mut paths = Vec::new();
            if let (Some(a), Some(b)) = (old_props.as_object(), props.as_object()) {
                for k in a.keys().chain(b.keys()).collect::<BTreeSet<_>>() {
                    if a.get(k) != b.get(k) {
                        paths.push(k.clone());
                    }
                }
            }
            action = if paths.iter().any(|p| {
                facts::requires_recreation(&decl.type_name, p) != RequiresRecreation::Never
            }) {
                Action::Replace
            } else {
                Action::Modify
            };
        }
        let dur = match action {
            Action::Modify => durations::update_secs(&decl.type_name, &props),
            _ => durations::create_secs(&decl.type_name, &props),
        };
        let start = ready;
        let end = start.plus_secs(dur);
        let (physical, attributes) = match action {
            Action::Modify => {
                let o = old.expect("modified resources exist");
                let g = generations.get(id).copied().unwrap_or(1);
                let c = ids::create(
                    &decl.type_name,
                    &IdContext {
                        region,
                        account: &account,
                        stack_name: &stack.name,
                        logical_id: id,
                        generation: g,
                        properties: &props,
                    },
                );
                let mut attrs = o.attributes.clone();
                for (k, v) in c.attributes {
                    // Identity attributes keep their values; property-derived ones follow.
                    if props.get(k.split('.').next().unwrap_or(&k)).is_some() {
                        attrs.insert(k, v);
                    }
                }
                (o.physical_id.clone(), attrs)
            }
            _ => {
                let g = generations.get(id).copied().unwrap_or(0) + 1;
                generations.insert(id.clone(), g);
                let c = ids::create(
                    &decl.type_name,
                    &IdContext {
                        region,
                        account: &account,
                        stack_name: &stack.name,
                        logical_id: id,
                        generation: g,
                        properties: &props,
                    },
                );
                (c.physical_id, c.attributes)
            }
        };
        if action == Action::Replace
            && fail.is_none()
            && old.is_some_and(|o| o.physical_id == physical)
        {
            // The new resource would take the old one's name (DBClusterIdentifier, BucketName,
            // …): CloudFormation refuses instead of creating a clash.
            fail = Some(format!(
                "CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename {physical} and update the stack again."
            ));
        }
        let mut fail_at = fail.map(|r| (start.plus_secs(1), r));
        if let Some(f) = faults.iter().find(|f| &f.logical_id == id)
            && fail_at.is_none()
        {
            fail_at = Some((start.plus_secs((dur / 2).max(2)), f.reason.clone()));
        }
        let denied = denials.contains_key(id);
        if denied {
            fail_at = Some((first, denials[id].clone()));
        }
        if fail_at.is_none() {
            match decl.type_name.as_str() {
                "AWS::SSM::Parameter" => {
                    ssm.insert(
                        physical.clone(),
                        props
                            .get("Value")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    );
                }
                "AWS::SecretsManager::Secret" => {
                    secrets.insert(physical.clone());
                    if let Some(n) = props.get("Name").and_then(Value::as_str) {
                        secrets.insert(n.to_string());
                    }
                }
                _ => {}
            }
        }
        live.insert(
            id.clone(),
            (decl.type_name.clone(), physical.clone(), attributes.clone()),
        );
        let status = match (kind, action) {
            (_, Action::Add) => "CREATE_COMPLETE",
            _ => "UPDATE_COMPLETE",
        };
        let resource = StackResource {
            logical_id: id.clone(),
            type_name: decl.type_name.clone(),
            physical_id: physical.clone(),
            status: status.into(),
            status_reason: None,
            last_updated: end,
            properties: props,
            template_properties: decl.properties.clone(),
            attributes,
            deletion_policy: decl.deletion_policy.clone(),
            update_replace_policy: decl.update_replace_policy.clone(),
            metadata: decl.metadata.clone(),
        };
        items.insert(
            id.clone(),
            Item {
                id: id.clone(),
                type_name: decl.type_name.clone(),
                action,
                start,
                end,
                physical: Some(physical),
                old_physical: old.map(|o| o.physical_id.clone()),
                fail: fail_at,
                denied,
                resource: Some(resource),
            },
        );
    }
    // Removals denied by the stack policy fail at once too.
    let removal_denials: Vec<(&String, &String)> = denials
        .iter()
        .filter(|(k, _)| removed.contains(k))
        .collect();

    // Outputs, exports, imports: evaluated once every resource exists.
    let resolver = Live {
        map: &live,
        exports: &exports,
    };
    let ev = Evaluator {
        template,
        stack: &ctx,
        params: &params,
        conditions: &plan.conditions,
        resolver: &resolver,
    };
    let mut outputs = Vec::new();
    let mut stack_failure: Option<String> = None;
    for (k, o) in &template.outputs {
        if o.condition
            .as_ref()
            .is_some_and(|c| !plan.conditions.get(c).copied().unwrap_or(false))
        {
            continue;
        }
        let value = ev.eval(&o.value).map(|v| match v {
            Value::String(s) => s,
            Value::Array(a) => a
                .iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        });
        let export = o
            .export_name
            .as_ref()
            .map(|e| {
                ev.eval(e)
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            })
            .transpose();
        match (value, export) {
            (Ok(value), Ok(export_name)) => outputs.push(StackOutput {
                key: k.clone(),
                value,
                description: o.description.clone(),
                export_name,
            }),
            (Err(e), _) | (_, Err(e)) => {
                stack_failure.get_or_insert(e.to_string());
            }
        }
    }
    for o in &outputs {
        if let Some(e) = &o.export_name
            && let Some((_, other, _)) = exports.get(e).filter(|x| x.1 != stack.name)
        {
            // CloudFormation: "Export with name X is already exported by stack Y".
            stack_failure.get_or_insert(format!(
                "Export with name {e} is already exported by stack {other}"
            ));
        }
    }
    for old in &stack.outputs {
        let Some(e) = &old.export_name else { continue };
        let users = world.importers(region, e, &stack.name);
        if users.is_empty() {
            continue;
        }
        match outputs
            .iter()
            .find(|o| o.export_name.as_deref() == Some(e.as_str()))
        {
            None => {
                stack_failure.get_or_insert(format!(
                    "Export {e} cannot be deleted as it is in use by {}",
                    users.join(", ")
                ));
            }
            Some(n) if n.value != old.value => {
                stack_failure.get_or_insert(format!(
                    "Cannot update export {e} as it is in use by {}",
                    users.join(", ")
                ));
            }
            _ => {}
        }
    }
    let mut imports = BTreeSet::new();
    super::eval::collect_imports(&template.raw, &mut imports, &|v| {
        ev.eval(v).ok().and_then(|x| x.as_str().map(str::to_string))
    });

    let work: Vec<&Item> = order
        .iter()
        .map(|id| &items[id])
        .filter(|i| i.action != Action::Keep)
        .collect();
    let last_end = work.iter().map(|i| i.end).max().unwrap_or(first);
    let resource_fail = work
        .iter()
        .filter_map(|i| i.fail.as_ref().map(|f| f.0))
        .min();
    let fail_time = match (resource_fail, removal_denials.is_empty(), &stack_failure) {
        (Some(t), _, _) => Some(t),
        (None, false, _) => Some(first),
        (None, true, Some(_)) => Some(last_end.plus_secs(1)),
        (None, true, None) => None,
    };
    let cancelled_reason = if kind == Kind::Create {
        CANCELLED_CREATE
    } else {
        CANCELLED_UPDATE
    };

    let Some(f) = fail_time else {
        // Success.
        for i in &work {
            emit_progress(&mut tl, i, kind, i.end);
        }
        let mut end = last_end.plus_secs(1);
        let mut resources: IndexMap<String, StackResource> = IndexMap::new();
        for id in template.resources.keys() {
            if let Some(i) = items.get(id) {
                resources.insert(id.clone(), i.resource.clone().expect("set"));
            }
        }
        if kind == Kind::Update {
            // Cleanup: old physical resources of replacements, then removed resources.
            let old_template = stack
                .template_body
                .as_deref()
                .and_then(|b| Template::parse(b).ok());
            let old_deps = old_template
                .as_ref()
                .map(|t| t.dependencies(&stack.resources.keys().cloned().collect()))
                .unwrap_or_default();
            let mut to_delete: Vec<(String, String)> = Vec::new();
            for i in &work {
                if i.action == Action::Replace {
                    to_delete.push((i.id.clone(), i.old_physical.clone().unwrap_or_default()));
                }
            }
            for id in &removed {
                to_delete.push((id.clone(), stack.resources[id].physical_id.clone()));
            }
            if !to_delete.is_empty() {
                tl.stack(end, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", None);
                let start = end.plus_secs(1);
                let sched = reverse_schedule(&to_delete, &old_deps, start, &|id| {
                    let r = &stack.resources[id];
                    durations::delete_secs(&r.type_name, &r.properties)
                });
                for (id, phys) in &to_delete {
                    let r = &stack.resources[id];
                    let policy = if removed.contains(id) {
                        r.deletion_policy.as_deref()
                    } else {
                        r.update_replace_policy.as_deref()
                    };
                    let (s, e) = sched[id];
                    if policy == Some("Retain") {
                        tl.push(s, id, Some(phys), &r.type_name, "DELETE_SKIPPED", None);
                    } else {
                        tl.push(s, id, Some(phys), &r.type_name, "DELETE_IN_PROGRESS", None);
                        tl.push(e, id, Some(phys), &r.type_name, "DELETE_COMPLETE", None);
                    }
                }
                end = sched
                    .values()
                    .map(|x| x.1)
                    .max()
                    .unwrap_or(start)
                    .plus_secs(1);
            }
        }
        tl.stack(
            end,
            if kind == Kind::Create {
                "CREATE_COMPLETE"
            } else {
                "UPDATE_COMPLETE"
            },
            None,
        );
        let result = Committed {
            template_body: Some(cs.template_body.clone()),
            parameters: cs.parameters.clone(),
            resources,
            outputs,
            imports,
            deleted: false,
        };
        if let Some(s) = world
            .regions
            .get_mut(&region)
            .and_then(|rs| rs.stacks.iter_mut().find(|s| s.id == stack.id))
        {
            s.generations = generations;
        }
        return Ok((tl.finish(), result, end, true));
    };

    // Failure at `f`: what finished, what failed, what was cancelled, what never started.
    let mut failed_ids: Vec<String> = Vec::new();
    let mut touched: Vec<&Item> = Vec::new(); // started before `f` (or failing at it)
    for i in &work {
        let failing_now = i.fail.as_ref().is_some_and(|x| x.0 == f);
        if i.denied {
            tl.push(
                f,
                &i.id,
                i.old_physical.as_deref(),
                &i.type_name,
                "UPDATE_FAILED",
                i.fail.as_ref().map(|x| x.1.as_str()),
            );
            failed_ids.push(i.id.clone());
            continue;
        }
        if failing_now {
            emit_started(&mut tl, i, kind, f);
            let reason = i.fail.as_ref().map(|x| x.1.as_str());
            let phys = if i.start.plus_secs(1) < f || i.action == Action::Modify {
                i.physical.as_deref()
            } else {
                None
            };
            tl.push(
                f,
                &i.id,
                phys,
                &i.type_name,
                failed_status(i.action),
                reason,
            );
            failed_ids.push(i.id.clone());
            touched.push(i);
        } else if i.end <= f {
            emit_progress(&mut tl, i, kind, i.end);
            touched.push(i);
        } else if i.start < f {
            emit_started(&mut tl, i, kind, f);
            let phys = if i.start.plus_secs(1) < f || i.action == Action::Modify {
                i.physical.as_deref()
            } else {
                None
            };
            tl.push(
                f,
                &i.id,
                phys,
                &i.type_name,
                failed_status(i.action),
                Some(cancelled_reason),
            );
            failed_ids.push(i.id.clone());
            touched.push(i);
        }
    }
    for (id, reason) in &removal_denials {
        let r = &stack.resources[*id];
        tl.push(
            f,
            id,
            Some(&r.physical_id),
            &r.type_name,
            "UPDATE_FAILED",
            Some(reason),
        );
        failed_ids.push((*id).clone());
    }
    failed_ids.sort();
    let rb_start = f.plus_secs(1);
    let reason = if failed_ids.is_empty() {
        stack_failure.clone().unwrap_or_default()
    } else if kind == Kind::Create {
        format!(
            "The following resource(s) failed to create: [{}]. ",
            failed_ids.join(", ")
        )
    } else {
        let verb = if work
            .iter()
            .any(|i| failed_ids.contains(&i.id) && i.action == Action::Add)
            && !work
                .iter()
                .any(|i| failed_ids.contains(&i.id) && i.action != Action::Add)
        {
            "create"
        } else {
            "update"
        };
        format!(
            "The following resource(s) failed to {verb}: [{}]. ",
            failed_ids.join(", ")
        )
    };
    let started_ids: BTreeSet<&String> = touched.iter().map(|i| &i.id).collect();
    if kind == Kind::Create {
        // AWS-FACTS §4: "The following resource(s) failed to create: [A, B]. Rollback
        // requested by user."
        let reason = format!(
            "{}Rollback requested by user.",
            if reason.ends_with(' ') {
                reason.clone()
            } else if reason.ends_with('.') {
                format!("{reason} ")
            } else {
                format!("{reason}. ")
            }
        );
        tl.stack(rb_start, "ROLLBACK_IN_PROGRESS", Some(&reason));
        let to_delete: Vec<(String, String)> = touched
            .iter()
            .map(|i| (i.id.clone(), i.physical.clone().unwrap_or_default()))
            .collect();
        let sched = reverse_schedule(&to_delete, &deps, rb_start.plus_secs(1), &|id| {
            let i = &items[id];
            let initiated = i.start.plus_secs(1) < f || i.end <= f;
            if initiated {
                durations::delete_secs(&i.type_name, &json!({}))
            } else {
                1
            }
        });
        for i in &touched {
            let (s, e) = sched[&i.id];
            let initiated = i.start.plus_secs(1) < f || i.end <= f;
            let decl = &template.resources[&i.id];
            if decl.deletion_policy.as_deref() == Some("Retain") && initiated {
                tl.push(
                    s,
                    &i.id,
                    i.physical.as_deref(),
                    &i.type_name,
                    "DELETE_SKIPPED",
                    None,
                );
            } else if initiated {
                tl.push(
                    s,
                    &i.id,
                    i.physical.as_deref(),
                    &i.type_name,
                    "DELETE_IN_PROGRESS",
                    None,
                );
                tl.push(
                    e,
                    &i.id,
                    i.physical.as_deref(),
                    &i.type_name,
                    "DELETE_COMPLETE",
                    None,
                );
            } else {
                tl.push(e, &i.id, None, &i.type_name, "DELETE_COMPLETE", None);
            }
        }
        let end = sched
            .values()
            .map(|x| x.1)
            .max()
            .unwrap_or(rb_start)
            .plus_secs(1);
        tl.stack(end, "ROLLBACK_COMPLETE", None);
        let result = Committed {
            template_body: Some(cs.template_body.clone()),
            parameters: cs.parameters.clone(),
            resources: IndexMap::new(),
            outputs: vec![],
            imports: BTreeSet::new(),
            deleted: false,
        };
        return Ok((tl.finish(), result, end, false));
    }
    tl.stack(rb_start, "UPDATE_ROLLBACK_IN_PROGRESS", Some(&reason));
    // Put modified and replaced resources back, in reverse dependency order.
    let reverts: Vec<(String, String)> = touched
        .iter()
        .filter(|i| matches!(i.action, Action::Modify | Action::Replace))
        .map(|i| (i.id.clone(), i.old_physical.clone().unwrap_or_default()))
        .collect();
    let sched = reverse_schedule(&reverts, &deps, rb_start.plus_secs(1), &|id| {
        durations::update_secs(&items[id].type_name, &json!({}))
    });
    for (id, phys) in &reverts {
        let (s, e) = sched[id];
        let t = &items[id].type_name;
        tl.push(s, id, Some(phys), t, "UPDATE_IN_PROGRESS", None);
        tl.push(e, id, Some(phys), t, "UPDATE_COMPLETE", None);
    }
    let mut end = sched
        .values()
        .map(|x| x.1)
        .max()
        .unwrap_or(rb_start)
        .plus_secs(1);
    // Cleanup: delete what this update created (added resources, new replacements).
    let created: Vec<(String, String)> = touched
        .iter()
        .filter(|i| {
            matches!(i.action, Action::Add | Action::Replace)
                && (i.start.plus_secs(1) < f || i.end <= f)
        })
        .map(|i| (i.id.clone(), i.physical.clone().unwrap_or_default()))
        .collect();
    if !created.is_empty() || touched.iter().any(|i| i.action == Action::Add) {
        tl.stack(end, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", None);
        let start = end.plus_secs(1);
        let sched = reverse_schedule(&created, &deps, start, &|id| {
            durations::delete_secs(&items[id].type_name, &json!({}))
        });
        for (id, phys) in &created {
            let (s, e) = sched[id];
            let t = &items[id].type_name;
            tl.push(s, id, Some(phys), t, "DELETE_IN_PROGRESS", None);
            tl.push(e, id, Some(phys), t, "DELETE_COMPLETE", None);
        }
        for i in touched
            .iter()
            .filter(|i| i.action == Action::Add && !created.iter().any(|(c, _)| c == &i.id))
        {
            tl.push(start, &i.id, None, &i.type_name, "DELETE_COMPLETE", None);
        }
        end = sched
            .values()
            .map(|x| x.1)
            .max()
            .unwrap_or(start)
            .plus_secs(1);
    }
    let _ = started_ids;
    tl.stack(end, "UPDATE_ROLLBACK_COMPLETE", None);
    let result = Committed {
        template_body: stack.template_body.clone(),
        parameters: stack.parameters.clone(),
        resources: stack.resources.clone(),
        outputs: stack.outputs.clone(),
        imports: stack.imports.clone(),
        deleted: false,
    };
    if let Some(s) = world
        .regions
        .get_mut(&region)
        .and_then(|rs| rs.stacks.iter_mut().find(|s| s.id == stack.id))
    {
        s.generations = generations;
    }
    Ok((tl.finish(), result, end, false))
}

fn failed_status(a: Action) -> &'static str {
    if a == Action::Add {
        "CREATE_FAILED"
    } else {
        "UPDATE_FAILED"
    }
}

/// The events of a resource that started and was still running at `until` (exclusive).
fn emit_started(tl: &mut Timeline, i: &Item, _kind: Kind, until: SimTime) {
    match i.action {
        Action::Add => {
            tl.push(
                i.start,
                &i.id,
                None,
                &i.type_name,
                "CREATE_IN_PROGRESS",
                None,
            );
            if i.start.plus_secs(1) < until {
                tl.push(
                    i.start.plus_secs(1),
                    &i.id,
                    i.physical.as_deref(),
                    &i.type_name,
                    "CREATE_IN_PROGRESS",
                    Some("Resource creation Initiated"),
                );
            }
        }
        Action::Replace | Action::MaybeReplace => {
            tl.push(
                i.start,
                &i.id,
                i.old_physical.as_deref(),
                &i.type_name,
                "UPDATE_IN_PROGRESS",
                Some("Requested update requires the creation of a new physical resource; hence creating one."),
            );
            if i.start.plus_secs(1) < until {
                tl.push(
                    i.start.plus_secs(1),
                    &i.id,
                    i.physical.as_deref(),
                    &i.type_name,
                    "UPDATE_IN_PROGRESS",
                    Some("Resource creation Initiated"),
                );
            }
        }
        Action::Modify => tl.push(
            i.start,
            &i.id,
            i.physical.as_deref(),
            &i.type_name,
            "UPDATE_IN_PROGRESS",
            None,
        ),
        Action::Keep => {}
    }
}

/// The events of a resource that completed at `end`.
fn emit_progress(tl: &mut Timeline, i: &Item, kind: Kind, end: SimTime) {
    emit_started(tl, i, kind, end);
    let status = if i.action == Action::Add {
        "CREATE_COMPLETE"
    } else {
        "UPDATE_COMPLETE"
    };
    tl.push(
        end,
        &i.id,
        i.physical.as_deref(),
        &i.type_name,
        status,
        None,
    );
}

fn run_delete(
    world: &World,
    region: Region,
    stack: &Stack,
    seq: u64,
) -> (Vec<StackEvent>, Committed, SimTime) {
    let t0 = world.now;
    let mut tl = Timeline {
        events: vec![],
        stack_id: stack.id.clone(),
        stack_name: stack.name.clone(),
        seq: seq * 10_000,
    };
    let keep = Committed {
        template_body: stack.template_body.clone(),
        parameters: stack.parameters.clone(),
        resources: stack.resources.clone(),
        outputs: stack.outputs.clone(),
        imports: stack.imports.clone(),
        deleted: false,
    };
    tl.stack(t0, "DELETE_IN_PROGRESS", Some("User Initiated"));
    // An export in use blocks the deletion before any resource is touched.
    for o in &stack.outputs {
        if let Some(e) = &o.export_name {
            let users = world.importers(region, e, &stack.name);
            if !users.is_empty() {
                let end = t0.plus_secs(1);
                tl.stack(
                    end,
                    "DELETE_FAILED",
                    Some(&format!(
                        "Export {e} cannot be deleted as it is in use by {}",
                        users.join(", ")
                    )),
                );
                return (tl.finish(), keep, end);
            }
        }
    }
    let template = stack
        .template_body
        .as_deref()
        .and_then(|b| Template::parse(b).ok());
    let deps = template
        .as_ref()
        .map(|t| t.dependencies(&stack.resources.keys().cloned().collect()))
        .unwrap_or_default();
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
    by_time.sort_by_key(|(id, _)| sched[id].0);
    let mut fail_time: Option<SimTime> = None;
    for (id, phys) in by_time {
        let r = &stack.resources[id];
        let (s, e) = sched[id];
        if blocked.contains(id) || fail_time.is_some_and(|f| s > f) {
            continue;
        }
        let protected = r
            .properties
            .get("DeletionProtection")
            .is_some_and(|v| v == &json!(true) || v == &json!("true"));
        match r.deletion_policy.as_deref() {
            Some("Retain") | Some("RetainExceptOnCreate") => {
                tl.push(s, id, Some(phys), &r.type_name, "DELETE_SKIPPED", None);
                remaining.shift_remove(id);
            }
            _ if protected
                && matches!(
                    r.type_name.as_str(),
                    "AWS::RDS::DBCluster" | "AWS::RDS::DBInstance" | "AWS::RDS::GlobalCluster"
                ) =>
            {
                tl.push(s, id, Some(phys), &r.type_name, "DELETE_IN_PROGRESS", None);
                let what = match r.type_name.as_str() {
                    "AWS::RDS::DBCluster" => "Cluster",
                    "AWS::RDS::DBInstance" => "DB Instance",
                    _ => "Global Cluster",
                };
                // RDS's InvalidParameterCombination message for a protected cluster.
                tl.push(s.plus_secs(1), id, Some(phys), &r.type_name, "DELETE_FAILED", Some(&format!("Cannot delete protected {what}, please disable deletion protection and try again.")));
                failed.push(id.clone());
                fail_time.get_or_insert(s.plus_secs(1));
                for (k, v) in &deps {
                    if k == id {
                        blocked.extend(v.iter().cloned());
                    }
                }
            }
            _ => {
                tl.push(s, id, Some(phys), &r.type_name, "DELETE_IN_PROGRESS", None);
                tl.push(e, id, Some(phys), &r.type_name, "DELETE_COMPLETE", None);
                remaining.shift_remove(id);
            }
        }
    }
    let last = tl
        .events
        .iter()
        .map(|e| SimTime::from(e.timestamp))
        .max()
        .unwrap_or(t0);
    let end = last.plus_secs(1);
    if failed.is_empty() {
        tl.stack(end, "DELETE_COMPLETE", None);
        let gone = Committed {
            resources: IndexMap::new(),
            outputs: vec![],
            deleted: true,
            ..keep
        };
        (tl.finish(), gone, end)
    } else {
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
        (tl.finish(), partial, end)
    }
}
