//! `Ec2Fleet`: an Auto Scaling group of EC2 instances in private subnets.

use dr_core::diagnostics::codes;
use dr_core::facts::ec2::Arch;
use dr_core::{CfnResource, Expr, Parameter, Scope, Token, Val};
use serde_json::json;

use crate::common::{SummaryRow, assume_role_policy, managed_policy, name_tag, val};
use crate::l1::autoscaling::CfnAutoScalingGroup;
use crate::l1::autoscaling::auto_scaling_group::{LaunchTemplateSpecification, TagProperty};
use crate::l1::ec2::launch_template::{
    BlockDeviceMapping, Ebs, IamInstanceProfile, LaunchTemplateData, MetadataOptions,
};
use crate::l1::ec2::{CfnKeyPair, CfnLaunchTemplate, CfnSecurityGroup};
use crate::l1::iam::{CfnInstanceProfile, CfnRole};
use crate::validate;
use crate::vpc::Vpc;

/// The public SSM parameter holding the latest Amazon Linux 2023 AMI id for x86_64
/// ("Find the latest Amazon Linux AMI", Amazon Linux 2023 User Guide,
/// <https://docs.aws.amazon.com/linux/al2023/ug/ec2.html>).
pub const AL2023_X86_64_SSM: &str =
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
/// The same for arm64 (Graviton instance types).
pub const AL2023_ARM64_SSM: &str =
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

/// Where the instances' AMI comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Ami {
    /// The latest Amazon Linux 2023 AMI of the instance type's architecture, resolved by
    /// CloudFormation from the public SSM parameter at each deploy (the default).
    #[default]
    LatestAl2023,
    /// An SSM parameter name holding an AMI id (resolved at each deploy).
    SsmParameter(String),
    /// A fixed AMI id (AMI ids differ per Region: give each site its own).
    Id(String),
}

impl Ami {
    /// [`Ami::SsmParameter`]: the AMI id held by the SSM parameter `name`.
    pub fn ssm_parameter(name: impl Into<String>) -> Ami {
        Ami::SsmParameter(name.into())
    }
    /// [`Ami::Id`]: a fixed AMI id of the site's Region.
    pub fn id(id: impl Into<String>) -> Ami {
        Ami::Id(id.into())
    }
}

/// The EC2 key pair the instances accept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum KeyPair {
    /// Create one (`AWS::EC2::KeyPair`); EC2 keeps its private key in SSM Parameter Store
    /// under `/ec2/keypair/<key id>`, never in the template (the default).
    #[default]
    Create,
    /// Use an existing key pair of the Region, by name.
    Import(String),
    /// No key pair: reach the instances through SSM Session Manager only.
    None,
}

impl KeyPair {
    /// [`KeyPair::Import`]: an existing key pair of the Region, by name.
    pub fn import(name: impl Into<String>) -> KeyPair {
        KeyPair::Import(name.into())
    }
}

/// The instances' IAM role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceRole {
    /// Create a role and instance profile with these AWS managed policies (names, not ARNs).
    Create {
        /// Managed policy names, e.g. `AmazonSSMManagedInstanceCore`.
        managed_policies: Vec<String>,
    },
    /// Use an existing instance profile, by ARN.
    ExistingProfile(String),
}

impl InstanceRole {
    /// [`InstanceRole::Create`] with these AWS managed policies, by name.
    pub fn create(managed_policies: impl IntoIterator<Item = impl Into<String>>) -> InstanceRole {
        InstanceRole::Create {
            managed_policies: managed_policies.into_iter().map(Into::into).collect(),
        }
    }
    /// [`InstanceRole::ExistingProfile`]: an existing instance profile, by ARN.
    pub fn existing_profile(arn: impl Into<String>) -> InstanceRole {
        InstanceRole::ExistingProfile(arn.into())
    }
}

impl Default for InstanceRole {
    /// A new role with `AmazonSSMManagedInstanceCore` only, so that instances are reachable
    /// through Session Manager without opening SSH.
    fn default() -> Self {
        InstanceRole::Create {
            managed_policies: vec!["AmazonSSMManagedInstanceCore".into()],
        }
    }
}

/// What makes Auto Scaling replace an instance of a fleet (the group's `HealthCheckType`).
///
/// Replacing an instance costs minutes and a fresh install from the internet, so it is for an
/// instance that is broken, not for an app that waits on something outside it. An app's
/// health path usually checks its database too (Grafana's `/api/health` answers 503 while its
/// database does not), and with [`Elb`](Self::Elb) a database switchover, a failover, the
/// first deploy (the database comes after the instances) or a peering fault would terminate
/// every instance of the Region at once, exactly when the DR site is needed. See
/// ARCHITECTURE.md, "What healthy means".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FleetHealthCheck {
    /// EC2's status checks only: an instance is replaced when EC2 finds it (or its host)
    /// impaired. A process that exits is restarted in place by its service manager (see
    /// `UserData::keep_running`). The default.
    #[default]
    Ec2,
    /// EC2's status checks and the load balancer's target health: an instance is replaced
    /// when the target group's health check fails for longer than the grace period. Only for
    /// a health path that checks the instance alone, never a dependency shared by the fleet.
    Elb,
}

impl FleetHealthCheck {
    /// The group's `HealthCheckType` value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FleetHealthCheck::Ec2 => "EC2",
            FleetHealthCheck::Elb => "ELB",
        }
    }
}

