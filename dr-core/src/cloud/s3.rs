//! S3: the object versions of a bucket, so that a bucket can be emptied before it is deleted.
//!
//! S3 deletes only an empty bucket: one without objects, object versions or delete markers
//! (`BucketNotEmpty`, "The bucket you tried to delete is not empty": "Error responses",
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html>; "Emptying a bucket",
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/empty-bucket.html>).
//! `ListObjectVersions` lists all three, in a bucket with versioning or without (where every
//! object has the version id `null`), and `DeleteObjects` with version ids deletes them for
//! good ("ListObjectVersions",
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html>;
//! "DeleteObjects", <https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html>).

use serde::{Deserialize, Serialize};

/// The most keys one `DeleteObjects` request takes: "The request can contain a list of up to
/// 1,000 keys" ("DeleteObjects", linked in the module docs). Backends split longer lists.
pub const MAX_DELETE_OBJECTS: usize = 1000;

/// One entry of `ListObjectVersions`: an object version or a delete marker.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ObjectVersion {
    /// The object key.
    pub key: String,
    /// The version id (`null` in a bucket that never had versioning; `None` only when an
    /// answer left it out).
    pub version_id: Option<String>,
    /// A delete marker rather than a version with data.
    pub is_delete_marker: bool,
}
