//! Operating a deployed DR pair: `status`, `failover`, `failback` and `drill`, the same four
//! commands in an app's own program (which synthesizes the app into `--out` first) and in the
//! `drkit` program (which reads an assembly directory, `--app DIR`, so an operator needs no
//! build of the infrastructure crate). One function per command, taking the assembly and its
//! directory, where `runs/` keeps the record of every failover, failback and drill.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use dr_core::Region;
use dr_core::cloud::Cloud;
use dr_deploy::DeployOptions;
use dr_deploy::runtime::report::human;
use dr_deploy::runtime::{
    self, Chaos, Confirmation, DrillOptions, FailoverOptions, Mode, Outcome, PairTopology, RunKind,
    RunReport, StatusOptions, load_runs,
};
use dr_synth::Assembly;

use super::progress::IndicatifRunObserver;
use super::{Target, TargetArgs, confirm, open_cloud, open_local};

/// `status` options.
#[derive(Debug, Clone, Args, Default)]
pub struct StatusArgs {
    /// The DR pair, when the app declares several.
    #[arg(long)]
    pub pair: Option<String>,
    /// Print the status as JSON (for scripts and monitoring).
    #[arg(long)]
    pub json: bool,
    /// Backend options.
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `failover` options.
#[derive(Debug, Clone, Args, Default)]
pub struct FailoverArgs {
    /// The primary Region is failing: promote the DR cluster at once, allowing the loss of what
    /// had not replicated (`FailoverGlobalCluster`), traffic first. Without it, a planned
    /// switchover with no data loss, refused while the DR site is not ready.
    #[arg(long)]
    pub unplanned: bool,
    /// List the steps with the real identifiers; change nothing, save nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Confirm the unplanned failover's data loss without being asked (needed without a
    /// terminal).
    #[arg(long)]
    pub yes: bool,
    /// The DR pair, when the app declares several.
    #[arg(long)]
    pub pair: Option<String>,
    /// Backend options.
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `failback` options.
#[derive(Debug, Clone, Args, Default)]
pub struct FailbackArgs {
    /// List the steps with the real identifiers; change nothing, save nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation (a failback is a switchover and asks nothing today; kept
    /// for scripts that pass it to every move).
    #[arg(long)]
    pub yes: bool,
    /// The DR pair, when the app declares several.
    #[arg(long)]
    pub pair: Option<String>,
    /// Backend options.
    #[command(flatten)]
    pub target: TargetArgs,
}

/// How the primary Region fails in a simulated drill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutageShape {
    /// No answer at all: connections fail or time out.
    #[default]
    NoAnswer,
    /// Every call answers HTTP 500 (`InternalFailure`), after the SDK's retries.
    ServerErrors,
}

impl OutageShape {
    fn outage(self) -> dr_local::Outage {
        match self {
            OutageShape::NoAnswer => dr_local::Outage::NoAnswer,
            OutageShape::ServerErrors => {
                dr_local::Outage::ServerErrors(dr_local::ServerFault::InternalFailure)
            }
        }
    }

    fn describe(self) -> &'static str {
        match self {
            OutageShape::NoAnswer => "no answer at all",
            OutageShape::ServerErrors => "HTTP 500 to every call",
        }
    }
}

/// `drill` options.
#[derive(Debug, Clone, Args)]
pub struct DrillArgs {
    /// The DR pair, when the app declares several.
    #[arg(long)]
    pub pair: Option<String>,
    /// Simulator: how long after the drill starts the primary Region goes down (`30s`, `5m`,
    /// `1h30m`).
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub outage_after: Duration,
    /// Simulator: how long the outage lasts; the failback waits for its end.
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub outage_lasting: Duration,
    /// Simulator: how the Region's endpoints fail.
    #[arg(long, value_enum, default_value_t = OutageShape::NoAnswer)]
    pub outage_shape: OutageShape,
    /// With --target aws, where no outage can be injected: run the drill as a planned failover
    /// and failback of the real pair. Without it, an AWS drill is refused.
    #[arg(long)]
    pub real: bool,
    /// With --target aws and --real: do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Backend options.
    #[command(flatten)]
    pub target: TargetArgs,
}

impl Default for DrillArgs {
    fn default() -> Self {
        let defaults = DrillOptions::default();
        DrillArgs {
            pair: None,
            outage_after: defaults.outage_after,
            outage_lasting: defaults.outage_lasting,
            outage_shape: OutageShape::default(),
            real: false,
            yes: false,
            target: TargetArgs::default(),
        }
    }
}

