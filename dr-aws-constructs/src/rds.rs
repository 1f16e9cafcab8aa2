//! `RdsCluster`: an Aurora cluster (writer + readers) in private subnets, and the building
//! blocks of an Aurora global database ([`GlobalDatabase`], [`GlobalMembership`]).

use dr_core::diagnostics::codes;
use dr_core::facts::rds::{self as rds_facts, AuroraEngine, VersionStatus};
use dr_core::{CfnResource, DeletionPolicy, Expr, Region, Scope, Token, Val};
use ipnet::Ipv4Net;

use crate::common::{SummaryRow, managed_policy, name_tag, val};
use crate::l1::Tag;
use crate::l1::ec2::security_group::Ingress;
use crate::l1::ec2::{CfnSecurityGroup, CfnSecurityGroupIngress};
use crate::l1::iam::CfnRole;
use crate::l1::rds::{
    CfnDbCluster, CfnDbClusterParameterGroup, CfnDbInstance, CfnDbSubnetGroup, CfnGlobalCluster,
};
use crate::l1::secretsmanager::secret::{GenerateSecretString, ReplicaRegion};
use crate::l1::secretsmanager::{CfnSecret, CfnSecretTargetAttachment};
use crate::validate;
use crate::vpc::Vpc;

/// Characters left out of generated master passwords: RDS rejects `/`, `"`, `@` and spaces
/// in master passwords ("Naming constraints in Amazon RDS",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints>);
/// `'` and `\` are left out too, as they break shell and connection-string quoting.
pub const PASSWORD_EXCLUDED_CHARACTERS: &str = "\"@/\\' ";

/// How a cluster takes part in an Aurora global database ("AWS::RDS::GlobalCluster",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-globalcluster.html>,
/// and "AWS::RDS::DBCluster",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html>).
/// Get one from [`GlobalDatabase::primary`] or [`GlobalDatabase::secondary`], which also carry
/// the global cluster's engine and version: every member must run the same, patch level
/// included ("Upgrading an Amazon Aurora global database",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html>),
/// and the cluster reports a mismatch.
#[derive(Debug, Clone)]
pub struct GlobalMembership {
    /// The global cluster's identifier ([`GlobalDatabase::identifier`]); a token of another
    /// Region's stack for a secondary (synthesis wires it across Regions). A literal has 1 to
    /// 63 letters, digits or hyphens, starting with a letter.
    pub global_cluster_identifier: Val<String>,
    /// The global cluster's engine.
    pub engine: AuroraEngine,
    /// The global cluster's engine version.
    pub engine_version: String,
    /// Primary or secondary.
    pub role: GlobalRole,
}

/// The part a cluster plays in an Aurora global database.
#[derive(Debug, Clone)]
pub enum GlobalRole {
    /// The primary: it owns the master credentials and joins an (empty) global cluster
    /// created by [`GlobalDatabase`] in the same Region.
    Primary,
    /// A secondary in another Region: read-only, no master credentials (inherited from the
    /// primary; setting a password fails), encrypted with a key of its own Region, and
    /// `SourceRegion` set so that Aurora can copy from the encrypted primary.
    Secondary {
        /// The primary's Region.
        source_region: Region,
        /// A KMS key of this (the secondary's) Region. Default `None`: `alias/aws/rds`, the
        /// AWS managed RDS key of the Region.
        kms_key_id: Option<Val<String>>,
    },
}

/// The DB instance class when none is given: `db.r6g.large`, the smallest memory-optimized
/// Graviton class; an Aurora global database accepts no burstable (db.t*) class ("Limitations
/// of Amazon Aurora global databases",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html#aurora-global-database.limitations>).
pub const DEFAULT_DB_INSTANCE_CLASS: &str = dr_core::facts::rds::SMALLEST_GLOBAL_CLASS;
/// How many instances a cluster runs when no count is given: 2, a writer and a reader that
/// Aurora promotes if the writer or its AZ fails.
pub const DEFAULT_DB_INSTANCES: u32 = 2;
/// The master user name when none is given: `dbadmin`, a name neither engine reserves (RDS
/// reserves `rdsadmin`).
pub const DEFAULT_MASTER_USERNAME: &str = "dbadmin";
/// Days of automated backups when none are given: 7, a week of point-in-time restore (Aurora
/// keeps 1 to 35 days; "Backing up and restoring an Amazon Aurora DB cluster",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/BackupRestoreAurora.html>).
pub const DEFAULT_BACKUP_RETENTION_DAYS: u32 = 7;

/// Enhanced Monitoring's interval when none is given: 60 seconds, the coarsest RDS offers,
/// whose metrics cost least in CloudWatch Logs ("Cost of Enhanced Monitoring", "Monitoring OS
/// metrics with Enhanced Monitoring",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Monitoring.OS.html>).
pub const DEFAULT_MONITORING_INTERVAL_SECS: u32 = 60;

/// The AWS managed policy of the Enhanced Monitoring role drkit creates ("Setting up and
/// enabling Enhanced Monitoring",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Monitoring.OS.Enabling.html>).
pub const ENHANCED_MONITORING_POLICY: &str = "service-role/AmazonRDSEnhancedMonitoringRole";

/// The logs an Aurora MySQL cluster exports when `log_exports` is unset: the audit log
/// (Advanced Auditing, turned on in the cluster parameter group drkit creates for it), the
/// error log and the slow query log. The general log is left out: it records every statement
/// and costs accordingly in CloudWatch Logs ("Publishing Amazon Aurora MySQL logs to Amazon
/// CloudWatch Logs",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Integrating.CloudWatch.html>).
pub const MYSQL_DEFAULT_LOG_EXPORTS: &[&str] = &["audit", "error", "slowquery"];

/// The logs an Aurora PostgreSQL cluster exports when `log_exports` is unset: the PostgreSQL
/// log ("Aurora PostgreSQL database log files",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_LogAccess.Concepts.PostgreSQL.html>).
pub const POSTGRESQL_DEFAULT_LOG_EXPORTS: &[&str] = &["postgresql"];

/// The events Advanced Auditing records when the `audit` log is exported: connections,
/// grants and schema changes, the security-relevant events whose volume does not grow with
/// the workload (`QUERY` and `QUERY_DML` would log every statement) ("Using Advanced Auditing
/// with an Amazon Aurora MySQL DB cluster",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html>).
pub const AUDIT_EVENTS: &str = "CONNECT,QUERY_DCL,QUERY_DDL";

/// The logs `engine` exports when `log_exports` is unset ([`MYSQL_DEFAULT_LOG_EXPORTS`],
/// [`POSTGRESQL_DEFAULT_LOG_EXPORTS`]).
pub fn default_log_exports(engine: AuroraEngine) -> &'static [&'static str] {
    match engine {
        AuroraEngine::MySql => MYSQL_DEFAULT_LOG_EXPORTS,
        AuroraEngine::PostgreSql => POSTGRESQL_DEFAULT_LOG_EXPORTS,
    }
}

/// A Region the master secret is replicated to, and the KMS key that encrypts the replica
/// there. A replica keeps the secret's name ("The ARN for a replicated secret is the same as
/// the primary secret except for the Region", "Replicate AWS Secrets Manager secrets across
/// Regions", <https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html>).
#[derive(Debug, Clone, PartialEq)]
pub struct SecretReplica {
    /// The replica's Region, never the cluster's own. Required.
    pub region: Region,
    /// A KMS key of `region` (key ARN, key id, alias name or alias ARN) for the replica.
    /// Default: `None`, the AWS managed `aws/secretsmanager` key of that Region.
    pub kms_key_id: Option<Val<String>>,
}

impl From<Region> for SecretReplica {
    fn from(region: Region) -> Self {
        SecretReplica {
            region,
            kms_key_id: None,
        }
    }
}

/// CloudWatch Database Insights for the cluster ("Monitoring Amazon Aurora databases with
/// CloudWatch Database Insights",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.html>).
/// Performance Insights, which Database Insights builds on, has an announced end of life for
/// its console and flexible retention, after which clusters use Database Insights ("Turning
/// Performance Insights on and off for Aurora",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_PerfInsights.Enabling.html>),
/// so drkit configures Database Insights and the Performance Insights settings it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DatabaseInsights {
    /// The Standard mode, with Performance Insights on for the free 7 days
    /// ([`dr_core::facts::rds::FREE_INSIGHTS_RETENTION_DAYS`]), encrypted with the cluster's KMS
    /// key when it has one. No charge beyond the cluster. On a class that supports neither
    /// (Aurora MySQL on db.t2, db.t3, db.t4g.micro, db.t4g.small:
    /// [`dr_core::facts::rds::database_insights_supported`]) nothing is set and RDS's default
    /// applies (Standard mode, Performance Insights off).
    #[default]
    Standard,
    /// The Standard mode with Performance Insights off.
    StandardWithoutPerformanceInsights,
    /// The Advanced mode: Performance Insights kept 465 days (which it requires), fleet-level
    /// monitoring, execution plans and lock analysis, billed per vCPU-hour on top of the
    /// cluster ("Amazon CloudWatch Pricing", <https://aws.amazon.com/cloudwatch/pricing/>). An
    /// error on a class that does not support it.
    Advanced,
}

