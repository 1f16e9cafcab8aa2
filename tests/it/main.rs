//! drkit's own integration tests as one test binary (one link of the AWS SDK, not one per
//! file): the example app synthesized and snapshotted, and the command line driven as a user
//! would.

mod bootstrap;
mod cli;
mod layout;
mod many_pairs_example;
mod new_crate;
mod policy;
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
