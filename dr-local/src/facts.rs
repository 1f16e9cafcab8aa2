//! The resource-type facts the simulator needs, read from `dr_core::resource_facts` (generated
//! from the CloudFormation resource provider schemas).

use dr_core::resource_facts::{self, ResourceTypeFacts};

pub use dr_core::resource_facts::requires_recreation;

fn facts(type_name: &str) -> Option<&'static ResourceTypeFacts> {
    resource_facts::resource_type(type_name)
}

/// Whether `Fn::GetAtt` of `attribute` is valid for the type. `None` when the type's schema
/// is not vendored (the simulator then accepts what it generated).
pub fn has_attribute(type_name: &str, attribute: &str) -> Option<bool> {
    facts(type_name).map(|f| f.has_attribute(attribute))
}
