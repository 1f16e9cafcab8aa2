//! drkit's typed AWS resources and constructs.
//!
//! - [`l1`]: one struct per CloudFormation resource type, generated from the resource
//!   provider schemas (a misspelt property does not compile).
//! - L2 constructs, single-Region, with secure defaults matching the seed's Table 1.1:
//!   [`Vpc`], [`Ec2Fleet`], [`Alb`], [`EksCluster`], [`RdsCluster`] (and [`GlobalDatabase`],
//!   the building block of an Aurora global database). Each takes a [`dr_core::Scope`], an id
//!   and a props struct whose fields document their defaults, reports bad input as
//!   diagnostics naming the fix, exposes its attributes as typed [`dr_core::Token`]s, and
//!   records its Table 1.1 row under the `drkit:summary` metadata key.
//! - [`validate`]: the validators, also for `DrPair` (CIDR overlap, global-database classes).

// L1 structs follow their resource schemas and gain fields when a schema does; constructs
// keep `..Default::default()` even where every field is set today, so a regenerated L1
// never breaks them.
#![allow(clippy::needless_update)]

pub mod l1;

mod alb;
mod common;
mod ec2_fleet;
mod eks;
mod rds;
pub mod validate;
mod vpc;

pub use alb::{Alb, AlbProps, DEFAULT_SSL_POLICY, ProtocolVersion};
pub use common::{SUMMARY_KEY, SummaryRow};
pub use dr_core::facts::rds::AuroraEngine;
pub use ec2_fleet::{
    AL2023_ARM64_SSM, AL2023_X86_64_SSM, Ami, Ec2Fleet, Ec2FleetProps, FleetTarget, InstanceRole,
    KeyPair,
};
pub use eks::{DEFAULT_KUBERNETES_VERSION, EksCluster, EksClusterProps, NODE_ROLE_POLICIES};
pub use rds::{
    GlobalDatabase, GlobalDatabaseProps, GlobalMembership, GlobalRole,
    PASSWORD_EXCLUDED_CHARACTERS, RdsCluster, RdsClusterProps,
};
pub use vpc::{NatGateways, Subnet, Vpc, VpcProps};
pub mod dns;
pub mod dr_pair;
pub mod peering;
pub use dns::{
    AlbEndpoint, FailoverDns, FailoverDnsProps, HostedZoneRef, PrivateZone, TrafficSwitchProps,
    ZoneVpcRef,
};
pub use dr_pair::{
    DatabaseProps, DbConnection, DrPair, DrPairProps, PARITY_EXEMPT_KEY, Site, SiteRole, SiteScope,
};
pub use peering::{PeerVpc, VpcPeering};
