//! A small in-test `Cloud`: CloudFormation stacks, change sets, events, policies and termination
//! protection, enough to drive the deploy engine, plus a call log to count mutating calls.
//! Operations complete at once (the engine still polls); `sleep` advances a fake clock.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::*;
use serde_json::Value;

#[derive(Default, Clone)]
pub struct FakeStack {
    pub id: String,
    pub status: Option<StackStatus>,
    pub reason: Option<String>,
    pub template: String,
    pub parameters: Vec<StackParameter>,
    pub outputs: Vec<StackOutput>,
    pub resources: BTreeMap<String, (String, Option<String>)>,
    pub policy: Option<String>,
    pub termination_protection: bool,
    pub events: Vec<StackEvent>,
    pub change_sets: HashMap<String, (ChangeSetDescription, String)>,
    /// Resources whose deletion failed: logical id → reason (`DescribeStackResources` reports
    /// them `DELETE_FAILED`).
    pub failed: BTreeMap<String, String>,
}

#[derive(Default)]
pub struct State {
    pub now: i64,
    pub stacks: HashMap<(Region, String), FakeStack>,
    pub ssm: HashMap<String, String>,
    pub global_clusters: HashMap<String, GlobalCluster>,
    pub db_clusters: HashMap<String, DbCluster>,
    /// Logical ids whose create/update fails, with the reason.
    pub fail: HashMap<String, String>,
    /// Property names whose change forces replacement.
    pub replace_props: BTreeSet<String>,
    /// Resource types the fake "skips" (no physical id), like moto.
    pub skip_types: BTreeSet<String>,
    pub objects: HashMap<String, Vec<u8>>,
    /// Load balancers made by stacks: ARN → attributes (from the template's
    /// `LoadBalancerAttributes`, then `ModifyLoadBalancerAttributes`). A protected one fails
    /// its stack's deletion, as ELB's `DeleteLoadBalancer` does.
    pub load_balancers: HashMap<String, BTreeMap<String, String>>,
    /// Buckets made by stacks: name → object versions. One that holds any fails its stack's
    /// deletion (`BucketNotEmpty`).
    pub buckets: HashMap<String, Vec<ObjectVersion>>,
    /// Log objects ELB delivers into the bucket right after the next `delete_objects` empties
    /// it (a log written between the emptying and the bucket's deletion).
    pub late_logs: Vec<ObjectVersion>,
    /// This many `describe_stack` calls answer `Throttled` before the next ones succeed.
    pub throttle_describe_stack: usize,
    /// Scripted answers of the next calls of an operation (`set_stack_policy`,
    /// `create_change_set`), in order: `Some(error)` fails that call before it changes
    /// anything, `None` lets it through; once its list is empty, every call goes through.
    pub script: HashMap<&'static str, std::collections::VecDeque<Option<CloudError>>>,
    pub calls: Vec<(&'static str, String)>,
    pub seq: u64,
}

#[derive(Default)]
pub struct FakeCloud {
    pub state: Mutex<State>,
}

fn ts(ms: i64) -> Timestamp {
    Timestamp(ms)
}

impl FakeCloud {
    pub fn new() -> Self {
        let f = FakeCloud::default();
        f.state.lock().unwrap().now = 1_767_225_600_000;
        f
    }
    pub fn calls(&self) -> Vec<(&'static str, String)> {
        self.state.lock().unwrap().calls.clone()
    }
    pub fn mutating_calls(&self) -> Vec<(&'static str, String)> {
        self.calls()
            .into_iter()
            .filter(|(op, _)| MUTATING_OPERATIONS.contains(op))
            .collect()
    }
    pub fn clear_calls(&self) {
        self.state.lock().unwrap().calls.clear();
    }
    pub fn stack(&self, region: Region, name: &str) -> Option<FakeStack> {
        self.state
            .lock()
            .unwrap()
            .stacks
            .get(&(region, name.to_string()))
            .cloned()
    }
    fn log(&self, op: &'static str, target: &str) {
        self.state
            .lock()
            .unwrap()
            .calls
            .push((op, target.to_string()));
    }
}

fn push_event(
    st: &mut State,
    key: &(Region, String),
    logical: &str,
    ty: &str,
    status: ResourceStatus,
    reason: Option<&str>,
) {
    st.now += 1000;
    st.seq += 1;
    let now = st.now;
    let seq = st.seq;
    let s = st.stacks.get_mut(key).unwrap();
    let physical = s.resources.get(logical).and_then(|r| r.1.clone());
    s.events.push(StackEvent {
        event_id: format!("ev-{seq}"),
        stack_id: s.id.clone(),
        stack_name: key.1.clone(),
        logical_id: logical.to_string(),
        physical_id: physical,
        resource_type: ty.to_string(),
        timestamp: ts(now),
        status,
        status_reason: reason.map(str::to_string),
        detailed_status: None,
    });
}

/// The scripted failure of this call of `op`, if any (see [`State::script`]).
fn scripted(st: &mut State, op: &str) -> Option<CloudError> {
    st.script.get_mut(op).and_then(|s| s.pop_front()).flatten()
}

fn resources(template: &str) -> BTreeMap<String, Value> {
    let v: Value = serde_json::from_str(template).unwrap_or(Value::Null);
    v.get("Resources")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn is_ssm(template: &str, key: &str) -> bool {
    let v: Value = serde_json::from_str(template).unwrap_or(Value::Null);
    v.pointer(&format!("/Parameters/{key}/Type"))
        .and_then(Value::as_str)
        .is_some_and(|t| t.starts_with("AWS::SSM::Parameter::Value<"))
}

fn diff_props(old: &Value, new: &Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let o = old
        .get("Properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let n = new
        .get("Properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut keys: BTreeSet<&String> = o.keys().collect();
    keys.extend(n.keys());
    keys.into_iter()
        .filter(|k| o.get(*k) != n.get(*k))
        .cloned()
        .collect()
}

#[async_trait::async_trait]
impl Cloud for FakeCloud {
    fn label(&self) -> String {
        "fake".into()
    }
    fn now(&self) -> Timestamp {
        ts(self.state.lock().unwrap().now)
    }
    // Virtual time, but the engine tests assert reports as they read against AWS: the label
    // is tested on the simulator (dr-local), which says it is simulated.
    fn is_simulated(&self) -> bool {
        false
    }
    async fn sleep(&self, duration: Duration) {
        self.state.lock().unwrap().now += duration.as_millis() as i64;
        // Yield so that concurrent stacks interleave as they would on a real backend.
        tokio::task::yield_now().await;
    }

    async fn describe_stack(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<StackDescription>> {
        self.log("describe_stack", stack_name);
        let mut st = self.state.lock().unwrap();
        if st.throttle_describe_stack > 0 {
            st.throttle_describe_stack -= 1;
            return Err(CloudError::throttled("DescribeStacks", "Rate exceeded"));
        }
        Ok(st
            .stacks
            .get(&(region, stack_name.to_string()))
            .and_then(|s| {
                let status = s.status.clone()?;
                Some(StackDescription {
                    stack_id: s.id.clone(),
                    stack_name: stack_name.into(),
                    status,
                    status_reason: s.reason.clone(),
                    outputs: s.outputs.clone(),
                    parameters: s.parameters.clone(),
                    termination_protection: s.termination_protection,
                    capabilities: vec![],
                    tags: vec![],
                    creation_time: None,
                    last_updated_time: None,
                })
            }))
    }

    async fn create_change_set(
        &self,
        region: Region,
        input: CreateChangeSetInput,
    ) -> CloudResult<ChangeSetRef> {
        self.log("create_change_set", &input.stack_name);
        let mut st = self.state.lock().unwrap();
        if let Some(e) = scripted(&mut st, "create_change_set") {
            return Err(e);
        }
        let key = (region, input.stack_name.clone());
        let body = match &input.template {
            TemplateSource::Body(b) => b.clone(),
            TemplateSource::Url(u) => {
                String::from_utf8(st.objects.get(u).cloned().unwrap_or_default()).unwrap()
            }
        };
        let exists = st.stacks.get(&key).is_some_and(|s| s.status.is_some());
        match (input.change_set_type, exists) {
            (ChangeSetType::Update, false) => {
                return Err(CloudError::validation(
                    "CreateChangeSet",
                    format!("Stack [{}] does not exist", input.stack_name),
                ));
            }
            (ChangeSetType::Create, true)
                if st.stacks[&key].status != Some(StackStatus::ReviewInProgress) =>
            {
                return Err(CloudError::validation(
                    "CreateChangeSet",
                    format!("Stack [{}] already exists", input.stack_name),
                ));
            }
            (ChangeSetType::Update, true)
                if st.stacks[&key].status == Some(StackStatus::RollbackComplete) =>
            {
                return Err(CloudError::validation(
                    "CreateChangeSet",
                    format!(
                        "Stack:{} is in ROLLBACK_COMPLETE state and can not be updated.",
                        input.stack_name
                    ),
                ));
            }
            _ => {}
        }
        if !exists {
            let seq = st.seq;
            st.stacks.insert(
                key.clone(),
                FakeStack {
                    id: format!(
                        "arn:aws:cloudformation:{region}:123456789012:stack/{}/{}",
                        input.stack_name, seq
                    ),
                    status: Some(StackStatus::ReviewInProgress),
                    ..Default::default()
                },
            );
            push_event(
                &mut st,
                &key,
                &input.stack_name,
                StackEvent::STACK_TYPE,
                ResourceStatus::ReviewInProgress,
                Some("User Initiated"),
            );
        }
        let replace = st.replace_props.clone();
        let s = st.stacks.get(&key).unwrap();
        let old = resources(&s.template);
        let new = resources(&body);
        let params_changed = s
            .parameters
            .iter()
            .map(|p| (p.key.clone(), p.value.clone()))
            .collect::<BTreeMap<_, _>>()
            != input
                .parameters
                .iter()
                .map(|p| (p.key.clone(), p.value.clone()))
                .collect::<BTreeMap<_, _>>()
            // CloudFormation resolves SSM parameters when it computes the change set.
            || s.parameters.iter().any(|p| {
                p.resolved_value.as_ref().is_some_and(|r| st.ssm.get(&p.value) != Some(r))
            });
        let mut changes = Vec::new();
        for (id, r) in &new {
            let ty = r["Type"].as_str().unwrap_or_default().to_string();
            match old.get(id) {
                None => changes.push(ResourceChange {
                    action: ChangeAction::Add,
                    logical_id: id.clone(),
                    physical_id: None,
                    resource_type: ty,
                    replacement: None,
                    scope: vec![],
                    details: vec![],
                }),
                Some(o) if o != r || params_changed => {
                    let props = diff_props(o, r);
                    let replaced = props.iter().any(|p| replace.contains(p));
                    changes.push(ResourceChange {
                        action: ChangeAction::Modify,
                        logical_id: id.clone(),
                        physical_id: s.resources.get(id).and_then(|x| x.1.clone()),
                        resource_type: ty,
                        replacement: Some(if replaced {
                            Replacement::True
                        } else {
                            Replacement::False
                        }),
                        scope: vec![ResourceAttribute::Properties],
                        details: props
                            .iter()
                            .map(|p| ResourceChangeDetail {
                                attribute: ResourceAttribute::Properties,
                                name: Some(p.clone()),
                                requires_recreation: Some(if replace.contains(p) {
                                    RequiresRecreation::Always
                                } else {
                                    RequiresRecreation::Never
                                }),
                                evaluation: Some(Evaluation::Static),
                                change_source: Some(ChangeSource::DirectModification),
                                causing_entity: None,
                            })
                            .collect(),
                    });
                }
                _ => {}
            }
        }
        for (id, r) in &old {
            if !new.contains_key(id) {
                changes.push(ResourceChange {
                    action: ChangeAction::Remove,
                    logical_id: id.clone(),
                    physical_id: s.resources.get(id).and_then(|x| x.1.clone()),
                    resource_type: r["Type"].as_str().unwrap_or_default().into(),
                    replacement: None,
                    scope: vec![],
                    details: vec![],
                });
            }
        }
        let empty = changes.is_empty();
        let cs = ChangeSetDescription {
            change_set_id: format!("cs-{}", input.change_set_name),
            change_set_name: input.change_set_name.clone(),
            stack_id: s.id.clone(),
            stack_name: input.stack_name.clone(),
            status: if empty { ChangeSetStatus::Failed } else { ChangeSetStatus::CreateComplete },
            execution_status: if empty { ExecutionStatus::Unavailable } else { ExecutionStatus::Available },
            status_reason: empty.then(|| {
                "The submitted information didn't contain changes. Submit different information to create a change set.".into()
            }),
            changes,
            parameters: input.parameters.clone(),
            creation_time: None,
        };
        let id = cs.change_set_id.clone();
        let stack_id = s.id.clone();
        st.stacks
            .get_mut(&key)
            .unwrap()
            .change_sets
            .insert(input.change_set_name.clone(), (cs, body));
        Ok(ChangeSetRef { id, stack_id })
    }

    async fn describe_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<ChangeSetDescription> {
        self.log("describe_change_set", stack_name);
        let st = self.state.lock().unwrap();
        st.stacks
            .get(&(region, stack_name.to_string()))
            .and_then(|s| s.change_sets.get(change_set))
            .map(|c| c.0.clone())
            .ok_or_else(|| {
                CloudError::not_found("DescribeChangeSet", change_set, "ChangeSet does not exist")
            })
    }

    async fn execute_change_set_with(
        &self,
        region: Region,
        input: ExecuteChangeSetInput,
    ) -> CloudResult<()> {
        let (stack_name, change_set) = (input.stack_name.as_str(), input.change_set.as_str());
        self.log("execute_change_set", stack_name);
        let mut st = self.state.lock().unwrap();
        let key = (region, stack_name.to_string());
        let (cs, body) = st.stacks[&key]
            .change_sets
            .get(change_set)
            .cloned()
            .ok_or_else(|| {
                CloudError::not_found("ExecuteChangeSet", change_set, "ChangeSet does not exist")
            })?;
        let creating = st.stacks[&key].status == Some(StackStatus::ReviewInProgress);
        let (in_progress, res_ip, res_done, res_failed) = if creating {
            (
                ResourceStatus::CreateInProgress,
                ResourceStatus::CreateInProgress,
                ResourceStatus::CreateComplete,
                ResourceStatus::CreateFailed,
            )
        } else {
            (
                ResourceStatus::UpdateInProgress,
                ResourceStatus::UpdateInProgress,
                ResourceStatus::UpdateComplete,
                ResourceStatus::UpdateFailed,
            )
        };
        st.stacks.get_mut(&key).unwrap().change_sets.clear();
        push_event(
            &mut st,
            &key,
            stack_name,
            StackEvent::STACK_TYPE,
            in_progress,
            Some("User Initiated"),
        );
        let fail = st.fail.clone();
        let skip = st.skip_types.clone();
        let new = resources(&body);
        let old_resources = st.stacks[&key].resources.clone();
        let mut failed = None;
        for c in &cs.changes {
            if c.action == ChangeAction::Remove {
                continue;
            }
            push_event(
                &mut st,
                &key,
                &c.logical_id,
                &c.resource_type,
                res_ip.clone(),
                None,
            );
            if let Some(reason) = fail.get(&c.logical_id) {
                push_event(
                    &mut st,
                    &key,
                    &c.logical_id,
                    &c.resource_type,
                    res_failed.clone(),
                    Some(reason),
                );
                failed = Some(c.logical_id.clone());
                break;
            }
            let phys = (!skip.contains(&c.resource_type))
                .then(|| format!("{}-{}", c.logical_id.to_lowercase(), st.seq));
            let phys = if c.replacement == Some(Replacement::False) {
                old_resources
                    .get(&c.logical_id)
                    .and_then(|r| r.1.clone())
                    .or(phys)
            } else {
                phys
            };
            if let Some(p) = phys.clone().filter(|_| c.action == ChangeAction::Add) {
                match c.resource_type.as_str() {
                    "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                        let attrs = new
                            .get(&c.logical_id)
                            .and_then(|r| r.pointer("/Properties/LoadBalancerAttributes"))
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .filter_map(|a| {
                                Some((
                                    a.get("Key")?.as_str()?.to_string(),
                                    a.get("Value")
                                        .and_then(Value::as_str)
                                        .unwrap_or_default()
                                        .to_string(),
                                ))
                            })
                            .collect();
                        st.load_balancers.insert(p, attrs);
                    }
                    "AWS::S3::Bucket" => {
                        st.buckets.entry(p).or_default();
                    }
                    _ => {}
                }
            }
            st.stacks
                .get_mut(&key)
                .unwrap()
                .resources
                .insert(c.logical_id.clone(), (c.resource_type.clone(), phys));
            push_event(
                &mut st,
                &key,
                &c.logical_id,
                &c.resource_type,
                res_done.clone(),
                None,
            );
        }
        if let Some(f) = failed {
            let s = st.stacks.get_mut(&key).unwrap();
            if creating {
                s.resources.clear();
                s.status = Some(StackStatus::RollbackComplete);
                s.reason = Some(format!(
                    "The following resource(s) failed to create: [{f}]. Rollback requested by user."
                ));
                push_event(
                    &mut st,
                    &key,
                    stack_name,
                    StackEvent::STACK_TYPE,
                    ResourceStatus::RollbackInProgress,
                    Some("Rollback requested by user."),
                );
                push_event(
                    &mut st,
                    &key,
                    stack_name,
                    StackEvent::STACK_TYPE,
                    ResourceStatus::RollbackComplete,
                    None,
                );
            } else {
                s.resources = old_resources;
                s.status = Some(StackStatus::UpdateRollbackComplete);
                s.reason = None;
                push_event(
                    &mut st,
                    &key,
                    stack_name,
                    StackEvent::STACK_TYPE,
                    ResourceStatus::UpdateRollbackInProgress,
                    Some(&format!(
                        "The following resource(s) failed to update: [{f}]."
                    )),
                );
                push_event(
                    &mut st,
                    &key,
                    stack_name,
                    StackEvent::STACK_TYPE,
                    ResourceStatus::UpdateRollbackComplete,
                    None,
                );
            }
            return Ok(());
        }
        for c in &cs.changes {
            if c.action == ChangeAction::Remove {
                st.stacks
                    .get_mut(&key)
                    .unwrap()
                    .resources
                    .remove(&c.logical_id);
                push_event(
                    &mut st,
                    &key,
                    &c.logical_id,
                    &c.resource_type,
                    ResourceStatus::DeleteComplete,
                    None,
                );
            }
        }
        let ssm = st.ssm.clone();
        let s = st.stacks.get_mut(&key).unwrap();
        s.template = body.clone();
        s.parameters = cs
            .parameters
            .iter()
            .map(|p| StackParameter {
                key: p.key.clone(),
                value: p.value.clone(),
                resolved_value: is_ssm(&body, &p.key)
                    .then(|| ssm.get(&p.value).cloned().unwrap_or_default()),
            })
            .collect();
        let tv: Value = serde_json::from_str(&body).unwrap();
        let mut outputs = Vec::new();
        for (k, o) in tv
            .get("Outputs")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let v = &o["Value"];
            let value = if let Some(r) = v.get("Ref").and_then(Value::as_str) {
                s.resources
                    .get(r)
                    .and_then(|x| x.1.clone())
                    .or_else(|| {
                        s.parameters
                            .iter()
                            .find(|p| p.key == r)
                            .map(|p| p.value.clone())
                    })
                    .unwrap_or_default()
            } else {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            };
            outputs.push(StackOutput {
                key: k.clone(),
                value,
                description: None,
                export_name: None,
            });
        }
        s.outputs = outputs;
        let _ = new;
        s.status = Some(if creating {
            StackStatus::CreateComplete
        } else {
            StackStatus::UpdateComplete
        });
        s.reason = None;
        let done = if creating {
            ResourceStatus::CreateComplete
        } else {
            ResourceStatus::UpdateComplete
        };
        push_event(
            &mut st,
            &key,
            stack_name,
            StackEvent::STACK_TYPE,
            done,
            None,
        );
        Ok(())
    }

    async fn delete_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<()> {
        self.log("delete_change_set", stack_name);
        let mut st = self.state.lock().unwrap();
        st.stacks
            .get_mut(&(region, stack_name.to_string()))
            .and_then(|s| s.change_sets.remove(change_set));
        Ok(())
    }

    async fn describe_stack_events(
        &self,
        region: Region,
        stack_name: &str,
        stop_at: Option<&str>,
    ) -> CloudResult<Vec<StackEvent>> {
        self.log("describe_stack_events", stack_name);
        let st = self.state.lock().unwrap();
        let s = st
            .stacks
            .get(&(region, stack_name.to_string()))
            .or_else(|| st.stacks.values().find(|s| s.id == stack_name))
            .ok_or_else(|| {
                CloudError::not_found("DescribeStackEvents", stack_name, "Stack does not exist")
            })?;
        let mut out = Vec::new();
        for e in s.events.iter().rev() {
            if Some(e.event_id.as_str()) == stop_at {
                break;
            }
            out.push(e.clone());
        }
        Ok(out)
    }

    async fn describe_newest_stack_event(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<StackEvent>> {
        self.log("describe_newest_stack_event", stack_name);
        let st = self.state.lock().unwrap();
        let s = st
            .stacks
            .get(&(region, stack_name.to_string()))
            .or_else(|| st.stacks.values().find(|s| s.id == stack_name))
            .ok_or_else(|| {
                CloudError::not_found("DescribeStackEvents", stack_name, "Stack does not exist")
            })?;
        Ok(s.events.last().cloned())
    }

    async fn describe_stack_resources(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Vec<StackResource>> {
        self.log("describe_stack_resources", stack_name);
        let st = self.state.lock().unwrap();
        let s = st
            .stacks
            .get(&(region, stack_name.to_string()))
            .ok_or_else(|| {
                CloudError::not_found("DescribeStackResources", stack_name, "Stack does not exist")
            })?;
        Ok(s.resources
            .iter()
            .map(|(id, (ty, p))| StackResource {
                logical_id: id.clone(),
                physical_id: p.clone(),
                resource_type: ty.clone(),
                status: if s.failed.contains_key(id) {
                    ResourceStatus::DeleteFailed
                } else {
                    ResourceStatus::CreateComplete
                },
                status_reason: s.failed.get(id).cloned(),
                timestamp: ts(0),
            })
            .collect())
    }

    async fn get_template(&self, region: Region, stack_name: &str) -> CloudResult<String> {
        self.log("get_template", stack_name);
        let st = self.state.lock().unwrap();
        st.stacks
            .get(&(region, stack_name.to_string()))
            .map(|s| s.template.clone())
            .ok_or_else(|| CloudError::not_found("GetTemplate", stack_name, "Stack does not exist"))
    }

    async fn set_stack_policy(
        &self,
        region: Region,
        stack_name: &str,
        policy_body: &str,
    ) -> CloudResult<()> {
        self.log("set_stack_policy", stack_name);
        let mut st = self.state.lock().unwrap();
        if let Some(e) = scripted(&mut st, "set_stack_policy") {
            return Err(e);
        }
        st.stacks
            .get_mut(&(region, stack_name.to_string()))
            .unwrap()
            .policy = Some(policy_body.to_string());
        Ok(())
    }

    async fn get_stack_policy(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<String>> {
        self.log("get_stack_policy", stack_name);
        Ok(self
            .state
            .lock()
            .unwrap()
            .stacks
            .get(&(region, stack_name.to_string()))
            .and_then(|s| s.policy.clone()))
    }

    async fn update_termination_protection(
        &self,
        region: Region,
        stack_name: &str,
        enabled: bool,
    ) -> CloudResult<()> {
        self.log("update_termination_protection", stack_name);
        let mut st = self.state.lock().unwrap();
        st.stacks
            .get_mut(&(region, stack_name.to_string()))
            .unwrap()
            .termination_protection = enabled;
        Ok(())
    }

    async fn delete_stack_with(&self, region: Region, input: DeleteStackInput) -> CloudResult<()> {
        let stack_name = input.stack_name.as_str();
        self.log("delete_stack", stack_name);
        let mut st = self.state.lock().unwrap();
        let key = (region, stack_name.to_string());
        let Some(s) = st.stacks.get(&key) else {
            return Ok(());
        };
        if s.termination_protection {
            return Err(CloudError::validation(
                "DeleteStack",
                format!(
                    "Stack [{stack_name}] cannot be deleted while TerminationProtection is enabled"
                ),
            ));
        }
        let force = input.deletion_mode == Some(DeletionMode::ForceDeleteStack);
        if (force || !input.retain_resources.is_empty())
            && s.status != Some(StackStatus::DeleteFailed)
        {
            return Err(CloudError::validation(
                "DeleteStack",
                "Invalid operation on stack: RetainResources and FORCE_DELETE_STACK are allowed only for a stack in DELETE_FAILED",
            ));
        }
        push_event(
            &mut st,
            &key,
            stack_name,
            StackEvent::STACK_TYPE,
            ResourceStatus::DeleteInProgress,
            Some("User Initiated"),
        );
        let res: Vec<(String, String, Option<String>)> = st.stacks[&key]
            .resources
            .iter()
            .map(|(k, v)| (k.clone(), v.0.clone(), v.1.clone()))
            .collect();
        let mut failed = BTreeMap::new();
        for (id, ty, phys) in res.iter().rev() {
            if input.retain_resources.contains(id) {
                push_event(&mut st, &key, id, ty, ResourceStatus::DeleteSkipped, None);
                continue;
            }
            let p = phys.clone().unwrap_or_default();
            let reason = match ty.as_str() {
                "AWS::ElasticLoadBalancingV2::LoadBalancer"
                    if st
                        .load_balancers
                        .get(&p)
                        .and_then(|a| a.get(LB_DELETION_PROTECTION))
                        .is_some_and(|v| v == "true") =>
                {
                    Some(format!(
                        "Load balancer '{p}' cannot be deleted because deletion protection is enabled"
                    ))
                }
                "AWS::S3::Bucket" if st.buckets.get(&p).is_some_and(|o| !o.is_empty()) => Some(
                    "The bucket you tried to delete is not empty (Error Code: BucketNotEmpty)"
                        .to_string(),
                ),
                _ => None,
            };
            match reason {
                Some(r) if !force => {
                    push_event(
                        &mut st,
                        &key,
                        id,
                        ty,
                        ResourceStatus::DeleteFailed,
                        Some(&r),
                    );
                    failed.insert(id.clone(), r);
                }
                _ => {
                    push_event(&mut st, &key, id, ty, ResourceStatus::DeleteComplete, None);
                    st.load_balancers.remove(&p);
                    if ty == "AWS::S3::Bucket" {
                        st.buckets.remove(&p);
                    }
                    st.stacks.get_mut(&key).unwrap().resources.remove(id);
                }
            }
        }
        if !failed.is_empty() {
            let reason = format!(
                "The following resource(s) failed to delete: [{}]. ",
                failed.keys().cloned().collect::<Vec<_>>().join(", ")
            );
            push_event(
                &mut st,
                &key,
                stack_name,
                StackEvent::STACK_TYPE,
                ResourceStatus::DeleteFailed,
                Some(&reason),
            );
            let s = st.stacks.get_mut(&key).unwrap();
            s.status = Some(StackStatus::DeleteFailed);
            s.reason = Some(reason);
            s.failed = failed;
            return Ok(());
        }
        push_event(
            &mut st,
            &key,
            stack_name,
            StackEvent::STACK_TYPE,
            ResourceStatus::DeleteComplete,
            None,
        );
        // Deleted stacks are found only by id afterwards.
        let mut s = st.stacks.remove(&key).unwrap();
        s.status = None;
        let id = s.id.clone();
        st.stacks.insert((region, id), s);
        Ok(())
    }

    async fn describe_global_cluster(
        &self,
        _region: Region,
        id: &str,
    ) -> CloudResult<Option<GlobalCluster>> {
        self.log("describe_global_cluster", id);
        Ok(self.state.lock().unwrap().global_clusters.get(id).cloned())
    }
    async fn describe_db_cluster(
        &self,
        _region: Region,
        id: &str,
    ) -> CloudResult<Option<DbCluster>> {
        self.log("describe_db_cluster", id);
        Ok(self.state.lock().unwrap().db_clusters.get(id).cloned())
    }
    async fn describe_db_clusters(&self, _region: Region) -> CloudResult<Vec<DbCluster>> {
        Ok(self
            .state
            .lock()
            .unwrap()
            .db_clusters
            .values()
            .cloned()
            .collect())
    }
    async fn switchover_global_cluster(
        &self,
        _: Region,
        _: &str,
        _: &str,
    ) -> CloudResult<GlobalCluster> {
        Err(CloudError::not_implemented("SwitchoverGlobalCluster"))
    }
    async fn failover_global_cluster(
        &self,
        _: Region,
        _: &str,
        _: &str,
        _: bool,
    ) -> CloudResult<GlobalCluster> {
        Err(CloudError::not_implemented("FailoverGlobalCluster"))
    }
    async fn modify_db_cluster_deletion_protection(
        &self,
        _: Region,
        id: &str,
        enabled: bool,
    ) -> CloudResult<DbCluster> {
        self.log("modify_db_cluster_deletion_protection", id);
        let mut st = self.state.lock().unwrap();
        let c = st.db_clusters.get_mut(id).unwrap();
        c.deletion_protection = enabled;
        Ok(c.clone())
    }
    async fn modify_global_cluster_deletion_protection(
        &self,
        _: Region,
        id: &str,
        enabled: bool,
    ) -> CloudResult<GlobalCluster> {
        self.log("modify_global_cluster_deletion_protection", id);
        let mut st = self.state.lock().unwrap();
        let g = st.global_clusters.get_mut(id).unwrap();
        g.deletion_protection = enabled;
        Ok(g.clone())
    }
    async fn remove_from_global_cluster(
        &self,
        _: Region,
        global: &str,
        arn: &str,
    ) -> CloudResult<GlobalCluster> {
        self.log("remove_from_global_cluster", global);
        let mut st = self.state.lock().unwrap();
        for c in st.db_clusters.values_mut() {
            if c.arn == arn {
                c.global_cluster_identifier = None;
            }
        }
        let g = st.global_clusters.get_mut(global).unwrap();
        g.members.retain(|m| m.db_cluster_arn != arn);
        Ok(g.clone())
    }
    async fn describe_cluster_events(
        &self,
        _: Region,
        _: &str,
        _: Timestamp,
    ) -> CloudResult<Vec<RdsEvent>> {
        Err(CloudError::not_implemented("DescribeEvents"))
    }
    async fn describe_instance_events(
        &self,
        _: Region,
        _: &str,
        _: Timestamp,
    ) -> CloudResult<Vec<RdsEvent>> {
        Err(CloudError::not_implemented("DescribeEvents"))
    }
    async fn describe_db_cluster_snapshots(
        &self,
        _: Region,
        _: &str,
    ) -> CloudResult<Vec<DbClusterSnapshot>> {
        Err(CloudError::not_implemented("DescribeDBClusterSnapshots"))
    }
    async fn describe_alarms(&self, _: Region, _: &[String]) -> CloudResult<Vec<MetricAlarm>> {
        Err(CloudError::not_implemented("DescribeAlarms"))
    }
    async fn test_dns_answer(
        &self,
        _: Region,
        _: &str,
        _: &str,
        _: &str,
    ) -> CloudResult<DnsAnswer> {
        Err(CloudError::not_implemented("TestDNSAnswer"))
    }
    async fn resolve_addresses(&self, _: &str) -> CloudResult<Vec<String>> {
        Err(CloudError::not_implemented("DNS lookup"))
    }
    async fn get_metric_statistics(
        &self,
        _: Region,
        _: MetricQuery,
    ) -> CloudResult<Vec<Datapoint>> {
        Err(CloudError::not_implemented("GetMetricStatistics"))
    }
    async fn list_metric_dimensions(
        &self,
        _: Region,
        _: &str,
        _: &str,
    ) -> CloudResult<Vec<Vec<Dimension>>> {
        Err(CloudError::not_implemented("ListMetrics"))
    }
    async fn put_metric_data(&self, _: Region, _: &str, _: Vec<MetricDatum>) -> CloudResult<()> {
        Err(CloudError::not_implemented("PutMetricData"))
    }
    async fn describe_target_health(&self, _: Region, _: &str) -> CloudResult<Vec<TargetHealth>> {
        Err(CloudError::not_implemented("DescribeTargetHealth"))
    }
    async fn get_health_check(&self, _: Region, _: &str) -> CloudResult<HealthCheck> {
        Err(CloudError::not_implemented("GetHealthCheck"))
    }
    async fn get_health_check_status(&self, _: Region, _: &str) -> CloudResult<HealthCheckStatus> {
        Err(CloudError::not_implemented("GetHealthCheckStatus"))
    }
    async fn update_health_check(
        &self,
        _: Region,
        _: &str,
        _: HealthCheckUpdate,
    ) -> CloudResult<HealthCheck> {
        Err(CloudError::not_implemented("UpdateHealthCheck"))
    }
    async fn list_resource_record_sets(
        &self,
        _: Region,
        _: &str,
    ) -> CloudResult<Vec<ResourceRecordSet>> {
        Err(CloudError::not_implemented("ListResourceRecordSets"))
    }
    async fn change_resource_record_sets(
        &self,
        _: Region,
        _: &str,
        _: Vec<RecordChange>,
        _: Option<String>,
    ) -> CloudResult<ChangeInfo> {
        Err(CloudError::not_implemented("ChangeResourceRecordSets"))
    }
    async fn get_change(&self, _: Region, _: &str) -> CloudResult<ChangeInfo> {
        Err(CloudError::not_implemented("GetChange"))
    }
    async fn get_parameter(&self, _region: Region, name: &str) -> CloudResult<SsmParameter> {
        self.log("get_parameter", name);
        let st = self.state.lock().unwrap();
        st.ssm
            .get(name)
            .map(|v| SsmParameter {
                name: name.into(),
                value: v.clone(),
                version: 1,
            })
            .ok_or_else(|| CloudError::not_found("GetParameter", name, "ParameterNotFound"))
    }
    async fn get_caller_identity(&self, _: Region) -> CloudResult<CallerIdentity> {
        Ok(CallerIdentity {
            account: "123456789012".into(),
            arn: "arn:aws:iam::123456789012:root".into(),
            user_id: "x".into(),
        })
    }
    async fn put_object(
        &self,
        region: Region,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> CloudResult<String> {
        self.log("put_object", key);
        let url = format!("https://{bucket}.s3.{region}.amazonaws.com/{key}");
        self.state.lock().unwrap().objects.insert(url.clone(), body);
        Ok(url)
    }
    async fn describe_load_balancer_attributes(
        &self,
        _: Region,
        arn: &str,
    ) -> CloudResult<LoadBalancerAttributes> {
        self.log("describe_load_balancer_attributes", arn);
        let st = self.state.lock().unwrap();
        st.load_balancers
            .get(arn)
            .map(|a| LoadBalancerAttributes { values: a.clone() })
            .ok_or_else(|| {
                CloudError::not_found(
                    "DescribeLoadBalancerAttributes",
                    arn,
                    "LoadBalancerNotFound",
                )
            })
    }
    async fn modify_load_balancer_attributes(
        &self,
        _: Region,
        arn: &str,
        attributes: Vec<(String, String)>,
    ) -> CloudResult<LoadBalancerAttributes> {
        self.log("modify_load_balancer_attributes", arn);
        let mut st = self.state.lock().unwrap();
        let a = st.load_balancers.get_mut(arn).ok_or_else(|| {
            CloudError::not_found("ModifyLoadBalancerAttributes", arn, "LoadBalancerNotFound")
        })?;
        a.extend(attributes);
        Ok(LoadBalancerAttributes { values: a.clone() })
    }
    async fn list_object_versions(
        &self,
        _: Region,
        bucket: &str,
    ) -> CloudResult<Vec<ObjectVersion>> {
        self.log("list_object_versions", bucket);
        let st = self.state.lock().unwrap();
        st.buckets
            .get(bucket)
            .cloned()
            .ok_or_else(|| CloudError::not_found("ListObjectVersions", bucket, "NoSuchBucket"))
    }
    async fn delete_objects(
        &self,
        _: Region,
        bucket: &str,
        objects: Vec<ObjectVersion>,
    ) -> CloudResult<()> {
        self.log("delete_objects", bucket);
        let mut st = self.state.lock().unwrap();
        let b = st
            .buckets
            .get_mut(bucket)
            .ok_or_else(|| CloudError::not_found("DeleteObjects", bucket, "NoSuchBucket"))?;
        b.retain(|o| !objects.contains(o));
        let late = std::mem::take(&mut st.late_logs);
        st.buckets.get_mut(bucket).unwrap().extend(late);
        Ok(())
    }
}
