//! How the answer was spoken (docs/method.md, "Delivery"): pace, filler words, long pauses.
//!
//! - pace: words ÷ answer time (first to last word), in words per minute; also the rate with
//!   silences of 0.3 s or more between words taken out;
//! - fillers: "um", "uh" and the like always; "like", "you know", "I mean", "basically"… only when
//!   set off by a comma or opening a sentence. Whisper drops fillers unless prompted, so the
//!   counts are a lower bound;
//! - long pauses: silences of 2 s or more between words, split into those inside a step and
//!   those between steps.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lexicon::Lexicon;
use super::phrases::normalize_all;
use super::timing::{StepReport, is_word};
use crate::transcript::Word;

/// Silences at least this long are excluded from the rate excluding pauses.
const SHORT_PAUSE_S: f64 = 0.3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Words ÷ answer time.
    pub wpm: f64,
    /// Words ÷ (answer time − silences of 0.3 s or more).
    pub wpm_excluding_pauses: f64,
    /// Filler words found (a lower bound: the recognizer drops some).
    pub fillers: usize,
    pub fillers_per_100_words: f64,
    pub fillers_per_minute: f64,
    pub filler_words: BTreeMap<String, usize>,
    /// Silences of 2 s or more between words.
    pub long_pauses: usize,
    pub long_pauses_within_steps: usize,
    pub long_pauses_between_steps: usize,
    pub definitions: BTreeMap<Cow<'static, str>, Cow<'static, str>>,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub fn measure(words: &[Word], steps: &[StepReport], lex: &Lexicon, long_pause_s: f64) -> Delivery {
    let count = words.iter().filter(|w| is_word(&w.w)).count();
    let answer_s = match (words.first(), words.last()) {
        (Some(a), Some(b)) => (b.end_s - a.start_s).max(0.0),
        _ => 0.0,
    };
    let gaps: Vec<(usize, f64)> = words
        .windows(2)
        .enumerate()
        .map(|(i, p)| (i, p[1].start_s - p[0].end_s))
        .collect();
    let paused: f64 = gaps
        .iter()
        .map(|(_, g)| *g)
        .filter(|g| *g >= SHORT_PAUSE_S)
        .sum();
    let per_min = |n: f64, secs: f64| {
        if secs > 0.0 {
            round1(n / secs * 60.0)
        } else {
            0.0
        }
    };

    let norm = normalize_all(&words.iter().map(|w| w.w.as_str()).collect::<Vec<_>>());
    let mut filler_words: BTreeMap<String, usize> = BTreeMap::new();
    for (at, end) in filler_spans(words, &norm, lex) {
        *filler_words.entry(norm[at..end].join(" ")).or_default() += 1;
    }
    let fillers: usize = filler_words.values().sum();

    let step_of = |i: usize| {
        steps
            .iter()
            .position(|s| (s.first_word..=s.last_word).contains(&i))
    };
    let long: Vec<usize> = gaps
        .iter()
        .filter(|(_, g)| *g >= long_pause_s)
        .map(|(i, _)| *i)
        .collect();
    let within = long
        .iter()
        .filter(|&&i| step_of(i) == step_of(i + 1))
        .count();

    Delivery {
        wpm: per_min(count as f64, answer_s),
        wpm_excluding_pauses: per_min(count as f64, answer_s - paused),
        fillers,
        fillers_per_100_words: if count > 0 {
            round1(fillers as f64 * 100.0 / count as f64)
        } else {
            0.0
        },
        fillers_per_minute: per_min(fillers as f64, answer_s),
        filler_words,
        long_pauses: long.len(),
        long_pauses_within_steps: within,
        long_pauses_between_steps: long.len() - within,
        definitions: [
            ("wpm", "words / answer time (first to last word)"),
            (
                "wpm_excluding_pauses",
                "words / (answer time - silences of 0.3 s or more)",
            ),
            (
                "fillers",
                "um, uh, er...; like, you know, I mean... only when set off by commas; a lower bound",
            ),
            ("long_pauses", "silences of 2 s or more between words"),
        ]
        .into_iter()
        .map(|(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v)))
        .collect(),
    }
}

/// Where the fillers are: word ranges `[at, end)`, "um", "uh"... always, "like", "you know"...
/// only when set off by commas or opening a sentence.
pub(super) fn filler_spans(words: &[Word], norm: &[String], lex: &Lexicon) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> =
        lex.fillers.iter().flat_map(|p| p.find_all(norm)).collect();
    for p in &lex.soft_fillers {
        for (at, end) in p.find_all(norm) {
            let opens = at == 0 || words[at - 1].w.ends_with([',', '.', '?', '!', ';']);
            let set_off = words[end - 1].w.ends_with(',');
            if opens && set_off || (at > 0 && words[at - 1].w.ends_with(',') && set_off) {
                spans.push((at, end));
            }
        }
    }
    spans
}

/// What a [`Mark`] marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    /// A filler word ("um", "you know").
    Filler,
    /// A hedged extra ("we could also add", "nice to have").
    Hedge,
    /// A silence of the long-pause length or more, after word `at`.
    Pause,
}

/// A delivery event where it happened: words `[at, end)` for fillers and hedges; for a pause,
/// `at` is the word before the silence and `end` the word after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    pub kind: MarkKind,
    pub at: usize,
    pub end: usize,
    /// The words marked, normalized ("you know"), or the silence's length for a pause.
    pub what: String,
}

