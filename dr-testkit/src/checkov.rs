//! Running checkov over a directory of CloudFormation templates.
//!
//! `checkov -d <dir> --framework cloudformation -o json --quiet --soft-fail --skip-download`
//! prints one JSON report: `results.failed_checks` (with `--quiet`, only the failed ones are
//! listed; each with `check_id`, `check_name`, `file_path` and `resource` as
//! `<Type>.<LogicalId>`) and a `summary` (`passed`, `failed`, `skipped`, `parsing_errors`,
//! `resource_count`; a check a template suppresses is counted as skipped). A directory
//! with nothing to scan prints the summary alone. `--soft-fail` makes a run with failed checks
//! exit 0, so any other exit status is checkov itself failing (checkov 3.3.30,
//! `checkov/common/output/report.py`, `checkov/main.py`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::tools::ToolError;

/// The executable's name.
pub const CHECKOV: &str = "checkov";

/// One failed check on one resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CheckovFinding {
    /// The template, as checkov names it (relative to the scanned directory, with a leading
    /// `/`).
    pub file: PathBuf,
    /// The check's id, e.g. `CKV_AWS_58`.
    pub check_id: String,
    /// The resource's logical id.
    pub resource: String,
    /// The check's name (what it wants), plus its guideline URL when checkov gives one.
    pub message: String,
}

impl fmt::Display for CheckovFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} at {}: {}",
            self.file.display(),
            self.check_id,
            self.resource,
            self.message
        )
    }
}

/// What one checkov run reported.
#[derive(Debug, Clone, Default)]
pub struct CheckovReport {
    /// Every failed check, sorted.
    pub findings: Vec<CheckovFinding>,
    /// Checks checkov skipped because a template asked it to (`Metadata.checkov.skip`, or a
    /// `checkov:skip=` comment in the template's text).
    pub skipped: u64,
    /// Templates checkov could not parse.
    pub parsing_errors: u64,
    /// Resources checkov looked at.
    pub resource_count: u64,
}