/// Settings of an [`RdsCluster`]: `RdsClusterProps::builder().vpc(&vpc).build()`.
#[derive(Debug, Clone, bon::Builder)]
#[builder(on(String, into), on(_, setters(doc(default(skip)))))]
pub struct RdsClusterProps<'a> {
    /// The VPC; the subnet group uses its private subnets. Required.
    pub vpc: &'a Vpc,
    /// The engine. Default: [`AuroraEngine::MySql`].
    #[builder(default = AuroraEngine::MySql)]
    pub engine: AuroraEngine,
    /// The engine version, patch level included (e.g. `8.0.mysql_aurora.3.10.3`, `16.10`).
    /// A version RDS lists as deprecated is refused; one newer than drkit's version table
    /// ([`dr_core::facts::rds::ENGINE_VERSIONS_AS_OF`]) is a warning. Default: the global
    /// database's version for a member of one ([`GlobalMembership::engine_version`]), else the
    /// engine's ([`AuroraEngine::default_version`]).
    pub engine_version: Option<String>,
    /// The DB instance class of every instance. Default: [`DEFAULT_DB_INSTANCE_CLASS`].
    #[builder(default = DEFAULT_DB_INSTANCE_CLASS)]
    pub instance_class: String,
    /// How many instances, 1 to 16: one writer and the rest readers. Default:
    /// [`DEFAULT_DB_INSTANCES`].
    #[builder(default = DEFAULT_DB_INSTANCES)]
    pub instances: u32,
    /// The database created in the cluster: a letter, then letters, digits or underscores,
    /// up to 64 characters (Aurora MySQL) or 63 (Aurora PostgreSQL), not a reserved word.
    /// Default: none.
    pub database_name: Option<String>,
    /// The master user name (stored in the secret next to the generated password): a letter,
    /// then letters, digits or underscores, up to 16 characters, not a reserved word.
    /// Default: [`DEFAULT_MASTER_USERNAME`].
    #[builder(default = DEFAULT_MASTER_USERNAME)]
    pub master_username: String,
    /// The port, 1150 to 65535. Default: the engine's ([`AuroraEngine::default_port`]: 3306 /
    /// 5432).
    pub port: Option<u16>,
    /// Days of automated backups, 1 to 35. Default: [`DEFAULT_BACKUP_RETENTION_DAYS`].
    #[builder(default = DEFAULT_BACKUP_RETENTION_DAYS)]
    pub backup_retention_days: u32,
    /// Deletion protection on the cluster. Default: on.
    #[builder(default = true)]
    pub deletion_protection: bool,
    /// Security groups admitted on the DB port (the app fleet, the EKS cluster security
    /// group). Default: none, nothing can connect until some are given.
    #[builder(default)]
    pub allowed_security_groups: Vec<Token>,
    /// CIDRs admitted on the DB port (e.g. the peer VPC of a DR pair); never 0.0.0.0/0.
    /// Default: none.
    #[builder(default, with = |cidrs: impl IntoIterator<Item = impl Into<String>>| cidrs.into_iter().map(Into::into).collect())]
    pub allowed_cidrs: Vec<String>,
    /// The id of a security group of the VPC, created elsewhere, for the cluster to use
    /// instead of a group of its own: one created with the network lets the rules admitting
    /// clients live beside the clients, so the cluster's stack does not wait for theirs
    /// (`DrPair` does this). [`allowed_security_groups`](Self::allowed_security_groups) and
    /// [`allowed_cidrs`](Self::allowed_cidrs) then become ingress rules of that group in the
    /// cluster's scope; give a group without inline rules, since rules referencing other groups
    /// are to be `AWS::EC2::SecurityGroupIngress` resources ("AWS::EC2::SecurityGroup",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html>).
    /// Default: none, the cluster creates its group with those rules.
    pub security_group_id: Option<Token>,
    /// A KMS key for storage encryption, of the cluster's Region: a key ARN, key id, alias
    /// name (`alias/...`) or alias ARN; storage is always encrypted. Default: the AWS managed
    /// `aws/rds` key.
    pub kms_key_id: Option<Val<String>>,
    /// Membership in an Aurora global database. Default: none, a standalone cluster.
    pub global: Option<GlobalMembership>,
    /// The master secret's name: 1 to 512 ASCII letters, digits and `/_+=.@-`, not ending
    /// with a hyphen and six characters (which Secrets Manager appends to the ARN). Replicas
    /// keep it, so a policy can name the secret in every Region
    /// ([`RdsCluster::secret_arn_pattern`]). Not for a global secondary, which has no secret.
    /// Default: the cluster's construct path (e.g. `Shop-Primary-Data/Database`), the value of
    /// the secret's `Name` tag too.
    pub secret_name: Option<String>,
    /// A KMS key of the cluster's Region that encrypts the master secret (key ARN, key id,
    /// alias name or alias ARN). Not for a global secondary. Default: none, the AWS managed
    /// `aws/secretsmanager` key of the Region.
    pub secret_kms_key_id: Option<Val<String>>,
    /// Regions the master secret is replicated to (the DR Region, so that applications there
    /// read it locally during an outage of this one), never the cluster's own, each with an
    /// optional KMS key of that Region ([`SecretReplica`]; a bare [`Region`] converts to one
    /// with the AWS managed key). Not for a global secondary. Default: none.
    #[builder(default, with = |replicas: impl IntoIterator<Item = impl Into<SecretReplica>>| replicas.into_iter().map(Into::into).collect())]
    pub secret_replicas: Vec<SecretReplica>,
    /// IAM database authentication (`EnableIAMDatabaseAuthentication`), so that applications
    /// can connect with a 15-minute token signed by their IAM role instead of a stored
    /// password ("IAM database authentication",
    /// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.html>;
    /// every Aurora MySQL 2 and 3 and Aurora PostgreSQL 11 and later version supports it,
    /// "Supported Regions and Aurora DB engines for IAM database authentication",
    /// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.IAMdbauth.html>).
    /// Password logins keep working. A cluster setting, so each member of a global database
    /// sets its own. Default: on; `false` turns it off.
    #[builder(default = true)]
    pub iam_authentication: bool,
    /// The log types exported to CloudWatch Logs (`EnableCloudwatchLogsExports`), each once:
    /// for Aurora MySQL `audit`, `error`, `general`, `instance`, `slowquery`,
    /// `iam-db-auth-error`; for Aurora PostgreSQL `instance`, `postgresql`,
    /// `iam-db-auth-error` ([`dr_core::facts::rds::exportable_log_types`]). With `audit`, an
    /// Aurora MySQL cluster also gets a DB cluster parameter group turning on Advanced
    /// Auditing ([`AUDIT_EVENTS`]), without which the audit log stays empty. A cluster
    /// setting: each member of a global database exports its own. RDS creates the log groups
    /// (`/aws/rds/cluster/<id>/<type>`), kept until deleted. Default: `None`, the engine's
    /// ([`default_log_exports`]); `Some(vec![])` exports nothing.
    pub log_exports: Option<Vec<String>>,
    /// Enhanced Monitoring's interval in seconds, set on every instance with the same role
    /// (Aurora collects it per instance): 1, 5, 10, 15, 30 or 60, or 0 for off. Default:
    /// [`DEFAULT_MONITORING_INTERVAL_SECS`].
    #[builder(default = DEFAULT_MONITORING_INTERVAL_SECS)]
    pub monitoring_interval_secs: u32,
    /// An existing IAM role that `monitoring.rds.amazonaws.com` may assume, for Enhanced
    /// Monitoring (its ARN). Only with a non-zero interval. Default: none, drkit creates one
    /// with [`ENHANCED_MONITORING_POLICY`], assumable for this account only.
    pub monitoring_role_arn: Option<Val<String>>,
    /// CloudWatch Database Insights ([`DatabaseInsights`]). Default:
    /// [`DatabaseInsights::Standard`], free, with 7 days of Performance Insights where the
    /// class supports it; [`DatabaseInsights::Advanced`] is billed per vCPU.
    #[builder(default)]
    pub database_insights: DatabaseInsights,
    /// Automatic minor version upgrades (`AutoMinorVersionUpgrade`, set on the cluster and
    /// every instance). AWS does not apply them to members of an Aurora global database,
    /// whose members must run the same version and are upgraded deliberately, secondaries
    /// first ("Enabling automatic upgrades between minor Aurora MySQL versions",
    /// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Updates.AMVU.html>),
    /// so `Some(true)` is an error there. Default: `false` for a member of a global database,
    /// `true` for a standalone cluster.
    pub auto_minor_version_upgrade: Option<bool>,
}

/// An Aurora DB cluster with a writer and readers (`AWS::RDS::DBInstance`), a subnet group in
/// the private subnets, storage encrypted, deletion protection, automated backups,
/// `DeletionPolicy` and `UpdateReplacePolicy` `Snapshot` on the cluster and `Delete` on its
/// instances (an instance of a cluster holds no data of its own, and the RDS resource provider
/// refuses `Snapshot` there), a
/// security group that admits only the given security groups and CIDRs on the DB port, and
/// (unless it is a global secondary) a master password generated by CloudFormation in a
/// Secrets Manager secret and passed by dynamic reference, so it never appears in the
/// template. RDS-managed master passwords are not used: global database members do not
/// support them ("Using Amazon Aurora Global Database",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html>).
///
/// Secure by default, each with a prop to turn it off: IAM database authentication, the
/// engine's logs exported to CloudWatch Logs, Enhanced Monitoring every 60 s with a role it
/// creates, CloudWatch Database Insights (Standard, with 7 days of Performance Insights under
/// the cluster's key), and automatic minor version upgrades set explicitly (off for a global
/// member, which AWS does not upgrade automatically).
///
/// **The master user is for administration.** An application that connects with the master
/// secret (as the example does) can do anything to the database. To give it a user of its
/// own: with IAM authentication (on by default), connect once as the master user and run
/// `CREATE USER app IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS';` (Aurora MySQL) or
/// `CREATE USER app; GRANT rds_iam TO app;` (Aurora PostgreSQL), grant it only what it needs,
/// allow its IAM role `rds-db:connect` on
/// `arn:aws:rds-db:<region>:<account>:dbuser:<cluster resource id>/app`, and have it connect
/// with a token from `GenerateDBAuthToken` over TLS ("Creating a database account using IAM
/// authentication", "Creating and using an IAM policy for IAM database access",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.html>).
/// Or store a second, generated password in a secret of its own, `CREATE USER` with it, and
/// grant the app's role that secret only.
#[derive(Debug, Clone)]
pub struct RdsCluster {
    scope: Scope,
    cluster: CfnResource,
    instances: Vec<CfnResource>,
    security_group_id: Token,
    secret: Option<CfnResource>,
    secret_name: Option<String>,
    port: u16,
    engine: AuroraEngine,
    engine_version: String,
}

