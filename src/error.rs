//! The one error type every command returns, and the exit code each kind of failure maps to.
//!
//! The exit codes (README): 0 success, 1 failure, 2 bad usage or bad input, 130 interrupted.
//! Internal plumbing uses `anyhow` for context chains; anything a user can cause is classified here
//! so `main` prints one message and exits with the documented code.

use std::path::PathBuf;
use std::process::ExitCode;

/// A failure that reaches the user.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line or an input file is wrong; the message says how to fix it.
    #[error("{0}")]
    Usage(String),

    /// An input file could not be used.
    #[error("{path}: {reason}")]
    BadInput { path: PathBuf, reason: String },

    /// No speech model where we looked.
    #[error(
        "no speech model at {path}\n  run `paceback model fetch` to download one, or pass --model FILE"
    )]
    ModelMissing { path: PathBuf },

    /// The model file exists but whisper.cpp could not load it.
    #[error(
        "the speech model at {path} could not be loaded ({reason})\n  it may be corrupt: remove it and run `paceback model fetch`"
    )]
    ModelCorrupt { path: PathBuf, reason: String },

    /// The recording holds no speech. Exit 1: the tool worked, the take did not.
    #[error("no speech detected in {0}")]
    NoSpeech(String),

    /// The history database cannot be read; the recordings themselves are untouched.
    #[error(
        "the history database {path} is damaged ({reason})\n  your recordings are safe; run `paceback history --repair` to set it aside and rebuild the history from them"
    )]
    HistoryDamaged { path: PathBuf, reason: String },

    /// Ctrl-C.
    #[error("interrupted")]
    Interrupted,

    /// Anything else: a bug or an environment problem, reported with its context chain.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Error {
    /// Shorthand for a bad input file.
    pub fn bad_input(path: impl Into<PathBuf>, reason: impl std::fmt::Display) -> Self {
        Error::BadInput {
            path: path.into(),
            reason: reason.to_string(),
        }
    }

    /// Shorthand for bad usage.
    pub fn usage(message: impl std::fmt::Display) -> Self {
        Error::Usage(message.to_string())
    }

    /// The documented exit code of this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::BadInput { .. } => 2,
            Error::ModelMissing { .. } | Error::ModelCorrupt { .. } => 2,
            Error::NoSpeech(_) | Error::HistoryDamaged { .. } | Error::Other(_) => 1,
            Error::Interrupted => 130,
        }
    }

    /// Print the error once, with its context chain, and turn it into the exit code.
    pub fn report(&self) -> ExitCode {
        match self {
            Error::Other(inner) => eprintln!("paceback: error: {inner:#}"),
            Error::Interrupted => eprintln!("paceback: interrupted"),
            other => eprintln!("paceback: {other}"),
        }
        ExitCode::from(self.exit_code())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_spec() {
        assert_eq!(Error::usage("x").exit_code(), 2);
        assert_eq!(Error::bad_input("a.wav", "not a WAV").exit_code(), 2);
        assert_eq!(Error::NoSpeech("a.wav".into()).exit_code(), 1);
        assert_eq!(Error::Interrupted.exit_code(), 130);
        assert_eq!(Error::from(anyhow::anyhow!("boom")).exit_code(), 1);
    }

    #[test]
    fn model_missing_names_the_path_and_the_fix() {
        let msg = Error::ModelMissing {
            path: "/m/ggml-tiny.en.bin".into(),
        }
        .to_string();
        assert!(msg.contains("/m/ggml-tiny.en.bin"), "{msg}");
        assert!(msg.contains("paceback model fetch"), "{msg}");
    }
}
