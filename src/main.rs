//! The `paceback` binary: parse arguments, run, report one error with its exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    paceback::interrupt::install();
    let cli = paceback::cli::Cli::parse();
    match paceback::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}
