//! When dossiers arrive: working days of the year with a weekly and seasonal shape (the Tết dip,
//! the year-end rise), times inside office sessions, and online submissions outside them.

use crate::error::GenError;
use crate::rng::Rng;
use crate::world::World;
use motcua_core::Channel;
use time::{Date, Duration, Month, OffsetDateTime, Time, Weekday};

/// A working day and its relative arrival weight.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Day {
    pub date: Date,
    pub weight: f64,
}

/// The longest run (at least 4 days) of consecutive days off between 10 January and 10 March:
/// the Tết holiday.
fn tet_span(world: &World<'_>, year: i32) -> Result<Option<(Date, Date)>, GenError> {
    let bad = |e: time::error::ComponentRange| GenError::Config(format!("year {year}: {e}"));
    let from = Date::from_calendar_date(year, Month::January, 10).map_err(bad)?;
    let to = Date::from_calendar_date(year, Month::March, 10).map_err(bad)?;
    let mut best: Option<(Date, Date)> = None;
    let mut run: Option<Date> = None;
    let mut d = from;
    loop {
        if world.cal.is_working_day(d)? {
            run = None;
        } else {
            let start = *run.get_or_insert(d);
            let len = (d - start).whole_days();
            if len >= 3 && best.is_none_or(|(a, b)| (b - a).whole_days() < len) {
                best = Some((start, d));
            }
        }
        if d >= to {
            break;
        }
        match d.next_day() {
            Some(next) => d = next,
            None => break,
        }
    }
    Ok(best)
}

fn weekday_factor(day: Weekday) -> f64 {
    match day {
        Weekday::Monday => 1.3,
        Weekday::Tuesday => 1.1,
        Weekday::Wednesday | Weekday::Thursday => 1.0,
        Weekday::Friday => 0.9,
        // Make-up Saturdays (and any worked weekend day) see few applicants.
        Weekday::Saturday | Weekday::Sunday => 0.4,
    }
}

fn month_factor(month: Month) -> f64 {
    match month {
        Month::January => 0.95,
        Month::July | Month::August => 1.05,
        Month::November => 1.1,
        Month::December => 1.22,
        _ => 1.0,
    }
}

/// The working days of `year` with their weights.
pub(crate) fn days(world: &World<'_>, year: i32) -> Result<Vec<Day>, GenError> {
    let bad = |e: time::error::ComponentRange| GenError::Config(format!("year {year}: {e}"));
    let first = Date::from_calendar_date(year, Month::January, 1).map_err(bad)?;
    let tet = tet_span(world, year)?;
    let mut out = Vec::with_capacity(260);
    let mut d = first;
    while d.year() == year {
        if world.cal.is_working_day(d)? {
            let mut weight = weekday_factor(d.weekday()) * month_factor(d.month());
            if let Some((start, end)) = tet {
                let before = (start - d).whole_days();
                let after = (d - end).whole_days();
                if (1..=10).contains(&before) {
                    weight *= 0.8;
                } else if (1..=7).contains(&after) {
                    weight *= 0.5;
                } else if (8..=14).contains(&after) {
                    weight *= 0.75;
                }
            }
            out.push(Day { date: d, weight });
        }
        match d.next_day() {
            Some(next) => d = next,
            None => break,
        }
    }
    Ok(out)
}