/// How a deploy that changes the fleet's launch template (a new AMI resolved from the SSM
/// parameter, new user data, another instance type or volume) reaches the instances already
/// running. Each change makes a new launch template version, and the group names the
/// template's `LatestVersionNumber`, so the group's `LaunchTemplate` property changes with it:
/// that is what starts CloudFormation's update policy ("UpdatePolicy attribute",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html>:
/// the rolling update applies when you "change the Auto Scaling group's `LaunchTemplate`
/// property"). See ARCHITECTURE.md, "Updates: how a new AMI reaches the instances".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FleetUpdatePolicy {
    /// A rolling update, as part of the deploy (the default): CloudFormation replaces the
    /// instances one at a time (`MaxBatchSize` 1), keeping `min_size` instances in service
    /// (`MinInstancesInService`), and waits the health check grace period after each one
    /// (`PauseTime`, at most [`MAX_ROLLING_PAUSE_SECS`]) so that the new instance has booted
    /// and run its user data before the next old one stops. The Auto Scaling processes that
    /// would fight the update are suspended while it runs
    /// ([`ROLLING_UPDATE_SUSPENDED_PROCESSES`]).
    ///
    /// Known limit: drkit does not set `WaitOnResourceSignals`, so CloudFormation does not
    /// learn whether the app on a new instance started; the pause is the only gate (without
    /// signals, `PauseTime` defaults to `PT0S`, no pause at all), and an instance whose user
    /// data fails still counts as replaced. Signals would need `cfn-signal` in the user data,
    /// which the simulator cannot model (its instances run nothing).
    #[default]
    Rolling,
    /// No update policy: a deploy updates the launch template and the group's version only,
    /// and the running instances keep the old AMI and user data. New AMIs and user data reach
    /// only instances launched later (a scale-out, a replaced unhealthy instance, an instance
    /// refresh started by hand with `aws autoscaling start-instance-refresh`).
    Manual,
}

/// The Auto Scaling processes a rolling update suspends: the ones AWS recommends suspending so
/// that Auto Scaling does not change the group while CloudFormation replaces its instances
/// ("What are some recommended best practices for performing Auto Scaling group rolling
/// updates?", <https://aws.amazon.com/premiumsupport/knowledge-center/auto-scaling-group-rolling-updates/>,
/// linked from the "UpdatePolicy attribute" page). `Launch`, `Terminate` and
/// `AddToLoadBalancer` stay on: the update needs them.
pub const ROLLING_UPDATE_SUSPENDED_PROCESSES: &[&str] = &[
    "HealthCheck",
    "ReplaceUnhealthy",
    "AZRebalance",
    "AlarmNotification",
    "ScheduledActions",
];

/// The longest `PauseTime` CloudFormation takes, one hour ("UpdatePolicy attribute",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html>:
/// "The maximum `PauseTime` is one hour (`PT1H`)"); a longer grace period pauses this long.
pub const MAX_ROLLING_PAUSE_SECS: u32 = 3600;

/// The instance type when none is given: `t3.micro`, a burstable general-purpose x86 type
/// (2 vCPUs, 1 GiB), enough for a light web app such as Grafana.
pub const DEFAULT_INSTANCE_TYPE: &str = "t3.micro";
/// The port the application listens on when none is given: 3000, Grafana's default HTTP port.
pub const DEFAULT_APP_PORT: u16 = 3000;
/// How many instances a fleet runs when no size is given: 3, one per AZ of a three-AZ VPC
/// (Auto Scaling balances instances across the group's zones), so an AZ outage leaves two.
pub const DEFAULT_FLEET_SIZE: u32 = 3;
/// The root volume's size when none is given: 8 GiB, the size of the Amazon Linux 2023 AMI's
/// snapshot, which a root volume cannot be smaller than (Auto Scaling's `Ebs.VolumeSize`: "the
/// volume size must be equal or greater than the size of the snapshot",
/// <https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/autoscaling/aws.sdk.kotlin.services.autoscaling.model/-ebs/volume-size.html>).
/// A launch template's gp3 volume takes 1 to 16,384 GiB (the EC2 API's
/// `LaunchTemplateEbsBlockDeviceRequest.VolumeSize`,
/// <https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/ec2/aws.sdk.kotlin.services.ec2.model/-launch-template-ebs-block-device-request/volume-size.html>).
pub const DEFAULT_ROOT_VOLUME_GIB: u32 = 8;
/// The health check grace period when none is given: 300 s, what the Amazon EC2 Auto Scaling
/// console proposes, time for user data to install and start the app ("Set the health check
/// grace period for an Auto Scaling group",
/// <https://docs.aws.amazon.com/autoscaling/ec2/userguide/health-check-grace-period.html>).
pub const DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECS: u32 = 300;

