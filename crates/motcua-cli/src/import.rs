//! `motcua import`: checks a JSON Lines file and appends it to a store file, all or nothing.

use crate::data::{open_store, read_catalogue, store_error};
use crate::error::CliError;
use motcua_sqlite::SqliteStore;
use motcua_store::{import_jsonl, EventStore, ImportError};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

/// Arguments of `motcua import`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// Events as JSON Lines (docs/event-format.md), continuing what the store holds.
    #[arg(value_name = "EVENTS")]
    pub events: PathBuf,
    /// The store file (SQLite); created if it does not exist.
    #[arg(long, value_name = "FILE")]
    pub store: PathBuf,
    /// The procedure catalogue to check the events against; kept in the store so that
    /// `motcua report --store FILE` needs nothing else. Without it, the store's catalogue.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
}

/// Runs `motcua import`.
pub fn run(args: &ImportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let catalogue = args.catalog.as_deref().map(read_catalogue).transpose()?;
    let events = std::fs::File::open(&args.events).map_err(|source| CliError::Io {
        path: args.events.clone(),
        source,
    })?;
    let existed = args.store.exists();
    let store = open_store(&args.store, true)?;
    let result = import_into(&store, args, catalogue, BufReader::new(events));
    if result.is_err() && !existed {
        // Nothing was imported into a file this command created: leave no file behind.
        drop(store);
        remove_store_files(&args.store);
    }
    let (summary, last) = result?;
    writeln!(
        out,
        "imported {} events of {} dossiers into {} (last position {last})",
        summary.events_imported,
        summary.dossiers_touched,
        args.store.display()
    )?;
    Ok(())
}

fn import_into(
    store: &SqliteStore,
    args: &ImportArgs,
    catalogue: Option<motcua_core::Catalogue>,
    events: impl std::io::BufRead,
) -> Result<(motcua_store::ImportSummary, u64), CliError> {
    let catalogue = match catalogue {
        Some(c) => c,
        None => store
            .catalogue()
            .map_err(|e| store_error(&args.store, e))?
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: the store keeps no catalogue yet; pass --catalog FILE",
                    args.store.display()
                ))
            })?,
    };
    let summary = import_jsonl(store, events, &catalogue).map_err(|e| refused(args, e))?;
    if args.catalog.is_some() {
        store
            .save_catalogue(&catalogue)
            .map_err(|e| store_error(&args.store, e))?;
    }
    let last = store
        .last_position()
        .map_err(|e| CliError::Data(format!("the store could not be read: {e}")))?;
    Ok((summary, last))
}

/// Events the store already holds, or a concurrent append, are conflicts (exit 4); the rest
/// is bad input in the events file.
fn refused(args: &ImportArgs, error: ImportError) -> CliError {
    match error {
        ImportError::AlreadyStored { .. } | ImportError::StoreRefused { .. } => {
            CliError::Conflict {
                path: args.store.clone(),
                message: format!(
                    "cannot import {}: {error}; nothing was imported",
                    args.events.display()
                ),
            }
        }
        ImportError::Store(e) => CliError::Data(format!(
            "{}: the store failed, nothing was imported: {e}",
            args.store.display()
        )),
        other => CliError::BadInput {
            path: args.events.clone(),
            message: format!("{other}; nothing was imported"),
        },
    }
}

fn remove_store_files(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}
