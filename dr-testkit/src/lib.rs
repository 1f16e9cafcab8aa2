//! Test helpers for drkit's own tests (dev-dependency only, never published).
//!
//! - [`cfn_lint`] / [`assert_cfn_lint_clean`]: run the pinned `cfn-lint` over synthesized
//!   templates and fail on any finding, or on any cfn-lint ignore in a template's `Metadata`.
//! - [`check_policy`]: cfn-guard 3 (the AWS Guard Rules Registry's Well-Architected
//!   Reliability and Security rule sets, vendored in `policy/guard/`) and checkov over every
//!   template snapshot, compared with the one allowlist `policy/allowlist.toml`; see
//!   [`policy`].
//! - [`run_parliament`]: Duo Labs' IAM policy linter over a policy document (the operator
//!   policies synthesis writes).
//! - [`MotoServer`]: a moto server (wire-level AWS emulator) on a free `127.0.0.1` port.
//! - [`require_tool`]: the policy for a missing external tool. With `CI` or
//!   `DRKIT_REQUIRE_TOOLS` set, a missing tool fails the test with the command that installs
//!   it; otherwise the test is skipped loudly (a `SKIPPED:` line on stderr).
//!
//! The tools are pinned in `requirements-test.txt` and installed into `<workspace>/.venv` by
//! `bash scripts/test`. They are looked up in `<workspace>/.venv/bin` first (the pinned
//! versions), then on `PATH`. The policy scanners have their own pins: checkov in
//! `requirements-checkov.txt` (`<workspace>/.venv-checkov`), cfn-guard in `scripts/test`
//! (`<workspace>/.tools/bin`).

mod cfn_guard;
mod cfn_lint;
mod checkov;
mod moto;
mod parliament;
pub mod policy;
mod tools;

pub use cfn_guard::{
    CFN_GUARD, GuardFinding, GuardReport, cfn_guard_version,
    parse_report as parse_cfn_guard_report, run_cfn_guard,
};
pub use cfn_lint::{CfnLintFinding, Level, assert_cfn_lint_clean, cfn_lint, cfn_lint_ignores};
pub use checkov::{
    CHECKOV, CheckovFinding, CheckovReport, checkov_version, parse_report as parse_checkov_report,
    run_checkov,
};
pub use moto::MotoServer;
pub use parliament::{
    PARLIAMENT, ParliamentFinding, Severity, parliament_version,
    parse_findings as parse_parliament_findings, run_parliament,
};
pub use policy::{check_policy, find_policy_tool, require_policy_tool};
pub use tools::{INSTALL_HINT, ToolError, find_tool, require_tool, tools_required, workspace_root};
