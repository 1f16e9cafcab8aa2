//! Logical ids allocated the way the AWS CDK allocates them, so that ids are stable, unique
//! within a stack and familiar to anyone who has read a CDK template.
//!
//! Port of `aws-cdk-lib/core/lib/private/uniqueid.ts` (`makeUniqueId`): the construct path
//! below the stack goes in; "Default" components are dropped entirely, "Resource" components
//! are kept in the hash but hidden from the readable part, consecutive duplicated terms are
//! folded, and an 8-hex upper-case MD5 of the path is appended. A single component (a direct
//! child of a stack) keeps its id as it is, minus non-alphanumerics.

use md5::{Digest, Md5};

const HIDDEN_ID: &str = "Default";
const HIDDEN_FROM_HUMAN_ID: &str = "Resource";
const HASH_LEN: usize = 8;
const MAX_HUMAN_LEN: usize = 240;
/// CloudFormation's limit on a logical id's length.
pub const MAX_LOGICAL_ID_LEN: usize = 255;

/// Computes the logical id of the element whose path below its stack is `components`.
///
/// Returns `None` when nothing is left once "Default" components are dropped; the caller
/// reports that as a diagnostic on the construct.
pub fn make_logical_id<S: AsRef<str>>(components: &[S]) -> Option<String> {
    let components: Vec<&str> = components
        .iter()
        .map(AsRef::as_ref)
        .filter(|c| *c != HIDDEN_ID)
        .collect();
    if components.is_empty() {
        return None;
    }
    if components.len() == 1 {
        let candidate = remove_non_alphanumeric(components[0]);
        if candidate.len() <= MAX_LOGICAL_ID_LEN {
            return Some(candidate);
        }
    }
    let hash = path_hash(&components);
    let mut human: String = remove_dupes(&components)
        .into_iter()
        .filter(|c| *c != HIDDEN_FROM_HUMAN_ID)
        .map(remove_non_alphanumeric)
        .collect();
    human.truncate(MAX_HUMAN_LEN);
    Some(human + &hash)
}

fn path_hash(components: &[&str]) -> String {
    hash8(&components.join("/"))
}

/// The first 8 upper-case hex digits of the MD5 of `s`: the suffix CDK-style ids carry, also
/// used for the ids synthesis gives the outputs and parameters it adds.
pub fn hash8(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let digest = Md5::digest(s.as_bytes());
    let mut out = String::with_capacity(HASH_LEN);
    for b in &digest[..HASH_LEN / 2] {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xF)]));
    }
    out
}

fn remove_non_alphanumeric(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Skips a component when the previous kept one ends with it ("Vpc", "Vpc" → "Vpc").
fn remove_dupes<'a>(components: &[&'a str]) -> Vec<&'a str> {
    let mut kept: Vec<&'a str> = Vec::new();
    for c in components {
        if kept.last().is_none_or(|last| !last.ends_with(c)) {
            kept.push(c);
        }
    }
    kept
}

/// Whether `id` is a valid CloudFormation logical id: 1 to 255 ASCII alphanumerics.
pub fn is_valid_logical_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LOGICAL_ID_LEN
        && id.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected ids are those the AWS CDK gives for the same paths, as they appear in CDK's own
    // snapshot tests and docs: `MyFirstBucketB8884501` is the id of `new s3.Bucket(this,
    // 'MyFirstBucket')` in the CDK getting-started guide ("Your first AWS CDK app"); the VPC ids
    // are those of `new ec2.Vpc(stack, 'VPC')` in aws-cdk-lib/aws-ec2/test integ snapshots
    // (e.g. integ.vpc-*.js.snapshot templates).
    #[test]
    fn matches_aws_cdk_ids() {
        let cases: &[(&[&str], &str)] = &[
            (&["MyFirstBucket", "Resource"], "MyFirstBucketB8884501"),
            (&["VPC", "Resource"], "VPCB9E5F0B4"),
            (
                &["VPC", "PublicSubnet1", "Subnet"],
                "VPCPublicSubnet1SubnetB4246D30",
            ),
            (&["VPC", "IGW"], "VPCIGWB7E252D3"),
            (&["VPC", "VPCGW"], "VPCVPCGW99B986DC"),
            (
                &["VPC", "PublicSubnet1", "RouteTable"],
                "VPCPublicSubnet1RouteTableFEE4B781",
            ),
        ];
        for (path, expected) in cases {
            assert_eq!(
                make_logical_id(path).as_deref(),
                Some(*expected),
                "path {path:?}"
            );
        }
    }

    #[test]
    fn direct_child_keeps_its_id() {
        assert_eq!(make_logical_id(&["My-Bucket"]).as_deref(), Some("MyBucket"));
    }

    #[test]
    fn default_is_dropped_from_path_and_hash() {
        assert_eq!(
            make_logical_id(&["Vpc", "Default"]),
            make_logical_id(&["Vpc"])
        );
        assert_eq!(
            make_logical_id(&["A", "Default", "B"]),
            make_logical_id(&["A", "B"])
        );
        assert_eq!(make_logical_id::<&str>(&["Default"]), None);
    }

    #[test]
    fn resource_is_hidden_but_hashed() {
        let id = make_logical_id(&["Db", "Resource"]).unwrap();
        assert!(id.starts_with("Db") && id.len() == 2 + 8, "{id}");
        assert_ne!(id, make_logical_id(&["Db", "Other"]).unwrap());
    }

    #[test]
    fn long_paths_stay_within_the_limit() {
        let long = "A".repeat(300);
        let id = make_logical_id(&[long.as_str(), "B"]).unwrap();
        assert_eq!(id.len(), MAX_HUMAN_LEN + HASH_LEN);
        assert!(is_valid_logical_id(&id));
    }
}
