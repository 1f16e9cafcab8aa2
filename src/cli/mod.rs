//! The command line a drkit program gets from `drkit::cli::run(app)`:
//! `deploy | synth | diff | destroy | explain`, and the DR pair's operation,
//! `status | failover | failback | drill` (`operate.rs`, shared with the `drkit` program), with
//! `--target local|aws` (default `local`, the embedded simulator). With no subcommand the
//! program deploys, and `deploy`'s options work without the word: `two_region --target aws
//! --force`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use dr_core::App;
use dr_core::cloud::Cloud;
use dr_deploy::{
    DeployErrorKind, DeployObserver, DeployOptions, DeploySummary, DestroyOptions, TemplateBuckets,
};
use dr_synth::Assembly;

pub mod new;
pub mod operate;
mod progress;
mod summary;
pub mod tool;

pub use operate::{DrillArgs, FailbackArgs, FailoverArgs, OutageShape, StatusArgs};
pub use progress::{IndicatifObserver, IndicatifRunObserver};
pub use summary::{Invocation, deploy_summary};

/// Command-line arguments of a drkit program.
#[derive(Debug, Parser)]
#[command(
    version,
    about = "Synthesize, deploy, diff or destroy this drkit app; show, fail over, fail back or \
             drill its DR pair",
    long_about = None,
    // The default-subcommand pattern: `deploy`'s options at the top level mean `deploy`.
    args_conflicts_with_subcommands = true,
)]
pub struct Cli {
    /// What to do; without one, the program deploys with the top-level options.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `deploy`'s options, used when no subcommand is given.
    #[command(flatten)]
    pub deploy: DeployArgs,
}

impl Cli {
    /// The subcommand to run: the one given, or `deploy` with the top-level options.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Deploy(self.deploy))
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Deploy every stack of the app, or only the STACKs named (the default command).
    Deploy(DeployArgs),
    /// Write each stack's CloudFormation template and manifest.json into --out; deploy nothing.
    Synth(SynthArgs),
    /// Show what a deploy would change in every stack, or only in the STACKs named.
    Diff(DiffArgs),
    /// Delete every stack of the app, or only the STACKs named, dependents first.
    Destroy(DestroyArgs),
    /// Print the documentation of a diagnostic code, e.g. `explain DRK-TREE-001`.
    Explain(ExplainArgs),
    /// Show the DR pair: which Region is active (the writer, the traffic switch, Route 53's
    /// answer), what disagrees, the standby site's readiness and the last recorded run.
    Status(Operate<StatusArgs>),
    /// Move the writer and the traffic to the DR Region: a planned switchover (no data loss),
    /// or with --unplanned a failover during a primary-Region outage. Saves a record in
    /// <out>/runs/.
    Failover(Operate<FailoverArgs>),
    /// Move the writer and the traffic back to the primary Region (a switchover, after the old
    /// primary has rejoined). Saves a record in <out>/runs/.
    Failback(Operate<FailbackArgs>),
    /// A game day. On the simulator: deploy, take the primary Region down, fail over, bring it
    /// back, fail back, and report the recovery times. On AWS (with --real): a planned failover
    /// and failback of the real pair.
    Drill(Operate<DrillArgs>),
}

impl Command {
    /// The backend options of a command that talks to one.
    pub fn target(&self) -> Option<&TargetArgs> {
        match self {
            Command::Deploy(a) => Some(&a.target),
            Command::Diff(a) => Some(&a.target),
            Command::Destroy(a) => Some(&a.target),
            Command::Status(a) => Some(&a.args.target),
            Command::Failover(a) => Some(&a.args.target),
            Command::Failback(a) => Some(&a.args.target),
            Command::Drill(a) => Some(&a.args.target),
            Command::Synth(_) | Command::Explain(_) => None,
        }
    }

    /// The assembly directory of an operating command (`status`, `failover`, `failback`,
    /// `drill`): written before it runs, its `runs/` read and written.
    pub fn assembly_dir(&self) -> Option<&Path> {
        match self {
            Command::Status(a) => Some(&a.out),
            Command::Failover(a) => Some(&a.out),
            Command::Failback(a) => Some(&a.out),
            Command::Drill(a) => Some(&a.out),
            _ => None,
        }
    }
}

