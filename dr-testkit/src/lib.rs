//! Test helpers for drkit's own tests (dev-dependency only, never published).
//!
//! - [`cfn_lint`] / [`assert_cfn_lint_clean`]: run the pinned `cfn-lint` over synthesized
//!   templates and fail on any finding, or on any cfn-lint ignore in a template's `Metadata`.
//! - [`MotoServer`]: a moto server (wire-level AWS emulator) on a free `127.0.0.1` port.
//! - [`require_tool`]: the policy for a missing external tool. With `CI` or
//!   `DRKIT_REQUIRE_TOOLS` set, a missing tool fails the test with the command that installs
//!   it; otherwise the test is skipped loudly (a `SKIPPED:` line on stderr).
//!
//! The tools are pinned in `requirements-test.txt` and installed into `<workspace>/.venv` by
//! `bash scripts/test`. They are looked up in `<workspace>/.venv/bin` first (the pinned
//! versions), then on `PATH`.

mod cfn_lint;
mod moto;
mod tools;

pub use cfn_lint::{CfnLintFinding, Level, assert_cfn_lint_clean, cfn_lint, cfn_lint_ignores};
pub use moto::MotoServer;
pub use tools::{INSTALL_HINT, ToolError, find_tool, require_tool, tools_required, workspace_root};
