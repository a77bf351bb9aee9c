//! Crash safety: a child process appending batches is killed with SIGKILL at random moments,
//! 20 times (`MOTCUA_CRASH_KILLS` times if set); after each kill the store opens and verifies (chains, sequences, no hole in the
//! positions), every acknowledged batch is there and no batch is there in part.
//!
//! The child is this test binary itself, run with `MOTCUA_CRASH_WRITER` naming the store: the
//! `writer_mode` test then appends until killed, printing `ack <last position>` after each
//! append returns.

mod common;

use common::Scratch;
use motcua_sqlite::SqliteStore;
use motcua_store::conformance::crash;
use std::process::{Command, Stdio};
use std::time::Duration;

const WRITER_ENV: &str = "MOTCUA_CRASH_WRITER";

/// The child: appends batches (some across two dossiers) until killed.
#[test]
fn writer_mode() {
    let Ok(path) = std::env::var(WRITER_ENV) else {
        return;
    };
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    crash::write_until_killed(&store, &mut std::io::stdout().lock());
}

fn check_store(path: &std::path::Path, acknowledged: u64, round: usize) -> u64 {
    let store = SqliteStore::open(path).unwrap_or_else(|e| panic!("round {round}: {e}"));
    crash::check_after_kill(&store, acknowledged, round)
}

#[test]
fn killed_writers_lose_no_acknowledged_batch_and_leave_no_partial_one() {
    if std::env::var(WRITER_ENV).is_ok() {
        return;
    }
    let scratch = Scratch::new("crash");
    let path = scratch.path("store.db");
    drop(SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}")));
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let mut rng = crash::SplitMix(0x6d6f_7463_7561);
    let mut grew = 0;
    for round in 0..crash::kills(20) {
        let mut writer = Command::new(&exe);
        writer
            .args(["writer_mode", "--exact", "--nocapture", "--test-threads=1"])
            .env(WRITER_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let acknowledged =
            crash::kill_after(&mut writer, Duration::from_millis(30 + rng.next() % 170));
        let before = grew;
        grew = check_store(&path, acknowledged, round);
        assert!(grew >= before, "round {round}: the store shrank");
    }
    assert!(grew > 0, "no writer got to append anything");
    eprintln!(
        "crash test: {} writers killed, {grew} events stored, every check passed",
        crash::kills(20)
    );
}
