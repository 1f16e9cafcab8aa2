//! Rules the CloudFormation resource providers (and the services behind them) apply when they
//! create or update a resource, beyond what the resource schemas say: a template that breaks
//! one is valid JSON, passes cfn-lint, and still fails on AWS, often after the stack has
//! created half its resources.
//!
//! One table, two readers. Synthesis reports a broken rule as an error on the construct
//! (unless the construct already checks the value where the user wrote it,
//! [`ProviderRule::at_synthesis`]); the simulator (`dr-local`) fails the resource at its create
//! or update with the provider's own message, as CloudFormation reports it
//! ([`ProviderRule::status_reason`]). A rule sees the resource (its properties evaluated as far
//! as the reader knows them), the Region, and what surrounds it ([`Surroundings`]: the other
//! resources of the template, of the Region's stacks, and the deploy schedule).

use serde_json::Value;

use crate::diagnostics::codes;
use crate::facts::{eks, rds};

/// When a provider checks a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// When it creates the resource (a replacement creates one too).
    Create,
    /// When it creates or updates it.
    CreateOrUpdate,
    /// Only when it updates it in place.
    Update,
}

/// How CloudFormation words a resource's failure around the service's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    /// The message itself.
    Bare,
    /// A registry resource handler's `InvalidRequest` (as in
    /// aws-samples/aws-refarch-wordpress#93: `Resource handler returned message: "Cannot find
    /// version … for aurora-mysql (Service: Rds, Status Code: 400, Request ID: …)"
    /// (RequestToken: …, HandlerErrorCode: InvalidRequest)`).
    Handler {
        /// The SDK's service name (`Rds`, `Eks`).
        service: &'static str,
    },
    /// A registry handler's general service error (as in aws/copilot-cli#4551: `Internal error
    /// reported from downstream service during operation '… (Service: ElasticLoadBalancingV2,
    /// Status Code: 400, Request ID: …, Extended Request ID: null)'.`).
    Downstream {
        /// The SDK's service name.
        service: &'static str,
    },
    /// A resource CloudFormation still creates with the AWS SDK for Java v1 (as in
    /// aws-cloudformation/aws-cloudformation-templates#75: `VPC … has no internet gateway
    /// (Service: AmazonElasticLoadBalancingV2; Status Code: 400; Error Code: InvalidSubnet;
    /// Request ID: …)`).
    Sdk {
        /// The SDK's service name.
        service: &'static str,
        /// The service's error code.
        error_code: &'static str,
    },
}

/// What a rule can see besides the resource itself. Each answer is `None` when the reader
/// cannot tell, and a rule then does not refuse: a rule never guesses.
pub trait Surroundings {
    /// The resource (`Type`, `Properties`) that a property value names: a `Ref` or `Fn::GetAtt`
    /// of the template at synthesis, a physical id or ARN in the simulator.
    fn resource(&self, reference: &Value) -> Option<Value>;
    /// Whether the VPC `vpc` (named as in [`resource`](Self::resource)) has an internet
    /// gateway attached by the time the resource under check starts.
    fn internet_gateway_attached(&self, vpc: &Value) -> Option<bool>;
}

/// Surroundings that know nothing: cross-resource rules stay silent.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSurroundings;

impl Surroundings for NoSurroundings {
    fn resource(&self, _: &Value) -> Option<Value> {
        None
    }
    fn internet_gateway_attached(&self, _: &Value) -> Option<bool> {
        None
    }
}

/// A resource under check.
#[derive(Clone, Copy)]
pub struct Subject<'a> {
    /// The resource: `Type`, `Properties`, policies, as in a template.
    pub resource: &'a Value,
    /// The Region of its stack, as a code (`us-east-2`), when known.
    pub region: Option<&'a str>,
    /// What surrounds it.
    pub surroundings: &'a dyn Surroundings,
}

impl Subject<'_> {
    fn prop(&self, name: &str) -> Option<&Value> {
        self.resource.pointer(&format!("/Properties/{name}"))
    }
}

