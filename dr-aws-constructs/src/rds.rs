//! `RdsCluster`: an Aurora cluster (writer + readers) in private subnets, and the building
//! blocks of an Aurora global database ([`GlobalDatabase`], [`GlobalMembership`]).

use dr_core::diagnostics::codes;
use dr_core::facts::rds::AuroraEngine;
use dr_core::{CfnResource, DeletionPolicy, Expr, Region, Scope, Token, Val};
use ipnet::Ipv4Net;

use crate::common::{SummaryRow, name_tag, val};
use crate::l1::Tag;
use crate::l1::ec2::security_group::Ingress;
use crate::l1::ec2::{CfnSecurityGroup, CfnSecurityGroupIngress};
use crate::l1::rds::{CfnDbCluster, CfnDbInstance, CfnDbSubnetGroup, CfnGlobalCluster};
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
    /// Region's stack for a secondary (synthesis wires it across Regions).
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

/// Settings of an [`RdsCluster`]: `RdsClusterProps::builder().vpc(&vpc).build()`.
#[derive(Debug, Clone, bon::Builder)]
#[builder(on(String, into), on(_, setters(doc(default(skip)))))]
pub struct RdsClusterProps<'a> {
    /// The VPC; the subnet group uses its private subnets. Required.
    pub vpc: &'a Vpc,
    /// The engine. Default: [`AuroraEngine::MySql`].
    #[builder(default = AuroraEngine::MySql)]
    pub engine: AuroraEngine,
    /// The engine version, patch level included. Default: the engine's
    /// ([`AuroraEngine::default_version`]).
    pub engine_version: Option<String>,
    /// The DB instance class of every instance. Default: [`DEFAULT_DB_INSTANCE_CLASS`].
    #[builder(default = DEFAULT_DB_INSTANCE_CLASS)]
    pub instance_class: String,
    /// How many instances, 1 to 16: one writer and the rest readers. Default:
    /// [`DEFAULT_DB_INSTANCES`].
    #[builder(default = DEFAULT_DB_INSTANCES)]
    pub instances: u32,
    /// The database created in the cluster. Default: none.
    pub database_name: Option<String>,
    /// The master user name (stored in the secret next to the generated password). Default:
    /// [`DEFAULT_MASTER_USERNAME`].
    #[builder(default = DEFAULT_MASTER_USERNAME)]
    pub master_username: String,
    /// The port. Default: the engine's ([`AuroraEngine::default_port`]: 3306 / 5432).
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
    /// A KMS key for storage encryption; storage is always encrypted. Default: the AWS managed
    /// `aws/rds` key.
    pub kms_key_id: Option<Val<String>>,
    /// Membership in an Aurora global database. Default: none, a standalone cluster.
    pub global: Option<GlobalMembership>,
    /// Regions the master secret is replicated to (the DR Region, so that applications there
    /// read it locally during an outage of this one). Default: none.
    #[builder(default)]
    pub secret_replica_regions: Vec<Region>,
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
#[derive(Debug, Clone)]
pub struct RdsCluster {
    scope: Scope,
    cluster: CfnResource,
    instances: Vec<CfnResource>,
    security_group: CfnResource,
    secret: Option<CfnResource>,
    port: u16,
    engine: AuroraEngine,
    engine_version: String,
}

impl RdsCluster {
    /// Creates the cluster under `scope` with id `id`.
    pub fn new(scope: &Scope, id: &str, props: RdsClusterProps<'_>) -> RdsCluster {
        let scope = scope.child(id);
        let engine = props.engine;
        let version = props
            .engine_version
            .clone()
            .unwrap_or_else(|| engine.default_version().to_string());
        let port = props.port.unwrap_or_else(|| engine.default_port());
        let cidrs = check_props(&scope, &props, &version);
        let secondary = is_secondary(&props);

        let subnet_group = add_subnet_group(&scope, &props);
        let security_group = add_security_group(&scope, &props, &cidrs, port);
        let secret = (!secondary).then(|| add_secret(&scope, &props));
        let cluster = add_cluster(
            &scope,
            &props,
            ClusterParts {
                version: &version,
                port,
                subnet_group: &subnet_group,
                security_group: &security_group,
                secret: secret.as_ref(),
            },
        );
        let instances = add_instances(&scope, &props, &cluster);
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

        RdsCluster {
            scope,
            cluster,
            instances,
            security_group,
            secret,
            port,
            engine,
            engine_version: version,
        }
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
        let net = validate::check_allowed_cidrs(&self.scope, "CIDR", &[cidr.to_string()]).pop()?;
        Some(self.ingress(id, description, |i| i.cidr_ip = val(net.to_string())))
    }

