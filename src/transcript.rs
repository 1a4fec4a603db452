//! Timed words: what the speech core produces and the analysis consumes, and its JSON form
//! (`paceback.transcript/1`).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const SCHEMA: &str = "paceback.transcript/1";

/// The latest a word may be said: 24 hours into a recording (a transcript claiming more is damaged).
pub const MAX_TIME_S: f64 = 86_400.0;

/// One spoken word with its time span in seconds from the start of the recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub w: String,
    pub start_s: f64,
    pub end_s: f64,
}

impl Word {
    pub fn new(w: impl Into<String>, start_s: f64, end_s: f64) -> Self {
        Word {
            w: w.into(),
            start_s,
            end_s,
        }
    }
}

/// A stretch of text as the recognizer produced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub start_s: f64,
    pub end_s: f64,
    pub text: String,
}

/// A whole transcript. Only `schema` and `words` are required of one written by another tool:
/// without `duration_s` the recording is taken to end with the last word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub schema: String,
    #[serde(default)]
    pub model: String,
    #[serde(default = "unknown_duration")]
    pub duration_s: f64,
    pub words: Vec<Word>,
    #[serde(default)]
    pub segments: Vec<Segment>,
}

/// Marks a transcript read without `duration_s`, until [`Transcript::parse`] fills it in.
fn unknown_duration() -> f64 {
    f64::NAN
}

impl Transcript {
    pub fn new(
        model: impl Into<String>,
        duration_s: f64,
        words: Vec<Word>,
        segments: Vec<Segment>,
    ) -> Self {
        Transcript {
            schema: SCHEMA.to_string(),
            model: model.into(),
            duration_s,
            words,
            segments,
        }
    }

    /// Read a `paceback.transcript/1` file. Malformed JSON is bad input naming line and column.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::bad_input(path, format!("cannot read: {e}")))?;
        Self::parse(&text).map_err(|reason| Error::bad_input(path, reason))
    }

    /// Parse and check a `paceback.transcript/1` document; the error says what is wrong where.
    /// Word times must be finite, in order and within [`MAX_TIME_S`].
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        /// Only the schema, to name another kind of document before its fields are judged.
        #[derive(Deserialize)]
        struct Head {
            schema: Option<String>,
        }
        let other = |schema: &str| {
            format!(
                "this is a `{schema}` document, not a transcript (`{SCHEMA}`); \
                 `paceback transcribe FILE --json` writes one"
            )
        };
        let mut t: Transcript =
            serde_json::from_str(text).map_err(|e| match serde_json::from_str::<Head>(text) {
                Ok(Head { schema: Some(s) }) if s != SCHEMA => other(&s),
                _ => format!(
                    "not a valid transcript at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                ),
            })?;
        if t.schema != SCHEMA {
            return Err(other(&t.schema));
        }
        if t.duration_s.is_nan() {
            t.duration_s = t.words.iter().map(|w| w.end_s).fold(0.0, f64::max);
        }
        if !(0.0..=MAX_TIME_S).contains(&t.duration_s) {
            return Err(format!(
                "duration_s is {:e}; a recording lasts 0 to {MAX_TIME_S} seconds",
                t.duration_s
            ));
        }
        if let Some(bad) = t
            .words
            .iter()
            .position(|w| !(0.0 <= w.start_s && w.start_s <= w.end_s && w.end_s <= MAX_TIME_S))
        {
            return Err(format!(
                "word {bad} ({:?}) has an invalid time span (times are seconds from 0 to {MAX_TIME_S})",
                t.words[bad].w
            ));
        }
        if t.words.windows(2).any(|p| p[1].start_s < p[0].start_s) {
            return Err("words are not in time order".into());
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn a_transcript_from_another_tool_needs_only_its_schema_and_words() {
        let (_d, path) = write(
            r#"{"schema":"paceback.transcript/1","words":[{"w":"Hi","start_s":0.5,"end_s":0.9},{"w":"there.","start_s":1.0,"end_s":1.4}]}"#,
        );
        let t = Transcript::load(&path).unwrap();
        assert_eq!(t.words.len(), 2);
        assert_eq!(t.duration_s, 1.4);
        assert!(t.segments.is_empty() && t.model.is_empty());
        // a duration given is kept, and still checked
        let (_d, path) = write(
            r#"{"schema":"paceback.transcript/1","duration_s":-1,"words":[{"w":"Hi","start_s":0.5,"end_s":0.9}]}"#,
        );
        assert!(
            Transcript::load(&path)
                .unwrap_err()
                .to_string()
                .contains("duration_s")
        );
    }

    #[test]
    fn round_trips_through_json() {
        let t = Transcript::new(
            "tiny.en",
            3.0,
            vec![Word::new("Hello", 0.5, 0.9), Word::new("there.", 1.0, 1.4)],
            vec![Segment {
                start_s: 0.5,
                end_s: 1.4,
                text: " Hello there.".into(),
            }],
        );
        let (_d, path) = write(&serde_json::to_string_pretty(&t).unwrap());
        assert_eq!(Transcript::load(&path).unwrap(), t);
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let (_d, path) = write("{\n  \"schema\": \"paceback.transcript/1\",\n  \"words\": [,]\n}");
        let err = Transcript::load(&path).unwrap_err().to_string();
        assert!(err.contains("line 3, column 13"), "{err}");
        assert_eq!(Transcript::load(&path).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn wrong_schema_and_bad_times_are_rejected() {
        let (_d, path) =
            write(r#"{"schema":"x/1","model":"m","duration_s":1,"words":[],"segments":[]}"#);
        let err = Transcript::load(&path).unwrap_err().to_string();
        assert!(err.contains("`x/1` document, not a transcript"), "{err}");
        // Another of paceback's documents, whose fields differ, is named before its fields are.
        let (_d, path) = write(r#"{"schema":"paceback.truth/1","question":"q","steps":[]}"#);
        let err = Transcript::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("a `paceback.truth/1` document, not a transcript")
                && err.contains("paceback transcribe FILE --json"),
            "{err}"
        );
        let (_d, path) = write(
            r#"{"schema":"paceback.transcript/1","model":"m","duration_s":1,"words":[{"w":"a","start_s":2,"end_s":1}],"segments":[]}"#,
        );
        assert!(
            Transcript::load(&path)
                .unwrap_err()
                .to_string()
                .contains("invalid time span")
        );
    }

    #[test]
    fn absurd_word_times_are_bad_input_not_an_unreadable_take() {
        for (start, end) in [("1e306", "1e307"), ("0", "1e300"), ("90000", "90001")] {
            let text = format!(
                r#"{{"schema":"paceback.transcript/1","model":"m","duration_s":1,"words":[{{"w":"a","start_s":{start},"end_s":{end}}}],"segments":[]}}"#
            );
            let err = Transcript::parse(&text).unwrap_err();
            assert!(err.contains("invalid time span"), "{start}: {err}");
        }
    }
}
