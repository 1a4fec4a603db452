//! Any bytes as an audio file: a clear error or 16 kHz mono audio, never a panic, a hang or a
//! huge allocation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(mono) = paceback::audio::decode::read_audio_bytes(data.to_vec()) {
        assert_eq!(mono.rate, 16_000);
        assert!(mono.samples.iter().all(|s| s.is_finite()));
    }
});