/// The options of an operating command in an app's program, with the assembly directory.
#[derive(Debug, Clone, Args)]
pub struct Operate<A: Args> {
    /// The command's options.
    #[command(flatten)]
    pub args: A,
    /// The assembly directory: the app is synthesized into it first (so `drkit <command> --app
    /// DIR` works from it afterwards, without this program), and the records of failovers,
    /// failbacks and drills are kept in its `runs/`.
    #[arg(long, default_value = "drkit.out")]
    pub out: PathBuf,
}

/// Where to deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Target {
    /// The embedded simulator (state in `.drkit/`): no AWS account needed; not AWS.
    #[default]
    Local,
    /// AWS, through the SDK's standard credential chain (needs drkit's `aws` feature).
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

/// `synth` options.
#[derive(Debug, Clone, Args)]
pub struct SynthArgs {
    /// The directory the templates and manifest.json are written to.
    #[arg(long, default_value = "drkit.out")]
    pub out: PathBuf,
}

/// `deploy` options (also the top-level options, since `deploy` is the default command).
#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// Deploy only these stacks; values they take from stacks left out come from what is
    /// deployed.
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Backend options.
    #[command(flatten)]
    pub target: TargetArgs,
    /// The directory the templates and manifest.json are written to before deploying.
    #[arg(long, default_value = "drkit.out")]
    pub out: PathBuf,
    /// Allow replacing or removing stateful resources (databases, hosted zones, key pairs,
    /// secrets); a temporary stack policy allows it and the protective one is restored after.
    #[arg(long)]
    pub allow_data_loss: bool,
    /// Deploy stacks even when nothing changed.
    #[arg(long)]
    pub force: bool,
    /// S3 bucket for templates over CloudFormation's 51,200-byte inline limit, one per Region:
    /// `REGION=BUCKET` (repeat the flag for each Region) or a name with `{region}` in it
    /// (`my-templates-{region}`). A bucket serves only its own Region's stacks.
    #[arg(long, value_name = "REGION=BUCKET")]
    pub template_bucket: Vec<String>,
    /// Leave termination protection off.
    #[arg(long)]
    pub no_termination_protection: bool,
}

/// `diff` options.
#[derive(Debug, Clone, Args, Default)]
pub struct DiffArgs {
    /// Compare only these stacks.
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Backend options.
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `destroy` options.
#[derive(Debug, Clone, Args, Default)]
pub struct DestroyArgs {
    /// Delete only these stacks. A stack that a deployed stack left out depends on is kept,
    /// and the report says why.
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
    /// Turn deletion protection off where it is on: on database clusters, Aurora global
    /// clusters and load balancers.
    #[arg(long)]
    pub lift_deletion_protection: bool,
    /// Remove database clusters from their global cluster first.
    #[arg(long)]
    pub leave_global_cluster: bool,
    /// For a stack an earlier destroy left in DELETE_FAILED: delete it and keep the resources
    /// that failed to delete, outside any stack, for you to delete.
    #[arg(long, conflicts_with = "force_delete")]
    pub retain_failed: bool,
    /// For a stack an earlier destroy left in DELETE_FAILED: force the deletion
    /// (FORCE_DELETE_STACK), leaving behind whatever fails to delete.
    #[arg(long)]
    pub force_delete: bool,
    /// Empty the load balancers' access-log buckets (every object version: the logs are gone
    /// for good) so that they are deleted with their stack. Without it, a bucket that holds
    /// logs is kept, outside any stack, and named in the summary.
    #[arg(long)]
    pub empty_buckets: bool,
}

/// `explain` options.
#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// The code, as a diagnostic shows it (`DRK-TREE-001`; case and the `DRK-` prefix are
    /// optional).
    pub code: String,
}

/// Runs the command line for `app`, reading the process arguments: the whole `main` of a
/// drkit program (`fn main() -> ExitCode { drkit::cli::run(build()) }`). On failure it prints
/// the error with its causes, one per line, and returns [`ExitCode::FAILURE`]: a user wants
/// the message, not a backtrace.
pub fn run(app: App) -> ExitCode {
    run_from(app, std::env::args_os())
}

/// [`run`] with the arguments given (the program name first), for a `main` that takes some
/// arguments of its own before handing the rest to drkit (`examples/many_pairs.rs` reads
/// `--pairs N`).
pub fn run_from<I, T>(app: App, args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = command_for(&app)
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match cli {
        Ok(cli) => cli,
        // --help and --version arrive here too, with a success code.
        Err(e) => return clap_exit(&e),
    };
    match run_command(app, cli, ProcessEnds::After) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report_error(&e),
    }
}

