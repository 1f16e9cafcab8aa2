//! The operator policy the example's assembly carries (`operator-policy.Shop.json`): written
//! beside the manifest, byte-identical across runs, granting every call the DR runtime makes on
//! the example's own stacks, and clean under Duo Labs' IAM linter parliament.

use std::path::Path;

use serde_json::Value;

use crate::two_region;

/// The example's assembly, written into `dir`.
fn synth_into(dir: &Path) -> dr_synth::Assembly {
    let assembly = dr_synth::synth(&two_region::build())
        .unwrap_or_else(|d| panic!("the example must synthesize:\n{d}"));
    assembly.write(dir).expect("write the assembly");
    assembly
}

/// The example's one pair and the policy file written for it.
fn example_policy(dir: &Path) -> (dr_synth::Assembly, Value, String) {
    let assembly = synth_into(dir);
    assert_eq!(assembly.dr_pairs.len(), 1, "the example declares one pair");
    let pair = assembly.dr_pairs[0].clone();
    let file = dr_synth::operator_policy_file(&pair).expect("the pair has a name");
    assert_eq!(file, "operator-policy.Shop.json");
    let text = std::fs::read_to_string(dir.join(&file)).expect("the policy file is written");
    (assembly, pair, text)
}

/// The file is the policy `operator_policy` builds, pretty with a trailing newline, and two
/// syntheses write the same bytes.
#[test]
fn the_example_operator_policy_is_written_and_deterministic() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (assembly, pair, first) = example_policy(a.path());
    let (_, _, second) = example_policy(b.path());
    assert_eq!(first, second);
    let mut expected =
        serde_json::to_string_pretty(&dr_synth::operator_policy(&assembly, &pair)).unwrap();
    expected.push('\n');
    assert_eq!(first, expected);
    let policy: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(policy["Version"], "2012-10-17");
}

/// Every call of the runtime is granted, on the example's own stacks and Regions, and nothing
/// else: no wildcard action, no `rds:RemoveFromGlobalCluster`.
#[test]
fn the_example_operator_policy_grants_the_runtimes_calls_on_its_stacks() {
    let dir = tempfile::tempdir().unwrap();
    let (assembly, pair, text) = example_policy(dir.path());
    let policy: Value = serde_json::from_str(&text).unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    let actions: Vec<&str> = statements
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap())
        .map(|a| a.as_str().unwrap())
        .collect();
    let mut expected = vec![
        "cloudformation:DescribeStacks",
        "cloudformation:DescribeStackResources",
        "rds:DescribeGlobalClusters",
        "rds:DescribeDBClusters",
        "rds:DescribeDBClusterSnapshots",
        "rds:DescribeEvents",
        "rds:SwitchoverGlobalCluster",
        "rds:FailoverGlobalCluster",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:GetMetricStatistics",
        "cloudwatch:ListMetrics",
        "elasticloadbalancing:DescribeTargetHealth",
        "route53:GetHealthCheck",
        "route53:GetHealthCheckStatus",
        "route53:ListResourceRecordSets",
        "route53:TestDNSAnswer",
        "cloudwatch:PutMetricData",
    ];
    let mut got = actions.clone();
    got.sort_unstable();
    expected.sort_unstable();
    assert_eq!(got, expected, "exactly the runtime's calls, each once");
    assert!(!text.contains("RemoveFromGlobalCluster\""), "{text}");
    assert!(actions.iter().all(|a| !a.contains('*')), "{actions:?}");

    // Each stack ARN names a stack of the pair, in that stack's Region; all of the pair's
    // stacks are there.
    let pair_stacks: Vec<&str> = pair["stacks"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_str().unwrap())
        .collect();
    let stack_arns: Vec<&str> = statements
        .iter()
        .filter(|s| s["Action"][0] == "cloudformation:DescribeStacks")
        .flat_map(|s| s["Resource"].as_array().unwrap())
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(stack_arns.len(), pair_stacks.len(), "{stack_arns:?}");
    for arn in &stack_arns {
        let rest = arn.strip_prefix("arn:aws:cloudformation:").unwrap();
        let (region, rest) = rest.split_once(':').unwrap();
        let name = rest
            .split_once(":stack/")
            .unwrap()
            .1
            .strip_suffix("/*")
            .unwrap();
        assert!(
            pair_stacks.contains(&name),
            "{arn} is not a stack of the pair"
        );
        let stack = assembly.stack(name).expect("a stack of the assembly");
        assert_eq!(stack.region.code(), region, "{arn}");
    }

    // The traffic switch: one namespace, the switch's Region (us-west-2 in the example).
    let put = statements
        .iter()
        .find(|s| s["Action"][0] == "cloudwatch:PutMetricData")
        .unwrap();
    assert_eq!(
        put["Condition"]["StringEquals"]["cloudwatch:namespace"],
        "drkit"
    );
    assert_eq!(
        put["Condition"]["StringEquals"]["aws:RequestedRegion"],
        "us-west-2"
    );
}

/// Parliament (Duo Labs' IAM linter, with its community auditors) finds nothing in the
/// example's policy.
#[test]
fn the_example_operator_policy_passes_parliament() {
    let Some(exe) = dr_testkit::require_tool(dr_testkit::PARLIAMENT) else {
        return;
    };
    let version = dr_testkit::parliament_version(&exe).unwrap();
    assert_eq!(
        version, "parliament 1.6.4",
        "the version requirements-test.txt pins"
    );
    let dir = tempfile::tempdir().unwrap();
    let (_, _, text) = example_policy(dir.path());
    let findings = dr_testkit::run_parliament(&exe, &text, true).unwrap();
    let shown: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert!(
        shown.is_empty(),
        "parliament findings:\n{}",
        shown.join("\n")
    );

    // The linter does look: the same policy with a statement that grants more than it needs
    // is reported.
    let mut loose: Value = serde_json::from_str(&text).unwrap();
    loose["Statement"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "Effect": "Allow",
            "Action": ["rds:DescribeDBClusters"],
            "Resource": "*",
        }));
    let findings = dr_testkit::run_parliament(&exe, &loose.to_string(), true).unwrap();
    assert!(
        findings.iter().any(|f| f.issue == "RESOURCE_STAR"),
        "{findings:?}"
    );
}
