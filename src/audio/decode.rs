//! Reading an audio file of any common format (WAV, FLAC, MP3, M4A/AAC/ALAC, Ogg Vorbis or Opus,
//! AIFF, WebM/MKV) into whisper's 16 kHz mono, streamed: packets are decoded, cleaned, downmixed and
//! resampled as they come, so memory holds the result and one packet, never a copy of the file.
//!
//! Whatever a header claims is checked before it is believed: the sample rate must be one a
//! recording can have, the channel count small, the length within [`MAX_SECONDS`], and nothing is
//! allocated from a declared length beyond what the file's size can hold. Errors name the file
//! and what is wrong with it ([`Error::BadInput`], exit 2).

use std::fs::File;
use std::path::Path;

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as MediaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use super::{Mono, ToWhisper, WHISPER_RATE};
use crate::error::{Error, Result};

/// The formats the error for an unreadable file names.
pub const FORMATS: &str = "WAV (PCM or float), FLAC, MP3, M4A (AAC or ALAC), Ogg (Vorbis or Opus), AIFF, WebM/MKV (Vorbis or Opus), the sound of MP4/MOV video";

/// Sample rates a real recording has (Hz).
pub const RATES: std::ops::RangeInclusive<u32> = 4_000..=384_000;

/// More channels than this is not a microphone or a voice memo.
pub const MAX_CHANNELS: usize = 32;

/// The longest recording paceback reads (4 hours).
pub const MAX_SECONDS: u64 = 4 * 3600;

/// Decode `path` to 16 kHz mono. Not audio, an unsupported codec, an implausible header, damage
/// that leaves no audio, or a recording over [`MAX_SECONDS`] are [`Error::BadInput`].
pub fn read_audio(path: &Path) -> Result<Mono> {
    collected(|sink| stream_audio(path, Warnings::Say, sink))
}

/// The audio a streaming decode hands over, held in one buffer.
fn collected(
    decode: impl FnOnce(&mut dyn FnMut(&[f32]) -> Result<()>) -> Result<u64>,
) -> Result<Mono> {
    let mut samples = Vec::new();
    decode(&mut |chunk| {
        samples.extend_from_slice(chunk);
        Ok(())
    })?;
    samples.shrink_to_fit();
    Ok(Mono {
        rate: WHISPER_RATE,
        samples,
    })
}

/// Whether a decode says what it skipped (damaged packets, a damaged end) on stderr: once per
/// file, so a second pass over the same file keeps quiet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warnings {
    Say,
    Quiet,
}

/// Decode `path` to 16 kHz mono as [`read_audio`] does, handing the audio to `sink` a packet's
/// worth at a time instead of holding it: memory stays flat in the recording's length.
/// Returns the number of samples handed over.
pub fn stream_audio(
    path: &Path,
    warnings: Warnings,
    sink: &mut dyn FnMut(&[f32]) -> Result<()>,
) -> Result<u64> {
    let bad = |reason: String| Error::bad_input(path, reason);
    if path.is_dir() {
        return Err(bad("is a folder; give the audio file in it".into()));
    }
    let file = File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => bad("no such file".into()),
        _ => bad(format!("cannot read: {e}")),
    })?;
    let file_len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let ext = path.extension().and_then(|e| e.to_str());
    decode(Box::new(file), file_len, ext, path, warnings, sink)
}

/// Whether `path` is audio paceback can read: it is opened and decoded up to its first audio,
/// no further, so a file that is not is said at once (before any model is looked for).
pub fn check_readable(path: &Path) -> Result<()> {
    let mut heard = false;
    let read = stream_audio(path, Warnings::Quiet, &mut |_| {
        heard = true;
        // Enough is known: stop decoding.
        Err(Error::Interrupted)
    });
    if heard { Ok(()) } else { read.map(|_| ()) }
}

/// [`read_audio`] of bytes in memory (the fuzz target's entry).
pub fn read_audio_bytes(bytes: Vec<u8>) -> Result<Mono> {
    let len = bytes.len() as u64;
    let source = Box::new(std::io::Cursor::new(bytes));
    collected(|sink| decode(source, len, None, Path::new("<bytes>"), Warnings::Say, sink))
}

/// Decode behind a guard: a decoder that panics on a malformed file (one was found by fuzzing:
/// an overflowing shift in symphonia's WAVE_FORMAT_EXTENSIBLE channel mask, a panic where
/// overflow is checked) is a bad file, not a crash.
fn decode(
    source: Box<dyn symphonia::core::io::MediaSource>,
    file_len: u64,
    ext: Option<&str>,
    path: &Path,
    warnings: Warnings,
    sink: &mut dyn FnMut(&[f32]) -> Result<()>,
) -> Result<u64> {
    let guarded = std::panic::AssertUnwindSafe(|| {
        decode_unguarded(source, file_len, ext, path, warnings, sink)
    });
    std::panic::catch_unwind(guarded).unwrap_or_else(|_| {
        Err(Error::bad_input(
            path,
            format!("the audio decoder failed on this file (damaged?); paceback reads {FORMATS}"),
        ))
    })
}

