//! The compact binary form of a dossier's [`Standing`], as the desk's projection keeps it beside
//! the dossier's events: read instead of the events when a list is judged at a later instant.
//!
//! Layout (the primitives of [`compact`](super::compact): varints, strings as varint length +
//! UTF-8, instants as Unix seconds, nanoseconds and UTC offset; an optional value is a byte `0`,
//! or `1` and the value; flags are one byte `0` or `1`):
//!
//! | field | encoding |
//! |---|---|
//! | marker | the byte `0xB5` |
//! | taken at, calendar hash | instant, 8 bytes little-endian |
//! | clock basis | counting from (optional instant), paused minutes (varint), stopped at (optional instant) |
//! | ids | dossier, procedure, receiving unit, current unit (strings) |
//! | channel, status, national code | one byte each (status: its index in `Status::ALL`) |
//! | instants | submitted, received, finished, official due, promised due, accept by, supplement due (optional instants) |
//! | flags | promised overdue, accept overdue, supplement overdue, supplement expired |
//! | clock | one byte: not started, running, paused (supplement), paused (payment), stopped, no limit |
//! | minutes | used, left, overdue (varints) |
//! | judgement | time class (one byte), late reason (optional byte) |
//! | supplement rounds | varint |
//! | steps | count (varint), then each: step, unit (strings), started (instant), finished, due (optional instants), late (flag) |
//! | outcome | electronic result, paid online, satisfied (optional flags), rated at (optional instant), digitisation (optional, three varints), feedback (varint) |
//!
//! The open-dossier projection keeps each open dossier's handlers after its standing
//! ([`encode_open`], [`Decoder::decode_open_standing`]), so that who answers for an alarm is
//! known without the events; a standing stored before them decodes with none (its alarms are
//! then judged from its events):
//!
//! | field | encoding |
//! |---|---|
//! | marker | the byte `0xB6` |
//! | step runs | count (varint, as many as the standing's steps), then each: started by (optional officer), finished (flag), finished by (optional officer) |
//! | latest officer named | optional officer |
//!
//! (an officer: its id as a string.)
//!
//! Decoding checks every byte and names the first thing wrong; it never panics on any input.

use super::compact::{put_instant, put_str, put_varint, CompactError, Decoder, Reader};
use motcua_core::{
    ClockBasis, ClockState, DossierHandlers, DossierView, LateReason, OfficerId, PauseCause,
    Standing, Status, StepHandlers, StepView, TimeClass,
};
use time::OffsetDateTime;

/// The first byte of every standing.
pub const MARKER: u8 = 0xB5;

/// The first byte of the handlers kept after an open dossier's standing.
pub const HANDLERS_MARKER: u8 = 0xB6;

const TIME_CLASSES: [TimeClass; 7] = [
    TimeClass::Early,
    TimeClass::OnTime,
    TimeClass::Late,
    TimeClass::WithinTime,
    TimeClass::DueSoon,
    TimeClass::Overdue,
    TimeClass::NotJudged,
];

const CLOCKS: [ClockState; 6] = [
    ClockState::NotStarted,
    ClockState::Running,
    ClockState::Paused(PauseCause::Supplement),
    ClockState::Paused(PauseCause::Payment),
    ClockState::Stopped,
    ClockState::NoLimit,
];

const LATE_REASONS: [LateReason; 2] = [LateReason::PastDue, LateReason::MultipleSupplements];

const CHANNELS: [motcua_core::Channel; 3] = [
    motcua_core::Channel::InPerson,
    motcua_core::Channel::Online,
    motcua_core::Channel::Postal,
];

/// The index of `value` in `table` as a byte (every table here has fewer than 256 entries).
fn index<T: PartialEq>(table: &[T], value: &T) -> u8 {
    table.iter().position(|v| v == value).unwrap_or(0) as u8
}

