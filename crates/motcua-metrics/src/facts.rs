//! [`ProcedureFacts`]: what the indicators need to know about a dossier's procedure.

use motcua_core::{Catalogue, OnlineService, Procedure, ProcedureCode, TimeLimit};

/// The catalogue facts about a procedure that the indicators depend on.
///
/// A procedure missing from the catalogue is read as [`ProcedureFacts::UNKNOWN`]: its result
/// is a document (so an online dossier needs an electronic result to count as online), it is not
/// offered online, and it has no fees.
///
/// ```
/// use motcua_metrics::ProcedureFacts;
/// use motcua_core::{Catalogue, ProcedureCode};
/// let catalogue = Catalogue::new(vec![], vec![])?;
/// let facts = ProcedureFacts::lookup(&catalogue, &ProcedureCode::new("9.999"));
/// assert_eq!(facts, ProcedureFacts::UNKNOWN);
/// assert!(facts.result_is_document && !facts.offered_online && !facts.has_fees);
/// # Ok::<(), motcua_core::CatalogueError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProcedureFacts {
    /// The result is a document: an online dossier then counts as online (3.3) only with an
    /// electronic result, and the dossier counts in the e-result rate (4.1).
    pub result_is_document: bool,
    /// Offered as an online public service (partial or full): the denominator of 3.3 when the
    /// setting is [`crate::OnlineDenominator::OfferedOnline`].
    pub offered_online: bool,
    /// Has a non-zero fee: the denominator of 3.6.
    pub has_fees: bool,
    /// The time limit is in working hours (or same day): average handling time (2.2) is shown
    /// in hours rather than working days.
    pub hourly: bool,
}

impl ProcedureFacts {
    /// The reading of a procedure the catalogue lacks.
    pub const UNKNOWN: ProcedureFacts = ProcedureFacts {
        result_is_document: true,
        offered_online: false,
        has_fees: false,
        hourly: false,
    };

    /// The facts of a catalogue procedure.
    pub fn of(procedure: &Procedure) -> ProcedureFacts {
        ProcedureFacts {
            result_is_document: procedure.result_is_document,
            offered_online: procedure.online_service != OnlineService::None,
            has_fees: procedure.has_fees(),
            hourly: matches!(
                procedure.time_limit,
                TimeLimit::WorkingHours(_) | TimeLimit::SameDay { .. }
            ),
        }
    }

    /// The facts of the procedure with this code, [`ProcedureFacts::UNKNOWN`] if the catalogue
    /// lacks it.
    pub fn lookup(catalogue: &Catalogue, code: &ProcedureCode) -> ProcedureFacts {
        catalogue
            .procedure(code)
            .map_or(ProcedureFacts::UNKNOWN, ProcedureFacts::of)
    }
}
