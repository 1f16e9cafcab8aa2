//! The template evaluator: parses a CloudFormation JSON template, resolves its parameters
//! (defaults, passed values, SSM-parameter and AZ types), evaluates conditions and the
//! intrinsic functions, finds dynamic references, and orders resources by dependency.
//!
//! Wording of the errors follows CloudFormation's `ValidationError` messages where they are
//! known (from AWS documentation or public issue threads, cited beside each).

use std::collections::{BTreeMap, BTreeSet};

use dr_core::Region;
use indexmap::IndexMap;
use serde_json::{Map, Value, json};

/// Stands for `{"Ref": "AWS::NoValue"}` until the enclosing object or list drops it.
pub(crate) const NO_VALUE: &str = "\u{0}drkit:AWS::NoValue";
/// Marks a value that is only known once the deploy runs (an attribute of a resource that is
/// added, replaced or modified by the change set being computed).
pub(crate) const UNKNOWN: &str = "\u{0}drkit:unknown";

/// Whether a value (or anything inside it) is only known at deploy time.
pub fn is_unknown(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains(UNKNOWN),
        Value::Array(a) => a.iter().any(is_unknown),
        Value::Object(m) => m.values().any(is_unknown),
        _ => false,
    }
}

/// Why evaluation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// The template or its parameters are invalid: CloudFormation rejects the request with a
    /// `ValidationError` carrying this message.
    #[error("{0}")]
    Validation(String),
    /// A resource cannot be created as written: it ends `CREATE_FAILED`/`UPDATE_FAILED` with
    /// this status reason.
    #[error("{0}")]
    Resource(String),
}

fn verr(msg: impl Into<String>) -> EvalError {
    EvalError::Validation(msg.into())
}
fn tpl_err(msg: impl AsRef<str>) -> EvalError {
    EvalError::Validation(format!("Template error: {}", msg.as_ref()))
}
fn fmt_err(msg: impl AsRef<str>) -> EvalError {
    EvalError::Validation(format!("Template format error: {}", msg.as_ref()))
}

/// A declared parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDecl {
    /// `Type`.
    pub type_name: String,
    /// `Default`, as a string (CloudFormation parameter values are strings).
    pub default: Option<String>,
    /// `AllowedValues`.
    pub allowed_values: Vec<String>,
    /// `NoEcho`.
    pub no_echo: bool,
}

/// A declared resource.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDecl {
    /// `Type`.
    pub type_name: String,
    /// `Properties` (an object; empty when absent).
    pub properties: Value,
    /// `DependsOn`.
    pub depends_on: Vec<String>,
    /// `Condition`.
    pub condition: Option<String>,
    /// `UpdatePolicy`, as written (an Auto Scaling group's rolling update is checked against
    /// its `MaxSize` when the group is updated).
    pub update_policy: Option<Value>,
    /// `CreationPolicy`, as written (a `ResourceSignal` makes the create wait for signals the
    /// simulator never receives).
    pub creation_policy: Option<Value>,
    /// `DeletionPolicy`.
    pub deletion_policy: Option<String>,
    /// `UpdateReplacePolicy`.
    pub update_replace_policy: Option<String>,
    /// `Metadata`.
    pub metadata: Option<Value>,
}

/// A declared output.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputDecl {
    /// `Value`.
    pub value: Value,
    /// `Description`.
    pub description: Option<String>,
    /// `Export.Name`.
    pub export_name: Option<Value>,
    /// `Condition`.
    pub condition: Option<String>,
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The template as JSON.
    pub raw: Value,
    /// `Parameters`.
    pub parameters: IndexMap<String, ParamDecl>,
    /// `Mappings`.
    pub mappings: Map<String, Value>,
    /// `Conditions`.
    pub conditions: IndexMap<String, Value>,
    /// `Resources`.
    pub resources: IndexMap<String, ResourceDecl>,
    /// `Outputs`.
    pub outputs: IndexMap<String, OutputDecl>,
}

