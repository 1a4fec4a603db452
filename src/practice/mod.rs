//! A practice session: record an answer while transcribing it live, so that the full report
//! is ready moments after you stop.
//!
//! Tasks (tokio): the recorder (a blocking thread: microphone → WAV on disk) sends 16 kHz audio
//! to the windower, which cuts it at pauses into windows for the transcription worker (a blocking
//! thread holding the model); a panel task redraws the live panel from what is known. When the
//! recording stops only the last window is left to transcribe.

pub mod panel;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use crate::analysis::{self, Lexicon, QuestionType};
use crate::audio::WHISPER_RATE;
use crate::audio::level::{Fault, Meter};
use crate::embed::SentenceModel;
use crate::error::{Error, Result};
use crate::record::{self, Recorded};
use crate::report::Style;
use crate::transcribe::{
    LiveWindower, Recognizer, TranscriptBuilder, VoiceActivity, VoiceTrack, Window, WindowConfig,
};
use crate::transcript::{Transcript, Word};

use panel::Live;

/// What a session needs.
pub struct Session<R: Recognizer + Send + 'static> {
    pub source: record::Source,
    pub wav: PathBuf,
    pub limit_s: f64,
    pub qtype: QuestionType,
    pub recognizer: R,
    pub lexicon: Lexicon,
    /// The sentence model the segmenter reads with (shared: its cache makes the final report fast).
    pub encoder: Option<Arc<SentenceModel>>,
    /// The voice-activity detector the final words are fitted to (none: the sound level only).
    pub voice: Option<Box<dyn VoiceActivity + Send>>,
    /// Stops the take when set (Enter).
    pub enter: Arc<AtomicBool>,
    /// Shown every state of the panel as it is drawn (tests, and anything else that follows a
    /// take live).
    pub on_frame: Option<FrameObserver>,
}

/// Something shown every state of the live panel.
pub type FrameObserver = Box<dyn FnMut(&Live)>;

/// What a session produced.
pub struct Outcome {
    pub recorded: Recorded,
    pub transcript: Transcript,
    /// From the end of recording to the transcript being complete.
    pub finish_s: f64,
    /// Seconds of window audio the model transcribed per second it worked (below 1 it cannot
    /// keep up with a speaker); `None` before any window.
    pub speed: Option<f64>,
}

/// Run a session on a fresh tokio runtime.
pub fn run<R: Recognizer + Send + 'static>(session: Session<R>) -> Result<Outcome> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the runtime: {e}"))?;
    rt.block_on(run_async(session))
}

