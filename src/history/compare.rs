//! Two takes side by side (`paceback compare A B`): their timelines on one time scale, the
//! seconds per step and their change, the problem/solution shares, and the checks whose verdict
//! changed. Pure: two saved takes in, a [`Comparison`] (the `paceback.compare/1` JSON) out.

use serde::Serialize;

use super::index::StepTotals;
use super::take::{QuestionRef, TakeRecord};
use crate::analysis::method::profile;
use crate::analysis::{Analysis, Framework, QuestionType, Status, Step};
use crate::time::{clock, round_cs};

/// The `--json` contract of `paceback compare`.
pub const SCHEMA: &str = "paceback.compare/1";

/// A figure in take A, in take B, and B − A.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    pub a: f64,
    pub b: f64,
    pub change: f64,
}

impl Change {
    fn new(a: f64, b: f64) -> Change {
        Change {
            a: round_cs(a),
            b: round_cs(b),
            change: round_cs(b - a),
        }
    }

    /// A share: fractions rounded to 4 places.
    fn share(a: f64, b: f64) -> Change {
        let r = |x: f64| (x * 10_000.0).round() / 10_000.0 + 0.0;
        Change {
            a: r(a),
            b: r(b),
            change: r(b - a),
        }
    }
}

/// One stretch of a take's timeline, in seconds from the first word.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    pub step: Step,
    pub start_s: f64,
    pub end_s: f64,
}

/// One of the two takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub id: String,
    pub recorded_at: String,
    pub question: QuestionRef,
    pub framework: Framework,
    pub think_pause_s: f64,
    pub answer_s: f64,
    /// The steps in time order, from the first word (an id may repeat).
    pub timeline: Vec<Span>,
    pub checks_passed: usize,
    pub checks_total: usize,
}

/// Seconds on one step in each take.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepChange {
    pub step: Step,
    pub label: String,
    pub seconds: Change,
    /// Its share of each answer's time.
    pub share: Change,
    /// Seconds on it in the example answer of B's type (`reference`), when there is one.
    pub reference_s: Option<f64>,
}

/// A timing budget in both takes (same question type only: other types have other budgets).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetChange {
    pub id: String,
    pub label: String,
    pub min_s: f64,
    pub max_s: f64,
    pub seconds: Change,
}

/// The two key shares, where they apply to both takes' types.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shares {
    pub problem_definition: Change,
    pub solution: Change,
}

/// A check whose verdict differs between the takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckChange {
    pub id: String,
    pub a: Status,
    pub b: Status,
    /// Whether B's verdict is the better one.
    pub better: bool,
    /// What the check says about take B.
    pub message: String,
}

/// A labelled example answer of one question type (`src/history/references.json`, built by
/// `scripts/make_references.py` from samples/answers): the reference takes are held against.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Reference {
    #[serde(rename = "type")]
    pub qtype: QuestionType,
    /// The sample script it was synthesized from.
    pub source: String,
    /// What kind of answer it is, for the reader.
    pub label: String,
    pub question: String,
    pub think_pause_s: f64,
    pub answer_s: f64,
    /// Its labelled seconds per step.
    pub steps: StepTotals,
}

impl Reference {
    /// Its seconds per step in method order, steps it does not have left out.
    pub fn step_seconds(&self) -> Vec<(Step, f64)> {
        self.qtype
            .framework()
            .steps()
            .iter()
            .map(|st| (*st, self.steps.get(*st)))
            .filter(|(_, secs)| *secs > 0.0)
            .collect()
    }

    /// "A strong product sense answer (6:22) spends 1:00 on customer, …".
    pub fn sentence(&self) -> String {
        let names = profile(self.qtype);
        let spends: Vec<String> = self
            .step_seconds()
            .iter()
            .map(|(st, secs)| format!("{} on {}", clock(*secs), names.name(*st).to_lowercase()))
            .collect();
        format!(
            "A strong {} answer ({}) spends {}.",
            self.qtype.label(),
            clock(self.answer_s),
            spends.join(", ")
        )
    }
}

