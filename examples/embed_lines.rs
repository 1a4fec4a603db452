//! Embed each line of stdin with the sentence model; one JSON array per line on stdout.
//! For training scripts: `cargo run --release --example embed_lines -- models/all-MiniLM-L6-v2 < lines.txt`

use std::io::BufRead;

use paceback::embed::{Embedder, SentenceModel};

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "models/all-MiniLM-L6-v2".into());
    let model = SentenceModel::load(std::path::Path::new(&dir))?;
    let lines: Vec<String> = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    for v in model.embed(&refs)? {
        println!("{}", serde_json::to_string(&*v)?);
    }
    Ok(())
}
