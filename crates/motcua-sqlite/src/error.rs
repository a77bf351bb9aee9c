//! Errors from opening a SQLite store and from its catalogue.

use motcua_store::StoreError;
use std::path::PathBuf;

/// Why a SQLite store could not be opened, or its catalogue read or written. Opening a file
/// that is not a motcua store, or is from a newer version, changes nothing in it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SqliteError {
    /// The file is not a SQLite database, or a SQLite database of something else.
    #[error("{}: not a motcua store ({reason})", path.display())]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        reason: String,
    },
    /// The store was written by a newer motcua with a schema this one does not know.
    #[error("{}: the store has schema version {found}, but this motcua knows versions up to {supported}; use a newer motcua", path.display())]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// The file's schema version.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The store was written by an older motcua and must be migrated, which a read-only open
    /// does not do: open it for writing once (`motcua import`, [`crate::SqliteStore::open`]).
    #[error("{}: the store has schema version {found}, older than this motcua's {current}; open it for writing once (e.g. `motcua import`) to migrate it", path.display())]
    OlderSchema {
        /// The file.
        path: PathBuf,
        /// The file's schema version.
        found: i64,
        /// The version this build reads.
        current: i64,
    },
    /// The store's write-ahead log holds commits not yet in the file, and neither can be
    /// written (read-only media): reading the file alone would miss them.
    #[error("{}: the store's write-ahead log ({}) holds commits not yet in the file, and the files cannot be written; open the store once where they can be (e.g. copy both files) to fold the log in", path.display(), wal.display())]
    UnreadableLog {
        /// The file.
        path: PathBuf,
        /// The `-wal` file.
        wal: PathBuf,
    },
    /// The file does not exist (when opening an existing store).
    #[error("{}: no such store file", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// SQLite failed.
    #[error("{}: {source}", path.display())]
    Sqlite {
        /// The file (`:memory:` for an in-memory store).
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A catalogue record's body no longer hashes to its recorded SHA-256: it was changed
    /// after it was written, behind motcua's back.
    #[error("{}: the stored catalogue was changed after it was written: {message}", path.display())]
    ChangedCatalogue {
        /// The file.
        path: PathBuf,
        /// Which record, and the hashes.
        message: String,
    },
    /// The stored catalogue cannot be read.
    #[error("{}: the stored catalogue cannot be read: {message}", path.display())]
    BadCatalogue {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl SqliteError {
    /// Whether the file could not be read or written (missing, cannot be opened, read-only,
    /// locked by another process, a full disk, an operating-system I/O error), as opposed to
    /// a file whose content is not a usable store.
    pub fn is_storage_failure(&self) -> bool {
        match self {
            SqliteError::Missing { .. } => true,
            SqliteError::Sqlite { source, .. } => is_storage_failure(source),
            _ => false,
        }
    }
}

/// Whether SQLite's error is about the file's storage rather than its content: it cannot be
/// opened, is read-only, busy or locked, the disk is full, or the operating system failed.
pub(crate) fn is_storage_failure(error: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode as C;
    matches!(
        error.sqlite_error_code(),
        Some(
            C::CannotOpen
                | C::PermissionDenied
                | C::ReadOnly
                | C::DatabaseBusy
                | C::DatabaseLocked
                | C::DiskFull
                | C::SystemIoFailure
                | C::FileLockingProtocolFailed
                | C::NoLargeFileSupport
        )
    )
}

/// The store error for a failure described by `message`: [`StoreError::Storage`] when it is
/// a `storage` failure (the file could not be read or written), else [`StoreError::Backend`].
pub(crate) fn store_error(message: String, storage: bool) -> StoreError {
    if storage {
        StoreError::Storage(message)
    } else {
        StoreError::Backend(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::ffi;

    fn failure(code: std::ffi::c_int) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(ffi::Error::new(code), None)
    }

    #[test]
    fn storage_failures_are_told_from_content_errors() {
        for code in [
            ffi::SQLITE_CANTOPEN,
            ffi::SQLITE_READONLY,
            ffi::SQLITE_BUSY,
            ffi::SQLITE_LOCKED,
            ffi::SQLITE_FULL,
            ffi::SQLITE_IOERR,
            ffi::SQLITE_PERM,
        ] {
            assert!(is_storage_failure(&failure(code)), "{code}");
        }
        for code in [
            ffi::SQLITE_NOTADB,
            ffi::SQLITE_CORRUPT,
            ffi::SQLITE_CONSTRAINT,
        ] {
            assert!(!is_storage_failure(&failure(code)), "{code}");
        }
        let path = PathBuf::from("p.db");
        assert!(SqliteError::Missing { path: path.clone() }.is_storage_failure());
        assert!(!SqliteError::NotAStore {
            path,
            reason: "not a SQLite database".into()
        }
        .is_storage_failure());
    }
}
