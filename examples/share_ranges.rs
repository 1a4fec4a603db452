//! The problem and solution shares' reported ranges at several sampling temperatures, beside the
//! true shares, for `scripts/fit_range_temperature.py`.
//!
//! usage: cargo run --release --example share_ranges -- [--encoder DIR] --temperatures 0.3,0.4 SET_DIR... > ranges.jsonl
//!
//! A set folder holds `NAME.json` truth manifests (paceback.truth/1) with `NAME.transcript.json`
//! beside them. One JSON line per answer whose type has share rules: its name, type, true shares (the
//! truth's boundaries on the same words), decoded shares, and per temperature the range the
//! report would give (the sampled 10th-90th percentile, widened to hold the decoded share).

#[path = "common/mod.rs"]
mod common;

use std::path::PathBuf;

use paceback::analysis::segment::{StepSpan, from_boundaries, segment_with};
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
        let manifests = common::manifests(set)?;
        for m in manifests {
            let name = m.file_stem().unwrap().to_string_lossy().to_string();
            let tpath = set.join(format!("{name}.transcript.json"));
            if !tpath.exists() {
                continue;
            }
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
            let bounds: Vec<(Step, f64)> = truth["steps"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| Some((Step::from_id(s["step"].as_str()?)?, s["start_s"].as_f64()?)))
                .collect();
            let truth_spans = from_boundaries(&words, &bounds);
            let preds: [Share; 2] = [
                ("problem", Step::is_problem),
                ("solution", Step::is_solution),
            ];
            let mut ranges = serde_json::Map::new();
            let mut decoded = json!({});
            for &t in &temperatures {
                let seg = segment_with(&words, qtype, &lex, encoder, Some(t));
                let mut at_t = json!({});
                for (key, pred) in preds {
                    let point = share(&words, &seg.spans, pred);
                    decoded[key] = json!(point);
                    if let Some((lo, hi)) = seg.share_range(&words, pred) {
                        at_t[key] = json!([lo.min(point), hi.max(point)]);
                    }
                }
                ranges.insert(t.to_string(), at_t);
            }
            let true_shares: serde_json::Map<String, Value> = preds
                .iter()
                .map(|(key, pred)| (key.to_string(), json!(share(&words, &truth_spans, *pred))))
                .collect();
            println!(
                "{}",
                json!({"set": set.file_name().unwrap().to_string_lossy(), "name": name,
                       "type": truth["type"], "true": true_shares, "decoded": decoded, "ranges": ranges})
            );
        }
    }
    Ok(())
}
