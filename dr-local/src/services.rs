//! The service models behind the stacks: SSM parameters, secrets, Aurora (regional and global
//! clusters, switchover and failover), Route 53 health checks and records, ELBv2 target
//! health. Resources enter them when a stack operation commits ([`sync`]) and leave them when
//! deleted; the DR runtime then reads and changes them through the port.

use std::collections::BTreeSet;

use dr_core::Region;
use dr_core::cloud::{AliasTarget, FailoverRole, ResourceRecordSet};
use indexmap::IndexMap;
use serde_json::{Value, json};

use super::LocalError;
use super::clock::SimTime;
use super::ids;
use super::state::{
    DbCluster, FailoverInFlight, GlobalCluster, GlobalMember, HealthCheck, Secret, StackResource,
    TargetGroup, World,
};

/// Replication lag of a secondary, in milliseconds: "typically under 1 s" ("Using Amazon
/// Aurora Global Database",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html>).
pub const DEFAULT_LAG_MS: u64 = 120;
/// A switchover: no documented duration; it waits for the secondary to catch up ("larger
/// lag, longer switchover": "Using switchover or failover in Amazon Aurora Global
/// Database",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html>).
/// One minute plus the lag is a guess.
pub const SWITCHOVER_SECS: u64 = 60;
/// A managed failover: "typically within a few minutes" ("Using switchover or failover in
/// Amazon Aurora Global Database",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html>).
/// Two minutes.
pub const FAILOVER_SECS: u64 = 120;
/// How long `FailoverState.Status` stays `pending` after the call. Not documented; a guess.
pub const PENDING_SECS: u64 = 5;
/// Rebuilding the old primary as a secondary after a failover: "a few minutes to several
/// hours" ("Using switchover or failover in Amazon Aurora Global Database",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html>).
/// Thirty minutes.
pub const RESYNC_SECS: u64 = 1800;

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(|x| match x {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}
fn truthy(v: &Value, k: &str) -> bool {
    matches!(v.get(k), Some(Value::Bool(true))) || s(v, k).as_deref() == Some("true")
}

/// Brings the service models in line with a stack whose resources went from `before` to
/// `after`.
pub fn sync(
    w: &mut World,
    region: Region,
    _stack: &str,
    before: &IndexMap<String, StackResource>,
    after: &IndexMap<String, StackResource>,
) {
    for (id, r) in before {
        if after.get(id).is_none_or(|a| a.physical_id != r.physical_id) {
            unregister(w, region, r);
        }
    }
    // Members before what refers to them: clusters before their instances, target groups
    // before the Auto Scaling groups that register into them, whatever the template order.
    let late = |t: &str| {
        matches!(
            t,
            "AWS::RDS::DBInstance" | "AWS::AutoScaling::AutoScalingGroup"
        )
    };
    for pass in [false, true] {
        for (id, r) in after.iter().filter(|(_, r)| late(&r.type_name) == pass) {
            if before
                .get(id)
                .is_none_or(|b| b.physical_id != r.physical_id)
            {
                register(w, region, r);
            } else if before.get(id) != Some(r) {
                update(w, region, r);
            }
        }
    }
}

fn generated_secret(r: &StackResource) -> String {
    if let Some(v) = s(&r.properties, "SecretString") {
        return v;
    }
    let g = r
        .properties
        .get("GenerateSecretString")
        .cloned()
        .unwrap_or(json!({}));
    let len = s(&g, "PasswordLength")
        .and_then(|n| n.parse().ok())
        .unwrap_or(32usize);
    let password = ids::lower(&format!("secret/{}", r.physical_id), len);
    match (s(&g, "SecretStringTemplate"), s(&g, "GenerateStringKey")) {
        (Some(t), Some(k)) => {
            let mut obj: serde_json::Map<String, Value> =
                serde_json::from_str(&t).unwrap_or_default();
            obj.insert(k, json!(password));
            Value::Object(obj).to_string()
        }
        _ => password,
    }
}

fn register(w: &mut World, region: Region, r: &StackResource) {
    match r.type_name.as_str() {
        "AWS::SSM::Parameter" => {
            w.region(region).ssm.insert(
                r.physical_id.clone(),
                s(&r.properties, "Value").unwrap_or_default(),
            );
        }
        "AWS::SecretsManager::Secret" => register_secret(w, region, r),
        "AWS::RDS::DBCluster" => register_db_cluster(w, region, r),
        "AWS::RDS::DBInstance" => {
            if let Some(c) = s(&r.properties, "DBClusterIdentifier").map(|c| c.to_lowercase())
                && let Some(cl) = w.region(region).db_clusters.get_mut(&c)
            {
                cl.instances.push(r.physical_id.clone());
            }
        }
        "AWS::RDS::GlobalCluster" => register_global_cluster(w, r),
        "AWS::Route53::HealthCheck" => register_health_check(w, r),
        "AWS::Route53::RecordSet" => register_record_set(w, r),
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            w.region(region).target_groups.insert(
                r.physical_id.clone(),
                TargetGroup {
                    arn: r.physical_id.clone(),
                    targets: Default::default(),
                },
            );
        }
        "AWS::AutoScaling::AutoScalingGroup" => register_asg_targets(w, region, r),
        "AWS::CloudWatch::Alarm" => {
            w.alarms
                .insert(format!("{region}|{}", r.physical_id), r.properties.clone());
        }
        _ => {}
    }
}

