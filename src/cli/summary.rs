//! What `deploy` prints once every stack is deployed: where the time went (the waves and the
//! critical path), where the app answers, each site's load balancer, the database's names, and
//! the commands to run next. The values come from the
//! manifest's DR topology (the URL, which stack is the primary site and which the DR site, the
//! database's names) and from the deployed stacks' outputs (load balancers, name servers); an
//! app without a `DrPair` gets the next commands alone.

use std::fmt::Write as _;
use std::path::Path;

use dr_deploy::DeploySummary;
use dr_synth::Assembly;
use serde_json::Value;

use super::Target;

/// How to run this program again, for the next commands the deploy summary suggests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// Through cargo: `cargo run <selector> -- ARGS`, `selector` being e.g.
    /// `--example two_region` or `--bin infra`.
    Cargo {
        /// What picks the program: `--example NAME`, `--bin NAME`, with `--release` if built so.
        selector: String,
    },
    /// A program run directly, by this name or path.
    Program(String),
}

impl Invocation {
    /// How the running program was started, read from its path: a binary in a cargo target
    /// directory (`target/debug/examples/two_region`) is run again through cargo.
    pub fn current() -> Invocation {
        let arg0 = std::env::args_os().next().unwrap_or_default();
        Invocation::of_path(Path::new(&arg0))
    }

    /// How to run the program at `path` again.
    pub fn of_path(path: &Path) -> Invocation {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "drkit-app".into());
        let parents: Vec<String> = path
            .ancestors()
            .skip(1)
            .filter_map(|p| p.file_name())
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let in_target = |profile_at: usize| {
            parents.get(profile_at + 1).map(String::as_str) == Some("target")
                || std::env::var_os("CARGO_TARGET_DIR")
                    .is_some_and(|t| path.ancestors().nth(profile_at + 2) == Some(Path::new(&t)))
        };
        let release = |profile_at: usize| {
            if parents.get(profile_at).map(String::as_str) == Some("release") {
                " --release"
            } else {
                ""
            }
        };
        if parents.first().map(String::as_str) == Some("examples") && in_target(1) {
            return Invocation::Cargo {
                selector: format!("--example {name}{}", release(1)),
            };
        }
        if parents
            .first()
            .is_some_and(|p| p == "debug" || p == "release")
            && in_target(0)
        {
            return Invocation::Cargo {
                selector: format!("--bin {name}{}", release(0)),
            };
        }
        Invocation::Program(name)
    }

    /// The command line that runs the program with `args`; `aws_feature` adds what builds it
    /// with drkit's `aws` feature (for cargo, `--features aws`, which the crate forwards).
    pub fn command(&self, args: &str, aws_feature: bool) -> String {
        match self {
            Invocation::Cargo { selector } => {
                let features = if aws_feature { " --features aws" } else { "" };
                format!("cargo run {selector}{features} -- {args}")
            }
            Invocation::Program(name) => {
                let rebuilt = if aws_feature {
                    "   (after rebuilding with drkit's `aws` feature)"
                } else {
                    ""
                };
                format!("{name} {args}{rebuilt}")
            }
        }
    }
}

/// What `deploy` prints after a successful deploy to `target`: the deploy's waves and
/// critical path (when a stack was created or updated), the app's URL with its
/// scheme, each site's load balancer (Region, primary or DR, DNS name), the database's
/// generic name and database name, the name servers of a created zone, and the next commands
/// (`status` and `failover --dry-run` when the app has a DR pair, `diff`, `destroy`, and the
/// AWS deploy after a local one), written for `invocation`.
/// A value whose stack was not deployed in this run is left out.
pub fn deploy_summary(
    assembly: &Assembly,
    summary: &DeploySummary,
    target: Target,
    invocation: &Invocation,
) -> String {
    let mut out = String::new();
    // Where the time went, when something took time: a deploy that changed nothing has only
    // the reads' short times, and its waves would be noise.
    if summary.stacks.iter().any(|r| r.action.changed()) {
        let _ = write!(out, "{}", dr_deploy::Timeline::new(assembly, summary));
    }
    let several = assembly.dr_pairs.len() > 1;
    for topology in &assembly.dr_pairs {
        if several && let Some(pair) = topology["pair"].as_str() {
            let _ = writeln!(out, "{pair}:");
        }
        pair_rows(&mut out, topology, summary);
    }
    let _ = writeln!(out, "Next:");
    // The commands run again on the target just deployed to.
    let on_target = |command: &str| match target {
        Target::Local => invocation.command(command, false),
        Target::Aws => invocation.command(&format!("{command} --target aws"), false),
    };
    let mut next = Vec::new();
    if !assembly.dr_pairs.is_empty() {
        next.push((
            on_target("status"),
            "which Region is active, and whether the DR site is ready",
        ));
        next.push((
            on_target("failover --dry-run"),
            "the steps of a failover, with the real ids (changes nothing)",
        ));
    }
    next.push((on_target("diff"), "what a deploy would change now"));
    next.push((on_target("destroy"), "delete the stacks (asks first)"));
    if target == Target::Local {
        next.push((
            invocation.command("deploy --target aws", !cfg!(feature = "aws")),
            "deploy to AWS (credentials from the standard chain)",
        ));
    }
    let width = next.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    for (command, what) in next {
        let _ = writeln!(out, "  {command:<width$}   {what}");
    }
    out
}

