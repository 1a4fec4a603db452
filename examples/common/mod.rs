//! What the examples that read labelled answers share.

use std::path::{Path, PathBuf};

/// One labelled answer of a set folder.
pub struct Answer {
    pub name: String,
    /// Its truth manifest (paceback.truth/1, `NAME.json`).
    pub manifest: PathBuf,
    /// Its transcript: `NAME.transcript.json` beside the manifest, else `NAME.json` in
    /// `transcripts`.
    pub transcript: PathBuf,
}

/// The answers of a set folder that have a transcript, in name order.
pub fn answers(set: &Path, transcripts: Option<&Path>) -> std::io::Result<Vec<Answer>> {
    let mut manifests: Vec<PathBuf> = std::fs::read_dir(set)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p.to_string_lossy().ends_with(".transcript.json")
        })
        .collect();
    manifests.sort();
    Ok(manifests
        .into_iter()
        .filter_map(|manifest| {
            let name = manifest.file_stem()?.to_string_lossy().to_string();
            let beside = set.join(format!("{name}.transcript.json"));
            let transcript = if beside.exists() {
                beside
            } else {
                transcripts?.join(format!("{name}.json"))
            };
            transcript.exists().then_some(Answer {
                name,
                manifest,
                transcript,
            })
        })
        .collect())
}
