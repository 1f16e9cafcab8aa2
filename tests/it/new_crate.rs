//! A crate written by `drkit new` builds outside the workspace, as the README says: without
//! the `aws` feature it deploys to the simulator and refuses `--target aws` naming the fix;
//! with `--features aws` it builds too.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use drkit::cli::new::{DrkitSource, new_crate};

/// Runs `command`, failing the test (never skipping it) when it cannot start, e.g. without
/// cargo on the PATH.
fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

fn stdout_and_stderr(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_new_crate_builds_outside_the_workspace_with_and_without_aws() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
    // The workspace's own target directory: the dependencies its build compiled (the AWS SDK
    // above all) are reused, not rebuilt. A fixed crate directory keeps drkit's crates' build
    // hashes (which include their path relative to the crate) the same from run to run.
    let target = scratch.parent().expect("CARGO_TARGET_TMPDIR is target/tmp");
    let dir = scratch.join("drkit-new-infra");
    let _ = std::fs::remove_dir_all(&dir);
    let checkout = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let made = new_crate(&dir, None, &DrkitSource::Path(checkout.clone())).unwrap();
    assert_eq!(made.name, "drkit-new-infra");
    assert_eq!(
        std::fs::read_to_string(dir.join("Cargo.lock")).unwrap(),
        std::fs::read_to_string(checkout.join("Cargo.lock")).unwrap(),
        "the workspace's versions resolve, so nothing new is downloaded or built"
    );

    let build = |features: &[&str]| {
        let mut command = Command::new(&cargo);
        command
            .args(["build", "--quiet"])
            .args(features)
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", target);
        // What cargo sets for a test process, not for a shell: build scripts that watch these
        // (ring's watches CARGO_MANIFEST_DIR and CARGO_PKG_*, compared with cargo's own
        // environment) would otherwise rerun and rebuild the SDK above them.
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("CARGO_PKG_")
                || key.starts_with("CARGO_BIN_")
                || [
                    "CARGO_MANIFEST_DIR",
                    "CARGO_MANIFEST_PATH",
                    "CARGO_CRATE_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                    "CARGO_RUSTC_CURRENT_DIR",
                    "OUT_DIR",
                ]
                .contains(&key.as_ref())
            {
                command.env_remove(key.as_ref());
            }
        }
        let started = std::time::Instant::now();
        let out = run(&mut command);
        assert!(
            out.status.success(),
            "cargo build {features:?} failed\n{}",
            stdout_and_stderr(&out)
        );
        // In the CI log: the time this test adds.
        eprintln!("cargo build {features:?}: {:.1?}", started.elapsed());
    };
    let program = target.join("debug").join("drkit-new-infra");

    build(&[]);
    let work = tempfile::tempdir().unwrap();
    let assembly = work.path().join("drkit.out");
    let synth = run(Command::new(&program)
        .args(["synth", "--out"])
        .arg(&assembly)
        .current_dir(work.path()));
    assert!(synth.status.success(), "{}", stdout_and_stderr(&synth));
    for file in [
        "manifest.json",
        "DrkitNewInfra-Primary.template.json",
        "DrkitNewInfra-Secondary.template.json",
        "DrkitNewInfra-Global.template.json",
    ] {
        assert!(assembly.join(file).is_file(), "{file} is written");
    }
    // `cargo run` with no arguments deploys to the simulator and says what to do next.
    let deploy = run(Command::new(&program).current_dir(work.path()));
    let text = stdout_and_stderr(&deploy);
    assert!(deploy.status.success(), "{text}");
    assert!(
        text.contains("\nApp:            http://app.example.com\n"),
        "{text}"
    );
    assert!(text.contains("\nNext:\n"), "{text}");
    assert!(work.path().join(".drkit/local-state.json").is_file());

    let refused = run(Command::new(&program)
        .args(["deploy", "--target", "aws"])
        .current_dir(work.path()));
    let text = stdout_and_stderr(&refused);
    assert!(!refused.status.success(), "{text}");
    assert!(
        text.contains("built without drkit's `aws` feature")
            && text.contains("features = [\"aws\"]"),
        "{text}"
    );

    build(&["--features", "aws"]);
    let explain = run(Command::new(&program).args(["explain", "DRK-TREE-001"]));
    assert!(explain.status.success(), "{}", stdout_and_stderr(&explain));
}
