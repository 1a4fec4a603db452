//! The learned step model: how likely each sentence is to belong to each step, and how answers
//! move from step to step.
//!
//! Trained by `scripts/train_step_model.py` on labelled answers (samples/training) and embedded as
//! data (`step_model.json`). Two classifiers per framework, both multinomial logistic regression:
//! - `sentence`: the sentence's embedding (what it means), its neighbours' embeddings, the cue
//!   lexicon's evidence, the word model's P(step), where in the answer it falls and the question type;
//! - `cues`: the same without embeddings, used when the sentence model is not installed.
//!
//! When trained, the sequence reader ([`super::sequence`], small bidirectional GRUs) reads the
//! `sentence` features of the whole answer and gives P(step | sentence, the answer around it);
//! the `sentence` reader's evidence is then the weighted geometric mean of the two (the
//! sequence reader's share learned on the validation set).
//!
//! Their P(step | sentence) feed a hidden Markov model whose start, transition and end
//! probabilities were counted on the same labelled answers, per question type: staying in a step,
//! moving on, skipping, going back and closing on a step each cost what they cost in real answers,
//! so strong evidence can take a speaker back to an earlier step. When trained, the boundary
//! reader ([`BoundaryReader`]) moves each sentence's transitions by how likely a new step is to
//! start there, whichever step it is. Decoding gives the best sequence
//! (Viterbi), each sentence's probability of every step (forward-backward: the confidence) and
//! sampled sequences (to say how much the shares could move).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::sequence::{Dense, SequenceReader};
use super::steps::{Framework, QuestionType, Step};
use crate::embed::DIM;

const MODEL_JSON: &str = include_str!("step_model.json");

/// Where in the answer a sentence falls, as bumps over 0..1 (11 centres, 0.1 apart).
pub const POSITION_BUMPS: usize = 11;

pub fn position_features(at: f64) -> [f32; POSITION_BUMPS] {
    let mut out = [0.0; POSITION_BUMPS];
    for (k, v) in out.iter_mut().enumerate() {
        let d = (at.clamp(0.0, 1.0) - k as f64 / (POSITION_BUMPS - 1) as f64) / 0.1;
        *v = (-0.5 * d * d).exp() as f32;
    }
    out
}

#[derive(Deserialize)]
struct RawClassifier {
    inputs: Vec<String>,
    weights: Vec<Vec<f32>>,
    bias: Vec<f32>,
}

#[derive(Deserialize)]
struct RawFramework {
    steps: Vec<String>,
    classifiers: HashMap<String, RawClassifier>,
    prior: Vec<f64>,
    emission_weight: HashMap<String, f64>,
    /// Per reader: the factor on every log-potential that calibrates the confidences.
    #[serde(default)]
    temperature: HashMap<String, f64>,
    /// Per reader: the temperature of the sequences drawn to bound the shares (fitted on the
    /// validation set so that the reported range holds the true share about 80% of the time).
    /// Absent: the confidences' temperature.
    #[serde(default)]
    range_temperature: HashMap<String, f64>,
    /// Per reader: how far the drawn range is widened on each side, as a fraction of its width
    /// (fitted on the calibration answers, written by people outside the team and never trained
    /// on, so that the reported range holds the true share about 80% of the time on answers like
    /// theirs). Absent: 0.
    #[serde(default)]
    range_widening: HashMap<String, f64>,
    /// Per question type: log P(first step), log P(next | previous).
    start: HashMap<String, Vec<f64>>,
    transitions: HashMap<String, Vec<Vec<f64>>>,
    /// Labelled example sentences (step, text), for explaining a decision by its neighbour.
    #[serde(default)]
    examples: Vec<(String, String)>,
    /// Per question type: log P(last step). Absent in older models (any step may close).
    #[serde(default)]
    end: HashMap<String, Vec<f64>>,
    /// The sequence reader over the `sentence` features, when trained.
    #[serde(default)]
    sequence: Option<RawSequence>,
    /// The boundary reader over the `sentence` features, when trained.
    #[serde(default)]
    boundary: Option<RawBoundary>,
}

#[derive(Deserialize)]
struct RawBoundary {
    weights: Vec<f32>,
    bias: f32,
    rate: f64,
    weight: f64,
}

/// The boundary reader: P(a new step starts at this unit), from the unit's `sentence` features
/// and how close its meaning is to the unit before (the elementwise and the dot product of the
/// two embeddings), whatever the steps on either side. Its evidence against the base rate moves
/// the unit's transitions: moving on gains `weight × log(P / rate)`, staying
/// `weight × log((1 - P) / (1 - rate))` (`scripts/train_step_model.py`).
pub struct BoundaryReader {
    linear: Dense,
    rate: f64,
    weight: f64,
}

impl BoundaryReader {
    fn new(raw: RawBoundary) -> Self {
        BoundaryReader {
            linear: Dense::new(vec![raw.weights], vec![raw.bias]),
            rate: raw.rate.clamp(1e-4, 1.0 - 1e-4),
            weight: raw.weight,
        }
    }

    /// Whether it reads `sentence` features of this width.
    fn fits(&self, sentence_inputs: usize) -> bool {
        self.linear.inputs() == sentence_inputs + DIM + 1
    }

    /// P(a new step starts at the unit with these `sentence` features).
    fn probability(&self, x: &[f32]) -> f64 {
        let (own, previous) = (&x[..DIM], &x[DIM..2 * DIM]);
        let product: Vec<f32> = own.iter().zip(previous).map(|(a, b)| a * b).collect();
        let dot: f32 = product.iter().sum();
        let input: Vec<f32> = x.iter().chain(&product).copied().chain([dot]).collect();
        let z = f64::from(self.linear.output(0, &input));
        (1.0 / (1.0 + (-z).exp())).clamp(1e-4, 1.0 - 1e-4)
    }

    /// Per unit, the (moving on, staying) log-evidence added to its transitions, from its
    /// P(a new step starts here); none for the first unit, which no transition enters.
    fn evidence(&self, new_step: &[f64]) -> Vec<(f64, f64)> {
        new_step
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                if i == 0 {
                    return (0.0, 0.0);
                }
                (
                    self.weight * (p / self.rate).ln(),
                    self.weight * ((1.0 - p) / (1.0 - self.rate)).ln(),
                )
            })
            .collect()
    }
}

