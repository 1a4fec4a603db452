//! The answer method as data: every number it sets (docs/method.md) and, per question type, one
//! profile saying which framework and steps apply, what the steps are called, the customer-framing
//! budget and which rules apply. Checks, reports, the live panel and the history read what applies
//! from here; adding a question type is one profile here plus its cues and questions.

use super::guidance::Budget;
use super::steps::{Framework, QuestionType, Step};

/// Which rules apply to a question type (docs/method.md, "Where each rule applies").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Problem share at least 30%, solution share at most 40%.
    pub shares: bool,
    /// 30–60 s on today's pain.
    pub pain: bool,
    /// 20–30 s on the pressure-test.
    pub pressure_test: bool,
    /// At least 5 minutes (at most 8 applies to every answer).
    pub min_length: bool,
    /// Steps 2–4 at most 2 minutes (warn), 4 (fail); the 90–120 s framing budget.
    pub over_framing: bool,
    /// What was not built in v1, 3–5 capabilities without hedged extras, one segment.
    pub solution_content: bool,
    /// An outcome metric, a guardrail, a threshold; a risk with a mitigation.
    pub metrics_and_risks: bool,
    /// A closing sentence (the thesis, or the number).
    pub close: bool,
    /// All four STAR steps.
    pub star: bool,
}

/// Everything particular to one question type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TypeProfile {
    pub qtype: QuestionType,
    pub framework: Framework,
    /// The steps an answer of this type can have, in order.
    pub steps: &'static [Step],
    /// Names of steps that mean something else in this type (the rest keep their own).
    pub names: &'static [(Step, &'static str)],
    /// Customer definition + pain.
    pub customer_framing: Option<Budget>,
    /// How advice speaks of that framing.
    pub framing_words: FramingWords,
    pub rules: Rules,
    /// How the answer should end, as advice.
    pub close_advice: &'static str,
}

/// How the framing advice speaks of a type's framing (steps 2–3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FramingWords {
    /// What is framed: "the customer and their pain".
    pub what: &'static str,
    /// The framing's name in advice: "customer framing".
    pub name: &'static str,
    /// How to keep it short.
    pub trim: &'static str,
}

const CUSTOMER_FRAMING: FramingWords = FramingWords {
    what: "the customer and their pain",
    name: "customer framing",
    trim: "Pick one segment and move on.",
};

impl TypeProfile {
    /// What a person reads for `step` in an answer of this type.
    pub fn name(&self, step: Step) -> &'static str {
        self.names
            .iter()
            .find(|(s, _)| *s == step)
            .map_or(step.label(), |(_, n)| n)
    }

    /// The step's name as a noun inside a sentence: lower case, without an article of its own
    /// ("thesis"; an estimation's "The number" is "number", to be said "the number").
    pub fn noun(&self, step: Step) -> String {
        let name = self.name(step).to_lowercase();
        match name.strip_prefix("the ") {
            Some(noun) => noun.to_string(),
            None => name,
        }
    }

    /// "a product sense", "an estimation": the type with its article.
    pub fn with_article(&self) -> String {
        let label = self.qtype.label();
        let article = if label.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {label}")
    }
}

