//! RDS: Aurora global and regional clusters, as the RDS API Reference documents them (e.g.
//! "SwitchoverGlobalCluster",
//! <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html>).

use aws_sdk_rds::types as sdk;
use dr_core::Region;
use dr_core::cloud::{
    CloudError, CloudResult, DbCluster, DbClusterMember, DbClusterSnapshot, FailoverState,
    FailoverStatus, GlobalCluster, GlobalClusterMember, RdsEvent, SynchronizationStatus, Timestamp,
};

use super::Clients;
use super::convert::{next_page, required, s, to_datetime, ts};

/// The port's [`GlobalCluster`] from the SDK's.
///
/// `FailoverState.Status` is read by its string: the SDK enum lacks the documented
/// `switching-over` ("FailoverState",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html>),
/// which arrives as the enum's unknown variant, whose `as_str` is the value AWS sent.
pub(crate) fn global_cluster(op: &str, g: &sdk::GlobalCluster) -> CloudResult<GlobalCluster> {
    Ok(GlobalCluster {
        identifier: required(op, "GlobalClusterIdentifier", g.global_cluster_identifier())?,
        arn: g.global_cluster_arn().unwrap_or_default().to_string(),
        status: g.status().unwrap_or_default().to_string(),
        engine: s(g.engine()),
        engine_version: s(g.engine_version()),
        endpoint: s(g.endpoint()),
        members: g
            .global_cluster_members()
            .iter()
            .map(|m| GlobalClusterMember {
                db_cluster_arn: m.db_cluster_arn().unwrap_or_default().to_string(),
                is_writer: m.is_writer().unwrap_or(false),
                readers: m.readers().to_vec(),
                synchronization_status: m
                    .synchronization_status()
                    .map(|x| SynchronizationStatus::from_aws(x.as_str())),
            })
            .collect(),
        failover_state: g.failover_state().and_then(|f| {
            // An empty FailoverState element means none is scheduled (FailoverState docs:
            // "empty unless a switchover or failover is scheduled or running").
            let status = f.status()?;
            Some(FailoverState {
                status: FailoverStatus::from_aws(status.as_str()),
                from_db_cluster_arn: s(f.from_db_cluster_arn()),
                to_db_cluster_arn: s(f.to_db_cluster_arn()),
                is_data_loss_allowed: f.is_data_loss_allowed().unwrap_or(false),
            })
        }),
        deletion_protection: g.deletion_protection().unwrap_or(false),
    })
}

fn db_cluster(op: &str, c: &sdk::DbCluster) -> CloudResult<DbCluster> {
    Ok(DbCluster {
        identifier: required(op, "DBClusterIdentifier", c.db_cluster_identifier())?,
        arn: c.db_cluster_arn().unwrap_or_default().to_string(),
        status: c.status().unwrap_or_default().to_string(),
        engine: c.engine().unwrap_or_default().to_string(),
        engine_version: c.engine_version().unwrap_or_default().to_string(),
        endpoint: s(c.endpoint()),
        reader_endpoint: s(c.reader_endpoint()),
        global_cluster_identifier: s(c.global_cluster_identifier()),
        deletion_protection: c.deletion_protection().unwrap_or(false),
        members: c
            .db_cluster_members()
            .iter()
            .map(|m| DbClusterMember {
                instance_identifier: m.db_instance_identifier().unwrap_or_default().to_string(),
                is_writer: m.is_cluster_writer().unwrap_or(false),
            })
            .collect(),
    })
}

fn missing(op: &str, what: &str) -> CloudError {
    CloudError::other(op, format!("the answer has no {what}"))
}

/// The global cluster an RDS call answers with; its absence is an error naming the call.
fn returned_global_cluster(op: &str, g: Option<&sdk::GlobalCluster>) -> CloudResult<GlobalCluster> {
    global_cluster(op, g.ok_or_else(|| missing(op, "GlobalCluster"))?)
}

/// `DescribeGlobalClusters` for one id.
pub(crate) async fn describe_global_cluster(
    c: &Clients,
    region: Region,
    id: &str,
) -> CloudResult<Option<GlobalCluster>> {
    const OP: &str = "DescribeGlobalClusters";
    let res = format!("global cluster {id}");
    let call = c.call(OP, region, &res);
    match c
        .rds
        .describe_global_clusters()
        .global_cluster_identifier(id)
        .send()
        .await
    {
        Ok(out) => out
            .global_clusters()
            .first()
            .map(|g| global_cluster(OP, g))
            .transpose(),
        Err(e) => call.absent(e),
    }
}

