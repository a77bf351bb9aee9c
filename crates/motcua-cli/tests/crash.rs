//! Crash campaign: `motcua import` and `motcua gen --store` killed with SIGKILL at random
//! instants, many times over, and after each kill the store opens, verifies (`motcua
//! verify`: chains, sequences, rules) and holds either all of the
//! batch or none of it — never part — with its catalogue exactly when it holds the batch's
//! events. Kills fall anywhere from the process's start to past its end, so some land before
//! the store is made, some during the import's transaction, some at the commit, some after.
//!
//! The same on PostgreSQL (ignored unless asked for: they need `MOTCUA_PG_URL`), each run on a
//! fresh schema.
//!
//! CI runs a short campaign; `MOTCUA_CRASH_KILLS=200 cargo test -p motcua-cli --test crash
//! -- --include-ignored --nocapture` runs a long one and prints what it saw.

mod common;

use common::{motcua, pg_url};
use motcua_store::conformance::crash;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "motcua-crash-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// A small deterministic generator of kill delays (no randomness crate in the tests).
struct Delays(u64);

impl Delays {
    /// A delay in `[0, max)`.
    fn next(&mut self, max: Duration) -> Duration {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX).max(1);
        Duration::from_nanos((self.0 >> 11) % nanos)
    }
}

/// How many tables and indexes the database at `path` holds, as committed (0 for an empty
/// file). Opened for writing (not creating): a process killed in WAL mode can leave a log
/// whose index must be rebuilt before it is read, which a read-only connection cannot do
/// ("attempt to write a readonly database"); counting comes after every check of the file.
fn tables(path: &Path) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
            .unwrap_or_else(|e| panic!("{e}"));
    conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The events a store holds (0 for a store that was never made), through the store's