/// One rule a resource provider enforces.
#[derive(Debug, Clone, Copy)]
pub struct ProviderRule {
    /// The diagnostic code synthesis reports.
    pub code: &'static str,
    /// The resource type the rule applies to.
    pub resource_type: &'static str,
    /// The provider's or service's message, word for word, `<…>` marking what it fills in.
    pub aws_message: &'static str,
    /// How to fix it.
    pub hint: &'static str,
    /// When the provider checks it.
    pub stage: Stage,
    /// Whether synthesis checks it from this table; `false` where the construct that writes
    /// the value already reports it at the prop the user wrote, so it is reported once.
    pub at_synthesis: bool,
    /// Whether the simulator checks it from this table; `false` where the simulator enforces
    /// it elsewhere (with the same message).
    pub in_simulator: bool,
    /// How CloudFormation words the failure around the message.
    pub reported: Reported,
    check: fn(&Subject<'_>) -> Option<String>,
}

impl ProviderRule {
    /// The resource's status reason as CloudFormation reports it, around `message` (from
    /// [`breaches`]); the request id and token are the caller's (AWS's are random).
    pub fn status_reason(&self, message: &str, request_id: &str, request_token: &str) -> String {
        match self.reported {
            Reported::Bare => message.to_string(),
            Reported::Handler { service } => format!(
                "Resource handler returned message: \"{message} (Service: {service}, Status Code: 400, Request ID: {request_id})\" (RequestToken: {request_token}, HandlerErrorCode: InvalidRequest)"
            ),
            Reported::Downstream { service } => format!(
                "Internal error reported from downstream service during operation '{message} (Service: {service}, Status Code: 400, Request ID: {request_id}, Extended Request ID: null)'."
            ),
            Reported::Sdk {
                service,
                error_code,
            } => format!(
                "{message} (Service: {service}; Status Code: 400; Error Code: {error_code}; Request ID: {request_id})"
            ),
        }
    }
}

/// A rule a resource breaks, with the provider's message filled in.
#[derive(Debug, Clone)]
pub struct Breach {
    /// The rule.
    pub rule: &'static ProviderRule,
    /// The provider's message for this resource.
    pub message: String,
}

/// `DeletionPolicy: Snapshot` on an Aurora cluster member: the RDS provider's create handler
/// refuses it whenever `DBClusterIdentifier` is set (aws-cloudformation-resource-providers-rds,
/// `aws-rds-dbinstance/src/main/java/software/amazon/rds/dbinstance/CreateHandler.java`,
/// <https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds>):
/// CloudFormation asks the handler for a snapshot on deletion when the resource's
/// `DeletionPolicy` is `Snapshot`.
pub const RDS_CLUSTER_INSTANCE_SNAPSHOT: ProviderRule = ProviderRule {
    code: codes::RDS_011,
    resource_type: "AWS::RDS::DBInstance",
    aws_message: "DeletionPolicy:Snapshot cannot be specified for a cluster instance, use deletion policy on the cluster instead.",
    hint: "set DeletionPolicy Delete on the instance (the cluster's own Snapshot policy keeps the data)",
    stage: Stage::Create,
    at_synthesis: true,
    in_simulator: true,
    reported: Reported::Bare,
    check: |s| {
        (s.resource.get("DeletionPolicy").and_then(Value::as_str) == Some("Snapshot")
            && s.prop("DBClusterIdentifier").is_some_and(|v| !v.is_null()))
        .then(|| RDS_CLUSTER_INSTANCE_SNAPSHOT.aws_message.to_string())
    },
};

/// An internet-facing load balancer (the default scheme) needs an internet gateway attached
/// to its VPC when ELB creates it: `CreateLoadBalancer` fails with `InvalidSubnet` "VPC vpc-…
/// has no internet gateway" (aws-cloudformation/aws-cloudformation-templates#75, wording as
/// CloudFormation reported it; openshift/installer#1110). CloudFormation starts resources with
/// no dependency between them at once, so the load balancer must depend on the VPC's
/// `AWS::EC2::VPCGatewayAttachment` ("DependsOn attribute", "When a DependsOn attribute is
/// required",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html>;
/// aws-cdk's `BaseLoadBalancer` adds `internetConnectivityEstablished` of its subnets as a
/// dependency for this reason, aws/aws-cdk
/// `packages/aws-cdk-lib/aws-elasticloadbalancingv2/lib/shared/base-load-balancer.ts`). A
/// race AWS sometimes wins is decided here from the schedule, so it fails every time.
pub const ELB_NO_INTERNET_GATEWAY: ProviderRule = ProviderRule {
    code: codes::ALB_010,
    resource_type: "AWS::ElasticLoadBalancingV2::LoadBalancer",
    aws_message: "VPC <vpc-id> has no internet gateway",
    hint: "make the load balancer depend on the VPC's AWS::EC2::VPCGatewayAttachment (DependsOn), or on the public subnets' default routes",
    stage: Stage::Create,
    at_synthesis: true,
    in_simulator: true,
    reported: Reported::Sdk {
        service: "AmazonElasticLoadBalancingV2",
        error_code: "InvalidSubnet",
    },
    check: |s| {
        let scheme = s.prop("Scheme").and_then(Value::as_str);
        if scheme.is_some_and(|v| v != "internet-facing") {
            return None;
        }
        let mut subnets: Vec<&Value> = s
            .prop("Subnets")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        if let Some(m) = s.prop("SubnetMappings").and_then(Value::as_array) {
            subnets.extend(m.iter().filter_map(|x| x.get("SubnetId")));
        }
        // The subnets of one load balancer share a VPC: ask about each VPC once (the answer
        // walks the template's dependency graph).
        let mut vpcs: Vec<Value> = Vec::new();
        for subnet in subnets {
            if let Some(vpc) = s
                .surroundings
                .resource(subnet)
                .and_then(|r| r.pointer("/Properties/VpcId").cloned())
                && !vpcs.contains(&vpc)
            {
                vpcs.push(vpc);
            }
        }
        vpcs.iter().find_map(|vpc| {
            (s.surroundings.internet_gateway_attached(vpc) == Some(false))
                .then(|| format!("VPC {} has no internet gateway", shown(vpc)))
        })
    },
};

/// The protocol versions of the target groups a listener forwards to (its default actions'
/// `TargetGroupArn` and `ForwardConfig.TargetGroups`), when its protocol is plain HTTP.
fn http_listener_forwards_to(s: &Subject<'_>, version: &str) -> Option<String> {
    if s.prop("Protocol").and_then(Value::as_str) != Some("HTTP") {
        return None;
    }
    let actions = s.prop("DefaultActions")?.as_array()?;
    let groups = actions.iter().flat_map(|a| {
        let direct = a.get("TargetGroupArn").into_iter();
        let weighted = a
            .pointer("/ForwardConfig/TargetGroups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|g| g.get("TargetGroupArn"));
        direct.chain(weighted)
    });
    for g in groups {
        let tg = s.surroundings.resource(g)?;
        if tg
            .pointer("/Properties/ProtocolVersion")
            .and_then(Value::as_str)
            == Some(version)
        {
            return Some(format!(
                "Listener protocol 'HTTP' is not supported with a target group with the protocol-version '{version}'"
            ));
        }
    }
    None
}

/// A plain HTTP listener cannot forward to an HTTP/2 target group: ELB refuses the action with
/// `InvalidLoadBalancerAction` "Listener protocol 'HTTP' is not supported with a target group
/// with the protocol-version 'HTTP2'", which CloudFormation reports as a downstream error
/// (aws/copilot-cli#4551, kubernetes-sigs/aws-load-balancer-controller#4497). `Alb` reports the
/// same value at its `protocol_version` (DRK-ALB-004), so synthesis does not check it again.
pub const ELB_HTTP2_BEHIND_HTTP: ProviderRule = ProviderRule {
    code: codes::ALB_004,
    resource_type: "AWS::ElasticLoadBalancingV2::Listener",
    aws_message: "Listener protocol 'HTTP' is not supported with a target group with the protocol-version 'HTTP2'",
    hint: "forward from an HTTPS listener, or use protocol version HTTP1",
    stage: Stage::CreateOrUpdate,
    at_synthesis: false,
    in_simulator: true,
    reported: Reported::Downstream {
        service: "ElasticLoadBalancingV2",
    },
    check: |s| http_listener_forwards_to(s, "HTTP2"),
};

/// gRPC target groups need an HTTPS listener ("Target groups for your Application Load
/// Balancers",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html>).
/// ELB's wording for gRPC is not documented; it is the HTTP/2 message of
/// [`ELB_HTTP2_BEHIND_HTTP`] with the version `GRPC`, the closest documented wording. `Alb`
/// reports it at `protocol_version` (DRK-ALB-002).
pub const ELB_GRPC_BEHIND_HTTP: ProviderRule = ProviderRule {
    code: codes::ALB_002,
    resource_type: "AWS::ElasticLoadBalancingV2::Listener",
    aws_message: "Listener protocol 'HTTP' is not supported with a target group with the protocol-version 'GRPC'",
    hint: "forward from an HTTPS listener, or use protocol version HTTP1",
    stage: Stage::CreateOrUpdate,
    at_synthesis: false,
    in_simulator: true,
    reported: Reported::Downstream {
        service: "ElasticLoadBalancingV2",
    },
    check: |s| http_listener_forwards_to(s, "GRPC"),
};

/// A load balancer takes only ACM certificates of its own Region ("Certificates in ACM are
/// regional resources", "Supported Regions", ACM User Guide,
/// <https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html>); ELB answers
/// `ValidationError` "Certificate ARN '…' is not valid" for one of another Region
/// (kubernetes-sigs/aws-load-balancer-controller#2134 and #2552). How CloudFormation wraps
/// it is not documented; the listener handler's downstream wording of
/// [`ELB_HTTP2_BEHIND_HTTP`] is used. `Alb` reports the value at `certificate_arn`
/// (DRK-ALB-006).
pub const ELB_CERTIFICATE_OF_ANOTHER_REGION: ProviderRule = ProviderRule {
    code: codes::ALB_006,
    resource_type: "AWS::ElasticLoadBalancingV2::Listener",
    aws_message: "Certificate ARN '<arn>' is not valid",
    hint: "request or import the certificate in ACM in the load balancer's Region and give that ARN",
    stage: Stage::CreateOrUpdate,
    at_synthesis: false,
    in_simulator: true,
    reported: Reported::Downstream {
        service: "ElasticLoadBalancingV2",
    },
    check: |s| {
        let region = s.region?;
        s.prop("Certificates")?
            .as_array()?
            .iter()
            .filter_map(|c| c.get("CertificateArn")?.as_str())
            .find(|arn| {
                crate::arn::parse(arn)
                    .is_ok_and(|a| a.service == "acm" && !a.region.is_empty() && a.region != region)
            })
            .map(|arn| format!("Certificate ARN '{arn}' is not valid"))
    },
};

/// ALB access logs go only to a bucket encrypted with SSE-S3 (`crate::facts::elb`,
/// [`access_log_encryption_accepted`](crate::facts::elb::access_log_encryption_accepted)): ELB
/// tests the bucket when the access-log attributes are set and answers a bucket whose default
/// encryption is SSE-KMS with `InvalidConfigurationRequest` `Access Denied for bucket: <name>.
/// Please check S3bucket permission` (aws/aws-cdk#5758 for the wording as CloudFormation
/// reports it, aws/aws-cdk#21947 and terraform-aws-modules/terraform-aws-alb#61 for the KMS
/// case). Checked when the bucket is one the reader knows (the template's, by `Ref`, or the
/// simulator's, by name); whether the bucket policy grants the Region's log-delivery
/// principal is the simulator's own check, with the bucket's live policy.
pub const ELB_ACCESS_LOG_BUCKET_KMS: ProviderRule = ProviderRule {
    code: codes::ALB_015,
    resource_type: "AWS::ElasticLoadBalancingV2::LoadBalancer",
    aws_message: "Access Denied for bucket: <bucket>. Please check S3bucket permission",
    hint: "encrypt the access-log bucket with SSE-S3 (SSEAlgorithm AES256), the only encryption ELB log delivery accepts",
    stage: Stage::CreateOrUpdate,
    at_synthesis: true,
    in_simulator: true,
    reported: Reported::Sdk {
        service: "AmazonElasticLoadBalancingV2",
        error_code: "InvalidConfigurationRequest",
    },
    check: |s| {
        let attributes = s.prop("LoadBalancerAttributes")?.as_array()?;
        let attribute = |key: &str| {
            attributes
                .iter()
                .find(|a| a.get("Key").and_then(Value::as_str) == Some(key))
                .and_then(|a| a.get("Value"))
        };
        let enabled = attribute("access_logs.s3.enabled")
            .is_some_and(|v| v.as_str() == Some("true") || v.as_bool() == Some(true));
        if !enabled {
            return None;
        }
        let reference = attribute("access_logs.s3.bucket")?;
        let bucket = s.surroundings.resource(reference)?;
        if bucket.get("Type").and_then(Value::as_str) != Some("AWS::S3::Bucket") {
            return None;
        }
        let rules = bucket
            .pointer("/Properties/BucketEncryption/ServerSideEncryptionConfiguration")
            .and_then(Value::as_array)?;
        rules
            .iter()
            .filter_map(|r| r.pointer("/ServerSideEncryptionByDefault/SSEAlgorithm"))
            .filter_map(Value::as_str)
            .any(|a| !crate::facts::elb::access_log_encryption_accepted(Some(a)))
            .then(|| {
                format!(
                    "Access Denied for bucket: {}. Please check S3bucket permission",
                    shown(reference)
                )
            })
    },
};

/// RDS refuses to create a DB cluster of an engine version it has deprecated: "Cannot find
/// version 8.0.mysql_aurora.3.07.1 for aurora-mysql" (awslabs/awsome-distributed-ai#1101 for a
/// retired 3.07.1; aws-samples/aws-refarch-wordpress#93 for the whole CloudFormation reason).
/// Which versions are deprecated is [`rds::engine_version_status`] (drkit's vendored table); a
/// version the table does not know may be newer than it and is not refused. `RdsCluster`
/// reports the version it writes (DRK-RDS-012).
pub const RDS_DEPRECATED_ENGINE_VERSION: ProviderRule = ProviderRule {
    code: codes::RDS_012,
    resource_type: "AWS::RDS::DBCluster",
    aws_message: "Cannot find version <version> for <engine>",
    hint: "use a current engine version (aws rds describe-db-engine-versions lists them)",
    stage: Stage::Create,
    at_synthesis: false,
    in_simulator: true,
    reported: Reported::Handler { service: "Rds" },
    check: |s| {
        let engine_name = s.prop("Engine")?.as_str()?;
        let engine = [rds::AuroraEngine::MySql, rds::AuroraEngine::PostgreSql]
            .into_iter()
            .find(|e| e.engine_name() == engine_name)?;
        let version = s.prop("EngineVersion")?.as_str()?;
        (rds::engine_version_status(engine, version) == rds::VersionStatus::Deprecated)
            .then(|| format!("Cannot find version {version} for {engine_name}"))
    },
};

/// EKS creates no Amazon Linux 2 node group for Kubernetes 1.33 or later ("Kubernetes version
/// 1.32 is the last version for which Amazon EKS will release AL2 AMIs", "Build a custom
/// Amazon Linux AMI",
/// <https://docs.aws.amazon.com/eks/latest/userguide/eks-ami-build-scripts.html>):
/// `CreateNodegroup` fails with `InvalidParameterException` "AMI Type AL2_x86_64 is only
/// supported for kubernetes versions 1.32 or earlier" (scylladb/scylla-cluster-tests#12524).
/// A node group without `Version` takes its cluster's. `EksCluster` reports the AMI type it
/// writes (DRK-EKS-008).
pub const EKS_AL2_AFTER_LAST_VERSION: ProviderRule = ProviderRule {
    code: codes::EKS_008,
    resource_type: "AWS::EKS::Nodegroup",
    aws_message: "AMI Type <ami-type> is only supported for kubernetes versions 1.32 or earlier",
    hint: "use an AL2023 or Bottlerocket AMI type",
    stage: Stage::Create,
    at_synthesis: false,
    in_simulator: true,
    reported: Reported::Handler { service: "Eks" },
    check: |s| {
        let ami = s.prop("AmiType")?.as_str()?;
        if eks::ami_type(ami)?.family != eks::AmiFamily::Al2 {
            return None;
        }
        let version = match s.prop("Version").and_then(Value::as_str) {
            Some(v) => v.to_string(),
            None => s
                .surroundings
                .resource(s.prop("ClusterName")?)?
                .pointer("/Properties/Version")?
                .as_str()?
                .to_string(),
        };
        let (v, last) = (
            eks::minor_of(&version)?,
            eks::minor_of(eks::LAST_AL2_VERSION)?,
        );
        (v > last).then(|| {
            format!(
                "AMI Type {ami} is only supported for kubernetes versions {} or earlier",
                eks::LAST_AL2_VERSION
            )
        })
    },
};

/// A count written as a number or a numeric string (CloudFormation takes both); `None` for
/// anything else (an intrinsic function, which synthesis cannot read).
fn literal_count(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// CloudFormation requires a rolling update's `MinInstancesInService` to be "less than the
/// `MaxSize` of the Auto Scaling group" ("UpdatePolicy attribute",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html>),
/// and fails the group's update with "MinInstancesInService must be less than the autoscaling
/// group's MaxSize" (kubernetes-retired/kube-aws#950, docker/for-aws#50). Checked at synthesis
/// when both values are literals; the simulator enforces it on the group's update itself
/// (`dr-local` `rolling_update_refusal`, same message), so not from this table.
pub const ASG_ROLLING_UPDATE_ABOVE_MAX_SIZE: ProviderRule = ProviderRule {
    code: codes::CAP_005,
    resource_type: "AWS::AutoScaling::AutoScalingGroup",
    aws_message: "MinInstancesInService must be less than the autoscaling group's MaxSize",
    hint: "lower MinInstancesInService below MaxSize, or raise MaxSize",
    stage: Stage::Update,
    at_synthesis: true,
    in_simulator: false,
    reported: Reported::Bare,
    check: |s| {
        let rolling = s
            .resource
            .pointer("/UpdatePolicy/AutoScalingRollingUpdate")?;
        // `MinInstancesInService` defaults to 0 (the same page).
        let in_service = match rolling.get("MinInstancesInService") {
            None => 0,
            Some(v) => literal_count(v)?,
        };
        let max = literal_count(s.prop("MaxSize")?)?;
        (in_service >= max).then(|| ASG_ROLLING_UPDATE_ABOVE_MAX_SIZE.aws_message.to_string())
    },
};

/// A CloudWatch alarm's actions must be in the alarm's own Region: `PutMetricAlarm` refuses an
/// SNS topic of another Region with `ValidationError` "Invalid region <topic Region> specified.
/// Only <alarm Region> is supported." (as reported in cds-snc/notification-terraform#128,
/// <https://github.com/cds-snc/notification-terraform/pull/128>; "Using Amazon CloudWatch
/// alarms", "Alarm actions",
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions.html>).
/// Checked on every literal ARN of `AlarmActions`, `OKActions` and `InsufficientDataActions`.
pub const CLOUDWATCH_ACTION_OF_ANOTHER_REGION: ProviderRule = ProviderRule {
    code: codes::NOTIFY_002,
    resource_type: "AWS::CloudWatch::Alarm",
    aws_message: "Invalid region <action-region> specified. Only <alarm-region> is supported.",
    hint: "notify a topic of the alarm's own Region (one alarm topic per Region), and subscribe it to what is elsewhere",
    stage: Stage::CreateOrUpdate,
    at_synthesis: true,
    in_simulator: true,
    reported: Reported::Handler {
        service: "CloudWatch",
    },
    check: |s| {
        let region = s.region?;
        ["AlarmActions", "OKActions", "InsufficientDataActions"]
            .iter()
            .filter_map(|list| s.prop(list)?.as_array())
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|arn| crate::arn::parse(arn).ok())
            .find(|arn| !arn.region.is_empty() && arn.region != region)
            .map(|arn| {
                format!(
                    "Invalid region {} specified. Only {region} is supported.",
                    arn.region
                )
            })
    },
};

/// Whether `resource`'s `name` is a non-zero `MonitoringInterval` (a number or numeric string);
/// `None` when it is not a literal.
fn monitoring_interval(s: &Subject<'_>) -> Option<u64> {
    match s.prop("MonitoringInterval") {
        None | Some(Value::Null) => Some(0),
        Some(v) => literal_count(v),
    }
}

/// A boolean written as `true`/`false` or as a string (CloudFormation takes both); `None` for
/// anything else.
fn literal_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Enhanced Monitoring needs a role: RDS refuses a non-zero `MonitoringInterval` without
/// `MonitoringRoleArn` with `InvalidParameterCombination` "A MonitoringRoleARN value is
/// required if you specify a MonitoringInterval value other than 0." (moto's RDS backend,
/// `moto/rds/models.py`, <https://github.com/getmoto/moto>; cloud-custodian's RDS
/// `modify-db` action quotes the same text; "If MonitoringInterval is set to a value other
/// than 0, then you must supply a MonitoringRoleArn value", `MonitoringRoleArn` of
/// "AWS::RDS::DBInstance",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html>).
/// `RdsCluster` always gives a role with an interval, so synthesis checks it for hand-written
/// resources.
pub const RDS_MONITORING_ROLE_REQUIRED: ProviderRule = ProviderRule {
    code: codes::RDS_024,
    resource_type: "AWS::RDS::DBInstance",
    aws_message: "A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0.",
    hint: "set MonitoringRoleArn to a role monitoring.rds.amazonaws.com may assume, or MonitoringInterval to 0",
    stage: Stage::CreateOrUpdate,
    at_synthesis: true,
    in_simulator: true,
    reported: Reported::Handler { service: "Rds" },
    check: |s| {
        let role = s.prop("MonitoringRoleArn").is_some_and(|v| !v.is_null());
        (monitoring_interval(s)? > 0 && !role)
            .then(|| RDS_MONITORING_ROLE_REQUIRED.aws_message.to_string())
    },
};

/// The other half: a `MonitoringRoleArn` with no interval (or 0) is refused with
/// `InvalidParameterCombination` "You must specify a MonitoringInterval value other than 0
/// when you specify a MonitoringRoleARN value." (moto's RDS backend, as above; "If
/// MonitoringRoleArn is specified, then you must set MonitoringInterval to a value other than
/// 0", `MonitoringInterval` of "AWS::RDS::DBInstance"). `RdsCluster` reports it at
/// `monitoring_role_arn` (DRK-RDS-024).
pub const RDS_MONITORING_INTERVAL_REQUIRED: ProviderRule = ProviderRule {
    code: codes::RDS_024,
    resource_type: "AWS::RDS::DBInstance",
    aws_message: "You must specify a MonitoringInterval value other than 0 when you specify a MonitoringRoleARN value.",
    hint: "set MonitoringInterval to 1, 5, 10, 15, 30 or 60, or remove MonitoringRoleArn",
    stage: Stage::CreateOrUpdate,
    at_synthesis: false,
    in_simulator: true,
    reported: Reported::Handler { service: "Rds" },
    check: |s| {
        let role = s.prop("MonitoringRoleArn").is_some_and(|v| !v.is_null());
        (role && monitoring_interval(s)? == 0)
            .then(|| RDS_MONITORING_INTERVAL_REQUIRED.aws_message.to_string())
    },
};

/// An Aurora cluster exports only its engine's logs ([`rds::exportable_log_types`]); RDS
/// refuses others with `InvalidParameterCombination` "You cannot use the log types 'general',
/// 'audit', 'slowquery', 'error' with engine version aurora-postgresql 9.6.12. For supported
/// log types, see the documentation." (hashicorp/terraform#22538,
/// <https://github.com/hashicorp/terraform/issues/22538>; awsdocs/amazon-rds-user-guide#80).
/// The refused types are listed in the template's order (the service's own order is not
/// documented). A cluster without a literal `EngineVersion` is not judged, as the message
/// names the version. `RdsCluster` reports the types at `log_exports` (DRK-RDS-021).
pub const RDS_LOG_TYPES_OF_ANOTHER_ENGINE: ProviderRule = ProviderRule {
    code: codes::RDS_021,
    resource_type: "AWS::RDS::DBCluster",
    aws_message: "You cannot use the log types '<types>' with engine version <engine> <version>. For supported log types, see the documentation.",
    hint: "export only the engine's log types (aurora-mysql: audit, error, general, instance, slowquery, iam-db-auth-error; aurora-postgresql: instance, postgresql, iam-db-auth-error)",
    stage: Stage::CreateOrUpdate,
    at_synthesis: false,
    in_simulator: true,
    reported: Reported::Handler { service: "Rds" },
    check: |s| {
        let engine_name = s.prop("Engine")?.as_str()?;
        let engine = rds::AuroraEngine::from_engine_name(engine_name)?;
        let version = s.prop("EngineVersion")?.as_str()?;
        let allowed = rds::exportable_log_types(engine);
        let refused: Vec<String> = s
            .prop("EnableCloudwatchLogsExports")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| !allowed.contains(t))
            .map(|t| format!("'{t}'"))
            .collect();
        (!refused.is_empty()).then(|| {
            format!(
                "You cannot use the log types {} with engine version {engine_name} {version}. For supported log types, see the documentation.",
                refused.join(", ")
            )
        })
    },
};

