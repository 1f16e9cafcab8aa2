//! drkit: declare a two-region AWS disaster-recovery setup as typed constructs, synthesize
//! CloudFormation for both Regions, deploy it, and operate the pair.
//!
//! This facade re-exports the workspace crates and adds the command line:
//! - [`core`] (`dr-core`): construct tree, tokens, template model, diagnostics, facts;
//! - [`constructs`] (`dr-aws-constructs`): typed AWS resources and constructs;
//! - [`synth`] (`dr-synth`): synthesis, the deploy engine and the Cloud backends;
//! - [`cli`]: `drkit::cli::run(app)` turns a program that builds an [`App`](core::App) into
//!   the tool.

pub mod cli;

pub use dr_aws_constructs as constructs;
pub use dr_core as core;
pub use dr_synth as synth;

/// The names a program that declares infrastructure needs.
pub mod prelude {
    pub use dr_core::{
        App, CfnResource, Expr, Lookup, LookupKind, Output, Parameter, Pseudo, Region, Scope,
        Stack, StackProps, Token, Val,
    };
}
