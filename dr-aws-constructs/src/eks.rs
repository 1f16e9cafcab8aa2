//! `EksCluster`: an EKS cluster with a managed node group in private subnets.

use dr_core::diagnostics::codes;
use dr_core::facts::ec2::Arch;
use dr_core::facts::eks::{self, AMI_TYPES, AmiFamily, VersionSupport};
use dr_core::{CfnResource, Scope, Token, Val, suggest};
use ipnet::Ipv4Net;

use crate::common::{
    SummaryRow, account_key_policy, assume_role_policy, managed_policy, name_tag, val,
};
use crate::l1::Tag;
use crate::l1::eks::cluster::{
    AccessConfig, ClusterLogging, EncryptionConfig, Logging, LoggingTypeConfig, Provider,
    ResourcesVpcConfig,
};
use crate::l1::eks::nodegroup::{ScalingConfig, UpdateConfig};
use crate::l1::eks::{CfnCluster, CfnNodegroup};
use crate::l1::iam::CfnRole;
use crate::l1::kms::CfnKey;
use crate::validate;
use crate::vpc::Vpc;

/// The Kubernetes version drkit creates clusters with: 1.35, released on EKS on 2026-01-28,
/// in standard support until 2027-03-27 ("Understand the Kubernetes version lifecycle on EKS",
/// <https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html>; dates from the
/// EKS release calendar on that page as mirrored by <https://endoflife.date/amazon-eks>), the
/// newest version of drkit's table ([`dr_core::facts::eks::VERSIONS`]).
pub const DEFAULT_KUBERNETES_VERSION: &str = "1.35";

/// The managed policies an EKS node role needs ("Amazon EKS node IAM role",
/// <https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html>).
pub const NODE_ROLE_POLICIES: [&str; 3] = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
];

/// The node instance type when none is given: `t3.medium` (2 vCPUs, 4 GiB), the smallest
/// burstable type whose pod capacity (17 pods with the VPC CNI) leaves room for workloads
/// beside the system pods ("Amazon EKS recommended maximum Pods for each Amazon EC2 instance
/// type", <https://docs.aws.amazon.com/eks/latest/userguide/choosing-instance-type.html>).
pub const DEFAULT_NODE_INSTANCE_TYPE: &str = "t3.medium";
/// The node AMI type when none is given: Amazon Linux 2023 for x86_64, matching
/// [`DEFAULT_NODE_INSTANCE_TYPE`] ("AmiType", Amazon EKS API Reference,
/// <https://docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html>).
pub const DEFAULT_NODE_AMI_TYPE: &str = "AL2023_x86_64_STANDARD";
/// How many nodes a node group runs when no size is given: 2, so a node can be drained or lost
/// while the other keeps serving.
pub const DEFAULT_NODE_COUNT: u32 = 2;
/// The control-plane logs sent to CloudWatch Logs when none are given: `api`, `audit` and
/// `authenticator`, the ones that answer who did what ("Send control plane logs to CloudWatch
/// Logs", <https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html>).
pub const DEFAULT_LOG_TYPES: [&str; 3] = ["api", "audit", "authenticator"];

/// Which KMS key envelope-encrypts the cluster's Kubernetes API data (Secrets, ConfigMaps,
/// ...) before the control plane stores it in etcd.
///
/// What AWS does without a key of yours: from Kubernetes 1.28 EKS envelope-encrypts all
/// Kubernetes API data with an AWS owned key, and etcd's volumes are encrypted at disk level
/// on every cluster ("Default envelope encryption for all Kubernetes API Data",
/// <https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html>). A customer
/// managed key adds what an AWS owned key cannot give: a key policy of yours, its use in
/// CloudTrail, and the power to revoke it. The key is the cluster's for life: EKS cannot turn
/// the encryption off ("Encrypt Kubernetes secrets with KMS on existing clusters",
/// <https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html>), `EncryptionConfig` is
/// create-only in CloudFormation (a change replaces the cluster, with its workloads), and a
/// disabled or deleted key leaves the cluster degraded or unrecoverable (the first page).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum SecretsEncryption {
    /// A key of the cluster's own (`SecretsKey` beside it): symmetric, rotated yearly, 30 days
    /// to cancel a deletion, its use allowed through IAM (account root administers it). One
    /// key per cluster keeps a key's disablement, and the grants EKS holds on it, to one
    /// cluster: EKS warns that a key shared by clusters widens what disabling it affects (the
    /// envelope-encryption page, "Can I use the same CMK key for multiple Amazon EKS
    /// clusters?"). About $1 a month.
    #[default]
    OwnKey,
    /// A symmetric key of the cluster's Region that you manage: its ARN or alias (e.g.
    /// `site.pair_key_arn()` in a `DrPair`). Whoever deploys needs `kms:DescribeKey` and
    /// `kms:CreateGrant` on it (the enable-kms page).
    Key(Val<String>),
    /// No key of yours: EKS's default envelope encryption with an AWS owned key.
    AwsOwnedKey,
}

