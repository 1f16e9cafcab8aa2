//! The `aws` backend against aws-smithy-mocks: canned wire responses in the shapes of the AWS
//! Query protocol (CloudFormation and RDS answer XML, errors as `<ErrorResponse>`), so the SDK's
//! own deserializers, retry classifiers and error parsing run as they would against AWS.
//!
//! Response shapes: [DescribeStackEvents](https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackEvents.html),
//! [DescribeChangeSet](https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html),
//! [DescribeGlobalClusters](https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeGlobalClusters.html),
//! [ModifyGlobalCluster](https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyGlobalCluster.html),
//! [Common errors](https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudformation::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_cloudformation::config::retry::RetryConfig;
use aws_sdk_cloudformation::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cloudformation::error::BoxError;
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use dr_core::Region;
use dr_core::cloud::{
    ChangeAction, ChangeSetStatus, ChangeSetType, Cloud, CloudErrorKind, CreateChangeSetInput,
    DeleteStackInput, DeletionMode, ExecuteChangeSetInput, ExecutionStatus, FailoverStatus,
    Replacement, ResourceStatus, StackStatus, SynchronizationStatus, TemplateSource,
    idempotency_token,
};

use super::{AwsCloud, AwsOptions, AwsTimeouts, Clients};

const REGION: Region = Region::UsEast2;
const CFN_NS: &str = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
const RDS_NS: &str = "http://rds.amazonaws.com/doc/2014-10-31/";
const STACK_ID: &str = "arn:aws:cloudformation:us-east-2:123456789012:stack/shop-primary/1a2b";

/// The SDK's standard retries, as `BehaviorVersion::latest()` configures them (3 attempts),
/// with a short backoff so the test does not wait seconds.
fn retry() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
}

/// A backend whose `us-east-2` clients answer from `cfn` and `rds` rules; the other services
/// have no rules (a call to them would fail the test).
fn cloud(cfn: Vec<&Rule>, rds: Vec<&Rule>) -> AwsCloud {
    cloud_with(Rules {
        cfn,
        rds,
        ..Rules::default()
    })
}

/// Canned answers per service.
#[derive(Default)]
struct Rules<'a> {
    cfn: Vec<&'a Rule>,
    rds: Vec<&'a Rule>,
    cloudwatch: Vec<&'a Rule>,
    route53: Vec<&'a Rule>,
    elbv2: Vec<&'a Rule>,
    s3: Vec<&'a Rule>,
    /// Records what the CloudFormation client puts on the wire.
    cfn_sent: Option<Sent>,
}

/// The body of every CloudFormation request as transmitted, one entry per attempt: the mock
/// rules see a call's input once, before it is serialized, whereas a retry is a second
/// transmission of the serialized request, which is what a service sees.
#[derive(Debug, Clone, Default)]
struct Sent(Arc<Mutex<Vec<String>>>);

impl Sent {
    fn bodies(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

impl Intercept for Sent {
    fn name(&self) -> &'static str {
        "Sent"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let body = context.request().body().bytes().unwrap_or_default();
        self.0
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(body).into_owned());
        Ok(())
    }
}

/// The `key=value` pairs of an `application/x-www-form-urlencoded` Query request body, decoded
/// enough for the values drkit sends (names, tokens, enum values; no `+` or `%` in them).
fn form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("%2F", "/").replace("%3A", ":")))
        .collect()
}

/// The value of `key` in a Query request body.
fn field(body: &str, key: &str) -> Option<String> {
    form(body)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// A backend whose `us-east-2` clients answer from `rules`.
fn cloud_with(rules: Rules<'_>) -> AwsCloud {
    let none = Vec::<&Rule>::new;
    let sent = rules.cfn_sent.clone();
    let clients = Clients {
        cfn: mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, rules.cfn, |b| {
            let b = b.retry_config(retry());
            match &sent {
                Some(s) => b.interceptor(s.clone()),
                None => b,
            }
        }),
        rds: mock_client!(aws_sdk_rds, RuleMode::MatchAny, rules.rds, |b| b
            .retry_config(retry())),
        cloudwatch: mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, rules.cloudwatch),
        elbv2: mock_client!(
            aws_sdk_elasticloadbalancingv2,
            RuleMode::MatchAny,
            rules.elbv2
        ),
        route53: mock_client!(aws_sdk_route53, RuleMode::MatchAny, rules.route53, |b| b
            .retry_config(retry())),
        ssm: mock_client!(aws_sdk_ssm, RuleMode::MatchAny, none()),
        sts: mock_client!(aws_sdk_sts, RuleMode::MatchAny, none()),
        s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, rules.s3),
        profile: None,
    };
    AwsCloud::with_clients(REGION, clients)
}

fn cfn_ok(op: &str, result: &str) -> String {
    format!(
        r#"<{op}Response xmlns="{CFN_NS}"><{op}Result>{result}</{op}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></{op}Response>"#
    )
}

fn error_body(ns: &str, code: &str, message: &str) -> String {
    format!(
        r#"<ErrorResponse xmlns="{ns}"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-err</RequestId></ErrorResponse>"#
    )
}

fn event(id: &str, logical: &str, ty: &str, status: &str, time: &str, reason: &str) -> String {
    let physical = if ty == "AWS::CloudFormation::Stack" {
        format!("<PhysicalResourceId>{STACK_ID}</PhysicalResourceId>")
    } else {
        String::new()
    };
    format!(
        "<member><EventId>{id}</EventId><StackId>{STACK_ID}</StackId><StackName>shop-primary</StackName>\
         <LogicalResourceId>{logical}</LogicalResourceId>{physical}<ResourceType>{ty}</ResourceType>\
         <Timestamp>{time}</Timestamp><ResourceStatus>{status}</ResourceStatus>\
         <ResourceStatusReason>{reason}</ResourceStatusReason></member>"
    )
}

fn events_page(events: &[String], next: Option<&str>) -> String {
    let next = next
        .map(|n| format!("<NextToken>{n}</NextToken>"))
        .unwrap_or_default();
    cfn_ok(
        "DescribeStackEvents",
        &format!("<StackEvents>{}</StackEvents>{next}", events.concat()),
    )
}

fn event_rules() -> (Rule, Rule) {
    // Newest first, as AWS lists them: page 1 ends mid-stream, page 2 holds the oldest.
    let page1 = events_page(
        &[
            event(
                "e5",
                "shop-primary",
                "AWS::CloudFormation::Stack",
                "CREATE_COMPLETE",
                "2026-11-25T23:03:00.000Z",
                "",
            ),
            event(
                "e4",
                "Vpc",
                "AWS::EC2::VPC",
                "CREATE_COMPLETE",
                "2026-11-25T23:02:00.000Z",
                "",
            ),
            event(
                "e3",
                "Vpc",
                "AWS::EC2::VPC",
                "CREATE_IN_PROGRESS",
                "2026-11-25T23:01:30.000Z",
                "Resource creation Initiated",
            ),
        ],
        Some("page-2"),
    );
    let page2 = events_page(
        &[
            event(
                "e2",
                "Vpc",
                "AWS::EC2::VPC",
                "CREATE_IN_PROGRESS",
                "2026-11-25T23:01:00.000Z",
                "",
            ),
            event(
                "e1",
                "shop-primary",
                "AWS::CloudFormation::Stack",
                "CREATE_IN_PROGRESS",
                "2026-11-25T23:00:00.000Z",
                "User Initiated",
            ),
        ],
        None,
    );
    let first = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .match_requests(|i| i.stack_name() == Some("shop-primary") && i.next_token().is_none())
        .sequence()
        .http_status(200, Some(page1))
        .repeatedly()
        .build();
    let second = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .match_requests(|i| i.next_token() == Some("page-2"))
        .sequence()
        .http_status(200, Some(page2))
        .repeatedly()
        .build();
    (first, second)
}

#[tokio::test]
async fn stack_events_are_read_across_pages_newest_first() {
    let (first, second) = event_rules();
    let cloud = cloud(vec![&first, &second], vec![]);
    let events = cloud
        .describe_stack_events(REGION, "shop-primary", None)
        .await
        .unwrap();
    let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["e5", "e4", "e3", "e2", "e1"]);
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    let oldest = &events[4];
    assert!(oldest.is_stack_event(), "{oldest:?}");
    assert_eq!(oldest.status, ResourceStatus::CreateInProgress);
    assert_eq!(oldest.status_reason.as_deref(), Some("User Initiated"));
    assert_eq!(oldest.physical_id.as_deref(), Some(STACK_ID));
    assert_eq!(oldest.timestamp.to_string(), "2026-11-25T23:00:00.000Z");
    // A resource event without PhysicalResourceId has none (not an empty string).
    assert_eq!(events[3].physical_id, None);
    assert_eq!(events[0].status, ResourceStatus::CreateComplete);
}

#[tokio::test]
async fn stack_events_stop_at_the_last_seen_event_without_reading_further_pages() {
    let (first, second) = event_rules();
    let cloud = cloud(vec![&first, &second], vec![]);
    let events = cloud
        .describe_stack_events(REGION, "shop-primary", Some("e4"))
        .await
        .unwrap();
    let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["e5"]);
    assert_eq!(second.num_calls(), 0, "page 2 must not be fetched");
}

fn stack_xml(status: &str) -> String {
    cfn_ok(
        "DescribeStacks",
        &format!(
            "<Stacks><member><StackName>shop-primary</StackName><StackId>{STACK_ID}</StackId>\
             <CreationTime>2026-11-25T23:00:00.000Z</CreationTime><StackStatus>{status}</StackStatus>\
             <EnableTerminationProtection>true</EnableTerminationProtection>\
             <Capabilities><member>CAPABILITY_IAM</member></Capabilities>\
             <Outputs><member><OutputKey>VpcId</OutputKey><OutputValue>vpc-0abc</OutputValue>\
             <ExportName>shop-primary-VpcId</ExportName></member></Outputs>\
             <Parameters><member><ParameterKey>Ami</ParameterKey>\
             <ParameterValue>/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64</ParameterValue>\
             <ResolvedValue>ami-0123456789abcdef0</ResolvedValue></member></Parameters>\
             </member></Stacks>"
        ),
    )
}

#[tokio::test]
async fn throttling_is_retried_then_succeeds() {
    let rule = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .http_status(400, Some(error_body(CFN_NS, "Throttling", "Rate exceeded")))
        .times(2)
        .http_status(200, Some(stack_xml("CREATE_COMPLETE")))
        .build();
    let cloud = cloud(vec![&rule], vec![]);
    let stack = cloud
        .describe_stack(REGION, "shop-primary")
        .await
        .unwrap()
        .expect("the stack exists");
    assert_eq!(rule.num_calls(), 3, "two throttled attempts, then success");
    assert_eq!(stack.status, StackStatus::CreateComplete);
    assert_eq!(stack.stack_id, STACK_ID);
    assert!(stack.termination_protection);
    assert_eq!(stack.output("VpcId"), Some("vpc-0abc"));
    assert_eq!(
        stack.outputs[0].export_name.as_deref(),
        Some("shop-primary-VpcId")
    );
    let ami = stack.parameter("Ami").unwrap();
    assert_eq!(ami.resolved_value.as_deref(), Some("ami-0123456789abcdef0"));
    assert_eq!(stack.capabilities, [dr_core::cloud::Capability::Iam]);
}

#[tokio::test]
async fn throttling_beyond_the_retries_is_a_throttled_error() {
    let rule = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .http_status(400, Some(error_body(CFN_NS, "Throttling", "Rate exceeded")))
        .repeatedly()
        .build();
    let cloud = cloud(vec![&rule], vec![]);
    let err = cloud
        .describe_stack(REGION, "shop-primary")
        .await
        .unwrap_err();
    assert_eq!(rule.num_calls(), 3, "the SDK's standard 3 attempts");
    let (operation, message) = (err.operation(), err.message());
    match err.kind() {
        CloudErrorKind::Throttled => {
            assert_eq!(operation, "DescribeStacks");
            assert!(message.contains("Rate exceeded"), "{message}");
        }
        other => panic!("expected Throttled, got {other:?}"),
    }
    assert!(err.is_retryable());
}

