//! How a store file is opened: for writing, read-only, or (read-only media) immutable; and the
//! settings every connection gets.

use crate::error::SqliteError;
use crate::schema::classify;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a connection waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

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
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
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
