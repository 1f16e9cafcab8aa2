//! ELBv2 load balancers: the attributes ELB keeps for each (deletion protection, access logs),
//! what `DeleteLoadBalancer` and an access-log setting refuse, and the test file ELB writes
//! when access logs are turned on.

use std::collections::BTreeMap;

use dr_core::Region;
use dr_core::cloud::{
    LB_ACCESS_LOGS_BUCKET, LB_ACCESS_LOGS_ENABLED, LB_ACCESS_LOGS_PREFIX, LB_DELETION_PROTECTION,
};
use dr_core::facts::elb::{
    access_log_encryption_accepted, access_log_test_key, policy_grants_log_delivery,
};
use serde_json::Value;

use super::s3;
use crate::eval::scalar_string;
use crate::ids;
use crate::state::{LoadBalancer, StackResource, World};

/// The attributes a new Application Load Balancer has before any is set, with the defaults
/// "LoadBalancerAttribute" documents for them
/// (<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html>:
/// deletion protection and access logs off, idle timeout 60 seconds, invalid header fields
/// kept, HTTP/2 on). `DescribeLoadBalancerAttributes` lists every attribute, set or not.
const DEFAULTS: &[(&str, &str)] = &[
    (LB_DELETION_PROTECTION, "false"),
    (LB_ACCESS_LOGS_ENABLED, "false"),
    (LB_ACCESS_LOGS_BUCKET, ""),
    (LB_ACCESS_LOGS_PREFIX, ""),
    ("idle_timeout.timeout_seconds", "60"),
    ("routing.http.drop_invalid_header_fields.enabled", "false"),
    ("routing.http2.enabled", "true"),
];

/// The attribute keys `ModifyLoadBalancerAttributes` takes: those "LoadBalancerAttribute"
/// (linked at [`DEFAULTS`]) lists, as moto's `FakeLoadBalancer.VALID_ATTRS` keeps them
/// (moto `elbv2/models.py`).
const VALID_KEYS: &[&str] = &[
    LB_ACCESS_LOGS_ENABLED,
    LB_ACCESS_LOGS_BUCKET,
    LB_ACCESS_LOGS_PREFIX,
    "connection_logs.s3.bucket",
    "connection_logs.s3.enabled",
    "connection_logs.s3.prefix",
    "client_keep_alive.seconds",
    LB_DELETION_PROTECTION,
    "dns_record.client_routing_policy",
    "health_check_logs.s3.enabled",
    "health_check_logs.s3.bucket",
    "health_check_logs.s3.prefix",
    "idle_timeout.timeout_seconds",
    "ipv6.deny_all_igw_traffic",
    "load_balancing.cross_zone.enabled",
    "routing.http.desync_mitigation_mode",
    "routing.http.drop_invalid_header_fields.enabled",
    "routing.http.preserve_host_header.enabled",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
    "routing.http.xff_client_port.enabled",
    "routing.http.xff_header_processing.mode",
    "routing.http2.enabled",
    "waf.fail_open.enabled",
    "zonal_shift.config.enabled",
    "secondary_ips.auto_assigned.per_subnet",
];

/// The `(key, value)` pairs of a `LoadBalancerAttributes` property (a list of `{Key, Value}`).
pub fn template_attributes(properties: &Value) -> Vec<(String, String)> {
    properties
        .get("LoadBalancerAttributes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| {
            Some((
                a.get("Key").and_then(scalar_string)?,
                a.get("Value").and_then(scalar_string).unwrap_or_default(),
            ))
        })
        .collect()
}

/// Attributes with `pairs` applied over `base`.
fn applied(
    base: &BTreeMap<String, String>,
    pairs: &[(String, String)],
) -> BTreeMap<String, String> {
    let mut out = base.clone();
    out.extend(pairs.iter().cloned());
    out
}

