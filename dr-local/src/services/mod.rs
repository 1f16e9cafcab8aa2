//! The service models behind the stacks: SSM parameters, secrets, Aurora (regional and global
//! clusters, switchover and failover), Route 53 health checks and records, ELBv2 target
//! health. Resources enter them when a stack operation commits ([`sync`]) and leave them when
//! deleted; updates and replacements reach them too; the DR runtime then reads and changes
//! them through the port. Route 53 and CloudWatch live in [`route53`] and [`cloudwatch`].

pub mod cloudwatch;
pub mod dns;
pub mod elbv2;
pub mod rds;
pub mod route53;
pub mod s3;

use std::collections::BTreeSet;

use dr_core::Region;
use indexmap::IndexMap;
use serde_json::{Value, json};

pub use cloudwatch::metric_key;
pub use route53::{
    no_such_zone, register_hosted_zone, reported as health_check_healthy, resolve, settle_health,
    zone_exists,
};

use super::LocalError;
use super::clock::SimTime;
use super::ids;
use super::state::{
    DbCluster, FailoverInFlight, GlobalCluster, GlobalMember, Secret, StackResource, TargetGroup,
    World,
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
/// How long a `RemoveFromGlobalCluster` takes to complete. Not documented, and no observed
/// figure was found; one minute is a guess. That it takes a while is sourced: the call
/// answers with the cluster still listed as a member (AWS CLI example
/// `remove-from-global-cluster`,
/// <https://github.com/aws/aws-cli/blob/develop/awscli/examples/rds/remove-from-global-cluster.rst>),
/// and both CloudFormation's DBCluster delete handler (`removeFromGlobalCluster`, stabilizing
/// until the cluster is available and no longer a member,
/// <https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds/blob/master/aws-rds-dbcluster/src/main/java/software/amazon/rds/dbcluster/BaseHandlerStd.java>)
/// and terraform-provider-aws (`waitGlobalClusterMemberRemoved`) wait for the member to go.
pub const DETACH_SECS: u64 = 60;
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
    // Deleted and replaced resources leave first, so a replacement's new state is not removed
    // with the old (a record keeps its name, and so its physical id, across most changes).
    for (id, r) in before {
        if after.get(id).is_none_or(|a| a.physical_id != r.physical_id) {
            unregister(w, region, r);
        }
    }
    // Members before what refers to them: clusters before their instances, target groups
    // before the Auto Scaling groups that register into them, buckets before the load
    // balancers that write into them, whatever the template order.
    let late = |t: &str| {
        matches!(
            t,
            "AWS::RDS::DBInstance"
                | "AWS::AutoScaling::AutoScalingGroup"
                | "AWS::ElasticLoadBalancingV2::LoadBalancer"
        )
    };
    for pass in [false, true] {
        for (id, r) in after.iter().filter(|(_, r)| late(&r.type_name) == pass) {
            if before
                .get(id)
                .is_none_or(|b| b.physical_id != r.physical_id)
            {
                register(w, region, r);
            } else if let Some(b) = before.get(id).filter(|b| *b != r) {
                update(w, region, b, r);
            }
        }
    }
    // What the change did to Route 53's statuses happened now.
    let now = w.now;
    route53::record_statuses(w, now);
}

/// The resources of the live (not deleted) stacks of every Region, with their Region.
pub fn live_resources(w: &World) -> Vec<(Region, &StackResource)> {
    w.regions
        .iter()
        .flat_map(|(r, rs)| {
            rs.stacks
                .iter()
                .filter(|s| s.deleted.is_none())
                .flat_map(move |s| s.resources.values().map(move |res| (*r, res)))
        })
        .collect()
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
        "AWS::Route53::HealthCheck" => route53::register_health_check(w, r),
        "AWS::Route53::RecordSet" => route53::register_record_set(w, r),
        "AWS::Route53::HostedZone" => route53::register_stack_zone(w, r),
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            // Targets the template registers pass their first check and are healthy ("After
            // your target is registered, it must pass one health check to be considered
            // healthy": "Health checks for Application Load Balancer target groups",
            // <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html>).
            let targets = r
                .properties
                .get("Targets")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|t| s(t, "Id"))
                .map(|id| (id, "healthy".to_string()))
                .collect();
            w.region(region).target_groups.insert(
                r.physical_id.clone(),
                TargetGroup {
                    arn: r.physical_id.clone(),
                    targets,
                },
            );
        }
        "AWS::AutoScaling::AutoScalingGroup" => register_asg_targets(w, region, r),
        "AWS::CloudWatch::Alarm" => cloudwatch::register(w, region, r),
        "AWS::S3::Bucket" => s3::register_bucket(w, r),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => elbv2::register(w, region, r),
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
                    rebuild_started: false,
                    detach_done_at: None,
                });
                if !writer {
                    c.replication_lag_ms = DEFAULT_LAG_MS;
                }
            }
        }
    }
    w.global_clusters.insert(id, g);
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

