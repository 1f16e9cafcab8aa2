//! The DR runtime on the example app, deployed on the simulator: status, planned and unplanned
//! failover, failback, re-runs after a crash and after a lost answer, refusals, redeploys after a
//! failover, and a drill. Faults are injected at the port (the simulator); no test asserts on
//! wall time, only on the simulator's virtual clock.

use std::sync::Mutex;
use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{Cloud, HealthCheckUpdate};
use dr_deploy::runtime::{
    Chaos, Confirmation, DrillOptions, FailoverOptions, Mode, NullRunObserver, Outcome,
    PairTopology, Role, RunObserver, RunReport, StatusOptions, StepKind, StepReport, StepResult,
    drill, failback, failover, status,
};
use dr_deploy::{DeployOptions, NullObserver, StackAction, deploy};
use dr_local::{LocalCloud, Outage, ServerFault};
use dr_synth::Assembly;

use crate::two_region;

const PRIMARY: Region = Region::UsEast2;
const DR: Region = Region::UsWest2;

async fn deployed() -> (Assembly, PairTopology, LocalCloud) {
    let asm = dr_synth::synth(&two_region::build())
        .unwrap_or_else(|d| panic!("the example must synthesize:\n{d}"));
    let local = LocalCloud::in_memory();
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(s.is_success(), "{s}");
    let topo = PairTopology::select(&asm, None).expect("one pair");
    (asm, topo, local)
}

fn planned() -> FailoverOptions {
    FailoverOptions::default()
}

fn unplanned() -> FailoverOptions {
    FailoverOptions {
        mode: Mode::Unplanned,
        confirmation: Confirmation::Given,
        ..FailoverOptions::default()
    }
}

fn mutating(local: &LocalCloud, op: &str) -> usize {
    local
        .call_log()
        .iter()
        .filter(|c| c.operation == op)
        .count()
}

/// The values published to the switch's metric: what took effect, whatever the calls' answers.
fn switch_points(local: &LocalCloud) -> usize {
    local
        .snapshot()
        .metrics
        .iter()
        .filter(|(k, _)| k.contains("PrimaryActive"))
        .map(|(_, v)| v.len())
        .sum()
}

fn all_mutating(local: &LocalCloud) -> Vec<String> {
    local
        .call_log()
        .into_iter()
        .filter(|c| c.mutating)
        .map(|c| c.operation)
        .collect()
}

fn assert_completed(r: &RunReport) {
    assert_eq!(r.outcome, Outcome::Completed, "{r}");
    assert!(r.recovery_time().is_some(), "{r}");
}

async fn assert_active(local: &LocalCloud, asm: &Assembly, topo: &PairTopology, role: Role) {
    let st = status(local, asm, topo, &StatusOptions::default()).await;
    assert_eq!(st.active, Some(role), "{st}");
    assert_eq!(
        st.switch.as_ref().and_then(|s| s.serves),
        Some(role),
        "the switch: {st}"
    );
    assert_eq!(st.route53_answers, Some(role), "Route 53: {st}");
    assert!(st.inconsistencies.is_empty(), "{st}");
}

