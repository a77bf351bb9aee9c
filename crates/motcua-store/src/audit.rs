//! Checking a whole store, as `motcua verify` does: every dossier's rows as they are kept
//! (sequence continuity, every link recomputed, every event replayed through the dossier
//! rules), the log's positions, and the store's [`Digest`] over every dossier's head; against
//! an [`Anchor`] recorded earlier, each dossier's recorded head.

use crate::chain::{hex, Damage, Digest, Link, Linker, GENESIS};
use crate::error::StoreError;
use motcua_core::{rules, state, Catalogue, DossierId, DossierState, Event};
use std::collections::BTreeMap;

/// An event row as a store keeps it, read without any check.
#[derive(Clone, Debug)]
pub struct StoredRow {
    /// The row's position in the log.
    pub position: u64,
    /// The row's sequence column.
    pub sequence: u64,
    /// The decoded body, or why it cannot be decoded.
    pub event: Result<Event, String>,
    /// The stored link, if any (and exactly 32 bytes).
    pub link: Option<Link>,
    /// The row's event id column, where the store keeps one beside the body (it is what
    /// refuses a repeated id): `None` where the store has no such column, or the column holds
    /// something that is not an id.
    pub event_id: Option<uuid::Uuid>,
}

/// Why a stored body cannot be read, as a [`StoredRow::event`] says it: the reason of a
/// [`StoreError::Unreadable`] (the audit names the dossier and the event itself), any other
/// error whole.
pub fn unreadable(error: StoreError) -> String {
    match error {
        StoreError::Unreadable { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// What [`RowScan::scan_rows`] calls with each dossier and its rows.
pub type RowVisitor<'a> = dyn FnMut(&DossierId, &[StoredRow]) -> Result<(), StoreError> + 'a;

/// A store whose rows can be read as kept, for [`audit`].
pub trait RowScan {
    /// Whether the store's events carry links (a store from before them, read without being
    /// migrated, does not).
    fn keeps_links(&self) -> bool;

    /// Calls `visit` with each dossier (as its rows' dossier column names it) and its rows in
    /// sequence order, dossiers in id order (byte order).
    ///
    /// # Errors
    /// The store's error, or `visit`'s.
    fn scan_rows(&self, visit: &mut RowVisitor<'_>) -> Result<(), StoreError>;

    /// The last position of the log (what the store says: events up to it must all be there).
    ///
    /// # Errors
    /// The store's error.
    fn last_row_position(&self) -> Result<u64, StoreError>;
}

/// Gathers the rows of a [`RowScan::scan_rows`] ordered by dossier and sequence into one
/// group per dossier, visiting each as soon as the next dossier begins (for implementations).
#[derive(Debug, Default)]
pub struct RowGrouper {
    dossier: Option<DossierId>,
    rows: Vec<StoredRow>,
}

impl RowGrouper {
    /// Adds the next row, of dossier `dossier` (its row's column); visits the group before it
    /// when this one starts a new dossier.
    ///
    /// # Errors
    /// The visitor's error.
    pub fn push(
        &mut self,
        dossier: &str,
        row: StoredRow,
        visit: &mut RowVisitor<'_>,
    ) -> Result<(), StoreError> {
        if self.dossier.as_ref().is_some_and(|d| d.as_str() != dossier) {
            if let Some(d) = self.dossier.take() {
                visit(&d, &self.rows)?;
            }
            self.rows.clear();
        }
        if self.dossier.is_none() {
            self.dossier = Some(DossierId::new(dossier));
        }
        self.rows.push(row);
        Ok(())
    }

    /// Visits the last group, if any.
    ///
    /// # Errors
    /// The visitor's error.
    pub fn finish(self, visit: &mut RowVisitor<'_>) -> Result<(), StoreError> {
        match self.dossier {
            Some(d) => visit(&d, &self.rows),
            None => Ok(()),
        }
    }
}

/// What is wrong, found by [`audit`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The stored log was changed or damaged at this event.
    Damage(Damage),
    /// The event breaks the dossier rules (the checker's message).
    Rules(String),
    /// The dossier holds fewer events than the anchor recorded.
    Shorter {
        /// Events the anchor recorded.
        recorded: u64,
    },
    /// The dossier's link at the anchor's count differs from the recorded head.
    Rewritten {
        /// Events the anchor recorded.
        recorded: u64,
    },
    /// The anchor records a dossier the store does not hold.
    Vanished {
        /// Events the anchor recorded.
        recorded: u64,
    },
    /// A position of the log holds no event: an event was deleted.
    MissingPosition,
}

/// One finding: a dossier and the place in its stream (or, for
/// [`Problem::MissingPosition`], no dossier and the position).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The dossier, when one can be named.
    pub dossier: Option<DossierId>,
    /// The event's sequence number (a position for [`Problem::MissingPosition`]).
    pub sequence: u64,
    /// What is wrong.
    pub problem: Problem,
}

/// The outcome of [`audit`].
#[derive(Clone, Debug)]
pub struct Audit {
    /// Dossiers read.
    pub dossiers: u64,
    /// Events read.
    pub events: u64,
    /// Whether the store keeps links (if not, only numbering and rules were checked).
    pub linked: bool,
    /// Whether the events were replayed through the rules (a catalogue was given).
    pub rules_checked: bool,
    /// What is wrong, at most one finding per dossier (its first), dossiers in id order, then
    /// the missing positions (at most [`MAX_MISSING`] of them are listed).
    pub findings: Vec<Finding>,
    /// Missing positions in all.
    pub missing_positions: u64,
    /// The store's digest ([`Digest`] over every dossier's count and head, computed from the
    /// events as stored).
    pub digest: Link,
    /// Every dossier's count and head, in id order, when asked for ([`audit`]'s `keep_heads`).
    pub heads: Vec<(DossierId, u64, Link)>,
}

impl Audit {
    /// The finding about `dossier` (its first damage), if any.
    ///
    /// ```
    /// use motcua_store::audit::audit;
    /// use motcua_store::InMemoryStore;
    /// let audit = audit(&InMemoryStore::new(), None, None, false)?;
    /// assert!(audit.finding(&"D1".into()).is_none());
    /// # Ok::<(), motcua_store::StoreError>(())
    /// ```
    pub fn finding(&self, dossier: &DossierId) -> Option<&Finding> {
        self.findings
            .iter()
            .find(|f| f.dossier.as_ref() == Some(dossier))
    }
}

/// Missing positions listed at most in [`Audit::findings`].
pub const MAX_MISSING: usize = 20;

/// A record of a store's heads taken earlier (by `motcua verify --anchor-out`), to compare with
/// the store as it is now: each recorded dossier must still hold at least its recorded events,
/// with the recorded link at that count (appends since are fine; a change is not).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Anchor {
    /// The digest the anchor was taken with.
    pub digest: Link,
    /// Every dossier's count and head.
    pub heads: BTreeMap<DossierId, (u64, Link)>,
}

impl Anchor {
    /// The anchor as JSON Lines: a first line with the digest and the number of dossiers, then
    /// one line per dossier in id order with its number of events and head.
    ///
    /// ```
    /// use motcua_store::audit::Anchor;
    /// let mut anchor = Anchor::default();
    /// anchor.heads.insert("D1".into(), (2, [7; 32]));
    /// let text = anchor.to_jsonl();
    /// assert!(text.starts_with("{\"motcua_anchor\":1,\"digest\":\"0000"));
    /// assert_eq!(Anchor::from_jsonl(&text), Ok(anchor));
    /// ```
    pub fn to_jsonl(&self) -> String {
        let mut out = format!(
            "{{\"motcua_anchor\":1,\"digest\":\"{}\",\"dossiers\":{}}}\n",
            hex(&self.digest),
            self.heads.len()
        );
        for (id, (events, head)) in &self.heads {
            let line = serde_json::json!({
                "dossier": id.as_str(),
                "events": events,
                "head": hex(head),
            });
            out.push_str(&line.to_string());
            out.push('\n');
        }
        out
    }

    /// Reads [`Anchor::to_jsonl`]'s text.
    ///
    /// # Errors
    /// The line (1-based) and what is wrong with it.
    pub fn from_jsonl(text: &str) -> Result<Anchor, String> {
        let mut lines = text.lines().enumerate();
        let (_, first) = lines.next().ok_or("the anchor file is empty")?;
        let header: serde_json::Value =
            serde_json::from_str(first).map_err(|e| format!("line 1: {e}"))?;
        if header.get("motcua_anchor") != Some(&serde_json::json!(1)) {
            return Err("line 1: not a motcua anchor (no \"motcua_anchor\": 1)".to_owned());
        }
        let digest = header
            .get("digest")
            .and_then(|d| d.as_str())
            .and_then(parse_hex)
            .ok_or("line 1: no valid \"digest\"")?;
        let mut heads = BTreeMap::new();
        for (i, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let n = i + 1;
            let value: serde_json::Value =
                serde_json::from_str(line).map_err(|e| format!("line {n}: {e}"))?;
            let dossier = value.get("dossier").and_then(|d| d.as_str());
            let events = value.get("events").and_then(serde_json::Value::as_u64);
            let head = value
                .get("head")
                .and_then(|h| h.as_str())
                .and_then(parse_hex);
            match (dossier, events, head) {
                (Some(d), Some(e), Some(h)) => {
                    heads.insert(DossierId::new(d), (e, h));
                }
                _ => {
                    return Err(format!(
                        "line {n}: expected \"dossier\", \"events\" and a 64-digit \"head\""
                    ))
                }
            }
        }
        Ok(Anchor { digest, heads })
    }
}

/// A 64-digit hexadecimal link.
///
/// ```
/// use motcua_store::audit::parse_hex;
/// use motcua_store::chain::hex;
/// assert_eq!(parse_hex(&hex(&[9; 32])), Some([9; 32]));
/// assert_eq!(parse_hex("zz"), None);
/// ```
pub fn parse_hex(text: &str) -> Option<Link> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut link = [0u8; 32];
    for (i, byte) in link.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(link)
}

