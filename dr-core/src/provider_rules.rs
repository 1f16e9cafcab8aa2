//! Rules the CloudFormation resource providers apply when they create or update a resource,
//! beyond what the resource schemas say: a template that breaks one is valid JSON, passes
//! cfn-lint, and still fails on AWS, often after the stack has created half its resources.
//! Synthesis reports each as an error on the construct; each rule keeps AWS's own message so
//! that the simulator can fail the resource the same way.

use serde_json::Value;

use crate::diagnostics::codes;

/// One rule a resource provider enforces.
#[derive(Debug, Clone, Copy)]
pub struct ProviderRule {
    /// The diagnostic code synthesis reports.
    pub code: &'static str,
    /// The resource type the rule applies to.
    pub resource_type: &'static str,
    /// The message the provider fails the resource with, word for word.
    pub aws_message: &'static str,
    /// How to fix it.
    pub hint: &'static str,
    applies: fn(&Value) -> bool,
}

/// `DeletionPolicy: Snapshot` on an Aurora cluster member: the RDS provider's create handler
/// refuses it whenever `DBClusterIdentifier` is set (aws-cloudformation-resource-providers-rds,
/// `aws-rds-dbinstance/src/main/java/software/amazon/rds/dbinstance/CreateHandler.java`,
/// <https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds>):
/// CloudFormation asks the handler for a snapshot on deletion when the resource's
/// `DeletionPolicy` is `Snapshot`.
pub const RDS_CLUSTER_INSTANCE_SNAPSHOT: ProviderRule = ProviderRule {
    code: codes::RDS_011,
    resource_type: "AWS::RDS::DBInstance",
    aws_message: "DeletionPolicy:Snapshot cannot be specified for a cluster instance, use deletion policy on the cluster instead.",
    hint: "set DeletionPolicy Delete on the instance (the cluster's own Snapshot policy keeps the data)",
    applies: |resource| {
        resource.get("DeletionPolicy").and_then(Value::as_str) == Some("Snapshot")
            && resource
                .pointer("/Properties/DBClusterIdentifier")
                .is_some_and(|v| !v.is_null())
    },
};

/// Every rule, in code order.
pub const ALL: &[ProviderRule] = &[RDS_CLUSTER_INSTANCE_SNAPSHOT];

/// The rules a template resource (its JSON: `Type`, `Properties`, policies) breaks.
pub fn broken_by(resource: &Value) -> Vec<&'static ProviderRule> {
    let resource_type = resource.get("Type").and_then(Value::as_str);
    ALL.iter()
        .filter(|r| resource_type == Some(r.resource_type) && (r.applies)(resource))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn instance(policy: &str, cluster: bool) -> Value {
        let mut props = json!({ "DBInstanceClass": "db.r6g.large", "Engine": "aurora-mysql" });
        if cluster {
            props["DBClusterIdentifier"] = json!({ "Ref": "Cluster" });
        }
        json!({ "Type": "AWS::RDS::DBInstance", "DeletionPolicy": policy, "Properties": props })
    }

    #[test]
    fn snapshot_on_a_cluster_member_is_refused_with_the_providers_message() {
        let broken = broken_by(&instance("Snapshot", true));
        assert_eq!(broken.len(), 1);
        assert_eq!(broken[0].code, "DRK-RDS-011");
        assert!(
            broken[0]
                .aws_message
                .starts_with("DeletionPolicy:Snapshot cannot")
        );
    }

    #[test]
    fn delete_on_a_member_and_snapshot_on_a_standalone_instance_are_fine() {
        assert!(broken_by(&instance("Delete", true)).is_empty());
        assert!(broken_by(&instance("Snapshot", false)).is_empty());
        let cluster = json!({ "Type": "AWS::RDS::DBCluster", "DeletionPolicy": "Snapshot",
            "Properties": { "DBClusterIdentifier": "x" } });
        assert!(broken_by(&cluster).is_empty());
    }
}
