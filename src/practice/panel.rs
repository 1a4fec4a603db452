//! The live panel shown while you answer, below the question card: the recording time, a
//! think-pause timer until your first word, the answer time against the 6-minute target and 8-minute maximum, the step you are in
//! with its running time against its budget, and the problem and solution shares so far.

use crate::analysis::guidance::Budget;
use crate::analysis::method::METHOD;
use crate::analysis::{QuestionType, Step};
use crate::audio::level::{self, Fault};
use crate::report::Style;
use crate::report::terminal::light_mark;
use crate::time::{clock, human, range};
use owo_colors::AnsiColors;

/// What is known while the answer goes on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Live {
    /// Audio recorded so far.
    pub elapsed_s: f64,
    /// The recording stops here (`--max-minutes`).
    pub limit_s: f64,
    /// When speech began (from the audio level; transcription lags behind).
    pub speech_at: Option<f64>,
    /// The step of the latest transcribed words and when it began.
    pub step: Option<(Step, f64)>,
    pub problem_share: Option<f64>,
    pub solution_share: Option<f64>,
    /// Transcription has caught up to here.
    pub transcribed_to_s: f64,
    /// The end of the last word heard.
    pub heard_to_s: f64,
    /// Peak input level of the last second (dBFS).
    pub level_dbfs: f32,
    /// What is wrong with the input, if anything.
    pub fault: Option<Fault>,
    /// The speech model transcribing the take.
    pub model: String,
    /// Seconds of audio it transcribes per second of work here, once measured.
    pub model_speed: Option<f64>,
}

/// Transcription this far behind the voice (seconds) is said on the step line instead of a
/// step timer; windows end at pauses, so 10–15 s behind is normal.
const CATCHING_UP_S: f64 = 20.0;

/// In the last minute before `--max-minutes`, the time left is shown.
const TIME_LEFT_SHOWN_S: f64 = 60.0;

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

/// The panel's lines, each at most `width` columns (cut with `…`, never wrapped, so that a
/// redraw replaces exactly the rows it drew).
pub fn render(qtype: QuestionType, live: &Live, style: &Style, width: usize) -> Vec<String> {
    // The question itself is on the card printed above the panel, once; the panel says what is
    // being recorded.
    let mut lines = vec![format!(
        "{} {}",
        style.paint("●", AnsiColors::Red),
        style.bold(&format!(
            "recording {} · {} question",
            clock(live.elapsed_s),
            qtype.label()
        ))
    )];
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
        let name = METHOD.profile(qtype).name(step);
        // Transcription runs behind the voice: the step's time is what has been heard of it, and
        // far behind, the panel says so rather than guessing.
        let behind = live.elapsed_s - live.transcribed_to_s;
        let heard = (live.heard_to_s - since).max(0.0);
        lines.push(if behind >= CATCHING_UP_S {
            format!(
                "  step          {:>7}  {name} (catching up: heard up to {})",
                clock(heard),
                clock(live.transcribed_to_s)
            )
        } else {
            let budget = step_budget(step, qtype)
                .map(|b| {
                    format!(
                        " of {} {}",
                        range(b.min_s, b.max_s),
                        light_mark(style, b.light(heard))
                    )
                })
                .unwrap_or_default();
            format!("  step          {:>7}  {name}{budget}", clock(heard))
        });
    }
    if let (Some(p), Some(s)) = (live.problem_share, live.solution_share)
        && METHOD.profile(qtype).rules.shares
    {
        // `+ 0.0` turns a negative zero into zero.
        let pct = |v: f64| v.max(0.0) * 100.0 + 0.0;
        lines.push(format!(
            "  so far        problem {:.0}% (at least 30%), solution {:.0}% (at most 40%)",
            pct(p),
            pct(s)
        ));
    }
    if let Some(speed) = live.model_speed.filter(|v| *v < 1.0) {
        let keeps_up = super::faster_model(&live.model)
            .map(|m| format!("; `--model {m}` keeps up"))
            .unwrap_or_default();
        lines.push(format!(
            "  {} {} transcribes {speed:.1} s of speech a second here, slower than you speak: the report will wait after you stop{keeps_up}",
            style.paint("⚠", AnsiColors::Yellow),
            live.model
        ));
    }
    lines.push(match live.fault {
        Some(f) => format!("  {} {}", style.paint("⚠", AnsiColors::Yellow), f.advice()),
        None => format!(
            "  input         {}  {:>4.0} dB",
            level::bar(live.level_dbfs, 10),
            live.level_dbfs.max(-99.0)
        ),
    });
    let left = live.limit_s - live.elapsed_s;
    lines.push(if live.limit_s > 0.0 && left <= TIME_LEFT_SHOWN_S {
        format!(
            "  {} left before the recording stops at {}; Enter finishes",
            clock(left.max(0.0)),
            clock(live.limit_s)
        )
    } else {
        "  Enter finishes the answer; Ctrl-C stops and keeps the take".into()
    });
    lines.into_iter().map(|l| fit(&l, width)).collect()
}

