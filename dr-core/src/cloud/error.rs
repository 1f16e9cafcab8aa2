//! The errors of the port: a kind callers match on, the API call, and what the service said.

use serde::{Deserialize, Serialize};

use crate::region::Region;

/// Why a `Cloud` operation failed. Callers match on the kind; `operation` names the API call
/// (e.g. `CreateChangeSet`) and `message` is what the service said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum CloudError {
    /// The named thing does not exist (a stack, change set, cluster, health check, parameter…).
    #[error("{operation}: {resource} not found: {message}")]
    NotFound {
        /// The API call.
        operation: String,
        /// What was looked for, e.g. `stack shop-primary`.
        resource: String,
        /// What the service said.
        message: String,
    },
    /// The service throttled the call (the SDK's retries were exhausted).
    #[error("{operation}: throttled: {message}")]
    Throttled {
        /// The API call.
        operation: String,
        /// What the service said.
        message: String,
    },
    /// The target is in a state that does not allow the call (e.g. `InvalidDBClusterStateFault`,
    /// `InvalidGlobalClusterStateFault`, a stack operation already in progress).
    #[error("{operation}: invalid state: {message}")]
    InvalidState {
        /// The API call.
        operation: String,
        /// What the service said.
        message: String,
    },
    /// The Region's endpoint cannot be reached (an outage, or a simulated one).
    #[error("{operation}: Region {region} is unavailable: {message}")]
    RegionUnavailable {
        /// The Region.
        region: Region,
        /// The API call.
        operation: String,
        /// What failed.
        message: String,
    },
    /// CloudFormation's `ValidationError` and other rejected input: "No updates are to be
    /// performed.", "Stack … is in ROLLBACK_COMPLETE state and can not be updated.", a bad
    /// template, termination protection on `DeleteStack`.
    #[error("{operation}: {message}")]
    Validation {
        /// The API call.
        operation: String,
        /// What the service said.
        message: String,
    },
    /// The credentials may not make the call.
    #[error("{operation}: access denied: {message}")]
    AccessDenied {
        /// The API call.
        operation: String,
        /// What the service said.
        message: String,
    },
    /// Anything else: a service error (e.g. HTTP 500 from an emulator), a transport error, an
    /// operation a backend does not implement.
    #[error("{operation}: {message}")]
    Other {
        /// The API call.
        operation: String,
        /// What happened.
        message: String,
    },
}

impl CloudError {
    /// A [`CloudError::NotFound`].
    pub fn not_found(
        operation: &str,
        resource: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        CloudError::NotFound {
            operation: operation.into(),
            resource: resource.into(),
            message: message.into(),
        }
    }
    /// A [`CloudError::Validation`].
    pub fn validation(operation: &str, message: impl Into<String>) -> Self {
        CloudError::Validation {
            operation: operation.into(),
            message: message.into(),
        }
    }
    /// A [`CloudError::InvalidState`].
    pub fn invalid_state(operation: &str, message: impl Into<String>) -> Self {
        CloudError::InvalidState {
            operation: operation.into(),
            message: message.into(),
        }
    }
    /// A [`CloudError::Other`].
    pub fn other(operation: &str, message: impl Into<String>) -> Self {
        CloudError::Other {
            operation: operation.into(),
            message: message.into(),
        }
    }
    /// A [`CloudError::Other`] saying the backend does not implement `operation` (yet).
    pub fn not_implemented(operation: &str) -> Self {
        CloudError::other(operation, "not yet implemented by this backend")
    }

    /// The API call that failed.
    pub fn operation(&self) -> &str {
        match self {
            CloudError::NotFound { operation, .. }
            | CloudError::Throttled { operation, .. }
            | CloudError::InvalidState { operation, .. }
            | CloudError::RegionUnavailable { operation, .. }
            | CloudError::Validation { operation, .. }
            | CloudError::AccessDenied { operation, .. }
            | CloudError::Other { operation, .. } => operation,
        }
    }
    /// What the service said.
    pub fn message(&self) -> &str {
        match self {
            CloudError::NotFound { message, .. }
            | CloudError::Throttled { message, .. }
            | CloudError::InvalidState { message, .. }
            | CloudError::RegionUnavailable { message, .. }
            | CloudError::Validation { message, .. }
            | CloudError::AccessDenied { message, .. }
            | CloudError::Other { message, .. } => message,
        }
    }
    /// Whether CloudFormation said there is nothing to change: `UpdateStack`'s "No updates are
    /// to be performed." or a change set's "The submitted information didn't contain changes."
    /// (AWS-FACTS.md §4).
    pub fn is_no_changes(&self) -> bool {
        is_no_changes_reason(self.message())
    }
    /// Whether trying again later can help (throttling, an unreachable Region).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            CloudError::Throttled { .. } | CloudError::RegionUnavailable { .. }
        )
    }
}

/// Whether a CloudFormation status reason or error message means "nothing to change"
/// (AWS-FACTS.md §4: "The submitted information didn't contain changes…" or "No updates are to
/// be performed.").
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
}
