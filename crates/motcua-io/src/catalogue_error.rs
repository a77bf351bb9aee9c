//! Errors from reading a catalogue file.

use motcua_core::CatalogueError;

/// A catalogue file that could not be read: names the line, column, procedure or unit, and what
/// was expected.
///
/// ```
/// let text = r#"{"format":"motcua-catalogue","version":1,"units":[],"procedures":[
///   {"code":"1.001193","name":"Đăng ký khai sinh","field":"Hộ tịch","level":"commune",
///    "time_limit":{"working_days":-5}}]}"#;
/// let err = motcua_io::read_catalogue(text).unwrap_err();
/// let message = err.to_string();
/// assert!(message.starts_with("line 3, column "), "{message}");
/// assert!(message.contains("procedure 1.001193"), "{message}");
/// assert!(message.contains("{\"working_days\": N}"), "{message}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueFileError {
    /// The file is empty, or holds only white space.
    #[error("the catalogue file is empty; expected a JSON object {{\"format\": \"motcua-catalogue\", \"version\": 1, \"units\": […], \"procedures\": […]}}")]
    Empty,
    /// Not valid JSON.
    #[error("line {line}, column {column}: malformed JSON: {message}")]
    Malformed {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The `format` field is missing or not `motcua-catalogue`.
    #[error("not a motcua catalogue: `format` is {found}; expected \"motcua-catalogue\"")]
    NotACatalogue {
        /// What was found, as JSON (or `missing`).
        found: String,
    },
    /// The `version` field is missing or not supported.
    #[error("unsupported catalogue version: `version` is {found}; supported versions: 1")]
    UnsupportedVersion {
        /// What was found, as JSON (or `missing`).
        found: String,
    },
    /// A unit, procedure or the file itself does not match the schema.
    #[error("line {line}, column {column}: {location}: {message}{}", hint.map(|h| format!("; expected {h}")).unwrap_or_default())]
    Invalid {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Which entry: `procedure 1.001193 (procedures[2])`, `unit XA01 (units[0])` or
        /// `the catalogue`.
        location: String,
        /// The deserializer's message.
        message: String,
        /// What a valid value looks like, when known.
        hint: Option<&'static str>,
    },
    /// The entries parse but do not make a consistent catalogue (duplicate codes, unknown
    /// units, a zero time limit, step shares above 100 %…).
    #[error("{0}")]
    Catalogue(#[from] CatalogueError),
}
