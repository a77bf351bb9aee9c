//! A store that cannot be opened says why, with the cause the client or the server gave, and
//! counts as a storage failure (the CLI exits 5).

#[allow(dead_code)] // The shared helpers; this file needs only `url`.
mod common;

use motcua_postgres::{PgError, PgStore};

fn refused(url: &str) -> PgError {
    match PgStore::connect(url, "motcua_t_connect") {
        Ok(_) => panic!("{url}: connected"),
        Err(e) => e,
    }
}

#[test]
fn an_unreachable_server_is_named_with_the_operating_systems_reason() {
    // Nothing listens on port 1.
    let e = refused("host=127.0.0.1 port=1 user=motcua dbname=motcua connect_timeout=10");
    assert_eq!(
        e.to_string(),
        "cannot connect to PostgreSQL: error connecting to server: Connection refused (os error 111)"
    );
    assert!(e.is_storage_failure());
}

#[test]
fn a_bad_connection_string_is_not_a_storage_failure() {
    let e = refused("host=127.0.0.1 port=x");
    assert_eq!(
        e.to_string(),
        "invalid PostgreSQL connection string: invalid connection string: invalid value for option `port`"
    );
    assert!(!e.is_storage_failure());
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn a_wrong_password_is_named_with_the_servers_message() {
    let url = common::url();
    let wrong = if url.starts_with("postgres") {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}password=not-the-password")
    } else {
        format!("{url} password=not-the-password")
    };
    let e = refused(&wrong);
    let message = e.to_string();
    assert!(
        message.starts_with(
            "cannot connect to PostgreSQL: FATAL: password authentication failed for user "
        ) && message.ends_with(" (SQLSTATE 28P01)"),
        "{message}"
    );
    assert!(e.is_storage_failure());
}
