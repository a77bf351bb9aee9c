//! The full scan of a store kept in log order: its events read newest first, in the order
//! they are stored, each dossier's stream handed out whole as soon as its first event is read.
//!
//! A host appends events as they happen, so a durable store's rows lie in time order, the
//! dossiers interleaved. Reading them dossier by dossier (`ORDER BY dossier_id, sequence`)
//! follows the index and jumps all over the file; reading them in position order is the
//! sequential read of the file itself. Read backwards, a dossier is complete at its event
//! number 1, so the [`NewestFirst`] grouper holds only the dossiers *in flight* at the point
//! of the log it has reached (those with events both before and after it: a few days of a
//! province's work), not the store, and hands out the others at once. Bodies are kept as
//! stored and decoded by whoever takes the stream ([`StoredStream::decode_into`]), on
//! another thread if it likes.

use crate::chain::Damage;
use crate::codec::{compact, decode_body_shared};
use crate::error::StoreError;
use motcua_core::{DossierId, Event};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// One dossier's stored events, bodies undecoded, as a newest-first scan gathered them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredStream {
    dossier_id: String,
    /// Position, sequence and the end of the body in `bytes`, oldest first.
    rows: Vec<(u64, u64, usize)>,
    bytes: Vec<u8>,
}

impl StoredStream {
    /// The dossier, as its rows name it.
    pub fn dossier_id(&self) -> &str {
        &self.dossier_id
    }

    /// The number of events.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the stream holds no event (never so for a stream a scan hands out).
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The stored rows oldest first: position, sequence and body.
    pub fn rows(&self) -> impl Iterator<Item = (u64, u64, &[u8])> + '_ {
        let mut start = 0;
        self.rows.iter().map(move |&(position, sequence, end)| {
            let body = &self.bytes[start..end];
            start = end;
            (position, sequence, body)
        })
    }

    /// Decodes the events oldest first into `events` (cleared first), checking that each body
    /// names the dossier and sequence of its row.
    ///
    /// # Errors
    /// [`StoreError::Backend`] for a body that cannot be read, [`StoreError::Damaged`] for one
    /// that names another dossier or place; `events` then holds the events before it.
    pub fn decode_into(
        &self,
        decoder: &mut compact::Decoder,
        events: &mut Vec<Event>,
    ) -> Result<(), StoreError> {
        events.clear();
        for (position, sequence, body) in self.rows() {
            let event = decode_body_shared(decoder, position, body)?;
            if event.dossier_id.as_str() != self.dossier_id {
                return Err(Damage::Dossier {
                    found: event.dossier_id,
                }
                .at(&DossierId::new(&self.dossier_id), sequence));
            }
            if event.sequence != sequence {
                return Err(Damage::Sequence {
                    found: event.sequence,
                }
                .at(&DossierId::new(&self.dossier_id), sequence));
            }
            events.push(event);
        }
        Ok(())
    }

    fn with_capacity(dossier_id: &str, rows: usize, bytes: usize) -> Self {
        StoredStream {
            dossier_id: dossier_id.to_owned(),
            rows: Vec::with_capacity(rows),
            bytes: Vec::with_capacity(bytes),
        }
    }

    fn push(&mut self, position: u64, sequence: u64, body: &[u8]) {
        self.bytes.extend_from_slice(body);
        self.rows.push((position, sequence, self.bytes.len()));
    }
}

/// A row read and kept until its dossier is complete: in [`NewestFirst::rows`], its body in
/// [`NewestFirst::bytes`].
#[derive(Debug, Clone, Copy)]
struct Row {
    position: u64,
    sequence: u64,
    start: usize,
    len: u32,
    /// The next newer row of the same dossier, or [`NEWEST`].
    newer: u32,
}

/// `Row::newer` of a dossier's newest row.
const NEWEST: u32 = u32::MAX;

