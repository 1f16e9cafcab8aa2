//! The command line a drkit program gets from `drkit::cli::run(app)`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use dr_core::App;

/// Command-line arguments of a drkit program.
#[derive(Debug, Parser)]
#[command(about = "Synthesize and deploy this drkit app", long_about = None)]
pub struct Cli {
    /// What to do.
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
}

/// Runs the command line for `app`, reading the process arguments.
pub fn run(app: App) -> Result<()> {
    run_with(app, Cli::parse())
}

/// Runs the command line for `app` with already-parsed arguments.
pub fn run_with(app: App, cli: Cli) -> Result<()> {
    init_tracing();
    match cli.command {
        Some(Command::Synth) | None => synth(&app, &cli.out).map(|_| ()),
    }
}

fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("DRKIT_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// Synthesizes `app` into `out`, printing warnings; every error is shown and nothing is
/// written when there is one.
pub fn synth(app: &App, out: &std::path::Path) -> Result<dr_synth::Assembly> {
    let assembly = match dr_synth::synth(app) {
        Ok(a) => a,
        Err(diags) => bail!("synthesis failed, nothing was written.\n{diags}"),
    };
    for w in &assembly.warnings {
        eprintln!("{w}");
    }
    assembly.write(out).with_context(|| format!("writing the assembly to {}", out.display()))?;
    println!("Synthesized {} stack(s) into {}", assembly.stacks.len(), out.display());
    for s in &assembly.stacks {
        println!("  {} ({}): {}", s.name, s.region, out.join(s.template_file()).display());
    }
    Ok(assembly)
}
