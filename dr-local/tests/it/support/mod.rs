//! Helpers shared by the local simulator's tests: deploy a template through the `Cloud` port
//! the way the engine does (change set, wait, execute, poll with the backend's clock).

#![allow(dead_code)]

use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{
    ChangeSetDescription, ChangeSetType, Cloud, CreateChangeSetInput, ParameterValue, StackEvent,
    StackStatus, TemplateSource,
};
use dr_local::LocalCloud;
use serde_json::Value;

/// Creates a change set (CREATE or UPDATE as the stack's state says) and waits for it.
pub async fn change_set(
    cloud: &LocalCloud,
    region: Region,
    stack: &str,
    template: &Value,
    params: &[(&str, &str)],
    name: &str,
) -> ChangeSetDescription {
    let existing = cloud.describe_stack(region, stack).await.expect("describe");
    let kind = match existing {
        Some(s) if s.status != StackStatus::ReviewInProgress => ChangeSetType::Update,
        _ => ChangeSetType::Create,
    };
    let input = CreateChangeSetInput {
        stack_name: stack.into(),
        change_set_name: name.into(),
        change_set_type: kind,
        template: TemplateSource::Body(serde_json::to_string(template).expect("json")),
        parameters: params
            .iter()
            .map(|(k, v)| ParameterValue {
                key: (*k).into(),
                value: (*v).into(),
            })
            .collect(),
        capabilities: vec![],
        tags: vec![],
        description: None,
        client_token: None,
    };
    let r = cloud
        .create_change_set(region, input)
        .await
        .expect("create change set");
    loop {
        let d = cloud
            .describe_change_set(region, stack, &r.id)
            .await
            .expect("describe change set");
        if d.status.is_terminal() {
            return d;
        }
        cloud.sleep(Duration::from_secs(1)).await;
    }
}

/// Polls until the stack settles; returns the final status.
pub async fn wait(cloud: &LocalCloud, region: Region, stack: &str) -> StackStatus {
    loop {
        match cloud.describe_stack(region, stack).await.expect("describe") {
            None => return StackStatus::DeleteComplete,
            Some(s) if s.status.is_terminal() => return s.status,
            Some(_) => cloud.sleep(Duration::from_secs(5)).await,
        }
    }
}

/// Change set, execute, wait. Returns the change set and the final status.
pub async fn deploy(
    cloud: &LocalCloud,
    region: Region,
    stack: &str,
    template: &Value,
    params: &[(&str, &str)],
) -> (ChangeSetDescription, StackStatus) {
    let n = cloud.call_log().len();
    let cs = change_set(
        cloud,
        region,
        stack,
        template,
        params,
        &format!("drkit-{n}"),
    )
    .await;
    if cs.status.as_str() == "FAILED" {
        return (
            cs,
            cloud
                .describe_stack(region, stack)
                .await
                .expect("describe")
                .map(|s| s.status)
                .unwrap_or(StackStatus::DeleteComplete),
        );
    }
    cloud
        .execute_change_set(region, stack, &cs.change_set_id)
        .await
        .expect("execute");
    let status = wait(cloud, region, stack).await;
    (cs, status)
}

/// The stack's events, oldest first, as (logical id, status, reason).
pub async fn events(
    cloud: &LocalCloud,
    region: Region,
    stack: &str,
) -> Vec<(String, String, Option<String>)> {
    let mut ev: Vec<StackEvent> = cloud
        .describe_stack_events(region, stack, None)
        .await
        .expect("events");
    ev.reverse();
    ev.into_iter()
        .map(|e| (e.logical_id, e.status.as_str().to_string(), e.status_reason))
        .collect()
}