/// A scalar as CloudFormation reads it where a string is expected: `2`, `"2"` and `true` alike.
pub(crate) fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Template {
    /// Parses a template body (JSON; drkit never sends YAML).
    pub fn parse(body: &str) -> Result<Template, EvalError> {
        let raw: Value = serde_json::from_str(body).map_err(|e| {
            // CloudFormation: "Template format error: JSON not well-formed. (line 1,  column 2)".
            fmt_err(format!(
                "JSON not well-formed. (line {},  column {})",
                e.line(),
                e.column()
            ))
        })?;
        Template::from_json(raw)
    }

    /// Reads a template already parsed as JSON.
    pub fn from_json(raw: Value) -> Result<Template, EvalError> {
        let top = raw
            .as_object()
            .ok_or_else(|| fmt_err("unsupported structure."))?;
        let parameters = section(top, "Parameters")?
            .into_iter()
            .map(|(k, v)| parse_parameter(&k, &v).map(|p| (k, p)))
            .collect::<Result<IndexMap<_, _>, _>>()?;
        let resources_section = match top.get("Resources") {
            Some(Value::Object(m)) if !m.is_empty() => m.clone(),
            _ => return Err(fmt_err("At least one Resources member must be defined.")),
        };
        let resources = resources_section
            .into_iter()
            .map(|(k, v)| parse_resource(&k, &v).map(|r| (k, r)))
            .collect::<Result<IndexMap<_, _>, _>>()?;
        let outputs = section(top, "Outputs")?
            .into_iter()
            .map(|(k, v)| parse_output(&k, &v).map(|o| (k, o)))
            .collect::<Result<IndexMap<_, _>, _>>()?;
        Ok(Template {
            parameters,
            mappings: section(top, "Mappings")?,
            conditions: section(top, "Conditions")?.into_iter().collect(),
            resources,
            outputs,
            raw,
        })
    }

    /// Checks what CloudFormation checks before it accepts a template: every `Ref`,
    /// `Fn::GetAtt`, `Fn::Sub` variable and `DependsOn` names something declared, every
    /// condition used exists, and resources form no cycle.
    pub fn validate(&self) -> Result<(), EvalError> {
        let mut unresolved = BTreeSet::new();
        for (id, r) in &self.resources {
            let mut refs = Vec::new();
            collect_refs(&r.properties, &mut refs);
            for name in refs {
                if !self.is_known_name(&name) {
                    unresolved.insert(name);
                }
            }
            for d in &r.depends_on {
                if !self.resources.contains_key(d) {
                    // CloudFormation: "Template format error: Unresolved resource dependencies
                    // [X] in the Resources block of the template".
                    unresolved.insert(d.clone());
                }
            }
            if let Some(c) = &r.condition
                && !self.conditions.contains_key(c)
            {
                return Err(fmt_err(format!(
                    "Unresolved dependencies [{c}]. Cannot reference resources in the Conditions block of the template"
                )));
            }
            let _ = id;
        }
        for o in self.outputs.values() {
            let mut refs = Vec::new();
            collect_refs(&o.value, &mut refs);
            if let Some(e) = &o.export_name {
                collect_refs(e, &mut refs);
            }
            unresolved.extend(refs.into_iter().filter(|n| !self.is_known_name(n)));
        }
        if !unresolved.is_empty() {
            return Err(fmt_err(format!(
                "Unresolved resource dependencies [{}] in the Resources block of the template",
                unresolved.into_iter().collect::<Vec<_>>().join(", ")
            )));
        }
        self.dependency_order(&self.resources.keys().cloned().collect())?;
        Ok(())
    }

    fn is_known_name(&self, name: &str) -> bool {
        name.starts_with("AWS::") && PSEUDO.contains(&name)
            || self.parameters.contains_key(name)
            || self.resources.contains_key(name)
    }

    /// The resources each resource depends on (through `Ref`, `Fn::GetAtt`, `Fn::Sub` and
    /// `DependsOn`), limited to resources in `included`.
    pub fn dependencies(&self, included: &BTreeSet<String>) -> BTreeMap<String, BTreeSet<String>> {
        let mut out = BTreeMap::new();
        for (id, r) in &self.resources {
            if !included.contains(id) {
                continue;
            }
            let mut refs = Vec::new();
            collect_refs(&r.properties, &mut refs);
            let mut deps: BTreeSet<String> = refs
                .into_iter()
                .filter(|n| self.resources.contains_key(n))
                .collect();
            deps.extend(r.depends_on.iter().cloned());
            deps.retain(|d| included.contains(d) && d != id);
            out.insert(id.clone(), deps);
        }
        out
    }

    /// The `included` resources in an order where each comes after what it depends on
    /// (template order among independent ones), or CloudFormation's circular-dependency error.
    pub fn dependency_order(&self, included: &BTreeSet<String>) -> Result<Vec<String>, EvalError> {
        let deps = self.dependencies(included);
        let mut done: BTreeSet<String> = BTreeSet::new();
        let mut order = Vec::new();
        let ids: Vec<&String> = self
            .resources
            .keys()
            .filter(|k| included.contains(*k))
            .collect();
        loop {
            let before = order.len();
            for id in &ids {
                if !done.contains(*id) && deps[*id].iter().all(|d| done.contains(d)) {
                    done.insert((*id).clone());
                    order.push((*id).clone());
                }
            }
            if order.len() == ids.len() {
                return Ok(order);
            }
            if order.len() == before {
                let mut left: Vec<String> = ids
                    .iter()
                    .filter(|i| !done.contains(**i))
                    .map(|s| (*s).clone())
                    .collect();
                left.sort();
                // CloudFormation: "Template format error: Circular dependency between
                // resources: [A, B]".
                return Err(fmt_err(format!(
                    "Circular dependency between resources: [{}]",
                    left.join(", ")
                )));
            }
        }
    }
}

/// A top-level section of the template; an absent one is empty.
fn section(top: &Map<String, Value>, name: &str) -> Result<Map<String, Value>, EvalError> {
    match top.get(name) {
        None => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(fmt_err(format!("{name} must be an object"))),
    }
}

/// A string-valued key of a template object, when it is a string.
fn str_field(o: &Map<String, Value>, key: &str) -> Option<String> {
    o.get(key).and_then(Value::as_str).map(str::to_string)
}

/// The `Type` every parameter and resource must have, or the error naming `section/k`.
fn type_field(o: &Map<String, Value>, section: &str, k: &str) -> Result<String, EvalError> {
    str_field(o, "Type").ok_or_else(|| {
        fmt_err(format!(
            "[/{section}/{k}] Every {section} object must contain a Type member."
        ))
    })
}

fn parse_parameter(k: &str, v: &Value) -> Result<ParamDecl, EvalError> {
    let o = v
        .as_object()
        .ok_or_else(|| fmt_err(format!("Invalid parameter {k}: must be an object")))?;
    Ok(ParamDecl {
        type_name: type_field(o, "Parameters", k)?,
        default: o.get("Default").and_then(|d| {
            if let Value::Array(items) = d {
                Some(
                    items
                        .iter()
                        .filter_map(scalar_string)
                        .collect::<Vec<_>>()
                        .join(","),
                )
            } else {
                scalar_string(d)
            }
        }),
        allowed_values: o
            .get("AllowedValues")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(scalar_string).collect())
            .unwrap_or_default(),
        no_echo: matches!(o.get("NoEcho"), Some(Value::Bool(true)))
            || o.get("NoEcho").and_then(Value::as_str) == Some("true"),
    })
}

fn parse_resource(k: &str, v: &Value) -> Result<ResourceDecl, EvalError> {
    let o = v
        .as_object()
        .ok_or_else(|| fmt_err(format!("[/Resources/{k}] resource definition is malformed")))?;
    let type_name = type_field(o, "Resources", k)?;
    let depends_on = match o.get("DependsOn") {
        None => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Some(_) => {
            return Err(fmt_err(format!(
                "[/Resources/{k}/DependsOn] DependsOn must be a string or a list of strings"
            )));
        }
    };
    let properties = match o.get("Properties") {
        None => Value::Object(Map::new()),
        Some(p @ Value::Object(_)) => p.clone(),
        Some(_) => {
            return Err(fmt_err(format!(
                "[/Resources/{k}/Properties] Properties must be an object"
            )));
        }
    };
    Ok(ResourceDecl {
        type_name,
        properties,
        depends_on,
        condition: str_field(o, "Condition"),
        update_policy: o.get("UpdatePolicy").cloned(),
        creation_policy: o.get("CreationPolicy").cloned(),
        deletion_policy: str_field(o, "DeletionPolicy"),
        update_replace_policy: str_field(o, "UpdateReplacePolicy"),
        metadata: o.get("Metadata").cloned(),
    })
}

