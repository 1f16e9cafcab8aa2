//! The pair as the manifest records it (`drTopology`), typed, and the resolution of its
//! elements (stack + logical id) to what is deployed.
//!
//! Resolution never relies on the primary Region answering, because the runtime is needed most
//! when it does not: an element is read from its own stack first; when that stack's Region does
//! not answer, from a stack of the other Region that takes the element's value as a wired
//! parameter (the deployer fills cross-Region values that way), so the DR Region alone gives
//! the global cluster, the health checks and both load balancers' names.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{Cloud, CloudError, Dimension, StackDescription, StackResource};
use dr_synth::assembly::{Assembly, WiringSource};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::RuntimeError;

/// Which declared side of the pair: the Region the app was built to serve from normally, or its
/// DR Region. The active site is whichever holds the writer; after a failover it is the
/// secondary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The declared primary site.
    Primary,
    /// The declared DR site.
    Secondary,
}

impl Role {
    /// The other site.
    pub fn other(self) -> Role {
        match self {
            Role::Primary => Role::Secondary,
            Role::Secondary => Role::Primary,
        }
    }
    /// `primary` / `secondary`, as the manifest spells the roles.
    pub fn key(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Secondary => "secondary",
        }
    }
    /// `primary` / `DR`, for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Secondary => "DR",
        }
    }
    /// Both, primary first.
    pub const BOTH: [Role; 2] = [Role::Primary, Role::Secondary];
}

/// A resource of the assembly: its stack and logical id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Element {
    /// The stack's name.
    pub stack: String,
    /// The logical id in that stack.
    #[serde(rename = "logicalId")]
    pub logical_id: String,
}

impl Element {
    fn of(v: &Value) -> Option<Element> {
        Some(Element {
            stack: v.get("stack")?.as_str()?.to_string(),
            logical_id: v.get("logicalId")?.as_str()?.to_string(),
        })
    }
}

/// A site's load balancer and target group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteBalancer {
    /// The load balancer.
    pub load_balancer: Element,
    /// Its target group (Route 53 sees the load balancer healthy when each group with targets
    /// has a healthy one).
    pub target_group: Element,
    /// Its Region.
    pub region: Region,
}

/// The traffic switch: a metric the runtime publishes in the DR Region, whose alarm a
/// CLOUDWATCH_METRIC health check under the PRIMARY record follows.
#[derive(Debug, Clone, PartialEq)]
pub struct SwitchTopology {
    /// Where the metric and its alarm live (the DR Region).
    pub region: Region,
    /// The alarm's name.
    pub alarm_name: String,
    /// The metric's namespace.
    pub namespace: String,
    /// The metric's name.
    pub metric_name: String,
    /// The metric's dimensions.
    pub dimensions: Vec<Dimension>,
    /// The value that sends traffic to the primary site.
    pub primary_serves_value: f64,
    /// The value that sends traffic to the DR site.
    pub dr_serves_value: f64,
}

impl SwitchTopology {
    /// The value that sends traffic to `role`'s site.
    pub fn value_for(&self, role: Role) -> f64 {
        match role {
            Role::Primary => self.primary_serves_value,
            Role::Secondary => self.dr_serves_value,
        }
    }
    /// The site a published value sends traffic to.
    pub fn role_of(&self, value: f64) -> Option<Role> {
        if (value - self.primary_serves_value).abs() < 1e-9 {
            Some(Role::Primary)
        } else if (value - self.dr_serves_value).abs() < 1e-9 {
            Some(Role::Secondary)
        } else {
            None
        }
    }
}

/// The public hosted zone of the app's failover records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostedZone {
    /// A zone the account already had, by id.
    Existing(String),
    /// A zone the pair created.
    Created(Element),
}

