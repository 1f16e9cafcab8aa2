//! S3: buckets and bucket policies.

use serde_json::json;

use super::{Attributes, IdContext};

/// The physical id of an `AWS::S3::<resource>` (a bucket's name, a bucket policy's bucket), or `None` for a resource
/// type the simulator does not model.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "Bucket" => {
            let region = ctx.region.code();
            let name = ctx
                .prop("BucketName")
                .unwrap_or_else(|| ctx.generated_name(63))
                .to_lowercase();
            a.put("Arn", json!(format!("arn:aws:s3:::{name}")));
            a.put("DomainName", json!(format!("{name}.s3.amazonaws.com")));
            a.put(
                "DualStackDomainName",
                json!(format!("{name}.s3.dualstack.{region}.amazonaws.com")),
            );
            a.put(
                "RegionalDomainName",
                json!(format!("{name}.s3.{region}.amazonaws.com")),
            );
            a.put(
                "WebsiteURL",
                json!(format!("http://{name}.s3-website.{region}.amazonaws.com")),
            );
            name
        }
        // A bucket policy is identified by its bucket: the type's `primaryIdentifier` is
        // `/properties/Bucket` (the vendored schema, `dr-core/schemas/aws-s3-bucketpolicy.json`),
        // so `Ref` and `DescribeStackResources` give the bucket's name.
        "BucketPolicy" => ctx.prop("Bucket").unwrap_or_else(|| ctx.generated_name(63)),
        _ => return None,
    })
}
