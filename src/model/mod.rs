//! Speech models: where they live, which one is used, how to obtain and import one.
//!
//! Resolution order: `--model FILE` (or the name of an installed model: `--model base`), then
//! `PACEBACK_MODEL`, then the default model in `PACEBACK_HOME/models`. A missing or unreadable model is an error that names the path and the
//! fix, checked before any audio is processed.

pub mod ct2;
pub mod fetch;
pub mod ggml;
pub mod import;
pub mod mel;
pub mod sentence;
pub mod vad;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::home::Home;

/// The model `paceback model fetch` installs and everything uses unless told otherwise.
///
/// q8_0 was measured faster than f16 at the same WER on the reference machine (README).
pub const DEFAULT_MODEL: &str = "tiny.en-q8_0";

/// Whether `kind` (as [`ModelFile::describe`] and the recognizer name a model: `tiny.en q8_0`)
/// is the default model's.
pub fn is_default_kind(kind: &str) -> bool {
    kind == DEFAULT_MODEL.replacen('-', " ", 1)
}

/// File name of a named model inside the models folder, as whisper.cpp names them.
pub fn file_name(name: &str) -> String {
    format!("ggml-{name}.bin")
}

/// A model file that exists and has a plausible header.
#[derive(Debug, Clone)]
pub struct ModelFile {
    pub path: PathBuf,
    pub header: ggml::Hparams,
}

impl ModelFile {
    /// A short description such as `tiny.en q8_0`.
    pub fn describe(&self) -> String {
        format!(
            "{} {}",
            self.header.size_name(),
            ggml::ftype_name(self.header.ftype)
        )
    }
}

/// Pick the model to use and check it can be read.
pub fn resolve(flag: Option<&Path>, home: &Home) -> Result<ModelFile> {
    let path = if let Some(p) = flag {
        by_name(p, home).unwrap_or_else(|| {
            match p.to_str().filter(|n| is_bare_name(n) && !p.exists()) {
                // A name that is not installed: say where it would be.
                Some(name) => home.models_dir().join(file_name(name)),
                None => p.to_path_buf(),
            }
        })
    } else if let Some(p) = std::env::var_os("PACEBACK_MODEL").filter(|v| !v.is_empty()) {
        PathBuf::from(p)
    } else {
        home.models_dir().join(file_name(DEFAULT_MODEL))
    };
    if !path.is_file() {
        return Err(Error::ModelMissing { path });
    }
    let header = ggml::verify(&path).map_err(|e| Error::ModelCorrupt {
        path: path.clone(),
        reason: format!("{e:#}"),
    })?;
    Ok(ModelFile { path, header })
}

/// The installed model a bare name stands for (`--model base`): `ggml-NAME.bin` in the models
/// folder, else its q8_0 form `ggml-NAME-q8_0.bin`. `None` for anything that is a file here or
/// looks like a path.
fn by_name(flag: &Path, home: &Home) -> Option<PathBuf> {
    let name = flag.to_str()?;
    if flag.is_file() || !is_bare_name(name) {
        return None;
    }
    [file_name(name), file_name(&format!("{name}-q8_0"))]
        .into_iter()
        .map(|f| home.models_dir().join(f))
        .find(|p| p.is_file())
}

/// A model name rather than a path: no folder in it, not a `.bin` file.
fn is_bare_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['/', '\\']) && !name.ends_with(".bin")
}

/// One installed model, for `paceback model list`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Installed {
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
    pub kind: String,
    pub default: bool,
    /// What this repository's benchmarks measured for this kind of model, if they did.
    pub measured: Option<Measured>,
}

/// A model kind's figures from this repository's benchmarks on a 2-core machine (README, "Speed
/// and accuracy"): word error rate on the neural-voice set (`scripts/bench_pauses.py`) and on the
/// 6-minute espeak answer (`scripts/bench_transcribe.py`), and how many times faster than real
/// time it transcribed that answer.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Measured {
    pub wer_neural_voices: f64,
    pub wer_espeak: f64,
    pub times_real_time: f64,
}

/// The kinds measured (`size ftype`, as [`ModelFile::describe`] names them).
const MEASURED: [(&str, Measured); 2] = [
    (
        "tiny.en q8_0",
        Measured {
            wer_neural_voices: 0.089,
            wer_espeak: 0.138,
            times_real_time: 23.4,
        },
    ),
    (
        "base q8_0",
        Measured {
            wer_neural_voices: 0.071,
            wer_espeak: 0.100,
            times_real_time: 12.2,
        },
    ),
];

