//! Step bars in the terminal, shared by `compare` (timelines on one scale) and `progress` (each
//! take's step mix): one character per cell, coloured by step (or the step's mark without
//! colour), and the width of the terminal.

use std::io::IsTerminal;

use owo_colors::OwoColorize;

use super::Style;
use super::terminal::{step_color, step_mark};
use crate::analysis::Step;

/// Columns to lay out for: the terminal's width, else `$COLUMNS`, else 80.
pub fn terminal_width() -> usize {
    let from_env = || {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
    };
    let width = if std::io::stdout().is_terminal() {
        console::Term::stdout()
            .size_checked()
            .map(|(_, cols)| usize::from(cols))
            .or_else(from_env)
    } else {
        from_env()
    };
    width.filter(|w| *w >= 20).unwrap_or(80)
}

/// One cell of a step bar.
pub fn cell(step: Step, style: &Style) -> String {
    if style.color {
        "█".color(step_color(step)).to_string()
    } else {
        step_mark(step).to_string()
    }
}

/// A bar of `cells` cells for spans `(step, start_s, end_s)` (time order), drawn on a scale of
/// `scale_s` seconds to `width` cells: each cell shows the step under its middle (a gap between
/// steps shows the step before it).
pub fn timeline_cells(spans: &[(Step, f64, f64)], scale_s: f64, width: usize) -> Vec<Step> {
    let Some(end) = spans.iter().map(|s| s.2).reduce(f64::max) else {
        return Vec::new();
    };
    let scale = scale_s.max(1e-9);
    let cells = ((end / scale * width as f64).round() as usize).clamp(1, width);
    (0..cells)
        .map(|i| {
            let t = (i as f64 + 0.5) / width as f64 * scale;
            spans
                .iter()
                .find(|s| s.1 <= t && t < s.2)
                .or_else(|| spans.iter().rev().find(|s| s.1 <= t))
                .unwrap_or(&spans[0])
                .0
        })
        .collect()
}

/// `width` cells shared among steps by their seconds (largest remainders), in the given
/// order; empty when there are no seconds.
pub fn mix_cells(totals: &[(Step, f64)], width: usize) -> Vec<Step> {
    let sum: f64 = totals.iter().map(|t| t.1.max(0.0)).sum();
    if sum <= 0.0 || width == 0 {
        return Vec::new();
    }
    let exact: Vec<f64> = totals
        .iter()
        .map(|t| t.1.max(0.0) / sum * width as f64)
        .collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut left = width - counts.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|&i, &j| {
        (exact[j] - exact[j].floor())
            .total_cmp(&(exact[i] - exact[i].floor()))
            .then(i.cmp(&j))
    });
    for i in order {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    totals
        .iter()
        .zip(counts)
        .flat_map(|(t, n)| std::iter::repeat_n(t.0, n))
        .collect()
}

/// A legend of `(mark, name)` items, two spaces apart, wrapped to lines of `width` columns
/// (indented by two, as the reports are); the marks are one column wide.
pub fn legend(items: &[(String, String)], width: usize) -> String {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (mark, name) in items {
        let len = name.chars().count() + 2;
        match lines.last_mut() {
            Some((used, line)) if *used + 2 + len <= width.saturating_sub(2) => {
                *used += 2 + len;
                line.push_str(&format!("  {mark} {name}"));
            }
            _ => lines.push((len, format!("  {mark} {name}"))),
        }
    }
    lines.into_iter().map(|(_, line)| line + "\n").collect()
}

/// `text` wrapped at spaces to lines of at most `width` columns (never fewer than 20 after the
/// indent), each after `indent`, each ending in a newline. Long words are not broken.
pub fn wrap(text: &str, indent: &str, width: usize) -> String {
    let indent_cols = indent.chars().count();
    let room = width.saturating_sub(indent_cols).max(20);
    let options = textwrap::Options::new(indent_cols + room)
        .initial_indent(indent)
        .subsequent_indent(indent)
        .break_words(false);
    if text.trim().is_empty() {
        return String::new();
    }
    textwrap::wrap(text, options)
        .iter()
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Cells drawn as text.
pub fn paint(cells: &[Step], style: &Style) -> String {
    cells.iter().map(|s| cell(*s, style)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_cells_fill_the_width_in_proportion() {
        let cells = mix_cells(
            &[
                (Step::Customer, 10.0),
                (Step::Pain, 10.0),
                (Step::Thesis, 20.0),
            ],
            10,
        );
        assert_eq!(cells.len(), 10);
        assert_eq!(cells.iter().filter(|s| **s == Step::Thesis).count(), 5);
        assert!(mix_cells(&[], 10).is_empty());
        assert_eq!(
            mix_cells(
                &[(Step::Pain, 1.0), (Step::Risks, 1.0), (Step::Thesis, 1.0)],
                10
            )
            .len(),
            10
        );
    }

    #[test]
    fn legends_and_notes_wrap_to_the_width() {
        let items: Vec<(String, String)> = (1..=8)
            .map(|i| (i.to_string(), format!("Step number {i}")))
            .collect();
        let text = legend(&items, 40);
        assert!(text.lines().count() > 2);
        assert!(
            text.lines()
                .all(|l| l.chars().count() <= 40 && l.starts_with("  ")),
            "{text}"
        );
        let note = wrap("one two three four five six seven eight nine ten", "  ", 24);
        assert_eq!(
            note,
            "  one two three four\n  five six seven eight\n  nine ten\n"
        );
    }

    #[test]
    fn a_shorter_timeline_fills_its_part_of_the_scale() {
        let spans = [(Step::Customer, 0.0, 30.0), (Step::Pain, 30.0, 60.0)];
        let cells = timeline_cells(&spans, 120.0, 40);
        assert_eq!(cells.len(), 20);
        assert_eq!(cells[0], Step::Customer);
        assert_eq!(cells[19], Step::Pain);
        assert_eq!(timeline_cells(&spans, 60.0, 40).len(), 40);
        let plain = paint(&cells[..2], &Style::plain());
        assert_eq!(plain, "22");
    }
}
