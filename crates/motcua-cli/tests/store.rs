//! The store commands end to end: `import` into a SQLite store file, `report` / `explain` /
//! `export` from it, and what bad input, foreign files and conflicts do (a distinct exit code,
//! the store unchanged).

mod common;

use common::motcua;

use motcua_core::Event;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const AS_OF: &str = "2024-12-31T17:00:00+07:00";

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A generated province written as catalogue + events files in a fresh directory.
struct Files {
    dir: PathBuf,
    events: Vec<Event>,
}

impl Files {
    fn new(dossiers: usize) -> Files {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "store-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let sample = motcua_gen::generate(&motcua_gen::GenConfig {
            dossiers,
            seed: 5,
            year: 2024,
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let files = Files {
            dir,
            events: sample.events,
        };
        std::fs::write(
            files.dir.join("catalogue.json"),
            motcua_io::write_catalogue(&sample.catalogue),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        files.write("events.jsonl", &files.events);
        files
    }

    fn write(&self, name: &str, events: &[Event]) {
        let mut out = Vec::new();
        motcua_io::write_events(&mut out, events).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(self.dir.join(name), out).unwrap_or_else(|e| panic!("{e}"));
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    fn import(&self, store: &str, events: &str, catalog: bool) -> Output {
        let (s, e, c) = (
            self.path(store),
            self.path(events),
            self.path("catalogue.json"),
        );
        let mut args = vec!["import", "--store", &s, &e];
        if catalog {
            args.extend(["--catalog", &c]);
        }
        motcua(&args)
    }

    /// The report (JSON, without its source) of `events.jsonl` and `catalogue.json`.
    fn report(&self) -> serde_json::Value {
        report_json(&[
            "--events",
            &self.path("events.jsonl"),
            "--catalog",
            &self.path("catalogue.json"),
        ])
    }

    fn export(&self, store: &str) -> Output {
        motcua(&["export", "--store", &self.path(store)])
    }
}

/// The report as JSON without its `source` (which names the file read).
fn report_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["report", "--format", "json", "--as-of", AS_OF];
    all.extend_from_slice(args);
    without_source(&motcua(&all))
}

/// A successful `report --format json`'s output without its `source`.
fn without_source(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", stderr(o));
    let mut value: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    if let Some(map) = value.as_object_mut() {
        map.remove("source");
    }
    value
}

#[test]
fn a_store_reports_what_its_files_report() {
    let f = Files::new(120);
    let o = f.import("store.db", "events.jsonl", true);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("imported "), "{}", stdout(&o));
    assert_eq!(report_json(&["--store", &f.path("store.db")]), f.report());
    let table = motcua(&["report", "--store", &f.path("store.db"), "--as-of", AS_OF]);
    assert!(table.status.success(), "{}", stderr(&table));
    assert!(stdout(&table).contains("DOSSIERS BY STATUS"));
}

#[test]
fn explain_reads_the_store() {
    let f = Files::new(30);
    assert!(f.import("store.db", "events.jsonl", true).status.success());
    let Some(id) = f.events.first().map(|e| e.dossier_id.to_string()) else {
        return;
    };
    let store = f.path("store.db");
    let o = motcua(&["explain", &id, "--store", &store, "--as-of", AS_OF]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains(&id));
}

