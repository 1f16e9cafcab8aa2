//! Change-set inspection (which changes would lose data) and the stack policies that guard
//! stateful resources.
//!
//! Stack policy semantics ("Prevent updates to stack resources",
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/protect-stack-resources.html>):
//! once a policy is set everything not allowed is denied, `Deny` beats `Allow`, a policy cannot
//! be removed (only replaced by an allow-all one), and `ExecuteChangeSet` takes no temporary
//! override ("ExecuteChangeSet", CloudFormation API Reference,
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html>),
//! so allowing data loss means `SetStackPolicy` before and after.

use dr_core::Region;
use dr_core::cloud::{ChangeAction, Replacement, ResourceChange};
use serde_json::{Value, json};

/// Resource types that hold data or identity that a replacement or removal destroys: databases
/// (their data), the global cluster (replication topology and the global writer endpoint name),
/// hosted zones (delegated name servers change), key pairs (the private key), secrets, and the
/// common stores of state.
pub const STATEFUL_RESOURCE_TYPES: &[&str] = &[
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::RDS::GlobalCluster",
    "AWS::Route53::HostedZone",
    "AWS::EC2::KeyPair",
    "AWS::SecretsManager::Secret",
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::EFS::FileSystem",
    "AWS::EC2::Volume",
    "AWS::KMS::Key",
];

/// Whether a resource is stateful: its type is in [`STATEFUL_RESOURCE_TYPES`], or its template
/// entry keeps it on deletion or replacement (`DeletionPolicy` or `UpdateReplacePolicy` of
/// `Retain`, `RetainExceptOnCreate` or `Snapshot`), which says its author cares about its data.
pub fn is_stateful(resource_type: &str, resource: Option<&Value>) -> bool {
    if STATEFUL_RESOURCE_TYPES.contains(&resource_type) {
        return true;
    }
    let keeps = |key: &str| {
        resource
            .and_then(|r| r.get(key))
            .and_then(Value::as_str)
            .is_some_and(|p| matches!(p, "Retain" | "RetainExceptOnCreate" | "Snapshot"))
    };
    keeps("DeletionPolicy") || keeps("UpdateReplacePolicy")
}

/// The logical ids of a template's stateful resources, in template order.
pub fn stateful_logical_ids(template: &Value) -> Vec<String> {
    template
        .get("Resources")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(_, r)| {
                    is_stateful(
                        r.get("Type").and_then(Value::as_str).unwrap_or_default(),
                        Some(r),
                    )
                })
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// The policy drkit keeps on a stack: every update allowed, except replacing or deleting the
/// stateful resources named. `None` when there are none (no policy means all updates allowed).
pub fn protective_policy(stateful: &[String]) -> Option<String> {
    if stateful.is_empty() {
        return None;
    }
    let resources: Vec<String> = stateful
        .iter()
        .map(|id| format!("LogicalResourceId/{id}"))
        .collect();
    Some(
        json!({
            "Statement": [
                {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": ["Update:Replace", "Update:Delete"], "Principal": "*", "Resource": resources}
            ]
        })
        .to_string(),
    )
}

/// The temporary policy for an update that is allowed to lose data: everything allowed.
pub fn allow_all_policy() -> String {
    json!({"Statement": [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}).to_string()
}

/// Why a change is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalReason {
    /// Replacing or removing a stateful resource loses its data; `allow_data_loss` lifts it.
    DataLoss,
    /// An engine version change of an Aurora global database, which must be upgraded secondary
    /// clusters first, outside a deploy; nothing lifts it.
    GlobalEngineUpgrade {
        /// The version the running cluster reports (or the deployed template's, if unread).
        running: String,
        /// The synthesized version.
        wanted: String,
    },
}

/// A change the engine refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedChange {
    /// The resource's logical id.
    pub logical_id: String,
    /// Its type.
    pub resource_type: String,
    /// Its physical id.
    pub physical_id: Option<String>,
    /// `true`: removed; `false`: replaced.
    pub removed: bool,
    /// Replacement `Conditional` (may be replaced, decided at execution).
    pub conditional: bool,
    /// The properties whose change forces the replacement.
    pub properties: Vec<String>,
    /// Why it is refused.
    pub reason: RefusalReason,
}

impl RefusedChange {
    /// One line: "`Db` (AWS::RDS::DBCluster) would be replaced: changing DBClusterIdentifier forces it".
    pub fn describe(&self) -> String {
        if let RefusalReason::GlobalEngineUpgrade { running, wanted } = &self.reason {
            return format!(
                "`{}` ({}) would change EngineVersion from {running} to {wanted}: an Aurora global database is upgraded secondary clusters first and a deploy updates the primary first (\"Upgrading an Amazon Aurora global database\", https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html). Upgrade it outside drkit (minor: each secondary cluster, then the primary, with `aws rds modify-db-cluster --engine-version {wanted}`; major: `aws rds modify-global-cluster --engine-version {wanted} --allow-major-version-upgrade`), then deploy: once the running clusters report {wanted}, the templates catch up. Or keep engine_version at {running}",
                self.logical_id, self.resource_type
            );
        }
        let what = if self.removed {
            "would be removed".to_string()
        } else if self.conditional {
            "may be replaced (Replacement: Conditional)".to_string()
        } else {
            "would be replaced".to_string()
        };
        let why = if self.removed {
            String::new()
        } else if self.properties.is_empty() {
            ": CloudFormation names no property".to_string()
        } else {
            format!(": changing {} forces it", self.properties.join(", "))
        };
        format!("`{}` ({}) {what}{why}", self.logical_id, self.resource_type)
    }
}

