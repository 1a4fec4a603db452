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
    /// Stopped with Ctrl-C: the analysis covers what was transcribed by then.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
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
            analysis: finite_value(analysis)?,
            earlier_analyses: Vec::new(),
            interrupted: false,
        })
    }

    /// The saved analysis, typed. A number saved as `null` (a non-finite figure, written so by
    /// earlier versions) reads as 0.
    pub fn analysis(&self) -> anyhow::Result<Analysis> {
        lenient(self.analysis.clone())
    }

    /// Read the record file at `path`. Takes are named by their file: the file name must be a
    /// take id, and the record's id and audio must be that name's, so no record can point
    /// outside the recordings folder.
    pub fn load(path: &Path) -> anyhow::Result<TakeRecord> {
        let text = std::fs::read_to_string(path)?;
        let t: TakeRecord = lenient(serde_json::from_str(&text)?)?;
        anyhow::ensure!(
            t.schema == SCHEMA,
            "{} is not a paceback take",
            path.display()
        );
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        anyhow::ensure!(
            t.id == stem,
            "its id {:?} is not its file name {stem:?}",
            t.id
        );
        t.check_names()?;
        Ok(t)
    }

    /// The id has the documented form and the audio, if any, is the take's own WAV.
    pub fn check_names(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            is_take_id(&self.id),
            "{:?} is not a take id (like 2026-11-23_18-40-12)",
            self.id
        );
        if let Some(audio) = &self.audio {
            anyhow::ensure!(
                *audio == format!("{}.wav", self.id),
                "its audio {audio:?} is not {}.wav",
                self.id
            );
        }
        Ok(())
    }
}

/// Whether `id` has the form paceback gives takes: the local time they were recorded,
/// `2026-11-23_18-40-12`, with `_n` when several start in the same second.
pub fn is_take_id(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() < 19 {
        return false;
    }
    let stamp = b[..19].iter().enumerate().all(|(i, c)| match i {
        4 | 7 | 13 | 16 => *c == b'-',
        10 => *c == b'_',
        _ => c.is_ascii_digit(),
    });
    let n = &b[19..];
    stamp
        && (n.is_empty()
            || (n[0] == b'_'
                && (2..=10).contains(&n.len())
                && n[1..].iter().all(u8::is_ascii_digit)))
}

/// Most `null`s a saved take may hold where numbers belong before it is given up.
const MAX_NULL_NUMBERS: usize = 10_000;

/// Deserialize `value`, reading each `null` where a number belongs as 0. serde_json writes
/// non-finite numbers (an infinite duration from word times near 1e308) as `null`; a take
/// holding one must stay readable.
pub fn lenient<T: serde::de::DeserializeOwned>(mut value: serde_json::Value) -> anyhow::Result<T> {
    for _ in 0..=MAX_NULL_NUMBERS {
        let err = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(t) => return Ok(t),
            Err(err) => err,
        };
        let fixed = match slot(&mut value, err.path()) {
            Some(v) if v.is_null() => {
                *v = 0.into();
                true
            }
            // A value read as a whole (the step totals): its members.
            Some(v) => zero_null_members(v),
            None => false,
        };
        if !fixed {
            return Err(anyhow::anyhow!("{}: {}", err.path(), err.inner()));
        }
    }
    anyhow::bail!("more than {MAX_NULL_NUMBERS} numbers are missing")
}

/// The value at `path` inside `value`.
fn slot<'a>(
    value: &'a mut serde_json::Value,
    path: &serde_path_to_error::Path,
) -> Option<&'a mut serde_json::Value> {
    use serde_path_to_error::Segment;
    path.iter().try_fold(value, |v, seg| match seg {
        Segment::Seq { index } => v.get_mut(*index),
        Segment::Map { key } => v.get_mut(key.as_str()),
        _ => None,
    })
}

/// Set the `null` members of an object or array to 0; whether there were any.
fn zero_null_members(value: &mut serde_json::Value) -> bool {
    let members: Vec<&mut serde_json::Value> = match value {
        serde_json::Value::Object(map) => map.values_mut().collect(),
        serde_json::Value::Array(items) => items.iter_mut().collect(),
        _ => return false,
    };
    let mut any = false;
    for m in members.into_iter().filter(|m| m.is_null()) {
        *m = 0.into();
        any = true;
    }
    any
}

/// `value` as JSON with every number finite: non-finite ones (which JSON cannot hold) are 0.
pub fn finite_value<T: Serialize + serde::de::DeserializeOwned>(
    value: &T,
) -> anyhow::Result<serde_json::Value> {
    let typed: T = lenient(serde_json::to_value(value)?)?;
    Ok(serde_json::to_value(typed)?)
}
