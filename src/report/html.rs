//! Self-contained HTML pages (inline CSS and SVG, nothing loaded from the network): one take's
//! report (`show --html`) and the progress page (`progress --html`).

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::charts::line_chart;
use super::history::{target_text, value};
use crate::analysis::method::profile;
use crate::analysis::{Analysis, Light, Status, Step};
use crate::history::TakeRecord;
use crate::history::progress::Progress;
use crate::time::{clock, human, range};

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:980px;color:#1f2937;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #e5e7eb;padding-bottom:.3rem}
.muted{color:#6b7280}.timeline{display:flex;height:2.2rem;border-radius:6px;overflow:hidden;margin:.6rem 0}
.timeline div{height:100%}.legend span{display:inline-block;margin-right:1rem;font-size:.9rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:middle}
table{border-collapse:collapse;width:100%;font-size:.95rem}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #f0f0f0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.light{display:inline-block;width:.75rem;height:.75rem;border-radius:50%;vertical-align:middle}
.pass{color:#15803d}.warn{color:#b45309}.fail{color:#b91c1c}.better{color:#15803d}.worse{color:#b91c1c}
.shares{display:flex;gap:2rem}.share{font-size:2rem;font-weight:600}
.transcript p{line-height:1.6;padding:.4rem .6rem;border-radius:4px;margin:.3rem 0}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.charts svg{width:100%;height:auto;border:1px solid #f0f0f0;border-radius:6px}
";

/// A step's colour: problem steps in blues, solution in purples, pressure-test amber, close green.
pub fn step_hex(step: Step) -> &'static str {
    match step {
        Step::Classify => "#9ca3af",
        Step::Customer | Step::Situation => "#06b6d4",
        Step::Pain | Step::Task => "#3b82f6",
        Step::Vision => "#6366f1",
        Step::Capabilities | Step::Action => "#a855f7",
        Step::Metrics => "#d946ef",
        Step::Risks => "#f59e0b",
        Step::Thesis | Step::Result => "#22c55e",
    }
}

/// Pale background of a step for the transcript.
fn step_tint(step: Step) -> String {
    format!("{}22", step_hex(step))
}

fn light_hex(light: Light) -> &'static str {
    match light {
        Light::Under => "#d1d5db",
        Light::Green => "#22c55e",
        Light::Yellow => "#eab308",
        Light::Red => "#ef4444",
    }
}

pub fn status_class(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Pass => ("pass", "✓"),
        Status::Warn => ("warn", "!"),
        Status::Fail => ("fail", "✗"),
    }
}

pub fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body { (body) }
        }
    }
    .into_string()
}

/// One of the two key shares: its value coloured by its verdict, and where it could be when the
/// verdict is borderline.
fn share_box(a: &Analysis, id: &str, value: f64, range: Option<[f64; 2]>, label: &str) -> Markup {
    let check = a.checks.iter().find(|c| c.id == id);
    let class = check.map_or("muted", |c| status_class(c.status).0);
    let borderline = check.is_some_and(|c| c.borderline);
    html! {
        div { div.share.(class) { (format!("{:.0}%", value * 100.0)) }
              div.muted { (label) }
              @if let (true, Some([lo, hi])) = (borderline, range) {
                  div.warn { (format!("borderline: could be {:.0}-{:.0}%", (lo * 100.0).max(0.0), (hi * 100.0).max(0.0))) }
              } }
    }
}

/// The answer as a bar of steps, with a legend.
pub fn timeline(a: &Analysis) -> Markup {
    let total = a.answer.duration_s.max(1e-9);
    html! {
        div.timeline role="img" aria-label="timeline of the answer by step" {
            @for s in &a.steps {
                div style={ "width:" (format!("{:.3}", s.duration_s / total * 100.0)) "%;background:" (step_hex(s.step)) }
                    title={ (profile(a.question.qtype).name(s.step)) " " (clock(s.start_s)) "–" (clock(s.end_s)) } {}
            }
        }
        div.legend {
            @for step in a.framework.steps().iter().filter(|st| a.steps.iter().any(|s| s.step == **st)) {
                span { span.swatch style={ "background:" (step_hex(*step)) } {} (profile(a.question.qtype).name(*step)) }
            }
        }
        p.muted { (clock(a.answer.start_s)) " to " (clock(a.answer.end_s)) " of the recording" }
    }
}

