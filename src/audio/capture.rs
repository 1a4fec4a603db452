//! Recording from a microphone with cpal.
//!
//! A dedicated thread owns the cpal stream (streams are not `Send` everywhere). Its callback only
//! converts samples to `f32` and pushes them into a lock-free ring (rtrb): no allocation, lock,
//! log or blocking there; when the ring is full the samples are dropped and counted as overruns.
//! Stream errors (device lost, xruns) are recorded in atomics for the consumer to report.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait};
use cpal::{FromSample, SampleFormat, SizedSample};

use super::device::{QuietStderr, StreamThread, is_null, pick};
use crate::error::{Error, Result};

/// An input device and its default format.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceInfo {
    pub id: String,
    pub name: String,
    pub rate: u32,
    pub channels: u16,
    pub format: String,
    pub default: bool,
}

fn host() -> cpal::Host {
    cpal::default_host()
}

fn info(device: &cpal::Device, default_id: Option<&str>) -> Option<DeviceInfo> {
    let config = device.default_input_config().ok()?;
    let id = device.id().ok()?.to_string();
    let name = device
        .description()
        .map(|d| d.name().to_string())
        .unwrap_or_else(|_| id.clone());
    Some(DeviceInfo {
        default: default_id == Some(id.as_str()),
        id,
        name,
        rate: config.sample_rate(),
        channels: config.channels(),
        format: format!("{:?}", config.sample_format()).to_lowercase(),
    })
}

/// Input devices that can actually be opened, with their default format.
pub fn devices() -> Vec<DeviceInfo> {
    let _quiet = QuietStderr::new();
    let host = host();
    let default = host.default_input_device();
    let default_id = default
        .as_ref()
        .and_then(|d| d.id().ok())
        .map(|id| id.to_string());
    let mut out: Vec<DeviceInfo> = host
        .input_devices()
        .map(|list| {
            list.filter_map(|d| info(&d, default_id.as_deref()))
                // ALSA's `null` records silence: it is no microphone.
                .filter(|d| !is_null(&d.id))
                .collect()
        })
        .unwrap_or_default();
    // The default device is not always among the enumerated ones (ALSA's "default").
    if let Some(d) = default
        .as_ref()
        .and_then(|d| info(d, default_id.as_deref()))
        && !out.iter().any(|x| x.id == d.id)
    {
        out.insert(0, d);
    }
    out
}

/// "no microphone" with the devices that exist and how to pick one.
fn no_device(wanted: Option<&str>, reason: &str) -> Error {
    let found = devices();
    let mut msg = match wanted {
        Some(w) => format!("no input device matches `{w}` ({reason})"),
        None => format!("no microphone found ({reason})"),
    };
    if found.is_empty() {
        msg.push_str(
            "\n  no input devices are available; connect a microphone (see `paceback devices`)",
        );
    } else {
        msg.push_str("\n  input devices:");
        for d in &found {
            msg.push_str(&format!("\n    {} ({})", d.id, d.name));
        }
        msg.push_str("\n  pick one with --device ID (or part of its name)");
    }
    Error::Usage(msg)
}

/// The device to record from: `spec` matches an id or part of a name; `None` is the default.
/// Checked up front: a device that cannot give its input format is no microphone.
pub fn find(spec: Option<&str>) -> Result<(cpal::Device, cpal::SupportedStreamConfig)> {
    let quiet = QuietStderr::new();
    let host = host();
    let device = pick(
        spec,
        || host.default_input_device(),
        || host.input_devices().ok(),
    );
    let Some(device) = device else {
        drop(quiet);
        return Err(no_device(spec, "none found"));
    };
    match device.default_input_config() {
        Ok(config) => Ok((device, config)),
        Err(e) => {
            drop(quiet);
            Err(no_device(spec, &format!("the device cannot record: {e}")))
        }
    }
}

/// Counters shared between the stream's callbacks and the consumer.
#[derive(Debug)]
pub struct Health {
    /// Samples dropped because the ring was full.
    pub overruns: AtomicU64,
    /// Samples accepted before the first one was dropped (`u64::MAX`: none dropped yet): a take
    /// that ends before this point has no gap.
    pub first_overrun_at: AtomicU64,
    /// Samples accepted into the ring.
    pub accepted: AtomicU64,
    /// Buffer overruns the audio backend reported.
    pub xruns: AtomicU64,
    /// The device went away mid-take.
    pub device_lost: AtomicBool,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            overruns: AtomicU64::new(0),
            first_overrun_at: AtomicU64::new(u64::MAX),
            accepted: AtomicU64::new(0),
            xruns: AtomicU64::new(0),
            device_lost: AtomicBool::new(false),
        }
    }
}

