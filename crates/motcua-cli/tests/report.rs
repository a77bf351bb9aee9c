//! `motcua report` outputs: the self-contained HTML page (well-formed, no script, no network,
//! every unit and every overdue dossier, byte-identical), labels in both languages in every
//! format, target files and the online-denominator setting.

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

fn ok(args: &[&str]) -> String {
    let o = motcua(args);
    assert!(
        o.status.success(),
        "motcua {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn scratch() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "report-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// Elements HTML allows without a closing tag.
const VOID: [&str; 6] = ["meta", "br", "hr", "img", "input", "link"];

/// Checks that every element opened is closed in order (void and self-closed elements
/// excepted); returns the elements seen.
fn check_balanced(html: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest
            .find('>')
            .unwrap_or_else(|| panic!("unterminated tag near {:?}", &rest[..rest.len().min(40)]));
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name, "</{name}> closes <{open}>");
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(!name.is_empty(), "odd tag <{tag}>");
        seen.push(name.clone());
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    seen
}

fn sample_json() -> serde_json::Value {
    serde_json::from_str(&ok(&["report", "--format", "json"])).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn html_is_self_contained_well_formed_complete_and_deterministic() {
    let dir = scratch();
    let a = dir.join("a.html");
    let b = dir.join("b.html");
    for path in [&a, &b] {
        let p = path.display().to_string();
        let printed = ok(&["report", "--format", "html", "--out", &p]);
        assert!(printed.is_empty(), "--out writes nothing to stdout");
    }
    let html = std::fs::read_to_string(&a).unwrap_or_else(|e| panic!("{e}"));
    let again = std::fs::read(&b).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        html.as_bytes(),
        again.as_slice(),
        "byte-identical for the same input"
    );
    assert!(html.starts_with("<!DOCTYPE html>"));
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "no script");
    assert!(
        !lower.contains("http://") && !lower.contains("https://"),
        "no network reference"
    );
    assert!(
        !lower.contains("src=") && !lower.contains("href="),
        "nothing loaded from elsewhere"
    );
    let seen = check_balanced(&html);
    for element in ["svg", "rect", "line", "polyline", "table", "h2"] {
        assert!(seen.iter().any(|s| s == element), "no <{element}>");
    }

    // Every unit of the catalogue, and every overdue dossier, by the JSON report's account.
    let json = sample_json();
    let levels = json["scorecard"]["levels"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut units = 0;
    for level in &levels {
        for unit in level["units"].as_array().cloned().unwrap_or_default() {
            let name = unit["name"].as_str().unwrap_or_default();
            let id = unit["unit"].as_str().unwrap_or_default();
            assert!(html.contains(&format!(">{id}<")), "unit {id} missing");
            assert!(html.contains(name), "unit name {name} missing");
            units += 1;
        }
    }
    assert!(units > 30, "the sample has every level's units");
    let overdue = json["report"]["overdue"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!overdue.is_empty());
    for entry in &overdue {
        let id = entry["dossier_id"].as_str().unwrap_or_default();
        assert!(
            html.contains(&format!(">{id}<")),
            "overdue dossier {id} missing"
        );
    }
    for section in [
        "Figures by level",
        "Indicators (Decision 766)",
        "Level: commune",
        "Monthly trend",
        "Where dossiers are late",
        "Overdue dossiers",
    ] {
        assert!(html.contains(section), "section {section} missing");
    }
}

#[test]
fn labels_follow_lang_in_every_format() {
    let vi = ok(&["report", "--lang", "vi"]);
    assert!(
        vi.contains("HỒ SƠ THEO TRẠNG THÁI") && vi.contains("HỒ SƠ QUÁ HẠN"),
        "{vi}"
    );
    assert!(vi.contains("ĐẠT"));
    let en = ok(&["report"]);
    assert!(en.contains("DOSSIERS BY STATUS"));
    // Names come from the catalogue in both.
    assert!(vi.contains("Sở Tư pháp tỉnh Đồng Nai") && en.contains("Sở Tư pháp tỉnh Đồng Nai"));

    let csv = ok(&["report", "--format", "csv", "--lang", "vi"]);
    let header = csv.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("cấp,mã đơn vị,tên,tiếp nhận,"),
        "{header}"
    );
    let csv_en = ok(&["report", "--format", "csv"]);
    assert!(csv_en.starts_with("level,unit,name,received,"));

    let html = ok(&["report", "--format", "html", "--lang", "vi"]);
    assert!(html.contains("<html lang=\"vi\">") && html.contains("Hồ sơ đang quá hạn"));

    let json: serde_json::Value =
        serde_json::from_str(&ok(&["report", "--format", "json", "--lang", "vi"]))
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["lang"], "vi");
    assert_eq!(
        json["labels"]["indicators"]["on_time"],
        "2.1 tỷ lệ đúng hạn"
    );
    assert_eq!(json["labels"]["levels"]["commune"], "xã");
    // Both satisfaction figures named for what they are, each with its glossary line.
    assert_eq!(
        json["labels"]["indicators"]["satisfaction_766"],
        "5.4 mức độ hài lòng (không trễ hạn, không phản ánh)"
    );
    assert_eq!(
        json["labels"]["indicators"]["satisfaction"],
        "tỷ lệ đánh giá hài lòng (theo phiếu đánh giá)"
    );
    let glossary = &json["labels"]["glossary"];
    assert!(glossary["satisfaction_766"]
        .as_str()
        .is_some_and(|g| g.starts_with("5.4 mức độ hài lòng: công thức của Quyết định 766")));
    assert!(glossary["average_handling_time"]
        .as_str()
        .is_some_and(|g| g.starts_with("2.2 ")));
}

