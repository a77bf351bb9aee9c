//! Text written to a terminal made safe: [`Terminal`] escapes every control character, and
//! every character that reorders or breaks lines (bidirectional controls, U+2028, U+2029), on
//! the way out. Escaping single texts (terminal, CSV, HTML) is `motcua_render::escape`'s job,
//! re-exported here.
//!
//! Names, ids and free text come from events, catalogues, calendar files and stores the
//! operator does not control. On a terminal, an escape sequence in a unit name could move the
//! cursor, rewrite earlier lines or retitle the window. Every text output goes through
//! [`Terminal`] or `motcua_render::escape`.

pub use motcua_render::escape::{controls, is_escaped};
use std::io::{self, Write};

/// A writer for text meant for a person (tables, explanations, lists): every character
/// [`controls`] escapes ([`is_escaped`]: control characters, bidirectional controls, line and
/// paragraph separators) is escaped the same way, except line feed and tab. Nothing written
/// through it can drive the terminal, or make a name read backwards or spill onto a line of its
/// own. Bytes are inspected one by one: a character that may be one to escape is held back
/// until its last byte arrives (it may come in a later write), then looked at whole.
pub struct Terminal<'a> {
    inner: &'a mut dyn Write,
    /// The first bytes of a character held back (its lead byte is one of [`LEADS`]);
    /// `held_len` of them.
    held: [u8; 3],
    held_len: usize,
}

/// The lead bytes in UTF-8 of every character above U+007F that [`is_escaped`] admits: `C2`
/// (C1 controls, U+0080–U+009F), `D8` (U+061C), `E2` (U+200E–U+2069). Characters starting
/// otherwise go out unheld (checked by the test `the_terminal_escapes_what_controls_escapes`).
const LEADS: [u8; 3] = [0xc2, 0xd8, 0xe2];

impl<'a> Terminal<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a mut dyn Write) -> Terminal<'a> {
        Terminal {
            inner,
            held: [0; 3],
            held_len: 0,
        }
    }

    /// `b`, the next byte, added to `out`: written, escaped, or held back with the first
    /// bytes of its character.
    fn push(&mut self, b: u8, out: &mut Vec<u8>) {
        if self.held_len == 0 {
            match b {
                b'\n' | b'\t' => out.push(b),
                _ if b.is_ascii() && is_escaped(char::from(b)) => {
                    out.extend(char::from(b).escape_unicode().to_string().bytes());
                }
                _ if LEADS.contains(&b) => {
                    self.held[0] = b;
                    self.held_len = 1;
                }
                _ => out.push(b),
            }
            return;
        }
        if b & 0xc0 != 0x80 {
            // Not a continuation: the bytes held go out as they are, and `b` is looked at
            // afresh.
            out.extend_from_slice(&self.held[..self.held_len]);
            self.held_len = 0;
            self.push(b, out);
            return;
        }
        self.held[self.held_len] = b;
        self.held_len += 1;
        let length = if self.held[0] >= 0xe0 { 3 } else { 2 };
        if self.held_len < length {
            return;
        }
        let bytes = &self.held[..length];
        match std::str::from_utf8(bytes)
            .ok()
            .and_then(|s| s.chars().next())
        {
            Some(c) if is_escaped(c) => out.extend(c.escape_unicode().to_string().bytes()),
            _ => out.extend_from_slice(bytes),
        }
        self.held_len = 0;
    }
}

impl Write for Terminal<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Most text holds nothing to escape: written through as it is.
        if self.held_len == 0 && !buf.iter().any(|&b| needs_care(b)) {
            self.inner.write_all(buf)?;
            return Ok(buf.len());
        }
        let mut out = Vec::with_capacity(buf.len() + 1);
        for &b in buf {
            self.push(b, &mut out);
        }
        self.inner.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let held = std::mem::take(&mut self.held_len);
        if held > 0 {
            self.inner.write_all(&self.held[..held])?;
        }
        self.inner.flush()
    }
}

/// Whether `b` is escaped, or may start a character that is: what the byte-by-byte path
/// looks at.
fn needs_care(b: u8) -> bool {
    match b {
        b'\n' | b'\t' => false,
        _ if b.is_ascii() => is_escaped(char::from(b)),
        _ => LEADS.contains(&b),
    }
}