fn is_true(attributes: &BTreeMap<String, String>, key: &str) -> bool {
    attributes
        .get(key)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The attributes of a new load balancer whose template sets `pairs`.
pub fn initial_attributes(pairs: &[(String, String)]) -> BTreeMap<String, String> {
    let defaults = DEFAULTS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    applied(&defaults, pairs)
}

/// A stack made load balancer `r`: ELB keeps its attributes, and writes its access-log test
/// file when access logs are on (the create was refused otherwise).
pub fn register(w: &mut World, region: Region, r: &StackResource) {
    let attributes = initial_attributes(&template_attributes(&r.properties));
    let name = r
        .attributes
        .get("LoadBalancerName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let lb = LoadBalancer {
        arn: r.physical_id.clone(),
        name,
        attributes,
    };
    write_test_file(w, &lb);
    w.region(region)
        .load_balancers
        .insert(r.physical_id.clone(), lb);
}

/// An update of load balancer `r` whose `LoadBalancerAttributes` went from `before`'s: the new
/// template's attributes are set over what ELB has (CloudFormation sends them with
/// `ModifyLoadBalancerAttributes`); one the template no longer names keeps its value.
pub fn update(w: &mut World, region: Region, before: &StackResource, r: &StackResource) {
    let pairs = template_attributes(&r.properties);
    if pairs == template_attributes(&before.properties) {
        return;
    }
    let Some(lb) = w.region(region).load_balancers.get_mut(&r.physical_id) else {
        return register(w, region, r);
    };
    lb.attributes = applied(&lb.attributes, &pairs);
    let lb = lb.clone();
    write_test_file(w, &lb);
}

/// Load balancer `arn` is gone.
pub fn unregister(w: &mut World, region: Region, arn: &str) {
    w.region(region).load_balancers.remove(arn);
}

/// After access logs were turned on (and ELB checked the bucket): "Elastic Load Balancing
/// validates the S3 bucket and creates a test file to ensure that the bucket policy specifies
/// the required permissions", `ELBAccessLogTestFile` under `[prefix/]AWSLogs/<account>/`
/// ("Enable access logs for your Application Load Balancer", "Verify bucket permissions",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html>;
/// [`access_log_test_key`]). So a bucket that received access logs is never empty. The test
/// file "doesn't contain example records" (same page); its text here is a placeholder.
fn write_test_file(w: &mut World, lb: &LoadBalancer) {
    if !is_true(&lb.attributes, LB_ACCESS_LOGS_ENABLED) {
        return;
    }
    let Some(bucket) = lb
        .attributes
        .get(LB_ACCESS_LOGS_BUCKET)
        .filter(|b| !b.is_empty())
        .cloned()
    else {
        return;
    };
    let prefix = lb.attributes.get(LB_ACCESS_LOGS_PREFIX).map(String::as_str);
    let key = access_log_test_key(prefix, &w.account);
    let body = format!("Enable AccessLog for ELB: {} at {}", lb.name, w.now);
    s3::put(w, &bucket, &key, &body);
}

/// What CloudFormation reports when it cannot delete load balancer `r` because its deletion
/// protection is on, or `None` when ELB lets it go. ELB's message, `OperationNotPermitted`
/// ("DeleteLoadBalancer",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteLoadBalancer.html>:
/// "You can't delete a load balancer if deletion protection is enabled"), is "Load balancer
/// '<arn>' cannot be deleted because deletion protection is enabled", as a `DELETE_FAILED`
/// event quoted it (aws-cloudformation/rain#187, 2023, then in the AWS SDK for Java v1's
/// wording). This type's failures now come from its registry handler, `Resource handler
/// returned message: "… (Service: ElasticLoadBalancingV2, Status Code: 400, Request ID: …)"
/// (RequestToken: …, HandlerErrorCode: InvalidRequest)` (2025 `CREATE_FAILED` and
/// `UPDATE_FAILED` events of `AWS::ElasticLoadBalancingV2::LoadBalancer` quoted in public
/// repositories), so the message is wrapped that way; the handler error code for this one
/// was not seen. ELB's own state decides (a `ModifyLoadBalancerAttributes` outside the stack
/// counts); a load balancer ELB has no state for is judged by its template's attributes.
pub fn deletion_refusal(
    w: &World,
    region: Region,
    r: &StackResource,
    seed: &str,
) -> Option<String> {
    if r.type_name != "AWS::ElasticLoadBalancingV2::LoadBalancer" {
        return None;
    }
    let attributes = w
        .regions
        .get(&region)
        .and_then(|rs| rs.load_balancers.get(&r.physical_id))
        .map(|lb| lb.attributes.clone())
        .unwrap_or_else(|| initial_attributes(&template_attributes(&r.properties)));
    is_true(&attributes, LB_DELETION_PROTECTION).then(|| {
        format!(
            "Resource handler returned message: \"{} (Service: ElasticLoadBalancingV2, Status Code: 400, Request ID: {})\" (RequestToken: {}, HandlerErrorCode: InvalidRequest)",
            deletion_protected(&r.physical_id),
            ids::uuid(&format!("request/{seed}")),
            ids::uuid(&format!("token/{seed}"))
        )
    })
}

/// ELB's `OperationNotPermitted` message for deleting load balancer `arn` while its deletion
/// protection is on (the source is at [`deletion_refusal`]).
pub fn deletion_protected(arn: &str) -> String {
    format!("Load balancer '{arn}' cannot be deleted because deletion protection is enabled")
}

/// What ELB needs to know about an access-log bucket.
#[derive(Debug, Clone)]
pub struct LogBucket {
    /// The bucket's Region.
    pub region: Region,
    /// Its default encryption (`SSEAlgorithm`), if set.
    pub sse_algorithm: Option<String>,
    /// Its bucket policy document, evaluated, if it has one.
    pub policy: Option<Value>,
}

/// Bucket `name` as the account has it, from the resources given (with their Region) and the
/// buckets made outside any stack (`seeded`, which have no policy).
pub fn log_bucket<'a>(
    name: &str,
    resources: impl Iterator<Item = (Region, &'a StackResource)> + Clone,
    seeded: &BTreeMap<String, Region>,
) -> Option<LogBucket> {
    let policy = resources
        .clone()
        .find(|(_, r)| {
            r.type_name == "AWS::S3::BucketPolicy"
                && r.properties
                    .get("Bucket")
                    .and_then(scalar_string)
                    .as_deref()
                    == Some(name)
        })
        .and_then(|(_, r)| r.properties.get("PolicyDocument").cloned())
        .map(|d| match d {
            // A policy document may be given as a JSON string.
            Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::Null),
            d => d,
        });
    if let Some((region, r)) = resources
        .clone()
        .find(|(_, r)| r.type_name == "AWS::S3::Bucket" && r.physical_id == name)
    {
        return Some(LogBucket {
            region,
            sse_algorithm: r
                .properties
                .pointer("/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/SSEAlgorithm")
                .and_then(scalar_string),
            policy,
        });
    }
    seeded.get(name).map(|region| LogBucket {
        region: *region,
        sse_algorithm: None,
        policy,
    })
}

