//! `motcua export`: a store's events as JSON Lines on standard output or into a file, in
//! commit order.

use crate::data::{read_any_store, AnyStore};
use crate::error::CliError;
use motcua_io::WriteError;
use motcua_store::{export_jsonl, ExportError};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `motcua export`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// The store to export: a SQLite file or a PostgreSQL URL (`postgres://…[#schema]`).
    #[arg(long, value_name = "FILE|URL")]
    pub store: String,
    /// Write the events to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs `motcua export`.
pub fn run(args: &ExportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (name, store) = read_any_store(&args.store)?;
    let Some(path) = &args.out else {
        return export(&name, &store, out);
    };
    let io = |source| CliError::Io {
        path: path.clone(),
        source,
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    export(&name, &store, &mut file).map_err(|e| match e {
        CliError::Output(source) => io(source),
        other => other,
    })?;
    file.flush().map_err(io)
}

/// Writes the store's events to `out`; a failed write is [`CliError::Output`].
fn export(name: &str, store: &AnyStore, out: &mut dyn Write) -> Result<(), CliError> {
    export_jsonl(store, out).map_err(|e| match e {
        ExportError::Write {
            source: WriteError::Io(io),
            ..
        } => CliError::Output(io),
        ExportError::Store(e) => CliError::store(name, "could not read the store", &e),
        other => CliError::Data(format!("{name}: {other}")),
    })?;
    Ok(())
}
