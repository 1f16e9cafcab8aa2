//! drkit synthesis and deployment: the construct tree becomes a cloud assembly
//! ([`synth::synth`]), which the deploy engine applies through a `Cloud` backend: `aws` (the
//! AWS SDK, default-on feature) or `local` (the embedded simulator).

pub mod assembly;
pub mod synth;

pub use assembly::{Assembly, ParameterWiring, StackArtifact, WiringSource};
pub use synth::synth;
