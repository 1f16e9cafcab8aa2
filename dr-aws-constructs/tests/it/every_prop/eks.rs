//! Slips in `EksClusterProps`, made in the pair's closure (so in both sites: the error is on
//! the primary's cluster, the secondary's in `also_at`).

use dr_aws_constructs::*;
use dr_core::Severity;
use dr_core::facts::eks::{self, VersionSupport};

use super::{Knobs, Row, check_rows, errors, pair_app};

const EKS: &str = "Shop/Primary/Eks";

pub const ROWS: &[Row<Knobs>] = &[
    // version: the form, and the table's dates.
    Row {
        slip: "a version that is not 1.NN",
        apply: |k| k.eks_version = "latest".into(),
        path: EKS,
        prop: "version",
    },
    Row {
        slip: "a version with one minor digit",
        apply: |k| k.eks_version = "1.9".into(),
        path: EKS,
        prop: "version",
    },
    Row {
        slip: "a version with a patch level",
        apply: |k| k.eks_version = "1.35.1".into(),
        path: EKS,
        prop: "version",
    },
    Row {
        slip: "a version past the end of extended support",
        apply: |k| k.eks_version = "1.28".into(),
        path: EKS,
        prop: "version",
    },
    Row {
        slip: "a version older than the table",
        apply: |k| k.eks_version = "1.21".into(),
        path: EKS,
        prop: "version",
    },
    // public_access_cidrs: format, the whole internet, reserved blocks, the quota.
    Row {
        slip: "a public access CIDR that is not one",
        apply: |k| k.eks_public_access_cidrs = vec!["203.0.113.0/33".into()],
        path: EKS,
        prop: "public_access_cidrs",
    },
    Row {
        slip: "a public access CIDR with host bits set",
        apply: |k| k.eks_public_access_cidrs = vec!["203.0.113.7/24".into()],
        path: EKS,
        prop: "public_access_cidrs",
    },
    Row {
        slip: "the whole internet",
        apply: |k| k.eks_public_access_cidrs = vec!["0.0.0.0/0".into()],
        path: EKS,
        prop: "public_access_cidrs",
    },
    Row {
        slip: "a private (RFC 1918) block",
        apply: |k| k.eks_public_access_cidrs = vec!["10.10.0.0/16".into()],
        path: EKS,
        prop: "public_access_cidrs",
    },
    Row {
        slip: "a block that includes a private one",
        apply: |k| k.eks_public_access_cidrs = vec!["192.0.0.0/8".into()],
        path: EKS,
        prop: "public_access_cidrs",
    },
    Row {
        slip: "a loopback address",
        apply: |k| k.eks_public_access_cidrs = vec!["127.0.0.1/32".into()],
        path: EKS,
        prop: "public_access_cidrs",
    },
    Row {
        slip: "more blocks than the quota of 40",
        apply: |k| {
            k.eks_public_access_cidrs = (0..41).map(|i| format!("198.51.{i}.0/24")).collect()
        },
        path: EKS,
        prop: "public_access_cidrs",
    },
    // node_instance_type.
    Row {
        slip: "a misspelt instance type",
        apply: |k| k.eks_node_instance_type = "t3.meduim".into(),
        path: EKS,
        prop: "node_instance_type",
    },
    Row {
        slip: "an empty instance type",
        apply: |k| k.eks_node_instance_type = String::new(),
        path: EKS,
        prop: "node_instance_type",
    },
    // node_ami_type: the enumeration, CUSTOM, the version, the architecture.
    Row {
        slip: "an AMI type in the wrong case",
        apply: |k| k.eks_node_ami_type = "AL2023_X86_64_STANDARD".into(),
        path: EKS,
        prop: "node_ami_type",
    },
    Row {
        slip: "an AMI type EKS does not have",
        apply: |k| k.eks_node_ami_type = "UBUNTU_22_04".into(),
        path: EKS,
        prop: "node_ami_type",
    },
    Row {
        slip: "the CUSTOM AMI type without a custom AMI",
        apply: |k| k.eks_node_ami_type = "CUSTOM".into(),
        path: EKS,
        prop: "node_ami_type",
    },
    Row {
        slip: "an Amazon Linux 2 AMI type on Kubernetes 1.35",
        apply: |k| k.eks_node_ami_type = "AL2_x86_64".into(),
        path: EKS,
        prop: "node_ami_type",
    },
    Row {
        slip: "an arm64 Amazon Linux 2 AMI type on x86 nodes and Kubernetes 1.35",
        apply: |k| k.eks_node_ami_type = "AL2_ARM_64".into(),
        path: EKS,
        prop: "node_ami_type",
    },
    Row {
        slip: "an arm64 AMI type for x86 nodes",
        apply: |k| k.eks_node_ami_type = "AL2023_ARM_64_STANDARD".into(),
        path: EKS,
        prop: "node_ami_type",
    },
    Row {
        slip: "a Bottlerocket arm64 AMI type for x86 nodes",
        apply: |k| k.eks_node_ami_type = "BOTTLEROCKET_ARM_64".into(),
        path: EKS,
        prop: "node_ami_type",
    },
    // Sizes (2/2/2): each slip names the one size out of line.
    Row {
        slip: "a minimum above the desired and maximum sizes",
        apply: |k| k.eks_node_min_size = 3,
        path: EKS,
        prop: "node_min_size",
    },
    Row {
        slip: "a desired size of 0",
        apply: |k| k.eks_node_desired_size = 0,
        path: EKS,
        prop: "node_desired_size",
    },
    Row {
        slip: "a desired size above the maximum",
        apply: |k| k.eks_node_desired_size = 3,
        path: EKS,
        prop: "node_desired_size",
    },
    Row {
        slip: "a desired size below the minimum",
        apply: |k| k.eks_node_desired_size = 1,
        path: EKS,
        prop: "node_desired_size",
    },
    Row {
        slip: "a maximum size of 0",
        apply: |k| k.eks_node_max_size = 0,
        path: EKS,
        prop: "node_max_size",
    },
    Row {
        slip: "a maximum below the minimum and desired sizes",
        apply: |k| k.eks_node_max_size = 1,
        path: EKS,
        prop: "node_max_size",
    },
    // log_types: the enumeration, duplicates.
    Row {
        slip: "a log type in the wrong case",
        apply: |k| k.eks_log_types = vec!["API".into(), "audit".into()],
        path: EKS,
        prop: "log_types",
    },
    Row {
        slip: "a misspelt log type",
        apply: |k| k.eks_log_types = vec!["controllermanager".into()],
        path: EKS,
        prop: "log_types",
    },
    Row {
        slip: "a log type EKS does not send",
        apply: |k| k.eks_log_types = vec!["api".into(), "kubelet".into()],
        path: EKS,
        prop: "log_types",
    },
    Row {
        slip: "a log type listed twice",
        apply: |k| k.eks_log_types = vec!["api".into(), "audit".into(), "api".into()],
        path: EKS,
        prop: "log_types",
    },
    // secrets_encryption: a key of the cluster's Region, by KMS ARN, key id or alias.
    Row {
        slip: "a secrets key of the other Region",
        // Both sites given the DR Region's key: right for the DR site only.
        apply: |k| {
            let west = SecretsEncryption::Key(
                "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                    .into(),
            );
            k.eks_secrets_encryption = (west.clone(), west);
        },
        path: EKS,
        prop: "secrets_encryption",
    },
    Row {
        slip: "a secrets key that is not a KMS ARN",
        apply: |k| {
            let secret = SecretsEncryption::Key(
                "arn:aws:secretsmanager:us-east-2:123456789012:secret:x-AbCdEf".into(),
            );
            k.eks_secrets_encryption = (secret.clone(), secret);
        },
        path: EKS,
        prop: "secrets_encryption",
    },
    Row {
        slip: "a secrets key that is neither ARN, key id nor alias",
        apply: |k| {
            let key = SecretsEncryption::Key("my-key".into());
            k.eks_secrets_encryption = (key.clone(), key);
        },
        path: EKS,
        prop: "secrets_encryption",
    },
];

