//! Synthesis: the construct tree becomes an [`Assembly`]: one template per stack, the stack
//! dependencies, and the parameter wiring between stacks.
//!
//! Tokens are resolved relative to the stack that uses them: in the producer's own stack they
//! become `Ref`/`Fn::GetAtt`; in any other stack, same Region or not, an `Output` in the
//! producer and a `Parameter` in the consumer that the deployer fills. One mechanism, and no
//! CloudFormation exports: an export locks its producer, so a change that replaces an exported
//! value fails the producer with "Export ... cannot be updated as it is in use" (what AWS CDK
//! users call the "deadly embrace"; "Get exported outputs from a deployed CloudFormation
//! stack", <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html>,
//! and "ListImports", which says to find the importers before modifying or removing an export,
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListImports.html>),
//! and exports do not cross Regions anyway. The deployer orders the stacks, and `destroy` keeps a producer while a
//! deployed consumer needs it, which is what an export's lock was for. A deploy-time lookup is
//! wired through a parameter too. Every such use makes the consumer depend on the producer.

use dr_core::diagnostics::codes;
use std::collections::{BTreeSet, HashMap};

use dr_core::logical_id::hash8;
use dr_core::tree::Tree;
use dr_core::{
    Diagnostic, Diagnostics, Element, Expr, NodeId, Output, Parameter, RefSite, Resolve,
    TemplateJson, Token,
};
use indexmap::IndexMap;

use crate::assembly::{Assembly, ParameterWiring, StackArtifact, WiringSource};

/// Synthesizes `app` into an assembly, or returns every error found (with the warnings).
pub fn synth(app: &dr_core::App) -> Result<Assembly, Diagnostics> {
    let tree = app.tree();
    Synthesizer::new(&tree).run()
}

/// An element of a stack as template JSON, its references resolved: its node, logical id,
/// template section and content.
struct ResolvedElement {
    node: NodeId,
    logical_id: String,
    section: Section,
    json: serde_json::Value,
}

/// The template section an element goes to.
#[derive(Clone, Copy)]
enum Section {
    Parameter,
    Condition,
    Resource,
    Output,
}

/// Resolves the references of one stack's elements as they become JSON: same stack →
/// `Ref`/`Fn::GetAtt`, other stacks → wiring, `DependsOn` across stacks → a stack dependency.
struct StackResolver<'s, 't> {
    synth: &'s mut Synthesizer<'t>,
    stack: NodeId,
    path: &'s str,
}

impl Resolve for StackResolver<'_, '_> {
    fn value(&mut self, site: RefSite<'_>) -> Expr {
        match site {
            RefSite::Token(t) => self.synth.resolve_token(self.stack, self.path, t),
            RefSite::Lookup(l) => self.synth.resolve_lookup(self.stack, self.path, l),
        }
    }
    fn dependency(&mut self, token: &Token) -> Option<Expr> {
        self.synth.depends_on(self.stack, self.path, token)
    }
}

/// Output and parameter additions one stack's references cause in other stacks.
#[derive(Default)]
struct Wiring {
    /// Producer stack → outputs to add (logical id → output).
    outputs: HashMap<NodeId, IndexMap<String, Output>>,
    /// Consumer stack → parameters to add.
    parameters: HashMap<NodeId, IndexMap<String, Parameter>>,
    /// Consumer stack → wiring records.
    records: HashMap<NodeId, Vec<ParameterWiring>>,
    /// Consumer stack → producer stacks.
    deps: HashMap<NodeId, BTreeSet<NodeId>>,
}

struct Synthesizer<'t> {
    tree: &'t Tree,
    diags: Vec<Diagnostic>,
    wiring: Wiring,
}

impl<'t> Synthesizer<'t> {
    fn new(tree: &'t Tree) -> Self {
        Synthesizer {
            tree,
            diags: Vec::new(),
            wiring: Wiring::default(),
        }
    }

