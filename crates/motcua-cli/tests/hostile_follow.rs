//! Hostile starting points for `motcua follow` and filters for `motcua dossiers`, and text that
//! reorders what a terminal shows: each is refused with its exit code (2 usage, 3 bad input,
//! 5 I/O) and one line naming what was wrong, with nothing printed and nothing changed, or
//! shown escaped.
//!
//! - a `--since` past the end of the log, a checkpoint position past it: without the refusal
//!   the follower saves that position and silently skips every event committed later;
//! - a checkpoint `out_length` longer than the `--out` file: "cut back", the file would be
//!   padded with NUL bytes;
//! - alarms printed through an instant outside the calendar: none would ever be printed;
//! - a mistyped `--store`: no store is made there;
//! - an unknown `--unit` or `--procedure`: not an empty list, as if the desk had no dossiers;
//! - bidirectional controls and line separators in an event's reason: escaped on the
//!   terminal, as control characters are.

mod common;

use common::motcua;

use std::path::{Path, PathBuf};
use std::process::Output;

/// A fresh scratch directory ([`common::scratch`]).
fn scratch() -> PathBuf {
    common::scratch("hostile-follow")
}

const CATALOGUE: &str = r#"{"format":"motcua-catalogue","version":1,"units":[{"id":"XA01","name":"UBND xã A","level":"commune"}],"procedures":[{"code":"1.001193","name":"Đăng ký khai sinh","field":"Hộ tịch","level":"commune","time_limit":{"working_days":3}}]}"#;

/// Three events: two dossiers received, one asked for a supplement with a reason holding a
/// right-to-left override (U+202E), an isolate (U+2066 … U+2069) and a line separator (U+2028).
const EVENTS: &str = concat!(
    r#"{"v":1,"event_id":"00000000-0000-4000-8000-000000000001","dossier_id":"H-1","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"online"}"#,
    "\n",
    r#"{"v":1,"event_id":"00000000-0000-4000-8000-000000000002","dossier_id":"H-2","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"online"}"#,
    "\n",
    r#"{"v":1,"event_id":"00000000-0000-4000-8000-000000000003","dossier_id":"H-2","sequence":2,"occurred_at":"2024-03-05T09:00:00+07:00","recorded_at":"2024-03-05T09:00:00+07:00","type":"supplement_requested","reason":"thiếu \u202etxt.exe\u2066x\u2069\u2028  3  a made-up event"}"#,
    "\n",
);

