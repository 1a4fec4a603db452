//! Splitting an answer into the method's steps.
//!
//! 1. The words are cut into units: sentences (by punctuation), pauses of 0.8 s or more, and
//!    clauses that open with a step's signpost after a comma.
//! 2. Each unit is read by the learned step model ([`super::stepmodel`]): what the sentence means
//!    (its embedding from the sentence model, and its neighbours'), the cue lexicon's evidence
//!    (an opener at the start of the unit is strong, a phrase moderate, keywords weak), the word
//!    model's P(step) and where in the answer it falls give P(step | unit).
//! 3. A hidden Markov model with start and transition probabilities learned from labelled answers
//!    picks the best sequence of steps (Viterbi), and gives every unit's probability of each step
//!    (the confidence) and sequences sampled from the posterior (how far the shares could move).
//!
//! Boundaries fall at word times: a step starts at the first word of its first unit.

use std::sync::Arc;

use super::lexicon::{Lexicon, StepCues};
use super::phrases::Pattern;
use super::stepmodel::{self, Reader, StepModel, position_features};
use super::steps::{Framework, QuestionType, Step};
use crate::embed::{DIM, Embedder};
use crate::transcript::Word;

/// A run of consecutive words given to one step; `first..=last` index the words.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepSpan {
    pub step: Step,
    pub first: usize,
    pub last: usize,
    /// How sure the segmenter is (0–1): the span's mean probability of its step. 1 for spans
    /// from known boundaries.
    pub confidence: f64,
}

/// A unit of the answer: words `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unit {
    first: usize,
    last: usize,
}

impl Unit {
    /// When the unit is spoken: its first word's start to its last word's end.
    fn span(&self, words: &[Word]) -> (f64, f64) {
        (words[self.first].start_s, words[self.last].end_s)
    }
}

/// An answer as the segmenter reads it: the speaker's fluent words, normalized for cue matching
/// and cut into units. Fillers ("um", "you know," set off by commas) and a word said twice ("the
/// the") are left out: they say nothing about the step, and spontaneous speech is full of them
/// where written answers are not, so they would otherwise split sentences, break cue phrases and
/// colour what a sentence means.
struct Reading {
    /// The fluent words' normalized forms.
    norm: Vec<String>,
    /// Where each fluent word is in the answer.
    at: Vec<usize>,
    /// Units over the fluent words.
    units: Vec<Unit>,
    /// The answer's words each unit spans: its fluent words and the disfluencies before them (the
    /// last unit also those after it), so that every word is in one unit.
    spoken: Vec<Unit>,
}

