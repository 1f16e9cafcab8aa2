//! `diff`: what a deploy would change, per stack, without changing anything but a change set
//! that is deleted again.

use std::collections::HashMap;
use std::fmt;

use dr_core::Region;
use dr_core::cloud::{
    ChangeAction, ChangeSetStatus, ChangeSetType, Cloud, CloudError, Replacement, StackStatus,
};
use dr_synth::assembly::{Assembly, StackArtifact};
use serde_json::Value;

use super::inspect::is_stateful;
use super::stack::Run;
use super::{DeployError, DeployOptions, NullObserver};

/// How a resource changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// New.
    Added,
    /// Changed; `replacement` as CloudFormation says (`True`/`Conditional` = replaced).
    Modified {
        /// Whether it is replaced.
        replacement: Option<Replacement>,
        /// The properties that change.
        properties: Vec<String>,
    },
    /// Deleted.
    Removed,
    /// Another action (`Import`, `Dynamic`).
    Other(ChangeAction),
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
    /// Why the stack could not be read: its Region does not answer. Then `exists` and
    /// `changes` say nothing; the other stacks are still compared.
    pub unreachable: Option<String>,
}

impl fmt::Display for StackDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(why) = &self.unreachable {
            writeln!(f, "Stack {} ({})", self.stack, self.region)?;
            return writeln!(f, "  unknown: {why}");
        }
        let state = if self.exists { "" } else { " (new stack)" };
        writeln!(f, "Stack {} ({}){state}", self.stack, self.region)?;
        if self.changes.is_empty() {
            return writeln!(f, "  no changes");
        }
        for c in &self.changes {
            let (sign, extra) = match &c.kind {
                ChangeKind::Added => ("+", String::new()),
                ChangeKind::Removed => ("-", String::new()),
                ChangeKind::Modified {
                    replacement,
                    properties,
                } => {
                    let props = if properties.is_empty() {
                        String::new()
                    } else {
                        format!(" [{}]", properties.join(", "))
                    };
                    let repl = match replacement {
                        Some(Replacement::True) => " REPLACE",
                        Some(Replacement::Conditional) => " MAY REPLACE",
                        _ => "",
                    };
                    ("~", format!("{props}{repl}"))
                }
                ChangeKind::Other(a) => ("?", format!(" ({a})")),
            };
            let warn = if c.stateful && (c.is_replacement() || c.kind == ChangeKind::Removed) {
                " (stateful: data loss)"
            } else {
                ""
            };
            writeln!(
                f,
                "  {sign} {} {}{extra}{warn}",
                c.logical_id, c.resource_type
            )?;
        }
        Ok(())
    }
}

/// For each stack of `assembly` (or `options.only`), what a deploy would change. A deployed
/// stack gets an UPDATE change set that is deleted afterwards (none when its template and
/// parameters are unchanged); a stack that does not exist is compared with an empty one.
pub async fn diff(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    options: &DeployOptions,
) -> Result<Vec<StackDiff>, DeployError> {
    let mut out = Vec::new();
    for art in &assembly.stacks {
        if options
            .only
            .as_ref()
            .is_some_and(|o| !o.contains(&art.name))
        {
            continue;
        }
        match diff_stack(cloud, assembly, art, options).await {
            Ok(d) => out.push(d),
            // In a Region outage the other Region's stacks are still worth comparing (deploy
            // goes on there too).
            Err(
                e @ DeployError::Cloud {
                    source: CloudError::RegionUnavailable { .. },
                    ..
                },
            ) => out.push(StackDiff {
                stack: art.name.clone(),
                region: art.region,
                exists: false,
                changes: Vec::new(),
                unreachable: Some(e.to_string()),
            }),
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
    let unchanged = || StackDiff {
        stack: art.name.clone(),
        region: art.region,
        exists: true,
        changes: Vec::new(),
        unreachable: None,
    };
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
            stack: art.name.clone(),
            region: art.region,
            exists: false,
            changes: added(&art.template),
            unreachable: None,
        });
    };
    let params = run.resolve_parameters(assembly, &no_outputs).await?;
    let old_text = cloud
        .get_template(art.region, &art.name)
        .await
        .map_err(|e| run.err(e))?;
    let old: Option<Value> = serde_json::from_str(&old_text).ok();
    if run.unchanged(&desc, old.as_ref(), &params).await? {
        return Ok(unchanged());
    }
    let body = super::check_template_size(art, options.template_bucket.as_deref())?;
    let (name, cs) = match run
        .create_change_set(options, &body, params, ChangeSetType::Update)
        .await
    {
        Err(DeployError::Cloud { source, .. }) if source.is_no_changes() => {
            return Ok(unchanged());
        }
        other => other?,
    };
    // The change set has served its purpose whatever it says.
    let deleted = run.delete_change_set(&name).await;
    let cs = cs?;
    deleted?;
    if cs.status != ChangeSetStatus::CreateComplete && !cs.is_empty_change() {
        return Err(DeployError::ChangeSetFailed {
            stack: art.name.clone(),
            region: art.region,
            reason: cs
                .status_reason
                .unwrap_or_else(|| format!("status {}", cs.status)),
        });
    }
    let entry = |t: Option<&Value>, id: &str| {
        t.and_then(|t| t.get("Resources"))
            .and_then(|r| r.get(id))
            .cloned()
    };
    let changes = cs
        .changes
        .iter()
        .map(|c| {
            let res = entry(Some(&art.template), &c.logical_id)
                .or_else(|| entry(old.as_ref(), &c.logical_id));
            let kind = match &c.action {
                ChangeAction::Add => ChangeKind::Added,
                ChangeAction::Remove => ChangeKind::Removed,
                ChangeAction::Modify => {
                    let mut properties: Vec<String> = Vec::new();
                    for d in &c.details {
                        if let Some(n) = &d.name
                            && !properties.contains(n)
                        {
                            properties.push(n.clone());
                        }
                    }
                    ChangeKind::Modified {
                        replacement: c.replacement.clone(),
                        properties,
                    }
                }
                other => ChangeKind::Other(other.clone()),
            };
            ResourceDiff {
                logical_id: c.logical_id.clone(),
                resource_type: c.resource_type.clone(),
                kind,
                stateful: is_stateful(&c.resource_type, res.as_ref()),
            }
        })
        .collect();
    Ok(StackDiff {
        changes,
        ..unchanged()
    })
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