/// The Advanced mode of Database Insights needs Performance Insights on, kept at least 465
/// days ("Considerations for Database Insights for Amazon Aurora",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Considerations.html>);
/// RDS refuses the cluster with `InvalidParameterCombination` "To enable the Advanced mode of
/// Database Insights, modify your cluster to enable Performance Insights and set the retention
/// period for Performance Insights to at least 465 days." (pulumi/pulumi-aws#5286,
/// <https://github.com/pulumi/pulumi-aws/issues/5286>; ansible-collections/amazon.aws#2543).
/// That wording was reported for a modification; the creation's is not documented and is
/// taken to be the same. The retention defaults to 7 days when unset (`PerformanceInsights
/// RetentionPeriod` of "AWS::RDS::DBCluster"). `RdsCluster` sets both with the Advanced mode,
/// so synthesis checks it for hand-written resources.
pub const RDS_ADVANCED_INSIGHTS_WITHOUT_RETENTION: ProviderRule = ProviderRule {
    code: codes::RDS_027,
    resource_type: "AWS::RDS::DBCluster",
    aws_message: "To enable the Advanced mode of Database Insights, modify your cluster to enable Performance Insights and set the retention period for Performance Insights to at least 465 days.",
    hint: "set PerformanceInsightsEnabled to true and PerformanceInsightsRetentionPeriod to 465 or more, or use DatabaseInsightsMode standard",
    stage: Stage::CreateOrUpdate,
    at_synthesis: true,
    in_simulator: true,
    reported: Reported::Handler { service: "Rds" },
    check: |s| {
        if s.prop("DatabaseInsightsMode")?.as_str()? != "advanced" {
            return None;
        }
        let enabled = match s.prop("PerformanceInsightsEnabled") {
            None | Some(Value::Null) => false,
            Some(v) => literal_bool(v)?,
        };
        let retention = match s.prop("PerformanceInsightsRetentionPeriod") {
            None | Some(Value::Null) => u64::from(rds::FREE_INSIGHTS_RETENTION_DAYS),
            Some(v) => literal_count(v)?,
        };
        (!enabled || retention < u64::from(rds::ADVANCED_INSIGHTS_MIN_RETENTION_DAYS)).then(|| {
            RDS_ADVANCED_INSIGHTS_WITHOUT_RETENTION
                .aws_message
                .to_string()
        })
    },
};

