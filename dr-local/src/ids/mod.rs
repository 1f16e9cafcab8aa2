//! Physical ids and `Fn::GetAtt` attributes the simulator assigns, per resource type.
//!
//! They are shaped like the real ones (`vpc-` + 17 hex digits, ALB DNS names under
//! `<region>.elb.amazonaws.com`, Aurora endpoints under `<region>.rds.amazonaws.com`, …) and
//! derived from a hash of account, Region, stack, logical id and a per-stack generation
//! counter, so the same run gives the same ids and a replacement gives a new one.

use std::collections::BTreeMap;

use dr_core::Region;
use serde_json::{Value, json};

mod autoscaling;
mod cloudwatch;
mod ec2;
mod eks;
mod elbv2;
mod iam;
mod kms;
mod logs;
mod rds;
mod route53;
mod s3;
mod secretsmanager;
mod sns;
mod ssm;

/// FNV-1a, 64 bit: small, stable across Rust versions (unlike `DefaultHasher`).
pub fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A stream of pseudo-random bytes from a seed (splitmix64).
struct Stream(u64);
impl Stream {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn chars_from(seed: &str, n: usize, alphabet: &[u8]) -> String {
    let mut s = Stream(fnv(seed));
    (0..n)
        .map(|_| alphabet[(s.next() % alphabet.len() as u64) as usize] as char)
        .collect()
}

/// `n` lower-case hex digits derived from `seed`.
pub fn hex(seed: &str, n: usize) -> String {
    chars_from(seed, n, b"0123456789abcdef")
}
/// `n` upper-case letters and digits derived from `seed`.
pub fn upper(seed: &str, n: usize) -> String {
    chars_from(seed, n, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
}
/// `n` lower-case letters and digits derived from `seed`.
pub fn lower(seed: &str, n: usize) -> String {
    chars_from(seed, n, b"abcdefghijklmnopqrstuvwxyz0123456789")
}
/// `n` decimal digits derived from `seed`.
pub fn digits(seed: &str, n: usize) -> String {
    chars_from(seed, n, b"0123456789")
}
/// A UUID-shaped id derived from `seed`.
pub fn uuid(seed: &str) -> String {
    let h = hex(seed, 32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// What the simulator knows when it creates a resource.
#[derive(Debug, Clone, Copy)]
pub struct IdContext<'a> {
    /// The stack's Region.
    pub region: Region,
    /// The account.
    pub account: &'a str,
    /// The stack name.
    pub stack_name: &'a str,
    /// The resource's logical id.
    pub logical_id: &'a str,
    /// Bumped for every physical resource of this logical id the stack creates, so a
    /// replacement gets a new id.
    pub generation: u64,
    /// The resolved properties.
    pub properties: &'a Value,
}

/// A created resource's physical id (what `Ref` returns) and attributes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Created {
    /// What `Ref` returns.
    pub physical_id: String,
    /// `Fn::GetAtt` attributes, dotted names (`Endpoint.Address`).
    pub attributes: BTreeMap<String, Value>,
}

impl IdContext<'_> {
    fn seed(&self, what: &str) -> String {
        format!(
            "{}/{}/{}/{}/{}/{what}",
            self.account, self.region, self.stack_name, self.logical_id, self.generation
        )
    }
    fn prop(&self, name: &str) -> Option<String> {
        self.properties.get(name).and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    }
    /// CloudFormation's generated name: `<stack>-<logical>-<13 random>`, cut to `max`.
    fn generated_name(&self, max: usize) -> String {
        let suffix = upper(&self.seed("name"), 13);
        let room = max.saturating_sub(suffix.len() + 2);
        let stack_part: String = self.stack_name.chars().take(room / 2).collect();
        let logical_part: String = self
            .logical_id
            .chars()
            .take(room - stack_part.len())
            .collect();
        format!("{stack_part}-{logical_part}-{suffix}")
    }
    fn arn(&self, service: &str, rest: &str) -> String {
        format!("arn:aws:{service}:{}:{}:{rest}", self.region, self.account)
    }
    /// Per account and Region, like the random part of Aurora endpoints.
    fn account_region_token(&self, n: usize) -> String {
        lower(&format!("{}/{}", self.account, self.region), n)
    }
}

fn aws_id(prefix: &str, ctx: &IdContext<'_>) -> String {
    format!("{prefix}-{}", hex(&ctx.seed(prefix), 17))
}

/// The `Fn::GetAtt` attributes a service's `create` fills in.
#[derive(Default)]
struct Attributes(BTreeMap<String, Value>);

impl Attributes {
    fn put(&mut self, name: &str, value: Value) {
        self.0.insert(name.to_string(), value);
    }
}

/// Assigns the physical id and attributes of a new resource of `type_name`.
pub fn create(type_name: &str, ctx: &IdContext<'_>) -> Created {
    let mut a = Attributes::default();
    // `AWS::<service>::<resource>`; each service knows its own resource names.
    let (service, resource) = type_name
        .strip_prefix("AWS::")
        .and_then(|t| t.split_once("::"))
        .unwrap_or_default();
    let physical_id = match service {
        "AutoScaling" => autoscaling::create(resource, ctx, &mut a),
        "CloudWatch" => cloudwatch::create(resource, ctx, &mut a),
        "EC2" => ec2::create(resource, ctx, &mut a),
        "EKS" => eks::create(resource, ctx, &mut a),
        "ElasticLoadBalancingV2" => elbv2::create(resource, ctx, &mut a),
        "IAM" => iam::create(resource, ctx, &mut a),
        "KMS" => kms::create(resource, ctx, &mut a),
        "Logs" => logs::create(resource, ctx, &mut a),
        "RDS" => rds::create(resource, ctx, &mut a),
        "Route53" => route53::create(resource, ctx, &mut a),
        "S3" => s3::create(resource, ctx, &mut a),
        "SecretsManager" => secretsmanager::create(resource, ctx, &mut a),
        "SNS" => sns::create(resource, ctx, &mut a),
        "SSM" => ssm::create(resource, ctx, &mut a),
        _ => None,
    };
    Created {
        // A type the simulator does not model still gets a plausible name.
        physical_id: physical_id.unwrap_or_else(|| ctx.generated_name(128)),
        attributes: a.0,
    }
}

/// The attributes of a `type_name` that an in-place update of `property` changes although no
/// property of their name does: a launch template's data cannot be modified, a change makes
/// a new version ("Modify a launch template (manage launch template versions)",
/// <https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/manage-launch-template-versions.html>:
/// "Launch templates are immutable … Instead, you can create a new version"), so
/// `LatestVersionNumber` moves with `LaunchTemplateData`, and so does what reads it (an Auto
/// Scaling group's `LaunchTemplate.Version`).
pub fn attributes_moved_by(type_name: &str, property: &str) -> &'static [&'static str] {
    match (type_name, property) {
        ("AWS::EC2::LaunchTemplate", "LaunchTemplateData") => &["LatestVersionNumber"],
        _ => &[],
    }
}

