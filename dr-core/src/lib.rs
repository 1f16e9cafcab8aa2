//! drkit core: the construct tree, logical ids, tokens, the CloudFormation template model,
//! diagnostics, region and resource-type facts, and the [`cloud::Cloud`] port.
//!
//! Nothing here talks to AWS: the `Cloud` port is a trait, implemented by `dr-aws` (the AWS SDK)
//! and `dr-local` (the simulator).

pub mod arn;
pub mod cloud;
pub mod diagnostics;
pub mod expr;
pub mod facts;
pub mod logical_id;
pub mod provider_rules;
pub mod region;
pub mod resource_facts;
pub mod suggest;
pub mod template;
pub mod token;
pub mod tree;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use expr::{Expr, Pseudo, RefSite, Resolve, Unresolved, Val};
pub use region::{Region, UnknownRegion};
pub use template::{DeletionPolicy, Output, Parameter, Resource, Template, TemplateJson};
pub use token::{AppId, Lookup, LookupKind, NodeId, Token};
pub use tree::{
    App, CfnResource, Element, Node, NodeKind, Scope, Stack, StackInfo, StackProps, Tree,
};

/// Typed properties of one CloudFormation resource type (an L1 struct), generated from the
/// resource provider schema.
pub trait ResourceProps {
    /// The CloudFormation type name, e.g. `AWS::EC2::VPC`.
    const TYPE_NAME: &'static str;
    /// The properties as a template value (an [`Expr::Map`], CloudFormation names).
    fn to_properties(&self) -> Expr;
    /// The required properties left unset.
    fn missing_required(&self) -> Vec<&'static str>;
}

impl Scope {
    /// Adds a typed resource. Required properties left unset are reported as an error on the
    /// resource's path (CloudFormation would reject the template).
    pub fn add<P: ResourceProps>(&self, id: &str, props: &P) -> CfnResource {
        let r = self.add_resource(id, P::TYPE_NAME, props.to_properties());
        let missing = props.missing_required();
        if !missing.is_empty() {
            r.scope().error(
                diagnostics::codes::L1_001,
                format!(
                    "{} is missing required properties: {}",
                    P::TYPE_NAME,
                    missing.join(", ")
                ),
                "set them on the props struct",
            );
        }
        r
    }
}