fn register_secret(w: &mut World, region: Region, r: &StackResource) {
    let p = &r.properties;
    let value = generated_secret(r);
    let name = s(p, "Name").unwrap_or_else(|| {
        r.physical_id
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_string()
    });
    w.region(region).secrets.insert(
        r.physical_id.clone(),
        Secret {
            name: name.clone(),
            arn: r.physical_id.clone(),
            value: value.clone(),
        },
    );
    // Replicas: the same secret in the other Regions (its ARN names their Region).
    for rep in p
        .get("ReplicaRegions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
    {
        if let Some(other) = s(&rep, "Region").and_then(|c| c.parse::<Region>().ok()) {
            let arn = r
                .physical_id
                .replace(&format!(":{region}:"), &format!(":{other}:"));
            w.region(other).secrets.insert(
                arn.clone(),
                Secret {
                    name: name.clone(),
                    arn,
                    value: value.clone(),
                },
            );
        }
    }
}

/// A string attribute the simulator assigned to `r` (empty when absent).
fn attribute(r: &StackResource, name: &str) -> String {
    r.attributes
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn register_db_cluster(w: &mut World, region: Region, r: &StackResource) {
    let p = &r.properties;
    let global = s(p, "GlobalClusterIdentifier").filter(|g| !g.is_empty());
    let c = DbCluster {
        id: r.physical_id.clone(),
        arn: attribute(r, "DBClusterArn"),
        region,
        engine: s(p, "Engine").unwrap_or_else(|| "aurora-mysql".into()),
        engine_version: s(p, "EngineVersion").unwrap_or_default(),
        endpoint: attribute(r, "Endpoint.Address"),
        reader_endpoint: attribute(r, "ReadEndpoint.Address"),
        status: "available".into(),
        global_cluster_id: global.clone(),
        deletion_protection: truthy(p, "DeletionProtection"),
        instances: vec![],
        replication_lag_ms: 0,
    };
    let arn = c.arn.clone();
    w.region(region).db_clusters.insert(c.id.clone(), c);
    if let Some(g) = global {
        join_global(w, &g, &arn, region);
    }
}

fn register_global_cluster(w: &mut World, r: &StackResource) {
    let p = &r.properties;
    let id = r.physical_id.clone();
    let account = w.account.clone();
    let mut g = GlobalCluster {
        id: id.clone(),
        arn: format!("arn:aws:rds::{account}:global-cluster:{id}"),
        endpoint: ids::global_endpoint(&id, &account),
        engine: s(p, "Engine").unwrap_or_default(),
        engine_version: s(p, "EngineVersion").unwrap_or_default(),
        deletion_protection: truthy(p, "DeletionProtection"),
        members: vec![],
        failover: None,
    };
    // Built from an existing cluster: it becomes the writer.
    let source = s(p, "SourceDBClusterIdentifier");
    for (reg, rs) in w.regions.iter_mut() {
        for c in rs.db_clusters.values_mut() {
            let is_source = source
                .as_deref()
                .is_some_and(|src| src == c.arn || src.eq_ignore_ascii_case(&c.id));
            if is_source || c.global_cluster_id.as_deref() == Some(id.as_str()) {
                c.global_cluster_id = Some(id.clone());
                if g.engine.is_empty() {
                    g.engine = c.engine.clone();
                }
                if g.engine_version.is_empty() {
                    g.engine_version = c.engine_version.clone();
                }
                let writer = is_source || !g.members.iter().any(|m| m.is_writer);
                g.members.push(GlobalMember {
                    cluster_arn: c.arn.clone(),
                    region: *reg,
                    is_writer: writer,
                    synchronization_status: "connected".into(),
                    resync_due: None,
                });
                if !writer {
                    c.replication_lag_ms = DEFAULT_LAG_MS;
                }
            }
        }
    }
    w.global_clusters.insert(id, g);
}

fn register_health_check(w: &mut World, r: &StackResource) {
    let c = r
        .properties
        .get("HealthCheckConfig")
        .cloned()
        .unwrap_or(json!({}));
    w.health_checks.insert(
        r.physical_id.clone(),
        HealthCheck {
            id: r.physical_id.clone(),
            check_type: s(&c, "Type").unwrap_or_else(|| "HTTPS".into()),
            inverted: truthy(&c, "Inverted"),
            disabled: truthy(&c, "Disabled"),
            measured_healthy: true,
            version: 1,
            config: c,
        },
    );
}

fn register_record_set(w: &mut World, r: &StackResource) {
    let p = &r.properties;
    let zone = s(p, "HostedZoneId")
        .or_else(|| s(p, "HostedZoneName"))
        .unwrap_or_default();
    let alias = p.get("AliasTarget");
    let mut name = s(p, "Name").unwrap_or_default();
    if !name.ends_with('.') {
        name.push('.');
    }
    let rec = ResourceRecordSet {
        name,
        record_type: s(p, "Type").unwrap_or_default(),
        set_identifier: s(p, "SetIdentifier"),
        failover: s(p, "Failover").as_deref().map(FailoverRole::from_aws),
        health_check_id: s(p, "HealthCheckId"),
        ttl: s(p, "TTL").and_then(|t| t.parse().ok()),
        records: p
            .get("ResourceRecords")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        // Without a DNS name there is no target to answer with (and none to check).
        alias_target: alias.and_then(|a| {
            Some(AliasTarget {
                hosted_zone_id: s(a, "HostedZoneId").unwrap_or_default(),
                dns_name: s(a, "DNSName")?,
                evaluate_target_health: truthy(a, "EvaluateTargetHealth"),
            })
        }),
    };
    w.records.entry(zone).or_default().push(rec);
}

fn register_asg_targets(w: &mut World, region: Region, r: &StackResource) {
    let p = &r.properties;
    let n: usize = s(p, "DesiredCapacity")
        .or_else(|| s(p, "MinSize"))
        .and_then(|x| x.parse().ok())
        .unwrap_or(1);
    let tgs: Vec<String> = p
        .get("TargetGroupARNs")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for tg in tgs {
        if let Some(t) = w.region(region).target_groups.get_mut(&tg) {
            t.targets
                .retain(|id, _| !id.starts_with(&format!("i-{}", &ids::hex(&r.physical_id, 4))));
            for k in 0..n {
                // Instances pass their first check once the ASG is in service; one passing
                // check makes a new target healthy ("Health checks for Application Load
                // Balancer target groups",
                // <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html>).
                t.targets.insert(
                    format!(
                        "i-{}{}",
                        ids::hex(&r.physical_id, 4),
                        ids::hex(&format!("{}/{k}", r.physical_id), 13)
                    ),
                    "healthy".into(),
                );
            }
        }
    }
}

fn update(w: &mut World, region: Region, r: &StackResource) {
    match r.type_name.as_str() {
        "AWS::SSM::Parameter" => register(w, region, r),
        "AWS::RDS::DBCluster" => {
            let p = &r.properties;
            if let Some(c) = w.region(region).db_clusters.get_mut(&r.physical_id) {
                c.deletion_protection = truthy(p, "DeletionProtection");
                if let Some(v) = s(p, "EngineVersion") {
                    c.engine_version = v;
                }
            }
        }
        "AWS::AutoScaling::AutoScalingGroup" => register_asg_targets(w, region, r),
        "AWS::CloudWatch::Alarm" => register(w, region, r),
        // Health-check state is the runtime's (Inverted/Disabled are flipped through the
        // port), so a redeploy does not reset it.
        _ => {}
    }
}

fn join_global(w: &mut World, global: &str, arn: &str, region: Region) {
    let Some(g) = w.global_clusters.get_mut(global) else {
        return;
    };
    if g.members.iter().any(|m| m.cluster_arn == arn) {
        return;
    }
    let writer = !g.members.iter().any(|m| m.is_writer);
    g.members.push(GlobalMember {
        cluster_arn: arn.to_string(),
        region,
        is_writer: writer,
        synchronization_status: "connected".into(),
        resync_due: None,
    });
    if !writer
        && let Some(c) = w
            .region(region)
            .db_clusters
            .values_mut()
            .find(|c| c.arn == arn)
    {
        c.replication_lag_ms = DEFAULT_LAG_MS;
    }
}

fn unregister(w: &mut World, region: Region, r: &StackResource) {
    match r.type_name.as_str() {
        "AWS::SSM::Parameter" => {
            w.region(region).ssm.remove(&r.physical_id);
        }
        "AWS::SecretsManager::Secret" => {
            let name = w
                .region(region)
                .secrets
                .remove(&r.physical_id)
                .map(|s| s.name);
            for rs in w.regions.values_mut() {
                rs.secrets.retain(|_, s| Some(&s.name) != name.as_ref());
            }
        }
        "AWS::RDS::DBCluster" => {
            if let Some(c) = w.region(region).db_clusters.remove(&r.physical_id) {
                for g in w.global_clusters.values_mut() {
                    g.members.retain(|m| m.cluster_arn != c.arn);
                }
            }
        }
        "AWS::RDS::DBInstance" => {
            for c in w.region(region).db_clusters.values_mut() {
                c.instances.retain(|i| i != &r.physical_id);
            }
        }
        "AWS::RDS::GlobalCluster" => {
            w.global_clusters.remove(&r.physical_id);
            for rs in w.regions.values_mut() {
                for c in rs.db_clusters.values_mut() {
                    if c.global_cluster_id.as_deref() == Some(r.physical_id.as_str()) {
                        c.global_cluster_id = None;
                    }
                }
            }
        }
        "AWS::Route53::HealthCheck" => {
            w.health_checks.remove(&r.physical_id);
        }
        "AWS::Route53::RecordSet" => {
            let mut name = r.physical_id.clone();
            if !name.ends_with('.') {
                name.push('.');
            }
            let set_id = s(&r.properties, "SetIdentifier");
            let rtype = s(&r.properties, "Type");
            for recs in w.records.values_mut() {
                recs.retain(|x| {
                    !(x.name == name
                        && x.set_identifier == set_id
                        && Some(&x.record_type) == rtype.as_ref())
                });
            }
        }
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            w.region(region).target_groups.remove(&r.physical_id);
        }
        "AWS::CloudWatch::Alarm" => {
            w.alarms.remove(&format!("{region}|{}", r.physical_id));
        }
        _ => {}
    }
}

/// Completes switchovers/failovers whose time has come and old primaries whose rebuild is
/// done (only while their Region is up).
pub fn settle_global(w: &mut World, unavailable: &BTreeSet<Region>) {
    let now = w.now;
    let mut lag_updates: Vec<(Region, String, u64)> = Vec::new();
    for g in w.global_clusters.values_mut() {
        if let Some(f) = g.failover.clone()
            && f.done_at <= now
        {
            for m in g.members.iter_mut() {
                if m.cluster_arn == f.to_arn {
                    m.is_writer = true;
                    m.synchronization_status = "connected".into();
                    lag_updates.push((m.region, m.cluster_arn.clone(), 0));
                } else if m.cluster_arn == f.from_arn {
                    m.is_writer = false;
                    if f.data_loss_allowed {
                        // The old primary is rebuilt as a secondary ("Using switchover or
                        // failover in Amazon Aurora Global Database",
                        // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html>).
                        m.synchronization_status = "pending-resync".into();
                        m.resync_due = Some(f.done_at.plus_secs(RESYNC_SECS));
                    } else {
                        lag_updates.push((m.region, m.cluster_arn.clone(), DEFAULT_LAG_MS));
                    }
                }
            }
            g.failover = None;
        }
        for m in g.members.iter_mut() {
            if m.synchronization_status == "pending-resync"
                && m.resync_due.is_some_and(|d| d <= now)
                && !unavailable.contains(&m.region)
            {
                m.synchronization_status = "connected".into();
                m.resync_due = None;
                lag_updates.push((m.region, m.cluster_arn.clone(), DEFAULT_LAG_MS));
            }
        }
    }
    for (r, arn, lag) in lag_updates {
        if let Some(c) = w.region(r).db_clusters.values_mut().find(|c| c.arn == arn) {
            c.replication_lag_ms = lag;
        }
    }
}

/// `GlobalCluster.Status` at `now`.
pub fn global_status(g: &GlobalCluster) -> &'static str {
    match &g.failover {
        Some(f) if f.data_loss_allowed => "failing-over",
        Some(_) => "switching-over",
        None => "available",
    }
}

