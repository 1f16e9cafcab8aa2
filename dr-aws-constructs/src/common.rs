//! Small helpers shared by the L2 constructs.

use dr_core::{Expr, Scope, Val};
use serde_json::json;

use crate::l1::Tag;

/// The metadata key under which every construct records its row of the "Servers and Clusters"
/// summary (asset, purpose, size, quantity, DR role).
pub const SUMMARY_KEY: &str = "drkit:summary";

/// One row of the "Servers and Clusters" summary: an asset, what it is for, its size and
/// count, and its role in disaster recovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    /// The asset, e.g. "EC2 instance".
    pub asset: String,
    /// What it is for.
    pub purpose: String,
    /// Its size (instance type, class, CIDR), empty when not applicable.
    pub size: String,
    /// How many.
    pub quantity: String,
    /// Its role in disaster recovery.
    pub dr: String,
}

impl SummaryRow {
    /// Records the row on `scope` under [`SUMMARY_KEY`].
    pub fn record(&self, scope: &Scope) {
        scope.add_metadata(
            SUMMARY_KEY,
            json!({
                "asset": self.asset,
                "purpose": self.purpose,
                "size": self.size,
                "quantity": self.quantity,
                "dr": self.dr,
            }),
        );
    }
}

/// A `Name` tag holding the construct path, so the console shows where a resource comes from.
pub(crate) fn name_tag(scope: &Scope) -> Vec<Tag> {
    vec![Tag::new("Name", scope.path())]
}

/// `Some(value)` as a typed L1 value.
pub(crate) fn val<T>(v: impl Into<Val<T>>) -> Option<Val<T>> {
    Some(v.into())
}

/// `arn:${AWS::Partition}:iam::aws:policy/<name>`: an AWS managed policy, partition-aware
/// (a hard-coded `arn:aws:` draws cfn-lint's hard-coded-partition rule and breaks in China
/// and GovCloud).
pub(crate) fn managed_policy(name: &str) -> Val<String> {
    Val::expr(Expr::sub(
        format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}"),
        Vec::<(String, Expr)>::new(),
    ))
}

/// A KMS key policy in which the account administers the key (`kms:*` for the account root, so
/// IAM policies of the account decide who uses it: "Default key policy", AWS KMS Developer
/// Guide, <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html>),
/// followed by `extra` statements.
pub(crate) fn account_key_policy(extra: impl IntoIterator<Item = Expr>) -> Expr {
    let administers = Expr::map([
        ("Sid", Expr::from("AccountAdministers")),
        ("Effect", Expr::from("Allow")),
        (
            "Principal",
            Expr::map([(
                "AWS",
                Expr::sub(
                    "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
                    Vec::<(String, Expr)>::new(),
                ),
            )]),
        ),
        ("Action", Expr::from("kms:*")),
        ("Resource", Expr::from("*")),
    ]);
    Expr::map([
        ("Version", Expr::from("2012-10-17")),
        (
            "Statement",
            Expr::list(std::iter::once(administers).chain(extra)),
        ),
    ])
}

/// A trust policy that lets `service` assume a role.
pub(crate) fn assume_role_policy(service: &str) -> Expr {
    Expr::from(json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": service },
            "Action": "sts:AssumeRole"
        }]
    }))
}
