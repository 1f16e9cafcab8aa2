//! The command line a drkit program gets, driven as a user would.

use crate::two_region;

use clap::Parser;
use drkit::cli::{Cli, run_with};
use drkit::prelude::*;

fn cli(args: &[&str]) -> Cli {
    Cli::parse_from(std::iter::once("two_region").chain(args.iter().copied()))
}

#[test]
fn synth_writes_the_assembly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_with(
        two_region::build(),
        cli(&["synth", "--out", out.to_str().unwrap()]),
    )
    .unwrap();
    let back = drkit::synth::Assembly::read(&out).unwrap();
    assert_eq!(back.stacks.len(), 7);
    assert!(back.dr_topology.is_some());
}

#[test]
fn a_broken_app_writes_nothing_and_names_every_error() {
    let app = App::new("bad");
    let s = Stack::new(&app, "bad_name", StackProps::in_region(Region::UsEast2));
    s.child("X");
    s.child("X");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let err = run_with(app, cli(&["synth", "--out", out.to_str().unwrap()]))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("synthesis failed, nothing was written."),
        "{err}"
    );
    assert!(err.contains("2 error(s)"), "{err}");
    assert!(err.contains("error[DRK-STACK-001] bad_name"), "{err}");
    assert!(err.contains("error[DRK-TREE-001] bad_name/X"), "{err}");
    assert!(!out.exists(), "nothing may be written when synthesis fails");
}

/// Each stack of the app that exists in the simulator's state file, with its status and
/// number of events.
fn stack_history(state: &std::path::Path, out: &std::path::Path) -> Vec<(String, String, usize)> {
    use drkit::core::cloud::Cloud;
    let cloud = drkit::local::LocalCloud::open(state).unwrap();
    let assembly = drkit::synth::Assembly::read(out).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    assembly
        .stacks
        .iter()
        .filter_map(|s| {
            let d = rt
                .block_on(cloud.describe_stack(s.region, &s.name))
                .unwrap()?;
            let events = rt
                .block_on(cloud.describe_stack_events(s.region, &s.name, None))
                .unwrap();
            Some((s.name.clone(), d.status.as_str().to_string(), events.len()))
        })
        .collect()
}

#[test]
fn deploy_to_the_local_simulator_then_nothing_to_change() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let state = dir.path().join("state.json");
    let args = [
        "deploy",
        "--out",
        out.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
    ];
    run_with(two_region::build(), cli(&args)).unwrap();
    let first = stack_history(&state, &out);
    assert_eq!(first.len(), 7);
    assert!(
        first
            .iter()
            .all(|(_, status, _)| status == "CREATE_COMPLETE"),
        "{first:?}"
    );
    run_with(two_region::build(), cli(&args)).unwrap();
    assert_eq!(
        stack_history(&state, &out),
        first,
        "a second deploy of the same app changes nothing"
    );
}

#[test]
fn destroy_refuses_without_a_terminal_or_yes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let state = dir.path().join("state.json");
    let err = run_with(
        two_region::build(),
        cli(&[
            "destroy",
            "--out",
            out.to_str().unwrap(),
            "--state",
            state.to_str().unwrap(),
        ]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("pass --yes to confirm") || err.contains("destroy cancelled"),
        "{err}"
    );
}

/// The stacks of the app that exist in the simulator's state file, by name.
fn deployed_stacks(state: &std::path::Path, out: &std::path::Path) -> Vec<String> {
    stack_history(state, out)
        .into_iter()
        .map(|(name, _, _)| name)
        .collect()
}

#[test]
fn deploy_and_destroy_take_stack_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let state = dir.path().join("state.json");
    let (out_s, state_s) = (out.to_str().unwrap(), state.to_str().unwrap());
    let common = ["--out", out_s, "--state", state_s];
    let with = |head: &[&str]| -> Vec<String> {
        head.iter()
            .chain(common.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_with(two_region::build(), cli(&args))
    };

    run(with(&["deploy", "Shop-Primary", "Shop-Secondary"])).unwrap();
    assert_eq!(
        deployed_stacks(&state, &out),
        ["Shop-Primary", "Shop-Secondary"]
    );

    // A stack whose producers are not deployed says which one to deploy first.
    let err = run(with(&["deploy", "Shop-Global"]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("of stack `Shop-Primary-Data`, which is not deployed; deploy it first"),
        "{err}"
    );

    // A misspelt name is an error before anything is deployed.
    let err = run(with(&["deploy", "Shop-Secnodary"]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "no stack `Shop-Secnodary` in app `shop`; did you mean `Shop-Secondary`? its stacks are: Shop-Primary, Shop-Secondary, Shop-Primary-Data, Shop-Primary-Peering, Shop-Secondary-Data, Shop-Secondary-Peering, Shop-Global"
    );

    run(with(&[
        "destroy",
        "Shop-Secondary",
        "--yes",
        "--lift-termination-protection",
    ]))
    .unwrap();
    assert_eq!(deployed_stacks(&state, &out), ["Shop-Primary"]);
}

#[test]
fn synth_reports_each_template_with_its_resources_and_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let assembly = drkit::cli::synth(&two_region::build(), &out).unwrap();
    let report = drkit::cli::synth_report(&assembly, &out);
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(
        lines[0],
        format!("Synthesized 7 stack(s) into {}", out.display())
    );
    let primary = assembly.stack("Shop-Primary").unwrap();
    let written = std::fs::read_to_string(out.join("Shop-Primary.template.json")).unwrap();
    let minified =
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&written).unwrap())
            .unwrap()
            .len();
    assert_eq!(
        lines[1],
        format!(
            "  Shop-Primary (us-east-2): {} (49 resources, {minified} bytes minified)",
            out.join("Shop-Primary.template.json").display()
        )
    );
    assert_eq!(primary.template_body().len(), minified);
    assert_eq!(lines.len(), 8);
}
