//! Reading an answer: which step each stretch belongs to, how long each took against the
//! guidance, what the content says, and how it was delivered. Pure: timed words in, an
//! [`Analysis`] out; no model, no microphone.

pub mod checks;
pub mod content;
pub mod delivery;
pub mod guidance;
pub mod lexicon;
pub mod method;
pub mod phrases;
pub mod question;
pub mod segment;
pub mod sequence;
pub mod stepmodel;
pub mod steps;
pub mod timing;
pub mod wording;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

pub use checks::{Check, Status};
pub use delivery::Delivery;
pub use guidance::Light;
pub use lexicon::Lexicon;
pub use question::TypeSource;
pub use steps::{Framework, QuestionType, Step};
pub use timing::StepReport;

use crate::embed::Embedder;
use crate::time::round_cs;
use crate::transcript::Word;
use stepmodel::Reader;

/// The `--json` contract of `paceback analyze`.
pub const SCHEMA: &str = "paceback.analysis/1";

/// What to analyze.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub words: Vec<Word>,
    /// The recording (or transcript) analyzed, for the report.
    pub audio_path: Option<String>,
    /// Length of the whole recording.
    pub duration_s: f64,
    pub question: Option<String>,
    pub qtype: Option<QuestionType>,
    /// Known step boundaries (step, start) to use instead of segmenting: for measuring the
    /// segmenter against ground truth.
    pub given_steps: Option<Vec<(Step, f64)>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioInfo {
    pub path: Option<String>,
    pub duration_s: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "QuestionJson", into = "QuestionJson")]
pub struct QuestionInfo {
    pub text: Option<String>,
    pub qtype: QuestionType,
    pub type_source: TypeSource,
}

/// [`QuestionInfo`] as `paceback.analysis/1` writes it: `type_source` is one of the spec's four,
/// so a type read from the answer is `default` with `read_from_answer: true` beside it.
#[derive(Serialize, Deserialize)]
struct QuestionJson {
    text: Option<String>,
    #[serde(rename = "type")]
    qtype: QuestionType,
    type_source: TypeSource,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    read_from_answer: bool,
}

impl From<QuestionJson> for QuestionInfo {
    fn from(q: QuestionJson) -> Self {
        let type_source = match q.type_source {
            TypeSource::Default if q.read_from_answer => TypeSource::Answer,
            s => s,
        };
        QuestionInfo {
            text: q.text,
            qtype: q.qtype,
            type_source,
        }
    }
}

impl From<QuestionInfo> for QuestionJson {
    fn from(q: QuestionInfo) -> Self {
        QuestionJson {
            text: q.text,
            qtype: q.qtype,
            type_source: match q.type_source {
                TypeSource::Answer => TypeSource::Default,
                s => s,
            },
            read_from_answer: q.type_source == TypeSource::Answer,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerSpan {
    pub start_s: f64,
    pub end_s: f64,
    pub duration_s: f64,
    pub words: usize,
}

/// Shares of answer time; `null` for STAR answers, which have neither.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shares {
    pub problem_definition: Option<f64>,
    pub solution: Option<f64>,
    /// Where each share could be (10th–90th percentile over segmentations drawn from the
    /// segmenter's uncertainty, widened to hold the share itself); absent when the steps were
    /// given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem_definition_range: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solution_range: Option<[f64; 2]>,
}

/// A timing budget with its light.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetReport {
    pub id: Cow<'static, str>,
    pub label: Cow<'static, str>,
    pub actual_s: f64,
    pub min_s: f64,
    pub target_s: f64,
    pub max_s: f64,
    pub light: Light,
}

/// Content facts reported without a verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Content {
    /// The framework named explicitly ("working backwards from the customer experience"); optional.
    pub framework_named: bool,
}

/// A word with the step it was assigned to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledWord {
    pub w: String,
    pub start_s: f64,
    pub end_s: f64,
    pub step: Option<Step>,
}

/// What split the answer into steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Segmenter {
    /// The step model reading sentences for meaning (sentence embeddings) as well as cues.
    SentenceModel,
    /// The step model reading cues, wording and position only (no sentence model installed).
    #[default]
    Cues,
    /// Boundaries given from outside (`--steps-from`).
    Given,
}

