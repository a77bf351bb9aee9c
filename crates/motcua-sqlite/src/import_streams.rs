//! Where an import session finds the streams it wrote while its index on (dossier, sequence)
//! is away.
//!
//! An import into a store holding no event drops that index with the index of event ids and
//! builds both once, sorted, at commit (docs/event-id-index.md): kept up at each insert, its
//! pages take the inserts of every dossier in progress at once, which outgrows the page cache
//! and made the import superlinear. The session still has to read back the stream of a
//! dossier the importer no longer holds in memory; [`Chains`] finds its rows by position:
//!
//! - each dossier id hashes to one of [`Chains::BUCKETS`] buckets, which keeps the last
//!   position recorded in it;
//! - each recorded position keeps the position recorded before it in the same bucket, and one
//!   byte (a tag) of its dossier's hash.
//!
//! Walking a bucket from its last position back visits every event of every dossier in that
//! bucket; the rows whose tag is the dossier's are read by position (the table's own key) and
//! kept when they name the dossier. Nothing is ever missed, whatever the hashes share: a
//! shared bucket or tag only costs a step or a read. Memory: 5 bytes an event in blocks (no
//! copy as it grows) and 4 MiB of buckets, given back at commit, before the indexes are built.

use motcua_core::DossierId;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// The positions of an import session's events, chained by dossier (see the module).
#[derive(Debug)]
pub(crate) struct Chains {
    hasher: RandomState,
    /// The last position recorded in each bucket; 0 for none.
    last: Vec<u32>,
    /// For each recorded position from `first` on, the position recorded before it in its
    /// bucket (0 for none), in blocks of [`Chains::BLOCK`].
    previous: Vec<Vec<u32>>,
    /// The tag of each recorded position's dossier, in the same blocks.
    tags: Vec<Vec<u8>>,
    /// The first position recorded.
    first: u64,
    /// Positions recorded.
    len: u64,
}

impl Chains {
    /// Buckets: 2²⁰, 4 MiB. A 10⁶-dossier import chains about 7 events a bucket, 10⁷ about 70:
    /// steps in memory, each far cheaper than a row read.
    const BUCKETS: usize = 1 << 20;

    /// Positions a block holds.
    const BLOCK: usize = 1 << 16;

    /// Chains for a session whose first event takes `first`.
    pub(crate) fn new(first: u64) -> Chains {
        Chains {
            hasher: RandomState::new(),
            last: vec![0; Self::BUCKETS],
            previous: Vec::new(),
            tags: Vec::new(),
            first,
            len: 0,
        }
    }

    /// The bucket and tag of a dossier.
    fn place(&self, dossier: &DossierId) -> (usize, u8) {
        let hash = self.hasher.hash_one(dossier.as_str());
        // The low bits choose the bucket, the high byte is the tag: independent of each other.
        let bucket = (hash as usize) & (Self::BUCKETS - 1);
        (bucket, (hash >> 56) as u8)
    }

    /// Records that `dossier`'s events take positions `from..=to`, which must follow the last
    /// position recorded. `false` (nothing recorded) if they do not, or if a position is
    /// beyond what a chain holds (2³² − 1): the caller then builds the index instead.
    pub(crate) fn record(&mut self, dossier: &DossierId, from: u64, to: u64) -> bool {
        if from != self.first + self.len || to < from || u32::try_from(to).is_err() {
            return false;
        }
        let (bucket, tag) = self.place(dossier);
        let Some(last) = self.last.get_mut(bucket) else {
            return false;
        };
        for position in from..=to {
            if self
                .previous
                .last()
                .is_none_or(|block| block.len() >= Self::BLOCK)
            {
                self.previous.push(Vec::with_capacity(Self::BLOCK));
                self.tags.push(Vec::with_capacity(Self::BLOCK));
            }
            if let (Some(previous), Some(tags)) = (self.previous.last_mut(), self.tags.last_mut()) {
                previous.push(*last);
                tags.push(tag);
            }
            // Checked above: `to` fits.
            *last = u32::try_from(position).unwrap_or(u32::MAX);
        }
        self.len += to - from + 1;
        true
    }

