//! The whisper.cpp ggml model file: writing one (for the importer) and reading its header (to
//! validate and list models).
//!
//! Layout (little-endian): u32 magic `ggml`, 11 × i32 hyper-parameters, the mel filterbank (i32
//! n_mel, i32 n_fft, f32 data), the vocabulary (i32 count, then u32 length + bytes per token), then
//! tensors until EOF: i32 n_dims, i32 name length, i32 type, i32 × n_dims dims (innermost first),
//! name bytes, data.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, ensure};
use half::f16;

pub const MAGIC: u32 = 0x6767_6d6c;

/// ggml's version factor for quantized files: `ftype = base + QNT_VERSION * 1000`.
const QNT_VERSION: i32 = 2;

/// ggml's Q8_0 block: 32 weights sharing one f16 scale.
pub const Q8_0_BLOCK: usize = 32;

/// How the large 2-D weight matrices are stored; everything else is fixed by whisper.cpp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightType {
    F16,
    Q8_0,
}

impl WeightType {
    /// The header's `ftype` value whisper.cpp expects for this weight type.
    pub fn ftype(self) -> i32 {
        match self {
            WeightType::F16 => 1,
            WeightType::Q8_0 => 7 + QNT_VERSION * 1000,
        }
    }

    pub fn from_ftype(ftype: i32) -> Option<Self> {
        match ftype % 1000 {
            1 => Some(WeightType::F16),
            7 => Some(WeightType::Q8_0),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            WeightType::F16 => "f16",
            WeightType::Q8_0 => "q8_0",
        }
    }
}

/// A readable name for any ftype a whisper.cpp file may carry.
pub fn ftype_name(ftype: i32) -> String {
    match ftype % 1000 {
        0 => "f32".into(),
        1 => "f16".into(),
        2 => "q4_0".into(),
        3 => "q4_1".into(),
        7 => "q8_0".into(),
        8 => "q5_0".into(),
        9 => "q5_1".into(),
        other => format!("ftype {other}"),
    }
}

/// The storage type of one tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorType {
    F32,
    F16,
    Q8_0,
}

impl TensorType {
    fn code(self) -> i32 {
        match self {
            TensorType::F32 => 0,
            TensorType::F16 => 1,
            TensorType::Q8_0 => 8,
        }
    }
}

/// whisper.cpp's hyper-parameters, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hparams {
    pub n_vocab: i32,
    pub n_audio_ctx: i32,
    pub n_audio_state: i32,
    pub n_audio_head: i32,
    pub n_audio_layer: i32,
    pub n_text_ctx: i32,
    pub n_text_state: i32,
    pub n_text_head: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
    pub ftype: i32,
}

impl Hparams {
    fn to_array(self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }

    fn from_array(a: [i32; 11]) -> Self {
        Hparams {
            n_vocab: a[0],
            n_audio_ctx: a[1],
            n_audio_state: a[2],
            n_audio_head: a[3],
            n_audio_layer: a[4],
            n_text_ctx: a[5],
            n_text_state: a[6],
            n_text_head: a[7],
            n_text_layer: a[8],
            n_mels: a[9],
            ftype: a[10],
        }
    }

    /// "tiny.en", "base", … as whisper.cpp names model sizes.
    pub fn size_name(&self) -> String {
        let size = match self.n_audio_layer {
            4 => "tiny",
            6 => "base",
            12 => "small",
            24 => "medium",
            32 => "large",
            _ => "unknown",
        };
        // whisper.cpp: a vocabulary of 51865 or more means multilingual.
        if self.n_vocab < 51_865 {
            format!("{size}.en")
        } else {
            size.to_string()
        }
    }
}

/// Streams a ggml model file; sections must be written in order: header, mel, vocab, tensors.
pub struct GgmlWriter<W: Write> {
    out: W,
}

impl<W: Write> GgmlWriter<W> {
    /// A whisper model: its hyper-parameters follow the magic.
    pub fn new(out: W, hparams: Hparams) -> anyhow::Result<Self> {
        let header: Vec<u8> = hparams
            .to_array()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        Self::with_header(out, &header)
    }

    /// Any ggml file: `header` (already encoded) follows the magic.
    pub fn with_header(mut out: W, header: &[u8]) -> anyhow::Result<Self> {
        out.write_all(&MAGIC.to_le_bytes())?;
        out.write_all(header)?;
        Ok(GgmlWriter { out })
    }

