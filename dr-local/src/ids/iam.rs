//! IAM: roles, instance profiles, inline policies.

use serde_json::json;

use super::{Attributes, IdContext, upper};

/// The physical id of an `AWS::IAM::<resource>`, or `None` for a resource type the simulator
/// does not model. IAM is global: its ARNs name no Region.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "Role" => {
            let name = ctx
                .prop("RoleName")
                .unwrap_or_else(|| ctx.generated_name(64));
            let path = ctx.prop("Path").unwrap_or_else(|| "/".into());
            a.put(
                "Arn",
                json!(format!("arn:aws:iam::{}:role{path}{name}", ctx.account)),
            );
            a.put(
                "RoleId",
                json!(format!("AROA{}", upper(&ctx.seed("roleid"), 17))),
            );
            name
        }
        "InstanceProfile" => {
            let name = ctx
                .prop("InstanceProfileName")
                .unwrap_or_else(|| ctx.generated_name(128));
            let path = ctx.prop("Path").unwrap_or_else(|| "/".into());
            a.put(
                "Arn",
                json!(format!(
                    "arn:aws:iam::{}:instance-profile{path}{name}",
                    ctx.account
                )),
            );
            name
        }
        "Policy" => {
            let id = format!(
                "{}-{}",
                ctx.stack_name.chars().take(5).collect::<String>(),
                upper(&ctx.seed("pol"), 12)
            );
            a.put("Id", json!(id));
            id
        }
        _ => return None,
    })
}
