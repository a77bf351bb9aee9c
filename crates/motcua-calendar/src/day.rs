//! Plain data describing days, versions and amounts of working time.

use std::fmt;
use time::Date;

/// Why a day is off.
///
/// Serialised in kebab-case: `holiday`, `compensatory`, `swap-off`, `local`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum DayOffKind {
    /// A statutory public holiday (ngày lễ, Tết).
    Holiday,
    /// A compensatory day off for a holiday falling on a weekly rest day (nghỉ bù).
    Compensatory,
    /// A day off swapped against a make-up working day (hoán đổi ngày làm việc).
    SwapOff,
    /// A local (provincial, agency) day off added by the host.
    Local,
}

impl DayOffKind {
    /// The kebab-case name used in override files and output (`swap-off`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            DayOffKind::Holiday => "holiday",
            DayOffKind::Compensatory => "compensatory",
            DayOffKind::SwapOff => "swap-off",
            DayOffKind::Local => "local",
        }
    }

    pub(crate) fn tag(self) -> u8 {
        match self {
            DayOffKind::Holiday => 1,
            DayOffKind::Compensatory => 2,
            DayOffKind::SwapOff => 3,
            DayOffKind::Local => 4,
        }
    }
}

impl fmt::Display for DayOffKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a day is (or is not) a working day.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum DayReason {
    /// A weekday with sessions in the weekly pattern and no override.
    RegularWorkday,
    /// A normally closed day worked to make up for a swapped day off.
    MakeupWorkday {
        /// Name of the swap (e.g. `Làm bù cho ngày 29/4/2024`).
        name: String,
    },
    /// A day without sessions in the weekly pattern (Saturday, Sunday by default).
    Weekend,
    /// A day off: holiday, compensatory, swap or local.
    DayOff {
        /// Which kind of day off.
        kind: DayOffKind,
        /// Vietnamese name.
        name: String,
    },
}

/// One day of a calendar: whether it is worked, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DayInfo {
    /// The date.
    pub date: Date,
    /// True when the day has at least one session.
    pub working: bool,
    /// The reason.
    pub reason: DayReason,
}

/// The identity of a calendar: a name plus a content hash (FNV-1a 64 over a canonical
/// encoding of the weekly pattern, offset, supported range and every override, including the
/// computed statutory days). Two calendars with the same hash give the same answers.
///
/// ```
/// use motcua_calendar::CalendarBuilder;
/// let v = CalendarBuilder::new("demo").years(2024, 2025).build()?.version().clone();
/// assert!(v.to_string().starts_with("demo@"));
/// assert_eq!(v.to_string().len(), "demo@".len() + 16);
/// # Ok::<(), motcua_calendar::CalendarError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct CalendarVersion {
    /// The name given to the builder.
    pub name: String,
    /// The content hash.
    pub hash: u64,
}

impl fmt::Display for CalendarVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{:016x}", self.name, self.hash)
    }
}

/// An amount of working time between two instants; see
/// [`Calendar::working_time_between`](crate::Calendar::working_time_between).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct WorkingTime {
    /// Whole working days (same time of day on a later working day).
    pub days: u32,
    /// Working minutes (floor).
    pub minutes: u64,
}

/// FNV-1a, 64 bits.
pub(crate) struct Fnv(pub(crate) u64);

impl Fnv {
    pub(crate) fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
    pub(crate) fn i32(&mut self, v: i32) {
        self.bytes(&v.to_le_bytes());
    }
    pub(crate) fn str(&mut self, s: &str) {
        self.u32(u32::try_from(s.len()).unwrap_or(u32::MAX));
        self.bytes(s.as_bytes());
    }
}
