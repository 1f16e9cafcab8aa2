//! Slips in `RdsClusterProps` of a standalone cluster (a `DrPair` fills these itself from
//! `DatabaseProps`, rowed in `dr_pair.rs`), and in its `GlobalMembership` (props named
//! `global.…`).

use dr_aws_constructs::*;
use dr_core::facts::rds::AuroraEngine;
use dr_core::{App, Region, Val};

use super::{Row, check_rows, stack};

/// A KMS key of the cluster's Region (us-east-2).
pub const KEY_EAST: &str =
    "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/// The same key id in us-west-2.
pub const KEY_WEST: &str =
    "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// Every prop of a standalone cluster, written out.
#[derive(Clone)]
pub struct RdsKnobs {
    pub engine: AuroraEngine,
    pub engine_version: Option<String>,
    pub instance_class: String,
    pub instances: u32,
    pub database_name: Option<String>,
    pub master_username: String,
    pub port: Option<u16>,
    pub backup_retention_days: u32,
    pub deletion_protection: bool,
    pub allowed_cidrs: Vec<String>,
    pub kms_key_id: Option<String>,
    pub global: Option<GlobalKnobs>,
    pub secret_replicas: Vec<Region>,
    pub secret_name: Option<String>,
    pub log_exports: Option<Vec<String>>,
    pub monitoring_interval_secs: u32,
    pub monitoring_role_arn: Option<String>,
    pub database_insights: DatabaseInsights,
    pub auto_minor_version_upgrade: Option<bool>,
}

/// Every field of a `GlobalMembership`, written out (the role as a flag: a secondary's source
/// is us-west-2, with no key of its own).
#[derive(Clone)]
pub struct GlobalKnobs {
    pub global_cluster_identifier: String,
    pub engine: AuroraEngine,
    pub engine_version: String,
    pub secondary: bool,
}

impl Default for GlobalKnobs {
    fn default() -> Self {
        GlobalKnobs {
            global_cluster_identifier: "shop-global".into(),
            engine: AuroraEngine::MySql,
            engine_version: AuroraEngine::MySql.default_version().into(),
            secondary: false,
        }
    }
}

impl Default for RdsKnobs {
    fn default() -> Self {
        RdsKnobs {
            engine: AuroraEngine::MySql,
            engine_version: Some(AuroraEngine::MySql.default_version().into()),
            instance_class: "db.r6g.large".into(),
            instances: 2,
            database_name: Some("grafana".into()),
            master_username: "dbadmin".into(),
            port: Some(3306),
            backup_retention_days: 7,
            deletion_protection: true,
            allowed_cidrs: vec!["10.20.0.0/16".into()],
            kms_key_id: Some(KEY_EAST.into()),
            global: None,
            secret_replicas: vec![Region::UsWest2],
            secret_name: Some("shop/master".into()),
            log_exports: None,
            monitoring_interval_secs: 60,
            monitoring_role_arn: None,
            database_insights: DatabaseInsights::Standard,
            auto_minor_version_upgrade: None,
        }
    }
}

/// `k` with a global membership (every field valid) changed by `f`.
fn global(k: &mut RdsKnobs, f: fn(&mut GlobalKnobs)) {
    let mut g = GlobalKnobs::default();
    f(&mut g);
    k.global = Some(g);
}

