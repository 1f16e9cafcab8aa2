//! A failed deploy: what had finished, failed or was cancelled when the first failure
//! happened, and the rollback that follows, in the events and wording CloudFormation shows
//! (observed in <https://github.com/aws-samples/aws-serverless-workshops/issues/210>).

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use serde_json::json;

use super::deploy::Deploy;
use super::resources::Item;
use super::schedule::reverse_schedule;
use super::timeline::{Kind, Timeline, emit_progress, emit_started, failed_status};
use super::{Outcome, unchanged};
use crate::changeset::Action;
use crate::clock::SimTime;
use crate::durations;
use crate::state::{Committed, StackResource};

/// A deploy that failed at `at`.
pub(super) struct Rollback<'a> {
    /// The deploy.
    pub(super) deploy: &'a Deploy<'a>,
    /// Every resource of the new template, by logical id.
    pub(super) items: &'a BTreeMap<String, Item>,
    /// The resources the deploy creates or updates, in dependency order.
    pub(super) work: &'a [&'a Item],
    /// When the first failure happens.
    pub(super) at: SimTime,
    /// `ExecuteChangeSet`'s `RetainExceptOnCreate`: what this operation created is deleted
    /// even when its `DeletionPolicy` is `Retain`.
    pub(super) retain_except_on_create: bool,
}

/// The resources the failure stopped.
struct Stopped<'a> {
    /// Resources that failed or were cancelled, and removals denied: logical ids, sorted.
    failed_ids: Vec<String>,
    /// Resources started before the failure (or failing at it): what the rollback undoes.
    touched: Vec<&'a Item>,
}

impl<'a> Rollback<'a> {
    /// Writes the failure and the rollback after it.
    pub(super) fn run(&self, mut tl: Timeline, stack_failure: Option<&str>) -> Outcome {
        let stopped = self.stop(&mut tl);
        let reason = self.reason(&stopped.failed_ids, stack_failure);
        match self.deploy.kind {
            Kind::Create => self.roll_back_create(tl, &stopped.touched, &reason),
            Kind::Update => self.roll_back_update(tl, &stopped.touched, &reason),
        }
    }

