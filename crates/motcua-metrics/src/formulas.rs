//! Formula tests: every indicator on small hand-computed datasets, each denominator setting, the
//! zero cases, the trend, the blame of late steps, and levels as of the period.

use motcua_core::{
    Catalogue, Channel, Fee, Level, OnlineService, Procedure, ProcedureCode, TimeClass, TimeLimit,
    Unit, UnitId,
};
use time::macros::date;

use crate::testkit::{at, period_jan, ViewBuilder};
use crate::{
    Counts, Indicator, LevelHistory, OnlineDenominator, Ratio, Report, Scorecard, TargetSet,
    Verdict,
};

fn unit(id: &str, level: Level, parent: Option<&str>) -> Unit {
    Unit {
        id: UnitId::new(id),
        name: format!("Đơn vị {id}"),
        level,
        parent: parent.map(UnitId::new),
    }
}

/// `DOC`: online, document result, fee; `CERT`: online, no document result (a confirmation),
/// no fee; `OFF`: not offered online, document, fee, limit in hours.
fn catalogue() -> Catalogue {
    let proc = |code: &str, field: &str, online, document, fee: u64, limit| Procedure {
        code: ProcedureCode::new(code),
        name: format!("Thủ tục {code}"),
        field: field.into(),
        level: Level::Commune,
        units: vec![],
        time_limit: limit,
        supplement_policy: Default::default(),
        payment_pauses_clock: false,
        supplement_time_limit: None,
        online_service: online,
        result_is_document: document,
        fees: vec![Fee {
            name: "Lệ phí".into(),
            amount_vnd: fee,
        }],
        steps: vec![],
    };
    Catalogue::new(
        vec![
            unit("TINH", Level::Province, None),
            unit("HUYEN", Level::District, Some("TINH")),
            unit("XA1", Level::Commune, Some("HUYEN")),
            unit("XA2", Level::Commune, Some("HUYEN")),
        ],
        vec![
            proc(
                "DOC",
                "Hộ tịch",
                OnlineService::Full,
                true,
                10_000,
                TimeLimit::WorkingDays(3),
            ),
            proc(
                "CERT",
                "Chứng thực",
                OnlineService::Partial,
                false,
                0,
                TimeLimit::WorkingDays(1),
            ),
            proc(
                "OFF",
                "Đất đai",
                OnlineService::None,
                true,
                50_000,
                TimeLimit::WorkingHours(8),
            ),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn report(views: &[motcua_core::DossierView]) -> Report {
    Report::build(&catalogue(), views, period_jan())
}

fn v(id: &str, procedure: &str) -> ViewBuilder {
    ViewBuilder::new(id).unit("XA1").procedure(procedure)
}

#[test]
fn online_rate_under_each_denominator_and_the_e_result_rule() {
    let views = vec![
        // Online, document, e-result: counts.
        v("A", "DOC")
            .online()
            .received(at(1))
            .result(at(2), TimeClass::Early)
            .e_result(true)
            .build(),
        // Online, document, paper result: does not count.
        v("B", "DOC")
            .online()
            .received(at(1))
            .result(at(2), TimeClass::Early)
            .e_result(false)
            .build(),
        // Online, document, still open (no e-result yet): does not count.
        v("C", "DOC")
            .online()
            .received(at(3))
            .open(TimeClass::WithinTime)
            .build(),
        // Online, not a document: counts without an e-result.
        v("D", "CERT")
            .online()
            .received(at(3))
            .result(at(4), TimeClass::OnTime)
            .build(),
        // In person, offered online.
        v("E", "CERT")
            .received(at(3))
            .open(TimeClass::WithinTime)
            .build(),
        // By post, not offered online.
        v("F", "OFF")
            .channel(Channel::Postal)
            .received(at(3))
            .open(TimeClass::WithinTime)
            .build(),
        // In person, not offered online.
        v("G", "OFF")
            .received(at(3))
            .open(TimeClass::WithinTime)
            .build(),
    ];
    let c = report(&views).province().clone();
    assert_eq!((c.received, c.online_received, c.online_counted), (7, 4, 2));
    assert_eq!(
        c.online_rate_with(OnlineDenominator::AllReceived),
        Ratio::new(2, 7)
    );
    assert_eq!(
        c.online_rate_with(OnlineDenominator::OfferedOnline),
        Ratio::new(2, 5)
    );
    assert_eq!(
        c.online_rate_with(OnlineDenominator::ExcludingPostal),
        Ratio::new(2, 6)
    );
    assert_eq!(c.online_channel_rate(), Ratio::new(4, 7));
    assert_eq!(c.online_rate().percent_2dp().as_deref(), Some("28.57"));
    // The setting travels with the targets.
    let mut t = TargetSet::qd766();
    t.online_denominator = OnlineDenominator::OfferedOnline;
    let card = Scorecard::build(&report(&views), &catalogue(), &t);
    let xa = card
        .unit(&UnitId::new("XA1"))
        .and_then(|u| u.indicator(Indicator::Online).cloned());
    assert_eq!(
        xa.map(|s| (s.rate, s.verdict)),
        Some((Ratio::new(2, 5), Verdict::Fail))
    );
    // Zero cases: nothing received, or nothing offered online.
    let none = report(&[]).province().clone();
    for d in OnlineDenominator::ALL {
        assert!(!none.online_rate_with(d).is_applicable());
    }
    let only_off = report(&views[6..]).province().clone();
    assert!(!only_off
        .online_rate_with(OnlineDenominator::OfferedOnline)
        .is_applicable());
    assert_eq!(
        only_off.online_rate_with(OnlineDenominator::AllReceived),
        Ratio::new(0, 1)
    );
}

#[test]
fn on_time_and_average_handling_time() {
    let views = vec![
        v("A", "DOC")
            .received(at(1))
            .result(at(2), TimeClass::Early)
            .used(600)
            .build(),
        v("B", "DOC")
            .received(at(1))
            .result(at(5), TimeClass::OnTime)
            .used(1_440)
            .build(),
        v("C", "DOC")
            .received(at(1))
            .result(at(9), TimeClass::Late)
            .used(2_400)
            .build(),
        v("D", "DOC")
            .received(at(2))
            .open(TimeClass::DueSoon)
            .build(),
        v("E", "DOC")
            .received(at(2))
            .overdue(30)
            .open(TimeClass::Overdue)
            .build(),
        // Withdrawn: not judged.
        v("F", "DOC")
            .received(at(2))
            .ended(motcua_core::Status::Withdrawn, at(3))
            .build(),
    ];
    let c = report(&views).province().clone();
    // 2.1: (early + on time + open in time/due soon) / (handled + open) = 3/5.
    assert_eq!(c.on_time_rate(), Ratio::new(3, 5));
    assert_eq!(c.late_rate(), Ratio::new(2, 6));
    // 2.2: (600 + 1 440 + 2 400) / 3 = 1 480 working minutes = 3.08 working days.
    assert_eq!(c.average_handling_minutes(), Ratio::new(4_440, 3));
    assert_eq!(
        c.average_handling_minutes().quotient_2dp(480).as_deref(),
        Some("3.08")
    );
    assert_eq!(
        c.average_handling_minutes().quotient_2dp(60).as_deref(),
        Some("24.67")
    );
    let empty = Counts::default();
    assert!(!empty.on_time_rate().is_applicable());
    assert_eq!(empty.average_handling_minutes().quotient_2dp(480), None);
}

#[test]
fn payment_e_result_digitised_and_reuse() {
    let views = vec![
        // Fee, paid online, e-result, fully digitised with reuse.
        v("A", "DOC")
            .received(at(1))
            .result(at(2), TimeClass::Early)
            .paid_online(true)
            .e_result(true)
            .digitisation(3, 3, 2)
            .build(),
        // Fee, paid at the desk, paper result: digitised files but no e-result → not digitised.
        v("B", "DOC")
            .received(at(1))
            .result(at(2), TimeClass::Early)
            .paid_online(false)
            .e_result(false)
            .digitisation(3, 3, 0)
            .build(),
        // No fee, not a document: fully digitised without an e-result.
        v("C", "CERT")
            .received(at(1))
            .result(at(2), TimeClass::Early)
            .digitisation(2, 2, 1)
            .build(),
        // Fee, never paid; partly digitised.
        v("D", "OFF")
            .received(at(1))
            .result(at(2), TimeClass::Early)
            .e_result(true)
            .digitisation(4, 3, 0)
            .build(),
        // Open: not in these rates.
        v("E", "DOC")
            .received(at(1))
            .paid_online(true)
            .digitisation(1, 1, 1)
            .open(TimeClass::WithinTime)
            .build(),
    ];
    let c = report(&views).province().clone();
    // 3.6: paid online / handled of fee procedures = 1 / 3 (A, B, D).
    assert_eq!(c.online_payment_rate(), Ratio::new(1, 3));
    // 4.1: e-results / document results = 2 / 3 (A, D of A, B, D).
    assert_eq!(c.e_result_rate(), Ratio::new(2, 3));
    // 4.2: digitised / handled = 2 / 4 (A, C).
    assert_eq!(c.digitised_rate(), Ratio::new(2, 4));
    // 4.3: reused / handled = 2 / 4 (A, C).
    assert_eq!(c.reuse_rate(), Ratio::new(2, 4));
    let card = Scorecard::build(&report(&views), &catalogue(), &TargetSet::qd766());
    let xa = card
        .unit(&UnitId::new("XA1"))
        .cloned()
        .unwrap_or_else(|| panic!("XA1"));
    let verdict = |i| xa.indicator(i).map(|s| s.verdict);
    assert_eq!(verdict(Indicator::Digitised), Some(Verdict::Fail));
    assert_eq!(
        verdict(Indicator::OnlinePayment),
        Some(Verdict::NotApplicable)
    ); // no target
       // Zero cases.
    let only_cert = report(&views[2..3]).province().clone();
    assert!(!only_cert.online_payment_rate().is_applicable());
    assert!(!only_cert.e_result_rate().is_applicable());
    assert_eq!(only_cert.digitised_rate(), Ratio::new(1, 1));
}

#[test]
fn satisfaction_766_and_from_ratings() {
    let views = vec![
        v("A", "DOC")
            .received(at(1))
            .result(at(2), TimeClass::Early)
            .rated(true)
            .build(),
        // Late and disliked: counted in both shares, as the formula adds them.
        v("B", "DOC")
            .received(at(1))
            .result(at(9), TimeClass::Late)
            .rated(false)
            .build(),
        // Feedback filed, satisfied.
        v("C", "DOC")
            .received(at(1))
            .result(at(2), TimeClass::OnTime)
            .rated(true)
            .feedback(1)
            .build(),
        v("D", "DOC")
            .received(at(1))
            .open(TimeClass::WithinTime)
            .build(),
        v("E", "DOC")
            .received(at(1))
            .overdue(10)
            .open(TimeClass::Overdue)
            .build(),
    ];
    let c = report(&views).province().clone();
    // 5.4 = 100 % − late 2/5 − flagged 2/5 = 1/5.
    assert_eq!((c.judged(), c.late(), c.flagged), (5, 2, 2));
    assert_eq!(c.satisfaction_766_rate(), Ratio::new(1, 5));
    assert_eq!(c.satisfaction_rate(), Ratio::new(2, 3));
    // Never below 0 %.
    let all_bad = Counts {
        handled_late: 2,
        flagged: 2,
        ..Counts::default()
    };
    assert_eq!(all_bad.satisfaction_766_rate(), Ratio::new(0, 2));
    assert!(!Counts::default().satisfaction_766_rate().is_applicable());
    assert!(!Counts::default().satisfaction_rate().is_applicable());
}

#[test]
fn provincial_counts_by_field_and_channel() {
    let views = vec![
        v("A", "DOC")
            .online()
            .received(at(1))
            .result(at(2), TimeClass::Early)
            .build(),
        v("B", "CERT")
            .received(at(-3))
            .open(TimeClass::WithinTime)
            .build(),
        v("C", "OFF")
            .channel(Channel::Postal)
            .received(at(1))
            .ended(motcua_core::Status::Stopped, at(2))
            .build(),
        v("D", "OFF")
            .submitted(at(1))
            .ended(motcua_core::Status::Refused, at(2))
            .build(),
    ];
    let r = report(&views);
    let p = r.province();
    assert_eq!((p.received, p.carried_over, p.to_handle()), (2, 1, 3));
    assert_eq!(
        (p.handled_early, p.open_within_time, p.stopped, p.refused),
        (1, 1, 1, 1)
    );
    let fields: Vec<(&str, u64)> = r
        .by_field()
        .iter()
        .map(|(f, c)| (f.as_str(), c.to_handle()))
        .collect();
    assert_eq!(fields, [("Chứng thực", 1), ("Hộ tịch", 1), ("Đất đai", 1)]);
    let channels: Vec<(Channel, u64)> = r
        .by_channel()
        .iter()
        .map(|(ch, c)| (*ch, c.to_handle()))
        .collect();
    assert_eq!(
        channels,
        [
            (Channel::InPerson, 1),
            (Channel::Online, 1),
            (Channel::Postal, 1)
        ]
    );
}

#[test]
fn late_steps_are_blamed_on_the_step_unit() {
    let views = vec![
        v("A", "DOC")
            .received(at(1))
            .step("tham-dinh", "HUYEN", true)
            .step("ky", "XA1", false)
            .result(at(9), TimeClass::Late)
            .build(),
        v("B", "DOC")
            .received(at(1))
            .step("tham-dinh", "HUYEN", true)
            .step("ky", "XA2", true)
            .open(TimeClass::WithinTime)
            .build(),
    ];
    let r = report(&views);
    // Received by XA1, but the late steps were HUYEN's (2) and XA2's (1).
    let blamed: Vec<(&str, u64)> = r
        .late_steps_by_unit()
        .iter()
        .map(|(u, n)| (u.as_str(), *n))
        .collect();
    assert_eq!(blamed, [("HUYEN", 2), ("XA2", 1)]);
    assert_eq!(r.unit(&UnitId::new("XA1")).late_steps, 3);
    let steps: Vec<(&str, &str, u64)> = r
        .late_steps_by_step()
        .iter()
        .map(|(k, n)| (k.procedure.as_str(), k.step.as_str(), *n))
        .collect();
    assert_eq!(steps, [("DOC", "ky", 1), ("DOC", "tham-dinh", 2)]);
}

#[test]
fn monthly_trend() {
    let period = crate::Period::quarter(2024, 1).unwrap_or_else(|e| panic!("{e}"));
    let views = vec![
        v("A", "CERT")
            .online()
            .received(at(1))
            .result(at(40), TimeClass::Late)
            .build(),
        v("B", "CERT")
            .received(at(35))
            .result(at(36), TimeClass::Early)
            .build(),
        v("C", "CERT")
            .received(at(70))
            .open(TimeClass::WithinTime)
            .build(),
    ];
    let r = Report::build(&catalogue(), &views, period);
    let trend: Vec<(String, u64, u64, u64, u64)> = r
        .trend()
        .iter()
        .map(|(m, p)| {
            (
                m.to_string(),
                p.received,
                p.online_counted,
                p.handled,
                p.handled_late,
            )
        })
        .collect();
    assert_eq!(
        trend,
        [
            ("2024-01".to_string(), 1, 1, 0, 0),
            ("2024-02".to_string(), 1, 0, 2, 1),
            ("2024-03".to_string(), 1, 0, 0, 0),
        ]
    );
    assert_eq!(r.trend_by_level().get(&Level::Commune), Some(r.trend()));
}

#[test]
fn levels_are_taken_as_of_the_period() {
    let views = vec![ViewBuilder::new("A")
        .unit("HUYEN")
        .procedure("CERT")
        .received(at(1))
        .open(TimeClass::WithinTime)
        .build()];
    let history = LevelHistory::vietnam();
    let before = Report::build_with_levels(&catalogue(), &views, period_jan(), &history);
    assert_eq!(before.level(Level::District).received, 1);
    assert!(before.unplaced_units().is_empty());
    // The same data judged as if the period started after the district level was abolished.
    let mut moved = LevelHistory::vietnam();
    moved.changes = vec![crate::LevelChange::Abolished {
        level: Level::District,
        from: date!(2023 - 01 - 01),
    }];
    let after = Report::build_with_levels(&catalogue(), &views, period_jan(), &moved);
    assert_eq!(after.level(Level::District).received, 0);
    assert_eq!(after.province().received, 1);
    assert_eq!(
        after
            .unplaced_units()
            .iter()
            .map(UnitId::as_str)
            .collect::<Vec<_>>(),
        ["HUYEN"]
    );
    assert_eq!(after.levels_as_of(), date!(2024 - 01 - 01));
    let card = Scorecard::build_full(
        &after,
        &catalogue(),
        &TargetSet::qd766(),
        crate::Scope::Own,
        &moved,
        &crate::ScoringScheme::qd766(),
    );
    assert!(card.level(Level::District).is_none());
    assert_eq!(card.unplaced, [UnitId::new("HUYEN")]);
}

#[test]
fn scores_and_bands_on_the_scorecard() {
    // XA1: all on time, online with e-results, digitised and reused, paid online: full marks on
    // every applicable indicator. XA2: everything late, nothing online.
    let good = (0..10).map(|i| {
        v(&format!("G{i}"), "DOC")
            .online()
            .received(at(1))
            .result(at(2), TimeClass::Early)
            .e_result(true)
            .paid_online(true)
            .digitisation(2, 2, 1)
            .build()
    });
    let bad = (0..10).map(|i| {
        ViewBuilder::new(&format!("B{i}"))
            .unit("XA2")
            .procedure("DOC")
            .received(at(1))
            .result(at(9), TimeClass::Late)
            .build()
    });
    let views: Vec<_> = good.chain(bad).collect();
    let card = Scorecard::build(&report(&views), &catalogue(), &TargetSet::qd766());
    let xa1 = card
        .unit(&UnitId::new("XA1"))
        .cloned()
        .unwrap_or_else(|| panic!("XA1"));
    assert_eq!(xa1.points.applicable_max, 82);
    assert_eq!(xa1.points.total_e4, 820_000);
    assert_eq!(xa1.points.band, Some(crate::Band::Excellent));
    let xa2 = card
        .unit(&UnitId::new("XA2"))
        .cloned()
        .unwrap_or_else(|| panic!("XA2"));
    assert_eq!(xa2.points.band, Some(crate::Band::Weak));
    let communes = card
        .level(Level::Commune)
        .cloned()
        .unwrap_or_else(|| panic!("communes"));
    let ranking: Vec<&str> = communes.ranking.iter().map(|r| r.unit.as_str()).collect();
    assert_eq!(ranking, ["XA1", "XA2"]);
    // Transparency is never invented.
    assert!(xa1.points.groups[0].points_e4.is_none());
}
