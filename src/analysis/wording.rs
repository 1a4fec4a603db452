//! The content model: how much a sentence sounds like each step, from the words it uses, for
//! sentences that carry no signpost. Naive Bayes over words and word pairs, trained by
//! `scripts/train_content_model.py` on labelled answer scripts (samples/training) and embedded as
//! data (`content_model.json`); only features used across many answers are kept, so it knows how
//! people talk about each step, not about any topic.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::steps::{Framework, Step};

const MODEL_JSON: &str = include_str!("content_model.json");

#[derive(Deserialize)]
struct RawStep {
    log_p: Vec<f32>,
}

#[derive(Deserialize)]
struct RawFramework {
    features: Vec<String>,
    steps: HashMap<String, RawStep>,
}

#[derive(Deserialize)]
struct RawModel {
    working_backwards: RawFramework,
    star: RawFramework,
}

struct FrameworkModel {
    index: HashMap<String, usize>,
    /// Per step: log P(feature | step), by feature index.
    steps: Vec<(Step, Vec<f32>)>,
}

impl FrameworkModel {
    fn from_raw(raw: RawFramework) -> Self {
        let index = raw
            .features
            .into_iter()
            .enumerate()
            .map(|(i, f)| (f, i))
            .collect();
        let steps = raw
            .steps
            .into_iter()
            .filter_map(|(id, s)| Step::from_id(&id).map(|step| (step, s.log_p)))
            .collect();
        FrameworkModel { index, steps }
    }
}

/// The trained content model.
pub struct ContentModel {
    working_backwards: FrameworkModel,
    star: FrameworkModel,
}

/// Softens the naive Bayes posterior, which is overconfident because words are not independent.
const TEMPERATURE: f64 = 3.0;

impl ContentModel {
    /// The model embedded in the binary.
    pub fn builtin() -> &'static ContentModel {
        static MODEL: OnceLock<ContentModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            let raw: RawModel =
                serde_json::from_str(MODEL_JSON).expect("embedded content model parses");
            ContentModel {
                working_backwards: FrameworkModel::from_raw(raw.working_backwards),
                star: FrameworkModel::from_raw(raw.star),
            }
        })
    }

    /// P(step | sentence) for every step of the framework, from normalized words. Uniform when
    /// none of the words is known to the model.
    pub fn posterior(&self, framework: Framework, words: &[String]) -> Vec<(Step, f64)> {
        let m = match framework {
            Framework::WorkingBackwards => &self.working_backwards,
            Framework::Star => &self.star,
        };
        let words: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .filter(|w| !w.is_empty())
            .collect();
        let pairs = words.windows(2).map(|p| format!("{} {}", p[0], p[1]));
        let known: Vec<usize> = words
            .iter()
            .map(|w| w.to_string())
            .chain(pairs)
            .filter_map(|f| m.index.get(&f).copied())
            .collect();
        let scores: Vec<f64> = m
            .steps
            .iter()
            .map(|(_, log_p)| known.iter().map(|&i| f64::from(log_p[i])).sum::<f64>() / TEMPERATURE)
            .collect();
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
        let total: f64 = exp.iter().sum();
        m.steps
            .iter()
            .zip(exp)
            .map(|((step, _), e)| (*step, e / total))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::phrases::normalize_all;

    fn top(framework: Framework, text: &str) -> Step {
        let words = normalize_all(&text.split_whitespace().collect::<Vec<_>>());
        let p = ContentModel::builtin().posterior(framework, &words);
        let sum: f64 = p.iter().map(|(_, x)| x).sum();
        assert!((sum - 1.0).abs() < 1e-9);
        p.into_iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap().0
    }

    #[test]
    fn sentences_without_signposts_lean_to_their_step() {
        use Framework::WorkingBackwards as Wb;
        assert_eq!(
            top(
                Wb,
                "They spend forty minutes every night and still end up ordering takeout, which is frustrating."
            ),
            Step::Pain
        );
        assert_eq!(
            top(
                Wb,
                "We would track the percentage of users who finish, from thirty percent to fifty percent within a quarter."
            ),
            Step::Metrics
        );
        assert_eq!(
            top(
                Framework::Star,
                "So I set up a meeting with the two leads and we agreed on a plan."
            ),
            Step::Action
        );
    }

    #[test]
    fn unknown_words_give_a_uniform_posterior() {
        let p = ContentModel::builtin().posterior(Framework::Star, &["zyxw".to_string()]);
        assert!(p.iter().all(|(_, x)| (x - 0.25).abs() < 1e-9), "{p:?}");
    }
}
