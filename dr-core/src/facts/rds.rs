//! Aurora engines, their default versions, and which DB instance classes each engine version
//! accepts; and which classes an Aurora global database accepts.
//!
//! Sources:
//! - "Supported DB engines for DB instance classes", Amazon Aurora User Guide
//!   (<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html>):
//!   the burstable classes Aurora offers are db.t3.medium/large and db.t4g.medium/large, plus
//!   db.t2.small/medium and db.t3.small for Aurora MySQL version 2 only; the memory-optimized
//!   families db.r5, db.r6g, db.r6i, db.r7g, db.r7i, db.r8g and db.x2g; db.r4 for version 2 only;
//!   db.r7i and db.r8g not for version 2.
//! - "Comparing Aurora MySQL version 2 and Aurora MySQL version 3"
//!   (<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Compare-v2-v3.html>):
//!   version 3 does not support db.t2, db.t3.small or db.r4 (a db.t2.small that version 2
//!   accepts fails there).
//! - "Configuration requirements of an Aurora global database"
//!   (<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.configuration.requirements.html>):
//!   global database members need memory-optimized classes (db.r5 or newer recommended);
//!   burstable classes are not accepted.
//! - Engine versions: the default versions are current, non-deprecated versions in the
//!   engine-version lists cfn-lint 1.58 ships (from `DescribeDBEngineVersions`). They are full
//!   versions, patch level included, because a global database's managed switchover needs the
//!   same patch level on every member ("Upgrading an Amazon Aurora global database",
//!   <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html>).
//! - The engine-version table ([`engine_version_status`]): vendored from cfn-lint
//!   ([`ENGINE_VERSIONS_SOURCE`], as of [`ENGINE_VERSIONS_AS_OF`]), see the constants.

use std::fmt;
use std::sync::LazyLock;

/// An Aurora engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AuroraEngine {
    /// Aurora MySQL (`aurora-mysql`).
    #[default]
    MySql,
    /// Aurora PostgreSQL (`aurora-postgresql`).
    PostgreSql,
}

impl AuroraEngine {
    /// The engine whose `Engine` value is `name` (`aurora-mysql`, `aurora-postgresql`).
    pub fn from_engine_name(name: &str) -> Option<AuroraEngine> {
        [AuroraEngine::MySql, AuroraEngine::PostgreSql]
            .into_iter()
            .find(|e| e.engine_name() == name)
    }
    /// The `Engine` value CloudFormation takes.
    pub fn engine_name(self) -> &'static str {
        match self {
            AuroraEngine::MySql => "aurora-mysql",
            AuroraEngine::PostgreSql => "aurora-postgresql",
        }
    }
    /// The version drkit deploys when none is given: Aurora MySQL version 3 (MySQL 8.0
    /// compatible) and Aurora PostgreSQL 16.
    pub fn default_version(self) -> &'static str {
        match self {
            AuroraEngine::MySql => "8.0.mysql_aurora.3.10.3",
            AuroraEngine::PostgreSql => "16.10",
        }
    }
    /// The default port of the engine.
    pub fn default_port(self) -> u16 {
        match self {
            AuroraEngine::MySql => 3306,
            AuroraEngine::PostgreSql => 5432,
        }
    }
    /// A human name, e.g. "Aurora MySQL".
    pub fn display_name(self) -> &'static str {
        match self {
            AuroraEngine::MySql => "Aurora MySQL",
            AuroraEngine::PostgreSql => "Aurora PostgreSQL",
        }
    }
}

impl fmt::Display for AuroraEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// Where the Aurora engine-version table comes from: cfn-lint 1.58.0 (the version drkit's
/// tests pin), which generates both lists from RDS `DescribeDBEngineVersions` (`IncludeAll`, in
/// us-east-1; its `scripts/update_schemas_from_aws_api.py`): every version RDS lists, and those
/// whose `Status` is `deprecated`, which RDS no longer accepts for new clusters (cfn-lint rule
/// W3690: "deprecated and cannot be used to create new RDS DB clusters"). Only the
/// `aurora-mysql` and `aurora-postgresql` entries are kept, in `aurora_engine_versions.json`.
pub const ENGINE_VERSIONS_SOURCE: &str = "cfn-lint 1.58.0 (https://github.com/aws-cloudformation/cfn-lint), \
src/cfnlint/data/schemas/extensions/aws_rds_dbcluster/engine_version.json and \
engine_version_deprecated.json, generated from RDS DescribeDBEngineVersions";

