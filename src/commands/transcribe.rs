//! `paceback transcribe FILE.wav [--json]`.

use std::path::Path;

use crate::audio;
use crate::cli::{SpeechArgs, TranscribeArgs};
use crate::error::Result;
use crate::home::Home;
use crate::model;
use crate::transcribe::whisper::{Whisper, WhisperConfig};
use crate::transcribe::{self, WindowConfig};
use crate::transcript::Transcript;

pub fn run(args: TranscribeArgs) -> Result<()> {
    let transcript = transcribe_file(&args.file, &args.speech, !args.json)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&transcript).map_err(anyhow::Error::from)?
        );
    } else if transcript.words.is_empty() {
        println!("no speech found in {}", args.file.display());
    } else {
        for s in &transcript.segments {
            println!("[{}] {}", crate::time::clock(s.start_s), s.text);
        }
    }
    Ok(())
}

/// Read a WAV and transcribe it with the configured model; the progress bar shows when asked
/// and stderr is a terminal.
/// The whisper recognizer the speech options ask for (model resolved and checked).
pub fn load_recognizer(speech: &SpeechArgs) -> Result<Whisper> {
    let model = model::resolve(speech.model.as_deref(), &Home::from_env()?)?;
    let mut config = WhisperConfig {
        decoding: speech.decoding,
        ..WhisperConfig::default()
    };
    if let Some(n) = speech.threads {
        config.threads = n.max(1);
    }
    Whisper::load(&model, config)
}

pub fn transcribe_file(
    path: &Path,
    speech: &SpeechArgs,
    show_progress: bool,
) -> Result<Transcript> {
    let pcm = audio::read_wav(path)?;
    let audio = audio::to_mono_16k(&pcm)?;
    let mut whisper = load_recognizer(speech)?;
    let bar = crate::progress::bar(
        (audio.duration_s() * 10.0) as u64,
        "transcribing",
        show_progress,
    );
    let transcript = transcribe::transcribe(
        &mut whisper,
        &audio,
        &WindowConfig::default(),
        &mut |done_s| bar.set_position((done_s * 10.0) as u64),
    );
    bar.finish_and_clear();
    transcript
}
