//! The progress page (`progress --html`): per question type, the step mix of every take as a
//! strip of stacked bars (oldest to newest, the timeline's colours), the figures' summary and a
//! chart per figure with each take and its rolling median; then the weeks and the latest take.
//! Types are kept apart: their budgets differ, and one line through all of them zigzags.

use std::fmt::Write;

use maud::{Markup, PreEscaped, html};

use super::charts::trend_chart;
use super::history::{target_text, value};
use super::html::{page, step_hex, timeline};
use crate::analysis::method::profile;
use crate::analysis::{Analysis, QuestionType, Step};
use crate::history::progress::{self, Progress, median_window, rolling_median};
use crate::history::{Row, TakeRecord};
use crate::time::clock;

/// The address of a take's report page by take id, where there is one.
pub type Link<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Width of the step-mix strip in SVG units (it scales to the page).
const STRIP_W: usize = 960;
const STRIP_H: f64 = 90.0;
/// At most this many bars: beyond it, neighbouring takes share a bar (their mean mix).
const STRIP_BARS: usize = STRIP_W / 2;

/// Each step's share of a take's answer time, in `steps` order.
fn mix(r: &Row, steps: &[Step]) -> Vec<f64> {
    let answer = r.figures.answer_s.max(1e-9);
    steps
        .iter()
        .map(|s| (r.figures.step_totals.get(*s) / answer).clamp(0.0, 1.0))
        .collect()
}

fn day(r: &Row) -> &str {
    r.recorded_at.get(..10).unwrap_or(&r.recorded_at)
}

/// The step-mix strip of `rows` (oldest first, one type): a stacked bar per take, or per group
/// of neighbouring takes when there are more takes than bars.
pub fn step_mix_strip(rows: &[&Row], qtype: QuestionType, link: Link) -> Markup {
    let steps = qtype.framework().steps();
    let n = rows.len();
    if n == 0 {
        return html! {};
    }
    let bars = n.min(STRIP_BARS);
    let bar_w = STRIP_W as f64 / bars as f64;
    let mut paths: Vec<String> = vec![String::new(); steps.len()];
    let mut tips = String::new();
    for i in 0..bars {
        let (a, b) = (i * n / bars, ((i + 1) * n / bars).max(i * n / bars + 1));
        let group = &rows[a..b];
        let mut shares = vec![0.0; steps.len()];
        for r in group {
            for (acc, v) in shares.iter_mut().zip(mix(r, steps)) {
                *acc += v / group.len() as f64;
            }
        }
        let x = i as f64 * bar_w;
        let mut y = 0.0;
        for (path, share) in paths.iter_mut().zip(&shares) {
            let h = share * STRIP_H;
            if h > 0.05 {
                let _ = write!(path, "M{x:.1} {y:.2}h{bar_w:.2}v{h:.2}h-{bar_w:.2}Z");
            }
            y += h;
        }
        let problem: f64 = steps
            .iter()
            .zip(&shares)
            .filter(|(s, _)| s.is_problem())
            .map(|(_, v)| v)
            .sum();
        let solution: f64 = steps
            .iter()
            .zip(&shares)
            .filter(|(s, _)| s.is_solution())
            .map(|(_, v)| v)
            .sum();
        let who = if group.len() == 1 {
            format!("take {}", group[0].id)
        } else {
            format!(
                "{} takes, {} to {}",
                group.len(),
                day(group[0]),
                day(group[group.len() - 1])
            )
        };
        let shares_text = if profile(qtype).rules.shares {
            format!(
                ": problem {:.0}%, solution {:.0}%",
                problem * 100.0,
                solution * 100.0
            )
        } else {
            String::new()
        };
        let tip = format!(
            "<rect x=\"{x:.1}\" y=\"0\" width=\"{bar_w:.2}\" height=\"{STRIP_H}\" fill=\"transparent\"><title>{}{}</title></rect>",
            maud::html! { (who) }.into_string(),
            shares_text
        );
        match group
            .first()
            .filter(|_| group.len() == 1)
            .and_then(|r| link(&r.id))
        {
            Some(href) => {
                let _ = write!(
                    tips,
                    "<a href=\"{}\" class=\"take\">{tip}</a>",
                    maud::html! { (href) }.into_string()
                );
            }
            None => tips.push_str(&tip),
        }
    }
    let used: Vec<Step> = steps
        .iter()
        .copied()
        .filter(|s| rows.iter().any(|r| r.figures.step_totals.get(*s) > 0.0))
        .collect();
    html! {
        svg.mix xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (STRIP_W) " " (STRIP_H) }
            preserveAspectRatio="none" role="img" aria-label="step mix of each take, oldest to newest"
            style="width:100%;height:5.5rem;display:block;background:#f9fafb;border-radius:4px" {
            @for (step, d) in steps.iter().zip(&paths) {
                @if !d.is_empty() { path fill=(step_hex(*step)) d=(d) {} }
            }
            (PreEscaped(tips))
        }
        div.muted style="display:flex;justify-content:space-between;font-size:.85rem" {
            span { (day(rows[0])) } span { "each bar one take" @if bars < n { " (" (format!("{:.0}", n as f64 / bars as f64)) " takes a bar, averaged)" } ", top to bottom in answer order" } span { (day(rows[n - 1])) }
        }
        div.legend {
            @for step in &used {
                span { span.swatch style={ "background:" (step_hex(*step)) } {} (profile(qtype).name(*step)) }
            }
        }
    }
}