/// The date of the engine-version table: the PyPI upload date of cfn-lint 1.58.0
/// (<https://pypi.org/project/cfn-lint/1.58.0/>). A version released after it is unknown to
/// drkit, not wrong.
pub const ENGINE_VERSIONS_AS_OF: &str = "2026-10-20";

/// What the engine-version table says of a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VersionStatus {
    /// RDS lists it and accepts it for new clusters.
    Current,
    /// RDS lists it as deprecated: no new cluster can be created with it.
    Deprecated,
    /// Not in the table: newer than [`ENGINE_VERSIONS_AS_OF`], or not a version at all.
    Unknown,
}

/// One engine's lists.
#[derive(Debug, Default)]
struct EngineVersions {
    versions: Vec<String>,
    deprecated: Vec<String>,
}

/// The vendored table, per engine (MySQL, PostgreSQL).
static ENGINE_VERSIONS: LazyLock<[EngineVersions; 2]> = LazyLock::new(|| {
    let table: serde_json::Value =
        serde_json::from_str(include_str!("aurora_engine_versions.json")).unwrap_or_default();
    let lists = |engine: AuroraEngine| {
        let list = |key: &str| -> Vec<String> {
            table[engine.engine_name()][key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        EngineVersions {
            versions: list("versions"),
            deprecated: list("deprecated"),
        }
    };
    [lists(AuroraEngine::MySql), lists(AuroraEngine::PostgreSql)]
});

fn versions_of(engine: AuroraEngine) -> &'static EngineVersions {
    match engine {
        AuroraEngine::MySql => &ENGINE_VERSIONS[0],
        AuroraEngine::PostgreSql => &ENGINE_VERSIONS[1],
    }
}

/// Whether `version` is a major line cfn-lint adds beside the versions RDS lists (`8.0` for
/// `8.0.mysql_aurora.3.*`, `16` for `16.*`): a version of the table that others extend with
/// `.`. cfn-lint adds such a line to the deprecated list as soon as one of its versions is
/// deprecated, so its status is decided by its versions instead (see [`engine_version_status`]).
fn is_major_line(list: &EngineVersions, version: &str) -> bool {
    let prefix = format!("{version}.");
    list.versions.iter().any(|v| v.starts_with(&prefix))
}

/// What the vendored table ([`ENGINE_VERSIONS_SOURCE`], [`ENGINE_VERSIONS_AS_OF`]) says of
/// `version` of `engine`. A major line alone (`8.0`, `16`), which RDS resolves to a version of
/// that line, is current while any version of the line is current, deprecated when all are.
pub fn engine_version_status(engine: AuroraEngine, version: &str) -> VersionStatus {
    let list = versions_of(engine);
    if !list.versions.iter().any(|v| v == version) {
        return VersionStatus::Unknown;
    }
    if is_major_line(list, version) {
        let prefix = format!("{version}.");
        let any_current = list
            .versions
            .iter()
            .filter(|v| v.starts_with(&prefix))
            .any(|v| !list.deprecated.contains(v));
        return if any_current {
            VersionStatus::Current
        } else {
            VersionStatus::Deprecated
        };
    }
    if list.deprecated.iter().any(|v| v == version) {
        VersionStatus::Deprecated
    } else {
        VersionStatus::Current
    }
}

/// The form of a version: its runs of digits replaced by `N` (`8.0.mysql_aurora.3.10.3` is
/// `N.N.mysql_aurora.N.N.N`, `16.10` is `N.N`).
fn version_form(version: &str) -> String {
    let mut form = String::new();
    let mut in_number = false;
    for c in version.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                form.push('N');
            }
            in_number = true;
        } else {
            form.push(c);
            in_number = false;
        }
    }
    form
}

/// Whether `version` has the form of a version RDS lists for `engine` in the table, past or
/// present (for Aurora MySQL `N.N`, `N.N.N`, `N.N.mysql_aurora.N.N.N`, ...; for Aurora
/// PostgreSQL `N`, `N.N`, `N.N-limitless`, ...). A version of another form (`latest`,
/// `8.0.mysql_aurora.9`, an empty string) is not one RDS could accept.
pub fn has_version_form(engine: AuroraEngine, version: &str) -> bool {
    let form = version_form(version);
    versions_of(engine)
        .versions
        .iter()
        .any(|v| version_form(v) == form)
}

