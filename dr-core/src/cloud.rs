//! The `Cloud` port: the AWS operations drkit's deploy engine and DR runtime need, in drkit's
//! own types, so that neither the engine nor the runtime knows whether it talks to AWS (the SDK
//! backend), an emulator, or the embedded simulator.
//!
//! Every operation takes the [`Region`] it is sent to. Pagination is the backend's job: list
//! operations return everything. Statuses are enums that keep values this version does not know
//! (`Other(String)`), because AWS adds statuses over time and a deploy must not fail on a new one.
//!
//! Semantics follow the AWS API references (AWS-FACTS.md §1, §2, §3, §4):
//! - CloudFormation: [API reference](https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/),
//!   stack statuses from [Stack status codes](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-describing-stacks.html),
//!   change sets from [ChangeSetSummary](https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ChangeSetSummary.html)
//!   and [ResourceChange](https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html).
//! - RDS: [GlobalCluster](https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalCluster.html),
//!   [GlobalClusterMember](https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html),
//!   [FailoverState](https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html).
//! - Route 53: [UpdateHealthCheck](https://docs.aws.amazon.com/Route53/latest/APIReference/API_UpdateHealthCheck.html),
//!   [GetHealthCheckStatus](https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHealthCheckStatus.html),
//!   [GetChange](https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html).
//! - ELBv2: [TargetHealth](https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html).

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::region::Region;

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/// A point in time, in milliseconds since the Unix epoch (UTC).
///
/// Backends give the times AWS reports (event times, change times); the simulator gives virtual
/// times. Millisecond precision is what CloudFormation event timestamps carry.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The epoch.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// From milliseconds since the epoch.
    pub fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }
    /// Milliseconds since the epoch.
    pub fn millis(self) -> i64 {
        self.0
    }
    /// The current wall-clock time (what a real backend's clock returns).
    pub fn now_utc() -> Self {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
    /// This time plus `d`.
    pub fn plus(self, d: Duration) -> Self {
        Timestamp(
            self.0
                .saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        )
    }
    /// How long after `earlier` this is (zero if it is not later).
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0))
    }
}

