//! A game day: deploy, take the primary Region down at a chosen moment, run the unplanned
//! failover, bring the Region back, wait for Aurora to rebuild the old primary, fail back, and
//! give the timeline with the recovery time and the data-loss window of each move.
//!
//! Taking a Region down is something only a simulator can do: the backend that can is handed in
//! as a [`Chaos`]. Without one (AWS), a drill is a planned failover and failback of the real
//! pair, which the command line runs only when told to explicitly.

use std::fmt;
use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{Cloud, Timestamp};
use dr_synth::assembly::Assembly;
use serde::{Deserialize, Serialize};

use super::report::{Mode, RunReport, human};
use super::run::{Confirmation, FailoverOptions, RunObserver, failback, failover};
use super::topology::PairTopology;

/// A backend that can take a Region's API endpoints down and bring them back (the simulator).
pub trait Chaos: Send + Sync {
    /// Every call sent to `region` fails from now on, as in an outage.
    fn start_region_outage(&self, region: Region);
    /// `region` answers again.
    fn end_region_outage(&self, region: Region);
}

/// How to run a drill.
#[derive(Debug, Clone)]
pub struct DrillOptions {
    /// How long after the drill starts the primary Region goes down. Default 5 minutes.
    pub outage_after: Duration,
    /// How long the outage lasts. Default 1 hour.
    pub outage_lasting: Duration,
    /// The failover and failback settings (the drill confirms the unplanned failover itself).
    pub run: FailoverOptions,
}

impl Default for DrillOptions {
    fn default() -> Self {
        DrillOptions {
            outage_after: Duration::from_secs(5 * 60),
            outage_lasting: Duration::from_secs(3600),
            run: FailoverOptions::default(),
        }
    }
}

/// One moment of a drill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillEvent {
    /// When (backend clock).
    pub at: Timestamp,
    /// What happened.
    pub what: String,
}

/// What a drill did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillReport {
    /// The pair.
    pub pair: String,
    /// The backend's label.
    pub backend: String,
    /// Times are simulated.
    pub simulated: bool,
    /// An outage was injected (simulator) or the drill was a planned move (AWS).
    pub injected_outage: Option<Region>,
    /// When the drill started.
    pub started: Timestamp,
    /// The moments, in order.
    pub events: Vec<DrillEvent>,
    /// The failover.
    pub failover: RunReport,
    /// The failback (absent when the failover did not complete).
    pub failback: Option<RunReport>,
}

impl DrillReport {
    /// Both moves completed.
    pub fn is_success(&self) -> bool {
        self.failover.outcome.is_success()
            && self
                .failback
                .as_ref()
                .is_some_and(|f| f.outcome.is_success())
    }

    /// The file name the drill is saved under in `runs/`.
    pub fn file_name(&self) -> String {
        let stamp: String = self
            .started
            .to_string()
            .chars()
            .filter(char::is_ascii_digit)
            .take(14)
            .collect();
        format!("{stamp}-{}-drill.json", self.pair)
    }

    /// Writes the drill as JSON into `<assembly dir>/runs/`.
    pub fn save(&self, assembly_dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
        let dir = assembly_dir.join(super::report::RUNS_DIR);
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(self.file_name());
        let mut json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        json.push('\n');
        std::fs::write(&path, json)?;
        Ok(path)
    }
}

/// Runs a drill of `topo`'s pair, deployed already (the caller deploys first). With `chaos`,
/// an unplanned failover during an outage of the primary Region; without, a planned failover
/// and failback.
pub async fn drill(
    cloud: &dyn Cloud,
    chaos: Option<&dyn Chaos>,
    assembly: &Assembly,
    topo: &PairTopology,
    options: &DrillOptions,
    observer: &dyn RunObserver,
) -> DrillReport {
    let started = cloud.now();
    let mut events = vec![DrillEvent {
        at: started,
        what: format!(
            "drill starts: the {} site ({}) active",
            "primary", topo.primary_region
        ),
    }];
    let primary = topo.primary_region;
    let run = FailoverOptions {
        confirmation: Confirmation::Given,
        dry_run: false,
        ..options.run.clone()
    };
    let (failover_report, injected) = match chaos {
        Some(chaos) => {
            cloud.sleep(options.outage_after).await;
            chaos.start_region_outage(primary);
            let outage_start = cloud.now();
            events.push(DrillEvent {
                at: outage_start,
                what: format!("outage of {primary} begins: its endpoints stop answering"),
            });
            let f = failover(
                cloud,
                assembly,
                topo,
                &FailoverOptions {
                    mode: Mode::Unplanned,
                    ..run.clone()
                },
                observer,
            )
            .await;
            events.push(DrillEvent {
                at: f.ended,
                what: format!(
                    "unplanned failover {}: recovery time {}, data-loss window {}",
                    outcome_word(&f),
                    f.recovery_time().map(human).unwrap_or_else(|| "-".into()),
                    f.data_loss_window_ms
                        .map(|ms| human(Duration::from_millis(ms)))
                        .unwrap_or_else(|| "unknown".into())
                ),
            });
            let end = outage_start.plus(options.outage_lasting);
            let now = cloud.now();
            if end > now {
                cloud.sleep(end.since(now)).await;
            }
            chaos.end_region_outage(primary);
            events.push(DrillEvent {
                at: cloud.now(),
                what: format!("outage of {primary} ends"),
            });
            (f, Some(primary))
        }
        None => {
            let f = failover(
                cloud,
                assembly,
                topo,
                &FailoverOptions {
                    mode: Mode::Planned,
                    ..run.clone()
                },
                observer,
            )
            .await;
            events.push(DrillEvent {
                at: f.ended,
                what: format!(
                    "planned failover {}: recovery time {}",
                    outcome_word(&f),
                    f.recovery_time().map(human).unwrap_or_else(|| "-".into())
                ),
            });
            (f, None)
        }
    };
    let failback_report = if failover_report.outcome.is_success() {
        let b = failback(cloud, assembly, topo, &run, observer).await;
        events.push(DrillEvent {
            at: b.ended,
            what: format!(
                "failback {}: the primary site ({primary}) active again after {}",
                outcome_word(&b),
                human(b.duration())
            ),
        });
        Some(b)
    } else {
        None
    };
    DrillReport {
        pair: topo.pair.clone(),
        backend: cloud.label(),
        simulated: cloud.is_simulated(),
        injected_outage: injected,
        started,
        events,
        failover: failover_report,
        failback: failback_report,
    }
}

fn outcome_word(r: &RunReport) -> String {
    match &r.outcome {
        super::report::Outcome::Completed => "completed".into(),
        super::report::Outcome::AlreadyDone => "had nothing to do".into(),
        o => format!("did not complete ({o:?})"),
    }
}

impl fmt::Display for DrillReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sim = if self.simulated {
            " (times simulated)"
        } else {
            ""
        };
        writeln!(f, "Drill of {} on {}{sim}", self.pair, self.backend)?;
        for e in &self.events {
            writeln!(f, "  +{:<9} {}", human(e.at.since(self.started)), e.what)?;
        }
        writeln!(f)?;
        write!(f, "{}", self.failover)?;
        if let Some(b) = &self.failback {
            writeln!(f)?;
            write!(f, "{b}")?;
        }
        Ok(())
    }
}
