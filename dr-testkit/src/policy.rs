//! Policy as code: cfn-guard (the AWS Guard Rules Registry's Well-Architected rule sets) and
//! checkov over drkit's templates, compared with one reviewed allowlist.
//!
//! [`check_policy`] is the whole check: the templates are the insta snapshots in
//! `snapshots/` (every template of the example and of the construct tests), each scanned by
//! both tools; a finding the allowlist does not list fails, an allowlist location no finding
//! matches fails (stale), and so does any suppression a template carries for a scanner
//! (exceptions live in the allowlist only, where they are reviewed).
//!
//! # The allowlist (`policy/allowlist.toml`)
//!
//! ```toml
//! [[allow]]
//! tool = "cfn-guard"                   # or "checkov"
//! rule = "NO_UNRESTRICTED_ROUTE_TO_IGW" # cfn-guard's rule name, or checkov's check id
//! reason = "why this finding is right for drkit"
//! at = ["two_region__Shop-Primary/NetworkPublicSubnet1DefaultRoute1E5C22EC"]
//! ```
//!
//! Each location is `<template>/<logical id>`, or `<template>` alone for a rule that fails on
//! the template as a whole; `<template>` is the snapshot's file name without `.snap`. One
//! location per finding, exact (no globs), so a new resource that breaks the rule is a new
//! finding. `template = "…"` with `resource = "…"` is the same as a one-element `at`.
//!
//! `DRKIT_POLICY_PRINT=1` prints every current finding in this format (reasons taken from the
//! allowlist where it lists the finding, `TODO` otherwise), to regenerate the file after the
//! templates change; an entry whose reason is empty or `TODO` fails the check.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::cfn_guard::{CFN_GUARD, run_cfn_guard};
use crate::checkov::{CHECKOV, run_checkov};
use crate::tools::{ToolError, find_tool, tools_required, workspace_root};

/// Set to print the current findings in the allowlist's format.
pub const PRINT_ENV: &str = "DRKIT_POLICY_PRINT";

/// The reason the printed allowlist gives a finding the allowlist does not list yet.
const TODO: &str = "TODO";

/// How to install the policy tools, from the workspace root.
pub const POLICY_INSTALL_HINT: &str = "run `bash scripts/test`: it installs checkov into \
.venv-checkov (from requirements-checkov.txt) and cfn-guard 3 into .tools/ (the npm package \
@cdklabs/cdk-validator-cfnguard), then runs the suite";

/// The Metadata keys through which a scanner can be told to skip a resource or a template:
/// cfn-guard rule sets read `guard.SuppressedRules` and (some rules) `cfn_nag.rules_to_suppress`
/// (the registry's rule files), checkov reads `checkov.skip` and `bridgecrew.skip`
/// (`checkov/cloudformation/context_parser.py`, `collect_skip_comments`), cfn-lint `cfn-lint`.
pub const SUPPRESSION_METADATA: [&str; 5] =
    ["guard", "cfn_nag", "checkov", "bridgecrew", "cfn-lint"];

/// Text checkov takes as a skip comment anywhere in a resource's lines, a JSON string
/// included (checkov 3.3.30, `checkov/common/comment/enum.py`, `COMMENT_REGEX`).
pub const SUPPRESSION_TEXT: [&str; 3] = ["checkov:skip=", "bridgecrew:skip=", "cortex:skip="];

/// A policy scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scanner {
    /// cfn-guard 3 with the vendored rule sets in `policy/guard/`.
    CfnGuard,
    /// checkov's CloudFormation checks.
    Checkov,
}

impl Scanner {
    /// The name used in the allowlist's `tool` field.
    pub fn name(self) -> &'static str {
        match self {
            Scanner::CfnGuard => CFN_GUARD,
            Scanner::Checkov => CHECKOV,
        }
    }

    fn from_name(s: &str) -> Option<Scanner> {
        [Scanner::CfnGuard, Scanner::Checkov]
            .into_iter()
            .find(|t| t.name() == s)
    }
}

