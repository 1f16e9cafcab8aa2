//! The preflight: before a deploy changes anything, every stack it will touch is compared with
//! what is deployed, and every change the change-set inspection would refuse later is refused
//! up front, all of them listed, so that no deploy is left half applied (site stacks updated
//! for a database whose own stack is then refused).
//!
//! Per stack, from reads only (`DescribeStacks`, `GetTemplate`; `DescribeStackResources` and
//! the RDS describe calls when an engine version changes):
//!
//! - Each resource of the deployed template is compared with the synthesized one the way the
//!   simulator's change-set planner and CloudFormation do: a changed create-only property
//!   (`dr_core::resource_facts`) replaces the resource; one whose new value is known only at
//!   deploy time (it refers to a replaced resource, or to a parameter whose value may change)
//!   may replace it (`Replacement: Conditional`, which the inspection refuses too); a changed
//!   type replaces it; a resource left out is removed. Replacements propagate inside a stack
//!   (through `Ref`/`Fn::GetAtt`/`Fn::Sub`) and across stacks (through the outputs a consumer's
//!   wired parameters are filled from), in deploy order.
//! - A stateful resource (`inspect::is_stateful`) replaced or removed is refused unless data
//!   loss is allowed.
//! - An `EngineVersion` change of an Aurora global database (the global cluster or a member) is
//!   refused in every case until the running clusters already report the new version: minor
//!   upgrades of a global database go secondary clusters first ("Upgrading an Amazon Aurora
//!   global database",
//!   <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html>),
//!   a managed switchover needs the same engine patch level in every cluster ("Performing
//!   switchovers for Amazon Aurora global databases",
//!   <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html>),
//!   and drkit deploys the primary's data stack first.
//! - What fails without touching the cloud fails here too: a template over CloudFormation's
//!   size limits, a parameter nothing fills.
//!
//! Conditions are not evaluated (a resource under a condition is compared as if it held), which
//! errs towards refusing. A read that fails stops the deploy, except in a Region outage, where
//! the Region's stacks are left to the deploy, which keeps their deployed values.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use dr_core::cloud::{Cloud, CloudError, RequiresRecreation, StackDescription, StackStatus};
use dr_synth::assembly::{Assembly, StackArtifact, WiringSource};
use serde_json::{Map, Value};

use super::inspect::{RefusalReason, RefusedChange, is_stateful};
use super::stack::Run;
use super::{DeployError, DeployErrorKind, DeployObserver, DeployOptions};

/// What the preflight found, and what the deploy must do for stacks deployed by an earlier
/// drkit that exported values.
#[derive(Default)]
pub(crate) struct Preflight {
    /// Each problem, on its stack: refusals, or failures that need no call that changes
    /// anything (size, unfilled parameter, a read that failed).
    pub(crate) findings: Vec<DeployError>,
    /// Per producer stack, the exported outputs (key → output, as deployed) that deployed
    /// consumers still import and the synthesized template drops. The deploy keeps them in
    /// the producer's first update, so CloudFormation does not refuse to delete an export in
    /// use, and removes them once the consumers read the value from parameters.
    pub(crate) kept_exports: HashMap<String, Map<String, Value>>,
}

/// What one checked stack leaves for its consumers: which outputs may change value, and the
/// deployed values of the others.
#[derive(Default)]
struct OutputsAfter {
    changing: HashSet<String>,
    deployed: HashMap<String, String>,
}

/// How a value read by a template compares before and after the deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    /// The same.
    None,
    /// May differ: it depends on a value known only at deploy time.
    Maybe,
    /// Differs.
    Definite,
}

/// An export that cannot be kept: its name and the stacks that import it.
type LockedExport = (String, Vec<String>);

/// A parameter's value: known, or known only at deploy time.
pub(crate) type ParamValues = HashMap<String, Option<String>>;

/// A deployed parameter's value as the comparison takes it: a `NoEcho` value reads back as
/// `****`, so it is unknown (`None`), and taken as unchanged.
pub(crate) fn deployed_value(p: &dr_core::cloud::StackParameter) -> Option<String> {
    (p.value != "****").then(|| p.value.clone())
}

