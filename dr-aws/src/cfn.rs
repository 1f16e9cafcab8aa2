//! CloudFormation operations.
//!
//! API reference: <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/>.

use aws_sdk_cloudformation::types as sdk;
use dr_core::Region;
use dr_core::cloud::{
    Capability, ChangeAction, ChangeSetDescription, ChangeSetRef, ChangeSetStatus, ChangeSetType,
    ChangeSource, CloudError, CloudResult, CreateChangeSetInput, DeleteStackInput, Evaluation,
    ExecuteChangeSetInput, ExecutionStatus, ParameterValue, Replacement, RequiresRecreation,
    ResourceAttribute, ResourceChange, ResourceChangeDetail, ResourceStatus, StackDescription,
    StackEvent, StackOutput, StackParameter, StackResource, StackStatus, Tag, TemplateSource,
    Timestamp,
};

use super::Clients;
use super::convert::{next_page, required, s, ts, ts_opt};

fn stack_res(name: &str) -> String {
    format!("stack {name}")
}

/// `DescribeStacks` for one stack. A missing stack is a `ValidationError` "Stack with id X
/// does not exist" (mapped to `NotFound`), which becomes `None`; so does a deleted stack, which
/// AWS still describes (as `DELETE_COMPLETE`) when asked by stack id.
pub(crate) async fn describe_stack(
    c: &Clients,
    region: Region,
    stack_name: &str,
) -> CloudResult<Option<StackDescription>> {
    let res = stack_res(stack_name);
    let call = c.call("DescribeStacks", region, &res);
    let out = match c.cfn.describe_stacks().stack_name(stack_name).send().await {
        Ok(out) => out,
        Err(e) => return call.absent(e),
    };
    let Some(stack) = out.stacks().first() else {
        return Ok(None);
    };
    let d = stack_description(stack)?;
    Ok((d.status != StackStatus::DeleteComplete).then_some(d))
}

fn stack_description(st: &sdk::Stack) -> CloudResult<StackDescription> {
    const OP: &str = "DescribeStacks";
    Ok(StackDescription {
        stack_id: required(OP, "StackId", st.stack_id())?,
        stack_name: required(OP, "StackName", st.stack_name())?,
        status: StackStatus::from_aws(
            st.stack_status()
                .map(|x| x.as_str())
                .ok_or_else(|| CloudError::other(OP, "the answer has no StackStatus"))?,
        ),
        status_reason: s(st.stack_status_reason()),
        outputs: st
            .outputs()
            .iter()
            .filter_map(|o| {
                Some(StackOutput {
                    key: o.output_key()?.to_string(),
                    value: o.output_value().unwrap_or_default().to_string(),
                    description: s(o.description()),
                    export_name: s(o.export_name()),
                })
            })
            .collect(),
        parameters: st
            .parameters()
            .iter()
            .filter_map(|p| {
                Some(StackParameter {
                    key: p.parameter_key()?.to_string(),
                    value: p.parameter_value().unwrap_or_default().to_string(),
                    resolved_value: s(p.resolved_value()),
                })
            })
            .collect(),
        termination_protection: st.enable_termination_protection().unwrap_or(false),
        capabilities: st
            .capabilities()
            .iter()
            .filter_map(|c| match c {
                sdk::Capability::CapabilityIam => Some(Capability::Iam),
                sdk::Capability::CapabilityNamedIam => Some(Capability::NamedIam),
                // CAPABILITY_AUTO_EXPAND and future ones: drkit never asks for them.
                _ => None,
            })
            .collect(),
        tags: st
            .tags()
            .iter()
            .filter_map(|t| {
                Some(Tag {
                    key: t.key()?.to_string(),
                    value: t.value().unwrap_or_default().to_string(),
                })
            })
            .collect(),
        creation_time: ts_opt(st.creation_time()),
        last_updated_time: ts_opt(st.last_updated_time()),
    })
}