/// Everything paceback says about one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub schema: Cow<'static, str>,
    /// What split the answer into steps (absent in takes saved before it was recorded).
    #[serde(default)]
    pub segmenter: Segmenter,
    pub audio: AudioInfo,
    pub question: QuestionInfo,
    pub framework: Framework,
    pub no_speech: bool,
    pub think_pause_s: f64,
    pub answer: AnswerSpan,
    pub steps: Vec<StepReport>,
    #[serde(serialize_with = "totals_as_map", deserialize_with = "totals_from_map")]
    pub totals: Vec<(Step, f64)>,
    pub shares: Shares,
    pub checks: Vec<Check>,
    pub budgets: Vec<BudgetReport>,
    pub delivery: Delivery,
    pub content: Content,
    /// The three most useful things to change next time.
    pub advice: Vec<String>,
    pub words: Vec<LabelledWord>,
}

fn totals_as_map<S: serde::Serializer>(totals: &[(Step, f64)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(totals.len()))?;
    for (step, secs) in totals {
        map.serialize_entry(step.id(), secs)?;
    }
    map.end()
}

fn totals_from_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(Step, f64)>, D::Error> {
    use serde::de::Error;
    let map = serde_json::Map::deserialize(d)?;
    map.into_iter()
        .map(|(id, secs)| {
            let step = Step::from_id(&id)
                .ok_or_else(|| D::Error::custom(format!("unknown step `{id}`")))?;
            let secs = secs
                .as_f64()
                .ok_or_else(|| D::Error::custom("step seconds must be a number"))?;
            Ok((step, secs))
        })
        .collect()
}

/// How many pieces of advice a report gives.
const ADVICE: usize = 3;

/// Analyze an answer; `encoder`, the sentence model, lets the segmenter read sentences for their
/// meaning (without it, cues, wording and position only).
pub fn analyze(input: &Input, lex: &Lexicon, encoder: Option<&dyn Embedder>) -> Analysis {
    analyze_segmented(input, lex, encoder).0
}

/// [`analyze`], also returning the segmentation behind it (None with given boundaries).
pub fn analyze_segmented(
    input: &Input,
    lex: &Lexicon,
    encoder: Option<&dyn Embedder>,
) -> (Analysis, Option<segment::Segmentation>) {
    analyze_with(input, lex, encoder, &method::METHOD)
}

