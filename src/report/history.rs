//! The terminal views of the history: the table of takes with trend arrows, and the progress
//! summary with sparklines and the week-by-week table.

use std::fmt::Write;

use owo_colors::AnsiColors;

use super::Style;
use super::terminal::printable;
use crate::history::Row;
use crate::history::progress::{Change, Metric, Progress, Trend, Unit};
use crate::time::clock;

/// A share as a whole percentage, `–` when unknown.
pub fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{:.0}%", v * 100.0))
}

fn arrow(style: &Style, change: Option<Change>) -> String {
    match change {
        None => " ".into(),
        Some(c) => {
            let a = c.arrow().to_string();
            match c.better {
                Some(true) => style.paint(&a, AnsiColors::Green),
                Some(false) => style.paint(&a, AnsiColors::Red),
                None => style.dim(&a),
            }
        }
    }
}

/// Shorten to `width` characters with an ellipsis.
fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}

/// The history table: one line per take, oldest first.
pub fn history_table(rows: &[(Row, Trend)], total: usize, style: &Style) -> String {
    let mut out = String::new();
    if rows.is_empty() {
        out.push_str("no takes saved yet: `paceback practice` records one, `paceback analyze FILE.wav` adds one\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{}",
        style.bold(&format!(
            "{:<21} {:<16} {:<14} {:>6} {:>8} {:>9} {:>8}  {}",
            "id", "date", "type", "length", "problem", "solution", "checks", "question"
        ))
    );
    for (r, t) in rows {
        let f = &r.figures;
        let date = r
            .recorded_at
            .get(..16)
            .unwrap_or(&r.recorded_at)
            .replace('T', " ");
        let length = if f.answer_s > 0.0 {
            clock(f.answer_s)
        } else {
            "–".into()
        };
        // A take stopped with Ctrl-C: its figures cover only what was transcribed.
        let question = printable(r.question.text.as_deref().unwrap_or("–"));
        let question = if r.interrupted {
            format!("(stopped) {question}")
        } else {
            question.into_owned()
        };
        let _ = writeln!(
            out,
            "{:<21} {:<16} {:<14} {:>6} {:>6} {} {:>7} {} {:>6} {}  {}",
            printable(&r.id),
            printable(&date),
            r.question.qtype.label(),
            length,
            percent(f.problem_share),
            arrow(style, t.problem_share),
            percent(f.solution_share),
            arrow(style, t.solution_share),
            format!("{}/{}", f.checks_passed, f.checks_total),
            arrow(style, t.checks_passed),
            clip(&question, 44)
        );
    }
    if total > rows.len() {
        let _ = writeln!(
            out,
            "{}",
            style.dim(&format!(
                "({} of {total} takes; --limit N shows more)",
                rows.len()
            ))
        );
    }
    let _ = writeln!(
        out,
        "{}",
        style.dim("arrows: change since the previous take of the same type; green nearer the target, red further")
    );
    out
}

/// A value in the metric's unit.
pub fn value(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Share => format!("{:.0}%", v * 100.0),
        Unit::Seconds => crate::time::human(v.max(0.0)),
        Unit::WordsPerMinute => format!("{v:.0} wpm"),
        Unit::Per100Words => format!("{v:.1}/100"),
    }
}

/// The target in words: `≥ 30%`, `≤ 40%`, `5:00–8:00`.
pub fn target_text(m: &Metric) -> String {
    match m.target {
        None => String::new(),
        Some(t) => match (t.min, t.max) {
            (Some(lo), Some(hi)) if m.unit == Unit::Seconds => crate::time::range(lo, hi),
            (Some(lo), Some(hi)) if m.unit == Unit::WordsPerMinute => {
                format!("{lo:.0}–{hi:.0} wpm")
            }
            (Some(lo), Some(hi)) => format!("{}–{}", value(m.unit, lo), value(m.unit, hi)),
            (Some(lo), None) => format!("≥ {}", value(m.unit, lo)),
            (None, Some(hi)) => format!("≤ {}", value(m.unit, hi)),
            (None, None) => String::new(),
        },
    }
}

