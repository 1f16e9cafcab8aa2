//! Each resource of a deploy on the virtual clock: when it starts and ends, its properties,
//! physical id and attributes, and whether (and when) it fails.

use std::collections::{BTreeMap, BTreeSet};

use dr_core::Region;
use dr_core::cloud::RequiresRecreation;
use serde_json::{Value, json};

use super::Export;
use super::InjectedFailure;
use super::deploy::Deploy;
use crate::changeset::Action;
use crate::clock::SimTime;
use crate::durations;
use crate::eval::{DynamicRef, EvalError, Resolver, ResourceDecl, dynamic_refs, scalar_string};
use crate::facts;
use crate::ids::{self, IdContext, fallback_attribute};
use crate::state::{StackResource, World};

/// One resource of the new template, as the deploy creates, updates or keeps it.
#[derive(Debug, Clone)]
pub(super) struct Item {
    /// Logical id.
    pub(super) id: String,
    /// Resource type.
    pub(super) type_name: String,
    /// What happens to it; a `MaybeReplace` is settled into `Replace` or `Modify`.
    pub(super) action: Action,
    /// When its work starts.
    pub(super) start: SimTime,
    /// When its work completes, unless something fails first.
    pub(super) end: SimTime,
    /// Its physical id after the deploy.
    pub(super) physical: Option<String>,
    /// Its physical id before the deploy, for an updated or replaced resource.
    pub(super) old_physical: Option<String>,
    /// When and why it fails, if it does.
    pub(super) fail: Option<Failure>,
    /// Whether the stack policy denies its update.
    pub(super) denied: bool,
    /// The resource as the stack records it if the deploy succeeds.
    pub(super) resource: Option<StackResource>,
}

/// When and why a resource fails.
#[derive(Debug, Clone)]
pub(super) struct Failure {
    /// When its failed event happens.
    pub(super) at: SimTime,
    /// The failed event's status reason.
    pub(super) reason: String,
}

/// A resource as the template's intrinsic functions see it while the deploy runs.
#[derive(Debug, Clone)]
pub(super) struct LiveResource {
    /// Resource type.
    pub(super) type_name: String,
    /// What `Ref` returns.
    pub(super) physical_id: String,
    /// The `Fn::GetAtt` attributes known (others fall back to what the type's facts allow).
    pub(super) attributes: BTreeMap<String, Value>,
}

/// What creating, updating and keeping the resources produced.
pub(super) struct Built {
    /// Every resource of the new template, by logical id.
    pub(super) items: BTreeMap<String, Item>,
    /// The resources as intrinsic functions see them once every resource exists.
    pub(super) live: BTreeMap<String, LiveResource>,
    /// The stack's generations, counting the physical resources this deploy creates.
    pub(super) generations: BTreeMap<String, u64>,
}

/// Resources known while a deploy runs.
pub(super) struct Live<'a> {
    /// The resources, by logical id.
    pub(super) map: &'a BTreeMap<String, LiveResource>,
    /// The Region's exports.
    pub(super) exports: &'a BTreeMap<String, Export>,
}

impl Resolver for Live<'_> {
    fn resource_ref(&self, l: &str) -> Option<Value> {
        self.map
            .get(l)
            .map(|r| Value::String(r.physical_id.clone()))
    }
    fn resource_attribute(&self, l: &str, a: &str) -> Result<Value, EvalError> {
        let Some(r) = self.map.get(l) else {
            return Err(EvalError::Resource(format!(
                "Template error: resource {l} has not been created"
            )));
        };
        if let Some(v) = r.attributes.get(a) {
            return Ok(v.clone());
        }
        match facts::has_attribute(&r.type_name, a) {
            Some(true) => Ok(fallback_attribute(&r.physical_id, a)),
            // The wording CloudFormation uses for an attribute the type does not have.
            _ => Err(EvalError::Resource(format!(
                "Template error: resource {l} does not support attribute type {a} in Fn::GetAtt"
            ))),
        }
    }
    fn import_value(&self, name: &str) -> Option<String> {
        self.exports.get(name).map(|e| e.value.clone())
    }
}

/// Stores visible to dynamic references: the Region's, plus what this deploy creates.
struct Stores {
    /// SSM parameters: name → value.
    ssm: BTreeMap<String, String>,
    /// Secrets, by ARN and by name.
    secrets: BTreeSet<String>,
}

