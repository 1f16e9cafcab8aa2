//! Conversions from the simulator's state to the port's types.

use dr_core::cloud::{self, Timestamp};
use indexmap::IndexMap;

use super::clock::SimTime;
use super::services;
use super::state::{self, Stack, World};

pub fn ts(t: SimTime) -> Timestamp {
    Timestamp::from_millis(i64::try_from(t.as_millis()).unwrap_or(i64::MAX))
}

pub fn event(e: &state::StackEvent) -> cloud::StackEvent {
    cloud::StackEvent {
        event_id: e.event_id.clone(),
        stack_id: e.stack_id.clone(),
        stack_name: e.stack_name.clone(),
        logical_id: e.logical_id.clone(),
        physical_id: e.physical_id.clone(),
        resource_type: e.resource_type.clone(),
        timestamp: ts(e.timestamp),
        status: cloud::ResourceStatus::from_aws(&e.status),
        status_reason: e.reason.clone(),
        detailed_status: None,
    }
}

pub fn stack_description(s: &Stack, now: SimTime) -> cloud::StackDescription {
    let (status, reason) = s.status_at(now);
    cloud::StackDescription {
        stack_id: s.id.clone(),
        stack_name: s.name.clone(),
        status: cloud::StackStatus::from_aws(&status),
        status_reason: reason.filter(|r| r != "User Initiated" || status.ends_with("_IN_PROGRESS")),
        outputs: s
            .outputs
            .iter()
            .map(|o| cloud::StackOutput {
                key: o.key.clone(),
                value: o.value.clone(),
                description: o.description.clone(),
                export_name: o.export_name.clone(),
            })
            .collect(),
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
        for e in s
            .events
            .iter()
            .filter(|e| e.timestamp >= op.start && e.timestamp <= now && !e.is_stack_event())
        {
            if e.status == "DELETE_COMPLETE" || e.status == "DELETE_SKIPPED" {
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
                    status: cloud::ResourceStatus::from_aws(&e.status),
                    status_reason: None,
                    timestamp: ts(e.timestamp),
                });
            if e.status == "DELETE_IN_PROGRESS" && entry.physical_id != e.physical_id {
                continue;
            }
            if e.physical_id.is_some() {
                entry.physical_id = e.physical_id.clone();
            }
            entry.status = cloud::ResourceStatus::from_aws(&e.status);
            entry.status_reason = e.reason.clone();
            entry.timestamp = ts(e.timestamp);
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
        changes: if ready {
            c.changes.iter().map(resource_change).collect()
        } else {
            vec![]
        },
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

fn resource_change(c: &state::ResourceChange) -> cloud::ResourceChange {
    cloud::ResourceChange {
        action: cloud::ChangeAction::from_aws(&c.action),
        logical_id: c.logical_id.clone(),
        physical_id: c.physical_id.clone(),
        resource_type: c.resource_type.clone(),
        replacement: c.replacement.as_deref().map(cloud::Replacement::from_aws),
        scope: c
            .scope
            .iter()
            .map(|s| cloud::ResourceAttribute::from_aws(s))
            .collect(),
        details: c
            .details
            .iter()
            .map(|d| cloud::ResourceChangeDetail {
                attribute: cloud::ResourceAttribute::from_aws(&d.attribute),
                name: d.name.clone(),
                requires_recreation: Some(cloud::RequiresRecreation::from_aws(
                    &d.requires_recreation,
                )),
                evaluation: Some(cloud::Evaluation::from_aws(&d.evaluation)),
                change_source: d
                    .change_source
                    .as_deref()
                    .map(cloud::ChangeSource::from_aws),
                causing_entity: d.causing_entity.clone(),
            })
            .collect(),
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

pub fn record(r: &state::RecordSet) -> cloud::ResourceRecordSet {
    cloud::ResourceRecordSet {
        name: r.name.clone(),
        record_type: r.record_type.clone(),
        set_identifier: r.set_identifier.clone(),
        failover: r.failover.as_deref().map(cloud::FailoverRole::from_aws),
        ttl: r.ttl.and_then(|t| u32::try_from(t).ok()),
        records: r.values.clone(),
        alias_target: r.alias_dns_name.as_ref().map(|d| cloud::AliasTarget {
            hosted_zone_id: r.alias_hosted_zone_id.clone().unwrap_or_default(),
            dns_name: d.clone(),
            evaluate_target_health: r.evaluate_target_health,
        }),
        health_check_id: r.health_check_id.clone(),
    }
}

pub fn record_back(r: &cloud::ResourceRecordSet) -> state::RecordSet {
    state::RecordSet {
        name: if r.name.ends_with('.') {
            r.name.clone()
        } else {
            format!("{}.", r.name)
        },
        record_type: r.record_type.clone(),
        set_identifier: r.set_identifier.clone(),
        failover: r.failover.as_ref().map(|f| f.as_str().to_string()),
        health_check_id: r.health_check_id.clone(),
        ttl: r.ttl.map(u64::from),
        values: r.records.clone(),
        alias_dns_name: r.alias_target.as_ref().map(|a| a.dns_name.clone()),
        alias_hosted_zone_id: r.alias_target.as_ref().map(|a| a.hosted_zone_id.clone()),
        evaluate_target_health: r
            .alias_target
            .as_ref()
            .is_some_and(|a| a.evaluate_target_health),
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
