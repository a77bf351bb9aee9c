//! Form 06, the tracking log of a unit for a period (*sổ theo dõi hồ sơ*): one row per dossier
//! the unit received in the period, from reception to return, built dossier by dossier as a
//! store is scanned.

use super::control_sheet::time_class;
use super::page::{self, named, Page};
use super::{Dossier, Form, FormError, FormId, FormKind, Named};
use crate::escape::html as esc;
use motcua_core::deadline::local_date;
use motcua_core::{Context, Event, TimeClass, UnitId};
use serde::Serialize;
use std::fmt::Write;
use time::{Date, OffsetDateTime};

/// One dossier in the tracking log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrackingLogRow {
    /// The row's number (*số thứ tự*), from 1, in order of reception.
    pub no: usize,
    /// The dossier's code.
    pub dossier: String,
    /// The procedure.
    pub procedure: Named,
    /// The channel's national code (1 in person, 2 online, 3 by post).
    pub channel: u8,
    /// When it was received.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// The official due (*ngày hẹn trả*).
    #[serde(with = "time::serde::rfc3339::option")]
    pub official_due: Option<OffsetDateTime>,
    /// The due promised to the applicant: the official due, or the new appointment of the
    /// latest apology.
    #[serde(with = "time::serde::rfc3339::option")]
    pub promised_due: Option<OffsetDateTime>,
    /// The units its steps went to (*chuyển xử lý*), each once, in order of first hand-over.
    pub handled_by: Vec<Named>,
    /// When it was finished (result ready, refused, withdrawn, stopped).
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// When the result was returned.
    #[serde(with = "time::serde::rfc3339::option")]
    pub returned_at: Option<OffsetDateTime>,
    /// The national status code, 1–10.
    pub status: u8,
    /// Early, on time, late; within time, due soon, overdue.
    pub time_class: TimeClass,
    /// The reason recorded for a refusal, withdrawal or stop (*ghi chú*).
    pub note: Option<String>,
}

/// Form 06: the tracking log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrackingLog {
    /// `"form": "tracking-log"`, `"number": "06"`, the version.
    #[serde(flatten)]
    pub id: FormId,
    /// The unit whose log this is (the receiving unit).
    pub unit: Named,
    /// The first day of the period (local date, included), `YYYY-MM-DD`.
    pub from: String,
    /// The last day of the period (included).
    pub until: String,
    /// The instant the rows are judged at.
    #[serde(with = "time::serde::rfc3339")]
    pub as_of: OffsetDateTime,
    /// One row per dossier received by the unit in the period, in order of reception.
    pub rows: Vec<TrackingLogRow>,
}

/// Builds a [`TrackingLog`] one dossier at a time: [`TrackingLogBuilder::add`] every dossier of
/// a store (those not received by the unit in the period are skipped), then
/// [`TrackingLogBuilder::finish`].
pub struct TrackingLogBuilder<'a> {
    context: Context<'a>,
    unit: UnitId,
    from: Date,
    until: Date,
    as_of: OffsetDateTime,
    rows: Vec<TrackingLogRow>,
}

impl TrackingLog {
    /// Starts the log of `unit` for the dossiers it received from `from` to `until` (local
    /// dates, both included), judged as of `as_of`.
    pub fn builder<'a>(
        context: Context<'a>,
        unit: UnitId,
        from: Date,
        until: Date,
        as_of: OffsetDateTime,
    ) -> TrackingLogBuilder<'a> {
        TrackingLogBuilder {
            context,
            unit,
            from,
            until,
            as_of,
            rows: Vec::new(),
        }
    }
}

