//! The voice-activity model (Silero VAD v6) that says where speech ends and pauses begin: where
//! it lives, how `paceback model fetch` obtains it, and its conversion to whisper.cpp's format.
//!
//! Source: the PyPI wheel `silero-vad==6.2.3` (sha256 pinned), whose
//! `silero_vad/data/silero_vad_16k.safetensors` (sha256 pinned) holds the 16 kHz network in
//! float32. It is converted here to the ggml layout whisper.cpp's VAD loader reads (its own
//! converter's layout: header, then each tensor with its dimensions innermost first, the STFT
//! basis and convolution weights as f16, the LSTM and biases as f32); the conversion is
//! deterministic and its result is pinned by sha256 too. Written to a temporary file renamed into
//! place, so a failed fetch never leaves a half-installed model.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use safetensors::SafeTensors;

use super::fetch::{pypi_wheel, sha256_hex, zip_files};
use super::ggml::{GgmlWriter, TensorType};
use crate::home::Home;
use crate::transcribe::voice::SileroVad;

/// File name of the converted model inside the models folder (not `ggml-*.bin`: it is not a
/// speech model and `model list` keeps those apart).
pub const FILE: &str = "silero-vad-v6.2.3.bin";

const WHEEL: &str = "silero-vad==6.2.3";
const WHEEL_FILE: &str = "silero_vad-6.2.3-py3-none-any.whl";
const WHEEL_SHA256: &str = "7b7f5436cfcb02fae583a05b512ea96467fd449fe54cb49a5e4f06c51a1e43b8";
const MEMBER: &str = "silero_vad/data/silero_vad_16k.safetensors";
const MEMBER_SHA256: &str = "c59271c284ae9c8335d795d60e0bfdb71aaaceec578d9bd9ffc1b8153c319ea1";
/// sha256 of [`FILE`] as [`convert`] writes it from the pinned weights.
pub const CONVERTED_SHA256: &str =
    "ca3eb9c9a458d95dc7cf0c720f142ec52e513490b12c3f53c4a2df9c3ce13f56";

/// Samples per frame the network reads (32 ms at 16 kHz); one probability per frame.
pub const FRAME: usize = 512;

/// Each tensor: its name in the wheel, its name for whisper.cpp, the shape whisper.cpp expects
/// (outermost first) and its storage type there.
const TENSORS: [(&str, &str, &[usize], TensorType); 15] = [
    (
        "stft_conv.weight",
        "_model.stft.forward_basis_buffer",
        &[258, 1, 256],
        TensorType::F16,
    ),
    (
        "conv1.weight",
        "_model.encoder.0.reparam_conv.weight",
        &[128, 129, 3],
        TensorType::F16,
    ),
    (
        "conv1.bias",
        "_model.encoder.0.reparam_conv.bias",
        &[128],
        TensorType::F32,
    ),
    (
        "conv2.weight",
        "_model.encoder.1.reparam_conv.weight",
        &[64, 128, 3],
        TensorType::F16,
    ),
    (
        "conv2.bias",
        "_model.encoder.1.reparam_conv.bias",
        &[64],
        TensorType::F32,
    ),
    (
        "conv3.weight",
        "_model.encoder.2.reparam_conv.weight",
        &[64, 64, 3],
        TensorType::F16,
    ),
    (
        "conv3.bias",
        "_model.encoder.2.reparam_conv.bias",
        &[64],
        TensorType::F32,
    ),
    (
        "conv4.weight",
        "_model.encoder.3.reparam_conv.weight",
        &[128, 64, 3],
        TensorType::F16,
    ),
    (
        "conv4.bias",
        "_model.encoder.3.reparam_conv.bias",
        &[128],
        TensorType::F32,
    ),
    (
        "lstm_cell.weight_ih",
        "_model.decoder.rnn.weight_ih",
        &[512, 128],
        TensorType::F32,
    ),
    (
        "lstm_cell.weight_hh",
        "_model.decoder.rnn.weight_hh",
        &[512, 128],
        TensorType::F32,
    ),
    (
        "lstm_cell.bias_ih",
        "_model.decoder.rnn.bias_ih",
        &[512],
        TensorType::F32,
    ),
    (
        "lstm_cell.bias_hh",
        "_model.decoder.rnn.bias_hh",
        &[512],
        TensorType::F32,
    ),
    // [1, 128, 1] in the wheel; whisper.cpp holds it as a 128 × 1 matrix.
    (
        "final_conv.weight",
        "_model.decoder.decoder.2.weight",
        &[1, 128],
        TensorType::F16,
    ),
    (
        "final_conv.bias",
        "_model.decoder.decoder.2.bias",
        &[1],
        TensorType::F32,
    ),
];

