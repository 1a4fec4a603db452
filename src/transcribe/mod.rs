//! Speech to timed words. The audio is cut at pauses into windows ([`windows`]); each window goes
//! to a [`Recognizer`] (whisper in the product, canned words in tests); the results are shifted to
//! recording time and joined into one [`Transcript`].

pub mod pauses;
pub mod tokens;
pub mod voice;
pub mod whisper;
pub mod windows;

use crate::audio::Mono;
use crate::error::Result;
use crate::time::round_cs;
use crate::transcript::{Segment, Transcript, Word};

pub use voice::{VoiceActivity, VoiceTrack};
pub use windows::{LiveWindower, Span, Window, WindowConfig};

/// Recognizes the speech in one window of 16 kHz mono audio; word times are seconds from the
/// window's start. The seam between paceback and the speech model; `window` says where the audio
/// came from in the recording (fakes use it, whisper does not need it).
pub trait Recognizer {
    /// What to call this recognizer in output (`tiny.en q8_0`).
    fn name(&self) -> String;

    fn recognize(&mut self, samples: &[f32], window: &Window) -> Result<Vec<Word>>;
}

/// Builds a transcript window by window: each window's words, mapped to recording time.
#[derive(Debug, Default)]
pub struct TranscriptBuilder {
    pub words: Vec<Word>,
    pub segments: Vec<Segment>,
    /// The words of each segment.
    segment_words: Vec<std::ops::Range<usize>>,
    /// The words as the model timed them, before any fitting.
    heard: Vec<Word>,
}

