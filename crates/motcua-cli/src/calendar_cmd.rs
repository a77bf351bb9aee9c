//! `motcua calendar …`: working-time arithmetic and the lunar calendar from the command line.
//!
//! ```text
//! motcua calendar [--calendar FILE] days-off YEAR
//! motcua calendar [--calendar FILE] add START AMOUNT UNIT     # UNIT: working-days | working-hours | calendar-days | same-day
//! motcua calendar [--calendar FILE] between START END
//! motcua calendar lunar YYYY-MM-DD
//! motcua calendar solar YYYY-MM-DD [--leap]
//! ```
//!
//! `--calendar FILE` loads a host override file (format: `motcua_calendar::file`) on top of
//! the built-in Vietnamese public-sector calendar. Instants are RFC 3339.
//!
//! Output formats:
//! * `days-off`: one line per date, TAB-separated: ISO date, kind (`holiday`,
//!   `compensatory`, `swap-off`, `local`, `makeup-workday`), Vietnamese name;
//! * `add`: the due instant in RFC 3339 (at +07:00);
//! * `between`: two lines, `working-days<TAB>N` and `working-minutes<TAB>M` (an end in a break,
//!   after the close or on a day off counts as the next session's start, as a due does);
//! * `lunar`: `YYYY-MM-DD`, followed by ` leap` in a leap month;
//! * `solar`: `YYYY-MM-DD`.
//!
//! Exit codes ([`CalendarCmdError::exit_code`]): 2 usage, 3 bad input, 5 I/O.

use crate::text_file::TextFileError;
use clap::{Args, Subcommand, ValueEnum};
use motcua_calendar::file::parse_iso_date;
use motcua_calendar::lunar::{from_lunar, to_lunar, LunarDate};
use motcua_calendar::{
    Calendar, CalendarBuilder, CalendarError, Date, DayReason, Month, OffsetDateTime, Time,
};
use std::io::Write;
use std::path::PathBuf;
use time::format_description::well_known::Rfc3339;

/// Arguments of `motcua calendar`.
#[derive(Debug, Clone, Args)]
pub struct CalendarArgs {
    /// Host override file (lines of `date<TAB>kind<TAB>name[<TAB>source]`) loaded on top of the
    /// built-in Vietnamese calendar.
    #[arg(long, global = true, value_name = "FILE")]
    pub calendar: Option<PathBuf>,
    /// The calendar subcommand.
    #[command(subcommand)]
    pub command: CalendarCommand,
}

/// The `motcua calendar` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum CalendarCommand {
    /// List the days off and make-up working days of YEAR.
    DaysOff {
        /// Gregorian year.
        year: i32,
    },
    /// Compute a due instant: START plus AMOUNT UNIT.
    Add {
        /// Start instant, RFC 3339 (e.g. 2024-04-26T09:00:00+07:00).
        start: String,
        /// Amount (ignored for same-day; give 0).
        amount: u64,
        /// Unit of the amount.
        unit: Unit,
    },
    /// Working days and working minutes between two instants (an end in a break, after the
    /// close or on a day off counts as the next session's start).
    Between {
        /// Start instant, RFC 3339.
        start: String,
        /// End instant, RFC 3339.
        end: String,
    },
    /// Convert a Gregorian date to the Vietnamese lunar calendar.
    Lunar {
        /// Gregorian date YYYY-MM-DD.
        date: String,
    },
    /// Convert a Vietnamese lunar date to the Gregorian calendar.
    Solar {
        /// Lunar date YYYY-MM-DD.
        date: String,
        /// The month is the leap (nhuận) month.
        #[arg(long)]
        leap: bool,
    },
}

/// Units of `motcua calendar add`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Unit {
    /// Working days (same time of day on the n-th working day).
    WorkingDays,
    /// Working hours (8 per working day); hours that run out at a session's end are due at
    /// the next session's start, as a dossier's due is.
    WorkingHours,
    /// Calendar days, rolled to the next working day.
    CalendarDays,
    /// Same-day procedure with a 15:00 cut-off.
    SameDay,
}

