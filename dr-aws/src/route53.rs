//! Route 53: health checks and records, as the Route 53 API Reference documents them (e.g.
//! "UpdateHealthCheck",
//! <https://docs.aws.amazon.com/Route53/latest/APIReference/API_UpdateHealthCheck.html>).
//!
//! Ids may be given bare (`Z123`) or as Route 53 returns them (`/hostedzone/Z123`,
//! `/change/C123`): the SDK strips those prefixes from request ids.

use aws_sdk_route53::types as sdk;
use dr_core::Region;
use dr_core::cloud::{
    AliasTarget, ChangeInfo, ChangeStatus, CloudError, CloudResult, DnsAnswer, FailoverRole,
    HealthCheck, HealthCheckObservation, HealthCheckStatus, HealthCheckUpdate, RecordChange,
    ResourceRecordSet,
};

use super::Clients;
use super::convert::{s, ts};

/// Where Route 53's API is served, whatever Region the caller names: every Region's endpoint
/// resolves to route53.amazonaws.com, signed for us-east-1 ("Amazon Route 53 endpoints and
/// quotas", <https://docs.aws.amazon.com/general/latest/gr/r53.html>), so an outage or a
/// server error of a Route 53 call is us-east-1's.
const CONTROL_PLANE: Region = Region::UsEast1;