fn parse_output(k: &str, v: &Value) -> Result<OutputDecl, EvalError> {
    let o = v
        .as_object()
        .ok_or_else(|| fmt_err(format!("[/Outputs/{k}] output definition is malformed")))?;
    let value = o.get("Value").cloned().ok_or_else(|| {
        fmt_err(format!(
            "[/Outputs/{k}] Every Outputs member must contain a Value object"
        ))
    })?;
    Ok(OutputDecl {
        value,
        description: str_field(o, "Description"),
        export_name: o.get("Export").and_then(|e| e.get("Name")).cloned(),
        condition: str_field(o, "Condition"),
    })
}

/// Pseudo parameters CloudFormation defines.
pub const PSEUDO: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// Collects the names referenced by `Ref`, `Fn::GetAtt` and `Fn::Sub` inside `v`.
pub fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next().expect("one entry");
            match k.as_str() {
                "Ref" => {
                    if let Some(s) = arg.as_str() {
                        out.push(s.to_string());
                    }
                }
                "Fn::GetAtt" => match arg {
                    Value::Array(a) => {
                        if let Some(s) = a.first().and_then(Value::as_str) {
                            out.push(s.to_string());
                        }
                    }
                    Value::String(s) => {
                        out.push(s.split('.').next().unwrap_or_default().to_string())
                    }
                    _ => {}
                },
                "Fn::Sub" => {
                    let (s, vars) = match arg {
                        Value::String(s) => (s.as_str(), None),
                        Value::Array(a) => (
                            a.first().and_then(Value::as_str).unwrap_or_default(),
                            a.get(1).and_then(Value::as_object),
                        ),
                        _ => ("", None),
                    };
                    for name in sub_names(s) {
                        let base = name.split('.').next().unwrap_or_default().to_string();
                        if vars.is_some_and(|vs| vs.contains_key(&name) || vs.contains_key(&base)) {
                            continue;
                        }
                        if name.starts_with("AWS::") {
                            out.push(name);
                        } else {
                            out.push(base);
                        }
                    }
                    if let Some(vs) = vars {
                        vs.values().for_each(|x| collect_refs(x, out));
                    }
                }
                _ => collect_refs(arg, out),
            }
        }
        Value::Object(m) => m.values().for_each(|x| collect_refs(x, out)),
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

/// Collects the export names `Fn::ImportValue` reads in `v`, evaluating each name with `eval`
/// (names are usually literal or a `Fn::Sub`).
pub fn collect_imports(
    v: &Value,
    out: &mut BTreeSet<String>,
    eval: &dyn Fn(&Value) -> Option<String>,
) {
    match v {
        Value::Object(m) if m.len() == 1 && m.contains_key("Fn::ImportValue") => {
            if let Some(name) = eval(&m["Fn::ImportValue"]) {
                out.insert(name);
            }
        }
        Value::Object(m) => m.values().for_each(|x| collect_imports(x, out, eval)),
        Value::Array(a) => a.iter().for_each(|x| collect_imports(x, out, eval)),
        _ => {}
    }
}

/// The `${...}` names in a `Fn::Sub` string (`${!Literal}` left out).
fn sub_names(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(j) => {
                let name = &after[..j];
                if !name.starts_with('!') {
                    out.push(name.trim().to_string());
                }
                rest = &after[j + 1..];
            }
            None => break,
        }
    }
    out
}

/// A parameter after resolution: the value given (or the default) and, for
/// `AWS::SSM::Parameter::Value<...>` types, the value read from Parameter Store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResolvedParameter {
    /// The parameter's name.
    pub key: String,
    /// The value passed, or the default.
    pub value: String,
    /// For SSM-parameter types: the value of the named SSM parameter.
    pub resolved_value: Option<String>,
    /// The parameter's declared type.
    pub type_name: String,
    /// Whether the value is hidden (`NoEcho`).
    pub no_echo: bool,
}

impl ResolvedParameter {
    /// The value as intrinsics see it: a list for list types, a string otherwise.
    pub fn effective(&self) -> Value {
        let v = self.resolved_value.as_deref().unwrap_or(&self.value);
        let t = self.type_name.as_str();
        let is_list = t == "CommaDelimitedList" || t.starts_with("List<") || t.contains("<List<");
        if is_list {
            if v.is_empty() {
                return json!([]);
            }
            Value::Array(
                v.split(',')
                    .map(|s| Value::String(s.trim().to_string()))
                    .collect(),
            )
        } else {
            Value::String(v.to_string())
        }
    }
}

/// What an AWS-specific parameter type names, which must exist in the account and Region
/// ("Parameters", "Supported AWS-specific parameter types",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html>:
/// "CloudFormation validates input values for these types against existing values in the
/// account").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountObject {
    /// `AWS::EC2::KeyPair::KeyName`: a key pair of the Region, by name.
    KeyPair,
    /// `AWS::EC2::VPC::Id`.
    Vpc,
    /// `AWS::EC2::Subnet::Id`.
    Subnet,
    /// `AWS::EC2::SecurityGroup::Id`.
    SecurityGroup,
    /// `AWS::Route53::HostedZone::Id` (Route 53 is global).
    HostedZone,
}

impl AccountObject {
    /// The object an AWS-specific parameter type (the element type of a `List<…>`) names.
    fn of_type(type_name: &str) -> Option<AccountObject> {
        Some(match type_name {
            "AWS::EC2::KeyPair::KeyName" => AccountObject::KeyPair,
            "AWS::EC2::VPC::Id" => AccountObject::Vpc,
            "AWS::EC2::Subnet::Id" => AccountObject::Subnet,
            "AWS::EC2::SecurityGroup::Id" => AccountObject::SecurityGroup,
            "AWS::Route53::HostedZone::Id" => AccountObject::HostedZone,
            _ => return None,
        })
    }
}

