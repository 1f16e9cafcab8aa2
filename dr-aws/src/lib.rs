//! The `aws` backend: the [`Cloud`] port over the AWS SDK for Rust.
//!
//! Credentials and settings come from aws-config's standard chain (environment, shared
//! config and credentials files, SSO, IMDS…), optionally for a named profile. Each operation
//! goes to the Region it is given: clients are created per Region on first use and kept. An
//! endpoint URL override (for emulators such as moto or LocalStack) applies to every service.
//!
//! **Retries** are the SDK's standard ones: 3 attempts with exponential backoff, for
//! throttling, HTTP 500/502/503/504, I/O errors and timeouts. What is left after them becomes a
//! [`CloudError`](dr_core::cloud::CloudError) of the kind callers match on.
//!
//! **Timeouts** ([`AwsTimeouts`], chosen in its documentation): a 3.1 s connect timeout (the
//! SDK's own default, the only one aws-config sets), a 30 s limit on each attempt and a 100 s
//! limit on a call with all its retries, so a Region that accepts connections but never
//! answers fails the call instead of hanging the deploy.
//!
//! **A Region not answering** ([`CloudError::is_region_outage`](dr_core::cloud::CloudError::is_region_outage))
//! is, after the retries: a connection that fails or times out, an attempt or operation
//! timeout (`RegionUnavailable`), or an AWS server error, HTTP 500/502/503/504 (`ServerError`).
//! Any 4xx is the Region answering. Expired credentials are their own kind
//! (`CredentialsExpired`), with the way to renew them in the message.
//!
//! This is the only drkit crate that links the AWS SDK, and no SDK type leaves it: conversions
//! to and from the port's types are in the per-service modules.

mod cfn;
mod convert;
mod dns;
mod elbv2;
mod error;
mod monitoring;
mod rds;
mod route53;
mod support;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
use dr_core::Region;
use dr_core::cloud::{
    CallerIdentity, ChangeInfo, ChangeSetDescription, ChangeSetRef, Cloud, CloudResult,
    CreateChangeSetInput, Datapoint, DbCluster, DbClusterSnapshot, DeleteStackInput, Dimension,
    DnsAnswer, ExecuteChangeSetInput, GlobalCluster, HealthCheck, HealthCheckStatus,
    HealthCheckUpdate, LoadBalancerAttributes, MetricAlarm, MetricDatum, MetricQuery,
    ObjectVersion, RdsEvent, RecordChange, ResourceRecordSet, SsmParameter, StackDescription,
    StackEvent, StackResource, TargetHealth, Timestamp,
};

/// How to reach AWS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    /// How long a connection, an attempt and a call with its retries may take
    /// ([`AwsTimeouts::default`] unless a test shortens them).
    pub timeouts: AwsTimeouts,
    /// A named profile of the shared config files (`--profile`); `None` = the default chain
    /// (`AWS_PROFILE`, then `default`).
    pub profile: Option<String>,
    /// Send every call to this URL instead of AWS (`--endpoint-url`), e.g. a moto server at
    /// `http://127.0.0.1:5000`. Regions are then used for signing only, and credentials come
    /// from the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`; an emulator accepts
    /// any values) or the shared files, never from instance or container metadata.
    pub endpoint_url: Option<String>,
}