    pub fn mel(&mut self, n_mel: usize, n_fft: usize, filters: &[f32]) -> anyhow::Result<()> {
        ensure!(
            filters.len() == n_mel * n_fft,
            "mel filterbank has the wrong size"
        );
        self.out.write_all(&(n_mel as i32).to_le_bytes())?;
        self.out.write_all(&(n_fft as i32).to_le_bytes())?;
        for v in filters {
            self.out.write_all(&v.to_le_bytes())?;
        }
        Ok(())
    }

    pub fn vocab(&mut self, tokens: &[Vec<u8>]) -> anyhow::Result<()> {
        self.out.write_all(&(tokens.len() as i32).to_le_bytes())?;
        for t in tokens {
            self.out.write_all(&(t.len() as u32).to_le_bytes())?;
            self.out.write_all(t)?;
        }
        Ok(())
    }

    /// Write one tensor. `dims` are in PyTorch order (outermost first), as CTranslate2 stores
    /// them; the file wants them innermost first, so they are reversed. Data is row-major and
    /// needs no transpose.
    pub fn tensor(
        &mut self,
        name: &str,
        dims: &[usize],
        values: &[f32],
        ty: TensorType,
    ) -> anyhow::Result<()> {
        ensure!(
            values.len() == dims.iter().product::<usize>(),
            "tensor {name}: {} values do not fit dims {dims:?}",
            values.len()
        );
        self.out.write_all(&(dims.len() as i32).to_le_bytes())?;
        self.out.write_all(&(name.len() as i32).to_le_bytes())?;
        self.out.write_all(&ty.code().to_le_bytes())?;
        for d in dims.iter().rev() {
            self.out.write_all(&(*d as i32).to_le_bytes())?;
        }
        self.out.write_all(name.as_bytes())?;
        match ty {
            TensorType::F32 => {
                for v in values {
                    self.out.write_all(&v.to_le_bytes())?;
                }
            }
            TensorType::F16 => {
                for v in values {
                    self.out.write_all(&f16::from_f32(*v).to_le_bytes())?;
                }
            }
            TensorType::Q8_0 => {
                let row = *dims.last().unwrap_or(&0);
                ensure!(
                    row.is_multiple_of(Q8_0_BLOCK),
                    "tensor {name}: rows of {row} cannot be split into q8_0 blocks of {Q8_0_BLOCK}"
                );
                self.out.write_all(&quantize_q8_0(values))?;
            }
        }
        Ok(())
    }

    pub fn finish(mut self) -> anyhow::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// ggml's reference Q8_0 quantizer: per block of 32, scale `d = max|x| / 127` stored as f16, then
/// `round(x / d)` as i8.
pub fn quantize_q8_0(values: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() / Q8_0_BLOCK * (2 + Q8_0_BLOCK));
    for block in values.chunks(Q8_0_BLOCK) {
        let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
        let d = amax / 127.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
        out.extend(block.iter().map(|v| ((v * id).round() as i8) as u8));
    }
    out
}

/// The shapes whisper models come in: (state width, attention heads) and encoder depths.
const KNOWN_WIDTHS: [(i32, i32); 5] = [(384, 6), (512, 8), (768, 12), (1024, 16), (1280, 20)];
const KNOWN_LAYERS: [i32; 5] = [4, 6, 12, 24, 32];

/// Read the header of a ggml model file and check it describes a whisper model whisper.cpp can
/// build: its hyper-parameters must be one of the published shapes, so no damaged header can
/// make whisper.cpp size its buffers from nonsense.
pub fn read_header(path: &Path) -> anyhow::Result<Hparams> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    header(&mut file, path)
}

