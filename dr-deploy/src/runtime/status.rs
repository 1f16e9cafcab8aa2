//! `status`: which Region is active and whether the other is ready, read from AWS (never from a
//! local file), changing nothing, and saying which reads failed and why.
//!
//! Where each fact comes from, and why there:
//! - The writer: `DescribeGlobalClusters`, asked in the DR Region first (it must answer during
//!   an outage of the primary Region), then in the primary's.
//! - Replication: `AuroraGlobalDBRPOLag` (else `AuroraGlobalDBReplicationLag`), which exists only
//!   in the secondary's Region, for the secondary cluster ("CloudWatch metrics for Amazon
//!   Aurora", <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html>),
//!   under a dimension set found with `ListMetrics` first (AWS's Aurora lab finds it under
//!   `DBClusterIdentifier, SourceRegion`, "Monitor a Global Database",
//!   <https://github.com/aws-samples/amazon-aurora-labs-for-mysql/blob/master/docs/global/monitor/index.md>).
//! - The switch: its alarm's state and the metric's last value, in the switch's Region.
//! - Route 53's view: the `AWS/Route53` `HealthCheckStatus` metric of the PRIMARY record's
//!   calculated check, published in us-east-1 only ("Monitoring health checks using
//!   CloudWatch", <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html>);
//!   `GetHealthCheckStatus` cannot read a calculated check. The answer follows from Route 53's
//!   documented choice ("How Route 53 chooses records when health checking is configured",
//!   <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html>):
//!   primary healthy → primary; else secondary healthy → secondary; both unhealthy → primary.
//! - Each site's targets: `DescribeTargetHealth`.

use std::fmt::{self, Write as _};
use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{
    AlarmState, Cloud, CloudError, Dimension, GlobalCluster, MetricQuery, StackStatus, Statistic,
    SynchronizationStatus, TargetHealthState, Timestamp,
};
use dr_synth::assembly::Assembly;
use serde::{Deserialize, Serialize};

use super::RuntimeError;
use super::report::{RunReport, human};
use super::topology::{HostedZone, PairTopology, Resolver, Role};

/// A read that failed, with the call, the Region and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedRead {
    /// What was being read ("the writer", "the DR site's targets").
    pub what: String,
    /// The error (it names the call and the Region).
    pub error: String,
}

/// A member of the global cluster as seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    /// Which site's cluster (when the ARN is one of the pair's Regions).
    pub role: Option<Role>,
    /// The cluster's Region.
    pub region: Option<Region>,
    /// The cluster's ARN.
    pub arn: String,
    /// The writer.
    pub is_writer: bool,
    /// `connected`, `pending-resync` (secondaries).
    pub synchronization: Option<String>,
}

/// The global database as seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseView {
    /// The global cluster's id.
    pub global_cluster_id: String,
    /// The Region that answered.
    pub read_in: Region,
    /// `available`, `switching-over`, `failing-over`, …
    pub status: String,
    /// The global writer endpoint (the database CNAME's target).
    pub endpoint: Option<String>,
    /// The members.
    pub members: Vec<MemberView>,
    /// A switchover or failover in flight: `status from → to`.
    pub in_flight: Option<String>,
    /// The site whose cluster is the writer.
    pub writer: Option<Role>,
}

/// The secondary's replication as CloudWatch reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicationView {
    /// The site whose cluster is the secondary.
    pub secondary: Role,
    /// Its Region (where the metric is).
    pub region: Region,
    /// The metric read.
    pub metric: String,
    /// The last value, in milliseconds.
    pub lag_ms: Option<f64>,
    /// When it was measured.
    pub at: Option<Timestamp>,
    /// The pair's threshold, in milliseconds.
    pub threshold_ms: u64,
}

/// The traffic switch as seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwitchView {
    /// Its Region.
    pub region: Region,
    /// The alarm's state (`OK`: primary serves; `ALARM`: DR serves).
    pub alarm_state: Option<String>,
    /// The metric's last value.
    pub last_value: Option<f64>,
    /// When it was published.
    pub last_value_at: Option<Timestamp>,
    /// The site the switch sends traffic to (from the alarm's state, else the last value).
    pub serves: Option<Role>,
}

/// One site's load balancer targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteView {
    /// Which site.
    pub role: Role,
    /// Its Region.
    pub region: Region,
    /// Targets in state `healthy`.
    pub healthy: usize,
    /// Targets registered.
    pub total: usize,
}

/// One of the pair's Route 53 health checks as configured and measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthCheckView {
    /// `switch` or `primary endpoint`.
    pub name: String,
    /// Its id.
    pub id: String,
    /// `Disabled`: Route 53 then counts it healthy whatever it measures.
    pub disabled: bool,
    /// `Inverted`.
    pub inverted: bool,
    /// Checkers reporting success, of those reporting (`GetHealthCheckStatus`; not for a
    /// CLOUDWATCH_METRIC check, which follows its alarm).
    pub checkers: Option<(usize, usize)>,
}

