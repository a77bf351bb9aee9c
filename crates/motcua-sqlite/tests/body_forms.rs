//! Event bodies in both forms a store may hold: compact bytes (what this version writes) and
//! JSON lines (what stores written before the compact form hold). Both read back the same.

mod common;

use common::Scratch;
use motcua_core::{DossierId, Event};
use motcua_sqlite::SqliteStore;
use motcua_store::{EventStore, ExpectedVersion};

/// The sample's first dossier, stored alone in a new store at `path`: its id and events.
fn store_first_dossier(path: &std::path::Path) -> (DossierId, Vec<Event>) {
    let events = motcua_gen::sample()
        .unwrap_or_else(|e| panic!("{e}"))
        .events;
    let dossier = events[0].dossier_id.clone();
    let stream: Vec<_> = events
        .iter()
        .filter(|e| e.dossier_id == dossier)
        .cloned()
        .collect();
    assert!(stream.len() >= 3, "{stream:?}");
    let store = SqliteStore::open(path).unwrap_or_else(|e| panic!("{e}"));
    store
        .append(&dossier, ExpectedVersion::NoStream, &stream)
        .unwrap_or_else(|e| panic!("{e}"));
    (dossier, stream)
}

#[test]
fn json_bodies_of_older_stores_read_like_compact_ones() {
    let scratch = Scratch::new("body-forms");
    let path = scratch.path("store.db");
    let (dossier, stream) = store_first_dossier(&path);
    // Rewrite the first event's body as the JSON line an older motcua stored.
    let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let kind: String = conn
        .query_row(
            "SELECT typeof(body) FROM events WHERE position = 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kind, "blob", "this version writes compact bodies");
    let json = motcua_store::codec::encode(&stream[0]).unwrap_or_else(|e| panic!("{e}"));
    conn.execute(
        "UPDATE events SET body = ?1 WHERE position = 1",
        rusqlite::params![json],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);

    let store = SqliteStore::open_existing(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store
            .read_stream(&dossier)
            .unwrap_or_else(|e| panic!("{e}")),
        stream
    );
    let all = store.read_all(0, 100).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), stream.len());
    assert_eq!(all[0].event, stream[0]);
}

#[test]
fn a_damaged_body_is_an_error_naming_its_position() {
    let scratch = Scratch::new("body-damaged");
    let path = scratch.path("store.db");
    let events = motcua_gen::sample()
        .unwrap_or_else(|e| panic!("{e}"))
        .events;
    let first = events[0].clone();
    {
        let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
        store
            .append(
                &first.dossier_id,
                ExpectedVersion::NoStream,
                std::slice::from_ref(&first),
            )
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute("UPDATE events SET body = x'B10102' WHERE position = 1", [])
        .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let store = SqliteStore::open_existing(&path).unwrap_or_else(|e| panic!("{e}"));
    let err = store.read_all(0, 10).err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("the event stored at position 1 cannot be read: byte 1: the body ends too early; the stored log was changed or damaged (`motcua verify` checks the whole store)")
    );
}

/// A store written before events had metadata holds compact bodies with a plain flags byte and
/// JSON lines of format version 1: both read back as the same events with empty metadata,
/// beside events of today that name their officers.
#[test]
fn bodies_written_before_metadata_read_with_empty_metadata() {
    let scratch = Scratch::new("body-before-metadata");
    let path = scratch.path("store.db");
    let (dossier, stream) = store_first_dossier(&path);
    let signed = stream
        .iter()
        .filter(|e| e.metadata.officer.is_some())
        .count();
    assert!(signed >= 2, "{stream:?}");
    let bare = |e: &Event| Event {
        metadata: motcua_core::EventMetadata::default(),
        ..e.clone()
    };
    // Event 1 as the old encoder wrote it (the same bytes as today's for an event without
    // metadata, checked against kept bytes in the codec's tests), event 2 as a version 1 line.
    let old_compact = motcua_store::codec::compact::encode(&bare(&stream[0]));
    let v2_line = motcua_store::codec::encode(&bare(&stream[1])).unwrap_or_else(|e| panic!("{e}"));
    let v1_line = v2_line.replacen("{\"v\":2,", "{\"v\":1,", 1);
    assert!(v1_line.starts_with("{\"v\":1,"));
    let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute(
        "UPDATE events SET body = ?1 WHERE position = 1",
        rusqlite::params![old_compact],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    conn.execute(
        "UPDATE events SET body = ?1 WHERE position = 2",
        rusqlite::params![v1_line],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut expected = stream.clone();
    expected[0] = bare(&stream[0]);
    expected[1] = bare(&stream[1]);
    // The links a migration computes for such a store: over the events as their bodies read.
    let links = motcua_store::chain::links(motcua_store::chain::GENESIS, &expected);
    for (event, link) in expected.iter().zip(&links) {
        conn.execute(
            "UPDATE events SET link = ?1 WHERE dossier_id = ?2 AND sequence = ?3",
            rusqlite::params![link.as_slice(), dossier.as_str(), event.sequence as i64],
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    drop(conn);

    let store = SqliteStore::open_existing(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store
            .read_stream(&dossier)
            .unwrap_or_else(|e| panic!("{e}")),
        expected
    );
    let all = store.read_all(0, 100).unwrap_or_else(|e| panic!("{e}"));
    let all: Vec<_> = all.into_iter().map(|s| s.event).collect();
    assert_eq!(all, expected);
}