/// Parses a duration as an operator writes one: `30s`, `5m`, `1h`, `1h30m`, `1h5m30s` (hours,
/// minutes and seconds, each at most once and in that order).
///
/// A parser of its own rather than the `humantime` crate: this grammar is all the command line
/// needs, it is a few lines, and `humantime` would accept more (`2days`, `1month`, `100ms`) than
/// the drill's virtual clock makes sense of.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    const UNITS: [(char, u64); 3] = [('h', 3600), ('m', 60), ('s', 1)];
    let t = text.trim();
    let example = "write it as 30s, 5m, 1h or 1h30m";
    if t.is_empty() {
        return Err(format!("an empty duration; {example}"));
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    // The index in UNITS of the last unit read: each unit comes after the larger ones.
    let mut last: Option<usize> = None;
    for c in t.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let Some(at) = UNITS.iter().position(|(u, _)| *u == c) else {
            return Err(format!("`{text}`: unknown unit `{c}`; {example}"));
        };
        if digits.is_empty() {
            return Err(format!("`{text}`: no number before `{c}`; {example}"));
        }
        if last.is_some_and(|l| l >= at) {
            return Err(format!(
                "`{text}`: `{c}` comes after a smaller or the same unit; {example}"
            ));
        }
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("`{text}`: `{digits}` is too large"))?;
        total = n
            .checked_mul(UNITS[at].1)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(|| format!("`{text}` is too long"))?;
        digits.clear();
        last = Some(at);
    }
    if !digits.is_empty() {
        return Err(format!(
            "`{text}`: `{digits}` has no unit; write {digits}s, {digits}m or {digits}h"
        ));
    }
    Ok(Duration::from_secs(total))
}

/// `status`: which site is active, what disagrees, the standby site's readiness and the last
/// run recorded in `dir`; `--json` for the same as JSON.
pub(super) async fn status(assembly: &Assembly, dir: &Path, args: &StatusArgs) -> Result<()> {
    let topo = PairTopology::select(assembly, args.pair.as_deref())?;
    let cloud = open_cloud(&args.target)?;
    let options = StatusOptions {
        runs: load_runs(dir),
    };
    let st = runtime::status(cloud.as_ref(), assembly, &topo, &options).await;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&st).context("writing the status as JSON")?
        );
    } else {
        print!("{st}");
    }
    Ok(())
}

/// `failover`: the writer and the traffic to the DR site.
pub(super) async fn failover(assembly: &Assembly, dir: &Path, args: &FailoverArgs) -> Result<()> {
    let mode = if args.unplanned {
        Mode::Unplanned
    } else {
        Mode::Planned
    };
    let how = Move {
        kind: RunKind::Failover,
        mode,
        dry_run: args.dry_run,
        yes: args.yes,
        pair: args.pair.as_deref(),
        target: &args.target,
    };
    relocate(assembly, dir, &how).await
}

/// `failback`: the writer and the traffic back to the primary site, by switchover.
pub(super) async fn failback(assembly: &Assembly, dir: &Path, args: &FailbackArgs) -> Result<()> {
    let how = Move {
        kind: RunKind::Failback,
        mode: Mode::Planned,
        dry_run: args.dry_run,
        yes: args.yes,
        pair: args.pair.as_deref(),
        target: &args.target,
    };
    relocate(assembly, dir, &how).await
}

/// A failover or failback as the command line asked for it.
struct Move<'a> {
    kind: RunKind,
    mode: Mode,
    dry_run: bool,
    yes: bool,
    pair: Option<&'a str>,
    target: &'a TargetArgs,
}

async fn relocate(assembly: &Assembly, dir: &Path, how: &Move<'_>) -> Result<()> {
    let topo = PairTopology::select(assembly, how.pair)?;
    let cloud = open_cloud(how.target)?;
    let observer = IndicatifRunObserver::new().simulated(cloud.is_simulated());
    let confirmation = if how.yes {
        Confirmation::Given
    } else {
        // Asked on the terminal with the display held still; without a terminal the answer
        // is no, and the error below says to pass --yes.
        let suspend = observer.suspender();
        Confirmation::Ask(Arc::new(move |question: &str| {
            suspend(&|| confirm(question).unwrap_or(false))
        }))
    };
    let options = FailoverOptions {
        mode: how.mode,
        dry_run: how.dry_run,
        confirmation,
        ..FailoverOptions::default()
    };
    let report = match how.kind {
        RunKind::Failover => {
            runtime::failover(cloud.as_ref(), assembly, &topo, &options, &observer).await
        }
        RunKind::Failback => {
            runtime::failback(cloud.as_ref(), assembly, &topo, &options, &observer).await
        }
    };
    drop(observer);
    print!("{report}");
    if !how.dry_run {
        let path = report
            .save(dir)
            .with_context(|| format!("saving the run's record in {}", dir.display()))?;
        println!("Record: {}", path.display());
    }
    outcome_result(&report)
}

/// `Ok` when the run put (or found) the writer and the traffic where it was to, or was a dry
/// run; otherwise an error saying what to do next.
fn outcome_result(report: &RunReport) -> Result<()> {
    let what = match report.kind {
        RunKind::Failover => "failover",
        RunKind::Failback => "failback",
    };
    match &report.outcome {
        Outcome::Completed | Outcome::AlreadyDone | Outcome::DryRun => Ok(()),
        // The reason names the failed checks and, for a failover, the `--unplanned` way.
        Outcome::Refused(why) => bail!("{what} refused, nothing was changed: {why}"),
        Outcome::NotConfirmed => bail!(
            "{what} not confirmed, nothing was changed; pass --yes to confirm without a terminal"
        ),
        Outcome::Failed(why) => {
            bail!("{what} failed: {why}; run the same command again to finish from there")
        }
    }
}

