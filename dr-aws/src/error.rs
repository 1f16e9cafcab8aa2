//! Mapping AWS SDK errors to the port's [`CloudError`].
//!
//! The kind is decided from the AWS error code (the `Code` of the error response), the HTTP
//! status and, for CloudFormation's catch-all `ValidationError`, the message: CloudFormation
//! reports a missing stack as `ValidationError` "Stack with id X does not exist"
//! ([DescribeStacks](https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html)
//! documents no not-found error), so only the shapes of that message listed in
//! [`is_cfn_not_found`] tell `NotFound` apart; any other `ValidationError` that happens to say
//! "does not exist" (a parameter, a resource) is rejected input.
//!
//! A call that never got an answer is `RegionUnavailable`: a timeout of the attempt or of the
//! whole operation (`SdkError::TimeoutError`, aws-smithy-runtime `client/orchestrator.rs`) or a
//! connection that failed or timed out (`DispatchFailure` with an I/O or timeout connector
//! error). A failure to get credentials is a dispatch failure too, of kind "other": it is told
//! apart by its text, with the way to renew them when they expired.

use std::error::Error as StdError;

use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use dr_core::Region;
use dr_core::cloud::{CloudError, CloudResult};

/// AWS error codes that mean "throttled". The SDK's standard retry strategy retries exactly
/// these (aws-runtime `retries::classifiers::THROTTLING_ERRORS`), so when one reaches us the
/// retries are spent. `LimitExceededException` is left out on purpose: CloudFormation uses it
/// for quotas (2,000 stacks per account), which waiting does not fix.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Codes of "no such thing" faults, from the API references of the operations drkit calls:
/// CloudFormation `ChangeSetNotFound`; RDS `DBClusterNotFoundFault`, `GlobalClusterNotFoundFault`;
/// Route 53 `NoSuchHealthCheck`, `NoSuchHostedZone`, `NoSuchChange`; SSM `ParameterNotFound`,
/// `ParameterVersionNotFound`; ELBv2 `TargetGroupNotFound`; S3 `NoSuchBucket`; CloudWatch
/// `ResourceNotFound`.
const NOT_FOUND_CODES: &[&str] = &[
    "ChangeSetNotFound",
    "ChangeSetNotFoundException",
    "StackNotFoundException",
    "DBClusterNotFoundFault",
    "GlobalClusterNotFoundFault",
    "DBInstanceNotFound",
    "NoSuchHealthCheck",
    "NoSuchHostedZone",
    "NoSuchChange",
    "ParameterNotFound",
    "ParameterVersionNotFound",
    "TargetGroupNotFound",
    "LoadBalancerNotFound",
    "NoSuchBucket",
    "ResourceNotFound",
    "ResourceNotFoundException",
];

/// Codes of "not in a state that allows this" faults: RDS `InvalidDBClusterStateFault`,
/// `InvalidGlobalClusterStateFault` ("SwitchoverGlobalCluster",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html>);
/// CloudFormation `InvalidChangeSetStatus` (executing a change set that is not `AVAILABLE`)
/// and `OperationInProgressException`; Route 53 `HealthCheckVersionMismatch` (the port
/// documents it as `InvalidState`); ELBv2 `OperationNotPermitted` (deleting a load balancer
/// whose deletion protection is on: "DeleteLoadBalancer",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteLoadBalancer.html>).
/// Route 53's `InvalidChangeBatch` is bad input, so it is under validation.
const INVALID_STATE_CODES: &[&str] = &[
    "InvalidDBClusterStateFault",
    "InvalidGlobalClusterStateFault",
    "InvalidDBInstanceState",
    "InvalidChangeSetStatus",
    "InvalidChangeSetStatusException",
    "OperationInProgressException",
    "OperationInProgress",
    "HealthCheckVersionMismatch",
    "ConcurrentModification",
    "OperationNotPermitted",
];

