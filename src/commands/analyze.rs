//! `paceback analyze FILE.wav | --transcript WORDS.json [--type T] [--question Q] [--json]`.

use crate::analysis::{self, Analysis, Lexicon};
use crate::cli::AnalyzeArgs;
use crate::error::{Error, Result};
use crate::history::{self, QuestionRef, Store, TakeRecord};
use crate::home::Home;
use crate::report;
use crate::transcript::Transcript;

pub fn run(args: AnalyzeArgs) -> Result<()> {
    let home = Home::from_env()?;
    let lexicon = Lexicon::load(&home.cues_file())?;
    let (transcript, path) = match (&args.transcript, &args.file) {
        (Some(t), _) => (Transcript::load(t)?, t),
        (None, Some(wav)) => (super::transcribe_file(wav, &args.speech, !args.json)?, wav),
        (None, None) => return Err(Error::usage("give a WAV file or --transcript WORDS.json")),
    };
    // A bank question's id stands for its wording (and, without --type, its type). The bank is
    // read only when a question was given.
    let bank = args
        .question
        .question
        .as_ref()
        .and_then(|_| crate::questions::Bank::load(&home.questions_file()).ok());
    let from_bank = bank
        .as_ref()
        .zip(args.question.question.as_deref())
        .and_then(|(b, asked)| b.find(asked));
    let mut question = args.question.clone();
    if let Some(q) = from_bank {
        question.question = Some(q.text.clone());
        question.qtype = question.qtype.or(Some(q.qtype));
    }
    let bank_id = from_bank.map(|q| q.id.clone());
    let mut analysis_input = input(&transcript, &path.display().to_string(), &question);
    if let Some(manifest) = &args.steps_from {
        analysis_input.given_steps = Some(crate::truth::boundaries(manifest)?);
    }
    let encoder = super::sentence_model(&home, args.json);
    let encoder = encoder.as_ref().map(|e| e as &dyn crate::embed::Embedder);
    let (analysis, segmentation) = analysis::analyze_segmented(&analysis_input, &lexicon, encoder);
    if let Some(e) = segmentation.as_ref().and_then(|s| s.encoder_error.as_ref()) {
        eprintln!(
            "paceback: warning: the sentence model failed ({e}); steps were read from cue phrases only"
        );
    }
    let explained = args.explain.then(|| {
        segmentation
            .as_ref()
            .map(|seg| analysis::segment::explain(seg, analysis.question.qtype, encoder))
            .unwrap_or_default()
    });
    match (&explained, args.json) {
        (Some(units), true) => {
            let mut value = serde_json::to_value(&analysis).map_err(anyhow::Error::from)?;
            value["explain"] = serde_json::to_value(units).map_err(anyhow::Error::from)?;
            super::json_out(&value)?;
        }
        (Some(units), false) => {
            super::print_analysis(&analysis, false, args.verbose)?;
            print!("{}", report::explain(units, analysis.question.qtype));
        }
        (None, json) => super::print_analysis(&analysis, json, args.verbose)?,
    }
    if analysis.no_speech {
        return Err(Error::NoSpeech(path.display().to_string()));
    }
    if !args.no_save && args.steps_from.is_none() {
        let wav = args.transcript.is_none().then_some(path.as_path());
        // The analysis is printed; a take that could not be kept is still a failure.
        save(&home, wav, transcript, &analysis, bank_id, args.json)
            .map_err(|e| e.context("the analysis above was not saved to your history"))?;
    }
    Ok(())
}

/// Keep the take in the history: a private copy of the recording, its transcript and analysis.
fn save(
    home: &Home,
    wav: Option<&std::path::Path>,
    transcript: Transcript,
    analysis: &Analysis,
    question_id: Option<String>,
    quiet: bool,
) -> anyhow::Result<()> {
    let store = Store::open(home)?;
    let take = store.new_take()?;
    history::save_claimed(home, &store, &take, || {
        if let Some(wav) = wav {
            history::copy_private(wav, &take.wav)?;
        }
        let question = QuestionRef {
            id: question_id,
            text: analysis.question.text.clone(),
            qtype: analysis.question.qtype,
        };
        TakeRecord::new(
            &take,
            history::now_rfc3339(),
            "analyze",
            question,
            None,
            transcript,
            analysis,
        )
    })?;
    if !quiet {
        eprintln!(
            "paceback: saved to your history as {} (`paceback show {}`)",
            take.id, take.id
        );
    }
    Ok(())
}

/// The analysis input for a transcript and the question given on the command line.
pub fn input(
    transcript: &Transcript,
    path: &str,
    question: &crate::cli::QuestionArgs,
) -> analysis::Input {
    analysis::Input {
        words: transcript.words.clone(),
        audio_path: Some(path.to_string()),
        duration_s: transcript.duration_s,
        question: question.question.clone(),
        qtype: question.qtype,
        given_steps: None,
    }
}
