//! Hearing a take back in its report: the take's recording for the page's player (inside the
//! page as a `data:` URI, so the one HTML file can be mailed to a coach, or linked for long
//! takes) and where the fillers, hedges and long pauses were. Nothing here fails: a take whose
//! recording is missing or unreadable gets a page without a player and a note saying why.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use base64::Engine;

use crate::analysis::delivery::{self, Mark};
use crate::analysis::{Analysis, Lexicon, method};
use crate::audio::WHISPER_RATE;
use crate::history::TakeRecord;
use crate::home::Home;
use crate::transcript::Word;

/// Recordings longer than this are linked, not embedded (20 minutes: 38 MB of 16 kHz 16-bit
/// audio, 51 MB once base64-encoded).
pub const EMBED_UP_TO_S: f64 = 20.0 * 60.0;

/// Bytes a second of 16 kHz mono 16-bit audio takes.
const BYTES_PER_S: f64 = WHISPER_RATE as f64 * 2.0;

/// The recording as the page gets it.
#[derive(Debug, Clone, PartialEq)]
pub enum Audio {
    /// A `data:audio/wav;base64,…` URI of 16 kHz mono 16-bit audio.
    Embedded { uri: String },
    /// A `file://` URI of the take's WAV, and why the page links instead of embedding.
    Linked { uri: String, note: String },
    /// No player, and why.
    Missing { note: String },
}

/// What the take page needs beyond the analysis to replay the take.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    pub audio: Audio,
    /// Fillers, hedges and long pauses, by index into the analysis' words.
    pub marks: Vec<Mark>,
}

impl Replay {
    /// The replay of a saved take: its recording from the history's recordings folder (linked
    /// when `link` is set or it is longer than [`EMBED_UP_TO_S`]) and the delivery marks read
    /// with `lex`.
    pub fn for_take(
        home: &Home,
        rec: &TakeRecord,
        a: &Analysis,
        lex: &Lexicon,
        link: bool,
    ) -> Replay {
        let wav = rec
            .audio
            .as_ref()
            .filter(|_| rec.check_names().is_ok())
            .map(|name| home.recordings_dir().join(name));
        Replay {
            audio: audio(wav.as_deref(), rec.duration_s, link),
            marks: marks(a, lex),
        }
    }

    /// The user's cue lexicon for the marks, the built-in one when theirs cannot be read.
    pub fn lexicon(home: &Home) -> Lexicon {
        Lexicon::load(&home.cues_file()).unwrap_or_else(|_| Lexicon::builtin())
    }
}

/// The delivery marks of an analysis' words.
pub fn marks(a: &Analysis, lex: &Lexicon) -> Vec<Mark> {
    let words: Vec<Word> = a
        .words
        .iter()
        .map(|w| Word::new(w.w.clone(), w.start_s, w.end_s))
        .collect();
    delivery::marks(&words, lex, method::METHOD.long_pause_s)
}

