//! Names, ids and free text from outside (catalogue, events, the command line) shown safely:
//! CSV cells that a spreadsheet would run as formulas are neutralised (OWASP), and no control
//! character (ESC, BEL, CR, C1…) reaches the terminal from the table, `explain`, `changes` or
//! an error message: each is shown escaped as `\u{1b}`.

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

/// A catalogue whose unit name, procedure name and field would run in a spreadsheet and drive
/// a terminal (a hyperlink formula, OSC "set title", "clear screen", a C1 CSI), and events whose
/// dossier ids begin with `-` and `@` and hold ESC, and whose free text holds ESC and CR.
const CATALOGUE: &str = r#"{"format":"motcua-catalogue","version":1,"units":[{"id":"XA01","name":"=HYPERLINK(\"http://x\",\"y\")\u001b]0;pwned\u0007","level":"commune"}],"procedures":[{"code":"1.001193","name":"+cmd\u001b[2J\u009b1m","field":"@SUM(1)","level":"commune","time_limit":{"working_days":3}}]}"#;

const EVENTS: &str = concat!(
    r#"{"v":1,"event_id":"00000000-0000-4000-8000-000000000001","dossier_id":"-H\u001b[31m-1","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-06-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"online"}"#,
    "\n",
    r#"{"v":1,"event_id":"00000000-0000-4000-8000-000000000002","dossier_id":"@H-2","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"online"}"#,
    "\n",
    r#"{"v":1,"event_id":"00000000-0000-4000-8000-000000000003","dossier_id":"@H-2","sequence":2,"occurred_at":"2024-03-05T09:00:00+07:00","recorded_at":"2024-06-05T09:00:00+07:00","type":"supplement_requested","reason":"\u001b[2Jwipe\r"}"#,
    "\n",
);

/// A directory with the catalogue and the events.
fn files() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "outside-text-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("catalogue.json"), CATALOGUE).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("events.jsonl"), EVENTS).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// Runs `args` followed by the data options, expecting success; standard output.
fn run(dir: &Path, args: &[&str]) -> String {
    let o = run_status(dir, args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn run_status(dir: &Path, args: &[&str]) -> Output {
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
fn controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect()
}

#[test]
fn csv_cells_that_would_run_as_formulas_are_quoted_text() {
    let dir = files();
    let units = run(&dir, &["report", "--format", "csv", "--section", "units"]);
    assert!(
        units.contains(
            "\ncommune,XA01,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\u{1b}]0;pwned\u{7}\",2,"
        ),
        "{units}"
    );
    let procedures = run(
        &dir,
        &["report", "--format", "csv", "--section", "procedures"],
    );
    assert!(
        procedures.contains("\n1.001193,\"'+cmd\u{1b}[2J\u{9b}1m\",\"'@SUM(1)\",2,"),
        "{procedures}"
    );
    let overdue = run(&dir, &["report", "--format", "csv", "--section", "overdue"]);
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
        let csv = run(&dir, &["report", "--format", "csv", "--section", section]);
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
    let dir = files();
    let table = run(&dir, &["report"]);
    assert_eq!(controls(&table), Vec::<char>::new(), "{table}");
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
    let dir = files();
    let text = run(&dir, &["explain", "@H-2"]);
    assert_eq!(controls(&text), Vec::<char>::new(), "{text}");
    assert!(
        text.contains("\n  procedure  1.001193 +cmd\\u{1b}[2J\\u{9b}1m\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  unit       XA01 =HYPERLINK(\"http://x\",\"y\")\\u{1b}]0;pwned\\u{7}\n"),
        "{text}"
    );
    assert!(
        text.contains("supplement requested: \\u{1b}[2Jwipe\\u{d}\n"),
        "{text}"
    );
    // JSON stays JSON: its own escapes, unchanged.
    let json = run(&dir, &["explain", "@H-2", "--format", "json"]);
    assert!(json.contains(r#""reason": "\u001b[2Jwipe\r""#), "{json}");
}

#[test]
fn changes_show_control_characters_escaped() {
    let dir = files();
    let o = run(
        &dir,
        &["changes", "--published-at", "2024-04-01T00:00:00+07:00"],
    );
    assert_eq!(controls(&o), Vec::<char>::new(), "{o}");
    assert!(o.contains("\n  -H\\u{1b}[31m-1: not known → "), "{o}");
    assert!(o.contains("\n  @H-2: "), "{o}");
}

#[test]
fn error_messages_and_hints_show_control_characters_escaped() {
    let dir = files();
    // The id asked for comes from the command line; the hint's ids come from the data.
    let o = run_status(&dir, &["explain", "X\u{1b}]0;t\u{7}"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err,
        "motcua: dossier X\\u{1b}]0;t\\u{7} is not in the data (2 dossiers; ids look like -H\\u{1b}[31m-1, @H-2)\n"
    );
    // A bad line names its dossier.
    std::fs::write(
        dir.join("events.jsonl"),
        EVENTS.replace("\"channel\":\"online\"}\n{", "\"channel\":\"fax\"}\n{"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = run_status(&dir, &["report"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("dossier -H\\u{1b}[31m-1"), "{err}");
    assert_eq!(controls(&err), Vec::<char>::new(), "{err}");
}