/// One DR pair as the manifest records it.
#[derive(Debug, Clone, PartialEq)]
pub struct PairTopology {
    /// The app's name.
    pub app: String,
    /// The pair's id (`Shop`).
    pub pair: String,
    /// The declared primary's Region.
    pub primary_region: Region,
    /// The DR Region.
    pub secondary_region: Region,
    /// Every stack of the pair by its manifest key (`primarySite`, `global`, …), in manifest
    /// order.
    pub stacks: Vec<(String, String)>,
    /// The Region of each stack of the pair.
    pub stack_regions: BTreeMap<String, Region>,
    /// The Aurora global cluster.
    pub global_cluster: Option<Element>,
    /// The member clusters, primary first.
    pub clusters: [Option<Element>; 2],
    /// The engine version both clusters run.
    pub engine_version: Option<String>,
    /// The database's generic name (`db.shop.internal`), a CNAME to the global writer endpoint.
    pub db_cname: Option<String>,
    /// The app's name (`shop.example.com`).
    pub domain: Option<String>,
    /// The public zone of the failover records.
    pub hosted_zone: Option<HostedZone>,
    /// The PRIMARY record's calculated health check (endpoint check AND switch check).
    pub primary_check: Option<Element>,
    /// The CLOUDWATCH_METRIC check that follows the switch's alarm.
    pub switch_check: Option<Element>,
    /// The HTTP(S) check of the primary load balancer.
    pub endpoint_check: Option<Element>,
    /// The private zone holding the database CNAME.
    pub private_zone: Option<Element>,
    /// Each site's load balancer, primary first.
    pub balancers: [Option<SiteBalancer>; 2],
    /// The traffic switch.
    pub switch: Option<SwitchTopology>,
    /// The lag above which the DR site is not ready.
    pub max_rpo_lag: Duration,
}

/// The default lag threshold for a manifest written before `maxRpoLagMs` was recorded: the
/// same as `DrPairProps::max_rpo_lag`'s default.
const DEFAULT_MAX_RPO_LAG_MS: u64 = 30_000;

impl PairTopology {
    /// Every pair of the assembly.
    pub fn all(assembly: &Assembly) -> Result<Vec<PairTopology>, RuntimeError> {
        assembly
            .dr_pairs
            .iter()
            .map(|v| PairTopology::from_manifest(assembly, v))
            .collect()
    }

    /// The pair named `name`, or the only pair when `name` is `None`.
    pub fn select(assembly: &Assembly, name: Option<&str>) -> Result<PairTopology, RuntimeError> {
        let pairs = PairTopology::all(assembly)?;
        let names: Vec<String> = pairs.iter().map(|p| p.pair.clone()).collect();
        match name {
            None if pairs.len() == 1 => Ok(pairs.into_iter().next().expect("one pair")),
            None if pairs.is_empty() => Err(RuntimeError::Topology(format!(
                "app `{}` has no DR pair (no `drTopology` in its manifest); declare one with \
                 `DrPair::new`",
                assembly.app
            ))),
            None => Err(RuntimeError::Topology(format!(
                "app `{}` has {} DR pairs ({}); name one with --pair",
                assembly.app,
                pairs.len(),
                names.join(", ")
            ))),
            Some(n) => pairs
                .into_iter()
                .find(|p| p.pair.eq_ignore_ascii_case(n))
                .ok_or_else(|| {
                    RuntimeError::Topology(format!(
                        "no DR pair `{n}` in app `{}`; its pairs are: {}",
                        assembly.app,
                        names.join(", ")
                    ))
                }),
        }
    }