/// The limits on one SDK call, set on every client (aws-config `TimeoutConfig`). A limit that is
/// hit surfaces as `SdkError::TimeoutError` (an attempt or the whole operation: aws-smithy-runtime
/// `client/orchestrator.rs`, `client/timeout.rs`) or as a `DispatchFailure` whose connector error
/// is a timeout (the connect timeout: aws-smithy-http-client `client.rs`,
/// `to_connector_error`); both become `RegionUnavailable`. A timed-out attempt is retried like
/// any transient error (aws-smithy-runtime `client/retries/classifiers.rs`,
/// `TransientErrorClassifier`).
///
/// Why these values ([`Default`]):
/// - `connect` 3.1 s: the SDK's own default (aws-config `default_provider/timeout_config.rs`,
///   `SDK_DEFAULT_CONNECT_TIMEOUT`), kept because setting a `TimeoutConfig` must not lose it. A
///   TCP and TLS handshake with a Region's endpoint takes well under a second when it answers.
/// - `attempt` 30 s: the largest request drkit sends is a template of up to 1 MB, uploaded with
///   `PutObject` for `CreateChangeSet`'s `TemplateURL` (a body in the request itself is at most
///   51,200 bytes: "CloudFormation quotas",
///   <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>),
///   about 8 s at 1 Mbit/s, and the largest answers (`GetTemplate`, a page of events or changes)
///   are no bigger. 30 s leaves more than three times that, while a Region that accepts
///   connections and never answers costs 30 s per attempt rather than forever.
/// - `operation` 100 s: the SDK's standard retries make 3 attempts with backoffs of at most 1 s
///   and 2 s (initial backoff 1 s, doubling, times a random factor below 1: aws-smithy-runtime
///   `client/retries/strategy/standard.rs`), so 3 x 30 s + 3 s fits, and a call returns within
///   100 s whatever the retry settings of the environment (`AWS_MAX_ATTEMPTS`) say. A wait polls
///   every 10 s or less and treats `RegionUnavailable` as "look again", so a hung poll delays it
///   by at most this much.
/// - No read timeout (time to the first byte of the answer, aws-smithy-types
///   `timeout::TimeoutConfigBuilder::read_timeout`): the first byte comes only after the whole
///   request is sent, so a shorter read timeout would cut a slow 1 MB upload, and one as long as
///   the attempt timeout adds nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsTimeouts {
    /// Time to establish a connection (TCP and TLS).
    pub connect: Duration,
    /// Time for one attempt: connect, send, and read the whole answer.
    pub attempt: Duration,
    /// Time for the whole call, every retry and backoff included.
    pub operation: Duration,
}

impl Default for AwsTimeouts {
    fn default() -> Self {
        AwsTimeouts {
            connect: Duration::from_millis(3100),
            attempt: Duration::from_secs(30),
            operation: Duration::from_secs(100),
        }
    }
}

impl AwsTimeouts {
    fn to_sdk(self) -> aws_config::timeout::TimeoutConfig {
        aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }
}

/// The [`Cloud`] port over the AWS SDK.
///
/// Cheap to clone (the clients are shared). Creating it does no I/O: the configuration is
/// loaded on the first call, so a wrong profile shows up as that call's error.
#[derive(Clone)]
pub struct AwsCloud {
    inner: Arc<Inner>,
}

struct Inner {
    options: AwsOptions,
    /// Static credentials that replace the standard chain (for emulators and tests).
    static_credentials: Option<(String, String)>,
    /// The shared SDK configuration, loaded once with the first Region asked for.
    base: tokio::sync::OnceCell<SdkConfig>,
    /// One set of clients per Region, created on first use.
    clients: Mutex<HashMap<Region, Arc<Clients>>>,
}

impl fmt::Debug for AwsCloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCloud")
            .field("options", &self.inner.options)
            .field(
                "static_credentials",
                &self.inner.static_credentials.is_some(),
            )
            .finish_non_exhaustive()
    }
}

/// The SDK clients of one Region.
#[derive(Clone, Debug)]
pub(crate) struct Clients {
    pub cfn: aws_sdk_cloudformation::Client,
    pub rds: aws_sdk_rds::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub route53: aws_sdk_route53::Client,
    pub ssm: aws_sdk_ssm::Client,
    pub sts: aws_sdk_sts::Client,
    pub s3: aws_sdk_s3::Client,
    /// The named profile (`--profile`), for the hint of a credentials error.
    pub profile: Option<String>,
}

