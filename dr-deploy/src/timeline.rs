//! Where a deploy's time went: its waves with their bounds, and the critical path.
//!
//! A deploy runs the stacks of a wave concurrently and each wave after the previous one
//! ([`Assembly::waves`]), so the per-stack lines of a [`DeploySummary`] do not say why the
//! deploy took as long as it did. The [`Timeline`] puts the reports back into their waves and
//! follows the chain of dependencies that ended last, which is the chain to shorten to make
//! the deploy faster.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::Timestamp;
use dr_synth::assembly::Assembly;

use crate::{DeployReport, DeploySummary, StackAction, human_duration, simulated_label};

/// The widest line the display writes before wrapping a list onto an indented continuation
/// line: a wave of many stacks (`examples/many_pairs.rs`) stays readable in a terminal.
const MAX_WIDTH: usize = 100;

/// One stack's time in a deploy, as offsets from the deploy's start.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedStack {
    /// The stack.
    pub name: String,
    /// Its Region.
    pub region: Region,
    /// What the engine did to it.
    pub action: StackAction,
    /// When the engine started on it, after the deploy's start.
    pub start: Duration,
    /// When it finished, after the deploy's start.
    pub end: Duration,
}

impl TimedStack {
    fn new(report: &DeployReport, deploy_start: Timestamp) -> Self {
        TimedStack {
            name: report.stack.clone(),
            region: report.region,
            action: report.action,
            start: report.started_at.since(deploy_start),
            end: report.finished_at.since(deploy_start),
        }
    }

    /// How long it took.
    pub fn duration(&self) -> Duration {
        self.end.saturating_sub(self.start)
    }

    /// `Name (2m41s)`, with the action when the stack was not created or updated, so a short
    /// time reads as "nothing to do" rather than as a fast deploy.
    fn label(&self) -> String {
        if self.action.changed() {
            format!("{} ({})", self.name, human_duration(self.duration()))
        } else {
            format!(
                "{} ({}, {})",
                self.name,
                human_duration(self.duration()),
                self.action.as_str()
            )
        }
    }
}

/// One wave of the deploy: stacks whose dependencies were all in earlier waves.
#[derive(Debug, Clone, PartialEq)]
pub struct Wave {
    /// Its number among the assembly's waves, from 1. Kept when a `--only` deploy leaves
    /// earlier waves out, so it names the same wave in every deploy of the assembly.
    pub number: usize,
    /// Its stacks that are in the summary, in assembly order.
    pub stacks: Vec<TimedStack>,
    /// The earliest start of its stacks, after the deploy's start.
    pub start: Duration,
    /// The latest finish of its stacks, after the deploy's start.
    pub end: Duration,
}

/// The waves of a deploy and its critical path, built from the assembly it deployed and the
/// summary it returned. Its [`Display`](fmt::Display) is what the command line prints after a
/// deploy.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// The waves with at least one stack in the summary, in deploy order.
    pub waves: Vec<Wave>,
    /// The critical path, first to last: from the stack that finished last, back through the
    /// dependency (in the summary) that finished last, until a stack without one. Empty when
    /// the summary has no stack.
    pub critical_path: Vec<TimedStack>,
    /// Whether the times are the simulator's virtual time ([`DeploySummary::simulated`]).
    pub simulated: bool,
}

impl Timeline {
    /// From the deploy's start to the last finish of a stack: the end of the critical path.
    pub fn total(&self) -> Duration {
        self.critical_path.last().map_or(Duration::ZERO, |s| s.end)
    }

