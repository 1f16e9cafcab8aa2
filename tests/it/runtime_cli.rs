//! The DR pair's operation on the command line: `status`, `failover`, `failback` and `drill`,
//! in the app's own program (`run_with`) and in the `drkit` program (`run_tool`, and the
//! binary as a process, reading an assembly directory), on the local simulator.

use std::path::{Path, PathBuf};
use std::process::{Command as Process, Output, Stdio};

use clap::Parser;
use drkit::cli::tool::{Tool, run_tool};
use drkit::cli::{Cli, Command, run_with};
use drkit::deploy::runtime::{self, DrillReport, PairStatus, PairTopology, Role, StatusOptions};
use drkit::prelude::*;

use crate::two_region;

/// A temporary directory with the assembly directory (`out`) and the simulator's state file.
struct Workspace {
    _dir: tempfile::TempDir,
    out: PathBuf,
    state: PathBuf,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Workspace {
            out: dir.path().join("out"),
            state: dir.path().join("state.json"),
            _dir: dir,
        }
    }

    fn out(&self) -> &str {
        self.out.to_str().unwrap()
    }

    fn state(&self) -> &str {
        self.state.to_str().unwrap()
    }

    /// Runs the example's program with `args`, then `--out` and `--state`.
    fn app(&self, args: &[&str]) -> anyhow::Result<()> {
        let all: Vec<&str> = std::iter::once("two_region")
            .chain(args.iter().copied())
            .chain(["--out", self.out(), "--state", self.state()])
            .collect();
        run_with(two_region::build(), Cli::parse_from(all))
    }

    /// Runs the `drkit` program in process with `args`, then `--app` and `--state`.
    fn tool(&self, args: &[&str]) -> anyhow::Result<()> {
        let all: Vec<&str> = std::iter::once("drkit")
            .chain(args.iter().copied())
            .chain(["--app", self.out(), "--state", self.state()])
            .collect();
        run_tool(Tool::parse_from(all))
    }

    /// Runs the `drkit` binary with `args`, then `--app` and `--state`, without a terminal.
    fn binary(&self, args: &[&str]) -> Output {
        Process::new(env!("CARGO_BIN_EXE_drkit"))
            .args(args)
            .args(["--app", self.out(), "--state", self.state()])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// The pair's status read through the library, as a check independent of the commands.
    fn status(&self) -> PairStatus {
        let cloud = drkit::local::LocalCloud::open(&self.state).unwrap();
        let assembly = drkit::synth::Assembly::read(&self.out).unwrap();
        let topo = PairTopology::select(&assembly, None).unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(runtime::status(
            &cloud,
            &assembly,
            &topo,
            &StatusOptions::default(),
        ))
    }

    /// The file names in `runs/`, sorted; empty when the directory does not exist.
    fn runs(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.out.join("runs")) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Where the writer is and where the switch sends traffic, as `status` reads them.
fn writer_and_traffic(st: &PairStatus) -> (Option<Role>, Option<Role>) {
    (
        st.database.as_ref().and_then(|d| d.writer),
        st.route53_answers,
    )
}

#[test]
fn status_failover_and_failback_through_the_app_program() {
    let ws = Workspace::new();
    ws.app(&["deploy"]).unwrap();
    ws.app(&["status"]).unwrap();
    ws.app(&["status", "--json"]).unwrap();
    let before = ws.status();
    assert_eq!(before.active, Some(Role::Primary), "{before}");
    assert_eq!(before.primary_region, Region::UsEast2);

    // A dry run changes nothing and saves nothing.
    ws.app(&["failover", "--dry-run"]).unwrap();
    let after_dry_run = ws.status();
    assert_eq!(after_dry_run.active, Some(Role::Primary), "{after_dry_run}");
    assert_eq!(
        writer_and_traffic(&after_dry_run),
        (Some(Role::Primary), Some(Role::Primary))
    );
    assert_eq!(
        after_dry_run.switch.as_ref().and_then(|s| s.last_value),
        None,
        "the dry run published nothing to the switch"
    );
    assert_eq!(ws.runs(), Vec::<String>::new());

    // A planned failover needs no confirmation; its record lands in runs/.
    ws.app(&["failover"]).unwrap();
    let failed_over = ws.status();
    assert_eq!(failed_over.active, Some(Role::Secondary), "{failed_over}");
    assert_eq!(
        writer_and_traffic(&failed_over),
        (Some(Role::Secondary), Some(Role::Secondary))
    );
    let runs = ws.runs();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(runs[0].ends_with("-Shop-failover.json"), "{runs:?}");
    let record: runtime::RunReport =
        serde_json::from_str(&std::fs::read_to_string(ws.out.join("runs").join(&runs[0])).unwrap())
            .unwrap();
    assert_eq!(record.outcome, runtime::Outcome::Completed);
    assert_eq!(record.to_region, Region::UsWest2);

    ws.app(&["failback"]).unwrap();
    let back = ws.status();
    assert_eq!(back.active, Some(Role::Primary), "{back}");
    assert_eq!(
        writer_and_traffic(&back),
        (Some(Role::Primary), Some(Role::Primary))
    );
    let runs = ws.runs();
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(
        runs.iter().any(|r| r.ends_with("-Shop-failback.json")),
        "{runs:?}"
    );
}

#[test]
fn the_drkit_program_operates_the_pair_from_an_assembly_directory() {
    let ws = Workspace::new();
    ws.app(&["deploy"]).unwrap();

    let status = ws.binary(&["status"]);
    assert!(status.status.success(), "{}", stderr(&status));
    let text = stdout(&status);
    assert!(
        text.starts_with("Pair Shop of `shop` on local simulator"),
        "{text}"
    );
    assert!(
        text.contains("  Active:        primary (us-east-2)\n"),
        "{text}"
    );

    let json = ws.binary(&["status", "--json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["active"], "primary");
    assert_eq!(json["primary_region"], "us-east-2");
    let global_id = json["database"]["global_cluster_id"]
        .as_str()
        .expect("the global cluster's id")
        .to_string();
    assert!(global_id.starts_with("shop-primary-data-"), "{global_id}");

    // The dry run names the real global cluster in its steps, and changes nothing.
    let dry = ws.binary(&["failover", "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let text = stdout(&dry);
    assert!(
        text.contains(&format!(
            "SwitchoverGlobalCluster {global_id} to the DR cluster"
        )),
        "{text}"
    );
    assert!(text.contains("not run: dry run"), "{text}");
    assert!(
        text.contains("Outcome: dry run: nothing was changed"),
        "{text}"
    );
    assert_eq!(ws.runs(), Vec::<String>::new());
    assert_eq!(ws.status().active, Some(Role::Primary));

    // An unplanned failover without --yes and without a terminal is not confirmed: exit
    // non-zero, the way out in the message, nothing changed.
    let unconfirmed = ws.binary(&["failover", "--unplanned"]);
    assert!(!unconfirmed.status.success());
    let err = stderr(&unconfirmed);
    assert!(
        err.contains(
            "error: failover not confirmed, nothing was changed; pass --yes to confirm without a \
             terminal"
        ),
        "{err}"
    );
    assert!(
        stdout(&unconfirmed).contains("Outcome: not confirmed, nothing was changed"),
        "{}",
        stdout(&unconfirmed)
    );
    let st = ws.status();
    assert_eq!(
        writer_and_traffic(&st),
        (Some(Role::Primary), Some(Role::Primary)),
        "{st}"
    );
    assert_eq!(st.switch.as_ref().and_then(|s| s.last_value), None);

    // With --yes the unplanned failover runs, through the tool's run function.
    ws.tool(&["failover", "--unplanned", "--yes"]).unwrap();
    let st = ws.status();
    assert_eq!(st.active, Some(Role::Secondary), "{st}");
    let status = ws.binary(&["status"]);
    let text = stdout(&status);
    assert!(text.contains("  Active:        DR (us-west-2)\n"), "{text}");
    assert!(
        text.contains("  Last run:      Failover Unplanned at "),
        "the record in runs/ is read: {text}"
    );

    ws.tool(&["failback", "--yes"]).unwrap();
    assert_eq!(ws.status().active, Some(Role::Primary));
}

#[test]
fn a_planned_failover_refused_exits_non_zero_and_changes_nothing() {
    let ws = Workspace::new();
    ws.app(&["deploy"]).unwrap();
    // The DR site's targets fail their checks: a planned move is refused, naming the check and
    // the unplanned way.
    {
        let cloud = drkit::local::LocalCloud::open(&ws.state).unwrap();
        let assembly = drkit::synth::Assembly::read(&ws.out).unwrap();
        let topo = PairTopology::select(&assembly, None).unwrap();
        let tg = ws_target_group(&cloud, &assembly, &topo);
        cloud
            .set_target_health(Region::UsWest2, &tg, "unhealthy")
            .unwrap();
    }
    let err = ws.app(&["failover"]).unwrap_err().to_string();
    assert!(
        err.starts_with("failover refused, nothing was changed: "),
        "{err}"
    );
    assert!(err.contains("failover --unplanned"), "{err}");
    assert_eq!(ws.status().active, Some(Role::Primary));
}

/// The physical id of the DR site's target group.
fn ws_target_group(
    cloud: &drkit::local::LocalCloud,
    assembly: &drkit::synth::Assembly,
    topo: &PairTopology,
) -> String {
    let element = &topo.balancers[1]
        .as_ref()
        .expect("the DR site's balancer")
        .target_group;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(runtime::topology::Resolver::new(cloud, assembly, topo).physical_id(element))
        .unwrap()
}

#[test]
fn a_drill_on_the_simulator_deploys_fails_over_and_back_and_keeps_its_record() {
    let ws = Workspace::new();
    // No deploy first: the drill deploys.
    ws.app(&[
        "drill",
        "--outage-after",
        "1m",
        "--outage-lasting",
        "1h30m",
        "--outage-shape",
        "server-errors",
    ])
    .unwrap();
    let runs = ws.runs();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(runs[0].ends_with("-Shop-drill.json"), "{runs:?}");
    let drill: DrillReport =
        serde_json::from_str(&std::fs::read_to_string(ws.out.join("runs").join(&runs[0])).unwrap())
            .unwrap();
    assert!(drill.is_success(), "{drill}");
    assert!(drill.simulated);
    assert_eq!(drill.injected_outage, Some(Region::UsEast2));
    assert_eq!(drill.failover.mode, runtime::Mode::Unplanned);
    // The outage began 1 minute in and the failback waited for its end, 90 minutes later.
    let outage_end = drill
        .events
        .iter()
        .find(|e| e.what.contains("outage of us-east-2 ends"))
        .expect("the outage's end");
    assert!(
        outage_end.at.since(drill.started) >= std::time::Duration::from_secs(91 * 60),
        "{drill}"
    );
    // The pair is back on the primary and the Region answers again.
    assert_eq!(ws.status().active, Some(Role::Primary));
}

#[test]
fn the_drkit_program_drills_from_an_assembly_directory_deploying_it_first() {
    let ws = Workspace::new();
    let synth = ["two_region", "synth", "--out", ws.out()];
    run_with(two_region::build(), Cli::parse_from(synth)).unwrap();
    assert!(!ws.state.exists(), "nothing deployed yet");
    ws.tool(&["drill", "--outage-after", "30s", "--outage-lasting", "20m"])
        .unwrap();
    let runs = ws.runs();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(runs[0].ends_with("-Shop-drill.json"), "{runs:?}");
    assert_eq!(ws.status().active, Some(Role::Primary));
}

#[test]
fn drill_durations_parse_as_an_operator_writes_them() {
    let parsed = Cli::parse_from([
        "two_region",
        "drill",
        "--outage-after",
        "1h30m",
        "--outage-lasting",
        "45s",
    ])
    .into_command();
    let Command::Drill(drill) = parsed else {
        panic!("{parsed:?}");
    };
    assert_eq!(drill.args.outage_after.as_secs(), 5400);
    assert_eq!(drill.args.outage_lasting.as_secs(), 45);
    assert_eq!(drill.out, Path::new("drkit.out"));
    let Command::Drill(defaults) = Cli::parse_from(["two_region", "drill"]).into_command() else {
        panic!("drill");
    };
    assert_eq!(defaults.args.outage_after.as_secs(), 300);
    assert_eq!(defaults.args.outage_lasting.as_secs(), 3600);
    let err = Cli::try_parse_from(["two_region", "drill", "--outage-after", "90"]).unwrap_err();
    assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
    assert!(err.to_string().contains("`90` has no unit"), "{err}");
}

#[test]
fn status_of_an_app_without_a_pair_or_a_missing_assembly_says_so() {
    let ws = Workspace::new();
    let missing = ws.binary(&["status"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains(&format!("reading the assembly in {}", ws.out())),
        "{}",
        stderr(&missing)
    );
    let err = run_with(
        App::new("empty"),
        Cli::parse_from(["empty", "status", "--out", ws.out(), "--state", ws.state()]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("app `empty` has no DR pair"), "{err}");
    // The program wrote its assembly first; the drkit program says the same from it.
    let empty = ws.binary(&["status"]);
    assert!(!empty.status.success());
    assert!(
        stderr(&empty).contains("error: app `empty` has no DR pair"),
        "{}",
        stderr(&empty)
    );
}

#[cfg(feature = "aws")]
#[test]
fn a_drill_on_aws_is_refused_without_real() {
    let ws = Workspace::new();
    let err = ws
        .app(&["drill", "--target", "aws"])
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("on --target aws a drill cannot inject an outage"),
        "{err}"
    );
    assert!(err.contains("pass --real to run it"), "{err}");
    assert_eq!(ws.runs(), Vec::<String>::new());
    // The same from the drkit program, reading the assembly the app just wrote.
    let err = ws
        .tool(&["drill", "--target", "aws"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("pass --real to run it"), "{err}");
}
