//! `--lang vi` in every command that prints for people: Vietnamese labels and weekdays
//! (Thứ Hai … Chủ Nhật), never an English weekday; every `--help` speaks of its own command.

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

/// Standard output of a command that must succeed.
fn ok(args: &[&str]) -> String {
    let o = motcua(args);
    assert!(
        o.status.success(),
        "motcua {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
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
        alarms.starts_with("Cảnh báo từ Thứ Ba 2024-12-31 17:00 đến Thứ Năm 2025-01-02 17:00 ("),
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
        text.contains("2.2 thời gian giải quyết trung bình") && text.contains(" phút làm việc / "),
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
