//! The CloudFormation template model: parameters, conditions, mappings, resources and outputs,
//! and the limits CloudFormation enforces on them.
//!
//! Limits: "CloudFormation quotas"
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>):
//! 500 resources, 200 parameters, 200 outputs, 200 mappings per template; 51,200 bytes for a
//! template body passed inline, 1 MB for one passed by S3 URL; logical ids of up to 255
//! alphanumerics; stack names of up to 128 characters, `[a-zA-Z][-a-zA-Z0-9]*`.

use crate::diagnostics::codes;
use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::diagnostics::Diagnostic;
use crate::expr::{Expr, Resolve, Unresolved};
use crate::logical_id::is_valid_logical_id;

/// At most this many resources per template.
pub const MAX_RESOURCES: usize = 500;
/// At most this many parameters per template.
pub const MAX_PARAMETERS: usize = 200;
/// At most this many outputs per template.
pub const MAX_OUTPUTS: usize = 200;
/// At most this many mappings per template.
pub const MAX_MAPPINGS: usize = 200;
/// Largest template body `CreateChangeSet` takes inline (`TemplateBody`), in bytes.
pub const MAX_INLINE_TEMPLATE_BYTES: usize = 51_200;
/// Largest template body CloudFormation takes at all (by S3 URL), in bytes.
pub const MAX_TEMPLATE_BYTES: usize = 1_000_000;
/// Longest stack name.
pub const MAX_STACK_NAME_LEN: usize = 128;

/// What CloudFormation does with a resource's physical resource when the resource is deleted
/// from the stack (`DeletionPolicy`) or replaced (`UpdateReplacePolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DeletionPolicy {
    /// Delete it (CloudFormation's default for most types).
    Delete,
    /// Keep it, outside the stack.
    Retain,
    /// Keep it, except when the stack's creation itself failed (then delete it).
    RetainExceptOnCreate,
    /// Snapshot it, then delete it (databases, volumes).
    Snapshot,
}

impl DeletionPolicy {
    /// The name CloudFormation uses.
    pub fn as_str(self) -> &'static str {
        match self {
            DeletionPolicy::Delete => "Delete",
            DeletionPolicy::Retain => "Retain",
            DeletionPolicy::RetainExceptOnCreate => "RetainExceptOnCreate",
            DeletionPolicy::Snapshot => "Snapshot",
        }
    }
}

/// A template parameter.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parameter {
    /// `String`, `Number`, `AWS::EC2::AvailabilityZone::Name`,
    /// `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>`, …
    pub type_name: String,
    /// The value used when none is passed.
    pub default: Option<Expr>,
    /// Shown in the console.
    pub description: Option<String>,
    /// The only values accepted.
    pub allowed_values: Vec<Expr>,
    /// Hide the value in the console and API answers.
    pub no_echo: bool,
}

impl Parameter {
    /// A parameter of the given CloudFormation type.
    pub fn of_type(type_name: impl Into<String>) -> Self {
        Parameter {
            type_name: type_name.into(),
            ..Default::default()
        }
    }
    /// With a default value.
    pub fn with_default(mut self, default: impl Into<Expr>) -> Self {
        self.default = Some(default.into());
        self
    }
    /// With a description.
    pub fn with_description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// The parameter's JSON.
    pub fn to_json(&self) -> Value {
        self.to_json_with(&mut Unresolved)
    }

    /// [`Parameter::to_json`], references resolved by `resolve`.
    pub fn to_json_with(&self, resolve: &mut dyn Resolve) -> Value {
        let mut m = Map::new();
        m.insert("Type".into(), Value::String(self.type_name.clone()));
        if let Some(d) = &self.default {
            m.insert("Default".into(), d.to_json_with(resolve));
        }
        if !self.allowed_values.is_empty() {
            m.insert(
                "AllowedValues".into(),
                Value::Array(
                    self.allowed_values
                        .iter()
                        .map(|v| v.to_json_with(resolve))
                        .collect(),
                ),
            );
        }
        if let Some(d) = &self.description {
            m.insert("Description".into(), Value::String(d.clone()));
        }
        if self.no_echo {
            m.insert("NoEcho".into(), json!(true));
        }
        Value::Object(m)
    }
}

