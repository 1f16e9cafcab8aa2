//! Region facts: the commercial AWS Regions drkit deploys to, their Availability Zone names,
//! and per-Region constants the constructs need.
//!
//! Sources: Region codes from "AWS Regions and Availability Zones"
//! (<https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html>); AZ names
//! as they appear in `DescribeAvailabilityZones` and the per-Region AZ lists of the same guide
//! (<https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html>).
//! AZ *names* map to physical zones per account, and a few Regions restrict new accounts to
//! fewer zones than there are names: us-west-1 has three names but only two usable zones per
//! account (EC2 User Guide, "Regions and Zones": "us-west-1 ... 2 Availability Zones for new
//! customers"), and us-east-1e / ap-northeast-1b are closed to new accounts.
//! ALB canonical hosted zone ids: "Elastic Load Balancing endpoints and quotas"
//! (<https://docs.aws.amazon.com/general/latest/gr/elb.html>).

use std::fmt;
use std::str::FromStr;

macro_rules! regions {
    ($( $variant:ident => $code:literal, $name:literal, usable $usable:literal, [$($az:literal),*], $alb:expr ;)*) => {
        /// A commercial AWS Region.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Region {
            $(
                #[doc = concat!($name, " (`", $code, "`).")]
                $variant,
            )*
        }

        impl Region {
            /// Every Region drkit knows.
            pub const ALL: &'static [Region] = &[$(Region::$variant),*];

            /// The Region code, e.g. `us-east-2`.
            pub fn code(self) -> &'static str {
                match self { $(Region::$variant => $code,)* }
            }
            /// The Region's long name, e.g. "US East (Ohio)".
            pub fn display_name(self) -> &'static str {
                match self { $(Region::$variant => $name,)* }
            }
            /// The Availability Zone names of the Region, in order.
            pub fn az_names(self) -> &'static [&'static str] {
                match self { $(Region::$variant => &[$($az),*],)* }
            }
            /// How many zones one account can use at most (can be fewer than the names).
            pub fn usable_az_count(self) -> usize {
                match self { $(Region::$variant => $usable,)* }
            }
            /// The canonical hosted zone id of Application Load Balancers in the Region, where
            /// known (from "Elastic Load Balancing endpoints and quotas", see the module
            /// documentation). The local simulator answers the load balancer's
            /// `CanonicalHostedZoneID` attribute with it; constructs read that attribute
            /// instead, so they work in every Region.
            pub fn alb_hosted_zone_id(self) -> Option<&'static str> {
                match self { $(Region::$variant => $alb,)* }
            }
        }
    };
}

