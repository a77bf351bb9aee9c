//! What several test files share: the PostgreSQL URL.

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
