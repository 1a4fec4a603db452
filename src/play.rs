//! Hearing a take back in the terminal (`paceback play ID [--step STEP]`): the recording, or
//! every stretch of one step one after the other, through an output device, with the
//! transcript printed sentence by sentence as it is heard.

use std::time::Duration;

use crate::analysis::checks::sentences;
use crate::analysis::method::profile;
use crate::analysis::{Analysis, Step};
use crate::audio::Mono;
use crate::audio::playback::Player;
use crate::error::{Error, Result};
use crate::report::Style;
use crate::report::terminal::printable;
use crate::time::clock;
use crate::transcript::Word;

/// A stretch of the recording, in seconds from its start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub start_s: f64,
    pub end_s: f64,
}

impl Span {
    fn len_s(self) -> f64 {
        (self.end_s - self.start_s).max(0.0)
    }
}

/// The step `name` stands for in this answer: a step id (`pain`, `vision`) or the step's name
/// for the answer's question type (`end state`, `end-state`, `Pressure-test`), any case; the
/// error lists the steps the answer has.
pub fn find_step(a: &Analysis, name: &str) -> std::result::Result<Step, String> {
    let key = |s: &str| {
        s.to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
    };
    let wanted = key(name);
    let names = profile(a.question.qtype);
    let steps = a.framework.steps();
    if let Some(step) = steps
        .iter()
        .find(|s| key(s.id()) == wanted || key(names.name(**s)) == wanted)
    {
        if a.steps.iter().any(|s| s.step == *step) {
            return Ok(*step);
        }
        return Err(format!(
            "this take has no {} step; it has {}",
            names.noun(*step),
            said_steps(a)
        ));
    }
    Err(format!(
        "`{}` is not a step of a {} answer; this take has {}",
        printable(name),
        a.question.qtype.label(),
        said_steps(a)
    ))
}

/// "classify, customer, pain, …": the steps the answer has, in method order, by id.
fn said_steps(a: &Analysis) -> String {
    let ids: Vec<&str> = a
        .framework
        .steps()
        .iter()
        .filter(|st| a.steps.iter().any(|s| s.step == **st))
        .map(|st| st.id())
        .collect();
    if ids.is_empty() {
        "no steps".into()
    } else {
        ids.join(", ")
    }
}

/// What to play: the whole recording of `duration_s`, or every stretch of `step` in order.
pub fn spans(a: &Analysis, step: Option<Step>, duration_s: f64) -> Vec<Span> {
    match step {
        None => vec![Span {
            start_s: 0.0,
            end_s: duration_s,
        }],
        Some(step) => a
            .steps
            .iter()
            .filter(|s| s.step == step)
            .map(|s| Span {
                start_s: s.start_s.clamp(0.0, duration_s),
                end_s: s.end_s.clamp(0.0, duration_s),
            })
            .filter(|s| s.len_s() > 0.0)
            .collect(),
    }
}

/// The sample index of `t` seconds at `rate`, within `len`.
fn index(t: f64, rate: u32, len: usize) -> usize {
    ((t * f64::from(rate)).round().max(0.0) as usize).min(len)
}

/// The samples of `spans` of `audio`, one after the other.
pub fn clip(audio: &Mono, spans: &[Span]) -> Mono {
    let len = audio.samples.len();
    let mut samples = Vec::new();
    for s in spans {
        let (a, b) = (
            index(s.start_s, audio.rate, len),
            index(s.end_s, audio.rate, len),
        );
        samples.extend_from_slice(&audio.samples[a..b.max(a)]);
    }
    Mono {
        rate: audio.rate,
        samples,
    }
}

/// A sentence to print when the clip reaches `at_s`.
#[derive(Debug, Clone, PartialEq)]
pub struct Caption {
    /// Seconds into the clip.
    pub at_s: f64,
    /// Seconds into the recording.
    pub start_s: f64,
    pub step: Option<Step>,
    pub text: String,
}