impl Reading {
    /// A unit's fluent words, what the sentence model reads.
    fn text(&self, words: &[Word], u: &Unit) -> String {
        self.at[u.first..=u.last]
            .iter()
            .map(|&i| words[i].w.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Read an answer: which of its words are fluent, and the units cut from those.
fn cut(words: &[Word], lex: &Lexicon, framework: Framework) -> Reading {
    let all =
        super::phrases::normalize_all(&words.iter().map(|w| w.w.as_str()).collect::<Vec<_>>());
    let mut fluent = vec![true; words.len()];
    for (at, end) in super::delivery::filler_spans(words, &all, lex) {
        fluent[at..end].iter_mut().for_each(|f| *f = false);
    }
    for i in 1..words.len() {
        if !all[i].is_empty() && all[i - 1] == all[i] {
            fluent[i - 1] = false;
        }
    }
    if !fluent.contains(&true) {
        fluent.fill(true);
    }
    // The fluent words as if the disfluencies took no time, so that the silence between two of
    // them is the silence the speaker left, not an "um" long enough to look like a pause.
    let (mut kept, mut at, mut norm, mut skipped) = (Vec::new(), Vec::new(), Vec::new(), 0.0);
    for (i, w) in words.iter().enumerate() {
        if fluent[i] {
            kept.push(Word::new(&w.w, w.start_s - skipped, w.end_s - skipped));
            at.push(i);
            norm.push(all[i].clone());
        } else {
            skipped += w.end_s - w.start_s;
        }
    }
    let units = units(&kept, &norm, lex, framework);
    let ends: Vec<usize> = units.iter().map(|u| at[u.last]).collect();
    let spoken = (0..units.len())
        .map(|k| Unit {
            first: if k == 0 { 0 } else { ends[k - 1] + 1 },
            last: if k + 1 == units.len() {
                words.len() - 1
            } else {
                ends[k]
            },
        })
        .collect();
    Reading {
        norm,
        at,
        units,
        spoken,
    }
}

/// A pause this long ends a unit even without punctuation.
const UNIT_PAUSE_S: f64 = 0.8;

/// Words skipped before checking whether a unit opens with a signpost.
const DISCOURSE: [&str; 22] = [
    "so", "and", "okay", "ok", "now", "well", "um", "uh", "alright", "right", "then", "but",
    "next", "oh", "yeah", "yes", "er", "ah", "hmm", "anyway", "actually", "also",
];

fn ends_sentence(word: &str) -> bool {
    let w = word.trim_end_matches(['"', '\'', ')', '\u{201d}']);
    w.ends_with(['.', '?', '!'])
}

fn ends_clause(word: &str) -> bool {
    word.ends_with([',', ';', ':', '-', '\u{2014}'])
}

/// Index of the first word at or after `at` that is not a discourse marker.
fn skip_discourse(norm: &[String], at: usize) -> usize {
    (at..norm.len())
        .find(|&i| !norm[i].is_empty() && !DISCOURSE.contains(&norm[i].as_str()))
        .unwrap_or(norm.len())
}

/// Cut words into units.
fn units(words: &[Word], norm: &[String], lex: &Lexicon, framework: Framework) -> Vec<Unit> {
    let openers: Vec<&Pattern> = framework
        .steps()
        .iter()
        .flat_map(|s| lex.step(*s).openers.iter())
        .filter(|p| p.specificity() >= 2)
        .collect();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..words.len() {
        let last = i + 1 == words.len();
        let boundary_after = last
            || ends_sentence(&words[i].w)
            || words[i + 1].start_s - words[i].end_s >= UNIT_PAUSE_S
            || (ends_clause(&words[i].w) && {
                let at = skip_discourse(norm, i + 1);
                openers.iter().any(|p| p.match_at(norm, at).is_some())
            });
        if boundary_after {
            split_long(words, norm, &openers, start, i, &mut out);
            start = i + 1;
        }
    }
    out
}

/// A unit longer than this many words is cut further: a transcript without punctuation (from
/// another recognizer, or typed without it) would otherwise give a few huge units.
const MAX_UNIT_WORDS: usize = 30;

/// Push words `first..=last` as units, cutting any over [`MAX_UNIT_WORDS`] where a step's opener
/// begins, else at the longest silence between words, until every piece fits.
fn split_long(
    words: &[Word],
    norm: &[String],
    openers: &[&Pattern],
    first: usize,
    last: usize,
    out: &mut Vec<Unit>,
) {
    if last + 1 - first <= MAX_UNIT_WORDS {
        out.push(Unit { first, last });
        return;
    }
    // Keep pieces of at least a few words on both sides.
    let inner = first + 3..=last - 3;
    let cut = inner
        .clone()
        .find(|&i| {
            let at = skip_discourse(norm, i + 1);
            openers.iter().any(|p| p.match_at(norm, at).is_some())
        })
        .unwrap_or_else(|| {
            inner
                .max_by(|&a, &b| {
                    let gap = |i: usize| words[i + 1].start_s - words[i].end_s;
                    gap(a).total_cmp(&gap(b))
                })
                .unwrap_or((first + last) / 2)
        });
    split_long(words, norm, openers, first, cut, out);
    split_long(words, norm, openers, cut + 1, last, out);
}

/// Weights of the evidence kinds.
const OPENER_AT_START: f64 = 3.0;
const OPENER_INSIDE: f64 = 1.2;
const PHRASE: f64 = 1.0;
const PHRASE_CAP: f64 = 2.5;
const KEYWORD: f64 = 0.3;
const KEYWORD_CAP: f64 = 0.9;

/// The cues of one step found in one unit.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Evidence {
    pub score: f64,
    /// The cue phrases that matched, as written in the lexicon.
    pub cues: Vec<String>,
}

/// Evidence that `unit` belongs to a step with these cues.
fn evidence(cues: &[&StepCues], norm: &[String], unit: Unit) -> Evidence {
    let words = &norm[unit.first..=unit.last];
    // Where the unit's content starts, after discourse markers.
    let lead = skip_discourse(words, 0);
    let mut opener: (f64, Option<&Pattern>) = (0.0, None);
    let mut phrase = 0.0;
    let mut keyword = 0.0;
    let mut found = Vec::new();
    for c in cues {
        for p in &c.openers {
            for (at, _) in p.find_all(words) {
                let bonus = 1.0 + 0.1 * (p.specificity().min(5) as f64 - 1.0);
                let w = if at <= lead {
                    OPENER_AT_START
                } else {
                    OPENER_INSIDE
                } * bonus;
                if w > opener.0 {
                    opener = (w, Some(p));
                }
            }
        }
        for p in c.phrases.iter().filter(|p| p.is_match(words)) {
            phrase += PHRASE;
            found.push(p.to_string());
        }
        for p in &c.keywords {
            let n = p.find_all(words).len();
            if n > 0 {
                keyword += n as f64 * KEYWORD;
                found.push(p.to_string());
            }
        }
    }
    if let Some(p) = opener.1 {
        found.insert(0, format!("{p} (opener)"));
    }
    Evidence {
        score: opener.0 + phrase.min(PHRASE_CAP) + keyword.min(KEYWORD_CAP),
        cues: found,
    }
}

/// The features of one unit, as the step model reads them.
#[derive(Debug, Clone)]
pub struct UnitFeatures {
    pub first: usize,
    pub last: usize,
    pub start_s: f64,
    pub end_s: f64,
    pub text: String,
    /// Where the unit's middle falls, as a fraction of the answer.
    pub at: f64,
    /// Cue evidence per step of the framework, in the framework's order.
    pub cues: Vec<Evidence>,
    /// The word model's P(step | unit) per step of the framework.
    pub content: Vec<f64>,
    pub embedding: Option<Arc<[f32]>>,
}

impl UnitFeatures {
    /// The feature vector for `reader`, in the classifier's input order.
    pub fn vector(all: &[UnitFeatures], i: usize, reader: Reader, qtype: QuestionType) -> Vec<f32> {
        let u = &all[i];
        let mut x = Vec::with_capacity(3 * DIM + 32);
        if reader == Reader::Sentence {
            let zero = [0.0f32; DIM];
            let emb = |j: Option<usize>| -> &[f32] {
                j.and_then(|j| all.get(j))
                    .and_then(|v| v.embedding.as_deref())
                    .unwrap_or(&zero)
            };
            x.extend_from_slice(emb(Some(i)));
            x.extend_from_slice(emb(i.checked_sub(1)));
            x.extend_from_slice(emb(Some(i + 1)));
        }
        x.extend(u.cues.iter().map(|e| e.score as f32));
        x.extend(u.content.iter().map(|p| *p as f32));
        x.extend_from_slice(&position_features(u.at));
        x.extend(QuestionType::ALL.map(|t| if t == qtype { 1.0 } else { 0.0 }));
        x
    }
}

/// Read every unit of an answer: cues, word model, position and (with a sentence model) meaning.
pub fn unit_features(
    words: &[Word],
    qtype: QuestionType,
    lex: &Lexicon,
    encoder: Option<&dyn Embedder>,
) -> anyhow::Result<Vec<UnitFeatures>> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let framework = qtype.framework();
    let reading = cut(words, lex, framework);
    let (t0, t1) = (
        words[0].start_s,
        words[words.len() - 1].end_s.max(words[0].start_s + 1e-6),
    );
    let cues: Vec<Vec<&StepCues>> = framework
        .steps()
        .iter()
        .map(|s| lex.cues_for(qtype, *s))
        .collect();
    let content = super::wording::ContentModel::builtin();
    let read: Vec<String> = reading
        .units
        .iter()
        .map(|u| reading.text(words, u))
        .collect();
    let embeddings = match encoder {
        Some(e) => {
            let refs: Vec<&str> = read.iter().map(String::as_str).collect();
            e.embed(&refs)?.into_iter().map(Some).collect()
        }
        None => vec![None; reading.units.len()],
    };
    let norm = &reading.norm;
    Ok(reading
        .units
        .iter()
        .zip(&reading.spoken)
        .zip(embeddings)
        .map(|((u, spoken), embedding)| {
            let (start_s, end_s) = spoken.span(words);
            let like = content.posterior(framework, &norm[u.first..=u.last]);
            UnitFeatures {
                first: spoken.first,
                last: spoken.last,
                start_s,
                end_s,
                text: unit_text(words, spoken),
                at: ((start_s + end_s) / 2.0 - t0) / (t1 - t0),
                cues: cues.iter().map(|c| evidence(c, norm, *u)).collect(),
                content: framework
                    .steps()
                    .iter()
                    .map(|s| like.iter().find(|(t, _)| t == s).map_or(0.0, |(_, p)| *p))
                    .collect(),
                embedding,
            }
        })
        .collect())
}

/// A unit's words as spoken, joined by spaces.
fn unit_text(words: &[Word], u: &Unit) -> String {
    words[u.first..=u.last]
        .iter()
        .map(|w| w.w.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the whole answer talks about: its units' embeddings (cut as for Working Backwards, so
/// shared through the embedding cache with the steps' reading) averaged by speaking time, at unit
/// length. None without words or when the model fails.
pub fn answer_embedding(words: &[Word], lex: &Lexicon, encoder: &dyn Embedder) -> Option<Vec<f32>> {
    let reading = cut(words, lex, Framework::WorkingBackwards);
    let texts: Vec<String> = reading
        .units
        .iter()
        .map(|u| reading.text(words, u))
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let vectors = encoder.embed(&refs).ok()?;
    let mut mean = vec![0f32; DIM];
    for (u, v) in reading.spoken.iter().zip(&vectors) {
        let (start_s, end_s) = u.span(words);
        let d = (end_s - start_s).max(1e-3) as f32;
        mean.iter_mut().zip(v.iter()).for_each(|(m, x)| *m += d * x);
    }
    let length = mean.iter().map(|v| v * v).sum::<f32>().sqrt();
    (length > 0.0).then(|| mean.iter().map(|v| v / length).collect())
}

/// How many sequences are drawn from the posterior to bound the shares.
const SAMPLES: usize = 400;

/// An answer split into steps, with how sure the split is.
#[derive(Debug, Clone)]
pub struct Segmentation {
    pub spans: Vec<StepSpan>,
    /// Which classifier read the sentences.
    pub reader: Reader,
    pub units: Vec<UnitFeatures>,
    /// The step of each unit.
    pub path: Vec<Step>,
    /// P(step | whole answer) per unit, over the type's steps.
    pub marginals: Vec<Vec<(Step, f64)>>,
    /// The reader's P(step | unit) (in context when it reads in sequence), before the learned
    /// order of steps is taken into account.
    pub alone: Vec<Vec<(Step, f64)>>,
    /// P(a new step starts at the unit) per unit, from the boundary reader (empty when it did not
    /// read the answer); see [`Segmentation::new_step_at`].
    new_step: Vec<f64>,
    /// Step sequences drawn from the posterior.
    samples: Vec<Vec<Step>>,
    /// How far a share's drawn range is widened on each side ([`Uncertainty::range_widening`]).
    range_widening: f64,
    /// Why the sentence model could not be used, when it was given but failed.
    pub encoder_error: Option<String>,
}

impl Segmentation {
    /// Nothing to segment.
    fn empty(reader: Reader) -> Self {
        Segmentation {
            spans: Vec::new(),
            reader,
            units: Vec::new(),
            path: Vec::new(),
            marginals: Vec::new(),
            alone: Vec::new(),
            new_step: Vec::new(),
            samples: Vec::new(),
            range_widening: 0.0,
            encoder_error: None,
        }
    }

    /// How likely a new step is to start at unit `i`, rounded to hundredths; None for the first
    /// unit (every answer starts a step there) or when the boundary reader did not read it.
    fn new_step_at(&self, i: usize) -> Option<f64> {
        self.new_step
            .get(i)
            .filter(|_| i > 0)
            .map(|p| (p * 100.0).round() / 100.0)
    }

    /// Why the unit starting at word `first` is `step`: its text, the strongest cue of the step
    /// in it, the classifier's own P(step), how likely a new step starts there and its place in
    /// the answer.
    pub fn opening(&self, first: usize, step: Step) -> Option<super::timing::Opening> {
        let i = self.units.iter().position(|u| u.first == first)?;
        let u = &self.units[i];
        let k = step.framework().steps().iter().position(|s| *s == step)?;
        let cue = u.cues.get(k).and_then(|e| {
            e.cues
                .first()
                .map(|c| c.trim_end_matches(" (opener)").to_string())
        });
        let alone = self.alone[i]
            .iter()
            .find(|(s, _)| *s == step)
            .map_or(0.0, |(_, p)| *p);
        Some(super::timing::Opening {
            sentence: u.text.clone(),
            cue,
            alone: (alone * 100.0).round() / 100.0,
            new_step: self.new_step_at(i),
            at: (u.at * 100.0).round() / 100.0,
        })
    }

    /// Where the share of answer time on steps matching `pred` could be, as reported beside the
    /// decoded share `point`: the 10th and 90th percentile of that share over the sequences drawn
    /// from the posterior (how far it could move if the segmentation were wrong where it is
    /// unsure), widened to hold `point`, then on each side by the model's widening times its
    /// width (the model is also wrong where it is sure, more so where it is unsure), within 0-1.
    /// Unit time runs to the next unit's start, as in [`super::timing::step_reports`].
    pub fn share_range(
        &self,
        words: &[Word],
        pred: impl Fn(Step) -> bool,
        point: f64,
    ) -> Option<(f64, f64)> {
        let last = words.last()?;
        let answer = last.end_s - words.first()?.start_s;
        if answer <= 0.0 || self.samples.is_empty() {
            return None;
        }
        let durations: Vec<f64> = (0..self.units.len())
            .map(|i| {
                let end = self.units.get(i + 1).map_or(last.end_s, |n| n.start_s);
                end - self.units[i].start_s
            })
            .collect();
        let mut shares: Vec<f64> = self
            .samples
            .iter()
            .map(|path| {
                path.iter()
                    .zip(&durations)
                    .filter(|(s, _)| pred(**s))
                    .map(|(_, d)| d)
                    .sum::<f64>()
                    / answer
            })
            .collect();
        shares.sort_by(f64::total_cmp);
        let at = |q: f64| shares[((shares.len() - 1) as f64 * q).round() as usize];
        let (lo, hi) = (at(0.1).min(point), at(0.9).max(point));
        let m = self.range_widening * (hi - lo);
        Some(((lo - m).max(0.0), (hi + m).min(1.0)))
    }
}

/// How sure the segmentation says it is: the temperature of the steps' confidences, the
/// temperature of the sequences drawn to bound the shares, and how far the drawn 10th-90th
/// percentile is widened on each side, as a fraction of its width. None of them moves a step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uncertainty {
    pub confidence_temperature: f64,
    pub range_temperature: f64,
    pub range_widening: f64,
}

/// Assign every word of the answer to a step. With `encoder`, sentences are read for meaning;
/// without it (or if it fails), from cues, wording and position only.
pub fn segment(
    words: &[Word],
    qtype: QuestionType,
    lex: &Lexicon,
    encoder: Option<&dyn Embedder>,
) -> Segmentation {
    segment_with(words, qtype, lex, encoder, None)
}

/// [`segment`], with `uncertainty` instead of the model's settings (for fitting them:
/// `examples/uncertainty.rs`).
pub fn segment_with(
    words: &[Word],
    qtype: QuestionType,
    lex: &Lexicon,
    encoder: Option<&dyn Embedder>,
    uncertainty: Option<Uncertainty>,
) -> Segmentation {
    let (units, reader, encoder_error) = match unit_features(words, qtype, lex, encoder) {
        Ok(u) => {
            let reader = if encoder.is_some() {
                Reader::Sentence
            } else {
                Reader::Cues
            };
            (u, reader, None)
        }
        Err(e) => {
            let u = unit_features(words, qtype, lex, None).unwrap_or_default();
            (u, Reader::Cues, Some(format!("{e:#}")))
        }
    };
    if units.is_empty() {
        return Segmentation {
            encoder_error,
            ..Segmentation::empty(reader)
        };
    }
    let model = StepModel::builtin().framework(qtype.framework());
    let allowed = model.allowed(qtype);
    let steps: Vec<Step> = allowed.iter().map(|&k| model.steps()[k]).collect();
    let features: Vec<Vec<f32>> = (0..units.len())
        .map(|i| UnitFeatures::vector(&units, i, reader, qtype))
        .collect();
    let emissions = model.emissions(reader, &features, &allowed);
    let new_step = model.new_step(reader, &features);
    let chain = model.chain(qtype, &allowed, &new_step);
    let path: Vec<usize> = stepmodel::viterbi(&emissions, &chain);
    let uncertainty = uncertainty.unwrap_or(Uncertainty {
        confidence_temperature: model.temperature(reader),
        range_temperature: model.range_temperature(reader),
        range_widening: model.range_widening(reader),
    });
    // Probabilities from calibrated potentials (the best path is the same either way).
    let t = uncertainty.confidence_temperature;
    let (calibrated, calibrated_chain) = (stepmodel::scaled(&emissions, t), chain.scaled(t));
    let marginals = stepmodel::marginals(&calibrated, &calibrated_chain);
    // The shares' range from sequences drawn at their own temperature.
    let tr = uncertainty.range_temperature;
    let samples = stepmodel::sample_paths(
        &stepmodel::scaled(&emissions, tr),
        &chain.scaled(tr),
        SAMPLES,
    );
    let label = |row: &[f64]| -> Vec<(Step, f64)> {
        steps.iter().copied().zip(row.iter().copied()).collect()
    };
    let alone: Vec<Vec<(Step, f64)>> = emissions
        .iter()
        .map(|e| {
            // Back from the scaled likelihood to a distribution over the steps.
            let z = stepmodel::log_sum_exp(e);
            label(&e.iter().map(|v| (v - z).exp()).collect::<Vec<_>>())
        })
        .collect();

    let mut spans: Vec<StepSpan> = Vec::new();
    // Confidence of a span: its units' probability of the span's step, weighted by duration.
    let mut weight: Vec<(f64, f64)> = Vec::new();
    for (i, (u, &k)) in units.iter().zip(&path).enumerate() {
        let d = (u.end_s - u.start_s).max(0.01);
        let p = marginals[i][k];
        match spans.last_mut() {
            Some(s) if s.step == steps[k] => {
                s.last = u.last;
                let w = weight.last_mut().expect("one weight per span");
                w.0 += d * p;
                w.1 += d;
            }
            _ => {
                spans.push(StepSpan {
                    step: steps[k],
                    first: u.first,
                    last: u.last,
                    confidence: 0.0,
                });
                weight.push((d * p, d));
            }
        }
    }
    for (s, (wp, w)) in spans.iter_mut().zip(weight) {
        s.confidence = (wp / w * 100.0).round() / 100.0;
    }
    Segmentation {
        spans,
        reader,
        path: path.iter().map(|&k| steps[k]).collect(),
        marginals: marginals.iter().map(|r| label(r)).collect(),
        alone,
        new_step,
        samples: samples
            .into_iter()
            .map(|p| p.into_iter().map(|k| steps[k]).collect())
            .collect(),
        range_widening: uncertainty.range_widening,
        units,
        encoder_error,
    }
}

/// One unit of the answer, why it went to its step.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UnitExplanation {
    pub start_s: f64,
    pub end_s: f64,
    pub text: String,
    pub step: Step,
    /// P(step) for this unit given the whole answer; the chosen step's is the confidence.
    pub probability: f64,
    /// What the reader made of the unit before the order of steps was weighed: P(step),
    /// likeliest first (above 10%).
    pub alone: Vec<(Step, f64)>,
    /// Cue evidence per step, strongest first (only steps with any).
    pub evidence: Vec<(Step, Evidence)>,
    /// What the sentence sounds like to the word model: P(step), likeliest first (above 10%).
    pub sounds_like: Vec<(Step, f64)>,
    /// How likely a new step is to start at this unit, whichever step (the boundary reader;
    /// absent when it did not read the answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_step: Option<f64>,
    /// Where in the answer it falls (fraction of answer time).
    pub at: f64,
    /// The closest labelled example sentence, when the sentence model read the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nearest: Option<Neighbour>,
}

/// A labelled example sentence close in meaning to a unit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Neighbour {
    pub step: Step,
    pub text: String,
    pub similarity: f64,
}

