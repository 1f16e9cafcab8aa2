//! Running parliament (Duo Labs' IAM policy linter) over an IAM policy document.
//!
//! `parliament --json --minimum_severity INFO [--include-community-auditors]` reads the policy
//! on standard input (with `--file`, parliament refuses to run when its standard input is not a
//! terminal, as under a test harness) and prints one JSON object per finding: `issue`
//! (`RESOURCE_STAR`, ...), `title`, `severity` (`INFO`, `LOW`, `MEDIUM`, `HIGH`, `CRITICAL`),
//! `description`, `detail` and `location`. It exits 0 with no finding, 1 with findings; any
//! other status is parliament failing (parliament 1.6.4, `parliament/cli.py`).

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::tools::ToolError;

/// The executable's name.
pub const PARLIAMENT: &str = "parliament";

/// A parliament finding's severity, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// `INFO`.
    Info,
    /// `LOW`.
    Low,
    /// `MEDIUM`.
    Medium,
    /// `HIGH`.
    High,
    /// `CRITICAL`.
    Critical,
}

impl Severity {
    fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "INFO" => Severity::Info,
            "LOW" => Severity::Low,
            "MEDIUM" => Severity::Medium,
            "HIGH" => Severity::High,
            "CRITICAL" => Severity::Critical,
            _ => return None,
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "INFO",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        })
    }
}

/// One parliament finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ParliamentFinding {
    /// How bad parliament says it is.
    pub severity: Severity,
    /// The issue's code, e.g. `RESOURCE_STAR`.
    pub issue: String,
    /// The issue's title, e.g. `Unnecessary use of Resource *`.
    pub title: String,
    /// What it is about (actions, resources), as parliament prints it (compact JSON).
    pub detail: String,
}

impl fmt::Display for ParliamentFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({}): {}",
            self.severity, self.issue, self.title, self.detail
        )
    }
}

/// The version parliament prints (`parliament 1.6.4`).
pub fn parliament_version(exe: &Path) -> Result<String, ToolError> {
    let out = Command::new(exe)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|source| ToolError::Io {
            tool: PARLIAMENT.into(),
            source,
        })?;
    if !out.status.success() {
        return Err(ToolError::Failed {
            tool: PARLIAMENT.into(),
            message: format!(
                "`parliament --version` exited with {:?}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs parliament (`exe`, from [`crate::require_tool`]) over `policy` (an IAM policy document's
/// text) with every severity shown and, with `community`, its community auditors too. Returns
/// the findings, sorted; empty means none.
pub fn run_parliament(
    exe: &Path,
    policy: &str,
    community: bool,
) -> Result<Vec<ParliamentFinding>, ToolError> {
    let io = |source| ToolError::Io {
        tool: PARLIAMENT.into(),
        source,
    };
    let mut cmd = Command::new(exe);
    cmd.args(["--json", "--minimum_severity", "INFO"]);
    if community {
        cmd.arg("--include-community-auditors");
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io)?;
    {
        let mut stdin = child.stdin.take().ok_or_else(|| ToolError::Failed {
            tool: PARLIAMENT.into(),
            message: "no standard input".into(),
        })?;
        stdin.write_all(policy.as_bytes()).map_err(io)?;
    }
    let out = child.wait_with_output().map_err(io)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    match out.status.code() {
        Some(0 | 1) => {}
        _ => {
            return Err(ToolError::Failed {
                tool: PARLIAMENT.into(),
                message: format!(
                    "exit status {:?}\nstdout:\n{stdout}\nstderr:\n{}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                ),
            });
        }
    }
    let mut findings = parse_findings(&stdout)?;
    if out.status.code() == Some(1) && findings.is_empty() {
        return Err(ToolError::Failed {
            tool: PARLIAMENT.into(),
            message: format!("exit status 1 without a finding\nstdout:\n{stdout}"),
        });
    }
    findings.sort();
    Ok(findings)
}

/// Parses parliament's `--json` output: one finding per line.
pub fn parse_findings(stdout: &str) -> Result<Vec<ParliamentFinding>, ToolError> {
    let parse = |message: String| ToolError::Parse {
        tool: PARLIAMENT.into(),
        message,
    };
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: Value = serde_json::from_str(line).map_err(|e| parse(format!("{e}: {line}")))?;
            let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
            let severity = Severity::parse(text("severity"))
                .ok_or_else(|| parse(format!("unknown severity in {line}")))?;
            Ok(ParliamentFinding {
                severity,
                issue: text("issue").to_string(),
                title: text("title").to_string(),
                detail: v.get("detail").map(Value::to_string).unwrap_or_default(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_parse_from_parliaments_json_lines() {
        let out = concat!(
            r#"{"issue": "RESOURCE_STAR", "title": "Unnecessary use of Resource *", "severity": "LOW", "description": "", "detail": ["s3:GetObject"], "location": {"line": 1, "column": 38, "filepath": "<stdin>"}}"#,
            "\n",
            r#"{"issue": "RESOURCE_MISMATCH", "title": "No resources match for the given action", "severity": "MEDIUM", "description": "", "detail": [{"action": "rds:DescribeDBClusters", "required_format": "arn:*:rds:*:*:cluster:*"}], "location": {"line": 1, "column": 96, "filepath": "<stdin>"}}"#,
            "\n"
        );
        let f = parse_findings(out).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].severity, Severity::Low);
        assert_eq!(f[0].issue, "RESOURCE_STAR");
        assert_eq!(f[0].detail, r#"["s3:GetObject"]"#);
        assert_eq!(f[1].severity, Severity::Medium);
        assert!(f[1].severity > Severity::Low);
        assert!(parse_findings(r#"{"severity": "SEVERE"}"#).is_err());
        assert!(parse_findings("not json").is_err());
    }
}