/// An AWS server error: the common errors `InternalFailure` (HTTP 500) and
/// `ServiceUnavailable` (HTTP 503) are the service's fault, `<Type>Receiver</Type>`
/// ("Common errors", linked above; the body's shape is the Query protocol's `ErrorResponse`).
fn server_error_body(ns: &str, code: &str, message: &str) -> String {
    format!(
        r#"<ErrorResponse xmlns="{ns}"><Error><Type>Receiver</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-err</RequestId></ErrorResponse>"#
    )
}

/// A Region whose endpoints answer only 5xx: after the SDK's retries the error is a
/// `ServerError` naming the Region and the status, which the engine counts as the Region not
/// answering (`is_region_outage`), as it does a timeout.
#[tokio::test]
async fn server_errors_beyond_the_retries_are_the_region_not_answering() {
    let internal = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .http_status(
            500,
            Some(server_error_body(
                CFN_NS,
                "InternalFailure",
                "The request processing has failed because of an unknown error, exception or failure.",
            )),
        )
        .repeatedly()
        .build();
    let unavailable = mock!(aws_sdk_rds::Client::describe_db_clusters)
        .sequence()
        .http_status(
            503,
            Some(server_error_body(
                RDS_NS,
                "ServiceUnavailable",
                "The request has failed due to a temporary failure of the server.",
            )),
        )
        .repeatedly()
        .build();
    let cloud = cloud(vec![&internal], vec![&unavailable]);
    let err = cloud
        .describe_stack(REGION, "shop-primary")
        .await
        .unwrap_err();
    assert_eq!(internal.num_calls(), 3, "the SDK retried the 500 3 times");
    assert_eq!(
        err.kind(),
        &CloudErrorKind::ServerError {
            region: REGION,
            status: 500
        }
    );
    assert!(err.is_region_outage() && err.is_retryable());
    assert_eq!(
        err.to_string(),
        "DescribeStacks: Region us-east-2 answered HTTP 500 (a server error, after the SDK's \
         retries): InternalFailure: The request processing has failed because of an unknown \
         error, exception or failure. (the call's outcome is unknown)"
    );

    let err = cloud
        .describe_db_cluster(REGION, "shop-primary-db")
        .await
        .unwrap_err();
    assert_eq!(
        unavailable.num_calls(),
        3,
        "the SDK retried the 503 3 times"
    );
    assert_eq!(
        err.kind(),
        &CloudErrorKind::ServerError {
            region: REGION,
            status: 503
        }
    );
    assert!(err.is_region_outage());
    assert!(err.message().starts_with("ServiceUnavailable: "), "{err}");
}

/// A 4xx is the service answering: never an outage, even one the SDK does not retry.
#[tokio::test]
async fn a_client_error_is_never_the_region_not_answering() {
    let refused = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .http_status(
            400,
            Some(error_body(
                CFN_NS,
                "ValidationError",
                "1 validation error detected",
            )),
        )
        .build();
    let cloud = cloud(vec![&refused], vec![]);
    let err = cloud
        .describe_stack(REGION, "shop-primary")
        .await
        .unwrap_err();
    assert_eq!(refused.num_calls(), 1, "no retry of a 400");
    assert!(matches!(err.kind(), CloudErrorKind::Validation), "{err:?}");
    assert!(!err.is_region_outage(), "{err:?}");
}

