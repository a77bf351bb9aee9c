//! Prints what a generated sample contains: dossiers, events, online share per unit and level,
//! supplements, lateness, open and overdue dossiers at the as-of instant.
//!
//! `cargo run --release -p motcua-gen --example stats -- [dossiers] [seed] [year]`

use motcua_calendar::Calendar;
use motcua_core::{Channel, Context, Status, TimeClass};
use motcua_gen::{generate_with_calendar, GenConfig};
use std::collections::BTreeMap;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut config = GenConfig::sample();
    if let Some(n) = args.first() {
        config.dossiers = n.parse()?;
    }
    if let Some(seed) = args.get(1) {
        config.seed = seed.parse()?;
    }
    if let Some(year) = args.get(2) {
        config.year = year.parse()?;
    }
    let calendar = Calendar::vietnam();
    let started = Instant::now();
    let sample = generate_with_calendar(&config, &calendar)?;
    let elapsed = started.elapsed();
    println!(
        "{} dossiers, {} events in {:.1} ms (year {}, seed {})",
        sample.dossier_count(),
        sample.events.len(),
        elapsed.as_secs_f64() * 1000.0,
        config.year,
        config.seed
    );
    let ctx = Context::new(&sample.catalogue, &calendar);
    // unit -> [received, online, late-or-overdue, judged, rated, satisfied]
    let mut per_unit: BTreeMap<String, [u64; 6]> = BTreeMap::new();
    let mut classes: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut statuses: BTreeMap<&'static str, u64> = BTreeMap::new();
    let (mut supplements, mut two, mut apologies, mut extensions, mut rated) = (0, 0, 0, 0, 0);
    let streams = sample.streams();
    for events in streams.values() {
        let owned: Vec<_> = events.iter().map(|e| (*e).clone()).collect();
        let view = ctx.view_events(&owned, sample.as_of)?;
        let state = motcua_core::fold(events.iter().copied());
        *classes.entry(view.time_class.label()).or_default() += 1;
        *statuses.entry(view.status.label()).or_default() += 1;
        supplements += u64::from(view.supplement_rounds > 0);
        two += u64::from(view.supplement_rounds > 1);
        apologies += u64::from(!state.apologies.is_empty());
        extensions += u64::from(!state.extensions.is_empty());
        rated += u64::from(view.satisfied.is_some());
        let row = per_unit.entry(view.unit.to_string()).or_default();
        if state.received_at.is_some() {
            row[0] += 1;
            let counts_online = view.channel == Channel::Online
                && (view.electronic_result != Some(false) || view.status == Status::Withdrawn);
            row[1] += u64::from(counts_online);
        }
        if matches!(view.time_class, TimeClass::Late | TimeClass::Overdue) {
            row[2] += 1;
        }
        if !matches!(view.time_class, TimeClass::NotJudged) {
            row[3] += 1;
        }
        if let Some(s) = view.satisfied {
            row[4] += 1;
            row[5] += u64::from(s);
        }
    }
    let n = streams.len() as f64;
    let pct = |x: u64| 100.0 * x as f64 / n;
    println!("time classes: {classes:?}");
    println!("statuses: {statuses:?}");
    println!(
        "supplements {:.1}% (two+ {:.1}%), apologies {:.1}%, extensions {:.2}%, rated {:.1}%",
        pct(supplements),
        pct(two),
        pct(apologies),
        pct(extensions),
        pct(rated)
    );
    let mut per_level: BTreeMap<&'static str, [u64; 2]> = BTreeMap::new();
    println!(
        "{:<12} {:<48} {:>6} {:>7} {:>7} {:>7}",
        "unit", "name", "recv", "online%", "ontime%", "satisf%"
    );
    for (id, row) in &per_unit {
        let unit = sample.catalogue.unit(&id.as_str().into()).ok_or("unit")?;
        let level = per_level.entry(unit.level.label()).or_default();
        level[0] += row[0];
        level[1] += row[1];
        let r = |a: u64, b: u64| {
            if b == 0 {
                f64::NAN
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        println!(
            "{:<12} {:<48} {:>6} {:>7.1} {:>7.1} {:>7.1}",
            id,
            unit.name,
            row[0],
            r(row[1], row[0]),
            100.0 - r(row[2], row[3]),
            r(row[5], row[4])
        );
    }
    for (level, [recv, online]) in per_level {
        println!(
            "level {level}: received {recv}, online {:.1}%",
            100.0 * online as f64 / recv as f64
        );
    }
    Ok(())
}
