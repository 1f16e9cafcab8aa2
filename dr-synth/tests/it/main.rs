//! dr-synth's integration tests as one test binary, one module per file (see ARCHITECTURE.md,
//! "Tests").

mod provider_rules;
mod synth;