#[test]
fn csv_sections_agree_with_json() {
    let json = sample_json();
    let province = &json["report"]["province"];
    let levels = ok(&["report", "--format", "csv", "--section", "levels"]);
    let last = levels.lines().last().unwrap_or_default();
    let fields: Vec<&str> = last.split(',').collect();
    assert_eq!(fields[0], "province");
    assert_eq!(
        Some(fields[1].parse::<u64>().unwrap_or(0)),
        province["received"].as_u64()
    );
    let trend = ok(&["report", "--format", "csv", "--section", "trend"]);
    let received: u64 = trend
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .nth(1)
                .unwrap_or("0")
                .parse::<u64>()
                .unwrap_or(0)
        })
        .sum();
    assert_eq!(Some(received), province["received"].as_u64());
    assert_eq!(trend.lines().count(), 13, "a header and twelve months");
    let procedures = ok(&["report", "--format", "csv", "--section", "procedures"]);
    assert!(procedures.lines().count() > 10);
}

#[test]
fn targets_from_a_file_and_the_online_denominator() {
    let dir = scratch();
    let file = dir.join("targets.json");
    std::fs::write(
        &file,
        r#"{"name": "test-plan", "online_denominator": "excluding_postal",
            "targets": {"online": {"all": 1}, "on_time": {"by_level": {"commune": 10000}}}}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let path = file.display().to_string();
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["report", "--format", "json", "--targets", &path]))
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["targets"]["name"], "test-plan");
    assert_eq!(json["scorecard"]["online_denominator"], "excluding_postal");
    let over = ok(&[
        "report",
        "--format",
        "json",
        "--targets",
        &path,
        "--online-denominator",
        "offered-online",
    ]);
    let over: serde_json::Value = serde_json::from_str(&over).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(over["scorecard"]["online_denominator"], "offered_online");
    for preset in ["dong-nai-2026", "thanh-hoa-2025", "qd766"] {
        let table = ok(&["report", "--targets", preset]);
        assert!(table.contains(&format!("SCORECARD against {preset}")));
    }
    // A bad file: bad input (exit 3) naming the file and the problem.
    std::fs::write(
        &file,
        r#"{"name": "x", "targets": {"online": {"all": 20000}}}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = motcua(&["report", "--targets", &path]);
    assert_eq!(o.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(&path) && stderr.contains("above 10000"),
        "{stderr}"
    );
}

/// CSV for Excel: `--bom` puts a UTF-8 byte-order mark before the very same CSV; `--section`
/// and `--bom` are refused (exit 2, saying why) with the formats where they mean nothing.
#[test]
fn csv_options_mark_utf8_for_excel_and_are_refused_elsewhere() {
    let plain = motcua(&["report", "--format", "csv", "--section", "status"]);
    assert!(plain.status.success());
    assert!(!plain.stdout.starts_with(b"\xEF\xBB\xBF"));
    let marked = motcua(&["report", "--format", "csv", "--section", "status", "--bom"]);
    assert!(marked.status.success());
    assert_eq!(marked.stdout[..3], *b"\xEF\xBB\xBF");
    assert_eq!(marked.stdout[3..], plain.stdout[..]);
    for format in ["table", "json", "html"] {
        for (option, value) in [("--section", Some("overdue")), ("--bom", None)] {
            let mut args = vec!["report", "--format", format, option];
            args.extend(value);
            let o = motcua(&args);
            let said = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {said}");
            assert!(
                said.contains(option)
                    && said.contains(&format!("no meaning with --format {format}")),
                "{args:?}: {said}"
            );
            assert!(o.stdout.is_empty(), "{args:?}");
        }
    }
}