/// Where the VAD model is looked for: `PACEBACK_VAD_MODEL`, else the models folder.
pub fn location(home: &Home) -> PathBuf {
    match std::env::var_os("PACEBACK_VAD_MODEL").filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => home.models_dir().join(FILE),
    }
}

/// Load the VAD model if it is installed. `None` when it is not (the caller says so); an error
/// when it is there but cannot be loaded.
pub fn load(home: &Home) -> anyhow::Result<Option<SileroVad>> {
    let path = location(home);
    if !path.is_file() {
        return Ok(None);
    }
    SileroVad::load(&path).map(Some)
}

/// The header whisper.cpp's VAD loader reads after the magic: model type, version, window and
/// context sizes, the four encoder convolutions (in, out, kernel), the LSTM and the final layer.
fn header() -> Vec<u8> {
    let mut h = Vec::new();
    let name = b"silero-16k";
    h.extend((name.len() as i32).to_le_bytes());
    h.extend(name);
    let version = [6, 2, 3];
    let (window, context) = (FRAME as i32, 64);
    // The four encoder convolutions: (in, out, kernel) each.
    let encoder = [[129, 128, 3], [128, 64, 3], [64, 64, 3], [64, 128, 3]];
    let (lstm_in, lstm_hidden, final_in, final_out) = (128, 128, 128, 1);
    let ints = version
        .into_iter()
        .chain([window, context, encoder.len() as i32])
        .chain(encoder.into_iter().flatten())
        .chain([lstm_in, lstm_hidden, final_in, final_out]);
    for v in ints {
        h.extend(v.to_le_bytes());
    }
    h
}

/// Convert the wheel's safetensors file into whisper.cpp's VAD format.
pub fn convert(safetensors: &[u8], out: impl Write) -> anyhow::Result<()> {
    let st = SafeTensors::deserialize(safetensors).context("not a safetensors file")?;
    let mut w = GgmlWriter::with_header(out, &header())?;
    for (from, to, dims, ty) in TENSORS {
        let t = st
            .tensor(from)
            .with_context(|| format!("the weights have no tensor {from}"))?;
        ensure!(
            t.dtype() == safetensors::Dtype::F32,
            "{from} is {:?}, expected F32",
            t.dtype()
        );
        let n: usize = t.shape().iter().product();
        ensure!(
            n == dims.iter().product::<usize>(),
            "{from} has shape {:?}, expected {dims:?}",
            t.shape()
        );
        let values: Vec<f32> = t
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        w.tensor(to, dims, &values, ty)?;
    }
    w.finish()?;
    Ok(())
}

/// How a fetch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    AlreadyInstalled(PathBuf),
    FromPypi(PathBuf),
}

/// Install the VAD model into `models_dir` from PyPI, converted and checked.
pub fn fetch(models_dir: &Path, log: &mut dyn FnMut(&str)) -> anyhow::Result<Fetched> {
    let out = models_dir.join(FILE);
    if out.is_file() {
        if std::fs::read(&out).is_ok_and(|d| sha256_hex(&d) == CONVERTED_SHA256) {
            return Ok(Fetched::AlreadyInstalled(out));
        }
        log("the installed voice-activity model does not match its checksum; fetching it again");
    }
    crate::home::ensure_private_dir(models_dir)?;
    log(&format!(
        "fetching the voice-activity model: pip download {WHEEL}"
    ));
    let wheel = pypi_wheel(WHEEL, WHEEL_FILE, WHEEL_SHA256).map_err(|e| {
        anyhow::anyhow!(
            "cannot obtain the voice-activity model from PyPI ({e:#})\n  check the network and run \
             `paceback model fetch` again; without it, pauses are found from the sound level only"
        )
    })?;
    let weights = member(wheel)?;
    install(&out, &weights)?;
    Ok(Fetched::FromPypi(out))
}

/// The 16 kHz weights inside the wheel, checked.
fn member(wheel: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    let (dir, name) = MEMBER
        .rsplit_once('/')
        .context("MEMBER names a file in a folder")?;
    let (_, data) = zip_files(wheel, &format!("{dir}/"))?
        .into_iter()
        .find(|(f, _)| f == name)
        .with_context(|| format!("the wheel has no {MEMBER}"))?;
    let digest = sha256_hex(&data);
    ensure!(
        digest == MEMBER_SHA256,
        "{MEMBER} has sha256 {digest}, expected {MEMBER_SHA256}; refusing to use it"
    );
    Ok(data)
}