impl fmt::Display for Scanner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a finding is: a template and, unless the rule failed on the template as a whole, a
/// resource's logical id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The template's name (its snapshot's file name without `.snap`).
    pub template: String,
    /// The resource's logical id; empty for the template as a whole.
    pub resource: String,
}

impl Location {
    fn parse(s: &str) -> Location {
        match s.split_once('/') {
            Some((t, r)) => Location {
                template: t.to_string(),
                resource: r.to_string(),
            },
            None => Location {
                template: s.to_string(),
                resource: String::new(),
            },
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.template)?;
        if !self.resource.is_empty() {
            write!(f, "/{}", self.resource)?;
        }
        Ok(())
    }
}

/// One finding of one scanner.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PolicyFinding {
    /// The scanner that reported it.
    pub scanner: Scanner,
    /// cfn-guard's rule name or checkov's check id.
    pub rule: String,
    /// Where.
    pub at: Location,
    /// The scanner's own words: what is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for PolicyFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} at {}", self.scanner, self.rule, self.at)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

/// A template to scan.
#[derive(Debug, Clone)]
pub struct Template {
    /// Its name: the snapshot's file name without `.snap`.
    pub name: String,
    /// The template's JSON text, as the snapshot holds it.
    pub text: String,
    /// The parsed template.
    pub json: Value,
}

