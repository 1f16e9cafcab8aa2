//! Conversions from the simulator's state to the port's types.

use dr_core::cloud::{self, Timestamp};
use indexmap::IndexMap;

use super::clock::SimTime;
use super::services;
use super::state::{self, Stack, World};

pub fn ts(t: SimTime) -> Timestamp {
    t.into()
}

pub fn stack_description(s: &Stack, now: SimTime) -> cloud::StackDescription {
    let (status, reason) = s.status_at(now);
    cloud::StackDescription {
        stack_id: s.id.clone(),
        stack_name: s.name.clone(),
        status: cloud::StackStatus::from_aws(&status),
        status_reason: reason.filter(|r| r != "User Initiated" || status.ends_with("_IN_PROGRESS")),
        outputs: s.outputs.clone(),
        parameters: s
            .parameters
            .iter()
            .map(|p| cloud::StackParameter {
                key: p.key.clone(),
                // NoEcho values are masked in DescribeStacks.
                value: if p.no_echo {
                    "****".into()
                } else {
                    p.value.clone()
                },
                resolved_value: p.resolved_value.clone(),
            })
            .collect(),
        termination_protection: s.termination_protection,
        capabilities: vec![],
        tags: vec![],
        creation_time: Some(ts(s.created)),
        last_updated_time: s.last_updated.map(ts),
    }
}

/// The resources as `DescribeStackResources` shows them at `now`: the committed ones, with
/// the events of an operation in flight applied on top.
pub fn stack_resources(s: &Stack, now: SimTime) -> Vec<cloud::StackResource> {
    let mut map: IndexMap<String, cloud::StackResource> = s
        .resources
        .values()
        .map(|r| {
            (
                r.logical_id.clone(),
                cloud::StackResource {
                    logical_id: r.logical_id.clone(),
                    physical_id: Some(r.physical_id.clone()),
                    resource_type: r.type_name.clone(),
                    status: cloud::ResourceStatus::from_aws(&r.status),
                    status_reason: r.status_reason.clone(),
                    timestamp: ts(r.last_updated),
                },
            )
        })
        .collect();
    if let Some(op) = &s.op {
        for e in s.events.iter().filter(|e| {
            e.timestamp >= ts(op.start) && e.timestamp <= ts(now) && !e.is_stack_event()
        }) {
            if matches!(e.status.as_str(), "DELETE_COMPLETE" | "DELETE_SKIPPED") {
                // A replaced resource's old physical id being deleted leaves the new one.
                if map
                    .get(&e.logical_id)
                    .is_some_and(|r| r.physical_id == e.physical_id)
                    || e.physical_id.is_none()
                {
                    map.shift_remove(&e.logical_id);
                }
                continue;
            }
            let entry = map
                .entry(e.logical_id.clone())
                .or_insert_with(|| cloud::StackResource {
                    logical_id: e.logical_id.clone(),
                    physical_id: None,
                    resource_type: e.resource_type.clone(),
                    status: e.status.clone(),
                    status_reason: None,
                    timestamp: e.timestamp,
                });
            if e.status.as_str() == "DELETE_IN_PROGRESS" && entry.physical_id != e.physical_id {
                continue;
            }
            if e.physical_id.is_some() {
                entry.physical_id = e.physical_id.clone();
            }
            entry.status = e.status.clone();
            entry.status_reason = e.status_reason.clone();
            entry.timestamp = e.timestamp;
        }
    }
    map.into_values().collect()
}

pub fn change_set(s: &Stack, c: &state::ChangeSet, now: SimTime) -> cloud::ChangeSetDescription {
    let ready = now >= c.ready_at;
    cloud::ChangeSetDescription {
        change_set_id: c.id.clone(),
        change_set_name: c.name.clone(),
        stack_id: s.id.clone(),
        stack_name: s.name.clone(),
        status: cloud::ChangeSetStatus::from_aws(if ready {
            &c.final_status
        } else {
            "CREATE_IN_PROGRESS"
        }),
        execution_status: cloud::ExecutionStatus::from_aws(if ready {
            &c.execution_status
        } else {
            "UNAVAILABLE"
        }),
        status_reason: if ready { c.status_reason.clone() } else { None },
        changes: if ready { c.changes.clone() } else { vec![] },
        parameters: c
            .parameters
            .iter()
            .map(|p| cloud::ParameterValue {
                key: p.key.clone(),
                value: p.value.clone(),
            })
            .collect(),
        creation_time: Some(ts(c.created)),
    }
}

pub fn global_cluster(g: &state::GlobalCluster, now: SimTime) -> cloud::GlobalCluster {
    let readers: Vec<String> = g
        .members
        .iter()
        .filter(|m| !m.is_writer)
        .map(|m| m.cluster_arn.clone())
        .collect();
    cloud::GlobalCluster {
        identifier: g.id.clone(),
        arn: g.arn.clone(),
        status: services::global_status(g).to_string(),
        engine: Some(g.engine.clone()).filter(|e| !e.is_empty()),
        engine_version: Some(g.engine_version.clone()).filter(|e| !e.is_empty()),
        endpoint: Some(g.endpoint.clone()),
        members: g
            .members
            .iter()
            .map(|m| cloud::GlobalClusterMember {
                db_cluster_arn: m.cluster_arn.clone(),
                is_writer: m.is_writer,
                readers: if m.is_writer { readers.clone() } else { vec![] },
                synchronization_status: (!m.is_writer)
                    .then(|| cloud::SynchronizationStatus::from_aws(&m.synchronization_status)),
            })
            .collect(),
        failover_state: g.failover.as_ref().map(|f| cloud::FailoverState {
            status: cloud::FailoverStatus::from_aws(services::failover_status(f, now)),
            from_db_cluster_arn: Some(f.from_arn.clone()).filter(|a| !a.is_empty()),
            to_db_cluster_arn: Some(f.to_arn.clone()),
            is_data_loss_allowed: f.data_loss_allowed,
        }),
        deletion_protection: g.deletion_protection,
    }
}

pub fn db_cluster(w: &World, c: &state::DbCluster) -> cloud::DbCluster {
    // The writer instance is the first one of the global writer (or of a standalone cluster).
    let is_primary = c
        .global_cluster_id
        .as_ref()
        .and_then(|g| w.global_clusters.get(g))
        .is_none_or(|g| {
            g.members
                .iter()
                .any(|m| m.cluster_arn == c.arn && m.is_writer)
        });
    cloud::DbCluster {
        identifier: c.id.clone(),
        arn: c.arn.clone(),
        status: c.status.clone(),
        engine: c.engine.clone(),
        engine_version: c.engine_version.clone(),
        endpoint: Some(c.endpoint.clone()),
        reader_endpoint: Some(c.reader_endpoint.clone()),
        global_cluster_identifier: c.global_cluster_id.clone(),
        deletion_protection: c.deletion_protection,
        members: c
            .instances
            .iter()
            .enumerate()
            .map(|(i, id)| cloud::DbClusterMember {
                instance_identifier: id.clone(),
                is_writer: is_primary && i == 0,
            })
            .collect(),
    }
}

pub fn health_check(h: &state::HealthCheck) -> cloud::HealthCheck {
    cloud::HealthCheck {
        id: h.id.clone(),
        check_type: h.check_type.clone(),
        inverted: h.inverted,
        disabled: h.disabled,
        version: i64::try_from(h.version).unwrap_or(i64::MAX),
    }
}
