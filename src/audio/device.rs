//! What recording and playing share: opening devices quietly, naming them, and a thread of its
//! own for each stream (cpal streams are not `Send` everywhere).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use cpal::traits::{DeviceTrait, StreamTrait};

/// While alive, libasound's own messages on stderr (it prints errors when probing devices that
/// cannot open) are discarded, unless `PACEBACK_VERBOSE` is set.
pub struct QuietStderr {
    saved: Option<libc::c_int>,
}

impl QuietStderr {
    #[allow(clippy::new_without_default)] // a guard with an effect, not a value
    pub fn new() -> Self {
        if std::env::var_os("PACEBACK_VERBOSE").is_some() {
            return QuietStderr { saved: None };
        }
        // SAFETY: plain file-descriptor calls; fd 2 is restored in drop.
        let saved = unsafe {
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
            if null < 0 {
                return QuietStderr { saved: None };
            }
            let saved = libc::dup(2);
            libc::dup2(null, 2);
            libc::close(null);
            saved
        };
        QuietStderr {
            saved: (saved >= 0).then_some(saved),
        }
    }
}

impl Drop for QuietStderr {
    fn drop(&mut self) {
        if let Some(fd) = self.saved {
            // SAFETY: restores the descriptor saved in new().
            unsafe {
                libc::dup2(fd, 2);
                libc::close(fd);
            }
        }
    }
}

/// Whether `spec` names `device`: its id, or part of its name (any case).
fn matches(device: &cpal::Device, spec: &str) -> bool {
    let spec_low = spec.to_lowercase();
    device
        .id()
        .map(|id| id.to_string() == spec || id.id() == spec)
        .unwrap_or(false)
        || device
            .description()
            .map(|x| x.name().to_lowercase().contains(&spec_low))
            .unwrap_or(false)
}

/// The device `spec` names (see [`matches`]) among `all`, or with no `spec` the `default` one.
pub fn pick<I: Iterator<Item = cpal::Device>>(
    spec: Option<&str>,
    default: impl FnOnce() -> Option<cpal::Device>,
    all: impl FnOnce() -> Option<I>,
) -> Option<cpal::Device> {
    match spec {
        None => default(),
        Some(s) => all().and_then(|mut list| list.find(|d| matches(d, s))),
    }
}

/// A stream running on a thread of its own until stopped.
pub struct StreamThread {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StreamThread {
    /// Build a stream with `build` on a new thread named `name` and play it. `Err` says why it
    /// could not be built or started (libasound's messages meanwhile discarded).
    pub fn spawn<F>(name: &str, build: F) -> std::result::Result<StreamThread, String>
    where
        F: FnOnce() -> std::result::Result<cpal::Stream, String> + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) =
            std::sync::mpsc::sync_channel::<std::result::Result<(), String>>(1);
        let thread = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    let quiet = QuietStderr::new();
                    let stream = match build()
                        .and_then(|s| s.play().map(|()| s).map_err(|e| e.to_string()))
                    {
                        Ok(s) => s,
                        Err(e) => {
                            drop(quiet);
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    drop(quiet);
                    let _ = ready_tx.send(Ok(()));
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::park_timeout(Duration::from_millis(50));
                    }
                    drop(stream);
                })
                .map_err(|e| format!("cannot start the {name} thread: {e}"))?
        };
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(StreamThread {
                stop,
                thread: Some(thread),
            }),
            Ok(Err(e)) => Err(format!("cannot open it: {e}")),
            Err(_) => Err(format!("the {name} thread ended")),
        }
    }

    /// Stop the stream and wait for its thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    /// Stop without waiting for the thread, which may be stuck in a driver that went away; it
    /// ends with the process.
    pub fn abandon(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
        }
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

impl Drop for StreamThread {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Whether the ALSA device `id` is `null`, which discards what it is given.
pub fn is_null(id: &str) -> bool {
    id.rsplit(':').next() == Some("null")
}
