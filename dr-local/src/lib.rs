//! The `local` backend: an embedded simulator of the parts of AWS drkit uses. It is the
//! default deploy target (so the example deploys on a machine with no AWS account) and the
//! test double for the deploy engine and the DR runtime.
//!
//! **It is a simulator, not AWS.** It resolves templates (parameters, SSM-typed parameters,
//! conditions, intrinsic functions, dynamic references), orders resources by dependency,
//! assigns plausible physical ids and attributes, computes change sets with replacements from
//! the create-only properties of the resource-type facts, runs stacks through CloudFormation's
//! statuses and events (rollback included) on a virtual clock with durations from AWS
//! documentation, keeps outputs and exports, and models Aurora global databases, Route 53
//! health checks and failover records and ELBv2 target health closely enough for failover.
//! Time never passes by itself: [`Cloud::sleep`](dr_core::cloud::Cloud::sleep) (and [`VirtualClock::advance`]) move it.
//!
//! State lives in a JSON file (by default [`DEFAULT_STATE_FILE`] under the project directory),
//! loaded by [`LocalCloud::open`] and saved after every mutating call; one process at a time
//! holds it (an exclusive lock on a `.lock` file beside it);
//! [`LocalCloud::in_memory`] keeps it in memory for tests. Tests inject faults: a resource
//! failing on the next deploy, a Region outage (now, or in a window of the virtual clock), an
//! answer lost after the call was applied (and the request sent again, as the SDK's retry
//! does), and read what stack operations left in the account outside any stack.

pub mod clock;
pub mod eval;
pub mod ids;
pub mod state;

mod changeset;
pub mod durations;
mod facts;
mod lifecycle;
mod policy;
mod services;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use dr_core::Region;
use dr_core::cloud::{self, CloudError, CloudResult};

pub use clock::SimTime;
pub use lifecycle::{ChangeSetRequest, DeleteOptions, ExecuteOptions, Export, InjectedFailure};
use state::World;

/// Where [`LocalCloud::open_project`] keeps the state, relative to the project directory.
pub const DEFAULT_STATE_FILE: &str = ".drkit/local-state.json";

/// What went wrong inside the simulator (converted to [`CloudError`] at the port).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalError {
    /// CloudFormation's `ValidationError` (and other rejected input).
    #[error("{0}")]
    Validation(String),
    /// The thing named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The target's state does not allow the call.
    #[error("{0}")]
    InvalidState(String),
    /// The Region is down (an injected outage).
    #[error("Region {0} is unavailable (simulated outage)")]
    RegionUnavailable(Region),
    /// The state file cannot be read or written.
    #[error("local simulator state file {path}: {message}")]
    State {
        /// The file.
        path: String,
        /// What is wrong, and what to do.
        message: String,
    },
}

impl LocalError {
    /// CloudFormation's `ValidationError` for a stack name or id it does not know.
    pub(crate) fn stack_not_found(name: &str) -> LocalError {
        LocalError::NotFound(format!("Stack with id {name} does not exist"))
    }

    /// CloudFormation's `ChangeSetNotFound` wording.
    pub(crate) fn change_set_not_found(change_set: &str) -> LocalError {
        LocalError::NotFound(format!("ChangeSet [{change_set}] does not exist"))
    }

    fn into_cloud(self, operation: &str) -> CloudError {
        match self {
            LocalError::Validation(m) => CloudError::validation(operation, m),
            LocalError::NotFound(m) => CloudError::not_found(operation, m.clone(), m),
            LocalError::InvalidState(m) => CloudError::invalid_state(operation, m),
            LocalError::RegionUnavailable(region) => Outage::NoAnswer.into_cloud(operation, region),
            e @ LocalError::State { .. } => CloudError::other(operation, e.to_string()),
        }
    }
}

/// One call made to the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// The port method, e.g. `create_change_set` (the names of
    /// [`cloud::MUTATING_OPERATIONS`]).
    pub operation: String,
    /// The Region it was sent to.
    pub region: Region,
    /// Whether the operation changes something.
    pub mutating: bool,
}

