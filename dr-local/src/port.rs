//! `impl Cloud for LocalCloud`: the port's operations on the simulated world.

use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{self, Cloud, CloudResult, Timestamp};
use serde_json::Value;

use super::eval::Template;
use super::state::World;
use super::{LocalCloud, LocalError, convert, ids, lock, services};

const ROUTE53_INSYNC_SECS: u64 = 60;

fn stack_ref<'a>(
    w: &'a World,
    region: Region,
    name: &str,
) -> Result<&'a super::state::Stack, LocalError> {
    let rs = w
        .regions
        .get(&region)
        .ok_or_else(|| LocalError::stack_not_found(name))?;
    let i = rs
        .stack_index(name)
        .ok_or_else(|| LocalError::stack_not_found(name))?;
    let s = &rs.stacks[i];
    // A deleted stack is found by its id only.
    if s.deleted.is_some() && s.id != name {
        return Err(LocalError::stack_not_found(name));
    }
    Ok(s)
}

/// CloudFormation refuses IAM resources without the acknowledgement
/// (`InsufficientCapabilitiesException`: `Requires capabilities : [CAPABILITY_IAM]`).
fn check_capabilities(body: &str, caps: &[cloud::Capability]) -> Result<(), LocalError> {
    let Ok(t) = Template::parse(body) else {
        return Ok(());
    };
    let iam: Vec<_> = t
        .resources
        .values()
        .filter(|r| r.type_name.starts_with("AWS::IAM::"))
        .collect();
    if iam.is_empty() {
        return Ok(());
    }
    let named = iam.iter().any(|r| {
        [
            "RoleName",
            "InstanceProfileName",
            "PolicyName",
            "UserName",
            "GroupName",
            "ManagedPolicyName",
        ]
        .iter()
        .any(|k| r.type_name != "AWS::IAM::Policy" && r.properties.get(*k).is_some())
    });
    let has_named = caps.contains(&cloud::Capability::NamedIam);
    let ok = if named {
        has_named
    } else {
        has_named || caps.contains(&cloud::Capability::Iam)
    };
    if ok {
        Ok(())
    } else {
        Err(LocalError::Validation(format!(
            "Requires capabilities : [{}]",
            if named {
                "CAPABILITY_NAMED_IAM"
            } else {
                "CAPABILITY_IAM"
            }
        )))
    }
}

fn s3_url(bucket: &str, region: Region, key: &str) -> String {
    format!("https://{bucket}.s3.{region}.amazonaws.com/{key}")
}

fn read_url(w: &World, url: &str) -> Result<String, LocalError> {
    let rest = url.strip_prefix("https://").unwrap_or(url);
    let (host, key) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket = host.split(".s3").next().unwrap_or_default();
    services::s3::get(w, bucket, key)
        .map(str::to_string)
        .ok_or_else(|| {
            LocalError::Validation(format!(
                "TemplateURL must be a supported URL: the object {url} does not exist"
            ))
        })
}

#[async_trait::async_trait]
impl Cloud for LocalCloud {
    fn label(&self) -> String {
        "local simulator".into()
    }

    fn now(&self) -> Timestamp {
        convert::ts(lock(&self.inner).world.now)
    }

    fn is_simulated(&self) -> bool {
        true
    }

