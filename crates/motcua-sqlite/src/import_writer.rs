//! The inserts of an import session on a thread of their own: while SQLite inserts one block
//! of rows, the caller's thread checks, encodes and links the next events.
//!
//! The [`Writer`] owns the session's connection while it runs. Rows go to it in blocks over a
//! bounded channel; it inserts them in order through the cached insert statement. An insert
//! that fails stops the inserting (later blocks are dropped unread) and is kept: the session
//! takes the connection back with [`Writer::finish`], which waits for every block sent so far
//! and gives the first failure. The session does that before anything else touches the
//! connection (a read, an undo, the commit), so the rows are always in the table in the order
//! they were sent, with no gap, by then.

use crate::store::INSERT_EVENT;
use motcua_store::chain::Link;
use rusqlite::{params, Connection};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

/// Blocks of rows queued for the writer at most: more than a chunk of an import (10,000
/// events), so that the writer inserts one chunk while the caller checks the next, and few
/// enough to bound memory (about 100 KiB a block, 3 MiB in all).
const QUEUED_BLOCKS: usize = 32;

/// Rows sent to the writer at once.
pub(crate) const BLOCK_ROWS: usize = 512;

/// One event row as [`INSERT_EVENT`] stores it, encoded and linked.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) position: i64,
    pub(crate) event_id: [u8; 16],
    pub(crate) dossier_id: String,
    pub(crate) sequence: i64,
    pub(crate) body: Vec<u8>,
    pub(crate) link: Link,
}

/// Why an insert on the writer's thread failed: the row's dossier and sequence, and SQLite's
/// error.
#[derive(Debug)]
pub(crate) struct InsertFailed {
    pub(crate) dossier: String,
    pub(crate) sequence: i64,
    pub(crate) source: rusqlite::Error,
}

/// What the writer thread gives back: the connection, and the first insert that failed.
type Finished = (Connection, Option<InsertFailed>);

/// A thread inserting rows on a connection it owns until [`Writer::finish`].
pub(crate) struct Writer {
    blocks: SyncSender<Vec<Row>>,
    thread: JoinHandle<Finished>,
}

impl Writer {
    /// Starts the thread on `conn` (in the session's open transaction).
    pub(crate) fn start(conn: Connection) -> std::io::Result<Writer> {
        let (blocks, received) = sync_channel::<Vec<Row>>(QUEUED_BLOCKS);
        let thread = std::thread::Builder::new()
            .name("motcua-import-writer".to_owned())
            .spawn(move || {
                let mut failed = None;
                for block in received {
                    if failed.is_none() {
                        failed = insert(&conn, &block).err();
                    }
                }
                (conn, failed)
            })?;
        Ok(Writer { blocks, thread })
    }

    /// Queues a block; waits while [`QUEUED_BLOCKS`] are queued. `false` if the thread is
    /// gone (it panicked): [`Writer::finish`] says so.
    pub(crate) fn send(&self, block: Vec<Row>) -> bool {
        block.is_empty() || self.blocks.send(block).is_ok()
    }

    /// Waits for every block sent, stops the thread and gives the connection back with the
    /// first failed insert; `None` if the thread panicked (the connection is lost with it).
    pub(crate) fn finish(self) -> Option<Finished> {
        drop(self.blocks);
        self.thread.join().ok()
    }
}

/// Inserts a block in order; stops at the first failure.
fn insert(conn: &Connection, block: &[Row]) -> Result<(), InsertFailed> {
    let failed = |row: &Row, source| InsertFailed {
        dossier: row.dossier_id.clone(),
        sequence: row.sequence,
        source,
    };
    let mut statement = match conn.prepare_cached(INSERT_EVENT) {
        Ok(statement) => statement,
        Err(source) => {
            return Err(match block.first() {
                Some(row) => failed(row, source),
                None => return Ok(()),
            })
        }
    };
    for row in block {
        statement
            .execute(params![
                row.position,
                row.event_id.as_slice(),
                row.dossier_id.as_str(),
                row.sequence,
                row.body,
                row.link.as_slice()
            ])
            .map_err(|source| failed(row, source))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(position: i64, dossier: &str, sequence: i64) -> Row {
        Row {
            position,
            event_id: (position as u128).to_be_bytes(),
            dossier_id: dossier.to_owned(),
            sequence,
            body: vec![1, 2, 3],
            link: [0; 32],
        }
    }

    fn table() -> Connection {
        let conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(
            "CREATE TABLE events (position INTEGER PRIMARY KEY, event_id BLOB NOT NULL,
                 dossier_id TEXT NOT NULL, sequence INTEGER NOT NULL, body TEXT NOT NULL,
                 link BLOB, UNIQUE (dossier_id, sequence))",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        conn
    }

    fn positions(conn: &Connection) -> Vec<i64> {
        let mut stmt = conn
            .prepare("SELECT position FROM events ORDER BY position")
            .unwrap_or_else(|e| panic!("{e}"));
        let rows = stmt
            .query_map([], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"));
        rows.map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect()
    }

    /// Every block sent is in the table, in order, once the writer is finished.
    #[test]
    fn finishing_waits_for_every_block_sent() {
        let writer = Writer::start(table()).unwrap_or_else(|e| panic!("{e}"));
        for b in 0..20 {
            let block = (1..=100)
                .map(|i| row(b * 100 + i, "A", b * 100 + i))
                .collect();
            assert!(writer.send(block));
        }
        let (conn, failed) = writer
            .finish()
            .unwrap_or_else(|| panic!("the writer panicked"));
        assert!(failed.is_none());
        assert_eq!(positions(&conn), (1..=2000).collect::<Vec<_>>());
    }

    /// The first failing insert is named, and nothing after it is inserted.
    #[test]
    fn the_first_failure_is_kept_and_stops_the_inserts() {
        let writer = Writer::start(table()).unwrap_or_else(|e| panic!("{e}"));
        assert!(writer.send(vec![row(1, "A", 1), row(2, "B", 1)]));
        assert!(writer.send(vec![row(3, "C", 1), row(4, "A", 1), row(5, "D", 1)]));
        assert!(writer.send(vec![row(6, "E", 1)]));
        let (conn, failed) = writer
            .finish()
            .unwrap_or_else(|| panic!("the writer panicked"));
        let failed = failed.map(|f| (f.dossier, f.sequence));
        assert_eq!(failed, Some(("A".to_owned(), 1)));
        assert_eq!(positions(&conn), vec![1, 2, 3]);
    }
}
