//! Change-set computation: which resources a new template (and parameters) adds, modifies
//! (replacing them or not) and removes, the way CloudFormation reports it
//! ("ResourceChange", CloudFormation API Reference,
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html>).
//!
//! - `Replacement: True` when a create-only property (from the resource-type facts) changes
//!   to a value known now; `Conditional` when its new value is only known at deploy time (it
//!   refers to a resource that is added or replaced) or the property is conditionally
//!   create-only; `False` otherwise.
//! - Each detail names the property and says why it changed (`DirectModification`,
//!   `ParameterReference`, `ResourceReference`/`ResourceAttribute` with `Dynamic` evaluation).

use std::collections::{BTreeMap, BTreeSet};

use dr_core::cloud::{
    ChangeAction, ChangeSource, Evaluation, Replacement, RequiresRecreation, ResourceAttribute,
    ResourceChange, ResourceChangeDetail,
};
use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::eval::{
    EvalError, Evaluator, ResolvedParameter, Resolver, ResourceDecl, StackContext, Template,
    UNKNOWN, collect_refs, is_unknown,
};
use super::facts;
use super::ids;
use super::state::StackResource;

/// What will happen to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Created.
    Add,
    /// Updated in place.
    Modify,
    /// Replaced (a new physical resource, the old one deleted in cleanup).
    Replace,
    /// Replaced only if the deploy-time value of a create-only property differs.
    MaybeReplace,
    /// Left alone.
    Keep,
}

/// The outcome of planning a template against a stack's current resources.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Resolved parameters.
    pub params: IndexMap<String, ResolvedParameter>,
    /// Evaluated conditions.
    pub conditions: IndexMap<String, bool>,
    /// Resources the new template keeps (conditions hold).
    pub included: BTreeSet<String>,
    /// Per included resource, what happens to it.
    pub actions: BTreeMap<String, Action>,
    /// The change set's `Changes`, in template order, removals last.
    pub changes: Vec<ResourceChange>,
}

struct PlanResolver<'a> {
    old: &'a IndexMap<String, StackResource>,
    actions: &'a BTreeMap<String, Action>,
    changed_props: &'a BTreeMap<String, BTreeSet<String>>,
    exports: &'a dyn Fn(&str) -> Option<String>,
}

impl Resolver for PlanResolver<'_> {
    fn resource_ref(&self, l: &str) -> Option<Value> {
        match (self.actions.get(l), self.old.get(l)) {
            (Some(Action::Keep | Action::Modify), Some(r)) => {
                Some(Value::String(r.physical_id.clone()))
            }
            _ => Some(Value::String(format!("{UNKNOWN}:{l}"))),
        }
    }
    fn resource_attribute(&self, l: &str, a: &str) -> Result<Value, EvalError> {
        let unknown = || Ok(Value::String(format!("{UNKNOWN}:{l}.{a}")));
        match (self.actions.get(l), self.old.get(l)) {
            (Some(Action::Keep), Some(r)) => r.attributes.get(a).cloned().map_or_else(unknown, Ok),
            // An in-place update keeps attributes, except one named after a changed property
            // or one that property moves (a launch template's `LatestVersionNumber`).
            (Some(Action::Modify), Some(r)) => {
                let top = a.split('.').next().unwrap_or(a);
                let moved = |c: &BTreeSet<String>| {
                    c.contains(top)
                        || c.iter()
                            .any(|p| ids::attributes_moved_by(&r.type_name, p).contains(&a))
                };
                if self.changed_props.get(l).is_some_and(moved) {
                    unknown()
                } else {
                    r.attributes.get(a).cloned().map_or_else(unknown, Ok)
                }
            }
            _ => unknown(),
        }
    }
    fn import_value(&self, name: &str) -> Option<String> {
        (self.exports)(name)
    }
}