/// A template output.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The value.
    pub value: Expr,
    /// Shown in the console.
    pub description: Option<String>,
    /// Export name, for `Fn::ImportValue` in other stacks of the same Region.
    pub export_name: Option<Expr>,
    /// Only output when this condition holds.
    pub condition: Option<String>,
}

impl Output {
    /// An output of `value`.
    pub fn new(value: impl Into<Expr>) -> Self {
        Output {
            value: value.into(),
            description: None,
            export_name: None,
            condition: None,
        }
    }
    /// With a description.
    pub fn with_description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// The output's JSON.
    pub fn to_json(&self) -> Value {
        self.to_json_with(&mut Unresolved)
    }

    /// [`Output::to_json`], references resolved by `resolve`.
    pub fn to_json_with(&self, resolve: &mut dyn Resolve) -> Value {
        let mut m = Map::new();
        if let Some(d) = &self.description {
            m.insert("Description".into(), Value::String(d.clone()));
        }
        m.insert("Value".into(), self.value.to_json_with(resolve));
        if let Some(e) = &self.export_name {
            m.insert("Export".into(), json!({ "Name": e.to_json_with(resolve) }));
        }
        if let Some(c) = &self.condition {
            m.insert("Condition".into(), Value::String(c.clone()));
        }
        Value::Object(m)
    }
}

/// A template resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The CloudFormation type, e.g. `AWS::EC2::VPC`.
    pub type_name: String,
    /// The properties, an [`Expr::Map`].
    pub properties: Expr,
    /// Resources this one waits for. In the tree these are tokens; after synthesis,
    /// `Expr::Ref(logical id)` of resources in the same template.
    pub depends_on: Vec<Expr>,
    /// Only create when this condition holds.
    pub condition: Option<String>,
    /// `CreationPolicy`: what CloudFormation waits for before it counts the resource created
    /// (signals from instances, for `AWS::AutoScaling::AutoScalingGroup`), written as given
    /// ("CreationPolicy attribute",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-creationpolicy.html>).
    pub creation_policy: Option<Value>,
    /// `UpdatePolicy`: how CloudFormation updates the resource, e.g. an Auto Scaling group's
    /// `AutoScalingRollingUpdate`, written as given ("UpdatePolicy attribute",
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html>).
    pub update_policy: Option<Value>,
    /// `DeletionPolicy`.
    pub deletion_policy: Option<DeletionPolicy>,
    /// `UpdateReplacePolicy`.
    pub update_replace_policy: Option<DeletionPolicy>,
    /// Resource metadata.
    pub metadata: IndexMap<String, Value>,
}

impl Resource {
    /// A resource of `type_name` with `properties`.
    pub fn new(type_name: impl Into<String>, properties: Expr) -> Self {
        Resource {
            type_name: type_name.into(),
            properties,
            depends_on: Vec::new(),
            condition: None,
            creation_policy: None,
            update_policy: None,
            deletion_policy: None,
            update_replace_policy: None,
            metadata: IndexMap::new(),
        }
    }

    /// The resource's JSON: `Type`, `Properties`, `DependsOn`, `Condition`, then the
    /// policies (`CreationPolicy`, `UpdatePolicy`, `DeletionPolicy`, `UpdateReplacePolicy`),
    /// then `Metadata`; what is unset is left out.
    pub fn to_json(&self) -> Value {
        self.to_json_with(&mut Unresolved)
    }

