//! Catalogue records: every catalogue a store was given, kept as a numbered record, so that a
//! report can say which catalogue judged which dossier.
//!
//! A store that keeps a catalogue keeps each different one it is given as a record: number 1,
//! 2, … in the order they were recorded, the catalogue's JSON as stored
//! (`motcua_io::write_catalogue`), its SHA-256 ([`sha256_hex`]), and the log position it
//! judges from ([`CatalogueRecord::from_position`]). A catalogue is recorded in the same
//! transaction as the events it came with (an import's), and only when its bytes differ from
//! the latest record's: importing the same catalogue twice records nothing. The latest record
//! is the store's catalogue: every dossier is judged with it (a catalogue carries its
//! procedures' dated versions, so one catalogue judges old and new dossiers alike).
//!
//! **From which position.** A record's `from_position` is the log's last position when the
//! record's transaction began writing: the record is the one *in force* for the events stored
//! after it (positions above `from_position`), until the next record's. An import that brings a
//! new catalogue records it from the position before its own first event, so its events count
//! as received under it. Positions, not wall-clock times: the core has no clock, and positions
//! follow commit order.
//!
//! ```
//! use motcua_store::catalogue_records::{in_force_at, sha256_hex, CatalogueRecord};
//!
//! let record = |number, from_position| CatalogueRecord {
//!     number,
//!     sha256: sha256_hex(&format!("catalogue {number}")),
//!     from_position,
//!     size: 11,
//! };
//! // Record 1 from the start, record 2 recorded when the log held 40 events.
//! let records = [record(1, 0), record(2, 40)];
//! assert_eq!(in_force_at(&records, 40).map(|r| r.number), Some(1));
//! assert_eq!(in_force_at(&records, 41).map(|r| r.number), Some(2));
//! assert_eq!(records[1].short_sha256().len(), 12);
//! ```

use crate::error::StoreError;
use crate::store::StoreResult;
use motcua_core::DossierId;
use sha2::{Digest as _, Sha256};

/// One catalogue record, as a store lists it (its body is read apart:
/// [`CatalogueRecords::catalogue_record_body`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogueRecord {
    /// The record's number: 1, 2, … in the order recorded.
    pub number: u64,
    /// The SHA-256 of the body, in lowercase hexadecimal, as the store recorded it.
    pub sha256: String,
    /// The log's last position when the record was written: the record is in force for the
    /// events stored after it (see the [module](self) documentation).
    pub from_position: u64,
    /// The body's size in bytes.
    pub size: u64,
}

impl CatalogueRecord {
    /// The record numbered `number` of `body`, in force from `from_position`: its SHA-256 and
    /// size computed.
    ///
    /// ```
    /// use motcua_store::catalogue_records::CatalogueRecord;
    /// let record = CatalogueRecord::of_body(1, 0, "{}");
    /// assert_eq!((record.size, &record.sha256[..8]), (2, "44136fa3"));
    /// ```
    pub fn of_body(number: u64, from_position: u64, body: &str) -> CatalogueRecord {
        CatalogueRecord {
            number,
            sha256: sha256_hex(body),
            from_position,
            size: body.len() as u64,
        }
    }

    /// The first 12 hexadecimal digits of the SHA-256, as reports name a record.
    ///
    /// ```
    /// use motcua_store::catalogue_records::{sha256_hex, CatalogueRecord};
    /// let record = CatalogueRecord { number: 1, sha256: sha256_hex(""), from_position: 0, size: 0 };
    /// assert_eq!(record.short_sha256(), "e3b0c44298fc");
    /// ```
    pub fn short_sha256(&self) -> &str {
        self.sha256.get(..12).unwrap_or(&self.sha256)
    }
}

/// The SHA-256 of a catalogue body (its UTF-8 bytes), in lowercase hexadecimal.
///
/// ```
/// assert_eq!(
///     motcua_store::catalogue_records::sha256_hex("abc"),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn sha256_hex(body: &str) -> String {
    crate::chain::hex(&Sha256::digest(body.as_bytes()).into())
}