/// The version checkov prints (`3.3.30`).
pub fn checkov_version(exe: &Path) -> Result<String, ToolError> {
    let out = Command::new(exe)
        .arg("--version")
        .output()
        .map_err(|source| ToolError::Io {
            tool: CHECKOV.into(),
            source,
        })?;
    if !out.status.success() {
        return Err(ToolError::Failed {
            tool: CHECKOV.into(),
            message: format!(
                "`checkov --version` exited with {:?}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs checkov's CloudFormation checks over every template in `dir`.
pub fn run_checkov(exe: &Path, dir: &Path) -> Result<CheckovReport, ToolError> {
    let mut cmd = Command::new(exe);
    cmd.arg("-d")
        .arg(dir)
        .args(["--framework", "cloudformation", "-o", "json", "--quiet"])
        // Findings are the test's to judge; without it checkov exits 1 for any.
        .arg("--soft-fail")
        // No external modules or policies: the run stays offline and the same every time.
        .arg("--skip-download")
        // checkov reads `.checkov.yaml` from the working directory; the scanned directory is
        // a fresh one, so no configuration can switch checks off.
        .current_dir(dir)
        .env_remove("BC_API_KEY")
        .env_remove("PRISMA_API_URL");
    let out = cmd.output().map_err(|source| ToolError::Io {
        tool: CHECKOV.into(),
        source,
    })?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(ToolError::Failed {
            tool: CHECKOV.into(),
            message: format!(
                "exit status {:?}\nstdout:\n{stdout}\nstderr:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
        });
    }
    parse_report(&stdout)
}

fn parse_err(message: impl Into<String>) -> ToolError {
    ToolError::Parse {
        tool: CHECKOV.into(),
        message: message.into(),
    }
}

fn count(summary: &Value, key: &str) -> u64 {
    summary.get(key).and_then(Value::as_u64).unwrap_or(0)
}

/// Parses checkov's JSON report (one framework: an object; several: an array of them).
pub fn parse_report(stdout: &str) -> Result<CheckovReport, ToolError> {
    let v: Value = serde_json::from_str(stdout).map_err(|e| parse_err(format!("{e}\n{stdout}")))?;
    let reports: Vec<&Value> = match &v {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![&v],
        _ => return Err(parse_err(format!("expected a JSON object\n{stdout}"))),
    };
    let mut out = CheckovReport::default();
    for r in reports {
        // With nothing to scan checkov prints the bare summary.
        let summary = r.get("summary").unwrap_or(r);
        if summary.get("checkov_version").is_none() && r.get("results").is_none() {
            return Err(parse_err(format!("not a checkov report: {r}")));
        }
        out.skipped += count(summary, "skipped");
        out.parsing_errors += count(summary, "parsing_errors");
        out.resource_count += count(summary, "resource_count");
        let failed = r
            .pointer("/results/failed_checks")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for c in failed {
            out.findings.push(parse_check(c)?);
        }
    }
    out.findings.sort();
    out.findings.dedup();
    Ok(out)
}

fn parse_check(c: &Value) -> Result<CheckovFinding, ToolError> {
    let field = |k: &str| {
        c.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| parse_err(format!("a check without {k}: {c}")))
    };
    let check_id = field("check_id")?.to_string();
    let file = PathBuf::from(field("file_path")?);
    // `<Type>.<LogicalId>`: types contain `::` but no dot, logical ids are alphanumeric.
    let resource = field("resource")?;
    let resource = resource
        .rsplit_once('.')
        .map_or(resource, |(_, id)| id)
        .to_string();
    let mut message = c
        .get("check_name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if let Some(g) = c.get("guideline").and_then(Value::as_str) {
        message.push_str(&format!(" ({g})"));
    }
    Ok(CheckovFinding {
        file,
        check_id,
        resource,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_failed_checks_and_the_summary() {
        let out = r#"{"check_type": "cloudformation",
          "results": {"failed_checks": [
            {"check_id": "CKV_AWS_58", "check_name": "Ensure EKS Cluster has Secrets Encryption Enabled",
             "file_path": "/eks.json", "resource": "AWS::EKS::Cluster.Eks3DB0AF90", "guideline": null},
            {"check_id": "CKV_AWS_2", "check_name": "Ensure ALB protocol is HTTPS",
             "file_path": "/alb.json", "resource": "AWS::ElasticLoadBalancingV2::Listener.LbHttp",
             "guideline": "https://example.invalid/g"}]},
          "summary": {"passed": 3, "failed": 2, "skipped": 1, "parsing_errors": 0,
                      "resource_count": 7, "checkov_version": "3.3.30"}}"#;
        let r = parse_report(out).unwrap();
        assert_eq!(
            r.findings,
            vec![
                CheckovFinding {
                    file: "/alb.json".into(),
                    check_id: "CKV_AWS_2".into(),
                    resource: "LbHttp".into(),
                    message: "Ensure ALB protocol is HTTPS (https://example.invalid/g)".into(),
                },
                CheckovFinding {
                    file: "/eks.json".into(),
                    check_id: "CKV_AWS_58".into(),
                    resource: "Eks3DB0AF90".into(),
                    message: "Ensure EKS Cluster has Secrets Encryption Enabled".into(),
                },
            ]
        );
        assert_eq!((r.skipped, r.parsing_errors, r.resource_count), (1, 0, 7));
    }

    #[test]
    fn a_bare_summary_has_no_findings_and_garbage_is_an_error() {
        let r = parse_report(
            r#"{"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0,
                "resource_count": 0, "checkov_version": "3.3.30"}"#,
        )
        .unwrap();
        assert!(r.findings.is_empty());
        assert_eq!(r.resource_count, 0);
        assert!(parse_report(r#"{"something": "else"}"#).is_err());
        assert!(parse_report("[1]").is_err());
        assert!(parse_report("nope").is_err());
    }
}
