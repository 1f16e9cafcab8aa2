//! Systems Manager: Parameter Store parameters.

use serde_json::json;

use super::{Attributes, IdContext, upper};

/// The physical id of an `AWS::SSM::<resource>` (a parameter's name), or `None` for a
/// resource type the simulator does not model.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "Parameter" => {
            let name = ctx.prop("Name").unwrap_or_else(|| {
                format!("CFN-{}-{}", ctx.logical_id, upper(&ctx.seed("ssm"), 12))
            });
            a.put(
                "Arn",
                json!(ctx.arn(
                    "ssm",
                    &format!(
                        "parameter{}{name}",
                        if name.starts_with('/') { "" } else { "/" }
                    )
                )),
            );
            a.put(
                "Type",
                json!(ctx.prop("Type").unwrap_or_else(|| "String".into())),
            );
            a.put("Value", json!(ctx.prop("Value").unwrap_or_default()));
            name
        }
        _ => return None,
    })
}
