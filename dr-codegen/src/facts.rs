//! `dr-core/src/resource_facts/generated.rs`: the static table of resource-type facts.

use std::fmt::Write as _;

use crate::schema::Schema;

fn list(out: &mut String, field: &str, items: &[String]) {
    let _ = write!(out, "{field}: &[");
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{it:?}");
    }
    out.push_str("],\n");
}

/// The generated Rust source (unformatted, without the `@generated` header).
pub fn generate(schemas: &[Schema]) -> String {
    let mut sorted: Vec<&Schema> = schemas.iter().collect();
    sorted.sort_by(|a, b| a.type_name.cmp(&b.type_name));
    let mut out = String::new();
    out.push_str(
        "//! Facts about every vendored resource type, generated from its resource provider schema.\n\n\
         use super::ResourceTypeFacts;\n\n\
         /// Every vendored resource type, sorted by type name.\n\
         pub(super) static ALL: &[ResourceTypeFacts] = &[\n",
    );
    for s in sorted {
        out.push_str("ResourceTypeFacts {\n");
        let _ = writeln!(out, "type_name: {:?},", s.type_name);
        list(&mut out, "create_only", &s.create_only);
        list(
            &mut out,
            "conditional_create_only",
            &s.conditional_create_only,
        );
        list(&mut out, "read_only", &s.read_only);
        list(&mut out, "write_only", &s.write_only);
        list(&mut out, "required", &s.required);
        list(&mut out, "attributes", &s.attributes());
        list(&mut out, "primary_identifier", &s.primary_identifier);
        out.push_str("},\n");
    }
    out.push_str("];\n");
    out
}
