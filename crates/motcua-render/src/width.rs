//! How wide a text is on a terminal, in columns, for the text tables: a letter and the accents
//! that follow it in decomposed form (NFD: `e` + U+0302 + U+0301 for `ế`) take one column, and
//! a text cut to fit is cut between letters, never between a letter and its accents.
//!
//! Vietnamese names usually arrive composed (NFC: `ế` is one character), but a system that
//! stores them decomposed would otherwise make every column of a table ragged, and a name cut
//! to fit could end on a bare letter whose accents were dropped (`ti…` for `tỉ…`).

/// Whether `c` is a combining mark that takes no column of its own: the combining diacritical
/// marks (U+0300–U+036F, which hold every Vietnamese tone and vowel mark), their extensions and
/// supplement (U+1AB0–U+1AFF, U+1DC0–U+1DFF), those for symbols (U+20D0–U+20FF), the half marks
/// (U+FE20–U+FE2F), and the zero-width joiners and marks (U+200B–U+200D, U+FEFF).
pub fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036f}'
            | '\u{1ab0}'..='\u{1aff}'
            | '\u{1dc0}'..='\u{1dff}'
            | '\u{20d0}'..='\u{20ff}'
            | '\u{fe20}'..='\u{fe2f}'
            | '\u{200b}'..='\u{200d}'
            | '\u{feff}'
    )
}

/// The columns `text` takes: its characters, less the combining marks.
///
/// ```
/// use motcua_render::width::columns;
/// assert_eq!(columns("Tiến"), 4); // composed
/// assert_eq!(columns("Tie\u{302}\u{301}n"), 4); // decomposed: the same four columns
/// ```
pub fn columns(text: &str) -> usize {
    text.chars().filter(|c| !is_zero_width(*c)).count()
}

/// `text` if it fits in `width` columns, else its first `width - 1` columns and `…`, each
/// letter kept with the accents that follow it.
///
/// ```
/// use motcua_render::width::cut;
/// assert_eq!(cut("Sở Tư pháp", 20), "Sở Tư pháp");
/// assert_eq!(cut("Đầu tư tỉnh", 9), "Đầu tư t…");
/// // Decomposed: the cut falls after the accents of the last letter kept.
/// assert_eq!(cut("ti\u{309}nh", 3), "ti\u{309}…");
/// ```
pub fn cut(text: &str, width: usize) -> String {
    if columns(text) <= width {
        return text.to_owned();
    }
    let keep = width.saturating_sub(1);
    let mut out = String::with_capacity(text.len().min(4 * width) + 3);
    let mut taken = 0;
    for c in text.chars() {
        if !is_zero_width(c) {
            if taken == keep {
                break;
            }
            taken += 1;
        }
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::{columns, cut};

    #[test]
    fn composed_and_decomposed_names_take_the_same_columns_and_cut_alike() {
        // "Sở Kế hoạch và Đầu tư tỉnh Đồng Nai", composed and decomposed by hand.
        let composed = "Sở Kế hoạch và Đầu tư tỉnh Đồng Nai";
        let decomposed = "So\u{31b}\u{309} Ke\u{302}\u{301} hoa\u{323}ch va\u{300} \
                          D\u{304}a\u{302}\u{300}u tu\u{31b} ti\u{309}nh D\u{304}o\u{302}\u{300}ng Nai";
        assert_eq!(columns(composed), columns(decomposed));
        for width in 1..=columns(composed) + 1 {
            assert_eq!(
                columns(&cut(composed, width)),
                columns(&cut(decomposed, width)),
                "width {width}"
            );
            assert!(columns(&cut(decomposed, width)) <= width.max(1));
            // No cut leaves a mark without its letter, nor a letter without its marks.
            let cut = cut(decomposed, width);
            let kept: Vec<char> = cut.trim_end_matches('…').chars().collect();
            let whole: Vec<char> = decomposed.chars().collect();
            assert_eq!(&whole[..kept.len()], &kept[..]);
            if let Some(next) = whole.get(kept.len()) {
                assert!(!super::is_zero_width(*next), "width {width}: {cut}");
            }
        }
    }
}