/// Applies to `attributes` what an in-place update from properties `old` to `new` changes
/// beyond them ([`attributes_moved_by`]): a launch template's new version is numbered after
/// the latest ("Launch template versions are numbered in the order in which they are
/// created", "CreateLaunchTemplateVersion",
/// <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplateVersion.html>).
pub fn apply_update(
    type_name: &str,
    old: &Value,
    new: &Value,
    attributes: &mut BTreeMap<String, Value>,
) {
    let moved = |property: &str| old.get(property) != new.get(property);
    for attribute in new
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys())
        .chain(old.as_object().into_iter().flat_map(|m| m.keys()))
        .filter(|p| moved(p))
        .flat_map(|p| attributes_moved_by(type_name, p))
        .collect::<std::collections::BTreeSet<_>>()
    {
        if *attribute == "LatestVersionNumber" {
            let latest = attributes
                .get(*attribute)
                .and_then(Value::as_str)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(1);
            attributes.insert(attribute.to_string(), json!((latest + 1).to_string()));
        }
    }
}

/// The Aurora global writer endpoint of a global cluster:
/// `<id>.global-<random>.global.rds.amazonaws.com` ("Connecting to Amazon Aurora Global
/// Database",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html>).
/// The random part is per account, so the name survives switchover and failover.
pub fn global_endpoint(global_id: &str, account: &str) -> String {
    format!(
        "{global_id}.global-{}.global.rds.amazonaws.com",
        lower(&format!("global/{account}"), 10)
    )
}

/// The value of attribute `attr` for a resource whose facts list it but for which the
/// simulator has no specific value: a string derived from the physical id, so a template that
/// reads an uncommon attribute still deploys.
pub fn fallback_attribute(physical_id: &str, attr: &str) -> Value {
    json!(format!(
        "{physical_id}-{}",
        attr.replace('.', "-").to_lowercase()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(props: &'a Value, generation: u64) -> IdContext<'a> {
        IdContext {
            region: Region::UsEast2,
            account: "123456789012",
            stack_name: "Shop-Net",
            logical_id: "Vpc",
            generation,
            properties: props,
        }
    }

    #[test]
    fn ids_are_shaped_and_deterministic() {
        let p = json!({"CidrBlock": "10.10.0.0/16"});
        let a = create("AWS::EC2::VPC", &ctx(&p, 1));
        assert_eq!(a, create("AWS::EC2::VPC", &ctx(&p, 1)));
        assert!(
            a.physical_id.starts_with("vpc-") && a.physical_id.len() == 21,
            "{}",
            a.physical_id
        );
        assert_ne!(
            a.physical_id,
            create("AWS::EC2::VPC", &ctx(&p, 2)).physical_id
        );
        let lb = create(
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            &ctx(&json!({}), 1),
        );
        let dns = lb.attributes["DNSName"].as_str().unwrap();
        assert!(dns.ends_with(".us-east-2.elb.amazonaws.com"), "{dns}");
        assert_eq!(
            lb.attributes["CanonicalHostedZoneID"],
            json!("Z3AADJGX6KTTL2")
        );
        assert!(lb.attributes["LoadBalancerName"].as_str().unwrap().len() <= 32);
        let g = create(
            "AWS::RDS::GlobalCluster",
            &ctx(&json!({"GlobalClusterIdentifier": "shop-global"}), 1),
        );
        let ep = g.attributes["GlobalEndpoint.Address"].as_str().unwrap();
        assert!(
            ep.starts_with("shop-global.global-") && ep.ends_with(".global.rds.amazonaws.com"),
            "{ep}"
        );
    }
}
