//! `failover` and `failback`: one routine that moves the writer and the traffic to a site, step
//! by step, each step reading the observed state first and doing only what is left, so a run
//! that died after any step (or whose last call was applied but its answer lost) is finished by
//! running it again.
//!
//! The order of the steps (ARCHITECTURE.md, "The DR runtime", says why at length):
//! - planned: database, then traffic. The switchover is the step AWS may refuse (a secondary
//!   not caught up, mismatched engine versions); done first, a refusal leaves everything where
//!   it was. Moving traffic first would send clients to a site without a local writer for the
//!   whole switchover, and leave them there if it is refused.
//! - unplanned: traffic, then database. The primary site is failing: every minute of traffic
//!   there is lost requests, and writes that still reach the old writer once the DR cluster is
//!   promoted are lost (Aurora fences the old writer only on a best-effort basis). Stopping new
//!   DNS answers to it first shrinks both.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{Cloud, CloudResult, GlobalCluster, MetricDatum, Statistic, Timestamp};
use dr_synth::assembly::Assembly;

use super::report::{
    ApiCall, Mode, Outcome, Plane, RunKind, RunReport, StepKind, StepReport, StepResult, human,
};
use super::status::{
    Deployed, StatusOptions, cluster_id_of, last_value, readiness, region_of, status_with_deployed,
};
use super::topology::{PairTopology, Role};

/// Whether the operator confirmed the irreversible step of an unplanned failover.
#[derive(Clone)]
pub enum Confirmation {
    /// Given in advance (`--yes`), as AWS ARC Region switch's approval step can be.
    Given,
    /// Ask: the question in, the answer out (false: nothing is changed).
    Ask(Arc<dyn Fn(&str) -> bool + Send + Sync>),
}

impl std::fmt::Debug for Confirmation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Confirmation::Given => f.write_str("Given"),
            Confirmation::Ask(_) => f.write_str("Ask(..)"),
        }
    }
}

/// How to run a failover or failback.
#[derive(Debug, Clone)]
pub struct FailoverOptions {
    /// Planned (switchover, no data loss) or unplanned (failover allowing data loss). Default
    /// planned. A failback is always a switchover.
    pub mode: Mode,
    /// List the steps with the real identifiers; change nothing.
    pub dry_run: bool,
    /// The confirmation of an unplanned failover. Default: ask, and refuse (nothing is asked
    /// of a library caller who did not say how).
    pub confirmation: Confirmation,
    /// How long to wait for the target cluster to become the writer. Default 30 minutes: AWS
    /// documents a managed failover as "typically within a few minutes" and gives no figure
    /// for a switchover, which grows with the lag ("Using switchover or failover in Amazon
    /// Aurora Global Database",
    /// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html>).
    pub database_timeout: Duration,
    /// How long to wait for the switch's alarm and Route 53's answer to follow. Default 10
    /// minutes: the switch's alarm evaluates every 60 s, Route 53's check needs 3 failed
    /// observations 30 s apart, and an alias answer is cached 60 s, about 4 minutes in all.
    pub traffic_timeout: Duration,
    /// Failback after an unplanned failover: how long to wait for Aurora to re-add the old
    /// primary as a secondary and rebuild it ("a few minutes to several hours", same page).
    /// Default 6 hours.
    pub rejoin_timeout: Duration,
    /// The first interval between polls (doubling up to `max_poll`). Default 5 s.
    pub first_poll: Duration,
    /// The longest interval between polls. Default 30 s.
    pub max_poll: Duration,
}

impl Default for FailoverOptions {
    fn default() -> Self {
        FailoverOptions {
            mode: Mode::Planned,
            dry_run: false,
            confirmation: Confirmation::Ask(Arc::new(|_| false)),
            database_timeout: Duration::from_secs(30 * 60),
            traffic_timeout: Duration::from_secs(10 * 60),
            rejoin_timeout: Duration::from_secs(6 * 3600),
            first_poll: Duration::from_secs(5),
            max_poll: Duration::from_secs(30),
        }
    }
}

/// Progress of a run, for a display: steps starting and ending, and long waits with what was
/// last seen.
pub trait RunObserver: Send + Sync {
    /// A step starts.
    fn step_started(&self, _step: StepKind, _description: &str) {}
    /// A wait goes on: how long so far and the state last seen.
    fn waiting(&self, _step: StepKind, _elapsed: Duration, _last_seen: &str) {}
    /// A step ended.
    fn step_finished(&self, _report: &StepReport) {}
}

/// An observer that shows nothing.
pub struct NullRunObserver;
impl RunObserver for NullRunObserver {}

/// The calls whose effect the run depends on; everything else it calls only reads.
const MUTATING_APIS: [&str; 3] = [
    "cloudwatch:PutMetricData",
    "rds:SwitchoverGlobalCluster",
    "rds:FailoverGlobalCluster",
];

/// Records the calls of the current step.
struct Calls<'a> {
    cloud: &'a dyn Cloud,
    list: Mutex<Vec<ApiCall>>,
}

impl<'a> Calls<'a> {
    async fn run<T>(
        &self,
        api: &str,
        region: Option<Region>,
        plane: Plane,
        f: impl std::future::Future<Output = CloudResult<T>>,
    ) -> CloudResult<T> {
        let started = self.cloud.now();
        let r = f.await;
        let call = ApiCall {
            api: api.to_string(),
            region,
            plane,
            mutating: MUTATING_APIS.contains(&api),
            started,
            ended: self.cloud.now(),
            error: r.as_ref().err().map(|e| e.to_string()),
        };
        self.list.lock().expect("lock").push(call);
        r
    }
    fn take(&self) -> Vec<ApiCall> {
        std::mem::take(&mut *self.list.lock().expect("lock"))
    }
}

