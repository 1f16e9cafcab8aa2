//! Amazon EKS: the Kubernetes versions EKS offers with their support dates, the node group AMI
//! types, the control-plane log types, and the EKS limits the `EksCluster` construct checks.
//!
//! # The version table
//!
//! [`VERSIONS`] is the "Amazon EKS Kubernetes release calendar" of [`SOURCE_TITLE`]
//! ([`SOURCE_URL`]), taken on [`AS_OF`]:
//!
//! - 1.24 to 1.34: the calendar as the page's source in the `awsdocs/amazon-eks-user-guide`
//!   repository gives it (`latest/ug/versioning/kubernetes-versions.adoc`; 1.24 to 1.26 from
//!   its earlier `latest/ug/clusters/kubernetes-versions.adoc`, before those rows were dropped
//!   from the page);
//! - 1.23: the page's extended support FAQ ("standard support for version 1.23 in Amazon EKS
//!   ended on October 11, 2023 ... Extended support for version 1.23 began on October 12, 2023
//!   and ended on October 11, 2024");
//! - 1.35: the calendar's row as mirrored by <https://endoflife.date/amazon-eks> and by the AWS
//!   samples' EKS version calendar (verified there 2026-04-24), since the page's repository
//!   stopped before 1.35.
//!
//! Newer rows of the page (1.36 onwards) were not in any copy of the page available when the
//! table was taken, so those versions are reported as not in the table (a warning), not as
//! errors. The page states that "on the end of extended support date, you can no longer
//! create new Amazon EKS clusters with the unsupported version": [`support`] compares each
//! version's dates with [`AS_OF`] (not with the clock, so synthesis stays deterministic), and a
//! version whose extended support had ended by then is one AWS no longer creates. EKS retires
//! versions oldest first, so a version older than the table's oldest row has ended too.
//!
//! With `--target aws` the live list is `DescribeClusterVersions` ("Get version information
//! with AWS CLI" on the same page).

use super::ec2::Arch;

/// The title of the page the version table follows.
pub const SOURCE_TITLE: &str = "Understand the Kubernetes version lifecycle on EKS";
/// The URL of the page the version table follows.
pub const SOURCE_URL: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html";
/// The date the version table was taken (ISO 8601). Support statuses are as of this date.
pub const AS_OF: &str = "2026-12-05";

/// One Kubernetes minor version on EKS and the end of its two support periods (ISO 8601
/// dates, UTC, as the calendar gives them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KubernetesVersion {
    /// The version, `1.NN`.
    pub version: &'static str,
    /// The day standard support ends (extended support, at extra cost, begins).
    pub end_of_standard_support: &'static str,
    /// The day extended support ends: from then on EKS creates no cluster of this version.
    pub end_of_extended_support: &'static str,
}

const fn v(
    version: &'static str,
    end_of_standard_support: &'static str,
    end_of_extended_support: &'static str,
) -> KubernetesVersion {
    KubernetesVersion {
        version,
        end_of_standard_support,
        end_of_extended_support,
    }
}

/// The EKS release calendar, oldest first (see the module documentation for the sources).
pub const VERSIONS: &[KubernetesVersion] = &[
    v("1.23", "2023-10-11", "2024-10-11"),
    v("1.24", "2024-01-31", "2025-01-31"),
    v("1.25", "2024-05-01", "2025-05-01"),
    v("1.26", "2024-06-11", "2025-06-11"),
    v("1.27", "2024-07-24", "2025-07-24"),
    v("1.28", "2024-11-26", "2025-11-26"),
    v("1.29", "2025-03-23", "2026-03-23"),
    v("1.30", "2025-07-23", "2026-07-23"),
    v("1.31", "2025-11-26", "2026-11-26"),
    v("1.32", "2026-03-23", "2027-03-23"),
    v("1.33", "2026-07-29", "2027-07-29"),
    v("1.34", "2026-12-02", "2027-12-02"),
    v("1.35", "2027-03-27", "2028-03-27"),
];

