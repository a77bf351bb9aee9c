//! Times generation at several sizes (run in release):
//! `cargo run --release -p motcua-gen --example timing -- 6000 100000 1000000`

use motcua_calendar::Calendar;
use motcua_gen::{generate_with_calendar, GenConfig};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let sizes = if sizes.is_empty() {
        vec![6_000, 100_000]
    } else {
        sizes
    };
    let started = Instant::now();
    let calendar = Calendar::vietnam();
    println!(
        "calendar built in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    for dossiers in sizes {
        let config = GenConfig {
            dossiers,
            ..GenConfig::sample()
        };
        let started = Instant::now();
        let sample = generate_with_calendar(&config, &calendar)?;
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "{dossiers:>9} dossiers: {:>9} events in {:>8.1} ms ({:.2} µs per dossier)",
            sample.events.len(),
            elapsed * 1e3,
            elapsed * 1e6 / dossiers as f64
        );
    }
    Ok(())
}