/// Reads every template held in the insta snapshots of `dir` (`*.snap`): a snapshot whose body
/// (after the front matter) is a JSON object with `Resources`. Other snapshots (the manifest,
/// the DR topology) are left out. Sorted by name.
pub fn templates_from_snapshots(dir: &Path) -> Result<Vec<Template>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("reading {}: {e}", dir.display()))?
            .path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".snap"))
        else {
            continue;
        };
        let snap = std::fs::read_to_string(&path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        let Some(body) = snapshot_body(&snap) else {
            return Err(format!(
                "{}: not an insta snapshot (no `---` front matter)",
                path.display()
            ));
        };
        let Ok(json) = serde_json::from_str::<Value>(body) else {
            continue;
        };
        if json.get("Resources").is_some_and(Value::is_object) {
            out.push(Template {
                name: name.to_string(),
                text: body.to_string(),
                json,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The body of an insta snapshot: what follows the `---` … `---` front matter.
fn snapshot_body(snap: &str) -> Option<&str> {
    let rest = snap.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(&rest[end + "\n---\n".len()..])
}

/// Every suppression a template carries for a scanner, as `"<template>: <where>"`: a
/// [`SUPPRESSION_METADATA`] key in the template's or a resource's `Metadata`, or
/// [`SUPPRESSION_TEXT`] anywhere in its text.
pub fn suppressions(t: &Template) -> Vec<String> {
    let mut out = Vec::new();
    let mut metadata = |m: Option<&Value>, at: &str| {
        for key in SUPPRESSION_METADATA {
            if m.and_then(|m| m.get(key)).is_some() {
                out.push(format!("{}: {at}Metadata.{key}", t.name));
            }
        }
    };
    metadata(t.json.get("Metadata"), "");
    if let Some(resources) = t.json.get("Resources").and_then(Value::as_object) {
        for (id, r) in resources {
            metadata(r.get("Metadata"), &format!("Resources.{id}."));
        }
    }
    for marker in SUPPRESSION_TEXT {
        if t.text.contains(marker) {
            out.push(format!("{}: the text `{marker}`", t.name));
        }
    }
    out
}

/// One allowlist entry: one rule of one scanner, the locations it is accepted at, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowEntry {
    /// The scanner.
    pub tool: Scanner,
    /// The rule name or check id.
    pub rule: String,
    /// Why the finding is right for drkit (or cannot be fixed in the template).
    pub reason: String,
    /// The locations, one per accepted finding.
    pub at: Vec<Location>,
}

/// The parsed allowlist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    /// The entries, in file order.
    pub entries: Vec<AllowEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllowlist {
    #[serde(default)]
    allow: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    tool: String,
    rule: String,
    reason: String,
    template: Option<String>,
    resource: Option<String>,
    at: Option<Vec<String>>,
}

impl Allowlist {
    /// Parses the allowlist, reporting every problem at once: unknown tool, empty rule, a
    /// reason that is empty or starts with `TODO`, no location or both forms, a location
    /// listed twice.
    pub fn parse(text: &str) -> Result<Allowlist, Vec<String>> {
        let (list, errors) = Allowlist::parse_lenient(text);
        if errors.is_empty() {
            Ok(list)
        } else {
            Err(errors)
        }
    }

    /// [`Allowlist::parse`] that also returns the entries it could read, so that the findings
    /// are still compared with them while the problems are reported (an entry without a
    /// reason yet still lists its locations).
    pub fn parse_lenient(text: &str) -> (Allowlist, Vec<String>) {
        let raw: RawAllowlist = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => return (Allowlist::default(), vec![e.to_string()]),
        };
        let mut errors = Vec::new();
        let mut entries = Vec::new();
        let mut seen: BTreeMap<(Scanner, String, Location), usize> = BTreeMap::new();
        for (i, e) in raw.allow.into_iter().enumerate() {
            let n = i + 1;
            let what = format!("entry {n} ({} {})", e.tool, e.rule);
            let Some(tool) = Scanner::from_name(&e.tool) else {
                errors.push(format!(
                    "{what}: unknown tool {:?} (`cfn-guard` or `checkov`)",
                    e.tool
                ));
                continue;
            };
            if e.rule.trim().is_empty() {
                errors.push(format!("{what}: empty rule"));
            }
            let reason = e.reason.trim();
            if reason.is_empty() || reason.starts_with(TODO) {
                errors.push(format!(
                    "{what}: needs a reason (why the finding is right for drkit, or why the \
                     template cannot avoid it)"
                ));
            }
            let at: Vec<Location> = match (e.at, e.template, e.resource) {
                (Some(at), None, None) if !at.is_empty() => {
                    at.iter().map(|s| Location::parse(s)).collect()
                }
                (None, Some(template), resource) => vec![Location {
                    template,
                    resource: resource.unwrap_or_default(),
                }],
                _ => {
                    errors.push(format!(
                        "{what}: give the locations either as `at = [\"<template>/<resource>\", \
                         …]` or as `template` (with `resource`), not both and not neither"
                    ));
                    continue;
                }
            };
            for loc in &at {
                if loc.template.is_empty() {
                    errors.push(format!("{what}: a location without a template: {loc:?}"));
                }
                if let Some(first) = seen.insert((tool, e.rule.clone(), loc.clone()), n) {
                    errors.push(format!("{what}: {loc} is already listed by entry {first}"));
                }
            }
            entries.push(AllowEntry {
                tool,
                rule: e.rule,
                reason: reason.to_string(),
                at,
            });
        }
        (Allowlist { entries }, errors)
    }

    fn reason_for(&self, f: &PolicyFinding) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.tool == f.scanner && e.rule == f.rule && e.at.contains(&f.at))
            .map(|e| e.reason.as_str())
    }
}

/// The findings compared with the allowlist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Findings the allowlist does not list.
    pub new: Vec<PolicyFinding>,
    /// Allowlist locations no finding matches, as `<tool> <rule> at <location>`.
    pub stale: Vec<String>,
    /// How many findings the allowlist accepts.
    pub allowed: usize,
}

impl Verdict {
    /// No new finding and no stale entry.
    pub fn is_clean(&self) -> bool {
        self.new.is_empty() && self.stale.is_empty()
    }
}

