//! The `motcua` tool end to end: the main job, reports on a host's files, determinism,
//! explanations, and what a person sees for bad input (one line, a distinct exit code).

use motcua_core::Event;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn motcua(args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("cannot run motcua: {e}"),
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory under Cargo's per-target temporary directory.
fn scratch() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "cli-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_events(path: &Path, events: &[&Event]) {
    let mut out = Vec::new();
    for e in events {
        motcua_io::write_event(&mut out, e).unwrap();
    }
    std::fs::write(path, out).unwrap();
}

/// A small generated province written as catalogue + events files.
struct Files {
    dir: PathBuf,
    sample: motcua_gen::Sample,
}

impl Files {
    fn new(dossiers: usize) -> Files {
        let dir = scratch();
        let config = motcua_gen::GenConfig {
            dossiers,
            seed: 11,
            year: 2024,
        };
        let sample = motcua_gen::generate(&config).unwrap();
        std::fs::write(
            dir.join("catalogue.json"),
            motcua_io::write_catalogue(&sample.catalogue),
        )
        .unwrap();
        let events: Vec<&Event> = sample.events.iter().collect();
        write_events(&dir.join("events.jsonl"), &events);
        Files { dir, sample }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    fn report(&self, events: &str, extra: &[&str]) -> Output {
        let (e, c) = (self.path(events), self.path("catalogue.json"));
        let mut args = vec![
            "report",
            "--events",
            &e,
            "--catalog",
            &c,
            "--as-of",
            "2024-12-31T17:00:00+07:00",
        ];
        args.extend_from_slice(extra);
        motcua(&args)
    }
}

#[test]
fn the_main_job_runs_on_the_bundled_sample() {
    let o = motcua(&["report"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for heading in [
        "DOSSIERS BY STATUS",
        "FIGURES BY LEVEL",
        "SCORECARD against dong-nai-2024",
        "OVERDUE DOSSIERS",
    ] {
        assert!(text.contains(heading), "missing {heading}:\n{text}");
    }
    assert!(
        text.contains("PASS") && text.contains("FAIL"),
        "the sample's scorecard is mixed"
    );
    assert!(text.contains("6,000 dossiers"));
}

#[test]
fn the_report_does_not_depend_on_how_dossiers_interleave() {
    let f = Files::new(400);
    // Same events, each dossier's own order kept, dossiers interleaved another way: one dossier
    // after another, last dossier first.
    let streams = f.sample.streams();
    let regrouped: Vec<&Event> = streams
        .values()
        .rev()
        .flat_map(|s| s.iter().copied())
        .collect();
    assert_eq!(regrouped.len(), f.sample.events.len());
    write_events(&f.dir.join("regrouped.jsonl"), &regrouped);
    // Round-robin: the first event of every dossier, then every second event, …
    let mut round_robin = Vec::new();
    let longest = streams.values().map(Vec::len).max().unwrap_or(0);
    for i in 0..longest {
        round_robin.extend(streams.values().filter_map(|s| s.get(i).copied()));
    }
    write_events(&f.dir.join("round-robin.jsonl"), &round_robin);

    let mut outputs = Vec::new();
    for name in ["events.jsonl", "regrouped.jsonl", "round-robin.jsonl"] {
        std::fs::copy(f.dir.join(name), f.dir.join("in.jsonl")).unwrap();
        let o = f.report("in.jsonl", &["--format", "json"]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        outputs.push(o.stdout);
    }
    assert!(
        outputs[0] == outputs[1],
        "regrouped dossiers change the JSON report"
    );
    assert!(
        outputs[0] == outputs[2],
        "round-robin interleaving changes the JSON report"
    );
    let json: serde_json::Value = serde_json::from_slice(&outputs[0]).unwrap();
    assert_eq!(json["format"], "motcua-report");
    assert!(json["report"]["province"]["received"].as_u64().unwrap() > 300);
}

#[test]
fn table_json_and_csv_agree_on_the_figures() {
    let f = Files::new(300);
    let json: serde_json::Value =
        serde_json::from_slice(&f.report("events.jsonl", &["--format", "json"]).stdout).unwrap();
    let csv = stdout(&f.report("events.jsonl", &["--format", "csv"]));
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let received = header.iter().position(|h| *h == "received").unwrap();
    let total: u64 = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(received).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(Some(total), json["report"]["province"]["received"].as_u64());
    let overdue_csv =
        stdout(&f.report("events.jsonl", &["--format", "csv", "--section", "overdue"]));
    assert_eq!(
        overdue_csv.lines().count() - 1,
        json["report"]["province"]["open_overdue"].as_u64().unwrap() as usize
    );
    let table = stdout(&f.report("events.jsonl", &[]));
    assert!(table.contains("SCORECARD"), "{table}");
}

#[test]
fn explain_prints_the_trace_for_a_dossier() {
    let f = Files::new(200);
    let id = f
        .sample
        .events
        .iter()
        .find(|e| e.sequence > 3)
        .unwrap()
        .dossier_id
        .to_string();
    let (e, c) = (f.path("events.jsonl"), f.path("catalogue.json"));
    let o = motcua(&[
        "explain",
        &id,
        "--events",
        &e,
        "--catalog",
        &c,
        "--as-of",
        "2024-12-31T17:00:00+07:00",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for part in [
        "How the due was computed:",
        "rule:",
        "received",
        "Verdict:",
        "official due",
        "judged",
    ] {
        assert!(text.contains(part), "missing {part}:\n{text}");
    }
    let o = motcua(&[
        "explain",
        &id,
        "--events",
        &e,
        "--catalog",
        &c,
        "--as-of",
        "2024-12-31T17:00:00+07:00",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["view"]["dossier_id"], id.as_str());
    assert!(json["explanation"]["entries"]
        .as_array()
        .is_some_and(|a| a.len() >= 3));
}

/// Runs a report on a broken events file: exit 3, one line naming the problem, nothing on stdout.
fn rejected(f: &Files, lines: &str) -> String {
    std::fs::write(f.dir.join("bad.jsonl"), lines).unwrap();
    let o = f.report("bad.jsonl", &[]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "stdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    assert!(
        o.stdout.is_empty(),
        "nothing is reported from a rejected file"
    );
    let err = stderr(&o);
    assert_eq!(err.trim_end().lines().count(), 1, "one clear line: {err}");
    assert!(err.starts_with("motcua: "), "{err}");
    err
}

#[test]
fn bad_event_files_are_rejected_whole_with_the_line_named() {
    let f = Files::new(50);
    let text = std::fs::read_to_string(f.dir.join("events.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let good = format!("{}\n{}\n", lines[0], lines[1]);

    let err = rejected(&f, &format!("{good}{{not json\n"));
    assert!(err.contains("line 3"), "{err}");

    let unknown = lines[0].replacen("\"type\":\"", "\"type\":\"teleported_", 1);
    let err = rejected(&f, &format!("{good}{unknown}\n"));
    assert!(
        err.contains("line 3") && err.contains("teleported_"),
        "{err}"
    );

    let no_offset = lines[0].replacen("+07:00", "", 1);
    let err = rejected(&f, &format!("{no_offset}\n"));
    assert!(err.contains("line 1") && err.contains("offset"), "{err}");

    let err = rejected(&f, &format!("{good}{}\n", lines[0]));
    assert!(
        err.contains("line 3") && err.contains("line 1"),
        "duplicate event id names both lines: {err}"
    );

    // The second event of some dossier without its first.
    let later = f.sample.events.iter().find(|e| e.sequence == 2).unwrap();
    let mut out = Vec::new();
    motcua_io::write_event(&mut out, later).unwrap();
    let err = rejected(&f, &String::from_utf8(out).unwrap());
    assert!(
        err.contains(later.dossier_id.as_str()) && err.contains("expected 1"),
        "{err}"
    );

    let unknown_proc = lines
        .iter()
        .find(|l| l.contains("\"type\":\"received\"") || l.contains("\"type\":\"submitted\""))
        .unwrap();
    let first = f.sample.events.iter().find(|e| e.sequence == 1).unwrap();
    let code = match &first.kind {
        motcua_core::EventKind::Received { procedure, .. }
        | motcua_core::EventKind::Submitted { procedure, .. } => procedure.to_string(),
        _ => unreachable!("a first event is a submission or a reception"),
    };
    let bogus = unknown_proc.replace(
        &format!("\"procedure\":\"{code}\""),
        "\"procedure\":\"9.999999\"",
    );
    if bogus != *unknown_proc {
        let err = rejected(&f, &format!("{bogus}\n"));
        assert!(
            err.contains("9.999999") && err.contains("not in the catalogue"),
            "{err}"
        );
    }
}

#[test]
fn a_catalogue_with_a_bad_time_limit_is_rejected() {
    let f = Files::new(20);
    let text = std::fs::read_to_string(f.dir.join("catalogue.json")).unwrap();
    let negative = text.replacen("\"working_days\": ", "\"working_days\": -", 1);
    assert!(
        negative != text,
        "the catalogue has a working-day limit to break"
    );
    std::fs::write(f.dir.join("catalogue.json"), negative).unwrap();
    let o = f.report("events.jsonl", &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("catalogue.json") && err.contains("line"),
        "{err}"
    );
}

#[test]
fn usage_and_io_errors_have_their_own_exit_codes() {
    let o = motcua(&["report", "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = motcua(&["report", "--events", "x.jsonl"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "--events needs --catalog: {}",
        stderr(&o)
    );
    let o = motcua(&["report", "--as-of", "2024-12-31T17:00:00"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("offset"), "{}", stderr(&o));
    // Found by fuzzing the calendar: the edge of representable time is refused, not a panic.
    let o = motcua(&["report", "--as-of", "9999-12-31T23:59:59Z"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = motcua(&["report", "--targets", "atlantis-2030"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("dong-nai-2024"),
        "names the known presets: {}",
        stderr(&o)
    );
    let o = motcua(&[
        "calendar",
        "add",
        "2024-04-26T09:00:00+07:00",
        "1",
        "fortnights",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = motcua(&[
        "report",
        "--events",
        "/nonexistent/e.jsonl",
        "--catalog",
        "/nonexistent/c.json",
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("/nonexistent/c.json"), "{}", stderr(&o));
    let o = motcua(&["explain", "NO-SUCH-DOSSIER"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("NO-SUCH-DOSSIER is not in the data"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn calendar_commands_answer_in_rfc_3339() {
    let o = motcua(&[
        "calendar",
        "add",
        "2024-04-26T16:50:00+07:00",
        "3",
        "working-days",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "2024-05-04T16:50:00+07:00\n");
    let o = motcua(&["calendar", "days-off", "2024"]);
    assert!(stdout(&o).contains("2024-05-04\tmakeup-workday"));
}

#[test]
fn gen_writes_the_same_bytes_for_the_same_seed() {
    let (a, b) = (scratch(), scratch());
    for dir in [&a, &b] {
        let o = motcua(&[
            "gen",
            "--dossiers",
            "150",
            "--seed",
            "42",
            "--year",
            "2024",
            "--out",
            &dir.display().to_string(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("wrote 150 dossiers"), "{}", stdout(&o));
    }
    for file in ["catalogue.json", "events.jsonl"] {
        assert!(
            std::fs::read(a.join(file)).unwrap() == std::fs::read(b.join(file)).unwrap(),
            "{file} differs"
        );
    }
    let o = motcua(&[
        "report",
        "--events",
        &a.join("events.jsonl").display().to_string(),
        "--catalog",
        &a.join("catalogue.json").display().to_string(),
        "--as-of",
        "2024-12-31T17:00:00+07:00",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_published_report_is_reproduced_and_late_records_are_explained() {
    let f = Files::new(300);
    let published = time::macros::datetime!(2024-12-31 17:00 +7);
    let late = published + time::Duration::days(3);
    // One finished dossier whose result (and everything after it) was entered three days late.
    let streams = f.sample.streams();
    let (id, stream) = streams
        .iter()
        .find(|(_, s)| {
            s.iter()
                .any(|e| matches!(e.kind, motcua_core::EventKind::ResultReady { .. }))
        })
        .unwrap();
    let ready = stream
        .iter()
        .position(|e| matches!(e.kind, motcua_core::EventKind::ResultReady { .. }))
        .unwrap();
    let mut events: Vec<Event> = f.sample.events.clone();
    for e in events
        .iter_mut()
        .filter(|e| &e.dossier_id == *id && e.sequence > ready as u64)
    {
        e.recorded_at = late;
    }
    write_events(
        &f.dir.join("late.jsonl"),
        &events.iter().collect::<Vec<_>>(),
    );

    let status_of = |extra: &[&str]| -> serde_json::Value {
        let o = f.report("late.jsonl", &[&["--format", "json"], extra].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let now = status_of(&[]);
    let then = status_of(&["--known-at", "2024-12-31T17:00:00+07:00"]);
    assert_eq!(then["known_at"], "2024-12-31T17:00:00+07:00");
    assert_ne!(
        now["report"], then["report"],
        "the late record changes the report"
    );
    // Reproducible: the same knowledge instant gives the same bytes.
    assert_eq!(
        then,
        status_of(&["--known-at", "2024-12-31T17:00:00+07:00"])
    );

    let (e, c) = (f.path("late.jsonl"), f.path("catalogue.json"));
    let o = motcua(&[
        "changes",
        "--events",
        &e,
        "--catalog",
        &c,
        "--as-of",
        "2024-12-31T17:00:00+07:00",
        "--published-at",
        "2024-12-31T17:00:00+07:00",
        "--known-at",
        "2025-01-04T17:00:00+07:00",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("1 dossier(s) judged differently"), "{text}");
    assert!(
        text.contains(id.as_str())
            && text.contains("result_ready")
            && text.contains("was recorded Fri 2025-01-03"),
        "{text}"
    );
}
