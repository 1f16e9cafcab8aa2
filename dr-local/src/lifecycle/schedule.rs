//! Deletions (and rollback reverts) on the virtual clock, in reverse dependency order.

use std::collections::{BTreeMap, BTreeSet};

use crate::clock::SimTime;

/// When the work on one resource starts and ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    /// When its `*_IN_PROGRESS` event happens.
    pub(super) start: SimTime,
    /// When its `*_COMPLETE` event happens.
    pub(super) end: SimTime,
}

/// The spans of a batch of resources, by logical id.
#[derive(Debug, Clone, Default)]
pub(super) struct Schedule {
    spans: BTreeMap<String, Span>,
}

impl Schedule {
    /// The span of `id`, which must be part of the batch.
    pub(super) fn span(&self, id: &str) -> Span {
        self.spans[id]
    }

    /// One second after the last span ends, or after `empty` for an empty batch: when the
    /// stack's next event can happen.
    pub(super) fn done_after(&self, empty: SimTime) -> SimTime {
        self.spans
            .values()
            .map(|s| s.end)
            .max()
            .unwrap_or(empty)
            .plus_secs(1)
    }
}

/// Schedules `to_delete` (logical id, physical id) from `start` on, each taking `dur(id)`
/// seconds; `deps` maps a resource to those it depends on.
pub(super) fn reverse_schedule(
    to_delete: &[(String, String)],
    deps: &BTreeMap<String, BTreeSet<String>>,
    start: SimTime,
    dur: &dyn Fn(&str) -> u64,
) -> Schedule {
    // A resource is deleted once everything that depends on it is gone.
    let set: BTreeSet<&String> = to_delete.iter().map(|(id, _)| id).collect();
    let mut sched: BTreeMap<String, Span> = BTreeMap::new();
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
                    .map(|d| sched[*d].end)
                    .max()
                    .unwrap_or(start)
                    .max(start);
                sched.insert(
                    id.clone(),
                    Span {
                        start: s,
                        end: s.plus_secs(dur(id)),
                    },
                );
                false
            } else {
                true
            }
        });
        if left.len() == before {
            // A cycle cannot happen in a validated template; schedule the rest at once.
            for (id, _) in left.drain(..) {
                sched.insert(
                    id.clone(),
                    Span {
                        start,
                        end: start.plus_secs(dur(id)),
                    },
                );
            }
        }
    }
    Schedule { spans: sched }
}