/// The command line of `app`'s program: [`Cli`] named after the program, with `--version`
/// naming the app and drkit's version (`two_region (app `shop`), drkit 0.1.0`).
pub fn command_for(app: &App) -> clap::Command {
    let program = std::env::args_os()
        .next()
        .and_then(|arg0| {
            Path::new(&arg0)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| app.name());
    Cli::command().name(program).version(format!(
        "(app `{}`), drkit {}",
        app.name(),
        env!("CARGO_PKG_VERSION")
    ))
}

/// Prints clap's message (usage error, help or version) and returns its exit code.
pub(crate) fn clap_exit(e: &clap::Error) -> ExitCode {
    let _ = e.print();
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
}

/// Prints `error: …` and each cause on a line of its own; returns [`ExitCode::FAILURE`].
pub(crate) fn report_error(e: &anyhow::Error) -> ExitCode {
    eprintln!("error: {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    ExitCode::FAILURE
}

/// Runs the command line for `app` with already-parsed arguments (what [`run`] does after
/// parsing; tests call it directly).
pub fn run_with(app: App, cli: Cli) -> Result<()> {
    run_command(app, cli, ProcessEnds::Later)
}

/// Whether the process ends when the command does.
#[derive(Clone, Copy, PartialEq)]
enum ProcessEnds {
    /// It does ([`run`] and [`run_from`]): what the command built need not be freed, the OS
    /// takes the memory back at once, while freeing a large app's tree and assembly piece
    /// by piece is a sizeable part of `synth` (BENCHMARKS.md).
    After,
    /// The caller goes on ([`run_with`]).
    Later,
}

fn run_command(app: App, cli: Cli, ends: ProcessEnds) -> Result<()> {
    init_tracing();
    let command = cli.into_command();
    if let Some(target) = command.target() {
        check_target(target)?;
    }
    match &command {
        Command::Explain(args) => {
            print!("{}", explain(&args.code)?);
            return Ok(());
        }
        Command::Synth(args) => {
            let assembly = synth(&app, &args.out)?;
            print!("{}", synth_report(&assembly, &args.out));
            if ends == ProcessEnds::After {
                std::mem::forget(assembly);
                std::mem::forget(app);
            }
            return Ok(());
        }
        _ => {}
    }
    // `diff` and `destroy` synthesize in memory: only `synth` and `deploy` write the assembly.
    let assembly = match &command {
        Command::Deploy(args) => {
            let assembly = synth(&app, &args.out)?;
            println!(
                "Synthesized {} stacks into {} (templates and manifest.json)",
                assembly.stacks.len(),
                args.out.display()
            );
            assembly
        }
        Command::Diff(_) => synthesize(&app, true)?,
        // The operating commands write the assembly they act on, warnings unprinted (a
        // `status --json` is read by scripts), so that `drkit --app DIR` works from it too.
        _ => {
            let assembly = synthesize(&app, false)?;
            if let Some(dir) = command.assembly_dir() {
                assembly
                    .write(dir)
                    .with_context(|| format!("writing the assembly to {}", dir.display()))?;
            }
            assembly
        }
    };
    // Dropping the tree before the async part: it is not Send, and nothing needs it any more.
    drop(app);
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        match command {
            Command::Deploy(args) => deploy(&assembly, &args).await,
            Command::Diff(args) => diff(&assembly, &args).await,
            Command::Destroy(args) => destroy(&assembly, &args).await,
            Command::Status(a) => operate::status(&assembly, &a.out, &a.args).await,
            Command::Failover(a) => operate::failover(&assembly, &a.out, &a.args).await,
            Command::Failback(a) => operate::failback(&assembly, &a.out, &a.args).await,
            Command::Drill(a) => operate::drill(&assembly, &a.out, &a.args).await,
            Command::Synth(_) | Command::Explain(_) => Ok(()),
        }
    })
}

fn init_tracing() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    // `DRKIT_LOG` takes `level` or `target=level,...` directives (as RUST_LOG without span
    // filters); one that does not parse is reported and the default, warnings, applies.
    let filter = match std::env::var("DRKIT_LOG") {
        Ok(spec) => spec.parse::<Targets>().unwrap_or_else(|e| {
            eprintln!("DRKIT_LOG={spec:?} is not a log filter ({e}); logging warnings only");
            Targets::new().with_default(LevelFilter::WARN)
        }),
        Err(_) => Targets::new().with_default(LevelFilter::WARN),
    };
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .try_init();
}

