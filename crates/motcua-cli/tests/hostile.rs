//! Hostile arguments and files for every `motcua` subcommand: each case asserts the exit code
//! (2 usage, 3 bad input, 4 conflict, 5 I/O, as README.md documents), the whole one-line
//! message on standard error, that nothing was printed on standard output, and that nothing
//! changed: the store exports the same events, its file is not rewritten, no output file or
//! store file is left behind.
//!
//! | exit | error | test |
//! |---|---|---|
//! | 2 | clap: unknown command, missing or conflicting option, bad value (instant, date, format, unit, amount, targets name) | `usage_errors_exit_2` |
//! | 2 | `CliError::Usage`: empty period, unrepresentable as-of, unknown dossier, published after known, no catalogue in store, bad generator year | `usage_errors_exit_2` |
//! | 2 | a bad targets file (clap value parser: see the report) | `a_bad_targets_file_is_named` |
//! | 3 | `CliError::BadInput`: events line, catalogue, calendar file, not a store | `bad_files_exit_3_and_change_nothing` |
//! | 3 | `CalendarCmdError::Input` / `Calendar` | `calendar_errors_exit_3` |
//! | 4 | `CliError::Conflict`: events already stored | `a_conflict_exits_4_and_changes_nothing` |
//! | 5 | `CliError::Io`, `CalendarCmdError::Io`: missing files, unwritable output | `io_errors_exit_5_and_write_nothing` |
//! | 5 | `CliError::Io`, `CliError::Storage`: a directory given as a file or store, a full output, an unreachable PostgreSQL | `io_errors_exit_5_and_write_nothing` |
//! | 5 | `CliError::Storage`: a store file that cannot grow (the file size limit stands in for a full disk) | `a_store_that_cannot_be_written_exits_5_and_leaves_no_file` |
//! | 5 | `CliError::Io`, `CliError::Output`: generated events past the file size limit, an export to a full device | `full_files_and_outputs_exit_5` |
//! | 5 | `CliError::Storage`: a store another process is writing to (busy timeout 0) | `a_locked_store_exits_5_and_changes_nothing` |
//! | 5 | `CliError::Storage`: a read-only store file | `a_read_only_store_exits_5_and_changes_nothing` |
//!
//! Names, ids and free text from outside are shown safely: CSV cells that a spreadsheet would
//! run as formulas are neutralised (OWASP), and no control character (ESC, BEL, CR, C1…)
//! reaches the terminal from the table, `explain`, `changes` or an error message and its hint:
//! each is shown escaped as `\u{1b}` (`csv_cells_that_would_run_as_formulas_are_quoted_text`
//! and the tests after it).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn motcua(args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("cannot run motcua: {e}"),
    }
}

/// A fresh scratch directory ([`common::scratch`]).
fn scratch() -> PathBuf {
    common::scratch("hostile")
}

const CATALOGUE: &str = r#"{"format":"motcua-catalogue","version":1,"units":[{"id":"XA01","name":"UBND xã A","level":"commune"}],"procedures":[{"code":"1.001193","name":"Đăng ký khai sinh","field":"Hộ tịch","level":"commune","time_limit":{"working_days":3}}]}"#;

fn line(dossier: &str, sequence: u64, at: &str, rest: &str) -> String {
    format!(
        "{{\"v\":1,\"event_id\":\"00000000-0000-4000-8000-{:012}\",\"dossier_id\":\"{dossier}\",\"sequence\":{sequence},\"occurred_at\":\"{at}\",\"recorded_at\":\"{at}\",{rest}}}\n",
        sequence * 100 + dossier.len() as u64 + u64::from(dossier.as_bytes()[dossier.len() - 1])
    )
}

fn received(dossier: &str) -> String {
    line(
        dossier,
        1,
        "2024-03-04T09:00:00+07:00",
        "\"type\":\"received\",\"procedure\":\"1.001193\",\"unit\":\"XA01\",\"channel\":\"online\"",
    )
}

/// A directory with `catalogue.json` and `events.jsonl` (two dossiers, three events).
struct Files {
    dir: PathBuf,
}