/// The method's numbers and the question types' profiles.
#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    /// Whole answer: 5–8 minutes, practised against 6.
    pub answer: Budget,
    pub think_pause: Budget,
    pub pain: Budget,
    pub pressure_test: Budget,
    /// Steps 2–4 of a product sense answer.
    pub framing: Budget,
    /// Steps 2–4 longer than this: several segments are usually being described (warn).
    pub over_framing_warn_s: f64,
    /// ... longer than this leaves the solution rushed (fail).
    pub over_framing_fail_s: f64,
    pub min_problem_share: f64,
    pub max_solution_share: f64,
    /// A share this close on the wrong side of its limit is a warning, further a failure.
    pub share_slack: f64,
    /// How many capabilities an answer should name.
    pub capabilities: (usize, usize),
    /// A closing thesis longer than this many words is not one sentence.
    pub thesis_max_words: usize,
    /// Coaches' speaking-rate bands (words per minute).
    pub pace_bands: [(&'static str, f64, f64); 2],
    /// Fillers under this many per 100 words are fine.
    pub fillers_fine_per_100: f64,
    /// A silence this long between words is a long pause.
    pub long_pause_s: f64,
    /// Long pauses inside steps allowed before a warning.
    pub long_pauses_allowed: usize,
    pub profiles: [TypeProfile; 5],
}

const WORKING_BACKWARDS_ALL: Rules = Rules {
    shares: true,
    pain: true,
    pressure_test: true,
    min_length: true,
    over_framing: false,
    solution_content: true,
    metrics_and_risks: true,
    close: true,
    star: false,
};

const ESTIMATION_STEPS: [Step; 6] = [
    Step::Classify,
    Step::Customer,
    Step::Pain,
    Step::Capabilities,
    Step::Risks,
    Step::Thesis,
];

const THESIS_ADVICE: &str = "End with one sentence: \"We are building [capability] for [customer] who [pain], replacing [workaround] with [outcome].\" Then stop.";

/// The method as docs/method.md writes it down.
pub static METHOD: Method = Method {
    answer: Budget::new("answer", "Whole answer", 300.0, 360.0, 480.0, 360.0),
    think_pause: Budget::range("think_pause", "Think pause", 5.0, 10.0),
    pain: Budget::range("pain", "Pain", 30.0, 60.0),
    pressure_test: Budget::range("pressure_test", "Pressure-test", 20.0, 30.0),
    framing: Budget::range(
        "problem_definition",
        "Customer framing (steps 2-4)",
        90.0,
        120.0,
    ),
    over_framing_warn_s: 120.0,
    over_framing_fail_s: 240.0,
    min_problem_share: 0.30,
    max_solution_share: 0.40,
    share_slack: 0.05,
    capabilities: (3, 5),
    thesis_max_words: 60,
    pace_bands: [
        ("PowerPoint Speaker Coach", 100.0, 165.0),
        ("Read.ai", 130.0, 175.0),
    ],
    fillers_fine_per_100: 4.0,
    long_pause_s: 2.0,
    long_pauses_allowed: 1,
    profiles: [
        TypeProfile {
            qtype: QuestionType::ProductSense,
            framework: Framework::WorkingBackwards,
            steps: &Step::WORKING_BACKWARDS,
            names: &[],
            customer_framing: Some(Budget::range(
                "customer_framing",
                "Customer + pain",
                60.0,
                90.0,
            )),
            framing_words: CUSTOMER_FRAMING,
            rules: Rules {
                over_framing: true,
                ..WORKING_BACKWARDS_ALL
            },
            close_advice: THESIS_ADVICE,
        },
        TypeProfile {
            qtype: QuestionType::Strategy,
            framework: Framework::WorkingBackwards,
            steps: &Step::WORKING_BACKWARDS,
            names: &[(Step::Capabilities, "Strategic moves")],
            customer_framing: Some(Budget::range(
                "customer_framing",
                "Customer + pain",
                45.0,
                60.0,
            )),
            framing_words: CUSTOMER_FRAMING,
            rules: WORKING_BACKWARDS_ALL,
            close_advice: "End with your recommendation in one sentence (\"So my answer is yes, by partnering first, because...\"). Then stop.",
        },
        TypeProfile {
            qtype: QuestionType::Prioritization,
            framework: Framework::WorkingBackwards,
            steps: &Step::WORKING_BACKWARDS,
            names: &[(Step::Capabilities, "Options and pick")],
            customer_framing: Some(Budget::range(
                "customer_framing",
                "Customer + pain",
                20.0,
                30.0,
            )),
            // A 20–30 s framing cannot be 30% of the answer: the type's budget wins.
            framing_words: CUSTOMER_FRAMING,
            rules: Rules {
                shares: false,
                pain: false,
                solution_content: false,
                ..WORKING_BACKWARDS_ALL
            },
            close_advice: "End by restating your pick and what you defer, in one sentence. Then stop.",
        },
        TypeProfile {
            qtype: QuestionType::Estimation,
            framework: Framework::WorkingBackwards,
            steps: &ESTIMATION_STEPS,
            names: &[
                (Step::Customer, "Framing"),
                (Step::Pain, "Framing (the need)"),
                (Step::Capabilities, "The maths"),
                (Step::Risks, "Sanity check"),
                (Step::Thesis, "The number"),
            ],
            customer_framing: Some(Budget::range("customer_framing", "Framing", 10.0, 15.0)),
            framing_words: FramingWords {
                what: "what you are counting and where",
                name: "framing",
                trim: "Say what you count and its scope, then start the maths.",
            },
            rules: Rules {
                shares: false,
                pain: false,
                pressure_test: false,
                min_length: false,
                over_framing: false,
                solution_content: false,
                metrics_and_risks: false,
                close: true,
                star: false,
            },
            close_advice: "Finish with the number in one sentence, then stop.",
        },
        TypeProfile {
            qtype: QuestionType::Behavioral,
            framework: Framework::Star,
            steps: &Step::STAR,
            names: &[],
            customer_framing: None,
            framing_words: CUSTOMER_FRAMING,
            rules: Rules {
                shares: false,
                pain: false,
                pressure_test: false,
                min_length: false,
                over_framing: false,
                solution_content: false,
                metrics_and_risks: false,
                close: false,
                star: true,
            },
            close_advice: "End on the result and what you learned.",
        },
    ],
};

impl Method {
    /// The profile of a question type.
    pub fn profile(&self, qtype: QuestionType) -> &TypeProfile {
        self.profiles
            .iter()
            .find(|p| p.qtype == qtype)
            .expect("every question type has a profile")
    }

    /// The timing budgets reported with lights for an answer of this type, with the steps each
    /// counts.
    pub fn budgets(&self, qtype: QuestionType) -> Vec<(Budget, Vec<Step>)> {
        let p = self.profile(qtype);
        // Only the 8-minute maximum applies to answers that are not a full sequence.
        let answer = if p.rules.min_length {
            self.answer
        } else {
            let max = self.answer.max_s;
            Budget::new(self.answer.id, self.answer.label, 0.0, max, max, max)
        };
        let mut out = vec![(answer, vec![]), (self.think_pause, vec![])];
        if let Some(b) = p.customer_framing {
            out.push((b, vec![Step::Customer, Step::Pain]));
        }
        if p.rules.over_framing {
            out.push((self.framing, vec![Step::Customer, Step::Pain, Step::Vision]));
        }
        if p.rules.pain {
            out.push((self.pain, vec![Step::Pain]));
        }
        if p.rules.pressure_test {
            out.push((self.pressure_test, vec![Step::Risks]));
        }
        out
    }
}

/// The profile of a question type under the standard method.
pub fn profile(qtype: QuestionType) -> &'static TypeProfile {
    METHOD.profile(qtype)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_one_profile_with_its_framework_steps() {
        for t in QuestionType::ALL {
            let p = profile(t);
            assert_eq!(p.qtype, t);
            assert_eq!(p.framework, t.framework());
            assert!(p.steps.iter().all(|s| s.framework() == p.framework));
            assert_eq!(METHOD.profiles.iter().filter(|q| q.qtype == t).count(), 1);
        }
    }

    #[test]
    fn estimation_steps_have_their_own_names() {
        let p = profile(QuestionType::Estimation);
        assert_eq!(p.name(Step::Capabilities), "The maths");
        assert_eq!(p.name(Step::Thesis), "The number");
        assert_eq!(p.noun(Step::Thesis), "number");
        assert_eq!(p.noun(Step::Risks), "sanity check");
        assert!(!p.steps.contains(&Step::Vision) && !p.steps.contains(&Step::Metrics));
        assert_eq!(
            profile(QuestionType::ProductSense).name(Step::Risks),
            "Pressure-test"
        );
    }

    #[test]
    fn articles_fit_the_type() {
        assert_eq!(
            profile(QuestionType::Estimation).with_article(),
            "an estimation"
        );
        assert_eq!(profile(QuestionType::Strategy).with_article(), "a strategy");
    }

    #[test]
    fn budgets_follow_the_rules_that_apply() {
        let ids = |t| -> Vec<&str> { METHOD.budgets(t).iter().map(|(b, _)| b.id).collect() };
        assert_eq!(
            ids(QuestionType::ProductSense),
            [
                "answer",
                "think_pause",
                "customer_framing",
                "problem_definition",
                "pain",
                "pressure_test"
            ]
        );
        assert_eq!(ids(QuestionType::Behavioral), ["answer", "think_pause"]);
        assert_eq!(
            ids(QuestionType::Estimation),
            ["answer", "think_pause", "customer_framing"]
        );
    }
}
