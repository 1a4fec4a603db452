//! Ctrl-C: the first press asks the running work to stop cleanly (a recording is finalized, a
//! transcription aborts between or inside windows); a second press exits at once with 130.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Install the handler once, at start-up.
pub fn install() {
    // A closed pipe (`paceback export | head`) ends paceback quietly, as it does any Unix filter,
    // instead of a panic in `println!`.
    #[cfg(unix)]
    // SAFETY: called once at start-up before any thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            crate::output::restore_terminal();
            eprintln!("\npaceback: interrupted");
            std::process::exit(130);
        }
    });
}

/// Whether the user asked to stop.
pub fn requested() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// `Err(Interrupted)` once the user asked to stop.
pub fn check() -> Result<()> {
    if requested() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}
