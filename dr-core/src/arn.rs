//! Amazon Resource Names: a syntactic parser for the six colon-separated parts.
//!
//! Source: "Amazon Resource Names (ARNs)", IAM User Guide
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>), also in the AWS
//! General Reference (<https://docs.aws.amazon.com/general/latest/gr/aws-arns-and-namespaces.html>):
//!
//! ```text
//! arn:partition:service:region:account-id:resource-id
//! arn:partition:service:region:account-id:resource-type/resource-id
//! arn:partition:service:region:account-id:resource-type:resource-id
//! ```
//!
//! - partition: `aws` (AWS Regions), `aws-cn` (China Regions), `aws-us-gov` (AWS GovCloud (US)
//!   Regions);
//! - service: the service namespace, e.g. `iam`, `acm`, `elasticloadbalancing`;
//! - region: the Region code; "the ARNs for some resources omit the Region, the account ID, or
//!   both" (IAM and S3, for example), so it may be empty;
//! - account-id: the 12-digit account id "without the hyphens", or empty; AWS managed IAM
//!   policies use `aws` in its place (`arn:aws:iam::aws:policy/AdministratorAccess`, IAM User
//!   Guide, "AWS managed policies");
//! - resource: the rest, which may itself contain colons (`resource-type:resource-id`).
//!
//! The parser checks the shape only; which service, Region and resource type a prop accepts is
//! the construct's check.

/// The partitions an ARN may name ("Amazon Resource Names (ARNs)", see the module
/// documentation).
pub const PARTITIONS: &[&str] = &["aws", "aws-cn", "aws-us-gov"];

/// The parts of an ARN, borrowed from the parsed string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: &'a str,
    /// The service namespace, e.g. `acm`.
    pub service: &'a str,
    /// The Region code, empty for resources that have none (IAM, S3).
    pub region: &'a str,
    /// The 12-digit account id, `aws` (AWS managed IAM policies), or empty.
    pub account: &'a str,
    /// Everything after the fifth colon, e.g. `certificate/0a1b...` or `role/path/name`.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// The resource type: the resource part up to its first `/` or `:`, e.g. `certificate`,
    /// `instance-profile`, `server-certificate`. The whole resource when it has neither.
    pub fn resource_type(&self) -> &'a str {
        self.resource
            .split(['/', ':'])
            .next()
            .unwrap_or(self.resource)
    }

    /// The resource after its type and separator (`certificate/abc` → `abc`), or `None` when
    /// the resource part has no separator.
    pub fn resource_id(&self) -> Option<&'a str> {
        self.resource
            .find(['/', ':'])
            .map(|i| &self.resource[i + 1..])
    }
}

/// Why a string is not an ARN. Each message says what is wrong and quotes the string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArnError {
    /// The string is empty.
    #[error("an ARN cannot be empty")]
    Empty,
    /// The string does not start with `arn:`.
    #[error(
        "`{arn}` is not an ARN: an ARN starts with `arn:` (arn:partition:service:region:account-id:resource)"
    )]
    NoPrefix {
        /// The string given.
        arn: String,
    },
    /// Fewer than the six colon-separated parts.
    #[error(
        "`{arn}` is not an ARN: it has {parts} colon-separated parts, an ARN has six (arn:partition:service:region:account-id:resource)"
    )]
    TooFewParts {
        /// The string given.
        arn: String,
        /// How many parts it has.
        parts: usize,
    },
    /// The partition is not one of [`PARTITIONS`].
    #[error(
        "`{arn}` names the partition `{partition}`; the partitions are aws, aws-cn and aws-us-gov"
    )]
    Partition {
        /// The string given.
        arn: String,
        /// The partition it names.
        partition: String,
    },
    /// The service namespace is empty or has characters other than lowercase letters, digits
    /// and hyphens.
    #[error(
        "`{arn}` has the service namespace `{service}`; a service namespace is lowercase letters, digits and hyphens, e.g. `iam` or `acm`"
    )]
    Service {
        /// The string given.
        arn: String,
        /// The service it names.
        service: String,
    },
    /// The Region part is not empty and does not look like a Region code.
    #[error("`{arn}` has the Region `{region}`, which is not a Region code (such as `us-east-1`)")]
    Region {
        /// The string given.
        arn: String,
        /// The Region part.
        region: String,
    },
    /// The account part is not empty, 12 digits or `aws`.
    #[error(
        "`{arn}` has the account id `{account}`; an account id is 12 digits without hyphens (or empty, or `aws` for AWS managed policies)"
    )]
    Account {
        /// The string given.
        arn: String,
        /// The account part.
        account: String,
    },
    /// Nothing after the account.
    #[error("`{arn}` has no resource after the account id")]
    NoResource {
        /// The string given.
        arn: String,
    },
}