/// Every rule, in code order.
pub const ALL: &[ProviderRule] = &[
    ELB_GRPC_BEHIND_HTTP,
    ELB_HTTP2_BEHIND_HTTP,
    ELB_CERTIFICATE_OF_ANOTHER_REGION,
    ELB_NO_INTERNET_GATEWAY,
    ELB_ACCESS_LOG_BUCKET_KMS,
    ASG_ROLLING_UPDATE_ABOVE_MAX_SIZE,
    CLOUDWATCH_ACTION_OF_ANOTHER_REGION,
    EKS_AL2_AFTER_LAST_VERSION,
    RDS_CLUSTER_INSTANCE_SNAPSHOT,
    RDS_DEPRECATED_ENGINE_VERSION,
    RDS_LOG_TYPES_OF_ANOTHER_ENGINE,
    RDS_MONITORING_ROLE_REQUIRED,
    RDS_MONITORING_INTERVAL_REQUIRED,
    RDS_ADVANCED_INSIGHTS_WITHOUT_RETENTION,
];

/// The rules `subject` breaks, among those `wanted` selects, with the provider's messages.
pub fn breaches(subject: &Subject<'_>, wanted: impl Fn(&ProviderRule) -> bool) -> Vec<Breach> {
    let resource_type = subject.resource.get("Type").and_then(Value::as_str);
    ALL.iter()
        .filter(|r| resource_type == Some(r.resource_type) && wanted(r))
        .filter_map(|rule| (rule.check)(subject).map(|message| Breach { rule, message }))
        .collect()
}

