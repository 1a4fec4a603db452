//! Any text as a `paceback.transcript/1` file: a clear error or a transcript whose times are
//! finite and in order.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(t) = paceback::transcript::Transcript::parse(text) {
        assert!(t.words.iter().all(|w| w.start_s.is_finite() && w.end_s.is_finite()));
        assert!(t.words.windows(2).all(|p| p[0].start_s <= p[1].start_s));
    }
});
