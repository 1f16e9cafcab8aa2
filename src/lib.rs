//! drkit: declare a two-region AWS disaster-recovery setup as typed constructs, synthesize
//! CloudFormation for both Regions, deploy it, and operate the pair.
//!
//! This facade re-exports the workspace crates, one per concern, and adds the command line:
//! - [`core`] (`dr-core`): construct tree, tokens, template model, diagnostics, facts, and the
//!   `Cloud` port every backend implements;
//! - [`constructs`] (`dr-aws-constructs`): typed AWS resources and constructs, `DrPair`;
//! - [`synth`] (`dr-synth`): synthesis of the tree into a cloud assembly;
//! - [`deploy`] (`dr-deploy`): the deploy engine, diff and destroy, on any `Cloud` backend;
//! - [`local`] (`dr-local`): the embedded simulator backend (the default target);
//! - `aws` (`dr-aws`, with the `aws` feature): the AWS SDK backend;
//! - [`cli`]: `drkit::cli::run(app)` turns a program that builds an [`App`](core::App) into
//!   the tool.

pub mod cli;

#[cfg(feature = "aws")]
pub use dr_aws as aws;
pub use dr_aws_constructs as constructs;
pub use dr_core as core;
pub use dr_deploy as deploy;
pub use dr_local as local;
pub use dr_synth as synth;

/// The names a program that declares infrastructure needs.
pub mod prelude {
    pub use dr_core::{
        App, CfnResource, Expr, Lookup, LookupKind, Output, Parameter, Pseudo, Region, Scope,
        Stack, StackProps, Token, Val,
    };
}