/// Compares findings with the allowlist.
pub fn compare(findings: &[PolicyFinding], allowlist: &Allowlist) -> Verdict {
    let found: BTreeSet<(Scanner, &str, &Location)> = findings
        .iter()
        .map(|f| (f.scanner, f.rule.as_str(), &f.at))
        .collect();
    let listed: BTreeSet<(Scanner, &str, &Location)> = allowlist
        .entries
        .iter()
        .flat_map(|e| e.at.iter().map(move |l| (e.tool, e.rule.as_str(), l)))
        .collect();
    let mut v = Verdict::default();
    for f in findings {
        if listed.contains(&(f.scanner, f.rule.as_str(), &f.at)) {
            v.allowed += 1;
        } else {
            v.new.push(f.clone());
        }
    }
    for (tool, rule, at) in listed {
        if !found.contains(&(tool, rule, at)) {
            v.stale.push(format!("{tool} {rule} at {at}"));
        }
    }
    v.new.sort();
    v
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The findings as allowlist entries: one per scanner, rule and reason (the allowlist's
/// reason where it lists the finding, `TODO` otherwise), each with the scanner's message as
/// a comment.
pub fn allowlist_toml(findings: &[PolicyFinding], previous: &Allowlist) -> String {
    let mut groups: BTreeMap<(Scanner, &str, &str), (&str, Vec<&Location>)> = BTreeMap::new();
    for f in findings {
        let reason = previous.reason_for(f).unwrap_or(TODO);
        groups
            .entry((f.scanner, f.rule.as_str(), reason))
            .or_insert_with(|| (f.message.as_str(), Vec::new()))
            .1
            .push(&f.at);
    }
    let mut out = String::new();
    for ((tool, rule, reason), (message, mut at)) in groups {
        at.sort();
        at.dedup();
        out.push_str("\n[[allow]]\n");
        if !message.is_empty() {
            out.push_str(&format!("# {}\n", message.replace('\n', " ")));
        }
        out.push_str(&format!("tool = {}\n", toml_str(tool.name())));
        out.push_str(&format!("rule = {}\n", toml_str(rule)));
        out.push_str(&format!("reason = {}\n", toml_str(reason)));
        out.push_str("at = [\n");
        for l in at {
            out.push_str(&format!("  {},\n", toml_str(&l.to_string())));
        }
        out.push_str("]\n");
    }
    out
}

/// Finds a policy tool: `.tools/bin` (cfn-guard) and `.venv-checkov/bin` (checkov) under the
/// workspace first (the pinned versions scripts/test installs), then `.venv/bin` and `PATH`.
pub fn find_policy_tool(name: &str) -> Option<PathBuf> {
    let root = workspace_root();
    [".tools/bin", ".venv-checkov/bin"]
        .iter()
        .map(|d| root.join(d).join(name))
        .find(|p| p.is_file())
        .or_else(|| find_tool(name))
}

/// [`find_policy_tool`] with the missing-tool policy of [`crate::require_tool`]: a panic under
/// `CI`/`DRKIT_REQUIRE_TOOLS`, a loud `SKIPPED:` line and `None` otherwise.
#[track_caller]
pub fn require_policy_tool(name: &str) -> Option<PathBuf> {
    if let Some(p) = find_policy_tool(name) {
        return Some(p);
    }
    let msg = format!(
        "`{name}` is not installed (looked in .tools/bin, .venv-checkov/bin, .venv/bin and on \
         PATH); to install it, {POLICY_INSTALL_HINT}"
    );
    if tools_required() {
        panic!("{msg} [CI or DRKIT_REQUIRE_TOOLS is set, so a missing tool fails the test]");
    }
    let caller = std::panic::Location::caller();
    eprintln!(
        "\n========================================================================\n\
         SKIPPED: {caller}: {msg}\n\
         ========================================================================\n"
    );
    None
}

/// The scanners' executables and the cfn-guard rule files.
#[derive(Debug, Clone)]
pub struct Scanners {
    /// The cfn-guard 3 executable.
    pub cfn_guard: PathBuf,
    /// The rule files cfn-guard runs.
    pub guard_rules: Vec<PathBuf>,
    /// The checkov executable.
    pub checkov: PathBuf,
}

/// The `.guard` files in a directory, sorted.
pub fn guard_rule_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "guard"))
        .collect();
    out.sort();
    if out.is_empty() {
        return Err(format!("no .guard rule files in {}", dir.display()));
    }
    Ok(out)
}