impl TranscriptBuilder {
    /// Recognize a window (`samples` are its audio, 16 kHz mono) and add its words in recording
    /// time.
    pub fn add(
        &mut self,
        recognizer: &mut dyn Recognizer,
        samples: &[f32],
        window: &Window,
    ) -> Result<&[Word]> {
        let rate = crate::audio::WHISPER_RATE;
        let found = recognizer.recognize(samples, window)?;
        let mut found: Vec<Word> = found
            .into_iter()
            .map(|w| {
                let at = |t: f64| window.to_recording(t, rate);
                Word::new(w.w, at(w.start_s), at(w.end_s))
            })
            .collect();
        let secs = |s: usize| s as f64 / f64::from(rate);
        let speech: Vec<(f64, f64)> = window
            .speech
            .iter()
            .map(|s| (secs(s.start), secs(s.end)))
            .collect();
        self.heard.extend(found.iter().cloned());
        pauses::fit_to_speech(&mut found, &speech, pauses::Outside::Move);
        round_times(&mut found);
        if let (Some(first), Some(last)) = (found.first(), found.last()) {
            let at = self.words.len();
            self.segment_words.push(at..at + found.len());
            self.segments.push(Segment {
                start_s: first.start_s,
                end_s: last.end_s,
                text: found
                    .iter()
                    .map(|w| w.w.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            });
        }
        let before = self.words.len();
        self.words.extend(found);
        Ok(&self.words[before..])
    }

    /// Fit the words as the model timed them to the voice-activity detector's stretches of
    /// speech instead (seconds, in order; see [`voice`]), which find where speech ends in noise
    /// better than the sound level. A word the detector did not hear keeps its fit to the sound
    /// level. No stretches: nothing changes.
    pub fn fit_to_voice(&mut self, speech: &[(f64, f64)]) {
        if speech.is_empty() {
            return;
        }
        let mut words = self.heard.clone();
        let fitted = pauses::fit_to_speech(&mut words, speech, pauses::Outside::Keep);
        round_times(&mut words);
        for ((word, by_voice), by_level) in words.into_iter().zip(fitted).zip(&mut self.words) {
            if by_voice {
                *by_level = word;
            }
        }
        // A word fitted to the voice may have moved before a neighbour that kept its fit to the
        // level (its stretch's start snapped over it): words stay in time order.
        for i in 1..self.words.len() {
            let floor = self.words[i - 1].start_s;
            let w = &mut self.words[i];
            w.start_s = w.start_s.max(floor);
            w.end_s = w.end_s.max(w.start_s);
        }
        for (segment, range) in self.segments.iter_mut().zip(&self.segment_words) {
            let words = &self.words[range.clone()];
            if let (Some(first), Some(last)) = (words.first(), words.last()) {
                segment.start_s = first.start_s;
                segment.end_s = last.end_s;
            }
        }
    }

    pub fn finish(self, model: String, duration_s: f64) -> Transcript {
        Transcript::new(model, duration_s, self.words, self.segments)
    }
}

fn round_times(words: &mut [Word]) {
    for w in words {
        w.start_s = round_cs(w.start_s);
        w.end_s = round_cs(w.end_s);
    }
}

/// Transcribe a whole recording held in memory. `progress` receives the seconds of audio done
/// so far.
pub fn transcribe(
    recognizer: &mut dyn Recognizer,
    audio: &Mono,
    config: &WindowConfig,
    progress: &mut dyn FnMut(f64),
) -> Result<Transcript> {
    debug_assert_eq!(audio.rate, crate::audio::WHISPER_RATE);
    let mut replay = |sink: &mut dyn FnMut(&[f32]) -> Result<()>| sink(&audio.samples);
    let plan = Plan::of(&mut replay, config, None)?;
    plan.transcribe(recognizer, &mut replay, progress)
}

/// Audio that can be played from its start as often as asked: each call hands the 16 kHz mono
/// audio to the sink in order, in pieces of any size.
pub type Replayable<'a> = dyn FnMut(&mut dyn FnMut(&[f32]) -> Result<()>) -> Result<()> + 'a;

/// How a recording will be transcribed: its length and its windows, from one pass over its
/// audio that keeps only the frame levels (so a recording is never held whole).
#[derive(Debug, Clone)]
pub struct Plan {
    /// Samples in the recording.
    pub len: usize,
    pub windows: Vec<Window>,
    /// Stretches of speech (seconds) heard by the voice-activity detector, when there is one.
    pub voice: Vec<(f64, f64)>,
}

impl Plan {
    /// The windows of `audio`, cut as [`windows::windows`] cuts them, and where `vad` (if any)
    /// hears speech, in the same pass.
    pub fn of(
        audio: &mut Replayable,
        config: &WindowConfig,
        vad: Option<&mut dyn VoiceActivity>,
    ) -> Result<Plan> {
        let mut levels = windows::Levels::default();
        let mut track = vad.map(VoiceTrack::new);
        audio(&mut |chunk| {
            levels.push(chunk);
            track.as_mut().map_or(Ok(()), |t| t.push(chunk))
        })?;
        let levels = levels.finish();
        let rate = crate::audio::WHISPER_RATE;
        Ok(Plan {
            len: levels.len,
            windows: windows::windows_of_levels(&levels, rate, config),
            voice: track.map_or(Ok(Vec::new()), VoiceTrack::finish)?,
        })
    }

    pub fn duration_s(&self) -> f64 {
        self.len as f64 / f64::from(crate::audio::WHISPER_RATE)
    }

