//! The one progress-bar factory: a real bar on an interactive stderr, a hidden one otherwise
//! (pipes, `--json`, tests), so callers never branch on where output goes.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar counting `len` units with `message` in front; hidden unless stderr is a terminal and
/// `visible` is true.
pub fn bar(len: u64, message: &str, visible: bool) -> ProgressBar {
    if !visible || !interactive() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:30}] {percent:>3}% {elapsed}/{duration}")
            .expect("static template")
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
