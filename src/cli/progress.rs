//! The terminal display of a deploy or destroy: one indicatif line per stack.

use std::collections::HashMap;
use std::sync::Mutex;

use dr_deploy::{DeployEvent, DeployObserver, human_duration, simulated_label};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The terminal display: one indicatif line per stack with resources done of total and the
/// current resource; the final line says what happened.
pub struct IndicatifObserver {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
    simulated: bool,
}

impl Default for IndicatifObserver {
    fn default() -> Self {
        Self::new()
    }
}

impl IndicatifObserver {
    /// Draws on stderr; when stderr is not a terminal, prints plain lines (steps, failures,
    /// outcomes) instead.
    pub fn new() -> Self {
        IndicatifObserver {
            multi: MultiProgress::new(),
            bars: Mutex::new(HashMap::new()),
            simulated: false,
        }
    }
    /// Draws to `target` (a hidden target prints plain lines, as for a non-terminal).
    pub fn with_draw_target(target: ProgressDrawTarget) -> Self {
        IndicatifObserver {
            multi: MultiProgress::with_draw_target(target),
            bars: Mutex::new(HashMap::new()),
            simulated: false,
        }
    }
    /// Labels every time and duration "(simulated)" when `simulated` (the backend runs on the
    /// simulator's virtual clock, [`Cloud::is_simulated`](dr_core::cloud::Cloud::is_simulated)),
    /// so that "created in 25m28s" shown after half a second is not read as a measurement.
    pub fn simulated(mut self, simulated: bool) -> Self {
        self.simulated = simulated;
        self
    }

    /// The plain line for `event`: its log line, with the leading timestamp labelled when
    /// simulated.
    pub fn plain_line(&self, event: &DeployEvent) -> String {
        event.log_line_on(self.simulated)
    }

    fn bar(&self, stack: &str) -> Option<ProgressBar> {
        let mut bars = self.bars.lock().ok()?;
        let bar = bars.entry(stack.to_string()).or_insert_with(|| {
            let style = ProgressStyle::with_template("{prefix:.bold} [{bar:20}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            let bar = self.multi.add(ProgressBar::new(0));
            bar.set_style(style);
            bar.set_prefix(stack.to_string());
            bar
        });
        Some(bar.clone())
    }
}

impl DeployObserver for IndicatifObserver {
    fn on_event(&self, event: &DeployEvent) {
        if self.multi.is_hidden() {
            // Not a terminal (CI, a pipe): bars would draw nothing, so print the lines that
            // matter instead: steps, failures and outcomes, not every resource event.
            let failed =
                matches!(event, DeployEvent::Resource { event, .. } if event.status.is_failed());
            if failed || !matches!(event, DeployEvent::Resource { .. }) {
                eprintln!("{}", self.plain_line(event));
            }
            return;
        }
        let Some(bar) = self.bar(event.stack()) else {
            return;
        };
        match event {
            DeployEvent::StackStarted { region, .. } => {
                bar.set_message(format!("({region}) starting"))
            }
            DeployEvent::Step { message, .. } => bar.set_message(message.clone()),
            DeployEvent::Resource {
                event, done, total, ..
            } => {
                bar.set_length(*total as u64);
                bar.set_position(*done as u64);
                bar.set_message(format!("{} {}", event.logical_id, event.status));
            }
            DeployEvent::StackFinished { report } => {
                let msg = match &report.error {
                    Some(e) => format!("{}: {e}", report.action.as_str()),
                    None => format!(
                        "{} in {}{}",
                        report.action.as_str(),
                        human_duration(report.duration()),
                        simulated_label(self.simulated)
                    ),
                };
                bar.finish_with_message(msg);
            }
            DeployEvent::StackDestroyed { report } => {
                let msg = match &report.error {
                    Some(e) => format!("{}: {e}", report.outcome.as_str()),
                    None => report.outcome.as_str().to_string(),
                };
                bar.finish_with_message(msg);
            }
        }
    }
}
