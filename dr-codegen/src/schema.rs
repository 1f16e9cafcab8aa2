//! Loading the vendored CloudFormation resource provider schemas.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

/// The resource types drkit uses, in the order of the design (grouped by service).
/// `cargo run -p dr-codegen -- vendor-schemas` copies exactly these.
pub const TYPES: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::NatGateway",
    "AWS::EC2::EIP",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::LaunchTemplate",
    "AWS::EC2::KeyPair",
    "AWS::EC2::VPCPeeringConnection",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::IAM::Role",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::Policy",
    "AWS::EKS::Cluster",
    "AWS::EKS::Nodegroup",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBSubnetGroup",
    "AWS::RDS::GlobalCluster",
    "AWS::RDS::DBClusterParameterGroup",
    "AWS::KMS::Key",
    "AWS::KMS::Alias",
    "AWS::SecretsManager::Secret",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::Route53::HostedZone",
    "AWS::Route53::RecordSet",
    "AWS::Route53::HealthCheck",
    "AWS::CloudWatch::Alarm",
    "AWS::SSM::Parameter",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::Topic",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::Subscription",
    "AWS::Logs::LogGroup",
];

/// `Fn::GetAtt` attributes that are not read-only properties: CloudFormation's "Return values"
/// documentation of these types lists some writable properties as attributes too (and cfn-lint
/// accepts every property of these types, `_all_property_types` in cfnlint/schema/_getatts.py).
/// Only the documented ones are listed; a dr-codegen test checks cfn-lint accepts each.
pub const EXTRA_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("AWS::EC2::VPC", &["CidrBlock"]),
    (
        "AWS::EC2::Subnet",
        &[
            "AvailabilityZone",
            "AvailabilityZoneId",
            "CidrBlock",
            "OutpostArn",
            "VpcId",
        ],
    ),
    ("AWS::EC2::SecurityGroup", &["VpcId"]),
    (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        &["SecurityGroups"],
    ),
    ("AWS::EKS::Nodegroup", &["ClusterName", "NodegroupName"]),
    ("AWS::SSM::Parameter", &["Type", "Value"]),
];

/// The vendored file name of a type: `AWS::EC2::VPC` -> `aws-ec2-vpc.json`.
pub fn file_name(type_name: &str) -> String {
    format!("{}.json", type_name.to_ascii_lowercase().replace("::", "-"))
}

/// One resource provider schema, with its property paths normalized (`/properties/A/B` ->
/// `A.B`; array items are `*`).
#[derive(Debug, Clone)]
pub struct Schema {
    /// `AWS::EC2::VPC`.
    pub type_name: String,
    /// The schema's description of the resource.
    pub description: String,
    /// Top-level properties, in schema order.
    pub properties: Map<String, Value>,
    /// `definitions`.
    pub definitions: Map<String, Value>,
    /// Top-level required property names.
    pub required: Vec<String>,
    /// Normalized read-only paths.
    pub read_only: Vec<String>,
    /// Normalized create-only paths.
    pub create_only: Vec<String>,
    /// Normalized conditionally create-only paths.
    pub conditional_create_only: Vec<String>,
    /// Normalized write-only paths.
    pub write_only: Vec<String>,
    /// Normalized primary identifier paths.
    pub primary_identifier: Vec<String>,
}

/// `/properties/A/B` -> `A.B`.
pub fn normalize(path: &str) -> String {
    let p = path.strip_prefix("/properties/").unwrap_or(path);
    p.trim_start_matches('/').replace('/', ".")
}