#[tokio::test]
async fn status_reads_the_active_region_and_the_dr_sites_readiness_and_changes_nothing() {
    let (asm, topo, local) = deployed().await;
    local.clear_call_log();
    let st = status(&local, &asm, &topo, &StatusOptions::default()).await;
    assert_eq!(st.active, Some(Role::Primary), "{st}");
    assert_eq!(st.region_of(Role::Primary), PRIMARY);
    assert!(st.failed_reads.is_empty(), "{st}");
    assert!(st.failed_checks().is_empty(), "{st}");
    let db = st.database.as_ref().expect("the global cluster");
    assert_eq!(db.read_in, DR, "asked in the DR Region first");
    let rep = st.replication.as_ref().expect("replication");
    assert_eq!((rep.secondary, rep.region), (Role::Secondary, DR));
    assert!(rep.lag_ms.is_some(), "{st}");
    assert_eq!(
        rep.threshold_ms, 30_000,
        "DrPairProps::max_rpo_lag's default"
    );
    assert_eq!(st.route53_answers, Some(Role::Primary));
    assert!(
        st.sites
            .iter()
            .all(|s| s.healthy > 0 && s.healthy == s.total)
    );
    assert!(
        all_mutating(&local).is_empty(),
        "{:?}",
        all_mutating(&local)
    );
    assert_eq!(
        st.health_checks.len(),
        2,
        "the switch's and the endpoint's checks: {st}"
    );
    assert!(st.health_checks.iter().all(|h| !h.disabled && !h.inverted));
    let endpoint = db.endpoint.clone().expect("the global writer endpoint");
    assert_eq!(
        st.db_cname_target
            .as_deref()
            .map(|t| t.trim_end_matches('.')),
        Some(endpoint.trim_end_matches('.')),
        "the database CNAME points at the global writer endpoint"
    );
    let text = st.to_string();
    assert!(
        text.contains("Active:        primary (us-east-2)"),
        "{text}"
    );

    // A disabled switch check counts healthy: the switch could not move traffic.
    let switch = st
        .health_checks
        .iter()
        .find(|h| h.name == "switch")
        .expect("the switch's check")
        .id
        .clone();
    local
        .update_health_check(
            Region::UsEast1,
            &switch,
            HealthCheckUpdate {
                disabled: Some(true),
                ..HealthCheckUpdate::default()
            },
        )
        .await
        .unwrap();
    let st = status(&local, &asm, &topo, &StatusOptions::default()).await;
    assert!(
        st.inconsistencies
            .iter()
            .any(|i| i.contains("switch health check") && i.contains("disabled")),
        "{st}"
    );
}

#[tokio::test]
async fn planned_failover_and_failback_move_writer_and_traffic_and_back() {
    let (asm, topo, local) = deployed().await;
    let r = failover(&local, &asm, &topo, &planned(), &NullRunObserver).await;
    assert_completed(&r);
    assert_eq!(r.data_loss_window_ms, Some(0));
    let order: Vec<StepKind> = r.steps.iter().map(|s| s.step).collect();
    assert_eq!(
        order,
        [
            StepKind::Preflight,
            StepKind::Database,
            StepKind::Traffic,
            StepKind::Verify
        ],
        "planned: database before traffic"
    );
    // The switchover was called in the current primary's Region.
    let sw = r
        .steps
        .iter()
        .flat_map(|s| &s.calls)
        .find(|c| c.api == "rds:SwitchoverGlobalCluster")
        .expect("a switchover");
    assert_eq!(sw.region, Some(PRIMARY));
    assert!(r.to_string().contains("Critical path:"), "{r}");
    assert_active(&local, &asm, &topo, Role::Secondary).await;

    let b = failback(&local, &asm, &topo, &planned(), &NullRunObserver).await;
    assert_completed(&b);
    let sw = b
        .steps
        .iter()
        .flat_map(|s| &s.calls)
        .find(|c| c.api == "rds:SwitchoverGlobalCluster")
        .expect("a switchover back");
    assert_eq!(sw.region, Some(DR), "called where the writer is now");
    assert_active(&local, &asm, &topo, Role::Primary).await;
}