/// Codes of credentials that expired: `ExpiredToken` is what the Query APIs (CloudFormation,
/// STS, RDS, IAM) answer with HTTP 403, "The security token included in the request is expired"
/// (observed on CloudFormation `DescribeStacks` in
/// <https://github.com/eksctl-io/eksctl/issues/5968>, on STS `GetCallerIdentity` in
/// <https://github.com/miquella/vaulted/issues/107>); `ExpiredTokenException` is the JSON APIs'
/// spelling ("Common Errors", <https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html>)
/// and STS's for an expired web identity token (STS `AssumeRoleWithWebIdentity`).
/// `RequestExpired` is left out: it means the request's time stamp is more than 15 minutes off
/// (same page), a clock to fix rather than credentials to renew.
const CREDENTIALS_EXPIRED_CODES: &[&str] = &["ExpiredToken", "ExpiredTokenException"];

/// What aws-config's IAM Identity Center (SSO) credentials provider reports when the SSO session
/// has ended and only `aws sso login` renews it: the token provider's
/// `SsoTokenProviderError::ExpiredToken` (aws-config 1.13 `src/sso/token.rs`, for a profile with
/// `sso_session`), and the SSO portal's answer to `GetRoleCredentials` with an expired token
/// (`UnauthorizedException`, for a legacy profile without `sso_session`, whose cached token is
/// sent unchecked: `src/sso/credentials.rs`), observed in
/// <https://github.com/aws/aws-cli/issues/7340>.
const SSO_EXPIRED_TEXTS: &[&str] = &[
    "the SSO token has expired and cannot be refreshed",
    "Session token not found or invalid",
];

/// Codes of credentials or permission failures (IAM, STS, S3 and EC2-style spellings).
const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "AuthFailure",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "MissingAuthenticationToken",
    "IncompleteSignature",
];

/// Codes of rejected input; ELBv2's `InvalidConfigurationRequest` is "The requested
/// configuration is not valid" (e.g. an access-log bucket ELB cannot write to:
/// "ModifyLoadBalancerAttributes",
/// <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyLoadBalancerAttributes.html>).
const VALIDATION_CODES: &[&str] = &[
    "ValidationError",
    "ValidationException",
    "InvalidParameterValue",
    "InvalidParameterValueException",
    "InvalidParameterCombination",
    "InvalidParameterException",
    "MissingParameter",
    "InvalidInput",
    "InvalidChangeBatch",
    "InvalidArgument",
    "InsufficientCapabilities",
    "InsufficientCapabilitiesException",
    "AlreadyExists",
    "AlreadyExistsException",
    "TokenAlreadyExistsException",
    "InvalidTargetException",
    "InvalidTarget",
    "InvalidConfigurationRequest",
];

/// The HTTP statuses the SDK's standard retry strategy retries whatever the error code
/// (aws-smithy-runtime `client::retries::classifiers::TRANSIENT_ERROR_STATUS_CODES`, used by
/// `HttpStatusCodeClassifier::default()`, which every service client here installs): a
/// response with one of them that reaches us has outlasted the retries.
const RETRIED_SERVER_STATUSES: &[u16] = &[500, 502, 503, 504];

/// The kind of [`CloudError`] an AWS error response maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    NotFound,
    Throttled,
    InvalidState,
    Validation,
    AccessDenied,
    CredentialsExpired,
    /// A 5xx that outlasted the SDK's retries: the Region does not answer
    /// ([`CloudError::is_region_outage`]).
    ServerError,
    Other,
}

/// Whether a response of `status` (with AWS error `code`, if any) is a server error that
/// counts as the Region not answering. AWS's own server errors carry a code
/// (`InternalFailure` with HTTP 500, `ServiceUnavailable` with 503: "Common Errors",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html>), and
/// a gateway in front of an endpoint answers 502/503/504 without one. A 500 *without* a code is
/// neither: it is what an emulator answers for a call it does not implement (moto 5.2's
/// `UpdateTerminationProtection`), so it stays `Other`. A 501 or 505 is not retried by the SDK
/// and says the call is not supported, not that the Region is down.
fn is_server_error(code: Option<&str>, status: u16) -> bool {
    RETRIED_SERVER_STATUSES.contains(&status) && (code.is_some() || status != 500)
}