/// `body`, the body of catalogue record `number`, if it hashes to `recorded` (its recorded
/// SHA-256); otherwise why it cannot be used: it was changed after it was written.
///
/// ```
/// use motcua_store::catalogue_records::{check_body, sha256_hex};
/// let recorded = sha256_hex("a");
/// assert_eq!(check_body(1, &recorded, "a".to_owned()).as_deref(), Ok("a"));
/// let err = check_body(1, &recorded, "b".to_owned()).unwrap_err();
/// assert!(err.starts_with("catalogue record 1 does not hash to its recorded SHA-256"));
/// ```
pub fn check_body(number: i64, recorded: &str, body: String) -> Result<String, String> {
    let computed = sha256_hex(&body);
    if computed == recorded {
        return Ok(body);
    }
    Err(format!(
        "catalogue record {number} does not hash to its recorded SHA-256 (recorded {}…, the \
         body hashes to {}…): it was changed after it was written; `motcua verify` names it",
        recorded.get(..12).unwrap_or(recorded),
        computed.get(..12).unwrap_or(&computed)
    ))
}

/// The number a catalogue whose body hashes to `sha256` gets when recorded after `latest`
/// (the latest record's number and SHA-256, if any): `None` when it is the latest record's
/// catalogue (same hash: nothing to record), else the next number.
///
/// ```
/// use motcua_store::catalogue_records::{next_number, sha256_hex};
/// let a = sha256_hex("a");
/// assert_eq!(next_number(None, &a), Some(1));
/// assert_eq!(next_number(Some((1, &a)), &a), None);
/// assert_eq!(next_number(Some((1, &a)), &sha256_hex("b")), Some(2));
/// ```
pub fn next_number(latest: Option<(u64, &str)>, sha256: &str) -> Option<u64> {
    match latest {
        Some((_, recorded)) if recorded == sha256 => None,
        Some((number, _)) => Some(number + 1),
        None => Some(1),
    }
}

/// The record in force for the event at `position`: the latest record (highest number) written
/// before it, that is with [`CatalogueRecord::from_position`] below `position`. `records` in
/// number order, as [`CatalogueRecords::catalogue_records`] lists them.
pub fn in_force_at(records: &[CatalogueRecord], position: u64) -> Option<&CatalogueRecord> {
    records
        .iter()
        .filter(|r| r.from_position < position)
        .max_by_key(|r| r.number)
}

/// A store that keeps its catalogues as records (SQLite and PostgreSQL stores; the
/// [`crate::InMemoryStore`] keeps none and lists none).
pub trait CatalogueRecords {
    /// Every record, in number order (empty when the store keeps no catalogue).
    ///
    /// # Errors
    /// The store's error.
    fn catalogue_records(&self) -> StoreResult<Vec<CatalogueRecord>>;

    /// Record `number`'s body, the catalogue's JSON as stored; `None` if there is no such
    /// record.
    ///
    /// # Errors
    /// The store's error.
    fn catalogue_record_body(&self, number: u64) -> StoreResult<Option<String>>;

    /// The position of `dossier`'s first event in the log, `None` if it has none: with
    /// [`in_force_at`], the record in force when the dossier was received into the log.
    ///
    /// # Errors
    /// The store's error.
    fn first_position(&self, dossier: &DossierId) -> StoreResult<Option<u64>>;
}

/// What is wrong with a catalogue record, found by [`check_records`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordProblem {
    /// The body's SHA-256 is not the recorded one: the body (or the hash) was changed.
    #[error(
        "its body's SHA-256 is {computed}, not the recorded {recorded}: the record was changed"
    )]
    Hash {
        /// The SHA-256 recorded with it.
        recorded: String,
        /// The SHA-256 of its body as stored.
        computed: String,
    },
    /// The record's number breaks the numbering 1, 2, …: a record is missing.
    #[error("expected record {expected} here: a record is missing")]
    Number {
        /// The number expected in its place.
        expected: u64,
    },
    /// The record judges from an earlier position than the record before it.
    #[error("it judges from position {from}, before record {previous_number}'s position {previous}: the records were changed")]
    Position {
        /// Its from-position.
        from: u64,
        /// The previous record's number.
        previous_number: u64,
        /// The previous record's from-position.
        previous: u64,
    },
    /// The record was listed but its body could not be found.
    #[error("its body is missing")]
    Missing,
}

/// One finding of [`check_records`]: the record and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("catalogue record {number}: {problem}")]
pub struct RecordFinding {
    /// The record's number.
    pub number: u64,
    /// What is wrong.
    pub problem: RecordProblem,
}