#[tokio::test]
async fn a_second_failover_is_a_no_op_and_a_dry_run_changes_nothing() {
    let (asm, topo, local) = deployed().await;
    local.clear_call_log();
    let dry = failover(
        &local,
        &asm,
        &topo,
        &FailoverOptions {
            dry_run: true,
            ..planned()
        },
        &NullRunObserver,
    )
    .await;
    assert_eq!(dry.outcome, Outcome::DryRun);
    assert!(
        all_mutating(&local).is_empty(),
        "{:?}",
        all_mutating(&local)
    );
    let text = dry.to_string();
    let global_id = local
        .snapshot()
        .global_clusters
        .keys()
        .next()
        .cloned()
        .expect("a global cluster");
    assert!(text.contains(&global_id), "the real identifier: {text}");
    assert!(text.contains("called in us-east-2"), "{text}");

    assert_completed(&failover(&local, &asm, &topo, &planned(), &NullRunObserver).await);
    local.clear_call_log();
    let again = failover(&local, &asm, &topo, &planned(), &NullRunObserver).await;
    assert_eq!(again.outcome, Outcome::AlreadyDone, "{again}");
    assert!(
        all_mutating(&local).is_empty(),
        "{:?}",
        all_mutating(&local)
    );
}

#[tokio::test]
async fn a_planned_failover_is_refused_while_the_secondary_lags_or_its_targets_fail() {
    let (asm, topo, local) = deployed().await;
    let dr_cluster = local
        .snapshot()
        .regions
        .get(&DR)
        .and_then(|r| r.db_clusters.keys().next().cloned())
        .expect("the DR cluster");
    local.set_replication_lag(DR, &dr_cluster, 120_000).unwrap();
    local.clear_call_log();
    let r = failover(&local, &asm, &topo, &planned(), &NullRunObserver).await;
    match &r.outcome {
        Outcome::Refused(why) => assert!(why.contains("replication lag within 30s"), "{why}"),
        o => panic!("refused expected, got {o:?}\n{r}"),
    }
    assert!(all_mutating(&local).is_empty());

    local.set_replication_lag(DR, &dr_cluster, 200).unwrap();
    for (region, tg) in target_groups(&local, "-Secondary") {
        local.set_target_health(region, &tg, "unhealthy").unwrap();
    }
    let r = failover(&local, &asm, &topo, &planned(), &NullRunObserver).await;
    match &r.outcome {
        Outcome::Refused(why) => {
            assert!(why.contains("DR site's targets healthy"), "{why}");
            assert!(why.contains("--unplanned"), "the hint: {why}");
        }
        o => panic!("refused expected, got {o:?}\n{r}"),
    }
    assert!(all_mutating(&local).is_empty());
}

/// The target groups of the site stacks whose name ends in `suffix`.
fn target_groups(local: &LocalCloud, suffix: &str) -> Vec<(Region, String)> {
    let w = local.snapshot();
    w.regions
        .iter()
        .flat_map(|(r, rs)| rs.stacks.iter().map(move |s| (*r, s)))
        .filter(|(_, s)| s.deleted.is_none() && s.name.ends_with(suffix))
        .flat_map(|(r, s)| {
            s.resources
                .values()
                .filter(|x| x.type_name == "AWS::ElasticLoadBalancingV2::TargetGroup")
                .map(move |x| (r, x.physical_id.clone()))
        })
        .collect()
}