/// Runs the preflight over `selected` (in deploy order). The deploy may go ahead when there is
/// no finding.
pub(crate) async fn run(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    selected: &[&StackArtifact],
    opts: &DeployOptions,
    obs: &dyn DeployObserver,
) -> Preflight {
    let mut findings = Vec::new();
    for art in selected {
        if let Err(e) =
            super::check_template_size(art, opts.template_buckets.for_region(art.region))
        {
            findings.push(e);
        }
        findings.extend(unfilled_parameters(art));
    }
    if !findings.is_empty() {
        return Preflight {
            findings,
            ..Preflight::default()
        };
    }
    // The reads go out together (on AWS each is a round trip); the comparison is in deploy
    // order, since a stack's changes reach its consumers.
    let reads = futures::future::join_all(
        selected
            .iter()
            .map(|art| read_deployed(cloud, art, obs, opts)),
    )
    .await;
    // Who imports what among the deployed stacks (exports of an earlier drkit), by export name.
    let mut importers: HashMap<String, Vec<String>> = HashMap::new();
    for (art, read) in selected.iter().zip(&reads) {
        if let Read::Deployed(_, old) = read {
            for name in imported_names(old) {
                importers.entry(name).or_default().push(art.name.clone());
            }
        }
    }
    let mut kept_exports = HashMap::new();
    let mut after: HashMap<String, OutputsAfter> = HashMap::new();
    for (art, read) in selected.iter().zip(reads) {
        let (desc, old) = match read {
            Read::Deployed(desc, old) => (desc, old),
            Read::Absent => {
                after.insert(art.name.clone(), OutputsAfter::default());
                continue;
            }
            Read::LeftToTheDeploy => continue,
            Read::Failed(e) => {
                findings.push(e);
                continue;
            }
        };
        let new_params = new_parameter_values(cloud, assembly, art, &desc, &after).await;
        let old_params: ParamValues = desc
            .parameters
            .iter()
            .map(|p| (p.key.clone(), deployed_value(p)))
            .collect();
        let compared = Comparison::of(&old, &art.template, &old_params, &new_params);
        let mut refused = compared.refusals(&old, &art.template, opts.allow_data_loss);
        refused.extend(engine_upgrades(cloud, art, &old, &compared).await);
        if !refused.is_empty() {
            findings.push(DeployError::new(
                &art.name,
                art.region,
                DeployErrorKind::PreflightRefused { changes: refused },
            ));
        }
        let (kept, locked) = compared.exports_in_use(&old, &art.template, &importers);
        if !kept.is_empty() {
            kept_exports.insert(art.name.clone(), kept);
        }
        for (export, users) in locked {
            findings.push(DeployError::new(
                &art.name,
                art.region,
                DeployErrorKind::ExportInUse {
                    export,
                    importers: users,
                },
            ));
        }
        after.insert(
            art.name.clone(),
            OutputsAfter {
                changing: compared.changing_outputs(&old, &art.template),
                deployed: desc
                    .outputs
                    .iter()
                    .map(|o| (o.key.clone(), o.value.clone()))
                    .collect(),
            },
        );
    }
    Preflight {
        findings,
        kept_exports,
    }
}

/// The export names a template reads with `Fn::ImportValue` (literal names, as drkit wrote).
fn imported_names(t: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(name)) = m.get("Fn::ImportValue") {
                    out.push(name.clone());
                }
                m.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(t, &mut out);
    out.sort();
    out.dedup();
    out
}

/// What the preflight could read of one stack.
enum Read {
    /// Deployed: its description and template.
    Deployed(Box<StackDescription>, Value),
    /// Not deployed (or only a failed create or a review is left).
    Absent,
    /// Not compared: its Region does not answer (the deploy keeps its deployed values), or
    /// its template is not JSON drkit wrote (the change-set inspection still applies).
    LeftToTheDeploy,
    /// A read failed.
    Failed(DeployError),
}

