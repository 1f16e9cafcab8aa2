//! The `drkit` program: `drkit new DIR` (a starting infrastructure crate),
//! `drkit explain CODE` (a diagnostic code's documentation), and
//! `drkit status | failover | failback | drill --app DIR` (a DR pair operated from an assembly
//! directory).

fn main() -> std::process::ExitCode {
    drkit::cli::tool::main()
}