async fn unplanned_during_an_outage(outage: Outage) {
    let (asm, topo, local) = deployed().await;
    local.set_region_outage(PRIMARY, Some(outage));
    let st = status(&local, &asm, &topo, &StatusOptions::default()).await;
    assert_eq!(
        st.active,
        Some(Role::Primary),
        "read from the DR Region: {st}"
    );
    assert!(
        st.failed_reads
            .iter()
            .any(|f| f.error.contains("us-east-2")),
        "the reads of the primary Region fail, named: {st}"
    );

    let r = failover(&local, &asm, &topo, &unplanned(), &NullRunObserver).await;
    assert_completed(&r);
    let order: Vec<StepKind> = r.steps.iter().map(|s| s.step).collect();
    assert_eq!(
        order,
        [
            StepKind::Preflight,
            StepKind::Traffic,
            StepKind::Database,
            StepKind::Verify
        ],
        "unplanned: traffic before the database"
    );
    let fo = r
        .steps
        .iter()
        .flat_map(|s| &s.calls)
        .find(|c| c.api == "rds:FailoverGlobalCluster")
        .expect("a failover");
    assert_eq!(
        fo.region,
        Some(DR),
        "called in the promoted secondary's Region"
    );
    assert!(r.data_loss_window_ms.is_some(), "{r}");
    let db_step = r
        .steps
        .iter()
        .find(|s| s.step == StepKind::Database)
        .expect("the database step");
    assert!(
        db_step
            .notes
            .iter()
            .any(|n| n.contains("RDS event") && n.contains("block writes")),
        "Aurora's write-fencing event is reported: {r}"
    );
    let st = status(&local, &asm, &topo, &StatusOptions::default()).await;
    assert_eq!(st.active, Some(Role::Secondary), "{st}");

    // Failback waits for the Region to return and the old primary to be rebuilt.
    let short = FailoverOptions {
        rejoin_timeout: Duration::from_secs(600),
        ..planned()
    };
    let b = failback(&local, &asm, &topo, &short, &NullRunObserver).await;
    match &b.outcome {
        Outcome::Failed(why) => assert!(why.contains("rejoin"), "{why}"),
        o => panic!("a failback while the Region is down must wait and fail, got {o:?}\n{b}"),
    }
    local.set_region_outage(PRIMARY, None);
    let b = failback(&local, &asm, &topo, &planned(), &NullRunObserver).await;
    assert_completed(&b);
    assert_eq!(b.steps[1].step, StepKind::Rejoin, "{b}");
    assert!(
        b.notes
            .iter()
            .any(|n| n.contains("rds:unplanned-global-failover-")),
        "the snapshot holding the lost writes is named: {b}"
    );
    assert_active(&local, &asm, &topo, Role::Primary).await;
}

#[tokio::test]
async fn unplanned_failover_during_an_outage_with_no_answer_then_failback() {
    unplanned_during_an_outage(Outage::NoAnswer).await;
}

#[tokio::test]
async fn unplanned_failover_during_an_outage_of_server_errors_then_failback() {
    unplanned_during_an_outage(Outage::ServerErrors(ServerFault::InternalFailure)).await;
}

#[tokio::test]
async fn an_unplanned_failover_not_confirmed_changes_nothing() {
    let (asm, topo, local) = deployed().await;
    local.clear_call_log();
    let r = failover(
        &local,
        &asm,
        &topo,
        &FailoverOptions {
            mode: Mode::Unplanned,
            ..FailoverOptions::default()
        },
        &NullRunObserver,
    )
    .await;
    assert_eq!(r.outcome, Outcome::NotConfirmed, "{r}");
    assert!(all_mutating(&local).is_empty());
}

/// Stops the run after step `after` as a crash of the process would: every Region stops
/// answering, so nothing after it takes effect.
struct CrashAfter<'a> {
    local: &'a LocalCloud,
    after: StepKind,
    crashed: Mutex<bool>,
}

impl RunObserver for CrashAfter<'_> {
    fn step_finished(&self, report: &StepReport) {
        if report.step == self.after {
            *self.crashed.lock().unwrap() = true;
            for r in [PRIMARY, DR, Region::UsEast1] {
                self.local.set_region_outage(r, Some(Outage::NoAnswer));
            }
        }
    }
}

async fn crash_after_each_step(options: FailoverOptions, steps: &[StepKind]) {
    for &after in steps {
        let (asm, topo, local) = deployed().await;
        let crash = CrashAfter {
            local: &local,
            after,
            crashed: Mutex::new(false),
        };
        let quick = FailoverOptions {
            database_timeout: Duration::from_secs(300),
            traffic_timeout: Duration::from_secs(300),
            ..options.clone()
        };
        let first = failover(&local, &asm, &topo, &quick, &crash).await;
        assert!(*crash.crashed.lock().unwrap(), "crashed after {after:?}");
        for r in [PRIMARY, DR, Region::UsEast1] {
            local.set_region_outage(r, None);
        }
        let second = failover(&local, &asm, &topo, &options, &NullRunObserver).await;
        assert!(
            second.outcome.is_success(),
            "after a crash after {after:?}, the re-run finishes:\n{first}\n{second}"
        );
        let moves = mutating(&local, "switchover_global_cluster")
            + mutating(&local, "failover_global_cluster");
        assert_eq!(moves, 1, "after {after:?}: the database is moved once");
        assert_eq!(
            switch_points(&local),
            1,
            "after {after:?}: the switch is published once"
        );
        assert_active(&local, &asm, &topo, Role::Secondary).await;
    }
}