impl Stores {
    fn of(world: &World, region: Region) -> Self {
        Stores {
            ssm: world.regions[&region].ssm.clone(),
            secrets: world.regions[&region]
                .secrets
                .values()
                .flat_map(|s| [s.arn.clone(), s.name.clone()])
                .collect(),
        }
    }

    /// Why the dynamic references in `props` cannot resolve, if one cannot (the last one
    /// missing wins).
    fn unresolved(&self, props: &Value) -> Option<String> {
        let refs = match dynamic_refs(props) {
            Err(e) => return Some(e.to_string()),
            Ok(refs) => refs,
        };
        let mut fail = None;
        for r in refs {
            match r {
                // Wording not documented; the SSM parameter-type message is reused.
                DynamicRef::Ssm { name } if !self.ssm.contains_key(&name) => {
                    fail = Some(format!(
                        "Unable to fetch parameters [{name}] from parameter store for this account."
                    ));
                }
                // Secrets Manager's ResourceNotFoundException message.
                DynamicRef::Secret { secret_id, .. } if !self.secrets.contains(&secret_id) => {
                    fail = Some("Secrets Manager can't find the specified secret.".to_string());
                }
                _ => {}
            }
        }
        fail
    }

    /// Makes a parameter or secret the deploy creates visible to the resources after it.
    fn record(&mut self, type_name: &str, physical: &str, props: &Value) {
        match type_name {
            "AWS::SSM::Parameter" => {
                self.ssm.insert(
                    physical.to_string(),
                    props
                        .get("Value")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                );
            }
            "AWS::SecretsManager::Secret" => {
                self.secrets.insert(physical.to_string());
                if let Some(n) = props.get("Name").and_then(Value::as_str) {
                    self.secrets.insert(n.to_string());
                }
            }
            _ => {}
        }
    }
}