/// The current versions of `engine` in the table whose major line is `version`'s (the text up
/// to its first `.` for PostgreSQL, its first two parts for MySQL), oldest first; all current
/// versions when the line has none. Aurora Limitless Database versions (`-limitless`) are left
/// out: they serve only limitless clusters. For hints.
pub fn current_versions_like(engine: AuroraEngine, version: &str) -> Vec<String> {
    let list = versions_of(engine);
    let line = |v: &str| -> String {
        let n = match engine {
            AuroraEngine::MySql => 2,
            AuroraEngine::PostgreSql => 1,
        };
        v.split('.').take(n).collect::<Vec<_>>().join(".")
    };
    let mut current: Vec<String> = list
        .versions
        .iter()
        .filter(|v| !is_major_line(list, v) && !v.contains("limitless"))
        .filter(|v| engine_version_status(engine, v) == VersionStatus::Current)
        .cloned()
        .collect();
    current.sort_by_key(|v| version_key(v));
    let same: Vec<String> = current
        .iter()
        .filter(|v| line(v) == line(version))
        .cloned()
        .collect();
    if same.is_empty() { current } else { same }
}

/// The numbers of a version in order (`8.0.mysql_aurora.3.10.3` is 8, 0, 3, 10, 3), to sort
/// versions as numbers rather than text (16.8 before 16.10).
fn version_key(version: &str) -> Vec<u64> {
    version
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// A major line of an engine, which decides the classes it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuroraMajor {
    /// Aurora MySQL version 2 (MySQL 5.7 compatible, `5.7.mysql_aurora.2.*`).
    MySql2,
    /// Aurora MySQL version 3 (MySQL 8.0 compatible, `8.0.mysql_aurora.3.*`).
    MySql3,
    /// Aurora PostgreSQL 11 and later.
    PostgreSql,
}

impl AuroraMajor {
    /// How the docs name it.
    pub fn display_name(self) -> &'static str {
        match self {
            AuroraMajor::MySql2 => "Aurora MySQL version 2",
            AuroraMajor::MySql3 => "Aurora MySQL version 3",
            AuroraMajor::PostgreSql => "Aurora PostgreSQL",
        }
    }
}

/// The major line of `version` of `engine`, or `None` when drkit does not know it (then the
/// class check is skipped rather than rejecting a version newer than these facts).
pub fn major_of(engine: AuroraEngine, version: &str) -> Option<AuroraMajor> {
    match engine {
        AuroraEngine::MySql if version == "5.7" || version.starts_with("5.7.mysql_aurora.2.") => {
            Some(AuroraMajor::MySql2)
        }
        AuroraEngine::MySql if version == "8.0" || version.starts_with("8.0.mysql_aurora.3.") => {
            Some(AuroraMajor::MySql3)
        }
        AuroraEngine::MySql => None,
        AuroraEngine::PostgreSql => {
            let major: u32 = version.split('.').next()?.parse().ok()?;
            (major >= 11).then_some(AuroraMajor::PostgreSql)
        }
    }
}

/// Sizes in ascending order of memory; the index ranks a class within the list.
const SIZE_ORDER: &[&str] = &[
    "micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge",
    "16xlarge", "24xlarge", "32xlarge", "48xlarge",
];

const R5: &[&str] = &[
    "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge",
];
const GRAVITON2: &[&str] = &[
    "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge",
];
const R6I: &[&str] = &[
    "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge",
    "32xlarge",
];
const GEN8: &[&str] = &[
    "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge",
    "48xlarge",
];
const R4: &[&str] = &[
    "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge",
];

