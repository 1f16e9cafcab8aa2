//! The construct tree: an [`App`] holds [`Stack`]s, which hold constructs, which hold template
//! elements (resources, parameters, outputs, conditions). Like the `constructs` library's
//! `Construct`: an id, a scope, children, metadata and validation, nothing else.
//!
//! Constructs are plain Rust values holding a [`Scope`], a cheap handle into the app's tree,
//! so they compose by ordinary function calls and can be passed by reference in props.

use crate::diagnostics::codes;
use std::borrow::Cow;
use std::cell::{Ref, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use indexmap::IndexMap;
use serde_json::Value;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::expr::Expr;
use crate::logical_id::make_logical_id;
use crate::region::Region;
use crate::template::{DeletionPolicy, Output, Parameter, Resource, check_stack_name};
use crate::token::{AppId, NodeId, Token};

static NEXT_APP_ID: AtomicU64 = AtomicU64::new(1);

/// A deferred check run at synthesis, when the whole tree is built.
pub type Validation = Box<dyn Fn(&Tree) -> Vec<Diagnostic>>;

/// What a node is.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// The root.
    App,
    /// A CloudFormation stack.
    Stack(StackInfo),
    /// Any other construct.
    Construct,
}

/// A stack's settings.
#[derive(Debug, Clone)]
pub struct StackInfo {
    /// The CloudFormation stack name.
    pub name: String,
    /// Where it deploys.
    pub region: Region,
    /// The account, when pinned; `None` deploys to the credentials' account.
    pub account: Option<String>,
    /// The template description.
    pub description: Option<String>,
    /// Whether the deployer turns termination protection on.
    pub termination_protection: bool,
    /// Stacks this one must deploy after, beyond those its tokens imply.
    pub explicit_dependencies: Vec<NodeId>,
}

/// A template element held by a node.
#[derive(Debug, Clone)]
pub enum Element {
    /// A resource.
    Resource(Resource),
    /// A parameter.
    Parameter(Parameter),
    /// An output.
    Output(Output),
    /// A condition.
    Condition(Expr),
}

/// One node of the tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// The id, unique among siblings.
    pub id: String,
    /// The parent, `None` for the app.
    pub parent: Option<NodeId>,
    /// Children in creation order.
    pub children: Vec<NodeId>,
    /// App, stack or construct.
    pub kind: NodeKind,
    /// Free-form metadata (e.g. the DR plan's Table 1.1 row under `drkit:summary`).
    pub metadata: Vec<(String, Value)>,
    /// The template element, when the node is one.
    pub element: Option<Element>,
    /// A pinned logical id, replacing the allocated one.
    pub logical_id_override: Option<String>,
    /// The allocated logical id, computed on first use: it is an MD5 of the path, which never
    /// changes, and synthesis asks for it once per reference.
    allocated_logical_id: std::cell::OnceCell<Option<String>>,
    /// Nested property overrides of a resource, applied at synthesis in the order added.
    pub property_overrides: Vec<PropertyOverride>,
}

/// One nested override of a resource's properties (see
/// [`CfnResource::add_property_override`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyOverride {
    /// The path as given, e.g. `A.B.0.C`.
    pub path: String,
    /// The path's keys and indexes, split once when the override is added.
    pub segments: Vec<String>,
    /// The value to set there; `None` deletes the value.
    pub value: Option<Expr>,
}

/// The whole tree of one app. Read it through [`App::tree`].
pub struct Tree {
    app: AppId,
    name: String,
    nodes: Vec<Node>,
    diagnostics: Vec<Diagnostic>,
    validations: Vec<Validation>,
}

impl std::fmt::Debug for Tree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tree")
            .field("name", &self.name)
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