async fn run_async<R: Recognizer + Send + 'static>(session: Session<R>) -> Result<Outcome> {
    let Session {
        source,
        wav,
        limit_s,
        qtype,
        mut recognizer,
        lexicon,
        encoder,
        voice,
        enter,
        mut on_frame,
    } = session;
    let (audio_tx, mut audio_rx) = mpsc::unbounded_channel::<Vec<f32>>();
    let (elapsed_tx, elapsed_rx) = watch::channel(0.0f64);
    let (started_tx, mut started_rx) = watch::channel(None::<String>);
    let (onset_tx, onset_rx) = watch::channel(None::<f64>);
    // The words so far, where transcription has got to, and how fast the model goes here.
    let (words_tx, words_rx) = watch::channel((Vec::<Word>::new(), 0.0f64, None::<f64>));
    let (level_tx, level_rx) = watch::channel((f32::NEG_INFINITY, None::<Fault>));
    let (window_tx, window_rx) = std::sync::mpsc::channel::<(Window, Vec<f32>)>();
    let (voice_tx, voice_rx) = std::sync::mpsc::channel::<Vec<f32>>();

    // Recorder: the microphone into the take on disk.
    let recorder = tokio::task::spawn_blocking(move || {
        let mut meter = Meter::new(WHISPER_RATE);
        record::record_from(
            &source,
            &wav,
            Some(limit_s),
            Some(&enter),
            &mut |name| {
                let _ = started_tx.send(Some(name.to_string()));
            },
            &mut |mono, secs| {
                meter.push(mono);
                let _ = level_tx.send((meter.level_dbfs(), meter.fault()));
                let _ = audio_tx.send(mono.to_vec());
                let _ = voice_tx.send(mono.to_vec());
                let _ = elapsed_tx.send(secs);
            },
        )
    });

    // Windower: audio → windows at pauses.
    let windower = tokio::spawn(async move {
        let mut live = LiveWindower::new(WHISPER_RATE, WindowConfig::default());
        while let Some(chunk) = audio_rx.recv().await {
            for w in live.push(&chunk) {
                let samples = w.samples(live.audio());
                let _ = window_tx.send((w, samples));
            }
            if onset_tx.borrow().is_none() && live.speech_started().is_some() {
                let _ = onset_tx.send(live.speech_started());
            }
        }
        for w in live.finish() {
            let samples = w.samples(live.audio());
            let _ = window_tx.send((w, samples));
        }
    });

    // Voice activity: the audio → stretches of speech, for the final words (its own thread: it
    // keeps up with the speaker and leaves nothing to do when the take ends).
    let listener = tokio::task::spawn_blocking(move || -> Result<Vec<(f64, f64)>> {
        let Some(mut vad) = voice else {
            return Ok(Vec::new());
        };
        let mut track = VoiceTrack::new(vad.as_mut());
        while let Ok(chunk) = voice_rx.recv() {
            track.push(&chunk)?;
        }
        track.finish()
    });

    // Transcription worker: windows → words.
    let model_name = recognizer.name();
    let worker =
        tokio::task::spawn_blocking(move || -> Result<(TranscriptBuilder, Option<f64>)> {
            let mut builder = TranscriptBuilder::default();
            let (mut audio_s, mut busy_s) = (0.0, 0.0);
            let speed = |audio_s: f64, busy_s: f64| (busy_s > 0.0).then(|| audio_s / busy_s);
            while let Ok((window, samples)) = window_rx.recv() {
                // Ctrl-C: keep what is transcribed, leave the rest for `reanalyze` of the WAV.
                if crate::interrupt::requested() {
                    break;
                }
                let started = Instant::now();
                match builder.add(&mut recognizer, &samples, &window) {
                    Err(Error::Interrupted) => break,
                    other => other?,
                };
                busy_s += started.elapsed().as_secs_f64();
                audio_s += samples.len() as f64 / f64::from(WHISPER_RATE);
                let done_to = window.extent().end as f64 / f64::from(WHISPER_RATE);
                let told = speed(audio_s, busy_s).filter(|_| audio_s >= SPEED_MEASURED_AFTER_S);
                let _ = words_tx.send((builder.words.clone(), done_to, told));
            }
            Ok((builder, speed(audio_s, busy_s)))
        });

    // Panel: wait for the device, then redraw until the recording ends.
    if started_rx.changed().await.is_err() || started_rx.borrow().is_none() {
        // The recorder failed before it started: report its error.
        return match recorder.await {
            Ok(Err(e)) => Err(e),
            _ => Err(Error::Other(anyhow::anyhow!("the recording did not start"))),
        };
    }
    let device_name = started_rx.borrow().clone().unwrap_or_default();
    let mut drawer = panel_drawer(&device_name);
    let mut recorder = recorder;
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut last_words = 0;
    let mut live = Live {
        limit_s,
        model: model_name.clone(),
        level_dbfs: f32::NEG_INFINITY,
        ..Live::default()
    };
    let recorded = loop {
        tokio::select! {
            done = &mut recorder => break done.map_err(|e| anyhow::anyhow!("the recorder stopped: {e}"))??,
            _ = tick.tick() => {
                live.elapsed_s = *elapsed_rx.borrow();
                live.speech_at = *onset_rx.borrow();
                (live.level_dbfs, live.fault) = *level_rx.borrow();
                let (words, done_to, speed) = words_rx.borrow().clone();
                live.transcribed_to_s = done_to;
                live.model_speed = speed;
                if words.len() != last_words {
                    last_words = words.len();
                    update(&mut live, &words, qtype, &lexicon, encoder.as_deref());
                }
                if let Some(f) = on_frame.as_mut() {
                    f(&live);
                }
                let style = drawer.style;
                drawer.draw(&live, |width| panel::render(qtype, &live, &style, width));
            }
        }
    };
    let stopped = Instant::now();
    if recorded.stop == crate::record::Stop::Limit {
        drawer.say(&format!(
            "time's up at {}: the recording stopped",
            crate::time::clock(limit_s)
        ));
    }
    // What is left to transcribe, until the worker is done.
    windower
        .await
        .map_err(|e| anyhow::anyhow!("the windower stopped: {e}"))?;
    let mut worker = worker;
    let (mut builder, speed) = loop {
        tokio::select! {
            done = &mut worker => break done.map_err(|e| anyhow::anyhow!("the transcriber stopped: {e}"))??,
            _ = tick.tick() => {
                let left = recorded.seconds - words_rx.borrow().1;
                drawer.status(&finishing(left, crate::interrupt::requested()));
            }
        }
    };
    match listener.await {
        Ok(Ok(voice)) => builder.fit_to_voice(&voice),
        // The words stay fitted to the sound level; the take and its report are not lost to it.
        Ok(Err(e)) => drawer.say(&format!("paceback: voice-activity detection stopped: {e}")),
        Err(e) => drawer.say(&format!("paceback: voice-activity detection stopped: {e}")),
    }
    let finish_s = stopped.elapsed().as_secs_f64();
    drawer.clear();
    Ok(Outcome {
        transcript: builder.finish(model_name, recorded.seconds),
        recorded,
        finish_s,
        speed,
    })
}