#[tokio::test]
async fn validation_errors_are_mapped() {
    let missing = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .http_status(
            400,
            Some(error_body(
                CFN_NS,
                "ValidationError",
                "Stack with id nope does not exist",
            )),
        )
        .build();
    let rolled_back = mock!(aws_sdk_cloudformation::Client::create_change_set)
        .sequence()
        .http_status(
            400,
            Some(error_body(
                CFN_NS,
                "ValidationError",
                &format!("Stack:{STACK_ID} is in ROLLBACK_COMPLETE state and can not be updated."),
            )),
        )
        .build();
    let no_change_set = mock!(aws_sdk_cloudformation::Client::describe_change_set)
        .sequence()
        .http_status(
            404,
            Some(error_body(
                CFN_NS,
                "ChangeSetNotFound",
                "ChangeSet [cs-1] does not exist",
            )),
        )
        .build();
    let cloud = cloud(vec![&missing, &rolled_back, &no_change_set], vec![]);

    // A missing stack is "no stack", not an error.
    assert_eq!(cloud.describe_stack(REGION, "nope").await.unwrap(), None);
    assert_eq!(missing.num_calls(), 1, "a validation error is not retried");

    let input = CreateChangeSetInput {
        stack_name: "shop-primary".into(),
        change_set_name: "drkit-1".into(),
        change_set_type: ChangeSetType::Update,
        template: TemplateSource::Body("{}".into()),
        parameters: vec![],
        capabilities: vec![],
        tags: vec![],
        description: None,
        client_token: None,
    };
    let err = cloud.create_change_set(REGION, input).await.unwrap_err();
    let (operation, message) = (err.operation(), err.message());
    match err.kind() {
        CloudErrorKind::Validation => {
            assert_eq!(operation, "CreateChangeSet");
            assert!(
                message.contains("ROLLBACK_COMPLETE state and can not be updated"),
                "{message}"
            );
        }
        other => panic!("expected Validation, got {other:?}"),
    }

    let err = cloud
        .describe_change_set(REGION, "shop-primary", "cs-1")
        .await
        .unwrap_err();
    let (operation, message) = (err.operation(), err.message());
    match err.kind() {
        CloudErrorKind::NotFound { resource } => {
            assert_eq!(operation, "DescribeChangeSet");
            assert_eq!(resource, "change set cs-1 of stack shop-primary");
            assert!(message.contains("does not exist"), "{message}");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn an_http_500_is_retried_then_reported_with_operation_and_status() {
    // moto 5.2 answers UpdateTerminationProtection with a bare HTTP 500.
    let rule = mock!(aws_sdk_cloudformation::Client::update_termination_protection)
        .sequence()
        .http_status(500, Some("Internal Server Error".into()))
        .repeatedly()
        .build();
    let cloud = cloud(vec![&rule], vec![]);
    let err = cloud
        .update_termination_protection(REGION, "shop-primary", true)
        .await
        .unwrap_err();
    assert_eq!(rule.num_calls(), 3, "5xx is retried by the SDK");
    let text = err.to_string();
    assert!(matches!(err.kind(), CloudErrorKind::Other), "{err:?}");
    assert!(text.starts_with("UpdateTerminationProtection: "), "{text}");
    assert!(text.contains("HTTP 500"), "{text}");
}

#[tokio::test]
async fn change_set_changes_are_read_across_pages_with_replacements() {
    let change = |logical: &str, ty: &str, action: &str, extra: &str| {
        format!(
            "<member><Type>Resource</Type><ResourceChange><Action>{action}</Action>\
             <LogicalResourceId>{logical}</LogicalResourceId><ResourceType>{ty}</ResourceType>{extra}\
             </ResourceChange></member>"
        )
    };
    let db = change(
        "Db",
        "AWS::RDS::DBCluster",
        "Modify",
        "<PhysicalResourceId>shop-db</PhysicalResourceId><Replacement>Conditional</Replacement>\
         <Scope><member>Properties</member></Scope><Details>\
         <member><Target><Attribute>Properties</Attribute><Name>KmsKeyId</Name>\
         <RequiresRecreation>Always</RequiresRecreation></Target><Evaluation>Dynamic</Evaluation>\
         <ChangeSource>DirectModification</ChangeSource></member>\
         <member><Target><Attribute>Properties</Attribute><Name>BackupRetentionPeriod</Name>\
         <RequiresRecreation>Never</RequiresRecreation></Target><Evaluation>Static</Evaluation>\
         <ChangeSource>DirectModification</ChangeSource></member></Details>",
    );
    let page = |changes: &str, next: &str| {
        cfn_ok(
            "DescribeChangeSet",
            &format!(
                "<ChangeSetName>drkit-1</ChangeSetName>\
                 <ChangeSetId>arn:aws:cloudformation:us-east-2:123456789012:changeSet/drkit-1/9f</ChangeSetId>\
                 <StackId>{STACK_ID}</StackId><StackName>shop-primary</StackName>\
                 <Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus>\
                 <CreationTime>2026-11-25T23:05:00.000Z</CreationTime>\
                 <Changes>{changes}</Changes>{next}"
            ),
        )
    };
    let first = mock!(aws_sdk_cloudformation::Client::describe_change_set)
        .match_requests(|i| i.next_token().is_none())
        .sequence()
        .http_status(
            200,
            Some(page(
                &change("Sg", "AWS::EC2::SecurityGroup", "Add", ""),
                "<NextToken>t2</NextToken>",
            )),
        )
        .build();
    let second = mock!(aws_sdk_cloudformation::Client::describe_change_set)
        .match_requests(|i| i.next_token() == Some("t2"))
        .sequence()
        .http_status(200, Some(page(&db, "")))
        .build();
    let cloud = cloud(vec![&first, &second], vec![]);
    let cs = cloud
        .describe_change_set(REGION, "shop-primary", "drkit-1")
        .await
        .unwrap();
    assert_eq!(cs.status, ChangeSetStatus::CreateComplete);
    assert_eq!(cs.execution_status, ExecutionStatus::Available);
    assert_eq!(cs.changes.len(), 2);
    assert_eq!(cs.changes[0].action, ChangeAction::Add);
    assert_eq!(cs.changes[0].replacement, None);
    let db = &cs.changes[1];
    assert_eq!(db.action, ChangeAction::Modify);
    assert_eq!(db.replacement, Some(Replacement::Conditional));
    assert!(db.is_replacement());
    assert_eq!(db.replacing_properties(), ["KmsKeyId"]);
    assert_eq!(db.physical_id.as_deref(), Some("shop-db"));
}

fn global_cluster_xml() -> String {
    let primary = "arn:aws:rds:us-east-2:123456789012:cluster:shop-primary";
    let secondary = "arn:aws:rds:us-west-2:123456789012:cluster:shop-secondary";
    // Right after SwitchoverGlobalCluster (AWS CLI example switchover-global-cluster.rst,
    // <https://github.com/aws/aws-cli/blob/develop/awscli/examples/rds/switchover-global-cluster.rst>):
    // the old primary still shows IsWriter=true and FailoverState.Status is the value the SDK
    // enum lacks.
    format!(
        r#"<DescribeGlobalClustersResponse xmlns="{RDS_NS}"><DescribeGlobalClustersResult><GlobalClusters>
<GlobalClusterMember>
  <GlobalClusterIdentifier>shop-global</GlobalClusterIdentifier>
  <GlobalClusterArn>arn:aws:rds::123456789012:global-cluster:shop-global</GlobalClusterArn>
  <Status>switching-over</Status><Engine>aurora-mysql</Engine><EngineVersion>8.0.mysql_aurora.3.08.2</EngineVersion>
  <DeletionProtection>true</DeletionProtection>
  <Endpoint>shop-global.global-abc123.global.rds.amazonaws.com</Endpoint>
  <GlobalClusterMembers>
    <GlobalClusterMember><DBClusterArn>{primary}</DBClusterArn><Readers><member>{secondary}</member></Readers><IsWriter>true</IsWriter></GlobalClusterMember>
    <GlobalClusterMember><DBClusterArn>{secondary}</DBClusterArn><Readers/><IsWriter>false</IsWriter><SynchronizationStatus>connected</SynchronizationStatus></GlobalClusterMember>
  </GlobalClusterMembers>
  <FailoverState><Status>switching-over</Status><FromDbClusterArn>{primary}</FromDbClusterArn><ToDbClusterArn>{secondary}</ToDbClusterArn><IsDataLossAllowed>false</IsDataLossAllowed></FailoverState>
</GlobalClusterMember>
</GlobalClusters></DescribeGlobalClustersResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeGlobalClustersResponse>"#
    )
}

#[tokio::test]
async fn describe_global_cluster_maps_switching_over() {
    let found = mock!(aws_sdk_rds::Client::describe_global_clusters)
        .match_requests(|i| i.global_cluster_identifier() == Some("shop-global"))
        .sequence()
        .http_status(200, Some(global_cluster_xml()))
        .build();
    let missing = mock!(aws_sdk_rds::Client::describe_global_clusters)
        .match_requests(|i| i.global_cluster_identifier() == Some("gone"))
        .sequence()
        .http_status(
            404,
            Some(error_body(
                RDS_NS,
                "GlobalClusterNotFoundFault",
                "Global cluster gone not found",
            )),
        )
        .build();
    let cloud = cloud(vec![], vec![&found, &missing]);
    let g = cloud
        .describe_global_cluster(REGION, "shop-global")
        .await
        .unwrap()
        .expect("the global cluster exists");
    let fs = g.failover_state.as_ref().expect("a switchover is running");
    assert_eq!(fs.status, FailoverStatus::SwitchingOver);
    assert!(!fs.is_data_loss_allowed);
    assert_eq!(
        fs.to_db_cluster_arn.as_deref(),
        Some("arn:aws:rds:us-west-2:123456789012:cluster:shop-secondary")
    );
    assert_eq!(g.status, "switching-over");
    assert_eq!(g.members.len(), 2);
    let writer = g.writer().unwrap();
    assert!(writer.db_cluster_arn.ends_with(":cluster:shop-primary"));
    assert_eq!(writer.readers.len(), 1);
    assert_eq!(
        g.members[1].synchronization_status,
        Some(SynchronizationStatus::Connected)
    );
    assert_eq!(
        g.endpoint.as_deref(),
        Some("shop-global.global-abc123.global.rds.amazonaws.com")
    );
    assert!(g.deletion_protection);

    assert_eq!(
        cloud.describe_global_cluster(REGION, "gone").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn a_state_fault_on_switchover_is_invalid_state() {
    let rule = mock!(aws_sdk_rds::Client::switchover_global_cluster)
        .sequence()
        .http_status(
            400,
            Some(error_body(
                RDS_NS,
                "InvalidGlobalClusterStateFault",
                "The global cluster is in an invalid state",
            )),
        )
        .build();
    let cloud = cloud(vec![], vec![&rule]);
    let err = cloud
        .switchover_global_cluster(
            REGION,
            "shop-global",
            "arn:aws:rds:us-west-2:123456789012:cluster:shop-secondary",
        )
        .await
        .unwrap_err();
    let (operation, message) = (err.operation(), err.message());
    match err.kind() {
        CloudErrorKind::InvalidState => {
            assert_eq!(operation, "SwitchoverGlobalCluster");
            assert!(message.contains("invalid state"), "{message}");
        }
        other => panic!("expected InvalidState, got {other:?}"),
    }
}

#[tokio::test]
async fn lifting_global_deletion_protection_sends_false_and_maps_the_answer() {
    // ModifyGlobalCluster answers with the modified GlobalCluster (API reference).
    let lifted = format!(
        r#"<ModifyGlobalClusterResponse xmlns="{RDS_NS}"><ModifyGlobalClusterResult><GlobalCluster>
  <GlobalClusterIdentifier>shop-global</GlobalClusterIdentifier>
  <GlobalClusterArn>arn:aws:rds::123456789012:global-cluster:shop-global</GlobalClusterArn>
  <Status>available</Status><Engine>aurora-mysql</Engine><EngineVersion>8.0.mysql_aurora.3.08.2</EngineVersion>
  <DeletionProtection>false</DeletionProtection>
  <GlobalClusterMembers>
    <GlobalClusterMember><DBClusterArn>arn:aws:rds:us-east-2:123456789012:cluster:shop-primary</DBClusterArn><Readers/><IsWriter>true</IsWriter></GlobalClusterMember>
  </GlobalClusterMembers>
</GlobalCluster></ModifyGlobalClusterResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ModifyGlobalClusterResponse>"#
    );
    // Only a request that names the cluster and turns protection off gets the answer, and
    // nothing else (a rename, a version change) may ride along.
    let modify = mock!(aws_sdk_rds::Client::modify_global_cluster)
        .match_requests(|i| {
            i.global_cluster_identifier() == Some("shop-global")
                && i.deletion_protection() == Some(false)
                && i.new_global_cluster_identifier().is_none()
                && i.engine_version().is_none()
        })
        .sequence()
        .http_status(200, Some(lifted))
        .build();
    let missing = mock!(aws_sdk_rds::Client::modify_global_cluster)
        .match_requests(|i| i.global_cluster_identifier() == Some("gone"))
        .sequence()
        .http_status(
            404,
            Some(error_body(
                RDS_NS,
                "GlobalClusterNotFoundFault",
                "Global cluster gone not found",
            )),
        )
        .build();
    let cloud = cloud(vec![], vec![&modify, &missing]);
    let g = cloud
        .modify_global_cluster_deletion_protection(REGION, "shop-global", false)
        .await
        .unwrap();
    assert_eq!(modify.num_calls(), 1);
    assert_eq!(g.identifier, "shop-global");
    assert!(!g.deletion_protection);
    assert!(g.writer().is_some());

    let err = cloud
        .modify_global_cluster_deletion_protection(REGION, "gone", false)
        .await
        .unwrap_err();
    let (operation, message) = (err.operation(), err.message());
    match err.kind() {
        CloudErrorKind::NotFound { resource } => {
            assert_eq!(operation, "ModifyGlobalCluster");
            assert_eq!(resource, "global cluster gone");
            assert!(message.contains("not found"), "{message}");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn production_clients_use_standard_retries_and_their_region() {
    // Static credentials and an endpoint on loopback: loading the configuration reads no
    // credentials and contacts nothing.
    let cloud = AwsCloud::with_static_credentials(
        AwsOptions {
            profile: None,
            endpoint_url: Some("http://127.0.0.1:9".into()),
            ..AwsOptions::default()
        },
        "testing",
        "testing",
    );
    let east = cloud.clients(Region::UsEast2).await;
    let west = cloud.clients(Region::UsWest2).await;
    let retry = east.cfn.config().retry_config().expect("a retry config");
    assert_eq!(
        retry.mode(),
        aws_sdk_cloudformation::config::retry::RetryMode::Standard
    );
    assert_eq!(retry.max_attempts(), 3);
    assert_eq!(
        east.rds.config().region().map(|r| r.as_ref()),
        Some("us-east-2")
    );
    assert_eq!(
        west.cfn.config().region().map(|r| r.as_ref()),
        Some("us-west-2")
    );
    // Cached: the same Region gives the same clients.
    assert!(std::sync::Arc::ptr_eq(
        &east,
        &cloud.clients(Region::UsEast2).await
    ));
    assert_eq!(cloud.label(), "aws (endpoint http://127.0.0.1:9)");
}

#[tokio::test]
async fn metric_statistics_pick_the_statistic_and_sort_oldest_first() {
    use aws_sdk_cloudwatch::operation::get_metric_statistics::GetMetricStatisticsOutput;
    use aws_sdk_cloudwatch::primitives::DateTime;
    use aws_sdk_cloudwatch::types::{Datapoint, StandardUnit};
    use dr_core::cloud::{Dimension, MetricQuery, Statistic, Timestamp};

    // CloudWatch speaks RPCv2-CBOR, so this canned answer is the modeled output.
    let point = |ms: i64, max: f64| {
        Datapoint::builder()
            .timestamp(DateTime::from_millis(ms))
            .maximum(max)
            .average(max / 2.0)
            .unit(StandardUnit::Milliseconds)
            .build()
    };
    let rule = mock!(aws_sdk_cloudwatch::Client::get_metric_statistics)
        .match_requests(|i| {
            i.namespace() == Some("AWS/RDS")
                && i.metric_name() == Some("AuroraGlobalDBRPOLag")
                && i.period() == Some(60)
                && i.dimensions().len() == 1
        })
        .then_output(move || {
            GetMetricStatisticsOutput::builder()
                .datapoints(point(1_795_648_260_000, 900.0))
                .datapoints(point(1_795_648_200_000, 400.0))
                .build()
        });
    let cloud = cloud_with(Rules {
        cloudwatch: vec![&rule],
        ..Rules::default()
    });
    let points = cloud
        .get_metric_statistics(
            REGION,
            MetricQuery {
                namespace: "AWS/RDS".into(),
                metric_name: "AuroraGlobalDBRPOLag".into(),
                dimensions: vec![Dimension {
                    name: "DBClusterIdentifier".into(),
                    value: "shop-secondary".into(),
                }],
                start: Timestamp::from_millis(1_795_648_000_000),
                end: Timestamp::from_millis(1_795_648_300_000),
                period_seconds: 60,
                statistic: Statistic::Maximum,
            },
        )
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 1);
    let got: Vec<(i64, f64)> = points
        .iter()
        .map(|p| (p.timestamp.millis(), p.value))
        .collect();
    assert_eq!(
        got,
        [(1_795_648_200_000, 400.0), (1_795_648_260_000, 900.0)]
    );
    assert_eq!(points[0].unit.as_deref(), Some("Milliseconds"));
}

/// `PutMetricData` is the call that moves DrPair's traffic switch (ARCHITECTURE.md, "The
/// traffic switch"). moto 5.x cannot serve it (the SDK speaks CloudWatch's RPCv2-CBOR, which
/// moto does not route: dr-aws/tests/it/moto.rs asserts that gap), so the request is checked
/// here against the members the API reference names: `Namespace`, and per datum `MetricName`,
/// `Dimensions`, `Value`, `Unit`, `Timestamp` ("PutMetricData", Amazon CloudWatch API Reference,
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html>);
/// its response has no members.
#[tokio::test]
async fn put_metric_data_sends_each_member_of_the_datum() {
    use aws_sdk_cloudwatch::operation::put_metric_data::PutMetricDataOutput;
    use aws_sdk_cloudwatch::types::StandardUnit;
    use dr_core::cloud::{Dimension, MetricDatum, Timestamp};

    let rule = mock!(aws_sdk_cloudwatch::Client::put_metric_data)
        .match_requests(|i| {
            let data = i.metric_data();
            let Some(d) = data.first() else {
                return false;
            };
            i.namespace() == Some("drkit")
                && data.len() == 1
                && d.metric_name() == Some("PrimaryActive")
                && d.value() == Some(0.0)
                && d.unit() == Some(&StandardUnit::Count)
                && d.timestamp().and_then(|t| t.to_millis().ok()) == Some(1_795_648_200_000)
                && d.dimensions()
                    .iter()
                    .map(|x| (x.name(), x.value()))
                    .eq([(Some("App"), Some("shop"))])
        })
        .then_output(|| PutMetricDataOutput::builder().build());
    let cloud = cloud_with(Rules {
        cloudwatch: vec![&rule],
        ..Rules::default()
    });
    cloud
        .put_metric_data(
            REGION,
            "drkit",
            vec![MetricDatum {
                metric_name: "PrimaryActive".into(),
                dimensions: vec![Dimension {
                    name: "App".into(),
                    value: "shop".into(),
                }],
                value: 0.0,
                unit: Some("Count".into()),
                timestamp: Some(Timestamp::from_millis(1_795_648_200_000)),
            }],
        )
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 1);
}

/// `ListMetrics` answers a page at a time with `NextToken` ("ListMetrics", Amazon CloudWatch
/// API Reference,
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListMetrics.html>):
/// every page's dimension sets are read, in order, and the filter names the metric. moto 5.x
/// cannot serve it (RPCv2-CBOR, as above).
#[tokio::test]
async fn list_metric_dimensions_reads_every_page() {
    use aws_sdk_cloudwatch::operation::list_metrics::ListMetricsOutput;
    use aws_sdk_cloudwatch::types::{Dimension as CwDimension, Metric};
    use dr_core::cloud::Dimension;

    let metric = |cluster: &str| {
        Metric::builder()
            .namespace("AWS/RDS")
            .metric_name("AuroraGlobalDBReplicationLag")
            .dimensions(
                CwDimension::builder()
                    .name("DBClusterIdentifier")
                    .value(cluster)
                    .build(),
            )
            .build()
    };
    let named = |i: &aws_sdk_cloudwatch::operation::list_metrics::ListMetricsInput| {
        i.namespace() == Some("AWS/RDS") && i.metric_name() == Some("AuroraGlobalDBReplicationLag")
    };
    let first = mock!(aws_sdk_cloudwatch::Client::list_metrics)
        .match_requests(move |i| named(i) && i.next_token().is_none())
        .then_output(move || {
            ListMetricsOutput::builder()
                .metrics(metric("shop-primary"))
                .next_token("page-2")
                .build()
        });
    let second = mock!(aws_sdk_cloudwatch::Client::list_metrics)
        .match_requests(move |i| named(i) && i.next_token() == Some("page-2"))
        .then_output(move || {
            ListMetricsOutput::builder()
                .metrics(metric("shop-secondary"))
                .build()
        });
    let cloud = cloud_with(Rules {
        cloudwatch: vec![&first, &second],
        ..Rules::default()
    });
    let sets = cloud
        .list_metric_dimensions(REGION, "AWS/RDS", "AuroraGlobalDBReplicationLag")
        .await
        .unwrap();
    let cluster = |v: &str| {
        vec![Dimension {
            name: "DBClusterIdentifier".into(),
            value: v.into(),
        }]
    };
    assert_eq!(sets, [cluster("shop-primary"), cluster("shop-secondary")]);
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
}

const R53_NS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

#[tokio::test]
async fn record_sets_are_read_across_pages_and_a_version_mismatch_is_invalid_state() {
    // ListResourceRecordSets pages by the next record's name and type (API reference).
    let page1 = format!(
        r#"<?xml version="1.0"?><ListResourceRecordSetsResponse xmlns="{R53_NS}"><ResourceRecordSets>
<ResourceRecordSet><Name>db.internal.shop.</Name><Type>CNAME</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>shop-global.global-abc123.global.rds.amazonaws.com</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
</ResourceRecordSets><IsTruncated>true</IsTruncated><NextRecordName>www.shop.example.com.</NextRecordName><NextRecordType>A</NextRecordType><NextRecordIdentifier>primary</NextRecordIdentifier><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>"#
    );
    let page2 = format!(
        r#"<?xml version="1.0"?><ListResourceRecordSetsResponse xmlns="{R53_NS}"><ResourceRecordSets>
<ResourceRecordSet><Name>www.shop.example.com.</Name><Type>A</Type><SetIdentifier>primary</SetIdentifier><Failover>PRIMARY</Failover><AliasTarget><HostedZoneId>Z3AADJGX6KTTL2</HostedZoneId><DNSName>primary-lb.us-east-2.elb.amazonaws.com.</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget><HealthCheckId>hc-1</HealthCheckId></ResourceRecordSet>
</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>"#
    );
    let first = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .match_requests(|i| i.start_record_name().is_none())
        .sequence()
        .http_status(200, Some(page1))
        .build();
    let second = mock!(aws_sdk_route53::Client::list_resource_record_sets)
        .match_requests(|i| {
            i.start_record_name() == Some("www.shop.example.com.")
                && i.start_record_type().map(|t| t.as_str()) == Some("A")
                && i.start_record_identifier() == Some("primary")
        })
        .sequence()
        .http_status(200, Some(page2))
        .build();
    let mismatch = mock!(aws_sdk_route53::Client::update_health_check)
        .sequence()
        .http_status(
            409,
            Some(format!(
                r#"<?xml version="1.0"?><ErrorResponse xmlns="{R53_NS}"><Error><Type>Sender</Type><Code>HealthCheckVersionMismatch</Code><Message>The value of HealthCheckVersion in the request doesn't match the value of HealthCheckVersion in the health check.</Message></Error><RequestId>r</RequestId></ErrorResponse>"#
            )),
        )
        .build();
    let cloud = cloud_with(Rules {
        route53: vec![&first, &second, &mismatch],
        ..Rules::default()
    });
    let records = cloud
        .list_resource_record_sets(REGION, "/hostedzone/Z0123456789")
        .await
        .unwrap();
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].ttl, Some(60));
    assert_eq!(
        records[0].records,
        ["shop-global.global-abc123.global.rds.amazonaws.com"]
    );
    let www = &records[1];
    assert_eq!(www.failover, Some(dr_core::cloud::FailoverRole::Primary));
    assert_eq!(www.health_check_id.as_deref(), Some("hc-1"));
    assert!(www.alias_target.as_ref().unwrap().evaluate_target_health);
    assert!(www.records.is_empty() && www.ttl.is_none());

    let err = cloud
        .update_health_check(
            REGION,
            "hc-1",
            dr_core::cloud::HealthCheckUpdate {
                inverted: Some(true),
                disabled: None,
                expected_version: Some(3),
            },
        )
        .await
        .unwrap_err();
    let (operation, message) = (err.operation(), err.message());
    match err.kind() {
        CloudErrorKind::InvalidState => {
            assert_eq!(operation, "UpdateHealthCheck");
            assert!(message.contains("HealthCheckVersion"), "{message}");
        }
        other => panic!("expected InvalidState, got {other:?}"),
    }
}

fn change_set_input(client_token: Option<String>) -> CreateChangeSetInput {
    CreateChangeSetInput {
        stack_name: "shop-primary".into(),
        change_set_name: "drkit-1733400000000-7".into(),
        change_set_type: ChangeSetType::Create,
        template: TemplateSource::Body("{}".into()),
        parameters: vec![],
        capabilities: vec![],
        tags: vec![],
        description: None,
        client_token,
    }
}

/// A `CreateChangeSet` whose first answer is lost to a server error: the SDK's retry carries the
/// same `ClientToken` (the request is serialized once and sent again), which is what lets
/// CloudFormation treat it as the same request instead of answering `AlreadyExistsException`
/// ("CreateChangeSet", ClientToken,
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html>).
#[tokio::test]
async fn create_change_set_sends_its_client_token_and_the_retry_repeats_it() {
    let token = idempotency_token("create", "drkit-1733400000000-7");
    let cs_id = "arn:aws:cloudformation:us-east-2:123456789012:changeSet/drkit-1733400000000-7/9f";
    let expected = token.clone();
    let rule = mock!(aws_sdk_cloudformation::Client::create_change_set)
        .match_requests(move |i| {
            i.client_token() == Some(expected.as_str())
                && i.change_set_name() == Some("drkit-1733400000000-7")
        })
        .sequence()
        .http_status(
            500,
            Some(server_error_body(
                CFN_NS,
                "InternalFailure",
                "The request processing has failed because of an unknown error, exception or failure.",
            )),
        )
        .http_status(
            200,
            Some(cfn_ok(
                "CreateChangeSet",
                &format!("<Id>{cs_id}</Id><StackId>{STACK_ID}</StackId>"),
            )),
        )
        .build();
    let sent = Sent::default();
    let cloud = cloud_with(Rules {
        cfn: vec![&rule],
        cfn_sent: Some(sent.clone()),
        ..Rules::default()
    });
    let made = cloud
        .create_change_set(REGION, change_set_input(Some(token.clone())))
        .await
        .unwrap();
    assert_eq!(made.id, cs_id);
    assert_eq!(made.stack_id, STACK_ID);
    assert_eq!(rule.num_calls(), 2, "the 500, then the retry's success");
    let tokens: Vec<Option<String>> = sent
        .bodies()
        .iter()
        .map(|b| field(b, "ClientToken"))
        .collect();
    assert_eq!(tokens, [Some(token.clone()), Some(token)]);
}

/// Without a token none is sent (an emulator or a caller that does not derive one).
#[tokio::test]
async fn create_change_set_without_a_token_sends_none() {
    let rule = mock!(aws_sdk_cloudformation::Client::create_change_set)
        .match_requests(|i| i.client_token().is_none())
        .sequence()
        .http_status(
            200,
            Some(cfn_ok(
                "CreateChangeSet",
                &format!("<Id>cs</Id><StackId>{STACK_ID}</StackId>"),
            )),
        )
        .build();
    let sent = Sent::default();
    let cloud = cloud_with(Rules {
        cfn: vec![&rule],
        cfn_sent: Some(sent.clone()),
        ..Rules::default()
    });
    cloud
        .create_change_set(REGION, change_set_input(None))
        .await
        .unwrap();
    let bodies = sent.bodies();
    assert_eq!(bodies.len(), 1);
    assert_eq!(field(&bodies[0], "ClientToken"), None, "{}", bodies[0]);
}

/// `ExecuteChangeSet` carries `ClientRequestToken`, and `RetainExceptOnCreate=true` only when
/// asked; when not asked the member is left out, which is AWS's default (false)
/// ("ExecuteChangeSet",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html>).
#[tokio::test]
async fn execute_change_set_sends_its_token_and_retain_except_on_create_only_when_asked() {
    let rule = mock!(aws_sdk_cloudformation::Client::execute_change_set)
        .sequence()
        .http_status(200, Some(cfn_ok("ExecuteChangeSet", "")))
        .repeatedly()
        .build();
    let sent = Sent::default();
    let cloud = cloud_with(Rules {
        cfn: vec![&rule],
        cfn_sent: Some(sent.clone()),
        ..Rules::default()
    });
    let token = idempotency_token("execute", "drkit-1733400000000-7");
    cloud
        .execute_change_set_with(
            REGION,
            ExecuteChangeSetInput {
                stack_name: "shop-primary".into(),
                change_set: "drkit-1733400000000-7".into(),
                client_request_token: Some(token.clone()),
                retain_except_on_create: true,
            },
        )
        .await
        .unwrap();
    cloud
        .execute_change_set(REGION, "shop-primary", "drkit-2")
        .await
        .unwrap();
    let bodies = sent.bodies();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    let asked = &bodies[0];
    assert_eq!(field(asked, "Action").as_deref(), Some("ExecuteChangeSet"));
    assert_eq!(
        field(asked, "ChangeSetName").as_deref(),
        Some("drkit-1733400000000-7")
    );
    assert_eq!(field(asked, "StackName").as_deref(), Some("shop-primary"));
    assert_eq!(field(asked, "ClientRequestToken"), Some(token));
    assert_eq!(
        field(asked, "RetainExceptOnCreate").as_deref(),
        Some("true")
    );
    let plain = &bodies[1];
    assert_eq!(field(plain, "ChangeSetName").as_deref(), Some("drkit-2"));
    assert_eq!(field(plain, "RetainExceptOnCreate"), None, "{plain}");
    assert_eq!(field(plain, "ClientRequestToken"), None, "{plain}");
}

/// `DeleteStack` carries the resources to keep as `RetainResources.member.N` (the Query
/// protocol's list form), `DeletionMode` and `ClientRequestToken`; a plain delete sends none of
/// them ("DeleteStack",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStack.html>).
#[tokio::test]
async fn delete_stack_sends_retained_resources_deletion_mode_and_token() {
    let rule = mock!(aws_sdk_cloudformation::Client::delete_stack)
        .sequence()
        .http_status(200, Some(cfn_ok("DeleteStack", "")))
        .repeatedly()
        .build();
    let sent = Sent::default();
    let cloud = cloud_with(Rules {
        cfn: vec![&rule],
        cfn_sent: Some(sent.clone()),
        ..Rules::default()
    });
    let token = idempotency_token("delete", "drkit-destroy-1733400000000");
    cloud
        .delete_stack_with(
            REGION,
            DeleteStackInput {
                stack_name: "shop-primary-data".into(),
                retain_resources: vec!["Key".into(), "DbSecret".into()],
                deletion_mode: None,
                client_request_token: Some(token.clone()),
            },
        )
        .await
        .unwrap();
    cloud
        .delete_stack_with(
            REGION,
            DeleteStackInput {
                deletion_mode: Some(DeletionMode::ForceDeleteStack),
                ..DeleteStackInput::new("shop-primary-data")
            },
        )
        .await
        .unwrap();
    cloud
        .delete_stack(REGION, "shop-primary-data")
        .await
        .unwrap();
    let bodies = sent.bodies();
    assert_eq!(bodies.len(), 3, "{bodies:?}");

    let retain = form(&bodies[0]);
    let members: Vec<(&str, &str)> = retain
        .iter()
        .filter(|(k, _)| k.starts_with("RetainResources"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        members,
        [
            ("RetainResources.member.1", "Key"),
            ("RetainResources.member.2", "DbSecret")
        ]
    );
    assert_eq!(field(&bodies[0], "ClientRequestToken"), Some(token));
    assert_eq!(field(&bodies[0], "DeletionMode"), None);

    assert_eq!(
        field(&bodies[1], "DeletionMode").as_deref(),
        Some("FORCE_DELETE_STACK")
    );
    assert!(!bodies[1].contains("RetainResources"), "{}", bodies[1]);

    let plain = &bodies[2];
    assert_eq!(
        field(plain, "StackName").as_deref(),
        Some("shop-primary-data")
    );
    for absent in ["RetainResources", "DeletionMode", "ClientRequestToken"] {
        assert!(!plain.contains(absent), "{absent} in {plain}");
    }
}

/// The newest event is the first of the first page: a stack with a long history (a page with a
/// `NextToken`) costs one call, not one per page.
#[tokio::test]
async fn the_newest_stack_event_reads_one_page() {
    let (first, second) = event_rules();
    let cloud = cloud(vec![&first, &second], vec![]);
    let newest = cloud
        .describe_newest_stack_event(REGION, "shop-primary")
        .await
        .unwrap()
        .expect("the stack has events");
    assert_eq!(newest.event_id, "e5");
    assert_eq!(newest.status, ResourceStatus::CreateComplete);
    assert!(newest.is_stack_event(), "{newest:?}");
    assert_eq!(first.num_calls(), 1);
    assert_eq!(second.num_calls(), 0, "page 2 must not be fetched");
}

#[tokio::test]
async fn a_stack_without_events_has_no_newest_event() {
    let empty = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .sequence()
        .http_status(200, Some(events_page(&[], None)))
        .build();
    let cloud = cloud(vec![&empty], vec![]);
    assert_eq!(
        cloud
            .describe_newest_stack_event(REGION, "shop-primary")
            .await
            .unwrap(),
        None
    );
}

/// Expired session credentials are their own kind, answered at once (the SDK does not retry a
/// 403) and named with the way to renew them; a wait looks again after it.
#[tokio::test]
async fn expired_credentials_are_their_own_kind() {
    let rule = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .http_status(
            403,
            Some(error_body(
                CFN_NS,
                "ExpiredToken",
                "The security token included in the request is expired",
            )),
        )
        .build();
    let cloud = cloud(vec![&rule], vec![]);
    let err = cloud
        .describe_stack(REGION, "shop-primary")
        .await
        .unwrap_err();
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(err.kind(), &CloudErrorKind::CredentialsExpired);
    assert!(err.is_retryable() && !err.is_region_outage());
    let message = err.message();
    assert!(
        message.starts_with("The security token included in the request is expired; "),
        "{message}"
    );
    assert!(message.contains("`aws sso login`"), "{message}");
    assert!(message.contains("AWS_SESSION_TOKEN"), "{message}");
}

/// Only CloudFormation's not-found shapes are a missing stack: a parameter that "does not
/// exist" is rejected input, while `DescribeStackEvents`' "Stack [X] does not exist" is the
/// stack missing.
#[tokio::test]
async fn a_missing_parameter_is_not_a_missing_stack() {
    let parameter = mock!(aws_sdk_cloudformation::Client::create_change_set)
        .sequence()
        .http_status(
            400,
            Some(error_body(
                CFN_NS,
                "ValidationError",
                "Parameter validation failed: parameter value foo for parameter name Bar does not exist",
            )),
        )
        .build();
    let events = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .sequence()
        .http_status(
            400,
            Some(error_body(
                CFN_NS,
                "ValidationError",
                "Stack [gone] does not exist",
            )),
        )
        .build();
    let cloud = cloud(vec![&parameter, &events], vec![]);
    let err = cloud
        .create_change_set(REGION, change_set_input(None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &CloudErrorKind::Validation, "{err}");
    assert!(err.message().contains("parameter name Bar"), "{err}");

    let err = cloud
        .describe_stack_events(REGION, "gone", None)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(
        err.kind(),
        &CloudErrorKind::NotFound {
            resource: "stack gone".into()
        }
    );
}

/// Every client gets the backend's timeouts: the defaults, or the ones given.
#[tokio::test]
async fn production_clients_carry_the_timeouts() {
    let defaults = AwsTimeouts::default();
    let short = AwsTimeouts {
        connect: Duration::from_millis(500),
        attempt: Duration::from_secs(2),
        operation: Duration::from_secs(5),
    };
    for timeouts in [defaults, short] {
        let cloud = AwsCloud::with_static_credentials(
            AwsOptions {
                endpoint_url: Some("http://127.0.0.1:9".into()),
                timeouts,
                ..AwsOptions::default()
            },
            "testing",
            "testing",
        );
        let c = cloud.clients(Region::UsWest2).await;
        let configs = [
            c.cfn.config().timeout_config().cloned(),
            c.rds.config().timeout_config().cloned(),
            c.s3.config().timeout_config().cloned(),
            c.sts.config().timeout_config().cloned(),
        ];
        for t in configs {
            let t = t.expect("a timeout config");
            assert_eq!(t.connect_timeout(), Some(timeouts.connect));
            assert_eq!(t.operation_attempt_timeout(), Some(timeouts.attempt));
            assert_eq!(t.operation_timeout(), Some(timeouts.operation));
            assert_eq!(t.read_timeout(), None);
        }
    }
    // The defaults keep the SDK's own connect timeout and leave room for 3 attempts.
    assert_eq!(defaults.connect, Duration::from_millis(3100));
    assert!(defaults.operation > defaults.attempt * 3);
}

/// An environment as `environment_credential_warning` reads it.
fn env_of(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |k| {
        vars.iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| v.to_string())
    }
}

/// Session credentials in the environment are used before any profile and cannot be refreshed,
/// so a long deploy is warned about; a profile the SDK refreshes, or long-term keys, are not.
#[test]
fn session_credentials_from_the_environment_are_warned_about() {
    use super::environment_credential_warning as warn;
    const SESSION: &[(&str, &str)] = &[
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "token"),
    ];
    let w = warn(&env_of(SESSION), None).expect("a warning");
    assert!(w.contains("cannot refresh them"), "{w}");
    assert!(w.contains("over an hour"), "{w}");
    assert!(w.contains("SSO") && w.contains("assume-role"), "{w}");
    assert!(!w.contains("is not used"), "{w}");

    // An explicit profile does not win over the environment's keys: say so.
    let w = warn(&env_of(SESSION), Some("prod")).expect("a warning");
    assert!(w.contains("--profile prod is not used"), "{w}");
    assert!(w.contains("cannot refresh them"), "{w}");

    // The secret may come from the SDK's fallback variable.
    const FALLBACK: &[(&str, &str)] = &[
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
        ("SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "token"),
    ];
    assert!(warn(&env_of(FALLBACK), None).is_some());

    // Long-term keys do not expire: no warning, unless they hide a profile.
    const KEYS: &[(&str, &str)] = &[
        ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
    ];
    assert_eq!(warn(&env_of(KEYS), None), None);
    let w = warn(&env_of(KEYS), Some("prod")).expect("a warning");
    assert!(w.contains("--profile prod is not used"), "{w}");
    const KEYS_AND_PROFILE: &[(&str, &str)] = &[
        ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_PROFILE", "ops"),
    ];
    let w = warn(&env_of(KEYS_AND_PROFILE), None).expect("a warning");
    assert!(w.contains("AWS_PROFILE=ops is not used"), "{w}");

    // Without both keys the environment provider is skipped (blank counts as unset): the
    // profile's credentials are used, which the SDK refreshes.
    const NO_SECRET: &[(&str, &str)] = &[
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "  "),
        ("AWS_SESSION_TOKEN", "token"),
        ("AWS_PROFILE", "ops"),
    ];
    assert_eq!(warn(&env_of(NO_SECRET), Some("prod")), None);
    assert_eq!(warn(&env_of(&[]), Some("prod")), None);
}

/// Static credentials (tests, emulators) and an endpoint override never warn, whatever the
/// process environment holds.
#[test]
fn static_credentials_and_emulators_are_not_warned_about() {
    let fixed = AwsCloud::with_static_credentials(AwsOptions::default(), "testing", "testing");
    assert_eq!(fixed.credential_warning(), None);
    let emulator = AwsCloud::new(AwsOptions {
        endpoint_url: Some("http://127.0.0.1:5000".into()),
        ..AwsOptions::default()
    });
    assert_eq!(emulator.credential_warning(), None);
}

const ELB_NS: &str = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
const LB_ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/shop-lb/50dc6c495c0c9188";

/// An ELBv2 Query answer of `op` listing `attributes` ("DescribeLoadBalancerAttributes",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeLoadBalancerAttributes.html>).
fn elb_attributes(op: &str, attributes: &[(&str, &str)]) -> String {
    let members: String = attributes
        .iter()
        .map(|(k, v)| format!("<member><Key>{k}</Key><Value>{v}</Value></member>"))
        .collect();
    format!(
        r#"<{op}Response xmlns="{ELB_NS}"><{op}Result><Attributes>{members}</Attributes></{op}Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></{op}Response>"#
    )
}

/// Load balancer attributes are read as ELB lists them, set by key, and ELB's refusals keep
/// their meaning: a missing load balancer is `NotFound`, an access-log bucket ELB cannot write
/// to is rejected input with ELB's message.
#[tokio::test]
async fn load_balancer_attributes_are_read_and_set_as_elb_answers() {
    use dr_core::cloud::LB_DELETION_PROTECTION;
    let describe = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancer_attributes)
        .match_requests(|i| i.load_balancer_arn() == Some(LB_ARN))
        .sequence()
        .http_status(
            200,
            Some(elb_attributes(
                "DescribeLoadBalancerAttributes",
                &[
                    ("deletion_protection.enabled", "true"),
                    ("idle_timeout.timeout_seconds", "60"),
                ],
            )),
        )
        .repeatedly()
        .build();
    let missing = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_load_balancer_attributes)
        .match_requests(|i| i.load_balancer_arn() != Some(LB_ARN))
        .sequence()
        .http_status(
            400,
            Some(error_body(
                ELB_NS,
                "LoadBalancerNotFound",
                "One or more load balancers not found",
            )),
        )
        .repeatedly()
        .build();
    let lift = mock!(aws_sdk_elasticloadbalancingv2::Client::modify_load_balancer_attributes)
        .match_requests(|i| {
            i.attributes()
                .iter()
                .any(|a| a.key() == Some(LB_DELETION_PROTECTION) && a.value() == Some("false"))
        })
        .sequence()
        .http_status(
            200,
            Some(elb_attributes(
                "ModifyLoadBalancerAttributes",
                &[("deletion_protection.enabled", "false")],
            )),
        )
        .repeatedly()
        .build();
    let refused = mock!(aws_sdk_elasticloadbalancingv2::Client::modify_load_balancer_attributes)
        .match_requests(|i| {
            i.attributes()
                .iter()
                .any(|a| a.key() == Some("access_logs.s3.enabled"))
        })
        .sequence()
        .http_status(
            400,
            Some(error_body(
                ELB_NS,
                "InvalidConfigurationRequest",
                "Access Denied for bucket: shop-logs. Please check S3bucket permission",
            )),
        )
        .repeatedly()
        .build();
    let cloud = cloud_with(Rules {
        elbv2: vec![&describe, &missing, &lift, &refused],
        ..Rules::default()
    });
    let attrs = cloud
        .describe_load_balancer_attributes(REGION, LB_ARN)
        .await
        .unwrap();
    assert!(attrs.deletion_protection());
    assert_eq!(attrs.get("idle_timeout.timeout_seconds"), Some("60"));
    let after = cloud
        .modify_load_balancer_attributes(
            REGION,
            LB_ARN,
            vec![(LB_DELETION_PROTECTION.into(), "false".into())],
        )
        .await
        .unwrap();
    assert!(!after.deletion_protection());

    let gone = cloud
        .describe_load_balancer_attributes(REGION, "arn:aws:elasticloadbalancing:gone")
        .await
        .unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    let err = cloud
        .modify_load_balancer_attributes(
            REGION,
            LB_ARN,
            vec![
                ("access_logs.s3.enabled".into(), "true".into()),
                ("access_logs.s3.bucket".into(), "shop-logs".into()),
            ],
        )
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), CloudErrorKind::Validation), "{err:?}");
    assert!(
        err.to_string()
            .contains("Access Denied for bucket: shop-logs. Please check S3bucket permission"),
        "{err}"
    );
}