/// Whether the value of an AWS-specific parameter type (`type_name`, without `List<…>`) names
/// something that exists: AZs from the Region's facts, SSM parameter names from Parameter
/// Store, the rest from the account. `None` for a type CloudFormation does not check (or the
/// simulator cannot: `AWS::EC2::Image::Id`, `AWS::EC2::Instance::Id`, `AWS::EC2::Volume::Id`
/// and `AWS::EC2::SecurityGroup::GroupName` name things it does not model).
fn parameter_target_exists(
    type_name: &str,
    value: &str,
    region: Region,
    ssm: &dyn Fn(&str) -> Option<String>,
    exists: &dyn Fn(AccountObject, &str) -> bool,
) -> Option<bool> {
    match type_name {
        "AWS::EC2::AvailabilityZone::Name" => Some(region.has_az(value)),
        "AWS::SSM::Parameter::Name" => Some(ssm(value).is_some()),
        t => AccountObject::of_type(t).map(|o| exists(o, value)),
    }
}

/// Resolves the template's parameters against the values passed, like CloudFormation does
/// when a change set is created. `ssm` reads Parameter Store; `exists` says whether the account
/// has what an AWS-specific parameter type names.
pub fn resolve_parameters(
    t: &Template,
    given: &[(String, String)],
    region: Region,
    ssm: &dyn Fn(&str) -> Option<String>,
    exists: &dyn Fn(AccountObject, &str) -> bool,
) -> Result<IndexMap<String, ResolvedParameter>, EvalError> {
    let unknown: Vec<&str> = given
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !t.parameters.contains_key(*k))
        .collect();
    if !unknown.is_empty() {
        // CloudFormation: "Parameters: [X] do not exist in the template".
        return Err(verr(format!(
            "Parameters: [{}] do not exist in the template",
            unknown.join(", ")
        )));
    }
    let mut missing = Vec::new();
    let mut absent = Vec::new();
    let mut out = IndexMap::new();
    for (k, decl) in &t.parameters {
        let value = match given.iter().rev().find(|(gk, _)| gk == k) {
            Some((_, v)) => v.clone(),
            None => match &decl.default {
                Some(d) => d.clone(),
                None => {
                    missing.push(k.clone());
                    continue;
                }
            },
        };
        if !decl.allowed_values.is_empty() && !decl.allowed_values.contains(&value) {
            return Err(verr(format!(
                "Parameter '{k}' must be one of AllowedValues"
            )));
        }
        let tn = decl.type_name.as_str();
        if tn == "Number" && value.trim().parse::<f64>().is_err() {
            return Err(verr(format!("Parameter '{k}' must be a number.")));
        }
        let mut resolved_value = None;
        if let Some(inner) = tn
            .strip_prefix("AWS::SSM::Parameter::Value<")
            .and_then(|s| s.strip_suffix('>'))
        {
            let _ = inner;
            match ssm(&value) {
                Some(v) => resolved_value = Some(v),
                // CloudFormation: "Unable to fetch parameters [/x] from parameter store for
                // this account." (observed, e.g. aws-cdk#11384 and many CI logs).
                None => {
                    return Err(verr(format!(
                        "Unable to fetch parameters [{value}] from parameter store for this account."
                    )));
                }
            }
        }
        // The value checked is the SSM parameter's for an `AWS::SSM::Parameter::Value<…>` type:
        // CloudFormation checks the resolved id too (a public write-up of live tests,
        // "CloudFormation SSM / Secrets Manager Parameter Semantics — Live AWS Test Results",
        // T3: `<AWS::EC2::Subnet::Id>` and `<AWS::EC2::Image::Id>` values that do not exist fail
        // with "parameter value … for parameter name P does not exist").
        let inner = tn
            .strip_prefix("AWS::SSM::Parameter::Value<")
            .and_then(|s| s.strip_suffix('>'))
            .unwrap_or(tn);
        let (element, values): (&str, Vec<&str>) = match inner
            .strip_prefix("List<")
            .and_then(|s| s.strip_suffix('>'))
        {
            Some(e) => (
                e,
                resolved_value
                    .as_deref()
                    .unwrap_or(&value)
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect(),
            ),
            None => (inner, vec![resolved_value.as_deref().unwrap_or(&value)]),
        };
        for v in values {
            if parameter_target_exists(element, v, region, ssm, exists) == Some(false) {
                absent.push(if v.is_empty() {
                    // The wording for an empty value has one space, as observed
                    // ("Parameter validation failed: parameter value for parameter name KeyName
                    // does not exist.").
                    format!("parameter value for parameter name {k} does not exist")
                } else {
                    format!("parameter value {v} for parameter name {k} does not exist")
                });
            }
        }
        out.insert(
            k.clone(),
            ResolvedParameter {
                key: k.clone(),
                value,
                resolved_value,
                type_name: decl.type_name.clone(),
                no_echo: decl.no_echo,
            },
        );
    }
    if !missing.is_empty() {
        // CloudFormation: "Parameters: [X, Y] must have values".
        return Err(verr(format!(
            "Parameters: [{}] must have values",
            missing.join(", ")
        )));
    }
    if !absent.is_empty() {
        // CloudFormation checks AWS-specific parameter types against the account and Region and
        // names every value that does not exist, joined by ", " ("Parameter validation failed:
        // parameter value us-west-1a for parameter name Az does not exist."; several in one
        // reason as an `UPDATE_ROLLBACK_IN_PROGRESS` event quoted in public code shows:
        // "parameter value undefined for parameter name DBSecurityGroup does not exist,
        // parameter value undefined for parameter name RedisSecurityGroup does not exist, …";
        // the same sentence for key pairs, VPCs, subnets and instance ids in many stack event
        // logs). AWS reports it after accepting `CreateStack`,
        // as the stack's `ROLLBACK_IN_PROGRESS` reason with " Rollback requested by user."
        // appended; the simulator refuses the change set instead, which is never more lenient.
        return Err(verr(format!(
            "Parameter validation failed: {}.",
            absent.join(", ")
        )));
    }
    Ok(out)
}

