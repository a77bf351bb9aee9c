//! Hand-built views, a small catalogue and proptest strategies for the tests.

use motcua_core::{
    Catalogue, Channel, ClockState, DossierId, DossierView, LateReason, Level, Procedure,
    ProcedureCode, Status, StepView, TimeClass, TimeLimit, Unit, UnitId,
};
use proptest::prelude::*;
use time::{Duration, OffsetDateTime};

use crate::period::Period;

/// January 2024 in UTC+07:00.
pub fn period_jan() -> Period {
    Period::month(2024, time::Month::January).unwrap_or_else(|_| unreachable!())
}

/// 09:00 local on 1 January 2024 plus `day` days (negative: before the period).
pub fn at(day: i64) -> OffsetDateTime {
    period_jan().start + Duration::days(day) + Duration::hours(9)
}

/// Builds a [`DossierView`] by hand.
pub struct ViewBuilder {
    view: DossierView,
    /// The step runs, boxed into the view once by [`ViewBuilder::build`].
    steps: Vec<StepView>,
}

impl ViewBuilder {
    pub fn new(id: &str) -> Self {
        ViewBuilder {
            view: DossierView {
                dossier_id: DossierId::new(id),
                procedure: ProcedureCode::new("P1"),
                unit: UnitId::new("SO1"),
                current_unit: UnitId::new("SO1"),
                channel: Channel::InPerson,
                status: Status::Submitted,
                national_code: 1,
                submitted_at: None,
                received_at: None,
                finished_at: None,
                official_due: None,
                promised_due: None,
                promised_overdue: false,
                accept_by: None,
                accept_overdue: false,
                clock: ClockState::NotStarted,
                used_minutes: 0,
                left_minutes: 0,
                overdue_minutes: 0,
                time_class: TimeClass::NotJudged,
                late_reason: None,
                supplement_rounds: 0,
                supplement_due: None,
                supplement_overdue: false,
                supplement_expired: false,
                steps: Box::default(),
                electronic_result: None,
                paid_online: None,
                satisfied: None,
                rated_at: None,
                digitisation: None,
                feedback: 0,
            },
            steps: Vec::new(),
        }
    }

    fn status(mut self, status: Status) -> Self {
        self.view.status = status;
        self.view.national_code = status.national_code();
        self
    }

    pub fn unit(mut self, unit: &str) -> Self {
        self.view.unit = UnitId::new(unit);
        self.view.current_unit = UnitId::new(unit);
        self
    }

    pub fn procedure(mut self, code: &str) -> Self {
        self.view.procedure = ProcedureCode::new(code);
        self
    }

    pub fn channel(mut self, channel: Channel) -> Self {
        self.view.channel = channel;
        self
    }

    pub fn online(self) -> Self {
        self.channel(Channel::Online)
    }

    pub fn submitted(mut self, t: OffsetDateTime) -> Self {
        self.view.submitted_at = Some(t);
        self.status(Status::Submitted)
    }

    pub fn received(mut self, t: OffsetDateTime) -> Self {
        self.view.received_at = Some(t);
        self.view.clock = ClockState::Running;
        self.view.time_class = TimeClass::WithinTime;
        self.view.official_due = Some(t + Duration::days(5));
        self.view.promised_due = self.view.official_due;
        self.status(Status::Received)
    }

    pub fn open(mut self, class: TimeClass) -> Self {
        self.view.time_class = class;
        if class == TimeClass::Overdue {
            self.view.late_reason = Some(LateReason::PastDue);
            if self.view.overdue_minutes == 0 {
                self.view.overdue_minutes = 60;
            }
        }
        self.status(Status::Processing)
    }

    pub fn result(mut self, t: OffsetDateTime, class: TimeClass) -> Self {
        self.view.finished_at = Some(t);
        self.view.time_class = class;
        self.view.clock = ClockState::Stopped;
        if class == TimeClass::Late {
            self.view.late_reason = Some(LateReason::PastDue);
        }
        self.status(Status::Returned)
    }