/// The compact form of a standing.
///
/// ```
/// use motcua_store::codec::standing::{decode, encode};
/// # use motcua_core::calendar::Calendar;
/// # use motcua_core::{Catalogue, Channel, Context, DossierId, Event, EventKind, Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
/// # let catalogue = Catalogue::new(vec![Unit { id: UnitId::new("X"), name: "X".into(), level: Level::Commune, parent: None }],
/// #   vec![Procedure { code: ProcedureCode::new("P"), name: "P".into(), field: "f".into(), level: Level::Commune, units: vec![],
/// #   time_limit: TimeLimit::WorkingDays(3), supplement_policy: Default::default(), payment_pauses_clock: false, supplement_time_limit: None,
/// #   online_service: Default::default(), result_is_document: true, fees: vec![], steps: vec![] }])?;
/// # let received = Event { event_id: uuid::Uuid::nil(), dossier_id: DossierId::new("D"), sequence: 1,
/// #     occurred_at: time::macros::datetime!(2024-03-04 09:00 +7), recorded_at: time::macros::datetime!(2024-03-04 09:00 +7),
/// #     kind: EventKind::Received { procedure: "P".into(), unit: "X".into(), channel: Channel::InPerson }, metadata: Default::default() };
/// let calendar = Calendar::vietnam();
/// let standing = Context::new(&catalogue, &calendar).standing(&[received])?;
/// let bytes = encode(&standing);
/// assert_eq!(decode(&bytes)?, standing);
/// assert!(decode(&bytes[..bytes.len() - 1]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encode(standing: &Standing) -> Vec<u8> {
    let mut out = Vec::with_capacity(160);
    encode_into(&mut out, standing);
    out
}

/// Appends the compact form of `standing` to `out`.
pub fn encode_into(out: &mut Vec<u8>, standing: &Standing) {
    let v = &standing.view;
    let c = &standing.clock;
    out.push(MARKER);
    put_instant(out, standing.at);
    out.extend_from_slice(&standing.calendar.to_le_bytes());
    put_option(out, c.counting_from);
    put_varint(out, c.paused_minutes);
    put_option(out, c.stopped_at);
    for text in [
        v.dossier_id.as_str(),
        v.procedure.as_str(),
        v.unit.as_str(),
        v.current_unit.as_str(),
    ] {
        put_str(out, text);
    }
    out.push(index(&CHANNELS, &v.channel));
    out.push(index(&Status::ALL, &v.status));
    out.push(v.national_code);
    for at in [
        v.submitted_at,
        v.received_at,
        v.finished_at,
        v.official_due,
        v.promised_due,
        v.accept_by,
        v.supplement_due,
    ] {
        put_option(out, at);
    }
    for flag in [
        v.promised_overdue,
        v.accept_overdue,
        v.supplement_overdue,
        v.supplement_expired,
    ] {
        out.push(u8::from(flag));
    }
    out.push(index(&CLOCKS, &v.clock));
    for minutes in [v.used_minutes, v.left_minutes, v.overdue_minutes] {
        put_varint(out, u64::from(minutes));
    }
    out.push(index(&TIME_CLASSES, &v.time_class));
    put_flag_option(out, v.late_reason.map(|r| index(&LATE_REASONS, &r)));
    put_varint(out, u64::from(v.supplement_rounds));
    put_varint(out, v.steps.len() as u64);
    for step in v.steps.iter() {
        put_str(out, &step.step);
        put_str(out, step.unit.as_str());
        put_instant(out, step.started_at);
        put_option(out, step.finished_at);
        put_option(out, step.due);
        out.push(u8::from(step.late));
    }
    for flag in [v.electronic_result, v.paid_online, v.satisfied] {
        put_flag_option(out, flag.map(u8::from));
    }
    put_option(out, v.rated_at);
    match v.digitisation {
        None => out.push(0),
        Some((a, b, c)) => {
            out.push(1);
            for n in [a, b, c] {
                put_varint(out, u64::from(n));
            }
        }
    }
    put_varint(out, u64::from(v.feedback));
}

