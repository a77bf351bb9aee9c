//! Crash campaign on PostgreSQL (ignored unless asked for: it needs `MOTCUA_PG_URL`): a child
//! process appending batches (some across two dossiers) is killed with SIGKILL at random
//! moments; after each kill the store opens read-only and verifies (chains, sequences, no hole
//! in the positions up to the head), every acknowledged batch is there and no batch is there
//! in part. Imports and `gen --store` killed on PostgreSQL are in `motcua-cli`'s
//! `tests/crash.rs`.
//!
//! CI runs a short campaign; `MOTCUA_CRASH_KILLS=200` runs a long one and prints what it saw.
//!
//! The child is this test binary itself, run with `MOTCUA_CRASH_PG_SCHEMA` naming the schema:
//! the `writer_mode` test then appends until killed, printing `ack <last position>` after each
//! append returns.

mod common;

use common::{url, Fresh};
use motcua_postgres::PgStore;
use motcua_store::conformance::crash;
use std::process::{Command, Stdio};
use std::time::Duration;

const WRITER_ENV: &str = "MOTCUA_CRASH_PG_SCHEMA";
/// The child: appends batches until killed.
#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn writer_mode() {
    let Ok(schema) = std::env::var(WRITER_ENV) else {
        return;
    };
    let store = PgStore::connect(&url(), &schema).unwrap_or_else(|e| panic!("{e}"));
    crash::write_until_killed(&store, &mut std::io::stdout().lock());
}

/// Checks the store after a kill, opened read-only; returns its last position.
fn check_store(url: &str, schema: &str, acknowledged: u64, round: usize) -> u64 {
    let store = PgStore::connect_read_only(url, schema)
        .unwrap_or_else(|e| panic!("round {round}: the store does not open: {e}"));
    crash::check_after_kill(&store, acknowledged, round)
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn killed_writers_lose_no_acknowledged_batch_and_leave_no_partial_one() {
    if std::env::var(WRITER_ENV).is_ok() {
        return;
    }
    let url = url();
    let fresh = Fresh::new(&url, "crash");
    let schema = fresh.store().schema().to_owned();
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let mut rng = crash::SplitMix(0x0070_6763_7261_7368);
    let mut grew = 0;
    let mut acked_rounds = 0;
    for round in 0..crash::kills(12) {
        let mut writer = Command::new(&exe);
        writer
            .args([
                "writer_mode",
                "--exact",
                "--nocapture",
                "--test-threads=1",
                "--ignored",
            ])
            .env(WRITER_ENV, &schema)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let acknowledged =
            crash::kill_after(&mut writer, Duration::from_millis(100 + rng.next() % 600));
        acked_rounds += usize::from(acknowledged > grew);
        let before = grew;
        grew = check_store(&url, &schema, acknowledged, round);
        assert!(grew >= before, "round {round}: the store shrank");
    }
    assert!(grew > 0, "no writer got to append anything");
    eprintln!(
        "PostgreSQL crash campaign: {} writers killed ({acked_rounds} after acknowledged appends), \
         {grew} events stored, every check passed",
        crash::kills(12)
    );
}