#[test]
fn one_slip_in_each_eks_prop_is_one_error_at_that_prop() {
    check_rows(pair_app, ROWS);
}

/// The default version is one the table has in standard support.
#[test]
fn the_default_kubernetes_version_is_in_standard_support() {
    assert!(matches!(
        eks::support(DEFAULT_KUBERNETES_VERSION),
        VersionSupport::Standard(_)
    ));
}

/// A version newer than the table is a warning naming the table's date, never an error:
/// synthesis goes on, since EKS may well offer it.
#[test]
fn a_version_newer_than_the_table_is_a_warning_naming_its_date() {
    let k = Knobs {
        eks_version: "1.36".into(),
        ..Knobs::default()
    };
    let app = pair_app(&k);
    assert!(errors(&app).is_empty(), "{:#?}", errors(&app));
    let warnings: Vec<_> = app
        .tree()
        .diagnostics()
        .0
        .into_iter()
        .filter(|d| d.code == "DRK-EKS-006")
        .collect();
    let [w] = warnings.as_slice() else {
        panic!("one warning expected: {warnings:#?}");
    };
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.path, EKS);
    assert_eq!(w.prop.as_deref(), Some("version"));
    assert_eq!(
        w.message,
        format!(
            "Kubernetes 1.36 is not in drkit's EKS version table of {}; it may be newer than the table, or not offered by EKS",
            eks::AS_OF
        )
    );
}

/// A version in extended support is still created, so it is no error.
#[test]
fn a_version_in_extended_support_is_accepted() {
    let k = Knobs {
        eks_version: "1.32".into(),
        ..Knobs::default()
    };
    assert!(matches!(eks::support("1.32"), VersionSupport::Extended(_)));
    assert!(errors(&pair_app(&k)).is_empty());
}
