//! `DrPair`: both Regions of a DR deployment from one definition, so the DR site is built like
//! the primary, with the Aurora global database, DNS failover and its traffic switch,
//! inter-Region peering and the generic database CNAME.
//!
//! ```no_run
//! use dr_aws_constructs::*;
//! use dr_core::{App, Region};
//!
//! let app = App::new("shop");
//! let props = DrPairProps::builder()
//!     .primary(Site::new(Region::UsEast2, ["us-east-2a", "us-east-2b", "us-east-2c"]))
//!     .secondary(Site::new(Region::UsWest2, ["us-west-2a", "us-west-2b", "us-west-2c"]))
//!     .domain("shop.example.com")
//!     .hosted_zone(HostedZoneRef::create("shop.example.com"))
//!     .build();
//! DrPair::new(&app, "Shop", props, |site| {
//!     let vpc = Vpc::new(site.network(), "Network", VpcProps::builder()
//!         .cidr(site.pick("10.10.0.0/16", "10.20.0.0/16"))
//!         .azs(site.azs())
//!         .build());
//!     let fleet = Ec2Fleet::new(site, "Grafana", Ec2FleetProps::builder().vpc(&vpc).build());
//!     let alb = Alb::new(site, "Lb", AlbProps::builder().vpc(&vpc).targets(fleet.app_target()).build());
//!     site.serve(&alb);
//!     site.database(&vpc, &[fleet.security_group_id()]);
//! });
//! ```
//!
//! Stacks, for a pair with id `Shop` (no cycles; each line deploys after the lines it names).
//! They are laid out for the first deploy's critical path: Aurora (about 16 minutes for the
//! primary cluster, then 25 for the secondary) starts as soon as the network exists, beside
//! the compute, not after it.
//! - `Shop-Primary-Network` / `Shop-Secondary-Network`: what the closure creates under
//!   [`SiteScope::network`] (the VPC), the database's security group, the pair's KMS key of
//!   that Region ([`SiteScope::pair_key_arn`]) and its alarm topic, which every later stack of
//!   either Region can use;
//! - `Shop-Primary` / `Shop-Secondary` (after their network): the rest of the site the closure
//!   builds (fleet, load balancer, EKS), and the rules admitting its database clients;
//! - `Shop-Primary-Data` (after both networks, beside the sites): KMS key of the storage,
//!   master secret and the application secrets ([`SiteScope::app_secret`]) on the primary's
//!   pair key, replicated to the DR Region on the DR site's pair key, the global cluster and
//!   the primary cluster;
//! - `Shop-Secondary-Data` (after `Shop-Secondary-Network` and `Shop-Primary-Data`): KMS key of
//!   the DR Region and the secondary cluster;
//! - `Shop-Primary-Peering` (after both networks): the peering request and the primary's
//!   routes; `Shop-Secondary-Peering` (after it): the DR side's routes;
//! - `Shop-Global`, in the DR Region so that it stays manageable during a primary-Region
//!   outage (after both networks, both sites and `Shop-Primary-Data`, beside the secondary
//!   cluster): failover records, health checks, the traffic-switch alarm, the private zone
//!   and the database CNAME.
//!
//! The database tier lives in the data stacks and takes the network's subnets, the
//! database's security group and the pair keys as parameters; it never waits for a site
//! stack, and the site never references the data stacks (applications find the database by
//! the CNAME and the secrets by their names, literals both), so there is no cycle.
//!
//! Applications connect as the database's master user with the master secret
//! ([`SiteScope::grant_database_secret`]). To give an application a user of its own: IAM
//! database authentication is on (`RdsClusterProps::iam_authentication`), so create a user
//! identified by the `AWSAuthenticationPlugin` (MySQL) or granted `rds_iam` (PostgreSQL) and
//! allow the instance role `rds-db:connect` on
//! `arn:aws:rds-db:<region>:<account>:dbuser:<cluster resource id>/<user>` ("Creating and
//! using an IAM policy for IAM database access",
//! <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html>);
//! or keep its password in a secret of its own ([`SiteScope::app_secret`]) and `CREATE USER`
//! with it once, as the master user.

mod checks;
mod parity;
mod topology;

use dr_core::diagnostics::codes;
use std::cell::RefCell;
use std::rc::Rc;

use dr_core::facts::rds::AuroraEngine;
use dr_core::{
    CfnResource, DeletionPolicy, Expr, Lookup, LookupKind, Output, Region, Scope, Stack,
    StackProps, Token, Val,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::alb::Alb;
use crate::common::{SummaryRow, account_key_policy, val};
use crate::dns::{
    AlbEndpoint, FailoverDns, FailoverDnsProps, HostedZoneRef, PrivateZone, TrafficSwitchProps,
    ZoneVpcRef,
};
use crate::ec2_fleet::Ec2Fleet;
use crate::l1::Tag;
use crate::l1::ec2::CfnSecurityGroup;
use crate::l1::iam::CfnPolicy;
use crate::l1::kms::{CfnAlias, CfnKey};
use crate::l1::secretsmanager::CfnSecret;
use crate::l1::secretsmanager::secret::{GenerateSecretString, ReplicaRegion};
use crate::notifications::{AlarmTopic, AlarmTopicProps};
use crate::peering::{PeerVpc, VpcPeering};
use crate::rds::{
    self, DEFAULT_BACKUP_RETENTION_DAYS, DEFAULT_DB_INSTANCE_CLASS, DEFAULT_DB_INSTANCES,
    DEFAULT_MASTER_USERNAME, GlobalDatabase, GlobalDatabaseProps, RdsCluster, RdsClusterProps,
    SecretReplica,
};
use crate::validate;
use crate::vpc::Vpc;

/// Metadata key declaring an intended difference between the two sites: put it on a
/// construct (value: the reason, a string) and the parity check skips everything below it.
/// [`SiteScope::allow_difference`] sets it.
pub const PARITY_EXEMPT_KEY: &str = "drkit:parity-exempt";
/// Metadata key of the DR topology on the `DrPair` node (the same string as
/// `dr_synth::synth::DR_TOPOLOGY_KEY`; synthesis copies it into the manifest).
pub const DR_TOPOLOGY_KEY: &str = "drkit:dr-topology";
/// CloudWatch namespace of the traffic-switch metric.
pub const SWITCH_NAMESPACE: &str = "drkit";
/// Name of the traffic-switch metric: 1 = the primary serves, 0 = move traffic to the DR
/// Region.
pub const SWITCH_METRIC: &str = "PrimaryActive";
/// Default TTL of the database CNAME, in seconds. Its value, the global writer endpoint,
/// never changes (the endpoint's own record moves on failover), so the TTL only bounds how long
/// a manual repoint would take; AWS suggests client DNS caches of about 5 s for the endpoint
/// itself ("Connecting to Amazon Aurora Global Database",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html>).
pub const DEFAULT_DB_CNAME_TTL_SECS: u32 = 30;

/// Default [`DrPairProps::max_rpo_lag`]: 30 s. Aurora documents cross-Region lag as "typically
/// under 1 second" ("Using Amazon Aurora Global Database",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html>),
/// so a lag of 30 s means replication is in trouble, not busy; it is also above the smallest RPO
/// Aurora PostgreSQL lets `rds.global_db_rpo` enforce (20 s, "Using switchover or failover in
/// Amazon Aurora Global Database",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html>).
pub const DEFAULT_MAX_RPO_LAG: std::time::Duration = std::time::Duration::from_secs(30);

/// Which side of the pair a site is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SiteRole {
    /// The Region that serves and writes normally.
    Primary,
    /// The DR Region.
    Secondary,
}