/// The compact form of an open dossier's standing followed by its handlers, as the
/// open-dossier projection keeps them (the handlers taken from the events the standing was).
///
/// ```
/// use motcua_core::{DossierHandlers, OfficerId, StepHandlers};
/// use motcua_store::codec::compact::Decoder;
/// use motcua_store::codec::standing::{decode, encode, encode_open};
/// # use motcua_core::calendar::Calendar;
/// # use motcua_core::{Catalogue, Channel, Context, DossierId, Event, EventKind, Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
/// # let catalogue = Catalogue::new(vec![Unit { id: UnitId::new("X"), name: "X".into(), level: Level::Commune, parent: None }],
/// #   vec![Procedure { code: ProcedureCode::new("P"), name: "P".into(), field: "f".into(), level: Level::Commune, units: vec![],
/// #   time_limit: TimeLimit::WorkingDays(3), supplement_policy: Default::default(), payment_pauses_clock: false, supplement_time_limit: None,
/// #   online_service: Default::default(), result_is_document: true, fees: vec![], steps: vec![] }])?;
/// # let received = Event { event_id: uuid::Uuid::nil(), dossier_id: DossierId::new("D"), sequence: 1,
/// #     occurred_at: time::macros::datetime!(2024-03-04 09:00 +7), recorded_at: time::macros::datetime!(2024-03-04 09:00 +7),
/// #     kind: EventKind::Received { procedure: "P".into(), unit: "X".into(), channel: Channel::InPerson },
/// #     metadata: motcua_core::EventMetadata::by(OfficerId::new("tn.a")?) };
/// # let calendar = Calendar::vietnam();
/// # let standing = Context::new(&catalogue, &calendar).standing(&[received.clone()])?;
/// let handlers = DossierHandlers::of(&[received]);
/// let bytes = encode_open(&standing, &handlers);
/// let mut decoder = Decoder::default();
/// assert_eq!(decoder.decode_open_standing(&bytes)?, (standing.clone(), Some(handlers)));
/// // A standing stored without handlers decodes with none.
/// assert_eq!(decoder.decode_open_standing(&encode(&standing))?, (standing, None));
/// assert!(decode(&bytes).is_err()); // not a bare standing
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encode_open(standing: &Standing, handlers: &DossierHandlers) -> Vec<u8> {
    let mut out = Vec::with_capacity(224);
    encode_into(&mut out, standing);
    out.push(HANDLERS_MARKER);
    put_varint(&mut out, handlers.steps.len() as u64);
    for run in &handlers.steps {
        put_officer(&mut out, run.started_by.as_ref());
        out.push(u8::from(run.finished));
        put_officer(&mut out, run.finished_by.as_ref());
    }
    put_officer(&mut out, handlers.latest.as_ref());
    out
}

fn put_officer(out: &mut Vec<u8>, officer: Option<&OfficerId>) {
    match officer {
        None => out.push(0),
        Some(officer) => {
            out.push(1);
            put_str(out, officer.as_str());
        }
    }
}

fn put_option(out: &mut Vec<u8>, at: Option<OffsetDateTime>) {
    match at {
        None => out.push(0),
        Some(at) => {
            out.push(1);
            put_instant(out, at);
        }
    }
}

fn put_flag_option(out: &mut Vec<u8>, value: Option<u8>) {
    match value {
        None => out.push(0),
        Some(value) => {
            out.push(1);
            out.push(value);
        }
    }
}

/// The standing a compact body holds.
///
/// # Errors
/// [`CompactError`] naming the byte offset and what was wrong.
pub fn decode(bytes: &[u8]) -> Result<Standing, CompactError> {
    decode_with(bytes, None)
}

impl Decoder {
    /// [`decode`], sharing the procedure and unit codes repeated between the standings of a
    /// read instead of copying each.
    ///
    /// # Errors
    /// As [`decode`].
    pub fn decode_standing(&mut self, bytes: &[u8]) -> Result<Standing, CompactError> {
        decode_with(bytes, Some(self))
    }

