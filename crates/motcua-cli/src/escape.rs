//! Text written to a terminal made safe: [`Terminal`] escapes every control character, and
//! every character that reorders or breaks lines (bidirectional controls, U+2028, U+2029), on
//! the way out. Escaping single texts (terminal, CSV, HTML) is `motcua_render::escape`'s job,
//! re-exported here.
//!
//! Names, ids and free text come from events, catalogues, calendar files and stores the
//! operator does not control. On a terminal, an escape sequence in a unit name could move the
//! cursor, rewrite earlier lines or retitle the window. Every text output goes through
//! [`Terminal`] or `motcua_render::escape`.

pub use motcua_render::escape::controls;
use std::io::{self, Write};

/// A writer for text meant for a person (tables, explanations, lists): every control
/// character other than line feed and tab is escaped as [`controls`] does, and so are the
/// characters that reorder or break text on the screen: the bidirectional controls (U+061C,
/// U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators
/// (U+2028, U+2029). Nothing written through it can drive the terminal, or make a name read
/// backwards or spill onto a line of its own. Bytes are inspected one by one (a C1 character
/// is the two bytes `C2 80`–`C2 9F` in UTF-8, U+202E the three `E2 80 AE`, and they may
/// arrive in separate writes).
pub struct Terminal<'a> {
    inner: &'a mut dyn Write,
    /// The first bytes of a character that may be one to escape (`C2`, `D8`, `E2`, `E2 80`,
    /// `E2 81`), held back until the next byte says; `held_len` of them are held.
    held: [u8; 2],
    held_len: usize,
}

impl<'a> Terminal<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a mut dyn Write) -> Terminal<'a> {
        Terminal {
            inner,
            held: [0; 2],
            held_len: 0,
        }
    }

    /// `b`, the next byte, added to `out`: escaped, held back, or written with the bytes held
    /// before it.
    fn push(&mut self, b: u8, out: &mut Vec<u8>) {
        let escaped =
            |out: &mut Vec<u8>, c: u32| out.extend_from_slice(format!("\\u{{{c:x}}}").as_bytes());
        match (&self.held[..self.held_len], b) {
            ([], b'\n' | b'\t') => out.push(b),
            ([], 0x00..=0x1f | 0x7f) => escaped(out, u32::from(b)),
            ([], 0xc2 | 0xd8 | 0xe2) | ([0xe2], 0x80 | 0x81) => {
                self.held[self.held_len] = b;
                self.held_len += 1;
            }
            ([], _) => out.push(b),
            // C1: U+0080–U+009F.
            ([0xc2], 0x80..=0x9f) => {
                self.held_len = 0;
                escaped(out, u32::from(b));
            }
            // U+061C ARABIC LETTER MARK.
            ([0xd8], 0x9c) => {
                self.held_len = 0;
                escaped(out, 0x61c);
            }
            // U+200E, U+200F marks; U+2028, U+2029 separators; U+202A–U+202E embeddings
            // and overrides.
            ([0xe2, 0x80], 0x8e | 0x8f | 0xa8..=0xae) => {
                self.held_len = 0;
                escaped(out, 0x2000 + u32::from(b & 0x3f));
            }
            // U+2066–U+2069 isolates.
            ([0xe2, 0x81], 0xa6..=0xa9) => {
                self.held_len = 0;
                escaped(out, 0x2040 + u32::from(b & 0x3f));
            }
            // Not one to escape: the bytes held go out as they are, and `b` is looked at
            // afresh (it may start a character to hold).
            _ => {
                out.extend_from_slice(&self.held[..self.held_len]);
                self.held_len = 0;
                self.push(b, out);
            }
        }
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

/// Whether `b` is escaped, or may start a character that is (C1, a bidirectional control, a
/// line or paragraph separator): what the byte-by-byte path looks at.
fn needs_care(b: u8) -> bool {
    match b {
        b'\n' | b'\t' => false,
        0x00..=0x1f | 0x7f | 0xc2 | 0xd8 | 0xe2 => true,
        _ => false,
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
}
