//! SNS: topics, their policies and subscriptions.
//!
//! What `Ref` returns, per "AWS::SNS::Topic" ("the ARN of the topic"), "AWS::SNS::Subscription"
//! ("the ARN of the subscription") and "AWS::SNS::TopicPolicy" (an id CloudFormation makes up)
//! in the CloudFormation Template Reference,
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-topic.html>.

use serde_json::json;

use super::{Attributes, IdContext, uuid};

/// The physical id of an `AWS::SNS::<resource>`, or `None` for a resource type the simulator
/// does not model.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "Topic" => {
            // Topic names: up to 256 characters ("CreateTopic", Amazon SNS API Reference).
            let name = ctx
                .prop("TopicName")
                .unwrap_or_else(|| ctx.generated_name(256));
            let arn = ctx.arn("sns", &name);
            a.put("TopicArn", json!(arn));
            a.put("TopicName", json!(name));
            arn
        }
        "Subscription" => {
            let topic = ctx.prop("TopicArn").unwrap_or_default();
            let arn = format!("{topic}:{}", uuid(&ctx.seed("subscription")));
            a.put("Arn", json!(arn));
            arn
        }
        "TopicPolicy" => {
            let id = ctx.generated_name(128);
            a.put("Id", json!(id));
            id
        }
        _ => return None,
    })
}