/// Settings of an [`Ec2Fleet`]:
/// `Ec2FleetProps::builder().vpc(&vpc).desired_capacity(4).build()`.
///
/// The sizes follow AWS CDK's `AutoScalingGroup`: a bound left unset gives way to the values
/// that are set, so `desired_capacity(4)` alone gives a fleet of 4 (min 3), and a bound set by
/// hand that excludes the desired capacity is reported, naming the field to change. One
/// difference: an unset `max_size` is one above the desired capacity (max 5 here), room for the
/// rolling update to start a new instance before it stops an old one.
#[derive(Debug, Clone, bon::Builder)]
#[builder(on(String, into), on(_, setters(doc(default(skip)))))]
pub struct Ec2FleetProps<'a> {
    /// The VPC; instances go to its private subnets. Required.
    pub vpc: &'a Vpc,
    /// The instance type. Default: [`DEFAULT_INSTANCE_TYPE`].
    #[builder(default = DEFAULT_INSTANCE_TYPE)]
    pub instance_type: String,
    /// The AMI. Default: [`Ami::LatestAl2023`].
    #[builder(default)]
    pub ami: Ami,
    /// The key pair. Default: [`KeyPair::Create`].
    #[builder(default)]
    pub key_pair: KeyPair,
    /// The instance role. Default: a new role with `AmazonSSMManagedInstanceCore`
    /// ([`InstanceRole::default`]).
    #[builder(default)]
    pub instance_role: InstanceRole,
    /// User data (a shell script or cloud-init), base64-encoded into the launch template; at
    /// most 16 KB before encoding (`MAX_USER_DATA_BYTES`). Default: none.
    pub user_data: Option<String>,
    /// The port the application listens on (1 to 65535); the load balancer is admitted on it.
    /// Default: [`DEFAULT_APP_PORT`].
    #[builder(default = DEFAULT_APP_PORT)]
    pub app_port: u16,
    /// Minimum instances. Default: [`DEFAULT_FLEET_SIZE`], or the desired capacity when that
    /// is set and smaller.
    pub min_size: Option<u32>,
    /// Desired instances. Default: [`DEFAULT_FLEET_SIZE`], kept between `min_size` and
    /// `max_size` when those are set.
    pub desired_capacity: Option<u32>,
    /// Maximum instances. Default: the desired capacity plus one (the larger of it and
    /// `min_size`, plus one), so 4 for the default size. The group still runs
    /// `desired_capacity` instances; the one above is headroom for the rolling update
    /// ([`FleetUpdatePolicy::Rolling`]), which starts a new instance before it stops an old one
    /// and needs `min_size` to be below `max_size` to keep `min_size` in service (AWS CDK's
    /// default, the desired capacity itself, leaves none). Set equal to `min_size`, the update
    /// keeps one instance fewer in service, reported as a warning (`DRK-CAP-004`).
    pub max_size: Option<u32>,
    /// The encrypted gp3 root volume's size in GiB, 8 to 16,384. Default:
    /// [`DEFAULT_ROOT_VOLUME_GIB`].
    #[builder(default = DEFAULT_ROOT_VOLUME_GIB)]
    pub root_volume_gib: u32,
    /// What makes Auto Scaling replace an instance. Default: [`FleetHealthCheck::Ec2`].
    #[builder(default)]
    pub health_check: FleetHealthCheck,
    /// Seconds a new instance has before a failed health check counts; a rolling update also
    /// waits this long after each replaced instance (up to [`MAX_ROLLING_PAUSE_SECS`]).
    /// Default: [`DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECS`].
    #[builder(default = DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECS)]
    pub health_check_grace_period_secs: u32,
    /// How a changed launch template (a new AMI, new user data) reaches the running instances.
    /// Default: [`FleetUpdatePolicy::Rolling`].
    #[builder(default)]
    pub update_policy: FleetUpdatePolicy,
}

/// The fleet's sizes once the unset ones are filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Capacity {
    min: u32,
    desired: u32,
    max: u32,
}

impl Capacity {
    /// AWS CDK's rule (`AutoScalingGroup` in aws-cdk-lib, `aws-autoscaling/lib/auto-scaling-group.ts`:
    /// `maxCapacity ?? desiredCapacity ?? Math.max(minCapacity, 1)`), generalised to a default
    /// size other than 1: an unset minimum gives way to the desired capacity, and an unset
    /// desired capacity stays inside the bounds that are set. An unset maximum is one above the
    /// desired capacity (or the minimum, when that is larger), where the CDK's is the desired
    /// capacity itself: the rolling update needs `MinInstancesInService` (the minimum) below
    /// `MaxSize` ([`FleetUpdatePolicy::Rolling`]). Never panics, even when the set values
    /// conflict (that is reported by [`check_capacity`]).
    fn resolve(props: &Ec2FleetProps<'_>) -> Capacity {
        let d = DEFAULT_FLEET_SIZE;
        let min = props.min_size.unwrap_or_else(|| {
            let min = props.desired_capacity.map_or(d, |desired| desired.min(d));
            props.max_size.map_or(min, |max| min.min(max))
        });
        let desired = props.desired_capacity.unwrap_or_else(|| {
            let desired = d.max(min);
            props.max_size.map_or(desired, |max| desired.min(max))
        });
        let max = props
            .max_size
            .unwrap_or_else(|| desired.max(min).saturating_add(1));
        Capacity { min, desired, max }
    }
}

/// What a load balancer needs to send traffic to a fleet: its Auto Scaling group, its
/// security group and the port. Get one from [`Ec2Fleet::target`].
#[derive(Debug, Clone)]
pub struct FleetTarget {
    pub(crate) asg: CfnResource,
    pub(crate) security_group_id: Token,
    pub(crate) port: u16,
    pub(crate) health_check: FleetHealthCheck,
    pub(crate) scope: Scope,
}

impl FleetTarget {
    /// What makes Auto Scaling replace an instance of the fleet.
    pub fn health_check(&self) -> FleetHealthCheck {
        self.health_check
    }
    /// The port traffic is sent to.
    pub fn port(&self) -> u16 {
        self.port
    }
    /// The fleet's security group id.
    pub fn security_group_id(&self) -> &Token {
        &self.security_group_id
    }
}

/// A launch template (IMDSv2 required, encrypted gp3 root volume), an Auto Scaling group in
/// the VPC's private subnets and a security group with no inbound rule until a load balancer
/// is attached ([`Alb`](crate::Alb) then admits only its own security group on the app port).
#[derive(Debug, Clone)]
pub struct Ec2Fleet {
    scope: Scope,
    asg: CfnResource,
    security_group: CfnResource,
    launch_template: CfnResource,
    role: Option<CfnResource>,
    app_port: u16,
    health_check: FleetHealthCheck,
}

impl Ec2Fleet {
    /// Creates the fleet under `scope` with id `id`.
    pub fn new(scope: &Scope, id: &str, props: Ec2FleetProps<'_>) -> Ec2Fleet {
        let scope = scope.child(id);
        let capacity = Capacity::resolve(&props);
        let arch = check_props(&scope, &props, capacity);
        let image_id = image_id(&scope, &props.ami, arch);
        let key_name = key_name(&scope, id, &props.key_pair);
        let (role, profile_arn) = instance_role(&scope, &props.instance_role);
        let security_group = add_security_group(&scope, &props);
        let launch_template = add_launch_template(
            &scope,
            &props,
            LaunchParts {
                image_id,
                key_name,
                profile_arn,
                security_group: &security_group,
            },
        );
        let asg = add_asg(&scope, &props, capacity, &launch_template);
        if props.update_policy == FleetUpdatePolicy::Rolling {
            add_rolling_update(&scope, &asg, capacity, props.health_check_grace_period_secs);
        }
        // Instances boot as soon as the group exists; their user data needs the NAT routes.
        props.vpc.wait_for_internet(&asg, false);
        record_summary(&scope, &props, capacity);

        Ec2Fleet {
            scope,
            asg,
            security_group,
            launch_template,
            role,
            app_port: props.app_port,
            health_check: props.health_check,
        }
    }

