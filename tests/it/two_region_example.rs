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

/// The instances may read exactly two secrets, by name, in their own Region, and decrypt them
/// with their site's pair key through Secrets Manager only: no template lets anyone list the
/// account's secrets, and Grafana's admin password is one of the pair's secrets.
#[test]
fn instances_read_only_their_named_secrets() {
    let assembly = dr_synth::synth(&two_region::build())
        .unwrap_or_else(|d| panic!("the example must synthesize:\n{d}"));
    for s in &assembly.stacks {
        assert!(
            !s.template_body().contains("ListSecrets"),
            "{} mentions ListSecrets",
            s.name
        );
    }
    for site in ["Shop-Primary", "Shop-Secondary"] {
        let t = &assembly.stack(site).unwrap().template;
        let resources = t["Resources"].as_object().unwrap();
        let mut names = std::collections::BTreeSet::new();
        for policy in resources
            .values()
            .filter(|r| r["Type"] == "AWS::IAM::Policy")
        {
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap()
            {
                let resource = statement["Resource"].to_string();
                let action = statement["Action"].to_string();
                if action.contains("secretsmanager:") || action.contains("kms:") {
                    assert!(!resource.contains("\"*\""), "{site}: {statement}");
                }
                match statement["Action"].as_str().unwrap_or_default() {
                    "secretsmanager:GetSecretValue" => {
                        let arn = statement["Resource"]["Fn::Sub"].as_str().unwrap();
                        let name = arn
                            .strip_prefix("arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:")
                            .and_then(|n| n.strip_suffix("-??????"))
                            .unwrap_or_else(|| panic!("{site}: {arn}"));
                        names.insert(name.to_string());
                    }
                    "kms:Decrypt" => {
                        let key = statement["Resource"]["Fn::GetAtt"][0].as_str().unwrap();
                        assert_eq!(resources[key]["Type"], "AWS::KMS::Key", "{site}");
                        assert!(key.starts_with("PairKey"), "{site}: {key}");
                        assert!(
                            statement["Condition"]["StringEquals"]["kms:ViaService"].is_object(),
                            "{site}: {statement}"
                        );
                    }
                    other => assert!(
                        !other.starts_with("secretsmanager:") && !other.starts_with("kms:"),
                        "{site}: unexpected action {other}"
                    ),
                }
            }
        }
        assert_eq!(
            names,
            std::collections::BTreeSet::from([
                "Shop/PrimaryData/Database".to_string(),
                "Shop/PrimaryData/AppSecrets/GrafanaAdmin".to_string(),
            ]),
            "{site}"
        );
    }
}
