//! The compact binary form of an event, as the SQLite store keeps it: about 90 bytes where the
//! JSON line takes about 240, and decoded with no parsing of text.
//!
//! Layout (all integers little-endian; `varint` is LEB128, `zigzag` maps signed to unsigned):
//!
//! | field | encoding |
//! |---|---|
//! | marker | the byte `0xB1` (a JSON line starts with `{`, so both forms can share a column) |
//! | event id | 16 bytes |
//! | dossier id | varint length + UTF-8 |
//! | sequence | varint |
//! | occurred at | unix seconds (8 bytes), nanoseconds (varint), UTC offset in seconds (zigzag varint) |
//! | flags | one byte: bit 0 when recorded at differs from occurred at (instant or offset); bits 1, 2, 3 when the metadata has an officer, a correlation id, a causation id |
//! | recorded at | when bit 0 is set: the instant as above |
//! | kind | one byte: the index of the type in [`EventKind::NAMES`] |
//! | fields of the kind | in declaration order: strings as varint length + UTF-8, booleans and enums as one byte, numbers as varints, instants as above |
//! | metadata | what the flags announce, in order: the officer (varint length + UTF-8), the correlation id (16 bytes), the causation id (16 bytes) |
//!
//! Before events had metadata the flags byte was only `0` or `1` (the recorded-instant flag),
//! so every body written then reads as the same event with empty metadata, and an event without
//! metadata is still written byte for byte as then: the common case costs nothing.
//!
//! Decoding checks everything (lengths, UTF-8, flag and enum bytes, instants in range, valid
//! officer ids, no bytes left over) and names the first thing wrong; it never panics on any
//! input.

use motcua_core::{
    Channel, DossierId, Event, EventKind, EventMetadata, OfficerId, ProcedureCode, ReturnMethod,
    UnitId,
};
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// The first byte of every compact body.
pub const MARKER: u8 = 0xB1;

/// Why a compact body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("byte {at}: {what}")]
pub struct CompactError {
    /// Offset in the body where decoding stopped.
    pub at: usize,
    /// What was wrong there.
    pub what: &'static str,
}

/// Flag bit: recorded at differs from occurred at and follows the flags.
const RECORDED: u8 = 1;
/// Flag bit: the metadata names an officer.
const OFFICER: u8 = 1 << 1;
/// Flag bit: the metadata has a correlation id.
const CORRELATION: u8 = 1 << 2;
/// Flag bit: the metadata has a causation id.
const CAUSATION: u8 = 1 << 3;

/// Appends the compact form of `event` to `out`.
pub fn encode_into(out: &mut Vec<u8>, event: &Event) {
    out.push(MARKER);
    out.extend_from_slice(event.event_id.as_bytes());
    put_str(out, event.dossier_id.as_str());
    put_varint(out, event.sequence);
    put_instant(out, event.occurred_at);
    let meta = &event.metadata;
    let recorded = !same_instant(event.recorded_at, event.occurred_at);
    let flag = |set: bool, bit: u8| if set { bit } else { 0 };
    out.push(
        flag(recorded, RECORDED)
            | flag(meta.officer.is_some(), OFFICER)
            | flag(meta.correlation_id.is_some(), CORRELATION)
            | flag(meta.causation_id.is_some(), CAUSATION),
    );
    if recorded {
        put_instant(out, event.recorded_at);
    }
    put_kind(out, &event.kind);
    if let Some(officer) = &meta.officer {
        put_str(out, officer.as_str());
    }
    for id in [meta.correlation_id, meta.causation_id]
        .into_iter()
        .flatten()
    {
        out.extend_from_slice(id.as_bytes());
    }
}

