//! What an import remembers for the whole of its run, kept small: the line of every event it
//! handed over (2 bytes an event) and which dossiers' states it dropped (4 bytes a dossier).
//! Both grow with the file; everything else an import holds is bounded.

use std::collections::HashSet;

/// The line of each event handed to the session, by its index in the session (0 for the
/// first): to name the first line of a repeated id, or the line of an event a commit refused.
///
/// Lines come nearly in order (an import hands a chunk's events over grouped by dossier, and
/// blank lines only add to the distance): blocks of [`LineIndex::BLOCK`] events keep each
/// event's distance from its index as a 16-bit offset from the block's first, 2 bytes an event.
/// A block whose offsets do not fit (chunks of more than 32,767 events, long runs of blank
/// lines) keeps its lines whole, exactly.
#[derive(Debug, Default)]
pub(crate) struct LineIndex {
    blocks: Vec<Block>,
    len: u64,
}

#[derive(Debug)]
enum Block {
    /// Each line is `index + 1 + base + offset`.
    Narrow { base: i64, offsets: Vec<i16> },
    /// The lines themselves.
    Wide(Vec<u64>),
}

impl LineIndex {
    /// Events a block holds.
    const BLOCK: usize = 4096;

    /// The number of lines kept.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Keeps the line of the next event.
    pub(crate) fn push(&mut self, line: u64) {
        let index = self.len;
        let distance = i128::from(line) - i128::from(index) - 1;
        let full = match self.blocks.last() {
            None => true,
            Some(Block::Narrow { offsets, .. }) => offsets.len() >= Self::BLOCK,
            Some(Block::Wide(lines)) => lines.len() >= Self::BLOCK,
        };
        if full {
            let block = match i64::try_from(distance) {
                Ok(base) => Block::Narrow {
                    base,
                    offsets: Vec::with_capacity(Self::BLOCK),
                },
                Err(_) => Block::Wide(Vec::with_capacity(Self::BLOCK)),
            };
            self.blocks.push(block);
        }
        let first = index - index % Self::BLOCK as u64;
        if let Some(block) = self.blocks.last_mut() {
            if let Block::Narrow { base, offsets } = block {
                match i16::try_from(distance - i128::from(*base)) {
                    Ok(offset) => offsets.push(offset),
                    Err(_) => {
                        // Widened: the block's lines so far, then this one.
                        let mut lines: Vec<u64> = Vec::with_capacity(Self::BLOCK);
                        lines.extend(
                            offsets
                                .iter()
                                .enumerate()
                                .map(|(i, offset)| narrow_line(first + i as u64, *base, *offset)),
                        );
                        *block = Block::Wide(lines);
                    }
                }
            }
            if let Block::Wide(lines) = block {
                lines.push(line);
            }
        }
        self.len += 1;
    }

    /// The line of the event at `index` (0 if there is none).
    pub(crate) fn get(&self, index: u64) -> u64 {
        if index >= self.len {
            return 0;
        }
        let (block, at) = (index / Self::BLOCK as u64, index % Self::BLOCK as u64);
        let (Ok(block), Ok(at)) = (usize::try_from(block), usize::try_from(at)) else {
            return 0;
        };
        match self.blocks.get(block) {
            Some(Block::Narrow { base, offsets }) => offsets
                .get(at)
                .map_or(0, |offset| narrow_line(index, *base, *offset)),
            Some(Block::Wide(lines)) => lines.get(at).copied().unwrap_or(0),
            None => 0,
        }
    }
}

/// The line a narrow block keeps for the event at `index`.
fn narrow_line(index: u64, base: i64, offset: i16) -> u64 {
    let line = i128::from(index) + 1 + i128::from(base) + i128::from(offset);
    u64::try_from(line).unwrap_or(0)
}

/// The dossiers whose states an import dropped (to read them back if they appear again), as
/// 32-bit hashes of their ids: a hash shared with a new dossier only costs a read that finds
/// nothing, so exactness is not needed, and 4 bytes a dossier is. Recent hashes sit in a small
/// set, merged into one sorted vector when it fills.
#[derive(Debug, Default)]
pub(crate) struct DroppedDossiers {
    sorted: Vec<u32>,
    recent: HashSet<u32>,
}

impl DroppedDossiers {
    /// Hashes kept in the recent set before they are merged.
    const RECENT: usize = 1 << 16;