fn report_body(a: &Analysis) -> Markup {
    html! {
        @if a.no_speech {
            p { "No speech detected in this take." }
        } @else {
            p { "Answer " strong { (clock(a.answer.duration_s)) } " after a " (human(a.think_pause_s))
                " think pause, " (a.answer.words) " words, " (format!("{:.0}", a.delivery.wpm)) " words a minute." }
            (timeline(a))
            @if let (Some(p), Some(s)) = (a.shares.problem_definition, a.shares.solution) {
                div.shares {
                    (share_box(a, "problem_share", p, a.shares.problem_definition_range, "problem definition (at least 30%)"))
                    (share_box(a, "solution_share", s, a.shares.solution_range, "solution (at most 40%)"))
                }
            }
            h2 { "Steps" }
            table {
                tr { th { "step" } th.num { "start" } th.num { "time" } th.num { "share" } th.num title="how likely this stretch is this step" { "sure" } }
                @for s in &a.steps {
                    tr { td { span.swatch style={ "background:" (step_hex(s.step)) } {} (profile(a.question.qtype).name(s.step)) }
                         td.num { (clock(s.start_s)) } td.num { (clock(s.duration_s)) }
                         td.num { (format!("{:.0}%", s.share * 100.0)) }
                         td.num.{ (if s.confidence < 0.6 { "warn" } else { "muted" }) } { (format!("{:.0}%", s.confidence * 100.0)) } }
                }
            }
            h2 { "Timing budgets" }
            table {
                tr { th { "budget" } th.num { "actual" } th.num { "target" } th { "light" } }
                @for b in &a.budgets {
                    tr { td { (b.label) } td.num { (human(b.actual_s)) } td.num { (range(b.min_s, b.max_s)) }
                         td { span.light style={ "background:" (light_hex(b.light)) } {} " " (format!("{:?}", b.light).to_lowercase()) } }
                }
            }
            h2 { "Checks" }
            table {
                @for c in &a.checks {
                    @let (class, mark) = status_class(c.status);
                    tr { td.(class) { (mark) } td { (c.id.as_str()) }
                         td { (c.message)
                              @for e in &c.evidence {
                                  div.muted { "“" (e.text) "” (" (clock(e.start_s)) ")" }
                              } } }
                }
            }
            @if !a.advice.is_empty() {
                h2 { "Next time" }
                ol { @for advice in &a.advice { li { (advice) } } }
            }
            h2 { "Transcript by step" }
            div.transcript {
                @for s in &a.steps {
                    p style={ "background:" (step_tint(s.step)) } {
                        strong { (clock(s.start_s)) " " (profile(a.question.qtype).name(s.step)) } " " (s.text)
                    }
                }
            }
        }
    }
}

/// One take's report page.
pub fn take_page(rec: &TakeRecord, a: &Analysis) -> String {
    let question = rec
        .question
        .text
        .as_deref()
        .unwrap_or("(no question given)");
    page(
        &format!("paceback take {}", rec.id),
        html! {
            h1 { (question) }
            p.muted { (a.question.qtype.label()) " question · take " (rec.id) " · " (rec.recorded_at) }
            (report_body(a))
        },
    )
}

/// The progress page: a summary table, a chart per figure, the weeks, the latest take.
pub fn progress_page(
    p: &Progress,
    scope: &str,
    latest: Option<(&TakeRecord, &Analysis)>,
) -> String {
    page(
        "paceback progress",
        html! {
            h1 { "Progress" }
            p.muted { (p.takes) " takes " (scope) }
            table {
                tr { th { "figure" } th.num { "first" } th.num { "latest" } th.num { "target" } th {} }
                @for m in p.metrics.iter().filter(|m| !m.points.is_empty()) {
                    tr {
                        td { (m.label) }
                        td.num { (m.first().map(|v| value(m.unit, v)).unwrap_or_default()) }
                        td.num { (m.latest().map(|v| value(m.unit, v)).unwrap_or_default()) }
                        td.num { (target_text(m)) }
                        td { @match m.improved() { Some(true) => span.better { "better" }, Some(false) => span.worse { "worse" }, None => "" } }
                    }
                }
            }
            h2 { "Over time" }
            div.charts {
                @for m in &p.metrics {
                    @if let Some(svg) = line_chart(m, (460, 240)) {
                        figure style="margin:0" { (PreEscaped(svg)) }
                    }
                }
            }
            h2 { "By week" }
            table {
                tr { th { "week of" } th.num { "takes" } th.num { "problem" } th.num { "solution" } th.num { "length" } th.num { "checks passed" } }
                @for w in &p.weeks {
                    tr { td { (w.week_of) } td.num { (w.takes) }
                         td.num { (w.problem_share.map(|v| format!("{:.0}%", v * 100.0)).unwrap_or_default()) }
                         td.num { (w.solution_share.map(|v| format!("{:.0}%", v * 100.0)).unwrap_or_default()) }
                         td.num { (clock(w.answer_s)) } td.num { (format!("{:.0}%", w.checks_passed * 100.0)) } }
                }
            }
            @if let Some((rec, a)) = latest {
                h2 { "Latest take: " (rec.question.text.as_deref().unwrap_or("")) }
                p.muted { (rec.id) }
                (timeline(a))
            }
        },
    )
}