impl Deploy<'_> {
    /// Schedules every resource of the new template in dependency order, evaluating each one's
    /// properties once what it refers to exists.
    pub(super) fn build(&self, world: &World, faults: &[InjectedFailure]) -> Built {
        let mut stores = Stores::of(world, self.region);
        let mut built = Built {
            items: BTreeMap::new(),
            live: self.kept_live(),
            generations: self.stack.generations.clone(),
        };
        for id in &self.order {
            let item = if self.plan.actions[id] == Action::Keep {
                self.keep(id)
            } else {
                self.change(world, id, faults, &mut stores, &mut built)
            };
            built.items.insert(id.clone(), item);
        }
        built
    }

    /// The stack's resources the new template keeps, as they stand before the deploy.
    fn kept_live(&self) -> BTreeMap<String, LiveResource> {
        self.stack
            .resources
            .iter()
            .filter(|(id, _)| self.plan.included.contains(*id))
            .map(|(id, r)| {
                (
                    id.clone(),
                    LiveResource {
                        type_name: r.type_name.clone(),
                        physical_id: r.physical_id.clone(),
                        attributes: r.attributes.clone(),
                    },
                )
            })
            .collect()
    }

    /// A resource the change set leaves alone: no events, but the stack records the new
    /// template's properties and policies for it.
    fn keep(&self, id: &str) -> Item {
        let decl = &self.template.resources[id];
        let mut r = self
            .stack
            .resources
            .get(id)
            .cloned()
            .expect("kept resources exist");
        r.template_properties = decl.properties.clone();
        r.deletion_policy = decl.deletion_policy.clone();
        r.update_replace_policy = decl.update_replace_policy.clone();
        Item {
            id: id.to_string(),
            type_name: decl.type_name.clone(),
            action: Action::Keep,
            start: self.t0,
            end: self.t0,
            physical: Some(r.physical_id.clone()),
            old_physical: None,
            fail: None,
            denied: false,
            resource: Some(r),
        }
    }

    /// Creates, updates or replaces resource `id`, once everything it depends on is done.
    fn change(
        &self,
        world: &World,
        id: &str,
        faults: &[InjectedFailure],
        stores: &mut Stores,
        built: &mut Built,
    ) -> Item {
        let decl = &self.template.resources[id];
        let old = self.stack.resources.get(id);
        let start = self.ready_time(id, &built.items);
        let (props, fail) = self.evaluate(&decl.properties, &built.live, stores);
        let action = match self.plan.actions[id] {
            Action::MaybeReplace => {
                settle_replacement(&decl.type_name, old, &props, decl.update_policy.as_ref())
            }
            a => a,
        };
        let dur = match action {
            Action::Modify => durations::update_secs(&decl.type_name, &props),
            _ => durations::create_secs(&decl.type_name, &props),
        };
        let end = Self::signal_wait_end(decl, action, start, start.plus_secs(dur));
        let identity = self.identity(
            id,
            &decl.type_name,
            action,
            old,
            &props,
            &mut built.generations,
        );
        let physical = identity.physical_id.clone();
        let fail = fail
            .or_else(|| replacement_clash(action, old, &physical))
            .or_else(|| self.reference_refusal(world, id, decl, action, &props, start, built))
            .or_else(|| self.rolling_update_refusal(decl, action, &props, &built.live, stores))
            .or_else(|| self.provider_rule_refusal(world, id, decl, action, &props, start, built));
        let fail = Self::signal_timeout(
            decl,
            action,
            start,
            self.failure(id, start, dur, fail, faults),
        );
        if fail.is_none() {
            stores.record(&decl.type_name, &physical, &props);
        }
        let attributes = identity.attributes.clone();
        built.live.insert(id.to_string(), identity);
        let resource = StackResource {
            logical_id: id.to_string(),
            type_name: decl.type_name.clone(),
            physical_id: physical.clone(),
            status: if action == Action::Add {
                "CREATE_COMPLETE"
            } else {
                "UPDATE_COMPLETE"
            }
            .into(),
            status_reason: None,
            last_updated: end,
            properties: props,
            template_properties: decl.properties.clone(),
            attributes,
            deletion_policy: decl.deletion_policy.clone(),
            update_replace_policy: decl.update_replace_policy.clone(),
            metadata: decl.metadata.clone(),
        };
        Item {
            id: id.to_string(),
            type_name: decl.type_name.clone(),
            action,
            start,
            end,
            physical: Some(physical),
            old_physical: old.map(|o| o.physical_id.clone()),
            fail,
            denied: self.denials.contains_key(id),
            resource: Some(resource),
        }
    }

    /// When resource `id` can start: once everything it depends on is done, and never before
    /// the deploy's first second.
    fn ready_time(&self, id: &str, items: &BTreeMap<String, Item>) -> SimTime {
        self.deps[id]
            .iter()
            .filter_map(|d| items.get(d))
            .map(|i| i.end)
            .max()
            .unwrap_or(self.first)
            .max(self.first)
    }

    /// The resource's properties with every intrinsic function resolved, and why the resource
    /// fails if they (or its dynamic references) cannot resolve.
    fn evaluate(
        &self,
        properties: &Value,
        live: &BTreeMap<String, LiveResource>,
        stores: &Stores,
    ) -> (Value, Option<String>) {
        let resolver = Live {
            map: live,
            exports: &self.exports,
        };
        match self.evaluator(&resolver).eval(properties) {
            Ok(props) => {
                let fail = stores.unresolved(&props);
                (props, fail)
            }
            Err(e) => (json!({}), Some(e.to_string())),
        }
    }

    /// The physical id and attributes of resource `id` after the deploy. An update keeps the
    /// physical resource; a creation or replacement makes the next generation of it.
    fn identity(
        &self,
        id: &str,
        type_name: &str,
        action: Action,
        old: Option<&StackResource>,
        props: &Value,
        generations: &mut BTreeMap<String, u64>,
    ) -> LiveResource {
        let created = |generation: u64| {
            ids::create(
                type_name,
                &IdContext {
                    region: self.region,
                    account: &self.account,
                    stack_name: &self.stack.name,
                    logical_id: id,
                    generation,
                    properties: props,
                },
            )
        };
        let (physical_id, attributes) = if action == Action::Modify {
            let o = old.expect("modified resources exist");
            let c = created(generations.get(id).copied().unwrap_or(1));
            let mut attrs = o.attributes.clone();
            for (k, v) in c.attributes {
                // Identity attributes keep their values; property-derived ones follow.
                if props.get(k.split('.').next().unwrap_or(&k)).is_some() {
                    attrs.insert(k, v);
                }
            }
            ids::apply_update(type_name, &o.properties, props, &mut attrs);
            (o.physical_id.clone(), attrs)
        } else {
            let g = generations.get(id).copied().unwrap_or(0) + 1;
            generations.insert(id.to_string(), g);
            let c = created(g);
            (c.physical_id, c.attributes)
        };
        LiveResource {
            type_name: type_name.to_string(),
            physical_id,
            attributes,
        }
    }

    /// Why an Auto Scaling group's in-place update fails when its rolling update's `PauseTime`
    /// is not an ISO 8601 duration of at most an hour ([`ROLLING_UPDATE_BAD_PAUSE_TIME`]), or
    /// when it would keep at least `MaxSize` instances in service: CloudFormation requires `MinInstancesInService`
    /// to be "less than the `MaxSize` of the Auto Scaling group" ("UpdatePolicy attribute",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html>)
    /// and fails the update with [`ROLLING_UPDATE_ABOVE_MAX_SIZE`]. A group is created with
    /// such a policy; only its update fails. The reports do not say which change triggered the
    /// check, so every in-place update of the group is checked (the stricter reading). The
    /// policy's values go through the same intrinsic functions as the properties; one that
    /// cannot be read as a count is not checked.
    fn rolling_update_refusal(
        &self,
        decl: &ResourceDecl,
        action: Action,
        props: &Value,
        live: &BTreeMap<String, LiveResource>,
        stores: &Stores,
    ) -> Option<String> {
        if action != Action::Modify || decl.type_name != "AWS::AutoScaling::AutoScalingGroup" {
            return None;
        }
        let (policy, fail) = self.evaluate(decl.update_policy.as_ref()?, live, stores);
        if fail.is_some() {
            return None;
        }
        let rolling = policy.get("AutoScalingRollingUpdate")?;
        if let Some(pause) = rolling.get("PauseTime") {
            let seconds = scalar_string(pause).and_then(|p| iso8601_seconds(&p));
            if !seconds.is_some_and(|s| s <= MAX_PAUSE_TIME_SECS) {
                return Some(ROLLING_UPDATE_BAD_PAUSE_TIME.to_string());
            }
        }
        // `MinInstancesInService` defaults to 0 (the same page).
        let in_service = match rolling.get("MinInstancesInService") {
            None => 0,
            Some(v) => count(v)?,
        };
        let max = count(props.get("MaxSize")?)?;
        (in_service >= max).then(|| ROLLING_UPDATE_ABOVE_MAX_SIZE.to_string())
    }

    /// When and why resource `id` (starting at `start`, taking `dur` seconds) fails, given the
    /// evaluation failure `fail`: a stack-policy denial fails it at once; a template or
    /// reference error a second in; an injected failure halfway through.
    fn failure(
        &self,
        id: &str,
        start: SimTime,
        dur: u64,
        fail: Option<String>,
        faults: &[InjectedFailure],
    ) -> Option<Failure> {
        if let Some(reason) = self.denials.get(id) {
            return Some(Failure {
                at: self.first,
                reason: reason.clone(),
            });
        }
        if let Some(reason) = fail {
            return Some(Failure {
                at: start.plus_secs(1),
                reason,
            });
        }
        faults.iter().find(|f| f.logical_id == id).map(|f| Failure {
            at: start.plus_secs((dur / 2).max(2)),
            reason: f.reason.clone(),
        })
    }
}