/// ELB's refusal of access-log settings `attributes` for a load balancer in `region` of
/// `account`, whose bucket is `bucket` (`None`: no such bucket), or `None` when ELB accepts
/// them. ELB checks that it can write its test file ("Enable access logs for your Application
/// Load Balancer", linked at [`write_test_file`]): the bucket must exist, be in the load
/// balancer's Region, be encrypted with SSE-S3 only, and have a policy granting the Region's
/// log-delivery principal `s3:PutObject` under the prefix (`dr_core::facts::elb`). A failure
/// is `InvalidConfigurationRequest` "Access Denied for bucket: <name>. Please check S3bucket
/// permission" (aws/aws-cdk#5758, kubernetes-sigs/aws-load-balancer-controller#1956;
/// widdix/aws-cf-templates#349 for a CloudFormation event; for KMS encryption aws/aws-cdk#21947).
/// ELB's wording for a bucket that does not exist or is in another Region was not found; the
/// same refusal is given, since the test file cannot be written there either.
pub fn access_log_refusal(
    attributes: &BTreeMap<String, String>,
    region: Region,
    account: &str,
    bucket: impl FnOnce(&str) -> Option<LogBucket>,
) -> Option<String> {
    if !is_true(attributes, LB_ACCESS_LOGS_ENABLED) {
        return None;
    }
    let name = attributes
        .get(LB_ACCESS_LOGS_BUCKET)
        .map(String::as_str)
        .unwrap_or_default();
    if name.is_empty() {
        // "Failure configuring ALB attributes: ValidationError: The value of
        // 'access_logs.s3.bucket' cannot be empty" (terraform-aws-modules/terraform-aws-alb#7).
        return Some("The value of 'access_logs.s3.bucket' cannot be empty".into());
    }
    let prefix = attributes
        .get(LB_ACCESS_LOGS_PREFIX)
        .map(String::as_str)
        .filter(|p| !p.is_empty());
    let writable = bucket(name).is_some_and(|b| {
        b.region == region
            && access_log_encryption_accepted(b.sse_algorithm.as_deref())
            && b.policy
                .as_ref()
                .is_some_and(|p| policy_grants_log_delivery(p, region, name, account, prefix))
    });
    (!writable).then(|| access_denied(name))
}

