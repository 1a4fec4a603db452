//! Every rule of the method (docs/method.md) as a check: its status, the actual value, the target,
//! a message, the sentences it judged, and the advice to give when it is the thing to fix.
//!
//! The rules are one table, [`RULES`]: a typed id, how much the rule matters (to break ties),
//! which question types it applies to (read from the type's profile) and one small function. Every
//! number in a message comes from the [`Method`]; advice is ranked by how far off the answer is,
//! so a near-miss never outranks something missing.

mod content;
mod delivery;
mod timing;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::delivery::Delivery;
use super::lexicon::Lexicon;
use super::method::{Method, Rules, TypeProfile};
use super::phrases::{Pattern, normalize_all};
use super::steps::{QuestionType, Step};
use super::timing::{StepReport, seconds};
use crate::transcript::Word;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

/// Which rule a check is. Ids of rules this version no longer has (in takes saved by an older
/// one) are kept as they were.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    ProblemShare,
    SolutionShare,
    AnswerLength,
    ThinkPause,
    CustomerFraming,
    Pain,
    OverFraming,
    PressureTest,
    Deprioritization,
    CapabilityCount,
    CapabilityHedging,
    SingleSegment,
    OutcomeMetric,
    UsageMetricsOnly,
    Guardrail,
    MetricThreshold,
    RiskMitigation,
    Thesis,
    StarComplete,
    Pace,
    Fillers,
    LongPauses,
    #[serde(untagged)]
    Other(String),
}

impl CheckId {
    /// The id as it appears in JSON.
    pub fn as_str(&self) -> &str {
        match self {
            CheckId::Other(s) => s,
            id => RULES
                .iter()
                .find(|r| r.id == *id)
                .map_or("unknown", |r| r.name),
        }
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A sentence a check judged, and when it was said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub text: String,
    pub start_s: f64,
}

/// One rule's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub id: CheckId,
    pub status: Status,
    pub actual: Value,
    pub target: String,
    pub message: String,
    /// The sentences that decided it (empty when it is about time, or nothing was found).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// What to do differently (empty on pass).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub advice: String,
    /// The value sits so close to the limit that the segmentation's uncertainty could put it
    /// on the other side: reported as a warning whatever the point value says.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub borderline: bool,
    /// How far off the answer is: 0 at the limit, 1 for something missing altogether, more for
    /// a limit missed by more than its whole tolerance. Orders the advice.
    #[serde(skip)]
    pub gap: f64,
}

impl Check {
    pub(crate) fn new(
        id: CheckId,
        status: Status,
        actual: Value,
        target: impl Into<String>,
        message: String,
    ) -> Self {
        Check {
            id,
            status,
            actual,
            target: target.into(),
            message,
            evidence: Vec::new(),
            advice: String::new(),
            borderline: false,
            gap: 0.0,
        }
    }

    /// Attach the advice to give when this is to fix, and how far off the answer is.
    pub(crate) fn advise(mut self, gap: f64, advice: String) -> Self {
        if self.status != Status::Pass {
            self.gap = gap.max(0.0);
            self.advice = advice;
        }
        self
    }

    /// Attach the sentences judged.
    pub(crate) fn quoting(mut self, evidence: Vec<Evidence>) -> Self {
        self.evidence = evidence;
        self
    }

    /// Mark a share verdict borderline when `range` (where the share could be, given the
    /// segmentation's uncertainty) straddles one of `edges`, the values where the verdict
    /// changes (the limit and the edge of its warning band): a warning that says so, whatever
    /// the point value's status.
    fn borderline_if(mut self, range: Option<(f64, f64)>, edges: &[f64]) -> Self {
        if let Some((lo, hi)) = range
            && edges.iter().any(|&edge| lo < edge && edge < hi)
        {
            self.borderline = true;
            self.status = Status::Warn;
            self.message.push_str(&format!(
                "; borderline: where the steps change is uncertain enough that it could be {}-{}",
                pct(lo),
                pct(hi)
            ));
        }
        self
    }
}

/// One rule of the method.
pub struct Rule {
    pub id: CheckId,
    /// The id in JSON.
    pub name: &'static str,
    /// How much the rule matters to the method; breaks ties between equally large gaps.
    pub priority: f64,
    /// Whether it applies to a question type, from the type's rules.
    pub applies: fn(&Rules) -> bool,
    pub check: fn(&Context) -> Option<Check>,
}

fn always(_: &Rules) -> bool {
    true
}

