//! What resource providers refuse beyond their schemas (`dr_core::provider_rules`, the table
//! synthesis checks too), enforced when the deploy creates or updates a resource, with the
//! provider's message as CloudFormation reports it; and the signals a `CreationPolicy` waits
//! for, which nothing sends on the simulator.

use dr_core::Region;
use dr_core::provider_rules::{self, Stage, Subject, Surroundings};
use serde_json::{Value, json};

use super::deploy::Deploy;
use super::resources::{Built, Failure, iso8601_seconds};
use crate::changeset::Action;
use crate::clock::SimTime;
use crate::eval::{ResourceDecl, scalar_string};
use crate::ids;
use crate::state::World;

/// What a resource sees while the deploy runs: the resources this deploy has scheduled so far
/// (dependencies first, and the kept ones), then the other live stacks of the Region.
struct Live<'a> {
    world: &'a World,
    region: Region,
    stack_name: &'a str,
    built: &'a Built,
    /// When the resource under check starts.
    start: SimTime,
}

/// Whether a resource with `physical` id and `attributes` is what `reference` names: by its
/// `Ref` (`by_id`), else by one of its attributes, such as a target group's ARN. Ids are
/// matched first, since a subnet's `VpcId` attribute names its VPC too.
fn names(
    reference: &str,
    by_id: bool,
    physical: &str,
    attributes: &std::collections::BTreeMap<String, Value>,
) -> bool {
    if by_id {
        physical == reference
    } else {
        attributes.values().any(|v| v.as_str() == Some(reference))
    }
}

impl Live<'_> {
    /// The resources of the Region's other live stacks, as (type, properties).
    fn others(&self) -> impl Iterator<Item = &crate::state::StackResource> {
        self.world
            .regions
            .get(&self.region)
            .into_iter()
            .flat_map(|rs| rs.stacks.iter())
            .filter(|s| s.deleted.is_none() && s.name != self.stack_name)
            .flat_map(|s| s.resources.values())
    }
}

impl Surroundings for Live<'_> {
    fn resource(&self, reference: &Value) -> Option<Value> {
        let reference = reference.as_str()?;
        let find = |by_id: bool| {
            self.built
                .items
                .values()
                .filter_map(|i| i.resource.as_ref())
                .find(|r| names(reference, by_id, &r.physical_id, &r.attributes))
                .or_else(|| {
                    self.others()
                        .find(|r| names(reference, by_id, &r.physical_id, &r.attributes))
                })
        };
        let r = find(true).or_else(|| find(false))?;
        Some(json!({"Type": r.type_name, "Properties": r.properties}))
    }

    /// Attached when an `AWS::EC2::VPCGatewayAttachment` of the VPC completed before the
    /// resource starts (this deploy's, from the schedule, or a live stack's); not attached when
    /// the VPC is one the simulator knows and none did; unknown for a VPC it does not know.
    fn internet_gateway_attached(&self, vpc: &Value) -> Option<bool> {
        let vpc = vpc.as_str()?;
        let attaches = |r: &crate::state::StackResource| {
            r.type_name == "AWS::EC2::VPCGatewayAttachment"
                && r.properties.get("VpcId").and_then(Value::as_str) == Some(vpc)
                && r.properties.get("InternetGatewayId").is_some()
        };
        let mine = self.built.items.values().any(|i| {
            i.fail.is_none() && i.end <= self.start && i.resource.as_ref().is_some_and(attaches)
        });
        if mine || self.others().any(attaches) {
            return Some(true);
        }
        let known = self
            .resource(&Value::String(vpc.to_string()))
            .is_some_and(|r| r["Type"] == "AWS::EC2::VPC");
        known.then_some(false)
    }
}

