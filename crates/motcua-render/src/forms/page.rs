//! The printable page every form shares: an A4 print stylesheet, the heading of a Vietnamese
//! administrative document (the issuing unit on the left, the national motto on the right), the
//! form's number and title in Vietnamese with English beneath, labelled fields and signature
//! blocks. No script, no network, every outside text escaped.

use super::{FormKind, Named};
use crate::escape::html as esc;
use std::fmt::Write;
use time::OffsetDateTime;

/// The stylesheet: A4 pages (portrait, or landscape for the tracking log), serif type at the
/// size administrative documents use (13 pt), borders that print.
const CSS: &str = "@page{size:A4;margin:15mm 15mm 15mm 20mm}\
@page wide{size:A4 landscape;margin:12mm}\
body{font-family:'Times New Roman','DejaVu Serif','Liberation Serif',serif;font-size:13pt;\
color:#000;margin:0 auto;max-width:175mm;line-height:1.35}\
body.wide{max-width:273mm;page:wide;font-size:11pt}\
@media screen{body{margin:12mm auto;padding:0 8mm}}\
@media print{body{margin:0;max-width:none}a{color:#000;text-decoration:none}}\
table.top{width:100%;border-collapse:collapse}table.top td{vertical-align:top;text-align:center;width:42%}table.top td+td{width:58%;white-space:nowrap}\
.motto{text-decoration:underline}.no{font-size:11pt;font-style:italic;text-align:right;margin:4pt 0}\
h1{font-size:14pt;text-align:center;margin:14pt 0 0;text-transform:uppercase}\
.en{text-align:center;font-style:italic;margin:0 0 10pt;font-size:11pt}\
table.fields{width:100%;border-collapse:collapse;margin:6pt 0}\
table.fields th{text-align:left;font-weight:normal;vertical-align:top;width:38%;padding:2pt 6pt 2pt 0}\
table.fields td{vertical-align:top;padding:2pt 0;font-weight:bold}\
small{font-weight:normal;font-style:italic;font-size:10pt}\
table.grid{width:100%;border-collapse:collapse;margin:6pt 0;font-size:11pt}\
table.grid th,table.grid td{border:1px solid #000;padding:2pt 4pt;vertical-align:top}\
table.grid th{font-weight:bold;text-align:center}table.grid td.c{text-align:center}\
p{margin:4pt 0}.note{font-size:10.5pt;font-style:italic}\
table.sign{width:100%;margin-top:14pt;page-break-inside:avoid}\
table.sign td{text-align:center;vertical-align:top;height:30mm}";

/// A page in the making.
pub(super) struct Page {
    html: String,
}

impl Page {
    /// Opens the page of `kind`, issued by `unit` (the agency heading on the left), with
    /// `number` the document's number (the dossier code).
    pub fn new(kind: FormKind, unit: &Named, number: &str) -> Result<Page, std::fmt::Error> {
        let mut h = String::with_capacity(8 * 1024);
        let title = format!(
            "Mẫu số {} — {} ({})",
            kind.number(),
            kind.title_vi(),
            kind.title_en()
        );
        writeln!(h, "<!DOCTYPE html>")?;
        writeln!(h, "<html lang=\"vi\">")?;
        writeln!(
            h,
            "<head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head>",
            esc(&title)
        )?;
        let wide = kind == FormKind::TrackingLog;
        writeln!(h, "<body{}>", if wide { " class=\"wide\"" } else { "" })?;
        writeln!(
            h,
            "<table class=\"top\"><tr><td>{}<br><b>{}</b><br>Số / No.: {}</td>\
             <td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>\
             <b class=\"motto\">Độc lập - Tự do - Hạnh phúc</b></td></tr></table>",
            esc(&unit.id),
            esc(unit.name.as_deref().unwrap_or(&unit.id)),
            esc(number)
        )?;
        writeln!(
            h,
            "<p class=\"no\">Mẫu số {} — Thông tư 01/2018/TT-VPCP (Form {}, Circular \
             01/2018/TT-VPCP)</p>",
            kind.number(),
            kind.number()
        )?;
        writeln!(h, "<h1>{}</h1>", esc(kind.title_vi()))?;
        writeln!(h, "<p class=\"en\">{}</p>", esc(kind.title_en()))?;
        Ok(Page { html: h })
    }

    /// Raw markup (already escaped by the caller).
    pub fn raw(&mut self, markup: &str) -> std::fmt::Result {
        self.html.write_str(markup)
    }

