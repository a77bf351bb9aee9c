//! The write path ([`Desk`]) on the store: a whole dossier life, retries after concurrent
//! appends, idempotent re-sends, refusals that store nothing, and the bounded retry.

use super::fixtures::{ok, snapshot};
use crate::desk::{Desk, RecordError, Recorded};
use crate::session::ImportSession;
use crate::store::{Appended, EventStore, ExpectedVersion, StoreResult, StoredEvent, StreamBatch};
use motcua_core::calendar::Calendar;
use motcua_core::{
    Catalogue, Channel, ClockState, Command, Context, DecideError, DossierId, Event, EventKind,
    EventMetadata, OfficerId, ReturnMethod, Status, TimeClass,
};
use std::sync::atomic::{AtomicU32, Ordering};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const DOSSIER: &str = "H-01-240304-0001";

/// A district one-stop desk (`H-01`), its natural resources office (`H-01-TNMT`) and one
/// procedure of 10 working days in two steps: appraisal at the office, signature at the desk.
pub(super) fn catalogue() -> Catalogue {
    let json = r#"{"format": "motcua-catalogue", "version": 1,
      "units": [
        {"id": "H-01", "name": "UBND huyện A", "level": "district"},
        {"id": "H-01-TNMT", "name": "Phòng Tài nguyên và Môi trường", "level": "district", "parent": "H-01"}],
      "procedures": [{"code": "1.004227", "name": "Đăng ký biến động đất đai", "field": "Đất đai",
        "level": "district", "time_limit": {"working_days": 10},
        "steps": [
          {"id": "appraisal", "name": "Thẩm định", "share_percent": 70, "unit": "H-01-TNMT"},
          {"id": "sign", "name": "Ký duyệt", "share_percent": 30, "unit": "H-01"}]}]}"#;
    match motcua_io::read_catalogue(json) {
        Ok(catalogue) => catalogue,
        Err(e) => panic!("the desk checks' catalogue does not read: {e}"),
    }
}

/// Who acts for command `id`, as a processing control sheet would name them: the desk's
/// officer receives, hands over and returns, the office's specialist appraises, the leader
/// signs; the applicant's supplement (5) names no officer. Every command carries the request's
/// correlation id, and each names the command before it as its cause.
fn who(id: u128) -> EventMetadata {
    let officer = match id {
        3 | 4 | 6 => Some("cv.tnmt.02"),
        5 => None,
        8 | 9 => Some("ld.ubnd.03"),
        _ => Some("cb.motcua.01"),
    };
    EventMetadata {
        officer: officer.map(|o| match OfficerId::new(o) {
            Ok(officer) => officer,
            Err(e) => panic!("{e}"),
        }),
        correlation_id: Some(Uuid::from_u128(0xC0_0000 + id)),
        causation_id: id.checked_sub(1).filter(|c| *c > 0).map(Uuid::from_u128),
    }
}

fn command(id: u128, at: OffsetDateTime, kind: EventKind) -> Command {
    Command::new(DossierId::new(DOSSIER), Uuid::from_u128(id), at, kind).with_metadata(who(id))
}

fn received() -> Command {
    command(
        1,
        datetime!(2024-03-04 08:00 +7),
        EventKind::Received {
            procedure: "1.004227".into(),
            unit: "H-01".into(),
            channel: Channel::InPerson,
        },
    )
}

fn started(id: u128, at: OffsetDateTime, step: &str, unit: &str) -> Command {
    let (step, unit) = (step.into(), unit.into());
    command(id, at, EventKind::StepStarted { step, unit })
}

fn appraisal_started() -> Command {
    started(3, datetime!(2024-03-04 10:00 +7), "appraisal", "H-01-TNMT")
}