impl SiteRole {
    fn name(self) -> &'static str {
        match self {
            SiteRole::Primary => "Primary",
            SiteRole::Secondary => "Secondary",
        }
    }
    fn index(self) -> usize {
        match self {
            SiteRole::Primary => 0,
            SiteRole::Secondary => 1,
        }
    }
}

/// A site: a Region and the Availability Zones used there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The Region.
    pub region: Region,
    /// The AZ names, e.g. `us-east-2a`; each must be a zone of [`region`](Self::region).
    pub azs: Vec<String>,
}

impl Site {
    /// A site in `region` using `azs`.
    pub fn new<S: Into<String>>(region: Region, azs: impl IntoIterator<Item = S>) -> Site {
        Site {
            region,
            azs: azs.into_iter().map(Into::into).collect(),
        }
    }
    /// A site in `region` using its first `count` zones.
    pub fn first_azs(region: Region, count: usize) -> Site {
        Site::new(region, region.az_names().iter().take(count).copied())
    }
}

/// The Aurora global database of the pair: one configuration for both clusters, so the engine
/// version (patch level included) and the class always match. Build with
/// `DatabaseProps::builder().database_name("app").build()`.
#[derive(Debug, Clone, PartialEq, Eq, bon::Builder)]
#[builder(on(String, into), on(_, setters(doc(default(skip)))))]
pub struct DatabaseProps {
    /// The engine. Default: [`AuroraEngine::MySql`].
    #[builder(default = AuroraEngine::MySql)]
    pub engine: AuroraEngine,
    /// The engine version, patch level included. Default: the engine's
    /// ([`AuroraEngine::default_version`]).
    pub engine_version: Option<String>,
    /// The DB instance class of every instance in both Regions; a global database accepts no
    /// burstable class. Default: [`DEFAULT_DB_INSTANCE_CLASS`].
    #[builder(default = DEFAULT_DB_INSTANCE_CLASS)]
    pub instance_class: String,
    /// Instances per cluster, 1 to 16: one writer (or, in the DR Region, a reader ready for
    /// promotion) and the rest readers. Default: [`DEFAULT_DB_INSTANCES`].
    #[builder(default = DEFAULT_DB_INSTANCES)]
    pub instances_per_site: u32,
    /// The database created in the primary cluster. Default: none.
    pub database_name: Option<String>,
    /// The master user name. Default: [`DEFAULT_MASTER_USERNAME`].
    #[builder(default = DEFAULT_MASTER_USERNAME)]
    pub master_username: String,
    /// Days of automated backups, 1 to 35. Default: [`DEFAULT_BACKUP_RETENTION_DAYS`].
    #[builder(default = DEFAULT_BACKUP_RETENTION_DAYS)]
    pub backup_retention_days: u32,
    /// Deletion protection on the clusters and the global cluster. Default: on.
    #[builder(default = true)]
    pub deletion_protection: bool,
}

/// Settings of a [`DrPair`]: `DrPairProps::builder().primary(…).secondary(…).domain(…)
/// .hosted_zone(…).build()`; `build()` does not compile until the four are set.
#[derive(Debug, Clone, bon::Builder)]
#[builder(on(String, into), on(_, setters(doc(default(skip)))))]
pub struct DrPairProps {
    /// The primary site: its Region serves and writes normally. Required.
    pub primary: Site,
    /// The DR site, in another Region. Required.
    pub secondary: Site,
    /// The name users reach the app by, e.g. `shop.example.com`. Required.
    pub domain: String,
    /// The public hosted zone of the failover records: [`HostedZoneRef::existing`] or
    /// [`HostedZoneRef::create`]. Required.
    pub hosted_zone: HostedZoneRef,
    /// The private zone of the database CNAME (`db.<zone>`), attached to both VPCs. Default:
    /// `<pair id in lower case>.internal`.
    pub internal_zone: Option<String>,
    /// The global database. Default: `DatabaseProps::builder().build()`.
    #[builder(default = DatabaseProps::builder().build())]
    pub database: DatabaseProps,
    /// TTL of the database CNAME. Default: [`DEFAULT_DB_CNAME_TTL_SECS`].
    #[builder(default = DEFAULT_DB_CNAME_TTL_SECS)]
    pub db_cname_ttl_secs: u32,
    /// An email address subscribed to the alarm topic of each Region ([`AlarmTopic`]: one
    /// per network stack, encrypted with the pair key, told by every alarm the pair synthesizes,
    /// the traffic switch's among them). SNS sends each Region's subscription a confirmation
    /// link first. Default: none; subscribe your own endpoints to the topics
    /// ([`DrPair::alarm_topic`]).
    pub alarm_email: Option<String>,
    /// The most replication lag the DR site may have and still count as ready: `status`
    /// reports the secondary's `AuroraGlobalDBRPOLag` against it, a planned `failover` refuses
    /// above it, and an unplanned one states the lag last seen as its data-loss window.
    /// Default: [`DEFAULT_MAX_RPO_LAG`].
    #[builder(default = DEFAULT_MAX_RPO_LAG)]
    pub max_rpo_lag: std::time::Duration,
}

/// How applications reach the database, the same in both Regions: a generic host name that
/// follows the writer, and the master secret read by its name in the instance's own Region
/// (the secret is replicated to the DR Region under the same name, so the DR site reads it
/// locally during an outage of the primary Region).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbConnection {
    /// `db.<internal zone>`.
    pub host: String,
    /// The engine's port.
    pub port: u16,
    /// The database name, when one is created.
    pub database_name: Option<String>,
    /// The master secret's name (`<pair>/PrimaryData/Database`), the same in both Regions.
    pub secret_name: String,
}

/// The length of the passwords [`SiteScope::app_secret`] generates: 32 letters and digits
/// (about 190 bits).
pub const APP_SECRET_LENGTH: u32 = 32;

/// A secret of the application that the pair creates once, in `<pair>-Primary-Data`, and
/// replicates to the DR Region under the same name: a generated password of
/// [`APP_SECRET_LENGTH`] letters and digits as the whole secret string (no JSON), encrypted
/// with each Region's pair key. Both sites read the copy of their own Region by
/// [`name`](Self::name) ([`UserData::secret_env`](crate::UserData::secret_env)), after
/// [`SiteScope::grant_app_secret`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSecret {
    id: String,
    name: String,
}

impl AppSecret {
    /// The id given to [`SiteScope::app_secret`], e.g. `GrafanaAdmin`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The secret's name in both Regions: `<pair>/PrimaryData/AppSecrets/<id>`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

#[derive(Debug, Clone)]
struct AlbInfo {
    endpoint: AlbEndpoint,
    load_balancer: CfnResource,
    target_group: Token,
}

#[derive(Debug, Default)]
struct SiteState {
    network: Option<PeerVpc>,
    /// The CIDRs of the private subnets of the VPC handed to `site.database`: the peer's
    /// database admits these, where the applications run.
    private_cidrs: Vec<String>,
    alb: Option<AlbInfo>,
    cluster: Option<RdsCluster>,
    key: Option<CfnResource>,
}

#[derive(Debug, Default)]
struct PairState {
    picks: Vec<parity::Pick>,
    global: Option<GlobalDatabase>,
    sites: [SiteState; 2],
    app_secrets: Vec<AppSecret>,
    /// `<pair>/PrimaryData/AppSecrets`, made with the first app secret.
    app_secrets_scope: Option<Scope>,
}

struct PairContext {
    pair_id: String,
    regions: [Region; 2],
    /// Each site's network stack.
    networks: [Stack; 2],
    /// Each site's pair key (`AWS::KMS::Key` in the network stack).
    pair_keys: [CfnResource; 2],
    azs: [Vec<String>; 2],
    data: [Stack; 2],
    database: DatabaseProps,
    engine_version: String,
    connection: DbConnection,
    max_rpo_lag: std::time::Duration,
}

/// What the site-building closure gets: the site's stack (it derefs to its [`Scope`], so
/// constructs are created with `Vpc::new(site, …)`), its Region and zones, per-site values,
/// and the calls that hand the site's parts to the pair.
pub struct SiteScope {
    stack: Stack,
    role: SiteRole,
    ctx: Rc<PairContext>,
    state: Rc<RefCell<PairState>>,
}

impl std::fmt::Debug for SiteScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SiteScope({:?}, {})", self.role, self.stack.path())
    }
}