/// Checks a store's catalogue records, as `motcua verify` does: numbered 1, 2, … without a
/// gap, from-positions never going back, and each body's SHA-256 the recorded one (bodies
/// read one at a time). Returns the findings in record order, at most one per record.
///
/// # Errors
/// The store's error when it cannot be read.
///
/// ```
/// use motcua_store::catalogue_records::check_records;
/// use motcua_store::InMemoryStore;
/// assert!(check_records(&InMemoryStore::new())?.is_empty());
/// # Ok::<(), motcua_store::StoreError>(())
/// ```
pub fn check_records<S: CatalogueRecords + ?Sized>(
    store: &S,
) -> Result<Vec<RecordFinding>, StoreError> {
    let records = store.catalogue_records()?;
    let mut findings = Vec::new();
    let mut previous: Option<&CatalogueRecord> = None;
    for (expected, record) in (1u64..).zip(&records) {
        let problem = if record.number != expected {
            Some(RecordProblem::Number { expected })
        } else if let Some(p) = previous.filter(|p| record.from_position < p.from_position) {
            Some(RecordProblem::Position {
                from: record.from_position,
                previous_number: p.number,
                previous: p.from_position,
            })
        } else {
            match store.catalogue_record_body(record.number)? {
                None => Some(RecordProblem::Missing),
                Some(body) => {
                    let computed = sha256_hex(&body);
                    (computed != record.sha256).then(|| RecordProblem::Hash {
                        recorded: record.sha256.clone(),
                        computed,
                    })
                }
            }
        };
        findings.extend(problem.map(|problem| RecordFinding {
            number: record.number,
            problem,
        }));
        previous = Some(record);
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Records and bodies as a test lays them out.
    struct Kept(Vec<CatalogueRecord>, BTreeMap<u64, String>);

    impl CatalogueRecords for Kept {
        fn catalogue_records(&self) -> StoreResult<Vec<CatalogueRecord>> {
            Ok(self.0.clone())
        }
        fn catalogue_record_body(&self, number: u64) -> StoreResult<Option<String>> {
            Ok(self.1.get(&number).cloned())
        }
        fn first_position(&self, _: &DossierId) -> StoreResult<Option<u64>> {
            Ok(None)
        }
    }

    fn kept(from: &[u64]) -> Kept {
        let mut records = Vec::new();
        let mut bodies = BTreeMap::new();
        for (number, &from_position) in (1u64..).zip(from) {
            let body = format!("{{\"catalogue\": {number}}}");
            records.push(CatalogueRecord {
                number,
                sha256: sha256_hex(&body),
                from_position,
                size: body.len() as u64,
            });
            bodies.insert(number, body);
        }
        Kept(records, bodies)
    }

    fn check(kept: &Kept) -> Vec<RecordFinding> {
        check_records(kept).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn intact_records_have_no_finding() {
        assert!(check(&kept(&[0, 0, 7, 12])).is_empty());
        assert!(check(&kept(&[])).is_empty());
    }

    #[test]
    fn an_edited_body_is_named_by_its_record() {
        let mut k = kept(&[0, 5, 9]);
        k.1.insert(2, "{\"catalogue\": 22}".to_owned());
        let findings = check(&k);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].number, 2);
        assert!(matches!(findings[0].problem, RecordProblem::Hash { .. }));
        assert!(findings[0]
            .to_string()
            .starts_with("catalogue record 2: its body's SHA-256 is "));
        k.1.remove(&3);
        assert_eq!(check(&k)[1].problem, RecordProblem::Missing);
    }

    #[test]
    fn gaps_and_positions_going_back_are_found() {
        let mut k = kept(&[0, 5, 9]);
        k.0.remove(1);
        assert_eq!(
            check(&k),
            vec![RecordFinding {
                number: 3,
                problem: RecordProblem::Number { expected: 2 }
            }]
        );
        let mut k = kept(&[0, 5, 9]);
        k.0[2].from_position = 4;
        assert_eq!(
            check(&k),
            vec![RecordFinding {
                number: 3,
                problem: RecordProblem::Position {
                    from: 4,
                    previous_number: 2,
                    previous: 5
                }
            }]
        );
    }

    #[test]
    fn the_record_in_force_is_the_latest_written_before_the_event() {
        let k = kept(&[0, 3, 3, 10]);
        let at = |p| in_force_at(&k.0, p).map(|r| r.number);
        assert_eq!(at(0), None);
        assert_eq!(at(1), Some(1));
        assert_eq!(at(3), Some(1));
        assert_eq!(at(4), Some(3));
        assert_eq!(at(10), Some(3));
        assert_eq!(at(11), Some(4));
    }
}
