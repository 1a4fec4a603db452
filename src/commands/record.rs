//! `paceback record OUT.wav [--device D] [--duration S]` and `paceback devices`.

use crate::audio::capture;
use crate::cli::RecordArgs;
use crate::error::{Error, Result};
use crate::record::{self, Stop};

pub fn devices(json: bool) -> Result<()> {
    let list = capture::devices();
    if json {
        super::json_list("paceback.devices/1", "devices", &list)?;
    } else if list.is_empty() {
        println!("no input devices found: connect a microphone");
    } else {
        for d in &list {
            let mark = if d.default { "*" } else { " " };
            println!(
                "{mark} {:<28} {:<32} {} Hz, {} ch, {}",
                d.id, d.name, d.rate, d.channels, d.format
            );
        }
        println!("(* = default; choose another with --device ID or part of its name)");
    }
    Ok(())
}

/// Refuse to record over an existing file or into a missing folder.
pub fn check_out(path: &std::path::Path) -> Result<()> {
    if path.exists() {
        return Err(Error::bad_input(
            path,
            "already exists; paceback never overwrites a recording (choose another name)",
        ));
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if !parent.is_dir() {
        return Err(Error::bad_input(
            path,
            format!("the folder {} does not exist", parent.display()),
        ));
    }
    Ok(())
}

pub fn run(args: RecordArgs) -> Result<()> {
    check_out(&args.out)?;
    let enter = record::enter_pressed();
    let interactive = crate::output::interactive(crate::output::Stream::Stderr);
    let bar = crate::progress_bar::spinner("recording", interactive);
    let mut meter = crate::audio::level::Meter::new(crate::audio::WHISPER_RATE);
    let mut warned = None;
    let banner = |device: &str| {
        eprintln!(
            "paceback: recording from {device} to {} — press Enter (or Ctrl-C) to stop{}",
            args.out.display(),
            args.duration
                .map(|d| format!(", or it stops after {}", crate::time::human(d)))
                .unwrap_or_default()
        )
    };
    let recorded = record::record(
        args.device.as_deref(),
        &args.out,
        args.duration,
        Some(&enter),
        &mut |device| banner(device),
        &mut |mono, secs| {
            meter.push(mono);
            let fault = meter.fault();
            // On a terminal the level and any fault ride on the spinner; elsewhere a fault is
            // said once, when it appears.
            if !interactive && fault.is_some() && fault != warned {
                eprintln!("paceback: warning: {}", fault.map_or("", |f| f.advice()));
            }
            warned = fault;
            bar.set_message(format!(
                "recording {}  {} {}",
                crate::time::clock(secs),
                crate::audio::level::bar(meter.level_dbfs(), 10),
                fault.map_or(String::new(), |f| format!("⚠ {}", f.advice()))
            ))
        },
    )?;
    bar.finish_and_clear();
    for w in recorded.warnings() {
        eprintln!("paceback: warning: {w}");
    }
    println!(
        "saved {} of audio from {} to {}",
        crate::time::human(recorded.seconds),
        recorded.device,
        recorded.path.display()
    );
    match recorded.stop {
        Stop::DeviceLost | Stop::DiskFull(_) => Err(Error::Other(anyhow::anyhow!(
            "the take ended early (see above)"
        ))),
        _ => Ok(()),
    }
}