/// Settings of an [`EksCluster`]: `EksClusterProps::builder().vpc(&vpc).build()`.
#[derive(Debug, Clone, bon::Builder)]
#[builder(on(String, into), on(_, setters(doc(default(skip)))))]
pub struct EksClusterProps<'a> {
    /// The VPC; the control plane's network interfaces and the nodes go to its private subnets.
    /// Required.
    pub vpc: &'a Vpc,
    /// The Kubernetes version, `1.NN`: one EKS still creates clusters of (an error when
    /// drkit's version table, [`dr_core::facts::eks`], has it past the end of extended
    /// support; a warning naming the table's date when the table does not know it).
    /// Default: [`DEFAULT_KUBERNETES_VERSION`].
    #[builder(default = DEFAULT_KUBERNETES_VERSION)]
    pub version: String,
    /// CIDRs allowed to reach the API endpoint from the internet: public addresses only (no
    /// private or other reserved block, never `0.0.0.0/0`), at most 40. Default: none, the
    /// endpoint is private only (reachable from the VPC and networks routed to it).
    #[builder(default, with = |cidrs: impl IntoIterator<Item = impl Into<String>>| cidrs.into_iter().map(Into::into).collect())]
    pub public_access_cidrs: Vec<String>,
    /// The nodes' instance type. Default: [`DEFAULT_NODE_INSTANCE_TYPE`].
    #[builder(default = DEFAULT_NODE_INSTANCE_TYPE)]
    pub node_instance_type: String,
    /// The nodes' AMI type, one of the EKS API's `AmiType` values
    /// ([`dr_core::facts::eks::AMI_TYPES`]) of the node instance type's architecture; no
    /// Amazon Linux 2 type from Kubernetes 1.33 on, and not `CUSTOM`. Default:
    /// [`DEFAULT_NODE_AMI_TYPE`].
    #[builder(default = DEFAULT_NODE_AMI_TYPE)]
    pub node_ami_type: String,
    /// Minimum nodes, at most `node_desired_size`. Default: [`DEFAULT_NODE_COUNT`].
    #[builder(default = DEFAULT_NODE_COUNT)]
    pub node_min_size: u32,
    /// Desired nodes, at least 1, between `node_min_size` and `node_max_size`. Default:
    /// [`DEFAULT_NODE_COUNT`].
    #[builder(default = DEFAULT_NODE_COUNT)]
    pub node_desired_size: u32,
    /// Maximum nodes, at least 1 (above 450, the default quota per managed node group, a
    /// warning). Default: [`DEFAULT_NODE_COUNT`].
    #[builder(default = DEFAULT_NODE_COUNT)]
    pub node_max_size: u32,
    /// Control-plane log types sent to CloudWatch Logs, each once, of `api`, `audit`,
    /// `authenticator`, `controllerManager` and `scheduler`. Default: [`DEFAULT_LOG_TYPES`].
    #[builder(default = DEFAULT_LOG_TYPES.map(String::from).to_vec(), with = |types: impl IntoIterator<Item = impl Into<String>>| types.into_iter().map(Into::into).collect())]
    pub log_types: Vec<String>,
    /// The KMS key that envelope-encrypts Kubernetes secrets and the rest of the API data
    /// (`EncryptionConfig`; see [`SecretsEncryption`]). Create-only: changing it replaces the
    /// cluster. Default: [`SecretsEncryption::OwnKey`], a key of the cluster's own;
    /// [`SecretsEncryption::AwsOwnedKey`] leaves it to EKS's default encryption.
    #[builder(default)]
    pub secrets_encryption: SecretsEncryption,
}

