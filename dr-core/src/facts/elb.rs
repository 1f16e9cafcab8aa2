//! Elastic Load Balancing access logs: who must be allowed to write them into a bucket, per
//! Region, and what the bucket must look like.
//!
//! # The log-delivery principal
//!
//! "Enable access logs for your Application Load Balancer", step 2 "Attach a policy to your S3
//! bucket" ([`SOURCE_URL`]), grants `s3:PutObject` on
//! `arn:aws:s3:::bucket[/prefix]/AWSLogs/<your account id>/*` to:
//!
//! - in the Regions available before August 2022, the Elastic Load Balancing account of the
//!   Region (`arn:aws:iam::<elb-account-id>:root`), from the page's per-Region table (22
//!   Regions, Asia Pacific (Jakarta) included);
//! - in the Regions available as of August 2022 or later, the service principal
//!   [`LOG_DELIVERY_SERVICE`].
//!
//! The same account table is kept by aws-cdk-lib (`ELBV2_ACCOUNTS` in
//! `packages/aws-cdk-lib/region-info/build-tools/fact-tables.ts`: "Any not listed regions use
//! the service principal") and by the Terraform AWS provider
//! (`internal/service/elb/service_account_data_source.go`), which agree with the page on every
//! Region drkit knows.
//!
//! # Encryption
//!
//! The same page, step 1 "Create an S3 bucket", Requirements: "The bucket must be located in
//! the same Region as the load balancer" and "The only server-side encryption option that's
//! supported is Amazon S3-managed keys (SSE-S3)". SSE-KMS (including DSSE-KMS) is therefore
//! not accepted for ALB access logs; see [`ACCESS_LOG_SSE_ALGORITHM`].

use crate::region::Region;

/// The title of the page the per-Region table follows.
pub const SOURCE_TITLE: &str = "Enable access logs for your Application Load Balancer";
/// The URL of the page the per-Region table follows.
pub const SOURCE_URL: &str = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html";

/// The service principal that writes access logs in the Regions available as of August 2022
/// or later (same page, "Regions available as of August 2022 or later").
pub const LOG_DELIVERY_SERVICE: &str = "logdelivery.elasticloadbalancing.amazonaws.com";

/// The only default bucket encryption ALB access-log delivery accepts: SSE-S3, whose
/// `SSEAlgorithm` in `AWS::S3::Bucket` `BucketEncryption` is `AES256` (same page, "Bucket
/// requirements"; "AWS::S3::Bucket ServerSideEncryptionByDefault",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-s3-bucket-serversideencryptionbydefault.html>).
pub const ACCESS_LOG_SSE_ALGORITHM: &str = "AES256";

/// The part of an object key ELB writes after the bucket and prefix; a prefix must not contain
/// it (same page, "The prefix that you specify must not include AWSLogs").
pub const AWS_LOGS: &str = "AWSLogs";

/// Who a bucket policy must allow to write a Region's ALB access logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogDeliveryPrincipal {
    /// A Region available before August 2022: the Region's Elastic Load Balancing account id,
    /// granted as `{"AWS": "arn:aws:iam::<id>:root"}`.
    Account(&'static str),
    /// A Region available as of August 2022 or later: a service principal, granted as
    /// `{"Service": "<name>"}` (always [`LOG_DELIVERY_SERVICE`]).
    Service(&'static str),
}

impl LogDeliveryPrincipal {
    /// The `Principal` element's key: `AWS` for an account, `Service` for a service.
    pub fn policy_key(self) -> &'static str {
        match self {
            LogDeliveryPrincipal::Account(_) => "AWS",
            LogDeliveryPrincipal::Service(_) => "Service",
        }
    }

    /// The `Principal` element's value: `arn:aws:iam::<id>:root` for an account (the page's
    /// form), the service name for a service.
    pub fn policy_value(self) -> String {
        match self {
            LogDeliveryPrincipal::Account(id) => format!("arn:aws:iam::{id}:root"),
            LogDeliveryPrincipal::Service(name) => name.to_string(),
        }
    }
}

