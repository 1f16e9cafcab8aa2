//! Running cfn-lint over templates.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::tools::{ToolError, find_tool, require_tool};

const TOOL: &str = "cfn-lint";

/// A cfn-lint finding's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// `E` rules: the template will not deploy, or not as written.
    Error,
    /// `W` rules: likely mistakes.
    Warning,
    /// `I` rules: suggestions.
    Informational,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Error => "Error",
            Level::Warning => "Warning",
            Level::Informational => "Informational",
        })
    }
}

/// One cfn-lint finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CfnLintFinding {
    /// The rule id, e.g. `E3006`.
    pub rule_id: String,
    /// Error, warning or informational.
    pub level: Level,
    /// The message, as cfn-lint words it.
    pub message: String,
    /// The template the finding is in (empty when cfn-lint names none, e.g. a config error).
    pub file: PathBuf,
    /// The 1-based line the finding starts on.
    pub line: u64,
    /// The 1-based column the finding starts on.
    pub column: u64,
    /// The JSON path of the finding inside the template (`Resources/Vpc/Type`), if given.
    pub path: Vec<String>,
}

impl fmt::Display for CfnLintFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {} {} {}",
            self.file.display(),
            self.line,
            self.column,
            self.level,
            self.rule_id,
            self.message
        )?;
        if !self.path.is_empty() {
            write!(f, " (at {})", self.path.join("/"))?;
        }
        Ok(())
    }
}

/// Runs `cfn-lint --format json --regions <regions> -- <paths>` and returns every finding.
///
/// An empty vector means the templates are clean. Fails with [`ToolError::Missing`] when
/// cfn-lint is not installed (see [`crate::require_tool`] for the skip/fail policy).
pub fn cfn_lint(paths: &[PathBuf], regions: &[&str]) -> Result<Vec<CfnLintFinding>, ToolError> {
    let exe = find_tool(TOOL).ok_or_else(|| ToolError::Missing { tool: TOOL.into() })?;
    run(&exe, paths, regions)
}

fn run(exe: &Path, paths: &[PathBuf], regions: &[&str]) -> Result<Vec<CfnLintFinding>, ToolError> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let mut cmd = Command::new(exe);
    cmd.arg("--format").arg("json");
    if !regions.is_empty() {
        cmd.arg("--regions").args(regions);
    }
    cmd.arg("--").args(paths);
    let out = cmd.output().map_err(|source| ToolError::Io {
        tool: TOOL.into(),
        source,
    })?;
    // Exit codes are a bit mask: 2 errors, 4 warnings, 8 informational; 0 clean. Anything
    // else (1, or a signal) is cfn-lint itself failing.
    let code = out.status.code();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    match code {
        Some(c) if c & !(2 | 4 | 8) == 0 => {}
        _ => {
            return Err(ToolError::Failed {
                tool: TOOL.into(),
                message: format!(
                    "exit status {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
                    out.status
                ),
            });
        }
    }
    if stdout.trim().is_empty() {
        return Ok(Vec::new());
    }
    parse_findings(&stdout)
}

fn parse_err(message: impl Into<String>) -> ToolError {
    ToolError::Parse {
        tool: TOOL.into(),
        message: message.into(),
    }
}

fn parse_findings(stdout: &str) -> Result<Vec<CfnLintFinding>, ToolError> {
    let v: Value = serde_json::from_str(stdout).map_err(|e| parse_err(format!("{e}\n{stdout}")))?;
    let items = v
        .as_array()
        .ok_or_else(|| parse_err(format!("expected a JSON array\n{stdout}")))?;
    items.iter().map(parse_finding).collect()
}

