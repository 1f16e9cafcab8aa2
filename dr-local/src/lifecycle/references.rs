//! What CloudFormation and the services refuse because a property is missing or names
//! something the account does not have: the schema's required properties, an Auto Scaling
//! group with no launch source, an Application Load Balancer without two Availability Zones,
//! and references to VPCs, subnets, security groups, key pairs and hosted zones that do not
//! exist. Each refusal fails the resource at its create or update, with the message as
//! CloudFormation reports it.
//!
//! What exists is what the account has ([`Known`]): the resources of the live stacks (this
//! deploy's as it schedules them, earlier deploys' in every Region for what is global) and what
//! a test seeded (`LocalCloud::create_hosted_zone`, `create_key_pair`, `create_bucket`). The
//! simulator has no default VPC: an account's default VPC has ids the simulator cannot know,
//! and CloudFormation templates that rely on it (a security group without `VpcId`) are not
//! refused, so modelling it would only let literal ids of it pass.

use std::cell::LazyCell;
use std::collections::{BTreeMap, BTreeSet};

use dr_core::Region;
use dr_core::resource_facts;
use serde_json::Value;

use super::deploy::Deploy;
use super::resources::Built;
use crate::changeset::Action;
use crate::clock::SimTime;
use crate::eval::{AccountObject, ResourceDecl, scalar_string};
use crate::ids;
use crate::services::elbv2;
use crate::state::{StackResource, World};

/// What the account has that a reference can name.
#[derive(Debug, Default)]
pub(crate) struct Known {
    /// VPC ids of the Region.
    vpcs: BTreeSet<String>,
    /// Subnet ids of the Region, with their Availability Zone when known.
    subnets: BTreeMap<String, Option<String>>,
    /// Security group ids of the Region (a VPC's default group included).
    security_groups: BTreeSet<String>,
    /// Key pair names of the Region.
    key_pairs: BTreeSet<String>,
    /// Hosted zones (global): id → domain name, lower case, without the trailing dot.
    zones: BTreeMap<String, String>,
    /// Launch templates of the Region, by id and by name → their `LaunchTemplateData`.
    launch_templates: BTreeMap<String, Value>,
}

