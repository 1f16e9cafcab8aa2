//! The load balancer's secure defaults and its access-log bucket: deletion protection, invalid
//! headers dropped, TLS 1.2+, access logs to a bucket of its own per Region with the
//! log-delivery permission that Region needs; each default's way out; the diagnostics.

use crate::common;

use common::{diagnostics, lint, one_with_id, only, stack, synth, template};
use dr_aws_constructs::*;
use dr_core::diagnostics::codes;
use dr_core::facts::elb::{
    self, LOG_DELIVERY_SERVICE, LogDeliveryPrincipal, elb_log_delivery_principal,
    policy_grants_log_delivery,
};
use dr_core::{App, Region};
use serde_json::{Value, json};

const ACCOUNT: &str = "111122223333";
const BUCKET: &str = "site-lb-accesslogs-1a2b3c";
const CERT_EAST: &str =
    "arn:aws:acm:us-east-2:123456789012:certificate/11111111-1111-1111-1111-111111111111";

/// An app with one stack `Site` in `region` holding a VPC and an ALB whose default props
/// `set` changes.
fn app_with(region: Region, set: impl FnOnce(&mut AlbProps<'_>)) -> App {
    let app = App::new("t");
    let s = stack(&app, "Site", region);
    // Two zones: every Region has at least two usable (us-west-1 has only those).
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().az_count(2).build());
    let mut props = AlbProps::builder().vpc(&vpc).build();
    set(&mut props);
    Alb::new(&s, "Lb", props);
    app
}

fn https(p: &mut AlbProps<'_>) {
    p.certificate_arn = Some(CERT_EAST.into());
}