/// The recording at `wav` (`None`: the take kept none) of `duration_s` seconds for the page.
pub fn audio(wav: Option<&Path>, duration_s: f64, link: bool) -> Audio {
    let Some(wav) = wav else {
        return Audio::Missing {
            note: "This take has no recording (it was analyzed from a transcript), so there is no player.".into(),
        };
    };
    if !wav.is_file() {
        return Audio::Missing {
            note: format!(
                "The recording {} is missing, so there is no player.",
                wav.display()
            ),
        };
    }
    let linked = |note: String| Audio::Linked {
        uri: file_uri(wav),
        note,
    };
    if link {
        return linked(format!(
            "The player plays {} on this computer: the recording is not inside this page.",
            wav.display()
        ));
    }
    let too_long = |secs: f64| {
        linked(format!(
            "The recording is {:.0} minutes long, over the {:.0} minutes a page holds, so the player plays {} on this computer and the page alone has no sound.",
            secs / 60.0,
            EMBED_UP_TO_S / 60.0,
            wav.display()
        ))
    };
    // The take's length, or what the WAV's header says if that is longer (read before the
    // whole file is).
    let declared = hound::WavReader::open(wav)
        .map(|r| f64::from(r.duration()) / f64::from(r.spec().sample_rate.max(1)))
        .unwrap_or(0.0);
    if duration_s.max(declared) > EMBED_UP_TO_S {
        return too_long(duration_s.max(declared));
    }
    match speech_wav(wav) {
        Ok(bytes) if bytes.len() as f64 > EMBED_UP_TO_S * BYTES_PER_S => {
            too_long(bytes.len() as f64 / BYTES_PER_S)
        }
        Ok(bytes) => Audio::Embedded {
            uri: format!(
                "data:audio/wav;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            ),
        },
        Err(e) => Audio::Missing {
            note: format!(
                "The recording {} cannot be read ({e:#}), so there is no player.",
                wav.display()
            ),
        },
    }
}

/// The WAV's bytes as 16 kHz mono 16-bit PCM: as they are when it already is (what `practice`
/// records), else decoded and re-encoded.
fn speech_wav(path: &Path) -> anyhow::Result<Vec<u8>> {
    let spec = hound::WavReader::open(path).map(|r| r.spec()).ok();
    if spec.is_some_and(|s| {
        s.channels == 1
            && s.sample_rate == WHISPER_RATE
            && s.bits_per_sample == 16
            && s.sample_format == hound::SampleFormat::Int
    }) {
        return Ok(std::fs::read(path)?);
    }
    let mono = crate::audio::read_audio(path)?;
    let mut out = Cursor::new(Vec::with_capacity(mono.samples.len() * 2 + 44));
    let mut w = hound::WavWriter::new(
        &mut out,
        hound::WavSpec {
            channels: 1,
            sample_rate: mono.rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        },
    )?;
    for s in &mono.samples {
        w.write_sample((s.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16)?;
    }
    w.finalize()?;
    Ok(out.into_inner())
}

/// A `file://` URI of `path` (made absolute), with everything but unreserved characters and
/// `/` percent-encoded.
pub fn file_uri(path: &Path) -> String {
    let abs: PathBuf = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(path: &Path, rate: u32, channels: u16, seconds: f64) {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for i in 0..(seconds * f64::from(rate)) as usize * usize::from(channels) {
            w.write_sample((i as f32 * 0.01).sin() * 0.5).unwrap();
        }
        w.finalize().unwrap();
    }

    fn embedded_wav(a: &Audio) -> hound::WavReader<Cursor<Vec<u8>>> {
        let Audio::Embedded { uri } = a else {
            panic!("not embedded: {a:?}")
        };
        let b64 = uri.strip_prefix("data:audio/wav;base64,").unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        hound::WavReader::new(Cursor::new(bytes)).unwrap()
    }

    #[test]
    fn any_wav_is_embedded_as_16_khz_mono_16_bit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("take.wav");
        wav(&path, 48_000, 2, 1.5);
        let r = embedded_wav(&audio(Some(&path), 1.5, false));
        let s = r.spec();
        assert_eq!(
            (s.sample_rate, s.channels, s.bits_per_sample),
            (16_000, 1, 16)
        );
        let secs = f64::from(r.duration()) / 16_000.0;
        assert!((secs - 1.5).abs() < 0.01, "{secs}");
    }

    #[test]
    fn long_or_asked_for_takes_are_linked_and_missing_ones_have_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("my take #1.wav");
        wav(&path, 16_000, 1, 0.2);
        let long = dir.path().join("long.wav");
        wav(&long, 4_000, 1, EMBED_UP_TO_S + 1.0);
        for (path, secs, link) in [
            (&path, 0.2, true),
            (&path, EMBED_UP_TO_S + 1.0, false),
            (&long, 0.2, false),
        ] {
            let Audio::Linked { uri, note } = audio(Some(path), secs, link) else {
                panic!("not linked")
            };
            assert!(uri.starts_with("file:///"), "{uri}");
            assert!(
                uri.ends_with("/my%20take%20%231.wav") || uri.ends_with("/long.wav"),
                "{uri}"
            );
            assert!(note.contains("this computer"), "{note}");
        }
        assert!(matches!(audio(None, 1.0, false), Audio::Missing { .. }));
        let gone = dir.path().join("gone.wav");
        assert!(
            matches!(audio(Some(&gone), 1.0, false), Audio::Missing { note } if note.contains("missing"))
        );
        std::fs::write(&gone, "RIFF but not audio").unwrap();
        assert!(
            matches!(audio(Some(&gone), 1.0, false), Audio::Missing { note } if note.contains("cannot be read"))
        );
    }
}