/// A running capture: interleaved `f32` samples arrive in a ring until it is stopped.
pub struct Capture {
    pub rate: u32,
    pub channels: u16,
    pub device: String,
    ring: rtrb::Consumer<f32>,
    health: Arc<Health>,
    stream: StreamThread,
}

/// Seconds of audio the ring holds before the callback has to drop samples: far more than any
/// stall of the writer (a full 30 s transcription window is decoded in about 2 s).
const RING_S: usize = 30;

impl Capture {
    /// Open `spec` (see [`find`]) and start recording.
    pub fn start(spec: Option<&str>) -> Result<Capture> {
        let (device, config) = find(spec)?;
        let name = device
            .description()
            .map(|d| d.name().to_string())
            .unwrap_or_else(|_| "input".into());
        let (rate, channels, format) = (
            config.sample_rate(),
            config.channels(),
            config.sample_format(),
        );
        let (producer, ring) =
            rtrb::RingBuffer::new(rate as usize * usize::from(channels) * RING_S);
        let health = Arc::new(Health::default());
        let stream = {
            let stream_config = config.config();
            StreamThread::spawn("capture", {
                let health = health.clone();
                move || build(&device, stream_config, format, producer, health)
            })
            .map_err(|e| no_device(spec, &e))?
        };
        Ok(Capture {
            rate,
            channels,
            device: name,
            ring,
            health,
            stream,
        })
    }

    /// Move every sample that has arrived into `out`.
    pub fn drain(&mut self, out: &mut Vec<f32>) -> usize {
        let n = self.ring.slots();
        if n == 0 {
            return 0;
        }
        let chunk = self.ring.read_chunk(n).expect("slots are readable");
        let (a, b) = chunk.as_slices();
        out.extend_from_slice(a);
        out.extend_from_slice(b);
        chunk.commit_all();
        n
    }

    pub fn health(&self) -> &Health {
        &self.health
    }

    /// Stop the stream and wait for its thread.
    pub fn stop(self) {
        self.stream.stop();
    }

    /// Stop without waiting for the device thread, which may be stuck in a driver that went
    /// away; it ends with the process.
    pub fn abandon(self) {
        self.stream.abandon();
    }
}

fn build(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    format: SampleFormat,
    producer: rtrb::Producer<f32>,
    health: Arc<Health>,
) -> std::result::Result<cpal::Stream, String> {
    match format {
        SampleFormat::I8 => stream::<i8>(device, config, producer, health),
        SampleFormat::I16 => stream::<i16>(device, config, producer, health),
        SampleFormat::I24 => stream::<cpal::I24>(device, config, producer, health),
        SampleFormat::I32 => stream::<i32>(device, config, producer, health),
        SampleFormat::I64 => stream::<i64>(device, config, producer, health),
        SampleFormat::U8 => stream::<u8>(device, config, producer, health),
        SampleFormat::U16 => stream::<u16>(device, config, producer, health),
        SampleFormat::U32 => stream::<u32>(device, config, producer, health),
        SampleFormat::U64 => stream::<u64>(device, config, producer, health),
        SampleFormat::F32 => stream::<f32>(device, config, producer, health),
        SampleFormat::F64 => stream::<f64>(device, config, producer, health),
        other => Err(format!("unsupported sample format {other:?}")),
    }
}

fn stream<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut producer: rtrb::Producer<f32>,
    health: Arc<Health>,
) -> std::result::Result<cpal::Stream, String>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let on_data = {
        let health = health.clone();
        move |data: &[T], _: &cpal::InputCallbackInfo| {
            // Real-time: convert and push, nothing else.
            let room = producer.slots().min(data.len());
            if let Ok(chunk) = producer.write_chunk_uninit(room) {
                chunk.fill_from_iter(data[..room].iter().map(|s| s.to_sample::<f32>()));
            }
            let accepted = health.accepted.fetch_add(room as u64, Ordering::Relaxed) + room as u64;
            if room < data.len() {
                health
                    .overruns
                    .fetch_add((data.len() - room) as u64, Ordering::Relaxed);
                health
                    .first_overrun_at
                    .fetch_min(accepted, Ordering::Relaxed);
            }
        }
    };
    let on_error = move |e: cpal::Error| match e.kind() {
        cpal::ErrorKind::Xrun => {
            health.xruns.fetch_add(1, Ordering::Relaxed);
        }
        // Rerouted to the new default device: the stream goes on.
        cpal::ErrorKind::DeviceChanged | cpal::ErrorKind::RealtimeDenied => {}
        _ => health.device_lost.store(true, Ordering::Relaxed),
    };
    device
        .build_input_stream::<T, _, _>(config, on_data, on_error, Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())
}