#[derive(Deserialize)]
struct RawSequence {
    /// The sequence reader's share of the `sentence` evidence (the linear classifier has the rest).
    share: f64,
    /// Networks that vote (their logits averaged).
    networks: Vec<SequenceReader>,
}

#[derive(Deserialize)]
struct RawModel {
    frameworks: HashMap<String, RawFramework>,
    question_types: RawQuestions,
    answer_types: RawAnswerTypes,
    #[serde(default)]
    content_checks: Option<RawContent>,
}

#[derive(Deserialize)]
struct RawAnswerTypes {
    types: Vec<String>,
    weights: Vec<Vec<f32>>,
    bias: Vec<f32>,
}

/// The answer-type reader: an answer's embedding (its sentences' averaged by speaking time) to the
/// kind of question it answers, for when nothing else says.
pub struct AnswerTypeClassifier {
    types: Vec<QuestionType>,
    linear: Classifier,
}

impl AnswerTypeClassifier {
    /// The likeliest type; None for a vector of the wrong length.
    pub fn classify(&self, x: &[f32]) -> Option<QuestionType> {
        self.linear.likeliest(x).map(|k| self.types[k])
    }
}

#[derive(Deserialize)]
struct RawContent {
    properties: Vec<super::content::Property>,
    weights: Vec<Vec<f32>>,
    bias: Vec<f32>,
    #[serde(default)]
    thresholds: Vec<f64>,
    #[serde(flatten)]
    wording: Wording,
}

/// One logistic regression per content property over a sentence's embedding, phrase matches and
/// wording.
pub struct ContentClassifier {
    properties: Vec<super::content::Property>,
    weights: Vec<Vec<f32>>,
    bias: Vec<f32>,
    /// The probability above which a property is said, per property (chosen by
    /// cross-validation when trained; 0.5 where the model has none).
    thresholds: Vec<f64>,
    wording: Wording,
}

impl ContentClassifier {
    /// The wording part of a sentence's features.
    pub fn wording(&self, text: &str) -> Vec<f32> {
        self.wording.vector(text)
    }

    /// Whether the sentence with features `x` says `property`, if the model knows it.
    pub fn says(&self, property: super::content::Property, x: &[f32]) -> Option<bool> {
        let k = self.index(property)?;
        let threshold = self.thresholds.get(k).copied().unwrap_or(0.5);
        self.probability_at(k, x).map(|p| p >= threshold)
    }

    /// P(the sentence says `property`), if the model knows it and `x` has the right length.
    pub fn probability(&self, property: super::content::Property, x: &[f32]) -> Option<f64> {
        self.probability_at(self.index(property)?, x)
    }

    fn index(&self, property: super::content::Property) -> Option<usize> {
        self.properties.iter().position(|p| *p == property)
    }

    fn probability_at(&self, k: usize, x: &[f32]) -> Option<f64> {
        let w = self.weights.get(k).filter(|w| w.len() == x.len())?;
        let z = f64::from(self.bias[k] + w.iter().zip(x).map(|(a, b)| a * b).sum::<f32>());
        Some(1.0 / (1.0 + (-z).exp()))
    }
}

#[derive(Deserialize)]
struct RawQuestions {
    types: Vec<String>,
    weights: Vec<Vec<f32>>,
    bias: Vec<f32>,
    #[serde(flatten)]
    wording: Wording,
}

/// How a text is worded, as the question and content classifiers read it: TF-IDF of its words
/// and word pairs, then, where the classifier was trained with them, of its words' character
/// n-grams (which read a word never seen by its pieces).
#[derive(Deserialize, Default)]
pub struct Wording {
    #[serde(default)]
    tfidf: Tfidf,
    #[serde(default)]
    chars: Option<Tfidf>,
}

impl Wording {
    /// Words and pairs, then character n-grams.
    pub fn vector(&self, text: &str) -> Vec<f32> {
        let mut x = self.tfidf.vector(text);
        if let Some(chars) = &self.chars {
            x.extend(chars.vector(text));
        }
        x
    }
}

/// TF-IDF of a text's words and word pairs, as scikit-learn's `TfidfVectorizer(ngram_range=(1,
/// 2), sublinear_tf=True)` computes it: tokens are runs of two or more word characters,
/// lowercased; tf is 1 + ln(count); the vector is scaled to length 1. With `char_ngrams`, the
/// terms are instead the character n-grams of each word padded with a space on either side
/// (scikit-learn's `analyzer="char_wb"`), which reads a word it never saw by its pieces.
#[derive(Deserialize, Default)]
pub struct Tfidf {
    vocabulary: HashMap<String, usize>,
    idf: Vec<f32>,
    #[serde(default)]
    char_ngrams: Option<[usize; 2]>,
}

impl Tfidf {
    fn tokens(text: &str) -> Vec<String> {
        text.to_lowercase()
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|t| t.chars().count() >= 2)
            .map(str::to_owned)
            .collect()
    }

    /// Words and word pairs.
    fn word_terms(text: &str) -> Vec<String> {
        let tokens = Self::tokens(text);
        let pairs: Vec<String> = tokens
            .windows(2)
            .map(|p| format!("{} {}", p[0], p[1]))
            .collect();
        tokens.into_iter().chain(pairs).collect()
    }

    /// The `min..=max` character n-grams of each lowercased word padded with spaces; a padded
    /// word no longer than `n` is one term, once.
    fn char_terms(text: &str, [min, max]: [usize; 2]) -> Vec<String> {
        let mut terms = Vec::new();
        for word in text.to_lowercase().split_whitespace() {
            let padded: Vec<char> = std::iter::once(' ')
                .chain(word.chars())
                .chain(std::iter::once(' '))
                .collect();
            for n in min..=max {
                if padded.len() <= n {
                    terms.push(padded.iter().collect());
                    break;
                }
                terms.extend(padded.windows(n).map(|w| w.iter().collect::<String>()));
            }
        }
        terms
    }

    /// The vector, dense.
    pub fn vector(&self, text: &str) -> Vec<f32> {
        let terms = match self.char_ngrams {
            Some(range) => Self::char_terms(text, range),
            None => Self::word_terms(text),
        };
        let mut counts: HashMap<usize, f32> = HashMap::new();
        for term in terms {
            if let Some(&i) = self.vocabulary.get(&term) {
                *counts.entry(i).or_default() += 1.0;
            }
        }
        let mut v = vec![0.0f32; self.idf.len()];
        for (i, c) in counts {
            v[i] = (1.0 + c.ln()) * self.idf[i];
        }
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
        v
    }
}