    /// The fleet as a load balancer target on `port` (the app port, usually).
    pub fn target(&self, port: u16) -> FleetTarget {
        FleetTarget {
            asg: self.asg.clone(),
            security_group_id: self.security_group_id(),
            port,
            health_check: self.health_check,
            scope: self.scope.clone(),
        }
    }
    /// The fleet as a load balancer target on its app port.
    pub fn app_target(&self) -> FleetTarget {
        self.target(self.app_port)
    }
    /// The construct's scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The Auto Scaling group.
    pub fn asg(&self) -> &CfnResource {
        &self.asg
    }
    /// The Auto Scaling group's name.
    pub fn asg_name(&self) -> Token {
        self.asg.ref_()
    }
    /// The security group id (grant the fleet access to a database with it).
    pub fn security_group_id(&self) -> Token {
        self.security_group.get_att("GroupId")
    }
    /// The launch template.
    pub fn launch_template(&self) -> &CfnResource {
        &self.launch_template
    }
    /// The instance role's ARN, when the fleet created one.
    pub fn role_arn(&self) -> Option<Token> {
        self.role.as_ref().map(|r| r.get_att("Arn"))
    }
}

/// Reports invalid settings before anything is built, and returns the instance type's
/// architecture (x86_64 when the type is unknown), which picks the default AMI. Each slip is
/// reported once, on the fleet, naming the prop to change.
fn check_props(scope: &Scope, props: &Ec2FleetProps<'_>, capacity: Capacity) -> Arch {
    let itype = validate::check_instance_type(scope, "instance_type", &props.instance_type);
    check_ami(scope, &props.ami);
    check_key_pair(scope, &props.key_pair);
    check_instance_role(scope, &props.instance_role);
    check_user_data(scope, props.user_data.as_deref());
    // A TCP port is 1 to 65535 ("Security group rules",
    // <https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html>); a u16 has
    // only 0 to rule out.
    if props.app_port == 0 {
        scope.prop_error(
            "app_port",
            codes::EC2_007,
            "app_port 0 is not a TCP port: the load balancer's security group rule and target group need 1 to 65535",
            format!("set app_port to the port the app listens on (default {DEFAULT_APP_PORT})"),
        );
    }
    check_capacity(scope, capacity);
    // gp3: 1 to 16,384 GiB ("Amazon EBS volume types",
    // <https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html>), and not
    // smaller than the AMI's 8 GiB snapshot (see `DEFAULT_ROOT_VOLUME_GIB`).
    if props.root_volume_gib < 8 || props.root_volume_gib > 16_384 {
        scope.prop_error(
            "root_volume_gib",
            codes::EC2_002,
            format!(
                "root_volume_gib {} is outside 8 .. 16384",
                props.root_volume_gib
            ),
            "set root_volume_gib between 8 (the Amazon Linux 2023 AMI's size) and 16384 (the most a gp3 volume holds)",
        );
    }
    // `HealthCheckGracePeriod` is an Integer of the Auto Scaling API, 32-bit signed
    // (`CreateAutoScalingGroup`,
    // <https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html>);
    // AWS documents no other range (0 turns the grace period off).
    if i32::try_from(props.health_check_grace_period_secs).is_err() {
        scope.prop_error(
            "health_check_grace_period_secs",
            codes::EC2_008,
            format!(
                "health_check_grace_period_secs {} is above 2147483647, the most the Auto Scaling API takes",
                props.health_check_grace_period_secs
            ),
            format!(
                "set it to the seconds an instance needs to boot and start the app (default {DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECS})"
            ),
        );
    }
    itype.map(|t| t.arch).unwrap_or(Arch::X86_64)
}

/// Reports sizes set by hand that exclude each other (an unset size never conflicts:
/// [`Capacity::resolve`] fits it to the others). The prop named is the one that conflicts with
/// both others when there is one (a `max_size` below both `min_size` and `desired_capacity`,
/// a `min_size` above both), else `min_size` for a minimum above the maximum and
/// `desired_capacity` for a desired capacity outside them; the hint names both ways out.
fn check_capacity(scope: &Scope, cap: Capacity) {
    let Capacity { min, desired, max } = cap;
    if min > max {
        let prop = if desired >= min {
            "max_size"
        } else {
            "min_size"
        };
        scope.prop_error(
            prop,
            codes::CAP_001,
            format!("min_size {min} is greater than max_size {max}"),
            format!("lower min_size to at most {max}, or raise max_size to at least {min}"),
        );
    } else if desired > max {
        scope.prop_error(
            "desired_capacity",
            codes::CAP_002,
            format!("desired_capacity {desired} is above max_size {max}"),
            format!("raise max_size to at least {desired}, or lower desired_capacity to {max}"),
        );
    } else if desired < min {
        scope.prop_error(
            "desired_capacity",
            codes::CAP_002,
            format!("desired_capacity {desired} is below min_size {min}"),
            format!("lower min_size to at most {desired}, or raise desired_capacity to {min}"),
        );
    }
}

