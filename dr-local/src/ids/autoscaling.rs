//! EC2 Auto Scaling: groups.

use serde_json::json;

use super::{Attributes, IdContext, uuid};

/// The physical id of an `AWS::AutoScaling::<resource>` (a group's name), or `None` for a
/// resource type the simulator does not model.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "AutoScalingGroup" => {
            let name = ctx
                .prop("AutoScalingGroupName")
                .unwrap_or_else(|| ctx.generated_name(255));
            a.put(
                "AutoScalingGroupARN",
                json!(ctx.arn(
                    "autoscaling",
                    &format!(
                        "autoScalingGroup:{}:autoScalingGroupName/{name}",
                        uuid(&ctx.seed("asg"))
                    )
                )),
            );
            name
        }
        _ => return None,
    })
}