impl RdsCluster {
    /// Creates the cluster under `scope` with id `id`.
    pub fn new(scope: &Scope, id: &str, props: RdsClusterProps<'_>) -> RdsCluster {
        Self::build(scope, id, props, Settings::Unchecked)
    }

    /// [`RdsCluster::new`] for an owner that checked the database settings it passes (engine
    /// version, class, instance count, backups, names) where its user wrote them, and passes
    /// only valid ones: the cluster does not report them again (an unknown version's warning
    /// would otherwise appear once per cluster as well).
    pub(crate) fn with_checked_settings(
        scope: &Scope,
        id: &str,
        props: RdsClusterProps<'_>,
    ) -> RdsCluster {
        Self::build(scope, id, props, Settings::CheckedByOwner)
    }

    fn build(
        scope: &Scope,
        id: &str,
        props: RdsClusterProps<'_>,
        settings: Settings,
    ) -> RdsCluster {
        let scope = scope.child(id);
        let engine = props.engine;
        let version = resolve_version(&props);
        let port = props.port.unwrap_or_else(|| engine.default_port());
        let cidrs = check_props(&scope, &props, &version, settings);
        let secondary = is_secondary(&props);

        let subnet_group = add_subnet_group(&scope, &props);
        let (security_group_id, external_rules) = match &props.security_group_id {
            Some(id) => (id.clone(), true),
            None => (
                add_security_group(&scope, &props, &cidrs, port).get_att("GroupId"),
                false,
            ),
        };
        let secret = (!secondary).then(|| add_secret(&scope, &props));
        let parameter_group = log_parameter_group(&scope, &props, &version);
        let cluster = add_cluster(
            &scope,
            &props,
            ClusterParts {
                version: &version,
                port,
                subnet_group: &subnet_group,
                security_group_id: &security_group_id,
                secret: secret.as_ref(),
                parameter_group: parameter_group.as_ref(),
            },
        );
        let monitoring_role = monitoring_role(&scope, &props);
        let instances = add_instances(&scope, &props, &cluster, monitoring_role);
        if let Some(secret) = &secret {
            // Adds host, port and engine to the secret, so clients need only the secret.
            scope.add(
                "SecretAttachment",
                &CfnSecretTargetAttachment {
                    secret_id: val(secret.ref_()),
                    target_id: val(cluster.ref_()),
                    target_type: val("AWS::RDS::DBCluster"),
                },
            );
        }
        record_summary(&scope, &props);
        let secret_name = (!secondary).then(|| secret_name(&scope, &props));

        let rds = RdsCluster {
            scope,
            cluster,
            instances,
            security_group_id,
            secret,
            secret_name,
            port,
            engine,
            engine_version: version,
        };
        if external_rules {
            for (n, group) in props.allowed_security_groups.iter().enumerate() {
                rds.allow_from_security_group(
                    &format!("ClientIngress{}", n + 1),
                    group.clone(),
                    "database clients",
                );
            }
            for (n, cidr) in cidrs.iter().enumerate() {
                rds.ingress(&format!("CidrIngress{}", n + 1), "database clients", |i| {
                    i.cidr_ip = val(cidr.to_string())
                });
            }
        }
        rds
    }

    /// Admits another security group on the DB port (added as its own ingress resource).
    pub fn allow_from_security_group(
        &self,
        id: &str,
        security_group_id: Token,
        description: &str,
    ) -> CfnResource {
        self.ingress(id, description, |i| {
            i.source_security_group_id = val(security_group_id)
        })
    }

    /// Admits a CIDR on the DB port (e.g. the peer VPC of a DR pair). A block open to the
    /// whole internet, or an invalid one, is reported and not added.
    pub fn allow_from_cidr(&self, id: &str, cidr: &str, description: &str) -> Option<CfnResource> {
        let net = validate::check_allowed_cidrs(
            &self.scope,
            "allowed_cidrs",
            "CIDR",
            &[cidr.to_string()],
        )
        .pop()?;
        Some(self.ingress(id, description, |i| i.cidr_ip = val(net.to_string())))
    }

    fn ingress(
        &self,
        id: &str,
        description: &str,
        set: impl FnOnce(&mut CfnSecurityGroupIngress),
    ) -> CfnResource {
        add_port_ingress(
            &self.scope,
            id,
            self.security_group_id(),
            self.port,
            description,
            set,
        )
    }

    /// The construct's scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The cluster resource.
    pub fn cluster(&self) -> &CfnResource {
        &self.cluster
    }
    /// The instances, writer first.
    pub fn instances(&self) -> &[CfnResource] {
        &self.instances
    }
    /// The cluster identifier.
    pub fn cluster_identifier(&self) -> Token {
        self.cluster.ref_()
    }
    /// The cluster ARN (the target of global switchover and failover).
    pub fn cluster_arn(&self) -> Token {
        self.cluster.get_att("DBClusterArn")
    }
    /// The cluster (writer) endpoint.
    pub fn endpoint(&self) -> Token {
        self.cluster.get_att("Endpoint.Address")
    }
    /// The reader endpoint.
    pub fn reader_endpoint(&self) -> Token {
        self.cluster.get_att("ReadEndpoint.Address")
    }
    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }
    /// The IAM resource of the secret named `name` in the Region of the stack that uses it:
    /// `arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:<name>-??????`.
    /// Secrets Manager appends a hyphen and six random characters to a secret's name in its
    /// ARN, so a policy names the secret with `-??????` ("Resources and conditions",
    /// "Permissions policy examples for AWS Secrets Manager",
    /// <https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html>);
    /// a replica keeps the name, so the same pattern serves every Region. An associated
    /// function, so a policy can be written before the cluster exists.
    pub fn secret_arn_pattern(name: &str) -> Expr {
        Expr::sub(
            format!(
                "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{name}-??????"
            ),
            Vec::<(String, Expr)>::new(),
        )
    }
    /// The master secret's name; `None` on a global secondary, which has no secret of its own.
    pub fn secret_name(&self) -> Option<&str> {
        self.secret_name.as_deref()
    }
    /// The master secret's ARN; `None` on a global secondary, which has no secret of its own.
    pub fn secret_arn(&self) -> Option<Token> {
        self.secret.as_ref().map(CfnResource::ref_)
    }
    /// The database security group's id.
    pub fn security_group_id(&self) -> Token {
        self.security_group_id.clone()
    }
    /// The engine.
    pub fn engine(&self) -> AuroraEngine {
        self.engine
    }
    /// The engine version, patch level included (both members of a global database need the
    /// same).
    pub fn engine_version(&self) -> &str {
        &self.engine_version
    }
}

/// The version the cluster runs: the one given, else the global database's (a member runs
/// its global database's version), else the engine's default.
fn resolve_version(props: &RdsClusterProps<'_>) -> String {
    if let Some(v) = &props.engine_version {
        return v.clone();
    }
    match &props.global {
        Some(g) if g.engine == props.engine => g.engine_version.clone(),
        _ => props.engine.default_version().to_string(),
    }
}

/// Reports every invalid setting, before anything is built, and returns the valid
/// `allowed_cidrs`.
/// Whether [`check_props`] checks the database settings, or their owner did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settings {
    Unchecked,
    CheckedByOwner,
}

fn check_props(
    scope: &Scope,
    props: &RdsClusterProps<'_>,
    version: &str,
    settings: Settings,
) -> Vec<Ipv4Net> {
    if settings == Settings::Unchecked {
        check_settings(scope, props, version);
    }
    let cidrs = validate::check_allowed_cidrs(
        scope,
        "allowed_cidrs",
        "allowed_cidrs entry",
        &props.allowed_cidrs,
    );
    // The subnet group's two-AZ rule is the VPC's to report (DRK-AZ-005), where the zones
    // were chosen; the cluster does not repeat it.
    if let Some(key) = &props.kms_key_id {
        check_kms_key(scope, "kms_key_id", key);
    }
    if let Some(GlobalMembership {
        role: GlobalRole::Secondary {
            kms_key_id: Some(key),
            ..
        },
        ..
    }) = &props.global
    {
        check_kms_key(scope, "global.role", key);
    }
    if let Some(g) = &props.global {
        check_global_cluster_identifier(scope, &g.global_cluster_identifier);
    }
    check_secret_replica_regions(scope, props);
    check_secret(scope, props);
    check_observability(scope, props);
    cidrs
}

