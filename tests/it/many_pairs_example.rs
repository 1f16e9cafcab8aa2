//! The app of N pairs the benchmarks measure (`examples/many_pairs.rs`): N independent copies
//! of the example's pair, and a deploy summary that names the pair its topology describes.

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

#[test]
fn the_deploy_summary_names_the_zone_of_the_pair_its_topology_describes() {
    let assembly = drkit::synth::synth(&many_pairs::build(2)).unwrap();
    let (_state, summary) = crate::deploy_on_simulator(&assembly);
    // The output's logical id comes from its path below the stack, the same in every pair.
    let servers = |stack: &str| summary.output(stack, "DnsNameServersCBA7BE8D").unwrap();
    assert_ne!(servers("Shop1-Global"), servers("Shop2-Global"));
    let cargo = Invocation::Cargo {
        selector: "--example many_pairs".into(),
    };
    let text = drkit::cli::deploy_summary(&assembly, &summary, Target::Local, &cargo);
    // The manifest's topology is the last pair's (Shop2): its zone, with its own servers.
    let expected = format!(
        "Name servers:   {} (delegate shop2.example.com to them; Shop2-Global output)",
        servers("Shop2-Global")
    );
    assert!(text.lines().any(|l| l == expected), "{text}");
}