impl fmt::Display for Timestamp {
    /// ISO 8601 in UTC with milliseconds, as the AWS APIs print times: `2026-11-25T23:10:00.000Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.rem_euclid(1000);
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        // Civil date from days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
            sod / 3600,
            sod % 3600 / 60,
            sod % 60
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// String enums that keep unknown values
// ---------------------------------------------------------------------------------------------

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $s:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this version of drkit does not know, kept as AWS sent it.
            Other(String),
        }

        impl $name {
            /// The value as the AWS API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $s,)*
                    $name::Other(s) => s,
                }
            }
            /// Parses the AWS spelling; unknown values become `Other`.
            pub fn from_aws(s: &str) -> Self {
                match s {
                    $($s => $name::$variant,)*
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name::from_aws(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok($name::from_aws(&String::deserialize(d)?))
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// CloudFormation
// ---------------------------------------------------------------------------------------------

string_enum! {
    /// A stack's status ([Stack status codes](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-describing-stacks.html)).
    StackStatus {
        /// Creating.
        CreateInProgress => "CREATE_IN_PROGRESS",
        /// Creation failed and rollback is disabled.
        CreateFailed => "CREATE_FAILED",
        /// Created.
        CreateComplete => "CREATE_COMPLETE",
        /// A failed create is being rolled back.
        RollbackInProgress => "ROLLBACK_IN_PROGRESS",
        /// Rolling back a failed create failed.
        RollbackFailed => "ROLLBACK_FAILED",
        /// A failed create was rolled back; the stack can only be deleted.
        RollbackComplete => "ROLLBACK_COMPLETE",
        /// Deleting.
        DeleteInProgress => "DELETE_IN_PROGRESS",
        /// Deletion failed.
        DeleteFailed => "DELETE_FAILED",
        /// Deleted.
        DeleteComplete => "DELETE_COMPLETE",
        /// Updating.
        UpdateInProgress => "UPDATE_IN_PROGRESS",
        /// Updated; old resources are being removed.
        UpdateCompleteCleanupInProgress => "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        /// Updated.
        UpdateComplete => "UPDATE_COMPLETE",
        /// Update failed and rollback is disabled.
        UpdateFailed => "UPDATE_FAILED",
        /// A failed update is being rolled back.
        UpdateRollbackInProgress => "UPDATE_ROLLBACK_IN_PROGRESS",
        /// Rolling back a failed update failed (continue the rollback or delete).
        UpdateRollbackFailed => "UPDATE_ROLLBACK_FAILED",
        /// Rolled back; new resources are being removed.
        UpdateRollbackCompleteCleanupInProgress => "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        /// A failed update was rolled back; the stack is usable.
        UpdateRollbackComplete => "UPDATE_ROLLBACK_COMPLETE",
        /// Created by a CREATE change set that has not been executed: a stack id, no resources.
        ReviewInProgress => "REVIEW_IN_PROGRESS",
        /// Importing resources.
        ImportInProgress => "IMPORT_IN_PROGRESS",
        /// Imported.
        ImportComplete => "IMPORT_COMPLETE",
        /// A failed import is being rolled back.
        ImportRollbackInProgress => "IMPORT_ROLLBACK_IN_PROGRESS",
        /// Rolling back an import failed.
        ImportRollbackFailed => "IMPORT_ROLLBACK_FAILED",
        /// A failed import was rolled back.
        ImportRollbackComplete => "IMPORT_ROLLBACK_COMPLETE",
    }
}

impl StackStatus {
    /// Settled: polling stops. Everything not ending in `_IN_PROGRESS`, plus
    /// `REVIEW_IN_PROGRESS`, which is a resting state (AWS-FACTS.md §4).
    pub fn is_terminal(&self) -> bool {
        *self == StackStatus::ReviewInProgress || !self.as_str().ends_with("_IN_PROGRESS")
    }
    /// The last operation did not do what was asked: any `*_FAILED`, or a completed rollback
    /// (`ROLLBACK_COMPLETE`, `UPDATE_ROLLBACK_COMPLETE`, `IMPORT_ROLLBACK_COMPLETE`).
    pub fn is_failed(&self) -> bool {
        let s = self.as_str();
        s.ends_with("_FAILED") || (s.ends_with("ROLLBACK_COMPLETE") && !s.contains("CLEANUP"))
    }
    /// A rollback is running or has ended (any status containing `ROLLBACK`).
    pub fn is_rollback(&self) -> bool {
        self.as_str().contains("ROLLBACK")
    }
    /// A settled success: `CREATE_COMPLETE`, `UPDATE_COMPLETE`, `IMPORT_COMPLETE`.
    pub fn is_success(&self) -> bool {
        matches!(
            self,
            StackStatus::CreateComplete | StackStatus::UpdateComplete | StackStatus::ImportComplete
        )
    }
    /// Whether an UPDATE change set can be created on a stack in this status. `ROLLBACK_COMPLETE`,
    /// `ROLLBACK_FAILED` and `DELETE_FAILED` allow only deletion; `REVIEW_IN_PROGRESS` takes only
    /// another CREATE change set.
    pub fn is_updatable(&self) -> bool {
        self.is_terminal()
            && !matches!(
                self,
                StackStatus::RollbackComplete
                    | StackStatus::RollbackFailed
                    | StackStatus::DeleteFailed
                    | StackStatus::DeleteComplete
                    | StackStatus::ReviewInProgress
                    | StackStatus::CreateFailed
                    | StackStatus::UpdateRollbackFailed
            )
    }
}

string_enum! {
    /// A resource's status in stack events and stack resources. Stack-level events (resource
    /// type `AWS::CloudFormation::Stack`) carry the stack statuses, so those are here too.
    ResourceStatus {
        /// Being created.
        CreateInProgress => "CREATE_IN_PROGRESS",
        /// Creation failed.
        CreateFailed => "CREATE_FAILED",
        /// Created.
        CreateComplete => "CREATE_COMPLETE",
        /// Being deleted.
        DeleteInProgress => "DELETE_IN_PROGRESS",
        /// Deletion failed.
        DeleteFailed => "DELETE_FAILED",
        /// Deleted.
        DeleteComplete => "DELETE_COMPLETE",
        /// Kept (DeletionPolicy Retain).
        DeleteSkipped => "DELETE_SKIPPED",
        /// Being updated.
        UpdateInProgress => "UPDATE_IN_PROGRESS",
        /// Update failed.
        UpdateFailed => "UPDATE_FAILED",
        /// Updated.
        UpdateComplete => "UPDATE_COMPLETE",
        /// Being imported.
        ImportInProgress => "IMPORT_IN_PROGRESS",
        /// Import failed.
        ImportFailed => "IMPORT_FAILED",
        /// Imported.
        ImportComplete => "IMPORT_COMPLETE",
        /// Stack level: a failed create is being rolled back.
        RollbackInProgress => "ROLLBACK_IN_PROGRESS",
        /// Stack level: rollback failed.
        RollbackFailed => "ROLLBACK_FAILED",
        /// Stack level: a failed create was rolled back.
        RollbackComplete => "ROLLBACK_COMPLETE",
        /// Stack level: updated, cleaning up.
        UpdateCompleteCleanupInProgress => "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        /// A failed update is being rolled back.
        UpdateRollbackInProgress => "UPDATE_ROLLBACK_IN_PROGRESS",
        /// Rolling back an update failed.
        UpdateRollbackFailed => "UPDATE_ROLLBACK_FAILED",
        /// Stack level: rolled back, cleaning up.
        UpdateRollbackCompleteCleanupInProgress => "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        /// A failed update was rolled back.
        UpdateRollbackComplete => "UPDATE_ROLLBACK_COMPLETE",
        /// Stack level: created by a CREATE change set, not executed.
        ReviewInProgress => "REVIEW_IN_PROGRESS",
    }
}

impl ResourceStatus {
    /// A `*_FAILED` status.
    pub fn is_failed(&self) -> bool {
        self.as_str().ends_with("_FAILED")
    }
    /// A `*_COMPLETE` or `DELETE_SKIPPED` status (the resource's operation is finished).
    pub fn is_complete(&self) -> bool {
        self.as_str().ends_with("_COMPLETE") || *self == ResourceStatus::DeleteSkipped
    }
    /// A `*_IN_PROGRESS` status.
    pub fn is_in_progress(&self) -> bool {
        self.as_str().ends_with("_IN_PROGRESS")
    }
}

string_enum! {
    /// A change set's `Status`.
    ChangeSetStatus {
        /// Queued.
        CreatePending => "CREATE_PENDING",
        /// Being computed.
        CreateInProgress => "CREATE_IN_PROGRESS",
        /// Computed.
        CreateComplete => "CREATE_COMPLETE",
        /// Deletion queued.
        DeletePending => "DELETE_PENDING",
        /// Being deleted.
        DeleteInProgress => "DELETE_IN_PROGRESS",
        /// Deleted.
        DeleteComplete => "DELETE_COMPLETE",
        /// Deletion failed.
        DeleteFailed => "DELETE_FAILED",
        /// Could not be computed; includes "didn't contain changes".
        Failed => "FAILED",
    }
}

impl ChangeSetStatus {
    /// Computation has ended (complete or failed).
    pub fn is_terminal(&self) -> bool {
        !matches!(
            self,
            ChangeSetStatus::CreatePending | ChangeSetStatus::CreateInProgress
        )
    }
}

string_enum! {
    /// A change set's `ExecutionStatus`.
    ExecutionStatus {
        /// Cannot be executed (still computing, or failed).
        Unavailable => "UNAVAILABLE",
        /// Ready to execute.
        Available => "AVAILABLE",
        /// Executing.
        ExecuteInProgress => "EXECUTE_IN_PROGRESS",
        /// Executed.
        ExecuteComplete => "EXECUTE_COMPLETE",
        /// Execution failed.
        ExecuteFailed => "EXECUTE_FAILED",
        /// Superseded (the stack changed since it was computed).
        Obsolete => "OBSOLETE",
    }
}

/// `ChangeSetType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChangeSetType {
    /// For a stack that does not exist yet (it appears as `REVIEW_IN_PROGRESS`).
    #[serde(rename = "CREATE")]
    Create,
    /// For an existing stack.
    #[serde(rename = "UPDATE")]
    Update,
}

impl ChangeSetType {
    /// `CREATE` or `UPDATE`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeSetType::Create => "CREATE",
            ChangeSetType::Update => "UPDATE",
        }
    }
}

