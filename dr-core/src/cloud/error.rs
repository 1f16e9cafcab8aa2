//! The errors of the port: a kind callers match on, the API call, and what the service said.

use serde::{Deserialize, Serialize};

use crate::region::Region;

/// Why a `Cloud` operation failed: the [`kind`](CloudError::kind) callers match on, beside the
/// context every kind shares, the API call ([`operation`](CloudError::operation), e.g.
/// `CreateChangeSet`) and what the service said ([`message`](CloudError::message)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{operation}: {}{message}", .kind.prefix())]
pub struct CloudError {
    kind: CloudErrorKind,
    operation: String,
    message: String,
}

/// The kinds of [`CloudError`]. AWS adds error codes over time, so a `match` needs a `_` arm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CloudErrorKind {
    /// The named thing does not exist (a stack, change set, cluster, health check, parameter…).
    NotFound {
        /// What was looked for, e.g. `stack shop-primary`.
        resource: String,
    },
    /// The service throttled the call (the SDK's retries were exhausted).
    Throttled,
    /// The target is in a state that does not allow the call (e.g. `InvalidDBClusterStateFault`,
    /// `InvalidGlobalClusterStateFault`, a stack operation already in progress).
    InvalidState,
    /// The Region's endpoint cannot be reached (an outage, or a simulated one).
    RegionUnavailable {
        /// The Region.
        region: Region,
    },
    /// The Region's endpoint answered, but with an HTTP 5xx server error that outlasted the
    /// SDK's retries: `InternalFailure` (HTTP 500) or `ServiceUnavailable` (HTTP 503), the
    /// server errors common to every AWS query API ("Common Errors",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html>),
    /// or a gateway's 502/503/504. The SDK's standard retry strategy retries exactly the
    /// statuses 500, 502, 503 and 504 (aws-smithy-runtime
    /// `client::retries::classifiers::TRANSIENT_ERROR_STATUS_CODES`), so one that reaches the
    /// port has outlasted them. The call's outcome is unknown. Together with
    /// [`RegionUnavailable`](CloudErrorKind::RegionUnavailable) it is what
    /// [`CloudError::is_region_outage`] calls "the Region does not answer".
    ServerError {
        /// The Region whose endpoint answered.
        region: Region,
        /// The HTTP status: 500, 502, 503 or 504.
        status: u16,
    },
    /// CloudFormation's `ValidationError` and other rejected input: "No updates are to be
    /// performed.", "Stack … is in ROLLBACK_COMPLETE state and can not be updated.", a bad
    /// template, termination protection on `DeleteStack`.
    Validation,
    /// The credentials may not make the call.
    AccessDenied,
    /// The credentials have expired (`ExpiredToken`, an SSO session past its end). Not a
    /// permission problem: fresh credentials (`aws sso login`, a refreshed role session) make
    /// the same call succeed, so a wait looks again rather than giving up.
    CredentialsExpired,
    /// Anything else: a service error outside the kinds above (e.g. an HTTP 500 without an AWS
    /// error code, which an emulator answers for a call it lacks), a transport error, an
    /// operation a backend does not implement.
    Other,
}

impl CloudErrorKind {
    /// What the message says before the service's words: `stack x not found: `, `throttled: `…
    fn prefix(&self) -> String {
        match self {
            CloudErrorKind::NotFound { resource } => format!("{resource} not found: "),
            CloudErrorKind::Throttled => "throttled: ".into(),
            CloudErrorKind::InvalidState => "invalid state: ".into(),
            CloudErrorKind::RegionUnavailable { region } => {
                format!("Region {region} is unavailable: ")
            }
            CloudErrorKind::ServerError { region, status } => {
                format!(
                    "Region {region} answered HTTP {status} (a server error, after the SDK's retries): "
                )
            }
            CloudErrorKind::AccessDenied => "access denied: ".into(),
            CloudErrorKind::CredentialsExpired => "credentials expired: ".into(),
            CloudErrorKind::Validation | CloudErrorKind::Other => String::new(),
        }
    }
}

