//! The `Cloud` port: the AWS operations drkit's deploy engine and DR runtime need, in drkit's
//! own types, so that neither the engine nor the runtime knows whether it talks to AWS (the SDK
//! backend), an emulator, or the embedded simulator.
//!
//! Every operation takes the [`Region`] it is sent to. Pagination is the backend's job: list
//! operations return everything. Statuses are enums that keep values this version does not know
//! (`Other(String)`), because AWS adds statuses over time and a deploy must not fail on a new one.
//!
//! Semantics follow the AWS API references:
//! - CloudFormation: [API reference](https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/),
//!   stack statuses from [Stack status codes](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-describing-stacks.html),
//!   change sets from [ChangeSetSummary](https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ChangeSetSummary.html)
//!   and [ResourceChange](https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html).
//! - RDS: [GlobalCluster](https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalCluster.html),
//!   [GlobalClusterMember](https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html),
//!   [FailoverState](https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html).
//! - Route 53: [UpdateHealthCheck](https://docs.aws.amazon.com/Route53/latest/APIReference/API_UpdateHealthCheck.html),
//!   [GetHealthCheckStatus](https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHealthCheckStatus.html),
//!   [GetChange](https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html).
//! - ELBv2: [TargetHealth](https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html),
//!   [LoadBalancerAttribute](https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html).
//! - S3: [ListObjectVersions](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html),
//!   [DeleteObjects](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html).

#[macro_use]
mod string_enum;

mod cfn;
mod elbv2;
mod error;
mod monitoring;
mod rds;
mod route53;
mod s3;
mod support;
mod time;

use std::time::Duration;

use crate::region::Region;

pub use cfn::*;
pub use elbv2::*;
pub use error::*;
pub use monitoring::*;
pub use rds::*;
pub use route53::*;
pub use s3::*;
pub use support::*;
pub use time::*;

/// The AWS operations drkit needs. Implemented by the `aws` backend (the SDK, crate `dr-aws`) and
/// the `local` backend (the simulator, crate `dr-local`); consumers hold a `&dyn Cloud` and never
/// ask which.
///
/// Conventions: each operation goes to `region`; Route 53 is a global service whose control
/// plane is in us-east-1, and its operations still take the Region the caller sends from (the
/// SDK backend sends them to the Route 53 endpoint; the simulator uses it for outages).
/// "Does not exist" is `Ok(None)` for the `describe_*` lookups that return `Option`, and
/// [`CloudErrorKind::NotFound`] everywhere else.
#[async_trait::async_trait]
pub trait Cloud: Send + Sync {
    // -- Identity and time ---------------------------------------------------------------------

    /// A short label of the backend for reports ("local simulator", "aws (profile prod)").
    /// For labels only: callers must not branch on it.
    fn label(&self) -> String;

    /// The backend's clock: wall time for AWS, virtual time for the simulator.
    fn now(&self) -> Timestamp;

    /// True when times and durations come from a virtual clock, not AWS's: reports label them
    /// "simulated" so that "created in 25m28s" is not read as a real measurement. No default:
    /// every backend and wrapper says which it is.
    fn is_simulated(&self) -> bool;

    /// Waits `duration` on the backend's clock: `tokio::time::sleep` for AWS; the simulator
    /// advances virtual time (and the work scheduled in it) instead of waiting.
    async fn sleep(&self, duration: Duration);

    // -- CloudFormation ------------------------------------------------------------------------

