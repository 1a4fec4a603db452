//! Any bytes as a whisper.cpp model: the header and tensor-table check answers without a panic
//! and without reading or allocating beyond the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let _ = paceback::model::ggml::verify_reader(
        std::io::Cursor::new(data),
        len,
        std::path::Path::new("<bytes>"),
    );
});
