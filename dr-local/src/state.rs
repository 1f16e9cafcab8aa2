//! The simulator's state: everything `LocalCloud` knows, serializable to the state file.

use std::collections::{BTreeMap, BTreeSet};

use dr_core::Region;
use dr_core::cloud::{
    DbClusterSnapshot, RdsEvent, ResourceChange, ResourceRecordSet, StackEvent, StackOutput,
    Timestamp,
};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::clock::{EPOCH, SimTime};
use super::eval::ResolvedParameter;

/// Version of the state file format; a file of another version is refused, not misread.
/// Format 4 keeps S3 objects by version (format 3 kept one body per key).
pub const STATE_VERSION: u32 = 4;

/// The account id the simulator pretends to be (the documentation placeholder).
pub const ACCOUNT: &str = "123456789012";

/// The whole simulated world.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct World {
    /// [`STATE_VERSION`].
    pub version: u32,
    /// The virtual clock.
    pub now: SimTime,
    /// The account.
    pub account: String,
    /// A counter for ids that must be unique (events, change sets, stacks).
    pub seq: u64,
    /// Per-Region state.
    pub regions: BTreeMap<Region, RegionState>,
    /// Aurora global clusters (global, no Region), by identifier.
    pub global_clusters: BTreeMap<String, GlobalCluster>,
    /// Route 53 health checks (global), by id.
    pub health_checks: BTreeMap<String, HealthCheck>,
    /// Route 53 records (global), by hosted zone id.
    pub records: BTreeMap<String, Vec<ResourceRecordSet>>,
    /// What S3 buckets hold (templates uploaded, ELB's access-log test files): bucket name →
    /// its objects by version (buckets are one namespace for all Regions).
    pub s3: BTreeMap<String, BucketObjects>,
    /// Route 53 changes: change id → when submitted.
    #[serde(default)]
    pub route53_changes: BTreeMap<String, SimTime>,
    /// CloudWatch data points the runtime published: (Region, namespace, metric) → values.
    pub metrics: BTreeMap<String, Vec<(SimTime, f64)>>,
    /// CloudWatch alarms created by stacks, by `<region>|<name>` (an alarm lives in its
    /// Region).
    #[serde(default)]
    pub alarms: BTreeMap<String, Alarm>,
    /// What alarm actions published to SNS topics, oldest first (the simulator delivers
    /// nothing: tests read this to see that a state change was not silent).
    #[serde(default)]
    pub notifications: Vec<Notification>,
    /// What exists in the account outside any stack (made by the test hooks
    /// `LocalCloud::create_hosted_zone`, `create_key_pair`, `create_bucket`): references and
    /// AWS-specific parameter types are checked against these and the stacks' resources.
    #[serde(default)]
    pub seeded: Seeded,
    /// RDS events, in the order they were recorded, each with the Region that records it
    /// (`DescribeEvents` is a Regional call). An event may carry a time later than `now`
    /// (scheduled with the operation that emits it): it is reported once the clock reaches it.
    #[serde(default)]
    pub rds_events: Vec<RecordedRdsEvent>,
    /// DB cluster snapshots RDS took by itself (the point-of-failure snapshot of an unplanned
    /// global failover), with their Region.
    #[serde(default)]
    pub cluster_snapshots: Vec<RecordedClusterSnapshot>,
}

/// An RDS event and the Region whose `DescribeEvents` reports it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecordedRdsEvent {
    /// The Region.
    pub region: Region,
    /// The event as the port reports it.
    pub event: RdsEvent,
}

/// A DB cluster snapshot and its Region.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecordedClusterSnapshot {
    /// The Region.
    pub region: Region,
    /// The snapshot as the port reports it.
    pub snapshot: DbClusterSnapshot,
}

impl Default for World {
    fn default() -> Self {
        World {
            version: STATE_VERSION,
            now: EPOCH,
            account: ACCOUNT.to_string(),
            seq: 0,
            regions: BTreeMap::new(),
            global_clusters: BTreeMap::new(),
            health_checks: BTreeMap::new(),
            records: BTreeMap::new(),
            s3: BTreeMap::new(),
            route53_changes: BTreeMap::new(),
            metrics: BTreeMap::new(),
            alarms: BTreeMap::new(),
            notifications: Vec::new(),
            seeded: Seeded::default(),
            rds_events: Vec::new(),
            cluster_snapshots: Vec::new(),
        }
    }
}

