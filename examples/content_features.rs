//! Dump what the content-property classifiers read for labelled sentences, for
//! `scripts/train_step_model.py --content`.
//!
//! usage: cargo run --release --example content_features -- ENCODER_DIR SENTENCES.toml... > c.jsonl
//! Each file holds `[[sentence]]` tables with `text` and `labels` (samples/questions/content_*.toml).

use paceback::analysis::phrases::normalize_all;
use paceback::analysis::{Lexicon, content};
use paceback::embed::{Embedder, SentenceModel};
use serde_json::json;

#[derive(serde::Deserialize)]
struct File {
    sentence: Vec<S>,
}

#[derive(serde::Deserialize)]
struct S {
    text: String,
    labels: Vec<String>,
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .expect("usage: content_features ENCODER_DIR FILE...");
    let model = SentenceModel::load(std::path::Path::new(&dir))?;
    let lex = Lexicon::builtin();
    for path in args {
        let file: File = toml::from_str(&std::fs::read_to_string(&path)?)?;
        let texts: Vec<&str> = file.sentence.iter().map(|s| s.text.trim()).collect();
        let vectors = model.embed(&texts)?;
        for (s, v) in file.sentence.iter().zip(vectors) {
            let words = normalize_all(&s.text.split_whitespace().collect::<Vec<_>>());
            let found = content::patterns_found(&words, &lex);
            // What paceback itself decides, with the model embedded in this build.
            let said: Vec<&str> = content::Property::ALL
                .iter()
                .filter(|p| content::says(**p, &s.text, &words, Some(&v), &lex))
                .map(|p| p.id())
                .collect();
            println!(
                "{}",
                json!({"file": path, "text": s.text, "labels": s.labels, "found": found, "x": content::features(&v, found), "said": said})
            );
        }
    }
    Ok(())
}
