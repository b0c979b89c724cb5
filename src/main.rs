//! The `redactd` command line: thin glue over the library.
//!
//! Exit codes: 0 done, 2 usage or configuration error, 1 any runtime
//! failure, a panic included.

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    // A panic message can quote what the panicking code was looking at;
    // only its place is printed. One in a record is caught and the record
    // quarantined (class `internal`); anywhere else it exits 1.
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map_or_else(
            || "unknown place".to_string(),
            |l| format!("{}:{}", l.file(), l.line()),
        );
        let thread = std::thread::current();
        eprintln!(
            "redactd: internal error: panic in thread {} at {at}",
            thread.name().unwrap_or("unnamed")
        );
    }));
    let args = cli::Cli::parse();
    match std::panic::catch_unwind(|| cli::run(args)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(cli::Failure::Usage(e))) => {
            eprintln!("redactd: {e:#}");
            ExitCode::from(2)
        }
        Ok(Err(cli::Failure::Runtime(e))) => {
            eprintln!("redactd: {e:#}");
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(1),
    }
}
