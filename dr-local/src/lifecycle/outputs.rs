//! A deploy's outputs, exports and imports, evaluated once every resource exists, and the
//! stack-level failures they cause.

use std::collections::{BTreeMap, BTreeSet};

use dr_core::cloud::StackOutput;
use serde_json::Value;

use super::deploy::Deploy;
use super::resources::{Live, LiveResource};
use crate::eval::{Evaluator, collect_imports};
use crate::state::World;

/// What a deploy leaves at the stack level.
pub(super) struct StackResults {
    /// The stack's outputs, those whose condition holds.
    pub(super) outputs: Vec<StackOutput>,
    /// The exports the new template imports.
    pub(super) imports: BTreeSet<String>,
    /// The first stack-level error: an output that does not evaluate, an export another
    /// stack has, or an export in use that would change or go. It fails the deploy once the
    /// resources are done.
    pub(super) failure: Option<String>,
}

impl Deploy<'_> {
    /// Evaluates the outputs and imports against the resources as the deploy leaves them.
    pub(super) fn stack_results(
        &self,
        world: &World,
        live: &BTreeMap<String, LiveResource>,
    ) -> StackResults {
        let resolver = Live {
            map: live,
            exports: &self.exports,
        };
        let ev = self.evaluator(&resolver);
        let (outputs, failure) = self.evaluate_outputs(&ev);
        let failure = failure
            .or_else(|| self.export_clash(&outputs))
            .or_else(|| self.export_in_use(world, &outputs));
        let mut imports = BTreeSet::new();
        collect_imports(&self.template.raw, &mut imports, &|v| {
            ev.eval(v).ok().and_then(|x| x.as_str().map(str::to_string))
        });
        StackResults {
            outputs,
            imports,
            failure,
        }
    }

    /// The outputs whose condition holds, and the first error among them.
    fn evaluate_outputs(&self, ev: &Evaluator<'_>) -> (Vec<StackOutput>, Option<String>) {
        let mut outputs = Vec::new();
        let mut failure: Option<String> = None;
        for (k, o) in &self.template.outputs {
            if o.condition
                .as_ref()
                .is_some_and(|c| !self.plan.conditions.get(c).copied().unwrap_or(false))
            {
                continue;
            }
            let value = ev.eval(&o.value).map(output_string);
            let export = o
                .export_name
                .as_ref()
                .map(|e| {
                    ev.eval(e)
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                })
                .transpose();
            match (value, export) {
                (Ok(value), Ok(export_name)) => outputs.push(StackOutput {
                    key: k.clone(),
                    value,
                    description: o.description.clone(),
                    export_name,
                }),
                (Err(e), _) | (_, Err(e)) => {
                    failure.get_or_insert(e.to_string());
                }
            }
        }
        (outputs, failure)
    }

    /// The first of `outputs` exporting a name another stack of the Region exports.
    fn export_clash(&self, outputs: &[StackOutput]) -> Option<String> {
        outputs.iter().find_map(|o| {
            let e = o.export_name.as_ref()?;
            let other = self
                .exports
                .get(e)
                .filter(|x| x.stack_name != self.stack.name)?;
            // CloudFormation: "Export with name X is already exported by stack Y".
            Some(format!(
                "Export with name {e} is already exported by stack {}",
                other.stack_name
            ))
        })
    }

    /// The first export of the stack that other stacks import and that `outputs` would
    /// remove or change, with CloudFormation's reason (wording: [`export_deleted_in_use`],
    /// [`export_updated_in_use`]).
    fn export_in_use(&self, world: &World, outputs: &[StackOutput]) -> Option<String> {
        for old in &self.stack.outputs {
            let Some(e) = &old.export_name else { continue };
            let users = world.importers(self.region, e, &self.stack.name);
            if users.is_empty() {
                continue;
            }
            match outputs
                .iter()
                .find(|o| o.export_name.as_deref() == Some(e.as_str()))
            {
                None => return Some(export_deleted_in_use(e, &users)),
                Some(n) if n.value != old.value => return Some(export_updated_in_use(e, &users)),
                _ => {}
            }
        }
        None
    }
}

/// CloudFormation's reason for an update that removes an export other stacks import, and for
/// deleting a stack whose export other stacks import: "Delete canceled. Cannot delete export
/// X as it is in use by Y." (observed in 2025-2026 for both: an update's
/// `UPDATE_ROLLBACK_IN_PROGRESS`, "Remediating 'Cannot delete/update export …'",
/// <https://repost.aws/articles/ARrtwG71pqTYi3bGme27_3bg>, and a refused stack deletion, both
/// quoted in public repositories). Older reports (aws/aws-cdk#604, 2018) show "Export X cannot
/// be deleted as it is in use by Y", the wording CloudFormation used before. Several importers
/// are joined with ", " (as in the update reason quoted for three stacks); AWS's separator is
/// not documented.
pub(super) fn export_deleted_in_use(export: &str, users: &[String]) -> String {
    format!(
        "Delete canceled. Cannot delete export {export} as it is in use by {}.",
        users.join(", ")
    )
}

/// CloudFormation's reason for an update that changes the value of an export other stacks
/// import: "Cannot update export X as it is in use by Y." (the `UPDATE_ROLLBACK_IN_PROGRESS`
/// reason quoted in "The CloudFormation Export Lock",
/// <https://www.filipeestacio.dev/posts/cloudformation-export-lock/>; the AWS Knowledge Center
/// titles the same error "Export EXPORT_NAME cannot be updated as it is in use by STACK_NAME",
/// <https://repost.aws/knowledge-center/cloudformation-stack-export-name-error>, the older
/// wording).
pub(super) fn export_updated_in_use(export: &str, users: &[String]) -> String {
    format!(
        "Cannot update export {export} as it is in use by {}.",
        users.join(", ")
    )
}

/// An output's value as CloudFormation shows it: a list joined with commas.
fn output_string(v: Value) -> String {
    match v {
        Value::String(s) => s,
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}
