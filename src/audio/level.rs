//! The input level while recording: how loud the last moment was (for a meter), and the two
//! faults worth interrupting a take for — a microphone that hears nothing (muted, wrong device)
//! and one driven into clipping.

use std::collections::VecDeque;

/// Peak level, in dBFS, below which the input counts as silent. A working microphone in a quiet
/// room still hears its own noise (about -70 to -50 dBFS); a muted one delivers (near) zeros.
pub const SILENT_DBFS: f32 = -72.0;
/// Seconds of silent input before the muted-microphone warning.
pub const SILENT_WARN_S: f64 = 4.0;
/// A sample this close to full scale is clipped.
const CLIP_LEVEL: f32 = 0.99;
/// Clipped samples in the last [`RECENT_S`] above this fraction: the clipping warning.
const CLIP_FRACTION: f64 = 0.002;
/// The meter and the clipping check look at this much of the latest audio.
const RECENT_S: f64 = 1.0;

/// What is wrong with the input, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Silent,
    Clipping,
}

impl Fault {
    pub fn advice(self) -> &'static str {
        match self {
            Fault::Silent => {
                "no sound from the microphone: is it muted, or is it the wrong one? (see `paceback devices`)"
            }
            Fault::Clipping => {
                "the input is clipping: move back from the microphone or turn its gain down"
            }
        }
    }
}

/// A running input meter, fed the audio as it is recorded.
#[derive(Debug, Clone)]
pub struct Meter {
    rate: f64,
    /// (samples, peak, clipped samples) of each recent chunk, oldest first.
    recent: VecDeque<(usize, f32, usize)>,
    recent_samples: usize,
    /// Whole recording: samples and loudest peak.
    samples: u64,
    loudest: f32,
}

impl Meter {
    pub fn new(rate: u32) -> Meter {
        Meter {
            rate: f64::from(rate.max(1)),
            recent: VecDeque::new(),
            recent_samples: 0,
            samples: 0,
            loudest: 0.0,
        }
    }

    /// Take the next chunk of mono audio.
    pub fn push(&mut self, chunk: &[f32]) {
        if chunk.is_empty() {
            return;
        }
        // The peak about the chunk's mean: a microphone's DC offset is not sound (a muted one
        // with a bias is still muted, and the meter does not show the bias as level).
        let finite = || chunk.iter().copied().filter(|s| s.is_finite());
        let mean = finite().sum::<f32>() / finite().count().max(1) as f32;
        let peak = finite().map(|s| (s - mean).abs()).fold(0.0f32, f32::max);
        let clipped = chunk.iter().filter(|s| s.abs() >= CLIP_LEVEL).count();
        self.recent.push_back((chunk.len(), peak, clipped));
        self.recent_samples += chunk.len();
        let keep = (RECENT_S * self.rate) as usize;
        while self.recent_samples > keep && self.recent.len() > 1 {
            let (n, _, _) = self.recent.pop_front().expect("more than one");
            self.recent_samples -= n;
        }
        self.samples += chunk.len() as u64;
        self.loudest = self.loudest.max(peak);
    }

    /// Seconds of audio heard so far.
    pub fn seconds(&self) -> f64 {
        self.samples as f64 / self.rate
    }

    /// Peak of the last second, in dBFS (-inf for digital silence).
    pub fn level_dbfs(&self) -> f32 {
        let peak = self.recent.iter().map(|c| c.1).fold(0.0f32, f32::max);
        dbfs(peak)
    }

    /// The fault to warn about now: silence since the start for [`SILENT_WARN_S`], or clipping
    /// in the last second.
    pub fn fault(&self) -> Option<Fault> {
        if self.seconds() >= SILENT_WARN_S && dbfs(self.loudest) < SILENT_DBFS {
            return Some(Fault::Silent);
        }
        let clipped: usize = self.recent.iter().map(|c| c.2).sum();
        (self.recent_samples > 0 && clipped as f64 / self.recent_samples as f64 > CLIP_FRACTION)
            .then_some(Fault::Clipping)
    }
}

fn dbfs(peak: f32) -> f32 {
    20.0 * peak.max(f32::MIN_POSITIVE).log10()
}

/// A meter bar `width` cells wide for a level from -60 to 0 dBFS.
pub fn bar(level_dbfs: f32, width: usize) -> String {
    let filled = (((level_dbfs + 60.0) / 60.0).clamp(0.0, 1.0) * width as f32).round() as usize;
    format!("{}{}", "█".repeat(filled), "·".repeat(width - filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(amplitude: f32, seconds: f64) -> Vec<f32> {
        (0..(seconds * 16_000.0) as usize)
            .map(|i| amplitude * (i as f32 * 0.0628).sin())
            .collect()
    }

    #[test]
    fn digital_silence_is_a_muted_microphone_after_four_seconds() {
        let mut m = Meter::new(16_000);
        for _ in 0..39 {
            m.push(&[0.0; 1600]);
        }
        assert_eq!(m.fault(), None, "3.9 s is still a think pause");
        m.push(&[0.0; 1600]);
        assert_eq!(m.fault(), Some(Fault::Silent));
        assert!(m.level_dbfs() < -100.0);
    }

    #[test]
    fn room_noise_is_not_silence_and_speech_ends_the_warning() {
        let mut m = Meter::new(16_000);
        // -66 dBFS hiss: a quiet room through a working microphone.
        let hiss: Vec<f32> = (0..80_000)
            .map(|i| 0.0005 * if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        m.push(&hiss);
        assert_eq!(m.fault(), None);

        let mut muted = Meter::new(16_000);
        muted.push(&vec![0.0; 80_000]);
        assert_eq!(muted.fault(), Some(Fault::Silent));
        muted.push(&tone(0.2, 0.5));
        assert_eq!(muted.fault(), None, "sound arrived");
    }

    #[test]
    fn a_dc_offset_is_not_sound() {
        // A muted microphone with a bias: still muted after four seconds.
        let mut muted = Meter::new(16_000);
        for _ in 0..40 {
            muted.push(&[0.05; 1600]);
        }
        assert_eq!(muted.fault(), Some(Fault::Silent));
        // A voice on the bias reads at the voice's level.
        let mut m = Meter::new(16_000);
        m.push(&tone(0.1, 0.5).iter().map(|s| s + 0.05).collect::<Vec<_>>());
        assert!(
            (m.level_dbfs() - dbfs(0.1)).abs() < 0.5,
            "{}",
            m.level_dbfs()
        );
    }

    #[test]
    fn clipping_is_seen_in_the_last_second_only() {
        let mut m = Meter::new(16_000);
        m.push(&tone(0.3, 1.0));
        assert_eq!(m.fault(), None);
        m.push(
            &tone(1.5, 0.5)
                .iter()
                .map(|s| s.clamp(-1.0, 1.0))
                .collect::<Vec<_>>(),
        );
        assert_eq!(m.fault(), Some(Fault::Clipping));
        assert!(m.level_dbfs() > -0.1);
        for _ in 0..12 {
            m.push(&tone(0.3, 0.1));
        }
        assert_eq!(m.fault(), None, "a second later it is over");
        assert!((m.level_dbfs() - dbfs(0.3)).abs() < 0.1);
    }

    #[test]
    fn the_bar_spans_minus_sixty_to_zero() {
        assert_eq!(bar(-80.0, 4), "····");
        assert_eq!(bar(-30.0, 4), "██··");
        assert_eq!(bar(0.0, 4), "████");
    }
}