/// A value as a message shows it: a string as is, a `Ref` as the name it refers to.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other
            .get("Ref")
            .and_then(Value::as_str)
            .map_or_else(|| other.to_string(), str::to_string),
    }
}

/// The surroundings of one resource of a synthesized template: the template's other
/// resources, found by `Ref` and `Fn::GetAtt`, and its dependencies. An internet gateway
/// counts as attached only when the template attaches one to the VPC and the resource depends
/// on that attachment (directly, through `DependsOn`, or through what it references); a VPC
/// the template attaches no gateway to (another stack's, or a parameter) is not judged.
pub struct TemplateSurroundings<'a> {
    /// The template (`Resources` read).
    pub template: &'a Value,
    /// The logical id of the resource under check.
    pub logical_id: &'a str,
}

impl TemplateSurroundings<'_> {
    fn resources(&self) -> Option<&serde_json::Map<String, Value>> {
        self.template.get("Resources")?.as_object()
    }

    /// Every resource `id` depends on, directly or not.
    fn dependencies(&self, id: &str) -> std::collections::BTreeSet<String> {
        let Some(resources) = self.resources() else {
            return Default::default();
        };
        let mut seen = std::collections::BTreeSet::new();
        let mut todo = vec![id.to_string()];
        while let Some(next) = todo.pop() {
            let Some(r) = resources.get(&next) else {
                continue;
            };
            let mut direct = Vec::new();
            match r.get("DependsOn") {
                Some(Value::String(d)) => direct.push(d.clone()),
                Some(Value::Array(a)) => {
                    direct.extend(a.iter().filter_map(|d| d.as_str().map(str::to_string)));
                }
                _ => {}
            }
            referenced(r.get("Properties").unwrap_or(&Value::Null), &mut direct);
            for d in direct {
                if resources.contains_key(&d) && seen.insert(d.clone()) {
                    todo.push(d);
                }
            }
        }
        seen
    }
}