/// Checks every dossier of `store`: its rows numbered 1, 2, … (columns and bodies agreeing),
/// each body readable and naming the dossier, each link recomputed (when the store keeps
/// links), each event checked by [`rules::check`] against `catalogue` (when given) in order;
/// every position of the log up to [`RowScan::last_row_position`] holding an event; and,
/// with an `anchor`, each recorded dossier still holding its recorded head. `keep_heads` keeps
/// every dossier's head in [`Audit::heads`] (for writing a new anchor).
///
/// # Errors
/// The store's error when it cannot be read; what is wrong in it is in [`Audit::findings`].
///
/// ```
/// use motcua_store::audit::audit;
/// use motcua_store::InMemoryStore;
/// let report = audit(&InMemoryStore::new(), None, None, false)?;
/// assert!(report.findings.is_empty());
/// assert_eq!(report.dossiers, 0);
/// # Ok::<(), motcua_store::StoreError>(())
/// ```
pub fn audit<S: RowScan + ?Sized>(
    store: &S,
    catalogue: Option<&Catalogue>,
    anchor: Option<&Anchor>,
    keep_heads: bool,
) -> Result<Audit, StoreError> {
    let linked = store.keeps_links();
    let last = store.last_row_position()?;
    let mut seen = vec![false; usize::try_from(last).unwrap_or(0)];
    let mut digest = Digest::default();
    let mut findings = Vec::new();
    let mut heads = Vec::new();
    let mut dossiers = 0u64;
    let mut events = 0u64;
    let mut linker = Linker::default();
    let mut links = Vec::new();
    let mut anchored = anchor.map(|a| a.heads.iter().peekable());
    let mut visit = |dossier: &DossierId, rows: &[StoredRow]| -> Result<(), StoreError> {
        dossiers += 1;
        events += rows.len() as u64;
        // Anchored dossiers before this one are gone.
        if let Some(recorded) = anchored.as_mut() {
            while let Some((id, (n, _))) = recorded.next_if(|(id, _)| *id < dossier) {
                findings.push(Finding {
                    dossier: Some(id.clone()),
                    sequence: *n,
                    problem: Problem::Vanished { recorded: *n },
                });
            }
        }
        for row in rows {
            let index = usize::try_from(row.position.wrapping_sub(1)).unwrap_or(usize::MAX);
            if let Some(slot) = seen.get_mut(index) {
                *slot = true;
            }
        }
        links.clear();
        let (head, finding) = check_rows(dossier, rows, linked, catalogue, &mut linker, &mut links);
        let mut finding = finding;
        if let Some((_, (n, recorded_head))) = anchored
            .as_mut()
            .and_then(|r| r.next_if(|(id, _)| *id == dossier))
        {
            let problem = if (rows.len() as u64) < *n {
                Some(Problem::Shorter { recorded: *n })
            } else if *n > 0
                && usize::try_from(*n - 1)
                    .ok()
                    .and_then(|i| links.get(i))
                    .is_none_or(|l| l != recorded_head)
            {
                Some(Problem::Rewritten { recorded: *n })
            } else {
                None
            };
            if finding.is_none() {
                finding = problem.map(|problem| Finding {
                    dossier: Some(dossier.clone()),
                    sequence: match problem {
                        Problem::Shorter { .. } => rows.len() as u64 + 1,
                        _ => *n,
                    },
                    problem,
                });
            }
        }
        findings.extend(finding);
        digest.add(dossier, rows.len() as u64, &head);
        if keep_heads {
            heads.push((dossier.clone(), rows.len() as u64, head));
        }
        Ok(())
    };
    store.scan_rows(&mut visit)?;
    if let Some(recorded) = anchored {
        for (id, (n, _)) in recorded {
            findings.push(Finding {
                dossier: Some(id.clone()),
                sequence: *n,
                problem: Problem::Vanished { recorded: *n },
            });
        }
    }
    let mut missing_positions = 0u64;
    for (position, _) in (1u64..).zip(&seen).filter(|(_, seen)| !**seen) {
        missing_positions += 1;
        if findings
            .iter()
            .filter(|f| f.problem == Problem::MissingPosition)
            .count()
            < MAX_MISSING
        {
            findings.push(Finding {
                dossier: None,
                sequence: position,
                problem: Problem::MissingPosition,
            });
        }
    }
    Ok(Audit {
        dossiers,
        events,
        linked,
        rules_checked: catalogue.is_some(),
        findings,
        missing_positions,
        digest: digest.finish(),
        heads,
    })
}

