//! Outside text made safe to show: control characters escaped before they reach a terminal,
//! CSV cells neutralised against formula injection, HTML text escaped.
//!
//! Names, ids and free text come from events, catalogues, calendar files and stores the
//! operator does not control. On a terminal, an escape sequence in a unit name could move the
//! cursor, rewrite earlier lines or retitle the window; in a spreadsheet, a procedure name
//! beginning with `=` could run as a formula; in a page, a `<script>` in a reason could run.
//! Every text output goes through this module.

use std::borrow::Cow;

/// `text` with every control character (C0, DEL and C1: `char::is_control`), every
/// bidirectional control and the line and paragraph separators written as a Rust escape,
/// `\u{1b}` for ESC, `\u{7}` for BEL, `\u{d}` for CR, `\u{a}` for a line feed, `\u{202e}` for
/// a right-to-left override. Other text, backslashes included, is unchanged.
///
/// ```
/// use motcua_render::escape::controls;
/// assert_eq!(controls("UBND xã A"), "UBND xã A");
/// assert_eq!(controls("A\u{1b}[2J"), "A\\u{1b}[2J");
/// // Characters that reorder or break a line on the screen, too.
/// assert_eq!(controls("H-1\u{202e}2-H"), "H-1\\u{202e}2-H");
/// ```
pub fn controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_escaped(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `c` is escaped by [`controls`]: a control character, a bidirectional control
/// (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) or a line or paragraph separator
/// (U+2028, U+2029), which would reorder a name on the screen or break it onto a line of its
/// own.
///
/// ```
/// use motcua_render::escape::is_escaped;
/// assert!(is_escaped('\u{1b}') && is_escaped('\u{202e}') && is_escaped('\u{2028}'));
/// assert!(!is_escaped('ế') && !is_escaped('\u{2026}'));
/// ```
pub fn is_escaped(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Characters that make a spreadsheet read a cell as a formula when they begin it (OWASP,
/// "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break. A cell
/// beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single
/// quote and quoted (`'=1+2` inside quotes), as OWASP recommends, so that a spreadsheet shows
/// it as text instead of running it.
///
/// ```
/// use motcua_render::escape::csv_cell;
/// assert_eq!(csv_cell("Sở Tư pháp"), "Sở Tư pháp");
/// assert_eq!(csv_cell("a,b"), "\"a,b\"");
/// assert_eq!(csv_cell("=1+2"), "\"'=1+2\"");
/// ```
pub fn csv_cell(text: &str) -> String {
    let formula = text.starts_with(FORMULA_STARTS);
    if formula || text.contains([',', '"', '\n', '\r']) {
        let quote = if formula { "'" } else { "" };
        format!("\"{quote}{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Escapes text for HTML content and attribute values; the characters [`controls`] escapes
/// (control characters, which HTML does not allow; bidirectional controls, which would show a
/// dossier id or a name reordered on a printed form; line and paragraph separators) are shown
/// as it shows them, by the one rule [`is_escaped`].
///
/// ```
/// use motcua_render::escape::html;
/// assert_eq!(html("<b>\"Sở\" & 'xã'</b>"), "&lt;b&gt;&quot;Sở&quot; &amp; &#39;xã&#39;&lt;/b&gt;");
/// assert_eq!(html("H-1\u{202e}2-H"), "H-1\\u{202e}2-H");
/// ```
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if is_escaped(c) => out.extend(c.escape_unicode()),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
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

    #[test]
    fn html_text_is_escaped() {
        assert_eq!(
            html("<b>\"Sở\" & 'xã'</b>"),
            "&lt;b&gt;&quot;Sở&quot; &amp; &#39;xã&#39;&lt;/b&gt;"
        );
        assert_eq!(html("a\u{1b}]0;x\u{7}\u{9b}"), "a\\u{1b}]0;x\\u{7}\\u{9b}");
    }
}
