//! The DR topology recorded for the manifest (`drTopology`), so that readiness and failover
//! run from an assembly directory alone. Every element is named by stack and logical id; the
//! runtime reads physical ids from the deployed stacks and state from AWS, never from here.
//!
//! Shape (version 2; version 1 had no network stacks and held one pair per manifest, where
//! the manifest's `drTopology` now lists every pair):
//! ```json
//! { "version": 2, "app": "shop", "pair": "Shop",
//!   "regions": { "primary": "us-east-2", "secondary": "us-west-2" },
//!   "stacks": { "primaryNetwork": "Shop-Primary-Network", "secondaryNetwork": …,
//!               "primarySite": "Shop-Primary", "secondarySite": …, "primaryData": …,
//!               "secondaryData": …, "primaryPeering": …, "secondaryPeering": …, "global": … },
//!   "database": { "engine", "engineVersion", "databaseName" (when one is created),
//!                 "maxRpoLagMs" (`DrPairProps::max_rpo_lag`),
//!                 "globalCluster": {stack, logicalId},
//!                 "primaryCluster": {…}, "secondaryCluster": {…},
//!                 "cname": { "name": "db.shop.internal", "stack", "logicalId", "privateZone": {…} } },
//!   "traffic": { "domain", "scheme" ("http" or "https": the app's URL is `<scheme>://<domain>`),
//!                "hostedZone": {"id", "name"} or {"name", "created": {…}},
//!                "healthCheckPath", "primaryRecord", "secondaryRecord",
//!                "healthChecks": { "primary" (calculated), "primaryEndpoint", "switch" },
//!                "loadBalancers": { "primary": {stack, logicalId, targetGroup: {…}}, "secondary": … } },
//!   "switch": { "kind": "cloudwatch-metric", "region", "alarmName", "alarm": {…}, "namespace",
//!               "metricName", "dimensions": [{"Name","Value"}], "primaryServesValue": 1,
//!               "drServesValue": 0 },
//!   "peering": { "connection": {…} },
//!   "pairKeys": { "primary": {…}, "secondary": {…} },
//!   "alarmTopics": { "primary": {…}, "secondary": {…} } }
//! ```

use dr_core::{CfnResource, Scope};
use serde_json::{Value, json};

use super::{AlbInfo, DrPair, PairContext};

/// The version of the topology's shape, in each pair's `version`.
pub const TOPOLOGY_VERSION: u32 = 2;
use crate::dns::HostedZoneRef;

fn element(res: &CfnResource) -> Value {
    json!({ "stack": res.scope().stack_name().unwrap_or_default(), "logicalId": res.logical_id() })
}

fn opt(res: Option<&CfnResource>) -> Value {
    res.map(element).unwrap_or(Value::Null)
}

fn alb(scope: &Scope, a: &Option<AlbInfo>) -> Value {
    let Some(a) = a else { return Value::Null };
    let tree = scope.tree();
    let tg_node = a.target_group.element();
    let tg = json!({
        "stack": tree.stack_of(tg_node).and_then(|s| tree.stack_info(s)).map(|i| i.name.clone()).unwrap_or_default(),
        "logicalId": tree.logical_id(tg_node).unwrap_or_default(),
    });
    drop(tree);
    let mut v = element(&a.load_balancer);
    v["targetGroup"] = tg;
    v["region"] = json!(a.endpoint.region.code());
    v
}

/// What the topology needs beyond the pair itself.
pub(super) struct Extra<'a> {
    pub(super) app: &'a str,
    pub(super) albs: &'a [Option<AlbInfo>; 2],
    pub(super) internal_zone: &'a str,
    pub(super) hosted_zone: &'a HostedZoneRef,
    pub(super) scheme: &'a str,
}