/// A domain name as Route 53 compares it: case-insensitive, the trailing dot optional.
fn domain(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The resources of the live (not deleted) stacks, with their Region.
fn live_resources(world: &World) -> impl Iterator<Item = (Region, &StackResource)> {
    world.regions.iter().flat_map(|(r, rs)| {
        rs.stacks
            .iter()
            .filter(|s| s.deleted.is_none())
            .flat_map(move |s| s.resources.values().map(move |res| (*r, res)))
    })
}

impl Known {
    /// What the account has in `region` (and globally): the live stacks' resources, `mine` (the
    /// resources a deploy has made so far) and the seeds.
    pub(crate) fn of<'a>(
        world: &World,
        region: Region,
        mine: impl Iterator<Item = &'a StackResource>,
    ) -> Known {
        let mut k = Known::default();
        for (r, res) in live_resources(world) {
            k.add(r == region, res);
        }
        for res in mine {
            k.add(true, res);
        }
        k.zones.extend(
            world
                .seeded
                .hosted_zones
                .iter()
                .map(|(id, name)| (id.clone(), domain(name))),
        );
        if let Some(keys) = world.seeded.key_pairs.get(&region) {
            k.key_pairs.extend(keys.iter().cloned());
        }
        k
    }

    fn add(&mut self, same_region: bool, r: &StackResource) {
        let attr = |a: &str| {
            r.attributes
                .get(a)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let prop = |p: &str| r.properties.get(p).and_then(scalar_string);
        // Route 53 is global; the rest lives in its Region.
        if r.type_name == "AWS::Route53::HostedZone" {
            self.zones.insert(
                r.physical_id.clone(),
                domain(&prop("Name").unwrap_or_default()),
            );
        }
        if !same_region {
            return;
        }
        match r.type_name.as_str() {
            "AWS::EC2::VPC" => {
                self.vpcs.insert(r.physical_id.clone());
                // Every VPC comes with a default security group.
                self.security_groups.extend(attr("DefaultSecurityGroup"));
            }
            "AWS::EC2::Subnet" => {
                self.subnets
                    .insert(r.physical_id.clone(), attr("AvailabilityZone"));
            }
            "AWS::EC2::SecurityGroup" => {
                self.security_groups.insert(r.physical_id.clone());
                self.security_groups.extend(attr("GroupId"));
            }
            "AWS::EC2::KeyPair" => {
                self.key_pairs.insert(r.physical_id.clone());
            }
            "AWS::EC2::LaunchTemplate" => {
                let data = r
                    .properties
                    .get("LaunchTemplateData")
                    .cloned()
                    .unwrap_or(Value::Null);
                if let Some(name) = prop("LaunchTemplateName") {
                    self.launch_templates.insert(name, data.clone());
                }
                self.launch_templates.insert(r.physical_id.clone(), data);
            }
            _ => {}
        }
    }

    /// Whether the account has `id` of kind `what` (for AWS-specific parameter types).
    pub(crate) fn has(&self, what: AccountObject, id: &str) -> bool {
        match what {
            AccountObject::KeyPair => self.key_pairs.contains(id),
            AccountObject::Vpc => self.vpcs.contains(id),
            AccountObject::Subnet => self.subnets.contains_key(id),
            AccountObject::SecurityGroup => self.security_groups.contains(id),
            AccountObject::HostedZone => self.zones.contains_key(id),
        }
    }

    /// Whether a hosted zone for domain `name` exists.
    fn has_zone_named(&self, name: &str) -> bool {
        let name = domain(name);
        self.zones.values().any(|z| *z == name)
    }
}

/// The Region of bucket `name`, if the account has it: a seeded bucket, or an
/// `AWS::S3::Bucket` of a live stack (bucket names are one namespace across Regions).
pub(crate) fn bucket_region(world: &World, name: &str) -> Option<Region> {
    world.seeded.buckets.get(name).copied().or_else(|| {
        live_resources(world)
            .find(|(_, r)| r.type_name == "AWS::S3::Bucket" && r.physical_id == name)
            .map(|(region, _)| region)
            .or_else(|| {
                // A bucket a stack operation left outside any stack (kept by a `Retain`
                // policy or `RetainResources`) still exists.
                world.regions.iter().find_map(|(region, rs)| {
                    rs.retained
                        .iter()
                        .any(|r| r.type_name == "AWS::S3::Bucket" && r.physical_id == name)
                        .then_some(*region)
                })
            })
    })
}

/// How CloudFormation words a resource's failure around a service's message.
enum Wrap {
    /// The message itself.
    Bare,
    /// A registry resource handler's `InvalidRequest`, as in the report of an Auto Scaling
    /// group whose launch template names a missing key pair: `Resource handler returned
    /// message: "You must use a valid fully-formed launch template. The key pair '…' does not
    /// exist (Service: AutoScaling, Status Code: 400, Request ID: …)" (RequestToken: …,
    /// HandlerErrorCode: InvalidRequest)`, and of an EC2 instance with a subnet that does not
    /// exist (`… does not exist (Service: Ec2, Status Code: 400, …)`).
    Handler(&'static str),
    /// A type CloudFormation still creates with the AWS SDK for Java v1, as in
    /// `At least two subnets in two different Availability Zones must be specified (Service:
    /// AmazonElasticLoadBalancing; Status Code: 400; Error Code: ValidationError; Request ID:
    /// …; Proxy: null)` (aws/copilot-cli#4918) and `The vpc ID '…' does not exist (Service:
    /// AmazonEC2; Status Code: 400; Error Code: InvalidVpcID.NotFound; Request ID: …; Proxy:
    /// null)` on an `AWS::EC2::SecurityGroup`.
    Sdk(&'static str, &'static str),
}

/// EC2's message for a subnet id that does not exist (`InvalidSubnetID.NotFound`, as EKS's
/// `CreateCluster` passes it on: "The subnet ID 'subnet-…' does not exist (Service: AmazonEC2;
/// Status Code: 400; Error Code: InvalidSubnetID.NotFound; …; Proxy: null)").
fn subnet_not_found(id: &str) -> String {
    format!("The subnet ID '{id}' does not exist")
}

/// EC2's message for a security group id that does not exist (`InvalidGroup.NotFound`, as an
/// `AWS::EC2::Instance` update reported it: "The security group 'sg-…' does not exist
/// (Service: AmazonEC2; Status Code: 400; Error Code: InvalidGroup.NotFound; …)").
fn group_not_found(id: &str) -> String {
    format!("The security group '{id}' does not exist")
}

/// EC2's message for a VPC id that does not exist (`InvalidVpcID.NotFound`, as an
/// `AWS::EC2::SecurityGroup` reported it: "The vpc ID 'vpc-…' does not exist (Service:
/// AmazonEC2; …)").
fn vpc_not_found(id: &str) -> String {
    format!("The vpc ID '{id}' does not exist")
}

/// The strings of a list property (a single string counts as a one-element list).
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(scalar_string).collect(),
        Some(v) => scalar_string(v).into_iter().collect(),
        None => vec![],
    }
}

