//! `diff`: what a deploy would change, per stack, without changing anything but a change set
//! that is deleted again.
//!
//! A template over CloudFormation's inline limit (51,200 bytes) can reach a change set only
//! through S3 (`TemplateURL`; "CreateChangeSet",
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html>),
//! and an upload would leave an object behind, so such a stack is compared from its deployed
//! template (`GetTemplate`) and the synthesized one, as the preflight compares them, and needs
//! no template bucket ([`DiffSource::Templates`]).
//!
//! As `cdk diff` does, a modified resource shows each changed property with its deployed and
//! its synthesized value (`DesiredCapacity: "3" -> "4"`), at the deepest level that differs
//! (`Tags[2].Value`, `LaunchTemplateData.UserData`), marked when changing it replaces the
//! resource; changed parameters and outputs follow the resources.

use std::collections::HashMap;
use std::fmt;

use dr_core::Region;
use dr_core::cloud::{
    ChangeAction, ChangeSetStatus, ChangeSetType, ChangeSource, Cloud, CloudError, ParameterValue,
    Replacement, RequiresRecreation, ResourceAttribute, ResourceChange, StackDescription,
    StackStatus,
};
use dr_core::template::MAX_INLINE_TEMPLATE_BYTES;
use dr_synth::assembly::{Assembly, StackArtifact};
use serde_json::Value;

use super::inspect::is_stateful;
use super::preflight::{ParamValues, deployed_value};
use super::stack::Run;
use super::{DeployError, DeployErrorKind, DeployOptions, NullObserver};

/// How many characters of a value a diff line shows before it elides the rest.
const MAX_VALUE_CHARS: usize = 60;

/// How a resource changes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangeKind {
    /// New.
    Added,
    /// Changed; `replacement` as CloudFormation says (`True`/`Conditional` = replaced).
    Modified {
        /// Whether it is replaced.
        replacement: Option<Replacement>,
        /// The values that change, in template order.
        properties: Vec<PropertyChange>,
    },
    /// Deleted.
    Removed,
    /// Another action (`Import`, `Dynamic`).
    Other(ChangeAction),
}

/// Whether changing a property replaces its resource (ordered: `Always` is the most).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PropertyReplacement {
    /// Updated in place.
    Never,
    /// Replaced in some cases (CloudFormation's `Conditionally`, counted as a replacement).
    Maybe,
    /// Replaced.
    Always,
}

/// One changed value of a modified resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyChange {
    /// Where: a property path at the deepest level that differs (`DesiredCapacity`,
    /// `Tags[2].Value`, `LaunchTemplateData.UserData`); attributes other than `Properties`
    /// are prefixed with their name (`DeletionPolicy`, `Metadata.Note`).
    pub path: String,
    /// The deployed template's value; `None` when it was not set.
    pub old: Option<Value>,
    /// The synthesized template's value; `None` when it is removed.
    pub new: Option<Value>,
    /// Whether the change replaces the resource: the change set's `RequiresRecreation`, or
    /// the type's create-only properties when the change set does not say.
    pub replacement: PropertyReplacement,
    /// When the template text is the same and the value changes through a reference: what
    /// it refers to (`parameter PeerVpcId`, `resource Vpc`).
    pub via: Option<String>,
}

/// One resource change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceDiff {
    /// The logical id.
    pub logical_id: String,
    /// The type.
    pub resource_type: String,
    /// The change.
    pub kind: ChangeKind,
    /// Whether the resource is stateful (a replacement or removal would lose data).
    pub stateful: bool,
}

impl ResourceDiff {
    /// Replaced (or maybe replaced).
    pub fn is_replacement(&self) -> bool {
        matches!(
            self.kind,
            ChangeKind::Modified {
                replacement: Some(Replacement::True | Replacement::Conditional),
                ..
            }
        )
    }
}

/// A changed parameter value or output definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueChange {
    /// The parameter or output.
    pub key: String,
    /// The deployed value (a parameter's value, an output's definition); `None` when new.
    pub old: Option<Value>,
    /// The value a deploy would set; `None` when removed.
    pub new: Option<Value>,
}

/// Where a stack's changes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiffSource {
    /// Nothing had to be computed: the stack is new (every resource is added), its template and
    /// parameters are unchanged, or it could not be read.
    Unneeded,
    /// A change set CloudFormation computed, deleted again.
    ChangeSet,
    /// The deployed and the synthesized templates, compared as the deploy's preflight compares
    /// them (create-only properties from `dr_core::resource_facts`, a value known only at deploy
    /// time counted as a possible replacement): the minified template is over the 51,200-byte
    /// inline limit, and a change set would need it uploaded to S3 first, which `diff` does
    /// not do.
    Templates,
}