/// The model's speed is told to the panel once it has transcribed this much audio.
const SPEED_MEASURED_AFTER_S: f64 = 20.0;

/// What to say after a take whose model transcribed `speed` seconds of speech a second (below 1:
/// slower than speech) and made the report wait `finish_s` after the recording stopped.
pub fn keeping_up(model: &str, speed: Option<f64>, finish_s: f64) -> Option<String> {
    let speed = speed.filter(|v| *v < 1.0)?;
    Some(format!(
        "{model} transcribed {speed:.1} s of speech a second here, slower than speech, so the report waited {} after you stopped{}",
        crate::time::clock(finish_s),
        faster_model(model)
            .map(|m| format!("; the default model (`--model {m}`) keeps up live"))
            .unwrap_or_default()
    ))
}

/// The model that keeps up live, unless `model` (a recognizer's name) already is it.
pub fn faster_model(model: &str) -> Option<&'static str> {
    (!crate::model::is_default_kind(model)).then_some(crate::model::DEFAULT_MODEL)
}

/// The status line while the last windows are transcribed.
fn finishing(left_s: f64, interrupted: bool) -> String {
    if interrupted {
        "stopping: keeping what is transcribed…".into()
    } else if left_s > 0.5 {
        format!(
            "finishing the transcription: {} of audio left…",
            crate::time::clock(left_s)
        )
    } else {
        "finishing the transcription…".into()
    }
}

/// Refresh the step and shares from the words transcribed so far.
fn update(
    live: &mut Live,
    words: &[Word],
    qtype: QuestionType,
    lexicon: &Lexicon,
    encoder: Option<&SentenceModel>,
) {
    let input = analysis::Input {
        words: words.to_vec(),
        qtype: Some(qtype),
        ..analysis::Input::default()
    };
    let a = analysis::analyze(&input, lexicon, encoder.map(|e| e as _));
    live.step = a.steps.last().map(|s| (s.step, s.start_s));
    live.heard_to_s = words.last().map_or(0.0, |w| w.end_s);
    live.problem_share = a.shares.problem_definition;
    live.solution_share = a.shares.solution;
}

/// Draws the panel: redrawn in place on a terminal (indicatif draws it: each redraw overwrites
/// the rows it drew in one write, so nothing flickers or is left behind), plain status lines
/// otherwise.
struct Drawer {
    style: Style,
    /// Typed keys are not echoed under the panel while it is drawn.
    _echo_off: Option<crate::output::EchoOff>,
    /// The panel, on an interactive terminal.
    panel: Option<(indicatif::MultiProgress, indicatif::ProgressBar)>,
    /// Plain mode: the 15-second mark, step and fault last reported.
    last_plain: Option<(u64, Option<crate::analysis::Step>, Option<Fault>)>,
    /// Plain mode: a status line was printed (it is said once, not every tick).
    status_said: bool,
}

/// Plain status lines are printed this often (seconds of audio) and at every step change.
const PLAIN_EVERY_S: f64 = 15.0;

fn panel_drawer(device: &str) -> Drawer {
    let interactive = crate::output::interactive(crate::output::Stream::Stderr);
    eprintln!(
        "recording from {device}: take 5–10 s to think, then answer; press Enter when you are done"
    );
    let panel = interactive.then(|| {
        let multi = indicatif::MultiProgress::with_draw_target(
            indicatif::ProgressDrawTarget::stderr_with_hz(8),
        );
        multi.set_move_cursor(true);
        let bar = multi.add(indicatif::ProgressBar::new_spinner());
        bar.set_style(indicatif::ProgressStyle::with_template("{msg}").expect("static template"));
        (multi, bar)
    });
    Drawer {
        style: Style {
            color: interactive && crate::output::color(crate::output::Stream::Stderr),
        },
        _echo_off: panel.is_some().then(crate::output::EchoOff::new),
        panel,
        last_plain: None,
        status_said: false,
    }
}

