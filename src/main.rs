//! The `paceback` binary: parse arguments, run, report one error with its exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // ggml prints a crash backtrace by running gdb, whose output lands on our stdout (which may be
    // carrying --json). SAFETY: no other thread exists yet.
    unsafe { std::env::set_var("GGML_NO_BACKTRACE", "1") };
    paceback::interrupt::install();
    let cli = paceback::cli::Cli::parse();
    match paceback::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}