/// `CreateChangeSet`.
pub(crate) async fn create_change_set(
    c: &Clients,
    region: Region,
    input: CreateChangeSetInput,
) -> CloudResult<ChangeSetRef> {
    const OP: &str = "CreateChangeSet";
    let res = stack_res(&input.stack_name);
    let call = c.call(OP, region, &res);
    let mut req = c
        .cfn
        .create_change_set()
        .stack_name(&input.stack_name)
        .change_set_name(&input.change_set_name)
        .change_set_type(match input.change_set_type {
            ChangeSetType::Create => sdk::ChangeSetType::Create,
            ChangeSetType::Update => sdk::ChangeSetType::Update,
            other => sdk::ChangeSetType::from(other.as_str()),
        })
        // Empty lists are left out rather than sent empty: for a stack update an empty Tags
        // list means "remove every tag", an absent one "leave them" (UpdateStack API
        // reference; CreateChangeSet documents no difference, so the safe form is used).
        .set_parameters(non_empty(
            input
                .parameters
                .iter()
                .map(|p| {
                    sdk::Parameter::builder()
                        .parameter_key(&p.key)
                        .parameter_value(&p.value)
                        .build()
                })
                .collect(),
        ))
        .set_capabilities(non_empty(
            input
                .capabilities
                .iter()
                .map(|cap| sdk::Capability::from(cap.as_str()))
                .collect(),
        ))
        .set_tags(non_empty(
            input
                .tags
                .iter()
                .map(|t| sdk::Tag::builder().key(&t.key).value(&t.value).build())
                .collect(),
        ))
        .set_description(input.description.clone())
        .set_client_token(input.client_token.clone());
    req = match &input.template {
        TemplateSource::Body(b) => req.template_body(b),
        TemplateSource::Url(u) => req.template_url(u),
    };
    let out = req.send().await.map_err(|e| call.map(e))?;
    Ok(ChangeSetRef {
        id: required(OP, "Id", out.id())?,
        stack_id: required(OP, "StackId", out.stack_id())?,
    })
}

fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// `DescribeChangeSet`, every page of changes.
pub(crate) async fn describe_change_set(
    c: &Clients,
    region: Region,
    stack_name: &str,
    change_set: &str,
) -> CloudResult<ChangeSetDescription> {
    const OP: &str = "DescribeChangeSet";
    let res = format!("change set {change_set} of stack {stack_name}");
    let call = c.call(OP, region, &res);
    let mut token: Option<String> = None;
    let mut desc: Option<ChangeSetDescription> = None;
    loop {
        let out = c
            .cfn
            .describe_change_set()
            .change_set_name(change_set)
            .stack_name(stack_name)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| call.map(e))?;
        let changes = out
            .changes()
            .iter()
            .filter_map(|ch| ch.resource_change())
            .map(resource_change)
            .collect::<Vec<_>>();
        match &mut desc {
            Some(d) => d.changes.extend(changes),
            None => {
                desc = Some(ChangeSetDescription {
                    change_set_id: required(OP, "ChangeSetId", out.change_set_id())?,
                    change_set_name: out.change_set_name().unwrap_or(change_set).to_string(),
                    stack_id: required(OP, "StackId", out.stack_id())?,
                    stack_name: out.stack_name().unwrap_or(stack_name).to_string(),
                    status: ChangeSetStatus::from_aws(
                        out.status()
                            .map(|x| x.as_str())
                            .ok_or_else(|| CloudError::other(OP, "the answer has no Status"))?,
                    ),
                    execution_status: out
                        .execution_status()
                        .map(|x| ExecutionStatus::from_aws(x.as_str()))
                        .unwrap_or(ExecutionStatus::Unavailable),
                    status_reason: s(out.status_reason()),
                    changes,
                    parameters: out
                        .parameters()
                        .iter()
                        .filter_map(|p| {
                            Some(ParameterValue {
                                key: p.parameter_key()?.to_string(),
                                value: p.parameter_value().unwrap_or_default().to_string(),
                            })
                        })
                        .collect(),
                    creation_time: ts_opt(out.creation_time()),
                })
            }
        }
        token = next_page(OP, token.as_deref(), out.next_token())?;
        if token.is_none() {
            break;
        }
    }
    desc.ok_or_else(|| CloudError::other(OP, "no page was read"))
}