/// Errors of `motcua calendar`.
#[derive(Debug, thiserror::Error)]
pub enum CalendarCmdError {
    /// An argument or file content was invalid.
    #[error("{0}")]
    Input(String),
    /// The calendar refused the input (out of range, parse error in the override file, …).
    #[error("{0}")]
    Calendar(#[from] CalendarError),
    /// Reading the override file or writing the output failed.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned (`standard output` for the output stream).
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl CalendarCmdError {
    /// Process exit code: 2 usage, 3 bad input, 5 I/O.
    pub fn exit_code(&self) -> i32 {
        match self {
            CalendarCmdError::Input(_) | CalendarCmdError::Calendar(_) => 3,
            CalendarCmdError::Io { .. } => 5,
        }
    }
}

fn out_err(source: std::io::Error) -> CalendarCmdError {
    CalendarCmdError::Io {
        path: "standard output".to_string(),
        source,
    }
}

/// The Vietnamese calendar, with a host's override file on top when one is given.
pub fn load_calendar(file: Option<&PathBuf>) -> Result<Calendar, CalendarCmdError> {
    let Some(path) = file else {
        return Ok(Calendar::vietnam_baked());
    };
    let text = crate::text_file::read(path).map_err(|e| match e {
        TextFileError::Io(source) => CalendarCmdError::Io {
            path: path.display().to_string(),
            source,
        },
        content => CalendarCmdError::Input(format!("{}: {content}", path.display())),
    })?;
    let builder = CalendarBuilder::vietnam()
        .load_overrides(&text)
        .map_err(|e| CalendarCmdError::Input(format!("{}: {e}", path.display())))?;
    Ok(builder.build()?)
}

/// A command's working calendar, ready when first asked for: a `--calendar` file's is loaded
/// at once (its errors come before anything else is read); the built-in one is made on a
/// thread of its own while the command opens its store and reads its rows, from the tables
/// baked into the program ([`Calendar::vietnam_baked`]: about 0.3 ms, where building them took
/// about 4 ms of a fresh process, a fifth of a desk list's whole run). [`PendingCalendar::get`] waits for
/// that build, or builds it itself when the thread could not be started or has not begun;
/// [`PendingCalendar::offset`] never waits.
#[derive(Debug, Clone)]
pub struct PendingCalendar {
    calendar: std::sync::Arc<std::sync::OnceLock<Calendar>>,
    offset: time::UtcOffset,
}

impl PendingCalendar {
    /// Loads `file`'s calendar now, or starts building the built-in one.
    pub fn start(file: Option<&PathBuf>) -> Result<PendingCalendar, CalendarCmdError> {
        if file.is_some() {
            let calendar = load_calendar(file)?;
            return Ok(PendingCalendar {
                offset: calendar.offset(),
                calendar: std::sync::Arc::new(calendar.into()),
            });
        }
        let slot = std::sync::Arc::new(std::sync::OnceLock::new());
        let building = std::sync::Arc::clone(&slot);
        // Not started (no thread to be had): `get` builds it on the command's own thread.
        let _ = std::thread::Builder::new()
            .name("calendar".into())
            .spawn(move || {
                building.get_or_init(Calendar::vietnam_baked);
            });
        Ok(PendingCalendar {
            calendar: slot,
            offset: motcua_calendar::VIETNAM_OFFSET,
        })
    }

    /// The calendar, once built.
    pub fn get(&self) -> &Calendar {
        self.calendar.get_or_init(Calendar::vietnam_baked)
    }

    /// The calendar's offset from UTC, known before its tables are built.
    pub fn offset(&self) -> time::UtcOffset {
        self.offset
    }
}

fn parse_instant(s: &str) -> Result<OffsetDateTime, CalendarCmdError> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| {
        CalendarCmdError::Input(format!(
            "expected an RFC 3339 instant such as 2024-04-26T09:00:00+07:00, found {s:?} ({e})"
        ))
    })
}