impl Drawer {
    /// Draw the panel `render` gives for the terminal's current width.
    fn draw(&mut self, live: &Live, render: impl Fn(usize) -> Vec<String>) {
        match &self.panel {
            Some((_, bar)) => {
                let (_, cols) = console::Term::stderr().size();
                // One column spare: a line exactly as wide as the screen wraps on some terminals.
                bar.set_message(render(usize::from(cols).saturating_sub(1)).join("\n"));
            }
            None => {
                let key = (
                    (live.elapsed_s / PLAIN_EVERY_S) as u64,
                    live.step.map(|(s, _)| s),
                    live.fault,
                );
                if self.last_plain != Some(key) {
                    self.last_plain = Some(key);
                    let lines = render(usize::MAX);
                    let status: Vec<&str> = lines[1..lines.len() - 1]
                        .iter()
                        .map(|l| l.trim())
                        .filter(|l| !l.starts_with("input "))
                        .collect();
                    eprintln!(
                        "[{}] {}",
                        crate::time::clock(live.elapsed_s),
                        status.join(" | ")
                    );
                }
            }
        }
    }

    /// One status line in place of the panel (plain mode: printed when it changes).
    fn status(&mut self, line: &str) {
        match &self.panel {
            Some((_, bar)) => bar.set_message(panel::fit(
                line,
                usize::from(console::Term::stderr().size().1).saturating_sub(1),
            )),
            None if !self.status_said => {
                self.status_said = true;
                eprintln!("{line}");
            }
            None => {}
        }
    }

    /// A line printed above the panel, kept on screen.
    fn say(&self, line: &str) {
        match &self.panel {
            Some((multi, _)) => {
                let _ = multi.println(line);
            }
            None => eprintln!("{line}"),
        }
    }

    fn clear(&mut self) {
        if let Some((multi, bar)) = self.panel.take() {
            bar.finish_and_clear();
            let _ = multi.clear();
        }
        self._echo_off = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcribe::Scripted;

    /// A product-sense take of `samples` played 25 times faster than real time, saved at `wav`.
    fn session<R: Recognizer + Send + 'static>(
        samples: Vec<f32>,
        wav: std::path::PathBuf,
        recognizer: R,
    ) -> Session<R> {
        Session {
            source: record::Source::Samples {
                samples,
                speed: 25.0,
            },
            wav,
            limit_s: 3600.0,
            qtype: QuestionType::ProductSense,
            recognizer,
            lexicon: Lexicon::builtin(),
            encoder: None,
            voice: None,
            enter: Arc::new(AtomicBool::new(false)),
            on_frame: None,
        }
    }

    /// A recognizer that takes `delay` for every window: a busy machine.
    struct Slow(Scripted, Duration);

    impl Recognizer for Slow {
        fn name(&self) -> String {
            "slow".into()
        }

        fn recognize(&mut self, samples: &[f32], window: &Window) -> Result<Vec<Word>> {
            std::thread::sleep(self.1);
            self.0.recognize(samples, window)
        }
    }

    #[test]
    fn the_final_words_end_where_the_voice_detector_heard_speech_end() {
        // Tone 1-4 s and 8-11 s; the detector hears speech at 1.0-3.7 s and 8.3-10.8 s only.
        let tone = |s: f64| (0..(s * 16_000.0) as usize).map(|i| 0.3 * (i as f32 * 0.0864).sin());
        let mut samples = vec![0.0f32; 16_000];
        samples.extend(tone(3.0));
        samples.extend(vec![0.0; 64_000]);
        samples.extend(tone(3.0));
        samples.extend(vec![0.0; 16_000]);
        let words = vec![
            Word::new("We", 1.0, 2.0),
            Word::new("upload.", 2.0, 3.95),
            Word::new("Then", 8.05, 9.0),
            Word::new("stop.", 9.0, 11.0),
        ];
        let dir = tempfile::tempdir().unwrap();
        let outcome = run(Session {
            voice: Some(Box::new(crate::transcribe::voice::Heard(vec![
                (1.0, 3.7),
                (8.3, 10.8),
            ]))),
            ..session(samples, dir.path().join("take.wav"), Scripted::new(words))
        })
        .unwrap();
        let w = &outcome.transcript.words;
        assert_eq!(w.len(), 4, "{w:?}");
        assert!((w[1].end_s - 3.7).abs() <= 0.02, "{w:?}");
        assert!((w[2].start_s - 8.3).abs() <= 0.02, "{w:?}");
        assert!((w[3].end_s - 10.8).abs() <= 0.02, "{w:?}");
    }

