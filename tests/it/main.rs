//! drkit's own integration tests as one test binary (one link of the AWS SDK, not one per
//! file): the example app synthesized and snapshotted, and the command line driven as a user
//! would.

mod bootstrap;
mod cli;
mod deploy_timeline;
mod failover;
mod layout;
mod many_pairs_example;
mod new_crate;
mod operator_policy;
mod policy;
mod runtime_cli;
mod traffic_switch;
mod two_region_example;

/// The example app itself, so the tests build exactly what `cargo run --example two_region`
/// deploys.
#[allow(dead_code)]
#[path = "../../examples/two_region.rs"]
mod two_region;

/// The app of N copies of the example's pair that the benchmarks measure. It includes
/// `two_region.rs` itself, as an example must stand alone: the file is a module twice here.
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../../examples/many_pairs.rs"]
mod many_pairs;

/// Deploys `assembly` to a new simulator whose state lives in a temporary directory, returned
/// with the summary so the state outlives the call; the deploy must succeed.
fn deploy_on_simulator(
    assembly: &drkit::synth::Assembly,
) -> (tempfile::TempDir, drkit::deploy::DeploySummary) {
    use drkit::core::cloud::Cloud;
    let dir = tempfile::tempdir().unwrap();
    let cloud = drkit::local::LocalCloud::open(dir.path().join("state.json")).unwrap();
    assert!(cloud.is_simulated());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let summary = rt.block_on(drkit::deploy::deploy(
        &cloud,
        assembly,
        &drkit::deploy::DeployOptions::default(),
        &drkit::deploy::NullObserver,
    ));
    assert!(summary.is_success(), "{summary}");
    (dir, summary)
}