/// The question-type classifier: a question's embedding and pattern matches to its type.
pub struct QuestionClassifier {
    types: Vec<QuestionType>,
    linear: Classifier,
    wording: Wording,
}

impl QuestionClassifier {
    /// The wording part of a question's features.
    pub fn wording(&self, text: &str) -> Vec<f32> {
        self.wording.vector(text)
    }

    /// The likeliest type; None for a feature vector of the wrong length.
    pub fn classify(&self, x: &[f32]) -> Option<QuestionType> {
        self.linear.likeliest(x).map(|k| self.types[k])
    }
}

/// A linear classifier over a feature vector.
pub struct Classifier {
    /// Names of the feature blocks, in order (`embedding`, `previous`, `next`, `cues`, `content`,
    /// `position`).
    pub inputs: Vec<String>,
    linear: Dense,
}

impl Classifier {
    fn new(inputs: Vec<String>, weights: Vec<Vec<f32>>, bias: Vec<f32>) -> Self {
        Classifier {
            inputs,
            linear: Dense::new(weights, bias),
        }
    }

    /// The index of the likeliest class over all classes; None for a vector of the wrong length.
    fn likeliest(&self, x: &[f32]) -> Option<usize> {
        if self.linear.inputs() != x.len() {
            return None;
        }
        let all: Vec<usize> = (0..self.linear.outputs()).collect();
        let lp = self.log_posterior(x, &all);
        (0..lp.len()).max_by(|&a, &b| lp[a].total_cmp(&lp[b]))
    }

    /// log P(step | features) over `allowed` steps (indexes into the framework's steps).
    fn log_posterior(&self, x: &[f32], allowed: &[usize]) -> Vec<f64> {
        debug_assert_eq!(self.linear.inputs(), x.len());
        log_softmax(allowed.iter().map(|&k| self.linear.output(k, x)))
    }
}

/// Logits to log probabilities.
fn log_softmax(logits: impl Iterator<Item = f32>) -> Vec<f64> {
    normalized(logits.map(f64::from).collect())
}

/// Log weights shifted so that their probabilities sum to one.
fn normalized(mut v: Vec<f64>) -> Vec<f64> {
    let z = log_sum_exp(&v);
    v.iter_mut().for_each(|x| *x -= z);
    v
}

pub struct FrameworkModel {
    steps: Vec<Step>,
    pub sentence: Classifier,
    pub cues: Classifier,
    log_prior: Vec<f64>,
    emission_weight: HashMap<String, f64>,
    temperature: HashMap<String, f64>,
    range_temperature: HashMap<String, f64>,
    range_widening: HashMap<String, f64>,
    start: HashMap<QuestionType, Vec<f64>>,
    transitions: HashMap<QuestionType, Vec<Vec<f64>>>,
    end: HashMap<QuestionType, Vec<f64>>,
    examples: Vec<(Step, String)>,
    /// Read the `sentence` features in the context of the whole answer (they vote), when trained.
    sequence: Vec<SequenceReader>,
    /// The sequence reader's share of the `sentence` evidence.
    sequence_share: f64,
    /// How likely each unit is to open a new step, when trained (read with the `sentence` reader).
    boundary: Option<BoundaryReader>,
}

/// Which classifier reads the sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Embeddings + cues + word model + position.
    Sentence,
    /// Cues + word model + position.
    Cues,
}

impl Reader {
    fn key(self) -> &'static str {
        match self {
            Reader::Sentence => "sentence",
            Reader::Cues => "cues",
        }
    }
}

/// The embedded step model.
pub struct StepModel {
    working_backwards: FrameworkModel,
    star: FrameworkModel,
    questions: QuestionClassifier,
    answers: AnswerTypeClassifier,
    content: ContentClassifier,
}

fn parse_framework(raw: RawFramework) -> FrameworkModel {
    let steps: Vec<Step> = raw
        .steps
        .iter()
        .map(|s| Step::from_id(s).expect("step model names known steps"))
        .collect();
    let mut classifiers = raw.classifiers;
    let mut take = |key: &str| {
        let c = classifiers
            .remove(key)
            .unwrap_or_else(|| panic!("step model has a `{key}` classifier"));
        assert_eq!(c.weights.len(), steps.len());
        Classifier::new(c.inputs, c.weights, c.bias)
    };
    let sentence = take("sentence");
    let cues = take("cues");
    let (sequence, sequence_share) = raw
        .sequence
        .map_or((Vec::new(), 0.0), |s| (s.networks, s.share.clamp(0.0, 1.0)));
    for net in &sequence {
        assert!(
            net.fits(sentence.linear.inputs(), steps.len()),
            "step model's sequence reader fits its sentence features"
        );
    }
    let boundary = raw.boundary.map(BoundaryReader::new);
    if let Some(b) = &boundary {
        assert!(
            b.fits(sentence.linear.inputs()),
            "step model's boundary reader fits its sentence features"
        );
    }
    let by_type = |m: HashMap<String, Vec<f64>>| -> HashMap<QuestionType, Vec<f64>> {
        m.into_iter()
            .map(|(k, v)| (k.parse().expect("step model names known types"), v))
            .collect()
    };
    FrameworkModel {
        log_prior: raw.prior.iter().map(|p| p.ln()).collect(),
        emission_weight: raw.emission_weight,
        temperature: raw.temperature,
        range_temperature: raw.range_temperature,
        range_widening: raw.range_widening,
        start: by_type(raw.start),
        end: by_type(raw.end),
        transitions: raw
            .transitions
            .into_iter()
            .map(|(k, v)| (k.parse().expect("step model names known types"), v))
            .collect(),
        examples: raw
            .examples
            .into_iter()
            .filter_map(|(s, t)| Step::from_id(&s).map(|s| (s, t)))
            .collect(),
        steps,
        sentence,
        cues,
        sequence,
        sequence_share,
        boundary,
    }
}

