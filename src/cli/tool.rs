//! The `drkit` program itself, for what needs no build of an app: `drkit new DIR` writes a
//! starting infrastructure crate, `drkit explain CODE` prints a diagnostic code's
//! documentation, and `drkit status | failover | failback | drill --app DIR` operate a DR pair
//! from an assembly directory an app's program wrote (`synth`, `deploy`), as the AWS CDK's
//! `cdk.out`: an operator fails over without compiling the infrastructure crate. An app's own
//! program (`drkit::cli::run(app)`) synthesizes, deploys, diffs and destroys.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use dr_synth::Assembly;

use super::new::{DrkitSource, new_crate};
use super::operate::{self, DrillArgs, FailbackArgs, FailoverArgs, StatusArgs};
use super::{ExplainArgs, TargetArgs};

/// Command-line arguments of the `drkit` program.
#[derive(Debug, Parser)]
#[command(
    name = "drkit",
    version,
    about = "Start a drkit infrastructure crate, explain a diagnostic code, or operate a DR pair \
             from its assembly directory",
    long_about = None
)]
pub struct Tool {
    /// What to do.
    #[command(subcommand)]
    pub command: ToolCommand,
}

/// Subcommands of the `drkit` program.
#[derive(Debug, Subcommand)]
pub enum ToolCommand {
    /// Write a minimal infrastructure crate into DIR (new or empty): Cargo.toml, src/main.rs,
    /// .gitignore; `cargo run` in it then deploys to the local simulator.
    New(NewArgs),
    /// Print the documentation of a diagnostic code, e.g. `explain DRK-TREE-001`.
    Explain(ExplainArgs),
    /// Show the DR pair: which Region is active (the writer, the traffic switch, Route 53's
    /// answer), what disagrees, the standby site's readiness and the last recorded run.
    Status(FromApp<StatusArgs>),
    /// Move the writer and the traffic to the DR Region: a planned switchover (no data loss),
    /// or with --unplanned a failover during a primary-Region outage. Saves a record in
    /// <app>/runs/.
    Failover(FromApp<FailoverArgs>),
    /// Move the writer and the traffic back to the primary Region (a switchover, after the old
    /// primary has rejoined). Saves a record in <app>/runs/.
    Failback(FromApp<FailbackArgs>),
    /// A game day. On the simulator: deploy the assembly, take the primary Region down, fail
    /// over, bring it back, fail back, and report the recovery times. On AWS (with --real): a
    /// planned failover and failback of the real pair.
    Drill(FromApp<DrillArgs>),
}

/// The options of an operating command of the `drkit` program, with the assembly directory
/// it reads.
#[derive(Debug, Clone, Args)]
pub struct FromApp<A: Args> {
    /// The command's options.
    #[command(flatten)]
    pub args: A,
    /// The assembly directory an app's program wrote (`synth` or `deploy`, `--out`, default
    /// `drkit.out`): its manifest names the pair's resources; the records of failovers,
    /// failbacks and drills are kept in its `runs/`.
    #[arg(long, default_value = "drkit.out")]
    pub app: PathBuf,
}

/// `drkit new` options.
#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    /// The crate's directory; it must not exist or be empty.
    pub dir: PathBuf,
    /// The package name; default: the directory's name.
    #[arg(long)]
    pub name: Option<String>,
}

/// The `drkit` program's `main`: parses the process arguments and runs them; on failure it
/// prints the error and its causes and returns [`ExitCode::FAILURE`].
pub fn main() -> ExitCode {
    match Tool::try_parse() {
        Ok(tool) => match run_tool(tool) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => super::report_error(&e),
        },
        Err(e) => super::clap_exit(&e),
    }
}

/// Runs already-parsed `drkit` arguments.
pub fn run_tool(tool: Tool) -> Result<()> {
    match tool.command {
        ToolCommand::Explain(args) => print!("{}", super::explain(&args.code)?),
        ToolCommand::Status(a) => {
            let assembly = read_assembly(&a.app, &a.args.target)?;
            block_on(operate::status(&assembly, &a.app, &a.args))?;
        }
        ToolCommand::Failover(a) => {
            let assembly = read_assembly(&a.app, &a.args.target)?;
            block_on(operate::failover(&assembly, &a.app, &a.args))?;
        }
        ToolCommand::Failback(a) => {
            let assembly = read_assembly(&a.app, &a.args.target)?;
            block_on(operate::failback(&assembly, &a.app, &a.args))?;
        }
        ToolCommand::Drill(a) => {
            let assembly = read_assembly(&a.app, &a.args.target)?;
            block_on(operate::drill(&assembly, &a.app, &a.args))?;
        }
        ToolCommand::New(args) => {
            let made = new_crate(&args.dir, args.name.as_deref(), &DrkitSource::current())?;
            println!(
                "Created `{}` in {}; next:\n  cd {}\n  cargo run                              # deploy to the local simulator\n  cargo run --features aws -- --target aws   # deploy to AWS",
                made.name,
                made.dir.display(),
                made.dir.display()
            );
        }
    }
    Ok(())
}

/// Reads the assembly an app's program wrote into `dir`, once the target is known to be built
/// in.
fn read_assembly(dir: &Path, target: &TargetArgs) -> Result<Assembly> {
    super::init_tracing();
    super::check_target(target)?;
    Assembly::read(dir).with_context(|| {
        format!(
            "reading the assembly in {0} (an app's program writes it: `synth --out {0}` or \
             `deploy --out {0}`)",
            dir.display()
        )
    })
}

/// Runs an operating command to completion.
fn block_on(command: impl Future<Output = Result<()>>) -> Result<()> {
    tokio::runtime::Runtime::new()
        .context("starting the async runtime")?
        .block_on(command)
}