fn resource_change(rc: &sdk::ResourceChange) -> ResourceChange {
    ResourceChange {
        action: rc
            .action()
            .map(|a| ChangeAction::from_aws(a.as_str()))
            .unwrap_or(ChangeAction::Other(String::new())),
        logical_id: rc.logical_resource_id().unwrap_or_default().to_string(),
        physical_id: s(rc.physical_resource_id()).filter(|p| !p.is_empty()),
        resource_type: rc.resource_type().unwrap_or_default().to_string(),
        replacement: rc.replacement().map(|r| Replacement::from_aws(r.as_str())),
        scope: rc
            .scope()
            .iter()
            .map(|a| ResourceAttribute::from_aws(a.as_str()))
            .collect(),
        details: rc
            .details()
            .iter()
            .map(|d| {
                let target = d.target();
                ResourceChangeDetail {
                    attribute: target
                        .and_then(|t| t.attribute())
                        .map(|a| ResourceAttribute::from_aws(a.as_str()))
                        .unwrap_or(ResourceAttribute::Other(String::new())),
                    name: s(target.and_then(|t| t.name())),
                    requires_recreation: target
                        .and_then(|t| t.requires_recreation())
                        .map(|r| RequiresRecreation::from_aws(r.as_str())),
                    evaluation: d.evaluation().map(|e| Evaluation::from_aws(e.as_str())),
                    change_source: d
                        .change_source()
                        .map(|x| ChangeSource::from_aws(x.as_str())),
                    causing_entity: s(d.causing_entity()),
                }
            })
            .collect(),
    }
}

/// `ExecuteChangeSet`, with its `ClientRequestToken` (so the SDK's retry of a call whose answer
/// was lost is the same request, not a second execution answered `InvalidChangeSetStatus`) and
/// `RetainExceptOnCreate` ("ExecuteChangeSet",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html>).
pub(crate) async fn execute_change_set(
    c: &Clients,
    region: Region,
    input: ExecuteChangeSetInput,
) -> CloudResult<()> {
    let res = format!(
        "change set {} of stack {}",
        input.change_set, input.stack_name
    );
    let call = c.call("ExecuteChangeSet", region, &res);
    c.cfn
        .execute_change_set()
        .change_set_name(&input.change_set)
        .stack_name(&input.stack_name)
        .set_client_request_token(input.client_request_token)
        // Sent only when asked for: AWS's default is false, and an emulator that does not know
        // the field is not sent it.
        .set_retain_except_on_create(input.retain_except_on_create.then_some(true))
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(())
}

/// `DeleteChangeSet`.
pub(crate) async fn delete_change_set(
    c: &Clients,
    region: Region,
    stack_name: &str,
    change_set: &str,
) -> CloudResult<()> {
    let res = format!("change set {change_set} of stack {stack_name}");
    let call = c.call("DeleteChangeSet", region, &res);
    c.cfn
        .delete_change_set()
        .change_set_name(change_set)
        .stack_name(stack_name)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(())
}

/// `DescribeStackEvents`, newest first, paging until the end or until `stop_at`.
pub(crate) async fn describe_stack_events(
    c: &Clients,
    region: Region,
    stack_name: &str,
    stop_at: Option<&str>,
) -> CloudResult<Vec<StackEvent>> {
    const OP: &str = "DescribeStackEvents";
    let res = stack_res(stack_name);
    let call = c.call(OP, region, &res);
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = c
            .cfn
            .describe_stack_events()
            .stack_name(stack_name)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| call.map(e))?;
        for e in out.stack_events() {
            let event_id = required(OP, "EventId", e.event_id())?;
            if Some(event_id.as_str()) == stop_at {
                return Ok(events);
            }
            events.push(stack_event(e, event_id, stack_name));
        }
        token = next_page(OP, token.as_deref(), out.next_token())?;
        if token.is_none() {
            return Ok(events);
        }
    }
}

/// The newest event: the first of `DescribeStackEvents`' first page, which lists events newest
/// first, so the rest of a long history is never read.
pub(crate) async fn describe_newest_stack_event(
    c: &Clients,
    region: Region,
    stack_name: &str,
) -> CloudResult<Option<StackEvent>> {
    const OP: &str = "DescribeStackEvents";
    let res = stack_res(stack_name);
    let call = c.call(OP, region, &res);
    let out = c
        .cfn
        .describe_stack_events()
        .stack_name(stack_name)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    match out.stack_events().first() {
        Some(e) => Ok(Some(stack_event(
            e,
            required(OP, "EventId", e.event_id())?,
            stack_name,
        ))),
        None => Ok(None),
    }
}

fn stack_event(e: &sdk::StackEvent, event_id: String, stack_name: &str) -> StackEvent {
    StackEvent {
        event_id,
        stack_id: e.stack_id().unwrap_or_default().to_string(),
        stack_name: e.stack_name().unwrap_or(stack_name).to_string(),
        logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
        physical_id: s(e.physical_resource_id()).filter(|p| !p.is_empty()),
        resource_type: e.resource_type().unwrap_or_default().to_string(),
        timestamp: e.timestamp().map(ts).unwrap_or(Timestamp::EPOCH),
        status: e
            .resource_status()
            .map(|x| ResourceStatus::from_aws(x.as_str()))
            .unwrap_or(ResourceStatus::Other(String::new())),
        status_reason: s(e.resource_status_reason()),
        detailed_status: e.detailed_status().map(|d| d.as_str().to_string()),
    }
}

