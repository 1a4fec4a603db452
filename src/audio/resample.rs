//! Downmixing and resampling to whisper's 16 kHz mono, with rubato's FFT resampler.

use anyhow::Context;
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

use super::{Mono, Pcm, WHISPER_RATE};

/// Average the channels of interleaved PCM into one.
pub fn downmix(pcm: &Pcm) -> Mono {
    let channels = usize::from(pcm.channels.max(1));
    let samples = if channels == 1 {
        pcm.samples.clone()
    } else {
        pcm.samples
            .chunks_exact(channels)
            .map(|frame| frame.iter().sum::<f32>() / channels as f32)
            .collect()
    };
    Mono {
        rate: pcm.rate,
        samples,
    }
}

/// Resample mono audio to `rate`; a no-op copy when the rate already matches.
pub fn resample(audio: &Mono, rate: u32) -> anyhow::Result<Mono> {
    if audio.rate == rate || audio.samples.is_empty() {
        return Ok(Mono {
            rate,
            samples: audio.samples.clone(),
        });
    }
    let mut resampler =
        Fft::<f32>::new(audio.rate as usize, rate as usize, 1024, 1, FixedSync::Both)
            .with_context(|| format!("cannot resample from {} Hz to {rate} Hz", audio.rate))?;
    let input = InterleavedSlice::new(&audio.samples, 1, audio.samples.len())
        .context("resampler input buffer")?;
    let out = resampler
        .process_all(&input, audio.samples.len(), None)
        .context("resampling failed")?;
    Ok(Mono {
        rate,
        samples: out.take_data(),
    })
}

/// Any PCM to whisper's input: mono, 16 kHz.
pub fn to_mono_16k(pcm: &Pcm) -> anyhow::Result<Mono> {
    resample(&downmix(pcm), WHISPER_RATE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f32::consts::TAU;

    fn sine(freq: f32, rate: u32, seconds: f32) -> Vec<f32> {
        let n = (rate as f32 * seconds) as usize;
        (0..n)
            .map(|i| 0.5 * (TAU * freq * i as f32 / rate as f32).sin())
            .collect()
    }

    /// Frequency estimated from zero crossings over the middle of the signal.
    fn zero_crossing_hz(samples: &[f32], rate: u32) -> f32 {
        let mid = &samples[samples.len() / 10..samples.len() * 9 / 10];
        let crossings = mid
            .windows(2)
            .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
            .count();
        crossings as f32 / 2.0 / (mid.len() as f32 / rate as f32)
    }

    #[test]
    fn resampling_keeps_a_sines_frequency_and_length() {
        for rate in [8_000, 22_050, 44_100, 48_000, 96_000] {
            let input = Mono {
                rate,
                samples: sine(440.0, rate, 2.0),
            };
            let out = resample(&input, 16_000).unwrap();
            assert_eq!(out.rate, 16_000);
            let expected_len = 32_000.0;
            assert!(
                (out.samples.len() as f32 - expected_len).abs() <= 16.0,
                "{rate} Hz: {} samples",
                out.samples.len()
            );
            let hz = zero_crossing_hz(&out.samples, 16_000);
            assert!((hz - 440.0).abs() < 2.0, "{rate} Hz: measured {hz} Hz");
            let peak = out.samples.iter().fold(0f32, |m, s| m.max(s.abs()));
            assert!((peak - 0.5).abs() < 0.05, "{rate} Hz: peak {peak}");
        }
    }

    #[test]
    fn same_rate_is_identity() {
        let input = Mono {
            rate: 16_000,
            samples: vec![0.1, -0.2, 0.3],
        };
        assert_eq!(resample(&input, 16_000).unwrap(), input);
    }

    #[test]
    fn downmix_averages_channels() {
        let pcm = Pcm {
            rate: 8_000,
            channels: 2,
            samples: vec![1.0, 0.0, 0.5, 0.5, -1.0, 1.0],
        };
        assert_eq!(downmix(&pcm).samples, vec![0.5, 0.5, 0.0]);
    }
}