/// Checks an AMI id or SSM parameter name given in `ami`.
fn check_ami(scope: &Scope, ami: &Ami) {
    match ami {
        Ami::LatestAl2023 => {}
        Ami::Id(id) => {
            if let Some(why) = ami_id_problem(id) {
                scope.prop_error(
                    "ami",
                    codes::EC2_003,
                    format!("AMI id `{id}` {why}; an AMI id is `ami-` and 8 or 17 lowercase letters and digits"),
                    match id.to_ascii_lowercase() {
                        lower if ami_id_problem(&lower).is_none() => format!("write it in lowercase: `{lower}`"),
                        _ => "copy the id from `aws ec2 describe-images` in the site's Region, or use Ami::LatestAl2023".to_string(),
                    },
                );
            }
        }
        Ami::SsmParameter(name) => {
            let region_len = scope.region().map(|r| r.code().len());
            if let Some(why) = ssm_parameter_name_problem(name, region_len) {
                scope.prop_error(
                    "ami",
                    codes::EC2_004,
                    format!("SSM parameter name `{name}` {why}"),
                    format!("give the parameter's full name, e.g. `{AL2023_X86_64_SSM}`"),
                );
            }
        }
    }
}

/// What is wrong with an AMI id, if anything: EC2 resource ids are a prefix, a hyphen and 8
/// (before 2016) or 17 lowercase letters and digits ("Resource IDs", Amazon EC2 User Guide,
/// <https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html>; "Understanding
/// parameter name requirements and constraints" gives the AMI format as
/// `ami-12345abcdeEXAMPLE`).
fn ami_id_problem(id: &str) -> Option<&'static str> {
    let Some(rest) = id.strip_prefix("ami-") else {
        return Some("does not start with `ami-`");
    };
    if rest.len() != 8 && rest.len() != 17 {
        return Some("does not have 8 or 17 characters after `ami-`");
    }
    if !rest
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Some("has characters other than lowercase letters and digits after `ami-`");
    }
    None
}

/// The longest a parameter name and the parameter ARN before it may be together
/// ("Understanding parameter name requirements and constraints", Systems Manager User Guide,
/// <https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html>;
/// `PutParameter` `Name`, <https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html>:
/// "This count of 1011 characters includes the characters in the ARN that precede the name
/// you specify", e.g. the 45 of `arn:aws:ssm:us-east-2:111122223333:parameter/`).
const SSM_NAME_WITH_ARN_MAX: usize = 1011;
/// The deepest parameter hierarchy, in levels (same page: "a maximum depth of fifteen
/// levels").
const SSM_MAX_LEVELS: usize = 15;

/// What is wrong with an SSM parameter name, if anything (same sources as
/// [`SSM_NAME_WITH_ARN_MAX`]): only `a-zA-Z0-9_.-` and `/` between levels, no spaces; a name in
/// a hierarchy starts with `/` ("`MyParameter3/L1`" is the page's example of a name that is
/// not fully qualified); at most 15 levels; at most 1011 characters counted with the ARN
/// before it, whose length depends on the Region (`region_len`, when the stack has one).
/// The rule that a name cannot start with `aws` or `ssm` is for names one creates; the public
/// parameters drkit reads live under `/aws/service/`.
fn ssm_parameter_name_problem(name: &str, region_len: Option<usize>) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/')))
    {
        let what = match c {
            ' ' => "a space".to_string(),
            ':' if name.starts_with("arn:") => {
                return Some(
                    "is an ARN; the AMI parameter is given by its name (the part after `parameter`)"
                        .into(),
                );
            }
            c => format!("`{c}`"),
        };
        return Some(format!(
            "has {what}; a parameter name has only letters, digits and `_.-`, with `/` between levels"
        ));
    }
    if name.contains('/') && !name.starts_with('/') {
        return Some(format!(
            "has levels but does not start with `/`; write `/{name}`"
        ));
    }
    let levels = name.trim_start_matches('/').split('/').count();
    if levels > SSM_MAX_LEVELS {
        return Some(format!(
            "has {levels} levels; a parameter hierarchy has at most {SSM_MAX_LEVELS}"
        ));
    }
    if let Some(region_len) = region_len {
        // `arn:aws:ssm:` + Region + `:` + 12-digit account + `:parameter/`, then the name
        // without its leading slash.
        let arn_prefix = "arn:aws:ssm:".len() + region_len + 1 + 12 + ":parameter/".len();
        let max = SSM_NAME_WITH_ARN_MAX - arn_prefix;
        let len = name.trim_start_matches('/').len();
        if len > max {
            return Some(format!(
                "is {len} characters long; with its ARN a parameter name is at most {SSM_NAME_WITH_ARN_MAX} characters, {max} for the name in this Region"
            ));
        }
    }
    None
}

/// Checks an imported key pair's name: "Up to 255 ASCII characters" (`CreateKeyPair` and
/// `ImportKeyPair` `KeyName`,
/// <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ImportKeyPair.html>, also the
/// vendored `AWS::EC2::KeyPair` schema). An empty name names no key pair.
fn check_key_pair(scope: &Scope, key_pair: &KeyPair) {
    let KeyPair::Import(name) = key_pair else {
        return;
    };
    let why = if name.is_empty() {
        "is empty".to_string()
    } else if !name.is_ascii() {
        "has characters that are not ASCII".to_string()
    } else if name.len() > 255 {
        format!("is {} characters long", name.len())
    } else {
        return;
    };
    scope.prop_error(
        "key_pair",
        codes::EC2_005,
        format!("key pair name `{name}` {why}; an EC2 key pair name is 1 to 255 ASCII characters"),
        "give the name of an existing key pair of the site's Region (`aws ec2 describe-key-pairs`), or use KeyPair::None",
    );
}

/// The longest IAM policy or instance profile name, and the characters of one: `[\w+=,.@-]+`,
/// 1 to 128 (`PolicyDetail` `PolicyName`,
/// <https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyDetail.html>;
/// `InstanceProfile` `InstanceProfileName`,
/// <https://docs.aws.amazon.com/IAM/latest/APIReference/API_InstanceProfile.html>).
const IAM_NAME_MAX: usize = 128;
/// The longest IAM path (`InstanceProfile` `Path`, same page: 1 to 512, `/` alone or
/// `/[\u0021-\u007E]+/`; `CreatePolicy` `Path`: "You cannot use an asterisk (*) in the path
/// name").
const IAM_PATH_MAX: usize = 512;

