//! The one progress-bar factory: a real bar on an interactive stderr, a hidden one otherwise
//! (pipes, `--json`, tests), so callers never branch on where output goes.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// A bar counting `len` units with `message` in front; hidden unless stderr is a terminal and
/// `visible` is true.
pub fn bar(len: u64, message: &str, visible: bool) -> ProgressBar {
    if !visible || !interactive() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:30}] {percent:>3}% {elapsed} {left}")
            .expect("static template")
            .with_key(
                "left",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&time_left(
                        state.elapsed().as_secs_f64(),
                        state.pos(),
                        state.len().unwrap_or(0),
                    ));
                },
            )
            .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// A spinner with a changing message (for recording), hidden when not on a terminal.
pub fn spinner(message: &str, visible: bool) -> ProgressBar {
    if !visible || !interactive() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("static template"));
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// A byte-counting bar for downloads.
pub fn bytes(len: Option<u64>, message: &str) -> ProgressBar {
    if !interactive() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar
}

/// Bars are drawn only on a terminal that can redraw in place.
fn interactive() -> bool {
    crate::output::interactive(crate::output::Stream::Stderr)
}

/// "(about 1:20 left)" from the average rate so far. Work that moves in steps (a window of audio
/// at a time) makes indicatif's own estimate swing wildly (`88% 3m/19h`); the average since the
/// start does not. Nothing until there is a rate to go on.
fn time_left(elapsed_s: f64, pos: u64, len: u64) -> String {
    if pos == 0 || elapsed_s < 1.0 || pos >= len {
        return String::new();
    }
    let left = elapsed_s * (len - pos) as f64 / pos as f64;
    format!("(about {} left)", crate::time::clock(left.max(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_follows_the_average_rate() {
        assert_eq!(time_left(0.5, 10, 100), "", "no rate yet");
        assert_eq!(time_left(10.0, 0, 100), "");
        assert_eq!(time_left(30.0, 50, 100), "(about 0:30 left)");
        // One slow window does not explode the estimate.
        assert_eq!(time_left(90.0, 88, 100), "(about 0:12 left)");
        assert_eq!(time_left(90.0, 100, 100), "");
    }
}
