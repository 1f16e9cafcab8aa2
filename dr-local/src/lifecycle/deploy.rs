//! Executing a change set: the plan and the dependency order, the success path with its
//! cleanup, and the sequence that ties them to the resources ([`super::resources`]), the
//! outputs and exports ([`super::outputs`]) and the rollback ([`super::rollback`]).

use std::collections::{BTreeMap, BTreeSet};

use dr_core::Region;
use indexmap::IndexMap;
use serde_json::{Value, json};

use super::outputs::StackResults;
use super::resources::{Built, Item};
use super::rollback::Rollback;
use super::schedule::reverse_schedule;
use super::timeline::{Kind, Timeline, emit_progress};
use super::{Export, InjectedFailure, Outcome, committed_dependencies};
use crate::LocalError;
use crate::changeset::{self, Action, Plan};
use crate::clock::SimTime;
use crate::durations;
use crate::eval::{Evaluator, ResolvedParameter, Resolver, StackContext, Template};
use crate::state::{ChangeSet, Committed, Stack, StackResource, World};

/// What a deploy works from, fixed before any resource is touched.
pub(super) struct Deploy<'a> {
    /// Region of the stack.
    pub(super) region: Region,
    /// The account, for physical ids.
    pub(super) account: String,
    /// The stack as it stands before the deploy.
    pub(super) stack: &'a Stack,
    /// The change set executed.
    pub(super) cs: &'a ChangeSet,
    /// The change set's template.
    pub(super) template: &'a Template,
    /// Whether the deploy creates the stack or updates it.
    pub(super) kind: Kind,
    /// The pseudo parameters.
    pub(super) ctx: StackContext,
    /// The change set's parameters, by key.
    pub(super) params: IndexMap<String, ResolvedParameter>,
    /// The Region's exports before the deploy.
    pub(super) exports: BTreeMap<String, Export>,
    /// The change set, recomputed now that it runs.
    pub(super) plan: Plan,
    /// Resources of the stack that the new template no longer has.
    pub(super) removed: Vec<String>,
    /// Resources (changed or removed) whose change the stack policy denies, with the reason.
    pub(super) denials: BTreeMap<String, String>,
    /// The resources of the new template, dependencies first.
    pub(super) order: Vec<String>,
    /// Per resource of the new template, the resources it depends on.
    pub(super) deps: BTreeMap<String, BTreeSet<String>>,
    /// When the deploy starts.
    pub(super) t0: SimTime,
    /// When resources can start: one second after the stack's first event.
    pub(super) first: SimTime,
}

/// What the caller of an execution asked for besides the change set.
#[derive(Debug, Clone, Copy)]
pub(super) struct Asked<'a> {
    /// The failures the tests armed for this stack.
    pub(super) faults: &'a [InjectedFailure],
    /// `ExecuteChangeSet`'s `RetainExceptOnCreate`.
    pub(super) retain_except_on_create: bool,
}

/// Executes change set `cs` of `stack`: computes the whole operation now, and records in the
/// world the generations of the physical resources it creates.
pub(super) fn run_deploy(
    world: &mut World,
    region: Region,
    stack: &Stack,
    cs: &ChangeSet,
    template: &Template,
    kind: Kind,
    asked: Asked<'_>,
) -> Result<Outcome, LocalError> {
    let faults = asked.faults;
    let deploy = Deploy::plan(world, region, stack, cs, template, kind)?;
    let mut tl = Timeline::new(stack, world.next_seq());
    tl.stack(deploy.t0, kind.in_progress(), Some("User Initiated"));
    let Built {
        items,
        live,
        generations,
    } = deploy.build(world, faults);
    let results = deploy.stack_results(world, &live);
    let work: Vec<&Item> = deploy
        .order
        .iter()
        .map(|id| &items[id])
        .filter(|i| i.action != Action::Keep)
        .collect();
    let last_end = work.iter().map(|i| i.end).max().unwrap_or(deploy.first);
    let Some(at) = deploy.fail_time(&work, last_end, results.failure.is_some()) else {
        let outcome = deploy.complete(tl, &work, &items, last_end, results);
        keep_generations(world, region, &stack.id, generations);
        return Ok(outcome);
    };
    let rollback = Rollback {
        deploy: &deploy,
        items: &items,
        work: &work,
        at,
        retain_except_on_create: asked.retain_except_on_create,
    };
    let outcome = rollback.run(tl, results.failure.as_deref());
    // A failed create leaves a stack that can only be deleted: its generations no longer
    // matter, so the world keeps those it had.
    if kind == Kind::Update {
        keep_generations(world, region, &stack.id, generations);
    }
    Ok(outcome)
}

/// Stores the generations a deploy reached, so that a later replacement gets a new physical id.
fn keep_generations(
    world: &mut World,
    region: Region,
    stack_id: &str,
    generations: BTreeMap<String, u64>,
) {
    if let Some(s) = world
        .regions
        .get_mut(&region)
        .and_then(|rs| rs.stacks.iter_mut().find(|s| s.id == stack_id))
    {
        s.generations = generations;
    }
}

impl<'a> Deploy<'a> {
    /// Plans the deploy: recomputes the change set against the stack as it is now, finds the
    /// stack policy's denials and orders the resources.
    fn plan(
        world: &World,
        region: Region,
        stack: &'a Stack,
        cs: &'a ChangeSet,
        template: &'a Template,
        kind: Kind,
    ) -> Result<Self, LocalError> {
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
            exports.get(n).map(|e| e.value.clone())
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
        Ok(Deploy {
            region,
            account,
            stack,
            cs,
            template,
            kind,
            ctx,
            params,
            exports,
            plan,
            removed,
            denials,
            order,
            deps,
            t0,
            first: t0.plus_secs(1),
        })
    }