    /// A paragraph of text in Vietnamese with its English after it in small italics.
    pub fn para(&mut self, vi: &str, en: &str) -> std::fmt::Result {
        writeln!(self.html, "<p>{} <small>({})</small></p>", esc(vi), esc(en))
    }

    /// A block of labelled fields: label in Vietnamese, its English beneath, the value bold.
    pub fn fields(&mut self, rows: &[(&str, &str, String)]) -> std::fmt::Result {
        writeln!(self.html, "<table class=\"fields\">")?;
        for (vi, en, value) in rows {
            writeln!(
                self.html,
                "<tr><th>{}<br><small>{}</small></th><td>{}</td></tr>",
                esc(vi),
                esc(en),
                esc(value)
            )?;
        }
        writeln!(self.html, "</table>")
    }

    /// Signature blocks side by side: the role in Vietnamese, English beneath, and room to
    /// sign.
    pub fn signatures(&mut self, roles: &[(&str, &str)]) -> std::fmt::Result {
        write!(self.html, "<table class=\"sign\"><tr>")?;
        for (vi, en) in roles {
            write!(
                self.html,
                "<td><b>{}</b><br><small>({}; ký và ghi rõ họ tên / signature and full \
                 name)</small></td>",
                esc(vi),
                esc(en)
            )?;
        }
        writeln!(self.html, "</tr></table>")
    }

    /// Closes the page.
    pub fn finish(mut self) -> Result<String, std::fmt::Error> {
        writeln!(self.html, "</body>")?;
        writeln!(self.html, "</html>")?;
        Ok(self.html)
    }
}

/// A unit or procedure as shown: its name and, after it, its id.
pub(super) fn named(n: &Named) -> String {
    match &n.name {
        Some(name) => format!("{name} ({})", n.id),
        None => n.id.clone(),
    }
}

/// The Vietnamese weekday of an instant, as forms write it (*Thứ Hai* … *Chủ nhật*).
fn weekday_vi(t: OffsetDateTime) -> &'static str {
    match t.weekday() {
        time::Weekday::Monday => "Thứ Hai",
        time::Weekday::Tuesday => "Thứ Ba",
        time::Weekday::Wednesday => "Thứ Tư",
        time::Weekday::Thursday => "Thứ Năm",
        time::Weekday::Friday => "Thứ Sáu",
        time::Weekday::Saturday => "Thứ Bảy",
        time::Weekday::Sunday => "Chủ nhật",
    }
}

/// An instant as a Vietnamese form writes it, in its own offset: `08 giờ 30, Thứ Ba ngày
/// 16/04/2024`; `—` for none.
pub(super) fn when(t: Option<OffsetDateTime>) -> String {
    match t {
        None => "—".to_owned(),
        Some(t) => format!(
            "{:02} giờ {:02}, {} ngày {:02}/{:02}/{}",
            t.hour(),
            t.minute(),
            weekday_vi(t),
            t.day(),
            u8::from(t.month()),
            t.year()
        ),
    }
}

/// An instant in a table cell: `16/04/2024 08:30`; empty for none.
pub(super) fn short(t: Option<OffsetDateTime>) -> String {
    t.map_or_else(String::new, |t| {
        format!(
            "{:02}/{:02}/{} {:02}:{:02}",
            t.day(),
            u8::from(t.month()),
            t.year(),
            t.hour(),
            t.minute()
        )
    })
}

/// A channel's national code in words.
pub(super) fn channel(code: u8) -> String {
    match code {
        1 => "1 — Trực tiếp (in person)".to_owned(),
        2 => "2 — Trực tuyến (online)".to_owned(),
        3 => "3 — Bưu chính công ích (public postal service)".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn instants_read_as_a_vietnamese_form_writes_them() {
        let t = datetime!(2024-04-16 08:05 +7);
        assert_eq!(when(Some(t)), "08 giờ 05, Thứ Ba ngày 16/04/2024");
        assert_eq!(short(Some(t)), "16/04/2024 08:05");
        assert_eq!(when(None), "—");
        assert_eq!(short(None), "");
    }

    #[test]
    fn the_page_escapes_names_and_has_no_script() -> Result<(), std::fmt::Error> {
        let unit = Named {
            id: "X<1>".into(),
            name: Some("<script>alert(1)</script>".into()),
        };
        let page = Page::new(FormKind::Receipt, &unit, "D&1")?.finish()?;
        assert!(!page.contains("<script"));
        assert!(page.contains("&lt;script&gt;"));
        assert!(page.contains("D&amp;1"));
        assert!(page.contains("@page{size:A4"));
        Ok(())
    }
}