/// Checks the database settings: engine version, class, instance count, backups, names.
fn check_settings(scope: &Scope, props: &RdsClusterProps<'_>, version: &str) {
    let engine = props.engine;
    // The version is checked where the user wrote it: the cluster's own `engine_version`,
    // else the global membership's. A version that differs from the global database's is one
    // slip (DRK-RDS-010), not also a deprecated or unknown version.
    let version_prop = if props.engine_version.is_some() {
        "engine_version"
    } else {
        "global.engine_version"
    };
    if !check_global_membership(scope, props, version) {
        if props.engine_version.is_some() || props.global.is_some() {
            check_engine_version(scope, version_prop, engine, version);
        } else {
            // The default version, current in the table (a unit test of the facts holds it).
            debug_assert_eq!(
                rds_facts::engine_version_status(engine, version),
                VersionStatus::Current
            );
        }
    }
    check_instance_class(
        scope,
        "instance_class",
        engine,
        version,
        &props.instance_class,
        props.global.is_some(),
    );
    check_instances(scope, "instances", props.instances);
    check_backup_retention(scope, "backup_retention_days", props.backup_retention_days);
    // "Valid Values: 1150-65535" (`Port` of "CreateDBCluster", Amazon RDS API Reference,
    // <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html>);
    // a u16 cannot exceed 65535.
    if let Some(port) = props.port
        && port < 1150
    {
        scope.prop_error(
            "port",
            codes::RDS_014,
            format!("port is {port}; an Aurora DB cluster listens on a port from 1150 to 65535"),
            format!(
                "use a port from 1150 to 65535, or leave port unset for {}'s default {}",
                engine,
                engine.default_port()
            ),
        );
    }
    // "Must be 1 to 16 letters or numbers. First character must be a letter. Can't be a
    // reserved word for the chosen database engine." (`MasterUsername` of "CreateDBCluster",
    // <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html>);
    // the CloudFormation schema also admits underscores: `^[a-zA-Z]{1}[a-zA-Z0-9_]*$`
    // ("AWS::RDS::DBCluster", `MasterUsername`).
    check_name(
        scope,
        "master_username",
        engine,
        &props.master_username,
        MAX_MASTER_USERNAME_LEN,
    );
    // Aurora MySQL: "Must contain 1 to 64 alphanumeric characters. Must begin with a letter.
    // Subsequent characters can be letters, underscores, or digits (0-9). Can't be a word
    // reserved by the database engine."; Aurora PostgreSQL: the same with 1 to 63 (`DBName` of
    // "CreateDBInstance", <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html>).
    if let Some(db) = &props.database_name {
        check_name(
            scope,
            "database_name",
            engine,
            db,
            max_database_name_len(engine),
        );
    }
}

/// Checks that the cluster runs its global database's engine and version; `true` when it
/// does not (and that is reported).
fn check_global_membership(scope: &Scope, props: &RdsClusterProps<'_>, version: &str) -> bool {
    let engine = props.engine;
    let Some(g) = &props.global else {
        return false;
    };
    if g.engine == engine && g.engine_version == version {
        return false;
    }
    let prop = if g.engine != engine {
        "engine"
    } else {
        "engine_version"
    };
    scope.prop_error(
        prop,
        codes::RDS_010,
        format!(
            "{engine} {version} differs from the global database's {} {}; every member of an Aurora global database runs the same engine version, patch level included",
            g.engine, g.engine_version
        ),
        if g.engine != engine {
            format!("set engine to the global database's {} (and leave engine_version unset)", g.engine)
        } else {
            format!("set engine_version to {} (or leave it unset: a member runs its global database's version)", g.engine_version)
        },
    );
    true
}

/// Checks an Aurora engine version against drkit's version table
/// ([`rds_facts::engine_version_status`], taken from RDS `DescribeDBEngineVersions` through
/// cfn-lint 1.58.0, as of [`rds_facts::ENGINE_VERSIONS_AS_OF`]), naming `prop`:
/// - not a version of the engine: not of the form of any version RDS lists for it
///   ([`rds_facts::has_version_form`]: `latest`, `8.0.mysql_aurora.9`), or a version of the
///   other Aurora engine: an error (DRK-RDS-012);
/// - deprecated, which RDS no longer accepts for new clusters: an error (DRK-RDS-012);
/// - not in the table (newer than it, or a typo): a warning naming the table's date
///   (DRK-RDS-013), which also says when the instance class could not be checked, so that
///   [`check_instance_class`] stays silent about it.
///
/// Returns `false` when an error was reported (the version cannot be deployed); a caller
/// that checks a version once for several clusters (the `DrPair`) can then build them with
/// the engine's default version, so that they do not report it again.
pub(crate) fn check_engine_version(
    scope: &Scope,
    prop: &str,
    engine: AuroraEngine,
    version: &str,
) -> bool {
    let like = |v: &str| {
        let current = rds_facts::current_versions_like(engine, v);
        current
            .last()
            .cloned()
            .unwrap_or_else(|| engine.default_version().to_string())
    };
    let other = match engine {
        AuroraEngine::MySql => AuroraEngine::PostgreSql,
        AuroraEngine::PostgreSql => AuroraEngine::MySql,
    };
    let status = rds_facts::engine_version_status(engine, version);
    if status == VersionStatus::Unknown
        && !rds_facts::has_version_form(engine, version)
        && !rds_facts::has_version_form(other, version)
    {
        scope.prop_error(
            prop,
            codes::RDS_012,
            format!(
                "`{version}` is not an {engine} engine version: it has the form of none of the versions RDS lists, e.g. `{}`",
                engine.default_version()
            ),
            format!("set {prop} to a version such as `{}` (aws rds describe-db-engine-versions --engine {} lists them), or leave it unset", engine.default_version(), engine.engine_name()),
        );
        return false;
    }
    if status == VersionStatus::Unknown
        && (rds_facts::engine_version_status(other, version) != VersionStatus::Unknown
            || !rds_facts::has_version_form(engine, version))
    {
        scope.prop_error(
            prop,
            codes::RDS_012,
            if rds_facts::engine_version_status(other, version) != VersionStatus::Unknown {
                format!("`{version}` is an {other} engine version, but the engine is {engine}")
            } else {
                format!(
                    "`{version}` has the form of an {other} engine version, not of an {engine} one"
                )
            },
            format!(
                "set {prop} to an {engine} version such as `{}`, or set engine to {other}",
                engine.default_version()
            ),
        );
        return false;
    }
    match status {
        VersionStatus::Current => true,
        VersionStatus::Deprecated => {
            scope.prop_error(
                prop,
                codes::RDS_012,
                format!(
                    "{engine} engine version `{version}` is deprecated: RDS no longer creates clusters of it (drkit's engine-version table, from DescribeDBEngineVersions as of {})",
                    rds_facts::ENGINE_VERSIONS_AS_OF
                ),
                format!("use a current version, e.g. `{}`", like(version)),
            );
            false
        }
        VersionStatus::Unknown => {
            let class = if rds_facts::major_of(engine, version).is_none() {
                "; drkit cannot tell its major line, so the instance class was not checked against it either"
            } else {
                ""
            };
            scope.prop_warning(
                prop,
                codes::RDS_013,
                format!(
                    "{engine} engine version `{version}` is not in drkit's engine-version table (from DescribeDBEngineVersions as of {}); it may be newer than the table{class}",
                    rds_facts::ENGINE_VERSIONS_AS_OF
                ),
                format!(
                    "check it with `aws rds describe-db-engine-versions --engine {} --engine-version {version}`, or use a version the table knows, e.g. `{}`",
                    engine.engine_name(),
                    like(version)
                ),
            );
            true
        }
    }
}

/// Checks the DB instance class against the engine version (and, for a member of a global
/// database, against what a global database accepts), once: an unknown class (DRK-RDS-002),
/// a burstable class in a global database (DRK-RDS-004, and then not also DRK-RDS-001), a
/// class the version's major line does not offer (DRK-RDS-001). When the version is not in
/// the version table and its major line is unknown, [`check_engine_version`] has already
/// said that the class could not be checked, so nothing more is reported. Returns whether the
/// class is valid.
pub(crate) fn check_instance_class(
    scope: &Scope,
    prop: &str,
    engine: AuroraEngine,
    version: &str,
    class: &str,
    global: bool,
) -> bool {
    let known = rds_facts::all_classes().iter().any(|c| c == class);
    if !known {
        // Reports DRK-RDS-002 (with the nearest class) before looking at the version.
        return validate::check_db_instance_class(scope, prop, engine, version, class);
    }
    if global && !validate::check_global_db_instance_class(scope, prop, class) {
        return false;
    }
    if rds_facts::major_of(engine, version).is_none()
        && rds_facts::engine_version_status(engine, version) != VersionStatus::Current
    {
        return true;
    }
    validate::check_db_instance_class(scope, prop, engine, version, class)
}

/// Words PostgreSQL reserves (category `RESERVED_KEYWORD` in its `src/include/parser/kwlist.h`;
/// "SQL Key Words", <https://www.postgresql.org/docs/current/sql-keywords-appendix.html>,
/// column "PostgreSQL": "reserved"), which RDS refuses as a master user name or database name
/// ("Can't be a reserved word for the chosen database engine", `MasterUsername` of
/// "CreateDBCluster"). `system_user` is reserved from PostgreSQL 16.
const POSTGRES_RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "system_user",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

/// The longest master user name, 16 (`MasterUsername` of "CreateDBCluster", above).
pub(crate) const MAX_MASTER_USERNAME_LEN: usize = 16;

/// The longest database name of `engine` (`DBName` of "CreateDBInstance", above).
pub(crate) fn max_database_name_len(engine: AuroraEngine) -> usize {
    match engine {
        AuroraEngine::MySql => 64,
        AuroraEngine::PostgreSql => 63,
    }
}

