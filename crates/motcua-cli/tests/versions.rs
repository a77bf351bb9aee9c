//! Rule versions end to end: the catalogue of docs/catalogue-format.md with two versions of one
//! procedure (Decree 61/2018 as amended by 107/2021 until 30 June 2025, Decree 118/2025 from
//! 1 July), a dossier received on each side of the change, and `explain` naming the procedure
//! version and the calendar version that judged each — from files and from a store.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// The example catalogue shipped with the documentation.
fn catalogue() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples/catalogue-2025-versions.json")
        .display()
        .to_string()
}

/// A fresh directory holding the two dossiers' events.
fn scratch() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "versions-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("events.jsonl"), EVENTS).unwrap_or_else(|e| panic!("{e}"));
    dir
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
            format!("  version    in force {}\n", e.in_force),
            "  calendar   vn-public-sector@".to_owned(),
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
    let dir = scratch();
    let events = dir.join("events.jsonl").display().to_string();
    explains_both(&["--events", &events, "--catalog", &catalogue()]);
}

#[test]
fn a_store_given_the_new_catalogue_on_1_july_keeps_the_old_dossiers_due() {
    let dir = scratch();
    let path = |name: &str| dir.join(name).display().to_string();
    // Before the change the host's catalogue has one version, in force on every day.
    let text = std::fs::read_to_string(catalogue()).unwrap_or_else(|e| panic!("{e}"));
    let mut old: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
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
    for part in ["  version    in force always\n", EXPECTED[0].due_text] {
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
    let dir = scratch();
    let text = std::fs::read_to_string(catalogue()).unwrap_or_else(|e| panic!("{e}"));
    let overlapping = text.replace(
        "\"effective_from\": \"2025-07-01\"",
        "\"effective_from\": \"2025-06-30\"",
    );
    assert_ne!(overlapping, text, "the example's effective_from moved");
    let bad = dir.join("overlapping.json");
    std::fs::write(&bad, overlapping).unwrap_or_else(|e| panic!("{e}"));
    let events = dir.join("events.jsonl").display().to_string();
    let bad = bad.display().to_string();
    let o = motcua(&["explain", JUNE, "--events", &events, "--catalog", &bad]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("procedure 2.000636 is defined twice for the same dates"),
        "{}",
        stderr(&o)
    );
}