    /// The events up to the failure: what finished, what failed, what was cancelled; what
    /// never started writes nothing.
    fn stop(&self, tl: &mut Timeline) -> Stopped<'a> {
        let f = self.at;
        let mut failed_ids: Vec<String> = Vec::new();
        let mut touched: Vec<&'a Item> = Vec::new();
        for &i in self.work {
            if i.denied {
                tl.push(
                    f,
                    &i.id,
                    i.old_physical.as_deref(),
                    &i.type_name,
                    "UPDATE_FAILED",
                    i.fail.as_ref().map(|x| x.reason.as_str()),
                );
                failed_ids.push(i.id.clone());
                continue;
            }
            let reason = match i.fail.as_ref().filter(|x| x.at == f) {
                Some(failure) => failure.reason.as_str(),
                None if i.end <= f => {
                    emit_progress(tl, i, i.end);
                    touched.push(i);
                    continue;
                }
                None if i.start < f => self.deploy.kind.cancelled_reason(),
                None => continue,
            };
            self.fail_started(tl, i, reason);
            failed_ids.push(i.id.clone());
            touched.push(i);
        }
        for (id, reason) in self.deploy.removal_denials() {
            let r = &self.deploy.stack.resources[id];
            tl.push(
                f,
                id,
                Some(&r.physical_id),
                &r.type_name,
                "UPDATE_FAILED",
                Some(reason),
            );
            failed_ids.push(id.clone());
        }
        failed_ids.sort();
        Stopped {
            failed_ids,
            touched,
        }
    }

    /// The events of resource `i`, running when the failure happens: started, then failed
    /// with `reason`.
    fn fail_started(&self, tl: &mut Timeline, i: &Item, reason: &str) {
        let f = self.at;
        emit_started(tl, i, f);
        // A creation not yet initiated has no physical resource to name.
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
            Some(reason),
        );
    }

    /// The stack's status reason for the rollback.
    fn reason(&self, failed_ids: &[String], stack_failure: Option<&str>) -> String {
        if failed_ids.is_empty() {
            return stack_failure.unwrap_or_default().to_string();
        }
        let failed_with = |add: bool| {
            self.work
                .iter()
                .any(|i| failed_ids.contains(&i.id) && (i.action == Action::Add) == add)
        };
        let verb = if self.deploy.kind == Kind::Create || (failed_with(true) && !failed_with(false))
        {
            "create"
        } else {
            "update"
        };
        format!(
            "The following resource(s) failed to {verb}: [{}]. ",
            failed_ids.join(", ")
        )
    }

    /// Whether resource `i` had a physical resource by the failure: its creation was
    /// initiated, or it completed.
    fn initiated(&self, i: &Item) -> bool {
        i.start.plus_secs(1) < self.at || i.end <= self.at
    }

    /// A failed create rolls back by deleting everything it touched; the stack is left empty.
    fn roll_back_create(&self, mut tl: Timeline, touched: &[&Item], reason: &str) -> Outcome {
        let rb_start = self.at.plus_secs(1);
        // CloudFormation's wording (observed in
        // <https://github.com/aws-samples/aws-serverless-workshops/issues/210>):
        // "The following resource(s) failed to create: [A, B]. Rollback requested by user."
        let reason = format!(
            "{}Rollback requested by user.",
            if reason.ends_with(' ') {
                reason.to_string()
            } else if reason.ends_with('.') {
                format!("{reason} ")
            } else {
                format!("{reason}. ")
            }
        );
        tl.stack(rb_start, "ROLLBACK_IN_PROGRESS", Some(&reason));
        let mut retained = Vec::new();
        let end = self.delete_touched(&mut tl, touched, rb_start, &mut retained);
        tl.stack(end, "ROLLBACK_COMPLETE", None);
        let cs = self.deploy.cs;
        let result = Committed {
            template_body: Some(cs.template_body.clone()),
            parameters: cs.parameters.clone(),
            resources: IndexMap::new(),
            outputs: vec![],
            imports: BTreeSet::new(),
            deleted: false,
            retained,
        };
        Outcome {
            events: tl.finish(),
            result,
            end,
            succeeded: false,
        }
    }

    /// Whether the rollback leaves resource `i`, which this operation created, in the account:
    /// its `DeletionPolicy` is `Retain` and the execution was not told `RetainExceptOnCreate`
    /// ("ExecuteChangeSet", RetainExceptOnCreate: "When set to true, newly created resources
    /// are deleted when the operation rolls back. This includes newly created resources marked
    /// with a deletion policy of Retain.",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html>).
    /// A `RetainExceptOnCreate` policy never keeps it: that policy deletes what the operation
    /// being rolled back created ("DeletionPolicy attribute",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html>).
    fn keeps(&self, i: &Item) -> bool {
        let decl = &self.deploy.template.resources[&i.id];
        decl.deletion_policy.as_deref() == Some("Retain") && !self.retain_except_on_create
    }

    /// The resource `i` as the account keeps it when the rollback leaves it behind.
    fn kept(i: &Item) -> StackResource {
        let mut r = i.resource.clone().unwrap_or_else(|| StackResource {
            logical_id: i.id.clone(),
            type_name: i.type_name.clone(),
            physical_id: String::new(),
            status: "CREATE_COMPLETE".into(),
            status_reason: None,
            last_updated: i.start,
            properties: json!({}),
            template_properties: json!({}),
            attributes: BTreeMap::new(),
            deletion_policy: Some("Retain".into()),
            update_replace_policy: None,
            metadata: None,
        });
        if let Some(p) = &i.physical {
            r.physical_id = p.clone();
        }
        r
    }

    /// Deletes what a failed create touched, in reverse dependency order, from `rb_start` on;
    /// what a `Retain` policy keeps is skipped and goes to `retained`. A resource whose creation
    /// was not yet initiated has nothing to delete and only reports its deletion. Returns when
    /// the stack's last event can happen.
    fn delete_touched(
        &self,
        tl: &mut Timeline,
        touched: &[&Item],
        rb_start: SimTime,
        retained: &mut Vec<StackResource>,
    ) -> SimTime {
        let to_delete: Vec<(String, String)> = touched
            .iter()
            .map(|i| (i.id.clone(), i.physical.clone().unwrap_or_default()))
            .collect();
        let sched = reverse_schedule(
            &to_delete,
            &self.deploy.deps,
            rb_start.plus_secs(1),
            &|id| {
                let i = &self.items[id];
                if self.initiated(i) {
                    durations::delete_secs(&i.type_name, &json!({}))
                } else {
                    1
                }
            },
        );
        for i in touched {
            let span = sched.span(&i.id);
            let initiated = self.initiated(i);
            let (id, phys, t) = (i.id.as_str(), i.physical.as_deref(), i.type_name.as_str());
            if initiated && self.keeps(i) {
                tl.push(span.start, id, phys, t, "DELETE_SKIPPED", None);
                retained.push(Self::kept(i));
            } else if initiated {
                tl.push(span.start, id, phys, t, "DELETE_IN_PROGRESS", None);
                tl.push(span.end, id, phys, t, "DELETE_COMPLETE", None);
            } else {
                tl.push(span.end, id, None, t, "DELETE_COMPLETE", None);
            }
        }
        sched.done_after(rb_start)
    }

    /// A failed update rolls back by reverting what it changed, then deleting what it
    /// created; the stack keeps its committed state.
    fn roll_back_update(&self, mut tl: Timeline, touched: &[&Item], reason: &str) -> Outcome {
        let rb_start = self.at.plus_secs(1);
        tl.stack(rb_start, "UPDATE_ROLLBACK_IN_PROGRESS", Some(reason));
        let end = self.revert(&mut tl, touched, rb_start);
        let mut retained = Vec::new();
        let end = self.delete_created(&mut tl, touched, end, &mut retained);
        tl.stack(end, "UPDATE_ROLLBACK_COMPLETE", None);
        Outcome {
            events: tl.finish(),
            result: Committed {
                retained,
                ..unchanged(self.deploy.stack)
            },
            end,
            succeeded: false,
        }
    }

    /// Puts modified and replaced resources back, in reverse dependency order, from
    /// `rb_start` on. Returns when the next stack event can happen.
    fn revert(&self, tl: &mut Timeline, touched: &[&Item], rb_start: SimTime) -> SimTime {
        let reverts: Vec<(String, String)> = touched
            .iter()
            .filter(|i| matches!(i.action, Action::Modify | Action::Replace))
            .map(|i| (i.id.clone(), i.old_physical.clone().unwrap_or_default()))
            .collect();
        let sched = reverse_schedule(&reverts, &self.deploy.deps, rb_start.plus_secs(1), &|id| {
            durations::update_secs(&self.items[id].type_name, &json!({}))
        });
        for (id, phys) in &reverts {
            let span = sched.span(id);
            let t = &self.items[id].type_name;
            tl.push(span.start, id, Some(phys), t, "UPDATE_IN_PROGRESS", None);
            tl.push(span.end, id, Some(phys), t, "UPDATE_COMPLETE", None);
        }
        sched.done_after(rb_start)
    }

    /// The rollback's cleanup, from `end` on: deletes what this update created (added
    /// resources, new replacements); an added resource a `Retain` policy keeps is skipped and
    /// goes to `retained`. Returns when the stack's last event can happen.
    fn delete_created(
        &self,
        tl: &mut Timeline,
        touched: &[&Item],
        end: SimTime,
        retained: &mut Vec<StackResource>,
    ) -> SimTime {
        let created: Vec<(String, String)> = touched
            .iter()
            .filter(|i| matches!(i.action, Action::Add | Action::Replace) && self.initiated(i))
            .map(|i| (i.id.clone(), i.physical.clone().unwrap_or_default()))
            .collect();
        if created.is_empty() && !touched.iter().any(|i| i.action == Action::Add) {
            return end;
        }
        tl.stack(end, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", None);
        let start = end.plus_secs(1);
        let sched = reverse_schedule(&created, &self.deploy.deps, start, &|id| {
            durations::delete_secs(&self.items[id].type_name, &json!({}))
        });
        for (id, phys) in &created {
            let span = sched.span(id);
            let i = &self.items[id];
            let t = &i.type_name;
            if i.action == Action::Add && self.keeps(i) {
                tl.push(span.start, id, Some(phys), t, "DELETE_SKIPPED", None);
                retained.push(Self::kept(i));
                continue;
            }
            tl.push(span.start, id, Some(phys), t, "DELETE_IN_PROGRESS", None);
            tl.push(span.end, id, Some(phys), t, "DELETE_COMPLETE", None);
        }
        for i in touched
            .iter()
            .filter(|i| i.action == Action::Add && !created.iter().any(|(c, _)| c == &i.id))
        {
            tl.push(start, &i.id, None, &i.type_name, "DELETE_COMPLETE", None);
        }
        sched.done_after(start)
    }
}