impl World {
    /// The next value of the id counter.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
    /// A Region's state, created on first use with the public SSM parameters it serves.
    pub fn region(&mut self, r: Region) -> &mut RegionState {
        self.regions.entry(r).or_insert_with(|| RegionState::new(r))
    }
}

/// Things the account has that no stack made (an account's zones, key pairs and buckets made
/// by hand or by other tools).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Seeded {
    /// Route 53 hosted zones (global): id (`Z…`, no `/hostedzone/` prefix) → domain name.
    #[serde(default)]
    pub hosted_zones: BTreeMap<String, String>,
    /// EC2 key pairs, by Region (a key pair lives in one Region), by name.
    #[serde(default)]
    pub key_pairs: BTreeMap<Region, BTreeSet<String>>,
    /// S3 buckets (one namespace for all Regions): name → the Region it was created in.
    #[serde(default)]
    pub buckets: BTreeMap<String, Region>,
}

/// The AL2023 AMI public parameter (the one `Ec2Fleet` resolves).
pub const AL2023_AMI_PARAMETER: &str =
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

/// State of one Region.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct RegionState {
    /// Stacks, deleted ones included (CloudFormation lists them by id for 90 days).
    pub stacks: Vec<Stack>,
    /// SSM parameters: name → value.
    pub ssm: BTreeMap<String, String>,
    /// Secrets Manager secrets, by ARN.
    pub secrets: BTreeMap<String, Secret>,
    /// Aurora DB clusters, by identifier.
    pub db_clusters: BTreeMap<String, DbCluster>,
    /// ELBv2 target groups, by ARN.
    pub target_groups: BTreeMap<String, TargetGroup>,
    /// ELBv2 load balancers made by stacks, by ARN: their attributes as ELB keeps them
    /// (`ModifyLoadBalancerAttributes` changes them outside CloudFormation).
    #[serde(default)]
    pub load_balancers: BTreeMap<String, LoadBalancer>,
    /// Resources a stack operation left in the account outside any stack: skipped by a
    /// `Retain` deletion policy, by `RetainResources`, or by `FORCE_DELETE_STACK`. They go on
    /// existing (and costing) until deleted by hand, which is what a caller must be able to see.
    #[serde(default)]
    pub retained: Vec<RetainedResource>,
}

/// A resource left outside any stack by a stack operation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RetainedResource {
    /// The stack that left it (its id).
    pub stack_id: String,
    /// Its logical id in that stack.
    pub logical_id: String,
    /// Its type, e.g. `AWS::KMS::Key`.
    pub type_name: String,
    /// Its physical id.
    pub physical_id: String,
    /// When the operation that left it completed.
    pub since: SimTime,
}

impl RegionState {
    fn new(r: Region) -> Self {
        let mut s = RegionState::default();
        // A fake AMI id per Region: `ami-` + 17 hex digits, like the real public parameter.
        s.ssm.insert(
            AL2023_AMI_PARAMETER.to_string(),
            format!("ami-{}", super::ids::hex(&format!("al2023/{r}"), 17)),
        );
        s
    }
    /// The stack of this name that is not deleted, or the one with this stack id.
    pub fn stack_index(&self, name_or_id: &str) -> Option<usize> {
        self.stacks
            .iter()
            .position(|s| s.id == name_or_id)
            .or_else(|| {
                self.stacks
                    .iter()
                    .position(|s| s.name == name_or_id && s.deleted.is_none())
            })
    }
}

/// A secret.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Secret {
    /// The name.
    pub name: String,
    /// The ARN.
    pub arn: String,
    /// The secret string (JSON when generated from a template).
    pub value: String,
}

