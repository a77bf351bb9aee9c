//! The tool's errors and their exit codes.

use motcua_io::{ReadError, ReadErrorKind};
use motcua_store::{ImportError, StoreError};
use std::path::{Path, PathBuf};

/// Exit code for a usage error (bad arguments).
pub const EXIT_USAGE: i32 = 2;
/// Exit code for bad input data (events, catalogue, calendar files).
pub const EXIT_BAD_INPUT: i32 = 3;
/// Exit code for a conflict with a store: events it already holds, or a concurrent append.
pub const EXIT_CONFLICT: i32 = 4;
/// Exit code for a failure to read or write a file, the output or a database (a directory
/// given as a file, a full disk, a read-only or locked store, an unreachable server).
pub const EXIT_IO: i32 = 5;

/// Exit code for a report that was written but is partial: some dossiers could not be judged
/// (they are listed in the report with their reasons; the figures count the others).
pub const EXIT_PARTIAL: i32 = 6;

/// Exit code for a store found damaged or changed: a dossier's chain of hashes broken, events
/// missing or out of place, stored events that break the rules (`motcua verify`, and reads
/// that meet such a dossier).
pub const EXIT_DAMAGED: i32 = 7;

/// Everything that can stop the tool, each with the one line it prints.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Arguments that do not fit together.
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A store could not be read or written: a full disk, a read-only or locked file, a
    /// database that cannot be reached or refused the login.
    #[error("{location}: {message}")]
    Storage {
        /// The store's file, or its URL without the password.
        location: String,
        /// What failed, with its cause.
        message: String,
    },
    /// Standard output could not be written.
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
    /// A file's content is wrong.
    #[error("{}: {message}", path.display())]
    BadInput {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where in the file.
        message: String,
    },
    /// The store refused the events: it already holds them, or another writer appended
    /// first. Nothing was stored.
    #[error("{}: {message}", path.display())]
    Conflict {
        /// The store.
        path: PathBuf,
        /// What conflicts, and where in the input.
        message: String,
    },
    /// Data is consistent by itself but something cannot be computed from it.
    #[error("{0}")]
    Data(String),
    /// The report was written, but some dossiers could not be judged.
    #[error("the report is partial: {unjudged} dossier(s) could not be judged and are counted nowhere; they are listed in the report with the reason (first: {first})")]
    Partial {
        /// How many dossiers were not judged.
        unjudged: usize,
        /// The first of them, with its reason.
        first: String,
    },
    /// The store was changed or damaged (`motcua verify` names every place).
    #[error("{location}: the store is damaged: {message}")]
    Damaged {
        /// The store's file, or its URL without the password.
        location: String,
        /// What is wrong, and where.
        message: String,
    },
    /// A `motcua calendar` command failed.
    #[error(transparent)]
    Calendar(#[from] crate::calendar_cmd::CalendarCmdError),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Io { .. } | CliError::Storage { .. } | CliError::Output(_) => EXIT_IO,
            CliError::BadInput { .. } | CliError::Data(_) => EXIT_BAD_INPUT,
            CliError::Conflict { .. } => EXIT_CONFLICT,
            CliError::Partial { .. } => EXIT_PARTIAL,
            CliError::Damaged { .. } => EXIT_DAMAGED,
            CliError::Calendar(e) => e.exit_code(),
        }
    }
}

impl CliError {
    /// The error for a store at `location` that failed: [`CliError::Storage`] when its
    /// storage could not be read or written (exit 5), else [`CliError::Data`] (exit 3).
    /// `message` says what failed; the store's error follows it.
    pub fn store(location: &str, message: &str, error: &StoreError) -> CliError {
        match error {
            StoreError::Storage(_) => CliError::Storage {
                location: location.to_owned(),
                message: format!("{message}: {error}"),
            },
            StoreError::Damaged { .. } | StoreError::Unreadable { .. } => CliError::Damaged {
                location: location.to_owned(),
                message: error.to_string(),
            },
            _ => CliError::Data(format!("{location}: {message}: {error}")),
        }
    }

    /// The error for an events file at `path` that could not be read or checked: the file
    /// could not be read ([`CliError::Io`], exit 5), or its content is wrong
    /// ([`CliError::BadInput`], exit 3, with `suffix` after the message). A store's failure
    /// while importing goes to `store`.
    pub fn events(
        path: &Path,
        error: ImportError,
        suffix: &str,
        store: impl FnOnce(StoreError) -> CliError,
    ) -> CliError {
        match error {
            ImportError::Read(ReadError {
                kind: ReadErrorKind::Io(source),
                ..
            }) => CliError::Io {
                path: path.to_owned(),
                source,
            },
            ImportError::Store(e) => store(e),
            other => CliError::BadInput {
                path: path.to_owned(),
                message: format!("{other}{suffix}"),
            },
        }
    }
}