    /// An evaluator of the new template's intrinsic functions, resolving resources and exports
    /// with `resolver`.
    pub(super) fn evaluator<'r>(&'r self, resolver: &'r dyn Resolver) -> Evaluator<'r> {
        Evaluator {
            template: self.template,
            stack: &self.ctx,
            params: &self.params,
            conditions: &self.plan.conditions,
            resolver,
        }
    }

    /// Removals the stack policy denies, with the reason: they fail at once too.
    pub(super) fn removal_denials(&self) -> Vec<(&String, &String)> {
        self.denials
            .iter()
            .filter(|(k, _)| self.removed.contains(k))
            .collect()
    }

    /// When the deploy fails, if it does: at the first resource failure; at once for a denied
    /// removal; after the last resource for a stack-level failure (outputs, exports).
    fn fail_time(&self, work: &[&Item], last_end: SimTime, stack_failure: bool) -> Option<SimTime> {
        let resource_fail = work
            .iter()
            .filter_map(|i| i.fail.as_ref().map(|f| f.at))
            .min();
        match (
            resource_fail,
            self.removal_denials().is_empty(),
            stack_failure,
        ) {
            (Some(t), _, _) => Some(t),
            (None, false, _) => Some(self.first),
            (None, true, true) => Some(last_end.plus_secs(1)),
            (None, true, false) => None,
        }
    }

    /// The success path: every resource completes, then an update cleans up.
    fn complete(
        &self,
        mut tl: Timeline,
        work: &[&Item],
        items: &BTreeMap<String, Item>,
        last_end: SimTime,
        results: StackResults,
    ) -> Outcome {
        for i in work {
            emit_progress(&mut tl, i, i.end);
        }
        let mut end = last_end.plus_secs(1);
        let resources: IndexMap<String, StackResource> = self
            .template
            .resources
            .keys()
            .filter_map(|id| {
                let i = items.get(id)?;
                Some((id.clone(), i.resource.clone().expect("set")))
            })
            .collect();
        let mut retained = Vec::new();
        if self.kind == Kind::Update {
            end = self.clean_up(&mut tl, work, end, &mut retained);
        }
        tl.stack(end, self.kind.complete(), None);
        let result = Committed {
            template_body: Some(self.cs.template_body.clone()),
            parameters: self.cs.parameters.clone(),
            resources,
            outputs: results.outputs,
            imports: results.imports,
            deleted: false,
            retained,
        };
        Outcome {
            events: tl.finish(),
            result,
            end,
            succeeded: true,
        }
    }

    /// An update's cleanup, from `end` on: old physical resources of replacements, then removed
    /// resources. Those a `Retain` policy keeps go to `retained`. Returns when the stack's last
    /// event can happen.
    fn clean_up(
        &self,
        tl: &mut Timeline,
        work: &[&Item],
        end: SimTime,
        retained: &mut Vec<StackResource>,
    ) -> SimTime {
        let stack = self.stack;
        let mut to_delete: Vec<(String, String)> = Vec::new();
        for i in work {
            if i.action == Action::Replace {
                to_delete.push((i.id.clone(), i.old_physical.clone().unwrap_or_default()));
            }
        }
        for id in &self.removed {
            to_delete.push((id.clone(), stack.resources[id].physical_id.clone()));
        }
        if to_delete.is_empty() {
            return end;
        }
        tl.stack(end, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", None);
        let start = end.plus_secs(1);
        let old_deps = committed_dependencies(stack);
        let sched = reverse_schedule(&to_delete, &old_deps, start, &|id| {
            let r = &stack.resources[id];
            durations::delete_secs(&r.type_name, &r.properties)
        });
        for (id, phys) in &to_delete {
            let r = &stack.resources[id];
            let policy = if self.removed.contains(id) {
                r.deletion_policy.as_deref()
            } else {
                r.update_replace_policy.as_deref()
            };
            let span = sched.span(id);
            // `RetainExceptOnCreate` behaves as `Retain` in every operation but the one that
            // created the resource ("DeletionPolicy attribute",
            // <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html>).
            if matches!(policy, Some("Retain" | "RetainExceptOnCreate")) {
                let mut kept = r.clone();
                kept.physical_id = phys.clone();
                retained.push(kept);
                tl.push(
                    span.start,
                    id,
                    Some(phys),
                    &r.type_name,
                    "DELETE_SKIPPED",
                    None,
                );
            } else {
                tl.push(
                    span.start,
                    id,
                    Some(phys),
                    &r.type_name,
                    "DELETE_IN_PROGRESS",
                    None,
                );
                tl.push(
                    span.end,
                    id,
                    Some(phys),
                    &r.type_name,
                    "DELETE_COMPLETE",
                    None,
                );
            }
        }
        sched.done_after(start)
    }
}

/// The changes `stack`'s policy denies, with the reason: updates of the resources `actions`
/// modify or replace, and deletions of the `removed` ones.
fn policy_denials(
    stack: &Stack,
    template: &Template,
    actions: &BTreeMap<String, Action>,
    removed: &[String],
) -> BTreeMap<String, String> {
    let Some(policy) = stack.stack_policy.as_deref() else {
        return BTreeMap::new();
    };
    let policy: Value = serde_json::from_str(policy).unwrap_or(json!({}));
    let mut out = BTreeMap::new();
    let mut check = |id: &str, rtype: &str, action: &str| {
        if let Some(reason) = crate::policy::denied(&policy, id, rtype, action) {
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
        if let Some(r) = stack.resources.get(id) {
            check(id, &r.type_name, "Update:Delete");
        }
    }
    out
}
