//! Downmixing, cleaning and resampling to whisper's 16 kHz mono, with rubato's FFT resampler,
//! as audio arrives (a file being decoded or a microphone), so memory stays flat in its length.

use anyhow::Context;
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

use super::WHISPER_RATE;

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

/// Any interleaved audio, as it arrives, to whisper's input: 16 kHz mono in [-1, 1], channels
/// averaged (a channel with reversed polarity inverted first, see [`Polarity`]). Samples that
/// are not finite become silence and the rest are clamped, so no damaged file or driver can hand
/// the resampler or the recognizer a NaN, an infinity or a sample of 1000.
pub struct ToWhisper {
    channels: usize,
    resampler: StreamResampler,
    mono: Vec<f32>,
    polarity: Polarity,
}

/// Channels whose polarity is reversed against the first (a miswired stereo microphone, one
/// capsule inverted) cancel the voice in a plain average: such a file was "no speech detected".
/// Each channel's correlation with the first is followed over about a second; a channel that
/// runs clearly against it (normalized correlation under -0.5) is added inverted, until it
/// clearly runs with it again (over 0.5). Uncorrelated channels (two microphones apart, a
/// silent one) are never flipped.
struct Polarity {
    /// Per channel: decayed sums of x0·xk, xk² (x0² in `first`), and whether it is inverted.
    with_first: Vec<f64>,
    power: Vec<f64>,
    first: f64,
    inverted: Vec<bool>,
    decay: f64,
}

/// Normalized correlation past which a channel's polarity is taken as reversed (or restored).
const POLARITY_FLIP: f64 = 0.5;

impl Polarity {
    fn new(channels: usize, rate: u32) -> Polarity {
        Polarity {
            with_first: vec![0.0; channels],
            power: vec![0.0; channels],
            first: 0.0,
            inverted: vec![false; channels],
            // Sums over about a second of audio.
            decay: 1.0 - 1.0 / f64::from(rate.max(1)),
        }
    }

    /// The mean of one frame's (clean) samples, each channel with its polarity.
    fn mix(&mut self, frame: &[f32]) -> f32 {
        let x0 = f64::from(frame[0]);
        self.first = self.first * self.decay + x0 * x0;
        let mut sum = frame[0];
        for (k, &x) in frame.iter().enumerate().skip(1) {
            let xk = f64::from(x);
            self.with_first[k] = self.with_first[k] * self.decay + x0 * xk;
            self.power[k] = self.power[k] * self.decay + xk * xk;
            let scale = (self.first * self.power[k]).sqrt();
            if scale > 0.0 {
                let r = self.with_first[k] / scale;
                if r < -POLARITY_FLIP {
                    self.inverted[k] = true;
                } else if r > POLARITY_FLIP {
                    self.inverted[k] = false;
                }
            }
            sum += if self.inverted[k] { -x } else { x };
        }
        sum / frame.len() as f32
    }
}

impl ToWhisper {
    pub fn new(rate: u32, channels: u16) -> anyhow::Result<Self> {
        let channels = usize::from(channels.max(1));
        Ok(ToWhisper {
            channels,
            resampler: StreamResampler::new(rate, WHISPER_RATE)?,
            mono: Vec::new(),
            polarity: Polarity::new(channels, rate),
        })
    }

    /// Downmix, clean and resample `interleaved` (whole frames), appending to `out`.
    pub fn push(&mut self, interleaved: &[f32], out: &mut Vec<f32>) -> anyhow::Result<()> {
        self.mono.clear();
        let mut frame = vec![0.0f32; self.channels];
        for f in interleaved.chunks_exact(self.channels) {
            for (c, s) in frame.iter_mut().zip(f) {
                *c = clean(*s);
            }
            self.mono.push(clean(self.polarity.mix(&frame)));
        }
        self.resampler.push(&self.mono, out)
    }

    /// The resampler's tail, ending at exactly the expected length.
    pub fn finish(&mut self, out: &mut Vec<f32>) -> anyhow::Result<()> {
        self.resampler.finish(out)
    }
}