/// Every filler, hedge and long pause (silence of `long_pause_s` or more between words) in
/// `words`, in the order they were said.
pub fn marks(words: &[Word], lex: &Lexicon, long_pause_s: f64) -> Vec<Mark> {
    let norm = normalize_all(&words.iter().map(|w| w.w.as_str()).collect::<Vec<_>>());
    let phrase = |kind, (at, end): (usize, usize)| Mark {
        kind,
        at,
        end,
        what: norm[at..end].join(" "),
    };
    let mut marks: Vec<Mark> = filler_spans(words, &norm, lex)
        .into_iter()
        .map(|span| phrase(MarkKind::Filler, span))
        .chain(
            lex.checks
                .hedging
                .iter()
                .flat_map(|p| p.find_all(&norm))
                .map(|span| phrase(MarkKind::Hedge, span)),
        )
        .chain(words.windows(2).enumerate().filter_map(|(i, p)| {
            let gap = p[1].start_s - p[0].end_s;
            (gap >= long_pause_s).then(|| Mark {
                kind: MarkKind::Pause,
                at: i,
                end: i + 1,
                what: format!("{gap:.1} s"),
            })
        }))
        .collect();
    marks.sort_by_key(|m| (m.kind, m.at, std::cmp::Reverse(m.end)));
    // Phrases of one kind that overlap ("we could also" and "could also add") are one mark.
    marks.dedup_by(|later, kept| {
        let overlap =
            later.kind == kept.kind && later.kind != MarkKind::Pause && later.at < kept.end;
        if overlap && later.end > kept.end {
            kept.end = later.end;
            kept.what = norm[kept.at..kept.end].join(" ");
        }
        overlap
    });
    marks.sort_by_key(|m| (m.at, m.end));
    marks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::steps::Step;

    fn words(spec: &[(&str, f64, f64)]) -> Vec<Word> {
        spec.iter().map(|(w, s, e)| Word::new(*w, *s, *e)).collect()
    }

    fn report(step: Step, first: usize, last: usize) -> StepReport {
        StepReport {
            step,
            start_s: 0.0,
            end_s: 0.0,
            duration_s: 0.0,
            share: 0.0,
            words: 0,
            text: String::new(),
            confidence: 1.0,
            opened_by: None,
            first_word: first,
            last_word: last,
        }
    }

    #[test]
    fn pace_has_both_definitions() {
        // 4 words over 6 s, with a 2 s silence.
        let w = words(&[
            ("one", 0.0, 1.0),
            ("two", 1.0, 2.0),
            ("three", 4.0, 5.0),
            ("four", 5.0, 6.0),
        ]);
        let d = measure(&w, &[], &Lexicon::builtin(), 2.0);
        assert_eq!(d.wpm, 40.0);
        assert_eq!(d.wpm_excluding_pauses, 60.0);
    }

    #[test]
    fn fillers_hard_always_soft_only_when_set_off() {
        let text = "Um, so I, like, think it's like good. You know, uh, basically it works, I mean, mostly.";
        let w: Vec<Word> = text
            .split_whitespace()
            .enumerate()
            .map(|(i, t)| Word::new(t, i as f64 * 0.3, i as f64 * 0.3 + 0.25))
            .collect();
        let d = measure(&w, &[], &Lexicon::builtin(), 2.0);
        assert_eq!(d.filler_words.get("um"), Some(&1));
        assert_eq!(d.filler_words.get("uh"), Some(&1));
        assert_eq!(d.filler_words.get("like"), Some(&1), "{:?}", d.filler_words);
        assert_eq!(d.filler_words.get("you know"), Some(&1));
        assert_eq!(d.filler_words.get("i mean"), Some(&1));
        assert_eq!(
            d.filler_words.get("basically"),
            None,
            "\"basically it\" is not set off"
        );
        assert_eq!(d.fillers, 5);
    }

    #[test]
    fn long_pauses_inside_and_between_steps() {
        let w = words(&[
            ("a", 0.0, 1.0),
            ("b", 3.5, 4.0),
            ("c", 4.0, 5.0),
            ("d", 8.0, 9.0),
        ]);
        let steps = [report(Step::Pain, 0, 2), report(Step::Vision, 3, 3)];
        let d = measure(&w, &steps, &Lexicon::builtin(), 2.0);
        assert_eq!(
            (
                d.long_pauses,
                d.long_pauses_within_steps,
                d.long_pauses_between_steps
            ),
            (2, 1, 1)
        );
    }

    #[test]
    fn marks_say_where_fillers_hedges_and_long_pauses_were() {
        let w = words(&[
            ("Um,", 0.0, 0.2),
            ("we", 0.3, 0.4),
            ("could", 0.4, 0.6),
            ("also", 0.6, 0.8),
            ("add", 0.8, 1.0),
            ("alerts.", 1.0, 1.4),
            ("Then", 4.0, 4.2),
            ("we", 4.2, 4.3),
            ("ship.", 4.3, 4.6),
        ]);
        let m = marks(&w, &Lexicon::builtin(), 2.0);
        let got: Vec<(MarkKind, usize, usize)> = m.iter().map(|m| (m.kind, m.at, m.end)).collect();
        assert_eq!(
            got,
            [
                (MarkKind::Filler, 0, 1),
                (MarkKind::Hedge, 1, 5),
                (MarkKind::Pause, 5, 6)
            ],
            "{m:?}"
        );
        assert_eq!(m[2].what, "2.6 s");
        assert!(marks(&[], &Lexicon::builtin(), 2.0).is_empty());
    }
}