/// A stack resource.
///
/// Not `cloud::StackResource`: the simulator also keeps the resolved and written properties,
/// attributes and policies that updates, replacements and `Fn::GetAtt` need; the port type is
/// only what `DescribeStackResources` shows (derived in `convert::stack_resources`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StackResource {
    /// Logical id.
    pub logical_id: String,
    /// Type.
    pub type_name: String,
    /// Physical id.
    pub physical_id: String,
    /// Resource status (`CREATE_COMPLETE`, …).
    pub status: String,
    /// Why, when failed.
    pub status_reason: Option<String>,
    /// Last change.
    pub last_updated: SimTime,
    /// Properties as resolved when created or last updated.
    pub properties: Value,
    /// Properties as written in the template (for `DirectModification` detection).
    pub template_properties: Value,
    /// Attributes.
    pub attributes: BTreeMap<String, Value>,
    /// `DeletionPolicy`.
    pub deletion_policy: Option<String>,
    /// `UpdateReplacePolicy`.
    pub update_replace_policy: Option<String>,
    /// `Metadata`.
    pub metadata: Option<Value>,
}

/// A change set.
///
/// Not `cloud::ChangeSetDescription`: it also holds the template, the resolved parameters and
/// when CloudFormation finishes computing it (before then it describes as in progress).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChangeSet {
    /// ARN.
    pub id: String,
    /// Name.
    pub name: String,
    /// `CREATE` or `UPDATE`.
    pub change_set_type: String,
    /// When created.
    pub created: SimTime,
    /// When CloudFormation finishes computing it.
    pub ready_at: SimTime,
    /// Status once ready (`CREATE_COMPLETE` or `FAILED`).
    pub final_status: String,
    /// Status reason once ready.
    pub status_reason: Option<String>,
    /// Execution status once ready (`AVAILABLE`, `UNAVAILABLE`, `EXECUTE_*`, `OBSOLETE`).
    pub execution_status: String,
    /// The template body.
    pub template_body: String,
    /// The parameters as resolved.
    pub parameters: Vec<ResolvedParameter>,
    /// The changes.
    pub changes: Vec<ResourceChange>,
    /// Description.
    pub description: Option<String>,
    /// The `ClientToken` it was created with: a `CreateChangeSet` of the same name with the same
    /// token is the same request.
    #[serde(default)]
    pub client_token: Option<String>,
    /// The `ClientRequestToken` of the `ExecuteChangeSet` that executed it: the same request
    /// again is answered as the first was.
    #[serde(default)]
    pub execute_token: Option<String>,
}

/// The state of a stack once an operation in flight completes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Committed {
    /// Template body.
    pub template_body: Option<String>,
    /// Parameters.
    pub parameters: Vec<ResolvedParameter>,
    /// Resources.
    pub resources: IndexMap<String, StackResource>,
    /// Outputs.
    pub outputs: Vec<StackOutput>,
    /// Export names imported by the template.
    pub imports: BTreeSet<String>,
    /// Whether the stack is gone.
    pub deleted: bool,
    /// Resources the operation leaves in the account outside the stack (`DELETE_SKIPPED`), as
    /// they were when it left them.
    #[serde(default)]
    pub retained: Vec<StackResource>,
}

/// An operation in flight: its events are already scheduled; its final state is applied when
/// the clock reaches `end`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Operation {
    /// When it started.
    #[serde(default)]
    pub start: SimTime,
    /// When it completes.
    pub end: SimTime,
    /// The state then.
    pub result: Committed,
    /// The change set executed, if any, and its final execution status.
    pub change_set: Option<(String, String)>,
}

/// A stack.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Stack {
    /// Name.
    pub name: String,
    /// Stack id (an ARN).
    pub id: String,
    /// Region.
    pub region: Region,
    /// Creation time.
    pub created: SimTime,
    /// Last update.
    pub last_updated: Option<SimTime>,
    /// Deletion time, once deleted.
    pub deleted: Option<SimTime>,
    /// Template description.
    pub description: Option<String>,
    /// Template body of the last successful deploy (or of the failed create).
    pub template_body: Option<String>,
    /// Parameters.
    pub parameters: Vec<ResolvedParameter>,
    /// Resources.
    pub resources: IndexMap<String, StackResource>,
    /// Outputs.
    pub outputs: Vec<StackOutput>,
    /// Export names the template imports.
    pub imports: BTreeSet<String>,
    /// Termination protection.
    pub termination_protection: bool,
    /// Stack policy body.
    pub stack_policy: Option<String>,
    /// Events, oldest first.
    pub events: Vec<StackEvent>,
    /// Change sets.
    pub change_sets: Vec<ChangeSet>,
    /// The operation in flight.
    pub op: Option<Operation>,
    /// Physical resources created so far per logical id (for new ids on replacement).
    pub generations: BTreeMap<String, u64>,
}