/// A sample fit for whisper: not finite is silence, beyond full scale is full scale.
fn clean(s: f32) -> f32 {
    if s.is_finite() {
        s.clamp(-1.0, 1.0)
    } else {
        0.0
    }
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

    /// The reference: rubato resampling the whole clip at once.
    fn offline(samples: &[f32], rate: u32) -> Vec<f32> {
        let mut r = Fft::<f32>::new(rate as usize, 16_000, 1024, 1, FixedSync::Both).unwrap();
        let input = InterleavedSlice::new(samples, 1, samples.len()).unwrap();
        r.process_all(&input, samples.len(), None)
            .unwrap()
            .take_data()
    }

    fn streamed(samples: &[f32], rate: u32, channels: u16, piece: usize) -> Vec<f32> {
        let mut r = ToWhisper::new(rate, channels).unwrap();
        let mut out = Vec::new();
        // odd-sized pieces, as a microphone or a decoder delivers them
        for chunk in samples.chunks(piece * usize::from(channels)) {
            r.push(chunk, &mut out).unwrap();
        }
        r.finish(&mut out).unwrap();
        out
    }

    #[test]
    fn resampling_keeps_a_sines_frequency_length_and_level() {
        for rate in [8_000, 22_050, 44_100, 48_000, 96_000] {
            let out = streamed(&sine(440.0, rate, 2.0), rate, 1, 777);
            assert_eq!(out.len(), 32_000, "{rate} Hz");
            let hz = zero_crossing_hz(&out, 16_000);
            assert!((hz - 440.0).abs() < 2.0, "{rate} Hz: measured {hz} Hz");
            let peak = out.iter().fold(0f32, |m, s| m.max(s.abs()));
            assert!((peak - 0.5).abs() < 0.05, "{rate} Hz: peak {peak}");
        }
    }

    #[test]
    fn streaming_matches_resampling_the_whole_clip() {
        for rate in [8_000, 44_100, 48_000] {
            let whole = sine(440.0, rate, 3.0);
            let out = streamed(&whole, rate, 1, 777);
            let reference = offline(&whole, rate);
            let n = reference.len().min(out.len());
            let err: f32 = (1000..n - 1000)
                .map(|i| (reference[i] - out[i]).abs())
                .fold(0.0, f32::max);
            assert!(
                err < 0.02,
                "{rate} Hz: streaming differs from whole-clip by {err}"
            );
        }
    }

    #[test]
    fn same_rate_is_identity() {
        let samples = vec![0.1, -0.2, 0.3];
        assert_eq!(streamed(&samples, 16_000, 1, 2), samples);
    }

    #[test]
    fn channels_are_averaged() {
        let stereo = [1.0, 0.0, 0.5, 0.5, -1.0, 1.0];
        assert_eq!(streamed(&stereo, 16_000, 2, 1), vec![0.5, 0.5, 0.0]);
    }

    #[test]
    fn damaged_samples_become_silence_or_full_scale() {
        let bad = [
            f32::NAN,
            f32::INFINITY,
            -1000.0,
            0.25,
            f32::NEG_INFINITY,
            3.0,
        ];
        assert_eq!(
            streamed(&bad, 16_000, 1, 4),
            vec![0.0, 0.0, -1.0, 0.25, 0.0, 1.0]
        );
        // and at another rate the resampler sees only finite samples
        let mut noisy = sine(440.0, 48_000, 1.0);
        for s in noisy.iter_mut().step_by(97) {
            *s = f32::NAN;
        }
        let out = streamed(&noisy, 48_000, 1, 1000);
        assert!(out.iter().all(|s| s.is_finite()));
        assert_eq!(out.len(), 16_000);
    }

    #[test]
    fn a_channel_with_reversed_polarity_does_not_cancel_the_voice() {
        let voice = sine(300.0, 48_000, 2.0);
        let level = |out: &[f32]| {
            let tail = &out[8_000..];
            (tail.iter().map(|s| s * s).sum::<f32>() / tail.len() as f32).sqrt()
        };
        let mono = streamed(&voice, 48_000, 1, 4_800);
        // Left as recorded, right inverted: an average would be silence.
        let inverted: Vec<f32> = voice.iter().flat_map(|s| [*s, -*s]).collect();
        let out = streamed(&inverted, 48_000, 2, 4_800);
        assert!(
            level(&out) > 0.9 * level(&mono),
            "{} vs {}",
            level(&out),
            level(&mono)
        );
        // Two channels in phase, and one silent beside a voice, are averaged as before.
        let same: Vec<f32> = voice.iter().flat_map(|s| [*s, *s]).collect();
        assert!((level(&streamed(&same, 48_000, 2, 4_800)) - level(&mono)).abs() < 0.01);
        let one_sided: Vec<f32> = voice.iter().flat_map(|s| [*s, 0.0]).collect();
        let half = level(&streamed(&one_sided, 48_000, 2, 4_800));
        assert!((half - 0.5 * level(&mono)).abs() < 0.01, "{half}");
    }
}
