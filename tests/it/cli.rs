//! The command line a drkit program gets, driven as a user would.

use crate::two_region;

use clap::CommandFactory;
use clap::Parser;
use drkit::cli::{Cli, Command, Invocation, Target, run_with};
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
    assert_eq!(back.stacks.len(), 9);
    assert_eq!(back.dr_pairs.len(), 1);
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
    // The way to the longer explanation, for the first error's code, as rustc gives it.
    assert!(err.contains("For more on a code: `"), "{err}");
    assert!(err.contains(" explain DRK-STACK-001`\n"), "{err}");
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
    assert_eq!(first.len(), 9);
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
    let state = dir.path().join("state.json");
    let err = run_with(
        two_region::build(),
        cli(&["destroy", "--state", state.to_str().unwrap()]),
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
    // Only `deploy` (and `synth`) write the assembly, so only they take --out.
    let with = |head: &[&str]| -> Vec<String> {
        let out_arg: &[&str] = if head[0] == "deploy" {
            &["--out", out_s]
        } else {
            &[]
        };
        head.iter()
            .chain(out_arg)
            .chain(&["--state", state_s])
            .map(|s| s.to_string())
            .collect()
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_with(two_region::build(), cli(&args))
    };

    const NETWORKS: [&str; 2] = ["Shop-Primary-Network", "Shop-Secondary-Network"];
    // A site stack without its network says to deploy the network first.
    let err = run(with(&["deploy", "Shop-Primary"]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("of stack `Shop-Primary-Network`, which is not deployed; deploy it first"),
        "{err}"
    );
    run(with(&[
        "deploy",
        NETWORKS[0],
        NETWORKS[1],
        "Shop-Primary",
        "Shop-Secondary",
    ]))
    .unwrap();
    assert_eq!(
        deployed_stacks(&state, &out),
        [NETWORKS[0], NETWORKS[1], "Shop-Primary", "Shop-Secondary"]
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
        "no stack `Shop-Secnodary` in app `shop`; did you mean `Shop-Secondary`? its stacks are: Shop-Primary-Network, Shop-Secondary-Network, Shop-Primary, Shop-Secondary, Shop-Primary-Data, Shop-Primary-Peering, Shop-Secondary-Data, Shop-Secondary-Peering, Shop-Global"
    );

    // Without the lift flag the stack is kept; the error only points at the summary, which
    // lists the protection and its flag once.
    let err = run(with(&["destroy", "Shop-Secondary", "--yes"]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "destroy incomplete: 1 stack(s) kept by their protections (listed above)"
    );
    assert_eq!(
        deployed_stacks(&state, &out),
        [NETWORKS[0], NETWORKS[1], "Shop-Primary", "Shop-Secondary"]
    );

    // The load balancer's deletion protection is lifted by its own flag, and its access-log
    // bucket goes with the stack only when emptied.
    run(with(&[
        "destroy",
        "Shop-Secondary",
        "--yes",
        "--lift-termination-protection",
        "--lift-deletion-protection",
        "--empty-buckets",
    ]))
    .unwrap();
    assert_eq!(
        deployed_stacks(&state, &out),
        [NETWORKS[0], NETWORKS[1], "Shop-Primary"]
    );
    assert_eq!(retained_buckets(&state), Vec::<String>::new());
}

/// The S3 buckets stack operations left outside any stack in the simulator's state file, in
/// either Region of the example.
fn retained_buckets(state: &std::path::Path) -> Vec<String> {
    let cloud = drkit::local::LocalCloud::open(state).unwrap();
    [Region::UsEast2, Region::UsWest2]
        .into_iter()
        .flat_map(|r| cloud.retained_resources(r))
        .filter(|(ty, _)| ty == "AWS::S3::Bucket")
        .map(|(_, id)| id)
        .collect()
}

#[test]
fn destroy_takes_the_flags_that_lift_protections_and_empty_buckets() {
    let parsed = cli(&[
        "destroy",
        "--lift-deletion-protection",
        "--empty-buckets",
        "--yes",
    ])
    .into_command();
    let Command::Destroy(args) = parsed else {
        panic!("{parsed:?}");
    };
    assert!(args.lift_deletion_protection);
    assert!(args.empty_buckets);
    assert!(!args.lift_termination_protection);
    let Command::Destroy(args) = cli(&["destroy"]).into_command() else {
        panic!("destroy");
    };
    assert!(!args.empty_buckets, "buckets are emptied only when asked");
}

/// Whether `stack` is deployed in the simulator's state file with termination protection on.
fn termination_protected(state: &std::path::Path, stack: &str) -> Option<bool> {
    use drkit::core::cloud::Cloud;
    let cloud = drkit::local::LocalCloud::open(state).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(cloud.describe_stack(Region::UsEast2, stack))
        .unwrap()
        .map(|d| d.termination_protection)
}

/// `--no-termination-protection` leaves the stack deletable (a destroy needs no lift flag);
/// without it, a deploy turns protection on, even on a stack it finds unchanged.
#[test]
fn no_termination_protection_leaves_stacks_deletable_and_a_deploy_without_it_protects_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let state = dir.path().join("state.json");
    let (out_s, state_s) = (out.to_str().unwrap(), state.to_str().unwrap());
    let run = |args: &[&str]| run_with(two_region::build(), cli(args));
    let deploy = ["deploy", "Shop-Primary", "--out", out_s, "--state", state_s];
    // The site stack's network first, protected as usual.
    run(&[
        "deploy",
        "Shop-Primary-Network",
        "--out",
        out_s,
        "--state",
        state_s,
    ])
    .unwrap();
    assert_eq!(
        termination_protected(&state, "Shop-Primary-Network"),
        Some(true)
    );

    run(&[&deploy[..], &["--no-termination-protection"]].concat()).unwrap();
    assert_eq!(termination_protected(&state, "Shop-Primary"), Some(false));
    // No termination protection to lift; the load balancer's deletion protection and its
    // access-log bucket are the resources' own business, with their own flags.
    run(&[
        "destroy",
        "Shop-Primary",
        "--yes",
        "--lift-deletion-protection",
        "--empty-buckets",
        "--state",
        state_s,
    ])
    .unwrap();
    assert_eq!(termination_protected(&state, "Shop-Primary"), None);

    run(&[&deploy[..], &["--no-termination-protection"]].concat()).unwrap();
    assert_eq!(termination_protected(&state, "Shop-Primary"), Some(false));
    run(&deploy).unwrap();
    assert_eq!(termination_protected(&state, "Shop-Primary"), Some(true));
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
        format!("Synthesized 9 stack(s) into {}", out.display())
    );
    let primary = assembly.stack("Shop-Primary").unwrap();
    let written = std::fs::read_to_string(out.join("Shop-Primary.template.json")).unwrap();
    let written: serde_json::Value = serde_json::from_str(&written).unwrap();
    let minified = serde_json::to_string(&written).unwrap().len();
    let resources = written["Resources"].as_object().unwrap().len();
    assert_eq!(resources, 22);
    let expected = format!(
        "  Shop-Primary (us-east-2): {} ({resources} resources, {minified} bytes minified)",
        out.join("Shop-Primary.template.json").display()
    );
    assert_eq!(
        lines.iter().find(|l| l.starts_with("  Shop-Primary (")),
        Some(&expected.as_str())
    );
    assert_eq!(primary.template_body().len(), minified);
    assert_eq!(lines.len(), 10);
}

