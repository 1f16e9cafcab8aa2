//! Where templates over CloudFormation's inline limit go: one S3 bucket per Region.
//!
//! Why per Region: the upload goes through the stack Region's S3 client and the URL names that
//! Region, and a bucket answers requests for another Region's endpoint with `PermanentRedirect`
//! (HTTP 301, "Error responses",
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html>), which the AWS SDK
//! for Rust does not follow (awslabs/aws-sdk-rust#1056 asks for it), so one bucket cannot
//! serve the stacks of both Regions of a pair.

use std::collections::BTreeMap;

use dr_core::Region;

/// The S3 buckets for templates over 51,200 bytes: one per Region, given by name
/// (`us-east-2=my-templates-use2`) or by a pattern in which `{region}` becomes the Region's
/// code (`my-templates-{region}`). Default: none, so such a template is an error naming its
/// size and Region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateBuckets {
    by_region: BTreeMap<Region, String>,
    pattern: Option<String>,
}

impl TemplateBuckets {
    /// No bucket.
    pub fn none() -> Self {
        TemplateBuckets::default()
    }

    /// `bucket` for the stacks of `region` (replacing what was set for it).
    pub fn with(mut self, region: Region, bucket: impl Into<String>) -> Self {
        self.by_region.insert(region, bucket.into());
        self
    }

    /// A bucket for every Region not named otherwise: `pattern` with `{region}` replaced by the
    /// Region's code.
    pub fn with_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.pattern = Some(pattern.into());
        self
    }

    /// Reads `--template-bucket` values: `REGION=BUCKET`, or a name containing `{region}`.
    /// A bare name is refused, since one bucket cannot serve two Regions.
    pub fn parse<S: AsRef<str>>(specs: &[S]) -> Result<Self, String> {
        let mut out = TemplateBuckets::none();
        for spec in specs {
            let spec = spec.as_ref().trim();
            if let Some((region, bucket)) = spec.split_once('=') {
                let r: Region = region.trim().parse().map_err(|_| {
                    format!("`{spec}`: `{region}` is not a Region drkit knows (e.g. us-east-2)")
                })?;
                if bucket.trim().is_empty() {
                    return Err(format!("`{spec}`: no bucket name after `=`"));
                }
                out = out.with(r, bucket.trim());
            } else if spec.contains("{region}") {
                out = out.with_pattern(spec);
            } else {
                return Err(format!(
                    "`{spec}`: name the bucket's Region (`--template-bucket us-east-2={spec}`) or give a pattern with `{{region}}` (`--template-bucket {spec}-{{region}}`): a bucket serves only the stacks of its own Region, one per Region"
                ));
            }
        }
        Ok(out)
    }

    /// The bucket for the stacks of `region`, if any.
    pub fn for_region(&self, region: Region) -> Option<String> {
        self.by_region.get(&region).cloned().or_else(|| {
            self.pattern
                .as_ref()
                .map(|p| p.replace("{region}", region.code()))
        })
    }

    /// Whether no bucket is set.
    pub fn is_empty(&self) -> bool {
        self.by_region.is_empty() && self.pattern.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_named_per_region_or_by_pattern() {
        let b = TemplateBuckets::parse(&["us-east-2=a-use2", "t-{region}"]).unwrap();
        assert_eq!(b.for_region(Region::UsEast2).as_deref(), Some("a-use2"));
        assert_eq!(
            b.for_region(Region::UsWest2).as_deref(),
            Some("t-us-west-2")
        );
        assert!(
            TemplateBuckets::none()
                .for_region(Region::UsEast2)
                .is_none()
        );
        let e = TemplateBuckets::parse(&["shared-bucket"]).unwrap_err();
        assert!(e.contains("us-east-2=shared-bucket"), "{e}");
        assert!(
            TemplateBuckets::parse(&["mars-1=x"])
                .unwrap_err()
                .contains("mars-1")
        );
        assert!(TemplateBuckets::parse(&["us-east-2="]).is_err());
    }
}