/// A cluster role, an EKS cluster whose API endpoint is private (public only for the CIDRs
/// listed), access entries for authentication, and a managed node group with its node role,
/// nodes in the private subnets.
#[derive(Debug, Clone)]
pub struct EksCluster {
    scope: Scope,
    cluster: CfnResource,
    secrets_key: Option<CfnResource>,
    node_group: CfnResource,
    node_role: CfnResource,
}

impl EksCluster {
    /// Creates the cluster under `scope` with id `id`.
    pub fn new(scope: &Scope, id: &str, props: EksClusterProps<'_>) -> EksCluster {
        let scope = scope.child(id);
        let public_cidrs = check_props(&scope, &props);
        let cluster_role = add_cluster_role(&scope);
        let secrets_key = matches!(props.secrets_encryption, SecretsEncryption::OwnKey)
            .then(|| add_secrets_key(&scope));
        let key_arn = match &props.secrets_encryption {
            SecretsEncryption::OwnKey => secrets_key.as_ref().map(|k| Val::from(k.get_att("Arn"))),
            SecretsEncryption::Key(key) => Some(key.clone()),
            SecretsEncryption::AwsOwnedKey => None,
        };
        let cluster = add_cluster(&scope, &props, &cluster_role, &public_cidrs, key_arn);
        let node_role = add_node_role(&scope);
        let node_group = add_node_group(&scope, &props, &cluster, &node_role);
        record_summary(&scope, &props, &node_group);

        EksCluster {
            scope,
            cluster,
            secrets_key,
            node_group,
            node_role,
        }
    }

    /// The construct's scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The cluster resource.
    pub fn cluster(&self) -> &CfnResource {
        &self.cluster
    }
    /// The cluster name.
    pub fn cluster_name(&self) -> Token {
        self.cluster.ref_()
    }
    /// The key the cluster created for its secrets ([`SecretsEncryption::OwnKey`]), if any.
    pub fn secrets_key(&self) -> Option<&CfnResource> {
        self.secrets_key.as_ref()
    }
    /// The cluster ARN.
    pub fn cluster_arn(&self) -> Token {
        self.cluster.get_att("Arn")
    }
    /// The API server endpoint.
    pub fn endpoint(&self) -> Token {
        self.cluster.get_att("Endpoint")
    }
    /// The security group EKS creates for the cluster, which the managed nodes use: grant the
    /// nodes access to a database with it.
    pub fn cluster_security_group_id(&self) -> Token {
        self.cluster.get_att("ClusterSecurityGroupId")
    }
    /// The node group resource.
    pub fn node_group(&self) -> &CfnResource {
        &self.node_group
    }
    /// The node role's ARN.
    pub fn node_role_arn(&self) -> Token {
        self.node_role.get_att("Arn")
    }
}

/// Reports invalid settings before anything is built, and returns the valid
/// `public_access_cidrs`. Each slip is one error, on the prop it was made in. The VPC's zones
/// are the VPC's to check: fewer than two is reported there (`DRK-AZ-005`, naming the
/// cluster), not again here.
fn check_props(scope: &Scope, props: &EksClusterProps<'_>) -> Vec<Ipv4Net> {
    check_version(scope, &props.version);
    check_nodes(scope, props);
    check_node_group_size(
        scope,
        props.node_min_size,
        props.node_desired_size,
        props.node_max_size,
    );
    check_log_types(scope, &props.log_types);
    if let SecretsEncryption::Key(key) = &props.secrets_encryption {
        check_secrets_key(scope, key);
    }
    check_public_access_cidrs(scope, &props.public_access_cidrs)
}

