//! `AccessLogBucket`: the S3 bucket a load balancer writes its access logs to, one per
//! Region, as Elastic Load Balancing requires it and a security review expects it.
//!
//! What ELB requires ("Enable access logs for your Application Load Balancer",
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html>):
//! the bucket is in the load balancer's Region ("The bucket must be located in the same Region
//! as the load balancer"), its default encryption is SSE-S3 ("The only server-side encryption
//! option that's supported is Amazon S3-managed keys (SSE-S3)", so not the pair's KMS keys),
//! and its policy lets the Region's log-delivery principal `s3:PutObject` under
//! `[prefix/]AWSLogs/<account>/` (an account of ELB's in the Regions available before August
//! 2022, the service `logdelivery.elasticloadbalancing.amazonaws.com` in the newer ones:
//! [`dr_core::facts::elb`]). ELB checks that permission when the access-log attributes are set
//! and refuses the load balancer otherwise, so the load balancer depends on the policy.
//!
//! What the bucket adds for a review: every public access block flag on, ACLs off
//! (`BucketOwnerEnforced`), a TLS-only policy statement (`Deny` when `aws:SecureTransport` is
//! false), versioning (a deleted or overwritten log stays recoverable for
//! [`ACCESS_LOG_NONCURRENT_DAYS`]), and a lifecycle rule that expires logs after the retention
//! ([`DEFAULT_ACCESS_LOG_RETENTION_DAYS`] by default), their noncurrent versions after
//! [`ACCESS_LOG_NONCURRENT_DAYS`] more, and incomplete uploads after
//! [`ACCESS_LOG_ABORT_UPLOAD_DAYS`].
//!
//! CloudFormation names the bucket (no `BucketName`), so two pairs, or a pair deployed again
//! after a destroy, never collide in S3's global namespace. Its `DeletionPolicy` is `Delete`:
//! a bucket holding logs cannot be deleted by CloudFormation, which `destroy` handles (it
//! empties the bucket when told, or keeps and names it). The bucket carries the resource
//! metadata [`ACCESS_LOG_BUCKET_METADATA`] so `destroy` can tell it from a user's bucket.

use dr_core::diagnostics::codes;
use dr_core::facts::elb::{self, ACCESS_LOG_SSE_ALGORITHM, AWS_LOGS, LogDeliveryPrincipal};
use dr_core::{CfnResource, DeletionPolicy, Expr, Scope, Token};
use serde_json::json;

use crate::common::{name_tag, val};
use crate::l1::s3::bucket::{
    AbortIncompleteMultipartUpload, BucketEncryption, LifecycleConfiguration,
    NoncurrentVersionExpiration, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration, Rule, ServerSideEncryptionByDefault, ServerSideEncryptionRule,
    VersioningConfiguration,
};
use crate::l1::s3::{CfnBucket, CfnBucketPolicy};

/// How long access logs are kept when nothing else is said: 90 days, long enough to look
/// back over a quarter's incidents, short enough that logs with client IP addresses do not
/// pile up.
pub const DEFAULT_ACCESS_LOG_RETENTION_DAYS: u32 = 90;

/// The longest retention S3 lifecycle takes: `Days` is a 32-bit integer ("LifecycleExpiration",
/// <https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html>, "Type:
/// Integer"; "The value must be a non-zero positive integer").
pub const MAX_ACCESS_LOG_RETENTION_DAYS: u32 = i32::MAX as u32;

/// How long a deleted or overwritten log (a noncurrent version) is kept before S3 removes it:
/// a week to notice an accidental deletion. ELB never overwrites a log, so the only
/// noncurrent versions are those the retention rule or a person made.
pub const ACCESS_LOG_NONCURRENT_DAYS: u32 = 7;

/// After how many days S3 removes the parts of an upload that never completed.
pub const ACCESS_LOG_ABORT_UPLOAD_DAYS: u32 = 7;

/// The resource metadata key (value `true`) on every bucket [`AccessLogBucket`] creates, so
/// `destroy` can recognise drkit's access-log buckets.
pub const ACCESS_LOG_BUCKET_METADATA: &str = "drkit:access-log-bucket";