#[tokio::test]
async fn a_planned_failover_that_crashed_after_any_step_is_finished_by_a_rerun() {
    crash_after_each_step(
        planned(),
        &[
            StepKind::Preflight,
            StepKind::Database,
            StepKind::Traffic,
            StepKind::Verify,
        ],
    )
    .await;
}

#[tokio::test]
async fn an_unplanned_failover_that_crashed_after_any_step_is_finished_by_a_rerun() {
    crash_after_each_step(
        unplanned(),
        &[
            StepKind::Preflight,
            StepKind::Traffic,
            StepKind::Database,
            StepKind::Verify,
        ],
    )
    .await;
}

#[tokio::test]
async fn a_mutating_call_applied_with_its_answer_lost_is_finished() {
    for (options, op) in [
        (planned(), "switchover_global_cluster"),
        (planned(), "put_metric_data"),
        (unplanned(), "failover_global_cluster"),
        (unplanned(), "put_metric_data"),
    ] {
        let (asm, topo, local) = deployed().await;
        local.drop_answer_of(op);
        let first = failover(&local, &asm, &topo, &options, &NullRunObserver).await;
        let r = if first.outcome.is_success() {
            first
        } else {
            failover(&local, &asm, &topo, &options, &NullRunObserver).await
        };
        assert!(r.outcome.is_success(), "{op}: {r}");
        assert_eq!(
            mutating(&local, op),
            1,
            "{op} was applied once and not repeated"
        );
        assert_eq!(
            switch_points(&local),
            1,
            "{op}: the switch was published once"
        );
        assert_active(&local, &asm, &topo, Role::Secondary).await;
    }
}

#[tokio::test]
async fn with_both_sites_unhealthy_an_unplanned_failover_does_not_report_success() {
    let (asm, topo, local) = deployed().await;
    for suffix in ["-Primary", "-Secondary"] {
        for (region, tg) in target_groups(&local, suffix) {
            local.set_target_health(region, &tg, "unhealthy").unwrap();
        }
    }
    let r = failover(&local, &asm, &topo, &unplanned(), &NullRunObserver).await;
    match &r.outcome {
        Outcome::Failed(why) => assert!(why.contains("verify"), "{why}\n{r}"),
        o => panic!("Route 53 answers PRIMARY with both sites unhealthy: {o:?}\n{r}"),
    }
    let verify = r.steps.last().expect("steps");
    assert_eq!(verify.step, StepKind::Verify);
    assert!(matches!(verify.result, StepResult::Failed(_)), "{r}");
}