/// Who must be allowed to write ALB access logs in `region` (see the module documentation for
/// the source). Every [`Region`] drkit knows has an answer.
pub fn elb_log_delivery_principal(region: Region) -> LogDeliveryPrincipal {
    use LogDeliveryPrincipal::{Account, Service};
    // An exhaustive match, no wildcard: a Region added to `region.rs` does not compile until
    // someone looks it up in the page's table.
    match region {
        Region::UsEast1 => Account("127311923021"),
        Region::UsEast2 => Account("033677994240"),
        Region::UsWest1 => Account("027434742980"),
        Region::UsWest2 => Account("797873946194"),
        Region::AfSouth1 => Account("098369216593"),
        Region::ApEast1 => Account("754344448648"),
        Region::ApSoutheast3 => Account("589379963580"),
        Region::ApSouth1 => Account("718504428378"),
        Region::ApNortheast3 => Account("383597477331"),
        Region::ApNortheast2 => Account("600734575887"),
        Region::ApSoutheast1 => Account("114774131450"),
        Region::ApSoutheast2 => Account("783225319266"),
        Region::ApNortheast1 => Account("582318560864"),
        Region::CaCentral1 => Account("985666609251"),
        Region::EuCentral1 => Account("054676820928"),
        Region::EuWest1 => Account("156460612806"),
        Region::EuWest2 => Account("652711504416"),
        Region::EuSouth1 => Account("635631232127"),
        Region::EuWest3 => Account("009996457667"),
        Region::EuNorth1 => Account("897822967062"),
        Region::MeSouth1 => Account("076674570225"),
        Region::SaEast1 => Account("507241528517"),
        Region::CaWest1
        | Region::MxCentral1
        | Region::EuCentral2
        | Region::EuSouth2
        | Region::ApSouth2
        | Region::ApSoutheast4
        | Region::ApSoutheast5
        | Region::ApSoutheast7
        | Region::MeCentral1
        | Region::IlCentral1 => Service(LOG_DELIVERY_SERVICE),
    }
}

/// Whether an S3 default encryption algorithm (`SSEAlgorithm` of the bucket's
/// `BucketEncryption`) is one ALB access-log delivery accepts: only SSE-S3 (`AES256`, see the
/// module documentation). `aws:kms` and `aws:kms:dsse` are refused; ELB then answers the
/// same "Access Denied for bucket" as for a missing permission (reported in aws/aws-cdk#21947
/// and terraform-aws-modules/terraform-aws-alb#61; aws-cdk-lib refuses a KMS-encrypted
/// access-log bucket up front since aws/aws-cdk#29382). A bucket without a default
/// encryption setting is encrypted with SSE-S3 by S3 itself ("Setting default server-side
/// encryption behavior for Amazon S3 buckets",
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html>: "all new
/// buckets have encryption configured ... SSE-S3 ... as the base level"), so `None` is
/// accepted.
pub fn access_log_encryption_accepted(sse_algorithm: Option<&str>) -> bool {
    matches!(sse_algorithm, None | Some(ACCESS_LOG_SSE_ALGORITHM))
}

/// The object key ELB writes its test file to when access logs are turned on:
/// `[prefix/]AWSLogs/<account>/ELBAccessLogTestFile` (same page, "Verify bucket
/// permissions": "Navigate to the test file, `ELBAccessLogTestFile`, in the following
/// location: `my-bucket/prefix/AWSLogs/123456789012/ELBAccessLogTestFile`").
pub fn access_log_test_key(prefix: Option<&str>, account: &str) -> String {
    match prefix.filter(|p| !p.is_empty()) {
        Some(p) => format!("{p}/{AWS_LOGS}/{account}/ELBAccessLogTestFile"),
        None => format!("{AWS_LOGS}/{account}/ELBAccessLogTestFile"),
    }
}