impl Deploy<'_> {
    /// Why resource `id` (of `decl`, with evaluated properties `props`, starting at `start`)
    /// fails because a required property is missing or a reference names something the
    /// account does not have, with CloudFormation's status reason.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn reference_refusal(
        &self,
        world: &World,
        id: &str,
        decl: &ResourceDecl,
        action: Action,
        props: &Value,
        start: SimTime,
        built: &Built,
    ) -> Option<String> {
        if action == Action::Keep {
            return None;
        }
        if let Some(reason) = missing_required(id, &decl.type_name, props) {
            return Some(reason);
        }
        let create = action != Action::Modify;
        let mine = built
            .items
            .values()
            .filter(|i| i.fail.is_none())
            .filter_map(|i| i.resource.as_ref());
        let known = LazyCell::new(|| Known::of(world, self.region, mine));
        let seed = format!("{}/{id}/{start}", self.stack.id);
        let request = ids::uuid(&format!("request/{seed}"));
        let (wrap, message) = match refusal(&decl.type_name, props, create, &known, &request) {
            Some(refused) => refused,
            None => self.access_log_refusal(world, id, decl, action, props, start, built)?,
        };
        Some(match wrap {
            Wrap::Bare => message,
            Wrap::Handler(service) => format!(
                "Resource handler returned message: \"{message} (Service: {service}, Status Code: 400, Request ID: {request})\" (RequestToken: {}, HandlerErrorCode: InvalidRequest)",
                ids::uuid(&format!("token/{seed}"))
            ),
            Wrap::Sdk(service, code) => format!(
                "{message} (Service: {service}; Status Code: 400; Error Code: {code}; Request ID: {request}; Proxy: null)"
            ),
        })
    }
}

impl Deploy<'_> {
    /// ELB's refusal of the access-log attributes of load balancer `id` (of `decl`, with
    /// evaluated properties `props`, starting at `start`): at its creation, and at an update
    /// that changes its `LoadBalancerAttributes` (CloudFormation then calls
    /// `ModifyLoadBalancerAttributes`), over the attributes ELB has. The bucket and its policy
    /// are what exists when the load balancer starts: this deploy's resources done by then,
    /// and the other live stacks' (`services::elbv2::access_log_refusal` has the rule and its
    /// sources). The message is wrapped as a registry handler's, as a `CREATE_FAILED` event
    /// reported it: `Resource handler returned message: "Access Denied for bucket: … Please
    /// check S3bucket permission (Service: ElasticLoadBalancingV2, Status Code: 400, …)"`.
    #[allow(clippy::too_many_arguments)]
    fn access_log_refusal(
        &self,
        world: &World,
        id: &str,
        decl: &ResourceDecl,
        action: Action,
        props: &Value,
        start: SimTime,
        built: &Built,
    ) -> Option<(Wrap, String)> {
        if decl.type_name != "AWS::ElasticLoadBalancingV2::LoadBalancer" {
            return None;
        }
        let pairs = elbv2::template_attributes(props);
        let attributes = match (action, self.stack.resources.get(id)) {
            (Action::Modify, Some(old)) => {
                let before = elbv2::template_attributes(&old.properties);
                if before == pairs {
                    return None;
                }
                let mut current = world
                    .regions
                    .get(&self.region)
                    .and_then(|rs| rs.load_balancers.get(&old.physical_id))
                    .map(|lb| lb.attributes.clone())
                    .unwrap_or_else(|| elbv2::initial_attributes(&before));
                current.extend(pairs);
                current
            }
            _ => elbv2::initial_attributes(&pairs),
        };
        let mine = built
            .items
            .values()
            .filter(|i| i.fail.is_none() && i.end <= start)
            .filter_map(|i| i.resource.as_ref())
            .map(|r| (self.region, r));
        let others = world.regions.iter().flat_map(|(region, rs)| {
            rs.stacks
                .iter()
                .filter(move |s| {
                    s.deleted.is_none() && !(*region == self.region && s.name == self.stack.name)
                })
                .flat_map(move |s| s.resources.values().map(move |r| (*region, r)))
        });
        let resources = mine.chain(others);
        let message = elbv2::access_log_refusal(&attributes, self.region, &self.account, |name| {
            elbv2::log_bucket(name, resources, &world.seeded.buckets)
        })?;
        Some((Wrap::Handler("ElasticLoadBalancingV2"), message))
    }
}