/// Checks a literal key for Kubernetes secrets: a KMS key or alias, by ARN of the cluster's
/// Region ("The KMS key must be symmetric, created in the same region as the cluster",
/// `KeyArn` of `Provider` in the `AWS::EKS::Cluster` schema; "Encrypt Kubernetes secrets with
/// KMS on existing clusters", <https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html>)
/// or by an alias name (`alias/…`) or key id, which KMS resolves in the cluster's Region. A
/// token (a key built in the app) is not checked here; the simulator refuses one of another
/// Region with EKS's message.
fn check_secrets_key(scope: &Scope, key: &Val<String>) {
    let Some(s) = key.as_expr().as_str() else {
        return;
    };
    let hint = "give the ARN or alias of a symmetric KMS key of the cluster's Region, or leave secrets_encryption at SecretsEncryption::OwnKey";
    if s.starts_with("arn:") {
        let Ok(arn) = dr_core::arn::parse(s) else {
            scope.prop_error(
                "secrets_encryption",
                codes::EKS_015,
                format!("`{s}` is not the ARN of a KMS key or alias"),
                hint,
            );
            return;
        };
        let resource_ok = arn.resource.starts_with("key/") || arn.resource.starts_with("alias/");
        if arn.service != "kms" || !resource_ok {
            scope.prop_error(
                "secrets_encryption",
                codes::EKS_015,
                format!("`{s}` is not the ARN of a KMS key or alias"),
                hint,
            );
        } else if let Some(region) = scope.region()
            && arn.region != region.code()
        {
            scope.prop_error(
                "secrets_encryption",
                codes::EKS_015,
                format!(
                    "the key for Kubernetes secrets `{s}` is of {}, but the cluster is in {}; EKS takes a key of the cluster's Region",
                    arn.region,
                    region.code()
                ),
                hint,
            );
        }
        return;
    }
    let key_id = s.len() == 36 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    let alias = s.strip_prefix("alias/").is_some_and(|a| {
        !a.is_empty()
            && a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'))
    });
    if !key_id && !alias {
        scope.prop_error(
            "secrets_encryption",
            codes::EKS_015,
            format!("`{s}` is neither a KMS key ARN, a key id nor an alias name"),
            hint,
        );
    }
}

/// The versions EKS still creates, for hints: "1.32, 1.33, 1.34 or 1.35".
fn creatable_versions() -> String {
    let all = eks::creatable_versions();
    match all.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => DEFAULT_KUBERNETES_VERSION.to_string(),
    }
}

/// Checks the Kubernetes version against drkit's EKS version table
/// ([`dr_core::facts::eks`], "Understand the Kubernetes version lifecycle on EKS",
/// <https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html>): the form
/// `1.NN` (the `AWS::EKS::Cluster` schema's pattern `1\.\d\d`), not past the end of extended
/// support ("on the end of extended support date, you can no longer create new Amazon EKS
/// clusters with the unsupported version", same page), and known to the table (else a
/// warning naming the table's date: the version may be newer).
fn check_version(scope: &Scope, version: &str) {
    let table = format!("drkit's EKS version table of {}", eks::AS_OF);
    let ended = |message: String| {
        scope.prop_error(
            "version",
            codes::EKS_005,
            message,
            format!(
                "use a version EKS still creates: {} ({table}); {DEFAULT_KUBERNETES_VERSION} is the default",
                creatable_versions()
            ),
        );
    };
    match eks::support(version) {
        VersionSupport::Standard(_) | VersionSupport::Extended(_) => {}
        VersionSupport::Ended(row) => ended(format!(
            "Kubernetes {version} reached the end of EKS extended support on {}; EKS creates no new cluster of it",
            row.end_of_extended_support
        )),
        VersionSupport::OlderThanTable(oldest) => ended(format!(
            "Kubernetes {version} is older than {}, whose EKS extended support ended on {}; EKS creates no new cluster of it",
            oldest.version, oldest.end_of_extended_support
        )),
        VersionSupport::NotInTable => scope.prop_warning(
            "version",
            codes::EKS_006,
            format!(
                "Kubernetes {version} is not in {table}; it may be newer than the table, or not offered by EKS"
            ),
            format!(
                "check it with `aws eks describe-cluster-versions`, or use a version the table lists: {}",
                creatable_versions()
            ),
        ),
        VersionSupport::Malformed => scope.prop_error(
            "version",
            codes::EKS_003,
            format!("Kubernetes version `{version}` is not of the form 1.NN"),
            format!("use a version EKS supports, e.g. {DEFAULT_KUBERNETES_VERSION}"),
        ),
    }
}

/// The AL2023 standard AMI type of `arch`.
fn al2023_standard(arch: Arch) -> &'static str {
    match arch {
        Arch::Arm64 => "AL2023_ARM_64_STANDARD",
        Arch::X86_64 => "AL2023_x86_64_STANDARD",
    }
}

