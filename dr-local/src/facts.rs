//! The resource-type facts the simulator needs, read from `dr_core::resource_facts` (generated
//! from the CloudFormation resource provider schemas).

use dr_core::cloud::RequiresRecreation;
use dr_core::resource_facts::{self, ResourceTypeFacts};

fn facts(type_name: &str) -> Option<&'static ResourceTypeFacts> {
    resource_facts::resource_type(type_name)
}

/// Whether `Fn::GetAtt` of `attribute` is valid for the type. `None` when the type's schema
/// is not vendored (the simulator then accepts what it generated).
pub fn has_attribute(type_name: &str, attribute: &str) -> Option<bool> {
    facts(type_name).map(|f| f.has_attribute(attribute))
}

/// `RequiresRecreation` for a change of the property at `path` (dotted, e.g.
/// `HealthCheckConfig.Type`): `Always` for create-only properties (or inside one, or
/// enclosing one), `Conditionally` for conditionally create-only ones, `Never` otherwise.
pub fn requires_recreation(type_name: &str, path: &str) -> RequiresRecreation {
    let Some(f) = facts(type_name) else {
        return RequiresRecreation::Never;
    };
    let encloses = |list: &[&str]| list.iter().any(|c| c.starts_with(&format!("{path}.")));
    if f.is_create_only(path) || encloses(f.create_only) {
        RequiresRecreation::Always
    } else if f.is_conditionally_create_only(path) || encloses(f.conditional_create_only) {
        RequiresRecreation::Conditionally
    } else {
        RequiresRecreation::Never
    }
}
