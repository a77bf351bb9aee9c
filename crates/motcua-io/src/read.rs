//! Streaming reader of JSON Lines event files.

use crate::diagnose::{
    diagnose_text, diagnose_value, syntax_failure, unsupported, version_of, Failure,
};
use crate::read_error::{ReadError, ReadErrorKind};
use crate::seen_ids::SeenIds;
use crate::version::{self, CURRENT_PREFIX, V1_PREFIX};
use motcua_core::Event;
use serde_json::Value;
use std::io::BufRead;

/// The longest event line [`read_events`] accepts, in bytes, not counting the line's end: 1 MiB.
///
/// An event line is usually under 1 KiB; the limit is a thousand times that, so only a file
/// that is not JSON Lines (a pretty-printed dump, a binary file, a missing newline) reaches it.
/// A longer line gives [`ReadErrorKind::LineTooLong`] naming the line; it is read through to its
/// end without being held, so memory stays bounded, and reading goes on at the next line (up
/// to [`MEASURED_LINE_BYTES`]).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The farthest a line longer than [`MAX_LINE_BYTES`] is read to measure it: 1 GiB. A line
/// that goes on beyond it (an endless input such as `/dev/zero`, a device, a runaway pipe) is
/// refused as longer than this, and reading stops there instead of going on for ever.
pub const MEASURED_LINE_BYTES: u64 = 1 << 30;

/// Reads events from JSON Lines, one event per line, skipping blank lines.
///
/// Streaming: one line is held at a time, of at most [`MAX_LINE_BYTES`] bytes. Each item is an event or a [`ReadError`] naming the
/// 1-based line and what was wrong; a bad line does not stop the iterator, a failing reader
/// does (after reporting the error once).
///
/// ```
/// let text = r#"{"v":1,"event_id":"00000000-0000-0000-0000-000000000001","dossier_id":"H26-0001","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"in_person"}
///
/// {"v":1,"dossier_id":"H26-0001","sequence":2,"occurred_at":"2024-03-04T10:00:00","type":"rated","satisfied":true}
/// "#;
/// let items: Vec<_> = motcua_io::read_events(text.as_bytes()).collect();
/// assert_eq!(items.len(), 2);
/// assert_eq!(items[0].as_ref().map(|e| e.sequence).ok(), Some(1));
/// let err = items[1].as_ref().err().ok_or("expected an error")?;
/// assert_eq!(err.line, 3);
/// assert!(err.to_string().contains("has no UTC offset"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_events<R: BufRead>(reader: R) -> EventReader<R> {
    EventReader {
        reader,
        buf: Vec::new(),
        line: 0,
        failed: false,
        seen: SeenIds::default(),
    }
}

/// [`read_events`] over a part of a file that starts at line `first_line` (1-based): lines
/// are numbered from there, so errors name the file's line. Lets a caller split a file into
/// blocks of whole lines and read them on several threads.
///
/// ```
/// let block = "\n{\"v\":1}\n";
/// let err = motcua_io::read_events_from_line(block.as_bytes(), 41).next();
/// assert_eq!(err.and_then(|e| e.err()).map(|e| e.line), Some(42));
/// ```
pub fn read_events_from_line<R: BufRead>(reader: R, first_line: u64) -> EventReader<R> {
    EventReader {
        reader,
        buf: Vec::new(),
        line: first_line.saturating_sub(1),
        failed: false,
        seen: SeenIds::default(),
    }
}

/// The iterator returned by [`read_events`].
#[derive(Debug)]
pub struct EventReader<R> {
    reader: R,
    buf: Vec<u8>,
    line: u64,
    failed: bool,
    /// The procedures, units and officers read so far, shared by the events that name them.
    seen: SeenIds,
}

impl<R: BufRead> EventReader<R> {
    /// The number of lines read so far, blank ones included.
    ///
    /// ```
    /// let mut reader = motcua_io::read_events("\n\n".as_bytes());
    /// assert!(reader.next().is_none());
    /// assert_eq!(reader.lines_read(), 2);
    /// ```
    pub fn lines_read(&self) -> u64 {
        self.line
    }

