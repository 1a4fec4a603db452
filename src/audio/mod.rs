//! Audio in: reading any PCM WAV (and, for practice, the microphone) into the one shape the
//! transcriber wants: 16 kHz mono `f32` in [-1, 1].

pub mod capture;
pub mod resample;
pub mod wav;
pub mod writer;

pub use resample::{StreamResampler, to_mono_16k};
pub use wav::{Pcm, read_wav};

/// The sample rate whisper works at.
pub const WHISPER_RATE: u32 = 16_000;

/// Mono audio at a known rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Mono {
    pub rate: u32,
    pub samples: Vec<f32>,
}

impl Mono {
    pub fn duration_s(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.rate)
    }
}