/// Bucket means of `values`, at most `width` of them.
fn downsample(values: &[f64], width: usize) -> Vec<f64> {
    if values.len() <= width {
        return values.to_vec();
    }
    (0..width)
        .map(|i| {
            let (a, b) = (i * values.len() / width, (i + 1) * values.len() / width);
            values[a..b].iter().sum::<f64>() / (b - a) as f64
        })
        .collect()
}

/// A sparkline of `values` (▁ lowest … █ highest), at most `width` characters.
pub fn sparkline(values: &[f64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let v = downsample(values, width);
    let (lo, hi) = v
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    v.iter()
        .map(|x| {
            if hi - lo < 1e-12 {
                BARS[3]
            } else {
                BARS[(((x - lo) / (hi - lo)) * 7.0).round() as usize]
            }
        })
        .collect()
}

/// The progress summary.
pub fn progress(p: &Progress, scope: &str, style: &Style) -> String {
    let mut out = String::new();
    if p.takes == 0 {
        let _ = writeln!(
            out,
            "no takes with speech {scope} yet: `paceback practice` records one"
        );
        return out;
    }
    let day = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| t.get(..10))
            .unwrap_or("?")
            .to_string()
    };
    let _ = writeln!(
        out,
        "{}",
        style.bold(&format!(
            "Progress over {} {scope} ({} to {})",
            super::count(p.takes, "take"),
            day(&p.first_at),
            day(&p.latest_at)
        ))
    );
    let shown: Vec<_> = p.metrics.iter().filter(|m| !m.points.is_empty()).collect();
    let width = super::column_width(shown.iter().map(|m| &m.label), 28);
    let _ = writeln!(
        out,
        "\n  {:<width$} {:>9} {:>9}  {:<24} target",
        "", "first", "latest", "trend (oldest → latest)"
    );
    for m in shown {
        let values: Vec<f64> = m.points.iter().map(|p| p.1).collect();
        let verdict = match m.improved() {
            Some(true) => style.paint("better", AnsiColors::Green),
            Some(false) => style.paint("worse", AnsiColors::Red),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "  {:<width$} {:>9} {:>9}  {:<24} {:<12} {verdict}",
            m.label,
            value(m.unit, values[0]),
            value(m.unit, values[values.len() - 1]),
            sparkline(&values, 24),
            target_text(m),
        );
    }
    let _ = writeln!(
        out,
        "\n  {}",
        style.bold(&format!(
            "{:<12} {:>5} {:>8} {:>9} {:>7} {:>7}",
            "week of", "takes", "problem", "solution", "length", "checks"
        ))
    );
    for w in &p.weeks {
        let _ = writeln!(
            out,
            "  {:<12} {:>5} {:>8} {:>9} {:>7} {:>7}",
            w.week_of,
            w.takes,
            percent(w.problem_share),
            percent(w.solution_share),
            clock(w.answer_s),
            percent(Some(w.checks_passed))
        );
    }
    out
}

/// How many of the latest takes the terminal step-mix strip shows.
pub const MIX_ROWS: usize = 10;

