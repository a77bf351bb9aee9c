//! Importing events into a store: every event checked, all or nothing, streamed through an
//! [`ImportSession`] so that memory is bounded by the dossiers in flight, not the file.

use crate::error::StoreError;
use crate::import_error::ImportError;
use crate::import_memory::{DroppedDossiers, LineIndex};
use crate::import_read_ahead::{read_ahead, Block, Parsed};
use crate::session::ImportSession;
use crate::store::{EventStore, ExpectedVersion, StreamBatch};
use motcua_core::{fold, rules, Catalogue, Decider, DossierId, DossierState, Event};
use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::io::BufRead;
use std::rc::Rc;

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Lines read, blank ones included.
    pub lines_read: u64,
    /// Events appended.
    pub events_imported: u64,
    /// Dossiers with at least one event imported.
    pub dossiers_touched: u64,
}

/// How far an import has got, reported after each chunk (see [`import_jsonl_with`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportProgress {
    /// Bytes of the input consumed (0 when importing events rather than a file).
    pub bytes_read: u64,
    /// Lines read, blank ones included (events, for [`import_events`]).
    pub lines_read: u64,
    /// Events checked and handed to the store's import session (not committed yet).
    pub events_imported: u64,
    /// Every event is checked and handed over; the store is committing them.
    pub committing: bool,
}

/// Tuning of an import; the defaults suit files of any size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// Events checked and handed to the store at a time.
    pub chunk_events: usize,
    /// Dossier states kept in memory (besides terminal dossiers', dropped at once); beyond it
    /// the least recently touched half is dropped and read back from the store's session if
    /// the dossier appears again. The default, 50,000, holds twice the dossiers in progress
    /// at once in a province of a million dossiers a year.
    pub dossiers_in_memory: usize,
    /// Keep the catalogue the events are checked against in the store, replacing its own, in
    /// the import's one commit ([`ImportSession::stage_catalogue`]): events and catalogue are
    /// stored together or not at all. A store that keeps no catalogue refuses the import.
    pub keep_catalogue: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            chunk_events: 10_000,
            dossiers_in_memory: 50_000,
            keep_catalogue: false,
        }
    }
}

/// Reads every line, checks each event with [`rules::check`] against its dossier (starting
/// from what the store already holds) and appends it through one [`ImportSession`]
/// ([`EventStore::begin_import`]), committed only once every line is read and valid. On any
/// error nothing is stored. [`import_jsonl_with`] with the default options and no progress
/// reports.
///
/// Dossiers may interleave freely in the file; within a dossier the events must follow on
/// from the stored ones (sequence, time order, legal transitions). Event ids must be unique in
/// the file and new to the store. The first offending line (in file order) is the one named.
///
/// **Memory** is bounded by the dossiers in flight, not by the file: the file is read one
/// line at a time and handed to the store in chunks of [`ImportOptions::chunk_events`]
/// events; each dossier's state is kept while the dossier is in progress and recent (at most
/// [`ImportOptions::dossiers_in_memory`] of them; a terminal dossier's is dropped at once,
/// and a dropped one is read back from the session when the dossier appears again). Per event
/// of the file, about 2 bytes stay in memory until the end (its line, to name the first line
/// of a repeated id); per dropped dossier 4 bytes (a hash of its id). What the store itself
/// keeps until the commit depends on the store: the durable ones write the events into their
/// open transaction; [`crate::InMemoryStore`] stages them in memory.
///
/// ```
/// # use motcua_core::{Catalogue, Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
/// # let catalogue = Catalogue::new(
/// #     vec![Unit { id: UnitId::new("XA01"), name: "UBND xã A".into(), level: Level::Commune, parent: None }],
/// #     vec![Procedure { code: ProcedureCode::new("1.001193"), name: "Đăng ký khai sinh".into(),
/// #         field: "Hộ tịch".into(), level: Level::Commune, units: vec![], time_limit: TimeLimit::WorkingDays(1),
/// #         supplement_policy: Default::default(), payment_pauses_clock: false, supplement_time_limit: None, online_service: Default::default(),
/// #         result_is_document: true, fees: vec![], steps: vec![] }],
/// # )?;
/// use motcua_store::{import_jsonl, EventStore, InMemoryStore};
///
/// let file = r#"{"v":1,"event_id":"00000000-0000-0000-0000-000000000001","dossier_id":"H26-0003","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"in_person"}
/// {"v":1,"event_id":"00000000-0000-0000-0000-000000000002","dossier_id":"H26-0003","sequence":2,"occurred_at":"2024-03-04T10:00:00+07:00","recorded_at":"2024-03-04T10:00:00+07:00","type":"supplement_supplied"}
/// "#;
/// let store = InMemoryStore::new();
/// let err = import_jsonl(&store, file.as_bytes(), &catalogue).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "line 2: dossier H26-0003, event 2: `supplement_supplied` is not allowed when the dossier is received; expected a dossier waiting for a supplement"
/// );
/// assert_eq!(store.last_position()?, 0); // nothing imported
///
/// let good = file.lines().next().unwrap_or_default();
/// let summary = import_jsonl(&store, good.as_bytes(), &catalogue)?;
/// assert_eq!((summary.events_imported, summary.dossiers_touched), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn import_jsonl<S: EventStore + ?Sized, R: BufRead + Send>(
    store: &S,
    reader: R,
    catalogue: &Catalogue,
) -> Result<ImportSummary, ImportError> {
    import_jsonl_with(
        store,
        reader,
        catalogue,
        &ImportOptions::default(),
        &mut |_| {},
    )
}

