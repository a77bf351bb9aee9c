//! The officers (*cán bộ*) of each unit and who of them records each event of a dossier, as a
//! processing control sheet (form 05 of Circular 01/2018) names them.
//!
//! Each unit has two to four officers, named from the seed (`lan.nt@H19.20.01`: given name,
//! initials of family and middle names, unit). In a dossier, the first time a unit acts one of
//! its officers is chosen and keeps handling it there. Events the applicant causes (an online
//! submission, a supplement supplied, a payment, a withdrawal, a rating, feedback) name no
//! officer. The choices come from their own random streams, so the rest of a dossier is what
//! it would be without them.

use crate::rng::Rng;
use crate::units::UnitSpec;
use motcua_core::{DossierState, EventKind, EventMetadata, OfficerId, UnitId};
use std::collections::BTreeMap;

const GIVEN: &[&str] = &[
    "an", "binh", "chi", "dung", "giang", "ha", "hai", "hanh", "hoa", "hung", "huong", "khanh",
    "lan", "linh", "long", "minh", "nam", "ngoc", "phong", "phuong", "quan", "son", "thao", "thu",
    "trang", "tuan", "vy", "yen",
];
/// Initials of the common family names: Nguyễn, Trần, Lê, Phạm, Hoàng, Vũ, Đặng, Bùi, Đỗ.
const FAMILY: &[char] = &['n', 'n', 'n', 't', 'l', 'p', 'h', 'v', 'd', 'b'];
/// Initials of common middle names: Văn, Thị, Minh, Hữu, Ngọc, Quốc, Thanh.
const MIDDLE: &[char] = &['v', 't', 't', 'm', 'h', 'n', 'q'];

/// Salt of the streams that name the officers of the units.
const NAMING: u64 = 0x0ff1_ce25_cb00_0001;
/// Salt of a dossier's stream of officer choices.
const CHOOSING: u64 = 0x0ff1_ce25_cb00_0002;

/// The officers of every unit.
pub(crate) struct Officers {
    by_unit: BTreeMap<UnitId, Vec<OfficerId>>,
}

impl Officers {
    /// Two to four officers per unit, named from `seed`.
    pub(crate) fn new(units: &[UnitSpec], seed: u64) -> Self {
        let mut by_unit = BTreeMap::new();
        for (index, unit) in (0u64..).zip(units) {
            let mut rng = Rng::new(seed ^ NAMING ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let count = rng.between(2, 4);
            let mut officers: Vec<OfficerId> = Vec::new();
            while (officers.len() as u64) < count {
                let given = rng.choose(GIVEN).copied().unwrap_or("an");
                let family = rng.choose(FAMILY).copied().unwrap_or('n');
                let middle = rng.choose(MIDDLE).copied().unwrap_or('v');
                let mut name = format!("{given}.{family}{middle}@{}", unit.unit.id);
                if officers.iter().any(|o| o.as_str() == name) {
                    name = format!(
                        "{given}.{family}{middle}{}@{}",
                        officers.len(),
                        unit.unit.id
                    );
                }
                // Unit codes are the generator's own: every name is a valid id.
                if let Ok(officer) = OfficerId::new(&name) {
                    officers.push(officer);
                } else {
                    break;
                }
            }
            by_unit.insert(unit.unit.id.clone(), officers);
        }
        Officers { by_unit }
    }

    fn of(&self, unit: &UnitId) -> &[OfficerId] {
        self.by_unit.get(unit).map_or(&[], Vec::as_slice)
    }
}

/// Who records the events of one dossier.
pub(crate) struct Handlers<'a> {
    officers: &'a Officers,
    rng: Rng,
    /// The officer handling the dossier at each unit that has acted on it.
    assigned: Vec<(UnitId, OfficerId)>,
}

impl<'a> Handlers<'a> {
    /// The handlers of the dossier whose random stream starts at `seed`.
    pub(crate) fn new(officers: &'a Officers, seed: u64) -> Self {
        Handlers {
            officers,
            rng: Rng::new(seed ^ CHOOSING),
            assigned: Vec::new(),
        }
    }

    /// The metadata of an event of `kind` recorded in `state`: the officer of the unit acting.
    pub(crate) fn metadata(&mut self, kind: &EventKind, state: &DossierState) -> EventMetadata {
        let unit = match kind {
            EventKind::Received { unit, .. } | EventKind::StepStarted { unit, .. } => Some(unit),
            EventKind::Transferred { from, .. } => Some(from),
            EventKind::ResultReturned { .. } => state.receiving_unit.as_ref(),
            EventKind::RefusedAtReception { .. }
            | EventKind::StepFinished { .. }
            | EventKind::SupplementRequested { .. }
            | EventKind::SupplementExpired
            | EventKind::PaymentRequested { .. }
            | EventKind::ApologyIssued { .. }
            | EventKind::DueExtended { .. }
            | EventKind::Stopped { .. }
            | EventKind::ResultReady { .. }
            | EventKind::Digitised { .. }
            | EventKind::CalendarReevaluated { .. } => state
                .current_unit
                .as_ref()
                .or(state.receiving_unit.as_ref()),
            EventKind::Submitted { .. }
            | EventKind::SupplementSupplied
            | EventKind::PaymentMade { .. }
            | EventKind::Withdrawn { .. }
            | EventKind::Rated { .. }
            | EventKind::FeedbackFiled { .. } => None,
        };
        match unit.and_then(|u| self.officer(u)) {
            Some(officer) => EventMetadata::by(officer),
            None => EventMetadata::default(),
        }
    }

    fn officer(&mut self, unit: &UnitId) -> Option<OfficerId> {
        if let Some((_, officer)) = self.assigned.iter().find(|(u, _)| u == unit) {
            return Some(officer.clone());
        }
        let officer = self.rng.choose(self.officers.of(unit))?.clone();
        self.assigned.push((unit.clone(), officer.clone()));
        Some(officer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_has_two_to_four_distinct_officers_named_from_the_seed() {
        let units = crate::units::unit_specs(2024);
        let officers = Officers::new(&units, 7);
        for unit in &units {
            let names = officers.of(&unit.unit.id);
            assert!((2..=4).contains(&names.len()), "{}", unit.unit.id);
            let distinct: std::collections::BTreeSet<_> = names.iter().collect();
            assert_eq!(distinct.len(), names.len());
            assert!(names
                .iter()
                .all(|o| o.as_str().ends_with(&format!("@{}", unit.unit.id))));
        }
        let again = Officers::new(&units, 7);
        let other = Officers::new(&units, 8);
        assert_eq!(again.by_unit, officers.by_unit);
        assert_ne!(other.by_unit, officers.by_unit);
    }
}