impl Files {
    fn new() -> Files {
        let dir = scratch();
        let events = format!(
            "{}{}{}",
            received("H-1"),
            received("H-2"),
            line(
                "H-1",
                2,
                "2024-03-05T09:00:00+07:00",
                "\"type\":\"result_ready\",\"electronic\":true"
            )
        );
        std::fs::write(dir.join("catalogue.json"), CATALOGUE).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("events.jsonl"), events).unwrap_or_else(|e| panic!("{e}"));
        Files { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.dir.join(name), text).unwrap_or_else(|e| panic!("{e}"));
        self.path(name)
    }

    /// Runs `args` with `{DIR}` replaced by the directory.
    fn run(&self, args: &[&str]) -> Output {
        let dir = self.dir.display().to_string();
        let args: Vec<String> = args.iter().map(|a| a.replace("{DIR}", &dir)).collect();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        motcua(&refs)
    }

    /// A store file holding the events and catalogue.
    fn store(&self) -> String {
        let o = self.run(&[
            "import",
            "--store",
            "{DIR}/store.db",
            "--catalog",
            "{DIR}/catalogue.json",
            "{DIR}/events.jsonl",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        self.path("store.db")
    }

    fn export(&self) -> Vec<u8> {
        let o = self.run(&["export", "--store", "{DIR}/store.db"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o.stdout
    }
}

/// Runs `args` and checks the exit code and the whole standard error (`{DIR}` replaced), and
/// that nothing was printed on standard output.
fn fails(f: &Files, args: &[&str], code: i32, expected: &str) {
    let o = f.run(args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let expected = expected.replace("{DIR}", &f.dir.display().to_string());
    println!(
        "CASE {args:?}\n  CODE {:?}\n  GOT  {err:?}",
        o.status.code()
    );
    assert_eq!(
        (o.status.code(), err.trim_end()),
        (Some(code), expected.as_str()),
        "{args:?}"
    );
    assert!(
        o.stdout.is_empty(),
        "{args:?} printed {}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// Runs `command` (a shell, `setpriv` or motcua with its own environment) and checks the exit
/// code and the whole standard error, `{DIR}` replaced.
fn command_fails(f: &Files, command: &mut Command, code: i32, expected: &str) {
    let o = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let err = String::from_utf8_lossy(&o.stderr);
    let dir = f.dir.display().to_string();
    assert_eq!(
        (o.status.code(), err.trim_end().replace(&dir, "{DIR}")),
        (Some(code), expected.to_owned())
    );
}

const JUDGE: [&str; 6] = [
    "--events",
    "{DIR}/events.jsonl",
    "--catalog",
    "{DIR}/catalogue.json",
    "--as-of",
    "2024-12-31T17:00:00+07:00",
];

fn with(head: &[&'static str], tail: &[&'static str]) -> Vec<&'static str> {
    let mut v = head.to_vec();
    v.extend_from_slice(tail);
    v
}

#[test]
fn usage_errors_exit_2() {
    let f = Files::new();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["frobnicate"],
            "error: unrecognized subcommand 'frobnicate'\n\nUsage: motcua <COMMAND>\n\nFor more information, try '--help'.",
        ),
        (
            vec!["report", "--events", "{DIR}/events.jsonl"],
            "error: the following required arguments were not provided:\n  --catalog <FILE>\n\nUsage: motcua report --catalog <FILE> --events <FILE>\n\nFor more information, try '--help'.",
        ),
        (
            vec!["report", "--as-of", "2024-12-31T17:00:00"],
            "error: invalid value '2024-12-31T17:00:00' for '--as-of <INSTANT>': \"2024-12-31T17:00:00\" is not an RFC 3339 instant: the 'offset hour' component could not be parsed (an offset is required, e.g. 2024-12-31T17:00:00+07:00)\n\nFor more information, try '--help'.",
        ),
        (
            vec!["report", "--targets", "atlantis"],
            "error: invalid value 'atlantis' for '--targets <NAME|FILE>': unknown targets \"atlantis\": neither a preset (known: dong-nai-2024, dong-nai-2026, thanh-hoa-2025, qd766) nor a file\n\nFor more information, try '--help'.",
        ),
        (
            vec!["report", "--from", "2024-13-01"],
            "error: invalid value '2024-13-01' for '--from <DATE>': \"2024-13-01\" is not a date YYYY-MM-DD\n\nFor more information, try '--help'.",
        ),
        (
            vec!["report", "--format", "pdf"],
            "error: invalid value 'pdf' for '--format <FORMAT>'\n  [possible values: table, json, csv, html]\n\nFor more information, try '--help'.",
        ),
        (
            with(&["report"], &JUDGE).into_iter().chain(["--from", "2025-01-01"]).collect(),
            "motcua: the reporting period is empty: it starts on 2025-01-01 (--from) and ends at the as-of instant Tue 2024-12-31 17:00; give --from a date on or before 2024-12-31",
        ),
        (
            vec!["report", "--events", "{DIR}/events.jsonl", "--catalog", "{DIR}/catalogue.json", "--as-of", "9999-12-31T23:59:59Z"],
            "motcua: --as-of 9999-12-31 23:59:59.0 +00:00:00 is outside the years motcua can represent",
        ),
        (
            with(&["explain", "H-9"], &JUDGE),
            "motcua: dossier H-9 is not in the data (2 dossiers; ids look like H-1, H-2)",
        ),
        (
            with(&["changes"], &JUDGE)
                .into_iter()
                .chain(["--published-at", "2024-12-31T17:00:00+07:00", "--known-at", "2024-06-01T00:00:00+07:00"])
                .collect(),
            "motcua: --published-at must not be after --known-at",
        ),
        (
            vec!["import", "{DIR}/events.jsonl", "--store", "{DIR}/s.db"],
            "motcua: {DIR}/s.db: the store keeps no catalogue yet; pass --catalog FILE",
        ),
        (
            vec!["export"],
            "error: the following required arguments were not provided:\n  --store <FILE|URL>\n\nUsage: motcua export --store <FILE|URL>\n\nFor more information, try '--help'.",
        ),
        (
            vec!["gen", "--year", "1700", "--out", "{DIR}/g"],
            "motcua: invalid generator configuration: year 1700 is outside the supported range 2000–2100",
        ),
        (
            vec!["calendar", "add", "2024-04-26T09:00:00+07:00", "-1", "working-days"],
            "error: unexpected argument '-1' found\n\n  tip: to pass '-1' as a value, use '-- -1'\n\nUsage: motcua calendar add [OPTIONS] <START> <AMOUNT> <UNIT>\n\nFor more information, try '--help'.",
        ),
        (
            vec!["calendar", "add", "2024-04-26T09:00:00+07:00", "1", "fortnights"],
            "error: invalid value 'fortnights' for '<UNIT>'\n  [possible values: working-days, working-hours, calendar-days, same-day]\n\nFor more information, try '--help'.",
        ),
    ];
    for (args, expected) in cases {
        fails(&f, &args, 2, expected);
    }
    // Nothing was created by the refused commands.
    assert!(!f.dir.join("s.db").exists());
    assert!(!f.dir.join("g").exists());
}

#[test]
fn a_bad_targets_file_is_named() {
    let f = Files::new();
    f.write(
        "targets.json",
        "{\"name\": \"x\", \"targets\": {\"on_time\": {\"all\": 10001}}}",
    );
    fails(
        &f,
        &with(&["report"], &JUDGE).into_iter().chain(["--targets", "{DIR}/targets.json"]).collect::<Vec<_>>(),
        3,
        "motcua: {DIR}/targets.json: target for on_time (all) is 10001 basis points, above 10000 (100%); targets are basis points, 9700 = 97%",
    );
}

#[test]
fn bad_files_exit_3_and_change_nothing() {
    let f = Files::new();
    let store = f.store();
    let before = f.export();
    let store_bytes = std::fs::read(&store).unwrap_or_default();
    let bad_events = format!(
        "{}{}",
        received("H-7"),
        line(
            "H-7",
            2,
            "2024-03-04T10:00:00",
            "\"type\":\"result_ready\",\"electronic\":true"
        )
    );
    f.write("bad.jsonl", &bad_events);
    f.write(
        "bad-catalogue.json",
        &CATALOGUE.replace("{\"working_days\":3}", "{\"working_days\":-3}"),
    );
    f.write("bad.tsv", "# days off\n2024-05-06 local Ngày lễ tỉnh\n");
    std::fs::write(
        f.dir.join("latin1.json"),
        // "UBND xã A" in Latin-1: ã is the lone byte E3.
        CATALOGUE
            .replace("xã", "x\u{0}")
            .bytes()
            .map(|b| if b == 0 { 0xe3 } else { b })
            .collect::<Vec<u8>>(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["report", "--events", "{DIR}/bad.jsonl", "--catalog", "{DIR}/catalogue.json"],
            "motcua: {DIR}/bad.jsonl: line 2: dossier H-7, event 2: `occurred_at` is \"2024-03-04T10:00:00\", which has no UTC offset; instants must be RFC 3339 with an offset, e.g. \"2024-03-04T09:00:00+07:00\" (Vietnam time) or \"2024-03-04T02:00:00Z\"",
        ),
        (
            vec!["import", "{DIR}/bad.jsonl", "--store", "{DIR}/store.db"],
            "motcua: {DIR}/bad.jsonl: line 2: dossier H-7, event 2: `occurred_at` is \"2024-03-04T10:00:00\", which has no UTC offset; instants must be RFC 3339 with an offset, e.g. \"2024-03-04T09:00:00+07:00\" (Vietnam time) or \"2024-03-04T02:00:00Z\"; nothing was imported",
        ),
        (
            vec!["import", "{DIR}/bad.jsonl", "--store", "{DIR}/new.db", "--catalog", "{DIR}/catalogue.json"],
            "motcua: {DIR}/bad.jsonl: line 2: dossier H-7, event 2: `occurred_at` is \"2024-03-04T10:00:00\", which has no UTC offset; instants must be RFC 3339 with an offset, e.g. \"2024-03-04T09:00:00+07:00\" (Vietnam time) or \"2024-03-04T02:00:00Z\"; nothing was imported",
        ),
        (
            vec!["import", "{DIR}/events.jsonl", "--store", "{DIR}/store.db", "--catalog", "{DIR}/bad-catalogue.json"],
            "motcua: {DIR}/bad-catalogue.json: line 1, column 239: procedure 1.001193 (procedures[0]): invalid value: integer `-3`, expected u32; expected a time limit: {\"working_days\": N}, {\"working_hours\": N}, {\"calendar_days\": N} with N a whole number above 0, {\"same_day\": {\"cutoff\": \"15:00\"}} or \"none\"",
        ),
        (
            vec!["report", "--events", "{DIR}/events.jsonl", "--catalog", "{DIR}/latin1.json"],
            "motcua: {DIR}/latin1.json: not valid UTF-8 at line 1, byte 78 of the line (byte 77 of the file); expected UTF-8 text",
        ),
        (
            with(&["report", "--calendar", "{DIR}/bad.tsv"], &JUDGE),
            "motcua: {DIR}/bad.tsv: line 2: expected 3 or 4 TAB-separated fields (date, kind, name[, source]), found 1 (fields are separated by one TAB character, not spaces)",
        ),
        (
            vec!["report", "--store", "{DIR}/events.jsonl"],
            "motcua: {DIR}/events.jsonl: not a motcua store (not a SQLite database)",
        ),
        (
            vec!["export", "--store", "{DIR}/catalogue.json"],
            "motcua: {DIR}/catalogue.json: not a motcua store (not a SQLite database)",
        ),
        (
            vec!["import", "{DIR}/events.jsonl", "--store", "{DIR}/events.jsonl", "--catalog", "{DIR}/catalogue.json"],
            "motcua: {DIR}/events.jsonl: not a motcua store (not a SQLite database)",
        ),
    ];
    let events = std::fs::read(f.dir.join("events.jsonl")).unwrap_or_default();
    for (args, expected) in cases {
        fails(&f, &args, 3, expected);
    }
    assert_eq!(f.export(), before, "a refused command changed the store");
    assert_eq!(std::fs::read(&store).unwrap_or_default(), store_bytes);
    assert_eq!(
        std::fs::read(f.dir.join("events.jsonl")).unwrap_or_default(),
        events
    );
    assert!(
        !f.dir.join("new.db").exists(),
        "a refused import left a store file"
    );
}

#[test]
fn a_conflict_exits_4_and_changes_nothing() {
    let f = Files::new();
    let store = f.store();
    let before = f.export();
    let store_bytes = std::fs::read(&store).unwrap_or_default();
    let first = received("H-1");
    let id = &first[first.find("00000000-").unwrap_or(0)..][..36];
    fails(
        &f,
        &["import", "{DIR}/events.jsonl", "--store", "{DIR}/store.db"],
        4,
        &format!("motcua: {{DIR}}/store.db: cannot import {{DIR}}/events.jsonl: line 1: dossier H-1, event 1: event id {id} is already stored as event 1 of this dossier; import only events the store does not hold yet; nothing was imported"),
    );
    assert_eq!(f.export(), before);
    assert_eq!(std::fs::read(&store).unwrap_or_default(), store_bytes);
}

#[test]
fn io_errors_exit_5_and_write_nothing() {
    let f = Files::new();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "report",
                "--events",
                "{DIR}/none.jsonl",
                "--catalog",
                "{DIR}/catalogue.json",
            ],
            "motcua: {DIR}/none.jsonl: No such file or directory (os error 2)",
        ),
        (
            vec![
                "report",
                "--events",
                "{DIR}/events.jsonl",
                "--catalog",
                "{DIR}/none.json",
            ],
            "motcua: {DIR}/none.json: No such file or directory (os error 2)",
        ),
        (
            vec!["report", "--store", "{DIR}/none.db"],
            "motcua: {DIR}/none.db: no such store file",
        ),
        (
            vec!["report", "--calendar", "{DIR}/none.tsv"],
            "motcua: {DIR}/none.tsv: No such file or directory (os error 2)",
        ),
        (
            with(&["report"], &JUDGE)
                .into_iter()
                .chain(["--format", "html", "--out", "{DIR}/no/such/dir/r.html"])
                .collect(),
            "motcua: {DIR}/no/such/dir/r.html: No such file or directory (os error 2)",
        ),
        (
            vec![
                "import",
                "{DIR}/none.jsonl",
                "--store",
                "{DIR}/s.db",
                "--catalog",
                "{DIR}/catalogue.json",
            ],
            "motcua: {DIR}/none.jsonl: No such file or directory (os error 2)",
        ),
        (
            vec!["export", "--store", "{DIR}/none.db"],
            "motcua: {DIR}/none.db: no such store file",
        ),
        (
            vec!["gen", "--dossiers", "1", "--out", "{DIR}/events.jsonl"],
            "motcua: {DIR}/events.jsonl: File exists (os error 17)",
        ),
        (
            vec![
                "calendar",
                "--calendar",
                "{DIR}/none.tsv",
                "days-off",
                "2024",
            ],
            "motcua: {DIR}/none.tsv: No such file or directory (os error 2)",
        ),
        (
            vec!["report", "--events", "{DIR}", "--catalog", "{DIR}/catalogue.json"],
            "motcua: {DIR}: Is a directory (os error 21)",
        ),
        (
            vec!["explain", "H-1", "--events", "{DIR}", "--catalog", "{DIR}/catalogue.json"],
            "motcua: {DIR}: Is a directory (os error 21)",
        ),
        (
            vec!["import", "{DIR}", "--store", "{DIR}/s.db", "--catalog", "{DIR}/catalogue.json"],
            "motcua: {DIR}: Is a directory (os error 21)",
        ),
        (
            vec!["report", "--store", "{DIR}"],
            "motcua: {DIR}: the store cannot be used: unable to open database file: {DIR}",
        ),
        (
            vec!["import", "{DIR}/events.jsonl", "--store", "{DIR}", "--catalog", "{DIR}/catalogue.json"],
            "motcua: {DIR}: the store cannot be used: unable to open database file: {DIR}",
        ),
        (
            vec!["export", "--store", "{DIR}"],
            "motcua: {DIR}: the store cannot be used: unable to open database file: {DIR}",
        ),
        (
            with(&["report"], &JUDGE)
                .into_iter()
                .chain(["--format", "json", "--out", "/dev/full"])
                .collect(),
            "motcua: /dev/full: No space left on device (os error 28)",
        ),
        (
            // Nothing listens on port 1; the password is not shown.
            vec!["report", "--store", "postgres://motcua:secret@127.0.0.1:1/motcua"],
            "motcua: postgres://motcua:***@127.0.0.1:1/motcua: cannot connect to PostgreSQL: error connecting to server: Connection refused (os error 111)",
        ),
    ];
    for (args, expected) in cases {
        fails(&f, &args, 5, expected);
    }
    for name in ["none.db", "s.db", "no"] {
        assert!(!f.dir.join(name).exists(), "{name} was created");
    }
}

