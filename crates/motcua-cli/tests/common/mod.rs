//! What several test files share: running `motcua`, its output as text, the PostgreSQL URL.
// Each test file uses what it needs of this module.
#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs the `motcua` binary built for these tests with `args`.
pub fn motcua(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run motcua: {e}"))
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