/// Scans the templates with both scanners (concurrently) and returns every finding, sorted.
///
/// Fails when a scanner fails, when cfn-guard did not report on every template, when checkov
/// could not parse one or did not see all of their resources, or when checkov skipped a check
/// (a suppression in a template).
pub fn scan(templates: &[Template], scanners: &Scanners) -> Result<Vec<PolicyFinding>, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("creating a temporary directory: {e}"))?;
    let dir_path = dir.path().to_path_buf();
    let mut resources = 0;
    for t in templates {
        std::fs::write(dir_path.join(format!("{}.json", t.name)), &t.text)
            .map_err(|e| format!("writing {}: {e}", t.name))?;
        resources += t
            .json
            .get("Resources")
            .and_then(Value::as_object)
            .map_or(0, |r| r.len() as u64);
    }
    let data = std::slice::from_ref(&dir_path);
    let (guard, checkov) = std::thread::scope(|s| {
        let g = s.spawn(|| run_cfn_guard(&scanners.cfn_guard, &scanners.guard_rules, data));
        let c = s.spawn(|| run_checkov(&scanners.checkov, &dir_path));
        (join(g), join(c))
    });
    let guard = guard.map_err(|e| e.to_string())?;
    let checkov = checkov.map_err(|e| e.to_string())?;

    let template_of = |file: &Path| {
        file.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let names: BTreeSet<&str> = templates.iter().map(|t| t.name.as_str()).collect();
    let reported: BTreeSet<String> = guard.files.iter().map(|f| template_of(f)).collect();
    if reported.len() != names.len() || !reported.iter().all(|r| names.contains(r.as_str())) {
        return Err(format!(
            "cfn-guard reported on {reported:?}, expected every template: {names:?}"
        ));
    }
    if checkov.parsing_errors > 0 {
        return Err(format!(
            "checkov could not parse {} template(s)",
            checkov.parsing_errors
        ));
    }
    if checkov.resource_count != resources {
        return Err(format!(
            "checkov looked at {} resources, the templates have {resources}",
            checkov.resource_count
        ));
    }
    if checkov.skipped > 0 {
        return Err(format!(
            "checkov skipped {} check(s): a template suppresses them (suppressions are \
             forbidden; list the finding in policy/allowlist.toml instead)",
            checkov.skipped
        ));
    }
    let mut out: Vec<PolicyFinding> = guard
        .findings
        .into_iter()
        .map(|f| PolicyFinding {
            scanner: Scanner::CfnGuard,
            rule: f.rule,
            at: Location {
                template: template_of(&f.file),
                resource: f.resource,
            },
            message: f.message,
        })
        .chain(checkov.findings.into_iter().map(|f| PolicyFinding {
            scanner: Scanner::Checkov,
            rule: f.check_id,
            at: Location {
                template: template_of(&f.file),
                resource: f.resource,
            },
            message: f.message,
        }))
        .collect();
    out.sort();
    out.dedup_by(|a, b| a.scanner == b.scanner && a.rule == b.rule && a.at == b.at);
    Ok(out)
}