/// CloudFormation validates a resource's properties against its type's schema before the
/// handler runs, and fails the resource (`CREATE_FAILED`/`UPDATE_FAILED`, the stack rolls
/// back) for each required property left out: "Properties validation failed for resource
/// PatchBaseLineWindows2019 with message: #: required key [Name] not found"
/// (aws-cloudformation/iac-model-evaluation#29; the same for a legacy type such as
/// `AWS::EC2::SecurityGroup`, whose schema errors read the same way in
/// ACloudGuru-Resources/course-aws-sysops-administrator-associate#3). Several missing keys are
/// listed one per line after "message:" (org-formation/aws-resource-providers#105: "with
/// message:\n#: required key [TestCode] not found\n#: required key [Title] not found").
fn missing_required(id: &str, type_name: &str, props: &Value) -> Option<String> {
    let facts = resource_facts::resource_type(type_name)?;
    let missing: Vec<String> = facts
        .required
        .iter()
        .filter(|k| props.get(**k).is_none_or(Value::is_null))
        .map(|k| format!("#: required key [{k}] not found"))
        .collect();
    match missing.as_slice() {
        [] => None,
        [one] => Some(format!(
            "Properties validation failed for resource {id} with message: {one}"
        )),
        many => Some(format!(
            "Properties validation failed for resource {id} with message:\n{}",
            many.join("\n")
        )),
    }
}

/// The service's refusal of a resource of `type_name` with `props` (`create`: a creation or
/// replacement, else an in-place update), given what the account has. `known` is built only
/// for a type that refers to something, since building it reads every stack of the account.
fn refusal(
    type_name: &str,
    props: &Value,
    create: bool,
    known: &LazyCell<Known, impl FnOnce() -> Known>,
    request: &str,
) -> Option<(Wrap, String)> {
    match type_name {
        "AWS::AutoScaling::AutoScalingGroup" => auto_scaling_group(props, create, known),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" if create => load_balancer(props, known),
        // `CreateSecurityGroup` with a `VpcId` that does not exist.
        "AWS::EC2::SecurityGroup" if create => {
            let vpc = props.get("VpcId").and_then(scalar_string)?;
            (!known.has(AccountObject::Vpc, &vpc)).then(|| {
                (
                    Wrap::Sdk("AmazonEC2", "InvalidVpcID.NotFound"),
                    vpc_not_found(&vpc),
                )
            })
        }
        // `CreateSubnet` with a `VpcId` that does not exist; `AWS::EC2::Subnet` is a registry
        // type (its handler's errors read `(Service: Ec2, Status Code: 400, …)`).
        "AWS::EC2::Subnet" if create => {
            let vpc = props.get("VpcId").and_then(scalar_string)?;
            (!known.has(AccountObject::Vpc, &vpc))
                .then(|| (Wrap::Handler("Ec2"), vpc_not_found(&vpc)))
        }
        "AWS::Route53::RecordSet" => record_set(props, known),
        // EKS's `CreateCluster` checks the subnets and security groups with EC2 and returns
        // EC2's error as its `InvalidParameterException` message (as quoted above).
        "AWS::EKS::Cluster" if create => {
            let vpc = props.get("ResourcesVpcConfig")?;
            let subnets = strings(vpc.get("SubnetIds"));
            let groups = strings(vpc.get("SecurityGroupIds"));
            let message = if let Some(s) = subnets
                .iter()
                .find(|s| !known.has(AccountObject::Subnet, s))
            {
                format!(
                    "{} (Service: AmazonEC2; Status Code: 400; Error Code: InvalidSubnetID.NotFound; Request ID: {request}; Proxy: null)",
                    subnet_not_found(s)
                )
            } else {
                let g = groups
                    .iter()
                    .find(|g| !known.has(AccountObject::SecurityGroup, g))?;
                format!(
                    "{} (Service: AmazonEC2; Status Code: 400; Error Code: InvalidGroup.NotFound; Request ID: {request}; Proxy: null)",
                    group_not_found(g)
                )
            };
            Some((Wrap::Handler("Eks"), message))
        }
        _ => None,
    }
}

