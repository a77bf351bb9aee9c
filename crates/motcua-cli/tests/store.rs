//! The store commands end to end: `import` into a SQLite store file, `report` / `explain` /
//! `export` from it, and what bad input, foreign files and conflicts do (a distinct exit code,
//! the store unchanged).

use motcua_core::Event;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const AS_OF: &str = "2024-12-31T17:00:00+07:00";

fn motcua(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run motcua: {e}"))
}

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

    fn export(&self, store: &str) -> Output {
        motcua(&["export", "--store", &self.path(store)])
    }
}

/// The report as JSON without its `source` (which names the file read).
fn report_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["report", "--format", "json", "--as-of", AS_OF];
    all.extend_from_slice(args);
    let o = motcua(&all);
    assert!(o.status.success(), "{}", stderr(&o));
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
    let from_store = report_json(&["--store", &f.path("store.db")]);
    let from_files = report_json(&[
        "--events",
        &f.path("events.jsonl"),
        "--catalog",
        &f.path("catalogue.json"),
    ]);
    assert_eq!(from_store, from_files);
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
    let from_store = report_json(&["--store", &f.path("store.db")]);
    let from_files = report_json(&[
        "--events",
        &f.path("events.jsonl"),
        "--catalog",
        &f.path("catalogue.json"),
    ]);
    assert_eq!(from_store, from_files);
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
