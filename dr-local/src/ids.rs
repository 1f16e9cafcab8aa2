//! Physical ids and `Fn::GetAtt` attributes the simulator assigns, per resource type.
//!
//! They are shaped like the real ones (`vpc-` + 17 hex digits, ALB DNS names under
//! `<region>.elb.amazonaws.com`, Aurora endpoints under `<region>.rds.amazonaws.com`, …) and
//! derived from a hash of account, Region, stack, logical id and a per-stack generation
//! counter, so the same run gives the same ids and a replacement gives a new one.

use std::collections::BTreeMap;

use dr_core::Region;
use serde_json::{Value, json};

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

/// Assigns the physical id and attributes of a new resource of `type_name`.
pub fn create(type_name: &str, ctx: &IdContext<'_>) -> Created {
    let mut a: BTreeMap<String, Value> = BTreeMap::new();
    let mut put = |k: &str, v: Value| {
        a.insert(k.to_string(), v);
    };
    let region = ctx.region.code();
    let physical_id = match type_name {
        "AWS::EC2::VPC" => {
            let id = aws_id("vpc", ctx);
            put("VpcId", json!(id));
            put(
                "CidrBlock",
                json!(
                    ctx.prop("CidrBlock")
                        .unwrap_or_else(|| "10.0.0.0/16".into())
                ),
            );
            put(
                "CidrBlockAssociations",
                json!([aws_id("vpc-cidr-assoc", ctx)]),
            );
            put("DefaultNetworkAcl", json!(aws_id("acl", ctx)));
            put("DefaultSecurityGroup", json!(aws_id("sg", ctx)));
            put("Ipv6CidrBlocks", json!([]));
            id
        }
        "AWS::EC2::Subnet" => {
            let id = aws_id("subnet", ctx);
            let az = ctx
                .prop("AvailabilityZone")
                .unwrap_or_else(|| format!("{region}a"));
            put("SubnetId", json!(id));
            put("AvailabilityZone", json!(az));
            // AZ ids (`use2-az1`) are per account; the letter's position is a fair stand-in.
            let short: String = region
                .split('-')
                .map(|p| p.chars().next().unwrap_or('x'))
                .collect::<String>();
            let n = az
                .chars()
                .last()
                .map_or(1, |c| (c as u32).saturating_sub('a' as u32) + 1);
            let digit = region.chars().last().unwrap_or('1');
            put("AvailabilityZoneId", json!(format!("{short}{digit}-az{n}")));
            put(
                "CidrBlock",
                json!(ctx.prop("CidrBlock").unwrap_or_default()),
            );
            put("NetworkAclAssociationId", json!(aws_id("aclassoc", ctx)));
            put("VpcId", json!(ctx.prop("VpcId").unwrap_or_default()));
            put("Ipv6CidrBlocks", json!([]));
            put("OutpostArn", json!(""));
            id
        }
        "AWS::EC2::SecurityGroup" => {
            let id = aws_id("sg", ctx);
            put("GroupId", json!(id));
            put("Id", json!(id));
            put("VpcId", json!(ctx.prop("VpcId").unwrap_or_default()));
            id
        }
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
            let id = aws_id("sgr", ctx);
            put("Id", json!(id));
            id
        }
        "AWS::EC2::InternetGateway" => {
            let id = aws_id("igw", ctx);
            put("InternetGatewayId", json!(id));
            id
        }
        "AWS::EC2::VPCGatewayAttachment" => {
            // CloudFormation's physical id for an attachment is `IGW|<vpc id>`.
            put(
                "AttachmentType",
                json!(if ctx.properties.get("VpnGatewayId").is_some() {
                    "vgw"
                } else {
                    "igw"
                }),
            );
            format!("IGW|{}", ctx.prop("VpcId").unwrap_or_default())
        }
        "AWS::EC2::EIP" => {
            let h = fnv(&ctx.seed("eip"));
            let ip = format!(
                "3.{}.{}.{}",
                (h >> 8) & 255,
                (h >> 16) & 255,
                ((h >> 24) & 253) + 1
            );
            put("PublicIp", json!(ip));
            put("AllocationId", json!(aws_id("eipalloc", ctx)));
            ip
        }
        "AWS::EC2::NatGateway" => {
            let id = aws_id("nat", ctx);
            put("NatGatewayId", json!(id));
            put("EniId", json!(aws_id("eni", ctx)));
            id
        }
        "AWS::EC2::RouteTable" => {
            let id = aws_id("rtb", ctx);
            put("RouteTableId", json!(id));
            id
        }
        "AWS::EC2::Route" => {
            let dest = ctx
                .prop("DestinationCidrBlock")
                .unwrap_or_else(|| "0.0.0.0/0".into());
            put("CidrBlock", json!(dest));
            format!("{}|{dest}", ctx.prop("RouteTableId").unwrap_or_default())
        }
        "AWS::EC2::SubnetRouteTableAssociation" => {
            let id = aws_id("rtbassoc", ctx);
            put("Id", json!(id));
            id
        }
        "AWS::EC2::VPCPeeringConnection" => {
            let id = aws_id("pcx", ctx);
            put("Id", json!(id));
            id
        }
        "AWS::EC2::KeyPair" => {
            let name = ctx
                .prop("KeyName")
                .unwrap_or_else(|| ctx.generated_name(255));
            put("KeyPairId", json!(aws_id("key", ctx)));
            let fp = hex(&ctx.seed("fp"), 40);
            put(
                "KeyFingerprint",
                json!(
                    fp.as_bytes()
                        .chunks(2)
                        .map(|c| std::str::from_utf8(c).unwrap_or("00"))
                        .collect::<Vec<_>>()
                        .join(":")
                ),
            );
            name
        }
        "AWS::EC2::LaunchTemplate" => {
            let id = aws_id("lt", ctx);
            put("LaunchTemplateId", json!(id));
            put("DefaultVersionNumber", json!("1"));
            put("LatestVersionNumber", json!("1"));
            id
        }
        "AWS::AutoScaling::AutoScalingGroup" => {
            let name = ctx
                .prop("AutoScalingGroupName")
                .unwrap_or_else(|| ctx.generated_name(255));
            put(
                "AutoScalingGroupARN",
                json!(ctx.arn(
                    "autoscaling",
                    &format!(
                        "autoScalingGroup:{}:autoScalingGroupName/{name}",
                        uuid(&ctx.seed("asg"))
                    )
                )),
            );
            name
        }
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            // Load balancer names are at most 32 characters.
            let name = ctx.prop("Name").unwrap_or_else(|| ctx.generated_name(32));
            let internal = ctx.prop("Scheme").as_deref() == Some("internal");
            let kind = if ctx.prop("Type").as_deref() == Some("network") {
                "net"
            } else {
                "app"
            };
            let lb_hex = hex(&ctx.seed("lb"), 16);
            let full = format!("{kind}/{name}/{lb_hex}");
            let arn = ctx.arn("elasticloadbalancing", &format!("loadbalancer/{full}"));
            // ALB DNS names: `<name>-<digits>.<region>.elb.amazonaws.com`, internal ones
            // prefixed `internal-` (ELB user guide, "DNS name").
            let dns = format!(
                "{}{name}-{}.{region}.elb.amazonaws.com",
                if internal { "internal-" } else { "" },
                digits(&ctx.seed("dns"), 10)
            );
            put("LoadBalancerArn", json!(arn));
            put("LoadBalancerName", json!(name));
            put("LoadBalancerFullName", json!(full));
            put("DNSName", json!(dns.to_lowercase()));
            put(
                "CanonicalHostedZoneID",
                json!(
                    ctx.region
                        .alb_hosted_zone_id()
                        .unwrap_or("Z0000000000000000000")
                ),
            );
            put(
                "SecurityGroups",
                ctx.properties
                    .get("SecurityGroups")
                    .cloned()
                    .unwrap_or(json!([])),
            );
            arn
        }
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            let name = ctx.prop("Name").unwrap_or_else(|| ctx.generated_name(32));
            let full = format!("targetgroup/{name}/{}", hex(&ctx.seed("tg"), 16));
            let arn = ctx.arn("elasticloadbalancing", &full);
            put("TargetGroupArn", json!(arn));
            put("TargetGroupName", json!(name));
            put("TargetGroupFullName", json!(full));
            put("LoadBalancerArns", json!([]));
            arn
        }
        "AWS::ElasticLoadBalancingV2::Listener" => {
            let lb = ctx.prop("LoadBalancerArn").unwrap_or_default();
            let lb_part = lb
                .split_once("loadbalancer/")
                .map(|(_, r)| r.to_string())
                .unwrap_or_else(|| "app/unknown/0".into());
            let arn = ctx.arn(
                "elasticloadbalancing",
                &format!("listener/{lb_part}/{}", hex(&ctx.seed("listener"), 16)),
            );
            put("ListenerArn", json!(arn));
            arn
        }
        "AWS::IAM::Role" => {
            let name = ctx
                .prop("RoleName")
                .unwrap_or_else(|| ctx.generated_name(64));
            let path = ctx.prop("Path").unwrap_or_else(|| "/".into());
            put(
                "Arn",
                json!(format!("arn:aws:iam::{}:role{path}{name}", ctx.account)),
            );
            put(
                "RoleId",
                json!(format!("AROA{}", upper(&ctx.seed("roleid"), 17))),
            );
            name
        }
        "AWS::IAM::InstanceProfile" => {
            let name = ctx
                .prop("InstanceProfileName")
                .unwrap_or_else(|| ctx.generated_name(128));
            let path = ctx.prop("Path").unwrap_or_else(|| "/".into());
            put(
                "Arn",
                json!(format!(
                    "arn:aws:iam::{}:instance-profile{path}{name}",
                    ctx.account
                )),
            );
            name
        }
        "AWS::IAM::Policy" => {
            let id = format!(
                "{}-{}",
                ctx.stack_name.chars().take(5).collect::<String>(),
                upper(&ctx.seed("pol"), 12)
            );
            put("Id", json!(id));
            id
        }
        "AWS::KMS::Key" => {
            let id = uuid(&ctx.seed("kms"));
            put("KeyId", json!(id));
            put("Arn", json!(ctx.arn("kms", &format!("key/{id}"))));
            id
        }
        "AWS::KMS::Alias" => ctx
            .prop("AliasName")
            .unwrap_or_else(|| format!("alias/{}", ctx.logical_id)),
        "AWS::Logs::LogGroup" => {
            let name = ctx
                .prop("LogGroupName")
                .unwrap_or_else(|| ctx.generated_name(512));
            put(
                "Arn",
                json!(ctx.arn("logs", &format!("log-group:{name}:*"))),
            );
            name
        }
        "AWS::RDS::DBCluster" => {
            // RDS lower-cases identifiers.
            let id = ctx
                .prop("DBClusterIdentifier")
                .unwrap_or_else(|| ctx.generated_name(63))
                .to_lowercase();
            let tok = ctx.account_region_token(12);
            let port = ctx.prop("Port").unwrap_or_else(|| {
                if ctx.prop("Engine").is_some_and(|e| e.contains("postgres")) {
                    "5432".into()
                } else {
                    "3306".into()
                }
            });
            put(
                "DBClusterArn",
                json!(ctx.arn("rds", &format!("cluster:{id}"))),
            );
            put(
                "DBClusterResourceId",
                json!(format!("cluster-{}", upper(&ctx.seed("crid"), 26))),
            );
            put(
                "Endpoint.Address",
                json!(format!("{id}.cluster-{tok}.{region}.rds.amazonaws.com")),
            );
            put("Endpoint.Port", json!(port));
            put(
                "ReadEndpoint.Address",
                json!(format!("{id}.cluster-ro-{tok}.{region}.rds.amazonaws.com")),
            );
            put("StorageThroughput", json!(0));
            put(
                "StorageEncryptionType",
                json!(
                    if ctx.properties.get("StorageEncrypted") == Some(&json!(true)) {
                        "sse-kms"
                    } else {
                        "none"
                    }
                ),
            );
            id
        }
        "AWS::RDS::DBInstance" => {
            let id = ctx
                .prop("DBInstanceIdentifier")
                .unwrap_or_else(|| ctx.generated_name(63))
                .to_lowercase();
            let tok = ctx.account_region_token(12);
            put("DBInstanceArn", json!(ctx.arn("rds", &format!("db:{id}"))));
            put(
                "DbiResourceId",
                json!(format!("db-{}", upper(&ctx.seed("dbi"), 26))),
            );
            put(
                "Endpoint.Address",
                json!(format!("{id}.{tok}.{region}.rds.amazonaws.com")),
            );
            put("Endpoint.Port", json!("3306"));
            put(
                "Endpoint.HostedZoneId",
                json!(format!("Z{}", upper(&format!("rdszone/{region}"), 13))),
            );
            put("DBInstanceStatus", json!("available"));
            id
        }
        "AWS::RDS::DBSubnetGroup" => {
            let name = ctx
                .prop("DBSubnetGroupName")
                .unwrap_or_else(|| ctx.generated_name(255))
                .to_lowercase();
            put(
                "DBSubnetGroupArn",
                json!(ctx.arn("rds", &format!("subgrp:{name}"))),
            );
            name
        }
        "AWS::RDS::DBClusterParameterGroup" => ctx
            .prop("DBClusterParameterGroupName")
            .unwrap_or_else(|| ctx.generated_name(255))
            .to_lowercase(),
        "AWS::RDS::GlobalCluster" => {
            let id = ctx
                .prop("GlobalClusterIdentifier")
                .unwrap_or_else(|| ctx.generated_name(63))
                .to_lowercase();
            // `<id>.global-<random>.global.rds.amazonaws.com` (AWS-FACTS §1.8).
            put(
                "GlobalEndpoint.Address",
                json!(global_endpoint(&id, ctx.account)),
            );
            id
        }
        "AWS::Route53::HostedZone" => {
            let id = format!("Z{}", upper(&ctx.seed("zone"), 20));
            put("Id", json!(id));
            let n = fnv(&ctx.seed("ns"));
            put(
                "NameServers",
                json!([
                    format!("ns-{}.awsdns-{:02}.com", n % 512, n % 64),
                    format!(
                        "ns-{}.awsdns-{:02}.net",
                        512 + (n >> 9) % 512,
                        (n >> 9) % 64
                    ),
                    format!(
                        "ns-{}.awsdns-{:02}.org",
                        1024 + (n >> 18) % 512,
                        (n >> 18) % 64
                    ),
                    format!(
                        "ns-{}.awsdns-{:02}.co.uk",
                        1536 + (n >> 27) % 512,
                        (n >> 27) % 64
                    ),
                ]),
            );
            id
        }
        // A record set's physical id is its name.
        "AWS::Route53::RecordSet" => ctx.prop("Name").unwrap_or_default(),
        "AWS::Route53::HealthCheck" => {
            let id = uuid(&ctx.seed("hc"));
            put("HealthCheckId", json!(id));
            id
        }
        "AWS::SecretsManager::Secret" => {
            let name = ctx
                .prop("Name")
                .unwrap_or_else(|| format!("{}-{}", ctx.logical_id, lower(&ctx.seed("sname"), 12)));
            let arn = ctx.arn(
                "secretsmanager",
                &format!(
                    "secret:{name}-{}",
                    chars_from(
                        &ctx.seed("sarn"),
                        6,
                        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    )
                ),
            );
            put("Id", json!(arn));
            arn
        }
        "AWS::SSM::Parameter" => {
            let name = ctx.prop("Name").unwrap_or_else(|| {
                format!("CFN-{}-{}", ctx.logical_id, upper(&ctx.seed("ssm"), 12))
            });
            put(
                "Arn",
                json!(ctx.arn(
                    "ssm",
                    &format!(
                        "parameter{}{name}",
                        if name.starts_with('/') { "" } else { "/" }
                    )
                )),
            );
            put(
                "Type",
                json!(ctx.prop("Type").unwrap_or_else(|| "String".into())),
            );
            put("Value", json!(ctx.prop("Value").unwrap_or_default()));
            name
        }
        "AWS::S3::Bucket" => {
            let name = ctx
                .prop("BucketName")
                .unwrap_or_else(|| ctx.generated_name(63))
                .to_lowercase();
            put("Arn", json!(format!("arn:aws:s3:::{name}")));
            put("DomainName", json!(format!("{name}.s3.amazonaws.com")));
            put(
                "DualStackDomainName",
                json!(format!("{name}.s3.dualstack.{region}.amazonaws.com")),
            );
            put(
                "RegionalDomainName",
                json!(format!("{name}.s3.{region}.amazonaws.com")),
            );
            put(
                "WebsiteURL",
                json!(format!("http://{name}.s3-website.{region}.amazonaws.com")),
            );
            name
        }
        "AWS::CloudWatch::Alarm" => {
            let name = ctx
                .prop("AlarmName")
                .unwrap_or_else(|| ctx.generated_name(255));
            put(
                "Arn",
                json!(ctx.arn("cloudwatch", &format!("alarm:{name}"))),
            );
            name
        }
        "AWS::EKS::Cluster" => {
            let name = ctx
                .prop("Name")
                .unwrap_or_else(|| format!("{}-{}", ctx.logical_id, lower(&ctx.seed("eks"), 16)));
            let h = upper(&ctx.seed("eksep"), 32);
            put("Arn", json!(ctx.arn("eks", &format!("cluster/{name}"))));
            put("Id", json!(uuid(&ctx.seed("eksid"))));
            put(
                "Endpoint",
                json!(format!("https://{h}.gr7.{region}.eks.amazonaws.com")),
            );
            put(
                "CertificateAuthorityData",
                json!(super::eval::base64(
                    format!(
                        "-----BEGIN CERTIFICATE-----\nsimulated {name}\n-----END CERTIFICATE-----\n"
                    )
                    .as_bytes()
                )),
            );
            put("ClusterSecurityGroupId", json!(aws_id("sg", ctx)));
            put(
                "OpenIdConnectIssuerUrl",
                json!(format!("https://oidc.eks.{region}.amazonaws.com/id/{h}")),
            );
            put("EncryptionConfigKeyArn", json!(""));
            put("KubernetesNetworkConfig.ServiceIpv6Cidr", json!(""));
            name
        }
        "AWS::EKS::Nodegroup" => {
            let cluster = ctx.prop("ClusterName").unwrap_or_default();
            let ng = ctx
                .prop("NodegroupName")
                .unwrap_or_else(|| format!("{}-{}", ctx.logical_id, lower(&ctx.seed("ng"), 12)));
            put(
                "Arn",
                json!(ctx.arn(
                    "eks",
                    &format!("nodegroup/{cluster}/{ng}/{}", uuid(&ctx.seed("ngid")))
                )),
            );
            put("Id", json!(format!("{cluster}/{ng}")));
            put("ClusterName", json!(cluster));
            put("NodegroupName", json!(ng));
            format!("{cluster}/{ng}")
        }
        _ => ctx.generated_name(128),
    };
    Created {
        physical_id,
        attributes: a,
    }
}

/// The Aurora global writer endpoint of a global cluster:
/// `<id>.global-<random>.global.rds.amazonaws.com` (AWS-FACTS §1.8). The random part is per
/// account, so the name survives switchover and failover.
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