impl StepModel {
    /// The model embedded in the binary.
    pub fn builtin() -> &'static StepModel {
        static MODEL: OnceLock<StepModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            let mut raw: RawModel =
                serde_json::from_str(MODEL_JSON).expect("embedded step model parses");
            let mut take = |key: &str| {
                parse_framework(
                    raw.frameworks
                        .remove(key)
                        .unwrap_or_else(|| panic!("step model has `{key}`")),
                )
            };
            let working_backwards = take("working_backwards");
            let star = take("star");
            let q = raw.question_types;
            let known = |types: &[String]| -> Vec<QuestionType> {
                types
                    .iter()
                    .map(|t| t.parse().expect("step model names known types"))
                    .collect()
            };
            let answers = AnswerTypeClassifier {
                types: known(&raw.answer_types.types),
                linear: Classifier::new(
                    vec!["embedding".into()],
                    raw.answer_types.weights,
                    raw.answer_types.bias,
                ),
            };
            let content = raw.content_checks.map_or(
                ContentClassifier {
                    properties: Vec::new(),
                    weights: Vec::new(),
                    bias: Vec::new(),
                    thresholds: Vec::new(),
                    wording: Wording::default(),
                },
                |c| ContentClassifier {
                    properties: c.properties,
                    weights: c.weights,
                    bias: c.bias,
                    thresholds: c.thresholds,
                    wording: c.wording,
                },
            );
            StepModel {
                content,
                working_backwards,
                star,
                answers,
                questions: QuestionClassifier {
                    types: known(&q.types),
                    linear: Classifier::new(
                        vec!["embedding".into(), "patterns".into(), "tfidf".into()],
                        q.weights,
                        q.bias,
                    ),
                    wording: q.wording,
                },
            }
        })
    }

    pub fn content_classifier(&self) -> &ContentClassifier {
        &self.content
    }

    pub fn question_classifier(&self) -> &QuestionClassifier {
        &self.questions
    }

    pub fn answer_type_classifier(&self) -> &AnswerTypeClassifier {
        &self.answers
    }

    pub fn framework(&self, framework: Framework) -> &FrameworkModel {
        match framework {
            Framework::WorkingBackwards => &self.working_backwards,
            Framework::Star => &self.star,
        }
    }
}

impl FrameworkModel {
    /// Labelled example sentences.
    pub fn examples(&self) -> &[(Step, String)] {
        &self.examples
    }

    /// The framework's steps, in the order of the classifiers' outputs.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn classifier(&self, reader: Reader) -> &Classifier {
        match reader {
            Reader::Sentence => &self.sentence,
            Reader::Cues => &self.cues,
        }
    }

    /// Indexes (into [`Self::steps`]) of the steps an answer of `qtype` can have.
    pub fn allowed(&self, qtype: QuestionType) -> Vec<usize> {
        qtype
            .steps()
            .iter()
            .filter_map(|s| self.steps.iter().position(|t| t == s))
            .collect()
    }

    /// log P(step | unit) over the allowed steps for every unit of an answer: the classifier's,
    /// and, when the sentences are read for meaning and a sequence reader is trained, its
    /// weighted geometric mean with the sequence reader's.
    fn log_posteriors(
        &self,
        reader: Reader,
        features: &[Vec<f32>],
        allowed: &[usize],
    ) -> Vec<Vec<f64>> {
        let c = self.classifier(reader);
        let linear = features.iter().map(|x| c.log_posterior(x, allowed));
        if reader == Reader::Cues || self.sequence.is_empty() {
            return linear.collect();
        }
        let votes: Vec<Vec<Vec<f32>>> = self
            .sequence
            .iter()
            .map(|net| net.logits(features))
            .collect();
        let share = self.sequence_share;
        linear
            .enumerate()
            .map(|(i, lin)| {
                let mean = allowed
                    .iter()
                    .map(|&k| votes.iter().map(|v| v[i][k]).sum::<f32>() / votes.len() as f32);
                normalized(
                    lin.iter()
                        .zip(log_softmax(mean))
                        .map(|(l, q)| (1.0 - share) * l + share * q)
                        .collect(),
                )
            })
            .collect()
    }

    /// Emission scores per unit over the allowed steps: the reader's log posterior over the
    /// prior (a scaled likelihood, as in hybrid HMMs), weighted.
    pub fn emissions(
        &self,
        reader: Reader,
        features: &[Vec<f32>],
        allowed: &[usize],
    ) -> Vec<Vec<f64>> {
        let weight = self
            .emission_weight
            .get(reader.key())
            .copied()
            .unwrap_or(1.0);
        let prior: Vec<f64> = allowed.iter().map(|&k| self.log_prior[k]).collect();
        let z = log_sum_exp(&prior);
        self.log_posteriors(reader, features, allowed)
            .into_iter()
            .map(|lp| {
                lp.iter()
                    .zip(&prior)
                    .map(|(lp, pr)| weight * (lp - (pr - z)))
                    .collect()
            })
            .collect()
    }

    /// The calibration temperature of `reader`'s decoding: multiplying every log-potential by it
    /// leaves the best sequence as it is and makes the probabilities honest (for the sentence
    /// reader fitted on the calibration answers, so that steps reported with confidence >= 0.8
    /// are right at least 90% of the time: `scripts/fit_uncertainty.py`).
    pub fn temperature(&self, reader: Reader) -> f64 {
        self.temperature.get(reader.key()).copied().unwrap_or(1.0)
    }

    /// The temperature of the sequences drawn to bound the shares: lower than the confidences'
    /// when the sampled shares proved too narrow to hold the true share as often as they claim
    /// (`scripts/fit_uncertainty.py`).
    pub fn range_temperature(&self, reader: Reader) -> f64 {
        self.range_temperature
            .get(reader.key())
            .copied()
            .unwrap_or_else(|| self.temperature(reader))
    }

    /// How far the shares' drawn range is widened on each side, as a fraction of its width: the
    /// sequences drawn from the model miss how wrong it can be on answers unlike its training
    /// answers (`scripts/fit_uncertainty.py`).
    pub fn range_widening(&self, reader: Reader) -> f64 {
        self.range_widening
            .get(reader.key())
            .copied()
            .unwrap_or(0.0)
    }

    /// P(a new step starts at the unit) for every unit, when the boundary reader is trained and
    /// `reader` reads the sentences for meaning; else empty.
    pub fn new_step(&self, reader: Reader, features: &[Vec<f32>]) -> Vec<f64> {
        match (&self.boundary, reader) {
            (Some(b), Reader::Sentence) => features.iter().map(|x| b.probability(x)).collect(),
            _ => Vec::new(),
        }
    }

    /// log P(first step), log P(next | previous) and log P(last step) over the allowed steps,
    /// renormalized; given each unit's P(a new step starts here) ([`Self::new_step`]), its
    /// transitions moved by it.
    pub fn chain(&self, qtype: QuestionType, allowed: &[usize], new_step: &[f64]) -> Chain {
        let start = &self.start[&qtype];
        let trans = &self.transitions[&qtype];
        let over_allowed = |row: &[f64]| normalized(allowed.iter().map(|&k| row[k]).collect());
        Chain {
            start: over_allowed(start),
            trans: allowed.iter().map(|&j| over_allowed(&trans[j])).collect(),
            end: self
                .end
                .get(&qtype)
                .map_or_else(|| vec![0.0; allowed.len()], |end| over_allowed(end)),
            boundary: self
                .boundary
                .as_ref()
                .map_or_else(Vec::new, |b| b.evidence(new_step)),
        }
    }
}

