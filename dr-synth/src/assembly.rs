//! The cloud assembly: what synthesis writes and what the deployer and the `drkit` binary
//! read. One template per stack and a `manifest.json` shaped like the AWS CDK cloud assembly
//! manifest (version, `aws:cloudformation:stack` artifacts with `aws://<account>/<region>`
//! environments, dependencies), plus drkit's own keys: the parameter wiring between stacks
//! (cross-Region references and deploy-time lookups) and the DR topology.

use std::path::Path;

use dr_core::{Diagnostic, LookupKind, Region};
use serde_json::{Map, Value, json};

/// Version of the manifest format written (the CDK cloud-assembly schema version it follows).
pub const MANIFEST_VERSION: &str = "36.0.0";
/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Where a consumer stack's parameter gets its value at deploy time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WiringSource {
    /// An output of another stack (a cross-Region reference).
    Output {
        /// The producer stack's name.
        stack: String,
        /// The producer's output logical id.
        output: String,
    },
    /// A value read through the `Cloud` port with another stack's output as input.
    Lookup {
        /// What to read.
        kind: LookupKind,
        /// The producer stack's name.
        stack: String,
        /// The producer's output logical id holding the lookup's input.
        output: String,
    },
}

impl WiringSource {
    /// The producer stack.
    pub fn stack(&self) -> &str {
        match self {
            WiringSource::Output { stack, .. } | WiringSource::Lookup { stack, .. } => stack,
        }
    }
    /// The producer's output.
    pub fn output(&self) -> &str {
        match self {
            WiringSource::Output { output, .. } | WiringSource::Lookup { output, .. } => output,
        }
    }
}

/// One consumer parameter and where its value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterWiring {
    /// The consumer's parameter logical id.
    pub parameter: String,
    /// Where the value comes from.
    pub source: WiringSource,
}

/// One stack of the assembly.
#[derive(Debug, Clone, PartialEq)]
pub struct StackArtifact {
    /// The CloudFormation stack name (unique within the app; also the artifact id).
    pub name: String,
    /// The construct path of the stack.
    pub path: String,
    /// Where it deploys.
    pub region: Region,
    /// The account, when pinned.
    pub account: Option<String>,
    /// The template.
    pub template: Value,
    /// Stacks that must be deployed first.
    pub dependencies: Vec<String>,
    /// Parameters the deployer fills from other stacks.
    pub parameter_wiring: Vec<ParameterWiring>,
    /// Whether the deployer turns termination protection on.
    pub termination_protection: bool,
}