/// Where a version stands on [`AS_OF`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSupport {
    /// In standard support.
    Standard(&'static KubernetesVersion),
    /// In extended support: EKS still creates clusters of it, at an extra cost per cluster
    /// hour.
    Extended(&'static KubernetesVersion),
    /// Past the end of extended support: EKS creates no new cluster of it.
    Ended(&'static KubernetesVersion),
    /// Older than every version in the table, whose oldest row had already ended: EKS retires
    /// versions oldest first, so this one has ended too.
    OlderThanTable(&'static KubernetesVersion),
    /// Of the form `1.NN` but not in the table, and newer than its oldest row: possibly a
    /// version released after [`AS_OF`].
    NotInTable,
    /// Not of the form `1.NN`.
    Malformed,
}

/// The minor number of a `1.NN` version (two digits, as EKS writes them and the
/// `AWS::EKS::Cluster` schema's `Version` pattern `1\.\d\d` requires).
pub fn minor_of(version: &str) -> Option<u32> {
    let (major, minor) = version.split_once('.')?;
    if major != "1" || minor.len() != 2 || !minor.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    minor.parse().ok()
}

/// The table's row for `version`, if any.
pub fn version(version: &str) -> Option<&'static KubernetesVersion> {
    VERSIONS.iter().find(|v| v.version == version)
}

/// Where `version` stands on [`AS_OF`].
pub fn support(version: &str) -> VersionSupport {
    let Some(minor) = minor_of(version) else {
        return VersionSupport::Malformed;
    };
    if let Some(row) = self::version(version) {
        return if AS_OF < row.end_of_standard_support {
            VersionSupport::Standard(row)
        } else if AS_OF < row.end_of_extended_support {
            VersionSupport::Extended(row)
        } else {
            VersionSupport::Ended(row)
        };
    }
    let oldest = &VERSIONS[0];
    if minor_of(oldest.version).is_some_and(|o| minor < o) {
        return VersionSupport::OlderThanTable(oldest);
    }
    VersionSupport::NotInTable
}

/// The versions EKS still creates clusters of on [`AS_OF`], oldest first.
pub fn creatable_versions() -> Vec<&'static str> {
    VERSIONS
        .iter()
        .filter(|v| AS_OF < v.end_of_extended_support)
        .map(|v| v.version)
        .collect()
}

/// The operating system family of a node group AMI type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmiFamily {
    /// Amazon Linux 2: EKS publishes no AL2 AMI for Kubernetes 1.33 or later.
    Al2,
    /// Amazon Linux 2023.
    Al2023,
    /// Bottlerocket.
    Bottlerocket,
    /// Windows Server.
    Windows,
    /// `CUSTOM`: what EKS reports for a node group launched from a launch template with a
    /// custom AMI.
    Custom,
}

/// One node group AMI type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmiType {
    /// The name, as `AmiType` takes it.
    pub name: &'static str,
    /// The operating system.
    pub family: AmiFamily,
    /// The CPU architecture it boots on; `None` for `CUSTOM` (the custom AMI's).
    pub arch: Option<Arch>,
}

const fn ami(name: &'static str, family: AmiFamily, arch: Option<Arch>) -> AmiType {
    AmiType { name, family, arch }
}

const X86: Option<Arch> = Some(Arch::X86_64);
const ARM: Option<Arch> = Some(Arch::Arm64);

/// Every `AmiType` a managed node group takes: the enumeration of `AmiType` in the Amazon EKS
/// API Reference ("Nodegroup", "CreateNodegroup",
/// <https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html>) as the
/// vendored `AWS::EKS::Nodegroup` schema (`dr-core/schemas/aws-eks-nodegroup.json`) gives it;
/// a test keeps the two equal. The architecture is the one in the name (`ARM_64` or `x86_64`).
pub const AMI_TYPES: &[AmiType] = &[
    ami("AL2023_ARM_64_NVIDIA", AmiFamily::Al2023, ARM),
    ami("AL2023_ARM_64_STANDARD", AmiFamily::Al2023, ARM),
    ami("AL2023_x86_64_NEURON", AmiFamily::Al2023, X86),
    ami("AL2023_x86_64_NVIDIA", AmiFamily::Al2023, X86),
    ami("AL2023_x86_64_STANDARD", AmiFamily::Al2023, X86),
    ami("AL2_ARM_64", AmiFamily::Al2, ARM),
    ami("AL2_x86_64", AmiFamily::Al2, X86),
    ami("AL2_x86_64_GPU", AmiFamily::Al2, X86),
    ami("BOTTLEROCKET_ARM_64", AmiFamily::Bottlerocket, ARM),
    ami("BOTTLEROCKET_ARM_64_FIPS", AmiFamily::Bottlerocket, ARM),
    ami("BOTTLEROCKET_ARM_64_NVIDIA", AmiFamily::Bottlerocket, ARM),
    ami(
        "BOTTLEROCKET_ARM_64_NVIDIA_FIPS",
        AmiFamily::Bottlerocket,
        ARM,
    ),
    ami("BOTTLEROCKET_x86_64", AmiFamily::Bottlerocket, X86),
    ami("BOTTLEROCKET_x86_64_FIPS", AmiFamily::Bottlerocket, X86),
    ami("BOTTLEROCKET_x86_64_NVIDIA", AmiFamily::Bottlerocket, X86),
    ami(
        "BOTTLEROCKET_x86_64_NVIDIA_FIPS",
        AmiFamily::Bottlerocket,
        X86,
    ),
    ami("CUSTOM", AmiFamily::Custom, None),
    ami("WINDOWS_CORE_2019_x86_64", AmiFamily::Windows, X86),
    ami("WINDOWS_CORE_2022_x86_64", AmiFamily::Windows, X86),
    ami("WINDOWS_CORE_2025_x86_64", AmiFamily::Windows, X86),
    ami("WINDOWS_FULL_2019_x86_64", AmiFamily::Windows, X86),
    ami("WINDOWS_FULL_2022_x86_64", AmiFamily::Windows, X86),
    ami("WINDOWS_FULL_2025_x86_64", AmiFamily::Windows, X86),
];

