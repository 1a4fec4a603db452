//! The problem and solution shares' reported ranges at several sampling temperatures, beside the
//! true shares, for `scripts/fit_share_ranges.py`.
//!
//! usage: cargo run --release --example share_ranges -- [--encoder DIR] --temperatures 0.3,0.4 SET_DIR... > ranges.jsonl
//!
//! A set folder holds `NAME.json` truth manifests (paceback.truth/1) with `NAME.transcript.json`
//! beside them. One JSON line per answer whose type has share rules: its name, type, true shares (the
//! truth's boundaries on the same words), decoded shares, and per temperature the range the
//! report would give before it is widened (the sampled 10th-90th percentile, widened to hold the
//! decoded share).

#[path = "common/mod.rs"]
mod common;

use std::path::PathBuf;

use paceback::analysis::segment::{Ranges, Segmentation, StepSpan, from_boundaries, segment_with};
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

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut encoder_dir: Option<PathBuf> = None;
    let mut temperatures: Vec<f64> = Vec::new();
    let mut sets = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--encoder" => encoder_dir = args.next().map(PathBuf::from),
            "--temperatures" => {
                temperatures = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
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
            if !method::profile(qtype).rules.shares {
                continue;
            }
            let words = Transcript::load(&tpath)?.words;
            let truth_spans = from_boundaries(&words, &paceback::truth::boundaries(&m)?);
            let preds: [Share; 2] = [
                ("problem", Step::is_problem),
                ("solution", Step::is_solution),
            ];
            // The decoded steps do not depend on the temperature: one segmentation gives them.
            let segmentations: Vec<(f64, Segmentation)> = temperatures
                .iter()
                .map(|&t| {
                    let ranges = Ranges {
                        temperature: t,
                        widening: 0.0,
                    };
                    (t, segment_with(&words, qtype, &lex, encoder, Some(ranges)))
                })
                .collect();
            let Some((_, first)) = segmentations.first() else {
                continue;
            };
            let decoded = preds.map(|(_, pred)| share(&words, &first.spans, pred));
            let ranges: serde_json::Map<String, Value> = segmentations
                .iter()
                .map(|(t, seg)| {
                    let at_t: serde_json::Map<String, Value> = preds
                        .iter()
                        .zip(decoded)
                        .filter_map(|((key, pred), point)| {
                            let range = seg.share_range(&words, pred, point)?;
                            Some((key.to_string(), json!([range.0, range.1])))
                        })
                        .collect();
                    (t.to_string(), Value::Object(at_t))
                })
                .collect();
            let named = |values: [f64; 2]| -> serde_json::Map<String, Value> {
                preds
                    .iter()
                    .zip(values)
                    .map(|((key, _), v)| (key.to_string(), json!(v)))
                    .collect()
            };
            let (decoded, true_shares) = (
                named(decoded),
                named(preds.map(|(_, pred)| share(&words, &truth_spans, pred))),
            );
            println!(
                "{}",
                json!({"set": set.file_name().unwrap().to_string_lossy(), "name": name,
                       "type": truth["type"], "true": true_shares, "decoded": decoded, "ranges": ranges})
            );
        }
    }
    Ok(())
}