impl Tree {
    /// The app's id.
    pub fn app_id(&self) -> AppId {
        self.app
    }
    /// The app's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// A node.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }
    /// The node of a token's element, if the token belongs to this app.
    pub fn token_node(&self, token: &Token) -> Option<&Node> {
        (token.app == self.app)
            .then(|| self.nodes.get(token.element.0))
            .flatten()
    }
    /// The root node's id.
    pub fn root(&self) -> NodeId {
        NodeId(0)
    }
    /// Every node id, depth first in creation order (parents before children).
    pub fn walk(&self) -> Vec<NodeId> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack = vec![NodeId(0)];
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(self.nodes[n.0].children.iter().rev());
        }
        out
    }
    /// The ids of the app's stacks, in creation order.
    pub fn stacks(&self) -> Vec<NodeId> {
        self.walk()
            .into_iter()
            .filter(|n| matches!(self.nodes[n.0].kind, NodeKind::Stack(_)))
            .collect()
    }
    /// A stack's settings.
    pub fn stack_info(&self, stack: NodeId) -> Option<&StackInfo> {
        match &self.nodes[stack.0].kind {
            NodeKind::Stack(info) => Some(info),
            _ => None,
        }
    }
    /// The nearest stack at or above `node`.
    pub fn stack_of(&self, node: NodeId) -> Option<NodeId> {
        let mut cur = Some(node);
        while let Some(n) = cur {
            if matches!(self.nodes[n.0].kind, NodeKind::Stack(_)) {
                return Some(n);
            }
            cur = self.nodes[n.0].parent;
        }
        None
    }
    /// The ids from the root's child down to `node` (the app's own id is not part of a path).
    pub fn path_components(&self, node: NodeId) -> Vec<&str> {
        let mut out = Vec::new();
        let mut cur = Some(node);
        while let Some(n) = cur {
            if n.0 != 0 {
                out.push(self.nodes[n.0].id.as_str());
            }
            cur = self.nodes[n.0].parent;
        }
        out.reverse();
        out
    }
    /// The construct path: ids from the stack level down, joined by `/`.
    pub fn path(&self, node: NodeId) -> String {
        self.path_components(node).join("/")
    }
    /// The element nodes below a stack (not below nested stacks), in tree order.
    pub fn elements_of_stack(&self, stack: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut todo = vec![stack];
        while let Some(n) = todo.pop() {
            let node = &self.nodes[n.0];
            if node.element.is_some() {
                out.push(n);
            }
            for c in node.children.iter().rev() {
                if !matches!(self.nodes[c.0].kind, NodeKind::Stack(_)) {
                    todo.push(*c);
                }
            }
        }
        out
    }
    /// The logical id of an element: its override, or the CDK-style id from its path below
    /// its stack.
    pub fn logical_id(&self, element: NodeId) -> Option<String> {
        let node = &self.nodes[element.0];
        if let Some(id) = &node.logical_id_override {
            return Some(id.clone());
        }
        node.allocated_logical_id
            .get_or_init(|| {
                let stack = self.stack_of(element)?;
                let all = self.path_components(element);
                let depth = self.path_components(stack).len();
                make_logical_id(&all[depth..])
            })
            .clone()
    }
    /// Diagnostics recorded while building, plus those of the deferred validations and of
    /// the property overrides that cannot apply.
    pub fn diagnostics(&self) -> Diagnostics {
        let mut all = self.diagnostics.clone();
        for v in &self.validations {
            all.extend(v(self));
        }
        // Only a resource with overrides is copied, to try them on.
        for (i, node) in self.nodes.iter().enumerate() {
            if node.property_overrides.is_empty() {
                continue;
            }
            if let Some(Element::Resource(r)) = &node.element {
                let mut properties = r.properties.clone();
                for o in &node.property_overrides {
                    if let Err(why) = apply_override(&mut properties, o) {
                        all.push(
                            Diagnostic::error(
                                self.path(NodeId(i)),
                                codes::TREE_004,
                                format!("property override `{}`: {why}", o.path),
                            )
                            .with_hint(
                                "check the property's shape in the resource type's CloudFormation reference; keys are separated by `.` (`\\.` for a dot in a key), numbers index lists",
                            ),
                        );
                    }
                }
            }
        }
        Diagnostics(all).merge_repeats()
    }
    /// The element of `node` as synthesis writes it: a resource gets its property overrides
    /// applied, in the order they were added, after everything the constructs set. An
    /// override that cannot apply is left out here and reported by [`Tree::diagnostics`].
    /// An element without overrides is borrowed, not copied.
    pub fn synthesized_element(&self, node: NodeId) -> Option<Cow<'_, Element>> {
        let n = self.nodes.get(node.0)?;
        let element = n.element.as_ref()?;
        if n.property_overrides.is_empty() {
            return Some(Cow::Borrowed(element));
        }
        let mut element = element.clone();
        if let Element::Resource(r) = &mut element {
            for o in &n.property_overrides {
                let _ = apply_override(&mut r.properties, o);
            }
        }
        Some(Cow::Owned(element))
    }
    /// Every metadata entry with `key`, with the path of its node, in tree order.
    pub fn metadata_entries(&self, key: &str) -> Vec<(String, Value)> {
        self.walk()
            .into_iter()
            .flat_map(|n| {
                self.nodes[n.0]
                    .metadata
                    .iter()
                    .filter(|(k, _)| k == key)
                    .map(move |(_, v)| (self.path(n), v.clone()))
            })
            .collect()
    }
}

/// A handle to one node of an app's tree. Cloning it is cheap; every construct holds one.
#[derive(Clone)]
pub struct Scope {
    tree: Rc<RefCell<Tree>>,
    node: NodeId,
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scope({})", self.path())
    }
}

