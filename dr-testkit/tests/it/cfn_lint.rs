//! cfn-lint wrapper: clean templates pass, broken ones report their rule, ignores are refused.

use std::path::PathBuf;

use dr_testkit::{Level, assert_cfn_lint_clean, cfn_lint, cfn_lint_ignores, require_tool};

const REGIONS: &[&str] = &["us-east-2", "us-west-2"];

fn write(dir: &tempfile::TempDir, name: &str, body: serde_json::Value) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, serde_json::to_string_pretty(&body).unwrap()).unwrap();
    p
}

fn vpc_template(ty: &str) -> serde_json::Value {
    serde_json::json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Vpc": { "Type": ty, "Properties": { "CidrBlock": "10.0.0.0/16" } }
        },
        "Outputs": { "VpcId": { "Value": { "Ref": "Vpc" } } }
    })
}

#[test]
fn valid_template_has_no_findings() {
    if require_tool("cfn-lint").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "ok.template.json", vpc_template("AWS::EC2::VPC"));
    assert_eq!(cfn_lint(std::slice::from_ref(&p), REGIONS).unwrap(), vec![]);
    assert_cfn_lint_clean(&[p], REGIONS);
}

#[test]
fn unknown_resource_type_is_reported_with_its_rule() {
    if require_tool("cfn-lint").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "bad.template.json", vpc_template("AWS::EC2::Vpcc"));
    let findings = cfn_lint(std::slice::from_ref(&p), REGIONS).unwrap();
    let e3006: Vec<_> = findings.iter().filter(|f| f.rule_id == "E3006").collect();
    assert_eq!(e3006.len(), 2, "one per region: {findings:#?}");
    for f in e3006 {
        assert_eq!(f.level, Level::Error);
        assert!(f.message.contains("AWS::EC2::Vpcc"), "{f}");
        assert_eq!(f.file, p);
        assert!(f.line > 1, "{f}");
        assert_eq!(f.path, ["Resources", "Vpc", "Type"]);
    }
}

#[test]
fn assert_clean_lists_every_finding() {
    if require_tool("cfn-lint").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "bad.template.json", vpc_template("AWS::EC2::Vpcc"));
    let err = std::panic::catch_unwind(|| assert_cfn_lint_clean(&[p], REGIONS)).unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.contains("reported 2 finding(s)"), "{msg}");
    assert!(
        msg.contains("E3006") && msg.contains("us-east-2") && msg.contains("us-west-2"),
        "{msg}"
    );
}

#[test]
fn cfn_lint_ignores_in_metadata_are_rejected() {
    // Needs no cfn-lint: the check reads the JSON itself.
    let dir = tempfile::tempdir().unwrap();
    let mut top = vpc_template("AWS::EC2::VPC");
    top["Metadata"] =
        serde_json::json!({ "cfn-lint": { "config": { "ignore_checks": ["W3010"] } } });
    let top = write(&dir, "top.template.json", top);
    let mut res = vpc_template("AWS::EC2::VPC");
    res["Resources"]["Vpc"]["Metadata"] =
        serde_json::json!({ "cfn-lint": { "config": { "ignore_checks": ["E3006"] } } });
    let res = write(&dir, "res.template.json", res);
    let ok = write(&dir, "ok.template.json", vpc_template("AWS::EC2::VPC"));

    let found = cfn_lint_ignores(&[top.clone(), res.clone(), ok]);
    assert_eq!(
        found,
        vec![
            format!("{}: Metadata.cfn-lint", top.display()),
            format!("{}: Resources.Vpc.Metadata.cfn-lint", res.display()),
        ]
    );
    let err = std::panic::catch_unwind(|| assert_cfn_lint_clean(&[res], REGIONS)).unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.contains("cfn-lint ignores are forbidden"), "{msg}");
    assert!(msg.contains("Resources.Vpc.Metadata.cfn-lint"), "{msg}");
}
