//! The whisper.cpp recognizer (through whisper-rs): one model load, one decoding state reused for
//! every window, DTW word timing, a prompt that keeps filler words.
//!
//! Settings chosen by measurement on the 6-minute benchmark answer and the development set (see
//! README, "Speed and accuracy"): greedy decoding of each pause-bounded window on its own (no
//! carried context, one segment, no timestamp tokens), the full 30 s encoder context, and DTW
//! alignment for word times. Beam search, a window-sized encoder context, 4-bit weights and
//! OpenMP were each tried and lost on accuracy or gained nothing.

use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext,
    WhisperContextParameters, WhisperError, WhisperState,
};

use super::tokens::{Token, words};
use super::{Recognizer, Window};
use crate::error::{Error, Result};
use crate::model::ModelFile;
use crate::transcript::Word;

/// Whisper drops "um" and "uh" unless its context shows them; this prompt (measured: 8/8 fillers
/// kept, none invented on clean speech) conditions every window.
pub const FILLER_PROMPT: &str = "Um, uh, so, like, you know, I mean... Uh, I was, um, thinking, uh, that, like, um, we should, uh, yeah.";

/// How tokens are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoding {
    Greedy,
    Beam(u8),
}

impl std::str::FromStr for Decoding {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "greedy" | "beam1" => Ok(Decoding::Greedy),
            other => other
                .strip_prefix("beam")
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|n| (2..=8).contains(n))
                .map(Decoding::Beam)
                .ok_or_else(|| format!("unknown decoding `{other}`: use greedy or beam2..beam8")),
        }
    }
}

/// Settings for the whisper recognizer.
#[derive(Debug, Clone)]
pub struct WhisperConfig {
    pub decoding: Decoding,
    pub threads: usize,
    pub keep_fillers: bool,
}

impl Default for WhisperConfig {
    fn default() -> Self {
        WhisperConfig {
            decoding: Decoding::Greedy,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get().min(8)),
            keep_fillers: true,
        }
    }
}

/// A loaded model ready to recognize windows.
pub struct Whisper {
    state: WhisperState,
    /// First special token id: everything at or above it is not text.
    eot: i32,
    name: String,
    config: WhisperConfig,
    /// The most time one window may take to decode (see [`budget`]).
    budget: std::time::Duration,
}

/// Alignment heads for DTW, known per model size.
fn dtw_preset(size_name: &str) -> Option<DtwModelPreset> {
    Some(match size_name {
        "tiny.en" => DtwModelPreset::TinyEn,
        "tiny" => DtwModelPreset::Tiny,
        "base.en" => DtwModelPreset::BaseEn,
        "base" => DtwModelPreset::Base,
        "small.en" => DtwModelPreset::SmallEn,
        "small" => DtwModelPreset::Small,
        "medium.en" => DtwModelPreset::MediumEn,
        "medium" => DtwModelPreset::Medium,
        _ => return None,
    })
}

impl Whisper {
    pub fn load(model: &ModelFile, config: WhisperConfig) -> Result<Self> {
        whisper_rs::install_logging_hooks();
        explain_native_aborts();
        let mut params = WhisperContextParameters::default();
        if let Some(preset) = dtw_preset(&model.header.size_name()) {
            params.dtw_parameters(DtwParameters {
                mode: DtwMode::ModelPreset {
                    model_preset: preset,
                },
                ..DtwParameters::default()
            });
        }
        let path = model
            .path
            .to_str()
            .ok_or_else(|| Error::usage("the model path is not valid UTF-8"))?;
        let corrupt = |reason: String| Error::ModelCorrupt {
            path: model.path.clone(),
            reason,
        };
        let ctx =
            WhisperContext::new_with_params(path, params).map_err(|e| corrupt(format!("{e}")))?;
        let state = ctx.create_state().map_err(|e| corrupt(format!("{e}")))?;
        Ok(Whisper {
            eot: ctx.token_eot(),
            state,
            name: model.describe(),
            config,
            budget: budget(model.header.n_audio_layer),
        })
    }

    fn params(&self, decoding: Decoding) -> FullParams<'static, 'static> {
        let strategy = match decoding {
            Decoding::Greedy => SamplingStrategy::Greedy { best_of: 1 },
            Decoding::Beam(n) => SamplingStrategy::BeamSearch {
                beam_size: i32::from(n),
                patience: -1.0,
            },
        };
        let mut p = FullParams::new(strategy);
        p.set_n_threads(self.config.threads as i32);
        p.set_language(Some("en"));
        // Each window stands alone: no text carried over, one segment, no timestamp tokens
        // (DTW gives better times than whisper's timestamp tokens, and they cost decoding).
        p.set_no_context(true);
        p.set_single_segment(true);
        p.set_no_timestamps(true);
        p.set_token_timestamps(true);
        p.set_print_progress(false);
        p.set_print_realtime(false);
        p.set_print_special(false);
        p.set_print_timestamps(false);
        p.set_suppress_blank(true);
        // Non-speech tokens ("[Music]") were seen to replace a whole window of speech.
        p.set_suppress_nst(true);
        if self.config.keep_fillers {
            p.set_initial_prompt(FILLER_PROMPT);
        }
        // A zero-sized fn item: whisper-rs 0.16 calls capturing closures through the wrong type.
        p.set_abort_callback_safe(stop_decoding);
        p
    }
}