impl CloudError {
    /// An error of `kind` from the API call `operation`, with what the service said.
    pub fn new(kind: CloudErrorKind, operation: &str, message: impl Into<String>) -> Self {
        CloudError {
            kind,
            operation: operation.into(),
            message: message.into(),
        }
    }
    /// A [`CloudErrorKind::NotFound`].
    pub fn not_found(
        operation: &str,
        resource: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        CloudError::new(
            CloudErrorKind::NotFound {
                resource: resource.into(),
            },
            operation,
            message,
        )
    }
    /// A [`CloudErrorKind::Throttled`].
    pub fn throttled(operation: &str, message: impl Into<String>) -> Self {
        CloudError::new(CloudErrorKind::Throttled, operation, message)
    }
    /// A [`CloudErrorKind::InvalidState`].
    pub fn invalid_state(operation: &str, message: impl Into<String>) -> Self {
        CloudError::new(CloudErrorKind::InvalidState, operation, message)
    }
    /// A [`CloudErrorKind::RegionUnavailable`].
    pub fn region_unavailable(operation: &str, region: Region, message: impl Into<String>) -> Self {
        CloudError::new(
            CloudErrorKind::RegionUnavailable { region },
            operation,
            message,
        )
    }
    /// A [`CloudErrorKind::ServerError`]: `region`'s endpoint answered HTTP `status` with the
    /// AWS error `code` (when the answer had one) and `message`. Both backends build it here,
    /// so the simulator's server errors read exactly as the aws backend's.
    pub fn server_error(
        operation: &str,
        region: Region,
        status: u16,
        code: Option<&str>,
        message: &str,
    ) -> Self {
        let what = match code {
            Some(c) if message.is_empty() || message == c => c.to_string(),
            Some(c) => format!("{c}: {message}"),
            None => message.to_string(),
        };
        CloudError::new(
            CloudErrorKind::ServerError { region, status },
            operation,
            format!("{what} (the call's outcome is unknown)"),
        )
    }
    /// A [`CloudErrorKind::Validation`].
    pub fn validation(operation: &str, message: impl Into<String>) -> Self {
        CloudError::new(CloudErrorKind::Validation, operation, message)
    }
    /// A [`CloudErrorKind::AccessDenied`].
    pub fn access_denied(operation: &str, message: impl Into<String>) -> Self {
        CloudError::new(CloudErrorKind::AccessDenied, operation, message)
    }
    /// A [`CloudErrorKind::CredentialsExpired`].
    pub fn credentials_expired(operation: &str, message: impl Into<String>) -> Self {
        CloudError::new(CloudErrorKind::CredentialsExpired, operation, message)
    }
    /// A [`CloudErrorKind::Other`].
    pub fn other(operation: &str, message: impl Into<String>) -> Self {
        CloudError::new(CloudErrorKind::Other, operation, message)
    }
    /// A [`CloudErrorKind::Other`] saying the backend does not implement `operation` (yet).
    pub fn not_implemented(operation: &str) -> Self {
        CloudError::other(operation, "not yet implemented by this backend")
    }

    /// What kind of failure it is.
    pub fn kind(&self) -> &CloudErrorKind {
        &self.kind
    }
    /// The API call that failed.
    pub fn operation(&self) -> &str {
        &self.operation
    }
    /// What the service said.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// Whether the thing asked about does not exist ([`CloudErrorKind::NotFound`]).
    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, CloudErrorKind::NotFound { .. })
    }
    /// Whether the Region's endpoint could not be reached at all
    /// ([`CloudErrorKind::RegionUnavailable`]: a timeout or no connection). Only one of the two
    /// shapes of an outage: the engine asks [`is_region_outage`](CloudError::is_region_outage).
    pub fn is_region_unavailable(&self) -> bool {
        matches!(self.kind, CloudErrorKind::RegionUnavailable { .. })
    }
    /// Whether the Region does not answer: the deploy engine's one test for "a Region outage".
    ///
    /// True for both shapes an outage takes at the API: no answer at all (a timeout or a
    /// connection that fails, [`CloudErrorKind::RegionUnavailable`]) and an endpoint that answers
    /// only HTTP 5xx server errors after the SDK's retries ([`CloudErrorKind::ServerError`]:
    /// `InternalFailure` 500, `ServiceUnavailable` 503, a gateway's 502/504). Why both: during a
    /// primary-Region outage the DR Region's stacks must stay deployable whichever shape the
    /// outage takes, and AWS documents no way to tell a Region that is down from one that
    /// fails every call with a server error (an impaired control plane typically answers 5xx
    /// rather than nothing). The retries the SDK spent are what make one such answer count:
    /// a server error that outlasted them is as much "no answer" as a timeout.
    ///
    /// False for everything the service answered deliberately: any 4xx (throttling, rejected
    /// input, not found, access denied) is the Region answering, so a single 4xx is never an
    /// outage, and a call failing so fails the deploy as any other error does.
    pub fn is_region_outage(&self) -> bool {
        self.outage_region().is_some()
    }
    /// The Region that does not answer, when [`is_region_outage`](CloudError::is_region_outage).
    pub fn outage_region(&self) -> Option<Region> {
        match self.kind {
            CloudErrorKind::RegionUnavailable { region }
            | CloudErrorKind::ServerError { region, .. } => Some(region),
            _ => None,
        }
    }
    /// Whether CloudFormation said there is nothing to change: `UpdateStack`'s "No updates are
    /// to be performed." or a change set's "The submitted information didn't contain changes."
    /// (observed in <https://github.com/realestate-com-au/stackup/issues/49> and
    /// <https://github.com/ansible-collections/amazon.aws/pull/507>).
    pub fn is_no_changes(&self) -> bool {
        is_no_changes_reason(self.message())
    }
    /// Whether trying again later can help: throttling, expired credentials (once refreshed),
    /// or a Region that does not answer, in either shape of
    /// [`is_region_outage`](CloudError::is_region_outage). A wait for a stack operation, which
    /// CloudFormation carries on with whatever the caller's connection does, looks again after
    /// each of these instead of giving up.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            CloudErrorKind::Throttled | CloudErrorKind::CredentialsExpired
        ) || self.is_region_outage()
    }
    /// Whether the call may have taken effect though it reported an error: a server error or
    /// no answer at all ([`is_region_outage`](CloudError::is_region_outage)), where the request
    /// may have been carried out and only the answer lost.
    pub fn outcome_unknown(&self) -> bool {
        self.is_region_outage()
    }
}