/// The simulator as a [`Chaos`]: an outage of a Region's endpoints in the shape asked for.
struct SimulatedOutage {
    cloud: dr_local::LocalCloud,
    shape: dr_local::Outage,
}

impl Chaos for SimulatedOutage {
    fn start_region_outage(&self, region: Region) {
        self.cloud.set_region_outage(region, Some(self.shape));
    }
    fn end_region_outage(&self, region: Region) {
        self.cloud.set_region_outage(region, None);
    }
}

/// `drill`: on the simulator, deploy, take the primary Region down, run the unplanned failover,
/// bring the Region back, fail back; on AWS (only with `--real`, confirmed), a planned failover
/// and failback of the real pair. The record goes into `dir`'s `runs/`.
pub(super) async fn drill(assembly: &Assembly, dir: &Path, args: &DrillArgs) -> Result<()> {
    let topo = PairTopology::select(assembly, args.pair.as_deref())?;
    let options = DrillOptions {
        outage_after: args.outage_after,
        outage_lasting: args.outage_lasting,
        run: FailoverOptions::default(),
    };
    let report = match args.target.target {
        Target::Local => {
            let cloud = open_local(&args.target)?;
            super::deploy_with(&cloud, assembly, &DeployOptions::default()).await?;
            let chaos = SimulatedOutage {
                cloud: cloud.clone(),
                shape: args.outage_shape.outage(),
            };
            println!(
                "Drill of {}: {} stops answering ({}) {} after the start, for {} (simulated)",
                topo.pair,
                topo.primary_region,
                args.outage_shape.describe(),
                human(args.outage_after),
                human(args.outage_lasting)
            );
            let observer = IndicatifRunObserver::new().simulated(cloud.is_simulated());
            let report =
                runtime::drill(&cloud, Some(&chaos), assembly, &topo, &options, &observer).await;
            // Whatever happened, the Region answers again for the commands that follow.
            chaos.end_region_outage(topo.primary_region);
            report
        }
        Target::Aws => {
            if !args.real {
                bail!(
                    "on --target aws a drill cannot inject an outage: it is a planned failover of \
                     the real pair `{}` to {} and a failback to {}, moving production traffic \
                     twice; pass --real to run it",
                    topo.pair,
                    topo.secondary_region,
                    topo.primary_region
                );
            }
            let question = format!(
                "Drill on AWS: switch pair `{}` over to {} and back to {} (planned, no data loss; \
                 traffic moves twice)?",
                topo.pair, topo.secondary_region, topo.primary_region
            );
            if !args.yes && !confirm(&question)? {
                bail!("drill cancelled; nothing was changed");
            }
            let cloud = open_cloud(&args.target)?;
            let observer = IndicatifRunObserver::new().simulated(cloud.is_simulated());
            runtime::drill(cloud.as_ref(), None, assembly, &topo, &options, &observer).await
        }
    };
    print!("{report}");
    let path = report
        .save(dir)
        .with_context(|| format!("saving the drill's record in {}", dir.display()))?;
    println!("Record: {}", path.display());
    if !report.is_success() {
        bail!(
            "the drill did not complete (the report above says where it stopped); `status` shows \
             where the writer and the traffic are now"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_an_operator_writes_them() {
        let secs = |s: &str| parse_duration(s).map(|d| d.as_secs());
        assert_eq!(secs("30s"), Ok(30));
        assert_eq!(secs("5m"), Ok(300));
        assert_eq!(secs("1h"), Ok(3600));
        assert_eq!(secs("1h30m"), Ok(5400));
        assert_eq!(secs("1h5m30s"), Ok(3930));
        assert_eq!(secs(" 0s "), Ok(0));
    }

    #[test]
    fn a_duration_that_is_not_one_says_how_to_write_it() {
        let err = |s: &str| parse_duration(s).unwrap_err();
        assert_eq!(err("90"), "`90`: `90` has no unit; write 90s, 90m or 90h");
        assert!(err("").starts_with("an empty duration;"), "{}", err(""));
        assert!(
            err("5x").starts_with("`5x`: unknown unit `x`"),
            "{}",
            err("5x")
        );
        assert!(
            err("h").starts_with("`h`: no number before `h`"),
            "{}",
            err("h")
        );
        // Larger units first, each once; `ms` is not a unit here.
        assert!(err("30m1h").contains("comes after"), "{}", err("30m1h"));
        assert!(err("1m1m").contains("comes after"), "{}", err("1m1m"));
        assert!(err("100ms").starts_with("`100ms`: no number before `s`"));
        assert!(err("99999999999999999999s").contains("too large"));
        assert!(err("9999999999999999h").contains("too long"));
    }
}