/// Splits `n` over the weights by largest remainder: deterministic, sums to exactly `n`.
pub(crate) fn allocate(n: usize, weights: &[f64]) -> Vec<usize> {
    let total: f64 = weights.iter().sum();
    if weights.is_empty() || total <= 0.0 {
        return vec![0; weights.len()];
    }
    let mut counts = Vec::with_capacity(weights.len());
    let mut rema = Vec::with_capacity(weights.len());
    let mut assigned = 0usize;
    for (i, w) in weights.iter().enumerate() {
        let q = n as f64 * w / total;
        let base = q.floor() as usize;
        counts.push(base);
        assigned += base;
        rema.push((q - base as f64, i));
    }
    rema.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = n.saturating_sub(assigned);
    for &(_, i) in rema.iter().cycle() {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    counts
}

/// One dossier before its id is assigned.
#[derive(Clone, Debug)]
pub(crate) struct Arrival {
    /// Index into the world's procedures.
    pub proc: usize,
    /// Index into the world's units.
    pub unit: usize,
    pub channel: Channel,
    /// The first event's instant: submission (online) or reception.
    pub first: OffsetDateTime,
    /// Seed of the dossier's own random stream.
    pub seed: u64,
    /// Draw order within the day, to break ties.
    pub draw: u32,
}

/// Draws `count` arrivals for a working day, sorted by first instant.
pub(crate) fn arrivals_on(
    world: &World<'_>,
    rng: &mut Rng,
    day: Day,
    count: usize,
) -> Result<Vec<Arrival>, GenError> {
    let mut out = Vec::with_capacity(count);
    let previous = day
        .date
        .previous_day()
        .filter(|p| p.year() == day.date.year());
    for draw in 0..count {
        let proc = rng.pick(&world.proc_cum);
        let p = &world.procs[proc];
        let unit = p.receivers[rng.pick(&p.receiver_cum)];
        let profile = world.units[unit].profile;
        let online_p = if p.def.online == motcua_core::OnlineService::None {
            0.0
        } else {
            (profile.online * p.def.online_factor).min(0.99)
        };
        let channel = if rng.chance(online_p) {
            Channel::Online
        } else if rng.chance(p.def.postal) {
            Channel::Postal
        } else {
            Channel::InPerson
        };
        let first = if channel == Channel::Online {
            online_instant(world, rng, day.date, previous)?
        } else {
            world.in_working_day(rng, day.date)?
        };
        out.push(Arrival {
            proc,
            unit,
            channel,
            first,
            seed: rng.next_u64(),
            draw: draw as u32,
        });
    }
    out.sort_by(|a, b| a.first.cmp(&b.first).then(a.draw.cmp(&b.draw)));
    Ok(out)
}

/// An online submission for a working day: mostly in office hours, some the evening (or day
/// off) before, some early in the morning.
fn online_instant(
    world: &World<'_>,
    rng: &mut Rng,
    date: Date,
    previous: Option<Date>,
) -> Result<OffsetDateTime, GenError> {
    let r = rng.unit();
    if r < 0.68 {
        return world.in_working_day(rng, date);
    }
    if let (true, Some(prev)) = (r < 0.88, previous) {
        let minute = if world.cal.is_working_day(prev)? {
            rng.between(17 * 60 + 30, 23 * 60 + 30)
        } else {
            rng.between(7 * 60, 22 * 60)
        };
        return Ok(world.at(prev, Time::MIDNIGHT) + Duration::minutes(minute as i64));
    }
    let minute = rng.between(5 * 60, 7 * 60 + 15);
    Ok(world.at(date, Time::MIDNIGHT) + Duration::minutes(minute as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_calendar::Calendar;
    use time::macros::date;

    #[test]
    fn allocation_is_exact_and_proportional() {
        let counts = allocate(1000, &[1.0, 2.0, 0.0, 1.0]);
        assert_eq!(counts.iter().sum::<usize>(), 1000);
        assert_eq!(counts[2], 0);
        assert!(counts[1] > counts[0]);
        assert_eq!(allocate(7, &[]), Vec::<usize>::new());
        assert_eq!(allocate(3, &[1.0, 1.0, 1.0, 1.0]).iter().sum::<usize>(), 3);
    }

    #[test]
    fn tet_2024_is_found_and_damps_arrivals() -> Result<(), GenError> {
        let cal = Calendar::vietnam();
        let world = World::new(&cal, 2024, 1)?;
        // Tết Giáp Thìn: 8–14 February 2024 off (with the weekend).
        assert_eq!(
            tet_span(&world, 2024)?,
            Some((date!(2024 - 02 - 08), date!(2024 - 02 - 14)))
        );
        let days = days(&world, 2024)?;
        let weight = |d: Date| days.iter().find(|x| x.date == d).map(|x| x.weight);
        // The Monday after Tết is lighter than an ordinary Monday in March.
        assert!(weight(date!(2024 - 02 - 19)) < weight(date!(2024 - 03 - 04)));
        // No weight on days off; the make-up Saturday 4 May is a (light) working day.
        assert_eq!(weight(date!(2024 - 04 - 30)), None);
        assert!(weight(date!(2024 - 05 - 04)).is_some_and(|w| w < 0.5));
        Ok(())
    }
}