/// The changes of one stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackDiff {
    /// The stack.
    pub stack: String,
    /// Its Region.
    pub region: Region,
    /// Whether the stack is deployed (otherwise every resource is added).
    pub exists: bool,
    /// The resource changes, in change-set (or template) order.
    pub changes: Vec<ResourceDiff>,
    /// The parameters whose value changes, in template order. A `NoEcho` parameter new to the
    /// stack shows `(hidden)`; a deployed one is not listed, since CloudFormation returns its
    /// value as `****`, which cannot be compared.
    pub parameters: Vec<ValueChange>,
    /// The outputs whose definition changes, in template order.
    pub outputs: Vec<ValueChange>,
    /// Why the stack could not be read: its Region does not answer. Then `exists` and
    /// `changes` say nothing; the other stacks are still compared.
    pub unreachable: Option<String>,
    /// What the deploy's preflight would stop on in this stack, a line each (a refused change,
    /// an export still in use, a parameter nothing fills); a deploy with any of them changes no
    /// stack.
    pub preflight: Vec<String>,
    /// How the changes were computed: by a change set, or from the templates when the
    /// template is over the inline limit (no change set, no upload, no bucket needed).
    pub source: DiffSource,
}

impl StackDiff {
    /// No change yet for the stack of `art`, which exists or not.
    fn of(art: &StackArtifact, exists: bool) -> StackDiff {
        StackDiff {
            stack: art.name.clone(),
            region: art.region,
            exists,
            changes: Vec::new(),
            parameters: Vec::new(),
            outputs: Vec::new(),
            unreachable: None,
            preflight: Vec::new(),
            source: DiffSource::Unneeded,
        }
    }
    /// Nothing would change.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.parameters.is_empty() && self.outputs.is_empty()
    }
}

impl fmt::Display for StackDiff {
    /// A line per resource (`+` added, `-` removed, `~` modified, with its type), under a
    /// modified one a line per changed value (`old -> new`, `(replace)` when it replaces the
    /// resource); then the parameters and outputs that change.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(why) = &self.unreachable {
            writeln!(f, "Stack {} ({})", self.stack, self.region)?;
            return writeln!(f, "  unknown: {why}");
        }
        let state = if self.exists { "" } else { " (new stack)" };
        writeln!(f, "Stack {} ({}){state}", self.stack, self.region)?;
        if self.source == DiffSource::Templates {
            writeln!(
                f,
                "  computed from the templates (over {} bytes, so no change set and no upload)",
                thousands(MAX_INLINE_TEMPLATE_BYTES)
            )?;
        }
        for finding in &self.preflight {
            writeln!(f, "  ! a deploy would change no stack, {finding}")?;
        }
        if self.is_empty() {
            return writeln!(f, "  no changes");
        }
        for c in &self.changes {
            let (sign, extra) = match &c.kind {
                ChangeKind::Added => ("+", ""),
                ChangeKind::Removed => ("-", ""),
                ChangeKind::Modified { replacement, .. } => (
                    "~",
                    match replacement {
                        Some(Replacement::True) => " (replace)",
                        Some(Replacement::Conditional) => " (may replace)",
                        _ => "",
                    },
                ),
                ChangeKind::Other(_) => ("?", ""),
            };
            let warn = if c.stateful && (c.is_replacement() || c.kind == ChangeKind::Removed) {
                " (stateful: data loss)"
            } else {
                ""
            };
            write!(
                f,
                "  {sign} {} {}{extra}{warn}",
                c.logical_id, c.resource_type
            )?;
            if let ChangeKind::Other(a) = &c.kind {
                write!(f, " ({a})")?;
            }
            writeln!(f)?;
            if let ChangeKind::Modified { properties, .. } = &c.kind {
                for p in properties {
                    writeln!(f, "      {}", show_property(p))?;
                }
            }
        }
        for (title, list) in [("Parameters", &self.parameters), ("Outputs", &self.outputs)] {
            if list.is_empty() {
                continue;
            }
            writeln!(f, "  {title}:")?;
            for v in list {
                let line = match (&v.old, &v.new) {
                    (None, Some(new)) => format!("+ {}: {}", v.key, show_value(new)),
                    (Some(old), None) => format!("- {}: {}", v.key, show_value(old)),
                    (old, new) => {
                        format!("~ {}: {}", v.key, show_change(old.as_ref(), new.as_ref()))
                    }
                };
                writeln!(f, "    {line}")?;
            }
        }
        Ok(())
    }
}

