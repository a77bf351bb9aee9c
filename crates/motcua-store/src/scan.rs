//! Reading a store dossier by dossier, in parts that threads (or machines) can take apart:
//! the read path of full reports, replays and rebuilds.

use crate::error::StoreError;
use crate::memory::InMemoryStore;
use crate::store::EventStore;
use motcua_core::{DossierId, Event};

/// A range of dossier ids, `from` (inclusive) up to `until` (exclusive), compared as strings
/// (byte order); `None` leaves that end open. Every dossier falls in exactly one range of a
/// split made by [`DossierScan::dossier_ranges`].
///
/// `through` bounds the log: only events at positions up to it are read. A split sets it to
/// the last position when the split was made, so every range of the split reads the same
/// snapshot of the log even while appends go on (positions follow commit order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DossierRange {
    /// The first dossier id in the range, or open.
    pub from: Option<DossierId>,
    /// The first dossier id after the range, or open.
    pub until: Option<DossierId>,
    /// The last position read, or the whole log.
    pub through: Option<u64>,
}

impl DossierRange {
    /// The range of every dossier.
    pub const ALL: DossierRange = DossierRange {
        from: None,
        until: None,
        through: None,
    };

    /// Whether `id` falls in the range.
    ///
    /// ```
    /// use motcua_core::DossierId;
    /// use motcua_store::DossierRange;
    ///
    /// let range = DossierRange { from: Some("B".into()), until: Some("D".into()), through: None };
    /// assert!(range.contains(&DossierId::new("B")) && range.contains(&DossierId::new("C-17")));
    /// assert!(!range.contains(&DossierId::new("A")) && !range.contains(&DossierId::new("D")));
    /// ```
    pub fn contains(&self, id: &DossierId) -> bool {
        self.from.as_ref().is_none_or(|f| id.as_str() >= f.as_str())
            && self.until.as_ref().is_none_or(|u| id.as_str() < u.as_str())
    }

    /// The ranges between consecutive `bounds` (sorted, distinct ids), open at both ends,
    /// each reading the log through position `through`: `k` bounds give `k + 1` ranges
    /// covering every id exactly once.
    pub fn split_at(bounds: Vec<DossierId>, through: Option<u64>) -> Vec<DossierRange> {
        let mut ranges = Vec::with_capacity(bounds.len() + 1);
        let mut from = None;
        for bound in bounds {
            ranges.push(DossierRange {
                from: from.take(),
                until: Some(bound.clone()),
                through,
            });
            from = Some(bound);
        }
        ranges.push(DossierRange {
            from,
            until: None,
            through,
        });
        ranges
    }
}

/// A store that can be read dossier by dossier, in id order, split into ranges of about equal
/// size. Implemented by every store in the workspace; the SQLite and PostgreSQL stores read each
/// range with one ordered query.
pub trait DossierScan {
    /// Splits the dossiers into at most `parts` ranges holding about the same number of events
    /// (fewer when there are few dossiers), all reading the log as it is now (`through` the
    /// last position).
    ///
    /// # Errors
    /// [`StoreError`] if the store cannot be read.
    fn dossier_ranges(&self, parts: usize) -> Result<Vec<DossierRange>, StoreError>;

