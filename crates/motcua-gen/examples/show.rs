//! Prints the event streams of the first few dossiers of a procedure in the bundled sample.
//!
//! `cargo run -p motcua-gen --example show -- 1.004227 2`

use motcua_core::EventKind;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let code = args.next().unwrap_or_else(|| "1.004227".to_owned());
    let count: usize = args.next().map_or(Ok(2), |n| n.parse())?;
    let sample = motcua_gen::sample()?;
    let streams = sample.streams();
    let wanted = streams.values().filter(|events| {
        matches!(&events[0].kind,
            EventKind::Submitted { procedure, .. } | EventKind::Received { procedure, .. }
                if procedure.as_str() == code)
    });
    for events in wanted.take(count) {
        println!("{}", events[0].dossier_id);
        for e in events {
            let late = if e.recorded_at > e.occurred_at {
                " (recorded later)"
            } else {
                ""
            };
            println!("  {:>2} {} {:?}{late}", e.sequence, e.occurred_at, e.kind);
        }
    }
    Ok(())
}
