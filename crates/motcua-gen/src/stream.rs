//! The province-year as a stream of events in log order, in bounded memory.
//!
//! Dossiers are simulated a working day of arrivals at a time (the same draws, in the same
//! order, as a whole-year run); their events wait in a min-heap keyed by the log order
//! `(recorded_at, dossier_id, sequence)` until no dossier still to simulate can record an
//! event before them. A dossier's events are all recorded at or after its first instant, and a
//! day's arrivals come at the earliest the evening before that day (online submissions), so
//! after simulating a day every waiting event recorded before midnight of the day before the
//! next working day is final. Memory is the events still to come of the dossiers in flight
//! (a few weeks of arrivals), not the year.

use crate::arrivals::{self, Arrival, Day};
use crate::dossier;
use crate::error::GenError;
use crate::rng::Rng;
use crate::world::World;
use crate::GenConfig;
use motcua_calendar::Calendar;
use motcua_core::{Catalogue, Decider, DossierId, Event};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use time::{Date, OffsetDateTime, Time};

/// A generated province-year as a stream of its events in log order,
/// `(recorded_at, dossier_id, sequence)`: exactly [`Sample::events`](crate::Sample::events) of
/// the same configuration and calendar, one event at a time, holding only the events of the
/// dossiers in flight. Made by [`generate_stream`](crate::generate_stream).
///
/// After an error the stream ends.
///
/// ```
/// use motcua_calendar::Calendar;
/// use motcua_gen::{generate, generate_stream, GenConfig};
///
/// let config = GenConfig { dossiers: 300, seed: 5, year: 2024 };
/// let calendar = Calendar::vietnam();
/// let mut stream = generate_stream(&config, &calendar)?;
/// let mut events = Vec::new();
/// for event in &mut stream {
///     events.push(event?);
/// }
/// assert_eq!(stream.dossiers(), 300);
/// assert_eq!(events, generate(&config)?.events);
/// # Ok::<(), motcua_gen::GenError>(())
/// ```
pub struct EventStream<'c> {
    pub(crate) world: World<'c>,
    config: GenConfig,
    days: Vec<Day>,
    counts: Vec<usize>,
    /// The next day of arrivals to simulate.
    next_day: usize,
    rng: Rng,
    /// Per unit: the date of its last dossier and how many it received that day.
    counters: Vec<(Date, u32)>,
    /// Simulated events not yet handed out, the earliest in log order on top.
    waiting: BinaryHeap<Waiting>,
    /// Events recorded before this instant are final, once a day is simulated; every waiting
    /// event is, once every day is.
    horizon: Option<OffsetDateTime>,
    /// The most events waiting at once.
    peak: usize,
    dossiers: usize,
    scratch: Vec<Event>,
    failed: bool,
}

/// An event waiting for its turn, ordered so that the heap's top is the earliest in log order.
/// The event is boxed: the heap moves its entries at every step, and an event is a few hundred
/// bytes.
struct Waiting {
    /// `recorded_at` in nanoseconds since the epoch, the first key.
    at: i128,
    event: Box<Event>,
}

impl Waiting {
    fn key(&self) -> (i128, &DossierId, u64) {
        (self.at, &self.event.dossier_id, self.event.sequence)
    }
}

