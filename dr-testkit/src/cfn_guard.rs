//! Running cfn-guard 3 (`cfn-guard validate`) over templates.
//!
//! The output is `--structured --output-format json`: one JSON array with one report per data
//! file, its failed rules under `not_compliant`. Each failed rule carries the checks that
//! failed; a check names the template values it looked at as `{"path": "/Resources/<id>/…",
//! "value": …}`, which is where a finding's resource comes from (cloudformation-guard 3.1.1:
//! the report in `guard/src/commands/reporters/validate/structured.rs`, a located value as
//! `impl Serialize for PathAwareValue` in `guard/src/rules/path_value.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::tools::ToolError;

/// The executable's name.
pub const CFN_GUARD: &str = "cfn-guard";

/// The major version the vendored rules and the output parser are written for.
const MAJOR: &str = "3.";

// `cfn-guard validate` exits 0 when every rule passed or was skipped, 19 when a rule failed
// and 5 on an error (a rule or data file that does not parse); cloudformation-guard's
// `guard/src/commands/mod.rs` (SUCCESS_STATUS_CODE, FAILURE_STATUS_CODE, ERROR_STATUS_CODE).
const SUCCESS: i32 = 0;
const FAILURE: i32 = 19;

/// One rule that failed for one resource of one template (or for the template as a whole).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GuardFinding {
    /// The data file cfn-guard reported on.
    pub file: PathBuf,
    /// The rule's name, e.g. `RDS_STORAGE_ENCRYPTED`.
    pub rule: String,
    /// The logical id of the resource the failed check looked at; empty when the rule failed
    /// on the template as a whole (e.g. "there is no rotation schedule").
    pub resource: String,
    /// The rule's own message (its violation and fix), whitespace collapsed.
    pub message: String,
}

impl fmt::Display for GuardFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.rule)?;
        if !self.resource.is_empty() {
            write!(f, " at {}", self.resource)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

/// What one `cfn-guard validate` run reported.
#[derive(Debug, Clone, Default)]
pub struct GuardReport {
    /// Every data file cfn-guard reported on (to check that none was left out).
    pub files: Vec<PathBuf>,
    /// Every failed rule, per resource, sorted and without duplicates (a rule that is in
    /// two rule sets is evaluated, and reported, twice; it is one finding here).
    pub findings: Vec<GuardFinding>,
}

/// The version line of a cfn-guard executable (`cfn-guard 3.1.1`), checked to be cfn-guard 3.
pub fn cfn_guard_version(exe: &Path) -> Result<String, ToolError> {
    let out = Command::new(exe)
        .arg("--version")
        .output()
        .map_err(|source| ToolError::Io {
            tool: CFN_GUARD.into(),
            source,
        })?;
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    match line.strip_prefix("cfn-guard ") {
        Some(v) if out.status.success() && v.starts_with(MAJOR) => Ok(line),
        _ => Err(ToolError::Failed {
            tool: CFN_GUARD.into(),
            message: format!(
                "{} is not cfn-guard 3 (`--version` printed {line:?}); the policy rules and \
                 the output parser need cfn-guard 3: run `bash scripts/test`, which installs it \
                 into .tools/",
                exe.display()
            ),
        }),
    }
}

/// Runs `cfn-guard validate --structured --output-format json --show-summary none` with the
/// given rule files over the given data files or directories.
pub fn run_cfn_guard(
    exe: &Path,
    rules: &[PathBuf],
    data: &[PathBuf],
) -> Result<GuardReport, ToolError> {
    cfn_guard_version(exe)?;
    let mut cmd = Command::new(exe);
    cmd.arg("validate").arg("--structured").args([
        "--output-format",
        "json",
        "--show-summary",
        "none",
    ]);
    for r in rules {
        cmd.arg("--rules").arg(r);
    }
    for d in data {
        cmd.arg("--data").arg(d);
    }
    let out = cmd.output().map_err(|source| ToolError::Io {
        tool: CFN_GUARD.into(),
        source,
    })?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    match out.status.code() {
        Some(SUCCESS | FAILURE) => parse_report(&stdout),
        _ => Err(ToolError::Failed {
            tool: CFN_GUARD.into(),
            message: format!(
                "exit status {:?}\nstdout:\n{stdout}\nstderr:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
        }),
    }
}

fn parse_err(message: impl Into<String>) -> ToolError {
    ToolError::Parse {
        tool: CFN_GUARD.into(),
        message: message.into(),
    }
}

/// Parses the `--structured` JSON output of `cfn-guard validate`.
pub fn parse_report(stdout: &str) -> Result<GuardReport, ToolError> {
    let v: Value = serde_json::from_str(stdout).map_err(|e| parse_err(format!("{e}\n{stdout}")))?;
    let files = v
        .as_array()
        .ok_or_else(|| parse_err(format!("expected a JSON array\n{stdout}")))?;
    let mut report = GuardReport::default();
    // Keyed without the message: a rule that is in both rule sets fails twice, with the same
    // text under different rule-set headers.
    let mut findings: BTreeMap<(PathBuf, String, String), String> = BTreeMap::new();
    for file in files {
        let name = file
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| parse_err(format!("a report without a name: {file}")))?;
        report.files.push(PathBuf::from(name));
        let failed = file
            .get("not_compliant")
            .and_then(Value::as_array)
            .ok_or_else(|| parse_err(format!("{name}: a report without not_compliant")))?;
        for f in failed {
            let rule = f
                .get("Rule")
                .ok_or_else(|| parse_err(format!("{name}: a failure that is not a rule: {f}")))?;
            let rule_name = rule
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| parse_err(format!("{name}: a rule without a name: {f}")))?;
            let mut resources = BTreeSet::new();
            resources_in(rule, &mut resources);
            if resources.is_empty() {
                resources.insert(String::new());
            }
            let message = custom_message(rule).unwrap_or_default();
            for resource in resources {
                findings
                    .entry((PathBuf::from(name), rule_name.to_string(), resource))
                    .or_insert_with(|| message.clone());
            }
        }
    }
    report.findings = findings
        .into_iter()
        .map(|((file, rule, resource), message)| GuardFinding {
            file,
            rule,
            resource,
            message,
        })
        .collect();
    Ok(report)
}