/// What the evaluator asks of the world outside the template.
pub trait Resolver {
    /// `Ref` of a resource of the template: its physical id (or `UNKNOWN` while planning),
    /// `None` if the resource has not been created.
    fn resource_ref(&self, logical_id: &str) -> Option<Value>;
    /// `Fn::GetAtt` of a resource: its attribute value, or the failure CloudFormation reports.
    fn resource_attribute(&self, logical_id: &str, attribute: &str) -> Result<Value, EvalError>;
    /// The value of an export of the stack's Region.
    fn import_value(&self, name: &str) -> Option<String>;
}

/// The identity of the stack being evaluated, for the pseudo parameters.
#[derive(Debug, Clone)]
pub struct StackContext {
    /// `AWS::Region`.
    pub region: Region,
    /// `AWS::AccountId`.
    pub account: String,
    /// `AWS::StackName`.
    pub stack_name: String,
    /// `AWS::StackId`.
    pub stack_id: String,
}

/// Evaluates intrinsic functions of one template.
pub struct Evaluator<'a> {
    /// The template.
    pub template: &'a Template,
    /// The stack.
    pub stack: &'a StackContext,
    /// Resolved parameters.
    pub params: &'a IndexMap<String, ResolvedParameter>,
    /// Evaluated conditions.
    pub conditions: &'a IndexMap<String, bool>,
    /// Resources, exports.
    pub resolver: &'a dyn Resolver,
}

/// An unknown (deploy-time) value, propagated instead of evaluated.
fn unknown() -> Value {
    Value::String(UNKNOWN.to_string())
}

fn as_string(v: &Value, what: &str) -> Result<String, EvalError> {
    scalar_string(v).ok_or_else(|| tpl_err(format!("{what} must be a string")))
}

fn as_list(v: Value) -> Result<Vec<Value>, EvalError> {
    match v {
        Value::Array(a) => Ok(a),
        Value::String(s) if s.contains(UNKNOWN) => Ok(vec![Value::String(s)]),
        other => Err(tpl_err(format!("expected a list of values, got {other}"))),
    }
}

