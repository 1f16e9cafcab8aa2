//! What RDS records about an Aurora global switchover or failover besides the cluster's state:
//! the RDS events it emits, and the point-of-failure snapshot of the old primary's volume after
//! an unplanned failover.
//!
//! Event messages and ids are AWS's own, from the event catalog ("Amazon RDS event categories
//! and event messages for Aurora",
//! <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Events.Messages.html>,
//! read from a stored copy of the current page), where `name` stands for a DB cluster's
//! identifier and a Region's code (the catalog does not say whether it prints the identifier or
//! the ARN; the simulator prints the identifier):
//! - DB cluster events, category `global failover`: `RDS-EVENT-0181` "Global switchover to DB
//!   cluster `name` in Region `name` started.", `RDS-EVENT-0182` "Old primary DB cluster `name`
//!   in Region `name` successfully shut down.", `RDS-EVENT-0184` "New primary DB cluster `name`
//!   in Region `name` was successfully promoted.", `RDS-EVENT-0185` "Global switchover to DB
//!   cluster `name` in Region `name` finished.", `RDS-EVENT-0238` "Global failover to DB cluster
//!   `name` in Region `name` completed.", `RDS-EVENT-0240` / `RDS-EVENT-0241` "Started /
//!   Finished resynchronizing members of DB cluster `name` in Region `name` after global
//!   failover.", `RDS-EVENT-0397` "Aurora finished changing the DNS name that the global writer
//!   endpoint resolves to."
//! - DB instance events, category `notification, global database`: `RDS-EVENT-0390` "Attempt to
//!   block writes for DB cluster `cluster_id` in Region `region_id` succeeded." and
//!   `RDS-EVENT-0391` "... timed out." (write fencing, "in preparation for switchover or
//!   failover").
//!
//! **Not found**: the catalog has no "global failover started" event (`RDS-EVENT-0181` is the
//! switchover's; the failover rows are 0238-0241). The simulator records a plain sentence of
//! its own at the start of a failover ([`failover_started`]), shaped like 0238's; it is not
//! AWS's wording, and AWS may record nothing then.
//!
//! Where the fencing events land: "If the old primary cluster is reachable on the network,
//! Aurora records these events there. If not, Aurora records the events on the new primary
//! cluster" ("Using switchover or failover in Amazon Aurora Global Database",
//! <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html>,
//! as quoted in AWS-FACTS 1.3). The catalog does not say on which member cluster the other
//! events are recorded; the simulator records each on the cluster its message names.

use dr_core::Region;
use dr_core::cloud::{DbClusterSnapshot, RdsEvent, Timestamp};

use crate::clock::SimTime;
use crate::state::{RecordedClusterSnapshot, RecordedRdsEvent, World};

/// The category of the global database's cluster events.
const GLOBAL_FAILOVER: &str = "global failover";

/// The simulator's own sentence for the start of an unplanned global failover to `to_id` in
/// `region`: AWS's catalog has no such event (see the module documentation).
pub fn failover_started(to_id: &str, region: Region) -> String {
    format!("Global failover to DB cluster {to_id} in Region {region} started.")
}

/// The identifier at the end of a DB cluster ARN (`arn:aws:rds:<region>:<acct>:cluster:<id>`).
pub fn cluster_id(arn: &str) -> String {
    arn.rsplit(':').next().unwrap_or(arn).to_string()
}

/// Records a DB cluster event about `cluster_arn` in `region` at `at`.
pub fn cluster_event(
    w: &mut World,
    region: Region,
    cluster_arn: &str,
    at: SimTime,
    message: String,
) {
    w.rds_events.push(RecordedRdsEvent {
        region,
        event: RdsEvent {
            source_identifier: cluster_id(cluster_arn),
            source_type: "db-cluster".into(),
            message,
            date: Timestamp::from(at),
            event_categories: vec![GLOBAL_FAILOVER.into()],
            source_arn: Some(cluster_arn.to_string()),
        },
    });
}

/// Records the write-fencing event (`RDS-EVENT-0390` when `succeeded`, else `RDS-EVENT-0391`)
/// about the old primary `fenced_arn` (in `fenced_region`), on the writer instance of the
/// cluster `recorded_on_arn` in `recorded_region`: the old primary when it is reachable, else
/// the new one.
pub fn fencing_event(
    w: &mut World,
    fenced_arn: &str,
    fenced_region: Region,
    recorded_on_arn: &str,
    recorded_region: Region,
    succeeded: bool,
    at: SimTime,
) {
    let account = w.account.clone();
    let instance = w
        .regions
        .get(&recorded_region)
        .and_then(|rs| rs.db_clusters.values().find(|c| c.arn == recorded_on_arn))
        .and_then(|c| c.instances.first().cloned());
    // A cluster without an instance cannot be fenced or failed over to (start_failover
    // refuses a headless target); the event then names the cluster.
    let (source_identifier, source_type, source_arn) = match instance {
        Some(i) => (
            i.clone(),
            "db-instance",
            format!("arn:aws:rds:{recorded_region}:{account}:db:{i}"),
        ),
        None => (
            cluster_id(recorded_on_arn),
            "db-cluster",
            recorded_on_arn.to_string(),
        ),
    };
    let outcome = if succeeded { "succeeded" } else { "timed out" };
    w.rds_events.push(RecordedRdsEvent {
        region: recorded_region,
        event: RdsEvent {
            source_identifier,
            source_type: source_type.into(),
            message: format!(
                "Attempt to block writes for DB cluster {} in Region {fenced_region} {outcome}.",
                cluster_id(fenced_arn)
            ),
            date: Timestamp::from(at),
            event_categories: vec!["notification".into(), "global database".into()],
            source_arn: Some(source_arn),
        },
    });
}