fn health_check(h: &sdk::HealthCheck) -> HealthCheck {
    let cfg = h.health_check_config();
    HealthCheck {
        id: h.id().to_string(),
        check_type: cfg
            .map(|c| c.r#type().as_str().to_string())
            .unwrap_or_default(),
        inverted: cfg.and_then(|c| c.inverted()).unwrap_or(false),
        disabled: cfg.and_then(|c| c.disabled()).unwrap_or(false),
        version: h.health_check_version(),
    }
}

fn change_info(op: &str, c: Option<&sdk::ChangeInfo>) -> CloudResult<ChangeInfo> {
    let c = c.ok_or_else(|| CloudError::other(op, "the answer has no ChangeInfo"))?;
    Ok(ChangeInfo {
        id: c.id().to_string(),
        status: ChangeStatus::from_aws(c.status().as_str()),
        submitted_at: ts(c.submitted_at()),
    })
}

/// `GetHealthCheck`.
pub(crate) async fn get_health_check(c: &Clients, id: &str) -> CloudResult<HealthCheck> {
    const OP: &str = "GetHealthCheck";
    let res = format!("health check {id}");
    let call = c.call(OP, CONTROL_PLANE, &res);
    let out = c
        .route53
        .get_health_check()
        .health_check_id(id)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    out.health_check()
        .map(health_check)
        .ok_or_else(|| CloudError::other(OP, "the answer has no HealthCheck"))
}

/// `GetHealthCheckStatus`.
pub(crate) async fn get_health_check_status(
    c: &Clients,
    id: &str,
) -> CloudResult<HealthCheckStatus> {
    let res = format!("health check {id}");
    let call = c.call("GetHealthCheckStatus", CONTROL_PLANE, &res);
    let out = c
        .route53
        .get_health_check_status()
        .health_check_id(id)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(HealthCheckStatus {
        health_check_id: id.to_string(),
        observations: out
            .health_check_observations()
            .iter()
            .map(|o| HealthCheckObservation {
                checker_region: o
                    .region()
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_default(),
                ip_address: s(o.ip_address()),
                status: o
                    .status_report()
                    .and_then(|r| r.status())
                    .unwrap_or_default()
                    .to_string(),
                checked_at: o.status_report().and_then(|r| r.checked_time()).map(ts),
            })
            .collect(),
    })
}

/// `UpdateHealthCheck` with only `Inverted`, `Disabled` and the version guard.
pub(crate) async fn update_health_check(
    c: &Clients,
    id: &str,
    update: HealthCheckUpdate,
) -> CloudResult<HealthCheck> {
    const OP: &str = "UpdateHealthCheck";
    let res = format!("health check {id}");
    let call = c.call(OP, CONTROL_PLANE, &res);
    let out = c
        .route53
        .update_health_check()
        .health_check_id(id)
        .set_inverted(update.inverted)
        .set_disabled(update.disabled)
        .set_health_check_version(update.expected_version)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    out.health_check()
        .map(health_check)
        .ok_or_else(|| CloudError::other(OP, "the answer has no HealthCheck"))
}

fn record_set(r: &sdk::ResourceRecordSet) -> ResourceRecordSet {
    ResourceRecordSet {
        name: r.name().to_string(),
        record_type: r.r#type().as_str().to_string(),
        set_identifier: s(r.set_identifier()),
        failover: r.failover().map(|f| FailoverRole::from_aws(f.as_str())),
        ttl: r.ttl().and_then(|t| u32::try_from(t).ok()),
        records: r
            .resource_records()
            .iter()
            .map(|v| v.value().to_string())
            .collect(),
        alias_target: r.alias_target().map(|a| AliasTarget {
            hosted_zone_id: a.hosted_zone_id().to_string(),
            dns_name: a.dns_name().to_string(),
            evaluate_target_health: a.evaluate_target_health(),
        }),
        health_check_id: s(r.health_check_id()),
    }
}

/// `ListResourceRecordSets`, all pages. Route 53 pages by the next record's name, type and
/// set identifier rather than by a token.
pub(crate) async fn list_resource_record_sets(
    c: &Clients,
    hosted_zone_id: &str,
) -> CloudResult<Vec<ResourceRecordSet>> {
    const OP: &str = "ListResourceRecordSets";
    let res = format!("hosted zone {hosted_zone_id}");
    let call = c.call(OP, CONTROL_PLANE, &res);
    let mut all = Vec::new();
    let mut start: Option<(String, sdk::RrType, Option<String>)> = None;
    loop {
        let mut req = c
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(hosted_zone_id);
        if let Some((name, ty, ident)) = start.clone() {
            req = req
                .start_record_name(name)
                .start_record_type(ty)
                .set_start_record_identifier(ident);
        }
        let out = req.send().await.map_err(|e| call.map(e))?;
        all.extend(out.resource_record_sets().iter().map(record_set));
        if !out.is_truncated() {
            return Ok(all);
        }
        let next = match (out.next_record_name(), out.next_record_type()) {
            (Some(n), Some(t)) => (n.to_string(), t.clone(), s(out.next_record_identifier())),
            _ => {
                return Err(CloudError::other(
                    OP,
                    "the answer is truncated but names no next record",
                ));
            }
        };
        if start.as_ref() == Some(&next) {
            return Err(CloudError::other(
                OP,
                format!(
                    "the endpoint returned the same next record twice ({}); stopping",
                    next.0
                ),
            ));
        }
        start = Some(next);
    }
}

fn build_err(op: &str, e: impl std::fmt::Display) -> CloudError {
    CloudError::validation(op, format!("the change batch is incomplete: {e}"))
}

fn sdk_record_set(op: &str, r: &ResourceRecordSet) -> CloudResult<sdk::ResourceRecordSet> {
    let records = r
        .records
        .iter()
        .map(|v| sdk::ResourceRecord::builder().value(v).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| build_err(op, e))?;
    let alias = r
        .alias_target
        .as_ref()
        .map(|a| {
            sdk::AliasTarget::builder()
                .hosted_zone_id(&a.hosted_zone_id)
                .dns_name(&a.dns_name)
                .evaluate_target_health(a.evaluate_target_health)
                .build()
        })
        .transpose()
        .map_err(|e| build_err(op, e))?;
    sdk::ResourceRecordSet::builder()
        .name(&r.name)
        .r#type(sdk::RrType::from(r.record_type.as_str()))
        .set_set_identifier(r.set_identifier.clone())
        .set_failover(
            r.failover
                .as_ref()
                .map(|f| sdk::ResourceRecordSetFailover::from(f.as_str())),
        )
        .set_ttl(r.ttl.map(i64::from))
        // An alias record must not carry ResourceRecords, not even an empty list.
        .set_resource_records((!records.is_empty()).then_some(records))
        .set_alias_target(alias)
        .set_health_check_id(r.health_check_id.clone())
        .build()
        .map_err(|e| build_err(op, e))
}

/// `ChangeResourceRecordSets`, one atomic batch.
pub(crate) async fn change_resource_record_sets(
    c: &Clients,
    hosted_zone_id: &str,
    changes: Vec<RecordChange>,
    comment: Option<String>,
) -> CloudResult<ChangeInfo> {
    const OP: &str = "ChangeResourceRecordSets";
    let res = format!("hosted zone {hosted_zone_id}");
    let call = c.call(OP, CONTROL_PLANE, &res);
    let changes = changes
        .iter()
        .map(|ch| {
            sdk::Change::builder()
                .action(sdk::ChangeAction::from(ch.action.as_str()))
                .resource_record_set(sdk_record_set(OP, &ch.record_set)?)
                .build()
                .map_err(|e| build_err(OP, e))
        })
        .collect::<CloudResult<Vec<_>>>()?;
    let batch = sdk::ChangeBatch::builder()
        .set_changes(Some(changes))
        .set_comment(comment)
        .build()
        .map_err(|e| build_err(OP, e))?;
    let out = c
        .route53
        .change_resource_record_sets()
        .hosted_zone_id(hosted_zone_id)
        .change_batch(batch)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    change_info(OP, out.change_info())
}

/// `GetChange`.
pub(crate) async fn get_change(c: &Clients, id: &str) -> CloudResult<ChangeInfo> {
    const OP: &str = "GetChange";
    let res = format!("change {id}");
    let call = c.call(OP, CONTROL_PLANE, &res);
    let out = c
        .route53
        .get_change()
        .id(id)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    change_info(OP, out.change_info())
}

/// `TestDNSAnswer`: what Route 53's name servers would answer now for `record_name` and
/// `record_type` in hosted zone `zone_id`; "This call only supports querying public hosted
/// zones" ("TestDNSAnswer", Amazon Route 53 API Reference,
/// <https://docs.aws.amazon.com/Route53/latest/APIReference/API_TestDNSAnswer.html>). A control
/// plane call, served from us-east-1.
pub(crate) async fn test_dns_answer(
    c: &Clients,
    zone_id: &str,
    record_name: &str,
    record_type: &str,
) -> CloudResult<DnsAnswer> {
    let res = format!("record {record_name} {record_type} in hosted zone {zone_id}");
    let call = c.call("TestDNSAnswer", CONTROL_PLANE, &res);
    let out = c
        .route53
        .test_dns_answer()
        .hosted_zone_id(zone_id)
        .record_name(record_name)
        .record_type(sdk::RrType::from(record_type))
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(DnsAnswer {
        record_name: out.record_name().to_string(),
        record_type: out.record_type().as_str().to_string(),
        record_data: out.record_data().to_vec(),
        response_code: out.response_code().to_string(),
    })
}