impl Clients {
    /// Every service client of `region`, from the shared configuration.
    fn new(base: &SdkConfig, region: Region, path_style_s3: bool, profile: Option<String>) -> Self {
        let r = aws_config::Region::new(region.code());
        Clients {
            cfn: aws_sdk_cloudformation::Client::from_conf(
                aws_sdk_cloudformation::config::Builder::from(base)
                    .region(r.clone())
                    .build(),
            ),
            rds: aws_sdk_rds::Client::from_conf(
                aws_sdk_rds::config::Builder::from(base)
                    .region(r.clone())
                    .build(),
            ),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(
                aws_sdk_cloudwatch::config::Builder::from(base)
                    .region(r.clone())
                    .build(),
            ),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::from_conf(
                aws_sdk_elasticloadbalancingv2::config::Builder::from(base)
                    .region(r.clone())
                    .build(),
            ),
            // Route 53 is global: the SDK sends it to route53.amazonaws.com whatever the Region
            // (signing in us-east-1); the Region still matters for an endpoint override.
            route53: aws_sdk_route53::Client::from_conf(
                aws_sdk_route53::config::Builder::from(base)
                    .region(r.clone())
                    .build(),
            ),
            ssm: aws_sdk_ssm::Client::from_conf(
                aws_sdk_ssm::config::Builder::from(base)
                    .region(r.clone())
                    .build(),
            ),
            sts: aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::config::Builder::from(base)
                    .region(r.clone())
                    .build(),
            ),
            // An emulator on 127.0.0.1 has no DNS for `<bucket>.127.0.0.1`, so buckets go in the
            // path there.
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(base)
                    .region(r)
                    .force_path_style(path_style_s3)
                    .build(),
            ),
            profile,
        }
    }

    /// A [`Call`](error::Call) of `op` in `region` about `resource`, whose credentials errors
    /// name this backend's profile.
    pub(crate) fn call<'a>(
        &'a self,
        op: &'static str,
        region: Region,
        resource: &'a str,
    ) -> error::Call<'a> {
        error::Call::new(op, region, resource).with_profile(self.profile.as_deref())
    }
}