fn header(file: &mut impl Read, path: &Path) -> anyhow::Result<Hparams> {
    let mut buf = [0u8; 48];
    file.read_exact(&mut buf)
        .with_context(|| format!("{} is too short to be a model", path.display()))?;
    let magic = u32::from_le_bytes(buf[..4].try_into()?);
    ensure!(
        magic == MAGIC,
        "{} is not a whisper.cpp ggml model (bad magic)",
        path.display()
    );
    let mut a = [0i32; 11];
    for (i, v) in a.iter_mut().enumerate() {
        *v = i32::from_le_bytes(buf[4 + 4 * i..8 + 4 * i].try_into()?);
    }
    let h = Hparams::from_array(a);
    let width = (h.n_audio_state, h.n_audio_head);
    let whisper_shape = KNOWN_WIDTHS.contains(&width)
        && (h.n_text_state, h.n_text_head) == width
        && KNOWN_LAYERS.contains(&h.n_audio_layer)
        // large-v3-turbo keeps 4 of the 32 decoder layers
        && (h.n_text_layer == h.n_audio_layer || h.n_text_layer == 4)
        && h.n_audio_ctx == 1500
        && h.n_text_ctx == 448
        && (h.n_mels == 80 || h.n_mels == 128)
        && (51_864..=51_866).contains(&h.n_vocab)
        && (0..=QNT_VERSION * 1000 + 9).contains(&h.ftype)
        && matches!(h.ftype % 1000, 0..=3 | 7..=9);
    ensure!(
        whisper_shape,
        "{} has a header no whisper model has ({h:?})",
        path.display()
    );
    Ok(h)
}

/// Bytes of a tensor of `elements` values of ggml type `ty`, if whisper.cpp can load that type.
fn tensor_bytes(ty: i32, elements: u64) -> Option<u64> {
    // (block size, bytes per block) of ggml's types that whisper models use
    let (block, bytes) = match ty {
        0 => (1, 4),   // f32
        1 => (1, 2),   // f16
        2 => (32, 18), // q4_0
        3 => (32, 20), // q4_1
        6 => (32, 22), // q5_0
        7 => (32, 24), // q5_1
        8 => (32, 34), // q8_0
        _ => return None,
    };
    elements
        .is_multiple_of(block)
        .then(|| elements / block * bytes)
}

/// How many tensors whisper.cpp loads for a model of this shape: the encoder's 7 plus 15 per
/// layer, the decoder's 4 plus 24 per layer.
fn tensor_count(h: &Hparams) -> u64 {
    7 + 15 * h.n_audio_layer as u64 + 4 + 24 * h.n_text_layer as u64
}

/// Check a whole model file before whisper.cpp reads it: the header (as [`read_header`]), the
/// mel filterbank and vocabulary sizes, and every tensor's header, type and data against the
/// file's size, down to the last byte. Reads the small sections and seeks over tensor data, so
/// it costs milliseconds. A truncated, padded or scrambled file fails here with a reason instead
/// of aborting inside whisper.cpp.
pub fn verify(path: &Path) -> anyhow::Result<Hparams> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let len = file.metadata()?.len();
    verify_reader(std::io::BufReader::new(file), len, path)
}

trait SeekRead: std::io::Read + std::io::Seek {}
impl<T: std::io::Read + std::io::Seek> SeekRead for T {}