impl Evaluator<'_> {
    /// Evaluates every condition of the template (conditions may refer to each other).
    pub fn evaluate_conditions(
        template: &Template,
        stack: &StackContext,
        params: &IndexMap<String, ResolvedParameter>,
    ) -> Result<IndexMap<String, bool>, EvalError> {
        struct NoResources;
        impl Resolver for NoResources {
            fn resource_ref(&self, _: &str) -> Option<Value> {
                None
            }
            fn resource_attribute(&self, l: &str, _: &str) -> Result<Value, EvalError> {
                Err(fmt_err(format!(
                    "Unresolved dependencies [{l}]. Cannot reference resources in the Conditions block of the template"
                )))
            }
            fn import_value(&self, _: &str) -> Option<String> {
                None
            }
        }
        let mut done: IndexMap<String, bool> = IndexMap::new();
        // Conditions may reference conditions: evaluate repeatedly until nothing new resolves.
        loop {
            let before = done.len();
            for (name, body) in &template.conditions {
                if done.contains_key(name) {
                    continue;
                }
                let ev = Evaluator {
                    template,
                    stack,
                    params,
                    conditions: &done,
                    resolver: &NoResources,
                };
                match ev.condition_value(body) {
                    Ok(b) => {
                        done.insert(name.clone(), b);
                    }
                    Err(CondErr::Pending) => {}
                    Err(CondErr::Eval(e)) => return Err(e),
                }
            }
            if done.len() == template.conditions.len() {
                // Keep the template's order.
                return Ok(template
                    .conditions
                    .keys()
                    .map(|k| (k.clone(), done[k]))
                    .collect());
            }
            if done.len() == before {
                let left: Vec<&str> = template
                    .conditions
                    .keys()
                    .filter(|k| !done.contains_key(*k))
                    .map(String::as_str)
                    .collect();
                return Err(fmt_err(format!(
                    "Circular dependency between conditions: [{}]",
                    left.join(", ")
                )));
            }
        }
    }

    fn condition_value(&self, body: &Value) -> Result<bool, CondErr> {
        let m = body
            .as_object()
            .filter(|m| m.len() == 1)
            .ok_or_else(|| CondErr::Eval(tpl_err("a condition must be an intrinsic function")))?;
        let (k, arg) = m.iter().next().expect("one entry");
        let items = || arg.as_array().cloned().unwrap_or_default();
        match k.as_str() {
            "Condition" => {
                let name = arg.as_str().unwrap_or_default();
                if !self.template.conditions.contains_key(name) {
                    return Err(CondErr::Eval(fmt_err(format!(
                        "Unresolved dependencies [{name}]. Cannot reference resources in the Conditions block of the template"
                    ))));
                }
                self.conditions.get(name).copied().ok_or(CondErr::Pending)
            }
            "Fn::Equals" => {
                let a = items();
                if a.len() != 2 {
                    return Err(CondErr::Eval(tpl_err(
                        "Fn::Equals requires a list of two values",
                    )));
                }
                let x = self.eval(&a[0]).map_err(CondErr::Eval)?;
                let y = self.eval(&a[1]).map_err(CondErr::Eval)?;
                Ok(scalar_string(&x).map_or(x.clone(), Value::String)
                    == scalar_string(&y).map_or(y.clone(), Value::String))
            }
            "Fn::Not" => {
                let a = items();
                let c = a.first().ok_or_else(|| {
                    CondErr::Eval(tpl_err("Fn::Not requires a list of one condition"))
                })?;
                Ok(!self.condition_value(c)?)
            }
            "Fn::And" | "Fn::Or" => {
                let a = items();
                if !(2..=10).contains(&a.len()) {
                    return Err(CondErr::Eval(tpl_err(format!(
                        "{k} requires a list of 2 to 10 conditions"
                    ))));
                }
                let mut vals = Vec::new();
                for c in &a {
                    vals.push(self.condition_value(c)?);
                }
                Ok(if k == "Fn::And" {
                    vals.iter().all(|b| *b)
                } else {
                    vals.iter().any(|b| *b)
                })
            }
            other => Err(CondErr::Eval(tpl_err(format!(
                "{other} is not supported in the Conditions block"
            )))),
        }
    }

    /// Evaluates `v`, leaving `NO_VALUE` markers in place (see [`Evaluator::eval_clean`]).
    pub fn eval(&self, v: &Value) -> Result<Value, EvalError> {
        match v {
            Value::Object(m)
                if m.len() == 1
                    && (m
                        .keys()
                        .next()
                        .is_some_and(|k| k == "Ref" || k.starts_with("Fn::"))) =>
            {
                let (k, arg) = m.iter().next().expect("one entry");
                self.intrinsic(k, arg)
            }
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, x) in m {
                    let e = self.eval(x)?;
                    if e.as_str() != Some(NO_VALUE) {
                        out.insert(k.clone(), e);
                    }
                }
                Ok(Value::Object(out))
            }
            Value::Array(a) => {
                let mut out = Vec::new();
                for x in a {
                    let e = self.eval(x)?;
                    if e.as_str() != Some(NO_VALUE) {
                        out.push(e);
                    }
                }
                Ok(Value::Array(out))
            }
            other => Ok(other.clone()),
        }
    }

    /// Evaluates `v`; a top-level `AWS::NoValue` becomes `None`.
    pub fn eval_clean(&self, v: &Value) -> Result<Option<Value>, EvalError> {
        let e = self.eval(v)?;
        Ok(if e.as_str() == Some(NO_VALUE) {
            None
        } else {
            Some(e)
        })
    }

    fn reference(&self, name: &str) -> Result<Value, EvalError> {
        match name {
            "AWS::Region" => return Ok(json!(self.stack.region.code())),
            "AWS::AccountId" => return Ok(json!(self.stack.account)),
            "AWS::StackName" => return Ok(json!(self.stack.stack_name)),
            "AWS::StackId" => return Ok(json!(self.stack.stack_id)),
            "AWS::Partition" => return Ok(json!("aws")),
            "AWS::URLSuffix" => return Ok(json!("amazonaws.com")),
            "AWS::NoValue" => return Ok(json!(NO_VALUE)),
            "AWS::NotificationARNs" => return Ok(json!([])),
            _ => {}
        }
        if let Some(p) = self.params.get(name) {
            return Ok(p.effective());
        }
        if self.template.resources.contains_key(name) {
            return self
                .resolver
                .resource_ref(name)
                .ok_or_else(|| tpl_err(format!("Unresolved resource dependencies [{name}] in the Resources block of the template")));
        }
        Err(fmt_err(format!(
            "Unresolved resource dependencies [{name}] in the Resources block of the template"
        )))
    }

    fn get_att(&self, logical: &str, attr: &str) -> Result<Value, EvalError> {
        if !self.template.resources.contains_key(logical) {
            // CloudFormation: "Template error: instance of Fn::GetAtt references undefined
            // resource X".
            return Err(tpl_err(format!(
                "instance of Fn::GetAtt references undefined resource {logical}"
            )));
        }
        self.resolver.resource_attribute(logical, attr)
    }

    fn intrinsic(&self, k: &str, arg: &Value) -> Result<Value, EvalError> {
        match k {
            "Ref" => self.fn_ref(arg),
            "Fn::GetAtt" => self.fn_get_att(arg),
            "Fn::Sub" => self.fn_sub(arg),
            "Fn::Join" => self.fn_join(arg),
            "Fn::Select" => self.fn_select(arg),
            "Fn::Split" => self.fn_split(arg),
            "Fn::GetAZs" => self.fn_get_azs(arg),
            "Fn::If" => self.fn_if(arg),
            "Fn::ImportValue" => self.fn_import_value(arg),
            "Fn::Base64" => self.fn_base64(arg),
            "Fn::Cidr" => self.fn_cidr(arg),
            "Fn::FindInMap" => self.fn_find_in_map(arg),
            "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" => self.condition_function(k, arg),
            other => Err(tpl_err(format!(
                "Encountered unsupported function: {other} Supported functions are: [Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll, Fn::Sub, Fn::Cidr]"
            ))),
        }
    }

    fn fn_ref(&self, arg: &Value) -> Result<Value, EvalError> {
        self.reference(
            arg.as_str()
                .ok_or_else(|| tpl_err("Ref must name a parameter or resource"))?,
        )
    }

    fn fn_get_att(&self, arg: &Value) -> Result<Value, EvalError> {
        let (l, a) = match arg {
            Value::Array(a) if a.len() == 2 => {
                let attr = self.eval(&a[1])?;
                (
                    as_string(&a[0], "Fn::GetAtt")?,
                    as_string(&attr, "Fn::GetAtt")?,
                )
            }
            Value::String(s) if s.contains('.') => {
                let (l, a) = s.split_once('.').expect("has a dot");
                (l.to_string(), a.to_string())
            }
            // CloudFormation's own wording.
            _ => {
                return Err(tpl_err(
                    "every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute",
                ));
            }
        };
        self.get_att(&l, &a)
    }

    fn fn_sub(&self, arg: &Value) -> Result<Value, EvalError> {
        let (s, vars) = match arg {
            Value::String(s) => (s.clone(), Map::new()),
            Value::Array(a) if a.len() == 2 => (
                as_string(&a[0], "Fn::Sub")?,
                a[1].as_object()
                    .cloned()
                    .ok_or_else(|| tpl_err("Fn::Sub variables must be an object"))?,
            ),
            _ => {
                return Err(tpl_err(
                    "One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string",
                ));
            }
        };
        let mut out = String::new();
        let mut rest = s.as_str();
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(j) = after.find('}') else {
                out.push_str(&rest[i..]);
                rest = "";
                break;
            };
            let name = after[..j].trim();
            if let Some(lit) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(lit);
                out.push('}');
            } else {
                let v = self.sub_variable(name, &vars)?;
                out.push_str(&scalar_string(&v).ok_or_else(|| {
                    tpl_err(format!("Fn::Sub variable ${{{name}}} must be a string"))
                })?);
            }
            rest = &after[j + 1..];
        }
        out.push_str(rest);
        Ok(Value::String(out))
    }

    /// The value of `${name}` in a `Fn::Sub` string: a variable of the map, else a parameter,
    /// pseudo parameter or resource (`Ref`), else `Resource.Attribute` (`Fn::GetAtt`).
    fn sub_variable(&self, name: &str, vars: &Map<String, Value>) -> Result<Value, EvalError> {
        if let Some(x) = vars.get(name) {
            self.eval(x)
        } else if name.starts_with("AWS::") || !name.contains('.') {
            self.reference(name)
        } else {
            let (l, a) = name.split_once('.').expect("has a dot");
            self.get_att(l, a)
        }
    }

    fn fn_join(&self, arg: &Value) -> Result<Value, EvalError> {
        let a = arg.as_array().filter(|a| a.len() == 2);
        // CloudFormation's own wording.
        let bad = || {
            tpl_err(
                "every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.",
            )
        };
        let a = a.ok_or_else(bad)?;
        let sep = a[0].as_str().ok_or_else(bad)?;
        let items = as_list(self.eval(&a[1])?).map_err(|_| bad())?;
        let parts: Result<Vec<String>, _> = items
            .iter()
            .map(|x| scalar_string(x).ok_or_else(bad))
            .collect();
        Ok(Value::String(parts?.join(sep)))
    }

    fn fn_select(&self, arg: &Value) -> Result<Value, EvalError> {
        let a = arg
            .as_array()
            .filter(|a| a.len() == 2)
            .ok_or_else(|| tpl_err("Fn::Select requires a list of two elements"))?;
        let idx = self.eval(&a[0])?;
        if is_unknown(&idx) {
            return Ok(unknown());
        }
        let idx: usize = scalar_string(&idx)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| tpl_err("Fn::Select index must be a non-negative integer"))?;
        let list = self.eval(&a[1])?;
        if let Value::String(s) = &list
            && s.contains(UNKNOWN)
        {
            return Ok(list);
        }
        let list = as_list(list)?;
        list.get(idx).cloned().ok_or_else(|| {
            tpl_err(format!(
                "Fn::Select cannot select nonexistent value at index {idx}"
            ))
        })
    }

    fn fn_split(&self, arg: &Value) -> Result<Value, EvalError> {
        let a = arg
            .as_array()
            .filter(|a| a.len() == 2)
            .ok_or_else(|| tpl_err("Fn::Split requires a list of two elements"))?;
        let sep = as_string(&a[0], "Fn::Split delimiter")?;
        let s = as_string(&self.eval(&a[1])?, "Fn::Split source")?;
        if s.contains(UNKNOWN) {
            return Ok(Value::String(s));
        }
        Ok(Value::Array(
            s.split(sep.as_str())
                .map(|p| Value::String(p.to_string()))
                .collect(),
        ))
    }

    fn fn_get_azs(&self, arg: &Value) -> Result<Value, EvalError> {
        let r = self.eval(arg)?;
        if is_unknown(&r) {
            return Ok(unknown());
        }
        let code = r.as_str().unwrap_or_default();
        let region = if code.is_empty() {
            self.stack.region
        } else {
            code.parse::<Region>().map_err(|e| tpl_err(e.to_string()))?
        };
        // GetAZs lists the zones the account can use (us-west-1: two).
        Ok(Value::Array(
            region
                .az_names()
                .iter()
                .take(region.usable_az_count())
                .map(|z| Value::String((*z).to_string()))
                .collect(),
        ))
    }

    fn fn_if(&self, arg: &Value) -> Result<Value, EvalError> {
        let a = arg
            .as_array()
            .filter(|a| a.len() == 3)
            .ok_or_else(|| tpl_err("Fn::If requires a list argument with three elements"))?;
        let c = a[0]
            .as_str()
            .ok_or_else(|| tpl_err("Fn::If requires a condition name"))?;
        let b = *self
            .conditions
            .get(c)
            .ok_or_else(|| fmt_err(format!("Unresolved dependencies [{c}]. Cannot reference resources in the Conditions block of the template")))?;
        self.eval(if b { &a[1] } else { &a[2] })
    }

    fn fn_import_value(&self, arg: &Value) -> Result<Value, EvalError> {
        let name = self.eval(arg)?;
        if is_unknown(&name) {
            return Ok(unknown());
        }
        let name = as_string(&name, "Fn::ImportValue")?;
        // CloudFormation: "No export named X found".
        self.resolver
            .import_value(&name)
            .map(Value::String)
            .ok_or_else(|| verr(format!("No export named {name} found")))
    }

    fn fn_base64(&self, arg: &Value) -> Result<Value, EvalError> {
        let s = as_string(&self.eval(arg)?, "Fn::Base64")?;
        if s.contains(UNKNOWN) {
            return Ok(Value::String(s));
        }
        Ok(Value::String(base64(s.as_bytes())))
    }

    fn fn_cidr(&self, arg: &Value) -> Result<Value, EvalError> {
        let a = arg
            .as_array()
            .filter(|a| a.len() == 3)
            .ok_or_else(|| tpl_err("Fn::Cidr requires a list of three elements"))?;
        let evaluated: Vec<Value> = a.iter().map(|x| self.eval(x)).collect::<Result<_, _>>()?;
        if evaluated.iter().any(is_unknown) {
            return Ok(unknown());
        }
        let block = as_string(&self.eval(&a[0])?, "Fn::Cidr ipBlock")?;
        let count: u32 = as_string(&self.eval(&a[1])?, "Fn::Cidr count")?
            .parse()
            .map_err(|_| tpl_err("Fn::Cidr count must be an integer"))?;
        let bits: u32 = as_string(&self.eval(&a[2])?, "Fn::Cidr cidrBits")?
            .parse()
            .map_err(|_| tpl_err("Fn::Cidr cidrBits must be an integer"))?;
        cidr(&block, count, bits).map(|v| Value::Array(v.into_iter().map(Value::String).collect()))
    }

    fn fn_find_in_map(&self, arg: &Value) -> Result<Value, EvalError> {
        let a = arg
            .as_array()
            .filter(|a| a.len() == 3)
            .ok_or_else(|| tpl_err("Fn::FindInMap requires a list of three elements"))?;
        let evaluated: Vec<Value> = a.iter().map(|x| self.eval(x)).collect::<Result<_, _>>()?;
        if evaluated.iter().any(is_unknown) {
            return Ok(unknown());
        }
        let keys: Vec<String> = evaluated
            .iter()
            .map(|v| as_string(v, "Fn::FindInMap key"))
            .collect::<Result<_, _>>()?;
        self.template
            .mappings
            .get(&keys[0])
            .and_then(|m| m.get(&keys[1]))
            .and_then(|m| m.get(&keys[2]))
            .cloned()
            .ok_or_else(|| {
                tpl_err(format!(
                    "Unable to get mapping for {}::{}::{}",
                    keys[0], keys[1], keys[2]
                ))
            })
    }

    /// A condition function (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`) used as a value.
    fn condition_function(&self, k: &str, arg: &Value) -> Result<Value, EvalError> {
        let mut m = Map::new();
        m.insert(k.to_string(), arg.clone());
        match self.condition_value(&Value::Object(m)) {
            Ok(b) => Ok(Value::Bool(b)),
            Err(CondErr::Eval(e)) => Err(e),
            Err(CondErr::Pending) => Err(tpl_err(format!(
                "{k} refers to a condition that cannot be evaluated"
            ))),
        }
    }
}