/// A bucket's versions and delete markers are read across pages (`NextKeyMarker`,
/// `NextVersionIdMarker`), and deleted by version id in requests of at most 1,000 keys; a key
/// S3 refuses fails the call, named, with S3's code deciding the kind.
#[tokio::test]
async fn a_bucket_is_listed_across_pages_and_emptied_in_batches_of_a_thousand() {
    use aws_sdk_s3::operation::delete_objects::DeleteObjectsOutput;
    use aws_sdk_s3::operation::list_object_versions::ListObjectVersionsOutput;
    use aws_sdk_s3::types::{DeleteMarkerEntry, Error as S3Error, ObjectVersion as S3Version};
    use dr_core::cloud::ObjectVersion;

    let first = mock!(aws_sdk_s3::Client::list_object_versions)
        .match_requests(|i| i.bucket() == Some("shop-logs") && i.key_marker().is_none())
        .then_output(|| {
            ListObjectVersionsOutput::builder()
                .versions(S3Version::builder().key("a").version_id("v2").build())
                .versions(S3Version::builder().key("a").version_id("v1").build())
                .is_truncated(true)
                .next_key_marker("a")
                .next_version_id_marker("v1")
                .build()
        });
    let second = mock!(aws_sdk_s3::Client::list_object_versions)
        .match_requests(|i| i.key_marker() == Some("a") && i.version_id_marker() == Some("v1"))
        .then_output(|| {
            ListObjectVersionsOutput::builder()
                .versions(S3Version::builder().key("b").version_id("null").build())
                .delete_markers(
                    DeleteMarkerEntry::builder()
                        .key("c")
                        .version_id("m1")
                        .build(),
                )
                .is_truncated(false)
                .build()
        });
    let batches: Arc<Mutex<Vec<usize>>> = Arc::default();
    let seen = batches.clone();
    let delete = mock!(aws_sdk_s3::Client::delete_objects)
        .match_requests(move |i| {
            let d = i.delete().expect("a Delete");
            assert!(d.objects().iter().all(|o| o.version_id().is_some()));
            assert_eq!(d.quiet(), Some(true));
            seen.lock().unwrap().push(d.objects().len());
            !d.objects().iter().any(|o| o.key() == "refused")
        })
        .sequence()
        .output(|| DeleteObjectsOutput::builder().build())
        .repeatedly()
        .build();
    let refuse = mock!(aws_sdk_s3::Client::delete_objects)
        .match_requests(|i| {
            i.delete()
                .is_some_and(|d| d.objects().iter().any(|o| o.key() == "refused"))
        })
        .then_output(|| {
            DeleteObjectsOutput::builder()
                .errors(
                    S3Error::builder()
                        .key("refused")
                        .version_id("v9")
                        .code("AccessDenied")
                        .message("Access Denied")
                        .build(),
                )
                .build()
        });
    let cloud = cloud_with(Rules {
        s3: vec![&first, &second, &delete, &refuse],
        ..Rules::default()
    });
    let versions = cloud
        .list_object_versions(REGION, "shop-logs")
        .await
        .unwrap();
    let listed: Vec<(&str, Option<&str>, bool)> = versions
        .iter()
        .map(|v| (v.key.as_str(), v.version_id.as_deref(), v.is_delete_marker))
        .collect();
    assert_eq!(
        listed,
        [
            ("a", Some("v2"), false),
            ("a", Some("v1"), false),
            ("b", Some("null"), false),
            ("c", Some("m1"), true),
        ]
    );

    let many: Vec<ObjectVersion> = (0..2500)
        .map(|n| ObjectVersion {
            key: format!("AWSLogs/{n}.log.gz"),
            version_id: Some(format!("v{n}")),
            is_delete_marker: false,
        })
        .collect();
    cloud
        .delete_objects(REGION, "shop-logs", many)
        .await
        .unwrap();
    assert_eq!(*batches.lock().unwrap(), [1000, 1000, 500]);

    let err = cloud
        .delete_objects(
            REGION,
            "shop-logs",
            vec![ObjectVersion {
                key: "refused".into(),
                version_id: Some("v9".into()),
                is_delete_marker: false,
            }],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), CloudErrorKind::AccessDenied),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("refused version v9: Access Denied"),
        "{err}"
    );
}