/// `path: old -> new`, marked when it replaces the resource.
fn show_property(p: &PropertyChange) -> String {
    let mark = match p.replacement {
        PropertyReplacement::Never => "",
        PropertyReplacement::Maybe => " (may replace)",
        PropertyReplacement::Always => " (replace)",
    };
    match &p.via {
        // The template text is unchanged: show it once, and what moves it.
        Some(via) if p.old == p.new => format!(
            "{}: {} (changes with {via}){mark}",
            p.path,
            p.new
                .as_ref()
                .map(show_value)
                .unwrap_or_else(|| "(none)".into())
        ),
        _ => format!(
            "{}: {}{mark}",
            p.path,
            show_change(p.old.as_ref(), p.new.as_ref())
        ),
    }
}

/// `old -> new` in compact JSON, `(none)` for a missing side. Values too long for a line are
/// cut to the same window around their first difference, so the part that changes shows.
fn show_change(old: Option<&Value>, new: Option<&Value>) -> String {
    let text = |v: Option<&Value>| v.map(compact).unwrap_or_else(|| "(none)".into());
    let (old, new) = (text(old), text(new));
    let (o, n): (Vec<char>, Vec<char>) = (old.chars().collect(), new.chars().collect());
    if o.len() <= MAX_VALUE_CHARS && n.len() <= MAX_VALUE_CHARS {
        return format!("{old} -> {new}");
    }
    let first_diff = o.iter().zip(&n).take_while(|(a, b)| a == b).count();
    // Some context before the difference, the rest of the window after it.
    let start = first_diff.saturating_sub(MAX_VALUE_CHARS / 3);
    format!("{} -> {}", window(&o, start), window(&n, start))
}

/// A value alone, cut to the line's budget.
fn show_value(v: &Value) -> String {
    let chars: Vec<char> = compact(v).chars().collect();
    window(&chars, 0)
}

/// `MAX_VALUE_CHARS` characters from `start`, with `…` where text is left out.
fn window(chars: &[char], start: usize) -> String {
    let start = start.min(chars.len());
    let end = (start + MAX_VALUE_CHARS).min(chars.len());
    let mut s = String::new();
    if start > 0 {
        s.push('…');
    }
    s.extend(&chars[start..end]);
    if end < chars.len() {
        s.push('…');
    }
    s
}