impl Stack {
    /// The stack status at `now`: the newest stack event at or before it.
    pub fn status_at(&self, now: SimTime) -> (String, Option<String>) {
        self.events
            .iter()
            .rev()
            .find(|e| e.timestamp <= Timestamp::from(now) && e.is_stack_event())
            .map(|e| (e.status.as_str().to_string(), e.status_reason.clone()))
            .unwrap_or_else(|| ("REVIEW_IN_PROGRESS".to_string(), None))
    }
    /// The time of the next scheduled event after `now`, if any.
    pub fn next_event_after(&self, now: SimTime) -> Option<SimTime> {
        self.events
            .iter()
            .map(|e| SimTime::from(e.timestamp))
            .filter(|t| *t > now)
            .min()
    }
}

/// A member of an Aurora global cluster.
///
/// Not `cloud::GlobalClusterMember`: it also records the member's Region and when a
/// `pending-resync` member is rebuilt; the port's reader list is derived from the members.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct GlobalMember {
    /// The member cluster's ARN.
    pub cluster_arn: String,
    /// Its Region.
    pub region: Region,
    /// Whether it is the writer.
    pub is_writer: bool,
    /// `connected` or `pending-resync`.
    pub synchronization_status: String,
    /// When a `pending-resync` member is rebuilt and `connected` again (its Region up).
    #[serde(default)]
    pub resync_due: Option<SimTime>,
    /// Whether the rebuild of a `pending-resync` old primary has started (its Region answered
    /// after the failover): the point-of-failure snapshot is taken then, once.
    #[serde(default)]
    pub rebuild_started: bool,
    /// When a `RemoveFromGlobalCluster` in flight completes: until then the member is still
    /// listed and its cluster still names the global cluster.
    #[serde(default)]
    pub detach_done_at: Option<SimTime>,
}

/// A switchover or failover in flight (`FailoverState`).
///
/// Not `cloud::FailoverState`: the status it reports changes with the virtual clock, so this
/// keeps the times and the lag it is computed from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FailoverInFlight {
    /// `true` for a failover with data loss allowed, `false` for a switchover.
    pub data_loss_allowed: bool,
    /// The cluster being demoted.
    pub from_arn: String,
    /// The cluster being promoted.
    pub to_arn: String,
    /// When the call was made.
    pub started: SimTime,
    /// When `FailoverState.Status` moves from `pending` to `switching-over`/`failing-over`.
    pub active_at: SimTime,
    /// When it completes.
    pub done_at: SimTime,
    /// Replication lag at the time of the call (the data-loss window of a failover).
    pub lag_ms: u64,
}

/// An Aurora global cluster.
///
/// Not `cloud::GlobalCluster`: its status and failover state are computed at read time from
/// the operation in flight ([`FailoverInFlight`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct GlobalCluster {
    /// Identifier.
    pub id: String,
    /// ARN (no Region: `arn:aws:rds::<acct>:global-cluster:<id>`).
    pub arn: String,
    /// The global writer endpoint.
    pub endpoint: String,
    /// Engine.
    pub engine: String,
    /// Engine version.
    pub engine_version: String,
    /// Deletion protection.
    pub deletion_protection: bool,
    /// Members.
    pub members: Vec<GlobalMember>,
    /// Operation in flight.
    pub failover: Option<FailoverInFlight>,
}

/// An Aurora DB cluster.
///
/// Not `cloud::DbCluster`: it also records the Region and the replication lag; which instance
/// is the writer is derived from the global cluster at read time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DbCluster {
    /// Identifier.
    pub id: String,
    /// ARN.
    pub arn: String,
    /// Region.
    pub region: Region,
    /// Engine.
    pub engine: String,
    /// Engine version.
    pub engine_version: String,
    /// Writer endpoint.
    pub endpoint: String,
    /// Reader endpoint.
    pub reader_endpoint: String,
    /// `available`, …
    pub status: String,
    /// The global cluster it belongs to.
    pub global_cluster_id: Option<String>,
    /// Deletion protection.
    pub deletion_protection: bool,
    /// DB instance identifiers.
    pub instances: Vec<String>,
    /// Replication lag behind the global writer (secondaries), in milliseconds.
    pub replication_lag_ms: u64,
}