/// A dossier read in part: its oldest row so far, the chain to the newer ones.
#[derive(Debug, Clone, Copy)]
struct Pending {
    oldest_row: u32,
    oldest_sequence: u64,
    rows: u32,
    bytes: usize,
}

/// Dossier ids up to this many bytes are kept in the table itself (one memory access finds
/// and compares them); longer ones in a table of their own.
const SHORT_ID: usize = 31;

/// A short dossier id, inline: its bytes, zeros after them, its length in the last byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ShortId([u8; SHORT_ID + 1]);

impl ShortId {
    fn new(id: &str) -> Option<ShortId> {
        let len = u8::try_from(id.len())
            .ok()
            .filter(|l| usize::from(*l) <= SHORT_ID)?;
        let mut bytes = [0; SHORT_ID + 1];
        bytes[..id.len()].copy_from_slice(id.as_bytes());
        bytes[SHORT_ID] = len;
        Some(ShortId(bytes))
    }

    fn text(&self) -> &str {
        let len = usize::from(self.0[SHORT_ID]).min(SHORT_ID);
        std::str::from_utf8(&self.0[..len]).unwrap_or_default()
    }
}

impl std::hash::Hash for ShortId {
    /// Four words multiplied in and mixed (no per-byte loop): the table's one hash a row.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let mut h: u64 = 0;
        for word in self.0.chunks_exact(8) {
            let mut w = [0; 8];
            w.copy_from_slice(word);
            h = (h.rotate_left(23) ^ u64::from_le_bytes(w)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
        // The finaliser of MurmurHash3: every bit of the words reaches the high bits (the
        // table's tags) and the low ones (its buckets).
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        state.write_u64(h);
    }
}

/// The hasher of the short-id table: [`ShortId`] mixes its own hash.
#[derive(Debug, Default)]
struct Mixed(u64);

impl std::hash::Hasher for Mixed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type IdBuild = BuildHasherDefault<motcua_io::IdHasher>;

/// Rows kept before the first compaction (see [`NewestFirst::compact`]).
const COMPACT_ROWS: usize = 1 << 18;

/// Gathers rows read newest first (descending positions) into whole dossier streams: a
/// dossier's stream is complete, and handed to the visitor, when its event number 1 is read.
///
/// Rows are appended to one arena as they come, each linked to the next newer row of its
/// dossier; the table of dossiers in flight holds a short id inline with its oldest row. A
/// complete dossier's rows are copied out along the links. When the arena has grown to
/// twice what was live at the last compaction, the rows still in flight are copied to a
/// fresh one: memory stays proportional to the dossiers in flight, the copying to the rows
/// read.
///
/// Checks the numbering on the way: each row of a dossier must carry the number one below the
/// row read after it, and every dossier must reach number 1 by the end of the log. Unlike
/// [`crate::StreamGrouper`] forwards, it forgets a dossier once handed out, so a row of that
/// dossier found further back (a second event number 1: only in a file altered beneath the
/// store, whose bodies no longer match their rows' keys) starts a new stream unnoticed;
/// `motcua verify` (`crate::audit`) finds it.
///
/// ```
/// use motcua_store::NewestFirst;
///
/// let mut grouper = NewestFirst::default();
/// let mut whole = Vec::new();
/// // Positions 4, 3, 2, 1 of a log where A's events are 1 and 3, B's 2 and 4.
/// for (position, dossier, sequence) in [(4, "B", 2), (3, "A", 2), (2, "B", 1), (1, "A", 1)] {
///     grouper.push(position, dossier, sequence, b"body", &mut |s| {
///         whole.push((s.dossier_id().to_owned(), s.rows().map(|r| r.0).collect::<Vec<_>>()));
///         Ok::<(), motcua_store::StoreError>(())
///     })?;
/// }
/// grouper.finish()?;
/// assert_eq!(whole, [("B".to_owned(), vec![2, 4]), ("A".to_owned(), vec![1, 3])]);
/// # Ok::<(), motcua_store::StoreError>(())
/// ```
#[derive(Debug)]
pub struct NewestFirst {
    short: HashMap<ShortId, Pending, BuildHasherDefault<Mixed>>,
    long: HashMap<Box<str>, Pending, IdBuild>,
    arena: Arena,
    /// The arena before the last compaction, kept for the next one (its pages are already
    /// the process's).
    spare: Arena,
    /// The arena's size (rows) that starts the next compaction.
    compact_at: usize,
    /// The least arena that is compacted ([`COMPACT_ROWS`]; tests compact sooner).
    least_compacted: usize,
    /// Set by [`NewestFirst::holding_compact`]: JSON bodies re-encoded before they are held.
    transcode: Option<Transcode>,
}

/// What re-encodes a JSON body in the compact form ([`NewestFirst::holding_compact`]).
#[derive(Debug, Default)]
struct Transcode {
    decoder: compact::Decoder,
    body: Vec<u8>,
}

impl Transcode {
    /// `body` as it is held: as stored if compact, else decoded and encoded compact (an
    /// unreadable body is the error its decoding would give later, naming its position).
    fn held<'a>(
        transcode: &'a mut Option<Transcode>,
        position: u64,
        body: &'a [u8],
    ) -> Result<&'a [u8], StoreError> {
        match transcode {
            Some(t) if !compact::is_compact(body) => {
                let event = decode_body_shared(&mut t.decoder, position, body)?;
                t.body.clear();
                compact::encode_into(&mut t.body, &event);
                Ok(&t.body)
            }
            _ => Ok(body),
        }
    }
}