/// `51200` as `51,200`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// For each stack of `assembly` (or `options.only`), what a deploy would change. A deployed
/// stack gets an UPDATE change set that is deleted afterwards (none when its template and
/// parameters are unchanged, none when its template is over the inline limit: then the
/// templates are compared, with no upload); a stack that does not exist is compared with an
/// empty one. No template bucket is needed.
pub async fn diff(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    options: &DeployOptions,
) -> Result<Vec<StackDiff>, DeployError> {
    let mut out = Vec::new();
    let selected: Vec<&StackArtifact> = assembly
        .waves()
        .into_iter()
        .flatten()
        .filter(|art| options.only.as_ref().is_none_or(|o| o.contains(&art.name)))
        .collect();
    let preflight = super::preflight::run(cloud, assembly, &selected, options, &NullObserver).await;
    // One line per refused change; other findings as the deploy would say them.
    let findings = |stack: &str| -> Vec<String> {
        let mut lines = Vec::new();
        for e in preflight.findings.iter().filter(|e| e.stack() == stack) {
            match e.kind() {
                DeployErrorKind::PreflightRefused { changes } => {
                    lines.extend(changes.iter().map(|c| format!("refused: {}", c.describe())))
                }
                _ => lines.push(e.to_string()),
            }
        }
        lines
    };
    for art in &assembly.stacks {
        if options
            .only
            .as_ref()
            .is_some_and(|o| !o.contains(&art.name))
        {
            continue;
        }
        match diff_stack(cloud, assembly, art, options).await {
            Ok(d) => out.push(StackDiff {
                preflight: findings(&art.name),
                ..d
            }),
            // In a Region outage the other Region's stacks are still worth comparing (deploy
            // goes on there too).
            Err(e) if e.cloud_error().is_some_and(CloudError::is_region_outage) => {
                out.push(StackDiff {
                    unreachable: Some(e.to_string()),
                    ..StackDiff::of(art, false)
                })
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// One stack's diff.
async fn diff_stack(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    art: &StackArtifact,
    options: &DeployOptions,
) -> Result<StackDiff, DeployError> {
    let no_outputs = HashMap::new();
    let unchanged = || StackDiff::of(art, true);
    let run = Run::new(cloud, art, &NullObserver, options.poll);
    let desc = cloud
        .describe_stack(art.region, &art.name)
        .await
        .map_err(|e| run.err(e))?;
    let exists = desc.as_ref().is_some_and(|d| {
        !matches!(
            d.status,
            StackStatus::ReviewInProgress
                | StackStatus::RollbackComplete
                | StackStatus::DeleteComplete
        )
    });
    let Some(desc) = desc.filter(|_| exists) else {
        return Ok(StackDiff {
            changes: added(&art.template),
            ..StackDiff::of(art, false)
        });
    };
    let params = run.resolve_parameters(assembly, &no_outputs).await?;
    let parameters = parameter_changes(&art.template, &desc, &params);
    let old_text = cloud
        .get_template(art.region, &art.name)
        .await
        .map_err(|e| run.err(e))?;
    let old: Option<Value> = serde_json::from_str(&old_text).ok();
    if run.unchanged(&desc, old.as_ref(), &params).await? {
        return Ok(unchanged());
    }
    let body = art.template_body();
    if body.len() > MAX_INLINE_TEMPLATE_BYTES {
        let Some(old) = old else {
            return Err(run.fail(DeployErrorKind::ChangeSetFailed {
                reason: format!(
                    "the deployed template is not JSON, and the synthesized one is over \
                     {} bytes: comparing them needs a change set from a template uploaded \
                     to S3, which diff does not do",
                    thousands(MAX_INLINE_TEMPLATE_BYTES)
                ),
            }));
        };
        let (old_params, new_params) = compared_parameters(&run, &desc, &params).await?;
        let changes = super::preflight::template_resource_changes(
            &old,
            &art.template,
            &old_params,
            &new_params,
        );
        return Ok(StackDiff {
            changes: resource_diffs(&changes, Some(&old), &art.template),
            parameters,
            outputs: output_changes(Some(&old), &art.template),
            source: DiffSource::Templates,
            ..unchanged()
        });
    }
    let (name, cs) = match run
        .create_change_set(options, &body, params, ChangeSetType::Update)
        .await
    {
        Err(e) if e.cloud_error().is_some_and(CloudError::is_no_changes) => {
            return Ok(unchanged());
        }
        other => other?,
    };
    // The change set has served its purpose whatever it says.
    let deleted = run.delete_change_set(&name).await;
    let cs = cs?;
    deleted?;
    if cs.status != ChangeSetStatus::CreateComplete && !cs.is_empty_change() {
        return Err(run.fail(DeployErrorKind::ChangeSetFailed {
            reason: cs
                .status_reason
                .unwrap_or_else(|| format!("status {}", cs.status)),
        }));
    }
    Ok(StackDiff {
        changes: resource_diffs(&cs.changes, old.as_ref(), &art.template),
        parameters,
        outputs: output_changes(old.as_ref(), &art.template),
        source: DiffSource::ChangeSet,
        ..unchanged()
    })
}

/// The parameter values the template comparison substitutes, deployed and to be deployed
/// (`None`: not known). An SSM-typed parameter compares the values it resolves to, deployed and
/// current, since its value (the SSM parameter's name) stays while the AMI id behind it moves.
async fn compared_parameters(
    run: &Run<'_>,
    desc: &StackDescription,
    params: &[ParameterValue],
) -> Result<(ParamValues, ParamValues), DeployError> {
    let mut old = ParamValues::new();
    let mut new = ParamValues::new();
    for p in &desc.parameters {
        let v = p.resolved_value.clone().or_else(|| deployed_value(p));
        old.insert(p.key.clone(), v);
    }
    for p in params {
        let ssm = desc
            .parameter(&p.key)
            .is_some_and(|d| d.resolved_value.is_some());
        let v = if ssm {
            run.cloud
                .get_parameter(run.art.region, &p.value)
                .await
                .map_err(|e| run.err(e))?
                .value
        } else {
            p.value.clone()
        };
        new.insert(p.key.clone(), Some(v));
    }
    Ok((old, new))
}

/// The resource changes as the diff shows them, from a change set's (or the template
/// comparison's) `ResourceChange`s and the deployed and synthesized templates.
fn resource_diffs(
    changes: &[ResourceChange],
    old: Option<&Value>,
    template: &Value,
) -> Vec<ResourceDiff> {
    let entry = |t: Option<&Value>, id: &str| {
        t.and_then(|t| t.get("Resources"))
            .and_then(|r| r.get(id))
            .cloned()
    };
    changes
        .iter()
        .map(|c| {
            let new = entry(Some(template), &c.logical_id);
            let deployed = entry(old, &c.logical_id);
            let kind = match &c.action {
                ChangeAction::Add => ChangeKind::Added,
                ChangeAction::Remove => ChangeKind::Removed,
                ChangeAction::Modify => ChangeKind::Modified {
                    replacement: c.replacement.clone(),
                    properties: type_change(deployed.as_ref(), new.as_ref())
                        .into_iter()
                        .chain(property_changes(c, deployed.as_ref(), new.as_ref()))
                        .collect(),
                },
                other => ChangeKind::Other(other.clone()),
            };
            ResourceDiff {
                logical_id: c.logical_id.clone(),
                resource_type: c.resource_type.clone(),
                kind,
                stateful: is_stateful(&c.resource_type, new.or(deployed).as_ref()),
            }
        })
        .collect()
}

/// A changed `Type`, which replaces the resource.
fn type_change(deployed: Option<&Value>, new: Option<&Value>) -> Option<PropertyChange> {
    let ty = |r: Option<&Value>| r.and_then(|r| r.get("Type")).cloned();
    let (old, new) = (ty(deployed), ty(new));
    (old.is_some() && new.is_some() && old != new).then_some(PropertyChange {
        path: "Type".into(),
        old,
        new,
        replacement: PropertyReplacement::Always,
        via: None,
    })
}

/// The changed values of a modified resource: every difference between its deployed and its
/// synthesized definition, at the deepest level that differs, then the properties the change
/// set names whose template text did not change (they change through a reference).
fn property_changes(
    change: &ResourceChange,
    deployed: Option<&Value>,
    new: Option<&Value>,
) -> Vec<PropertyChange> {
    let empty = serde_json::Map::new();
    let old_attrs = deployed.and_then(Value::as_object).unwrap_or(&empty);
    let new_attrs = new.and_then(Value::as_object).unwrap_or(&empty);
    let old_props = old_attrs.get("Properties").and_then(Value::as_object);
    let new_props = new_attrs.get("Properties").and_then(Value::as_object);
    let (old_props, new_props) = (old_props.unwrap_or(&empty), new_props.unwrap_or(&empty));

    let mut leaves = Vec::new();
    // Properties unprefixed, the other attributes (Metadata, DeletionPolicy…) by name.
    for (key, old_v, new_v) in union(old_props, new_props) {
        diff_values(key, old_v, new_v, &mut leaves);
    }
    for (key, old_v, new_v) in union(old_attrs, new_attrs) {
        if key != "Type" && key != "Properties" {
            diff_values(key, old_v, new_v, &mut leaves);
        }
    }
    let property_details = || {
        change
            .details
            .iter()
            .filter(|d| d.attribute == ResourceAttribute::Properties)
    };
    let replacement = |path: &str, top: &str| {
        let said = property_details()
            .filter(|d| d.name.as_deref() == Some(top))
            .filter_map(|d| d.requires_recreation.as_ref())
            .map(|r| match r {
                RequiresRecreation::Always => PropertyReplacement::Always,
                RequiresRecreation::Conditionally => PropertyReplacement::Maybe,
                _ => PropertyReplacement::Never,
            })
            .max();
        said.unwrap_or_else(|| {
            match dr_core::resource_facts::requires_recreation(&change.resource_type, path) {
                RequiresRecreation::Always => PropertyReplacement::Always,
                RequiresRecreation::Conditionally => PropertyReplacement::Maybe,
                _ => PropertyReplacement::Never,
            }
        })
    };

    let mut out: Vec<PropertyChange> = leaves
        .into_iter()
        .map(|(path, old, new)| {
            let top = top_segment(&path);
            let replacement = if old_props.contains_key(top) || new_props.contains_key(top) {
                replacement(&path, top)
            } else {
                PropertyReplacement::Never
            };
            PropertyChange {
                path,
                old,
                new,
                replacement,
                via: None,
            }
        })
        .collect();
    for d in property_details() {
        let Some(name) = d.name.as_deref() else {
            continue;
        };
        if out.iter().any(|p| top_segment(&p.path) == name) {
            continue;
        }
        let cause = d
            .causing_entity
            .as_deref()
            .unwrap_or("a value known at deploy time");
        let via = match d.change_source {
            Some(ChangeSource::ParameterReference) => format!("parameter {cause}"),
            Some(ChangeSource::ResourceReference) => format!("resource {cause}"),
            _ => cause.to_string(),
        };
        out.push(PropertyChange {
            path: name.to_string(),
            old: old_props.get(name).cloned(),
            new: new_props.get(name).cloned(),
            replacement: replacement(name, name),
            via: Some(via),
        });
    }
    out
}

/// The keys of `new` in order, then those only in `old`, each with both values.
fn union<'a>(
    old: &'a serde_json::Map<String, Value>,
    new: &'a serde_json::Map<String, Value>,
) -> Vec<(&'a str, Option<&'a Value>, Option<&'a Value>)> {
    let mut out: Vec<_> = new
        .iter()
        .map(|(k, v)| (k.as_str(), old.get(k), Some(v)))
        .collect();
    out.extend(
        old.iter()
            .filter(|(k, _)| !new.contains_key(*k))
            .map(|(k, v)| (k.as_str(), Some(v), None)),
    );
    out
}

/// The property a path starts with: `Tags` of `Tags[2].Value`.
fn top_segment(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap_or(path)
}

/// An intrinsic function (`{"Ref": …}`, `{"Fn::GetAtt": …}`) is one value: a diff inside its
/// arguments would name paths no template author wrote.
fn is_intrinsic(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.len() == 1
            && m.keys()
                .all(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
    })
}

/// Adds `(path, old, new)` for each difference between `old` and `new`, descending into
/// objects and arrays to the deepest level that differs.
fn diff_values(
    path: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    out: &mut Vec<(String, Option<Value>, Option<Value>)>,
) {
    if old == new {
        return;
    }
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b)))
            if !is_intrinsic(old.unwrap_or(&Value::Null))
                && !is_intrinsic(new.unwrap_or(&Value::Null)) =>
        {
            for (k, o, n) in union(a, b) {
                diff_values(&format!("{path}.{k}"), o, n, out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                diff_values(&format!("{path}[{i}]"), a.get(i), b.get(i), out);
            }
        }
        _ => out.push((path.to_string(), old.cloned(), new.cloned())),
    }
}

