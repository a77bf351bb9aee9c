//! The fast path for lines in exactly the layout [`crate::write_event`] writes (keys in order,
//! no whitespace, no escapes): read without serde's buffering of the flattened, tagged event.
//! Version 1 lines in that layout (no `meta`) take it too, upcast with empty metadata.
//!
//! It accepts a subset of what the general path accepts and gives the same event for it; any
//! other line (another key order, whitespace, an escape, a value out of range, anything wrong)
//! returns `None` and goes through the general path, which also explains errors. The property
//! tests below check the equivalence on written lines and on damaged ones.

use crate::seen_ids::SeenIds;
use crate::version::{CURRENT_PREFIX, V1_PREFIX};
use motcua_core::{Channel, DossierId, Event, EventKind, EventMetadata, ReturnMethod};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

/// A cursor over one line, with the ids its reader has read before.
struct Line<'a, 's> {
    text: &'a str,
    at: usize,
    seen: &'s mut SeenIds,
}

impl<'a> Line<'a, '_> {
    /// Consumes `expected` exactly.
    fn lit(&mut self, expected: &str) -> Option<()> {
        let rest = self.text.get(self.at..)?;
        if rest.starts_with(expected) {
            self.at += expected.len();
            Some(())
        } else {
            None
        }
    }

    /// A JSON string without escapes or control characters, as a slice of the line.
    fn str(&mut self) -> Option<&'a str> {
        self.lit("\"")?;
        let rest = self.text.get(self.at..)?;
        let end = rest
            .bytes()
            .position(|b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest.as_bytes().get(end) != Some(&b'"') {
            return None;
        }
        let s = rest.get(..end)?;
        self.at += end + 1;
        Some(s)
    }

    /// A JSON integer that fits a u64: digits only, no leading zero.
    fn u64(&mut self) -> Option<u64> {
        let rest = self.text.get(self.at..)?.as_bytes();
        let len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if len == 0 || (len > 1 && rest.first() == Some(&b'0')) {
            return None;
        }
        let mut n: u64 = 0;
        for d in rest.get(..len)? {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
        }
        self.at += len;
        Some(n)
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }

    fn bool(&mut self) -> Option<bool> {
        if self.lit("true").is_some() {
            Some(true)
        } else {
            self.lit("false").map(|()| false)
        }
    }

    fn instant(&mut self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(self.str()?, &Rfc3339).ok()
    }

    /// `,"key":` then a string.
    fn field_str(&mut self, key: &str) -> Option<&'a str> {
        self.key(key)?;
        self.str()
    }

    fn key(&mut self, key: &str) -> Option<()> {
        self.lit(",\"")?;
        self.lit(key)?;
        self.lit("\":")
    }

    /// `"key":` (after a `,` unless `first`), consumed only when all of it is there.
    fn meta_key(&mut self, first: bool, key: &str) -> bool {
        let start = self.at;
        let found = (first || self.lit(",").is_some())
            && self.lit("\"").is_some()
            && self.lit(key).is_some()
            && self.lit("\":").is_some();
        if !found {
            self.at = start;
        }
        found
    }

    fn uuid(&mut self) -> Option<Uuid> {
        Uuid::parse_str(self.str()?).ok()
    }

    /// The `meta` object's value, with its fields in the written order; `None` for an empty
    /// object (never written) and anything else.
    fn metadata(&mut self) -> Option<EventMetadata> {
        self.lit("{")?;
        let mut meta = EventMetadata::default();
        let mut first = true;
        if self.meta_key(first, "officer") {
            let officer = self.str()?;
            meta.officer = Some(self.seen.officer(officer)?);
            first = false;
        }
        if self.meta_key(first, "correlation_id") {
            meta.correlation_id = Some(self.uuid()?);
            first = false;
        }
        if self.meta_key(first, "causation_id") {
            meta.causation_id = Some(self.uuid()?);
            first = false;
        }
        if first {
            return None;
        }
        self.lit("}")?;
        Some(meta)
    }

    fn channel(&mut self) -> Option<Channel> {
        match self.str()? {
            "in_person" => Some(Channel::InPerson),
            "online" => Some(Channel::Online),
            "postal" => Some(Channel::Postal),
            _ => None,
        }
    }

    fn method(&mut self) -> Option<ReturnMethod> {
        match self.str()? {
            "in_person" => Some(ReturnMethod::InPerson),
            "online" => Some(ReturnMethod::Online),
            "postal" => Some(ReturnMethod::Postal),
            _ => None,
        }
    }

    fn kind(&mut self, name: &str) -> Option<EventKind> {
        Some(match name {
            "submitted" | "received" => {
                let procedure = self.field_str("procedure")?;
                let procedure = self.seen.procedure(procedure);
                let unit = self.field_str("unit")?;
                let unit = self.seen.unit(unit);
                self.key("channel")?;
                let channel = self.channel()?;
                if name == "submitted" {
                    EventKind::Submitted {
                        procedure,
                        unit,
                        channel,
                    }
                } else {
                    EventKind::Received {
                        procedure,
                        unit,
                        channel,
                    }
                }
            }
            "refused_at_reception" => EventKind::RefusedAtReception {
                reason: self.field_str("reason")?.to_owned(),
            },
            "step_started" => {
                let step = self.field_str("step")?.to_owned();
                let unit = self.field_str("unit")?;
                EventKind::StepStarted {
                    step,
                    unit: self.seen.unit(unit),
                }
            }
            "step_finished" => EventKind::StepFinished {
                step: self.field_str("step")?.to_owned(),
            },
            "transferred" => {
                let from = self.field_str("from")?;
                let from = self.seen.unit(from);
                let to = self.field_str("to")?;
                EventKind::Transferred {
                    from,
                    to: self.seen.unit(to),
                }
            }
            "supplement_requested" => EventKind::SupplementRequested {
                reason: self.field_str("reason")?.to_owned(),
            },
            "supplement_supplied" => EventKind::SupplementSupplied,
            "supplement_expired" => EventKind::SupplementExpired,
            "payment_requested" => {
                self.key("amount_vnd")?;
                EventKind::PaymentRequested {
                    amount_vnd: self.u64()?,
                }
            }
            "payment_made" => {
                self.key("online")?;
                EventKind::PaymentMade {
                    online: self.bool()?,
                }
            }
            "apology_issued" => {
                self.key("new_due")?;
                let new_due = self.instant()?;
                EventKind::ApologyIssued {
                    new_due,
                    reason: self.field_str("reason")?.to_owned(),
                }
            }
            "due_extended" => {
                self.key("new_due")?;
                let new_due = self.instant()?;
                EventKind::DueExtended {
                    new_due,
                    legal_basis: self.field_str("legal_basis")?.to_owned(),
                }
            }
            "withdrawn" => EventKind::Withdrawn {
                reason: self.field_str("reason")?.to_owned(),
            },
            "stopped" => EventKind::Stopped {
                reason: self.field_str("reason")?.to_owned(),
            },
            "result_ready" => {
                self.key("electronic")?;
                EventKind::ResultReady {
                    electronic: self.bool()?,
                }
            }
            "result_returned" => {
                self.key("method")?;
                EventKind::ResultReturned {
                    method: self.method()?,
                }
            }
            "rated" => {
                self.key("satisfied")?;
                EventKind::Rated {
                    satisfied: self.bool()?,
                }
            }
            "digitised" => {
                self.key("components")?;
                let components = self.u32()?;
                self.key("digitised")?;
                let digitised = self.u32()?;
                self.key("reused")?;
                EventKind::Digitised {
                    components,
                    digitised,
                    reused: self.u32()?,
                }
            }
            "feedback_filed" => EventKind::FeedbackFiled {
                summary: self.field_str("summary")?.to_owned(),
            },
            "calendar_reevaluated" => EventKind::CalendarReevaluated {
                calendar: self.field_str("calendar")?.to_owned(),
            },
            _ => return None,
        })
    }
}