/// Symphonia's codecs and Opus (voice notes from messaging apps), which symphonia does not
/// decode itself: libopus, built into paceback through its adapter.
fn codecs() -> &'static symphonia::core::codecs::registry::CodecRegistry {
    static CODECS: std::sync::OnceLock<symphonia::core::codecs::registry::CodecRegistry> =
        std::sync::OnceLock::new();
    CODECS.get_or_init(|| {
        let mut registry = symphonia::core::codecs::registry::CodecRegistry::new();
        symphonia::default::register_enabled_codecs(&mut registry);
        registry.register_audio_decoder::<symphonia_adapter_libopus::OpusDecoder>();
        registry
    })
}

fn decode_unguarded(
    source: Box<dyn symphonia::core::io::MediaSource>,
    file_len: u64,
    ext: Option<&str>,
    path: &Path,
    warnings: Warnings,
    sink: &mut dyn FnMut(&[f32]) -> Result<()>,
) -> Result<u64> {
    let bad = |reason: String| Error::bad_input(path, reason);
    if file_len == 0 {
        return Err(bad("the file is empty".into()));
    }
    let mut hint = Hint::new();
    if let Some(ext) = ext {
        hint.with_extension(ext);
    }
    let stream = MediaSourceStream::new(source, Default::default());
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            stream,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| {
            bad(format!(
                "not an audio file paceback can read ({}); it reads {FORMATS}",
                media(&e)
            ))
        })?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| bad("the file holds no audio track".into()))?;
    let track_id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| bad("the file holds no audio track".into()))?
        .clone();
    if let Some(rate) = params.sample_rate {
        check_rate(rate).map_err(bad)?;
    }
    if let Some(channels) = &params.channels {
        check_channels(channels.count()).map_err(bad)?;
    }
    let mut decoder = codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|e| {
            bad(format!(
                "its audio codec is not supported ({}); paceback reads {FORMATS}",
                media(&e)
            ))
        })?;

    let max_out = MAX_SECONDS * u64::from(WHISPER_RATE);
    // One packet's audio at a time; `handed` counts what the sink has had.
    let mut out = Vec::new();
    let mut handed = 0u64;

    let mut input: Option<(u32, usize, ToWhisper)> = None;
    let mut packet_buf: Vec<f32> = Vec::new();
    let (mut decoded, mut damaged) = (0u64, 0u64);
    let mut packets = 0u64;
    loop {
        packets += 1;
        if packets.is_multiple_of(256) && crate::interrupt::requested() {
            return Err(Error::Interrupted);
        }
        let packet = match format.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            // The file ends inside a packet: keep what came before it.
            Err(MediaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) if decoded > 0 => {
                if warnings == Warnings::Say {
                    eprintln!(
                        "paceback: warning: {}: the audio is damaged after {:.1} s ({}); using what came before",
                        path.display(),
                        handed as f64 / f64::from(WHISPER_RATE),
                        media(&e)
                    );
                }
                break;
            }
            Err(e) => return Err(bad(format!("the audio cannot be read ({})", media(&e)))),
        };
        if packet.track_id != track_id {
            continue;
        }
        let buf = match decoder.decode(&packet) {
            Ok(buf) => buf,
            Err(MediaError::DecodeError(_) | MediaError::IoError(_)) => {
                damaged += 1;
                continue;
            }
            Err(e) => return Err(bad(format!("the audio cannot be decoded ({})", media(&e)))),
        };
        let (rate, channels) = (buf.spec().rate(), buf.spec().channels().count());
        let (first_rate, first_channels, to_whisper) = match &mut input {
            Some(state) => state,
            None => {
                check_rate(rate).map_err(bad)?;
                check_channels(channels).map_err(bad)?;
                let to_whisper = ToWhisper::new(rate, channels as u16)?;
                input.insert((rate, channels, to_whisper))
            }
        };
        if (rate, channels) != (*first_rate, *first_channels) {
            return Err(bad(format!(
                "the audio changes from {first_rate} Hz, {first_channels} channel(s) to {rate} Hz, {channels} mid-file"
            )));
        }
        buf.copy_to_vec_interleaved::<f32>(&mut packet_buf);
        to_whisper.push(&packet_buf, &mut out)?;
        decoded += buf.frames() as u64;
        handed += out.len() as u64;
        sink(&out)?;
        out.clear();
        if handed > max_out {
            return Err(bad(format!(
                "the recording is longer than {} hours, the most paceback reads; cut it into answers",
                MAX_SECONDS / 3600
            )));
        }
    }
    let Some((_, _, mut to_whisper)) = input else {
        return Err(bad(if damaged > 0 {
            format!("the audio is damaged: none of its {damaged} packets could be decoded")
        } else {
            "the file holds no audio (zero length)".into()
        }));
    };
    to_whisper.finish(&mut out)?;
    handed += out.len() as u64;
    sink(&out)?;
    if damaged > 0 && warnings == Warnings::Say {
        eprintln!(
            "paceback: warning: {}: {damaged} damaged packet(s) skipped",
            path.display()
        );
    }
    Ok(handed)
}

