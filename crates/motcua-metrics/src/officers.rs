//! Per-officer figures, the opt-in section of a [`Report`](crate::Report): for each officer
//! named by the events (*cán bộ xử lý*), the dossiers they handled, the step runs they finished
//! and how many of those were late.
//!
//! The dossiers counted are those whose late steps the report blames on units: alive in the
//! period and handled in it or open at its end. In each, an officer *handled* the dossier when
//! they recorded one of its step events (started or finished a step); a step run counts for
//! the officer who recorded the event that finished it (its `step_finished`, or the result that
//! closed it), and it is *late* when it finished after its own due (`StepView::late`). Events
//! that name no officer count for nobody. Exact and deterministic: whole numbers in a
//! `BTreeMap`, merged by adding.

use crate::classify::{place_in, Bounds, Finish};
use motcua_core::{step_handlers, DossierView, Event, OfficerId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What one officer did in the dossiers of a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OfficerCounts {
    /// Dossiers in which the officer started or finished a step.
    pub dossiers: u64,
    /// Step runs the officer finished.
    pub steps_finished: u64,
    /// Of those, the runs finished after their own due.
    pub late_steps: u64,
}

impl OfficerCounts {
    fn merge(&mut self, other: &OfficerCounts) {
        self.dossiers += other.dossiers;
        self.steps_finished += other.steps_finished;
        self.late_steps += other.late_steps;
    }
}

/// [`OfficerCounts`] by officer, in officer order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct OfficerBreakdown {
    by_officer: BTreeMap<OfficerId, OfficerCounts>,
}

impl OfficerBreakdown {
    /// The officers and their counts, in officer order.
    pub fn iter(&self) -> impl Iterator<Item = (&OfficerId, &OfficerCounts)> {
        self.by_officer.iter()
    }

    /// The officers with the most late steps first (then the most steps finished, then by id):
    /// the order a reader scans for where steps run late.
    pub fn ranked(&self) -> Vec<(&OfficerId, &OfficerCounts)> {
        let mut rows: Vec<_> = self.by_officer.iter().collect();
        rows.sort_by(|(a, x), (b, y)| {
            (y.late_steps, y.steps_finished)
                .cmp(&(x.late_steps, x.steps_finished))
                .then_with(|| a.cmp(b))
        });
        rows
    }

    /// One officer's counts (zero for an officer never named).
    pub fn officer(&self, officer: &OfficerId) -> OfficerCounts {
        self.by_officer.get(officer).copied().unwrap_or_default()
    }

    /// How many officers are named.
    pub fn len(&self) -> usize {
        self.by_officer.len()
    }

    /// True when no event named an officer.
    pub fn is_empty(&self) -> bool {
        self.by_officer.is_empty()
    }

    /// Adds another breakdown (of other dossiers) into this one.
    pub(crate) fn merge(&mut self, other: &OfficerBreakdown) {
        for (officer, counts) in &other.by_officer {
            match self.by_officer.get_mut(officer) {
                Some(mine) => mine.merge(counts),
                None => {
                    self.by_officer.insert(officer.clone(), *counts);
                }
            }
        }
    }

    /// Counts one dossier: `view` built as of the period end from `events` (its events that
    /// happened by then, as [`motcua_core::Context::view_events`] folds them).
    pub(crate) fn add(&mut self, bounds: Bounds, events: &[Event], view: &DossierView) {
        let placed = place_in(view, bounds);
        let handled = matches!(
            placed.finished,
            Some(Finish::Early | Finish::OnTime | Finish::Late)
        );
        if !placed.alive || !(handled || placed.open_at_end.is_some()) {
            return;
        }
        let runs = step_handlers(events);
        let mut handlers: BTreeSet<&OfficerId> = BTreeSet::new();
        for (run, step) in runs.iter().zip(view.steps.iter()) {
            handlers.extend(run.started_by.iter().chain(&run.finished_by));
            if let (true, Some(officer)) = (run.finished, &run.finished_by) {
                let counts = self.entry(officer);
                counts.steps_finished += 1;
                counts.late_steps += u64::from(step.late);
            }
        }
        for officer in handlers {
            self.entry(officer).dossiers += 1;
        }
    }

    fn entry(&mut self, officer: &OfficerId) -> &mut OfficerCounts {
        self.by_officer.entry(officer.clone()).or_default()
    }
}