#[tokio::test]
async fn after_a_failover_redeploys_keep_the_dr_region_active() {
    let (asm, topo, local) = deployed().await;
    assert_completed(&failover(&local, &asm, &topo, &planned(), &NullRunObserver).await);

    // Unchanged: a no-op.
    local.clear_call_log();
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(s.is_success(), "{s}");
    assert!(
        s.stacks.iter().all(|r| r.action == StackAction::Unchanged),
        "{s}"
    );
    assert!(
        all_mutating(&local).is_empty(),
        "{:?}",
        all_mutating(&local)
    );
    assert_active(&local, &asm, &topo, Role::Secondary).await;

    // Changed: a new tag on every resource that takes tags, in every stack (what a CDK user's
    // `Tags.of(app).add(..)` does). Every stack with such a resource updates; the now-secondary
    // cluster in the old primary's data stack updates too, and nothing moves back.
    let mut tagged = asm.clone();
    let mut retagged = Vec::new();
    for stack in &mut tagged.stacks {
        let mut any = false;
        if let Some(resources) = stack.template["Resources"].as_object_mut() {
            // A key pair's tags are create-only: retagging one replaces it, which the
            // preflight refuses (the deploy engine's own tests cover that).
            for r in resources
                .values_mut()
                .filter(|r| r["Type"] != "AWS::EC2::KeyPair")
            {
                if let Some(tags) = r["Properties"]["Tags"].as_array_mut() {
                    tags.push(serde_json::json!({"Key": "CostCenter", "Value": "dr-42"}));
                    any = true;
                }
            }
        }
        if any {
            retagged.push(stack.name.clone());
        }
    }
    assert!(
        retagged.iter().any(|s| s.ends_with("-Primary-Data")),
        "{retagged:?}"
    );
    let s = deploy(&local, &tagged, &DeployOptions::default(), &NullObserver).await;
    assert!(s.is_success(), "{s}");
    for name in &retagged {
        let r = s.stack(name).expect("deployed");
        assert!(r.action.changed(), "{name} takes the tag: {s}");
    }
    assert_active(&local, &tagged, &topo, Role::Secondary).await;
    assert_eq!(
        mutating(&local, "switchover_global_cluster")
            + mutating(&local, "failover_global_cluster")
            + mutating(&local, "put_metric_data"),
        0,
        "the deploy moved nothing"
    );
}

struct SimulatorChaos<'a>(&'a LocalCloud);

impl Chaos for SimulatorChaos<'_> {
    fn start_region_outage(&self, region: Region) {
        self.0.set_region_outage(region, Some(Outage::NoAnswer));
    }
    fn end_region_outage(&self, region: Region) {
        self.0.set_region_outage(region, None);
    }
}

#[tokio::test]
async fn a_drill_fails_over_during_an_outage_and_back_with_a_timeline() {
    let (asm, topo, local) = deployed().await;
    let report = drill(
        &local,
        Some(&SimulatorChaos(&local)),
        &asm,
        &topo,
        &DrillOptions::default(),
        &NullRunObserver,
    )
    .await;
    assert!(report.is_success(), "{report}");
    assert_eq!(report.injected_outage, Some(PRIMARY));
    assert_eq!(report.failover.mode, Mode::Unplanned);
    assert!(report.simulated);
    let text = report.to_string();
    assert!(text.contains("(times simulated)"), "{text}");
    assert!(text.contains("outage of us-east-2 begins"), "{text}");
    assert!(text.contains("data-loss window"), "{text}");
    // The events are in time order.
    let times: Vec<_> = report.events.iter().map(|e| e.at).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    assert_active(&local, &asm, &topo, Role::Primary).await;
}

/// The IAM action behind each port operation the runtime uses (`resolve_addresses` is a DNS
/// query, no AWS call).
fn iam_action(operation: &str) -> Option<&'static str> {
    Some(match operation {
        "describe_stack" => "cloudformation:DescribeStacks",
        "describe_stack_resources" => "cloudformation:DescribeStackResources",
        "describe_global_cluster" => "rds:DescribeGlobalClusters",
        "describe_db_cluster" => "rds:DescribeDBClusters",
        "describe_cluster_events" | "describe_instance_events" => "rds:DescribeEvents",
        "describe_db_cluster_snapshots" => "rds:DescribeDBClusterSnapshots",
        "switchover_global_cluster" => "rds:SwitchoverGlobalCluster",
        "failover_global_cluster" => "rds:FailoverGlobalCluster",
        "describe_alarms" => "cloudwatch:DescribeAlarms",
        "get_metric_statistics" => "cloudwatch:GetMetricStatistics",
        "list_metric_dimensions" => "cloudwatch:ListMetrics",
        "put_metric_data" => "cloudwatch:PutMetricData",
        "describe_target_health" => "elasticloadbalancing:DescribeTargetHealth",
        "get_health_check" => "route53:GetHealthCheck",
        "get_health_check_status" => "route53:GetHealthCheckStatus",
        "list_resource_record_sets" => "route53:ListResourceRecordSets",
        "test_dns_answer" => "route53:TestDNSAnswer",
        "resolve_addresses" => return None,
        other => panic!("the runtime called `{other}`, which has no IAM action mapped here"),
    })
}