#[derive(serde::Deserialize)]
struct References {
    references: Vec<Reference>,
}

/// The example answer of `qtype`.
pub fn reference(qtype: QuestionType) -> Option<&'static Reference> {
    static REFERENCES: std::sync::OnceLock<Vec<Reference>> = std::sync::OnceLock::new();
    REFERENCES
        .get_or_init(|| {
            serde_json::from_str::<References>(include_str!("references.json"))
                .map(|r| r.references)
                .unwrap_or_default()
        })
        .iter()
        .find(|r| r.qtype == qtype)
}

/// Everything `compare` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub schema: &'static str,
    pub a: Side,
    pub b: Side,
    /// Both answered the same bank question, or the same wording.
    pub same_question: bool,
    pub same_type: bool,
    /// Said when the takes are of different types: what is compared and what is not.
    pub note: Option<String>,
    /// The longer answer's time: both timelines are drawn on this scale.
    pub scale_s: f64,
    pub answer: Change,
    pub think_pause: Change,
    /// The steps both takes' types have, in method order (steps neither used are left out).
    pub steps: Vec<StepChange>,
    pub shares: Option<Shares>,
    pub budgets: Vec<BudgetChange>,
    /// Checks both takes have, against the same target, whose verdict changed.
    pub checks: Vec<CheckChange>,
    /// Checks both takes have, against the same target, with the same verdict.
    pub checks_unchanged: usize,
    /// The labelled example answer of B's question type, to hold both against.
    pub reference: Option<&'static Reference>,
}

fn side(rec: &TakeRecord, a: &Analysis) -> Side {
    let start = a.answer.start_s;
    Side {
        id: rec.id.clone(),
        recorded_at: rec.recorded_at.clone(),
        question: QuestionRef {
            id: rec.question.id.clone(),
            text: rec
                .question
                .text
                .clone()
                .or_else(|| a.question.text.clone()),
            qtype: a.question.qtype,
        },
        framework: a.framework,
        think_pause_s: round_cs(a.think_pause_s),
        answer_s: round_cs(a.answer.duration_s),
        timeline: a
            .steps
            .iter()
            .map(|s| Span {
                step: s.step,
                start_s: round_cs(s.start_s - start),
                end_s: round_cs(s.end_s - start),
            })
            .collect(),
        checks_passed: a.checks.iter().filter(|c| c.status == Status::Pass).count(),
        checks_total: a.checks.len(),
    }
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::Warn => 1,
        Status::Pass => 2,
    }
}

/// The name of `step` for a reader of both takes: the types' own names, both when they differ.
fn step_label(a: QuestionType, b: QuestionType, step: Step) -> String {
    let (na, nb) = (profile(a).name(step), profile(b).name(step));
    if na == nb {
        na.to_string()
    } else {
        format!("{na} / {nb}")
    }
}

/// Whether two takes answered the same question: the same bank question, or the same words.
pub fn same_question(a: &QuestionRef, b: &QuestionRef) -> bool {
    match (&a.id, &b.id) {
        (Some(x), Some(y)) => x == y,
        _ => {
            let norm = |t: &Option<String>| t.as_deref().map(|t| t.trim().to_lowercase());
            norm(&a.text).is_some() && norm(&a.text) == norm(&b.text)
        }
    }
}