/// What was measured for a model kind (`tiny.en q8_0`).
pub fn measured(kind: &str) -> Option<Measured> {
    MEASURED.iter().find(|(k, _)| *k == kind).map(|(_, m)| *m)
}

/// Every `ggml-*.bin` in the models folder, sorted by name, then the sentence model if installed.
pub fn list(home: &Home) -> anyhow::Result<Vec<Installed>> {
    let dir = home.models_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("ggml-"))
            .and_then(|n| n.strip_suffix(".bin"))
            .map(str::to_owned)
        else {
            continue;
        };
        let kind = match ggml::read_header(&path) {
            Ok(h) => format!("{} {}", h.size_name(), ggml::ftype_name(h.ftype)),
            Err(_) => "unreadable".to_string(),
        };
        out.push(Installed {
            measured: measured(&kind),
            default: name == DEFAULT_MODEL,
            bytes: std::fs::metadata(&path)?.len(),
            name,
            path,
            kind,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    let sentence = dir.join(sentence::NAME);
    if sentence::is_installed(&sentence) {
        out.push(Installed {
            name: sentence::NAME.to_string(),
            bytes: std::fs::read_dir(&sentence)?
                .filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum(),
            path: sentence,
            kind: "sentence model".to_string(),
            default: true,
            measured: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_model_is_known_by_the_kind_its_header_describes() {
        // Recognizers and `describe` name a model "size ftype"; the default file is tiny.en q8_0.
        assert!(is_default_kind("tiny.en q8_0"));
        assert!(!is_default_kind("tiny.en f16"));
        assert!(!is_default_kind("base q8_0"));
        assert_eq!(
            crate::practice::faster_model("base q8_0"),
            Some(DEFAULT_MODEL)
        );
        assert_eq!(crate::practice::faster_model("tiny.en q8_0"), None);
    }

    #[test]
    fn missing_default_model_names_path_and_fix() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home::at(tmp.path());
        let flag = tmp.path().join("nope.bin");
        match resolve(Some(&flag), &home) {
            Err(Error::ModelMissing { path }) => assert_eq!(path, flag),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bare_name_stands_for_an_installed_model() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        std::fs::create_dir_all(home.models_dir()).unwrap();
        let base_q8 = home.models_dir().join("ggml-base-q8_0.bin");
        std::fs::write(&base_q8, b"x").unwrap();
        assert_eq!(by_name(Path::new("base"), &home), Some(base_q8.clone()));
        assert_eq!(by_name(Path::new("base-q8_0"), &home), Some(base_q8));
        let base = home.models_dir().join("ggml-base.bin");
        std::fs::write(&base, b"x").unwrap();
        assert_eq!(
            by_name(Path::new("base"), &home),
            Some(base),
            "the exact name first"
        );
        assert_eq!(by_name(Path::new("small"), &home), None);
        assert_eq!(
            by_name(Path::new("./base"), &home),
            None,
            "a path is a path"
        );
        assert_eq!(by_name(Path::new("base.bin"), &home), None);
    }

    #[test]
    fn corrupt_model_is_reported_as_such() {
        let tmp = tempfile::tempdir().unwrap();
        let bad = tmp.path().join("ggml-bad.bin");
        std::fs::write(&bad, vec![0u8; 100]).unwrap();
        let err = resolve(Some(&bad), &Home::at(tmp.path())).unwrap_err();
        assert!(matches!(err, Error::ModelCorrupt { .. }), "{err:?}");
        assert!(err.to_string().contains("paceback model fetch"), "{err}");
    }

    #[test]
    fn list_shows_models_and_marks_the_default() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home::at(tmp.path());
        assert!(list(&home).unwrap().is_empty());
        std::fs::create_dir_all(home.models_dir()).unwrap();
        std::fs::write(home.models_dir().join(file_name(DEFAULT_MODEL)), b"junk").unwrap();
        std::fs::write(home.models_dir().join("notes.txt"), b"x").unwrap();
        let models = list(&home).unwrap();
        assert_eq!(models.len(), 1);
        assert!(models[0].default);
        assert_eq!(models[0].kind, "unreadable");
        assert_eq!(models[0].bytes, 4);
    }
}