/// The step mix of the latest takes in the terminal: one row per take (oldest first), its answer
/// time split by step in answer order, fitted to `width` columns.
pub fn step_mix(rows: &[Row], style: &Style, width: usize) -> String {
    use super::mix::{cell, mix_cells, paint};
    let spoken: Vec<&Row> = rows.iter().filter(|r| r.figures.answer_s > 0.0).collect();
    let shown = &spoken[spoken.len().saturating_sub(MIX_ROWS)..];
    let mut out = String::new();
    if shown.is_empty() {
        return out;
    }
    // "  2026-11-23 18:40  product sense  |…|  1:46"
    let bar = width
        .saturating_sub(2 + 16 + 2 + 14 + 2 + 1 + 7)
        .clamp(10, 80);
    let _ = writeln!(
        out,
        "\n  {}",
        style.bold(&format!(
            "step mix of the latest {} (a bar per answer, steps in order)",
            super::count(shown.len(), "take")
        ))
    );
    // Each step drawn, with every name the takes' types give it ("Capabilities / The maths").
    let mut used: Vec<(crate::analysis::Step, Vec<&'static str>)> = Vec::new();
    for r in shown {
        let steps = r.question.qtype.framework().steps();
        let totals: Vec<_> = steps
            .iter()
            .map(|s| (*s, r.figures.step_totals.get(*s)))
            .filter(|t| t.1 > 0.0)
            .collect();
        for (s, _) in &totals {
            let name = crate::analysis::method::profile(r.question.qtype).name(*s);
            match used.iter_mut().find(|u| u.0 == *s) {
                Some(u) if !u.1.contains(&name) => u.1.push(name),
                Some(_) => {}
                None => used.push((*s, vec![name])),
            }
        }
        let cells = mix_cells(&totals, bar);
        let drawn = if cells.is_empty() {
            style.dim(&format!("{:<bar$}", "(steps not recorded)"))
        } else {
            paint(&cells, style)
        };
        let date = r
            .recorded_at
            .get(..16)
            .unwrap_or(&r.recorded_at)
            .replace('T', " ");
        let _ = writeln!(
            out,
            "  {:<16}  {:<14} |{drawn}| {:>5}",
            printable(&date),
            r.question.qtype.label(),
            clock(r.figures.answer_s)
        );
    }
    used.sort_by_key(|(s, _)| {
        (
            s.framework() != crate::analysis::Framework::WorkingBackwards,
            s.index(),
        )
    });
    let items: Vec<(String, String)> = used
        .iter()
        .map(|(s, names)| (cell(*s, style), names.join(" / ")))
        .collect();
    out.push_str(&super::mix::legend(&items, width));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_span_lowest_to_highest() {
        assert_eq!(sparkline(&[0.0, 0.5, 1.0], 10), "▁▅█");
        assert_eq!(sparkline(&[2.0, 2.0], 10), "▄▄");
        assert_eq!(sparkline(&[], 10), "");
        // 100 rising values fit in 10 characters, still rising.
        let rising: Vec<f64> = (0..100).map(f64::from).collect();
        let line = sparkline(&rising, 10);
        assert_eq!(line.chars().count(), 10);
        assert!(line.starts_with('▁') && line.ends_with('█'), "{line}");
    }

    #[test]
    fn the_step_mix_fits_the_width_and_shows_the_latest_takes() {
        use crate::analysis::QuestionType;
        let rows: Vec<Row> = (0..12)
            .map(|i| {
                crate::history::progress::tests::row(
                    &format!("2026-11-{:02}T10:00:00+00:00", i + 1),
                    QuestionType::Strategy,
                    0.2 + 0.02 * i as f64,
                    0.5,
                )
            })
            .collect();
        let text = step_mix(&rows, &Style::plain(), 80);
        let bars: Vec<&str> = text.lines().filter(|l| l.contains('|')).collect();
        assert_eq!(bars.len(), MIX_ROWS, "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(
            bars[0].starts_with("  2026-11-03"),
            "the latest ten: {text}"
        );
        assert!(
            text.contains("2 Customer") && text.contains("5 Strategic moves"),
            "{text}"
        );
        // More problem definition in the later takes: more 2s and 3s.
        let problem = |l: &str| {
            let bar = l.split('|').nth(1).unwrap();
            bar.chars().filter(|c| *c == '2' || *c == '3').count()
        };
        assert!(problem(bars[9]) > problem(bars[0]), "{text}");
        assert!(step_mix(&[], &Style::plain(), 80).is_empty());
        // takes of several types: each mark names the step in every type drawn
        let mut mixed = rows[..2].to_vec();
        mixed[1].question.qtype = QuestionType::Estimation;
        let text = step_mix(&mixed, &Style::plain(), 80);
        assert!(
            text.contains("2 Customer / Framing") && text.contains("5 Strategic moves / The maths"),
            "{text}"
        );
    }

    #[test]
    fn long_questions_are_clipped() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("a much longer question", 10), "a much lo…");
    }
}
