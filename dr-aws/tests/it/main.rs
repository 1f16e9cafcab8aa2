//! dr-aws's integration tests as one test binary (the AWS SDK is linked once), one module per
//! file (see ARCHITECTURE.md, "Tests"): the SDK backend against moto, and the conformance suite
//! that runs the same checks against moto and the local simulator.

mod conformance;
mod moto;
mod moto_support;
