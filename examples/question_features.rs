//! Dump what the question-type classifier reads for labelled question wordings, for
//! `scripts/train_step_model.py --questions`.
//!
//! usage: cargo run --release --example question_features -- ENCODER_DIR QUESTIONS.toml... > q.jsonl
//! Each file holds `[[question]]` tables with `text` and `type` (the bank's format).

use paceback::analysis::{Lexicon, question};
use paceback::embed::{Embedder, SentenceModel};
use serde_json::json;

#[derive(serde::Deserialize)]
struct File {
    question: Vec<Q>,
}

#[derive(serde::Deserialize)]
struct Q {
    text: String,
    #[serde(rename = "type")]
    qtype: String,
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .expect("usage: question_features ENCODER_DIR FILE...");
    let model = SentenceModel::load(std::path::Path::new(&dir))?;
    let lex = Lexicon::builtin();
    for path in args {
        let file: File = toml::from_str(&std::fs::read_to_string(&path)?)?;
        let texts: Vec<&str> = file.question.iter().map(|q| q.text.trim()).collect();
        let vectors = model.embed(&texts)?;
        for (q, v) in file.question.iter().zip(vectors) {
            let x = question::features(&v, question::pattern_matches(&q.text, &lex));
            // What paceback itself decides, with the model embedded in this build.
            let predicted = question::from_question(&q.text, &lex, Some(&model as &dyn Embedder))
                .map(|t| t.id());
            println!(
                "{}",
                json!({"file": path, "text": q.text, "type": q.qtype, "x": x, "predicted": predicted})
            );
        }
    }
    Ok(())
}