    /// Reads one entry of the manifest's `drTopology.pairs`.
    pub fn from_manifest(assembly: &Assembly, v: &Value) -> Result<PairTopology, RuntimeError> {
        let text = |v: &Value| v.as_str().map(str::to_string);
        let pair = text(&v["pair"]).unwrap_or_else(|| "pair".into());
        let bad = |what: &str| {
            RuntimeError::Topology(format!(
                "the manifest's topology of pair `{pair}` has no valid {what}; synthesize the \
                 app again with this drkit"
            ))
        };
        let region = |key: &str| -> Result<Region, RuntimeError> {
            text(&v["regions"][key])
                .and_then(|r| r.parse().ok())
                .ok_or_else(|| bad(&format!("regions.{key}")))
        };
        let primary_region = region("primary")?;
        let secondary_region = region("secondary")?;
        let mut stacks = Vec::new();
        let mut stack_regions = BTreeMap::new();
        if let Some(map) = v["stacks"].as_object() {
            for (key, name) in map {
                let Some(name) = name.as_str() else { continue };
                let artifact = assembly.stack(name).ok_or_else(|| {
                    RuntimeError::Topology(format!(
                        "the topology of pair `{pair}` names stack `{name}`, which is not in the \
                         assembly"
                    ))
                })?;
                stacks.push((key.clone(), name.to_string()));
                stack_regions.insert(name.to_string(), artifact.region);
            }
        }
        let db = &v["database"];
        let traffic = &v["traffic"];
        let balancer = |role: &str| -> Option<SiteBalancer> {
            let lb = &traffic["loadBalancers"][role];
            Some(SiteBalancer {
                load_balancer: Element::of(lb)?,
                target_group: Element::of(&lb["targetGroup"])?,
                region: text(&lb["region"])?.parse().ok()?,
            })
        };
        let hosted_zone = match &traffic["hostedZone"] {
            z if z.get("created").is_some() => Element::of(&z["created"]).map(HostedZone::Created),
            z => text(&z["id"]).map(HostedZone::Existing),
        };
        let sw = &v["switch"];
        let switch = match (
            text(&sw["region"]).and_then(|r| r.parse().ok()),
            text(&sw["alarmName"]),
            text(&sw["namespace"]),
            text(&sw["metricName"]),
        ) {
            (Some(region), Some(alarm_name), Some(namespace), Some(metric_name)) => {
                Some(SwitchTopology {
                    region,
                    alarm_name,
                    namespace,
                    metric_name,
                    dimensions: sw["dimensions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|d| {
                            Some(Dimension {
                                name: text(&d["Name"])?,
                                value: text(&d["Value"])?,
                            })
                        })
                        .collect(),
                    primary_serves_value: sw["primaryServesValue"].as_f64().unwrap_or(1.0),
                    dr_serves_value: sw["drServesValue"].as_f64().unwrap_or(0.0),
                })
            }
            _ => None,
        };
        Ok(PairTopology {
            app: text(&v["app"]).unwrap_or_else(|| assembly.app.clone()),
            pair,
            primary_region,
            secondary_region,
            stacks,
            stack_regions,
            global_cluster: Element::of(&db["globalCluster"]),
            clusters: [
                Element::of(&db["primaryCluster"]),
                Element::of(&db["secondaryCluster"]),
            ],
            engine_version: text(&db["engineVersion"]),
            db_cname: text(&db["cname"]["name"]),
            domain: text(&traffic["domain"]),
            hosted_zone,
            primary_check: Element::of(&traffic["healthChecks"]["primary"]),
            switch_check: Element::of(&traffic["healthChecks"]["switch"]),
            endpoint_check: Element::of(&traffic["healthChecks"]["primaryEndpoint"]),
            private_zone: Element::of(&db["cname"]["privateZone"]),
            balancers: [balancer("primary"), balancer("secondary")],
            switch,
            max_rpo_lag: Duration::from_millis(
                db["maxRpoLagMs"].as_u64().unwrap_or(DEFAULT_MAX_RPO_LAG_MS),
            ),
        })
    }

    /// The Region of `role`'s site.
    pub fn region(&self, role: Role) -> Region {
        match role {
            Role::Primary => self.primary_region,
            Role::Secondary => self.secondary_region,
        }
    }

    /// The role of the site in `region`, if one is.
    pub fn role_in(&self, region: Region) -> Option<Role> {
        Role::BOTH.into_iter().find(|r| self.region(*r) == region)
    }

    /// The stack named by manifest key `key` (`primaryData`, `global`, …).
    pub fn stack(&self, key: &str) -> Option<&str> {
        self.stacks
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, n)| n.as_str())
    }

    /// The Region of stack `name` (the pair's primary Region for a stack it does not know).
    pub fn stack_region(&self, name: &str) -> Region {
        self.stack_regions
            .get(name)
            .copied()
            .unwrap_or(self.primary_region)
    }
}

/// Reads the physical ids and attributes of a pair's elements from what is deployed, once per
/// stack, and remembers the reads that failed (status reports them).
pub struct Resolver<'a> {
    cloud: &'a dyn Cloud,
    assembly: &'a Assembly,
    topology: &'a PairTopology,
    resources: Mutex<BTreeMap<String, Result<Vec<StackResource>, CloudError>>>,
    stacks: Mutex<BTreeMap<String, Result<Option<StackDescription>, CloudError>>>,
}