fn parse_finding(item: &Value) -> Result<CfnLintFinding, ToolError> {
    let rule_id = item
        .pointer("/Rule/Id")
        .and_then(Value::as_str)
        .ok_or_else(|| parse_err(format!("finding without Rule.Id: {item}")))?
        .to_string();
    let level = match item.get("Level").and_then(Value::as_str) {
        Some("Error") => Level::Error,
        Some("Warning") => Level::Warning,
        Some("Informational") => Level::Informational,
        // Unknown levels are treated by the rule id's prefix, as cfn-lint names them.
        _ => match rule_id.chars().next() {
            Some('W') => Level::Warning,
            Some('I') => Level::Informational,
            _ => Level::Error,
        },
    };
    let message = item
        .get("Message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let file = item
        .get("Filename")
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .unwrap_or_default();
    let line = item
        .pointer("/Location/Start/LineNumber")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let column = item
        .pointer("/Location/Start/ColumnNumber")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let path = item
        .pointer("/Location/Path")
        .and_then(Value::as_array)
        .map(|p| {
            p.iter()
                .map(|s| match s {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(CfnLintFinding {
        rule_id,
        level,
        message,
        file,
        line,
        column,
        path,
    })
}

/// Lists every cfn-lint ignore in a template: a `cfn-lint` key under the template's top-level
/// `Metadata` or under any resource's `Metadata`. Returns `"<file>: <where>"` strings; a file
/// that cannot be read or is not JSON is reported too.
pub fn cfn_lint_ignores(paths: &[PathBuf]) -> Vec<String> {
    let mut out = Vec::new();
    for p in paths {
        let text = match std::fs::read_to_string(p) {
            Ok(t) => t,
            Err(e) => {
                out.push(format!("{}: cannot read: {e}", p.display()));
                continue;
            }
        };
        let v: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                out.push(format!("{}: not a JSON template: {e}", p.display()));
                continue;
            }
        };
        if v.pointer("/Metadata/cfn-lint").is_some() {
            out.push(format!("{}: Metadata.cfn-lint", p.display()));
        }
        if let Some(resources) = v.get("Resources").and_then(Value::as_object) {
            for (id, r) in resources {
                if r.pointer("/Metadata/cfn-lint").is_some() {
                    out.push(format!("{}: Resources.{id}.Metadata.cfn-lint", p.display()));
                }
            }
        }
    }
    out
}

/// Asserts that cfn-lint reports nothing (no error, warning or informational finding) for the
/// templates in the given regions, and that no template carries a cfn-lint ignore in its
/// `Metadata` (ignores are forbidden in drkit's output).
///
/// The ignore check runs even when cfn-lint is not installed. A missing cfn-lint follows
/// [`crate::require_tool`]: a panic under `CI`/`DRKIT_REQUIRE_TOOLS`, a loud skip otherwise.
#[track_caller]
pub fn assert_cfn_lint_clean(paths: &[PathBuf], regions: &[&str]) {
    let ignores = cfn_lint_ignores(paths);
    if !ignores.is_empty() {
        panic!(
            "cfn-lint ignores are forbidden in drkit templates (fix the finding instead):\n  {}",
            ignores.join("\n  ")
        );
    }
    let Some(exe) = require_tool(TOOL) else {
        return;
    };
    match run(&exe, paths, regions) {
        Ok(findings) if findings.is_empty() => {}
        Ok(findings) => {
            let list: Vec<String> = findings.iter().map(|f| format!("  {f}")).collect();
            panic!(
                "cfn-lint (regions {}) reported {} finding(s):\n{}",
                regions.join(" "),
                findings.len(),
                list.join("\n")
            );
        }
        Err(e) => panic!("{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cfn_lint_json() {
        let out = r#"[{"Filename": "t.json", "Id": "x", "Level": "Warning",
            "Location": {"End": {"ColumnNumber": 3, "LineNumber": 9},
                         "Path": ["Resources", "V", 0], "Start": {"ColumnNumber": 2, "LineNumber": 8}},
            "Message": "m", "ParentId": null, "Rule": {"Id": "W3010"}}]"#;
        let f = parse_findings(out).unwrap();
        assert_eq!(
            f,
            vec![CfnLintFinding {
                rule_id: "W3010".into(),
                level: Level::Warning,
                message: "m".into(),
                file: "t.json".into(),
                line: 8,
                column: 2,
                path: vec!["Resources".into(), "V".into(), "0".into()],
            }]
        );
        assert_eq!(
            f[0].to_string(),
            "t.json:8:2: Warning W3010 m (at Resources/V/0)"
        );
    }
}
