//! End to end with the real speech model on real audio: a real human voice, synthesized answers
//! with known words and step boundaries, every WAV flavour, silence, a long answer, Ctrl-C.
//! Needs the model (`models/ggml-tiny.en-q8_0.bin` or `$PACEBACK_MODEL`), python3, sox and
//! libespeak-ng (scripts/test.sh installs and fetches them).

mod common;

use std::path::{Path, PathBuf};

use common::{json, model, paceback, repo, shared, sox, synth, vad_model, wer};

/// whisper.cpp's threads spin at barriers: two transcriptions at once on a small machine slow
/// each other down by orders of magnitude, so the tests that run the model take turns.
static MODEL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn model_turn() -> std::sync::MutexGuard<'static, ()> {
    MODEL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The transcript JSON; a recording without speech exits 1 but still prints it.
/// As installed by `model fetch`: the voice-activity model beside the speech model.
fn transcribe_json(home: &Path, wav: &Path) -> serde_json::Value {
    let out = paceback(home)
        .env("PACEBACK_VAD_MODEL", vad_model())
        .arg("transcribe")
        .arg(wav)
        .arg("--json")
        .arg("--model")
        .arg(model())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("whisper_"),
        "whisper.cpp's log reached stderr: {stderr}"
    );
    let t = json(&out.stdout);
    let no_speech = t["words"].as_array().is_some_and(|w| w.is_empty());
    assert_eq!(
        out.status.code(),
        Some(if no_speech { 1 } else { 0 }),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t
}