/// own export, and whether it keeps a catalogue; the store must verify clean.
fn held(store: &Path) -> (usize, bool) {
    if !store.exists() {
        return (0, false);
    }
    let out = store.with_extension("export.jsonl");
    let o = motcua(&[
        "export",
        "--store",
        &store.display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    // A file killed before its schema was committed (empty, or an empty database in WAL mode)
    // is refused untouched, as any file that is not a store: nothing of the batch is in it.
    if o.status.code() == Some(3) && tables(store) == 0 {
        return (0, false);
    }
    assert!(
        o.status.success(),
        "the store does not open after a kill: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines = verified_lines(&store.display().to_string(), &out);
    let conn =
        rusqlite::Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap_or_else(|e| panic!("{e}"));
    let catalogue: bool = conn
        .query_row("SELECT COUNT(*) > 0 FROM catalogue_records", [], |r| {
            r.get(0)
        })
        .unwrap_or(false);
    (lines, catalogue)
}

/// After a store's export to `out` succeeded: the store verifies (every chain whole, every
/// sequence continuous, every event lawful), and the number of events exported.
fn verified_lines(location: &str, out: &Path) -> usize {
    let v = motcua(&["verify", "--store", location]);
    assert!(
        v.status.success(),
        "the store does not verify after a kill: {}{}",
        String::from_utf8_lossy(&v.stdout),
        String::from_utf8_lossy(&v.stderr)
    );
    std::fs::read_to_string(out)
        .unwrap_or_else(|e| panic!("{e}"))
        .lines()
        .count()
}

/// Runs `args` and kills it after `delay` (if it is still running): whether it was killed.
fn run_and_kill(args: &[String], delay: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run motcua: {e}"));
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            assert!(status.success(), "{args:?} failed by itself: {status}");
            return false;
        }
        if start.elapsed() >= delay {
            // SIGKILL on Unix: no destructor, no rollback runs.
            let _ = child.kill();
            let _ = child.wait();
            return true;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// How long a command takes when left alone.
fn duration_of(args: &[String]) -> Duration {
    let start = Instant::now();
    assert!(!run_and_kill(args, Duration::from_secs(600)));
    start.elapsed()
}

/// A generated province-year (2,000 dossiers) written as files in `dir`: the events file, the
/// catalogue file and the number of events.
fn province_files(dir: &Path) -> (String, String, usize) {
    let data = dir.join("data");
    let o = motcua(&[
        "gen",
        "--dossiers",
        "2000",
        "--seed",
        "3",
        "--year",
        "2024",
        "--out",
        &data.display().to_string(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let total = std::fs::read_to_string(data.join("events.jsonl"))
        .unwrap_or_else(|e| panic!("{e}"))
        .lines()
        .count();
    (
        data.join("events.jsonl").display().to_string(),
        data.join("catalogue.json").display().to_string(),
        total,
    )
}

#[test]
fn an_import_killed_anywhere_keeps_all_of_its_batch_or_none() {
    let dir = scratch();
    let (events, catalogue, total) = province_files(&dir);
    let import = |store: &Path| -> Vec<String> {
        [
            "import",
            "--store",
            &store.display().to_string(),
            "--catalog",
            &catalogue,
            &events,
        ]
        .map(str::to_owned)
        .to_vec()
    };
    campaign("import", &dir, &import, total, 0x5eed, true);
}

/// The arguments of `motcua gen` writing 2,000 dossiers into the store at `location`.
fn gen_store(location: &str) -> Vec<String> {
    [
        "gen",
        "--dossiers",
        "2000",
        "--seed",
        "5",
        "--year",
        "2024",
        "--store",
        location,
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn gen_into_a_store_killed_anywhere_keeps_all_of_its_batch_or_none() {
    let dir = scratch();
    let generate = |store: &Path| gen_store(&store.display().to_string());
    // The whole batch's size: what one run left alone stores.
    let timing = dir.join("timing.db");
    assert!(!run_and_kill(&generate(&timing), Duration::from_secs(600)));
    let (total, _) = held(&timing);
    assert!(total > 0);
    campaign("gen --store", &dir, &generate, total, 0xc4a5, false);
}

/// Runs `command` on a new store `crash::kills(12)` times, each killed after a random delay up to 1.3×
/// its run alone; after each kill the store holds all `total` events with the catalogue or
/// nothing. With `rerun`, a run that kept nothing is then run to the end, which must work.
fn campaign(
    label: &str,
    dir: &Path,
    command: &dyn Fn(&Path) -> Vec<String>,
    total: usize,
    seed: u64,
    rerun: bool,
) {
    let store = |name: &str| dir.join(format!("{}-{name}.db", label.replace(' ', "")));
    campaign_on(
        label,
        &|name| command(&store(name)),
        &|name| held(&store(name)),
        total,
        seed,
        rerun,
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// [`campaign`] on stores named by `run`'s and `held`'s argument (`alone`, then `0`, `1`, …).
fn campaign_on(
    label: &str,
    command: &dyn Fn(&str) -> Vec<String>,
    held: &dyn Fn(&str) -> (usize, bool),
    total: usize,
    seed: u64,
    rerun: bool,
) {
    let alone = duration_of(&command("alone"));
    let mut delays = Delays(seed);
    let (mut none, mut all, mut killed) = (0, 0, 0);
    for i in 0..crash::kills(12) {
        let store = i.to_string();
        let delay = delays.next(alone.mul_f64(1.3));
        killed += u64::from(run_and_kill(&command(&store), delay));
        match held(&store) {
            (0, false) => none += 1,
            (n, true) if n == total => all += 1,
            (n, catalogue) => panic!(
                "{label}, kill {i} after {delay:?}: the store holds {n} of {total} events, catalogue kept: {catalogue}"
            ),
        }
        // A killed run is re-run to the end: nothing stands in its way.
        if rerun && held(&store).0 == 0 {
            assert!(!run_and_kill(&command(&store), Duration::from_secs(600)));
            assert_eq!(held(&store), (total, true));
        }
    }
    println!(
        "{label}: {} runs, {killed} killed, none kept {none}, all kept {all} ({alone:?} alone)",
        crash::kills(12)
    );
    assert!(killed > 0, "no run was killed: the campaign proved nothing");
}

/// What a PostgreSQL store holds after a kill, as [`held`]: the events its export writes
/// (after it verifies clean) and whether it keeps a catalogue; (0, false) for a schema the
/// kill left without a store. The schema is dropped afterwards.
fn held_pg(url: &str, schema: &str, dir: &Path) -> (usize, bool) {
    let location = format!("{url}#{schema}");
    let out = dir.join(format!("{schema}.jsonl"));
    let o = motcua(&[
        "export",
        "--store",
        &location,
        "--out",
        &out.display().to_string(),
    ]);
    if o.status.code() == Some(3) {
        // Killed before the store's tables were committed: no store, nothing of the batch.
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            stderr.contains("no such schema") || stderr.contains("has no motcua tables"),
            "{stderr}"
        );
        return (0, false);
    }
    assert!(
        o.status.success(),
        "the store does not open after a kill: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines = verified_lines(&location, &out);
    let store =
        motcua_postgres::PgStore::connect_read_only(url, schema).unwrap_or_else(|e| panic!("{e}"));
    let catalogue = store.catalogue().ok().flatten().is_some();
    (lines, catalogue)
}

/// Drops a test schema.
fn drop_schema(url: &str, schema: &str) {
    if let Ok(store) = motcua_postgres::PgStore::connect(url, schema) {
        let _ = store.drop_schema();
    }
}

/// The PostgreSQL campaigns: `command` run on a fresh schema per kill.
fn pg_campaign(
    label: &str,
    tag: &str,
    command: &dyn Fn(&str) -> Vec<String>,
    seed: u64,
    rerun: bool,
) {
    let url = pg_url();
    let dir = scratch();
    let schema = |name: &str| format!("motcua_crash_{tag}_{}_{name}", std::process::id());
    let location = |name: &str| format!("{url}#{}", schema(name));
    // The whole batch's size: what one run left alone stores.
    assert!(!run_and_kill(
        &command(&location("timing")),
        Duration::from_secs(600)
    ));
    let (total, _) = held_pg(&url, &schema("timing"), &dir);
    drop_schema(&url, &schema("timing"));
    assert!(total > 0);
    let held = |name: &str| {
        let held = held_pg(&url, &schema(name), &dir);
        if !rerun || held.0 != 0 {
            drop_schema(&url, &schema(name));
        }
        held
    };
    let run = |name: &str| command(&location(name));
    campaign_on(label, &run, &held, total, seed, rerun);
    for i in 0..crash::kills(12) {
        drop_schema(&url, &schema(&i.to_string()));
    }
    drop_schema(&url, &schema("alone"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn a_postgres_import_killed_anywhere_keeps_all_of_its_batch_or_none() {
    let dir = scratch();
    let (events, catalogue, _) = province_files(&dir);
    let import = |location: &str| -> Vec<String> {
        [
            "import",
            "--store",
            location,
            "--catalog",
            &catalogue,
            &events,
        ]
        .map(str::to_owned)
        .to_vec()
    };
    pg_campaign("import (PostgreSQL)", "import", &import, 0x9e1, true);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn gen_into_a_postgres_store_killed_anywhere_keeps_all_of_its_batch_or_none() {
    pg_campaign("gen --store (PostgreSQL)", "gen", &gen_store, 0x6e9, false);
}