enum CondErr {
    Pending,
    Eval(EvalError),
}

/// Standard base64 with padding (what `Fn::Base64` produces).
pub fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// `Fn::Cidr` for IPv4: `count` consecutive blocks of `32 - bits` prefix length carved from
/// the start of `block`.
pub fn cidr(block: &str, count: u32, bits: u32) -> Result<Vec<String>, EvalError> {
    let bad = || tpl_err(format!("Fn::Cidr: invalid IPv4 CIDR block {block}"));
    let (addr, len) = block.split_once('/').ok_or_else(bad)?;
    let len: u32 = len.parse().map_err(|_| bad())?;
    let octets: Vec<u32> = addr
        .split('.')
        .map(|o| o.parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    if octets.len() != 4 || octets.iter().any(|o| *o > 255) || len > 32 {
        return Err(bad());
    }
    if !(1..=256).contains(&count) || bits == 0 || bits > 32 - len {
        return Err(tpl_err(format!(
            "Fn::Cidr: cannot carve {count} /{} blocks out of {block}",
            32 - bits
        )));
    }
    let base = octets.iter().fold(0u64, |a, o| (a << 8) | u64::from(*o));
    let mask = if len == 0 {
        0
    } else {
        (!0u64 << (32 - len)) & 0xFFFF_FFFF
    };
    let net = base & mask;
    let step = 1u64 << bits;
    let room = 1u64 << (32 - len);
    if u64::from(count) * step > room {
        return Err(tpl_err(format!(
            "Fn::Cidr: cannot carve {count} /{} blocks out of {block}",
            32 - bits
        )));
    }
    Ok((0..u64::from(count))
        .map(|i| {
            let a = net + i * step;
            format!(
                "{}.{}.{}.{}/{}",
                (a >> 24) & 255,
                (a >> 16) & 255,
                (a >> 8) & 255,
                a & 255,
                32 - bits
            )
        })
        .collect())
}

/// A dynamic reference found in a resolved property value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DynamicRef {
    /// `{{resolve:ssm:name[:version]}}` (also `ssm-secure`).
    Ssm {
        /// The parameter name.
        name: String,
    },
    /// `{{resolve:secretsmanager:secret-id[:SecretString[:json-key[:stage[:version]]]]}}`.
    Secret {
        /// The secret's name or ARN.
        secret_id: String,
        /// The JSON key, if any.
        json_key: Option<String>,
    },
}