/// The compact form of `event`.
///
/// ```
/// use motcua_core::{Event, EventKind};
/// use motcua_store::codec::compact;
/// use time::macros::datetime;
///
/// let event = Event {
///     event_id: uuid::Uuid::from_u128(1),
///     dossier_id: "H26-0001".into(),
///     sequence: 1,
///     occurred_at: datetime!(2024-03-04 09:00 +7),
///     recorded_at: datetime!(2024-03-04 09:00 +7),
///     kind: EventKind::Rated { satisfied: true },
///     metadata: Default::default(),
/// };
/// let body = compact::encode(&event);
/// assert_eq!(body.len(), 42);
/// assert_eq!(compact::decode(&body)?, event);
/// # Ok::<(), compact::CompactError>(())
/// ```
pub fn encode(event: &Event) -> Vec<u8> {
    let mut out = Vec::with_capacity(96);
    encode_into(&mut out, event);
    out
}

pub(crate) fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        // Truncation intended: the low seven bits with the continuation bit.
        out.push((n as u8 & 0x7F) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

pub(crate) fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

pub(crate) fn put_instant(out: &mut Vec<u8>, at: OffsetDateTime) {
    out.extend_from_slice(&at.unix_timestamp().to_le_bytes());
    put_varint(out, u64::from(at.nanosecond()));
    put_varint(out, zigzag(i64::from(at.offset().whole_seconds())));
}

/// Equal instants with equal offsets (`==` on `OffsetDateTime` ignores the offset).
fn same_instant(a: OffsetDateTime, b: OffsetDateTime) -> bool {
    a == b && a.offset() == b.offset()
}

fn channel_byte(c: Channel) -> u8 {
    match c {
        Channel::InPerson => 0,
        Channel::Online => 1,
        Channel::Postal => 2,
    }
}

fn method_byte(m: ReturnMethod) -> u8 {
    match m {
        ReturnMethod::InPerson => 0,
        ReturnMethod::Online => 1,
        ReturnMethod::Postal => 2,
    }
}

fn put_kind(out: &mut Vec<u8>, kind: &EventKind) {
    // An index into NAMES, which has 21 entries: it fits a byte.
    out.push(kind.index() as u8);
    match kind {
        EventKind::Submitted {
            procedure,
            unit,
            channel,
        }
        | EventKind::Received {
            procedure,
            unit,
            channel,
        } => {
            put_str(out, procedure.as_str());
            put_str(out, unit.as_str());
            out.push(channel_byte(*channel));
        }
        EventKind::RefusedAtReception { reason }
        | EventKind::SupplementRequested { reason }
        | EventKind::Withdrawn { reason }
        | EventKind::Stopped { reason } => put_str(out, reason),
        EventKind::StepStarted { step, unit } => {
            put_str(out, step);
            put_str(out, unit.as_str());
        }
        EventKind::StepFinished { step } => put_str(out, step),
        EventKind::Transferred { from, to } => {
            put_str(out, from.as_str());
            put_str(out, to.as_str());
        }
        EventKind::SupplementSupplied | EventKind::SupplementExpired => {}
        EventKind::PaymentRequested { amount_vnd } => put_varint(out, *amount_vnd),
        EventKind::PaymentMade { online } => out.push(u8::from(*online)),
        EventKind::ApologyIssued { new_due, reason } => {
            put_instant(out, *new_due);
            put_str(out, reason);
        }
        EventKind::DueExtended {
            new_due,
            legal_basis,
        } => {
            put_instant(out, *new_due);
            put_str(out, legal_basis);
        }
        EventKind::ResultReady { electronic } => out.push(u8::from(*electronic)),
        EventKind::ResultReturned { method } => out.push(method_byte(*method)),
        EventKind::Rated { satisfied } => out.push(u8::from(*satisfied)),
        EventKind::Digitised {
            components,
            digitised,
            reused,
        } => {
            put_varint(out, u64::from(*components));
            put_varint(out, u64::from(*digitised));
            put_varint(out, u64::from(*reused));
        }
        EventKind::FeedbackFiled { summary } => put_str(out, summary),
        EventKind::CalendarReevaluated { calendar } => put_str(out, calendar),
    }
}

/// Codes kept by a [`Decoder`] at most; beyond that, codes are decoded without sharing.
const SHARED_CODES: usize = 4_096;

/// Decodes many bodies, sharing the text of repeated codes: a dossier id equal to the previous
/// body's, and procedure and unit codes seen before, are clones of one shared string instead
/// of new allocations. The result is equal to [`decode`]'s.
///
/// ```
/// use motcua_store::codec::compact::{self, Decoder};
/// # use motcua_core::{Event, EventKind};
/// # let event = Event { event_id: uuid::Uuid::from_u128(1), dossier_id: "H26-0001".into(), sequence: 1,
/// #     occurred_at: time::macros::datetime!(2024-03-04 09:00 +7), recorded_at: time::macros::datetime!(2024-03-04 09:00 +7),
/// #     kind: EventKind::Rated { satisfied: true }, metadata: Default::default() };
/// let body = compact::encode(&event);
/// let mut decoder = Decoder::default();
/// assert_eq!(decoder.decode(&body)?, compact::decode(&body)?);
/// # Ok::<(), compact::CompactError>(())
/// ```
#[derive(Debug, Default)]
pub struct Decoder {
    last_dossier: Option<DossierId>,
    procedures: std::collections::HashMap<Box<str>, ProcedureCode>,
    units: std::collections::HashMap<Box<str>, UnitId>,
    officers: std::collections::HashMap<Box<str>, OfficerId>,
}

impl Decoder {
    /// The event a compact body holds; see [`decode`].
    ///
    /// # Errors
    /// As [`decode`].
    pub fn decode(&mut self, body: &[u8]) -> Result<Event, CompactError> {
        decode_with(body, Some(self))
    }

    pub(crate) fn dossier(&mut self, text: &str) -> DossierId {
        match &self.last_dossier {
            Some(last) if last.as_str() == text => last.clone(),
            _ => {
                let id = DossierId::new(text);
                self.last_dossier = Some(id.clone());
                id
            }
        }
    }

    fn procedure(&mut self, text: &str) -> ProcedureCode {
        shared(&mut self.procedures, text, |t| ProcedureCode::new(t))
    }

    fn unit(&mut self, text: &str) -> UnitId {
        shared(&mut self.units, text, |t| UnitId::new(t))
    }
}

fn shared<T: Clone>(
    codes: &mut std::collections::HashMap<Box<str>, T>,
    text: &str,
    make: fn(&str) -> T,
) -> T {
    if let Some(code) = codes.get(text) {
        return code.clone();
    }
    let code = make(text);
    if codes.len() < SHARED_CODES {
        codes.insert(Box::from(text), code.clone());
    }
    code
}

/// A cursor over a body being decoded.
pub(crate) struct Reader<'b, 'd> {
    pub(crate) bytes: &'b [u8],
    pub(crate) at: usize,
    pub(crate) decoder: Option<&'d mut Decoder>,
}

impl<'b> Reader<'b, '_> {
    pub(crate) fn procedure(&mut self) -> Result<ProcedureCode, CompactError> {
        let text = self.str()?;
        Ok(match self.decoder.as_deref_mut() {
            Some(d) => d.procedure(text),
            None => ProcedureCode::new(text),
        })
    }

    pub(crate) fn unit(&mut self) -> Result<UnitId, CompactError> {
        let text = self.str()?;
        Ok(match self.decoder.as_deref_mut() {
            Some(d) => d.unit(text),
            None => UnitId::new(text),
        })
    }

    pub(crate) fn fail<T>(&self, what: &'static str) -> Result<T, CompactError> {
        Err(CompactError { at: self.at, what })
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'b [u8], CompactError> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        match end.and_then(|end| self.bytes.get(self.at..end).map(|s| (end, s))) {
            Some((end, slice)) => {
                self.at = end;
                Ok(slice)
            }
            None => self.fail("the body ends too early"),
        }
    }

    pub(crate) fn byte(&mut self) -> Result<u8, CompactError> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn varint(&mut self) -> Result<u64, CompactError> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7F);
            if shift == 63 && bits > 1 {
                return self.fail("a number is too large");
            }
            n |= bits << shift;
            if b & 0x80 == 0 {
                if shift > 0 && b == 0 {
                    return self.fail("a number is not in its shortest form");
                }
                return Ok(n);
            }
        }
        self.fail("a number is too large")
    }

    pub(crate) fn u32(&mut self) -> Result<u32, CompactError> {
        let n = self.varint()?;
        u32::try_from(n).or_else(|_| self.fail("a count is too large"))
    }

    pub(crate) fn bool(&mut self) -> Result<bool, CompactError> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => self.fail("a flag is neither 0 nor 1"),
        }
    }

    pub(crate) fn str(&mut self) -> Result<&'b str, CompactError> {
        let len = self.varint()?;
        let len = usize::try_from(len).or_else(|_| self.fail("a text is too long"))?;
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).or_else(|_| self.fail("a text is not UTF-8"))
    }

    fn string(&mut self) -> Result<String, CompactError> {
        self.str().map(str::to_owned)
    }

    fn uuid(&mut self) -> Result<Uuid, CompactError> {
        let bytes = self.take(16)?;
        let mut raw = [0u8; 16];
        raw.copy_from_slice(bytes);
        Ok(Uuid::from_bytes(raw))
    }

    /// The metadata the flags announce.
    fn metadata(&mut self, flags: u8) -> Result<EventMetadata, CompactError> {
        let officer = if flags & OFFICER != 0 {
            Some(self.officer()?)
        } else {
            None
        };
        let mut id = |bit: u8| -> Result<Option<Uuid>, CompactError> {
            if flags & bit != 0 {
                self.uuid().map(Some)
            } else {
                Ok(None)
            }
        };
        let correlation_id = id(CORRELATION)?;
        let causation_id = id(CAUSATION)?;
        Ok(EventMetadata {
            officer,
            correlation_id,
            causation_id,
        })
    }

    /// An officer id (a text), checked; shared with the decoder's earlier ones.
    pub(crate) fn officer(&mut self) -> Result<OfficerId, CompactError> {
        let text = self.str()?;
        let known = self
            .decoder
            .as_deref()
            .and_then(|d| d.officers.get(text).cloned());
        if let Some(officer) = known {
            return Ok(officer);
        }
        let Ok(officer) = OfficerId::new(text) else {
            return self.fail("an officer id is not valid");
        };
        if let Some(d) = self.decoder.as_deref_mut() {
            if d.officers.len() < SHARED_CODES {
                d.officers.insert(Box::from(text), officer.clone());
            }
        }
        Ok(officer)
    }

    pub(crate) fn instant(&mut self) -> Result<OffsetDateTime, CompactError> {
        let secs = self.take(8)?;
        let mut raw = [0u8; 8];
        raw.copy_from_slice(secs);
        let secs = i64::from_le_bytes(raw);
        let nanos = self.u32()?;
        let offset = i32::try_from(unzigzag(self.varint()?))
            .ok()
            .and_then(|s| UtcOffset::from_whole_seconds(s).ok());
        let Some(offset) = offset else {
            return self.fail("a UTC offset is out of range");
        };
        // The local date and time are the UTC ones shifted by the offset: build them directly
        // and attach the offset, instead of converting.
        secs.checked_add(i64::from(offset.whole_seconds()))
            .and_then(|local| OffsetDateTime::from_unix_timestamp(local).ok())
            .and_then(|t| t.replace_nanosecond(nanos).ok())
            .map(|t| t.replace_offset(offset))
            .map_or_else(|| self.fail("an instant is out of range"), Ok)
    }

    pub(crate) fn channel(&mut self) -> Result<Channel, CompactError> {
        match self.byte()? {
            0 => Ok(Channel::InPerson),
            1 => Ok(Channel::Online),
            2 => Ok(Channel::Postal),
            _ => self.fail("unknown channel"),
        }
    }

    fn method(&mut self) -> Result<ReturnMethod, CompactError> {
        match self.byte()? {
            0 => Ok(ReturnMethod::InPerson),
            1 => Ok(ReturnMethod::Online),
            2 => Ok(ReturnMethod::Postal),
            _ => self.fail("unknown return method"),
        }
    }

    fn kind(&mut self) -> Result<EventKind, CompactError> {
        // The tag is `EventKind::index()`: declaration order, as in `EventKind::NAMES`.
        Ok(match self.byte()? {
            0 => EventKind::Submitted {
                procedure: self.procedure()?,
                unit: self.unit()?,
                channel: self.channel()?,
            },
            1 => EventKind::Received {
                procedure: self.procedure()?,
                unit: self.unit()?,
                channel: self.channel()?,
            },
            2 => EventKind::RefusedAtReception {
                reason: self.string()?,
            },
            3 => EventKind::StepStarted {
                step: self.string()?,
                unit: self.unit()?,
            },
            4 => EventKind::StepFinished {
                step: self.string()?,
            },
            5 => EventKind::Transferred {
                from: self.unit()?,
                to: self.unit()?,
            },
            6 => EventKind::SupplementRequested {
                reason: self.string()?,
            },
            7 => EventKind::SupplementSupplied,
            8 => EventKind::SupplementExpired,
            9 => EventKind::PaymentRequested {
                amount_vnd: self.varint()?,
            },
            10 => EventKind::PaymentMade {
                online: self.bool()?,
            },
            11 => EventKind::ApologyIssued {
                new_due: self.instant()?,
                reason: self.string()?,
            },
            12 => EventKind::DueExtended {
                new_due: self.instant()?,
                legal_basis: self.string()?,
            },
            13 => EventKind::Withdrawn {
                reason: self.string()?,
            },
            14 => EventKind::Stopped {
                reason: self.string()?,
            },
            15 => EventKind::ResultReady {
                electronic: self.bool()?,
            },
            16 => EventKind::ResultReturned {
                method: self.method()?,
            },
            17 => EventKind::Rated {
                satisfied: self.bool()?,
            },
            18 => EventKind::Digitised {
                components: self.u32()?,
                digitised: self.u32()?,
                reused: self.u32()?,
            },
            19 => EventKind::FeedbackFiled {
                summary: self.string()?,
            },
            20 => EventKind::CalendarReevaluated {
                calendar: self.string()?,
            },
            _ => return self.fail("unknown event type"),
        })
    }
}