    /// Calls `visit` with each dossier's events in `range`, in dossier id order, each stream in
    /// sequence order. The slice is only valid during the call (its buffer is reused). Stops at
    /// the first error, from the store or from `visit`.
    ///
    /// # Errors
    /// The first error `visit` returns, or the store's, converted with `From<StoreError>`.
    fn scan_dossiers<E, F>(&self, range: &DossierRange, visit: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(&[Event]) -> Result<(), E>;

    /// Whether [`scan_log_newest_first`](Self::scan_log_newest_first) reads this store: its
    /// rows lie in log order (a durable store a host appends to), so that reading them in that
    /// order is a sequential read of the storage, where a read in dossier order follows an
    /// index all over it. A full report then reads this way.
    fn keeps_log_order(&self) -> bool {
        false
    }

    /// Reads the whole log as it is now, newest first in storage order, handing `visit` each
    /// row: its position, its dossier and sequence, and the body as stored. Stops at the
    /// first error. The dossier and sequence are those the body names (SQLite), or the row's
    /// own columns, which [`StoredStream::decode_into`](crate::StoredStream::decode_into)
    /// then checks against the body (PostgreSQL, whose unique constraint on them keeps a
    /// dossier from being handed out twice).
    ///
    /// # Errors
    /// The first error `visit` returns, or the store's ([`StoreError::Backend`] for a body
    /// that does not name its place, where the place is read from the body); for a store that
    /// does not
    /// [`keep_log_order`](Self::keeps_log_order), [`StoreError::Backend`] at once.
    fn scan_log_newest_first<E, F>(&self, visit: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(LogRow<'_>) -> Result<(), E>,
    {
        drop(visit);
        Err(E::from(StoreError::Backend(
            "this store does not keep its events in log order".into(),
        )))
    }

    /// [`scan_log_newest_first`](Self::scan_log_newest_first) with the rows gathered by
    /// dossier ([`NewestFirst`](crate::NewestFirst)): each dossier's stream handed to `visit`
    /// whole, bodies undecoded, as soon as its event number 1 is read. Memory holds the
    /// dossiers in flight at the point of the log reached, not the store.
    ///
    /// # Errors
    /// As [`scan_log_newest_first`](Self::scan_log_newest_first), and
    /// [`StoreError::Damaged`] for a stream out of order.
    fn scan_newest_first<E, F>(&self, mut visit: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(crate::StoredStream) -> Result<(), E>,
    {
        let mut grouper = crate::NewestFirst::default();
        self.scan_log_newest_first(|row: LogRow<'_>| grouper.push_row(row, &mut visit))?;
        grouper.finish().map_err(E::from)
    }

    /// Reads every dossier's standing from the table kept beside the log
    /// ([`standings`](crate::standings)), in one snapshot, if it is current: judged with the
    /// context `fingerprint` names and up to the log's last position. `visit` is handed each
    /// row in the table's order; once every row was handed over, `needing` names the
    /// dossiers whose events the caller needs after all (their standing is later than the
    /// instant asked about, or cannot be read), and `events` is handed each one's stream,
    /// read in the same snapshot. `needing` may instead give up (`None`: so many streams
    /// that reading the whole log is cheaper); nothing more is read then and the call
    /// returns `false`.
    ///
    /// Returns `false`, having visited nothing, when the store keeps no such table (the
    /// default) or it is not current; the caller then reads events.
    ///
    /// # Errors
    /// The first error a closure returns, or the store's.
    fn scan_standings<E, F, N, G>(
        &self,
        fingerprint: u64,
        visit: F,
        needing: N,
        events: G,
    ) -> Result<bool, E>
    where
        E: From<StoreError>,
        F: FnMut(crate::standings::StandingRead<'_>) -> Result<(), E>,
        N: FnOnce() -> Result<Option<Vec<DossierId>>, E>,
        G: FnMut(&[Event]) -> Result<(), E>,
    {
        drop((fingerprint, visit, needing, events));
        Ok(false)
    }
}

/// A stored row as [`DossierScan::scan_log_newest_first`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogRow<'a> {
    /// Its position in the log.
    pub position: u64,
    /// Its dossier: the one its body names, or its row's column (checked against the body
    /// when decoded).
    pub dossier_id: &'a str,
    /// Its sequence number, from the body or the row's column likewise.
    pub sequence: u64,
    /// The body as stored (compact or a JSON line).
    pub body: &'a [u8],
}

impl<'a> LogRow<'a> {
    /// The row of a compact body stored at `position`, its dossier and sequence read from the
    /// body's first bytes ([`crate::codec::compact::stream_place`]).
    ///
    /// # Errors
    /// [`StoreError::Unreadable`] naming the position, for a body that is not compact or ends
    /// before its sequence number.
    pub fn compact(position: u64, body: &'a [u8]) -> Result<LogRow<'a>, StoreError> {
        let (dossier_id, sequence) =
            crate::codec::compact::stream_place(body).map_err(|e| StoreError::Unreadable {
                position,
                reason: e.to_string(),
            })?;
        Ok(LogRow {
            position,
            dossier_id,
            sequence,
            body,
        })
    }
}

/// Gathers the events of a scan ordered by dossier id and sequence into one stream per dossier,
/// handing each to a visitor as soon as the next dossier begins (for [`DossierScan`]
/// implementations).
#[derive(Debug, Default)]
pub struct StreamGrouper {
    stream: Vec<Event>,
}

impl StreamGrouper {
    /// Adds the next event of the scan; visits the stream before it when this one starts a new
    /// dossier. Checks sequence continuity on the way: a dossier's first event must be number
    /// 1 and each next one follow on (see [`crate::chain`]).
    ///
    /// # Errors
    /// The visitor's error, or [`StoreError::Damaged`] for an event out of place.
    pub fn push<E: From<StoreError>>(
        &mut self,
        event: Event,
        visit: &mut impl FnMut(&[Event]) -> Result<(), E>,
    ) -> Result<(), E> {
        let expected = match self.stream.last() {
            Some(last) if last.dossier_id == event.dossier_id => last.sequence.saturating_add(1),
            Some(_) => {
                visit(&self.stream)?;
                self.stream.clear();
                1
            }
            None => 1,
        };
        if event.sequence != expected {
            return Err(E::from(
                crate::chain::Damage::Sequence {
                    found: event.sequence,
                }
                .at(&event.dossier_id, expected),
            ));
        }
        self.stream.push(event);
        Ok(())
    }

    /// Visits the last stream, if any.
    ///
    /// # Errors
    /// The visitor's error.
    pub fn finish<E>(self, visit: &mut impl FnMut(&[Event]) -> Result<(), E>) -> Result<(), E> {
        if self.stream.is_empty() {
            Ok(())
        } else {
            visit(&self.stream)
        }
    }
}

/// At most `parts - 1` bounds for [`DossierRange::split_at`], taken at even steps of `weight`
/// (events) through `items` sorted by `id`: the bound of part `k` is the first id at or after
/// `total × k / parts` events.
pub fn even_bounds<T>(
    items: &[T],
    parts: usize,
    id: impl Fn(&T) -> &DossierId,
    weight: impl Fn(&T) -> u64,
) -> Vec<DossierId> {
    let total: u64 = items.iter().map(&weight).sum();
    if parts <= 1 || total == 0 {
        return Vec::new();
    }
    // In u128 the product cannot overflow: both factors are below 2^64.
    let threshold =
        |k: usize| u64::try_from(u128::from(total) * k as u128 / parts as u128).unwrap_or(total);
    let mut bounds: Vec<DossierId> = Vec::new();
    let mut seen = 0u64;
    let mut next = 1usize;
    for item in items {
        while next < parts && seen >= threshold(next) {
            if bounds.last() != Some(id(item)) {
                bounds.push(id(item).clone());
            }
            next += 1;
        }
        seen = seen.saturating_add(weight(item));
    }
    // The first id cannot be a bound (the range before it would be empty).
    if items.first().map(&id) == bounds.first() {
        bounds.remove(0);
    }
    bounds
}

impl DossierScan for InMemoryStore {
    fn dossier_ranges(&self, parts: usize) -> Result<Vec<DossierRange>, StoreError> {
        let through = self.last_position()?;
        let mut sized = Vec::new();
        for id in self.dossier_ids()? {
            let version = self.stream_version(&id)?;
            sized.push((id, version));
        }
        let bounds = even_bounds(&sized, parts, |(id, _)| id, |(_, n)| *n);
        Ok(DossierRange::split_at(bounds, Some(through)))
    }

    fn scan_dossiers<E, F>(&self, range: &DossierRange, mut visit: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(&[Event]) -> Result<(), E>,
    {
        match range.through {
            None => {
                for id in self.dossier_ids()? {
                    if range.contains(&id) {
                        visit(&self.read_stream(&id)?)?;
                    }
                }
            }
            Some(through) => {
                let limit = usize::try_from(through).unwrap_or(usize::MAX);
                let mut streams: std::collections::BTreeMap<DossierId, Vec<Event>> =
                    std::collections::BTreeMap::new();
                for stored in self.read_all(0, limit)? {
                    if range.contains(&stored.event.dossier_id) {
                        streams
                            .entry(stored.event.dossier_id.clone())
                            .or_default()
                            .push(stored.event);
                    }
                }
                for events in streams.values() {
                    visit(events)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_split_events_evenly_and_never_start_with_the_first_id() {
        let items: Vec<(DossierId, u64)> = (0..10)
            .map(|i| (DossierId::new(format!("D{i}")), 10))
            .collect();
        let bounds = even_bounds(&items, 4, |(id, _)| id, |(_, n)| *n);
        let names: Vec<&str> = bounds.iter().map(DossierId::as_str).collect();
        assert_eq!(names, ["D3", "D5", "D8"]);
        assert!(even_bounds(&items, 1, |(id, _)| id, |(_, n)| *n).is_empty());
        assert!(even_bounds(&items[..1], 8, |(id, _)| id, |(_, n)| *n).is_empty());
        let ranges = DossierRange::split_at(bounds, None);
        assert_eq!(ranges.len(), 4);
        for (id, _) in &items {
            assert_eq!(ranges.iter().filter(|r| r.contains(id)).count(), 1, "{id}");
        }
    }
}
