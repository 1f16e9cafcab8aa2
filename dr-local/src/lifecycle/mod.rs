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
use crate::state::{
    ChangeSet, Committed, Operation, RetainedResource, Stack, StackResource, World,
};

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
    /// `ClientToken`: a request of an existing change set's name with its token is the same
    /// request again.
    pub client_token: Option<&'a str>,
}

/// What `ExecuteChangeSet` is told besides the change set.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExecuteOptions<'a> {
    /// `ClientRequestToken`.
    pub client_request_token: Option<&'a str>,
    /// `RetainExceptOnCreate`: a rollback deletes what this operation created, `Retain` or not.
    pub retain_except_on_create: bool,
}

/// What `DeleteStack` is told besides the stack.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeleteOptions<'a> {
    /// `RetainResources`: logical ids to leave in the account rather than delete.
    pub retain_resources: &'a [String],
    /// `DeletionMode` `FORCE_DELETE_STACK`: delete the stack, leaving behind what fails to
    /// delete.
    pub force: bool,
}

/// A token as CloudFormation compares it: an empty one is none.
fn token(t: Option<&str>) -> Option<&str> {
    t.filter(|t| !t.is_empty())
}

/// A stack operation that completed, as [`World::settle`] hands it to the service models.
struct Settled {
    region: Region,
    stack_id: String,
    stack_name: String,
    before: IndexMap<String, StackResource>,
    after: IndexMap<String, StackResource>,
    retained: Vec<StackResource>,
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
                    let retained = r.retained;
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
                    settled.push(Settled {
                        region: *region,
                        stack_id: stack.id.clone(),
                        stack_name: stack.name.clone(),
                        before,
                        after: stack.resources.clone(),
                        retained,
                    });
                }
            }
        }
        let any = !settled.is_empty();
        let now = self.now;
        for mut s in settled {
            // What the operation left in the account stays in the service models: a resource
            // the stack had is not unregistered, one the operation made (and a rollback kept)
            // is registered.
            let mut made = IndexMap::new();
            for r in &s.retained {
                let had = s
                    .before
                    .get(&r.logical_id)
                    .is_some_and(|b| b.physical_id == r.physical_id);
                if had {
                    s.before.shift_remove(&r.logical_id);
                } else {
                    made.insert(r.logical_id.clone(), r.clone());
                }
                self.region(s.region).retained.push(RetainedResource {
                    stack_id: s.stack_id.clone(),
                    logical_id: r.logical_id.clone(),
                    type_name: r.type_name.clone(),
                    physical_id: r.physical_id.clone(),
                    since: now,
                });
            }
            services::sync(self, s.region, &s.stack_name, &s.before, &s.after);
            if !made.is_empty() {
                services::sync(self, s.region, &s.stack_name, &IndexMap::new(), &made);
            }
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
        if let Some(i) = existing {
            let stack = &self.regions[&region].stacks[i];
            if let Some(c) = stack
                .change_sets
                .iter()
                .find(|c| c.name == req.change_set_name)
            {
                return same_change_set(c, &req).map(|()| (c.id.clone(), stack.id.clone()));
            }
        }
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
                    // CloudFormation's ValidationError (observed in
                    // <https://github.com/compose-x/ecs_composex/issues/785>).
                    return Err(LocalError::Validation(format!(
                        "Stack [{stack_name}] already exists and cannot be created again with the changeSet [{}].",
                        req.change_set_name
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
            client_token: token(req.client_token).map(str::to_string),
            execute_token: None,
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
        options: ExecuteOptions<'_>,
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
        // The same request again (the SDK's retry after a lost answer) is the execution
        // already under way or done, not a second one ("ExecuteChangeSet", ClientRequestToken:
        // "so that CloudFormation knows that you're not attempting to execute a change set to
        // update a stack with the same name",
        // <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html>).
        if cs.execution_status.starts_with("EXECUTE_")
            && token(options.client_request_token).is_some()
            && token(options.client_request_token) == cs.execute_token.as_deref()
        {
            return Ok(());
        }
        check_executable(now, &stack, &cs)?;
        let template = Template::parse(&cs.template_body)
            .map_err(|e| LocalError::Validation(e.to_string()))?;
        let mine = take_faults(faults, region, &stack.name);
        let kind = if cs.change_set_type == "CREATE" {
            Kind::Create
        } else {
            Kind::Update
        };
        let asked = deploy::Asked {
            faults: &mine,
            retain_except_on_create: options.retain_except_on_create,
        };
        let outcome = deploy::run_deploy(self, region, &stack, &cs, &template, kind, asked)?;
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
            c.execute_token = token(options.client_request_token).map(str::to_string);
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

    /// `DeleteStack`. A repeated call while the deletion runs is accepted and changes nothing,
    /// as is one for a stack that does not exist.
    pub fn delete_stack(
        &mut self,
        region: Region,
        stack_name: &str,
        options: DeleteOptions<'_>,
    ) -> Result<(), LocalError> {
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
        check_delete_options(&stack, &status, options)?;
        let seq = self.next_seq();
        let outcome = delete::run_delete(self, region, &stack, seq, options);
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

/// Whether `DeleteStack`'s `RetainResources` and `DeletionMode` suit `stack`, in `status`.
/// Both are for a stack in `DELETE_FAILED` only ("DeleteStack",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStack.html>),
/// refused otherwise with CloudFormation's ValidationError: for `FORCE_DELETE_STACK` as
/// observed in <https://github.com/awslabs/eks-perf-tests/pull/517>; for `RetainResources`
/// the same "Invalid operation on stack" form, whose second sentence is observed in
/// <https://github.com/aws/sagemaker-hyperpod-cli> (its tests quote "specify which resources
/// to retain only when the stack is in the DELETE_FAILED state"). A resource to retain must
/// still be in the stack: "The specified resources to retain must be in a valid state. Do
/// not specify resources that are in the DELETE_COMPLETE state." (observed in
/// <https://github.com/rebuy-de/aws-nuke/issues/270>).
fn check_delete_options(
    stack: &Stack,
    status: &str,
    options: DeleteOptions<'_>,
) -> Result<(), LocalError> {
    if status != "DELETE_FAILED" {
        if options.force {
            return Err(LocalError::Validation(format!(
                "Invalid operation on stack [{}]. You can activate DeletionMode FORCE_DELETE_STACK in a delete stack operation only when the stack is in the DELETE_FAILED state.",
                stack.id
            )));
        }
        if !options.retain_resources.is_empty() {
            return Err(LocalError::Validation(format!(
                "Invalid operation on stack [{}]. When you delete a stack, specify which resources to retain only when the stack is in the DELETE_FAILED state.",
                stack.id
            )));
        }
    }
    if options
        .retain_resources
        .iter()
        .any(|id| !stack.resources.contains_key(id))
    {
        return Err(LocalError::Validation(
            "The specified resources to retain must be in a valid state. Do not specify resources that are in the DELETE_COMPLETE state.".into(),
        ));
    }
    Ok(())
}

/// Whether `req`, for a change set name `existing` already has, is the request that made it:
/// the same non-empty `ClientToken` and template. Otherwise CloudFormation answers
/// `AlreadyExistsException` naming the attribute that differs, e.g. "ChangeSet
/// cdk-deploy-change-set cannot be created due to a mismatch with existing attribute
/// ClientToken" (observed in
/// <https://github.com/awslabs/landing-zone-accelerator-on-aws/issues/442>, two deploys with
/// different tokens) and "... attribute Template" (observed in
/// <https://github.com/saksdirect/nova/issues/10>, no tokens, another template). With no
/// token on either side and the same template the answer was not found; the API reference
/// says a retry is recognised only by its token ("CreateChangeSet", ClientToken,
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html>),
/// so the simulator refuses it too, naming `ClientToken` (its wording for this case is not
/// confirmed). `AlreadyExistsException` is rejected input: the aws backend maps it to
/// `Validation`.
fn same_change_set(existing: &ChangeSet, req: &ChangeSetRequest<'_>) -> Result<(), LocalError> {
    let mismatch = |attribute: &str| {
        Err(LocalError::Validation(format!(
            "ChangeSet {} cannot be created due to a mismatch with existing attribute {attribute}",
            req.change_set_name
        )))
    };
    let (theirs, ours) = (existing.client_token.as_deref(), token(req.client_token));
    if theirs != ours {
        return mismatch("ClientToken");
    }
    if existing.template_body != req.template_body {
        return mismatch("Template");
    }
    if ours.is_none() {
        return mismatch("ClientToken");
    }
    Ok(())
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
    // CloudFormation's InvalidChangeSetStatus wording: "... cannot be executed in its current
    // status of [CREATE_IN_PROGRESS]" (observed in
    // <https://github.com/saksdirect/nova/issues/10>) and, for a change set that is complete
    // but not AVAILABLE, "... in its current execution status of [OBSOLETE]" (observed in
    // <https://github.com/aws/amazon-chime-sdk-js/issues/1089>).
    if cs_status != "CREATE_COMPLETE" {
        return Err(LocalError::InvalidState(format!(
            "ChangeSet [{}] cannot be executed in its current status of [{cs_status}]",
            cs.id
        )));
    }
    if cs.execution_status != "AVAILABLE" {
        return Err(LocalError::InvalidState(format!(
            "ChangeSet [{}] cannot be executed in its current execution status of [{}]",
            cs.id, cs.execution_status
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
        retained: vec![],
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
