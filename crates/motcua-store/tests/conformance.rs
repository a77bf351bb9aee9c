//! The conformance suite, run against the in-memory store: one test per rule.

use motcua_store::conformance;
use motcua_store::InMemoryStore;

macro_rules! conformance_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                conformance::$name(&InMemoryStore::new());
            }
        )*
    };
}

conformance_tests!(
    empty_store_is_empty,
    appended_events_read_back,
    expected_version_is_checked,
    numbering_must_continue_the_stream,
    events_must_belong_to_the_batch_dossier,
    empty_batch_is_a_no_op,
    resending_stored_events_is_idempotent,
    reused_event_ids_are_refused,
    append_streams_is_all_or_nothing,
    read_all_pages_in_commit_order,
    dossier_ids_are_sorted,
    concurrent_appends_keep_every_stream_consistent,
    import_sessions_are_all_or_nothing,
    import_sessions_keep_the_append_rules,
    import_sessions_read_the_store_and_themselves,
    desk_records_a_whole_dossier_life,
    desk_retries_after_a_concurrent_append,
    desk_resends_return_the_first_result,
    desk_refusals_change_nothing,
    desk_gives_up_after_its_retries,
    desk_concurrent_resends_store_once,
    desk_concurrent_writers_lose_nothing,
    checkpoints_save_and_load,
    projections_resume_to_the_rebuild,
);

#[test]
fn run_all_passes() {
    conformance::run_all(InMemoryStore::new);
}

#[test]
fn every_check_is_listed_once() {
    let names: Vec<&str> = conformance::checks::<InMemoryStore>()
        .iter()
        .map(|(n, _)| *n)
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len());
    assert_eq!(names.len(), 24);
}

#[test]
fn the_store_can_be_shared_through_an_arc() {
    conformance::run_all(|| std::sync::Arc::new(InMemoryStore::new()));
}