/// How a Region's API endpoints fail in a simulated outage: the two shapes the aws backend
/// reports (dr-aws `error.rs`), both of which the engine counts as the Region not answering
/// ([`CloudError::is_region_outage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outage {
    /// No answer at all: connections fail or time out. The aws backend reports a timeout or
    /// a dispatch (I/O) failure as [`RegionUnavailable`](cloud::CloudErrorKind::RegionUnavailable).
    NoAnswer,
    /// The endpoints answer, but only with an HTTP 5xx server error, every attempt, so the
    /// SDK's retries are spent: a [`ServerError`](cloud::CloudErrorKind::ServerError) with
    /// the service's error code.
    ServerErrors(ServerFault),
}

/// The server error a Region in an [`Outage::ServerErrors`] answers: the two server errors
/// the API references list as "common to the API actions of all AWS services" ("Common
/// Errors", <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html>,
/// the same in <https://docs.aws.amazon.com/autoscaling/ec2/APIReference/CommonErrors.html>).
/// The simulator answers Route 53's calls with them too (its own reference was not checked
/// for the list; the SDK retries any 500/503 whatever the code, so the shape is the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerFault {
    /// `InternalFailure`, HTTP 500.
    InternalFailure,
    /// `ServiceUnavailable`, HTTP 503.
    ServiceUnavailable,
}

impl ServerFault {
    /// The AWS error code.
    pub fn code(self) -> &'static str {
        match self {
            ServerFault::InternalFailure => "InternalFailure",
            ServerFault::ServiceUnavailable => "ServiceUnavailable",
        }
    }
    /// The HTTP status.
    pub fn status(self) -> u16 {
        match self {
            ServerFault::InternalFailure => 500,
            ServerFault::ServiceUnavailable => 503,
        }
    }
    /// The message. The text a response carries is not documented; this is the description
    /// on the "Common Errors" page, word for word.
    pub fn message(self) -> &'static str {
        match self {
            ServerFault::InternalFailure => {
                "The request processing has failed because of an unknown error, exception or failure."
            }
            ServerFault::ServiceUnavailable => {
                "The request has failed due to a temporary failure of the server."
            }
        }
    }
}

impl Outage {
    /// The port error a call of `operation` sent to `region` gets, shaped as the aws backend
    /// shapes the SDK's error: a dispatch failure's text after "could not reach the endpoint: ",
    /// or the server error built by the same [`CloudError::server_error`] the aws backend uses.
    fn into_cloud(self, operation: &str, region: Region) -> CloudError {
        match self {
            Outage::NoAnswer => CloudError::region_unavailable(
                operation,
                region,
                "could not reach the endpoint: dispatch failure: the Region's endpoints do not answer (simulated outage)",
            ),
            Outage::ServerErrors(f) => {
                CloudError::server_error(operation, region, f.status(), Some(f.code()), f.message())
            }
        }
    }
}

/// The port's Route 53 operations. Route 53 is a global service: one API endpoint,
/// route53.amazonaws.com, signed for us-east-1 whatever Region the caller names ("Amazon
/// Route 53 endpoints and quotas", <https://docs.aws.amazon.com/general/latest/gr/r53.html>),
/// its control plane hosted in US East (N. Virginia) and its data plane (DNS answers, health
/// checkers) distributed worldwide ("Creating Disaster Recovery Mechanisms Using Amazon Route
/// 53",
/// <https://aws.amazon.com/blogs/networking-and-content-delivery/creating-disaster-recovery-mechanisms-using-amazon-route-53/>;
/// "Global services", AWS Fault Isolation Boundaries,
/// <https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/global-services.html>).
/// The SDK resolves every Region of the `aws` partition to that endpoint (aws-sdk-route53
/// `config/endpoint.rs`). So these calls fail in an outage of us-east-1, in that outage's
/// shape, and keep working in an outage of the Region passed. DNS answers need no API call
/// ([`LocalCloud::resolve_dns`], `Cloud::resolve_addresses`); `TestDNSAnswer` is an API call
/// of the control plane ("TestDNSAnswer", Amazon Route 53 API Reference,
/// <https://docs.aws.amazon.com/Route53/latest/APIReference/API_TestDNSAnswer.html>), so it is
/// listed.
const ROUTE53_OPERATIONS: &[&str] = &[
    "get_health_check",
    "get_health_check_status",
    "update_health_check",
    "list_resource_record_sets",
    "change_resource_record_sets",
    "get_change",
    "test_dns_answer",
];