/// Classifies an AWS error response by its code, message and HTTP status.
pub(crate) fn classify(code: Option<&str>, message: &str, status: u16) -> Kind {
    let Some(code) = code else {
        // No AWS error code: only the status is left. A 404 without a code is not "no such
        // thing" but an endpoint that does not serve the call (moto 5.2 answers CloudWatch's
        // RPCv2-CBOR requests so), so it stays `Other`.
        return match status {
            403 => Kind::AccessDenied,
            429 => Kind::Throttled,
            s if is_server_error(None, s) => Kind::ServerError,
            _ => Kind::Other,
        };
    };
    let has = |list: &[&str]| list.contains(&code);
    if has(THROTTLING_CODES) {
        Kind::Throttled
    } else if has(NOT_FOUND_CODES) {
        Kind::NotFound
    } else if has(INVALID_STATE_CODES) {
        Kind::InvalidState
    } else if has(CREDENTIALS_EXPIRED_CODES) {
        Kind::CredentialsExpired
    } else if has(ACCESS_DENIED_CODES) {
        Kind::AccessDenied
    } else if code == "ValidationError" && is_cfn_not_found(message) {
        Kind::NotFound
    } else if has(VALIDATION_CODES) {
        Kind::Validation
    } else if is_server_error(Some(code), status) {
        // After the codes: a throttling code answered with 503 (S3's `SlowDown`) is throttling.
        Kind::ServerError
    } else {
        Kind::Other
    }
}

/// Whether a CloudFormation `ValidationError` message says that the stack or change set asked
/// for does not exist, in one of the shapes CloudFormation uses (the name or id is one word,
/// since stack and change set names and ARNs have no spaces):
/// - "Stack with id X does not exist": `DescribeStacks`, `ListStackResources` and most calls
///   naming a stack (<https://github.com/boto/boto3/issues/2807>,
///   <https://github.com/cloudquery/cq-provider-aws/issues/824>);
/// - "Stack [X] does not exist": `DescribeStackEvents`
///   (<https://github.com/realestate-com-au/stackup/issues/27>);
/// - "Stack 'X' does not exist": `DescribeStackResource`
///   (<https://github.com/jpsim/AWSPics/issues/15>);
/// - "Stack:X does not exist" (<https://github.com/mapbox/cfn-config/issues/57>, 2014);
/// - "ChangeSet [X] does not exist": observed with the `ChangeSetNotFound` code
///   (<https://github.com/aws/serverless-application-model/issues/52>), which maps to `NotFound`
///   by itself; a `ValidationError` with this text was not found in a source and is matched in
///   case an operation answers so.
///
/// Anything else is rejected input, e.g. "Parameter validation failed: parameter value foo for
/// parameter name Bar does not exist".
fn is_cfn_not_found(message: &str) -> bool {
    let Some(subject) = message
        .trim_end()
        .trim_end_matches('.')
        .strip_suffix(" does not exist")
    else {
        return false;
    };
    let word = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace);
    let quoted = |s: &str, open: char, close: char| {
        s.strip_prefix(open)
            .and_then(|s| s.strip_suffix(close))
            .is_some_and(word)
    };
    if let Some(id) = subject.strip_prefix("Stack with id ") {
        word(id)
    } else if let Some(rest) = subject.strip_prefix("Stack ") {
        quoted(rest, '[', ']') || quoted(rest, '\'', '\'')
    } else if let Some(rest) = subject.strip_prefix("Stack:") {
        word(rest)
    } else if let Some(rest) = subject.strip_prefix("ChangeSet ") {
        quoted(rest, '[', ']')
    } else {
        false
    }
}

/// The command that renews an IAM Identity Center (SSO) session, for `profile` when the backend
/// was given one (otherwise `aws sso login` uses `AWS_PROFILE` or the default, as the SDK does).
fn sso_login(profile: Option<&str>) -> String {
    match profile {
        Some(p) => format!("`aws sso login --profile {p}`"),
        None => "`aws sso login`".to_string(),
    }
}