impl Default for NewestFirst {
    fn default() -> Self {
        NewestFirst {
            short: HashMap::default(),
            long: HashMap::default(),
            arena: Arena::default(),
            spare: Arena::default(),
            compact_at: COMPACT_ROWS,
            least_compacted: COMPACT_ROWS,
            transcode: None,
        }
    }
}

impl NewestFirst {
    /// A grouper that holds the bodies of the dossiers in flight in the [`compact`] form: a
    /// JSON body (as PostgreSQL stores keep them, about 270 bytes an event against 73
    /// compact) is decoded when it arrives and kept re-encoded, so the streams handed out
    /// carry compact bodies of the same events, and the memory of the dossiers in flight
    /// is about a quarter. The price is the decoding done on the scanning thread, as the
    /// rows arrive: for a caller that decodes every stream on that thread anyway (the
    /// table of standings' rebuild), not one that hands the streams to other threads.
    /// A body that cannot be read is then reported when it arrives, with the error its
    /// decoding would give later ([`StoredStream::decode_into`]).
    ///
    /// ```
    /// use motcua_core::{Event, EventKind};
    /// use motcua_store::{codec, NewestFirst};
    /// use time::macros::datetime;
    ///
    /// let event = |sequence: u64, kind| Event {
    ///     event_id: uuid::Uuid::from_u128(sequence.into()),
    ///     dossier_id: "H26-0001".into(),
    ///     sequence,
    ///     occurred_at: datetime!(2024-03-04 09:00 +7),
    ///     recorded_at: datetime!(2024-03-04 09:00 +7),
    ///     kind,
    ///     metadata: Default::default(),
    /// };
    /// let rated = event(2, EventKind::Rated { satisfied: true });
    /// let first = event(1, EventKind::Rated { satisfied: false });
    /// let mut grouper = NewestFirst::holding_compact();
    /// let mut streams = Vec::new();
    /// for (position, e) in [(2, &rated), (1, &first)] {
    ///     let json = codec::encode(e)?;
    ///     grouper.push(position, "H26-0001", e.sequence, json.as_bytes(), &mut |s| {
    ///         streams.push(s);
    ///         Ok::<(), motcua_store::StoreError>(())
    ///     })?;
    /// }
    /// grouper.finish()?;
    /// let (_, _, held) = streams[0].rows().last().unwrap();
    /// assert!(codec::compact::is_compact(held));
    /// let mut events = Vec::new();
    /// streams[0].decode_into(&mut Default::default(), &mut events)?;
    /// assert_eq!(events, [first, rated]);
    /// # Ok::<(), motcua_store::StoreError>(())
    /// ```
    pub fn holding_compact() -> Self {
        NewestFirst {
            transcode: Some(Transcode::default()),
            ..NewestFirst::default()
        }
    }

