//! The compact binary event bodies the SQLite store keeps: decoding any bytes never panics, and
//! every body that decodes is the one encoding writes for that event (the form is canonical),
//! decoded alike with or without a shared decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_store::codec::compact;

fuzz_target!(|data: &[u8]| {
    let mut shared = compact::Decoder::default();
    for body in data.split(|b| *b == 0xFF) {
        let alone = compact::decode(body);
        assert_eq!(shared.decode(body), alone, "a shared decoder decodes alike");
        if let Ok(event) = alone {
            assert_eq!(compact::encode(&event), body, "a decoded body re-encodes to itself");
        }
    }
});
