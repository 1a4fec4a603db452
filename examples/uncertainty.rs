//! How sure the segmentation says it is, beside the truth, for `scripts/fit_uncertainty.py`: per
//! confidence temperature, how much speech time the steps reported with confidence >= 0.8 cover
//! and how much of it is on the true step; per range temperature, the problem and solution
//! shares' ranges before they are widened (the sampled 10th-90th percentile, widened to hold the
//! decoded share), beside the true and decoded shares.
//!
//! usage: cargo run --release --example uncertainty -- [--encoder DIR] --confidence 0.3,0.4
//!        --temperatures 0.3,0.4 SET_DIR... > uncertainty.jsonl
//!
//! A set folder holds `NAME.json` truth manifests (paceback.truth/1) with `NAME.transcript.json`
//! beside them. One JSON line per answer: its name, type, `confident` ({temperature: [seconds,
//! seconds right]}) and, for types with share rules, `true`, `decoded` and `ranges`
//! ({temperature: {problem: [lo, hi], solution: [lo, hi]}}).

#[path = "common/mod.rs"]
mod common;

use std::path::PathBuf;

use paceback::analysis::segment::{
    Segmentation, StepSpan, Uncertainty, from_boundaries, segment_with,
};
use paceback::analysis::{Lexicon, QuestionType, Step, method, timing};
use paceback::embed::{Embedder, SentenceModel};
use paceback::transcript::{Transcript, Word};
use serde_json::{Value, json};

/// A share's name and the steps it counts.
type Share = (&'static str, fn(Step) -> bool);

/// The share of the answer's time on steps matching `pred` with these spans.
fn share(words: &[Word], spans: &[StepSpan], pred: fn(Step) -> bool) -> f64 {
    let answer = words.last().map_or(0.0, |l| l.end_s) - words.first().map_or(0.0, |f| f.start_s);
    timing::seconds(&timing::step_reports(words, spans), pred) / answer
}

/// Drawn with these temperatures, the ranges not widened.
fn at(confidence_temperature: f64, range_temperature: f64) -> Option<Uncertainty> {
    Some(Uncertainty {
        confidence_temperature,
        range_temperature,
        range_widening: 0.0,
    })
}

/// Speech time in steps reported with confidence >= 0.8, and the part of it on the true step.
fn confident(words: &[Word], spans: &[StepSpan], truth: &[StepSpan]) -> [f64; 2] {
    let true_step = |i: usize| {
        truth
            .iter()
            .find(|t| t.first <= i && i <= t.last)
            .map(|t| t.step)
    };
    let (mut time, mut right) = (0.0, 0.0);
    for span in spans.iter().filter(|s| s.confidence >= 0.8) {
        for (i, w) in words
            .iter()
            .enumerate()
            .take(span.last + 1)
            .skip(span.first)
        {
            let d = w.end_s - w.start_s;
            time += d;
            if true_step(i) == Some(span.step) {
                right += d;
            }
        }
    }
    [time, right]
}

fn list(arg: Option<String>) -> anyhow::Result<Vec<f64>> {
    Ok(arg
        .unwrap_or_default()
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut encoder_dir: Option<PathBuf> = None;
    let (mut confidence, mut temperatures) = (Vec::new(), Vec::new());
    let mut sets = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--encoder" => encoder_dir = args.next().map(PathBuf::from),
            "--confidence" => confidence = list(args.next())?,
            "--temperatures" => temperatures = list(args.next())?,
            _ => sets.push(PathBuf::from(a)),
        }
    }
    let encoder = encoder_dir.map(|d| SentenceModel::load(&d)).transpose()?;
    let encoder = encoder.as_ref().map(|e| e as &dyn Embedder);
    let lex = Lexicon::builtin();
    for set in &sets {
        for answer in common::answers(set, None)? {
            let (name, m, tpath) = (answer.name, answer.manifest, answer.transcript);
            let truth: Value = serde_json::from_str(&std::fs::read_to_string(&m)?)?;
            let qtype: QuestionType = truth["type"]
                .as_str()
                .unwrap_or_default()
                .parse()
                .map_err(anyhow::Error::msg)?;
            let words = Transcript::load(&tpath)?.words;
            let truth_spans = from_boundaries(&words, &paceback::truth::boundaries(&m)?);
            let confident: serde_json::Map<String, Value> = confidence
                .iter()
                .map(|&t| {
                    let seg = segment_with(&words, qtype, &lex, encoder, at(t, t));
                    (
                        t.to_string(),
                        json!(confident(&words, &seg.spans, &truth_spans)),
                    )
                })
                .collect();
            let mut line = json!({"set": set.file_name().unwrap().to_string_lossy(), "name": name,
                                  "type": truth["type"], "confident": confident});
            if method::profile(qtype).rules.shares && !temperatures.is_empty() {
                line.as_object_mut().unwrap().extend(shares(
                    &words,
                    &truth_spans,
                    |t| segment_with(&words, qtype, &lex, encoder, at(1.0, t)),
                    &temperatures,
                ));
            }
            println!("{line}");
        }
    }
    Ok(())
}

/// The true and decoded shares, and per range temperature the ranges drawn by `segment`.
fn shares(
    words: &[Word],
    truth_spans: &[StepSpan],
    segment: impl Fn(f64) -> Segmentation,
    temperatures: &[f64],
) -> serde_json::Map<String, Value> {
    let preds: [Share; 2] = [
        ("problem", Step::is_problem),
        ("solution", Step::is_solution),
    ];
    // The decoded steps do not depend on the temperature: one segmentation gives them.
    let segmentations: Vec<(f64, Segmentation)> =
        temperatures.iter().map(|&t| (t, segment(t))).collect();
    let decoded = preds.map(|(_, pred)| share(words, &segmentations[0].1.spans, pred));
    let ranges: serde_json::Map<String, Value> = segmentations
        .iter()
        .map(|(t, seg)| {
            let at_t: serde_json::Map<String, Value> = preds
                .iter()
                .zip(decoded)
                .filter_map(|((key, pred), point)| {
                    let range = seg.share_range(words, pred, point)?;
                    Some((key.to_string(), json!([range.0, range.1])))
                })
                .collect();
            (t.to_string(), Value::Object(at_t))
        })
        .collect();
    let named = |values: [f64; 2]| -> Value {
        preds
            .iter()
            .zip(values)
            .map(|((key, _), v)| (key.to_string(), json!(v)))
            .collect::<serde_json::Map<String, Value>>()
            .into()
    };
    serde_json::Map::from_iter([
        (
            "true".to_string(),
            named(preds.map(|(_, pred)| share(words, truth_spans, pred))),
        ),
        ("decoded".to_string(), named(decoded)),
        ("ranges".to_string(), Value::Object(ranges)),
    ])
}