impl Scope {
    fn add_node(&self, id: &str, kind: NodeKind) -> Scope {
        let mut tree = self.tree.borrow_mut();
        // The paths are only for a diagnostic: built when one is reported, as almost no node
        // reports one.
        let here = |parent_path: &str| {
            if parent_path.is_empty() {
                id.to_string()
            } else {
                format!("{parent_path}/{id}")
            }
        };
        if id.is_empty() || id.contains('/') {
            let here = here(&tree.path(self.node));
            tree.diagnostics.push(
                Diagnostic::error(
                    &here,
                    codes::TREE_002,
                    format!("construct id `{id}` must be non-empty and must not contain `/`"),
                )
                .with_hint("choose a plain id such as `Network`"),
            );
        }
        let clash = tree.nodes[self.node.0]
            .children
            .iter()
            .any(|c| tree.nodes[c.0].id == id);
        if clash {
            let parent_path = tree.path(self.node);
            tree.diagnostics.push(
                Diagnostic::error(
                    here(&parent_path),
                    codes::TREE_001,
                    if parent_path.is_empty() {
                        format!("there is already a construct with id `{id}` in the app")
                    } else {
                        format!("there is already a construct with id `{id}` in `{parent_path}`")
                    },
                )
                .with_hint("give each construct a unique id among its siblings"),
            );
        }
        let new = NodeId(tree.nodes.len());
        tree.nodes.push(Node {
            id: id.to_string(),
            parent: Some(self.node),
            children: Vec::new(),
            kind,
            metadata: Vec::new(),
            element: None,
            logical_id_override: None,
            allocated_logical_id: Default::default(),
            property_overrides: Vec::new(),
        });
        tree.nodes[self.node.0].children.push(new);
        Scope {
            tree: self.tree.clone(),
            node: new,
        }
    }

    /// A new child construct with `id`. A duplicate or invalid id is reported as an error
    /// diagnostic at synthesis; it never panics.
    pub fn child(&self, id: &str) -> Scope {
        self.add_node(id, NodeKind::Construct)
    }

    /// The node's id.
    pub fn id(&self) -> String {
        self.tree.borrow().nodes[self.node.0].id.clone()
    }
    /// The node's path.
    pub fn path(&self) -> String {
        self.tree.borrow().path(self.node)
    }
    /// The node.
    pub fn node_id(&self) -> NodeId {
        self.node
    }
    /// The app this node belongs to.
    pub fn app_id(&self) -> AppId {
        self.tree.borrow().app
    }
    /// The stack this node is in.
    pub fn stack_id(&self) -> Option<NodeId> {
        self.tree.borrow().stack_of(self.node)
    }
    /// The Region of the stack this node is in.
    pub fn region(&self) -> Option<Region> {
        let tree = self.tree.borrow();
        tree.stack_of(self.node)
            .and_then(|s| tree.stack_info(s))
            .map(|i| i.region)
    }
    /// The name of the stack this node is in.
    pub fn stack_name(&self) -> Option<String> {
        let tree = self.tree.borrow();
        tree.stack_of(self.node)
            .and_then(|s| tree.stack_info(s))
            .map(|i| i.name.clone())
    }
    /// Whether two scopes are the same node of the same app.
    pub fn same_node(&self, other: &Scope) -> bool {
        Rc::ptr_eq(&self.tree, &other.tree) && self.node == other.node
    }
    /// A handle to another node of the same tree.
    pub fn scope_of(&self, node: NodeId) -> Scope {
        Scope {
            tree: self.tree.clone(),
            node,
        }
    }
    /// The parent construct, `None` at the app.
    pub fn parent(&self) -> Option<Scope> {
        let p = self.tree.borrow().nodes[self.node.0].parent;
        p.map(|p| self.scope_of(p))
    }

    /// Reads the tree.
    pub fn tree(&self) -> Ref<'_, Tree> {
        self.tree.borrow()
    }

    /// Attaches metadata to this node.
    pub fn add_metadata(&self, key: &str, value: Value) {
        self.tree.borrow_mut().nodes[self.node.0]
            .metadata
            .push((key.to_string(), value));
    }
    /// Records a diagnostic.
    pub fn report(&self, diagnostic: Diagnostic) {
        self.tree.borrow_mut().diagnostics.push(diagnostic);
    }
    /// Records an error on this node.
    pub fn error(&self, code: &str, message: impl Into<String>, hint: impl Into<String>) {
        let d = Diagnostic::error(self.path(), code, message).with_hint(hint);
        self.report(d);
    }
    /// Records a warning on this node.
    pub fn warning(&self, code: &str, message: impl Into<String>, hint: impl Into<String>) {
        let d = Diagnostic::warning(self.path(), code, message).with_hint(hint);
        self.report(d);
    }
    /// Records an error on this node about the value of `prop` (see [`Diagnostic::prop`]).
    pub fn prop_error(
        &self,
        prop: &str,
        code: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let d = Diagnostic::error(self.path(), code, message)
            .with_prop(prop)
            .with_hint(hint);
        self.report(d);
    }
    /// Records a warning on this node about the value of `prop`.
    pub fn prop_warning(
        &self,
        prop: &str,
        code: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let d = Diagnostic::warning(self.path(), code, message)
            .with_prop(prop)
            .with_hint(hint);
        self.report(d);
    }
    /// Registers a check that runs at synthesis, when the whole tree is built.
    pub fn add_validation(&self, v: impl Fn(&Tree) -> Vec<Diagnostic> + 'static) {
        self.tree.borrow_mut().validations.push(Box::new(v));
    }

    fn add_element(&self, id: &str, element: Element) -> Scope {
        let s = self.child(id);
        if s.stack_id().is_none() {
            s.error(
                codes::TREE_003,
                "a template element must be inside a stack",
                "create the construct under a Stack (or a DrPair site)",
            );
        }
        s.tree.borrow_mut().nodes[s.node.0].element = Some(element);
        s
    }

    /// Adds a resource of `type_name` with `properties` (an [`Expr::Map`]). This is the raw
    /// escape hatch; typed L1 structs and L2 constructs call it.
    pub fn add_resource(&self, id: &str, type_name: &str, properties: Expr) -> CfnResource {
        CfnResource {
            scope: self.add_element(id, Element::Resource(Resource::new(type_name, properties))),
        }
    }
    /// Adds a parameter; the token is its `Ref`.
    pub fn add_parameter(&self, id: &str, parameter: Parameter) -> Token {
        let s = self.add_element(id, Element::Parameter(parameter));
        Token {
            app: s.app_id(),
            element: s.node,
            attribute: None,
        }
    }
    /// Adds an output.
    pub fn add_output(&self, id: &str, output: Output) -> Scope {
        self.add_element(id, Element::Output(output))
    }
    /// Adds a condition and returns its logical id for `Fn::If` and `Condition`.
    pub fn add_condition(&self, id: &str, condition: Expr) -> String {
        let s = self.add_element(id, Element::Condition(condition));
        let tree = s.tree.borrow();
        tree.logical_id(s.node).unwrap_or_default()
    }
}

