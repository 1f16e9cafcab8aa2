//! Shared by the moto-backed tests: the moto server, an `AwsCloud` pointed at it, a template of
//! types moto's CloudFormation creates, and polling over `&dyn Cloud` on the backend's clock.

#![allow(dead_code)] // each test crate uses a different part of this module

use std::time::Duration;

use dr_aws::{AwsCloud, AwsOptions};
use dr_core::Region;
use dr_core::cloud::{
    ChangeSetDescription, ChangeSetRef, ChangeSetType, Cloud, CreateChangeSetInput,
    StackDescription, TemplateSource,
};
use dr_testkit::MotoServer;

/// An `AwsCloud` on the shared moto server of this test process, with dummy credentials set
/// on the config builder (never the developer's real ones, never real AWS). `None` when moto
/// is not installed and tools are not required (the skip is printed loudly by dr-testkit).
pub fn moto_cloud() -> Option<AwsCloud> {
    let moto = MotoServer::shared()?;
    assert!(
        moto.endpoint.starts_with("http://127.0.0.1:"),
        "only loopback is a target: {}",
        moto.endpoint
    );
    Some(AwsCloud::with_static_credentials(
        AwsOptions {
            profile: None,
            endpoint_url: Some(moto.endpoint.clone()),
            ..AwsOptions::default()
        },
        "testing",
        "testing",
    ))
}

/// A template of resource types both moto 5.2 and the local simulator create: a VPC with two
/// subnets and an internet gateway, a security group, an ALB with target group and listener, a
/// hosted zone, a health check and a record pointing at the ALB.
pub fn network_template(cidr_prefix: &str, zone: &str) -> String {
    serde_json::json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "drkit aws backend test",
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": format!("{cidr_prefix}.0.0/16")}},
            "SubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": {"Ref": "Vpc"}, "CidrBlock": format!("{cidr_prefix}.0.0/24"),
                "AvailabilityZone": "us-east-2a"}},
            "SubnetB": {"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": {"Ref": "Vpc"}, "CidrBlock": format!("{cidr_prefix}.1.0/24"),
                "AvailabilityZone": "us-east-2b"}},
            "LbSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "load balancer", "VpcId": {"Ref": "Vpc"},
                "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}]}},
            // Tagged: moto 5.2 lists a resource without properties as changed in every update.
            "Igw": {"Type": "AWS::EC2::InternetGateway", "Properties": {
                "Tags": [{"Key": "Name", "Value": "drkit-test"}]}},
            "IgwAttachment": {"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {
                "VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}}},
            // An internet-facing load balancer waits for its VPC's gateway, as ELBv2 requires.
            "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "DependsOn": "IgwAttachment", "Properties": {
                "Subnets": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}],
                "SecurityGroups": [{"Ref": "LbSg"}], "Scheme": "internet-facing", "Type": "application"}},
            "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
                "VpcId": {"Ref": "Vpc"}, "Port": 3000, "Protocol": "HTTP", "TargetType": "instance",
                "HealthCheckPath": "/api/health"}},
            "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                "LoadBalancerArn": {"Ref": "Lb"}, "Port": 80, "Protocol": "HTTP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}},
            "Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": zone}},
            "Hc": {"Type": "AWS::Route53::HealthCheck", "Properties": {"HealthCheckConfig": {
                "Type": "HTTP", "FullyQualifiedDomainName": zone, "Port": 80, "ResourcePath": "/"}}},
            "Record": {"Type": "AWS::Route53::RecordSet", "Properties": {
                "HostedZoneId": {"Ref": "Zone"}, "Name": format!("app.{zone}."), "Type": "CNAME",
                "TTL": "60", "ResourceRecords": [{"Fn::GetAtt": ["Lb", "DNSName"]}]}}
        },
        "Outputs": {
            "LbDns": {"Value": {"Fn::GetAtt": ["Lb", "DNSName"]}}
        }
    })
    .to_string()
}

/// The logical ids of [`network_template`].
pub const NETWORK_IDS: [&str; 12] = [
    "Vpc",
    "SubnetA",
    "SubnetB",
    "Igw",
    "IgwAttachment",
    "LbSg",
    "Lb",
    "Tg",
    "Listener",
    "Zone",
    "Hc",
    "Record",
];

/// A change-set input with no parameters, capabilities or tags.
pub fn change_set_input(
    stack: &str,
    name: &str,
    ty: ChangeSetType,
    body: &str,
) -> CreateChangeSetInput {
    CreateChangeSetInput {
        stack_name: stack.into(),
        change_set_name: name.into(),
        change_set_type: ty,
        template: TemplateSource::Body(body.into()),
        parameters: vec![],
        capabilities: vec![],
        tags: vec![],
        description: Some("drkit test".into()),
        client_token: None,
    }
}

/// How long the backend may take, on its own clock (virtual for the simulator, whose ALB and
/// Route 53 durations are minutes; wall time for moto, which finishes at once).
const PATIENCE: Duration = Duration::from_secs(3 * 3600);
const POLL: Duration = Duration::from_secs(5);

/// Polls `DescribeChangeSet` until its computation has ended.
pub async fn wait_change_set(
    cloud: &dyn Cloud,
    region: Region,
    stack: &str,
    cs: &ChangeSetRef,
) -> ChangeSetDescription {
    let start = cloud.now();
    loop {
        let d = cloud
            .describe_change_set(region, stack, &cs.id)
            .await
            .unwrap_or_else(|e| panic!("{}: DescribeChangeSet: {e}", cloud.label()));
        if d.status.is_terminal() {
            return d;
        }
        assert!(
            cloud.now().since(start) < PATIENCE,
            "{}: change set still {} after {PATIENCE:?}",
            cloud.label(),
            d.status
        );
        cloud.sleep(POLL).await;
    }
}

/// Polls `DescribeStacks` until the stack is settled; `None` when it is gone.
pub async fn wait_stack(
    cloud: &dyn Cloud,
    region: Region,
    stack: &str,
) -> Option<StackDescription> {
    let start = cloud.now();
    loop {
        let d = cloud
            .describe_stack(region, stack)
            .await
            .unwrap_or_else(|e| panic!("{}: DescribeStacks: {e}", cloud.label()));
        match d {
            None => return None,
            Some(d) if d.status.is_terminal() => return Some(d),
            Some(d) => {
                assert!(
                    cloud.now().since(start) < PATIENCE,
                    "{}: stack still {} after {PATIENCE:?}",
                    cloud.label(),
                    d.status
                );
            }
        }
        cloud.sleep(POLL).await;
    }
}

/// A stack name unique to this test process, so reruns against a long-lived server and
/// parallel tests never collide.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}