/// CloudFormation's reason for an Auto Scaling group update whose rolling update keeps
/// `MaxSize` or more instances in service, word for word as AWS reports it
/// (`UPDATE_FAILED` on the group: kubernetes-retired/kube-aws#950, docker/for-aws#50,
/// aws-cloudformation/cfn-lint#362, the last one leading to the sentence on the
/// "UpdatePolicy attribute" page, awsdocs/aws-cloudformation-user-guide#164).
pub(crate) const ROLLING_UPDATE_ABOVE_MAX_SIZE: &str =
    "MinInstancesInService must be less than the autoscaling group's MaxSize";

/// CloudFormation's reason for a rolling update whose `PauseTime` is not an ISO 8601 duration
/// or is longer than an hour, word for word as AWS reports it (`UPDATE_FAILED` on the group,
/// aws/aws-cdk#1113; "UpdatePolicy attribute",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html>:
/// "The maximum `PauseTime` is one hour (`PT1H`)").
pub(crate) const ROLLING_UPDATE_BAD_PAUSE_TIME: &str = "Invalid Autoscaling rolling update policy: PauseTime must be in the ISO8601 time period format and must be no greater than PT3600S seconds, e.g. \"PT5M30S\" specifies a pause time of 5 minutes and 30 seconds.";

/// The longest `PauseTime`, in seconds.
const MAX_PAUSE_TIME_SECS: f64 = 3600.0;

