//! The live panel shown while you answer: the question, a think-pause timer until your first
//! word, the answer time against the 6-minute target and 8-minute maximum, the step you are in
//! with its running time against its budget, and the problem and solution shares so far.

use crate::analysis::guidance::Budget;
use crate::analysis::method::METHOD;
use crate::analysis::{QuestionType, Step};
use crate::report::Style;
use crate::report::terminal::light_mark;
use crate::time::{clock, human, range};

/// What is known while the answer goes on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Live {
    /// Audio recorded so far.
    pub elapsed_s: f64,
    /// When speech began (from the audio level; transcription lags behind).
    pub speech_at: Option<f64>,
    /// The step of the latest transcribed words and when it began.
    pub step: Option<(Step, f64)>,
    pub problem_share: Option<f64>,
    pub solution_share: Option<f64>,
    /// Transcription has caught up to here.
    pub transcribed_to_s: f64,
}

/// Transcription this far behind the voice (seconds) is shown next to the step; windows end at
/// pauses, so 10–15 s behind is normal.
const LAG_SHOWN_S: f64 = 20.0;

/// The budget a step's running time is held to, if it has one of its own.
fn step_budget(step: Step, qtype: QuestionType) -> Option<Budget> {
    let rules = METHOD.profile(qtype).rules;
    match step {
        Step::Pain if rules.pain => Some(METHOD.pain),
        Step::Risks if rules.pressure_test => Some(METHOD.pressure_test),
        Step::Customer | Step::Pain => METHOD.profile(qtype).customer_framing,
        _ => None,
    }
}

/// The panel's lines.
pub fn render(question: &str, qtype: QuestionType, live: &Live, style: &Style) -> Vec<String> {
    let mut lines = vec![format!("{} ({})", question, qtype.label())];
    match live.speech_at {
        None => lines.push(format!(
            "  thinking      {:>7}  take {} before you speak {}",
            human(live.elapsed_s),
            range(METHOD.think_pause.min_s, METHOD.think_pause.max_s),
            light_mark(style, METHOD.think_pause.light(live.elapsed_s))
        )),
        Some(at) => {
            let answer = (live.elapsed_s - at).max(0.0);
            lines.push(format!(
                "  think pause   {:>7}  {}",
                human(at),
                light_mark(style, METHOD.think_pause.light(at))
            ));
            let b = METHOD
                .budgets(qtype)
                .into_iter()
                .map(|(b, _)| b)
                .find(|b| b.id == "answer")
                .unwrap_or(METHOD.answer);
            let of = if b.min_s > 0.0 {
                format!("of {} target, {} max", clock(b.target_s), clock(b.max_s))
            } else {
                format!("of {} max", clock(b.max_s))
            };
            lines.push(format!(
                "  answer        {:>7}  {of} {}",
                clock(answer),
                light_mark(style, b.light(answer))
            ));
        }
    }
    if let Some((step, since)) = live.step {
        let running = (live.elapsed_s - since).max(0.0);
        let budget = step_budget(step, qtype)
            .map(|b| {
                format!(
                    "of {} {}",
                    range(b.min_s, b.max_s),
                    light_mark(style, b.light(running))
                )
            })
            .unwrap_or_default();
        // Transcription runs behind the voice; say so when it is far enough behind to matter.
        let behind = live.elapsed_s - live.transcribed_to_s;
        let lag = if behind >= LAG_SHOWN_S {
            format!(" (heard up to {})", clock(live.transcribed_to_s))
        } else {
            String::new()
        };
        lines.push(format!(
            "  step          {:>7}  {} {budget}{lag}",
            clock(running),
            METHOD.profile(qtype).name(step)
        ));
    }
    if let (Some(p), Some(s)) = (live.problem_share, live.solution_share) {
        // `+ 0.0` turns a negative zero into zero.
        let pct = |v: f64| v.max(0.0) * 100.0 + 0.0;
        lines.push(format!(
            "  so far        problem {:.0}% (at least 30%), solution {:.0}% (at most 40%)",
            pct(p),
            pct(s)
        ));
    }
    lines.push("  Enter finishes the answer; Ctrl-C stops and keeps the recording".into());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_the_first_word_a_think_timer_runs() {
        let lines = render(
            "Q?",
            QuestionType::Strategy,
            &Live {
                elapsed_s: 3.0,
                ..Live::default()
            },
            &Style::plain(),
        );
        assert!(
            lines[1].contains("thinking")
                && lines[1].contains("3.0 s")
                && lines[1].contains("under"),
            "{lines:?}"
        );
    }

    #[test]
    fn during_the_answer_the_step_and_its_budget_show() {
        let live = Live {
            elapsed_s: 100.0,
            speech_at: Some(7.0),
            step: Some((Step::Pain, 50.0)),
            problem_share: Some(0.42),
            solution_share: Some(0.0),
            transcribed_to_s: 95.0,
        };
        let text = render("Q?", QuestionType::ProductSense, &live, &Style::plain()).join("\n");
        assert!(text.contains("think pause     7.0 s  ● green"), "{text}");
        assert!(text.contains("answer           1:33"), "{text}");
        assert!(text.contains("0:50  Pain of 30–60 s ● yellow"), "{text}");
        assert!(text.contains("problem 42%"), "{text}");
        assert!(
            !text.contains("heard up to"),
            "5 s behind is not worth saying: {text}"
        );
    }

    #[test]
    fn a_transcript_far_behind_is_shown_and_no_share_is_negative() {
        let live = Live {
            elapsed_s: 100.0,
            speech_at: Some(7.0),
            step: Some((Step::Customer, 20.0)),
            problem_share: Some(-0.0),
            solution_share: Some(-0.0),
            transcribed_to_s: 62.0,
        };
        let text = render("Q?", QuestionType::ProductSense, &live, &Style::plain()).join("\n");
        assert!(text.contains("(heard up to 1:02)"), "{text}");
        assert!(
            text.contains("problem 0%") && text.contains("solution 0%"),
            "{text}"
        );
    }
}
