//! `paceback compare A B [--json] [--html FILE]`: two takes side by side.

use super::json_out;
use crate::analysis::Analysis;
use crate::cli::CompareArgs;
use crate::error::{Error, Result};
use crate::history::{self, Index, TakeRecord, compare};
use crate::home::Home;
use crate::report::{self, Style};

/// A take named on the command line, with its analysis; a take with no analysis to compare
/// (unreadable, or no speech) is bad input.
fn load(index: &Index, name: &str) -> Result<(TakeRecord, Analysis)> {
    let rec = index.find(name)?;
    let id = &rec.id;
    let analysis = rec.analysis().map_err(|e| {
        Error::usage(format!(
            "take {id} has no analysis to compare ({e:#}); `paceback reanalyze {id}` analyzes it again"
        ))
    })?;
    if analysis.no_speech || analysis.steps.is_empty() {
        return Err(Error::usage(format!(
            "take {id} has no speech, so no steps to compare"
        )));
    }
    Ok((rec, analysis))
}

pub fn run(args: CompareArgs) -> Result<()> {
    let home = Home::from_env()?;
    let index = history::open_index(&home)?;
    let (ra, a) = load(&index, &args.a)?;
    let (rb, b) = load(&index, &args.b)?;
    if ra.id == rb.id {
        return Err(Error::usage(format!(
            "`{}` and `{}` are the same take ({}); compare two different takes (`paceback history` lists them)",
            args.a, args.b, ra.id
        )));
    }
    let c = compare::compare(&ra, &a, &rb, &b);
    if let Some(path) = &args.html {
        super::history::write_page(path, &report::compare::page_html(&c, &a, &b))?;
    }
    if args.json {
        return json_out(&c);
    }
    if args.html.is_none() {
        print!(
            "{}",
            report::compare::terminal(&c, &Style::detect(), report::mix::terminal_width())
        );
    }
    Ok(())
}

/// After a take's report: the line that offers comparing it with the previous take of the same
/// question, if there is one.
pub fn hint(index: &Index, rec: &TakeRecord) -> Result<Option<String>> {
    Ok(index.previous_of_question(rec)?.map(|prev| {
        format!(
            "compare with your previous take: paceback compare {prev} {}",
            rec.id
        )
    }))
}