/// Synthesizes `app` in memory, printing its warnings when `warn`; every error is shown.
fn synthesize(app: &App, warn: bool) -> Result<Assembly> {
    let assembly = match dr_synth::synth(app) {
        Ok(a) => a,
        Err(diags) => {
            // As rustc's "try `rustc --explain E0277`": the way to the longer explanation.
            let more = diags
                .errors()
                .next()
                .map(|d| {
                    let explain = summary::Invocation::current()
                        .command(&format!("explain {}", d.code), false);
                    format!("For more on a code: `{explain}`\n")
                })
                .unwrap_or_default();
            bail!("synthesis failed, nothing was written.\n{diags}{more}")
        }
    };
    if warn {
        for w in &assembly.warnings {
            eprintln!("{w}");
        }
    }
    Ok(assembly)
}

/// Synthesizes `app` into `out`, printing warnings; every error is shown and nothing is
/// written when there is one.
pub fn synth(app: &App, out: &Path) -> Result<Assembly> {
    let assembly = synthesize(app, true)?;
    assembly
        .write(out)
        .with_context(|| format!("writing the assembly to {}", out.display()))?;
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
            s.resource_count(),
            s.template_len()
        ));
    }
    report
}

/// The documentation of diagnostic code `code` (`DRK-TREE-001`, or `tree-001`), as
/// `rustc --explain` gives it: the code and its summary, then the explanation. An unknown
/// code is an error naming the nearest known one.
pub fn explain(code: &str) -> Result<String> {
    use dr_core::diagnostics::codes;
    let upper = code.trim().to_ascii_uppercase();
    let wanted = if upper.starts_with("DRK-") {
        upper
    } else {
        format!("DRK-{upper}")
    };
    let Some(found) = codes::lookup(&wanted) else {
        let hint = dr_core::suggest::nearest(&wanted, codes::ALL.iter().map(|c| c.code))
            .map(|n| format!("did you mean `{n}`? "))
            .unwrap_or_default();
        bail!(
            "no diagnostic code `{code}`; {hint}codes look like `{}` (there are {})",
            codes::ALL.first().map(|c| c.code).unwrap_or("DRK-TREE-001"),
            codes::ALL.len()
        );
    };
    Ok(format!(
        "{}: {}\n\n{}\n",
        found.code,
        found.summary,
        wrap(found.explanation, 92)
    ))
}

/// `text` with each line broken at spaces to at most `width` columns (a longer word stays
/// whole).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut column = 0;
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let len = word.chars().count();
            if column > 0 && column + 1 + len > width {
                out.push('\n');
                column = 0;
            } else if column > 0 {
                out.push(' ');
                column += 1;
            }
            out.push_str(word);
            column += len;
        }
    }
    out
}

/// Opens the backend the arguments name.
pub fn open_cloud(args: &TargetArgs) -> Result<Box<dyn Cloud>> {
    match args.target {
        Target::Local => Ok(Box::new(open_local(args)?)),
        Target::Aws => open_aws(args),
    }
}

/// Opens the local simulator at the arguments' `--state` (default `.drkit/local-state.json`),
/// as the concrete type: what only the simulator can do (take a Region down for a drill)
/// needs it. The target named in `args` is not looked at.
pub fn open_local(args: &TargetArgs) -> Result<dr_local::LocalCloud> {
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
    Ok(cloud)
}

#[cfg(feature = "aws")]
fn open_aws(args: &TargetArgs) -> Result<Box<dyn Cloud>> {
    let options = dr_aws::AwsOptions {
        profile: args.profile.clone(),
        endpoint_url: args.endpoint_url.clone(),
        ..dr_aws::AwsOptions::default()
    };
    eprintln!(
        "target: AWS{}",
        args.endpoint_url
            .as_deref()
            .map(|u| format!(" at {u}"))
            .unwrap_or_default()
    );
    let cloud = dr_aws::AwsCloud::new(options);
    // Said before anything starts: a deploy can wait an hour, and credentials that cannot be
    // refreshed would expire in the middle of it.
    if let Some(warning) = cloud.credential_warning() {
        eprintln!("warning: {warning}");
    }
    Ok(Box::new(cloud))
}