/// Reports an unknown node instance type, and the node AMI type's first problem: unknown,
/// `CUSTOM`, not offered for the cluster's version, or of another CPU architecture than the
/// instance type.
fn check_nodes(scope: &Scope, props: &EksClusterProps<'_>) {
    let itype =
        validate::check_instance_type(scope, "node_instance_type", &props.node_instance_type);
    let Some(ami) = check_ami_type(scope, &props.node_ami_type) else {
        return;
    };
    // "Kubernetes version 1.32 is the last version for which Amazon EKS will release AL2
    // AMIs" ("Build a custom Amazon Linux AMI",
    // <https://docs.aws.amazon.com/eks/latest/userguide/eks-ami-build-scripts.html>).
    let after_al2 = eks::minor_of(&props.version)
        .zip(eks::minor_of(eks::LAST_AL2_VERSION))
        .is_some_and(|(v, last)| v > last);
    if ami.family == AmiFamily::Al2 && after_al2 {
        let fix = match (itype.map(|t| t.arch), ami.arch) {
            (Some(t), Some(a)) if t != a => al2023_standard(t),
            _ => eks::al2023_replacement(ami.name),
        };
        scope.prop_error(
            "node_ami_type",
            codes::EKS_008,
            format!(
                "AMI type `{}` is Amazon Linux 2, which EKS does not release for Kubernetes {}; {} is the last version with AL2 node AMIs",
                ami.name,
                props.version,
                eks::LAST_AL2_VERSION
            ),
            format!("set node_ami_type to {fix}"),
        );
        return;
    }
    let (Some(t), Some(ami_arch)) = (itype, ami.arch) else {
        return;
    };
    if t.arch != ami_arch {
        let fix = al2023_standard(t.arch);
        scope.prop_error(
            "node_ami_type",
            codes::EKS_004,
            format!(
                "node instance type `{}` does not boot AMI type `{}` (different CPU architecture)",
                t.name, ami.name
            ),
            format!(
                "set node_ami_type to {fix}, or pick an instance type of the AMI's architecture"
            ),
        );
    }
}

/// Checks the node AMI type against the `AmiType` enumeration of the EKS API
/// ([`eks::AMI_TYPES`]; "CreateNodegroup", Amazon EKS API Reference,
/// <https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html>), and
/// refuses `CUSTOM`, which needs a launch template with a custom AMI that this node group does
/// not have. Returns the AMI type when it can be used.
fn check_ami_type(scope: &Scope, name: &str) -> Option<&'static eks::AmiType> {
    let Some(ami) = eks::ami_type(name) else {
        let guess = AMI_TYPES
            .iter()
            .map(|a| a.name)
            .find(|a| a.eq_ignore_ascii_case(name))
            .or_else(|| suggest::nearest(name, AMI_TYPES.iter().map(|a| a.name)));
        let (message, hint) = match guess {
            Some(g) => (
                format!("unknown node AMI type `{name}`; did you mean `{g}`?"),
                format!("set node_ami_type to `{g}`"),
            ),
            None => (
                format!("unknown node AMI type `{name}`"),
                format!(
                    "set node_ami_type to an EKS AMI type such as {DEFAULT_NODE_AMI_TYPE}, AL2023_ARM_64_STANDARD or BOTTLEROCKET_x86_64"
                ),
            ),
        };
        scope.prop_error("node_ami_type", codes::EKS_007, message, hint);
        return None;
    };
    if ami.family == AmiFamily::Custom {
        scope.prop_error(
            "node_ami_type",
            codes::EKS_009,
            "AMI type `CUSTOM` is for node groups launched from a launch template with a custom AMI; this node group has none",
            format!("set node_ami_type to an EKS optimized AMI type such as {DEFAULT_NODE_AMI_TYPE}"),
        );
        return None;
    }
    Some(ami)
}