/// The parameters whose deployed value differs from the one a deploy would pass.
fn parameter_changes(
    template: &Value,
    desc: &StackDescription,
    params: &[ParameterValue],
) -> Vec<ValueChange> {
    params
        .iter()
        .filter_map(|p| {
            let old = desc.parameter(&p.key).map(|d| d.value.as_str());
            let hidden = template
                .pointer(&format!("/Parameters/{}/NoEcho", p.key))
                .is_some_and(|v| v == &Value::Bool(true) || v.as_str() == Some("true"));
            // A deployed NoEcho value reads `****`: not comparable, so not listed.
            if old == Some(p.value.as_str()) || (hidden && old.is_some()) {
                return None;
            }
            let shown = |v: &str| Value::String(if hidden { "(hidden)" } else { v }.into());
            Some(ValueChange {
                key: p.key.clone(),
                old: old.map(shown),
                new: Some(shown(&p.value)),
            })
        })
        .collect()
}

/// The outputs whose definition differs between the deployed and the synthesized template:
/// the `Value` when it changes, else the whole definition (an `Export` that changes).
fn output_changes(deployed: Option<&Value>, template: &Value) -> Vec<ValueChange> {
    let empty = serde_json::Map::new();
    let outputs = |t: Option<&Value>| {
        t.and_then(|t| t.get("Outputs"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let (old, new) = (outputs(deployed), outputs(Some(template)));
    union(&old, &new)
        .into_iter()
        .filter(|(_, o, n)| o != n)
        .map(|(key, o, n)| {
            let value_changed = o.and_then(|o| o.get("Value")) != n.and_then(|n| n.get("Value"));
            let pick = |v: Option<&Value>| {
                v.map(|v| match v.get("Value") {
                    Some(value) if value_changed => value.clone(),
                    _ => v.clone(),
                })
            };
            ValueChange {
                key: key.to_string(),
                old: pick(o),
                new: pick(n),
            }
        })
        .collect()
}

fn added(template: &Value) -> Vec<ResourceDiff> {
    template
        .get("Resources")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(id, r)| {
                    let ty = r
                        .get("Type")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    ResourceDiff {
                        logical_id: id.clone(),
                        stateful: is_stateful(&ty, Some(r)),
                        resource_type: ty,
                        kind: ChangeKind::Added,
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}