/// Checks an instance count (`prop`): one writer and up to 15 readers ("Amazon Aurora DB
/// clusters", <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Overview.html>:
/// "up to 15 Aurora Replicas"). Returns whether it is valid.
pub(crate) fn check_instances(scope: &Scope, prop: &str, instances: u32) -> bool {
    let ok = (1..=16).contains(&instances);
    if !ok {
        scope.prop_error(
            prop,
            codes::RDS_005,
            format!("{prop} is {instances}; an Aurora cluster takes 1 writer and up to 15 readers"),
            format!("set {prop} between 1 and 16 (2 gives a writer and a reader)"),
        );
    }
    ok
}

/// Checks days of automated backups (`prop`): "Must be a value from 1 to 35"
/// (`BackupRetentionPeriod` of "AWS::RDS::DBCluster",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html>).
/// Returns whether it is valid.
pub(crate) fn check_backup_retention(scope: &Scope, prop: &str, days: u32) -> bool {
    let ok = (1..=35).contains(&days);
    if !ok {
        scope.prop_error(
            prop,
            codes::RDS_006,
            format!("{prop} is {days}; Aurora keeps automated backups 1 to 35 days"),
            format!("set {prop} between 1 and 35"),
        );
    }
    ok
}

/// Checks a master user name or database name (`prop`): a letter, then letters, digits or
/// underscores, 1 to `max` characters, not `rdsadmin` (RDS's own user) nor, for Aurora
/// PostgreSQL, a word PostgreSQL reserves. Case-insensitive, as both engines fold unquoted
/// names.
pub(crate) fn check_name(
    scope: &Scope,
    prop: &str,
    engine: AuroraEngine,
    value: &str,
    max: usize,
) -> bool {
    let ok = !value.is_empty()
        && value.len() <= max
        && value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        scope.prop_error(
            prop,
            codes::RDS_009,
            format!("{prop} `{value}` is not a valid {engine} name"),
            format!("use 1 to {max} letters, digits or underscores, starting with a letter"),
        );
        return false;
    }
    let lower = value.to_ascii_lowercase();
    if lower == "rdsadmin" {
        scope.prop_error(
            prop,
            codes::RDS_009,
            format!("{prop} `{value}` is reserved by RDS"),
            "choose another name, e.g. dbadmin",
        );
        false
    } else if engine == AuroraEngine::PostgreSql && POSTGRES_RESERVED.contains(&lower.as_str()) {
        scope.prop_error(
            prop,
            codes::RDS_009,
            format!("{prop} `{value}` is a word PostgreSQL reserves, which Aurora PostgreSQL refuses as a name"),
            "choose another name, e.g. dbadmin or app_db",
        );
        false
    } else {
        true
    }
}

/// Whether `s` is a KMS key id: a UUID (`1234abcd-12ab-34cd-56ef-1234567890ab`) or, for a
/// multi-Region key, `mrk-` and 32 hex digits ("DescribeKey", `KeyId`, AWS KMS API Reference,
/// <https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html>; "ReplicateKey").
fn is_kms_key_id(s: &str) -> bool {
    let hex = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(rest) = s.strip_prefix("mrk-") {
        return hex(rest, 32);
    }
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5 && [8, 4, 4, 4, 12].iter().zip(&parts).all(|(n, p)| hex(p, *n))
}

/// Whether `s` is an alias name: `alias/` and letters, digits, `/`, `_` or `-`, 256
/// characters at most ("Create aliases", AWS KMS Developer Guide,
/// <https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html>).
fn is_kms_alias(s: &str) -> bool {
    s.strip_prefix("alias/").is_some_and(|name| {
        !name.is_empty()
            && s.len() <= 256
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-'))
    })
}

/// Checks a literal KMS key of the cluster (`prop`): RDS takes "the key ARN, key ID, alias
/// ARN, or alias name for the KMS key" (`KmsKeyId` of "CreateDBCluster",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html>), and
/// a key of the cluster's own Region ("make sure to set KmsKeyId to a KMS key identifier that
/// is valid in the destination Amazon Web Services Region", ibid.). A token (a key built in
/// the app) is not checked.
fn check_kms_key(scope: &Scope, prop: &str, key: &Val<String>) {
    check_kms_key_of(
        scope,
        prop,
        key,
        KeyCheck {
            region: scope.region(),
            holder: "the cluster",
            malformed: codes::RDS_015,
            other_region: codes::RDS_016,
        },
    );
}

/// What a KMS key is checked against: the Region it must serve, what it encrypts (for the
/// message), and the codes of a malformed key and of a key of another Region.
struct KeyCheck {
    region: Option<Region>,
    holder: &'static str,
    malformed: &'static str,
    other_region: &'static str,
}

/// Checks a literal KMS key (`prop`): a key ARN, key id, alias name or alias ARN, and, for an
/// ARN, of `check.region` (a KMS key serves only its own Region). A token is not checked.
fn check_kms_key_of(scope: &Scope, prop: &str, key: &Val<String>, check: KeyCheck) {
    let Some(s) = key.as_expr().as_str() else {
        return;
    };
    let format_hint = "use a key ARN (arn:aws:kms:<region>:<account>:key/<key-id>), a key id, an alias name (alias/<name>) or an alias ARN";
    if s.starts_with("arn:") {
        let arn = match dr_core::arn::parse(s) {
            Ok(a) => a,
            Err(e) => {
                scope.prop_error(prop, check.malformed, format!("{prop}: {e}"), format_hint);
                return;
            }
        };
        let resource_ok = match arn.resource.split_once('/') {
            Some(("key", id)) => is_kms_key_id(id),
            Some(("alias", _)) => is_kms_alias(arn.resource),
            _ => false,
        };
        if arn.service != "kms" || arn.region.is_empty() || arn.account.is_empty() || !resource_ok {
            scope.prop_error(
                prop,
                check.malformed,
                format!("{prop} `{s}` is not the ARN of a KMS key or alias"),
                format_hint,
            );
            return;
        }
        if let Some(region) = check.region
            && arn.region != region.code()
        {
            scope.prop_error(
                prop,
                check.other_region,
                format!(
                    "{prop} `{s}` is a KMS key of {}, but {} is in {}; a KMS key serves only its own Region",
                    arn.region,
                    check.holder,
                    region.code()
                ),
                format!("use a key of {} (if this is one side of a pick, check that the two sides are not swapped)", region.code()),
            );
        }
        return;
    }
    if !is_kms_alias(s) && !is_kms_key_id(s) {
        scope.prop_error(
            prop,
            check.malformed,
            format!("{prop} `{s}` is not a KMS key ARN, key id, alias name or alias ARN"),
            format_hint,
        );
    }
}

/// Checks a literal global cluster identifier: 1 to 63 letters, digits or hyphens, a letter
/// first, no hyphen last nor two in a row (`GlobalClusterIdentifier` of "AWS::RDS::DBCluster",
/// pattern `^[a-zA-Z]{1}(?:-?[a-zA-Z0-9]){0,62}$`, max length 63,
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html>,
/// vendored in `dr-core/schemas/aws-rds-dbcluster.json`; the same constraints as
/// `NewGlobalClusterIdentifier` of "ModifyGlobalCluster",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyGlobalCluster.html>).
/// The empty string, which the schema admits, takes a cluster out of its global database, so
/// a membership cannot name it. A token is not checked.
fn check_global_cluster_identifier(scope: &Scope, id: &Val<String>) {
    let Some(s) = id.as_expr().as_str() else {
        return;
    };
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !s.ends_with('-')
        && !s.contains("--");
    if !ok {
        scope.prop_error(
            "global.global_cluster_identifier",
            codes::RDS_017,
            format!("global cluster identifier `{s}` is not valid"),
            "use 1 to 63 letters, digits or hyphens, starting with a letter, with no hyphen at the end or two in a row (or GlobalDatabase::primary, which passes the identifier CloudFormation generates)",
        );
    }
}

/// Checks `secret_replicas`: none on a global secondary, which has no secret of its
/// own, and never the cluster's own Region: Secrets Manager refuses a replica in the primary
/// secret's Region with "InvalidParameterException: Invalid replica region." (as reported in
/// aws-samples/aws-health-aware#32, <https://github.com/aws-samples/aws-health-aware/pull/32>,
/// and modelled by moto's `secretsmanager` backend, which raises it when a replica Region is
/// the secret's; replicas are copies in other Regions, "Replicate AWS Secrets Manager secrets
/// across Regions", <https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html>).
fn check_secret_replica_regions(scope: &Scope, props: &RdsClusterProps<'_>) {
    if props.secret_replicas.is_empty() {
        return;
    }
    if is_secondary(props) {
        scope.prop_error(
            "secret_replicas",
            codes::RDS_008,
            "secret_replicas is set on a global secondary, which has no secret of its own",
            "replicate the primary's secret instead (set secret_replicas on the primary)",
        );
        return;
    }
    if let Some(own) = scope.region()
        && props.secret_replicas.iter().any(|r| r.region == own)
    {
        scope.prop_error(
            "secret_replicas",
            codes::RDS_018,
            format!(
                "secret_replicas lists {}, the cluster's own Region, where the secret already is",
                own.code()
            ),
            format!("list only other Regions (remove {})", own.code()),
        );
    }
}

/// Whether the cluster joins a global database as a secondary, which has no secret of its
/// own.
fn is_secondary(props: &RdsClusterProps<'_>) -> bool {
    matches!(
        props.global,
        Some(GlobalMembership {
            role: GlobalRole::Secondary { .. },
            ..
        })
    )
}

