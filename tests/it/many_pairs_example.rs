//! The app of N pairs the benchmarks measure (`examples/many_pairs.rs`): N independent copies
//! of the example's pair, each with its topology in the manifest and its rows in the deploy
//! summary.

use drkit::cli::{Invocation, Target};

use crate::many_pairs;

#[test]
fn many_pairs_declares_n_independent_copies_of_the_example() {
    let one = drkit::synth::synth(&many_pairs::build(1)).expect("one pair synthesizes");
    let three = drkit::synth::synth(&many_pairs::build(3)).expect("three pairs synthesize");
    assert_eq!(three.stacks.len(), 3 * one.stacks.len());
    let resources =
        |a: &drkit::synth::Assembly| -> usize { a.stacks.iter().map(|s| s.resource_count()).sum() };
    assert_eq!(resources(&three), 3 * resources(&one));
    for i in 1..=3 {
        let global = three
            .stack(&format!("Shop{i}-Global"))
            .unwrap_or_else(|| panic!("Shop{i}-Global is synthesized"));
        assert!(
            global
                .template_body()
                .contains(&format!("shop{i}.example.com")),
            "Shop{i}-Global serves shop{i}.example.com"
        );
        // Each pair's stacks depend only on stacks of the same pair.
        for s in three
            .stacks
            .iter()
            .filter(|s| s.name.starts_with(&format!("Shop{i}-")))
        {
            for d in &s.dependencies {
                assert!(
                    d.starts_with(&format!("Shop{i}-")),
                    "{} depends on {d}",
                    s.name
                );
            }
        }
    }
}

/// Every pair's topology is in the manifest (an app of several pairs used to record only the
/// last), and the deploy summary gives each pair its own rows: its URL and its zone's name
/// servers.
#[test]
fn the_manifest_and_the_deploy_summary_hold_every_pair() {
    let assembly = drkit::synth::synth(&many_pairs::build(2)).unwrap();
    let pairs: Vec<&str> = assembly
        .dr_pairs
        .iter()
        .map(|t| t["pair"].as_str().unwrap())
        .collect();
    assert_eq!(pairs, ["Shop1", "Shop2"]);
    let manifest = assembly.manifest();
    assert_eq!(manifest["drTopology"]["version"], 2);
    assert_eq!(
        manifest["drTopology"]["pairs"][1]["stacks"]["primaryNetwork"],
        "Shop2-Primary-Network"
    );
    let (_state, summary) = crate::deploy_on_simulator(&assembly);
    // The output's logical id comes from its path below the stack, the same in every pair.
    let servers = |stack: &str| summary.output(stack, "DnsNameServersCBA7BE8D").unwrap();
    assert_ne!(servers("Shop1-Global"), servers("Shop2-Global"));
    let cargo = Invocation::Cargo {
        selector: "--example many_pairs".into(),
    };
    let text = drkit::cli::deploy_summary(&assembly, &summary, Target::Local, &cargo);
    let lines: Vec<&str> = text.lines().collect();
    for i in 1..=2 {
        let header = lines
            .iter()
            .position(|l| *l == format!("Shop{i}:"))
            .unwrap_or_else(|| panic!("a header for Shop{i}: {text}"));
        assert_eq!(
            lines[header + 1],
            format!("App:            http://shop{i}.example.com"),
            "{text}"
        );
        let expected = format!(
            "Name servers:   {} (delegate shop{i}.example.com to them; Shop{i}-Global output)",
            servers(&format!("Shop{i}-Global"))
        );
        assert!(lines[header..].contains(&expected.as_str()), "{text}");
    }
}