fn is_iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=' | ',' | '.' | '@' | '-')
}

/// What is wrong with an IAM `path/name` as it follows `policy/` or `instance-profile/` in an
/// ARN (the path without its leading slash), if anything.
fn iam_path_and_name_problem(path_and_name: &str) -> Option<String> {
    let (path, name) = path_and_name
        .rsplit_once('/')
        .map_or(("", path_and_name), |(p, n)| (p, n));
    if name.is_empty() {
        return Some("has no name after the last `/`".into());
    }
    if let Some(c) = name.chars().find(|c| !is_iam_name_char(*c)) {
        return Some(format!(
            "has `{c}` in the name `{name}`; an IAM name has only letters, digits and `+=,.@_-`"
        ));
    }
    if name.len() > IAM_NAME_MAX {
        return Some(format!(
            "has a name of {} characters; an IAM name has at most {IAM_NAME_MAX}",
            name.len()
        ));
    }
    if let Some(c) = path
        .chars()
        .find(|c| !('\u{21}'..='\u{7e}').contains(c) || *c == '*')
    {
        return Some(format!(
            "has `{c}` in its path; an IAM path is printable ASCII without `*`"
        ));
    }
    // The path with its leading and trailing slashes.
    if !path.is_empty() && path.len() + 2 > IAM_PATH_MAX {
        return Some(format!(
            "has a path of {} characters; an IAM path has at most {IAM_PATH_MAX}",
            path.len() + 2
        ));
    }
    None
}

/// Checks the instance role: an existing profile's ARN, or the managed policy names of a new
/// role (names, which drkit turns into `arn:<partition>:iam::aws:policy/NAME`).
fn check_instance_role(scope: &Scope, role: &InstanceRole) {
    match role {
        InstanceRole::ExistingProfile(arn) => check_instance_profile_arn(scope, arn),
        InstanceRole::Create { managed_policies } => {
            for policy in managed_policies {
                check_managed_policy_name(scope, policy);
            }
        }
    }
}

/// An instance profile ARN: `arn:PARTITION:iam::ACCOUNT:instance-profile/[PATH/]NAME`
/// ("IAM identifiers", IAM User Guide,
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html>: IAM ARNs
/// have no Region; the account is the 12-digit id that owns the profile).
fn check_instance_profile_arn(scope: &Scope, arn: &str) {
    const PROP: &str = "instance_role";
    const HINT: &str = "give the instance profile's ARN, e.g. arn:aws:iam::123456789012:instance-profile/NAME (`aws iam list-instance-profiles`)";
    let parsed = match dr_core::arn::parse(arn) {
        Ok(a) => a,
        Err(e) => {
            scope.prop_error(
                PROP,
                codes::ARN_001,
                format!("the existing instance profile is not given by an ARN: {e}"),
                HINT,
            );
            return;
        }
    };
    let why = if parsed.service != "iam" || parsed.resource_type() != "instance-profile" {
        let what = match (parsed.service, parsed.resource_type()) {
            ("iam", "role") => "an IAM role's ARN, not its instance profile's (instances get a role through an instance profile, often of the same name)".to_string(),
            ("iam", other) => format!("the ARN of an IAM `{other}`, not of an instance profile"),
            (service, _) => format!("an ARN of the service `{service}`, not an IAM instance profile"),
        };
        format!("`{arn}` is {what}")
    } else if !parsed.region.is_empty() {
        format!(
            "`{arn}` names the Region `{}`; IAM ARNs have none (`arn:aws:iam::ACCOUNT:instance-profile/NAME`)",
            parsed.region
        )
    } else if parsed.account.len() != 12 {
        format!("`{arn}` has no 12-digit account id")
    } else if let Some(why) = parsed.resource_id().and_then(iam_path_and_name_problem) {
        format!("`{arn}` {why}")
    } else {
        return;
    };
    scope.prop_error(PROP, codes::EC2_009, why, HINT);
}

/// A managed policy name of a new role; an ARN given as a name is a slip with its own hint.
fn check_managed_policy_name(scope: &Scope, policy: &str) {
    const PROP: &str = "instance_role";
    if policy.starts_with("arn:") {
        let name = dr_core::arn::parse(policy)
            .ok()
            .filter(|a| a.service == "iam" && a.resource_type() == "policy")
            .map(|a| (a.account, a.resource_id().unwrap_or_default()));
        let hint = match name {
            Some(("aws", name)) => format!("give the name only: `{name}`"),
            Some((_, name)) => format!(
                "`{name}` is a customer managed policy of your account; InstanceRole::Create takes AWS managed policy names only: attach it to an instance profile of your own and use InstanceRole::existing_profile"
            ),
            None => "give an AWS managed policy name, e.g. `AmazonSSMManagedInstanceCore`".into(),
        };
        scope.prop_error(
            PROP,
            codes::EC2_010,
            format!("managed policy `{policy}` is an ARN; InstanceRole::Create takes policy names and builds their ARNs"),
            hint,
        );
        return;
    }
    let problem = if policy.is_empty() {
        Some("is empty".to_string())
    } else {
        iam_path_and_name_problem(policy.trim_start_matches('/'))
    };
    if let Some(why) = problem {
        scope.prop_error(
            PROP,
            codes::EC2_010,
            format!("managed policy name `{policy}` {why}"),
            "give an AWS managed policy name, e.g. `AmazonSSMManagedInstanceCore` (see the IAM console's Policies page, type \"AWS managed\")",
        );
    }
}

/// "User data is limited to 16 KB, in raw form, before it is base64-encoded" ("Work with
/// instance user data", Amazon EC2 User Guide,
/// <https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html>).
pub const MAX_USER_DATA_BYTES: usize = 16 * 1024;

