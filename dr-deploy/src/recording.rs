//! A `Cloud` wrapper that records every call, to count mutating calls (a no-op redeploy must
//! make none) and to show what a command did, on any backend.

use std::sync::Mutex;
use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::*;

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// The [`Cloud`] method name, e.g. `create_change_set`.
    pub operation: &'static str,
    /// The Region it went to. `resolve_addresses` is a DNS query from this machine that goes to
    /// no Region; its record carries [`DNS_QUERY_REGION`] as a placeholder, to be told apart by
    /// its `operation`.
    pub region: Region,
    /// What it concerned: the stack, cluster, health check… (empty when nothing).
    pub target: String,
    /// Whether the operation changes something ([`MUTATING_OPERATIONS`]).
    pub mutating: bool,
    /// When, on the backend clock.
    pub at: Timestamp,
}

/// The Region recorded for `resolve_addresses`, which goes to none (see [`CallRecord::region`]).
pub const DNS_QUERY_REGION: Region = Region::UsEast1;

/// Wraps a [`Cloud`] and records each call before passing it on.
pub struct CallRecorder<C> {
    inner: C,
    calls: Mutex<Vec<CallRecord>>,
}

impl<C: Cloud> CallRecorder<C> {
    /// Records the calls made to `inner`.
    pub fn new(inner: C) -> Self {
        CallRecorder {
            inner,
            calls: Mutex::new(Vec::new()),
        }
    }
    /// The wrapped backend.
    pub fn inner(&self) -> &C {
        &self.inner
    }
    /// The calls so far, in order.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
    /// The mutating calls so far.
    pub fn mutating_calls(&self) -> Vec<CallRecord> {
        self.calls().into_iter().filter(|c| c.mutating).collect()
    }
    /// Forgets the calls so far.
    pub fn clear(&self) {
        if let Ok(mut c) = self.calls.lock() {
            c.clear();
        }
    }

    fn record(&self, operation: &'static str, region: Region, target: &str) {
        let rec = CallRecord {
            operation,
            region,
            target: target.to_string(),
            mutating: MUTATING_OPERATIONS.contains(&operation),
            at: self.inner.now(),
        };
        if let Ok(mut c) = self.calls.lock() {
            c.push(rec);
        }
    }
}

