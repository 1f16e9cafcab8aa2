//! Small conversions shared by the service modules.

use aws_smithy_types::DateTime;
use dr_core::cloud::{CloudError, Timestamp};

/// An SDK time as the port's [`Timestamp`] (millisecond precision, as the APIs report).
pub(crate) fn ts(t: &DateTime) -> Timestamp {
    // `to_millis` fails only for times beyond ±292 million years.
    Timestamp::from_millis(t.to_millis().unwrap_or(i64::MAX))
}

/// An optional SDK time.
pub(crate) fn ts_opt(t: Option<&DateTime>) -> Option<Timestamp> {
    t.map(ts)
}

/// The port's [`Timestamp`] as an SDK time.
pub(crate) fn to_datetime(t: Timestamp) -> DateTime {
    DateTime::from_millis(t.millis())
}

/// An owned copy of an optional string.
pub(crate) fn s(v: Option<&str>) -> Option<String> {
    v.map(str::to_string)
}

/// A field the API documents as always present but that was missing from the answer: the
/// answer is unusable, and the message says which operation and field (e.g. an emulator
/// leaving out `StackId`).
pub(crate) fn required(op: &str, field: &str, v: Option<&str>) -> Result<String, CloudError> {
    v.map(str::to_string).ok_or_else(|| {
        CloudError::other(
            op,
            format!("the answer has no {field}, which the AWS API always returns"),
        )
    })
}

/// Guards a pagination loop against an endpoint that hands back the token it was given
/// (which would loop forever).
pub(crate) fn next_page(
    op: &str,
    previous: Option<&str>,
    next: Option<&str>,
) -> Result<Option<String>, CloudError> {
    match next {
        None | Some("") => Ok(None),
        Some(n) if Some(n) == previous => Err(CloudError::other(
            op,
            format!("the endpoint returned the same page token twice ({n}); stopping"),
        )),
        Some(n) => Ok(Some(n.to_string())),
    }
}