/// The decoding time one window may take: a safety net, not a pace. tiny.en decodes a 29 s window
/// in about 1 s on an idle 2-core machine and was seen at 35 s on one loaded five times over, so
/// only a pathological input reaches it; bigger models get proportionally more.
fn budget(encoder_layers: i32) -> std::time::Duration {
    std::time::Duration::from_secs(match encoder_layers {
        ..=4 => 120,
        5..=6 => 180,
        7..=12 => 360,
        _ => 900,
    })
}

/// When the window being decoded must stop (milliseconds since [`epoch`]); 0 = no deadline.
static DEADLINE_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn epoch() -> std::time::Instant {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(std::time::Instant::now)
}

fn past_deadline() -> bool {
    let deadline = DEADLINE_MS.load(std::sync::atomic::Ordering::Relaxed);
    deadline > 0 && epoch().elapsed().as_millis() as u64 >= deadline
}

/// whisper.cpp's abort check: Ctrl-C, or the window's time is up. A plain fn item: whisper-rs
/// 0.16 calls capturing closures through the wrong type.
fn stop_decoding() -> bool {
    crate::interrupt::requested() || past_deadline()
}

/// If whisper.cpp ever gives up (a `GGML_ASSERT` on a model that passed our checks), say what
/// happened on stderr, in our words, before the process ends; never on stdout, which may be
/// carrying `--json`. ggml's own backtrace (which runs gdb and writes to stdout) is off
/// (`GGML_NO_BACKTRACE`, set in `main`).
fn explain_native_aborts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    unsafe extern "C" fn on_abort(message: *const std::os::raw::c_char) {
        let what = if message.is_null() {
            String::new()
        } else {
            // SAFETY: ggml passes a NUL-terminated message it owns for the call.
            unsafe { std::ffi::CStr::from_ptr(message) }
                .to_string_lossy()
                .into_owned()
        };
        eprintln!(
            "paceback: whisper.cpp stopped ({what})\n  the speech model may be damaged: remove it and run `paceback model fetch`; your recordings are safe"
        );
    }
    // SAFETY: registers a plain function; ggml calls it only from its abort path.
    ONCE.call_once(|| unsafe {
        whisper_rs_sys::ggml_set_abort_callback(Some(on_abort));
    });
}

/// Windows shorter than this come back empty from whisper.cpp; pad them with silence.
const MIN_WINDOW_SAMPLES: usize = 16_000;

impl Recognizer for Whisper {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn recognize(&mut self, samples: &[f32], window: &Window) -> Result<Vec<Word>> {
        let heard_s = samples.len() as f64 / 16_000.0;
        let deadline = epoch().elapsed() + self.budget;
        DEADLINE_MS.store(
            deadline.as_millis() as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
        let words = self.decode(samples, self.config.decoding);
        let words = match words {
            Err(Error::Other(_)) if past_deadline() => {
                eprintln!(
                    "paceback: warning: the audio from {:.0} s took over {} s to decode and was skipped (noise or a damaged recording?)",
                    window.to_recording(0.0, 16_000),
                    self.budget.as_secs()
                );
                return Ok(Vec::new());
            }
            other => other?,
        };
        // Whisper sometimes drops a whole window; speech has about 2.5 words a second, so a
        // window this sparse is decoded again with beam search, keeping the fuller result.
        if heard_s >= RETRY_MIN_S
            && (words.len() as f64) < RETRY_WORDS_PER_S * heard_s
            && self.config.decoding == Decoding::Greedy
        {
            match self.decode(samples, Decoding::Beam(5)) {
                Ok(again) if again.len() > words.len() => return Ok(again),
                Ok(_) => {}
                // out of time for the second try: keep the first
                Err(Error::Other(_)) if past_deadline() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(words)
    }
}

/// A window at least this long (seconds) ...
const RETRY_MIN_S: f64 = 4.0;
/// ... with fewer words per second than this is decoded again.
const RETRY_WORDS_PER_S: f64 = 0.5;

impl Whisper {
    /// Decode one window; words in seconds from its start.
    fn decode(&mut self, samples: &[f32], decoding: Decoding) -> Result<Vec<Word>> {
        let heard_s = samples.len() as f64 / 16_000.0;
        let mut padded;
        let samples = if samples.len() < MIN_WINDOW_SAMPLES {
            padded = samples.to_vec();
            padded.resize(MIN_WINDOW_SAMPLES, 0.0);
            &padded[..]
        } else {
            samples
        };
        match self.state.full(self.params(decoding), samples) {
            Ok(()) => {}
            Err(WhisperError::NoSamples) => return Ok(Vec::new()),
            Err(_) if crate::interrupt::requested() => return Err(Error::Interrupted),
            Err(e) => return Err(anyhow::anyhow!("whisper failed: {e}").into()),
        }
        let mut tokens = Vec::new();
        for segment in self.state.as_iter() {
            for i in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(i) else {
                    continue;
                };
                // Special and timestamp tokens have ids from end-of-text upwards.
                if token.token_id() >= self.eot {
                    continue;
                }
                let Ok(bytes) = token.to_bytes() else {
                    continue;
                };
                let data = token.token_data();
                tokens.push(Token {
                    bytes: bytes.to_vec(),
                    t_dtw: (data.t_dtw >= 0).then(|| data.t_dtw as f64 / 100.0),
                    t0: data.t0 as f64 / 100.0,
                    t1: data.t1 as f64 / 100.0,
                });
            }
        }
        // Nothing can start in the silence padding.
        Ok(words(&tokens)
            .into_iter()
            .filter(|w| w.start_s < heard_s)
            .collect())
    }
}