/// The seconds of an ISO 8601 duration of days, hours, minutes and seconds (`PT5M30S`,
/// `PT3600S`, `PT0.5S`, `P1D`), the form `PauseTime` takes; `None` when `text` is not one (a
/// bare `PT`, `5M`, a fraction of a minute, units out of order).
pub(super) fn iso8601_seconds(text: &str) -> Option<f64> {
    let rest = text.strip_prefix('P')?;
    let (date, time) = rest
        .split_once('T')
        .map_or((rest, None), |(d, t)| (d, Some(t)));
    let date_units: &[(char, f64)] = &[('D', 86_400.0)];
    let time_units: &[(char, f64)] = &[('H', 3600.0), ('M', 60.0), ('S', 1.0)];
    let mut total = 0.0;
    let mut parts = 0;
    for (mut segment, units) in [(date, date_units), (time.unwrap_or(""), time_units)] {
        let mut units = units.iter();
        while !segment.is_empty() {
            let end = segment.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
            let unit = segment[end..].chars().next()?;
            // Units come in order, each once; only seconds take a fraction.
            let (_, scale) = units.by_ref().find(|(u, _)| *u == unit)?;
            let number = &segment[..end];
            if number.contains('.') && unit != 'S' {
                return None;
            }
            total += number.parse::<f64>().ok()? * scale;
            parts += 1;
            segment = &segment[end + unit.len_utf8()..];
        }
    }
    (parts > 0 && time != Some("")).then_some(total)
}

/// A count written as a number or a numeric string (CloudFormation takes both).
fn count(v: &Value) -> Option<u64> {
    scalar_string(v)?.trim().parse().ok()
}

/// Why a replacement fails when the new resource would take the old one's name
/// (DBClusterIdentifier, BucketName, …): CloudFormation refuses instead of creating a clash.
fn replacement_clash(
    action: Action,
    old: Option<&StackResource>,
    physical: &str,
) -> Option<String> {
    (action == Action::Replace && old.is_some_and(|o| o.physical_id == physical)).then(|| {
        format!(
            "CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename {physical} and update the stack again."
        )
    })
}

/// Settles a `MaybeReplace` now that every value is known: replace only if a create-only
/// property really changes. An Auto Scaling group's conditionally create-only properties
/// (`LaunchTemplate`, `VPCZoneIdentifier`, …) replace it only under an
/// `AutoScalingReplacingUpdate` policy with `WillReplace` true; otherwise the group is updated
/// in place, its instances by the rolling update if it has one ("UpdatePolicy attribute",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html>:
/// `WillReplace` "specifies whether an Auto Scaling group and the instances it contains are
/// replaced during an update").
fn settle_replacement(
    type_name: &str,
    old: Option<&StackResource>,
    props: &Value,
    update_policy: Option<&Value>,
) -> Action {
    let will_replace = update_policy
        .and_then(|p| p.pointer("/AutoScalingReplacingUpdate/WillReplace"))
        .is_some_and(|v| v == &json!(true) || v == &json!("true"));
    let old_props = old.map(|o| o.properties.clone()).unwrap_or(json!({}));
    let mut paths = Vec::new();
    if let (Some(a), Some(b)) = (old_props.as_object(), props.as_object()) {
        for k in a.keys().chain(b.keys()).collect::<BTreeSet<_>>() {
            if a.get(k) != b.get(k) {
                paths.push(k.clone());
            }
        }
    }
    if paths
        .iter()
        .any(|p| match facts::requires_recreation(type_name, p) {
            RequiresRecreation::Never => false,
            RequiresRecreation::Conditionally
                if type_name == "AWS::AutoScaling::AutoScalingGroup" =>
            {
                will_replace
            }
            _ => true,
        })
    {
        Action::Replace
    } else {
        Action::Modify
    }
}

#[cfg(test)]
mod tests {
    use super::iso8601_seconds;

    #[test]
    fn pause_times_read_as_iso_8601_durations() {
        assert_eq!(iso8601_seconds("PT5M30S"), Some(330.0));
        assert_eq!(iso8601_seconds("PT3600S"), Some(3600.0));
        assert_eq!(iso8601_seconds("PT1H"), Some(3600.0));
        assert_eq!(iso8601_seconds("PT0S"), Some(0.0));
        assert_eq!(iso8601_seconds("PT0.5S"), Some(0.5));
        assert_eq!(iso8601_seconds("P1DT1S"), Some(86_401.0));
        for bad in [
            "PT", "P", "5M", "PT5", "PT1.5M", "PT5S1M", "PT5M5M", "P1DT", "PTM",
        ] {
            assert_eq!(iso8601_seconds(bad), None, "{bad}");
        }
    }
}
