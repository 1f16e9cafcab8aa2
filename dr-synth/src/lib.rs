//! drkit synthesis and deployment: the construct tree becomes a cloud assembly
//! ([`synth::synth`]), which the deploy engine applies through a `Cloud` backend: `aws` (the
//! AWS SDK, default-on feature) or `local` (the embedded simulator).

pub mod assembly;
#[cfg(feature = "aws")]
pub mod aws;
pub mod deploy;
pub mod local;
pub mod synth;

pub use assembly::{Assembly, ParameterWiring, StackArtifact, WiringSource};
pub use deploy::{
    DeployOptions, DeploySummary, DestroyOptions, DestroySummary, deploy, destroy, diff,
};
pub use synth::synth;
