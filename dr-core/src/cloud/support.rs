//! SSM parameters, STS caller identity (S3 uploads need no type of their own).

use serde::{Deserialize, Serialize};

/// An SSM parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsmParameter {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
    /// Its version.
    pub version: i64,
}

/// `GetCallerIdentity`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallerIdentity {
    /// The account id.
    pub account: String,
    /// The caller's ARN.
    pub arn: String,
    /// The caller's user id.
    pub user_id: String,
}
