//! Turning an [`Analysis`](crate::analysis::Analysis) into what people read.

pub mod charts;
pub mod compare;
pub mod explain;
pub mod history;
pub mod html;
pub mod mix;
pub mod progress_html;
pub mod replay;
pub mod terminal;

pub use explain::explain;

/// `1 word`, `2 words`, `0 words`: a count with its noun.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The width of a text column: its longest cell in characters, and at least `least`.
fn column_width<S: AsRef<str>>(cells: impl IntoIterator<Item = S>, least: usize) -> usize {
    cells
        .into_iter()
        .map(|c| c.as_ref().chars().count())
        .max()
        .unwrap_or(0)
        .max(least)
}

pub use terminal::{Style, terminal};

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_singular_only_for_one() {
        assert_eq!(super::count(1, "word"), "1 word");
        assert_eq!(super::count(0, "filler"), "0 fillers");
        assert_eq!(super::count(12, "long pause"), "12 long pauses");
    }
}
