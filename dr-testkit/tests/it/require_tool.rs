//! The missing-tool policy: a loud skip by default, a failure naming the install command when
//! `CI` or `DRKIT_REQUIRE_TOOLS` is set. Runs this test binary again as a child process, since
//! a test cannot change its own environment safely.

use std::process::Command;

const MISSING: &str = "drkit-no-such-tool-for-tests";

#[test]
fn child_requires_a_missing_tool() {
    if std::env::var_os("DRKIT_TESTKIT_CHILD").is_none() {
        return;
    }
    assert!(dr_testkit::require_tool(MISSING).is_none());
    println!("CHILD-SKIPPED");
}

fn run_child(require: bool) -> (bool, String) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "require_tool::child_requires_a_missing_tool",
        "--nocapture",
    ])
    .env("DRKIT_TESTKIT_CHILD", "1")
    .env_remove("CI")
    .env_remove("DRKIT_REQUIRE_TOOLS");
    if require {
        cmd.env("DRKIT_REQUIRE_TOOLS", "1");
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn missing_tool_skips_loudly() {
    let (ok, out) = run_child(false);
    assert!(ok, "{out}");
    assert!(out.contains("CHILD-SKIPPED"), "{out}");
    assert!(out.contains("SKIPPED: "), "{out}");
    assert!(
        out.contains(&format!("`{MISSING}` is not installed")),
        "{out}"
    );
    assert!(out.contains("bash scripts/test"), "{out}");
}

#[test]
fn missing_tool_fails_when_tools_are_required() {
    let (ok, out) = run_child(true);
    assert!(!ok, "{out}");
    assert!(!out.contains("CHILD-SKIPPED"), "{out}");
    assert!(
        out.contains(&format!("`{MISSING}` is not installed")),
        "{out}"
    );
    assert!(out.contains("bash scripts/test"), "{out}");
    assert!(
        out.contains("python3 -m venv .venv && .venv/bin/pip install -r requirements-test.txt"),
        "{out}"
    );
}

#[test]
fn installed_tools_are_found() {
    // `sh` is on every machine this runs on.
    assert!(dr_testkit::find_tool("sh").is_some());
    assert!(dr_testkit::require_tool("sh").is_some());
}
