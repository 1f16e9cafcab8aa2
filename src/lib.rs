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

// Every ```rust block of the README is compiled as a doc test, so the tour stays true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

#[cfg(feature = "aws")]
pub use dr_aws as aws;
pub use dr_aws_constructs as constructs;
pub use dr_core as core;
pub use dr_deploy as deploy;
pub use dr_local as local;
pub use dr_synth as synth;

/// The names a program that declares infrastructure needs: `use drkit::prelude::*;` brings the
/// construct tree and tokens, and every L2 construct with its props and the types its props
/// take. The named defaults (`DEFAULT_…`) and the generated L1 resource structs stay in
/// [`constructs`] and [`constructs::l1`].
pub mod prelude {
    pub use dr_aws_constructs::{
        AccessLogBucket, AccessLogBucketProps, AccessLogs, Alb, AlbEndpoint, AlbProps, Ami,
        AppSecret, AuroraEngine, DatabaseProps, DbConnection, DrPair, DrPairProps, Ec2Fleet,
        Ec2FleetProps, EksCluster, EksClusterProps, FailoverDns, FailoverDnsProps,
        FleetHealthCheck, FleetTarget, FleetUpdatePolicy, GlobalDatabase, GlobalDatabaseProps,
        GlobalMembership, GlobalRole, HostedZoneRef, InstanceRole, KeyPair, NatGateways, PeerVpc,
        PrivateZone, ProtocolVersion, RdsCluster, RdsClusterProps, SecretsEncryption, Site,
        SiteRole, SiteScope, Subnet, TrafficSwitchProps, UserData, Vpc, VpcPeering, VpcProps,
        ZoneVpcRef,
    };
    pub use dr_core::{
        App, CfnResource, Expr, Lookup, LookupKind, Output, Parameter, Pseudo, Region, Scope,
        Stack, StackProps, Token, Val,
    };
}
