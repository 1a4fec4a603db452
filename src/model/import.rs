//! Import a CTranslate2 Whisper model directory (`model.bin` + `vocabulary.txt|json`) into a
//! whisper.cpp ggml file.
//!
//! The mapping, verified against whisper.cpp 1.8.3's loader: no transposes (both store rows
//! outermost); fused q/k/v and cross-attention k/v matrices are split by rows; key biases are
//! dropped (whisper has none, and a key bias cannot change attention: it adds the same amount to
//! every score of a query); 1-D tensors, conv biases and positional embeddings are f32; conv
//! weights f16; the big matrices f16 or q8_0.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};

use super::ct2::{Ct2Model, Variable};
use super::ggml::{GgmlWriter, Hparams, TensorType, WeightType};
use super::mel;

/// A CTranslate2 Whisper model read from its directory, ready to convert.
pub struct Ct2Whisper {
    model: Ct2Model,
    vocab: Vec<Vec<u8>>,
}

impl Ct2Whisper {
    /// Read `model.bin` and the vocabulary from `dir`.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let bin = dir.join("model.bin");
        let bytes =
            std::fs::read(&bin).with_context(|| format!("cannot read {}", bin.display()))?;
        let model = Ct2Model::parse(&bytes)
            .with_context(|| format!("{} is not a CTranslate2 model", bin.display()))?;
        ensure!(
            model.spec == "WhisperSpec",
            "{} holds a `{}`, not a Whisper model",
            bin.display(),
            model.spec
        );
        let vocab = read_vocabulary(dir)?;
        Ok(Ct2Whisper { model, vocab })
    }

    /// The header the converted model will have.
    pub fn hparams(&self, wtype: WeightType) -> anyhow::Result<Hparams> {
        hparams(&self.model, wtype)
    }

    /// Convert and write the ggml model to `out` atomically (a temporary file renamed into
    /// place), creating its folder. Returns the header written.
    pub fn write(&self, out: &Path, wtype: WeightType) -> anyhow::Result<Hparams> {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let tmp = temp_path(out);
        let result = (|| {
            let file = crate::home::replace_private(&tmp)?;
            let hparams = write_ggml(
                &self.model,
                &self.vocab,
                wtype,
                std::io::BufWriter::new(file),
            )?;
            std::fs::rename(&tmp, out)
                .with_context(|| format!("cannot move the model into {}", out.display()))?;
            Ok(hparams)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

/// Read `dir` and write the converted model to `out`.
pub fn import_ct2(dir: &Path, out: &Path, wtype: WeightType) -> anyhow::Result<Hparams> {
    Ct2Whisper::load(dir)?.write(out, wtype)
}

fn temp_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    out.with_file_name(name)
}

/// The text tokens of the vocabulary as raw bytes, in id order, up to the first special token.
/// whisper.cpp adds the special and timestamp tokens itself.
fn read_vocabulary(dir: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let txt = dir.join("vocabulary.txt");
    let json = dir.join("vocabulary.json");
    let tokens: Vec<String> = if txt.exists() {
        std::fs::read_to_string(&txt)
            .with_context(|| format!("cannot read {}", txt.display()))?
            .lines()
            .map(str::to_owned)
            .collect()
    } else if json.exists() {
        let text = std::fs::read_to_string(&json)
            .with_context(|| format!("cannot read {}", json.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not a JSON list of tokens", json.display()))?
    } else {
        bail!("{} has no vocabulary.txt or vocabulary.json", dir.display());
    };
    let decoder = byte_decoder();
    tokens
        .iter()
        .take_while(|t| !t.starts_with("<|"))
        .map(|t| {
            t.chars()
                .map(|c| {
                    decoder(c).with_context(|| format!("token {t:?} is not in GPT-2 byte form"))
                })
                .collect()
        })
        .collect()
}

/// GPT-2's reversible byte-to-unicode map, inverted: printable bytes stand for themselves, the
/// other 68 bytes were shifted to U+0100.. in order.
fn byte_decoder() -> impl Fn(char) -> Option<u8> {
    let printable = |b: u8| matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
    let mut table = std::collections::HashMap::with_capacity(256);
    let mut shifted = 0u32;
    for b in 0..=255u8 {
        let c = if printable(b) {
            char::from(b)
        } else {
            shifted += 1;
            char::from_u32(255 + shifted).expect("valid char")
        };
        table.insert(c, b);
    }
    move |c| table.get(&c).copied()
}

/// Number of `layer_N` blocks under `prefix`.
fn count_layers(model: &Ct2Model, prefix: &str) -> usize {
    (0..)
        .take_while(|l| {
            model
                .variables
                .contains_key(&format!("{prefix}/layer_{l}/ffn/linear_0/weight"))
        })
        .count()
}

/// Rows `[from, to)` of a row-major matrix (or vector).
fn rows(values: &[f32], dims: &[usize], from: usize, to: usize) -> (Vec<usize>, Vec<f32>) {
    let width: usize = dims[1..].iter().product();
    let mut out_dims = dims.to_vec();
    out_dims[0] = to - from;
    (out_dims, values[from * width..to * width].to_vec())
}

struct Converter<'m, W: std::io::Write> {
    model: &'m Ct2Model,
    out: GgmlWriter<W>,
    wtype: TensorType,
}

impl<W: std::io::Write> Converter<'_, W> {
    fn var(&self, name: &str) -> anyhow::Result<(&Variable, Vec<f32>)> {
        let v = self.model.get(name)?;
        Ok((v, v.to_f32().with_context(|| format!("variable `{name}`"))?))
    }

    /// A tensor copied whole, f32 when 1-D, else the weight type.
    fn copy(&mut self, from: &str, to: &str) -> anyhow::Result<()> {
        let (v, data) = self.var(from)?;
        let ty = if v.dims.len() == 1 {
            TensorType::F32
        } else {
            self.wtype
        };
        let dims = v.dims.clone();
        self.out.tensor(to, &dims, &data, ty)
    }

    fn copy_as(
        &mut self,
        from: &str,
        to: &str,
        ty: TensorType,
        dims: Option<&[usize]>,
    ) -> anyhow::Result<()> {
        let (v, data) = self.var(from)?;
        let dims = dims
            .map(<[usize]>::to_vec)
            .unwrap_or_else(|| v.dims.clone());
        self.out.tensor(to, &dims, &data, ty)
    }

    fn layer_norm(&mut self, from: &str, to: &str) -> anyhow::Result<()> {
        self.copy(&format!("{from}/gamma"), &format!("{to}.weight"))?;
        self.copy(&format!("{from}/beta"), &format!("{to}.bias"))
    }

    fn linear(&mut self, from: &str, to: &str) -> anyhow::Result<()> {
        self.copy(&format!("{from}/weight"), &format!("{to}.weight"))?;
        self.copy(&format!("{from}/bias"), &format!("{to}.bias"))
    }

    /// A fused linear layer split by rows into `parts` (names, or `None` to drop a part's bias).
    fn split(&mut self, from: &str, parts: &[(&str, bool)]) -> anyhow::Result<()> {
        let (w, wdata) = self.var(&format!("{from}/weight"))?;
        let wdims = w.dims.clone();
        let (_, bdata) = self.var(&format!("{from}/bias"))?;
        let n = parts.len();
        ensure!(wdims[0] % n == 0, "`{from}` cannot be split into {n} parts");
        let d = wdims[0] / n;
        for (i, (to, keep_bias)) in parts.iter().enumerate() {
            let (dims, data) = rows(&wdata, &wdims, i * d, (i + 1) * d);
            self.out
                .tensor(&format!("{to}.weight"), &dims, &data, self.wtype)?;
            if *keep_bias {
                let (bdims, bias) = rows(&bdata, &[wdims[0]], i * d, (i + 1) * d);
                self.out
                    .tensor(&format!("{to}.bias"), &bdims, &bias, TensorType::F32)?;
            }
        }
        Ok(())
    }

    fn attention_block(&mut self, from: &str, to: &str) -> anyhow::Result<()> {
        self.layer_norm(
            &format!("{from}/self_attention/layer_norm"),
            &format!("{to}.attn_ln"),
        )?;
        self.split(
            &format!("{from}/self_attention/linear_0"),
            &[
                (&format!("{to}.attn.query"), true),
                (&format!("{to}.attn.key"), false),
                (&format!("{to}.attn.value"), true),
            ],
        )?;
        self.linear(
            &format!("{from}/self_attention/linear_1"),
            &format!("{to}.attn.out"),
        )?;
        self.layer_norm(&format!("{from}/ffn/layer_norm"), &format!("{to}.mlp_ln"))?;
        self.linear(&format!("{from}/ffn/linear_0"), &format!("{to}.mlp.0"))?;
        self.linear(&format!("{from}/ffn/linear_1"), &format!("{to}.mlp.2"))
    }

    fn cross_attention(&mut self, from: &str, to: &str) -> anyhow::Result<()> {
        self.layer_norm(
            &format!("{from}/attention/layer_norm"),
            &format!("{to}.cross_attn_ln"),
        )?;
        self.linear(
            &format!("{from}/attention/linear_0"),
            &format!("{to}.cross_attn.query"),
        )?;
        self.split(
            &format!("{from}/attention/linear_1"),
            &[
                (&format!("{to}.cross_attn.key"), false),
                (&format!("{to}.cross_attn.value"), true),
            ],
        )?;
        self.linear(
            &format!("{from}/attention/linear_2"),
            &format!("{to}.cross_attn.out"),
        )
    }
}

fn dim(model: &Ct2Model, name: &str, axis: usize) -> anyhow::Result<i32> {
    let v = model.get(name)?;
    let d = *v
        .dims
        .get(axis)
        .with_context(|| format!("`{name}` has no axis {axis}"))?;
    Ok(i32::try_from(d)?)
}

/// The whisper.cpp header of a CTranslate2 Whisper model, from its tensor shapes.
fn hparams(model: &Ct2Model, wtype: WeightType) -> anyhow::Result<Hparams> {
    let n_audio_layer = count_layers(model, "encoder");
    let n_text_layer = count_layers(model, "decoder");
    ensure!(
        n_audio_layer > 0 && n_text_layer > 0,
        "the model has no encoder or decoder layers"
    );
    Ok(Hparams {
        n_vocab: dim(model, "decoder/embeddings/weight", 0)?,
        n_audio_ctx: dim(model, "encoder/position_encodings/encodings", 0)?,
        n_audio_state: dim(model, "encoder/position_encodings/encodings", 1)?,
        n_audio_head: i32::try_from(model.get("encoder/num_heads")?.scalar_int()?)?,
        n_audio_layer: i32::try_from(n_audio_layer)?,
        n_text_ctx: dim(model, "decoder/position_encodings/encodings", 0)?,
        n_text_state: dim(model, "decoder/embeddings/weight", 1)?,
        n_text_head: i32::try_from(model.get("decoder/num_heads")?.scalar_int()?)?,
        n_text_layer: i32::try_from(n_text_layer)?,
        n_mels: dim(model, "encoder/conv1/weight", 1)?,
        ftype: wtype.ftype(),
    })
}

/// Write the whole ggml file for `model`.
pub fn write_ggml<W: std::io::Write>(
    model: &Ct2Model,
    vocab: &[Vec<u8>],
    wtype: WeightType,
    out: W,
) -> anyhow::Result<Hparams> {
    let hparams = hparams(model, wtype)?;
    let n_audio_layer = hparams.n_audio_layer as usize;
    let n_text_layer = hparams.n_text_layer as usize;
    ensure!(
        vocab.len() < hparams.n_vocab as usize,
        "the vocabulary has {} text tokens but the model only {} embeddings",
        vocab.len(),
        hparams.n_vocab
    );

    let mut out = GgmlWriter::new(out, hparams)?;
    out.mel(
        hparams.n_mels as usize,
        201,
        &mel::filterbank(16_000, 400, hparams.n_mels as usize),
    )?;
    out.vocab(vocab)?;

    let wtensor = match wtype {
        WeightType::F16 => TensorType::F16,
        WeightType::Q8_0 => TensorType::Q8_0,
    };
    let mut c = Converter {
        model,
        out,
        wtype: wtensor,
    };
    let state = hparams.n_audio_state as usize;
    for conv in ["conv1", "conv2"] {
        c.copy_as(
            &format!("encoder/{conv}/weight"),
            &format!("encoder.{conv}.weight"),
            TensorType::F16,
            None,
        )?;
        c.copy_as(
            &format!("encoder/{conv}/bias"),
            &format!("encoder.{conv}.bias"),
            TensorType::F32,
            Some(&[state, 1]),
        )?;
    }
    c.copy_as(
        "encoder/position_encodings/encodings",
        "encoder.positional_embedding",
        TensorType::F32,
        None,
    )?;
    for l in 0..n_audio_layer {
        c.attention_block(
            &format!("encoder/layer_{l}"),
            &format!("encoder.blocks.{l}"),
        )?;
    }
    c.layer_norm("encoder/layer_norm", "encoder.ln_post")?;

    c.copy_as(
        "decoder/position_encodings/encodings",
        "decoder.positional_embedding",
        TensorType::F32,
        None,
    )?;
    c.copy(
        "decoder/embeddings/weight",
        "decoder.token_embedding.weight",
    )?;
    for l in 0..n_text_layer {
        let (from, to) = (format!("decoder/layer_{l}"), format!("decoder.blocks.{l}"));
        c.attention_block(&from, &to)?;
        c.cross_attention(&from, &to)?;
    }
    c.layer_norm("decoder/layer_norm", "decoder.ln")?;
    c.out.finish()?;
    Ok(hparams)
}

#[cfg(test)]
mod tests {
    use super::super::ct2::writer::Ct2Writer;
    use super::super::ggml::MAGIC;
    use super::*;
    use std::collections::BTreeMap;

    const D: usize = 32;
    const VOCAB: usize = 8;

    /// A one-layer Whisper in CTranslate2 form whose every value encodes its position.
    fn tiny_model() -> Vec<u8> {
        let mut w = Ct2Writer::new();
        let v = |seed: f32| move |i: usize| seed + i as f32 * 0.001;
        w.f16("encoder/conv1/weight", &[D, 4, 3], v(0.1))
            .f16("encoder/conv1/bias", &[D], v(0.2))
            .f16("encoder/conv2/weight", &[D, D, 3], v(0.3))
            .f16("encoder/conv2/bias", &[D], v(0.4))
            .f16("encoder/position_encodings/encodings", &[10, D], v(0.5))
            .f16("encoder/layer_norm/gamma", &[D], v(0.6))
            .f16("encoder/layer_norm/beta", &[D], v(0.7))
            .i16_scalar("encoder/num_heads", 2)
            .f16("decoder/embeddings/weight", &[VOCAB, D], v(0.8))
            .f16("decoder/position_encodings/encodings", &[6, D], v(0.9))
            .f16("decoder/layer_norm/gamma", &[D], v(1.0))
            .f16("decoder/layer_norm/beta", &[D], v(1.1))
            .i16_scalar("decoder/num_heads", 2)
            .alias("decoder/projection/weight", "decoder/embeddings/weight");
        for side in ["encoder", "decoder"] {
            let p = format!("{side}/layer_0");
            for ln in ["self_attention/layer_norm", "ffn/layer_norm"] {
                w.f16(&format!("{p}/{ln}/gamma"), &[D], v(1.2)).f16(
                    &format!("{p}/{ln}/beta"),
                    &[D],
                    v(1.3),
                );
            }
            w.f16(
                &format!("{p}/self_attention/linear_0/weight"),
                &[3 * D, D],
                |i| i as f32,
            )
            .f16(
                &format!("{p}/self_attention/linear_0/bias"),
                &[3 * D],
                |i| i as f32,
            )
            .f16(
                &format!("{p}/self_attention/linear_1/weight"),
                &[D, D],
                v(1.4),
            )
            .f16(&format!("{p}/self_attention/linear_1/bias"), &[D], v(1.5))
            .f16(&format!("{p}/ffn/linear_0/weight"), &[4 * D, D], v(1.6))
            .f16(&format!("{p}/ffn/linear_0/bias"), &[4 * D], v(1.7))
            .f16(&format!("{p}/ffn/linear_1/weight"), &[D, 4 * D], v(1.8))
            .f16(&format!("{p}/ffn/linear_1/bias"), &[D], v(1.9));
        }
        let p = "decoder/layer_0/attention";
        w.f16(&format!("{p}/layer_norm/gamma"), &[D], v(2.0))
            .f16(&format!("{p}/layer_norm/beta"), &[D], v(2.1))
            .f16(&format!("{p}/linear_0/weight"), &[D, D], v(2.2))
            .f16(&format!("{p}/linear_0/bias"), &[D], v(2.3))
            .f16(&format!("{p}/linear_1/weight"), &[2 * D, D], |i| i as f32)
            .f16(&format!("{p}/linear_1/bias"), &[2 * D], |i| i as f32)
            .f16(&format!("{p}/linear_2/weight"), &[D, D], v(2.4))
            .f16(&format!("{p}/linear_2/bias"), &[D], v(2.5));
        w.bytes()
    }

    struct Tensor {
        ne: Vec<i32>,
        ty: i32,
        data: Vec<u8>,
    }

    /// Parse a ggml file: header, skip mel and vocab (returned), then every tensor.
    fn parse_ggml(b: &[u8]) -> (Vec<i32>, Vec<Vec<u8>>, BTreeMap<String, Tensor>) {
        let i32_at = |o: usize| i32::from_le_bytes(b[o..o + 4].try_into().unwrap());
        assert_eq!(u32::from_le_bytes(b[..4].try_into().unwrap()), MAGIC);
        let hp: Vec<i32> = (0..11).map(|i| i32_at(4 + 4 * i)).collect();
        let mut o = 48;
        let (n_mel, n_fft) = (i32_at(o) as usize, i32_at(o + 4) as usize);
        o += 8 + 4 * n_mel * n_fft;
        let n_vocab = i32_at(o) as usize;
        o += 4;
        let mut vocab = Vec::new();
        for _ in 0..n_vocab {
            let len = i32_at(o) as usize;
            vocab.push(b[o + 4..o + 4 + len].to_vec());
            o += 4 + len;
        }
        let mut tensors = BTreeMap::new();
        while o < b.len() {
            let (n_dims, name_len, ty) =
                (i32_at(o) as usize, i32_at(o + 4) as usize, i32_at(o + 8));
            o += 12;
            let ne: Vec<i32> = (0..n_dims).map(|i| i32_at(o + 4 * i)).collect();
            o += 4 * n_dims;
            let name = String::from_utf8(b[o..o + name_len].to_vec()).unwrap();
            o += name_len;
            let n: usize = ne.iter().map(|&d| d as usize).product();
            let size = match ty {
                0 => 4 * n,
                1 => 2 * n,
                8 => n / 32 * 34,
                _ => panic!("type {ty}"),
            };
            tensors.insert(
                name,
                Tensor {
                    ne,
                    ty,
                    data: b[o..o + size].to_vec(),
                },
            );
            o += size;
        }
        (hp, vocab, tensors)
    }

    fn f16s(t: &Tensor) -> Vec<f32> {
        t.data
            .chunks(2)
            .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect()
    }

    fn f32s(t: &Tensor) -> Vec<f32> {
        t.data
            .chunks(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    fn import(wtype: WeightType) -> (Vec<i32>, Vec<Vec<u8>>, BTreeMap<String, Tensor>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("model.bin"), tiny_model()).unwrap();
        std::fs::write(
            dir.path().join("vocabulary.txt"),
            "a\nĠb\nĊ\n<|endoftext|>\n<|startoftranscript|>\n",
        )
        .unwrap();
        let out = dir.path().join("ggml.bin");
        import_ct2(dir.path(), &out, wtype).unwrap();
        assert!(!dir.path().join("ggml.bin.part").exists());
        parse_ggml(&std::fs::read(&out).unwrap())
    }

    #[test]
    fn header_is_derived_from_shapes() {
        let (hp, _, _) = import(WeightType::F16);
        assert_eq!(
            hp,
            vec![VOCAB as i32, 10, D as i32, 2, 1, 6, D as i32, 2, 1, 4, 1]
        );
    }

    #[test]
    fn vocabulary_is_decoded_from_gpt2_byte_form_and_stops_at_specials() {
        let (_, vocab, _) = import(WeightType::F16);
        assert_eq!(vocab, vec![b"a".to_vec(), b" b".to_vec(), b"\n".to_vec()]);
    }

    #[test]
    fn every_tensor_whisper_cpp_loads_is_written_with_its_type() {
        let (_, _, t) = import(WeightType::F16);
        // 5 conv/pos + 2 ln_post + 15 per encoder layer; 4 + 15 + 9 cross per decoder layer.
        assert_eq!(
            t.len(),
            7 + 15 + 4 + 15 + 9,
            "{:?}",
            t.keys().collect::<Vec<_>>()
        );
        assert_eq!(
            (t["encoder.conv1.weight"].ty, &t["encoder.conv1.weight"].ne),
            (1, &vec![3, 4, D as i32])
        );
        assert_eq!(
            (t["encoder.conv1.bias"].ty, &t["encoder.conv1.bias"].ne),
            (0, &vec![1, D as i32])
        );
        assert_eq!(t["encoder.positional_embedding"].ty, 0);
        assert_eq!(
            t["decoder.token_embedding.weight"].ne,
            vec![D as i32, VOCAB as i32]
        );
        assert_eq!(
            t["encoder.blocks.0.mlp.0.weight"].ne,
            vec![D as i32, 4 * D as i32]
        );
        assert_eq!(t["decoder.blocks.0.mlp_ln.bias"].ty, 0);
        assert!(!t.contains_key("encoder.blocks.0.attn.key.bias"));
        assert!(!t.contains_key("decoder.blocks.0.cross_attn.key.bias"));
    }

    #[test]
    fn fused_matrices_are_split_by_rows() {
        let (_, _, t) = import(WeightType::F16);
        let first = |name: &str| f16s(&t[name])[0];
        // linear_0 of self-attention holds values 0..3·D·D row-major: q, k, v blocks of D rows.
        assert_eq!(first("encoder.blocks.0.attn.query.weight"), 0.0);
        assert_eq!(first("encoder.blocks.0.attn.key.weight"), (D * D) as f32);
        assert_eq!(
            first("decoder.blocks.0.attn.value.weight"),
            (2 * D * D) as f32
        );
        assert_eq!(
            f32s(&t["encoder.blocks.0.attn.value.bias"])[0],
            (2 * D) as f32
        );
        assert_eq!(
            first("decoder.blocks.0.cross_attn.value.weight"),
            (D * D) as f32
        );
        assert_eq!(
            f32s(&t["decoder.blocks.0.cross_attn.value.bias"])[0],
            D as f32
        );
    }

    #[test]
    fn q8_0_quantizes_only_the_big_matrices() {
        let (hp, _, t) = import(WeightType::Q8_0);
        assert_eq!(hp[10], 2007);
        assert_eq!(t["encoder.blocks.0.mlp.0.weight"].ty, 8);
        assert_eq!(t["decoder.token_embedding.weight"].ty, 8);
        assert_eq!(t["encoder.conv2.weight"].ty, 1);
        assert_eq!(t["decoder.blocks.0.attn_ln.weight"].ty, 0);
    }

    #[test]
    fn a_directory_without_a_model_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = import_ct2(dir.path(), &dir.path().join("o.bin"), WeightType::F16).unwrap_err();
        assert!(err.to_string().contains("model.bin"), "{err}");
    }
}