    /// The previous position of `position`'s bucket and `position`'s tag.
    fn link(&self, position: u32) -> Option<(u32, u8)> {
        let index = u64::from(position).checked_sub(self.first)?;
        if index >= self.len {
            return None;
        }
        let block = usize::try_from(index / Self::BLOCK as u64).ok()?;
        let at = usize::try_from(index % Self::BLOCK as u64).ok()?;
        Some((
            *self.previous.get(block)?.get(at)?,
            *self.tags.get(block)?.get(at)?,
        ))
    }

    /// The positions that may hold `dossier`'s events, latest first: every one that does, and
    /// a few of other dossiers sharing its bucket and tag (the caller reads each row and
    /// keeps those naming the dossier).
    pub(crate) fn candidates(&self, dossier: &DossierId) -> Candidates<'_> {
        let (bucket, tag) = self.place(dossier);
        Candidates {
            chains: self,
            next: self.last.get(bucket).copied().unwrap_or(0),
            tag,
        }
    }
}

/// The walk of one bucket ([`Chains::candidates`]).
pub(crate) struct Candidates<'c> {
    chains: &'c Chains,
    next: u32,
    tag: u8,
}

impl Iterator for Candidates<'_> {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        while self.next != 0 {
            let position = self.next;
            let (previous, tag) = self.chains.link(position)?;
            self.next = previous;
            if tag == self.tag {
                return Some(u64::from(position));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::Chains;
    use motcua_core::DossierId;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Law: whatever the dossiers and the runs they come in, the candidates of a dossier
        /// hold every position it was given, latest first (a reference that keeps each
        /// dossier's positions in a map, the obvious way).
        #[test]
        fn every_position_of_a_dossier_is_a_candidate(
            first in 1u64..1_000_000,
            runs in prop::collection::vec((0u16..300, 1u64..5), 1..400),
        ) {
            let mut chains = Chains::new(first);
            let mut reference: BTreeMap<u16, Vec<u64>> = BTreeMap::new();
            let mut next = first;
            for (dossier, events) in runs {
                let id = DossierId::new(format!("H26-{dossier:05}"));
                prop_assert!(chains.record(&id, next, next + events - 1));
                reference.entry(dossier).or_default().extend(next..next + events);
                next += events;
            }
            for (dossier, positions) in reference {
                let id = DossierId::new(format!("H26-{dossier:05}"));
                let candidates: Vec<u64> = chains.candidates(&id).collect();
                prop_assert!(candidates.windows(2).all(|w| w[0] > w[1]), "latest first");
                let mine: Vec<u64> = positions.iter().rev().copied().collect();
                let kept: Vec<u64> =
                    candidates.iter().copied().filter(|p| positions.contains(p)).collect();
                prop_assert_eq!(kept, mine);
            }
        }
    }

    #[test]
    fn a_dossier_never_recorded_has_few_or_no_candidates() {
        let mut chains = Chains::new(1);
        for i in 0..200_000u64 {
            let id = DossierId::new(format!("H26-{i:07}"));
            assert!(chains.record(&id, i + 1, i + 1));
        }
        // Each stranger shares a bucket with a few of the 200,000 and their tag 1 time in 256.
        let strangers: usize = (0..10_000)
            .map(|i| chains.candidates(&DossierId::new(format!("X-{i}"))).count())
            .sum();
        assert!(
            strangers < 100,
            "{strangers} candidates for 10,000 strangers"
        );
    }

    #[test]
    fn positions_out_of_order_or_beyond_u32_are_refused() {
        let mut chains = Chains::new(5);
        let id = DossierId::new("H26-1");
        assert!(!chains.record(&id, 6, 6), "a gap");
        assert!(chains.record(&id, 5, 7));
        assert!(!chains.record(&id, 7, 8), "a repeat");
        assert!(!chains.record(&id, 9, 8), "an empty range");
        let mut far = Chains::new(u64::from(u32::MAX));
        assert!(far.record(&id, u64::from(u32::MAX), u64::from(u32::MAX)));
        assert!(!far.record(&id, u64::from(u32::MAX) + 1, u64::from(u32::MAX) + 1));
        assert_eq!(chains.candidates(&id).collect::<Vec<_>>(), [7, 6, 5]);
    }
}
