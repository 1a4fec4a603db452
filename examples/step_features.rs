//! Dump what the step model reads for every unit of labelled answers, for
//! `scripts/train_step_model.py`.
//!
//! usage: cargo run --release --example step_features -- [--encoder DIR] [--transcripts DIR] SET_DIR... > features.jsonl
//!
//! A set folder holds `NAME.json` truth manifests (paceback.truth/1) with either
//! `NAME.transcript.json` beside them or a transcript `NAME.json` in `--transcripts`. One JSON line
//! per answer: its name, type and units, each with its true step (by time) and both feature
//! vectors (`sentence`, with `--encoder`; `cues`).

#[path = "common/mod.rs"]
mod common;

use std::path::PathBuf;

use paceback::analysis::segment::{UnitFeatures, unit_features};
use paceback::analysis::stepmodel::Reader;
use paceback::analysis::{Lexicon, QuestionType};
use paceback::embed::{Embedder, SentenceModel};
use paceback::transcript::Transcript;
use serde_json::{Value, json};

fn true_step(truth: &Value, t: f64) -> String {
    let steps = truth["steps"].as_array().expect("steps");
    let mut best = (f64::INFINITY, String::new());
    for s in steps {
        let (a, b) = (s["start_s"].as_f64().unwrap(), s["end_s"].as_f64().unwrap());
        let id = s["step"].as_str().unwrap().to_string();
        if a - 1e-6 <= t && t <= b + 1e-6 {
            return id;
        }
        let d = (t - a).abs().min((t - b).abs());
        if d < best.0 {
            best = (d, id);
        }
    }
    best.1
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut encoder_dir: Option<PathBuf> = None;
    let mut transcripts: Option<PathBuf> = None;
    let mut sets = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--encoder" => encoder_dir = args.next().map(PathBuf::from),
            "--transcripts" => transcripts = args.next().map(PathBuf::from),
            _ => sets.push(PathBuf::from(a)),
        }
    }
    let encoder = encoder_dir.map(|d| SentenceModel::load(&d)).transpose()?;
    let lex = Lexicon::builtin();
    for set in &sets {
        for answer in common::answers(set, transcripts.as_deref())? {
            let (name, m, tpath) = (answer.name, answer.manifest, answer.transcript);
            let truth: Value = serde_json::from_str(&std::fs::read_to_string(&m)?)?;
            let transcript = Transcript::load(&tpath)?;
            let qtype: QuestionType = truth["type"]
                .as_str()
                .unwrap()
                .parse()
                .map_err(anyhow::Error::msg)?;
            let units = unit_features(
                &transcript.words,
                qtype,
                &lex,
                encoder.as_ref().map(|e| e as &dyn Embedder),
            )?;
            let rows: Vec<Value> = (0..units.len())
                .map(|i| {
                    let u: &UnitFeatures = &units[i];
                    let words = &transcript.words[u.first..=u.last];
                    // The unit's true step: the one holding most of its speech time.
                    let mut time: Vec<(String, f64)> = Vec::new();
                    for w in words {
                        let s = true_step(&truth, (w.start_s + w.end_s) / 2.0);
                        let d = w.end_s - w.start_s;
                        match time.iter_mut().find(|(t, _)| *t == s) {
                            Some(e) => e.1 += d,
                            None => time.push((s, d)),
                        }
                    }
                    let label = time
                        .iter()
                        .max_by(|a, b| a.1.total_cmp(&b.1))
                        .map(|(s, _)| s.clone())
                        .unwrap_or_default();
                    let mut row = json!({
                        "text": u.text, "start_s": u.start_s, "end_s": u.end_s, "at": u.at,
                        "label": label,
                        "cues": UnitFeatures::vector(&units, i, Reader::Cues, qtype),
                    });
                    if encoder.is_some() {
                        row["sentence"] =
                            json!(UnitFeatures::vector(&units, i, Reader::Sentence, qtype));
                    }
                    row
                })
                .collect();
            println!(
                "{}",
                json!({"set": set.file_name().unwrap().to_string_lossy(), "name": name, "type": truth["type"], "units": rows})
            );
        }
    }
    Ok(())
}
