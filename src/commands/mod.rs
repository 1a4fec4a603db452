//! One module per subcommand; each turns validated arguments into output.

pub mod analyze;
pub mod history;
pub mod model;
pub mod practice;
pub mod progress;
pub mod questions;
pub mod record;
pub mod transcribe;

use crate::embed::SentenceModel;
use crate::home::Home;

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
