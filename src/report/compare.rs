//! `paceback compare A B` as people read it: the terminal view (two timeline bars on one scale,
//! the step table with changes, the shares, the checks that changed) and the HTML page.

use std::fmt::Write;

use maud::{Markup, html};
use owo_colors::AnsiColors;

use super::Style;
use super::html::{page, status_class, step_hex, timeline};
use super::mix::{paint, timeline_cells};
use super::terminal::{printable, status_mark};
use crate::analysis::method::{METHOD, profile};
use crate::analysis::{Analysis, Status, Step};
use crate::history::compare::{Change, Comparison, Reference, Side};
use crate::time::{clock, human, range};

/// Seconds with a sign: `+7.2 s`, `-1:05`, `±0.0 s`.
pub fn signed_seconds(v: f64) -> String {
    let sign = if v > 0.005 {
        "+"
    } else if v < -0.005 {
        "-"
    } else {
        "±"
    };
    format!("{sign}{}", human(v.abs()))
}

/// A share change in percentage points: `+7 pts`.
pub fn signed_points(v: f64) -> String {
    let pts = (v * 100.0).round() as i64;
    match pts {
        0 => "±0 pts".into(),
        p if p > 0 => format!("+{p} pts"),
        p => format!("{p} pts"),
    }
}

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

fn day_time(recorded_at: &str) -> String {
    recorded_at
        .get(..16)
        .unwrap_or(recorded_at)
        .replace('T', " ")
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Warn => "warn",
        Status::Fail => "fail",
    }
}

/// Spans of a side as the bar helper takes them.
fn spans(side: &Side) -> Vec<(Step, f64, f64)> {
    side.timeline
        .iter()
        .map(|s| (s.step, s.start_s, s.end_s))
        .collect()
}

/// The steps shown in either take, in method order, each with the names the takes' types give
/// it; wrapped to `width` columns.
fn legend(c: &Comparison, style: &Style, width: usize) -> String {
    let mut seen: Vec<Step> = Vec::new();
    for s in c.a.timeline.iter().chain(&c.b.timeline) {
        if !seen.contains(&s.step) {
            seen.push(s.step);
        }
    }
    seen.sort_by_key(|s| (s.framework() != c.a.framework, s.index()));
    let items: Vec<(String, String)> = seen
        .iter()
        .map(|s| {
            let mut names: Vec<&str> = Vec::new();
            for side in [&c.a, &c.b] {
                let name = profile(side.question.qtype).name(*s);
                if side.timeline.iter().any(|t| t.step == *s) && !names.contains(&name) {
                    names.push(name);
                }
            }
            (super::mix::cell(*s, style), names.join(" / "))
        })
        .collect();
    super::mix::legend(&items, width)
}

/// The example answer's problem and solution shares.
fn example_shares(c: &Comparison) -> (Option<f64>, Option<f64>) {
    let Some(r) = c.reference.filter(|r| r.answer_s > 0.0) else {
        return (None, None);
    };
    let share = |f: fn(Step) -> bool| {
        r.steps
            .0
            .iter()
            .filter(|(s, _)| f(*s))
            .map(|(_, v)| v)
            .sum::<f64>()
            / r.answer_s
    };
    (
        Some(share(Step::is_problem)),
        Some(share(Step::is_solution)),
    )
}

/// A line of the tables: the label, A and B shown by `show`, the signed change, then `rest`.
fn seconds_row(label: &str, w: usize, ch: Change, show: fn(f64) -> String, rest: &str) -> String {
    format!(
        "  {label:<w$} {:>7} {:>7} {:>9}{rest}\n",
        show(ch.a),
        show(ch.b),
        signed_seconds(ch.change)
    )
}

