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
    for p in &lex.fillers {
        for (at, end) in p.find_all(&norm) {
            *filler_words.entry(norm[at..end].join(" ")).or_default() += 1;
        }
    }
    for p in &lex.soft_fillers {
        for (at, end) in p.find_all(&norm) {
            let opens = at == 0 || words[at - 1].w.ends_with([',', '.', '?', '!', ';']);
            let set_off = words[end - 1].w.ends_with(',');
            if opens && set_off || (at > 0 && words[at - 1].w.ends_with(',') && set_off) {
                *filler_words.entry(norm[at..end].join(" ")).or_default() += 1;
            }
        }
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
}
