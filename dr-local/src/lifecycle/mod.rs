//! Stack lifecycle on the virtual clock: change sets, execution (create and update, with
//! rollback), deletion. An operation computes its whole timeline when it starts: every event
//! with its virtual timestamp, and the stack's final state, applied when the clock passes the
//! last event. Reads in between see the events up to "now", so a poller sees the statuses
//! CloudFormation would show, in CloudFormation's order ("Viewing stack event history",
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-listing-event-history.html>).

mod delete;
mod deploy;
mod outputs;
mod provider_rules;
pub(crate) mod references;
mod resources;
mod rollback;
mod schedule;
mod timeline;

use std::collections::{BTreeMap, BTreeSet};

use dr_core::Region;
use dr_core::cloud::{ResourceStatus, StackEvent};
use indexmap::IndexMap;
use serde_json::Value;

use self::timeline::Kind;
use crate::LocalError;
use crate::changeset;
use crate::clock::SimTime;
use crate::durations;
use crate::eval::{ResolvedParameter, StackContext, Template, resolve_parameters};
use crate::ids;
use crate::services;
use crate::state::{ChangeSet, Committed, Operation, Stack, StackResource, World};

const STACK_TYPE: &str = "AWS::CloudFormation::Stack";
/// The status reason of resources whose create was cancelled because another failed (observed
/// in <https://github.com/aws-samples/aws-serverless-workshops/issues/210>).
pub const CANCELLED_CREATE: &str = "Resource creation cancelled";
/// The update counterpart of [`CANCELLED_CREATE`].
pub const CANCELLED_UPDATE: &str = "Resource update cancelled";
/// The status reason of a change set with nothing to change (observed in
/// <https://github.com/realestate-com-au/stackup/issues/49>).
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

/// One export of a Region, as `ListExports` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// Id of the exporting stack.
    pub stack_id: String,
    /// Name of the exporting stack.
    pub stack_name: String,
    /// The exported value, what `Fn::ImportValue` returns.
    pub value: String,
}

/// The arguments of `CreateChangeSet`, once the template has been read from its body or URL.
#[derive(Debug, Clone, Copy)]
pub struct ChangeSetRequest<'a> {
    /// Name of the stack, existing or to create.
    pub stack_name: &'a str,
    /// Name of the change set, unique within the stack.
    pub change_set_name: &'a str,
    /// The template.
    pub template_body: &'a str,
    /// Parameter values given, as (key, value).
    pub parameters: &'a [(String, String)],
    /// `CREATE` or `UPDATE`; CloudFormation's wording rejects anything else.
    pub change_set_type: &'a str,
    /// The change set's description.
    pub description: Option<&'a str>,
}

/// An operation's whole timeline, computed when it starts.
struct Outcome {
    /// Every event of the operation, in time order.
    events: Vec<StackEvent>,
    /// The stack's state once the clock passes `end`.
    result: Committed,
    /// When the last event happens and `result` applies.
    end: SimTime,
    /// Whether the operation did what was asked, rather than roll back or fail.
    succeeded: bool,
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

