//! JSON Lines event decoding: never panics; every event read writes back to a line that reads
//! back to the same event.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for event in motcua_io::read_events(data).flatten() {
        let mut line = Vec::new();
        if motcua_io::write_event(&mut line, &event).is_ok() {
            let back: Vec<_> = motcua_io::read_events(&line[..]).collect();
            assert_eq!(back.len(), 1, "one event written, one read");
            match &back[0] {
                Ok(again) => assert_eq!(again, &event, "round trip changed the event"),
                Err(e) => panic!("a line we wrote does not read back: {e}"),
            }
        }
    }
});