impl std::ops::Deref for SiteScope {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.stack
    }
}

impl SiteScope {
    /// The site's Region.
    pub fn region(&self) -> Region {
        self.ctx.regions[self.role.index()]
    }
    /// Primary or secondary.
    pub fn role(&self) -> SiteRole {
        self.role
    }
    /// Whether this is the primary site.
    pub fn is_primary(&self) -> bool {
        self.role == SiteRole::Primary
    }
    /// The site's AZ names, checked against its Region (give them to the VPC). When the site
    /// was given zones of another Region, that is reported once on the pair and the Region's
    /// own first zones are returned, so the rest of the site still builds.
    pub fn azs(&self) -> Vec<String> {
        self.ctx.azs[self.role.index()].clone()
    }
    /// The site's stack.
    pub fn stack(&self) -> &Stack {
        &self.stack
    }
    /// The site's network stack, `<pair>-Primary-Network` or `<pair>-Secondary-Network`:
    /// create the VPC here (`Vpc::new(site.network(), "Network", …)`). The data stack then
    /// needs only this stack, so Aurora (the slowest part of a first deploy: about 16 minutes
    /// for the primary, then 25 for the secondary) starts as soon as the subnets exist, beside
    /// the site stack's compute (an EKS cluster alone takes about 9 minutes) instead of after
    /// it. It also holds the pair key and the alarm topic, which the later stacks of the
    /// Region use.
    pub fn network(&self) -> &Stack {
        &self.ctx.networks[self.role.index()]
    }

    /// The pair's KMS key of this site's Region (`PairKey` in the network stack, alias
    /// `alias/drkit/<pair id>`): a symmetric customer managed key with yearly rotation that
    /// encrypts the master secret and the application secrets in this Region, and that
    /// CloudWatch alarms may use to publish to SNS topics encrypted with it. Use it for
    /// anything else of the site that takes a KMS key of its Region.
    pub fn pair_key(&self) -> &CfnResource {
        &self.ctx.pair_keys[self.role.index()]
    }
    /// The ARN of [`pair_key`](Self::pair_key); in another stack of either Region it becomes
    /// a wired parameter.
    pub fn pair_key_arn(&self) -> Token {
        self.pair_key().get_att("Arn")
    }

    /// A value that differs per site: `primary` in the primary site, `secondary` in the DR
    /// site (CIDRs, certificate ARNs, AMI ids). The parity check does not report a difference
    /// that is exactly such a pair, in as many constructs as the pair was picked for: a pick
    /// is tied to the construct its value is given to, so an unrelated
    /// `pick("t3.micro", "t3.small")` cannot hide an instance-type drift elsewhere. A value
    /// that really differs in two constructs is picked in each.
    pub fn pick<T: Clone + Serialize>(&self, primary: T, secondary: T) -> T {
        // Both runs of the closure make the same calls; the primary's count them, so that a
        // pick excuses as many props as it was made for (see `parity`).
        if self.role == SiteRole::Primary {
            let values = (
                serde_json::to_value(&primary).unwrap_or(Value::Null),
                serde_json::to_value(&secondary).unwrap_or(Value::Null),
            );
            let mut st = self.state.borrow_mut();
            match st.picks.iter_mut().find(|p| p.values == values) {
                Some(p) => p.calls += 1,
                None => st.picks.push(parity::Pick { values, calls: 1 }),
            }
        }
        match self.role {
            SiteRole::Primary => primary,
            SiteRole::Secondary => secondary,
        }
    }

    /// Declares an intended difference: the parity check skips `construct` and everything
    /// below it, in this site and at the same path in the other.
    pub fn allow_difference(&self, construct: &Scope, reason: &str) {
        construct.add_metadata(PARITY_EXEMPT_KEY, json!(reason));
    }

    /// How applications reach the database (the same in both sites).
    pub fn database_connection(&self) -> DbConnection {
        self.ctx.connection.clone()
    }

    /// A secret of the application, the same in both sites: a password the pair generates
    /// once in `<pair>-Primary-Data`, named `<pair>/PrimaryData/AppSecrets/<id>`, encrypted
    /// with the primary's pair key and replicated to the DR Region (same name) on the DR
    /// site's pair key, like the master secret. The closure calls it in both runs; the
    /// primary's call creates the secret, a later call with the same `id` returns the same
    /// handle. `id`: 1 to 64 ASCII letters and digits.
    ///
    /// Read it on an instance with [`UserData::secret_env`](crate::UserData::secret_env),
    /// after [`grant_app_secret`](Self::grant_app_secret). The pair never changes the value:
    /// deleting the secret (or destroying the pair) makes a new one on the next deploy, which
    /// an application that stored the old value (Grafana keeps its admin password in its
    /// database from the first start) must be told of.
    pub fn app_secret(&self, id: &str) -> AppSecret {
        let name = format!("{}/AppSecrets/{id}", self.ctx.data[0].path());
        let secret = AppSecret {
            id: id.to_string(),
            name,
        };
        let valid = (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric());
        if !valid {
            self.stack.error(
                codes::PAIR_010,
                format!("app secret id `{id}` is not 1 to 64 ASCII letters and digits"),
                "name the secret by what it holds, e.g. site.app_secret(\"GrafanaAdmin\")",
            );
            return secret;
        }
        if self.state.borrow().app_secrets.iter().any(|s| s.id == id) {
            return secret;
        }
        if self.role == SiteRole::Secondary {
            // The secret lives in the primary's data stack; one the primary run did not ask
            // for would exist in neither Region.
            self.stack.error(
                codes::PAIR_011,
                format!("app secret `{id}` is asked for by the DR site only"),
                "call site.app_secret in both runs of the closure (not under `if !site.is_primary()`): the pair creates it with the primary site and replicates it",
            );
            return secret;
        }
        self.add_app_secret(&secret);
        self.state.borrow_mut().app_secrets.push(secret.clone());
        secret
    }

    fn add_app_secret(&self, secret: &AppSecret) {
        let data = &self.ctx.data[0];
        let [primary, secondary] = self.ctx.regions;
        let replicate = primary != secondary;
        let scope = self
            .state
            .borrow_mut()
            .app_secrets_scope
            .get_or_insert_with(|| data.child("AppSecrets"))
            .clone();
        // Letters and digits only: the value goes into environment files, shell variables and
        // configuration files whose quoting rules differ (Grafana expands `${…}` and
        // `$__file{…}` in its settings), and 32 of them are about 190 bits.
        scope.add(
            &secret.id,
            &CfnSecret {
                name: val(secret.name.as_str()),
                description: val(format!(
                    "{}: a secret of the application, generated by drkit{}",
                    secret.id,
                    if replicate {
                        format!(", replicated to {secondary}")
                    } else {
                        String::new()
                    }
                )),
                generate_secret_string: Some(GenerateSecretString {
                    password_length: val(i64::from(APP_SECRET_LENGTH)),
                    exclude_punctuation: val(true),
                    ..Default::default()
                }),
                kms_key_id: val(self.ctx.pair_keys[0].get_att("Arn")),
                replica_regions: replicate.then(|| {
                    vec![ReplicaRegion {
                        region: val(secondary.code()),
                        kms_key_id: val(self.ctx.pair_keys[1].get_att("Arn")),
                    }]
                }),
                tags: Some(vec![Tag::new("Name", secret.name.as_str())]),
                ..Default::default()
            },
        );
    }