impl StackArtifact {
    /// `<stack>.template.json`.
    pub fn template_file(&self) -> String {
        format!("{}.template.json", self.name)
    }
    /// The template body as sent to CloudFormation: minified JSON.
    pub fn template_body(&self) -> String {
        serde_json::to_string(&self.template).unwrap_or_default()
    }
    /// The length of [`StackArtifact::template_body`] in bytes, without building it.
    pub fn template_len(&self) -> usize {
        dr_core::template::minified_len(&self.template)
    }
    /// How many resources the template declares.
    pub fn resource_count(&self) -> usize {
        self.template
            .get("Resources")
            .and_then(Value::as_object)
            .map_or(0, serde_json::Map::len)
    }
    /// `aws://<account or unknown-account>/<region>`.
    pub fn environment(&self) -> String {
        format!(
            "aws://{}/{}",
            self.account.as_deref().unwrap_or("unknown-account"),
            self.region
        )
    }
    /// The template's resources as (logical id, type) pairs.
    pub fn resource_types(&self) -> Vec<(String, String)> {
        self.template
            .get("Resources")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.get("Type")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Reading an assembly directory failed.
#[derive(Debug, thiserror::Error)]
pub enum AssemblyError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not what drkit writes.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// The output of synthesis.
#[derive(Debug, Clone, PartialEq)]
pub struct Assembly {
    /// The app's name.
    pub app: String,
    /// The stacks, in a dependency-respecting order.
    pub stacks: Vec<StackArtifact>,
    /// The DR topology of each `DrPair` of the app, in declaration order (shape:
    /// `dr_aws_constructs::dr_pair` module `topology`). The manifest holds them as
    /// `drTopology: {"version": 2, "pairs": [...]}`.
    pub dr_pairs: Vec<Value>,
    /// Warnings found at synthesis (errors stop synthesis instead).
    pub warnings: Vec<Diagnostic>,
    /// Other files to write beside the templates (e.g. `dr-plan.md`), name → contents.
    pub extra_files: Vec<(String, String)>,
}

impl Assembly {
    /// A stack by name.
    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks.iter().find(|s| s.name == name)
    }

    /// Groups the stacks into waves: every stack's dependencies are in earlier waves, so the
    /// stacks of one wave can deploy concurrently. Reversed, it is the destroy order.
    pub fn waves(&self) -> Vec<Vec<&StackArtifact>> {
        let mut done: Vec<&str> = Vec::new();
        let mut waves = Vec::new();
        let mut left: Vec<&StackArtifact> = self.stacks.iter().collect();
        while !left.is_empty() {
            let (ready, rest): (Vec<_>, Vec<_>) = left
                .into_iter()
                .partition(|s| s.dependencies.iter().all(|d| done.contains(&d.as_str())));
            if ready.is_empty() {
                // Synthesis rejects cycles, so this only happens for a hand-edited manifest:
                // deploy the rest one by one rather than loop forever.
                waves.extend(rest.into_iter().map(|s| vec![s]));
                break;
            }
            done.extend(ready.iter().map(|s| s.name.as_str()));
            waves.push(ready);
            left = rest;
        }
        waves
    }

    /// The manifest JSON.
    pub fn manifest(&self) -> Value {
        let mut artifacts = Map::new();
        for s in &self.stacks {
            let wiring: Vec<Value> = s
                .parameter_wiring
                .iter()
                .map(|w| match &w.source {
                    WiringSource::Output { stack, output } => {
                        json!({"parameter": w.parameter, "fromStack": stack, "fromOutput": output})
                    }
                    WiringSource::Lookup { kind, stack, output } => {
                        json!({"parameter": w.parameter, "lookup": kind.as_str(), "fromStack": stack, "fromOutput": output})
                    }
                })
                .collect();
            let mut props = Map::new();
            props.insert("templateFile".into(), json!(s.template_file()));
            props.insert("stackName".into(), json!(s.name));
            props.insert(
                "terminationProtection".into(),
                json!(s.termination_protection),
            );
            props.insert("parameterWiring".into(), Value::Array(wiring));
            let mut a = Map::new();
            a.insert("type".into(), json!("aws:cloudformation:stack"));
            a.insert("environment".into(), json!(s.environment()));
            a.insert("displayName".into(), json!(s.path));
            a.insert("properties".into(), Value::Object(props));
            a.insert("dependencies".into(), json!(s.dependencies));
            artifacts.insert(s.name.clone(), Value::Object(a));
        }
        let mut m = Map::new();
        m.insert("version".into(), json!(MANIFEST_VERSION));
        m.insert("app".into(), json!(self.app));
        m.insert("artifacts".into(), Value::Object(artifacts));
        if !self.dr_pairs.is_empty() {
            m.insert(
                "drTopology".into(),
                json!({ "version": DR_TOPOLOGY_VERSION, "pairs": self.dr_pairs }),
            );
        }
        Value::Object(m)
    }

    /// Writes the templates (pretty, for reading and review), the manifest, each DR pair's
    /// operator policy (`operator-policy.<Pair>.json`, see [`crate::operator_policy`]) and any
    /// extra files into `dir`, creating it. The same assembly always gives the same bytes.
    pub fn write(&self, dir: &Path) -> Result<(), AssemblyError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| AssemblyError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        // The templates are independent files, and pretty-printing them is most of writing a
        // large app's assembly: one share of the stacks per core.
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let share = self.stacks.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let writers: Vec<_> = self
                .stacks
                .chunks(share)
                .map(|stacks| {
                    scope.spawn(move || {
                        for s in stacks {
                            let p = dir.join(s.template_file());
                            std::fs::write(&p, pretty(&s.template)).map_err(io(&p))?;
                        }
                        Ok(())
                    })
                })
                .collect();
            // The first share's error first, as the stacks are ordered.
            writers.into_iter().try_for_each(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
        })?;
        let p = dir.join(MANIFEST_FILE);
        std::fs::write(&p, pretty(&self.manifest())).map_err(io(&p))?;
        for pair in &self.dr_pairs {
            if let Some(name) = crate::operator_policy::operator_policy_file(pair) {
                let p = dir.join(name);
                let policy = crate::operator_policy::operator_policy(self, pair);
                std::fs::write(&p, pretty(&policy)).map_err(io(&p))?;
            }
        }
        for (name, contents) in &self.extra_files {
            let p = dir.join(name);
            std::fs::write(&p, contents).map_err(io(&p))?;
        }
        Ok(())
    }

    /// Reads an assembly directory written by [`Assembly::write`].
    pub fn read(dir: &Path) -> Result<Assembly, AssemblyError> {
        let read_json = |p: &Path| -> Result<Value, AssemblyError> {
            let text = std::fs::read_to_string(p).map_err(|source| AssemblyError::Io {
                path: p.display().to_string(),
                source,
            })?;
            serde_json::from_str(&text).map_err(|e| AssemblyError::Invalid {
                path: p.display().to_string(),
                message: e.to_string(),
            })
        };
        let mpath = dir.join(MANIFEST_FILE);
        let manifest = read_json(&mpath)?;
        let invalid = |message: String| AssemblyError::Invalid {
            path: mpath.display().to_string(),
            message,
        };
        let artifacts = manifest
            .get("artifacts")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid("no `artifacts` object".into()))?;
        let mut stacks = Vec::new();
        for (name, a) in artifacts {
            if a.get("type").and_then(Value::as_str) != Some("aws:cloudformation:stack") {
                continue;
            }
            let env = a
                .get("environment")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let (account, region) = env
                .strip_prefix("aws://")
                .and_then(|r| r.split_once('/'))
                .ok_or_else(|| invalid(format!("artifact `{name}` has environment `{env}`, expected aws://<account>/<region>")))?;
            let region: Region = region
                .parse()
                .map_err(|e: dr_core::UnknownRegion| invalid(format!("artifact `{name}`: {e}")))?;
            let props = a.get("properties").cloned().unwrap_or(Value::Null);
            let file = props
                .get("templateFile")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let template = read_json(&dir.join(file))?;
            let mut parameter_wiring = Vec::new();
            for w in props
                .get("parameterWiring")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let s = |k: &str| {
                    w.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                let source = match w.get("lookup").and_then(Value::as_str) {
                    Some(l) => WiringSource::Lookup {
                        kind: LookupKind::from_name(l)
                            .ok_or_else(|| invalid(format!("unknown lookup `{l}`")))?,
                        stack: s("fromStack"),
                        output: s("fromOutput"),
                    },
                    None => WiringSource::Output {
                        stack: s("fromStack"),
                        output: s("fromOutput"),
                    },
                };
                parameter_wiring.push(ParameterWiring {
                    parameter: s("parameter"),
                    source,
                });
            }
            stacks.push(StackArtifact {
                name: name.clone(),
                path: a
                    .get("displayName")
                    .and_then(Value::as_str)
                    .unwrap_or(name)
                    .to_string(),
                region,
                account: (account != "unknown-account").then(|| account.to_string()),
                template,
                dependencies: a
                    .get("dependencies")
                    .and_then(Value::as_array)
                    .map(|d| {
                        d.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                parameter_wiring,
                termination_protection: props
                    .get("terminationProtection")
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
            });
        }
        Ok(Assembly {
            app: manifest
                .get("app")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            stacks,
            dr_pairs: dr_pairs_of(manifest.get("drTopology")),
            warnings: Vec::new(),
            extra_files: Vec::new(),
        })
    }
}

