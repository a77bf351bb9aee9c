//! Everything a run needs besides the random stream: calendar, catalogue, unit profiles,
//! procedure knobs, and small time helpers.

use crate::catalogue::{self, ProcDef};
use crate::error::GenError;
use crate::officers::Officers;
use crate::rng::{cumulative, Rng};
use crate::units::{self, UnitSpec};
use motcua_calendar::Calendar;
use motcua_core::{Catalogue, ProcedureCode, UnitId};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

/// A procedure ready for generation.
pub(crate) struct ProcRt {
    pub def: ProcDef,
    pub code: ProcedureCode,
    /// Receiving units (indices into [`World::units`]) and their cumulative volume weights.
    pub receivers: Vec<usize>,
    pub receiver_cum: Vec<f64>,
    /// Per step: its id and the unit handling it (`None`: the receiving unit).
    pub steps: Vec<(String, Option<UnitId>)>,
    /// Sum of fees, VND.
    pub fee_total: u64,
}

pub(crate) struct World<'c> {
    pub cal: &'c Calendar,
    pub catalogue: Catalogue,
    pub units: Vec<UnitSpec>,
    pub procs: Vec<ProcRt>,
    /// Cumulative procedure volumes, for drawing a procedure.
    pub proc_cum: Vec<f64>,
    pub as_of: OffsetDateTime,
    /// The officers of every unit.
    pub officers: Officers,
}

/// `year-12-31 17:00` at the calendar's offset: the end of the reporting year.
pub(crate) fn end_of_year(cal: &Calendar, year: i32) -> Result<OffsetDateTime, GenError> {
    let date = Date::from_calendar_date(year, time::Month::December, 31)
        .map_err(|e| GenError::Config(format!("year {year}: {e}")))?;
    Ok(PrimitiveDateTime::new(date, time::macros::time!(17:00)).assume_offset(cal.offset()))
}

/// The catalogue of a year, with the runtime view of its procedures.
pub(crate) fn build_catalogue(
    year: i32,
) -> Result<(Catalogue, Vec<UnitSpec>, Vec<ProcRt>), GenError> {
    let units = units::unit_specs(year);
    let mut procs = Vec::new();
    let mut procedures = Vec::new();
    for def in catalogue::definitions() {
        let receivers = def.receivers(year, &units);
        if receivers.is_empty() {
            continue;
        }
        let ids: Vec<UnitId> = receivers
            .iter()
            .map(|&i| units[i].unit.id.clone())
            .collect();
        procedures.push(def.procedure(year, ids));
        let receiver_cum = cumulative(receivers.iter().map(|&i| units[i].profile.volume));
        procs.push(ProcRt {
            code: ProcedureCode::new(def.code),
            receivers,
            receiver_cum,
            steps: def
                .steps
                .iter()
                .map(|s| (s.id.to_owned(), s.unit.map(UnitId::new)))
                .collect(),
            fee_total: def.fees.iter().map(|f| f.1).sum(),
            def,
        });
    }
    let catalogue = Catalogue::new(units.iter().map(|u| u.unit.clone()).collect(), procedures)?;
    Ok((catalogue, units, procs))
}

impl<'c> World<'c> {
    pub(crate) fn new(cal: &'c Calendar, year: i32, seed: u64) -> Result<Self, GenError> {
        let (catalogue, units, procs) = build_catalogue(year)?;
        let proc_cum = cumulative(procs.iter().map(|p| p.def.volume));
        let officers = Officers::new(&units, seed);
        Ok(World {
            cal,
            catalogue,
            units,
            procs,
            proc_cum,
            as_of: end_of_year(cal, year)?,
            officers,
        })
    }

    /// An instant at the calendar's offset.
    pub(crate) fn at(&self, date: Date, time: Time) -> OffsetDateTime {
        PrimitiveDateTime::new(date, time).assume_offset(self.cal.offset())
    }

    /// A random instant inside the sessions of `date` (`None` on a day without sessions);
    /// morning sessions weighted by `morning`.
    pub(crate) fn in_sessions(
        &self,
        rng: &mut Rng,
        date: Date,
        morning: f64,
    ) -> Result<Option<OffsetDateTime>, GenError> {
        let sessions = self.cal.sessions_on(date)?;
        if sessions.is_empty() {
            return Ok(None);
        }
        let noon = time::macros::time!(12:00);
        let mut weights = [0.0f64; 8];
        let n = sessions.len().min(weights.len());
        let mut total = 0.0;
        for (w, s) in weights.iter_mut().zip(&sessions[..n]) {
            let bias = if s.start() < noon { morning } else { 1.0 };
            total += f64::from(s.minutes()) * bias;
            *w = total;
        }
        let session = &sessions[rng.pick(&weights[..n])];
        let span = u64::from(session.minutes().saturating_sub(5).max(1));
        let minute = rng.below(span);
        let t = session.start() + Duration::minutes(minute as i64);
        Ok(Some(self.at(date, t)))
    }

    /// A random instant in the sessions of `date`, or of the next working day when `date` has
    /// none.
    pub(crate) fn in_working_day(
        &self,
        rng: &mut Rng,
        date: Date,
    ) -> Result<OffsetDateTime, GenError> {
        if let Some(t) = self.in_sessions(rng, date, 1.2)? {
            return Ok(t);
        }
        let next = self.cal.next_working_day(date)?;
        match self.in_sessions(rng, next, 1.2)? {
            Some(t) => Ok(t),
            None => Ok(self
                .cal
                .next_working_instant(self.at(next, Time::MIDNIGHT))?),
        }
    }

    /// When an applicant acts `days` calendar days after `after`: in office hours on a working
    /// day, or (online, `anytime`) at any hour 06:00–23:00. Always after `after`.
    pub(crate) fn applicant_after(
        &self,
        rng: &mut Rng,
        after: OffsetDateTime,
        days: u32,
        anytime: bool,
    ) -> Result<OffsetDateTime, GenError> {
        let local = after.to_offset(self.cal.offset());
        let date = local.date().saturating_add(Duration::days(i64::from(days)));
        let t = if anytime && rng.chance(0.35) {
            let minute = rng.between(6 * 60, 23 * 60 - 1);
            self.at(date, Time::MIDNIGHT) + Duration::minutes(minute as i64)
        } else {
            self.in_working_day(rng, date)?
        };
        Ok(if t > local {
            t
        } else {
            local + Duration::minutes(rng.between(5, 90) as i64)
        })
    }

    pub(crate) fn add_wm(
        &self,
        t: OffsetDateTime,
        minutes: u64,
    ) -> Result<OffsetDateTime, GenError> {
        Ok(self.cal.add_working_minutes(t, minutes)?)
    }

    pub(crate) fn wm(&self, a: OffsetDateTime, b: OffsetDateTime) -> Result<u64, GenError> {
        Ok(self.cal.working_minutes_between(a, b)?)
    }
}
