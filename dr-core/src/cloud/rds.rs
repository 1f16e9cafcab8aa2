//! RDS: Aurora global databases and their member clusters.

use serde::{Deserialize, Serialize};

use super::time::Timestamp;

string_enum! {
    /// `GlobalClusterMember.SynchronizationStatus`.
    SynchronizationStatus {
        /// Replicating.
        Connected => "connected",
        /// Being resynchronized. AWS lists the value without documenting its meaning
        /// ("GlobalClusterMember",
        /// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html>).
        PendingResync => "pending-resync",
    }
}

string_enum! {
    /// `FailoverState.Status`. `switching-over` is documented ("FailoverState",
    /// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html>) but
    /// missing from the SDK enums (e.g. "FailoverStatus" in the AWS SDK for Python reference,
    /// <https://docs.aws.amazon.com/sdk-for-python/v4/reference/clients/rds/enums/FailoverStatus/>);
    /// here it is a known value.
    FailoverStatus {
        /// Scheduled.
        Pending => "pending",
        /// Unplanned failover running.
        FailingOver => "failing-over",
        /// Switchover running.
        SwitchingOver => "switching-over",
        /// Being cancelled.
        Cancelling => "cancelling",
    }
}

/// `GlobalCluster.FailoverState`: present only while a switchover or failover is scheduled or
/// running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailoverState {
    /// The state.
    pub status: FailoverStatus,
    /// The cluster being demoted.
    pub from_db_cluster_arn: Option<String>,
    /// The cluster being promoted.
    pub to_db_cluster_arn: Option<String>,
    /// True for a failover with `AllowDataLoss`, false for a switchover.
    pub is_data_loss_allowed: bool,
}

/// A member of a global cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalClusterMember {
    /// The member cluster's ARN (it carries its Region).
    pub db_cluster_arn: String,
    /// The one read-write member.
    pub is_writer: bool,
    /// On the writer: the ARNs of the secondaries.
    pub readers: Vec<String>,
    /// Replication state of a secondary.
    pub synchronization_status: Option<SynchronizationStatus>,
}

/// What `DescribeGlobalClusters` says about one global cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalCluster {
    /// `GlobalClusterIdentifier`.
    pub identifier: String,
    /// Its ARN (no Region: `arn:aws:rds::<acct>:global-cluster:<id>`).
    pub arn: String,
    /// A free string (`available`, `switching-over`, `failing-over`, …): no API enum.
    pub status: String,
    /// The engine.
    pub engine: Option<String>,
    /// The engine version.
    pub engine_version: Option<String>,
    /// The global writer endpoint (`Endpoint`): follows the writer across switchover/failover.
    pub endpoint: Option<String>,
    /// The members.
    pub members: Vec<GlobalClusterMember>,
    /// Set while a switchover or failover is scheduled or running.
    pub failover_state: Option<FailoverState>,
    /// `DeletionProtection`.
    pub deletion_protection: bool,
}

impl GlobalCluster {
    /// The writer member.
    pub fn writer(&self) -> Option<&GlobalClusterMember> {
        self.members.iter().find(|m| m.is_writer)
    }
}

/// An instance of a DB cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbClusterMember {
    /// `DBInstanceIdentifier`.
    pub instance_identifier: String,
    /// The writer instance.
    pub is_writer: bool,
}

/// What `DescribeDBClusters` says about one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbCluster {
    /// `DBClusterIdentifier`.
    pub identifier: String,
    /// Its ARN.
    pub arn: String,
    /// `Status` (`available`, `creating`, …).
    pub status: String,
    /// The engine.
    pub engine: String,
    /// The engine version.
    pub engine_version: String,
    /// The cluster (writer) endpoint.
    pub endpoint: Option<String>,
    /// The reader endpoint.
    pub reader_endpoint: Option<String>,
    /// The global cluster it belongs to, if any.
    pub global_cluster_identifier: Option<String>,
    /// `DeletionProtection`.
    pub deletion_protection: bool,
    /// Its instances.
    pub members: Vec<DbClusterMember>,
}

/// One RDS event as `DescribeEvents` reports it ("Event", Amazon RDS API Reference,
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_Event.html>). The event's
/// `RDS-EVENT-nnnn` id is not part of the API's answer; the message is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RdsEvent {
    /// `SourceIdentifier`: the cluster (or instance, snapshot, ...) the event is about.
    pub source_identifier: String,
    /// `SourceType`: `db-cluster`, `db-instance`, `db-cluster-snapshot`, ...
    pub source_type: String,
    /// `Message`, e.g. "Global switchover to DB cluster ... started."
    pub message: String,
    /// `Date`.
    pub date: Timestamp,
    /// `EventCategories`, e.g. `global failover`.
    pub event_categories: Vec<String>,
    /// `SourceArn`.
    pub source_arn: Option<String>,
}

/// One DB cluster snapshot as `DescribeDBClusterSnapshots` reports it ("DBClusterSnapshot",
/// Amazon RDS API Reference,
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBClusterSnapshot.html>).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbClusterSnapshot {
    /// `DBClusterSnapshotIdentifier`, e.g. `rds:unplanned-global-failover-...`.
    pub identifier: String,
    /// `DBClusterSnapshotArn`.
    pub arn: Option<String>,
    /// `DBClusterIdentifier`: the cluster the snapshot was taken of.
    pub db_cluster_identifier: String,
    /// `SnapshotType`: `automated`, `manual`, ...
    pub snapshot_type: String,
    /// `Status`: `creating`, `available`, ...
    pub status: String,
    /// `SnapshotCreateTime`.
    pub created: Option<Timestamp>,
}