/// An in-place update (same physical id) of `before` into `r`. Every type the simulator models
/// has an arm, so no service state stays stale after a deploy.
fn update(w: &mut World, region: Region, before: &StackResource, r: &StackResource) {
    let p = &r.properties;
    match r.type_name.as_str() {
        "AWS::SSM::Parameter" => register(w, region, r),
        // The generated value is derived from the physical id, so it survives; a new
        // `SecretString` or replica list takes effect.
        "AWS::SecretsManager::Secret" => {
            unregister(w, region, before);
            register_secret(w, region, r);
        }
        "AWS::RDS::DBCluster" => {
            if let Some(c) = w.region(region).db_clusters.get_mut(&r.physical_id) {
                c.deletion_protection = truthy(p, "DeletionProtection");
                if let Some(v) = s(p, "EngineVersion") {
                    c.engine_version = v;
                }
            }
        }
        // The cluster an instance belongs to is create-only (a new one is a replacement); the
        // model keeps nothing else of an instance.
        "AWS::RDS::DBInstance" => {}
        "AWS::RDS::GlobalCluster" => {
            if let Some(g) = w.global_clusters.get_mut(&r.physical_id) {
                g.deletion_protection = truthy(p, "DeletionProtection");
                if let Some(v) = s(p, "EngineVersion") {
                    g.engine_version = v;
                }
            }
        }
        "AWS::Route53::HealthCheck" => route53::update_health_check(w, r),
        "AWS::Route53::RecordSet" => {
            route53::unregister_record_set(w, before);
            route53::register_record_set(w, r);
        }
        // The model keeps only a group's targets: the template's own `Targets` follow it
        // (those an Auto Scaling group registered stay).
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            let ids = |r: &StackResource| -> BTreeSet<String> {
                r.properties
                    .get("Targets")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|t| s(t, "Id"))
                    .collect()
            };
            let (old, new) = (ids(before), ids(r));
            if let Some(g) = w.region(region).target_groups.get_mut(&r.physical_id) {
                g.targets
                    .retain(|id, _| !old.contains(id) || new.contains(id));
                for id in new {
                    g.targets.entry(id).or_insert_with(|| "healthy".into());
                }
            }
        }
        "AWS::AutoScaling::AutoScalingGroup" => {
            unregister_asg_targets(w, region, before);
            register_asg_targets(w, region, r);
        }
        "AWS::CloudWatch::Alarm" => cloudwatch::update(w, region, r),
        "AWS::S3::Bucket" => s3::register_bucket(w, r),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => elbv2::update(w, region, before, r),
        _ => {}
    }
}

/// The group's instances leave the target groups it registered them in.
fn unregister_asg_targets(w: &mut World, region: Region, r: &StackResource) {
    let prefix = format!("i-{}", ids::hex(&r.physical_id, 4));
    let tgs: Vec<String> = r
        .properties
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
            t.targets.retain(|id, _| !id.starts_with(&prefix));
        }
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
        rebuild_started: false,
        detach_done_at: None,
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
        "AWS::Route53::RecordSet" => route53::unregister_record_set(w, r),
        "AWS::Route53::HostedZone" => {
            w.records.remove(&r.physical_id);
        }
        "AWS::AutoScaling::AutoScalingGroup" => unregister_asg_targets(w, region, r),
        // S3 deletes only an empty bucket (the stack's deletion checks it first).
        "AWS::S3::Bucket" => s3::remove_bucket(w, &r.physical_id),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            elbv2::unregister(w, region, &r.physical_id);
        }
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            w.region(region).target_groups.remove(&r.physical_id);
        }
        "AWS::CloudWatch::Alarm" => {
            w.alarms
                .remove(&cloudwatch::alarm_key(region.code(), &r.physical_id));
        }
        _ => {}
    }
}