impl PartialEq for Waiting {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Waiting {}

impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Waiting {
    /// Reversed: `BinaryHeap` is a max-heap.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

impl<'c> EventStream<'c> {
    pub(crate) fn new(config: &GenConfig, calendar: &'c Calendar) -> Result<Self, GenError> {
        let world = World::new(calendar, config.year, config.seed)?;
        let days = arrivals::days(&world, config.year)?;
        let weights: Vec<f64> = days.iter().map(|d| d.weight).collect();
        let counts = arrivals::allocate(config.dossiers, &weights);
        let counters = vec![(Date::MIN, 0); world.units.len()];
        Ok(EventStream {
            world,
            config: *config,
            days,
            counts,
            next_day: 0,
            rng: Rng::new(config.seed),
            counters,
            waiting: BinaryHeap::new(),
            horizon: None,
            peak: 0,
            dossiers: 0,
            scratch: Vec::new(),
            failed: false,
        })
    }

    /// The catalogue of the year: units and procedures.
    ///
    /// ```
    /// # let calendar = motcua_calendar::Calendar::vietnam();
    /// let config = motcua_gen::GenConfig { dossiers: 10, seed: 1, year: 2024 };
    /// let stream = motcua_gen::generate_stream(&config, &calendar)?;
    /// assert!(stream.catalogue().procedures().count() >= 20);
    /// # Ok::<(), motcua_gen::GenError>(())
    /// ```
    pub fn catalogue(&self) -> &Catalogue {
        &self.world.catalogue
    }

    /// The end of the reporting year, 31 December 17:00 at the calendar's offset.
    ///
    /// ```
    /// # let calendar = motcua_calendar::Calendar::vietnam();
    /// let config = motcua_gen::GenConfig { dossiers: 10, seed: 1, year: 2024 };
    /// let stream = motcua_gen::generate_stream(&config, &calendar)?;
    /// assert_eq!(stream.as_of(), motcua_gen::as_of(2024)?);
    /// # Ok::<(), motcua_gen::GenError>(())
    /// ```
    pub fn as_of(&self) -> OffsetDateTime {
        self.world.as_of
    }

    /// The configuration the stream follows.
    ///
    /// ```
    /// # let calendar = motcua_calendar::Calendar::vietnam();
    /// let config = motcua_gen::GenConfig { dossiers: 10, seed: 1, year: 2024 };
    /// assert_eq!(motcua_gen::generate_stream(&config, &calendar)?.config(), config);
    /// # Ok::<(), motcua_gen::GenError>(())
    /// ```
    pub fn config(&self) -> GenConfig {
        self.config
    }

    /// Dossiers simulated so far: all of [`GenConfig::dossiers`] once the stream has ended.
    ///
    /// ```
    /// # let calendar = motcua_calendar::Calendar::vietnam();
    /// let config = motcua_gen::GenConfig { dossiers: 40, seed: 1, year: 2024 };
    /// let mut stream = motcua_gen::generate_stream(&config, &calendar)?;
    /// assert_eq!(stream.dossiers(), 0);
    /// let events = stream.by_ref().count();
    /// assert_eq!(stream.dossiers(), 40);
    /// assert!(events >= 40);
    /// # Ok::<(), motcua_gen::GenError>(())
    /// ```
    pub fn dossiers(&self) -> usize {
        self.dossiers
    }

    /// The most events the stream has held at once, waiting for their turn: what its memory
    /// follows.
    ///
    /// ```
    /// # let calendar = motcua_calendar::Calendar::vietnam();
    /// let config = motcua_gen::GenConfig { dossiers: 2_000, seed: 1, year: 2024 };
    /// let mut stream = motcua_gen::generate_stream(&config, &calendar)?;
    /// let events = stream.by_ref().count();
    /// assert!(stream.peak_waiting() < events / 4);
    /// # Ok::<(), motcua_gen::GenError>(())
    /// ```
    pub fn peak_waiting(&self) -> usize {
        self.peak
    }

    /// Simulates the next day's arrivals into the heap and moves the horizon past them.
    fn simulate_day(&mut self) -> Result<(), GenError> {
        let Some((day, &count)) = self
            .days
            .get(self.next_day)
            .zip(self.counts.get(self.next_day))
        else {
            self.next_day = self.days.len();
            return Ok(());
        };
        self.next_day += 1;
        let world = &self.world;
        let decider = Decider::new(&world.catalogue);
        for arrival in arrivals::arrivals_on(world, &mut self.rng, *day, count)? {
            let id = dossier_id(world, &mut self.counters, &arrival);
            // One dossier's events at a time pass through `scratch` (not the day's: the heap
            // holds them boxed, and a day's worth would be held twice).
            dossier::simulate(world, &decider, &arrival, id, &mut self.scratch)?;
            self.dossiers += 1;
            for event in self.scratch.drain(..) {
                // Everything handed out so far was recorded before the old horizon: an event
                // recorded earlier would come out of order.
                if self.horizon.is_some_and(|h| event.recorded_at < h) {
                    return Err(GenError::Config(format!(
                        "internal: event {} of dossier {} is recorded at {}, before events \
                         already handed out",
                        event.sequence, event.dossier_id, event.recorded_at
                    )));
                }
                self.waiting.push(Waiting {
                    at: event.recorded_at.unix_timestamp_nanos(),
                    event: Box::new(event),
                });
            }
        }
        self.peak = self.peak.max(self.waiting.len());
        // The next day's dossiers start at the earliest the evening before it.
        self.horizon = self.days.get(self.next_day).map(|next| {
            let date = next
                .date
                .previous_day()
                .filter(|p| p.year() == next.date.year())
                .unwrap_or(next.date);
            world.at(date, Time::MIDNIGHT)
        });
        Ok(())
    }
}

/// The id of an arriving dossier: its receiving unit, its local date and its number among that
/// unit's dossiers of the day (`counters`: per unit, the date of its last dossier and how many
/// it received that day).
fn dossier_id(world: &World<'_>, counters: &mut [(Date, u32)], arrival: &Arrival) -> DossierId {
    let date = arrival.first.to_offset(world.cal.offset()).date();
    let number = match counters.get_mut(arrival.unit) {
        Some(counter) if counter.0 == date => {
            counter.1 += 1;
            counter.1
        }
        Some(counter) => {
            *counter = (date, 1);
            1
        }
        None => 1,
    };
    let unit = world.units.get(arrival.unit).map(|u| u.unit.id.as_str());
    DossierId::new(format!(
        "{}-{:02}{:02}{:02}-{:04}",
        unit.unwrap_or_default(),
        date.year().rem_euclid(100),
        u8::from(date.month()),
        date.day(),
        number
    ))
}

impl Iterator for EventStream<'_> {
    type Item = Result<Event, GenError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            let all_simulated = self.next_day >= self.days.len();
            if let Some(top) = self.waiting.peek() {
                let ready =
                    all_simulated || self.horizon.is_some_and(|h| top.event.recorded_at < h);
                if ready {
                    return self.waiting.pop().map(|w| Ok(*w.event));
                }
            } else if all_simulated {
                return None;
            }
            if let Err(e) = self.simulate_day() {
                self.failed = true;
                self.waiting.clear();
                return Some(Err(e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole-year generator as it was before the stream: every dossier simulated into one
    /// vector, then sorted into log order. The reference the stream must equal.
    fn whole_year(config: &GenConfig, calendar: &Calendar) -> Result<Vec<Event>, GenError> {
        let world = World::new(calendar, config.year, config.seed)?;
        let days = arrivals::days(&world, config.year)?;
        let weights: Vec<f64> = days.iter().map(|d| d.weight).collect();
        let counts = arrivals::allocate(config.dossiers, &weights);
        let mut rng = Rng::new(config.seed);
        let mut events = Vec::with_capacity(config.dossiers.saturating_mul(9));
        let mut counters: Vec<(Date, u32)> = vec![(Date::MIN, 0); world.units.len()];
        {
            let decider = Decider::new(&world.catalogue);
            for (day, &count) in days.iter().zip(&counts) {
                for arrival in arrivals::arrivals_on(&world, &mut rng, *day, count)? {
                    let id = dossier_id(&world, &mut counters, &arrival);
                    dossier::simulate(&world, &decider, &arrival, id, &mut events)?;
                }
            }
        }
        log_order(&mut events);
        Ok(events)
    }

    /// Puts the events in log order, `(recorded_at, dossier_id, sequence)`: an in-place bucket
    /// sort by recording day (a few hundred buckets, filled sequentially), then a comparison sort
    /// inside each day, so the cost stays close to linear and cache-friendly for millions of events.
    fn log_order(events: &mut [Event]) {
        let day = |e: &Event| e.recorded_at.unix_timestamp().div_euclid(86_400);
        let (Some(first), Some(last)) =
            (events.iter().map(day).min(), events.iter().map(day).max())
        else {
            return;
        };
        let buckets = usize::try_from(last - first + 1).unwrap_or(0);
        let bucket = |e: &Event| usize::try_from(day(e) - first).unwrap_or(0);
        let mut counts = vec![0usize; buckets];
        for e in events.iter() {
            counts[bucket(e)] += 1;
        }
        let mut ends = Vec::with_capacity(buckets);
        let mut total = 0;
        for c in &counts {
            total += c;
            ends.push(total);
        }
        let mut next: Vec<usize> = ends.iter().zip(&counts).map(|(e, c)| e - c).collect();
        // American flag sort: place every event in its day's bucket.
        for b in 0..buckets {
            while next[b] < ends[b] {
                let target = bucket(&events[next[b]]);
                if target == b {
                    next[b] += 1;
                } else {
                    events.swap(next[b], next[target]);
                    next[target] += 1;
                }
            }
        }
        // Inside a day: sort compact keys, then permute the (cache-resident) slice in place.
        let mut keys: Vec<(i128, usize)> = Vec::new();
        let mut perm: Vec<usize> = Vec::new();
        let mut start = 0;
        for end in ends {
            let slice = &mut events[start..end];
            start = end;
            keys.clear();
            keys.extend(
                slice
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.recorded_at.unix_timestamp_nanos(), i)),
            );
            keys.sort_unstable_by(|a, b| {
                a.0.cmp(&b.0).then_with(|| {
                    let (x, y) = (&slice[a.1], &slice[b.1]);
                    (&x.dossier_id, x.sequence).cmp(&(&y.dossier_id, y.sequence))
                })
            });
            perm.clear();
            perm.extend(keys.iter().map(|k| k.1));
            // Position k receives the event now at perm[k].
            for i in 0..perm.len() {
                if perm[i] == i {
                    continue;
                }
                let mut j = i;
                loop {
                    let src = perm[j];
                    perm[j] = j;
                    if src == i {
                        break;
                    }
                    slice.swap(j, src);
                    j = src;
                }
            }
        }
    }

    #[test]
    fn the_stream_equals_the_whole_year_sorted() -> Result<(), GenError> {
        let calendar = Calendar::vietnam();
        for (dossiers, seed, year) in [
            (0, 1, 2024),
            (1, 2, 2024),
            (3_000, GenConfig::SAMPLE_SEED, 2024),
            (2_500, 99, 2026),
            (1_500, 7, 2025),
        ] {
            let config = GenConfig {
                dossiers,
                seed,
                year,
            };
            let mut stream = EventStream::new(&config, &calendar)?;
            let streamed: Vec<Event> = stream.by_ref().collect::<Result<_, _>>()?;
            let reference = whole_year(&config, &calendar)?;
            assert_eq!(streamed.len(), reference.len(), "{config:?}");
            assert!(streamed == reference, "{config:?}: the stream differs");
            assert_eq!(stream.dossiers(), dossiers);
            if dossiers >= 1_000 {
                // The heap holds the dossiers in flight, a small share of the year.
                assert!(
                    stream.peak_waiting() * 5 < streamed.len(),
                    "{}",
                    stream.peak_waiting()
                );
            }
        }
        Ok(())
    }
}