/// `FailoverState.Status` at `now`, when an operation is in flight.
pub fn failover_status(f: &FailoverInFlight, now: SimTime) -> &'static str {
    if now < f.active_at {
        "pending"
    } else if f.data_loss_allowed {
        "failing-over"
    } else {
        "switching-over"
    }
}

fn find_member<'a>(g: &'a GlobalCluster, target: &str) -> Option<&'a GlobalMember> {
    g.members
        .iter()
        .find(|m| m.cluster_arn == target || m.cluster_arn.rsplit(':').next() == Some(target))
}

/// `SwitchoverGlobalCluster` (`allow_data_loss = false`) or `FailoverGlobalCluster` with
/// `AllowDataLoss` ("SwitchoverGlobalCluster",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html>;
/// "FailoverGlobalCluster",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html>).
pub fn start_failover(
    w: &mut World,
    call_region: Region,
    global_id: &str,
    target: &str,
    allow_data_loss: bool,
    unavailable: &BTreeSet<Region>,
) -> Result<(), LocalError> {
    let now = w.now;
    let g = w
        .global_clusters
        .get(global_id)
        .ok_or_else(|| {
            LocalError::NotFound(format!(
                "GlobalClusterNotFoundFault: Global cluster {global_id} not found."
            ))
        })?
        .clone();
    let to = find_member(&g, target)
        .ok_or_else(|| LocalError::NotFound(format!("DBClusterNotFoundFault: DBCluster {target} is not a member of global cluster {global_id}.")))?
        .clone();
    if g.failover.is_some() {
        return Err(LocalError::InvalidState(format!(
            "InvalidGlobalClusterStateFault: Global cluster {global_id} is in an invalid state: {}.",
            global_status(&g)
        )));
    }
    if to.is_writer {
        return Err(LocalError::InvalidState(format!(
            "InvalidGlobalClusterStateFault: DB cluster {} is already the primary of global cluster {global_id}.",
            to.cluster_arn
        )));
    }
    let from = g.members.iter().find(|m| m.is_writer).cloned();
    let target_cluster = w
        .regions
        .get(&to.region)
        .and_then(|rs| rs.db_clusters.values().find(|c| c.arn == to.cluster_arn))
        .cloned();
    let Some(target_cluster) = target_cluster else {
        return Err(LocalError::NotFound(format!(
            "DBClusterNotFoundFault: DBCluster {target} not found."
        )));
    };
    if target_cluster.instances.is_empty() {
        // A headless secondary must get an instance first ("Using switchover or failover in
        // Amazon Aurora Global Database",
        // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html>).
        return Err(LocalError::InvalidState(format!(
            "InvalidDBClusterStateFault: DB cluster {} has no DB instance.",
            target_cluster.id
        )));
    }
    if to.synchronization_status != "connected" {
        return Err(LocalError::InvalidState(format!(
            "InvalidDBClusterStateFault: DB cluster {} is not synchronized ({}).",
            target_cluster.id, to.synchronization_status
        )));
    }
    if !allow_data_loss {
        // A switchover runs in the primary's Region and needs it ("Using switchover or
        // failover in Amazon Aurora Global Database",
        // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html>).
        let Some(from) = &from else {
            return Err(LocalError::InvalidState(format!(
                "InvalidGlobalClusterStateFault: Global cluster {global_id} has no writer."
            )));
        };
        if unavailable.contains(&from.region) {
            return Err(LocalError::RegionUnavailable(from.region));
        }
        let versions: BTreeSet<String> = g
            .members
            .iter()
            .filter_map(|m| {
                w.regions
                    .get(&m.region)
                    .and_then(|rs| rs.db_clusters.values().find(|c| c.arn == m.cluster_arn))
                    .map(|c| c.engine_version.clone())
            })
            .collect();
        if versions.len() > 1 {
            // Same major, minor and (Aurora MySQL) patch on every member ("Upgrading an Amazon
            // Aurora global database",
            // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html>).
            return Err(LocalError::InvalidState(format!(
                "InvalidGlobalClusterStateFault: Global cluster {global_id} members run different engine versions: {versions:?}."
            )));
        }
    } else if call_region != to.region {
        // A failover is called in the Region of the secondary being promoted.
        return Err(LocalError::InvalidState(format!(
            "InvalidGlobalClusterStateFault: call FailoverGlobalCluster in {}, the Region of the target cluster.",
            to.region
        )));
    }
    let lag = target_cluster.replication_lag_ms;
    let secs = if allow_data_loss {
        FAILOVER_SECS
    } else {
        SWITCHOVER_SECS + lag.div_ceil(1000)
    };
    let g = w.global_clusters.get_mut(global_id).expect("found above");
    g.failover = Some(FailoverInFlight {
        data_loss_allowed: allow_data_loss,
        from_arn: from.map(|m| m.cluster_arn).unwrap_or_default(),
        to_arn: to.cluster_arn,
        started: now,
        active_at: now.plus_secs(PENDING_SECS),
        done_at: now.plus_secs(secs),
        lag_ms: if allow_data_loss { lag } else { 0 },
    });
    Ok(())
}