/// What RDS answers `RemoveFromGlobalCluster` for a cluster that is not (or no longer) a
/// member: `InvalidParameterValue` with "... is not found in global cluster ..." (the fragment
/// terraform-provider-aws matches, `errCodeInvalidParameterValue`, "is not found in global
/// cluster", <https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/global_cluster.go>);
/// the rest of the sentence is not confirmed.
pub fn not_in_global_cluster(cluster_arn: &str, global_id: &str) -> String {
    format!("The DB cluster {cluster_arn} is not found in global cluster {global_id}.")
}

/// `RemoveFromGlobalCluster` ("RemoveFromGlobalCluster",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RemoveFromGlobalCluster.html>):
/// starts the detach of member `cluster_arn` of the global cluster `global_id` (any case) and
/// returns the global cluster's id. The member stays listed, and its cluster keeps naming the
/// global cluster, for [`DETACH_SECS`]; a call for a member already detaching changes nothing
/// (what RDS answers then was not found).
pub fn start_detach(
    w: &mut World,
    global_id: &str,
    cluster_arn: &str,
) -> Result<String, LocalError> {
    let now = w.now;
    let g = w
        .global_clusters
        .values_mut()
        .find(|g| g.id.eq_ignore_ascii_case(global_id))
        .ok_or_else(|| {
            LocalError::NotFound(format!(
                "GlobalClusterNotFoundFault: Global cluster {global_id} not found."
            ))
        })?;
    let id = g.id.clone();
    let m = g
        .members
        .iter_mut()
        .find(|m| m.cluster_arn == cluster_arn)
        .ok_or_else(|| {
            LocalError::Validation(format!(
                "InvalidParameterValue: {}",
                not_in_global_cluster(cluster_arn, &id)
            ))
        })?;
    m.detach_done_at.get_or_insert(now.plus_secs(DETACH_SECS));
    Ok(id)
}