fn check_rate(rate: u32) -> std::result::Result<(), String> {
    if RATES.contains(&rate) {
        Ok(())
    } else {
        Err(format!(
            "its header declares a sample rate of {rate} Hz; recordings are {}-{} kHz",
            RATES.start() / 1000,
            RATES.end() / 1000
        ))
    }
}

fn check_channels(channels: usize) -> std::result::Result<(), String> {
    if (1..=MAX_CHANNELS).contains(&channels) {
        Ok(())
    } else {
        Err(format!(
            "its header declares {channels} channels; paceback reads 1 to {MAX_CHANNELS}"
        ))
    }
}

/// symphonia's error in words a user can act on.
fn media(e: &MediaError) -> String {
    match e {
        MediaError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "it ends early: empty or truncated".into()
        }
        MediaError::IoError(io) => format!("read error: {io}"),
        MediaError::DecodeError(what) => format!("malformed: {what}"),
        MediaError::Unsupported(what) => format!("unsupported: {what}"),
        MediaError::LimitError(what) => format!("over a limit: {what}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hound::{SampleFormat, WavSpec, WavWriter};

    fn spec(channels: u16, rate: u32, bits: u16, format: SampleFormat) -> WavSpec {
        WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: bits,
            sample_format: format,
        }
    }

    /// A quarter-scale ramp on every channel at the given depth reads back as the same ramp.
    fn roundtrip_int(bits: u16, channels: u16) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.wav");
        let mut w =
            WavWriter::create(&path, spec(channels, 16_000, bits, SampleFormat::Int)).unwrap();
        let full = ((1i64 << (bits - 1)) - 1) as f64;
        let mut want = Vec::new();
        for i in 0..400 {
            let v = ((i as f64 / 400.0) - 0.5) * 0.5;
            for _ in 0..channels {
                let q = (v * full).round() as i32;
                match bits {
                    8 => w.write_sample(q as i8).unwrap(),
                    16 => w.write_sample(q as i16).unwrap(),
                    _ => w.write_sample(q).unwrap(),
                }
            }
            want.push(v as f32);
        }
        w.finalize().unwrap();
        let mono = read_audio(&path).unwrap();
        assert_eq!(mono.samples.len(), 400, "{bits}-bit x{channels}");
        let step = (2.0 / (1u64 << bits) as f32).max(1e-6) * 2.0;
        for (got, want) in mono.samples.iter().zip(&want) {
            assert!((got - want).abs() <= step, "{bits}-bit: {got} vs {want}");
        }
    }

    #[test]
    fn reads_every_integer_depth_and_layout() {
        for bits in [8, 16, 24, 32] {
            for channels in [1, 2, 6] {
                roundtrip_int(bits, channels);
            }
        }
    }

    fn write_f32(path: &Path, rate: u32, samples: &[f32]) {
        let mut w = WavWriter::create(path, spec(1, rate, 32, SampleFormat::Float)).unwrap();
        for s in samples {
            w.write_sample(*s).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn reads_float32_and_resamples_to_16k() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.wav");
        write_f32(&path, 48_000, &vec![0.25; 48_000]);
        let mono = read_audio(&path).unwrap();
        assert_eq!(mono.rate, 16_000);
        assert_eq!(mono.samples.len(), 16_000);
        assert!((mono.samples[8_000] - 0.25).abs() < 0.01);
    }

    #[test]
    fn non_finite_and_huge_samples_are_cleaned_at_any_rate() {
        let dir = tempfile::tempdir().unwrap();
        for rate in [16_000, 44_100] {
            let path = dir.path().join(format!("nan{rate}.wav"));
            let mut samples = vec![0.1f32; rate as usize];
            samples[10] = f32::NAN;
            samples[20] = f32::INFINITY;
            samples[30] = -1000.0;
            write_f32(&path, rate, &samples);
            let mono = read_audio(&path).unwrap();
            assert!(mono.samples.iter().all(|s| s.is_finite() && s.abs() <= 1.1));
            assert_eq!(mono.samples.len(), 16_000);
        }
    }

    fn reason(path: &Path) -> String {
        match read_audio(path) {
            Err(Error::BadInput { reason, .. }) => reason,
            other => panic!("expected BadInput, got {other:?}"),
        }
    }

    #[test]
    fn not_audio_names_the_formats_that_work() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.wav");
        std::fs::write(
            &path,
            b"these are my notes, not audio, but long enough to hold a header",
        )
        .unwrap();
        let r = reason(&path);
        assert!(r.contains("not an audio file") && r.contains("FLAC"), "{r}");
    }

    #[test]
    fn empty_and_zero_length_files_are_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.wav");
        std::fs::write(&empty, b"").unwrap();
        assert!(reason(&empty).contains("empty"), "{}", reason(&empty));
        let zero = dir.path().join("zero.wav");
        WavWriter::create(&zero, spec(1, 16_000, 16, SampleFormat::Int))
            .unwrap()
            .finalize()
            .unwrap();
        assert!(reason(&zero).contains("no audio"), "{}", reason(&zero));
    }

    #[test]
    fn a_truncated_file_keeps_the_audio_it_has() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.wav");
        let mut w = WavWriter::create(&path, spec(1, 16_000, 16, SampleFormat::Int)).unwrap();
        for i in 0..32_000 {
            w.write_sample((i % 100) as i16).unwrap();
        }
        w.finalize().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let mono = read_audio(&path).unwrap();
        let kept = mono.samples.len();
        assert!((15_000..=16_100).contains(&kept), "{kept} samples kept");
    }

    /// A valid 16-bit header whose rate field says `rate`, holding `n` bytes of data.
    fn wav_with_rate(rate: u32, data_len: u32, declared_len: u32) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(b"RIFF");
        v.extend_from_slice(&(36 + declared_len).to_le_bytes());
        v.extend_from_slice(b"WAVEfmt ");
        v.extend_from_slice(&16u32.to_le_bytes());
        v.extend_from_slice(&1u16.to_le_bytes()); // PCM
        v.extend_from_slice(&1u16.to_le_bytes()); // mono
        v.extend_from_slice(&rate.to_le_bytes());
        v.extend_from_slice(&rate.wrapping_mul(2).to_le_bytes());
        v.extend_from_slice(&2u16.to_le_bytes());
        v.extend_from_slice(&16u16.to_le_bytes());
        v.extend_from_slice(b"data");
        v.extend_from_slice(&declared_len.to_le_bytes());
        v.extend((0..data_len).map(|i| (i % 7) as u8));
        v
    }

    #[test]
    fn implausible_sample_rates_are_refused_before_decoding() {
        let dir = tempfile::tempdir().unwrap();
        for rate in [1, 3_999, 384_001, 1_000_000_000] {
            let path = dir.path().join(format!("r{rate}.wav"));
            std::fs::write(&path, wav_with_rate(rate, 48_000, 48_000)).unwrap();
            let r = reason(&path);
            assert!(
                r.contains("sample rate") && r.contains(&rate.to_string()),
                "{r}"
            );
        }
    }

    #[test]
    fn a_header_declaring_billions_of_samples_allocates_only_what_the_file_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("liar.wav");
        std::fs::write(&path, wav_with_rate(16_000, 24_000, u32::MAX - 64)).unwrap();
        let mono = read_audio(&path).unwrap();
        assert_eq!(mono.samples.len(), 12_000);
        assert!(mono.samples.capacity() < 1_000_000);
    }

    #[test]
    fn a_padded_odd_sized_chunk_is_read() {
        // A chunk of odd size followed by its pad byte, before the data chunk.
        let mut v = wav_with_rate(16_000, 3_200, 3_200);
        let data_at = v.windows(4).position(|w| w == b"data").unwrap();
        let mut list = b"junk".to_vec();
        list.extend_from_slice(&5u32.to_le_bytes());
        list.extend_from_slice(b"abcde\0");
        v.splice(data_at..data_at, list);
        let riff_len = (v.len() - 8) as u32;
        v[4..8].copy_from_slice(&riff_len.to_le_bytes());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("odd.wav");
        std::fs::write(&path, v).unwrap();
        assert_eq!(read_audio(&path).unwrap().samples.len(), 1_600);
    }

    #[test]
    fn missing_file_is_bad_input() {
        assert_eq!(reason(Path::new("/nonexistent/answer.wav")), "no such file");
    }

    #[test]
    fn files_that_made_the_decoder_panic_under_fuzzing_are_bad_input_or_audio() {
        // found by `cargo fuzz run audio_file` (overflow checks on): kept in its corpus
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/audio_file");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if !path.to_string_lossy().contains("regression-") {
                continue;
            }
            seen += 1;
            match read_audio_bytes(std::fs::read(&path).unwrap()) {
                Ok(mono) => assert!(mono.samples.iter().all(|s| s.is_finite())),
                Err(e) => assert_eq!(e.exit_code(), 2, "{}: {e}", path.display()),
            }
        }
        assert!(seen >= 4, "the regression files are missing");
    }
}