/// A Route 53 health check.
///
/// Not `cloud::HealthCheck`: it also holds the configuration and what the checkers measure,
/// from which the reported status is computed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HealthCheck {
    /// Id.
    pub id: String,
    /// Type (`HTTPS`, `CLOUDWATCH_METRIC`, …).
    pub check_type: String,
    /// Inverted.
    pub inverted: bool,
    /// Disabled.
    pub disabled: bool,
    /// What the checkers measure (before inversion).
    pub measured_healthy: bool,
    /// Version, bumped on update.
    pub version: u64,
    /// The configuration as created or last updated.
    pub config: Value,
    /// The status Route 53 has settled on before `Inverted`/`Disabled` (endpoint and
    /// CloudWatch checks; a calculated check's is computed from its children). A new check is
    /// healthy until there is enough data.
    #[serde(default = "healthy")]
    pub raw_healthy: bool,
    /// Consecutive observations against `raw_healthy` (an endpoint check changes status after
    /// `FailureThreshold` of them).
    #[serde(default)]
    pub contrary: u32,
    /// When it was created.
    #[serde(default)]
    pub created: SimTime,
    /// When the checkers next observe the endpoint.
    #[serde(default)]
    pub next_observation: SimTime,
    /// The status Route 53 acts on (after `Inverted`/`Disabled`) at each change, oldest first,
    /// bounded: what the `AWS/Route53` `HealthCheckStatus` metric is computed from.
    #[serde(default)]
    pub history: Vec<(SimTime, bool)>,
}

fn healthy() -> bool {
    true
}

/// A CloudWatch alarm made by a stack, with the state CloudWatch keeps for it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Alarm {
    /// The alarm's properties as the template set them (`PutMetricAlarm` overwrites the whole
    /// configuration and keeps the state).
    pub config: Value,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA` (a new alarm starts in `INSUFFICIENT_DATA`).
    pub state: String,
    /// When the state last changed.
    pub state_since: SimTime,
    /// The last evaluation tick applied.
    pub evaluated_to: SimTime,
    /// What the data stream said at the last tick: `Some(true)` breaching (ALARM),
    /// `Some(false)` OK, `None` not enough data to decide (what Route 53 checks follow).
    #[serde(default)]
    pub stream: Option<bool>,
}

/// One message an alarm action published to an SNS topic.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Notification {
    /// When the alarm changed state.
    pub at: SimTime,
    /// The alarm's Region.
    pub region: String,
    /// The alarm's name.
    pub alarm: String,
    /// The state it moved to.
    pub state: String,
    /// The topic published to.
    pub topic_arn: String,
}

/// An ELBv2 load balancer's state in ELB.
///
/// Not the stack resource's properties: `ModifyLoadBalancerAttributes` changes the attributes
/// without CloudFormation knowing, and `DeleteLoadBalancer` reads these.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LoadBalancer {
    /// ARN.
    pub arn: String,
    /// Name (`LoadBalancerName`).
    pub name: String,
    /// Every attribute, by key, as `DescribeLoadBalancerAttributes` answers them.
    pub attributes: BTreeMap<String, String>,
}

/// The objects of an S3 bucket.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct BucketObjects {
    /// Whether versioning is enabled (an overwrite or a delete then keeps the old version).
    pub versioning: bool,
    /// Key → its versions, oldest first; the last one is the current one.
    pub objects: BTreeMap<String, Vec<StoredVersion>>,
}

/// One version of an S3 object, or a delete marker.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredVersion {
    /// The version id (`null` in a bucket without versioning).
    pub version_id: String,
    /// The body; `None` for a delete marker.
    pub body: Option<String>,
    /// When it was written.
    pub at: SimTime,
}

/// An ELBv2 target group.
///
/// Not a list of `cloud::TargetHealth`: it keeps only each target's state, from which the
/// reported health (with reasons) is computed at read time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TargetGroup {
    /// ARN.
    pub arn: String,
    /// Targets: id → state (`initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`).
    pub targets: BTreeMap<String, String>,
}