/// An acknowledged capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Capability {
    /// `CAPABILITY_IAM`: the template creates IAM resources.
    #[serde(rename = "CAPABILITY_IAM")]
    Iam,
    /// `CAPABILITY_NAMED_IAM`: the template creates named IAM resources.
    #[serde(rename = "CAPABILITY_NAMED_IAM")]
    NamedIam,
}

impl Capability {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Iam => "CAPABILITY_IAM",
            Capability::NamedIam => "CAPABILITY_NAMED_IAM",
        }
    }
}

/// A key/value tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tag {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

/// A stack output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackOutput {
    /// The output's logical id (`OutputKey`).
    pub key: String,
    /// Its value.
    pub value: String,
    /// Its description.
    pub description: Option<String>,
    /// Its export name, when exported.
    pub export_name: Option<String>,
}

/// A parameter of a deployed stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackParameter {
    /// The parameter's logical id (`ParameterKey`).
    pub key: String,
    /// The value given (for an SSM-typed parameter, the parameter *name*).
    pub value: String,
    /// For `AWS::SSM::Parameter::Value<…>` parameters, the value CloudFormation resolved at the
    /// last deploy (`ResolvedValue`); `None` otherwise.
    pub resolved_value: Option<String>,
}

/// A parameter passed to `CreateChangeSet`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParameterValue {
    /// The parameter's logical id.
    pub key: String,
    /// The value.
    pub value: String,
}

/// What `DescribeStacks` says about one stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackDescription {
    /// The stack id (an ARN).
    pub stack_id: String,
    /// The stack name.
    pub stack_name: String,
    /// The status.
    pub status: StackStatus,
    /// Why it is in that status, when CloudFormation says.
    pub status_reason: Option<String>,
    /// The outputs (none until the stack has been created).
    pub outputs: Vec<StackOutput>,
    /// The parameters, with resolved SSM values.
    pub parameters: Vec<StackParameter>,
    /// `EnableTerminationProtection`.
    pub termination_protection: bool,
    /// The acknowledged capabilities.
    pub capabilities: Vec<Capability>,
    /// The tags.
    pub tags: Vec<Tag>,
    /// When the stack was created.
    pub creation_time: Option<Timestamp>,
    /// When it was last updated.
    pub last_updated_time: Option<Timestamp>,
}

impl StackDescription {
    /// The value of output `key`.
    pub fn output(&self, key: &str) -> Option<&str> {
        self.outputs
            .iter()
            .find(|o| o.key == key)
            .map(|o| o.value.as_str())
    }
    /// The deployed parameter `key`.
    pub fn parameter(&self, key: &str) -> Option<&StackParameter> {
        self.parameters.iter().find(|p| p.key == key)
    }
}

/// The template of a change set: inline, or an S3 URL for bodies over 51,200 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TemplateSource {
    /// `TemplateBody`.
    Body(String),
    /// `TemplateURL` (an object URL returned by [`Cloud::put_object`]).
    Url(String),
}

/// `CreateChangeSet`'s input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateChangeSetInput {
    /// The stack.
    pub stack_name: String,
    /// The change set's name (unique per stack).
    pub change_set_name: String,
    /// CREATE for a new stack, UPDATE otherwise.
    pub change_set_type: ChangeSetType,
    /// The template.
    pub template: TemplateSource,
    /// Parameter values.
    pub parameters: Vec<ParameterValue>,
    /// Acknowledged capabilities.
    pub capabilities: Vec<Capability>,
    /// Stack tags.
    pub tags: Vec<Tag>,
    /// The change set's description.
    pub description: Option<String>,
}

/// What `CreateChangeSet` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSetRef {
    /// The change set id (an ARN).
    pub id: String,
    /// The stack id (an ARN); for CREATE the stack now exists as `REVIEW_IN_PROGRESS`.
    pub stack_id: String,
}

string_enum! {
    /// `ResourceChange.Action`.
    ChangeAction {
        /// A new resource.
        Add => "Add",
        /// A changed resource.
        Modify => "Modify",
        /// A resource to delete.
        Remove => "Remove",
        /// A resource to import.
        Import => "Import",
        /// Decided at execution time.
        Dynamic => "Dynamic",
    }
}

string_enum! {
    /// `ResourceChange.Replacement`.
    Replacement {
        /// Replaced.
        True => "True",
        /// Modified in place.
        False => "False",
        /// Maybe replaced, depending on a value known only at execution: count it as replaced.
        Conditional => "Conditional",
    }
}

string_enum! {
    /// `ResourceChange.Scope` entries and `ResourceTargetDefinition.Attribute`.
    ResourceAttribute {
        /// `Properties`.
        Properties => "Properties",
        /// `Metadata`.
        Metadata => "Metadata",
        /// `CreationPolicy`.
        CreationPolicy => "CreationPolicy",
        /// `UpdatePolicy`.
        UpdatePolicy => "UpdatePolicy",
        /// `DeletionPolicy`.
        DeletionPolicy => "DeletionPolicy",
        /// `UpdateReplacePolicy`.
        UpdateReplacePolicy => "UpdateReplacePolicy",
        /// `Tags`.
        Tags => "Tags",
    }
}