    /// An open dossier's standing and, when they were kept after it ([`encode_open`]), its
    /// handlers; a bare standing ([`encode`]) gives none.
    ///
    /// # Errors
    /// As [`decode`]; also when the handlers name a different number of step runs than the
    /// standing holds, or disagree with it on which runs are finished.
    pub fn decode_open_standing(
        &mut self,
        bytes: &[u8],
    ) -> Result<(Standing, Option<DossierHandlers>), CompactError> {
        let mut r = Reader {
            bytes,
            at: 0,
            decoder: Some(self),
        };
        let standing = read_standing(&mut r)?;
        if r.at == bytes.len() {
            return Ok((standing, None));
        }
        if r.byte()? != HANDLERS_MARKER {
            return r.fail("bytes left over after the standing");
        }
        let count = r.varint()?;
        if count != standing.view.steps.len() as u64 {
            return r.fail("handlers for another number of step runs than the standing's");
        }
        let mut steps = Vec::with_capacity(standing.view.steps.len());
        for step in standing.view.steps.iter() {
            let run = StepHandlers {
                started_by: officer_option(&mut r)?,
                finished: r.bool()?,
                finished_by: officer_option(&mut r)?,
            };
            // A run is finished exactly when the standing's step is; only a finished run has
            // a finisher.
            if run.finished != step.finished_at.is_some() {
                return r.fail("a step run's handlers disagree with the standing on its end");
            }
            if !run.finished && run.finished_by.is_some() {
                return r.fail("an open step run names who finished it");
            }
            steps.push(run);
        }
        let latest = officer_option(&mut r)?;
        if r.at != bytes.len() {
            return r.fail("bytes left over after the handlers");
        }
        Ok((standing, Some(DossierHandlers { steps, latest })))
    }
}

fn officer_option(r: &mut Reader<'_, '_>) -> Result<Option<OfficerId>, CompactError> {
    if r.bool()? {
        r.officer().map(Some)
    } else {
        Ok(None)
    }
}

fn decode_with(bytes: &[u8], decoder: Option<&mut Decoder>) -> Result<Standing, CompactError> {
    let mut r = Reader {
        bytes,
        at: 0,
        decoder,
    };
    let standing = read_standing(&mut r)?;
    if r.at != bytes.len() {
        return r.fail("bytes left over after the standing");
    }
    Ok(standing)
}

/// The standing at the reader's start; the caller checks what follows.
fn read_standing(r: &mut Reader<'_, '_>) -> Result<Standing, CompactError> {
    if r.byte()? != MARKER {
        return Err(CompactError {
            at: 0,
            what: "not a standing",
        });
    }
    let at = r.instant()?;
    let mut hash = [0u8; 8];
    hash.copy_from_slice(r.take(8)?);
    let clock = ClockBasis {
        counting_from: option(r)?,
        paused_minutes: r.varint()?,
        stopped_at: option(r)?,
    };
    let dossier_text = r.str()?;
    let dossier_id = match r.decoder.as_deref_mut() {
        Some(d) => d.dossier(dossier_text),
        None => motcua_core::DossierId::new(dossier_text),
    };
    let procedure = r.procedure()?;
    let unit = r.unit()?;
    let current_unit = r.unit()?;
    let channel = r.channel()?;
    let status = pick(r, &Status::ALL, "unknown status")?;
    let national_code = r.byte()?;
    let mut instants = [None; 7];
    for slot in &mut instants {
        *slot = option(r)?;
    }
    let [submitted_at, received_at, finished_at, official_due, promised_due, accept_by, supplement_due] =
        instants;
    let mut flags = [false; 4];
    for slot in &mut flags {
        *slot = r.bool()?;
    }
    let [promised_overdue, accept_overdue, supplement_overdue, supplement_expired] = flags;
    let clock_state = pick(r, &CLOCKS, "unknown clock state")?;
    let used_minutes = r.u32()?;
    let left_minutes = r.u32()?;
    let overdue_minutes = r.u32()?;
    let time_class = pick(r, &TIME_CLASSES, "unknown time class")?;
    let late_reason = if r.bool()? {
        Some(pick(r, &LATE_REASONS, "unknown late reason")?)
    } else {
        None
    };
    let supplement_rounds = u16::try_from(r.varint()?).or_else(|_| r.fail("too many rounds"))?;
    let count = r.varint()?;
    // Each step takes at least 13 bytes: a count beyond what is left is damage, not a size.
    if count > (r.bytes.len().saturating_sub(r.at) / 13) as u64 {
        return r.fail("more steps than the bytes can hold");
    }
    let mut steps = Vec::with_capacity(count as usize);
    for _ in 0..count {
        steps.push(StepView {
            step: r.str()?.to_owned(),
            unit: r.unit()?,
            started_at: r.instant()?,
            finished_at: option(r)?,
            due: option(r)?,
            late: r.bool()?,
        });
    }
    let mut outcome = [None; 3];
    for slot in &mut outcome {
        *slot = if r.bool()? { Some(r.bool()?) } else { None };
    }
    let [electronic_result, paid_online, satisfied] = outcome;
    let rated_at = option(r)?;
    let digitisation = if r.bool()? {
        Some((r.u32()?, r.u32()?, r.u32()?))
    } else {
        None
    };
    let feedback = r.u32()?;
    Ok(Standing {
        at,
        calendar: u64::from_le_bytes(hash),
        clock,
        view: DossierView {
            dossier_id,
            procedure,
            unit,
            current_unit,
            channel,
            status,
            national_code,
            submitted_at,
            received_at,
            finished_at,
            official_due,
            promised_due,
            promised_overdue,
            accept_by,
            accept_overdue,
            clock: clock_state,
            used_minutes,
            left_minutes,
            overdue_minutes,
            time_class,
            late_reason,
            supplement_rounds,
            supplement_due,
            supplement_overdue,
            supplement_expired,
            steps: steps.into_boxed_slice(),
            electronic_result,
            paid_online,
            satisfied,
            rated_at,
            digitisation,
            feedback,
        },
    })
}

