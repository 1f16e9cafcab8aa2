//! CloudFormation: stacks, change sets, events, resources, policies.

use serde::{Deserialize, Serialize};

use super::error::is_no_changes_reason;
use super::time::Timestamp;

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
    /// `REVIEW_IN_PROGRESS`, which is a resting state ("Stack status codes",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-describing-stacks.html>).
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

/// `ChangeSetType` (AWS has more, e.g. `IMPORT`, which drkit does not use yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
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

/// An acknowledged capability (AWS has more, e.g. `CAPABILITY_AUTO_EXPAND`, which drkit's
/// templates do not need yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// `TemplateURL` (an object URL returned by [`Cloud::put_object`](super::Cloud::put_object)).
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
    /// `ClientToken`: the same value on a retried call tells CloudFormation it is the same
    /// request, so a retry after a lost answer does not meet `AlreadyExistsException`
    /// ("CreateChangeSet",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html>).
    /// drkit derives it from the change set's name ([`idempotency_token`]).
    pub client_token: Option<String>,
}

/// `ExecuteChangeSet`'s input ("ExecuteChangeSet",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html>).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecuteChangeSetInput {
    /// The stack (name or id).
    pub stack_name: String,
    /// The change set (name, with `stack_name`, or id).
    pub change_set: String,
    /// `ClientRequestToken`: a retry with the same token is the same request, not a second
    /// execution that CloudFormation answers with `InvalidChangeSetStatus`.
    pub client_request_token: Option<String>,
    /// `RetainExceptOnCreate`: when the operation rolls back, resources it created are deleted
    /// even when their `DeletionPolicy` is `Retain`; resources that existed before are kept.
    /// Default false (AWS's default).
    pub retain_except_on_create: bool,
}

impl ExecuteChangeSetInput {
    /// Executes `change_set` of `stack_name` with AWS's defaults (no token, no
    /// `RetainExceptOnCreate`).
    pub fn new(stack_name: impl Into<String>, change_set: impl Into<String>) -> Self {
        ExecuteChangeSetInput {
            stack_name: stack_name.into(),
            change_set: change_set.into(),
            client_request_token: None,
            retain_except_on_create: false,
        }
    }
}

string_enum! {
    /// `DeleteStack`'s `DeletionMode` ("DeleteStack",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStack.html>).
    DeletionMode {
        /// Delete the stack and its resources (the default).
        Standard => "STANDARD",
        /// Delete a stack stuck in `DELETE_FAILED`: the resources that fail to delete are left
        /// behind, outside any stack.
        ForceDeleteStack => "FORCE_DELETE_STACK",
    }
}

/// `DeleteStack`'s input ("DeleteStack",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStack.html>).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteStackInput {
    /// The stack (name or id).
    pub stack_name: String,
    /// `RetainResources`: logical ids of resources to keep rather than delete. CloudFormation
    /// accepts it only for a stack in `DELETE_FAILED`, for resources that failed to delete.
    pub retain_resources: Vec<String>,
    /// `DeletionMode`; `None` leaves it out (`STANDARD`).
    pub deletion_mode: Option<DeletionMode>,
    /// `ClientRequestToken`: a retry with the same token is the same request.
    pub client_request_token: Option<String>,
}

impl DeleteStackInput {
    /// Deletes `stack_name` with AWS's defaults.
    pub fn new(stack_name: impl Into<String>) -> Self {
        DeleteStackInput {
            stack_name: stack_name.into(),
            retain_resources: Vec::new(),
            deletion_mode: None,
            client_request_token: None,
        }
    }
}

/// The idempotency token of the `call` (`create`, `execute`, `delete`) made for the change set or
/// operation named `name`: stable for one operation, so the SDK's retry of a call whose answer
/// was lost carries the same token, and different per call, since CloudFormation keys tokens per
/// operation type. CloudFormation's pattern for `ClientRequestToken` is
/// `[a-zA-Z0-9][-a-zA-Z0-9]*`, at most 128 characters; a change set name (`[a-zA-Z][-a-zA-Z0-9]*`,
/// at most 128) fits once shortened.
pub fn idempotency_token(call: &str, name: &str) -> String {
    let mut t: String = format!("{name}-{call}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if t.len() > 128 {
        // Keep the end, which holds the operation's sequence and the call.
        t = t[t.len() - 128..].to_string();
    }
    // The pattern's first character is alphanumeric.
    t.trim_start_matches('-').to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_tokens_fit_cloudformations_pattern() {
        let t = idempotency_token("execute", "drkit-1733400000000-7");
        assert_eq!(t, "drkit-1733400000000-7-execute");
        assert_ne!(t, idempotency_token("create", "drkit-1733400000000-7"));
        let long = idempotency_token("delete", &format!("a{}", "b_".repeat(100)));
        assert!(long.len() <= 128, "{}", long.len());
        assert!(long.ends_with("-delete"));
        assert!(long.starts_with(|c: char| c.is_ascii_alphanumeric()));
        assert!(long.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }

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