    /// `DescribeStacks` for one stack; `None` if there is no such (live) stack.
    async fn describe_stack(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<StackDescription>>;

    /// `CreateChangeSet`. For CREATE the stack appears as `REVIEW_IN_PROGRESS`.
    async fn create_change_set(
        &self,
        region: Region,
        input: CreateChangeSetInput,
    ) -> CloudResult<ChangeSetRef>;

    /// `DescribeChangeSet`, all pages. `change_set` is a name (with `stack_name`) or an id.
    async fn describe_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<ChangeSetDescription>;

    /// `ExecuteChangeSet` with every option. CloudFormation deletes the stack's other change
    /// sets.
    async fn execute_change_set_with(
        &self,
        region: Region,
        input: ExecuteChangeSetInput,
    ) -> CloudResult<()>;

    /// `ExecuteChangeSet` with AWS's defaults ([`ExecuteChangeSetInput::new`]).
    async fn execute_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<()> {
        self.execute_change_set_with(region, ExecuteChangeSetInput::new(stack_name, change_set))
            .await
    }

    /// `DeleteChangeSet`.
    async fn delete_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<()>;

    /// `DescribeStackEvents`, newest first as AWS returns them, paginated internally. When
    /// `stop_at` names an event id, paging stops there and that event and older ones are left
    /// out, so a caller that polls reads only what is new.
    async fn describe_stack_events(
        &self,
        region: Region,
        stack_name: &str,
        stop_at: Option<&str>,
    ) -> CloudResult<Vec<StackEvent>>;

    /// The newest event of the stack: the first entry of `DescribeStackEvents`' first page
    /// (events come newest first, so one page is enough); `None` when it has none.
    async fn describe_newest_stack_event(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<StackEvent>>;

    /// `DescribeStackResources` (all of them).
    async fn describe_stack_resources(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Vec<StackResource>>;

    /// `GetTemplate` with `TemplateStage=Original`: the body as deployed, byte for byte.
    async fn get_template(&self, region: Region, stack_name: &str) -> CloudResult<String>;

    /// `SetStackPolicy` with `StackPolicyBody`.
    async fn set_stack_policy(
        &self,
        region: Region,
        stack_name: &str,
        policy_body: &str,
    ) -> CloudResult<()>;

    /// `GetStackPolicy`; `None` when the stack has no policy.
    async fn get_stack_policy(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<String>>;

    /// `UpdateTerminationProtection`.
    async fn update_termination_protection(
        &self,
        region: Region,
        stack_name: &str,
        enabled: bool,
    ) -> CloudResult<()>;

    /// `DeleteStack` with every option (returns at once; poll `describe_stack` / events for
    /// the outcome). Fails with `Validation` while termination protection is on, and when
    /// `RetainResources` or `FORCE_DELETE_STACK` is asked of a stack not in `DELETE_FAILED`.
    async fn delete_stack_with(&self, region: Region, input: DeleteStackInput) -> CloudResult<()>;

    /// `DeleteStack` with AWS's defaults ([`DeleteStackInput::new`]).
    async fn delete_stack(&self, region: Region, stack_name: &str) -> CloudResult<()> {
        self.delete_stack_with(region, DeleteStackInput::new(stack_name))
            .await
    }

    // -- RDS -----------------------------------------------------------------------------------

    /// `DescribeGlobalClusters` for one id; `None` if it does not exist.
    async fn describe_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
    ) -> CloudResult<Option<GlobalCluster>>;

    /// `DescribeDBClusters` for one id; `None` if it does not exist.
    async fn describe_db_cluster(
        &self,
        region: Region,
        db_cluster_id: &str,
    ) -> CloudResult<Option<DbCluster>>;

    /// `DescribeDBClusters`, every cluster of the Region (all pages).
    async fn describe_db_clusters(&self, region: Region) -> CloudResult<Vec<DbCluster>>;

    /// `SwitchoverGlobalCluster` (planned, no data loss). Call it in the current primary's
    /// Region; `target_db_cluster_arn` is the secondary to promote.
    async fn switchover_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        target_db_cluster_arn: &str,
    ) -> CloudResult<GlobalCluster>;

    /// `FailoverGlobalCluster`. With `allow_data_loss` an unplanned failover, called in the
    /// Region of the secondary being promoted (works while the primary Region is down).
    async fn failover_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        target_db_cluster_arn: &str,
        allow_data_loss: bool,
    ) -> CloudResult<GlobalCluster>;

    /// `ModifyDBCluster` with only `DeletionProtection` (applied immediately).
    async fn modify_db_cluster_deletion_protection(
        &self,
        region: Region,
        db_cluster_id: &str,
        enabled: bool,
    ) -> CloudResult<DbCluster>;

    /// `ModifyGlobalCluster` with only `DeletionProtection`: while it is on, the global cluster
    /// cannot be deleted, so CloudFormation fails to delete an `AWS::RDS::GlobalCluster` until
    /// it is lifted. A global cluster is not in one Region: any member's Region serves the call.
    /// `NotFound` for `GlobalClusterNotFoundFault`.
    /// [ModifyGlobalCluster](https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyGlobalCluster.html)
    async fn modify_global_cluster_deletion_protection(
        &self,
        region: Region,
        global_cluster_id: &str,
        enabled: bool,
    ) -> CloudResult<GlobalCluster>;

    /// `RemoveFromGlobalCluster`: detaches `db_cluster_arn` (becomes a standalone cluster).
    async fn remove_from_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        db_cluster_arn: &str,
    ) -> CloudResult<GlobalCluster>;

