//! The conformance suite on PostgreSQL (ignored unless asked for: they need `MOTCUA_PG_URL`).

mod common;

use common::{url, Fresh};
use motcua_postgres::PgStore;
use motcua_store::conformance;

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn every_check_passes() {
    let url = url();
    for (name, check) in conformance::checks::<PgStore>() {
        let fresh = Fresh::new(&url, &name[..name.len().min(20)]);
        check(fresh.store());
    }
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn scans_cover_every_dossier_once() {
    let url = url();
    let fresh = Fresh::new(&url, "scan");
    conformance::scans_cover_every_dossier_once(fresh.store());
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn a_staged_catalogue_commits_with_the_events() {
    let url = url();
    let fresh = Fresh::new(&url, "catalogue");
    conformance::a_staged_catalogue_commits_with_the_events(fresh.store(), |s| {
        s.catalogue().unwrap_or_else(|e| panic!("{e}"))
    });
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn staged_catalogues_become_records() {
    let url = url();
    let fresh = Fresh::new(&url, "records");
    conformance::staged_catalogues_become_records(fresh.store(), |s| {
        s.catalogue().unwrap_or_else(|e| panic!("{e}"))
    });
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn open_dossiers_match_a_rebuild() {
    let url = url();
    let fresh = Fresh::new(&url, "open_dossiers");
    conformance::open_dossiers_match_a_rebuild(fresh.store());
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn racing_maintainers_end_at_the_log_end() {
    let url = url();
    let fresh = Fresh::new(&url, "racing_maintainers");
    conformance::racing_maintainers_end_at_the_log_end(fresh.store());
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn racing_standings_maintainers_end_at_the_log_end() {
    let url = url();
    let fresh = Fresh::new(&url, "racing_standings");
    conformance::racing_standings_maintainers_end_at_the_log_end(fresh.store());
}