impl AwsCloud {
    /// A backend using aws-config's standard chain with `options`.
    pub fn new(options: AwsOptions) -> Self {
        AwsCloud {
            inner: Arc::new(Inner {
                options,
                static_credentials: None,
                base: tokio::sync::OnceCell::new(),
                clients: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The same backend with fixed credentials instead of the standard credential chain, for
    /// emulators (moto accepts any key) and tests, so that nothing reads real credentials.
    pub fn with_static_credentials(
        options: AwsOptions,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        AwsCloud {
            inner: Arc::new(Inner {
                options,
                static_credentials: Some((access_key_id.into(), secret_access_key.into())),
                base: tokio::sync::OnceCell::new(),
                clients: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The options this backend was created with.
    pub fn options(&self) -> &AwsOptions {
        &self.inner.options
    }

    /// A warning to show before a deploy when the credentials the SDK will use cannot last
    /// through it: session credentials from the environment, which the SDK cannot refresh,
    /// during a deploy that may wait over an hour; or a profile that the environment's keys
    /// override. `None` with static credentials (tests, emulators) or an endpoint override (an
    /// emulator does not expire credentials). Reads the process environment.
    pub fn credential_warning(&self) -> Option<String> {
        let o = &self.inner.options;
        if self.inner.static_credentials.is_some() || o.endpoint_url.is_some() {
            return None;
        }
        environment_credential_warning(&|k| std::env::var(k).ok(), o.profile.as_deref())
    }

    /// A backend whose clients for `region` are given (SDK clients built by a test, e.g. with
    /// aws-smithy-mocks); other Regions are not reachable.
    #[cfg(test)]
    pub(crate) fn with_clients(region: Region, clients: Clients) -> Self {
        let cloud = AwsCloud::new(AwsOptions::default());
        cloud
            .inner
            .clients
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(region, Arc::new(clients));
        cloud
    }

    /// The clients of `region`, created on first use.
    pub(crate) async fn clients(&self, region: Region) -> Arc<Clients> {
        if let Some(c) = self.cached(region) {
            return c;
        }
        let base = self
            .inner
            .base
            .get_or_init(|| self.load_config(region))
            .await;
        let made = Arc::new(Clients::new(
            base,
            region,
            self.inner.options.endpoint_url.is_some(),
            self.inner.options.profile.clone(),
        ));
        let mut map = self.inner.clients.lock().unwrap_or_else(|p| p.into_inner());
        // Two first calls in one Region may race here; the first one kept wins.
        map.entry(region).or_insert(made).clone()
    }

    fn cached(&self, region: Region) -> Option<Arc<Clients>> {
        self.inner
            .clients
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&region)
            .cloned()
    }

    /// Loads the shared configuration. The Region given is the one of the first call: every
    /// client sets its own, but the loader needs one so that it does not probe for a default
    /// (IMDS) and so that profile-based credentials (assume-role, SSO) call a real STS Region.
    async fn load_config(&self, region: Region) -> SdkConfig {
        let opts = &self.inner.options;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new(region.code()))
            .timeout_config(opts.timeouts.to_sdk());
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(url) = &opts.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some((key, secret)) = &self.inner.static_credentials {
            loader = loader.credentials_provider(aws_sdk_sts::config::Credentials::new(
                key.clone(),
                secret.clone(),
                None,
                None,
                "drkit-static",
            ));
        } else if opts.endpoint_url.is_some() {
            // An emulator: credentials from the environment or the shared files only. The rest
            // of the standard chain (container and instance metadata) would probe link-local
            // addresses such as 169.254.169.254 that an emulator never needs.
            let mut profile = aws_config::profile::ProfileFileCredentialsProvider::builder();
            if let Some(p) = &opts.profile {
                profile = profile.profile_name(p);
            }
            loader = loader.credentials_provider(
                aws_config::meta::credentials::CredentialsProviderChain::first_try(
                    "Environment",
                    aws_config::environment::credentials::EnvironmentVariableCredentialsProvider::new(),
                )
                .or_else("Profile", profile.build()),
            );
        }
        loader.load().await
    }
}

/// What [`AwsCloud::credential_warning`] says, from the environment as `env` reads it and the
/// profile given with `--profile`.
///
/// aws-config's default chain asks the environment first (`AWS_ACCESS_KEY_ID` with
/// `AWS_SECRET_ACCESS_KEY`, or its fallback `SECRET_ACCESS_KEY`, and optionally
/// `AWS_SESSION_TOKEN`; blank values count as unset), then the profile, whether the profile was
/// named explicitly or not (aws-config `default_provider/credentials.rs`,
/// `DefaultCredentialsChain::build`: `first_try("Environment", ..).or_else("Profile", ..)`;
/// `environment/credentials.rs`). So keys in the environment win over `--profile`, and
/// session credentials from there are used until they expire: nothing can refresh them in a
/// running process, whereas the SDK refreshes an SSO or assume-role profile's credentials itself.
pub(crate) fn environment_credential_warning(
    env: &dyn Fn(&str) -> Option<String>,
    profile: Option<&str>,
) -> Option<String> {
    let set = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let keys = set("AWS_ACCESS_KEY_ID").is_some()
        && (set("AWS_SECRET_ACCESS_KEY").is_some() || set("SECRET_ACCESS_KEY").is_some());
    if !keys {
        return None;
    }
    let profile = profile
        .map(|p| format!("--profile {p}"))
        .or_else(|| set("AWS_PROFILE").map(|p| format!("AWS_PROFILE={p}")));
    let ignored = profile
        .as_deref()
        .map(|p| format!(", so {p} is not used for credentials,"))
        .unwrap_or_default();
    if set("AWS_SESSION_TOKEN").is_some() {
        Some(format!(
            "AWS_ACCESS_KEY_ID and AWS_SESSION_TOKEN are set: the AWS SDK uses these session \
             credentials before any profile{ignored} and cannot refresh them, so a deploy that \
             waits over an hour (an Aurora secondary Region, an EKS cluster) fails once they \
             expire. Use a profile whose credentials the SDK refreshes (IAM Identity Center/SSO \
             or assume-role): unset AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and \
             AWS_SESSION_TOKEN and pass --profile or set AWS_PROFILE."
        ))
    } else {
        profile.map(|p| {
            format!(
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set: the AWS SDK uses them \
                 before any profile, so {p} is not used for credentials; unset them to use the \
                 profile."
            )
        })
    }
}

#[async_trait::async_trait]
impl Cloud for AwsCloud {
    fn label(&self) -> String {
        let o = &self.inner.options;
        match (&o.profile, &o.endpoint_url) {
            (_, Some(url)) => format!("aws (endpoint {url})"),
            (Some(p), None) => format!("aws (profile {p})"),
            (None, None) => "aws".into(),
        }
    }

    fn now(&self) -> Timestamp {
        Timestamp::now_utc()
    }

    fn is_simulated(&self) -> bool {
        false
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }

    async fn describe_stack(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<StackDescription>> {
        cfn::describe_stack(&*self.clients(region).await, region, stack_name).await
    }

    async fn create_change_set(
        &self,
        region: Region,
        input: CreateChangeSetInput,
    ) -> CloudResult<ChangeSetRef> {
        cfn::create_change_set(&*self.clients(region).await, region, input).await
    }

    async fn describe_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<ChangeSetDescription> {
        cfn::describe_change_set(&*self.clients(region).await, region, stack_name, change_set).await
    }

    async fn execute_change_set_with(
        &self,
        region: Region,
        input: ExecuteChangeSetInput,
    ) -> CloudResult<()> {
        cfn::execute_change_set(&*self.clients(region).await, region, input).await
    }

    async fn delete_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<()> {
        cfn::delete_change_set(&*self.clients(region).await, region, stack_name, change_set).await
    }

    async fn describe_stack_events(
        &self,
        region: Region,
        stack_name: &str,
        stop_at: Option<&str>,
    ) -> CloudResult<Vec<StackEvent>> {
        cfn::describe_stack_events(&*self.clients(region).await, region, stack_name, stop_at).await
    }

    async fn describe_newest_stack_event(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<StackEvent>> {
        cfn::describe_newest_stack_event(&*self.clients(region).await, region, stack_name).await
    }

    async fn describe_stack_resources(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Vec<StackResource>> {
        cfn::describe_stack_resources(&*self.clients(region).await, region, stack_name).await
    }

    async fn get_template(&self, region: Region, stack_name: &str) -> CloudResult<String> {
        cfn::get_template(&*self.clients(region).await, region, stack_name).await
    }

    async fn set_stack_policy(
        &self,
        region: Region,
        stack_name: &str,
        policy_body: &str,
    ) -> CloudResult<()> {
        cfn::set_stack_policy(
            &*self.clients(region).await,
            region,
            stack_name,
            policy_body,
        )
        .await
    }

    async fn get_stack_policy(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<String>> {
        cfn::get_stack_policy(&*self.clients(region).await, region, stack_name).await
    }

    async fn update_termination_protection(
        &self,
        region: Region,
        stack_name: &str,
        enabled: bool,
    ) -> CloudResult<()> {
        cfn::update_termination_protection(
            &*self.clients(region).await,
            region,
            stack_name,
            enabled,
        )
        .await
    }

    async fn delete_stack_with(&self, region: Region, input: DeleteStackInput) -> CloudResult<()> {
        cfn::delete_stack(&*self.clients(region).await, region, input).await
    }

    async fn describe_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
    ) -> CloudResult<Option<GlobalCluster>> {
        rds::describe_global_cluster(&*self.clients(region).await, region, global_cluster_id).await
    }

    async fn describe_db_cluster(
        &self,
        region: Region,
        db_cluster_id: &str,
    ) -> CloudResult<Option<DbCluster>> {
        rds::describe_db_cluster(&*self.clients(region).await, region, db_cluster_id).await
    }

    async fn describe_db_clusters(&self, region: Region) -> CloudResult<Vec<DbCluster>> {
        rds::describe_db_clusters(&*self.clients(region).await, region).await
    }

    async fn switchover_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        target_db_cluster_arn: &str,
    ) -> CloudResult<GlobalCluster> {
        rds::switchover_global_cluster(
            &*self.clients(region).await,
            region,
            global_cluster_id,
            target_db_cluster_arn,
        )
        .await
    }

    async fn failover_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        target_db_cluster_arn: &str,
        allow_data_loss: bool,
    ) -> CloudResult<GlobalCluster> {
        rds::failover_global_cluster(
            &*self.clients(region).await,
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
        rds::modify_db_cluster_deletion_protection(
            &*self.clients(region).await,
            region,
            db_cluster_id,
            enabled,
        )
        .await
    }

    async fn modify_global_cluster_deletion_protection(
        &self,
        region: Region,
        global_cluster_id: &str,
        enabled: bool,
    ) -> CloudResult<GlobalCluster> {
        rds::modify_global_cluster_deletion_protection(
            &*self.clients(region).await,
            region,
            global_cluster_id,
            enabled,
        )
        .await
    }

    async fn remove_from_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        db_cluster_arn: &str,
    ) -> CloudResult<GlobalCluster> {
        rds::remove_from_global_cluster(
            &*self.clients(region).await,
            region,
            global_cluster_id,
            db_cluster_arn,
        )
        .await
    }

    async fn describe_cluster_events(
        &self,
        region: Region,
        db_cluster_id: &str,
        start: Timestamp,
    ) -> CloudResult<Vec<RdsEvent>> {
        rds::describe_events(
            &*self.clients(region).await,
            region,
            rds::EventSource::Cluster(db_cluster_id),
            start,
        )
        .await
    }

    async fn describe_instance_events(
        &self,
        region: Region,
        db_instance_id: &str,
        start: Timestamp,
    ) -> CloudResult<Vec<RdsEvent>> {
        rds::describe_events(
            &*self.clients(region).await,
            region,
            rds::EventSource::Instance(db_instance_id),
            start,
        )
        .await
    }

    async fn describe_db_cluster_snapshots(
        &self,
        region: Region,
        db_cluster_id: &str,
    ) -> CloudResult<Vec<DbClusterSnapshot>> {
        rds::describe_db_cluster_snapshots(&*self.clients(region).await, region, db_cluster_id)
            .await
    }

    async fn describe_alarms(
        &self,
        region: Region,
        alarm_names: &[String],
    ) -> CloudResult<Vec<MetricAlarm>> {
        monitoring::describe_alarms(&*self.clients(region).await, region, alarm_names).await
    }

    async fn get_metric_statistics(
        &self,
        region: Region,
        query: MetricQuery,
    ) -> CloudResult<Vec<Datapoint>> {
        monitoring::get_metric_statistics(&*self.clients(region).await, region, query).await
    }

    async fn list_metric_dimensions(
        &self,
        region: Region,
        namespace: &str,
        metric_name: &str,
    ) -> CloudResult<Vec<Vec<Dimension>>> {
        monitoring::list_metric_dimensions(
            &*self.clients(region).await,
            region,
            namespace,
            metric_name,
        )
        .await
    }

    async fn put_metric_data(
        &self,
        region: Region,
        namespace: &str,
        data: Vec<MetricDatum>,
    ) -> CloudResult<()> {
        monitoring::put_metric_data(&*self.clients(region).await, region, namespace, data).await
    }

    async fn describe_target_health(
        &self,
        region: Region,
        target_group_arn: &str,
    ) -> CloudResult<Vec<TargetHealth>> {
        monitoring::describe_target_health(&*self.clients(region).await, region, target_group_arn)
            .await
    }

    async fn describe_load_balancer_attributes(
        &self,
        region: Region,
        load_balancer_arn: &str,
    ) -> CloudResult<LoadBalancerAttributes> {
        elbv2::describe_load_balancer_attributes(
            &*self.clients(region).await,
            region,
            load_balancer_arn,
        )
        .await
    }

    async fn modify_load_balancer_attributes(
        &self,
        region: Region,
        load_balancer_arn: &str,
        attributes: Vec<(String, String)>,
    ) -> CloudResult<LoadBalancerAttributes> {
        elbv2::modify_load_balancer_attributes(
            &*self.clients(region).await,
            region,
            load_balancer_arn,
            attributes,
        )
        .await
    }

    async fn get_health_check(
        &self,
        region: Region,
        health_check_id: &str,
    ) -> CloudResult<HealthCheck> {
        route53::get_health_check(&*self.clients(region).await, health_check_id).await
    }

    async fn get_health_check_status(
        &self,
        region: Region,
        health_check_id: &str,
    ) -> CloudResult<HealthCheckStatus> {
        route53::get_health_check_status(&*self.clients(region).await, health_check_id).await
    }

    async fn update_health_check(
        &self,
        region: Region,
        health_check_id: &str,
        update: HealthCheckUpdate,
    ) -> CloudResult<HealthCheck> {
        route53::update_health_check(&*self.clients(region).await, health_check_id, update).await
    }

    async fn list_resource_record_sets(
        &self,
        region: Region,
        hosted_zone_id: &str,
    ) -> CloudResult<Vec<ResourceRecordSet>> {
        route53::list_resource_record_sets(&*self.clients(region).await, hosted_zone_id).await
    }

    async fn change_resource_record_sets(
        &self,
        region: Region,
        hosted_zone_id: &str,
        changes: Vec<RecordChange>,
        comment: Option<String>,
    ) -> CloudResult<ChangeInfo> {
        route53::change_resource_record_sets(
            &*self.clients(region).await,
            hosted_zone_id,
            changes,
            comment,
        )
        .await
    }

    async fn get_change(&self, region: Region, change_id: &str) -> CloudResult<ChangeInfo> {
        route53::get_change(&*self.clients(region).await, change_id).await
    }

    async fn test_dns_answer(
        &self,
        region: Region,
        hosted_zone_id: &str,
        record_name: &str,
        record_type: &str,
    ) -> CloudResult<DnsAnswer> {
        route53::test_dns_answer(
            &*self.clients(region).await,
            hosted_zone_id,
            record_name,
            record_type,
        )
        .await
    }

    async fn resolve_addresses(&self, name: &str) -> CloudResult<Vec<String>> {
        dns::resolve_addresses(name).await
    }

    async fn get_parameter(&self, region: Region, name: &str) -> CloudResult<SsmParameter> {
        support::get_parameter(&*self.clients(region).await, region, name).await
    }

    async fn get_caller_identity(&self, region: Region) -> CloudResult<CallerIdentity> {
        support::get_caller_identity(&*self.clients(region).await, region).await
    }

    async fn put_object(
        &self,
        region: Region,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> CloudResult<String> {
        support::put_object(
            &*self.clients(region).await,
            region,
            self.inner.options.endpoint_url.as_deref(),
            bucket,
            key,
            body,
        )
        .await
    }

    async fn list_object_versions(
        &self,
        region: Region,
        bucket: &str,
    ) -> CloudResult<Vec<ObjectVersion>> {
        support::list_object_versions(&*self.clients(region).await, region, bucket).await
    }

    async fn delete_objects(
        &self,
        region: Region,
        bucket: &str,
        objects: Vec<ObjectVersion>,
    ) -> CloudResult<()> {
        support::delete_objects(&*self.clients(region).await, region, bucket, objects).await
    }
}