    /// Lets `fleet`'s instance role read `secret` in its own Region (the primary's secret or
    /// its replica, which keeps the name), as [`grant_database_secret`](Self::grant_database_secret)
    /// does for the master secret: `secretsmanager:GetSecretValue` on the secret's name and
    /// `kms:Decrypt` on this site's pair key through Secrets Manager only. The fleet's Auto
    /// Scaling group waits for the policy. `None` (and an error) when the fleet uses an
    /// existing instance profile.
    pub fn grant_app_secret(&self, fleet: &Ec2Fleet, secret: &AppSecret) -> Option<CfnResource> {
        self.grant_secret_read(
            fleet,
            &format!("{}SecretPolicy", secret.id),
            &format!("drkit-secret-{}", secret.id),
            &secret.name,
        )
    }

    /// Hands the site's load balancer to the pair: the failover record of this site aliases
    /// it. Call it once per site.
    pub fn serve(&self, alb: &Alb) {
        let Some(region) = alb.scope().region() else {
            return;
        };
        let mut st = self.state.borrow_mut();
        let site = &mut st.sites[self.role.index()];
        if site.alb.is_some() {
            alb.scope().error(
                codes::PAIR_007,
                "a second load balancer is handed to the pair for this site",
                "call site.serve(&alb) once per site, with the load balancer users reach",
            );
            return;
        }
        if region != self.region() {
            alb.scope().error(
                codes::PAIR_008,
                format!(
                    "the load balancer is in {region}, not in the site's Region {}",
                    self.region()
                ),
                "create it under the site (Alb::new(site, …))",
            );
        }
        if region == self.region() {
            // The deploy summary prints each site's own address, which is how to reach one
            // Region directly (bypassing DNS failover) to check it.
            self.stack.add_output(
                "LoadBalancerDnsName",
                Output::new(alb.dns_name()).with_description(format!(
                    "DNS name of the {} site's load balancer ({region})",
                    self.role.name().to_lowercase()
                )),
            );
        }
        site.alb = Some(AlbInfo {
            endpoint: AlbEndpoint::of(alb, region),
            load_balancer: alb.load_balancer().clone(),
            target_group: alb.target_group_arn(),
        });
    }

    /// Creates this site's member of the global database in the site's data stack, in `vpc`'s
    /// private subnets, admitting `clients` (security group ids of this site, e.g. the fleet's
    /// and the EKS cluster's) on the DB port; the peer site's CIDR is admitted too, as
    /// security groups cannot be referenced across Regions. `vpc` is also the VPC that is
    /// peered and attached to the private zone. Call it once per site, in both.
    ///
    /// Primary: a KMS key, the global cluster, and the primary cluster with the master secret
    /// on the primary's pair key, replicated (same name) to the DR Region on the DR site's
    /// pair key. Secondary: a KMS key of the DR Region and a cluster that joins the global
    /// cluster (no credentials of its own). The peer Region's applications are admitted by
    /// the CIDRs of the peer VPC's private subnets, one rule each.
    pub fn database(&self, vpc: &Vpc, clients: &[Token]) -> Option<RdsCluster> {
        let i = self.role.index();
        if let Some(existing) = &self.state.borrow().sites[i].cluster {
            vpc.scope().error(
                codes::PAIR_007,
                "site.database is called a second time for this site",
                "call it once per site; an Aurora global database has one cluster per Region",
            );
            return Some(existing.clone());
        }
        let peer = PeerVpc::private(vpc);
        if peer.as_ref().is_some_and(|p| p.region != self.region()) {
            vpc.scope().error(
                codes::PAIR_008,
                "the VPC handed to site.database is not in the site's Region",
                "create it under the site (Vpc::new(site.network(), …))",
            );
        }
        let data: &Stack = &self.ctx.data[i];
        let db = &self.ctx.database;
        if self.role == SiteRole::Secondary && self.state.borrow().global.is_none() {
            vpc.scope().error(
                codes::PAIR_004,
                "the DR site calls site.database but the primary site did not, so there is no global database to join",
                "call site.database(&vpc, &clients) in the closure for both sites",
            );
            return None;
        }
        let security_group = self.database_security_group(vpc, clients);
        let key = data_key(data, self.region());
        let key_arn: Val<String> = Val::from(key.get_att("Arn"));
        let membership = match self.role {
            SiteRole::Primary => {
                let global = GlobalDatabase::new(
                    data,
                    "GlobalCluster",
                    GlobalDatabaseProps::builder()
                        .engine(db.engine)
                        .engine_version(self.ctx.engine_version.clone())
                        .deletion_protection(db.deletion_protection)
                        .build(),
                );
                let m = global.primary();
                self.state.borrow_mut().global = Some(global);
                m
            }
            SiteRole::Secondary => {
                let st = self.state.borrow();
                let global = st.global.as_ref()?;
                global.secondary(self.ctx.regions[0], Some(key_arn.clone()))
            }
        };
        let cluster = RdsCluster::with_checked_settings(
            data,
            "Database",
            RdsClusterProps::builder()
                .vpc(vpc)
                .engine(db.engine)
                .engine_version(self.ctx.engine_version.clone())
                .instance_class(db.instance_class.clone())
                .instances(db.instances_per_site)
                .maybe_database_name(db.database_name.clone())
                .master_username(db.master_username.clone())
                .backup_retention_days(db.backup_retention_days)
                .deletion_protection(db.deletion_protection)
                .maybe_security_group_id(security_group)
                .kms_key_id(key_arn)
                .global(membership)
                .maybe_secret_name(
                    self.is_primary()
                        .then(|| self.ctx.connection.secret_name.clone()),
                )
                .maybe_secret_kms_key_id(
                    self.is_primary()
                        .then(|| Val::from(self.ctx.pair_keys[0].get_att("Arn"))),
                )
                .secret_replicas(
                    if self.is_primary() && self.ctx.regions[0] != self.ctx.regions[1] {
                        vec![SecretReplica {
                            region: self.ctx.regions[1],
                            kms_key_id: Some(Val::from(self.ctx.pair_keys[1].get_att("Arn"))),
                        }]
                    } else {
                        Vec::new()
                    },
                )
                .build(),
        );
        let mut st = self.state.borrow_mut();
        let site = &mut st.sites[i];
        site.private_cidrs = vpc
            .private_subnets()
            .iter()
            .map(|s| s.cidr.clone())
            .collect();
        site.network = peer;
        site.cluster = Some(cluster.clone());
        site.key = Some(key);
        Some(cluster)
    }

