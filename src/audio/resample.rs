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

/// Resampling of a stream that arrives in pieces (a microphone), to the same result as
/// resampling it whole: output delayed by nothing, `rate_out / rate_in` as many samples.
pub struct StreamResampler {
    inner: Option<Fft<f32>>,
    pending: Vec<f32>,
    scratch: Vec<f32>,
    delay_left: usize,
    consumed: u64,
    produced: u64,
    ratio: f64,
}

impl StreamResampler {
    pub fn new(rate_in: u32, rate_out: u32) -> anyhow::Result<Self> {
        let inner = (rate_in != rate_out)
            .then(|| {
                Fft::<f32>::new(
                    rate_in as usize,
                    rate_out as usize,
                    1024,
                    1,
                    FixedSync::Input,
                )
            })
            .transpose()
            .with_context(|| format!("cannot resample from {rate_in} Hz to {rate_out} Hz"))?;
        let delay_left = inner.as_ref().map_or(0, |r| r.output_delay());
        let scratch = vec![0.0; inner.as_ref().map_or(0, |r| r.output_frames_max())];
        Ok(StreamResampler {
            inner,
            pending: Vec::new(),
            scratch,
            delay_left,
            consumed: 0,
            produced: 0,
            ratio: f64::from(rate_out) / f64::from(rate_in),
        })
    }

    /// Resample as much of `mono` (plus what is pending) as whole chunks allow, into `out`.
    pub fn push(&mut self, mono: &[f32], out: &mut Vec<f32>) -> anyhow::Result<()> {
        self.consumed += mono.len() as u64;
        let Some(r) = self.inner.as_mut() else {
            self.produced += mono.len() as u64;
            out.extend_from_slice(mono);
            return Ok(());
        };
        self.pending.extend_from_slice(mono);
        let mut start = 0;
        while self.pending.len() - start >= r.input_frames_next() {
            start += Self::chunk(
                r,
                &self.pending[start..],
                None,
                &mut self.scratch,
                &mut self.delay_left,
                &mut self.produced,
                out,
            )?;
        }
        self.pending.drain(..start);
        Ok(())
    }

    /// Resample what is left and the resampler's delay, ending at exactly the expected length.
    pub fn finish(&mut self, out: &mut Vec<f32>) -> anyhow::Result<()> {
        let expected = (self.consumed as f64 * self.ratio).round() as u64;
        let Some(r) = self.inner.as_mut() else {
            return Ok(());
        };
        let pending = std::mem::take(&mut self.pending);
        let mut padded = pending.clone();
        padded.resize(r.input_frames_next().max(pending.len()), 0.0);
        Self::chunk(
            r,
            &padded,
            Some(pending.len()),
            &mut self.scratch,
            &mut self.delay_left,
            &mut self.produced,
            out,
        )?;
        while self.produced < expected {
            let silence = vec![0.0; r.input_frames_next()];
            Self::chunk(
                r,
                &silence,
                Some(0),
                &mut self.scratch,
                &mut self.delay_left,
                &mut self.produced,
                out,
            )?;
        }
        let extra = (self.produced - expected) as usize;
        out.truncate(out.len().saturating_sub(extra));
        self.produced = expected;
        Ok(())
    }

    /// Process one chunk from `input`; returns the input frames used.
    fn chunk(
        r: &mut Fft<f32>,
        input: &[f32],
        partial: Option<usize>,
        scratch: &mut [f32],
        delay_left: &mut usize,
        produced: &mut u64,
        out: &mut Vec<f32>,
    ) -> anyhow::Result<usize> {
        let need = r.input_frames_next();
        let adapter_in =
            InterleavedSlice::new(&input[..need], 1, need).context("resampler input")?;
        let frames_out = scratch.len();
        let mut adapter_out =
            InterleavedSlice::new_mut(scratch, 1, frames_out).context("resampler output")?;
        let indexing = partial.map(|n| rubato::Indexing {
            input_offset: 0,
            output_offset: 0,
            partial_len: Some(n),
            active_channels_mask: None,
        });
        let (used, made) = r
            .process_into_buffer(&adapter_in, &mut adapter_out, indexing.as_ref())
            .context("resampling failed")?;
        let skip = (*delay_left).min(made);
        *delay_left -= skip;
        out.extend_from_slice(&scratch[skip..made]);
        *produced += (made - skip) as u64;
        Ok(used.min(partial.unwrap_or(used)))
    }
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
    fn streaming_matches_the_expected_length_and_frequency() {
        for rate in [8_000, 44_100, 48_000] {
            let whole = sine(440.0, rate, 3.0);
            let mut r = StreamResampler::new(rate, 16_000).unwrap();
            let mut out = Vec::new();
            // odd-sized pieces, as a microphone delivers them
            for piece in whole.chunks(777) {
                r.push(piece, &mut out).unwrap();
            }
            r.finish(&mut out).unwrap();
            assert_eq!(out.len(), 48_000, "{rate} Hz");
            let hz = zero_crossing_hz(&out, 16_000);
            assert!((hz - 440.0).abs() < 2.0, "{rate} Hz: {hz}");
            // no delay: the first crossing after the start is where the sine's is
            let offline = resample(
                &Mono {
                    rate,
                    samples: whole,
                },
                16_000,
            )
            .unwrap();
            let n = offline.samples.len().min(out.len());
            let err: f32 = (1000..n - 1000)
                .map(|i| (offline.samples[i] - out[i]).abs())
                .fold(0.0, f32::max);
            assert!(
                err < 0.02,
                "{rate} Hz: streaming differs from whole-clip by {err}"
            );
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