/// Collects the logical ids of the resources a failed rule's checks looked at.
///
/// A located value is `{"path": "/Resources/<id>/…", "value": <template data>}`; its `value` is
/// the template's own data (which may hold any key, `path` too) and is not searched. The `to`
/// side of a comparison is what the value was compared with, not the resource that failed.
fn resources_in(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            let path = map.get("path").and_then(Value::as_str);
            if let Some(id) = path.and_then(resource_of_path) {
                out.insert(id.to_string());
            }
            for (k, child) in map {
                let located_value = k == "value" && path.is_some();
                if k == "path" || k == "to" || located_value {
                    continue;
                }
                resources_in(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| resources_in(i, out)),
        _ => {}
    }
}

fn resource_of_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/Resources/")?;
    let id = rest.split('/').next()?;
    (!id.is_empty()).then_some(id)
}

/// The first non-empty custom message (the rule's `<< … >>` text) found in a failed rule,
/// without the rule-set header lines, whitespace collapsed.
fn custom_message(v: &Value) -> Option<String> {
    match v {
        Value::Object(map) => {
            if let Some(m) = map
                .get("custom_message")
                .and_then(Value::as_str)
                .map(tidy_message)
                .filter(|m| !m.is_empty())
            {
                return Some(m);
            }
            map.values().find_map(custom_message)
        }
        Value::Array(items) => items.iter().find_map(custom_message),
        _ => None,
    }
}

