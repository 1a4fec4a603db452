//! `analyze --explain`: the segmentation sentence by sentence, with the cues behind each step.

use std::fmt::Write;

use crate::analysis::segment::UnitExplanation;
use crate::time::clock;

/// Up to this many cue phrases are listed per step.
const CUES_SHOWN: usize = 4;

pub fn explain(units: &[UnitExplanation]) -> String {
    let mut out =
        String::from("\nWhy each sentence got its step (evidence per step, cues that matched):\n");
    for u in units {
        let _ = writeln!(
            out,
            "\n{:>6}  {:<13} {}",
            clock(u.start_s),
            u.step.id(),
            u.text
        );
        if u.evidence.is_empty() {
            let _ = writeln!(out, "{:>21}no cue phrases", "");
        }
        if !u.sounds_like.is_empty() {
            let like: Vec<String> = u
                .sounds_like
                .iter()
                .map(|(s, p)| format!("{} {:.0}%", s.id(), p * 100.0))
                .collect();
            let _ = writeln!(out, "{:>21}sounds like: {}", "", like.join(", "));
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
                "{:>21}{:<13} {:>4.1}  {}",
                "",
                step.id(),
                ev.score,
                cues.join(" | ")
            );
        }
    }
    out
}
