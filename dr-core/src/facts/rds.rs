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

use std::fmt;

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

/// Every DB instance class drkit knows for Aurora (any engine).
pub fn all_classes() -> Vec<String> {
    let mut v: Vec<String> = CLASS_FAMILIES
        .iter()
        .flat_map(|(f, sizes, _)| sizes.iter().map(move |s| format!("{f}.{s}")))
        .collect();
    v.dedup();
    v
}

/// The classes `major` accepts, smallest first (ties by name).
pub fn supported_classes(major: AuroraMajor) -> Vec<String> {
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
    all.into_iter()
        .filter(|c| size_rank(size_of(c)) == min)
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
}
