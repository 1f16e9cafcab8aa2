//! `EksCluster`: an EKS cluster with a managed node group in private subnets.

use dr_core::diagnostics::codes;
use dr_core::facts::ec2::Arch;
use dr_core::{CfnResource, Scope, Token, Val};
use ipnet::Ipv4Net;

use crate::common::{SummaryRow, assume_role_policy, managed_policy, name_tag, val};
use crate::l1::Tag;
use crate::l1::eks::cluster::{
    AccessConfig, ClusterLogging, Logging, LoggingTypeConfig, ResourcesVpcConfig,
};
use crate::l1::eks::nodegroup::{ScalingConfig, UpdateConfig};
use crate::l1::eks::{CfnCluster, CfnNodegroup};
use crate::l1::iam::CfnRole;
use crate::validate;
use crate::vpc::Vpc;

/// The Kubernetes version drkit creates clusters with: 1.35, released on EKS on 2026-01-28,
/// in standard support until 2027-03-27 ("Understand the Kubernetes version lifecycle on EKS",
/// <https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html>; dates from the
/// EKS release calendar on that page as mirrored by <https://endoflife.date/amazon-eks>).
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

/// Settings of an [`EksCluster`]: `EksClusterProps::builder().vpc(&vpc).build()`.
#[derive(Debug, Clone, bon::Builder)]
#[builder(on(String, into), on(_, setters(doc(default(skip)))))]
pub struct EksClusterProps<'a> {
    /// The VPC; the control plane's network interfaces and the nodes go to its private subnets.
    /// Required.
    pub vpc: &'a Vpc,
    /// The Kubernetes version. Default: [`DEFAULT_KUBERNETES_VERSION`].
    #[builder(default = DEFAULT_KUBERNETES_VERSION)]
    pub version: String,
    /// CIDRs allowed to reach the API endpoint from the internet; never 0.0.0.0/0 unless
    /// listed. Default: none, the endpoint is private only (reachable from the VPC and
    /// networks routed to it).
    #[builder(default, with = |cidrs: impl IntoIterator<Item = impl Into<String>>| cidrs.into_iter().map(Into::into).collect())]
    pub public_access_cidrs: Vec<String>,
    /// The nodes' instance type. Default: [`DEFAULT_NODE_INSTANCE_TYPE`].
    #[builder(default = DEFAULT_NODE_INSTANCE_TYPE)]
    pub node_instance_type: String,
    /// The nodes' AMI type. Default: [`DEFAULT_NODE_AMI_TYPE`].
    #[builder(default = DEFAULT_NODE_AMI_TYPE)]
    pub node_ami_type: String,
    /// Minimum nodes. Default: [`DEFAULT_NODE_COUNT`].
    #[builder(default = DEFAULT_NODE_COUNT)]
    pub node_min_size: u32,
    /// Desired nodes. Default: [`DEFAULT_NODE_COUNT`].
    #[builder(default = DEFAULT_NODE_COUNT)]
    pub node_desired_size: u32,
    /// Maximum nodes. Default: [`DEFAULT_NODE_COUNT`].
    #[builder(default = DEFAULT_NODE_COUNT)]
    pub node_max_size: u32,
    /// Control-plane log types sent to CloudWatch Logs. Default: [`DEFAULT_LOG_TYPES`].
    #[builder(default = DEFAULT_LOG_TYPES.map(String::from).to_vec(), with = |types: impl IntoIterator<Item = impl Into<String>>| types.into_iter().map(Into::into).collect())]
    pub log_types: Vec<String>,
}

/// A cluster role, an EKS cluster whose API endpoint is private (public only for the CIDRs
/// listed), access entries for authentication, and a managed node group with its node role,
/// nodes in the private subnets.
#[derive(Debug, Clone)]
pub struct EksCluster {
    scope: Scope,
    cluster: CfnResource,
    node_group: CfnResource,
    node_role: CfnResource,
}

impl EksCluster {
    /// Creates the cluster under `scope` with id `id`.
    pub fn new(scope: &Scope, id: &str, props: EksClusterProps<'_>) -> EksCluster {
        let scope = scope.child(id);
        let public_cidrs = check_props(&scope, &props);
        let cluster_role = add_cluster_role(&scope);
        let cluster = add_cluster(&scope, &props, &cluster_role, &public_cidrs);
        let node_role = add_node_role(&scope);
        let node_group = add_node_group(&scope, &props, &cluster, &node_role);
        record_summary(&scope, &props, &node_group);

        EksCluster {
            scope,
            cluster,
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
/// `public_access_cidrs`.
fn check_props(scope: &Scope, props: &EksClusterProps<'_>) -> Vec<Ipv4Net> {
    if props.vpc.az_count() < 2 {
        scope.error(
            codes::EKS_002,
            format!(
                "an EKS cluster needs subnets in at least 2 AZs; the VPC has {}",
                props.vpc.az_count()
            ),
            "give the VPC 2 or more AZs",
        );
    }
    if !props
        .version
        .split_once('.')
        .is_some_and(|(a, b)| a == "1" && b.len() == 2 && b.chars().all(|c| c.is_ascii_digit()))
    {
        scope.error(
            codes::EKS_003,
            format!(
                "Kubernetes version `{}` is not of the form 1.NN",
                props.version
            ),
            format!("use a version EKS supports, e.g. {DEFAULT_KUBERNETES_VERSION}"),
        );
    }
    check_node_type(scope, props);
    validate::check_node_group_size(
        scope,
        props.node_min_size,
        props.node_desired_size,
        props.node_max_size,
    );
    validate::check_allowed_cidrs(
        scope,
        "public_access_cidrs entry",
        &props.public_access_cidrs,
    )
}

/// Reports an unknown node instance type, or one whose CPU architecture does not boot the
/// node AMI type.
fn check_node_type(scope: &Scope, props: &EksClusterProps<'_>) {
    let itype =
        validate::check_instance_type(scope, "node_instance_type", &props.node_instance_type);
    if let Some(t) = itype {
        let ami_arch = if props.node_ami_type.contains("ARM_64") {
            Arch::Arm64
        } else {
            Arch::X86_64
        };
        if t.arch != ami_arch {
            let fix = if t.arch == Arch::Arm64 {
                "AL2023_ARM_64_STANDARD"
            } else {
                "AL2023_x86_64_STANDARD"
            };
            scope.error(
                codes::EKS_004,
                format!("node instance type `{}` does not boot AMI type `{}` (different CPU architecture)", t.name, props.node_ami_type),
                format!("set node_ami_type to {fix}, or pick an instance type of the AMI's architecture"),
            );
        }
    }
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

fn add_cluster(
    scope: &Scope,
    props: &EksClusterProps<'_>,
    cluster_role: &CfnResource,
    public_cidrs: &[Ipv4Net],
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
