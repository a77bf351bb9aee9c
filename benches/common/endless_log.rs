//! An endless log of commands for the write-path benchmarks: a generated province's events in
//! log order, replayed under new dossier and event ids once used up, so every command is new.

use motcua::{DossierId, Event};

/// The `i`-th event of the endless log: the generated log, replayed under new dossier ids
/// (`…~r2`) and event ids once used up.
pub fn nth(events: &[Event], i: u64) -> Event {
    let n = events.len() as u64;
    let (round, k) = (i / n, (i % n) as usize);
    let mut e = events[k].clone();
    if round > 0 {
        e.dossier_id = DossierId::new(format!("{}~r{round}", e.dossier_id));
        e.event_id = uuid::Uuid::from_u128((u128::from(round) << 64) | k as u128);
    }
    e
}