string_enum! {
    /// `ResourceTargetDefinition.RequiresRecreation`.
    RequiresRecreation {
        /// Updated in place.
        Never => "Never",
        /// Replaced depending on another value.
        Conditionally => "Conditionally",
        /// Replaced.
        Always => "Always",
    }
}

string_enum! {
    /// `ResourceChangeDetail.ChangeSource`.
    ChangeSource {
        /// A `Ref`/`GetAtt` to another resource changed.
        ResourceReference => "ResourceReference",
        /// A parameter value changed.
        ParameterReference => "ParameterReference",
        /// A `GetAtt` value changed.
        ResourceAttribute => "ResourceAttribute",
        /// The template changed.
        DirectModification => "DirectModification",
        /// A nested stack changed.
        Automatic => "Automatic",
    }
}

string_enum! {
    /// `ResourceChangeDetail.Evaluation`.
    Evaluation {
        /// Known when the change set was computed.
        Static => "Static",
        /// Decided at execution.
        Dynamic => "Dynamic",
    }
}

/// One `ResourceChangeDetail`: what part of the resource changes and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceChangeDetail {
    /// The attribute changed (`Target.Attribute`).
    pub attribute: ResourceAttribute,
    /// The property name when `attribute` is `Properties` (`Target.Name`).
    pub name: Option<String>,
    /// Whether changing it recreates the resource (`Target.RequiresRecreation`).
    pub requires_recreation: Option<RequiresRecreation>,
    /// Static or dynamic evaluation.
    pub evaluation: Option<Evaluation>,
    /// What caused the change.
    pub change_source: Option<ChangeSource>,
    /// The parameter, resource or attribute that caused it (`CausingEntity`).
    pub causing_entity: Option<String>,
}

/// One `ResourceChange` of a change set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceChange {
    /// What happens to the resource.
    pub action: ChangeAction,
    /// Its logical id.
    pub logical_id: String,
    /// Its physical id, when it exists.
    pub physical_id: Option<String>,
    /// Its type, e.g. `AWS::RDS::DBCluster`.
    pub resource_type: String,
    /// For `Modify`: whether it is replaced.
    pub replacement: Option<Replacement>,
    /// Which attributes change.
    pub scope: Vec<ResourceAttribute>,
    /// The individual changes.
    pub details: Vec<ResourceChangeDetail>,
}

impl ResourceChange {
    /// Replaced or maybe replaced (`True` or `Conditional`).
    pub fn is_replacement(&self) -> bool {
        matches!(
            self.replacement,
            Some(Replacement::True | Replacement::Conditional)
        )
    }
    /// The property names whose change forces replacement (`RequiresRecreation` of `Always` or
    /// `Conditionally`), in order, without duplicates.
    pub fn replacing_properties(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for d in &self.details {
            if matches!(
                d.requires_recreation,
                Some(RequiresRecreation::Always | RequiresRecreation::Conditionally)
            ) && let Some(n) = &d.name
                && !out.contains(n)
            {
                out.push(n.clone());
            }
        }
        out
    }
}

/// What `DescribeChangeSet` returns (all pages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSetDescription {
    /// The change set id (an ARN).
    pub change_set_id: String,
    /// Its name.
    pub change_set_name: String,
    /// The stack id.
    pub stack_id: String,
    /// The stack name.
    pub stack_name: String,
    /// Computation status.
    pub status: ChangeSetStatus,
    /// Whether it can be executed.
    pub execution_status: ExecutionStatus,
    /// Why it failed, e.g. "The submitted information didn't contain changes…".
    pub status_reason: Option<String>,
    /// The resource changes.
    pub changes: Vec<ResourceChange>,
    /// The parameters it was created with.
    pub parameters: Vec<ParameterValue>,
    /// When it was created.
    pub creation_time: Option<Timestamp>,
}

impl ChangeSetDescription {
    /// Failed because there is nothing to change.
    pub fn is_empty_change(&self) -> bool {
        self.status == ChangeSetStatus::Failed
            && self
                .status_reason
                .as_deref()
                .is_some_and(is_no_changes_reason)
    }
}

/// One stack event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackEvent {
    /// Unique event id.
    pub event_id: String,
    /// The stack id.
    pub stack_id: String,
    /// The stack name.
    pub stack_name: String,
    /// The resource's logical id (the stack name for stack-level events).
    pub logical_id: String,
    /// The physical id, once known.
    pub physical_id: Option<String>,
    /// The type (`AWS::CloudFormation::Stack` for stack-level events).
    pub resource_type: String,
    /// When.
    pub timestamp: Timestamp,
    /// The status reached.
    pub status: ResourceStatus,
    /// Why, when CloudFormation says ("User Initiated", "Resource creation Initiated", an error…).
    pub status_reason: Option<String>,
    /// `DetailedStatus` (`CONFIGURATION_COMPLETE`, `VALIDATION_FAILED`).
    pub detailed_status: Option<String>,
}

impl StackEvent {
    /// The resource type of stack-level events.
    pub const STACK_TYPE: &'static str = "AWS::CloudFormation::Stack";

    /// An event of the stack itself rather than one of its resources.
    pub fn is_stack_event(&self) -> bool {
        self.resource_type == Self::STACK_TYPE && self.logical_id == self.stack_name
    }
}

/// One entry of `DescribeStackResources`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackResource {
    /// The logical id.
    pub logical_id: String,
    /// The physical id (`None` if not created).
    pub physical_id: Option<String>,
    /// The type.
    pub resource_type: String,
    /// The status.
    pub status: ResourceStatus,
    /// Why, when CloudFormation says.
    pub status_reason: Option<String>,
    /// Last change.
    pub timestamp: Timestamp,
}

// ---------------------------------------------------------------------------------------------
// RDS
// ---------------------------------------------------------------------------------------------