/// One stack's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackView {
    /// The stack.
    pub name: String,
    /// Its Region.
    pub region: Region,
    /// Its status; `None` when it does not exist.
    pub status: Option<String>,
    /// The status is a settled success.
    pub ok: bool,
}

/// One readiness check of a site about to take over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// What is checked.
    pub name: String,
    /// Whether it passed; `None` when it could not be read.
    pub ok: Option<bool>,
    /// What was seen.
    pub detail: String,
}

/// What `status` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairStatus {
    /// The app.
    pub app: String,
    /// The pair.
    pub pair: String,
    /// The backend's label.
    pub backend: String,
    /// Times are simulated.
    pub simulated: bool,
    /// When it was read.
    pub at: Timestamp,
    /// The declared primary's Region.
    pub primary_region: Region,
    /// The DR Region.
    pub secondary_region: Region,
    /// The global database.
    pub database: Option<DatabaseView>,
    /// The secondary's replication.
    pub replication: Option<ReplicationView>,
    /// The switch.
    pub switch: Option<SwitchView>,
    /// Whether Route 53 sees the PRIMARY record's check healthy (from us-east-1's metric).
    pub primary_record_healthy: Option<bool>,
    /// The site Route 53 answers, derived from its documented choice.
    pub route53_answers: Option<Role>,
    /// Each site's targets.
    pub sites: Vec<SiteView>,
    /// The switch's and the primary endpoint's health checks.
    pub health_checks: Vec<HealthCheckView>,
    /// What the database CNAME points at (`ListResourceRecordSets` of the private zone).
    pub db_cname_target: Option<String>,
    /// The pair's stacks.
    pub stacks: Vec<StackView>,
    /// The active site: the one with the writer.
    pub active: Option<Role>,
    /// What does not agree (writer in one Region, traffic in the other, …).
    pub inconsistencies: Vec<String>,
    /// Reads that failed.
    pub failed_reads: Vec<FailedRead>,
    /// The readiness of the standby site (the one that is not active) to take over.
    pub readiness: Vec<Check>,
    /// The last failover or failback recorded in the assembly directory, if any.
    pub last_run: Option<String>,
}

impl PairStatus {
    /// The site, if it can be told, that is not active.
    pub fn standby(&self) -> Option<Role> {
        self.active.map(Role::other)
    }
    /// The readiness checks that failed (not those that could not be read).
    pub fn failed_checks(&self) -> Vec<&Check> {
        self.readiness
            .iter()
            .filter(|c| c.ok == Some(false))
            .collect()
    }
    /// The site's targets.
    pub fn site(&self, role: Role) -> Option<&SiteView> {
        self.sites.iter().find(|s| s.role == role)
    }
}

/// How `status` reads.
#[derive(Debug, Clone, Default)]
pub struct StatusOptions {
    /// Runs recorded in the assembly directory (the last one is shown, and explains a switch
    /// that disagrees with the writer).
    pub runs: Vec<RunReport>,
}

/// The physical identifiers of a pair, as far as they could be read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Deployed {
    pub global_cluster_id: Option<String>,
    /// Each site's cluster id, primary first.
    pub cluster_ids: [Option<String>; 2],
    pub target_groups: [Option<String>; 2],
    pub lb_dns: [Option<String>; 2],
    pub zone_id: Option<String>,
    pub primary_check_id: Option<String>,
    pub switch_check_id: Option<String>,
    pub endpoint_check_id: Option<String>,
    pub private_zone_id: Option<String>,
}

fn idx(role: Role) -> usize {
    match role {
        Role::Primary => 0,
        Role::Secondary => 1,
    }
}

pub(crate) async fn resolve(
    resolver: &Resolver<'_>,
    topo: &PairTopology,
    failed: &mut Vec<FailedRead>,
) -> Deployed {
    let mut d = Deployed::default();
    let mut read = |what: &str, r: Result<String, RuntimeError>| match r {
        Ok(v) => Some(v),
        Err(e) => {
            failed.push(FailedRead {
                what: what.to_string(),
                error: e.to_string(),
            });
            None
        }
    };
    if let Some(g) = &topo.global_cluster {
        d.global_cluster_id = read("the global cluster's id", resolver.physical_id(g).await);
    }
    for role in Role::BOTH {
        let i = idx(role);
        if let Some(c) = &topo.clusters[i] {
            d.cluster_ids[i] = read(
                &format!("the {} cluster's id", role.label()),
                resolver.physical_id(c).await,
            );
        }
        if let Some(b) = &topo.balancers[i] {
            d.target_groups[i] = read(
                &format!("the {} site's target group", role.label()),
                resolver.physical_id(&b.target_group).await,
            );
            d.lb_dns[i] = read(
                &format!("the {} load balancer's DNS name", role.label()),
                resolver.attribute(&b.load_balancer, "DNSName").await,
            );
        }
    }
    d.zone_id = match &topo.hosted_zone {
        Some(HostedZone::Existing(id)) => Some(id.clone()),
        Some(HostedZone::Created(e)) => read("the public zone's id", resolver.physical_id(e).await),
        None => None,
    };
    if let Some(c) = &topo.primary_check {
        d.primary_check_id = read(
            "the PRIMARY record's health check",
            resolver.physical_id(c).await,
        );
    }
    if let Some(c) = &topo.switch_check {
        d.switch_check_id = read("the switch's health check", resolver.physical_id(c).await);
    }
    if let Some(c) = &topo.endpoint_check {
        d.endpoint_check_id = read(
            "the primary endpoint's health check",
            resolver.physical_id(c).await,
        );
    }
    if let Some(z) = &topo.private_zone {
        d.private_zone_id = read("the private zone's id", resolver.physical_id(z).await);
    }
    d
}