impl TrackingLogBuilder<'_> {
    /// Adds one dossier's events (in sequence order, already checked); returns whether it was
    /// received by the unit in the period (and so entered in the log).
    ///
    /// # Errors
    ///
    /// [`FormError::View`] when a dossier received by the unit cannot be judged.
    pub fn add(&mut self, events: &[Event]) -> Result<bool, FormError> {
        let offset = self.context.calendar.offset();
        // Cheap checks on the events first: most dossiers of a store are someone else's.
        let received = events.iter().find_map(|e| match &e.kind {
            motcua_core::EventKind::Received { unit, .. } if e.occurred_at <= self.as_of => {
                Some((unit, e.occurred_at))
            }
            _ => None,
        });
        let Some((unit, received_at)) = received else {
            return Ok(false);
        };
        let day = local_date(received_at, offset);
        if *unit != self.unit || day < self.from || day > self.until {
            return Ok(false);
        }
        let dossier = Dossier {
            context: self.context,
            events,
            as_of: self.as_of,
        };
        let (state, view) = dossier.state_and_view()?;
        let mut handled_by: Vec<Named> = Vec::new();
        for step in view.steps.iter() {
            let unit = dossier.unit(&step.unit);
            if !handled_by.contains(&unit) {
                handled_by.push(unit);
            }
        }
        let procedure = dossier.context.catalogue.procedure(&view.procedure);
        self.rows.push(TrackingLogRow {
            no: 0,
            dossier: view.dossier_id.as_str().to_owned(),
            procedure: Named {
                id: view.procedure.as_str().to_owned(),
                name: procedure.map(|p| p.name.clone()),
            },
            channel: view.channel.national_code(),
            received_at,
            official_due: view.official_due,
            promised_due: view.promised_due,
            handled_by,
            finished_at: view.finished_at,
            returned_at: state.returned.map(|(at, _)| at),
            status: view.national_code,
            time_class: view.time_class,
            note: state.end_reason.clone(),
        });
        Ok(true)
    }

    /// The log, rows in order of reception (then dossier code) and numbered from 1.
    pub fn finish(self) -> TrackingLog {
        let mut rows = self.rows;
        rows.sort_by(|a, b| (a.received_at, &a.dossier).cmp(&(b.received_at, &b.dossier)));
        for (i, row) in rows.iter_mut().enumerate() {
            row.no = i + 1;
        }
        let unit = Named {
            id: self.unit.as_str().to_owned(),
            name: self
                .context
                .catalogue
                .unit(&self.unit)
                .map(|u| u.name.clone()),
        };
        TrackingLog {
            id: FormId::of(FormKind::TrackingLog),
            unit,
            from: self.from.to_string(),
            until: self.until.to_string(),
            as_of: self.as_of,
            rows,
        }
    }
}

impl Form for TrackingLog {
    const KIND: FormKind = FormKind::TrackingLog;

    fn page(&self) -> Result<String, std::fmt::Error> {
        let mut p = Page::new(FormKind::TrackingLog, &self.unit, "……")?;
        p.fields(&[
            ("Đơn vị", "Unit", named(&self.unit)),
            (
                "Kỳ theo dõi",
                "Period",
                format!("{} → {}", self.from, self.until),
            ),
            ("Tình trạng tính đến", "As of", page::when(Some(self.as_of))),
            ("Số hồ sơ", "Dossiers", self.rows.len().to_string()),
        ])?;
        let mut t = String::new();
        writeln!(
            t,
            "<table class=\"grid\"><tr><th>STT<br><small>No.</small></th>\
             <th>Mã hồ sơ<br><small>Dossier</small></th>\
             <th>Thủ tục<br><small>Procedure</small></th>\
             <th>Kênh<br><small>Channel</small></th>\
             <th>Tiếp nhận<br><small>Received</small></th>\
             <th>Hẹn trả<br><small>Due</small></th>\
             <th>Chuyển xử lý<br><small>Handled by</small></th>\
             <th>Có kết quả<br><small>Finished</small></th>\
             <th>Trả kết quả<br><small>Returned</small></th>\
             <th>Tình trạng<br><small>Status</small></th>\
             <th>Ghi chú<br><small>Note</small></th></tr>"
        )?;
        for r in &self.rows {
            let due = match r.promised_due.filter(|p| Some(*p) != r.official_due) {
                Some(p) => format!(
                    "{} (hẹn lại {})",
                    page::short(r.official_due),
                    page::short(Some(p))
                ),
                None => page::short(r.official_due),
            };
            let handled: Vec<String> = r.handled_by.iter().map(named).collect();
            writeln!(
                t,
                "<tr><td class=\"c\">{}</td><td>{}</td><td>{}</td><td class=\"c\">{}</td>\
                 <td class=\"c\">{}</td><td class=\"c\">{}</td><td>{}</td><td class=\"c\">{}</td>\
                 <td class=\"c\">{}</td><td>{} — {}</td><td>{}</td></tr>",
                r.no,
                esc(&r.dossier),
                esc(&named(&r.procedure)),
                r.channel,
                esc(&page::short(Some(r.received_at))),
                esc(&due),
                esc(&handled.join("; ")),
                esc(&page::short(r.finished_at)),
                esc(&page::short(r.returned_at)),
                r.status,
                esc(time_class(r.time_class)),
                esc(r.note.as_deref().unwrap_or(""))
            )?;
        }
        writeln!(t, "</table>")?;
        p.raw(&t)?;
        p.signatures(&[("NGƯỜI LẬP SỔ", "officer keeping the log")])?;
        p.finish()
    }
}