    /// Adds the next row of the scan (the one stored just before the last row added); hands
    /// its dossier's stream to `visit` when this is the dossier's event number 1.
    ///
    /// # Errors
    /// [`StoreError::Damaged`] for a row out of place, [`StoreError::Backend`] for a body
    /// over 4 GiB, or the visitor's error.
    pub fn push<E: From<StoreError>>(
        &mut self,
        position: u64,
        dossier_id: &str,
        sequence: u64,
        body: &[u8],
        visit: &mut impl FnMut(StoredStream) -> Result<(), E>,
    ) -> Result<(), E> {
        let short = ShortId::new(dossier_id);
        let pending = match &short {
            Some(key) => self.short.get_mut(key),
            None => self.long.get_mut(dossier_id),
        };
        let Some(pending) = pending else {
            if sequence == 0 {
                return Err(E::from(
                    Damage::Sequence { found: 0 }.at(&DossierId::new(dossier_id), 1),
                ));
            }
            if sequence == 1 {
                let mut stream = StoredStream::with_capacity(dossier_id, 1, body.len());
                stream.push(position, sequence, body);
                return visit(stream);
            }
            let held = Transcode::held(&mut self.transcode, position, body)?;
            let row = self.arena.append(position, sequence, held, NEWEST)?;
            let pending = Pending {
                oldest_row: row,
                oldest_sequence: sequence,
                rows: 1,
                bytes: held.len(),
            };
            match short {
                Some(key) => self.short.insert(key, pending),
                None => self.long.insert(dossier_id.into(), pending),
            };
            return self.compact_if_due().map_err(E::from);
        };
        if sequence.checked_add(1) != Some(pending.oldest_sequence) {
            // Read forwards, the event after `sequence` would be numbered `oldest_sequence`.
            return Err(E::from(
                Damage::Sequence {
                    found: pending.oldest_sequence,
                }
                .at(&DossierId::new(dossier_id), sequence.saturating_add(1)),
            ));
        }
        if sequence > 1 {
            let held = Transcode::held(&mut self.transcode, position, body)?;
            let row = self
                .arena
                .append(position, sequence, held, pending.oldest_row)?;
            pending.oldest_row = row;
            pending.oldest_sequence = sequence;
            pending.rows += 1;
            pending.bytes += held.len();
            return self.compact_if_due().map_err(E::from);
        }
        // Event number 1: the stream is whole.
        let pending = *pending;
        match &short {
            Some(key) => self.short.remove(key),
            None => self.long.remove(dossier_id),
        };
        let mut stream = StoredStream::with_capacity(
            dossier_id,
            pending.rows as usize + 1,
            pending.bytes + body.len(),
        );
        stream.push(position, sequence, body);
        for (row, body) in self.arena.chain(pending.oldest_row) {
            stream.push(row.position, row.sequence, body);
        }
        visit(stream)
    }

    /// [`push`](Self::push) of a row as a scan reads it.
    ///
    /// # Errors
    /// As [`push`](Self::push).
    pub fn push_row<E: From<StoreError>>(
        &mut self,
        row: crate::LogRow<'_>,
        visit: &mut impl FnMut(StoredStream) -> Result<(), E>,
    ) -> Result<(), E> {
        self.push(row.position, row.dossier_id, row.sequence, row.body, visit)
    }

    fn compact_if_due(&mut self) -> Result<(), StoreError> {
        if self.arena.rows.len() < self.compact_at {
            return Ok(());
        }
        self.compact()
    }

