//! Secrets Manager: secrets.

use serde_json::json;

use super::{Attributes, IdContext, chars_from, lower};

/// The physical id of an `AWS::SecretsManager::<resource>` (a secret's ARN), or `None` for a
/// resource type the simulator does not model.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "Secret" => {
            let name = ctx
                .prop("Name")
                .unwrap_or_else(|| format!("{}-{}", ctx.logical_id, lower(&ctx.seed("sname"), 12)));
            let arn = ctx.arn(
                "secretsmanager",
                &format!(
                    "secret:{name}-{}",
                    chars_from(
                        &ctx.seed("sarn"),
                        6,
                        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    )
                ),
            );
            a.put("Id", json!(arn));
            arn
        }
        _ => return None,
    })
}
