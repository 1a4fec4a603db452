//! Which kind of question an answer is for: `--type`, else the question's wording, else what the
//! speaker said ("this is a strategy question"), else what the answer talks about (a story of
//! what "I" did reads as behavioral, a calculation as estimation), else product sense.
//!
//! The wording is read by a classifier over the question's sentence embedding and which type's
//! phrase patterns it matches (trained on labelled question wordings, `scripts/train_step_model.py`);
//! without the sentence model, the first type whose patterns match wins.

use serde::{Deserialize, Serialize};

use super::lexicon::Lexicon;
use super::phrases::normalize_all;
use super::stepmodel::StepModel;
use super::steps::QuestionType;
use crate::embed::Embedder;
use crate::transcript::Word;

/// Where the type came from (`type_source` in the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeSource {
    Flag,
    Question,
    Spoken,
    Default,
    /// Read from the answer's content. Never written as such: the analysis JSON writes
    /// `default` with `question.read_from_answer: true` (see `QuestionInfo`), so
    /// `paceback.analysis/1` keeps its four sources.
    #[serde(skip)]
    Answer,
}

/// Which types' phrase patterns the question matches, in [`QuestionType::ALL`] order.
pub fn pattern_matches(text: &str, lex: &Lexicon) -> [bool; 5] {
    let words = normalize_all(&text.split_whitespace().collect::<Vec<_>>());
    QuestionType::ALL.map(|t| {
        lex.question_types
            .iter()
            .any(|(u, patterns)| *u == t && patterns.iter().any(|p| p.is_match(&words)))
    })
}

/// The features the question classifier reads: the embedding, then one per type whose patterns
/// match.
pub fn features(embedding: &[f32], matches: [bool; 5]) -> Vec<f32> {
    let mut x = embedding.to_vec();
    x.extend(matches.map(|m| if m { 1.0 } else { 0.0 }));
    x
}

/// The type from the question text: the classifier with the sentence model, else the first type
/// (most specific first) whose patterns match.
pub fn from_question(
    text: &str,
    lex: &Lexicon,
    encoder: Option<&dyn Embedder>,
) -> Option<QuestionType> {
    let matches = pattern_matches(text, lex);
    if let Some(e) = encoder
        && !text.trim().is_empty()
        && let Ok(v) = e.embed(&[text.trim()])
    {
        let classifier = StepModel::builtin().question_classifier();
        let mut x = features(&v[0], matches);
        x.extend(classifier.wording(text));
        return classifier.classify(&x);
    }
    lex.question_types
        .iter()
        .find(|(t, _)| matches[QuestionType::ALL.iter().position(|u| u == t).unwrap_or(0)])
        .map(|(t, _)| *t)
}

/// How far into the answer a spoken classification is looked for.
const SPOKEN_WINDOW_S: f64 = 60.0;

/// The type the speaker named early in the answer, if any.
pub fn spoken(words: &[Word], lex: &Lexicon) -> Option<QuestionType> {
    let start = words.first()?.start_s;
    let early: Vec<&str> = words
        .iter()
        .take_while(|w| w.start_s - start <= SPOKEN_WINDOW_S)
        .map(|w| w.w.as_str())
        .collect();
    let norm = normalize_all(&early);
    // The earliest mention wins: speakers name the type before they discuss anything else.
    lex.spoken_types
        .iter()
        .filter_map(|(t, patterns)| {
            patterns
                .iter()
                .filter_map(|p| p.find_all(&norm).first().copied().map(|(at, _)| at))
                .min()
                .map(|at| (at, *t))
        })
        .min_by_key(|(at, _)| *at)
        .map(|(_, t)| t)
}

/// The type read from what the answer talks about, through the answer-type classifier.
pub fn from_answer(words: &[Word], lex: &Lexicon, encoder: &dyn Embedder) -> Option<QuestionType> {
    let v = super::segment::answer_embedding(words, lex, encoder)?;
    StepModel::builtin().answer_type_classifier().classify(&v)
}

/// Decide the type and say where it came from.
pub fn resolve(
    flag: Option<QuestionType>,
    question: Option<&str>,
    words: &[Word],
    lex: &Lexicon,
    encoder: Option<&dyn Embedder>,
) -> (QuestionType, TypeSource) {
    if let Some(t) = flag {
        return (t, TypeSource::Flag);
    }
    if let Some(t) = question.and_then(|q| from_question(q, lex, encoder)) {
        return (t, TypeSource::Question);
    }
    if let Some(t) = spoken(words, lex) {
        return (t, TypeSource::Spoken);
    }
    if let Some(t) = encoder.and_then(|e| from_answer(words, lex, e)) {
        return (t, TypeSource::Answer);
    }
    (QuestionType::ProductSense, TypeSource::Default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use QuestionType::*;

    #[test]
    fn question_wording_gives_the_type() {
        let lex = Lexicon::builtin();
        for (q, want) in [
            (
                "Tell me about a time you disagreed with an engineer.",
                Behavioral,
            ),
            (
                "Describe a situation where a launch went wrong.",
                Behavioral,
            ),
            (
                "How many electric vehicle chargers are there in Germany?",
                Estimation,
            ),
            ("Estimate the annual revenue of a coffee shop.", Estimation),
            (
                "You have three features and one team. Which would you build first?",
                Prioritization,
            ),
            ("Rank these initiatives for a notes app.", Prioritization),
            (
                "Should Spotify enter the audiobook market or partner with publishers?",
                Strategy,
            ),
            (
                "How should a grocery chain respond to a new delivery competitor?",
                Strategy,
            ),
            (
                "Design a product that helps parents of toddlers plan meals.",
                ProductSense,
            ),
            (
                "How would you improve Google Maps for cyclists?",
                ProductSense,
            ),
        ] {
            assert_eq!(from_question(q, &lex, None), Some(want), "{q}");
        }
        assert_eq!(
            from_question("Let's talk about long-term stays.", &lex, None),
            None
        );
    }

    #[test]
    fn spoken_classification_is_found_early_in_the_answer() {
        let lex = Lexicon::builtin();
        let words: Vec<Word> =
            "Okay. I'm going to treat this as a strategy question, not a product design question."
                .split_whitespace()
                .enumerate()
                .map(|(i, w)| Word::new(w, 6.0 + i as f64 * 0.3, 6.2 + i as f64 * 0.3))
                .collect();
        assert_eq!(spoken(&words, &lex), Some(Strategy));
    }

    #[test]
    fn resolution_order_is_flag_question_spoken_default() {
        let lex = Lexicon::builtin();
        let said: Vec<Word> = ["This", "is", "an", "estimation", "question."]
            .iter()
            .enumerate()
            .map(|(i, w)| Word::new(*w, i as f64, i as f64 + 0.2))
            .collect();
        assert_eq!(
            resolve(Some(Strategy), Some("How many?"), &said, &lex, None),
            (Strategy, TypeSource::Flag)
        );
        assert_eq!(
            resolve(None, Some("Rank these."), &said, &lex, None),
            (Prioritization, TypeSource::Question)
        );
        assert_eq!(
            resolve(None, Some("Hmm."), &said, &lex, None),
            (Estimation, TypeSource::Spoken)
        );
        assert_eq!(
            resolve(None, None, &[], &lex, None),
            (ProductSense, TypeSource::Default)
        );
    }
}
