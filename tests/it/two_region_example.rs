//! The example app, synthesized: snapshots of every template and the manifest, cfn-lint clean,
//! byte-identical across runs.

use crate::two_region;

use std::path::PathBuf;

fn synth_into(dir: &std::path::Path) -> dr_synth::Assembly {
    let assembly = dr_synth::synth(&two_region::build())
        .unwrap_or_else(|d| panic!("the example must synthesize:\n{d}"));
    assembly.write(dir).expect("write the assembly");
    assembly
}

#[test]
fn templates_and_manifest_match_the_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let assembly = synth_into(dir.path());
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        for s in &assembly.stacks {
            insta::assert_json_snapshot!(format!("two_region__{}", s.name), s.template);
        }
        insta::assert_json_snapshot!("two_region__manifest", assembly.manifest());
    });
}

#[test]
fn every_template_passes_cfn_lint() {
    let Some(_) = dr_testkit::require_tool("cfn-lint") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let assembly = synth_into(dir.path());
    let paths: Vec<PathBuf> = assembly
        .stacks
        .iter()
        .map(|s| dir.path().join(s.template_file()))
        .collect();
    assert!(!paths.is_empty());
    dr_testkit::assert_cfn_lint_clean(
        &paths,
        &["us-east-2", "us-west-2", "us-east-1", "us-west-1"],
    );
}

#[test]
fn synthesis_is_deterministic() {
    let read_all = |dir: &std::path::Path| {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    synth_into(a.path());
    synth_into(b.path());
    let (fa, fb) = (read_all(a.path()), read_all(b.path()));
    assert!(
        fa.len() >= 3,
        "templates and manifest: {:?}",
        fa.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(fa, fb);
}

#[test]
fn manifest_names_both_regions() {
    let dir = tempfile::tempdir().unwrap();
    let assembly = synth_into(dir.path());
    let regions: std::collections::BTreeSet<String> = assembly
        .stacks
        .iter()
        .map(|s| s.region.to_string())
        .collect();
    assert!(
        regions.contains("us-east-2") && regions.contains("us-west-2"),
        "{regions:?}"
    );
    let back = dr_synth::Assembly::read(dir.path()).unwrap();
    assert_eq!(back.stacks.len(), assembly.stacks.len());
}
