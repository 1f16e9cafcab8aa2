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
    pub secret_replica_regions: Vec<Region>,
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
            secret_replica_regions: vec![Region::UsWest2],
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
            .secret_replica_regions(k.secret_replica_regions.clone())
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
    // secret_replica_regions
    Row {
        slip: "the cluster's own Region",
        apply: |k| k.secret_replica_regions = vec![Region::UsEast2],
        path: AT,
        prop: "secret_replica_regions",
    },
    Row {
        slip: "the own Region beside the DR Region",
        apply: |k| k.secret_replica_regions = vec![Region::UsWest2, Region::UsEast2],
        path: AT,
        prop: "secret_replica_regions",
    },
    Row {
        slip: "replicas of a global secondary's secret",
        apply: |k| global(k, |g| g.secondary = true),
        path: AT,
        prop: "secret_replica_regions",
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