/// Start, transition and end log probabilities over a set of states (an end of all zeros: any
/// state may close), and per unit the (moving on, staying) log-evidence of the boundary reader
/// (empty: none).
#[derive(Debug, Clone)]
pub struct Chain {
    pub start: Vec<f64>,
    pub trans: Vec<Vec<f64>>,
    pub end: Vec<f64>,
    pub boundary: Vec<(f64, f64)>,
}

impl Chain {
    /// Every log-potential multiplied by `t` (see [`FrameworkModel::temperature`]).
    pub fn scaled(&self, t: f64) -> Chain {
        let row = |r: &[f64]| r.iter().map(|v| v * t).collect();
        Chain {
            start: row(&self.start),
            trans: self.trans.iter().map(|r| row(r)).collect(),
            end: row(&self.end),
            boundary: self.boundary.iter().map(|(m, s)| (m * t, s * t)).collect(),
        }
    }

    /// log-potential of going from state `j` at unit `i - 1` to state `k` at unit `i`.
    fn transition(&self, i: usize, j: usize, k: usize) -> f64 {
        let moved = self.boundary.get(i).map_or(
            0.0,
            |&(moving, staying)| {
                if j == k { staying } else { moving }
            },
        );
        self.trans[j][k] + moved
    }
}

/// Emissions multiplied by `t`.
pub fn scaled(emissions: &[Vec<f64>], t: f64) -> Vec<Vec<f64>> {
    emissions
        .iter()
        .map(|row| row.iter().map(|v| v * t).collect())
        .collect()
}