#[test]
fn export_round_trips_through_a_second_store() {
    let f = Files::new(60);
    assert!(f.import("a.db", "events.jsonl", true).status.success());
    let first = f.export("a.db");
    assert!(first.status.success(), "{}", stderr(&first));
    std::fs::write(f.dir.join("exported.jsonl"), &first.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert!(f.import("b.db", "exported.jsonl", true).status.success());
    let second = f.export("b.db");
    assert_eq!(
        first.stdout, second.stdout,
        "export → import → export changed bytes"
    );
    // The same events as the file, in commit order rather than file order.
    let mut exported: Vec<&str> = std::str::from_utf8(&first.stdout)
        .unwrap_or_default()
        .lines()
        .collect();
    let original = std::fs::read_to_string(f.dir.join("events.jsonl")).unwrap_or_default();
    let mut original: Vec<&str> = original.lines().collect();
    exported.sort_unstable();
    original.sort_unstable();
    assert_eq!(exported, original);
}

#[test]
fn imports_continue_a_store_and_keep_its_catalogue() {
    let f = Files::new(40);
    let (early, late): (Vec<Event>, Vec<Event>) =
        f.events.iter().cloned().partition(|e| e.sequence <= 2);
    f.write("early.jsonl", &early);
    f.write("late.jsonl", &late);
    assert!(f.import("store.db", "early.jsonl", true).status.success());
    let o = f.import("store.db", "late.jsonl", false);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(report_json(&["--store", &f.path("store.db")]), f.report());
}

#[test]
fn importing_events_already_stored_is_a_conflict_and_changes_nothing() {
    let f = Files::new(20);
    assert!(f.import("store.db", "events.jsonl", true).status.success());
    let before = f.export("store.db").stdout;
    let o = f.import("store.db", "events.jsonl", true);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("line 1:") && err.contains("already stored"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(f.export("store.db").stdout, before);
}

#[test]
fn a_truncated_file_is_refused_whole_and_creates_no_store() {
    let f = Files::new(20);
    let text = std::fs::read_to_string(f.dir.join("events.jsonl")).unwrap_or_default();
    let cut = text.len() - 40;
    std::fs::write(f.dir.join("cut.jsonl"), &text[..cut]).unwrap_or_else(|e| panic!("{e}"));
    let lines = text[..cut].lines().count();
    let o = f.import("store.db", "cut.jsonl", true);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("line {lines}:")),
        "{}",
        stderr(&o)
    );
    assert!(
        !f.dir.join("store.db").exists(),
        "a refused import left a store file"
    );
    // Into an existing store: refused, store unchanged.
    let (early, late): (Vec<Event>, Vec<Event>) =
        f.events.iter().cloned().partition(|e| e.sequence == 1);
    f.write("early.jsonl", &early);
    f.write("late.jsonl", &late);
    let late = std::fs::read_to_string(f.dir.join("late.jsonl")).unwrap_or_default();
    std::fs::write(f.dir.join("late-cut.jsonl"), &late[..late.len() - 25])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(f.import("store.db", "early.jsonl", true).status.success());
    let before = f.export("store.db").stdout;
    let o = f.import("store.db", "late-cut.jsonl", false);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(f.export("store.db").stdout, before);
}

#[test]
fn a_file_that_is_not_a_store_is_refused_unchanged() {
    let f = Files::new(5);
    let events = f.path("events.jsonl");
    let before = std::fs::read(&events).unwrap_or_default();
    for args in [
        vec!["report", "--store", &events],
        vec!["export", "--store", &events],
    ] {
        let o = motcua(&args);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("not a motcua store"), "{}", stderr(&o));
    }
    let o = f.import("events.jsonl", "events.jsonl", true);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(std::fs::read(&events).unwrap_or_default(), before);
}

#[test]
fn a_store_without_a_catalogue_needs_one() {
    let f = Files::new(5);
    let o = f.import("store.db", "events.jsonl", false);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--catalog"), "{}", stderr(&o));
    assert!(!f.dir.join("store.db").exists());
}

#[test]
fn a_missing_store_is_an_io_error() {
    let f = Files::new(5);
    let o = f.export("none.db");
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(!f.dir.join("none.db").exists());
}

#[test]
fn gen_into_a_store_reports_what_gen_to_files_reports() {
    let f = Files::new(1);
    let (dir, store) = (f.path("gen"), f.path("gen.db"));
    let common = ["gen", "--dossiers", "400", "--seed", "11", "--year", "2024"];
    let to_files = motcua(&[&common[..], &["--out", &dir]].concat());
    assert!(to_files.status.success(), "{}", stderr(&to_files));
    let to_store = motcua(&[&common[..], &["--store", &store]].concat());
    assert!(to_store.status.success(), "{}", stderr(&to_store));
    // No terminal: no progress bar, nothing on standard error.
    assert_eq!(stderr(&to_store), "");
    let said = stdout(&to_store);
    assert!(
        said.starts_with("wrote 400 dossiers (")
            && said.contains(&format!("into {store} (last position ")),
        "{said}"
    );
    let from_store = report_json(&["--store", &store]);
    let events = format!("{dir}/events.jsonl");
    let catalogue = format!("{dir}/catalogue.json");
    let from_files = report_json(&["--events", &events, "--catalog", &catalogue]);
    assert_eq!(from_store, from_files);
    // Into a store that already holds them: a conflict, nothing written.
    let before = f.export("gen.db").stdout;
    let again = motcua(&[&common[..], &["--store", &store]].concat());
    assert_eq!(again.status.code(), Some(4), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already stored"),
        "{}",
        stderr(&again)
    );
    assert_eq!(f.export("gen.db").stdout, before);
    assert!(!stderr(&again).contains("line "), "{}", stderr(&again));
}