/// The names `v` refers to with `Ref`, `Fn::GetAtt` and `Fn::Sub`.
fn referenced(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("Ref") {
                out.push(r.clone());
            }
            match o.get("Fn::GetAtt") {
                Some(Value::Array(a)) => {
                    if let Some(Value::String(r)) = a.first() {
                        out.push(r.clone());
                    }
                }
                Some(Value::String(s)) => {
                    out.push(s.split('.').next().unwrap_or_default().to_string());
                }
                _ => {}
            }
            let sub = match o.get("Fn::Sub") {
                Some(Value::String(s)) => Some(s.as_str()),
                Some(Value::Array(a)) => a.first().and_then(Value::as_str),
                _ => None,
            };
            if let Some(s) = sub {
                for part in s.split("${").skip(1) {
                    if let Some(name) = part.split('}').next() {
                        out.push(name.split('.').next().unwrap_or_default().to_string());
                    }
                }
            }
            for x in o.values() {
                referenced(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| referenced(x, out)),
        _ => {}
    }
}

/// The logical id a `Ref` or `Fn::GetAtt` names.
fn target(reference: &Value) -> Option<&str> {
    if let Some(r) = reference.get("Ref").and_then(Value::as_str) {
        return Some(r);
    }
    match reference.get("Fn::GetAtt")? {
        Value::Array(a) => a.first()?.as_str(),
        Value::String(s) => s.split('.').next(),
        _ => None,
    }
}