fn top(dist: &[(Step, f64)]) -> Vec<(Step, f64)> {
    let mut v: Vec<(Step, f64)> = dist.iter().copied().filter(|(_, p)| *p > 0.1).collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

/// The segmentation unit by unit, with the evidence behind each decision.
pub fn explain(
    seg: &Segmentation,
    qtype: QuestionType,
    encoder: Option<&dyn Embedder>,
) -> Vec<UnitExplanation> {
    let framework = qtype.framework();
    let examples = encoder.and_then(|e| examples(e, framework).ok());
    seg.units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let step = seg.path[i];
            let mut ev: Vec<(Step, Evidence)> = framework
                .steps()
                .iter()
                .copied()
                .zip(u.cues.iter().cloned())
                .filter(|(s, e)| e.score > 0.0 && qtype.steps().contains(s))
                .collect();
            ev.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
            let nearest = match (&examples, &u.embedding) {
                (Some(ex), Some(emb)) => ex
                    .iter()
                    .filter(|(s, _, _)| qtype.steps().contains(s))
                    .map(|(s, text, v)| (s, text, f64::from(crate::embed::similarity(emb, v))))
                    .max_by(|a, b| a.2.total_cmp(&b.2))
                    .map(|(s, text, sim)| Neighbour {
                        step: *s,
                        text: text.clone(),
                        similarity: (sim * 100.0).round() / 100.0,
                    }),
                _ => None,
            };
            UnitExplanation {
                start_s: u.start_s,
                end_s: u.end_s,
                text: u.text.clone(),
                step,
                probability: seg.marginals[i]
                    .iter()
                    .find(|(s, _)| *s == step)
                    .map_or(0.0, |(_, p)| (p * 100.0).round() / 100.0),
                alone: top(&seg.alone[i]),
                evidence: ev,
                sounds_like: top(&framework
                    .steps()
                    .iter()
                    .copied()
                    .zip(u.content.iter().copied())
                    .collect::<Vec<_>>()),
                new_step: seg.new_step_at(i),
                at: (u.at * 100.0).round() / 100.0,
                nearest,
            }
        })
        .collect()
}

