//! The database for the tests: `MOTCUA_PG_URL`, one fresh schema per store, dropped after.

use motcua_postgres::PgStore;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT: AtomicU64 = AtomicU64::new(0);

/// The database URL, or `None` after saying loudly that the test is skipped.
pub fn url(test: &str) -> Option<String> {
    match std::env::var("MOTCUA_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            // Straight to stderr, past the test harness's capture, so it shows on a pass too.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: MOTCUA_PG_URL is not set, so the PostgreSQL store is not tested \
                 (`bash .ci/run` starts PostgreSQL and sets it)"
            );
            None
        }
    }
}

/// A unique schema name for this process.
pub fn schema_name(tag: &str) -> String {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("motcua_t_{tag}_{}_{n}", std::process::id())
}

/// A store in a fresh schema, dropped with the guard.
pub struct Fresh(pub Option<PgStore>);

impl Fresh {
    pub fn new(url: &str, tag: &str) -> Fresh {
        let schema = schema_name(tag);
        let store = PgStore::connect(url, &schema).unwrap_or_else(|e| panic!("{e}"));
        Fresh(Some(store))
    }

    pub fn store(&self) -> &PgStore {
        match &self.0 {
            Some(s) => s,
            None => unreachable!(),
        }
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        if let Some(store) = self.0.take() {
            let _ = store.drop_schema();
        }
    }
}