/// A resource in the tree: attribute tokens, policies, dependencies, overrides.
#[derive(Clone, Debug)]
pub struct CfnResource {
    scope: Scope,
}

impl CfnResource {
    /// The resource's node.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// `{"Ref": …}` of this resource (its physical id for most types).
    pub fn ref_(&self) -> Token {
        Token {
            app: self.scope.app_id(),
            element: self.scope.node,
            attribute: None,
        }
    }
    /// `{"Fn::GetAtt": [this, attribute]}`.
    pub fn get_att(&self, attribute: &str) -> Token {
        Token {
            app: self.scope.app_id(),
            element: self.scope.node,
            attribute: Some(attribute.to_string()),
        }
    }
    /// The resource's type.
    pub fn type_name(&self) -> String {
        self.with(|r| r.type_name.clone())
    }
    fn with<R>(&self, f: impl FnOnce(&mut Resource) -> R) -> R {
        let mut tree = self.scope.tree.borrow_mut();
        match &mut tree.nodes[self.scope.node.0].element {
            Some(Element::Resource(r)) => f(r),
            _ => unreachable!("a CfnResource always points at a resource node"),
        }
    }
    /// Sets `DeletionPolicy`.
    pub fn set_deletion_policy(&self, p: DeletionPolicy) -> &Self {
        self.with(|r| r.deletion_policy = Some(p));
        self
    }
    /// Sets `UpdateReplacePolicy`.
    pub fn set_update_replace_policy(&self, p: DeletionPolicy) -> &Self {
        self.with(|r| r.update_replace_policy = Some(p));
        self
    }
    /// Sets `UpdatePolicy`, replacing any set before; the value is written as given
    /// (CloudFormation's names: `{"AutoScalingRollingUpdate": {"MaxBatchSize": 1, …}}`).
    /// Property overrides do not reach it: set the whole policy again to change it.
    pub fn set_update_policy(&self, policy: Value) -> &Self {
        self.with(|r| r.update_policy = Some(policy));
        self
    }
    /// The `UpdatePolicy` set, if any.
    pub fn update_policy(&self) -> Option<Value> {
        self.with(|r| r.update_policy.clone())
    }
    /// Sets `CreationPolicy`, replacing any set before; the value is written as given
    /// (`{"ResourceSignal": {"Count": 1, "Timeout": "PT10M"}}`).
    pub fn set_creation_policy(&self, policy: Value) -> &Self {
        self.with(|r| r.creation_policy = Some(policy));
        self
    }
    /// Makes this resource wait for `other` (a cross-stack dependency becomes a stack
    /// dependency).
    pub fn add_depends_on(&self, other: &CfnResource) -> &Self {
        let t = other.ref_();
        self.with(|r| r.depends_on.push(Expr::Token(t)));
        self
    }
    /// Only create the resource when `condition` (a logical id) holds.
    pub fn set_condition(&self, condition: &str) -> &Self {
        self.with(|r| r.condition = Some(condition.to_string()));
        self
    }
    /// Sets one property (top level), replacing it: an escape hatch for what a construct
    /// does not expose.
    pub fn set_property(&self, name: &str, value: impl Into<Expr>) -> &Self {
        let value = value.into();
        self.with(|r| {
            if let Expr::Map(m) = &mut r.properties {
                m.insert(name.to_string(), value);
            } else {
                r.properties = Expr::Map(IndexMap::from([(name.to_string(), value)]));
            }
        });
        self
    }
    /// Overrides a nested property by `path`, as the AWS CDK's `addPropertyOverride` does:
    /// keys separated by `.` (`\.` for a dot inside a key: `"A\\.B"` in Rust), a number indexes a list
    /// (the index equal to the list's length appends), and missing objects on the way are
    /// created. Overrides apply at synthesis, in the order added, on top of the properties
    /// the construct set, so later changes by the construct do not undo them; the value is
    /// written as given (CloudFormation's property names, tokens resolved as anywhere else).
    /// A path that runs into a value that is not an object or a list is reported on this
    /// resource at synthesis (`DRK-TREE-004`).
    ///
    /// ```
    /// # use dr_core::{App, Element, Expr, Region, Stack, StackProps};
    /// let app = App::new("doc");
    /// let stack = Stack::new(&app, "S", StackProps::in_region(Region::UsEast2));
    /// let data = Expr::map([("ImageId", "ami-0123456789abcdef0")]);
    /// let lt = stack.add_resource(
    ///     "Lt",
    ///     "AWS::EC2::LaunchTemplate",
    ///     Expr::map([("LaunchTemplateData", data)]),
    /// );
    /// lt.add_property_override("LaunchTemplateData.MetadataOptions.HttpTokens", "required");
    /// # let tree = app.tree();
    /// # let element = tree.synthesized_element(lt.scope().node_id());
    /// # let Some(Element::Resource(r)) = element.as_deref() else {
    /// #     unreachable!()
    /// # };
    /// # assert_eq!(
    /// #     r.properties.to_json()["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"],
    /// #     "required"
    /// # );
    /// ```
    pub fn add_property_override(&self, path: &str, value: impl Into<Expr>) -> &Self {
        self.push_override(path, Some(value.into()))
    }
    /// Deletes a nested property by `path` at synthesis (the path as in
    /// [`add_property_override`](Self::add_property_override)); a path that does not exist
    /// deletes nothing.
    pub fn add_property_deletion_override(&self, path: &str) -> &Self {
        self.push_override(path, None)
    }
    fn push_override(&self, path: &str, value: Option<Expr>) -> &Self {
        self.scope.tree.borrow_mut().nodes[self.scope.node.0]
            .property_overrides
            .push(PropertyOverride {
                path: path.to_string(),
                segments: split_override_path(path),
                value,
            });
        self
    }
    /// Reads one top-level property, as the construct set it (property overrides apply only
    /// at synthesis).
    pub fn property(&self, name: &str) -> Option<Expr> {
        self.with(|r| match &r.properties {
            Expr::Map(m) => m.get(name).cloned(),
            _ => None,
        })
    }
    /// Adds resource metadata.
    pub fn add_resource_metadata(&self, key: &str, value: Value) -> &Self {
        self.with(|r| {
            r.metadata.insert(key.to_string(), value);
        });
        self
    }
    /// Pins the logical id; moving the construct then keeps it.
    pub fn override_logical_id(&self, id: &str) -> &Self {
        self.scope.tree.borrow_mut().nodes[self.scope.node.0].logical_id_override =
            Some(id.to_string());
        self
    }
    /// The logical id synthesis gives it.
    pub fn logical_id(&self) -> String {
        self.scope
            .tree
            .borrow()
            .logical_id(self.scope.node)
            .unwrap_or_default()
    }
}