fn check_user_data(scope: &Scope, user_data: Option<&str>) {
    let Some(u) = user_data else { return };
    if u.len() > MAX_USER_DATA_BYTES {
        scope.prop_error(
            "user_data",
            codes::EC2_006,
            format!(
                "user_data is {} bytes; EC2 takes at most {MAX_USER_DATA_BYTES} (16 KB) before base64 encoding",
                u.len()
            ),
            "keep the user data a short bootstrap that downloads the rest (from S3 or a package repository)",
        );
    }
}

/// The AMI id: a literal, or an SSM-typed parameter resolved at each deploy.
fn image_id(scope: &Scope, ami: &Ami, arch: Arch) -> Expr {
    match ami {
        Ami::Id(id) => Expr::from(id.as_str()),
        Ami::LatestAl2023 | Ami::SsmParameter(_) => {
            let name = match ami {
                Ami::SsmParameter(n) => n.clone(),
                _ if arch == Arch::Arm64 => AL2023_ARM64_SSM.to_string(),
                _ => AL2023_X86_64_SSM.to_string(),
            };
            Expr::Token(
                scope.add_parameter(
                    "AmiId",
                    Parameter::of_type("AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>")
                        .with_default(name)
                        .with_description(format!(
                            "AMI of {}, resolved from SSM Parameter Store",
                            scope.path()
                        )),
                ),
            )
        }
    }
}

fn key_name(scope: &Scope, id: &str, key_pair: &KeyPair) -> Option<Val<String>> {
    match key_pair {
        KeyPair::Create => {
            // Key names are unique per Region and account: the stack name keeps the two
            // sites (and two apps) apart.
            let kp = scope.add(
                "KeyPair",
                &CfnKeyPair {
                    key_name: Some(Val::expr(Expr::sub(
                        format!("${{AWS::StackName}}-{id}"),
                        Vec::<(String, Expr)>::new(),
                    ))),
                    key_type: val("ed25519"),
                    tags: Some(name_tag(scope)),
                    ..Default::default()
                },
            );
            val(kp.ref_())
        }
        KeyPair::Import(name) => val(name.as_str()),
        KeyPair::None => None,
    }
}

/// The role created (if any) and the instance profile ARN the launch template uses.
fn instance_role(
    scope: &Scope,
    instance_role: &InstanceRole,
) -> (Option<CfnResource>, Val<String>) {
    match instance_role {
        InstanceRole::Create { managed_policies } => {
            let role = scope.add(
                "InstanceRole",
                &CfnRole {
                    assume_role_policy_document: Some(assume_role_policy("ec2.amazonaws.com")),
                    description: val(format!("Instances of {}", scope.path())),
                    managed_policy_arns: Some(
                        managed_policies.iter().map(|p| managed_policy(p)).collect(),
                    ),
                    tags: Some(name_tag(scope)),
                    ..Default::default()
                },
            );
            let profile = scope.add(
                "InstanceProfile",
                &CfnInstanceProfile {
                    roles: Some(vec![Val::from(role.ref_())]),
                    ..Default::default()
                },
            );
            (Some(role), Val::from(profile.get_att("Arn")))
        }
        InstanceRole::ExistingProfile(arn) => (None, Val::from(arn.as_str())),
    }
}

fn add_security_group(scope: &Scope, props: &Ec2FleetProps<'_>) -> CfnResource {
    scope.add(
        "SecurityGroup",
        &CfnSecurityGroup {
            group_description: val(format!("{}: admits only its load balancer", scope.path())),
            vpc_id: val(props.vpc.vpc_id()),
            tags: Some(name_tag(scope)),
            ..Default::default()
        },
    )
}

/// What the launch template refers to, built before it.
struct LaunchParts<'r> {
    image_id: Expr,
    key_name: Option<Val<String>>,
    profile_arn: Val<String>,
    security_group: &'r CfnResource,
}