/// The event of a line in exactly the written layout of the current format (or of version 1,
/// which had no `meta`), or `None`.
pub(crate) fn decode(text: &str, seen: &mut SeenIds) -> Option<Event> {
    let mut line = Line { text, at: 0, seen };
    let current = line.lit(CURRENT_PREFIX).is_some();
    if !current {
        line.lit(V1_PREFIX)?;
    }
    line.lit("\"event_id\":")?;
    let event_id = line.uuid()?;
    let dossier_id = DossierId::new(line.field_str("dossier_id")?);
    line.key("sequence")?;
    let sequence = line.u64()?;
    line.key("occurred_at")?;
    let occurred_at = line.instant()?;
    line.key("recorded_at")?;
    let recorded_at = line.instant()?;
    let metadata = if current && line.meta_key(false, "meta") {
        line.metadata()?
    } else {
        EventMetadata::default()
    };
    let name = line.field_str("type")?;
    let kind = line.kind(name)?;
    line.lit("}")?;
    if line.at != text.len() {
        return None;
    }
    Some(Event {
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
    use motcua_core::OfficerId;
    use proptest::prelude::*;

    fn general(text: &str) -> Result<Event, serde_json::Error> {
        serde_json::from_str::<Event>(text)
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z0-9 .-]{0,12}",
            "\\PC{0,8}",
            Just("quote \" back \\ slash".to_owned()),
            Just("tab\tnew\nline".to_owned()),
        ]
    }

    fn instant() -> impl Strategy<Value = OffsetDateTime> {
        (0i64..4_000_000_000, 0u32..1_000_000_000, -50_000i32..50_000).prop_map(|(s, n, o)| {
            let offset =
                time::UtcOffset::from_whole_seconds(o / 60 * 60).unwrap_or(time::UtcOffset::UTC);
            OffsetDateTime::from_unix_timestamp(s)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                .replace_nanosecond(n % 2 * n)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                .to_offset(offset)
        })
    }

    fn kind() -> impl Strategy<Value = EventKind> {
        let channel = prop_oneof![
            Just(Channel::InPerson),
            Just(Channel::Online),
            Just(Channel::Postal)
        ];
        prop_oneof![
            (text(), text(), channel.clone()).prop_map(|(p, u, c)| EventKind::Submitted {
                procedure: p.into(),
                unit: u.into(),
                channel: c
            }),
            (text(), text(), channel).prop_map(|(p, u, c)| EventKind::Received {
                procedure: p.into(),
                unit: u.into(),
                channel: c
            }),
            text().prop_map(|r| EventKind::RefusedAtReception { reason: r }),
            (text(), text()).prop_map(|(s, u)| EventKind::StepStarted {
                step: s,
                unit: u.into()
            }),
            text().prop_map(|s| EventKind::StepFinished { step: s }),
            (text(), text()).prop_map(|(f, t)| EventKind::Transferred {
                from: f.into(),
                to: t.into()
            }),
            text().prop_map(|r| EventKind::SupplementRequested { reason: r }),
            Just(EventKind::SupplementSupplied),
            Just(EventKind::SupplementExpired),
            any::<u64>().prop_map(|a| EventKind::PaymentRequested { amount_vnd: a }),
            any::<bool>().prop_map(|o| EventKind::PaymentMade { online: o }),
            (instant(), text()).prop_map(|(d, r)| EventKind::ApologyIssued {
                new_due: d,
                reason: r
            }),
            (instant(), text()).prop_map(|(d, r)| EventKind::DueExtended {
                new_due: d,
                legal_basis: r
            }),
            text().prop_map(|r| EventKind::Withdrawn { reason: r }),
            text().prop_map(|r| EventKind::Stopped { reason: r }),
            any::<bool>().prop_map(|e| EventKind::ResultReady { electronic: e }),
            prop_oneof![
                Just(ReturnMethod::InPerson),
                Just(ReturnMethod::Online),
                Just(ReturnMethod::Postal)
            ]
            .prop_map(|m| EventKind::ResultReturned { method: m }),
            any::<bool>().prop_map(|s| EventKind::Rated { satisfied: s }),
            (any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(c, d, r)| EventKind::Digitised {
                components: c,
                digitised: d,
                reused: r
            }),
            text().prop_map(|s| EventKind::FeedbackFiled { summary: s }),
            text().prop_map(|c| EventKind::CalendarReevaluated { calendar: c }),
        ]
    }

    fn metadata() -> impl Strategy<Value = EventMetadata> {
        let officer = prop_oneof![
            "[a-z][a-z0-9.]{0,11}",
            "\\PC{1,6}",
            Just("cb \"trưởng\" \\ phòng".to_owned()),
        ]
        .prop_filter_map("a valid officer id", |t| OfficerId::new(t).ok());
        let id = proptest::option::of(any::<u128>().prop_map(Uuid::from_u128));
        (proptest::option::of(officer), id.clone(), id).prop_map(|(o, c, k)| EventMetadata {
            officer: o,
            correlation_id: c,
            causation_id: k,
        })
    }

    fn event() -> impl Strategy<Value = Event> {
        (
            (any::<u128>(), text(), any::<u64>()),
            instant(),
            instant(),
            metadata(),
            kind(),
        )
            .prop_map(|((id, d, s), o, r, m, k)| Event {
                event_id: Uuid::from_u128(id),
                dossier_id: d.into(),
                sequence: s,
                occurred_at: o,
                recorded_at: r,
                metadata: m,
                kind: k,
            })
    }

    /// A version 1 line as motcua wrote it: today's line without `meta`, at `"v":1`.
    fn written_v1(e: &Event) -> String {
        let bare = Event {
            metadata: EventMetadata::default(),
            ..e.clone()
        };
        written(&bare).replacen(CURRENT_PREFIX, V1_PREFIX, 1)
    }

    fn written(e: &Event) -> String {
        let mut out = Vec::new();
        crate::write_event(&mut out, e).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out)
            .unwrap_or_default()
            .trim_end()
            .to_owned()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        /// A written line reads the same through the fast path (when it takes it) and serde;
        /// lines without escapes always take it.
        #[test]
        fn written_lines_read_alike(e in event()) {
            let line = written(&e);
            let fast = decode(&line, &mut SeenIds::default());
            prop_assert_eq!(general(&line).ok(), Some(e.clone()));
            if !line.contains('\\') {
                prop_assert_eq!(fast, Some(e));
            } else if let Some(fast) = fast {
                prop_assert_eq!(fast, e);
            }
        }

        /// Version 1 lines take the fast path too and read as upcast by the general path.
        #[test]
        fn v1_lines_read_alike(e in event()) {
            let line = written_v1(&e);
            let general = crate::read::decode_line(&line, &mut SeenIds::default()).ok();
            let fast = decode(&line, &mut SeenIds::default());
            prop_assert_eq!(general.as_ref().map(|g| g.metadata.is_empty()), Some(true));
            if !line.contains('\\') {
                prop_assert_eq!(fast, general);
            } else if let Some(fast) = fast {
                prop_assert_eq!(Some(fast), general);
            }
        }

        /// A damaged line the fast path accepts is one serde accepts, with the same event.
        #[test]
        fn damaged_lines_read_alike(e in event(), cuts in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..4)) {
            let mut bytes = written(&e).into_bytes();
            for (at, b, how) in cuts {
                if bytes.is_empty() { break; }
                let at = at % bytes.len();
                match how {
                    0 => bytes[at] = b,
                    1 => { bytes.remove(at); }
                    _ => bytes.insert(at, b),
                }
            }
            if let Ok(line) = std::str::from_utf8(&bytes) {
                if let Some(fast) = decode(line, &mut SeenIds::default()) {
                    prop_assert_eq!(general(line).ok(), Some(fast));
                }
            }
        }
    }

    proptest! {
        // Each case reads up to 58 lines.
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Lines read by one reader, which gives out the procedures, units and officers it
        /// read before instead of new ones, read as each line alone reads: the whole list
        /// twice, so that every id of the second pass is one the reader has seen.
        #[test]
        fn ids_read_before_give_the_same_events(events in proptest::collection::vec(event(), 1..30)) {
            let mut seen = SeenIds::default();
            for e in events.iter().chain(&events) {
                let line = written(e);
                let shared = crate::read::decode_line(&line, &mut seen).ok();
                prop_assert_eq!(shared, general(&line).ok());
            }
        }
    }
}
