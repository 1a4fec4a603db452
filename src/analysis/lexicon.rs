//! The cue lexicon: every phrase list paceback reads answers with, compiled from `cues.toml`
//! (embedded) plus the user's `$PACEBACK_HOME/cues.toml`, which extends it (or, with
//! `replace = true`, replaces it).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::phrases::{Pattern, compile};
use super::steps::{QuestionType, Step};
use crate::error::{Error, Result};

/// The built-in lexicon.
pub const DEFAULT_CUES: &str = include_str!("cues.toml");

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    #[serde(default)]
    openers: Vec<String>,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecks {
    #[serde(default)]
    deprioritize: Vec<String>,
    #[serde(default)]
    reason: Vec<String>,
    #[serde(default)]
    hedging: Vec<String>,
    #[serde(default)]
    capability_count: Vec<String>,
    #[serde(default)]
    capability_item: Vec<String>,
    #[serde(default)]
    outcome_metrics: Vec<String>,
    #[serde(default)]
    usage_metrics: Vec<String>,
    #[serde(default)]
    guardrail: Vec<String>,
    #[serde(default)]
    guardrail_named: Vec<String>,
    #[serde(default)]
    threshold: Vec<String>,
    #[serde(default)]
    mitigation: Vec<String>,
    #[serde(default)]
    framework_named: Vec<String>,
    #[serde(default)]
    multiple_segments: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDelivery {
    #[serde(default)]
    fillers: Vec<String>,
    #[serde(default)]
    soft_fillers: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLexicon {
    #[serde(default)]
    replace: bool,
    #[serde(default)]
    steps: BTreeMap<String, RawStep>,
    #[serde(default)]
    spoken_types: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    question_types: BTreeMap<String, Vec<String>>,
    /// Extra step cues that apply only to one question type (`[type_steps.estimation.capabilities]`).
    #[serde(default)]
    type_steps: BTreeMap<String, BTreeMap<String, RawStep>>,
    #[serde(default)]
    checks: RawChecks,
    #[serde(default)]
    delivery: RawDelivery,
}

impl RawLexicon {
    fn parse(text: &str) -> std::result::Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Add `other`'s lists to ours.
    fn extend(&mut self, other: RawLexicon) {
        for (id, s) in other.steps {
            let mine = self.steps.entry(id).or_default();
            mine.openers.extend(s.openers);
            mine.phrases.extend(s.phrases);
            mine.keywords.extend(s.keywords);
        }
        for (t, steps) in other.type_steps {
            let mine = self.type_steps.entry(t).or_default();
            for (id, s) in steps {
                let m = mine.entry(id).or_default();
                m.openers.extend(s.openers);
                m.phrases.extend(s.phrases);
                m.keywords.extend(s.keywords);
            }
        }
        for (t, list) in other.spoken_types {
            self.spoken_types.entry(t).or_default().extend(list);
        }
        for (t, list) in other.question_types {
            self.question_types.entry(t).or_default().extend(list);
        }
        let (c, o) = (&mut self.checks, other.checks);
        c.deprioritize.extend(o.deprioritize);
        c.reason.extend(o.reason);
        c.hedging.extend(o.hedging);
        c.capability_count.extend(o.capability_count);
        c.capability_item.extend(o.capability_item);
        c.outcome_metrics.extend(o.outcome_metrics);
        c.usage_metrics.extend(o.usage_metrics);
        c.guardrail.extend(o.guardrail);
        c.guardrail_named.extend(o.guardrail_named);
        c.threshold.extend(o.threshold);
        c.mitigation.extend(o.mitigation);
        c.framework_named.extend(o.framework_named);
        c.multiple_segments.extend(o.multiple_segments);
        self.delivery.fillers.extend(other.delivery.fillers);
        self.delivery
            .soft_fillers
            .extend(other.delivery.soft_fillers);
    }
}

/// Cues of one step.
#[derive(Debug, Clone, Default)]
pub struct StepCues {
    pub openers: Vec<Pattern>,
    pub phrases: Vec<Pattern>,
    pub keywords: Vec<Pattern>,
}

/// Phrase lists of the content checks.
#[derive(Debug, Clone, Default)]
pub struct CheckPhrases {
    pub deprioritize: Vec<Pattern>,
    pub reason: Vec<Pattern>,
    pub hedging: Vec<Pattern>,
    pub capability_count: Vec<Pattern>,
    pub capability_item: Vec<Pattern>,
    pub outcome_metrics: Vec<Pattern>,
    pub usage_metrics: Vec<Pattern>,
    pub guardrail: Vec<Pattern>,
    /// Phrases that name a guardrail outright: enough on their own (`content::says`).
    pub guardrail_named: Vec<Pattern>,
    pub threshold: Vec<Pattern>,
    pub mitigation: Vec<Pattern>,
    pub framework_named: Vec<Pattern>,
    pub multiple_segments: Vec<Pattern>,
}

/// The compiled lexicon.
#[derive(Debug, Clone)]
pub struct Lexicon {
    pub steps: BTreeMap<Step, StepCues>,
    /// Cues added for one question type.
    pub type_steps: BTreeMap<(QuestionType, Step), StepCues>,
    /// In the order types are tried.
    pub question_types: Vec<(QuestionType, Vec<Pattern>)>,
    pub spoken_types: Vec<(QuestionType, Vec<Pattern>)>,
    pub checks: CheckPhrases,
    pub fillers: Vec<Pattern>,
    pub soft_fillers: Vec<Pattern>,
}

/// Order in which question-text patterns are tried: the most specific types first.
const QUESTION_TYPE_ORDER: [QuestionType; 5] = [
    QuestionType::Behavioral,
    QuestionType::Estimation,
    QuestionType::Prioritization,
    QuestionType::Strategy,
    QuestionType::ProductSense,
];

impl Lexicon {
    /// The built-in lexicon.
    pub fn builtin() -> Self {
        Self::from_raw(RawLexicon::parse(DEFAULT_CUES).expect("built-in cues.toml parses"))
            .expect("built-in cues.toml compiles")
    }

    /// The built-in lexicon extended (or replaced) by the user's file, if it exists.
    pub fn load(user_file: &Path) -> Result<Self> {
        if !user_file.exists() {
            return Ok(Self::builtin());
        }
        let bad = |reason: String| Error::bad_input(user_file, reason);
        let text =
            std::fs::read_to_string(user_file).map_err(|e| bad(format!("cannot read: {e}")))?;
        Self::with_user(&text).map_err(bad)
    }

    /// The built-in lexicon extended (or, with `replace = true`, replaced) by a user's cue file.
    pub fn with_user(text: &str) -> std::result::Result<Self, String> {
        let user = RawLexicon::parse(text)?;
        let raw = if user.replace {
            user
        } else {
            let mut base = RawLexicon::parse(DEFAULT_CUES).expect("built-in cues.toml parses");
            base.extend(user);
            base
        };
        Self::from_raw(raw)
    }

    fn from_raw(raw: RawLexicon) -> std::result::Result<Self, String> {
        fn step_cues(
            section: &str,
            id: &str,
            s: &RawStep,
        ) -> std::result::Result<(Step, StepCues), String> {
            let step =
                Step::from_id(id).ok_or_else(|| format!("unknown step `{id}` in [{section}]"))?;
            Ok((
                step,
                StepCues {
                    openers: compile(&format!("{section}.{id}.openers"), &s.openers)?,
                    phrases: compile(&format!("{section}.{id}.phrases"), &s.phrases)?,
                    keywords: compile(&format!("{section}.{id}.keywords"), &s.keywords)?,
                },
            ))
        }
        let steps = raw
            .steps
            .iter()
            .map(|(id, s)| step_cues("steps", id, s))
            .collect::<std::result::Result<BTreeMap<_, _>, _>>()?;
        let mut type_steps = BTreeMap::new();
        for (t, map) in &raw.type_steps {
            let qtype = t
                .parse::<QuestionType>()
                .map_err(|e| format!("[type_steps]: {e}"))?;
            for (id, s) in map {
                let (step, cues) = step_cues(&format!("type_steps.{t}"), id, s)?;
                type_steps.insert((qtype, step), cues);
            }
        }
        let typed = |section: &str, map: &BTreeMap<String, Vec<String>>| {
            for id in map.keys() {
                id.parse::<QuestionType>()
                    .map_err(|e| format!("[{section}]: {e}"))?;
            }
            QUESTION_TYPE_ORDER
                .iter()
                .map(|t| {
                    let list = map.get(t.id()).map(Vec::as_slice).unwrap_or_default();
                    Ok((*t, compile(&format!("{section}.{}", t.id()), list)?))
                })
                .collect::<std::result::Result<Vec<_>, String>>()
        };
        let c = &raw.checks;
        let checks = CheckPhrases {
            deprioritize: compile("checks.deprioritize", &c.deprioritize)?,
            reason: compile("checks.reason", &c.reason)?,
            hedging: compile("checks.hedging", &c.hedging)?,
            capability_count: compile("checks.capability_count", &c.capability_count)?,
            capability_item: compile("checks.capability_item", &c.capability_item)?,
            outcome_metrics: compile("checks.outcome_metrics", &c.outcome_metrics)?,
            usage_metrics: compile("checks.usage_metrics", &c.usage_metrics)?,
            guardrail: compile("checks.guardrail", &c.guardrail)?,
            guardrail_named: compile("checks.guardrail_named", &c.guardrail_named)?,
            threshold: compile("checks.threshold", &c.threshold)?,
            mitigation: compile("checks.mitigation", &c.mitigation)?,
            framework_named: compile("checks.framework_named", &c.framework_named)?,
            multiple_segments: compile("checks.multiple_segments", &c.multiple_segments)?,
        };
        Ok(Lexicon {
            steps,
            type_steps,
            question_types: typed("question_types", &raw.question_types)?,
            spoken_types: typed("spoken_types", &raw.spoken_types)?,
            checks,
            fillers: compile("delivery.fillers", &raw.delivery.fillers)?,
            soft_fillers: compile("delivery.soft_fillers", &raw.delivery.soft_fillers)?,
        })
    }

    /// The cues that mark `step` in an answer to a question of type `qtype`.
    pub fn cues_for(&self, qtype: QuestionType, step: Step) -> Vec<&StepCues> {
        std::iter::once(self.step(step))
            .chain(self.type_steps.get(&(qtype, step)))
            .collect()
    }

    /// Cues of a step (empty when the lexicon has none).
    pub fn step(&self, step: Step) -> &StepCues {
        static EMPTY: std::sync::OnceLock<StepCues> = std::sync::OnceLock::new();
        self.steps
            .get(&step)
            .unwrap_or_else(|| EMPTY.get_or_init(StepCues::default))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lexicon_covers_every_step_and_type() {
        let lex = Lexicon::builtin();
        for step in Step::ALL {
            assert!(!lex.step(step).openers.is_empty(), "{step} has no openers");
        }
        for (t, pats) in &lex.question_types {
            assert!(!pats.is_empty(), "no question patterns for {t}");
        }
        assert!(lex.fillers.len() >= 5);
    }

    #[test]
    fn user_file_extends_the_builtin_lists() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cues.toml");
        std::fs::write(&path, "[steps.risks]\nopeners = [\"the scary part\"]\n").unwrap();
        let lex = Lexicon::load(&path).unwrap();
        let builtin = Lexicon::builtin();
        assert_eq!(
            lex.step(Step::Risks).openers.len(),
            builtin.step(Step::Risks).openers.len() + 1
        );
        assert_eq!(
            lex.step(Step::Pain).openers.len(),
            builtin.step(Step::Pain).openers.len()
        );
    }

    #[test]
    fn user_file_can_replace_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cues.toml");
        std::fs::write(
            &path,
            "replace = true\n[steps.risks]\nopeners = [\"the scary part\"]\n",
        )
        .unwrap();
        let lex = Lexicon::load(&path).unwrap();
        assert_eq!(lex.step(Step::Risks).openers.len(), 1);
        assert!(lex.step(Step::Pain).openers.is_empty());
    }

    #[test]
    fn mistakes_in_the_user_file_are_bad_input_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cues.toml");
        for (text, needle) in [
            ("[steps.painn]\nopeners = [\"x\"]\n", "unknown step `painn`"),
            ("[steps.pain]\nopener = [\"x\"]\n", "unknown field"),
            ("[steps.pain\n", "TOML"),
            ("[steps.pain]\nopeners = [\"** x\"]\n", "steps.pain.openers"),
            (
                "[question_types]\ndesign = [\"x\"]\n",
                "unknown question type",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = Lexicon::load(&path).unwrap_err();
            assert_eq!(err.exit_code(), 2);
            let msg = err.to_string();
            assert!(
                msg.contains(needle) || (needle == "TOML" && msg.contains("expected")),
                "{text}: {msg}"
            );
            assert!(msg.contains("cues.toml"), "{msg}");
        }
    }
}