string_enum! {
    /// `GlobalClusterMember.SynchronizationStatus`.
    SynchronizationStatus {
        /// Replicating.
        Connected => "connected",
        /// Being resynchronized (meaning not documented: AWS-FACTS.md §1.2).
        PendingResync => "pending-resync",
    }
}

string_enum! {
    /// `FailoverState.Status`. `switching-over` is documented but missing from the SDK enums
    /// (AWS-FACTS.md §1.2); here it is a known value.
    FailoverStatus {
        /// Scheduled.
        Pending => "pending",
        /// Unplanned failover running.
        FailingOver => "failing-over",
        /// Switchover running.
        SwitchingOver => "switching-over",
        /// Being cancelled.
        Cancelling => "cancelling",
    }
}

/// `GlobalCluster.FailoverState`: present only while a switchover or failover is scheduled or
/// running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailoverState {
    /// The state.
    pub status: FailoverStatus,
    /// The cluster being demoted.
    pub from_db_cluster_arn: Option<String>,
    /// The cluster being promoted.
    pub to_db_cluster_arn: Option<String>,
    /// True for a failover with `AllowDataLoss`, false for a switchover.
    pub is_data_loss_allowed: bool,
}

/// A member of a global cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalClusterMember {
    /// The member cluster's ARN (it carries its Region).
    pub db_cluster_arn: String,
    /// The one read-write member.
    pub is_writer: bool,
    /// On the writer: the ARNs of the secondaries.
    pub readers: Vec<String>,
    /// Replication state of a secondary.
    pub synchronization_status: Option<SynchronizationStatus>,
}

/// What `DescribeGlobalClusters` says about one global cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalCluster {
    /// `GlobalClusterIdentifier`.
    pub identifier: String,
    /// Its ARN (no Region: `arn:aws:rds::<acct>:global-cluster:<id>`).
    pub arn: String,
    /// A free string (`available`, `switching-over`, `failing-over`, …): no API enum.
    pub status: String,
    /// The engine.
    pub engine: Option<String>,
    /// The engine version.
    pub engine_version: Option<String>,
    /// The global writer endpoint (`Endpoint`): follows the writer across switchover/failover.
    pub endpoint: Option<String>,
    /// The members.
    pub members: Vec<GlobalClusterMember>,
    /// Set while a switchover or failover is scheduled or running.
    pub failover_state: Option<FailoverState>,
    /// `DeletionProtection`.
    pub deletion_protection: bool,
}

impl GlobalCluster {
    /// The writer member.
    pub fn writer(&self) -> Option<&GlobalClusterMember> {
        self.members.iter().find(|m| m.is_writer)
    }
}

/// An instance of a DB cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbClusterMember {
    /// `DBInstanceIdentifier`.
    pub instance_identifier: String,
    /// The writer instance.
    pub is_writer: bool,
}

/// What `DescribeDBClusters` says about one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbCluster {
    /// `DBClusterIdentifier`.
    pub identifier: String,
    /// Its ARN.
    pub arn: String,
    /// `Status` (`available`, `creating`, …).
    pub status: String,
    /// The engine.
    pub engine: String,
    /// The engine version.
    pub engine_version: String,
    /// The cluster (writer) endpoint.
    pub endpoint: Option<String>,
    /// The reader endpoint.
    pub reader_endpoint: Option<String>,
    /// The global cluster it belongs to, if any.
    pub global_cluster_identifier: Option<String>,
    /// `DeletionProtection`.
    pub deletion_protection: bool,
    /// Its instances.
    pub members: Vec<DbClusterMember>,
}

// ---------------------------------------------------------------------------------------------
// CloudWatch
// ---------------------------------------------------------------------------------------------

/// A metric dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dimension {
    /// The name, e.g. `DBClusterIdentifier`.
    pub name: String,
    /// The value.
    pub value: String,
}

string_enum! {
    /// A CloudWatch statistic.
    Statistic {
        /// Average.
        Average => "Average",
        /// Maximum.
        Maximum => "Maximum",
        /// Minimum.
        Minimum => "Minimum",
        /// Sum.
        Sum => "Sum",
        /// Sample count.
        SampleCount => "SampleCount",
    }
}

/// `GetMetricStatistics`' input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricQuery {
    /// e.g. `AWS/RDS`.
    pub namespace: String,
    /// e.g. `AuroraGlobalDBRPOLag`.
    pub metric_name: String,
    /// The exact dimension set.
    pub dimensions: Vec<Dimension>,
    /// Start (inclusive).
    pub start: Timestamp,
    /// End (exclusive).
    pub end: Timestamp,
    /// The period, in seconds (a multiple of 60, or 1/5/10/30 for high resolution).
    pub period_seconds: u32,
    /// The statistic.
    pub statistic: Statistic,
}

/// A data point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Datapoint {
    /// Start of its period.
    pub timestamp: Timestamp,
    /// The statistic's value.
    pub value: f64,
    /// The unit, e.g. `Milliseconds`.
    pub unit: Option<String>,
}

/// A value to publish with `PutMetricData`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricDatum {
    /// The metric.
    pub metric_name: String,
    /// Its dimensions.
    pub dimensions: Vec<Dimension>,
    /// The value.
    pub value: f64,
    /// The unit, e.g. `Count`, `None`.
    pub unit: Option<String>,
    /// When; `None` = now.
    pub timestamp: Option<Timestamp>,
}

// ---------------------------------------------------------------------------------------------
// ELBv2
// ---------------------------------------------------------------------------------------------

string_enum! {
    /// `TargetHealth.State` (AWS-FACTS.md §3).
    TargetHealthState {
        /// Registering or first checks running.
        Initial => "initial",
        /// Passing.
        Healthy => "healthy",
        /// Failing.
        Unhealthy => "unhealthy",
        /// Failing and draining.
        UnhealthyDraining => "unhealthy.draining",
        /// Not in use.
        Unused => "unused",
        /// Deregistering.
        Draining => "draining",
        /// Health checks disabled.
        Unavailable => "unavailable",
    }
}