/// The terminal view, laid out for `width` columns.
pub fn terminal(c: &Comparison, style: &Style, width: usize) -> String {
    let mut out = String::new();
    let question = |side: &Side| {
        side.question
            .text
            .as_deref()
            .map(|t| format!(": \"{}\"", printable(t)))
            .unwrap_or_default()
    };
    if c.same_question {
        let _ = writeln!(
            out,
            "{} two takes of a {} question{}",
            style.bold("paceback compare:"),
            c.b.question.qtype.label(),
            question(&c.b)
        );
    } else {
        let _ = writeln!(out, "{} two takes", style.bold("paceback compare:"));
    }
    for (mark, side) in [("A", &c.a), ("B", &c.b)] {
        let _ = writeln!(
            out,
            "  {} {}  {}  answer {}, {} of {} checks passed{}",
            style.bold(mark),
            printable(&side.id),
            printable(&day_time(&side.recorded_at)),
            clock(side.answer_s),
            side.checks_passed,
            side.checks_total,
            if c.same_question {
                String::new()
            } else {
                format!(
                    "\n      {} question{}",
                    side.question.qtype.label(),
                    question(side)
                )
            }
        );
    }
    if let Some(note) = &c.note {
        let text = super::mix::wrap(&format!("note: {note}"), "  ", width);
        out.push_str(&text.replacen("note:", &style.paint("note:", AnsiColors::Yellow), 1));
    }

    // The two timelines, one above the other, on the longer answer's scale.
    let bar = width.saturating_sub(14).clamp(20, 100);
    let _ = writeln!(out);
    for (mark, side) in [("A", &c.a), ("B", &c.b)] {
        let cells = timeline_cells(&spans(side), c.scale_s, bar);
        let _ = writeln!(
            out,
            "  {mark} {:>6} |{}|",
            clock(side.answer_s),
            paint(&cells, style)
        );
    }
    let scale = super::mix::wrap(
        &format!(
            "same scale from the first word: the bar is {}, one mark {}",
            clock(c.scale_s),
            human(c.scale_s / bar as f64)
        ),
        "  ",
        width,
    );
    out.push_str(&style.dim(&scale));
    out.push_str(&legend(c, style, width));

    // Seconds per step.
    let name_w = c
        .steps
        .iter()
        .map(|s| s.label.chars().count())
        .chain([14])
        .max()
        .unwrap_or(14);
    let _ = writeln!(
        out,
        "\n  {:<name_w$} {:>7} {:>7} {:>9}   share A → B{}",
        "step",
        "A",
        "B",
        "change",
        if c.reference.is_some() {
            "   example"
        } else {
            ""
        }
    );
    for s in &c.steps {
        let mut rest = format!("   {:>5} → {:>3}", pct(s.share.a), pct(s.share.b));
        if let Some(r) = s.reference_s {
            let _ = write!(rest, "   {:>7}", clock(r));
        }
        out.push_str(&seconds_row(&s.label, name_w, s.seconds, clock, &rest));
    }
    let example = |f: fn(&Reference) -> f64| {
        c.reference
            .map(|r| format!("{:>14}   {:>7}", "", human(f(r))))
            .unwrap_or_default()
    };
    out.push_str(&seconds_row(
        "Whole answer",
        name_w,
        c.answer,
        human,
        &example(|r| r.answer_s),
    ));
    out.push_str(&seconds_row(
        "Think pause",
        name_w,
        c.think_pause,
        human,
        &example(|r| r.think_pause_s),
    ));
    if let Some(r) = c.reference {
        out.push_str(&super::mix::wrap(
            &format!(
                "example: {} ({}, {}), labelled by step",
                r.label,
                clock(r.answer_s),
                r.source
            ),
            "  ",
            width,
        ));
    }

    if let Some(sh) = &c.shares {
        let row = |label: &str, ch: Change, target: &str, example: Option<f64>| {
            format!(
                "  {label:<19} {:>4} → {:>4}  {:>8}  ({target}{})",
                pct(ch.a),
                pct(ch.b),
                signed_points(ch.change),
                example
                    .map(|v| format!("; example {}", pct(v)))
                    .unwrap_or_default()
            )
        };
        let (pe, se) = example_shares(c);
        let _ = writeln!(
            out,
            "\n{}\n{}",
            row(
                "problem definition",
                sh.problem_definition,
                "at least 30%",
                pe
            ),
            row("solution", sh.solution, "at most 40%", se)
        );
    }

    if c.budgets.iter().any(|b| !repeated(&b.id)) {
        let _ = writeln!(
            out,
            "\n  {:<28} {:>7} {:>7} {:>9}  target",
            "timing budget", "A", "B", "change"
        );
        for b in c.budgets.iter().filter(|b| !repeated(&b.id)) {
            let target = format!("  {}", range(b.min_s, b.max_s));
            out.push_str(&seconds_row(&b.label, 28, b.seconds, human, &target));
        }
    }

    if c.checks.is_empty() {
        let _ = writeln!(
            out,
            "\n  checks: no verdict changed ({} the same)",
            c.checks_unchanged
        );
    } else {
        let _ = writeln!(
            out,
            "\n  checks that changed ({} others the same):",
            c.checks_unchanged
        );
        for ch in &c.checks {
            let verdict = format!("{} → {}", status_word(ch.a), status_word(ch.b));
            let verdict = if ch.better {
                style.paint(&verdict, AnsiColors::Green)
            } else {
                style.paint(&verdict, AnsiColors::Red)
            };
            let _ = writeln!(
                out,
                "  {} {:<20} {}  {}",
                status_mark(style, ch.b),
                ch.id,
                verdict,
                printable(&ch.message)
            );
        }
    }
    out
}

/// Budgets the step table already shows (the whole answer, the think pause).
fn repeated(budget_id: &str) -> bool {
    budget_id == METHOD.answer.id || budget_id == METHOD.think_pause.id
}

fn change_class(change: f64, better_when_up: Option<bool>) -> &'static str {
    match better_when_up {
        _ if change.abs() < 0.005 => "muted",
        Some(true) if change > 0.0 => "better",
        Some(false) if change < 0.0 => "better",
        Some(_) => "worse",
        None => "",
    }
}