fn join<T>(h: std::thread::ScopedJoinHandle<'_, Result<T, ToolError>>) -> Result<T, ToolError> {
    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// The policy check of drkit's templates (see the module docs): the templates in the insta
/// snapshots of `snapshots`, the rules in `<policy>/guard/*.guard`, the allowlist
/// `<policy>/allowlist.toml`. Panics with every problem found, each with how to fix it.
///
/// The suppression and allowlist checks run even when a scanner is missing; a missing scanner
/// follows [`require_policy_tool`].
#[track_caller]
pub fn check_policy(snapshots: &Path, policy: &Path) {
    let templates = templates_from_snapshots(snapshots).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !templates.is_empty(),
        "no template snapshots in {}",
        snapshots.display()
    );
    let mut problems: Vec<String> = Vec::new();

    let suppressed: Vec<String> = templates.iter().flat_map(suppressions).collect();
    if !suppressed.is_empty() {
        problems.push(format!(
            "scanner suppressions in templates are forbidden (fix the finding, or list it with \
             its reason in policy/allowlist.toml):\n  {}",
            suppressed.join("\n  ")
        ));
    }

    let allowlist_path = policy.join("allowlist.toml");
    let (allowlist, errors) = match std::fs::read_to_string(&allowlist_path) {
        Ok(text) => Allowlist::parse_lenient(&text),
        Err(e) => (
            Allowlist::default(),
            vec![format!("reading {}: {e}", allowlist_path.display())],
        ),
    };
    if !errors.is_empty() {
        problems.push(format!(
            "{} needs fixing:\n  {}",
            allowlist_path.display(),
            errors.join("\n  ")
        ));
    }

    let guard_rules = guard_rule_files(&policy.join("guard")).unwrap_or_else(|e| panic!("{e}"));
    let (Some(cfn_guard), Some(checkov)) =
        (require_policy_tool(CFN_GUARD), require_policy_tool(CHECKOV))
    else {
        assert!(problems.is_empty(), "{}", problems.join("\n\n"));
        return;
    };
    let scanners = Scanners {
        cfn_guard,
        guard_rules,
        checkov,
    };
    let findings = scan(&templates, &scanners).unwrap_or_else(|e| panic!("{e}"));

    if std::env::var_os(PRINT_ENV).is_some_and(|v| !v.is_empty() && v != "0") {
        println!(
            "# {} finding(s) in {} template(s), in policy/allowlist.toml's format:\n{}",
            findings.len(),
            templates.len(),
            allowlist_toml(&findings, &allowlist)
        );
    }

    let verdict = compare(&findings, &allowlist);
    if !verdict.new.is_empty() {
        let list: Vec<String> = verdict.new.iter().map(|f| format!("  {f}")).collect();
        problems.push(format!(
            "{} finding(s) not in policy/allowlist.toml. Fix each in the construct that writes \
             the resource (the scanner's message says how), or, when the finding is right for \
             drkit, add it to the allowlist with its reason:\n{}\n\nAs allowlist entries:\n{}",
            verdict.new.len(),
            list.join("\n"),
            allowlist_toml(&verdict.new, &Allowlist::default())
        ));
    }
    if !verdict.stale.is_empty() {
        problems.push(format!(
            "{} allowlist location(s) match no finding (fixed, renamed or gone): remove them \
             from policy/allowlist.toml:\n  {}",
            verdict.stale.len(),
            verdict.stale.join("\n  ")
        ));
    }
    assert!(
        problems.is_empty(),
        "policy check of {} template(s) ({} finding(s), {} allowed):\n\n{}\n\n(`{PRINT_ENV}=1` \
         prints every current finding in the allowlist's format)",
        templates.len(),
        findings.len(),
        verdict.allowed,
        problems.join("\n\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(scanner: Scanner, rule: &str, at: &str) -> PolicyFinding {
        PolicyFinding {
            scanner,
            rule: rule.into(),
            at: Location::parse(at),
            message: format!("fix {rule}"),
        }
    }

    fn template(name: &str, json: Value) -> Template {
        Template {
            name: name.into(),
            text: serde_json::to_string_pretty(&json).unwrap(),
            json,
        }
    }

    const LIST: &str = r#"
        [[allow]]
        tool = "cfn-guard"
        rule = "NO_UNRESTRICTED_ROUTE_TO_IGW"
        reason = "public subnets route to the internet gateway"
        at = ["a/RouteA", "b/RouteB"]

        [[allow]]
        tool = "checkov"
        rule = "CKV_AWS_2"
        reason = "no certificate in the example"
        template = "a"
        resource = "Listener"

        [[allow]]
        tool = "cfn-guard"
        rule = "SECRETSMANAGER_ROTATION_ENABLED_CHECK"
        reason = "rotation is documented as off"
        at = ["a"]
    "#;

    #[test]
    fn findings_are_new_allowed_or_leave_entries_stale() {
        let list = Allowlist::parse(LIST).unwrap();
        let findings = vec![
            finding(
                Scanner::CfnGuard,
                "NO_UNRESTRICTED_ROUTE_TO_IGW",
                "a/RouteA",
            ),
            finding(Scanner::Checkov, "CKV_AWS_2", "a/Listener"),
            finding(
                Scanner::CfnGuard,
                "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
                "a",
            ),
            // The same rule at a resource the entry does not list.
            finding(
                Scanner::CfnGuard,
                "NO_UNRESTRICTED_ROUTE_TO_IGW",
                "a/RouteC",
            ),
            // The same rule and location, but the other scanner.
            finding(Scanner::Checkov, "NO_UNRESTRICTED_ROUTE_TO_IGW", "a/RouteA"),
        ];
        let v = compare(&findings, &list);
        assert_eq!(v.allowed, 3);
        assert_eq!(
            v.new,
            vec![
                finding(
                    Scanner::CfnGuard,
                    "NO_UNRESTRICTED_ROUTE_TO_IGW",
                    "a/RouteC"
                ),
                finding(Scanner::Checkov, "NO_UNRESTRICTED_ROUTE_TO_IGW", "a/RouteA"),
            ]
        );
        assert_eq!(
            v.stale,
            vec!["cfn-guard NO_UNRESTRICTED_ROUTE_TO_IGW at b/RouteB"]
        );
        assert!(!v.is_clean());

        let all_listed = &findings[..3];
        let v = compare(
            &[
                all_listed,
                &[finding(
                    Scanner::CfnGuard,
                    "NO_UNRESTRICTED_ROUTE_TO_IGW",
                    "b/RouteB",
                )],
            ]
            .concat(),
            &list,
        );
        assert!(v.is_clean(), "{v:?}");
        assert_eq!(v.allowed, 4);
    }

    #[test]
    fn a_bad_allowlist_reports_every_problem() {
        let (lenient, errors) = Allowlist::parse_lenient(
            r#"
            [[allow]]
            tool = "cfn-nag"
            rule = "W1"
            reason = "r"
            at = ["a/X"]

            [[allow]]
            tool = "checkov"
            rule = "CKV_AWS_2"
            reason = "TODO: issue 19 fixes this"
            at = ["a/X"]

            [[allow]]
            tool = "checkov"
            rule = "CKV_AWS_3"
            reason = "r"
            at = ["a/X"]
            template = "a"

            [[allow]]
            tool = "checkov"
            rule = "CKV_AWS_2"
            reason = "r"
            template = "a"
            resource = "X"
            "#,
        );
        assert_eq!(errors.len(), 4, "{errors:#?}");
        // The entries that could be read are kept (a missing reason does not stop the
        // comparison); an unknown tool or an unclear location cannot be.
        assert_eq!(lenient.entries.len(), 2, "{lenient:#?}");
        assert_eq!(lenient.entries[0].reason, "TODO: issue 19 fixes this");
        assert!(
            errors[0].contains("unknown tool \"cfn-nag\""),
            "{errors:#?}"
        );
        assert!(errors[1].contains("entry 2") && errors[1].contains("needs a reason"));
        assert!(errors[2].contains("entry 3") && errors[2].contains("not both"));
        assert!(errors[3].contains("entry 4") && errors[3].contains("already listed by entry 2"));

        let unknown_field = Allowlist::parse(
            "[[allow]]\ntool = \"checkov\"\nrule = \"R\"\nreason = \"r\"\nat = [\"a\"]\nresources = [\"x\"]\n",
        )
        .unwrap_err();
        assert!(unknown_field[0].contains("resources"), "{unknown_field:?}");
        assert_eq!(Allowlist::parse("").unwrap(), Allowlist::default());
    }

    #[test]
    fn printed_entries_parse_back_and_keep_the_reasons() {
        let list = Allowlist::parse(LIST).unwrap();
        let findings = vec![
            finding(
                Scanner::CfnGuard,
                "NO_UNRESTRICTED_ROUTE_TO_IGW",
                "b/RouteB",
            ),
            finding(
                Scanner::CfnGuard,
                "NO_UNRESTRICTED_ROUTE_TO_IGW",
                "a/RouteA",
            ),
            finding(Scanner::Checkov, "CKV_AWS_2", "a/Listener"),
            finding(
                Scanner::CfnGuard,
                "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
                "a",
            ),
        ];
        let printed = allowlist_toml(&findings, &list);
        let reparsed = Allowlist::parse(&printed).unwrap();
        assert!(compare(&findings, &reparsed).is_clean());
        assert!(printed.contains("reason = \"public subnets route to the internet gateway\""));
        assert!(printed.contains("# fix CKV_AWS_2\n"));

        // A finding the allowlist does not list is printed with a TODO reason, which the
        // check refuses until someone writes the reason.
        let new = [finding(Scanner::Checkov, "CKV_AWS_91", "a/Lb \"quoted\"")];
        let printed = allowlist_toml(&new, &list);
        assert!(printed.contains("reason = \"TODO\""), "{printed}");
        let errors = Allowlist::parse(&printed).unwrap_err();
        assert!(errors[0].contains("needs a reason"), "{errors:?}");
    }

    #[test]
    fn suppressions_in_metadata_or_text_are_found() {
        let t = template(
            "t",
            serde_json::json!({
                "Metadata": {"cfn_nag": {}},
                "Resources": {
                    "Sg": {"Type": "AWS::EC2::SecurityGroup",
                           "Metadata": {"guard": {"SuppressedRules": ["X"]}, "checkov": {"skip": []}},
                           "Properties": {"GroupDescription": "checkov:skip=CKV_AWS_23: no"}},
                    "Ok": {"Type": "AWS::SNS::Topic", "Metadata": {"Comment": "fine"}}
                }
            }),
        );
        assert_eq!(
            suppressions(&t),
            vec![
                "t: Metadata.cfn_nag",
                "t: Resources.Sg.Metadata.guard",
                "t: Resources.Sg.Metadata.checkov",
                "t: the text `checkov:skip=`",
            ]
        );
        let clean = template(
            "c",
            serde_json::json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}),
        );
        assert!(suppressions(&clean).is_empty());
    }

    #[test]
    fn templates_are_the_snapshots_whose_body_has_resources() {
        let dir = tempfile::tempdir().unwrap();
        let snap = |name: &str, body: &str| {
            std::fs::write(
                dir.path().join(name),
                format!("---\nsource: x.rs\nexpression: t\n---\n{body}\n"),
            )
            .unwrap()
        };
        snap(
            "b__stack.snap",
            r#"{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}"#,
        );
        snap("a__stack.snap", r#"{"Resources": {}}"#);
        snap(
            "a__manifest.snap",
            r#"{"version": "36.0.0", "artifacts": {}}"#,
        );
        snap("a__debug.snap", "Foo { bar: 1 }");
        snap("c__pending.snap.new", r#"{"Resources": {}}"#);
        let t = templates_from_snapshots(dir.path()).unwrap();
        let names: Vec<&str> = t.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, vec!["a__stack", "b__stack"]);
        assert_eq!(t[1].json["Resources"]["T"]["Type"], "AWS::SNS::Topic");
        assert!(t[1].text.starts_with("{\"Resources\""));

        std::fs::write(dir.path().join("bad.snap"), "{}").unwrap();
        assert!(templates_from_snapshots(dir.path()).is_err());
    }
}
