//! A generated province-year in a SQLite store, laid out as a host's own commands lay it out:
//! the generator's events in time order (dossiers interleaved) through the import path of
//! `motcua import` / `motcua gen --store`, one import session, then the open-dossier projection
//! caught up. Built once and kept; a file left half-built (no projection yet) is built again.

use motcua::calendar::Calendar;
use motcua::gen::{generate_stream, GenConfig};
use motcua::sqlite::SqliteStore;
use motcua::store::open_dossiers::{catch_up, fingerprint, OpenDossierTable};
use motcua::store::{import_jsonl_with, import_results, ImportOptions};
use motcua::{Catalogue, Context};
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("{what}: {e}");
    std::process::exit(1)
}

/// The store of `dossiers` generated dossiers (seed 7, year 2024) at `path`, and its catalogue.
/// With `jsonl`, the events are first written there as `motcua gen --out` writes them and the
/// store is imported from that file as `motcua import` does; without, they go straight to the
/// import session as `motcua gen --store` sends them.
pub fn province_store(path: &Path, dossiers: usize, jsonl: Option<&Path>) -> Catalogue {
    if let Some(catalogue) = SqliteStore::open_read_only(path)
        .ok()
        .filter(|s| s.open_head().ok().flatten().is_some())
        .and_then(|s| s.catalogue().ok().flatten())
    {
        if jsonl.is_none_or(Path::exists) {
            return catalogue;
        }
    }
    let _ = std::fs::remove_file(path);
    let started = std::time::Instant::now();
    eprintln!("building {} ({dossiers} dossiers, once)…", path.display());
    let calendar = Calendar::vietnam();
    let config = GenConfig {
        dossiers,
        seed: 7,
        year: 2024,
    };
    let stream = generate_stream(&config, &calendar).unwrap_or_else(|e| fail("gen", e));
    let catalogue = stream.catalogue().clone();
    let store = SqliteStore::open(path).unwrap_or_else(|e| fail("store", e));
    store
        .save_catalogue(&catalogue)
        .unwrap_or_else(|e| fail("store", e));
    match jsonl {
        Some(file) => {
            let out = std::fs::File::create(file).unwrap_or_else(|e| fail("jsonl", e));
            let mut out = BufWriter::with_capacity(1 << 20, out);
            for event in stream {
                let event = event.unwrap_or_else(|e| fail("gen", e));
                motcua::io::write_event(&mut out, &event).unwrap_or_else(|e| fail("jsonl", e));
            }
            out.flush().unwrap_or_else(|e| fail("jsonl", e));
            drop(out);
            let lines = std::fs::File::open(file).unwrap_or_else(|e| fail("jsonl", e));
            import_jsonl_with(
                &store,
                BufReader::with_capacity(1 << 20, lines),
                &catalogue,
                &ImportOptions::default(),
                &mut |_| {},
            )
            .unwrap_or_else(|e| fail("import", e));
        }
        None => {
            import_results(
                &store,
                stream,
                &catalogue,
                &ImportOptions::default(),
                &mut |_| {},
            )
            .unwrap_or_else(|e| fail("import", e));
        }
    }
    let context = Context::new(&catalogue, &calendar);
    let key = fingerprint(&[
        b"province_store",
        motcua::io::write_catalogue(&catalogue).as_bytes(),
    ]);
    catch_up(&store, &context, key, 10_000).unwrap_or_else(|e| fail("projection", e));
    drop(store);
    // Fold the write-ahead log into the file, so copies of it are whole.
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| fail("store", e));
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap_or_else(|e| fail("checkpoint", e));
    eprintln!("built {} in {:.1?}", path.display(), started.elapsed());
    catalogue
}