/// A directory with the catalogue, the events and `store.db` holding them (log positions
/// 1 to 3).
fn store() -> PathBuf {
    let dir = scratch();
    std::fs::write(dir.join("catalogue.json"), CATALOGUE).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("events.jsonl"), EVENTS).unwrap_or_else(|e| panic!("{e}"));
    let o = motcua(&[
        "import",
        "--store",
        &path(&dir, "store.db"),
        "--catalog",
        &path(&dir, "catalogue.json"),
        &path(&dir, "events.jsonl"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

/// Runs `args` (`{DIR}` replaced by `dir`) and checks the exit code, the whole standard error
/// (`{DIR}` replaced) and that nothing was printed.
fn fails(dir: &Path, args: &[&str], code: i32, expected: &str) {
    let d = dir.display().to_string();
    let args: Vec<String> = args.iter().map(|a| a.replace("{DIR}", &d)).collect();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = motcua(&refs);
    let err = String::from_utf8_lossy(&o.stderr).replace(&d, "{DIR}");
    assert_eq!(
        (o.status.code(), err.trim_end()),
        (Some(code), expected),
        "{args:?}"
    );
    assert!(
        o.stdout.is_empty(),
        "{args:?} printed {}",
        String::from_utf8_lossy(&o.stdout)
    );
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `follow --once` with a checkpoint and an out file, and `more`; its standard error on failure.
/// `follow --store {DIR}/store.db --once` with `more` arguments after it, `{DIR}` left for
/// [`fails`] to fill in.
fn following(more: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec!["follow", "--store", "{DIR}/store.db", "--once"];
    args.extend_from_slice(more);
    args
}

fn follow_once(dir: &Path, more: &[&str]) -> Output {
    let mut args = vec![
        "follow".to_owned(),
        "--store".to_owned(),
        path(dir, "store.db"),
        "--once".to_owned(),
        "--checkpoint".to_owned(),
        path(dir, "cp.json"),
        "--out".to_owned(),
        path(dir, "out.jsonl"),
    ];
    args.extend(more.iter().map(|a| (*a).to_owned()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    motcua(&refs)
}

/// The checkpoint `dir/cp.json` with `field` set to `value`.
fn edit_checkpoint(dir: &Path, field: &str, value: serde_json::Value) {
    let cp = dir.join("cp.json");
    let mut saved: serde_json::Value =
        serde_json::from_slice(&read(&cp)).unwrap_or_else(|e| panic!("{e}"));
    saved[field] = value;
    std::fs::write(&cp, saved.to_string()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn follow_refuses_to_start_past_the_end_of_the_log() {
    let dir = store();
    fails(
        &dir,
        &following(&["--since", "99999999", "--checkpoint", "{DIR}/cp.json"]),
        3,
        "motcua: {DIR}/store.db: --since 99999999 is past the end of the log (position 3)",
    );
    assert!(!dir.join("cp.json").exists(), "a checkpoint was saved");
    // The last position itself is where a follower of an idle log starts.
    let o = follow_once(&dir, &["--since", "3"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // A checkpoint past the end (a store restored from an older copy, say): refused, as it is.
    edit_checkpoint(&dir, "position", 4.into());
    let (checkpoint, out) = (read(&dir.join("cp.json")), read(&dir.join("out.jsonl")));
    fails(
        &dir,
        &following(&["--checkpoint", "{DIR}/cp.json", "--out", "{DIR}/out.jsonl"]),
        3,
        "motcua: {DIR}/cp.json: the checkpoint's position 4 is past the end of the log of {DIR}/store.db (position 3)",
    );
    assert_eq!(read(&dir.join("cp.json")), checkpoint);
    assert_eq!(read(&dir.join("out.jsonl")), out);
}

#[test]
fn follow_refuses_a_checkpoint_longer_than_its_out_file() {
    let dir = store();
    let o = follow_once(
        &dir,
        &[
            "--since",
            "0",
            "--alarms-since",
            "2024-03-01T00:00:00+07:00",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = read(&dir.join("out.jsonl"));
    assert_eq!(
        String::from_utf8_lossy(&out)
            .lines()
            .filter(|l| l.starts_with(r#"{"type":"event""#))
            .count(),
        3
    );
    edit_checkpoint(&dir, "out_length", 10_000_000.into());
    let checkpoint = read(&dir.join("cp.json"));
    let expected = format!(
        "motcua: {{DIR}}/cp.json: the checkpoint's out_length 10000000 is longer than \
         {{DIR}}/out.jsonl ({} bytes): the file was cut short or replaced since the checkpoint \
         was saved",
        out.len()
    );
    let args = following(&["--checkpoint", "{DIR}/cp.json", "--out", "{DIR}/out.jsonl"]);
    fails(&dir, &args, 3, &expected);
    // Not padded with NUL bytes: the file is as it was, and so is the checkpoint.
    assert_eq!(read(&dir.join("out.jsonl")), out);
    assert_eq!(read(&dir.join("cp.json")), checkpoint);

    // A missing out file is not made up either.
    std::fs::remove_file(dir.join("out.jsonl")).unwrap_or_else(|e| panic!("{e}"));
    fails(
        &dir,
        &args,
        3,
        "motcua: {DIR}/cp.json: the checkpoint's out_length 10000000 is longer than \
         {DIR}/out.jsonl (missing): the file was cut short or replaced since the checkpoint was \
         saved",
    );
    assert!(!dir.join("out.jsonl").exists(), "the out file was created");
}

#[test]
fn follow_refuses_alarm_instants_outside_the_calendar() {
    let dir = store();
    fails(
        &dir,
        &following(&[
            "--alarms-since",
            "2300-01-01T00:00:00+07:00",
            "--checkpoint",
            "{DIR}/cp.json",
        ]),
        3,
        "motcua: --alarms-since 2300-01-01 is outside the calendar (1900-01-01 to 2200-12-31)",
    );
    assert!(!dir.join("cp.json").exists(), "a checkpoint was saved");
    let o = follow_once(&dir, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    edit_checkpoint(&dir, "alarms_through", "9999-01-01T00:00:00+07:00".into());
    let checkpoint = read(&dir.join("cp.json"));
    fails(
        &dir,
        &following(&["--checkpoint", "{DIR}/cp.json"]),
        3,
        "motcua: {DIR}/cp.json: the checkpoint's alarms_through 9999-01-01 is outside the calendar (1900-01-01 to 2200-12-31)",
    );
    assert_eq!(read(&dir.join("cp.json")), checkpoint);
}

#[test]
fn follow_opens_an_existing_store_only() {
    let dir = scratch();
    fails(
        &dir,
        &["follow", "--store", "{DIR}/typo.db", "--once"],
        5,
        "motcua: {DIR}/typo.db: no such store file",
    );
    assert!(!dir.join("typo.db").exists(), "a store was created");
    // An empty file is not made a store either.
    std::fs::write(dir.join("empty.db"), b"").unwrap_or_else(|e| panic!("{e}"));
    fails(
        &dir,
        &["follow", "--store", "{DIR}/empty.db", "--once"],
        3,
        "motcua: {DIR}/empty.db: not a motcua store (an empty file or database: no store was ever made in it)",
    );
    assert_eq!(read(&dir.join("empty.db")), b"");
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|e| {
            e.unwrap_or_else(|e| panic!("{e}"))
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    left.sort();
    assert_eq!(left, ["empty.db"]);
}

#[test]
fn dossiers_refuses_an_unknown_unit_or_procedure() {
    let dir = store();
    let as_of = "--as-of=2024-12-31T17:00:00+07:00";
    for all in [&[][..], &["--all"][..]] {
        let unit = [
            &[
                "dossiers",
                "--store",
                "{DIR}/store.db",
                as_of,
                "--unit",
                "XA0l",
            ],
            all,
        ]
        .concat();
        fails(
            &dir,
            &unit,
            2,
            "motcua: unit XA0l is not in the catalogue (1 units; `motcua report --format csv --section units` lists them)",
        );
        let procedure = [
            &[
                "dossiers",
                "--store",
                "{DIR}/store.db",
                as_of,
                "--procedure",
                "1.0011930",
            ],
            all,
        ]
        .concat();
        fails(
            &dir,
            &procedure,
            2,
            "motcua: procedure 1.0011930 is not in the catalogue (1 procedures; codes look like 1.001193)",
        );
    }
    // Known ones list their dossiers.
    let o = motcua(&[
        "dossiers",
        "--store",
        &path(&dir, "store.db"),
        as_of,
        "--unit",
        "XA01",
        "--procedure",
        "1.001193",
        "--format",
        "jsonl",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2);
}

#[test]
fn explain_shows_bidirectional_controls_and_line_separators_escaped() {
    let dir = store();
    let o = motcua(&[
        "explain",
        "H-2",
        "--store",
        &path(&dir, "store.db"),
        "--as-of=2024-12-31T17:00:00+07:00",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let raw: Vec<char> = text
        .chars()
        .filter(|c| {
            matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
        })
        .collect();
    assert_eq!(raw, Vec::<char>::new(), "{text}");
    assert!(
        text.contains(
            "supplement requested: thiếu \\u{202e}txt.exe\\u{2066}x\\u{2069}\\u{2028}  3  a made-up event\n"
        ),
        "{text}"
    );
}