/// [`import_jsonl`] with options, reporting its progress to `progress` after each chunk and
/// before the commit (a host can show a progress bar; it should redraw sparingly).
///
/// The lines are parsed on a thread of their own, a few blocks ahead of the checks and the
/// store (so the reader must be `Send`); the events, their order and the first unreadable
/// line are those a single thread reading `reader` would see, and the thread stops when the
/// import does, refused or not.
///
/// ```
/// # use motcua_core::{Catalogue, Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
/// # let catalogue = Catalogue::new(
/// #     vec![Unit { id: UnitId::new("XA01"), name: "UBND xã A".into(), level: Level::Commune, parent: None }],
/// #     vec![Procedure { code: ProcedureCode::new("1.001193"), name: "Đăng ký khai sinh".into(),
/// #         field: "Hộ tịch".into(), level: Level::Commune, units: vec![], time_limit: TimeLimit::WorkingDays(1),
/// #         supplement_policy: Default::default(), payment_pauses_clock: false, supplement_time_limit: None, online_service: Default::default(),
/// #         result_is_document: true, fees: vec![], steps: vec![] }],
/// # )?;
/// use motcua_store::{import_jsonl_with, ImportOptions, InMemoryStore};
///
/// let file = r#"{"v":1,"event_id":"00000000-0000-0000-0000-000000000001","dossier_id":"H26-0003","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"in_person"}
/// "#;
/// let mut reports = Vec::new();
/// let store = InMemoryStore::new();
/// import_jsonl_with(&store, file.as_bytes(), &catalogue, &ImportOptions::default(), &mut |p| reports.push(p))?;
/// let last = reports.last().copied().unwrap_or_default();
/// assert!(last.committing);
/// assert_eq!((last.bytes_read, last.lines_read, last.events_imported), (file.len() as u64, 1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn import_jsonl_with<S: EventStore + ?Sized, R: BufRead + Send>(
    store: &S,
    reader: R,
    catalogue: &Catalogue,
    options: &ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportSummary, ImportError> {
    std::thread::scope(|scope| {
        let blocks = read_ahead(scope, reader).map_err(|e| ImportError::Source {
            after: 0,
            source: Box::new(std::io::Error::new(
                e.kind(),
                format!("the thread reading the file could not be started: {e}"),
            )),
        })?;
        // Where the reader stood after the block being taken: (bytes, lines).
        let read = &Cell::new((0u64, 0u64));
        let mut block = Vec::<Parsed>::new().into_iter();
        // `next` owns the receiver: dropping it tells the reader to stop.
        let mut next = move || loop {
            if let Some(item) = block.next() {
                return Some(item.map_err(ImportError::from));
            }
            // The reader's end (or failure) closes the channel after its last block.
            let Block {
                items,
                bytes_read,
                lines_read,
            } = blocks.recv().ok()?;
            read.set((bytes_read, lines_read));
            block = items.into_iter();
        };
        let mut report = |events_imported: u64, committing: bool| {
            let (bytes_read, lines_read) = read.get();
            progress(ImportProgress {
                bytes_read,
                lines_read,
                events_imported,
                committing,
            });
        };
        let imported = run(store, catalogue, options, &mut next, &mut report);
        // The reader stops at its next block once the receiver is gone (before the scope
        // waits for it).
        drop(next);
        let (events_imported, dossiers_touched) = imported?;
        Ok(ImportSummary {
            lines_read: read.get().1,
            events_imported,
            dossiers_touched,
        })
    })
}