fn str_list(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn path_list(v: &Value, key: &str) -> Vec<String> {
    str_list(v, key).iter().map(|p| normalize(p)).collect()
}

impl Schema {
    /// Parses one schema document.
    pub fn parse(v: &Value) -> Result<Schema> {
        let type_name = v
            .get("typeName")
            .and_then(Value::as_str)
            .context("schema without typeName")?
            .to_string();
        let obj = |k: &str| {
            v.get(k)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        Ok(Schema {
            description: v
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            properties: obj("properties"),
            definitions: obj("definitions"),
            required: str_list(v, "required"),
            read_only: path_list(v, "readOnlyProperties"),
            create_only: path_list(v, "createOnlyProperties"),
            conditional_create_only: path_list(v, "conditionalCreateOnlyProperties"),
            write_only: path_list(v, "writeOnlyProperties"),
            primary_identifier: path_list(v, "primaryIdentifier"),
            type_name,
        })
    }

    /// Loads every type of [`TYPES`] from `dir`.
    pub fn load_all(dir: &Path) -> Result<Vec<Schema>> {
        TYPES
            .iter()
            .map(|t| {
                let p = dir.join(file_name(t));
                let text = std::fs::read_to_string(&p).with_context(|| {
                    format!(
                        "reading {} (run `cargo run -p dr-codegen -- vendor-schemas`)",
                        p.display()
                    )
                })?;
                let v: Value = serde_json::from_str(&text)
                    .with_context(|| format!("parsing {}", p.display()))?;
                let s = Schema::parse(&v)?;
                if s.type_name != *t {
                    bail!("{} holds {}, expected {t}", p.display(), s.type_name);
                }
                Ok(s)
            })
            .collect()
    }

    /// Follows a `$ref` (`#/definitions/X`) to the definition's name and body.
    pub fn deref<'a>(&'a self, node: &'a Value) -> Option<(&'a str, &'a Value)> {
        let r = node.get("$ref")?.as_str()?;
        let name = r.strip_prefix("#/definitions/")?;
        Some((name, self.definitions.get(name)?))
    }

    /// The schema node at a normalized path (`A.B`, `A.*.B`), following `$ref`s.
    pub fn node_at(&self, path: &str) -> Option<&Value> {
        let mut segs = path.split('.');
        let mut node = self.properties.get(segs.next()?)?;
        for seg in segs {
            node = self.resolve(node);
            node = if seg == "*" {
                node.get("items")?
            } else {
                node.get("properties")?.get(seg)?
            };
        }
        Some(self.resolve(node))
    }

    /// Follows `$ref`s until a node without one.
    pub fn resolve<'a>(&'a self, mut node: &'a Value) -> &'a Value {
        for _ in 0..16 {
            match self.deref(node) {
                Some((_, d)) => node = d,
                None => break,
            }
        }
        node
    }

    /// Whether a normalized path is read-only.
    pub fn is_read_only(&self, path: &str) -> bool {
        self.read_only.iter().any(|p| p == path)
    }

    /// The `Fn::GetAtt` attribute names: read-only properties, nested ones dotted, leaving out
    /// objects (only their scalar leaves can be read) and anything inside an array.
    pub fn attributes(&self) -> Vec<String> {
        self.read_only
            .iter()
            .filter(|p| !p.split('.').any(|s| s == "*"))
            .filter(|p| match self.node_at(p) {
                Some(n) => !is_object(n) && !is_array_of_objects(self, n),
                None => true,
            })
            .cloned()
            .chain(
                EXTRA_ATTRIBUTES
                    .iter()
                    .filter(|(t, _)| *t == self.type_name)
                    .flat_map(|(_, attrs)| attrs.iter().map(|a| a.to_string())),
            )
            .collect()
    }

    /// `AWS::EC2::VPC` -> (`EC2`, `VPC`).
    pub fn service_and_resource(&self) -> (&str, &str) {
        let mut parts = self.type_name.split("::").skip(1);
        let service = parts.next().unwrap_or_default();
        let resource = parts.next().unwrap_or_default();
        (service, resource)
    }
}

fn is_object(n: &Value) -> bool {
    n.get("type").and_then(Value::as_str) == Some("object") || n.get("properties").is_some()
}

fn is_array_of_objects(s: &Schema, n: &Value) -> bool {
    n.get("type").and_then(Value::as_str) == Some("array")
        && n.get("items")
            .map(|i| is_object(s.resolve(i)))
            .unwrap_or(false)
}
