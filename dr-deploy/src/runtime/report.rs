//! What a failover, failback or drill did: its steps with their times and calls, the recovery
//! time and the data-loss window, labelled with the backend. Saved as JSON under `runs/` in the
//! assembly directory, so the next `status` and the DR plan can show it.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::Timestamp;
use serde::{Deserialize, Serialize};

use super::topology::Role;

/// What a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    /// Writer and traffic to the DR site.
    Failover,
    /// Writer and traffic back to the primary site.
    Failback,
}

/// Planned (no data loss) or unplanned (the primary Region is failing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `SwitchoverGlobalCluster`: waits for the secondary to catch up; RPO 0.
    Planned,
    /// `FailoverGlobalCluster` with `AllowDataLoss`: promotes at once; loses what had not
    /// replicated.
    Unplanned,
}

/// A step of the routine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// Read the state and decide what is left; refuse an unready planned move.
    Preflight,
    /// Wait for the old primary to be back in the global cluster and synchronized (failback
    /// after an unplanned failover).
    Rejoin,
    /// Publish the switch's value: Route 53 then answers the target site.
    Traffic,
    /// Switch the writer over (planned) or fail it over (unplanned), and wait until done.
    Database,
    /// Check the writer, the global writer endpoint and the app's DNS answer.
    Verify,
}

impl StepKind {
    /// A short title.
    pub fn title(self) -> &'static str {
        match self {
            StepKind::Preflight => "preflight",
            StepKind::Rejoin => "rejoin",
            StepKind::Traffic => "traffic",
            StepKind::Database => "database",
            StepKind::Verify => "verify",
        }
    }
}

/// Which side of Route 53 or of AWS a call uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Plane {
    /// A Regional API (RDS, CloudWatch, ELB, CloudFormation) in the Region named.
    Regional,
    /// Route 53's control plane, served from us-east-1: AWS advises against depending on it in
    /// a recovery.
    Route53Control,
    /// A DNS query through this machine's resolver (no AWS API).
    Resolver,
}

/// One call the run made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiCall {
    /// The AWS API (`rds:SwitchoverGlobalCluster`), or `dns:resolve`.
    pub api: String,
    /// The Region it was sent to.
    pub region: Option<Region>,
    /// Which plane it used.
    pub plane: Plane,
    /// Whether it changes something.
    pub mutating: bool,
    /// When it was sent (backend clock).
    pub started: Timestamp,
    /// When its answer (or error) came.
    pub ended: Timestamp,
    /// The error, when it failed.
    pub error: Option<String>,
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "result", content = "detail")]
pub enum StepResult {
    /// It did what was left.
    Done,
    /// There was nothing left to do (the state already showed it done): why.
    AlreadyDone(String),
    /// It was not run: the dry run's plan, or a run that stopped before it.
    NotRun(String),
    /// It failed: why.
    Failed(String),
}

/// One step of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// Which step.
    pub step: StepKind,
    /// What it does, with the real identifiers.
    pub description: String,
    /// When it started (backend clock).
    pub started: Timestamp,
    /// When it ended.
    pub ended: Timestamp,
    /// The calls it made, in order.
    pub calls: Vec<ApiCall>,
    /// How it ended.
    pub result: StepResult,
    /// What it saw and said (readiness checks, the state last seen, the fencing events).
    pub notes: Vec<String>,
}

impl StepReport {
    /// How long it took.
    pub fn duration(&self) -> Duration {
        self.ended.since(self.started)
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "outcome", content = "detail")]
pub enum Outcome {
    /// Writer and traffic are in the target site, verified.
    Completed,
    /// They already were: nothing was changed.
    AlreadyDone,
    /// `--dry-run`: the steps were listed, nothing changed.
    DryRun,
    /// A planned move refused by its preflight (the failed checks), nothing changed.
    Refused(String),
    /// The operator did not confirm the unplanned failover; nothing changed.
    NotConfirmed,
    /// A step failed: the run can be finished by running it again.
    Failed(String),
}

impl Outcome {
    /// Writer and traffic are where the run was to put them.
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Completed | Outcome::AlreadyDone)
    }
}

