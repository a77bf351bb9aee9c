//! `motcua form` and `motcua portal-records` end to end on a generated store: every form a
//! dossier's life produces, the typed refusal of a form that does not apply, the tracking log
//! of a unit, and a sync job following the log from a position.

mod common;

use common::{motcua, text};

use std::path::{Path, PathBuf};

const AS_OF: &str = "2024-12-31T17:00:00+07:00";

/// A generated store of `dossiers` dossiers in a fresh directory.
fn store(name: &str, dossiers: &str) -> (PathBuf, String) {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("forms-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("s.db");
    let path_text = path.display().to_string();
    let o = motcua(&[
        "gen",
        "--dossiers",
        dossiers,
        "--seed",
        "3",
        "--year",
        "2024",
        "--store",
        &path_text,
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    (dir, path_text)
}

/// The events of the store as JSON values, in commit order.
fn events(store: &str) -> Vec<serde_json::Value> {
    let o = motcua(&["export", "--store", store]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The first dossier with an event of type `kind`.
fn dossier_with(events: &[serde_json::Value], kind: &str) -> String {
    events
        .iter()
        .find(|e| e["type"] == kind)
        .and_then(|e| e["dossier_id"].as_str())
        .unwrap_or_else(|| panic!("no {kind} event in the sample"))
        .to_owned()
}

#[test]
fn every_form_of_a_dossiers_life_prints_and_a_form_that_does_not_apply_exits_3() {
    let (dir, store) = store("life", "800");
    let events = events(&store);
    let apologised = dossier_with(&events, "apology_issued");
    let refused = dossier_with(&events, "refused_at_reception");
    for (kind, key) in [
        ("01", "receipt"),
        ("supplement-request", "supplement-request"),
        ("apology", "apology"),
        ("5", "control-sheet"),
    ] {
        let o = motcua(&[
            "form",
            kind,
            &apologised,
            "--store",
            &store,
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ]);
        // The apologised dossier may never have been asked to supplement.
        if key == "supplement-request" && o.status.code() == Some(3) {
            assert!(
                text(&o.stderr).contains("does not apply"),
                "{}",
                text(&o.stderr)
            );
            continue;
        }
        assert!(o.status.success(), "{kind}: {}", text(&o.stderr));
        let v: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(
            (v["form"].as_str(), v["version"].as_u64()),
            (Some(key), Some(1))
        );
        assert_eq!(v["heading"]["dossier"].as_str(), Some(apologised.as_str()));
    }
    // The generator records who did what: every step run on a control sheet names the officer
    // who took it over.
    let stepped = dossier_with(&events, "step_started");
    let o = motcua(&[
        "form", "05", &stepped, "--store", &store, "--as-of", AS_OF, "--format", "json",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    let steps = v["steps"].as_array().map_or(&[][..], Vec::as_slice);
    assert!(!steps.is_empty());
    assert!(steps.iter().all(|s| s["started_by"].is_string()), "{v}");
    let page = dir.join("refusal.html");
    let page_text = page.display().to_string();
    let o = motcua(&[
        "form", "refusal", &refused, "--store", &store, "--as-of", AS_OF, "--out", &page_text,
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let html = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{e}"));
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Mẫu số 03"));
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));

    let o = motcua(&[
        "form", "receipt", &refused, "--store", &store, "--as-of", AS_OF,
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o.stderr).contains("form 01 (receipt) does not apply to dossier"),
        "{}",
        text(&o.stderr)
    );
    assert!(o.stdout.is_empty());
    let o = motcua(&[
        "form", "receipt", "NO-SUCH", "--store", &store, "--as-of", AS_OF,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = motcua(&["form", "07", &refused, "--store", &store]);
    assert_eq!(o.status.code(), Some(2));
    let o = motcua(&[
        "form", "receipt", &refused, "--store", &store, "--unit", "X",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_tracking_log_lists_the_units_dossiers_of_the_period() {
    let (_dir, store) = store("log", "600");
    let events = events(&store);
    let received = events
        .iter()
        .find(|e| e["type"] == "received")
        .unwrap_or_else(|| panic!("no reception"));
    let unit = received["unit"].as_str().unwrap_or_default();
    let day = &received["occurred_at"].as_str().unwrap_or_default()[..10];
    let o = motcua(&[
        "form", "06", "--store", &store, "--as-of", AS_OF, "--unit", unit, "--from", day,
        "--until", day, "--format", "json",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let log: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    let want = events
        .iter()
        .filter(|e| {
            e["type"] == "received"
                && e["unit"] == unit
                && e["occurred_at"]
                    .as_str()
                    .is_some_and(|t| t.starts_with(day))
        })
        .count();
    let rows = log["rows"].as_array().map_or(0, Vec::len);
    assert_eq!(rows, want);
    assert!(rows > 0);
    let o = motcua(&["form", "tracking-log", "--store", &store, "--unit", unit]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));

    // The same log from the events as JSON Lines and a catalogue file.
    let dir = Path::new(&store)
        .parent()
        .unwrap_or_else(|| panic!("no directory"));
    let (events_file, catalogue_file) = (dir.join("events.jsonl"), dir.join("catalogue.json"));
    let o = motcua(&[
        "export",
        "--store",
        &store,
        "--out",
        &events_file.display().to_string(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = motcua(&[
        "gen",
        "--dossiers",
        "1",
        "--seed",
        "3",
        "--year",
        "2024",
        "--out",
        &dir.join("gen").display().to_string(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    std::fs::copy(dir.join("gen/catalogue.json"), &catalogue_file)
        .unwrap_or_else(|e| panic!("{e}"));
    let o = motcua(&[
        "form",
        "06",
        "--events",
        &events_file.display().to_string(),
        "--catalog",
        &catalogue_file.display().to_string(),
        "--as-of",
        AS_OF,
        "--unit",
        unit,
        "--from",
        day,
        "--until",
        day,
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let from_file: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_file, log);
}

#[test]
fn portal_records_follow_the_log_from_a_position() {
    let (_dir, store) = store("portal", "500");
    let events = events(&store);
    let lines = |since: &str| -> Vec<serde_json::Value> {
        let o = motcua(&[
            "portal-records",
            "--store",
            &store,
            "--as-of",
            AS_OF,
            "--since",
            since,
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        text(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    };
    let all = lines("0");
    let mut dossiers: Vec<&str> = events
        .iter()
        .filter_map(|e| e["dossier_id"].as_str())
        .collect();
    dossiers.sort_unstable();
    dossiers.dedup();
    assert_eq!(all.len(), dossiers.len());
    let end = events.len() as u64;
    assert!(all.iter().all(|l| l["position"].as_u64() == Some(end)));
    // From a position, exactly the dossiers with an event after it, with the same records.
    let since = end - 200;
    let tail: Vec<&str> = {
        let mut t: Vec<&str> = events[usize::try_from(since).unwrap_or(0)..]
            .iter()
            .filter_map(|e| e["dossier_id"].as_str())
            .collect();
        t.sort_unstable();
        t.dedup();
        t
    };
    let changed = lines(&since.to_string());
    let got: Vec<&str> = changed
        .iter()
        .filter_map(|l| l["record"]["dossier"].as_str())
        .collect();
    assert_eq!(got, tail);
    for line in &changed {
        let same = all
            .iter()
            .find(|l| l["record"]["dossier"] == line["record"]["dossier"])
            .unwrap_or_else(|| panic!("missing"));
        assert_eq!(same["record"], line["record"]);
    }
    let status = changed[0]["record"]["status"].as_u64().unwrap_or(0);
    assert!((1..=10).contains(&status));
    assert!(lines(&end.to_string()).is_empty());
    let o = motcua(&[
        "portal-records",
        "--store",
        &store,
        "--since",
        &(end + 1).to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}