fn parse_date(s: &str) -> Result<Date, CalendarCmdError> {
    parse_iso_date(s)
        .ok_or_else(|| CalendarCmdError::Input(format!("expected a date YYYY-MM-DD, found {s:?}")))
}

fn format_instant(t: OffsetDateTime) -> Result<String, CalendarCmdError> {
    t.format(&Rfc3339)
        .map_err(|e| CalendarCmdError::Input(format!("cannot format {t} as RFC 3339: {e}")))
}

fn amount_u32(amount: u64, unit: &str) -> Result<u32, CalendarCmdError> {
    u32::try_from(amount).map_err(|_| {
        CalendarCmdError::Input(format!(
            "expected at most {} {unit}, found {amount}",
            u32::MAX
        ))
    })
}

/// Runs `motcua calendar …`, writing the result to `out`.
pub fn run(cmd: CalendarArgs, out: &mut dyn Write) -> Result<(), CalendarCmdError> {
    match cmd.command {
        CalendarCommand::DaysOff { year } => {
            let cal = load_calendar(cmd.calendar.as_ref())?;
            let (first, last) = (cal.first_day().year(), cal.last_day().year());
            let range = |m, d| {
                Date::from_calendar_date(year, m, d)
                    .ok()
                    .filter(|_| (first..=last).contains(&year))
                    .ok_or_else(|| {
                        CalendarCmdError::Input(format!(
                            "expected a year within the calendar's range {first}..={last}, found {year}"
                        ))
                    })
            };
            let (from, to) = (range(Month::January, 1)?, range(Month::December, 31)?);
            cal.day(from)?;
            cal.day(to)?;
            for d in cal.overrides_in(from, to) {
                let (kind, name) = match d.reason {
                    DayReason::DayOff { kind, name } => (kind.as_str(), name),
                    DayReason::MakeupWorkday { name } => ("makeup-workday", name),
                    _ => continue,
                };
                writeln!(out, "{}\t{kind}\t{name}", d.date).map_err(out_err)?;
            }
        }
        CalendarCommand::Add {
            start,
            amount,
            unit,
        } => {
            let cal = load_calendar(cmd.calendar.as_ref())?;
            let start = parse_instant(&start)?;
            let due = match unit {
                Unit::WorkingDays => {
                    cal.add_working_days(start, amount_u32(amount, "working days")?)?
                }
                Unit::WorkingHours => {
                    let minutes = amount.checked_mul(60).ok_or_else(|| {
                        CalendarCmdError::Input(format!("{amount} working hours is too large"))
                    })?;
                    // A due, as a dossier's is (rule 3 of docs/deadline-rules.md): hours that
                    // run out at a session's end are due at the next session's start, so that
                    // 8 working hours and 1 working day give the same instant.
                    motcua_core::deadline::working_due(&cal, start, minutes)?
                }
                Unit::CalendarDays => {
                    cal.add_calendar_days(start, amount_u32(amount, "calendar days")?)?
                }
                Unit::SameDay => {
                    let cutoff = Time::from_hms(15, 0, 0)
                        .map_err(|e| CalendarCmdError::Input(e.to_string()))?;
                    cal.same_day_due(start, cutoff)?
                }
            };
            writeln!(out, "{}", format_instant(due)?).map_err(out_err)?;
        }
        CalendarCommand::Between { start, end } => {
            let cal = load_calendar(cmd.calendar.as_ref())?;
            let (start, end) = (parse_instant(&start)?, parse_instant(&end)?);
            if end < start {
                return Err(CalendarCmdError::Input(format!(
                    "the end {} is before the start {}",
                    format_instant(end)?,
                    format_instant(start)?
                )));
            }
            // An end in a break, after the close or on a day off is the same working instant
            // as the start of the next session (rule 3): 07:30 to 17:00 of one working day is
            // one working day, as 480 working minutes are.
            let end = cal.next_working_instant(end)?;
            let wt = cal.working_time_between(start, end)?;
            writeln!(
                out,
                "working-days\t{}\nworking-minutes\t{}",
                wt.days, wt.minutes
            )
            .map_err(out_err)?;
        }
        CalendarCommand::Lunar { date } => {
            let l = to_lunar(parse_date(&date)?)?;
            writeln!(out, "{l}").map_err(out_err)?;
        }
        CalendarCommand::Solar { date, leap } => {
            let bad = || {
                CalendarCmdError::Input(format!("expected a lunar date YYYY-MM-DD, found {date:?}"))
            };
            let parts: Vec<&str> = date.split('-').collect();
            let [y, m, d] = parts.as_slice() else {
                return Err(bad());
            };
            if y.len() != 4 || m.len() != 2 || d.len() != 2 {
                return Err(bad());
            }
            let lunar = LunarDate {
                year: y.parse().map_err(|_| bad())?,
                month: m.parse().map_err(|_| bad())?,
                day: d.parse().map_err(|_| bad())?,
                leap,
            };
            writeln!(out, "{}", from_lunar(lunar)?).map_err(out_err)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn the_pending_built_in_calendar_is_the_built_in_calendar() {
        let pending = PendingCalendar::start(None).unwrap();
        let built = Calendar::vietnam();
        assert_eq!(pending.offset(), built.offset());
        assert_eq!(pending.get().version(), built.version());
        // A clone shares the build: asked from two places, it is one calendar.
        let other = pending.clone();
        assert!(std::ptr::eq(pending.get(), other.get()));
    }

    #[test]
    fn a_calendar_file_is_loaded_at_once_and_its_errors_come_first() {
        let dir = std::env::temp_dir().join(format!("motcua-pending-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.tsv");
        std::fs::write(&bad, "not a calendar line\n").unwrap();
        assert!(matches!(
            PendingCalendar::start(Some(&bad)),
            Err(CalendarCmdError::Input(_))
        ));
        let missing = dir.join("missing.tsv");
        assert!(matches!(
            PendingCalendar::start(Some(&missing)),
            Err(CalendarCmdError::Io { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: CalendarArgs,
    }

    fn run_args(argv: &[&str]) -> Result<String, CalendarCmdError> {
        let mut full = vec!["calendar"];
        full.extend_from_slice(argv);
        let cli = match Cli::try_parse_from(full) {
            Ok(cli) => cli,
            Err(e) => panic!("test arguments do not parse: {e}"),
        };
        let mut out = Vec::new();
        run(cli.args, &mut out)?;
        Ok(String::from_utf8(out).unwrap_or_default())
    }

    #[test]
    fn days_off_2024() {
        let s = run_args(&["days-off", "2024"]).unwrap();
        assert!(s.contains("2024-04-29\tswap-off\t"), "{s}");
        assert!(s.contains("2024-05-04\tmakeup-workday\t"), "{s}");
        assert!(s.contains("2024-04-30\tholiday\t"), "{s}");
        assert!(s.lines().all(|l| l.split('\t').count() == 3));
    }

    #[test]
    fn add_units() {
        let start = "2024-04-26T09:00:00+07:00";
        assert_eq!(
            run_args(&["add", start, "3", "working-days"]).unwrap(),
            "2024-05-04T09:00:00+07:00\n"
        );
        assert_eq!(
            run_args(&["add", start, "8", "working-hours"]).unwrap(),
            "2024-05-02T09:00:00+07:00\n"
        );
        assert_eq!(
            run_args(&["add", start, "3", "calendar-days"]).unwrap(),
            "2024-05-02T07:30:00+07:00\n"
        );
        assert_eq!(
            run_args(&["add", start, "0", "same-day"]).unwrap(),
            "2024-04-26T17:00:00+07:00\n"
        );
        assert_eq!(
            run_args(&["add", "2024-05-13T02:00:00Z", "0", "working-days"]).unwrap(),
            "2024-05-13T09:00:00+07:00\n"
        );
    }

    #[test]
    fn working_hours_that_end_at_a_close_are_due_at_the_next_opening() {
        // As a dossier's due (rule 3): 8 hours from an opening are one working day.
        assert_eq!(
            run_args(&["add", "2024-03-04T07:30:00+07:00", "8", "working-hours"]).unwrap(),
            "2024-03-05T07:30:00+07:00\n"
        );
        assert_eq!(
            run_args(&["add", "2024-03-04T07:30:00+07:00", "4", "working-hours"]).unwrap(),
            "2024-03-04T13:00:00+07:00\n"
        );
        // Before Tết 2024 (8–14 February off): the next opening is Thursday 15 February.
        assert_eq!(
            run_args(&["add", "2024-02-07T07:30:00+07:00", "8", "working-hours"]).unwrap(),
            run_args(&["add", "2024-02-07T07:30:00+07:00", "1", "working-days"]).unwrap()
        );
    }

    #[test]
    fn between_counts_an_end_at_a_close_as_the_next_opening() {
        let s = run_args(&[
            "between",
            "2024-03-04T07:30:00+07:00",
            "2024-03-04T17:00:00+07:00",
        ])
        .unwrap();
        assert_eq!(s, "working-days\t1\nworking-minutes\t480\n");
        // From a lunch break to a lunch break five working days later.
        let s = run_args(&[
            "between",
            "2025-02-25T12:00:00+07:00",
            "2025-03-04T12:00:00+07:00",
        ])
        .unwrap();
        assert_eq!(s, "working-days\t5\nworking-minutes\t2400\n");
        assert!(matches!(
            run_args(&[
                "between",
                "2024-03-05T07:30:00+07:00",
                "2024-03-04T07:30:00+07:00"
            ]),
            Err(CalendarCmdError::Input(_))
        ));
    }

    #[test]
    fn between_prints_days_and_minutes() {
        let s = run_args(&[
            "between",
            "2024-05-13T09:00:00+07:00",
            "2024-05-20T09:00:00+07:00",
        ])
        .unwrap();
        assert_eq!(s, "working-days\t5\nworking-minutes\t2400\n");
    }

    #[test]
    fn lunar_and_solar() {
        assert_eq!(
            run_args(&["lunar", "2023-03-22"]).unwrap(),
            "2023-02-01 leap\n"
        );
        assert_eq!(run_args(&["lunar", "1985-01-21"]).unwrap(), "1985-01-01\n");
        assert_eq!(
            run_args(&["solar", "2023-02-01", "--leap"]).unwrap(),
            "2023-03-22\n"
        );
        assert_eq!(run_args(&["solar", "2024-01-01"]).unwrap(), "2024-02-10\n");
        assert_eq!(
            run_args(&["solar", "2024-04-01", "--leap"])
                .unwrap_err()
                .exit_code(),
            3
        );
    }

    #[test]
    fn exit_codes() {
        assert_eq!(
            run_args(&["add", "yesterday", "1", "working-days"])
                .unwrap_err()
                .exit_code(),
            3
        );
        assert_eq!(
            run_args(&["lunar", "2024-13-01"]).unwrap_err().exit_code(),
            3
        );
        assert_eq!(run_args(&["days-off", "2500"]).unwrap_err().exit_code(), 3);
        let e = run_args(&[
            "--calendar",
            "/nonexistent/motcua-overrides.tsv",
            "days-off",
            "2024",
        ])
        .unwrap_err();
        assert_eq!(e.exit_code(), 5);
    }

    #[test]
    fn override_file_on_top() {
        let dir = std::env::temp_dir().join(format!("motcua-cal-cmd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.tsv");
        std::fs::write(&good, "2024-05-06\tlocal\tNgày lễ tỉnh\tQĐ 1/UBND\n").unwrap();
        let g = good.to_str().unwrap();
        let s = run_args(&["--calendar", g, "days-off", "2024"]).unwrap();
        assert!(s.contains("2024-05-06\tlocal\tNgày lễ tỉnh"), "{s}");
        let bad = dir.join("bad.tsv");
        std::fs::write(&bad, "# header\n2024-05-06 local\n").unwrap();
        let e = run_args(&["--calendar", bad.to_str().unwrap(), "days-off", "2024"]).unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert!(e.to_string().contains("line 2"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