/// The load balancer's attributes as a key → value map.
fn attributes(t: &Value) -> serde_json::Map<String, Value> {
    let (_, lb) = one_with_id(t, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    lb["Properties"]["LoadBalancerAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["Key"].as_str().unwrap().to_string(), a["Value"].clone()))
        .collect()
}

/// The policy document with `Fn::Sub` resolved as CloudFormation would for a stack in
/// account [`ACCOUNT`] whose bucket got the name [`BUCKET`].
fn evaluated(v: &Value) -> Value {
    let sub = |template: &str, vars: Option<&Value>| -> String {
        let mut s = template
            .replace("${AWS::Partition}", "aws")
            .replace("${AWS::AccountId}", ACCOUNT);
        if let Some(vars) = vars.and_then(Value::as_object) {
            for (k, v) in vars {
                assert!(v.get("Ref").is_some(), "only Ref variables expected: {v}");
                s = s.replace(&format!("${{{k}}}"), BUCKET);
            }
        }
        assert!(!s.contains("${"), "unresolved variable in {s}");
        s
    };
    match v {
        Value::Object(o) => match o.get("Fn::Sub") {
            Some(Value::String(t)) => Value::String(sub(t, None)),
            Some(Value::Array(a)) => Value::String(sub(a[0].as_str().unwrap(), a.get(1))),
            _ => Value::Object(o.iter().map(|(k, v)| (k.clone(), evaluated(v))).collect()),
        },
        Value::Array(a) => Value::Array(a.iter().map(evaluated).collect()),
        other => other.clone(),
    }
}

#[test]
fn by_default_the_load_balancer_is_protected_drops_bad_headers_and_logs_to_its_own_bucket() {
    let app = app_with(Region::UsEast2, https);
    let a = synth(&app);
    let t = template(&a, "Site");

    let (bucket_id, bucket) = one_with_id(t, "AWS::S3::Bucket");
    let (policy_id, policy) = one_with_id(t, "AWS::S3::BucketPolicy");
    let attrs = attributes(t);
    assert_eq!(attrs["deletion_protection.enabled"], "true");
    assert_eq!(
        attrs["routing.http.drop_invalid_header_fields.enabled"],
        "true"
    );
    assert_eq!(attrs["access_logs.s3.enabled"], "true");
    assert_eq!(attrs["access_logs.s3.bucket"], json!({"Ref": bucket_id}));
    assert!(!attrs.contains_key("access_logs.s3.prefix"));
    // ELB tests its permission when the attributes are set: the policy comes first.
    let (_, lb) = one_with_id(t, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    let depends: Vec<&str> = lb["DependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(depends.contains(&policy_id.as_str()), "{depends:?}");

    // The bucket: SSE-S3 (the only encryption log delivery accepts), private, versioned,
    // expiring, CloudFormation-named, deleted with the stack, marked for destroy.
    let p = &bucket["Properties"];
    assert_eq!(
        p.pointer(
            "/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault"
        ),
        Some(&json!({"SSEAlgorithm": "AES256"}))
    );
    assert_eq!(
        p["PublicAccessBlockConfiguration"],
        json!({"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true})
    );
    assert_eq!(
        p["OwnershipControls"],
        json!({"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    );
    assert_eq!(p["VersioningConfiguration"], json!({"Status": "Enabled"}));
    let rule = &p["LifecycleConfiguration"]["Rules"][0];
    assert_eq!(rule["Status"], "Enabled");
    assert_eq!(rule["ExpirationInDays"], 90);
    assert_eq!(
        rule["NoncurrentVersionExpiration"]["NoncurrentDays"],
        ACCESS_LOG_NONCURRENT_DAYS
    );
    assert_eq!(
        rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"],
        ACCESS_LOG_ABORT_UPLOAD_DAYS
    );
    assert!(p.get("BucketName").is_none(), "CloudFormation names it");
    assert_eq!(bucket["DeletionPolicy"], "Delete");
    assert_eq!(bucket["Metadata"][ACCESS_LOG_BUCKET_METADATA], true);

    // The policy: TLS only, and us-east-2's ELB account may write under AWSLogs/<account>/.
    assert_eq!(policy["Properties"]["Bucket"], json!({"Ref": bucket_id}));
    let doc = &policy["Properties"]["PolicyDocument"];
    let tls = &doc["Statement"][0];
    assert_eq!(tls["Effect"], "Deny");
    assert_eq!(tls["Principal"], "*");
    assert_eq!(tls["Action"], "s3:*");
    assert_eq!(
        tls["Condition"],
        json!({"Bool": {"aws:SecureTransport": false}})
    );
    let doc = evaluated(doc);
    assert_eq!(
        doc["Statement"][0]["Resource"],
        json!([
            format!("arn:aws:s3:::{BUCKET}"),
            format!("arn:aws:s3:::{BUCKET}/*")
        ])
    );
    assert_eq!(
        doc["Statement"][1]["Principal"],
        json!({"AWS": "arn:aws:iam::033677994240:root"})
    );
    assert_eq!(
        doc["Statement"][1]["Resource"],
        format!("arn:aws:s3:::{BUCKET}/AWSLogs/{ACCOUNT}/*")
    );
    assert!(policy_grants_log_delivery(
        &doc,
        Region::UsEast2,
        BUCKET,
        ACCOUNT,
        None
    ));
    // Not a policy another Region's ELB could use.
    assert!(!policy_grants_log_delivery(
        &doc,
        Region::UsWest2,
        BUCKET,
        ACCOUNT,
        None
    ));

    // TLS 1.2+ on the HTTPS listener.
    let listeners = common::resources_of(t, "AWS::ElasticLoadBalancingV2::Listener");
    let https: Vec<&Value> = listeners
        .iter()
        .map(|(_, l)| *l)
        .filter(|l| l["Properties"]["Protocol"] == "HTTPS")
        .collect();
    assert_eq!(https.len(), 1);
    assert_eq!(https[0]["Properties"]["SslPolicy"], DEFAULT_SSL_POLICY);
    assert!(!LEGACY_TLS_POLICIES.contains(&DEFAULT_SSL_POLICY));
    lint(&a);
}

#[test]
fn a_region_opened_after_august_2022_grants_the_log_delivery_service() {
    let app = app_with(Region::EuCentral2, |_| {});
    let a = synth(&app);
    let t = template(&a, "Site");
    let (_, policy) = one_with_id(t, "AWS::S3::BucketPolicy");
    let doc = evaluated(&policy["Properties"]["PolicyDocument"]);
    assert_eq!(
        doc["Statement"][1]["Principal"],
        json!({"Service": LOG_DELIVERY_SERVICE})
    );
    assert!(policy_grants_log_delivery(
        &doc,
        Region::EuCentral2,
        BUCKET,
        ACCOUNT,
        None
    ));
    // An account-Region's ELB is not the principal here.
    assert!(!policy_grants_log_delivery(
        &doc,
        Region::EuCentral1,
        BUCKET,
        ACCOUNT,
        None
    ));
}

#[test]
fn every_region_gets_the_principal_of_the_table_and_a_policy_that_lets_it_write() {
    let (mut accounts, mut services) = (0, 0);
    for region in Region::ALL {
        let app = app_with(*region, |p| p.access_log_prefix = Some("alb".into()));
        let a = synth(&app);
        let t = template(&a, "Site");
        let (_, policy) = one_with_id(t, "AWS::S3::BucketPolicy");
        let doc = evaluated(&policy["Properties"]["PolicyDocument"]);
        let expected = match elb_log_delivery_principal(*region) {
            LogDeliveryPrincipal::Account(id) => {
                accounts += 1;
                json!({"AWS": format!("arn:aws:iam::{id}:root")})
            }
            LogDeliveryPrincipal::Service(name) => {
                services += 1;
                json!({"Service": name})
            }
        };
        assert_eq!(doc["Statement"][1]["Principal"], expected, "{region:?}");
        assert!(
            policy_grants_log_delivery(&doc, *region, BUCKET, ACCOUNT, Some("alb")),
            "{region:?}: the policy does not let ELB write"
        );
        assert!(
            !policy_grants_log_delivery(&doc, *region, BUCKET, ACCOUNT, None),
            "{region:?}: the grant is wider than the prefix"
        );
    }
    // The page's table: 22 Regions available before August 2022, the rest newer.
    assert_eq!(accounts, 22);
    assert_eq!(services, Region::ALL.len() - 22);
    assert_eq!(
        elb::elb_log_delivery_principal(Region::UsEast1),
        LogDeliveryPrincipal::Account("127311923021")
    );
}

#[test]
fn each_default_has_a_way_out() {
    // Deletion protection and header dropping off.
    let app = app_with(Region::UsEast2, |p| {
        p.deletion_protection = false;
        p.drop_invalid_header_fields = false;
    });
    let a = synth(&app);
    let attrs = attributes(template(&a, "Site"));
    assert_eq!(attrs["deletion_protection.enabled"], "false");
    assert_eq!(
        attrs["routing.http.drop_invalid_header_fields.enabled"],
        "false"
    );

    // Access logs off: no bucket, no attributes, no dependency.
    let app = app_with(Region::UsEast2, |p| {
        p.access_logs = AccessLogs::Disabled;
    });
    let a = synth(&app);
    let t = template(&a, "Site");
    assert!(common::resources_of(t, "AWS::S3::Bucket").is_empty());
    assert!(common::resources_of(t, "AWS::S3::BucketPolicy").is_empty());
    let attrs = attributes(t);
    assert!(
        attrs.keys().all(|k| !k.starts_with("access_logs.")),
        "{attrs:?}"
    );
    let (_, lb) = one_with_id(t, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    let depends = lb["DependsOn"].as_array().cloned().unwrap_or_default();
    assert!(
        depends
            .iter()
            .all(|d| !d.as_str().unwrap().contains("AccessLogs")),
        "{depends:?}"
    );

    // An existing bucket: its name in the attributes, nothing created.
    let app = app_with(Region::UsEast2, |p| {
        p.access_logs = AccessLogs::Bucket("my-alb-logs".into());
        p.access_log_prefix = Some("shop/alb".into());
    });
    let a = synth(&app);
    let t = template(&a, "Site");
    assert!(common::resources_of(t, "AWS::S3::Bucket").is_empty());
    let attrs = attributes(t);
    assert_eq!(attrs["access_logs.s3.enabled"], "true");
    assert_eq!(attrs["access_logs.s3.bucket"], "my-alb-logs");
    assert_eq!(attrs["access_logs.s3.prefix"], "shop/alb");
    lint(&a);

    // A prefix and a retention of one's own on the created bucket; the grant follows the
    // prefix.
    let app = app_with(Region::UsWest1, |p| {
        p.access_log_prefix = Some("alb".into());
        p.access_log_retention_days = 30;
    });
    let a = synth(&app);
    let t = template(&a, "Site");
    assert_eq!(attributes(t)["access_logs.s3.prefix"], "alb");
    let (_, bucket) = one_with_id(t, "AWS::S3::Bucket");
    assert_eq!(
        bucket["Properties"]["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"],
        30
    );
    let (_, policy) = one_with_id(t, "AWS::S3::BucketPolicy");
    let doc = evaluated(&policy["Properties"]["PolicyDocument"]);
    assert_eq!(
        doc["Statement"][1]["Resource"],
        format!("arn:aws:s3:::{BUCKET}/alb/AWSLogs/{ACCOUNT}/*")
    );
    lint(&a);

    // A legacy TLS policy, accepted knowingly.
    let app = app_with(Region::UsEast2, |p| {
        https(p);
        p.ssl_policy = "ELBSecurityPolicy-2016-08".into();
        p.allow_legacy_tls = true;
    });
    let a = synth(&app);
    let t = template(&a, "Site");
    let ssl: Vec<Value> = common::resources_of(t, "AWS::ElasticLoadBalancingV2::Listener")
        .into_iter()
        .filter_map(|(_, l)| l["Properties"].get("SslPolicy").cloned())
        .collect();
    assert_eq!(ssl, [json!("ELBSecurityPolicy-2016-08")]);
}

#[test]
fn a_policy_that_accepts_tls_1_0_or_1_1_is_an_error_at_ssl_policy() {
    for policy in [
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-TLS13-1-1-2021-06",
    ] {
        let app = app_with(Region::UsEast2, |p| {
            https(p);
            p.ssl_policy = policy.into();
        });
        let d = only(&app, codes::ALB_011);
        assert!(d.is_error());
        assert_eq!(d.path, "Site/Lb");
        assert_eq!(d.prop.as_deref(), Some("ssl_policy"));
        assert!(d.message.contains(policy), "{}", d.message);
        assert!(dr_synth::synth(&app).is_err());
    }
    // TLS 1.2+ families pass.
    for policy in [
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    ] {
        let app = app_with(Region::UsEast2, |p| {
            https(p);
            p.ssl_policy = policy.into();
        });
        assert!(
            diagnostics(&app).iter().all(|d| d.code != codes::ALB_011),
            "{policy}"
        );
    }
}

#[test]
fn access_log_slips_are_errors_at_the_prop_the_user_wrote() {
    type Set = fn(&mut AlbProps<'_>);
    let cases: [(Set, &str, &str); 4] = [
        (
            |p| p.access_logs = AccessLogs::Bucket("s3://my-logs".into()),
            codes::ALB_012,
            "access_logs",
        ),
        (
            |p| p.access_log_retention_days = 0,
            codes::ALB_013,
            "access_log_retention_days",
        ),
        (
            |p| p.access_log_prefix = Some("logs/AWSLogs".into()),
            codes::ALB_014,
            "access_log_prefix",
        ),
        (
            |p| p.access_log_prefix = Some("logs/".into()),
            codes::ALB_014,
            "access_log_prefix",
        ),
    ];
    for (build, code, prop) in cases {
        let app = app_with(Region::UsEast2, build);
        let errors: Vec<_> = diagnostics(&app)
            .into_iter()
            .filter(|d| d.is_error())
            .collect();
        assert_eq!(errors.len(), 1, "{code}: {errors:#?}");
        assert_eq!(errors[0].code, code);
        assert_eq!(errors[0].path, "Site/Lb");
        assert_eq!(errors[0].prop.as_deref(), Some(prop));
    }
}

#[test]
fn a_standalone_access_log_bucket_checks_its_own_props() {
    let app = App::new("t");
    let s = stack(&app, "Logs", Region::UsWest2);
    let b = AccessLogBucket::new(
        &s,
        "AccessLogs",
        AccessLogBucketProps::builder()
            .retention_days(0)
            .prefix("/x")
            .build(),
    );
    let d = only(&app, codes::ALB_013);
    assert_eq!(d.path, "Logs/AccessLogs");
    assert_eq!(d.prop.as_deref(), Some("retention_days"));
    let d = only(&app, codes::ALB_014);
    assert_eq!(d.prop.as_deref(), Some("prefix"));
    assert_eq!(
        b.bucket_name().attribute(),
        None,
        "bucket_name is the bucket's Ref"
    );
    assert_eq!(b.bucket_name().element(), b.bucket().scope().node_id());
    assert_eq!(b.bucket_arn().attribute(), Some("Arn"));
}

#[test]
fn a_kms_key_on_the_access_log_bucket_is_refused_with_elbs_message() {
    // A reviewer's "use our KMS key" applied through the escape hatch: ELB accepts only SSE-S3.
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().az_count(2).build());
    let alb = Alb::new(&s, "Lb", AlbProps::builder().vpc(&vpc).build());
    let bucket = alb.access_log_bucket().expect("created by default");
    bucket.bucket().add_property_override(
        "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.SSEAlgorithm",
        "aws:kms",
    );
    let logical_id = bucket.bucket().logical_id();
    let errors = dr_synth::synth(&app).expect_err("ELB would refuse the load balancer");
    let found: Vec<_> = errors
        .0
        .iter()
        .filter(|d| d.code == codes::ALB_015)
        .collect();
    assert_eq!(found.len(), 1, "{errors}");
    assert_eq!(found[0].path, "Site/Lb/Resource");
    assert!(
        found[0].message.contains(&format!(
            "Access Denied for bucket: {logical_id}. Please check S3bucket permission"
        )),
        "{}",
        found[0].message
    );

    // The same bucket with SSE-S3 (the default) passes.
    let app = app_with(Region::UsEast2, |_| {});
    assert!(
        diagnostics(&app).iter().all(|d| d.code != codes::ALB_015),
        "{:#?}",
        diagnostics(&app)
    );
    synth(&app);
}