/// The dynamic references (`{{resolve:...}}`) in `v`, or an error for a malformed one.
pub fn dynamic_refs(v: &Value) -> Result<Vec<DynamicRef>, EvalError> {
    let mut out = Vec::new();
    walk_strings(v, &mut |s| {
        let mut rest = s;
        while let Some(i) = rest.find("{{resolve:") {
            let after = &rest[i + 10..];
            let Some(j) = after.find("}}") else { break };
            let body = &after[..j];
            rest = &after[j + 2..];
            let (service, id) = body.split_once(':').unwrap_or((body, ""));
            match service {
                "ssm" | "ssm-secure" => {
                    let name = if id.starts_with("arn:") {
                        id.to_string()
                    } else {
                        id.split(':').next().unwrap_or_default().to_string()
                    };
                    out.push(Ok(DynamicRef::Ssm { name }));
                }
                "secretsmanager" => {
                    // A secret id that is an ARN holds colons of its own: 7 fields.
                    let parts: Vec<&str> = id.split(':').collect();
                    let (secret_id, rest_parts) = if id.starts_with("arn:") && parts.len() >= 7 {
                        (parts[..7].join(":"), &parts[7..])
                    } else {
                        (parts[0].to_string(), &parts[1..])
                    };
                    let json_key = rest_parts
                        .get(1)
                        .filter(|k| !k.is_empty())
                        .map(|k| (*k).to_string());
                    out.push(Ok(DynamicRef::Secret {
                        secret_id,
                        json_key,
                    }));
                }
                other => out.push(Err(verr(format!(
                    "Unsupported dynamic reference service: {other}"
                )))),
            }
        }
    });
    out.into_iter().collect()
}

fn walk_strings(v: &Value, f: &mut dyn FnMut(&str)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter().for_each(|x| walk_strings(x, f)),
        Value::Object(m) => m.values().for_each(|x| walk_strings(x, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_cidr() {
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64(b"hi!"), "aGkh");
        assert_eq!(
            cidr("10.0.0.0/16", 3, 8).unwrap(),
            ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]
        );
        assert!(cidr("10.0.0.0/24", 3, 8).is_err());
    }

    #[test]
    fn dynamic_references_are_found() {
        let v = json!({"P": "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-2:1:secret:db-AbCdEf:SecretString:password}}", "Q": ["x{{resolve:ssm:/a/b:3}}"]});
        assert_eq!(
            dynamic_refs(&v).unwrap(),
            vec![
                DynamicRef::Secret {
                    secret_id: "arn:aws:secretsmanager:us-east-2:1:secret:db-AbCdEf".into(),
                    json_key: Some("password".into())
                },
                DynamicRef::Ssm {
                    name: "/a/b".into()
                }
            ]
        );
    }
}