/// The rows of one pair: its URL, load balancers, database names and name servers.
fn pair_rows(out: &mut String, topology: &Value, summary: &DeploySummary) {
    // The first output of `stack` (any stack when `None`) whose key contains `wanted`; CDK
    // style keys carry a hash suffix, hence the containment.
    let output = |stack: Option<&str>, wanted: &str| -> Option<(String, String)> {
        summary
            .stacks
            .iter()
            .filter(|r| stack.is_none_or(|s| r.stack == s))
            .flat_map(|r| r.outputs.iter().map(move |o| (r, o)))
            .find(|(_, o)| o.key.contains(wanted))
            .map(|(r, o)| (r.stack.clone(), o.value.clone()))
    };
    let text = |v: &Value| v.as_str().map(str::to_string);
    let mut row = |label: &str, value: &str| {
        let _ = writeln!(out, "{label:<16}{value}");
    };

    let traffic = &topology["traffic"];
    if let (Some(scheme), Some(domain)) = (text(&traffic["scheme"]), text(&traffic["domain"])) {
        row("App:", &format!("{scheme}://{domain}"));
    }

    let mut balancers = Vec::new();
    for (role, label) in [("primary", "primary"), ("secondary", "DR")] {
        let lb = &traffic["loadBalancers"][role];
        let (Some(stack), Some(region)) = (text(&lb["stack"]), text(&lb["region"])) else {
            continue;
        };
        if let Some((_, dns)) = output(Some(&stack), "LoadBalancerDnsName") {
            balancers.push(format!("{region} ({label}): {dns}"));
        }
    }
    for (i, b) in balancers.iter().enumerate() {
        row(if i == 0 { "Load balancers:" } else { "" }, b);
    }

    let database = &topology["database"];
    // The CNAME lives in the global stack: named only when that stack was deployed.
    let cname = text(&topology["stacks"]["global"])
        .filter(|global| summary.stack(global).is_some())
        .and_then(|_| text(&database["cname"]["name"]));
    if let Some(cname) = cname {
        let name = text(&database["databaseName"])
            .map(|n| format!(", database `{n}`"))
            .unwrap_or_default();
        row(
            "Database:",
            &format!("{cname} (the generic name; it follows the Aurora writer){name}"),
        );
    }
    // The zone is created in the topology's global stack; another pair's global stack (an app
    // may declare several pairs) has name servers of its own zone.
    let global = text(&topology["stacks"]["global"]);
    if let Some((stack, servers)) = output(global.as_deref(), "NameServers") {
        let zone = text(&traffic["hostedZone"]["name"])
            .map(|z| format!("{z} "))
            .unwrap_or_default();
        row(
            "Name servers:",
            &format!("{servers} (delegate {zone}to them; {stack} output)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_in_a_target_directory_is_run_again_through_cargo() {
        let of = |p: &str| Invocation::of_path(Path::new(p));
        assert_eq!(
            of("/src/drkit/target/debug/examples/two_region"),
            Invocation::Cargo {
                selector: "--example two_region".into()
            }
        );
        assert_eq!(
            of("target/release/infra"),
            Invocation::Cargo {
                selector: "--bin infra --release".into()
            }
        );
        assert_eq!(
            of("/usr/local/bin/infra"),
            Invocation::Program("infra".into())
        );
        assert_eq!(
            of("/src/drkit/target/debug/examples/two_region").command("diff", true),
            "cargo run --example two_region --features aws -- diff"
        );
    }
}