/// A stack in us-east-2 with a VPC and the cluster built from `k`.
pub fn rds_app(k: &RdsKnobs) -> App {
    let app = App::new("db");
    let s = stack(&app, "Data", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    let global = k.global.as_ref().map(|g| GlobalMembership {
        global_cluster_identifier: Val::from(g.global_cluster_identifier.as_str()),
        engine: g.engine,
        engine_version: g.engine_version.clone(),
        role: if g.secondary {
            GlobalRole::Secondary {
                source_region: Region::UsWest2,
                kms_key_id: None,
            }
        } else {
            GlobalRole::Primary
        },
    });
    RdsCluster::new(
        &s,
        "Database",
        RdsClusterProps::builder()
            .vpc(&vpc)
            .engine(k.engine)
            .maybe_engine_version(k.engine_version.clone())
            .instance_class(k.instance_class.clone())
            .instances(k.instances)
            .maybe_database_name(k.database_name.clone())
            .master_username(k.master_username.clone())
            .maybe_port(k.port)
            .backup_retention_days(k.backup_retention_days)
            .deletion_protection(k.deletion_protection)
            .allowed_cidrs(k.allowed_cidrs.clone())
            .maybe_kms_key_id(k.kms_key_id.as_deref().map(Val::from))
            .maybe_global(global)
            .secret_replicas(k.secret_replicas.clone())
            .maybe_secret_name(k.secret_name.clone())
            .maybe_log_exports(k.log_exports.clone())
            .monitoring_interval_secs(k.monitoring_interval_secs)
            .maybe_monitoring_role_arn(k.monitoring_role_arn.as_deref().map(Val::from))
            .database_insights(k.database_insights)
            .maybe_auto_minor_version_upgrade(k.auto_minor_version_upgrade)
            .build(),
    );
    app
}

const AT: &str = "Data/Database";

pub const ROWS: &[Row<RdsKnobs>] = &[
    // engine_version
    Row {
        slip: "a deprecated Aurora MySQL 3 version",
        apply: |k| k.engine_version = Some("8.0.mysql_aurora.3.01.0".into()),
        path: AT,
        prop: "engine_version",
    },
    Row {
        slip: "a deprecated Aurora MySQL 2 version",
        apply: |k| k.engine_version = Some("5.7.12".into()),
        path: AT,
        prop: "engine_version",
    },
    Row {
        slip: "a deprecated Aurora PostgreSQL version",
        apply: |k| {
            k.engine = AuroraEngine::PostgreSql;
            k.engine_version = Some("16.1".into());
        },
        path: AT,
        prop: "engine_version",
    },
    Row {
        slip: "not a version",
        apply: |k| k.engine_version = Some("latest".into()),
        path: AT,
        prop: "engine_version",
    },
    Row {
        slip: "an Aurora MySQL 3 version with one number after mysql_aurora",
        apply: |k| k.engine_version = Some("8.0.mysql_aurora.9".into()),
        path: AT,
        prop: "engine_version",
    },
    Row {
        slip: "an empty version",
        apply: |k| k.engine_version = Some(String::new()),
        path: AT,
        prop: "engine_version",
    },
    Row {
        slip: "an Aurora MySQL version for Aurora PostgreSQL",
        apply: |k| {
            k.engine = AuroraEngine::PostgreSql;
            k.port = Some(5432);
        },
        path: AT,
        prop: "engine_version",
    },
    Row {
        slip: "a version other than the global database's",
        apply: |k| {
            global(k, |_| {});
            k.engine_version = Some("8.0.mysql_aurora.3.10.2".into());
        },
        path: AT,
        prop: "engine_version",
    },
    Row {
        slip: "an engine other than the global database's",
        apply: |k| {
            global(k, |g| {
                g.engine = AuroraEngine::PostgreSql;
                g.engine_version = "16.10".into();
            })
        },
        path: AT,
        prop: "engine",
    },
    // instance_class
    Row {
        slip: "a typo in the class",
        apply: |k| k.instance_class = "db.r6g.lrage".into(),
        path: AT,
        prop: "instance_class",
    },
    Row {
        slip: "a class Aurora MySQL 3 does not offer",
        apply: |k| k.instance_class = "db.t2.small".into(),
        path: AT,
        prop: "instance_class",
    },
    Row {
        slip: "a burstable class in a global database",
        apply: |k| {
            global(k, |_| {});
            k.instance_class = "db.t3.medium".into();
        },
        path: AT,
        prop: "instance_class",
    },
    Row {
        slip: "a burstable class the version does not offer, in a global database",
        apply: |k| {
            global(k, |_| {});
            k.instance_class = "db.t2.small".into();
        },
        path: AT,
        prop: "instance_class",
    },
    Row {
        slip: "a general-purpose class in a global database",
        apply: |k| {
            global(k, |_| {});
            k.instance_class = "db.m5.large".into();
        },
        path: AT,
        prop: "instance_class",
    },
    // instances
    Row {
        slip: "no instances",
        apply: |k| k.instances = 0,
        path: AT,
        prop: "instances",
    },
    Row {
        slip: "17 instances",
        apply: |k| k.instances = 17,
        path: AT,
        prop: "instances",
    },
    // database_name
    Row {
        slip: "a database name starting with a digit",
        apply: |k| k.database_name = Some("1grafana".into()),
        path: AT,
        prop: "database_name",
    },
    Row {
        slip: "an empty database name",
        apply: |k| k.database_name = Some(String::new()),
        path: AT,
        prop: "database_name",
    },
    Row {
        slip: "a hyphen in the database name",
        apply: |k| k.database_name = Some("my-db".into()),
        path: AT,
        prop: "database_name",
    },
    Row {
        slip: "a 65-character MySQL database name",
        apply: |k| k.database_name = Some("d".repeat(65)),
        path: AT,
        prop: "database_name",
    },
    Row {
        slip: "a 64-character PostgreSQL database name",
        apply: |k| {
            k.engine = AuroraEngine::PostgreSql;
            k.engine_version = Some(AuroraEngine::PostgreSql.default_version().into());
            k.database_name = Some("d".repeat(64));
        },
        path: AT,
        prop: "database_name",
    },
    Row {
        slip: "a PostgreSQL reserved word as the database name",
        apply: |k| {
            k.engine = AuroraEngine::PostgreSql;
            k.engine_version = Some(AuroraEngine::PostgreSql.default_version().into());
            k.database_name = Some("select".into());
        },
        path: AT,
        prop: "database_name",
    },
    // master_username
    Row {
        slip: "RDS's own user",
        apply: |k| k.master_username = "rdsadmin".into(),
        path: AT,
        prop: "master_username",
    },
    Row {
        slip: "a 17-character master user name",
        apply: |k| k.master_username = "a".repeat(17),
        path: AT,
        prop: "master_username",
    },
    Row {
        slip: "a hyphen in the master user name",
        apply: |k| k.master_username = "db-admin".into(),
        path: AT,
        prop: "master_username",
    },
    Row {
        slip: "an empty master user name",
        apply: |k| k.master_username = String::new(),
        path: AT,
        prop: "master_username",
    },
    Row {
        slip: "a PostgreSQL reserved word as the master user name",
        apply: |k| {
            k.engine = AuroraEngine::PostgreSql;
            k.engine_version = Some(AuroraEngine::PostgreSql.default_version().into());
            k.master_username = "user".into();
        },
        path: AT,
        prop: "master_username",
    },
    // port
    Row {
        slip: "port 80",
        apply: |k| k.port = Some(80),
        path: AT,
        prop: "port",
    },
    Row {
        slip: "port 1149, just below the range",
        apply: |k| k.port = Some(1149),
        path: AT,
        prop: "port",
    },
    Row {
        slip: "port 0",
        apply: |k| k.port = Some(0),
        path: AT,
        prop: "port",
    },
    // backup_retention_days
    Row {
        slip: "no backups",
        apply: |k| k.backup_retention_days = 0,
        path: AT,
        prop: "backup_retention_days",
    },
    Row {
        slip: "36 days of backups",
        apply: |k| k.backup_retention_days = 36,
        path: AT,
        prop: "backup_retention_days",
    },
    // allowed_cidrs
    Row {
        slip: "the whole internet",
        apply: |k| k.allowed_cidrs = vec!["0.0.0.0/0".into()],
        path: AT,
        prop: "allowed_cidrs",
    },
    Row {
        slip: "not a CIDR",
        apply: |k| k.allowed_cidrs = vec!["banana".into()],
        path: AT,
        prop: "allowed_cidrs",
    },
    Row {
        slip: "host bits set",
        apply: |k| k.allowed_cidrs = vec!["10.20.0.1/16".into()],
        path: AT,
        prop: "allowed_cidrs",
    },
    // kms_key_id
    Row {
        slip: "a key of the other Region",
        apply: |k| k.kms_key_id = Some(KEY_WEST.into()),
        path: AT,
        prop: "kms_key_id",
    },
    Row {
        slip: "not a key",
        apply: |k| k.kms_key_id = Some("my-key".into()),
        path: AT,
        prop: "kms_key_id",
    },
    Row {
        slip: "an S3 ARN as the key",
        apply: |k| k.kms_key_id = Some("arn:aws:s3:::my-bucket".into()),
        path: AT,
        prop: "kms_key_id",
    },
    Row {
        slip: "a KMS ARN whose key id is not one",
        apply: |k| k.kms_key_id = Some("arn:aws:kms:us-east-2:123456789012:key/nope".into()),
        path: AT,
        prop: "kms_key_id",
    },
    Row {
        slip: "a broken ARN",
        apply: |k| k.kms_key_id = Some("arn:aws:kms".into()),
        path: AT,
        prop: "kms_key_id",
    },
    Row {
        slip: "an alias with no name",
        apply: |k| k.kms_key_id = Some("alias/".into()),
        path: AT,
        prop: "kms_key_id",
    },
    Row {
        slip: "an alias with a space",
        apply: |k| k.kms_key_id = Some("alias/my key".into()),
        path: AT,
        prop: "kms_key_id",
    },
    // global.global_cluster_identifier
    Row {
        slip: "two hyphens in a row",
        apply: |k| global(k, |g| g.global_cluster_identifier = "shop--global".into()),
        path: AT,
        prop: "global.global_cluster_identifier",
    },
    Row {
        slip: "a digit first",
        apply: |k| global(k, |g| g.global_cluster_identifier = "1shop".into()),
        path: AT,
        prop: "global.global_cluster_identifier",
    },
    Row {
        slip: "a hyphen last",
        apply: |k| global(k, |g| g.global_cluster_identifier = "shop-".into()),
        path: AT,
        prop: "global.global_cluster_identifier",
    },
    Row {
        slip: "an empty identifier",
        apply: |k| global(k, |g| g.global_cluster_identifier = String::new()),
        path: AT,
        prop: "global.global_cluster_identifier",
    },
    Row {
        slip: "64 characters",
        apply: |k| global(k, |g| g.global_cluster_identifier = "g".repeat(64)),
        path: AT,
        prop: "global.global_cluster_identifier",
    },
    Row {
        slip: "an underscore",
        apply: |k| global(k, |g| g.global_cluster_identifier = "shop_global".into()),
        path: AT,
        prop: "global.global_cluster_identifier",
    },
    // global.engine_version
    Row {
        slip: "a deprecated global version the cluster inherits",
        apply: |k| {
            global(k, |g| g.engine_version = "8.0.mysql_aurora.3.02.0".into());
            k.engine_version = None;
        },
        path: AT,
        prop: "global.engine_version",
    },
    Row {
        slip: "not a version, in the membership",
        apply: |k| {
            global(k, |g| g.engine_version = "eight".into());
            k.engine_version = None;
        },
        path: AT,
        prop: "global.engine_version",
    },
    // secret_replicas
    Row {
        slip: "the cluster's own Region",
        apply: |k| k.secret_replicas = vec![Region::UsEast2],
        path: AT,
        prop: "secret_replicas",
    },
    Row {
        slip: "the own Region beside the DR Region",
        apply: |k| k.secret_replicas = vec![Region::UsWest2, Region::UsEast2],
        path: AT,
        prop: "secret_replicas",
    },
    Row {
        slip: "replicas of a global secondary's secret",
        apply: |k| {
            global(k, |g| g.secondary = true);
            k.secret_name = None;
        },
        path: AT,
        prop: "secret_replicas",
    },
    Row {
        slip: "a name for a global secondary's secret",
        apply: |k| {
            global(k, |g| g.secondary = true);
            k.secret_replicas = Vec::new();
        },
        path: AT,
        prop: "secret_name",
    },
    // secret_name
    Row {
        slip: "ends like the suffix Secrets Manager appends",
        apply: |k| k.secret_name = Some("shop/master-abcdef".into()),
        path: AT,
        prop: "secret_name",
    },
    Row {
        slip: "a character Secrets Manager refuses",
        apply: |k| k.secret_name = Some("shop master".into()),
        path: AT,
        prop: "secret_name",
    },
    // log_exports
    Row {
        slip: "PostgreSQL's log asked of MySQL",
        apply: |k| k.log_exports = Some(vec!["postgresql".into()]),
        path: AT,
        prop: "log_exports",
    },
    Row {
        slip: "a log type listed twice",
        apply: |k| k.log_exports = Some(vec!["error".into(), "error".into()]),
        path: AT,
        prop: "log_exports",
    },
    // monitoring_interval_secs
    Row {
        slip: "an interval RDS does not offer",
        apply: |k| k.monitoring_interval_secs = 20,
        path: AT,
        prop: "monitoring_interval_secs",
    },
    // monitoring_role_arn
    Row {
        slip: "a role with monitoring off",
        apply: |k| {
            k.monitoring_interval_secs = 0;
            k.monitoring_role_arn = Some("arn:aws:iam::123456789012:role/rds-monitoring".into());
        },
        path: AT,
        prop: "monitoring_role_arn",
    },
    Row {
        slip: "an S3 bucket as the monitoring role",
        apply: |k| k.monitoring_role_arn = Some("arn:aws:s3:::my-bucket".into()),
        path: AT,
        prop: "monitoring_role_arn",
    },
    // database_insights
    Row {
        slip: "the Advanced mode on a class without Performance Insights",
        apply: |k| {
            k.instance_class = "db.t3.medium".into();
            k.database_insights = DatabaseInsights::Advanced;
        },
        path: AT,
        prop: "database_insights",
    },
    // auto_minor_version_upgrade
    Row {
        slip: "automatic upgrades of a global member",
        apply: |k| {
            k.global = Some(GlobalKnobs::default());
            k.auto_minor_version_upgrade = Some(true);
        },
        path: AT,
        prop: "auto_minor_version_upgrade",
    },
];

#[test]
fn one_slip_in_each_rds_cluster_prop_is_one_error_at_that_prop() {
    check_rows(rds_app, ROWS);
}

/// A version newer than the table is a warning naming the table's date, and only one: the
/// instance class is not reported again as unchecked.
#[test]
fn an_unknown_engine_version_is_one_warning_naming_the_tables_date() {
    let k = RdsKnobs {
        engine_version: Some("9.1".into()),
        ..RdsKnobs::default()
    };
    let app = rds_app(&k);
    let all = app.tree().diagnostics().0;
    assert_eq!(all.len(), 1, "{all:#?}");
    let d = &all[0];
    assert!(!d.is_error());
    assert_eq!(d.code, "DRK-RDS-013");
    assert_eq!(d.prop.as_deref(), Some("engine_version"));
    assert!(
        d.message
            .contains(dr_core::facts::rds::ENGINE_VERSIONS_AS_OF),
        "{}",
        d.message
    );
    assert!(
        d.message.contains("instance class was not checked"),
        "{}",
        d.message
    );
}

/// A version of a known line, but newer than the table: the class is still checked against
/// the line, and the warning says nothing about it.
#[test]
fn a_newer_patch_of_a_known_line_still_checks_the_class() {
    let k = RdsKnobs {
        engine_version: Some("8.0.mysql_aurora.3.99.0".into()),
        instance_class: "db.t2.small".into(),
        ..RdsKnobs::default()
    };
    let app = rds_app(&k);
    let codes: Vec<String> = app
        .tree()
        .diagnostics()
        .0
        .iter()
        .map(|d| d.code.to_string())
        .collect();
    assert_eq!(codes, ["DRK-RDS-013", "DRK-RDS-001"]);
}

/// The secret and log settings the tests below vary; the rest is left to the defaults.
#[derive(Default)]
struct Extra {
    secret_name: Option<&'static str>,
    secret_key: Option<&'static str>,
    replicas: Vec<SecretReplica>,
    iam_off: bool,
    logs: Option<Vec<String>>,
}

/// The errors of a cluster with id `id` in us-east-2 built with `x`.
fn cluster_errors(id: &str, x: Extra) -> Vec<dr_core::Diagnostic> {
    let app = App::new("db");
    let s = stack(&app, "Data", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    RdsCluster::new(
        &s,
        id,
        RdsClusterProps::builder()
            .vpc(&vpc)
            .maybe_secret_name(x.secret_name)
            .maybe_secret_kms_key_id(x.secret_key.map(Val::from))
            .secret_replicas(x.replicas)
            .iam_authentication(!x.iam_off)
            .maybe_log_exports(x.logs)
            .build(),
    );
    super::errors(&app)
}

/// The default secret name is the construct path, checked like a given one: a path ending
/// like Secrets Manager's random suffix is reported at `secret_name`, the way out.
#[test]
fn a_default_secret_name_that_secrets_manager_would_confuse_is_reported() {
    let errors = cluster_errors("Db-abcdef", Extra::default());
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, "DRK-RDS-019");
    assert_eq!(errors[0].prop.as_deref(), Some("secret_name"));
    assert!(
        errors[0].message.contains("construct path"),
        "{}",
        errors[0].message
    );
    let named = Extra {
        secret_name: Some("shop/db"),
        ..Extra::default()
    };
    assert!(cluster_errors("Db-abcdef", named).is_empty());
}

/// The IAM authentication error log with IAM authentication off stays empty: reported at
/// `iam_authentication`; with it on, the same log is fine.
#[test]
fn the_iam_auth_error_log_needs_iam_authentication() {
    let logs = || Some(vec!["error".to_string(), "iam-db-auth-error".to_string()]);
    let off = Extra {
        iam_off: true,
        logs: logs(),
        ..Extra::default()
    };
    let errors = cluster_errors("Database", off);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, "DRK-RDS-022");
    assert_eq!(errors[0].prop.as_deref(), Some("iam_authentication"));
    let on = Extra {
        logs: logs(),
        ..Extra::default()
    };
    assert!(cluster_errors("Database", on).is_empty());
}