/// Whether a bucket policy document lets ELB in `region` write the access logs of `account`
/// under `prefix` into `bucket`, as ELB checks when the access-log attributes are set. The
/// document is evaluated (plain strings; the partition is `aws`, that of every [`Region`]).
///
/// Granting: an `Allow` statement whose `Principal` is the Region's
/// [`elb_log_delivery_principal`] (an account as `arn:aws:iam::<id>:root` or the bare id, a
/// service by name, or `*`), whose `Action` covers `s3:PutObject` (`*` and `?` wildcards,
/// case-insensitive, as IAM matches actions) and whose `Resource` covers the test object
/// ([`access_log_test_key`]). Denying: a `Deny` statement without a `Condition` that covers
/// the same principal, action and object (a `Deny` with a condition, such as the TLS-only
/// statement's `aws:SecureTransport`, does not apply: ELB writes over TLS). A statement this
/// reader cannot judge (`NotPrincipal`, `NotAction`, `NotResource`, a condition on an
/// `Allow`) is taken as it reads at face value, never as a refusal, so the simulator never
/// refuses what AWS might accept.
pub fn policy_grants_log_delivery(
    policy: &serde_json::Value,
    region: Region,
    bucket: &str,
    account: &str,
    prefix: Option<&str>,
) -> bool {
    use serde_json::Value;
    let principal = elb_log_delivery_principal(region);
    let object = format!(
        "arn:aws:s3:::{bucket}/{}",
        access_log_test_key(prefix, account)
    );
    let strings = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    };
    let principal_matches = |p: Option<&Value>| -> bool {
        match p {
            Some(Value::String(s)) => s == "*",
            Some(Value::Object(o)) => match principal {
                LogDeliveryPrincipal::Account(id) => strings(o.get("AWS"))
                    .iter()
                    .any(|a| a == "*" || a == id || *a == format!("arn:aws:iam::{id}:root")),
                LogDeliveryPrincipal::Service(name) => {
                    strings(o.get("Service")).iter().any(|s| s == name)
                        || strings(o.get("AWS")).iter().any(|a| a == "*")
                }
            },
            _ => false,
        }
    };
    let covers = |s: &serde_json::Map<String, Value>| -> bool {
        principal_matches(s.get("Principal"))
            && strings(s.get("Action"))
                .iter()
                .any(|a| glob(&a.to_ascii_lowercase(), "s3:putobject"))
            && strings(s.get("Resource")).iter().any(|r| glob(r, &object))
    };
    let statements: Vec<&serde_json::Map<String, Value>> = match policy.get("Statement") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(o)) => vec![o],
        _ => Vec::new(),
    };
    let denied = statements.iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some("Deny")
            && s.get("Condition").is_none()
            && covers(s)
    });
    let allowed = statements.iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some("Allow")
            && (covers(s)
                || s.contains_key("NotPrincipal")
                || s.contains_key("NotAction")
                || s.contains_key("NotResource"))
    });
    allowed && !denied
}

