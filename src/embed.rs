//! Sentence embeddings: what a sentence means, as a 384-number vector, so that paraphrases of
//! the same move in an answer ("the biggest risk is…", "where this could fall apart is…") land
//! close together whatever words they use.
//!
//! The model is all-MiniLM-L6-v2 (sentence-transformers; 6-layer BERT, mean pooling, L2
//! normalized), run on the CPU in pure Rust with candle; `tokenizers` reads its WordPiece
//! vocabulary. `paceback model fetch` installs it (see [`crate::model::sentence`]). Embeddings are
//! cached by sentence text, so the live panel, which re-reads the answer every time new words
//! arrive, only ever embeds each sentence once.

use std::collections::HashMap;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, anyhow};
use candle_core::{DType, Device, Tensor};
use candle_nn::{LayerNorm, Module, VarBuilder};
use candle_transformers::models::bert::{BertEncoder, Config};

/// Length of an embedding.
pub const DIM: usize = 384;

/// Sentences longer than this many tokens are cut (the model was trained on at most 256; a
/// spoken run-on sentence says what it is about long before that).
const MAX_TOKENS: usize = 128;

/// Sentences embedded in one forward pass (sorted by length so little padding is computed).
const BATCH: usize = 8;

/// Anything that turns sentences into unit-length vectors: the real model, or a fake in tests.
pub trait Embedder: Send + Sync {
    /// One vector of [`DIM`] numbers per sentence, each of length 1.
    fn embed(&self, sentences: &[&str]) -> anyhow::Result<Vec<Arc<[f32]>>>;
}

/// all-MiniLM-L6-v2 on the CPU.
///
/// The encoder layers are read into memory (42 MB); the word-embedding table (47 MB, one row per
/// vocabulary entry) stays in the memory-mapped file and only the rows of the words actually
/// spoken are touched.
pub struct SentenceModel {
    encoder: BertEncoder,
    /// Position embeddings plus the (single) token type embedding, one row per position.
    positions: Tensor,
    norm: LayerNorm,
    words: WordTable,
    tokenizer: tokenizers::Tokenizer,
    cache: Mutex<HashMap<String, Arc<[f32]>>>,
}

/// The word-embedding rows, read from the mapped safetensors file.
struct WordTable {
    map: memmap2::Mmap,
    /// Byte offset of row 0.
    start: usize,
    rows: usize,
}

impl WordTable {
    fn row(&self, id: u32) -> anyhow::Result<&[u8]> {
        let id = id as usize;
        anyhow::ensure!(id < self.rows, "token id {id} outside the vocabulary");
        let at = self.start + id * DIM * 4;
        Ok(&self.map[at..at + DIM * 4])
    }
}

/// A tensor's entry in a safetensors header.
#[derive(serde::Deserialize)]
struct Entry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [usize; 2],
}

const WORD_TABLE: &str = "embeddings.word_embeddings.weight";

