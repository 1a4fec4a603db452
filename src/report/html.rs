//! Self-contained HTML pages (inline CSS and SVG, nothing loaded from the network): one take's
//! report (`show --html`) and the progress page (`progress --html`).

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::replay::{Audio, Replay};
use crate::analysis::delivery::{Mark, MarkKind};
use crate::analysis::method::{METHOD, profile};
use crate::analysis::{Analysis, Check, Light, QuestionType, Status, Step};
use crate::history::TakeRecord;
use crate::history::compare::{Reference, reference};
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
.timeline{position:relative;background:#f3f4f6}.timeline div{position:absolute;top:0}
.timeline .think{background:repeating-linear-gradient(45deg,#e5e7eb 0 4px,#f9fafb 4px 8px)}
.timeline .step{border-right:1px solid #fff;box-sizing:border-box}.timeline .playhead{width:2px;background:#111827;left:0}
.axis{position:relative;height:1.1rem;font-size:.75rem;color:#6b7280;border-top:1px solid #d1d5db}
.axis span{position:absolute;transform:translateX(-50%);top:.1rem;white-space:nowrap}
.band-row{margin:.15rem 0;font-size:.8rem}.band-track{position:relative;height:.7rem;background:#f9fafb;overflow:hidden}
.band-track div{position:absolute;top:0;height:100%}.band-track .band{background:#22c55e22;border:1px dashed #16a34a;box-sizing:border-box}
.band-track .actual{height:60%;top:20%;border-radius:2px}
.sharebar{position:relative;width:14rem;height:.6rem;background:#f3f4f6;border-radius:3px;margin:.3rem 0}
.sharebar div{position:absolute;top:0;height:100%}.sharebar .fill{border-radius:3px}
.sharebar .limit{width:2px;top:-.2rem;height:1rem;background:#111827}
.player{position:sticky;top:0;background:#fff;padding:.4rem 0;z-index:1}.player audio{width:100%}
.note{background:#fef3c7;padding:.4rem .6rem;border-radius:4px}
body:has(#player) .seek{cursor:pointer}body:has(#player) .seek:hover{background:#0000000d}
.w.now{background:#fde047;border-radius:3px}.filler{text-decoration:underline wavy #f59e0b}
.mixrow{display:flex;align-items:center;gap:.6rem;margin:.3rem 0}.mixrow>span{width:7rem;font-size:.85rem}.mixtrack{flex:1}
.mixbar{display:flex;height:1.1rem;border-radius:4px;overflow:hidden}.mixbar div{height:100%;border-right:1px solid #fff}
.hedge{text-decoration:underline dotted #a855f7 2px}.pause{color:#b45309;font-size:.8em;white-space:nowrap}
";

/// Nothing from the network: media only from the page itself or files, script and style inline.
const CSP: &str = "default-src 'none'; media-src data: blob: file: 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/// The player's behaviour on the take page: a click on anything `.seek` plays from its
/// `data-start`; the word whose [data-start, data-end) holds the playing time is marked `now`
/// (times are in centiseconds and a seek can land a hair before the one asked for: 5 ms slack);
/// space plays and pauses (left to the player's own controls when they have the focus), the left
/// and right arrows jump to the previous and next step.
const REPLAY_JS: &str = r#"(function(){
var a=document.getElementById('player');if(!a)return;
var ws=[].slice.call(document.querySelectorAll('.transcript .w'));
var st=ws.map(function(w){return parseFloat(w.getAttribute('data-start'))});
var en=ws.map(function(w){return parseFloat(w.getAttribute('data-end'))});
var steps=[].map.call(document.querySelectorAll('.timeline .step'),function(s){return parseFloat(s.getAttribute('data-start'))}).sort(function(x,y){return x-y});
var tl=document.querySelector('.timeline'),total=tl?parseFloat(tl.getAttribute('data-total')):0;
var head=document.getElementById('playhead'),cur=null;
function word(t){t+=0.005;var lo=0,hi=st.length-1,i=-1;while(lo<=hi){var m=(lo+hi)>>1;if(st[m]<=t){i=m;lo=m+1}else{hi=m-1}}return i>=0&&t<en[i]?ws[i]:null}
function mark(){var t=a.currentTime,w=word(t);if(w!==cur){if(cur)cur.classList.remove('now');if(w)w.classList.add('now');cur=w}
if(head&&total>0)head.style.left=Math.min(100,t/total*100)+'%'}
function loop(){mark();if(!a.paused)requestAnimationFrame(loop)}
function play(){var p=a.play();if(p&&p.catch)p.catch(function(){})}
function go(t){if(isFinite(t)){a.currentTime=t;mark()}}
['timeupdate','seeking','seeked','loadedmetadata','pause'].forEach(function(e){a.addEventListener(e,mark)});
a.addEventListener('play',function(){requestAnimationFrame(loop)});
document.addEventListener('click',function(e){var el=e.target.closest?e.target.closest('.seek'):null;
if(el){e.preventDefault();go(parseFloat(el.getAttribute('data-start')));play()}});
document.addEventListener('keydown',function(e){if(e.ctrlKey||e.metaKey||e.altKey)return;
var tag=e.target.tagName;if(tag==='INPUT'||tag==='TEXTAREA'||tag==='SELECT'||tag==='BUTTON')return;
var t=a.currentTime,n=null,i;
if(e.key===' '){if(e.target===a)return;e.preventDefault();if(a.paused)play();else a.pause();return}
if(e.key==='ArrowRight'){for(i=0;i<steps.length;i++)if(steps[i]>t+0.05){n=steps[i];break}}
else if(e.key==='ArrowLeft'){n=0;for(i=steps.length-1;i>=0;i--)if(steps[i]<t-1){n=steps[i];break}}
else return;
e.preventDefault();if(n!==null)go(n)});
})();"#;

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
    page_with_script(title, body, None)
}

/// A page with an inline script (the take report's player).
pub fn page_with_script(title: &str, body: Markup, script: Option<&str>) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(CSP);
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                (body)
                @if let Some(js) = script { script { (PreEscaped(js)) } }
            }
        }
    }
    .into_string()
}

/// A time for a `data-start` / `data-end` attribute: seconds with two decimals.
fn secs(t: f64) -> String {
    format!("{:.2}", if t.is_finite() { t.max(0.0) } else { 0.0 })
}

/// Where `t` sits on a scale of `total` seconds, as a CSS percentage.
fn pct(t: f64, total: f64) -> String {
    let p = if total > 0.0 { t / total * 100.0 } else { 0.0 };
    format!(
        "{:.3}%",
        if p.is_finite() {
            p.clamp(0.0, 100.0)
        } else {
            0.0
        }
    )
}

/// `left` and `width` of the stretch `[from, to]` on a scale of `total` seconds, cut to the scale.
fn place(from: f64, to: f64, total: f64) -> String {
    let total = if total.is_finite() {
        total.max(0.0)
    } else {
        0.0
    };
    let from = if from.is_finite() {
        from.clamp(0.0, total)
    } else {
        0.0
    };
    let to = if to.is_finite() {
        to.clamp(from, total)
    } else {
        from
    };
    format!("left:{};width:{}", pct(from, total), pct(to - from, total))
}

/// Seconds between labelled ticks of a time axis `total` seconds long: at most about 10 ticks.
fn tick_every(total: f64) -> f64 {
    [5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0]
        .into_iter()
        .find(|step| total / step <= 10.0)
        .unwrap_or(3600.0)
}

/// One of the two key shares: its value coloured by its verdict, and where it could be when the
/// verdict is borderline.
fn share_box(
    a: &Analysis,
    id: &str,
    value: f64,
    range: Option<[f64; 2]>,
    (label, limit): (&str, f64),
) -> Markup {
    let check = a.checks.iter().find(|c| c.id == id);
    let class = check.map_or("muted", |c| status_class(c.status).0);
    let borderline = check.is_some_and(|c| c.borderline);
    let fill = match check.map(|c| c.status) {
        Some(Status::Pass) => "#22c55e",
        Some(Status::Warn) => "#eab308",
        Some(Status::Fail) => "#ef4444",
        None => "#9ca3af",
    };
    html! {
        div { div.share.(class) { (format!("{:.0}%", value * 100.0)) }
              div.sharebar role="img" aria-label={ (format!("{:.0}% against {:.0}%", value * 100.0, limit * 100.0)) } {
                  div.fill style={ "width:" (pct(value, 1.0)) ";background:" (fill) } {}
                  @if let Some([lo, hi]) = range.filter(|_| borderline) {
                      div style={ (place(lo, hi, 1.0)) ";background:#00000022" } title="could be anywhere here" {}
                  }
                  div.limit style={ "left:" (pct(limit, 1.0)) } title={ (format!("{:.0}%", limit * 100.0)) } {}
              }
              div.muted { (label) }
              @if let (true, Some([lo, hi])) = (borderline, range) {
                  div.warn { (format!("borderline: could be {:.0}-{:.0}%", (lo * 100.0).max(0.0), (hi * 100.0).max(0.0))) }
              } }
    }
}

/// The recording as a bar on a time axis: the think pause, the steps (each plays from its start
/// on the take page), and under it each timing budget drawn where it applies: the band where
/// the step (or answer) should end if it started where it did, and how long it took.
pub fn timeline(a: &Analysis) -> Markup {
    let total = [a.audio.duration_s, a.answer.end_s]
        .into_iter()
        .chain(a.steps.last().map(|s| s.end_s))
        .filter(|t| t.is_finite())
        .fold(0.0, f64::max)
        .max(1e-9);
    let names = profile(a.question.qtype);
    let every = tick_every(total);
    // A damaged take can claim a recording of centuries: the axis stops at a day's worth of ticks.
    let ticks = (0..=(total / every) as usize)
        .take(25)
        .map(|i| i as f64 * every);
    html! {
        div.timeline role="img" aria-label="timeline of the recording by step" data-total=(secs(total)) {
            @if a.think_pause_s > 0.0 {
                div.think style=(place(0.0, a.think_pause_s, total)) title={ "think pause " (human(a.think_pause_s)) } {}
            }
            @for s in &a.steps {
                div.step.seek data-start=(secs(s.start_s)) data-step=(s.step.id())
                    style={ (place(s.start_s, s.end_s, total)) ";background:" (step_hex(s.step)) }
                    title={ (names.name(s.step)) " " (clock(s.start_s)) "–" (clock(s.end_s)) } {}
            }
            div.playhead #playhead {}
        }
        div.axis { @for t in ticks { span style={ "left:" (pct(t, total)) } { (clock(t)) } } }
        @for (b, anchor) in budget_anchors(a) {
            div.band-row {
                span.muted { (b.label) ": " (human(b.actual_s)) " (target " (range(b.min_s, b.max_s)) ")"
                    @if anchor + b.min_s > total { " →" } }
                div.band-track {
                    div.actual style={ (place(anchor, anchor + b.actual_s, total)) ";background:" (light_hex(b.light)) } {}
                    div.band style=(place(anchor + b.min_s, anchor + b.max_s, total)) {}
                }
            }
        }
        div.legend {
            @if a.think_pause_s > 0.0 { span { span.swatch.think style="background:#e5e7eb" {} "think pause" } }
            @for step in a.framework.steps().iter().filter(|st| a.steps.iter().any(|s| s.step == **st)) {
                span { span.swatch style={ "background:" (step_hex(*step)) } {} (names.name(*step)) }
            }
            @if !a.budgets.is_empty() { span { span.swatch style="background:#22c55e33;border:1px dashed #16a34a" {} "where a budget says to end" } }
        }
        p.muted { "Answer " (clock(a.answer.start_s)) " to " (clock(a.answer.end_s)) " of the recording" }
    }
}

/// Each timing budget with the time it is counted from: the recording's start for the think
/// pause, the answer's start for the answer, else the start of the first step it counts.
fn budget_anchors(a: &Analysis) -> Vec<(&crate::analysis::BudgetReport, f64)> {
    let method = METHOD.budgets(a.question.qtype);
    a.budgets
        .iter()
        .filter_map(|b| {
            let steps = &method.iter().find(|(m, _)| m.id == b.id)?.1;
            let anchor = if b.id == METHOD.think_pause.id {
                0.0
            } else if steps.is_empty() {
                a.answer.start_s
            } else {
                a.steps.iter().find(|s| steps.contains(&s.step))?.start_s
            };
            Some((b, anchor))
        })
        .collect()
}

/// Failed checks first, then warnings, then passes, each in the method's order.
fn by_severity(checks: &[Check]) -> Vec<&Check> {
    let mut sorted: Vec<&Check> = checks.iter().collect();
    sorted.sort_by_key(|c| std::cmp::Reverse(c.status));
    sorted
}

/// The transcript by step, sentence by sentence, every word with its time (so the page can
/// mark the word being played) and the fillers, hedges and long pauses marked where they were.
fn transcript(a: &Analysis, marks: &[Mark]) -> Markup {
    let words = &a.words;
    let mut marked: Vec<Option<&Mark>> = vec![None; words.len()];
    let mut pause_after: Vec<Option<&Mark>> = vec![None; words.len()];
    for m in marks {
        if m.kind == MarkKind::Pause {
            if let Some(slot) = pause_after.get_mut(m.at) {
                *slot = Some(m);
            }
        } else {
            for slot in marked.iter_mut().take(m.end).skip(m.at) {
                slot.get_or_insert(m);
            }
        }
    }
    // Each word goes with the last step that started at or before it (steps can repeat).
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); a.steps.len().max(1)];
    let mut k = 0;
    for (i, w) in words.iter().enumerate() {
        while k + 1 < a.steps.len() && a.steps[k + 1].start_s <= w.start_s + 1e-6 {
            k += 1;
        }
        groups[k].push(i);
    }
    let names = profile(a.question.qtype);
    html! {
        div.transcript {
            @for (g, idx) in groups.iter().enumerate() {
                @let step = a.steps.get(g);
                p style={ "background:" (step.map_or("#f3f4f6".to_string(), |s| step_tint(s.step))) } {
                    @if let Some(s) = step {
                        strong.seek data-start=(secs(s.start_s)) { (clock(s.start_s)) " " (names.name(s.step)) } " "
                    }
                    @for sentence in sentences(idx, words) {
                        span.sentence.seek data-start=(secs(words[sentence[0]].start_s)) {
                            @for &i in sentence {
                                @let w = &words[i];
                                @match marked[i] {
                                    Some(m) => span class={ "w " (mark_class(m.kind)) } data-start=(secs(w.start_s)) data-end=(secs(w.end_s))
                                        title={ (mark_class(m.kind)) ": " (m.what) } { (w.w) },
                                    None => span.w data-start=(secs(w.start_s)) data-end=(secs(w.end_s)) { (w.w) },
                                }
                                " "
                                @if let Some(p) = pause_after[i] {
                                    span.pause data-start=(secs(w.end_s)) title={ "a pause of " (p.what) } { "‖ " (p.what) } " "
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn mark_class(kind: MarkKind) -> &'static str {
    match kind {
        MarkKind::Filler => "filler",
        MarkKind::Hedge => "hedge",
        MarkKind::Pause => "pause",
    }
}

/// The word indices `idx` cut into sentences: a sentence ends at a word ending in `.`, `?` or
/// `!` (closing quotes aside).
fn sentences<'a>(idx: &'a [usize], words: &[crate::analysis::LabelledWord]) -> Vec<&'a [usize]> {
    let ends = |i: usize| {
        words[i]
            .w
            .trim_end_matches(['"', '\'', '”', '’', ')'])
            .ends_with(['.', '?', '!'])
    };
    let mut out = Vec::new();
    let mut from = 0;
    for (j, &i) in idx.iter().enumerate() {
        if ends(i) || j + 1 == idx.len() {
            out.push(&idx[from..=j]);
            from = j + 1;
        }
    }
    out
}

/// The delivery marks counted, as a key to the transcript.
fn marks_key(marks: &[Mark]) -> Markup {
    let n = |k: MarkKind| marks.iter().filter(|m| m.kind == k).count();
    html! {
        p.muted {
            span.filler { "wavy underline" } ": filler (" (n(MarkKind::Filler)) ") · "
            span.hedge { "dotted underline" } ": hedged extra (" (n(MarkKind::Hedge)) ") · "
            span.pause { "‖" } ": a pause of " (human(METHOD.long_pause_s)) " or more (" (n(MarkKind::Pause)) ")"
        }
    }
}

/// The player, or the note saying why there is none.
fn player(audio: &Audio) -> Markup {
    let keys = "Click a step, a sentence or a quoted sentence to play from there · space: play or pause · ← →: previous or next step";
    html! {
        @match audio {
            Audio::Embedded { uri } => div.player { audio #player controls preload="auto" src=(uri) {} p.muted { (keys) } },
            Audio::Linked { uri, note } => div.player { audio #player controls preload="auto" src=(uri) {} p.muted { (keys) } p.note { (note) } },
            Audio::Missing { note } => p.note { (note) },
        }
    }
}

fn report_body(a: &Analysis, marks: &[Mark]) -> Markup {
    let names = profile(a.question.qtype);
    html! {
        @if a.no_speech {
            p { "No speech detected in this take." }
        } @else {
            p { "Answer " strong { (clock(a.answer.duration_s)) } " after a " (human(a.think_pause_s))
                " think pause, " (super::count(a.answer.words, "word")) ", " (format!("{:.0}", a.delivery.wpm)) " words a minute." }
            (timeline(a))
            @if let (Some(p), Some(s)) = (a.shares.problem_definition, a.shares.solution) {
                div.shares {
                    (share_box(a, "problem_share", p, a.shares.problem_definition_range,
                        (&format!("problem definition (at least {:.0}%)", METHOD.min_problem_share * 100.0),
                            METHOD.min_problem_share)))
                    (share_box(a, "solution_share", s, a.shares.solution_range,
                        (&format!("solution (at most {:.0}%)", METHOD.max_solution_share * 100.0),
                            METHOD.max_solution_share)))
                }
            }
            h2 { "Checks" }
            table.checks {
                @for c in by_severity(&a.checks) {
                    @let (class, mark) = status_class(c.status);
                    tr data-status=(class) { td.(class) { (mark) } td { (c.id.as_str()) }
                         td { (c.message)
                              @for e in &c.evidence {
                                  div.muted.evidence.seek data-start=(secs(e.start_s)) title="play from here" {
                                      "▶ “" (e.text) "” (" (clock(e.start_s)) ")" }
                              } } }
                }
            }
            h2 { "Steps" }
            table {
                tr { th { "step" } th.num { "start" } th.num { "time" } th.num { "share" } th.num title="how likely this stretch is this step" { "sure" } }
                @for s in &a.steps {
                    tr.seek data-start=(secs(s.start_s)) {
                         td { span.swatch style={ "background:" (step_hex(s.step)) } {} (names.name(s.step)) }
                         td.num { (clock(s.start_s)) } td.num { (clock(s.duration_s)) }
                         td.num { (format!("{:.0}%", s.share * 100.0)) }
                         td.num.{ (if s.confidence < 0.6 { "warn" } else { "muted" }) } { (format!("{:.0}%", s.confidence * 100.0)) } }
                }
            }
            @if let Some(r) = reference(a.question.qtype) { (beside_example(a, r)) }
            h2 { "Timing budgets" }
            table {
                tr { th { "budget" } th.num { "actual" } th.num { "target" } th { "light" } }
                @for b in &a.budgets {
                    tr { td { (b.label) } td.num { (human(b.actual_s)) } td.num { (range(b.min_s, b.max_s)) }
                         td { span.light style={ "background:" (light_hex(b.light)) } {} " " (format!("{:?}", b.light).to_lowercase()) } }
                }
            }
            @if !a.advice.is_empty() {
                h2 { "Next time" }
                ol { @for advice in &a.advice { li { (advice) } } }
            }
            h2 { "Transcript by step" }
            (marks_key(marks))
            (transcript(a, marks))
        }
    }
}

/// Seconds per step of the answer, in method order (steps it never reached left out).
fn step_seconds(a: &Analysis) -> Vec<(Step, f64)> {
    a.framework
        .steps()
        .iter()
        .map(|st| {
            (
                *st,
                a.steps
                    .iter()
                    .filter(|s| s.step == *st)
                    .map(|s| s.duration_s)
                    .sum(),
            )
        })
        .filter(|(_, secs)| *secs > 0.0)
        .collect()
}

/// One answer's steps as a bar `scale_s` wide, each step as long as its seconds.
fn mix_bar(label: &str, steps: &[(Step, f64)], scale_s: f64, qtype: QuestionType) -> Markup {
    let names = profile(qtype);
    let total: f64 = steps.iter().map(|(_, s)| s).sum();
    html! {
        div.mixrow {
            span.muted { (label) " " (clock(total)) }
            div.mixtrack {
                div.mixbar style={ "width:" (pct(total, scale_s)) } {
                    @for (step, secs) in steps {
                        div style={ "flex:" (format!("{secs:.2}")) ";background:" (step_hex(*step)) }
                            title={ (names.name(*step)) " " (clock(*secs)) } {}
                    }
                }
            }
        }
    }
}

/// The answer beside the labelled example answer of its type: both step mixes on one scale and
/// a sentence of where the example's minutes went.
fn beside_example(a: &Analysis, r: &Reference) -> Markup {
    let yours = step_seconds(a);
    let example = r.step_seconds();
    let total = |steps: &[(Step, f64)]| steps.iter().map(|(_, s)| s).sum::<f64>();
    let scale = total(&yours).max(total(&example)).max(1e-9);
    html! {
        h2 { "Beside a strong answer" }
        p { (r.sentence()) }
        (mix_bar("yours", &yours, scale, a.question.qtype))
        (mix_bar("example", &example, scale, a.question.qtype))
        p.muted { "The example is " (r.label) ", answering “" (r.question) "” (" (r.source) ", labelled by step)." }
    }
}

/// One take's report page, with its player (or a note on why there is none).
pub fn take_page(rec: &TakeRecord, a: &Analysis, replay: &Replay) -> String {
    let question = rec
        .question
        .text
        .as_deref()
        .unwrap_or("(no question given)");
    page_with_script(
        &format!("paceback take {}", rec.id),
        html! {
            h1 { (question) }
            p.muted { (a.question.qtype.label()) " question · take " (rec.id) " · " (rec.recorded_at) }
            @if !a.no_speech { (player(&replay.audio)) }
            (report_body(a, &replay.marks))
        },
        Some(REPLAY_JS),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Input, Lexicon, QuestionType, analyze};
    use crate::history::QuestionRef;
    use crate::transcript::{Transcript, Word};
    use scraper::{Html, Selector};

    const ANSWER: &str = "I'd treat this as a product sense question. I want to focus on busy parents \
        with two kids who cook every night. Today they spend an hour planning, um, and they order \
        takeout when they give up. Picture the world after: dinner is decided in a minute. \
        The product needs: a weekly plan and a shared list, and we could also add a chat bot. \
        We would not build a video library in v1, because watching isn't cooking. \
        I'd measure success by home-cooked dinners per week, from one to three within a month, \
        with takeout orders as a guardrail. The biggest risk is that planning feels like homework, \
        so we would start from what they already cook. In one sentence, we are building a planner \
        for busy parents <b>&</b> \"friends\".";

    /// A take of `ANSWER` at 0.35 s a word after a 6 s pause, with a 3 s pause before "Picture".
    fn take() -> (TakeRecord, Analysis) {
        let mut t = 6.0;
        let words: Vec<Word> = ANSWER
            .split_whitespace()
            .map(|w| {
                if w == "Picture" {
                    t += 3.0;
                }
                let word = Word::new(w, t, t + 0.3);
                t += 0.35;
                word
            })
            .collect();
        let at = |w: &str| words.iter().find(|x| x.w == w).unwrap().start_s;
        let given = vec![
            (Step::Classify, 6.0),
            (Step::Customer, at("want")),
            (Step::Pain, at("Today")),
            (Step::Vision, at("Picture")),
            (Step::Capabilities, at("needs:")),
            (Step::Metrics, at("measure")),
            (Step::Risks, at("biggest")),
            (Step::Thesis, at("sentence,")),
        ];
        let input = Input {
            words: words.clone(),
            audio_path: None,
            duration_s: t + 1.0,
            question: Some("Design <dinner> & \"more\"".into()),
            qtype: Some(QuestionType::ProductSense),
            given_steps: Some(given),
        };
        let a = analyze(&input, &Lexicon::builtin(), None);
        let rec = TakeRecord {
            schema: crate::history::take::SCHEMA.into(),
            id: "2026-12-01_10-00-00".into(),
            recorded_at: "2026-12-01T10:00:00+00:00".into(),
            source: "analyze".into(),
            question: QuestionRef {
                id: None,
                text: input.question.clone(),
                qtype: QuestionType::ProductSense,
            },
            audio: None,
            duration_s: input.duration_s,
            device: None,
            transcript: Transcript::new("test", input.duration_s, words, vec![]),
            analysis: serde_json::Value::Null,
            earlier_analyses: vec![],
            interrupted: false,
        };
        (rec, a)
    }

    fn no_audio() -> Audio {
        Audio::Missing {
            note: "none".into(),
        }
    }

    fn page_of(audio: Audio) -> (Analysis, String) {
        let (rec, a) = take();
        let replay = Replay {
            audio,
            marks: super::super::replay::marks(&a, &Lexicon::builtin()),
        };
        let html = take_page(&rec, &a, &replay);
        (a, html)
    }

    fn select<'a>(doc: &'a Html, sel: &str) -> Vec<scraper::ElementRef<'a>> {
        doc.select(&Selector::parse(sel).unwrap()).collect()
    }

    fn start(el: &scraper::ElementRef, attr: &str) -> f64 {
        el.value().attr(attr).unwrap().parse().unwrap()
    }

    #[test]
    fn every_word_carries_its_time_and_every_step_its_start() {
        let (a, html) = page_of(no_audio());
        let doc = Html::parse_document(&html);
        let ids: Vec<Step> = a.steps.iter().map(|s| s.step).collect();
        assert_eq!(ids, a.framework.steps(), "all eight steps, in order");
        let words = select(&doc, ".transcript .w");
        assert_eq!(words.len(), a.words.len());
        for (el, w) in words.iter().zip(&a.words) {
            assert_eq!(el.text().collect::<String>(), w.w);
            assert!((start(el, "data-start") - w.start_s).abs() < 0.006);
            assert!((start(el, "data-end") - w.end_s).abs() < 0.006);
        }
        let steps = select(&doc, ".timeline .step.seek");
        assert_eq!(steps.len(), a.steps.len());
        for (el, s) in steps.iter().zip(&a.steps) {
            assert!((start(el, "data-start") - s.start_s).abs() < 0.006);
            assert_eq!(el.value().attr("data-step"), Some(s.step.id()));
        }
        // Each sentence plays from its first word.
        let sentences = select(&doc, ".transcript .sentence.seek");
        assert!(sentences.len() >= 10, "{}", sentences.len());
        for s in &sentences {
            let first = s.select(&Selector::parse(".w").unwrap()).next().unwrap();
            assert_eq!(start(s, "data-start"), start(&first, "data-start"));
        }
    }

    #[test]
    fn the_answer_is_shown_beside_the_example_of_its_type() {
        let (a, html) = page_of(no_audio());
        let doc = Html::parse_document(&html);
        let r = reference(QuestionType::ProductSense).expect("a product sense example");
        let text: String = doc.root_element().text().collect();
        assert!(text.contains("A strong product sense answer"), "{text}");
        assert!(text.contains(&format!("{} on pain", clock(r.steps.get(Step::Pain)))));
        let bars = select(&doc, ".mixbar");
        assert_eq!(bars.len(), 2, "yours and the example");
        let parts =
            |bar: &scraper::ElementRef| bar.select(&Selector::parse("div").unwrap()).count();
        assert_eq!(
            parts(&bars[0]),
            a.framework.steps().len(),
            "every step the take has"
        );
        assert_eq!(
            parts(&bars[1]),
            r.steps.0.iter().filter(|(_, s)| *s > 0.0).count()
        );
        // One scale: the longer answer fills the track, the shorter one is drawn in proportion.
        let width = |bar: &scraper::ElementRef| -> f64 {
            let style = bar.value().attr("style").unwrap();
            style
                .trim_start_matches("width:")
                .trim_end_matches('%')
                .parse()
                .unwrap()
        };
        let ours: f64 = a.steps.iter().map(|s| s.duration_s).sum();
        assert!(
            (width(&bars[1]) - 100.0).abs() < 0.01,
            "the example is longer"
        );
        assert!((width(&bars[0]) - ours / r.answer_s.max(ours) * 100.0).abs() < 1.0);
    }

    #[test]
    fn checks_come_worst_first_with_their_evidence_times() {
        let (a, html) = page_of(no_audio());
        let doc = Html::parse_document(&html);
        let rows = select(&doc, "table.checks tr");
        let statuses: Vec<&str> = rows
            .iter()
            .map(|r| r.value().attr("data-status").unwrap())
            .collect();
        let rank = |s: &str| {
            ["fail", "warn", "pass"]
                .iter()
                .position(|x| *x == s)
                .unwrap()
        };
        assert!(
            statuses.windows(2).all(|p| rank(p[0]) <= rank(p[1])),
            "{statuses:?}"
        );
        assert!(
            statuses.contains(&"fail") && statuses.contains(&"pass"),
            "{statuses:?}"
        );
        let evidence: Vec<f64> = a
            .checks
            .iter()
            .filter(|c| c.status != Status::Pass)
            .chain(a.checks.iter().filter(|c| c.status == Status::Pass))
            .flat_map(|c| c.evidence.iter().map(|e| e.start_s))
            .collect();
        assert!(!evidence.is_empty(), "some check quotes a sentence");
        let shown: Vec<f64> = select(&doc, ".evidence.seek")
            .iter()
            .map(|e| start(e, "data-start"))
            .collect();
        assert_eq!(shown.len(), evidence.len());
        for (s, e) in shown.iter().zip(&evidence) {
            assert!((s - e).abs() < 0.006, "{s} vs {e}");
        }
    }

    #[test]
    fn fillers_hedges_and_long_pauses_are_marked_where_they_were() {
        let (_, html) = page_of(no_audio());
        let doc = Html::parse_document(&html);
        let text = |sel: &str| -> Vec<String> {
            select(&doc, sel)
                .iter()
                .map(|e| e.text().collect::<String>())
                .collect()
        };
        assert_eq!(text(".transcript .w.filler"), ["um,"]);
        assert_eq!(text(".transcript .w.hedge"), ["we", "could", "also", "add"]);
        let pauses = select(&doc, ".transcript .pause");
        assert_eq!(pauses.len(), 1);
        let pause = &text(".transcript .pause")[0];
        assert!(
            pause.starts_with("‖ 3.") && pause.ends_with(" s"),
            "{pause}"
        );
        // The pause sits after the word before the silence ("...when they give up." | "Picture").
        let before = pauses[0]
            .prev_siblings()
            .find_map(scraper::ElementRef::wrap)
            .unwrap();
        assert_eq!(before.text().collect::<String>(), "up.");
    }

    #[test]
    fn text_is_escaped_and_nothing_comes_from_the_network() {
        let (_, html) = page_of(no_audio());
        assert!(!html.contains("<b>&</b>") && !html.contains("<dinner>"));
        assert!(
            html.contains("&lt;b&gt;&amp;&lt;/b&gt;")
                && html.contains("Design &lt;dinner&gt; &amp; &quot;more&quot;")
        );
        let doc = Html::parse_document(&html);
        assert_eq!(
            select(&doc, "h1")[0].text().collect::<String>(),
            "Design <dinner> & \"more\""
        );
        let csp = select(&doc, "meta[http-equiv=Content-Security-Policy]");
        assert_eq!(csp[0].value().attr("content"), Some(CSP));
        assert!(CSP.starts_with("default-src 'none';"));
        assert_eq!(select(&doc, "script").len(), 1);
        assert!(select(&doc, "script[src], link, img, iframe").is_empty());
    }

    #[test]
    fn the_player_plays_what_it_is_given_or_says_why_there_is_none() {
        let (_, html) = page_of(Audio::Embedded {
            uri: "data:audio/wav;base64,UklGRg==".into(),
        });
        let doc = Html::parse_document(&html);
        let audio = select(&doc, "audio#player");
        assert_eq!(
            audio[0].value().attr("src"),
            Some("data:audio/wav;base64,UklGRg==")
        );
        assert!(select(&doc, "p.note").is_empty());

        let (_, html) = page_of(Audio::Linked {
            uri: "file:///home/me/take.wav".into(),
            note: "linked because long".into(),
        });
        let doc = Html::parse_document(&html);
        assert_eq!(
            select(&doc, "audio#player")[0].value().attr("src"),
            Some("file:///home/me/take.wav")
        );
        assert_eq!(
            select(&doc, "p.note")[0].text().collect::<String>(),
            "linked because long"
        );

        let (_, html) = page_of(Audio::Missing {
            note: "no <recording>".into(),
        });
        let doc = Html::parse_document(&html);
        assert!(select(&doc, "audio").is_empty());
        assert_eq!(
            select(&doc, "p.note")[0].text().collect::<String>(),
            "no <recording>"
        );
    }

    #[test]
    fn a_recording_claiming_centuries_still_draws() {
        let (_, mut a) = take();
        a.audio.duration_s = 1e300;
        let doc = Html::parse_document(&timeline(&a).into_string());
        assert!(select(&doc, ".axis span").len() <= 25);
        assert_eq!(select(&doc, ".timeline .step").len(), a.steps.len());
    }

    #[test]
    fn the_timeline_draws_the_think_pause_the_axis_and_the_budgets() {
        let (a, html) = page_of(no_audio());
        let doc = Html::parse_document(&html);
        let think = select(&doc, ".timeline .think");
        assert_eq!(think.len(), 1);
        assert!(
            think[0]
                .value()
                .attr("style")
                .unwrap()
                .starts_with("left:0.000%;width:")
        );
        let ticks: Vec<String> = select(&doc, ".axis span")
            .iter()
            .map(|e| e.text().collect())
            .collect();
        assert_eq!(ticks.first().map(String::as_str), Some("0:00"));
        assert!(ticks.len() >= 4, "{ticks:?}");
        assert_eq!(select(&doc, ".band-row").len(), a.budgets.len());
        assert_eq!(select(&doc, ".sharebar .limit").len(), 2);
    }
}
