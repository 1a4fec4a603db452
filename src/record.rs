//! Recording one take: the microphone into a WAV on disk until Enter, Ctrl-C, the time limit, a
//! lost device or a full disk, whichever comes first. What was recorded is always kept.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::audio::capture::Capture;
use crate::audio::writer::TakeWriter;
use crate::error::{Error, Result};

/// No audio from the device for this long means it is gone.
const STALLED: Duration = Duration::from_secs(3);

/// Why a take ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    Enter,
    Interrupted,
    Limit,
    DeviceLost,
    DiskFull(String),
}

/// A finished take.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: PathBuf,
    pub seconds: f64,
    pub stop: Stop,
    pub device: String,
    pub rate: u32,
    pub channels: u16,
    /// Samples dropped because paceback could not keep up, and overruns the backend reported.
    pub overruns: u64,
    pub xruns: u64,
}

impl Recorded {
    /// Warnings worth telling the user, one per line.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if self.overruns > 0 {
            w.push(format!(
                "{} audio samples were dropped because the machine could not keep up",
                self.overruns
            ));
        }
        if self.xruns > 0 {
            w.push(format!("the audio device reported {} overruns", self.xruns));
        }
        match &self.stop {
            Stop::DeviceLost => w.push(format!(
                "the microphone went away after {}; what was recorded is kept",
                crate::time::clock(self.seconds)
            )),
            Stop::DiskFull(e) => w.push(format!(
                "the take stopped after {}: {e}; what was written is kept",
                crate::time::clock(self.seconds)
            )),
            _ => {}
        }
        w
    }
}

/// A flag set when the user presses Enter (a line on stdin). End of input is ignored, so a
/// closed stdin never stops a take.
pub fn enter_pressed() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let set = flag.clone();
    std::thread::Builder::new()
        .name("enter".into())
        .spawn(move || {
            let mut line = String::new();
            if let Ok(n) = std::io::stdin().read_line(&mut line)
                && n > 0
            {
                set.store(true, Ordering::SeqCst);
            }
        })
        .ok();
    flag
}

/// Record from `device` into `path` (16 kHz mono WAV). `limit_s` stops after that much audio
/// (counted in samples, not wall time). `enter` stops when set. `on_start` is told the device's
/// name once it records; `on_audio` receives the 16 kHz mono audio as it is written, with the
/// seconds recorded so far.
pub fn record(
    device: Option<&str>,
    path: &Path,
    limit_s: Option<f64>,
    enter: Option<&AtomicBool>,
    on_start: &mut dyn FnMut(&str),
    on_audio: &mut dyn FnMut(&[f32], f64),
) -> Result<Recorded> {
    let mut capture = Capture::start(device)?;
    on_start(&capture.device);
    let mut take = TakeWriter::create(path, capture.rate, capture.channels)?;
    let channels = usize::from(capture.channels.max(1));
    let limit = limit_s.map(|s| (s * f64::from(capture.rate)).round() as u64 * channels as u64);
    let mut taken = 0u64;
    let mut buf = Vec::new();
    // Some devices take a moment to start delivering.
    let mut last_audio = Instant::now() + Duration::from_secs(2);
    let stop = loop {
        buf.clear();
        // Catch up without sleeping while audio is waiting; otherwise poll every 20 ms.
        if capture.drain(&mut buf) == 0 {
            std::thread::sleep(Duration::from_millis(20));
            capture.drain(&mut buf);
        }
        if !buf.is_empty() {
            last_audio = Instant::now();
        }
        let mut reached = false;
        if let Some(limit) = limit
            && taken + buf.len() as u64 >= limit
        {
            buf.truncate((limit - taken) as usize);
            reached = true;
        }
        taken += buf.len() as u64;
        match take.push(&buf) {
            Ok((mono, seconds)) => on_audio(mono, seconds),
            Err(e) => {
                let seconds = take.abandon();
                return Ok(finished(
                    &capture,
                    path,
                    seconds,
                    Stop::DiskFull(format!("{e:#}")),
                ));
            }
        }
        if reached {
            break Stop::Limit;
        }
        if crate::interrupt::requested() {
            break Stop::Interrupted;
        }
        if enter.is_some_and(|e| e.load(Ordering::SeqCst)) {
            break Stop::Enter;
        }
        // A device that stops delivering (unplugged, its server gone) is lost: a working one
        // delivers silence too.
        if capture.health().device_lost.load(Ordering::Relaxed) || last_audio.elapsed() > STALLED {
            break Stop::DeviceLost;
        }
    };
    let mut result = finished(&capture, path, 0.0, stop);
    // Samples dropped after the end of the take left no gap in it.
    if capture.health().first_overrun_at.load(Ordering::Relaxed) >= taken {
        result.overruns = 0;
    }
    // The take first: stopping a device that went away may hang in its driver.
    let seconds = take.finish().map_err(|e| {
        Error::from(e.context("the take could not be finalized (what was flushed is kept)"))
    });
    if result.stop == Stop::DeviceLost {
        capture.abandon();
    } else {
        capture.stop();
    }
    Ok(Recorded {
        seconds: seconds?,
        ..result
    })
}

/// Where a take's audio comes from: the seam between recording and everything after it.
#[derive(Debug, Clone)]
pub enum Source {
    /// A microphone: its id or part of its name, or `None` for the system's default.
    Microphone(Option<String>),
    /// Audio already at 16 kHz mono, delivered in 100 ms chunks `speed` times faster than real
    /// time, as a microphone would (tests of the live session, without a sound card or model).
    Samples { samples: Vec<f32>, speed: f64 },
}

/// Record a take from `source`; as [`record`] for a microphone.
pub fn record_from(
    source: &Source,
    path: &Path,
    limit_s: Option<f64>,
    enter: Option<&AtomicBool>,
    on_start: &mut dyn FnMut(&str),
    on_audio: &mut dyn FnMut(&[f32], f64),
) -> Result<Recorded> {
    let (samples, speed) = match source {
        Source::Microphone(device) => {
            return record(device.as_deref(), path, limit_s, enter, on_start, on_audio);
        }
        Source::Samples { samples, speed } => (samples, speed.max(0.01)),
    };
    let rate = crate::audio::WHISPER_RATE;
    on_start("samples");
    let mut take = TakeWriter::create(path, rate, 1)?;
    let limit = limit_s.map_or(samples.len(), |s| {
        ((s * f64::from(rate)) as usize).min(samples.len())
    });
    let chunk = rate as usize / 10;
    let mut stop = Stop::Limit;
    for part in samples[..limit].chunks(chunk) {
        std::thread::sleep(Duration::from_secs_f64(0.1 / speed));
        let (mono, seconds) = take.push(part)?;
        on_audio(mono, seconds);
        if crate::interrupt::requested() {
            stop = Stop::Interrupted;
            break;
        }
        if enter.is_some_and(|e| e.load(Ordering::SeqCst)) {
            stop = Stop::Enter;
            break;
        }
    }
    Ok(Recorded {
        path: path.to_path_buf(),
        seconds: take.finish()?,
        stop,
        device: "samples".into(),
        rate,
        channels: 1,
        overruns: 0,
        xruns: 0,
    })
}

fn finished(capture: &Capture, path: &Path, seconds: f64, stop: Stop) -> Recorded {
    Recorded {
        path: path.to_path_buf(),
        seconds,
        stop,
        device: capture.device.clone(),
        rate: capture.rate,
        channels: capture.channels,
        overruns: capture.health().overruns.load(Ordering::Relaxed),
        xruns: capture.health().xruns.load(Ordering::Relaxed),
    }
}
