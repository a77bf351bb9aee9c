//! What several test files share: running `motcua`, its output as text, scratch directories,
//! the PostgreSQL URL.
// Each test file uses what it needs of this module.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs the `motcua` binary built for these tests with `args`.
pub fn motcua(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run motcua: {e}"))
}

/// A fresh directory `{prefix}-{pid}-{n}` under the system's temporary directory, not the
/// build's: some tests run motcua as `nobody`, who must reach these files wherever the
/// checkout is (a clone in a 0700 directory).
pub fn scratch(prefix: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// Bytes of standard output or error as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `MOTCUA_PG_URL` as a `postgres://` URL (it may be given as key=value pairs).
pub fn pg_url() -> String {
    let url = match std::env::var("MOTCUA_PG_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "MOTCUA_PG_URL is not set: this test needs a PostgreSQL database \
             (`bash .ci/run` starts PostgreSQL and sets it)"
        ),
    };
    if url.starts_with("postgres") {
        return url;
    }
    let kv: std::collections::BTreeMap<&str, &str> = url
        .split_whitespace()
        .filter_map(|pair| pair.split_once('='))
        .collect();
    format!(
        "postgres://{}:{}@{}:{}/{}",
        kv.get("user").unwrap_or(&"postgres"),
        kv.get("password").unwrap_or(&""),
        kv.get("host").unwrap_or(&"localhost"),
        kv.get("port").unwrap_or(&"5432"),
        kv.get("dbname").unwrap_or(&"postgres"),
    )
}
