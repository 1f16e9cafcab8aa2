//! dr-testkit's integration tests as one test binary, one module per file (see ARCHITECTURE.md,
//! "Tests").

mod cfn_lint;
mod moto;
mod require_tool;