/// The Region whose endpoints serve `op` when it is sent to `region`.
fn serving_region(op: &str, region: Region) -> Region {
    if ROUTE53_OPERATIONS.contains(&op) {
        Region::UsEast1
    } else {
        region
    }
}

/// An outage on the virtual clock: `region` fails calls in `outage`'s shape from `from`
/// (inclusive) to `until` (exclusive).
#[derive(Debug, Clone, Copy)]
struct ScheduledOutage {
    region: Region,
    from: SimTime,
    until: SimTime,
    outage: Outage,
}

#[derive(Debug, Default)]
struct Faults {
    fail: Vec<InjectedFailure>,
    /// The Regions in an outage set by hand, whatever its shape (the service models read
    /// [`Faults::unavailable_at`], which adds the scheduled ones: a Region in it does not
    /// serve, e.g. its load balancers to Route 53's checkers).
    unavailable: BTreeSet<Region>,
    /// The shape of each outage in `unavailable`.
    outages: BTreeMap<Region, Outage>,
    /// Outages on the virtual clock.
    scheduled: Vec<ScheduledOutage>,
    /// Answers to drop: `None` = the next call whatever it is, `Some(op)` = the next `op`.
    drop: Vec<Option<String>>,
    /// Port methods whose next call is applied, its answer lost, and sent again as is.
    retry_after_loss: Vec<String>,
}

impl Faults {
    /// The outage `region` is in at `t`: one set by hand first, else a scheduled one.
    fn outage_at(&self, region: Region, t: SimTime) -> Option<Outage> {
        if self.unavailable.contains(&region) {
            return Some(
                self.outages
                    .get(&region)
                    .copied()
                    .unwrap_or(Outage::NoAnswer),
            );
        }
        self.scheduled
            .iter()
            .find(|s| s.region == region && s.from <= t && t < s.until)
            .map(|s| s.outage)
    }

    /// Every Region in an outage at `t`.
    fn unavailable_at(&self, t: SimTime) -> BTreeSet<Region> {
        let mut out = self.unavailable.clone();
        out.extend(
            self.scheduled
                .iter()
                .filter(|s| s.from <= t && t < s.until)
                .map(|s| s.region),
        );
        out
    }

    /// The times in `(after, to]` at which a scheduled outage starts or ends, in order.
    fn boundaries(&self, after: SimTime, to: SimTime) -> Vec<SimTime> {
        let mut out: Vec<SimTime> = self
            .scheduled
            .iter()
            .flat_map(|s| [s.from, s.until])
            .filter(|t| after < *t && *t <= to)
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

#[derive(Debug)]
struct Inner {
    world: World,
    path: Option<PathBuf>,
    /// The open lock file; the OS lock is held while it stays open, i.e. as long as any clone
    /// of the [`LocalCloud`] lives.
    _state_lock: Option<std::fs::File>,
    faults: Faults,
    calls: Vec<CallRecord>,
}

impl Inner {
    fn save(&self) -> Result<(), LocalError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let err = |m: String| LocalError::State {
            path: path.display().to_string(),
            message: m,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| err(format!("cannot create its directory: {e}")))?;
        }
        let body = serde_json::to_vec(&self.world).map_err(|e| err(e.to_string()))?;
        let bytes = body.len();
        // Write then rename, so a crash never leaves half a file.
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, body).map_err(|e| err(format!("cannot write: {e}")))?;
        std::fs::rename(&tmp, path).map_err(|e| err(format!("cannot replace: {e}")))?;
        // `DRKIT_LOG=dr_local=debug` shows each write; scripts/bench counts them.
        tracing::debug!(bytes, path = %path.display(), "simulator state saved");
        Ok(())
    }

    /// Completes what finished up to now, with the Regions in `down` out of service since the
    /// last settle.
    fn settle_with(&mut self, down: &BTreeSet<Region>) -> bool {
        services::settle_global(&mut self.world, down);
        // Alarms and health checks first, on the world as it was up to now; a stack operation
        // that commits now changes what they see from now on.
        let health = services::settle_health(&mut self.world, down);
        self.world.settle() | health
    }

    fn settle(&mut self) -> bool {
        let down = self.faults.unavailable_at(self.world.now);
        self.settle_with(&down)
    }

    /// Moves the clock to `to`, settling at each start and end of a scheduled outage on the
    /// way, so that what was evaluated in between saw the Regions that were down then.
    fn advance_to(&mut self, to: SimTime) -> bool {
        let mut changed = false;
        for b in self.faults.boundaries(self.world.now, to) {
            let down = self.faults.unavailable_at(self.world.now);
            self.world.now = b;
            changed |= self.settle_with(&down);
        }
        let down = self.faults.unavailable_at(self.world.now);
        self.world.now = self.world.now.max(to);
        changed | self.settle_with(&down)
    }
}

