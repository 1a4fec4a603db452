//! One take's record: `paceback.take/1`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, QuestionType};
use crate::transcript::Transcript;

pub const SCHEMA: &str = "paceback.take/1";

/// The question a take answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionRef {
    /// The bank question's id, when it came from the bank.
    pub id: Option<String>,
    pub text: Option<String>,
    #[serde(rename = "type")]
    pub qtype: QuestionType,
}

/// Everything saved about one take.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TakeRecord {
    pub schema: String,
    pub id: String,
    /// When it was recorded (or analyzed), RFC 3339 with the local offset.
    pub recorded_at: String,
    /// `practice` or `analyze`.
    pub source: String,
    pub question: QuestionRef,
    /// The audio file, relative to the recordings folder.
    pub audio: Option<String>,
    pub duration_s: f64,
    pub device: Option<String>,
    pub transcript: Transcript,
    /// The full `paceback.analysis/1` document.
    pub analysis: serde_json::Value,
    /// Earlier analyses of the same take, kept when it is re-analyzed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_analyses: Vec<serde_json::Value>,
}

impl TakeRecord {
    /// The record of a take recorded (or analyzed) at `recorded_at`; its audio is the take's
    /// WAV when there is one.
    pub fn new(
        take: &super::NewTake,
        recorded_at: String,
        source: &str,
        question: QuestionRef,
        device: Option<String>,
        transcript: Transcript,
        analysis: &Analysis,
    ) -> anyhow::Result<TakeRecord> {
        Ok(TakeRecord {
            schema: SCHEMA.to_string(),
            id: take.id.clone(),
            recorded_at,
            source: source.to_string(),
            question,
            // The recording, when one was kept beside the record.
            audio: take
                .wav
                .exists()
                .then(|| take.wav.file_name())
                .flatten()
                .map(|n| n.to_string_lossy().into_owned()),
            duration_s: transcript.duration_s,
            device,
            transcript,
            analysis: serde_json::to_value(analysis)?,
            earlier_analyses: Vec::new(),
        })
    }

    /// The saved analysis, typed.
    pub fn analysis(&self) -> anyhow::Result<Analysis> {
        Ok(serde_json::from_value(self.analysis.clone())?)
    }

    pub fn load(path: &Path) -> anyhow::Result<TakeRecord> {
        let text = std::fs::read_to_string(path)?;
        let t: TakeRecord = serde_json::from_str(&text)?;
        anyhow::ensure!(
            t.schema == SCHEMA,
            "{} is not a paceback take",
            path.display()
        );
        Ok(t)
    }
}