/// Checks one dossier's rows; returns its head (computed from the events as stored, as far as
/// they can be read) and its first finding. `links` receives the computed link of each event.
fn check_rows(
    dossier: &DossierId,
    rows: &[StoredRow],
    linked: bool,
    catalogue: Option<&Catalogue>,
    linker: &mut Linker,
    links: &mut Vec<Link>,
) -> (Link, Option<Finding>) {
    let mut head = GENESIS;
    let mut first: Option<Finding> = None;
    let mut state = DossierState::default();
    let mut note = |sequence: u64, problem: Problem| {
        if first.is_none() {
            first = Some(Finding {
                dossier: Some(dossier.clone()),
                sequence,
                problem,
            });
        }
    };
    for (expected, row) in (1u64..).zip(rows) {
        if row.sequence != expected {
            note(
                expected,
                Problem::Damage(Damage::Sequence {
                    found: row.sequence,
                }),
            );
        }
        let event = match &row.event {
            Ok(event) => event,
            Err(why) => {
                note(expected, Problem::Damage(Damage::Unreadable(why.clone())));
                continue;
            }
        };
        if &event.dossier_id != dossier {
            note(
                expected,
                Problem::Damage(Damage::Dossier {
                    found: event.dossier_id.clone(),
                }),
            );
        } else if event.sequence != expected {
            note(
                expected,
                Problem::Damage(Damage::Sequence {
                    found: event.sequence,
                }),
            );
        }
        // After the numbering: an event moved or swapped is named as such first.
        if row.event_id.is_some_and(|id| id != event.event_id) {
            note(
                expected,
                Problem::Damage(Damage::EventId {
                    column: row.event_id.unwrap_or_default(),
                    body: event.event_id,
                }),
            );
        }
        head = linker.link(&head, event);
        links.push(head);
        if linked {
            match row.link {
                None => note(expected, Problem::Damage(Damage::Unlinked)),
                Some(stored) if stored != head => note(expected, Problem::Damage(Damage::Link)),
                Some(_) => {}
            }
        }
        if let Some(catalogue) = catalogue {
            if let Err(e) = rules::check(event, &state, catalogue) {
                note(expected, Problem::Rules(e.to_string()));
            }
            state = state::evolve(std::mem::take(&mut state), event);
        }
    }
    (head, first)
}