/// Whether a CloudFormation status reason or error message means "nothing to change"
/// ("The submitted information didn't contain changes…" or "No updates are to be performed.",
/// observed in <https://github.com/realestate-com-au/stackup/issues/49> and
/// <https://github.com/ansible-collections/amazon.aws/pull/507>).
pub fn is_no_changes_reason(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// The result of a `Cloud` operation.
pub type CloudResult<T> = Result<T, CloudError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_changes_is_recognized() {
        let e = CloudError::validation("UpdateStack", "No updates are to be performed.");
        assert!(e.is_no_changes());
        assert!(is_no_changes_reason(
            "The submitted information didn't contain changes. Submit different information to create a change set."
        ));
        assert!(
            !CloudError::validation("CreateChangeSet", "Template format error").is_no_changes()
        );
    }

    #[test]
    fn display_puts_the_shared_context_around_each_kind() {
        let cases = [
            (
                CloudError::not_found("DescribeStacks", "stack shop", "Stack does not exist"),
                "DescribeStacks: stack shop not found: Stack does not exist",
            ),
            (
                CloudError::throttled("DescribeStacks", "Rate exceeded"),
                "DescribeStacks: throttled: Rate exceeded",
            ),
            (
                CloudError::invalid_state("FailoverGlobalCluster", "busy"),
                "FailoverGlobalCluster: invalid state: busy",
            ),
            (
                CloudError::region_unavailable("DescribeStacks", Region::UsEast2, "timed out"),
                "DescribeStacks: Region us-east-2 is unavailable: timed out",
            ),
            (
                CloudError::server_error(
                    "DescribeStacks",
                    Region::UsEast2,
                    500,
                    Some("InternalFailure"),
                    "boom",
                ),
                "DescribeStacks: Region us-east-2 answered HTTP 500 (a server error, after the \
                 SDK's retries): InternalFailure: boom (the call's outcome is unknown)",
            ),
            (
                CloudError::validation("DeleteStack", "protected"),
                "DeleteStack: protected",
            ),
            (
                CloudError::access_denied("DeleteStack", "no"),
                "DeleteStack: access denied: no",
            ),
            (
                CloudError::credentials_expired("DescribeStacks", "ExpiredToken"),
                "DescribeStacks: credentials expired: ExpiredToken",
            ),
            (
                CloudError::other("GetChange", "HTTP 500"),
                "GetChange: HTTP 500",
            ),
        ];
        for (e, text) in cases {
            assert_eq!(e.to_string(), text);
        }
    }

    /// The engine's outage predicate: both shapes of an outage are the Region not answering;
    /// anything the service answered deliberately is not.
    #[test]
    fn a_region_outage_is_no_answer_or_a_server_error_never_a_4xx() {
        let no_answer =
            CloudError::region_unavailable("DescribeStacks", Region::UsEast2, "timed out");
        let internal = CloudError::server_error(
            "DescribeStacks",
            Region::UsEast2,
            500,
            Some("InternalFailure"),
            "The request processing has failed because of an unknown error, exception or failure.",
        );
        let unavailable = CloudError::server_error(
            "DescribeDBClusters",
            Region::UsWest2,
            503,
            Some("ServiceUnavailable"),
            "The request has failed due to a temporary failure of the server.",
        );
        for (e, region) in [
            (&no_answer, Region::UsEast2),
            (&internal, Region::UsEast2),
            (&unavailable, Region::UsWest2),
        ] {
            assert!(e.is_region_outage(), "{e}");
            assert_eq!(e.outage_region(), Some(region), "{e}");
            assert!(e.is_retryable(), "{e}");
        }
        // Only the no-answer shape is `RegionUnavailable`.
        assert!(no_answer.is_region_unavailable());
        assert!(!internal.is_region_unavailable());
        for e in [
            CloudError::throttled("DescribeStacks", "Rate exceeded"),
            CloudError::validation("CreateChangeSet", "Template format error"),
            CloudError::not_found(
                "DescribeStacks",
                "stack s",
                "Stack with id s does not exist",
            ),
            CloudError::access_denied("DeleteStack", "no"),
            CloudError::invalid_state("ExecuteChangeSet", "busy"),
            CloudError::other("UpdateTerminationProtection", "HTTP 500 without a code"),
        ] {
            assert!(!e.is_region_outage(), "{e}");
            assert_eq!(e.outage_region(), None, "{e}");
        }
    }
}
