//! The decider fed arbitrary command sequences: never panics; the events it accepts replay
//! (checked) to the same state, and views of that state as of any instant build or fail cleanly.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use motcua_calendar::Calendar;
use motcua_core::{
    Catalogue, Channel, Command, Context, Decider, DossierId, DossierState, EventKind, Level,
    Procedure, ProcedureCode, ReturnMethod, StepSpec, SupplementPolicy, TimeLimit, Unit, UnitId,
};
use std::sync::OnceLock;
use time::{Duration, OffsetDateTime};

#[derive(Arbitrary, Debug)]
enum Action {
    Submit(u8),
    Receive(u8),
    Refuse,
    StartStep(bool),
    FinishStep(bool),
    Transfer,
    RequestSupplement,
    Supply,
    Expire,
    RequestPayment(u32),
    Pay(bool),
    Apologise(u16),
    Extend(u16),
    Withdraw,
    Stop,
    Ready(bool),
    Return,
    Rate(bool),
    Digitise(u8, u8, u8),
    Feedback,
}

#[derive(Arbitrary, Debug)]
struct Input {
    start_minutes: u32,
    steps: Vec<(u16, Action)>,
    as_of_minutes: u32,
}

fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(|| {
        let unit = |id: &str| Unit { id: UnitId::new(id), name: id.into(), level: Level::District, parent: None };
        let p = |code: &str, limit, policy, pauses| Procedure {
            code: ProcedureCode::new(code),
            name: code.into(),
            field: "f".into(),
            level: Level::District,
            units: vec![],
            time_limit: limit,
            supplement_policy: policy,
            payment_pauses_clock: pauses,
            supplement_time_limit: None,
            online_service: Default::default(),
            result_is_document: true,
            fees: vec![],
            steps: vec![
                StepSpec { id: "a".into(), name: "a".into(), share_percent: 60, unit: None },
                StepSpec { id: "b".into(), name: "b".into(), share_percent: 40, unit: None },
            ],
        };
        let procedures = vec![
            p("R", TimeLimit::WorkingDays(5), SupplementPolicy::Restart, false),
            p("P", TimeLimit::WorkingHours(12), SupplementPolicy::Pause, true),
            p("S", TimeLimit::CalendarDays(10), SupplementPolicy::Shift, false),
            p("D", TimeLimit::SameDay { cutoff: time::macros::time!(15:00) }, SupplementPolicy::Pause, false),
            p("N", TimeLimit::None, SupplementPolicy::Restart, false),
        ];
        Catalogue::new(vec![unit("U1"), unit("U2")], procedures).unwrap_or_default()
    })
}

fn calendar() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(Calendar::vietnam)
}

fuzz_target!(|input: Input| {
    let catalogue = catalogue();
    let decider = Decider::new(catalogue);
    let codes = ["R", "P", "S", "D", "N"];
    let mut at = time::macros::datetime!(2024-01-01 00:00 +7) + Duration::minutes(i64::from(input.start_minutes % (2 * 365 * 1440)));
    let mut state = DossierState::default();
    let mut accepted = Vec::new();
    for (n, (gap, action)) in input.steps.into_iter().take(64).enumerate() {
        at += Duration::minutes(i64::from(gap));
        let kind = match action {
            Action::Submit(p) => EventKind::Submitted { procedure: codes[p as usize % 5].into(), unit: "U1".into(), channel: Channel::Online },
            Action::Receive(p) => EventKind::Received { procedure: codes[p as usize % 5].into(), unit: "U1".into(), channel: Channel::InPerson },
            Action::Refuse => EventKind::RefusedAtReception { reason: "r".into() },
            Action::StartStep(a) => EventKind::StepStarted { step: if a { "a" } else { "b" }.into(), unit: "U2".into() },
            Action::FinishStep(a) => EventKind::StepFinished { step: if a { "a" } else { "b" }.into() },
            Action::Transfer => EventKind::Transferred { from: "U1".into(), to: "U2".into() },
            Action::RequestSupplement => EventKind::SupplementRequested { reason: "s".into() },
            Action::Supply => EventKind::SupplementSupplied,
            Action::Expire => EventKind::SupplementExpired,
            Action::RequestPayment(a) => EventKind::PaymentRequested { amount_vnd: u64::from(a) },
            Action::Pay(online) => EventKind::PaymentMade { online },
            Action::Apologise(d) => EventKind::ApologyIssued { new_due: at + Duration::minutes(i64::from(d)), reason: "a".into() },
            Action::Extend(d) => EventKind::DueExtended { new_due: at + Duration::minutes(i64::from(d)), legal_basis: "l".into() },
            Action::Withdraw => EventKind::Withdrawn { reason: "w".into() },
            Action::Stop => EventKind::Stopped { reason: "s".into() },
            Action::Ready(e) => EventKind::ResultReady { electronic: e },
            Action::Return => EventKind::ResultReturned { method: ReturnMethod::InPerson },
            Action::Rate(s) => EventKind::Rated { satisfied: s },
            Action::Digitise(c, d, r) => EventKind::Digitised { components: u32::from(c), digitised: u32::from(d), reused: u32::from(r) },
            Action::Feedback => EventKind::FeedbackFiled { summary: "f".into() },
        };
        let command = Command::new(DossierId::new("F"), uuid::Uuid::from_u128(n as u128), at, kind);
        let before = state.clone();
        match decider.decide(command, &state) {
            Ok(events) => {
                for event in events {
                    state = Decider::evolve(state, &event);
                    accepted.push(event);
                }
            }
            Err(_) => assert_eq!(state, before, "a rejected command changes nothing"),
        }
    }
    match decider.replay(&accepted) {
        Ok(replayed) => assert_eq!(replayed, state, "accepted events replay to the same state"),
        Err(e) => panic!("accepted events do not replay: {e}"),
    }
    if !accepted.is_empty() {
        let as_of = at + Duration::minutes(i64::from(input.as_of_minutes % (400 * 1440)));
        let context = Context::new(catalogue, calendar());
        let _ = context.view(&state, as_of);
        let _ = context.explain(&state, as_of);
    }
    let _: Option<OffsetDateTime> = None;
});