/// The attribute of `logical_id` that `v` reads with `Fn::GetAtt` or `${X.Attr}`, if any.
fn attribute_used(v: &Value, logical_id: &str) -> Option<String> {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(a)) = m.get("Fn::GetAtt")
                && a.first().and_then(Value::as_str) == Some(logical_id)
            {
                return a.get(1).and_then(Value::as_str).map(str::to_string);
            }
            if let Some(sub) = m.get("Fn::Sub") {
                let text = match sub {
                    Value::String(t) => Some(t.as_str()),
                    Value::Array(a) => a.first().and_then(Value::as_str),
                    _ => None,
                };
                let needle = format!("${{{logical_id}.");
                if let Some(i) = text.and_then(|t| t.find(&needle).map(|i| (t, i))) {
                    let rest = &i.0[i.1 + needle.len()..];
                    return rest.split('}').next().map(str::to_string);
                }
            }
            m.values().find_map(|x| attribute_used(x, logical_id))
        }
        Value::Array(a) => a.iter().find_map(|x| attribute_used(x, logical_id)),
        _ => None,
    }
}

/// Leaf paths (dotted) where `a` and `b` differ; objects are compared key by key, anything
/// else as a whole.
fn diff_paths(prefix: &str, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<String>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                diff_paths(&format!("{prefix}.{k}"), x.get(k), y.get(k), out);
            }
        }
        (x, y) if x != y => out.push(prefix.to_string()),
        _ => {}
    }
}

fn rank(r: &RequiresRecreation) -> u8 {
    match r {
        RequiresRecreation::Always => 2,
        RequiresRecreation::Conditionally => 1,
        _ => 0,
    }
}

/// Computes the change set of `template` with parameters `given` against a stack whose
/// current resources are `old` (empty for a new stack).
pub fn plan(
    template: &Template,
    stack: &StackContext,
    params: IndexMap<String, ResolvedParameter>,
    old: &IndexMap<String, StackResource>,
    exports: &dyn Fn(&str) -> Option<String>,
) -> Result<Plan, EvalError> {
    template.validate()?;
    let conditions = Evaluator::evaluate_conditions(template, stack, &params)?;
    let included = included_resources(template, &conditions);
    reject_type_changes(template, old, &included)?;
    let order = template.dependency_order(&included)?;
    let mut actions: BTreeMap<String, Action> = BTreeMap::new();
    let mut changed_props: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut by_id: BTreeMap<String, ResourceChange> = BTreeMap::new();
    for id in &order {
        let decl = &template.resources[id];
        let resolver = PlanResolver {
            old,
            actions: &actions,
            changed_props: &changed_props,
            exports,
        };
        let ev = Evaluator {
            template,
            stack,
            params: &params,
            conditions: &conditions,
            resolver: &resolver,
        };
        let new_props = match ev.eval(&decl.properties) {
            Ok(v) => v,
            Err(e @ EvalError::Validation(_)) => return Err(e),
            // Failures only a deploy can show (a bad attribute): the deploy reports them.
            Err(EvalError::Resource(_)) => Value::String(format!("{UNKNOWN}:{id}")),
        };
        let Some(prev) = old.get(id) else {
            actions.insert(id.clone(), Action::Add);
            by_id.insert(id.clone(), added(id, decl));
            continue;
        };
        let (details, changed) = modification_details(decl, prev, &new_props, &actions, &params);
        if details.is_empty() {
            actions.insert(id.clone(), Action::Keep);
            continue;
        }
        let (replacement, action) = replacement_decision(&details);
        actions.insert(id.clone(), action);
        let scope = scope(&details, &changed);
        changed_props.insert(id.clone(), changed);
        by_id.insert(
            id.clone(),
            ResourceChange {
                action: ChangeAction::Modify,
                logical_id: id.clone(),
                physical_id: Some(prev.physical_id.clone()),
                resource_type: decl.type_name.clone(),
                replacement: Some(replacement),
                scope,
                details,
            },
        );
    }
    let mut changes: Vec<ResourceChange> = template
        .resources
        .keys()
        .filter_map(|k| by_id.remove(k))
        .collect();
    changes.extend(removed(old, &included));
    Ok(Plan {
        params,
        conditions,
        included,
        actions,
        changes,
    })
}

