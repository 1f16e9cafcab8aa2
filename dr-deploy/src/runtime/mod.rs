//! The DR runtime: `status`, `failover`, `failback` and `drill` of a [`DrPair`]'s deployment,
//! from an assembly (its manifest's `drTopology`) and what is deployed, through the `Cloud`
//! port. Which Region is active is always read from AWS: the writer of the Aurora global
//! cluster, the traffic switch, Route 53's view.
//!
//! - [`topology`]: the pair as the manifest records it, and the resolution of its elements to
//!   physical ids that works from the DR Region alone.
//! - [`status`](mod@status): the reads, what disagrees, and the standby site's readiness.
//! - [`run`]: the failover/failback routine; every step reads the state first and does only
//!   what is left.
//! - [`report`]: what a run did, saved as JSON under `runs/` in the assembly directory.
//! - [`drill`](mod@drill): a game day, with an outage injected where the backend can.
//!
//! [`DrPair`]: https://docs.rs/dr-aws-constructs

pub mod drill;
pub mod report;
pub mod run;
pub mod status;
pub mod topology;

use dr_core::cloud::CloudError;

pub use drill::{Chaos, DrillEvent, DrillOptions, DrillReport, drill};
pub use report::{
    ApiCall, Mode, Outcome, Plane, RunKind, RunReport, StepKind, StepReport, StepResult, load_runs,
};
pub use run::{
    Confirmation, FailoverOptions, NullRunObserver, RunObserver, failback, failover, move_writer,
};
pub use status::{PairStatus, StatusOptions, status};
pub use topology::{PairTopology, Role};

/// Why the runtime could not start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuntimeError {
    /// The manifest's topology is missing or unusable.
    #[error("{0}")]
    Topology(String),
    /// Something the topology names is not deployed.
    #[error("{0}")]
    NotDeployed(String),
    /// A call failed.
    #[error(transparent)]
    Cloud(#[from] CloudError),
}
