//! Where the voice is, heard by a neural voice-activity detector (Silero VAD through
//! whisper.cpp), for word ends that stop where speech stops.
//!
//! The sound-level detector ([`super::windows`]) cuts windows well, but in room noise a sentence's
//! final "s" lies under the noise floor and its stretch of speech ends early: the pause after it
//! looks 0.2–0.4 s longer than it was (README, "Pauses"). The detector here reads speech, not
//! level, one probability per 32 ms frame. The recording streams through it in pieces, each with
//! a second of the audio before it so the network's memory is warm at the join, so memory holds
//! one piece whatever the recording's length. Its stretches of speech are what the words are
//! finally fitted to ([`super::pauses::fit_to_speech`]).

use whisper_rs::{WhisperVadContext, WhisperVadContextParams};

use crate::error::Result;
use crate::model::vad::FRAME;

/// Speech probabilities of audio, one per [`FRAME`] samples of 16 kHz mono (a last partial frame
/// counts as one), with the detector's memory fresh at the start of `samples`. The seam between
/// paceback and the model (fakes in tests).
pub trait VoiceActivity {
    fn probabilities(&mut self, samples: &[f32]) -> Result<Vec<f32>>;
}

/// Silero VAD v6 in whisper.cpp.
pub struct SileroVad {
    ctx: WhisperVadContext,
}

impl SileroVad {
    /// Load the converted model ([`crate::model::vad`]); one thread: its graph is a few small
    /// layers per frame, where more threads only wait on each other.
    pub fn load(path: &std::path::Path) -> anyhow::Result<Self> {
        // whisper.cpp's own log lines go to the `log` hook (silent), not stderr.
        whisper_rs::install_logging_hooks();
        let mut params = WhisperVadContextParams::new();
        params.set_n_threads(1);
        params.set_use_gpu(false);
        let path_str = path
            .to_str()
            .ok_or_else(|| anyhow::anyhow!("the model path {} is not UTF-8", path.display()))?;
        let ctx = WhisperVadContext::new(path_str, params).map_err(|e| {
            anyhow::anyhow!(
                "the voice-activity model {} could not be loaded ({e}); remove it and run `paceback model fetch`",
                path.display()
            )
        })?;
        Ok(SileroVad { ctx })
    }
}

impl VoiceActivity for SileroVad {
    fn probabilities(&mut self, samples: &[f32]) -> Result<Vec<f32>> {
        self.ctx
            .detect_speech(samples)
            .map_err(|e| anyhow::anyhow!("voice-activity detection failed: {e}"))?;
        Ok(self.ctx.probabilities().to_vec())
    }
}

/// Frames in one piece of the recording (about 33 s).
const PIECE_FRAMES: usize = 1024;
/// Frames of audio read again before each piece after the first, to warm the network's memory
/// (about 1 s); their probabilities are dropped.
const LEAD_FRAMES: usize = 32;

/// A frame is speech from this probability on (the detector's own default). No hysteresis (as
/// Silero's wrapper has, off only below 0.35): bridging short silences already keeps speech
/// whole, and the probability decays 0.05-0.15 s after speech ends, so a lower "off" moves every
/// end late. Measured (README, "Pauses"): -35 dBFS pause recall 54/56 with it, 56/56 without.
pub const THRESHOLD: f32 = 0.5;
/// Silences shorter than this do not split speech (the sound-level detector's shortest pause).
pub const MIN_GAP_S: f64 = 0.3;

/// A recording's voice activity, pushed through a detector as it streams by.
pub struct VoiceTrack<'a> {
    vad: &'a mut dyn VoiceActivity,
    pending: Vec<f32>,
    /// The end of the previous piece, read again before the next.
    lead: Vec<f32>,
    probs: Vec<f32>,
}

impl<'a> VoiceTrack<'a> {
    pub fn new(vad: &'a mut dyn VoiceActivity) -> Self {
        VoiceTrack {
            vad,
            pending: Vec::with_capacity(PIECE_FRAMES * FRAME),
            lead: Vec::new(),
            probs: Vec::new(),
        }
    }

    /// Add the next audio (16 kHz mono).
    pub fn push(&mut self, mut chunk: &[f32]) -> Result<()> {
        let piece = PIECE_FRAMES * FRAME;
        while !chunk.is_empty() {
            let take = (piece - self.pending.len()).min(chunk.len());
            self.pending.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.pending.len() == piece {
                self.run()?;
            }
        }
        Ok(())
    }

    /// The probabilities of the pending audio, read after the lead.
    fn run(&mut self) -> Result<()> {
        let skip = self.lead.len() / FRAME;
        let mut input = std::mem::take(&mut self.lead);
        input.extend_from_slice(&self.pending);
        let probs = self.vad.probabilities(&input)?;
        self.probs.extend(probs.into_iter().skip(skip));
        self.lead = input[input.len().saturating_sub(LEAD_FRAMES * FRAME)..].to_vec();
        self.pending.clear();
        Ok(())
    }

    /// The stretches of speech, in seconds.
    pub fn finish(mut self) -> Result<Vec<(f64, f64)>> {
        if !self.pending.is_empty() {
            self.run()?;
        }
        Ok(stretches(&self.probs))
    }
}