/// The embedded simulator. Cheap to clone (clones share the same simulated world).
#[derive(Debug, Clone)]
pub struct LocalCloud {
    inner: Arc<Mutex<Inner>>,
}

/// The simulator's virtual clock.
#[derive(Debug, Clone)]
pub struct VirtualClock {
    inner: Arc<Mutex<Inner>>,
}

/// Takes the exclusive lock on `<state>.lock`, or says who holds it and what to do. `None`
/// when the file system cannot lock.
fn lock_state(state: &Path) -> Result<Option<std::fs::File>, String> {
    if let Some(dir) = state.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create its directory: {e}"))?;
    }
    let mut name = state.as_os_str().to_owned();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot open its lock file {}: {e}", lock_path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "another drkit process is using it (it holds {}); wait for that command to finish, then run this one again",
            lock_path.display()
        )),
        // A file system without locks (some network mounts) should not stop the simulator;
        // the guard is then only missing, as it was before locks existed.
        Err(std::fs::TryLockError::Error(e)) => {
            tracing::warn!(
                "cannot lock {} ({e}); going on without protection against a second drkit process",
                lock_path.display()
            );
            Ok(None)
        }
    }
}

fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // A panic while holding the lock cannot leave the world half-changed in a way that matters
    // more than losing the simulator altogether, so carry on with the data.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl VirtualClock {
    /// The current virtual time.
    pub fn now(&self) -> SimTime {
        lock(&self.inner).world.now
    }
    /// Moves the clock forward by `d`, completing whatever finishes meanwhile.
    pub fn advance(&self, d: Duration) {
        let mut g = lock(&self.inner);
        let to = g
            .world
            .now
            .plus_ms(u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        if g.advance_to(to) {
            let _ = g.save();
        }
    }
    /// Moves the clock to the end of every stack operation, change-set computation, switchover
    /// and failover in flight.
    pub fn run_until_idle(&self) {
        let mut g = lock(&self.inner);
        let mut end = g.world.now;
        for rs in g.world.regions.values() {
            for s in &rs.stacks {
                if let Some(op) = &s.op {
                    end = end.max(op.end);
                }
                for c in &s.change_sets {
                    end = end.max(c.ready_at);
                }
            }
        }
        for gc in g.world.global_clusters.values() {
            if let Some(f) = &gc.failover {
                end = end.max(f.done_at);
            }
            for m in &gc.members {
                if let Some(t) = m.detach_done_at {
                    end = end.max(t);
                }
            }
        }
        if g.advance_to(end) {
            let _ = g.save();
        }
    }
}

impl LocalCloud {
    /// A simulator whose state lives only in memory (tests).
    pub fn in_memory() -> Self {
        LocalCloud {
            inner: Arc::new(Mutex::new(Inner {
                world: World::default(),
                path: None,
                _state_lock: None,
                faults: Faults::default(),
                calls: vec![],
            })),
        }
    }

