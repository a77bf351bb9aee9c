//! Timing a hand-written benchmark's measurements: each run several times, the minimum and the
//! median kept.

use std::time::{Duration, Instant};

/// Runs `f` `runs` times (at least once); (minimum, median, the last run's result).
pub fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed());
        last = Some(out);
    }
    times.sort();
    match last {
        Some(out) => (times[0], times[times.len() / 2], out),
        None => unreachable!("runs.max(1) runs at least once"),
    }
}

/// `d` in seconds.
pub fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}
