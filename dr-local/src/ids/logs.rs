//! CloudWatch Logs: log groups.

use serde_json::json;

use super::{Attributes, IdContext};

/// The physical id of an `AWS::Logs::<resource>` (a log group's name), or `None` for a
/// resource type the simulator does not model.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "LogGroup" => {
            let name = ctx
                .prop("LogGroupName")
                .unwrap_or_else(|| ctx.generated_name(512));
            a.put(
                "Arn",
                json!(ctx.arn("logs", &format!("log-group:{name}:*"))),
            );
            name
        }
        _ => return None,
    })
}
