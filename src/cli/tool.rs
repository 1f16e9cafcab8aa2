//! The `drkit` program itself, for what needs no app: `drkit new DIR` writes a starting
//! infrastructure crate, `drkit explain CODE` prints a diagnostic code's documentation. An
//! app's own program (`drkit::cli::run(app)`) synthesizes, deploys, diffs and destroys.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use super::ExplainArgs;
use super::new::{DrkitSource, new_crate};

/// Command-line arguments of the `drkit` program.
#[derive(Debug, Parser)]
#[command(
    name = "drkit",
    version,
    about = "Start a drkit infrastructure crate, or explain a diagnostic code",
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
