//! The answer methods' steps and the question types (docs/method.md).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which answer method an analysis uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Framework {
    WorkingBackwards,
    Star,
}

impl Framework {
    pub fn steps(self) -> &'static [Step] {
        match self {
            Framework::WorkingBackwards => &Step::WORKING_BACKWARDS,
            Framework::Star => &Step::STAR,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Framework::WorkingBackwards => "working_backwards",
            Framework::Star => "star",
        }
    }
}

/// One step of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Classify,
    Customer,
    Pain,
    Vision,
    Capabilities,
    Metrics,
    Risks,
    Thesis,
    Situation,
    Task,
    Action,
    Result,
}

impl Step {
    pub const WORKING_BACKWARDS: [Step; 8] = [
        Step::Classify,
        Step::Customer,
        Step::Pain,
        Step::Vision,
        Step::Capabilities,
        Step::Metrics,
        Step::Risks,
        Step::Thesis,
    ];
    pub const STAR: [Step; 4] = [Step::Situation, Step::Task, Step::Action, Step::Result];

    pub const ALL: [Step; 12] = [
        Step::Classify,
        Step::Customer,
        Step::Pain,
        Step::Vision,
        Step::Capabilities,
        Step::Metrics,
        Step::Risks,
        Step::Thesis,
        Step::Situation,
        Step::Task,
        Step::Action,
        Step::Result,
    ];

    /// The id used in JSON and in the cue lexicon.
    pub fn id(self) -> &'static str {
        match self {
            Step::Classify => "classify",
            Step::Customer => "customer",
            Step::Pain => "pain",
            Step::Vision => "vision",
            Step::Capabilities => "capabilities",
            Step::Metrics => "metrics",
            Step::Risks => "risks",
            Step::Thesis => "thesis",
            Step::Situation => "situation",
            Step::Task => "task",
            Step::Action => "action",
            Step::Result => "result",
        }
    }

    pub fn from_id(id: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.id() == id)
    }

    /// What a person reads in a report.
    pub fn label(self) -> &'static str {
        match self {
            Step::Classify => "Classify",
            Step::Customer => "Customer",
            Step::Pain => "Pain",
            Step::Vision => "End state",
            Step::Capabilities => "Capabilities",
            Step::Metrics => "Metrics",
            Step::Risks => "Pressure-test",
            Step::Thesis => "Thesis",
            Step::Situation => "Situation",
            Step::Task => "Task",
            Step::Action => "Action",
            Step::Result => "Result",
        }
    }

    pub fn framework(self) -> Framework {
        if Step::STAR.contains(&self) {
            Framework::Star
        } else {
            Framework::WorkingBackwards
        }
    }

    /// Position within its framework.
    pub fn index(self) -> usize {
        self.framework()
            .steps()
            .iter()
            .position(|s| *s == self)
            .unwrap_or(0)
    }

    /// Steps 2–4: problem definition.
    pub fn is_problem(self) -> bool {
        matches!(self, Step::Customer | Step::Pain | Step::Vision)
    }

    /// Steps 5–6: solution.
    pub fn is_solution(self) -> bool {
        matches!(self, Step::Capabilities | Step::Metrics)
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Interview question types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    ProductSense,
    Strategy,
    Prioritization,
    Estimation,
    Behavioral,
}

impl QuestionType {
    pub const ALL: [QuestionType; 5] = [
        QuestionType::ProductSense,
        QuestionType::Strategy,
        QuestionType::Prioritization,
        QuestionType::Estimation,
        QuestionType::Behavioral,
    ];

    pub fn id(self) -> &'static str {
        match self {
            QuestionType::ProductSense => "product_sense",
            QuestionType::Strategy => "strategy",
            QuestionType::Prioritization => "prioritization",
            QuestionType::Estimation => "estimation",
            QuestionType::Behavioral => "behavioral",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            QuestionType::ProductSense => "product sense",
            QuestionType::Strategy => "strategy",
            QuestionType::Prioritization => "prioritization",
            QuestionType::Estimation => "estimation",
            QuestionType::Behavioral => "behavioral",
        }
    }

    pub fn framework(self) -> Framework {
        if self == QuestionType::Behavioral {
            Framework::Star
        } else {
            Framework::WorkingBackwards
        }
    }

    /// The steps an answer of this type can have, in order. Estimation uses Working Backwards
    /// only lightly (docs/method.md): framing, the maths (`capabilities`), a sanity check (`risks`) and
    /// the number (`thesis`); no end state, no success metrics.
    pub fn steps(self) -> &'static [Step] {
        const ESTIMATION: [Step; 6] = [
            Step::Classify,
            Step::Customer,
            Step::Pain,
            Step::Capabilities,
            Step::Risks,
            Step::Thesis,
        ];
        match self {
            QuestionType::Estimation => &ESTIMATION,
            other => other.framework().steps(),
        }
    }
}

impl fmt::Display for QuestionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl std::str::FromStr for QuestionType {
    type Err = String;

    /// Accepts the ids, with dashes or spaces for underscores (`product-sense`).
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let norm = s.trim().to_lowercase().replace(['-', ' '], "_");
        QuestionType::ALL
            .into_iter()
            .find(|t| t.id() == norm)
            .ok_or_else(|| {
                let valid: Vec<&str> = QuestionType::ALL.iter().map(|t| t.id()).collect();
                format!(
                    "unknown question type `{s}`; valid types: {}",
                    valid.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for s in Step::ALL {
            assert_eq!(Step::from_id(s.id()), Some(s));
        }
        for t in QuestionType::ALL {
            assert_eq!(t.id().parse::<QuestionType>(), Ok(t));
        }
        assert_eq!(
            "Product-Sense".parse::<QuestionType>(),
            Ok(QuestionType::ProductSense)
        );
    }

    #[test]
    fn unknown_type_lists_the_valid_ones() {
        let err = "design".parse::<QuestionType>().unwrap_err();
        assert!(
            err.contains("product_sense, strategy, prioritization, estimation, behavioral"),
            "{err}"
        );
    }

    #[test]
    fn problem_and_solution_steps() {
        let problem: Vec<Step> = Step::ALL.into_iter().filter(|s| s.is_problem()).collect();
        let solution: Vec<Step> = Step::ALL.into_iter().filter(|s| s.is_solution()).collect();
        assert_eq!(problem, [Step::Customer, Step::Pain, Step::Vision]);
        assert_eq!(solution, [Step::Capabilities, Step::Metrics]);
        assert_eq!(Step::Action.framework(), Framework::Star);
        assert_eq!(Step::Metrics.index(), 5);
    }
}