// -- The DR runtime's reads and its wait loops on the RDS calls --------------------------------

/// `DescribeAlarms` (CloudWatch speaks RPCv2-CBOR, so the canned answers are the modeled
/// output, with the members the API reference's `MetricAlarm` names: "DescribeAlarms", Amazon
/// CloudWatch API Reference,
/// <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html>):
/// metric alarms only, names sent at most 100 per request, every page read, each alarm mapped.
#[tokio::test]
async fn describe_alarms_sends_names_in_batches_reads_every_page_and_maps_the_alarm() {
    use aws_sdk_cloudwatch::operation::describe_alarms::{
        DescribeAlarmsInput, DescribeAlarmsOutput,
    };
    use aws_sdk_cloudwatch::primitives::DateTime;
    use aws_sdk_cloudwatch::types::{AlarmType, Dimension as CwDimension, MetricAlarm, StateValue};
    use dr_core::cloud::{AlarmState, Dimension, Timestamp};

    let alarm = |name: &str, state: StateValue| {
        MetricAlarm::builder()
            .alarm_name(name)
            .state_value(state)
            .state_reason("Threshold Crossed: 1 datapoint [0.0] was less than the threshold (1.0).")
            .state_updated_timestamp(DateTime::from_millis(1_795_648_200_000))
            .namespace("drkit")
            .metric_name("PrimaryActive")
            .dimensions(CwDimension::builder().name("App").value("shop").build())
            .threshold(1.0)
            .build()
    };
    let metric_only = |i: &DescribeAlarmsInput| i.alarm_types() == [AlarmType::MetricAlarm];
    let first = mock!(aws_sdk_cloudwatch::Client::describe_alarms)
        .match_requests(move |i| {
            metric_only(i)
                && i.alarm_names().len() == 100
                && i.alarm_names()[0] == "alarm-000"
                && i.next_token().is_none()
        })
        .then_output(move || {
            DescribeAlarmsOutput::builder()
                .metric_alarms(alarm("alarm-000", StateValue::Alarm))
                .next_token("page-2")
                .build()
        });
    let second = mock!(aws_sdk_cloudwatch::Client::describe_alarms)
        .match_requests(move |i| {
            metric_only(i) && i.alarm_names().len() == 100 && i.next_token() == Some("page-2")
        })
        .then_output(move || {
            DescribeAlarmsOutput::builder()
                .metric_alarms(alarm("alarm-099", StateValue::Ok))
                .build()
        });
    let third = mock!(aws_sdk_cloudwatch::Client::describe_alarms)
        .match_requests(move |i| {
            metric_only(i)
                && i.alarm_names().len() == 50
                && i.alarm_names()[0] == "alarm-100"
                && i.next_token().is_none()
        })
        .then_output(move || {
            DescribeAlarmsOutput::builder()
                .metric_alarms(alarm("alarm-149", StateValue::InsufficientData))
                .build()
        });
    let cloud = cloud_with(Rules {
        cloudwatch: vec![&first, &second, &third],
        ..Rules::default()
    });
    let names: Vec<String> = (0..150).map(|i| format!("alarm-{i:03}")).collect();
    let alarms = cloud.describe_alarms(REGION, &names).await.unwrap();
    assert_eq!(
        (first.num_calls(), second.num_calls(), third.num_calls()),
        (1, 1, 1)
    );
    let got: Vec<(&str, &AlarmState)> =
        alarms.iter().map(|a| (a.name.as_str(), &a.state)).collect();
    assert_eq!(
        got,
        [
            ("alarm-000", &AlarmState::Alarm),
            ("alarm-099", &AlarmState::Ok),
            ("alarm-149", &AlarmState::InsufficientData)
        ]
    );
    let a = &alarms[0];
    assert!(
        a.state_reason
            .as_deref()
            .unwrap()
            .starts_with("Threshold Crossed")
    );
    assert_eq!(
        a.state_updated,
        Some(Timestamp::from_millis(1_795_648_200_000))
    );
    assert_eq!(a.namespace.as_deref(), Some("drkit"));
    assert_eq!(a.metric_name.as_deref(), Some("PrimaryActive"));
    assert_eq!(
        a.dimensions,
        [Dimension {
            name: "App".into(),
            value: "shop".into()
        }]
    );
    assert_eq!(a.threshold, Some(1.0));

    // No names, no request (without AlarmNames the call lists every alarm).
    assert!(cloud.describe_alarms(REGION, &[]).await.unwrap().is_empty());
    assert_eq!(
        first.num_calls() + second.num_calls() + third.num_calls(),
        3
    );
}

