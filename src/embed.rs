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
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, anyhow};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};

/// Length of an embedding.
pub const DIM: usize = 384;

/// Sentences longer than this many tokens are cut (the model was trained on at most 256; a
/// spoken run-on sentence says what it is about long before that).
const MAX_TOKENS: usize = 128;

/// Sentences embedded in one forward pass (sorted by length so little padding is computed).
const BATCH: usize = 16;

/// Anything that turns sentences into unit-length vectors: the real model, or a fake in tests.
pub trait Embedder: Send + Sync {
    /// One vector of [`DIM`] numbers per sentence, each of length 1.
    fn embed(&self, sentences: &[&str]) -> anyhow::Result<Vec<Arc<[f32]>>>;
}

/// all-MiniLM-L6-v2 on the CPU.
pub struct SentenceModel {
    bert: BertModel,
    tokenizer: tokenizers::Tokenizer,
    cache: Mutex<HashMap<String, Arc<[f32]>>>,
}

impl SentenceModel {
    /// Load `model.safetensors` and `tokenizer.json` from `dir`.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let device = Device::Cpu;
        let config: Config = serde_json::from_str(crate::model::sentence::CONFIG)
            .context("built-in BERT configuration")?;
        // Load into owned tensors (the file's mapping is released afterwards) rather than keep a
        // memory map beside a converted copy.
        let weights = candle_core::safetensors::load(dir.join("model.safetensors"), &device)
            .with_context(|| format!("cannot read {}", dir.join("model.safetensors").display()))?;
        let vb = VarBuilder::from_tensors(weights, DType::F32, &device);
        let bert = BertModel::load(vb, &config).context("the weights do not fit a BERT model")?;
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
            bert,
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
        let mut ids = Vec::with_capacity(n * len);
        let mut mask = Vec::with_capacity(n * len);
        for e in &encodings {
            let k = e.get_ids().len();
            ids.extend_from_slice(e.get_ids());
            ids.resize(ids.len() + len - k, 0);
            mask.extend(std::iter::repeat_n(1u32, k));
            mask.resize(mask.len() + len - k, 0);
        }
        let device = Device::Cpu;
        let ids = Tensor::from_vec(ids, (n, len), &device)?;
        let mask = Tensor::from_vec(mask, (n, len), &device)?;
        let hidden = self.bert.forward(&ids, &ids.zeros_like()?, Some(&mask))?;
        // Mean over the real tokens, then unit length (the sentence-transformers pipeline).
        let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
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