/// Every rule, in the order reports list them.
pub static RULES: &[Rule] = &[
    Rule {
        id: CheckId::ProblemShare,
        name: "problem_share",
        priority: 3.0,
        applies: |r| r.shares,
        check: timing::problem_share,
    },
    Rule {
        id: CheckId::SolutionShare,
        name: "solution_share",
        priority: 2.5,
        applies: |r| r.shares,
        check: timing::solution_share,
    },
    Rule {
        id: CheckId::AnswerLength,
        name: "answer_length",
        priority: 2.0,
        applies: always,
        check: timing::answer_length,
    },
    Rule {
        id: CheckId::ThinkPause,
        name: "think_pause",
        priority: 1.0,
        applies: always,
        check: timing::think_pause,
    },
    Rule {
        id: CheckId::CustomerFraming,
        name: "customer_framing",
        priority: 1.5,
        applies: |r| !r.star,
        check: timing::customer_framing,
    },
    Rule {
        id: CheckId::Pain,
        name: "pain",
        priority: 1.2,
        applies: |r| r.pain,
        check: timing::pain,
    },
    Rule {
        id: CheckId::OverFraming,
        name: "over_framing",
        priority: 2.0,
        applies: |r| r.over_framing,
        check: timing::over_framing,
    },
    Rule {
        id: CheckId::PressureTest,
        name: "pressure_test",
        priority: 1.0,
        applies: |r| r.pressure_test,
        check: timing::pressure_test,
    },
    Rule {
        id: CheckId::Deprioritization,
        name: "deprioritization",
        priority: 1.0,
        applies: |r| r.solution_content,
        check: content::deprioritization,
    },
    Rule {
        id: CheckId::CapabilityCount,
        name: "capability_count",
        priority: 1.2,
        applies: |r| r.solution_content,
        check: content::capability_count,
    },
    Rule {
        id: CheckId::CapabilityHedging,
        name: "capability_hedging",
        priority: 1.0,
        applies: |r| r.solution_content,
        check: content::capability_hedging,
    },
    Rule {
        id: CheckId::SingleSegment,
        name: "single_segment",
        priority: 1.0,
        applies: |r| r.solution_content,
        check: content::single_segment,
    },
    Rule {
        id: CheckId::OutcomeMetric,
        name: "outcome_metric",
        priority: 1.2,
        applies: |r| r.metrics_and_risks,
        check: content::outcome_metric,
    },
    Rule {
        id: CheckId::UsageMetricsOnly,
        name: "usage_metrics_only",
        priority: 1.0,
        applies: |r| r.metrics_and_risks,
        check: content::usage_metrics_only,
    },
    Rule {
        id: CheckId::Guardrail,
        name: "guardrail",
        priority: 1.0,
        applies: |r| r.metrics_and_risks,
        check: content::guardrail,
    },
    Rule {
        id: CheckId::MetricThreshold,
        name: "metric_threshold",
        priority: 1.0,
        applies: |r| r.metrics_and_risks,
        check: content::metric_threshold,
    },
    Rule {
        id: CheckId::RiskMitigation,
        name: "risk_mitigation",
        priority: 1.0,
        applies: |r| r.metrics_and_risks,
        check: content::risk_mitigation,
    },
    Rule {
        id: CheckId::Thesis,
        name: "thesis",
        priority: 1.0,
        applies: |r| r.close,
        check: content::thesis,
    },
    Rule {
        id: CheckId::StarComplete,
        name: "star_complete",
        priority: 1.5,
        applies: |r| r.star,
        check: content::star_complete,
    },
    Rule {
        id: CheckId::Pace,
        name: "pace",
        priority: 0.7,
        applies: always,
        check: delivery::pace,
    },
    Rule {
        id: CheckId::Fillers,
        name: "fillers",
        priority: 0.7,
        applies: always,
        check: delivery::fillers,
    },
    Rule {
        id: CheckId::LongPauses,
        name: "long_pauses",
        priority: 0.7,
        applies: always,
        check: delivery::long_pauses,
    },
];

/// The rule of a check id.
pub fn rule(id: &CheckId) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == *id)
}

/// Every rule that applies to the answer's type, checked.
pub fn run(cx: &Context) -> Vec<Check> {
    RULES
        .iter()
        .filter(|r| (r.applies)(&cx.profile.rules))
        .filter_map(|r| (r.check)(cx))
        .collect()
}