/// `gen --store` into a store holding some of the dossier ids it generates (another seed, the
/// same year) or events with the ids it generates (the same seed, another year): a conflict
/// naming the dossier, with no line (there is no file), and nothing written.
#[test]
fn gen_into_a_store_holding_its_ids_is_a_conflict_without_a_line() {
    let f = Files::new(1);
    let store = f.path("gen.db");
    let gen = |seed: &str, year: &str| {
        motcua(&[
            "gen",
            "--dossiers",
            "300",
            "--seed",
            seed,
            "--year",
            year,
            "--store",
            &store,
        ])
    };
    let first = gen("11", "2024");
    assert!(first.status.success(), "{}", stderr(&first));
    let before = f.export("gen.db").stdout;
    for (seed, year, cause) in [
        ("12", "2024", "is already stored ("),
        ("11", "2023", "is already used"),
    ] {
        let o = gen(seed, year);
        let said = stderr(&o);
        assert_eq!(o.status.code(), Some(4), "seed {seed} year {year}: {said}");
        assert!(
            said.contains("cannot write the generated events: dossier ")
                && said.contains(cause)
                && said.contains("nothing was written"),
            "seed {seed} year {year}: {said}"
        );
        assert!(!said.contains("line "), "seed {seed} year {year}: {said}");
        assert!(
            !said.contains("out of order"),
            "seed {seed} year {year}: {said}"
        );
        assert_eq!(f.export("gen.db").stdout, before);
    }
}

#[test]
fn gen_needs_a_destination() {
    let o = motcua(&["gen", "--dossiers", "3"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// Several chunks of a big file are handed to the store before its last line turns out bad:
/// the store file is left byte for byte as it was.
#[test]
fn a_bad_last_line_of_a_big_file_leaves_the_store_byte_identical() {
    let f = Files::new(2500);
    let (early, late): (Vec<Event>, Vec<Event>) =
        f.events.iter().cloned().partition(|e| e.sequence == 1);
    assert!(late.len() > 15_000, "{} events", late.len());
    f.write("early.jsonl", &early);
    f.write("late.jsonl", &late);
    let o = f.import("store.db", "early.jsonl", true);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "", "progress shown without a terminal");
    let bytes = std::fs::read(f.dir.join("store.db")).unwrap_or_default();
    let mut text = std::fs::read_to_string(f.dir.join("late.jsonl")).unwrap_or_default();
    text.push_str("{\"v\":1,\"event_id\":\n");
    std::fs::write(f.dir.join("late-bad.jsonl"), text).unwrap_or_else(|e| panic!("{e}"));
    let o = f.import("store.db", "late-bad.jsonl", false);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("line {}: malformed JSON", late.len() + 1)),
        "{}",
        stderr(&o)
    );
    assert!(
        std::fs::read(f.dir.join("store.db")).unwrap_or_default() == bytes,
        "the refused import changed the store file"
    );
    // The good file then goes in whole.
    let o = f.import("store.db", "late.jsonl", false);
    assert!(o.status.success(), "{}", stderr(&o));
    let total = early.len() + late.len();
    assert!(
        stdout(&o).contains(&format!("(last position {total})")),
        "{}",
        stdout(&o)
    );
}

