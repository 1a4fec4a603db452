//! `paceback.truth/1` manifests: an answer's step boundaries as a person labelled them (the
//! labelled sample sets, `analyze --steps-from`).

use std::path::Path;

use crate::analysis::Step;
use crate::error::{Error, Result};

/// Each labelled step and the time it starts, in the manifest's order.
pub fn boundaries(path: &Path) -> Result<Vec<(Step, f64)>> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        steps: Vec<TruthStep>,
    }
    #[derive(serde::Deserialize)]
    struct TruthStep {
        step: String,
        start_s: f64,
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::bad_input(path, e))?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| Error::bad_input(path, e))?;
    m.steps
        .into_iter()
        .map(|s| {
            Step::from_id(&s.step)
                .map(|step| (step, s.start_s))
                .ok_or_else(|| Error::bad_input(path, format!("unknown step `{}`", s.step)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answer.json");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn the_labelled_steps_are_read_in_order_with_their_starts() {
        let (_d, path) = manifest(
            r#"{"schema":"paceback.truth/1","type":"product_sense","steps":[
                {"step":"classify","start_s":0.5,"end_s":4.0},
                {"step":"customer","start_s":4.0,"end_s":9.0}]}"#,
        );
        assert_eq!(
            boundaries(&path).unwrap(),
            vec![(Step::Classify, 0.5), (Step::Customer, 4.0)]
        );
    }

    #[test]
    fn an_unknown_step_or_a_document_without_steps_is_bad_input() {
        let (_d, path) = manifest(r#"{"steps":[{"step":"tangent","start_s":1.0}]}"#);
        let err = boundaries(&path).unwrap_err().to_string();
        assert!(err.contains("unknown step `tangent`"), "{err}");
        let (_d, path) = manifest(r#"{"words":[]}"#);
        assert!(matches!(boundaries(&path), Err(Error::BadInput { .. })));
    }
}