impl Surroundings for TemplateSurroundings<'_> {
    fn resource(&self, reference: &Value) -> Option<Value> {
        self.resources()?.get(target(reference)?).cloned()
    }

    fn internet_gateway_attached(&self, vpc: &Value) -> Option<bool> {
        let vpc = target(vpc)?;
        let attachments: Vec<&String> = self
            .resources()?
            .iter()
            .filter(|(_, r)| {
                r.get("Type").and_then(Value::as_str) == Some("AWS::EC2::VPCGatewayAttachment")
                    && r.pointer("/Properties/InternetGatewayId").is_some()
                    && r.pointer("/Properties/VpcId").and_then(target) == Some(vpc)
            })
            .map(|(id, _)| id)
            .collect();
        if attachments.is_empty() {
            return None;
        }
        let deps = self.dependencies(self.logical_id);
        Some(attachments.iter().any(|a| deps.contains(*a)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn instance(policy: &str, cluster: bool) -> Value {
        let mut props = json!({ "DBInstanceClass": "db.r6g.large", "Engine": "aurora-mysql" });
        if cluster {
            props["DBClusterIdentifier"] = json!({ "Ref": "Cluster" });
        }
        json!({ "Type": "AWS::RDS::DBInstance", "DeletionPolicy": policy, "Properties": props })
    }

    fn subject<'a>(resource: &'a Value, s: &'a dyn Surroundings) -> Subject<'a> {
        Subject {
            resource,
            region: Some("us-east-2"),
            surroundings: s,
        }
    }

    fn codes_of(resource: &Value, s: &dyn Surroundings) -> Vec<&'static str> {
        breaches(&subject(resource, s), |_| true)
            .iter()
            .map(|b| b.rule.code)
            .collect()
    }

    #[test]
    fn an_alarm_may_notify_only_topics_of_its_own_region() {
        let alarm = |actions: Value| {
            json!({ "Type": "AWS::CloudWatch::Alarm", "Properties": {
                "AlarmActions": actions, "OKActions": [{ "Ref": "Topic" }] } })
        };
        let here = alarm(json!(["arn:aws:sns:us-east-2:123456789012:alarms"]));
        assert!(codes_of(&here, &NoSurroundings).is_empty());
        let there = alarm(json!([
            "arn:aws:sns:us-east-2:123456789012:alarms",
            "arn:aws:sns:us-west-2:123456789012:alarms"
        ]));
        let broken = breaches(&subject(&there, &NoSurroundings), |_| true);
        assert_eq!(broken.len(), 1);
        assert_eq!(broken[0].rule.code, "DRK-NOTIFY-002");
        assert_eq!(
            broken[0].message,
            "Invalid region us-west-2 specified. Only us-east-2 is supported."
        );
    }

    #[test]
    fn snapshot_on_a_cluster_member_is_refused_with_the_providers_message() {
        let r = instance("Snapshot", true);
        let broken = breaches(&subject(&r, &NoSurroundings), |_| true);
        assert_eq!(broken.len(), 1);
        assert_eq!(broken[0].rule.code, "DRK-RDS-011");
        assert!(
            broken[0]
                .message
                .starts_with("DeletionPolicy:Snapshot cannot")
        );
    }

    #[test]
    fn delete_on_a_member_and_snapshot_on_a_standalone_instance_are_fine() {
        assert!(codes_of(&instance("Delete", true), &NoSurroundings).is_empty());
        assert!(codes_of(&instance("Snapshot", false), &NoSurroundings).is_empty());
        let cluster = json!({ "Type": "AWS::RDS::DBCluster", "DeletionPolicy": "Snapshot",
            "Properties": { "DBClusterIdentifier": "x" } });
        assert!(codes_of(&cluster, &NoSurroundings).is_empty());
    }

    /// A VPC, its gateway attachment, a public subnet and a load balancer in it; `depends`
    /// says whether the load balancer depends on the attachment.
    fn network(depends: bool) -> Value {
        let mut t = json!({"Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "Igw": {"Type": "AWS::EC2::InternetGateway"},
            "Attach": {"Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {
                "VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}}},
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}},
            "Route": {"Type": "AWS::EC2::Route", "DependsOn": "Attach", "Properties": {
                "GatewayId": {"Ref": "Igw"}}},
            "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
                "Subnets": [{"Ref": "Subnet"}, {"Ref": "Subnet"}]}}
        }});
        if depends {
            t["Resources"]["Lb"]["DependsOn"] = json!(["Route"]);
        }
        t
    }

    fn lb_codes(t: &Value) -> Vec<Breach> {
        let s = TemplateSurroundings {
            template: t,
            logical_id: "Lb",
        };
        breaches(&subject(&t["Resources"]["Lb"], &s), |r| r.at_synthesis)
    }

    #[test]
    fn an_internet_facing_load_balancer_must_depend_on_its_vpcs_gateway_attachment() {
        let broken = lb_codes(&network(false));
        assert_eq!(broken.len(), 1);
        assert_eq!(broken[0].rule.code, "DRK-ALB-010");
        assert_eq!(broken[0].message, "VPC Vpc has no internet gateway");
        // Through the route, which depends on the attachment.
        assert!(lb_codes(&network(true)).is_empty());
        // An internal load balancer needs no gateway.
        let mut internal = network(false);
        internal["Resources"]["Lb"]["Properties"]["Scheme"] = json!("internal");
        assert!(lb_codes(&internal).is_empty());
        // A VPC the template attaches no gateway to is not judged.
        let mut elsewhere = network(false);
        elsewhere["Resources"]
            .as_object_mut()
            .unwrap()
            .remove("Attach");
        assert!(lb_codes(&elsewhere).is_empty());
    }

    #[test]
    fn the_sdk_wording_names_the_service_and_error_code() {
        let reason = ELB_NO_INTERNET_GATEWAY.status_reason(
            "VPC vpc-1 has no internet gateway",
            "r-1",
            "t-1",
        );
        assert_eq!(
            reason,
            "VPC vpc-1 has no internet gateway (Service: AmazonElasticLoadBalancingV2; Status Code: 400; Error Code: InvalidSubnet; Request ID: r-1)"
        );
        let reason = RDS_DEPRECATED_ENGINE_VERSION.status_reason("m", "r-1", "t-1");
        assert_eq!(
            reason,
            "Resource handler returned message: \"m (Service: Rds, Status Code: 400, Request ID: r-1)\" (RequestToken: t-1, HandlerErrorCode: InvalidRequest)"
        );
    }

    #[test]
    fn an_http_listener_forwarding_to_http2_or_grpc_is_refused() {
        for (version, code) in [("HTTP2", "DRK-ALB-004"), ("GRPC", "DRK-ALB-002")] {
            let t = json!({"Resources": {
                "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
                    "ProtocolVersion": version}},
                "L": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                    "Protocol": "HTTP", "Port": 80,
                    "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}}
            }});
            let s = TemplateSurroundings {
                template: &t,
                logical_id: "L",
            };
            assert_eq!(codes_of(&t["Resources"]["L"], &s), vec![code]);
            // Constructs report it: synthesis leaves it to them.
            assert!(breaches(&subject(&t["Resources"]["L"], &s), |r| r.at_synthesis).is_empty());
            let mut https = t.clone();
            https["Resources"]["L"]["Properties"]["Protocol"] = json!("HTTPS");
            assert!(codes_of(&https["Resources"]["L"], &s).is_empty());
        }
    }

    #[test]
    fn a_certificate_of_another_region_is_refused() {
        let listener = |arn: &str| {
            json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                "Protocol": "HTTPS", "Certificates": [{"CertificateArn": arn}]}})
        };
        let other = listener("arn:aws:acm:us-west-2:123456789012:certificate/abc");
        let b = breaches(&subject(&other, &NoSurroundings), |_| true);
        assert_eq!(
            b[0].message,
            "Certificate ARN 'arn:aws:acm:us-west-2:123456789012:certificate/abc' is not valid"
        );
        let own = listener("arn:aws:acm:us-east-2:123456789012:certificate/abc");
        assert!(codes_of(&own, &NoSurroundings).is_empty());
        let iam = listener("arn:aws:iam::123456789012:server-certificate/x");
        assert!(codes_of(&iam, &NoSurroundings).is_empty());
    }

    #[test]
    fn a_deprecated_aurora_version_is_refused_and_an_unknown_one_is_not() {
        let cluster = |v: &str| {
            json!({"Type": "AWS::RDS::DBCluster", "Properties": {
                "Engine": "aurora-mysql", "EngineVersion": v}})
        };
        // Deprecated in the vendored table (cfn-lint's `engine_version_deprecated.json`).
        let table_deprecated = "5.7.mysql_aurora.2.03.2";
        assert_eq!(
            rds::engine_version_status(rds::AuroraEngine::MySql, table_deprecated),
            rds::VersionStatus::Deprecated
        );
        let b = breaches(
            &subject(&cluster(table_deprecated), &NoSurroundings),
            |_| true,
        );
        assert_eq!(
            b[0].message,
            format!("Cannot find version {table_deprecated} for aurora-mysql")
        );
        let current = rds::AuroraEngine::MySql.default_version();
        assert!(codes_of(&cluster(current), &NoSurroundings).is_empty());
        assert!(codes_of(&cluster("8.0.mysql_aurora.3.99.0"), &NoSurroundings).is_empty());
    }

    #[test]
    fn al2_node_groups_are_refused_after_the_last_al2_version_even_through_the_cluster() {
        let t = json!({"Resources": {
            "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {"Version": "1.33"}},
            "Ng": {"Type": "AWS::EKS::Nodegroup", "Properties": {
                "ClusterName": {"Ref": "Cluster"}, "AmiType": "AL2_x86_64"}}
        }});
        let s = TemplateSurroundings {
            template: &t,
            logical_id: "Ng",
        };
        let b = breaches(&subject(&t["Resources"]["Ng"], &s), |_| true);
        assert_eq!(
            b[0].message,
            "AMI Type AL2_x86_64 is only supported for kubernetes versions 1.32 or earlier"
        );
        let mut old = t.clone();
        old["Resources"]["Ng"]["Properties"]["Version"] = json!("1.32");
        assert!(codes_of(&old["Resources"]["Ng"], &s).is_empty());
        let mut al2023 = t.clone();
        al2023["Resources"]["Ng"]["Properties"]["AmiType"] = json!("AL2023_x86_64_STANDARD");
        assert!(codes_of(&al2023["Resources"]["Ng"], &s).is_empty());
    }

    #[test]
    fn a_rolling_update_keeping_max_size_in_service_is_refused_when_literal() {
        let asg = |max: Value, min: Value| {
            json!({"Type": "AWS::AutoScaling::AutoScalingGroup",
                "Properties": {"MinSize": "2", "MaxSize": max},
                "UpdatePolicy": {"AutoScalingRollingUpdate": {"MinInstancesInService": min}}})
        };
        assert_eq!(
            codes_of(&asg(json!("2"), json!(2)), &NoSurroundings),
            vec!["DRK-CAP-005"]
        );
        assert!(codes_of(&asg(json!(3), json!("2")), &NoSurroundings).is_empty());
        assert!(
            codes_of(&asg(json!({"Ref": "Max"}), json!(2)), &NoSurroundings).is_empty(),
            "not a literal"
        );
        // The simulator owns the update's refusal.
        let asg = asg(json!("2"), json!(2));
        assert!(
            breaches(&subject(&asg, &NoSurroundings), |r| r.in_simulator).is_empty(),
            "the simulator's own update check owns it"
        );
    }

    #[test]
    fn enhanced_monitoring_needs_both_an_interval_and_a_role() {
        let inst = |props: Value| json!({"Type": "AWS::RDS::DBInstance", "Properties": props});
        let no_role = inst(json!({"MonitoringInterval": "60"}));
        let b = breaches(&subject(&no_role, &NoSurroundings), |_| true);
        assert_eq!(b.len(), 1);
        assert_eq!(
            b[0].message,
            "A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0."
        );
        let no_interval = inst(json!({"MonitoringRoleArn": "arn:aws:iam::123456789012:role/m"}));
        let b = breaches(&subject(&no_interval, &NoSurroundings), |_| true);
        assert_eq!(b.len(), 1);
        assert!(
            b[0].message
                .starts_with("You must specify a MonitoringInterval")
        );
        // The construct reports the second at its prop.
        assert!(breaches(&subject(&no_interval, &NoSurroundings), |r| r.at_synthesis).is_empty());
        let both = inst(json!({"MonitoringInterval": 60,
            "MonitoringRoleArn": {"Fn::GetAtt": ["Role", "Arn"]}}));
        assert!(codes_of(&both, &NoSurroundings).is_empty());
        assert!(codes_of(&inst(json!({"MonitoringInterval": 0})), &NoSurroundings).is_empty());
        assert!(
            codes_of(
                &inst(json!({"MonitoringInterval": {"Ref": "I"}})),
                &NoSurroundings
            )
            .is_empty(),
            "not a literal"
        );
    }

    #[test]
    fn a_log_type_of_the_other_engine_is_refused_with_rdss_message() {
        let cluster = |engine: &str, logs: Value| {
            json!({"Type": "AWS::RDS::DBCluster", "Properties": {
                "Engine": engine, "EngineVersion": "16.10", "EnableCloudwatchLogsExports": logs}})
        };
        let pg = cluster(
            "aurora-postgresql",
            json!(["postgresql", "audit", "slowquery"]),
        );
        let b = breaches(&subject(&pg, &NoSurroundings), |_| true);
        assert_eq!(b.len(), 1);
        assert_eq!(
            b[0].message,
            "You cannot use the log types 'audit', 'slowquery' with engine version aurora-postgresql 16.10. For supported log types, see the documentation."
        );
        let ok = cluster(
            "aurora-postgresql",
            json!(["postgresql", "iam-db-auth-error"]),
        );
        assert!(codes_of(&ok, &NoSurroundings).is_empty());
        let mysql = cluster("aurora-mysql", json!(["audit", "error", "slowquery"]));
        assert!(codes_of(&mysql, &NoSurroundings).is_empty());
    }

    #[test]
    fn advanced_database_insights_needs_performance_insights_kept_465_days() {
        let cluster = |extra: Value| {
            let mut props = json!({"Engine": "aurora-mysql", "DatabaseInsightsMode": "advanced"});
            props
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            json!({"Type": "AWS::RDS::DBCluster", "Properties": props})
        };
        for broken in [
            json!({}),
            json!({"PerformanceInsightsEnabled": true}),
            json!({"PerformanceInsightsEnabled": true, "PerformanceInsightsRetentionPeriod": 31}),
            json!({"PerformanceInsightsEnabled": "false", "PerformanceInsightsRetentionPeriod": 465}),
        ] {
            assert_eq!(
                codes_of(&cluster(broken.clone()), &NoSurroundings),
                vec!["DRK-RDS-027"],
                "{broken}"
            );
        }
        let ok = cluster(json!({"PerformanceInsightsEnabled": true,
            "PerformanceInsightsRetentionPeriod": "731"}));
        assert!(codes_of(&ok, &NoSurroundings).is_empty());
        let standard = json!({"Type": "AWS::RDS::DBCluster", "Properties": {
            "DatabaseInsightsMode": "standard"}});
        assert!(codes_of(&standard, &NoSurroundings).is_empty());
    }
}