    /// `DescribeEvents` for one DB cluster (`SourceType=db-cluster`) since `start`, oldest
    /// first, all pages ("DescribeEvents",
    /// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeEvents.html>).
    /// Events RDS records against the cluster's DB instances (such as the write-fencing events
    /// of a global switchover or failover, `RDS-EVENT-0390`/`0391`) are not among them.
    async fn describe_cluster_events(
        &self,
        region: Region,
        db_cluster_id: &str,
        start: Timestamp,
    ) -> CloudResult<Vec<RdsEvent>>;

    /// `DescribeEvents` for one DB instance (`SourceType=db-instance`) since `start`, oldest
    /// first, all pages. Aurora records write fencing during a switchover or failover
    /// (`RDS-EVENT-0390`, `RDS-EVENT-0391`) on instances, not on the cluster ("Amazon RDS event
    /// categories and event messages for Aurora",
    /// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Events.Messages.html>).
    async fn describe_instance_events(
        &self,
        region: Region,
        db_instance_id: &str,
        start: Timestamp,
    ) -> CloudResult<Vec<RdsEvent>>;

    /// `DescribeDBClusterSnapshots` for one cluster (every type: `IncludeShared`/`IncludePublic`
    /// off), all pages.
    async fn describe_db_cluster_snapshots(
        &self,
        region: Region,
        db_cluster_id: &str,
    ) -> CloudResult<Vec<DbClusterSnapshot>>;

    // -- CloudWatch ----------------------------------------------------------------------------

    /// `DescribeAlarms` for the alarms named (metric alarms only); an unknown name is left out.
    async fn describe_alarms(
        &self,
        region: Region,
        alarm_names: &[String],
    ) -> CloudResult<Vec<MetricAlarm>>;

    /// `GetMetricStatistics` for one statistic, data points oldest first.
    async fn get_metric_statistics(
        &self,
        region: Region,
        query: MetricQuery,
    ) -> CloudResult<Vec<Datapoint>>;

    /// `ListMetrics`: the dimension sets under which `metric_name` exists (all pages).
    async fn list_metric_dimensions(
        &self,
        region: Region,
        namespace: &str,
        metric_name: &str,
    ) -> CloudResult<Vec<Vec<Dimension>>>;

    /// `PutMetricData`.
    async fn put_metric_data(
        &self,
        region: Region,
        namespace: &str,
        data: Vec<MetricDatum>,
    ) -> CloudResult<()>;

    // -- ELBv2 ---------------------------------------------------------------------------------

    /// `DescribeTargetHealth` for every target of a target group.
    async fn describe_target_health(
        &self,
        region: Region,
        target_group_arn: &str,
    ) -> CloudResult<Vec<TargetHealth>>;

    /// `DescribeLoadBalancerAttributes`: every attribute of the load balancer. `NotFound` for
    /// `LoadBalancerNotFound`.
    async fn describe_load_balancer_attributes(
        &self,
        region: Region,
        load_balancer_arn: &str,
    ) -> CloudResult<LoadBalancerAttributes>;

    /// `ModifyLoadBalancerAttributes`: sets the `(key, value)` pairs given and leaves the other
    /// attributes as they are; answers every attribute after the change. ELB checks what the
    /// new values need (turning access logs on makes it write a test object to the bucket,
    /// and fails when it cannot). `NotFound` for `LoadBalancerNotFound`.
    async fn modify_load_balancer_attributes(
        &self,
        region: Region,
        load_balancer_arn: &str,
        attributes: Vec<(String, String)>,
    ) -> CloudResult<LoadBalancerAttributes>;

