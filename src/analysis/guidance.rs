//! The numbers of the method (SPEC §2 and §4) in one place, and Toastmasters-style timing lights.
//!
//! Where SPEC's rules conflict for a question type, the type's own budget wins: prioritization
//! and estimation answers frame the customer for 10–30 s by design, so the problem/solution
//! shares, the 30–60 s pain rule and the 5–8 minute length apply to product sense and strategy
//! answers (and length, pressure-test to prioritization too); STAR answers are held only to the
//! limits that make sense for any answer (think pause, at most 8 minutes, delivery).

use serde::{Deserialize, Serialize};

use super::steps::{QuestionType, Step};

/// A timing budget: reaching `min` is green, `yellow_at` and beyond is yellow, past `max` red.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Budget {
    pub id: &'static str,
    pub label: &'static str,
    pub min_s: f64,
    pub target_s: f64,
    pub max_s: f64,
    #[serde(skip)]
    pub yellow_at: f64,
}

/// Toastmasters timing light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// The minimum was not reached.
    Under,
    Green,
    Yellow,
    Red,
}

impl Budget {
    const fn new(
        id: &'static str,
        label: &'static str,
        min_s: f64,
        target_s: f64,
        max_s: f64,
        yellow_at: f64,
    ) -> Self {
        Budget {
            id,
            label,
            min_s,
            target_s,
            max_s,
            yellow_at,
        }
    }

    /// A budget given as a range: target and yellow light at its middle.
    const fn range(id: &'static str, label: &'static str, min_s: f64, max_s: f64) -> Self {
        let mid = (min_s + max_s) / 2.0;
        Budget::new(id, label, min_s, mid, max_s, mid)
    }

    pub fn light(&self, actual_s: f64) -> Light {
        if actual_s > self.max_s {
            Light::Red
        } else if actual_s >= self.yellow_at {
            Light::Yellow
        } else if actual_s >= self.min_s {
            Light::Green
        } else {
            Light::Under
        }
    }
}

/// 5–8 minutes, practised against a 6-minute timer.
pub const ANSWER: Budget = Budget::new("answer", "Whole answer", 300.0, 360.0, 480.0, 360.0);
/// 5–10 s of silence before the first word.
pub const THINK_PAUSE: Budget = Budget::range("think_pause", "Think pause", 5.0, 10.0);
/// 30–60 s on the current pain.
pub const PAIN: Budget = Budget::range("pain", "Pain", 30.0, 60.0);
/// 20–30 s on the pressure-test.
pub const PRESSURE_TEST: Budget = Budget::range("pressure_test", "Pressure-test", 20.0, 30.0);
/// Steps 2–4 of a product sense answer: 90–120 s.
pub const FRAMING_PRODUCT_SENSE: Budget = Budget::range(
    "problem_definition",
    "Customer framing (steps 2-4)",
    90.0,
    120.0,
);
/// Over this many seconds on steps 2–4, several segments are usually being described.
pub const OVER_FRAMING_WARN_S: f64 = 120.0;
/// 4 minutes on steps 2–4 leaves the solution rushed.
pub const OVER_FRAMING_FAIL_S: f64 = 240.0;

/// Customer definition + pain, per question type.
pub fn customer_framing(qtype: QuestionType) -> Option<Budget> {
    const LABEL: &str = "Customer + pain";
    Some(match qtype {
        QuestionType::ProductSense => Budget::range("customer_framing", LABEL, 60.0, 90.0),
        QuestionType::Strategy => Budget::range("customer_framing", LABEL, 45.0, 60.0),
        QuestionType::Prioritization => Budget::range("customer_framing", LABEL, 20.0, 30.0),
        QuestionType::Estimation => Budget::range("customer_framing", LABEL, 10.0, 15.0),
        QuestionType::Behavioral => return None,
    })
}

/// At least this share of answer time on problem definition (steps 2–4).
pub const MIN_PROBLEM_SHARE: f64 = 0.30;
/// At most this share on the solution (steps 5–6).
pub const MAX_SOLUTION_SHARE: f64 = 0.40;

/// Whether the problem/solution share rules apply to this type.
pub fn shares_apply(qtype: QuestionType) -> bool {
    matches!(qtype, QuestionType::ProductSense | QuestionType::Strategy)
}

/// Whether the 30–60 s pain rule applies.
pub fn pain_rule_applies(qtype: QuestionType) -> bool {
    matches!(qtype, QuestionType::ProductSense | QuestionType::Strategy)
}

/// Whether the 20–30 s pressure-test rule and the content checks of a full Working Backwards
/// answer apply.
pub fn full_sequence(qtype: QuestionType) -> bool {
    matches!(
        qtype,
        QuestionType::ProductSense | QuestionType::Strategy | QuestionType::Prioritization
    )
}

/// Whether the 5-minute minimum applies (the 8-minute maximum always does).
pub fn minimum_length_applies(qtype: QuestionType) -> bool {
    full_sequence(qtype)
}

/// The timing budgets reported with lights for an answer of this type.
pub fn budgets(qtype: QuestionType) -> Vec<(Budget, Vec<Step>)> {
    let mut out = vec![];
    if let Some(b) = customer_framing(qtype) {
        out.push((b, vec![Step::Customer, Step::Pain]));
    }
    if qtype == QuestionType::ProductSense {
        out.push((
            FRAMING_PRODUCT_SENSE,
            vec![Step::Customer, Step::Pain, Step::Vision],
        ));
    }
    if pain_rule_applies(qtype) {
        out.push((PAIN, vec![Step::Pain]));
    }
    if full_sequence(qtype) {
        out.push((PRESSURE_TEST, vec![Step::Risks]));
    }
    out
}

/// Speaking-rate bands published by speech coaches (words per minute).
pub const PACE_BANDS: [(&str, f64, f64); 2] = [
    ("PowerPoint Speaker Coach", 100.0, 165.0),
    ("Read.ai", 130.0, 175.0),
];
/// Filler words under this share of words are fine.
pub const FILLERS_FINE_PER_100: f64 = 4.0;
/// A silence this long between words is a long pause.
pub const LONG_PAUSE_S: f64 = 2.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lights_follow_toastmasters() {
        // 5 min green, 6 min yellow, past 8 red
        assert_eq!(ANSWER.light(240.0), Light::Under);
        assert_eq!(ANSWER.light(300.0), Light::Green);
        assert_eq!(ANSWER.light(359.0), Light::Green);
        assert_eq!(ANSWER.light(360.0), Light::Yellow);
        assert_eq!(ANSWER.light(480.0), Light::Yellow);
        assert_eq!(ANSWER.light(480.5), Light::Red);
        assert_eq!(PAIN.light(44.0), Light::Green);
        assert_eq!(PAIN.light(45.0), Light::Yellow);
        assert_eq!(PAIN.light(61.0), Light::Red);
    }

    #[test]
    fn framing_budgets_per_type() {
        let f = |t| customer_framing(t).map(|b| (b.min_s, b.max_s));
        assert_eq!(f(QuestionType::ProductSense), Some((60.0, 90.0)));
        assert_eq!(f(QuestionType::Strategy), Some((45.0, 60.0)));
        assert_eq!(f(QuestionType::Prioritization), Some((20.0, 30.0)));
        assert_eq!(f(QuestionType::Estimation), Some((10.0, 15.0)));
        assert_eq!(f(QuestionType::Behavioral), None);
    }
}
