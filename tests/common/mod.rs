//! Shared helpers of the integration tests: a `paceback` command in a private home, the speech
//! model, the shared samples, WAV writing, and the WER and synthesis scripts.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `paceback` with its own data folder, no colour, no models from the environment, no network.
pub fn paceback(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("paceback").expect("binary built");
    cmd.env("PACEBACK_HOME", home)
        .env("NO_COLOR", "1")
        .env_remove("PACEBACK_MODEL")
        .env_remove("PACEBACK_SENTENCE_MODEL")
        .env_remove("PACEBACK_VAD_MODEL")
        .env("PACEBACK_MODEL_BASE_URL", "http://127.0.0.1:9")
        .env("PACEBACK_SENTENCE_MODEL_BASE_URL", "http://127.0.0.1:9");
    cmd
}

/// The speech model for end-to-end tests: `$PACEBACK_MODEL`, else `models/ggml-tiny.en-q8_0.bin`.
pub fn model() -> PathBuf {
    let path = std::env::var_os("PACEBACK_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("models/ggml-tiny.en-q8_0.bin"));
    assert!(
        path.is_file(),
        "no speech model at {}: run `cargo run --release -- model fetch --dir models` (scripts/test.sh does)",
        path.display()
    );
    path
}

/// The voice-activity model `scripts/test.sh` installs in `models/` beside the speech model.
pub fn vad_model() -> PathBuf {
    let path = repo().join("models/silero-vad-v6.2.3.bin");
    assert!(
        path.is_file(),
        "no voice-activity model at {}: run `cargo run --release -- model fetch --dir models` (scripts/test.sh does)",
        path.display()
    );
    path
}

/// `../shared`, or `None` after saying why the test is skipped.
pub fn shared(test: &str) -> Option<PathBuf> {
    let dir = repo().join("../shared");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping {test}: ../shared is absent (it holds the real-voice sample)");
        None
    }
}

/// Write a WAV file of integer samples.
pub fn write_wav_i16(path: &Path, rate: u32, channels: u16, samples: &[i16]) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for s in samples {
        w.write_sample(*s).unwrap();
    }
    w.finalize().unwrap();
}

/// WER between two files (text, transcript JSON or manifest), by `scripts/wer.py`.
pub fn wer(reference: &Path, hypothesis: &Path) -> f64 {
    let out = std::process::Command::new("python3")
        .arg(repo().join("scripts/wer.py"))
        .args([reference, hypothesis])
        .arg("--json")
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "wer.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["wer"].as_f64().unwrap()
}

/// Synthesize an answer script into `dir`, returning (wav, manifest).
pub fn synth(script: &Path, dir: &Path) -> (PathBuf, PathBuf) {
    let stem = script.file_stem().unwrap().to_string_lossy().to_string();
    let (wav, manifest) = (
        dir.join(format!("{stem}.wav")),
        dir.join(format!("{stem}.json")),
    );
    let status = std::process::Command::new("python3")
        .arg(repo().join("scripts/synth.py"))
        .arg(script)
        .arg(&wav)
        .arg("--manifest")
        .arg(&manifest)
        .status()
        .expect("python3 runs");
    assert!(status.success(), "synth.py failed on {}", script.display());
    (wav, manifest)
}

/// Run sox, panicking with its message on failure.
pub fn sox(args: &[&str]) {
    let out = std::process::Command::new("sox")
        .args(args)
        .output()
        .expect("sox is installed");
    assert!(
        out.status.success(),
        "sox {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

/// Run a `paceback` command that must succeed and parse what it prints as JSON.
pub fn output_json(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out.stdout)
}

/// The saved takes, oldest first, from `history --json` (its `paceback.history/1` envelope checked).
pub fn history_takes(home: &Path) -> Vec<serde_json::Value> {
    let listed = output_json(paceback(home).args(["history", "--json", "--limit", "100000"]));
    assert_eq!(listed["schema"], "paceback.history/1", "{listed}");
    listed["takes"].as_array().expect("takes").clone()
}

/// The sentence model for the segmentation tests: `$PACEBACK_SENTENCE_MODEL`, else
/// `models/all-MiniLM-L6-v2` (installed by `paceback model fetch --dir models`).
pub fn sentence_model_dir() -> PathBuf {
    let path = std::env::var_os("PACEBACK_SENTENCE_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("models/all-MiniLM-L6-v2"));
    assert!(
        path.join("model.safetensors").is_file(),
        "no sentence model at {}: run `cargo run --release -- model fetch --dir models` (scripts/test.sh does)",
        path.display()
    );
    path
}