/// `TestDNSAnswer` answers as the API reference's response syntax shows it
/// ("TestDNSAnswer", Amazon Route 53 API Reference,
/// <https://docs.aws.amazon.com/Route53/latest/APIReference/API_TestDNSAnswer.html>), and a zone
/// Route 53 does not have is `NoSuchHostedZone`, a `NotFound` named after the call.
#[tokio::test]
async fn test_dns_answer_maps_the_answer_and_a_missing_zone() {
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><TestDNSAnswerResponse xmlns="{R53_NS}"><Nameserver>ns-1.awsdns-01.org</Nameserver><RecordName>app.shop.example.com</RecordName><RecordType>A</RecordType><RecordData><RecordDataEntry>198.51.100.7</RecordDataEntry><RecordDataEntry>198.51.100.9</RecordDataEntry></RecordData><ResponseCode>NOERROR</ResponseCode><Protocol>UDP</Protocol></TestDNSAnswerResponse>"#
    );
    let answer = mock!(aws_sdk_route53::Client::test_dns_answer)
        .match_requests(|i| {
            i.hosted_zone_id() == Some("Z0123456789")
                && i.record_name() == Some("app.shop.example.com")
                && i.record_type().map(|t| t.as_str()) == Some("A")
        })
        .sequence()
        .http_status(200, Some(body))
        .build();
    let missing = mock!(aws_sdk_route53::Client::test_dns_answer)
        .match_requests(|i| i.hosted_zone_id() == Some("Z0GONE"))
        .sequence()
        .http_status(
            404,
            Some(format!(
                r#"<?xml version="1.0"?><ErrorResponse xmlns="{R53_NS}"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: Z0GONE</Message></Error><RequestId>r</RequestId></ErrorResponse>"#
            )),
        )
        .build();
    let cloud = cloud_with(Rules {
        route53: vec![&answer, &missing],
        ..Rules::default()
    });
    let a = cloud
        .test_dns_answer(REGION, "Z0123456789", "app.shop.example.com", "A")
        .await
        .unwrap();
    assert_eq!(answer.num_calls(), 1);
    assert_eq!(a.record_name, "app.shop.example.com");
    assert_eq!(a.record_type, "A");
    assert_eq!(a.record_data, ["198.51.100.7", "198.51.100.9"]);
    assert_eq!(a.response_code, "NOERROR");

    let err = cloud
        .test_dns_answer(REGION, "Z0GONE", "app.shop.example.com", "A")
        .await
        .unwrap_err();
    assert_eq!(err.operation(), "TestDNSAnswer");
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.message().contains("No hosted zone found"), "{err}");
}

fn rds_event_xml(id: &str, message: &str, date: &str) -> String {
    format!(
        "<Event><SourceIdentifier>{id}</SourceIdentifier><SourceType>db-cluster</SourceType>\
         <Message>{message}</Message><EventCategories><EventCategory>global failover</EventCategory></EventCategories>\
         <Date>{date}</Date><SourceArn>arn:aws:rds:us-east-2:123456789012:cluster:{id}</SourceArn></Event>"
    )
}

