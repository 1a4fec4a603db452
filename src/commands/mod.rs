//! One module per subcommand; each turns validated arguments into output.

pub mod analyze;
pub mod compare;
pub mod history;
pub mod model;
pub mod practice;
pub mod progress;
pub mod questions;
pub mod record;
pub mod transcribe;

use std::path::Path;

use crate::analysis::Analysis;
use crate::audio;
use crate::cli::SpeechArgs;
use crate::cli::{Cli, Command};
use crate::embed::SentenceModel;
use crate::error::Result;
use crate::home::Home;
use crate::report;
use crate::transcribe::voice::SileroVad;
use crate::transcribe::whisper::{Whisper, WhisperConfig};
use crate::transcribe::{VoiceActivity, WindowConfig};
use crate::transcript::Transcript;

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    crate::output::set_color_choice(cli.color);
    match cli.command {
        Command::Practice(args) => practice::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Transcribe(args) => transcribe::run(args),
        Command::Record(args) => record::run(args),
        Command::History(args) => history::list(args),
        Command::Show(args) => history::show(args),
        Command::Progress(args) => progress::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Play(args) => history::play(args),
        Command::Export(args) => history::export(args),
        Command::Reanalyze(args) => history::reanalyze(args),
        Command::Devices { json } => record::devices(json),
        Command::Questions {
            qtype,
            random,
            json,
        } => questions::run(qtype, random, json),
        Command::Model(cmd) => model::run(cmd),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "paceback", &mut std::io::stdout());
            Ok(())
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command)
                .render(&mut std::io::stdout())
                .map_err(|e| anyhow::Error::from(e).into())
        }
    }
}

/// Print a list as JSON in its versioned envelope: `{"schema": SCHEMA, KEY: [...]}`.
pub fn json_list<T: serde::Serialize>(schema: &str, key: &str, items: &T) -> Result<()> {
    println!(
        "{}",
        crate::output::envelope(schema, key, items).map_err(anyhow::Error::from)?
    );
    Ok(())
}

/// Print a value as pretty JSON on stdout.
pub fn json_out<T: serde::Serialize>(value: &T) -> Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(value).map_err(anyhow::Error::from)?
    );
    Ok(())
}

/// Print an analysis: the terminal report, or the `paceback.analysis/1` JSON.
pub fn print_analysis(analysis: &Analysis, json: bool, verbose: bool) -> Result<()> {
    if json {
        return json_out(analysis);
    }
    let style = report::Style::detect();
    print!("{}", report::terminal(analysis, &style, verbose));
    Ok(())
}

/// The sentence model the segmenter reads with, if installed. Missing or broken, the analysis
/// still runs on cues alone; `quiet` (JSON output) keeps the note off stderr.
pub fn sentence_model(home: &Home, quiet: bool) -> Option<SentenceModel> {
    match crate::model::sentence::load(home) {
        Ok(Some(m)) => Some(m),
        Ok(None) => {
            if !quiet {
                eprintln!(
                    "paceback: note: the sentence model is not installed, so steps are read from cue phrases only; run `paceback model fetch` to install it"
                );
            }
            None
        }
        Err(e) => {
            eprintln!("paceback: warning: {e:#}; steps are read from cue phrases only");
            None
        }
    }
}

/// The voice-activity detector word ends are fitted to, if installed. Missing or broken, pauses
/// are found from the sound level alone; `quiet` keeps the note off stderr.
pub fn voice_model(home: &Home, quiet: bool) -> Option<SileroVad> {
    match crate::model::vad::load(home) {
        Ok(Some(m)) => Some(m),
        Ok(None) => {
            if !quiet {
                eprintln!(
                    "paceback: note: the voice-activity model is not installed, so pauses are found from the sound level only; run `paceback model fetch` to install it"
                );
            }
            None
        }
        Err(e) => {
            eprintln!("paceback: warning: {e:#}; pauses are found from the sound level only");
            None
        }
    }
}

/// The whisper recognizer for `model` with the speech options' decoding and threads.
pub fn load_recognizer(model: &crate::model::ModelFile, speech: &SpeechArgs) -> Result<Whisper> {
    let mut config = WhisperConfig {
        decoding: speech.decoding,
        ..WhisperConfig::default()
    };
    if let Some(n) = speech.threads {
        config.threads = n.max(1);
    }
    Whisper::load(model, config)
}

/// Read an audio file and transcribe it with the configured model; the progress bar shows when asked
/// and stderr is a terminal.
pub fn transcribe_file(
    path: &Path,
    speech: &SpeechArgs,
    show_progress: bool,
) -> Result<Transcript> {
    // What can be said at once is said first: a file that is not audio, then a missing model;
    // only then is the recording read through.
    audio::decode::check_readable(path)?;
    let home = Home::from_env()?;
    let model = crate::model::resolve(speech.model.as_deref(), &home)?;
    // Read twice, never held whole: once for where the speech is, once to transcribe it.
    let mut pass = 0;
    let mut audio = |sink: &mut dyn FnMut(&[f32]) -> Result<()>| {
        pass += 1;
        let warnings = if pass == 1 {
            audio::decode::Warnings::Say
        } else {
            audio::decode::Warnings::Quiet
        };
        audio::decode::stream_audio(path, warnings, sink).map(|_| ())
    };
    let mut vad = voice_model(&home, !show_progress);
    let plan = crate::transcribe::Plan::of(
        &mut audio,
        &WindowConfig::default(),
        vad.as_mut().map(|v| v as &mut dyn VoiceActivity),
    )?;
    let mut whisper = load_recognizer(&model, speech)?;
    let bar = crate::progress_bar::bar(
        (plan.duration_s() * 10.0) as u64,
        "transcribing",
        show_progress,
    );
    let transcript = plan.transcribe(&mut whisper, &mut audio, &mut |done_s| {
        bar.set_position((done_s * 10.0) as u64)
    });
    bar.finish_and_clear();
    transcript
}