fn add_subnet_group(scope: &Scope, props: &RdsClusterProps<'_>) -> CfnResource {
    scope.add(
        "SubnetGroup",
        &CfnDbSubnetGroup {
            db_subnet_group_description: val(format!("Private subnets of {}", scope.path())),
            subnet_ids: Some(
                props
                    .vpc
                    .private_subnet_ids()
                    .into_iter()
                    .map(Val::from)
                    .collect(),
            ),
            tags: Some(name_tag(scope)),
            ..Default::default()
        },
    )
}

fn add_security_group(
    scope: &Scope,
    props: &RdsClusterProps<'_>,
    cidrs: &[Ipv4Net],
    port: u16,
) -> CfnResource {
    let ingress: Vec<Ingress> = props
        .allowed_security_groups
        .iter()
        .map(|sg| Ingress {
            source_security_group_id: val(sg.clone()),
            ip_protocol: val("tcp"),
            from_port: val(i64::from(port)),
            to_port: val(i64::from(port)),
            description: val("database clients"),
            ..Default::default()
        })
        .chain(cidrs.iter().map(|c| Ingress {
            cidr_ip: val(c.to_string()),
            ip_protocol: val("tcp"),
            from_port: val(i64::from(port)),
            to_port: val(i64::from(port)),
            description: val("database clients"),
            ..Default::default()
        }))
        .collect();
    scope.add(
        "SecurityGroup",
        &CfnSecurityGroup {
            group_description: val(client_group_description(&scope.path())),
            vpc_id: val(props.vpc.vpc_id()),
            security_group_ingress: (!ingress.is_empty()).then_some(ingress),
            tags: Some(name_tag(scope)),
            ..Default::default()
        },
    )
}

/// The description of the security group of the cluster at `cluster_path`; create-only, so a
/// group made elsewhere for a cluster (`RdsClusterProps::security_group_id`) says the same.
pub(crate) fn client_group_description(cluster_path: &str) -> String {
    format!("{cluster_path}: database clients only")
}

/// A rule of the database group `group_id` admitting TCP on `port`, as a resource `id` under
/// `scope`; `set` names the source.
pub(crate) fn add_port_ingress(
    scope: &Scope,
    id: &str,
    group_id: Token,
    port: u16,
    description: &str,
    set: impl FnOnce(&mut CfnSecurityGroupIngress),
) -> CfnResource {
    let mut rule = CfnSecurityGroupIngress {
        group_id: val(group_id),
        ip_protocol: val("tcp"),
        from_port: val(i64::from(port)),
        to_port: val(i64::from(port)),
        description: val(description),
        ..Default::default()
    };
    set(&mut rule);
    scope.add(id, &rule)
}

fn add_secret(scope: &Scope, props: &RdsClusterProps<'_>) -> CfnResource {
    scope.add(
        "Secret",
        &CfnSecret {
            description: val(format!("Master credentials of {}", scope.path())),
            generate_secret_string: Some(GenerateSecretString {
                secret_string_template: val(
                    serde_json::json!({ "username": props.master_username }).to_string(),
                ),
                generate_string_key: val("password"),
                password_length: val(32),
                exclude_characters: val(PASSWORD_EXCLUDED_CHARACTERS),
                ..Default::default()
            }),
            name: val(secret_name(scope, props)),
            kms_key_id: props.secret_kms_key_id.clone(),
            replica_regions: (!props.secret_replicas.is_empty()).then(|| {
                props
                    .secret_replicas
                    .iter()
                    .map(|r| ReplicaRegion {
                        region: val(r.region.code()),
                        kms_key_id: r.kms_key_id.clone(),
                    })
                    .collect()
            }),
            tags: Some(vec![Tag::new("Name", scope.path())]),
            ..Default::default()
        },
    )
}

/// What the cluster resource refers to, built before it.
struct ClusterParts<'r> {
    version: &'r str,
    port: u16,
    subnet_group: &'r CfnResource,
    security_group_id: &'r Token,
    secret: Option<&'r CfnResource>,
    parameter_group: Option<&'r CfnResource>,
}

fn add_cluster(scope: &Scope, props: &RdsClusterProps<'_>, parts: ClusterParts<'_>) -> CfnResource {
    let mut cluster_props = CfnDbCluster {
        engine: val(props.engine.engine_name()),
        engine_version: val(parts.version),
        port: val(i64::from(parts.port)),
        db_subnet_group_name: val(parts.subnet_group.ref_()),
        vpc_security_group_ids: Some(vec![Val::from(parts.security_group_id.clone())]),
        storage_encrypted: val(true),
        kms_key_id: props.kms_key_id.clone(),
        deletion_protection: val(props.deletion_protection),
        backup_retention_period: val(props.backup_retention_days),
        copy_tags_to_snapshot: val(true),
        enable_iam_database_authentication: val(props.iam_authentication),
        enable_cloudwatch_logs_exports: Some(
            log_exports(props).into_iter().map(Val::from).collect(),
        )
        .filter(|v: &Vec<Val<String>>| !v.is_empty()),
        db_cluster_parameter_group_name: parts.parameter_group.map(|g| Val::from(g.ref_())),
        tags: Some(vec![Tag::new("Name", scope.path())]),
        ..Default::default()
    };
    // Set explicitly on the cluster as on its instances ("Automatic minor version upgrades for
    // Aurora DB clusters": Aurora upgrades only when the cluster and all its instances have it
    // on, "Maintaining an Amazon Aurora DB cluster",
    // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_UpgradeDBInstance.Maintenance.html>).
    cluster_props.auto_minor_version_upgrade = val(auto_minor_version_upgrade(props));
    // Database Insights is a cluster setting: "You can't manage Database Insights for a DB
    // instance in a DB cluster" ("Considerations for Database Insights for Amazon Aurora",
    // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Considerations.html>).
    match insights_retention(props) {
        Some(days) => {
            let advanced = props.database_insights == DatabaseInsights::Advanced;
            cluster_props.database_insights_mode =
                val(if advanced { "advanced" } else { "standard" });
            // Performance Insights at cluster level ("Amazon RDS Performance Insights
            // supports Aurora cluster-level configuration", AWS What's New, 2024-09,
            // <https://aws.amazon.com/about-aws/whats-new/2024/09/amazon-rds-performance-insights-supports-aurora-cluster-level-configuration/>),
            // which the Advanced mode requires with 465 days ("Turning on the Advanced mode of
            // Database Insights for Amazon Aurora",
            // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.TurningOnAdvanced.html>).
            // The instances repeat it (`add_instances`).
            cluster_props.performance_insights_enabled = val(true);
            cluster_props.performance_insights_retention_period = val(i64::from(days));
            cluster_props.performance_insights_kms_key_id = cluster_key(props);
        }
        None if props.database_insights == DatabaseInsights::StandardWithoutPerformanceInsights => {
            cluster_props.database_insights_mode = val("standard");
            cluster_props.performance_insights_enabled = val(false);
        }
        None => {}
    }
    if let Some(secret) = parts.secret {
        cluster_props.master_username = val(props.master_username.as_str());
        cluster_props.master_user_password = Some(Val::expr(Expr::sub(
            "{{resolve:secretsmanager:${Secret}:SecretString:password}}",
            [("Secret", secret.ref_())],
        )));
        cluster_props.database_name = props.database_name.as_deref().map(Val::from);
    }
    if let Some(g) = &props.global {
        cluster_props.global_cluster_identifier = Some(g.global_cluster_identifier.clone());
        if let GlobalRole::Secondary {
            source_region,
            kms_key_id,
        } = &g.role
        {
            cluster_props.source_region = val(source_region.code());
            cluster_props.kms_key_id = Some(
                kms_key_id
                    .clone()
                    .or_else(|| props.kms_key_id.clone())
                    .unwrap_or_else(|| Val::from("alias/aws/rds")),
            );
        }
    }
    let cluster = scope.add("Resource", &cluster_props);
    cluster.set_deletion_policy(DeletionPolicy::Snapshot);
    cluster.set_update_replace_policy(DeletionPolicy::Snapshot);
    cluster
}

