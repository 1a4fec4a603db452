//! The terminal report: a timeline bar of the answer by step, the step table with budgets and
//! lights, the two key shares, what failed, three things to change, delivery figures and (with
//! `-v`) the transcript labelled by step. Colour as `--color` and the environment decide.

use std::fmt::Write;

use owo_colors::{AnsiColors, OwoColorize};

use crate::analysis::method::{METHOD, profile};
use crate::analysis::{Analysis, Framework, Light, Status, Step, TypeSource};
use crate::time::{clock, human};

/// Whether to colour.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// Colour for stdout, as `--color` and the environment decide ([`crate::output::color`]).
    pub fn detect() -> Self {
        Style {
            color: crate::output::color(crate::output::Stream::Stdout),
        }
    }

    pub fn plain() -> Self {
        Style { color: false }
    }

    pub(crate) fn paint(&self, text: &str, color: AnsiColors) -> String {
        if self.color {
            text.color(color).to_string()
        } else {
            text.to_string()
        }
    }

    pub(crate) fn bold(&self, text: &str) -> String {
        if self.color {
            text.bold().to_string()
        } else {
            text.to_string()
        }
    }

    pub(crate) fn dim(&self, text: &str) -> String {
        if self.color {
            text.dimmed().to_string()
        } else {
            text.to_string()
        }
    }
}

/// `text` safe to print on a terminal: line breaks and tabs become spaces, every other control
/// character (ESC, and with it `ESC[2J` or an OSC 52 clipboard write, BEL, DEL, the C1 range)
/// is shown escaped (`\u{1b}`), never sent. Questions and transcripts come from files anyone
/// may have written.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => " ".to_string(),
            c if c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect::<String>()
        .into()
}

/// Each step's colour in the timeline.
pub(crate) fn step_color(step: Step) -> AnsiColors {
    match step {
        Step::Classify => AnsiColors::White,
        Step::Customer | Step::Situation => AnsiColors::Cyan,
        Step::Pain | Step::Task => AnsiColors::Blue,
        Step::Vision => AnsiColors::BrightBlue,
        Step::Capabilities | Step::Action => AnsiColors::Magenta,
        Step::Metrics => AnsiColors::BrightMagenta,
        Step::Risks => AnsiColors::Yellow,
        Step::Thesis | Step::Result => AnsiColors::Green,
    }
}

/// The mark of a step in the plain timeline: its number in the method (1–8), or S/T/A/R.
pub(crate) fn step_mark(step: Step) -> char {
    match step.framework() {
        Framework::WorkingBackwards => char::from(b'1' + step.index() as u8),
        Framework::Star => step.id().chars().next().unwrap_or('?').to_ascii_uppercase(),
    }
}

pub(crate) fn light_mark(style: &Style, light: Light) -> String {
    match light {
        Light::Under => style.dim("○ under"),
        Light::Green => style.paint("● green", AnsiColors::Green),
        Light::Yellow => style.paint("● yellow", AnsiColors::Yellow),
        Light::Red => style.paint("● red", AnsiColors::Red),
    }
}

pub(crate) fn status_mark(style: &Style, status: Status) -> String {
    match status {
        Status::Pass => style.paint("✓", AnsiColors::Green),
        Status::Warn => style.paint("!", AnsiColors::Yellow),
        Status::Fail => style.paint("✗", AnsiColors::Red),
    }
}

/// Steps reported less sure than this are marked.
const UNSURE: f64 = 0.6;

/// Width of the timeline bar in characters.
const BAR: usize = 60;

fn timeline(a: &Analysis, style: &Style) -> String {
    let (start, total) = (a.answer.start_s, a.answer.duration_s.max(1e-9));
    let mut cells = String::new();
    for i in 0..BAR {
        let t = start + (i as f64 + 0.5) / BAR as f64 * total;
        let step = a
            .steps
            .iter()
            .find(|s| s.start_s <= t && t < s.end_s)
            .or(a.steps.last())
            .map(|s| s.step);
        cells.push_str(&match step {
            Some(s) if style.color => "█".color(step_color(s)).to_string(),
            Some(s) => step_mark(s).to_string(),
            None => " ".to_string(),
        });
    }
    let mut legend = Vec::new();
    for s in a.framework.steps() {
        if a.steps.iter().any(|r| r.step == *s) {
            let key = if style.color {
                "█".color(step_color(*s)).to_string()
            } else {
                step_mark(*s).to_string()
            };
            legend.push(format!("{key} {}", profile(a.question.qtype).name(*s)));
        }
    }
    format!(
        "  {} |{cells}| {}\n  {}\n",
        clock(start),
        clock(a.answer.end_s),
        legend.join("  ")
    )
}