fn normalized(words: &serde_json::Value) -> Vec<String> {
    words
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            w["w"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

#[test]
fn a_real_voice_is_transcribed() {
    let _turn = model_turn();
    let Some(shared) = shared("a_real_voice_is_transcribed") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let t = transcribe_json(home.path(), &shared.join("samples/jfk.wav"));
    let text = normalized(&t["words"]).join(" ");
    assert!(
        text.contains("ask not what your country can do for you"),
        "{text}"
    );
    assert_eq!(t["schema"], "paceback.transcript/1");
    assert!((t["duration_s"].as_f64().unwrap() - 11.0).abs() < 0.1);
}

#[test]
fn a_synthesized_answer_has_low_wer_and_accurate_word_starts() {
    let _turn = model_turn();
    let home = tempfile::tempdir().unwrap();
    let manifest = repo().join("samples/demo.json");
    let t = transcribe_json(home.path(), &repo().join("samples/demo.wav"));
    let hyp = home.path().join("demo.transcript.json");
    std::fs::write(&hyp, t.to_string()).unwrap();
    let w = wer(&manifest, &hyp);
    assert!(w <= 0.10, "WER {w:.3} > 10%");

    // Word starts against the truth: align equal words in order (LCS) and compare their starts.
    let truth = json(&std::fs::read(&manifest).unwrap());
    let (tw, hw) = (normalized(&truth["words"]), normalized(&t["words"]));
    let starts = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|w| w["w"].as_str().unwrap().chars().any(char::is_alphanumeric))
            .map(|w| w["start_s"].as_f64().unwrap())
            .collect()
    };
    let (ts, hs) = (starts(&truth["words"]), starts(&t["words"]));
    let mut lcs = vec![vec![0u32; hw.len() + 1]; tw.len() + 1];
    for i in (0..tw.len()).rev() {
        for j in (0..hw.len()).rev() {
            lcs[i][j] = if tw[i] == hw[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut errors) = (0, 0, Vec::new());
    while i < tw.len() && j < hw.len() {
        if tw[i] == hw[j] {
            errors.push((hs[j] - ts[i]).abs());
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    errors.sort_by(f64::total_cmp);
    let within = errors.iter().filter(|e| **e <= 0.5).count() as f64 / errors.len() as f64;
    let median = errors[errors.len() / 2];
    eprintln!(
        "{} words aligned; median start error {median:.3} s; within 0.5 s: {:.1}%",
        errors.len(),
        within * 100.0
    );
    assert!(errors.len() > 200);
    assert!(
        within >= 0.98,
        "only {:.1}% of word starts within 0.5 s",
        within * 100.0
    );
    assert!(median <= 0.15, "median start error {median:.3} s");
    // the think pause is not absorbed into the first word
    let first = t["words"][0]["start_s"].as_f64().unwrap();
    let truth_first = truth["think_pause_s"].as_f64().unwrap();
    assert!(
        (first - truth_first).abs() <= 0.3,
        "first word at {first}, truth {truth_first}"
    );
}

/// A natural voice (Piper) with two known pauses, 1.2 s and 2.4 s, between three sentences
/// (tests/fixtures/pauses.json; made by scripts/bench_pauses.py --fixture). DTW put each full stop
/// after the pause, so the word before it swallowed the pause ("five." lasting 1.5 s).
#[test]
fn a_pause_after_a_sentence_is_not_swallowed_by_its_last_word() {
    let _turn = model_turn();
    let home = tempfile::tempdir().unwrap();
    let truth_path = repo().join("tests/fixtures/pauses.json");
    let t = transcribe_json(home.path(), &repo().join("tests/fixtures/pauses.wav"));
    assert_pauses_between_words(&t, &truth_path);
    let hyp = home.path().join("pauses.transcript.json");
    std::fs::write(&hyp, t.to_string()).unwrap();
    let w = wer(&truth_path, &hyp);
    assert!(w <= 0.10, "WER {w:.3}");
}

/// The same answer in room noise at -35 dBFS, where a sentence's final "s" lies under the noise
/// and the sound level alone ends the speech before it: the voice-activity detector finds the
/// pauses where they were.
#[test]
fn pauses_are_found_where_they_were_in_room_noise() {
    let _turn = model_turn();
    let home = tempfile::tempdir().unwrap();
    let noisy = home.path().join("noisy.wav");
    with_room_noise(&repo().join("tests/fixtures/pauses.wav"), &noisy, -35.0);
    let t = transcribe_json(home.path(), &noisy);
    assert_pauses_between_words(&t, &repo().join("tests/fixtures/pauses.json"));
}

/// The fixture's 2.4 s pause stretched to 4.0 s in the middle of the answer, in -35 dBFS room
/// noise: `analyze` counts one long pause (the 1.2 s one is not long), and the pause time its
/// two paces imply (answer time minus speaking time) is the true 5.2 s within 10%.
#[test]
fn a_four_second_pause_mid_answer_is_one_long_pause_and_pace_excludes_it() {
    let _turn = model_turn();
    let home = tempfile::tempdir().unwrap();
    let long = home.path().join("long_pause.wav");
    let noisy = home.path().join("long_pause_noisy.wav");
    let fixture = repo().join("tests/fixtures/pauses.wav");
    // 1.6 s more silence at 6.0 s, inside the 4.87-7.27 s pause.
    sox(&[
        fixture.to_str().unwrap(),
        long.to_str().unwrap(),
        "pad",
        "1.6@6.0",
    ]);
    with_room_noise(&long, &noisy, -35.0);
    let a = common::output_json(
        paceback(home.path())
            .env("PACEBACK_VAD_MODEL", vad_model())
            .args(["analyze", "--json", "--no-save", "--model"])
            .arg(model())
            .arg(&noisy),
    );
    let d = &a["delivery"];
    assert_eq!(d["long_pauses"], 1, "{d}");
    let words = a["words"].as_array().unwrap();
    let n = words.len() as f64;
    let answer_s = n / d["wpm"].as_f64().unwrap() * 60.0;
    let speaking_s = n / d["wpm_excluding_pauses"].as_f64().unwrap() * 60.0;
    let truth = json(&std::fs::read(repo().join("tests/fixtures/pauses.json")).unwrap());
    let true_pause_s: f64 = truth["pauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["end_s"].as_f64().unwrap() - p["start_s"].as_f64().unwrap())
        .sum::<f64>()
        + 1.6;
    let measured = answer_s - speaking_s;
    assert!(
        (measured - true_pause_s).abs() <= 0.1 * true_pause_s,
        "pauses {measured:.2} s, true {true_pause_s:.2} s"
    );
}

/// Every true pause lies between two consecutive words (both ends within 0.2 s), and no word
/// spans one.
fn assert_pauses_between_words(t: &serde_json::Value, truth_path: &Path) {
    let truth = json(&std::fs::read(truth_path).unwrap());
    let times: Vec<(f64, f64)> = t["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["start_s"].as_f64().unwrap(), w["end_s"].as_f64().unwrap()))
        .collect();
    for p in truth["pauses"].as_array().unwrap() {
        let (a, b) = (p["start_s"].as_f64().unwrap(), p["end_s"].as_f64().unwrap());
        assert!(
            times
                .windows(2)
                .any(|w| (w[0].1 - a).abs() <= 0.2 && (w[1].0 - b).abs() <= 0.2),
            "the pause {a}-{b} s is not between two words (within 0.2 s): {}",
            t["words"]
        );
        assert!(
            !times.iter().any(|(s, e)| *s < a + 0.2 && *e > b - 0.2),
            "a word spans the pause {a}-{b} s: {}",
            t["words"]
        );
    }
}

/// `wav` (16-bit) with pink room noise (Kellet's filter, fixed seed) at `dbfs` RMS added.
fn with_room_noise(wav: &Path, out: &Path, dbfs: f64) {
    let mut reader = hound::WavReader::open(wav).unwrap();
    let spec = reader.spec();
    let clean: Vec<f64> = reader
        .samples::<i16>()
        .map(|s| f64::from(s.unwrap()) / 32768.0)
        .collect();
    let mut rng = fastrand::Rng::with_seed(35);
    let (mut b0, mut b1, mut b2) = (0.0, 0.0, 0.0);
    let pink: Vec<f64> = (0..clean.len())
        .map(|_| {
            let white = rng.f64() * 2.0 - 1.0;
            b0 = 0.99765 * b0 + white * 0.099_046;
            b1 = 0.963 * b1 + white * 0.296_516_4;
            b2 = 0.57 * b2 + white * 1.052_691_3;
            b0 + b1 + b2 + white * 0.1848
        })
        .collect();
    let rms = (pink.iter().map(|x| x * x).sum::<f64>() / pink.len() as f64).sqrt();
    let gain = 10f64.powf(dbfs / 20.0) / rms;
    let mut writer = hound::WavWriter::create(out, spec).unwrap();
    for (c, n) in clean.iter().zip(&pink) {
        let v = ((c + n * gain) * 32768.0).round().clamp(-32768.0, 32767.0);
        writer.write_sample(v as i16).unwrap();
    }
    writer.finalize().unwrap();
}

/// The demo answer's first `seconds` in `dir`, and its transcript (the reference others are
/// compared with).
fn demo_clip(dir: &Path, seconds: u32) -> (PathBuf, PathBuf) {
    let (clip, reference) = (dir.join("clip.wav"), dir.join("reference.json"));
    let demo = repo().join("samples/demo.wav");
    let length = seconds.to_string();
    sox(&[
        demo.to_str().unwrap(),
        clip.to_str().unwrap(),
        "trim",
        "0",
        &length,
    ]);
    std::fs::write(&reference, transcribe_json(dir, &clip).to_string()).unwrap();
    (clip, reference)
}

#[test]
fn every_wav_flavour_and_compressed_format_gives_the_same_words() {
    let _turn = model_turn();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let (clip, reference) = demo_clip(dir, 25);
    // (name, sox output options, largest WER against the 16 kHz transcription): 8 kHz is
    // telephone band, so it may lose a few more words.
    let variants: [(&str, &[&str], f64); 7] = [
        (
            "u8_22k_mono",
            &[
                "-b",
                "8",
                "-e",
                "unsigned-integer",
                "-r",
                "22050",
                "-c",
                "1",
            ],
            0.12,
        ),
        (
            "s24_44k_stereo",
            &["-b", "24", "-r", "44100", "-c", "2"],
            0.12,
        ),
        (
            "s32_48k_stereo",
            &["-b", "32", "-e", "signed-integer", "-r", "48000", "-c", "2"],
            0.12,
        ),
        (
            "f32_48k_6ch",
            &["-b", "32", "-e", "floating-point", "-r", "48000", "-c", "6"],
            0.12,
        ),
        ("s16_8k_mono", &["-b", "16", "-r", "8000", "-c", "1"], 0.25),
        // compressed, as recorders and phones write them
        ("flac_44k_stereo.flac", &["-r", "44100", "-c", "2"], 0.12),
        ("vorbis_48k_mono.ogg", &["-r", "48000", "-c", "1"], 0.15),
    ];
    // Each file made from the clip by sox, then those phones, recorders, messaging apps, browsers
    // (WebM with Opus) and video calls (MP4 with H.264 video and AAC) write, made once with
    // ffmpeg (opusenc for the .opus) from the same 25 s clip, with the largest WER each may have.
    let mut files: Vec<(String, PathBuf, f64)> = Vec::new();
    for (name, args, limit) in variants {
        let file = if name.contains('.') {
            name.to_string()
        } else {
            format!("{name}.wav")
        };
        let out = dir.join(file);
        let mut a = vec![clip.to_str().unwrap()];
        a.extend(args);
        a.push(out.to_str().unwrap());
        sox(&a);
        files.push((name.to_string(), out, limit));
    }
    for fixture in [
        "demo25_aac_44k_mono.m4a",
        "demo25_mp3_44k_stereo.mp3",
        "demo25_opus_48k_mono.opus",
        "demo25_opus_browser.webm",
        "demo25_video_call.mp4",
    ] {
        let file = repo().join("tests/fixtures").join(fixture);
        files.push((fixture.to_string(), file, 0.15));
    }
    for (name, file, limit) in files {
        let hyp = dir.join(format!("{name}.json"));
        std::fs::write(&hyp, transcribe_json(dir, &file).to_string()).unwrap();
        let w = wer(&reference, &hyp);
        eprintln!("{name}: WER {w:.3}");
        assert!(
            w <= limit,
            "{name}: WER {w:.3} against the 16 kHz mono transcription"
        );
    }
}

#[test]
fn microphone_faults_do_not_hide_the_voice() {
    // Each was "no speech detected" before paceback allowed for it: a quiet voice under a DC
    // offset twice its level (frame power is now taken about the frame's mean), and stereo with
    // one channel's polarity reversed (the average cancelled the voice).
    let _turn = model_turn();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let (clip, reference) = demo_clip(dir, 12);
    let faults: [(&str, &[&str]); 2] = [
        ("dc_offset", &["gain", "-30", "dcshift", "0.01"]),
        ("reversed_channel", &["remix", "1", "1i"]),
    ];
    for (name, effects) in faults {
        let faulty = dir.join(format!("{name}.wav"));
        let mut args = vec![clip.to_str().unwrap(), faulty.to_str().unwrap()];
        args.extend(effects);
        sox(&args);
        let hyp = dir.join(format!("{name}.json"));
        std::fs::write(&hyp, transcribe_json(dir, &faulty).to_string()).unwrap();
        let w = wer(&reference, &hyp);
        assert!(w <= 0.15, "{name}: WER {w:.3} against the clip as recorded");
    }
}

#[test]
fn silence_has_no_words() {
    let _turn = model_turn();
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("silence.wav");
    // 20 s of faint room noise
    let mut seed = 7u32;
    let samples: Vec<i16> = (0..320_000)
        .map(|_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((seed >> 16) % 60) as i16 - 30
        })
        .collect();
    common::write_wav_i16(&wav, 16_000, 1, &samples);
    let t = transcribe_json(home.path(), &wav);
    assert_eq!(t["words"].as_array().unwrap().len(), 0, "{t}");
    paceback(home.path())
        .arg("transcribe")
        .arg(&wav)
        .arg("--model")
        .arg(model())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no speech detected"));
    paceback(home.path())
        .arg("analyze")
        .arg(&wav)
        .arg("--model")
        .arg(model())
        .assert()
        .code(1)
        .stdout(predicates::str::contains("no speech detected"));
}

#[test]
fn a_six_minute_answer_loses_no_speech() {
    let _turn = model_turn();
    let home = tempfile::tempdir().unwrap();
    let (wav, manifest) = synth(
        &repo().join("samples/answers/long/long_6min.toml"),
        home.path(),
    );
    let t = transcribe_json(home.path(), &wav);
    let hyp = home.path().join("t.json");
    std::fs::write(&hyp, t.to_string()).unwrap();
    let w = wer(&manifest, &hyp);
    assert!(w <= 0.25, "WER {w:.3}");
    // Every 5 s stretch of true speech has recognized words in it.
    let truth = json(&std::fs::read(&manifest).unwrap());
    let got: Vec<f64> = t["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["start_s"].as_f64().unwrap())
        .collect();
    for w in truth["words"].as_array().unwrap() {
        let s = w["start_s"].as_f64().unwrap();
        assert!(
            got.iter().any(|g| (g - s).abs() <= 5.0),
            "no recognized word within 5 s of the true word at {s:.1} s"
        );
    }
    // and nothing is invented after the last true word
    let last_true = truth["answer_end_s"].as_f64().unwrap();
    assert!(
        got.iter().all(|g| *g <= last_true + 1.0),
        "words after the end of speech"
    );
}

#[test]
fn analyze_finds_the_steps_of_the_demo_answer() {
    let _turn = model_turn();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("set");
    std::fs::create_dir_all(&dir).unwrap();
    for ext in ["wav", "json"] {
        std::fs::copy(
            repo().join(format!("samples/demo.{ext}")),
            dir.join(format!("demo.{ext}")),
        )
        .unwrap();
    }
    let results = home.path().join("results.json");
    let out = std::process::Command::new("python3")
        .arg(repo().join("scripts/bench_analysis.py"))
        .arg("--bin")
        .arg(assert_cmd::cargo::cargo_bin("paceback"))
        .arg("--json")
        .arg(&results)
        .arg(&dir)
        .env("PACEBACK_MODEL", model())
        .env("PACEBACK_HOME", home.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&std::fs::read(&results).unwrap())["answers"][0].clone();
    eprintln!("{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(r["type_ok"], true);
    assert!(r["step_accuracy"].as_f64().unwrap() >= 0.85, "{r}");
    assert!(r["problem_share_error"].as_f64().unwrap() <= 0.05, "{r}");
}

#[test]
fn ctrl_c_stops_a_transcription_with_130() {
    let _turn = model_turn();
    let home = tempfile::tempdir().unwrap();
    let long = home.path().join("long.wav");
    let demo = repo().join("samples/demo.wav");
    let d = demo.to_str().unwrap();
    sox(&[d, d, d, d, long.to_str().unwrap()]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("paceback"))
        .arg("transcribe")
        .arg(&long)
        .arg("--model")
        .arg(model())
        .env("PACEBACK_HOME", home.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(3));
    let started = std::time::Instant::now();
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert!(
        started.elapsed().as_secs() < 10,
        "took {:?} to stop",
        started.elapsed()
    );
}

#[test]
fn analyze_keeps_the_take_with_a_private_copy_of_the_recording() {
    let _turn = model_turn();
    let home = tempfile::tempdir().unwrap();
    let demo = repo().join("samples/demo.wav");
    let out = paceback(home.path())
        .args(["analyze", "--model"])
        .arg(model())
        .arg(&demo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("saved to your history as"), "{err}");
    let listed = common::history_takes(home.path());
    let audio = listed[0]["audio"].as_str().unwrap().to_string();
    let copy = home.path().join("recordings").join(&audio);
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&demo).unwrap());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