fn rds_events_page(events: &[String], marker: Option<&str>) -> String {
    let marker = marker
        .map(|m| format!("<Marker>{m}</Marker>"))
        .unwrap_or_default();
    format!(
        r#"<DescribeEventsResponse xmlns="{RDS_NS}"><DescribeEventsResult><Events>{}</Events>{marker}</DescribeEventsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeEventsResponse>"#,
        events.concat()
    )
}

/// `DescribeEvents` ("DescribeEvents", Amazon RDS API Reference,
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeEvents.html>): the
/// request names the cluster, `SourceType=db-cluster` and the start; every page is read by its
/// `Marker`; the events come back oldest first whatever order the pages hold them in. Messages
/// from the RDS event catalog (RDS-EVENT-0181 and 0185).
#[tokio::test]
async fn cluster_events_are_read_across_pages_oldest_first() {
    use dr_core::cloud::Timestamp;

    let start = Timestamp::from_millis(1_795_648_000_000);
    let asks = move |i: &aws_sdk_rds::operation::describe_events::DescribeEventsInput| {
        i.source_identifier() == Some("shop-db-usw2")
            && i.source_type() == Some(&aws_sdk_rds::types::SourceType::DbCluster)
            && i.start_time().and_then(|t| t.to_millis().ok()) == Some(start.millis())
    };
    let finished = "Global switchover to DB cluster shop-db-usw2 in Region us-west-2 finished.";
    let started = "Global switchover to DB cluster shop-db-usw2 in Region us-west-2 started.";
    let first = mock!(aws_sdk_rds::Client::describe_events)
        .match_requests(move |i| asks(i) && i.marker().is_none())
        .sequence()
        .http_status(
            200,
            Some(rds_events_page(
                &[rds_event_xml(
                    "shop-db-usw2",
                    finished,
                    "2026-11-25T23:12:00.000Z",
                )],
                Some("m-2"),
            )),
        )
        .build();
    let second = mock!(aws_sdk_rds::Client::describe_events)
        .match_requests(move |i| asks(i) && i.marker() == Some("m-2"))
        .sequence()
        .http_status(
            200,
            Some(rds_events_page(
                &[rds_event_xml(
                    "shop-db-usw2",
                    started,
                    "2026-11-25T23:10:00.000Z",
                )],
                None,
            )),
        )
        .build();
    let cloud = cloud(vec![], vec![&first, &second]);
    let events = cloud
        .describe_cluster_events(REGION, "shop-db-usw2", start)
        .await
        .unwrap();
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    let messages: Vec<&str> = events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, [started, finished]);
    let e = &events[0];
    assert_eq!(e.source_identifier, "shop-db-usw2");
    assert_eq!(e.source_type, "db-cluster");
    assert_eq!(e.event_categories, ["global failover"]);
    assert_eq!(e.date, Timestamp::from_millis(1_795_648_200_000));
    assert_eq!(
        e.source_arn.as_deref(),
        Some("arn:aws:rds:us-east-2:123456789012:cluster:shop-db-usw2")
    );
}

/// `DescribeDBClusterSnapshots` ("DescribeDBClusterSnapshots", Amazon RDS API Reference,
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusterSnapshots.html>):
/// one cluster, every type (no `SnapshotType`), shared and public ones left out, all pages.
#[tokio::test]
async fn cluster_snapshots_are_read_across_pages() {
    use dr_core::cloud::Timestamp;

    let snapshot = |id: &str, ty: &str| {
        format!(
            "<DBClusterSnapshot><DBClusterSnapshotIdentifier>{id}</DBClusterSnapshotIdentifier>\
             <DBClusterIdentifier>shop-db-use2</DBClusterIdentifier><SnapshotCreateTime>2026-11-25T23:40:00.000Z</SnapshotCreateTime>\
             <Engine>aurora-mysql</Engine><Status>available</Status><SnapshotType>{ty}</SnapshotType>\
             <DBClusterSnapshotArn>arn:aws:rds:us-east-2:123456789012:cluster-snapshot:{id}</DBClusterSnapshotArn></DBClusterSnapshot>"
        )
    };
    let page = |snaps: String, marker: Option<&str>| {
        let marker = marker
            .map(|m| format!("<Marker>{m}</Marker>"))
            .unwrap_or_default();
        format!(
            r#"<DescribeDBClusterSnapshotsResponse xmlns="{RDS_NS}"><DescribeDBClusterSnapshotsResult><DBClusterSnapshots>{snaps}</DBClusterSnapshots>{marker}</DescribeDBClusterSnapshotsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeDBClusterSnapshotsResponse>"#
        )
    };
    let asks = |i: &aws_sdk_rds::operation::describe_db_cluster_snapshots::DescribeDbClusterSnapshotsInput| {
        i.db_cluster_identifier() == Some("shop-db-use2")
            && i.snapshot_type().is_none()
            && i.include_shared() == Some(false)
            && i.include_public() == Some(false)
    };
    let failover_snapshot = "rds:unplanned-global-failover-shop-db-use2-2026-11-25-23-40";
    let first = mock!(aws_sdk_rds::Client::describe_db_cluster_snapshots)
        .match_requests(move |i| asks(i) && i.marker().is_none())
        .sequence()
        .http_status(
            200,
            Some(page(snapshot(failover_snapshot, "automated"), Some("m-2"))),
        )
        .build();
    let second = mock!(aws_sdk_rds::Client::describe_db_cluster_snapshots)
        .match_requests(move |i| asks(i) && i.marker() == Some("m-2"))
        .sequence()
        .http_status(200, Some(page(snapshot("before-upgrade", "manual"), None)))
        .build();
    let cloud = cloud(vec![], vec![&first, &second]);
    let snaps = cloud
        .describe_db_cluster_snapshots(REGION, "shop-db-use2")
        .await
        .unwrap();
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    assert_eq!(snaps.len(), 2);
    let s = &snaps[0];
    assert_eq!(s.identifier, failover_snapshot);
    assert_eq!(s.db_cluster_identifier, "shop-db-use2");
    assert_eq!(s.snapshot_type, "automated");
    assert_eq!(s.status, "available");
    assert_eq!(s.created, Some(Timestamp::from_millis(1_795_650_000_000)));
    assert_eq!(
        s.arn.as_deref(),
        Some(
            "arn:aws:rds:us-east-2:123456789012:cluster-snapshot:rds:unplanned-global-failover-shop-db-use2-2026-11-25-23-40"
        )
    );
    assert_eq!(snaps[1].snapshot_type, "manual");
}

/// The state faults `FailoverGlobalCluster` documents ("FailoverGlobalCluster", Amazon RDS API
/// Reference, <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html>,
/// HTTP 400) are both `InvalidState`, which the runtime's wait loop treats as "look again"
/// (AWS-FACTS 1.4).
#[tokio::test]
async fn failover_state_faults_are_invalid_state() {
    for (code, message) in [
        (
            "InvalidGlobalClusterStateFault",
            "The global cluster is in an invalid state",
        ),
        (
            "InvalidDBClusterStateFault",
            "The requested operation can't be performed while the cluster is in this state",
        ),
    ] {
        let rule = mock!(aws_sdk_rds::Client::failover_global_cluster)
            .match_requests(|i| i.allow_data_loss() == Some(true))
            .sequence()
            .http_status(400, Some(error_body(RDS_NS, code, message)))
            .build();
        let cloud = cloud(vec![], vec![&rule]);
        let err = cloud
            .failover_global_cluster(
                REGION,
                "shop-global",
                "arn:aws:rds:us-west-2:123456789012:cluster:shop-secondary",
                true,
            )
            .await
            .unwrap_err();
        assert_eq!(rule.num_calls(), 1, "{code}: a 400 is not retried");
        assert_eq!(err.kind(), &CloudErrorKind::InvalidState, "{code}: {err:?}");
        assert_eq!(err.operation(), "FailoverGlobalCluster");
        assert!(err.message().contains(message), "{err}");
        assert!(!err.outcome_unknown(), "{code}: RDS answered");
    }
}

/// A switchover or failover answered by HTTP 500 `InternalFailure` on every attempt (observed
/// on `SwitchoverGlobalCluster`: aws/aws-sdk#822, AWS-FACTS 1.4) is a server error after the
/// SDK's 3 attempts: the Region did not answer usably, and the call may have happened.
#[tokio::test]
async fn an_internal_failure_on_switchover_or_failover_leaves_the_outcome_unknown() {
    let body = || {
        server_error_body(
            RDS_NS,
            "InternalFailure",
            "The request processing has failed because of an unknown error, exception or failure.",
        )
    };
    let switchover = mock!(aws_sdk_rds::Client::switchover_global_cluster)
        .sequence()
        .http_status(500, Some(body()))
        .repeatedly()
        .build();
    let failover = mock!(aws_sdk_rds::Client::failover_global_cluster)
        .sequence()
        .http_status(500, Some(body()))
        .repeatedly()
        .build();
    let cloud = cloud(vec![], vec![&switchover, &failover]);
    let target = "arn:aws:rds:us-west-2:123456789012:cluster:shop-secondary";
    let errors = [
        cloud
            .switchover_global_cluster(REGION, "shop-global", target)
            .await
            .unwrap_err(),
        cloud
            .failover_global_cluster(REGION, "shop-global", target, true)
            .await
            .unwrap_err(),
    ];
    assert_eq!((switchover.num_calls(), failover.num_calls()), (3, 3));
    for (err, op) in errors
        .iter()
        .zip(["SwitchoverGlobalCluster", "FailoverGlobalCluster"])
    {
        assert_eq!(
            err.kind(),
            &CloudErrorKind::ServerError {
                region: REGION,
                status: 500
            },
            "{err:?}"
        );
        assert_eq!(err.operation(), op);
        assert!(err.outcome_unknown() && err.is_region_outage(), "{err:?}");
        assert!(err.message().starts_with("InternalFailure: "), "{err}");
    }
}

/// Throttling of `DescribeGlobalClusters`, the runtime's poll, is retried by the SDK and the
/// answer that follows is used.
#[tokio::test]
async fn describe_global_clusters_throttled_then_answered() {
    let rule = mock!(aws_sdk_rds::Client::describe_global_clusters)
        .sequence()
        .http_status(400, Some(error_body(RDS_NS, "Throttling", "Rate exceeded")))
        .times(2)
        .http_status(200, Some(global_cluster_xml()))
        .build();
    let cloud = cloud(vec![], vec![&rule]);
    let g = cloud
        .describe_global_cluster(REGION, "shop-global")
        .await
        .unwrap()
        .expect("the global cluster exists");
    assert_eq!(
        rule.num_calls(),
        3,
        "two throttled attempts, then the answer"
    );
    assert_eq!(g.identifier, "shop-global");
    assert_eq!(
        g.failover_state.map(|f| f.status),
        Some(FailoverStatus::SwitchingOver)
    );
}