/// Reads one stack, first waiting out an operation in progress and throttling, as the
/// deploy would.
async fn read_deployed(
    cloud: &dyn Cloud,
    art: &StackArtifact,
    obs: &dyn DeployObserver,
    opts: &DeployOptions,
) -> Read {
    let run = Run::new(cloud, art, obs, opts.poll);
    let unreachable = |e: &DeployError| e.cloud_error().is_some_and(CloudError::is_region_outage);
    let desc = match run.settled_stack().await {
        Ok(Some(d)) if is_deployed(&d.status) => d,
        Ok(_) => return Read::Absent,
        Err(e) if unreachable(&e) => return Read::LeftToTheDeploy,
        Err(e) => return Read::Failed(e),
    };
    match cloud
        .get_template(art.region, &art.name)
        .await
        .map_err(|e| run.err(e))
    {
        Ok(text) => match serde_json::from_str::<Value>(&text) {
            Ok(old) => Read::Deployed(Box::new(desc), old),
            Err(_) => Read::LeftToTheDeploy,
        },
        Err(e) if unreachable(&e) => Read::LeftToTheDeploy,
        Err(e) => Read::Failed(e),
    }
}

/// A stack that exists with resources to compare (not a failed create or a review).
fn is_deployed(status: &StackStatus) -> bool {
    !matches!(
        status,
        StackStatus::ReviewInProgress | StackStatus::RollbackComplete | StackStatus::DeleteComplete
    )
}

/// The template parameters with no default that nothing fills.
fn unfilled_parameters(art: &StackArtifact) -> Vec<DeployError> {
    let Some(params) = art.template.get("Parameters").and_then(Value::as_object) else {
        return Vec::new();
    };
    params
        .iter()
        .filter(|(key, def)| {
            def.get("Default").is_none()
                && !art.parameter_wiring.iter().any(|w| &&w.parameter == key)
        })
        .map(|(key, _)| {
            DeployError::new(
                &art.name,
                art.region,
                DeployErrorKind::MissingParameterValue {
                    parameter: key.clone(),
                },
            )
        })
        .collect()
}

/// The value each parameter of the synthesized template will have, where it can be known
/// before the deploy: defaults, outputs of producers whose value does not change, and the
/// deployed value of a lookup whose input does not change.
async fn new_parameter_values(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    art: &StackArtifact,
    desc: &StackDescription,
    after: &HashMap<String, OutputsAfter>,
) -> ParamValues {
    let mut out = ParamValues::new();
    let Some(params) = art.template.get("Parameters").and_then(Value::as_object) else {
        return out;
    };
    let mut outside: HashMap<String, Option<StackDescription>> = HashMap::new();
    for (key, def) in params {
        let wiring = art.parameter_wiring.iter().find(|w| &w.parameter == key);
        let value = match wiring.map(|w| &w.source) {
            None => def.get("Default").map(parameter_text),
            Some(source) => {
                let (producer, output) = (source.stack(), source.output());
                let deployed_here = || desc.parameter(key).map(|p| p.value.clone());
                let unchanged_output = match after.get(producer) {
                    Some(a) if a.changing.contains(output) => None,
                    Some(a) => Some(a.deployed.get(output).cloned()),
                    None => {
                        // A producer outside this deploy (or unreadable): what it has deployed.
                        if !outside.contains_key(producer) {
                            let read = match assembly.stack(producer) {
                                Some(p) => cloud
                                    .describe_stack(p.region, producer)
                                    .await
                                    .ok()
                                    .flatten(),
                                None => None,
                            };
                            outside.insert(producer.to_string(), read);
                        }
                        match &outside[producer] {
                            Some(d) => Some(d.output(output).map(str::to_string)),
                            // Unreadable: the deploy keeps the consumer's deployed value.
                            None => Some(deployed_here()),
                        }
                    }
                };
                match (source, unchanged_output) {
                    (_, None) => None,
                    (WiringSource::Output { .. }, Some(v)) => v,
                    // A lookup of an input that does not change reads what it read before.
                    (WiringSource::Lookup { .. }, Some(_)) => deployed_here(),
                }
            }
        };
        out.insert(key.clone(), value);
    }
    out
}