/// [`verify`] of any seekable source of `len` bytes (`path` names it in errors).
pub fn verify_reader(
    mut r: impl std::io::Read + std::io::Seek,
    len: u64,
    path: &Path,
) -> anyhow::Result<Hparams> {
    use std::io::SeekFrom;
    let h = header(&mut r, path)?;
    let name = path.display();
    let mut int = |what: &str| -> anyhow::Result<i32> {
        let mut b = [0u8; 4];
        r.read_exact(&mut b)
            .with_context(|| format!("{name} ends inside its {what} (truncated)"))?;
        Ok(i32::from_le_bytes(b))
    };
    let (n_mel, n_fft) = (int("mel filterbank")?, int("mel filterbank")?);
    ensure!(
        n_mel == h.n_mels && n_fft == 201,
        "{name} has a mel filterbank of {n_mel} x {n_fft}, not {} x 201",
        h.n_mels
    );
    fn at(r: &mut impl std::io::Seek) -> std::io::Result<u64> {
        r.stream_position()
    }
    // Move `n` bytes on, never past the end of the file.
    let skip = |r: &mut dyn SeekRead, n: u64, what: &str| -> anyhow::Result<()> {
        let to = r.stream_position()?.saturating_add(n);
        ensure!(to <= len, "{name} ends inside its {what} (truncated)");
        r.seek(SeekFrom::Start(to))?;
        Ok(())
    };
    skip(&mut r, 4 * n_mel as u64 * n_fft as u64, "mel filterbank")?;
    let mut b = [0u8; 4];
    r.read_exact(&mut b)
        .with_context(|| format!("{name} ends inside its vocabulary (truncated)"))?;
    let n_vocab = i32::from_le_bytes(b);
    ensure!(
        (0..=h.n_vocab).contains(&n_vocab),
        "{name} lists {n_vocab} tokens for a vocabulary of {}",
        h.n_vocab
    );
    for _ in 0..n_vocab {
        let mut b = [0u8; 4];
        r.read_exact(&mut b)
            .with_context(|| format!("{name} ends inside its vocabulary (truncated)"))?;
        let token = u32::from_le_bytes(b);
        ensure!(
            token <= 256,
            "{name} has a vocabulary entry of {token} bytes"
        );
        skip(&mut r, u64::from(token), "vocabulary")?;
    }
    let mut tensors = 0u64;
    while at(&mut r)? < len {
        let mut b = [0u8; 12];
        r.read_exact(&mut b)
            .with_context(|| format!("{name} ends inside a tensor header (truncated)"))?;
        let field = |i: usize| i32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap());
        let (n_dims, name_len, ty) = (field(0), field(1), field(2));
        ensure!(
            (1..=4).contains(&n_dims) && (1..=128).contains(&name_len),
            "{name}: tensor {tensors} has an impossible header ({n_dims} dims, name of {name_len} bytes)"
        );
        let mut elements = 1u64;
        for _ in 0..n_dims {
            let mut d = [0u8; 4];
            r.read_exact(&mut d)
                .with_context(|| format!("{name} ends inside a tensor header (truncated)"))?;
            let d = i32::from_le_bytes(d);
            ensure!(
                (1..=1 << 20).contains(&d),
                "{name}: tensor {tensors} has a dimension of {d}"
            );
            elements = elements.saturating_mul(d as u64);
        }
        skip(&mut r, name_len as u64, "tensor names")?;
        let bytes = tensor_bytes(ty, elements).with_context(|| {
            format!("{name}: tensor {tensors} has type {ty}, which whisper.cpp cannot load here")
        })?;
        skip(&mut r, bytes, "tensor data")?;
        tensors += 1;
    }
    let want = tensor_count(&h);
    ensure!(
        tensors == want,
        "{name} holds {tensors} tensors; a {} model has {want} (truncated or not a whisper model)",
        h.size_name()
    );
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q8_0_matches_ggml_reference() {
        let mut x: Vec<f32> = (0..32).map(|i| (i as f32 - 16.0) / 8.0).collect();
        x.extend(std::iter::repeat_n(0.0, 32));
        let q = quantize_q8_0(&x);
        assert_eq!(q.len(), 2 * 34);
        let d = f16::from_le_bytes([q[0], q[1]]).to_f32();
        assert!((d - 2.0 / 127.0).abs() < 1e-5, "scale {d}");
        assert_eq!(q[2] as i8, -127); // -2.0 / d
        assert_eq!(q[2 + 16] as i8, 0);
        assert_eq!(q[2 + 24] as i8, 64); // 1.0/d = 63.5 rounds away from zero
        // an all-zero block has scale 0 and zero quants
        assert!(q[34..].iter().all(|&b| b == 0));
    }

    #[test]
    fn dequantized_q8_0_is_close() {
        let x: Vec<f32> = (0..64)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) * 0.013)
            .collect();
        let q = quantize_q8_0(&x);
        for (b, block) in x.chunks(32).enumerate() {
            let base = b * 34;
            let d = f16::from_le_bytes([q[base], q[base + 1]]).to_f32();
            for (j, v) in block.iter().enumerate() {
                let back = (q[base + 2 + j] as i8) as f32 * d;
                assert!((back - v).abs() <= d * 0.5 + 1e-6, "{v} -> {back}");
            }
        }
    }

    #[test]
    fn header_round_trips() {
        let h = tiny();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bin");
        GgmlWriter::new(std::fs::File::create(&path).unwrap(), h)
            .unwrap()
            .finish()
            .unwrap();
        let back = read_header(&path).unwrap();
        assert_eq!(back, h);
        assert_eq!(back.size_name(), "tiny.en");
        assert_eq!(WeightType::from_ftype(back.ftype), Some(WeightType::Q8_0));
    }

    #[test]
    fn not_a_model_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bin");
        std::fs::write(&path, b"hello").unwrap();
        assert!(
            read_header(&path)
                .unwrap_err()
                .to_string()
                .contains("too short")
        );
        std::fs::write(&path, [7u8; 64]).unwrap();
        assert!(
            read_header(&path)
                .unwrap_err()
                .to_string()
                .contains("bad magic")
        );
    }

    #[test]
    fn tensor_dims_are_reversed_and_q8_rows_checked() {
        let mut w = GgmlWriter { out: Vec::new() };
        w.tensor("t", &[2, 3], &[1.0; 6], TensorType::F32).unwrap();
        let ints: Vec<i32> = w.out[..20]
            .chunks(4)
            .map(|b| i32::from_le_bytes(b.try_into().unwrap()))
            .collect();
        assert_eq!(ints, vec![2, 1, 0, 3, 2]);
        let err = w
            .tensor("q", &[2, 3], &[1.0; 6], TensorType::Q8_0)
            .unwrap_err();
        assert!(err.to_string().contains("q8_0"));
    }

    fn tiny() -> Hparams {
        Hparams {
            n_vocab: 51_864,
            n_audio_ctx: 1500,
            n_audio_state: 384,
            n_audio_head: 6,
            n_audio_layer: 4,
            n_text_ctx: 448,
            n_text_state: 384,
            n_text_head: 6,
            n_text_layer: 4,
            n_mels: 80,
            ftype: WeightType::Q8_0.ftype(),
        }
    }

    /// A structurally complete tiny model: every section, the right number of (small) tensors.
    fn fake_model() -> Vec<u8> {
        let mut w = GgmlWriter::new(Vec::new(), tiny()).unwrap();
        w.mel(80, 201, &vec![0.0; 80 * 201]).unwrap();
        w.vocab(&[b"a".to_vec(), b"hello".to_vec()]).unwrap();
        for i in 0..tensor_count(&tiny()) {
            w.tensor(&format!("t{i}"), &[2, 32], &[0.5; 64], TensorType::Q8_0)
                .unwrap();
        }
        w.finish().unwrap()
    }

    fn verify_bytes(bytes: &[u8]) -> anyhow::Result<Hparams> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bin");
        std::fs::write(&path, bytes).unwrap();
        verify(&path)
    }

    #[test]
    fn a_complete_model_verifies() {
        assert_eq!(verify_bytes(&fake_model()).unwrap(), tiny());
    }

    #[test]
    fn a_model_cut_anywhere_fails_verification() {
        let model = fake_model();
        for cut in [48, 60, 1_000, 64_321, model.len() / 2, model.len() - 1] {
            let err = verify_bytes(&model[..cut]).unwrap_err().to_string();
            assert!(
                err.contains("truncated") || err.contains("tensors"),
                "cut at {cut}: {err}"
            );
        }
    }

    #[test]
    fn trailing_bytes_and_scrambled_tensor_headers_fail_verification() {
        let mut padded = fake_model();
        padded.extend_from_slice(&[0xff; 7]);
        assert!(verify_bytes(&padded).is_err());
        let mut scrambled = fake_model();
        let first_tensor = 48 + 8 + 4 * 80 * 201 + 4 + (4 + 1) + (4 + 5);
        scrambled[first_tensor + 8..first_tensor + 12].copy_from_slice(&99i32.to_le_bytes());
        let err = verify_bytes(&scrambled).unwrap_err().to_string();
        assert!(err.contains("type 99"), "{err}");
    }

    #[test]
    fn headers_no_whisper_model_has_are_refused() {
        let shapes: [fn(&mut Hparams); 6] = [
            |h| h.n_audio_state = 385,
            |h| h.n_audio_layer = 5,
            |h| h.n_mels = 1 << 30,
            |h| h.n_vocab = 7,
            |h| h.n_text_ctx = 1 << 20,
            |h| h.ftype = 5,
        ];
        for change in shapes {
            let mut h = tiny();
            change(&mut h);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("m.bin");
            GgmlWriter::new(std::fs::File::create(&path).unwrap(), h)
                .unwrap()
                .finish()
                .unwrap();
            let err = read_header(&path).unwrap_err().to_string();
            assert!(err.contains("no whisper model has"), "{h:?}: {err}");
        }
    }
}