    /// Opens (or starts) the simulator state at `path`. Operations left in flight by an
    /// earlier process are completed: between two commands, the simulated world finishes what
    /// it was doing.
    ///
    /// The state belongs to one process at a time: `open` takes an exclusive lock on
    /// `<path>.lock` (creating the directory if needed) and fails with
    /// [`LocalError::State`] while another process, or another open `LocalCloud`, holds it.
    /// Two deploys writing the same file would otherwise each overwrite what the other did.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, LocalError> {
        let path = path.as_ref().to_path_buf();
        let err = |m: String| LocalError::State {
            path: path.display().to_string(),
            message: m,
        };
        let state_lock = lock_state(&path).map_err(err)?;
        let world = match std::fs::read(&path) {
            Ok(bytes) => {
                let not_state = |e: serde_json::Error| {
                    err(format!(
                        "not a drkit simulator state ({e}); delete the file to start from an empty simulated account"
                    ))
                };
                // The version first: a file of another format need not parse as this one.
                #[derive(serde::Deserialize)]
                struct Versioned {
                    version: u32,
                }
                let v: Versioned = serde_json::from_slice(&bytes).map_err(not_state)?;
                if v.version != state::STATE_VERSION {
                    return Err(err(format!(
                        "written by state format {} but this drkit reads format {}; delete the file to start from an empty simulated account",
                        v.version,
                        state::STATE_VERSION
                    )));
                }
                serde_json::from_slice::<World>(&bytes).map_err(not_state)?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => World::default(),
            Err(e) => return Err(err(format!("cannot read: {e}"))),
        };
        let cloud = LocalCloud {
            inner: Arc::new(Mutex::new(Inner {
                world,
                path: Some(path),
                _state_lock: state_lock,
                faults: Faults::default(),
                calls: vec![],
            })),
        };
        cloud.clock().run_until_idle();
        Ok(cloud)
    }

    /// Opens the state at [`DEFAULT_STATE_FILE`] under `project_dir`.
    pub fn open_project(project_dir: impl AsRef<Path>) -> Result<Self, LocalError> {
        LocalCloud::open(project_dir.as_ref().join(DEFAULT_STATE_FILE))
    }

    /// The state file, if any.
    pub fn state_path(&self) -> Option<PathBuf> {
        lock(&self.inner).path.clone()
    }

    /// The virtual clock.
    pub fn clock(&self) -> VirtualClock {
        VirtualClock {
            inner: self.inner.clone(),
        }
    }

    /// Every call made so far, in order.
    pub fn call_log(&self) -> Vec<CallRecord> {
        lock(&self.inner).calls.clone()
    }

    /// How many mutating calls were made so far.
    pub fn mutating_calls(&self) -> usize {
        lock(&self.inner)
            .calls
            .iter()
            .filter(|c| c.mutating)
            .count()
    }

    /// Forgets the calls recorded so far.
    pub fn clear_call_log(&self) {
        lock(&self.inner).calls.clear();
    }

    /// Makes resource `logical_id` of stack `stack` fail, with status reason `reason`, the next
    /// time a create or update touches it.
    pub fn fail_resource_on_next_deploy(
        &self,
        region: Region,
        stack: &str,
        logical_id: &str,
        reason: &str,
    ) {
        lock(&self.inner).faults.fail.push(InjectedFailure {
            region,
            stack: stack.to_string(),
            logical_id: logical_id.to_string(),
            reason: reason.to_string(),
        });
    }

    /// Takes a Region down with no answer at all ([`Outage::NoAnswer`]: every call sent to it
    /// fails with `RegionUnavailable`) or brings it back. Work already scheduled there (a stack
    /// operation) still completes.
    pub fn set_region_available(&self, region: Region, available: bool) {
        self.set_region_outage(region, (!available).then_some(Outage::NoAnswer));
    }

