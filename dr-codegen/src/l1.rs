//! `dr-aws-constructs/src/l1/`: one module per service, one struct per resource type.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::docs::first_sentence;
use crate::names::{snake, upper_camel};
use crate::schema::Schema;

/// A property's Rust type.
#[derive(Debug, Clone)]
enum Ty {
    /// `Val<String>`, `Val<i64>`, `Val<f64>`, `Val<bool>`.
    Val(&'static str),
    /// `Expr`: free-form objects, multi-type and unknown values.
    Expr,
    /// `Vec<T>`.
    Vec(Box<Ty>),
    /// A generated nested struct, by name (in the resource's submodule).
    Struct(String),
    /// A struct shared by every module, defined in `l1/mod.rs` (`Tag`).
    Common(&'static str),
}

impl Ty {
    /// `local`: the path prefix of the resource's nested structs; `common`: of `l1/mod.rs`.
    fn render(&self, local: &str, common: &str) -> String {
        match self {
            Ty::Val(t) => format!("Val<{t}>"),
            Ty::Expr => "Expr".into(),
            Ty::Vec(t) => format!("Vec<{}>", t.render(local, common)),
            Ty::Struct(n) => format!("{local}{n}"),
            Ty::Common(n) => format!("{common}{n}"),
        }
    }
    fn uses_val(&self) -> bool {
        match self {
            Ty::Val(_) => true,
            Ty::Vec(t) => t.uses_val(),
            _ => false,
        }
    }
}

#[derive(Debug)]
struct Field {
    cfn: String,
    rust: String,
    ty: Ty,
    doc: String,
    required: bool,
    create_only: bool,
    conditional_create_only: bool,
}

#[derive(Debug)]
struct StructDef {
    name: String,
    doc: String,
    fields: Vec<Field>,
}

/// Names a generated submodule cannot use for its own types.
const RESERVED: &[&str] = &[
    "Expr", "Val", "Props", "ToProp", "Option", "Vec", "String", "Box",
];

struct ResourceGen<'a> {
    schema: &'a Schema,
    /// Nested structs, in discovery order; `None` for a slot given up (no writable field).
    structs: Vec<Option<StructDef>>,
    /// Definition name -> generated struct name (`None` while being generated).
    by_def: HashMap<String, Option<String>>,
    used_names: HashSet<String>,
}

impl<'a> ResourceGen<'a> {
    fn new(schema: &'a Schema) -> Self {
        ResourceGen {
            schema,
            structs: Vec::new(),
            by_def: HashMap::new(),
            used_names: RESERVED.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn alloc_name(&mut self, base: &str) -> String {
        let base = upper_camel(base);
        let mut name = base.clone();
        let mut i = 2;
        while self.used_names.contains(&name) {
            name = format!("{base}{i}");
            i += 1;
        }
        self.used_names.insert(name.clone());
        name
    }

    fn ty_of(&mut self, node: &Value, path: &str, hint: &str) -> Ty {
        if let Some((def_name, def)) = self.schema.deref(node) {
            if self.is_tag(def) {
                return Ty::Common("Tag");
            }
            if has_properties(def) {
                return match self.by_def.get(def_name) {
                    Some(Some(n)) => Ty::Struct(n.clone()),
                    // A definition that (indirectly) contains itself: leave it free-form.
                    Some(None) => Ty::Expr,
                    None => {
                        let def_name = def_name.to_string();
                        self.by_def.insert(def_name.clone(), None);
                        let t = self.struct_of(def, path, &def_name);
                        if let Ty::Struct(n) = &t {
                            self.by_def.insert(def_name, Some(n.clone()));
                        }
                        t
                    }
                };
            }
            return self.ty_of(def, path, def_name);
        }
        match node.get("type") {
            Some(Value::String(t)) => match t.as_str() {
                "string" => Ty::Val("String"),
                "integer" => Ty::Val("i64"),
                "number" => Ty::Val("f64"),
                "boolean" => Ty::Val("bool"),
                "array" => match node.get("items") {
                    Some(items) => Ty::Vec(Box::new(self.ty_of(items, &format!("{path}.*"), hint))),
                    None => Ty::Vec(Box::new(Ty::Expr)),
                },
                "object" if self.is_tag(node) => Ty::Common("Tag"),
                "object" if has_properties(node) => self.struct_of(node, path, hint),
                _ => Ty::Expr,
            },
            None if has_properties(node) => self.struct_of(node, path, hint),
            _ => Ty::Expr,
        }
    }

    /// Whether an object node is a plain tag: exactly the string properties `Key` and `Value`.
    fn is_tag(&self, node: &Value) -> bool {
        let Some(props) = node.get("properties").and_then(Value::as_object) else {
            return false;
        };
        let is_string = |k: &str| {
            props
                .get(k)
                .map(|n| {
                    self.schema.resolve(n).get("type").and_then(Value::as_str) == Some("string")
                })
                .unwrap_or(false)
        };
        props.len() == 2 && is_string("Key") && is_string("Value")
    }

    /// Generates the struct for an object node reached at `path`; `Ty::Expr` when none of its
    /// properties is writable.
    fn struct_of(&mut self, node: &Value, path: &str, hint: &str) -> Ty {
        let name = self.alloc_name(hint);
        let slot = self.structs.len();
        self.structs.push(None);
        let fields = self.fields(node, Some(path));
        if fields.is_empty() {
            return Ty::Expr;
        }
        let doc = match node
            .get("description")
            .and_then(Value::as_str)
            .and_then(first_sentence)
        {
            Some(d) => d,
            None => format!("The `{hint}` property type of `{}`.", self.schema.type_name),
        };
        self.structs[slot] = Some(StructDef {
            name: name.clone(),
            doc,
            fields,
        });
        Ty::Struct(name)
    }

    /// The writable fields of an object node (`path` None: the resource's top level).
    fn fields(&mut self, node: &Value, path: Option<&str>) -> Vec<Field> {
        let empty = serde_json::Map::new();
        let props = node
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let required: Vec<&str> = node
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (cfn, sub) in props {
            let sub_path = match path {
                Some(p) => format!("{p}.{cfn}"),
                None => cfn.clone(),
            };
            if self.schema.is_read_only(&sub_path) {
                continue;
            }
            let mut rust = snake(cfn);
            while !seen.insert(rust.clone()) {
                rust.push('_');
            }
            let ty = self.ty_of(sub, &sub_path, cfn);
            let doc = sub
                .get("description")
                .and_then(Value::as_str)
                .and_then(first_sentence)
                .unwrap_or_else(|| format!("The `{cfn}` property."));
            out.push(Field {
                rust,
                ty,
                doc,
                required: required.contains(&cfn.as_str()),
                create_only: self.schema.create_only.contains(&sub_path),
                conditional_create_only: self.schema.conditional_create_only.contains(&sub_path),
                cfn: cfn.clone(),
            });
        }
        out
    }
}

fn has_properties(node: &Value) -> bool {
    node.get("properties")
        .and_then(Value::as_object)
        .is_some_and(|m| !m.is_empty())
}

fn field_doc(out: &mut String, f: &Field) {
    let _ = writeln!(out, "/// `{}`: {}", f.cfn, f.doc);
    let mut notes = Vec::new();
    if f.required {
        notes.push("Required.");
    }
    if f.create_only {
        notes.push("Create-only: changing it replaces the resource.");
    } else if f.conditional_create_only {
        notes.push("Conditionally create-only: changing it may replace the resource.");
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "///\n/// {}", notes.join(" "));
    }
}

fn emit_struct(
    out: &mut String,
    name: &str,
    doc: &str,
    fields: &[Field],
    local: &str,
    common: &str,
) {
    out.push_str(doc);
    out.push_str("#[derive(Debug, Clone, Default)]\n");
    let _ = writeln!(out, "pub struct {name} {{");
    for f in fields {
        field_doc(out, f);
        let _ = writeln!(
            out,
            "pub {}: Option<{}>,",
            f.rust,
            f.ty.render(local, common)
        );
    }
    out.push_str("}\n\n");
    let _ = writeln!(out, "impl {name} {{");
    out.push_str(
        "/// The CloudFormation properties: a map with the schema's property names, in schema\n\
         /// order, leaving out unset fields.\n",
    );
    if fields.is_empty() {
        out.push_str("pub fn to_expr(&self) -> Expr {\nProps::default().into_expr()\n}\n");
    } else {
        out.push_str("pub fn to_expr(&self) -> Expr {\nlet mut p = Props::default();\n");
        for f in fields {
            let _ = writeln!(out, "p.set({:?}, &self.{});", f.cfn, f.rust);
        }
        out.push_str("p.into_expr()\n}\n");
    }
    out.push_str("}\n\n");
}

/// One resource type's generated code: the resource struct and its submodule of nested types.
struct ResourceCode {
    body: String,
    uses_val: bool,
    structs: usize,
}

fn resource_code(schema: &Schema) -> ResourceCode {
    let (_, resource) = schema.service_and_resource();
    let struct_name = format!("Cfn{}", upper_camel(resource));
    let sub_mod = snake(resource);
    let mut g = ResourceGen::new(schema);
    let top = Value::Object(
        [(
            "properties".to_string(),
            Value::Object(schema.properties.clone()),
        )]
        .into_iter()
        .collect(),
    );
    let mut fields = g.fields(&top, None);
    for f in &mut fields {
        f.required = schema.required.contains(&f.cfn);
    }
    let nested: Vec<StructDef> = g.structs.into_iter().flatten().collect();

    let mut out = String::new();
    let mut doc = String::new();
    let desc = first_sentence(&schema.description)
        .unwrap_or_else(|| format!("The `{}` resource.", schema.type_name));
    let _ = writeln!(doc, "/// `{}`: {desc}", schema.type_name);
    let attributes = schema.attributes();
    doc.push_str("///\n/// Implements [`ResourceProps`]; add it to a scope with `Scope::add`.");
    if !attributes.is_empty() {
        let list: Vec<String> = attributes.iter().map(|a| format!("`{a}`")).collect();
        let _ = write!(doc, " `Fn::GetAtt` attributes: {}.", list.join(", "));
    }
    if !nested.is_empty() {
        let _ = write!(doc, " Nested property types are in [`{sub_mod}`].");
    }
    doc.push('\n');
    let prefix = if nested.is_empty() {
        String::new()
    } else {
        format!("{sub_mod}::")
    };
    emit_struct(&mut out, &struct_name, &doc, &fields, &prefix, "super::");

    let _ = writeln!(out, "impl ResourceProps for {struct_name} {{");
    let _ = writeln!(
        out,
        "const TYPE_NAME: &'static str = {:?};",
        schema.type_name
    );
    out.push_str("fn to_properties(&self) -> Expr {\nself.to_expr()\n}\n");
    let required: Vec<&Field> = fields.iter().filter(|f| f.required).collect();
    if required.is_empty() {
        out.push_str("fn missing_required(&self) -> Vec<&'static str> {\nVec::new()\n}\n");
    } else {
        out.push_str(
            "fn missing_required(&self) -> Vec<&'static str> {\nlet mut missing = Vec::new();\n",
        );
        for f in required {
            let _ = writeln!(
                out,
                "if self.{}.is_none() {{\nmissing.push({:?});\n}}",
                f.rust, f.cfn
            );
        }
        out.push_str("missing\n}\n");
    }
    out.push_str("}\n\n");

    let uses_val = fields.iter().any(|f| f.ty.uses_val());
    if !nested.is_empty() {
        let nested_val = nested
            .iter()
            .flat_map(|s| &s.fields)
            .any(|f| f.ty.uses_val());
        let _ = writeln!(out, "/// Nested property types of [`{struct_name}`].");
        let _ = writeln!(out, "pub mod {sub_mod} {{");
        out.push_str(if nested_val {
            "use dr_core::{Expr, Val};\n"
        } else {
            "use dr_core::Expr;\n"
        });
        out.push_str("use super::super::support::{Props, ToProp};\n\n");
        for s in &nested {
            let doc = format!("/// {}\n", s.doc);
            emit_struct(&mut out, &s.name, &doc, &s.fields, "", "super::super::");
            let _ = writeln!(
                out,
                "impl ToProp for {} {{\nfn to_prop(&self) -> Expr {{\nself.to_expr()\n}}\n}}\n",
                s.name
            );
        }
        out.push_str("}\n\n");
    }
    ResourceCode {
        body: out,
        uses_val,
        structs: 1 + nested.len(),
    }
}

/// A generated file of the L1 module: (file name in `l1/`, unformatted source).
pub struct L1File {
    /// `ec2.rs`, `mod.rs`, ...
    pub name: String,
    /// The source, without the `@generated` header.
    pub source: String,
}

/// Generated L1 files, and the number of structs generated.
pub fn generate(schemas: &[Schema]) -> (Vec<L1File>, usize) {
    let mut by_service: BTreeMap<String, Vec<&Schema>> = BTreeMap::new();
    for s in schemas {
        let (service, _) = s.service_and_resource();
        by_service
            .entry(service.to_ascii_lowercase())
            .or_default()
            .push(s);
    }
    let mut files = Vec::new();
    let mut total = 0;
    let mut mod_rs = String::from(MOD_DOC);
    for (service, types) in &by_service {
        let aws_service = types[0].service_and_resource().0;
        let _ = writeln!(mod_rs, "pub mod {service};");
        let mut body = String::new();
        let mut uses_val = false;
        let mut sorted = types.clone();
        sorted.sort_by(|a, b| a.type_name.cmp(&b.type_name));
        for s in sorted {
            let code = resource_code(s);
            uses_val |= code.uses_val;
            total += code.structs;
            body.push_str(&code.body);
        }
        let mut src = format!(
            "//! `AWS::{aws_service}::*` resource types (L1), generated from the CloudFormation resource\n\
             //! provider schemas vendored in `dr-core/schemas`.\n\n"
        );
        src.push_str(if uses_val {
            "use dr_core::{Expr, ResourceProps, Val};\n"
        } else {
            "use dr_core::{Expr, ResourceProps};\n"
        });
        src.push_str("use super::support::Props;\n\n");
        src.push_str(&body);
        files.push(L1File {
            name: format!("{service}.rs"),
            source: src,
        });
    }
    mod_rs.push_str(TAG);
    files.push(L1File {
        name: "mod.rs".into(),
        source: mod_rs,
    });
    (files, total)
}

const MOD_DOC: &str = "//! L1: one Rust struct per CloudFormation resource type drkit uses, generated by\n\
//! `cargo run -p dr-codegen` from the resource provider schemas vendored in `dr-core/schemas`.\n\
//!\n\
//! One module per service (`ec2`, `rds`, ...), one struct per resource type named `Cfn` plus\n\
//! the resource name (`ec2::CfnVpc`, `rds::CfnDbCluster`), and a submodule named after the\n\
//! resource (`ec2::launch_template`) holding its nested property types.\n\
//! Plain `Key`/`Value` tags share one type, [`Tag`].\n\
//!\n\
//! Casing rule: a CloudFormation name is split into words at case changes (in a run of\n\
//! capitals the last one starts the next word, digits stay with the word before), then each\n\
//! word is capitalized for types (`DBCluster` -> `DbCluster`, `VPCGatewayAttachment` ->\n\
//! `VpcGatewayAttachment`) or lower-cased and joined by `_` for fields and modules\n\
//! (`DBClusterIdentifier` -> `db_cluster_identifier`; `Type` -> `r#type`).\n\
//!\n\
//! Fields are the writable (not read-only) properties, each an `Option`; value types:\n\
//! string -> `Val<String>`, integer -> `Val<i64>`, number -> `Val<f64>`, boolean ->\n\
//! `Val<bool>`, array -> `Vec<T>`, object with defined properties -> a nested struct,\n\
//! free-form objects (policy documents, tag maps) and multi-type values -> `Expr`.\n\
//! `to_expr` renders the properties in schema order; every resource struct implements\n\
//! [`dr_core::ResourceProps`]. For a type not listed here, use `Scope::add_resource` with\n\
//! the type name and raw properties.\n\n";

const TAG: &str = "
mod support;

use dr_core::{Expr, Val};

/// A resource tag, shared by every resource type whose schema defines its tags as exactly a
/// string `Key` and a string `Value`.
#[derive(Debug, Clone, Default)]
pub struct Tag {
    /// `Key`: the tag key. Required by CloudFormation.
    pub key: Option<Val<String>>,
    /// `Value`: the tag value.
    pub value: Option<Val<String>>,
}

impl Tag {
    /// A tag with both key and value set.
    pub fn new(key: impl Into<Val<String>>, value: impl Into<Val<String>>) -> Self {
        Tag { key: Some(key.into()), value: Some(value.into()) }
    }

    /// The CloudFormation properties: a map with the schema's property names, in schema
    /// order, leaving out unset fields.
    pub fn to_expr(&self) -> Expr {
        let mut p = support::Props::default();
        p.set(\"Key\", &self.key);
        p.set(\"Value\", &self.value);
        p.into_expr()
    }
}

impl support::ToProp for Tag {
    fn to_prop(&self) -> Expr {
        self.to_expr()
    }
}
";