/// Where a load balancer's access logs go. Default: [`AccessLogs::Create`]. Serializable so a
/// `DrPair` site can `site.pick` a bucket per Region.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub enum AccessLogs {
    /// A bucket of the load balancer's own ([`AccessLogBucket`]), in its stack, so one per
    /// Region in a [`DrPair`](crate::DrPair). The default.
    #[default]
    Create,
    /// An existing general purpose bucket, by name (not ARN), in the load balancer's Region;
    /// its policy must already let the Region's log-delivery principal write under
    /// `[prefix/]AWSLogs/<account>/` ([`dr_core::facts::elb::elb_log_delivery_principal`]),
    /// and its default encryption must be SSE-S3, or ELB refuses the load balancer with
    /// "Access Denied for bucket". In a `DrPair`, give each site its own bucket with
    /// `site.pick`.
    Bucket(String),
    /// No access logs. The way out for a throwaway environment; a security review will ask
    /// for them.
    Disabled,
}

/// Settings of an [`AccessLogBucket`]:
/// `AccessLogBucketProps::builder().retention_days(30).build()`.
#[derive(Debug, Clone, bon::Builder)]
#[builder(on(String, into), on(_, setters(doc(default(skip)))))]
pub struct AccessLogBucketProps {
    /// Days after which a log is expired (1 to [`MAX_ACCESS_LOG_RETENTION_DAYS`]). Default:
    /// [`DEFAULT_ACCESS_LOG_RETENTION_DAYS`].
    #[builder(default = DEFAULT_ACCESS_LOG_RETENTION_DAYS)]
    pub retention_days: u32,
    /// The key prefix the load balancer writes under (`prefix/AWSLogs/…`), the same as its
    /// `access_logs.s3.prefix`; the policy grants exactly that path. No leading or trailing
    /// `/`, and not containing `AWSLogs`. Default: none, logs start at `AWSLogs/`.
    pub prefix: Option<String>,
}

/// An S3 bucket for one Region's load balancer access logs, with its bucket policy (see the
/// module documentation for what it sets and why).
#[derive(Debug, Clone)]
pub struct AccessLogBucket {
    scope: Scope,
    bucket: CfnResource,
    policy: CfnResource,
}

impl AccessLogBucket {
    /// Creates the bucket and its policy under `scope` with id `id`. Bad props are reported on
    /// this construct's path; a valid value is used in their place so the rest still builds.
    pub fn new(scope: &Scope, id: &str, props: AccessLogBucketProps) -> AccessLogBucket {
        let scope = scope.child(id);
        let mut retention_days = props.retention_days;
        if let Some(why) = retention_problem(retention_days) {
            scope.prop_error(
                "retention_days",
                codes::ALB_013,
                format!("retention_days {retention_days} {why}"),
                format!(
                    "give a number of days from 1 up (default {DEFAULT_ACCESS_LOG_RETENTION_DAYS})"
                ),
            );
            retention_days = DEFAULT_ACCESS_LOG_RETENTION_DAYS;
        }
        let mut prefix = props.prefix;
        if let Some(p) = &prefix
            && let Some(why) = prefix_problem(p)
        {
            scope.prop_error(
                "prefix",
                codes::ALB_014,
                format!("prefix `{p}` {why}"),
                "give a prefix such as `alb` (no leading or trailing `/`, not containing AWSLogs), or none",
            );
            prefix = None;
        }

        let bucket = add_bucket(&scope, retention_days);
        let policy = add_policy(&scope, &bucket, prefix.as_deref());
        AccessLogBucket {
            scope,
            bucket,
            policy,
        }
    }

    /// The construct's scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The bucket resource.
    pub fn bucket(&self) -> &CfnResource {
        &self.bucket
    }
    /// The bucket policy resource; whatever writes logs must depend on it.
    pub fn policy(&self) -> &CfnResource {
        &self.policy
    }
    /// The bucket's name, chosen by CloudFormation (`Ref`).
    pub fn bucket_name(&self) -> Token {
        self.bucket.ref_()
    }
    /// The bucket's ARN.
    pub fn bucket_arn(&self) -> Token {
        self.bucket.get_att("Arn")
    }
}

/// What is wrong with a retention in days, if anything.
pub(crate) fn retention_problem(days: u32) -> Option<String> {
    match days {
        0 => Some(
            "is not a positive number of days: S3 lifecycle expiration needs at least 1".into(),
        ),
        d if d > MAX_ACCESS_LOG_RETENTION_DAYS => Some(format!(
            "is more than S3 lifecycle takes ({MAX_ACCESS_LOG_RETENTION_DAYS} days)"
        )),
        _ => None,
    }
}

