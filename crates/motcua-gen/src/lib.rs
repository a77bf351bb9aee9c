//! Deterministic synthetic province-years of one-stop dossiers, for motcua samples, tests and
//! benchmarks.
//!
//! [`generate`] builds a Đồng Nai-like province (departments, districts and communes with
//! Vietnamese names), a catalogue of about twenty real procedures with their legal time limits,
//! and a year of dossiers as event streams: arrivals over the working days of the year (Monday
//! heavier, a dip around Tết, a rise at year end), online submissions outside office hours,
//! refusals at reception, inter-agency steps with transfers, supplement rounds, financial
//! obligations, lateness concentrated in a few procedures and units, apologies, extensions under
//! law, withdrawals, stops, results, returns and ratings. Each event names the officer who
//! recorded it (a few officers per unit; none for what the applicant does). Dossiers received
//! late in the year are still open at the as-of instant (31 December 17:00), some of them
//! overdue.
//!
//! Every event is built through [`motcua_core::Decider::decide`], so the output always replays.
//! The same [`GenConfig`] gives byte-identical output on every machine: the generator has its
//! own seeded PRNG (xoshiro256**), no clock, no hash-map iteration and no platform maths.
//!
//! ```
//! use motcua_gen::{generate, GenConfig};
//! use motcua_core::Decider;
//!
//! let sample = generate(&GenConfig { dossiers: 200, seed: 7, year: 2024 })?;
//! assert_eq!(sample.dossier_count(), 200);
//! assert!(sample.events.iter().all(|e| e.occurred_at <= sample.as_of));
//! // Every stream replays through the core decider.
//! let decider = Decider::new(&sample.catalogue);
//! for (_, events) in sample.streams() {
//!     decider.replay(events)?;
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod arrivals;
mod catalogue;
mod dossier;
mod error;
mod officers;
mod rng;
mod stream;
mod units;
mod world;

pub use error::GenError;
pub use stream::EventStream;

use motcua_calendar::Calendar;
use motcua_core::{Catalogue, DossierId, Event, Unit};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use time::OffsetDateTime;

/// The years [`generate`] accepts.
pub const SUPPORTED_YEARS: RangeInclusive<i32> = 2000..=2100;

/// What to generate: how many dossiers, from which seed, for which year.
///
/// ```
/// use motcua_gen::GenConfig;
/// let config = GenConfig::sample();
/// assert_eq!((config.dossiers, config.year), (6_000, 2024));
/// assert_eq!(GenConfig::default(), config);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GenConfig {
    /// Number of dossiers (each is one event stream).
    pub dossiers: usize,
    /// Seed of the random stream: same seed, same output.
    pub seed: u64,
    /// The year of arrivals; the sample is as of 31 December at 17:00 (UTC+7) of that year.
    /// From 2026 the unit tree has no districts.
    pub year: i32,
}

impl GenConfig {
    /// The seed of the bundled sample.
    pub const SAMPLE_SEED: u64 = 0x6D6F_7463_7561_2024;

    /// The bundled main-job sample: 6,000 dossiers, year 2024, [`GenConfig::SAMPLE_SEED`].
    pub const fn sample() -> Self {
        GenConfig {
            dossiers: 6_000,
            seed: Self::SAMPLE_SEED,
            year: 2024,
        }
    }
}

impl Default for GenConfig {
    fn default() -> Self {
        Self::sample()
    }
}

/// A generated province-year: its catalogue, its events and the instant it is "as of".
#[derive(Clone, Debug)]
pub struct Sample {
    /// Units and procedures of the year.
    pub catalogue: Catalogue,
    /// All events, ordered by `(recorded_at, dossier_id, sequence)`: a plausible log order with
    /// dossiers interleaved. Within a dossier the order is its sequence order.
    pub events: Vec<Event>,
    /// The end of the reporting year, 31 December 17:00 at UTC+7; no event happens after it.
    pub as_of: OffsetDateTime,
    /// The configuration that produced it.
    pub config: GenConfig,
}

impl Sample {
    /// Number of dossiers (streams) in the sample.
    ///
    /// ```
    /// let s = motcua_gen::generate(&motcua_gen::GenConfig { dossiers: 50, seed: 1, year: 2024 })?;
    /// assert_eq!(s.dossier_count(), 50);
    /// # Ok::<(), motcua_gen::GenError>(())
    /// ```
    pub fn dossier_count(&self) -> usize {
        self.events.iter().filter(|e| e.sequence == 1).count()
    }

    /// The events grouped by dossier, each stream in sequence order, dossiers by id.
    ///
    /// ```
    /// let s = motcua_gen::generate(&motcua_gen::GenConfig { dossiers: 20, seed: 3, year: 2024 })?;
    /// for (id, events) in s.streams() {
    ///     assert!(events.iter().all(|e| &e.dossier_id == id));
    ///     assert!(events.windows(2).all(|w| w[0].sequence + 1 == w[1].sequence));
    /// }
    /// # Ok::<(), motcua_gen::GenError>(())
    /// ```
    pub fn streams(&self) -> BTreeMap<&DossierId, Vec<&Event>> {
        let mut map: BTreeMap<&DossierId, Vec<&Event>> = BTreeMap::new();
        for event in &self.events {
            map.entry(&event.dossier_id).or_default().push(event);
        }
        map
    }
}

