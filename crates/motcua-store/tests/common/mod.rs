//! A small catalogue and valid dossier streams built with the decider.

#![allow(dead_code)]

use motcua_core::{
    Catalogue, Channel, Command, Decider, DossierId, DossierState, Event, EventKind, Level,
    Procedure, ProcedureCode, ReturnMethod, TimeLimit, Unit, UnitId,
};
use motcua_store::{EventStore, StoredEvent};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

pub fn catalogue() -> Catalogue {
    let unit = Unit {
        id: UnitId::new("XA01"),
        name: "UBND xã A".into(),
        level: Level::Commune,
        parent: None,
    };
    let procedure = Procedure {
        code: ProcedureCode::new("1.001193"),
        name: "Đăng ký khai sinh".into(),
        field: "Hộ tịch".into(),
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
    match Catalogue::new(vec![unit], vec![procedure]) {
        Ok(c) => c,
        Err(e) => panic!("test catalogue: {e}"),
    }
}

/// The lifecycle used by the tests, in order.
pub fn lifecycle() -> Vec<EventKind> {
    vec![
        EventKind::Received {
            procedure: "1.001193".into(),
            unit: "XA01".into(),
            channel: Channel::InPerson,
        },
        EventKind::StepStarted {
            step: "handle".into(),
            unit: "XA01".into(),
        },
        EventKind::SupplementRequested {
            reason: "thiếu giấy chứng sinh".into(),
        },
        EventKind::SupplementSupplied,
        EventKind::ResultReady { electronic: true },
        EventKind::ResultReturned {
            method: ReturnMethod::InPerson,
        },
        EventKind::Rated { satisfied: true },
    ]
}

/// The first `n` events of dossier `dossier`'s lifecycle, decided one by one, after `prior`.
pub fn decide(dossier: &str, prior: &[Event], kinds: &[EventKind], id_base: u128) -> Vec<Event> {
    let catalogue = catalogue();
    let decider = Decider::new(&catalogue);
    let mut state: DossierState = prior.iter().fold(Decider::initial_state(), Decider::evolve);
    let start = datetime!(2024-03-04 08:00 +7);
    let mut out = Vec::new();
    for kind in kinds {
        let n = state.version + 1;
        let at = start + Duration::hours(i64::try_from(n).unwrap_or(0));
        let command = Command::new(
            DossierId::new(dossier),
            Uuid::from_u128(id_base + u128::from(n)),
            at,
            kind.clone(),
        );
        let events = match decider.decide(command, &state) {
            Ok(events) => events,
            Err(e) => panic!("test stream for {dossier}: {e}"),
        };
        for event in events {
            state = Decider::evolve(state, &event);
            out.push(event);
        }
    }
    out
}

/// Dossier `dossier`'s first `n` lifecycle events.
pub fn stream(dossier: &str, n: usize, id_base: u128) -> Vec<Event> {
    decide(dossier, &[], &lifecycle()[..n], id_base)
}

/// Events as JSON Lines.
pub fn jsonl(events: &[Event]) -> String {
    let mut out = Vec::new();
    if let Err(e) = motcua_io::write_events(&mut out, events) {
        panic!("writing test events: {e}");
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Everything in a store, for before/after comparisons.
pub fn contents<S: EventStore>(store: &S) -> (u64, Vec<StoredEvent>) {
    match (store.last_position(), store.read_all(0, usize::MAX)) {
        (Ok(last), Ok(all)) => (last, all),
        _ => panic!("reading the store failed"),
    }
}

pub fn at(text: &str) -> OffsetDateTime {
    match OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        Ok(t) => t,
        Err(e) => panic!("{text}: {e}"),
    }
}