    // -- Route 53 ------------------------------------------------------------------------------

    /// `GetHealthCheck`.
    async fn get_health_check(
        &self,
        region: Region,
        health_check_id: &str,
    ) -> CloudResult<HealthCheck>;

    /// `GetHealthCheckStatus`.
    async fn get_health_check_status(
        &self,
        region: Region,
        health_check_id: &str,
    ) -> CloudResult<HealthCheckStatus>;

    /// `UpdateHealthCheck` with only `Inverted` / `Disabled` (and the version guard).
    async fn update_health_check(
        &self,
        region: Region,
        health_check_id: &str,
        update: HealthCheckUpdate,
    ) -> CloudResult<HealthCheck>;

    /// `ListResourceRecordSets`, all pages.
    async fn list_resource_record_sets(
        &self,
        region: Region,
        hosted_zone_id: &str,
    ) -> CloudResult<Vec<ResourceRecordSet>>;

    /// `ChangeResourceRecordSets` (one atomic batch).
    async fn change_resource_record_sets(
        &self,
        region: Region,
        hosted_zone_id: &str,
        changes: Vec<RecordChange>,
        comment: Option<String>,
    ) -> CloudResult<ChangeInfo>;

    /// `GetChange`: poll until `INSYNC`.
    async fn get_change(&self, region: Region, change_id: &str) -> CloudResult<ChangeInfo>;

    /// `TestDNSAnswer` (Route 53 control plane, public hosted zones only): what Route 53's name
    /// servers would answer now.
    async fn test_dns_answer(
        &self,
        region: Region,
        hosted_zone_id: &str,
        record_name: &str,
        record_type: &str,
    ) -> CloudResult<DnsAnswer>;

    // -- DNS -----------------------------------------------------------------------------------

    /// A DNS query for `name`'s addresses through this machine's resolver (not an AWS API call;
    /// the `aws` backend uses `tokio::net::lookup_host`, the simulator answers from its world).
    /// Addresses as strings, sorted, deduplicated. NXDOMAIN/no address = Ok(vec![]).
    async fn resolve_addresses(&self, name: &str) -> CloudResult<Vec<String>>;

    // -- SSM, STS, S3 --------------------------------------------------------------------------

    /// `GetParameter` (with decryption); `NotFound` for `ParameterNotFound`.
    async fn get_parameter(&self, region: Region, name: &str) -> CloudResult<SsmParameter>;

    /// `GetCallerIdentity`.
    async fn get_caller_identity(&self, region: Region) -> CloudResult<CallerIdentity>;