/// `--officers` adds the section by officer (dossiers handled, steps finished, late steps for
/// each officer the sample's events name) to every format and changes nothing else; CSV's
/// `--section officers` has one row per officer, as JSON counts them.
#[test]
fn officers_add_their_section_to_every_format() {
    let plain = sample_json();
    let with: serde_json::Value =
        serde_json::from_str(&ok(&["report", "--format", "json", "--officers"]))
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(plain["report"].get("officers").is_none());
    let officers = with["report"]["officers"]
        .as_object()
        .unwrap_or_else(|| panic!("no officers section: {with}"));
    assert!(officers.len() > 20, "{}", officers.len());
    let count = |c: &serde_json::Value, key: &str| -> u64 {
        c[key].as_u64().unwrap_or_else(|| panic!("{key} in {c}"))
    };
    let sum = |key: &str| -> u64 { officers.values().map(|c| count(c, key)).sum() };
    assert!(sum("dossiers") > 0 && sum("steps_finished") > 0 && sum("late_steps") > 0);
    let late_steps_by_unit: u64 = with["report"]["late_steps_by_unit"]
        .as_object()
        .map_or(0, |m| {
            m.values().filter_map(serde_json::Value::as_u64).sum()
        });
    assert!(sum("late_steps") <= late_steps_by_unit);
    let mut rest = with.clone();
    rest["report"].as_object_mut().map(|r| r.remove("officers"));
    assert_eq!(rest, plain);

    let csv = ok(&["report", "--format", "csv", "--section", "officers"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("officer,dossiers,steps_finished,late_steps")
    );
    let rows: Vec<String> = officers
        .iter()
        .map(|(o, c)| {
            format!(
                "{o},{},{},{}",
                count(c, "dossiers"),
                count(c, "steps_finished"),
                count(c, "late_steps")
            )
        })
        .collect();
    assert_eq!(lines.map(str::to_owned).collect::<Vec<_>>(), rows);

    let (first, counts) = officers
        .iter()
        .max_by_key(|(o, c)| {
            (
                count(c, "late_steps"),
                count(c, "steps_finished"),
                std::cmp::Reverse(o.to_string()),
            )
        })
        .unwrap_or_else(|| panic!("no officer"));
    let table = ok(&["report", "--officers"]);
    let section = table
        .split_once("BY OFFICER")
        .unwrap_or_else(|| panic!("no section in the table"))
        .1;
    let top = section.lines().nth(2).unwrap_or_default();
    assert!(top.trim_start().starts_with(first.as_str()), "{top}");
    assert!(
        top.trim_end()
            .ends_with(&count(counts, "late_steps").to_string()),
        "{top}"
    );
    assert!(!ok(&["report"]).contains("BY OFFICER"));
    let html = ok(&["report", "--format", "html", "--officers", "--lang", "vi"]);
    assert!(html.contains("<h2>Theo cán bộ xử lý</h2>"));
    assert!(html.contains(&format!("<td class=\"l\">{first}</td>")));
    assert!(!ok(&["report", "--format", "html"]).contains("By officer"));
}

/// What happened at the as-of instant itself has happened: a dossier finished at that very
/// instant is handled in the period (not open), one received then is received, as `dossiers`
/// lists them at the same instant.
#[test]
fn events_at_the_as_of_instant_are_in_the_period() {
    let dir = scratch();
    let catalogue = dir.join("catalogue.json");
    std::fs::write(
        &catalogue,
        r#"{"format":"motcua-catalogue","version":1,"units":[{"id":"H1","name":"UBND huyện","level":"district"}],"procedures":[{"code":"WD5-R","name":"r","field":"f","level":"district","time_limit":{"working_days":5}}]}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let event = |id: u32, dossier: &str, sequence: u32, at: &str, rest: &str| {
        format!(
            r#"{{"v":2,"event_id":"00000000-0000-0000-0000-{id:012}","dossier_id":"{dossier}","sequence":{sequence},"occurred_at":"{at}","recorded_at":"{at}",{rest}}}"#
        )
    };
    let received = r#""type":"received","procedure":"WD5-R","unit":"H1","channel":"in_person""#;
    let lines = [
        event(1, "FIN-AT-ASOF", 1, "2024-03-04T09:00:00+07:00", received),
        event(
            2,
            "FIN-AT-ASOF",
            2,
            "2024-03-08T17:00:00+07:00",
            r#""type":"result_ready","electronic":true"#,
        ),
        event(3, "REC-AT-ASOF", 1, "2024-03-08T17:00:00+07:00", received),
    ];
    let events = dir.join("events.jsonl");
    std::fs::write(&events, lines.join("\n") + "\n").unwrap_or_else(|e| panic!("{e}"));
    let (events, catalogue) = (
        events.to_string_lossy().into_owned(),
        catalogue.to_string_lossy().into_owned(),
    );
    let as_of = "2024-03-08T17:00:00+07:00";
    let json = ok(&[
        "report",
        "--events",
        &events,
        "--catalog",
        &catalogue,
        "--as-of",
        as_of,
        "--from",
        "2024-03-01",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let province = &doc["report"]["province"];
    assert_eq!(province["received"], 2, "{province}");
    assert_eq!(province["handled"], 1, "{province}");
    assert_eq!(province["open_within_time"], 1, "{province}");
    // The period is shown as asked, through the as-of instant.
    assert_eq!(doc["period"]["end"], as_of);
    assert_eq!(doc["report"]["period"]["includes_end"], true);
    // `dossiers` at the same instant: one result ready, one received.
    let list = ok(&[
        "dossiers",
        "--events",
        &events,
        "--catalog",
        &catalogue,
        "--as-of",
        as_of,
        "--all",
        "--format",
        "csv",
    ]);
    assert_eq!(
        list.lines()
            .filter(|l| l.starts_with("FIN-AT-ASOF,"))
            .count(),
        1,
        "{list}"
    );
    assert_eq!(
        list.lines()
            .filter(|l| l.starts_with("REC-AT-ASOF,"))
            .count(),
        1,
        "{list}"
    );
}