    /// The exports of a Region, by export name.
    pub fn exports(&self, region: Region) -> BTreeMap<String, Export> {
        let mut out = BTreeMap::new();
        if let Some(rs) = self.regions.get(&region) {
            for s in rs.stacks.iter().filter(|s| s.deleted.is_none()) {
                for o in &s.outputs {
                    if let Some(e) = &o.export_name {
                        out.insert(
                            e.clone(),
                            Export {
                                stack_id: s.id.clone(),
                                stack_name: s.name.clone(),
                                value: o.value.clone(),
                            },
                        );
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

    /// The live stack named `name` (or with that id) in `region`.
    pub(crate) fn stack_mut(
        &mut self,
        region: Region,
        name: &str,
    ) -> Result<&mut Stack, LocalError> {
        let rs = self.region(region);
        let i = rs
            .stack_index(name)
            .ok_or_else(|| LocalError::stack_not_found(name))?;
        let s = &mut rs.stacks[i];
        if s.deleted.is_some() {
            return Err(LocalError::stack_not_found(name));
        }
        Ok(s)
    }

    /// `CreateChangeSet`. Returns (change set id, stack id).
    pub fn create_change_set(
        &mut self,
        region: Region,
        req: ChangeSetRequest<'_>,
    ) -> Result<(String, String), LocalError> {
        let existing = self
            .region(region)
            .stack_index(req.stack_name)
            .filter(|i| self.regions[&region].stacks[*i].deleted.is_none());
        self.check_change_set_type(region, &req, existing)?;
        dr_core::template::check_stack_name(req.stack_name).map_err(LocalError::Validation)?;
        let template = Template::parse(req.template_body)
            .map_err(|e| LocalError::Validation(e.to_string()))?;
        // A new stack appears at once, in REVIEW_IN_PROGRESS ("Create a stack from a change
        // set",
        // <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-console-create-stacks-changesets.html>).
        let idx = match existing {
            Some(i) => i,
            None => self.create_review_stack(region, req.stack_name, &template),
        };
        let stack = self.regions[&region].stacks[idx].clone();
        if stack
            .change_sets
            .iter()
            .any(|c| c.name == req.change_set_name)
        {
            return Err(LocalError::InvalidState(format!(
                "ChangeSet [{}] already exists",
                req.change_set_name
            )));
        }
        let cs = self.compute_change_set(region, &stack, &template, &req)?;
        let out = (cs.id.clone(), stack.id.clone());
        self.regions.get_mut(&region).expect("exists").stacks[idx]
            .change_sets
            .push(cs);
        Ok(out)
    }

    /// Whether a change set of `req.change_set_type` may be created, given the stack at index
    /// `existing` (if it exists and is not deleted).
    fn check_change_set_type(
        &self,
        region: Region,
        req: &ChangeSetRequest<'_>,
        existing: Option<usize>,
    ) -> Result<(), LocalError> {
        let now = self.now;
        let stack_name = req.stack_name;
        match (req.change_set_type, existing) {
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
                // operation in flight allows nothing ("Stack status codes",
                // <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-describing-stacks.html>).
                if !dr_core::cloud::StackStatus::from_aws(&status).is_updatable() {
                    // CloudFormation's wording (observed in
                    // <https://github.com/serverless/serverless/issues/5630>):
                    // "… is in ROLLBACK_COMPLETE state and can not be updated."
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
        Ok(())
    }

    /// Adds the stack a first CREATE change set makes, in REVIEW_IN_PROGRESS with no resources.
    /// Returns its index in the Region's stacks.
    fn create_review_stack(
        &mut self,
        region: Region,
        stack_name: &str,
        template: &Template,
    ) -> usize {
        let now = self.now;
        let seq = self.next_seq();
        let id = format!(
            "arn:aws:cloudformation:{region}:{}:stack/{stack_name}/{}",
            self.account,
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

    /// The change set of `template` against `stack`: its changes, and whether it is the empty
    /// change set CloudFormation refuses to execute.
    fn compute_change_set(
        &mut self,
        region: Region,
        stack: &Stack,
        template: &Template,
        req: &ChangeSetRequest<'_>,
    ) -> Result<ChangeSet, LocalError> {
        let now = self.now;
        let account = self.account.clone();
        let ctx = StackContext {
            region,
            account: account.clone(),
            stack_name: stack.name.clone(),
            stack_id: stack.id.clone(),
        };
        let ssm = self.regions[&region].ssm.clone();
        let exports = self.exports(region);
        let known = references::Known::of(self, region, std::iter::empty());
        let params = resolve_parameters(
            template,
            req.parameters,
            region,
            &|n| ssm.get(n).cloned(),
            &|what, id| known.has(what, id),
        )
        .map_err(|e| LocalError::Validation(e.to_string()))?;
        let plan = changeset::plan(template, &ctx, params, &stack.resources, &|n| {
            exports.get(n).map(|e| e.value.clone())
        })
        .map_err(|e| LocalError::Validation(e.to_string()))?;
        let new_params: Vec<ResolvedParameter> = plan.params.values().cloned().collect();
        let same_template = stack
            .template_body
            .as_deref()
            .and_then(|b| serde_json::from_str::<Value>(b).ok())
            == Some(template.raw.clone());
        let unchanged = req.change_set_type == "UPDATE"
            && plan.changes.is_empty()
            && same_template
            && stack.parameters == new_params;
        let seq = self.next_seq();
        Ok(ChangeSet {
            id: format!(
                "arn:aws:cloudformation:{region}:{account}:changeSet/{}/{}",
                req.change_set_name,
                ids::uuid(&format!("cs/{seq}"))
            ),
            name: req.change_set_name.to_string(),
            change_set_type: req.change_set_type.to_string(),
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
            template_body: req.template_body.to_string(),
            parameters: new_params,
            changes: plan.changes,
            description: req.description.map(str::to_string),
        })
    }

    /// `DeleteChangeSet`.
    pub fn delete_change_set(
        &mut self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> Result<(), LocalError> {
        let rs = self.region(region);
        let stack = rs
            .stacks
            .iter_mut()
            .find(|s| {
                s.change_sets.iter().any(|c| c.id == change_set)
                    || (s.name == stack_name || s.id == stack_name) && s.deleted.is_none()
            })
            .ok_or_else(|| LocalError::change_set_not_found(change_set))?;
        let i = stack
            .change_sets
            .iter()
            .position(|c| c.id == change_set || c.name == change_set)
            .ok_or_else(|| LocalError::change_set_not_found(change_set))?;
        if stack.change_sets[i].execution_status == "EXECUTE_IN_PROGRESS" {
            return Err(LocalError::InvalidState(format!(
                "ChangeSet [{change_set}] cannot be deleted while its execution is in progress"
            )));
        }
        stack.change_sets.remove(i);
        // A stack created for a CREATE change set and never executed stays in
        // REVIEW_IN_PROGRESS, as in CloudFormation.
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
            .ok_or_else(|| LocalError::change_set_not_found(change_set))?;
        let cs = stack
            .change_sets
            .iter()
            .find(|c| c.id == change_set || c.name == change_set)
            .cloned()
            .ok_or_else(|| LocalError::change_set_not_found(change_set))?;
        check_executable(now, &stack, &cs)?;
        let template = Template::parse(&cs.template_body)
            .map_err(|e| LocalError::Validation(e.to_string()))?;
        let mine = take_faults(faults, region, &stack.name);
        let kind = if cs.change_set_type == "CREATE" {
            Kind::Create
        } else {
            Kind::Update
        };
        let outcome = deploy::run_deploy(self, region, &stack, &cs, &template, kind, &mine)?;
        // Failures not consumed (the resource was not touched) stay armed.
        for f in mine {
            if !outcome.events.iter().any(|e| {
                e.logical_id == f.logical_id
                    && e.status_reason.as_deref() == Some(f.reason.as_str())
            }) {
                faults.push(f);
            }
        }
        let s = self.stack_mut(region, &stack.name)?;
        append_events(s, outcome.events);
        s.last_updated = if kind == Kind::Update {
            Some(now)
        } else {
            None
        };
        // Executing a change set deletes the stack's other change sets ("ExecuteChangeSet",
        // <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html>).
        s.change_sets.retain(|c| c.id == cs.id);
        if let Some(c) = s.change_sets.first_mut() {
            c.execution_status = "EXECUTE_IN_PROGRESS".into();
        }
        s.op = Some(Operation {
            start: now,
            end: outcome.end,
            result: outcome.result,
            change_set: Some((
                cs.id.clone(),
                if outcome.succeeded {
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
            // "Protect a stack from being deleted",
            // <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-protect-stacks.html>;
            // CloudFormation's ValidationError wording.
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
        let outcome = delete::run_delete(self, region, &stack, seq);
        let s = &mut self.region(region).stacks[i];
        append_events(s, outcome.events);
        s.op = Some(Operation {
            start: now,
            end: outcome.end,
            result: outcome.result,
            change_set: None,
        });
        if outcome.succeeded {
            s.change_sets.clear();
        }
        Ok(())
    }
}

/// Whether change set `cs` of `stack` can be executed now: it must be ready and available,
/// and the stack must not be in an operation or only deletable.
fn check_executable(now: SimTime, stack: &Stack, cs: &ChangeSet) -> Result<(), LocalError> {
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
    Ok(())
}

/// Removes from `faults` (and returns) those armed for the stack `stack_name` of `region`.
fn take_faults(
    faults: &mut Vec<InjectedFailure>,
    region: Region,
    stack_name: &str,
) -> Vec<InjectedFailure> {
    let (mine, rest): (Vec<_>, Vec<_>) = faults
        .drain(..)
        .partition(|f| f.region == region && f.stack == stack_name);
    *faults = rest;
    mine
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

/// The stack's committed state unchanged: what a failed deletion or a rolled-back update
/// leaves.
fn unchanged(stack: &Stack) -> Committed {
    Committed {
        template_body: stack.template_body.clone(),
        parameters: stack.parameters.clone(),
        resources: stack.resources.clone(),
        outputs: stack.outputs.clone(),
        imports: stack.imports.clone(),
        deleted: false,
    }
}

/// Per resource of the stack as it stands, the resources it depends on, from its committed
/// template; deletions run in the reverse of this order.
fn committed_dependencies(stack: &Stack) -> BTreeMap<String, BTreeSet<String>> {
    stack
        .template_body
        .as_deref()
        .and_then(|b| Template::parse(b).ok())
        .map(|t| t.dependencies(&stack.resources.keys().cloned().collect()))
        .unwrap_or_default()
}