/// One target's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetHealth {
    /// The target (instance id or IP).
    pub target_id: String,
    /// Its port.
    pub port: Option<u16>,
    /// The state.
    pub state: TargetHealthState,
    /// The reason code, e.g. `Target.FailedHealthChecks`.
    pub reason: Option<String>,
    /// A description.
    pub description: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Route 53
// ---------------------------------------------------------------------------------------------

/// One checker's last observation (`GetHealthCheckStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckObservation {
    /// The checker's Region.
    pub checker_region: String,
    /// The checker's IP.
    pub ip_address: Option<String>,
    /// The status text, e.g. "Success: HTTP Status Code 200, OK" or "Failure: …".
    pub status: String,
    /// When it checked.
    pub checked_at: Option<Timestamp>,
}

impl HealthCheckObservation {
    /// The checker saw the endpoint healthy.
    pub fn is_success(&self) -> bool {
        self.status.starts_with("Success")
    }
}

/// `GetHealthCheckStatus`' answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckStatus {
    /// The health check.
    pub health_check_id: String,
    /// The checkers' observations.
    pub observations: Vec<HealthCheckObservation>,
}

impl HealthCheckStatus {
    /// Route 53 counts a check healthy when more than 18 % of checkers report it healthy
    /// (AWS-FACTS.md §2). With no observations, `None`.
    pub fn is_healthy(&self) -> Option<bool> {
        if self.observations.is_empty() {
            return None;
        }
        let ok = self.observations.iter().filter(|o| o.is_success()).count();
        Some(ok * 100 > self.observations.len() * 18)
    }
}

/// A health check's configuration (`GetHealthCheck`), the parts the runtime reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheck {
    /// The id.
    pub id: String,
    /// The type (`HTTP`, `CLOUDWATCH_METRIC`, …).
    pub check_type: String,
    /// `Inverted`.
    pub inverted: bool,
    /// `Disabled` (a disabled check always reports healthy).
    pub disabled: bool,
    /// `HealthCheckVersion`, for guarded updates.
    pub version: i64,
}

/// `UpdateHealthCheck`'s input: only what the runtime changes. `None` = leave as is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HealthCheckUpdate {
    /// Set `Inverted`.
    pub inverted: Option<bool>,
    /// Set `Disabled`.
    pub disabled: Option<bool>,
    /// Fail with `HealthCheckVersionMismatch` (an `InvalidState`) unless the version is this.
    pub expected_version: Option<i64>,
}

string_enum! {
    /// A failover record's role.
    FailoverRole {
        /// `PRIMARY`.
        Primary => "PRIMARY",
        /// `SECONDARY`.
        Secondary => "SECONDARY",
    }
}

/// An alias target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasTarget {
    /// The target's hosted zone id (for an ALB, the Region's canonical id).
    pub hosted_zone_id: String,
    /// The target's DNS name.
    pub dns_name: String,
    /// `EvaluateTargetHealth`.
    pub evaluate_target_health: bool,
}

/// A resource record set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRecordSet {
    /// The name, fully qualified with the trailing dot as Route 53 returns it.
    pub name: String,
    /// `A`, `AAAA`, `CNAME`, …
    pub record_type: String,
    /// `SetIdentifier` of a routing-policy record.
    pub set_identifier: Option<String>,
    /// Failover role.
    pub failover: Option<FailoverRole>,
    /// TTL (none for aliases).
    pub ttl: Option<u32>,
    /// The values (none for aliases).
    pub records: Vec<String>,
    /// The alias target.
    pub alias_target: Option<AliasTarget>,
    /// The health check.
    pub health_check_id: Option<String>,
}

string_enum! {
    /// A `ChangeResourceRecordSets` action.
    RecordChangeAction {
        /// Create (fails if it exists).
        Create => "CREATE",
        /// Delete (must match exactly).
        Delete => "DELETE",
        /// Create or replace.
        Upsert => "UPSERT",
    }
}

/// One change of a `ChangeResourceRecordSets` batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordChange {
    /// What to do.
    pub action: RecordChangeAction,
    /// The record.
    pub record_set: ResourceRecordSet,
}

string_enum! {
    /// A Route 53 change's status.
    ChangeStatus {
        /// Not yet on every name server.
        Pending => "PENDING",
        /// On every name server.
        InSync => "INSYNC",
    }
}

/// `ChangeInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeInfo {
    /// The change id.
    pub id: String,
    /// Its status.
    pub status: ChangeStatus,
    /// When it was submitted.
    pub submitted_at: Timestamp,
}

// ---------------------------------------------------------------------------------------------
// SSM, STS, S3
// ---------------------------------------------------------------------------------------------

/// An SSM parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsmParameter {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
    /// Its version.
    pub version: i64,
}

/// `GetCallerIdentity`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallerIdentity {
    /// The account id.
    pub account: String,
    /// The caller's ARN.
    pub arn: String,
    /// The caller's user id.
    pub user_id: String,
}

// ---------------------------------------------------------------------------------------------
// The port
// ---------------------------------------------------------------------------------------------

/// The AWS operations drkit needs. Implemented by the `aws` backend (the SDK) and the `local`
/// backend (the simulator) in `dr-synth`; consumers hold a `&dyn Cloud` and never ask which.
///
/// Conventions: each operation goes to `region`; Route 53 is a global service whose control
/// plane is in us-east-1, and its operations still take the Region the caller sends from (the
/// SDK backend sends them to the Route 53 endpoint; the simulator uses it for outages).
/// "Does not exist" is `Ok(None)` for the `describe_*` lookups that return `Option`, and
/// [`CloudError::NotFound`] everywhere else.
#[async_trait::async_trait]
pub trait Cloud: Send + Sync {
    // -- Identity and time ---------------------------------------------------------------------

    /// A short label of the backend for reports ("local simulator", "aws (profile prod)").
    /// For labels only: callers must not branch on it.
    fn label(&self) -> String;

