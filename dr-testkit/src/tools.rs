//! Finding external test tools, and what to do when one is missing.

use std::path::{Path, PathBuf};

/// How to install the pinned Python test tools (cfn-lint, moto, shellcheck, parliament), from the workspace root.
pub const INSTALL_HINT: &str = "run `bash scripts/test` (it creates .venv and runs the suite), \
or install the tools by hand: `python3 -m venv .venv && .venv/bin/pip install -r requirements-test.txt`";

/// An external tool could not be run, or its output not understood.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The tool is neither in `<workspace>/.venv/bin` nor on `PATH`.
    #[error("`{tool}` not found in {venv} or on PATH; to install it, {hint}", venv = workspace_root().join(".venv/bin").display(), hint = INSTALL_HINT)]
    Missing {
        /// The executable's name.
        tool: String,
    },
    /// Starting or talking to the tool failed.
    #[error("running `{tool}`: {source}")]
    Io {
        /// The executable's name.
        tool: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The tool ran but failed (crashed, exited early, or never became ready).
    #[error("`{tool}` failed: {message}")]
    Failed {
        /// The executable's name.
        tool: String,
        /// What went wrong, with the tool's own output where there is some.
        message: String,
    },
    /// The tool's output could not be parsed.
    #[error("could not parse the output of `{tool}`: {message}")]
    Parse {
        /// The executable's name.
        tool: String,
        /// What was wrong with it.
        message: String,
    },
}

/// The workspace root (the directory holding the root `Cargo.toml` and `.venv`).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// Whether missing tools must fail the test (`CI` or `DRKIT_REQUIRE_TOOLS` set and not empty,
/// `0` or `false`).
pub fn tools_required() -> bool {
    ["CI", "DRKIT_REQUIRE_TOOLS"].iter().any(|k| {
        std::env::var(k)
            .map(|v| {
                let v = v.trim().to_ascii_lowercase();
                !(v.is_empty() || v == "0" || v == "false")
            })
            .unwrap_or(false)
    })
}

/// Finds an executable: `<workspace>/.venv/bin/<name>` first (the pinned version), then `PATH`.
pub fn find_tool(name: &str) -> Option<PathBuf> {
    let venv = workspace_root().join(".venv").join("bin").join(name);
    if is_executable(&venv) {
        return Some(venv);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// Finds a tool a test needs, applying the missing-tool policy.
///
/// Found: its path. Missing with `CI` or `DRKIT_REQUIRE_TOOLS` set: panics with the command
/// that installs it. Missing otherwise: prints a loud `SKIPPED: ...` line to stderr and returns
/// `None`; the caller then returns early.
#[track_caller]
pub fn require_tool(name: &str) -> Option<PathBuf> {
    if let Some(p) = find_tool(name) {
        return Some(p);
    }
    let msg = format!(
        "`{name}` is not installed (looked in {} and on PATH); to install it, {INSTALL_HINT}",
        workspace_root().join(".venv/bin").display()
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