/// How to renew credentials that expired, after the service said so (`ExpiredToken`): the SDK
/// refreshes an SSO or assume-role profile's credentials by itself, so what expires is either
/// the SSO session behind a profile or session credentials given in the environment.
fn renew_hint(profile: Option<&str>) -> String {
    format!(
        "renew them: for an IAM Identity Center (SSO) profile run {} (the next call picks the \
         new session up); session credentials from environment variables (AWS_SESSION_TOKEN) \
         cannot be renewed in a running process, so start again with fresh ones",
        sso_login(profile)
    )
}

/// What an SDK call was about, for the error it may produce.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The AWS API operation, e.g. `CreateChangeSet`.
    pub op: &'static str,
    /// The Region the call went to.
    pub region: Region,
    /// What a `NotFound` is about, e.g. `stack shop-primary`.
    pub resource: &'a str,
    /// The backend's named profile, for the hint of a credentials error.
    pub profile: Option<&'a str>,
}

impl<'a> Call<'a> {
    /// A call of `op` in `region` about `resource`.
    pub fn new(op: &'static str, region: Region, resource: &'a str) -> Self {
        Call {
            op,
            region,
            resource,
            profile: None,
        }
    }

    /// The same call, for a backend using the named `profile`.
    pub fn with_profile(self, profile: Option<&'a str>) -> Self {
        Call { profile, ..self }
    }

    /// The error of a call that failed before it was sent because no credentials could be had
    /// (`text` is the SDK's error chain). An ended SSO session, or credentials an assume-role
    /// profile got from expired ones (STS `ExpiredToken`), is `CredentialsExpired` with the
    /// way to renew them; anything else is `AccessDenied` with where credentials come from.
    fn credentials_failure(&self, text: &str) -> CloudError {
        let login = sso_login(self.profile);
        if SSO_EXPIRED_TEXTS.iter().any(|t| text.contains(t)) {
            CloudError::credentials_expired(
                self.op,
                format!(
                    "the IAM Identity Center (SSO) session has expired ({text}); run {login} \
                     (the next call picks the new session up)"
                ),
            )
        } else if CREDENTIALS_EXPIRED_CODES.iter().any(|c| text.contains(c)) {
            CloudError::credentials_expired(
                self.op,
                format!("{text}; {}", renew_hint(self.profile)),
            )
        } else {
            CloudError::access_denied(
                self.op,
                format!(
                    "no usable AWS credentials ({text}); give a profile (--profile or \
                     AWS_PROFILE) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values \
                     for an emulator); for an IAM Identity Center (SSO) profile, run {login}"
                ),
            )
        }
    }