/// What is wrong with an access-log prefix, if anything: ELB refuses one containing `AWSLogs`
/// ("The prefix that you specify must not include AWSLogs", "Enable access logs for your
/// Application Load Balancer"), and one starting or ending with `/`, which CloudFormation then
/// ignores, leaving access logs off (aws-cloudformation/cloudformation-coverage-roadmap#1928).
pub(crate) fn prefix_problem(prefix: &str) -> Option<String> {
    if prefix.is_empty() {
        return Some("is empty; leave the prefix unset for none".into());
    }
    if prefix.starts_with('/') || prefix.ends_with('/') {
        return Some("starts or ends with `/`, which ELB refuses".into());
    }
    if prefix.contains(AWS_LOGS) {
        return Some(format!(
            "contains `{AWS_LOGS}`, which ELB adds itself and refuses in a prefix"
        ));
    }
    None
}

/// What is wrong with a general purpose bucket name, if anything ("General purpose bucket
/// naming rules", <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>).
pub(crate) fn bucket_name_problem(name: &str) -> Option<String> {
    let len = name.chars().count();
    if !(3..=63).contains(&len) {
        return Some(format!(
            "is {len} characters long; a bucket name has 3 to 63"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-'))
    {
        return Some(format!(
            "has `{c}`; a bucket name has only lowercase letters, digits, `.` and `-` (a name, not an ARN or URL)"
        ));
    }
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !edge_ok(name.chars().next()) || !edge_ok(name.chars().last()) {
        return Some("must begin and end with a letter or digit".into());
    }
    if name.contains("..") {
        return Some("has two adjacent dots".into());
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return Some("is formatted as an IP address".into());
    }
    if let Some(p) = ["xn--", "sthree-", "amzn-s3-demo-"]
        .iter()
        .find(|p| name.starts_with(**p))
    {
        return Some(format!("starts with `{p}`, a prefix S3 reserves"));
    }
    if let Some(s) = ["-s3alias", "--ol-s3", ".mrap", "--x-s3"]
        .iter()
        .find(|s| name.ends_with(**s))
    {
        return Some(format!("ends with `{s}`, a suffix S3 reserves"));
    }
    None
}

fn add_bucket(scope: &Scope, retention_days: u32) -> CfnResource {
    let bucket = scope.add(
        "Bucket",
        &CfnBucket {
            bucket_encryption: Some(BucketEncryption {
                server_side_encryption_configuration: Some(vec![ServerSideEncryptionRule {
                    server_side_encryption_by_default: Some(ServerSideEncryptionByDefault {
                        sse_algorithm: val(ACCESS_LOG_SSE_ALGORITHM),
                        ..Default::default()
                    }),
                    ..Default::default()
                }]),
            }),
            public_access_block_configuration: Some(PublicAccessBlockConfiguration {
                block_public_acls: val(true),
                block_public_policy: val(true),
                ignore_public_acls: val(true),
                restrict_public_buckets: val(true),
            }),
            // ACLs off: ELB's log objects belong to the bucket owner whoever writes them
            // ("Controlling ownership of objects and disabling ACLs for your bucket",
            // <https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html>).
            ownership_controls: Some(OwnershipControls {
                rules: Some(vec![OwnershipControlsRule {
                    object_ownership: val("BucketOwnerEnforced"),
                }]),
            }),
            versioning_configuration: Some(VersioningConfiguration {
                status: val("Enabled"),
            }),
            lifecycle_configuration: Some(LifecycleConfiguration {
                rules: Some(vec![Rule {
                    id: val("ExpireAccessLogs"),
                    status: val("Enabled"),
                    // With `ExpirationInDays` set, S3 also removes the expired object delete
                    // markers this leaves ("LifecycleExpiration",
                    // <https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html>,
                    // `ExpiredObjectDeleteMarker`), which may not be set beside it.
                    expiration_in_days: val(i64::from(retention_days)),
                    noncurrent_version_expiration: Some(NoncurrentVersionExpiration {
                        noncurrent_days: val(i64::from(ACCESS_LOG_NONCURRENT_DAYS)),
                        ..Default::default()
                    }),
                    abort_incomplete_multipart_upload: Some(AbortIncompleteMultipartUpload {
                        days_after_initiation: val(i64::from(ACCESS_LOG_ABORT_UPLOAD_DAYS)),
                    }),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            tags: Some(name_tag(scope)),
            ..Default::default()
        },
    );
    bucket
        .set_deletion_policy(DeletionPolicy::Delete)
        .set_update_replace_policy(DeletionPolicy::Delete)
        .add_resource_metadata(ACCESS_LOG_BUCKET_METADATA, json!(true));
    bucket
}

/// `arn:${AWS::Partition}:s3:::<bucket><suffix>`, partition-aware.
fn bucket_arn(bucket: &CfnResource, suffix: &str) -> Expr {
    Expr::sub(
        format!("arn:${{AWS::Partition}}:s3:::${{Bucket}}{suffix}"),
        [("Bucket", Expr::from(bucket.ref_()))],
    )
}

fn add_policy(scope: &Scope, bucket: &CfnResource, prefix: Option<&str>) -> CfnResource {
    // The statement the WA Security rule set's S3_BUCKET_SSL_REQUESTS_ONLY looks for
    // (aws-cloudformation/aws-guard-rules-registry,
    // `rules/aws/amazon_s3/s3_bucket_ssl_requests_only.guard`: a `Deny` whose condition is
    // `aws:SecureTransport` false, the boolean); "Security best practices for Amazon S3",
    // <https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html>.
    let tls_only = Expr::map([
        ("Sid", Expr::from("DenyInsecureTransport")),
        ("Effect", Expr::from("Deny")),
        ("Principal", Expr::from("*")),
        ("Action", Expr::from("s3:*")),
        (
            "Resource",
            Expr::list([bucket_arn(bucket, ""), bucket_arn(bucket, "/*")]),
        ),
        (
            "Condition",
            Expr::from(json!({"Bool": {"aws:SecureTransport": false}})),
        ),
    ]);
    let mut statements = vec![tls_only];
    // Outside a stack the tree has reported the construct already; there is no Region to
    // grant for.
    if let Some(region) = scope.region() {
        let principal = match elb::elb_log_delivery_principal(region) {
            LogDeliveryPrincipal::Account(id) => Expr::map([(
                "AWS",
                Expr::sub(
                    format!("arn:${{AWS::Partition}}:iam::{id}:root"),
                    Vec::<(String, Expr)>::new(),
                ),
            )]),
            LogDeliveryPrincipal::Service(name) => Expr::map([("Service", Expr::from(name))]),
        };
        let path = match prefix {
            Some(p) => format!("/{p}/{AWS_LOGS}/${{AWS::AccountId}}/*"),
            None => format!("/{AWS_LOGS}/${{AWS::AccountId}}/*"),
        };
        statements.push(Expr::map([
            ("Sid", Expr::from("ElbAccessLogDelivery")),
            ("Effect", Expr::from("Allow")),
            ("Principal", principal),
            ("Action", Expr::from("s3:PutObject")),
            ("Resource", bucket_arn(bucket, &path)),
        ]));
    }
    scope.add(
        "Policy",
        &CfnBucketPolicy {
            bucket: val(bucket.ref_()),
            policy_document: Some(Expr::map([
                ("Version", Expr::from("2012-10-17")),
                ("Statement", Expr::list(statements)),
            ])),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_follow_s3s_rules() {
        for ok in ["abc", "my-logs.example", "a1b2c3", &"a".repeat(63)] {
            assert_eq!(bucket_name_problem(ok), None, "{ok}");
        }
        for bad in [
            "ab",
            &"a".repeat(64),
            "My-Logs",
            "arn:aws:s3:::logs",
            "s3://logs",
            "logs_here",
            "-logs",
            "logs-",
            "a..b",
            "192.168.5.4",
            "xn--logs",
            "sthree-logs",
            "amzn-s3-demo-logs",
            "logs-s3alias",
            "logs--ol-s3",
            "logs.mrap",
            "logs--x-s3",
        ] {
            assert!(bucket_name_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn prefixes_follow_elbs_rules() {
        assert_eq!(prefix_problem("alb"), None);
        assert_eq!(prefix_problem("site/alb"), None);
        for bad in ["", "/alb", "alb/", "AWSLogs", "x/AWSLogs/y"] {
            assert!(prefix_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn retention_is_1_to_the_32_bit_maximum() {
        assert!(retention_problem(0).is_some());
        assert!(retention_problem(1).is_none());
        assert!(retention_problem(MAX_ACCESS_LOG_RETENTION_DAYS).is_none());
        assert!(retention_problem(MAX_ACCESS_LOG_RETENTION_DAYS + 1).is_some());
    }
}