/// The secret's key must be of the cluster's Region, a replica's of the replica's Region.
#[test]
fn secret_keys_must_serve_their_own_region() {
    let wrong = Extra {
        secret_key: Some(KEY_WEST),
        ..Extra::default()
    };
    let errors = cluster_errors("Database", wrong);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, "DRK-RDS-020");
    assert_eq!(errors[0].prop.as_deref(), Some("secret_kms_key_id"));
    let replica = |key: &str| SecretReplica {
        region: Region::UsWest2,
        kms_key_id: Some(Val::from(key)),
    };
    let wrong_replica = Extra {
        replicas: vec![replica(KEY_EAST)],
        ..Extra::default()
    };
    let errors = cluster_errors("Database", wrong_replica);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].prop.as_deref(), Some("secret_replicas"));
    let fine = Extra {
        secret_key: Some(KEY_EAST),
        replicas: vec![replica(KEY_WEST)],
        ..Extra::default()
    };
    let errors = cluster_errors("Database", fine);
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The resources of `type_name` in the `Data` stack of `k`'s app, linted by cfn-lint.
fn resources(k: &RdsKnobs, type_name: &str) -> Vec<serde_json::Value> {
    let a = crate::common::synth(&rds_app(k));
    crate::common::lint(&a);
    crate::common::template(&a, "Data")["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == type_name)
        .cloned()
        .collect()
}

/// The secure defaults reach the template: IAM authentication, the engine's logs (with the
/// parameter group that fills the audit and slow query logs), Enhanced Monitoring with a
/// role drkit creates, Database Insights Standard with 7 days of Performance Insights under
/// the cluster's key, automatic minor upgrades on a standalone cluster, the secret's name
/// and key.
#[test]
fn a_standalone_cluster_gets_the_secure_defaults() {
    let k = RdsKnobs::default();
    let cluster = &resources(&k, "AWS::RDS::DBCluster")[0]["Properties"];
    assert_eq!(cluster["EnableIAMDatabaseAuthentication"], true);
    assert_eq!(
        cluster["EnableCloudwatchLogsExports"],
        serde_json::json!(["audit", "error", "slowquery"])
    );
    assert_eq!(cluster["DatabaseInsightsMode"], "standard");
    assert_eq!(cluster["PerformanceInsightsEnabled"], true);
    assert_eq!(cluster["PerformanceInsightsRetentionPeriod"], 7);
    assert_eq!(cluster["PerformanceInsightsKmsKeyId"], KEY_EAST);
    assert_eq!(cluster["AutoMinorVersionUpgrade"], true);
    assert!(cluster["DBClusterParameterGroupName"].get("Ref").is_some());
    let group = &resources(&k, "AWS::RDS::DBClusterParameterGroup")[0]["Properties"];
    assert_eq!(group["Family"], "aurora-mysql8.0");
    assert_eq!(group["Parameters"]["server_audit_logging"], "1");
    assert_eq!(group["Parameters"]["server_audit_events"], AUDIT_EVENTS);
    assert_eq!(group["Parameters"]["slow_query_log"], "1");
    let role = &resources(&k, "AWS::IAM::Role")[0]["Properties"];
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
        "monitoring.rds.amazonaws.com"
    );
    for inst in resources(&k, "AWS::RDS::DBInstance") {
        let p = &inst["Properties"];
        assert_eq!(p["MonitoringInterval"], 60);
        assert!(p["MonitoringRoleArn"].get("Fn::GetAtt").is_some(), "{p}");
        assert_eq!(p["EnablePerformanceInsights"], true);
        assert_eq!(p["AutoMinorVersionUpgrade"], true);
    }
    let secret = &resources(&k, "AWS::SecretsManager::Secret")[0]["Properties"];
    assert_eq!(secret["Name"], "shop/master");
    assert_eq!(
        RdsCluster::secret_arn_pattern("shop/master").to_json(),
        serde_json::json!({"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:shop/master-??????"})
    );
}

