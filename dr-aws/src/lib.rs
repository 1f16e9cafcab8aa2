//! The `aws` backend: the [`Cloud`] port over the AWS SDK for Rust.
//!
//! Credentials and settings come from aws-config's standard chain (environment, shared
//! config and credentials files, SSO, IMDS…), optionally for a named profile. Each operation
//! goes to the Region it is given: clients are created per Region on first use and kept. An
//! endpoint URL override (for emulators such as moto or LocalStack) applies to every service.
//! Retries are the SDK's standard ones (3 attempts with backoff, for throttling, transient and
//! 5xx errors); what is left after them becomes a [`CloudError`](dr_core::cloud::CloudError)
//! of the kind callers match on.
//!
//! This is the only drkit crate that links the AWS SDK, and no SDK type leaves it: conversions
//! to and from the port's types are in the per-service modules.

mod cfn;
mod convert;
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
    CreateChangeSetInput, Datapoint, DbCluster, Dimension, GlobalCluster, HealthCheck,
    HealthCheckStatus, HealthCheckUpdate, MetricDatum, MetricQuery, RecordChange,
    ResourceRecordSet, SsmParameter, StackDescription, StackEvent, StackResource, TargetHealth,
    Timestamp,
};

/// How to reach AWS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    /// A named profile of the shared config files (`--profile`); `None` = the default chain
    /// (`AWS_PROFILE`, then `default`).
    pub profile: Option<String>,
    /// Send every call to this URL instead of AWS (`--endpoint-url`), e.g. a moto server at
    /// `http://127.0.0.1:5000`. Regions are then used for signing only, and credentials come
    /// from the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`; an emulator accepts
    /// any values) or the shared files, never from instance or container metadata.
    pub endpoint_url: Option<String>,
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
}

impl Clients {
    /// Every service client of `region`, from the shared configuration.
    fn new(base: &SdkConfig, region: Region, path_style_s3: bool) -> Self {
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
        }
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
            .region(aws_config::Region::new(region.code()));
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

    async fn execute_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<()> {
        cfn::execute_change_set(&*self.clients(region).await, region, stack_name, change_set).await
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

    async fn delete_stack(&self, region: Region, stack_name: &str) -> CloudResult<()> {
        cfn::delete_stack(&*self.clients(region).await, region, stack_name).await
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
}