/// Auto Scaling's `CreateAutoScalingGroup` needs a launch source ("Valid requests must contain
/// either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy
/// parameter.", `ValidationError`, word for word as LocalStack's and moto's tests of
/// `CreateAutoScalingGroup` without one expect it; not in the API reference);
/// and a group launching from a launch template checks the template's key pair and security
/// groups, which EC2 does not check when the template is created ("Restrictions for Amazon EC2
/// launch templates", <https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/launch-template-restrictions.html>:
/// "Launch template parameters are not fully validated when you create the launch
/// template"): "You must use a valid fully-formed launch template. The key pair '…' does not
/// exist" (a group's `CREATE_FAILED` reason quoted in [`Wrap::Handler`]). The security group
/// sentence is EC2's, after the same prefix (the prefix is confirmed for key pairs, instance
/// types and default subnets).
fn auto_scaling_group(props: &Value, create: bool, known: &Known) -> Option<(Wrap, String)> {
    let sources = [
        "LaunchTemplate",
        "LaunchConfigurationName",
        "InstanceId",
        "MixedInstancesPolicy",
    ];
    if create && !sources.iter().any(|s| props.get(*s).is_some()) {
        return Some((
            Wrap::Handler("AutoScaling"),
            "Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.".into(),
        ));
    }
    let spec = props.get("LaunchTemplate").or_else(|| {
        props.pointer("/MixedInstancesPolicy/LaunchTemplate/LaunchTemplateSpecification")
    })?;
    let template = spec
        .get("LaunchTemplateId")
        .or_else(|| spec.get("LaunchTemplateName"))
        .and_then(scalar_string)?;
    // A launch template the simulator does not know is not checked (it cannot tell).
    let data = known.launch_templates.get(&template)?;
    const PREFIX: &str = "You must use a valid fully-formed launch template.";
    if let Some(key) = data.get("KeyName").and_then(scalar_string)
        && !known.has(AccountObject::KeyPair, &key)
    {
        return Some((
            Wrap::Handler("AutoScaling"),
            format!("{PREFIX} The key pair '{key}' does not exist"),
        ));
    }
    let mut groups = strings(data.get("SecurityGroupIds"));
    if let Some(Value::Array(nics)) = data.get("NetworkInterfaces") {
        groups.extend(nics.iter().flat_map(|n| strings(n.get("Groups"))));
    }
    let missing = groups
        .iter()
        .find(|g| !known.has(AccountObject::SecurityGroup, g))?;
    Some((
        Wrap::Handler("AutoScaling"),
        format!("{PREFIX} {}", group_not_found(missing)),
    ))
}

/// ELBv2's `CreateLoadBalancer` for an Application Load Balancer (the default `Type`) needs
/// subnets in at least two Availability Zones ("At least two subnets in two different
/// Availability Zones must be specified", `ValidationError`, aws/copilot-cli#4918,
/// aws-samples/aws-cdk-examples#226; "Subnets": "[Application Load Balancers] You must
/// specify subnets from at least two Availability Zones",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html>).
/// A subnet the simulator does not know counts as its own zone (it cannot tell).
fn load_balancer(props: &Value, known: &Known) -> Option<(Wrap, String)> {
    let kind = props.get("Type").and_then(scalar_string);
    if kind.as_deref().is_some_and(|t| t != "application") {
        return None;
    }
    let mut subnets = strings(props.get("Subnets"));
    if let Some(Value::Array(m)) = props.get("SubnetMappings") {
        subnets.extend(
            m.iter()
                .filter_map(|m| m.get("SubnetId").and_then(scalar_string)),
        );
    }
    let zones: BTreeSet<String> = subnets
        .iter()
        .map(|s| match known.subnets.get(s) {
            Some(Some(az)) => az.clone(),
            _ => s.clone(),
        })
        .collect();
    (zones.len() < 2).then(|| {
        (
            Wrap::Sdk("AmazonElasticLoadBalancing", "ValidationError"),
            "At least two subnets in two different Availability Zones must be specified".into(),
        )
    })
}

/// A record in a hosted zone the account does not have. CloudFormation reports Route 53's
/// `NoSuchHostedZone` message for `HostedZoneId` ("No hosted zone found with ID: DUMMY", the
/// failure aws-cdk's context providers are documented to avoid) and its own lookup's for
/// `HostedZoneName` ("No hosted zones named studynodejs.com found", a `CREATE_FAILED` event of
/// an `AWS::Route53::RecordSet` quoted in public code).
fn record_set(props: &Value, known: &Known) -> Option<(Wrap, String)> {
    if let Some(zone) = props.get("HostedZoneId").and_then(scalar_string) {
        return (!known.has(AccountObject::HostedZone, &zone))
            .then(|| (Wrap::Bare, format!("No hosted zone found with ID: {zone}")));
    }
    let name = props.get("HostedZoneName").and_then(scalar_string)?;
    (!known.has_zone_named(&name))
        .then(|| (Wrap::Bare, format!("No hosted zones named {name} found")))
}
