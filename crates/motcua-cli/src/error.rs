//! The tool's errors and their exit codes.

use std::path::PathBuf;

/// Exit code for a usage error (bad arguments).
pub const EXIT_USAGE: i32 = 2;
/// Exit code for bad input data (events, catalogue, calendar files).
pub const EXIT_BAD_INPUT: i32 = 3;
/// Exit code for a conflict with a store: events it already holds, or a concurrent append.
pub const EXIT_CONFLICT: i32 = 4;
/// Exit code for a failure to read or write a file.
pub const EXIT_IO: i32 = 5;

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
    /// A `motcua calendar` command failed.
    #[error(transparent)]
    Calendar(#[from] crate::calendar_cmd::CalendarCmdError),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Io { .. } | CliError::Output(_) => EXIT_IO,
            CliError::BadInput { .. } | CliError::Data(_) => EXIT_BAD_INPUT,
            CliError::Conflict { .. } => EXIT_CONFLICT,
            CliError::Calendar(e) => e.exit_code(),
        }
    }
}