/// Whether `s` looks like a Region code: lowercase letter groups separated by hyphens and a
/// final number, e.g. `us-east-1`, `us-gov-west-1`, `cn-north-1`. Syntactic only: the China and
/// GovCloud Regions are not in [`crate::Region`].
fn looks_like_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let Some((last, groups)) = parts.split_last() else {
        return false;
    };
    groups.len() >= 2
        && groups
            .iter()
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_lowercase()))
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// Parses an ARN into its parts, checking the shape described in the module documentation.
pub fn parse(s: &str) -> Result<Arn<'_>, ArnError> {
    if s.is_empty() {
        return Err(ArnError::Empty);
    }
    let arn = || s.to_string();
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    if parts[0] != "arn" {
        return Err(ArnError::NoPrefix { arn: arn() });
    }
    let [_, partition, service, region, account, resource] = parts[..] else {
        return Err(ArnError::TooFewParts {
            arn: arn(),
            parts: parts.len(),
        });
    };
    if !PARTITIONS.contains(&partition) {
        return Err(ArnError::Partition {
            arn: arn(),
            partition: partition.to_string(),
        });
    }
    if service.is_empty()
        || !service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(ArnError::Service {
            arn: arn(),
            service: service.to_string(),
        });
    }
    if !region.is_empty() && !looks_like_region(region) {
        return Err(ArnError::Region {
            arn: arn(),
            region: region.to_string(),
        });
    }
    let account_ok = account.is_empty()
        || account == "aws"
        || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
    if !account_ok {
        return Err(ArnError::Account {
            arn: arn(),
            account: account.to_string(),
        });
    }
    if resource.is_empty() {
        return Err(ArnError::NoResource { arn: arn() });
    }
    Ok(Arn {
        partition,
        service,
        region,
        account,
        resource,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_documented_shapes() {
        let a = parse("arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d").unwrap();
        assert_eq!(
            a,
            Arn {
                partition: "aws",
                service: "acm",
                region: "us-east-1",
                account: "123456789012",
                resource: "certificate/0a1b2c3d",
            }
        );
        assert_eq!(a.resource_type(), "certificate");
        assert_eq!(a.resource_id(), Some("0a1b2c3d"));

        let a = parse("arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:my:group").unwrap();
        assert_eq!(a.resource, "log-group:my:group");
        assert_eq!(a.resource_type(), "log-group");
        assert_eq!(a.resource_id(), Some("my:group"));

        let a = parse("arn:aws-cn:s3:::my-bucket").unwrap();
        assert_eq!((a.region, a.account, a.resource), ("", "", "my-bucket"));
        assert_eq!(a.resource_type(), "my-bucket");
        assert_eq!(a.resource_id(), None);
    }

    #[test]
    fn iam_arns_have_no_region_and_managed_policies_have_the_account_aws() {
        let a = parse("arn:aws:iam::123456789012:instance-profile/web/Fleet").unwrap();
        assert_eq!(a.region, "");
        assert_eq!(a.resource_type(), "instance-profile");
        let a = parse("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore").unwrap();
        assert_eq!(a.account, "aws");
    }

    #[test]
    fn says_what_is_wrong() {
        assert_eq!(parse(""), Err(ArnError::Empty));
        let e = parse("AmazonSSMManagedInstanceCore").unwrap_err();
        assert!(matches!(e, ArnError::NoPrefix { .. }), "{e}");
        assert!(e.to_string().contains("starts with `arn:`"), "{e}");
        let e = parse("arn:aws:acm:us-east-1").unwrap_err();
        assert_eq!(
            e,
            ArnError::TooFewParts {
                arn: "arn:aws:acm:us-east-1".into(),
                parts: 4
            }
        );
        assert!(e.to_string().contains("4 colon-separated parts"), "{e}");
        let e = parse("arn:amazon:acm:us-east-1:123456789012:certificate/x").unwrap_err();
        assert!(matches!(e, ArnError::Partition { ref partition, .. } if partition == "amazon"));
        let e = parse("arn:aws:ACM:us-east-1:123456789012:certificate/x").unwrap_err();
        assert!(matches!(e, ArnError::Service { .. }), "{e}");
        let e = parse("arn:aws:acm::123456789012:certificate/x").unwrap();
        assert_eq!(e.region, "");
        let e = parse("arn:aws:acm:useast1:123456789012:certificate/x").unwrap_err();
        assert!(matches!(e, ArnError::Region { ref region, .. } if region == "useast1"));
        let e = parse("arn:aws:acm:us-east-1:1234-5678-9012:certificate/x").unwrap_err();
        assert!(matches!(e, ArnError::Account { .. }), "{e}");
        assert!(e.to_string().contains("12 digits"), "{e}");
        let e = parse("arn:aws:acm:us-east-1:12345678901:certificate/x").unwrap_err();
        assert!(matches!(e, ArnError::Account { .. }), "{e}");
        let e = parse("arn:aws:acm:us-east-1:123456789012:").unwrap_err();
        assert!(matches!(e, ArnError::NoResource { .. }), "{e}");
    }

    #[test]
    fn region_codes_are_recognised_syntactically() {
        for ok in [
            "us-east-1",
            "us-gov-west-1",
            "cn-northwest-1",
            "ap-southeast-7",
        ] {
            assert!(looks_like_region(ok), "{ok}");
        }
        for bad in [
            "us-east",
            "useast1",
            "US-EAST-1",
            "us--1",
            "-east-1",
            "us-east-1a",
        ] {
            assert!(!looks_like_region(bad), "{bad}");
        }
    }
}