/// A dossier's whole life, each command with the status it leaves the dossier in.
pub(super) fn life() -> Vec<(Command, Status)> {
    let finished =
        |id, at, step: &str| command(id, at, EventKind::StepFinished { step: step.into() });
    vec![
        (received(), Status::Received),
        (
            command(
                2,
                datetime!(2024-03-04 09:00 +7),
                EventKind::Transferred {
                    from: "H-01".into(),
                    to: "H-01-TNMT".into(),
                },
            ),
            Status::Processing,
        ),
        (appraisal_started(), Status::Processing),
        (
            command(
                4,
                datetime!(2024-03-06 14:00 +7),
                EventKind::SupplementRequested {
                    reason: "Thiếu bản sao sổ đỏ".into(),
                },
            ),
            Status::SupplementRequested,
        ),
        (
            command(
                5,
                datetime!(2024-03-11 09:00 +7),
                EventKind::SupplementSupplied,
            ),
            Status::Processing,
        ),
        (
            finished(6, datetime!(2024-03-13 16:00 +7), "appraisal"),
            Status::Processing,
        ),
        (
            command(
                7,
                datetime!(2024-03-14 08:00 +7),
                EventKind::Transferred {
                    from: "H-01-TNMT".into(),
                    to: "H-01".into(),
                },
            ),
            Status::Processing,
        ),
        (
            started(8, datetime!(2024-03-14 08:30 +7), "sign", "H-01"),
            Status::Processing,
        ),
        (
            finished(9, datetime!(2024-03-15 10:00 +7), "sign"),
            Status::Processing,
        ),
        (
            command(
                10,
                datetime!(2024-03-15 11:00 +7),
                EventKind::ResultReady { electronic: true },
            ),
            Status::ResultReady,
        ),
        (
            command(
                11,
                datetime!(2024-03-18 08:15 +7),
                EventKind::ResultReturned {
                    method: ReturnMethod::InPerson,
                },
            ),
            Status::Returned,
        ),
    ]
}

fn recorded<S: EventStore>(desk: &Desk<'_, S>, command: Command) -> Recorded {
    match desk.record(command) {
        Ok(recorded) => recorded,
        Err(e) => panic!("the desk refused a legal command: {e}"),
    }
}