    pub fn ended(mut self, status: Status, t: OffsetDateTime) -> Self {
        self.view.finished_at = Some(t);
        self.view.time_class = TimeClass::NotJudged;
        self.view.clock = ClockState::Stopped;
        self.status(status)
    }

    pub fn overdue(mut self, minutes: u32) -> Self {
        self.view.overdue_minutes = minutes;
        self
    }

    pub fn rated(mut self, satisfied: bool) -> Self {
        self.view.satisfied = Some(satisfied);
        self
    }

    pub fn late_steps(mut self, n: usize) -> Self {
        let started = self.view.received_at.unwrap_or_else(|| at(0));
        self.steps.reserve(n);
        for i in 0..n {
            self.steps.push(StepView {
                step: format!("s{i}"),
                unit: self.view.unit.clone(),
                started_at: started,
                finished_at: None,
                due: None,
                late: true,
            });
        }
        self
    }

    pub fn e_result(mut self, electronic: bool) -> Self {
        self.view.electronic_result = Some(electronic);
        self
    }

    pub fn digitisation(mut self, components: u32, digitised: u32, reused: u32) -> Self {
        self.view.digitisation = Some((components, digitised, reused));
        self
    }

    pub fn paid_online(mut self, online: bool) -> Self {
        self.view.paid_online = Some(online);
        self
    }

    pub fn feedback(mut self, n: u32) -> Self {
        self.view.feedback = n;
        self
    }

    pub fn used(mut self, minutes: u32) -> Self {
        self.view.used_minutes = minutes;
        self
    }

    /// A step run by `unit`, late or not.
    pub fn step(mut self, id: &str, unit: &str, late: bool) -> Self {
        let started = self.view.received_at.unwrap_or_else(|| at(0));
        self.steps.push(StepView {
            step: id.into(),
            unit: UnitId::new(unit),
            started_at: started,
            finished_at: None,
            due: None,
            late,
        });
        self
    }

    pub fn build(mut self) -> DossierView {
        self.view.steps = self.steps.into_boxed_slice();
        self.view
    }
}

fn unit(id: &str, level: Level, parent: Option<&str>) -> Unit {
    Unit {
        id: UnitId::new(id),
        name: format!("Unit {id}"),
        level,
        parent: parent.map(UnitId::new),
    }
}

fn procedure(code: &str, level: Level) -> Procedure {
    Procedure {
        code: ProcedureCode::new(code),
        name: format!("Procedure {code}"),
        field: "Test".into(),
        level,
        units: vec![],
        time_limit: TimeLimit::WorkingDays(5),
        supplement_policy: Default::default(),
        payment_pauses_clock: false,
        supplement_time_limit: None,
        online_service: Default::default(),
        result_is_document: true,
        fees: vec![],
        steps: vec![],
    }
}

/// A province `TINH` with a department `SO1`, `SO2`, a district `HUYEN1` and its communes `XA1`,
/// `XA2`; procedures `P1` (department), `P2` (district), `P3` (commune).
pub fn catalogue() -> Catalogue {
    Catalogue::new(
        vec![
            unit("TINH", Level::Province, None),
            unit("SO1", Level::Department, Some("TINH")),
            unit("SO2", Level::Department, Some("TINH")),
            unit("HUYEN1", Level::District, Some("TINH")),
            unit("XA1", Level::Commune, Some("HUYEN1")),
            unit("XA2", Level::Commune, Some("HUYEN1")),
        ],
        vec![
            procedure("P1", Level::Department),
            procedure("P2", Level::District),
            procedure("P3", Level::Commune),
        ],
    )
    .unwrap_or_else(|e| panic!("test catalogue: {e}"))
}

/// Units views are drawn from, including one the catalogue lacks.
pub const UNITS: [&str; 6] = ["SO1", "SO2", "HUYEN1", "XA1", "XA2", "GHOST"];

