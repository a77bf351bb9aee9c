//! Fixtures shared by the core's integration tests: a small catalogue and a stream builder
//! that goes through the decider, so every stream is valid.
#![allow(dead_code)]

use motcua_core::calendar::Calendar;
use motcua_core::{
    Catalogue, Channel, Command, Context, Decider, DossierId, DossierState, DossierView, Event,
    EventKind, Level, OnlineService, Procedure, ProcedureCode, StepSpec, SupplementPolicy,
    TimeLimit, Unit, UnitId,
};
use std::sync::OnceLock;
use time::OffsetDateTime;

pub fn calendar() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(Calendar::vietnam)
}

pub fn procedure(code: &str, limit: TimeLimit, policy: SupplementPolicy) -> Procedure {
    Procedure {
        code: ProcedureCode::new(code),
        name: format!("procedure {code}"),
        field: "test".into(),
        level: Level::District,
        units: vec![],
        time_limit: limit,
        supplement_policy: policy,
        payment_pauses_clock: false,
        supplement_time_limit: None,
        online_service: OnlineService::Full,
        result_is_document: true,
        fees: vec![],
        steps: vec![],
    }
}

/// Units H1 (district) and H1-A (its office); procedures:
/// - `WD<n>-<policy>` for n working days under each supplement policy is built on demand with
///   [`catalogue_with`];
/// - `P15` 15 working days, restart; `SAME` same day 15:00; `CAL30` 30 calendar days;
///   `H4` 4 working hours; `NONE` no limit; `PAY` 5 working days where payment pauses;
///   `STEPS` 10 working days with steps a (60%) and b (40%).
pub fn catalogue_with(extra: Vec<Procedure>) -> Catalogue {
    let units = vec![
        Unit {
            id: UnitId::new("H1"),
            name: "UBND huyện Một".into(),
            level: Level::District,
            parent: None,
        },
        Unit {
            id: UnitId::new("H1-A"),
            name: "Phòng A".into(),
            level: Level::District,
            parent: Some(UnitId::new("H1")),
        },
    ];
    let mut procedures = vec![
        procedure("P15", TimeLimit::WorkingDays(15), SupplementPolicy::Restart),
        procedure(
            "SAME",
            TimeLimit::SameDay {
                cutoff: time::macros::time!(15:00),
            },
            SupplementPolicy::Restart,
        ),
        procedure(
            "CAL30",
            TimeLimit::CalendarDays(30),
            SupplementPolicy::Restart,
        ),
        procedure("H4", TimeLimit::WorkingHours(4), SupplementPolicy::Pause),
        procedure("NONE", TimeLimit::None, SupplementPolicy::Restart),
        Procedure {
            payment_pauses_clock: true,
            ..procedure("PAY", TimeLimit::WorkingDays(5), SupplementPolicy::Pause)
        },
        Procedure {
            steps: vec![
                StepSpec {
                    id: "a".into(),
                    name: "A".into(),
                    share_percent: 60,
                    unit: None,
                },
                StepSpec {
                    id: "b".into(),
                    name: "B".into(),
                    share_percent: 40,
                    unit: None,
                },
            ],
            ..procedure(
                "STEPS",
                TimeLimit::WorkingDays(10),
                SupplementPolicy::Restart,
            )
        },
    ];
    procedures.extend(extra);
    match Catalogue::new(units, procedures) {
        Ok(c) => c,
        Err(e) => panic!("test catalogue is invalid: {e}"),
    }
}

pub fn catalogue() -> Catalogue {
    catalogue_with(vec![])
}

/// Builds one dossier's stream through the decider.
pub struct Story<'a> {
    pub catalogue: &'a Catalogue,
    pub id: DossierId,
    pub state: DossierState,
    pub events: Vec<Event>,
}

impl<'a> Story<'a> {
    pub fn new(catalogue: &'a Catalogue, id: &str) -> Self {
        Story {
            catalogue,
            id: DossierId::new(id),
            state: DossierState::default(),
            events: vec![],
        }
    }

    pub fn try_then(
        &mut self,
        at: OffsetDateTime,
        kind: EventKind,
    ) -> Result<&mut Self, motcua_core::DecideError> {
        let n = self.events.len() as u128 + 1;
        let seed = self
            .id
            .as_str()
            .bytes()
            .fold(0u128, |h, b| h.wrapping_mul(31).wrapping_add(u128::from(b)));
        let command = Command::new(
            self.id.clone(),
            uuid::Uuid::from_u128(seed.wrapping_mul(1000) + n),
            at,
            kind,
        );
        let events = Decider::new(self.catalogue).decide(command, &self.state)?;
        for event in events {
            self.state = Decider::evolve(std::mem::take(&mut self.state), &event);
            self.events.push(event);
        }
        Ok(self)
    }

    pub fn then(&mut self, at: OffsetDateTime, kind: EventKind) -> &mut Self {
        match self.try_then(at, kind) {
            Ok(s) => s,
            Err(e) => panic!("story step rejected: {e}"),
        }
    }

    pub fn received(&mut self, at: OffsetDateTime, procedure: &str) -> &mut Self {
        self.then(
            at,
            EventKind::Received {
                procedure: procedure.into(),
                unit: "H1".into(),
                channel: Channel::InPerson,
            },
        )
    }

    pub fn view(&self, as_of: OffsetDateTime) -> DossierView {
        match Context::new(self.catalogue, calendar()).view_events(&self.events, as_of) {
            Ok(v) => v,
            Err(e) => panic!("view failed: {e}"),
        }
    }
}
