//! The events an operation writes, with CloudFormation's event ids and wording.

use dr_core::cloud::{ResourceStatus, StackEvent};

use super::resources::Item;
use super::{CANCELLED_CREATE, CANCELLED_UPDATE, STACK_TYPE};
use crate::changeset::Action;
use crate::clock::SimTime;
use crate::ids;
use crate::state::Stack;

/// Whether a change set creates its stack or updates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A CREATE change set: the stack has no resources yet.
    Create,
    /// An UPDATE change set.
    Update,
}

impl Kind {
    /// The stack's status while the deploy runs.
    pub(super) fn in_progress(self) -> &'static str {
        match self {
            Kind::Create => "CREATE_IN_PROGRESS",
            Kind::Update => "UPDATE_IN_PROGRESS",
        }
    }

    /// The stack's status once the deploy succeeded.
    pub(super) fn complete(self) -> &'static str {
        match self {
            Kind::Create => "CREATE_COMPLETE",
            Kind::Update => "UPDATE_COMPLETE",
        }
    }

    /// The status reason of a resource whose work another resource's failure stopped.
    pub(super) fn cancelled_reason(self) -> &'static str {
        match self {
            Kind::Create => CANCELLED_CREATE,
            Kind::Update => CANCELLED_UPDATE,
        }
    }
}

/// Writes events with CloudFormation's ids.
pub(super) struct Timeline {
    events: Vec<StackEvent>,
    stack_id: String,
    stack_name: String,
    seq: u64,
}

impl Timeline {
    /// An empty timeline for `stack`; `seq` (a fresh sequence number of the world) keeps the
    /// stack event ids of different operations apart.
    pub(super) fn new(stack: &Stack, seq: u64) -> Self {
        Timeline {
            events: vec![],
            stack_id: stack.id.clone(),
            stack_name: stack.name.clone(),
            seq: seq * 10_000,
        }
    }

    /// Writes one event of resource `logical` (or of the stack itself).
    pub(super) fn push(
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

    /// Writes an event of the stack itself.
    pub(super) fn stack(&mut self, t: SimTime, status: &str, reason: Option<&str>) {
        let (n, id) = (self.stack_name.clone(), self.stack_id.clone());
        self.push(t, &n, Some(&id), STACK_TYPE, status, reason);
    }

    /// The time of the latest event written so far.
    pub(super) fn latest(&self) -> Option<SimTime> {
        self.events.iter().map(|e| SimTime::from(e.timestamp)).max()
    }

    /// The events, in time order.
    pub(super) fn finish(mut self) -> Vec<StackEvent> {
        // Stable: same-time events keep the order they were written in.
        self.events.sort_by_key(|e| e.timestamp);
        self.events
    }
}

/// The status of a resource whose creation or update failed.
pub(super) fn failed_status(a: Action) -> &'static str {
    if a == Action::Add {
        "CREATE_FAILED"
    } else {
        "UPDATE_FAILED"
    }
}

/// The events of a resource that started and was still running at `until` (exclusive).
pub(super) fn emit_started(tl: &mut Timeline, i: &Item, until: SimTime) {
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
pub(super) fn emit_progress(tl: &mut Timeline, i: &Item, end: SimTime) {
    emit_started(tl, i, end);
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
