//! Ids a reader has read before, given out again instead of allocated anew: a file names the
//! same procedures, units and officers on line after line, and each id is a shared string
//! (`Arc<str>`), so a clone is a count, where a new one is an allocation (and, once the
//! event is dropped on another thread, a free across threads). The ids are the same either
//! way (`==`, `Hash`, `Ord` compare the text).

use motcua_core::{OfficerId, ProcedureCode, UnitId};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Ids kept at most per kind; past it the table starts again (a file of ever new ids costs
/// what it cost without the table, and memory stays bounded).
const MOST: usize = 4096;

/// FNV-1a, the hasher of maps keyed by short ids (dossiers, procedures, officers): fast on a
/// few dozen bytes, and without randomness, so the same input does the same work on every
/// run. (Nothing in motcua lets a map's iteration order reach its output.)
///
/// ```
/// use std::collections::HashMap;
/// use std::hash::BuildHasherDefault;
/// let mut by_id: HashMap<&str, u32, BuildHasherDefault<motcua_io::IdHasher>> = HashMap::default();
/// by_id.insert("H26-0001", 1);
/// assert_eq!(by_id.get("H26-0001"), Some(&1));
/// ```
#[derive(Debug, Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            hash = (hash ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// One kind of id, by its text.
#[derive(Debug)]
struct Seen<T>(HashMap<Box<str>, T, BuildHasherDefault<IdHasher>>);

impl<T> Default for Seen<T> {
    fn default() -> Self {
        Seen(HashMap::default())
    }
}

impl<T: Clone> Seen<T> {
    /// The id of `text`: the one made before, else `make`'s (kept when it is one).
    fn get(&mut self, text: &str, make: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        if let Some(id) = self.0.get(text) {
            return Some(id.clone());
        }
        let id = make(text)?;
        if self.0.len() >= MOST {
            self.0.clear();
        }
        self.0.insert(text.into(), id.clone());
        Some(id)
    }
}

/// The ids one reader has read.
#[derive(Debug, Default)]
pub(crate) struct SeenIds {
    procedures: Seen<ProcedureCode>,
    units: Seen<UnitId>,
    officers: Seen<OfficerId>,
}

impl SeenIds {
    pub(crate) fn procedure(&mut self, text: &str) -> ProcedureCode {
        self.procedures
            .get(text, |t| Some(ProcedureCode::new(t)))
            .unwrap_or_else(|| ProcedureCode::new(text))
    }

    pub(crate) fn unit(&mut self, text: &str) -> UnitId {
        self.units
            .get(text, |t| Some(UnitId::new(t)))
            .unwrap_or_else(|| UnitId::new(text))
    }

    /// The officer of `text`, `None` when it is not a valid officer id.
    pub(crate) fn officer(&mut self, text: &str) -> Option<OfficerId> {
        self.officers.get(text, |t| OfficerId::new(t).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_read_again_is_the_same_shared_text() {
        let mut seen = SeenIds::default();
        let a = seen.procedure("1.001193");
        let b = seen.procedure("1.001193");
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()), "not shared");
        assert_ne!(seen.procedure("1.001194"), a);
        assert_eq!(seen.unit("H19.02"), UnitId::new("H19.02"));
        assert_eq!(
            seen.officer("lan.nt@H19.02"),
            OfficerId::new("lan.nt@H19.02").ok()
        );
        // An invalid officer stays invalid, read once or twice.
        assert_eq!(seen.officer(""), None);
        assert_eq!(seen.officer(""), None);
    }

    #[test]
    fn the_table_stays_bounded_and_right_past_its_size() {
        let mut seen = SeenIds::default();
        for n in 0..3 * MOST {
            let text = format!("U{n}");
            assert_eq!(seen.unit(&text).as_str(), text);
            assert!(seen.units.0.len() <= MOST);
        }
        assert_eq!(seen.unit("U7").as_str(), "U7");
    }
}