/// `DescribeDBClusters` for one id.
pub(crate) async fn describe_db_cluster(
    c: &Clients,
    region: Region,
    id: &str,
) -> CloudResult<Option<DbCluster>> {
    const OP: &str = "DescribeDBClusters";
    let res = format!("DB cluster {id}");
    let call = c.call(OP, region, &res);
    match c
        .rds
        .describe_db_clusters()
        .db_cluster_identifier(id)
        .send()
        .await
    {
        Ok(out) => out
            .db_clusters()
            .first()
            .map(|d| db_cluster(OP, d))
            .transpose(),
        Err(e) => call.absent(e),
    }
}

/// `DescribeDBClusters`, all pages.
pub(crate) async fn describe_db_clusters(
    c: &Clients,
    region: Region,
) -> CloudResult<Vec<DbCluster>> {
    const OP: &str = "DescribeDBClusters";
    let call = c.call(OP, region, "DB clusters");
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let out = c
            .rds
            .describe_db_clusters()
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(|e| call.map(e))?;
        for d in out.db_clusters() {
            all.push(db_cluster(OP, d)?);
        }
        marker = next_page(OP, marker.as_deref(), out.marker())?;
        if marker.is_none() {
            return Ok(all);
        }
    }
}

/// `SwitchoverGlobalCluster`.
pub(crate) async fn switchover_global_cluster(
    c: &Clients,
    region: Region,
    id: &str,
    target_db_cluster_arn: &str,
) -> CloudResult<GlobalCluster> {
    const OP: &str = "SwitchoverGlobalCluster";
    let res = format!("global cluster {id}");
    let call = c.call(OP, region, &res);
    let out = c
        .rds
        .switchover_global_cluster()
        .global_cluster_identifier(id)
        .target_db_cluster_identifier(target_db_cluster_arn)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    returned_global_cluster(OP, out.global_cluster())
}

/// `FailoverGlobalCluster`. `AllowDataLoss` is sent only when true: with neither it nor
/// `Switchover` the call is a switchover, and the two flags are mutually exclusive
/// ("FailoverGlobalCluster",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html>).
pub(crate) async fn failover_global_cluster(
    c: &Clients,
    region: Region,
    id: &str,
    target_db_cluster_arn: &str,
    allow_data_loss: bool,
) -> CloudResult<GlobalCluster> {
    const OP: &str = "FailoverGlobalCluster";
    let res = format!("global cluster {id}");
    let call = c.call(OP, region, &res);
    let out = c
        .rds
        .failover_global_cluster()
        .global_cluster_identifier(id)
        .target_db_cluster_identifier(target_db_cluster_arn)
        .set_allow_data_loss(allow_data_loss.then_some(true))
        .send()
        .await
        .map_err(|e| call.map(e))?;
    returned_global_cluster(OP, out.global_cluster())
}

/// `ModifyDBCluster` with only `DeletionProtection`, applied immediately.
pub(crate) async fn modify_db_cluster_deletion_protection(
    c: &Clients,
    region: Region,
    id: &str,
    enabled: bool,
) -> CloudResult<DbCluster> {
    const OP: &str = "ModifyDBCluster";
    let res = format!("DB cluster {id}");
    let call = c.call(OP, region, &res);
    let out = c
        .rds
        .modify_db_cluster()
        .db_cluster_identifier(id)
        .deletion_protection(enabled)
        .apply_immediately(true)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    db_cluster(
        OP,
        out.db_cluster().ok_or_else(|| missing(OP, "DBCluster"))?,
    )
}

/// `ModifyGlobalCluster` with only `DeletionProtection`. Unlike `ModifyDBCluster` the API has
/// no `ApplyImmediately` parameter to send.
pub(crate) async fn modify_global_cluster_deletion_protection(
    c: &Clients,
    region: Region,
    id: &str,
    enabled: bool,
) -> CloudResult<GlobalCluster> {
    const OP: &str = "ModifyGlobalCluster";
    let res = format!("global cluster {id}");
    let call = c.call(OP, region, &res);
    let out = c
        .rds
        .modify_global_cluster()
        .global_cluster_identifier(id)
        .deletion_protection(enabled)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    returned_global_cluster(OP, out.global_cluster())
}