/// One question type's section: the strip, the summary and a chart per figure.
fn type_section(qtype: QuestionType, rows: &[&Row], link: Link) -> Markup {
    let owned: Vec<Row> = rows.iter().map(|r| (*r).clone()).collect();
    let p = progress::progress(&owned);
    let window = median_window(rows.len());
    html! {
        section.qtype id=(qtype.id()) {
            h2 { (capitalized(qtype.label())) " · " (rows.len()) " take" @if rows.len() != 1 { "s" } }
            h3 { "Where the minutes went, take by take" }
            (step_mix_strip(rows, qtype, link))
            table {
                tr { th { "figure" } th.num { "first" } th.num { "latest" }
                     th.num title={ "median of the last " (window) " takes" } { "recent median" }
                     th.num { "target" } th {} }
                @for m in p.metrics.iter().filter(|m| !m.points.is_empty()) {
                    @let values: Vec<f64> = m.points.iter().map(|p| p.1).collect();
                    tr {
                        td { (m.label) }
                        td.num { (m.first().map(|v| value(m.unit, v)).unwrap_or_default()) }
                        td.num { (m.latest().map(|v| value(m.unit, v)).unwrap_or_default()) }
                        td.num { (rolling_median(&values[values.len().saturating_sub(window)..], window).last().map(|v| value(m.unit, *v)).unwrap_or_default()) }
                        td.num { (target_text(m)) }
                        td { @match m.improved() { Some(true) => span.better { "better" }, Some(false) => span.worse { "worse" }, None => "" } }
                    }
                }
            }
            p.muted { "Charts: each take (a dot; when there are many, the band of their range), and the line is the median of the last "
                      (window) " takes; the green band is the target."
                      @if rows.len() <= STRIP_BARS { " Click a bar or a dot to open that take's report." } }
            div.charts {
                @for m in &p.metrics {
                    @if let Some(svg) = trend_chart(m, window, (460, 240), link) {
                        figure style="margin:0" { (PreEscaped(svg)) }
                    }
                }
            }
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The takes the page draws one by one (a bar of the strip each, a dot each when fewer), whose
/// reports it can link to: every take of a type with at most a strip's worth of takes.
pub fn takes_drawn_alone(rows: &[Row]) -> Vec<&str> {
    let spoken = |r: &&Row| r.figures.answer_s > 0.0;
    QuestionType::ALL
        .iter()
        .flat_map(|t| {
            let of_type: Vec<&Row> = rows
                .iter()
                .filter(spoken)
                .filter(|r| r.question.qtype == *t)
                .collect();
            if of_type.len() <= STRIP_BARS {
                of_type
            } else {
                vec![]
            }
        })
        .map(|r| r.id.as_str())
        .collect()
}

/// The progress page over `rows` (oldest first), with the latest take's timeline; bars and
/// dots of a take link to its report where `link` gives one.
pub fn progress_page(
    rows: &[Row],
    scope: &str,
    latest: Option<(&TakeRecord, &Analysis)>,
    link: Link,
) -> String {
    let spoken: Vec<&Row> = rows.iter().filter(|r| r.figures.answer_s > 0.0).collect();
    let all: Progress = progress::progress(rows);
    let types: Vec<(QuestionType, Vec<&Row>)> = QuestionType::ALL
        .iter()
        .map(|t| {
            (
                *t,
                spoken
                    .iter()
                    .copied()
                    .filter(|r| r.question.qtype == *t)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, rs)| !rs.is_empty())
        .collect();
    page(
        "paceback progress",
        html! {
            h1 { "Progress" }
            p.muted { (all.takes) " takes " (scope) }
            @if types.len() > 1 {
                p { "By question type: "
                    @for (i, (t, rs)) in types.iter().enumerate() {
                        @if i > 0 { " · " }
                        a href={ "#" (t.id()) } { (t.label()) } " (" (rs.len()) ")"
                    }
                }
            }
            @for (t, rs) in &types {
                (type_section(*t, rs, link))
            }
            h2 { "By week" }
            table {
                tr { th { "week of" } th.num { "takes" } th.num { "problem" } th.num { "solution" } th.num { "length" } th.num { "checks passed" } }
                @for w in &all.weeks {
                    tr { td { (w.week_of) } td.num { (w.takes) }
                         td.num { (w.problem_share.map(|v| format!("{:.0}%", v * 100.0)).unwrap_or_default()) }
                         td.num { (w.solution_share.map(|v| format!("{:.0}%", v * 100.0)).unwrap_or_default()) }
                         td.num { (clock(w.answer_s)) } td.num { (format!("{:.0}%", w.checks_passed * 100.0)) } }
                }
            }
            @if let Some((rec, a)) = latest {
                h2 { "Latest take: " (rec.question.text.as_deref().unwrap_or("")) }
                p.muted { @match link(&rec.id) { Some(href) => a href=(href) { (rec.id) }, None => (rec.id) } }
                (timeline(a))
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::progress::tests::row;

    fn rows(n: usize, qtype: QuestionType) -> Vec<Row> {
        (0..n)
            .map(|i| {
                let at = jiff::Timestamp::from_second(1_790_000_000 + i as i64 * 3600)
                    .unwrap()
                    .strftime("%Y-%m-%dT%H:%M:%S+00:00")
                    .to_string();
                row(&at, qtype, 0.2 + 0.2 * i as f64 / n as f64, 0.5)
            })
            .collect()
    }

    #[test]
    fn the_strip_has_a_bar_per_take_until_there_are_more_takes_than_bars() {
        let few = rows(30, QuestionType::Strategy);
        let refs: Vec<&Row> = few.iter().collect();
        let svg = step_mix_strip(&refs, QuestionType::Strategy, &|_| None).into_string();
        assert_eq!(svg.matches("<rect").count(), 30);
        assert_eq!(
            svg.matches("<path").count(),
            3,
            "customer, pain, strategic moves"
        );
        assert!(svg.contains("take 2026-"), "a single take's bar names it");

        let many = rows(5_000, QuestionType::Strategy);
        let refs: Vec<&Row> = many.iter().collect();
        let svg = step_mix_strip(&refs, QuestionType::Strategy, &|_| None).into_string();
        assert_eq!(svg.matches("<rect").count(), STRIP_BARS);
        assert!(
            svg.contains("10 takes a bar"),
            "{}",
            &svg[svg.len() - 600..]
        );
        assert!(svg.len() < 200_000, "{} bytes", svg.len());
    }

    #[test]
    fn the_page_has_a_section_per_type_with_its_own_charts() {
        let mut all = rows(40, QuestionType::ProductSense);
        all.extend(rows(10, QuestionType::Behavioral));
        all.sort_by_key(|r| r.recorded_unix);
        let page = progress_page(&all, "of any type", None, &|_| None);
        assert_eq!(page.matches("<section").count(), 2);
        assert!(page.contains("id=\"product_sense\"") && page.contains("id=\"behavioral\""));
        assert_eq!(page.matches("class=\"mix\"").count(), 2);
        assert!(page.matches("<figure").count() >= 10);
    }

    #[test]
    fn takes_drawn_one_by_one_link_to_their_reports() {
        let mut all = rows(12, QuestionType::ProductSense);
        all.extend(rows(STRIP_BARS + 1, QuestionType::Behavioral));
        for (i, r) in all.iter_mut().enumerate() {
            r.id = format!("take-{i}");
        }
        all.sort_by_key(|r| r.recorded_unix);
        let alone = takes_drawn_alone(&all);
        assert_eq!(alone.len(), 12, "only the type with a bar per take");
        assert!(
            alone
                .iter()
                .all(|id| id.parse::<usize>().is_err() && id.starts_with("take-"))
        );
        let linked: std::collections::HashSet<&str> = alone.iter().copied().collect();
        let link = |id: &str| linked.contains(id).then(|| format!("r/{id}.html"));
        let page = progress_page(&all, "of any type", None, &link);
        let doc = scraper::Html::parse_document(&page);
        let hrefs = |sel: &str| -> Vec<String> {
            doc.select(&scraper::Selector::parse(sel).unwrap())
                .map(|a| a.value().attr("href").unwrap().to_string())
                .collect()
        };
        // The strip: one link per product sense take, oldest first; none for the crowded type.
        let strip = hrefs("#product_sense svg.mix a.take");
        let expected: Vec<String> = all
            .iter()
            .filter(|r| r.question.qtype == QuestionType::ProductSense)
            .map(|r| format!("r/{}.html", r.id))
            .collect();
        assert_eq!(strip, expected);
        assert!(hrefs("#behavioral a.take").is_empty());
        // Each chart's dots link the same takes.
        let dots = hrefs("#product_sense .charts a.take");
        assert!(dots.len() >= 12 * 4, "{}", dots.len());
        assert!(dots.iter().all(|h| expected.contains(h)));
    }
}