/// Convert `weights`, check the result against [`CONVERTED_SHA256`] and move it into `out`.
fn install(out: &Path, weights: &[u8]) -> anyhow::Result<()> {
    let mut converted = Vec::new();
    convert(weights, &mut converted)?;
    let digest = sha256_hex(&converted);
    if digest != CONVERTED_SHA256 {
        bail!(
            "the converted model has sha256 {digest}, expected {CONVERTED_SHA256}; nothing was installed"
        );
    }
    // Written beside it and renamed into place: never half a model under its name.
    let part = out.with_extension("bin.part");
    crate::history::write_private(&part, &converted)?;
    std::fs::rename(&part, out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A safetensors file with every tensor the converter reads, each filled with `value`.
    pub(crate) fn weights(value: f32) -> Vec<u8> {
        let shapes: Vec<(&str, Vec<usize>)> = TENSORS
            .iter()
            .map(|(from, _, dims, _)| {
                let shape = match *from {
                    "final_conv.weight" => vec![1, 128, 1],
                    _ => dims.to_vec(),
                };
                (*from, shape)
            })
            .collect();
        let data: Vec<Vec<u8>> = shapes
            .iter()
            .map(|(_, s)| {
                std::iter::repeat_n(value.to_le_bytes(), s.iter().product())
                    .flatten()
                    .collect()
            })
            .collect();
        let views: Vec<(&str, safetensors::tensor::TensorView)> = shapes
            .iter()
            .zip(&data)
            .map(|((name, shape), d)| {
                let view =
                    safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), d)
                        .unwrap();
                (*name, view)
            })
            .collect();
        safetensors::serialize(views, None).unwrap()
    }

    #[test]
    fn conversion_writes_the_layout_whisper_cpp_reads() {
        let mut out = Vec::new();
        convert(&weights(0.25), &mut out).unwrap();
        // magic, then the model type's length and name
        assert_eq!(&out[0..4], &0x6767_6d6c_u32.to_le_bytes());
        assert_eq!(&out[4..8], &10_i32.to_le_bytes());
        assert_eq!(&out[8..18], b"silero-16k");
        // The first tensor: 3 dims, innermost first (256, 1, 258), f16.
        let at = 4 + header().len();
        let i32_at = |o: usize| i32::from_le_bytes(out[o..o + 4].try_into().unwrap());
        assert_eq!((i32_at(at), i32_at(at + 8)), (3, 1), "3 dims, type f16");
        assert_eq!(
            (i32_at(at + 12), i32_at(at + 16), i32_at(at + 20)),
            (256, 1, 258)
        );
        let halves =
            256 * 258 * 2 + (128 * 129 * 3 + 64 * 128 * 3 + 64 * 64 * 3 + 128 * 64 * 3 + 128) * 2;
        let floats = (128 + 64 + 64 + 128 + 512 * 128 * 2 + 512 * 2 + 1) * 4;
        let names: usize = TENSORS.iter().map(|t| t.1.len()).sum();
        let dims: usize = TENSORS.iter().map(|t| t.2.len() * 4 + 12).sum();
        assert_eq!(
            out.len(),
            4 + header().len() + names + dims + halves + floats
        );
    }

    #[test]
    fn weights_of_the_wrong_shape_are_refused() {
        let views = vec![(
            "stft_conv.weight",
            safetensors::tensor::TensorView::new(safetensors::Dtype::F32, vec![2], &[0u8; 8])
                .unwrap(),
        )];
        let bad = safetensors::serialize(views, None).unwrap();
        let err = convert(&bad, Vec::new()).unwrap_err();
        assert!(
            err.to_string().contains("expected [258, 1, 256]"),
            "{err:#}"
        );
        let err = convert(b"not safetensors", Vec::new()).unwrap_err();
        assert!(
            err.to_string().contains("not a safetensors file"),
            "{err:#}"
        );
    }

    #[test]
    fn a_conversion_that_is_not_the_pinned_one_is_never_installed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join(FILE);
        let err = install(&out, &weights(0.0)).unwrap_err();
        assert!(err.to_string().contains("nothing was installed"), "{err:#}");
        assert!(!out.exists());
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }
}
