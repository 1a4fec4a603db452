//! A take on disk: the microphone's audio written as it arrives, so nothing recorded is lost.
//!
//! Saved as 16 kHz mono 16-bit PCM: what the speech model uses, and 11.5 MB for six minutes
//! (a microphone's native 48 kHz stereo float would be 140 MB per take). The WAV header is
//! rewritten (hound's `flush`) after every second of audio, so a crash or `kill -9` loses at most
//! the last second; an I/O error (a full disk) stops the take and keeps what was written.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{ToWhisper, WHISPER_RATE};

/// How often the header is rewritten, in output samples (1 s).
const FLUSH_EVERY: u64 = WHISPER_RATE as u64;

pub struct TakeWriter {
    path: PathBuf,
    writer: Option<hound::WavWriter<BufWriter<File>>>,
    input: ToWhisper,
    out: Vec<f32>,
    written: u64,
    flushed: u64,
}

impl TakeWriter {
    /// Start a take at `path` for audio arriving at `rate` Hz with `channels` channels.
    pub fn create(path: &Path, rate: u32, channels: u16) -> anyhow::Result<TakeWriter> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: WHISPER_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let writer = hound::WavWriter::create(path, spec)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(TakeWriter {
            path: path.to_path_buf(),
            writer: Some(writer),
            input: ToWhisper::new(rate, channels)?,
            out: Vec::new(),
            written: 0,
            flushed: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Seconds of audio on disk (or about to be).
    pub fn seconds(&self) -> f64 {
        self.written as f64 / f64::from(WHISPER_RATE)
    }

    /// Add interleaved audio; returns the 16 kHz mono samples it became (for live transcription)
    /// and the seconds recorded so far. An error means the disk refused the data: the take
    /// should stop.
    pub fn push(&mut self, interleaved: &[f32]) -> anyhow::Result<(&[f32], f64)> {
        self.out.clear();
        self.input.push(interleaved, &mut self.out)?;
        self.write_out()?;
        Ok((&self.out, self.seconds()))
    }

    fn write_out(&mut self) -> anyhow::Result<()> {
        let writer = self.writer.as_mut().context("the take is closed")?;
        let failed = || format!("cannot write to {}", self.path.display());
        // A second at a time, however much arrives at once (a busy machine catching up).
        for s in &self.out {
            writer
                .write_sample((s * f32::from(i16::MAX)).round() as i16)
                .with_context(failed)?;
            self.written += 1;
            if self.written - self.flushed >= FLUSH_EVERY {
                writer.flush().with_context(failed)?;
                self.flushed = self.written;
            }
        }
        Ok(())
    }

    /// Write the resampler's tail and finalize the header. Returns the seconds saved.
    pub fn finish(mut self) -> anyhow::Result<f64> {
        self.out.clear();
        let tail = self.input.finish(&mut self.out);
        let wrote = tail.and_then(|()| self.write_out());
        let writer = self.writer.take().context("the take is closed")?;
        writer
            .finalize()
            .with_context(|| format!("cannot finish {}", self.path.display()))?;
        wrote?;
        Ok(self.seconds())
    }

    /// Close after a write error, keeping every sample that reached the disk: the header is
    /// made to cover them (it needs no new space). Returns the seconds kept.
    pub fn abandon(mut self) -> f64 {
        drop(self.writer.take());
        let samples = cover_written_samples(&self.path).unwrap_or(self.flushed);
        samples as f64 / f64::from(WHISPER_RATE)
    }
}

/// Make a 16-bit mono WAV's header count every whole sample in the file; returns the count.
fn cover_written_samples(path: &Path) -> std::io::Result<u64> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)?;
    let mut head = [0u8; 128];
    let n = f.read(&mut head)?;
    let data = head[..n]
        .windows(4)
        .position(|w| w == b"data")
        .ok_or_else(|| std::io::Error::other("no data chunk"))? as u64;
    let start = data + 8;
    let bytes = f.metadata()?.len().saturating_sub(start) / 2 * 2;
    let riff = u32::try_from(start - 8 + bytes).map_err(std::io::Error::other)?;
    f.seek(SeekFrom::Start(4))?;
    f.write_all(&riff.to_le_bytes())?;
    f.seek(SeekFrom::Start(data + 4))?;
    f.write_all(&(bytes as u32).to_le_bytes())?;
    f.set_len(start + bytes)?;
    f.sync_all()?;
    Ok(bytes / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_take_is_16k_mono_of_the_right_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.wav");
        let mut take = TakeWriter::create(&path, 48_000, 2).unwrap();
        let stereo: Vec<f32> = (0..48_000 * 2 * 2)
            .map(|i| if i % 2 == 0 { 0.5 } else { -0.1 } * ((i / 2) as f32 * 0.02).sin())
            .collect();
        let mut live = 0;
        for piece in stereo.chunks(960 * 2) {
            live += take.push(piece).unwrap().0.len();
        }
        assert!((take.finish().unwrap() - 2.0).abs() < 1e-9);
        let r = hound::WavReader::open(&path).unwrap();
        assert_eq!(
            (
                r.spec().sample_rate,
                r.spec().channels,
                r.spec().bits_per_sample
            ),
            (16_000, 1, 16)
        );
        assert_eq!(r.len(), 32_000);
        assert!(live >= 31_000, "live samples {live}");
    }

    #[test]
    fn after_a_write_error_the_header_covers_every_sample_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.wav");
        let mut take = TakeWriter::create(&path, 16_000, 1).unwrap();
        take.push(&vec![0.1; 16_000]).unwrap(); // header flushed at 16,000
        // The writer dies with the error (no finalize); 4,000 more samples had reached the
        // disk, and half of one more when it filled up.
        std::mem::forget(take.writer.take());
        {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .unwrap();
            f.write_all(&[0x10; 8_001]).unwrap();
        }
        let kept = take.abandon();
        assert!((kept - 1.25).abs() < 1e-9, "kept {kept} s");
        let r = hound::WavReader::open(&path).unwrap();
        assert_eq!(r.len(), 20_000);
        assert_eq!(
            r.into_samples::<i16>().filter(|s| s.is_ok()).count(),
            20_000
        );
    }

    #[test]
    fn an_unfinished_take_is_readable_up_to_the_last_flush() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.wav");
        let mut take = TakeWriter::create(&path, 16_000, 1).unwrap();
        take.push(&vec![0.1; 40_000]).unwrap(); // 2.5 s
        // simulate a crash: the process dies without finishing
        std::mem::forget(take);
        let r = hound::WavReader::open(&path).unwrap();
        let n = r.len();
        assert!(n >= 32_000, "only {n} samples readable after a crash");
        let samples: Vec<i16> = r.into_samples().map(|s| s.unwrap()).collect();
        assert_eq!(samples.len() as u32, n);
    }
}
