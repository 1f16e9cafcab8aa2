//! [`AlarmTopic`]: where the alarms of a Region send their notifications.
//!
//! A CloudWatch alarm can notify only an SNS topic of its own Region ("Using Amazon CloudWatch
//! alarms", "Alarm actions": "the SNS topic must be in the same Region as the alarm",
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions.html>),
//! so a pair has one topic per Region, and every alarm it synthesizes names the topic of its
//! Region, so no alarm (the traffic switch's among them) changes state silently.

use dr_core::diagnostics::codes;
use dr_core::expr::Pseudo;
use dr_core::{CfnResource, Expr, Scope, Token, Val};

use crate::common::val;
use crate::l1::Tag;
use crate::l1::sns::{CfnSubscription, CfnTopic, CfnTopicPolicy};

/// Settings of an [`AlarmTopic`].
#[derive(Debug, Clone, Default, bon::Builder)]
#[builder(on(String, into))]
pub struct AlarmTopicProps {
    /// A customer managed KMS key of the topic's Region that encrypts the topic's messages at
    /// rest. Its key policy must let `cloudwatch.amazonaws.com` use it (`kms:Decrypt`,
    /// `kms:GenerateDataKey*`), or alarms cannot publish ("Encrypting messages published to
    /// Amazon SNS with AWS KMS", "Enable compatibility between event sources from AWS services
    /// and encrypted topics",
    /// <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services>);
    /// the AWS managed key `alias/aws/sns` cannot be given that permission, so it is not a
    /// choice for alarms. Default: none, the topic is not encrypted at rest by SNS.
    pub kms_key: Option<Val<String>>,
    /// An email address subscribed to the topic. SNS sends it a confirmation message; no
    /// notification reaches it until someone follows the link ("Subscribing to an Amazon SNS
    /// topic", <https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html>).
    /// Default: none; subscribe what you like (chat, paging, email) to
    /// [`AlarmTopic::topic_arn`].
    pub email: Option<String>,
}

/// An SNS topic for the alarms of one Region: encrypted with the given key, a topic policy
/// that lets CloudWatch alarms of this account publish to it, and an optional email
/// subscription.
#[derive(Debug, Clone)]
pub struct AlarmTopic {
    scope: Scope,
    topic: CfnResource,
}

impl AlarmTopic {
    /// Creates the topic under `scope` with id `id`.
    pub fn new(scope: &Scope, id: &str, props: AlarmTopicProps) -> AlarmTopic {
        let scope = scope.child(id);
        let topic = scope.add(
            "Resource",
            &CfnTopic {
                display_name: val(format!("drkit alarms of {}", scope.path())),
                kms_master_key_id: props.kms_key,
                tags: Some(vec![Tag::new("Name", scope.path())]),
                ..Default::default()
            },
        );
        // CloudWatch publishes as the service principal; the conditions keep other accounts'
        // alarms out (the confused-deputy guidance of "Amazon SNS access policy examples",
        // <https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html>).
        scope.add(
            "Policy",
            &CfnTopicPolicy {
                topics: Some(vec![Val::from(topic.ref_())]),
                policy_document: Some(Expr::map([
                    ("Version", Expr::from("2012-10-17")),
                    (
                        "Statement",
                        Expr::list([Expr::map([
                            ("Sid", Expr::from("AlarmsOfThisAccountPublish")),
                            ("Effect", Expr::from("Allow")),
                            (
                                "Principal",
                                Expr::map([("Service", Expr::from("cloudwatch.amazonaws.com"))]),
                            ),
                            ("Action", Expr::from("sns:Publish")),
                            ("Resource", Expr::from(topic.ref_())),
                            (
                                "Condition",
                                Expr::map([
                                    (
                                        "StringEquals",
                                        Expr::map([(
                                            "aws:SourceAccount",
                                            Expr::pseudo(Pseudo::AccountId),
                                        )]),
                                    ),
                                    (
                                        "ArnLike",
                                        Expr::map([(
                                            "aws:SourceArn",
                                            Expr::sub(
                                                "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*",
                                                Vec::<(String, Expr)>::new(),
                                            ),
                                        )]),
                                    ),
                                ]),
                            ),
                        ])]),
                    ),
                ])),
            },
        );
        if let Some(email) = props.email {
            if is_email_address(&email) {
                scope.add(
                    "Email",
                    &CfnSubscription {
                        topic_arn: val(topic.ref_()),
                        protocol: val("email"),
                        endpoint: val(email),
                        ..Default::default()
                    },
                );
            } else {
                report_email(&scope, "email", &email);
            }
        }
        AlarmTopic { scope, topic }
    }

    /// The topic's ARN (`Ref`), for an alarm's `AlarmActions` (same Region only).
    pub fn topic_arn(&self) -> Token {
        self.topic.ref_()
    }

    /// The topic resource.
    pub fn topic(&self) -> &CfnResource {
        &self.topic
    }

    /// The construct's scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

/// Reports `email`, given as `prop` on `scope`, as not one email address.
pub(crate) fn report_email(scope: &Scope, prop: &str, email: &str) {
    scope.prop_error(
        prop,
        codes::NOTIFY_001,
        format!("`{email}` is not an email address"),
        "give one address like ops@example.com, or leave the email out and subscribe to the topic yourself",
    );
}

/// Whether `s` looks like one email address: one `@` between a non-empty local part and a
/// domain with a dot, no spaces or list separators. SNS itself refuses a malformed endpoint
/// only when the subscription is created ("Subscribe", `InvalidParameter`), too late for a
/// deploy that should not half-apply.
pub(crate) fn is_email_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>'))
        && !domain.contains('@')
        && s.len() <= 254
}

#[cfg(test)]
mod tests {
    use super::is_email_address;

    #[test]
    fn email_addresses_are_told_apart_from_lists_and_typos() {
        assert!(is_email_address("ops@example.com"));
        assert!(is_email_address("first.last+dr@sub.example.co.uk"));
        for bad in [
            "",
            "ops",
            "ops@",
            "@example.com",
            "ops@example",
            "ops@example.",
            "a@b@example.com",
            "ops@example.com, dev@example.com",
            "ops @example.com",
        ] {
            assert!(!is_email_address(bad), "{bad}");
        }
    }
}