/// Splits an override path on `.`, a `\` making the next character literal (so `\.` is a
/// dot inside a key), as the AWS CDK's `splitOnPeriods` does.
fn split_override_path(path: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        let cur = out.last_mut().expect("never empty");
        match c {
            '\\' => match chars.next() {
                Some(next) => cur.push(next),
                None => cur.push('\\'),
            },
            '.' => out.push(String::new()),
            c => cur.push(c),
        }
    }
    out
}

/// What a value is, for an override path that cannot go into it.
fn kind_of(e: &Expr) -> &'static str {
    match e {
        Expr::Str(_) => "a string",
        Expr::Int(_) | Expr::Float(_) => "a number",
        Expr::Bool(_) => "a boolean",
        // Maps, lists and null are walked into, so they never reach here.
        _ => "a reference or intrinsic function",
    }
}

/// Applies one override to `properties`. Deleting what is not there is no error, as in the
/// AWS CDK; going into a scalar, a reference or an intrinsic function is, where the CDK
/// would silently replace it.
fn apply_override(properties: &mut Expr, o: &PropertyOverride) -> Result<(), String> {
    let segments = &o.segments;
    if segments.iter().any(String::is_empty) {
        return Err("the path has an empty key (two dots in a row, or a dot at either end)".into());
    }
    let setting = o.value.is_some();
    let mut cur = properties;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let here = || {
            if i == 0 {
                "the properties".to_string()
            } else {
                format!("`{}`", segments[..i].join("."))
            }
        };
        if matches!(cur, Expr::Null) {
            if !setting {
                return Ok(());
            }
            *cur = Expr::Map(IndexMap::new());
        }
        cur = match cur {
            Expr::Map(m) => {
                if last {
                    match &o.value {
                        Some(v) => {
                            m.insert(seg.clone(), v.clone());
                        }
                        None => {
                            m.shift_remove(seg);
                        }
                    }
                    return Ok(());
                }
                if !m.contains_key(seg) {
                    if !setting {
                        return Ok(());
                    }
                    m.insert(seg.clone(), Expr::Map(IndexMap::new()));
                }
                m.get_mut(seg).expect("inserted above")
            }
            Expr::List(l) => {
                let Ok(idx) = seg.parse::<usize>() else {
                    return Err(format!("{} is a list, and `{seg}` is not an index", here()));
                };
                let len = l.len();
                if !setting && idx >= len {
                    return Ok(());
                }
                if idx > len {
                    return Err(format!(
                        "index {idx} is past the end of {} ({len} items)",
                        here()
                    ));
                }
                if last {
                    match &o.value {
                        Some(v) if idx == len => l.push(v.clone()),
                        Some(v) => l[idx] = v.clone(),
                        None => {
                            l.remove(idx);
                        }
                    }
                    return Ok(());
                }
                if idx == len {
                    l.push(Expr::Map(IndexMap::new()));
                }
                &mut l[idx]
            }
            other => {
                return Err(format!(
                    "{} is {}, not an object or a list",
                    here(),
                    kind_of(other)
                ));
            }
        };
    }
    Ok(())
}