pub fn log_sum_exp(v: &[f64]) -> f64 {
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + v.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

/// The most likely state sequence.
pub fn viterbi(emissions: &[Vec<f64>], chain: &Chain) -> Vec<usize> {
    let n = chain.start.len();
    if emissions.is_empty() {
        return Vec::new();
    }
    let mut best: Vec<f64> = (0..n).map(|k| chain.start[k] + emissions[0][k]).collect();
    let mut back: Vec<Vec<usize>> = vec![vec![0; n]];
    for (i, e) in emissions.iter().enumerate().skip(1) {
        let mut next = vec![f64::NEG_INFINITY; n];
        let mut from = vec![0; n];
        for k in 0..n {
            for (j, b) in best.iter().enumerate() {
                let v = b + chain.transition(i, j, k);
                if v > next[k] {
                    next[k] = v;
                    from[k] = j;
                }
            }
            next[k] += e[k];
        }
        best = next;
        back.push(from);
    }
    for (b, e) in best.iter_mut().zip(&chain.end) {
        *b += e;
    }
    let mut k = (0..n)
        .max_by(|&a, &b| best[a].total_cmp(&best[b]))
        .unwrap_or(0);
    let mut path = vec![k; emissions.len()];
    for i in (1..emissions.len()).rev() {
        k = back[i][k];
        path[i - 1] = k;
    }
    path
}

/// Forward log probabilities, alpha[i][k] = log P(e_0..e_i, state_i = k).
fn forward(emissions: &[Vec<f64>], chain: &Chain) -> Vec<Vec<f64>> {
    let n = chain.start.len();
    let mut alpha: Vec<Vec<f64>> = Vec::with_capacity(emissions.len());
    for (i, e) in emissions.iter().enumerate() {
        let row: Vec<f64> = (0..n)
            .map(|k| {
                let into = if i == 0 {
                    chain.start[k]
                } else {
                    let prev = &alpha[i - 1];
                    log_sum_exp(
                        &(0..n)
                            .map(|j| prev[j] + chain.transition(i, j, k))
                            .collect::<Vec<_>>(),
                    )
                };
                into + e[k]
            })
            .collect();
        alpha.push(row);
    }
    alpha
}

/// P(state_i = k | all evidence) for every unit and state.
pub fn marginals(emissions: &[Vec<f64>], chain: &Chain) -> Vec<Vec<f64>> {
    let n = chain.start.len();
    let m = emissions.len();
    if m == 0 {
        return Vec::new();
    }
    let alpha = forward(emissions, chain);
    let mut beta = vec![vec![0.0; n]; m];
    beta[m - 1].clone_from(&chain.end);
    for i in (0..m - 1).rev() {
        for j in 0..n {
            beta[i][j] = log_sum_exp(
                &(0..n)
                    .map(|k| chain.transition(i + 1, j, k) + emissions[i + 1][k] + beta[i + 1][k])
                    .collect::<Vec<_>>(),
            );
        }
    }
    (0..m)
        .map(|i| {
            let row: Vec<f64> = (0..n).map(|k| alpha[i][k] + beta[i][k]).collect();
            let z = log_sum_exp(&row);
            row.into_iter().map(|v| (v - z).exp()).collect()
        })
        .collect()
}

/// `count` state sequences drawn from P(sequence | evidence) (forward filtering, backward
/// sampling), with a fixed seed so the same answer always gives the same figures.
pub fn sample_paths(emissions: &[Vec<f64>], chain: &Chain, count: usize) -> Vec<Vec<usize>> {
    let n = chain.start.len();
    let m = emissions.len();
    if m == 0 {
        return Vec::new();
    }
    let alpha = forward(emissions, chain);
    let mut rng = fastrand::Rng::with_seed(0x5eed_5eed);
    let draw = |logw: &[f64], rng: &mut fastrand::Rng| -> usize {
        let z = log_sum_exp(logw);
        let mut u = rng.f64();
        for (k, w) in logw.iter().enumerate() {
            u -= (w - z).exp();
            if u <= 0.0 {
                return k;
            }
        }
        n - 1
    };
    let last: Vec<f64> = alpha[m - 1]
        .iter()
        .zip(&chain.end)
        .map(|(a, e)| a + e)
        .collect();
    (0..count)
        .map(|_| {
            let mut path = vec![0; m];
            path[m - 1] = draw(&last, &mut rng);
            for i in (0..m - 1).rev() {
                let next = path[i + 1];
                let w: Vec<f64> = (0..n)
                    .map(|j| alpha[i][j] + chain.transition(i + 1, j, next))
                    .collect();
                path[i] = draw(&w, &mut rng);
            }
            path
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_property_is_said_above_its_own_threshold() {
        use crate::analysis::content::Property;
        // One feature; bias 0.405 puts P(threshold) at 0.6 for x = [0].
        let classifier = |thresholds: Vec<f64>| ContentClassifier {
            properties: vec![Property::Threshold, Property::Guardrail],
            weights: vec![vec![1.0], vec![1.0]],
            bias: vec![0.405, 0.405],
            thresholds,
            wording: Wording::default(),
        };
        let p = classifier(Vec::new())
            .probability(Property::Threshold, &[0.0])
            .unwrap();
        assert!((p - 0.6).abs() < 0.01, "{p}");
        // Without thresholds, 0.5 decides.
        assert_eq!(
            classifier(Vec::new()).says(Property::Threshold, &[0.0]),
            Some(true)
        );
        let strict = classifier(vec![0.75, 0.5]);
        assert_eq!(strict.says(Property::Threshold, &[0.0]), Some(false));
        assert_eq!(strict.says(Property::Guardrail, &[0.0]), Some(true));
        // A property the model does not know, or features of the wrong length: no answer.
        assert_eq!(strict.says(Property::Mitigation, &[0.0]), None);
        assert_eq!(strict.says(Property::Threshold, &[0.0, 1.0]), None);
    }

    #[test]
    fn wording_is_words_then_character_ngrams_when_trained_with_them() {
        let words_only: Wording = serde_json::from_str(
            r#"{"tfidf": {"vocabulary": {"cap": 0, "at": 1}, "idf": [1.0, 2.0]}}"#,
        )
        .unwrap();
        assert_eq!(words_only.vector("Cap it"), vec![1.0, 0.0]);
        let both: Wording = serde_json::from_str(
            r#"{"tfidf": {"vocabulary": {"cap": 0, "at": 1}, "idf": [1.0, 2.0]},
                "chars": {"vocabulary": {" ca": 0, "zz ": 1}, "idf": [3.0, 1.0], "char_ngrams": [3, 3]}}"#,
        )
        .unwrap();
        // A word the words never saw ("capped") is still read by its pieces.
        assert_eq!(both.vector("capped"), vec![0.0, 0.0, 1.0, 0.0]);
        assert_eq!(both.vector("cap").len(), 4);
    }

    #[test]
    fn char_ngrams_are_scikit_learns() {
        // TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).build_analyzer() of the same text.
        let sklearn = [
            " go", "go ", " go ", " to", "to ", " to ", " a ", " ca", "caf", "afé", "fé,", "é, ",
            " caf", "café", "afé,", "fé, ", " café", "café,", "afé, ", " ok", "ok?", "k? ", " ok?",
            "ok? ", " ok? ",
        ];
        assert_eq!(Tfidf::char_terms("Go  to a Café, OK?", [3, 5]), sklearn);
    }

    fn chain(n: usize, stay: f64) -> Chain {
        let trans = (0..n)
            .map(|j| {
                (0..n)
                    .map(|k| {
                        if j == k {
                            stay.ln()
                        } else {
                            ((1.0 - stay) / (n - 1) as f64).ln()
                        }
                    })
                    .collect()
            })
            .collect();
        Chain {
            start: vec![(1.0 / n as f64).ln(); n],
            trans,
            end: vec![0.0; n],
            boundary: Vec::new(),
        }
    }

    #[test]
    fn viterbi_stays_without_evidence_and_moves_with_it() {
        let e = vec![
            vec![0.0, 3.0, 0.0],
            vec![0.0, 0.0, 0.0],
            vec![0.0, 0.0, 3.0],
        ];
        assert_eq!(viterbi(&e, &chain(3, 0.8)), vec![1, 1, 2]);
    }

    #[test]
    fn marginals_are_distributions_and_follow_the_evidence() {
        let e = vec![vec![2.0, 0.0], vec![0.0, 0.0], vec![0.0, 2.0]];
        let m = marginals(&e, &chain(2, 0.7));
        for row in &m {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
        assert!(m[0][0] > 0.8 && m[2][1] > 0.8, "{m:?}");
        // the unit without evidence is genuinely uncertain
        assert!(m[1][0] > 0.3 && m[1][0] < 0.7, "{m:?}");
    }

    #[test]
    fn sampled_paths_agree_with_the_marginals() {
        let e = vec![vec![2.0, 0.0], vec![0.0, 0.0], vec![0.0, 2.0]];
        let c = chain(2, 0.7);
        let m = marginals(&e, &c);
        let paths = sample_paths(&e, &c, 4000);
        let freq = paths.iter().filter(|p| p[1] == 0).count() as f64 / 4000.0;
        assert!((freq - m[1][0]).abs() < 0.03, "{freq} vs {}", m[1][0]);
        // deterministic
        assert_eq!(paths, sample_paths(&e, &c, 4000));
    }

    #[test]
    fn position_bumps_peak_at_their_centre() {
        let f = position_features(0.5);
        assert!((f[5] - 1.0).abs() < 1e-6);
        assert!(f[0] < 1e-4 && f[10] < 1e-4);
    }

    #[test]
    fn the_embedded_model_fits_its_frameworks() {
        let m = StepModel::builtin();
        assert_eq!(
            m.framework(Framework::WorkingBackwards).steps(),
            Step::WORKING_BACKWARDS
        );
        assert_eq!(m.framework(Framework::Star).steps(), Step::STAR);
        for t in QuestionType::ALL {
            let f = m.framework(t.framework());
            let allowed = f.allowed(t);
            assert_eq!(allowed.len(), t.steps().len());
            let c = f.chain(t, &allowed, &[]);
            assert!((c.start.iter().map(|v| v.exp()).sum::<f64>() - 1.0).abs() < 1e-9);
            assert!((c.end.iter().map(|v| v.exp()).sum::<f64>() - 1.0).abs() < 1e-9);
        }
    }

    /// A STAR framework whose classifiers read `width` features (feature 0 says situation) and
    /// that carries `nets` sequence readers with `share` of the evidence.
    fn star(width: usize, nets: &[&str], share: f64) -> FrameworkModel {
        let row = |first: u8| {
            let mut r = vec!["0"; width];
            r[0] = if first == 1 { "1" } else { "0" };
            format!("[{}]", r.join(", "))
        };
        let weights = format!("[{}, {}, {}, {}]", row(1), row(0), row(0), row(0));
        let json = format!(
            r#"{{"steps": ["situation", "task", "action", "result"],
            "classifiers": {{
              "sentence": {{"inputs": ["x"], "weights": {weights}, "bias": [0, 0, 0, 0]}},
              "cues": {{"inputs": ["x"], "weights": {weights}, "bias": [0, 0, 0, 0]}}}},
            "prior": [0.25, 0.25, 0.25, 0.25], "emission_weight": {{}},
            "start": {{}}, "transitions": {{}},
            "sequence": {{"share": {share}, "networks": [{}]}}}}"#,
            nets.join(",")
        );
        parse_framework(serde_json::from_str(&json).unwrap())
    }

    /// A sequence reader that reads feature 1 and carries it forward: a unit's reading depends
    /// on the units before it (situation up, action down).
    const CARRY: &str = r#"{"columns": [[1, 2]],
        "linear": {"weights": [[0], [0], [0], [0]], "bias": [0, 0, 0, 0]},
        "project": {"weights": [[1]], "bias": [0]},
        "forward": {"input": {"weights": [[0], [0], [3]], "bias": [0, 0, 0]},
                    "hidden": {"weights": [[0], [0], [0]], "bias": [0, 0, 0]}},
        "backward": {"input": {"weights": [[0], [0], [0]], "bias": [0, 0, 0]},
                     "hidden": {"weights": [[0], [0], [0]], "bias": [0, 0, 0]}},
        "output": {"weights": [[4, 0], [0, 0], [-4, 0], [0, 0]], "bias": [0, 0, 0, 0]}}"#;

    fn star_with_sequence(nets: usize) -> FrameworkModel {
        star(2, &vec![CARRY; nets], 1.0)
    }

    #[test]
    fn the_sequence_reader_reads_the_sentence_features_in_context() {
        let f = star_with_sequence(2);
        let all: Vec<usize> = (0..4).collect();
        let alone = f.log_posteriors(Reader::Sentence, &[vec![0.0, 0.0]], &all);
        // Nothing before it: every step equally likely.
        assert!(
            alone[0].iter().all(|v| (v - 0.25f64.ln()).abs() < 1e-6),
            "{alone:?}"
        );
        let after = f.log_posteriors(Reader::Sentence, &[vec![0.0, 1.0], vec![0.0, 0.0]], &all);
        // The same unit after a unit with feature 1 reads as situation, not action.
        assert!(
            after[1][0] > after[1][1] && after[1][1] > after[1][2],
            "{after:?}"
        );
        let sum: f64 = after[1].iter().map(|v| v.exp()).sum();
        assert!((sum - 1.0).abs() < 1e-6);
        // Over a subset of steps, the probabilities are renormalized over that subset.
        let two = f.log_posteriors(Reader::Sentence, &[vec![0.0, 1.0]], &[0, 2]);
        assert!((two[0].iter().map(|v| v.exp()).sum::<f64>() - 1.0).abs() < 1e-6);
        // Voting nets that agree give what one gives.
        let one = star_with_sequence(1).log_posteriors(
            Reader::Sentence,
            &[vec![0.0, 1.0], vec![0.0, 0.0]],
            &all,
        );
        for (a, b) in one.iter().flatten().zip(after.iter().flatten()) {
            assert!((a - b).abs() < 1e-6);
        }
        // The cue reader has no sequence: a unit reads the same whatever came before it.
        let a = f.log_posteriors(Reader::Cues, &[vec![1.0, 0.0]], &all);
        let b = f.log_posteriors(Reader::Cues, &[vec![0.0, 1.0], vec![1.0, 0.0]], &all);
        assert_eq!(a[0], b[1]);
    }

    #[test]
    #[should_panic(expected = "sequence reader fits")]
    fn a_sequence_reader_that_does_not_fit_its_features_is_refused() {
        // Reads column 1..2 of a sentence vector that has only one feature.
        star(1, &[CARRY], 1.0);
    }

    #[test]
    fn the_sentence_evidence_is_shared_between_the_classifier_and_the_sequence_reader() {
        let all: Vec<usize> = (0..4).collect();
        // After a unit with feature 1 the network says situation; feature 0 of the second unit
        // makes the classifier say situation too (weight 1 against 0).
        let units = [vec![0.0, 1.0], vec![1.0, 0.0]];
        let read =
            |share: f64| star(2, &[CARRY], share).log_posteriors(Reader::Sentence, &units, &all);
        let classifier = star(2, &[], 0.0).log_posteriors(Reader::Sentence, &units, &all);
        let network = read(1.0);
        let half = read(0.5);
        for i in 0..units.len() {
            // A geometric mean of the two readers' probabilities, renormalized.
            let mean: Vec<f64> = (0..4)
                .map(|k| 0.5 * (classifier[i][k] + network[i][k]))
                .collect();
            let z = log_sum_exp(&mean);
            for k in 0..4 {
                assert!(
                    (half[i][k] - (mean[k] - z)).abs() < 1e-6,
                    "{i} {k}: {half:?}"
                );
            }
            assert!(
                (network[i][0] - classifier[i][0]).abs() > 0.1,
                "the readers differ"
            );
        }
        // Share 0 is the classifier alone.
        for (a, b) in read(0.0).iter().flatten().zip(classifier.iter().flatten()) {
            assert!((a - b).abs() < 1e-9);
        }
        // The cue reader never mixes.
        assert_eq!(
            star(2, &[CARRY], 0.5).log_posteriors(Reader::Cues, &units, &all),
            star(2, &[], 0.0).log_posteriors(Reader::Cues, &units, &all)
        );
    }

    #[test]
    fn an_end_probability_decides_an_undecided_last_unit() {
        let e = vec![vec![3.0, 0.0], vec![0.0, 0.0]];
        let open = chain(2, 0.6);
        assert_eq!(viterbi(&e, &open), vec![0, 0]);
        let closes_on_1 = Chain {
            end: vec![0.1f64.ln(), 0.9f64.ln()],
            ..open.clone()
        };
        assert_eq!(viterbi(&e, &closes_on_1), vec![0, 1]);
        let (before, after) = (marginals(&e, &open), marginals(&e, &closes_on_1));
        assert!(
            after[1][1] > 0.5 && after[1][1] > before[1][1] + 0.2,
            "{before:?} {after:?}"
        );
        let paths = sample_paths(&e, &closes_on_1, 4000);
        let freq = paths.iter().filter(|p| p[1] == 1).count() as f64 / 4000.0;
        assert!(
            (freq - after[1][1]).abs() < 0.03,
            "{freq} vs {}",
            after[1][1]
        );
        // Scaling by a temperature scales the end too.
        assert_eq!(closes_on_1.scaled(2.0).end[1], 2.0 * 0.9f64.ln());
    }

    #[test]
    fn boundary_evidence_decides_where_an_undecided_step_changes() {
        // Unit 0 says state 0, unit 3 says state 1; units 1 and 2 say nothing.
        let e = vec![
            vec![3.0, 0.0],
            vec![0.0, 0.0],
            vec![0.0, 0.0],
            vec![0.0, 3.0],
        ];
        let plain = chain(2, 0.8);
        let opens_at = |i: usize| Chain {
            boundary: (0..4)
                .map(|u| if u == i { (2.0, -2.0) } else { (-1.0, 0.2) })
                .collect(),
            ..plain.clone()
        };
        assert_eq!(viterbi(&e, &opens_at(1)), vec![0, 1, 1, 1]);
        assert_eq!(viterbi(&e, &opens_at(3)), vec![0, 0, 0, 1]);
        let m = marginals(&e, &opens_at(3));
        assert!(m[2][0] > 0.7, "{m:?}");
        // Every unit's transitions are its own in the backward pass and in sampling too.
        let paths = sample_paths(&e, &opens_at(3), 4000);
        for i in 0..4 {
            let freq = paths.iter().filter(|p| p[i] == 0).count() as f64 / 4000.0;
            assert!(
                (freq - m[i][0]).abs() < 0.03,
                "unit {i}: {freq} vs {}",
                m[i][0]
            );
        }
        // A temperature scales the boundary evidence with every other potential.
        assert_eq!(opens_at(3).scaled(0.5).boundary[3], (1.0, -1.0));
    }

    #[test]
    fn the_boundary_reader_reads_how_far_the_talk_moved_from_the_unit_before() {
        // Sentence features: own embedding, previous, next, one more. Only the dot product of
        // own and previous counts, against a new step.
        let width = 3 * DIM + 1;
        let mut weights = vec![0.0f32; width + DIM + 1];
        weights[width + DIM] = -4.0;
        let reader = BoundaryReader::new(RawBoundary {
            weights,
            bias: 0.0,
            rate: 0.1,
            weight: 1.0,
        });
        assert!(reader.fits(width) && !reader.fits(width + 1));
        let unit = |own: usize, previous: usize| {
            let mut x = vec![0.0f32; width];
            x[own] = 1.0;
            x[DIM + previous] = 1.0;
            x
        };
        let (same, moved) = (unit(0, 0), unit(0, 1));
        assert!(reader.probability(&same) < 0.05);
        assert!((reader.probability(&moved) - 0.5).abs() < 1e-6);
        let ev = reader.evidence(&[
            reader.probability(&moved),
            reader.probability(&same),
            reader.probability(&moved),
        ]);
        assert_eq!(ev[0], (0.0, 0.0), "no transition enters the first unit");
        assert!(ev[1].0 < 0.0 && ev[1].1 > 0.0, "alike: stay {:?}", ev[1]);
        assert!(ev[2].0 > 0.0 && ev[2].1 < 0.0, "moved on: move {:?}", ev[2]);
    }

    #[test]
    fn the_boundary_reader_moves_only_the_sentence_readers_chain() {
        let m = StepModel::builtin();
        let f = m.framework(Framework::WorkingBackwards);
        let t = QuestionType::ProductSense;
        let allowed = f.allowed(t);
        let features = vec![vec![0.0f32; f.sentence.linear.inputs()]; 3];
        assert!(f.new_step(Reader::Cues, &features).is_empty());
        // As trained: Working Backwards reads boundaries, STAR (not better on validation) does not.
        assert!(f.boundary.is_some() && m.framework(Framework::Star).boundary.is_none());
        let new_step = f.new_step(Reader::Sentence, &features);
        assert_eq!(new_step.len(), 3);
        assert!(f.chain(t, &allowed, &[]).boundary.is_empty());
        let sentence = f.chain(t, &allowed, &new_step);
        assert_eq!(sentence.boundary.len(), new_step.len());
    }
}