/// `resolve_addresses`: the addresses sorted and deduplicated, a resolver that does not answer
/// within the timeout is an error naming the name, and `getaddrinfo`'s "no such name" and "no
/// address" texts are an empty answer, its other failures errors.
#[tokio::test]
async fn resolve_addresses_sorts_dedups_times_out_and_tells_nxdomain_apart() {
    use std::net::SocketAddr;

    use super::dns::{no_such_name, resolve_with};

    let addrs: Vec<SocketAddr> = [
        "203.0.113.9:0",
        "198.51.100.7:0",
        "203.0.113.9:0",
        "[2001:db8::1]:0",
    ]
    .iter()
    .map(|a| a.parse().unwrap())
    .collect();
    let got = resolve_with("app.shop.example.com", Duration::from_secs(1), async move {
        Ok(addrs.into_iter())
    })
    .await
    .unwrap();
    assert_eq!(got, ["198.51.100.7", "2001:db8::1", "203.0.113.9"]);

    let hung = resolve_with(
        "app.shop.example.com",
        Duration::from_millis(20),
        std::future::pending::<std::io::Result<std::vec::IntoIter<SocketAddr>>>(),
    )
    .await
    .unwrap_err();
    assert_eq!(hung.kind(), &CloudErrorKind::Other);
    assert!(
        hung.message()
            .contains("could not resolve app.shop.example.com"),
        "{hung}"
    );

    let gai = |text: &'static str| async move {
        Err::<std::vec::IntoIter<SocketAddr>, _>(std::io::Error::other(format!(
            "failed to lookup address information: {text}"
        )))
    };
    for text in [
        "Name or service not known",
        "No address associated with hostname",
        "nodename nor servname provided, or not known",
    ] {
        assert!(no_such_name(text));
        assert_eq!(
            resolve_with("gone.example.com", Duration::from_secs(1), gai(text))
                .await
                .unwrap(),
            Vec::<String>::new()
        );
    }
    let again = resolve_with(
        "app.shop.example.com",
        Duration::from_secs(1),
        gai("Temporary failure in name resolution"),
    )
    .await
    .unwrap_err();
    assert!(
        again.message().contains("app.shop.example.com")
            && again.message().contains("Temporary failure"),
        "{again}"
    );

    // An address literal needs no resolver.
    let cloud = cloud(vec![], vec![]);
    assert_eq!(
        cloud.resolve_addresses("127.0.0.1").await.unwrap(),
        ["127.0.0.1"]
    );
}

// -- The DR runtime's wait loop on this backend's answers ----------------------------------------
//
// `dr_deploy::runtime::move_writer` is the failover routine's database step. Here it runs on
// the SDK with canned RDS answers shaped like the API reference: throttling the SDK rides out,
// a 500 whose outcome is unknown, the state faults, and `switching-over`, which the SDK's enum
// lacks. The step must decide from `FailoverState` and `IsWriter`, never from the error alone.

const PRIMARY_ARN: &str = "arn:aws:rds:us-east-2:123456789012:cluster:shop-primary";
const SECONDARY_ARN: &str = "arn:aws:rds:us-west-2:123456789012:cluster:shop-secondary";

/// A `DescribeGlobalClusters` answer: the writer is the primary or the secondary, and a
/// `FailoverState` (its status, data loss allowed) when an operation is in flight.
fn global_answer(writer_is_secondary: bool, in_flight: Option<(&str, bool)>) -> String {
    let (writer, reader) = if writer_is_secondary {
        (SECONDARY_ARN, PRIMARY_ARN)
    } else {
        (PRIMARY_ARN, SECONDARY_ARN)
    };
    let (status, failover) = match in_flight {
        Some((s, loss)) => (
            if loss {
                "failing-over"
            } else {
                "switching-over"
            },
            format!(
                "<FailoverState><Status>{s}</Status><FromDbClusterArn>{PRIMARY_ARN}</FromDbClusterArn><ToDbClusterArn>{SECONDARY_ARN}</ToDbClusterArn><IsDataLossAllowed>{loss}</IsDataLossAllowed></FailoverState>"
            ),
        ),
        None => ("available", String::new()),
    };
    format!(
        r#"<DescribeGlobalClustersResponse xmlns="{RDS_NS}"><DescribeGlobalClustersResult><GlobalClusters>
<GlobalClusterMember>
  <GlobalClusterIdentifier>shop-global</GlobalClusterIdentifier>
  <GlobalClusterArn>arn:aws:rds::123456789012:global-cluster:shop-global</GlobalClusterArn>
  <Status>{status}</Status><Engine>aurora-mysql</Engine><EngineVersion>8.0.mysql_aurora.3.08.2</EngineVersion>
  <DeletionProtection>true</DeletionProtection>
  <GlobalClusterMembers>
    <GlobalClusterMember><DBClusterArn>{writer}</DBClusterArn><Readers><member>{reader}</member></Readers><IsWriter>true</IsWriter></GlobalClusterMember>
    <GlobalClusterMember><DBClusterArn>{reader}</DBClusterArn><Readers/><IsWriter>false</IsWriter><SynchronizationStatus>connected</SynchronizationStatus></GlobalClusterMember>
  </GlobalClusterMembers>
  {failover}
</GlobalClusterMember>
</GlobalClusters></DescribeGlobalClustersResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeGlobalClustersResponse>"#
    )
}

/// A backend with RDS rules for us-east-2 (the primary's Region) and us-west-2 (the DR
/// Region).
fn two_region_rds(east: Vec<&Rule>, west: Vec<&Rule>) -> AwsCloud {
    let cloud = cloud(vec![], east);
    let none = Vec::<&Rule>::new;
    let west_clients = Clients {
        cfn: mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, none()),
        rds: mock_client!(aws_sdk_rds, RuleMode::MatchAny, west, |b| b
            .retry_config(retry())),
        cloudwatch: mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, none()),
        elbv2: mock_client!(aws_sdk_elasticloadbalancingv2, RuleMode::MatchAny, none()),
        route53: mock_client!(aws_sdk_route53, RuleMode::MatchAny, none()),
        ssm: mock_client!(aws_sdk_ssm, RuleMode::MatchAny, none()),
        sts: mock_client!(aws_sdk_sts, RuleMode::MatchAny, none()),
        s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, none()),
        profile: None,
    };
    cloud
        .inner
        .clients
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(Region::UsWest2, Arc::new(west_clients));
    cloud
}

/// Polls a few milliseconds apart (the backend's clock is the wall clock).
fn quick(mode: dr_deploy::runtime::Mode) -> dr_deploy::runtime::FailoverOptions {
    dr_deploy::runtime::FailoverOptions {
        mode,
        first_poll: Duration::from_millis(1),
        max_poll: Duration::from_millis(2),
        database_timeout: Duration::from_secs(5),
        ..dr_deploy::runtime::FailoverOptions::default()
    }
}

async fn move_writer(
    cloud: &AwsCloud,
    options: &dr_deploy::runtime::FailoverOptions,
) -> dr_deploy::runtime::StepReport {
    dr_deploy::runtime::move_writer(
        cloud,
        "shop-global",
        Region::UsEast2,
        Region::UsWest2,
        options.mode,
        options,
        &dr_deploy::runtime::NullRunObserver,
    )
    .await
}

#[tokio::test]
async fn a_switchover_answered_by_500s_is_followed_through_switching_over_to_done() {
    use dr_deploy::runtime::{Mode, StepResult};
    let internal = server_error_body(
        RDS_NS,
        "InternalFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
    );
    let switchover = mock!(aws_sdk_rds::Client::switchover_global_cluster)
        .match_requests(|i| {
            i.global_cluster_identifier() == Some("shop-global")
                && i.target_db_cluster_identifier() == Some(SECONDARY_ARN)
        })
        .sequence()
        .http_status(500, Some(internal))
        .repeatedly()
        .build();
    let describe = mock!(aws_sdk_rds::Client::describe_global_clusters)
        .sequence()
        // The first read is throttled twice; the SDK's retries ride it out.
        .http_status(400, Some(error_body(RDS_NS, "Throttling", "Rate exceeded")))
        .times(2)
        .http_status(200, Some(global_answer(false, None)))
        // After the 500: the switchover was applied after all.
        .http_status(200, Some(global_answer(false, Some(("pending", false)))))
        .http_status(
            200,
            Some(global_answer(false, Some(("switching-over", false)))),
        )
        .http_status(200, Some(global_answer(true, None)))
        .repeatedly()
        .build();
    let cloud = two_region_rds(vec![&switchover], vec![&describe]);
    let step = move_writer(&cloud, &quick(Mode::Planned)).await;
    assert_eq!(step.result, StepResult::Done, "{step:#?}");
    assert_eq!(
        switchover.num_calls(),
        3,
        "the SDK's three attempts, one call"
    );
    let sent: Vec<_> = step
        .calls
        .iter()
        .filter(|c| c.api == "rds:SwitchoverGlobalCluster")
        .collect();
    assert_eq!(
        sent.len(),
        1,
        "not called again once the state showed it applied"
    );
    assert_eq!(
        sent[0].region,
        Some(Region::UsEast2),
        "in the primary's Region"
    );
    assert!(sent[0].error.as_deref().is_some_and(|e| e.contains("500")));
    assert!(
        step.notes
            .iter()
            .any(|n| n.contains("answered with an error")),
        "{:?}",
        step.notes
    );
    assert!(
        step.calls
            .iter()
            .filter(|c| c.api == "rds:DescribeGlobalClusters")
            .all(|c| c.region == Some(Region::UsWest2)),
        "asked in the DR Region"
    );
}

#[tokio::test]
async fn a_state_fault_on_failover_is_looked_into_before_it_is_reported() {
    use dr_deploy::runtime::{Mode, StepResult};
    // Someone else's failover got there first: the fault means "already done".
    let fault = |code: &str| {
        mock!(aws_sdk_rds::Client::failover_global_cluster)
            .match_requests(|i| i.allow_data_loss() == Some(true))
            .sequence()
            .http_status(
                400,
                Some(error_body(
                    RDS_NS,
                    code,
                    "The global cluster is in an invalid state",
                )),
            )
            .repeatedly()
            .build()
    };
    let invalid_global = fault("InvalidGlobalClusterStateFault");
    let done_by_then = mock!(aws_sdk_rds::Client::describe_global_clusters)
        .sequence()
        .http_status(200, Some(global_answer(false, None)))
        .http_status(200, Some(global_answer(true, None)))
        .repeatedly()
        .build();
    let cloud = two_region_rds(vec![], vec![&invalid_global, &done_by_then]);
    let step = move_writer(&cloud, &quick(Mode::Unplanned)).await;
    assert_eq!(step.result, StepResult::Done, "{step:#?}");
    let failover = step
        .calls
        .iter()
        .find(|c| c.api == "rds:FailoverGlobalCluster")
        .expect("called");
    assert_eq!(
        failover.region,
        Some(Region::UsWest2),
        "in the promoted secondary's Region"
    );

    // The fault stands and nothing moved: reported, with the documented fallback named.
    let invalid_cluster = fault("InvalidDBClusterStateFault");
    let nothing_moves = mock!(aws_sdk_rds::Client::describe_global_clusters)
        .sequence()
        .http_status(200, Some(global_answer(false, None)))
        .repeatedly()
        .build();
    let cloud = two_region_rds(vec![], vec![&invalid_cluster, &nothing_moves]);
    let step = move_writer(&cloud, &quick(Mode::Unplanned)).await;
    match &step.result {
        StepResult::Failed(why) => assert!(why.contains("FailoverGlobalCluster"), "{why}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(
        step.notes
            .iter()
            .any(|n| n.contains("remove-from-global-cluster") && n.contains("does not do it")),
        "{:?}",
        step.notes
    );
}

#[tokio::test]
async fn a_switchover_that_never_ends_times_out_with_the_state_last_seen() {
    use dr_deploy::runtime::{Mode, StepResult};
    let accepted = mock!(aws_sdk_rds::Client::switchover_global_cluster)
        .sequence()
        .http_status(
            200,
            Some(format!(
                r#"<SwitchoverGlobalClusterResponse xmlns="{RDS_NS}"><SwitchoverGlobalClusterResult><GlobalCluster><GlobalClusterIdentifier>shop-global</GlobalClusterIdentifier><Status>switching-over</Status></GlobalCluster></SwitchoverGlobalClusterResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SwitchoverGlobalClusterResponse>"#
            )),
        )
        .build();
    let stuck = mock!(aws_sdk_rds::Client::describe_global_clusters)
        .sequence()
        .http_status(200, Some(global_answer(false, None)))
        .http_status(
            200,
            Some(global_answer(false, Some(("switching-over", false)))),
        )
        .repeatedly()
        .build();
    let cloud = two_region_rds(vec![&accepted], vec![&stuck]);
    let options = dr_deploy::runtime::FailoverOptions {
        database_timeout: Duration::from_millis(50),
        ..quick(Mode::Planned)
    };
    let step = move_writer(&cloud, &options).await;
    match &step.result {
        StepResult::Failed(why) => {
            assert!(why.contains("timed out"), "{why}");
            assert!(
                why.contains("switching-over (switching-over), writer still us-east-2"),
                "the state last seen: {why}"
            );
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}