/// The version of the manifest's `drTopology`: 2 lists every pair under `pairs`; version 1
/// was one pair's topology itself.
pub const DR_TOPOLOGY_VERSION: u32 = 2;

/// The pairs of a manifest's `drTopology`, of either version.
fn dr_pairs_of(topology: Option<&Value>) -> Vec<Value> {
    match topology {
        Some(t) if t.get("pairs").is_some() => t["pairs"].as_array().cloned().unwrap_or_default(),
        Some(t) if t.is_object() => vec![t.clone()],
        _ => Vec::new(),
    }
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manifest of either version gives the pairs: version 2 lists them, version 1 was one
    /// pair's topology itself, and a manifest without one has none.
    #[test]
    fn the_topology_of_either_manifest_version_reads_as_pairs() {
        let pair = |name: &str| json!({ "version": 2, "pair": name });
        let v2 = json!({ "version": 2, "pairs": [pair("A"), pair("B")] });
        assert_eq!(dr_pairs_of(Some(&v2)), [pair("A"), pair("B")]);
        let v1 = json!({ "version": 1, "pair": "Shop" });
        assert_eq!(dr_pairs_of(Some(&v1)), std::slice::from_ref(&v1));
        assert!(dr_pairs_of(None).is_empty());
        assert!(dr_pairs_of(Some(&json!(null))).is_empty());
    }
}
