//! `motcua verify` end to end, and the reads that meet a damaged dossier: a store changed
//! behind motcua's back is named dossier by dossier (exit 7, in English and Vietnamese, control
//! characters escaped), and `report`, `explain` and `export` refuse it rather than pass it
//! silently (issue 15, point 8).

mod common;

use common::{motcua, text};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

const DAMAGED: i32 = 7;

/// A fresh directory with a generated store `s.db` of 40 dossiers.
struct Store {
    dir: PathBuf,
}

impl Store {
    fn new() -> Store {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "verify-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let store = Store { dir };
        let out = motcua(&[
            "gen",
            "--dossiers",
            "40",
            "--seed",
            "3",
            "--store",
            &store.path(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        store
    }

    fn path(&self) -> String {
        self.dir.join("s.db").display().to_string()
    }

    fn conn(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.dir.join("s.db")).unwrap_or_else(|e| panic!("{e}"))
    }

    fn sql(&self, sql: &str) {
        let conn = self.conn();
        conn.execute_batch(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// A dossier with at least four events.
    fn victim(&self) -> String {
        let conn = self.conn();
        conn.query_row(
            "SELECT dossier_id FROM events GROUP BY dossier_id HAVING count(*) >= 4
              ORDER BY dossier_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn body(&self, dossier: &str, sequence: i64) -> (i64, Vec<u8>) {
        let conn = self.conn();
        conn.query_row(
            "SELECT position, body FROM events WHERE dossier_id = ?1 AND sequence = ?2",
            rusqlite::params![dossier, sequence],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn set_body(&self, position: i64, body: &[u8]) {
        let conn = self.conn();
        conn.execute(
            "UPDATE events SET body = ?1 WHERE position = ?2",
            rusqlite::params![body, position],
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn a_store_as_written_verifies_clean_with_its_digest() {
    let store = Store::new();
    let out = motcua(&["verify", "--store", &store.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("dossiers: 40 · events: "), "{stdout}");
    // `gen --store` kept its catalogue as the store's first record.
    assert!(
        stdout.contains("hash chain: yes · rules checked: yes · catalogue records: 1\n"),
        "{stdout}"
    );
    assert!(stdout.contains("result: intact"), "{stdout}");
    let digest = stdout
        .lines()
        .find_map(|l| l.strip_prefix("digest: "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(digest.len(), 64);
    // The digest depends on the events only: verifying again gives the same.
    let again = text(&motcua(&["verify", "--store", &store.path()]).stdout);
    assert!(again.contains(digest));
    let vi = motcua(&["verify", "--store", &store.path(), "--lang", "vi"]);
    assert_eq!(vi.status.code(), Some(0));
    assert!(
        text(&vi.stdout).contains("kết quả: nguyên vẹn"),
        "{}",
        text(&vi.stdout)
    );
}

#[test]
fn a_deleted_received_row_is_named_by_verify_and_refused_by_report_explain_and_export() {
    let store = Store::new();
    let victim = store.victim();
    store.sql(&format!(
        "DELETE FROM events WHERE dossier_id = '{victim}' AND sequence = 1"
    ));
    let out = motcua(&["verify", "--store", &store.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(DAMAGED), "{stdout}");
    assert!(
        stdout.contains("result: DAMAGED: 1 dossier(s), 1 missing position(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "dossier {victim}, event 1: the event stored there is numbered 2"
        )),
        "{stdout}"
    );
    let vi = text(&motcua(&["verify", "--store", &store.path(), "--lang", "vi"]).stdout);
    assert!(
        vi.contains(&format!(
            "hồ sơ {victim}, sự kiện 1: sự kiện lưu ở đây mang số 2"
        )),
        "{vi}"
    );
    for args in [
        vec!["report", "--store", &store.path()],
        vec!["explain", "--store", &store.path(), &victim],
        vec!["export", "--store", &store.path()],
    ] {
        let out = motcua(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(DAMAGED), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("the store is damaged: dossier {victim}, event 1")),
            "{args:?}: {stderr}"
        );
        if args[0] == "export" {
            assert!(
                out.stdout.is_empty(),
                "export wrote part of a damaged store"
            );
        }
    }
}

#[test]
fn a_sequence_changed_inside_a_body_is_named_and_refused() {
    let store = Store::new();
    let victim = store.victim();
    let (position, body) = store.body(&victim, 3);
    // The compact body: marker, 16-byte id, the dossier id's length and bytes, then the
    // sequence as a varint (3 fits in one byte).
    let at = 18 + usize::from(body[17]);
    assert_eq!(body[at], 3);
    let mut edited = body.clone();
    edited[at] = 5;
    store.set_body(position, &edited);
    let out = motcua(&["verify", "--store", &store.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(DAMAGED), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "dossier {victim}, event 3: the event stored there is numbered 5"
        )),
        "{stdout}"
    );
    for args in [
        vec!["report", "--store", &store.path()],
        vec!["explain", "--store", &store.path(), &victim],
        vec!["export", "--store", &store.path()],
    ] {
        let out = motcua(&args);
        assert_eq!(
            out.status.code(),
            Some(DAMAGED),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn an_edited_field_is_named_by_verify_and_explain() {
    let store = Store::new();
    let victim = store.victim();
    let (position, body) = store.body(&victim, 2);
    let mut event = motcua_store::codec::decode_body(1, &body).unwrap_or_else(|e| panic!("{e}"));
    event.occurred_at -= time::Duration::minutes(5);
    event.recorded_at -= time::Duration::minutes(5);
    store.set_body(position, &motcua_store::codec::compact::encode(&event));
    let out = motcua(&["verify", "--store", &store.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(DAMAGED), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "dossier {victim}, event 2: its hash does not chain"
        )),
        "{stdout}"
    );
    let out = motcua(&["explain", "--store", &store.path(), &victim]);
    assert_eq!(out.status.code(), Some(DAMAGED), "{}", text(&out.stderr));
}

#[test]
fn the_anchor_names_a_dossier_whose_last_event_was_deleted() {
    let store = Store::new();
    let anchor = store.dir.join("anchor.jsonl").display().to_string();
    let out = motcua(&["verify", "--store", &store.path(), "--anchor-out", &anchor]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let same = motcua(&["verify", "--store", &store.path(), "--anchor", &anchor]);
    assert_eq!(same.status.code(), Some(0));
    assert!(text(&same.stdout).contains("the digest is the anchor's"));

    // The globally last event: no hole in the positions is left, only the anchor tells.
    let conn = store.conn();
    let (victim, sequence): (String, i64) = conn
        .query_row(
            "SELECT dossier_id, sequence FROM events ORDER BY position DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    store.sql("DELETE FROM events WHERE position = (SELECT MAX(position) FROM events)");
    let without = motcua(&["verify", "--store", &store.path()]);
    assert_eq!(without.status.code(), Some(0), "only an anchor can tell");
    let out = motcua(&["verify", "--store", &store.path(), "--anchor", &anchor]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(DAMAGED), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "dossier {victim}, event {sequence}: the dossier holds fewer events than the {sequence} the anchor recorded"
        )),
        "{stdout}"
    );
}

#[test]
fn control_characters_in_findings_are_escaped() {
    let store = Store::new();
    let victim = store.victim();
    // A forger renames the dossier inside a body to one with an escape sequence.
    let (position, body) = store.body(&victim, 2);
    let mut event = motcua_store::codec::decode_body(1, &body).unwrap_or_else(|e| panic!("{e}"));
    event.dossier_id = motcua_core::DossierId::new("X\u{1b}]0;pwned\u{7}");
    store.set_body(position, &motcua_store::codec::compact::encode(&event));
    let out = motcua(&["verify", "--store", &store.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(DAMAGED), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(stdout.contains("X\\u{1b}]0;pwned\\u{7}"), "{stdout}");
    assert!(!text(&out.stderr).contains('\u{1b}'));
}

#[test]
fn an_unreadable_stored_catalogue_is_damage_and_the_chains_are_still_checked() {
    let store = Store::new();
    store.sql("UPDATE catalogue_records SET body = '{\"units\": 7}'");
    let out = motcua(&["verify", "--store", &store.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(DAMAGED),
        "{stdout}{}",
        text(&out.stderr)
    );
    assert!(
        stdout.contains("the stored catalogue cannot be read:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("hash chain: yes · rules checked: no"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "result: DAMAGED: 0 dossier(s), 0 missing position(s), the catalogue unreadable, 1 catalogue record(s)"
        ),
        "{stdout}"
    );
    // The record whose body was changed is named too.
    assert!(
        stdout.contains("catalogue record 1: its body's SHA-256 is "),
        "{stdout}"
    );
}

/// The event id column is what refuses a repeated id: one that no longer matches the id in
/// its body is damage, named by `verify`, or a later import could store an id twice.
#[test]
fn an_event_id_column_that_differs_from_its_body_is_named() {
    let store = Store::new();
    let victim = store.victim();
    let (position, _) = store.body(&victim, 2);
    store.sql(&format!(
        "UPDATE events SET event_id = x'0123456789abcdef0123456789abcdef' WHERE position = {position}"
    ));
    let out = motcua(&["verify", "--store", &store.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(DAMAGED), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "dossier {victim}, event 2: its event id column holds 01234567-89ab-cdef-0123-456789abcdef, but the event is "
        )),
        "{stdout}"
    );
}

/// A catalogue record whose body was changed after it was written (its SHA-256 no longer
/// matches) is not used to judge anything: every read refuses it, naming the record.
#[test]
fn a_catalogue_changed_after_it_was_written_is_refused_by_reads() {
    let store = Store::new();
    store.sql("UPDATE catalogue_records SET body = body || ' '");
    for args in [
        vec!["report", "--store", &store.path()],
        vec![
            "dossiers",
            "--store",
            &store.path(),
            "--as-of",
            "2024-12-31T17:00:00+07:00",
        ],
    ] {
        let out = motcua(&args);
        let stderr = text(&out.stderr);
        // Changed behind motcua's back: damage, as a broken chain is.
        assert_eq!(out.status.code(), Some(DAMAGED), "{args:?}: {stderr}");
        assert!(
            stderr.contains("catalogue record 1 does not hash to its recorded SHA-256"),
            "{args:?}: {stderr}"
        );
    }
}

/// A stored body that cannot be read at all is damage too (exit 7, naming its position), for
/// the reads that meet it as for `verify`, not a failure of the store's software (exit 3).
#[test]
fn an_unreadable_body_is_damage_for_every_read() {
    let store = Store::new();
    let victim = store.victim();
    let (position, _) = store.body(&victim, 2);
    store.set_body(position, b"\x00garbage");
    for args in [
        vec!["report", "--store", &store.path()],
        vec!["export", "--store", &store.path()],
        vec!["explain", "--store", &store.path(), &victim],
    ] {
        let out = motcua(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(DAMAGED), "{args:?}: {stderr}");
        assert!(stderr.contains("changed or damaged"), "{args:?}: {stderr}");
    }
    let out = motcua(&["verify", "--store", &store.path()]);
    assert_eq!(out.status.code(), Some(DAMAGED));
    assert!(
        text(&out.stdout).contains(&format!(
            "dossier {victim}, event 2: its stored body cannot be read ("
        )),
        "{}",
        text(&out.stdout)
    );
}

/// The table of standings reports judge from is derived from the log: a row deleted or edited
/// in it is named by `verify` (exit 7), though the log itself is intact, and once its position
/// is reset the next write rebuilds it and `verify` finds it intact again.
#[test]
fn rows_of_the_table_of_standings_deleted_or_edited_are_named() {
    let store = Store::new();
    let out = motcua(&["verify", "--store", &store.path()]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let first: String = store
        .conn()
        .query_row(
            "SELECT dossier_id FROM dossier_standings ORDER BY rowid LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let last: String = store
        .conn()
        .query_row(
            "SELECT dossier_id FROM dossier_standings ORDER BY rowid DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    store.sql(&format!(
        "DELETE FROM dossier_standings WHERE dossier_id = '{first}';
         UPDATE dossier_standings SET standing = x'00' WHERE dossier_id = '{last}';"
    ));
    let out = motcua(&["verify", "--store", &store.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(DAMAGED), "{stdout}");
    assert!(
        stdout.contains("result: DAMAGED: 0 dossier(s), 0 missing position(s), 2 row(s) of the table of standings"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "table of standings: dossier {first} has no row (deleted)"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "table of standings: dossier {last}: its row is not what its events give (edited)"
        )),
        "{stdout}"
    );
    // Reset, then any write rebuilds the table from the log.
    store.sql("UPDATE standings_head SET position = NULL WHERE id = 1");
    rebuilt_by_a_write(&store);
}

/// The open-dossier list the desk's `dossiers` and `alarms` read is derived from the log too:
/// a row deleted, edited (its unit, its alarm instants) or added is named by `verify` (exit
/// 7), and once its position is removed the next write rebuilds it and `verify` finds the
/// store intact again.
#[test]
fn rows_of_the_open_dossier_list_deleted_edited_or_added_are_named() {
    let store = Store::new();
    let out = motcua(&["verify", "--store", &store.path()]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let open: Vec<String> = {
        let conn = store.conn();
        let mut stmt = conn
            .prepare("SELECT dossier_id FROM open_dossiers ORDER BY dossier_id LIMIT 2")
            .unwrap_or_else(|e| panic!("{e}"));
        let rows = stmt
            .query_map([], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"));
        rows.collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(open.len(), 2, "the sample has open dossiers");
    let finished: String = store
        .conn()
        .query_row(
            "SELECT dossier_id FROM events WHERE dossier_id NOT IN (SELECT dossier_id FROM open_dossiers) LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let (deleted, moved) = (&open[0], &open[1]);
    store.sql(&format!(
        "DELETE FROM open_dossiers WHERE dossier_id = '{deleted}';
         UPDATE open_dossiers SET unit = 'XA99' WHERE dossier_id = '{moved}';
         DELETE FROM open_alarms WHERE dossier_id = '{moved}';
         INSERT INTO open_dossiers SELECT '{finished}', unit, status, events FROM open_dossiers
             WHERE dossier_id = '{moved}';"
    ));
    let out = motcua(&["verify", "--store", &store.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(DAMAGED), "{stdout}");
    assert!(
        stdout.contains(
            "result: DAMAGED: 0 dossier(s), 0 missing position(s), 3 row(s) of the open-dossier list"
        ),
        "{stdout}"
    );
    for expected in [
        format!("open-dossier list: dossier {deleted} has no row (deleted)"),
        format!("open-dossier list: dossier {moved}: its row is not what its events give (edited)"),
        format!(
            "open-dossier list: a row for dossier {finished}, which the log does not give (added)"
        ),
    ] {
        assert!(stdout.contains(&expected), "{expected}\n{stdout}");
    }
    // The position removed, any write rebuilds the list from the log.
    store.sql("DELETE FROM open_head");
    rebuilt_by_a_write(&store);
}

/// Any write (here the import of an empty file) rebuilds what was reset, and `verify` finds
/// the store intact.
fn rebuilt_by_a_write(store: &Store) {
    let empty = store.dir.join("empty.jsonl");
    std::fs::write(&empty, "").unwrap_or_else(|e| panic!("{e}"));
    let out = motcua(&[
        "import",
        "--store",
        &store.path(),
        &empty.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = motcua(&["verify", "--store", &store.path()]);
    assert!(out.status.success(), "{}", text(&out.stdout));
}

/// An open dossier's standing filed under another unit drops it from its unit's desk list
/// (`dossiers --unit` selects standings by unit): `verify` names the row as edited.
#[test]
fn an_open_standing_filed_under_another_unit_is_named() {
    let store = Store::new();
    let (dossier, unit): (String, String) = store
        .conn()
        .query_row(
            "SELECT dossier_id, unit FROM open_standings ORDER BY dossier_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let other: String = store
        .conn()
        .query_row(
            "SELECT unit FROM open_dossiers WHERE unit <> ?1 LIMIT 1",
            [&unit],
            |r| r.get(0),
        )
        .unwrap_or_else(|_| "XA99".to_owned());
    store.sql(&format!(
        "UPDATE open_standings SET unit = '{other}' WHERE dossier_id = '{dossier}'"
    ));
    let out = motcua(&["verify", "--store", &store.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(DAMAGED), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "open-dossier list: dossier {dossier}: its row is not what its events give (edited)"
        )),
        "{stdout}"
    );
}