/// The advice of the checks that did not pass, largest gap first (ties: the rule that matters
/// more), at most `n`.
pub fn advice(checks: &[Check], n: usize) -> Vec<String> {
    let mut ranked: Vec<&Check> = checks
        .iter()
        .filter(|c| c.status != Status::Pass && !c.advice.is_empty())
        .collect();
    let priority = |c: &Check| rule(&c.id).map_or(1.0, |r| r.priority);
    ranked.sort_by(|a, b| {
        b.gap
            .total_cmp(&a.gap)
            .then(priority(b).total_cmp(&priority(a)))
    });
    ranked.iter().take(n).map(|c| c.advice.clone()).collect()
}

/// A sentence of the answer, with the step it was given.
#[derive(Debug, Clone)]
pub struct Sentence {
    pub text: String,
    pub start_s: f64,
    pub step: Option<Step>,
    pub norm: Vec<String>,
    pub embedding: Option<Arc<[f32]>>,
}

impl Sentence {
    pub fn evidence(&self) -> Evidence {
        Evidence {
            text: self.text.clone(),
            start_s: crate::time::round_cs(self.start_s),
        }
    }
}

/// Cut the labelled words into sentences (at . ? !, and wherever the step changes).
pub fn sentences(words: &[Word], step_of: &[Option<Step>]) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..words.len() {
        let end = i + 1 == words.len()
            || words[i]
                .w
                .trim_end_matches(['"', '\'', ')'])
                .ends_with(['.', '?', '!'])
            || step_of.get(i + 1) != step_of.get(i);
        if end {
            let slice = &words[start..=i];
            out.push(Sentence {
                text: slice
                    .iter()
                    .map(|w| w.w.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                start_s: slice[0].start_s,
                step: step_of.get(start).copied().flatten(),
                norm: normalize_all(&slice.iter().map(|w| w.w.as_str()).collect::<Vec<_>>()),
                embedding: None,
            });
            start = i + 1;
        }
    }
    out
}

/// Everything the checks look at.
pub struct Context<'a> {
    pub qtype: QuestionType,
    pub profile: &'a TypeProfile,
    pub method: &'a Method,
    pub words: &'a [Word],
    pub steps: &'a [StepReport],
    pub sentences: &'a [Sentence],
    pub answer_s: f64,
    pub think_pause_s: f64,
    pub lex: &'a Lexicon,
    pub delivery: &'a Delivery,
    /// Where the problem and solution shares could be, given the segmentation's uncertainty.
    pub share_ranges: Option<ShareRanges>,
}

/// 10th–90th percentile of the problem and solution shares over plausible segmentations,
/// widened to hold the reported shares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShareRanges {
    pub problem: (f64, f64),
    pub solution: (f64, f64),
}

impl Context<'_> {
    fn secs(&self, pred: impl Fn(Step) -> bool) -> f64 {
        seconds(self.steps, pred)
    }

    fn has(&self, step: Step) -> bool {
        self.steps.iter().any(|r| r.step == step)
    }

    /// The sentences of `step`.
    fn sentences_of(&self, step: Step) -> impl Iterator<Item = &Sentence> {
        self.sentences.iter().filter(move |s| s.step == Some(step))
    }

    /// The normalized words of every span of `step`.
    fn norm_of(&self, step: Step) -> Vec<String> {
        self.sentences_of(step)
            .flat_map(|s| s.norm.iter().cloned())
            .collect()
    }

    /// Whether a sentence says `property` (the classifier with the sentence model, else phrases).
    fn says(&self, s: &Sentence, property: crate::analysis::content::Property) -> bool {
        crate::analysis::content::says(property, &s.text, &s.norm, s.embedding.as_deref(), self.lex)
    }

    /// The step's name in this type of answer.
    fn name(&self, step: Step) -> &'static str {
        self.profile.name(step)
    }

    /// "in the metrics (1:13–1:29)": where a check looked; "(no metrics step was found)".
    fn where_(&self, step: Step) -> String {
        let spans: Vec<String> = self
            .steps
            .iter()
            .filter(|r| r.step == step)
            .map(|r| {
                format!(
                    "{}–{}",
                    crate::time::clock(r.start_s),
                    crate::time::clock(r.end_s)
                )
            })
            .collect();
        if spans.is_empty() {
            format!("(no {} step was found)", self.profile.noun(step))
        } else {
            format!("in the {} ({})", self.profile.noun(step), spans.join(", "))
        }
    }
}

fn any_match(patterns: &[Pattern], words: &[String]) -> bool {
    patterns.iter().any(|p| p.is_match(words))
}