/// Family, sizes, and the major lines that accept it.
const CLASS_FAMILIES: &[(&str, &[&str], &[AuroraMajor])] = &[
    ("db.t2", &["small", "medium"], &[AuroraMajor::MySql2]),
    ("db.t3", &["small"], &[AuroraMajor::MySql2]),
    (
        "db.t3",
        &["medium", "large"],
        &[
            AuroraMajor::MySql2,
            AuroraMajor::MySql3,
            AuroraMajor::PostgreSql,
        ],
    ),
    (
        "db.t4g",
        &["medium", "large"],
        &[
            AuroraMajor::MySql2,
            AuroraMajor::MySql3,
            AuroraMajor::PostgreSql,
        ],
    ),
    ("db.r4", R4, &[AuroraMajor::MySql2]),
    (
        "db.r5",
        R5,
        &[
            AuroraMajor::MySql2,
            AuroraMajor::MySql3,
            AuroraMajor::PostgreSql,
        ],
    ),
    (
        "db.r6g",
        GRAVITON2,
        &[
            AuroraMajor::MySql2,
            AuroraMajor::MySql3,
            AuroraMajor::PostgreSql,
        ],
    ),
    (
        "db.r6i",
        R6I,
        &[
            AuroraMajor::MySql2,
            AuroraMajor::MySql3,
            AuroraMajor::PostgreSql,
        ],
    ),
    (
        "db.r7g",
        GRAVITON2,
        &[
            AuroraMajor::MySql2,
            AuroraMajor::MySql3,
            AuroraMajor::PostgreSql,
        ],
    ),
    (
        "db.r7i",
        GEN8,
        &[AuroraMajor::MySql3, AuroraMajor::PostgreSql],
    ),
    (
        "db.r8g",
        GEN8,
        &[AuroraMajor::MySql3, AuroraMajor::PostgreSql],
    ),
    (
        "db.x2g",
        GRAVITON2,
        &[
            AuroraMajor::MySql2,
            AuroraMajor::MySql3,
            AuroraMajor::PostgreSql,
        ],
    ),
];

/// Every DB instance class drkit knows for Aurora (any engine). Built once: every cluster
/// instance asks.
pub fn all_classes() -> &'static [String] {
    static ALL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut v: Vec<String> = CLASS_FAMILIES
            .iter()
            .flat_map(|(f, sizes, _)| sizes.iter().map(move |s| format!("{f}.{s}")))
            .collect();
        v.dedup();
        v
    })
}

/// The classes `major` accepts, smallest first (ties by name). Built once per major.
pub fn supported_classes(major: AuroraMajor) -> &'static [String] {
    static BY_MAJOR: std::sync::OnceLock<[Vec<String>; 3]> = std::sync::OnceLock::new();
    let build = |major: AuroraMajor| {
        let mut v: Vec<(usize, String)> = CLASS_FAMILIES
            .iter()
            .filter(|(_, _, majors)| majors.contains(&major))
            .flat_map(|(f, sizes, _)| {
                sizes
                    .iter()
                    .map(move |s| (size_rank(s), format!("{f}.{s}")))
            })
            .collect();
        v.sort();
        v.into_iter().map(|(_, c)| c).collect()
    };
    let all = BY_MAJOR.get_or_init(|| {
        [
            build(AuroraMajor::MySql2),
            build(AuroraMajor::MySql3),
            build(AuroraMajor::PostgreSql),
        ]
    });
    match major {
        AuroraMajor::MySql2 => &all[0],
        AuroraMajor::MySql3 => &all[1],
        AuroraMajor::PostgreSql => &all[2],
    }
}

/// Whether `major` accepts `class`.
pub fn supports(major: AuroraMajor, class: &str) -> bool {
    supported_classes(major).iter().any(|c| c == class)
}

/// The smallest classes `major` accepts (all those of the smallest size), e.g. db.t3.medium
/// and db.t4g.medium for Aurora MySQL version 3.
pub fn smallest_classes(major: AuroraMajor) -> Vec<String> {
    let all = supported_classes(major);
    let Some(min) = all.first().map(|c| size_rank(size_of(c))) else {
        return Vec::new();
    };
    all.iter()
        .filter(|c| size_rank(size_of(c)) == min)
        .cloned()
        .collect()
}

fn size_of(class: &str) -> &str {
    class.rsplit('.').next().unwrap_or(class)
}

fn size_rank(size: &str) -> usize {
    SIZE_ORDER
        .iter()
        .position(|s| *s == size)
        .unwrap_or(SIZE_ORDER.len())
}

/// Why a class cannot serve in an Aurora global database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GlobalClassProblem {
    /// A burstable (db.t*) class.
    Burstable,
    /// Not a memory-optimized (db.r* / db.x*) class.
    NotMemoryOptimized,
}

/// The smallest class drkit suggests for global database members.
pub const SMALLEST_GLOBAL_CLASS: &str = "db.r6g.large";

/// Whether `class` may serve in an Aurora global database: memory-optimized (db.r5 and newer,
/// db.x2g), never burstable.
pub fn global_database_class(class: &str) -> Result<(), GlobalClassProblem> {
    let family = class.rsplit_once('.').map(|(f, _)| f).unwrap_or(class);
    if family.starts_with("db.t") {
        return Err(GlobalClassProblem::Burstable);
    }
    if family.starts_with("db.r") || family.starts_with("db.x") {
        return Ok(());
    }
    Err(GlobalClassProblem::NotMemoryOptimized)
}