    async fn sleep(&self, duration: Duration) {
        // Tasks that start sleeping at the same virtual instant (stacks of one wave, polling
        // together) must wake at the same instant, not one after the other: note the wake time,
        // let the others note theirs, then move the clock up to it, never back. Advancing by
        // `duration` from whatever the clock says on return would add the sleeps up and make
        // time run N times too fast while N stacks deploy.
        let clock = self.clock();
        let wake = clock
            .now()
            .plus_ms(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX));
        tokio::task::yield_now().await;
        let now = clock.now();
        if wake > now {
            clock.advance(Duration::from_millis(wake.as_millis() - now.as_millis()));
        }
    }

    async fn describe_stack(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<cloud::StackDescription>> {
        self.call("describe_stack", "DescribeStacks", region, |w, _| {
            let now = w.now;
            Ok(w.regions.get(&region).and_then(|rs| {
                rs.stack_index(stack_name)
                    .map(|i| &rs.stacks[i])
                    .filter(|s| s.deleted.is_none())
                    .map(|s| convert::stack_description(s, now))
            }))
        })
    }

    async fn create_change_set(
        &self,
        region: Region,
        input: cloud::CreateChangeSetInput,
    ) -> CloudResult<cloud::ChangeSetRef> {
        self.call("create_change_set", "CreateChangeSet", region, |w, _| {
            let body = match &input.template {
                cloud::TemplateSource::Body(b) => {
                    if b.len() > dr_core::template::MAX_INLINE_TEMPLATE_BYTES {
                        // The API's length constraint on TemplateBody: 51,200 bytes
                        // ("CloudFormation quotas",
                        // <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>).
                        return Err(LocalError::Validation(format!(
                            "1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to {}",
                            dr_core::template::MAX_INLINE_TEMPLATE_BYTES
                        )));
                    }
                    b.clone()
                }
                cloud::TemplateSource::Url(u) => read_url(w, u)?,
            };
            if body.len() > dr_core::template::MAX_TEMPLATE_BYTES {
                // 1 MB for a template passed by S3 URL ("CloudFormation quotas",
                // <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>).
                return Err(LocalError::Validation(format!(
                    "Template may not exceed {} bytes in size.",
                    dr_core::template::MAX_TEMPLATE_BYTES
                )));
            }
            check_capabilities(&body, &input.capabilities)?;
            let params: Vec<(String, String)> = input
                .parameters
                .iter()
                .map(|p| (p.key.clone(), p.value.clone()))
                .collect();
            let (id, stack_id) = w.create_change_set(
                region,
                crate::lifecycle::ChangeSetRequest {
                    stack_name: &input.stack_name,
                    change_set_name: &input.change_set_name,
                    template_body: &body,
                    parameters: &params,
                    change_set_type: input.change_set_type.as_str(),
                    description: input.description.as_deref(),
                    client_token: input.client_token.as_deref(),
                },
            )?;
            Ok(cloud::ChangeSetRef { id, stack_id })
        })
    }

    async fn describe_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<cloud::ChangeSetDescription> {
        self.call(
            "describe_change_set",
            "DescribeChangeSet",
            region,
            |w, _| {
                let now = w.now;
                let rs = w
                    .regions
                    .get(&region)
                    .ok_or_else(|| LocalError::change_set_not_found(change_set))?;
                for s in rs.stacks.iter().filter(|s| {
                    s.name == stack_name || s.id == stack_name || change_set.starts_with("arn:")
                }) {
                    if let Some(c) = s.change_sets.iter().find(|c| {
                        c.id == change_set || (c.name == change_set && s.deleted.is_none())
                    }) {
                        return Ok(convert::change_set(s, c, now));
                    }
                }
                Err(LocalError::change_set_not_found(change_set))
            },
        )
    }

    async fn execute_change_set_with(
        &self,
        region: Region,
        input: cloud::ExecuteChangeSetInput,
    ) -> CloudResult<()> {
        self.call(
            "execute_change_set_with",
            "ExecuteChangeSet",
            region,
            |w, faults| {
                w.execute_change_set(
                    region,
                    &input.stack_name,
                    &input.change_set,
                    crate::lifecycle::ExecuteOptions {
                        client_request_token: input.client_request_token.as_deref(),
                        retain_except_on_create: input.retain_except_on_create,
                    },
                    &mut faults.fail,
                )
            },
        )
    }

    async fn delete_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<()> {
        self.call("delete_change_set", "DeleteChangeSet", region, |w, _| {
            w.delete_change_set(region, stack_name, change_set)
        })
    }

    async fn describe_stack_events(
        &self,
        region: Region,
        stack_name: &str,
        stop_at: Option<&str>,
    ) -> CloudResult<Vec<cloud::StackEvent>> {
        self.call(
            "describe_stack_events",
            "DescribeStackEvents",
            region,
            |w, _| {
                let now = w.now;
                let s = stack_ref(w, region, stack_name)?;
                let mut out = Vec::new();
                // Newest first, as DescribeStackEvents returns them.
                for e in s
                    .events
                    .iter()
                    .rev()
                    .filter(|e| e.timestamp <= Timestamp::from(now))
                {
                    if Some(e.event_id.as_str()) == stop_at {
                        break;
                    }
                    out.push(e.clone());
                }
                Ok(out)
            },
        )
    }

    async fn describe_newest_stack_event(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<cloud::StackEvent>> {
        self.call(
            "describe_newest_stack_event",
            "DescribeStackEvents",
            region,
            |w, _| {
                let now = w.now;
                let s = stack_ref(w, region, stack_name)?;
                Ok(s.events
                    .iter()
                    .rev()
                    .find(|e| e.timestamp <= Timestamp::from(now))
                    .cloned())
            },
        )
    }

    async fn describe_stack_resources(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Vec<cloud::StackResource>> {
        self.call(
            "describe_stack_resources",
            "DescribeStackResources",
            region,
            |w, _| {
                let now = w.now;
                let s = stack_ref(w, region, stack_name)?;
                Ok(convert::stack_resources(s, now))
            },
        )
    }

    async fn get_template(&self, region: Region, stack_name: &str) -> CloudResult<String> {
        self.call("get_template", "GetTemplate", region, |w, _| {
            let s = stack_ref(w, region, stack_name)?;
            match &s.template_body {
                Some(b) => Ok(b.clone()),
                // A REVIEW_IN_PROGRESS stack has no deployed template (only its change sets
                // have one): never report one, so nobody mistakes it for deployed.
                None => Err(LocalError::Validation(format!(
                    "Stack:{} is in REVIEW_IN_PROGRESS state and has no deployed template; name a change set to read its template",
                    s.id
                ))),
            }
        })
    }

    async fn set_stack_policy(
        &self,
        region: Region,
        stack_name: &str,
        policy_body: &str,
    ) -> CloudResult<()> {
        self.call("set_stack_policy", "SetStackPolicy", region, |w, _| {
            let v: Value = serde_json::from_str(policy_body).map_err(|e| {
                LocalError::Validation(format!(
                    "Error validating stack policy: Invalid stack policy: {e}"
                ))
            })?;
            if v.get("Statement").is_none() {
                return Err(LocalError::Validation(
                    "Error validating stack policy: Unknown error: missing Statement".into(),
                ));
            }
            w.stack_mut(region, stack_name)?.stack_policy = Some(policy_body.to_string());
            Ok(())
        })
    }

    async fn get_stack_policy(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<String>> {
        self.call("get_stack_policy", "GetStackPolicy", region, |w, _| {
            Ok(stack_ref(w, region, stack_name)?.stack_policy.clone())
        })
    }

    async fn update_termination_protection(
        &self,
        region: Region,
        stack_name: &str,
        enabled: bool,
    ) -> CloudResult<()> {
        self.call("update_termination_protection", "UpdateTerminationProtection", region, |w, _| {
            let now = w.now;
            let s = w.stack_mut(region, stack_name)?;
            let (status, _) = s.status_at(now);
            if status.starts_with("DELETE_") && status != "DELETE_FAILED" {
                return Err(LocalError::Validation(format!("Stack:{} is in {status} state and termination protection cannot be changed.", s.id)));
            }
            s.termination_protection = enabled;
            Ok(())
        })
    }

    async fn delete_stack_with(
        &self,
        region: Region,
        input: cloud::DeleteStackInput,
    ) -> CloudResult<()> {
        // A retry with the same ClientRequestToken needs nothing of its own: a second
        // DeleteStack of a stack being deleted, or gone, is accepted and changes nothing.
        let force = input.deletion_mode == Some(cloud::DeletionMode::ForceDeleteStack);
        self.call("delete_stack_with", "DeleteStack", region, |w, _| {
            w.delete_stack(
                region,
                &input.stack_name,
                crate::lifecycle::DeleteOptions {
                    retain_resources: &input.retain_resources,
                    force,
                },
            )
        })
    }

    /// A global cluster is an account-level resource whose ARN names no Region, and
    /// `DescribeGlobalClusters` lists it whichever Region is asked, member or not: the call's
    /// `region` filter exists to narrow the list to "any global cluster with at least one
    /// member (primary or secondary) in the specified AWS Regions" ("DescribeGlobalClusters",
    /// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeGlobalClusters.html>),
    /// and "the same set is returned from every region" (observed, tested against AWS, in
    /// <https://github.com/cloud-custodian/cloud-custodian/pull/11092>). So every Region that
    /// answers describes it; only an outage of the Region asked stops the call. The identifier
    /// "isn't case-sensitive" (same page).
    async fn describe_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
    ) -> CloudResult<Option<cloud::GlobalCluster>> {
        self.call(
            "describe_global_cluster",
            "DescribeGlobalClusters",
            region,
            |w, _| {
                let now = w.now;
                Ok(w.global_clusters
                    .values()
                    .find(|g| g.id.eq_ignore_ascii_case(global_cluster_id))
                    .map(|g| convert::global_cluster(g, now)))
            },
        )
    }

    async fn describe_db_cluster(
        &self,
        region: Region,
        db_cluster_id: &str,
    ) -> CloudResult<Option<cloud::DbCluster>> {
        self.call(
            "describe_db_cluster",
            "DescribeDBClusters",
            region,
            |w, _| {
                let c = w.regions.get(&region).and_then(|rs| {
                    rs.db_clusters
                        .values()
                        .find(|c| c.id == db_cluster_id.to_lowercase() || c.arn == db_cluster_id)
                });
                Ok(c.map(|c| convert::db_cluster(w, c)))
            },
        )
    }

    async fn describe_db_clusters(&self, region: Region) -> CloudResult<Vec<cloud::DbCluster>> {
        self.call(
            "describe_db_clusters",
            "DescribeDBClusters",
            region,
            |w, _| {
                Ok(w.regions
                    .get(&region)
                    .map(|rs| {
                        rs.db_clusters
                            .values()
                            .map(|c| convert::db_cluster(w, c))
                            .collect()
                    })
                    .unwrap_or_default())
            },
        )
    }

    async fn switchover_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        target_db_cluster_arn: &str,
    ) -> CloudResult<cloud::GlobalCluster> {
        self.call(
            "switchover_global_cluster",
            "SwitchoverGlobalCluster",
            region,
            |w, f| {
                let down = f.unavailable_at(w.now);
                services::start_failover(
                    w,
                    region,
                    global_cluster_id,
                    target_db_cluster_arn,
                    false,
                    &down,
                )?;
                Ok(convert::global_cluster(
                    &w.global_clusters[global_cluster_id],
                    w.now,
                ))
            },
        )
    }

    async fn failover_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        target_db_cluster_arn: &str,
        allow_data_loss: bool,
    ) -> CloudResult<cloud::GlobalCluster> {
        self.call(
            "failover_global_cluster",
            "FailoverGlobalCluster",
            region,
            |w, f| {
                let down = f.unavailable_at(w.now);
                services::start_failover(
                    w,
                    region,
                    global_cluster_id,
                    target_db_cluster_arn,
                    allow_data_loss,
                    &down,
                )?;
                Ok(convert::global_cluster(
                    &w.global_clusters[global_cluster_id],
                    w.now,
                ))
            },
        )
    }

    async fn modify_db_cluster_deletion_protection(
        &self,
        region: Region,
        db_cluster_id: &str,
        enabled: bool,
    ) -> CloudResult<cloud::DbCluster> {
        self.call(
            "modify_db_cluster_deletion_protection",
            "ModifyDBCluster",
            region,
            |w, _| {
                let id = db_cluster_id.to_lowercase();
                let c = w.region(region).db_clusters.get_mut(&id).ok_or_else(|| {
                    LocalError::NotFound(format!(
                        "DBClusterNotFoundFault: DBCluster {db_cluster_id} not found."
                    ))
                })?;
                c.deletion_protection = enabled;
                let c = c.clone();
                // The stack's recorded property follows, so a stack delete sees the new value.
                for s in w.region(region).stacks.iter_mut() {
                    for r in s
                        .resources
                        .values_mut()
                        .filter(|r| r.type_name == "AWS::RDS::DBCluster" && r.physical_id == id)
                    {
                        if let Some(o) = r.properties.as_object_mut() {
                            o.insert("DeletionProtection".into(), Value::Bool(enabled));
                        }
                    }
                }
                Ok(convert::db_cluster(w, &c))
            },
        )
    }

    async fn modify_global_cluster_deletion_protection(
        &self,
        region: Region,
        global_cluster_id: &str,
        enabled: bool,
    ) -> CloudResult<cloud::GlobalCluster> {
        self.call(
            "modify_global_cluster_deletion_protection",
            "ModifyGlobalCluster",
            region,
            |w, _| {
                let now = w.now;
                // The identifier "isn't case-sensitive" (ModifyGlobalCluster API reference).
                let g = w
                    .global_clusters
                    .values_mut()
                    .find(|g| g.id.eq_ignore_ascii_case(global_cluster_id))
                    .ok_or_else(|| {
                        LocalError::NotFound(format!(
                            "GlobalClusterNotFoundFault: Global cluster {global_cluster_id} not found."
                        ))
                    })?;
                g.deletion_protection = enabled;
                let id = g.id.clone();
                let out = convert::global_cluster(g, now);
                // The global cluster is in no one Region: the stack that owns it may be in any,
                // and its recorded property must follow so that a stack delete sees the new value.
                for rs in w.regions.values_mut() {
                    for r in rs.stacks.iter_mut().flat_map(|s| s.resources.values_mut()) {
                        if r.type_name == "AWS::RDS::GlobalCluster"
                            && r.physical_id == id
                            && let Some(o) = r.properties.as_object_mut()
                        {
                            o.insert("DeletionProtection".into(), Value::Bool(enabled));
                        }
                    }
                }
                Ok(out)
            },
        )
    }

    async fn remove_from_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        db_cluster_arn: &str,
    ) -> CloudResult<cloud::GlobalCluster> {
        self.call(
            "remove_from_global_cluster",
            "RemoveFromGlobalCluster",
            region,
            |w, _| {
                // The detach runs on: the answer still lists the member, as AWS's does.
                let id = services::start_detach(w, global_cluster_id, db_cluster_arn)?;
                Ok(convert::global_cluster(&w.global_clusters[&id], w.now))
            },
        )
    }

    async fn describe_cluster_events(
        &self,
        region: Region,
        db_cluster_id: &str,
        start: Timestamp,
    ) -> CloudResult<Vec<cloud::RdsEvent>> {
        self.call(
            "describe_cluster_events",
            "DescribeEvents",
            region,
            |w, _| {
                Ok(services::rds::cluster_events(
                    w,
                    region,
                    db_cluster_id,
                    start,
                    w.now,
                ))
            },
        )
    }

    async fn describe_instance_events(
        &self,
        region: Region,
        db_instance_id: &str,
        start: Timestamp,
    ) -> CloudResult<Vec<cloud::RdsEvent>> {
        self.call(
            "describe_instance_events",
            "DescribeEvents",
            region,
            |w, _| {
                Ok(services::rds::instance_events(
                    w,
                    region,
                    db_instance_id,
                    start,
                    w.now,
                ))
            },
        )
    }

    async fn describe_db_cluster_snapshots(
        &self,
        region: Region,
        db_cluster_id: &str,
    ) -> CloudResult<Vec<cloud::DbClusterSnapshot>> {
        self.call(
            "describe_db_cluster_snapshots",
            "DescribeDBClusterSnapshots",
            region,
            |w, _| Ok(services::rds::cluster_snapshots(w, region, db_cluster_id)),
        )
    }

    /// The alarms CloudWatch evaluates for the stacks' `AWS::CloudWatch::Alarm`s (all metric
    /// alarms; "DescribeAlarms", Amazon CloudWatch API Reference,
    /// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html>),
    /// in name order (the simulator's: the reference states no order).
    /// The simulator keeps no `StateReason` (its text is CloudWatch's own, not modeled): none.
    async fn describe_alarms(
        &self,
        region: Region,
        alarm_names: &[String],
    ) -> CloudResult<Vec<cloud::MetricAlarm>> {
        self.call("describe_alarms", "DescribeAlarms", region, |w, _| {
            let mut out: Vec<cloud::MetricAlarm> = alarm_names
                .iter()
                .filter_map(|name| {
                    let key = services::cloudwatch::alarm_key(region.code(), name);
                    w.alarms.get(&key).map(|a| metric_alarm(name, a))
                })
                .collect();
            out.sort_by(|a, b| a.name.cmp(&b.name));
            out.dedup_by(|a, b| a.name == b.name);
            Ok(out)
        })
    }

    async fn get_metric_statistics(
        &self,
        region: Region,
        query: cloud::MetricQuery,
    ) -> CloudResult<Vec<cloud::Datapoint>> {
        self.call(
            "get_metric_statistics",
            "GetMetricStatistics",
            region,
            |w, _| {
                let period = i64::from(query.period_seconds.max(1)) * 1000;
                let now = convert::ts(w.now).millis();
                // A point published at `now` is readable at once: the end is exclusive, and
                // no point lies beyond `now`.
                let end = query.end.millis().min(now + 1);
                let dim = |n: &str| {
                    query
                        .dimensions
                        .iter()
                        .find(|d| d.name == n)
                        .map(|d| d.value.clone())
                };
                if query.namespace == "AWS/RDS" && query.metric_name.starts_with("AuroraGlobalDB") {
                    // Available only in secondary Regions, for secondary clusters ("CloudWatch
                    // metrics for Amazon Aurora",
                    // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html>).
                    let Some(id) = dim("DBClusterIdentifier") else {
                        return Ok(vec![]);
                    };
                    let Some(c) = w
                        .regions
                        .get(&region)
                        .and_then(|rs| rs.db_clusters.get(&id.to_lowercase()))
                    else {
                        return Ok(vec![]);
                    };
                    let secondary = c
                        .global_cluster_id
                        .as_ref()
                        .and_then(|g| w.global_clusters.get(g))
                        .is_some_and(|g| {
                            g.members
                                .iter()
                                .any(|m| m.cluster_arn == c.arn && !m.is_writer)
                        });
                    if !secondary {
                        return Ok(vec![]);
                    }
                    let mut out = Vec::new();
                    let mut t = query.start.millis() - query.start.millis().rem_euclid(period);
                    while t < end && out.len() < 1440 {
                        out.push(cloud::Datapoint {
                            timestamp: Timestamp::from_millis(t),
                            value: c.replication_lag_ms as f64,
                            unit: Some("Milliseconds".into()),
                        });
                        t += period;
                    }
                    return Ok(out);
                }
                let points = if query.namespace == "AWS/Route53" {
                    // Route 53 publishes its health-check metrics in us-east-1 only, whatever
                    // the check ("Monitoring health checks using CloudWatch",
                    // <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html>):
                    // `HealthCheckStatus` (1 healthy, 0 unhealthy) per `HealthCheckId`, for
                    // every type, calculated checks included.
                    let check = dim("HealthCheckId").and_then(|id| w.health_checks.get(&id));
                    match check {
                        Some(h)
                            if region == Region::UsEast1
                                && query.metric_name == "HealthCheckStatus"
                                && query.dimensions.len() == 1 =>
                        {
                            services::route53::status_samples(
                                h,
                                u64::try_from(query.start.millis()).unwrap_or(0),
                                u64::try_from(end).unwrap_or(0),
                            )
                        }
                        _ => vec![],
                    }
                } else {
                    let key = services::metric_key(
                        region,
                        &query.namespace,
                        &query.metric_name,
                        &query.dimensions,
                    );
                    w.metrics.get(&key).cloned().unwrap_or_default()
                };
                let mut buckets: std::collections::BTreeMap<i64, Vec<f64>> = Default::default();
                for (t, v) in points {
                    let t = convert::ts(t).millis();
                    if t >= query.start.millis() && t < end {
                        buckets.entry(t - t.rem_euclid(period)).or_default().push(v);
                    }
                }
                Ok(buckets
                    .into_iter()
                    .map(|(t, vs)| {
                        let value = match query.statistic {
                            cloud::Statistic::Maximum => {
                                vs.iter().copied().fold(f64::MIN, f64::max)
                            }
                            cloud::Statistic::Minimum => {
                                vs.iter().copied().fold(f64::MAX, f64::min)
                            }
                            cloud::Statistic::Sum => vs.iter().sum(),
                            cloud::Statistic::SampleCount => vs.len() as f64,
                            _ => vs.iter().sum::<f64>() / vs.len() as f64,
                        };
                        cloud::Datapoint {
                            timestamp: Timestamp::from_millis(t),
                            value,
                            unit: None,
                        }
                    })
                    .collect())
            },
        )
    }

    async fn list_metric_dimensions(
        &self,
        region: Region,
        namespace: &str,
        metric_name: &str,
    ) -> CloudResult<Vec<Vec<cloud::Dimension>>> {
        self.call("list_metric_dimensions", "ListMetrics", region, |w, _| {
            let d = |n: &str, v: &str| cloud::Dimension {
                name: n.into(),
                value: v.into(),
            };
            if namespace == "AWS/RDS" && metric_name.starts_with("AuroraGlobalDB") {
                let mut out = Vec::new();
                for c in w
                    .regions
                    .get(&region)
                    .map(|rs| rs.db_clusters.values().collect::<Vec<_>>())
                    .unwrap_or_default()
                {
                    let Some(g) = c
                        .global_cluster_id
                        .as_ref()
                        .and_then(|g| w.global_clusters.get(g))
                    else {
                        continue;
                    };
                    if !g
                        .members
                        .iter()
                        .any(|m| m.cluster_arn == c.arn && !m.is_writer)
                    {
                        continue;
                    }
                    let source = g
                        .members
                        .iter()
                        .find(|m| m.is_writer)
                        .map(|m| m.region.code())
                        .unwrap_or_default();
                    out.push(vec![d("DBClusterIdentifier", &c.id)]);
                    // Observed in AWS's Aurora lab: the lag also under (cluster, SourceRegion).
                    out.push(vec![
                        d("DBClusterIdentifier", &c.id),
                        d("SourceRegion", source),
                    ]);
                }
                return Ok(out);
            }
            if namespace == "AWS/Route53" {
                // us-east-1 only (see `get_metric_statistics`).
                if region != Region::UsEast1 || metric_name != "HealthCheckStatus" {
                    return Ok(vec![]);
                }
                return Ok(w
                    .health_checks
                    .keys()
                    .map(|id| vec![d("HealthCheckId", id)])
                    .collect());
            }
            let prefix = format!("{region}|{namespace}|{metric_name}|");
            Ok(w.metrics
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .map(|dims| serde_json::from_str(dims).unwrap_or_default())
                .collect())
        })
    }

    async fn put_metric_data(
        &self,
        region: Region,
        namespace: &str,
        data: Vec<cloud::MetricDatum>,
    ) -> CloudResult<()> {
        self.call("put_metric_data", "PutMetricData", region, |w, _| {
            let now = w.now;
            for d in &data {
                let key = services::metric_key(region, namespace, &d.metric_name, &d.dimensions);
                let t = d
                    .timestamp
                    .map(|t| super::SimTime(u64::try_from(t.millis()).unwrap_or(0)))
                    .unwrap_or(now);
                w.metrics.entry(key).or_default().push((t, d.value));
            }
            Ok(())
        })
    }

    async fn describe_target_health(
        &self,
        region: Region,
        target_group_arn: &str,
    ) -> CloudResult<Vec<cloud::TargetHealth>> {
        self.call(
            "describe_target_health",
            "DescribeTargetHealth",
            region,
            |w, _| {
                let tg = w
                    .regions
                    .get(&region)
                    .and_then(|rs| rs.target_groups.get(target_group_arn))
                    .ok_or_else(|| {
                        LocalError::NotFound(format!(
                            "TargetGroupNotFound: Target groups '{target_group_arn}' not found"
                        ))
                    })?;
                Ok(tg
                    .targets
                    .iter()
                    .map(|(id, state)| cloud::TargetHealth {
                        target_id: id.clone(),
                        port: None,
                        state: cloud::TargetHealthState::from_aws(state),
                        reason: (state == "unhealthy")
                            .then(|| "Target.FailedHealthChecks".to_string()),
                        description: (state == "unhealthy")
                            .then(|| "Health checks failed".to_string()),
                    })
                    .collect())
            },
        )
    }

    async fn get_health_check(
        &self,
        region: Region,
        health_check_id: &str,
    ) -> CloudResult<cloud::HealthCheck> {
        self.call("get_health_check", "GetHealthCheck", region, |w, _| {
            w.health_checks
                .get(health_check_id)
                .map(convert::health_check)
                .ok_or_else(|| LocalError::NotFound(format!("NoSuchHealthCheck: No health check exists with the specified ID {health_check_id}")))
        })
    }

    async fn get_health_check_status(
        &self,
        region: Region,
        health_check_id: &str,
    ) -> CloudResult<cloud::HealthCheckStatus> {
        self.call("get_health_check_status", "GetHealthCheckStatus", region, |w, _| {
            let h = w
                .health_checks
                .get(health_check_id)
                .ok_or_else(|| LocalError::NotFound(format!("NoSuchHealthCheck: No health check exists with the specified ID {health_check_id}")))?;
            if h.check_type == "CALCULATED" {
                // "You can't use GetHealthCheckStatus to get the status of a calculated health
                // check" ("GetHealthCheckStatus",
                // <https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHealthCheckStatus.html>).
                // The error is the operation's InvalidInput; its message is not documented, so
                // the simulator words it with the page's sentence.
                return Err(LocalError::Validation(format!(
                    "InvalidInput: You can't use GetHealthCheckStatus to get the status of a calculated health check ({health_check_id})."
                )));
            }
            let now = convert::ts(w.now);
            // The observations report the status Route 53 acts on (after Inverted/Disabled).
            let status = if services::health_check_healthy(w, h) { "Success: HTTP Status Code 200, OK" } else { "Failure: HTTP Status Code 503, Service Unavailable" };
            let checkers = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"];
            Ok(cloud::HealthCheckStatus {
                health_check_id: h.id.clone(),
                observations: checkers
                    .iter()
                    .enumerate()
                    .map(|(i, r)| cloud::HealthCheckObservation {
                        checker_region: (*r).to_string(),
                        ip_address: Some(format!("15.177.{}.{}", i * 2, 10 + i)),
                        status: status.to_string(),
                        checked_at: Some(now),
                    })
                    .collect(),
            })
        })
    }

    async fn update_health_check(
        &self,
        region: Region,
        health_check_id: &str,
        update: cloud::HealthCheckUpdate,
    ) -> CloudResult<cloud::HealthCheck> {
        self.call("update_health_check", "UpdateHealthCheck", region, |w, _| {
            let h = w
                .health_checks
                .get_mut(health_check_id)
                .ok_or_else(|| LocalError::NotFound(format!("NoSuchHealthCheck: No health check exists with the specified ID {health_check_id}")))?;
            if let Some(v) = update.expected_version
                && i64::try_from(h.version).unwrap_or(i64::MAX) != v
            {
                return Err(LocalError::InvalidState(format!(
                    "HealthCheckVersionMismatch: The value of HealthCheckVersion in the request doesn't match the value of HealthCheckVersion in the health check ({}).",
                    h.version
                )));
            }
            if let Some(i) = update.inverted {
                h.inverted = i;
            }
            if let Some(d) = update.disabled {
                h.disabled = d;
            }
            h.version += 1;
            let out = convert::health_check(h);
            // The new status is Route 53's from now on (its metric shows the change now).
            let now = w.now;
            services::route53::record_statuses(w, now);
            Ok(out)
        })
    }

    async fn list_resource_record_sets(
        &self,
        region: Region,
        hosted_zone_id: &str,
    ) -> CloudResult<Vec<cloud::ResourceRecordSet>> {
        self.call(
            "list_resource_record_sets",
            "ListResourceRecordSets",
            region,
            |w, _| {
                let id = hosted_zone_id.trim_start_matches("/hostedzone/");
                if !services::zone_exists(w, id) {
                    return Err(LocalError::NotFound(services::no_such_zone(id)));
                }
                Ok(w.records.get(id).cloned().unwrap_or_default())
            },
        )
    }

    async fn change_resource_record_sets(
        &self,
        region: Region,
        hosted_zone_id: &str,
        changes: Vec<cloud::RecordChange>,
        _comment: Option<String>,
    ) -> CloudResult<cloud::ChangeInfo> {
        self.call("change_resource_record_sets", "ChangeResourceRecordSets", region, |w, _| {
            let id = hosted_zone_id.trim_start_matches("/hostedzone/").to_string();
            if !services::zone_exists(w, &id) {
                return Err(LocalError::NotFound(services::no_such_zone(&id)));
            }
            let mut recs = w.records.get(&id).cloned().unwrap_or_default();
            for c in &changes {
                // Route 53 stores names fully qualified.
                let mut r = c.record_set.clone();
                if !r.name.ends_with('.') {
                    r.name.push('.');
                }
                let same = |x: &cloud::ResourceRecordSet| x.name.eq_ignore_ascii_case(&r.name) && x.record_type == r.record_type && x.set_identifier == r.set_identifier;
                match c.action {
                    cloud::RecordChangeAction::Create => {
                        if recs.iter().any(same) {
                            return Err(LocalError::Validation(format!(
                                "InvalidChangeBatch: [Tried to create resource record set [name='{}', type='{}'] but it already exists]",
                                r.name, r.record_type
                            )));
                        }
                        recs.push(r);
                    }
                    cloud::RecordChangeAction::Delete => {
                        let before = recs.len();
                        recs.retain(|x| x != &r);
                        if recs.len() == before {
                            return Err(LocalError::Validation(format!(
                                "InvalidChangeBatch: [Tried to delete resource record set [name='{}', type='{}'] but it was not found]",
                                r.name, r.record_type
                            )));
                        }
                    }
                    _ => {
                        recs.retain(|x| !same(x));
                        recs.push(r);
                    }
                }
            }
            w.records.insert(id, recs);
            let seq = w.next_seq();
            let change_id = format!("/change/C{}", ids::upper(&format!("change/{seq}"), 20));
            w.route53_changes.insert(change_id.clone(), w.now);
            Ok(cloud::ChangeInfo { id: change_id, status: cloud::ChangeStatus::Pending, submitted_at: convert::ts(w.now) })
        })
    }

    async fn get_change(&self, region: Region, change_id: &str) -> CloudResult<cloud::ChangeInfo> {
        self.call("get_change", "GetChange", region, |w, _| {
            let id = if change_id.starts_with("/change/") { change_id.to_string() } else { format!("/change/{change_id}") };
            let at = *w.route53_changes.get(&id).ok_or_else(|| LocalError::NotFound(format!("NoSuchChange: A change with the specified change ID does not exist: {change_id}")))?;
            // "generally within 60 seconds" ("Editing records",
            // <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-editing.html>).
            let status = if w.now >= at.plus_secs(ROUTE53_INSYNC_SECS) { cloud::ChangeStatus::InSync } else { cloud::ChangeStatus::Pending };
            Ok(cloud::ChangeInfo { id, status, submitted_at: convert::ts(at) })
        })
    }

    async fn test_dns_answer(
        &self,
        region: Region,
        hosted_zone_id: &str,
        record_name: &str,
        record_type: &str,
    ) -> CloudResult<cloud::DnsAnswer> {
        self.call("test_dns_answer", "TestDNSAnswer", region, |w, f| {
            let down = f.unavailable_at(w.now);
            services::dns::test_dns_answer(w, hosted_zone_id, record_name, record_type, &down)
        })
    }

    /// Answered from the simulated world (`services::dns`), never subject to outages: DNS
    /// answers are Route 53's data plane, as with [`LocalCloud::resolve_dns`]. No API call, so
    /// none is logged.
    async fn resolve_addresses(&self, name: &str) -> CloudResult<Vec<String>> {
        let mut g = lock(&self.inner);
        if g.settle() {
            g.save().map_err(|e| e.into_cloud("resolve_addresses"))?;
        }
        let down = g.faults.unavailable_at(g.world.now);
        Ok(services::dns::addresses(&g.world, name, &down))
    }

    async fn get_parameter(&self, region: Region, name: &str) -> CloudResult<cloud::SsmParameter> {
        self.call("get_parameter", "GetParameter", region, |w, _| {
            let v = w.region(region).ssm.get(name).cloned().ok_or_else(|| {
                LocalError::NotFound(format!("ParameterNotFound: Parameter {name} not found."))
            })?;
            Ok(cloud::SsmParameter {
                name: name.to_string(),
                value: v,
                version: 1,
            })
        })
    }

    async fn get_caller_identity(&self, region: Region) -> CloudResult<cloud::CallerIdentity> {
        self.call(
            "get_caller_identity",
            "GetCallerIdentity",
            region,
            |w, _| {
                Ok(cloud::CallerIdentity {
                    account: w.account.clone(),
                    arn: format!("arn:aws:iam::{}:user/drkit-local-simulator", w.account),
                    user_id: format!("AIDA{}", ids::upper("caller", 17)),
                })
            },
        )
    }

    async fn put_object(
        &self,
        region: Region,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> CloudResult<String> {
        self.call("put_object", "PutObject", region, |w, _| {
            let text = std::str::from_utf8(&body).map_err(|_| {
                LocalError::Validation(
                    "the local simulator stores text objects (templates) only".into(),
                )
            })?;
            // PutObject never makes a bucket. S3's errors ("Billing for Amazon S3 error
            // responses", <https://docs.aws.amazon.com/AmazonS3/latest/userguide/ErrorCodeBilling.html>,
            // and "Error responses", <https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html>):
            // `NoSuchBucket` (404) "The specified bucket does not exist", and a request sent to
            // another Region's endpoint than the bucket's gets `PermanentRedirect` (301), whose
            // message on the wire reads as below (the docs paraphrase it; the wording is the one
            // SDKs report for PutObject, e.g. kubeshark/kubeshark#1446).
            bucket_in(w, bucket, region)?;
            services::s3::put(w, bucket, key, text);
            Ok(s3_url(bucket, region, key))
        })
    }

    async fn describe_load_balancer_attributes(
        &self,
        region: Region,
        load_balancer_arn: &str,
    ) -> CloudResult<cloud::LoadBalancerAttributes> {
        self.call(
            "describe_load_balancer_attributes",
            "DescribeLoadBalancerAttributes",
            region,
            |w, _| {
                let lb = w
                    .regions
                    .get(&region)
                    .and_then(|rs| rs.load_balancers.get(load_balancer_arn))
                    .ok_or_else(|| LocalError::NotFound(services::elbv2::not_found()))?;
                Ok(cloud::LoadBalancerAttributes {
                    values: lb.attributes.clone(),
                })
            },
        )
    }

    async fn modify_load_balancer_attributes(
        &self,
        region: Region,
        load_balancer_arn: &str,
        attributes: Vec<(String, String)>,
    ) -> CloudResult<cloud::LoadBalancerAttributes> {
        self.call(
            "modify_load_balancer_attributes",
            "ModifyLoadBalancerAttributes",
            region,
            |w, _| {
                let values = services::elbv2::modify(w, region, load_balancer_arn, &attributes)?;
                Ok(cloud::LoadBalancerAttributes { values })
            },
        )
    }

    async fn list_object_versions(
        &self,
        region: Region,
        bucket: &str,
    ) -> CloudResult<Vec<cloud::ObjectVersion>> {
        self.call(
            "list_object_versions",
            "ListObjectVersions",
            region,
            |w, _| {
                bucket_in(w, bucket, region)?;
                Ok(services::s3::list_versions(w, bucket))
            },
        )
    }

    async fn delete_objects(
        &self,
        region: Region,
        bucket: &str,
        objects: Vec<cloud::ObjectVersion>,
    ) -> CloudResult<()> {
        self.call("delete_objects", "DeleteObjects", region, |w, _| {
            bucket_in(w, bucket, region)?;
            services::s3::delete(w, bucket, &objects);
            Ok(())
        })
    }
}