/// A parameter default as CloudFormation passes it: a string, a list joined with commas.
fn parameter_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(parameter_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// What happens to each resource of one stack.
struct Comparison {
    /// Resources replaced (`Definite`) or maybe replaced (`Maybe`), with the properties that
    /// force it.
    replaced: HashMap<String, (Change, Vec<String>)>,
    /// Per resource updated in place, the top-level properties that change.
    modified: HashMap<String, HashSet<String>>,
    /// Deployed resources the template leaves out.
    removed: Vec<String>,
    /// Parameters whose value changes or may change.
    changing_params: HashSet<String>,
    /// Members of an Aurora global database (or the global cluster) whose `EngineVersion`
    /// changes.
    engine_changes: Vec<String>,
}

impl Comparison {
    fn of(old: &Value, new: &Value, old_params: &ParamValues, new_params: &ParamValues) -> Self {
        let changing_params = new_params
            .iter()
            .filter(|(k, v)| match (old_params.get(*k), v) {
                (_, None) => true,
                (Some(Some(o)), Some(n)) => o != n,
                // New to the stack (references to it change the template text), or NoEcho.
                (None | Some(None), Some(_)) => false,
            })
            .map(|(k, _)| k.clone())
            .collect();
        let old_res = section(old, "Resources");
        let new_res = section(new, "Resources");
        let removed = old_res
            .keys()
            .filter(|k| !new_res.contains_key(*k))
            .cloned()
            .collect();
        let mut c = Comparison {
            replaced: HashMap::new(),
            modified: HashMap::new(),
            removed,
            changing_params,
            engine_changes: Vec::new(),
        };
        // Replacements propagate through references; a fixpoint settles them whatever the
        // template order.
        loop {
            let mut grew = false;
            for (id, n) in new_res.iter() {
                let Some(o) = old_res.get(id) else { continue };
                let ty = type_of(n);
                let mut changes = Vec::new();
                if type_of(o) != ty {
                    changes.push(("Type".to_string(), Change::Definite));
                } else {
                    c.walk(
                        "",
                        o.get("Properties"),
                        n.get("Properties"),
                        old_params,
                        new_params,
                        &mut changes,
                    );
                }
                let mut replace = Change::None;
                let mut forcing = Vec::new();
                let mut top = HashSet::new();
                for (path, change) in &changes {
                    top.insert(top_segment(path).to_string());
                    let by = if path == "Type" {
                        *change
                    } else {
                        match dr_core::resource_facts::requires_recreation(ty, path) {
                            RequiresRecreation::Always => *change,
                            RequiresRecreation::Conditionally => Change::Maybe,
                            _ => Change::None,
                        }
                    };
                    if by > Change::None {
                        forcing.push(top_segment(path).to_string());
                        replace = replace.max(by);
                    }
                }
                forcing.dedup();
                if changes.iter().any(|(p, _)| p == "EngineVersion")
                    && (is_global_member(o) || is_global_member(n))
                    && !c.engine_changes.contains(id)
                {
                    c.engine_changes.push(id.clone());
                }
                if replace > Change::None {
                    let before = c.replaced.insert(id.clone(), (replace, forcing));
                    grew |= before.map(|b| b.0) != Some(replace);
                } else if !top.is_empty() {
                    let before = c.modified.insert(id.clone(), top.clone());
                    grew |= before.as_ref() != Some(&top);
                }
            }
            if !grew {
                return c;
            }
        }
    }

    /// Walks the deployed and synthesized values of a property together, recording each leaf
    /// (a scalar, an intrinsic function, a list whose length changes) that changes.
    fn walk(
        &self,
        path: &str,
        old: Option<&Value>,
        new: Option<&Value>,
        old_params: &ParamValues,
        new_params: &ParamValues,
        out: &mut Vec<(String, Change)>,
    ) {
        let join = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        match (old, new) {
            (Some(Value::Object(o)), Some(Value::Object(n)))
                if !is_intrinsic(o) && !is_intrinsic(n) =>
            {
                let keys: Vec<&String> = n
                    .keys()
                    .chain(o.keys().filter(|k| !n.contains_key(*k)))
                    .collect();
                for k in keys {
                    self.walk(&join(k), o.get(k), n.get(k), old_params, new_params, out);
                }
            }
            (Some(Value::Array(o)), Some(Value::Array(n))) if o.len() == n.len() => {
                for (i, (a, b)) in o.iter().zip(n).enumerate() {
                    self.walk(
                        &format!("{path}[{i}]"),
                        Some(a),
                        Some(b),
                        old_params,
                        new_params,
                        out,
                    );
                }
            }
            _ => {
                let change = self.leaf_change(old, new, old_params, new_params);
                if change > Change::None {
                    out.push((path.to_string(), change));
                }
            }
        }
    }

    /// Whether one leaf changes: the template text and the known parameter values it reads,
    /// and whether anything it refers to is replaced or may change.
    fn leaf_change(
        &self,
        old: Option<&Value>,
        new: Option<&Value>,
        old_params: &ParamValues,
        new_params: &ParamValues,
    ) -> Change {
        let dynamic = new.is_some_and(|n| self.reads_changing(n));
        if old == new {
            return if dynamic { Change::Maybe } else { Change::None };
        }
        let (Some(o), Some(n)) = (old, new) else {
            return Change::Definite;
        };
        let (o, o_known) = substitute(o, old_params);
        let (n, n_known) = substitute(n, new_params);
        if o == n && o_known && n_known && !dynamic {
            Change::None
        } else if o_known && n_known && !dynamic && !has_intrinsic(&o) && !has_intrinsic(&n) {
            Change::Definite
        } else {
            Change::Maybe
        }
    }

    /// Whether `v` refers to a replaced resource, an attribute of a resource named after a
    /// property that changes, or a parameter whose value changes.
    fn reads_changing(&self, v: &Value) -> bool {
        references(v).iter().any(|(name, attr)| {
            self.changing_params.contains(name)
                || self.replaced.contains_key(name)
                || attr.as_deref().is_some_and(|a| {
                    self.modified
                        .get(name)
                        .is_some_and(|props| props.contains(top_segment(a)))
                })
        })
    }

    /// The replacements and removals the data-loss guard refuses (none when data loss is
    /// allowed).
    fn refusals(&self, old: &Value, new: &Value, allow_data_loss: bool) -> Vec<RefusedChange> {
        if allow_data_loss {
            return Vec::new();
        }
        let old_res = section(old, "Resources");
        let new_res = section(new, "Resources");
        let mut out = Vec::new();
        for (id, n) in new_res.iter() {
            let Some((change, forcing)) = self.replaced.get(id) else {
                continue;
            };
            if !is_stateful(type_of(n), Some(n)) {
                continue;
            }
            out.push(RefusedChange {
                logical_id: id.clone(),
                resource_type: type_of(n).to_string(),
                physical_id: None,
                removed: false,
                conditional: *change == Change::Maybe,
                properties: forcing.clone(),
                reason: RefusalReason::DataLoss,
            });
        }
        for id in &self.removed {
            let o = &old_res[id];
            if is_stateful(type_of(o), Some(o)) {
                out.push(RefusedChange {
                    logical_id: id.clone(),
                    resource_type: type_of(o).to_string(),
                    physical_id: None,
                    removed: true,
                    conditional: false,
                    properties: Vec::new(),
                    reason: RefusalReason::DataLoss,
                });
            }
        }
        out
    }

    /// The deployed exports that other deployed stacks import and the synthesized template
    /// drops (or no longer exports): those that can be kept unchanged for one more update
    /// (key → deployed output), and those that cannot because what they export is removed or
    /// replaced (export name → importers), which CloudFormation would refuse.
    fn exports_in_use(
        &self,
        old: &Value,
        new: &Value,
        importers: &HashMap<String, Vec<String>>,
    ) -> (Map<String, Value>, Vec<LockedExport>) {
        let old_outputs = section(old, "Outputs");
        let new_outputs = section(new, "Outputs");
        let new_res = section(new, "Resources");
        let new_params = section(new, "Parameters");
        let mut kept = Map::new();
        let mut locked = Vec::new();
        for (key, o) in old_outputs {
            let Some(export) = o.pointer("/Export/Name").and_then(Value::as_str) else {
                continue;
            };
            let Some(users) = importers.get(export) else {
                continue;
            };
            if new_outputs.get(key) == Some(o) {
                continue;
            }
            let value = o.get("Value").unwrap_or(&Value::Null);
            let stays = references(value).iter().all(|(name, _)| {
                name.starts_with("AWS::")
                    || (new_res.contains_key(name) && !self.replaced.contains_key(name))
                    || (new_params.contains_key(name) && !self.changing_params.contains(name))
            }) && !new_outputs.contains_key(key)
                && !self.reads_changing(value);
            if stays {
                kept.insert(key.clone(), o.clone());
            } else {
                locked.push((export.to_string(), users.clone()));
            }
        }
        (kept, locked)
    }

    /// The outputs whose value changes or may change: new ones, changed definitions, and those
    /// that read something that changes.
    fn changing_outputs(&self, old: &Value, new: &Value) -> HashSet<String> {
        let old_outputs = section(old, "Outputs");
        let new_outputs = section(new, "Outputs");
        new_outputs
            .iter()
            .filter(|(k, o)| old_outputs.get(*k) != Some(*o) || self.reads_changing(&o["Value"]))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

/// The global cluster, or a cluster that belongs to one.
fn is_global_member(r: &Value) -> bool {
    match type_of(r) {
        "AWS::RDS::GlobalCluster" => true,
        "AWS::RDS::DBCluster" => r
            .get("Properties")
            .is_some_and(|p| p.get("GlobalClusterIdentifier").is_some()),
        _ => false,
    }
}

/// An `EngineVersion` change of a global cluster or of a member of one, refused unless the
/// running cluster already reports the synthesized version (an upgrade done outside drkit,
/// which the templates then catch up with).
async fn engine_upgrades(
    cloud: &dyn Cloud,
    art: &StackArtifact,
    old: &Value,
    compared: &Comparison,
) -> Vec<RefusedChange> {
    if compared.engine_changes.is_empty() {
        return Vec::new();
    }
    let physical: HashMap<String, String> = cloud
        .describe_stack_resources(art.region, &art.name)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| Some((r.logical_id, r.physical_id?)))
        .collect();
    let version = |t: &Value, id: &str| {
        t.pointer(&format!("/Resources/{id}/Properties/EngineVersion"))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
    };
    let mut out = Vec::new();
    // A cluster replaced anyway (a new engine) is refused for that; an upgrade hint would mislead.
    for id in compared
        .engine_changes
        .iter()
        .filter(|id| !compared.replaced.contains_key(*id))
    {
        let Some(wanted) = version(&art.template, id) else {
            continue;
        };
        let ty = art
            .template
            .pointer(&format!("/Resources/{id}/Type"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let running = match physical.get(id) {
            Some(p) if ty == "AWS::RDS::GlobalCluster" => cloud
                .describe_global_cluster(art.region, p)
                .await
                .ok()
                .flatten()
                .and_then(|g| g.engine_version),
            Some(p) => cloud
                .describe_db_cluster(art.region, p)
                .await
                .ok()
                .flatten()
                .map(|c| c.engine_version),
            None => None,
        };
        if running.as_deref() == Some(wanted.as_str()) {
            continue;
        }
        let running = running
            .or_else(|| version(old, id))
            .unwrap_or_else(|| "the engine's default".to_string());
        out.push(RefusedChange {
            logical_id: id.clone(),
            resource_type: ty,
            physical_id: physical.get(id).cloned(),
            removed: false,
            conditional: false,
            properties: vec!["EngineVersion".to_string()],
            reason: RefusalReason::GlobalEngineUpgrade { running, wanted },
        });
    }
    out
}

/// A top-level section of a template (`Resources`, `Outputs`, `Parameters`), borrowed; empty
/// when the template has none.
fn section<'t>(t: &'t Value, name: &str) -> &'t Map<String, Value> {
    static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);
    t.get(name).and_then(Value::as_object).unwrap_or(&EMPTY)
}

fn type_of(r: &Value) -> &str {
    r.get("Type").and_then(Value::as_str).unwrap_or_default()
}

/// The property a path starts with: `Tags` of `Tags[2].Value`.
fn top_segment(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap_or(path)
}

/// A one-key object naming an intrinsic function (`Ref`, `Fn::…`, `Condition`).
fn is_intrinsic(m: &Map<String, Value>) -> bool {
    m.len() == 1
        && m.keys()
            .next()
            .is_some_and(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
}

fn has_intrinsic(v: &Value) -> bool {
    match v {
        Value::Object(m) => is_intrinsic(m) || m.values().any(has_intrinsic),
        Value::Array(a) => a.iter().any(has_intrinsic),
        _ => false,
    }
}

/// `v` with each `{"Ref": parameter}` of a known parameter replaced by its value; `false`
/// when it reads a parameter whose value is not known.
fn substitute(v: &Value, params: &ParamValues) -> (Value, bool) {
    match v {
        Value::Object(m) => {
            if let (true, Some(Value::String(name))) = (m.len() == 1, m.get("Ref")) {
                match params.get(name) {
                    Some(Some(value)) => return (Value::String(value.clone()), true),
                    Some(None) => return (v.clone(), false),
                    None => return (v.clone(), true),
                }
            }
            let mut known = true;
            let out = m
                .iter()
                .map(|(k, x)| {
                    let (x, k2) = substitute(x, params);
                    known &= k2;
                    (k.clone(), x)
                })
                .collect();
            (Value::Object(out), known)
        }
        Value::Array(a) => {
            let mut known = true;
            let out = a
                .iter()
                .map(|x| {
                    let (x, k2) = substitute(x, params);
                    known &= k2;
                    x
                })
                .collect();
            (Value::Array(out), known)
        }
        other => (other.clone(), true),
    }
}

/// The names `v` refers to, with the attribute read: `Ref`, `Fn::GetAtt`, and `${Name}` or
/// `${Name.Attr}` in `Fn::Sub`.
fn references(v: &Value) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    collect_references(v, &mut out);
    out
}

fn collect_references(v: &Value, out: &mut Vec<(String, Option<String>)>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(name)) = m.get("Ref") {
                out.push((name.clone(), None));
            }
            if let Some(Value::Array(a)) = m.get("Fn::GetAtt")
                && let Some(name) = a.first().and_then(Value::as_str)
            {
                let attr = a.get(1).and_then(Value::as_str).map(str::to_string);
                out.push((name.to_string(), attr));
            }
            if let Some(Value::String(name)) = m.get("Fn::GetAtt") {
                let (n, a) = name.split_once('.').unwrap_or((name, ""));
                out.push((n.to_string(), (!a.is_empty()).then(|| a.to_string())));
            }
            if let Some(sub) = m.get("Fn::Sub") {
                let text = match sub {
                    Value::String(t) => Some(t.as_str()),
                    Value::Array(a) => a.first().and_then(Value::as_str),
                    _ => None,
                };
                for piece in text.unwrap_or_default().split("${").skip(1) {
                    let Some(name) = piece.split('}').next() else {
                        continue;
                    };
                    if name.starts_with('!') {
                        continue;
                    }
                    let (n, a) = name.split_once('.').unwrap_or((name, ""));
                    out.push((n.to_string(), (!a.is_empty()).then(|| a.to_string())));
                }
            }
            for x in m.values() {
                collect_references(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_references(x, out)),
        _ => {}
    }
}

