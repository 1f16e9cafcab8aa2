//! Progress reporting: the engine tells a [`DeployObserver`] what happens. Here: a recording
//! observer for tests and logs, and a silent one; the terminal display lives with the command
//! line (`drkit::cli`), the only part of drkit that knows about terminals.

use std::sync::Mutex;

use dr_core::Region;
use dr_core::cloud::{StackEvent, Timestamp};

use super::{DeployReport, DestroyReport};

/// Something that happened during a deploy or destroy.
#[derive(Debug, Clone, PartialEq)]
pub enum DeployEvent {
    /// The engine started on a stack.
    StackStarted {
        /// The stack.
        stack: String,
        /// Its Region.
        region: Region,
        /// When (backend clock).
        at: Timestamp,
    },
    /// A step of the engine ("creating change set", "deleting the stack left in ROLLBACK_COMPLETE").
    Step {
        /// The stack.
        stack: String,
        /// What the engine is doing.
        message: String,
        /// When (backend clock).
        at: Timestamp,
    },
    /// A CloudFormation stack event, with the progress it makes.
    Resource {
        /// The stack.
        stack: String,
        /// The event as CloudFormation reported it.
        event: StackEvent,
        /// Resources finished so far.
        done: usize,
        /// Resources the operation touches.
        total: usize,
    },
    /// The engine finished a stack.
    StackFinished {
        /// The outcome.
        report: DeployReport,
    },
    /// `destroy` finished a stack.
    StackDestroyed {
        /// The outcome.
        report: DestroyReport,
    },
}

impl DeployEvent {
    /// The stack it concerns.
    pub fn stack(&self) -> &str {
        match self {
            DeployEvent::StackStarted { stack, .. }
            | DeployEvent::Step { stack, .. }
            | DeployEvent::Resource { stack, .. } => stack,
            DeployEvent::StackFinished { report } => &report.stack,
            DeployEvent::StackDestroyed { report } => &report.stack,
        }
    }

    /// One plain log line, its time unlabelled (AWS's clock); see [`log_line_on`](Self::log_line_on).
    pub fn log_line(&self) -> String {
        self.log_line_on(false)
    }

    /// One plain log line; with `simulated` (the backend's [`Cloud::is_simulated`]) its time
    /// says "(simulated)", so that a virtual clock's times are not taken for real ones.
    ///
    /// [`Cloud::is_simulated`]: dr_core::cloud::Cloud::is_simulated
    pub fn log_line_on(&self, simulated: bool) -> String {
        let label = super::simulated_label(simulated);
        match self {
            DeployEvent::StackStarted { stack, region, at } => {
                format!("{at}{label} {stack} ({region}): started")
            }
            DeployEvent::Step { stack, message, at } => {
                format!("{at}{label} {stack}: {message}")
            }
            DeployEvent::Resource {
                stack,
                event,
                done,
                total,
            } => format!(
                "{}{label} {stack}: [{done}/{total}] {} {} {}{}",
                event.timestamp,
                event.logical_id,
                event.resource_type,
                event.status,
                event
                    .status_reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
            DeployEvent::StackFinished { report } => format!(
                "{}{label} {}: {} ({} mutating calls){}",
                report.finished_at,
                report.stack,
                report.action.as_str(),
                report.mutating_calls,
                report
                    .error
                    .as_ref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ),
            DeployEvent::StackDestroyed { report } => format!(
                "{}{label} {}: {} ({} mutating calls){}{}",
                report.finished_at,
                report.stack,
                report.outcome.as_str(),
                report.mutating_calls,
                report
                    .met
                    .iter()
                    .map(|m| format!("; {m}"))
                    .collect::<String>(),
                // A blocked or skipped stack's reasons are the destroy summary's to list, once.
                report
                    .error
                    .as_ref()
                    .filter(|e| !matches!(
                        e.kind(),
                        crate::DeployErrorKind::Protected { .. }
                            | crate::DeployErrorKind::DependentRemains { .. }
                    ))
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ),
        }
    }
}

/// Receives the engine's progress. Implementations must be cheap: they are called inline.
pub trait DeployObserver: Send + Sync {
    /// Something happened.
    fn on_event(&self, event: &DeployEvent);
}

/// Ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NullObserver;

impl DeployObserver for NullObserver {
    fn on_event(&self, _event: &DeployEvent) {}
}

/// Keeps every event, in order: for tests and plain logs.
#[derive(Debug, Default)]
pub struct RecordingObserver {
    events: Mutex<Vec<DeployEvent>>,
}

impl RecordingObserver {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }
    /// The events so far.
    pub fn events(&self) -> Vec<DeployEvent> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }
    /// The events as plain log lines.
    pub fn log(&self) -> Vec<String> {
        self.events().iter().map(DeployEvent::log_line).collect()
    }
    /// The CloudFormation events of `stack`, oldest first.
    pub fn stack_events(&self, stack: &str) -> Vec<StackEvent> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                DeployEvent::Resource {
                    stack: s, event, ..
                } if s == stack => Some(event),
                _ => None,
            })
            .collect()
    }
}

impl DeployObserver for RecordingObserver {
    fn on_event(&self, event: &DeployEvent) {
        if let Ok(mut e) = self.events.lock() {
            e.push(event.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simulated_time_says_so() {
        let event = DeployEvent::StackStarted {
            stack: "shop".into(),
            region: Region::UsEast2,
            at: Timestamp::from_millis(1_767_225_600_000),
        };
        assert_eq!(
            event.log_line_on(true),
            "2026-01-01T00:00:00.000Z (simulated) shop (us-east-2): started"
        );
        assert_eq!(
            event.log_line(),
            "2026-01-01T00:00:00.000Z shop (us-east-2): started"
        );
    }
}