    fn ingress(
        &self,
        id: &str,
        description: &str,
        set: impl FnOnce(&mut CfnSecurityGroupIngress),
    ) -> CfnResource {
        let mut rule = CfnSecurityGroupIngress {
            group_id: val(self.security_group_id()),
            ip_protocol: val("tcp"),
            from_port: val(i64::from(self.port)),
            to_port: val(i64::from(self.port)),
            description: val(description),
            ..Default::default()
        };
        set(&mut rule);
        self.scope.add(id, &rule)
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
    /// The master secret's ARN; `None` on a global secondary, which has no secret of its own.
    pub fn secret_arn(&self) -> Option<Token> {
        self.secret.as_ref().map(CfnResource::ref_)
    }
    /// The database security group's id.
    pub fn security_group_id(&self) -> Token {
        self.security_group.get_att("GroupId")
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

/// Reports every invalid setting, before anything is built, and returns the valid
/// `allowed_cidrs`.
fn check_props(scope: &Scope, props: &RdsClusterProps<'_>, version: &str) -> Vec<Ipv4Net> {
    let engine = props.engine;
    validate::check_db_instance_class(scope, engine, version, &props.instance_class);
    if props.global.is_some() {
        validate::check_global_db_instance_class(scope, &props.instance_class);
    }
    if !(1..=16).contains(&props.instances) {
        scope.error(
            codes::RDS_005,
            format!(
                "instances is {}; an Aurora cluster takes 1 writer and up to 15 readers",
                props.instances
            ),
            "set instances between 1 and 16 (2 gives a writer and a reader)",
        );
    }
    if !(1..=35).contains(&props.backup_retention_days) {
        scope.error(
            codes::RDS_006,
            format!(
                "backup_retention_days is {}; Aurora keeps automated backups 1 to 35 days",
                props.backup_retention_days
            ),
            "set backup_retention_days between 1 and 35",
        );
    }
    check_identifier(scope, "master_username", &props.master_username, 16);
    if let Some(db) = &props.database_name {
        check_identifier(scope, "database_name", db, 63);
    }
    let cidrs = validate::check_allowed_cidrs(scope, "allowed_cidrs entry", &props.allowed_cidrs);
    if props.vpc.az_count() < 2 {
        scope.error(
            codes::RDS_007,
            format!(
                "an RDS subnet group needs subnets in at least 2 AZs; the VPC has {}",
                props.vpc.az_count()
            ),
            "give the VPC 2 or more AZs",
        );
    }
    check_global_membership(scope, props, version);
    cidrs
}

fn check_global_membership(scope: &Scope, props: &RdsClusterProps<'_>, version: &str) {
    let engine = props.engine;
    if let Some(g) = &props.global
        && (g.engine != engine || g.engine_version != version)
    {
        scope.error(
                codes::RDS_010,
                format!(
                    "{engine} {version} differs from the global database's {} {}; every member of an Aurora global database runs the same engine version, patch level included",
                    g.engine, g.engine_version
                ),
                format!("set engine_version to {} (or leave engine and engine_version unset on both)", g.engine_version),
            );
    }
    if is_secondary(props) && !props.secret_replica_regions.is_empty() {
        scope.error(
            codes::RDS_008,
            "secret_replica_regions is set on a global secondary, which has no secret of its own",
            "replicate the primary's secret instead (set secret_replica_regions on the primary)",
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
            group_description: val(format!("{}: database clients only", scope.path())),
            vpc_id: val(props.vpc.vpc_id()),
            security_group_ingress: (!ingress.is_empty()).then_some(ingress),
            tags: Some(name_tag(scope)),
            ..Default::default()
        },
    )
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
            replica_regions: (!props.secret_replica_regions.is_empty()).then(|| {
                props
                    .secret_replica_regions
                    .iter()
                    .map(|r| ReplicaRegion {
                        region: val(r.code()),
                        ..Default::default()
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
    security_group: &'r CfnResource,
    secret: Option<&'r CfnResource>,
}

fn add_cluster(scope: &Scope, props: &RdsClusterProps<'_>, parts: ClusterParts<'_>) -> CfnResource {
    let mut cluster_props = CfnDbCluster {
        engine: val(props.engine.engine_name()),
        engine_version: val(parts.version),
        port: val(i64::from(parts.port)),
        db_subnet_group_name: val(parts.subnet_group.ref_()),
        vpc_security_group_ids: Some(vec![Val::from(parts.security_group.get_att("GroupId"))]),
        storage_encrypted: val(true),
        kms_key_id: props.kms_key_id.clone(),
        deletion_protection: val(props.deletion_protection),
        backup_retention_period: val(props.backup_retention_days),
        copy_tags_to_snapshot: val(true),
        tags: Some(vec![Tag::new("Name", scope.path())]),
        ..Default::default()
    };
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
) -> Vec<CfnResource> {
    let mut instances = Vec::new();
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
                // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html>):
                // upgrades are deliberate, never automatic.
                auto_minor_version_upgrade: val(false),
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

fn check_identifier(scope: &Scope, field: &str, value: &str, max: usize) {
    let ok = !value.is_empty()
        && value.len() <= max
        && value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        scope.error(
            codes::RDS_009,
            format!("{field} `{value}` is not a valid name"),
            format!("use 1 to {max} letters, digits or underscores, starting with a letter"),
        );
    } else if value == "rdsadmin" {
        scope.error(
            codes::RDS_009,
            format!("{field} `rdsadmin` is reserved by RDS"),
            "choose another name, e.g. dbadmin",
        );
    }
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