/// What a program built without the `aws` feature says to `--target aws`.
pub const NO_AWS_FEATURE: &str = "this program was built without drkit's `aws` feature, so it \
    cannot deploy to AWS; add `features = [\"aws\"]` to the drkit dependency in Cargo.toml (or \
    run with `--features aws` when the program's crate forwards it)";

#[cfg(not(feature = "aws"))]
fn open_aws(_: &TargetArgs) -> Result<Box<dyn Cloud>> {
    bail!("{NO_AWS_FEATURE}")
}

/// Stops a command for `--target aws` before any work (synthesis, files) when the AWS backend
/// is not built in.
fn check_target(args: &TargetArgs) -> Result<()> {
    if args.target == Target::Aws && !cfg!(feature = "aws") {
        bail!("{NO_AWS_FEATURE}");
    }
    Ok(())
}

/// The stacks named on the command line, checked against the app: `None` for all.
fn selected_stacks(assembly: &Assembly, names: &[String]) -> Result<Option<Vec<String>>> {
    if names.is_empty() {
        return Ok(None);
    }
    let known: Vec<&str> = assembly.stacks.iter().map(|s| s.name.as_str()).collect();
    for name in names {
        let is_command = Cli::command()
            .get_subcommands()
            .any(|c| c.get_name() == name);
        if is_command && !known.contains(&name.as_str()) {
            // `two_region --force diff`: options before a subcommand make it a stack name.
            bail!(
                "no stack `{name}` in app `{}`; to run the `{name}` command, put it first, \
                 before its options",
                assembly.app
            );
        }
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

async fn deploy(assembly: &Assembly, args: &DeployArgs) -> Result<()> {
    let only = selected_stacks(assembly, &args.stacks)?;
    let cloud = open_cloud(&args.target)?;
    let options = DeployOptions {
        only,
        force: args.force,
        allow_data_loss: args.allow_data_loss,
        termination_protection: !args.no_termination_protection,
        template_buckets: TemplateBuckets::parse(&args.template_bucket)
            .map_err(|e| anyhow::anyhow!("--template-bucket {e}"))?,
        ..DeployOptions::default()
    };
    let summary = deploy_with(cloud.as_ref(), assembly, &options).await?;
    if summary
        .stacks
        .iter()
        .all(|r| r.action == dr_deploy::StackAction::Unchanged)
    {
        println!("Nothing to change: every stack is up to date.");
    }
    print!(
        "{}",
        deploy_summary(
            assembly,
            &summary,
            args.target.target,
            &Invocation::current()
        )
    );
    Ok(())
}

/// Deploys `assembly` with the progress display and prints what happened to each stack; an
/// error when a stack failed.
async fn deploy_with(
    cloud: &dyn Cloud,
    assembly: &Assembly,
    options: &DeployOptions,
) -> Result<DeploySummary> {
    let observer = IndicatifObserver::new().simulated(cloud.is_simulated());
    let summary =
        dr_deploy::deploy(cloud, assembly, options, &observer as &dyn DeployObserver).await;
    drop(observer);
    print!("{summary}");
    if let Some(err) = summary.first_error() {
        bail!("deploy failed: {err}");
    }
    Ok(summary)
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
        retain_failed: args.retain_failed,
        force_delete: args.force_delete,
        empty_buckets: args.empty_buckets,
        ..DestroyOptions::default()
    };
    let observer = IndicatifObserver::new().simulated(cloud.is_simulated());
    let summary = dr_deploy::destroy(
        cloud.as_ref(),
        assembly,
        &options,
        &observer as &dyn DeployObserver,
    )
    .await;
    drop(observer);
    print!("{summary}");
    let blocked = summary
        .stacks
        .iter()
        .filter(|r| {
            r.error
                .as_ref()
                .is_some_and(|e| matches!(e.kind(), DeployErrorKind::Protected { .. }))
        })
        .count();
    if let Some(err) = summary.first_error()
        && !matches!(err.kind(), DeployErrorKind::Protected { .. })
    {
        bail!("destroy failed: {err}");
    }
    if blocked > 0 {
        // The summary above names every protection and the flags; the error says only that.
        bail!("destroy incomplete: {blocked} stack(s) kept by their protections (listed above)");
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