/// Stretches of speech (seconds) from per-frame probabilities: frames from [`THRESHOLD`] on,
/// silences shorter than [`MIN_GAP_S`] bridged.
pub fn stretches(probs: &[f32]) -> Vec<(f64, f64)> {
    let frame_s = FRAME as f64 / f64::from(crate::audio::WHISPER_RATE);
    let mut out: Vec<(f64, f64)> = Vec::new();
    let mut start = None;
    for (i, &p) in probs.iter().chain([&0.0]).enumerate() {
        match start {
            None if p >= THRESHOLD => start = Some(i),
            Some(s) if p < THRESHOLD => {
                push_bridged(&mut out, (s as f64 * frame_s, i as f64 * frame_s));
                start = None;
            }
            _ => {}
        }
    }
    out
}

fn push_bridged(out: &mut Vec<(f64, f64)>, (a, b): (f64, f64)) {
    match out.last_mut() {
        Some(last) if a - last.1 < MIN_GAP_S - 1e-9 => last.1 = b,
        _ => out.push((a, b)),
    }
}

/// A detector for tests that hears speech in the frames whose middle lies in one of its
/// stretches (seconds): for recordings short enough to be read in one piece.
#[cfg(test)]
pub(crate) struct Heard(pub Vec<(f64, f64)>);

#[cfg(test)]
impl VoiceActivity for Heard {
    fn probabilities(&mut self, samples: &[f32]) -> Result<Vec<f32>> {
        assert!(samples.len() <= PIECE_FRAMES * FRAME, "one piece only");
        let frame_s = FRAME as f64 / f64::from(crate::audio::WHISPER_RATE);
        Ok((0..samples.len().div_ceil(FRAME))
            .map(|i| {
                let mid = (i as f64 + 0.5) * frame_s;
                if self.0.iter().any(|&(a, b)| a <= mid && mid <= b) {
                    0.9
                } else {
                    0.05
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Hears" speech where the audio is loud, and lets its memory show: the first frame after a
    /// fresh start is never speech (so a missing warm-up would show at every join).
    struct Loudness {
        calls: usize,
    }

    impl VoiceActivity for Loudness {
        fn probabilities(&mut self, samples: &[f32]) -> Result<Vec<f32>> {
            self.calls += 1;
            Ok(samples
                .chunks(FRAME)
                .enumerate()
                .map(|(i, f)| {
                    let loud = f.iter().map(|x| x.abs()).fold(0.0, f32::max) > 0.1;
                    if loud && i > 0 { 0.9 } else { 0.1 }
                })
                .collect())
        }
    }

    /// `parts` of (seconds, speech?) at 16 kHz.
    fn audio(parts: &[(f64, bool)]) -> Vec<f32> {
        parts
            .iter()
            .flat_map(|&(s, on)| {
                let n = (s * 16_000.0) as usize;
                (0..n).map(move |i| {
                    if on {
                        (i as f32 * 0.3).sin() * 0.5
                    } else {
                        0.0
                    }
                })
            })
            .collect()
    }

    #[test]
    fn a_long_recording_in_pieces_has_one_stretch_per_stretch_of_speech() {
        let parts = [
            (0.5, false),
            (20.0, true),
            (2.0, false),
            (30.0, true), // crosses the first join at ~32.8 s
            (4.0, false),
            (15.0, true),
            (1.0, false),
        ];
        let a = audio(&parts);
        let mut vad = Loudness { calls: 0 };
        let mut track = VoiceTrack::new(&mut vad);
        for chunk in a.chunks(7_777) {
            track.push(chunk).unwrap();
        }
        let got = track.finish().unwrap();
        assert_eq!(vad.calls, 3, "72.5 s in pieces of ~33 s");
        let want = [(0.5, 20.5), (22.5, 52.5), (56.5, 71.5)];
        assert_eq!(got.len(), want.len(), "{got:?}");
        for ((a, b), (x, y)) in got.iter().zip(want) {
            // Frames are 32 ms, and the fake needs a frame to wake at the very start.
            assert!((a - x).abs() <= 0.07 && (b - y).abs() <= 0.04, "{got:?}");
        }
    }

    #[test]
    fn speech_is_read_at_the_threshold_and_short_silences_are_bridged() {
        let f = FRAME as f64 / 16_000.0;
        // A 5-frame (0.16 s) silence is bridged, a 10-frame (0.32 s) one is a pause; speech to
        // the last frame ends with the recording.
        let mut p = vec![0.1, 0.6, 0.5, 0.45];
        p.extend([0.1; 4]);
        p.extend([0.9, 0.9]);
        p.extend([0.1; 10]);
        p.extend([0.9, 0.7]);
        let got = stretches(&p);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!((got[0].0 - f).abs() < 1e-9 && (got[0].1 - 10.0 * f).abs() < 1e-9);
        assert!((got[1].0 - 20.0 * f).abs() < 1e-9 && (got[1].1 - 22.0 * f).abs() < 1e-9);
        assert!(stretches(&[0.4, 0.49, 0.1]).is_empty());
        assert!(stretches(&[]).is_empty());
    }
}
