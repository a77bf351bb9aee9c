//! Imports through the PostgreSQL import session: chunks, dossiers read back from the open
//! transaction, refusals naming their lines, nothing stored on error.

mod common;

use common::{url, Fresh};
use motcua_core::Event;
use motcua_store::{import_jsonl_with, EventStore, ImportError, ImportOptions, InMemoryStore};

const SMALL: ImportOptions = ImportOptions {
    chunk_events: 50,
    dossiers_in_memory: 20,
    keep_catalogue: false,
};

fn jsonl(events: &[Event]) -> String {
    let mut out = Vec::new();
    motcua_io::write_events(&mut out, events).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"))
}

fn streams<S: EventStore>(store: &S) -> Vec<Vec<Event>> {
    let ids = store.dossier_ids().unwrap_or_else(|e| panic!("{e}"));
    ids.iter()
        .map(|d| store.read_stream(d).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn imports_in_chunks_store_everything_or_nothing() {
    let url = url();
    let fresh = Fresh::new(&url, "import");
    let store = fresh.store();
    let sample = motcua_gen::generate(&motcua_gen::GenConfig {
        dossiers: 200,
        seed: 23,
        year: 2024,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let (first, rest): (Vec<Event>, Vec<Event>) =
        sample.events.iter().cloned().partition(|e| e.sequence <= 2);
    let reference = InMemoryStore::new();
    let import = |store: &dyn Fn(&str) -> Result<motcua_store::ImportSummary, ImportError>,
                  events: &[Event]| store(&jsonl(events));
    let pg = |text: &str| {
        import_jsonl_with(
            store,
            text.as_bytes(),
            &sample.catalogue,
            &SMALL,
            &mut |_| {},
        )
    };
    let memory =
        |text: &str| motcua_store::import_jsonl(&reference, text.as_bytes(), &sample.catalogue);
    assert_eq!(import(&pg, &first).ok(), import(&memory, &first).ok());
    let before = store.read_all(0, usize::MAX).unwrap_or_default();
    // An id repeated in a later chunk, then events already stored: nothing stored.
    let mut twin = rest.clone();
    let last = twin.len() - 1;
    twin[last].event_id = twin[2].event_id;
    let err = import(&pg, &twin);
    assert!(
        matches!(&err, Err(ImportError::DuplicateInFile { line, first_line: 3, .. }) if *line == twin.len() as u64),
        "{err:?}"
    );
    let mut again = rest.clone();
    again.push(first[0].clone());
    let err = import(&pg, &again);
    assert!(
        matches!(&err, Err(ImportError::AlreadyStored { line, .. }) if *line == again.len() as u64),
        "{err:?}"
    );
    assert_eq!(store.read_all(0, usize::MAX).unwrap_or_default(), before);
    assert_eq!(import(&pg, &rest).ok(), import(&memory, &rest).ok());
    assert_eq!(streams(store), streams(&reference));
    assert_eq!(store.last_position().ok(), Some(sample.events.len() as u64));
}
