//! Exporting a store as JSON Lines, in global order.

use crate::error::StoreError;
use crate::store::{EventStore, StoredEvent};
use motcua_io::WriteError;
use std::io::Write;

/// Events read from the store per page.
const PAGE: usize = 1024;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Reading the store failed.
    #[error("could not read the store: {0}")]
    Store(#[from] StoreError),
    /// An event could not be encoded, or the writer failed.
    #[error("could not export event at position {position}: {source}")]
    Write {
        /// The event's global position (0 when the writer failed between events).
        position: u64,
        /// What went wrong.
        source: WriteError,
    },
}

/// Writes every event in global order, one JSON line each (see [`motcua_io::write_event`]),
/// and returns how many.
///
/// The export covers the events stored when it starts. Every event is checked to be
/// encodable, and every dossier's events to be numbered 1, 2, … in the log's order, before the
/// first byte is written, so an unencodable event or a damaged stream
/// ([`StoreError::Damaged`]) writes nothing.
///
/// ```
/// use motcua_store::{export_jsonl, InMemoryStore};
/// let mut out = Vec::new();
/// assert_eq!(export_jsonl(&InMemoryStore::new(), &mut out)?, 0);
/// assert!(out.is_empty());
/// # Ok::<(), motcua_store::ExportError>(())
/// ```
pub fn export_jsonl<S: EventStore, W: Write>(store: &S, mut writer: W) -> Result<u64, ExportError> {
    let end = store.last_position()?;
    // Each dossier's last sequence seen (looked up, never iterated): every stream must read
    // 1, 2, … in the global order, as the store wrote it.
    let mut versions: std::collections::HashMap<motcua_core::DossierId, u64> =
        std::collections::HashMap::new();
    for_each_page(store, end, |page| {
        for stored in page {
            let event = &stored.event;
            let version = versions.entry(event.dossier_id.clone()).or_insert(0);
            let expected = version.saturating_add(1);
            if event.sequence != expected {
                return Err(ExportError::Store(
                    crate::chain::Damage::Sequence {
                        found: event.sequence,
                    }
                    .at(&event.dossier_id, expected),
                ));
            }
            *version = expected;
            motcua_io::check_writable(event).map_err(|source| ExportError::Write {
                position: stored.position,
                source,
            })?;
        }
        Ok(())
    })?;
    let mut buf = Vec::new();
    let mut written = 0;
    for_each_page(store, end, |page| {
        buf.clear();
        for stored in page {
            motcua_io::write_event(&mut buf, &stored.event).map_err(|source| {
                ExportError::Write {
                    position: stored.position,
                    source,
                }
            })?;
        }
        writer.write_all(&buf).map_err(|e| ExportError::Write {
            position: page.first().map_or(0, |s| s.position),
            source: WriteError::Io(e),
        })?;
        written += page.len() as u64;
        Ok(())
    })?;
    Ok(written)
}

/// Calls `f` with successive pages of events up to position `end`.
fn for_each_page<S: EventStore>(
    store: &S,
    end: u64,
    mut f: impl FnMut(&[StoredEvent]) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let mut from = 0;
    while from < end {
        let mut page = store.read_all(from, PAGE)?;
        page.retain(|s| s.position <= end);
        let Some(last) = page.last().map(|s| s.position) else {
            break;
        };
        f(&page)?;
        from = last;
    }
    Ok(())
}