/// Generates a province-year with the built-in Vietnamese calendar ([`Calendar::vietnam`]).
///
/// ```
/// use motcua_gen::{generate, GenConfig};
/// let a = generate(&GenConfig { dossiers: 100, seed: 42, year: 2024 })?;
/// let b = generate(&GenConfig { dossiers: 100, seed: 42, year: 2024 })?;
/// assert_eq!(a.events, b.events);
/// # Ok::<(), motcua_gen::GenError>(())
/// ```
pub fn generate(config: &GenConfig) -> Result<Sample, GenError> {
    check_year(config.year)?;
    generate_with_calendar(config, &Calendar::vietnam())
}

/// Generates a province-year with the host's calendar (e.g. one with local days off). Arrivals
/// avoid its days off and every due is counted with it.
///
/// ```
/// use motcua_calendar::Calendar;
/// use motcua_gen::{generate_with_calendar, GenConfig};
/// let calendar = Calendar::vietnam();
/// let sample = generate_with_calendar(&GenConfig { dossiers: 30, seed: 9, year: 2025 }, &calendar)?;
/// assert_eq!(sample.dossier_count(), 30);
/// # Ok::<(), motcua_gen::GenError>(())
/// ```
pub fn generate_with_calendar(config: &GenConfig, calendar: &Calendar) -> Result<Sample, GenError> {
    let mut stream = generate_stream(config, calendar)?;
    let mut events = Vec::with_capacity(config.dossiers.saturating_mul(9));
    for event in &mut stream {
        events.push(event?);
    }
    Ok(Sample {
        catalogue: stream.world.catalogue,
        events,
        as_of: stream.world.as_of,
        config: *config,
    })
}

/// The province-year of [`generate_with_calendar`] as a stream: the same events in the same
/// (log) order, one at a time, holding only the dossiers in flight (a few weeks of arrivals)
/// instead of the year. For writing millions of dossiers to a file or a store.
///
/// ```
/// use motcua_calendar::Calendar;
/// use motcua_gen::{generate_stream, GenConfig};
///
/// let calendar = Calendar::vietnam();
/// let config = GenConfig { dossiers: 500, seed: 3, year: 2025 };
/// let mut last = None;
/// for event in generate_stream(&config, &calendar)? {
///     let event = event?;
///     // Log order: by recording instant first.
///     assert!(last.is_none_or(|at| at <= event.recorded_at));
///     last = Some(event.recorded_at);
/// }
/// # Ok::<(), motcua_gen::GenError>(())
/// ```
///
/// # Errors
/// [`GenError::Config`] for a year outside [`SUPPORTED_YEARS`]; the calendar's errors for a
/// year it cannot count.
pub fn generate_stream<'c>(
    config: &GenConfig,
    calendar: &'c Calendar,
) -> Result<EventStream<'c>, GenError> {
    check_year(config.year)?;
    EventStream::new(config, calendar)
}

/// The bundled main-job sample: [`GenConfig::sample`] (about 6,000 dossiers of 2024, as of
/// 2024-12-31 17:00 +07:00).
///
/// ```
/// let sample = motcua_gen::sample()?;
/// assert_eq!(sample.dossier_count(), 6_000);
/// # Ok::<(), motcua_gen::GenError>(())
/// ```
pub fn sample() -> Result<Sample, GenError> {
    generate(&GenConfig::sample())
}

/// The unit tree of a year: the province, its departments (plus a land registration office and
/// the tax department that handle inter-agency steps), and its districts with their communes —
/// or, from 2026, communes directly under the province.
///
/// ```
/// use motcua_core::Level;
/// let units = motcua_gen::units(2024);
/// assert!(units.iter().any(|u| u.level == Level::District));
/// assert!(!motcua_gen::units(2026).iter().any(|u| u.level == Level::District));
/// ```
pub fn units(year: i32) -> Vec<Unit> {
    units::unit_specs(year)
        .into_iter()
        .map(|u| u.unit)
        .collect()
}

/// The catalogue of a year: [`units`] and the procedures, each listing the units that may
/// receive it.
///
/// ```
/// let catalogue = motcua_gen::catalogue(2024)?;
/// assert!(catalogue.procedures().count() >= 20);
/// # Ok::<(), motcua_gen::GenError>(())
/// ```
pub fn catalogue(year: i32) -> Result<Catalogue, GenError> {
    Ok(world::build_catalogue(year)?.0)
}

/// The as-of instant of a year's sample: 31 December at 17:00, UTC+7.
///
/// ```
/// use time::macros::datetime;
/// assert_eq!(motcua_gen::as_of(2024)?, datetime!(2024-12-31 17:00 +7));
/// # Ok::<(), motcua_gen::GenError>(())
/// ```
pub fn as_of(year: i32) -> Result<OffsetDateTime, GenError> {
    check_year(year)?;
    world::end_of_year(&Calendar::vietnam(), year)
}

fn check_year(year: i32) -> Result<(), GenError> {
    if SUPPORTED_YEARS.contains(&year) {
        Ok(())
    } else {
        Err(GenError::Config(format!(
            "year {year} is outside the supported range {}–{}",
            SUPPORTED_YEARS.start(),
            SUPPORTED_YEARS.end()
        )))
    }
}

// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
