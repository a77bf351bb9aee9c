//! The scan check on the in-memory store.

#[test]
fn the_in_memory_store_scans_every_dossier_once() {
    motcua_store::conformance::scans_cover_every_dossier_once(&motcua_store::InMemoryStore::new());
}
