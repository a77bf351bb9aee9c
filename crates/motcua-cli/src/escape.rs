//! Text written to a terminal made safe: [`Terminal`] escapes every control character on the
//! way out. Escaping single texts (terminal, CSV, HTML) is `motcua_render::escape`'s job,
//! re-exported here.
//!
//! Names, ids and free text come from events, catalogues, calendar files and stores the
//! operator does not control. On a terminal, an escape sequence in a unit name could move the
//! cursor, rewrite earlier lines or retitle the window. Every text output goes through
//! [`Terminal`] or `motcua_render::escape`.

pub use motcua_render::escape::controls;
use std::io::{self, Write};

/// A writer for text meant for a person (tables, explanations, lists): every control
/// character other than line feed and tab is escaped as [`controls`] does, so nothing written
/// through it can drive the terminal. Bytes are inspected one by one (a C1 character is the
/// two bytes `C2 80`–`C2 9F` in UTF-8, which may arrive in two writes).
pub struct Terminal<'a> {
    inner: &'a mut dyn Write,
    /// The last byte written was `0xC2`, held back until the next byte says whether it starts
    /// a C1 control character.
    held: bool,
}

impl<'a> Terminal<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a mut dyn Write) -> Terminal<'a> {
        Terminal { inner, held: false }
    }
}

impl Write for Terminal<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Most text holds nothing to escape: written through as it is.
        if !self.held && !buf.iter().any(|&b| needs_care(b)) {
            self.inner.write_all(buf)?;
            return Ok(buf.len());
        }
        let mut out = Vec::with_capacity(buf.len() + 1);
        for &b in buf {
            if self.held {
                self.held = false;
                if (0x80..=0x9f).contains(&b) {
                    out.extend_from_slice(format!("\\u{{{b:x}}}").as_bytes());
                    continue;
                }
                out.push(0xc2);
            }
            match b {
                0xc2 => self.held = true,
                b'\n' | b'\t' => out.push(b),
                0x00..=0x1f | 0x7f => out.extend_from_slice(format!("\\u{{{b:x}}}").as_bytes()),
                _ => out.push(b),
            }
        }
        self.inner.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.held) {
            self.inner.write_all(&[0xc2])?;
        }
        self.inner.flush()
    }
}

/// Whether `b` is escaped, or may start a C1 character: what the byte-by-byte path looks at.
fn needs_care(b: u8) -> bool {
    match b {
        b'\n' | b'\t' => false,
        0x00..=0x1f | 0x7f | 0xc2 => true,
        _ => false,
    }
}

impl Drop for Terminal<'_> {
    fn drop(&mut self) {
        if self.held {
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
}
