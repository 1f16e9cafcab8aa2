//! drkit synthesis: the construct tree becomes a cloud [`Assembly`] ([`synth()`]): one
//! CloudFormation template per stack and a `manifest.json` shaped like the AWS CDK cloud
//! assembly (stack artifacts, dependencies, the parameter wiring between stacks, the DR
//! topology), and per DR pair the operator's least-privilege IAM policy
//! ([`operator_policy()`]). Pure: it reads the tree and writes files, and never talks to a cloud.
//!
//! What reads an assembly: the deploy engine (`dr-deploy`) applies it through a `Cloud`
//! backend; the `drkit` binary operates a deployed pair from the assembly directory alone.

pub mod assembly;
pub mod operator_policy;
pub mod synth;

pub use assembly::{Assembly, ParameterWiring, StackArtifact, WiringSource};
pub use operator_policy::{operator_policy, operator_policy_file};
pub use synth::synth;