    /// [`Resource::to_json`], references resolved by `resolve`: a `DependsOn` token becomes
    /// the logical id it resolves to, or is left out.
    pub fn to_json_with(&self, resolve: &mut dyn Resolve) -> Value {
        let mut m = Map::new();
        m.insert("Type".into(), Value::String(self.type_name.clone()));
        let props = self.properties.to_json_with(resolve);
        if props.as_object().is_some_and(|o| !o.is_empty()) {
            m.insert("Properties".into(), props);
        }
        let mut deps: Vec<Value> = Vec::new();
        for d in &self.depends_on {
            let d = match d {
                Expr::Token(t) => resolve.dependency(t),
                other => Some(other.clone()),
            };
            match d {
                Some(Expr::Ref(id)) => deps.push(Value::String(id)),
                Some(other) => deps.push(other.to_json_with(resolve)),
                None => {}
            }
        }
        if !deps.is_empty() {
            m.insert("DependsOn".into(), Value::Array(deps));
        }
        if let Some(c) = &self.condition {
            m.insert("Condition".into(), Value::String(c.clone()));
        }
        if let Some(p) = &self.creation_policy {
            m.insert("CreationPolicy".into(), p.clone());
        }
        if let Some(p) = &self.update_policy {
            m.insert("UpdatePolicy".into(), p.clone());
        }
        if let Some(p) = self.deletion_policy {
            m.insert("DeletionPolicy".into(), json!(p.as_str()));
        }
        if let Some(p) = self.update_replace_policy {
            m.insert("UpdateReplacePolicy".into(), json!(p.as_str()));
        }
        if !self.metadata.is_empty() {
            m.insert(
                "Metadata".into(),
                Value::Object(self.metadata.clone().into_iter().collect()),
            );
        }
        Value::Object(m)
    }
}

/// A whole template. Keys are logical ids, in the order elements were added.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Template {
    /// The template description.
    pub description: Option<String>,
    /// Parameters.
    pub parameters: IndexMap<String, Parameter>,
    /// Mappings: name → top-level key → second-level key → value.
    pub mappings: IndexMap<String, IndexMap<String, IndexMap<String, Expr>>>,
    /// Conditions.
    pub conditions: IndexMap<String, Expr>,
    /// Resources.
    pub resources: IndexMap<String, Resource>,
    /// Outputs.
    pub outputs: IndexMap<String, Output>,
}

impl Template {
    /// The template's JSON, sections in the conventional order, empty sections left out.
    pub fn to_json(&self) -> Value {
        self.to_json_with(&mut Unresolved)
    }

    /// [`Template::to_json`], references resolved by `resolve`.
    pub fn to_json_with(&self, resolve: &mut dyn Resolve) -> Value {
        self.sections(resolve).into_json()
    }

    /// The template's sections as JSON, references resolved by `resolve`.
    fn sections(&self, resolve: &mut dyn Resolve) -> TemplateJson {
        let mut sections = TemplateJson {
            description: self.description.clone(),
            ..Default::default()
        };
        for (k, p) in &self.parameters {
            sections
                .parameters
                .insert(k.clone(), p.to_json_with(resolve));
        }
        for (k, top) in &self.mappings {
            let top = top
                .iter()
                .map(|(k2, second)| {
                    let second = second
                        .iter()
                        .map(|(k3, v)| (k3.clone(), v.to_json_with(resolve)))
                        .collect();
                    (k2.clone(), Value::Object(second))
                })
                .collect();
            sections.mappings.insert(k.clone(), Value::Object(top));
        }
        for (k, c) in &self.conditions {
            sections
                .conditions
                .insert(k.clone(), c.to_json_with(resolve));
        }
        for (k, r) in &self.resources {
            sections
                .resources
                .insert(k.clone(), r.to_json_with(resolve));
        }
        for (k, o) in &self.outputs {
            sections.outputs.insert(k.clone(), o.to_json_with(resolve));
        }
        sections
    }

    /// Checks CloudFormation's template quotas; `path` is the stack's construct path.
    /// `minified_len` is the size of the body the deployer would send.
    pub fn check_limits(&self, path: &str, minified_len: usize) -> Vec<Diagnostic> {
        let mut out = self.sections(&mut Unresolved).check_counts_and_ids(path);
        out.extend(check_template_size(path, minified_len));
        out
    }
}

