//! The life of one dossier: reception, fees, steps and transfers, supplements, obligations,
//! lateness, apologies, extensions, withdrawals, stops, result, return and rating. Every event
//! goes through the core decider; nothing after the as-of instant is emitted.

use crate::arrivals::Arrival;
use crate::error::GenError;
use crate::officers::Handlers;
use crate::rng::Rng;
use crate::world::World;
use motcua_core::{
    deadline, Channel, Command, Decider, DossierId, DossierState, Event, EventKind, ReturnMethod,
    UnitId,
};
use time::{Duration, OffsetDateTime};

/// Share of online submissions refused at reception.
const REFUSED: f64 = 0.025;
/// Share of received dossiers withdrawn by the applicant.
const WITHDRAWN: f64 = 0.01;
/// Share of received dossiers stopped by the agency.
const STOPPED: f64 = 0.003;
/// Share of supplement requests never answered (the dossier is stopped).
const SUPPLEMENT_EXPIRES: f64 = 0.04;
/// Share of dossiers with one supplement round that get a second one.
const SECOND_ROUND: f64 = 0.09;
/// Share of late dossiers that get an apology and a new appointment.
const APOLOGY: f64 = 0.65;
/// Share of dossiers of procedures with a legal extension that use it.
const EXTENSION: f64 = 0.05;
/// Share of events recorded some minutes or hours after they happened.
const RECORDED_LATE: f64 = 0.03;

const REFUSAL_REASONS: &[&str] = &[
    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan",
    "Thành phần hồ sơ không đúng quy định, đã hướng dẫn nộp lại",
    "Thông tin trên tờ khai không trùng khớp với Cơ sở dữ liệu quốc gia về dân cư",
];
const WITHDRAWAL_REASONS: &[&str] = &[
    "Công dân xin rút hồ sơ, không còn nhu cầu",
    "Công dân xin rút hồ sơ để điều chỉnh nội dung, sẽ nộp lại sau",
];
const STOP_REASONS: &[&str] = &[
    "Hồ sơ không đủ điều kiện giải quyết theo quy định",
    "Đối tượng đang có tranh chấp, khiếu nại chưa được giải quyết",
];
const APOLOGY_REASONS: &[&str] = &[
    "Chờ ý kiến phối hợp của cơ quan có liên quan",
    "Phải xác minh thêm nguồn gốc, hiện trạng",
    "Số lượng hồ sơ tăng cao, cán bộ thụ lý không kịp xử lý",
];

/// A dossier's stream under construction: every event is decided against the current state.
struct Stream<'a, 'c> {
    decider: &'a Decider<'c>,
    state: DossierState,
    id: DossierId,
    as_of: OffsetDateTime,
    out: &'a mut Vec<Event>,
    /// Set once an event would fall after the as-of instant: nothing more is emitted.
    cut: bool,
    /// Who records each event.
    handlers: Handlers<'a>,
}

impl Stream<'_, '_> {
    /// Emits one event at `at` (clamped to the previous event's time); returns false, emitting
    /// nothing, once `at` is after the as-of instant.
    fn emit(
        &mut self,
        rng: &mut Rng,
        at: OffsetDateTime,
        kind: EventKind,
    ) -> Result<bool, GenError> {
        if self.cut {
            return Ok(false);
        }
        let at = self.state.last_occurred_at.map_or(at, |last| at.max(last));
        if at > self.as_of {
            self.cut = true;
            return Ok(false);
        }
        let mut recorded = at;
        if rng.chance(RECORDED_LATE) {
            recorded = (at + Duration::minutes(rng.between(3, 300) as i64)).min(self.as_of);
        }
        if let Some(last) = self.state.last_recorded_at {
            recorded = recorded.max(last);
        }
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
        let command = Command {
            dossier_id: self.id.clone(),
            event_id: uuid::Builder::from_random_bytes(bytes).into_uuid(),
            occurred_at: at,
            recorded_at: recorded,
            metadata: self.handlers.metadata(&kind, &self.state),
            kind,
        };
        for event in self.decider.decide(command, &self.state)? {
            self.state = Decider::evolve(std::mem::take(&mut self.state), &event);
            self.out.push(event);
        }
        Ok(true)
    }

    /// Emits planned events in order until one falls after the as-of instant.
    fn emit_all(
        &mut self,
        rng: &mut Rng,
        plan: Vec<(OffsetDateTime, EventKind)>,
    ) -> Result<(), GenError> {
        for (at, kind) in plan {
            if !self.emit(rng, at, kind)? {
                break;
            }
        }
        Ok(())
    }
}

fn pick_str(rng: &mut Rng, items: &[&str]) -> String {
    rng.choose(items)
        .copied()
        .unwrap_or("Theo quy định")
        .to_owned()
}

