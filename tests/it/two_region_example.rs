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
                        // The pair key of the site's Region, wired from its network stack.
                        let key = statement["Resource"]["Ref"].as_str().unwrap();
                        assert!(key.contains("NetworkFnGetAttPairKeyArn"), "{site}: {key}");
                        let description = t["Parameters"][key]["Description"].as_str().unwrap();
                        assert!(
                            description.contains(&format!("of stack {site}-Network in")),
                            "{site}: {description}"
                        );
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

/// The example's stateful resources by stack and logical id, pinned from issue 21 on: a new
/// logical id or another stack is a new resource to CloudFormation, so the old one (its data,
/// its key material, its delegated name servers) would be deleted, or, where the deploy's
/// data-loss guard refuses that, the deploy would stop. A change here needs a migration path
/// for deployed pairs first (and a changelog entry), not only a new list.
#[test]
fn the_logical_ids_of_stateful_resources_are_stable() {
    let assembly = dr_synth::synth(&two_region::build())
        .unwrap_or_else(|d| panic!("the example must synthesize:\n{d}"));
    let found: std::collections::BTreeSet<(String, String)> = assembly
        .stacks
        .iter()
        .flat_map(|s| {
            drkit::deploy::stateful_logical_ids(&s.template)
                .into_iter()
                .map(|id| (s.name.clone(), id))
        })
        .collect();
    let pinned: std::collections::BTreeSet<(String, String)> = [
        ("Shop-Primary-Network", "PairKey"),
        ("Shop-Secondary-Network", "PairKey"),
        ("Shop-Primary", "GrafanaKeyPair64015DF0"),
        ("Shop-Primary", "LbAccessLogsBucket6F31A818"),
        ("Shop-Primary", "EksSecretsKey2F22E39A"),
        ("Shop-Secondary", "GrafanaKeyPair64015DF0"),
        ("Shop-Secondary", "LbAccessLogsBucket6F31A818"),
        ("Shop-Secondary", "EksSecretsKey2F22E39A"),
        ("Shop-Primary-Data", "AppSecretsGrafanaAdmin79FC2DB6"),
        ("Shop-Primary-Data", "DatabaseKey"),
        ("Shop-Primary-Data", "GlobalClusterD272DED1"),
        ("Shop-Primary-Data", "DatabaseSecretC9203AE3"),
        ("Shop-Primary-Data", "DatabaseB269D8BB"),
        ("Shop-Primary-Data", "DatabaseWriter2C00925F"),
        ("Shop-Primary-Data", "DatabaseReaderBB729DC8"),
        ("Shop-Secondary-Data", "DatabaseKey"),
        ("Shop-Secondary-Data", "DatabaseB269D8BB"),
        ("Shop-Secondary-Data", "DatabaseWriter2C00925F"),
        ("Shop-Secondary-Data", "DatabaseReaderBB729DC8"),
        ("Shop-Global", "DnsZoneD625248C"),
        ("Shop-Global", "InternalZoneD0BA15A8"),
    ]
    .into_iter()
    .map(|(s, id)| (s.to_string(), id.to_string()))
    .collect();
    let gone: Vec<_> = pinned.difference(&found).collect();
    let new: Vec<_> = found.difference(&pinned).collect();
    assert!(
        gone.is_empty() && new.is_empty(),
        "stateful resources moved or renamed: no longer at {gone:?}; new at {new:?}"
    );
}