/// Records a whole dossier life through a [`Desk`]: every command gives one event numbered
/// after the others, carrying the command's metadata (officer, correlation and causation ids),
/// at the next global position, with the view a fresh read of the store gives at that instant;
/// the stream and the global log read back as the events recorded, metadata included.
pub fn desk_records_a_whole_dossier_life<S: EventStore>(store: &S) {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let context = Context::new(&catalogue, &calendar);
    let desk = Desk::new(store, context);
    let mut stored = Vec::new();
    for (n, (command, status)) in (1u64..).zip(life()) {
        let at = command.occurred_at;
        let kind = command.kind.name();
        let metadata = command.metadata.clone();
        let result = recorded(&desk, command);
        assert!(
            !result.resent,
            "{kind}: a new command was taken for a re-send"
        );
        assert_eq!(result.events.len(), 1, "{kind}: one event per command");
        let event = &result.events[0];
        assert_eq!(
            event.sequence, n,
            "{kind}: numbered after the earlier events"
        );
        assert_eq!(
            event.metadata, metadata,
            "{kind}: the event carries the command's metadata"
        );
        assert_eq!(
            result.appended,
            Appended {
                first_position: n,
                last_position: n,
                stream_version: n
            },
            "{kind}: appended at the next position"
        );
        assert_eq!(result.view.status, status, "{kind}: the status after it");
        stored.push(event.clone());
        let fresh = ok(store.read_stream(&DossierId::new(DOSSIER)));
        assert_eq!(fresh, stored, "{kind}: the stream reads back as recorded");
        let view = context.view_events(&fresh, at);
        assert_eq!(
            view.as_ref().ok(),
            Some(&result.view),
            "{kind}: the view returned is the view of the stored events at the event's time"
        );
    }
    let last = stored.last().map(|e| e.occurred_at);
    assert_eq!(last, Some(datetime!(2024-03-18 08:15 +7)));
    let logged: Vec<Event> = ok(store.read_all(0, 100))
        .into_iter()
        .map(|s| s.event)
        .collect();
    assert_eq!(
        logged, stored,
        "the global log reads back as recorded, metadata included"
    );
    assert_eq!(
        stored
            .iter()
            .filter(|e| e.metadata.officer.is_none())
            .count(),
        1,
        "the applicant's supplement names no officer"
    );
    // Result ready on the 9th working day of 10, the supplement's wait aside: early.
    let view = match context.view_events(&stored, datetime!(2024-03-18 08:15 +7)) {
        Ok(view) => view,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(view.clock, ClockState::Stopped);
    assert_eq!(view.time_class, TimeClass::Early);
    assert_eq!(view.current_unit.as_str(), "H-01");
    assert_eq!(view.steps.len(), 2);
    assert_eq!(view.supplement_rounds, 1);
    // As of a later instant, asked for: the same events, judged then.
    let rated = command(
        12,
        datetime!(2024-03-18 08:20 +7),
        EventKind::Rated { satisfied: true },
    );
    let later = datetime!(2024-04-01 08:00 +7);
    let result = match desk.record_as_of(rated, later) {
        Ok(result) => result,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(result.view.satisfied, Some(true));
    assert_eq!(
        Some(result.view),
        context
            .view_events(&ok(store.read_stream(&DossierId::new(DOSSIER))), later)
            .ok()
    );
}

/// A store that lets another writer append an event of `kind` to the dossier (dated before
/// the desk's commands) just before each of its first `interfere` appends.
struct Interloper<'s, S> {
    inner: &'s S,
    interfere: AtomicU32,
    appends: AtomicU32,
    kind: EventKind,
}

impl<'s, S: EventStore> Interloper<'s, S> {
    fn new(inner: &'s S, interfere: u32, kind: EventKind) -> Self {
        Interloper {
            inner,
            interfere: AtomicU32::new(interfere),
            appends: AtomicU32::new(0),
            kind,
        }
    }

    /// Another clerk logs the applicant's call to the hotline: legal in any state.
    fn hotline(inner: &'s S, interfere: u32) -> Self {
        let summary = "gọi đường dây nóng".to_owned();
        Interloper::new(inner, interfere, EventKind::FeedbackFiled { summary })
    }

    fn other_writer(&self) -> StoreResult<()> {
        let dossier = DossierId::new(DOSSIER);
        let version = self.inner.stream_version(&dossier)?;
        let at =
            datetime!(2024-03-04 08:00 +7) + Duration::minutes(i64::try_from(version).unwrap_or(0));
        let event = Event {
            event_id: Uuid::from_u128(1000 + u128::from(version)),
            dossier_id: dossier.clone(),
            sequence: version + 1,
            occurred_at: at,
            recorded_at: at,
            kind: self.kind.clone(),
            metadata: Default::default(),
        };
        self.inner
            .append(&dossier, ExpectedVersion::Exactly(version), &[event])
            .map(|_| ())
    }
}

impl<S: EventStore> EventStore for Interloper<'_, S> {
    fn append(&self, d: &DossierId, e: ExpectedVersion, events: &[Event]) -> StoreResult<Appended> {
        self.appends.fetch_add(1, Ordering::SeqCst);
        let left = self.interfere.load(Ordering::SeqCst);
        if left > 0 {
            self.interfere.store(left - 1, Ordering::SeqCst);
            self.other_writer()?;
        }
        self.inner.append(d, e, events)
    }
    fn append_streams(&self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>> {
        self.inner.append_streams(batches)
    }
    fn read_stream(&self, dossier: &DossierId) -> StoreResult<Vec<Event>> {
        self.inner.read_stream(dossier)
    }
    fn read_all(&self, from_position: u64, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        self.inner.read_all(from_position, limit)
    }
    fn last_position(&self) -> StoreResult<u64> {
        self.inner.last_position()
    }
    fn stream_version(&self, dossier: &DossierId) -> StoreResult<u64> {
        self.inner.stream_version(dossier)
    }
    fn dossier_ids(&self) -> StoreResult<Vec<DossierId>> {
        self.inner.dossier_ids()
    }
    fn begin_import(&self) -> StoreResult<Box<dyn ImportSession + '_>> {
        self.inner.begin_import()
    }
}