#[test]
fn calendar_errors_exit_3() {
    let f = Files::new();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["calendar", "add", "yesterday", "1", "working-days"],
            "motcua: expected an RFC 3339 instant such as 2024-04-26T09:00:00+07:00, found \"yesterday\" (the 'year' component could not be parsed)",
        ),
        (
            vec!["calendar", "add", "2024-04-26T09:00:00+07:00", "99999999999", "working-days"],
            "motcua: expected at most 4294967295 working days, found 99999999999",
        ),
        (
            vec!["calendar", "add", "2024-04-26T09:00:00+07:00", "99999999999999999", "working-hours"],
            "motcua: 2024-04-26 9:00:00.0 +07:00:00 + 5999999999999999940 working minutes is outside the calendar's supported range 1900-01-01..=2200-12-31",
        ),
        (
            vec!["calendar", "add", "2200-12-31T09:00:00+07:00", "5", "working-days"],
            "motcua: 2200-12-31 9:00:00.0 +07:00:00 + 5 working days is outside the calendar's supported range 1900-01-01..=2200-12-31",
        ),
        (
            vec!["calendar", "add", "9999-12-31T23:59:59Z", "5", "working-days"],
            "motcua: instant 9999-12-31 23:59:59.0 +00:00:00 is outside the calendar's supported range 1900-01-01..=2200-12-31",
        ),
        (
            vec!["calendar", "between", "1800-01-01T00:00:00Z", "2024-04-26T09:00:00+07:00"],
            "motcua: instant 1800-01-01 0:00:00.0 +00:00:00 is outside the calendar's supported range 1900-01-01..=2200-12-31",
        ),
        (
            vec!["calendar", "days-off", "2500"],
            "motcua: expected a year within the calendar's range 1900..=2200, found 2500",
        ),
        (
            vec!["calendar", "days-off", "99999999"],
            "motcua: expected a year within the calendar's range 1900..=2200, found 99999999",
        ),
        (
            vec!["calendar", "lunar", "2024-02-30"],
            "motcua: expected a date YYYY-MM-DD, found \"2024-02-30\"",
        ),
        (
            vec!["calendar", "lunar", "1799-12-31"],
            "motcua: date 1799-12-31 is outside the supported range of the lunar calendar (solar dates 1800-01-01..=2200-12-31)",
        ),
        (
            vec!["calendar", "solar", "2024-4-1"],
            "motcua: expected a lunar date YYYY-MM-DD, found \"2024-4-1\"",
        ),
        (
            vec!["calendar", "solar", "2024-04-01", "--leap"],
            "motcua: lunar year 2024 has no leap month 4 (its leap month: none)",
        ),
        (
            vec!["calendar", "--calendar", "{DIR}/events.jsonl", "days-off", "2024"],
            "motcua: {DIR}/events.jsonl: line 1: expected 3 or 4 TAB-separated fields (date, kind, name[, source]), found 1",
        ),
    ];
    for (args, expected) in cases {
        fails(&f, &args, 3, expected);
    }
}