    /// The underlying reader, as far as it has been read (it may hold bytes of lines not yet
    /// given out).
    ///
    /// ```
    /// let reader = motcua_io::read_events("\n".as_bytes());
    /// assert_eq!(reader.get_ref().len(), 1);
    /// ```
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// Like [`Iterator::next`], with the event's 1-based line number.
    ///
    /// ```
    /// let text = "\n{\"v\":1,\"event_id\":\"00000000-0000-0000-0000-000000000001\",\"dossier_id\":\"D\",\"sequence\":1,\"occurred_at\":\"2024-03-04T09:00:00+07:00\",\"recorded_at\":\"2024-03-04T09:00:00+07:00\",\"type\":\"rated\",\"satisfied\":true}\n";
    /// let mut reader = motcua_io::read_events(text.as_bytes());
    /// let (line, event) = reader.next_numbered().ok_or("no event")??;
    /// assert_eq!((line, event.sequence), (2, 1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_numbered(&mut self) -> Option<Result<(u64, Event), ReadError>> {
        if self.failed {
            return None;
        }
        loop {
            match self.read_line() {
                Ok(Line::End) => return None,
                Ok(Line::Read) => self.line = self.line.saturating_add(1),
                Ok(Line::TooLong { length }) => {
                    self.line = self.line.saturating_add(1);
                    // A line measured to the end of what is measured may never end.
                    self.failed = length >= MEASURED_LINE_BYTES;
                    return Some(Err(ReadError::line_too_long(self.line, length)));
                }
                Err(e) => {
                    self.failed = true;
                    self.line = self.line.saturating_add(1);
                    return Some(Err(ReadError::io(self.line, e)));
                }
            }
            let text = match std::str::from_utf8(&self.buf) {
                Ok(text) => text,
                Err(e) => {
                    let kind = ReadErrorKind::NotUtf8 {
                        column: e.valid_up_to() + 1,
                    };
                    return Some(Err(ReadError::new(self.line, kind)));
                }
            };
            let text = if self.line == 1 {
                text.trim_start_matches('\u{feff}')
            } else {
                text
            };
            let trimmed = text.trim();
            if trimmed.is_empty() {
                continue;
            }
            let indent = text.len() - text.trim_start().len();
            return Some(match decode_line(trimmed, &mut self.seen) {
                Ok(event) => Ok((self.line, event)),
                Err(failure) => Err(failure.at(self.line).shifted(indent)),
            });
        }
    }
}

/// What [`EventReader::read_line`] found.
enum Line {
    /// The end of the input: no byte left.
    End,
    /// A line, now in `buf` (with its `\n`, if it had one).
    Read,
    /// A line longer than [`MAX_LINE_BYTES`], skipped up to and including its end of line;
    /// `buf` is empty.
    TooLong {
        /// The line's length in bytes, without its end of line (`\n` or `\r\n`).
        length: u64,
    },
}

impl<R: BufRead> EventReader<R> {
    /// Reads the next line into `buf`, holding at most [`MAX_LINE_BYTES`] bytes of it and its
    /// end of line: a longer line is read through to its end and dropped, so memory stays
    /// bounded whatever the input.
    fn read_line(&mut self) -> std::io::Result<Line> {
        // The most `buf` holds: the longest line and a "\r\n".
        const HELD: usize = MAX_LINE_BYTES + 2;
        self.buf.clear();
        // Bytes of the line seen so far, end of line included; u64 counts far past any file.
        let mut seen: u64 = 0;
        let mut too_long = false;
        // The end of line's length once found: 1 for "\n", 2 for "\r\n".
        let mut end_of_line = 0u64;
        let mut last = None;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            let newline = available.iter().position(|b| *b == b'\n');
            let take = newline.map_or(available.len(), |i| i + 1);
            if let Some(i) = newline {
                let before = if i == 0 {
                    last
                } else {
                    available.get(i - 1).copied()
                };
                end_of_line = if before == Some(b'\r') { 2 } else { 1 };
            }
            last = available.get(take.wrapping_sub(1)).copied();
            if !too_long {
                // buf.len() <= HELD and take <= available.len(): the sum cannot overflow.
                if self.buf.len() + take > HELD {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&available[..take]);
                }
            }
            seen = seen.saturating_add(take as u64);
            self.reader.consume(take);
            if newline.is_some() {
                break;
            }
            if seen >= MEASURED_LINE_BYTES {
                // Measured far enough: no end of line is looked for any further.
                return Ok(Line::TooLong {
                    length: MEASURED_LINE_BYTES,
                });
            }
        }
        if seen == 0 {
            return Ok(Line::End);
        }
        // `seen` counts the end of line, so the subtraction cannot underflow.
        let length = seen.saturating_sub(end_of_line);
        if too_long || length > MAX_LINE_BYTES as u64 {
            self.buf.clear();
            return Ok(Line::TooLong { length });
        }
        Ok(Line::Read)
    }
}