regions! {
    UsEast1 => "us-east-1", "US East (N. Virginia)", usable 6, ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"], Some("Z35SXDOTRQ7X7K");
    UsEast2 => "us-east-2", "US East (Ohio)", usable 3, ["us-east-2a", "us-east-2b", "us-east-2c"], Some("Z3AADJGX6KTTL2");
    UsWest1 => "us-west-1", "US West (N. California)", usable 2, ["us-west-1a", "us-west-1b", "us-west-1c"], Some("Z368ELLRRE2KJ0");
    UsWest2 => "us-west-2", "US West (Oregon)", usable 4, ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"], Some("Z1H1FL5HABSF5");
    CaCentral1 => "ca-central-1", "Canada (Central)", usable 3, ["ca-central-1a", "ca-central-1b", "ca-central-1d"], None;
    CaWest1 => "ca-west-1", "Canada West (Calgary)", usable 3, ["ca-west-1a", "ca-west-1b", "ca-west-1c"], None;
    SaEast1 => "sa-east-1", "South America (São Paulo)", usable 3, ["sa-east-1a", "sa-east-1b", "sa-east-1c"], None;
    MxCentral1 => "mx-central-1", "Mexico (Central)", usable 3, ["mx-central-1a", "mx-central-1b", "mx-central-1c"], None;
    EuWest1 => "eu-west-1", "Europe (Ireland)", usable 3, ["eu-west-1a", "eu-west-1b", "eu-west-1c"], None;
    EuWest2 => "eu-west-2", "Europe (London)", usable 3, ["eu-west-2a", "eu-west-2b", "eu-west-2c"], None;
    EuWest3 => "eu-west-3", "Europe (Paris)", usable 3, ["eu-west-3a", "eu-west-3b", "eu-west-3c"], None;
    EuCentral1 => "eu-central-1", "Europe (Frankfurt)", usable 3, ["eu-central-1a", "eu-central-1b", "eu-central-1c"], None;
    EuCentral2 => "eu-central-2", "Europe (Zurich)", usable 3, ["eu-central-2a", "eu-central-2b", "eu-central-2c"], None;
    EuNorth1 => "eu-north-1", "Europe (Stockholm)", usable 3, ["eu-north-1a", "eu-north-1b", "eu-north-1c"], None;
    EuSouth1 => "eu-south-1", "Europe (Milan)", usable 3, ["eu-south-1a", "eu-south-1b", "eu-south-1c"], None;
    EuSouth2 => "eu-south-2", "Europe (Spain)", usable 3, ["eu-south-2a", "eu-south-2b", "eu-south-2c"], None;
    ApEast1 => "ap-east-1", "Asia Pacific (Hong Kong)", usable 3, ["ap-east-1a", "ap-east-1b", "ap-east-1c"], None;
    ApSouth1 => "ap-south-1", "Asia Pacific (Mumbai)", usable 3, ["ap-south-1a", "ap-south-1b", "ap-south-1c"], None;
    ApSouth2 => "ap-south-2", "Asia Pacific (Hyderabad)", usable 3, ["ap-south-2a", "ap-south-2b", "ap-south-2c"], None;
    ApNortheast1 => "ap-northeast-1", "Asia Pacific (Tokyo)", usable 3, ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"], None;
    ApNortheast2 => "ap-northeast-2", "Asia Pacific (Seoul)", usable 4, ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"], None;
    ApNortheast3 => "ap-northeast-3", "Asia Pacific (Osaka)", usable 3, ["ap-northeast-3a", "ap-northeast-3b", "ap-northeast-3c"], None;
    ApSoutheast1 => "ap-southeast-1", "Asia Pacific (Singapore)", usable 3, ["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"], None;
    ApSoutheast2 => "ap-southeast-2", "Asia Pacific (Sydney)", usable 3, ["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"], None;
    ApSoutheast3 => "ap-southeast-3", "Asia Pacific (Jakarta)", usable 3, ["ap-southeast-3a", "ap-southeast-3b", "ap-southeast-3c"], None;
    ApSoutheast4 => "ap-southeast-4", "Asia Pacific (Melbourne)", usable 3, ["ap-southeast-4a", "ap-southeast-4b", "ap-southeast-4c"], None;
    ApSoutheast5 => "ap-southeast-5", "Asia Pacific (Malaysia)", usable 3, ["ap-southeast-5a", "ap-southeast-5b", "ap-southeast-5c"], None;
    ApSoutheast7 => "ap-southeast-7", "Asia Pacific (Thailand)", usable 3, ["ap-southeast-7a", "ap-southeast-7b", "ap-southeast-7c"], None;
    MeSouth1 => "me-south-1", "Middle East (Bahrain)", usable 3, ["me-south-1a", "me-south-1b", "me-south-1c"], None;
    MeCentral1 => "me-central-1", "Middle East (UAE)", usable 3, ["me-central-1a", "me-central-1b", "me-central-1c"], None;
    IlCentral1 => "il-central-1", "Israel (Tel Aviv)", usable 3, ["il-central-1a", "il-central-1b", "il-central-1c"], None;
    AfSouth1 => "af-south-1", "Africa (Cape Town)", usable 3, ["af-south-1a", "af-south-1b", "af-south-1c"], None;
}

impl Region {
    /// The Region an AZ name belongs to, when the name is one drkit knows (`us-west-1a` →
    /// us-west-1). Used to explain a misplaced AZ.
    pub fn of_az(az: &str) -> Option<Region> {
        Region::ALL
            .iter()
            .copied()
            .find(|r| r.az_names().contains(&az))
    }

    /// Whether `az` names a zone of this Region.
    pub fn has_az(self, az: &str) -> bool {
        self.az_names().contains(&az)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A Region code that names no commercial AWS Region drkit knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown AWS Region `{code}`{}", suggestion.map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
pub struct UnknownRegion {
    /// What was given.
    pub code: String,
    /// The closest known Region code, if one is close.
    pub suggestion: Option<&'static str>,
}

impl FromStr for Region {
    type Err = UnknownRegion;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(r) = Region::ALL.iter().copied().find(|r| r.code() == s) {
            return Ok(r);
        }
        let suggestion = crate::suggest::nearest(s, Region::ALL.iter().map(|r| r.code()));
        Err(UnknownRegion {
            code: s.to_string(),
            suggestion,
        })
    }
}

impl serde::Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_codes() {
        assert_eq!("us-east-2".parse::<Region>(), Ok(Region::UsEast2));
        assert_eq!(Region::UsWest2.to_string(), "us-west-2");
    }

    #[test]
    fn unknown_region_suggests_the_nearest() {
        let err = "us-east-7".parse::<Region>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown AWS Region `us-east-7`; did you mean `us-east-1`?"
        );
        let err = "mars-north-1".parse::<Region>().unwrap_err();
        assert_eq!(err.to_string(), "unknown AWS Region `mars-north-1`");
    }

    #[test]
    fn az_facts() {
        assert_eq!(Region::of_az("us-west-1a"), Some(Region::UsWest1));
        assert!(!Region::UsWest2.has_az("us-west-1a"));
        assert_eq!(Region::UsWest1.usable_az_count(), 2);
        assert_eq!(
            Region::UsEast2.az_names(),
            ["us-east-2a", "us-east-2b", "us-east-2c"]
        );
    }
}