/// Runs motcua, killing it (and failing) if it has not finished within `limit`. Its output
/// goes through files, so a large one cannot block it.
fn motcua_within(args: &[&str], limit: std::time::Duration) -> Output {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let out_path = dir.join(format!("within-{}-{n}.out", std::process::id()));
    let err_path = dir.join(format!("within-{}-{n}.err", std::process::id()));
    let file = |p: &Path| std::fs::File::create(p).unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .stdout(file(&out_path))
        .stderr(file(&err_path))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run motcua: {e}"));
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("motcua {args:?} was still waiting after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{e}"));
    let output = Output {
        status,
        stdout: read(&out_path),
        stderr: read(&err_path),
    };
    let _ = std::fs::remove_file(out_path);
    let _ = std::fs::remove_file(err_path);
    output
}

/// `report`, `explain` and `export` read the store read-only: while an import holds the write
/// lock they neither wait for it nor see it, and report what was committed before.
#[test]
fn reads_do_not_wait_for_an_import_and_count_what_was_committed() {
    use motcua_store::{EventStore, ExpectedVersion, StreamBatch};
    let f = Files::new(60);
    let (early, late): (Vec<Event>, Vec<Event>) =
        f.events.iter().cloned().partition(|e| e.sequence <= 2);
    f.write("early.jsonl", &early);
    assert!(f.import("store.db", "early.jsonl", true).status.success());
    let store_path = f.path("store.db");
    let committed = report_json(&["--store", &store_path]);
    let exported = f.export("store.db").stdout;

    // An import in progress: the write lock held, events appended, not committed.
    let writer = motcua_sqlite::SqliteStore::open(&store_path).unwrap_or_else(|e| panic!("{e}"));
    let mut session = writer.begin_import().unwrap_or_else(|e| panic!("{e}"));
    let mut by_dossier: std::collections::BTreeMap<_, Vec<Event>> = Default::default();
    for e in late {
        by_dossier.entry(e.dossier_id.clone()).or_default().push(e);
    }
    let batches: Vec<StreamBatch> = by_dossier
        .into_iter()
        .map(|(dossier_id, events)| StreamBatch {
            expected: ExpectedVersion::at(events[0].sequence - 1),
            dossier_id,
            events,
        })
        .collect();
    session
        .append_streams(&batches)
        .unwrap_or_else(|e| panic!("{e}"));

    let limit = std::time::Duration::from_secs(20);
    let o = motcua_within(
        &[
            "report",
            "--format",
            "json",
            "--as-of",
            AS_OF,
            "--store",
            &store_path,
        ],
        limit,
    );
    assert_eq!(without_source(&o), committed);
    let o = motcua_within(&["export", "--store", &store_path], limit);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout == exported, "export saw the uncommitted import");
    let id = early[0].dossier_id.to_string();
    let o = motcua_within(
        &["explain", &id, "--store", &store_path, "--as-of", AS_OF],
        limit,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    drop(session);
}

/// A 0-byte file is not turned into a store by a command that reads.
#[test]
fn reading_an_empty_file_refuses_it_and_leaves_it_empty() {
    let f = Files::new(1);
    let empty = f.path("empty.db");
    std::fs::write(&empty, b"").unwrap_or_else(|e| panic!("{e}"));
    for args in [
        vec!["report", "--store", &empty, "--as-of", AS_OF],
        vec!["export", "--store", &empty],
    ] {
        let o = motcua(&args);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("not a motcua store"), "{}", stderr(&o));
        assert_eq!(std::fs::metadata(&empty).map(|m| m.len()).ok(), Some(0));
    }
}

