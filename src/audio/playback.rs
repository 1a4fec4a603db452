//! Playing a clip through an output device with cpal (`paceback play`).
//!
//! The clip is brought to a rate the device takes before the stream starts (untouched when the
//! device takes the clip's own rate, as any ALSA or PulseAudio device takes 16 kHz), so the
//! callback only copies one sample to every channel of a frame and counts the frames handed
//! over: no allocation, lock or blocking there, and playback cannot starve whatever the device's
//! pace. A dedicated thread owns the stream (streams are not `Send` everywhere).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait};
use cpal::{
    FromSample, SampleFormat, SizedSample, SupportedStreamConfig, SupportedStreamConfigRange,
};

use super::device::{QuietStderr, StreamThread, is_null, pick};
use super::{Mono, StreamResampler};
use crate::error::{Error, Result};

/// "no sound output" with what to do about it.
fn no_output(wanted: Option<&str>, reason: &str) -> Error {
    let mut msg = match wanted {
        Some(w) => format!("no output device matches `{w}` ({reason})"),
        None => format!("no sound output device found ({reason})"),
    };
    let found = output_names();
    if found.is_empty() {
        msg.push_str(
            "\n  connect speakers or headphones; `paceback show ID --html` plays the take in a browser instead",
        );
    } else {
        msg.push_str("\n  output devices:");
        for (id, name) in &found {
            msg.push_str(&format!("\n    {id} ({name})"));
        }
        msg.push_str("\n  pick one with --device ID (or part of its name)");
    }
    Error::Usage(msg)
}