/// The port's `describe_stack_resources`, served by `ListStackResources` (all pages):
/// `DescribeStackResources` returns only the first 100 resources ("If your stack has more
/// resources than this, you should use ListStackResources instead", [DescribeStackResources](https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html)),
/// and a stack may hold 500 ("CloudFormation quotas",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>),
/// so the physical-id check after a deploy needs every page.
pub(crate) async fn describe_stack_resources(
    c: &Clients,
    region: Region,
    stack_name: &str,
) -> CloudResult<Vec<StackResource>> {
    const OP: &str = "ListStackResources";
    let res = stack_res(stack_name);
    let call = c.call(OP, region, &res);
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = c
            .cfn
            .list_stack_resources()
            .stack_name(stack_name)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| call.map(e))?;
        all.extend(out.stack_resource_summaries().iter().map(|r| {
            StackResource {
                logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                physical_id: s(r.physical_resource_id()).filter(|p| !p.is_empty()),
                resource_type: r.resource_type().unwrap_or_default().to_string(),
                status: r
                    .resource_status()
                    .map(|x| ResourceStatus::from_aws(x.as_str()))
                    .unwrap_or(ResourceStatus::Other(String::new())),
                status_reason: s(r.resource_status_reason()),
                timestamp: r
                    .last_updated_timestamp()
                    .map(ts)
                    .unwrap_or(Timestamp::EPOCH),
            }
        }));
        token = next_page(OP, token.as_deref(), out.next_token())?;
        if token.is_none() {
            return Ok(all);
        }
    }
}

/// `GetTemplate` with `TemplateStage=Original`: the body as submitted, not the processed one
/// (which differs once transforms run).
pub(crate) async fn get_template(
    c: &Clients,
    region: Region,
    stack_name: &str,
) -> CloudResult<String> {
    const OP: &str = "GetTemplate";
    let res = stack_res(stack_name);
    let call = c.call(OP, region, &res);
    let out = c
        .cfn
        .get_template()
        .stack_name(stack_name)
        .template_stage(sdk::TemplateStage::Original)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    required(OP, "TemplateBody", out.template_body())
}

/// `SetStackPolicy`.
pub(crate) async fn set_stack_policy(
    c: &Clients,
    region: Region,
    stack_name: &str,
    policy_body: &str,
) -> CloudResult<()> {
    let res = stack_res(stack_name);
    let call = c.call("SetStackPolicy", region, &res);
    c.cfn
        .set_stack_policy()
        .stack_name(stack_name)
        .stack_policy_body(policy_body)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(())
}

/// `GetStackPolicy`.
pub(crate) async fn get_stack_policy(
    c: &Clients,
    region: Region,
    stack_name: &str,
) -> CloudResult<Option<String>> {
    let res = stack_res(stack_name);
    let call = c.call("GetStackPolicy", region, &res);
    let out = c
        .cfn
        .get_stack_policy()
        .stack_name(stack_name)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(s(out.stack_policy_body()).filter(|b| !b.is_empty()))
}

/// `UpdateTerminationProtection`.
pub(crate) async fn update_termination_protection(
    c: &Clients,
    region: Region,
    stack_name: &str,
    enabled: bool,
) -> CloudResult<()> {
    let res = stack_res(stack_name);
    let call = c.call("UpdateTerminationProtection", region, &res);
    c.cfn
        .update_termination_protection()
        .stack_name(stack_name)
        .enable_termination_protection(enabled)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(())
}

/// `DeleteStack`, with `RetainResources`, `DeletionMode` and `ClientRequestToken` when given
/// ("DeleteStack", <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStack.html>).
pub(crate) async fn delete_stack(
    c: &Clients,
    region: Region,
    input: DeleteStackInput,
) -> CloudResult<()> {
    let res = stack_res(&input.stack_name);
    let call = c.call("DeleteStack", region, &res);
    c.cfn
        .delete_stack()
        .stack_name(&input.stack_name)
        .set_retain_resources(non_empty(input.retain_resources))
        .set_deletion_mode(
            input
                .deletion_mode
                .map(|m| sdk::DeletionMode::from(m.as_str())),
        )
        .set_client_request_token(input.client_request_token)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(())
}
