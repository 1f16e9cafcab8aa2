//! Route 53: health checks, their status, records and changes.

use serde::{Deserialize, Serialize};

use super::time::Timestamp;

/// One checker's last observation (`GetHealthCheckStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckObservation {
    /// The checker's Region.
    pub checker_region: String,
    /// The checker's IP.
    pub ip_address: Option<String>,
    /// The status text, e.g. "Success: HTTP Status Code 200, OK" or "Failure: …".
    pub status: String,
    /// When it checked.
    pub checked_at: Option<Timestamp>,
}

impl HealthCheckObservation {
    /// The checker saw the endpoint healthy.
    pub fn is_success(&self) -> bool {
        self.status.starts_with("Success")
    }
}

/// `GetHealthCheckStatus`' answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckStatus {
    /// The health check.
    pub health_check_id: String,
    /// The checkers' observations.
    pub observations: Vec<HealthCheckObservation>,
}

impl HealthCheckStatus {
    /// Route 53 counts a check healthy when more than 18 % of checkers report it healthy
    /// ("How Route 53 determines whether a health check is healthy",
    /// <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html>).
    /// With no observations, `None`.
    pub fn is_healthy(&self) -> Option<bool> {
        if self.observations.is_empty() {
            return None;
        }
        let ok = self.observations.iter().filter(|o| o.is_success()).count();
        Some(ok * 100 > self.observations.len() * 18)
    }
}

/// A health check's configuration (`GetHealthCheck`), the parts the runtime reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheck {
    /// The id.
    pub id: String,
    /// The type (`HTTP`, `CLOUDWATCH_METRIC`, …).
    pub check_type: String,
    /// `Inverted`.
    pub inverted: bool,
    /// `Disabled` (a disabled check always reports healthy).
    pub disabled: bool,
    /// `HealthCheckVersion`, for guarded updates.
    pub version: i64,
}

/// `UpdateHealthCheck`'s input: only what the runtime changes. `None` = leave as is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HealthCheckUpdate {
    /// Set `Inverted`.
    pub inverted: Option<bool>,
    /// Set `Disabled`.
    pub disabled: Option<bool>,
    /// Fail with `HealthCheckVersionMismatch` (an `InvalidState`) unless the version is this.
    pub expected_version: Option<i64>,
}

string_enum! {
    /// A failover record's role.
    FailoverRole {
        /// `PRIMARY`.
        Primary => "PRIMARY",
        /// `SECONDARY`.
        Secondary => "SECONDARY",
    }
}

/// An alias target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasTarget {
    /// The target's hosted zone id (for an ALB, the Region's canonical id).
    pub hosted_zone_id: String,
    /// The target's DNS name.
    pub dns_name: String,
    /// `EvaluateTargetHealth`.
    pub evaluate_target_health: bool,
}

/// A resource record set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRecordSet {
    /// The name, fully qualified with the trailing dot as Route 53 returns it.
    pub name: String,
    /// `A`, `AAAA`, `CNAME`, …
    pub record_type: String,
    /// `SetIdentifier` of a routing-policy record.
    pub set_identifier: Option<String>,
    /// Failover role.
    pub failover: Option<FailoverRole>,
    /// TTL (none for aliases).
    pub ttl: Option<u32>,
    /// The values (none for aliases).
    pub records: Vec<String>,
    /// The alias target.
    pub alias_target: Option<AliasTarget>,
    /// The health check.
    pub health_check_id: Option<String>,
}

string_enum! {
    /// A `ChangeResourceRecordSets` action.
    RecordChangeAction {
        /// Create (fails if it exists).
        Create => "CREATE",
        /// Delete (must match exactly).
        Delete => "DELETE",
        /// Create or replace.
        Upsert => "UPSERT",
    }
}

/// One change of a `ChangeResourceRecordSets` batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordChange {
    /// What to do.
    pub action: RecordChangeAction,
    /// The record.
    pub record_set: ResourceRecordSet,
}

string_enum! {
    /// A Route 53 change's status.
    ChangeStatus {
        /// Not yet on every name server.
        Pending => "PENDING",
        /// On every name server.
        InSync => "INSYNC",
    }
}

/// `ChangeInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeInfo {
    /// The change id.
    pub id: String,
    /// Its status.
    pub status: ChangeStatus,
    /// When it was submitted.
    pub submitted_at: Timestamp,
}

/// What `TestDNSAnswer` says Route 53's name servers would answer now for one record name and
/// type ("TestDNSAnswer", Amazon Route 53 API Reference,
/// <https://docs.aws.amazon.com/Route53/latest/APIReference/API_TestDNSAnswer.html>).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsAnswer {
    /// `RecordName`: the name asked about.
    pub record_name: String,
    /// `RecordType`: the type asked about (`A`, `CNAME`, ...).
    pub record_type: String,
    /// The values Route 53 would answer (for an alias to a load balancer: its IP addresses).
    pub record_data: Vec<String>,
    /// `NOERROR`, `NXDOMAIN`, ...
    pub response_code: String,
}