    /// Remembers the dossier with this hash of its id.
    pub(crate) fn insert(&mut self, hash: u64) {
        let short = fold(hash);
        if self.sorted.binary_search(&short).is_ok() {
            return;
        }
        self.recent.insert(short);
        if self.recent.len() >= Self::RECENT {
            self.sorted.reserve_exact(self.recent.len());
            self.sorted.extend(self.recent.drain());
            self.sorted.sort_unstable();
        }
    }

    /// Whether a dossier with this hash of its id may have been dropped (false: it was not).
    pub(crate) fn may_contain(&self, hash: u64) -> bool {
        let short = fold(hash);
        self.recent.contains(&short) || self.sorted.binary_search(&short).is_ok()
    }
}

/// A 64-bit hash folded to 32 bits.
fn fold(hash: u64) -> u32 {
    // Both halves of a `RandomState` hash are uniform; the high one is taken.
    (hash >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::{DroppedDossiers, LineIndex};

    /// Lines as an import hands them over: chunks grouped by dossier, with blank lines.
    fn grouped(chunk: u64, chunks: u64, blank_every: u64) -> Vec<u64> {
        let mut out = Vec::new();
        let mut line = 1;
        for _ in 0..chunks {
            let mut lines = Vec::new();
            for _ in 0..chunk {
                lines.push(line);
                line += if blank_every > 0 && line % blank_every == 0 {
                    2
                } else {
                    1
                };
            }
            // Two "dossiers": even places first, then odd ones.
            let (even, odd): (Vec<_>, Vec<_>) =
                lines.iter().enumerate().partition(|(i, _)| i % 2 == 0);
            out.extend(even.into_iter().chain(odd).map(|(_, l)| *l));
        }
        out
    }

    fn check(lines: &[u64]) {
        let mut index = LineIndex::default();
        for &line in lines {
            index.push(line);
        }
        assert_eq!(index.len(), lines.len() as u64);
        for (i, &line) in lines.iter().enumerate() {
            assert_eq!(index.get(i as u64), line, "index {i}");
        }
        assert_eq!(index.get(lines.len() as u64), 0);
    }

    #[test]
    fn every_line_is_kept_exactly() {
        check(&grouped(10, 1000, 0));
        check(&grouped(10_000, 3, 7));
        // Chunks wider than a narrow offset reaches: widened blocks.
        check(&grouped(100_000, 1, 0));
        // Lines far apart, beyond u32, and the largest.
        check(&[1, 2, 3, u64::from(u32::MAX) + 5, 7, u64::MAX, 9, 10]);
        let mut jumps: Vec<u64> = (1..20_000).map(|i| i * 70_000).collect();
        jumps.insert(5000, 3);
        check(&jumps);
    }

    #[test]
    fn line_index_keeps_large_lines_exactly() {
        let mut index = LineIndex::default();
        for line in [3, u64::from(u32::MAX) + 7, 5, u64::from(u32::MAX)] {
            index.push(line);
        }
        let lines: Vec<u64> = (0..5).map(|i| index.get(i)).collect();
        assert_eq!(
            lines,
            [3, u64::from(u32::MAX) + 7, 5, u64::from(u32::MAX), 0]
        );
    }

    #[test]
    fn a_narrow_block_costs_two_bytes_an_event() {
        let mut index = LineIndex::default();
        for line in grouped(10_000, 2, 50) {
            index.push(line);
        }
        assert!(index
            .blocks
            .iter()
            .all(|b| matches!(b, super::Block::Narrow { .. })));
    }

    #[test]
    fn dropped_dossiers_are_found_and_others_mostly_not() {
        let mut dropped = DroppedDossiers::default();
        let hash = |i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for i in 0..200_000 {
            dropped.insert(hash(i));
            dropped.insert(hash(i)); // twice: kept once
        }
        assert!((0..200_000).all(|i| dropped.may_contain(hash(i))));
        let distinct: std::collections::BTreeSet<u32> =
            (0..200_000).map(|i| super::fold(hash(i))).collect();
        assert_eq!(dropped.sorted.len() + dropped.recent.len(), distinct.len());
        let strangers = (200_000..400_000)
            .filter(|&i| dropped.may_contain(hash(i)))
            .count();
        assert!(strangers < 100, "{strangers} false hits");
    }
}
