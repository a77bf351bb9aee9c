//! `motcua report` over several stores (shards): the merged report equals the report of one
//! store holding everything, byte for byte apart from the source it names. An ignored test
//! (run with `--ignored` and `MOTCUA_PG_URL`, as `.ci/run` does) puts one shard in PostgreSQL.

mod common;

use common::pg_url;
use motcua_core::Event;
use motcua_store::{EventStore, ExpectedVersion, StreamBatch};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AS_OF: &str = "2024-12-31T17:00:00+07:00";

fn motcua(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run motcua: {e}"));
    assert!(
        out.status.success(),
        "motcua {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn write_events(path: &Path, events: &[&Event]) {
    let mut out = Vec::new();
    for e in events {
        motcua_io::write_event(&mut out, e).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(path, out).unwrap_or_else(|e| panic!("{e}"));
}

/// The JSON report without its `source` (which names the stores).
fn report_json(stores: &[&str], threads: &str) -> serde_json::Value {
    let mut args = Vec::new();
    for s in stores {
        args.extend(["--store", s]);
    }
    report_of(&args, AS_OF, threads)
}

/// The JSON report of the data `data` names (`--store S`, or `--events F --catalog C`) as of
/// `as_of`, without its `source`.
fn report_of(data: &[&str], as_of: &str, threads: &str) -> serde_json::Value {
    let mut args = vec![
        "report",
        "--format",
        "json",
        "--as-of",
        as_of,
        "--threads",
        threads,
    ];
    args.extend(data);
    let out = motcua(&args);
    let mut value: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let source = value
        .as_object_mut()
        .and_then(|o| o.remove("source"))
        .unwrap_or_else(|| panic!("no source"));
    assert!(source.get("kind").is_some(), "{source}");
    value
}

struct Province {
    dir: PathBuf,
    catalogue: PathBuf,
    events: Vec<Event>,
}

fn province(name: &str) -> Province {
    let dir = scratch(name);
    let sample = motcua_gen::generate(&motcua_gen::GenConfig {
        dossiers: 3_000,
        seed: 11,
        year: 2024,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let catalogue = dir.join("catalogue.json");
    std::fs::write(&catalogue, motcua_io::write_catalogue(&sample.catalogue))
        .unwrap_or_else(|e| panic!("{e}"));
    Province {
        dir,
        catalogue,
        events: sample.events,
    }
}

/// Splits the events into `n` shards by the dossier's receiving unit code, as a deployment
/// sharded by unit would.
fn shards(events: &[Event], n: usize) -> Vec<Vec<&Event>> {
    let mut shard_of: BTreeMap<&str, usize> = BTreeMap::new();
    let mut out = vec![Vec::new(); n];
    for e in events {
        let shard = match &e.kind {
            motcua_core::EventKind::Submitted { unit, .. }
            | motcua_core::EventKind::Received { unit, .. } => *shard_of
                .entry(e.dossier_id.as_str())
                .or_insert(unit.as_str().bytes().map(usize::from).sum::<usize>() % n),
            _ => shard_of[e.dossier_id.as_str()],
        };
        out[shard].push(e);
    }
    assert!(out.iter().all(|s| !s.is_empty()), "an empty shard");
    out
}

fn import(p: &Province, name: &str, events: &[&Event]) -> String {
    let jsonl = p.dir.join(format!("{name}.jsonl"));
    write_events(&jsonl, events);
    let store = p.dir.join(format!("{name}.db"));
    let (store_s, catalogue, jsonl) = (
        store.to_string_lossy().into_owned(),
        p.catalogue.to_string_lossy().into_owned(),
        jsonl.to_string_lossy().into_owned(),
    );
    motcua(&[
        "import",
        "--store",
        &store_s,
        "--catalog",
        &catalogue,
        &jsonl,
    ]);
    store_s
}

#[test]
fn sqlite_shards_merged_equal_the_whole() {
    let p = province("shards-sqlite");
    let all: Vec<&Event> = p.events.iter().collect();
    let whole = import(&p, "whole", &all);
    let parts: Vec<String> = shards(&p.events, 3)
        .iter()
        .enumerate()
        .map(|(i, events)| import(&p, &format!("shard{i}"), events))
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let expected = report_json(&[&whole], "2");
    assert!(expected["report"]["province"]["received"].as_u64() > Some(2_500));
    assert_eq!(report_json(&parts, "1"), expected);
    assert_eq!(report_json(&parts, "2"), expected);
    // The source names every shard.
    let out = motcua(&[
        "report", "--format", "json", "--as-of", AS_OF, "--store", parts[0], "--store", parts[1],
    ]);
    let value: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(value["source"]["kind"], "stores");
    assert_eq!(
        value["source"]["paths"],
        serde_json::json!([parts[0], parts[1]])
    );
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn a_postgres_shard_merges_with_sqlite_ones() {
    let url = pg_url();
    let p = province("shards-pg");
    let all: Vec<&Event> = p.events.iter().collect();
    let whole = import(&p, "whole", &all);
    let parts = shards(&p.events, 2);
    let sqlite = import(&p, "shard0", &parts[0]);
    let schema = format!("motcua_cli_shard_{}", std::process::id());
    let pg = motcua_postgres::PgStore::connect(&url, &schema).unwrap_or_else(|e| panic!("{e}"));
    let mut streams: BTreeMap<_, Vec<Event>> = BTreeMap::new();
    for e in &parts[1] {
        streams
            .entry(e.dossier_id.clone())
            .or_default()
            .push((*e).clone());
    }
    let batches: Vec<StreamBatch> = streams
        .into_iter()
        .map(|(dossier_id, events)| StreamBatch {
            dossier_id,
            expected: ExpectedVersion::NoStream,
            events,
        })
        .collect();
    pg.append_streams(&batches)
        .unwrap_or_else(|e| panic!("{e}"));
    let location = format!("{url}#{schema}");
    let merged = report_json(&[&sqlite, &location], "2");
    let _ = pg.drop_schema();
    assert_eq!(merged, report_json(&[&whole], "2"));
}

/// A PostgreSQL store imported by `motcua import` keeps every dossier's standing, and a full
/// report reads them: the report equals the one of a SQLite store of the same events; with
/// every row given one dossier's standing by hand, it changes (the rows were read); with an
/// event changed by hand, the table is out of use and the report is the honest one again,
/// read from the events.
#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn a_postgres_store_reports_from_its_standings() {
    let url = pg_url();
    let p = province("pg-standings");
    let all: Vec<&Event> = p.events.iter().collect();
    let whole = import(&p, "whole", &all);
    let schema = format!("motcua_cli_standings_{}", std::process::id());
    let location = format!("{url}#{schema}");
    let jsonl = p.dir.join("whole.jsonl").to_string_lossy().into_owned();
    let catalogue = p.catalogue.to_string_lossy().into_owned();
    motcua(&[
        "import",
        "--store",
        &location,
        "--catalog",
        &catalogue,
        &jsonl,
    ]);
    let store = motcua_postgres::PgStore::connect_read_only(&url, &schema)
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = motcua_store::standings::StandingTable::standing_rows(&store)
        .unwrap_or_else(|e| panic!("{e}"));
    let state = motcua_store::standings::StandingTable::standings_state(&store)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 3_000, "the import built the table");
    assert_eq!(
        state.head.map(|h| h.position),
        store.last_position().ok(),
        "the table is current"
    );
    // From the events file: no standings.
    let from_file = ["--events", jsonl.as_str(), "--catalog", catalogue.as_str()];
    let expected = report_of(&from_file, AS_OF, "2");
    assert!(
        report_json(&[&whole], "2") == expected,
        "SQLite and the file differ"
    );
    let mut client =
        postgres::Client::connect(&url, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"));
    let by_hand = |client: &mut postgres::Client, sql: &str| {
        client
            .batch_execute(&sql.replace("{s}", &schema))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for threads in ["1", "2"] {
            assert!(
                report_json(&[&location], threads) == expected,
                "{threads} threads: PostgreSQL and the file differ"
            );
        }
        // Mid-December: the dossiers with events after it are read from their events.
        let december = "2024-12-10T17:00:00+07:00";
        assert!(
            report_of(&["--store", &location], december, "2")
                == report_of(&from_file, december, "2"),
            "as of {december}: PostgreSQL and the file differ"
        );
        by_hand(
            &mut client,
            "UPDATE {s}.motcua_dossier_standings SET standing =
                (SELECT standing FROM {s}.motcua_dossier_standings
                  WHERE standing IS NOT NULL ORDER BY dossier_id LIMIT 1)",
        );
        assert!(
            report_json(&[&location], "2") != expected,
            "the report did not read the table of standings"
        );
        by_hand(
            &mut client,
            "UPDATE {s}.motcua_events SET body = body WHERE position = 1",
        );
        assert!(
            report_json(&[&location], "2") == expected,
            "with an event changed by hand, the report did not read the events"
        );
    }));
    let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// A report from a PostgreSQL schema that holds no store creates nothing: it is refused as
/// not a store (exit 3), and the schema still does not exist.
#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn a_postgres_report_creates_no_schema() {
    let url = pg_url();
    let schema = format!("motcua_cli_none_{}", std::process::id());
    let location = format!("{url}#{schema}");
    let o = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["report", "--store", &location, "--as-of", AS_OF])
        .output()
        .unwrap_or_else(|e| panic!("cannot run motcua: {e}"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("not a motcua store"), "{err}");
    // The read-only open looks the schema up in pg_namespace.
    let again = motcua_postgres::PgStore::connect_read_only(&url, &schema).err();
    assert!(
        matches!(&again, Some(motcua_postgres::PgError::NotAStore { reason, .. }) if reason == "no such schema"),
        "the report created schema {schema}: {again:?}"
    );
}

/// A PostgreSQL URL works wherever a store file does: `gen --store`, `import`, `export`,
/// `dossiers` and `alarms` (answered from the projection the writes kept, and from the log
/// past it), `changes` and `follow`.
#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn a_postgres_url_is_a_store_for_every_command() {
    let url = pg_url();
    let dir = scratch("pg-desk");
    let run = |args: &[&str]| -> String {
        let o = motcua(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let (gen_schema, import_schema) = (
        format!("motcua_cli_gen_{}", std::process::id()),
        format!("motcua_cli_imp_{}", std::process::id()),
    );
    let (generated, imported) = (
        format!("{url}#{gen_schema}"),
        format!("{url}#{import_schema}"),
    );
    let files = dir.join("files").display().to_string();
    run(&["gen", "--dossiers", "800", "--seed", "4", "--out", &files]);
    let said = run(&[
        "gen",
        "--dossiers",
        "800",
        "--seed",
        "4",
        "--store",
        &generated,
    ]);
    assert!(
        said.contains("last position") && !said.contains(&url),
        "the URL is shown without its password: {said}"
    );
    let (events, catalogue) = (
        format!("{files}/events.jsonl"),
        format!("{files}/catalogue.json"),
    );
    run(&[
        "import",
        "--store",
        &imported,
        "--catalog",
        &catalogue,
        &events,
    ]);
    let exported = run(&["export", "--store", &generated]);
    assert!(
        exported == run(&["export", "--store", &imported]),
        "the two PostgreSQL stores export different events"
    );
    let sorted = |text: &str| {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines.sort();
        lines
    };
    let file = std::fs::read_to_string(&events).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        sorted(&exported) == sorted(&file),
        "the export holds other events than the file ({} and {} lines)",
        exported.lines().count(),
        file.lines().count()
    );
    let from_files = ["--events", events.as_str(), "--catalog", catalogue.as_str()];
    for command in [
        vec!["dossiers", "--as-of", AS_OF, "--format", "jsonl"],
        // Past the projection: every dossier, read from the log.
        vec!["dossiers", "--as-of", AS_OF, "--all", "--format", "jsonl"],
        vec![
            "changes",
            "--as-of",
            AS_OF,
            "--published-at",
            "2024-10-01T00:00:00+07:00",
        ],
        vec![
            "alarms",
            "--from",
            AS_OF,
            "--until",
            "2025-03-01T00:00:00+07:00",
            "--format",
            "jsonl",
        ],
    ] {
        let expected = run(&[&command[..], &from_files[..]].concat());
        assert!(!expected.is_empty(), "{command:?}");
        for store in [&generated, &imported] {
            let got = run(&[&command[..], &["--store", store.as_str()]].concat());
            assert_eq!(got, expected, "{command:?} on {store}");
        }
    }
    let followed = run(&["follow", "--store", &imported, "--once", "--since", "0"]);
    assert_eq!(followed.lines().count(), exported.lines().count());
    let records = |store: &str| {
        run(&[
            "portal-records",
            "--store",
            store,
            "--since",
            "0",
            "--as-of",
            AS_OF,
        ])
    };
    let from_pg = records(&imported);
    assert_eq!(
        from_pg.lines().count(),
        800,
        "one portal record per dossier"
    );
    let file_store = dir.join("same.db").display().to_string();
    run(&[
        "import",
        "--store",
        &file_store,
        "--catalog",
        &catalogue,
        &events,
    ]);
    assert!(
        from_pg == records(&file_store),
        "PostgreSQL and SQLite give other portal records"
    );
    for schema in [gen_schema, import_schema] {
        let store =
            motcua_postgres::PgStore::connect(&url, &schema).unwrap_or_else(|e| panic!("{e}"));
        let _ = store.drop_schema();
    }
}