/// The id of a DB cluster from its ARN (`arn:aws:rds:<region>:<acct>:cluster:<id>`).
pub(crate) fn cluster_id_of(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

/// The Region of an ARN (`arn:aws:rds:<region>:…`).
pub(crate) fn region_of(arn: &str) -> Option<Region> {
    arn.split(':').nth(3).and_then(|r| r.parse().ok())
}

/// `DescribeGlobalClusters`, in the DR Region first, then the primary's; the Region that
/// answered with it.
pub(crate) async fn read_global(
    cloud: &dyn Cloud,
    topo: &PairTopology,
    id: &str,
) -> Result<Option<(GlobalCluster, Region)>, CloudError> {
    let mut last = None;
    for region in [topo.secondary_region, topo.primary_region] {
        match cloud.describe_global_cluster(region, id).await {
            Ok(Some(g)) => return Ok(Some((g, region))),
            Ok(None) => return Ok(None),
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("two Regions were asked"))
}

/// The database view of a global cluster.
pub(crate) fn database_view(
    topo: &PairTopology,
    g: &GlobalCluster,
    read_in: Region,
) -> DatabaseView {
    let members: Vec<MemberView> = g
        .members
        .iter()
        .map(|m| {
            let region = region_of(&m.db_cluster_arn);
            MemberView {
                role: region.and_then(|r| topo.role_in(r)),
                region,
                arn: m.db_cluster_arn.clone(),
                is_writer: m.is_writer,
                synchronization: m
                    .synchronization_status
                    .as_ref()
                    .map(|s| s.as_str().to_string()),
            }
        })
        .collect();
    let role_of_arn = |arn: &Option<String>| {
        arn.as_deref()
            .and_then(region_of)
            .and_then(|r| topo.role_in(r))
            .map(|r| r.label())
            .unwrap_or("?")
    };
    DatabaseView {
        global_cluster_id: g.identifier.clone(),
        read_in,
        status: g.status.clone(),
        endpoint: g.endpoint.clone(),
        writer: members.iter().find(|m| m.is_writer).and_then(|m| m.role),
        members,
        in_flight: g.failover_state.as_ref().map(|f| {
            format!(
                "{} {} -> {}{}",
                f.status.as_str(),
                role_of_arn(&f.from_db_cluster_arn),
                role_of_arn(&f.to_db_cluster_arn),
                if f.is_data_loss_allowed {
                    " (data loss allowed)"
                } else {
                    ""
                }
            )
        }),
    }
}

/// The last value of a metric: the last hour at one-minute periods, else the last 15 days (the
/// retention of one-minute data, "Metrics retention", Amazon CloudWatch concepts,
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html>)
/// at hourly periods. The switch's metric is published once per move, so its last value can be
/// days old.
pub(crate) async fn last_value(
    cloud: &dyn Cloud,
    region: Region,
    namespace: &str,
    metric: &str,
    dimensions: &[Dimension],
    statistic: Statistic,
    look_back_days: bool,
) -> Result<Option<(Timestamp, f64)>, CloudError> {
    let now = cloud.now();
    let windows: &[(u64, u32)] = if look_back_days {
        &[(3600, 60), (15 * 86_400, 3600)]
    } else {
        &[(600, 60)]
    };
    for &(secs, period) in windows {
        let points = cloud
            .get_metric_statistics(
                region,
                MetricQuery {
                    namespace: namespace.to_string(),
                    metric_name: metric.to_string(),
                    dimensions: dimensions.to_vec(),
                    start: Timestamp::from_millis(now.millis() - (secs as i64) * 1000),
                    // The end is exclusive: a minute ahead so that a value published this
                    // instant is read (CloudWatch takes an end time in the future).
                    end: now.plus(Duration::from_secs(60)),
                    period_seconds: period,
                    statistic: statistic.clone(),
                },
            )
            .await?;
        if let Some(p) = points.iter().max_by_key(|p| p.timestamp) {
            return Ok(Some((p.timestamp, p.value)));
        }
    }
    Ok(None)
}

/// The secondary cluster's lag: `AuroraGlobalDBRPOLag`, else `AuroraGlobalDBReplicationLag`
/// (older Aurora MySQL minors publish only that one), under the dimension set `ListMetrics`
/// gives (with `SourceRegion` preferred).
pub(crate) async fn read_lag(
    cloud: &dyn Cloud,
    region: Region,
    cluster_id: &str,
) -> Result<Option<(String, Timestamp, f64)>, CloudError> {
    for metric in ["AuroraGlobalDBRPOLag", "AuroraGlobalDBReplicationLag"] {
        let sets = cloud
            .list_metric_dimensions(region, "AWS/RDS", metric)
            .await?;
        let mut sets: Vec<Vec<Dimension>> = sets
            .into_iter()
            .filter(|s| {
                s.iter().any(|d| {
                    d.name == "DBClusterIdentifier" && d.value.eq_ignore_ascii_case(cluster_id)
                })
            })
            .collect();
        sets.sort_by_key(|s| !s.iter().any(|d| d.name == "SourceRegion"));
        for dims in sets {
            if let Some((at, v)) = last_value(
                cloud,
                region,
                "AWS/RDS",
                metric,
                &dims,
                Statistic::Maximum,
                false,
            )
            .await?
            {
                return Ok(Some((metric.to_string(), at, v)));
            }
        }
    }
    Ok(None)
}

/// Reads the pair's state. Changes nothing; a read that fails is listed and the rest goes on.
pub async fn status(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    topo: &PairTopology,
    options: &StatusOptions,
) -> PairStatus {
    status_with_deployed(cloud, assembly, topo, options).await.0
}

/// [`status`] and the physical identifiers it resolved on the way.
pub(crate) async fn status_with_deployed(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    topo: &PairTopology,
    options: &StatusOptions,
) -> (PairStatus, Deployed) {
    let resolver = Resolver::new(cloud, assembly, topo);
    let mut failed = Vec::new();
    let mut st = PairStatus {
        app: topo.app.clone(),
        pair: topo.pair.clone(),
        backend: cloud.label(),
        simulated: cloud.is_simulated(),
        at: cloud.now(),
        primary_region: topo.primary_region,
        secondary_region: topo.secondary_region,
        database: None,
        replication: None,
        switch: None,
        primary_record_healthy: None,
        route53_answers: None,
        sites: Vec::new(),
        health_checks: Vec::new(),
        db_cname_target: None,
        stacks: Vec::new(),
        active: None,
        inconsistencies: Vec::new(),
        failed_reads: Vec::new(),
        readiness: Vec::new(),
        last_run: options.runs.last().map(|r| {
            format!(
                "{:?} {:?} at {}: {}",
                r.kind,
                r.mode,
                r.started,
                match &r.outcome {
                    super::report::Outcome::Failed(why) => format!("failed ({why})"),
                    o => format!("{o:?}").to_lowercase(),
                }
            )
        }),
    };

    for (_, name) in &topo.stacks {
        let region = topo.stack_region(name);
        match resolver.stack(name).await {
            Ok(d) => st.stacks.push(StackView {
                name: name.clone(),
                region,
                status: d.as_ref().map(|d| d.status.as_str().to_string()),
                ok: d.as_ref().is_some_and(|d| stack_ok(&d.status)),
            }),
            Err(e) => failed.push(FailedRead {
                what: format!("stack {name}"),
                error: e.to_string(),
            }),
        }
    }

    let deployed = resolve(&resolver, topo, &mut failed).await;

    if let Some(id) = &deployed.global_cluster_id {
        match read_global(cloud, topo, id).await {
            Ok(Some((g, region))) => st.database = Some(database_view(topo, &g, region)),
            Ok(None) => failed.push(FailedRead {
                what: "the writer".into(),
                error: format!("global cluster {id} does not exist"),
            }),
            Err(e) => failed.push(FailedRead {
                what: "the writer (asked in both Regions)".into(),
                error: e.to_string(),
            }),
        }
    }
    st.active = st.database.as_ref().and_then(|d| d.writer);

    // Replication of whichever member is the secondary now.
    if let Some(db) = &st.database
        && let Some(sec) = db.members.iter().find(|m| !m.is_writer)
        && let (Some(role), Some(region)) = (sec.role, sec.region)
    {
        let id = cluster_id_of(&sec.arn).to_string();
        let mut view = ReplicationView {
            secondary: role,
            region,
            metric: "AuroraGlobalDBRPOLag".into(),
            lag_ms: None,
            at: None,
            threshold_ms: u64::try_from(topo.max_rpo_lag.as_millis()).unwrap_or(u64::MAX),
        };
        match read_lag(cloud, region, &id).await {
            Ok(Some((metric, at, v))) => {
                view.metric = metric;
                view.lag_ms = Some(v);
                view.at = Some(at);
            }
            Ok(None) => {}
            Err(e) => failed.push(FailedRead {
                what: format!("the replication lag ({region})"),
                error: e.to_string(),
            }),
        }
        st.replication = Some(view);
    }

    if let Some(sw) = &topo.switch {
        let mut view = SwitchView {
            region: sw.region,
            alarm_state: None,
            last_value: None,
            last_value_at: None,
            serves: None,
        };
        match cloud
            .describe_alarms(sw.region, std::slice::from_ref(&sw.alarm_name))
            .await
        {
            Ok(alarms) => {
                view.alarm_state = alarms.first().map(|a| a.state.as_str().to_string());
                view.serves = alarms.first().and_then(|a| match a.state {
                    AlarmState::Ok => Some(Role::Primary),
                    AlarmState::Alarm => Some(Role::Secondary),
                    _ => None,
                });
            }
            Err(e) => failed.push(FailedRead {
                what: "the switch's alarm".into(),
                error: e.to_string(),
            }),
        }
        match last_value(
            cloud,
            sw.region,
            &sw.namespace,
            &sw.metric_name,
            &sw.dimensions,
            Statistic::Minimum,
            true,
        )
        .await
        {
            Ok(Some((at, v))) => {
                view.last_value = Some(v);
                view.last_value_at = Some(at);
                if view.serves.is_none() {
                    view.serves = sw.role_of(v);
                }
            }
            // Never published (a new pair): the alarm has no data, and Route 53 counts a new
            // check healthy until data arrives ("How Route 53 determines whether a health check
            // is healthy",
            // <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html>):
            // the primary serves.
            Ok(None) if view.alarm_state.as_deref() == Some("INSUFFICIENT_DATA") => {
                view.serves = Some(Role::Primary);
            }
            Ok(None) => {}
            Err(e) => failed.push(FailedRead {
                what: "the switch's metric".into(),
                error: e.to_string(),
            }),
        }
        st.switch = Some(view);
    }

    for role in Role::BOTH {
        let i = idx(role);
        let (Some(tg), Some(b)) = (&deployed.target_groups[i], &topo.balancers[i]) else {
            continue;
        };
        match cloud.describe_target_health(b.region, tg).await {
            Ok(targets) => st.sites.push(SiteView {
                role,
                region: b.region,
                healthy: targets
                    .iter()
                    .filter(|t| t.state == TargetHealthState::Healthy)
                    .count(),
                total: targets.len(),
            }),
            Err(e) => failed.push(FailedRead {
                what: format!("the {} site's targets", role.label()),
                error: e.to_string(),
            }),
        }
    }

    if let Some(check) = &deployed.primary_check_id {
        let dims = [Dimension {
            name: "HealthCheckId".into(),
            value: check.clone(),
        }];
        match last_value(
            cloud,
            Region::UsEast1,
            "AWS/Route53",
            "HealthCheckStatus",
            &dims,
            Statistic::Minimum,
            false,
        )
        .await
        {
            Ok(v) => st.primary_record_healthy = v.map(|(_, v)| v >= 1.0),
            Err(e) => failed.push(FailedRead {
                what: "Route 53's view (HealthCheckStatus in us-east-1; going on without it)"
                    .into(),
                error: e.to_string(),
            }),
        }
    }
    // Route 53's control plane (us-east-1): how the checks are set, and the database name.
    for (name, id, measured) in [
        ("switch", &deployed.switch_check_id, false),
        ("primary endpoint", &deployed.endpoint_check_id, true),
    ] {
        let Some(id) = id else { continue };
        match cloud.get_health_check(Region::UsEast1, id).await {
            Ok(h) => {
                let checkers = if measured {
                    match cloud.get_health_check_status(Region::UsEast1, id).await {
                        Ok(s) => Some((
                            s.observations.iter().filter(|o| o.is_success()).count(),
                            s.observations.len(),
                        )),
                        Err(e) => {
                            failed.push(FailedRead {
                                what: format!("the {name} check's checkers"),
                                error: e.to_string(),
                            });
                            None
                        }
                    }
                } else {
                    None
                };
                st.health_checks.push(HealthCheckView {
                    name: name.into(),
                    id: id.clone(),
                    disabled: h.disabled,
                    inverted: h.inverted,
                    checkers,
                });
            }
            Err(e) => failed.push(FailedRead {
                what: format!("the {name} health check (Route 53 control plane, us-east-1)"),
                error: e.to_string(),
            }),
        }
    }
    if let (Some(zone), Some(name)) = (&deployed.private_zone_id, &topo.db_cname) {
        match cloud.list_resource_record_sets(Region::UsEast1, zone).await {
            Ok(records) => {
                let want = format!("{}.", name.trim_end_matches('.'));
                st.db_cname_target = records
                    .iter()
                    .find(|r| r.record_type == "CNAME" && (r.name == want || r.name == *name))
                    .and_then(|r| r.records.first().cloned());
            }
            Err(e) => failed.push(FailedRead {
                what: "the database CNAME (Route 53 control plane, us-east-1)".into(),
                error: e.to_string(),
            }),
        }
    }
    st.route53_answers = route53_choice(&st);
    st.failed_reads = failed;
    st.inconsistencies = inconsistencies(&st, options);
    st.readiness = readiness(&st, topo, st.standby().unwrap_or(Role::Secondary));
    (st, deployed)
}

fn stack_ok(s: &StackStatus) -> bool {
    s.is_terminal() && s.is_success()
}

/// Route 53's documented choice between the two failover records: the PRIMARY record when its
/// check and its alias target (the load balancer with `EvaluateTargetHealth`: healthy when a
/// target is) are healthy; else the SECONDARY when its load balancer is healthy; when both are
/// unhealthy, the PRIMARY.
fn route53_choice(st: &PairStatus) -> Option<Role> {
    let check = st.primary_record_healthy?;
    let healthy = |role| st.site(role).map(|s| s.healthy > 0);
    let primary = check && healthy(Role::Primary).unwrap_or(true);
    if primary {
        return Some(Role::Primary);
    }
    match healthy(Role::Secondary) {
        Some(true) => Some(Role::Secondary),
        Some(false) => Some(Role::Primary),
        None => None,
    }
}

fn inconsistencies(st: &PairStatus, options: &StatusOptions) -> Vec<String> {
    let mut out = Vec::new();
    let in_flight = st.database.as_ref().and_then(|d| d.in_flight.clone());
    if let Some(f) = &in_flight {
        out.push(format!(
            "a switchover or failover is in progress ({f}): the writer is moving"
        ));
    }
    let writer = st.database.as_ref().and_then(|d| d.writer);
    let serves = st.switch.as_ref().and_then(|s| s.serves);
    if let (Some(w), Some(s)) = (writer, serves)
        && w != s
        && in_flight.is_none()
    {
        let explained = options
            .runs
            .last()
            .filter(|r| matches!(r.outcome, super::report::Outcome::Failed(_)))
            .map(|r| {
                format!(
                    "the last run ({:?}, started {}) did not finish: run it again to finish",
                    r.kind, r.started
                )
            })
            .unwrap_or_else(|| {
                "no unfinished failover or failback is recorded here: the switch or the writer \
                 was moved by hand, or from another copy of the assembly"
                    .into()
            });
        out.push(format!(
            "the writer is in the {} site ({}) but the switch sends traffic to the {} site; {explained}",
            w.label(),
            st.region_of(w),
            s.label()
        ));
    }
    if let (Some(w), Some(r)) = (writer, st.route53_answers)
        && w != r
        && in_flight.is_none()
    {
        out.push(format!(
            "Route 53 answers the {} site but the writer is in the {} site ({}): clients reach a \
             site without a local writer",
            r.label(),
            w.label(),
            st.region_of(w)
        ));
    }
    for h in &st.health_checks {
        if h.disabled {
            out.push(format!(
                "the {} health check ({}) is disabled: Route 53 counts a disabled check healthy,                  so {}; enable it",
                h.name,
                h.id,
                if h.name == "switch" {
                    "publishing the switch cannot move traffic"
                } else {
                    "a failing primary site keeps its traffic"
                }
            ));
        }
        if h.inverted {
            out.push(format!(
                "the {} health check ({}) is inverted: traffic goes where the switch does not                  say; turn Inverted off",
                h.name, h.id
            ));
        }
    }
    if let (Some(target), Some(endpoint)) = (
        &st.db_cname_target,
        st.database.as_ref().and_then(|d| d.endpoint.as_ref()),
    ) && target.trim_end_matches('.') != endpoint.trim_end_matches('.')
    {
        out.push(format!(
            "the database CNAME points at {target}, not the global writer endpoint {endpoint}:              clients may reach a former writer; deploy again to repoint it"
        ));
    }
    if let Some(db) = &st.database
        && !db.members.iter().any(|m| m.is_writer)
    {
        out.push("the global cluster has no writer".into());
    }
    out
}

impl PairStatus {
    /// The Region of `role`'s site.
    pub fn region_of(&self, role: Role) -> Region {
        match role {
            Role::Primary => self.primary_region,
            Role::Secondary => self.secondary_region,
        }
    }
}

/// Whether `target`'s site is ready to take the writer and the traffic by a planned move.
pub(crate) fn readiness(st: &PairStatus, topo: &PairTopology, target: Role) -> Vec<Check> {
    let mut checks = Vec::new();
    let region = topo.region(target);
    match st.site(target) {
        Some(s) => checks.push(Check {
            name: format!("{} site's targets healthy ({region})", target.label()),
            ok: Some(s.healthy > 0 && s.healthy == s.total),
            detail: format!("{} of {} healthy", s.healthy, s.total),
        }),
        None => checks.push(Check {
            name: format!("{} site's targets healthy ({region})", target.label()),
            ok: None,
            detail: "not read".into(),
        }),
    }
    let member = st
        .database
        .as_ref()
        .and_then(|d| d.members.iter().find(|m| m.role == Some(target)));
    match (&st.database, member) {
        (Some(_), Some(m)) if m.is_writer => checks.push(Check {
            name: format!("{} cluster is the writer", target.label()),
            ok: Some(true),
            detail: "already the writer".into(),
        }),
        (Some(_), Some(m)) => {
            let sync = m
                .synchronization
                .clone()
                .unwrap_or_else(|| "unknown".into());
            checks.push(Check {
                name: format!("{} cluster synchronized", target.label()),
                ok: Some(sync == SynchronizationStatus::Connected.as_str()),
                detail: format!("SynchronizationStatus {sync}"),
            });
            let lag = st.replication.as_ref().filter(|r| r.secondary == target);
            checks.push(match lag.and_then(|l| l.lag_ms.map(|v| (l, v))) {
                Some((l, v)) => Check {
                    name: format!(
                        "replication lag within {}",
                        human(Duration::from_millis(l.threshold_ms))
                    ),
                    ok: Some(v <= l.threshold_ms as f64),
                    detail: format!("{} {v:.0} ms", l.metric),
                },
                None => Check {
                    name: format!("replication lag within {}", human(topo.max_rpo_lag)),
                    ok: None,
                    detail: format!("no lag data in {region}"),
                },
            });
        }
        (Some(_), None) => checks.push(Check {
            name: format!("{} cluster in the global cluster", target.label()),
            ok: Some(false),
            detail: "not a member".into(),
        }),
        (None, _) => checks.push(Check {
            name: "global cluster readable".into(),
            ok: None,
            detail: "not read".into(),
        }),
    }
    if let Some(db) = &st.database
        && let Some(f) = &db.in_flight
    {
        checks.push(Check {
            name: "no switchover or failover in progress".into(),
            ok: Some(false),
            detail: f.clone(),
        });
    }
    let bad: Vec<&str> = st
        .stacks
        .iter()
        .filter(|s| !s.ok)
        .map(|s| s.name.as_str())
        .collect();
    checks.push(Check {
        name: "stacks settled".into(),
        ok: Some(bad.is_empty()),
        detail: if bad.is_empty() {
            format!("{} stacks complete", st.stacks.len())
        } else {
            format!("not complete: {}", bad.join(", "))
        },
    });
    checks
}

impl fmt::Display for PairStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sim = if self.simulated { ", simulated" } else { "" };
        writeln!(
            f,
            "Pair {} of `{}` on {} (read at {}{sim})",
            self.pair, self.app, self.backend, self.at
        )?;
        let role_text = |r: Option<Role>| match r {
            Some(r) => format!("{} ({})", r.label(), self.region_of(r)),
            None => "unknown".into(),
        };
        writeln!(f, "  Active:        {}", role_text(self.active))?;
        if let Some(db) = &self.database {
            let members: Vec<String> = db
                .members
                .iter()
                .map(|m| {
                    let what = if m.is_writer {
                        "writer".to_string()
                    } else {
                        format!("secondary, {}", m.synchronization.as_deref().unwrap_or("?"))
                    };
                    format!(
                        "{} {what}",
                        m.region
                            .map(|r| r.to_string())
                            .unwrap_or_else(|| m.arn.clone())
                    )
                })
                .collect();
            writeln!(
                f,
                "  Database:      {} {} ({}; read in {})",
                db.global_cluster_id,
                db.status,
                members.join("; "),
                db.read_in
            )?;
            if let Some(inf) = &db.in_flight {
                writeln!(f, "                 in progress: {inf}")?;
            }
        }
        if let Some(r) = &self.replication {
            let lag = r
                .lag_ms
                .map(|v| format!("{v:.0} ms"))
                .unwrap_or_else(|| "no data".into());
            writeln!(
                f,
                "  Replication:   {lag} {} in {} (threshold {})",
                r.metric,
                r.region,
                human(Duration::from_millis(r.threshold_ms))
            )?;
        }
        if let Some(s) = &self.switch {
            let value = s
                .last_value
                .map(|v| {
                    format!(
                        "{v} at {}",
                        s.last_value_at.map(|t| t.to_string()).unwrap_or_default()
                    )
                })
                .unwrap_or_else(|| "none published".into());
            writeln!(
                f,
                "  Switch:        sends traffic to {} (alarm {}, last value {value}; {})",
                role_text(s.serves),
                s.alarm_state.as_deref().unwrap_or("unread"),
                s.region
            )?;
        }
        let r53 = match self.primary_record_healthy {
            Some(h) => format!(
                "answers {} (PRIMARY record's check {})",
                role_text(self.route53_answers),
                if h { "healthy" } else { "unhealthy" }
            ),
            None => "unknown (HealthCheckStatus in us-east-1 not read)".into(),
        };
        writeln!(f, "  Route 53:      {r53}")?;
        for s in &self.sites {
            writeln!(
                f,
                "  {:<14} {} of {} targets healthy",
                format!(
                    "{} site:",
                    if s.role == Role::Primary {
                        "Primary"
                    } else {
                        "DR"
                    }
                ),
                s.healthy,
                s.total
            )?;
            let _ = s.region;
        }
        for h in &self.health_checks {
            let mut flags = Vec::new();
            if h.disabled {
                flags.push("DISABLED".to_string());
            }
            if h.inverted {
                flags.push("INVERTED".to_string());
            }
            if let Some((ok, n)) = h.checkers {
                flags.push(format!("{ok} of {n} checkers healthy"));
            }
            if flags.is_empty() {
                flags.push("enabled".into());
            }
            writeln!(
                f,
                "  {:<14} {} ({})",
                format!("{} check:", capitalize(&h.name)),
                h.id,
                flags.join(", ")
            )?;
        }
        if let Some(t) = &self.db_cname_target {
            writeln!(f, "  Database name: CNAME to {t}")?;
        }
        let bad: Vec<String> = self
            .stacks
            .iter()
            .filter(|s| !s.ok)
            .map(|s| format!("{} {}", s.name, s.status.as_deref().unwrap_or("missing")))
            .collect();
        writeln!(
            f,
            "  Stacks:        {}",
            if bad.is_empty() {
                format!("{} settled", self.stacks.len())
            } else {
                bad.join(", ")
            }
        )?;
        if let Some(standby) = self.standby() {
            writeln!(
                f,
                "  Readiness of the {} site to take over:",
                standby.label()
            )?;
        } else {
            writeln!(f, "  Readiness of the DR site to take over:")?;
        }
        for c in &self.readiness {
            let mark = match c.ok {
                Some(true) => "ok  ",
                Some(false) => "FAIL",
                None => "?   ",
            };
            writeln!(f, "    {mark} {}: {}", c.name, c.detail)?;
        }
        for i in &self.inconsistencies {
            writeln!(f, "  Inconsistent:  {i}")?;
        }
        for r in &self.failed_reads {
            writeln!(f, "  Not read:      {}: {}", r.what, r.error)?;
        }
        if let Some(l) = &self.last_run {
            let mut s = String::new();
            let _ = write!(s, "{l}");
            writeln!(f, "  Last run:      {s}")?;
        }
        Ok(())
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_with(check: Option<bool>, primary: usize, secondary: usize) -> PairStatus {
        PairStatus {
            app: "shop".into(),
            pair: "Shop".into(),
            backend: "test".into(),
            simulated: true,
            at: Timestamp::from_millis(0),
            primary_region: Region::UsEast2,
            secondary_region: Region::UsWest2,
            database: None,
            replication: None,
            switch: None,
            primary_record_healthy: check,
            route53_answers: None,
            sites: vec![
                SiteView {
                    role: Role::Primary,
                    region: Region::UsEast2,
                    healthy: primary,
                    total: 2,
                },
                SiteView {
                    role: Role::Secondary,
                    region: Region::UsWest2,
                    healthy: secondary,
                    total: 2,
                },
            ],
            health_checks: Vec::new(),
            db_cname_target: None,
            stacks: Vec::new(),
            active: None,
            inconsistencies: Vec::new(),
            failed_reads: Vec::new(),
            readiness: Vec::new(),
            last_run: None,
        }
    }

    #[test]
    fn route53_chooses_as_documented() {
        // Primary check and targets healthy: the PRIMARY record.
        assert_eq!(
            route53_choice(&status_with(Some(true), 2, 2)),
            Some(Role::Primary)
        );
        // The switch (or the endpoint) made the check unhealthy: the SECONDARY.
        assert_eq!(
            route53_choice(&status_with(Some(false), 2, 2)),
            Some(Role::Secondary)
        );
        // The primary's targets all failed (EvaluateTargetHealth): the SECONDARY.
        assert_eq!(
            route53_choice(&status_with(Some(true), 0, 1)),
            Some(Role::Secondary)
        );
        // Both unhealthy: Route 53 answers the PRIMARY.
        assert_eq!(
            route53_choice(&status_with(Some(false), 0, 0)),
            Some(Role::Primary)
        );
        // Unknown check state: no claim.
        assert_eq!(route53_choice(&status_with(None, 2, 2)), None);
    }

    #[test]
    fn arns_give_their_region_and_cluster_id() {
        let arn = "arn:aws:rds:us-west-2:123456789012:cluster:shop-secondary-data-db";
        assert_eq!(region_of(arn), Some(Region::UsWest2));
        assert_eq!(cluster_id_of(arn), "shop-secondary-data-db");
        assert_eq!(
            region_of("arn:aws:rds::123456789012:global-cluster:g"),
            None
        );
    }
}