/// A store file that cannot grow: the import runs under a file size limit (with SIGXFSZ
/// ignored, writes past the limit fail with EFBIG, as they fail with ENOSPC on a full disk).
#[test]
fn a_store_that_cannot_be_written_exits_5_and_leaves_no_file() {
    let f = Files::new();
    let o = f.run(&[
        "gen",
        "--dossiers",
        "1000",
        "--seed",
        "1",
        "--year",
        "2024",
        "--out",
        "{DIR}/g",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dir = f.dir.display().to_string();
    let script = format!(
        "trap '' XFSZ; ulimit -f 160; exec '{}' import --store '{dir}/full.db' --catalog '{dir}/g/catalogue.json' '{dir}/g/events.jsonl'",
        env!("CARGO_BIN_EXE_motcua")
    );
    command_fails(
        &f,
        Command::new("sh").args(["-c", &script]),
        5,
        "motcua: {DIR}/full.db: the store failed, nothing was imported: the store could not be read or written: {DIR}/full.db: disk I/O error",
    );
    assert!(
        !f.dir.join("full.db").exists(),
        "a failed import left a store file"
    );
}

#[test]
fn full_files_and_outputs_exit_5() {
    let f = Files::new();
    f.store();
    let bin = env!("CARGO_BIN_EXE_motcua");
    let gen = format!(
        "trap '' XFSZ; ulimit -f 64; exec '{bin}' gen --dossiers 1000 --seed 1 --year 2024 --out '{}/g'",
        f.dir.display()
    );
    command_fails(
        &f,
        Command::new("sh").args(["-c", &gen]),
        5,
        "motcua: {DIR}/g/events.jsonl: File too large (os error 27)",
    );
    let export = format!(
        "exec '{bin}' export --store '{}/store.db' > /dev/full",
        f.dir.display()
    );
    command_fails(
        &f,
        Command::new("sh").args(["-c", &export]),
        5,
        "motcua: cannot write the output: No space left on device (os error 28)",
    );
}

/// Another process holds the store's write lock: opening the store for the import waits the
/// busy timeout (60 s by default; `MOTCUA_SQLITE_BUSY_TIMEOUT_MS=0` here, so not at all) and
/// fails, storing nothing.
#[test]
fn a_locked_store_exits_5_and_changes_nothing() {
    let f = Files::new();
    let store = f.store();
    let before = f.export();
    f.write("more.jsonl", &received("H-3"));
    let writer = rusqlite::Connection::open(&store).unwrap_or_else(|e| panic!("{e}"));
    writer
        .execute_batch("BEGIN IMMEDIATE")
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = f.dir.display().to_string();
    command_fails(
        &f,
        Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["import", &format!("{dir}/more.jsonl"), "--store", &store])
            .env("MOTCUA_SQLITE_BUSY_TIMEOUT_MS", "0"),
        5,
        "motcua: {DIR}/store.db: the store cannot be used: database is locked",
    );
    writer
        .execute_batch("ROLLBACK")
        .unwrap_or_else(|e| panic!("{e}"));
    drop(writer);
    assert_eq!(f.export(), before);
}

/// motcua run by a user file modes stop: `nobody` through `setpriv` when the tests run as
/// root (whom modes do not stop), else the user running the tests.
fn as_unprivileged() -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let bin = env!("CARGO_BIN_EXE_motcua");
    if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        Command::new(bin)
    }
}