    fn run(mut self) -> Result<Assembly, Diagnostics> {
        self.diags.extend(self.tree.diagnostics().0);
        let stacks = self.tree.stacks();
        self.check_unique_stack_names(&stacks);

        // Pass 1: resolve every element of every stack; this also collects what references
        // add to other stacks (outputs, parameters, dependencies).
        let mut resolved: Vec<(NodeId, Vec<ResolvedElement>)> = Vec::new();
        for &stack in &stacks {
            let elements = self.resolve_stack(stack);
            resolved.push((stack, elements));
        }
        for &stack in &stacks {
            if let Some(info) = self.tree.stack_info(stack) {
                for dep in &info.explicit_dependencies {
                    self.wiring.deps.entry(stack).or_default().insert(*dep);
                }
            }
        }
        self.check_cycles(&stacks);

        // Pass 2: build the templates.
        let mut artifacts = Vec::new();
        for (stack, elements) in resolved {
            artifacts.push(self.build_artifact(stack, elements));
        }
        self.finish(artifacts)
    }

    /// Resolves a stack's elements (tokens become intrinsics or cross-stack wiring), each with
    /// its logical id.
    fn resolve_stack(&mut self, stack: NodeId) -> Vec<ResolvedElement> {
        let mut elements = Vec::new();
        for el in self.tree.elements_of_stack(stack) {
            let path = self.tree.path(el);
            let Some(logical_id) = self.tree.logical_id(el) else {
                self.diags.push(
                    Diagnostic::error(
                        &path,
                        codes::SYNTH_001,
                        "cannot allocate a logical id: every path component is `Default`",
                    )
                    .with_hint("give the construct an id other than `Default`"),
                );
                continue;
            };
            // With the property overrides applied, before tokens resolve: an override's
            // value may be a reference too. Borrowed from the tree, not copied: it becomes
            // JSON in one pass.
            let tree = self.tree;
            let element = tree
                .synthesized_element(el)
                .expect("elements_of_stack returns element nodes");
            let mut resolver = StackResolver {
                synth: self,
                stack,
                path: &path,
            };
            let (section, json) = match element.as_ref() {
                Element::Resource(r) => (Section::Resource, r.to_json_with(&mut resolver)),
                Element::Parameter(p) => (Section::Parameter, p.to_json_with(&mut resolver)),
                Element::Output(o) => (Section::Output, o.to_json_with(&mut resolver)),
                Element::Condition(c) => (Section::Condition, c.to_json_with(&mut resolver)),
            };
            elements.push(ResolvedElement {
                node: el,
                logical_id,
                section,
                json,
            });
        }
        elements
    }