fn tidy_message(m: &str) -> String {
    // The registry's build puts "Guard Rule Set: …" and "Controls: …" above each rule's own
    // text; they name the rule set, not the problem.
    m.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("Guard Rule Set:") && !l.starts_with("Controls:"))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    // The shapes cfn-guard 3.1.1 printed for drkit's templates: a binary comparison (from/to),
    // a unary check on a filtered variable (value: {path, value}), a property that does not
    // exist (UnResolved.traversed_to), and a rule over the template as a whole (no path).
    const OUT: &str = r#"[
      {"name": "/t/a.json", "metadata": {}, "status": "FAIL", "not_applicable": [], "compliant": [],
       "not_compliant": [
        {"Rule": {"name": "ASG_ELB", "metadata": {}, "messages": {"custom_message": null, "error_message": null},
          "checks": [{"Clause": {"Binary": {"context": "x", "messages": {
              "custom_message": "\n    Guard Rule Set: wa-Reliability-Pillar\n    Controls: REL-6    \n  Violation: use ELB.\n  Fix: Set it.\n ",
              "error_message": "e"},
            "check": {"Resolved": {"from": {"path": "/Resources/Asg/Properties/HealthCheckType", "value": "EC2"},
                                   "to": {"path": "/Resources/Other/x", "value": "ELB"}, "comparison": ["Eq", false]}}}}}]}},
        {"Rule": {"name": "BACKUP", "metadata": {}, "messages": {"custom_message": null, "error_message": null},
          "checks": [{"Clause": {"Unary": {"context": " %violations EMPTY  ", "messages": {"custom_message": "", "error_message": "e"},
            "check": {"Resolved": {"value": {"path": "/Resources/DbWriter",
               "value": {"Type": "AWS::RDS::DBInstance", "Properties": {"path": "/Resources/NotThis"}}},
               "comparison": ["Empty", false]}}}}},
            {"Clause": {"Unary": {"context": "c", "messages": {"custom_message": null, "error_message": "e"},
            "check": {"UnResolved": {"value": {"traversed_to": {"path": "/Resources/DbReader/Properties", "value": {}},
               "remaining_query": "BackupRetentionPeriod", "reason": "r"}, "comparison": ["Exists", false]}}}}}]}},
        {"Rule": {"name": "ROTATION", "metadata": {}, "messages": {"custom_message": null, "error_message": null},
          "checks": [{"Clause": {"Unary": {"check": {"UnResolvedContext": "%x not EMPTY"}, "context": "c",
            "messages": {"custom_message": "", "error_message": "e"}}}}]}},
        {"Rule": {"name": "ASG_ELB", "metadata": {}, "messages": {"custom_message": null, "error_message": null},
          "checks": [{"Clause": {"Binary": {"context": "x", "messages": {
              "custom_message": "\n    Guard Rule Set: wa-Security-Pillar\n    Controls: SEC-1    \n  Violation: other text.\n ",
              "error_message": "e"},
            "check": {"Resolved": {"from": {"path": "/Resources/Asg/Properties/HealthCheckType", "value": "EC2"},
                                   "to": {"path": "", "value": "ELB"}, "comparison": ["Eq", false]}}}}}]}}
       ]},
      {"name": "/t/b.json", "metadata": {}, "status": "PASS", "not_compliant": [], "not_applicable": [], "compliant": ["X"]}
    ]"#;

    fn finding(rule: &str, resource: &str, message: &str) -> GuardFinding {
        GuardFinding {
            file: "/t/a.json".into(),
            rule: rule.into(),
            resource: resource.into(),
            message: message.into(),
        }
    }

    #[test]
    fn parses_the_structured_report_with_one_finding_per_resource() {
        let r = parse_report(OUT).unwrap();
        assert_eq!(
            r.files,
            vec![PathBuf::from("/t/a.json"), PathBuf::from("/t/b.json")]
        );
        assert_eq!(
            r.findings,
            vec![
                // The same rule from two rule sets is one finding; the compared-with side
                // (`to`) names no resource.
                finding("ASG_ELB", "Asg", "Violation: use ELB. Fix: Set it."),
                // Template data under a located value is not searched for paths.
                finding("BACKUP", "DbReader", ""),
                finding("BACKUP", "DbWriter", ""),
                finding("ROTATION", "", ""),
            ]
        );
        assert_eq!(
            r.findings[0].to_string(),
            "/t/a.json: ASG_ELB at Asg: Violation: use ELB. Fix: Set it."
        );
    }

    #[test]
    fn output_that_is_not_the_structured_report_is_an_error() {
        assert!(parse_report("{}").is_err());
        assert!(parse_report(r#"[{"name": "a"}]"#).is_err());
        assert!(parse_report("not json").is_err());
    }
}