    /// Transcribe `audio` (the recording planned, streaming by again): each window's audio is
    /// gathered as it passes and recognized, so memory holds one window of audio.
    pub fn transcribe(
        &self,
        recognizer: &mut dyn Recognizer,
        audio: &mut Replayable,
        progress: &mut dyn FnMut(f64),
    ) -> Result<Transcript> {
        let rate = f64::from(crate::audio::WHISPER_RATE);
        let mut builder = TranscriptBuilder::default();
        let (mut next, mut at) = (0, 0);
        let mut gathered: Vec<f32> = Vec::new();
        audio(&mut |chunk| {
            let end = at + chunk.len();
            while let Some(window) = self.windows.get(next) {
                for part in &window.parts {
                    let (a, b) = (part.start.max(at), part.end.min(end));
                    if a < b {
                        gathered.extend_from_slice(&chunk[a - at..b - at]);
                    }
                }
                if window.extent().end > end {
                    break;
                }
                crate::interrupt::check()?;
                builder.add(recognizer, &gathered, window)?;
                progress(window.extent().end as f64 / rate);
                gathered.clear();
                next += 1;
            }
            at = end;
            Ok(())
        })?;
        if next < self.windows.len() {
            return Err(anyhow::anyhow!(
                "the audio ended at {:.1} s the second time it was read, not at {:.1} s: did the file change?",
                at as f64 / rate,
                self.duration_s()
            )
            .into());
        }
        builder.fit_to_voice(&self.voice);
        Ok(builder.finish(recognizer.name(), self.duration_s()))
    }
}

/// A recognizer that replays words scripted in recording time: each window yields the words
/// that start inside it. For tests of everything around the model.
#[derive(Debug, Clone, Default)]
pub struct Scripted {
    pub words: Vec<Word>,
    /// Every window handed in, as (start, end) recording seconds.
    pub windows_seen: Vec<(f64, f64)>,
}

impl Scripted {
    pub fn new(words: Vec<Word>) -> Self {
        Scripted {
            words,
            windows_seen: Vec::new(),
        }
    }
}

impl Recognizer for Scripted {
    fn name(&self) -> String {
        "scripted".into()
    }