fn option(r: &mut Reader<'_, '_>) -> Result<Option<OffsetDateTime>, CompactError> {
    if r.bool()? {
        r.instant().map(Some)
    } else {
        Ok(None)
    }
}

fn pick<T: Copy>(
    r: &mut Reader<'_, '_>,
    table: &[T],
    what: &'static str,
) -> Result<T, CompactError> {
    let byte = r.byte()?;
    match table.get(usize::from(byte)) {
        Some(value) => Ok(*value),
        None => r.fail(what),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_core::calendar::Calendar;
    use motcua_core::Context;
    use proptest::prelude::*;

    /// The standings of a generated province's dossiers, at their last events.
    fn standings() -> Vec<Standing> {
        open_standings().into_iter().map(|(s, _)| s).collect()
    }

    /// The standings of a generated province's dossiers with their handlers as of them.
    fn open_standings() -> Vec<(Standing, DossierHandlers)> {
        let sample = motcua_gen::generate(&motcua_gen::GenConfig {
            dossiers: 400,
            seed: 11,
            ..motcua_gen::GenConfig::default()
        })
        .expect("a sample");
        let calendar = Calendar::vietnam();
        let context = Context::new(&sample.catalogue, &calendar);
        sample
            .streams()
            .into_values()
            .filter_map(|events| {
                let events: Vec<_> = events.into_iter().cloned().collect();
                let standing = context.standing(&events).ok()?;
                Some((standing, DossierHandlers::of(&events)))
            })
            .collect()
    }

    #[test]
    fn every_open_standing_of_a_province_round_trips_with_its_handlers() {
        let all = open_standings();
        let named = |h: &DossierHandlers| {
            h.latest.is_some() && h.steps.iter().any(|s| s.started_by.is_some() && s.finished)
        };
        assert!(all.iter().any(|(_, h)| named(h)), "no officer named");
        let mut decoder = Decoder::default();
        for (standing, handlers) in &all {
            let bytes = encode_open(standing, handlers);
            let decoded = decoder.decode_open_standing(&bytes).expect("decodes");
            assert_eq!(decoded, (standing.clone(), Some(handlers.clone())));
            // A fresh decoder (no officer shared yet) reads the same.
            let fresh = Decoder::default()
                .decode_open_standing(&bytes)
                .expect("decodes");
            assert_eq!(fresh, decoded);
            // Kept before handlers were: the standing, no handlers.
            let bare = decoder
                .decode_open_standing(&encode(standing))
                .expect("decodes");
            assert_eq!(bare, (standing.clone(), None));
        }
    }

    #[test]
    fn damaged_handlers_name_what_is_wrong() {
        let (standing, handlers) = open_standings()
            .into_iter()
            .find(|(s, h)| !s.view.steps.is_empty() && h.latest.is_some())
            .expect("a dossier with steps and officers");
        let bare = encode(&standing);
        let bytes = encode_open(&standing, &handlers);
        let mut decoder = Decoder::default();
        let what = |bytes: &[u8]| {
            Decoder::default()
                .decode_open_standing(bytes)
                .map_err(|e| e.what)
        };
        let mut other = bare.clone();
        other.push(0xB7);
        assert_eq!(what(&other), Err("bytes left over after the standing"));
        let mut more = bare.clone();
        more.extend([HANDLERS_MARKER, standing.view.steps.len() as u8 + 1]);
        assert_eq!(
            what(&more),
            Err("handlers for another number of step runs than the standing's")
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(what(&longer), Err("bytes left over after the handlers"));
        for cut in bare.len() + 1..bytes.len() {
            assert!(
                decoder.decode_open_standing(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        // An officer id that is not one (untrimmed) is refused, not taken.
        let spaced = DossierHandlers {
            latest: OfficerId::new("cv.a").ok(),
            ..handlers.clone()
        };
        let mut bad = encode_open(&standing, &spaced);
        let at = bad.len() - 4;
        bad[at] = b' ';
        assert_eq!(what(&bad), Err("an officer id is not valid"));
        // The handlers are not a bare standing's bytes.
        assert!(decode(&bytes).is_err());
        // A run's end flipped: the standing's step says otherwise.
        let mut flipped = handlers.clone();
        flipped.steps[0].finished = !flipped.steps[0].finished;
        assert_eq!(
            what(&encode_open(&standing, &flipped)),
            Err("a step run's handlers disagree with the standing on its end")
        );
    }

    #[test]
    fn an_open_run_names_no_finisher() {
        let (standing, mut handlers) = open_standings()
            .into_iter()
            .find(|(s, _)| s.view.steps.iter().any(|step| step.finished_at.is_none()))
            .expect("a dossier with an open step");
        let open = standing
            .view
            .steps
            .iter()
            .position(|step| step.finished_at.is_none())
            .expect("an open step");
        handlers.steps[open].finished_by = OfficerId::new("cv.a").ok();
        let bytes = encode_open(&standing, &handlers);
        assert_eq!(
            Decoder::default()
                .decode_open_standing(&bytes)
                .map_err(|e| e.what),
            Err("an open step run names who finished it")
        );
    }

    #[test]
    fn every_standing_of_a_province_round_trips() {
        let all = standings();
        assert!(all.len() > 300);
        assert!(all.iter().any(|s| !s.view.steps.is_empty()));
        let mut decoder = Decoder::default();
        for standing in &all {
            let bytes = encode(standing);
            assert_eq!(&decode(&bytes).expect("decodes"), standing);
            assert_eq!(&decoder.decode_standing(&bytes).expect("decodes"), standing);
        }
    }

    #[test]
    fn damaged_standings_name_the_byte() {
        let standing = standings().swap_remove(0);
        let bytes = encode(&standing);
        assert_eq!(decode(&[0xB1]).map_err(|e| e.what), Err("not a standing"));
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            decode(&longer).map_err(|e| e.at),
            Err(bytes.len()),
            "bytes left over are named where they begin"
        );
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }

    proptest! {
        #[test]
        fn no_bytes_make_decoding_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = decode(&bytes);
            let mut marked = vec![MARKER];
            marked.extend_from_slice(&bytes);
            let _ = decode(&marked);
        }

        #[test]
        fn any_single_changed_byte_decodes_or_fails_without_panicking(at in 0usize..400, to in any::<u8>()) {
            static FIRST: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
            let mut bytes = FIRST.get_or_init(|| encode(&standings().swap_remove(0))).clone();
            if let Some(b) = bytes.get_mut(at) {
                *b = to;
            }
            let _ = decode(&bytes);
        }

        #[test]
        fn no_handlers_make_decoding_panic(bytes in prop::collection::vec(any::<u8>(), 0..120)) {
            static BARE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
            let bare = BARE.get_or_init(|| {
                let with_steps = standings().into_iter().find(|s| !s.view.steps.is_empty());
                encode(&with_steps.expect("a dossier with steps"))
            });
            let mut marked = bare.clone();
            marked.push(HANDLERS_MARKER);
            marked.extend_from_slice(&bytes);
            let _ = Decoder::default().decode_open_standing(&marked);
        }
    }
}