/// The record of one failover or failback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Failover or failback.
    pub kind: RunKind,
    /// Planned or unplanned.
    pub mode: Mode,
    /// The app.
    pub app: String,
    /// The pair.
    pub pair: String,
    /// The backend's label (`local simulator`, `aws`).
    pub backend: String,
    /// Times come from the simulator's virtual clock.
    pub simulated: bool,
    /// The site the run moves away from.
    pub from: Role,
    /// The site it moves to.
    pub to: Role,
    /// `from`'s Region.
    pub from_region: Region,
    /// `to`'s Region.
    pub to_region: Region,
    /// When it started.
    pub started: Timestamp,
    /// When it ended.
    pub ended: Timestamp,
    /// How it ended.
    pub outcome: Outcome,
    /// The steps, in the order run.
    pub steps: Vec<StepReport>,
    /// From the start until the target site had the writer and Route 53 answered it: the
    /// recovery time. `None` when the run did not get there.
    pub recovery_time_ms: Option<u64>,
    /// Unplanned: the replication lag last seen before the failover, the writes that may be
    /// lost (`None` when it could not be read; the notes say so). Planned: `Some(0)`.
    pub data_loss_window_ms: Option<u64>,
    /// What the operator should know (what the switch does not fence, the snapshot holding lost
    /// writes, the manual fallback).
    pub notes: Vec<String>,
}

/// `1h02m03s`, `4m05s`, `6s`, `250ms`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s == 0 {
        return format!("{}ms", d.as_millis());
    }
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}h{m:02}m{s:02}s")
    } else if m > 0 {
        format!("{m}m{s:02}s")
    } else {
        format!("{s}s")
    }
}

impl RunReport {
    /// How long the run took.
    pub fn duration(&self) -> Duration {
        self.ended.since(self.started)
    }

    /// The recovery time.
    pub fn recovery_time(&self) -> Option<Duration> {
        self.recovery_time_ms.map(Duration::from_millis)
    }

    /// Every mutating call of the run.
    pub fn mutating_calls(&self) -> Vec<&ApiCall> {
        self.steps
            .iter()
            .flat_map(|s| &s.calls)
            .filter(|c| c.mutating)
            .collect()
    }

    /// The calls of the steps that took the run's time, in order: the mutating calls and the
    /// step's slowest reads, the way a reader finds where the minutes went.
    pub fn critical_path(&self) -> Vec<String> {
        let mut path = Vec::new();
        for s in &self.steps {
            if matches!(s.result, StepResult::NotRun(_)) || s.duration().is_zero() {
                continue;
            }
            let mut apis: Vec<(String, usize)> = Vec::new();
            for c in &s.calls {
                let name = match c.region {
                    Some(r) => format!("{} ({r})", c.api),
                    None => c.api.clone(),
                };
                match apis.last_mut() {
                    Some((last, n)) if *last == name => *n += 1,
                    _ => apis.push((name, 1)),
                }
            }
            let calls: Vec<String> = apis
                .into_iter()
                .map(|(a, n)| if n > 1 { format!("{a} x{n}") } else { a })
                .collect();
            path.push(format!(
                "{} {} [{}]",
                s.step.title(),
                human(s.duration()),
                calls.join(", ")
            ));
        }
        path
    }

    /// The file name the run is saved under: `<UTC start, digits>-<pair>-<kind>.json`, so the
    /// directory lists runs in order.
    pub fn file_name(&self) -> String {
        let stamp: String = self
            .started
            .to_string()
            .chars()
            .filter(char::is_ascii_digit)
            .take(14)
            .collect();
        let kind = match self.kind {
            RunKind::Failover => "failover",
            RunKind::Failback => "failback",
        };
        format!("{stamp}-{}-{kind}.json", self.pair)
    }

    /// Writes the report as JSON into `<assembly dir>/runs/`; returns the file's path.
    pub fn save(&self, assembly_dir: &Path) -> std::io::Result<PathBuf> {
        let dir = assembly_dir.join(RUNS_DIR);
        std::fs::create_dir_all(&dir)?;
        let mut path = dir.join(self.file_name());
        // Two runs in the same second (a refused run, then its retry) keep both records.
        let mut n = 2;
        while path.exists() {
            path = dir.join(self.file_name().replace(".json", &format!("-{n}.json")));
            n += 1;
        }
        let mut json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        json.push('\n');
        std::fs::write(&path, json)?;
        Ok(path)
    }
}

/// The directory of run records inside an assembly directory.
pub const RUNS_DIR: &str = "runs";

