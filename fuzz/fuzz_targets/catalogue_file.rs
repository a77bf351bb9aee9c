//! Catalogue file parsing: never panics; an accepted catalogue writes back to text that reads
//! back to the same catalogue.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(catalogue) = motcua_io::read_catalogue(text) {
        let written = motcua_io::write_catalogue(&catalogue);
        match motcua_io::read_catalogue(&written) {
            Ok(again) => assert_eq!(again, catalogue, "round trip changed the catalogue"),
            Err(e) => panic!("a catalogue we wrote does not read back: {e}"),
        }
    }
});
