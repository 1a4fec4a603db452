//! The question bank: built-in questions (`bank.toml`) plus the user's own
//! (`$PACEBACK_HOME/questions.toml`, same format), and picking the one practised least.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analysis::QuestionType;
use crate::error::{Error, Result};

const BUILTIN: &str = include_str!("bank.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    #[serde(rename = "type")]
    pub qtype: QuestionType,
    pub theme: String,
    pub text: String,
    #[serde(default)]
    pub hint: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    question: Vec<Question>,
}

/// All questions, built-in first; a user question with a built-in id replaces it.
#[derive(Debug, Clone)]
pub struct Bank {
    pub questions: Vec<Question>,
}

impl Bank {
    pub fn builtin() -> Bank {
        let f: File = toml::from_str(BUILTIN).expect("built-in bank.toml parses");
        Bank {
            questions: f.question,
        }
    }

    /// The built-in bank plus the user's file if it exists.
    pub fn load(user_file: &Path) -> Result<Bank> {
        let mut bank = Self::builtin();
        if user_file.exists() {
            let text =
                std::fs::read_to_string(user_file).map_err(|e| Error::bad_input(user_file, e))?;
            let f: File = toml::from_str(&text)
                .map_err(|e| Error::bad_input(user_file, e.to_string().trim_end()))?;
            // by id, so a file of 100,000 questions merges in linear time
            let mut at: HashMap<String, usize> = bank
                .questions
                .iter()
                .enumerate()
                .map(|(i, q)| (q.id.clone(), i))
                .collect();
            for q in f.question {
                match at.get(&q.id) {
                    Some(&i) => bank.questions[i] = q,
                    None => {
                        at.insert(q.id.clone(), bank.questions.len());
                        bank.questions.push(q);
                    }
                }
            }
        }
        Ok(bank)
    }

    pub fn of_type(&self, qtype: Option<QuestionType>) -> Vec<&Question> {
        self.questions
            .iter()
            .filter(|q| qtype.is_none_or(|t| q.qtype == t))
            .collect()
    }

    pub fn get(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// The question `asked` names: by its id, else by its exact wording.
    pub fn find(&self, asked: &str) -> Option<&Question> {
        self.get(asked)
            .or_else(|| self.questions.iter().find(|q| q.text == asked))
    }

    /// The question of `qtype` (any type if `None`) practised least often according to
    /// `counts` (question id → takes); ties are broken at random.
    pub fn least_practised(
        &self,
        qtype: Option<QuestionType>,
        counts: &HashMap<String, usize>,
        rng: &mut fastrand::Rng,
    ) -> Option<&Question> {
        let candidates = self.of_type(qtype);
        let fewest = candidates
            .iter()
            .map(|q| counts.get(&q.id).copied().unwrap_or(0))
            .min()?;
        let pool: Vec<&&Question> = candidates
            .iter()
            .filter(|q| counts.get(&q.id).copied().unwrap_or(0) == fewest)
            .collect();
        Some(pool[rng.usize(..pool.len())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_bank_covers_every_type_and_theme() {
        let bank = Bank::builtin();
        assert!(bank.questions.len() >= 60);
        for t in QuestionType::ALL {
            assert!(bank.of_type(Some(t)).len() >= 12, "{t}");
        }
        for theme in [
            "design",
            "improvement",
            "strategy",
            "roadmap",
            "prioritization",
            "estimation",
            "metrics",
            "execution",
            "leadership",
            "behavioral",
        ] {
            assert!(
                bank.questions.iter().filter(|q| q.theme == theme).count() >= 4,
                "{theme}"
            );
        }
        let mut ids: Vec<&str> = bank.questions.iter().map(|q| q.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), bank.questions.len(), "ids are unique");
    }

    #[test]
    fn the_least_practised_question_is_picked() {
        let bank = Bank::builtin();
        let strategy = bank.of_type(Some(QuestionType::Strategy));
        // every strategy question practised once, except one
        let mut counts: HashMap<String, usize> =
            strategy.iter().map(|q| (q.id.clone(), 1)).collect();
        counts.insert(strategy[3].id.clone(), 0);
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..10 {
            let q = bank
                .least_practised(Some(QuestionType::Strategy), &counts, &mut rng)
                .unwrap();
            assert_eq!(q.id, strategy[3].id);
        }
    }

    #[test]
    fn user_questions_are_added_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("questions.toml");
        std::fs::write(&path, "[[question]]\nid = \"my-1\"\ntype = \"estimation\"\ntheme = \"estimation\"\ntext = \"How many bikes are in Utrecht?\"\n").unwrap();
        let bank = Bank::load(&path).unwrap();
        assert_eq!(bank.questions.len(), Bank::builtin().questions.len() + 1);
        assert_eq!(bank.get("my-1").unwrap().qtype, QuestionType::Estimation);
        std::fs::write(
            &path,
            "[[question]]\nid = \"x\"\ntype = \"design\"\ntheme = \"d\"\ntext = \"t\"\n",
        )
        .unwrap();
        let err = Bank::load(&path).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("questions.toml"), "{err}");
    }

    #[test]
    fn a_hundred_thousand_user_questions_merge_and_the_last_of_an_id_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("questions.toml");
        let mut text = String::new();
        for i in 0..100_000 {
            text.push_str(&format!(
                "[[question]]\nid = \"u{}\"\ntype = \"strategy\"\ntheme = \"t\"\ntext = \"Q{i}?\"\n",
                i % 99_990
            ));
        }
        let bank = Bank::load(&path).unwrap();
        assert_eq!(bank.questions.len(), Bank::builtin().questions.len());
        std::fs::write(&path, text).unwrap();
        let bank = Bank::load(&path).unwrap();
        assert_eq!(
            bank.questions.len(),
            Bank::builtin().questions.len() + 99_990
        );
        assert_eq!(bank.get("u5").unwrap().text, "Q99995?");
    }
}