    /// Maps an SDK error of a call that describes one thing: NotFound means there is none
    /// (`Ok(None)`), anything else is the port's error.
    pub fn absent<T, E>(&self, err: SdkError<E, HttpResponse>) -> CloudResult<Option<T>>
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        match self.map(err) {
            e if e.is_not_found() => Ok(None),
            other => Err(other),
        }
    }

    /// Maps an SDK error of this call to the port's error.
    pub fn map<E>(&self, err: SdkError<E, HttpResponse>) -> CloudError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        match &err {
            SdkError::ServiceError(se) => {
                let raw = se.raw();
                let status = raw.status().as_u16();
                let e = se.err();
                let code = e.code();
                let message = e.message().map(str::to_string).unwrap_or_else(|| chain(e));
                self.response_error(code, &message, status, raw.body().bytes())
            }
            SdkError::TimeoutError(_) => CloudError::region_unavailable(
                self.op,
                self.region,
                format!("timed out: {}", chain(&err)),
            ),
            SdkError::DispatchFailure(df) if df.is_io() || df.is_timeout() => {
                CloudError::region_unavailable(
                    self.op,
                    self.region,
                    format!("could not reach the endpoint: {}", chain(&err)),
                )
            }
            SdkError::DispatchFailure(_) => {
                // Before transmission the SDK resolves credentials; a failure there surfaces as a
                // dispatch failure of kind "other", and deserves a hint rather than a chain.
                let text = chain(&err);
                if text.contains("credentials") {
                    self.credentials_failure(&text)
                } else {
                    CloudError::other(self.op, text)
                }
            }
            SdkError::ResponseError(re) => {
                let status = re.raw().status().as_u16();
                let text = format!(
                    "HTTP {status} with a response that could not be read: {}",
                    chain(&err)
                );
                if is_server_error(None, status) {
                    CloudError::server_error(self.op, self.region, status, None, &text)
                } else {
                    CloudError::other(self.op, text)
                }
            }
            SdkError::ConstructionFailure(_) => CloudError::validation(
                self.op,
                format!("the request could not be built: {}", chain(&err)),
            ),
            _ => CloudError::other(self.op, chain(&err)),
        }
    }

    /// Builds the port's error from an error response's parts.
    pub fn response_error(
        &self,
        code: Option<&str>,
        message: &str,
        status: u16,
        body: Option<&[u8]>,
    ) -> CloudError {
        let op = self.op;
        let message = if message.is_empty() {
            code.unwrap_or("no message").to_string()
        } else {
            message.to_string()
        };
        match classify(code, &message, status) {
            Kind::NotFound => CloudError::not_found(op, self.resource, message),
            Kind::Throttled => {
                CloudError::throttled(op, format!("{message} (the SDK's retries are spent)"))
            }
            Kind::InvalidState => CloudError::invalid_state(op, message),
            Kind::Validation => CloudError::validation(op, message),
            Kind::AccessDenied => CloudError::access_denied(op, message),
            Kind::CredentialsExpired => CloudError::credentials_expired(
                op,
                format!("{message}; {}", renew_hint(self.profile)),
            ),
            Kind::ServerError => {
                let message = match (code, body.and_then(excerpt)) {
                    (Some(_), _) => message,
                    // A gateway's bare 502/503/504: its body says who answered.
                    (None, Some(x)) => format!("no AWS error code; body: {x}"),
                    (None, None) => "no AWS error code".to_string(),
                };
                CloudError::server_error(op, self.region, status, code, &message)
            }
            Kind::Other => {
                let mut text = match code {
                    // What is left of 5xx: a bare 500, which moto answers for calls it does not
                    // implement (e.g. UpdateTerminationProtection in moto 5.2), and statuses the
                    // SDK does not retry (501, 505). AWS's own 500 (InternalFailure, outcome
                    // unknown, observed in <https://github.com/aws/aws-sdk/issues/822>) has a
                    // code and is a `ServerError`.
                    _ if status >= 500 => format!(
                        "the endpoint answered HTTP {status}{} (a server-side failure: the \
                         call's outcome is unknown; an emulator answers this for calls it does \
                         not support)",
                        code.map(|c| format!(" {c}")).unwrap_or_default()
                    ),
                    Some(c) => format!("HTTP {status} {c}"),
                    None => format!(
                        "the endpoint answered HTTP {status} without an AWS error code: it does \
                         not serve this API or protocol (an emulator may lack it)"
                    ),
                };
                match code {
                    // The request's time stamp was more than 15 minutes off AWS's clock ("Common
                    // Errors", linked at CREDENTIALS_EXPIRED_CODES): a retry signs it anew with
                    // the same clock, so say which clock to fix.
                    Some("RequestExpired") => text.push_str(&format!(
                        ": {message} (this machine's clock is more than 15 minutes off: set it \
                         right)"
                    )),
                    // With a code, AWS's message says what went wrong.
                    Some(c) if message != c => text.push_str(&format!(": {message}")),
                    Some(_) => {}
                    // Without one, the SDK's message is only a parse failure: show the body.
                    None => {
                        if let Some(x) = body.and_then(excerpt) {
                            text.push_str(&format!("; body: {x}"));
                        }
                    }
                }
                CloudError::other(op, text)
            }
        }
    }
}

