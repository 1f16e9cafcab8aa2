//! S3 objects: what each bucket holds, by key and version, so that a bucket that is not empty
//! refuses its deletion as S3 does and can be emptied through the port.
//!
//! Versioning as S3 documents it ("How S3 Versioning works",
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/versioning-workflows.html>): in a
//! bucket with versioning, a write adds a version and a delete without a version id adds a
//! delete marker; in a bucket without it, every object has the version id `null` and a write
//! or delete replaces or removes it. A delete with a version id removes that version (or
//! marker) for good. A bucket is empty only without any version or delete marker.

use dr_core::cloud::ObjectVersion;
use serde_json::Value;

use crate::ids;
use crate::state::{StackResource, StoredVersion, World};

/// The version id of every object in a bucket without versioning.
const NULL_VERSION: &str = "null";

/// Whether an `AWS::S3::Bucket`'s properties turn versioning on
/// (`VersioningConfiguration.Status` `Enabled`).
fn versioning(r: &StackResource) -> bool {
    r.properties
        .pointer("/VersioningConfiguration/Status")
        .and_then(Value::as_str)
        == Some("Enabled")
}

/// A stack made bucket `r` (or changed its versioning). Objects already there stay: once
/// versioning has been on, a bucket keeps the versions it has.
pub fn register_bucket(w: &mut World, r: &StackResource) {
    let on = versioning(r);
    let b = w.s3.entry(r.physical_id.clone()).or_default();
    b.versioning = on;
}

/// Bucket `name` is gone (deleted by its stack, which S3 allows only when it is empty).
pub fn remove_bucket(w: &mut World, name: &str) {
    w.s3.remove(name);
}

/// A seeded bucket (made outside any stack), without versioning.
pub fn seed_bucket(w: &mut World, name: &str) {
    w.s3.entry(name.to_string()).or_default();
}

/// Writes `body` at `key`; returns its version id.
pub fn put(w: &mut World, bucket: &str, key: &str, body: &str) -> String {
    let (now, seq) = (w.now, w.next_seq());
    let b = w.s3.entry(bucket.to_string()).or_default();
    let versions = b.objects.entry(key.to_string()).or_default();
    let version_id = if b.versioning {
        ids::lower(&format!("s3/{bucket}/{key}/{seq}"), 32)
    } else {
        versions.retain(|v| v.version_id != NULL_VERSION);
        NULL_VERSION.to_string()
    };
    versions.push(StoredVersion {
        version_id: version_id.clone(),
        body: Some(body.to_string()),
        at: now,
    });
    version_id
}

/// The current body at `key`, unless the key has none or its current version is a delete
/// marker.
pub fn get<'a>(w: &'a World, bucket: &str, key: &str) -> Option<&'a str> {
    w.s3.get(bucket)?.objects.get(key)?.last()?.body.as_deref()
}

/// `ListObjectVersions`: every version and delete marker, by key, newest first within a key
/// (as S3 lists them).
pub fn list_versions(w: &World, bucket: &str) -> Vec<ObjectVersion> {
    w.s3.get(bucket)
        .map(|b| {
            b.objects
                .iter()
                .flat_map(|(key, versions)| {
                    versions.iter().rev().map(move |v| ObjectVersion {
                        key: key.clone(),
                        version_id: Some(v.version_id.clone()),
                        is_delete_marker: v.body.is_none(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `DeleteObjects`: each entry with a version id removes that version or marker (one that is
/// not there is no error: S3 reports it deleted); without one, a bucket with versioning gets a
/// delete marker and one without loses the object.
pub fn delete(w: &mut World, bucket: &str, objects: &[ObjectVersion]) {
    let (now, seq) = (w.now, w.next_seq());
    let Some(b) = w.s3.get_mut(bucket) else {
        return;
    };
    for (n, o) in objects.iter().enumerate() {
        let versioning = b.versioning;
        let Some(versions) = b.objects.get_mut(&o.key) else {
            continue;
        };
        match &o.version_id {
            Some(id) => versions.retain(|v| &v.version_id != id),
            None if versioning => versions.push(StoredVersion {
                version_id: ids::lower(&format!("s3/{bucket}/{}/{seq}/{n}/marker", o.key), 32),
                body: None,
                at: now,
            }),
            None => versions.clear(),
        }
    }
    b.objects.retain(|_, v| !v.is_empty());
}

/// Whether `bucket` holds any version or delete marker (a bucket the simulator has no objects
/// for holds none).
pub fn holds_anything(w: &World, bucket: &str) -> bool {
    w.s3.get(bucket).is_some_and(|b| !b.objects.is_empty())
}

/// Whether `bucket` has versioning on.
pub fn is_versioned(w: &World, bucket: &str) -> bool {
    w.s3.get(bucket).is_some_and(|b| b.versioning)
}