/// The run records of `assembly_dir`, oldest first (files that do not parse are skipped: a
/// record of another drkit version must not stop a failover).
pub fn load_runs(assembly_dir: &Path) -> Vec<RunReport> {
    let Ok(entries) = std::fs::read_dir(assembly_dir.join(RUNS_DIR)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|s| serde_json::from_str(&s).ok())
        .collect()
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            RunKind::Failover => "Failover",
            RunKind::Failback => "Failback",
        };
        let mode = match self.mode {
            Mode::Planned => "planned",
            Mode::Unplanned => "unplanned",
        };
        let times = if self.simulated {
            " (times simulated)"
        } else {
            ""
        };
        writeln!(
            f,
            "{kind} of {} ({mode}): {} ({}) -> {} ({}), on {}{times}",
            self.pair,
            self.from_region,
            self.from.label(),
            self.to_region,
            self.to.label(),
            self.backend
        )?;
        for (i, s) in self.steps.iter().enumerate() {
            let at = s.started.since(self.started);
            let result = match &s.result {
                StepResult::Done => "done".to_string(),
                StepResult::AlreadyDone(why) => format!("already done: {why}"),
                StepResult::NotRun(why) => format!("not run: {why}"),
                StepResult::Failed(why) => format!("FAILED: {why}"),
            };
            writeln!(
                f,
                "  {}. {:<9} +{:<8} {:>8}  {}",
                i + 1,
                s.step.title(),
                human(at),
                human(s.duration()),
                s.description
            )?;
            writeln!(f, "     {result}")?;
            for n in &s.notes {
                writeln!(f, "     - {n}")?;
            }
        }
        let mut tail = String::new();
        match self.recovery_time() {
            Some(d) => {
                let _ = write!(tail, "Recovery time: {}", human(d));
            }
            None => tail.push_str("Recovery time: not reached"),
        }
        match (self.mode, self.data_loss_window_ms) {
            (Mode::Planned, _) => tail.push_str("; data-loss window: none (switchover)"),
            (Mode::Unplanned, Some(ms)) => {
                let _ = write!(
                    tail,
                    "; data-loss window: up to {} (the replication lag last seen)",
                    human(Duration::from_millis(ms))
                );
            }
            (Mode::Unplanned, None) => tail.push_str("; data-loss window: unknown (lag unread)"),
        }
        if self.simulated {
            tail.push_str(" (simulated)");
        }
        writeln!(f, "{tail}")?;
        let path = self.critical_path();
        if !path.is_empty() {
            writeln!(f, "Critical path: {}", path.join(" -> "))?;
        }
        for n in &self.notes {
            writeln!(f, "Note: {n}")?;
        }
        let outcome = match &self.outcome {
            Outcome::Completed => "completed".to_string(),
            Outcome::AlreadyDone => "nothing to do: already there".to_string(),
            Outcome::DryRun => "dry run: nothing was changed".to_string(),
            Outcome::Refused(why) => format!("refused, nothing was changed: {why}"),
            Outcome::NotConfirmed => "not confirmed, nothing was changed".to_string(),
            Outcome::Failed(why) => {
                format!("FAILED: {why}. Run the same command again to finish from here")
            }
        };
        writeln!(f, "Outcome: {outcome}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(outcome: Outcome) -> RunReport {
        RunReport {
            kind: RunKind::Failover,
            mode: Mode::Unplanned,
            app: "shop".into(),
            pair: "Shop".into(),
            backend: "local simulator".into(),
            simulated: true,
            from: Role::Primary,
            to: Role::Secondary,
            from_region: Region::UsEast2,
            to_region: Region::UsWest2,
            started: Timestamp::from_millis(1_767_225_600_000),
            ended: Timestamp::from_millis(1_767_225_700_000),
            outcome,
            steps: Vec::new(),
            recovery_time_ms: None,
            data_loss_window_ms: Some(1200),
            notes: Vec::new(),
        }
    }

    #[test]
    fn a_run_is_saved_under_runs_in_time_order_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let r = report(Outcome::Completed);
        assert_eq!(r.file_name(), "20260101000000-Shop-failover.json");
        let path = r.save(dir.path()).unwrap();
        assert!(path.starts_with(dir.path().join(RUNS_DIR)));
        // A file that is no run record (another version's, a drill's) is skipped.
        std::fs::write(dir.path().join(RUNS_DIR).join("0-x.json"), "{}").unwrap();
        assert_eq!(load_runs(dir.path()), vec![r]);
    }

    #[test]
    fn a_failed_run_says_to_run_it_again_and_labels_simulated_times() {
        let text = report(Outcome::Failed("database step: timed out".into())).to_string();
        assert!(
            text.contains("Run the same command again to finish"),
            "{text}"
        );
        assert!(text.contains("(times simulated)"), "{text}");
        assert!(text.contains("data-loss window: up to 1s"), "{text}");
    }

    #[test]
    fn human_durations_read_as_an_operator_writes_them() {
        assert_eq!(human(Duration::from_millis(250)), "250ms");
        assert_eq!(human(Duration::from_secs(6)), "6s");
        assert_eq!(human(Duration::from_secs(245)), "4m05s");
        assert_eq!(human(Duration::from_secs(3723)), "1h02m03s");
    }
}