/// Any view (see [`arb_base_view`]) with the 766 facts varied: e-result, digitisation, payment,
/// feedback, and a late step run by another unit.
pub fn arb_view() -> impl Strategy<Value = DossierView> {
    (
        arb_base_view(),
        prop_oneof![Just(None), any::<bool>().prop_map(Some)],
        prop_oneof![Just(None), (0u32..4, 0u32..4, 0u32..3).prop_map(Some)],
        prop_oneof![Just(None), any::<bool>().prop_map(Some)],
        0u32..2,
        prop_oneof![
            Just(None),
            (0usize..UNITS.len(), any::<bool>()).prop_map(Some)
        ],
    )
        .prop_map(|(mut v, e, d, paid, feedback, step)| {
            v.electronic_result = e;
            v.digitisation = d;
            v.paid_online = paid;
            v.feedback = feedback;
            if let Some((u, late)) = step {
                push_step(
                    &mut v.steps,
                    StepView {
                        step: format!("x{u}"),
                        unit: UnitId::new(UNITS[u]),
                        started_at: v.received_at.unwrap_or_else(|| at(0)),
                        finished_at: None,
                        due: None,
                        late,
                    },
                );
            }
            v
        })
}

/// Any view, with days around January 2024 (−40 to +70) so every placement occurs, including
/// instants exactly at the period's bounds.
pub fn arb_base_view() -> impl Strategy<Value = DossierView> {
    (
        0u32..1_000,
        0usize..UNITS.len(),
        0usize..3,
        0u8..3,
        -40i64..70,
        prop_oneof![Just(None), (0i64..5).prop_map(Some)],
        0u8..9,
        0i64..40,
        0u32..5_000,
        prop_oneof![Just(None), any::<bool>().prop_map(Some)],
        0usize..3,
        any::<bool>(),
    )
        .prop_map(
            |(
                id,
                u,
                p,
                ch,
                day,
                submitted_before,
                outcome,
                took,
                overdue,
                rating,
                steps,
                exact,
            )| {
                let received = if exact {
                    period_jan().start + Duration::days(day.rem_euclid(2) * 31)
                } else {
                    at(day)
                };
                let finished = received + Duration::days(took);
                let mut b = ViewBuilder::new(&format!("D{id:04}"))
                    .unit(UNITS[u])
                    .procedure(["P1", "P2", "P3"][p])
                    .channel(
                        [Channel::InPerson, Channel::Online, Channel::Postal][usize::from(ch)],
                    );
                if let Some(before) = submitted_before {
                    b = b.submitted(received - Duration::days(before));
                }
                b = match outcome {
                    0 => return b.submitted(received).build(),
                    1 => {
                        return b
                            .submitted(received)
                            .ended(Status::Refused, finished)
                            .build()
                    }
                    2 => b.received(received).open(TimeClass::WithinTime),
                    3 => b.received(received).open(TimeClass::DueSoon),
                    4 => b
                        .received(received)
                        .overdue(overdue + 1)
                        .open(TimeClass::Overdue),
                    5 => b.received(received).result(
                        finished,
                        [TimeClass::Early, TimeClass::OnTime][usize::from(took % 2 == 0)],
                    ),
                    6 => b
                        .received(received)
                        .overdue(overdue)
                        .result(finished, TimeClass::Late),
                    7 => b.received(received).ended(Status::Withdrawn, finished),
                    _ => b.received(received).ended(Status::Stopped, finished),
                };
                b = b.late_steps(steps);
                if (5..=6).contains(&outcome) {
                    if let Some(s) = rating {
                        b = b.rated(s);
                    }
                }
                b.build()
            },
        )
}

/// The value as compact JSON, to compare field names, formats and whole reports.
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_string(value) {
        Ok(json) => json,
        Err(e) => panic!("cannot serialise: {e}"),
    }
}

/// Appends a step run to a built view's (boxed) steps. It rebuilds the slice, so it is for a
/// single push ([`arb_view`]'s extra step); [`ViewBuilder`] collects its steps in a `Vec`.
fn push_step(steps: &mut Box<[StepView]>, step: StepView) {
    let mut grown = std::mem::take(steps).into_vec();
    grown.push(step);
    *steps = grown.into_boxed_slice();
}
