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
        p.set_abort_callback_safe(crate::interrupt::requested);
        p
    }
}

/// Windows shorter than this come back empty from whisper.cpp; pad them with silence.
const MIN_WINDOW_SAMPLES: usize = 16_000;

impl Recognizer for Whisper {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn recognize(&mut self, samples: &[f32], _window: &Window) -> Result<Vec<Word>> {
        let heard_s = samples.len() as f64 / 16_000.0;
        let words = self.decode(samples, self.config.decoding)?;
        // Whisper sometimes drops a whole window; speech has about 2.5 words a second, so a
        // window this sparse is decoded again with beam search, keeping the fuller result.
        if heard_s >= RETRY_MIN_S
            && (words.len() as f64) < RETRY_WORDS_PER_S * heard_s
            && self.config.decoding == Decoding::Greedy
        {
            let again = self.decode(samples, Decoding::Beam(5))?;
            if again.len() > words.len() {
                return Ok(again);
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