#[test]
fn the_command_line_is_well_formed() {
    Cli::command().debug_assert();
    drkit::cli::tool::Tool::command().debug_assert();
}

#[test]
fn deploy_is_the_default_command_and_takes_its_options_at_the_top_level() {
    let parsed = cli(&["--target", "local", "--force", "Shop-Primary"]).into_command();
    let Command::Deploy(args) = parsed else {
        panic!("no subcommand means deploy: {parsed:?}");
    };
    assert_eq!(args.target.target, Target::Local);
    assert!(args.force);
    assert_eq!(args.stacks, ["Shop-Primary"]);
    assert_eq!(args.out, std::path::Path::new("drkit.out"));
    assert!(matches!(cli(&["synth"]).into_command(), Command::Synth(_)));
    // A subcommand comes first: after deploy's options, `diff` is a stack name, and the
    // error says so.
    let err = run_with(two_region::build(), cli(&["--force", "diff"]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "no stack `diff` in app `shop`; to run the `diff` command, put it first, before its options"
    );
    // Only synth and deploy write the assembly, so diff and destroy take no --out.
    for command in ["diff", "destroy"] {
        let err = Cli::try_parse_from(["two_region", command, "--out", "x"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument, "{err}");
    }
}

#[test]
fn top_level_options_deploy_to_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let state = dir.path().join("state.json");
    let (out_s, state_s) = (out.to_str().unwrap(), state.to_str().unwrap());
    run_with(
        two_region::build(),
        cli(&[
            "--target", "local", "--force", "--out", out_s, "--state", state_s,
        ]),
    )
    .unwrap();
    assert_eq!(stack_history(&state, &out).len(), 9);
}

#[test]
fn version_names_the_app_and_drkit() {
    // The line starts with the program's name: here the test binary's.
    let version = drkit::cli::command_for(&two_region::build()).render_version();
    assert!(
        version.ends_with(&format!(
            " (app `shop`), drkit {}\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{version}"
    );
}

#[test]
fn explain_prints_a_codes_documentation() {
    let text = drkit::cli::explain("DRK-TREE-001").unwrap();
    let entry = drkit::core::diagnostics::codes::lookup("DRK-TREE-001").unwrap();
    assert!(
        text.starts_with(&format!("DRK-TREE-001: {}\n\n", entry.summary)),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 92), "{text}");
    let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    assert!(
        words(&text).ends_with(&words(entry.explanation)),
        "the whole explanation, rewrapped: {text}"
    );
    // Case and the DRK- prefix are optional.
    assert_eq!(drkit::cli::explain("tree-001").unwrap(), text);
    // The subcommand needs no deployable app.
    run_with(App::new("empty"), cli(&["explain", "DRK-TREE-001"])).unwrap();
}

#[test]
fn explain_of_an_unknown_code_names_the_nearest() {
    let err = drkit::cli::explain("DRK-TREE-01").unwrap_err().to_string();
    assert!(
        err.starts_with("no diagnostic code `DRK-TREE-01`; did you mean `DRK-TREE-001`?"),
        "{err}"
    );
    let err = run_with(App::new("empty"), cli(&["explain", "nonsense"]))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("no diagnostic code `nonsense`;"), "{err}");
}

#[cfg(not(feature = "aws"))]
#[test]
fn target_aws_without_the_feature_stops_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for args in [
        vec!["--target", "aws", "--out", out.to_str().unwrap()],
        vec!["diff", "--target", "aws"],
        vec!["destroy", "--target", "aws", "--yes"],
    ] {
        let err = run_with(two_region::build(), cli(&args))
            .unwrap_err()
            .to_string();
        assert_eq!(err, drkit::cli::NO_AWS_FEATURE, "{args:?}");
        assert!(err.contains("features = [\"aws\"]"), "{err}");
    }
    assert!(!out.exists(), "nothing is synthesized or written");
}