/// The log types an Aurora DB cluster exports to CloudWatch Logs, per engine
/// (`EnableCloudwatchLogsExports` of "CreateDBCluster", Amazon RDS API Reference,
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html>:
/// "Aurora MySQL - audit | error | general | instance | slowquery | iam-db-auth-error",
/// "Aurora PostgreSQL - instance | postgresql | iam-db-auth-error").
pub fn exportable_log_types(engine: AuroraEngine) -> &'static [&'static str] {
    match engine {
        AuroraEngine::MySql => &[
            "audit",
            "error",
            "general",
            "instance",
            "slowquery",
            "iam-db-auth-error",
        ],
        AuroraEngine::PostgreSql => &["instance", "postgresql", "iam-db-auth-error"],
    }
}

/// The log type that records failed IAM database authentications; it has content only when
/// the cluster has IAM database authentication on ("Aurora PostgreSQL database log files",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_LogAccess.Concepts.PostgreSQL.html>:
/// "To enable IAM database authentication error logs, you must first enable IAM database
/// authentication").
pub const IAM_DB_AUTH_ERROR_LOG: &str = "iam-db-auth-error";

/// The Enhanced Monitoring intervals RDS accepts, in seconds, 0 turning it off
/// (`MonitoringInterval` of "AWS::RDS::DBInstance" and "AWS::RDS::DBCluster": "Valid Values:
/// 0 | 1 | 5 | 10 | 15 | 30 | 60",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html>).
pub const MONITORING_INTERVALS: &[u32] = &[0, 1, 5, 10, 15, 30, 60];

/// The Performance Insights retention, in days, that the Advanced mode of Database Insights
/// needs at least ("Considerations for Database Insights for Amazon Aurora",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Considerations.html>:
/// "To enable the Advanced mode of Database Insights, you must enable Performance Insights and
/// set the Performance Insights retention period to at least 465 days (15 months)").
pub const ADVANCED_INSIGHTS_MIN_RETENTION_DAYS: u32 = 465;

/// The Performance Insights retention, in days, of the free tier: 7 ("Turning on the Standard
/// mode of Database Insights for Amazon Aurora",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.TurningOnStandard.html>:
/// "The retention period must be at least 7 days"; `PerformanceInsightsRetentionPeriod` of
/// "AWS::RDS::DBCluster": "Default: 7 days").
pub const FREE_INSIGHTS_RETENTION_DAYS: u32 = 7;