/// An error and its sources, on one line: "dispatch failure: io error: Connection refused".
/// (The SDK's `DisplayErrorContext` appends the whole `Debug` form too, which users need not read.)
fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        let s = one_line(&e.to_string());
        if !s.is_empty() && parts.last() != Some(&s) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// `s` on one line (SDK error chains and HTML pages span several).
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The start of a response body, on one line, for an error message.
fn excerpt(body: &[u8]) -> Option<String> {
    let s = one_line(&String::from_utf8_lossy(body));
    if s.is_empty() {
        return None;
    }
    let mut cut: String = s.chars().take(300).collect();
    if cut.len() < s.len() {
        cut.push('…');
    }
    Some(cut)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dr_core::cloud::CloudErrorKind;

    #[test]
    fn codes_classify() {
        assert_eq!(
            classify(Some("Throttling"), "Rate exceeded", 400),
            Kind::Throttled
        );
        assert_eq!(
            classify(
                Some("ValidationError"),
                "Stack with id x does not exist",
                400
            ),
            Kind::NotFound
        );
        assert_eq!(
            classify(
                Some("ValidationError"),
                "No updates are to be performed.",
                400
            ),
            Kind::Validation
        );
        assert_eq!(
            classify(Some("InvalidGlobalClusterStateFault"), "", 400),
            Kind::InvalidState
        );
        assert_eq!(
            classify(Some("DBClusterNotFoundFault"), "", 404),
            Kind::NotFound
        );
        assert_eq!(
            classify(Some("InvalidClientTokenId"), "", 403),
            Kind::AccessDenied
        );
        assert_eq!(classify(None, "", 404), Kind::Other);
    }

    /// CloudFormation's not-found shapes are `NotFound`; a `ValidationError` that says "does
    /// not exist" about anything else stays `Validation`.
    #[test]
    fn only_cloudformations_not_found_shapes_are_not_found() {
        let stack_arn = "arn:aws:cloudformation:us-east-2:123456789012:stack/shop/1a2b";
        for message in [
            "Stack with id shop-primary does not exist".to_string(),
            format!("Stack with id {stack_arn} does not exist"),
            "Stack [shop-primary] does not exist".to_string(),
            "Stack 'shop-primary' does not exist".to_string(),
            "Stack:shop-primary does not exist".to_string(),
            "ChangeSet [drkit-1] does not exist".to_string(),
            "Stack with id shop-primary does not exist.".to_string(),
        ] {
            assert_eq!(
                classify(Some("ValidationError"), &message, 400),
                Kind::NotFound,
                "{message}"
            );
        }
        for message in [
            "Parameter validation failed: parameter value foo for parameter name Bar does not exist",
            "Template error: instance of Fn::GetAtt references undefined resource Db",
            "Stack for i-0d6112770e8cb97b2 does not exist",
            "Stack with id shop primary does not exist",
            "The specified resource Key does not exist in the stack",
            "Export shop-VpcId does not exist",
            "Stack [] does not exist",
        ] {
            assert_eq!(
                classify(Some("ValidationError"), message, 400),
                Kind::Validation,
                "{message}"
            );
        }
        // The shape matters only for `ValidationError`: another code keeps its own kind.
        assert_eq!(
            classify(
                Some("InvalidChangeSetStatus"),
                "Stack [x] does not exist",
                400
            ),
            Kind::InvalidState
        );
    }

    #[test]
    fn expired_credentials_classify() {
        for code in ["ExpiredToken", "ExpiredTokenException"] {
            assert_eq!(
                classify(
                    Some(code),
                    "The security token included in the request is expired",
                    403
                ),
                Kind::CredentialsExpired,
                "{code}"
            );
        }
        // A request time stamp off by more than 15 minutes is a clock to fix, not credentials.
        assert_eq!(
            classify(Some("RequestExpired"), "Request has expired.", 400),
            Kind::Other
        );
        let call = Call::new("DescribeStacks", Region::UsEast2, "stack s");
        let skewed = call.response_error(Some("RequestExpired"), "Request has expired.", 400, None);
        assert!(matches!(skewed.kind(), CloudErrorKind::Other), "{skewed:?}");
        assert!(skewed.message().contains("clock"), "{skewed}");
        assert!(!skewed.is_retryable());

        let expired = call.with_profile(Some("prod")).response_error(
            Some("ExpiredToken"),
            "The security token included in the request is expired",
            403,
            None,
        );
        assert_eq!(expired.kind(), &CloudErrorKind::CredentialsExpired);
        assert!(expired.is_retryable());
        assert!(
            expired.message().contains("`aws sso login --profile prod`"),
            "{expired}"
        );
    }

    /// The error chain aws-config 1.13 produces, as `chain` prints it, when a call needs
    /// credentials from an SSO profile whose session ended (recorded from a DescribeStacks with
    /// a profile using `sso_session` and an expired cached token without a refresh token).
    const SSO_SESSION_EXPIRED: &str = "dispatch failure: other: an error occurred while loading \
        credentials: an error occurred while loading an access token: the SSO token has expired \
        and cannot be refreshed";
    /// The same for a legacy SSO profile (no `sso_session`): the expired token is sent and the
    /// portal refuses it (recorded with the portal's answer from aws/aws-cli#7340 served
    /// locally).
    const SSO_LEGACY_EXPIRED: &str = "dispatch failure: other: an error occurred while loading \
        credentials: service error: UnauthorizedException: Session token not found or invalid";
    /// An SSO profile never logged in (no cached token).
    const SSO_NOT_LOGGED_IN: &str = "dispatch failure: other: an error occurred while loading \
        credentials: an error occurred while loading an access token: failed to load the cached \
        SSO token";

    #[test]
    fn an_ended_sso_session_is_credentials_expired_with_the_login_command() {
        let call = Call::new("DescribeStacks", Region::UsEast2, "stack s");
        for text in [SSO_SESSION_EXPIRED, SSO_LEGACY_EXPIRED] {
            let e = call.with_profile(Some("dev")).credentials_failure(text);
            assert_eq!(e.kind(), &CloudErrorKind::CredentialsExpired, "{e}");
            assert!(e.message().contains("`aws sso login --profile dev`"), "{e}");
            assert!(e.message().contains(text), "{e}");
            assert!(e.is_retryable());
            let e = call.credentials_failure(text);
            assert!(e.message().contains("run `aws sso login` "), "{e}");
        }
        // Source credentials of an assume-role profile that expired: STS answered ExpiredToken.
        let e = call.credentials_failure(
            "dispatch failure: other: an error occurred while loading credentials: service \
             error: ExpiredToken: The security token included in the request is expired",
        );
        assert_eq!(e.kind(), &CloudErrorKind::CredentialsExpired, "{e}");
    }

    #[test]
    fn other_credentials_failures_keep_the_access_denied_hint_and_mention_sso() {
        let call = Call::new("GetCallerIdentity", Region::UsEast2, "caller identity");
        // aws-config 1.13's default chain with nothing to offer (recorded, shortened).
        let none = call.credentials_failure(
            "dispatch failure: other: the credential provider was not enabled: no credentials \
             found in chain. Attempted: Environment: the credential provider was not enabled: \
             environment variable not set Profile: the credential provider was not enabled: \
             profile `default` was not defined",
        );
        assert_eq!(none.kind(), &CloudErrorKind::AccessDenied);
        let message = none.message();
        assert!(message.contains("AWS_ACCESS_KEY_ID"), "{message}");
        assert!(message.contains("--profile or AWS_PROFILE"), "{message}");
        assert!(message.contains("`aws sso login`"), "{message}");
        let never = call
            .with_profile(Some("dev"))
            .credentials_failure(SSO_NOT_LOGGED_IN);
        assert_eq!(never.kind(), &CloudErrorKind::AccessDenied);
        assert!(
            never.message().contains("`aws sso login --profile dev`"),
            "{never}"
        );
    }

    /// The SDK's error for a call whose credentials could not be loaded goes through `map`:
    /// a dispatch failure of kind "other" (aws-smithy-runtime-api `client/orchestrator.rs`,
    /// `convert_dispatch_error`) whose sources are the provider's errors.
    #[test]
    fn a_credentials_dispatch_failure_is_mapped_by_its_text() {
        use aws_sdk_cloudformation::error::ConnectorError;
        use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;

        #[derive(Debug)]
        struct Layer(&'static str, Option<Box<Layer>>);
        impl std::fmt::Display for Layer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl StdError for Layer {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                self.1.as_deref().map(|l| l as &(dyn StdError + 'static))
            }
        }
        let provider = Layer(
            "an error occurred while loading credentials",
            Some(Box::new(Layer(
                "an error occurred while loading an access token",
                Some(Box::new(Layer(
                    "the SSO token has expired and cannot be refreshed",
                    None,
                ))),
            ))),
        );
        let err: SdkError<DescribeStacksError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::other(Box::new(provider), None));
        let call =
            Call::new("DescribeStacks", Region::UsEast2, "stack s").with_profile(Some("dev"));
        let e = call.map(err);
        assert_eq!(e.kind(), &CloudErrorKind::CredentialsExpired, "{e}");
        assert!(e.message().contains(SSO_SESSION_EXPIRED), "{e}");
        assert!(e.message().contains("`aws sso login --profile dev`"), "{e}");
    }

    /// A timeout of an attempt or of the whole call is the Region not answering.
    #[test]
    fn a_timeout_is_the_region_unavailable() {
        use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;
        let err: SdkError<DescribeStacksError, HttpResponse> = SdkError::timeout_error(
            "operation attempt timeout (single attempt) occurred after 30s",
        );
        let e = Call::new("DescribeStacks", Region::UsWest2, "stack s").map(err);
        assert_eq!(
            e.kind(),
            &CloudErrorKind::RegionUnavailable {
                region: Region::UsWest2
            }
        );
        assert!(e.message().contains("timed out"), "{e}");
    }

    /// A 5xx that outlasted the SDK's retries is the Region not answering; a 4xx never is,
    /// nor is an emulator's bare 500 or a status the SDK does not retry.
    #[test]
    fn server_errors_classify() {
        assert_eq!(
            classify(Some("InternalFailure"), "", 500),
            Kind::ServerError
        );
        assert_eq!(
            classify(Some("ServiceUnavailable"), "", 503),
            Kind::ServerError
        );
        assert_eq!(classify(Some("InternalError"), "", 500), Kind::ServerError);
        assert_eq!(classify(None, "", 502), Kind::ServerError);
        assert_eq!(classify(None, "", 503), Kind::ServerError);
        assert_eq!(classify(None, "", 504), Kind::ServerError);
        // S3's `SlowDown` comes with 503 and is throttling.
        assert_eq!(classify(Some("SlowDown"), "", 503), Kind::Throttled);
        assert_eq!(classify(None, "", 500), Kind::Other);
        assert_eq!(classify(Some("NotImplemented"), "", 501), Kind::Other);
        assert_eq!(classify(Some("InternalFailure"), "", 400), Kind::Other);
        for status in [400, 403, 404, 409, 429] {
            assert_ne!(classify(Some("Whatever"), "", status), Kind::ServerError);
            assert_ne!(classify(None, "", status), Kind::ServerError);
        }
    }

    #[test]
    fn a_server_error_names_the_region_status_and_code() {
        let call = Call::new("DescribeStacks", Region::UsEast2, "stack s");
        let e = call.response_error(
            Some("InternalFailure"),
            "We encountered an internal error. Please try again.",
            500,
            None,
        );
        assert_eq!(
            e.kind(),
            &CloudErrorKind::ServerError {
                region: Region::UsEast2,
                status: 500
            }
        );
        assert!(e.is_region_outage());
        assert_eq!(
            e.to_string(),
            "DescribeStacks: Region us-east-2 answered HTTP 500 (a server error, after the SDK's \
             retries): InternalFailure: We encountered an internal error. Please try again. (the \
             call's outcome is unknown)"
        );
        let bare =
            call.response_error(None, "", 503, Some(b"<html>503 Service Unavailable</html>"));
        assert!(bare.is_region_outage(), "{bare:?}");
        assert!(
            bare.to_string()
                .contains("body: <html>503 Service Unavailable</html>"),
            "{bare}"
        );
    }

    #[test]
    fn http_500_names_operation_and_status() {
        let call = Call::new("UpdateTerminationProtection", Region::UsEast2, "stack s");
        let e = call.response_error(None, "", 500, Some(b"<html>Internal Server Error</html>"));
        let text = e.to_string();
        assert!(matches!(e.kind(), CloudErrorKind::Other), "{e:?}");
        assert!(text.starts_with("UpdateTerminationProtection: "), "{text}");
        assert!(text.contains("HTTP 500"), "{text}");
        assert!(text.contains("Internal Server Error"), "{text}");
    }
}