#[async_trait::async_trait]
impl<C: Cloud> Cloud for CallRecorder<C> {
    fn label(&self) -> String {
        self.inner.label()
    }
    fn now(&self) -> Timestamp {
        self.inner.now()
    }
    fn is_simulated(&self) -> bool {
        self.inner.is_simulated()
    }
    async fn sleep(&self, duration: Duration) {
        self.inner.sleep(duration).await
    }
    async fn describe_stack(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<StackDescription>> {
        self.record("describe_stack", region, stack_name);
        self.inner.describe_stack(region, stack_name).await
    }
    async fn create_change_set(
        &self,
        region: Region,
        input: CreateChangeSetInput,
    ) -> CloudResult<ChangeSetRef> {
        self.record("create_change_set", region, &input.stack_name);
        self.inner.create_change_set(region, input).await
    }
    async fn describe_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<ChangeSetDescription> {
        self.record("describe_change_set", region, stack_name);
        self.inner
            .describe_change_set(region, stack_name, change_set)
            .await
    }
    async fn execute_change_set_with(
        &self,
        region: Region,
        input: ExecuteChangeSetInput,
    ) -> CloudResult<()> {
        self.record("execute_change_set_with", region, &input.stack_name);
        self.inner.execute_change_set_with(region, input).await
    }
    async fn execute_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<()> {
        self.record("execute_change_set", region, stack_name);
        self.inner
            .execute_change_set(region, stack_name, change_set)
            .await
    }
    async fn delete_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<()> {
        self.record("delete_change_set", region, stack_name);
        self.inner
            .delete_change_set(region, stack_name, change_set)
            .await
    }
    async fn describe_stack_events(
        &self,
        region: Region,
        stack_name: &str,
        stop_at: Option<&str>,
    ) -> CloudResult<Vec<StackEvent>> {
        self.record("describe_stack_events", region, stack_name);
        self.inner
            .describe_stack_events(region, stack_name, stop_at)
            .await
    }
    async fn describe_newest_stack_event(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<StackEvent>> {
        self.record("describe_newest_stack_event", region, stack_name);
        self.inner
            .describe_newest_stack_event(region, stack_name)
            .await
    }
    async fn describe_stack_resources(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Vec<StackResource>> {
        self.record("describe_stack_resources", region, stack_name);
        self.inner
            .describe_stack_resources(region, stack_name)
            .await
    }
    async fn get_template(&self, region: Region, stack_name: &str) -> CloudResult<String> {
        self.record("get_template", region, stack_name);
        self.inner.get_template(region, stack_name).await
    }
    async fn set_stack_policy(
        &self,
        region: Region,
        stack_name: &str,
        policy_body: &str,
    ) -> CloudResult<()> {
        self.record("set_stack_policy", region, stack_name);
        self.inner
            .set_stack_policy(region, stack_name, policy_body)
            .await
    }
    async fn get_stack_policy(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<String>> {
        self.record("get_stack_policy", region, stack_name);
        self.inner.get_stack_policy(region, stack_name).await
    }
    async fn update_termination_protection(
        &self,
        region: Region,
        stack_name: &str,
        enabled: bool,
    ) -> CloudResult<()> {
        self.record("update_termination_protection", region, stack_name);
        self.inner
            .update_termination_protection(region, stack_name, enabled)
            .await
    }
    async fn delete_stack_with(&self, region: Region, input: DeleteStackInput) -> CloudResult<()> {
        self.record("delete_stack_with", region, &input.stack_name);
        self.inner.delete_stack_with(region, input).await
    }
    async fn delete_stack(&self, region: Region, stack_name: &str) -> CloudResult<()> {
        self.record("delete_stack", region, stack_name);
        self.inner.delete_stack(region, stack_name).await
    }
    async fn describe_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
    ) -> CloudResult<Option<GlobalCluster>> {
        self.record("describe_global_cluster", region, global_cluster_id);
        self.inner
            .describe_global_cluster(region, global_cluster_id)
            .await
    }
    async fn describe_db_cluster(
        &self,
        region: Region,
        db_cluster_id: &str,
    ) -> CloudResult<Option<DbCluster>> {
        self.record("describe_db_cluster", region, db_cluster_id);
        self.inner.describe_db_cluster(region, db_cluster_id).await
    }
    async fn describe_db_clusters(&self, region: Region) -> CloudResult<Vec<DbCluster>> {
        self.record("describe_db_clusters", region, "");
        self.inner.describe_db_clusters(region).await
    }
    async fn switchover_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        target_db_cluster_arn: &str,
    ) -> CloudResult<GlobalCluster> {
        self.record("switchover_global_cluster", region, global_cluster_id);
        self.inner
            .switchover_global_cluster(region, global_cluster_id, target_db_cluster_arn)
            .await
    }
    async fn failover_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        target_db_cluster_arn: &str,
        allow_data_loss: bool,
    ) -> CloudResult<GlobalCluster> {
        self.record("failover_global_cluster", region, global_cluster_id);
        self.inner
            .failover_global_cluster(
                region,
                global_cluster_id,
                target_db_cluster_arn,
                allow_data_loss,
            )
            .await
    }
    async fn modify_db_cluster_deletion_protection(
        &self,
        region: Region,
        db_cluster_id: &str,
        enabled: bool,
    ) -> CloudResult<DbCluster> {
        self.record(
            "modify_db_cluster_deletion_protection",
            region,
            db_cluster_id,
        );
        self.inner
            .modify_db_cluster_deletion_protection(region, db_cluster_id, enabled)
            .await
    }
    async fn modify_global_cluster_deletion_protection(
        &self,
        region: Region,
        global_cluster_id: &str,
        enabled: bool,
    ) -> CloudResult<GlobalCluster> {
        self.record(
            "modify_global_cluster_deletion_protection",
            region,
            global_cluster_id,
        );
        self.inner
            .modify_global_cluster_deletion_protection(region, global_cluster_id, enabled)
            .await
    }
    async fn remove_from_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        db_cluster_arn: &str,
    ) -> CloudResult<GlobalCluster> {
        self.record("remove_from_global_cluster", region, global_cluster_id);
        self.inner
            .remove_from_global_cluster(region, global_cluster_id, db_cluster_arn)
            .await
    }
    async fn describe_cluster_events(
        &self,
        region: Region,
        db_cluster_id: &str,
        start: Timestamp,
    ) -> CloudResult<Vec<RdsEvent>> {
        self.record("describe_cluster_events", region, db_cluster_id);
        self.inner
            .describe_cluster_events(region, db_cluster_id, start)
            .await
    }
    async fn describe_instance_events(
        &self,
        region: Region,
        db_instance_id: &str,
        start: Timestamp,
    ) -> CloudResult<Vec<RdsEvent>> {
        self.record("describe_instance_events", region, db_instance_id);
        self.inner
            .describe_instance_events(region, db_instance_id, start)
            .await
    }
    async fn describe_db_cluster_snapshots(
        &self,
        region: Region,
        db_cluster_id: &str,
    ) -> CloudResult<Vec<DbClusterSnapshot>> {
        self.record("describe_db_cluster_snapshots", region, db_cluster_id);
        self.inner
            .describe_db_cluster_snapshots(region, db_cluster_id)
            .await
    }
    async fn describe_alarms(
        &self,
        region: Region,
        alarm_names: &[String],
    ) -> CloudResult<Vec<MetricAlarm>> {
        self.record("describe_alarms", region, &alarm_names.join(","));
        self.inner.describe_alarms(region, alarm_names).await
    }
    async fn get_metric_statistics(
        &self,
        region: Region,
        query: MetricQuery,
    ) -> CloudResult<Vec<Datapoint>> {
        self.record("get_metric_statistics", region, "");
        self.inner.get_metric_statistics(region, query).await
    }
    async fn list_metric_dimensions(
        &self,
        region: Region,
        namespace: &str,
        metric_name: &str,
    ) -> CloudResult<Vec<Vec<Dimension>>> {
        self.record("list_metric_dimensions", region, namespace);
        self.inner
            .list_metric_dimensions(region, namespace, metric_name)
            .await
    }
    async fn put_metric_data(
        &self,
        region: Region,
        namespace: &str,
        data: Vec<MetricDatum>,
    ) -> CloudResult<()> {
        self.record("put_metric_data", region, namespace);
        self.inner.put_metric_data(region, namespace, data).await
    }
    async fn describe_target_health(
        &self,
        region: Region,
        target_group_arn: &str,
    ) -> CloudResult<Vec<TargetHealth>> {
        self.record("describe_target_health", region, target_group_arn);
        self.inner
            .describe_target_health(region, target_group_arn)
            .await
    }
    async fn get_health_check(
        &self,
        region: Region,
        health_check_id: &str,
    ) -> CloudResult<HealthCheck> {
        self.record("get_health_check", region, health_check_id);
        self.inner.get_health_check(region, health_check_id).await
    }
    async fn get_health_check_status(
        &self,
        region: Region,
        health_check_id: &str,
    ) -> CloudResult<HealthCheckStatus> {
        self.record("get_health_check_status", region, health_check_id);
        self.inner
            .get_health_check_status(region, health_check_id)
            .await
    }
    async fn update_health_check(
        &self,
        region: Region,
        health_check_id: &str,
        update: HealthCheckUpdate,
    ) -> CloudResult<HealthCheck> {
        self.record("update_health_check", region, health_check_id);
        self.inner
            .update_health_check(region, health_check_id, update)
            .await
    }
    async fn list_resource_record_sets(
        &self,
        region: Region,
        hosted_zone_id: &str,
    ) -> CloudResult<Vec<ResourceRecordSet>> {
        self.record("list_resource_record_sets", region, hosted_zone_id);
        self.inner
            .list_resource_record_sets(region, hosted_zone_id)
            .await
    }
    async fn change_resource_record_sets(
        &self,
        region: Region,
        hosted_zone_id: &str,
        changes: Vec<RecordChange>,
        comment: Option<String>,
    ) -> CloudResult<ChangeInfo> {
        self.record("change_resource_record_sets", region, hosted_zone_id);
        self.inner
            .change_resource_record_sets(region, hosted_zone_id, changes, comment)
            .await
    }
    async fn get_change(&self, region: Region, change_id: &str) -> CloudResult<ChangeInfo> {
        self.record("get_change", region, change_id);
        self.inner.get_change(region, change_id).await
    }
    async fn test_dns_answer(
        &self,
        region: Region,
        hosted_zone_id: &str,
        record_name: &str,
        record_type: &str,
    ) -> CloudResult<DnsAnswer> {
        self.record("test_dns_answer", region, record_name);
        self.inner
            .test_dns_answer(region, hosted_zone_id, record_name, record_type)
            .await
    }
    async fn resolve_addresses(&self, name: &str) -> CloudResult<Vec<String>> {
        self.record("resolve_addresses", DNS_QUERY_REGION, name);
        self.inner.resolve_addresses(name).await
    }
    async fn get_parameter(&self, region: Region, name: &str) -> CloudResult<SsmParameter> {
        self.record("get_parameter", region, name);
        self.inner.get_parameter(region, name).await
    }
    async fn get_caller_identity(&self, region: Region) -> CloudResult<CallerIdentity> {
        self.record("get_caller_identity", region, "");
        self.inner.get_caller_identity(region).await
    }
    async fn put_object(
        &self,
        region: Region,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> CloudResult<String> {
        self.record("put_object", region, bucket);
        self.inner.put_object(region, bucket, key, body).await
    }
    async fn describe_load_balancer_attributes(
        &self,
        region: Region,
        load_balancer_arn: &str,
    ) -> CloudResult<LoadBalancerAttributes> {
        self.record(
            "describe_load_balancer_attributes",
            region,
            load_balancer_arn,
        );
        self.inner
            .describe_load_balancer_attributes(region, load_balancer_arn)
            .await
    }
    async fn modify_load_balancer_attributes(
        &self,
        region: Region,
        load_balancer_arn: &str,
        attributes: Vec<(String, String)>,
    ) -> CloudResult<LoadBalancerAttributes> {
        self.record("modify_load_balancer_attributes", region, load_balancer_arn);
        self.inner
            .modify_load_balancer_attributes(region, load_balancer_arn, attributes)
            .await
    }
    async fn list_object_versions(
        &self,
        region: Region,
        bucket: &str,
    ) -> CloudResult<Vec<ObjectVersion>> {
        self.record("list_object_versions", region, bucket);
        self.inner.list_object_versions(region, bucket).await
    }
    async fn delete_objects(
        &self,
        region: Region,
        bucket: &str,
        objects: Vec<ObjectVersion>,
    ) -> CloudResult<()> {
        self.record("delete_objects", region, bucket);
        self.inner.delete_objects(region, bucket, objects).await
    }
}

#[cfg(test)]
mod tests {
    /// Each forwarding method records its own name: a copy-pasted name would count a mutating
    /// call as the read it was copied from, and every zero-call check would miss it.
    #[test]
    fn each_method_records_its_own_name() {
        let src = include_str!("recording.rs");
        let start = src
            .find("impl<C: Cloud> Cloud for CallRecorder<C>")
            .expect("the impl");
        let end = src.find("#[cfg(test)]").expect("the tests");
        let mut rest = &src[start..end];
        let mut current: Option<&str> = None;
        let mut checked = 0;
        // In source order: each method's name, then the name it records (the call may be
        // wrapped over several lines).
        loop {
            let next_fn = rest.find("async fn ");
            let next_record = rest.find("self.record(");
            match (next_fn, next_record) {
                (Some(f), r) if r.is_none_or(|r| f < r) => {
                    rest = &rest[f + "async fn ".len()..];
                    current = rest.split(['(', '<']).next();
                }
                (_, Some(r)) => {
                    rest = &rest[r..];
                    let recorded = rest.split('"').nth(1);
                    assert_eq!(recorded, current, "a method records another's name");
                    checked += 1;
                    rest = &rest["self.record(".len()..];
                }
                _ => break,
            }
        }
        let operations =
            dr_core::cloud::MUTATING_OPERATIONS.len() + dr_core::cloud::READ_ONLY_OPERATIONS.len();
        assert_eq!(checked, operations, "every operation is recorded once");
    }
}
