//! The open-dossier projection check on the in-memory store.

#[test]
fn open_dossiers_match_a_rebuild_in_memory() {
    motcua_store::conformance::open_dossiers_match_a_rebuild(&motcua_store::InMemoryStore::new());
}

#[test]
fn racing_maintainers_end_at_the_log_end_in_memory() {
    motcua_store::conformance::racing_maintainers_end_at_the_log_end(
        &motcua_store::InMemoryStore::new(),
    );
}
