//! Any text as a user's cue file, then every phrase it holds matched over a transcript made of
//! the file's own words: an error or a lexicon, and matching that ends.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = paceback::analysis::lexicon::Lexicon::with_user(text);
    if let Ok(p) = paceback::analysis::phrases::Pattern::parse(text) {
        let words = paceback::analysis::phrases::normalize_all(
            &text.split_whitespace().cycle().take(200).collect::<Vec<_>>(),
        );
        let _ = p.find_all(&words);
    }
});
