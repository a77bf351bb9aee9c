//! Reading a whole text file (catalogue, targets, calendar additions, a follow checkpoint): a
//! file that cannot be read is an I/O failure, a file that is not UTF-8 or larger than any such
//! file is bad input naming why.

use std::io::Read;
use std::path::Path;

/// The largest text file read whole: 128 MiB, several times a national catalogue of every
/// procedure. A larger one (a device such as `/dev/zero`, a log given by mistake) is refused
/// once this much was read, instead of filling the memory.
pub const MAX_TEXT_FILE_BYTES: u64 = 128 * 1024 * 1024;

/// Why a text file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TextFileError {
    /// The file could not be read (missing, a directory, no permission).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The file holds more than [`MAX_TEXT_FILE_BYTES`] (or never ends).
    #[error("larger than {} MiB, more than any catalogue, calendar, targets or checkpoint file; nothing past that was read", MAX_TEXT_FILE_BYTES / (1024 * 1024))]
    TooLarge,
    /// The file's bytes are not UTF-8.
    #[error("not valid UTF-8 at line {line}, byte {column} of the line (byte {offset} of the file); expected UTF-8 text")]
    NotUtf8 {
        /// The 1-based line of the first invalid byte.
        line: usize,
        /// The 1-based byte of that line.
        column: usize,
        /// The 0-based byte offset in the file.
        offset: usize,
    },
}

/// The file at `path` as text, read to [`MAX_TEXT_FILE_BYTES`] at most.
pub fn read(path: &Path) -> Result<String, TextFileError> {
    let file = std::fs::File::open(path)?;
    // A file that says its size (not a device or a pipe) is refused before it is read, and
    // read into a buffer of that size.
    let size = file.metadata().map_or(0, |m| m.len());
    if size > MAX_TEXT_FILE_BYTES {
        return Err(TextFileError::TooLarge);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    file.take(MAX_TEXT_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_TEXT_FILE_BYTES {
        return Err(TextFileError::TooLarge);
    }
    String::from_utf8(bytes).map_err(|e| not_utf8(e.as_bytes(), e.utf8_error()))
}

fn not_utf8(bytes: &[u8], error: std::str::Utf8Error) -> TextFileError {
    let offset = error.valid_up_to();
    let before = bytes.get(..offset).unwrap_or_default();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    TextFileError::NotUtf8 {
        line: before.iter().filter(|&&b| b == b'\n').count() + 1,
        column: offset - line_start + 1,
        offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn an_endless_file_is_refused_once_the_limit_is_read() {
        let refused = read(Path::new("/dev/zero"));
        assert!(
            matches!(refused, Err(TextFileError::TooLarge)),
            "{refused:?}"
        );
    }

    #[test]
    fn the_first_invalid_byte_is_located() {
        let bytes = b"{\n  \"name\": \"x\xff\"\n}".to_vec();
        let error = String::from_utf8(bytes).err();
        let located = error.map(|e| not_utf8(e.as_bytes(), e.utf8_error()).to_string());
        assert_eq!(
            located.as_deref(),
            Some("not valid UTF-8 at line 2, byte 13 of the line (byte 14 of the file); expected UTF-8 text")
        );
    }
}