/// Whether an ALB (by DNS name) counts healthy for an alias with `EvaluateTargetHealth`: every
/// target group that has targets has at least one healthy target; a group without targets is
/// unhealthy ("Values for failover alias records",
/// <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-failover-alias.html>).
/// `None` when no such ALB is known.
pub fn alb_healthy(w: &World, dns_name: &str) -> Option<bool> {
    let dns = dns_name
        .trim_end_matches('.')
        .trim_start_matches("dualstack.")
        .to_lowercase();
    for (region, rs) in &w.regions {
        for st in rs.stacks.iter().filter(|s| s.deleted.is_none()) {
            let Some(lb) = st.resources.values().find(|r| {
                r.attributes.get("DNSName").and_then(Value::as_str) == Some(dns.as_str())
            }) else {
                continue;
            };
            let mut tgs: Vec<String> = Vec::new();
            for s2 in rs.stacks.iter().filter(|s| s.deleted.is_none()) {
                for l in s2
                    .resources
                    .values()
                    .filter(|r| r.type_name == "AWS::ElasticLoadBalancingV2::Listener")
                {
                    if l.properties.get("LoadBalancerArn").and_then(Value::as_str)
                        == Some(lb.physical_id.as_str())
                    {
                        for a in l
                            .properties
                            .get("DefaultActions")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default()
                        {
                            if let Some(t) = s(&a, "TargetGroupArn") {
                                tgs.push(t);
                            }
                        }
                    }
                }
            }
            let _ = region;
            let groups: Vec<&TargetGroup> =
                tgs.iter().filter_map(|t| rs.target_groups.get(t)).collect();
            if groups.is_empty() {
                return Some(false);
            }
            return Some(
                groups
                    .iter()
                    .all(|g| !g.targets.is_empty() && g.targets.values().any(|s| s == "healthy")),
            );
        }
    }
    None
}