impl SentenceModel {
    /// Load `model.safetensors` and `tokenizer.json` from `dir`.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let device = Device::Cpu;
        let config: Config = serde_json::from_str(crate::model::sentence::CONFIG)
            .context("built-in BERT configuration")?;
        let path = dir.join("model.safetensors");
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        // SAFETY: the file is only read; paceback installs it and never rewrites it in place.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .with_context(|| format!("cannot map {}", path.display()))?;
        anyhow::ensure!(map.len() >= 8, "{} is truncated", path.display());
        let header_len = u64::from_le_bytes(map[..8].try_into().expect("8 bytes")) as usize;
        let data = 8usize
            .checked_add(header_len)
            .filter(|&d| d <= map.len())
            .with_context(|| format!("{} has a damaged header", path.display()))?;
        let header: HashMap<String, serde_json::Value> = serde_json::from_slice(&map[8..data])
            .with_context(|| format!("{} has a damaged header", path.display()))?;
        let mut tensors = HashMap::new();
        let mut words = None;
        for (name, value) in header {
            if name == "__metadata__"
                || name.ends_with("position_ids")
                || name.starts_with("pooler")
            {
                continue;
            }
            let e: Entry = serde_json::from_value(value)
                .with_context(|| format!("{} has a damaged entry for {name}", path.display()))?;
            anyhow::ensure!(e.dtype == "F32", "{name} is {}, expected F32", e.dtype);
            let [a, b] = e.data_offsets;
            anyhow::ensure!(
                a <= b && data + b <= map.len() && b - a == e.shape.iter().product::<usize>() * 4,
                "{} is truncated or damaged at {name}",
                path.display()
            );
            if name == WORD_TABLE {
                anyhow::ensure!(e.shape.get(1) == Some(&DIM), "{name} has the wrong width");
                words = Some((data + a, e.shape[0]));
                continue;
            }
            // Read, not through the map: mapped pages would stay resident beside the copy.
            let mut bytes = vec![0u8; b - a];
            file.read_exact_at(&mut bytes, (data + a) as u64)?;
            let values: Vec<f32> = bytes
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
                .collect();
            tensors.insert(name, Tensor::from_vec(values, e.shape, &device)?);
        }
        let (start, rows) =
            words.with_context(|| format!("{} has no {WORD_TABLE}", path.display()))?;
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &device);
        let encoder = BertEncoder::load(vb.pp("encoder"), &config)
            .context("the weights do not fit all-MiniLM-L6-v2")?;
        let norm =
            candle_nn::layer_norm(DIM, config.layer_norm_eps, vb.pp("embeddings.LayerNorm"))?;
        let positions = vb
            .get(
                (config.max_position_embeddings, DIM),
                "embeddings.position_embeddings.weight",
            )?
            .broadcast_add(
                &vb.get((2, DIM), "embeddings.token_type_embeddings.weight")?
                    .get(0)?,
            )?;
        let mut tokenizer = tokenizers::Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| anyhow!("cannot read {}: {e}", dir.join("tokenizer.json").display()))?;
        // The shipped tokenizer pads every sentence to 128 tokens; padding is done per batch here.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| anyhow!("{e}"))?;
        Ok(SentenceModel {
            encoder,
            positions,
            norm,
            words: WordTable { map, start, rows },
            tokenizer,
            cache: Mutex::new(HashMap::new()),
        })
    }

    fn forward(&self, sentences: &[&str]) -> anyhow::Result<Vec<Arc<[f32]>>> {
        let encodings = self
            .tokenizer
            .encode_batch(sentences.to_vec(), true)
            .map_err(|e| anyhow!("tokenizer: {e}"))?;
        let len = encodings
            .iter()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(0);
        let n = encodings.len();
        let mut rows = vec![0f32; n * len * DIM];
        let mut mask = vec![0f32; n * len];
        for (b, e) in encodings.iter().enumerate() {
            for (t, &id) in e.get_ids().iter().enumerate() {
                let out = &mut rows[(b * len + t) * DIM..][..DIM];
                for (v, c) in out.iter_mut().zip(self.words.row(id)?.chunks_exact(4)) {
                    *v = f32::from_le_bytes(c.try_into().expect("4 bytes"));
                }
                mask[b * len + t] = 1.0;
            }
        }
        let device = Device::Cpu;
        let hidden = Tensor::from_vec(rows, (n, len, DIM), &device)?
            .broadcast_add(&self.positions.narrow(0, 0, len)?)?;
        let hidden = self.norm.forward(&hidden)?;
        let mask = Tensor::from_vec(mask, (n, len), &device)?;
        // 0 where a token is real, a very large negative number on padding (as BERT does).
        let extended = ((mask.ones_like()? - &mask)? * f64::from(f32::MIN))?
            .unsqueeze(1)?
            .unsqueeze(1)?;
        let hidden = self.encoder.forward(&hidden, &extended)?;
        // Mean over the real tokens, then unit length (the sentence-transformers pipeline).
        let m = mask.unsqueeze(2)?;
        let mean = hidden
            .broadcast_mul(&m)?
            .sum(1)?
            .broadcast_div(&m.sum(1)?)?;
        let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
        let unit = mean.broadcast_div(&norm)?;
        Ok(unit.to_vec2::<f32>()?.into_iter().map(Arc::from).collect())
    }
}

impl Embedder for SentenceModel {
    fn embed(&self, sentences: &[&str]) -> anyhow::Result<Vec<Arc<[f32]>>> {
        let mut todo: Vec<&str> = {
            let cache = self.cache.lock().expect("embedding cache");
            sentences
                .iter()
                .copied()
                .filter(|s| !cache.contains_key(*s))
                .collect()
        };
        todo.sort_by_key(|s| s.len());
        todo.dedup();
        for batch in todo.chunks(BATCH) {
            let vectors = self.forward(batch)?;
            let mut cache = self.cache.lock().expect("embedding cache");
            for (s, v) in batch.iter().zip(vectors) {
                cache.insert(s.to_string(), v);
            }
        }
        let cache = self.cache.lock().expect("embedding cache");
        Ok(sentences.iter().map(|s| cache[*s].clone()).collect())
    }
}

/// Cosine similarity of two unit vectors.
pub fn similarity(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
