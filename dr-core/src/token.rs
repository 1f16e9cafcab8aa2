//! Tokens: typed references to another construct's attribute, and deploy-time lookups.

/// Identifies one [`App`](crate::App); tokens carry it so that a token used in another app is
/// caught at synthesis instead of producing a dangling reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppId(pub(crate) u64);

/// Index of a node in an app's construct tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) usize);

impl NodeId {
    /// The index, for diagnostics and maps.
    pub fn index(self) -> usize {
        self.0
    }
}

/// A reference to an attribute of a template element (a resource or a parameter) of some stack.
///
/// Synthesis resolves it relative to the stack that uses it: `Ref`/`Fn::GetAtt` in the same
/// stack, and in any other stack (same Region or not) an `Output` in the producer plus a
/// `Parameter` in the consumer, filled by the deployer; never an export, which would lock the
/// producer. Using it records a dependency of the consumer stack on the producer stack.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Token {
    pub(crate) app: AppId,
    pub(crate) element: NodeId,
    pub(crate) attribute: Option<String>,
}

impl Token {
    /// The app the referenced element belongs to.
    pub fn app(&self) -> AppId {
        self.app
    }
    /// The referenced element's node.
    pub fn element(&self) -> NodeId {
        self.element
    }
    /// `None` for `Ref`, the attribute name for `Fn::GetAtt`.
    pub fn attribute(&self) -> Option<&str> {
        self.attribute.as_deref()
    }
}

/// What the deployer reads through the `Cloud` port for a [`Lookup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LookupKind {
    /// `DescribeGlobalClusters` → `GlobalCluster.Endpoint`, the Aurora global writer endpoint.
    /// CloudFormation documents `GlobalEndpoint.Address` but cannot serve it (open issue
    /// <https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/2364>),
    /// so the deployer reads it once the global cluster exists. The input is the global
    /// cluster identifier.
    GlobalClusterWriterEndpoint,
}

impl LookupKind {
    /// The stable name written into the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            LookupKind::GlobalClusterWriterEndpoint => "rds:global-cluster-writer-endpoint",
        }
    }
    /// Parses the manifest name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "rds:global-cluster-writer-endpoint" => Some(LookupKind::GlobalClusterWriterEndpoint),
            _ => None,
        }
    }
}

/// A value CloudFormation cannot give, read by the deployer once the producer of `input` is
/// deployed, and passed to the consumer stack as a parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lookup {
    /// What to read.
    pub kind: LookupKind,
    /// The value the read needs (e.g. the global cluster id), produced by another stack.
    pub input: Token,
}