/// Another writer appends between the desk's read and its append: the desk reads again,
/// decides again against the new state, and appends after the other writer's event; when that
/// event made the command illegal, the command is refused and nothing of it is stored.
pub fn desk_retries_after_a_concurrent_append<S: EventStore>(store: &S) {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let context = Context::new(&catalogue, &calendar);
    recorded(&Desk::new(store, context), received());
    let interloper = Interloper::hotline(store, 1);
    let desk = Desk::new(&interloper, context).with_retries(1);
    let result = recorded(&desk, appraisal_started());
    assert_eq!(
        interloper.appends.load(Ordering::SeqCst),
        2,
        "the desk appends again after a conflict"
    );
    let stream = ok(store.read_stream(&DossierId::new(DOSSIER)));
    let kinds: Vec<&str> = stream.iter().map(|e| e.kind.name()).collect();
    assert_eq!(kinds, ["received", "feedback_filed", "step_started"]);
    assert_eq!(
        result.events,
        stream[2..],
        "the events returned are those stored"
    );
    assert_eq!(result.appended.stream_version, 3);
    assert_eq!(result.appended.last_position, 3);
    assert_eq!(
        result.view.feedback, 1,
        "the view counts the other writer's event"
    );
    assert_eq!(result.view.status, Status::Processing);

    // The other writer stops the dossier meanwhile: decided again, the command is refused.
    let stop = EventKind::Stopped {
        reason: "Người nộp đề nghị dừng".into(),
    };
    let interloper = Interloper::new(store, 1, stop);
    let desk = Desk::new(&interloper, context);
    let finished = command(
        6,
        datetime!(2024-03-05 09:00 +7),
        EventKind::StepFinished {
            step: "appraisal".into(),
        },
    );
    match desk.record(finished) {
        Err(RecordError::Refused {
            source: DecideError::IllegalTransition { sequence: 5, .. },
            ..
        }) => {}
        other => panic!("a command made illegal meanwhile: expected a refusal, got {other:?}"),
    }
    let stream = ok(store.read_stream(&DossierId::new(DOSSIER)));
    let kinds: Vec<&str> = stream.iter().map(|e| e.kind.name()).collect();
    assert_eq!(
        kinds,
        ["received", "feedback_filed", "step_started", "stopped"]
    );
}

/// Re-sending a recorded command (the last one or an earlier one) returns its first result and
/// stores nothing; the same id with other content, or in another dossier, is refused.
pub fn desk_resends_return_the_first_result<S: EventStore>(store: &S) {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let desk = Desk::new(store, Context::new(&catalogue, &calendar));
    let commands: Vec<Command> = life().into_iter().take(3).map(|(c, _)| c).collect();
    let first: Vec<Recorded> = commands
        .iter()
        .map(|c| recorded(&desk, c.clone()))
        .collect();
    let before = snapshot(store);
    for (command, first) in commands.iter().zip(&first).rev() {
        let again = recorded(&desk, command.clone());
        assert!(again.resent, "a re-send is reported as one");
        assert_eq!(
            Recorded {
                resent: false,
                ..again
            },
            *first,
            "a re-send of `{}` returns the first result",
            command.kind.name()
        );
    }
    assert_eq!(snapshot(store), before, "a re-send stored something");

    let mut changed = appraisal_started();
    changed.occurred_at += Duration::minutes(5);
    changed.recorded_at = changed.occurred_at;
    match desk.record(changed) {
        Err(RecordError::EventIdReused {
            dossier,
            event_id,
            stored_as,
        }) => assert_eq!(
            (dossier.as_str(), event_id, stored_as),
            (DOSSIER, Uuid::from_u128(3), Some(3))
        ),
        other => panic!("the same id with other content: expected EventIdReused, got {other:?}"),
    }
    let by_another = appraisal_started().with_metadata(who(8));
    match desk.record(by_another) {
        Err(RecordError::EventIdReused { stored_as, .. }) => assert_eq!(stored_as, Some(3)),
        other => panic!("the same id by another officer: expected EventIdReused, got {other:?}"),
    }
    let mut elsewhere = received();
    elsewhere.dossier_id = DossierId::new("H-01-240304-0002");
    match desk.record(elsewhere) {
        Err(RecordError::EventIdReused {
            dossier, stored_as, ..
        }) => assert_eq!((dossier.as_str(), stored_as), ("H-01-240304-0002", None)),
        other => panic!("an id reused in another dossier: expected EventIdReused, got {other:?}"),
    }
    assert_eq!(
        snapshot(store),
        before,
        "a refused re-send stored something"
    );
}

