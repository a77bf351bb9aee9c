//! Views built by the core engine from real events, reported over consecutive months.

use motcua_core::calendar::Calendar;
use motcua_core::{
    Catalogue, Channel, Context, DossierId, DossierView, Event, EventKind, Level, Procedure,
    ProcedureCode, TimeLimit, Unit, UnitId,
};
use motcua_metrics::{Period, Report, Scorecard, TargetSet, Verdict};
use time::macros::datetime;
use time::{Month, OffsetDateTime};

fn catalogue() -> Catalogue {
    let unit = |id: &str, level, parent: Option<&str>| Unit {
        id: UnitId::new(id),
        name: format!("Unit {id}"),
        level,
        parent: parent.map(UnitId::new),
    };
    let procedure = Procedure {
        code: ProcedureCode::new("1.000001"),
        name: "Test procedure".into(),
        field: "Test".into(),
        level: Level::Commune,
        units: vec![],
        time_limit: TimeLimit::WorkingDays(3),
        supplement_policy: Default::default(),
        payment_pauses_clock: false,
        supplement_time_limit: None,
        online_service: Default::default(),
        result_is_document: true,
        fees: vec![],
        steps: vec![],
    };
    let units = vec![
        unit("HUYEN", Level::District, None),
        unit("XA1", Level::Commune, Some("HUYEN")),
    ];
    Catalogue::new(units, vec![procedure]).unwrap_or_else(|e| panic!("{e}"))
}

fn event(id: &str, sequence: u64, at: OffsetDateTime, kind: EventKind) -> Event {
    Event {
        event_id: Default::default(),
        dossier_id: DossierId::new(id),
        sequence,
        occurred_at: at,
        recorded_at: at,
        kind,
        metadata: Default::default(),
    }
}

fn received(id: &str, at: OffsetDateTime, channel: Channel) -> Event {
    event(
        id,
        1,
        at,
        EventKind::Received {
            procedure: ProcedureCode::new("1.000001"),
            unit: UnitId::new("XA1"),
            channel,
        },
    )
}

fn streams() -> Vec<Vec<Event>> {
    vec![
        // Received Tuesday 2 January, result on 4 January: early (due 5 January).
        vec![
            received("A", datetime!(2024-01-02 09:00 +7), Channel::Online),
            event(
                "A",
                2,
                datetime!(2024-01-04 10:00 +7),
                EventKind::ResultReady { electronic: true },
            ),
            event(
                "A",
                3,
                datetime!(2024-01-04 11:00 +7),
                EventKind::Rated { satisfied: true },
            ),
        ],
        // Received 10 January, never finished: overdue at both month ends.
        vec![received(
            "B",
            datetime!(2024-01-10 09:00 +7),
            Channel::InPerson,
        )],
        // Received 30 January, result 2 February: open at the end of January, handled in February.
        vec![
            received("C", datetime!(2024-01-30 09:00 +7), Channel::InPerson),
            event(
                "C",
                2,
                datetime!(2024-02-02 10:00 +7),
                EventKind::ResultReady { electronic: false },
            ),
        ],
    ]
}

fn report(period: Period) -> Report {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let context = Context::new(&catalogue, &calendar);
    let views: Vec<DossierView> = streams()
        .iter()
        .map(|events| {
            context
                .view_events(events, period.end)
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    Report::build(&catalogue, &views, period)
}

#[test]
fn january_then_february() {
    let jan = report(Period::month(2024, Month::January).unwrap_or_else(|e| panic!("{e}")));
    let p = jan.province();
    assert_eq!((p.received, p.carried_over, p.handled_early), (3, 0, 1));
    assert_eq!((p.open(), p.open_overdue, p.online_received), (2, 1, 1));
    assert_eq!(p.on_time_rate().percent_2dp().as_deref(), Some("66.67"));
    assert_eq!((p.rated, p.satisfied), (1, 1));
    assert_eq!(jan.overdue().len(), 1);
    assert_eq!(jan.overdue()[0].dossier_id.as_str(), "B");
    assert!(jan.overdue()[0].overdue_minutes > 0);
    assert_eq!(jan.unit_with_descendants(&UnitId::new("HUYEN")), p.clone());

    let feb = report(Period::month(2024, Month::February).unwrap_or_else(|e| panic!("{e}")));
    let q = feb.province();
    assert_eq!(q.carried_over, p.open());
    assert_eq!((q.received, q.handled(), q.open_overdue), (0, 1, 1));
    // B has been overdue longer at the end of February.
    assert!(feb.overdue()[0].overdue_minutes > jan.overdue()[0].overdue_minutes);

    let card = Scorecard::build(&jan, &catalogue(), &TargetSet::dong_nai_2024());
    let xa = card
        .unit(&UnitId::new("XA1"))
        .unwrap_or_else(|| panic!("XA1 missing"));
    // On time 66.67 % < 97 %: fail; online 33.33 % ≥ 30 %: pass; satisfaction 100 %: pass.
    let verdicts: Vec<Verdict> = xa.indicators.iter().map(|s| s.verdict).collect();
    // Indicators without a dong-nai-2024 target are not applicable.
    use motcua_metrics::Indicator;
    assert_eq!(verdicts.len(), Indicator::ALL.len());
    assert_eq!(
        [verdicts[0], verdicts[1], verdicts[7]],
        [Verdict::Fail, Verdict::Pass, Verdict::Pass]
    );
    assert!(verdicts[2..7].iter().all(|v| *v == Verdict::NotApplicable));
    assert_eq!(xa.verdict, Verdict::Fail);
}