/// The sentences said in `spans` (words whose middle is inside them, of `step` when one is
/// played), each at the time into the clip it is heard.
pub fn captions(a: &Analysis, spans: &[Span], step: Option<Step>) -> Vec<Caption> {
    let mut out = Vec::new();
    let mut offset = 0.0;
    for span in spans {
        let inside: Vec<_> = a
            .words
            .iter()
            .filter(|w| {
                let mid = (w.start_s + w.end_s) / 2.0;
                mid >= span.start_s && mid < span.end_s && step.is_none_or(|s| w.step == Some(s))
            })
            .collect();
        let words: Vec<Word> = inside
            .iter()
            .map(|w| Word::new(w.w.clone(), w.start_s, w.end_s))
            .collect();
        let steps: Vec<Option<Step>> = inside.iter().map(|w| w.step).collect();
        out.extend(sentences(&words, &steps).into_iter().map(|s| Caption {
            at_s: offset + (s.start_s - span.start_s).max(0.0),
            start_s: s.start_s,
            step: s.step,
            text: s.text,
        }));
        offset += span.len_s();
    }
    out
}

/// Play `spans` of `audio` on the output device `device` (`None`: the default), printing the
/// captions as they are heard. Ctrl-C stops it ([`Error::Interrupted`]).
pub fn play(
    a: &Analysis,
    audio: &Mono,
    step: Option<Step>,
    device: Option<&str>,
    style: &Style,
) -> Result<()> {
    let spans = spans(a, step, audio.duration_s());
    let clip = clip(audio, &spans);
    let caps = captions(a, &spans, step);
    let names = profile(a.question.qtype);
    let what = match step {
        Some(s) if spans.len() > 1 => {
            format!("the {} step ({} stretches)", names.noun(s), spans.len())
        }
        Some(s) => format!("the {} step", names.noun(s)),
        None => "the take".into(),
    };
    let length = clip.duration_s();
    let player = Player::start(clip, device)?;
    eprintln!(
        "paceback: playing {what}, {} ({}); Ctrl-C stops",
        clock(length),
        player.describe()
    );
    let bar = crate::progress_bar::spinner("", true);
    let say = |line: &str| {
        if bar.is_hidden() {
            println!("{line}");
        } else {
            bar.println(line);
        }
    };
    let width = crate::report::mix::terminal_width();
    let mut shown_step: Option<Option<Step>> = None;
    let mut next = 0;
    let mut stopped = false;
    loop {
        let done = player.finished();
        let at = player.position_s();
        while next < caps.len() && (done || caps[next].at_s <= at) {
            let c = &caps[next];
            if shown_step != Some(c.step) {
                let title = c.step.map_or("before the answer", |s| names.name(s));
                say(&style.bold(title));
                shown_step = Some(c.step);
            }
            let time = format!("  {:>5}  ", clock(c.start_s));
            let options = textwrap::Options::new(width.max(40))
                .initial_indent(&time)
                .subsequent_indent("         ");
            say(&textwrap::fill(&printable(&c.text), options));
            next += 1;
        }
        let step_now = caps[..next].last().and_then(|c| c.step);
        bar.set_message(format!(
            "▶ {} / {}{}",
            clock(at.min(length)),
            clock(length),
            step_now.map_or(String::new(), |s| format!(" · {}", names.name(s)))
        ));
        if done {
            break;
        }
        if crate::interrupt::requested() {
            stopped = true;
            break;
        }
        if player.lost() {
            bar.finish_and_clear();
            return Err(Error::Other(anyhow::anyhow!(
                "the output device went away after {}",
                clock(at)
            )));
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    // What was handed over last is still in the device's buffer: let it be heard.
    if !stopped {
        std::thread::sleep(player.latency() + Duration::from_millis(20));
    }
    let at = player.position_s().min(length);
    player.stop();
    bar.finish_and_clear();
    if stopped {
        eprintln!("paceback: stopped at {} of {}", clock(at), clock(length));
        return Err(Error::Interrupted);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Input, Lexicon, QuestionType, analyze};

    /// A product sense answer of one word a second from 2 s, in a recording of 21 s, with the
    /// steps given: customer at 2 s, pain at 5 s, capabilities at 11 s, pain again at 15 s.
    fn answer() -> Analysis {
        let text = "Busy parents cook. They hate planning. Nights are chaos. We build a planner. \
                    They also hate shopping. End.";
        let words: Vec<Word> = text
            .split_whitespace()
            .enumerate()
            .map(|(i, w)| Word::new(w, 2.0 + i as f64, 2.6 + i as f64))
            .collect();
        let input = Input {
            duration_s: 21.0,
            words,
            audio_path: None,
            question: Some("Design a dinner planner".into()),
            qtype: Some(QuestionType::ProductSense),
            given_steps: Some(vec![
                (Step::Customer, 2.0),
                (Step::Pain, 5.0),
                (Step::Capabilities, 11.0),
                (Step::Pain, 15.0),
            ]),
        };
        analyze(&input, &Lexicon::builtin(), None)
    }

    #[test]
    fn a_step_is_found_by_its_id_or_its_name() {
        let a = answer();
        assert_eq!(find_step(&a, "pain"), Ok(Step::Pain));
        assert_eq!(find_step(&a, "Capabilities"), Ok(Step::Capabilities));
        let e = find_step(&a, "end state").unwrap_err();
        assert!(
            e.contains("no end state step") && e.contains("customer, pain, capabilities"),
            "{e}"
        );
        let e = find_step(&a, "situation").unwrap_err();
        assert!(e.contains("not a step of a product sense answer"), "{e}");
    }

    #[test]
    fn a_step_plays_each_of_its_stretches_in_turn_with_its_sentences() {
        let a = answer();
        let pain = spans(&a, Some(Step::Pain), 20.0);
        assert_eq!(
            pain.iter()
                .map(|s| (s.start_s, s.end_s))
                .collect::<Vec<_>>(),
            vec![(5.0, 11.0), (15.0, a.steps.last().unwrap().end_s)]
        );
        let audio = Mono {
            rate: 100,
            samples: (0..2000).map(|i| i as f32).collect(),
        };
        let c = clip(&audio, &pain);
        let first = (a.steps.last().unwrap().end_s * 100.0).round() as usize;
        let expected: Vec<f32> = (500..1100).chain(1500..first).map(|i| i as f32).collect();
        assert_eq!(c.samples, expected, "exactly the step's samples");

        let caps = captions(&a, &pain, Some(Step::Pain));
        let texts: Vec<&str> = caps.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "They hate planning.",
                "Nights are chaos.",
                "They also hate shopping.",
                "End."
            ]
        );
        // Each sentence is heard when the clip reaches its first word.
        for c in &caps {
            let span = pain
                .iter()
                .find(|s| c.start_s >= s.start_s && c.start_s < s.end_s)
                .unwrap();
            let before: f64 = pain
                .iter()
                .take_while(|s| s.start_s < span.start_s)
                .map(|s| s.len_s())
                .sum();
            assert!((c.at_s - (before + (c.start_s - span.start_s).max(0.0))).abs() < 1e-9);
            assert_eq!(c.step, Some(Step::Pain));
        }
        assert_eq!(caps.first().unwrap().at_s, 0.0);
    }

    #[test]
    fn the_whole_take_plays_from_the_start() {
        let a = answer();
        let all = spans(&a, None, 21.0);
        assert_eq!(
            all,
            vec![Span {
                start_s: 0.0,
                end_s: 21.0
            }]
        );
        let caps = captions(&a, &all, None);
        assert_eq!(caps.first().unwrap().text, "Busy parents cook.");
        assert_eq!(caps.first().unwrap().at_s, 2.0);
        assert_eq!(caps.len(), 6, "{caps:#?}");
    }
}