/// Whether `body` is in the compact form (it starts with [`MARKER`]).
pub fn is_compact(body: &[u8]) -> bool {
    body.first() == Some(&MARKER)
}

/// The dossier and sequence number a compact body names, read from its first bytes without
/// decoding the rest (a scan groups rows by them before decoding).
///
/// ```
/// use motcua_core::{Event, EventKind};
/// use motcua_store::codec::compact;
/// use time::macros::datetime;
///
/// let event = Event {
///     event_id: uuid::Uuid::from_u128(1),
///     dossier_id: "H26-0001".into(),
///     sequence: 3,
///     occurred_at: datetime!(2024-03-04 09:00 +7),
///     recorded_at: datetime!(2024-03-04 09:00 +7),
///     kind: EventKind::Rated { satisfied: true },
///     metadata: Default::default(),
/// };
/// assert_eq!(compact::stream_place(&compact::encode(&event))?, ("H26-0001", 3));
/// assert!(compact::stream_place(b"{\"v\":1}").is_err());
/// # Ok::<(), compact::CompactError>(())
/// ```
///
/// # Errors
/// [`CompactError`] for a body that is not compact or ends (or holds other than UTF-8) before
/// the sequence number.
pub fn stream_place(body: &[u8]) -> Result<(&str, u64), CompactError> {
    let mut r = Reader {
        bytes: body,
        at: 0,
        decoder: None,
    };
    if r.byte()? != MARKER {
        return r.fail("not a compact event body");
    }
    r.take(16)?;
    let dossier = r.str()?;
    let sequence = r.varint()?;
    Ok((dossier, sequence))
}