/// The catalogue is kept in the import's own transaction: when it cannot be stored, neither
/// are the events (they used to be committed first, leaving events without a catalogue and a
/// re-import refused as a conflict); once it can, the same import goes in whole.
#[test]
fn an_import_whose_catalogue_cannot_be_kept_stores_no_events() {
    let f = Files::new(20);
    let path = f.dir.join("store.db");
    drop(motcua_sqlite::SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}")));
    let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(
        "CREATE TRIGGER refuse BEFORE INSERT ON catalogue_records
         BEGIN SELECT RAISE(ABORT, 'no catalogue here'); END;",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = f.import("store.db", "events.jsonl", true);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("no catalogue here"), "{}", stderr(&o));
    let exported = f.export("store.db");
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert!(
        exported.stdout.is_empty(),
        "events stored without their catalogue"
    );

    conn.execute_batch("DROP TRIGGER refuse")
        .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let o = f.import("store.db", "events.jsonl", true);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(report_json(&["--store", &f.path("store.db")]), f.report());
}

/// `dossiers` or `alarms` as JSON Lines with `data` as its data options.
fn listed(command: &[&str], data: &[&str]) -> String {
    let mut args = command.to_vec();
    args.extend(["--format", "jsonl"]);
    args.extend_from_slice(data);
    let o = motcua(&args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn dossiers_and_alarms_from_the_store_are_those_of_every_dossier() {
    let f = Files::new(900);
    // Two imports: the second one's events continue dossiers of the first.
    let cut = f.events.len() * 7 / 10;
    f.write("first.jsonl", &f.events[..cut]);
    f.write("second.jsonl", &f.events[cut..]);
    for (file, catalog) in [("first.jsonl", true), ("second.jsonl", false)] {
        let o = f.import("store.db", file, catalog);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let store = f.path("store.db");
    let (events, catalog) = (f.path("events.jsonl"), f.path("catalogue.json"));
    let from_store = ["--store", store.as_str()];
    let from_files = ["--events", events.as_str(), "--catalog", catalog.as_str()];
    let busiest = {
        let all = listed(&["dossiers", "--as-of", AS_OF], &from_files);
        let mut units: std::collections::BTreeMap<String, usize> = Default::default();
        for line in all.lines() {
            let row: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}"));
            *units
                .entry(row["unit"].as_str().unwrap_or("").to_owned())
                .or_default() += 1;
        }
        assert!(units.len() > 3, "open dossiers at several units: {units:?}");
        units
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .map(|(u, _)| u)
            .unwrap_or_default()
    };
    let root = {
        let text = std::fs::read_to_string(&catalog).unwrap_or_else(|e| panic!("{e}"));
        let value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        let units = value["units"].as_array().cloned().unwrap_or_default();
        let root = units.iter().find(|u| u.get("parent").is_none());
        root.and_then(|u| u["id"].as_str()).unwrap_or("").to_owned()
    };
    for as_of in [
        AS_OF,
        "2025-01-20T10:30:00+07:00",
        "2025-06-01T00:00:00+07:00",
    ] {
        for filter in [
            vec![],
            vec!["--unit", busiest.as_str()],
            vec!["--unit", root.as_str(), "--with-descendants"],
            vec!["--time-class", "overdue", "--time-class", "due_soon"],
            vec!["--status", "supplement_requested"],
        ] {
            let mut command = vec!["dossiers", "--as-of", as_of];
            command.extend(&filter);
            let expected = listed(&command, &from_files);
            assert!(
                !expected.is_empty() || filter.len() > 1 && filter[0] != "--unit",
                "{command:?} lists nothing"
            );
            assert_eq!(listed(&command, &from_store), expected, "{command:?}");
        }
        for until in ["2025-01-03T00:00:00+07:00", "2025-12-31T00:00:00+07:00"] {
            if until <= as_of {
                continue;
            }
            let command = ["alarms", "--from", as_of, "--until", until];
            let expected = listed(&command, &from_files);
            // The generator names who recorded each event: alarms name who is responsible.
            assert!(
                expected.is_empty() || expected.contains("\"officer\":"),
                "{command:?} names no officer"
            );
            assert!(
                !expected.is_empty() || as_of != AS_OF,
                "{command:?} lists nothing"
            );
            assert_eq!(listed(&command, &from_store), expected, "{command:?}");
        }
    }
    // Each open dossier's standing is kept with who handled it, so that alarms name who
    // answers for them without the events. Kept without them (as a motcua from before they
    // were wrote them), or with them damaged, the alarms are still the events' ones.
    let conn = rusqlite::Connection::open(&store).unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<(String, Vec<u8>)> = conn
        .prepare("SELECT dossier_id, standing FROM open_standings ORDER BY dossier_id")
        .and_then(|mut q| {
            q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(rows.len() >= 9, "{} open standings", rows.len());
    let mut decoder = motcua_store::codec::compact::Decoder::default();
    let decoded: Vec<_> = rows
        .iter()
        .map(|(id, bytes)| {
            let (standing, handlers) = decoder
                .decode_open_standing(bytes)
                .unwrap_or_else(|e| panic!("{id}: {e}"));
            let handlers = handlers.unwrap_or_else(|| panic!("{id}: kept without its handlers"));
            (standing, handlers)
        })
        .collect();
    let as_of = time::OffsetDateTime::parse(AS_OF, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{e}"));
    // A fifth of the rows damaged in each way in turn, each kind judged from the dossier's
    // events: handlers for more step runs than the standing has; another dossier's standing;
    // a standing judged under another calendar; one taken after the instant asked about.
    // Last, standings kept bare, as before handlers were: first one (in the year's window,
    // where most open dossiers ring, that dossier's events are read alone), then a fifth (the
    // whole window is judged from the projection's events).
    assert!(rows.len() >= motcua_store::open_dossiers::FEW_WITHOUT_HANDLERS);
    let phases = [
        (1, "damaged handlers"),
        (2, "another dossier's standing"),
        (3, "another calendar"),
        (4, "taken later"),
        (5, "one without handlers"),
        (0, "a fifth without handlers"),
    ];
    for (phase, what) in phases {
        for (i, ((id, _), (standing, handlers))) in rows.iter().zip(&decoded).enumerate() {
            let chosen = match phase {
                5 => i == 0,
                _ => i % 5 == phase,
            };
            if !chosen {
                continue;
            }
            let mut changed = standing.clone();
            let rewritten = match phase {
                1 => {
                    let mut bytes = motcua_store::codec::standing::encode(standing);
                    bytes.extend([0xB6, 99]);
                    bytes
                }
                2 => rows[(i + 1) % rows.len()].1.clone(),
                3 => {
                    changed.calendar ^= 1;
                    motcua_store::codec::standing::encode_open(&changed, handlers)
                }
                4 => {
                    changed.at = as_of + time::Duration::days(1);
                    motcua_store::codec::standing::encode_open(&changed, handlers)
                }
                _ => motcua_store::codec::standing::encode(standing),
            };
            conn.execute(
                "UPDATE open_standings SET standing = ?1 WHERE dossier_id = ?2",
                rusqlite::params![rewritten, id],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
        for until in ["2025-01-03T00:00:00+07:00", "2025-12-31T00:00:00+07:00"] {
            let command = ["alarms", "--from", AS_OF, "--until", until];
            let expected = listed(&command, &from_files);
            assert_eq!(
                listed(&command, &from_store),
                expected,
                "{command:?}, {what}"
            );
        }
        let list = ["dossiers", "--as-of", AS_OF];
        assert_eq!(
            listed(&list, &from_store),
            listed(&list, &from_files),
            "{what}"
        );
    }
    drop(conn);
    // The store's answers come from its projection: emptied behind motcua's back, they are
    // empty too (while an instant before its events still reads every dossier).
    let sqlite = motcua_sqlite::SqliteStore::open(&store).unwrap_or_else(|e| panic!("{e}"));
    let head = motcua_store::open_dossiers::OpenDossierTable::open_head(&sqlite)
        .unwrap_or_else(|e| panic!("{e}"));
    let emptied = motcua_store::open_dossiers::OpenChange {
        expected: head.map(|h| h.position),
        reset: true,
        head,
        ..Default::default()
    };
    motcua_store::open_dossiers::OpenDossierTable::apply_open(&sqlite, &emptied)
        .unwrap_or_else(|e| panic!("{e}"));
    drop(sqlite);
    assert_eq!(listed(&["dossiers", "--as-of", AS_OF], &from_store), "");
    let before = ["dossiers", "--as-of", "2024-07-01T00:00:00+07:00"];
    assert_eq!(listed(&before, &from_store), listed(&before, &from_files));
}

#[test]
fn a_list_of_many_pages_is_the_list_of_every_dossier() {
    // Enough open dossiers that the projection is read in several pages of 512 standings and
    // judged on two threads: the rows come back whole and in order. 2,000 dossiers received a
    // minute apart and not yet handled, after a generated log.
    let f = Files::new(300);
    let Some((template, unit)) = f.events.iter().find_map(|e| match &e.kind {
        motcua_core::EventKind::Received { unit, .. } => Some((e, unit.as_str())),
        _ => None,
    }) else {
        panic!("the generated log receives no dossier");
    };
    let last = f
        .events
        .iter()
        .map(|e| e.occurred_at)
        .max()
        .unwrap_or(template.occurred_at);
    let mut events = f.events.clone();
    for i in 0..2_000u32 {
        let at = last + time::Duration::minutes(i64::from(i) + 1);
        events.push(Event {
            event_id: uuid::Uuid::from_u128(0x5eed_0000 + u128::from(i)),
            dossier_id: motcua_core::DossierId::new(format!("MANY-{i:05}")),
            sequence: 1,
            occurred_at: at,
            recorded_at: at,
            ..template.clone()
        });
    }
    f.write("many.jsonl", &events);
    let o = f.import("store.db", "many.jsonl", true);
    assert!(o.status.success(), "{}", stderr(&o));
    let from_store = ["--store", &f.path("store.db")];
    let (events, catalog) = (f.path("many.jsonl"), f.path("catalogue.json"));
    let from_files = ["--events", events.as_str(), "--catalog", catalog.as_str()];
    let as_of = "2025-03-01T08:00:00+07:00";
    for command in [
        vec!["dossiers", "--as-of", as_of],
        vec!["dossiers", "--as-of", as_of, "--unit", unit],
    ] {
        let expected = listed(&command, &from_files);
        assert!(
            expected.lines().count() > 3 * 512,
            "{command:?}: {} open dossiers, not several pages",
            expected.lines().count()
        );
        for _ in 0..3 {
            assert_eq!(listed(&command, &from_store), expected, "{command:?}");
        }
    }
    // Standings damaged all through the pages, cut short or replaced by text: derived data,
    // those dossiers are judged from their events, whichever thread decodes their page.
    let conn = rusqlite::Connection::open(f.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
    let damaged = conn
        .execute(
            "UPDATE open_standings SET standing = substr(standing, 1, 20)
               WHERE substr(dossier_id, -1) = '7'",
            [],
        )
        .unwrap_or_else(|e| panic!("{e}"))
        + conn
            .execute(
                "UPDATE open_standings SET standing = 'not a standing'
                   WHERE substr(dossier_id, -2) = '33'",
                [],
            )
            .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    assert!(damaged > 200, "{damaged} standings damaged");
    for command in [
        vec!["dossiers", "--as-of", as_of],
        vec!["dossiers", "--as-of", as_of, "--unit", unit],
    ] {
        let expected = listed(&command, &from_files);
        assert_eq!(
            listed(&command, &from_store),
            expected,
            "{command:?}, damaged"
        );
    }
}

/// Where the store file's table of every dossier's standing stands: (position, rows), and the
/// log's last position.
fn standings_of(path: &str) -> (Option<i64>, i64, i64) {
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    let query = |sql: &str| -> Option<i64> {
        conn.query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    (
        query("SELECT position FROM standings_head"),
        query("SELECT COUNT(*) FROM dossier_standings").unwrap_or(0),
        query("SELECT MAX(position) FROM events").unwrap_or(0),
    )
}

/// Every import keeps the table of every dossier's standing up to the end of the log (a first
/// one builds it, the next follows the log), `report` reads it, and the report is the files'
/// at the year's end and in the middle of it (when many dossiers moved after the instant asked
/// about and are judged from their events); with the table put out of use it reads events
/// and says the same.
#[test]
fn imports_keep_every_dossiers_standing_and_reports_read_them() {
    let f = Files::new(150);
    let (early, late): (Vec<Event>, Vec<Event>) =
        f.events.iter().cloned().partition(|e| e.sequence <= 2);
    f.write("early.jsonl", &early);
    f.write("late.jsonl", &late);
    let store = f.path("store.db");
    assert!(f.import("store.db", "early.jsonl", true).status.success());
    let (position, rows, last) = standings_of(&store);
    assert_eq!((position, rows), (Some(last), 150));
    assert!(f.import("store.db", "late.jsonl", false).status.success());
    let (position, rows, last) = standings_of(&store);
    assert_eq!((position, rows), (Some(last), 150));
    let files = [
        "--events",
        &f.path("events.jsonl"),
        "--catalog",
        &f.path("catalogue.json"),
    ];
    for as_of in [AS_OF, "2024-06-30T17:00:00+07:00"] {
        let report = |args: &[&str]| {
            let mut all = vec!["report", "--format", "json", "--as-of", as_of];
            all.extend_from_slice(args);
            without_source(&motcua(&all))
        };
        let from_standings = report(&["--store", &store]);
        assert_eq!(from_standings, report(&files), "as of {as_of}");
        let conn = rusqlite::Connection::open(&store).unwrap_or_else(|e| panic!("{e}"));
        conn.execute("UPDATE standings_head SET position = NULL", [])
            .unwrap_or_else(|e| panic!("{e}"));
        drop(conn);
        assert_eq!(
            report(&["--store", &store]),
            from_standings,
            "as of {as_of}"
        );
        // The next write builds the table again (here: an import of nothing new).
        f.write("none.jsonl", &[]);
        let o = f.import("store.db", "none.jsonl", false);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(standings_of(&store).0, Some(last));
    }
}

/// Writers and followers at once on one store, as a desk runs them (imports from a host's
/// batches while `motcua follow` serves the desk): each brings the open-dossier list and the
/// table of standings up to date after its write, and one that finds them moved by another
/// goes on from there, so none says they were left behind; the store verifies intact, its
/// derived tables those its log gives.
#[test]
fn imports_and_followers_at_once_leave_the_lists_current() {
    let f = Files::new(600);
    let mut parts: Vec<Vec<Event>> = vec![Vec::new(); 4];
    let mut dossiers: Vec<&str> = f.events.iter().map(|e| e.dossier_id.as_str()).collect();
    dossiers.sort_unstable();
    dossiers.dedup();
    for e in &f.events {
        let n = dossiers.binary_search(&e.dossier_id.as_str()).unwrap_or(0);
        parts[n % 4].push(e.clone());
    }
    for (n, part) in parts.iter().enumerate() {
        f.write(&format!("part{n}.jsonl"), part);
    }
    let first = f.import("store.db", "part0.jsonl", true);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let store = f.path("store.db");
    let spawn = |args: Vec<String>| {
        Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run motcua: {e}"))
    };
    let outputs: Vec<(String, Output)> = std::thread::scope(|scope| {
        let mut running = Vec::new();
        for n in 1..4 {
            let args = vec![
                "import".to_owned(),
                "--store".to_owned(),
                store.clone(),
                f.path(&format!("part{n}.jsonl")),
            ];
            running.push((
                format!("import of part {n}"),
                scope.spawn(move || spawn(args)),
            ));
        }
        for n in 0..3 {
            let args = ["follow", "--store", &store, "--once", "--since", "0"]
                .map(str::to_owned)
                .to_vec();
            running.push((format!("follower {n}"), scope.spawn(move || spawn(args))));
        }
        running
            .into_iter()
            .map(|(what, run)| {
                (
                    what,
                    run.join().unwrap_or_else(|_| panic!("a thread panicked")),
                )
            })
            .collect()
    });
    for (what, out) in &outputs {
        assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(out));
        assert!(
            !stderr(out).contains("not brought up to date"),
            "{what}: {}",
            stderr(out)
        );
    }
    let verified = motcua(&["verify", "--store", &store]);
    assert_eq!(verified.status.code(), Some(0), "{}", stdout(&verified));
    // Current, the lists are read from the tables: the same as from every dossier.
    let listed = motcua(&[
        "dossiers", "--store", &store, "--as-of", AS_OF, "--format", "csv",
    ]);
    assert_eq!(listed.status.code(), Some(0), "{}", stderr(&listed));
    let exported = motcua(&["export", "--store", &store]);
    assert_eq!(
        stdout(&exported).lines().count(),
        f.events.len(),
        "every event stored once"
    );
}
