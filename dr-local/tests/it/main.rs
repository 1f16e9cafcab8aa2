//! dr-local's integration tests as one test binary, one module per file (see ARCHITECTURE.md,
//! "Tests"): the simulator driven through the `Cloud` port as the engine drives it.

mod dr_services;
mod eval;
mod faults;
mod idempotency;
mod load_balancers;
mod port_reads;
mod provider_rules;
mod refusals;
mod retention;
mod stacks;
mod support;
mod traffic_switch;