/// Whether statement `s` allows `action` sent to `region`: the action is listed, and a
/// resource ARN names the Region (or none, for a global resource), or the resource is `*` and
/// any `aws:RequestedRegion` condition lists the Region.
fn allows(s: &serde_json::Value, action: &str, region: Region) -> bool {
    let listed = match &s["Action"] {
        serde_json::Value::String(a) => a == action,
        serde_json::Value::Array(a) => a.iter().any(|x| x == action),
        _ => false,
    };
    if !listed || s["Effect"] != "Allow" {
        return false;
    }
    let requested = &s["Condition"]["StringEquals"]["aws:RequestedRegion"];
    let region_ok = match requested {
        serde_json::Value::Null => true,
        serde_json::Value::String(r) => r == region.code(),
        serde_json::Value::Array(rs) => rs.iter().any(|r| r == region.code()),
        _ => false,
    };
    let resources: Vec<&str> = match &s["Resource"] {
        serde_json::Value::String(r) => vec![r.as_str()],
        serde_json::Value::Array(rs) => rs.iter().filter_map(|r| r.as_str()).collect(),
        _ => vec![],
    };
    region_ok
        && resources.iter().any(|r| {
            let arn_region = r.split(':').nth(3).unwrap_or("");
            *r == "*" || arn_region.is_empty() || arn_region == "*" || arn_region == region.code()
        })
}

#[tokio::test]
async fn the_operator_policy_grants_exactly_what_the_runtime_calls_where_it_calls_it() {
    let (asm, topo, local) = deployed().await;
    let policy = dr_synth::operator_policy(&asm, &asm.dr_pairs[0]);
    local.clear_call_log();
    // Everything the runtime does: status, a planned failover and failback, an unplanned
    // failover during an outage and the failback after it.
    status(&local, &asm, &topo, &StatusOptions::default()).await;
    assert_completed(&failover(&local, &asm, &topo, &planned(), &NullRunObserver).await);
    assert_completed(&failback(&local, &asm, &topo, &planned(), &NullRunObserver).await);
    local.set_region_outage(PRIMARY, Some(Outage::NoAnswer));
    assert_completed(&failover(&local, &asm, &topo, &unplanned(), &NullRunObserver).await);
    local.set_region_outage(PRIMARY, None);
    assert_completed(&failback(&local, &asm, &topo, &planned(), &NullRunObserver).await);

    let statements = policy["Statement"].as_array().expect("statements");
    let mut called = std::collections::BTreeSet::new();
    for call in local.call_log() {
        let Some(action) = iam_action(&call.operation) else {
            continue;
        };
        called.insert(action);
        // Route 53 is one endpoint signed for us-east-1 whatever Region the caller names.
        let region = if action.starts_with("route53:") {
            Region::UsEast1
        } else {
            call.region
        };
        assert!(
            statements.iter().any(|s| allows(s, action, region)),
            "{action} in {region} is not granted:\n{policy:#}"
        );
    }
    let granted: std::collections::BTreeSet<&str> = statements
        .iter()
        .flat_map(|s| match &s["Action"] {
            serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect(),
            serde_json::Value::String(a) => vec![a.as_str()],
            _ => vec![],
        })
        .collect();
    let unused: Vec<&&str> = granted.iter().filter(|a| !called.contains(**a)).collect();
    assert!(unused.is_empty(), "granted but never called: {unused:?}");
}