fn side_block(label: &str, side: &Side, a: &Analysis, scale_s: f64) -> Markup {
    let width = if scale_s > 0.0 {
        (side.answer_s / scale_s * 100.0).clamp(5.0, 100.0)
    } else {
        100.0
    };
    html! {
        h2 { (label) " · " (side.id) " · " (day_time(&side.recorded_at)) " · " (clock(side.answer_s)) }
        @if let Some(q) = &side.question.text { p.muted { (side.question.qtype.label()) " question: " (q) } }
        div.take style={ "width:" (format!("{width:.2}")) "%" } { (timeline(a)) }
    }
}

/// The compare page: both timelines on one scale, then the tables.
pub fn page_html(c: &Comparison, a: &Analysis, b: &Analysis) -> String {
    page(
        &format!("paceback compare {} {}", c.a.id, c.b.id),
        html! {
            h1 { "Compare two takes" }
            p.muted { "A " (c.a.id) " → B " (c.b.id) "; every change is B − A. Both timelines use the same scale: "
                      (clock(c.scale_s)) ", the longer answer." }
            @if let Some(note) = &c.note { p.warn { (note) } }
            (side_block("A", &c.a, a, c.scale_s))
            (side_block("B", &c.b, b, c.scale_s))
            h2 { "Time per step" }
            table.steps {
                tr { th { "step" } th.num { "A" } th.num { "B" } th.num { "change" } th.num { "share A" } th.num { "share B" }
                     @if c.reference.is_some() { th.num title="the labelled example answer of this type" { "example" } } }
                @for s in &c.steps {
                    tr { td { span.swatch style={ "background:" (step_hex(s.step)) } {} (s.label) }
                         td.num { (clock(s.seconds.a)) } td.num { (clock(s.seconds.b)) }
                         td.num { (signed_seconds(s.seconds.change)) }
                         td.num { (pct(s.share.a)) } td.num { (pct(s.share.b)) }
                         @if let Some(r) = s.reference_s { td.num.muted { (clock(r)) } } }
                }
                tr { td { "Whole answer" } td.num { (clock(c.answer.a)) } td.num { (clock(c.answer.b)) }
                     td.num { (signed_seconds(c.answer.change)) } td {} td {}
                     @if let Some(r) = c.reference { td.num.muted { (clock(r.answer_s)) } } }
                tr { td { "Think pause" } td.num { (human(c.think_pause.a)) } td.num { (human(c.think_pause.b)) }
                     td.num { (signed_seconds(c.think_pause.change)) } td {} td {}
                     @if let Some(r) = c.reference { td.num.muted { (human(r.think_pause_s)) } } }
            }
            @if let Some(r) = c.reference {
                p.muted { "Example: " (r.label) " (" (clock(r.answer_s)) ", " (r.source) "): “" (r.question) "”" }
            }
            @if let Some(sh) = &c.shares {
                h2 { "Problem and solution" }
                table.shares {
                    tr { th { "share" } th.num { "A" } th.num { "B" } th.num { "change" } th { "target" } }
                    tr { td { "problem definition" } td.num { (pct(sh.problem_definition.a)) } td.num { (pct(sh.problem_definition.b)) }
                         td.num.(change_class(sh.problem_definition.change, Some(true))) { (signed_points(sh.problem_definition.change)) }
                         td { "at least 30%" } }
                    tr { td { "solution" } td.num { (pct(sh.solution.a)) } td.num { (pct(sh.solution.b)) }
                         td.num.(change_class(sh.solution.change, Some(false))) { (signed_points(sh.solution.change)) }
                         td { "at most 40%" } }
                }
            }
            @if c.budgets.iter().any(|b| !repeated(&b.id)) {
                h2 { "Timing budgets" }
                table.budgets {
                    tr { th { "budget" } th.num { "A" } th.num { "B" } th.num { "change" } th.num { "target" } }
                    @for b in c.budgets.iter().filter(|b| !repeated(&b.id)) {
                        tr { td { (b.label) } td.num { (human(b.seconds.a)) } td.num { (human(b.seconds.b)) }
                             td.num { (signed_seconds(b.seconds.change)) } td.num { (range(b.min_s, b.max_s)) } }
                    }
                }
            }
            h2 { "Checks that changed" }
            @if c.checks.is_empty() {
                p.muted { "No verdict changed (" (c.checks_unchanged) " the same)." }
            } @else {
                table.checks {
                    @for ch in &c.checks {
                        @let (ca, ma) = status_class(ch.a);
                        @let (cb, mb) = status_class(ch.b);
                        tr { td { (ch.id) } td.(ca) { (ma) " " (status_word(ch.a)) } td { "→" }
                             td.(cb) { (mb) " " (status_word(ch.b)) } td { (ch.message) } }
                    }
                }
                p.muted { (c.checks_unchanged) " other checks the same." }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_are_explicit() {
        assert_eq!(signed_seconds(7.24), "+7.2 s");
        assert_eq!(signed_seconds(-65.0), "-1:05");
        assert_eq!(signed_seconds(0.0), "±0.0 s");
        assert_eq!(signed_points(0.071), "+7 pts");
        assert_eq!(signed_points(-0.07), "-7 pts");
        assert_eq!(signed_points(0.001), "±0 pts");
    }
}
