//! `motcua export`: a store's events as JSON Lines on standard output, in commit order.

use crate::data::read_store;
use crate::error::CliError;
use motcua_io::WriteError;
use motcua_store::{export_jsonl, ExportError};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `motcua export`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// The store file (SQLite) to export.
    #[arg(long, value_name = "FILE")]
    pub store: PathBuf,
}

/// Runs `motcua export`.
pub fn run(args: &ExportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let store = read_store(&args.store)?;
    export_jsonl(&store, out).map_err(|e| match e {
        ExportError::Write {
            source: WriteError::Io(io),
            ..
        } => CliError::Output(io),
        ExportError::Store(e) => CliError::store(
            &args.store.display().to_string(),
            "could not read the store",
            &e,
        ),
        other => CliError::Data(format!("{}: {other}", args.store.display())),
    })?;
    Ok(())
}