/// IAM's wildcard match: `*` any run of characters, `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_table_has_22_account_regions_and_the_rest_use_the_service() {
        let accounts: Vec<_> = Region::ALL
            .iter()
            .filter(|r| {
                matches!(
                    elb_log_delivery_principal(**r),
                    LogDeliveryPrincipal::Account(_)
                )
            })
            .collect();
        assert_eq!(accounts.len(), 22);
        for r in Region::ALL {
            if let LogDeliveryPrincipal::Account(id) = elb_log_delivery_principal(*r) {
                assert_eq!(id.len(), 12, "{r:?}");
                assert!(id.bytes().all(|b| b.is_ascii_digit()), "{r:?}");
            }
        }
        assert_eq!(
            elb_log_delivery_principal(Region::IlCentral1),
            LogDeliveryPrincipal::Service(LOG_DELIVERY_SERVICE)
        );
    }

    #[test]
    fn principal_renders_as_the_pages_policy_element() {
        let p = elb_log_delivery_principal(Region::UsEast1);
        assert_eq!(p.policy_key(), "AWS");
        assert_eq!(p.policy_value(), "arn:aws:iam::127311923021:root");
        let s = elb_log_delivery_principal(Region::EuCentral2);
        assert_eq!(s.policy_key(), "Service");
        assert_eq!(s.policy_value(), LOG_DELIVERY_SERVICE);
    }

    fn policy(principal: serde_json::Value, resource: &str) -> serde_json::Value {
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
             "Condition": {"Bool": {"aws:SecureTransport": false}}},
            {"Effect": "Allow", "Principal": principal, "Action": "s3:PutObject",
             "Resource": resource}
        ]})
    }

    #[test]
    fn a_policy_grants_delivery_only_to_the_regions_principal_on_the_log_prefix() {
        let acct = "111122223333";
        let old = serde_json::json!({"AWS": "arn:aws:iam::127311923021:root"});
        let new = serde_json::json!({"Service": LOG_DELIVERY_SERVICE});
        let own = "arn:aws:s3:::logs/AWSLogs/111122223333/*";
        let grants = |p: &serde_json::Value, r: &str, region: Region, prefix: Option<&str>| {
            policy_grants_log_delivery(&policy(p.clone(), r), region, "logs", acct, prefix)
        };
        assert!(grants(&old, own, Region::UsEast1, None));
        // The bare account id is the same principal.
        assert!(grants(
            &serde_json::json!({"AWS": "127311923021"}),
            own,
            Region::UsEast1,
            None
        ));
        // Another Region's ELB account, or the service in an account Region, is not.
        assert!(!grants(&old, own, Region::UsEast2, None));
        assert!(!grants(&new, own, Region::UsEast1, None));
        assert!(grants(&new, own, Region::EuCentral2, None));
        assert!(!grants(&old, own, Region::EuCentral2, None));
        // The prefix and the account must be covered.
        assert!(!grants(&old, own, Region::UsEast1, Some("lb")));
        assert!(grants(
            &old,
            "arn:aws:s3:::logs/lb/AWSLogs/111122223333/*",
            Region::UsEast1,
            Some("lb")
        ));
        assert!(!grants(
            &old,
            "arn:aws:s3:::logs/AWSLogs/999999999999/*",
            Region::UsEast1,
            None
        ));
        assert!(grants(&old, "arn:aws:s3:::logs/*", Region::UsEast1, None));
        assert!(!grants(&old, "arn:aws:s3:::other/*", Region::UsEast1, None));
        // A policy without the statement, or none, grants nothing.
        assert!(!policy_grants_log_delivery(
            &serde_json::json!({"Statement": []}),
            Region::UsEast1,
            "logs",
            acct,
            None
        ));
        // An unconditional Deny wins.
        let mut p = policy(old.clone(), own);
        p["Statement"][0]
            .as_object_mut()
            .unwrap()
            .remove("Condition");
        assert!(!policy_grants_log_delivery(
            &p,
            Region::UsEast1,
            "logs",
            acct,
            None
        ));
    }

    #[test]
    fn only_sse_s3_is_accepted_for_access_logs() {
        assert!(access_log_encryption_accepted(None));
        assert!(access_log_encryption_accepted(Some("AES256")));
        assert!(!access_log_encryption_accepted(Some("aws:kms")));
        assert!(!access_log_encryption_accepted(Some("aws:kms:dsse")));
        assert_eq!(
            access_log_test_key(Some("lb"), "111122223333"),
            "lb/AWSLogs/111122223333/ELBAccessLogTestFile"
        );
        assert_eq!(
            access_log_test_key(None, "111122223333"),
            "AWSLogs/111122223333/ELBAccessLogTestFile"
        );
    }
}
