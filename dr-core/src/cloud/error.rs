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
    /// CloudFormation's `ValidationError` and other rejected input: "No updates are to be
    /// performed.", "Stack … is in ROLLBACK_COMPLETE state and can not be updated.", a bad
    /// template, termination protection on `DeleteStack`.
    Validation,
    /// The credentials may not make the call.
    AccessDenied,
    /// Anything else: a service error (e.g. HTTP 500 from an emulator), a transport error, an
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
            CloudErrorKind::AccessDenied => "access denied: ".into(),
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
    /// A [`CloudErrorKind::Validation`].
    pub fn validation(operation: &str, message: impl Into<String>) -> Self {
        CloudError::new(CloudErrorKind::Validation, operation, message)
    }
    /// A [`CloudErrorKind::AccessDenied`].
    pub fn access_denied(operation: &str, message: impl Into<String>) -> Self {
        CloudError::new(CloudErrorKind::AccessDenied, operation, message)
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
    /// Whether the Region did not answer ([`CloudErrorKind::RegionUnavailable`]).
    pub fn is_region_unavailable(&self) -> bool {
        matches!(self.kind, CloudErrorKind::RegionUnavailable { .. })
    }
    /// Whether CloudFormation said there is nothing to change: `UpdateStack`'s "No updates are
    /// to be performed." or a change set's "The submitted information didn't contain changes."
    /// (observed in <https://github.com/realestate-com-au/stackup/issues/49> and
    /// <https://github.com/ansible-collections/amazon.aws/pull/507>).
    pub fn is_no_changes(&self) -> bool {
        is_no_changes_reason(self.message())
    }
    /// Whether trying again later can help (throttling, an unreachable Region).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            CloudErrorKind::Throttled | CloudErrorKind::RegionUnavailable { .. }
        )
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
                CloudError::validation("DeleteStack", "protected"),
                "DeleteStack: protected",
            ),
            (
                CloudError::access_denied("DeleteStack", "no"),
                "DeleteStack: access denied: no",
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
}