/// What Route 53 answers for `name`/`record_type` under failover routing ("How Route 53
/// chooses records when health checking is configured",
/// <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html>):
/// primary when healthy; else secondary when healthy; both unhealthy → primary. A record
/// without a health check counts healthy; an alias with `EvaluateTargetHealth` also needs its
/// ALB healthy. Returns the chosen record.
pub fn resolve(w: &World, name: &str, record_type: &str) -> Option<ResourceRecordSet> {
    let mut n = name.to_string();
    if !n.ends_with('.') {
        n.push('.');
    }
    let recs: Vec<&ResourceRecordSet> = w
        .records
        .values()
        .flatten()
        .filter(|r| r.name.eq_ignore_ascii_case(&n) && r.record_type == record_type)
        .collect();
    let healthy = |r: &ResourceRecordSet| {
        let hc = r
            .health_check_id
            .as_ref()
            .and_then(|id| w.health_checks.get(id))
            .is_none_or(|h| health_check_healthy(w, h));
        let tgt = r.alias_target.as_ref().is_none_or(|a| {
            !a.evaluate_target_health || alb_healthy(w, &a.dns_name).unwrap_or(true)
        });
        hc && tgt
    };
    let primary = recs
        .iter()
        .find(|r| r.failover == Some(FailoverRole::Primary));
    let secondary = recs
        .iter()
        .find(|r| r.failover == Some(FailoverRole::Secondary));
    match (primary, secondary) {
        (Some(p), Some(s)) => Some(if healthy(p) || !healthy(s) {
            (*p).clone()
        } else {
            (*s).clone()
        }),
        _ => recs.first().map(|r| (*r).clone()),
    }
}

