//! The build script's stand-in for `baked.rs`: while the tables are being made there are none
//! to read, and the built-in calendar is computed.

use crate::calendar::Calendar;

/// No baked tables yet.
pub(crate) fn vietnam() -> Option<Calendar> {
    None
}
