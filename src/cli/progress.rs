//! The terminal displays: of a deploy or destroy, one indicatif line per stack
//! ([`IndicatifObserver`]); of a failover, failback or drill, one line per step
//! ([`IndicatifRunObserver`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use dr_deploy::runtime::report::human;
use dr_deploy::runtime::{RunObserver, StepKind, StepReport, StepResult};
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

/// The terminal display of a failover, failback or drill: one spinner line per step, with the
/// time the step has taken on the backend's clock (labelled "(simulated)" on the simulator) and
/// the state last seen (`database  2m10s  switching-over (pending), writer still us-east-2`);
/// a finished step stays as a line with its result. When stderr is not a terminal it draws
/// nothing and prints a plain line as each step starts and ends, never the waits' updates, as
/// [`IndicatifObserver`] prints steps but not every resource event.
pub struct IndicatifRunObserver {
    multi: MultiProgress,
    current: Mutex<Option<ProgressBar>>,
    /// A line was drawn: the cursor is left at its end, so what is printed next needs a new
    /// line first.
    drawn: AtomicBool,
    simulated: bool,
}

impl Default for IndicatifRunObserver {
    fn default() -> Self {
        Self::new()
    }
}

impl IndicatifRunObserver {
    /// Draws on stderr (plain step lines when it is not a terminal).
    pub fn new() -> Self {
        Self::with_draw_target(ProgressDrawTarget::stderr())
    }

    /// Draws to `target` (a hidden target prints plain lines, as for a non-terminal).
    pub fn with_draw_target(target: ProgressDrawTarget) -> Self {
        IndicatifRunObserver {
            multi: MultiProgress::with_draw_target(target),
            current: Mutex::new(None),
            drawn: AtomicBool::new(false),
            simulated: false,
        }
    }

    /// Labels the times "(simulated)" when `simulated` (the simulator's virtual clock).
    pub fn simulated(mut self, simulated: bool) -> Self {
        self.simulated = simulated;
        self
    }

    /// Runs `f` with the display cleared and not redrawn (a question asked on the terminal),
    /// from any thread: the returned function holds a handle on the display.
    pub fn suspender(&self) -> impl Fn(&dyn Fn() -> bool) -> bool + Send + Sync + 'static {
        let multi = self.multi.clone();
        move |f| multi.suspend(f)
    }

    /// The line of a step that is waiting: its title, the time so far and what was last seen.
    pub fn waiting_line(&self, step: StepKind, elapsed: Duration, last_seen: &str) -> String {
        format!(
            "{:<9}  {}{}  {last_seen}",
            step.title(),
            human(elapsed),
            simulated_label(self.simulated)
        )
    }

    /// The line a finished step leaves: its title, its result and how long it took.
    pub fn finished_line(&self, report: &StepReport) -> String {
        let took = format!(
            "{}{}",
            human(report.duration()),
            simulated_label(self.simulated)
        );
        let result = match &report.result {
            StepResult::Done => format!("done in {took}"),
            StepResult::AlreadyDone(why) => format!("already done ({why})"),
            StepResult::NotRun(why) => format!("not run ({why})"),
            StepResult::Failed(why) => format!("FAILED after {took}: {why}"),
        };
        format!("{:<9}  {result}", report.step.title())
    }
}

impl RunObserver for IndicatifRunObserver {
    fn step_started(&self, step: StepKind, description: &str) {
        if self.multi.is_hidden() {
            eprintln!("{:<9}  {description}", step.title());
            return;
        }
        let style = ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = self.multi.add(ProgressBar::new_spinner());
        bar.set_style(style);
        bar.set_message(format!("{:<9}  {description}", step.title()));
        bar.enable_steady_tick(Duration::from_millis(120));
        self.drawn.store(true, Ordering::Relaxed);
        if let Ok(mut current) = self.current.lock()
            && let Some(old) = current.replace(bar)
        {
            old.finish();
        }
    }

    fn waiting(&self, step: StepKind, elapsed: Duration, last_seen: &str) {
        if self.multi.is_hidden() {
            return;
        }
        if let Ok(current) = self.current.lock()
            && let Some(bar) = current.as_ref()
        {
            bar.set_message(self.waiting_line(step, elapsed, last_seen));
        }
    }

    fn step_finished(&self, report: &StepReport) {
        let line = self.finished_line(report);
        if self.multi.is_hidden() {
            eprintln!("{line}");
            return;
        }
        let bar = self.current.lock().ok().and_then(|mut c| c.take());
        let bar = bar.unwrap_or_else(|| self.multi.add(ProgressBar::new_spinner()));
        // The spinner's place shows the outcome once the step is over.
        let mark = if matches!(report.result, StepResult::Failed(_)) {
            "x"
        } else {
            "+"
        };
        bar.set_style(
            ProgressStyle::with_template(&format!("{mark} {{msg}}"))
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.finish_with_message(line);
    }
}

impl Drop for IndicatifRunObserver {
    fn drop(&mut self) {
        if self.drawn.load(Ordering::Relaxed) && !self.multi.is_hidden() {
            // indicatif leaves the cursor at the end of the last step's line; the report
            // printed next starts on a line of its own.
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dr_core::cloud::Timestamp;

    #[test]
    fn a_step_line_shows_the_time_on_the_backends_clock_and_the_state_last_seen() {
        let observer =
            IndicatifRunObserver::with_draw_target(ProgressDrawTarget::hidden()).simulated(true);
        assert_eq!(
            observer.waiting_line(
                StepKind::Database,
                Duration::from_secs(130),
                "switching-over (pending), writer still us-east-2"
            ),
            "database   2m10s (simulated)  switching-over (pending), writer still us-east-2"
        );
        let start = Timestamp::from_millis(0);
        let step = |result| StepReport {
            step: StepKind::Traffic,
            description: "PutMetricData".into(),
            started: start,
            ended: start.plus(Duration::from_secs(65)),
            calls: Vec::new(),
            result,
            notes: Vec::new(),
        };
        assert_eq!(
            observer.finished_line(&step(StepResult::Done)),
            "traffic    done in 1m05s (simulated)"
        );
        assert_eq!(
            observer.finished_line(&step(StepResult::Failed("the alarm stayed OK".into()))),
            "traffic    FAILED after 1m05s (simulated): the alarm stayed OK"
        );
        let on_aws = IndicatifRunObserver::with_draw_target(ProgressDrawTarget::hidden());
        assert_eq!(
            on_aws.finished_line(&step(StepResult::AlreadyDone("switch at 0".into()))),
            "traffic    already done (switch at 0)"
        );
    }
}