    #[test]
    fn a_quiet_voice_under_a_dc_offset_is_heard_and_the_take_keeps_the_offset() {
        // A soft tone 1-4 s and 8-11 s on a bias of 0.02, twice its level.
        let soft = |s: f64| (0..(s * 16_000.0) as usize).map(|i| 0.01 * (i as f32 * 0.0864).sin());
        let mut samples = vec![0.0f32; 16_000];
        samples.extend(soft(3.0));
        samples.extend(vec![0.0; 64_000]);
        samples.extend(soft(3.0));
        samples.extend(vec![0.0; 16_000]);
        let samples: Vec<f32> = samples.iter().map(|s| s + 0.02).collect();
        let words = vec![Word::new("We", 1.5, 2.5), Word::new("stop.", 9.0, 10.0)];
        let dir = tempfile::tempdir().unwrap();
        let wav = dir.path().join("take.wav");
        let outcome = run(session(samples, wav.clone(), Scripted::new(words))).unwrap();
        let w = &outcome.transcript.words;
        assert_eq!(w.len(), 2, "both stretches reached the recognizer: {w:?}");
        let take = crate::audio::read_audio(&wav).unwrap();
        let mean = take.samples.iter().sum::<f32>() / take.samples.len() as f32;
        assert!(
            (mean - 0.02).abs() < 0.001,
            "the take as recorded: mean {mean}"
        );
    }

    #[test]
    fn a_lagging_transcriber_freezes_the_step_timer_at_the_heard_time() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/product_sense.transcript.json"
        );
        let t = Transcript::load(std::path::Path::new(path)).unwrap();
        // A tone under every word, silence between: what the windower cuts at.
        let rate = f64::from(WHISPER_RATE);
        let n = (t.duration_s * rate) as usize;
        let mut samples = vec![0.0f32; n];
        for w in &t.words {
            let (a, b) = ((w.start_s * rate) as usize, (w.end_s * rate) as usize);
            for (i, s) in samples[a.min(n)..b.min(n)].iter_mut().enumerate() {
                *s = 0.3 * (i as f32 * 0.05).sin();
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let frames = std::rc::Rc::new(std::cell::RefCell::new(Vec::<Live>::new()));
        let seen = frames.clone();
        let recognizer = Slow(Scripted::new(t.words.clone()), Duration::from_millis(700));
        let outcome = run(Session {
            on_frame: Some(Box::new(move |live| seen.borrow_mut().push(live.clone()))),
            ..session(samples, dir.path().join("take.wav"), recognizer)
        })
        .unwrap();
        assert_eq!(
            outcome.transcript.words.len(),
            t.words.len(),
            "every word, in the end"
        );

        let frames = frames.borrow();
        let mut catching_up = 0;
        for live in frames.iter() {
            let Some((_, since)) = live.step else {
                continue;
            };
            assert!(live.heard_to_s <= live.elapsed_s + 0.01, "{live:?}");
            let text = panel::render(QuestionType::ProductSense, live, &Style::plain(), 200);
            let line = text.iter().find(|l| l.contains("  step ")).unwrap();
            // The step's time is what has been heard of it, however far the recording has run.
            let heard = crate::time::clock((live.heard_to_s - since).max(0.0));
            assert!(line.contains(&format!("{heard}  ")), "{line} vs {live:?}");
            if live.elapsed_s - live.transcribed_to_s >= 20.0 {
                catching_up += 1;
                assert!(line.contains("catching up"), "{line}");
                assert!(!line.contains('●'), "no light for an unheard step: {line}");
            }
        }
        assert!(
            catching_up >= 3,
            "the slowed transcriber fell far behind in {catching_up} of {} frames",
            frames.len()
        );
        // The panel is told the model and, once 20 s of audio are transcribed, its speed.
        assert!(
            frames.iter().all(|l| l.model == "slow"),
            "{:?}",
            frames[0].model
        );
        let told = frames
            .iter()
            .filter_map(|l| l.model_speed)
            .collect::<Vec<_>>();
        assert!(
            !told.is_empty() && told.iter().all(|v| *v > 0.0),
            "{told:?}"
        );
        // 0.7 s of work for each window, however much audio it holds.
        let speed = outcome.speed.expect("measured");
        assert!(speed > 0.0 && speed <= t.duration_s / 0.7, "{speed}");
    }

    #[test]
    fn a_model_slower_than_speech_is_named_with_the_one_that_keeps_up() {
        assert_eq!(keeping_up("base q8_0", Some(12.0), 1.0), None);
        assert_eq!(keeping_up("base q8_0", None, 1.0), None);
        let said = keeping_up("base q8_0", Some(0.7), 75.0).unwrap();
        assert!(
            said.starts_with("base q8_0 transcribed 0.7 s of speech a second"),
            "{said}"
        );
        assert!(
            said.contains("waited 1:15") && said.contains("--model tiny.en-q8_0"),
            "{said}"
        );
    }
}