/// How a dossier ends before its result, if it does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum EarlyEnd {
    None,
    Withdrawn,
    Stopped,
}

/// Generates one dossier's events into `out`.
pub(crate) fn simulate(
    world: &World<'_>,
    decider: &Decider<'_>,
    arrival: &Arrival,
    id: DossierId,
    out: &mut Vec<Event>,
) -> Result<(), GenError> {
    let mut rng = Rng::new(arrival.seed);
    let rng = &mut rng;
    let p = &world.procs[arrival.proc];
    let def = &p.def;
    let unit = &world.units[arrival.unit];
    let receiving: UnitId = unit.unit.id.clone();
    let profile = unit.profile;
    let online = arrival.channel == Channel::Online;
    let procedure = world.catalogue.procedure(&p.code).ok_or_else(|| {
        GenError::Config(format!(
            "procedure {} missing from the generated catalogue",
            p.code
        ))
    })?;
    let mut s = Stream {
        decider,
        state: Decider::initial_state(),
        id,
        as_of: world.as_of,
        out,
        cut: false,
        handlers: Handlers::new(&world.officers, arrival.seed),
    };

    // --- Submission and reception ---
    let received_at = if online {
        let submitted = EventKind::Submitted {
            procedure: p.code.clone(),
            unit: receiving.clone(),
            channel: Channel::Online,
        };
        if !s.emit(rng, arrival.first, submitted)? {
            return Ok(());
        }
        let start = world.cal.next_working_instant(arrival.first)?;
        let r = rng.unit();
        let delay = if r < 0.7 {
            rng.between(5, 120)
        } else if r < 0.965 {
            rng.between(120, 470)
        } else {
            rng.between(490, 1400)
        };
        let accepted = world.add_wm(start, delay)?;
        if rng.chance(REFUSED) {
            let reason = pick_str(rng, REFUSAL_REASONS);
            s.emit(rng, accepted, EventKind::RefusedAtReception { reason })?;
            return Ok(());
        }
        accepted
    } else {
        arrival.first
    };
    let received = EventKind::Received {
        procedure: p.code.clone(),
        unit: receiving.clone(),
        channel: arrival.channel,
    };
    if !s.emit(rng, received_at, received)? {
        return Ok(());
    }
    let mut now = received_at;

    // --- Digitisation at reception (766 indicators 4.2 and 4.3) ---
    // Drawn from a side stream so the rest of the dossier is what it would be without it.
    let mut side = Rng::new(arrival.seed ^ 0x5e_ed_d1_61_7a_1f_ee_d5);
    if side.chance(if online { 0.93 } else { 0.78 }) {
        let components = side.between(2, 7) as u32;
        let digitised = if side.chance(0.9) {
            components
        } else {
            side.between(1, u64::from(components) - 1) as u32
        };
        let reused = if side.chance(if online { 0.75 } else { 0.55 }) {
            side.between(1, u64::from(digitised)) as u32
        } else {
            0
        };
        let digitisation = EventKind::Digitised {
            components,
            digitised,
            reused,
        };
        if !s.emit(&mut side, received_at, digitisation)? {
            return Ok(());
        }
    }

    // --- Fees paid at reception ---
    if p.fee_total > 0 && def.obligation.is_none() {
        now += Duration::minutes(rng.between(1, 4) as i64);
        if !s.emit(
            rng,
            now,
            EventKind::PaymentRequested {
                amount_vnd: p.fee_total,
            },
        )? {
            return Ok(());
        }
        let paid_online = rng.chance(if online { 0.85 } else { 0.12 });
        now = if online {
            if paid_online {
                now + Duration::minutes(rng.between(2, 180) as i64)
            } else {
                {
                    let days = rng.between(0, 2) as u32;
                    world.applicant_after(rng, now, days, false)?
                }
            }
        } else {
            now + Duration::minutes(rng.between(2, 12) as i64)
        };
        if !s.emit(
            rng,
            now,
            EventKind::PaymentMade {
                online: paid_online,
            },
        )? {
            return Ok(());
        }
    }

    // --- First step (and its hand-over) ---
    let mut current = receiving.clone();
    if let Some((step0, unit0)) = p.steps.first() {
        now = world.add_wm(now, rng.between(5, 120))?;
        let to = unit0.clone().unwrap_or_else(|| receiving.clone());
        if to != current {
            let t = EventKind::Transferred {
                from: current.clone(),
                to: to.clone(),
            };
            if !s.emit(rng, now, t)? {
                return Ok(());
            }
            current = to.clone();
        }
        if !s.emit(
            rng,
            now,
            EventKind::StepStarted {
                step: step0.clone(),
                unit: to,
            },
        )? {
            return Ok(());
        }
    }

    // --- Supplement rounds ---
    let rounds = if rng.chance(def.supplement) {
        1 + u32::from(rng.chance(SECOND_ROUND))
    } else {
        0
    };
    let nominal = procedure.time_limit.nominal_minutes().unwrap_or(4800);
    for _ in 0..rounds {
        let into = (nominal.min(5 * 480) as f64 * (0.1 + 0.5 * rng.unit())) as u64 + 1;
        now = world.add_wm(now, into)?;
        let reason = pick_str(rng, def.supplement_reasons);
        if !s.emit(rng, now, EventKind::SupplementRequested { reason })? {
            return Ok(());
        }
        if rng.chance(SUPPLEMENT_EXPIRES) {
            let expired = world
                .cal
                .add_calendar_days(now, rng.between(15, 30) as u32)?;
            s.emit(rng, expired, EventKind::SupplementExpired)?;
            return Ok(());
        }
        let days = 1 + rng.geometric(0.8, 30);
        now = world.applicant_after(rng, now, days, online)?;
        if !s.emit(rng, now, EventKind::SupplementSupplied)? {
            return Ok(());
        }
    }

    // --- The official due, as the core computes it ---
    let mut due = deadline::dues(&s.state, procedure, world.cal, world.as_of)?
        .official
        .map_or_else(|| world.cal.add_working_days(now, 10), Ok)?;
    if let Some((basis, extra)) = def.extension {
        if rng.chance(EXTENSION) {
            now = world.add_wm(now, rng.between(30, 600))?;
            let new_due = world.cal.add_working_days(due, extra)?;
            if new_due > now {
                let kind = EventKind::DueExtended {
                    new_due,
                    legal_basis: basis.to_owned(),
                };
                if !s.emit(rng, now, kind)? {
                    return Ok(());
                }
                due = new_due;
            }
        }
    }

    // --- Fate: when the result is ready ---
    // Year-end overload: dossiers received in November and December are late more often.
    let season = match received_at.month() {
        time::Month::December => 3.0,
        time::Month::November => 2.0,
        time::Month::October => 1.3,
        _ => 1.0,
    };
    let late_p = (def.late * profile.late * season).min(0.9);
    let late = due <= now || rng.chance(late_p);
    let finish = if late {
        // Most late dossiers are a few days late; some get stuck for weeks or months (waiting
        // for another agency, disputes), more often in the procedures that are often late.
        let stuck = if def.obligation.is_some() {
            0.5
        } else if def.late >= 0.05 {
            0.45
        } else {
            0.05
        };
        let k = if rng.chance(stuck) {
            10 + rng.below(110) as u32
        } else {
            1 + rng.geometric(0.6, 25)
        };
        let base = world.cal.add_working_days(due.max(now), k)?;
        world.add_wm(base, rng.between(0, 180))?
    } else {
        let window = world.wm(now, due)?;
        let frac = 0.1 + 0.9 * rng.unit();
        world.add_wm(now, (window as f64 * frac) as u64)?.min(due)
    };
    let end = if rng.chance(WITHDRAWN) {
        EarlyEnd::Withdrawn
    } else if rng.chance(STOPPED) {
        EarlyEnd::Stopped
    } else {
        EarlyEnd::None
    };

    // --- Lay the steps out between now and the finish ---
    let mut plan: Vec<(OffsetDateTime, EventKind)> = Vec::with_capacity(16);
    let mut cursor = now;
    let mut pause_minutes = 0u64;
    let mut finish_at = finish;
    if !p.steps.is_empty() {
        let total = world.wm(now, finish)?;
        let budget = if late {
            world.wm(now, due)?.min(total)
        } else {
            total
        };
        let excess = total - budget;
        let share_sum: u64 = def
            .steps
            .iter()
            .map(|st| u64::from(st.share))
            .sum::<u64>()
            .max(1);
        let last = p.steps.len() - 1;
        let mut used = 0u64;
        for (i, (step, unit)) in p.steps.iter().enumerate() {
            if i > 0 {
                let to = unit.clone().unwrap_or_else(|| receiving.clone());
                if to != current {
                    plan.push((
                        cursor,
                        EventKind::Transferred {
                            from: current.clone(),
                            to: to.clone(),
                        },
                    ));
                    current = to.clone();
                }
                plan.push((
                    cursor,
                    EventKind::StepStarted {
                        step: step.clone(),
                        unit: to,
                    },
                ));
            }
            let mut dur = budget * u64::from(def.steps[i].share) / share_sum;
            if i == def.late_step.min(last) {
                dur += excess;
            }
            if i == last {
                dur = total.saturating_sub(used);
            }
            used += dur;
            cursor = world.add_wm(cursor, dur)?;
            plan.push((cursor, EventKind::StepFinished { step: step.clone() }));
            if let Some((lo, hi, after)) = def.obligation {
                if after == i {
                    let amount = rng.between(lo / 1000, hi / 1000) * 1000;
                    let requested = cursor + Duration::minutes(rng.between(1, 30) as i64);
                    plan.push((
                        requested,
                        EventKind::PaymentRequested { amount_vnd: amount },
                    ));
                    let days = rng.geometric(0.75, 30);
                    let paid_online = rng.chance(if online { 0.6 } else { 0.2 });
                    let paid = world.applicant_after(rng, requested, days, paid_online)?;
                    if def.payment_pauses_clock {
                        pause_minutes += world.wm(requested, paid)?;
                    }
                    plan.push((
                        paid,
                        EventKind::PaymentMade {
                            online: paid_online,
                        },
                    ));
                    cursor = paid;
                }
            }
        }
        if current != receiving {
            plan.push((
                cursor,
                EventKind::Transferred {
                    from: current.clone(),
                    to: receiving.clone(),
                },
            ));
        }
        finish_at = world.add_wm(cursor, rng.between(0, 30))?;
    }
    let electronic = def.result_is_document && rng.chance(if online { 0.96 } else { 0.3 });
    plan.push((finish_at, EventKind::ResultReady { electronic }));

    // --- Apology for late dossiers ---
    if late && rng.chance(APOLOGY) {
        let official = if pause_minutes > 0 {
            world.add_wm(due, pause_minutes)?
        } else {
            due
        };
        let issued = official
            .max(now + Duration::minutes(5))
            .min(finish_at - Duration::minutes(1));
        let days = rng.between(2, 12) as u32;
        let mut promised = world.cal.add_working_days(official.max(issued), days)?;
        if promised <= issued {
            promised = world.cal.add_working_days(issued, days)?;
        }
        let at = plan.partition_point(|(t, _)| *t <= issued);
        let reason = pick_str(rng, APOLOGY_REASONS);
        plan.insert(
            at,
            (
                issued,
                EventKind::ApologyIssued {
                    new_due: promised,
                    reason,
                },
            ),
        );
    }

    // --- Withdrawal or stop cuts the plan short ---
    if end != EarlyEnd::None {
        let cut = rng.below(plan.len() as u64) as usize;
        let at = plan[cut].0;
        plan.truncate(cut);
        let kind = match end {
            EarlyEnd::Withdrawn => EventKind::Withdrawn {
                reason: pick_str(rng, WITHDRAWAL_REASONS),
            },
            _ => EventKind::Stopped {
                reason: pick_str(rng, STOP_REASONS),
            },
        };
        plan.push((at, kind));
        return s.emit_all(rng, plan);
    }

    // --- Return and rating ---
    let returned = if online && electronic && rng.chance(0.85) {
        Some((
            finish_at + Duration::minutes(rng.between(1, 90) as i64),
            ReturnMethod::Online,
        ))
    } else if arrival.channel == Channel::Postal || rng.chance(0.04) {
        let days = rng.between(1, 4) as u32;
        Some((
            world.applicant_after(rng, finish_at, days, false)?,
            ReturnMethod::Postal,
        ))
    } else if rng.chance(0.93) {
        let days = rng.geometric(0.55, 20);
        Some((
            world.applicant_after(rng, finish_at, days, false)?,
            ReturnMethod::InPerson,
        ))
    } else {
        None
    };
    let mut last = finish_at;
    if let Some((at, method)) = returned {
        plan.push((at, EventKind::ResultReturned { method }));
        last = at;
    }
    if rng.chance(if online { 0.55 } else { 0.3 }) {
        let unhappy = (0.02 * profile.unhappy
            + if late { 0.3 } else { 0.0 }
            + if rounds > 0 { 0.04 } else { 0.0 })
        .min(0.95);
        let satisfied = !rng.chance(unhappy);
        let at = last + Duration::minutes(rng.between(1, 2 * 24 * 60) as i64);
        plan.push((at, EventKind::Rated { satisfied }));
        last = at;
    }
    // --- Feedback or complaints (766 indicator 5.4) ---
    if side.chance(if late { 0.12 } else { 0.01 }) {
        let at = last + Duration::minutes(side.between(30, 3 * 24 * 60) as i64);
        let summary = pick_str(&mut side, FEEDBACK_SUMMARIES);
        plan.push((at, EventKind::FeedbackFiled { summary }));
    }
    s.emit_all(rng, plan)
}

/// What applicants' feedback is about.
const FEEDBACK_SUMMARIES: &[&str] = &[
    "Trả kết quả chậm so với giấy hẹn",
    "Yêu cầu bổ sung giấy tờ nhiều lần",
    "Thái độ tiếp nhận chưa đúng mực",
    "Không nhận được thông báo kết quả",
];