#[test]
fn the_deploy_summary_shows_the_url_load_balancers_database_and_next_steps() {
    let assembly = drkit::synth::synth(&two_region::build()).unwrap();
    let (_state, summary) = crate::deploy_on_simulator(&assembly);
    let lb = |stack: &str| {
        summary
            .stack(stack)
            .unwrap()
            .outputs
            .iter()
            .find(|o| o.key.contains("LoadBalancerDnsName"))
            .map(|o| o.value.clone())
            .unwrap_or_else(|| panic!("{stack} has a LoadBalancerDnsName output"))
    };
    let (primary, secondary) = (lb("Shop-Primary"), lb("Shop-Secondary"));
    assert!(
        primary.ends_with(".us-east-2.elb.amazonaws.com"),
        "{primary}"
    );
    let cargo = Invocation::Cargo {
        selector: "--example two_region".into(),
    };
    let text = drkit::cli::deploy_summary(&assembly, &summary, Target::Local, &cargo);
    let servers = summary
        .output("Shop-Global", "DnsNameServersCBA7BE8D")
        .unwrap();
    let aws = if cfg!(feature = "aws") {
        "cargo run --example two_region -- deploy --target aws"
    } else {
        "cargo run --example two_region --features aws -- deploy --target aws"
    };
    let pad = aws.len();
    let expected = [
        "App:            http://shop.example.com".to_string(),
        format!("Load balancers: us-east-2 (primary): {primary}"),
        format!("                us-west-2 (DR): {secondary}"),
        "Database:       db.shop.internal (the generic name; it follows the Aurora writer), database `grafana`".into(),
        format!("Name servers:   {servers} (delegate shop.example.com to them; Shop-Global output)"),
        "Next:".into(),
        format!("  {:<pad$}   which Region is active, and whether the DR site is ready", "cargo run --example two_region -- status"),
        format!("  {:<pad$}   the steps of a failover, with the real ids (changes nothing)", "cargo run --example two_region -- failover --dry-run"),
        format!("  {:<pad$}   what a deploy would change now", "cargo run --example two_region -- diff"),
        format!("  {:<pad$}   delete the stacks (asks first)", "cargo run --example two_region -- destroy"),
        format!("  {aws}   deploy to AWS (credentials from the standard chain)"),
    ];
    // Where the time went comes first (`deploy_timeline.rs` checks it), then the app.
    assert!(text.starts_with("Waves (simulated):\n"), "{text}");
    let app_at = text.find("App:").unwrap();
    assert_eq!(
        text[app_at..].lines().collect::<Vec<_>>(),
        expected,
        "{text}"
    );

    // After an AWS deploy the next commands stay on AWS; an app without a DrPair gets the
    // next commands alone.
    let on_aws = drkit::cli::deploy_summary(
        &assembly,
        &summary,
        Target::Aws,
        &Invocation::Program("shop-infra".into()),
    );
    assert!(
        on_aws.ends_with(
            "Next:\n\
             \x20 shop-infra status --target aws               which Region is active, and whether the DR site is ready\n\
             \x20 shop-infra failover --dry-run --target aws   the steps of a failover, with the real ids (changes nothing)\n\
             \x20 shop-infra diff --target aws                 what a deploy would change now\n\
             \x20 shop-infra destroy --target aws              delete the stacks (asks first)\n"
        ),
        "{on_aws}"
    );
    let bare = drkit::synth::Assembly {
        dr_pairs: Vec::new(),
        ..assembly.clone()
    };
    let empty = drkit::deploy::DeploySummary {
        stacks: Vec::new(),
        ..summary.clone()
    };
    let text = drkit::cli::deploy_summary(&bare, &empty, Target::Local, &cargo);
    assert!(text.starts_with("Next:\n"), "{text}");
    assert!(
        !text.contains(" status") && !text.contains(" failover"),
        "no pair, nothing to operate: {text}"
    );
}