/// The root of a construct tree: one program's infrastructure.
pub struct App {
    root: Scope,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "App({})", self.root.tree.borrow().name)
    }
}

impl App {
    /// A new, empty app named `name` (used in the manifest and the DR plan).
    pub fn new(name: &str) -> App {
        let tree = Tree {
            app: AppId(NEXT_APP_ID.fetch_add(1, Ordering::Relaxed)),
            name: name.to_string(),
            nodes: vec![Node {
                id: String::new(),
                parent: None,
                children: Vec::new(),
                kind: NodeKind::App,
                metadata: Vec::new(),
                element: None,
                logical_id_override: None,
                allocated_logical_id: Default::default(),
                property_overrides: Vec::new(),
            }],
            diagnostics: Vec::new(),
            validations: Vec::new(),
        };
        App {
            root: Scope {
                tree: Rc::new(RefCell::new(tree)),
                node: NodeId(0),
            },
        }
    }
    /// The root scope, for creating stacks.
    pub fn scope(&self) -> &Scope {
        &self.root
    }
    /// Reads the tree.
    pub fn tree(&self) -> Ref<'_, Tree> {
        self.root.tree()
    }
    /// The app's name.
    pub fn name(&self) -> String {
        self.root.tree.borrow().name.clone()
    }
}

impl std::ops::Deref for App {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.root
    }
}

/// Settings of a [`Stack`].
#[derive(Debug, Clone)]
pub struct StackProps {
    /// The Region the stack deploys to.
    pub region: Region,
    /// The account; default `None`: the account of the deploy credentials.
    pub account: Option<String>,
    /// The CloudFormation stack name; default: the construct id.
    pub stack_name: Option<String>,
    /// The template description; default none.
    pub description: Option<String>,
    /// Turn termination protection on when deploying; default `true` (secure by default).
    pub termination_protection: bool,
}

impl StackProps {
    /// Props for a stack in `region`, everything else default.
    pub fn in_region(region: Region) -> Self {
        StackProps {
            region,
            account: None,
            stack_name: None,
            description: None,
            termination_protection: true,
        }
    }
}

/// A CloudFormation stack: one template, one Region.
#[derive(Clone, Debug)]
pub struct Stack {
    scope: Scope,
}

impl Stack {
    /// A new stack under the app. An invalid stack name is reported at synthesis.
    pub fn new(app: &Scope, id: &str, props: StackProps) -> Stack {
        let name = props.stack_name.clone().unwrap_or_else(|| id.to_string());
        let info = StackInfo {
            name: name.clone(),
            region: props.region,
            account: props.account,
            description: props.description,
            termination_protection: props.termination_protection,
            explicit_dependencies: Vec::new(),
        };
        let scope = app.add_node(id, NodeKind::Stack(info));
        if let Err(msg) = check_stack_name(&name) {
            scope.error(
                codes::STACK_001,
                msg,
                "use letters, digits and hyphens, starting with a letter, at most 128 characters",
            );
        }
        // Unique names are checked at synthesis (DRK-STACK-003), across the whole app: they
        // also name the template files.
        Stack { scope }
    }
    /// The stack's scope, for creating constructs in it.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// Makes this stack deploy after `other`.
    pub fn add_dependency(&self, other: &Stack) {
        let mut tree = self.scope.tree.borrow_mut();
        if let NodeKind::Stack(info) = &mut tree.nodes[self.scope.node.0].kind {
            info.explicit_dependencies.push(other.scope.node);
        }
    }
    /// The stack name.
    pub fn name(&self) -> String {
        self.scope.stack_name().unwrap_or_default()
    }
}