/// The state of a stack-made alarm at `now`, from the data points published with
/// `PutMetricData`: `Some(true)` in ALARM, `Some(false)` OK, `None` INSUFFICIENT_DATA. Each of
/// the last `EvaluationPeriods` periods is reduced with the alarm's statistic and compared with
/// the threshold; a period without data is missing (`TreatMissingData` default `missing`).
fn alarm_state(w: &World, region: &str, name: &str) -> Option<bool> {
    let a = w.alarms.get(&format!("{region}|{name}"))?;
    let ns = s(a, "Namespace")?;
    let metric = s(a, "MetricName")?;
    let dims: Vec<dr_core::cloud::Dimension> = a
        .get("Dimensions")
        .and_then(Value::as_array)
        .map(|d| {
            d.iter()
                .map(|x| dr_core::cloud::Dimension {
                    name: s(x, "Name").unwrap_or_default(),
                    value: s(x, "Value").unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let region: Region = region.parse().ok()?;
    let points = w.metrics.get(&metric_key(region, &ns, &metric, &dims))?;
    let period = s(a, "Period")
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(60)
        .max(1)
        * 1000;
    let n = s(a, "EvaluationPeriods")
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .max(1);
    let threshold = s(a, "Threshold")
        .and_then(|p| p.parse::<f64>().ok())
        .unwrap_or(0.0);
    let op = s(a, "ComparisonOperator").unwrap_or_else(|| "GreaterThanOrEqualToThreshold".into());
    let stat = s(a, "Statistic").unwrap_or_else(|| "Average".into());
    let now = w.now.as_millis();
    let mut breaches = Vec::new();
    for k in 0..n {
        let (from, to) = (
            now.saturating_sub((k + 1) * period),
            now.saturating_sub(k * period),
        );
        let vals: Vec<f64> = points
            .iter()
            .filter(|(t, _)| t.as_millis() > from && t.as_millis() <= to)
            .map(|(_, v)| *v)
            .collect();
        if vals.is_empty() {
            continue;
        }
        let v = match stat.as_str() {
            "Maximum" => vals.iter().copied().fold(f64::MIN, f64::max),
            "Minimum" => vals.iter().copied().fold(f64::MAX, f64::min),
            "Sum" => vals.iter().sum(),
            "SampleCount" => vals.len() as f64,
            _ => vals.iter().sum::<f64>() / vals.len() as f64,
        };
        breaches.push(match op.as_str() {
            "GreaterThanThreshold" => v > threshold,
            "LessThanThreshold" => v < threshold,
            "LessThanOrEqualToThreshold" => v <= threshold,
            _ => v >= threshold,
        });
    }
    if breaches.is_empty() {
        return None;
    }
    Some(breaches.len() as u64 == n && breaches.iter().all(|b| *b))
}

/// The key under which published metric data is kept.
pub fn metric_key(
    region: Region,
    namespace: &str,
    metric: &str,
    dims: &[dr_core::cloud::Dimension],
) -> String {
    let mut dims = dims.to_vec();
    dims.sort_by(|a, b| a.name.cmp(&b.name));
    format!(
        "{region}|{namespace}|{metric}|{}",
        serde_json::to_string(&dims).unwrap_or_default()
    )
}

/// Whether Route 53 counts the check healthy now. A `CLOUDWATCH_METRIC` check follows its
/// alarm's data (ALARM → unhealthy), and `InsufficientDataHealthStatus` decides gaps
/// (`Healthy`, `Unhealthy`, `LastKnownStatus`); other types use what the checkers measure.
/// `Disabled` → healthy; `Inverted` flips ("Values for health checks",
/// <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html>).
pub fn health_check_healthy(w: &World, h: &HealthCheck) -> bool {
    if h.disabled {
        return true;
    }
    let measured = if h.check_type == "CLOUDWATCH_METRIC" {
        let alarm = h.config.get("AlarmIdentifier");
        let state = alarm
            .and_then(|a| Some(alarm_state(w, &s(a, "Region")?, &s(a, "Name")?)))
            .flatten();
        match state {
            Some(in_alarm) => !in_alarm,
            None => match s(&h.config, "InsufficientDataHealthStatus").as_deref() {
                Some("Unhealthy") => false,
                Some("LastKnownStatus") => h.measured_healthy,
                _ => true,
            },
        }
    } else {
        h.measured_healthy
    };
    measured != h.inverted
}