/// A template's sections as JSON, assembled element by element: synthesis converts each
/// element of the tree on its own ([`Expr::to_json_with`]) and puts the template together
/// here, in the order [`Template::to_json`] writes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TemplateJson {
    /// The template description.
    pub description: Option<String>,
    /// Parameters, by logical id.
    pub parameters: Map<String, Value>,
    /// Mappings, by name.
    pub mappings: Map<String, Value>,
    /// Conditions, by name.
    pub conditions: Map<String, Value>,
    /// Resources, by logical id.
    pub resources: Map<String, Value>,
    /// Outputs, by logical id.
    pub outputs: Map<String, Value>,
}

impl TemplateJson {
    /// The part of [`Template::check_limits`] that needs no serialized body: the element
    /// counts against CloudFormation's quotas, and each logical id's form. Synthesis runs it,
    /// then [`check_template_size`] on the body's length.
    pub fn check_counts_and_ids(&self, path: &str) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let counts = [
            (
                "resources",
                self.resources.len(),
                MAX_RESOURCES,
                "split the stack, or move constructs into another stack",
            ),
            (
                "parameters",
                self.parameters.len(),
                MAX_PARAMETERS,
                "pass fewer values across stacks or Regions",
            ),
            (
                "outputs",
                self.outputs.len(),
                MAX_OUTPUTS,
                "reference fewer of this stack's values from other stacks",
            ),
            (
                "mappings",
                self.mappings.len(),
                MAX_MAPPINGS,
                "merge mappings",
            ),
        ];
        for (what, n, max, hint) in counts {
            if n > max {
                out.push(
                    Diagnostic::error(
                        path,
                        codes::TPL_001,
                        format!("template has {n} {what}; CloudFormation allows at most {max}"),
                    )
                    .with_hint(hint),
                );
            }
        }
        let ids = self
            .parameters
            .keys()
            .chain(self.conditions.keys())
            .chain(self.resources.keys())
            .chain(self.outputs.keys());
        for id in ids {
            if !is_valid_logical_id(id) {
                out.push(
                    Diagnostic::error(
                        path,
                        codes::TPL_002,
                        format!("logical id `{id}` is not 1 to 255 ASCII letters and digits"),
                    )
                    .with_hint(
                        "use override_logical_id with a valid id, or shorten the construct ids",
                    ),
                );
            }
        }
        out
    }

    /// The template: `AWSTemplateFormatVersion`, `Description`, `Parameters`, `Mappings`,
    /// `Conditions`, `Resources`, `Outputs`; empty sections left out but `Resources`.
    pub fn into_json(self) -> Value {
        let mut m = Map::new();
        m.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        if let Some(d) = self.description {
            m.insert("Description".into(), Value::String(d));
        }
        for (name, section) in [
            ("Parameters", self.parameters),
            ("Mappings", self.mappings),
            ("Conditions", self.conditions),
        ] {
            if !section.is_empty() {
                m.insert(name.into(), Value::Object(section));
            }
        }
        m.insert("Resources".into(), Value::Object(self.resources));
        if !self.outputs.is_empty() {
            m.insert("Outputs".into(), Value::Object(self.outputs));
        }
        Value::Object(m)
    }
}

/// CloudFormation's template size quotas for a body of `minified_len` bytes: an error above
/// the largest template it accepts, a warning above what it takes inline.
pub fn check_template_size(path: &str, minified_len: usize) -> Option<Diagnostic> {
    if minified_len > MAX_TEMPLATE_BYTES {
        Some(
                Diagnostic::error(
                    path,
                    codes::TPL_003,
                    format!("template is {minified_len} bytes minified; CloudFormation accepts at most {MAX_TEMPLATE_BYTES} bytes"),
                )
                .with_hint("split the stack into smaller stacks"),
            )
    } else if minified_len > MAX_INLINE_TEMPLATE_BYTES {
        Some(
                Diagnostic::warning(
                    path,
                    codes::TPL_004,
                    format!(
                        "template is {minified_len} bytes minified, over the {MAX_INLINE_TEMPLATE_BYTES}-byte inline limit; the deployer must upload it to S3"
                    ),
                )
                .with_hint("name an S3 bucket for templates when deploying (--template-bucket)"),
            )
    } else {
        None
    }
}