    fn recognize(&mut self, _samples: &[f32], window: &Window) -> Result<Vec<Word>> {
        let rate = crate::audio::WHISPER_RATE;
        let span = window.extent();
        self.windows_seen.push((
            span.start as f64 / f64::from(rate),
            span.end as f64 / f64::from(rate),
        ));
        Ok(self
            .words
            .iter()
            .filter_map(|w| {
                let start = window.to_window(w.start_s, rate)?;
                let end = window.to_window(w.end_s, rate).unwrap_or(start);
                Some(Word::new(w.w.clone(), start, end))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(seconds: f64) -> Vec<f32> {
        (0..(seconds * 16_000.0) as usize)
            .map(|i| 0.3 * (i as f32 * 0.0864).sin())
            .collect()
    }

    /// Keeps the audio of every window it is given.
    #[derive(Default)]
    struct Keeper {
        heard: Vec<(Window, Vec<f32>)>,
    }

    impl Recognizer for Keeper {
        fn name(&self) -> String {
            "keeper".into()
        }
        fn recognize(&mut self, samples: &[f32], window: &Window) -> Result<Vec<Word>> {
            self.heard.push((window.clone(), samples.to_vec()));
            Ok(Vec::new())
        }
    }

    #[test]
    fn a_streamed_recording_is_cut_and_heard_exactly_as_a_whole_one() {
        // Sparse speech with long pauses (windows whose parts skip minutes), 40 s without a
        // pause (cut at its quietest frame), and a length that is no whole number of frames.
        let mut samples = vec![0.0; 16_000 * 3];
        for (speech, pause) in [
            (4.0, 70.0),
            (6.0, 0.6),
            (40.0, 2.5),
            (3.0, 45.0),
            (12.0, 0.0),
        ] {
            samples.extend(tone(speech));
            samples.extend(vec![0.0; (pause * 16_000.0) as usize]);
        }
        samples.extend(vec![0.0; 77]);
        let config = WindowConfig::default();
        let whole = windows::windows(&samples, 16_000, &config);
        assert!(whole.len() >= 4, "{}", whole.len());
        // Pieces of every size, as a decoder hands them over.
        let mut replay = |sink: &mut dyn FnMut(&[f32]) -> Result<()>| {
            let (mut at, mut k) = (0, 0);
            while at < samples.len() {
                let n = [1, 777, 4096, 160, 33_333][k % 5].min(samples.len() - at);
                sink(&samples[at..at + n])?;
                at += n;
                k += 1;
            }
            Ok(())
        };
        let plan = Plan::of(&mut replay, &config, None).unwrap();
        assert_eq!(plan.len, samples.len());
        assert_eq!(
            plan.windows, whole,
            "the same windows as the whole recording gives"
        );
        let mut keeper = Keeper::default();
        let mut done = Vec::new();
        plan.transcribe(&mut keeper, &mut replay, &mut |s| done.push(s))
            .unwrap();
        assert_eq!(keeper.heard.len(), whole.len());
        for (w, (seen, audio)) in whole.iter().zip(&keeper.heard) {
            assert_eq!(seen, w);
            assert!(
                *audio == w.samples(&samples),
                "window {:?}: other audio",
                w.extent()
            );
        }
        assert_eq!(done.len(), whole.len());
        assert!(done.windows(2).all(|p| p[0] < p[1]));
    }

    #[test]
    fn audio_shorter_the_second_time_is_an_error_not_a_short_transcript() {
        let mut samples = vec![0.0; 16_000];
        samples.extend(tone(5.0));
        samples.extend(vec![0.0; 16_000]);
        let mut passes = 0;
        let mut replay = |sink: &mut dyn FnMut(&[f32]) -> Result<()>| {
            passes += 1;
            sink(if passes == 1 {
                &samples
            } else {
                &samples[..32_000]
            })
        };
        let plan = Plan::of(&mut replay, &WindowConfig::default(), None).unwrap();
        let e = plan
            .transcribe(&mut Keeper::default(), &mut replay, &mut |_| {})
            .unwrap_err();
        assert!(e.to_string().contains("did the file change"), "{e}");
    }

    #[test]
    fn words_come_back_in_recording_time_from_every_window() {
        // 6 s silence, 10 s speech, 2 s pause, 25 s speech, 1 s silence: two windows.
        let mut samples = vec![0.0; 96_000];
        samples.extend(tone(10.0));
        samples.extend(vec![0.0; 32_000]);
        samples.extend(tone(25.0));
        samples.extend(vec![0.0; 16_000]);
        let audio = Mono {
            rate: 16_000,
            samples,
        };
        let words = vec![
            Word::new("first", 6.0, 6.4),
            Word::new("second", 15.5, 15.9),
            Word::new("third", 18.1, 18.5),
            Word::new("last", 42.5, 42.9),
        ];
        let mut rec = Scripted::new(words.clone());
        let mut done = Vec::new();
        let t = transcribe(&mut rec, &audio, &WindowConfig::default(), &mut |s| {
            done.push(s)
        })
        .unwrap();
        // fitted to the speech: the first word of each stretch starts where it starts, the last
        // ends where it ends (a frame after an abrupt cut to digital silence is bright: the
        // step itself)
        let fitted = vec![
            Word::new("first", 6.0, 6.4),
            Word::new("second", 15.5, 16.01),
            Word::new("third", 18.0, 18.5),
            Word::new("last", 42.5, 43.01),
        ];
        assert_eq!(t.words, fitted);
        assert_eq!(rec.windows_seen.len(), 2, "{:?}", rec.windows_seen);
        assert_eq!(t.segments.len(), 2);
        assert_eq!(t.segments[0].text, "first second");
        assert_eq!(t.duration_s, 44.0);
        assert_eq!(done.len(), 2);
        assert!(
            (rec.windows_seen[0].0 - 5.8).abs() < 0.02,
            "{:?}",
            rec.windows_seen
        );
    }

    #[test]
    fn a_word_does_not_swallow_a_long_pause_inside_a_window() {
        // 1 s silence, 3 s speech, a 4 s pause (shortened to 1 s in the window), 3 s speech
        let mut samples = vec![0.0; 16_000];
        samples.extend(tone(3.0));
        samples.extend(vec![0.0; 64_000]);
        samples.extend(tone(3.0));
        samples.extend(vec![0.0; 16_000]);
        let audio = Mono {
            rate: 16_000,
            samples,
        };
        // the recognizer ends "upload." after the pause, as DTW does with a late full stop
        let mut rec = Scripted::new(vec![
            Word::new("We", 1.0, 2.0),
            Word::new("upload.", 2.0, 8.2),
            Word::new("Then", 8.2, 9.0),
            Word::new("stop.", 9.0, 11.0),
        ]);
        let t = transcribe(&mut rec, &audio, &WindowConfig::default(), &mut |_| {}).unwrap();
        assert_eq!(rec.windows_seen.len(), 1, "{:?}", rec.windows_seen);
        let w = &t.words;
        assert_eq!(w.len(), 4, "{w:?}");
        assert!((w[1].end_s - 4.0).abs() <= 0.02, "{w:?}");
        assert!((w[2].start_s - 8.0).abs() <= 0.02, "{w:?}");
    }

    #[test]
    fn words_are_fitted_last_to_the_voice_and_segments_follow_them() {
        // Tone 1-4 s and 8-11 s; the voice detector hears speech only at 1.0-3.7 s and
        // 8.3-10.8 s (the tone's edges are noise to it).
        let mut samples = vec![0.0; 16_000];
        samples.extend(tone(3.0));
        samples.extend(vec![0.0; 64_000]);
        samples.extend(tone(3.0));
        samples.extend(vec![0.0; 16_000]);
        let mut vad = voice::Heard(vec![(1.0, 3.7), (8.3, 10.8)]);
        let mut replay = |sink: &mut dyn FnMut(&[f32]) -> Result<()>| sink(&samples);
        let plan = Plan::of(&mut replay, &WindowConfig::default(), Some(&mut vad)).unwrap();
        assert_eq!(plan.voice.len(), 2, "{:?}", plan.voice);
        let mut rec = Scripted::new(vec![
            Word::new("We", 1.0, 2.0),
            Word::new("upload.", 2.0, 8.2),
            Word::new("Then", 8.2, 9.0),
            Word::new("stop.", 9.0, 11.0),
        ]);
        let t = plan.transcribe(&mut rec, &mut replay, &mut |_| {}).unwrap();
        let w = &t.words;
        assert!((w[1].end_s - 3.7).abs() <= 0.02, "{w:?}");
        assert!((w[2].start_s - 8.3).abs() <= 0.02, "{w:?}");
        assert!((w[3].end_s - 10.8).abs() <= 0.02, "{w:?}");
        assert_eq!(t.segments.len(), 1);
        assert_eq!(
            (t.segments[0].start_s, t.segments[0].end_s),
            (w[0].start_s, w[3].end_s)
        );
    }

    #[test]
    fn words_stay_in_time_order_when_the_voice_moves_one_before_a_word_it_did_not_hear() {
        // The model put "um" in the voice's silence (10.1-10.45 s), so it keeps its fit to the
        // level (10.5-10.55 s); "this" is fitted to the voice and its start snaps to 10.45 s.
        let mut b = TranscriptBuilder {
            heard: vec![
                Word::new("question.", 9.5, 10.1),
                Word::new("um", 10.15, 10.4),
                Word::new("this", 10.6, 10.87),
            ],
            words: vec![
                Word::new("question.", 9.5, 10.1),
                Word::new("um", 10.5, 10.55),
                Word::new("this", 10.6, 10.87),
            ],
            ..TranscriptBuilder::default()
        };
        b.fit_to_voice(&[(9.0, 10.1), (10.45, 11.1)]);
        assert_eq!(b.words[1].start_s, 10.5, "{:?}", b.words);
        assert_eq!(b.words[2].start_s, 10.5, "{:?}", b.words);
        assert_eq!(b.words[2].end_s, 11.1, "{:?}", b.words);
    }

    #[test]
    fn silence_gives_an_empty_transcript_without_calling_the_model() {
        let audio = Mono {
            rate: 16_000,
            samples: vec![0.0; 160_000],
        };
        let mut rec = Scripted::new(vec![Word::new("ghost", 1.0, 1.2)]);
        let t = transcribe(&mut rec, &audio, &WindowConfig::default(), &mut |_| {}).unwrap();
        assert!(t.words.is_empty() && t.segments.is_empty());
        assert!(rec.windows_seen.is_empty());
    }
}