    /// Starts an outage of `region` in the shape given, or ends it (`None`). Every call sent to
    /// the Region fails as that shape says, except Route 53's, which its control plane in
    /// us-east-1 serves: those fail only in an outage of us-east-1. Work already scheduled in
    /// the Region (a stack operation, a failover) still completes.
    pub fn set_region_outage(&self, region: Region, outage: Option<Outage>) {
        let mut g = lock(&self.inner);
        match outage {
            Some(o) => {
                g.faults.unavailable.insert(region);
                g.faults.outages.insert(region, o);
            }
            None => {
                g.faults.unavailable.remove(&region);
                g.faults.outages.remove(&region);
            }
        }
    }

    /// Schedules an outage of `region` on the virtual clock: from `after` from now, for
    /// `lasting`, every call it serves fails in `outage`'s shape, as with
    /// [`set_region_outage`](LocalCloud::set_region_outage); before and after, it answers.
    /// Work CloudFormation or RDS carries on with there (a stack operation, a failover) goes on
    /// as scheduled: an outage of the API endpoints does not stop it, and the caller finds its
    /// outcome once the Region answers again. An outage set by hand takes precedence.
    pub fn schedule_region_outage(
        &self,
        region: Region,
        after: Duration,
        lasting: Duration,
        outage: Outage,
    ) {
        let mut g = lock(&self.inner);
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let from = g.world.now.plus_ms(ms(after));
        let until = from.plus_ms(ms(lasting));
        g.faults.scheduled.push(ScheduledOutage {
            region,
            from,
            until,
            outage,
        });
    }

    /// The outage `region` is in now, if any (set by hand or scheduled).
    pub fn region_outage(&self, region: Region) -> Option<Outage> {
        let g = lock(&self.inner);
        g.faults.outage_at(region, g.world.now)
    }

    /// The next call is applied, but its answer is lost: the caller gets an error.
    pub fn drop_next_answer(&self) {
        lock(&self.inner).faults.drop.push(None);
    }

    /// The next call of `operation` (a port method name, e.g. `switchover_global_cluster`) is
    /// applied, but its answer is lost.
    pub fn drop_answer_of(&self, operation: &str) {
        lock(&self.inner)
            .faults
            .drop
            .push(Some(operation.to_string()));
    }

    /// The next call of port method `operation` (e.g. `create_change_set`,
    /// `execute_change_set_with`, `delete_stack_with`) is applied, its answer is lost, and the
    /// request is sent again unchanged, as the SDK's retry sends it after a transient error
    /// (same input, same idempotency token): the caller gets the second attempt's answer. With
    /// a token, CloudFormation recognises the retry and answers as it did the first time;
    /// without one, the retry is a second request ("CreateChangeSet", "ClientToken",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html>;
    /// "ExecuteChangeSet", "ClientRequestToken",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html>).
    /// The call log records one call: the port was called once.
    pub fn lose_answer_then_retry(&self, operation: &str) {
        lock(&self.inner)
            .faults
            .retry_after_loss
            .push(operation.to_string());
    }

