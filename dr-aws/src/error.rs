//! Mapping AWS SDK errors to the port's [`CloudError`].
//!
//! The kind is decided from the AWS error code (the `Code` of the error response), the HTTP
//! status and, for CloudFormation's catch-all `ValidationError`, the message: CloudFormation
//! reports a missing stack or change set as `ValidationError` "Stack with id X does not exist"
//! ([DescribeStacks](https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html)
//! documents no not-found error), so that message is what tells `NotFound` apart.

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
/// documents it as `InvalidState`). Route 53's `InvalidChangeBatch` is bad input, so it is
/// under validation.
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
];

/// Codes of credentials or permission failures (IAM, STS, S3 and EC2-style spellings).
const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "AuthFailure",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "MissingAuthenticationToken",
    "IncompleteSignature",
];

/// Codes of rejected input.
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
    } else if has(ACCESS_DENIED_CODES) {
        Kind::AccessDenied
    } else if code == "ValidationError" && message.contains("does not exist") {
        // CloudFormation: "Stack with id X does not exist", "ChangeSet [X] does not exist".
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

/// What an SDK call was about, for the error it may produce.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The AWS API operation, e.g. `CreateChangeSet`.
    pub op: &'static str,
    /// The Region the call went to.
    pub region: Region,
    /// What a `NotFound` is about, e.g. `stack shop-primary`.
    pub resource: &'a str,
}

impl<'a> Call<'a> {
    /// A call of `op` in `region` about `resource`.
    pub fn new(op: &'static str, region: Region, resource: &'a str) -> Self {
        Call {
            op,
            region,
            resource,
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
                    CloudError::access_denied(
                        self.op,
                        format!(
                            "no usable AWS credentials ({text}); give a profile (--profile or \
                             AWS_PROFILE) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \
                             (any values for an emulator)"
                        ),
                    )
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
        assert_eq!(classify(Some("ExpiredToken"), "", 403), Kind::AccessDenied);
        assert_eq!(classify(None, "", 404), Kind::Other);
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