    /// Copies the rows of the dossiers in flight to a fresh arena, each dossier's oldest
    /// first, and drops the rest (rows of dossiers already handed out).
    fn compact(&mut self) -> Result<(), StoreError> {
        let live_rows: usize = self
            .short
            .values()
            .chain(self.long.values())
            .map(|p| p.rows as usize)
            .sum();
        let live_bytes: usize = self
            .short
            .values()
            .chain(self.long.values())
            .map(|p| p.bytes)
            .sum();
        let mut fresh = std::mem::take(&mut self.spare);
        fresh.rows.clear();
        fresh.bytes.clear();
        fresh.rows.reserve(live_rows);
        fresh.bytes.reserve(live_bytes);
        for pending in self.short.values_mut().chain(self.long.values_mut()) {
            let first = fresh.next_index()?;
            for (row, body) in self.arena.chain(pending.oldest_row) {
                let newer = if row.newer == NEWEST {
                    NEWEST
                } else {
                    // The next row of the chain goes right after this one.
                    fresh.next_index()?.checked_add(1).ok_or_else(too_many)?
                };
                fresh.append(row.position, row.sequence, body, newer)?;
            }
            pending.oldest_row = first;
        }
        self.spare = std::mem::replace(&mut self.arena, fresh);
        self.compact_at = (2 * live_rows).max(self.least_compacted);
        Ok(())
    }

    /// Ends the scan: every dossier must have reached its event number 1.
    ///
    /// # Errors
    /// [`StoreError::Damaged`] naming the first (in id order) dossier whose stream does not
    /// begin at number 1.
    pub fn finish(self) -> Result<(), StoreError> {
        let short = self
            .short
            .iter()
            .map(|(id, p)| (id.text().to_owned(), p.oldest_sequence));
        let long = self
            .long
            .iter()
            .map(|(id, p)| (id.to_string(), p.oldest_sequence));
        match short.chain(long).min() {
            None => Ok(()),
            Some((id, found)) => Err(Damage::Sequence { found }.at(&DossierId::new(id), 1)),
        }
    }
}

fn too_many() -> StoreError {
    StoreError::Backend("more than 4 billion events of dossiers in flight at once".into())
}

/// Rows kept and their bodies, each row linked to the next newer row of its dossier.
#[derive(Debug, Default)]
struct Arena {
    rows: Vec<Row>,
    bytes: Vec<u8>,
}

impl Arena {
    /// The index the next row appended gets.
    fn next_index(&self) -> Result<u32, StoreError> {
        u32::try_from(self.rows.len())
            .ok()
            .filter(|i| *i != NEWEST)
            .ok_or_else(too_many)
    }

    /// Appends a row and its body; the row's index.
    fn append(
        &mut self,
        position: u64,
        sequence: u64,
        body: &[u8],
        newer: u32,
    ) -> Result<u32, StoreError> {
        let index = self.next_index()?;
        let len = u32::try_from(body.len()).map_err(|_| {
            StoreError::Backend(format!(
                "the event stored at position {position} has a body over 4 GiB"
            ))
        })?;
        self.rows.push(Row {
            position,
            sequence,
            start: self.bytes.len(),
            len,
            newer,
        });
        self.bytes.extend_from_slice(body);
        Ok(index)
    }