    /// The database's security group, created in the VPC's stack (the network stack), and one
    /// rule per client in the site stack: the data stack then needs the network only, never
    /// the clients (an EKS cluster's security group exists only once the cluster does, about
    /// 9 minutes in). The group carries no inline rule: rules that reference other groups are
    /// to be `AWS::EC2::SecurityGroupIngress` resources ("AWS::EC2::SecurityGroup", Important,
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html>),
    /// which is also what lets them live in another stack. `None` for a VPC in no stack, which
    /// the VPC reports.
    fn database_security_group(&self, vpc: &Vpc, clients: &[Token]) -> Option<Token> {
        let vpc_scope = vpc.scope();
        let home = vpc_scope.scope_of(vpc_scope.stack_id()?);
        if home.same_node(&self.stack) {
            vpc_scope.warning(
                codes::PAIR_012,
                format!(
                    "the VPC handed to site.database is in the site stack `{}`, so the data stacks wait for the whole site (an EKS cluster alone takes about 9 minutes) before Aurora starts",
                    self.stack.name()
                ),
                format!(
                    "create the VPC in the network stack: Vpc::new(site.network(), \"{}\", …)",
                    vpc_scope.id()
                ),
            );
        }
        let data = &self.ctx.data[self.role.index()];
        let group = home.add(
            "DatabaseSecurityGroup",
            &CfnSecurityGroup {
                group_description: val(rds::client_group_description(&format!(
                    "{}/Database",
                    data.path()
                ))),
                vpc_id: val(vpc.vpc_id()),
                tags: Some(vec![Tag::new(
                    "Name",
                    format!("{}/DatabaseSecurityGroup", home.path()),
                )]),
                ..Default::default()
            },
        );
        let group_id = group.get_att("GroupId");
        for (n, client) in clients.iter().enumerate() {
            rds::add_port_ingress(
                &self.stack,
                &format!("DatabaseClient{}", n + 1),
                group_id.clone(),
                self.ctx.connection.port,
                "database clients",
                |rule| rule.source_security_group_id = val(client.clone()),
            );
        }
        Some(group_id)
    }

    /// Lets `fleet`'s instance role read the database's master secret of its own Region (the
    /// primary's secret or its replica, which keeps the name): `secretsmanager:GetSecretValue`
    /// on the secret named [`DbConnection::secret_name`] in the stack's Region, and
    /// `kms:Decrypt` on this site's pair key, which encrypts that copy, only through Secrets
    /// Manager and only for that secret. Nothing else: no `ListSecrets`, no other secret. The
    /// fleet's Auto Scaling group waits for the policy, so instances never boot without it.
    /// `None` (and an error) when the fleet uses an existing instance profile.
    ///
    /// The application then connects as the master user. For a user of its own, see the
    /// [module documentation](self).
    pub fn grant_database_secret(&self, fleet: &Ec2Fleet) -> Option<CfnResource> {
        self.grant_secret_read(
            fleet,
            "DatabaseSecretPolicy",
            "drkit-database-secret",
            &self.ctx.connection.secret_name,
        )
    }

    /// An inline policy on `fleet`'s role that reads the secret `name` of the stack's Region.
    fn grant_secret_read(
        &self,
        fleet: &Ec2Fleet,
        id: &str,
        policy_name: &str,
        name: &str,
    ) -> Option<CfnResource> {
        let Some(role_arn) = fleet.role_arn() else {
            fleet.scope().error(
                codes::PAIR_009,
                "the fleet uses an existing instance profile, so the pair cannot grant it the secret",
                format!(
                    "let the fleet create its role (InstanceRole::Create), or allow your role secretsmanager:GetSecretValue on the secret `{name}` and kms:Decrypt on the site's pair key"
                ),
            );
            return None;
        };
        // Secrets Manager appends `-` and six characters to the name in the ARN, and a replica
        // keeps the name ("Replicate AWS Secrets Manager secrets across Regions"), so the
        // pattern in the stack's own Region names exactly the copy this site reads.
        let secret = RdsCluster::secret_arn_pattern(name);
        // GetSecretValue decrypts with the secret's KMS key on the caller's behalf, so a
        // customer managed key needs kms:Decrypt for the caller; Secrets Manager calls KMS
        // with the encryption context `SecretARN` and is the only service that may use the
        // grant here ("Secret encryption and decryption in AWS Secrets Manager", Permissions
        // for the KMS key and Secrets Manager encryption context,
        // <https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html>;
        // `kms:ViaService`, "AWS KMS condition keys",
        // <https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service>).
        let document = Expr::map([
            ("Version", Expr::from("2012-10-17")),
            (
                "Statement",
                Expr::list([
                    Expr::map([
                        ("Sid", Expr::from("ReadSecret")),
                        ("Effect", Expr::from("Allow")),
                        ("Action", Expr::from("secretsmanager:GetSecretValue")),
                        ("Resource", secret.clone()),
                    ]),
                    Expr::map([
                        ("Sid", Expr::from("DecryptSecret")),
                        ("Effect", Expr::from("Allow")),
                        ("Action", Expr::from("kms:Decrypt")),
                        ("Resource", Expr::from(self.pair_key_arn())),
                        (
                            "Condition",
                            Expr::map([
                                (
                                    "StringEquals",
                                    Expr::map([(
                                        "kms:ViaService",
                                        Expr::sub(
                                            "secretsmanager.${AWS::Region}.amazonaws.com",
                                            Vec::<(String, Expr)>::new(),
                                        ),
                                    )]),
                                ),
                                (
                                    "StringLike",
                                    Expr::map([("kms:EncryptionContext:SecretARN", secret)]),
                                ),
                            ]),
                        ),
                    ]),
                ]),
            ),
        ]);
        // AWS::IAM::Policy takes role names; the fleet exposes its role's ARN, whose last
        // path segment is the name (the role has the default path `/`).
        let role_name = Expr::select(1, Expr::Split("/".into(), Box::new(Expr::from(role_arn))));
        let policy = fleet.scope().add(
            id,
            &CfnPolicy {
                policy_name: val(policy_name),
                policy_document: Some(document),
                roles: Some(vec![Val::expr(role_name)]),
                ..Default::default()
            },
        );
        fleet.asg().add_depends_on(&policy);
        Some(policy)
    }
}

/// The pair's KMS key of a site's Region, in its network stack: the stacks of that Region that
/// deploy later (the data stacks, the replica of the secrets) can use it. Account root
/// administers it, so IAM policies grant its use (the default key policy, "Default key
/// policy", <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html>);
/// CloudWatch may use it to publish alarms to an SNS topic it encrypts: "Enable compatibility
/// between event sources from AWS services and encrypted topics" ("Key management", Amazon
/// SNS Developer Guide,
/// <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services>)
/// gives `cloudwatch.amazonaws.com` `kms:Decrypt` and `kms:GenerateDataKey*` in the key policy.
/// Rotated yearly; deleting it waits the longest window, 30 days
/// ("PendingWindowInDays", "AWS::KMS::Key",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html>),
/// in which the deletion can be cancelled.
fn pair_key(site: &Stack, pair_id: &str, role: SiteRole, region: Region) -> CfnResource {
    let key = site.add(
        "PairKey",
        &CfnKey {
            description: val(format!(
                "Pair key of {pair_id}, {} site ({region}): its secrets and alarm topics",
                role.name().to_lowercase()
            )),
            enable_key_rotation: val(true),
            pending_window_in_days: val(30),
            key_policy: Some(account_key_policy([Expr::map([
                (
                    "Sid",
                    Expr::from("CloudWatchAlarmsPublishToEncryptedTopics"),
                ),
                ("Effect", Expr::from("Allow")),
                (
                    "Principal",
                    Expr::map([("Service", Expr::from("cloudwatch.amazonaws.com"))]),
                ),
                (
                    "Action",
                    Expr::list([
                        Expr::from("kms:Decrypt"),
                        Expr::from("kms:GenerateDataKey*"),
                    ]),
                ),
                ("Resource", Expr::from("*")),
            ])])),
            tags: Some(vec![Tag::new("Name", format!("{}/PairKey", site.path()))]),
            ..Default::default()
        },
    );
    // An alias per Region (aliases are regional), so people and scripts find the key by name.
    site.add(
        "PairKeyAlias",
        &CfnAlias {
            alias_name: val(pair_key_alias(pair_id)),
            target_key_id: val(key.ref_()),
        },
    );
    key
}