/// The budget (as text) and light reported for a step, if it has one.
fn step_budget(a: &Analysis, step: Step) -> Option<(String, Light)> {
    let id = match step {
        Step::Pain => "pain",
        Step::Risks => "pressure_test",
        _ => return None,
    };
    a.budgets
        .iter()
        .find(|b| b.id == id)
        .map(|b| (crate::time::range(b.min_s, b.max_s), b.light))
}

/// The sentences a check judged, quoted under it.
fn quote(out: &mut String, style: &Style, evidence: &[crate::analysis::checks::Evidence]) {
    for e in evidence {
        let _ = writeln!(
            out,
            "{:>25}{}",
            "",
            style.dim(&format!(
                "\"{}\" ({})",
                printable(&e.text),
                clock(e.start_s)
            ))
        );
    }
}

/// Render the whole report.
pub fn terminal(a: &Analysis, style: &Style, verbose: bool) -> String {
    let mut out = String::new();
    let q = &a.question;
    let source = match q.type_source {
        TypeSource::Flag => "as given",
        TypeSource::Question => "from the question",
        TypeSource::Spoken => "as you said",
        TypeSource::Answer => "read from the answer; set it with --type or --question",
        TypeSource::Default => "assumed; set it with --type or --question",
    };
    let _ = writeln!(
        out,
        "{} {} question ({source}){}",
        style.bold("paceback:"),
        q.qtype.label(),
        q.text
            .as_deref()
            .map(|t| format!(": \"{}\"", printable(t)))
            .unwrap_or_default()
    );
    if a.no_speech {
        let _ = writeln!(
            out,
            "\nno speech detected in {}",
            printable(a.audio.path.as_deref().unwrap_or("the recording"))
        );
        return out;
    }
    let _ = writeln!(
        out,
        "answer {} after a {} think pause, {}\n",
        clock(a.answer.duration_s),
        human(a.think_pause_s),
        super::count(a.answer.words, "word")
    );
    out.push_str(&timeline(a, style));

    // Step table, as wide as its longest step name ("Options and pick").
    let names = profile(a.question.qtype);
    let width = super::column_width(a.steps.iter().map(|s| names.name(s.step)), 14);
    let _ = writeln!(
        out,
        "\n  {:<width$} {:>6} {:>6} {:>6} {:>5}   {:<10} light",
        "step", "start", "time", "share", "sure", "budget"
    );
    for s in &a.steps {
        let (budget, light) = match step_budget(a, s.step) {
            Some((b, l)) => (b, light_mark(style, l)),
            None => (String::new(), String::new()),
        };
        let mark = if style.color {
            "█".color(step_color(s.step)).to_string()
        } else {
            " ".into()
        };
        let sure = format!("{:.0}%", s.confidence * 100.0);
        let sure = if s.confidence < UNSURE {
            style.paint(&sure, AnsiColors::Yellow)
        } else {
            sure
        };
        let _ = writeln!(
            out,
            "{mark} {:<width$} {:>6} {:>6} {:>5.0}% {:>5}   {:<10} {}",
            names.name(s.step),
            clock(s.start_s),
            clock(s.duration_s),
            s.share * 100.0,
            sure,
            budget,
            light
        );
    }
    if a.steps.iter().any(|s| s.confidence < UNSURE) {
        let _ = writeln!(
            out,
            "  {}",
            style.dim("(sure: how likely each stretch is that step; below 60%, `--explain` shows why it is unsure)")
        );
    }

    // The two key shares, with their verdicts (borderline when the segmentation is unsure).
    if let (Some(p), Some(sol)) = (a.shares.problem_definition, a.shares.solution) {
        let verdict = |id: &str, range: Option<[f64; 2]>| {
            let Some(c) = a.checks.iter().find(|c| c.id == id) else {
                return String::new();
            };
            match (c.borderline, range) {
                (true, Some([lo, hi])) => format!(
                    "{} borderline: could be {:.0}-{:.0}%",
                    status_mark(style, c.status),
                    (lo * 100.0).max(0.0),
                    (hi * 100.0).max(0.0)
                ),
                _ => status_mark(style, c.status),
            }
        };
        let _ = writeln!(
            out,
            "\n  problem definition {:>4.0}%  (at least {:.0}%) {}\n  solution           {:>4.0}%  (at most {:.0}%)  {}",
            p * 100.0,
            METHOD.min_problem_share * 100.0,
            verdict("problem_share", a.shares.problem_definition_range),
            sol * 100.0,
            METHOD.max_solution_share * 100.0,
            verdict("solution_share", a.shares.solution_range)
        );
    }

    // Budgets with lights.
    let _ = writeln!(
        out,
        "\n  timing lights (green at the minimum, yellow near the target, red past the maximum)"
    );
    for b in &a.budgets {
        let _ = writeln!(
            out,
            "  {:<28} {:>7}  ({}) {}",
            b.label,
            human(b.actual_s),
            crate::time::range(b.min_s, b.max_s),
            light_mark(style, b.light)
        );
    }

    // Checks that did not pass.
    let failing: Vec<_> = a
        .checks
        .iter()
        .filter(|c| c.status != Status::Pass)
        .collect();
    let passed = a.checks.len() - failing.len();
    let _ = writeln!(out, "\n  checks: {passed} of {} passed", a.checks.len());
    for c in failing {
        let _ = writeln!(
            out,
            "  {} {:<20} {}",
            status_mark(style, c.status),
            c.id,
            printable(&c.message)
        );
        quote(&mut out, style, &c.evidence);
    }
    if verbose {
        for c in a
            .checks
            .iter()
            .filter(|c| c.status == Status::Pass && !c.evidence.is_empty())
        {
            let _ = writeln!(
                out,
                "  {} {:<20} {}",
                status_mark(style, c.status),
                c.id,
                printable(&c.message)
            );
            quote(&mut out, style, &c.evidence);
        }
    }
    if a.content.framework_named {
        let _ = writeln!(
            out,
            "  {} framework named explicitly",
            status_mark(style, Status::Pass)
        );
    }

    if !a.advice.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold("Next time:"));
        for (i, advice) in a.advice.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", i + 1, printable(advice));
        }
    }

    let d = &a.delivery;
    let _ = writeln!(
        out,
        "\ndelivery: {:.0} wpm (words / answer time; {:.0} excluding pauses; coaches' bands 100-165 and 130-175)\n          {}, {:.1} per 100 words, {:.1} per minute (a lower bound)\n          {} (2 s+): {} inside steps, {} between steps",
        d.wpm,
        d.wpm_excluding_pauses,
        super::count(d.fillers, "filler"),
        d.fillers_per_100_words,
        d.fillers_per_minute,
        super::count(d.long_pauses, "long pause"),
        d.long_pauses_within_steps,
        d.long_pauses_between_steps
    );

    let _ = writeln!(
        out,
        "\n{}",
        style.dim(match a.segmenter {
            crate::analysis::Segmenter::SentenceModel =>
                "steps read for meaning (sentence model) and cue phrases",
            crate::analysis::Segmenter::Cues =>
                "steps read from cue phrases only: run `paceback model fetch` to install the sentence model, which reads paraphrases",
            crate::analysis::Segmenter::Given => "steps as given",
        })
    );

    if verbose {
        let _ = writeln!(out, "\n{}", style.bold("Transcript by step:"));
        for s in &a.steps {
            let head = format!(
                "[{} {} {:.0}%]",
                clock(s.start_s),
                profile(a.question.qtype).name(s.step),
                s.confidence * 100.0
            );
            let head = if style.color {
                head.color(step_color(s.step)).to_string()
            } else {
                head
            };
            let _ = writeln!(out, "  {head} {}", printable(&s.text));
            if let Some(o) = &s.opened_by {
                let _ = writeln!(
                    out,
                    "      {}",
                    style.dim(&format!("(why here: {})", printable(&o.reason())))
                );
            }
        }
    }
    out
}
