//! Policy as code over every template drkit's tests snapshot (the example's and the
//! construct tests'): cfn-guard 3 with the AWS Guard Rules Registry's Well-Architected
//! Reliability and Security rule sets (`policy/guard/`) and checkov, against the one reviewed
//! allowlist `policy/allowlist.toml`. A new finding fails, a stale allowlist entry fails, a
//! suppression in a template fails. `DRKIT_POLICY_PRINT=1` (with `--no-capture`) prints the
//! current findings in the allowlist's format.

use std::path::PathBuf;

use dr_testkit::policy::{
    Allowlist, Location, PolicyFinding, Scanner, Scanners, Template, guard_rule_files, scan,
    templates_from_snapshots,
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn policy_scanners_find_nothing_outside_the_allowlist() {
    dr_testkit::check_policy(&root().join("snapshots"), &root().join("policy"));
}

/// The templates the policy test scans include every stack of the example, so a template
/// that stops being snapshotted cannot silently drop out of the scan.
#[test]
fn policy_scans_every_stack_of_the_example() {
    let templates = templates_from_snapshots(&root().join("snapshots")).unwrap();
    let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
    let assembly = dr_synth::synth(&crate::two_region::build())
        .unwrap_or_else(|d| panic!("the example must synthesize:\n{d}"));
    for s in &assembly.stacks {
        let name = format!("two_region__{}", s.name);
        assert!(
            names.contains(&name.as_str()),
            "{name} is not scanned: {names:?}"
        );
    }
    assert!(
        names.iter().any(|n| n.starts_with("constructs__")),
        "the construct tests' templates are scanned too: {names:?}"
    );
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with("manifest") || n.ends_with("topology")),
        "only templates are scanned: {names:?}"
    );
}

/// Every allowlist entry parses, has a reason, and names a template that exists, so a typo
/// cannot hide behind a missing scanner.
#[test]
fn policy_allowlist_is_well_formed() {
    let text = std::fs::read_to_string(root().join("policy/allowlist.toml")).unwrap();
    let list = Allowlist::parse(&text).unwrap_or_else(|e| panic!("{}", e.join("\n")));
    let templates = templates_from_snapshots(&root().join("snapshots")).unwrap();
    for e in &list.entries {
        for at in &e.at {
            assert!(
                templates.iter().any(|t| t.name == at.template),
                "{} {} lists {at}, but there is no template snapshot {}",
                e.tool,
                e.rule,
                at.template
            );
        }
    }
}

fn scanners() -> Option<Scanners> {
    let cfn_guard = dr_testkit::require_policy_tool(dr_testkit::CFN_GUARD)?;
    let checkov = dr_testkit::require_policy_tool(dr_testkit::CHECKOV)?;
    Some(Scanners {
        cfn_guard,
        guard_rules: guard_rule_files(&root().join("policy/guard")).unwrap(),
        checkov,
    })
}

fn template(name: &str, json: serde_json::Value) -> Template {
    Template {
        name: name.into(),
        text: serde_json::to_string_pretty(&json).unwrap(),
        json,
    }
}

fn has(findings: &[PolicyFinding], scanner: Scanner, rule: &str, at: &str) -> bool {
    let (template, resource) = at.split_once('/').unwrap_or((at, ""));
    let at = Location {
        template: template.into(),
        resource: resource.into(),
    };
    findings
        .iter()
        .any(|f| f.scanner == scanner && f.rule == rule && f.at == at)
}

/// The scanners, the vendored rules and the output parsers together find what they should on
/// a template known to be bad, at the right resource, and nothing on a clean one: a scan
/// that silently found nothing would pass the allowlist test.
#[test]
fn policy_scanners_report_a_known_bad_template_at_its_resources() {
    let Some(scanners) = scanners() else {
        return;
    };
    let bad = template(
        "bad",
        serde_json::json!({
            "Resources": {
                "OpenSg": {
                    "Type": "AWS::EC2::SecurityGroup",
                    "Properties": {
                        "GroupDescription": "rdp from anywhere",
                        "VpcId": "vpc-12345678",
                        "SecurityGroupIngress": [{
                            "IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389,
                            "CidrIp": "0.0.0.0/0", "Description": "rdp"
                        }]
                    }
                },
                "Secret": {
                    "Type": "AWS::SecretsManager::Secret",
                    "Properties": {"GenerateSecretString": {}}
                }
            }
        }),
    );
    let clean = template(
        "clean",
        serde_json::json!({
            "Resources": {
                "ClosedSg": {
                    "Type": "AWS::EC2::SecurityGroup",
                    "Properties": {
                        "GroupDescription": "https from the vpc",
                        "VpcId": "vpc-12345678",
                        "SecurityGroupIngress": [{
                            "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                            "CidrIp": "10.0.0.0/16", "Description": "https"
                        }],
                        "SecurityGroupEgress": [{
                            "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                            "CidrIp": "10.0.0.0/16", "Description": "https"
                        }]
                    }
                }
            }
        }),
    );
    let findings = scan(&[bad, clean], &scanners).unwrap();
    let list: Vec<String> = findings.iter().map(ToString::to_string).collect();
    let list = list.join("\n");
    for (scanner, rule, at) in [
        // Port 3389 open (cfn-guard's rule reads the ports only).
        (
            Scanner::CfnGuard,
            "RESTRICTED_INCOMING_TRAFFIC",
            "bad/OpenSg",
        ),
        // A secret with the AWS managed key, and no rotation schedule in the template.
        (Scanner::CfnGuard, "SECRETSMANAGER_USING_CMK", "bad/Secret"),
        (
            Scanner::CfnGuard,
            "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
            "bad",
        ),
        // "Ensure no security groups allow ingress from 0.0.0.0:0 to port 3389".
        (Scanner::Checkov, "CKV_AWS_25", "bad/OpenSg"),
        // "Ensure that Secrets Manager secret is encrypted using KMS CMK".
        (Scanner::Checkov, "CKV_AWS_149", "bad/Secret"),
    ] {
        assert!(
            has(&findings, scanner, rule, at),
            "expected {scanner} {rule} at {at}, got:\n{list}"
        );
    }
    assert!(
        !findings.iter().any(|f| f.at.template == "clean"),
        "the clean template has findings:\n{list}"
    );
}

/// A template that suppresses a scanner's check is refused even though the check then finds
/// nothing: checkov counts the skip, and the run fails.
#[test]
fn policy_scan_refuses_a_checkov_suppression() {
    let Some(scanners) = scanners() else {
        return;
    };
    let suppressed = template(
        "suppressed",
        serde_json::json!({
            "Resources": {
                "OpenSg": {
                    "Type": "AWS::EC2::SecurityGroup",
                    "Metadata": {"checkov": {"skip": [{"id": "CKV_AWS_25", "comment": "no"}]}},
                    "Properties": {
                        "GroupDescription": "rdp from anywhere",
                        "VpcId": "vpc-12345678",
                        "SecurityGroupIngress": [{
                            "IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389,
                            "CidrIp": "0.0.0.0/0", "Description": "rdp"
                        }]
                    }
                }
            }
        }),
    );
    let err = scan(&[suppressed], &scanners).unwrap_err();
    assert!(err.contains("checkov skipped 1 check"), "{err}");
}