fn add_instances(
    scope: &Scope,
    props: &RdsClusterProps<'_>,
    cluster: &CfnResource,
    monitoring_role: Option<Val<String>>,
) -> Vec<CfnResource> {
    let mut instances = Vec::new();
    // Performance Insights on every instance too, with the cluster's settings: RDS ignores
    // `PerformanceInsightsEnabled` when it creates a member of a global cluster
    // (hashicorp/terraform-provider-aws#41378,
    // <https://github.com/hashicorp/terraform-provider-aws/issues/41378>), and Database
    // Insights needs the same settings on each instance ("Considerations for Database
    // Insights for Amazon Aurora", above).
    let insights = insights_retention(props);
    let auto_upgrade = auto_minor_version_upgrade(props);
    for i in 0..props.instances {
        let id = match i {
            0 => "Writer".to_string(),
            1 => "Reader".to_string(),
            n => format!("Reader{n}"),
        };
        let inst = scope.add(
            &id,
            &CfnDbInstance {
                engine: val(props.engine.engine_name()),
                db_cluster_identifier: val(cluster.ref_()),
                db_instance_class: val(props.instance_class.as_str()),
                publicly_accessible: val(false),
                // Global database members must stay on the same patch level ("Upgrading an
                // Amazon Aurora global database",
                // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html>),
                // and AWS does not apply automatic minor upgrades to them: set explicitly,
                // false there, true on a standalone cluster.
                auto_minor_version_upgrade: val(auto_upgrade),
                monitoring_interval: (props.monitoring_interval_secs > 0)
                    .then(|| Val::from(i64::from(props.monitoring_interval_secs))),
                monitoring_role_arn: monitoring_role.clone(),
                enable_performance_insights: insights.map(|_| Val::from(true)),
                performance_insights_retention_period: insights
                    .map(|days| Val::from(i64::from(days))),
                performance_insights_kms_key_id: insights.and_then(|_| cluster_key(props)),
                promotion_tier: val(i64::from(i.min(15))),
                tags: Some(vec![Tag::new("Name", format!("{}/{id}", scope.path()))]),
                ..Default::default()
            },
        );
        // The cluster holds the data and takes the final snapshot. The RDS resource provider
        // fails the create of a cluster member asked to snapshot: "DeletionPolicy:Snapshot
        // cannot be specified for a cluster instance, use deletion policy on the cluster
        // instead." (aws-cloudformation/aws-cloudformation-resource-providers-rds,
        // `aws-rds-dbinstance/src/main/java/software/amazon/rds/dbinstance/CreateHandler.java`,
        // <https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds>);
        // AWS CDK's `DatabaseCluster` maps its instances' Snapshot policy to Delete likewise.
        inst.set_deletion_policy(DeletionPolicy::Delete);
        inst.set_update_replace_policy(DeletionPolicy::Delete);
        instances.push(inst);
    }
    instances
}

/// The master secret's name: [`RdsClusterProps::secret_name`] or the construct path.
fn secret_name(scope: &Scope, props: &RdsClusterProps<'_>) -> String {
    props.secret_name.clone().unwrap_or_else(|| scope.path())
}

/// How many days Performance Insights keeps, when the cluster has it: 7 (free) in the
/// Standard mode where the class supports it, 465 in the Advanced mode; `None` when off.
fn insights_retention(props: &RdsClusterProps<'_>) -> Option<u32> {
    match props.database_insights {
        DatabaseInsights::Advanced => Some(rds_facts::ADVANCED_INSIGHTS_MIN_RETENTION_DAYS),
        DatabaseInsights::Standard
            if rds_facts::database_insights_supported(props.engine, &props.instance_class) =>
        {
            Some(rds_facts::FREE_INSIGHTS_RETENTION_DAYS)
        }
        _ => None,
    }
}

/// The customer managed key of the cluster's Region, if it has one (a secondary's own, else
/// `kms_key_id`), which also encrypts its Performance Insights data; `None` leaves RDS's
/// default, the AWS managed `aws/rds` key.
fn cluster_key(props: &RdsClusterProps<'_>) -> Option<Val<String>> {
    match &props.global {
        Some(GlobalMembership {
            role:
                GlobalRole::Secondary {
                    kms_key_id: Some(key),
                    ..
                },
            ..
        }) => Some(key.clone()),
        _ => props.kms_key_id.clone(),
    }
}

/// `AutoMinorVersionUpgrade` of the cluster and its instances: the prop, else false for a
/// member of a global database (AWS does not upgrade those automatically) and true otherwise.
fn auto_minor_version_upgrade(props: &RdsClusterProps<'_>) -> bool {
    props
        .auto_minor_version_upgrade
        .unwrap_or(!is_global_member(props))
}

/// Whether the cluster is a member of an Aurora global database.
fn is_global_member(props: &RdsClusterProps<'_>) -> bool {
    props.global.is_some()
}

/// The log types the cluster exports: the prop, or the engine's defaults.
fn log_exports(props: &RdsClusterProps<'_>) -> Vec<String> {
    props.log_exports.clone().unwrap_or_else(|| {
        default_log_exports(props.engine)
            .iter()
            .map(|s| s.to_string())
            .collect()
    })
}

/// Checks the master secret's settings: none on a global secondary, which has no secret of
/// its own (DRK-RDS-008); a name Secrets Manager accepts, the default (the construct path)
/// included; keys of the secret's and each replica's Region.
fn check_secret(scope: &Scope, props: &RdsClusterProps<'_>) {
    if is_secondary(props) {
        for (prop, set) in [
            ("secret_name", props.secret_name.is_some()),
            ("secret_kms_key_id", props.secret_kms_key_id.is_some()),
        ] {
            if set {
                scope.prop_error(
                    prop,
                    codes::RDS_008,
                    format!("{prop} is set on a global secondary, which has no secret of its own"),
                    format!("set {prop} on the primary, whose secret the secondary's Region reads through its replica"),
                );
            }
        }
        return;
    }
    // "CreateSecret", `Name`: "The secret name can contain ASCII letters, numbers, and the
    // following characters: /_+=.@-. Do not end your secret name with a hyphen followed by
    // six characters", 1 to 512 characters (AWS Secrets Manager API Reference,
    // <https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html>).
    let name = secret_name(scope, props);
    let chars_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c));
    let suffix_like = name.len() >= 7 && name.as_bytes()[name.len() - 7] == b'-';
    if name.is_empty() || name.len() > 512 || !chars_ok || suffix_like {
        let whose = if props.secret_name.is_some() {
            String::new()
        } else {
            " (the default, the cluster's construct path)".to_string()
        };
        scope.prop_error(
            "secret_name",
            codes::RDS_019,
            format!("`{name}`{whose} is not a secret name Secrets Manager accepts and finds unambiguously"),
            "use 1 to 512 ASCII letters, digits and /_+=.@-, not ending with a hyphen followed by six characters",
        );
    }
    if let Some(key) = &props.secret_kms_key_id {
        check_kms_key_of(
            scope,
            "secret_kms_key_id",
            key,
            KeyCheck {
                region: scope.region(),
                holder: "the secret",
                malformed: codes::RDS_020,
                other_region: codes::RDS_020,
            },
        );
    }
    for replica in &props.secret_replicas {
        if let Some(key) = &replica.kms_key_id {
            check_kms_key_of(
                scope,
                "secret_replicas",
                key,
                KeyCheck {
                    region: Some(replica.region),
                    holder: "its replica",
                    malformed: codes::RDS_020,
                    other_region: codes::RDS_020,
                },
            );
        }
    }
}

/// Checks the log types, Enhanced Monitoring, Database Insights and minor version upgrades:
/// what RDS refuses or would silently not do, reported where the user wrote it.
fn check_observability(scope: &Scope, props: &RdsClusterProps<'_>) {
    let allowed = rds_facts::exportable_log_types(props.engine);
    let logs = log_exports(props);
    for (i, log) in logs.iter().enumerate() {
        if !allowed.contains(&log.as_str()) {
            scope.prop_error(
                "log_exports",
                codes::RDS_021,
                format!(
                    "{} does not export the `{log}` log to CloudWatch Logs",
                    props.engine.engine_name()
                ),
                format!("use some of {}", allowed.join(", ")),
            );
        } else if logs[..i].contains(log) {
            // `uniqueItems` of `EnableCloudwatchLogsExports` ("AWS::RDS::DBCluster",
            // vendored in `dr-core/schemas/aws-rds-dbcluster.json`).
            scope.prop_error(
                "log_exports",
                codes::RDS_021,
                format!("log_exports lists `{log}` twice"),
                "list each log type once",
            );
        }
    }
    if !props.iam_authentication && logs.iter().any(|l| l == rds_facts::IAM_DB_AUTH_ERROR_LOG) {
        scope.prop_error(
            "iam_authentication",
            codes::RDS_022,
            format!(
                "iam_authentication is off, but log_exports lists `{}`, whose log only IAM database authentication writes",
                rds_facts::IAM_DB_AUTH_ERROR_LOG
            ),
            format!(
                "turn iam_authentication on, or remove `{}` from log_exports",
                rds_facts::IAM_DB_AUTH_ERROR_LOG
            ),
        );
    }
    let interval = props.monitoring_interval_secs;
    if !rds_facts::MONITORING_INTERVALS.contains(&interval) {
        scope.prop_error(
            "monitoring_interval_secs",
            codes::RDS_023,
            format!("RDS does not collect Enhanced Monitoring metrics every {interval} s"),
            "use 1, 5, 10, 15, 30 or 60, or 0 to turn Enhanced Monitoring off",
        );
    }
    if let Some(role) = &props.monitoring_role_arn {
        if interval == 0 {
            scope.prop_error(
                "monitoring_role_arn",
                codes::RDS_024,
                "a monitoring role is given but Enhanced Monitoring is off (interval 0); RDS refuses a MonitoringRoleARN without a MonitoringInterval",
                "give a monitoring interval, or leave the role out",
            );
        } else if let Some(arn) = role.as_expr().as_str() {
            // "arn:aws:iam::<account>:role/<path/name>" ("IAM identifiers", IAM User Guide,
            // <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html>).
            let is_role = dr_core::arn::parse(arn).is_ok_and(|a| {
                a.service == "iam"
                    && a.region.is_empty()
                    && !a.account.is_empty()
                    && a.resource
                        .strip_prefix("role/")
                        .is_some_and(|n| !n.is_empty())
            });
            if !is_role {
                scope.prop_error(
                    "monitoring_role_arn",
                    codes::RDS_025,
                    format!("monitoring_role_arn `{arn}` is not the ARN of an IAM role"),
                    "give arn:aws:iam::<account>:role/<name>, or leave it unset and drkit creates the role",
                );
            }
        }
    }
    if props.database_insights == DatabaseInsights::Advanced
        && !rds_facts::database_insights_supported(props.engine, &props.instance_class)
    {
        scope.prop_error(
            "database_insights",
            codes::RDS_026,
            format!(
                "{} on {} does not support Database Insights nor the Performance Insights its Advanced mode needs",
                props.engine.engine_name(),
                props.instance_class
            ),
            "use DatabaseInsights::Standard (left to RDS's default on this class), or a larger instance class",
        );
    }
    if is_global_member(props) && props.auto_minor_version_upgrade == Some(true) {
        scope.prop_error(
            "auto_minor_version_upgrade",
            codes::RDS_028,
            "automatic minor version upgrades are asked of a member of an Aurora global database, where AWS does not apply them",
            "leave it unset (false on a global member) and upgrade the global database deliberately, secondaries first",
        );
    }
}

