//! drkit's typed AWS resources and constructs.
//!
//! - [`l1`]: one struct per CloudFormation resource type, generated from the resource
//!   provider schemas (a misspelt property does not compile).
//! - L2 constructs, single-Region, with secure defaults:
//!   [`Vpc`], [`Ec2Fleet`], [`Alb`] (its access logs in an [`AccessLogBucket`]),
//!   [`EksCluster`], [`RdsCluster`] (and [`GlobalDatabase`], the building block of an Aurora
//!   global database). Each takes a [`dr_core::Scope`], an id
//!   and a props struct built with its builder (`VpcProps::builder().cidr(…).build()`; a
//!   required setter left out does not compile), whose fields document their defaults
//!   (`Default: …`, most of them named constants such as [`DEFAULT_INSTANCE_TYPE`]), reports bad input as
//!   diagnostics naming the fix, exposes its attributes as typed [`dr_core::Token`]s, and
//!   records its "Servers and Clusters" summary row under the `drkit:summary` metadata key.
//! - [`validate`]: the validators, also for `DrPair` (CIDR overlap, global-database classes).

// L1 structs follow their resource schemas and gain fields when a schema does; constructs
// keep `..Default::default()` even where every field is set today, so a regenerated L1
// never breaks them.
#![allow(clippy::needless_update)]

pub mod l1;

mod access_logs;
mod alb;
mod common;
mod ec2_fleet;
mod eks;
mod rds;
pub mod user_data;
pub mod validate;
mod vpc;

pub use access_logs::{
    ACCESS_LOG_ABORT_UPLOAD_DAYS, ACCESS_LOG_BUCKET_METADATA, ACCESS_LOG_NONCURRENT_DAYS,
    AccessLogBucket, AccessLogBucketProps, AccessLogBucketPropsBuilder, AccessLogs,
    DEFAULT_ACCESS_LOG_RETENTION_DAYS, MAX_ACCESS_LOG_RETENTION_DAYS,
};
pub use alb::{
    Alb, AlbProps, AlbPropsBuilder, DEFAULT_HEALTH_CHECK_PATH, DEFAULT_SSL_POLICY,
    GRPC_HEALTH_CHECK_PATH, LEGACY_TLS_POLICIES, MAX_HEALTH_CHECK_PATH_LEN, ProtocolVersion,
    SSL_POLICIES,
};
pub use common::{SUMMARY_KEY, SummaryRow};
pub use dr_core::facts::rds::AuroraEngine;
pub use ec2_fleet::{
    AL2023_ARM64_SSM, AL2023_X86_64_SSM, Ami, DEFAULT_APP_PORT, DEFAULT_FLEET_SIZE,
    DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECS, DEFAULT_INSTANCE_TYPE, DEFAULT_ROOT_VOLUME_GIB,
    Ec2Fleet, Ec2FleetProps, Ec2FleetPropsBuilder, FleetHealthCheck, FleetTarget,
    FleetUpdatePolicy, InstanceRole, KeyPair, MAX_ROLLING_PAUSE_SECS, MAX_USER_DATA_BYTES,
    ROLLING_UPDATE_SUSPENDED_PROCESSES,
};
pub use eks::{
    DEFAULT_KUBERNETES_VERSION, DEFAULT_LOG_TYPES, DEFAULT_NODE_AMI_TYPE, DEFAULT_NODE_COUNT,
    DEFAULT_NODE_INSTANCE_TYPE, EksCluster, EksClusterProps, EksClusterPropsBuilder,
    NODE_ROLE_POLICIES, SecretsEncryption,
};
pub use rds::{
    AUDIT_EVENTS, DEFAULT_BACKUP_RETENTION_DAYS, DEFAULT_DB_INSTANCE_CLASS, DEFAULT_DB_INSTANCES,
    DEFAULT_MASTER_USERNAME, DEFAULT_MONITORING_INTERVAL_SECS, DatabaseInsights,
    ENHANCED_MONITORING_POLICY, GlobalDatabase, GlobalDatabaseProps, GlobalDatabasePropsBuilder,
    GlobalMembership, GlobalRole, MYSQL_DEFAULT_LOG_EXPORTS, PASSWORD_EXCLUDED_CHARACTERS,
    POSTGRESQL_DEFAULT_LOG_EXPORTS, RdsCluster, RdsClusterProps, RdsClusterPropsBuilder,
    SecretReplica, default_log_exports,
};
pub use vpc::{
    DEFAULT_AZ_COUNT, DEFAULT_VPC_CIDR, NatGateways, Subnet, Vpc, VpcProps, VpcPropsBuilder,
};
pub mod dns;
pub mod dr_pair;
pub mod notifications;
pub mod peering;
pub use dns::{
    AlbEndpoint, FailoverDns, FailoverDnsProps, HostedZoneRef, PrivateZone, TrafficSwitchProps,
    ZoneVpcRef,
};
pub use dr_pair::{
    APP_SECRET_LENGTH, AppSecret, DEFAULT_DB_CNAME_TTL_SECS, DatabaseProps, DbConnection, DrPair,
    DrPairProps, PARITY_EXEMPT_KEY, Site, SiteRole, SiteScope,
};
pub use notifications::{AlarmTopic, AlarmTopicProps};
pub use peering::{PeerVpc, VpcPeering};
pub use user_data::UserData;