struct Run<'a> {
    cloud: &'a dyn Cloud,
    assembly: &'a Assembly,
    topo: &'a PairTopology,
    options: &'a FailoverOptions,
    observer: &'a dyn RunObserver,
    calls: Calls<'a>,
    kind: RunKind,
    mode: Mode,
    to: Role,
    from: Role,
    deployed: Deployed,
    report: RunReport,
}

/// Moves the writer and the traffic to the DR site.
pub async fn failover(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    topo: &PairTopology,
    options: &FailoverOptions,
    observer: &dyn RunObserver,
) -> RunReport {
    relocate(cloud, assembly, topo, options, observer, RunKind::Failover).await
}

/// Moves the writer and the traffic back to the primary site, by switchover (no data loss).
/// After an unplanned failover it first waits, up to `rejoin_timeout`, for the primary Region
/// to be back and Aurora to have re-added and rebuilt its cluster as a secondary.
pub async fn failback(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    topo: &PairTopology,
    options: &FailoverOptions,
    observer: &dyn RunObserver,
) -> RunReport {
    let options = FailoverOptions {
        mode: Mode::Planned,
        ..options.clone()
    };
    relocate(cloud, assembly, topo, &options, observer, RunKind::Failback).await
}

async fn relocate(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    topo: &PairTopology,
    options: &FailoverOptions,
    observer: &dyn RunObserver,
    kind: RunKind,
) -> RunReport {
    let to = match kind {
        RunKind::Failover => Role::Secondary,
        RunKind::Failback => Role::Primary,
    };
    let from = to.other();
    let now = cloud.now();
    let mut run = Run {
        cloud,
        assembly,
        topo,
        options,
        observer,
        calls: Calls {
            cloud,
            list: Mutex::new(Vec::new()),
        },
        kind,
        mode: options.mode,
        to,
        from,
        deployed: Deployed::default(),
        report: RunReport {
            kind,
            mode: options.mode,
            app: topo.app.clone(),
            pair: topo.pair.clone(),
            backend: cloud.label(),
            simulated: cloud.is_simulated(),
            from,
            to,
            from_region: topo.region(from),
            to_region: topo.region(to),
            started: now,
            ended: now,
            outcome: Outcome::DryRun,
            steps: Vec::new(),
            recovery_time_ms: None,
            data_loss_window_ms: (options.mode == Mode::Planned).then_some(0),
            notes: Vec::new(),
        },
    };
    run.go().await;
    run.report.ended = cloud.now();
    run.report
}

/// The database step alone: moves the writer of the global cluster `global_cluster_id` from
/// its member in `from_region` to its member in `to_region` (switchover when `mode` is planned,
/// called in `from_region`; failover allowing data loss when unplanned, called in `to_region`),
/// and waits until the target is the writer, reading the state before acting and after any
/// error. The routine runs it as its database step; it is public so that a backend's tests can
/// drive its wait loop with that backend's answers.
pub async fn move_writer(
    cloud: &dyn Cloud,
    global_cluster_id: &str,
    from_region: Region,
    to_region: Region,
    mode: Mode,
    options: &FailoverOptions,
    observer: &dyn RunObserver,
) -> StepReport {
    let assembly = Assembly {
        app: String::new(),
        stacks: Vec::new(),
        dr_pairs: Vec::new(),
        warnings: Vec::new(),
        extra_files: Vec::new(),
    };
    let topo = PairTopology {
        app: String::new(),
        pair: global_cluster_id.to_string(),
        primary_region: from_region,
        secondary_region: to_region,
        stacks: Vec::new(),
        stack_regions: Default::default(),
        global_cluster: None,
        clusters: [None, None],
        engine_version: None,
        db_cname: None,
        domain: None,
        hosted_zone: None,
        primary_check: None,
        switch_check: None,
        endpoint_check: None,
        private_zone: None,
        balancers: [None, None],
        switch: None,
        max_rpo_lag: Duration::ZERO,
    };
    let options = FailoverOptions {
        mode,
        ..options.clone()
    };
    let now = cloud.now();
    let mut run = Run {
        cloud,
        assembly: &assembly,
        topo: &topo,
        options: &options,
        observer,
        calls: Calls {
            cloud,
            list: Mutex::new(Vec::new()),
        },
        kind: RunKind::Failover,
        mode,
        to: Role::Secondary,
        from: Role::Primary,
        deployed: Deployed {
            global_cluster_id: Some(global_cluster_id.to_string()),
            ..Deployed::default()
        },
        report: RunReport {
            kind: RunKind::Failover,
            mode,
            app: String::new(),
            pair: topo.pair.clone(),
            backend: cloud.label(),
            simulated: cloud.is_simulated(),
            from: Role::Primary,
            to: Role::Secondary,
            from_region,
            to_region,
            started: now,
            ended: now,
            outcome: Outcome::DryRun,
            steps: Vec::new(),
            recovery_time_ms: None,
            data_loss_window_ms: None,
            notes: Vec::new(),
        },
    };
    run.database().await;
    run.report
        .steps
        .pop()
        .expect("the database step reports itself")
}

/// What the preflight found left to do.
struct Left {
    rejoin: bool,
    database: bool,
    traffic: bool,
}

