//! The `motcua` tool end to end: the main job, reports on a host's files, determinism,
//! explanations (with the rule version that judged a dossier), and what a person sees for bad
//! input (one line, a distinct exit code); `--lang vi` in every command that prints for people.

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

/// FNV-1a of a file's bytes.
fn fnv1a(path: &Path) -> u64 {
    std::fs::read(path)
        .unwrap()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

/// `gen` streams its events (a day of arrivals at a time, in bounded memory): the files are
/// byte for byte those of the whole-year generator it replaced (the fingerprints below were
/// taken from its output).
#[test]
fn gen_streams_the_bytes_the_whole_year_generator_wrote() {
    for (dossiers, seed, year, catalogue, events) in [
        (
            "150",
            "42",
            "2024",
            0xf7e3_0123_ebaa_6eb6_u64,
            0x0462_489d_3141_b35d_u64,
        ),
        (
            "2000",
            "11",
            "2026",
            0xc1d8_d340_8524_a99b,
            0x8e92_cb46_1c13_9eed,
        ),
    ] {
        let dir = scratch();
        let o = motcua(&[
            "gen",
            "--dossiers",
            dossiers,
            "--seed",
            seed,
            "--year",
            year,
            "--out",
            &dir.display().to_string(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(
            fnv1a(&dir.join("catalogue.json")),
            catalogue,
            "{dossiers} {seed}"
        );
        assert_eq!(
            fnv1a(&dir.join("events.jsonl")),
            events,
            "{dossiers} {seed}"
        );
    }
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

// Rule versions end to end: the catalogue of docs/catalogue-format.md with two versions of one
// procedure (Decree 61/2018 as amended by 107/2021 until 30 June 2025, Decree 118/2025 from
// 1 July), a dossier received on each side of the change, and `explain` naming the procedure
// version and the calendar version that judged each — from files and from a store.
mod versions {
    use super::{motcua, scratch, stderr, stdout};
    use std::path::{Path, PathBuf};

    const AS_OF: &str = "2025-07-02T09:00:00+07:00";

    /// Received Monday 30 June 2025 09:00, the last day of the old rules.
    const JUNE: &str = "SCT-250630-0001";
    /// Received Tuesday 1 July 2025 09:00, the first day of the new ones.
    const JULY: &str = "SCT-250701-0001";

    const EVENTS: &str = concat!(
        r#"{"v":1,"event_id":"0197c000-0000-4000-8000-000000000001","dossier_id":"SCT-250630-0001","sequence":1,"occurred_at":"2025-06-30T09:00:00+07:00","recorded_at":"2025-06-30T09:00:00+07:00","type":"received","procedure":"2.000636","unit":"T01-SCT","channel":"online"}"#,
        "\n",
        r#"{"v":1,"event_id":"0197c000-0000-4000-8000-000000000002","dossier_id":"SCT-250701-0001","sequence":1,"occurred_at":"2025-07-01T09:00:00+07:00","recorded_at":"2025-07-01T09:00:00+07:00","type":"received","procedure":"2.000636","unit":"T01-SCT","channel":"online"}"#,
        "\n",
    );

    /// The example catalogue shipped with the documentation.
    fn catalogue() -> String {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs/examples/catalogue-2025-versions.json")
            .display()
            .to_string()
    }

    /// A fresh directory holding the two dossiers' events.
    fn with_events() -> PathBuf {
        let dir = scratch();
        std::fs::write(dir.join("events.jsonl"), EVENTS).unwrap_or_else(|e| panic!("{e}"));
        dir
    }

    /// The two dossiers' events and the example catalogue with `from` replaced by `to`, written
    /// as `name` beside them: the paths of both.
    fn with_edited_catalogue(from: &str, to: &str, name: &str) -> (String, String) {
        let dir = with_events();
        let text = std::fs::read_to_string(catalogue()).unwrap_or_else(|e| panic!("{e}"));
        let edited = text.replace(from, to);
        assert_ne!(edited, text, "the example no longer holds {from}");
        let path = dir.join(name);
        std::fs::write(&path, edited).unwrap_or_else(|e| panic!("{e}"));
        (
            dir.join("events.jsonl").display().to_string(),
            path.display().to_string(),
        )
    }

    /// What each dossier must be judged under, and the due that gives.
    struct Expected {
        dossier: &'static str,
        in_force: &'static str,
        effective_from: Option<&'static str>,
        effective_until: Option<&'static str>,
        decree: &'static str,
        limit: &'static str,
        due_text: &'static str,
        due_json: &'static str,
    }

    const EXPECTED: [Expected; 2] = [
        // 15 working days from Monday 30 June: 1–4, 7–11, 14–18 July and Monday 21 July.
        Expected {
            dossier: JUNE,
            in_force: "until 2025-06-30",
            effective_from: None,
            effective_until: Some("2025-06-30"),
            decree: "Nghị định 61/2018/NĐ-CP, sửa đổi bởi Nghị định 107/2021/NĐ-CP",
            limit: "15 working day(s)",
            due_text: "official due  Mon 2025-07-21 09:00",
            due_json: "2025-07-21T09:00:00+07:00",
        },
        // 10 working days from Tuesday 1 July (a working day): 2–4, 7–11, 14 and 15 July.
        Expected {
            dossier: JULY,
            in_force: "from 2025-07-01",
            effective_from: Some("2025-07-01"),
            effective_until: None,
            decree: "Nghị định 118/2025/NĐ-CP",
            limit: "10 working day(s)",
            due_text: "official due  Tue 2025-07-15 09:00",
            due_json: "2025-07-15T09:00:00+07:00",
        },
    ];

    /// Runs `explain` in text and JSON for both dossiers over `data` and checks each names its
    /// procedure version, the calendar version and the due its version gives.
    fn explains_both(data: &[&str]) {
        for e in &EXPECTED {
            let mut args = vec!["explain", e.dossier, "--as-of", AS_OF];
            args.extend_from_slice(data);
            let o = motcua(&args);
            assert!(o.status.success(), "{}", stderr(&o));
            let text = stdout(&o);
            for part in [
                format!("  version       in force {}\n", e.in_force),
                "  calendar      vn-public-sector@".to_owned(),
                format!("(version in force {}): {}", e.in_force, e.limit),
                e.decree.to_owned(),
                e.due_text.to_owned(),
            ] {
                assert!(
                    text.contains(&part),
                    "{}: missing {part:?}:\n{text}",
                    e.dossier
                );
            }

            args.extend_from_slice(&["--format", "json"]);
            let o = motcua(&args);
            assert!(o.status.success(), "{}", stderr(&o));
            let json: serde_json::Value =
                serde_json::from_slice(&o.stdout).unwrap_or_else(|err| panic!("{err}"));
            let under = &json["judged_under"];
            assert_eq!(under["procedure"], "2.000636", "{under}");
            assert_eq!(under["in_force"], e.in_force, "{under}");
            assert_eq!(
                under["effective_from"].as_str(),
                e.effective_from,
                "{under}"
            );
            assert_eq!(
                under["effective_until"].as_str(),
                e.effective_until,
                "{under}"
            );
            assert!(
                under["name"].as_str().is_some_and(|n| n.contains(e.decree)),
                "{under}"
            );
            assert!(
                under["calendar"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("vn-public-sector@")),
                "{under}"
            );
            assert_eq!(json["view"]["official_due"], e.due_json, "{}", e.dossier);
        }
    }

    #[test]
    fn explain_names_the_version_that_judged_dossiers_either_side_of_1_july_2025() {
        let dir = with_events();
        let events = dir.join("events.jsonl").display().to_string();
        explains_both(&["--events", &events, "--catalog", &catalogue()]);
    }

    #[test]
    fn a_store_given_the_new_catalogue_on_1_july_keeps_the_old_dossiers_due() {
        let dir = with_events();
        let path = |name: &str| dir.join(name).display().to_string();
        // Before the change the host's catalogue has one version, in force on every day.
        let text = std::fs::read_to_string(catalogue()).unwrap_or_else(|e| panic!("{e}"));
        let mut old: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        let procedures = old["procedures"]
            .as_array_mut()
            .unwrap_or_else(|| panic!("no procedures in the example"));
        procedures.truncate(1);
        let removed = procedures[0]
            .as_object_mut()
            .and_then(|p| p.remove("effective_until"));
        assert_eq!(removed, Some(serde_json::json!("2025-06-30")));
        std::fs::write(path("old.json"), old.to_string()).unwrap_or_else(|e| panic!("{e}"));
        let (june, july) = EVENTS
            .split_once('\n')
            .unwrap_or_else(|| panic!("two event lines"));
        std::fs::write(path("june.jsonl"), june).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(path("july.jsonl"), july).unwrap_or_else(|e| panic!("{e}"));
        let store = path("store.db");

        let o = motcua(&[
            "import",
            "--store",
            &store,
            "--catalog",
            &path("old.json"),
            &path("june.jsonl"),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = motcua(&["explain", JUNE, "--store", &store, "--as-of", AS_OF]);
        assert!(o.status.success(), "{}", stderr(&o));
        let before = stdout(&o);
        for part in ["  version       in force always\n", EXPECTED[0].due_text] {
            assert!(before.contains(part), "missing {part:?}:\n{before}");
        }

        // On 1 July the two-version catalogue comes with the new events and replaces the kept one.
        let o = motcua(&[
            "import",
            "--store",
            &store,
            "--catalog",
            &catalogue(),
            &path("july.jsonl"),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        explains_both(&["--store", &store]);
    }

    #[test]
    fn overlapping_versions_are_refused_as_bad_input() {
        let (events, bad) = with_edited_catalogue(
            "\"effective_from\": \"2025-07-01\"",
            "\"effective_from\": \"2025-06-30\"",
            "overlapping.json",
        );
        let o = motcua(&["explain", JUNE, "--events", &events, "--catalog", &bad]);
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("procedure 2.000636 is defined twice for the same dates"),
            "{}",
            stderr(&o)
        );
    }

    /// A dossier that cannot be judged (received in a gap between two versions) does not stop
    /// the report: it is listed with its reason, the others are counted, and the exit code (6)
    /// says the report is partial.
    #[test]
    fn a_dossier_that_cannot_be_judged_makes_the_report_partial_not_failed() {
        let (events, with_gap) = with_edited_catalogue(
            "\"effective_until\": \"2025-06-30\"",
            "\"effective_until\": \"2025-06-29\"",
            "gap.json",
        );
        let args = [
            "report",
            "--events",
            &events,
            "--catalog",
            &with_gap,
            "--as-of",
            AS_OF,
        ];
        let o = motcua(&args);
        assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("the report is partial: 1 dossier(s) could not be judged"),
            "{}",
            stderr(&o)
        );
        let table = stdout(&o);
        assert!(table.contains("DOSSIERS NOT JUDGED"), "{table}");
        assert!(
            table.contains(&format!(
                "{JUNE}  no version of procedure 2.000636 was in force on 2025-06-30"
            )),
            "{table}"
        );
        let o = motcua(&[&args[..], &["--format", "json"]].concat());
        assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
        let json: serde_json::Value =
            serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            json["report"]["unjudged"][JUNE]
                .as_str()
                .is_some_and(|r| r.contains("2025-06-30")),
            "{json}"
        );
        assert_eq!(
            json["report"]["province"]["received"], 1,
            "the July dossier is counted"
        );
    }

    /// `motcua alarms` lists every judgement change of the window in time order, with the
    /// dossier and the unit responsible, as a table or JSON Lines.
    #[test]
    fn alarms_list_the_judgement_changes_of_a_window_in_time_order() {
        let dir = with_events();
        let events = dir.join("events.jsonl").display().to_string();
        let catalogue = catalogue();
        let args = [
            "alarms",
            "--events",
            &events,
            "--catalog",
            &catalogue,
            "--from",
            "2025-07-01T10:00:00+07:00",
            "--until",
            "2025-07-31T17:00:00+07:00",
        ];
        let o = motcua(&[&args[..], &["--format", "jsonl"]].concat());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let lines: Vec<serde_json::Value> = stdout(&o)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        let got: Vec<(&str, &str, &str)> = lines
            .iter()
            .map(|l| {
                (
                    l["at"].as_str().unwrap_or(""),
                    l["dossier"].as_str().unwrap_or(""),
                    l["kind"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                // Due Tuesday 15 July: due soon from Monday 14, overdue from Wednesday 16.
                ("2025-07-14T00:00:00+07:00", JULY, "due_soon_begins"),
                ("2025-07-16T00:00:00+07:00", JULY, "official_due_passed"),
                ("2025-07-16T00:00:00+07:00", JULY, "promised_due_passed"),
                // Due Monday 21 July: due soon from Friday 18 (its next working day is the 21st).
                ("2025-07-18T00:00:00+07:00", JUNE, "due_soon_begins"),
                ("2025-07-22T00:00:00+07:00", JUNE, "official_due_passed"),
                ("2025-07-22T00:00:00+07:00", JUNE, "promised_due_passed"),
            ]
        );
        assert!(lines.iter().all(|l| l["unit"] == "T01-SCT"));
        let o = motcua(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            stdout(&o).contains(&format!(
                "Wed 2025-07-16 00:00  {JULY}  T01-SCT  official due passes: overdue"
            )),
            "{}",
            stdout(&o)
        );
        // A window that ends before it starts is a usage error.
        let o = motcua(&[
            "alarms",
            "--events",
            &events,
            "--catalog",
            &catalogue,
            "--from",
            "2025-07-31T10:00:00+07:00",
            "--until",
            "2025-07-01T17:00:00+07:00",
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    }

    /// `motcua dossiers` lists a desk's dossiers as of an instant with their standing and next
    /// alarm, filtered by time class, unit and procedure.
    #[test]
    fn dossiers_list_a_desk_with_its_standing_and_next_alarm() {
        let dir = with_events();
        let events = dir.join("events.jsonl").display().to_string();
        let catalogue = catalogue();
        let base = [
            "dossiers",
            "--events",
            &events,
            "--catalog",
            &catalogue,
            "--as-of",
            "2025-07-16T10:00:00+07:00",
        ];
        let o = motcua(&[&base[..], &["--format", "jsonl"]].concat());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let rows: Vec<serde_json::Value> = stdout(&o)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["dossier"], JUNE);
        assert_eq!(rows[0]["time_class"], "within_time");
        assert_eq!(rows[0]["next_alarm"]["kind"], "due_soon_begins");
        assert_eq!(rows[0]["next_alarm"]["at"], "2025-07-18T00:00:00+07:00");
        assert_eq!(rows[1]["dossier"], JULY);
        assert_eq!(rows[1]["time_class"], "overdue");
        assert_eq!(rows[1]["next_alarm"], serde_json::Value::Null);
        // Filters: only the overdue one; the province's unit with its descendants holds both.
        let o = motcua(&[&base[..], &["--time-class", "overdue"]].concat());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let table = stdout(&o);
        assert!(
            table.contains("(1)") && table.contains(JULY) && !table.contains(JUNE),
            "{table}"
        );
        // 09:00–11:30 and 13:00–17:00 on the 15th, 07:30–10:00 on the 16th: 540 working minutes.
        assert!(table.contains("overdue by 1 d 1 h 00 min"), "{table}");
        let o = motcua(&[&base[..], &["--unit", "T01", "--format", "csv"]].concat());
        assert_eq!(
            stdout(&o).lines().count(),
            1,
            "T01 itself holds none: {}",
            stdout(&o)
        );
        let o = motcua(
            &[
                &base[..],
                &["--unit", "T01", "--with-descendants", "--format", "csv"],
            ]
            .concat(),
        );
        assert_eq!(stdout(&o).lines().count(), 3, "{}", stdout(&o));
        let o = motcua(&[&base[..], &["--time-class", "late-ish"]].concat());
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    }
}

/// Defaults that cannot mislead: your own data judged as of now (no `--as-of`) says so on
/// standard error and in every output's header; no data options say, in every format, that the
/// answer is the bundled sample's.
mod defaults {
    use super::{motcua, stderr, stdout, Files};

    const NOW: &str = "(now); pass --as-of to judge another instant";

    fn json(o: &std::process::Output) -> serde_json::Value {
        serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
    }

    #[test]
    fn own_data_without_as_of_is_said_to_be_judged_now_everywhere() {
        let f = Files::new(40);
        let (e, c) = (f.path("events.jsonl"), f.path("catalogue.json"));
        let data = ["--events", e.as_str(), "--catalog", c.as_str()];
        let id = f.sample.events[0].dossier_id.as_str().to_owned();
        let run = |command: &[&str]| {
            let o = motcua(&[command, &data[..]].concat());
            assert!(o.status.success(), "{command:?}: {}", stderr(&o));
            assert!(
                stderr(&o).starts_with("motcua: judged as of ") && stderr(&o).contains(NOW),
                "{command:?}: {}",
                stderr(&o)
            );
            o
        };
        let table = stdout(&run(&["report"]));
        assert!(
            table.contains("— now; pass --as-of to judge another instant"),
            "{table}"
        );
        // Under --lang vi, standard error says it in Vietnamese too.
        let o = motcua(&[&["report", "--lang", "vi"], &data[..]].concat());
        assert!(
            stderr(&o).starts_with("motcua: tính đến ")
                && stderr(&o).contains("(thời điểm hiện tại); dùng --as-of"),
            "{}",
            stderr(&o)
        );
        let vi = stdout(&o);
        assert!(vi.contains("— thời điểm hiện tại; dùng --as-of"), "{vi}");
        assert_eq!(
            json(&run(&["report", "--format", "json"]))["as_of_from"],
            "now"
        );
        run(&["report", "--format", "csv"]);
        let html = stdout(&run(&["report", "--format", "html"]));
        assert!(html.contains("now; pass --as-of to judge another instant"));
        let explained = stdout(&run(&["explain", &id]));
        assert!(
            explained.contains("(now; pass --as-of to judge another instant)"),
            "{explained}"
        );
        assert_eq!(
            json(&run(&["explain", &id, "--format", "json"]))["as_of_from"],
            "now"
        );
        let changes = stdout(&run(&[
            "changes",
            "--published-at",
            "2024-12-31T17:00:00+07:00",
        ]));
        assert!(changes.contains("(now; pass --as-of"), "{changes}");
        // With --as-of: nothing said, nothing added.
        for format in ["table", "json", "csv", "html"] {
            let o = f.report("events.jsonl", &["--format", format]);
            assert!(o.status.success(), "{}", stderr(&o));
            assert_eq!(stderr(&o), "", "{format}");
            assert!(!stdout(&o).contains("pass --as-of"), "{format}");
        }
        let o = f.report("events.jsonl", &["--format", "json"]);
        assert_eq!(json(&o)["as_of_from"], "option");
    }

    #[test]
    fn no_data_options_say_the_bundled_sample_in_every_format() {
        for format in ["table", "json", "csv", "html"] {
            let o = motcua(&["report", "--format", format]);
            assert!(o.status.success(), "{format}: {}", stderr(&o));
            let said = stderr(&o);
            assert!(
                said.starts_with("motcua: no data options: the bundled synthetic sample")
                    && said.contains("pass --events and --catalog, or --store"),
                "{format}: {said}"
            );
            let text = stdout(&o);
            match format {
                "table" => assert!(text.contains("bundled sample province-year"), "{text}"),
                "json" => {
                    let v = json(&o);
                    assert_eq!(v["source"]["kind"], "sample");
                    assert_eq!(v["as_of_from"], "sample");
                }
                "html" => assert!(text.contains("bundled synthetic sample")),
                // CSV's rows have no place for it: standard error says it (checked above).
                _ => assert!(!text.contains("sample")),
            }
        }
    }
}

/// Shell completions and the man page are generated from the clap definitions: every
/// subcommand is in each, and an unknown shell is a usage error.
#[test]
fn completions_and_the_man_page_name_every_subcommand() {
    const SUBCOMMANDS: [&str; 11] = [
        "report",
        "explain",
        "alarms",
        "dossiers",
        "calendar",
        "import",
        "export",
        "gen",
        "changes",
        "completions",
        "man",
    ];
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = motcua(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for name in SUBCOMMANDS {
            assert!(script.contains(name), "{shell}: no {name}");
        }
        assert!(script.contains("as-of"), "{shell}: no --as-of");
    }
    let o = motcua(&["completions", "cmd.exe"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = motcua(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.contains(".TH motcua 1"), "{page}");
    for name in SUBCOMMANDS {
        assert!(
            page.contains(&format!("motcua\\-{name}(1)")),
            "no {name}:\n{page}"
        );
    }
}

/// `--lang vi` in every command that prints for people: Vietnamese labels and weekdays
/// (Thứ Hai … Chủ Nhật), never an English weekday; every `--help` speaks of its own command.
mod lang {
    use super::{motcua, stderr, stdout};

    /// Standard output of a command that must succeed.
    fn ok(args: &[&str]) -> String {
        let o = motcua(args);
        assert!(o.status.success(), "motcua {args:?}: {}", stderr(&o));
        stdout(&o)
    }

    /// An English weekday before a date (`Tue 2024-12-31`), if the text has one.
    fn english_weekday(text: &str) -> Option<&str> {
        ["Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun "]
            .iter()
            .find_map(|day| {
                text.match_indices(day).find_map(|(i, _)| {
                    let after = &text[i + day.len()..];
                    let dated = after.len() >= 10
                        && after.as_bytes()[..4].iter().all(u8::is_ascii_digit)
                        && after.as_bytes()[4] == b'-';
                    dated.then(|| &text[i..i + day.len() + 10])
                })
            })
    }

    /// A dossier of the bundled sample that is overdue at its end of year.
    const OVERDUE: &str = "H19.22-240802-0001";

    #[test]
    fn explain_speaks_vietnamese() {
        let text = ok(&["explain", OVERDUE, "--lang", "vi"]);
        for part in [
            "Hồ sơ H19.22-240802-0001\n",
            "  tính đến           Thứ Ba 2024-12-31 17:00\n",
            "Sự kiện đã biết đến thời điểm đó (17):\n",
            "Thứ Sáu 2024-08-02 09:02  tiếp nhận (trực tiếp) thủ tục 1.004227 tại H19.22\n",
            "Cách tính hạn xử lý:\n",
            "bỏ qua Chủ Nhật 2024-08-04: nghỉ cuối tuần\n",
            "bỏ qua Thứ Hai 2024-09-02: nghỉ lễ, Tết, Quốc khánh (2/9)\n",
            "Kết luận:\n",
            "  trạng thái         đang xử lý (mã quốc gia 4)\n",
            "  quá hạn            79 ngày 3 giờ 20 phút làm việc\n",
            " — TRỄ HẠN\n",
        ] {
            assert!(text.contains(part), "missing {part:?}:\n{text}");
        }
        assert_eq!(english_weekday(&text), None, "{text}");
        // The note on standard error speaks the same language.
        let note = stderr(&motcua(&["explain", OVERDUE, "--lang", "vi"]));
        assert!(
            note.starts_with("motcua: không có tùy chọn dữ liệu: dữ liệu mẫu")
                && note.contains("tính đến Thứ Ba 2024-12-31 17:00"),
            "{note}"
        );
        // English stays the default, with the same durations in working days.
        let en = ok(&["explain", OVERDUE]);
        assert!(
            en.contains("  overdue by    79 d 3 h 20 min of working time\n"),
            "{en}"
        );
    }

    #[test]
    fn dossiers_alarms_and_changes_speak_vietnamese() {
        let dossiers = ok(&["dossiers", "--lang", "vi"]);
        assert!(
            dossiers.starts_with("Hồ sơ tính đến Thứ Ba 2024-12-31 17:00 ("),
            "{dossiers}"
        );
        assert!(
            dossiers.contains("  đang xử lý (4)  hạn Thứ "),
            "{dossiers}"
        );
        assert!(dossiers.contains("      tiếp theo: Thứ "), "{dossiers}");
        assert_eq!(english_weekday(&dossiers), None);

        let alarms = ok(&[
            "alarms",
            "--until",
            "2025-01-02T17:00:00+07:00",
            "--lang",
            "vi",
        ]);
        assert!(
            alarms
                .starts_with("Cảnh báo từ Thứ Ba 2024-12-31 17:00 đến Thứ Năm 2025-01-02 17:00 ("),
            "{alarms}"
        );
        assert!(alarms.contains("bắt đầu sắp đến hạn\n"), "{alarms}");
        assert_eq!(english_weekday(&alarms), None);

        let changes = ok(&[
            "changes",
            "--published-at",
            "2024-12-31T17:00:00+07:00",
            "--lang",
            "vi",
        ]);
        assert!(
            changes.starts_with("Tính đến Thứ Ba 2024-12-31 17:00: "),
            "{changes}"
        );
        assert_eq!(english_weekday(&changes), None);
    }

    #[test]
    fn the_vietnamese_report_has_vietnamese_weekdays_whole_headers_and_a_glossary() {
        let text = ok(&["report", "--lang", "vi"]);
        assert_eq!(english_weekday(&text), None);
        assert!(
            text.contains("  tính đến  Thứ Ba 2024-12-31 17:00 (UTC+07:00)\n"),
            "{text}"
        );
        // The level table's headers are whole words, wrapped, never cut ("rútt.chối" before).
        let levels = text
            .split_once("SỐ LIỆU THEO CẤP")
            .and_then(|(_, rest)| rest.split_once("\n\n"))
            .map(|(table, _)| table)
            .unwrap_or_else(|| panic!("no level table:\n{text}"));
        assert!(
            !levels.contains('…') && !levels.contains("t.chối"),
            "{levels}"
        );
        for word in ["rút", "chối", "trước", "đúng", "trong", "đánh", "lòng"] {
            assert!(levels.contains(word), "missing {word:?}:\n{levels}");
        }
        // Both satisfaction figures named for what they are, and a glossary line for each code.
        assert!(text.contains("5.4 mức độ hài lòng (không trễ hạn, không phản ánh)"));
        assert!(text.contains("tỷ lệ đánh giá hài lòng (theo phiếu đánh giá)"));
        let glossary = text
            .split_once("GIẢI THÍCH CHỈ SỐ")
            .unwrap_or_else(|| panic!("no glossary:\n{text}"))
            .1;
        for code in ["2.1", "2.2", "3.3", "3.6", "4.1", "4.2", "4.3", "5.4"] {
            assert!(
                glossary.contains(&format!("\n  {code} ")),
                "no glossary line for {code}:\n{glossary}"
            );
        }
        // 2.2 reads in working days, with its exact fraction.
        assert!(
            text.contains("2.2 thời gian giải quyết trung bình")
                && text.contains(" phút làm việc / "),
            "{text}"
        );
    }

    #[test]
    fn every_help_speaks_of_its_own_command() {
        let commands = [
            "report",
            "explain",
            "alarms",
            "dossiers",
            "follow",
            "form",
            "portal-records",
            "calendar",
            "import",
            "export",
            "gen",
            "changes",
        ];
        for command in commands {
            let help = ok(&[command, "--help"]);
            for other in commands.iter().filter(|c| **c != command) {
                for phrase in [format!("for `{other}`"), format!("for {other}")] {
                    assert!(
                        !help.contains(&phrase),
                        "`motcua {command} --help` says {phrase:?}:\n{help}"
                    );
                }
            }
        }
        assert!(!ok(&["explain", "--help"]).contains("--threads"));
        for command in ["report", "explain", "alarms", "dossiers", "changes"] {
            assert!(
                ok(&[command, "--help"]).contains("--lang <LANG>"),
                "{command} has no --lang"
            );
        }
    }
}

/// The report reads `--events` twice; a pipe cannot be read twice, so it is copied first: the
/// same report as from the file, and no copy left behind.
#[cfg(unix)]
#[test]
fn events_from_a_pipe_report_as_from_the_file() {
    let f = Files::new(150);
    let from_file = f.report("events.jsonl", &["--format", "json"]);
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    let tmp = f.dir.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    // A real pipe: `cat events.jsonl | motcua report --events /dev/stdin …`.
    let mut cat = Command::new("cat")
        .arg(f.dir.join("events.jsonl"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let events = cat.stdout.take().unwrap();
    let c = f.path("catalogue.json");
    let from_pipe = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["report", "--events", "/dev/stdin", "--catalog", &c])
        .args(["--as-of", "2024-12-31T17:00:00+07:00", "--format", "json"])
        .env("TMPDIR", &tmp)
        .stdin(events)
        .output()
        .unwrap();
    assert!(from_pipe.status.success(), "{}", stderr(&from_pipe));
    assert!(cat.wait().unwrap().success());
    let without_source = |o: &Output| {
        let mut json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        json.as_object_mut().unwrap().remove("source");
        json
    };
    assert_eq!(without_source(&from_pipe), without_source(&from_file));
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "a copy is left"
    );
}

/// A thread count beyond what a machine can start is refused before any work, not a panic
/// after gigabytes of thread stacks.
#[test]
fn report_refuses_an_impossible_thread_count() {
    let o = motcua(&["report", "--threads", "100000"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("100000 is not in 1..=256"), "{err}");
    let o = motcua(&["report", "--threads", "0"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Threads the system refuses to start end the report with an error that says so, exit 3,
/// not a panic; the same report with 2 threads under the same limit succeeds. The limit is on
/// the number of processes and threads of the user (`prlimit --nproc`), which refuses a thread
/// without starving those already running: a limit on the address space (`ulimit -v`) let
/// threads start and then failed the next allocation in any of them, an abort inside glibc
/// ("failed to register TLS destructor: out of memory") as often as a refused thread (one CI
/// run in a few). As root, whom the limit does not stop, motcua runs as `nobody`.
#[cfg(target_os = "linux")]
#[test]
fn report_says_when_the_system_refuses_its_threads() {
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let root = uid == "0";
    // Room for what the user runs already (a non-root user running these tests runs them in
    // many threads), and 24 more: far fewer than 256, more than a 2-thread report needs.
    let running = if root {
        0
    } else {
        Command::new("ps")
            .args(["-L", "--no-headers", "-u", &uid])
            .output()
            .map(|o| o.stdout.iter().filter(|&&b| b == b'\n').count())
            .unwrap_or(0)
    };
    let limit = running + 24;
    // prlimit sets the limit and runs setpriv, which becomes `nobody` and runs motcua (setpriv
    // runs it wherever the checkout is; prlimit run as nobody could not in a 0700 clone).
    let limited = |threads: &str| {
        let mut command = Command::new("prlimit");
        command.arg(format!("--nproc={limit}")).arg("--");
        if root {
            command.args([
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
            ]);
        }
        command
            .arg(env!("CARGO_BIN_EXE_motcua"))
            .args(["report", "--threads", threads])
            .args(["--as-of", "2024-12-31T17:00:00+07:00"])
            .output()
            .unwrap()
    };
    let o = limited("256");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("a thread could not be started"), "{err}");
    assert!(o.stdout.is_empty());
    let o = limited("2");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        o.stdout,
        motcua(&[
            "report",
            "--threads",
            "2",
            "--as-of",
            "2024-12-31T17:00:00+07:00"
        ])
        .stdout
    );
}

/// A catalogue, calendar or targets file that never ends (a device given by mistake) is
/// refused once 128 MiB were read, exit 3 naming the file, instead of filling the memory.
#[cfg(unix)]
#[test]
fn an_endless_catalogue_calendar_or_targets_file_is_refused() {
    for option in ["--calendar", "--targets", "--catalog"] {
        let mut args = vec!["report", option, "/dev/zero"];
        if option == "--catalog" {
            // A catalogue goes with an events file.
            args.extend(["--events", "/dev/null"]);
        }
        args.extend(["--as-of", "2024-12-31T17:00:00+07:00"]);
        let o = motcua(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(3), "{option}: {err}");
        assert!(
            err.contains("/dev/zero: larger than 128 MiB, more than any catalogue, calendar, targets or checkpoint file"),
            "{option}: {err}"
        );
    }
}

/// An as-of instant given in another offset is shown, like the rest of the output, in the
/// calendar's (UTC+07:00): the header and the period agree.
#[test]
fn an_as_of_in_another_offset_is_shown_in_the_calendars() {
    let o = motcua(&["report", "--as-of", "2024-12-31T10:00:00-05:00"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("as of     Tue 2024-12-31 22:00 (UTC+07:00)"),
        "{text}"
    );
    assert!(text.contains("→ Tue 2024-12-31 22:00"), "{text}");
    let o = motcua(&[
        "alarms",
        "--from",
        "2024-12-01T00:00:00-05:00",
        "--until",
        "2024-12-02T00:00:00-05:00",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("Alarms from Sun 2024-12-01 12:00 until Mon 2024-12-02 12:00"),
        "{text}"
    );
}

/// A report of nothing is not refused (a period may hold no dossier) but said: an empty file,
/// the wrong file or an as-of instant before the data give a page of zeros otherwise.
#[test]
fn a_report_of_no_dossier_says_so() {
    let dir = scratch();
    let events = dir.join("empty.jsonl");
    std::fs::write(&events, "\n\n").unwrap_or_else(|e| panic!("{e}"));
    let catalogue = dir.join("catalogue.json");
    std::fs::write(
        &catalogue,
        r#"{"format":"motcua-catalogue","version":1,"units":[{"id":"H1","name":"UBND huyện","level":"district"}],"procedures":[{"code":"P","name":"p","field":"f","level":"district","time_limit":{"working_days":5}}]}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = motcua(&[
        "report",
        "--events",
        &events.display().to_string(),
        "--catalog",
        &catalogue.display().to_string(),
        "--as-of",
        "2024-12-31T17:00:00+07:00",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("motcua: note: no dossier was received in the period or open at its start"),
        "{}",
        stderr(&o)
    );
    let o = motcua(&["report"]);
    assert!(
        !stderr(&o).contains("no dossier was received"),
        "{}",
        stderr(&o)
    );
}