fn pct(x: f64) -> String {
    // Never "-0%".
    format!("{:.0}%", (x * 100.0).max(0.0))
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0 + 0.0
}

/// Pass inside `[lo, hi]`, warn within `slack` (a fraction of the bound) outside, else fail;
/// returns the status and how far outside the range the value is, relative to the range.
fn banded(v: f64, lo: f64, hi: f64, slack: f64) -> (Status, f64) {
    let width = (hi - lo).max(hi * 0.25).max(1e-9);
    // Short of the minimum counts at most as much as nothing at all (1: something missing);
    // past the maximum, without bound.
    let dev = if v < lo {
        ((lo - v) / width).min(1.0)
    } else if v > hi {
        (v - hi) / width
    } else {
        0.0
    };
    let status = if (lo..=hi).contains(&v) {
        Status::Pass
    } else if v >= lo * (1.0 - slack) && v <= hi * (1.0 + slack) {
        Status::Warn
    } else {
        Status::Fail
    };
    (status, dev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borderline_at_the_limit_and_at_the_edge_of_the_warning_band() {
        let check = |status| {
            Check::new(
                CheckId::SolutionShare,
                status,
                serde_json::json!(0.0),
                "",
                String::new(),
            )
        };
        let edges = [0.40, 0.45];
        // the point passes, the range reaches over the limit
        let c = check(Status::Pass).borderline_if(Some((0.36, 0.42)), &edges);
        assert!(c.borderline && c.status == Status::Warn, "{c:?}");
        assert!(c.message.contains("36%-42%"), "{}", c.message);
        // the point fails, the range reaches back into the warning band
        let c = check(Status::Fail).borderline_if(Some((0.43, 0.47)), &edges);
        assert!(c.borderline && c.status == Status::Warn, "{c:?}");
        // wholly on one side of every edge: the verdict stands
        for (status, range) in [
            (Status::Pass, (0.20, 0.39)),
            (Status::Warn, (0.41, 0.44)),
            (Status::Fail, (0.46, 0.60)),
        ] {
            let c = check(status).borderline_if(Some(range), &edges);
            assert!(!c.borderline && c.status == status, "{c:?}");
        }
        assert!(!check(Status::Pass).borderline_if(None, &edges).borderline);
    }

    #[test]
    fn banded_statuses() {
        assert_eq!(banded(45.0, 30.0, 60.0, 0.25).0, Status::Pass);
        assert_eq!(banded(25.0, 30.0, 60.0, 0.25).0, Status::Warn);
        assert_eq!(banded(20.0, 30.0, 60.0, 0.25).0, Status::Fail);
        assert_eq!(banded(70.0, 30.0, 60.0, 0.25).0, Status::Warn);
        assert_eq!(banded(80.0, 30.0, 60.0, 0.25).0, Status::Fail);
        assert_eq!(banded(30.0, 30.0, 60.0, 0.0).0, Status::Pass);
        assert!(banded(90.0, 30.0, 60.0, 0.25).1 > banded(70.0, 30.0, 60.0, 0.25).1);
    }

    #[test]
    fn a_shortfall_is_never_further_off_than_nothing_at_all() {
        // 8 s of a 20-30 s budget was 1.2, beyond the 1 of a missing element
        assert_eq!(banded(8.0, 20.0, 30.0, 0.5).1, 1.0);
        assert_eq!(banded(0.0, 20.0, 30.0, 0.5).1, 1.0);
        assert_eq!(banded(15.0, 20.0, 30.0, 0.5).1, 0.5);
        // an overrun is not capped
        assert!(banded(60.0, 20.0, 30.0, 0.5).1 > 1.0);
    }

    #[test]
    fn ids_round_trip_and_old_ids_survive() {
        for r in RULES {
            let json = serde_json::to_string(&r.id).unwrap();
            assert_eq!(json, format!("\"{}\"", r.name));
            assert_eq!(serde_json::from_str::<CheckId>(&json).unwrap(), r.id);
            assert_eq!(r.id.as_str(), r.name);
        }
        let old: CheckId = serde_json::from_str("\"framework_named\"").unwrap();
        assert_eq!(old, CheckId::Other("framework_named".into()));
        assert_eq!(serde_json::to_string(&old).unwrap(), "\"framework_named\"");
    }

    #[test]
    fn no_negative_zero() {
        assert_eq!(pct(-0.0001), "0%");
        assert_eq!(round3(-0.0001).to_string(), "0");
    }
}