pub(super) fn build(pair: &DrPair, ctx: &PairContext, extra: Extra<'_>) -> Value {
    let Extra {
        app,
        albs,
        internal_zone,
        hosted_zone,
        scheme,
    } = extra;
    // Route 53 probes the primary's load balancer on its target group's path.
    let health_check_path = albs[0]
        .as_ref()
        .map(|a| a.endpoint.health_check_path.as_str());
    let name = |s: &dr_core::Stack| s.name();
    let switch = pair.dns.as_ref().map(|d| {
        json!({
            "kind": "cloudwatch-metric",
            "region": d.switch_region().map(|r| r.code()),
            "alarmName": d.switch().alarm_name,
            "alarm": element(d.alarm()),
            "namespace": d.switch().namespace,
            "metricName": d.switch().metric_name,
            "dimensions": d.switch().dimensions.iter().map(|(k, v)| json!({"Name": k, "Value": v})).collect::<Vec<_>>(),
            "primaryServesValue": 1,
            "drServesValue": 0,
        })
    });
    let traffic = pair.dns.as_ref().map(|d| {
        json!({
            "domain": d.primary_record().property("Name").and_then(|e| e.as_str().map(str::to_string)),
            "scheme": scheme,
            "hostedZone": match hosted_zone {
                HostedZoneRef::Existing { id, name } => json!({ "id": id, "name": name }),
                HostedZoneRef::Create { name } => json!({ "name": name, "created": opt(d.zone()) }),
            },
            "healthCheckPath": health_check_path,
            "primaryRecord": element(d.primary_record()),
            "secondaryRecord": element(d.secondary_record()),
            "healthChecks": {
                "primary": element(d.primary_check()),
                "primaryEndpoint": element(d.endpoint_check()),
                "switch": element(d.switch_check()),
            },
            "loadBalancers": {
                "primary": alb(&pair.scope, &albs[0]),
                "secondary": alb(&pair.scope, &albs[1]),
            },
        })
    });
    let mut topology = json!({
        "version": TOPOLOGY_VERSION,
        "app": app,
        "pair": ctx.pair_id,
        "regions": { "primary": ctx.regions[0].code(), "secondary": ctx.regions[1].code() },
        "stacks": {
            "primaryNetwork": name(&pair.networks[0]),
            "secondaryNetwork": name(&pair.networks[1]),
            "primarySite": name(&pair.sites[0]),
            "secondarySite": name(&pair.sites[1]),
            "primaryData": name(&pair.data[0]),
            "secondaryData": name(&pair.data[1]),
            "primaryPeering": name(&pair.peering[0]),
            "secondaryPeering": name(&pair.peering[1]),
            "global": name(&pair.global),
        },
        "database": {
            "engine": ctx.database.engine.engine_name(),
            "engineVersion": ctx.engine_version,
            "maxRpoLagMs": u64::try_from(ctx.max_rpo_lag.as_millis()).unwrap_or(u64::MAX),
            "globalCluster": opt(pair.global_database.as_ref().map(|g| g.resource())),
            "primaryCluster": opt(pair.clusters[0].as_ref().map(|c| c.cluster())),
            "secondaryCluster": opt(pair.clusters[1].as_ref().map(|c| c.cluster())),
            "cname": {
                "name": format!("db.{internal_zone}"),
                "record": opt(pair.db_cname.as_ref()),
                "privateZone": opt(pair.private_zone.as_ref().map(|z| z.resource())),
            },
        },
        "traffic": traffic,
        "switch": switch,
        "peering": { "connection": opt(pair.peering_connection.as_ref().map(|p| p.connection())) },
        "pairKeys": {
            "primary": element(&pair.pair_keys[0]),
            "secondary": element(&pair.pair_keys[1]),
        },
        "alarmTopics": {
            "primary": element(pair.alarm_topics[0].topic()),
            "secondary": element(pair.alarm_topics[1].topic()),
        },
    });
    if let Some(db_name) = &ctx.database.database_name {
        topology["database"]["databaseName"] = json!(db_name);
    }
    topology
}