/// `YYYY-MM-DD-HH-MM` (UTC) of `t`, the timestamp in the snapshot's name.
fn name_stamp(t: SimTime) -> String {
    // `Timestamp`'s Display is ISO 8601: `2026-01-01T00:00:00.000Z`.
    let iso = Timestamp::from(t).to_string();
    format!("{}-{}-{}", &iso[..10], &iso[11..13], &iso[14..16])
}

/// The point-of-failure snapshot of the old primary `old_cluster_arn` (in `region`) that Aurora
/// takes when the old primary's Region is back after an unplanned failover, before it builds
/// the new volume there: "Aurora attempts to take a snapshot of the old storage volume at the
/// point of failure ... named `rds:unplanned-global-failover-name-of-old-primary-DB-cluster-timestamp`
/// ... You can also use the `describe-db-cluster-snapshots` AWS CLI command or the
/// `DescribeDBClusterSnapshots` API operation to see details for the snapshot" ("Using
/// switchover or failover in Amazon Aurora Global Database",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html>,
/// stored copy). Not found, so guessed:
/// - the timestamp's format: the page does not give it; `YYYY-MM-DD-HH-MM` (UTC, the time the
///   snapshot is taken) is a guess, the shape of RDS's automated snapshot names;
/// - the `SnapshotType`: the page calls it a system snapshot subject to the old primary's
///   backup retention period (AWS-FACTS 1.3); what `DescribeDBClusterSnapshots` reports for it
///   was not found. `automated`, the type of the snapshots RDS takes by itself and expires
///   with the retention period, is a guess.
pub fn take_failover_snapshot(w: &mut World, region: Region, old_cluster_arn: &str, at: SimTime) {
    let old_id = cluster_id(old_cluster_arn);
    let identifier = format!("rds:unplanned-global-failover-{old_id}-{}", name_stamp(at));
    if w.cluster_snapshots
        .iter()
        .any(|s| s.region == region && s.snapshot.identifier == identifier)
    {
        return;
    }
    let account = w.account.clone();
    w.cluster_snapshots.push(RecordedClusterSnapshot {
        region,
        snapshot: DbClusterSnapshot {
            arn: Some(format!(
                "arn:aws:rds:{region}:{account}:cluster-snapshot:{identifier}"
            )),
            identifier,
            db_cluster_identifier: old_id,
            snapshot_type: "automated".into(),
            status: "available".into(),
            created: Some(Timestamp::from(at)),
        },
    });
}

/// `DescribeEvents` with `SourceType=db-cluster` for `db_cluster_id` (any case) in `region`,
/// from `start` up to `now`, oldest first.
pub fn cluster_events(
    w: &World,
    region: Region,
    db_cluster_id: &str,
    start: Timestamp,
    now: SimTime,
) -> Vec<RdsEvent> {
    events_of(w, region, "db-cluster", db_cluster_id, start, now)
}

/// `DescribeEvents` with `SourceType=db-instance` for `db_instance_id` (any case) in `region`,
/// from `start` up to `now`, oldest first.
pub fn instance_events(
    w: &World,
    region: Region,
    db_instance_id: &str,
    start: Timestamp,
    now: SimTime,
) -> Vec<RdsEvent> {
    events_of(w, region, "db-instance", db_instance_id, start, now)
}

fn events_of(
    w: &World,
    region: Region,
    source_type: &str,
    id: &str,
    start: Timestamp,
    now: SimTime,
) -> Vec<RdsEvent> {
    let now = Timestamp::from(now);
    let mut out: Vec<RdsEvent> = w
        .rds_events
        .iter()
        .filter(|e| {
            e.region == region
                && e.event.source_type == source_type
                && e.event.source_identifier.eq_ignore_ascii_case(id)
                && e.event.date >= start
                && e.event.date <= now
        })
        .map(|e| e.event.clone())
        .collect();
    // Stable: events of the same instant keep the order they were recorded in.
    out.sort_by_key(|e| e.date);
    out
}

/// `DescribeDBClusterSnapshots` for `db_cluster_id` (any case) in `region`.
pub fn cluster_snapshots(w: &World, region: Region, db_cluster_id: &str) -> Vec<DbClusterSnapshot> {
    w.cluster_snapshots
        .iter()
        .filter(|s| {
            s.region == region
                && s.snapshot
                    .db_cluster_identifier
                    .eq_ignore_ascii_case(db_cluster_id)
        })
        .map(|s| s.snapshot.clone())
        .collect()
}