/// Commands the dossier rules refuse store nothing and name the dossier and the rule.
pub fn desk_refusals_change_nothing<S: EventStore>(store: &S) {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let desk = Desk::new(store, Context::new(&catalogue, &calendar));
    let refused = |command: Command, rule: &str| {
        let before = snapshot(store);
        match desk.record(command) {
            Err(RecordError::Refused { dossier, source }) => {
                assert_eq!(dossier.as_str(), DOSSIER, "{rule}: the dossier is named");
                assert!(
                    source.to_string().contains(DOSSIER),
                    "{rule}: the reason does not name the dossier"
                );
            }
            other => panic!("{rule}: expected a refusal, got {other:?}"),
        }
        assert_eq!(
            snapshot(store),
            before,
            "{rule}: a refused command stored something"
        );
    };
    refused(
        command(
            9,
            datetime!(2024-03-04 08:00 +7),
            EventKind::SupplementSupplied,
        ),
        "a supplement for a dossier not received",
    );
    assert!(ok(store.dossier_ids()).is_empty());
    recorded(&desk, received());
    refused(
        command(
            9,
            datetime!(2024-03-05 08:00 +7),
            EventKind::ResultReturned {
                method: ReturnMethod::InPerson,
            },
        ),
        "a result returned before it is ready",
    );
    refused(
        command(
            9,
            datetime!(2024-03-01 08:00 +7),
            EventKind::ResultReady { electronic: false },
        ),
        "an event dated before the last",
    );
    refused(
        command(
            9,
            datetime!(2024-03-05 08:00 +7),
            EventKind::Transferred {
                from: "H-01-TNMT".into(),
                to: "H-01".into(),
            },
        ),
        "a transfer from a unit that does not hold the dossier",
    );
    match desk.record(command(
        9,
        datetime!(2024-03-05 08:00 +7),
        EventKind::ResultReturned {
            method: ReturnMethod::InPerson,
        },
    )) {
        Err(RecordError::Refused {
            source: DecideError::IllegalTransition { sequence: 2, .. },
            ..
        }) => {}
        other => panic!("expected the illegal transition of event 2, got {other:?}"),
    }
    assert_eq!(ok(store.stream_version(&DossierId::new(DOSSIER))), 1);
}

/// Another writer appending before every append: the desk gives up after its retries with a
/// typed conflict naming the dossier and the attempts, and stores none of its events.
pub fn desk_gives_up_after_its_retries<S: EventStore>(store: &S) {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let context = Context::new(&catalogue, &calendar);
    recorded(&Desk::new(store, context), received());
    for retries in [0, 2] {
        let interloper = Interloper::hotline(store, u32::MAX);
        let desk = Desk::new(&interloper, context).with_retries(retries);
        let before = ok(store.stream_version(&DossierId::new(DOSSIER)));
        match desk.record(appraisal_started()) {
            Err(RecordError::StillConflicting { dossier, attempts }) => {
                assert_eq!(dossier.as_str(), DOSSIER);
                assert_eq!(attempts, retries + 1, "one attempt, then one per retry");
            }
            other => panic!("expected StillConflicting, got {other:?}"),
        }
        assert_eq!(interloper.appends.load(Ordering::SeqCst), retries + 1);
        let stream = ok(store.read_stream(&DossierId::new(DOSSIER)));
        assert_eq!(
            stream.len() as u64,
            before + u64::from(retries) + 1,
            "only the other writer's events are stored"
        );
        assert!(
            stream.iter().all(|e| e.event_id != Uuid::from_u128(3)),
            "a command that lost every race was stored"
        );
    }
}