    /// The resources stack operations in `region` left in the account outside any stack, as
    /// (type, physical id), in the order they were left: those a `Retain` deletion policy kept
    /// (on deletion, on removal by an update, on a rollback that was not told
    /// `RetainExceptOnCreate`), those `DeleteStack` was told to retain (`RetainResources`) and
    /// those `FORCE_DELETE_STACK` left behind.
    pub fn retained_resources(&self, region: Region) -> Vec<(String, String)> {
        let g = lock(&self.inner);
        g.world
            .regions
            .get(&region)
            .map(|rs| {
                rs.retained
                    .iter()
                    .map(|r| (r.type_name.clone(), r.physical_id.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Sets an SSM parameter (e.g. a newer AMI id for the public AL2023 parameter).
    pub fn put_ssm_parameter(&self, region: Region, name: &str, value: &str) {
        let mut g = lock(&self.inner);
        g.world
            .region(region)
            .ssm
            .insert(name.to_string(), value.to_string());
        let _ = g.save();
    }

    /// Makes a public hosted zone for domain `name` that no stack owns (a zone the account
    /// already has, as `HostedZoneRef::existing` expects) and returns its id (`Z…`, without the
    /// `/hostedzone/` prefix, as an `AWS::Route53::HostedZone::Id` parameter takes it).
    pub fn create_hosted_zone(&self, name: &str) -> String {
        let mut g = lock(&self.inner);
        let seq = g.world.next_seq();
        let id = format!("Z{}", ids::upper(&format!("seeded-zone/{name}/{seq}"), 20));
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let name_servers: Vec<String> = (0..4)
            .map(|k| {
                let tld = ["com", "net", "org", "co.uk"][k];
                format!(
                    "ns-{}.awsdns-{:02}.{tld}",
                    512 * k + seq as usize % 512,
                    seq % 64
                )
            })
            .collect();
        services::register_hosted_zone(&mut g.world, &id, &name, &name_servers);
        g.world.seeded.hosted_zones.insert(id.clone(), name);
        let _ = g.save();
        id
    }

    /// Makes an EC2 key pair named `name` in `region` that no stack owns (key pairs are
    /// Regional).
    pub fn create_key_pair(&self, region: Region, name: &str) {
        let mut g = lock(&self.inner);
        g.world
            .seeded
            .key_pairs
            .entry(region)
            .or_default()
            .insert(name.to_string());
        let _ = g.save();
    }

    /// Makes an S3 bucket named `name` in `region` that no stack owns (such as the bucket
    /// `DeployOptions::template_bucket` names). Bucket names are one namespace across Regions:
    /// a name already taken keeps its Region.
    pub fn create_bucket(&self, region: Region, name: &str) {
        let mut g = lock(&self.inner);
        g.world
            .seeded
            .buckets
            .entry(name.to_string())
            .or_insert(region);
        services::s3::seed_bucket(&mut g.world, name);
        let _ = g.save();
    }

    /// Sets the replication lag of a secondary DB cluster, in milliseconds.
    pub fn set_replication_lag(
        &self,
        region: Region,
        db_cluster_id: &str,
        lag_ms: u64,
    ) -> Result<(), LocalError> {
        let mut g = lock(&self.inner);
        let c = g
            .world
            .region(region)
            .db_clusters
            .get_mut(db_cluster_id)
            .ok_or_else(|| {
                LocalError::NotFound(format!(
                    "DBClusterNotFoundFault: DBCluster {db_cluster_id} not found."
                ))
            })?;
        c.replication_lag_ms = lag_ms;
        g.save()
    }

    /// Sets what Route 53's checkers see at an endpoint the simulator does not model (a domain
    /// name or IP address that is no stack-made load balancer). The check's status follows
    /// after `FailureThreshold` observations, one every `RequestInterval`, like any endpoint's.
    pub fn set_health_check_measured(
        &self,
        health_check_id: &str,
        healthy: bool,
    ) -> Result<(), LocalError> {
        let mut g = lock(&self.inner);
        let h = g
            .world
            .health_checks
            .get_mut(health_check_id)
            .ok_or_else(|| LocalError::NotFound(format!("NoSuchHealthCheck: No health check exists with the specified ID {health_check_id}")))?;
        h.measured_healthy = healthy;
        g.save()
    }

    /// Sets the health of every target of a target group (`healthy`, `unhealthy`, …). An alias
    /// with `EvaluateTargetHealth` sees it at once; a Route 53 check of the load balancer at
    /// its next observations.
    pub fn set_target_health(
        &self,
        region: Region,
        target_group_arn: &str,
        state: &str,
    ) -> Result<(), LocalError> {
        let mut g = lock(&self.inner);
        let tg = g
            .world
            .region(region)
            .target_groups
            .get_mut(target_group_arn)
            .ok_or_else(|| {
                LocalError::NotFound(format!(
                    "TargetGroupNotFound: Target groups '{target_group_arn}' not found"
                ))
            })?;
        for v in tg.targets.values_mut() {
            *v = state.to_string();
        }
        g.save()
    }

    /// What Route 53's data plane answers for `name`/`record_type` now: the record chosen by
    /// failover routing. Not subject to outages (DNS answers need no API call).
    pub fn resolve_dns(&self, name: &str, record_type: &str) -> Option<cloud::ResourceRecordSet> {
        let g = lock(&self.inner);
        let down = g.faults.unavailable_at(g.world.now);
        services::resolve(&g.world, name, record_type, &down)
    }

    /// The state of CloudWatch alarm `name` in `region` (`OK`, `ALARM`, `INSUFFICIENT_DATA`)
    /// and when it last changed, as evaluated up to now.
    pub fn alarm_state(&self, region: Region, name: &str) -> Option<(String, SimTime)> {
        let g = lock(&self.inner);
        g.world
            .alarms
            .get(&services::cloudwatch::alarm_key(region.code(), name))
            .map(|a| (a.state.clone(), a.state_since))
    }

    /// The status Route 53 acts on for a health check now (after `Inverted`/`Disabled`; a
    /// calculated check's from its children), which `GetHealthCheckStatus` cannot give for a
    /// calculated check.
    pub fn health_check_healthy(&self, health_check_id: &str) -> Option<bool> {
        let g = lock(&self.inner);
        g.world
            .health_checks
            .get(health_check_id)
            .map(|h| services::health_check_healthy(&g.world, h))
    }

    /// A read-only copy of the whole simulated world (for tests and debugging).
    pub fn snapshot(&self) -> World {
        lock(&self.inner).world.clone()
    }

    /// Runs one port call: records it, applies outages (of the Region that serves it, see
    /// [`ROUTE53_OPERATIONS`]), completes finished work, runs `f`, saves after a mutating call,
    /// and drops the answer when told to. Told to lose the answer and retry
    /// ([`LocalCloud::lose_answer_then_retry`]), it runs `f` a second time, on the world the
    /// first attempt left, and answers with the second attempt.
    fn call<T>(
        &self,
        op: &str,
        api: &str,
        region: Region,
        mut f: impl FnMut(&mut World, &mut Faults) -> Result<T, LocalError>,
    ) -> CloudResult<T> {
        let mut g = lock(&self.inner);
        let mutating = cloud::MUTATING_OPERATIONS.contains(&op);
        g.calls.push(CallRecord {
            operation: op.to_string(),
            region,
            mutating,
        });
        let serving = serving_region(op, region);
        if let Some(outage) = g.faults.outage_at(serving, g.world.now) {
            return Err(outage.into_cloud(api, serving));
        }
        let settled = g.settle();
        let inner = &mut *g;
        let mut result = f(&mut inner.world, &mut inner.faults);
        if let Some(i) = inner.faults.retry_after_loss.iter().position(|o| o == op) {
            inner.faults.retry_after_loss.remove(i);
            // The first answer never arrives; the SDK sends the same request again at once
            // (its backoff is well under a second, which the virtual clock does not show).
            result = f(&mut inner.world, &mut inner.faults);
        }
        if mutating || settled {
            g.save().map_err(|e| e.into_cloud(api))?;
        }
        let drop_at = g
            .faults
            .drop
            .iter()
            .position(|d| d.as_deref().is_none_or(|o| o == op));
        if let Some(i) = drop_at {
            g.faults.drop.remove(i);
            if result.is_ok() {
                return Err(CloudError::other(
                    api,
                    "connection reset before the answer arrived: the request was applied, its answer lost (simulated)",
                ));
            }
        }
        result.map_err(|e| e.into_cloud(api))
    }
}

mod convert;
mod port;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_file_of_the_previous_format_is_refused_by_version() {
        // Format 1 kept Route 53 records with its own field names (`values`), which format 2
        // cannot parse: the version must be checked before the rest is read.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let old = serde_json::json!({
            "version": 1,
            "records": {"Z1": [{"name": "a.example.com.", "record_type": "A", "values": ["192.0.2.1"]}]}
        });
        std::fs::write(&path, old.to_string()).unwrap();
        let Err(e) = LocalCloud::open(&path) else {
            panic!("a format-1 state file was accepted");
        };
        let msg = e.to_string();
        assert!(
            msg.contains(&format!(
                "written by state format 1 but this drkit reads format {}",
                state::STATE_VERSION
            )),
            "{msg}"
        );
    }
}