/// Checks the node group's sizes, naming the one size that is out of line: at least one node
/// (drkit's rule; the EKS API's `NodegroupScalingConfig` also requires a `maxSize` of at least
/// 1, "NodegroupScalingConfig", Amazon EKS API Reference,
/// <https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupScalingConfig.html>),
/// min ≤ desired ≤ max, and a warning above the default quota of 450 nodes per managed node
/// group ([`eks::DEFAULT_MAX_NODES_PER_NODE_GROUP`]).
fn check_node_group_size(scope: &Scope, min: u32, desired: u32, max: u32) {
    const TWO: &str = "(2 keeps a node up while another is replaced)";
    if max == 0 {
        scope.prop_error(
            "node_max_size",
            codes::CAP_003,
            "the EKS node group has zero nodes (node_max_size 0); no pod can be scheduled, and EKS requires a maximum size of at least 1",
            format!("set node_max_size to at least 1 {TWO}"),
        );
        return;
    }
    if desired == 0 {
        scope.prop_error(
            "node_desired_size",
            codes::CAP_003,
            "the EKS node group has zero nodes (node_desired_size 0); no pod can be scheduled",
            format!("set node_desired_size to at least 1 {TWO}"),
        );
        return;
    }
    let order = "set node_min_size ≤ node_desired_size ≤ node_max_size";
    match (min > desired, desired > max, min > max) {
        // The minimum is above both others: it is the one out of line.
        (true, false, true) => scope.prop_error(
            "node_min_size",
            codes::CAP_001,
            format!(
                "node_min_size {min} is greater than node_desired_size {desired} and node_max_size {max}"
            ),
            order,
        ),
        // The maximum is below both others.
        (false, true, true) => scope.prop_error(
            "node_max_size",
            codes::CAP_001,
            format!(
                "node_max_size {max} is less than node_min_size {min} and node_desired_size {desired}"
            ),
            format!("set node_max_size to at least {desired}, or lower the others"),
        ),
        // All three in reverse order: which one slipped cannot be told.
        (true, true, true) => scope.prop_error(
            "node_min_size",
            codes::CAP_001,
            format!("node_min_size {min} is greater than node_max_size {max}"),
            order,
        ),
        (true, false, false) | (false, true, false) => scope.prop_error(
            "node_desired_size",
            codes::CAP_002,
            format!(
                "node_desired_size {desired} is outside node_min_size {min} .. node_max_size {max}"
            ),
            format!("set node_desired_size between {min} and {max}, or widen the range"),
        ),
        _ => {}
    }
    if max > eks::DEFAULT_MAX_NODES_PER_NODE_GROUP {
        scope.prop_warning(
            "node_max_size",
            codes::EKS_014,
            format!(
                "node_max_size {max} is above the default quota of {} nodes per managed node group",
                eks::DEFAULT_MAX_NODES_PER_NODE_GROUP
            ),
            "request a quota increase (Service Quotas, \"Nodes per managed node group\") before the group grows past it",
        );
    }
}

/// Checks the control-plane log types against the five EKS sends ([`eks::LOG_TYPES`], "Send
/// control plane logs to CloudWatch Logs",
/// <https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html>), each listed
/// once.
fn check_log_types(scope: &Scope, log_types: &[String]) {
    for (i, t) in log_types.iter().enumerate() {
        if !eks::LOG_TYPES.contains(&t.as_str()) {
            let guess = eks::LOG_TYPES
                .iter()
                .copied()
                .find(|l| l.eq_ignore_ascii_case(t))
                .or_else(|| suggest::nearest(t, eks::LOG_TYPES));
            let all = eks::LOG_TYPES.join(", ");
            let (message, hint) = match guess {
                Some(g) => (
                    format!("unknown control-plane log type `{t}`; did you mean `{g}`?"),
                    format!("write `{g}`; the log types are {all}"),
                ),
                None => (
                    format!("unknown control-plane log type `{t}`"),
                    format!("use log types of {all}"),
                ),
            };
            scope.prop_error("log_types", codes::EKS_010, message, hint);
        } else if log_types[..i].contains(t) {
            scope.prop_error(
                "log_types",
                codes::EKS_011,
                format!("control-plane log type `{t}` is listed twice"),
                "list each log type once",
            );
        }
    }
}