/// A store file the user may read but not write (mode 444; as root, whom modes do not stop,
/// the command runs as `nobody` through `setpriv`).
#[test]
fn a_read_only_store_exits_5_and_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let f = Files::new();
    let store = f.store();
    let before = f.export();
    f.write("more.jsonl", &received("H-3"));
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o444))
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = f.dir.display().to_string();
    let more = format!("{dir}/more.jsonl");
    let args = ["import", more.as_str(), "--store", store.as_str()];
    command_fails(
        &f,
        as_unprivileged().args(args),
        5,
        "motcua: {DIR}/store.db: the store cannot be used: attempt to write a readonly database",
    );
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o644))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(f.export(), before);
}

/// A store on read-only media: the file mode 444 in a directory of mode 555, read by a user
/// who may not write them. Reading commands work (`report` reports what the store reports) and
/// nothing is written next to the file.
#[test]
fn a_store_on_read_only_media_reports_and_nothing_is_written() {
    use std::os::unix::fs::PermissionsExt;
    let f = Files::new();
    let store = f.store();
    let report = |command: &mut Command, store: &str| {
        let o = command
            .args(["report", "--format", "json", "--store", store, "--as-of"])
            .arg("2024-12-31T17:00:00+07:00")
            .output()
            .unwrap_or_else(|e| panic!("cannot run motcua: {e}"));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut value: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
        if let Some(map) = value.as_object_mut() {
            map.remove("source");
        }
        value
    };
    let expected = report(&mut Command::new(env!("CARGO_BIN_EXE_motcua")), &store);
    let media = f.dir.join("media");
    std::fs::create_dir(&media).unwrap_or_else(|e| panic!("{e}"));
    let copy = media.join("store.db");
    std::fs::copy(&store, &copy).unwrap_or_else(|e| panic!("{e}"));
    let bytes = std::fs::read(&copy).unwrap_or_else(|e| panic!("{e}"));
    let mode = |path: &Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("{e}"));
    };
    mode(&copy, 0o444);
    mode(&media, 0o555);
    let copy_arg = copy.display().to_string();
    let read = report(&mut as_unprivileged(), &copy_arg);
    let exported = as_unprivileged()
        .args(["export", "--store", &copy_arg])
        .output()
        .unwrap_or_else(|e| panic!("cannot run motcua: {e}"));
    let listing: Vec<_> = std::fs::read_dir(&media)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    mode(&media, 0o755);
    mode(&copy, 0o644);
    assert_eq!(read, expected);
    assert!(exported.status.success() && exported.stdout == f.export());
    assert_eq!(listing, ["store.db"], "files written next to the store");
    assert!(
        std::fs::read(&copy).unwrap_or_default() == bytes,
        "the store changed"
    );
}