/// Completes switchovers/failovers whose time has come, old primaries whose rebuild is done
/// (only while their Region is up), and detaches.
pub fn settle_global(w: &mut World, unavailable: &BTreeSet<Region>) {
    let now = w.now;
    let mut detached: Vec<String> = Vec::new();
    for g in w.global_clusters.values_mut() {
        g.members.retain(|m| {
            let done = m.detach_done_at.is_some_and(|t| t <= now);
            if done {
                detached.push(m.cluster_arn.clone());
            }
            !done
        });
    }
    // A detached cluster is a standalone one: no global cluster, no replication lag.
    for rs in w.regions.values_mut() {
        for c in rs
            .db_clusters
            .values_mut()
            .filter(|c| detached.contains(&c.arn))
        {
            c.global_cluster_id = None;
            c.replication_lag_ms = 0;
        }
    }
    let mut lag_updates: Vec<(Region, String, u64)> = Vec::new();
    // Events and snapshots to record once the global clusters are updated: (Region, cluster
    // ARN, time, message) and (Region, old primary ARN, time).
    let mut events: Vec<(Region, String, SimTime, String)> = Vec::new();
    let mut snapshots: Vec<(Region, String, SimTime)> = Vec::new();
    for g in w.global_clusters.values_mut() {
        if let Some(f) = g.failover.clone()
            && f.done_at <= now
        {
            completion_events(g, &f, &mut events);
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
        let writer = g
            .members
            .iter()
            .find(|m| m.is_writer)
            .map(|m| (m.region, m.cluster_arn.clone()));
        for m in g.members.iter_mut() {
            if m.synchronization_status != "pending-resync" || unavailable.contains(&m.region) {
                continue;
            }
            // The old primary's Region answers: its rebuild starts, and with it the
            // point-of-failure snapshot of the old volume (`rds::take_failover_snapshot`).
            // Resynchronization events: RDS-EVENT-0240/0241, on the new primary, which their
            // message names (sources in `rds`).
            if !m.rebuild_started {
                m.rebuild_started = true;
                snapshots.push((m.region, m.cluster_arn.clone(), now));
                if let Some((region, arn)) = &writer {
                    events.push((
                        *region,
                        arn.clone(),
                        now,
                        format!(
                            "Started resynchronizing members of DB cluster {} in Region {region} after global failover.",
                            rds::cluster_id(arn)
                        ),
                    ));
                }
            }
            if m.resync_due.is_some_and(|d| d <= now) {
                m.synchronization_status = "connected".into();
                m.resync_due = None;
                m.rebuild_started = false;
                lag_updates.push((m.region, m.cluster_arn.clone(), DEFAULT_LAG_MS));
                if let Some((region, arn)) = &writer {
                    events.push((
                        *region,
                        arn.clone(),
                        now,
                        format!(
                            "Finished resynchronizing members of DB cluster {} in Region {region} after global failover.",
                            rds::cluster_id(arn)
                        ),
                    ));
                }
            }
        }
    }
    for (r, arn, lag) in lag_updates {
        if let Some(c) = w.region(r).db_clusters.values_mut().find(|c| c.arn == arn) {
            c.replication_lag_ms = lag;
        }
    }
    for (region, arn, at) in snapshots {
        rds::take_failover_snapshot(w, region, &arn, at);
    }
    for (region, arn, at, message) in events {
        rds::cluster_event(w, region, &arn, at, message);
    }
}

/// The events a switchover or failover `f` of `g` emits when it completes, at its end time
/// (messages and ids in `rds`): a switchover's RDS-EVENT-0182 (old primary shut down), 0184
/// (new primary promoted) and 0185 (finished); a failover's 0238 (completed); both then
/// RDS-EVENT-0397, the global writer endpoint now resolving to the new primary.
fn completion_events(
    g: &GlobalCluster,
    f: &FailoverInFlight,
    events: &mut Vec<(Region, String, SimTime, String)>,
) {
    let region_of = |arn: &str| {
        g.members
            .iter()
            .find(|m| m.cluster_arn == arn)
            .map(|m| m.region)
    };
    let Some(to_region) = region_of(&f.to_arn) else {
        return;
    };
    let to_id = rds::cluster_id(&f.to_arn);
    let at = f.done_at;
    let mut messages: Vec<(Region, String, String)> = Vec::new();
    if f.data_loss_allowed {
        messages.push((
            to_region,
            f.to_arn.clone(),
            format!("Global failover to DB cluster {to_id} in Region {to_region} completed."),
        ));
    } else {
        if let Some(from_region) = region_of(&f.from_arn) {
            messages.push((
                from_region,
                f.from_arn.clone(),
                format!(
                    "Old primary DB cluster {} in Region {from_region} successfully shut down.",
                    rds::cluster_id(&f.from_arn)
                ),
            ));
        }
        messages.push((
            to_region,
            f.to_arn.clone(),
            format!(
                "New primary DB cluster {to_id} in Region {to_region} was successfully promoted."
            ),
        ));
        messages.push((
            to_region,
            f.to_arn.clone(),
            format!("Global switchover to DB cluster {to_id} in Region {to_region} finished."),
        ));
    }
    messages.push((
        to_region,
        f.to_arn.clone(),
        "Aurora finished changing the DNS name that the global writer endpoint resolves to.".into(),
    ));
    events.extend(
        messages
            .into_iter()
            .map(|(region, arn, message)| (region, arn, at, message)),
    );
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
    let active_at = now.plus_secs(PENDING_SECS);
    let to_id = rds::cluster_id(&to.cluster_arn);
    if allow_data_loss {
        rds::cluster_event(
            w,
            to.region,
            &to.cluster_arn,
            now,
            rds::failover_started(&to_id, to.region),
        );
    } else {
        // RDS-EVENT-0181 (sources in `rds`).
        rds::cluster_event(
            w,
            to.region,
            &to.cluster_arn,
            now,
            format!(
                "Global switchover to DB cluster {to_id} in Region {} started.",
                to.region
            ),
        );
    }
    if let Some(old) = &from {
        // Write fencing, best effort: on the old primary when its Region answers, else timed
        // out and recorded on the new primary (RDS-EVENT-0390/0391, sources in `rds`). When
        // the attempt ends is not documented: the simulator records it as the operation
        // leaves `pending`. A switchover runs only with the old primary's Region up.
        let reachable = !unavailable.contains(&old.region);
        let (on_arn, on_region) = if reachable {
            (old.cluster_arn.clone(), old.region)
        } else {
            (to.cluster_arn.clone(), to.region)
        };
        rds::fencing_event(
            w,
            &old.cluster_arn,
            old.region,
            &on_arn,
            on_region,
            reachable,
            active_at,
        );
    }
    let g = w.global_clusters.get_mut(global_id).expect("found above");
    g.failover = Some(FailoverInFlight {
        data_loss_allowed: allow_data_loss,
        from_arn: from.map(|m| m.cluster_arn).unwrap_or_default(),
        to_arn: to.cluster_arn,
        started: now,
        active_at,
        done_at: now.plus_secs(secs),
        lag_ms: if allow_data_loss { lag } else { 0 },
    });
    Ok(())
}
