//! The `drkit` program: `drkit new DIR` (a starting infrastructure crate) and
//! `drkit explain CODE` (a diagnostic code's documentation).

fn main() -> std::process::ExitCode {
    drkit::cli::tool::main()
}