/// The alias of the pair's keys, the same name in both Regions.
pub fn pair_key_alias(pair_id: &str) -> String {
    format!("alias/drkit/{pair_id}")
}

/// A customer managed KMS key for a data stack's storage encryption. A secondary cluster needs
/// a key of its own Region (`KmsKeyId` in "AWS::RDS::DBCluster",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html>);
/// a key of the primary's own makes both sides alike. Retained on deletion: snapshots and the
/// retained data need it.
fn data_key(data: &Stack, region: Region) -> CfnResource {
    let key = data.add(
        "DatabaseKey",
        &CfnKey {
            description: val(format!(
                "Storage encryption of the Aurora cluster of {} ({region})",
                data.path()
            )),
            enable_key_rotation: val(true),
            key_policy: Some(account_key_policy([])),
            tags: Some(vec![Tag::new(
                "Name",
                format!("{}/DatabaseKey", data.path()),
            )]),
            ..Default::default()
        },
    );
    key.set_deletion_policy(DeletionPolicy::Retain);
    key.set_update_replace_policy(DeletionPolicy::Retain);
    key
}

/// A two-Region DR deployment declared once: the closure builds a site and is called for the
/// primary, then for the secondary, so both are configured the same by construction; the pair
/// adds the global database, DNS failover with its traffic switch, peering and the database
/// CNAME, checks parity, and records the DR topology for the manifest. See the module docs.
#[derive(Debug)]
pub struct DrPair {
    scope: Scope,
    networks: [Stack; 2],
    sites: [Stack; 2],
    pair_keys: [CfnResource; 2],
    alarm_topics: [AlarmTopic; 2],
    data: [Stack; 2],
    peering: [Stack; 2],
    global: Stack,
    dns: Option<FailoverDns>,
    global_database: Option<GlobalDatabase>,
    clusters: [Option<RdsCluster>; 2],
    private_zone: Option<PrivateZone>,
    db_cname: Option<CfnResource>,
    peering_connection: Option<VpcPeering>,
    connection: DbConnection,
}

impl DrPair {
    /// Declares the pair `id` under `app` (stacks are named `<id>-Primary`, …), building each
    /// site with `build`.
    pub fn new<F: Fn(&SiteScope)>(app: &Scope, id: &str, props: DrPairProps, build: F) -> DrPair {
        let scope = app.child(id);
        let app_name = scope.tree().name().to_string();
        let regions = [props.primary.region, props.secondary.region];
        let two_regions = checks::check_regions(&scope, regions);
        let names = checks::check_names(&scope, &props);
        let stacks = PairStacks {
            scope: &scope,
            id,
            app_name: &app_name,
            regions,
        };

        let networks = stacks.networks();
        let sites = stacks.sites();
        if !two_regions {
            // Reported once on the pair: the DR site's Region is in doubt, so its
            // certificates are not reported as being of another Region as well.
            validate::mark_region_in_doubt(&sites[1], "the DR site is in the primary's Region");
            validate::mark_region_in_doubt(&networks[1], "the DR site is in the primary's Region");
        }
        let (azs_p, ok_p) = checks::check_site(&sites[0], &props.primary, SiteRole::Primary);
        let (azs_s, ok_s) = checks::check_site(&sites[1], &props.secondary, SiteRole::Secondary);
        let pair_keys = [
            pair_key(&networks[0], id, SiteRole::Primary, regions[0]),
            pair_key(&networks[1], id, SiteRole::Secondary, regions[1]),
        ];
        let alarm_email = props.alarm_email.clone().filter(|email| {
            let ok = crate::notifications::is_email_address(email);
            if !ok {
                crate::notifications::report_email(&scope, "alarm_email", email);
            }
            ok
        });
        // One topic per Region: an alarm notifies only a topic of its own Region.
        let alarm_topics = [0, 1].map(|i| {
            AlarmTopic::new(
                &networks[i],
                "Alarms",
                AlarmTopicProps {
                    kms_key: Some(Val::from(pair_keys[i].get_att("Arn"))),
                    email: alarm_email.clone(),
                },
            )
        });
        let data = stacks.data();
        let (database, engine_version) = settle_database(&scope, &props.database);
        let internal_zone = internal_zone_name(id, props.internal_zone.as_deref());
        let connection = db_connection(&database, &internal_zone, &data[0]);
        let ctx = Rc::new(PairContext {
            pair_id: id.to_string(),
            regions,
            networks: networks.clone(),
            pair_keys: pair_keys.clone(),
            azs: [azs_p, azs_s],
            data: data.clone(),
            database,
            engine_version,
            connection: connection.clone(),
            max_rpo_lag: props.max_rpo_lag,
        });
        let state = build_sites(&sites, &ctx, build);
        check_handovers(&scope, &sites, &state.borrow());

        let peering = stacks.peering();
        let global = stacks.global();
        let HandedOver {
            networks: peer_vpcs,
            private_cidrs,
            albs,
            clusters,
        } = handed_over(&state.borrow());
        // What was reported above is not built, so the constructs never report it again.
        let peering_connection = two_regions
            .then(|| connect_sites(&peering, &peer_vpcs, &private_cidrs, &clusters, regions))
            .flatten();
        let dns = (two_regions && names.public)
            .then(|| {
                add_failover_dns(
                    &global,
                    &props,
                    &albs,
                    id,
                    &app_name,
                    alarm_topics[1].topic_arn(),
                )
            })
            .flatten();
        let global_database = state.borrow().global.clone();
        let (private_zone, db_cname) = if names.internal {
            add_database_name(
                &global,
                &peer_vpcs,
                global_database.as_ref(),
                &internal_zone,
                props.db_cname_ttl_secs.min(checks::MAX_TTL_SECS),
            )
        } else {
            (None, None)
        };
        let domain = props.domain.trim_end_matches('.');
        let scheme = scheme(&albs);
        add_outputs(&global, domain, scheme, &internal_zone, db_cname.is_some());
        // With a site's zones already reported, the sites may differ in zone count through
        // the fallback zones; the parity check would only repeat that slip.
        if ok_p && ok_s {
            add_parity_check(&scope, &networks, &sites, &state);
        }

        let pair = DrPair {
            scope,
            networks,
            sites,
            pair_keys,
            alarm_topics,
            data,
            peering,
            global,
            dns,
            global_database,
            clusters,
            private_zone,
            db_cname,
            peering_connection,
            connection,
        };
        pair.record_summary(&ctx.database, &ctx.engine_version);
        let topology = topology::build(
            &pair,
            &ctx,
            topology::Extra {
                app: &app_name,
                albs: &albs,
                internal_zone: &internal_zone,
                hosted_zone: &props.hosted_zone,
                scheme,
            },
        );
        pair.scope.add_metadata(DR_TOPOLOGY_KEY, topology);
        pair
    }

