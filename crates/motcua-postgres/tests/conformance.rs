//! The conformance suite on PostgreSQL (skipped, loudly, without `MOTCUA_PG_URL`).

mod common;

use common::{url, Fresh};
use motcua_postgres::PgStore;
use motcua_store::conformance;

#[test]
fn every_check_passes() {
    let Some(url) = url("every_check_passes") else {
        return;
    };
    for (name, check) in conformance::checks::<PgStore>() {
        let fresh = Fresh::new(&url, &name[..name.len().min(20)]);
        check(fresh.store());
    }
}

#[test]
fn scans_cover_every_dossier_once() {
    let Some(url) = url("scans_cover_every_dossier_once") else {
        return;
    };
    let fresh = Fresh::new(&url, "scan");
    conformance::scans_cover_every_dossier_once(fresh.store());
}

#[test]
fn a_staged_catalogue_commits_with_the_events() {
    let Some(url) = url("a_staged_catalogue_commits_with_the_events") else {
        return;
    };
    let fresh = Fresh::new(&url, "catalogue");
    conformance::a_staged_catalogue_commits_with_the_events(fresh.store(), |s| {
        s.catalogue().unwrap_or_else(|e| panic!("{e}"))
    });
}
