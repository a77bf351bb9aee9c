//! What checking every link on a full scan would cost (docs/tamper-evidence.md): times a full
//! scan as reports read (sequence continuity only), the same scan recomputing every link from
//! the decoded events, and the raw rows with their stored links compared.
//!
//! The store is first opened for writing, which migrates a store from before links (timed).
//!
//! `cargo run --release -p motcua-sqlite --example chain_cost -- STORE.db [RUNS]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use motcua_core::Event;
use motcua_sqlite::SqliteStore;
use motcua_store::audit::RowScan;
use motcua_store::chain::{Linker, GENESIS};
use motcua_store::{DossierRange, DossierScan, StoreError};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a store file");
    let runs: usize = args
        .next()
        .map_or(3, |r| r.parse().expect("a number of runs"));
    let t = Instant::now();
    drop(SqliteStore::open(&path).expect("a store"));
    println!(
        "writable open (migrates a store from before links): {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let store = SqliteStore::open_read_only(&path).expect("a store");
    // CPU time of this thread (the scans run on it), from /proc: on a machine shared with
    // other builds, wall time measures the neighbours as much as the scan.
    let cpu = || -> f64 {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(f64::NAN, |ns| ns / 1e9)
    };
    let best = |f: &dyn Fn() -> u64| {
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                let c = cpu();
                let n = f();
                println!("  run: {:.3} s wall", t.elapsed().as_secs_f64());
                (cpu() - c, n)
            })
            .fold((f64::MAX, 0), |a, b| if b.0 < a.0 { b } else { a })
    };
    let (scan, n) = best(&|| {
        let mut n = 0u64;
        store
            .scan_dossiers(&DossierRange::ALL, |events: &[Event]| {
                n += events.len() as u64;
                Ok::<(), StoreError>(())
            })
            .unwrap();
        n
    });
    println!("scan (sequence continuity): {scan:.3} s CPU for {n} events");
    let (linked, _) = best(&|| {
        let mut n = 0u64;
        let mut linker = Linker::default();
        store
            .scan_dossiers(&DossierRange::ALL, |events: &[Event]| {
                let mut head = GENESIS;
                for e in events {
                    head = linker.link(&head, e);
                }
                n += u64::from(head[0]);
                Ok::<(), StoreError>(())
            })
            .unwrap();
        n
    });
    println!(
        "scan + every link recomputed: {linked:.3} s CPU (+{:.1} %, stored links not even read)",
        (linked / scan - 1.0) * 100.0
    );
    let (rows, _) = best(&|| {
        let mut n = 0u64;
        store
            .scan_rows(&mut |_, rows| {
                n += rows.iter().filter(|r| r.link.is_some()).count() as u64;
                Ok(())
            })
            .unwrap();
        n
    });
    println!(
        "raw rows with their stored links (what verify reads): {rows:.3} s CPU (+{:.1} %)",
        (rows / scan - 1.0) * 100.0
    );
}
