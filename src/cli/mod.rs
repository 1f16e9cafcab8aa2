//! The command line a drkit program gets from `drkit::cli::run(app)`:
//! `synth | diff | deploy | destroy`, with `--target local|aws` (default `local`, the embedded
//! simulator). No subcommand means `deploy` to the local backend.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use dr_core::App;
use dr_core::cloud::Cloud;
use dr_deploy::{DeployObserver, DeployOptions, DestroyOptions};
use dr_synth::Assembly;

mod progress;

pub use progress::IndicatifObserver;

/// Command-line arguments of a drkit program.
#[derive(Debug, Parser)]
#[command(about = "Synthesize, deploy and inspect this drkit app", long_about = None)]
pub struct Cli {
    /// What to do; default `deploy`.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The assembly directory.
    #[arg(long, global = true, default_value = "drkit.out")]
    pub out: PathBuf,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write one CloudFormation template per stack and the manifest into --out.
    Synth,
    /// Synthesize, then deploy every stack, or the stacks named (the default).
    Deploy(DeployArgs),
    /// Show what a deploy would add, modify (marking replacements) and remove.
    Diff(DiffArgs),
    /// Delete every stack, or the stacks named, in reverse dependency order.
    Destroy(DestroyArgs),
}

/// Where to deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Target {
    /// The embedded simulator (state in `.drkit/`): no AWS account needed; not AWS.
    #[default]
    Local,
    /// AWS, through the SDK's standard credential chain.
    Aws,
}

/// Options naming the backend.
#[derive(Debug, Clone, Args, Default)]
pub struct TargetArgs {
    /// The backend.
    #[arg(long, value_enum, default_value_t = Target::Local)]
    pub target: Target,
    /// AWS profile (with --target aws).
    #[arg(long)]
    pub profile: Option<String>,
    /// Send every AWS call to this URL, e.g. an emulator on 127.0.0.1 (with --target aws).
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// The local simulator's state file; default `.drkit/local-state.json`.
    #[arg(long)]
    pub state: Option<PathBuf>,
}

/// `deploy` options.
#[derive(Debug, Clone, Args, Default)]
pub struct DeployArgs {
    /// Only these stacks (default: all). Values they take from stacks left out come from
    /// what is deployed.
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Backend options.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Allow replacing or removing stateful resources (databases, hosted zones, key pairs,
    /// secrets); a temporary stack policy allows it and the protective one is restored after.
    #[arg(long)]
    pub allow_data_loss: bool,
    /// Deploy stacks even when nothing changed.
    #[arg(long)]
    pub force: bool,
    /// S3 bucket for templates over CloudFormation's 51,200-byte inline limit.
    #[arg(long)]
    pub template_bucket: Option<String>,
    /// Leave termination protection off.
    #[arg(long)]
    pub no_termination_protection: bool,
}

/// `diff` options.
#[derive(Debug, Clone, Args, Default)]
pub struct DiffArgs {
    /// Only these stacks (default: all).
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Backend options.
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `destroy` options.
#[derive(Debug, Clone, Args, Default)]
pub struct DestroyArgs {
    /// Only these stacks (default: all). A stack that a deployed stack left out depends on is
    /// kept, and the report says why.
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Backend options.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Turn termination protection off where it is on.
    #[arg(long)]
    pub lift_termination_protection: bool,
    /// Turn database deletion protection off where it is on.
    #[arg(long)]
    pub lift_deletion_protection: bool,
    /// Remove database clusters from their global cluster first.
    #[arg(long)]
    pub leave_global_cluster: bool,
}

/// Runs the command line for `app`, reading the process arguments. On failure it prints the
/// error (with its causes, one per line) and exits with status 1: it is the program's entry
/// point, and a user wants the message, not a backtrace.
pub fn run(app: App) -> Result<()> {
    if let Err(e) = run_with(app, Cli::parse()) {
        eprintln!("error: {e}");
        for cause in e.chain().skip(1) {
            eprintln!("  caused by: {cause}");
        }
        std::process::exit(1);
    }
    Ok(())
}

/// Runs the command line for `app` with already-parsed arguments.
pub fn run_with(app: App, cli: Cli) -> Result<()> {
    init_tracing();
    let command = cli
        .command
        .unwrap_or(Command::Deploy(DeployArgs::default()));
    if let Command::Synth = command {
        return synth(&app, &cli.out).map(|_| ());
    }
    let assembly = synth(&app, &cli.out)?;
    let out = cli.out;
    // Dropping the tree before the async part: it is not Send, and nothing needs it any more.
    drop(app);
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        match command {
            Command::Synth => Ok(()),
            Command::Deploy(args) => deploy(&assembly, &args, &out).await,
            Command::Diff(args) => diff(&assembly, &args).await,
            Command::Destroy(args) => destroy(&assembly, &args).await,
        }
    })
}

fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DRKIT_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
}

/// Synthesizes `app` into `out`, printing warnings; every error is shown and nothing is
/// written when there is one.
pub fn synth(app: &App, out: &Path) -> Result<Assembly> {
    let assembly = match dr_synth::synth(app) {
        Ok(a) => a,
        Err(diags) => bail!("synthesis failed, nothing was written.\n{diags}"),
    };
    for w in &assembly.warnings {
        eprintln!("{w}");
    }
    assembly
        .write(out)
        .with_context(|| format!("writing the assembly to {}", out.display()))?;
    print!("{}", synth_report(&assembly, out));
    Ok(assembly)
}

/// What `synth` prints: where each stack's template is, with its resource count and minified
/// size, next to CloudFormation's limits (500 resources, 51,200 bytes inline), so a stack that
/// grows toward them shows before a deploy fails.
pub fn synth_report(assembly: &Assembly, out: &Path) -> String {
    let mut report = format!(
        "Synthesized {} stack(s) into {}\n",
        assembly.stacks.len(),
        out.display()
    );
    for s in &assembly.stacks {
        report.push_str(&format!(
            "  {} ({}): {} ({} resources, {} bytes minified)\n",
            s.name,
            s.region,
            out.join(s.template_file()).display(),
            s.resource_types().len(),
            s.template_body().len()
        ));
    }
    report
}

/// Opens the backend the arguments name.
pub fn open_cloud(args: &TargetArgs) -> Result<Box<dyn Cloud>> {
    match args.target {
        Target::Local => {
            let cloud = match &args.state {
                Some(path) => dr_local::LocalCloud::open(path),
                None => dr_local::LocalCloud::open_project("."),
            }
            .context("opening the local simulator's state")?;
            eprintln!(
                "target: local simulator (not AWS; state in {})",
                cloud
                    .state_path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "memory".into())
            );
            Ok(Box::new(cloud))
        }
        Target::Aws => open_aws(args),
    }
}

#[cfg(feature = "aws")]
fn open_aws(args: &TargetArgs) -> Result<Box<dyn Cloud>> {
    let options = dr_aws::AwsOptions {
        profile: args.profile.clone(),
        endpoint_url: args.endpoint_url.clone(),
    };
    eprintln!(
        "target: AWS{}",
        args.endpoint_url
            .as_deref()
            .map(|u| format!(" at {u}"))
            .unwrap_or_default()
    );
    Ok(Box::new(dr_aws::AwsCloud::new(options)))
}

#[cfg(not(feature = "aws"))]
fn open_aws(_: &TargetArgs) -> Result<Box<dyn Cloud>> {
    bail!("this build of drkit has no AWS backend; rebuild with the `aws` feature (on by default)")
}

/// The stacks named on the command line, checked against the app: `None` for all.
fn selected_stacks(assembly: &Assembly, names: &[String]) -> Result<Option<Vec<String>>> {
    if names.is_empty() {
        return Ok(None);
    }
    let known: Vec<&str> = assembly.stacks.iter().map(|s| s.name.as_str()).collect();
    for name in names {
        if !known.contains(&name.as_str()) {
            let hint = dr_core::suggest::nearest(name, known.iter().copied())
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            bail!(
                "no stack `{name}` in app `{}`; {hint}its stacks are: {}",
                assembly.app,
                known.join(", ")
            );
        }
    }
    Ok(Some(names.to_vec()))
}