/// A catalogue whose unit name, procedure name and field would run in a spreadsheet and drive
/// a terminal (a hyperlink formula, OSC "set title", "clear screen", a C1 CSI), and events whose
/// dossier ids begin with `-` and `@` and hold ESC, and whose free text holds ESC and CR.
const INJECTION_CATALOGUE: &str = r#"{"format":"motcua-catalogue","version":1,"units":[{"id":"XA01","name":"=HYPERLINK(\"http://x\",\"y\")\u001b]0;pwned\u0007","level":"commune"}],"procedures":[{"code":"1.001193","name":"+cmd\u001b[2J\u009b1m","field":"@SUM(1)","level":"commune","time_limit":{"working_days":3}}]}"#;

const INJECTION_EVENTS: &str = concat!(
    r#"{"v":1,"event_id":"00000000-0000-4000-8000-000000000001","dossier_id":"-H\u001b[31m-1","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-06-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"online"}"#,
    "\n",
    r#"{"v":1,"event_id":"00000000-0000-4000-8000-000000000002","dossier_id":"@H-2","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"online"}"#,
    "\n",
    r#"{"v":1,"event_id":"00000000-0000-4000-8000-000000000003","dossier_id":"@H-2","sequence":2,"occurred_at":"2024-03-05T09:00:00+07:00","recorded_at":"2024-06-05T09:00:00+07:00","type":"supplement_requested","reason":"\u001b[2Jwipe\r\n  3  a made-up event"}"#,
    "\n",
);