    /// The timeline of `summary`, a deploy of `assembly`. Stacks the deploy left out
    /// (`deploy --only`) are not in it, and waves with none of their stacks in it are dropped.
    /// Skipped and unchanged stacks count with their own (short) times. Ties (two stacks that
    /// finished at the same moment) go to the stack first in assembly order, so the same
    /// summary always gives the same path.
    pub fn new(assembly: &Assembly, summary: &DeploySummary) -> Timeline {
        let reports: HashMap<&str, &DeployReport> = summary
            .stacks
            .iter()
            .map(|r| (r.stack.as_str(), r))
            .collect();
        let timed = |name: &str| {
            reports
                .get(name)
                .map(|r| TimedStack::new(r, summary.started_at))
        };

        let waves: Vec<Wave> = assembly
            .waves()
            .iter()
            .enumerate()
            .filter_map(|(i, wave)| {
                let stacks: Vec<TimedStack> = wave.iter().filter_map(|s| timed(&s.name)).collect();
                let start = stacks.iter().map(|s| s.start).min()?;
                let end = stacks.iter().map(|s| s.end).max()?;
                Some(Wave {
                    number: i + 1,
                    stacks,
                    start,
                    end,
                })
            })
            .collect();

        // The latest finisher among `names`, the first in assembly order on a tie: `max_by_key`
        // keeps the last maximum, so the key ranks an earlier position higher.
        let order: HashMap<&str, usize> = assembly
            .stacks
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_str(), i))
            .collect();
        let latest = |names: &mut dyn Iterator<Item = &str>| -> Option<&DeployReport> {
            names
                .filter_map(|n| reports.get(n).copied())
                .max_by_key(|r| {
                    let position = order.get(r.stack.as_str()).copied().unwrap_or(usize::MAX);
                    (r.finished_at, std::cmp::Reverse(position))
                })
        };

        let mut path: Vec<&DeployReport> = Vec::new();
        let mut next = latest(&mut assembly.stacks.iter().map(|s| s.name.as_str()));
        while let Some(report) = next {
            // A hand-edited manifest may hold a cycle (synthesis rejects them): stop rather
            // than walk it forever.
            if path.iter().any(|p| p.stack == report.stack) {
                break;
            }
            path.push(report);
            next = assembly
                .stack(&report.stack)
                .and_then(|art| latest(&mut art.dependencies.iter().map(String::as_str)));
        }
        path.reverse();

        Timeline {
            waves,
            critical_path: path
                .into_iter()
                .map(|r| TimedStack::new(r, summary.started_at))
                .collect(),
            simulated: summary.simulated,
        }
    }
}

/// An offset from the deploy's start: `0s` for the start itself (where [`human_duration`]
/// would say `0.000s`, which reads as a measurement), else as [`human_duration`] says.
fn offset(d: Duration) -> String {
    if d.is_zero() {
        "0s".into()
    } else {
        human_duration(d)
    }
}

/// `head` then `items` joined by `separator`, wrapped before an item that would pass
/// [`MAX_WIDTH`]; continuation lines are indented to where the first item starts, so the list
/// reads as one column. An item is never split, so a very long one may pass the width.
fn wrapped(head: &str, items: &[String], separator: &str) -> String {
    let indent = head.chars().count();
    let mut out = head.to_string();
    let mut width = indent;
    for (i, item) in items.iter().enumerate() {
        let item_width = item.chars().count();
        if i > 0 {
            // The separator's trailing spaces would dangle at a line end.
            let sep = separator.trim_end();
            if width + separator.chars().count() + item_width > MAX_WIDTH {
                out.push_str(sep);
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                width = indent;
            } else {
                out.push_str(separator);
                width += separator.chars().count();
            }
        }
        out.push_str(item);
        width += item_width;
    }
    out
}

