//! The crate layout's invariants (ARCHITECTURE.md, "Invariants"), read from `cargo metadata`:
//! dependencies point one way, and only `dr-aws` links the AWS SDK.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// `cargo metadata` of the workspace's own packages.
fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// The features `package` declares, as `cargo metadata` lists them.
fn features(package: &str) -> Value {
    metadata()["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == package)
        .map(|p| p["features"].clone())
        .unwrap_or_else(|| panic!("no package {package}"))
}

/// Each workspace package's normal (non-dev, non-build) dependencies, by package name, each
/// with whether it is optional (behind a feature).
fn normal_dependencies() -> BTreeMap<String, BTreeMap<String, bool>> {
    metadata()["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| {
                    let name = d["name"].as_str().expect("name").to_string();
                    (name, d["optional"].as_bool().unwrap_or(false))
                })
                .collect();
            (p["name"].as_str().expect("name").to_string(), deps)
        })
        .collect()
}

#[test]
fn only_dr_aws_links_the_aws_sdk() {
    let deps = normal_dependencies();
    assert!(deps.len() >= 8, "every workspace crate is listed: {deps:?}");
    for (package, deps) in &deps {
        let sdk: Vec<_> = deps
            .keys()
            .filter(|d| d.starts_with("aws-sdk-") || d.starts_with("aws-config"))
            .collect();
        match package.as_str() {
            "dr-aws" => assert!(!sdk.is_empty(), "dr-aws is the SDK backend"),
            _ => assert!(sdk.is_empty(), "{package} depends on the AWS SDK: {sdk:?}"),
        }
    }
    assert_eq!(
        deps["drkit"].get("dr-aws"),
        Some(&true),
        "the facade reaches the SDK backend only through its `aws` feature"
    );
    let features = features("drkit");
    assert_eq!(
        features["default"],
        serde_json::json!([]),
        "`aws` is opt-in: a program that deploys to the simulator never compiles the SDK"
    );
    assert_eq!(features["aws"], serde_json::json!(["dep:dr-aws"]));
}

#[test]
fn dependencies_point_one_way() {
    let deps = normal_dependencies();
    let ours = |p: &str| -> BTreeSet<&str> {
        deps[p]
            .keys()
            .map(String::as_str)
            .filter(|d| d.starts_with("dr-") || *d == "drkit")
            .collect()
    };
    let set = |names: &[&'static str]| names.iter().copied().collect::<BTreeSet<_>>();
    assert_eq!(
        ours("dr-core"),
        set(&[]),
        "dr-core depends on no drkit crate"
    );
    assert_eq!(ours("dr-aws-constructs"), set(&["dr-core"]));
    assert_eq!(ours("dr-synth"), set(&["dr-core"]));
    assert_eq!(
        ours("dr-deploy"),
        set(&["dr-core", "dr-synth"]),
        "the engine never depends on a backend"
    );
    assert_eq!(ours("dr-local"), set(&["dr-core"]));
    assert_eq!(ours("dr-aws"), set(&["dr-core"]));
    for test_only in ["dr-testkit", "dr-codegen"] {
        assert!(
            deps.iter()
                .all(|(p, d)| p == test_only || !d.contains_key(test_only)),
            "{test_only} is never a normal dependency"
        );
    }
}