/// A directory with the injection catalogue and events.
fn injection_files() -> PathBuf {
    let dir = scratch();
    std::fs::write(dir.join("catalogue.json"), INJECTION_CATALOGUE)
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("events.jsonl"), INJECTION_EVENTS).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// Runs `args` followed by the injection data options, expecting success; standard output.
fn judged(dir: &Path, args: &[&str]) -> String {
    let o = judged_status(dir, args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn judged_status(dir: &Path, args: &[&str]) -> Output {
    let events = dir.join("events.jsonl").display().to_string();
    let catalogue = dir.join("catalogue.json").display().to_string();
    let mut all: Vec<&str> = args.to_vec();
    all.extend([
        "--events",
        &events,
        "--catalog",
        &catalogue,
        "--as-of",
        "2024-12-31T17:00:00+07:00",
    ]);
    motcua(&all)
}

/// The control characters in `text` other than line feeds.
fn control_chars(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect()
}

#[test]
fn csv_cells_that_would_run_as_formulas_are_quoted_text() {
    let dir = injection_files();
    let units = judged(&dir, &["report", "--format", "csv", "--section", "units"]);
    assert!(
        units.contains(
            "\ncommune,XA01,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\u{1b}]0;pwned\u{7}\",2,"
        ),
        "{units}"
    );
    let procedures = judged(
        &dir,
        &["report", "--format", "csv", "--section", "procedures"],
    );
    assert!(
        procedures.contains("\n1.001193,\"'+cmd\u{1b}[2J\u{9b}1m\",\"'@SUM(1)\",2,"),
        "{procedures}"
    );
    let overdue = judged(&dir, &["report", "--format", "csv", "--section", "overdue"]);
    assert!(
        overdue.contains("\n\"'-H\u{1b}[31m-1\",1.001193,XA01,2024-03-04T09:00:00+07:00,"),
        "{overdue}"
    );
    // No cell of any section begins with a formula character unquoted.
    for section in [
        "units",
        "levels",
        "procedures",
        "trend",
        "overdue",
        "status",
    ] {
        let csv = judged(&dir, &["report", "--format", "csv", "--section", section]);
        for line in csv.lines() {
            for cell in line.split(',') {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{section}: {line}"
                );
            }
        }
    }
}

#[test]
fn the_table_shows_control_characters_escaped() {
    let dir = injection_files();
    let table = judged(&dir, &["report"]);
    assert_eq!(control_chars(&table), Vec::<char>::new(), "{table}");
    assert!(table.contains("  -H\\u{1b}[31m-1 "), "{table}");
    assert!(
        table.contains(" 1.001193 +cmd\\u{1b}[2J\\u{9b}1m"),
        "{table}"
    );
    assert!(
        table.contains("=HYPERLINK(\"http://x\",\"y\")\\u{1b}]"),
        "{table}"
    );
}

#[test]
fn explain_shows_control_characters_escaped() {
    let dir = injection_files();
    let text = judged(&dir, &["explain", "@H-2"]);
    assert_eq!(control_chars(&text), Vec::<char>::new(), "{text}");
    assert!(
        text.contains("\n  procedure     1.001193 +cmd\\u{1b}[2J\\u{9b}1m\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "\n  unit          XA01 =HYPERLINK(\"http://x\",\"y\")\\u{1b}]0;pwned\\u{7}\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("supplement requested: \\u{1b}[2Jwipe\\u{d}\\u{a}  3  a made-up event\n"),
        "{text}"
    );
    // JSON stays JSON: its own escapes, unchanged.
    let json = judged(&dir, &["explain", "@H-2", "--format", "json"]);
    assert!(
        json.contains(r#""reason": "\u001b[2Jwipe\r\n  3  a made-up event""#),
        "{json}"
    );
}

#[test]
fn changes_show_control_characters_escaped() {
    let dir = injection_files();
    let o = judged(
        &dir,
        &["changes", "--published-at", "2024-04-01T00:00:00+07:00"],
    );
    assert_eq!(control_chars(&o), Vec::<char>::new(), "{o}");
    assert!(o.contains("\n  -H\\u{1b}[31m-1: not known → "), "{o}");
    assert!(o.contains("\n  @H-2: "), "{o}");
}

#[test]
fn error_messages_and_hints_show_control_characters_escaped() {
    let dir = injection_files();
    // The id asked for comes from the command line; the hint's ids come from the data.
    let o = judged_status(&dir, &["explain", "X\u{1b}]0;t\u{7}"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err,
        "motcua: dossier X\\u{1b}]0;t\\u{7} is not in the data (2 dossiers; ids look like -H\\u{1b}[31m-1, @H-2)\n"
    );
    // A bad line names its dossier.
    std::fs::write(
        dir.join("events.jsonl"),
        INJECTION_EVENTS.replace("\"channel\":\"online\"}\n{", "\"channel\":\"fax\"}\n{"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = judged_status(&dir, &["report"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("dossier -H\\u{1b}[31m-1"), "{err}");
    assert_eq!(control_chars(&err), Vec::<char>::new(), "{err}");
}