/// The length in bytes of `template` as minified JSON (the body the deployer sends), counted
/// without building the string.
pub fn minified_len(template: &Value) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // Serializing a `Value` to a writer that never fails cannot fail.
    let _ = serde_json::to_writer(&mut counter, template);
    counter.0
}

/// Checks a stack name: 1 to 128 characters, a letter first, then letters, digits and hyphens.
pub fn check_stack_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_STACK_NAME_LEN {
        return Err(format!(
            "stack name `{name}` is {} characters; it must be 1 to {MAX_STACK_NAME_LEN}",
            name.len()
        ));
    }
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_ok || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(format!(
            "stack name `{name}` must start with a letter and contain only letters, digits and hyphens"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minified_len_is_the_length_of_the_body_sent() {
        let mut t = Template {
            description: Some("quotes \" and \\ and é and \n".into()),
            ..Default::default()
        };
        t.resources.insert(
            "Bucket".into(),
            Resource::new(
                "AWS::S3::Bucket",
                Expr::map([("Tags", Expr::List(vec![Expr::Int(1), Expr::Float(2.5)]))]),
            ),
        );
        let json = t.to_json();
        assert_eq!(
            minified_len(&json),
            serde_json::to_string(&json).unwrap().len()
        );
    }

    #[test]
    fn the_size_limits_split_from_the_counts_give_the_same_diagnostics() {
        let big = Template::default().check_limits("App/S", MAX_TEMPLATE_BYTES + 1);
        assert_eq!(
            big,
            check_template_size("App/S", MAX_TEMPLATE_BYTES + 1)
                .into_iter()
                .collect::<Vec<_>>()
        );
        assert!(check_template_size("App/S", MAX_INLINE_TEMPLATE_BYTES).is_none());
    }

    #[test]
    fn limits_are_reported() {
        let mut t = Template::default();
        for i in 0..501 {
            t.resources.insert(
                format!("R{i}"),
                Resource::new("AWS::SNS::Topic", Expr::Map(IndexMap::new())),
            );
        }
        let d = t.check_limits("App/S", 10);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].message,
            "template has 501 resources; CloudFormation allows at most 500"
        );
        let d = Template::default().check_limits("App/S", 60_000);
        assert_eq!(d[0].code, "DRK-TPL-004");
        let d = Template::default().check_limits("App/S", 1_000_001);
        assert_eq!(
            d[0].message,
            "template is 1000001 bytes minified; CloudFormation accepts at most 1000000 bytes"
        );
    }

    #[test]
    fn policies_are_written_together_after_the_condition() {
        let mut r = Resource::new(
            "AWS::AutoScaling::AutoScalingGroup",
            Expr::map([("MinSize", "1")]),
        );
        r.condition = Some("IsPrimary".into());
        r.deletion_policy = Some(DeletionPolicy::Delete);
        r.update_policy = Some(json!({"AutoScalingRollingUpdate": {"MaxBatchSize": 1}}));
        r.creation_policy = Some(json!({"ResourceSignal": {"Count": 1}}));
        let j = r.to_json();
        let keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "Type",
                "Properties",
                "Condition",
                "CreationPolicy",
                "UpdatePolicy",
                "DeletionPolicy"
            ]
        );
        assert_eq!(
            j["UpdatePolicy"]["AutoScalingRollingUpdate"]["MaxBatchSize"],
            1
        );
        let plain = Resource::new("AWS::SNS::Topic", Expr::Map(IndexMap::new())).to_json();
        assert!(plain.get("UpdatePolicy").is_none() && plain.get("CreationPolicy").is_none());
    }

    #[test]
    fn stack_names() {
        assert!(check_stack_name("Shop-Primary-Net").is_ok());
        assert_eq!(
            check_stack_name("1shop").unwrap_err(),
            "stack name `1shop` must start with a letter and contain only letters, digits and hyphens"
        );
        assert!(
            check_stack_name(&"a".repeat(129))
                .unwrap_err()
                .contains("it must be 1 to 128")
        );
    }
}
