//! SSM parameters, STS caller identity, S3 uploads and the emptying of a bucket.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use dr_core::Region;
use dr_core::cloud::{
    CallerIdentity, CloudError, CloudResult, MAX_DELETE_OBJECTS, ObjectVersion, SsmParameter,
};

use super::Clients;
use super::convert::required;

/// `GetParameter` with decryption (a `SecureString` comes back in clear).
pub(crate) async fn get_parameter(
    c: &Clients,
    region: Region,
    name: &str,
) -> CloudResult<SsmParameter> {
    const OP: &str = "GetParameter";
    let res = format!("SSM parameter {name}");
    let call = c.call(OP, region, &res);
    let out = c
        .ssm
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    let p = out
        .parameter()
        .ok_or_else(|| CloudError::other(OP, "the answer has no Parameter"))?;
    Ok(SsmParameter {
        name: p.name().unwrap_or(name).to_string(),
        value: required(OP, "Parameter.Value", p.value())?,
        version: p.version(),
    })
}

/// `GetCallerIdentity`.
pub(crate) async fn get_caller_identity(
    c: &Clients,
    region: Region,
) -> CloudResult<CallerIdentity> {
    const OP: &str = "GetCallerIdentity";
    let call = c.call(OP, region, "caller identity");
    let out = c
        .sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(CallerIdentity {
        account: required(OP, "Account", out.account())?,
        arn: required(OP, "Arn", out.arn())?,
        user_id: out.user_id().unwrap_or_default().to_string(),
    })
}

/// `PutObject`, returning the URL CloudFormation's `TemplateURL` takes.
pub(crate) async fn put_object(
    c: &Clients,
    region: Region,
    endpoint_url: Option<&str>,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
) -> CloudResult<String> {
    let res = format!("bucket {bucket}");
    let call = c.call("PutObject", region, &res);
    c.s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(object_url(region, endpoint_url, bucket, key))
}

/// `ListObjectVersions`, every page: the versions, then the delete markers, of each page.
/// A truncated page names where the next starts (`NextKeyMarker`, `NextVersionIdMarker`:
/// "ListObjectVersions",
/// <https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html>).
pub(crate) async fn list_object_versions(
    c: &Clients,
    region: Region,
    bucket: &str,
) -> CloudResult<Vec<ObjectVersion>> {
    const OP: &str = "ListObjectVersions";
    let res = format!("bucket {bucket}");
    let call = c.call(OP, region, &res);
    let mut out = Vec::new();
    let (mut key_marker, mut version_marker): (Option<String>, Option<String>) = (None, None);
    loop {
        let page =
            c.s3.list_object_versions()
                .bucket(bucket)
                .set_key_marker(key_marker.take())
                .set_version_id_marker(version_marker.take())
                .send()
                .await
                .map_err(|e| call.map(e))?;
        for v in page.versions() {
            out.push(ObjectVersion {
                key: required_key(OP, v.key())?,
                version_id: v.version_id().map(str::to_string),
                is_delete_marker: false,
            });
        }
        for m in page.delete_markers() {
            out.push(ObjectVersion {
                key: required_key(OP, m.key())?,
                version_id: m.version_id().map(str::to_string),
                is_delete_marker: true,
            });
        }
        if page.is_truncated() != Some(true) {
            return Ok(out);
        }
        key_marker = page.next_key_marker().map(str::to_string);
        version_marker = page.next_version_id_marker().map(str::to_string);
        if key_marker.is_none() && version_marker.is_none() {
            // A truncated page that says nowhere to go on would loop for ever.
            return Err(CloudError::other(
                OP,
                "a truncated page names no NextKeyMarker or NextVersionIdMarker",
            ));
        }
    }
}

fn required_key(op: &str, key: Option<&str>) -> CloudResult<String> {
    key.map(str::to_string)
        .ok_or_else(|| CloudError::other(op, "an entry of the answer has no Key"))
}

/// `DeleteObjects` in requests of at most [`MAX_DELETE_OBJECTS`] keys, each with its version id,
/// in quiet mode (the answer lists only the keys that failed: "DeleteObjects",
/// <https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html>). The first key S3
/// refuses fails the call with S3's code and message.
pub(crate) async fn delete_objects(
    c: &Clients,
    region: Region,
    bucket: &str,
    objects: Vec<ObjectVersion>,
) -> CloudResult<()> {
    const OP: &str = "DeleteObjects";
    let res = format!("bucket {bucket}");
    let call = c.call(OP, region, &res);
    let invalid = |e: aws_sdk_s3::error::BuildError| {
        CloudError::validation(OP, format!("the request could not be built: {e}"))
    };
    for batch in objects.chunks(MAX_DELETE_OBJECTS) {
        let ids = batch
            .iter()
            .map(|o| {
                ObjectIdentifier::builder()
                    .key(&o.key)
                    .set_version_id(o.version_id.clone())
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        let delete = Delete::builder()
            .set_objects(Some(ids))
            .quiet(true)
            .build()
            .map_err(invalid)?;
        let out =
            c.s3.delete_objects()
                .bucket(bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|e| call.map(e))?;
        if let Some(e) = out.errors().first() {
            let key = e.key().unwrap_or_default();
            let version = e
                .version_id()
                .map(|v| format!(" version {v}"))
                .unwrap_or_default();
            let message = format!(
                "{key}{version}: {} ({} of {} keys of the request refused)",
                e.message().unwrap_or("no message"),
                out.errors().len(),
                batch.len()
            );
            // The request itself succeeded (HTTP 200); the key's own code says why it failed.
            return Err(call.response_error(e.code(), &message, 200, None));
        }
    }
    Ok(())
}

/// The object's URL: virtual-hosted style on AWS ([Virtual hosting of buckets](https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html)),
/// path style on an emulator (the client sends path style there too).
pub(crate) fn object_url(
    region: Region,
    endpoint_url: Option<&str>,
    bucket: &str,
    key: &str,
) -> String {
    let key = encode_key(key);
    match endpoint_url {
        Some(e) => format!("{}/{bucket}/{key}", e.trim_end_matches('/')),
        None => format!("https://{bucket}.s3.{}.amazonaws.com/{key}", region.code()),
    }
}

/// Percent-encodes an object key for a URL, keeping `/` and RFC 3986 unreserved characters.
fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_urls() {
        assert_eq!(
            object_url(Region::UsEast2, None, "b", "drkit/t 1.json"),
            "https://b.s3.us-east-2.amazonaws.com/drkit/t%201.json"
        );
        assert_eq!(
            object_url(
                Region::UsWest2,
                Some("http://127.0.0.1:5000/"),
                "b",
                "k.json"
            ),
            "http://127.0.0.1:5000/b/k.json"
        );
    }
}