/// The resources whose `Condition` holds (or that have none).
fn included_resources(
    template: &Template,
    conditions: &IndexMap<String, bool>,
) -> BTreeSet<String> {
    template
        .resources
        .iter()
        .filter(|(_, r)| {
            r.condition
                .as_ref()
                .is_none_or(|c| conditions.get(c).copied().unwrap_or(false))
        })
        .map(|(k, _)| k.clone())
        .collect()
}

fn reject_type_changes(
    template: &Template,
    old: &IndexMap<String, StackResource>,
    included: &BTreeSet<String>,
) -> Result<(), EvalError> {
    let type_changes: Vec<&String> = included
        .iter()
        .filter(|id| {
            old.get(*id)
                .is_some_and(|o| o.type_name != template.resources[*id].type_name)
        })
        .collect();
    if !type_changes.is_empty() {
        // CloudFormation's ValidationError for a changed resource type.
        return Err(EvalError::Validation(format!(
            "Update of resource type is not permitted. The new template modifies resource type of the following resources: [{}]",
            type_changes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

fn added(id: &str, decl: &ResourceDecl) -> ResourceChange {
    ResourceChange {
        action: ChangeAction::Add,
        logical_id: id.to_string(),
        physical_id: None,
        resource_type: decl.type_name.clone(),
        replacement: None,
        scope: vec![],
        details: vec![],
    }
}

/// The old resources the new template no longer includes, in the stack's order.
fn removed(
    old: &IndexMap<String, StackResource>,
    included: &BTreeSet<String>,
) -> Vec<ResourceChange> {
    old.iter()
        .filter(|(id, _)| !included.contains(*id))
        .map(|(id, r)| ResourceChange {
            action: ChangeAction::Remove,
            logical_id: id.clone(),
            physical_id: Some(r.physical_id.clone()),
            resource_type: r.type_name.clone(),
            replacement: None,
            scope: vec![],
            details: vec![],
        })
        .collect()
}

/// The details of a resource that exists (`prev`) and whose properties now evaluate to
/// `new_props`, and the names of the top-level properties that changed. No details: the
/// resource is left alone.
fn modification_details(
    decl: &ResourceDecl,
    prev: &StackResource,
    new_props: &Value,
    actions: &BTreeMap<String, Action>,
    params: &IndexMap<String, ResolvedParameter>,
) -> (Vec<ResourceChangeDetail>, BTreeSet<String>) {
    let empty = Map::new();
    let new_map = new_props.as_object().unwrap_or(&empty);
    let old_map = prev.properties.as_object().unwrap_or(&empty);
    let old_raw = prev.template_properties.as_object().unwrap_or(&empty);
    let new_raw = decl.properties.as_object().unwrap_or(&empty);
    let keys: BTreeSet<&String> = new_map.keys().chain(old_map.keys()).collect();
    let mut details = Vec::new();
    let mut changed = BTreeSet::new();
    for k in keys {
        let (a, b) = (old_map.get(k), new_map.get(k));
        let dynamic = b.is_some_and(is_unknown) || is_unknown(new_props);
        if a == b && !dynamic {
            continue;
        }
        changed.insert(k.clone());
        let requires = property_recreation(&decl.type_name, k, a, b, dynamic);
        let (source, entity) = if old_raw.get(k.as_str()) != new_raw.get(k.as_str()) {
            (ChangeSource::DirectModification, None)
        } else {
            indirect_change_source(new_raw.get(k.as_str()), dynamic, actions, params)
        };
        details.push(ResourceChangeDetail {
            attribute: ResourceAttribute::Properties,
            name: Some(k.clone()),
            requires_recreation: Some(requires),
            evaluation: Some(if dynamic {
                Evaluation::Dynamic
            } else {
                Evaluation::Static
            }),
            change_source: Some(source),
            causing_entity: entity,
        });
    }
    if prev.metadata != decl.metadata {
        details.push(ResourceChangeDetail {
            attribute: ResourceAttribute::Metadata,
            name: None,
            requires_recreation: Some(RequiresRecreation::Never),
            evaluation: Some(Evaluation::Static),
            change_source: Some(ChangeSource::DirectModification),
            causing_entity: None,
        });
    }
    (details, changed)
}

/// Whether changing top-level property `k` of a `type_name` from `a` to `b` recreates the
/// resource, from the create-only properties of the resource-type facts.
fn property_recreation(
    type_name: &str,
    k: &str,
    a: Option<&Value>,
    b: Option<&Value>,
    dynamic: bool,
) -> RequiresRecreation {
    // The most intrusive recreation among the changed leaves wins.
    let mut paths = Vec::new();
    if dynamic {
        paths.push(k.to_string());
    } else {
        diff_paths(k, a, b, &mut paths);
    }
    paths
        .iter()
        .map(|p| facts::requires_recreation(type_name, p))
        .max_by_key(rank)
        .unwrap_or(RequiresRecreation::Never)
}

/// Why a property whose template text (`raw`) did not change has a new value: a resource it
/// refers to changes (`dynamic`), or else a parameter it refers to.
fn indirect_change_source(
    raw: Option<&Value>,
    dynamic: bool,
    actions: &BTreeMap<String, Action>,
    params: &IndexMap<String, ResolvedParameter>,
) -> (ChangeSource, Option<String>) {
    let mut refs = Vec::new();
    if let Some(raw) = raw {
        collect_refs(raw, &mut refs);
    }
    if dynamic {
        let r = refs
            .iter()
            .find(|r| actions.get(*r).is_some_and(|a| *a != Action::Keep))
            .cloned();
        // `Fn::GetAtt X.Attr` → ResourceAttribute "X.Attr"; `Ref X` → ResourceReference "X".
        match (r, raw) {
            (Some(r), Some(raw)) => match attribute_used(raw, &r) {
                Some(a) => (ChangeSource::ResourceAttribute, Some(format!("{r}.{a}"))),
                None => (ChangeSource::ResourceReference, Some(r)),
            },
            (r, _) => (ChangeSource::ResourceAttribute, r),
        }
    } else {
        (
            ChangeSource::ParameterReference,
            refs.iter().find(|r| params.contains_key(*r)).cloned(),
        )
    }
}

/// The change set's `Replacement` for a modified resource, and what the deploy will do.
fn replacement_decision(details: &[ResourceChangeDetail]) -> (Replacement, Action) {
    // `Always` with a static value replaces; `Always` evaluated dynamically, or
    // `Conditionally`, gives `Conditional` (ResourceChange API reference).
    if details.iter().any(|d| {
        d.requires_recreation == Some(RequiresRecreation::Always)
            && d.evaluation == Some(Evaluation::Static)
    }) {
        (Replacement::True, Action::Replace)
    } else if details
        .iter()
        .any(|d| d.requires_recreation != Some(RequiresRecreation::Never))
    {
        (Replacement::Conditional, Action::MaybeReplace)
    } else {
        (Replacement::False, Action::Modify)
    }
}

/// The change's `Scope`: the kinds of attribute its details touch, plus `Tags` when the
/// `Tags` property changed.
fn scope(details: &[ResourceChangeDetail], changed: &BTreeSet<String>) -> Vec<ResourceAttribute> {
    // Sorted by the AWS spelling, as the scope always was.
    let mut scope: Vec<ResourceAttribute> = details
        .iter()
        .map(|d| d.attribute.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(ResourceAttribute::from_aws)
        .collect();
    if changed.contains("Tags") {
        scope.push(ResourceAttribute::Tags);
    }
    scope
}