/// Imports events given in memory (a generator's output, say) exactly as [`import_jsonl_with`]
/// imports a file of them, one per line: errors name the 1-based position of the event as its
/// line.
///
/// ```
/// use motcua_core::{Channel, DossierId, Event, EventKind};
/// # use motcua_core::{Catalogue, Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
/// # let catalogue = Catalogue::new(
/// #     vec![Unit { id: UnitId::new("XA01"), name: "UBND xã A".into(), level: Level::Commune, parent: None }],
/// #     vec![Procedure { code: ProcedureCode::new("1.001193"), name: "Đăng ký khai sinh".into(),
/// #         field: "Hộ tịch".into(), level: Level::Commune, units: vec![], time_limit: TimeLimit::WorkingDays(1),
/// #         supplement_policy: Default::default(), payment_pauses_clock: false, supplement_time_limit: None, online_service: Default::default(),
/// #         result_is_document: true, fees: vec![], steps: vec![] }],
/// # )?;
/// use motcua_store::{import_events, EventStore, ImportOptions, InMemoryStore};
/// let event = Event {
///     event_id: uuid::Uuid::from_u128(1),
///     dossier_id: DossierId::new("H26-0001"),
///     sequence: 1,
///     occurred_at: time::macros::datetime!(2024-03-04 09:00 +7),
///     recorded_at: time::macros::datetime!(2024-03-04 09:00 +7),
///     kind: EventKind::Received { procedure: "1.001193".into(), unit: "XA01".into(), channel: Channel::InPerson },
///     metadata: Default::default(),
/// };
/// let store = InMemoryStore::new();
/// let summary = import_events(&store, vec![event], &catalogue, &ImportOptions::default(), &mut |_| {})?;
/// assert_eq!((summary.events_imported, store.last_position()?), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn import_events<S: EventStore + ?Sized, I: IntoIterator<Item = Event>>(
    store: &S,
    events: I,
    catalogue: &Catalogue,
    options: &ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportSummary, ImportError> {
    let events = events
        .into_iter()
        .map(Ok::<Event, std::convert::Infallible>);
    import_results(store, events, catalogue, options, progress)
}