/// The event a compact body holds.
///
/// # Errors
/// [`CompactError`] naming the byte offset and what was wrong: a missing marker, a truncated
/// body, text that is not UTF-8, an unknown type or enum byte, an instant out of range, or
/// bytes left over.
pub fn decode(body: &[u8]) -> Result<Event, CompactError> {
    decode_with(body, None)
}

fn decode_with(body: &[u8], decoder: Option<&mut Decoder>) -> Result<Event, CompactError> {
    let mut r = Reader {
        bytes: body,
        at: 0,
        decoder,
    };
    if r.byte()? != MARKER {
        return Err(CompactError {
            at: 0,
            what: "not a compact event body",
        });
    }
    let event_id = r.uuid()?;
    let dossier_text = r.str()?;
    let dossier_id = match r.decoder.as_deref_mut() {
        Some(d) => d.dossier(dossier_text),
        None => DossierId::new(dossier_text),
    };
    let sequence = r.varint()?;
    let occurred_at = r.instant()?;
    let flags = r.byte()?;
    if flags & !(RECORDED | OFFICER | CORRELATION | CAUSATION) != 0 {
        return r.fail("the flags byte has bits no version sets");
    }
    let recorded_at = if flags & RECORDED == 0 {
        occurred_at
    } else {
        let at = r.instant()?;
        if same_instant(at, occurred_at) {
            return r.fail("a recorded instant equal to the occurred one is not written");
        }
        at
    };
    let kind = r.kind()?;
    let metadata = r.metadata(flags)?;
    if r.at != body.len() {
        return r.fail("bytes left over after the event");
    }
    Ok(Event {
        event_id,
        dossier_id,
        sequence,
        occurred_at,
        recorded_at,
        metadata,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn kinds() -> Vec<EventKind> {
        let at = datetime!(2024-03-04 09:00:00.123456789 -3:30);
        vec![
            EventKind::Submitted {
                procedure: "1.001193".into(),
                unit: "XA01".into(),
                channel: Channel::Online,
            },
            EventKind::Received {
                procedure: "2.000815".into(),
                unit: "H19.02".into(),
                channel: Channel::Postal,
            },
            EventKind::RefusedAtReception {
                reason: "thiếu giấy tờ".into(),
            },
            EventKind::StepStarted {
                step: "thẩm định".into(),
                unit: "S01".into(),
            },
            EventKind::StepFinished { step: "x".into() },
            EventKind::Transferred {
                from: "A".into(),
                to: "B".into(),
            },
            EventKind::SupplementRequested { reason: "".into() },
            EventKind::SupplementSupplied,
            EventKind::SupplementExpired,
            EventKind::PaymentRequested {
                amount_vnd: u64::MAX,
            },
            EventKind::PaymentMade { online: true },
            EventKind::ApologyIssued {
                new_due: at,
                reason: "r".into(),
            },
            EventKind::DueExtended {
                new_due: at,
                legal_basis: "Điều 5".into(),
            },
            EventKind::Withdrawn { reason: "w".into() },
            EventKind::Stopped { reason: "s".into() },
            EventKind::ResultReady { electronic: false },
            EventKind::ResultReturned {
                method: ReturnMethod::Postal,
            },
            EventKind::Rated { satisfied: false },
            EventKind::Digitised {
                components: u32::MAX,
                digitised: 3,
                reused: 0,
            },
            EventKind::FeedbackFiled {
                summary: "chậm".into(),
            },
            EventKind::CalendarReevaluated {
                calendar: "vn@abc".into(),
            },
        ]
    }

    fn event(kind: EventKind) -> Event {
        Event {
            event_id: Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
            dossier_id: "H19.20.03-240101-0001".into(),
            sequence: 300,
            occurred_at: datetime!(1900-01-01 00:00 +7),
            recorded_at: datetime!(2199-12-31 23:59:59.999999999 +14),
            kind,
            metadata: Default::default(),
        }
    }

    #[test]
    fn every_kind_round_trips_and_every_name_has_its_tag() {
        let kinds = kinds();
        assert_eq!(kinds.len(), EventKind::NAMES.len());
        // SupplementSupplied has no fields: its tag is its last byte.
        let tag_at = encode(&event(EventKind::SupplementSupplied)).len() - 1;
        for (i, kind) in kinds.into_iter().enumerate() {
            assert_eq!(kind.name(), EventKind::NAMES[i]);
            let e = event(kind);
            let body = encode(&e);
            assert_eq!(body[tag_at], i as u8, "{}", e.kind.name());
            assert_eq!(decode(&body), Ok(e));
        }
    }

    #[test]
    fn a_typical_event_is_far_smaller_than_its_json_line() {
        let mut e = event(kinds().swap_remove(0));
        e.recorded_at = e.occurred_at;
        let mut line = Vec::new();
        motcua_io::write_event(&mut line, &e).unwrap();
        assert_eq!((encode(&e).len(), line.len()), (70, 269));
    }

    #[test]
    fn damaged_bodies_name_the_byte() {
        let body = encode(&event(EventKind::Rated { satisfied: true }));
        let last = body.len() - 1;
        let mut bad = body.clone();
        bad[last] = 2;
        assert_eq!(
            decode(&bad).unwrap_err().to_string(),
            format!("byte {}: a flag is neither 0 nor 1", last + 1)
        );
        assert_eq!(
            decode(&body[..last]).unwrap_err().to_string(),
            format!("byte {last}: the body ends too early")
        );
        let mut long = body.clone();
        long.push(0);
        assert_eq!(
            decode(&long).unwrap_err().what,
            "bytes left over after the event"
        );
        assert_eq!(decode(b"{}").unwrap_err().what, "not a compact event body");
        let mut tag = body;
        tag[last - 1] = 99;
        assert_eq!(decode(&tag).unwrap_err().what, "unknown event type");
    }

    /// Bodies written by the encoder before events had metadata, kept as bytes.
    const BEFORE_METADATA: [&str; 2] = [
        "b16f1c2a8e000040008000000000000001124832362e31322d3234303330342d3030303101202be5650000000000e08903000108312e303031313933045841303100",
        "b16f1c2a8e000040008000000000000002124832362e31322d3234303330342d30303031023039e5650000000000e08903017a3ae5650000000080cab5ee01e08903030e7468e1baa96d20c491e1bb8b6e680458413031",
    ];

    fn unhex(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    }

    fn before_metadata() -> [Event; 2] {
        let dossier: DossierId = "H26.12-240304-0001".into();
        [
            Event {
                event_id: Uuid::from_u128(0x6f1c2a8e_0000_4000_8000_000000000001),
                dossier_id: dossier.clone(),
                sequence: 1,
                occurred_at: datetime!(2024-03-04 09:00 +7),
                recorded_at: datetime!(2024-03-04 09:00 +7),
                metadata: EventMetadata::default(),
                kind: EventKind::Received {
                    procedure: "1.001193".into(),
                    unit: "XA01".into(),
                    channel: Channel::InPerson,
                },
            },
            Event {
                event_id: Uuid::from_u128(0x6f1c2a8e_0000_4000_8000_000000000002),
                dossier_id: dossier,
                sequence: 2,
                occurred_at: datetime!(2024-03-04 10:00 +7),
                recorded_at: datetime!(2024-03-04 10:05:30.5 +7),
                metadata: EventMetadata::default(),
                kind: EventKind::StepStarted {
                    step: "thẩm định".into(),
                    unit: "XA01".into(),
                },
            },
        ]
    }

    #[test]
    fn bodies_written_before_metadata_read_the_same_and_are_still_written_alike() {
        for (hex, event) in BEFORE_METADATA.iter().zip(before_metadata()) {
            let body = unhex(hex);
            assert_eq!(decode(&body), Ok(event.clone()));
            assert_eq!(encode(&event), body);
        }
    }

    #[test]
    fn metadata_round_trips_in_every_combination() {
        let officer = OfficerId::new("Nguyễn Văn A (cb.01)").unwrap();
        let base = before_metadata()[1].clone();
        for bits in 0u8..8 {
            let metadata = EventMetadata {
                officer: (bits & 1 != 0).then(|| officer.clone()),
                correlation_id: (bits & 2 != 0).then(|| Uuid::from_u128(0xC0)),
                causation_id: (bits & 4 != 0).then(|| Uuid::from_u128(0xCA)),
            };
            let event = Event {
                metadata,
                ..base.clone()
            };
            let body = encode(&event);
            assert_eq!(decode(&body), Ok(event.clone()), "{bits}");
            assert_eq!(Decoder::default().decode(&body), Ok(event), "{bits}");
        }
        // An officer adds its length and text; each id 16 bytes.
        let signed = Event {
            metadata: EventMetadata::by(OfficerId::new("cb.01").unwrap()),
            ..base.clone()
        };
        assert_eq!(encode(&signed).len(), encode(&base).len() + 6);
    }

    #[test]
    fn bad_flags_and_officers_name_the_byte() {
        let base = before_metadata()[0].clone();
        let body = encode(&base);
        // The flags byte follows the occurred instant.
        let mut instant = Vec::new();
        put_instant(&mut instant, base.occurred_at);
        let flags_at = 1 + 16 + 1 + base.dossier_id.as_str().len() + 1 + instant.len();
        assert_eq!(body[flags_at], 0);
        let mut bad = body.clone();
        bad[flags_at] = 0x10;
        assert_eq!(
            decode(&bad).unwrap_err(),
            CompactError {
                at: flags_at + 1,
                what: "the flags byte has bits no version sets"
            }
        );
        let mut bad = body.clone();
        bad[flags_at] = OFFICER;
        bad.extend_from_slice(&[1, b' ']);
        assert_eq!(decode(&bad).unwrap_err().what, "an officer id is not valid");
        let mut short = body;
        short[flags_at] = CAUSATION;
        short.extend_from_slice(&[0; 15]);
        assert_eq!(decode(&short).unwrap_err().what, "the body ends too early");
    }

    proptest! {
        #[test]
        fn any_bytes_decode_or_fail_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            let mut body = vec![MARKER];
            body.extend_from_slice(&bytes);
            if let Ok(e) = decode(&body) {
                prop_assert_eq!(encode(&e), body);
            }
        }

        #[test]
        fn a_shared_decoder_decodes_like_a_fresh_one(picks in proptest::collection::vec((0usize..21, 0u8..3), 1..40)) {
            let kinds = kinds();
            let mut decoder = Decoder::default();
            for (k, d) in picks {
                let mut e = event(kinds[k].clone());
                e.dossier_id = DossierId::new(format!("D{d}"));
                let body = encode(&e);
                prop_assert_eq!(decoder.decode(&body), Ok(e));
            }
        }

        #[test]
        fn instants_round_trip(secs in -377_705_116_800i64..253_402_300_799, nanos in 0u32..1_000_000_000, off in -93_599i32..93_599) {
            let offset = UtcOffset::from_whole_seconds(off).unwrap();
            let Some(at) = OffsetDateTime::from_unix_timestamp(secs).unwrap()
                .replace_nanosecond(nanos).unwrap().checked_to_offset(offset) else { return Ok(()); };
            let mut e = event(EventKind::SupplementSupplied);
            e.occurred_at = at;
            prop_assert_eq!(decode(&encode(&e)), Ok(e));
        }
    }
}