    /// The backend's clock: wall time for AWS, virtual time for the simulator.
    fn now(&self) -> Timestamp;

    /// Waits `duration` on the backend's clock: `tokio::time::sleep` for AWS; the simulator
    /// advances virtual time (and the work scheduled in it) instead of waiting.
    async fn sleep(&self, duration: Duration);

    // -- CloudFormation ------------------------------------------------------------------------

    /// `DescribeStacks` for one stack; `None` if there is no such (live) stack.
    async fn describe_stack(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<StackDescription>>;

    /// `CreateChangeSet`. For CREATE the stack appears as `REVIEW_IN_PROGRESS`.
    async fn create_change_set(
        &self,
        region: Region,
        input: CreateChangeSetInput,
    ) -> CloudResult<ChangeSetRef>;

    /// `DescribeChangeSet`, all pages. `change_set` is a name (with `stack_name`) or an id.
    async fn describe_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<ChangeSetDescription>;

    /// `ExecuteChangeSet`. CloudFormation deletes the stack's other change sets.
    async fn execute_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<()>;

    /// `DeleteChangeSet`.
    async fn delete_change_set(
        &self,
        region: Region,
        stack_name: &str,
        change_set: &str,
    ) -> CloudResult<()>;

    /// `DescribeStackEvents`, newest first as AWS returns them, paginated internally. When
    /// `stop_at` names an event id, paging stops there and that event and older ones are left
    /// out, so a caller that polls reads only what is new.
    async fn describe_stack_events(
        &self,
        region: Region,
        stack_name: &str,
        stop_at: Option<&str>,
    ) -> CloudResult<Vec<StackEvent>>;

    /// `DescribeStackResources` (all of them).
    async fn describe_stack_resources(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Vec<StackResource>>;

    /// `GetTemplate` with `TemplateStage=Original`: the body as deployed, byte for byte.
    async fn get_template(&self, region: Region, stack_name: &str) -> CloudResult<String>;

    /// `SetStackPolicy` with `StackPolicyBody`.
    async fn set_stack_policy(
        &self,
        region: Region,
        stack_name: &str,
        policy_body: &str,
    ) -> CloudResult<()>;

    /// `GetStackPolicy`; `None` when the stack has no policy.
    async fn get_stack_policy(
        &self,
        region: Region,
        stack_name: &str,
    ) -> CloudResult<Option<String>>;

    /// `UpdateTerminationProtection`.
    async fn update_termination_protection(
        &self,
        region: Region,
        stack_name: &str,
        enabled: bool,
    ) -> CloudResult<()>;

    /// `DeleteStack` (returns at once; poll `describe_stack` / events for the outcome). Fails
    /// with `Validation` while termination protection is on.
    async fn delete_stack(&self, region: Region, stack_name: &str) -> CloudResult<()>;

    // -- RDS -----------------------------------------------------------------------------------

    /// `DescribeGlobalClusters` for one id; `None` if it does not exist.
    async fn describe_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
    ) -> CloudResult<Option<GlobalCluster>>;

    /// `DescribeDBClusters` for one id; `None` if it does not exist.
    async fn describe_db_cluster(
        &self,
        region: Region,
        db_cluster_id: &str,
    ) -> CloudResult<Option<DbCluster>>;

    /// `DescribeDBClusters`, every cluster of the Region (all pages).
    async fn describe_db_clusters(&self, region: Region) -> CloudResult<Vec<DbCluster>>;

    /// `SwitchoverGlobalCluster` (planned, no data loss). Call it in the current primary's
    /// Region; `target_db_cluster_arn` is the secondary to promote.
    async fn switchover_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        target_db_cluster_arn: &str,
    ) -> CloudResult<GlobalCluster>;

    /// `FailoverGlobalCluster`. With `allow_data_loss` an unplanned failover, called in the
    /// Region of the secondary being promoted (works while the primary Region is down).
    async fn failover_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        target_db_cluster_arn: &str,
        allow_data_loss: bool,
    ) -> CloudResult<GlobalCluster>;

    /// `ModifyDBCluster` with only `DeletionProtection` (applied immediately).
    async fn modify_db_cluster_deletion_protection(
        &self,
        region: Region,
        db_cluster_id: &str,
        enabled: bool,
    ) -> CloudResult<DbCluster>;

    /// `ModifyGlobalCluster` with only `DeletionProtection`: while it is on, the global cluster
    /// cannot be deleted, so CloudFormation fails to delete an `AWS::RDS::GlobalCluster` until
    /// it is lifted. A global cluster is not in one Region: any member's Region serves the call.
    /// `NotFound` for `GlobalClusterNotFoundFault`.
    /// [ModifyGlobalCluster](https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyGlobalCluster.html)
    async fn modify_global_cluster_deletion_protection(
        &self,
        region: Region,
        global_cluster_id: &str,
        enabled: bool,
    ) -> CloudResult<GlobalCluster>;

    /// `RemoveFromGlobalCluster`: detaches `db_cluster_arn` (becomes a standalone cluster).
    async fn remove_from_global_cluster(
        &self,
        region: Region,
        global_cluster_id: &str,
        db_cluster_arn: &str,
    ) -> CloudResult<GlobalCluster>;

    // -- CloudWatch ----------------------------------------------------------------------------

    /// `GetMetricStatistics` for one statistic, data points oldest first.
    async fn get_metric_statistics(
        &self,
        region: Region,
        query: MetricQuery,
    ) -> CloudResult<Vec<Datapoint>>;

    /// `ListMetrics`: the dimension sets under which `metric_name` exists (all pages).
    async fn list_metric_dimensions(
        &self,
        region: Region,
        namespace: &str,
        metric_name: &str,
    ) -> CloudResult<Vec<Vec<Dimension>>>;

    /// `PutMetricData`.
    async fn put_metric_data(
        &self,
        region: Region,
        namespace: &str,
        data: Vec<MetricDatum>,
    ) -> CloudResult<()>;

    // -- ELBv2 ---------------------------------------------------------------------------------

    /// `DescribeTargetHealth` for every target of a target group.
    async fn describe_target_health(
        &self,
        region: Region,
        target_group_arn: &str,
    ) -> CloudResult<Vec<TargetHealth>>;

    // -- Route 53 ------------------------------------------------------------------------------

    /// `GetHealthCheck`.
    async fn get_health_check(
        &self,
        region: Region,
        health_check_id: &str,
    ) -> CloudResult<HealthCheck>;

    /// `GetHealthCheckStatus`.
    async fn get_health_check_status(
        &self,
        region: Region,
        health_check_id: &str,
    ) -> CloudResult<HealthCheckStatus>;

    /// `UpdateHealthCheck` with only `Inverted` / `Disabled` (and the version guard).
    async fn update_health_check(
        &self,
        region: Region,
        health_check_id: &str,
        update: HealthCheckUpdate,
    ) -> CloudResult<HealthCheck>;

    /// `ListResourceRecordSets`, all pages.
    async fn list_resource_record_sets(
        &self,
        region: Region,
        hosted_zone_id: &str,
    ) -> CloudResult<Vec<ResourceRecordSet>>;

    /// `ChangeResourceRecordSets` (one atomic batch).
    async fn change_resource_record_sets(
        &self,
        region: Region,
        hosted_zone_id: &str,
        changes: Vec<RecordChange>,
        comment: Option<String>,
    ) -> CloudResult<ChangeInfo>;

    /// `GetChange`: poll until `INSYNC`.
    async fn get_change(&self, region: Region, change_id: &str) -> CloudResult<ChangeInfo>;

    // -- SSM, STS, S3 --------------------------------------------------------------------------

    /// `GetParameter` (with decryption); `NotFound` for `ParameterNotFound`.
    async fn get_parameter(&self, region: Region, name: &str) -> CloudResult<SsmParameter>;

    /// `GetCallerIdentity`.
    async fn get_caller_identity(&self, region: Region) -> CloudResult<CallerIdentity>;

    /// `PutObject`; returns the object's URL as CloudFormation's `TemplateURL` takes it
    /// (`https://<bucket>.s3.<region>.amazonaws.com/<key>`, or the emulator's equivalent).
    async fn put_object(
        &self,
        region: Region,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> CloudResult<String>;
}

