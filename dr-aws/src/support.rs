//! SSM parameters, STS caller identity and S3 uploads.

use aws_sdk_s3::primitives::ByteStream;
use dr_core::Region;
use dr_core::cloud::{CallerIdentity, CloudError, CloudResult, SsmParameter};

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
