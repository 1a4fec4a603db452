//! Audio in: reading any common audio file (and, for practice, the microphone) into the one shape
//! the transcriber wants: 16 kHz mono `f32` in [-1, 1].

pub mod capture;
pub mod decode;
pub mod device;
pub mod level;
pub mod playback;
pub mod resample;
pub mod writer;

pub use decode::read_audio;
pub use resample::{StreamResampler, ToWhisper};

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
