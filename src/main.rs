//! The `redactd` command line: thin glue over the library.

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(cli::Failure::Usage(e)) => {
            eprintln!("redactd: {e:#}");
            ExitCode::from(2)
        }
        Err(cli::Failure::Runtime(e)) => {
            eprintln!("redactd: {e:#}");
            ExitCode::from(1)
        }
    }
}