/// The AMI type named `name` (exact, case-sensitive, as EKS takes it).
pub fn ami_type(name: &str) -> Option<&'static AmiType> {
    AMI_TYPES.iter().find(|a| a.name == name)
}

/// The last Kubernetes version EKS publishes Amazon Linux 2 AMIs for: "Kubernetes version
/// 1.32 is the last version for which Amazon EKS will release AL2 AMIs. From version 1.33
/// onwards, Amazon EKS will continue to release AL2023 and Bottlerocket based AMIs" ("Build a
/// custom Amazon Linux AMI",
/// <https://docs.aws.amazon.com/eks/latest/userguide/eks-ami-build-scripts.html>).
pub const LAST_AL2_VERSION: &str = "1.32";

/// The AL2023 AMI type replacing an AL2 one (same architecture and accelerator).
pub fn al2023_replacement(al2: &str) -> &'static str {
    match al2 {
        "AL2_ARM_64" => "AL2023_ARM_64_STANDARD",
        "AL2_x86_64_GPU" => "AL2023_x86_64_NVIDIA",
        _ => "AL2023_x86_64_STANDARD",
    }
}

/// The control-plane log types ("Send control plane logs to CloudWatch Logs",
/// <https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html>; the `Type`
/// enumeration of `AWS::EKS::Cluster` `LoggingTypeConfig` in the vendored schema).
pub const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// How many CIDR blocks a cluster's public endpoint takes: the quota "Public endpoint access
/// CIDR ranges per cluster", 40, not adjustable ("Amazon Elastic Kubernetes Service endpoints
/// and quotas", <https://docs.aws.amazon.com/general/latest/gr/eks.html#limits_eks>).
pub const MAX_PUBLIC_ACCESS_CIDRS: usize = 40;

/// The default quota "Nodes per managed node group", 450, adjustable (same page as
/// [`MAX_PUBLIC_ACCESS_CIDRS`]).
pub const DEFAULT_MAX_NODES_PER_NODE_GROUP: u32 = 450;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_ordered_dated_and_consistent() {
        assert!(AS_OF.len() == 10 && AS_OF.as_bytes()[4] == b'-');
        for pair in VERSIONS.windows(2) {
            assert_eq!(
                minor_of(pair[0].version).map(|m| m + 1),
                minor_of(pair[1].version),
                "{} then {}",
                pair[0].version,
                pair[1].version
            );
        }
        for row in VERSIONS {
            assert!(
                row.end_of_standard_support < row.end_of_extended_support,
                "{}",
                row.version
            );
            // 12 months of extended support after standard support.
            assert_eq!(
                row.end_of_standard_support[5..],
                row.end_of_extended_support[5..],
                "{}",
                row.version
            );
        }
    }

    #[test]
    fn support_is_read_against_the_tables_date() {
        assert!(matches!(support("1.35"), VersionSupport::Standard(_)));
        assert!(matches!(support("1.34"), VersionSupport::Extended(_)));
        assert!(matches!(support("1.31"), VersionSupport::Ended(_)));
        assert!(matches!(support("1.23"), VersionSupport::Ended(_)));
        assert!(matches!(support("1.21"), VersionSupport::OlderThanTable(_)));
        assert_eq!(support("1.36"), VersionSupport::NotInTable);
        assert_eq!(support("1.9"), VersionSupport::Malformed);
        assert_eq!(support("2.01"), VersionSupport::Malformed);
        assert_eq!(support("latest"), VersionSupport::Malformed);
        assert_eq!(creatable_versions(), ["1.32", "1.33", "1.34", "1.35"]);
    }

    /// The AMI types are the vendored schema's enumeration, no more, no less.
    #[test]
    fn ami_types_match_the_vendored_schema() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../schemas/aws-eks-nodegroup.json")).unwrap();
        let mut from_schema: Vec<&str> = schema["properties"]["AmiType"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        from_schema.sort_unstable();
        let mut ours: Vec<&str> = AMI_TYPES.iter().map(|a| a.name).collect();
        ours.sort_unstable();
        assert_eq!(ours, from_schema);
        for a in AMI_TYPES {
            let arch = if a.name.contains("ARM_64") {
                Some(Arch::Arm64)
            } else if a.name.contains("x86_64") {
                Some(Arch::X86_64)
            } else {
                None
            };
            assert_eq!(a.arch, arch, "{}", a.name);
        }
    }

    #[test]
    fn log_types_match_the_vendored_schema() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../schemas/aws-eks-cluster.json")).unwrap();
        let from_schema: Vec<&str> =
            schema["definitions"]["LoggingTypeConfig"]["properties"]["Type"]["enum"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
        assert_eq!(from_schema, LOG_TYPES);
    }
}
