//! `paceback questions [--type T] [--random] [--json]`.

use crate::analysis::QuestionType;
use crate::error::{Error, Result};
use crate::home::Home;
use crate::questions::Bank;

pub fn run(qtype: Option<QuestionType>, random: bool, json: bool) -> Result<()> {
    let bank = Bank::load(&Home::from_env()?.questions_file())?;
    let mut list = bank.of_type(qtype);
    if random {
        if list.is_empty() {
            return Err(Error::usage("no questions of that type"));
        }
        let pick = list[fastrand::usize(..list.len())];
        list = vec![pick];
    }
    if json {
        super::json_list("paceback.questions/1", "questions", &list)?;
        return Ok(());
    }
    for t in QuestionType::ALL {
        let of_type: Vec<_> = list.iter().filter(|q| q.qtype == t).collect();
        if of_type.is_empty() {
            continue;
        }
        if !random {
            println!("{} ({})", t.label(), of_type.len());
        }
        for q in of_type {
            println!("  {:<34} {}", q.id, q.text);
            if random && let Some(h) = &q.hint {
                println!("  {:<34} hint: {h}", "");
            }
        }
    }
    Ok(())
}