/// [`import_events`] from a source that can fail as it goes (a generator streaming its
/// events, say): the first `Err` stops the import, nothing is stored, and it is returned as
/// [`ImportError::Source`], after the refusal of any event handed over before it.
///
/// ```
/// # use motcua_core::Catalogue;
/// use motcua_store::{import_results, EventStore, ImportError, ImportOptions, InMemoryStore};
/// let store = InMemoryStore::new();
/// let events = vec![Err(std::io::Error::other("the generator broke"))];
/// let refused = import_results(&store, events, &Catalogue::default(), &ImportOptions::default(), &mut |_| {});
/// assert!(matches!(refused, Err(ImportError::Source { after: 0, .. })));
/// assert_eq!(store.last_position()?, 0);
/// # Ok::<(), motcua_store::StoreError>(())
/// ```
///
/// # Errors
/// As [`import_events`], and [`ImportError::Source`].
pub fn import_results<S, I, E>(
    store: &S,
    events: I,
    catalogue: &Catalogue,
    options: &ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportSummary, ImportError>
where
    S: EventStore + ?Sized,
    I: IntoIterator<Item = Result<Event, E>>,
    E: std::error::Error + Send + Sync + 'static,
{
    let mut events = events.into_iter();
    let count = Rc::new(Cell::new(0u64));
    let seen = Rc::clone(&count);
    let mut next = || match events.next()? {
        Ok(event) => {
            seen.set(seen.get() + 1);
            Some(Ok((seen.get(), event)))
        }
        Err(e) => Some(Err(ImportError::Source {
            after: seen.get(),
            source: Box::new(e),
        })),
    };
    let mut report = |events_imported: u64, committing: bool| {
        progress(ImportProgress {
            bytes_read: 0,
            lines_read: count.get(),
            events_imported,
            committing,
        });
    };
    let (events_imported, dossiers_touched) =
        run(store, catalogue, options, &mut next, &mut report)?;
    Ok(ImportSummary {
        lines_read: count.get(),
        events_imported,
        dossiers_touched,
    })
}

/// A line and its event, or why the line could not be read.
type Item = Result<(u64, Event), ImportError>;

/// Runs an import session over `next`'s events; returns (events, dossiers) imported.
fn run<S: EventStore + ?Sized>(
    store: &S,
    catalogue: &Catalogue,
    options: &ImportOptions,
    next: &mut dyn FnMut() -> Option<Item>,
    report: &mut dyn FnMut(u64, bool),
) -> Result<(u64, u64), ImportError> {
    let mut session = store.begin_import().map_err(ImportError::Store)?;
    // Every id is checked before the commit either way; the error names the first line.
    let ids_later = session.check_ids_later().map_err(ImportError::Store)?;
    let mut import = Importer {
        base: session.base_position(),
        session,
        ids_later,
        catalogue,
        options: ImportOptions {
            chunk_events: options.chunk_events.max(1),
            dossiers_in_memory: options.dossiers_in_memory.max(1),
            keep_catalogue: options.keep_catalogue,
        },
        dossiers: HashMap::new(),
        evicted: DroppedDossiers::default(),
        hasher: RandomState::new(),
        lines: LineIndex::default(),
        chunk: 0,
        events_imported: 0,
        dossiers_touched: 0,
    };
    let fed = import.feed(next, report);
    if let Err(e) = fed {
        return Err(import.earlier_repeat(e));
    }
    if let Err(e) = import.session.commit() {
        if import.ids_later {
            match import.repeated_in_file() {
                Ok(Some(repeated)) => return Err(repeated),
                Ok(None) => {}
                Err(e) => return Err(ImportError::Store(e)),
            }
        }
        return Err(import.commit_refused(e));
    }
    Ok((import.events_imported, import.dossiers_touched))
}

/// A chunk's events, checked, and the dossiers it finished with.
type Checked = (Vec<(u64, Event)>, Vec<DossierId>);

/// Up to a chunk of lines taken from the source, and how the taking stopped.
struct Pulled {
    chunk: Vec<(u64, Event)>,
    /// The line after the chunk could not be read.
    unreadable: Option<ImportError>,
    /// The source has no more lines.
    end: bool,
}

impl Pulled {
    fn from(next: &mut dyn FnMut() -> Option<Item>, chunk_events: usize) -> Pulled {
        let mut pulled = Pulled {
            chunk: Vec::with_capacity(chunk_events.min(1 << 16)),
            unreadable: None,
            end: false,
        };
        while pulled.chunk.len() < chunk_events {
            match next() {
                None => {
                    pulled.end = true;
                    break;
                }
                Some(Ok(item)) => pulled.chunk.push(item),
                Some(Err(e)) => {
                    pulled.unreadable = Some(e);
                    break;
                }
            }
        }
        pulled
    }
}

/// A dossier's state during an import.
struct Slot {
    /// The state after the stored events and the events imported so far (boxed: the table of
    /// slots stays small, and grows without moving the states).
    state: Box<DossierState>,
    /// The chunk that last touched it.
    touched: u64,
    /// Whether one of its events has been imported (and counted in `dossiers_touched`).
    counted: bool,
}

/// An import in progress.
struct Importer<'a> {
    session: Box<dyn ImportSession + 'a>,
    /// Whether the session checks ids only when asked and at commit.
    ids_later: bool,
    catalogue: &'a Catalogue,
    options: ImportOptions,
    /// The store's last position when the session began.
    base: u64,
    /// The states of the recent dossiers.
    dossiers: HashMap<DossierId, Slot>,
    /// The dossiers whose state was dropped: those must be read back.
    evicted: DroppedDossiers,
    hasher: RandomState,
    /// The line of each event handed to the session, in the session's order.
    lines: LineIndex,
    /// The number of the current chunk.
    chunk: u64,
    events_imported: u64,
    dossiers_touched: u64,
}