async fn deploy(assembly: &Assembly, args: &DeployArgs, out: &Path) -> Result<()> {
    let only = selected_stacks(assembly, &args.stacks)?;
    let cloud = open_cloud(&args.target)?;
    let options = DeployOptions {
        only,
        force: args.force,
        allow_data_loss: args.allow_data_loss,
        termination_protection: !args.no_termination_protection,
        template_bucket: args.template_bucket.clone(),
        ..DeployOptions::default()
    };
    let observer = IndicatifObserver::new();
    let summary = dr_deploy::deploy(
        cloud.as_ref(),
        assembly,
        &options,
        &observer as &dyn DeployObserver,
    )
    .await;
    drop(observer);
    print!("{summary}");
    if let Some(err) = summary.first_error() {
        bail!("deploy failed: {err}");
    }
    if summary
        .stacks
        .iter()
        .all(|r| r.action == dr_deploy::StackAction::Unchanged)
    {
        println!("Nothing to change: every stack is up to date.");
    }
    print_endpoints(&summary);
    // The manifest holds the DR topology the operations commands read.
    println!("Templates and manifest: {}", out.display());
    Ok(())
}

/// Prints the outputs a person looks for after a deploy: the app's DNS name, the database
/// CNAME, and any name servers to delegate a created hosted zone to.
fn print_endpoints(summary: &dr_deploy::DeploySummary) {
    const WANTED: [(&str, &str); 3] = [
        ("AppDnsName", "App"),
        ("DatabaseCname", "Database (generic CNAME)"),
        ("NameServers", "Delegate the zone to"),
    ];
    for report in &summary.stacks {
        for o in &report.outputs {
            if let Some((_, label)) = WANTED.iter().find(|(k, _)| o.key.contains(k)) {
                println!("{label}: {} ({} output {})", o.value, report.stack, o.key);
            }
        }
    }
}

async fn diff(assembly: &Assembly, args: &DiffArgs) -> Result<()> {
    let options = DeployOptions {
        only: selected_stacks(assembly, &args.stacks)?,
        ..DeployOptions::default()
    };
    let cloud = open_cloud(&args.target)?;
    let diffs = dr_deploy::diff(cloud.as_ref(), assembly, &options).await?;
    for d in &diffs {
        print!("{d}");
    }
    let unknown: Vec<&str> = diffs
        .iter()
        .filter(|d| d.unreachable.is_some())
        .map(|d| d.stack.as_str())
        .collect();
    if !unknown.is_empty() {
        bail!(
            "diff incomplete: {} could not be read (its Region does not answer)",
            unknown.join(", ")
        );
    }
    Ok(())
}

async fn destroy(assembly: &Assembly, args: &DestroyArgs) -> Result<()> {
    let only = selected_stacks(assembly, &args.stacks)?;
    let question = match &only {
        None => format!(
            "Delete all {} stacks of `{}`?",
            assembly.stacks.len(),
            assembly.app
        ),
        Some(names) => format!("Delete {} of `{}`?", names.join(", "), assembly.app),
    };
    if !args.yes && !confirm(&question)? {
        bail!("destroy cancelled; nothing was deleted");
    }
    let cloud = open_cloud(&args.target)?;
    let options = DestroyOptions {
        only,
        lift_termination_protection: args.lift_termination_protection,
        lift_deletion_protection: args.lift_deletion_protection,
        leave_global_cluster: args.leave_global_cluster,
        ..DestroyOptions::default()
    };
    let observer = IndicatifObserver::new();
    let summary = dr_deploy::destroy(
        cloud.as_ref(),
        assembly,
        &options,
        &observer as &dyn DeployObserver,
    )
    .await;
    drop(observer);
    print!("{summary}");
    if let Some(err) = summary.first_error() {
        bail!("destroy failed: {err}");
    }
    Ok(())
}

fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!("{question} Refusing without a terminal to ask; pass --yes to confirm");
    }
    print!("{question} [y/N] ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}