/// The IPv4 blocks IANA reserves that the public endpoint's CIDR blocks may not include
/// ("The block cannot include reserved addresses", "Cluster API server endpoint",
/// <https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html>, which points to
/// the IANA IPv4 special-purpose address registry, RFC 6890): none is routed on the internet,
/// so no client reaches the public endpoint from one. The documentation blocks (192.0.2.0/24,
/// 198.51.100.0/24, 203.0.113.0/24) are left out: the same page's own example is
/// `203.0.113.5/32`.
const RESERVED_IPV4: &[(&str, &str)] = &[
    ("0.0.0.0/8", "\"this network\""),
    ("10.0.0.0/8", "private-use, RFC 1918"),
    ("100.64.0.0/10", "shared address space, RFC 6598"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private-use, RFC 1918"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.168.0.0/16", "private-use, RFC 1918"),
    ("198.18.0.0/15", "benchmarking"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved for future use"),
];

/// Checks `public_access_cidrs`: valid blocks, not the whole internet, no reserved addresses,
/// and at most [`eks::MAX_PUBLIC_ACCESS_CIDRS`] ("Public endpoint access CIDR ranges per
/// cluster", not adjustable, "Amazon Elastic Kubernetes Service endpoints and quotas",
/// <https://docs.aws.amazon.com/general/latest/gr/eks.html>). Returns the valid ones.
fn check_public_access_cidrs(scope: &Scope, cidrs: &[String]) -> Vec<Ipv4Net> {
    if cidrs.len() > eks::MAX_PUBLIC_ACCESS_CIDRS {
        scope.prop_error(
            "public_access_cidrs",
            codes::EKS_013,
            format!(
                "{} public_access_cidrs given; a cluster's public endpoint takes at most {}",
                cidrs.len(),
                eks::MAX_PUBLIC_ACCESS_CIDRS
            ),
            "merge neighbouring blocks, or reach the private endpoint through a VPN or a peered network",
        );
    }
    let mut out = Vec::new();
    for net in validate::check_allowed_cidrs(
        scope,
        "public_access_cidrs",
        "public_access_cidrs entry",
        cidrs,
    ) {
        let reserved = RESERVED_IPV4.iter().find_map(|(block, what)| {
            let block: Ipv4Net = block.parse().ok()?;
            validate::cidrs_overlap(&net, &block).then_some((block, *what))
        });
        match reserved {
            Some((block, what)) => scope.prop_error(
                "public_access_cidrs",
                codes::EKS_012,
                format!(
                    "public_access_cidrs entry `{net}` includes reserved addresses ({block}, {what}), which never reach the public endpoint"
                ),
                "list public addresses only, such as an office's or a NAT gateway's egress address as a /32; networks in the VPC or routed to it reach the private endpoint, which is always on",
            ),
            None => out.push(net),
        }
    }
    out
}

fn add_cluster_role(scope: &Scope) -> CfnResource {
    scope.add(
        "ClusterRole",
        &CfnRole {
            assume_role_policy_document: Some(assume_role_policy("eks.amazonaws.com")),
            description: val(format!("EKS control plane of {}", scope.path())),
            managed_policy_arns: Some(vec![managed_policy("AmazonEKSClusterPolicy")]),
            tags: Some(name_tag(scope)),
            ..Default::default()
        },
    )
}

/// A key of the cluster's own for its Kubernetes secrets ([`SecretsEncryption::OwnKey`]).
/// Account root administers it, so the deployer's IAM permissions allow EKS's grant; the
/// cluster role needs nothing more than `AmazonEKSClusterPolicy`, whose `kms:DescribeKey` is
/// all of KMS the cluster role itself uses ("Amazon EKS cluster IAM role",
/// <https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html>): EKS uses the key
/// through the grant `CreateCluster` makes with the caller's `kms:CreateGrant`.
fn add_secrets_key(scope: &Scope) -> CfnResource {
    scope.add(
        "SecretsKey",
        &CfnKey {
            description: val(format!(
                "Envelope encryption of the Kubernetes API data of {}",
                scope.path()
            )),
            enable_key_rotation: val(true),
            pending_window_in_days: val(30),
            key_policy: Some(account_key_policy([])),
            tags: Some(name_tag(scope)),
            ..Default::default()
        },
    )
}

fn add_cluster(
    scope: &Scope,
    props: &EksClusterProps<'_>,
    cluster_role: &CfnResource,
    public_cidrs: &[Ipv4Net],
    secrets_key_arn: Option<Val<String>>,
) -> CfnResource {
    let public = !public_cidrs.is_empty();
    scope.add(
        "Resource",
        &CfnCluster {
            version: val(props.version.as_str()),
            role_arn: val(cluster_role.get_att("Arn")),
            resources_vpc_config: Some(ResourcesVpcConfig {
                subnet_ids: Some(
                    props
                        .vpc
                        .private_subnet_ids()
                        .into_iter()
                        .map(Val::from)
                        .collect(),
                ),
                endpoint_private_access: val(true),
                endpoint_public_access: val(public),
                public_access_cidrs: public.then(|| {
                    public_cidrs
                        .iter()
                        .map(|c| Val::from(c.to_string()))
                        .collect()
                }),
                ..Default::default()
            }),
            // Access entries (the EKS API) rather than the aws-auth ConfigMap; the
            // identity that deploys the stack becomes cluster admin.
            access_config: Some(AccessConfig {
                authentication_mode: val("API"),
                bootstrap_cluster_creator_admin_permissions: val(true),
            }),
            logging: (!props.log_types.is_empty()).then(|| Logging {
                cluster_logging: Some(ClusterLogging {
                    enabled_types: Some(
                        props
                            .log_types
                            .iter()
                            .map(|t| LoggingTypeConfig {
                                r#type: val(t.as_str()),
                            })
                            .collect(),
                    ),
                }),
            }),
            // `Resources` is deprecated and defaults to ["secrets"], the only value EKS takes
            // ("Default envelope encryption for all Kubernetes API Data", Do you still need
            // to set the `resources` field); written for the older readers of the template.
            encryption_config: secrets_key_arn.map(|key| {
                vec![EncryptionConfig {
                    provider: Some(Provider { key_arn: Some(key) }),
                    resources: Some(vec![Val::from("secrets")]),
                }]
            }),
            tags: Some(vec![Tag::new("Name", scope.path())]),
            ..Default::default()
        },
    )
}

fn add_node_role(scope: &Scope) -> CfnResource {
    scope.add(
        "NodeRole",
        &CfnRole {
            assume_role_policy_document: Some(assume_role_policy("ec2.amazonaws.com")),
            description: val(format!("EKS nodes of {}", scope.path())),
            managed_policy_arns: Some(
                NODE_ROLE_POLICIES
                    .iter()
                    .map(|p| managed_policy(p))
                    .collect(),
            ),
            tags: Some(name_tag(scope)),
            ..Default::default()
        },
    )
}

fn add_node_group(
    scope: &Scope,
    props: &EksClusterProps<'_>,
    cluster: &CfnResource,
    node_role: &CfnResource,
) -> CfnResource {
    let nodes = scope.add(
        "Nodes",
        &CfnNodegroup {
            cluster_name: val(cluster.ref_()),
            node_role: val(node_role.get_att("Arn")),
            subnets: Some(
                props
                    .vpc
                    .private_subnet_ids()
                    .into_iter()
                    .map(Val::from)
                    .collect(),
            ),
            instance_types: Some(vec![Val::from(props.node_instance_type.as_str())]),
            ami_type: val(props.node_ami_type.as_str()),
            capacity_type: val("ON_DEMAND"),
            scaling_config: Some(ScalingConfig {
                min_size: val(props.node_min_size),
                desired_size: val(props.node_desired_size),
                max_size: val(props.node_max_size),
            }),
            update_config: Some(UpdateConfig {
                max_unavailable: val(1.0),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    // Nodes join the cluster by pulling images and reaching the EKS endpoint through the NAT
    // routes; a node group whose nodes cannot join fails its create (NodeCreationFailure).
    props.vpc.wait_for_internet(&nodes, false);
    nodes
}

fn record_summary(scope: &Scope, props: &EksClusterProps<'_>, node_group: &CfnResource) {
    SummaryRow {
        asset: "EKS cluster".into(),
        purpose: "runs Kubernetes without operating the control plane; API endpoint private".into(),
        size: format!("{} nodes", props.node_desired_size),
        quantity: "1".into(),
        dr: "one per region, configured the same".into(),
    }
    .record(scope);
    SummaryRow {
        asset: "EKS nodes".into(),
        purpose: "managed node group: EC2 instances in an Auto Scaling group managed by EKS, in private subnets".into(),
        size: props.node_instance_type.clone(),
        quantity: format!("{} nodes per cluster", props.node_desired_size),
        dr: "in both regions".into(),
    }
    .record(&node_group.scope().clone());
}