    fn record_summary(&self, db: &DatabaseProps, version: &str) {
        let r = |i: usize| {
            self.sites[i]
                .region()
                .map(|r| r.to_string())
                .unwrap_or_default()
        };
        if let Some(g) = &self.global_database {
            SummaryRow {
                asset: "Aurora global database".into(),
                purpose: "replicates the database from the primary Region to the DR Region (typically under 1 s behind)".into(),
                size: format!("{} {version}, {}", db.engine, db.instance_class),
                quantity: format!("1 global cluster, 1 cluster of {} instances per Region", db.instances_per_site),
                dr: format!(
                    "primary in {}, secondary in {}: planned switchover without data loss, or failover in an outage",
                    r(0),
                    r(1)
                ),
            }
            .record(g.scope());
        }
        if let Some(d) = &self.dns {
            SummaryRow {
                asset: "Route 53 failover".into(),
                purpose: "one name for the app: PRIMARY and SECONDARY alias records to each Region's load balancer, with health checks and a traffic switch".into(),
                size: String::new(),
                quantity: "2 records, 3 health checks, 1 alarm".into(),
                dr: format!("DNS moves users to {} when the primary is unhealthy or the switch says so", r(1)),
            }
            .record(d.scope());
        }
        if let Some(p) = &self.peering_connection {
            SummaryRow {
                asset: "VPC peering".into(),
                purpose: "connects the two VPCs so applications in either Region reach the database writer".into(),
                size: String::new(),
                quantity: "1 connection, routes in every private route table".into(),
                dr: "needed after a database failover: the DR Region's writer serves the primary Region's apps and the reverse".into(),
            }
            .record(p.scope());
        }
    }

    /// The pair's scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The network stack of `role` (see [`SiteScope::network`]): the site's VPC, pair key and
    /// alarm topic.
    pub fn network_stack(&self, role: SiteRole) -> &Stack {
        &self.networks[role.index()]
    }
    /// The site (app) stack of `role`.
    pub fn site_stack(&self, role: SiteRole) -> &Stack {
        &self.sites[role.index()]
    }
    /// The pair's KMS key of `role`'s Region, in its network stack (see
    /// [`SiteScope::pair_key`]).
    pub fn pair_key(&self, role: SiteRole) -> &CfnResource {
        &self.pair_keys[role.index()]
    }

    /// The alarm topic of a site's Region (in its network stack), which every alarm the pair
    /// synthesizes in that Region notifies.
    pub fn alarm_topic(&self, role: SiteRole) -> &AlarmTopic {
        &self.alarm_topics[role.index()]
    }
    /// The data stack of `role`.
    pub fn data_stack(&self, role: SiteRole) -> &Stack {
        &self.data[role.index()]
    }
    /// The peering stack of `role`'s Region.
    pub fn peering_stack(&self, role: SiteRole) -> &Stack {
        &self.peering[role.index()]
    }
    /// The global stack (DNS, switch, private zone), in the DR Region.
    pub fn global_stack(&self) -> &Stack {
        &self.global
    }
    /// The DNS failover, when both sites handed a load balancer to the pair.
    pub fn dns(&self) -> Option<&FailoverDns> {
        self.dns.as_ref()
    }
    /// The global cluster, when the primary site created its database.
    pub fn global_database(&self) -> Option<&GlobalDatabase> {
        self.global_database.as_ref()
    }
    /// The cluster of `role`.
    pub fn cluster(&self, role: SiteRole) -> Option<&RdsCluster> {
        self.clusters[role.index()].as_ref()
    }
    /// The private zone of the database name.
    pub fn private_zone(&self) -> Option<&PrivateZone> {
        self.private_zone.as_ref()
    }
    /// The database CNAME record.
    pub fn database_cname(&self) -> Option<&CfnResource> {
        self.db_cname.as_ref()
    }
    /// The VPC peering.
    pub fn peering(&self) -> Option<&VpcPeering> {
        self.peering_connection.as_ref()
    }
    /// How applications reach the database.
    pub fn database_connection(&self) -> &DbConnection {
        &self.connection
    }
}

/// Creates the pair's stacks, named `<pair id>-<name>` and described with the app and Region.
struct PairStacks<'a> {
    scope: &'a Scope,
    id: &'a str,
    app_name: &'a str,
    regions: [Region; 2],
}

impl PairStacks<'_> {
    fn stack(&self, sid: &str, name: &str, region: Region, what: &str) -> Stack {
        let (id, app_name) = (self.id, self.app_name);
        Stack::new(
            self.scope,
            sid,
            StackProps {
                stack_name: Some(format!("{id}-{name}")),
                description: Some(format!(
                    "{id} ({app_name}): {what}, {region}. Generated by drkit."
                )),
                ..StackProps::in_region(region)
            },
        )
    }

    fn networks(&self) -> [Stack; 2] {
        [
            self.stack(
                "PrimaryNetwork",
                "Primary-Network",
                self.regions[0],
                "primary site's network, pair key and alarm topic",
            ),
            self.stack(
                "SecondaryNetwork",
                "Secondary-Network",
                self.regions[1],
                "DR site's network, pair key and alarm topic",
            ),
        ]
    }

    fn sites(&self) -> [Stack; 2] {
        [
            self.stack("Primary", "Primary", self.regions[0], "primary site"),
            self.stack("Secondary", "Secondary", self.regions[1], "DR site"),
        ]
    }

    fn data(&self) -> [Stack; 2] {
        [
            self.stack(
                "PrimaryData",
                "Primary-Data",
                self.regions[0],
                "Aurora global database and primary cluster",
            ),
            self.stack(
                "SecondaryData",
                "Secondary-Data",
                self.regions[1],
                "Aurora secondary cluster",
            ),
        ]
    }

    fn peering(&self) -> [Stack; 2] {
        [
            self.stack(
                "PrimaryPeering",
                "Primary-Peering",
                self.regions[0],
                "VPC peering request and routes to the DR site",
            ),
            self.stack(
                "SecondaryPeering",
                "Secondary-Peering",
                self.regions[1],
                "routes to the primary site through the VPC peering",
            ),
        ]
    }

    fn global(&self) -> Stack {
        self.stack(
            "Global",
            "Global",
            self.regions[1],
            "DNS failover, traffic switch, private zone and database CNAME",
        )
    }
}

/// The database settings both clusters build with, and the engine version.
fn settle_database(scope: &Scope, props: &DatabaseProps) -> (DatabaseProps, String) {
    let database = checks::check_database(scope, props);
    let engine_version = database
        .engine_version
        .clone()
        .unwrap_or_else(|| database.engine.default_version().to_string());
    (database, engine_version)
}

fn internal_zone_name(id: &str, internal_zone: Option<&str>) -> String {
    internal_zone
        .map(str::to_string)
        .unwrap_or_else(|| format!("{}.internal", id.to_ascii_lowercase()))
        .trim_end_matches('.')
        .to_string()
}

fn db_connection(
    database: &DatabaseProps,
    internal_zone: &str,
    primary_data: &Stack,
) -> DbConnection {
    DbConnection {
        host: format!("db.{internal_zone}"),
        port: database.engine.default_port(),
        database_name: database.database_name.clone(),
        // The cluster's construct path, the name RdsCluster would give it too.
        secret_name: format!("{}/Database", primary_data.path()),
    }
}

/// Runs the closure for the primary, then the secondary site, and returns what they handed
/// to the pair (the pair keys exist before, in `ctx`).
fn build_sites<F: Fn(&SiteScope)>(
    sites: &[Stack; 2],
    ctx: &Rc<PairContext>,
    build: F,
) -> Rc<RefCell<PairState>> {
    let state = Rc::new(RefCell::new(PairState::default()));
    for role in [SiteRole::Primary, SiteRole::Secondary] {
        let site = SiteScope {
            stack: sites[role.index()].clone(),
            role,
            ctx: ctx.clone(),
            state: state.clone(),
        };
        build(&site);
    }
    state
}