/// The Enhanced Monitoring role: [`RdsClusterProps::monitoring_role_arn`], or one drkit
/// creates, assumable by `monitoring.rds.amazonaws.com` for this account's instances only
/// ("Setting up and enabling Enhanced Monitoring",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Monitoring.OS.Enabling.html>).
fn monitoring_role(scope: &Scope, props: &RdsClusterProps<'_>) -> Option<Val<String>> {
    if props.monitoring_interval_secs == 0 {
        return None;
    }
    if let Some(arn) = &props.monitoring_role_arn {
        return Some(arn.clone());
    }
    let role = scope.add(
        "MonitoringRole",
        &CfnRole {
            assume_role_policy_document: Some(Expr::map([
                ("Version", Expr::from("2012-10-17")),
                (
                    "Statement",
                    Expr::list([Expr::map([
                        ("Effect", Expr::from("Allow")),
                        (
                            "Principal",
                            Expr::map([("Service", Expr::from("monitoring.rds.amazonaws.com"))]),
                        ),
                        ("Action", Expr::from("sts:AssumeRole")),
                        (
                            "Condition",
                            Expr::map([(
                                "StringEquals",
                                Expr::map([(
                                    "aws:SourceAccount",
                                    Expr::sub("${AWS::AccountId}", Vec::<(String, Expr)>::new()),
                                )]),
                            )]),
                        ),
                    ])]),
                ),
            ])),
            managed_policy_arns: Some(vec![managed_policy(ENHANCED_MONITORING_POLICY)]),
            tags: Some(vec![Tag::new(
                "Name",
                format!("{}/MonitoringRole", scope.path()),
            )]),
            ..Default::default()
        },
    );
    Some(Val::from(role.get_att("Arn")))
}

/// The DB cluster parameter group that turns on what the exported MySQL logs need: Advanced
/// Auditing for `audit` ([`AUDIT_EVENTS`]) and the slow query log for `slowquery`; without
/// them those logs stay empty ("Using Advanced Auditing with an Amazon Aurora MySQL DB
/// cluster", <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html>;
/// "Overview of Aurora MySQL database logs",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_LogAccess.MySQL.LogFileSize.html>:
/// "You can generate the slow query and general logs by setting parameters"). An Aurora
/// MySQL cluster created with the group needs no reboot; an existing cluster that first gets
/// one applies it at its next reboot ("When you first associate a parameter group with the
/// cluster, a cluster reboot is required", the Advanced Auditing page), which drkit does not
/// do for it.
/// `None` for PostgreSQL, whose `postgresql` log needs no parameter, or when neither is exported.
fn log_parameter_group(
    scope: &Scope,
    props: &RdsClusterProps<'_>,
    version: &str,
) -> Option<CfnResource> {
    if props.engine != AuroraEngine::MySql {
        return None;
    }
    let logs = log_exports(props);
    let mut parameters = Vec::new();
    if logs.iter().any(|l| l == "audit") {
        // `1` as in the example of "ModifyDBClusterParameterGroup" (Amazon RDS API Reference,
        // <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBClusterParameterGroup.html>).
        parameters.push(("server_audit_logging", Expr::from("1")));
        parameters.push(("server_audit_events", Expr::from(AUDIT_EVENTS)));
    }
    if logs.iter().any(|l| l == "slowquery") {
        // The example of "Configuring your database to monitor slow SQL queries with Database
        // Insights for Amazon Aurora"
        // (<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.SlowSQL.html>):
        // queries over one second, written to the file RDS exports.
        parameters.push(("slow_query_log", Expr::from("1")));
        parameters.push(("long_query_time", Expr::from("1.0")));
        parameters.push(("log_output", Expr::from("FILE")));
    }
    if parameters.is_empty() {
        return None;
    }
    // The family is the engine and the MySQL version an Aurora MySQL version starts with:
    // `aurora-mysql5.7` for version 2, `aurora-mysql8.0` for version 3 (`Family` of
    // "AWS::RDS::DBClusterParameterGroup",
    // <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbclusterparametergroup.html>).
    let mysql: Vec<&str> = version.split('.').take(2).collect();
    let family = format!("aurora-mysql{}", mysql.join("."));
    Some(scope.add(
        "Parameters",
        &CfnDbClusterParameterGroup {
            description: val(format!("Log settings of {}", scope.path())),
            family: val(family.as_str()),
            parameters: Some(Expr::map(parameters)),
            tags: Some(vec![Tag::new(
                "Name",
                format!("{}/Parameters", scope.path()),
            )]),
            ..Default::default()
        },
    ))
}

fn record_summary(scope: &Scope, props: &RdsClusterProps<'_>) {
    let engine = props.engine;
    let readers = props.instances.saturating_sub(1);
    SummaryRow {
        asset: format!("RDS ({})", engine.display_name()),
        purpose: "relational database: an Aurora cluster with a writer and readers, in private subnets".into(),
        size: props.instance_class.clone(),
        quantity: format!("{} (1 writer + {readers} reader{})", props.instances, if readers == 1 { "" } else { "s" }),
        dr: match props.global.as_ref().map(|g| &g.role) {
            None => "single-region cluster; automated backups only".into(),
            Some(GlobalRole::Primary) => "primary of an Aurora global database, replicated to the DR region".into(),
            Some(GlobalRole::Secondary { source_region, .. }) => {
                format!("secondary of an Aurora global database (primary in {source_region}); promoted on failover")
            }
        },
    }
    .record(scope);
}

/// Settings of a [`GlobalDatabase`]: `GlobalDatabaseProps::builder().build()`.
#[derive(Debug, Clone, PartialEq, Eq, bon::Builder)]
#[builder(on(String, into), on(_, setters(doc(default(skip)))))]
pub struct GlobalDatabaseProps {
    /// The engine; the member clusters must use the same. Default: [`AuroraEngine::MySql`].
    #[builder(default = AuroraEngine::MySql)]
    pub engine: AuroraEngine,
    /// The engine version; the member clusters must use the same, patch level included.
    /// Default: the engine's ([`AuroraEngine::default_version`]).
    pub engine_version: Option<String>,
    /// Deletion protection. Default: on.
    #[builder(default = true)]
    pub deletion_protection: bool,
}

/// An empty `AWS::RDS::GlobalCluster` (engine and version, storage encrypted) that a primary
/// [`RdsCluster`] joins with [`GlobalRole::Primary`] and secondaries in other Regions
/// with [`GlobalRole::Secondary`]. Its identifier is left to CloudFormation, so that it is
/// unique across Regions. `DeletionPolicy` is `Delete` (a global cluster accepts only
/// Delete/Retain; the data lives in the member clusters, which snapshot).
#[derive(Debug, Clone)]
pub struct GlobalDatabase {
    scope: Scope,
    resource: CfnResource,
    engine: AuroraEngine,
    engine_version: String,
}

impl GlobalDatabase {
    /// Creates the global cluster under `scope` with id `id`.
    pub fn new(scope: &Scope, id: &str, props: GlobalDatabaseProps) -> GlobalDatabase {
        let scope = scope.child(id);
        let version = props
            .engine_version
            .unwrap_or_else(|| props.engine.default_version().to_string());
        let resource = scope.add(
            "Resource",
            &CfnGlobalCluster {
                engine: val(props.engine.engine_name()),
                engine_version: val(version.as_str()),
                storage_encrypted: val(true),
                deletion_protection: val(props.deletion_protection),
                ..Default::default()
            },
        );
        resource.set_deletion_policy(DeletionPolicy::Delete);
        resource.set_update_replace_policy(DeletionPolicy::Delete);
        GlobalDatabase {
            scope,
            resource,
            engine: props.engine,
            engine_version: version,
        }
    }
    /// The construct's scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The global cluster resource.
    pub fn resource(&self) -> &CfnResource {
        &self.resource
    }
    /// The global cluster identifier.
    pub fn identifier(&self) -> Token {
        self.resource.ref_()
    }
    /// The membership of a primary cluster in this Region.
    pub fn primary(&self) -> GlobalMembership {
        self.membership(GlobalRole::Primary)
    }
    /// The membership of a secondary cluster in another Region; `source_region` is this
    /// global cluster's (the primary's) Region.
    pub fn secondary(
        &self,
        source_region: Region,
        kms_key_id: Option<Val<String>>,
    ) -> GlobalMembership {
        self.membership(GlobalRole::Secondary {
            source_region,
            kms_key_id,
        })
    }
    fn membership(&self, role: GlobalRole) -> GlobalMembership {
        GlobalMembership {
            global_cluster_identifier: Val::from(self.identifier()),
            engine: self.engine,
            engine_version: self.engine_version.clone(),
            role,
        }
    }
    /// The engine.
    pub fn engine(&self) -> AuroraEngine {
        self.engine
    }
    /// The engine version.
    pub fn engine_version(&self) -> &str {
        &self.engine_version
    }
}