/// `RemoveFromGlobalCluster`.
pub(crate) async fn remove_from_global_cluster(
    c: &Clients,
    region: Region,
    id: &str,
    db_cluster_arn: &str,
) -> CloudResult<GlobalCluster> {
    const OP: &str = "RemoveFromGlobalCluster";
    let res = format!("global cluster {id}");
    let call = c.call(OP, region, &res);
    let out = c
        .rds
        .remove_from_global_cluster()
        .global_cluster_identifier(id)
        .db_cluster_identifier(db_cluster_arn)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    returned_global_cluster(OP, out.global_cluster())
}

/// The port's [`RdsEvent`] from the SDK's.
fn rds_event(e: &sdk::Event) -> RdsEvent {
    RdsEvent {
        source_identifier: e.source_identifier().unwrap_or_default().to_string(),
        source_type: e
            .source_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        message: e.message().unwrap_or_default().to_string(),
        date: e.date().map(ts).unwrap_or_default(),
        event_categories: e.event_categories().to_vec(),
        source_arn: s(e.source_arn()),
    }
}

/// `DescribeEvents` with `SourceType=db-cluster` for one cluster since `start`, all pages
/// (`Marker`), oldest first ("DescribeEvents",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeEvents.html>). The
/// API states no order: the events are sorted by `Date`, stably.
/// Whose events `DescribeEvents` reads.
pub(crate) enum EventSource<'a> {
    /// A DB cluster's (`SourceType=db-cluster`).
    Cluster(&'a str),
    /// A DB instance's (`SourceType=db-instance`).
    Instance(&'a str),
}

pub(crate) async fn describe_events(
    c: &Clients,
    region: Region,
    source: EventSource<'_>,
    start: Timestamp,
) -> CloudResult<Vec<RdsEvent>> {
    const OP: &str = "DescribeEvents";
    let (id, source_type, res) = match source {
        EventSource::Cluster(id) => (id, sdk::SourceType::DbCluster, format!("DB cluster {id}")),
        EventSource::Instance(id) => (id, sdk::SourceType::DbInstance, format!("DB instance {id}")),
    };
    let call = c.call(OP, region, &res);
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let out = c
            .rds
            .describe_events()
            .source_identifier(id)
            .source_type(source_type.clone())
            .start_time(to_datetime(start))
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(|e| call.map(e))?;
        all.extend(out.events().iter().map(rds_event));
        marker = next_page(OP, marker.as_deref(), out.marker())?;
        if marker.is_none() {
            all.sort_by_key(|e: &RdsEvent| e.date);
            return Ok(all);
        }
    }
}

/// `DescribeDBClusterSnapshots` for one cluster, every type (no `SnapshotType`: automated and
/// manual; `IncludeShared` and `IncludePublic` off), all pages
/// ("DescribeDBClusterSnapshots",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusterSnapshots.html>).
pub(crate) async fn describe_db_cluster_snapshots(
    c: &Clients,
    region: Region,
    id: &str,
) -> CloudResult<Vec<DbClusterSnapshot>> {
    const OP: &str = "DescribeDBClusterSnapshots";
    let res = format!("DB cluster {id}");
    let call = c.call(OP, region, &res);
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let out = c
            .rds
            .describe_db_cluster_snapshots()
            .db_cluster_identifier(id)
            .include_shared(false)
            .include_public(false)
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(|e| call.map(e))?;
        for snap in out.db_cluster_snapshots() {
            all.push(DbClusterSnapshot {
                identifier: required(
                    OP,
                    "DBClusterSnapshotIdentifier",
                    snap.db_cluster_snapshot_identifier(),
                )?,
                arn: s(snap.db_cluster_snapshot_arn()),
                db_cluster_identifier: snap.db_cluster_identifier().unwrap_or(id).to_string(),
                snapshot_type: snap.snapshot_type().unwrap_or_default().to_string(),
                status: snap.status().unwrap_or_default().to_string(),
                created: snap.snapshot_create_time().map(ts),
            });
        }
        marker = next_page(OP, marker.as_deref(), out.marker())?;
        if marker.is_none() {
            return Ok(all);
        }
    }
}