impl Drop for Terminal<'_> {
    fn drop(&mut self) {
        if self.held_len > 0 {
            let _ = self.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through_terminal(chunks: &[&[u8]]) -> String {
        let mut out = Vec::new();
        {
            let mut t = Terminal::new(&mut out);
            for chunk in chunks {
                t.write_all(chunk).unwrap_or_else(|e| panic!("{e}"));
            }
            t.flush().unwrap_or_else(|e| panic!("{e}"));
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn the_terminal_writer_keeps_lines_and_tabs_and_escapes_the_rest() {
        assert_eq!(
            through_terminal(&["a\tb\n\u{1b}]0;x\u{7}\rÂ\u{85}é\n".as_bytes()]),
            "a\tb\n\\u{1b}]0;x\\u{7}\\u{d}Â\\u{85}é\n"
        );
        // A C1 character split across two writes.
        let csi = "\u{9b}".as_bytes();
        assert_eq!(through_terminal(&[b"x", &csi[..1], &csi[1..]]), "x\\u{9b}");
        // A held C2 followed by text that needs nothing: kept, in order.
        assert_eq!(
            through_terminal(&[b"x", &"©".as_bytes()[..1], &"©".as_bytes()[1..], b"abc"]),
            "x©abc"
        );
        assert_eq!(
            through_terminal(&[b"Vi\xe1\xbb\x87t", b" Nam\n"]),
            "Việt Nam\n"
        );
        // However the text is cut into writes, the same bytes come out.
        let text = "Hồ sơ\t© \u{1b}[2J\u{9b}31m\r\n\u{85}Đà Nẵng\u{7f}".as_bytes();
        let whole = through_terminal(&[text]);
        for cut in 1..text.len() {
            let (a, b) = text.split_at(cut);
            assert_eq!(through_terminal(&[a, b]), whole, "cut at {cut}");
        }
        let bytes: Vec<&[u8]> = text.chunks(1).collect();
        assert_eq!(through_terminal(&bytes), whole);
    }

    #[test]
    fn the_terminal_writer_escapes_bidirectional_controls_and_separators() {
        let text =
            "a\u{202e}b\u{2066}c\u{2069}d\u{200e}\u{200f}e\u{61c}f\u{2028}g\u{2029}h\u{202a}";
        let escaped = "a\\u{202e}b\\u{2066}c\\u{2069}d\\u{200e}\\u{200f}e\\u{61c}f\\u{2028}g\\u{2029}h\\u{202a}";
        assert_eq!(through_terminal(&[text.as_bytes()]), escaped);
        // However the text is cut into writes, the same bytes come out.
        let bytes = text.as_bytes();
        for cut in 1..bytes.len() {
            let (a, b) = bytes.split_at(cut);
            assert_eq!(through_terminal(&[a, b]), escaped, "cut at {cut}");
        }
        let one_by_one: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(through_terminal(&one_by_one), escaped);
        // Characters that begin with the same bytes are text, kept: a dash, an ellipsis,
        // U+2027, a narrow no-break space, U+2065, U+206A, a superscript zero, Arabic letters.
        let kept = "–…\u{2027}\u{202f}\u{2065}\u{206a}⁰ب؛© Việt";
        assert_eq!(through_terminal(&[kept.as_bytes()]), kept);
        let one_by_one: Vec<&[u8]> = kept.as_bytes().chunks(1).collect();
        assert_eq!(through_terminal(&one_by_one), kept);
        // The start of a character held back at the end goes out with the flush.
        let mut out = Vec::new();
        {
            let mut t = Terminal::new(&mut out);
            t.write_all(b"x\xe2\x80").unwrap_or_else(|e| panic!("{e}"));
            t.flush().unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(out, b"x\xe2\x80");
    }

    /// The terminal writer and `controls` escape the same characters, every one of them (line
    /// feed and tab excepted: the writer keeps lines), written whole and byte by byte.
    #[test]
    fn the_terminal_escapes_what_controls_escapes() {
        let mut text = String::new();
        for c in (0..=0x10ffff_u32).filter_map(char::from_u32) {
            if c != '\n' && c != '\t' {
                text.push(c);
                text.push(' ');
            }
        }
        let expected = controls(&text).into_owned();
        assert_eq!(through_terminal(&[text.as_bytes()]), expected);
        let in_sevens: Vec<&[u8]> = text.as_bytes().chunks(7).collect();
        assert_eq!(through_terminal(&in_sevens), expected);
    }
}