fn add_launch_template(
    scope: &Scope,
    props: &Ec2FleetProps<'_>,
    parts: LaunchParts<'_>,
) -> CfnResource {
    scope.add(
        "LaunchTemplate",
        &CfnLaunchTemplate {
            launch_template_data: Some(LaunchTemplateData {
                image_id: Some(Val::expr(parts.image_id)),
                instance_type: val(props.instance_type.as_str()),
                key_name: parts.key_name,
                iam_instance_profile: Some(IamInstanceProfile {
                    arn: Some(parts.profile_arn),
                    ..Default::default()
                }),
                // IMDSv2 only; hop limit 2 so that containers on the host still reach it
                // (the AL2023 AMI's own default).
                metadata_options: Some(MetadataOptions {
                    http_endpoint: val("enabled"),
                    http_tokens: val("required"),
                    http_put_response_hop_limit: val(2),
                    ..Default::default()
                }),
                block_device_mappings: Some(vec![BlockDeviceMapping {
                    device_name: val("/dev/xvda"),
                    ebs: Some(Ebs {
                        volume_type: val("gp3"),
                        volume_size: val(props.root_volume_gib),
                        encrypted: val(true),
                        delete_on_termination: val(true),
                        ..Default::default()
                    }),
                    ..Default::default()
                }]),
                security_group_ids: Some(vec![Val::from(parts.security_group.get_att("GroupId"))]),
                user_data: props
                    .user_data
                    .as_ref()
                    .map(|u| Val::expr(Expr::base64(u.as_str()))),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
}

fn add_asg(
    scope: &Scope,
    props: &Ec2FleetProps<'_>,
    cap: Capacity,
    launch_template: &CfnResource,
) -> CfnResource {
    scope.add(
        "Asg",
        &CfnAutoScalingGroup {
            min_size: val(cap.min.to_string()),
            max_size: val(cap.max.to_string()),
            desired_capacity: val(cap.desired.to_string()),
            launch_template: Some(LaunchTemplateSpecification {
                launch_template_id: val(launch_template.ref_()),
                version: val(launch_template.get_att("LatestVersionNumber")),
                ..Default::default()
            }),
            vpc_zone_identifier: Some(
                props
                    .vpc
                    .private_subnet_ids()
                    .into_iter()
                    .map(Val::from)
                    .collect(),
            ),
            tags: Some(vec![TagProperty {
                key: val("Name"),
                value: val(scope.path()),
                propagate_at_launch: val(true),
            }]),
            // Set even when it is the default, so the template says what replaces an
            // instance; a load balancer switches it to ELB only when the fleet asks for it.
            health_check_type: val(FleetHealthCheck::Ec2.as_str()),
            health_check_grace_period: val(i64::from(props.health_check_grace_period_secs)),
            ..Default::default()
        },
    )
}

/// Gives the group its rolling update ([`FleetUpdatePolicy::Rolling`]): one instance at a time,
/// `min_size` in service, a pause of the grace period after each, the recommended processes
/// suspended. Facts from "UpdatePolicy attribute"
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html>):
/// `MinInstancesInService` "must be less than the `MaxSize` of the Auto Scaling group" (AWS
/// fails the update otherwise, with "MinInstancesInService must be less than the autoscaling
/// group's MaxSize"), so a fleet whose `max_size` equals its `min_size` keeps one fewer in
/// service, with a warning (sizes that conflict are an error of their own and get no
/// warning); `PauseTime` is ISO 8601, at most `PT1H`, and defaults to `PT0S`
/// without `WaitOnResourceSignals`, which drkit does not set. A group that may run no
/// instance (`max_size` 0) has nothing to replace and gets no policy.
fn add_rolling_update(scope: &Scope, asg: &CfnResource, cap: Capacity, grace_period_secs: u32) {
    let Capacity { min, desired, max } = cap;
    if max == 0 {
        return;
    }
    let in_service = min.min(max - 1);
    // Sizes that exclude each other are an error already (`check_capacity`); the warning is
    // for a valid fleet only.
    if min == max && desired == max {
        scope.prop_warning(
            "max_size",
            codes::CAP_004,
            format!(
                "max_size {max} equals min_size {min}: a rolling update (a new AMI or new user data) keeps only {in_service} in service, below min_size"
            ),
            format!(
                "raise max_size to {} so that a new instance starts before an old one stops, or leave max_size unset",
                min.saturating_add(1)
            ),
        );
    }
    asg.set_update_policy(json!({
        "AutoScalingRollingUpdate": {
            "MaxBatchSize": 1,
            "MinInstancesInService": in_service,
            "PauseTime": iso8601_duration(grace_period_secs.min(MAX_ROLLING_PAUSE_SECS)),
            "SuspendProcesses": ROLLING_UPDATE_SUSPENDED_PROCESSES,
        }
    }));
}

/// `secs` as an ISO 8601 duration of hours, minutes and seconds, the `PT#H#M#S` form
/// `PauseTime` takes: 300 is `PT5M`, 90 is `PT1M30S`, 0 is `PT0S`.
fn iso8601_duration(secs: u32) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{s}S"));
    }
    out
}

fn record_summary(scope: &Scope, props: &Ec2FleetProps<'_>, capacity: Capacity) {
    SummaryRow {
        asset: "EC2 instance".into(),
        purpose: "application servers (Grafana) in an Auto Scaling group, in private subnets behind the load balancer".into(),
        size: props.instance_type.clone(),
        quantity: capacity.desired.to_string(),
        dr: "the same fleet runs in both regions; DNS failover sends users to the DR region's fleet".into(),
    }
    .record(scope);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_times_are_iso_8601_durations() {
        assert_eq!(iso8601_duration(300), "PT5M");
        assert_eq!(iso8601_duration(90), "PT1M30S");
        assert_eq!(iso8601_duration(0), "PT0S");
        assert_eq!(iso8601_duration(3600), "PT1H");
        assert_eq!(iso8601_duration(3661), "PT1H1M1S");
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn ami_ids_have_8_or_17_lowercase_characters() {
        for ok in ["ami-1a2b3c4d", "ami-0abcdef1234567890"] {
            assert_eq!(ami_id_problem(ok), None, "{ok}");
        }
        for bad in [
            "ami-123",
            "AMI-1a2b3c4d",
            "ami-0ABCDEF1234567890",
            "1a2b3c4d",
            "ami-",
        ] {
            assert!(ami_id_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn ssm_names_follow_parameter_store_rules() {
        let east2 = Some("us-east-2".len());
        for ok in [AL2023_X86_64_SSM, "golden-ami", "/a/b_c.d-e"] {
            assert_eq!(ssm_parameter_name_problem(ok, east2), None, "{ok}");
        }
        for bad in [
            "",
            "a b",
            "a/b",
            "arn:aws:ssm:us-east-2:123456789012:parameter/a",
        ] {
            assert!(ssm_parameter_name_problem(bad, east2).is_some(), "{bad}");
        }
        // 15 levels are fine, 16 are not.
        let fifteen = format!("{}/p", "/l".repeat(14));
        assert_eq!(ssm_parameter_name_problem(&fifteen, east2), None);
        let sixteen = format!("{}/p", "/l".repeat(15));
        assert!(ssm_parameter_name_problem(&sixteen, east2).is_some());
        // 1011 with the 45 characters of `arn:aws:ssm:us-east-2:111122223333:parameter/`.
        let max = format!("/{}", "a".repeat(1011 - 45));
        assert_eq!(ssm_parameter_name_problem(&max, east2), None);
        let over = format!("/{}", "a".repeat(1011 - 44));
        assert!(ssm_parameter_name_problem(&over, east2).is_some());
        assert_eq!(ssm_parameter_name_problem(&over, None), None);
    }

    #[test]
    fn iam_paths_and_names() {
        for ok in [
            "AmazonSSMManagedInstanceCore",
            "service-role/AmazonEC2RoleforSSM",
            "a+=,.@_-",
        ] {
            assert_eq!(iam_path_and_name_problem(ok), None, "{ok}");
        }
        for bad in ["a b", "path/", "p*/name", &"n".repeat(129)] {
            assert!(iam_path_and_name_problem(bad).is_some(), "{bad}");
        }
    }
}