/// `line` cut to `width` columns with `…` (colour codes kept intact).
pub fn fit(line: &str, width: usize) -> String {
    console::truncate_str(line, width.max(1), "…").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(live: &Live, qtype: QuestionType) -> String {
        render(qtype, live, &Style::plain(), 200).join("\n")
    }

    fn answering() -> Live {
        Live {
            elapsed_s: 100.0,
            limit_s: 600.0,
            speech_at: Some(7.0),
            step: Some((Step::Pain, 50.0)),
            problem_share: Some(0.42),
            solution_share: Some(0.0),
            transcribed_to_s: 95.0,
            heard_to_s: 94.0,
            level_dbfs: -20.0,
            fault: None,
            model: "tiny.en q8_0".into(),
            model_speed: Some(9.0),
        }
    }

    #[test]
    fn a_model_slower_than_speech_is_said_while_recording() {
        assert!(!text(&answering(), QuestionType::ProductSense).contains('⚠'));
        let slow = Live {
            model: "base-q8_0".into(),
            model_speed: Some(0.74),
            ..answering()
        };
        let said = text(&slow, QuestionType::ProductSense);
        assert!(
            said.contains(
                "⚠ base-q8_0 transcribes 0.7 s of speech a second here, slower than you speak: the report will wait after you stop; `--model tiny.en-q8_0` keeps up"
            ),
            "{said}"
        );
        // The default model being slow has no faster model to point to.
        let default_slow = Live {
            model_speed: Some(0.9),
            ..answering()
        };
        let said = text(&default_slow, QuestionType::ProductSense);
        assert!(
            said.contains("slower than you speak") && !said.contains("keeps up"),
            "{said}"
        );
    }

    #[test]
    fn before_the_first_word_a_think_timer_runs() {
        let live = Live {
            elapsed_s: 3.0,
            limit_s: 600.0,
            ..Live::default()
        };
        let lines = render(QuestionType::Strategy, &live, &Style::plain(), 80);
        assert!(
            lines[1].contains("thinking")
                && lines[1].contains("3.0 s")
                && lines[1].contains("under"),
            "{lines:?}"
        );
    }

    #[test]
    fn during_the_answer_the_step_its_budget_and_the_input_show() {
        let text = text(&answering(), QuestionType::ProductSense);
        assert!(text.contains("think pause     7.0 s  ● green"), "{text}");
        assert!(text.contains("answer           1:33"), "{text}");
        assert!(text.contains("0:44  Pain of 30–60 s ● green"), "{text}");
        assert!(text.contains("problem 42%"), "{text}");
        assert!(text.contains("input         ███████···   -20 dB"), "{text}");
        assert!(
            !text.contains("catching up"),
            "5 s behind is normal: {text}"
        );
        assert!(text.contains("Enter finishes"), "{text}");
    }

    #[test]
    fn the_step_timer_stops_at_the_last_word_heard() {
        // Transcription stalled at 0:53 while the recording runs on for minutes: the step's time
        // is frozen at what was heard, and no light turns red for what nobody has heard.
        for elapsed in [60.0, 120.0, 300.0, 599.0] {
            let live = Live {
                elapsed_s: elapsed,
                step: Some((Step::Customer, 10.0)),
                transcribed_to_s: 53.0,
                heard_to_s: 52.5,
                ..answering()
            };
            let text = text(&live, QuestionType::ProductSense);
            assert!(text.contains("0:43  Customer"), "{elapsed}: {text}");
            let step_line = text.lines().find(|l| l.contains("step")).unwrap();
            assert!(!step_line.contains("red"), "{elapsed}: {text}");
            if elapsed - 53.0 >= CATCHING_UP_S {
                assert!(
                    text.contains("(catching up: heard up to 0:53)"),
                    "{elapsed}: {text}"
                );
            }
        }
    }

    #[test]
    fn shares_show_only_where_they_apply_and_never_negative() {
        let live = Live {
            problem_share: Some(-0.0),
            solution_share: Some(-0.0),
            ..answering()
        };
        let text_ps = text(&live, QuestionType::ProductSense);
        assert!(
            text_ps.contains("problem 0%") && text_ps.contains("solution 0%"),
            "{text_ps}"
        );
        assert!(!text(&live, QuestionType::Estimation).contains("problem"));
        assert!(!text(&live, QuestionType::Behavioral).contains("problem"));
    }

    #[test]
    fn a_fault_replaces_the_meter_and_the_last_minute_counts_down() {
        let live = Live {
            fault: Some(Fault::Silent),
            elapsed_s: 555.0,
            ..answering()
        };
        let text = text(&live, QuestionType::ProductSense);
        assert!(text.contains("is it muted"), "{text}");
        assert!(!text.contains("input  "), "{text}");
        assert!(
            text.contains("0:45 left before the recording stops at 10:00"),
            "{text}"
        );
    }

    #[test]
    fn every_line_fits_the_width_even_with_colour() {
        let style = Style { color: true };
        for width in [20, 40, 60, 80, 200] {
            let lines = render(QuestionType::ProductSense, &answering(), &style, width);
            for l in &lines {
                assert!(
                    console::measure_text_width(l) <= width,
                    "{width}: {l:?} is {} wide",
                    console::measure_text_width(l)
                );
            }
            if width <= 40 {
                assert!(
                    console::strip_ansi_codes(&lines[0]).ends_with('…'),
                    "{lines:?}"
                );
            }
        }
    }
}
