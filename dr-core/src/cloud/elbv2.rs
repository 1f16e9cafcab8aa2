//! ELBv2: load balancer attributes.
//!
//! A load balancer's settings outside its create call are key/value attributes, both strings
//! ("LoadBalancerAttribute",
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html>),
//! read with `DescribeLoadBalancerAttributes` and changed with `ModifyLoadBalancerAttributes`,
//! which sets only the keys it is given.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `deletion_protection.enabled`: while `true`, `DeleteLoadBalancer` fails with
/// `OperationNotPermitted` ("Load balancer '<arn>' cannot be deleted because deletion
/// protection is enabled"), and so does CloudFormation's deletion of the resource. The default
/// is `false` ("LoadBalancerAttribute", linked in the module docs).
pub const LB_DELETION_PROTECTION: &str = "deletion_protection.enabled";
/// `access_logs.s3.enabled`: whether access logs go to S3 (default `false`).
pub const LB_ACCESS_LOGS_ENABLED: &str = "access_logs.s3.enabled";
/// `access_logs.s3.bucket`: the bucket the access logs go to, in the load balancer's Region.
pub const LB_ACCESS_LOGS_BUCKET: &str = "access_logs.s3.bucket";
/// `access_logs.s3.prefix`: the prefix of the log objects' keys (none by default).
pub const LB_ACCESS_LOGS_PREFIX: &str = "access_logs.s3.prefix";

/// What `DescribeLoadBalancerAttributes` (or `ModifyLoadBalancerAttributes`) answers: every
/// attribute of the load balancer, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancerAttributes {
    /// Key → value, as AWS spells them (`"true"`, `"60"`, a bucket name).
    pub values: BTreeMap<String, String>,
}

impl LoadBalancerAttributes {
    /// The value of `key`, if the answer has it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// Whether boolean attribute `key` is `true` (an absent key is its default, `false` for
    /// every boolean attribute drkit reads).
    pub fn is_true(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// Whether deletion protection is on ([`LB_DELETION_PROTECTION`]).
    pub fn deletion_protection(&self) -> bool {
        self.is_true(LB_DELETION_PROTECTION)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for LoadBalancerAttributes {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        LoadBalancerAttributes {
            values: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}