impl RowScan for crate::InMemoryStore {
    fn keeps_links(&self) -> bool {
        true
    }

    fn scan_rows(&self, visit: &mut RowVisitor<'_>) -> Result<(), StoreError> {
        for (dossier, rows) in self.rows()? {
            visit(&dossier, &rows)?;
        }
        Ok(())
    }

    fn last_row_position(&self) -> Result<u64, StoreError> {
        crate::EventStore::last_position(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::links;
    use motcua_core::EventKind;

    /// Rows as a test lays them out.
    struct Rows(Vec<(DossierId, Vec<StoredRow>)>);

    impl RowScan for Rows {
        fn keeps_links(&self) -> bool {
            true
        }
        fn scan_rows(&self, visit: &mut RowVisitor<'_>) -> Result<(), StoreError> {
            for (d, rows) in &self.0 {
                visit(d, rows)?;
            }
            Ok(())
        }
        fn last_row_position(&self) -> Result<u64, StoreError> {
            Ok(self.0.iter().map(|(_, r)| r.len() as u64).sum())
        }
    }

    fn stream(dossier: &str, n: u64, first_position: u64, satisfied: bool) -> Vec<StoredRow> {
        let events: Vec<Event> = (1..=n)
            .map(|sequence| Event {
                event_id: uuid::Uuid::from_u128(u128::from(first_position + sequence)),
                dossier_id: DossierId::new(dossier),
                sequence,
                occurred_at: time::OffsetDateTime::UNIX_EPOCH,
                recorded_at: time::OffsetDateTime::UNIX_EPOCH,
                kind: EventKind::Rated { satisfied },
                metadata: Default::default(),
            })
            .collect();
        let linked = links(GENESIS, &events);
        events
            .into_iter()
            .zip(linked)
            .zip(first_position..)
            .map(|((event, link), position)| StoredRow {
                position,
                sequence: event.sequence,
                event_id: Some(event.event_id),
                event: Ok(event),
                link: Some(link),
            })
            .collect()
    }

    fn anchor_of(rows: &Rows) -> Anchor {
        let report = audit(rows, None, None, true).unwrap_or_else(|e| panic!("{e}"));
        Anchor {
            digest: report.digest,
            heads: report
                .heads
                .into_iter()
                .map(|(d, n, h)| (d, (n, h)))
                .collect(),
        }
    }

    #[test]
    fn an_anchor_accepts_appends_and_names_rewrites_and_deletions() {
        let before = Rows(vec![
            ("A".into(), stream("A", 2, 1, true)),
            ("B".into(), stream("B", 2, 3, true)),
        ]);
        let anchor = anchor_of(&before);
        // Appends since the anchor: B grew, C is new.
        let grown = Rows(vec![
            ("A".into(), stream("A", 2, 1, true)),
            ("B".into(), stream("B", 3, 3, true)),
            ("C".into(), stream("C", 1, 6, true)),
        ]);
        let report = audit(&grown, None, Some(&anchor), false).unwrap_or_else(|e| panic!("{e}"));
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        assert_ne!(report.digest, anchor.digest);

        // A rewritten with its links recomputed (a forger with write access), B gone.
        let rewritten = Rows(vec![("A".into(), stream("A", 2, 1, false))]);
        let report =
            audit(&rewritten, None, Some(&anchor), false).unwrap_or_else(|e| panic!("{e}"));
        let found: Vec<(Option<&str>, u64, &Problem)> = report
            .findings
            .iter()
            .map(|f| {
                (
                    f.dossier.as_ref().map(DossierId::as_str),
                    f.sequence,
                    &f.problem,
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (Some("A"), 2, &Problem::Rewritten { recorded: 2 }),
                (Some("B"), 2, &Problem::Vanished { recorded: 2 }),
            ]
        );
    }
}
