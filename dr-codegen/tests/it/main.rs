//! dr-codegen's integration tests as one test binary, one module per file (see ARCHITECTURE.md,
//! "Tests").

mod attributes_vs_cfn_lint;
mod up_to_date;