/// The changes of a change set that would replace (`True` or `Conditional`) or remove a
/// stateful resource. `new_template` is the template being deployed; `old_template` the
/// deployed one (for removed resources and their policies).
pub fn refused_changes(
    changes: &[ResourceChange],
    new_template: &Value,
    old_template: Option<&Value>,
) -> Vec<RefusedChange> {
    let entry = |t: Option<&Value>, id: &str| {
        t.and_then(|t| t.get("Resources"))
            .and_then(|r| r.get(id))
            .cloned()
    };
    let mut out = Vec::new();
    for c in changes {
        let removed = c.action == ChangeAction::Remove;
        let replaced =
            matches!(c.action, ChangeAction::Modify | ChangeAction::Dynamic) && c.is_replacement();
        if !removed && !replaced {
            continue;
        }
        let res =
            entry(Some(new_template), &c.logical_id).or_else(|| entry(old_template, &c.logical_id));
        if !is_stateful(&c.resource_type, res.as_ref()) {
            continue;
        }
        let mut properties = c.replacing_properties();
        if properties.is_empty() && replaced {
            // Some changes carry only the names without RequiresRecreation: show those.
            properties = c.details.iter().filter_map(|d| d.name.clone()).collect();
            properties.dedup();
        }
        out.push(RefusedChange {
            logical_id: c.logical_id.clone(),
            resource_type: c.resource_type.clone(),
            physical_id: c.physical_id.clone(),
            removed,
            conditional: c.replacement == Some(Replacement::Conditional),
            properties,
            reason: RefusalReason::DataLoss,
        });
    }
    out
}

/// The preflight's refusal of one stack: nothing was changed in any stack.
pub(crate) fn preflight_message(stack: &str, region: Region, changes: &[RefusedChange]) -> String {
    let mut s =
        format!("stack `{stack}` ({region}): the preflight refuses, before any stack was changed:");
    for c in changes {
        s.push_str("\n  - ");
        s.push_str(&c.describe());
    }
    let data_loss = changes.iter().any(|c| c.reason == RefusalReason::DataLoss);
    s.push_str("\nNo stack was changed.");
    if data_loss {
        s.push_str(" Revert the change, or deploy again with --allow-data-loss if losing the data is intended.");
    }
    s
}

pub(crate) fn refusal_message(stack: &str, region: Region, changes: &[RefusedChange]) -> String {
    let mut s = format!(
        "stack `{stack}` ({region}): refusing to replace or remove stateful resources, which would lose their data:"
    );
    for c in changes {
        s.push_str("\n  - ");
        s.push_str(&c.describe());
    }
    s.push_str(
        "\nNothing was executed and the change set was deleted. Revert the change, or deploy again with --allow-data-loss if losing the data is intended.",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use dr_core::cloud::{RequiresRecreation, ResourceAttribute, ResourceChangeDetail};

    fn change(
        action: ChangeAction,
        id: &str,
        ty: &str,
        replacement: Option<Replacement>,
        prop: &str,
    ) -> ResourceChange {
        ResourceChange {
            action,
            logical_id: id.into(),
            physical_id: None,
            resource_type: ty.into(),
            replacement,
            scope: vec![ResourceAttribute::Properties],
            details: vec![ResourceChangeDetail {
                attribute: ResourceAttribute::Properties,
                name: Some(prop.into()),
                requires_recreation: Some(RequiresRecreation::Always),
                evaluation: None,
                change_source: None,
                causing_entity: None,
            }],
        }
    }

    #[test]
    fn refuses_stateful_replacements_and_removals_only() {
        let new = json!({"Resources": {
            "Db": {"Type": "AWS::RDS::DBCluster"},
            "Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain"},
            "Sg": {"Type": "AWS::EC2::SecurityGroup"}
        }});
        let old = json!({"Resources": {"Zone": {"Type": "AWS::Route53::HostedZone"}}});
        let changes = vec![
            change(
                ChangeAction::Modify,
                "Db",
                "AWS::RDS::DBCluster",
                Some(Replacement::True),
                "DBClusterIdentifier",
            ),
            change(
                ChangeAction::Modify,
                "Logs",
                "AWS::Logs::LogGroup",
                Some(Replacement::Conditional),
                "LogGroupName",
            ),
            change(
                ChangeAction::Modify,
                "Sg",
                "AWS::EC2::SecurityGroup",
                Some(Replacement::True),
                "GroupName",
            ),
            change(
                ChangeAction::Remove,
                "Zone",
                "AWS::Route53::HostedZone",
                None,
                "Name",
            ),
        ];
        let refused = refused_changes(&changes, &new, Some(&old));
        let lines: Vec<String> = refused.iter().map(RefusedChange::describe).collect();
        assert_eq!(
            lines,
            [
                "`Db` (AWS::RDS::DBCluster) would be replaced: changing DBClusterIdentifier forces it",
                "`Logs` (AWS::Logs::LogGroup) may be replaced (Replacement: Conditional): changing LogGroupName forces it",
                "`Zone` (AWS::Route53::HostedZone) would be removed",
            ]
        );
    }

    #[test]
    fn protective_policy_denies_replace_and_delete_of_stateful_ids() {
        let t = json!({"Resources": {"Db": {"Type": "AWS::RDS::DBCluster"}, "Vpc": {"Type": "AWS::EC2::VPC"}}});
        let ids = stateful_logical_ids(&t);
        assert_eq!(ids, ["Db"]);
        let p: Value = serde_json::from_str(&protective_policy(&ids).unwrap()).unwrap();
        assert_eq!(p["Statement"][1]["Effect"], "Deny");
        assert_eq!(
            p["Statement"][1]["Action"],
            json!(["Update:Replace", "Update:Delete"])
        );
        assert_eq!(
            p["Statement"][1]["Resource"],
            json!(["LogicalResourceId/Db"])
        );
        assert_eq!(protective_policy(&[]), None);
    }
}