/// Reports a site that handed no database member or no load balancer to the pair.
fn check_handovers(scope: &Scope, sites: &[Stack; 2], st: &PairState) {
    for role in [SiteRole::Primary, SiteRole::Secondary] {
        let s = &st.sites[role.index()];
        let path = sites[role.index()].path();
        if s.cluster.is_none() && !(role == SiteRole::Secondary && st.global.is_none()) {
            scope.report(
                dr_core::Diagnostic::error(&path, codes::PAIR_004, format!("the {} site has no database member", role.name().to_lowercase()))
                    .with_hint("call site.database(&vpc, &[client security groups]) in the closure; it runs for both sites"),
            );
        }
        if s.alb.is_none() {
            scope.report(
                dr_core::Diagnostic::error(
                    &path,
                    codes::PAIR_005,
                    format!(
                        "the {} site hands no load balancer to the pair",
                        role.name().to_lowercase()
                    ),
                )
                .with_hint(
                    "call site.serve(&alb) in the closure with the load balancer users reach",
                ),
            );
        }
    }
}

/// What the sites handed to the pair, per site (primary, secondary).
struct HandedOver {
    networks: [Option<PeerVpc>; 2],
    private_cidrs: [Vec<String>; 2],
    albs: [Option<AlbInfo>; 2],
    clusters: [Option<RdsCluster>; 2],
}

/// Each site's network, load balancer and cluster.
fn handed_over(st: &PairState) -> HandedOver {
    HandedOver {
        networks: [st.sites[0].network.clone(), st.sites[1].network.clone()],
        private_cidrs: [
            st.sites[0].private_cidrs.clone(),
            st.sites[1].private_cidrs.clone(),
        ],
        albs: [st.sites[0].alb.clone(), st.sites[1].alb.clone()],
        clusters: [st.sites[0].cluster.clone(), st.sites[1].cluster.clone()],
    }
}

/// Peering, and on each database the peer's private subnets (security groups cannot be
/// referenced across Regions, "Security group rules",
/// <https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html>: a peered VPC's
/// group only within the Region), one rule per subnet CIDR: the peer's applications run
/// there, and its public subnets (load balancer, NAT gateways) have no business with the
/// database.
fn connect_sites(
    peering: &[Stack; 2],
    networks: &[Option<PeerVpc>; 2],
    private_cidrs: &[Vec<String>; 2],
    clusters: &[Option<RdsCluster>; 2],
    regions: [Region; 2],
) -> Option<VpcPeering> {
    let [Some(p), Some(s)] = networks else {
        return None;
    };
    // A CIDR the VPC reported as invalid, or two that overlap (reported by the peering), are
    // not passed on to the databases, which would report them again.
    let distinct = match (
        p.cidr.parse::<ipnet::Ipv4Net>(),
        s.cidr.parse::<ipnet::Ipv4Net>(),
    ) {
        (Ok(a), Ok(b)) => {
            a.addr() == a.network() && b.addr() == b.network() && !validate::cidrs_overlap(&a, &b)
        }
        _ => false,
    };
    let connection = VpcPeering::new(&peering[0], &peering[1], "Peering", p, s);
    if distinct {
        for (i, cluster) in clusters.iter().enumerate() {
            let Some(c) = cluster else { continue };
            // Subnets the VPC could not plan are the VPC's to report.
            let subnets = private_cidrs[1 - i]
                .iter()
                .filter(|c| c.parse::<ipnet::Ipv4Net>().is_ok());
            for (n, cidr) in subnets.enumerate() {
                // The first keeps the id of the single rule an earlier drkit wrote.
                let id = match n {
                    0 => "PeerIngress".to_string(),
                    _ => format!("PeerIngress{}", n + 1),
                };
                c.allow_from_cidr(
                    &id,
                    cidr,
                    &format!(
                        "applications of {} (private subnet {cidr}) through the VPC peering",
                        regions[1 - i]
                    ),
                );
            }
        }
    }
    Some(connection)
}

/// DNS failover and the traffic switch, in the DR Region.
fn add_failover_dns(
    global: &Stack,
    props: &DrPairProps,
    albs: &[Option<AlbInfo>; 2],
    id: &str,
    app_name: &str,
    dr_alarm_topic: Token,
) -> Option<FailoverDns> {
    match albs {
        [Some(p), Some(s)] => Some(FailoverDns::new(
            global,
            "Dns",
            FailoverDnsProps::builder()
                .zone(props.hosted_zone.clone())
                .domain(props.domain.clone())
                .primary(p.endpoint.clone())
                .secondary(s.endpoint.clone())
                .switch(
                    TrafficSwitchProps::builder()
                        .alarm_name(format!("{id}-Global-{SWITCH_METRIC}"))
                        .namespace(SWITCH_NAMESPACE)
                        .metric_name(SWITCH_METRIC)
                        .dimensions([("App", app_name)])
                        .build(),
                )
                .notify(Val::from(dr_alarm_topic))
                .build(),
        )),
        _ => None,
    }
}

/// The private zone on both VPCs, and the generic database name that applications in either
/// Region use, whichever Region holds the writer.
fn add_database_name(
    global: &Stack,
    networks: &[Option<PeerVpc>; 2],
    global_database: Option<&GlobalDatabase>,
    internal_zone: &str,
    ttl_secs: u32,
) -> (Option<PrivateZone>, Option<CfnResource>) {
    let zone_vpcs: Vec<ZoneVpcRef> = networks
        .iter()
        .flatten()
        .map(|n| ZoneVpcRef {
            vpc_id: n.vpc_id.clone(),
            region: n.region,
        })
        .collect();
    if zone_vpcs.len() != 2 {
        return (None, None);
    }
    let zone = PrivateZone::new(global, "InternalZone", internal_zone, &zone_vpcs);
    let cname = global_database.map(|g| {
        zone.add_cname(
            "DatabaseCname",
            "db",
            Lookup {
                kind: LookupKind::GlobalClusterWriterEndpoint,
                input: g.identifier(),
            },
            ttl_secs,
        )
    });
    (Some(zone), cname)
}

/// `https` when the primary site's load balancer serves HTTPS (both do, the parity check
/// sees to it), else `http`.
fn scheme(albs: &[Option<AlbInfo>; 2]) -> &'static str {
    if albs[0].as_ref().is_some_and(|a| a.endpoint.https) {
        "https"
    } else {
        "http"
    }
}

/// What a person looks for after a deploy: the app's name and URL, and the one database name
/// apps use (it follows the writer through switchover and failover).
fn add_outputs(global: &Stack, domain: &str, scheme: &str, internal_zone: &str, has_cname: bool) {
    global.add_output(
        "AppDnsName",
        Output::new(domain)
            .with_description("The application's DNS name (Route 53 failover: primary, then DR)"),
    );
    global.add_output(
        "AppUrl",
        Output::new(format!("{scheme}://{domain}")).with_description(
            "The application's URL, served by the primary site, or the DR site after a failover",
        ),
    );
    if has_cname {
        global.add_output(
            "DatabaseCname",
            Output::new(format!("db.{internal_zone}")).with_description(
                "The generic database name apps connect to; it follows the Aurora global writer",
            ),
        );
    }
}

/// Registers the parity check of the two sites (their network and site stacks), run at
/// synthesis.
fn add_parity_check(
    scope: &Scope,
    networks: &[Stack; 2],
    sites: &[Stack; 2],
    state: &Rc<RefCell<PairState>>,
) {
    let picks = state.clone();
    let primary = [networks[0].node_id(), sites[0].node_id()];
    let secondary = [networks[1].node_id(), sites[1].node_id()];
    let pair_path = scope.path();
    scope.add_validation(move |tree| {
        parity::check(
            tree,
            &pair_path,
            &primary,
            &secondary,
            &picks.borrow().picks,
        )
    });
}