impl std::ops::Deref for Stack {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_logical_ids() {
        let app = App::new("t");
        let stack = Stack::new(&app, "Net", StackProps::in_region(Region::UsEast2));
        let vpc = stack.child("VPC");
        let r = vpc.add_resource(
            "Resource",
            "AWS::EC2::VPC",
            Expr::map([("CidrBlock", "10.0.0.0/16")]),
        );
        assert_eq!(r.scope().path(), "Net/VPC/Resource");
        assert_eq!(r.logical_id(), "VPCB9E5F0B4");
        r.override_logical_id("MyVpc");
        assert_eq!(r.logical_id(), "MyVpc");
        assert!(!app.tree().diagnostics().has_errors());
    }

    #[test]
    fn duplicate_sibling_ids_are_an_error_not_a_panic() {
        let app = App::new("t");
        let stack = Stack::new(&app, "Net", StackProps::in_region(Region::UsEast2));
        stack.child("Vpc");
        stack.child("Vpc");
        let d = app.tree().diagnostics();
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].path, "Net/Vpc");
        assert_eq!(
            d.0[0].message,
            "there is already a construct with id `Vpc` in `Net`"
        );
    }

    #[test]
    fn duplicate_stack_ids_name_the_app_not_an_empty_path() {
        let app = App::new("t");
        Stack::new(&app, "Net", StackProps::in_region(Region::UsEast2));
        Stack::new(&app, "Net", StackProps::in_region(Region::UsWest2));
        let d = app.tree().diagnostics();
        let clash: Vec<&str> =
            d.0.iter()
                .filter(|d| d.code == "DRK-TREE-001")
                .map(|d| d.message.as_str())
                .collect();
        assert_eq!(
            clash,
            ["there is already a construct with id `Net` in the app"]
        );
    }

    #[test]
    fn invalid_and_long_stack_names() {
        let app = App::new("t");
        Stack::new(&app, "bad_name", StackProps::in_region(Region::UsEast2));
        let long = "A".repeat(129);
        Stack::new(&app, &long, StackProps::in_region(Region::UsEast2));
        let d = app.tree().diagnostics();
        assert_eq!(d.0.len(), 2);
        assert_eq!(
            d.0[0].message,
            "stack name `bad_name` must start with a letter and contain only letters, digits and hyphens"
        );
        assert_eq!(
            d.0[1].message,
            format!("stack name `{long}` is 129 characters; it must be 1 to 128")
        );
    }

    /// The properties of `r` as synthesis writes them.
    fn synthesized(app: &App, r: &CfnResource) -> Value {
        match app
            .tree()
            .synthesized_element(r.scope().node_id())
            .as_deref()
        {
            Some(Element::Resource(r)) => r.properties.to_json(),
            other => panic!("not a resource: {other:?}"),
        }
    }

    fn override_errors(app: &App) -> Vec<(String, String)> {
        app.tree()
            .diagnostics()
            .0
            .into_iter()
            .filter(|d| d.code == "DRK-TREE-004")
            .map(|d| (d.path, d.message))
            .collect()
    }

    fn group(app: &App) -> CfnResource {
        let stack = Stack::new(app, "S", StackProps::in_region(Region::UsEast2));
        let props = Expr::from(serde_json::json!({
            "GroupDescription": "web",
            "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"},
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}
            ],
            "Tags": [{"Key": "Name", "Value": "web"}]
        }));
        stack.add_resource("Sg", "AWS::EC2::SecurityGroup", props)
    }

    /// Overrides change the properties only; the policies set beside them come through
    /// synthesis as set.
    #[test]
    fn overrides_leave_the_update_and_creation_policies_alone() {
        let app = App::new("t");
        let stack = Stack::new(&app, "S", StackProps::in_region(Region::UsEast2));
        let asg = stack.add_resource(
            "Asg",
            "AWS::AutoScaling::AutoScalingGroup",
            Expr::map([("MinSize", "1"), ("MaxSize", "2")]),
        );
        let rolling = serde_json::json!({"AutoScalingRollingUpdate": {"MinInstancesInService": 1}});
        asg.set_update_policy(rolling.clone());
        asg.set_creation_policy(serde_json::json!({"ResourceSignal": {"Count": 1}}));
        asg.add_property_override("MaxSize", "3");
        assert_eq!(asg.update_policy(), Some(rolling.clone()));
        let tree = app.tree();
        let element = tree.synthesized_element(asg.scope().node_id());
        let Some(Element::Resource(r)) = element.as_deref() else {
            panic!("not a resource")
        };
        let j = r.to_json();
        assert_eq!(j["Properties"]["MaxSize"], "3");
        assert_eq!(j["UpdatePolicy"], rolling);
        assert_eq!(j["CreationPolicy"]["ResourceSignal"]["Count"], 1);
    }

    #[test]
    fn a_nested_override_creates_missing_objects_and_wins_over_later_construct_changes() {
        let app = App::new("t");
        let r = group(&app);
        r.add_property_override("Metadata.Owner.Team", "payments");
        r.add_property_override("GroupDescription", "front door");
        // The construct changes the property again after the override: the override stays.
        r.set_property("GroupDescription", "changed later");
        let p = synthesized(&app, &r);
        assert_eq!(
            p["Metadata"],
            serde_json::json!({"Owner": {"Team": "payments"}})
        );
        assert_eq!(p["GroupDescription"], "front door");
        // The construct's own view is untouched until synthesis.
        assert_eq!(
            r.property("GroupDescription"),
            Some(Expr::from("changed later"))
        );
        assert!(override_errors(&app).is_empty());
    }

    #[test]
    fn a_numeric_segment_indexes_a_list_and_the_length_appends() {
        let app = App::new("t");
        let r = group(&app);
        r.add_property_override("SecurityGroupIngress.1.CidrIp", "10.0.0.0/8");
        r.add_property_override(
            "SecurityGroupIngress.2",
            serde_json::json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}),
        );
        let p = synthesized(&app, &r);
        let ingress = p["SecurityGroupIngress"].as_array().unwrap();
        assert_eq!(ingress.len(), 3);
        assert_eq!(ingress[0]["CidrIp"], "0.0.0.0/0");
        assert_eq!(ingress[1]["CidrIp"], "10.0.0.0/8");
        assert_eq!(ingress[2]["FromPort"], 22);
        assert!(override_errors(&app).is_empty());
    }

    #[test]
    fn an_escaped_dot_stays_in_the_key() {
        let app = App::new("t");
        let r = group(&app);
        r.add_property_override(r"Metadata.example\.com.Owner", "web team");
        assert_eq!(split_override_path(r"a\.b.c"), ["a.b", "c"]);
        assert_eq!(split_override_path(r"a\\b"), [r"a\b"]);
        assert_eq!(
            synthesized(&app, &r)["Metadata"],
            serde_json::json!({"example.com": {"Owner": "web team"}})
        );
    }

    #[test]
    fn a_deletion_override_removes_keys_and_list_items_and_ignores_missing_paths() {
        let app = App::new("t");
        let r = group(&app);
        r.add_property_deletion_override("Tags");
        r.add_property_deletion_override("SecurityGroupIngress.0");
        r.add_property_deletion_override("SecurityGroupIngress.0.FromPort");
        r.add_property_deletion_override("Nothing.Here");
        r.add_property_deletion_override("SecurityGroupIngress.7");
        let p = synthesized(&app, &r);
        assert!(p.get("Tags").is_none());
        assert_eq!(
            p["SecurityGroupIngress"],
            serde_json::json!([{"IpProtocol": "tcp", "ToPort": 443, "CidrIp": "0.0.0.0/0"}])
        );
        assert!(p.get("Nothing").is_none());
        assert!(override_errors(&app).is_empty());
    }

    #[test]
    fn a_path_into_a_scalar_or_past_a_list_is_a_diagnostic_on_the_resource() {
        let app = App::new("t");
        let r = group(&app);
        r.add_property_override("GroupDescription.Text", "x");
        r.add_property_override("SecurityGroupIngress.first.CidrIp", "x");
        r.add_property_override("SecurityGroupIngress.5.CidrIp", "x");
        r.add_property_override("Tags..Key", "x");
        r.add_property_override("Tags.0.Key", "Team");
        let errors = override_errors(&app);
        assert_eq!(
            errors,
            [
                (
                    "S/Sg".to_string(),
                    "property override `GroupDescription.Text`: `GroupDescription` is a string, not an object or a list".to_string()
                ),
                (
                    "S/Sg".into(),
                    "property override `SecurityGroupIngress.first.CidrIp`: `SecurityGroupIngress` is a list, and `first` is not an index".into()
                ),
                (
                    "S/Sg".into(),
                    "property override `SecurityGroupIngress.5.CidrIp`: index 5 is past the end of `SecurityGroupIngress` (2 items)".into()
                ),
                (
                    "S/Sg".into(),
                    "property override `Tags..Key`: the path has an empty key (two dots in a row, or a dot at either end)".into()
                ),
            ]
        );
        // The overrides that apply still do; the others change nothing.
        let p = synthesized(&app, &r);
        assert_eq!(p["GroupDescription"], "web");
        assert_eq!(
            p["Tags"],
            serde_json::json!([{"Key": "Team", "Value": "web"}])
        );
    }

    #[test]
    fn metadata_is_collected_with_paths() {
        let app = App::new("t");
        let stack = Stack::new(&app, "S", StackProps::in_region(Region::UsWest2));
        stack
            .child("A")
            .add_metadata("drkit:summary", serde_json::json!({"asset": "x"}));
        assert_eq!(
            app.tree().metadata_entries("drkit:summary"),
            vec![("S/A".to_string(), serde_json::json!({"asset": "x"}))]
        );
    }
}