/// Whether Database Insights (and the Performance Insights it builds on) supports `class`
/// for `engine` ("Amazon Aurora DB engine, Region, and instance class support for Database
/// Insights",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Engines.html>):
/// for Aurora MySQL "db.t2 – Not supported", "db.t3 – Not supported", "db.t4g.micro and
/// db.t4g.small – Not supported"; no class restriction for Aurora PostgreSQL.
pub fn database_insights_supported(engine: AuroraEngine, class: &str) -> bool {
    match engine {
        AuroraEngine::PostgreSql => true,
        AuroraEngine::MySql => {
            !(class.starts_with("db.t2.")
                || class.starts_with("db.t3.")
                || class == "db.t4g.micro"
                || class == "db.t4g.small")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mysql3_rejects_the_seeds_class_and_names_the_smallest() {
        let v3 = major_of(AuroraEngine::MySql, AuroraEngine::MySql.default_version()).unwrap();
        assert_eq!(v3, AuroraMajor::MySql3);
        assert!(!supports(v3, "db.t2.small"));
        assert!(supports(v3, "db.r6g.large"));
        assert_eq!(smallest_classes(v3), ["db.t3.medium", "db.t4g.medium"]);
        assert!(supports(AuroraMajor::MySql2, "db.t2.small"));
        assert_eq!(
            smallest_classes(AuroraMajor::MySql2),
            ["db.t2.small", "db.t3.small"]
        );
    }

    #[test]
    fn versions_map_to_majors() {
        assert_eq!(
            major_of(AuroraEngine::MySql, "5.7.mysql_aurora.2.12.4"),
            Some(AuroraMajor::MySql2)
        );
        assert_eq!(major_of(AuroraEngine::MySql, "9.9"), None);
        assert_eq!(
            major_of(AuroraEngine::PostgreSql, "16.10"),
            Some(AuroraMajor::PostgreSql)
        );
        assert_eq!(major_of(AuroraEngine::PostgreSql, "x"), None);
    }

    #[test]
    fn the_engine_version_table_knows_current_deprecated_and_unknown_versions() {
        for engine in [AuroraEngine::MySql, AuroraEngine::PostgreSql] {
            assert_eq!(
                engine_version_status(engine, engine.default_version()),
                VersionStatus::Current,
                "{engine}'s default version must be current"
            );
        }
        let mysql = |v| engine_version_status(AuroraEngine::MySql, v);
        let pg = |v| engine_version_status(AuroraEngine::PostgreSql, v);
        assert_eq!(mysql("8.0.mysql_aurora.3.01.0"), VersionStatus::Deprecated);
        assert_eq!(mysql("8.0.mysql_aurora.3.04.0"), VersionStatus::Current);
        // A major line is current while one of its versions is.
        assert_eq!(mysql("8.0"), VersionStatus::Current);
        assert_eq!(mysql("5.7.12"), VersionStatus::Deprecated);
        assert_eq!(mysql("9.9"), VersionStatus::Unknown);
        assert_eq!(mysql("16.10"), VersionStatus::Unknown);
        assert_eq!(pg("16.10"), VersionStatus::Current);
        assert_eq!(pg("16.1"), VersionStatus::Deprecated);
        assert_eq!(pg("16"), VersionStatus::Current);
        assert_eq!(pg("9"), VersionStatus::Deprecated);
        assert_eq!(pg("99.1"), VersionStatus::Unknown);
        let like = current_versions_like(AuroraEngine::PostgreSql, "16.1");
        assert!(like.iter().all(|v| v.starts_with("16.")));
        assert_eq!(like.last().map(String::as_str), Some("16.15"));
        assert!(!current_versions_like(AuroraEngine::MySql, "7.0").is_empty());
        assert!(has_version_form(
            AuroraEngine::MySql,
            "8.0.mysql_aurora.3.99.0"
        ));
        assert!(has_version_form(AuroraEngine::MySql, "9.1"));
        assert!(!has_version_form(AuroraEngine::MySql, "8.0.mysql_aurora.9"));
        assert!(!has_version_form(AuroraEngine::MySql, "latest"));
        assert!(!has_version_form(AuroraEngine::MySql, ""));
        assert!(has_version_form(AuroraEngine::PostgreSql, "19.1"));
        assert!(has_version_form(AuroraEngine::PostgreSql, "17.2-limitless"));
        assert!(!has_version_form(AuroraEngine::PostgreSql, "16.10.mysql"));
    }

    #[test]
    fn global_database_needs_memory_optimized() {
        assert_eq!(global_database_class("db.r6g.large"), Ok(()));
        assert_eq!(global_database_class("db.x2g.large"), Ok(()));
        assert_eq!(
            global_database_class("db.t3.medium"),
            Err(GlobalClassProblem::Burstable)
        );
        assert_eq!(
            global_database_class("db.m5.large"),
            Err(GlobalClassProblem::NotMemoryOptimized)
        );
    }

    #[test]
    fn log_types_and_insights_support_follow_the_engine() {
        assert!(exportable_log_types(AuroraEngine::MySql).contains(&"slowquery"));
        assert!(!exportable_log_types(AuroraEngine::MySql).contains(&"postgresql"));
        assert!(exportable_log_types(AuroraEngine::PostgreSql).contains(&"postgresql"));
        assert!(!exportable_log_types(AuroraEngine::PostgreSql).contains(&"audit"));
        for engine in [AuroraEngine::MySql, AuroraEngine::PostgreSql] {
            assert!(exportable_log_types(engine).contains(&IAM_DB_AUTH_ERROR_LOG));
        }
        assert!(!database_insights_supported(
            AuroraEngine::MySql,
            "db.t3.medium"
        ));
        assert!(!database_insights_supported(
            AuroraEngine::MySql,
            "db.t4g.small"
        ));
        assert!(database_insights_supported(
            AuroraEngine::MySql,
            "db.t4g.medium"
        ));
        assert!(database_insights_supported(
            AuroraEngine::MySql,
            "db.r6g.large"
        ));
        assert!(database_insights_supported(
            AuroraEngine::PostgreSql,
            "db.t3.medium"
        ));
    }
}
