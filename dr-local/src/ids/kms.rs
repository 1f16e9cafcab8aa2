//! KMS: keys and aliases.

use serde_json::json;

use super::{Attributes, IdContext, uuid};

/// The physical id of an `AWS::KMS::<resource>`, or `None` for a resource type the simulator
/// does not model.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "Key" => {
            let id = uuid(&ctx.seed("kms"));
            a.put("KeyId", json!(id));
            a.put("Arn", json!(ctx.arn("kms", &format!("key/{id}"))));
            id
        }
        "Alias" => ctx
            .prop("AliasName")
            .unwrap_or_else(|| format!("alias/{}", ctx.logical_id)),
        _ => return None,
    })
}
