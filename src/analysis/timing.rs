//! Time per step: spans from the segmentation turned into the steps, totals and shares.
//!
//! A step runs from its first word to the first word of the next step (the pause after a step
//! belongs to it); the last step ends at the last word. So the steps tile the answer and their
//! shares add up to 1.

use serde::{Deserialize, Serialize};

use super::segment::StepSpan;
use super::steps::{Framework, Step};
use crate::time::round_cs;
use crate::transcript::Word;

/// One step span as reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub step: Step,
    pub start_s: f64,
    pub end_s: f64,
    pub duration_s: f64,
    pub share: f64,
    pub words: usize,
    pub text: String,
    /// How sure the segmenter is that this stretch is this step (0–1).
    #[serde(default = "certain")]
    pub confidence: f64,
    /// The sentence that opened this step and what made it this step (absent for given
    /// boundaries and in takes saved before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_by: Option<Opening>,
    /// Index range of the words (not serialized).
    #[serde(skip)]
    pub first_word: usize,
    #[serde(skip)]
    pub last_word: usize,
}

/// Why a step starts where it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opening {
    /// The first sentence of the step.
    pub sentence: String,
    /// The strongest cue phrase of this step in it, as written in the cue lexicon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue: Option<String>,
    /// How likely the sentence is this step on its own, before what comes around it is weighed.
    pub alone: f64,
    /// How likely a new step is to start at this sentence, whichever step (the boundary reader;
    /// absent when it did not read the answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_step: Option<f64>,
    /// Where it falls in the answer (0–1).
    pub at: f64,
}

impl Opening {
    /// In words: what decided it.
    pub fn reason(&self) -> String {
        let mut why = Vec::new();
        if let Some(cue) = &self.cue {
            why.push(format!("cue \"{cue}\""));
        }
        why.push(format!("{:.0}% this step on its own", self.alone * 100.0));
        if let Some(p) = self.new_step {
            why.push(format!("{:.0}% a new step starts here", p * 100.0));
        }
        why.push(format!("at {:.0}% of the answer", self.at * 100.0));
        why.join(", ")
    }
}

fn certain() -> f64 {
    1.0
}

/// Whether a transcript token is a spoken word (not just punctuation).
pub fn is_word(w: &str) -> bool {
    w.chars().any(char::is_alphanumeric)
}

/// Step reports for the spans of an answer.
pub fn step_reports(words: &[Word], spans: &[StepSpan]) -> Vec<StepReport> {
    let Some(last) = words.last() else {
        return Vec::new();
    };
    let answer_start = words[0].start_s;
    let answer_s = (last.end_s - answer_start).max(1e-9);
    spans
        .iter()
        .enumerate()
        .map(|(i, span)| {
            let start = words[span.first].start_s;
            let end = spans
                .get(i + 1)
                .map_or(last.end_s, |next| words[next.first].start_s);
            let slice = &words[span.first..=span.last];
            StepReport {
                step: span.step,
                start_s: round_cs(start),
                end_s: round_cs(end),
                duration_s: round_cs(end - start),
                share: ((end - start) / answer_s * 1000.0).round() / 1000.0,
                words: slice.iter().filter(|w| is_word(&w.w)).count(),
                text: slice
                    .iter()
                    .map(|w| w.w.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                confidence: span.confidence,
                opened_by: None,
                first_word: span.first,
                last_word: span.last,
            }
        })
        .collect()
}

/// Seconds per step id, in the framework's order (0 for steps not spoken).
pub fn totals(framework: Framework, reports: &[StepReport]) -> Vec<(Step, f64)> {
    framework
        .steps()
        .iter()
        .map(|s| {
            let secs: f64 = reports
                .iter()
                .filter(|r| r.step == *s)
                .map(|r| r.duration_s)
                .sum();
            (*s, round_cs(secs))
        })
        .collect()
}

/// Seconds on the steps matching `pred`.
pub fn seconds(reports: &[StepReport], pred: impl Fn(Step) -> bool) -> f64 {
    // An empty float sum is -0.0; + 0.0 makes it 0.0.
    reports
        .iter()
        .filter(|r| pred(r.step))
        .map(|r| r.duration_s)
        .sum::<f64>()
        + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> Vec<Word> {
        vec![
            Word::new("Today,", 6.0, 6.5),
            Word::new("it's", 6.5, 7.0),
            Word::new("hard.", 7.0, 7.5),
            Word::new("Imagine", 9.5, 10.0),
            Word::new("ease.", 10.0, 11.0),
            Word::new("Build", 12.0, 12.5),
            Word::new("it.", 12.5, 16.0),
        ]
    }

    #[test]
    fn steps_tile_the_answer_and_pauses_go_to_the_step_before() {
        let spans = [
            StepSpan {
                step: Step::Pain,
                first: 0,
                last: 2,
                confidence: 1.0,
            },
            StepSpan {
                step: Step::Vision,
                first: 3,
                last: 4,
                confidence: 1.0,
            },
            StepSpan {
                step: Step::Capabilities,
                first: 5,
                last: 6,
                confidence: 1.0,
            },
        ];
        let r = step_reports(&words(), &spans);
        assert_eq!((r[0].start_s, r[0].end_s, r[0].duration_s), (6.0, 9.5, 3.5));
        assert_eq!((r[1].start_s, r[1].end_s), (9.5, 12.0));
        assert_eq!((r[2].start_s, r[2].end_s), (12.0, 16.0));
        assert_eq!(r.iter().map(|s| s.share).sum::<f64>(), 1.0);
        assert_eq!(r[0].share, 0.35);
        assert_eq!(r[0].words, 3);
        assert_eq!(r[0].text, "Today, it's hard.");
    }

    #[test]
    fn totals_sum_revisits_and_list_every_step() {
        let spans = [
            StepSpan {
                step: Step::Pain,
                first: 0,
                last: 2,
                confidence: 1.0,
            },
            StepSpan {
                step: Step::Capabilities,
                first: 3,
                last: 4,
                confidence: 1.0,
            },
            StepSpan {
                step: Step::Pain,
                first: 5,
                last: 6,
                confidence: 1.0,
            },
        ];
        let r = step_reports(&words(), &spans);
        let t = totals(Framework::WorkingBackwards, &r);
        assert_eq!(t.len(), 8);
        assert_eq!(t.iter().find(|(s, _)| *s == Step::Pain).unwrap().1, 7.5);
        assert_eq!(t.iter().find(|(s, _)| *s == Step::Vision).unwrap().1, 0.0);
        assert_eq!(seconds(&r, Step::is_problem), 7.5);
    }

    #[test]
    fn punctuation_is_not_a_word() {
        assert!(is_word("v1"));
        assert!(!is_word("--"));
    }
}
