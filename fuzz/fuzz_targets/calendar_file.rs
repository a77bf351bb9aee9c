//! Calendar override files: never panics; an accepted file builds a calendar whose days can all
//! be asked about, and loading the same text twice gives the same version.
#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_calendar::CalendarBuilder;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let build = || CalendarBuilder::new("fuzz").years(2020, 2030).load_overrides(text).and_then(|b| b.build());
    if let Ok(calendar) = build() {
        let mut day = calendar.first_day();
        for _ in 0..400 {
            let _ = calendar.day(day);
            match day.next_day() {
                Some(next) => day = next,
                None => break,
            }
        }
        let again = build().map(|c| c.version().clone());
        assert_eq!(again.ok().as_ref(), Some(calendar.version()), "same text, same version");
    }
});
