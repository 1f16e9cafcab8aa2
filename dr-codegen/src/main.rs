//! `cargo run -p dr-codegen [-- --check | -- vendor-schemas [VENV]]`: see the library docs.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo run -p dr-codegen [-- --check | -- vendor-schemas [VENV]]
  (no argument)          regenerate dr-core/src/resource_facts/generated.rs and dr-aws-constructs/src/l1/
  --check                only compare; exit 1 when a generated file is out of date
  vendor-schemas [VENV]  re-copy dr-core/schemas from the cfn-lint package in VENV
                         (default <workspace>/.venv, made by `bash scripts/test`), then regenerate";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("dr-codegen: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let root = dr_codegen::workspace_root();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => {}
        ["--check"] => {
            let generated = dr_codegen::generate(&root)?;
            let diffs = dr_codegen::check(&root, &generated)?;
            if diffs.is_empty() {
                println!(
                    "dr-codegen: {} generated files up to date",
                    generated.files.len()
                );
                return Ok(ExitCode::SUCCESS);
            }
            for d in &diffs {
                eprintln!("{d}");
            }
            eprintln!("dr-codegen: generated files are out of date; run `cargo run -p dr-codegen`");
            return Ok(ExitCode::FAILURE);
        }
        ["vendor-schemas", rest @ ..] if rest.len() <= 1 => {
            let venv = rest
                .first()
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join(".venv"));
            let n = dr_codegen::vendor_schemas(&root, &venv)?;
            println!(
                "dr-codegen: copied {n} schemas from {} into {}",
                venv.display(),
                dr_codegen::SCHEMA_DIR
            );
        }
        ["-h" | "--help"] => {
            println!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        _ => {
            eprintln!("{USAGE}");
            return Ok(ExitCode::from(2));
        }
    }
    let generated = dr_codegen::generate(&root)?;
    let changed = dr_codegen::write(&root, &generated)?;
    let lines: usize = generated
        .files
        .iter()
        .map(|f| f.contents.lines().count())
        .sum();
    println!(
        "dr-codegen: {} files ({} lines, {} L1 structs), {} changed",
        generated.files.len(),
        lines,
        generated.l1_structs,
        changed.len()
    );
    for c in changed {
        println!("  {}", c.display());
    }
    Ok(ExitCode::SUCCESS)
}
