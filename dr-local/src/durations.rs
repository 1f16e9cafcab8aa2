//! How long each resource operation takes on the virtual clock, in seconds.
//!
//! Figures come from AWS documentation or public observations, cited beside each, where a
//! source exists; the rest are modest guesses, marked "not documented" below, chosen so the
//! relative order is plausible (an EKS cluster takes far longer than a security group). Only
//! the virtual clock sees them.

/// Seconds to create a resource of `type_name`.
pub fn create_secs(type_name: &str, properties: &serde_json::Value) -> u64 {
    match type_name {
        // Not documented; subnets ~10 s observed (terraform-aws-eks#2203 log). VPC alike.
        "AWS::EC2::VPC" | "AWS::EC2::Subnet" => 10,
        // NAT gateway: states pending → available, no figure documented or sourced
        // ("NAT gateways",
        // <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html>);
        // two minutes is a modest guess.
        "AWS::EC2::NatGateway" => 120,
        // ALB: "usually ≤ 5 min" observed (terraform#24799, terraform-provider-aws#8054).
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => 180,
        // ASG InService + healthy: not documented; at least one passing ALB check (30 s
        // interval by default, "Health checks for Application Load Balancer target groups",
        // <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html>)
        // after the instances boot. Guess: 2 minutes.
        "AWS::AutoScaling::AutoScalingGroup" => 120,
        // EKS cluster: ~9 min average control plane (AWS 2021, containers-roadmap#1227).
        "AWS::EKS::Cluster" => 540,
        // EKS managed node group: ~1.8–2 min observed (DevopsArtFactory PR #46).
        "AWS::EKS::Nodegroup" => 120,
        // Aurora: create time neither documented nor found in a public observation. A secondary
        // cluster joining a global database plus its instance: "up to 30 minutes" (AWS's Aurora
        // workshop, "Deploy a Global Database",
        // <https://github.com/aws-samples/amazon-aurora-labs-for-mysql/blob/master/docs/global/deploy/index.md>),
        // split between the cluster (15 min) and its instance (10 min, below). A primary
        // cluster: a modest 5 minutes.
        "AWS::RDS::DBCluster" => {
            if properties.get("GlobalClusterIdentifier").is_some()
                && properties.get("MasterUsername").is_none()
            {
                900
            } else {
                300
            }
        }
        // Aurora instance: not documented; 10 minutes guessed.
        "AWS::RDS::DBInstance" => 600,
        // Global cluster: not documented; 1 minute guessed.
        "AWS::RDS::GlobalCluster" => 60,
        // Route 53 changes reach INSYNC "generally within 60 seconds" (Editing records).
        "AWS::Route53::RecordSet" => 60,
        // Hosted zone and health check: not documented; guesses.
        "AWS::Route53::HostedZone" => 45,
        "AWS::Route53::HealthCheck" => 10,
        // VPC peering: lifecycle documented, no duration ("VPC peering lifecycle",
        // <https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html>); guess.
        "AWS::EC2::VPCPeeringConnection" => 30,
        // IAM: not documented; instance profiles are known to be slow to propagate. Guesses.
        "AWS::IAM::Role" => 15,
        "AWS::IAM::InstanceProfile" => 60,
        // Everything else (security groups, routes, target groups, listeners, secrets, keys,
        // parameters, log groups): not documented; a few seconds.
        "AWS::ElasticLoadBalancingV2::TargetGroup"
        | "AWS::EC2::VPCGatewayAttachment"
        | "AWS::KMS::Key" => 15,
        _ => 5,
    }
}

/// Seconds to update a resource in place.
pub fn update_secs(type_name: &str, properties: &serde_json::Value) -> u64 {
    match type_name {
        // Modifying an Aurora cluster/instance or an EKS cluster is slow too; not documented,
        // a third of the create time.
        "AWS::RDS::DBCluster"
        | "AWS::RDS::DBInstance"
        | "AWS::EKS::Cluster"
        | "AWS::EKS::Nodegroup" => create_secs(type_name, properties) / 3,
        "AWS::AutoScaling::AutoScalingGroup" => 60,
        "AWS::Route53::RecordSet" => 60,
        _ => (create_secs(type_name, properties) / 2).max(3),
    }
}

/// Seconds to delete a resource.
pub fn delete_secs(type_name: &str, properties: &serde_json::Value) -> u64 {
    match type_name {
        // Observed: Aurora instance delete ~12 min, cluster delete ~1 min
        // (aws-lab-with-terraform#100).
        "AWS::RDS::DBInstance" => 720,
        "AWS::RDS::DBCluster" => 60,
        // Not documented; guesses in proportion to create.
        "AWS::EKS::Cluster" => 300,
        "AWS::EC2::NatGateway" => 60,
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => 30,
        "AWS::AutoScaling::AutoScalingGroup" => 90,
        _ => (create_secs(type_name, properties) / 2).max(2),
    }
}

/// Seconds CloudFormation takes to compute a change set. Not documented; a few seconds are
/// typical in practice.
pub const CHANGE_SET_SECS: u64 = 3;