/// Compare take A (usually the earlier) with take B; every change is B − A.
pub fn compare(ra: &TakeRecord, a: &Analysis, rb: &TakeRecord, b: &Analysis) -> Comparison {
    let (ta, tb) = (a.question.qtype, b.question.qtype);
    let same_type = ta == tb;
    let sa = side(ra, a);
    let sb = side(rb, b);
    let total = |x: &Analysis, step: Step| -> f64 {
        x.totals
            .iter()
            .filter(|(s, _)| *s == step)
            .map(|(_, v)| v)
            .sum()
    };
    let share_of = |x: &Analysis, secs: f64| {
        if x.answer.duration_s > 0.0 {
            secs / x.answer.duration_s
        } else {
            0.0
        }
    };
    let steps: Vec<StepChange> = ta
        .steps()
        .iter()
        .filter(|s| tb.steps().contains(s))
        .map(|&step| (step, total(a, step), total(b, step)))
        .filter(|(_, x, y)| *x > 0.0 || *y > 0.0)
        .map(|(step, x, y)| StepChange {
            step,
            label: step_label(ta, tb, step),
            seconds: Change::new(x, y),
            share: Change::share(share_of(a, x), share_of(b, y)),
            reference_s: reference(tb).map(|r| r.steps.get(step)),
        })
        .collect();
    let applies = |t: QuestionType| profile(t).rules.shares;
    let shares = match (
        a.shares.problem_definition.filter(|_| applies(ta)),
        a.shares.solution.filter(|_| applies(ta)),
        b.shares.problem_definition.filter(|_| applies(tb)),
        b.shares.solution.filter(|_| applies(tb)),
    ) {
        (Some(pa), Some(sa), Some(pb), Some(sb)) => Some(Shares {
            problem_definition: Change::share(pa, pb),
            solution: Change::share(sa, sb),
        }),
        _ => None,
    };
    let budgets = if same_type {
        b.budgets
            .iter()
            .filter_map(|bb| {
                let ba = a.budgets.iter().find(|x| x.id == bb.id)?;
                Some(BudgetChange {
                    id: bb.id.to_string(),
                    label: bb.label.to_string(),
                    min_s: bb.min_s,
                    max_s: bb.max_s,
                    seconds: Change::new(ba.actual_s, bb.actual_s),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut checks = Vec::new();
    let mut checks_unchanged = 0;
    for cb in &b.checks {
        let Some(ca) = a.checks.iter().find(|c| c.id == cb.id) else {
            continue;
        };
        // Across types a check can hold each take to its own budget (framing 10-15 s against
        // 1:00-1:30): its verdicts are then not a change.
        if ca.target != cb.target {
            continue;
        }
        if ca.status == cb.status {
            checks_unchanged += 1;
        } else {
            checks.push(CheckChange {
                id: cb.id.as_str().to_string(),
                a: ca.status,
                b: cb.status,
                better: rank(cb.status) > rank(ca.status),
                message: cb.message.clone(),
            });
        }
    }
    let note = (!same_type).then(|| {
        let common = steps.len();
        let mut note = format!(
            "different question types ({} and {}): their budgets differ, so only the steps both have are compared",
            ta.label(),
            tb.label()
        );
        if common == 0 {
            note = format!(
                "different question types ({} and {}): their budgets differ and they share no steps, so only length, think pause and checks are compared",
                ta.label(),
                tb.label()
            );
        }
        note
    });
    Comparison {
        schema: SCHEMA,
        same_question: same_question(&sa.question, &sb.question),
        same_type,
        note,
        scale_s: round_cs(a.answer.duration_s.max(b.answer.duration_s)),
        answer: Change::new(a.answer.duration_s, b.answer.duration_s),
        think_pause: Change::new(a.think_pause_s, b.think_pause_s),
        steps,
        shares,
        budgets,
        checks,
        checks_unchanged,
        reference: reference(tb),
        a: sa,
        b: sb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{self, Lexicon};
    use crate::transcript::Transcript;

    fn take(
        id: &str,
        fixture: &str,
        stretch: f64,
        qtype: Option<QuestionType>,
    ) -> (TakeRecord, Analysis) {
        let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
        let mut transcript = Transcript::load(std::path::Path::new(&path)).unwrap();
        // Everything after the first 20 s of speech is said `stretch` times slower.
        let from = transcript.words[0].start_s + 20.0;
        for w in &mut transcript.words {
            for t in [&mut w.start_s, &mut w.end_s] {
                if *t > from {
                    *t = from + (*t - from) * stretch;
                }
            }
        }
        transcript.duration_s = transcript.words.last().unwrap().end_s + 1.0;
        let input = analysis::Input {
            words: transcript.words.clone(),
            duration_s: transcript.duration_s,
            question: Some("Design a product for night-shift nurses.".into()),
            qtype,
            ..Default::default()
        };
        let a = analysis::analyze(&input, &Lexicon::builtin(), None);
        let rec = TakeRecord {
            schema: super::super::take::SCHEMA.into(),
            id: id.into(),
            recorded_at: "2026-11-02T10:00:00+00:00".into(),
            source: "analyze".into(),
            question: QuestionRef {
                id: None,
                text: a.question.text.clone(),
                qtype: a.question.qtype,
            },
            audio: None,
            duration_s: transcript.duration_s,
            device: None,
            transcript,
            analysis: serde_json::to_value(&a).unwrap(),
            earlier_analyses: Vec::new(),
            interrupted: false,
        };
        (rec, a)
    }

    #[test]
    fn changes_are_b_minus_a_on_the_longer_scale() {
        let (ra, a) = take("a", "product_sense.transcript.json", 1.0, None);
        let (rb, b) = take("b", "product_sense.transcript.json", 1.5, None);
        let c = compare(&ra, &a, &rb, &b);
        assert!(c.same_question && c.same_type && c.note.is_none());
        assert_eq!(c.scale_s, c.b.answer_s);
        assert!(c.answer.change > 30.0, "{:?}", c.answer);
        let total: f64 = c.steps.iter().map(|s| s.seconds.change).sum();
        assert!(
            (total - c.answer.change).abs() < 0.2,
            "{total} vs {:?}",
            c.answer
        );
        assert_eq!(c.steps[0].step, Step::Classify);
        assert!(c.shares.is_some());
        assert!(!c.budgets.is_empty());
        // The same take against itself changes nothing.
        let same = compare(&ra, &a, &ra, &a);
        assert!(same.checks.is_empty() && same.steps.iter().all(|s| s.seconds.change == 0.0));
        assert_eq!(same.checks_unchanged, a.checks.len());
    }

    #[test]
    fn every_type_has_an_example_answer_with_its_own_steps() {
        for t in QuestionType::ALL {
            let r = reference(t).unwrap_or_else(|| panic!("no example for {t}"));
            assert!(r.answer_s > 60.0, "{t}");
            assert!(r.steps.0.iter().all(|(s, _)| t.steps().contains(s)), "{t}");
            let sum: f64 = r.steps.0.iter().map(|s| s.1).sum();
            assert!(
                sum <= r.answer_s + 0.5 && sum > 0.8 * r.answer_s,
                "{t}: {sum}"
            );
        }
    }

    #[test]
    fn different_types_compare_only_the_steps_both_have() {
        let (ra, a) = take("a", "product_sense.transcript.json", 1.0, None);
        let (rb, b) = take(
            "b",
            "product_sense.transcript.json",
            1.0,
            Some(QuestionType::Estimation),
        );
        let c = compare(&ra, &a, &rb, &b);
        assert!(!c.same_type && c.note.as_deref().unwrap().contains("budgets differ"));
        assert!(c.budgets.is_empty());
        // a check that holds each take to its own type's budget is not a change
        assert!(
            c.checks
                .iter()
                .all(|ch| ch.id != "customer_framing" && ch.id != "answer_length"),
            "{:?}",
            c.checks
        );
        assert!(
            c.steps
                .iter()
                .all(|s| QuestionType::Estimation.steps().contains(&s.step))
        );
        assert!(
            !c.steps
                .iter()
                .any(|s| s.step == Step::Vision || s.step == Step::Metrics)
        );
        let (rs, s) = take(
            "s",
            "star.transcript.json",
            1.0,
            Some(QuestionType::Behavioral),
        );
        let c = compare(&ra, &a, &rs, &s);
        assert!(c.steps.is_empty() && c.shares.is_none());
        assert!(c.note.unwrap().contains("share no steps"));
    }
}