impl<'a> Resolver<'a> {
    /// A resolver of `topology`'s elements through `cloud`.
    pub fn new(cloud: &'a dyn Cloud, assembly: &'a Assembly, topology: &'a PairTopology) -> Self {
        Resolver {
            cloud,
            assembly,
            topology,
            resources: Mutex::new(BTreeMap::new()),
            stacks: Mutex::new(BTreeMap::new()),
        }
    }

    /// `DescribeStacks` of `name`, once.
    pub async fn stack(&self, name: &str) -> Result<Option<StackDescription>, CloudError> {
        if let Some(r) = self.stacks.lock().expect("lock").get(name) {
            return r.clone();
        }
        let region = self.topology.stack_region(name);
        let r = self.cloud.describe_stack(region, name).await;
        self.stacks
            .lock()
            .expect("lock")
            .insert(name.to_string(), r.clone());
        r
    }

    async fn resources(&self, stack: &str) -> Result<Vec<StackResource>, CloudError> {
        if let Some(r) = self.resources.lock().expect("lock").get(stack) {
            return r.clone();
        }
        let region = self.topology.stack_region(stack);
        let r = self.cloud.describe_stack_resources(region, stack).await;
        self.resources
            .lock()
            .expect("lock")
            .insert(stack.to_string(), r.clone());
        r
    }

    /// The physical id of `element` (what `Ref` gives for most types): from its own stack, or,
    /// when that stack's Region does not answer, from a stack that takes it as a parameter.
    pub async fn physical_id(&self, element: &Element) -> Result<String, RuntimeError> {
        let own = self.resources(&element.stack).await;
        match own {
            Ok(resources) => resources
                .iter()
                .find(|r| r.logical_id == element.logical_id)
                .and_then(|r| r.physical_id.clone())
                .ok_or_else(|| {
                    RuntimeError::NotDeployed(format!(
                        "{} has no resource {} (is the pair deployed?)",
                        element.stack, element.logical_id
                    ))
                }),
            Err(e) => match self.wired(element, None).await {
                Some(v) => Ok(v),
                None => Err(RuntimeError::Cloud(e)),
            },
        }
    }

    /// The value of `Fn::GetAtt [element, attribute]`, read from an output of its stack that
    /// gives it or a parameter of another stack wired to such an output.
    pub async fn attribute(
        &self,
        element: &Element,
        attribute: &str,
    ) -> Result<String, RuntimeError> {
        let want = serde_json::json!({ "Fn::GetAtt": [element.logical_id, attribute] });
        if let Some(output) = self.output_giving(&element.stack, &want)
            && let Ok(Some(stack)) = self.stack(&element.stack).await
            && let Some(v) = stack.output(&output)
        {
            return Ok(v.to_string());
        }
        self.wired(element, Some(attribute)).await.ok_or_else(|| {
            RuntimeError::NotDeployed(format!(
                "cannot read {}.{attribute} of stack {}: neither it nor a stack that takes it \
                 answered",
                element.logical_id, element.stack
            ))
        })
    }

    /// The output of `stack` whose value is `want`.
    fn output_giving(&self, stack: &str, want: &Value) -> Option<String> {
        let artifact = self.assembly.stack(stack)?;
        artifact.template["Outputs"]
            .as_object()?
            .iter()
            .find(|(_, o)| &o["Value"] == want)
            .map(|(k, _)| k.clone())
    }

    /// The value of `element` (its `Ref`, or `attribute`) as another stack received it.
    async fn wired(&self, element: &Element, attribute: Option<&str>) -> Option<String> {
        let want = match attribute {
            None => serde_json::json!({ "Ref": element.logical_id }),
            Some(a) => serde_json::json!({ "Fn::GetAtt": [element.logical_id, a] }),
        };
        let output = self.output_giving(&element.stack, &want)?;
        for consumer in &self.assembly.stacks {
            let Some(wiring) = consumer.parameter_wiring.iter().find(|w| {
                matches!(&w.source, WiringSource::Output { stack, output: o }
                    if stack == &element.stack && o == &output)
            }) else {
                continue;
            };
            if let Ok(Some(d)) = self.stack(&consumer.name).await
                && let Some(p) = d.parameter(&wiring.parameter)
            {
                return Some(p.value.clone());
            }
        }
        None
    }
}