/// [`analyze_segmented`] against a method with other numbers (for tests of the rules).
pub fn analyze_with(
    input: &Input,
    lex: &Lexicon,
    encoder: Option<&dyn Embedder>,
    method: &method::Method,
) -> (Analysis, Option<segment::Segmentation>) {
    let words = &input.words;
    let (qtype, type_source) =
        question::resolve(input.qtype, input.question.as_deref(), words, lex, encoder);
    let framework = qtype.framework();
    let segmentation = match &input.given_steps {
        Some(_) => None,
        None => Some(segment::segment(words, qtype, lex, encoder)),
    };
    let spans = match (&input.given_steps, &segmentation) {
        (Some(bounds), _) => segment::from_boundaries(words, bounds),
        (None, Some(seg)) => seg.spans.clone(),
        (None, None) => Vec::new(),
    };
    let mut steps = timing::step_reports(words, &spans);
    if let Some(seg) = &segmentation {
        for s in steps.iter_mut() {
            s.opened_by = seg.opening(s.first_word, s.step);
        }
    }
    let (start, end) = match (words.first(), words.last()) {
        (Some(a), Some(b)) => (a.start_s, b.end_s),
        _ => (0.0, 0.0),
    };
    let answer_s = end - start;
    let share_of = |pred: fn(Step) -> bool| round3(timing::seconds(&steps, pred) / answer_s);
    let share_ranges = segmentation
        .as_ref()
        .filter(|_| answer_s > 0.0)
        .and_then(|seg| {
            let range = |pred: fn(Step) -> bool| seg.share_range(words, pred, share_of(pred));
            Some(checks::ShareRanges {
                problem: range(Step::is_problem)?,
                solution: range(Step::is_solution)?,
            })
        });
    let delivery = delivery::measure(words, &steps, lex, method.long_pause_s);
    let profile = method.profile(qtype);

    let step_of: Vec<Option<Step>> = (0..words.len())
        .map(|i| {
            spans
                .iter()
                .find(|s| (s.first..=s.last).contains(&i))
                .map(|s| s.step)
        })
        .collect();
    // The checks read whole sentences; with the sentence model, for their meaning too (most are
    // the segmenter's units, already embedded).
    let mut sentences = checks::sentences(words, &step_of);
    if let Some(e) = encoder {
        let texts: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
        if let Ok(vectors) = e.embed(&texts) {
            for (s, v) in sentences.iter_mut().zip(vectors) {
                s.embedding = Some(v);
            }
        }
    }
    let checks = if words.is_empty() {
        Vec::new()
    } else {
        checks::run(&checks::Context {
            qtype,
            profile,
            method,
            words,
            steps: &steps,
            sentences: &sentences,
            answer_s,
            think_pause_s: start,
            lex,
            delivery: &delivery,
            share_ranges,
        })
    };
    let advice = checks::advice(&checks, ADVICE);

    let budgets = if words.is_empty() {
        Vec::new()
    } else {
        method
            .budgets(qtype)
            .into_iter()
            .map(|(budget, of)| {
                let actual = match budget.id {
                    "answer" => answer_s,
                    "think_pause" => start,
                    _ => timing::seconds(&steps, |s| of.contains(&s)),
                };
                budget_report(&budget, actual)
            })
            .collect()
    };

    let shares = if profile.rules.shares && answer_s > 0.0 {
        let range = |r: (f64, f64)| [round3(r.0), round3(r.1)];
        Shares {
            problem_definition: Some(share_of(Step::is_problem)),
            solution: Some(share_of(Step::is_solution)),
            problem_definition_range: share_ranges.map(|r| range(r.problem)),
            solution_range: share_ranges.map(|r| range(r.solution)),
        }
    } else {
        Shares {
            problem_definition: None,
            solution: None,
            problem_definition_range: None,
            solution_range: None,
        }
    };

    let norm = phrases::normalize_all(&words.iter().map(|w| w.w.as_str()).collect::<Vec<_>>());
    let labelled = words
        .iter()
        .zip(&step_of)
        .map(|(w, step)| LabelledWord {
            w: w.w.clone(),
            start_s: w.start_s,
            end_s: w.end_s,
            step: *step,
        })
        .collect();

    let analysis = Analysis {
        schema: SCHEMA.into(),
        segmenter: match (&input.given_steps, &segmentation) {
            (Some(_), _) => Segmenter::Given,
            (None, Some(seg)) if seg.reader == Reader::Sentence => Segmenter::SentenceModel,
            _ => Segmenter::Cues,
        },
        audio: AudioInfo {
            path: input.audio_path.clone(),
            duration_s: round_cs(input.duration_s),
        },
        question: QuestionInfo {
            text: input.question.clone(),
            qtype,
            type_source,
        },
        framework,
        no_speech: words.is_empty(),
        think_pause_s: round_cs(start),
        answer: AnswerSpan {
            start_s: round_cs(start),
            end_s: round_cs(end),
            duration_s: round_cs(answer_s),
            words: words.iter().filter(|w| timing::is_word(&w.w)).count(),
        },
        totals: timing::totals(framework, &steps),
        steps,
        shares,
        checks,
        budgets,
        delivery,
        content: Content {
            framework_named: lex.checks.framework_named.iter().any(|p| p.is_match(&norm)),
        },
        advice,
        words: labelled,
    };
    (analysis, segmentation)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0 + 0.0
}

fn budget_report(b: &guidance::Budget, actual_s: f64) -> BudgetReport {
    BudgetReport {
        id: b.id.into(),
        label: b.label.into(),
        actual_s: round_cs(actual_s),
        min_s: b.min_s,
        target_s: b.target_s,
        max_s: b.max_s,
        light: b.light(actual_s),
    }
}