/// Output devices that can give an output format: (id, name).
fn output_names() -> Vec<(String, String)> {
    let _quiet = QuietStderr::new();
    let host = cpal::default_host();
    host.output_devices()
        .map(|list| {
            list.filter(|d| d.default_output_config().is_ok())
                .filter_map(|d| {
                    let id = d.id().ok()?.to_string();
                    // ALSA's `null` discards what it is given: no one would hear it.
                    if is_null(&id) {
                        return None;
                    }
                    let name = d
                        .description()
                        .map(|x| x.name().to_string())
                        .unwrap_or_else(|_| id.clone());
                    Some((id, name))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The way a device will play a clip of `rate` Hz: at that rate when any of its formats takes
/// it (mono first, then stereo, then more channels; the device's own sample format first, then
/// `f32`), else in its default format with the clip resampled.
pub fn choose(
    supported: &[SupportedStreamConfigRange],
    default: &SupportedStreamConfig,
    rate: u32,
) -> SupportedStreamConfig {
    let format_rank = |f: SampleFormat| {
        if f == default.sample_format() {
            0
        } else if f == SampleFormat::F32 {
            1
        } else {
            2
        }
    };
    supported
        .iter()
        .filter(|c| c.min_sample_rate() <= rate && rate <= c.max_sample_rate() && c.channels() > 0)
        .filter(|c| known(c.sample_format()))
        .min_by_key(|c| (c.channels().min(3), format_rank(c.sample_format())))
        .map(|c| c.with_sample_rate(rate))
        .unwrap_or(*default)
}

fn known(f: SampleFormat) -> bool {
    use SampleFormat::*;
    matches!(
        f,
        I8 | I16 | I24 | I32 | I64 | U8 | U16 | U32 | U64 | F32 | F64
    )
}

/// A clip being played.
pub struct Player {
    /// Frames a second the device plays.
    pub rate: u32,
    pub channels: u16,
    pub format: SampleFormat,
    pub device: String,
    frames: usize,
    played: Arc<AtomicUsize>,
    /// Nanoseconds from the latest callback to when its samples are heard.
    latency_ns: Arc<AtomicU64>,
    lost: Arc<AtomicBool>,
    stream: StreamThread,
}

impl Player {
    /// Start playing `clip` on the output device `spec` (an id or part of a name; `None`: the
    /// default one). The clip's samples become the stream's.
    pub fn start(clip: Mono, spec: Option<&str>) -> Result<Player> {
        let quiet = QuietStderr::new();
        let host = cpal::default_host();
        let device = pick(
            spec,
            || host.default_output_device(),
            || host.output_devices().ok(),
        );
        let Some(device) = device else {
            drop(quiet);
            return Err(no_output(spec, "none found"));
        };
        let default = match device.default_output_config() {
            Ok(c) => c,
            Err(e) => {
                drop(quiet);
                return Err(no_output(spec, &format!("the device cannot play: {e}")));
            }
        };
        let supported: Vec<SupportedStreamConfigRange> = device
            .supported_output_configs()
            .map(|list| list.collect())
            .unwrap_or_default();
        drop(quiet);
        let config = choose(&supported, &default, clip.rate);
        let samples: Arc<[f32]> = if config.sample_rate() == clip.rate {
            clip.samples.into()
        } else {
            let mut r = StreamResampler::new(clip.rate, config.sample_rate())?;
            let mut out = Vec::new();
            r.push(&clip.samples, &mut out)?;
            r.finish(&mut out)?;
            out.into()
        };
        let name = device
            .description()
            .map(|d| d.name().to_string())
            .unwrap_or_else(|_| "output".into());
        let frames = samples.len();
        let played = Arc::new(AtomicUsize::new(0));
        let latency_ns = Arc::new(AtomicU64::new(0));
        let lost = Arc::new(AtomicBool::new(false));
        let (rate, channels, format) = (
            config.sample_rate(),
            config.channels(),
            config.sample_format(),
        );
        let stream = {
            let shared = (samples, played.clone(), latency_ns.clone(), lost.clone());
            let stream_config = config.config();
            StreamThread::spawn("playback", move || {
                build(&device, stream_config, format, shared)
            })
            .map_err(|e| no_output(spec, &e))?
        };
        Ok(Player {
            rate,
            channels,
            format,
            device: name,
            frames,
            played,
            latency_ns,
            lost,
            stream,
        })
    }

    /// Seconds of the clip handed to the device so far.
    pub fn position_s(&self) -> f64 {
        self.played.load(Ordering::Relaxed) as f64 / f64::from(self.rate)
    }

    /// Every frame of the clip has been handed to the device.
    pub fn finished(&self) -> bool {
        self.played.load(Ordering::Relaxed) >= self.frames
    }

    /// How long until what was handed to the device last is heard (at most half a second).
    pub fn latency(&self) -> Duration {
        Duration::from_nanos(self.latency_ns.load(Ordering::Relaxed))
            .min(Duration::from_millis(500))
    }

    /// The device went away mid-clip.
    pub fn lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed)
    }

    /// "Default Audio Device, 16000 Hz mono f32".
    pub fn describe(&self) -> String {
        let channels = match self.channels {
            1 => "mono".to_string(),
            2 => "stereo".to_string(),
            n => format!("{n} channels"),
        };
        format!(
            "{}, {} Hz {channels} {}",
            self.device,
            self.rate,
            format!("{:?}", self.format).to_lowercase()
        )
    }

    /// Stop the stream and wait for its thread.
    pub fn stop(self) {
        self.stream.stop();
    }
}

/// What the callback shares with the player: the clip, the frames handed over, the latency and
/// whether the device went away.
type Shared = (
    Arc<[f32]>,
    Arc<AtomicUsize>,
    Arc<AtomicU64>,
    Arc<AtomicBool>,
);

fn build(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    format: SampleFormat,
    shared: Shared,
) -> std::result::Result<cpal::Stream, String> {
    match format {
        SampleFormat::I8 => stream::<i8>(device, config, shared),
        SampleFormat::I16 => stream::<i16>(device, config, shared),
        SampleFormat::I24 => stream::<cpal::I24>(device, config, shared),
        SampleFormat::I32 => stream::<i32>(device, config, shared),
        SampleFormat::I64 => stream::<i64>(device, config, shared),
        SampleFormat::U8 => stream::<u8>(device, config, shared),
        SampleFormat::U16 => stream::<u16>(device, config, shared),
        SampleFormat::U32 => stream::<u32>(device, config, shared),
        SampleFormat::U64 => stream::<u64>(device, config, shared),
        SampleFormat::F32 => stream::<f32>(device, config, shared),
        SampleFormat::F64 => stream::<f64>(device, config, shared),
        other => Err(format!("unsupported sample format {other:?}")),
    }
}

fn stream<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    (samples, played, latency, lost): Shared,
) -> std::result::Result<cpal::Stream, String>
where
    T: SizedSample + FromSample<f32> + Send + 'static,
{
    let channels = usize::from(config.channels.max(1));
    let on_data = move |data: &mut [T], info: &cpal::OutputCallbackInfo| {
        // Real-time: copy and count, nothing else; silence once the clip is over.
        let mut at = played.load(Ordering::Relaxed);
        for frame in data.chunks_mut(channels) {
            let s = samples.get(at).copied().unwrap_or(0.0);
            at = (at + 1).min(samples.len());
            frame.fill(T::from_sample(s));
        }
        played.store(at, Ordering::Relaxed);
        let ts = info.timestamp();
        let ahead = ts.playback.duration_since(ts.callback);
        latency.store(ahead.as_nanos() as u64, Ordering::Relaxed);
    };
    let on_error = move |e: cpal::Error| match e.kind() {
        cpal::ErrorKind::Xrun
        | cpal::ErrorKind::DeviceChanged
        | cpal::ErrorKind::RealtimeDenied => {}
        _ => lost.store(true, Ordering::Relaxed),
    };
    device
        .build_output_stream::<T, _, _>(config, on_data, on_error, Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cpal::SupportedBufferSize;

    fn range(channels: u16, lo: u32, hi: u32, format: SampleFormat) -> SupportedStreamConfigRange {
        SupportedStreamConfigRange::new(channels, lo, hi, SupportedBufferSize::Unknown, format)
    }

    #[test]
    fn the_clip_rate_is_kept_when_the_device_takes_it() {
        let default = range(2, 48_000, 48_000, SampleFormat::I16).with_sample_rate(48_000);
        let supported = [
            range(2, 8_000, 96_000, SampleFormat::I16),
            range(1, 8_000, 96_000, SampleFormat::F32),
            range(1, 8_000, 96_000, SampleFormat::I16),
            range(6, 8_000, 96_000, SampleFormat::I16),
        ];
        let c = choose(&supported, &default, 16_000);
        assert_eq!(
            (c.sample_rate(), c.channels(), c.sample_format()),
            (16_000, 1, SampleFormat::I16)
        );
        // Only stereo at the rate: stereo, the clip copied to both channels.
        let c = choose(&supported[..1], &default, 16_000);
        assert_eq!((c.sample_rate(), c.channels()), (16_000, 2));
    }

    #[test]
    fn a_device_that_cannot_take_the_rate_plays_its_default() {
        let default = range(2, 48_000, 48_000, SampleFormat::F32).with_sample_rate(48_000);
        let supported = [range(2, 44_100, 48_000, SampleFormat::F32)];
        let c = choose(&supported, &default, 16_000);
        assert_eq!((c.sample_rate(), c.channels()), (48_000, 2));
        assert_eq!(choose(&[], &default, 16_000).sample_rate(), 48_000);
    }
}