impl Deploy<'_> {
    /// Why the provider refuses resource `id` (of `decl`, with evaluated properties `props`,
    /// starting at `start`), by the first rule of `dr_core::provider_rules` it breaks at this
    /// stage: a creation or replacement is checked against the rules of creates, an in-place
    /// update against those of updates. The reason is CloudFormation's wording around the
    /// provider's message, with a request id and token derived from the stack and resource
    /// (AWS's are random).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn provider_rule_refusal(
        &self,
        world: &World,
        id: &str,
        decl: &ResourceDecl,
        action: Action,
        props: &Value,
        start: SimTime,
        built: &Built,
    ) -> Option<String> {
        let create = matches!(action, Action::Add | Action::Replace | Action::MaybeReplace);
        let mut resource = json!({"Type": decl.type_name, "Properties": props});
        if let Some(p) = &decl.deletion_policy {
            resource["DeletionPolicy"] = json!(p);
        }
        if let Some(p) = &decl.update_policy {
            resource["UpdatePolicy"] = p.clone();
        }
        let live = Live {
            world,
            region: self.region,
            stack_name: &self.stack.name,
            built,
            start,
        };
        let subject = Subject {
            resource: &resource,
            region: Some(self.region.code()),
            surroundings: &live,
        };
        let breach = provider_rules::breaches(&subject, |r| {
            r.in_simulator
                && match r.stage {
                    Stage::Create => create,
                    Stage::Update => !create,
                    Stage::CreateOrUpdate => true,
                }
        })
        .into_iter()
        .next()?;
        let seed = format!("{}/{id}/{start}", self.stack.id);
        Some(breach.rule.status_reason(
            &breach.message,
            &ids::uuid(&format!("request/{seed}")),
            &ids::uuid(&format!("token/{seed}")),
        ))
    }

    /// The signals a creation waits for: `CreationPolicy.ResourceSignal` `Count` (default 1)
    /// within `Timeout` (default `PT5M`) ("CreationPolicy attribute",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-creationpolicy.html>:
    /// "If the resource receives a failure signal or doesn't receive the specified number of
    /// signals before the timeout period expires, the resource creation fails"). `None` when
    /// the creation waits for none; a timeout that is not an ISO 8601 duration waits the
    /// default.
    fn awaited_signals(decl: &ResourceDecl, action: Action) -> Option<(u64, u64)> {
        if !matches!(action, Action::Add | Action::Replace | Action::MaybeReplace) {
            return None;
        }
        let signal = decl.creation_policy.as_ref()?.get("ResourceSignal")?;
        let count = match signal.get("Count") {
            None => 1,
            Some(c) => scalar_string(c)?.trim().parse().ok()?,
        };
        let timeout = signal
            .get("Timeout")
            .and_then(scalar_string)
            .and_then(|t| iso8601_seconds(&t))
            .map_or(DEFAULT_SIGNAL_TIMEOUT_SECS, |s| s.ceil() as u64);
        (count > 0).then_some((count, timeout))
    }

    /// When a resource waiting for signals is done: never before its signal timeout, since no
    /// signal comes.
    pub(super) fn signal_wait_end(
        decl: &ResourceDecl,
        action: Action,
        start: SimTime,
        end: SimTime,
    ) -> SimTime {
        match Self::awaited_signals(decl, action) {
            Some((_, timeout)) => end.max(start.plus_secs(timeout)),
            None => end,
        }
    }

    /// The failure of a creation whose signals never come: at its timeout, with
    /// CloudFormation's reason "Failed to receive N resource signal(s) within the specified
    /// duration" (as reported in aws/aws-cli#7133 and aws-quickstart/quickstart-microsoft-wsus#28),
    /// unless `fail` (another reason) comes first.
    pub(super) fn signal_timeout(
        decl: &ResourceDecl,
        action: Action,
        start: SimTime,
        fail: Option<Failure>,
    ) -> Option<Failure> {
        let Some((count, timeout)) = Self::awaited_signals(decl, action) else {
            return fail;
        };
        let at = start.plus_secs(timeout);
        match fail {
            Some(f) if f.at <= at => Some(f),
            _ => Some(Failure {
                at,
                reason: format!(
                    "Failed to receive {count} resource signal(s) within the specified duration"
                ),
            }),
        }
    }
}

/// `ResourceSignal` `Timeout` when none is given: "The default value is 5 minutes (PT5M)"
/// (the page of [`Deploy::awaited_signals`]).
const DEFAULT_SIGNAL_TIMEOUT_SECS: u64 = 300;
