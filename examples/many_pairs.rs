//! N copies of the `two_region` example's pair in one app, to measure synthesis and the
//! simulator at scale (see BENCHMARKS.md).
//!
//! `cargo run --release --example many_pairs -- --pairs 50 synth --out DIR` synthesizes 50
//! pairs (`Shop1` ... `Shop50`, each serving `shopN.example.com`); every other drkit command
//! works the same way (`--pairs 10 deploy` deploys ten pairs to the local simulator).
//! `--pairs` comes first and defaults to 10.

use std::process::ExitCode;

use drkit::prelude::*;

#[allow(dead_code)]
#[path = "two_region.rs"]
mod two_region;

/// An app of `pairs` copies of the example's Grafana pair.
pub fn build(pairs: usize) -> App {
    let app = App::new("shops");
    for i in 1..=pairs {
        two_region::shop_pair(&app, &format!("Shop{i}"), &format!("shop{i}"));
    }
    app
}

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut pairs = 10;
    if args.get(1).is_some_and(|a| a == "--pairs") {
        match args
            .get(2)
            .and_then(|n| n.to_str())
            .map(str::parse::<usize>)
        {
            Some(Ok(n)) if n > 0 => pairs = n,
            _ => {
                eprintln!("error: --pairs takes a positive number, as in `--pairs 50 synth`");
                return ExitCode::from(2);
            }
        }
        args.drain(1..3);
    }
    drkit::cli::run_from(build(pairs), args)
}