impl fmt::Display for Timeline {
    /// One line per wave (number, start → end after the deploy's start, its stacks with their
    /// durations), then the critical path with the total. Nothing for an empty timeline.
    ///
    /// ```text
    /// Waves (simulated):
    ///   1  0s → 2m48s         Shop-Primary-Network (2m48s), Shop-Secondary-Network (2m48s)
    ///   2  2m48s → 18m56s     Shop-Primary (11m28s), Shop-Primary-Data (16m08s)
    /// Critical path: Shop-Primary-Network (2m48s) → Shop-Primary-Data (16m08s) = 18m56s (simulated)
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.waves.is_empty() {
            return Ok(());
        }
        let label = simulated_label(self.simulated);
        writeln!(f, "Waves{label}:")?;
        let numbers = self
            .waves
            .iter()
            .map(|w| w.number.to_string())
            .collect::<Vec<_>>();
        let bounds = self
            .waves
            .iter()
            .map(|w| format!("{} → {}", offset(w.start), offset(w.end)))
            .collect::<Vec<_>>();
        // Columns, so the stack lists start at one place whatever the times' widths.
        let number_width = numbers.iter().map(String::len).max().unwrap_or(1);
        let bounds_width = bounds.iter().map(|b| b.chars().count()).max().unwrap_or(0);
        for ((wave, number), bound) in self.waves.iter().zip(&numbers).zip(&bounds) {
            let head = format!("  {number:>number_width$}  {bound:<bounds_width$}    ");
            let labels: Vec<String> = wave.stacks.iter().map(TimedStack::label).collect();
            writeln!(f, "{}", wrapped(&head, &labels, ", "))?;
        }
        let mut steps: Vec<String> = self.critical_path.iter().map(TimedStack::label).collect();
        if let Some(last) = steps.last_mut() {
            last.push_str(&format!(" = {}{label}", human_duration(self.total())));
        }
        writeln!(f, "{}", wrapped("Critical path: ", &steps, " → "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use dr_synth::assembly::StackArtifact;
    use serde_json::json;

    /// A stack of the test assembly: its name, Region and dependencies are all the timeline
    /// reads.
    fn artifact(name: &str, region: Region, dependencies: &[&str]) -> StackArtifact {
        StackArtifact {
            name: name.into(),
            path: format!("shop/{name}"),
            region,
            account: None,
            template: json!({"Resources": {}}),
            dependencies: dependencies.iter().map(|d| d.to_string()).collect(),
            parameter_wiring: vec![],
            termination_protection: true,
        }
    }

    /// Three waves shaped like the example's, with one more stack in the middle wave:
    /// 1: Net-A, Net-B; 2: App-A (Net-A), Data-A (Net-A, Net-B), Peering (Net-A, Net-B);
    /// 3: Data-B (Data-A, Net-B), Global (App-A, Net-B).
    fn three_waves() -> Assembly {
        use Region::{UsEast2 as E, UsWest2 as W};
        Assembly {
            app: "shop".into(),
            stacks: vec![
                artifact("Net-A", E, &[]),
                artifact("Net-B", W, &[]),
                artifact("App-A", E, &["Net-A"]),
                artifact("Data-A", E, &["Net-A", "Net-B"]),
                artifact("Peering", E, &["Net-A", "Net-B"]),
                artifact("Data-B", W, &["Data-A", "Net-B"]),
                artifact("Global", W, &["App-A", "Net-B"]),
            ],
            dr_pairs: Vec::new(),
            warnings: vec![],
            extra_files: vec![],
        }
    }

    const T0: i64 = 1_000_000;

    /// The report of `stack` from `start` to `end`, in seconds after the deploy's start.
    fn ran(
        assembly: &Assembly,
        stack: &str,
        action: StackAction,
        start: u64,
        end: u64,
    ) -> DeployReport {
        let at = |s: u64| Timestamp::from_millis(T0).plus(Duration::from_secs(s));
        DeployReport {
            stack: stack.into(),
            region: assembly.stack(stack).unwrap().region,
            action,
            mutating_calls: 0,
            outputs: vec![],
            final_status: None,
            change_count: 0,
            started_at: at(start),
            finished_at: at(end),
            notes: vec![],
            error: None,
        }
    }

    fn summary(stacks: Vec<DeployReport>, simulated: bool) -> DeploySummary {
        let end = stacks
            .iter()
            .map(|r| r.finished_at)
            .max()
            .unwrap_or(Timestamp(T0));
        DeploySummary {
            stacks,
            started_at: Timestamp::from_millis(T0),
            finished_at: end,
            simulated,
        }
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn names(stacks: &[TimedStack]) -> Vec<&str> {
        stacks.iter().map(|s| s.name.as_str()).collect()
    }

    /// Each wave's number, stacks, start and end.
    fn wave_bounds(t: &Timeline) -> Vec<(usize, Vec<&str>, Duration, Duration)> {
        t.waves
            .iter()
            .map(|w| (w.number, names(&w.stacks), w.start, w.end))
            .collect()
    }

    /// A full deploy: wave 2's slowest stack is Peering, but the stack that finished last,
    /// Data-B, depends on Data-A, so the path goes through Data-A.
    fn full_deploy(assembly: &Assembly) -> DeploySummary {
        use StackAction::Created;
        summary(
            vec![
                ran(assembly, "Net-A", Created, 1, 161),
                ran(assembly, "Net-B", Created, 1, 158),
                ran(assembly, "App-A", Created, 161, 849),
                ran(assembly, "Data-A", Created, 161, 1129),
                ran(assembly, "Peering", Created, 161, 1200),
                ran(assembly, "Data-B", Created, 1200, 2728),
                ran(assembly, "Global", Created, 1200, 1500),
            ],
            true,
        )
    }

    #[test]
    fn waves_have_their_stacks_and_bounds() {
        let asm = three_waves();
        let t = Timeline::new(&asm, &full_deploy(&asm));
        assert_eq!(
            wave_bounds(&t),
            [
                (1, vec!["Net-A", "Net-B"], secs(1), secs(161)),
                (2, vec!["App-A", "Data-A", "Peering"], secs(161), secs(1200)),
                (3, vec!["Data-B", "Global"], secs(1200), secs(2728)),
            ]
        );
        let data_a = &t.waves[1].stacks[1];
        assert_eq!(
            (data_a.region, data_a.action, data_a.duration()),
            (Region::UsEast2, StackAction::Created, secs(968))
        );
    }

    #[test]
    fn the_critical_path_follows_the_dependency_that_finished_last_not_the_slowest_stack() {
        let asm = three_waves();
        let t = Timeline::new(&asm, &full_deploy(&asm));
        // Peering finished last in wave 2, but Data-B does not depend on it.
        assert_eq!(names(&t.critical_path), ["Net-A", "Data-A", "Data-B"]);
        let durations: Vec<Duration> = t.critical_path.iter().map(TimedStack::duration).collect();
        assert_eq!(durations, [secs(160), secs(968), secs(1528)]);
        assert_eq!(t.total(), secs(2728));
        assert!(t.simulated);
    }

    #[test]
    fn ties_go_to_the_stack_first_in_assembly_order() {
        use StackAction::{Created, Unchanged};
        let asm = three_waves();
        let s = summary(
            vec![
                ran(&asm, "Net-A", Unchanged, 0, 2),
                ran(&asm, "Net-B", Unchanged, 0, 2),
                ran(&asm, "App-A", Created, 2, 50),
                ran(&asm, "Data-A", Unchanged, 2, 3),
                ran(&asm, "Peering", Unchanged, 2, 3),
                ran(&asm, "Data-B", Created, 50, 90),
                ran(&asm, "Global", Created, 50, 90),
            ],
            false,
        );
        let t = Timeline::new(&asm, &s);
        // Data-B and Global tie: Data-B comes first in the assembly. Of its dependencies,
        // Data-A finished last; Data-A's own, Net-A and Net-B, tie again.
        assert_eq!(names(&t.critical_path), ["Net-A", "Data-A", "Data-B"]);
        assert_eq!(t.total(), secs(90));
        // The same summary, the same path.
        assert_eq!(Timeline::new(&asm, &s), t);
    }

    #[test]
    fn a_deploy_of_some_stacks_leaves_the_others_and_their_empty_waves_out() {
        use StackAction::Updated;
        let asm = three_waves();
        // `deploy App-A Global`: wave 1 is left out entirely.
        let s = summary(
            vec![
                ran(&asm, "App-A", Updated, 0, 40),
                ran(&asm, "Global", Updated, 40, 100),
            ],
            false,
        );
        let t = Timeline::new(&asm, &s);
        assert_eq!(
            wave_bounds(&t),
            [
                (2, vec!["App-A"], secs(0), secs(40)),
                (3, vec!["Global"], secs(40), secs(100)),
            ]
        );
        // Global's other dependency, Net-B, was not deployed, so the path ends at App-A.
        assert_eq!(names(&t.critical_path), ["App-A", "Global"]);
        assert_eq!(t.total(), secs(100));
        assert!(!t.to_string().contains("Net-"), "{t}");
    }

    #[test]
    fn an_empty_summary_has_no_waves_no_path_and_prints_nothing() {
        let asm = three_waves();
        let t = Timeline::new(&asm, &summary(vec![], true));
        assert!(t.waves.is_empty());
        assert!(t.critical_path.is_empty());
        assert_eq!(t.total(), Duration::ZERO);
        assert_eq!(t.to_string(), "");
    }

    #[test]
    fn the_display_aligns_the_waves_and_labels_simulated_time() {
        let asm = three_waves();
        let t = Timeline::new(&asm, &full_deploy(&asm));
        assert_eq!(
            t.to_string(),
            "Waves (simulated):\n\
             \x20 1  1s → 2m41s         Net-A (2m40s), Net-B (2m37s)\n\
             \x20 2  2m41s → 20m00s     App-A (11m28s), Data-A (16m08s), Peering (17m19s)\n\
             \x20 3  20m00s → 45m28s    Data-B (25m28s), Global (5m00s)\n\
             Critical path: Net-A (2m40s) → Data-A (16m08s) → Data-B (25m28s) = 45m28s (simulated)\n"
        );
    }

    #[test]
    fn the_display_names_actions_other_than_created_or_updated_and_starts_at_0s() {
        use StackAction::{Created, Skipped, Unchanged};
        let asm = three_waves();
        let mut s = summary(
            vec![
                ran(&asm, "Net-A", Unchanged, 0, 1),
                ran(&asm, "Net-B", Created, 0, 30),
            ],
            false,
        );
        s.stacks[0].started_at = s.started_at;
        s.stacks.push(ran(&asm, "Data-A", Skipped, 30, 30));
        let text = Timeline::new(&asm, &s).to_string();
        assert!(text.starts_with("Waves:\n  1  0s → 30s"), "{text}");
        assert!(
            text.contains("Net-A (1s, unchanged), Net-B (30s)\n"),
            "{text}"
        );
        assert!(text.contains("Data-A (0.000s, skipped)"), "{text}");
        // A stack skipped behind a failure is skipped at the moment its dependency finished:
        // the tie goes to the dependency, earlier in the assembly, which is where time went.
        assert!(
            text.ends_with("Critical path: Net-B (30s) = 30s\n"),
            "{text}"
        );
    }

    #[test]
    fn a_long_wave_wraps_onto_indented_continuation_lines() {
        let stacks: Vec<StackArtifact> = (0..12)
            .map(|i| artifact(&format!("Shop{i}-Secondary-Peering"), Region::UsWest2, &[]))
            .collect();
        let asm = Assembly {
            stacks,
            ..three_waves()
        };
        let reports = asm
            .stacks
            .iter()
            .map(|s| ran(&asm, &s.name, StackAction::Created, 0, 62))
            .collect();
        let text = Timeline::new(&asm, &summary(reports, false)).to_string();
        let lines: Vec<&str> = text.lines().collect();
        let wave: Vec<&str> = lines[1..lines.len() - 1].to_vec();
        assert!(wave.len() > 1, "{text}");
        // In characters: the arrow is one on screen, three bytes.
        let indent = wave[0].split("Shop0").next().unwrap().chars().count();
        for line in &wave {
            assert!(line.chars().count() <= MAX_WIDTH, "{text}");
        }
        for line in &wave[1..] {
            let blank = line.chars().take_while(|c| *c == ' ').count();
            assert_eq!(blank, indent, "{text}");
        }
        for line in &wave[..wave.len() - 1] {
            assert!(line.ends_with(','), "{text}");
        }
        // Every stack once.
        assert_eq!(
            wave.concat().matches("-Secondary-Peering (1m02s)").count(),
            12,
            "{text}"
        );
    }
}