impl Importer<'_> {
    /// Checks and hands over every event of `next`, then stages the catalogue if asked: all
    /// but the commit.
    fn feed(
        &mut self,
        next: &mut dyn FnMut() -> Option<Item>,
        report: &mut dyn FnMut(u64, bool),
    ) -> Result<(), ImportError> {
        let mut current = Pulled::from(next, self.options.chunk_events);
        self.load(&current.chunk)?;
        loop {
            let (chunk, terminal) = self.check(current.chunk)?;
            // The next chunk's dossiers are read back now, before this chunk is handed over:
            // the store's writer has caught up with the chunk before (SQLite inserts on a
            // thread of its own), so reading costs no wait, and the chunk handed over next
            // keeps it busy while the next one is checked. Its dossiers stay in memory.
            let following = match (&current.unreadable, current.end) {
                (None, false) => Some(Pulled::from(next, self.options.chunk_events)),
                _ => None,
            };
            let spare: HashSet<DossierId> = following
                .iter()
                .flat_map(|f| f.chunk.iter().map(|(_, e)| e.dossier_id.clone()))
                .collect();
            self.forget(terminal, &spare);
            self.evict(&spare);
            if let Some(following) = &following {
                self.load(&following.chunk)?;
            }
            self.flush(chunk)?;
            // A bad line comes after every event of its chunk: their refusals come first.
            if let Some(e) = current.unreadable {
                return Err(e);
            }
            report(self.events_imported, false);
            match following {
                Some(following) => current = following,
                None => break,
            }
        }
        if self.options.keep_catalogue {
            self.session
                .stage_catalogue(self.catalogue)
                .map_err(ImportError::Store)?;
        }
        report(self.events_imported, true);
        Ok(())
    }

    /// With ids checked later ([`ImportSession::check_ids_later`]), an id repeated on a line
    /// before `error`'s is the first thing wrong with the file, and the error named. Errors
    /// of no line from the store stay as they are; a failing source comes after every line.
    fn earlier_repeat(&mut self, error: ImportError) -> ImportError {
        // A failing source comes after every line handed over before it.
        let bound = match &error {
            ImportError::Source { .. } => Some(u64::MAX),
            error => error.line(),
        };
        let Some(line) = bound.filter(|_| self.ids_later) else {
            return error;
        };
        match self.repeated_in_file() {
            Ok(Some(repeated)) if repeated.line().is_some_and(|first| first < line) => repeated,
            _ => error,
        }
    }

    /// The error for the first event handed to the session whose id an earlier one has, if
    /// the session holds one ([`ImportSession::first_repeated_id`]).
    fn repeated_in_file(&mut self) -> Result<Option<ImportError>, StoreError> {
        let Some(repeated) = self.session.first_repeated_id()? else {
            return Ok(None);
        };
        let line = self
            .lines
            .get(repeated.event.position.saturating_sub(self.base + 1));
        let event = &repeated.event.event;
        Ok(Some(if repeated.first_position > self.base {
            ImportError::DuplicateInFile {
                line,
                first_line: self
                    .lines
                    .get(repeated.first_position.saturating_sub(self.base + 1)),
                dossier: event.dossier_id.clone(),
                sequence: event.sequence,
                event_id: event.event_id,
            }
        } else {
            ImportError::StoreRefused {
                line,
                dossier: event.dossier_id.clone(),
                sequence: event.sequence,
                source: repeated.refusal(),
            }
        }))
    }

    /// Checks a loaded chunk's events in order; returns them with the dossiers the chunk
    /// finished with (terminal: their states are dropped after it). On a broken rule, hands
    /// the events before it to the session (a refusal of one of them comes first).
    fn check(&mut self, mut chunk: Vec<(u64, Event)>) -> Result<Checked, ImportError> {
        if chunk.is_empty() {
            return Ok((chunk, Vec::new()));
        }
        self.chunk += 1;
        let mut terminal = Vec::new();
        for i in 0..chunk.len() {
            let (line, event) = &chunk[i];
            let slot = self.dossiers.get_mut(&event.dossier_id).ok_or_else(|| {
                ImportError::Store(StoreError::Backend(format!(
                    "line {line}: dossier {} was not loaded",
                    event.dossier_id
                )))
            })?;
            if let Err(source) = rules::check(event, &slot.state, self.catalogue) {
                let mut rest = chunk.split_off(i);
                let (line, event) = rest.swap_remove(0);
                return Err(self.rejected(chunk, line, event, source));
            }
            let state = std::mem::take(&mut *slot.state);
            *slot.state = motcua_core::state::evolve(state, event);
            slot.touched = self.chunk;
            if !slot.counted {
                slot.counted = true;
                self.dossiers_touched += 1;
            }
            if Decider::is_terminal(&slot.state) {
                terminal.push(event.dossier_id.clone());
            }
        }
        self.events_imported += chunk.len() as u64;
        Ok((chunk, terminal))
    }

    /// The error for `event` on `line` reusing an event id: one appended earlier in this
    /// import (naming that line), or one the store holds for the same dossier; `None` when the
    /// id is new or belongs to another dossier.
    fn reused_id(&mut self, line: u64, event: &Event) -> Result<Option<ImportError>, StoreError> {
        Ok(match self.session.event_by_id(&event.event_id)? {
            Some(found) if found.position > self.base => Some(ImportError::DuplicateInFile {
                line,
                first_line: self.lines.get(found.position - self.base - 1),
                dossier: event.dossier_id.clone(),
                sequence: event.sequence,
                event_id: event.event_id,
            }),
            Some(found) if found.event.dossier_id == event.dossier_id => {
                Some(ImportError::AlreadyStored {
                    line,
                    dossier: event.dossier_id.clone(),
                    sequence: event.sequence,
                    event_id: event.event_id,
                    stored_sequence: found.event.sequence,
                })
            }
            _ => None,
        })
    }

    /// The error for a rule broken on `line`, after handing the chunk's earlier events to the
    /// session (a refusal of one of them comes first). A repeated id is named before the rule,
    /// as the id is what is wrong.
    fn rejected(
        &mut self,
        before: Vec<(u64, Event)>,
        line: u64,
        event: Event,
        source: motcua_core::DecideError,
    ) -> ImportError {
        if let Err(e) = self.flush(before) {
            return e;
        }
        match self.reused_id(line, &event) {
            Err(e) => return ImportError::Store(e),
            Ok(Some(reused)) => return reused,
            Ok(None) => {}
        }
        ImportError::Rejected {
            line,
            dossier: event.dossier_id,
            sequence: event.sequence,
            source,
        }
    }

    /// Makes sure every dossier of the chunk has a state: new ones start empty, others are
    /// read from the session (in one call).
    fn load(&mut self, chunk: &[(u64, Event)]) -> Result<(), ImportError> {
        let mut missing = Vec::new();
        let mut asked = HashSet::new();
        for (_, event) in chunk {
            let id = &event.dossier_id;
            if self.dossiers.contains_key(id) || asked.contains(id) {
                continue;
            }
            let stored = self.base > 0 || self.evicted.may_contain(self.hasher.hash_one(id));
            if stored {
                asked.insert(id.clone());
                missing.push(id.clone());
            } else {
                self.dossiers.insert(
                    id.clone(),
                    Slot {
                        state: Box::default(),
                        touched: self.chunk,
                        counted: false,
                    },
                );
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let streams = self
            .session
            .read_streams(&missing)
            .map_err(ImportError::Store)?;
        for (id, stream) in missing.into_iter().zip(streams) {
            self.dossiers.insert(
                id,
                Slot {
                    state: Box::new(fold(&stream.events)),
                    touched: self.chunk,
                    counted: stream.appended > 0,
                },
            );
        }
        Ok(())
    }

    /// Hands checked events to the session, grouped by dossier; on a refusal, hands them one
    /// at a time in file order to name the first refused line.
    fn flush(&mut self, events: Vec<(u64, Event)>) -> Result<(), ImportError> {
        if events.is_empty() {
            return Ok(());
        }
        // Each event's batch: one per dossier, in order of first appearance. With ids checked
        // later, one per run of a dossier's consecutive events instead, so that positions
        // follow the file's order and the first repeated id by position is the first by line.
        let mut index: HashMap<&DossierId, usize> = HashMap::with_capacity(events.len());
        let mut runs = 0;
        let mut last: Option<&DossierId> = None;
        let slots: Vec<usize> = events
            .iter()
            .map(|(_, event)| {
                if self.ids_later {
                    if last != Some(&event.dossier_id) {
                        runs += 1;
                        last = Some(&event.dossier_id);
                    }
                    return runs - 1;
                }
                let next = index.len();
                *index.entry(&event.dossier_id).or_insert(next)
            })
            .collect();
        let count = if self.ids_later { runs } else { index.len() };
        drop(index);
        let mut batches: Vec<StreamBatch> = Vec::with_capacity(count);
        let mut lines: Vec<Vec<u64>> = Vec::with_capacity(count);
        for ((line, event), i) in events.into_iter().zip(slots) {
            if i == batches.len() {
                batches.push(StreamBatch {
                    dossier_id: event.dossier_id.clone(),
                    expected: ExpectedVersion::at(event.sequence.saturating_sub(1)),
                    events: Vec::with_capacity(1),
                });
                lines.push(Vec::with_capacity(1));
            }
            if let (Some(batch), Some(lines)) = (batches.get_mut(i), lines.get_mut(i)) {
                batch.events.push(event);
                lines.push(line);
            }
        }
        match self.append(&batches, &lines) {
            Ok(()) => Ok(()),
            Err(ImportError::Store(e)) if e.is_failure() => Err(ImportError::Store(e)),
            Err(_) => {
                // The call stored none of its batches: find the first refused line.
                let mut single: Vec<(u64, Event)> = lines
                    .into_iter()
                    .flatten()
                    .zip(batches.into_iter().flat_map(|b| b.events))
                    .collect();
                single.sort_by_key(|(line, _)| *line);
                self.one_by_one(single)
            }
        }
    }

    /// Appends batches through the session and records their lines.
    fn append(&mut self, batches: &[StreamBatch], lines: &[Vec<u64>]) -> Result<(), ImportError> {
        let results = self
            .session
            .append_streams(batches)
            .map_err(ImportError::Store)?;
        let mut next = self.base + 1 + self.lines.len();
        for ((appended, lines), batch) in results.iter().zip(lines).zip(batches) {
            if appended.first_position != next {
                // Planned as a re-send of stored events (the checks make this impossible).
                let (Some(line), Some(event)) = (lines.first(), batch.events.first()) else {
                    continue;
                };
                let error = StoreError::DuplicateEventId {
                    event_id: event.event_id,
                    dossier: event.dossier_id.clone(),
                    sequence: event.sequence,
                };
                return Err(self.refused(*line, event.clone(), error));
            }
            for line in lines {
                self.lines.push(*line);
            }
            next += lines.len() as u64;
        }
        Ok(())
    }

    /// Appends events one at a time until one is refused; its line is named.
    fn one_by_one(&mut self, events: Vec<(u64, Event)>) -> Result<(), ImportError> {
        for (line, event) in events {
            let batch = StreamBatch {
                dossier_id: event.dossier_id.clone(),
                expected: ExpectedVersion::at(event.sequence.saturating_sub(1)),
                events: vec![event],
            };
            match self.append(std::slice::from_ref(&batch), &[vec![line]]) {
                Ok(()) => {}
                Err(ImportError::Store(e)) if !e.is_failure() => {
                    let Some(event) = batch.events.into_iter().next() else {
                        return Err(ImportError::Store(e));
                    };
                    return Err(self.refused(line, event, e));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The error for the store refusing the event on `line`.
    fn refused(&mut self, line: u64, event: Event, error: StoreError) -> ImportError {
        if matches!(error, StoreError::DuplicateEventId { .. }) {
            if let Ok(Some(reused)) = self.reused_id(line, &event) {
                return reused;
            }
        }
        ImportError::StoreRefused {
            line,
            dossier: event.dossier_id,
            sequence: event.sequence,
            source: error,
        }
    }

    /// The error for a refused commit (a staging session meeting another writer's events),
    /// naming the line of the first event concerned.
    fn commit_refused(&mut self, error: StoreError) -> ImportError {
        let id = match &error {
            StoreError::DuplicateEventId { event_id, .. } => Some(*event_id),
            StoreError::Conflict { dossier, .. }
            | StoreError::OutOfSequence { dossier, .. }
            | StoreError::WrongDossier { dossier, .. } => {
                self.session.read_stream(dossier).ok().and_then(|stream| {
                    let first = stream.events.len().checked_sub(stream.appended)?;
                    stream.events.get(first).map(|e| e.event_id)
                })
            }
            StoreError::Backend(_)
            | StoreError::Moved(_)
            | StoreError::Storage(_)
            | StoreError::KeepsNoCatalogue
            | StoreError::Damaged { .. }
            | StoreError::Unreadable { .. } => None,
        };
        let found = id.and_then(|id| self.session.event_by_id(&id).ok().flatten());
        match found {
            Some(found) if found.position > self.base => ImportError::StoreRefused {
                line: self.lines.get(found.position - self.base - 1),
                dossier: found.event.dossier_id,
                sequence: found.event.sequence,
                source: error,
            },
            _ => ImportError::Store(error),
        }
    }

    /// Drops the states of dossiers that became terminal (refused, withdrawn, stopped, or
    /// returned and rated): only a complaint or a digitisation record may still follow, rarely,
    /// and the state is read back from the session then. Whatever a file holds, the states kept
    /// are those of dossiers still in progress.
    /// Dossiers in `spare` (the next chunk's) are kept.
    fn forget(&mut self, terminal: Vec<DossierId>, spare: &HashSet<DossierId>) {
        for id in terminal {
            if spare.contains(&id) {
                continue;
            }
            if self.dossiers.remove(&id).is_some() {
                self.evicted.insert(self.hasher.hash_one(&id));
            }
        }
    }

    /// Drops the least recently touched half of the dossier states when there are too many,
    /// but not those in `spare` (the next chunk's).
    fn evict(&mut self, spare: &HashSet<DossierId>) {
        let limit = self.options.dossiers_in_memory;
        if self.dossiers.len() <= limit {
            return;
        }
        let mut touched: Vec<u64> = self.dossiers.values().map(|s| s.touched).collect();
        let cut = touched.len() - limit.div_ceil(2);
        let (_, threshold, _) = touched.select_nth_unstable(cut);
        let threshold = *threshold;
        let (evicted, hasher) = (&mut self.evicted, &self.hasher);
        self.dossiers.retain(|id, slot| {
            let keep = slot.touched > threshold || spare.contains(id);
            if !keep {
                evicted.insert(hasher.hash_one(id));
            }
            keep
        });
        self.dossiers.shrink_to(limit);
    }
}