/// The resource changes between a deployed and a synthesized template, in the shape of a change
/// set's `ResourceChange`s but computed here, as the preflight compares templates: for `diff` of
/// a stack whose template is over CloudFormation's inline limit, where a change set could only
/// be made from a copy uploaded to S3, and `diff` changes nothing.
///
/// The synthesized template's resources come first, in its order, then the removed ones. A
/// changed create-only property (`dr_core::resource_facts`) or type replaces the resource
/// (`Replacement: True`); a create-only property whose new value is known only at deploy time
/// makes it `Conditional`, as CloudFormation says it for `RequiresRecreation: Always` with
/// `Evaluation: Dynamic` ("ResourceChange",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html>).
/// Each changed top-level property is a detail: `DirectModification` when its template text
/// changes, else what it changes through (a parameter, a replaced resource or an attribute of
/// one), with the causing entity as CloudFormation names it. `RequiresRecreation` is left unset
/// so that each changed path is looked up in the facts at its own depth. Parameters map to
/// their values, `None` where the value is not known (`NoEcho`, or known only at deploy time).
pub(crate) fn template_resource_changes(
    old: &Value,
    new: &Value,
    old_params: &HashMap<String, Option<String>>,
    new_params: &HashMap<String, Option<String>>,
) -> Vec<dr_core::cloud::ResourceChange> {
    use dr_core::cloud::{
        ChangeAction, ChangeSource, Evaluation, Replacement, ResourceAttribute, ResourceChange,
        ResourceChangeDetail,
    };
    let compared = Comparison::of(old, new, old_params, new_params);
    let old_res = section(old, "Resources");
    let new_res = section(new, "Resources");
    let change = |action, id: &str, r: &Value| ResourceChange {
        action,
        logical_id: id.to_string(),
        physical_id: None,
        resource_type: type_of(r).to_string(),
        replacement: None,
        scope: Vec::new(),
        details: Vec::new(),
    };
    // What a property whose text is unchanged changes through, in CloudFormation's terms.
    let causes = |v: &Value| -> Vec<(ChangeSource, String)> {
        let mut out: Vec<(ChangeSource, String)> = Vec::new();
        for (name, attr) in references(v) {
            let cause = if compared.changing_params.contains(&name) {
                (ChangeSource::ParameterReference, name)
            } else if let Some(a) = attr.filter(|a| {
                compared.replaced.contains_key(&name)
                    || compared
                        .modified
                        .get(&name)
                        .is_some_and(|props| props.contains(top_segment(a)))
            }) {
                (ChangeSource::ResourceAttribute, format!("{name}.{a}"))
            } else if compared.replaced.contains_key(&name) {
                (ChangeSource::ResourceReference, name)
            } else {
                continue;
            };
            if !out.contains(&cause) {
                out.push(cause);
            }
        }
        out
    };
    let mut out = Vec::new();
    for (id, n) in new_res {
        let Some(o) = old_res.get(id) else {
            out.push(change(ChangeAction::Add, id, n));
            continue;
        };
        let mut leaves = Vec::new();
        if type_of(o) == type_of(n) {
            compared.walk(
                "",
                o.get("Properties"),
                n.get("Properties"),
                old_params,
                new_params,
                &mut leaves,
            );
        }
        if leaves.is_empty() && o == n {
            continue;
        }
        let mut c = change(ChangeAction::Modify, id, n);
        c.replacement = Some(match compared.replaced.get(id) {
            Some((Change::Definite, _)) => Replacement::True,
            Some(_) => Replacement::Conditional,
            None => Replacement::False,
        });
        let (old_props, new_props) = (section(o, "Properties"), section(n, "Properties"));
        // A whole `Properties` added or removed is one leaf at the empty path: its keys.
        let whole = leaves.iter().find(|(p, _)| p.is_empty()).map(|(_, ch)| *ch);
        let mut tops: Vec<&str> = Vec::new();
        let keys = new_props.keys().chain(old_props.keys());
        let named = leaves.iter().map(|(p, _)| top_segment(p));
        for top in named.chain(keys.filter(|_| whole.is_some()).map(String::as_str)) {
            if !top.is_empty() && !tops.contains(&top) {
                tops.push(top);
            }
        }
        for top in tops {
            let definite = whole == Some(Change::Definite)
                || leaves
                    .iter()
                    .any(|(p, ch)| top_segment(p) == top && *ch == Change::Definite);
            let evaluation = Some(if definite {
                Evaluation::Static
            } else {
                Evaluation::Dynamic
            });
            let detail =
                |change_source: Option<ChangeSource>, causing_entity| ResourceChangeDetail {
                    attribute: ResourceAttribute::Properties,
                    name: Some(top.to_string()),
                    requires_recreation: None,
                    evaluation: evaluation.clone(),
                    change_source,
                    causing_entity,
                };
            match (old_props.get(top), new_props.get(top)) {
                (Some(a), Some(b)) if a == b => {
                    let through = causes(b);
                    if through.is_empty() {
                        // Nothing to name (the comparison counted it as changing anyway).
                        c.details.push(detail(None, None));
                    }
                    for (source, entity) in through {
                        c.details.push(detail(Some(source), Some(entity)));
                    }
                }
                _ => c
                    .details
                    .push(detail(Some(ChangeSource::DirectModification), None)),
            }
        }
        if !c.details.is_empty() {
            c.scope.push(ResourceAttribute::Properties);
        }
        for attr in [
            ResourceAttribute::Metadata,
            ResourceAttribute::CreationPolicy,
            ResourceAttribute::UpdatePolicy,
            ResourceAttribute::DeletionPolicy,
            ResourceAttribute::UpdateReplacePolicy,
        ] {
            if o.get(attr.as_str()) != n.get(attr.as_str()) {
                c.scope.push(attr);
            }
        }
        out.push(c);
    }
    for id in &compared.removed {
        out.push(change(ChangeAction::Remove, id, &old_res[id]));
    }
    out
}
