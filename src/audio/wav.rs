//! Reading WAV files of every PCM flavour hound knows: 8/16/24/32-bit integer and 32-bit float,
//! any rate, any channel count. Errors name the file and what is wrong with it.

use std::path::Path;

use crate::error::{Error, Result};

/// Interleaved samples scaled to [-1, 1], as stored in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Pcm {
    pub rate: u32,
    pub channels: u16,
    pub samples: Vec<f32>,
}

impl Pcm {
    pub fn frames(&self) -> usize {
        self.samples.len() / usize::from(self.channels.max(1))
    }

    pub fn duration_s(&self) -> f64 {
        self.frames() as f64 / f64::from(self.rate)
    }
}

/// Read a whole WAV file. Not a WAV, an unsupported encoding, a truncated data chunk or no audio
/// at all are [`Error::BadInput`] naming the path.
pub fn read_wav(path: &Path) -> Result<Pcm> {
    let reader = hound::WavReader::open(path).map_err(|e| describe(path, e))?;
    let spec = reader.spec();
    if spec.channels == 0 || spec.sample_rate == 0 {
        return Err(Error::bad_input(
            path,
            "the WAV header declares no channels or a zero sample rate",
        ));
    }
    let declared = reader.len() as usize;
    let samples: Vec<f32> = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, 32) => {
            collect(path, reader.into_samples::<f32>(), declared, |s| s)?
        }
        (hound::SampleFormat::Int, bits @ (8 | 16 | 24 | 32)) => {
            let scale = 1.0 / (1u64 << (bits - 1)) as f32;
            collect(path, reader.into_samples::<i32>(), declared, |s| {
                s as f32 * scale
            })?
        }
        (format, bits) => {
            return Err(Error::bad_input(
                path,
                format!(
                    "unsupported WAV encoding ({bits}-bit {format:?}); use 8/16/24/32-bit PCM or 32-bit float"
                ),
            ));
        }
    };
    if samples.is_empty() {
        return Err(Error::bad_input(
            path,
            "the WAV file holds no audio (zero length)",
        ));
    }
    Ok(Pcm {
        rate: spec.sample_rate,
        channels: spec.channels,
        samples,
    })
}

fn collect<S, I>(
    path: &Path,
    iter: I,
    declared: usize,
    convert: impl Fn(S) -> f32,
) -> Result<Vec<f32>>
where
    I: Iterator<Item = hound::Result<S>>,
{
    let mut out = Vec::with_capacity(declared);
    for sample in iter {
        match sample {
            Ok(s) => out.push(convert(s)),
            Err(hound::Error::IoError(e)) if is_short_read(&e) => {
                return Err(Error::bad_input(
                    path,
                    format!(
                        "the WAV file is truncated: its header promises {declared} samples but only {} are present",
                        out.len()
                    ),
                ));
            }
            Err(e) => return Err(describe(path, e)),
        }
    }
    Ok(out)
}

/// hound reports a file that ends early either as `UnexpectedEof` or as `Other` with this text.
fn is_short_read(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::UnexpectedEof || e.to_string() == "Failed to read enough bytes."
}

fn describe(path: &Path, e: hound::Error) -> Error {
    let reason = match e {
        hound::Error::IoError(io) if io.kind() == std::io::ErrorKind::NotFound => {
            "no such file".to_string()
        }
        hound::Error::IoError(io) if is_short_read(&io) => {
            "the file ends before its WAV header does (empty or truncated)".to_string()
        }
        hound::Error::IoError(io) => format!("cannot read: {io}"),
        hound::Error::FormatError(what) => format!("not a valid WAV file ({what})"),
        hound::Error::Unsupported => {
            "unsupported WAV variant; use PCM integer or 32-bit float".to_string()
        }
        other => format!("not a usable WAV file ({other})"),
    };
    Error::bad_input(path, reason)
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

    /// A quarter-scale ramp per channel written at the given depth reads back within one step.
    fn roundtrip_int(bits: u16, channels: u16) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.wav");
        let mut w =
            WavWriter::create(&path, spec(channels, 22_050, bits, SampleFormat::Int)).unwrap();
        let full = ((1i64 << (bits - 1)) - 1) as f64;
        let mut want = Vec::new();
        for i in 0..200 {
            for c in 0..channels {
                let v = ((i as f64 / 200.0) - 0.5) * 0.5 * if c % 2 == 0 { 1.0 } else { -1.0 };
                let q = (v * full).round() as i32;
                match bits {
                    8 => w.write_sample(q as i8).unwrap(),
                    16 => w.write_sample(q as i16).unwrap(),
                    _ => w.write_sample(q).unwrap(),
                }
                want.push(v as f32);
            }
        }
        w.finalize().unwrap();
        let pcm = read_wav(&path).unwrap();
        assert_eq!(
            (pcm.rate, pcm.channels, pcm.frames()),
            (22_050, channels, 200)
        );
        // one quantization step, or f32's own precision for 32-bit
        let step = (2.0 / (1u64 << bits) as f32).max(1e-6);
        for (got, want) in pcm.samples.iter().zip(&want) {
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

    #[test]
    fn reads_float32() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.wav");
        let mut w = WavWriter::create(&path, spec(2, 48_000, 32, SampleFormat::Float)).unwrap();
        for s in [0.25f32, -0.5, 1.0, -1.0] {
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
        let pcm = read_wav(&path).unwrap();
        assert_eq!(pcm.samples, vec![0.25, -0.5, 1.0, -1.0]);
        assert_eq!(pcm.duration_s(), 2.0 / 48_000.0);
    }

    fn reason(path: &Path) -> String {
        match read_wav(path) {
            Err(Error::BadInput { reason, .. }) => reason,
            other => panic!("expected BadInput, got {other:?}"),
        }
    }

    #[test]
    fn not_a_wav_is_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.wav");
        std::fs::write(
            &path,
            b"these are my notes, not audio, but long enough to hold a header",
        )
        .unwrap();
        assert!(
            reason(&path).contains("not a valid WAV"),
            "{}",
            reason(&path)
        );
    }

    #[test]
    fn empty_file_is_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.wav");
        std::fs::write(&path, b"").unwrap();
        assert!(
            reason(&path).contains("empty or truncated"),
            "{}",
            reason(&path)
        );
    }

    #[test]
    fn zero_length_audio_is_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zero.wav");
        WavWriter::create(&path, spec(1, 16_000, 16, SampleFormat::Int))
            .unwrap()
            .finalize()
            .unwrap();
        assert!(reason(&path).contains("no audio"), "{}", reason(&path));
    }

    #[test]
    fn truncated_data_is_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.wav");
        let mut w = WavWriter::create(&path, spec(1, 16_000, 16, SampleFormat::Int)).unwrap();
        for i in 0..16_000 {
            w.write_sample((i % 100) as i16).unwrap();
        }
        w.finalize().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(reason(&path).contains("truncated"), "{}", reason(&path));
    }

    #[test]
    fn missing_file_is_bad_input() {
        assert_eq!(reason(Path::new("/nonexistent/answer.wav")), "no such file");
    }
}
