//! `analyze --explain`: the segmentation step by step and sentence by sentence, with the evidence
//! behind each decision (cue phrases, the closest labelled example, the word model, position).

use std::fmt::Write;

use crate::analysis::Step;
use crate::analysis::segment::UnitExplanation;
use crate::time::clock;

/// Up to this many cue phrases are listed per step.
const CUES_SHOWN: usize = 4;

fn dist(d: &[(Step, f64)]) -> String {
    d.iter()
        .map(|(s, p)| format!("{} {:.0}%", s.id(), p * 100.0))
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
    if why.is_empty() {
        why.push(format!(
            "what comes before and after, at {:.0}% of the answer",
            u.at * 100.0
        ));
    }
    why.join("; ")
}

pub fn explain(units: &[UnitExplanation]) -> String {
    let mut out = String::from("\nWhere each step starts and what decided it:\n");
    for (i, u) in units.iter().enumerate() {
        if i == 0 || units[i - 1].step != u.step {
            let _ = writeln!(
                out,
                "{:>6}  {:<13} {:.0}%  \"{}\"\n{:>23}{}",
                clock(u.start_s),
                u.step.id(),
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
            "\n{:>6}  {:<13} P {:>3.0}%  {}",
            clock(u.start_s),
            u.step.id(),
            u.probability * 100.0,
            u.text
        );
        if !u.alone.is_empty() {
            let _ = writeln!(out, "{:>23}on its own: {}", "", dist(&u.alone));
        }
        if let Some(n) = &u.nearest {
            let _ = writeln!(
                out,
                "{:>23}closest example ({} {:.2}): \"{}\"",
                "",
                n.step.id(),
                n.similarity,
                n.text
            );
        }
        if !u.sounds_like.is_empty() {
            let _ = writeln!(out, "{:>23}wording: {}", "", dist(&u.sounds_like));
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
                "{:>23}cues {:<13} {:>4.1}  {}",
                "",
                step.id(),
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