    /// `PutObject`; returns the object's URL as CloudFormation's `TemplateURL` takes it
    /// (`https://<bucket>.s3.<region>.amazonaws.com/<key>`, or the emulator's equivalent).
    async fn put_object(
        &self,
        region: Region,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> CloudResult<String>;

    /// `ListObjectVersions`, all pages: every object version and delete marker of `bucket`
    /// (send it to the bucket's Region). `NotFound` for `NoSuchBucket`.
    async fn list_object_versions(
        &self,
        region: Region,
        bucket: &str,
    ) -> CloudResult<Vec<ObjectVersion>>;

    /// `DeleteObjects` for `objects`, each by key and version id, so versions and delete
    /// markers go for good; sent in requests of at most [`MAX_DELETE_OBJECTS`]. Fails when
    /// S3 refuses a key, naming it (the keys before it in the same request are deleted).
    async fn delete_objects(
        &self,
        region: Region,
        bucket: &str,
        objects: Vec<ObjectVersion>,
    ) -> CloudResult<()>;
}

/// The names of the port's operations that change something, as [`Cloud`] method names. A
/// wrapper that records calls counts these as mutating, and every "zero mutating calls" check
/// rests on this list; [`READ_ONLY_OPERATIONS`] holds the rest, and a test fails when a method of
/// the trait is in neither.
pub const MUTATING_OPERATIONS: &[&str] = &[
    "create_change_set",
    "execute_change_set_with",
    "execute_change_set",
    "delete_change_set",
    "set_stack_policy",
    "update_termination_protection",
    "delete_stack_with",
    "delete_stack",
    "switchover_global_cluster",
    "failover_global_cluster",
    "modify_db_cluster_deletion_protection",
    "modify_global_cluster_deletion_protection",
    "remove_from_global_cluster",
    "put_metric_data",
    "update_health_check",
    "change_resource_record_sets",
    "put_object",
    "modify_load_balancer_attributes",
    "delete_objects",
];

/// The names of the port's operations that only read, as [`Cloud`] method names: the
/// complement of [`MUTATING_OPERATIONS`] among the AWS calls (the backend's own `label`, `now`,
/// `is_simulated` and `sleep` are no AWS calls and in neither list). `resolve_addresses`, a DNS
/// query and no AWS API call, is listed here too: it reads and changes nothing.
pub const READ_ONLY_OPERATIONS: &[&str] = &[
    "describe_stack",
    "describe_change_set",
    "describe_stack_events",
    "describe_newest_stack_event",
    "describe_stack_resources",
    "get_template",
    "get_stack_policy",
    "describe_global_cluster",
    "describe_db_cluster",
    "describe_db_clusters",
    "get_metric_statistics",
    "list_metric_dimensions",
    "describe_target_health",
    "get_health_check",
    "get_health_check_status",
    "list_resource_record_sets",
    "get_change",
    "get_parameter",
    "get_caller_identity",
    "describe_load_balancer_attributes",
    "list_object_versions",
    "describe_alarms",
    "test_dns_answer",
    "resolve_addresses",
    "describe_cluster_events",
    "describe_instance_events",
    "describe_db_cluster_snapshots",
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The methods of the backend itself, which send nothing to AWS.
    const BACKEND_METHODS: [&str; 4] = ["label", "now", "is_simulated", "sleep"];

    /// The method names declared in `trait Cloud`, read from this file's source, so that a
    /// method added to the trait is seen here without anyone remembering to list it.
    fn trait_methods() -> Vec<String> {
        let src = include_str!("mod.rs");
        let start = src
            .find("pub trait Cloud: Send + Sync {")
            .expect("the trait's declaration");
        let body = &src[start..];
        let end = body.find("\n}\n").expect("the trait's closing brace");
        body[..end]
            .lines()
            .map(str::trim_start)
            .filter_map(|l| {
                l.strip_prefix("async fn ")
                    .or_else(|| l.strip_prefix("fn "))
            })
            .map(|l| {
                l.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn every_trait_method_is_classified_once() {
        let methods = trait_methods();
        assert!(
            methods.len() > 30,
            "the parse found too few methods: {methods:?}"
        );
        let mutating: BTreeSet<&str> = MUTATING_OPERATIONS.iter().copied().collect();
        let read_only: BTreeSet<&str> = READ_ONLY_OPERATIONS.iter().copied().collect();
        let both: Vec<&&str> = mutating.intersection(&read_only).collect();
        assert!(
            both.is_empty(),
            "listed as mutating and as read-only: {both:?}"
        );
        let unclassified: Vec<&String> = methods
            .iter()
            .filter(|m| {
                let m = m.as_str();
                !mutating.contains(m) && !read_only.contains(m) && !BACKEND_METHODS.contains(&m)
            })
            .collect();
        assert!(
            unclassified.is_empty(),
            "`Cloud` methods in neither MUTATING_OPERATIONS nor READ_ONLY_OPERATIONS (add each to \
             the one it belongs in; a mutating call missing from the first escapes every \
             zero-call check): {unclassified:?}"
        );
        let stale: Vec<&&str> = mutating
            .iter()
            .chain(&read_only)
            .filter(|op| !methods.iter().any(|m| m == **op))
            .collect();
        assert!(
            stale.is_empty(),
            "listed but not a `Cloud` method: {stale:?}"
        );
        assert_eq!(
            MUTATING_OPERATIONS.len() + READ_ONLY_OPERATIONS.len(),
            mutating.len() + read_only.len(),
            "an operation is listed twice"
        );
    }
}
