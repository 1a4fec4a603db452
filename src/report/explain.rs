//! `analyze --explain`: the segmentation step by step and sentence by sentence, with the evidence
//! behind each decision (cue phrases, the closest labelled example, the word model, position).

use std::fmt::Write;

use crate::analysis::method::{TypeProfile, profile};
use crate::analysis::segment::UnitExplanation;
use crate::analysis::{QuestionType, Step};
use crate::time::clock;

/// Up to this many cue phrases are listed per step.
const CUES_SHOWN: usize = 4;

fn dist(d: &[(Step, f64)], names: &TypeProfile) -> String {
    d.iter()
        .map(|(s, p)| format!("{} {:.0}%", names.name(*s).to_lowercase(), p * 100.0))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What decided one unit, in a line: the strongest kind of evidence for its step.
fn deciding(u: &UnitExplanation) -> String {
    let mut why = Vec::new();
    if let Some((s, ev)) = u.evidence.first()
        && *s == u.step
        && let Some(cue) = ev.cues.first()
    {
        why.push(format!("cue \"{cue}\""));
    }
    if let Some(n) = &u.nearest
        && n.step == u.step
    {
        why.push(format!("sounds like \"{}\" ({:.2})", n.text, n.similarity));
    }
    if let Some(p) = u.new_step
        && p >= 0.5
    {
        why.push(format!("a new step starts here ({:.0}%)", p * 100.0));
    }
    if why.is_empty() {
        why.push(format!(
            "what comes before and after, at {:.0}% of the answer",
            u.at * 100.0
        ));
    }
    why.join("; ")
}

/// The explanation of `units`, each step named as the report of a `qtype` answer names it
/// (an estimation's "the maths", not "capabilities"; a product sense "end state", not "vision").
pub fn explain(units: &[UnitExplanation], qtype: QuestionType) -> String {
    let names = profile(qtype);
    let name = |s: Step| names.name(s).to_lowercase();
    let w = super::column_width(units.iter().map(|u| name(u.step)), 13);
    let mut out = String::from("\nWhere each step starts and what decided it:\n");
    for (i, u) in units.iter().enumerate() {
        if i == 0 || units[i - 1].step != u.step {
            let _ = writeln!(
                out,
                "{:>6}  {:<w$} {:.0}%  \"{}\"\n{:>23}{}",
                clock(u.start_s),
                name(u.step),
                u.probability * 100.0,
                u.text,
                "",
                deciding(u)
            );
        }
    }
    out.push_str("\nEvery sentence (P = probability of its step given the whole answer):\n");
    for u in units {
        let _ = writeln!(
            out,
            "\n{:>6}  {:<w$} P {:>3.0}%  {}",
            clock(u.start_s),
            name(u.step),
            u.probability * 100.0,
            u.text
        );
        if !u.alone.is_empty() {
            let _ = writeln!(out, "{:>23}on its own: {}", "", dist(&u.alone, names));
        }
        if let Some(p) = u.new_step {
            let _ = writeln!(out, "{:>23}a new step starts here: {:.0}%", "", p * 100.0);
        }
        if let Some(n) = &u.nearest {
            let _ = writeln!(
                out,
                "{:>23}closest example ({} {:.2}): \"{}\"",
                "",
                name(n.step),
                n.similarity,
                n.text
            );
        }
        if !u.sounds_like.is_empty() {
            let _ = writeln!(out, "{:>23}wording: {}", "", dist(&u.sounds_like, names));
        }
        for (step, ev) in &u.evidence {
            let cues: Vec<&str> = ev
                .cues
                .iter()
                .take(CUES_SHOWN)
                .map(String::as_str)
                .collect();
            let _ = writeln!(
                out,
                "{:>23}cues {:<w$} {:>4.1}  {}",
                "",
                name(*step),
                ev.score,
                cues.join(" | ")
            );
        }
    }
    // Sentences and cue phrases come from files: no control character reaches the terminal.
    out.split('\n')
        .map(super::terminal::printable)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sentence at 0:10 given to `step` with P 90%, nothing else said about it.
    fn unit(step: Step, text: &str) -> UnitExplanation {
        UnitExplanation {
            start_s: 10.0,
            end_s: 12.0,
            text: text.into(),
            step,
            probability: 0.9,
            alone: Vec::new(),
            evidence: Vec::new(),
            sounds_like: Vec::new(),
            new_step: None,
            at: 0.5,
            nearest: None,
        }
    }

    #[test]
    fn steps_are_named_as_the_report_of_the_type_names_them() {
        let unit = |step, text: &str| UnitExplanation {
            alone: vec![(step, 0.8), (Step::Thesis, 0.2)],
            ..unit(step, text)
        };
        let units = [
            unit(Step::Capabilities, "Ten million phones times a third."),
            unit(Step::Thesis, "So about three million."),
        ];
        let text = explain(&units, QuestionType::Estimation);
        assert!(
            text.contains("the maths") && text.contains("the number"),
            "{text}"
        );
        assert!(
            text.contains("on its own: the maths 80%, the number 20%"),
            "{text}"
        );
        assert!(
            !text.contains("capabilities") && !text.contains("thesis"),
            "{text}"
        );
        // the column is as wide as the longest name
        let pos: Vec<usize> = text
            .lines()
            .filter(|l| l.contains(" P  90%"))
            .map(|l| l.find(" P  90%").unwrap())
            .collect();
        assert_eq!(pos.len(), 2);
        assert_eq!(pos[0], pos[1], "{text}");
        let product = explain(&units, QuestionType::ProductSense);
        assert!(
            product.contains("capabilities") && product.contains("thesis"),
            "{product}"
        );
    }

    #[test]
    fn a_likely_boundary_is_given_as_a_reason_for_a_new_step() {
        let unit = |step, new_step| UnitExplanation {
            new_step,
            ..unit(step, "Now, what would success look like?")
        };
        let text = explain(
            &[unit(Step::Pain, Some(0.1)), unit(Step::Metrics, Some(0.87))],
            QuestionType::ProductSense,
        );
        assert!(text.contains("a new step starts here (87%)"), "{text}");
        assert!(text.contains("a new step starts here: 10%"), "{text}");
        let without = explain(&[unit(Step::Metrics, None)], QuestionType::ProductSense);
        assert!(!without.contains("new step"), "{without}");
    }
}