/// ELB's message for an access-log bucket it cannot write to (sources at
/// [`access_log_refusal`]).
pub fn access_denied(bucket: &str) -> String {
    format!("Access Denied for bucket: {bucket}. Please check S3bucket permission")
}

/// `ModifyLoadBalancerAttributes` on load balancer `arn` of `region`: checks the keys and what
/// the new access-log settings need, sets the pairs, and writes the test file. Returns every
/// attribute after the change.
pub fn modify(
    w: &mut World,
    region: Region,
    arn: &str,
    pairs: &[(String, String)],
) -> Result<BTreeMap<String, String>, crate::LocalError> {
    let lb = w
        .regions
        .get(&region)
        .and_then(|rs| rs.load_balancers.get(arn))
        .cloned()
        .ok_or_else(|| crate::LocalError::NotFound(not_found()))?;
    if let Some((k, _)) = pairs
        .iter()
        .find(|(k, _)| !VALID_KEYS.contains(&k.as_str()))
    {
        // moto's wording (`modify_load_balancer_attributes`, moto `elbv2/models.py`); AWS's
        // own for an unknown key was not found.
        return Err(crate::LocalError::Validation(format!(
            "InvalidConfigurationRequest: Key {k} not valid"
        )));
    }
    let attributes = applied(&lb.attributes, pairs);
    let touches_logs = pairs.iter().any(|(k, _)| k.starts_with("access_logs.s3."));
    if touches_logs {
        let account = w.account.clone();
        let resources = super::live_resources(w);
        if let Some(m) = access_log_refusal(&attributes, region, &account, |name| {
            log_bucket(
                name,
                resources.iter().map(|(r, s)| (*r, *s)),
                &w.seeded.buckets,
            )
        }) {
            return Err(crate::LocalError::Validation(format!(
                "InvalidConfigurationRequest: {m}"
            )));
        }
    }
    let lb = LoadBalancer {
        attributes: attributes.clone(),
        ..lb
    };
    if touches_logs {
        write_test_file(w, &lb);
    }
    w.region(region).load_balancers.insert(arn.to_string(), lb);
    Ok(attributes)
}

/// `LoadBalancerNotFound`, with the description "DescribeLoadBalancerAttributes" gives it
/// ("The specified load balancer does not exist.",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeLoadBalancerAttributes.html>;
/// moto answers the same).
pub fn not_found() -> String {
    "LoadBalancerNotFound: The specified load balancer does not exist.".into()
}