impl<R: BufRead> Iterator for EventReader<R> {
    type Item = Result<Event, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_numbered()
            .map(|item| item.map(|(_, event)| event))
    }
}

impl ReadError {
    /// Moves a column past leading whitespace that was trimmed before parsing.
    fn shifted(mut self, indent: usize) -> Self {
        if let ReadErrorKind::Malformed { column, .. } = &mut self.kind {
            *column += indent;
        }
        self
    }
}

/// Decodes one trimmed, non-blank line.
///
/// Lines as motcua writes them (starting `{"v":2,`, or `{"v":1,` for older ones) take the fast
/// path; other lines in the current version are parsed once, straight into [`Event`]; the
/// rest go through [`Value`] to dispatch on their version. Diagnosis runs only on failure.
pub(crate) fn decode_line(text: &str, seen: &mut SeenIds) -> Result<Event, Failure> {
    let current = text.starts_with(CURRENT_PREFIX);
    if current || text.starts_with(V1_PREFIX) {
        if let Some(event) = crate::fast::decode(text, seen) {
            return Ok(event);
        }
    }
    if current {
        return serde_json::from_str::<Event>(text).map_err(|e| diagnose_text(text, &e));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| syntax_failure(&e))?;
    let version = version_of(&value)?;
    match version::decode(version, &value) {
        Some(Ok(event)) => Ok(event),
        Some(Err(e)) => Err(diagnose_value(&value, &e)),
        None => Err(unsupported(&value, version)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"v":2,"event_id":"00000000-0000-0000-0000-000000000001","dossier_id":"D","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"supplement_supplied"}"#;

    #[test]
    fn fast_and_slow_paths_agree() {
        let fast = decode_line(GOOD, &mut SeenIds::default()).ok();
        let reordered = GOOD
            .replacen("{\"v\":2,", "{", 1)
            .replacen('}', ",\"v\":2}", 1);
        assert!(!reordered.starts_with(CURRENT_PREFIX));
        let slow = decode_line(&reordered, &mut SeenIds::default()).ok();
        assert!(fast.is_some());
        assert_eq!(fast, slow);
    }

    #[test]
    fn blank_lines_and_bom_are_skipped() {
        let text = format!("\u{feff}{GOOD}\r\n   \n\n{GOOD}\n");
        let events: Vec<_> = read_events(text.as_bytes()).collect();
        assert_eq!(events.len(), 2);
        assert!(events.iter().all(Result::is_ok));
    }

    #[test]
    fn malformed_columns_count_the_indent() {
        let mut reader = read_events("  {\"v\":1,\n".as_bytes());
        let err = reader.next().and_then(Result::err);
        match err.map(|e| e.kind) {
            Some(ReadErrorKind::Malformed { column, .. }) => assert!(column > 2),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn invalid_utf8_is_reported_and_reading_goes_on() {
        let mut bytes = b"{\"v\":1,\xff}\n".to_vec();
        bytes.extend_from_slice(GOOD.as_bytes());
        let items: Vec<_> = read_events(bytes.as_slice()).collect();
        assert!(matches!(
            &items[0],
            Err(ReadError {
                line: 1,
                kind: ReadErrorKind::NotUtf8 { column: 8 },
                ..
            })
        ));
        assert!(items[1].is_ok());
    }

    struct Broken;
    impl std::io::Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }

    #[test]
    fn a_failing_reader_is_reported_once() {
        let mut reader = read_events(std::io::BufReader::new(Broken));
        assert!(matches!(
            reader.next(),
            Some(Err(ReadError {
                kind: ReadErrorKind::Io(_),
                ..
            }))
        ));
        assert!(reader.next().is_none());
    }
}