/// A labelled example sentence of a step, with its embedding.
type Example = (Step, String, Arc<[f32]>);

/// The step model's labelled example sentences with their embeddings.
fn examples(encoder: &dyn Embedder, framework: Framework) -> anyhow::Result<Vec<Example>> {
    let ex = StepModel::builtin().framework(framework).examples();
    let texts: Vec<&str> = ex.iter().map(|(_, t)| t.as_str()).collect();
    let vectors = encoder.embed(&texts)?;
    Ok(ex
        .iter()
        .zip(vectors)
        .map(|((s, t), v)| (*s, t.clone(), v))
        .collect())
}

/// Spans from known boundaries: each word goes to the last step starting before its middle.
pub fn from_boundaries(words: &[Word], bounds: &[(Step, f64)]) -> Vec<StepSpan> {
    let mut spans: Vec<StepSpan> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let mid = (w.start_s + w.end_s) / 2.0;
        let Some(step) = bounds
            .iter()
            .rev()
            .find(|(_, t)| *t <= mid)
            .or(bounds.first())
            .map(|(s, _)| *s)
        else {
            continue;
        };
        match spans.last_mut() {
            Some(s) if s.step == step => s.last = i,
            _ => spans.push(StepSpan {
                step,
                first: i,
                last: i,
                confidence: 1.0,
            }),
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words from text, 0.3 s each, with a 1 s pause after each sentence.
    fn speak(text: &str) -> Vec<Word> {
        let mut t = 5.0;
        let mut out = Vec::new();
        for w in text.split_whitespace() {
            out.push(Word::new(w, t, t + 0.3));
            t += if ends_sentence(w) { 1.3 } else { 0.3 };
        }
        out
    }

    fn steps_of(text: &str, qtype: QuestionType) -> Vec<&'static str> {
        let words = speak(text);
        segment(&words, qtype, &Lexicon::builtin(), None)
            .spans
            .iter()
            .map(|s| s.step.id())
            .collect()
    }

    #[test]
    fn explicit_signposts_give_every_step_in_order() {
        let got = steps_of(
            "I'd treat this as a product sense question. I want to focus on busy nurses who work night shifts. \
             Today, they spend an hour every week planning meals by hand. Imagine instead that dinner just shows up planned. \
             Working backwards from that, the product needs three capabilities. First, a planner. Second, a shopping list. \
             I'd measure success by the share of nurses who cook at home. The biggest risk is trust. \
             In one sentence, we are building a planner for nurses who waste time, replacing spreadsheets with calm.",
            QuestionType::ProductSense,
        );
        assert_eq!(
            got,
            [
                "classify",
                "customer",
                "pain",
                "vision",
                "capabilities",
                "metrics",
                "risks",
                "thesis"
            ]
        );
    }

    #[test]
    fn skipped_steps_are_not_invented() {
        let got = steps_of(
            "Let me narrow this down to small landlords. Right now, they chase rent by text message every month. \
             I'd measure success by on-time rent. The biggest risk is that tenants ignore reminders.",
            QuestionType::ProductSense,
        );
        assert_eq!(got, ["customer", "pain", "metrics", "risks"]);
    }

    #[test]
    fn paraphrased_transitions_are_recognised() {
        let got = steps_of(
            "The people I care about here are first-time landlords. \
             What happens today is they chase tenants by phone. \
             In an ideal world, rent just arrives and they never think about it. \
             To get there, we'd need automatic reminders. \
             How would we know it's working? Late payments drop by half. \
             What worries me most is that tenants see reminders as nagging.",
            QuestionType::ProductSense,
        );
        assert_eq!(
            got,
            [
                "customer",
                "pain",
                "vision",
                "capabilities",
                "metrics",
                "risks"
            ]
        );
    }

    #[test]
    fn behavioral_answers_use_star() {
        let got = steps_of(
            "At my last company, we were a team of six building a payments app. \
             My task was to ship the redesign before the holiday freeze. \
             So I met with the engineering lead and cut the scope. Then I set up daily check-ins. \
             As a result, we shipped two days early and conversion went up eight percent.",
            QuestionType::Behavioral,
        );
        assert_eq!(got, ["situation", "task", "action", "result"]);
    }

    #[test]
    fn no_words_no_steps() {
        assert!(
            segment(&[], QuestionType::ProductSense, &Lexicon::builtin(), None)
                .spans
                .is_empty()
        );
    }

    /// An encoder that records what it was asked to read.
    #[derive(Default)]
    struct Recorder(std::sync::Mutex<Vec<String>>);

    impl Embedder for Recorder {
        fn embed(&self, s: &[&str]) -> anyhow::Result<Vec<Arc<[f32]>>> {
            self.0
                .lock()
                .unwrap()
                .extend(s.iter().map(|t| t.to_string()));
            Flat.embed(s)
        }
    }

    #[test]
    fn fillers_and_repeats_are_left_out_of_the_reading_but_kept_in_the_units() {
        // A long "um" in mid-sentence (0.9 s with the silence around it) and a word said twice.
        let mut words = speak(
            "The biggest risk is, um, that the the drivers ignore it. We'd run a pilot first.",
        );
        for w in &mut words[5..] {
            w.start_s += 0.6;
            w.end_s += 0.6;
        }
        words[4].end_s += 0.6;
        let lex = Lexicon::builtin();
        let reader = Recorder::default();
        let units = unit_features(&words, QuestionType::ProductSense, &lex, Some(&reader)).unwrap();
        let texts: Vec<&str> = units.iter().map(|u| u.text.as_str()).collect();
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert_eq!((units[0].first, units[0].last, units[1].last), (0, 10, 15));
        assert_eq!(
            units[0].text,
            "The biggest risk is, um, that the the drivers ignore it."
        );
        assert_eq!(
            *reader.0.lock().unwrap(),
            [
                "The biggest risk is, that the drivers ignore it.",
                "We'd run a pilot first."
            ]
        );
        // The cue phrase is found through the filler.
        let risks = Step::Risks;
        let k = QuestionType::ProductSense
            .framework()
            .steps()
            .iter()
            .position(|s| *s == risks);
        assert!(
            units[0].cues[k.unwrap()].score >= OPENER_AT_START,
            "{:?}",
            units[0].cues
        );
    }

    #[test]
    fn an_answer_of_nothing_but_fillers_is_still_read() {
        let words = speak("Um, uh, um.");
        let units = unit_features(
            &words,
            QuestionType::ProductSense,
            &Lexicon::builtin(),
            None,
        )
        .unwrap();
        assert_eq!(units.len(), 1);
        assert_eq!((units[0].first, units[0].last), (0, 2));
    }

    /// An encoder that always fails, like a damaged sentence model would.
    struct Broken;

    impl Embedder for Broken {
        fn embed(&self, _: &[&str]) -> anyhow::Result<Vec<Arc<[f32]>>> {
            anyhow::bail!("broken")
        }
    }

    /// An encoder that gives every sentence the same vector.
    struct Flat;

    impl Embedder for Flat {
        fn embed(&self, s: &[&str]) -> anyhow::Result<Vec<Arc<[f32]>>> {
            let mut v = vec![0.0f32; DIM];
            v[0] = 1.0;
            Ok(s.iter().map(|_| Arc::from(v.clone())).collect())
        }
    }

    const ANSWER: &str = "I'd treat this as a product sense question. I want to focus on busy nurses who work night shifts. \
        Today, they spend an hour every week planning meals by hand. The lists get lost. \
        Working backwards from that, the product needs three capabilities. First, a planner. Second, a shopping list. \
        I'd measure success by the share of nurses who cook at home. The biggest risk is trust. \
        In one sentence, we are building a planner for nurses who waste time, replacing spreadsheets with calm.";

    #[test]
    fn spans_tile_the_answer_with_confidences() {
        let words = speak(ANSWER);
        for encoder in [None, Some(&Flat as &dyn Embedder)] {
            let seg = segment(
                &words,
                QuestionType::ProductSense,
                &Lexicon::builtin(),
                encoder,
            );
            assert_eq!(seg.spans[0].first, 0);
            assert_eq!(seg.spans.last().unwrap().last, words.len() - 1);
            for pair in seg.spans.windows(2) {
                assert_eq!(pair[0].last + 1, pair[1].first);
                assert_ne!(pair[0].step, pair[1].step);
            }
            for s in &seg.spans {
                assert!((0.0..=1.0).contains(&s.confidence), "{s:?}");
            }
            for row in &seg.marginals {
                let sum: f64 = row.iter().map(|(_, p)| p).sum();
                assert!((sum - 1.0).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn without_a_working_sentence_model_the_cues_are_read() {
        let words = speak(ANSWER);
        let lex = Lexicon::builtin();
        let broken = segment(&words, QuestionType::ProductSense, &lex, Some(&Broken));
        let none = segment(&words, QuestionType::ProductSense, &lex, None);
        assert_eq!(broken.reader, Reader::Cues);
        assert_eq!(broken.spans, none.spans);
        let flat = segment(&words, QuestionType::ProductSense, &lex, Some(&Flat));
        assert_eq!(flat.reader, Reader::Sentence);
    }

    #[test]
    fn share_ranges_hold_the_reported_share() {
        let words = speak(ANSWER);
        let seg = segment(
            &words,
            QuestionType::ProductSense,
            &Lexicon::builtin(),
            None,
        );
        let steps = super::super::timing::step_reports(&words, &seg.spans);
        let answer = words.last().unwrap().end_s - words[0].start_s;
        let problem = super::super::timing::seconds(&steps, Step::is_problem) / answer;
        let (lo, hi) = seg.share_range(&words, Step::is_problem, problem).unwrap();
        assert!(
            0.0 <= lo && lo <= problem && problem <= hi && hi <= 1.0,
            "{lo} {problem} {hi}"
        );
        // the same answer gives the same range every time
        assert_eq!(
            seg.share_range(&words, Step::is_problem, problem),
            Some((lo, hi))
        );
        // a point the draws never reach is still inside
        let (lo, hi) = seg.share_range(&words, Step::is_problem, 0.99).unwrap();
        assert!(lo < 0.99 && hi >= 0.99, "{lo} {hi}");
    }

    /// The product sense answer `words`, segmented with the `uncertainty` settings.
    fn uncertain(words: &[Word], uncertainty: Uncertainty) -> Segmentation {
        segment_with(
            words,
            QuestionType::ProductSense,
            &Lexicon::builtin(),
            None,
            Some(uncertainty),
        )
    }

    fn drawn(words: &[Word], range_temperature: f64, range_widening: f64) -> Segmentation {
        uncertain(
            words,
            Uncertainty {
                confidence_temperature: 0.4,
                range_temperature,
                range_widening,
            },
        )
    }

    #[test]
    fn a_lower_range_temperature_widens_the_range_and_nothing_else() {
        let words = speak(ANSWER);
        let (sharp, flat) = (drawn(&words, 2.0, 0.0), drawn(&words, 0.1, 0.0));
        let width = |s: &Segmentation| {
            let (lo, hi) = s.share_range(&words, Step::is_problem, 0.3).unwrap();
            hi - lo
        };
        assert!(
            width(&flat) > width(&sharp) + 0.02,
            "{} vs {}",
            width(&flat),
            width(&sharp)
        );
        // The decoded steps and their confidences do not depend on it.
        assert_eq!(flat.spans, sharp.spans);
        assert_eq!(flat.path, sharp.path);
    }

    #[test]
    fn the_widening_grows_both_sides_by_the_width_within_zero_and_one() {
        let words = speak(ANSWER);
        let (bare, wide) = (drawn(&words, 0.3, 0.0), drawn(&words, 0.3, 0.5));
        let range =
            |s: &Segmentation, point: f64| s.share_range(&words, Step::is_problem, point).unwrap();
        let ((lo, hi), (wlo, whi)) = (range(&bare, 0.3), range(&wide, 0.3));
        let m = 0.5 * (hi - lo);
        assert!(m > 0.01, "{lo} {hi}");
        assert!((wlo - (lo - m).max(0.0)).abs() < 1e-12, "{lo} -> {wlo}");
        assert!((whi - (hi + m).min(1.0)).abs() < 1e-12, "{hi} -> {whi}");
        // never past the ends, however far the point is
        let (lo, hi) = range(&wide, 1.0);
        assert!(lo >= 0.0 && hi == 1.0, "{lo} {hi}");
        let (lo, _) = range(&wide, 0.0);
        assert_eq!(lo, 0.0);
        // the steps themselves do not change
        assert_eq!(bare.spans, wide.spans);
    }

    #[test]
    fn a_lower_confidence_temperature_softens_the_confidences_and_nothing_else() {
        let words = speak(ANSWER);
        let at = |confidence_temperature: f64| {
            uncertain(
                &words,
                Uncertainty {
                    confidence_temperature,
                    range_temperature: 0.3,
                    range_widening: 0.0,
                },
            )
        };
        let (sure, soft) = (at(1.0), at(0.2));
        let mean = |s: &Segmentation| {
            s.spans.iter().map(|x| x.confidence).sum::<f64>() / s.spans.len() as f64
        };
        assert!(
            mean(&soft) < mean(&sure) - 0.05,
            "{} vs {}",
            mean(&soft),
            mean(&sure)
        );
        assert_eq!(soft.path, sure.path);
        let bounds = |s: &Segmentation| -> Vec<(Step, usize, usize)> {
            s.spans.iter().map(|x| (x.step, x.first, x.last)).collect()
        };
        assert_eq!(bounds(&soft), bounds(&sure));
    }
}