    /// One stack's template and artifact, from its resolved elements and the wiring other
    /// stacks added to it; checks duplicate logical ids and CloudFormation's limits.
    fn build_artifact(&mut self, stack: NodeId, elements: Vec<ResolvedElement>) -> StackArtifact {
        let info = self
            .tree
            .stack_info(stack)
            .expect("stacks() returns stack nodes")
            .clone();
        let path = self.tree.path(stack);
        let mut t = TemplateJson {
            description: info.description.clone(),
            ..Default::default()
        };
        let mut seen = HashMap::new();
        let mut resource_nodes = Vec::new();
        for ResolvedElement {
            node,
            logical_id,
            section,
            json,
        } in elements
        {
            if let Some(other) = seen.insert(logical_id.clone(), node) {
                self.diags.push(
                    Diagnostic::error(
                        self.tree.path(node),
                        codes::SYNTH_002,
                        format!(
                            "logical id `{logical_id}` is also used by `{}`",
                            self.tree.path(other)
                        ),
                    )
                    .with_hint("rename one of the constructs or override its logical id"),
                );
                continue;
            }
            let into = match section {
                Section::Resource => {
                    resource_nodes.push((logical_id.clone(), node));
                    &mut t.resources
                }
                Section::Parameter => &mut t.parameters,
                Section::Output => &mut t.outputs,
                Section::Condition => &mut t.conditions,
            };
            into.insert(logical_id, json);
        }
        for (id, p) in self.wiring.parameters.remove(&stack).unwrap_or_default() {
            t.parameters.insert(id, p.to_json());
        }
        for (id, o) in self.wiring.outputs.remove(&stack).unwrap_or_default() {
            t.outputs.insert(id, o.to_json());
        }
        let limits = t.check_counts_and_ids(&path);
        let template = t.into_json();
        self.check_provider_rules(&template, Some(info.region.code()), &resource_nodes);
        self.diags.extend(limits);
        self.diags.extend(dr_core::template::check_template_size(
            &path,
            dr_core::template::minified_len(&template),
        ));
        let dependencies = self
            .wiring
            .deps
            .get(&stack)
            .map(|d| {
                d.iter()
                    .filter_map(|s| self.tree.stack_info(*s))
                    .map(|i| i.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        StackArtifact {
            name: info.name.clone(),
            path,
            region: info.region,
            account: info.account.clone(),
            template,
            dependencies,
            parameter_wiring: self.wiring.records.remove(&stack).unwrap_or_default(),
            termination_protection: info.termination_protection,
        }
    }

    /// Reports each resource that a resource provider would refuse (`dr_core::provider_rules`,
    /// the rules no construct already reports), on the construct that made it, with the
    /// provider's own message. A rule that needs another resource finds it in the same
    /// template; the Region is the stack's.
    fn check_provider_rules(
        &mut self,
        template: &serde_json::Value,
        region: Option<&str>,
        nodes: &[(String, NodeId)],
    ) {
        use dr_core::provider_rules::{Subject, TemplateSurroundings, breaches};
        for (logical_id, node) in nodes {
            let Some(resource) = template.pointer(&format!("/Resources/{logical_id}")) else {
                continue;
            };
            let surroundings = TemplateSurroundings {
                template,
                logical_id,
            };
            let subject = Subject {
                resource,
                region,
                surroundings: &surroundings,
            };
            for b in breaches(&subject, |r| r.at_synthesis) {
                self.diags.push(
                    Diagnostic::error(
                        self.tree.path(*node),
                        b.rule.code,
                        format!(
                            "CloudFormation would fail to {} {} `{logical_id}`: \"{}\"",
                            match b.rule.stage {
                                dr_core::provider_rules::Stage::Update => "update",
                                _ => "create",
                            },
                            b.rule.resource_type,
                            b.message
                        ),
                    )
                    .with_hint(b.rule.hint),
                );
            }
        }
    }

    /// The assembly, unless a diagnostic is an error; stacks in dependency order.
    fn finish(self, artifacts: Vec<StackArtifact>) -> Result<Assembly, Diagnostics> {
        let diags = Diagnostics(self.diags);
        if diags.has_errors() {
            return Err(diags);
        }
        let dr_pairs = self
            .tree
            .metadata_entries(DR_TOPOLOGY_KEY)
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        let mut assembly = Assembly {
            app: self.tree.name().to_string(),
            stacks: artifacts,
            dr_pairs,
            warnings: diags.0,
            extra_files: Vec::new(),
        };
        // Keep a dependency-respecting order so readers (and a hand-run `waves`) see producers first.
        let order: Vec<String> = assembly
            .waves()
            .into_iter()
            .flatten()
            .map(|s| s.name.clone())
            .collect();
        assembly
            .stacks
            .sort_by_key(|s| order.iter().position(|n| *n == s.name));
        Ok(assembly)
    }

    fn check_unique_stack_names(&mut self, stacks: &[NodeId]) {
        let mut names: HashMap<&str, NodeId> = HashMap::new();
        for &s in stacks {
            let Some(info) = self.tree.stack_info(s) else {
                continue;
            };
            if let Some(first) = names.insert(info.name.as_str(), s) {
                self.diags.push(
                    Diagnostic::error(
                        self.tree.path(s),
                        codes::STACK_003,
                        format!("stack name `{}` is also used by `{}`", info.name, self.tree.path(first)),
                    )
                    .with_hint("stack names are unique within an app (they name the templates); set a different stack_name"),
                );
            }
        }
    }

    fn check_cycles(&mut self, stacks: &[NodeId]) {
        // Depth-first search; the first back edge found is reported with the whole cycle.
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let mut marks: HashMap<NodeId, Mark> = stacks.iter().map(|s| (*s, Mark::New)).collect();
        fn visit(
            s: NodeId,
            deps: &HashMap<NodeId, BTreeSet<NodeId>>,
            marks: &mut HashMap<NodeId, Mark>,
            trail: &mut Vec<NodeId>,
        ) -> Option<Vec<NodeId>> {
            marks.insert(s, Mark::Active);
            trail.push(s);
            for d in deps.get(&s).into_iter().flatten() {
                match marks.get(d).copied().unwrap_or(Mark::Done) {
                    Mark::Active => {
                        let start = trail.iter().position(|x| x == d).unwrap_or(0);
                        let mut cycle = trail[start..].to_vec();
                        cycle.push(*d);
                        return Some(cycle);
                    }
                    Mark::New => {
                        if let Some(c) = visit(*d, deps, marks, trail) {
                            return Some(c);
                        }
                    }
                    Mark::Done => {}
                }
            }
            trail.pop();
            marks.insert(s, Mark::Done);
            None
        }
        for &s in stacks {
            if marks[&s] == Mark::New {
                let mut trail = Vec::new();
                if let Some(cycle) = visit(s, &self.wiring.deps, &mut marks, &mut trail) {
                    let names: Vec<String> = cycle
                        .iter()
                        .filter_map(|n| self.tree.stack_info(*n))
                        .map(|i| i.name.clone())
                        .collect();
                    self.diags.push(
                        Diagnostic::error(
                            self.tree.path(cycle[0]),
                            codes::STACK_004,
                            format!("stacks depend on each other in a cycle: {}", names.join(" -> ")),
                        )
                        .with_hint("move the shared resources into their own stack that both use, or drop one of the references"),
                    );
                    return;
                }
            }
        }
    }

    /// A `DependsOn` entry: the logical id in the same stack, or a stack dependency.
    fn depends_on(&mut self, stack: NodeId, path: &str, t: &Token) -> Option<Expr> {
        let producer = self.producer(path, t)?;
        if producer == stack {
            return self.tree.logical_id(t.element()).map(Expr::Ref);
        }
        self.wiring.deps.entry(stack).or_default().insert(producer);
        None
    }

    fn producer(&mut self, path: &str, t: &Token) -> Option<NodeId> {
        if t.app() != self.tree.app_id() {
            self.diags.push(
                Diagnostic::error(path, codes::TOKEN_001, "a reference to a construct of another App is used here")
                    .with_hint("tokens only resolve within the App that created them; build both constructs in the same App"),
            );
            return None;
        }
        let producer = self.tree.stack_of(t.element());
        if producer.is_none() {
            self.diags.push(
                Diagnostic::error(
                    path,
                    codes::TOKEN_002,
                    "a reference to an element outside any stack is used here",
                )
                .with_hint("create the referenced construct under a Stack (or a DrPair site)"),
            );
        }
        producer
    }

    fn local_ref(&self, t: &Token) -> Expr {
        let id = self.tree.logical_id(t.element()).unwrap_or_default();
        match t.attribute() {
            None => Expr::Ref(id),
            Some(a) => Expr::GetAtt(id, a.to_string()),
        }
    }

    /// The id of the output in `producer` that carries `t`, added on first use:
    /// `WiredOutput{Ref|FnGetAtt}{logical id}{attribute}{hash}`, as stable as the logical id.
    fn producer_output(&mut self, producer: NodeId, t: &Token) -> String {
        let logical = self.tree.logical_id(t.element()).unwrap_or_default();
        let attr: String = t
            .attribute()
            .unwrap_or("")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let kind = if t.attribute().is_some() {
            "FnGetAtt"
        } else {
            "Ref"
        };
        let id = format!(
            "{WIRED_OUTPUT_PREFIX}{kind}{logical}{attr}{}",
            hash8(&format!("{logical}.{attr}"))
        );
        let value = self.local_ref(t);
        let outputs = self.wiring.outputs.entry(producer).or_default();
        outputs
            .entry(id.clone())
            .or_insert_with(|| Output::new(value));
        id
    }

    fn resolve_token(&mut self, stack: NodeId, path: &str, t: &Token) -> Expr {
        let Some(producer) = self.producer(path, t) else {
            return Expr::Null;
        };
        if producer == stack {
            return self.local_ref(t);
        }
        self.wiring.deps.entry(stack).or_default().insert(producer);
        let Some(p_info) = self.tree.stack_info(producer).cloned() else {
            return Expr::Null;
        };
        let output = self.producer_output(producer, t);
        let param = format!(
            "Wired{}{}",
            alnum(&p_info.name),
            output.trim_start_matches(WIRED_OUTPUT_PREFIX)
        );
        self.wiring
            .parameters
            .entry(stack)
            .or_default()
            .entry(param.clone())
            .or_insert_with(|| {
                Parameter::of_type("String").with_description(format!(
                    "Output {output} of stack {} in {}, filled by drkit",
                    p_info.name, p_info.region
                ))
            });
        let records = self.wiring.records.entry(stack).or_default();
        if !records.iter().any(|r| r.parameter == param) {
            records.push(ParameterWiring {
                parameter: param.clone(),
                source: WiringSource::Output {
                    stack: p_info.name.clone(),
                    output,
                },
            });
        }
        Expr::Ref(param)
    }

    fn resolve_lookup(&mut self, stack: NodeId, path: &str, l: &dr_core::Lookup) -> Expr {
        let Some(producer) = self.producer(path, &l.input) else {
            return Expr::Null;
        };
        if producer == stack {
            self.diags.push(
                Diagnostic::error(path, codes::TOKEN_003, format!("the deploy-time lookup {} takes its input from this same stack, which it can read only once that stack is deployed", l.kind.as_str()))
                    .with_hint("the value is read after the producer stack is deployed; create the consumer in a later stack"),
            );
            return Expr::Null;
        }
        self.wiring.deps.entry(stack).or_default().insert(producer);
        let p_name = self
            .tree
            .stack_info(producer)
            .map(|i| i.name.clone())
            .unwrap_or_default();
        let output = self.producer_output(producer, &l.input);
        let param = format!(
            "Lookup{}{}",
            alnum(l.kind.as_str()),
            hash8(&format!("{p_name}.{output}"))
        );
        self.wiring
            .parameters
            .entry(stack)
            .or_default()
            .entry(param.clone())
            .or_insert_with(|| {
                Parameter::of_type("String").with_description(format!(
                    "{} of output {output} of stack {p_name}, read by drkit at deploy time",
                    l.kind.as_str()
                ))
            });
        let records = self.wiring.records.entry(stack).or_default();
        if !records.iter().any(|r| r.parameter == param) {
            records.push(ParameterWiring {
                parameter: param.clone(),
                source: WiringSource::Lookup {
                    kind: l.kind,
                    stack: p_name,
                    output,
                },
            });
        }
        Expr::Ref(param)
    }
}

/// The prefix of the outputs synthesis adds to carry a value to another stack.
const WIRED_OUTPUT_PREFIX: &str = "WiredOutput";

/// Metadata key under which DrPair records the DR topology for the manifest.
pub const DR_TOPOLOGY_KEY: &str = "drkit:dr-topology";

fn alnum(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
