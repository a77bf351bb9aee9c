//! The store's import: never panics; an import either lands every event or leaves the store
//! exactly as it was.
#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_core::{Catalogue, Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
use motcua_store::{EventStore, InMemoryStore};
use std::sync::OnceLock;

fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(|| {
        let unit = Unit { id: UnitId::new("U1"), name: "U1".into(), level: Level::Commune, parent: None };
        let p = Procedure {
            code: ProcedureCode::new("P"),
            name: "P".into(),
            field: "f".into(),
            level: Level::Commune,
            units: vec![],
            time_limit: TimeLimit::WorkingDays(3),
            supplement_policy: Default::default(),
            payment_pauses_clock: false,
            supplement_time_limit: None,
            online_service: Default::default(),
            result_is_document: true,
            fees: vec![],
            steps: vec![],
        };
        Catalogue::new(vec![unit], vec![p]).unwrap_or_default()
    })
}

// Splits the input at the first NUL byte: a first import, then a second one on top of it.
fuzz_target!(|data: &[u8]| {
    let cut = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let (first, second) = (&data[..cut], data.get(cut + 1..).unwrap_or(&[]));
    let store = InMemoryStore::new();
    let _ = motcua_store::import_jsonl(&store, first, catalogue());
    let before: Vec<_> = store.read_all(0, usize::MAX).map(|v| v.into_iter().map(|s| (s.position, s.event)).collect()).unwrap_or_default();
    let lines = second.split(|b| *b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)).count();
    match motcua_store::import_jsonl(&store, second, catalogue()) {
        Ok(summary) => {
            let after = store.last_position().unwrap_or(0);
            assert_eq!(after, before.len() as u64 + summary.events_imported, "every event landed");
            assert!(summary.events_imported as usize <= lines);
        }
        Err(_) => {
            let after: Vec<_> = store.read_all(0, usize::MAX).map(|v| v.into_iter().map(|s| (s.position, s.event)).collect()).unwrap_or_default();
            assert_eq!(after, before, "a refused import leaves the store unchanged");
        }
    }
});