/// A stack's alarm as `DescribeAlarms` reports it: its configuration as the template set it,
/// its state as CloudWatch evaluated it.
fn metric_alarm(name: &str, a: &super::state::Alarm) -> cloud::MetricAlarm {
    let text = |k: &str| {
        a.config.get(k).and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    cloud::MetricAlarm {
        name: name.to_string(),
        state: cloud::AlarmState::from_aws(&a.state),
        state_reason: None,
        state_updated: Some(convert::ts(a.state_since)),
        namespace: text("Namespace"),
        metric_name: text("MetricName"),
        dimensions: a
            .config
            .get("Dimensions")
            .and_then(Value::as_array)
            .map(|d| {
                d.iter()
                    .map(|x| cloud::Dimension {
                        name: x
                            .get("Name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .into(),
                        value: x
                            .get("Value")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .into(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        threshold: text("Threshold").and_then(|t| t.parse().ok()),
    }
}

/// S3's answer to a request about `bucket` sent to `region`'s endpoint: `NoSuchBucket`, or
/// `PermanentRedirect` when the bucket is in another Region (sources at `put_object`).
fn bucket_in(w: &World, bucket: &str, region: Region) -> Result<(), LocalError> {
    match super::lifecycle::references::bucket_region(w, bucket) {
        None => Err(LocalError::NotFound(
            "NoSuchBucket: The specified bucket does not exist".into(),
        )),
        Some(home) if home != region => Err(LocalError::Validation(
            "PermanentRedirect: The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.".into(),
        )),
        Some(_) => Ok(()),
    }
}