impl Run<'_> {
    fn step_begin(&self, step: StepKind, description: &str) -> Timestamp {
        self.observer.step_started(step, description);
        self.cloud.now()
    }

    fn step_end(
        &mut self,
        step: StepKind,
        description: String,
        started: Timestamp,
        result: StepResult,
        notes: Vec<String>,
    ) -> bool {
        let ok = !matches!(result, StepResult::Failed(_));
        let failure = match &result {
            StepResult::Failed(why) => Some(format!("{} step: {why}", step.title())),
            _ => None,
        };
        let report = StepReport {
            step,
            description,
            started,
            ended: self.cloud.now(),
            calls: self.calls.take(),
            result,
            notes,
        };
        self.observer.step_finished(&report);
        self.report.steps.push(report);
        if let Some(f) = failure {
            self.report.outcome = Outcome::Failed(f);
        }
        ok
    }

    fn not_run(&mut self, step: StepKind, description: String, why: &str) {
        let now = self.cloud.now();
        self.report.steps.push(StepReport {
            step,
            description,
            started: now,
            ended: now,
            calls: Vec::new(),
            result: StepResult::NotRun(why.to_string()),
            notes: Vec::new(),
        });
    }

    fn region(&self, role: Role) -> Region {
        self.topo.region(role)
    }

    fn global_id(&self) -> String {
        self.deployed
            .global_cluster_id
            .clone()
            .unwrap_or_else(|| "<global cluster>".into())
    }

    fn describe(&self, step: StepKind) -> String {
        let (to, from) = (self.region(self.to), self.region(self.from));
        let g = self.global_id();
        match step {
            StepKind::Preflight => format!(
                "read the writer, replication, switch, targets and stacks; check that the {} site \
                 ({to}) is ready",
                self.to.label()
            ),
            StepKind::Rejoin => format!(
                "wait until Aurora has re-added the {} cluster ({to}) to {g} as a secondary and \
                 rebuilt it",
                self.to.label()
            ),
            StepKind::Traffic => match &self.topo.switch {
                Some(sw) => format!(
                    "PutMetricData {}/{} {} = {} in {} (data plane): Route 53 then answers the {} \
                     load balancer",
                    sw.namespace,
                    sw.metric_name,
                    sw.dimensions
                        .iter()
                        .map(|d| format!("{}={}", d.name, d.value))
                        .collect::<Vec<_>>()
                        .join(","),
                    sw.value_for(self.to),
                    sw.region,
                    self.to.label()
                ),
                None => "the pair has no traffic switch".into(),
            },
            StepKind::Database => match self.mode {
                Mode::Planned => format!(
                    "SwitchoverGlobalCluster {g} to the {} cluster, called in {from}; wait until \
                     it is the writer",
                    self.to.label()
                ),
                Mode::Unplanned => format!(
                    "FailoverGlobalCluster {g} --allow-data-loss to the {} cluster, called in \
                     {to}; wait until it is the writer",
                    self.to.label()
                ),
            },
            StepKind::Verify => format!(
                "the {} cluster is the writer, the global writer endpoint resolves to it, and {} \
                 answers the {} load balancer",
                self.to.label(),
                self.topo.domain.as_deref().unwrap_or("the app's name"),
                self.to.label()
            ),
        }
    }

    fn order(&self) -> Vec<StepKind> {
        match self.mode {
            Mode::Planned => vec![StepKind::Database, StepKind::Traffic, StepKind::Verify],
            Mode::Unplanned => vec![StepKind::Traffic, StepKind::Database, StepKind::Verify],
        }
    }

    async fn go(&mut self) {
        let Some(left) = self.preflight().await else {
            return;
        };
        if !left.rejoin && !left.database && !left.traffic {
            self.report.outcome = Outcome::AlreadyDone;
            return;
        }
        let mut steps = self.order();
        if left.rejoin {
            steps.insert(0, StepKind::Rejoin);
        }
        if self.options.dry_run {
            for step in steps {
                let d = self.describe(step);
                let why = match step {
                    StepKind::Rejoin if !left.rejoin => "not needed",
                    StepKind::Database if !left.database => "already done",
                    StepKind::Traffic if !left.traffic => "already done",
                    _ => "dry run",
                };
                self.not_run(step, d, why);
            }
            self.report.outcome = Outcome::DryRun;
            return;
        }
        let run_start = self.report.started;
        for (i, step) in steps.iter().copied().enumerate() {
            let ok = match step {
                StepKind::Rejoin => self.rejoin().await,
                StepKind::Database => self.database().await,
                StepKind::Traffic => self.traffic().await,
                StepKind::Verify => self.verify().await,
                StepKind::Preflight => true,
            };
            if !ok {
                for rest in &steps[i + 1..] {
                    let d = self.describe(*rest);
                    self.not_run(*rest, d, "an earlier step failed");
                }
                return;
            }
        }
        self.report.outcome = Outcome::Completed;
        self.report.recovery_time_ms =
            u64::try_from(self.cloud.now().since(run_start).as_millis()).ok();
    }

    /// Reads the state, decides what is left, and refuses a planned move to an unready site.
    async fn preflight(&mut self) -> Option<Left> {
        let description = self.describe(StepKind::Preflight);
        let started = self.step_begin(StepKind::Preflight, &description);
        let (st, deployed) = status_with_deployed(
            self.cloud,
            self.assembly,
            self.topo,
            &StatusOptions::default(),
        )
        .await;
        self.deployed = deployed;
        let mut notes: Vec<String> = st
            .failed_reads
            .iter()
            .map(|r| format!("not read: {}: {}", r.what, r.error))
            .collect();
        let Some(db) = &st.database else {
            self.step_end(
                StepKind::Preflight,
                description,
                started,
                StepResult::Failed(
                    "the writer could not be read in either Region (DescribeGlobalClusters), so \
                     nothing can be decided; the reads that failed are listed"
                        .into(),
                ),
                notes,
            );
            return None;
        };
        let target_member = db.members.iter().find(|m| m.role == Some(self.to));
        let flight_to_target = db
            .in_flight
            .as_deref()
            .is_some_and(|f| f.contains(&format!("-> {}", self.to.label())));
        let database = !(db.writer == Some(self.to) && db.in_flight.is_none());
        let synced = target_member
            .and_then(|m| m.synchronization.as_deref())
            .is_some_and(|s| s == "connected");
        let rejoin = database
            && !flight_to_target
            && self.kind == RunKind::Failback
            && !target_member.is_some_and(|m| m.is_writer)
            && !synced;
        let sw_value = st.switch.as_ref().and_then(|s| s.last_value);
        let traffic = match (&self.topo.switch, sw_value) {
            (None, _) => false,
            (Some(sw), Some(v)) => sw.role_of(v) != Some(self.to),
            // Nothing ever published: the alarm's state says where traffic goes (a new pair's
            // alarm has no data until the first publish, and the check then reports healthy:
            // the primary).
            (Some(_), None) => self.to != Role::Primary,
        };
        notes.push(format!(
            "writer: {}; switch: {}; left to do: {}",
            db.writer
                .map(|r| format!("{} ({})", r.label(), self.region(r)))
                .unwrap_or_else(|| "none".into()),
            st.switch
                .as_ref()
                .and_then(|s| s.serves)
                .map(|r| r.label())
                .unwrap_or("unknown"),
            [
                (rejoin, "rejoin"),
                (database, "database"),
                (traffic, "traffic"),
            ]
            .iter()
            .filter(|(b, _)| *b)
            .map(|(_, s)| *s)
            .collect::<Vec<_>>()
            .join(", ")
        ));
        if let Some(f) = &db.in_flight
            && !flight_to_target
        {
            self.step_end(
                StepKind::Preflight,
                description,
                started,
                StepResult::Failed(format!(
                    "another switchover or failover is in progress ({f}); wait for it to end"
                )),
                notes,
            );
            return None;
        }
        let left = Left {
            rejoin,
            database,
            traffic,
        };
        if !database && !traffic {
            notes.push(format!(
                "the {} site ({}) already has the writer and the traffic: nothing to do",
                self.to.label(),
                self.region(self.to)
            ));
            self.step_end(
                StepKind::Preflight,
                description,
                started,
                StepResult::Done,
                notes,
            );
            return Some(left);
        }
        match self.mode {
            Mode::Planned => {
                let checks = readiness(&st, self.topo, self.to);
                let failed: Vec<String> = checks
                    .iter()
                    .filter(|c| {
                        // A failback waits for the resync (the rejoin step) instead of refusing
                        // over it; a move whose database step is done needs no database check.
                        let db_check = c.name.contains("synchronized")
                            || c.name.contains("lag")
                            || c.name.contains("in the global cluster");
                        // A failback that waits for the old primary checks its site once
                        // it is back (the rejoin step): it cannot be read while down.
                        !rejoin && !(db_check && (!database || flight_to_target))
                    })
                    .filter(|c| c.ok != Some(true))
                    .map(|c| format!("{}: {}", c.name, c.detail))
                    .collect();
                for c in &checks {
                    notes.push(format!(
                        "{} {}: {}",
                        match c.ok {
                            Some(true) => "ok",
                            Some(false) => "FAIL",
                            None => "unread",
                        },
                        c.name,
                        c.detail
                    ));
                }
                if !failed.is_empty() && !self.options.dry_run {
                    let hint = if self.kind == RunKind::Failover {
                        "; if the primary Region is failing, run an unplanned failover \
                         (`failover --unplanned`)"
                    } else {
                        ""
                    };
                    let why = format!(
                        "the {} site is not ready: {}{hint}",
                        self.to.label(),
                        failed.join("; ")
                    );
                    self.step_end(
                        StepKind::Preflight,
                        description,
                        started,
                        StepResult::Failed(why.clone()),
                        notes,
                    );
                    self.report.outcome = Outcome::Refused(why);
                    return None;
                }
            }
            Mode::Unplanned => {
                let lag = st
                    .replication
                    .as_ref()
                    .filter(|r| r.secondary == self.to)
                    .and_then(|r| r.lag_ms.map(|v| (v, r.at)));
                self.report.data_loss_window_ms = lag.map(|(v, _)| v.max(0.0) as u64);
                let window = match lag {
                    Some((v, at)) => format!(
                        "up to {} of writes (the replication lag last seen, {v:.0} ms at {})",
                        human(Duration::from_millis(v.max(0.0) as u64)),
                        at.map(|t| t.to_string()).unwrap_or_default()
                    ),
                    None => "unknown: the replication lag could not be read".into(),
                };
                notes.push(format!("data-loss window: {window}"));
                if database && !self.options.dry_run {
                    let question = format!(
                        "Unplanned failover of {}: promote the {} cluster in {} now, allowing data \
                         loss ({window})? Irreversible: the old primary is rebuilt from the new \
                         one.",
                        self.topo.pair,
                        self.to.label(),
                        self.region(self.to)
                    );
                    let yes = match &self.options.confirmation {
                        Confirmation::Given => true,
                        Confirmation::Ask(ask) => ask(&question),
                    };
                    if !yes {
                        notes.push("not confirmed".into());
                        self.step_end(
                            StepKind::Preflight,
                            description,
                            started,
                            StepResult::Done,
                            notes,
                        );
                        self.report.outcome = Outcome::NotConfirmed;
                        return None;
                    }
                    notes.push("confirmed".into());
                }
            }
        }
        self.step_end(
            StepKind::Preflight,
            description,
            started,
            StepResult::Done,
            notes,
        );
        Some(left)
    }

    async fn read_global(&self, id: &str) -> CloudResult<Option<(GlobalCluster, Region)>> {
        let mut last = None;
        for region in [self.region(self.to), self.region(self.from)] {
            match self
                .calls
                .run(
                    "rds:DescribeGlobalClusters",
                    Some(region),
                    Plane::Regional,
                    self.cloud.describe_global_cluster(region, id),
                )
                .await
            {
                Ok(Some(g)) => return Ok(Some((g, region))),
                Ok(None) => return Ok(None),
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("asked twice"))
    }

    fn target_is_writer(&self, g: &GlobalCluster) -> bool {
        g.failover_state.is_none()
            && g.members
                .iter()
                .any(|m| m.is_writer && region_of(&m.db_cluster_arn) == Some(self.region(self.to)))
    }

    fn target_arn(&self, g: &GlobalCluster) -> Option<String> {
        g.members
            .iter()
            .find(|m| region_of(&m.db_cluster_arn) == Some(self.region(self.to)))
            .map(|m| m.db_cluster_arn.clone())
    }

    fn in_flight_to_target(&self, g: &GlobalCluster) -> bool {
        g.failover_state.as_ref().is_some_and(|f| {
            f.to_db_cluster_arn.as_deref().and_then(region_of) == Some(self.region(self.to))
        })
    }

    fn seen(&self, g: &GlobalCluster) -> String {
        let writer = g
            .writer()
            .and_then(|m| region_of(&m.db_cluster_arn))
            .map(|r| r.to_string())
            .unwrap_or_else(|| "none".into());
        match &g.failover_state {
            Some(f) => format!(
                "{} ({}), writer still {writer}",
                g.status,
                f.status.as_str()
            ),
            None => format!("{}, writer {writer}", g.status),
        }
    }

    /// Polls `done` with backoff on the backend's clock until it says yes or `timeout` passes;
    /// `Err(last seen)` on timeout.
    async fn wait_global(
        &self,
        step: StepKind,
        timeout: Duration,
        what: &str,
    ) -> Result<String, String> {
        let id = self.global_id();
        let start = self.cloud.now();
        let mut interval = self.options.first_poll;
        loop {
            let last_seen;
            match self.read_global(&id).await {
                Ok(Some((g, _))) => {
                    last_seen = self.seen(&g);
                    let done = match step {
                        StepKind::Rejoin => {
                            g.failover_state.is_none()
                                && g.members.iter().any(|m| {
                                    region_of(&m.db_cluster_arn) == Some(self.region(self.to))
                                        && (m.is_writer
                                            || m.synchronization_status
                                                .as_ref()
                                                .is_some_and(|s| s.as_str() == "connected"))
                                })
                        }
                        _ => self.target_is_writer(&g),
                    };
                    if done {
                        return Ok(last_seen);
                    }
                }
                Ok(None) => last_seen = format!("global cluster {id} not found"),
                Err(e) => last_seen = format!("no answer: {e}"),
            }
            let elapsed = self.cloud.now().since(start);
            if elapsed >= timeout {
                return Err(format!(
                    "timed out after {} waiting for {what}; last seen: {last_seen}",
                    human(elapsed)
                ));
            }
            self.observer.waiting(step, elapsed, &last_seen);
            self.cloud.sleep(interval).await;
            interval = (interval * 2).min(self.options.max_poll);
        }
    }

    async fn rejoin(&mut self) -> bool {
        let description = self.describe(StepKind::Rejoin);
        let started = self.step_begin(StepKind::Rejoin, &description);
        let mut notes = vec![format!(
            "waiting for the {} Region ({}) to be back and Aurora to re-add and rebuild its \
             cluster as a secondary (minutes to hours), up to {}",
            self.to.label(),
            self.region(self.to),
            human(self.options.rejoin_timeout)
        )];
        let r = self
            .wait_global(
                StepKind::Rejoin,
                self.options.rejoin_timeout,
                "the old primary to rejoin, synchronized",
            )
            .await;
        let result = match r {
            Ok(seen) => {
                notes.push(format!("rejoined: {seen}"));
                // Back: the site can be read now, and must be ready before it takes over.
                let (st, deployed) = status_with_deployed(
                    self.cloud,
                    self.assembly,
                    self.topo,
                    &StatusOptions::default(),
                )
                .await;
                self.deployed = deployed;
                let failed: Vec<String> = readiness(&st, self.topo, self.to)
                    .into_iter()
                    .filter(|c| c.ok != Some(true))
                    .filter(|c| !c.name.contains("lag"))
                    .map(|c| format!("{}: {}", c.name, c.detail))
                    .collect();
                if failed.is_empty() {
                    StepResult::Done
                } else {
                    StepResult::Failed(format!(
                        "the {} site is back but not ready: {}",
                        self.to.label(),
                        failed.join("; ")
                    ))
                }
            }
            Err(why) => StepResult::Failed(why),
        };
        self.snapshot_note(&mut notes).await;
        self.step_end(StepKind::Rejoin, description, started, result, notes)
    }

    /// Names the snapshot Aurora took of the old primary's volume after an unplanned failover:
    /// `rds:unplanned-global-failover-<cluster>-<time>`; it holds the writes the failover lost
    /// ("Using switchover or failover in Amazon Aurora Global Database",
    /// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html>).
    async fn snapshot_note(&mut self, notes: &mut Vec<String>) {
        let i = match self.to {
            Role::Primary => 0,
            Role::Secondary => 1,
        };
        let region = self.region(self.to);
        let Some(id) = self.deployed.cluster_ids[i].clone() else {
            return;
        };
        match self
            .calls
            .run(
                "rds:DescribeDBClusterSnapshots",
                Some(region),
                Plane::Regional,
                self.cloud.describe_db_cluster_snapshots(region, &id),
            )
            .await
        {
            Ok(snaps) => {
                for s in snaps
                    .iter()
                    .filter(|s| s.identifier.starts_with("rds:unplanned-global-failover-"))
                {
                    let note = format!(
                        "Aurora kept the old primary's volume as snapshot {} ({region}): it holds \
                         the writes lost in the unplanned failover. It is a system snapshot that \
                         expires with the backup retention; copy it to keep them \
                         (`aws rds copy-db-cluster-snapshot --region {region} \
                         --source-db-cluster-snapshot-identifier {} \
                         --target-db-cluster-snapshot-identifier <name>`)",
                        s.identifier, s.identifier
                    );
                    notes.push(note.clone());
                    self.report.notes.push(note);
                }
            }
            Err(e) => notes.push(format!("could not list the snapshots of {id}: {e}")),
        }
    }

    async fn traffic(&mut self) -> bool {
        let description = self.describe(StepKind::Traffic);
        let started = self.step_begin(StepKind::Traffic, &description);
        let Some(sw) = self.topo.switch.clone() else {
            return self.step_end(
                StepKind::Traffic,
                description,
                started,
                StepResult::AlreadyDone("the pair has no traffic switch".into()),
                Vec::new(),
            );
        };
        let want = sw.value_for(self.to);
        let mut notes = Vec::new();
        let seen = self
            .calls
            .run(
                "cloudwatch:GetMetricStatistics",
                Some(sw.region),
                Plane::Regional,
                last_value(
                    self.cloud,
                    sw.region,
                    &sw.namespace,
                    &sw.metric_name,
                    &sw.dimensions,
                    Statistic::Minimum,
                    true,
                ),
            )
            .await;
        if let Ok(Some((at, v))) = &seen
            && (v - want).abs() < 1e-9
        {
            return self.step_end(
                StepKind::Traffic,
                description,
                started,
                StepResult::AlreadyDone(format!("the switch already holds {want} (since {at})")),
                notes,
            );
        }
        let put = self
            .calls
            .run(
                "cloudwatch:PutMetricData",
                Some(sw.region),
                Plane::Regional,
                self.cloud.put_metric_data(
                    sw.region,
                    &sw.namespace,
                    vec![MetricDatum {
                        metric_name: sw.metric_name.clone(),
                        dimensions: sw.dimensions.clone(),
                        value: want,
                        unit: None,
                        timestamp: None,
                    }],
                ),
            )
            .await;
        if let Err(e) = put {
            // The value may have been stored and only the answer lost: look before failing
            // (publishing it again would be harmless, but the state decides, as elsewhere).
            let now = self
                .calls
                .run(
                    "cloudwatch:GetMetricStatistics",
                    Some(sw.region),
                    Plane::Regional,
                    last_value(
                        self.cloud,
                        sw.region,
                        &sw.namespace,
                        &sw.metric_name,
                        &sw.dimensions,
                        Statistic::Minimum,
                        true,
                    ),
                )
                .await;
            if matches!(&now, Ok(Some((_, v))) if (v - want).abs() < 1e-9) {
                notes.push(format!(
                    "PutMetricData answered with an error ({e}), but the switch holds {want}:                      going on"
                ));
            } else {
                return self.step_end(
                    StepKind::Traffic,
                    description,
                    started,
                    StepResult::Failed(format!("publishing the switch's value: {e}")),
                    notes,
                );
            }
        }
        notes.push(format!(
            "the switch fences nothing: DNS answers already cached (60 s for an alias to a load \
             balancer) and the {} load balancer's own name still reach the {} site",
            self.from.label(),
            self.from.label()
        ));
        // The alarm follows at the end of its period; wait for it so that the next step starts
        // from a switch that has moved (the verify step checks Route 53's answer itself).
        let want_state = match self.to {
            Role::Primary => "OK",
            Role::Secondary => "ALARM",
        };
        let start = self.cloud.now();
        let mut interval = self.options.first_poll;
        loop {
            let state = self
                .calls
                .run(
                    "cloudwatch:DescribeAlarms",
                    Some(sw.region),
                    Plane::Regional,
                    self.cloud
                        .describe_alarms(sw.region, std::slice::from_ref(&sw.alarm_name)),
                )
                .await
                .ok()
                .and_then(|a| a.first().map(|a| a.state.as_str().to_string()));
            if state.as_deref() == Some(want_state) {
                notes.push(format!("alarm {} is {want_state}", sw.alarm_name));
                break;
            }
            let elapsed = self.cloud.now().since(start);
            let seen = format!(
                "alarm {} {}",
                sw.alarm_name,
                state.as_deref().unwrap_or("unread")
            );
            if elapsed >= self.options.traffic_timeout {
                return self.step_end(
                    StepKind::Traffic,
                    description,
                    started,
                    StepResult::Failed(format!(
                        "published, but after {} the alarm is not {want_state}; last seen: {seen}",
                        human(elapsed)
                    )),
                    notes,
                );
            }
            self.observer.waiting(StepKind::Traffic, elapsed, &seen);
            self.cloud.sleep(interval).await;
            interval = (interval * 2).min(self.options.max_poll);
        }
        self.step_end(
            StepKind::Traffic,
            description,
            started,
            StepResult::Done,
            notes,
        )
    }

    async fn database(&mut self) -> bool {
        let description = self.describe(StepKind::Database);
        let started = self.step_begin(StepKind::Database, &description);
        let mut notes = Vec::new();
        let id = self.global_id();
        let g = match self.read_global(&id).await {
            Ok(Some((g, _))) => g,
            Ok(None) => {
                return self.step_end(
                    StepKind::Database,
                    description,
                    started,
                    StepResult::Failed(format!("global cluster {id} does not exist")),
                    notes,
                );
            }
            Err(e) => {
                return self.step_end(
                    StepKind::Database,
                    description,
                    started,
                    StepResult::Failed(format!("the writer could not be read: {e}")),
                    notes,
                );
            }
        };
        if self.target_is_writer(&g) {
            return self.step_end(
                StepKind::Database,
                description,
                started,
                StepResult::AlreadyDone(format!(
                    "the {} cluster is already the writer",
                    self.to.label()
                )),
                notes,
            );
        }
        if !self.in_flight_to_target(&g) {
            let Some(target) = self.target_arn(&g) else {
                return self.step_end(
                    StepKind::Database,
                    description,
                    started,
                    StepResult::Failed(format!(
                        "the {} Region has no cluster in {id}",
                        self.to.label()
                    )),
                    notes,
                );
            };
            let called = match self.mode {
                Mode::Planned => {
                    // Called in the current primary's Region (AWS-documented).
                    let region = g
                        .writer()
                        .and_then(|m| region_of(&m.db_cluster_arn))
                        .unwrap_or(self.region(self.from));
                    self.calls
                        .run(
                            "rds:SwitchoverGlobalCluster",
                            Some(region),
                            Plane::Regional,
                            self.cloud.switchover_global_cluster(region, &id, &target),
                        )
                        .await
                }
                Mode::Unplanned => {
                    // Called in the Region of the secondary being promoted: it works while
                    // the primary Region is down.
                    let region = self.region(self.to);
                    self.calls
                        .run(
                            "rds:FailoverGlobalCluster",
                            Some(region),
                            Plane::Regional,
                            self.cloud
                                .failover_global_cluster(region, &id, &target, true),
                        )
                        .await
                }
            };
            if let Err(e) = called {
                // Which fault a repeated or concurrent call gets is not documented, and a 500
                // leaves the outcome unknown: the state decides.
                let now = self.read_global(&id).await;
                let applied = matches!(&now, Ok(Some((g, _))) if self.in_flight_to_target(g) || self.target_is_writer(g));
                if applied {
                    notes.push(format!(
                        "the call answered with an error ({e}), but the global cluster shows the \
                         move under way: going on"
                    ));
                } else {
                    let fallback = format!(
                        "if Aurora keeps refusing a managed {} (e.g. mismatched engine versions), \
                         the documented fallback is to detach and promote the {} cluster: `aws rds \
                         remove-from-global-cluster --region {} --global-cluster-identifier {id} \
                         --db-cluster-identifier {target}`, then repoint the app; drkit does not \
                         do it unasked (it breaks the global database, which must be rebuilt)",
                        match self.mode {
                            Mode::Planned => "switchover",
                            Mode::Unplanned => "failover",
                        },
                        self.to.label(),
                        self.region(self.to)
                    );
                    notes.push(fallback.clone());
                    self.report.notes.push(fallback);
                    return self.step_end(
                        StepKind::Database,
                        description,
                        started,
                        StepResult::Failed(format!("{e}")),
                        notes,
                    );
                }
            }
        } else {
            notes.push(format!("already under way: {}", self.seen(&g)));
        }
        let r = self
            .wait_global(
                StepKind::Database,
                self.options.database_timeout,
                &format!("the {} cluster to be the writer", self.to.label()),
            )
            .await;
        let result = match r {
            Ok(seen) => {
                notes.push(format!("done: {seen}"));
                StepResult::Done
            }
            Err(why) => StepResult::Failed(why),
        };
        self.fencing_notes(started, &mut notes).await;
        self.step_end(StepKind::Database, description, started, result, notes)
    }

    /// The RDS events both clusters and their instances got since the step began: the
    /// switchover's or failover's own events (on the clusters) and Aurora's write fencing of the
    /// old writer (`RDS-EVENT-0390` fenced, `RDS-EVENT-0391` fencing timed out, on instances:
    /// "Amazon RDS event categories and event messages for Aurora",
    /// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Events.Messages.html>),
    /// so the report shows what Aurora says it did to the old writer. A Region that does not
    /// answer is noted and skipped (fencing events then sit on the new primary, same page).
    async fn fencing_notes(&self, since: Timestamp, notes: &mut Vec<String>) {
        for role in [self.from, self.to] {
            let i = match role {
                Role::Primary => 0,
                Role::Secondary => 1,
            };
            let Some(id) = self.deployed.cluster_ids[i].clone() else {
                continue;
            };
            let region = self.region(role);
            let events = self
                .calls
                .run(
                    "rds:DescribeEvents",
                    Some(region),
                    Plane::Regional,
                    self.cloud.describe_cluster_events(region, &id, since),
                )
                .await;
            let events = match events {
                Ok(e) => e,
                Err(e) => {
                    notes.push(format!(
                        "the RDS events of {id} ({region}) could not be read: {e}"
                    ));
                    continue;
                }
            };
            for e in events {
                notes.push(format!(
                    "RDS event {} {id} ({region}): {}",
                    e.date, e.message
                ));
            }
            let instances = self
                .calls
                .run(
                    "rds:DescribeDBClusters",
                    Some(region),
                    Plane::Regional,
                    self.cloud.describe_db_cluster(region, &id),
                )
                .await
                .ok()
                .flatten()
                .map(|c| c.members)
                .unwrap_or_default();
            for m in instances {
                match self
                    .calls
                    .run(
                        "rds:DescribeEvents",
                        Some(region),
                        Plane::Regional,
                        self.cloud
                            .describe_instance_events(region, &m.instance_identifier, since),
                    )
                    .await
                {
                    Ok(events) => {
                        for e in events {
                            notes.push(format!(
                                "RDS event {} {} ({region}): {}",
                                e.date, m.instance_identifier, e.message
                            ));
                        }
                    }
                    Err(e) => notes.push(format!(
                        "the RDS events of {} ({region}) could not be read: {e}",
                        m.instance_identifier
                    )),
                }
            }
        }
    }

    async fn verify(&mut self) -> bool {
        let description = self.describe(StepKind::Verify);
        let started = self.step_begin(StepKind::Verify, &description);
        let mut notes = Vec::new();
        let id = self.global_id();
        let g = match self.read_global(&id).await {
            Ok(Some((g, _))) if self.target_is_writer(&g) => g,
            Ok(Some((g, _))) => {
                let seen = self.seen(&g);
                return self.step_end(
                    StepKind::Verify,
                    description,
                    started,
                    StepResult::Failed(format!(
                        "the {} cluster is not the writer: {seen}",
                        self.to.label()
                    )),
                    notes,
                );
            }
            Ok(None) => {
                return self.step_end(
                    StepKind::Verify,
                    description,
                    started,
                    StepResult::Failed(format!("global cluster {id} does not exist")),
                    notes,
                );
            }
            Err(e) => {
                return self.step_end(
                    StepKind::Verify,
                    description,
                    started,
                    StepResult::Failed(format!("the writer could not be read: {e}")),
                    notes,
                );
            }
        };
        notes.push(format!(
            "the {} cluster is the writer ({})",
            self.to.label(),
            self.region(self.to)
        ));
        let deadline = self.options.traffic_timeout;
        // The global writer endpoint is a DNS name that Aurora moves to the new writer.
        if let (Some(endpoint), Some(target)) = (g.endpoint.clone(), self.target_arn(&g)) {
            let region = self.region(self.to);
            let cluster = self
                .calls
                .run(
                    "rds:DescribeDBClusters",
                    Some(region),
                    Plane::Regional,
                    self.cloud
                        .describe_db_cluster(region, cluster_id_of(&target)),
                )
                .await;
            let writer_endpoint = cluster.ok().flatten().and_then(|c| c.endpoint);
            if let Some(writer_endpoint) = writer_endpoint {
                let me: &Run<'_> = self;
                let r = me
                    .until(deadline, StepKind::Verify, || {
                        let (endpoint, writer_endpoint) =
                            (endpoint.clone(), writer_endpoint.clone());
                        async move {
                            let a = me.resolve(&endpoint).await;
                            let b = me.resolve(&writer_endpoint).await;
                            let seen = format!("{endpoint} -> {a:?}; {writer_endpoint} -> {b:?}");
                            (!a.is_empty() && a == b, seen)
                        }
                    })
                    .await;
                match r {
                    Ok(_) => notes.push(format!(
                        "the global writer endpoint {endpoint} resolves to the {} writer \
                         {writer_endpoint} (resolver query)",
                        self.to.label()
                    )),
                    Err(why) => {
                        return self.step_end(
                            StepKind::Verify,
                            description,
                            started,
                            StepResult::Failed(format!("global writer endpoint: {why}")),
                            notes,
                        );
                    }
                }
            }
        } else {
            notes.push("the global writer endpoint was not given by RDS: not checked".into());
        }
        // The app's name: Route 53's answer must be the target's load balancer.
        let to_i = if self.to == Role::Primary { 0 } else { 1 };
        let from_i = 1 - to_i;
        if let (Some(domain), Some(zone), Some(to_lb)) = (
            self.topo.domain.clone(),
            self.deployed.zone_id.clone(),
            self.deployed.lb_dns[to_i].clone(),
        ) {
            let from_lb = self.deployed.lb_dns[from_i].clone();
            let me: &Run<'_> = self;
            let to_label = me.to.label();
            let r = me
                .until(deadline, StepKind::Verify, || {
                    let (domain, zone, to_lb, from_lb) =
                        (domain.clone(), zone.clone(), to_lb.clone(), from_lb.clone());
                    async move {
                        let want = me.resolve(&to_lb).await;
                        let other = match &from_lb {
                            Some(n) => me.resolve(n).await,
                            None => Vec::new(),
                        };
                        let (answer, how) = match me
                            .calls
                            .run(
                                "route53:TestDNSAnswer",
                                Some(Region::UsEast1),
                                Plane::Route53Control,
                                me.cloud
                                    .test_dns_answer(Region::UsEast1, &zone, &domain, "A"),
                            )
                            .await
                        {
                            Ok(a) => (a.record_data, "TestDNSAnswer, control plane"),
                            // us-east-1 not answering: ask a resolver instead (its cache may
                            // lag by the record's TTL).
                            Err(_) => (me.resolve(&domain).await, "resolver query"),
                        };
                        let hits = |set: &[String]| answer.iter().any(|a| set.contains(a));
                        let ok = !answer.is_empty() && hits(&want) && !hits(&other);
                        (ok, format!("{domain} answers {answer:?} ({how}); {to_label} load balancer {want:?}"))
                    }
                })
                .await;
            match r {
                Ok(seen) => notes.push(format!(
                    "{domain} answers the {} load balancer {to_lb}: {seen}",
                    self.to.label()
                )),
                Err(why) => {
                    return self.step_end(
                        StepKind::Verify,
                        description,
                        started,
                        StepResult::Failed(format!(
                            "Route 53 does not answer the {} site: {why}. If both sites are \
                             unhealthy Route 53 answers the PRIMARY record",
                            self.to.label()
                        )),
                        notes,
                    );
                }
            }
        } else {
            notes.push(
                "the app's name or the load balancer was not read: its answer was not checked"
                    .into(),
            );
        }
        self.step_end(
            StepKind::Verify,
            description,
            started,
            StepResult::Done,
            notes,
        )
    }

    async fn resolve(&self, name: &str) -> Vec<String> {
        self.calls
            .run(
                "dns:resolve",
                None,
                Plane::Resolver,
                self.cloud.resolve_addresses(name),
            )
            .await
            .unwrap_or_default()
    }

    /// Polls `check` (true when done, with what it saw) until it passes or `timeout` passes.
    async fn until<'s, F, Fut>(
        &'s self,
        timeout: Duration,
        step: StepKind,
        check: F,
    ) -> Result<String, String>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = (bool, String)> + 's,
    {
        let start = self.cloud.now();
        let mut interval = self.options.first_poll;
        loop {
            let (ok, seen) = check().await;
            if ok {
                return Ok(seen);
            }
            let elapsed = self.cloud.now().since(start);
            if elapsed >= timeout {
                return Err(format!(
                    "timed out after {}; last seen: {seen}",
                    human(elapsed)
                ));
            }
            self.observer.waiting(step, elapsed, &seen);
            self.cloud.sleep(interval).await;
            interval = (interval * 2).min(self.options.max_poll);
        }
    }
}
