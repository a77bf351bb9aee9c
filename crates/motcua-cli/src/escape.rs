//! Outside text made safe to show: control characters escaped before they reach a terminal,
//! CSV cells neutralised against formula injection.
//!
//! Names, ids and free text come from events, catalogues, calendar files and stores the
//! operator does not control. On a terminal, an escape sequence in a unit name could move the
//! cursor, rewrite earlier lines or retitle the window; in a spreadsheet, a procedure name
//! beginning with `=` could run as a formula. Every text output goes through this module.

use std::borrow::Cow;
use std::io::{self, Write};

/// `text` with every control character (C0, DEL and C1: `char::is_control`) written as a Rust
/// escape, `\u{1b}` for ESC, `\u{7}` for BEL, `\u{d}` for CR, `\u{a}` for a line feed. Other
/// text, backslashes included, is unchanged.
pub fn controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Characters that make a spreadsheet read a cell as a formula when they begin it (OWASP,
/// "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break. A cell
/// beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single
/// quote and quoted (`'=1+2` inside quotes), as OWASP recommends, so that a spreadsheet shows
/// it as text instead of running it.
pub fn csv_cell(text: &str) -> String {
    let formula = text.starts_with(FORMULA_STARTS);
    if formula || text.contains([',', '"', '\n', '\r']) {
        let quote = if formula { "'" } else { "" };
        format!("\"{quote}{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

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

    #[test]
    fn control_characters_are_escaped_and_other_text_is_kept() {
        assert_eq!(controls("UBND xã A"), "UBND xã A");
        assert_eq!(
            controls("A\u{1b}[2J\u{7}\r\n\u{9b}31m\u{7f}\\"),
            "A\\u{1b}[2J\\u{7}\\u{d}\\u{a}\\u{9b}31m\\u{7f}\\"
        );
    }

    #[test]
    fn formula_cells_get_a_quote_inside_quotes() {
        assert_eq!(csv_cell("Sở Tư pháp"), "Sở Tư pháp");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=1+2"), "\"'=1+2\"");
        assert_eq!(csv_cell("+1"), "\"'+1\"");
        assert_eq!(csv_cell("-1"), "\"'-1\"");
        assert_eq!(csv_cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_cell("\tx"), "\"'\tx\"");
        assert_eq!(csv_cell("\rx"), "\"'\rx\"");
        assert_eq!(
            csv_cell("=HYPERLINK(\"x\",\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""
        );
        assert_eq!(csv_cell("a-b=c"), "a-b=c");
        assert_eq!(csv_cell(""), "");
    }

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
    }
}
