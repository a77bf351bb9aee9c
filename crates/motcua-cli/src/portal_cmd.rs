//! `motcua portal-records`: the national-portal record of every dossier with events after a
//! global log position, as JSON Lines, each line carrying the position up to which it is
//! current, so a host's sync job sends only what changed and resumes where it stopped.
//!
//! Memory: the ids of the dossiers changed since the position (a `BTreeSet`), and one
//! dossier's events at a time. From position 0 every dossier has changed: the store is scanned
//! in one ordered pass instead of one indexed read per dossier.

use crate::data::{DataArgs, Dataset};
use crate::error::CliError;
use motcua_core::{DossierId, Event};
use motcua_render::forms::Dossier;
use motcua_render::portal::{PortalRecord, SyncedRecord};
use motcua_render::Lang;
use motcua_store::EventStore;
use std::collections::BTreeSet;
use std::io::Write;

/// Arguments of `motcua portal-records`.
#[derive(Debug, Clone, clap::Args)]
pub struct PortalArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Send the dossiers with an event after this global log position (the `position` of the
    /// last line a previous run wrote); 0 sends every dossier.
    #[arg(long, value_name = "POSITION", default_value_t = 0)]
    pub since: u64,
}

/// Events read from the log at a time while collecting the changed dossiers.
const PAGE: usize = 65_536;

/// Runs `motcua portal-records`.
pub fn run(args: &PortalArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let data = Dataset::open(&args.data)?;
    let (location, store) = data.single_store().ok_or_else(|| {
        CliError::Usage("this command follows one store's log: give exactly one --store".to_owned())
    })?;
    let failed = |e| CliError::store(location, "the store could not be read", &e);
    // Every record is current up to the log's end as it is now; events appended while this
    // runs may show in a record too, and are sent again by the next run from this position.
    let through = store.last_position().map_err(failed)?;
    if args.since > through {
        return Err(CliError::Usage(format!(
            "--since {} is past the end of the log (position {through})",
            args.since
        )));
    }
    let context = data.context();
    let mut write = |events: &[Event]| -> Result<(), CliError> {
        let dossier = Dossier {
            context,
            events,
            as_of: data.as_of,
        };
        let record = match PortalRecord::build(&dossier) {
            Ok(record) => record,
            // Nothing happened by the as-of instant: nothing to send yet.
            Err(motcua_render::forms::FormError::NoEvents) => return Ok(()),
            Err(e) => {
                let id = events.first().map_or("", |e| e.dossier_id.as_str());
                return Err(CliError::Data(format!("dossier {id}: {e}")));
            }
        };
        let line = SyncedRecord {
            position: through,
            record: &record,
        }
        .line()
        .map_err(|e| CliError::Data(e.to_string()))?;
        out.write_all(line.as_bytes())?;
        Ok(())
    };
    if args.since == 0 {
        data.each_dossier(&mut write)?;
    } else {
        let mut changed: BTreeSet<DossierId> = BTreeSet::new();
        let mut from = args.since;
        while from < through {
            let page = store.read_all(from, PAGE).map_err(failed)?;
            let Some(last) = page.last().map(|s| s.position) else {
                break;
            };
            changed.extend(
                page.into_iter()
                    .filter(|s| s.position <= through)
                    .map(|s| s.event.dossier_id),
            );
            from = last;
        }
        for id in &changed {
            let mut events = store.read_stream(id).map_err(failed)?;
            if let Some(known_at) = args.data.known_at {
                let known = motcua_core::known_prefix(&events, known_at).len();
                events.truncate(known);
            }
            if !events.is_empty() {
                write(&events)?;
            }
        }
    }
    data.announce(Lang::En);
    Ok(())
}
