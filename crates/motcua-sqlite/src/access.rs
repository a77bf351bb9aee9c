//! How a store file is opened: for writing, read-only, or (read-only media) immutable; and the
//! settings every connection gets.

use crate::error::SqliteError;
use crate::schema::classify;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a connection waits for another connection's lock before failing, unless
/// [`BUSY_TIMEOUT_VAR`] says otherwise.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// The environment variable that sets the busy timeout in milliseconds (e.g. `0` to fail at
/// once when another process holds the store's write lock).
pub const BUSY_TIMEOUT_VAR: &str = "MOTCUA_SQLITE_BUSY_TIMEOUT_MS";

/// The busy timeout: [`BUSY_TIMEOUT_VAR`] if it is a whole number of milliseconds, else
/// [`BUSY_TIMEOUT`].
fn busy_timeout() -> Duration {
    std::env::var(BUSY_TIMEOUT_VAR)
        .ok()
        .and_then(|ms| ms.trim().parse().ok())
        .map_or(BUSY_TIMEOUT, Duration::from_millis)
}

/// How a store's connections open its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Reads and writes (`import`, `gen --store`, a host appending).
    ReadWrite,
    /// Reads only (`SQLITE_OPEN_READONLY`): never writes the database file and never takes the
    /// write lock; reads a snapshot through the write-ahead log while writers go on.
    ReadOnly,
    /// Reads only, from a file nobody can write (`immutable=1`): no locks and no `-wal` /
    /// `-shm` files. Used only when those files can be neither found nor created, that is
    /// when no writer can change the file either.
    Immutable,
}

/// Opens a connection to an existing store file with the store's settings.
pub(crate) fn connect(path: &Path, access: Access) -> Result<Connection, SqliteError> {
    let conn = match access {
        Access::ReadWrite => Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ),
        Access::ReadOnly => Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ),
        Access::Immutable => Connection::open_with_flags(
            format!("file:{}?immutable=1", uri_path(path)),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        ),
    }
    .map_err(|e| classify(e, path))?;
    configure(&conn, path, access)?;
    Ok(conn)
}

/// The busy timeout, and for writers `synchronous = FULL` (see [`crate::SqliteStore`]).
pub(crate) fn configure(conn: &Connection, path: &Path, access: Access) -> Result<(), SqliteError> {
    let sqlite = |e| classify(e, path);
    conn.busy_timeout(busy_timeout()).map_err(sqlite)?;
    if access == Access::ReadWrite {
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sqlite)?;
    }
    Ok(())
}

/// Whether a read-only open failed because the `-wal` / `-shm` files of a WAL database could
/// be neither opened nor created (a read-only directory or medium).
pub(crate) fn wal_unavailable(error: &SqliteError) -> bool {
    match error {
        SqliteError::Sqlite { source, .. } => matches!(
            source.sqlite_error_code(),
            Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly)
        ),
        _ => false,
    }
}

/// The file next to the store with `suffix` added to its name (`-wal`, `-shm`).
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Whether the store's write-ahead log holds frames: commits not yet copied into the file,
/// which an immutable open would not see.
pub(crate) fn wal_has_frames(path: &Path) -> bool {
    std::fs::metadata(sibling(path, "-wal")).is_ok_and(|m| m.is_file() && m.len() > 0)
}

/// Removes the empty `-wal` and `-shm` files SQLite made for a read-only store, by SQLite's
/// own rule: a connection that may write, closing as the last one on the file, checkpoints the
/// log and deletes it. It opens no file that is not there, writes nothing but that (an empty
/// log copies no page into the file), and deletes nothing while any other connection, reader
/// or writer, has the file open (it then cannot take the file's exclusive lock, and leaves the
/// log). A log that holds commits, which that checkpoint would copy into the file, is left
/// alone. Failures are ignored: the files are then only left behind, as SQLite leaves them.
pub(crate) fn remove_unused_log(path: &Path) {
    if wal_has_frames(path) {
        return;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(conn) = Connection::open_with_flags(path, flags) else {
        return;
    };
    // A read opens the log, so that closing the connection checks it.
    let _ = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    });
    let _ = conn.close();
}

/// `path` for a `file:` URI: every byte but unreserved ones and `/` percent-encoded.
fn uri_path(path: &Path) -> String {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().replace('\\', "/").into_bytes();
    let mut out = String::with_capacity(bytes.len());
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_paths_escape_what_a_uri_would_read() {
        assert_eq!(
            uri_path(Path::new("/tmp/a b?#%.db")),
            "/tmp/a%20b%3F%23%25.db"
        );
        assert_eq!(uri_path(Path::new("rel/x-y_z~1.db")), "rel/x-y_z~1.db");
    }
}