/// Runs `work(thread)` on `threads` threads at once and gathers what each returned.
fn in_threads<T: Send>(threads: u32, work: impl Fn(u32) -> T + Sync) -> Vec<T> {
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = (0..threads).map(|t| scope.spawn(move || work(t))).collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(result) => result,
                Err(_) => panic!("a desk thread panicked"),
            })
            .collect()
    })
}

/// Four threads send the same command at once: all get the same events, positions and view,
/// and the event is stored once.
pub fn desk_concurrent_resends_store_once<S: EventStore>(store: &S) {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let desk = Desk::new(store, Context::new(&catalogue, &calendar));
    recorded(&desk, received());
    let results = in_threads(4, |_| desk.record(appraisal_started()));
    let mut firsts = Vec::new();
    for result in results {
        match result {
            Ok(r) => firsts.push(Recorded { resent: false, ..r }),
            Err(e) => panic!("a concurrent re-send failed: {e}"),
        }
    }
    assert!(
        firsts.windows(2).all(|w| w[0] == w[1]),
        "concurrent senders of one command got different results"
    );
    assert_eq!(ok(store.stream_version(&DossierId::new(DOSSIER))), 2);
    assert_eq!(ok(store.last_position()), 2);
}

/// Four desks record five commands each into one dossier at once. With as many retries as
/// there are commands, every command is recorded (a conflict means another command won), once:
/// the stream holds each, numbered without gaps, and each desk got back the event stored.
pub fn desk_concurrent_writers_lose_nothing<S: EventStore>(store: &S) {
    const THREADS: u32 = 4;
    const EACH: u32 = 5;
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let desk = Desk::new(store, Context::new(&catalogue, &calendar)).with_retries(THREADS * EACH);
    recorded(&desk, received());
    let at = datetime!(2024-03-04 09:00 +7);
    let results = in_threads(THREADS, |t| {
        (0..EACH)
            .map(|n| {
                let summary = format!("phản ánh {t}-{n}");
                let id = 100 + u128::from(t * EACH + n);
                desk.record(command(id, at, EventKind::FeedbackFiled { summary }))
            })
            .collect::<Vec<_>>()
    });
    let stream = ok(store.read_stream(&DossierId::new(DOSSIER)));
    assert_eq!(
        stream.len() as u32,
        1 + THREADS * EACH,
        "an event lost or doubled"
    );
    let mut ids: Vec<Uuid> = stream.iter().skip(1).map(|e| e.event_id).collect();
    ids.sort_unstable();
    let sent: Vec<Uuid> = (0..THREADS * EACH)
        .map(|k| Uuid::from_u128(100 + u128::from(k)))
        .collect();
    assert_eq!(ids, sent, "every command stored exactly once");
    for result in results.into_iter().flatten() {
        match result {
            Ok(r) => {
                let stored = usize::try_from(r.appended.stream_version.saturating_sub(1))
                    .ok()
                    .and_then(|i| stream.get(i));
                assert_eq!(
                    r.events.first(),
                    stored,
                    "the event returned is the one stored"
                );
                assert_eq!(
                    u64::from(r.view.feedback),
                    r.appended.stream_version.saturating_sub(1)
                );
            }
            Err(e) => panic!("a command was not recorded despite enough retries: {e}"),
        }
    }
}