/// Each default has its way out, and a global member never upgrades by itself.
#[test]
fn the_defaults_can_be_turned_off_and_a_global_member_keeps_its_version() {
    let k = RdsKnobs {
        log_exports: Some(vec![]),
        monitoring_interval_secs: 0,
        database_insights: DatabaseInsights::StandardWithoutPerformanceInsights,
        global: Some(GlobalKnobs::default()),
        ..RdsKnobs::default()
    };
    let cluster = &resources(&k, "AWS::RDS::DBCluster")[0]["Properties"];
    assert!(
        cluster.get("EnableCloudwatchLogsExports").is_none(),
        "{cluster}"
    );
    assert!(cluster.get("DBClusterParameterGroupName").is_none());
    assert_eq!(cluster["PerformanceInsightsEnabled"], false);
    assert_eq!(cluster["AutoMinorVersionUpgrade"], false);
    assert!(resources(&k, "AWS::IAM::Role").is_empty());
    for inst in resources(&k, "AWS::RDS::DBInstance") {
        let p = &inst["Properties"];
        assert!(
            p.get("MonitoringInterval").is_none() && p.get("EnablePerformanceInsights").is_none()
        );
        assert_eq!(p["AutoMinorVersionUpgrade"], false);
    }
    // The Advanced mode keeps Performance Insights 465 days; PostgreSQL exports its own log and
    // needs no parameter group; Standard on a class without Performance Insights sets none.
    let advanced = RdsKnobs {
        database_insights: DatabaseInsights::Advanced,
        ..RdsKnobs::default()
    };
    let cluster = &resources(&advanced, "AWS::RDS::DBCluster")[0]["Properties"];
    assert_eq!(cluster["DatabaseInsightsMode"], "advanced");
    assert_eq!(cluster["PerformanceInsightsRetentionPeriod"], 465);
    let pg = RdsKnobs {
        engine: dr_core::facts::rds::AuroraEngine::PostgreSql,
        engine_version: Some(
            dr_core::facts::rds::AuroraEngine::PostgreSql
                .default_version()
                .into(),
        ),
        port: Some(5432),
        ..RdsKnobs::default()
    };
    let cluster = &resources(&pg, "AWS::RDS::DBCluster")[0]["Properties"];
    assert_eq!(
        cluster["EnableCloudwatchLogsExports"],
        serde_json::json!(["postgresql"])
    );
    assert!(resources(&pg, "AWS::RDS::DBClusterParameterGroup").is_empty());
    let small = RdsKnobs {
        instance_class: "db.t3.medium".into(),
        ..RdsKnobs::default()
    };
    let cluster = &resources(&small, "AWS::RDS::DBCluster")[0]["Properties"];
    assert!(
        cluster.get("PerformanceInsightsEnabled").is_none(),
        "{cluster}"
    );
}
