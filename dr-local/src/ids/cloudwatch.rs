//! CloudWatch: alarms.

use serde_json::json;

use super::{Attributes, IdContext};

/// The physical id of an `AWS::CloudWatch::<resource>` (an alarm's name), or `None` for a
/// resource type the simulator does not model.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "Alarm" => {
            let name = ctx
                .prop("AlarmName")
                .unwrap_or_else(|| ctx.generated_name(255));
            a.put(
                "Arn",
                json!(ctx.arn("cloudwatch", &format!("alarm:{name}"))),
            );
            name
        }
        _ => return None,
    })
}
