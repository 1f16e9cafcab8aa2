//! dr-deploy's integration tests as one test binary, one module per file (see ARCHITECTURE.md,
//! "Tests"): the engine against a scripted fake `Cloud` and against the local simulator.

mod aws_behaviour;
mod diff_large;
mod engine;
mod fake_cloud;
mod guards;
mod load_balancers;
mod on_local;
mod outages;
