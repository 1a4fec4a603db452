//! What the examples that read labelled answers share.

use std::path::{Path, PathBuf};

/// The truth manifests (paceback.truth/1, `NAME.json`) of a set folder, in name order; the
/// `NAME.transcript.json` beside them are not manifests.
pub fn manifests(set: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(set)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p.to_string_lossy().ends_with(".transcript.json")
        })
        .collect();
    found.sort();
    Ok(found)
}