/// The names of the port's operations that change something, as [`Cloud`] method names. A
/// wrapper that records calls counts these as mutating; everything else only reads.
pub const MUTATING_OPERATIONS: &[&str] = &[
    "create_change_set",
    "execute_change_set",
    "delete_change_set",
    "set_stack_policy",
    "update_termination_protection",
    "delete_stack",
    "switchover_global_cluster",
    "failover_global_cluster",
    "modify_db_cluster_deletion_protection",
    "modify_global_cluster_deletion_protection",
    "remove_from_global_cluster",
    "put_metric_data",
    "update_health_check",
    "change_resource_record_sets",
    "put_object",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_status_classes() {
        use StackStatus as S;
        assert!(S::CreateComplete.is_terminal() && S::CreateComplete.is_success());
        assert!(S::ReviewInProgress.is_terminal());
        assert!(!S::UpdateCompleteCleanupInProgress.is_terminal());
        assert!(!S::RollbackInProgress.is_terminal() && S::RollbackInProgress.is_rollback());
        assert!(S::RollbackComplete.is_failed() && S::RollbackComplete.is_rollback());
        assert!(S::UpdateRollbackComplete.is_failed() && S::UpdateRollbackComplete.is_updatable());
        assert!(!S::UpdateRollbackCompleteCleanupInProgress.is_failed());
        assert!(!S::RollbackComplete.is_updatable());
        assert_eq!(S::from_aws("NEW_STATUS"), S::Other("NEW_STATUS".into()));
        assert!(
            S::from_aws("NEW_THING_IN_PROGRESS")
                .is_terminal()
                .eq(&false)
        );
    }

    #[test]
    fn string_enums_round_trip_through_serde() {
        let s = serde_json::to_string(&StackStatus::UpdateRollbackComplete).unwrap();
        assert_eq!(s, "\"UPDATE_ROLLBACK_COMPLETE\"");
        let back: FailoverStatus = serde_json::from_str("\"switching-over\"").unwrap();
        assert_eq!(back, FailoverStatus::SwitchingOver);
    }

    #[test]
    fn timestamps_print_as_iso_8601() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000Z");
        // 2026-11-25T23:10:05.250Z
        assert_eq!(
            Timestamp(1_795_648_205_250).to_string(),
            "2026-11-25T23:10:05.250Z"
        );
        assert_eq!(
            Timestamp(1_000).plus(Duration::from_millis(500)),
            Timestamp(1_500)
        );
        assert_eq!(
            Timestamp(2_000).since(Timestamp(500)),
            Duration::from_millis(1_500)
        );
    }

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
    fn replacing_properties_come_from_details() {
        let detail = |name: &str, rr| ResourceChangeDetail {
            attribute: ResourceAttribute::Properties,
            name: Some(name.into()),
            requires_recreation: Some(rr),
            evaluation: Some(Evaluation::Static),
            change_source: Some(ChangeSource::DirectModification),
            causing_entity: None,
        };
        let c = ResourceChange {
            action: ChangeAction::Modify,
            logical_id: "Db".into(),
            physical_id: Some("db-1".into()),
            resource_type: "AWS::RDS::DBCluster".into(),
            replacement: Some(Replacement::Conditional),
            scope: vec![ResourceAttribute::Properties],
            details: vec![
                detail("DBClusterIdentifier", RequiresRecreation::Always),
                detail("BackupRetentionPeriod", RequiresRecreation::Never),
                detail("KmsKeyId", RequiresRecreation::Conditionally),
            ],
        };
        assert!(c.is_replacement());
        assert_eq!(
            c.replacing_properties(),
            ["DBClusterIdentifier", "KmsKeyId"]
        );
    }
}
