//! The newest-first scan of a store beside its floor, in one process, alternating:
//! `SELECT body FROM events` in storage order touching every body, then the scan (read and
//! group by dossier), then the scan with every body decoded.
//!
//! ```text
//! cargo run --release -p motcua-sqlite --example scan_floor -- STORE.db [RUNS]
//! ```

use motcua_sqlite::SqliteStore;
use motcua_store::codec::compact;
use motcua_store::{DossierScan, StoreError, StoredStream};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: scan_floor STORE.db [RUNS]")?;
    let runs: usize = args.next().map_or(Ok(3), |r| r.parse())?;
    let store = SqliteStore::open_read_only(&path)?;
    let raw =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    for run in 1..=runs {
        let t = Instant::now();
        let mut stmt = raw.prepare_cached("SELECT body FROM events")?;
        let mut rows = stmt.query([])?;
        let mut bytes = 0usize;
        while let Some(row) = rows.next()? {
            bytes += row.get_ref(0)?.as_bytes()?.len();
        }
        let floor = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let mut events = 0usize;
        store.scan_newest_first(|s: StoredStream| {
            events += s.len();
            Ok::<(), StoreError>(())
        })?;
        let grouped = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let mut decoder = compact::Decoder::default();
        let mut decoded = Vec::new();
        store.scan_newest_first(|s: StoredStream| s.decode_into(&mut decoder, &mut decoded))?;
        let with_decode = t.elapsed().as_secs_f64();
        println!(
            "run {run}: floor {floor:.3} s ({bytes} bytes); scan newest first {grouped:.3} s ({:.2}x, {events} events); with decoding {with_decode:.3} s ({:.2}x)",
            grouped / floor,
            with_decode / floor
        );
    }
    Ok(())
}