    /// The rows from `first` along the links to the newest, with their bodies.
    fn chain(&self, first: u32) -> impl Iterator<Item = (Row, &[u8])> + '_ {
        let mut next = first;
        std::iter::from_fn(move || {
            let row = *self.rows.get(next as usize)?;
            next = row.newer;
            Some((row, &self.bytes[row.start..][..row.len as usize]))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;
    use proptest::prelude::*;

    type Visited = Vec<(String, Vec<(u64, u64, Vec<u8>)>)>;

    /// Dossier `i`'s id: one in three longer than the ids kept inline.
    fn id(i: usize) -> String {
        if i.is_multiple_of(3) {
            format!("{i:0>40}")
        } else {
            format!("D{i:02}")
        }
    }

    fn scan(rows: &[(u64, &str, u64)]) -> Result<Visited, StoreError> {
        // Compacting at every third row, so that the tests go through it again and again.
        let mut grouper = NewestFirst {
            compact_at: 3,
            least_compacted: 3,
            ..NewestFirst::default()
        };
        let mut visited = Vec::new();
        for (position, dossier, sequence) in rows {
            let body = format!("{dossier}#{sequence}@{position}");
            grouper.push(
                *position,
                dossier,
                *sequence,
                body.as_bytes(),
                &mut |s: StoredStream| {
                    visited.push((
                        s.dossier_id().to_owned(),
                        s.rows().map(|(p, q, b)| (p, q, b.to_vec())).collect(),
                    ));
                    assert!(!s.is_empty() && s.len() == s.rows().count());
                    Ok::<(), StoreError>(())
                },
            )?;
        }
        grouper.finish()?;
        Ok(visited)
    }

    #[test]
    fn a_gap_is_named_as_a_forward_read_names_it() {
        // A: 1 at position 1, 3 at position 3 (2 is missing).
        let err = scan(&[(3, "A", 3), (2, "B", 1), (1, "A", 1)]).unwrap_err();
        assert_eq!(
            err,
            Damage::Sequence { found: 3 }.at(&DossierId::new("A"), 2),
            "{err}"
        );
    }

    #[test]
    fn a_stream_that_does_not_start_at_one_is_named_at_the_end() {
        let err = scan(&[(3, "C", 3), (2, "B", 2), (1, "C", 2)]).unwrap_err();
        // Both B and C lack event 1; B comes first in id order.
        assert_eq!(
            err,
            Damage::Sequence { found: 2 }.at(&DossierId::new("B"), 1)
        );
    }

    #[test]
    fn a_row_numbered_zero_is_damage() {
        let err = scan(&[(1, "A", 0)]).unwrap_err();
        assert_eq!(
            err,
            Damage::Sequence { found: 0 }.at(&DossierId::new("A"), 1)
        );
    }

    #[test]
    fn a_body_naming_another_dossier_or_place_is_damage() {
        let event = |dossier: &str, sequence: u64| {
            let mut e = received_event();
            e.dossier_id = DossierId::new(dossier);
            e.sequence = sequence;
            compact::encode(&e)
        };
        let mut decoder = compact::Decoder::default();
        let mut events = Vec::new();
        let mut stream = StoredStream::with_capacity("A", 1, 0);
        stream.push(1, 1, &event("A", 1));
        stream.decode_into(&mut decoder, &mut events).unwrap();
        assert_eq!(events.len(), 1);
        let mut other = stream.clone();
        other.rows.clear();
        other.bytes.clear();
        other.push(1, 1, &event("B", 1));
        assert_eq!(
            other.decode_into(&mut decoder, &mut events).unwrap_err(),
            Damage::Dossier {
                found: DossierId::new("B")
            }
            .at(&DossierId::new("A"), 1)
        );
        other.rows.clear();
        other.bytes.clear();
        other.push(1, 1, &event("A", 2));
        assert_eq!(
            other.decode_into(&mut decoder, &mut events).unwrap_err(),
            Damage::Sequence { found: 2 }.at(&DossierId::new("A"), 1)
        );
    }

    fn received_event() -> Event {
        Event {
            event_id: uuid::Uuid::from_u128(7),
            dossier_id: DossierId::new("A"),
            sequence: 1,
            occurred_at: time::macros::datetime!(2024-03-04 09:00 +7),
            recorded_at: time::macros::datetime!(2024-03-04 09:00 +7),
            kind: motcua_core::EventKind::Received {
                procedure: "1.001193".into(),
                unit: "XA01".into(),
                channel: motcua_core::Channel::InPerson,
            },
            metadata: Default::default(),
        }
    }

    /// Event `sequence` of dossier `dossier`, its details varied with `seed`: the kind, a
    /// recorded instant apart from the occurred one, an officer.
    fn varied_event(dossier: &str, sequence: u64, seed: u32) -> Event {
        let mut event = received_event();
        event.dossier_id = DossierId::new(dossier);
        event.sequence = sequence;
        event.event_id = uuid::Uuid::from_u128(u128::from(seed) << 64 | u128::from(sequence));
        event.occurred_at += time::Duration::minutes(i64::from(seed % 1000) + sequence as i64);
        event.recorded_at = event.occurred_at + time::Duration::seconds(i64::from(seed % 3));
        if sequence > 1 {
            event.kind = motcua_core::EventKind::Rated {
                satisfied: seed.is_multiple_of(2),
            };
        }
        if seed.is_multiple_of(5) {
            event.metadata.officer = motcua_core::OfficerId::new(format!("cb-{seed}")).ok();
        }
        event
    }

    /// The streams `grouper` hands out for `rows` (newest first), decoded, and whether every
    /// body it held (all but each stream's event number 1) was compact.
    fn grouped(
        mut grouper: NewestFirst,
        rows: &[(u64, &str, u64, Vec<u8>)],
    ) -> Result<(Vec<Vec<Event>>, bool), StoreError> {
        grouper.compact_at = 3;
        grouper.least_compacted = 3;
        let mut decoder = compact::Decoder::default();
        let mut streams = Vec::new();
        let mut held_compact = true;
        for (position, dossier, sequence, body) in rows {
            grouper.push(
                *position,
                dossier,
                *sequence,
                body,
                &mut |s: StoredStream| {
                    held_compact &= s.rows().skip(1).all(|(_, _, b)| compact::is_compact(b));
                    let mut events = Vec::new();
                    s.decode_into(&mut decoder, &mut events)?;
                    streams.push(events);
                    Ok::<(), StoreError>(())
                },
            )?;
        }
        grouper.finish()?;
        Ok((streams, held_compact))
    }

    #[test]
    fn an_unreadable_body_held_compact_is_named_when_it_arrives() {
        let json = |sequence| codec::encode(&varied_event("A", sequence, 1)).unwrap();
        let rows = [
            (3, "A", 3, json(3).into_bytes()),
            (2, "A", 2, b"{\"v\":2,\"event_id\":".to_vec()),
            (1, "A", 1, json(1).into_bytes()),
        ];
        let mut grouper = NewestFirst::holding_compact();
        let mut handed = 0;
        let mut visit = |_: StoredStream| {
            handed += 1;
            Ok::<(), StoreError>(())
        };
        let (position, dossier, sequence, body) = &rows[0];
        grouper
            .push(*position, dossier, *sequence, body, &mut visit)
            .unwrap();
        let (position, dossier, sequence, body) = &rows[1];
        let err = grouper
            .push(*position, dossier, *sequence, body, &mut visit)
            .unwrap_err();
        assert!(
            err.to_string().contains("position 2 cannot be read"),
            "{err}"
        );
        // The same body held as stored is named when its stream is decoded, in the same words.
        let late = grouped(NewestFirst::default(), &rows).unwrap_err();
        assert_eq!(late.to_string(), err.to_string());
        assert_eq!(handed, 0);
    }

    proptest! {
        /// Any interleaving of whole streams, read newest first, gives back every stream
        /// whole, oldest first, each the moment its first event is read — the same streams a
        /// dossier-ordered read gives, and never more in flight than the dossiers open at a
        /// point of the log.
        #[test]
        fn newest_first_gives_every_stream_whole(
            lengths in proptest::collection::vec(1u64..6, 0..30),
            order in proptest::collection::vec(any::<u32>(), 0..200),
        ) {
            // Interleave: repeatedly take the next event of a dossier chosen by `order`.
            let mut next: Vec<u64> = vec![1; lengths.len()];
            let mut log: Vec<(u64, String, u64)> = Vec::new();
            let mut choices = order.iter().cycle();
            while next.iter().zip(&lengths).any(|(n, l)| n <= l) {
                let open: Vec<usize> = (0..lengths.len()).filter(|&i| next[i] <= lengths[i]).collect();
                let pick = open[*choices.next().unwrap_or(&0) as usize % open.len()];
                log.push((log.len() as u64 + 1, id(pick), next[pick]));
                next[pick] += 1;
            }
            let newest_first: Vec<(u64, &str, u64)> =
                log.iter().rev().map(|(p, d, q)| (*p, d.as_str(), *q)).collect();
            let mut got = scan(&newest_first).unwrap();
            // The reference: group the log by dossier, in sequence order.
            let mut want: Visited = Vec::new();
            for i in 0..lengths.len() {
                let id = id(i);
                let rows = log.iter().filter(|(_, d, _)| *d == id)
                    .map(|(p, d, q)| (*p, *q, format!("{d}#{q}@{p}").into_bytes())).collect();
                want.push((id, rows));
            }
            // Handed out in the order of their first events, newest first.
            let firsts: Vec<String> = log.iter().rev().filter(|(_, _, q)| *q == 1).map(|(_, d, _)| d.clone()).collect();
            let order_got: Vec<String> = got.iter().map(|(d, _)| d.clone()).collect();
            prop_assert_eq!(order_got, firsts);
            got.sort();
            want.sort();
            prop_assert_eq!(got, want);
        }

        /// Held compact or as stored, JSON bodies give the same streams of the same events;
        /// held compact, every body kept in flight is compact.
        #[test]
        fn bodies_held_compact_give_the_same_streams(
            lengths in proptest::collection::vec(1u64..6, 0..20),
            order in proptest::collection::vec(any::<u32>(), 0..120),
        ) {
            let mut next: Vec<u64> = vec![1; lengths.len()];
            let mut log: Vec<(u64, String, u64, Vec<u8>)> = Vec::new();
            let mut choices = order.iter().cycle();
            while next.iter().zip(&lengths).any(|(n, l)| n <= l) {
                let open: Vec<usize> = (0..lengths.len()).filter(|&i| next[i] <= lengths[i]).collect();
                let choice = *choices.next().unwrap_or(&0);
                let pick = open[choice as usize % open.len()];
                let event = varied_event(&id(pick), next[pick], choice);
                let body = codec::encode(&event).unwrap().into_bytes();
                log.push((log.len() as u64 + 1, id(pick), next[pick], body));
                next[pick] += 1;
            }
            let rows: Vec<(u64, &str, u64, Vec<u8>)> =
                log.iter().rev().map(|(p, d, q, b)| (*p, d.as_str(), *q, b.clone())).collect();
            let (as_stored, _) = grouped(NewestFirst::default(), &rows).unwrap();
            let (held, all_compact) = grouped(NewestFirst::holding_compact(), &rows).unwrap();
            prop_assert_eq!(held, as_stored);
            prop_assert!(all_compact);
        }

        /// Dropping any row but a stream's newest is always found (a stream cut short at its
        /// end reads as a shorter stream: only the chain of links tells, see `verify`).
        #[test]
        fn a_missing_row_is_found(
            lengths in proptest::collection::vec(1u64..5, 1..10),
            drop in any::<prop::sample::Index>(),
        ) {
            let mut log: Vec<(u64, String, u64)> = Vec::new();
            let mut newest = Vec::new();
            for (i, len) in lengths.iter().enumerate() {
                for q in 1..=*len {
                    newest.push(q == *len);
                    log.push((log.len() as u64 + 1, format!("D{i}"), q));
                }
            }
            let gone = drop.index(log.len());
            log.remove(gone);
            let rows: Vec<(u64, &str, u64)> =
                log.iter().rev().map(|(p, d, q)| (*p, d.as_str(), *q)).collect();
            prop_assert_eq!(scan(&rows).is_err(), !newest[gone]);
        }
    }
}
