//! The command line without a speech model: bad input and its exit codes, the transcript path of
//! `analyze`, the JSON contract, report snapshots, the user's cue file, model listing.

mod common;

use common::{json, output_json, paceback, repo, write_wav_i16};
use predicates::prelude::*;

fn fixture(name: &str) -> std::path::PathBuf {
    repo().join("tests/fixtures").join(name)
}

fn home() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn help_lists_every_command() {
    let h = home();
    paceback(h.path()).arg("--help").assert().success().stdout(
        predicate::str::contains("analyze")
            .and(predicate::str::contains("transcribe"))
            .and(predicate::str::contains("model")),
    );
}

#[test]
fn help_has_examples() {
    let h = home();
    for cmd in [
        &[][..],
        &["practice"],
        &["analyze"],
        &["history"],
        &["progress"],
    ] {
        paceback(h.path())
            .args(cmd)
            .arg("--help")
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:\n  paceback "));
    }
}

#[test]
fn bash_completions_source_and_complete_subcommands() {
    let h = home();
    let out = paceback(h.path())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let script = h.path().join("paceback.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    // Source it, then ask the completion function what `paceback pro<TAB>` offers.
    let probe = format!(
        "set -e; source {}; COMP_WORDS=(paceback pro); COMP_CWORD=1; COMP_LINE='paceback pro'; COMP_POINT=12; _paceback paceback pro paceback; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let run = std::process::Command::new("bash")
        .args(["--norc", "-c", &probe])
        .output()
        .unwrap();
    let offered = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(offered.lines().any(|l| l == "progress"), "{offered}");
    assert!(!offered.lines().any(|l| l == "history"), "{offered}");
}

#[test]
fn man_page_renders() {
    let h = home();
    let out = paceback(h.path()).arg("man").output().unwrap();
    assert!(out.status.success());
    let roff = String::from_utf8(out.stdout).unwrap();
    assert!(
        roff.contains(".TH paceback 1"),
        "{}",
        &roff[..roff.len().min(300)]
    );
    for command in ["practice", "analyze", "history", "progress", "completions"] {
        assert!(roff.contains(command), "the man page lists {command}");
    }
    if std::process::Command::new("man")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipping the `man -l` render: no man (apt-get install man-db)");
        return;
    }
    let page = h.path().join("paceback.1");
    std::fs::write(&page, &roff).unwrap();
    let shown = std::process::Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    assert!(
        text.contains("NAME") && text.contains("Rehearse interview answers"),
        "{text}"
    );
}

#[test]
fn a_folder_given_as_the_recording_is_named_as_one() {
    let h = home();
    paceback(h.path())
        .arg("transcribe")
        .arg(h.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is a folder; give the audio file in it",
        ));
}

#[test]
fn not_a_wav_is_bad_input_exit_2() {
    let h = home();
    let f = h.path().join("notes.wav");
    std::fs::write(
        &f,
        "these are my notes, not audio, but long enough to look like a header",
    )
    .unwrap();
    paceback(h.path())
        .args(["transcribe"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("notes.wav")
                .and(predicate::str::contains("not an audio file"))
                .and(predicate::str::contains("FLAC, MP3, M4A")),
        );
}

#[test]
fn an_unsupported_codec_names_the_formats_that_work() {
    // GSM 6.10 in a WAV file, as old telephone recorders write it: a real file, a codec paceback
    // does not decode.
    let h = home();
    let (tone, gsm) = (h.path().join("tone.wav"), h.path().join("call.wav"));
    write_wav_i16(&tone, 8_000, 1, &vec![1_000; 8_000]);
    common::sox(&[
        tone.to_str().unwrap(),
        "-e",
        "gsm-full-rate",
        gsm.to_str().unwrap(),
    ]);
    paceback(h.path())
        .args(["transcribe"])
        .arg(&gsm)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("call.wav")
                .and(predicate::str::contains("unsupported"))
                .and(predicate::str::contains(
                    "FLAC, MP3, M4A (AAC or ALAC), Ogg (Vorbis or Opus)",
                )),
        );
}

#[test]
fn missing_empty_zero_length_and_implausible_audio_files_exit_2() {
    let h = home();
    let empty = h.path().join("empty.wav");
    std::fs::write(&empty, b"").unwrap();
    let zero = h.path().join("zero.wav");
    write_wav_i16(&zero, 16_000, 1, &[]);
    // a 32 KB file declaring a sample rate of 1 GHz, and one declaring 1 Hz
    let fast = h.path().join("fast.wav");
    write_wav_i16(&fast, 1_000_000_000, 1, &vec![100; 16_000]);
    let slow = h.path().join("slow.wav");
    write_wav_i16(&slow, 1, 1, &vec![100; 16_000]);
    let memo = h.path().join("memo.opus");
    std::fs::write(
        &memo,
        b"OggS\0\x02\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\x01\x13OpusHead",
    )
    .unwrap();
    for (file, message) in [
        (h.path().join("missing.wav"), "no such file"),
        (empty, "empty"),
        (zero, "no audio"),
        (fast, "sample rate of 1000000000 Hz"),
        (slow, "sample rate of 1 Hz"),
        (memo, "WAV (PCM or float), FLAC"),
    ] {
        paceback(h.path())
            .arg("transcribe")
            .arg(&file)
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn missing_model_names_the_path_and_the_fix_before_the_recording_is_read() {
    // A minute of audio: the missing model is found before the pass that reads it through for
    // the voice-activity detector (whose note would come first otherwise).
    let h = home();
    let wav = h.path().join("minute.wav");
    write_wav_i16(&wav, 16_000, 1, &vec![300; 16_000 * 60]);
    paceback(h.path())
        .arg("transcribe")
        .arg(&wav)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no speech model at")
                .and(predicate::str::contains("models/ggml-tiny.en-q8_0.bin"))
                .and(predicate::str::contains("paceback model fetch"))
                .and(predicate::str::contains("voice-activity").not()),
        );
}

#[test]
fn corrupt_model_is_reported_not_a_panic() {
    let h = home();
    let wav = h.path().join("a.wav");
    write_wav_i16(&wav, 16_000, 1, &vec![0; 16_000]);
    let model = h.path().join("broken.bin");
    let mut bytes = 0x6767_6d6cu32.to_le_bytes().to_vec();
    for v in [51_864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1i32] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes.extend_from_slice(&[0u8; 200]);
    std::fs::write(&model, bytes).unwrap();
    paceback(h.path())
        .arg("transcribe")
        .arg(&wav)
        .arg("--model")
        .arg(&model)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("could not be loaded")
                .and(predicate::str::contains("broken.bin")),
        );
}

#[test]
fn unknown_type_lists_the_valid_ones() {
    let h = home();
    paceback(h.path())
        .args(["analyze", "--type", "design", "--transcript"])
        .arg(fixture("star.transcript.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "product_sense, strategy, prioritization, estimation, behavioral",
        ));
}

#[test]
fn malformed_transcript_names_line_and_column() {
    let h = home();
    let bad = h.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"schema\": \"paceback.transcript/1\",\n  \"words\": [,]\n}",
    )
    .unwrap();
    paceback(h.path())
        .arg("analyze")
        .arg("--transcript")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 3, column 13"));
}

fn transcript_file(
    dir: &std::path::Path,
    words: &[(String, f64, f64)],
    duration: f64,
) -> std::path::PathBuf {
    let words: Vec<_> = words
        .iter()
        .map(|(w, s, e)| serde_json::json!({"w": w, "start_s": s, "end_s": e}))
        .collect();
    let t = serde_json::json!({"schema": "paceback.transcript/1", "model": "test", "duration_s": duration, "words": words, "segments": []});
    let path = dir.join("t.json");
    std::fs::write(&path, t.to_string()).unwrap();
    path
}

#[test]
fn an_empty_answer_is_no_speech_exit_1() {
    let h = home();
    let t = transcript_file(h.path(), &[], 30.0);
    paceback(h.path())
        .arg("analyze")
        .arg("--transcript")
        .arg(&t)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no speech detected"));
    let out = paceback(h.path())
        .arg("analyze")
        .arg("--transcript")
        .arg(&t)
        .arg("--json")
        .assert()
        .code(1);
    let a = json(&out.get_output().stdout);
    assert_eq!(a["no_speech"], true);
    assert_eq!(a["steps"].as_array().unwrap().len(), 0);
}

#[test]
fn a_three_second_answer_is_analyzed_and_too_short() {
    let h = home();
    let words: Vec<_> = ["I", "want", "to", "focus", "on", "nurses."]
        .iter()
        .enumerate()
        .map(|(i, w)| (w.to_string(), 6.0 + i as f64 * 0.5, 6.4 + i as f64 * 0.5))
        .collect();
    let t = transcript_file(h.path(), &words, 10.0);
    let out = paceback(h.path())
        .arg("analyze")
        .arg("--transcript")
        .arg(&t)
        .arg("--json")
        .assert()
        .success();
    let a = json(&out.get_output().stdout);
    assert_eq!(a["steps"][0]["step"], "customer");
    let length = a["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "answer_length")
        .unwrap();
    assert_eq!(length["status"], "fail");
}

#[test]
fn a_twenty_five_minute_answer_works_and_fails_the_length_check() {
    let h = home();
    let sentence = [
        "Today", "they", "spend", "an", "hour", "on", "it", "every", "week.",
    ];
    let mut words = Vec::new();
    let mut t = 6.0;
    while t < 6.0 + 25.0 * 60.0 {
        for w in sentence {
            words.push((w.to_string(), t, t + 0.3));
            t += 0.35;
        }
        t += 0.5;
    }
    let file = transcript_file(h.path(), &words, t + 1.0);
    let started = std::time::Instant::now();
    let out = paceback(h.path())
        .arg("analyze")
        .arg("--transcript")
        .arg(&file)
        .arg("--json")
        .assert()
        .success();
    let a = json(&out.get_output().stdout);
    assert!(a["answer"]["duration_s"].as_f64().unwrap() > 1499.0);
    let length = a["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "answer_length")
        .unwrap();
    assert_eq!(length["status"], "fail");
    assert!(
        started.elapsed().as_secs() < 60,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn json_keeps_the_spec_contract() {
    let h = home();
    let out = paceback(h.path())
        .args([
            "analyze",
            "--json",
            "--question",
            "Design a product for night-shift nurses.",
            "--transcript",
        ])
        .arg(fixture("product_sense.transcript.json"))
        .assert()
        .success();
    let a = json(&out.get_output().stdout);
    assert_eq!(a["schema"], "paceback.analysis/1");
    assert!(
        a["audio"]["path"]
            .as_str()
            .unwrap()
            .ends_with("product_sense.transcript.json")
    );
    assert!(a["audio"]["duration_s"].is_number());
    assert_eq!(a["question"]["type"], "product_sense");
    assert_eq!(a["question"]["type_source"], "question");
    assert_eq!(a["framework"], "working_backwards");
    assert_eq!(a["think_pause_s"], 6.0);
    for key in ["start_s", "end_s", "duration_s", "words"] {
        assert!(a["answer"][key].is_number(), "answer.{key}");
    }
    let steps = a["steps"].as_array().unwrap();
    for s in steps {
        for key in [
            "step",
            "start_s",
            "end_s",
            "duration_s",
            "share",
            "words",
            "text",
        ] {
            assert!(!s[key].is_null(), "steps[].{key}");
        }
    }
    let ids: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "classify",
            "customer",
            "pain",
            "vision",
            "capabilities",
            "metrics",
            "risks",
            "thesis"
        ]
    );
    let total: f64 = a["totals"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert!((total - a["answer"]["duration_s"].as_f64().unwrap()).abs() < 0.1);
    assert!(a["shares"]["problem_definition"].is_number() && a["shares"]["solution"].is_number());
    for c in a["checks"].as_array().unwrap() {
        assert!(["pass", "warn", "fail"].contains(&c["status"].as_str().unwrap()));
        assert!(c["target"].is_string() && c["message"].is_string() && !c["id"].is_null());
    }
    for key in ["wpm", "fillers", "fillers_per_100_words", "long_pauses"] {
        assert!(a["delivery"][key].is_number(), "delivery.{key}");
    }
    assert_eq!(a["words"][0]["w"], "I'd");
    assert!(a["words"][0]["start_s"].is_number() && a["words"][0]["end_s"].is_number());
}

#[test]
fn star_answers_use_the_star_framework() {
    let h = home();
    let out = paceback(h.path())
        .args([
            "analyze",
            "--json",
            "--question",
            "Tell me about a time you shipped under pressure.",
            "--transcript",
        ])
        .arg(fixture("star.transcript.json"))
        .assert()
        .success();
    let a = json(&out.get_output().stdout);
    assert_eq!(a["framework"], "star");
    assert_eq!(a["question"]["type"], "behavioral");
    let ids: Vec<&str> = a["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["situation", "task", "action", "result"]);
    assert!(a["shares"]["problem_definition"].is_null());
}

#[test]
fn terminal_report_snapshot() {
    let h = home();
    let out = paceback(h.path())
        .args([
            "analyze",
            "-v",
            "--question",
            "Design a product for night-shift nurses.",
            "--transcript",
        ])
        .arg(fixture("product_sense.transcript.json"))
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes when not a terminal"
    );
    insta::assert_snapshot!("terminal_product_sense", text);
}

#[test]
fn json_report_snapshot() {
    let h = home();
    let out = paceback(h.path())
        .args(["analyze", "--json", "--type", "behavioral", "--transcript"])
        .arg(fixture("star.transcript.json"))
        .assert()
        .success();
    let mut a = json(&out.get_output().stdout);
    a["audio"]["path"] = "star.transcript.json".into();
    insta::assert_json_snapshot!("json_star", a);
}

/// A user's cue file that makes the made-up signposts mean customer and capabilities.
const MADE_UP_CUES: &str = "[steps.customer]\nopeners = [\"zorgly speaking\"]\n[steps.capabilities]\nopeners = [\"blorp time\"]\n";

/// Two sentences that open with made-up signposts ("Zorgly speaking", "Blorp time"), which only
/// a user's cue file can make mean a step.
fn made_up_signposts(home: &std::path::Path) -> std::path::PathBuf {
    transcript_file(
        home,
        &[
            ("Zorgly", 5.0, 5.5),
            ("speaking,", 5.5, 6.0),
            ("nurses", 6.0, 6.5),
            ("matter.", 6.5, 7.0),
            ("Blorp", 8.0, 8.5),
            ("time:", 8.5, 9.0),
            ("we", 9.0, 9.5),
            ("build", 9.5, 10.0),
            ("rides.", 10.0, 10.5),
        ]
        .iter()
        .map(|(w, s, e)| (w.to_string(), *s, *e))
        .collect::<Vec<_>>(),
        12.0,
    )
}

#[test]
fn the_users_cue_file_extends_the_lexicon() {
    let h = home();
    let t = made_up_signposts(h.path());
    let steps = |home: &std::path::Path| {
        let out = paceback(home)
            .arg("analyze")
            .arg("--transcript")
            .arg(&t)
            .arg("--json")
            .assert()
            .success();
        json(&out.get_output().stdout)["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let before = steps(h.path());
    std::fs::write(h.path().join("cues.toml"), MADE_UP_CUES).unwrap();
    let after = steps(h.path());
    assert_eq!(after, ["customer", "capabilities"], "before: {before:?}");
    std::fs::write(
        h.path().join("cues.toml"),
        "[steps.nope]\nopeners = [\"x\"]\n",
    )
    .unwrap();
    paceback(h.path())
        .arg("analyze")
        .arg("--transcript")
        .arg(&t)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("cues.toml")
                .and(predicate::str::contains("unknown step `nope`")),
        );
}

#[test]
fn model_list_shows_installed_models_and_the_default() {
    let h = home();
    paceback(h.path())
        .args(["model", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("paceback model fetch"));
    let models = h.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    let mut header = 0x6767_6d6cu32.to_le_bytes().to_vec();
    for v in [51_864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 2007i32] {
        header.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(models.join("ggml-tiny.en-q8_0.bin"), &header).unwrap();
    paceback(h.path())
        .args(["model", "list"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("* tiny.en-q8_0")
                .and(predicate::str::contains("tiny.en q8_0"))
                .and(predicate::str::contains("WER 8.9% · 23× real time")),
        );
    let listed = output_json(paceback(h.path()).args(["model", "list", "--json"]));
    assert_eq!(listed["models"][0]["measured"]["wer_neural_voices"], 0.089);
}

#[test]
fn import_ct2_rejects_a_folder_without_a_model() {
    let h = home();
    paceback(h.path())
        .args(["model", "import-ct2"])
        .arg(h.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no model.bin"));
}

#[test]
fn an_empty_history_says_how_to_make_a_take_and_since_takes_words() {
    let h = home();
    paceback(h.path())
        .args(["show", "latest"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no takes yet")
                .and(predicate::str::contains("paceback practice")),
        );
    paceback(h.path())
        .args(["progress", "--since", "yesterday"])
        .assert()
        .success();
    paceback(h.path())
        .args(["progress", "--since", "last tuesday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("YYYY-MM-DD"));
}

/// Analyze a transcript file into the history of `home` under `question` (and `--type`).
fn save_take(
    home: &std::path::Path,
    transcript: &std::path::Path,
    question: &str,
    qtype: Option<&str>,
) {
    let mut cmd = paceback(home);
    cmd.args(["analyze", "--question", question]);
    if let Some(t) = qtype {
        cmd.args(["--type", t]);
    }
    cmd.arg("--transcript").arg(transcript).assert().success();
}

/// The product-sense fixture with its pain step said 2.2 times slower (16 s → 36 s): the
/// second take of the same question, after practising the pain step.
fn slower_pain(dir: &std::path::Path) -> std::path::PathBuf {
    let mut t = json(&std::fs::read(fixture("product_sense.transcript.json")).unwrap());
    let stretch = |x: f64| {
        if x <= 26.0 {
            x
        } else if x <= 42.0 {
            26.0 + (x - 26.0) * 2.2
        } else {
            26.0 + 16.0 * 2.2 + (x - 42.0)
        }
    };
    for w in t["words"].as_array_mut().unwrap() {
        for key in ["start_s", "end_s"] {
            let v = w[key].as_f64().unwrap();
            w[key] = serde_json::json!((stretch(v) * 1000.0).round() / 1000.0);
        }
    }
    t["duration_s"] = serde_json::json!(stretch(t["duration_s"].as_f64().unwrap()));
    t["segments"] = serde_json::json!([]);
    let path = dir.join("slower_pain.transcript.json");
    std::fs::write(&path, t.to_string()).unwrap();
    path
}

/// The takes of `home` (oldest first): (id, recorded_at).
fn takes(home: &std::path::Path) -> Vec<(String, String)> {
    let out = paceback(home).args(["history", "--json"]).output().unwrap();
    json(&out.stdout)["takes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["recorded_at"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `text` with the takes' ids and times (which are when the test ran) replaced by stable names.
fn redact(mut text: String, takes: &[(String, String)]) -> String {
    let mut ids: Vec<(usize, &(String, String))> = takes.iter().enumerate().collect();
    // A take saved in the same second as another has its id with `_1`: the longer first.
    ids.sort_by_key(|(_, (id, _))| std::cmp::Reverse(id.len()));
    for (i, (id, _)) in &ids {
        text = text.replace(id.as_str(), &format!("TAKE{}", i + 1));
    }
    for (_, at) in takes {
        text = text.replace(&at[..16].replace('T', " "), "DAY TIME");
    }
    text
}

const NURSES: &str = "Design a product for night-shift nurses.";

#[test]
fn compare_two_takes_of_the_same_question() {
    let h = home();
    save_take(
        h.path(),
        &fixture("product_sense.transcript.json"),
        NURSES,
        None,
    );
    save_take(h.path(), &slower_pain(h.path()), NURSES, None);
    let ids = takes(h.path());
    assert_eq!(ids.len(), 2);

    let out = paceback(h.path())
        .env("COLUMNS", "80")
        .args(["compare", "previous", "latest"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes when not a terminal"
    );
    assert!(
        text.lines()
            .filter(|l| l.contains('|'))
            .all(|l| l.chars().count() <= 80),
        "the bars fit 80 columns:\n{text}"
    );
    // The longer take B fills the bar; A's bar is shorter, on the same scale.
    let bars: Vec<usize> = text
        .lines()
        .filter(|l| l.starts_with("  A ") || l.starts_with("  B "))
        .filter_map(|l| l.split('|').nth(1).map(|b| b.chars().count()))
        .collect();
    assert_eq!(bars.len(), 2, "{text}");
    assert!(bars[0] < bars[1], "A is shorter than B: {bars:?}");
    insta::assert_snapshot!("compare_same_question", redact(text, &ids));

    let mut c =
        common::output_json(paceback(h.path()).args(["compare", &ids[0].0, &ids[1].0, "--json"]));
    assert_eq!(c["schema"], "paceback.compare/1");
    assert_eq!(c["same_question"], true);
    assert!(c["note"].is_null());
    let pain = c["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "pain")
        .unwrap();
    assert!(pain["seconds"]["change"].as_f64().unwrap() > 15.0, "{pain}");
    let changed: Vec<&str> = c["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ch| ch["id"].as_str().unwrap())
        .collect();
    assert!(changed.contains(&"pain"), "pain fail → pass: {changed:?}");
    for (side, (id, at)) in ["a", "b"].iter().zip(&ids) {
        assert_eq!(c[side]["id"], id.as_str());
        c[side]["id"] = format!("TAKE-{side}").into();
        c[side]["recorded_at"] = format!("TIME-{side}").into();
        assert!(!at.is_empty());
    }
    insta::assert_json_snapshot!("compare_same_question_json", c);

    // `show` offers the comparison with the previous take of the same question.
    let out = paceback(h.path())
        .args(["show", "latest"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains(&format!(
            "compare with your previous take: paceback compare {} {}",
            ids[0].0, ids[1].0
        )),
        "{shown}"
    );
    let first = paceback(h.path())
        .args(["show", &ids[0].0])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&first.stdout).contains("compare with"));

    // The HTML page: both timelines, the first narrower (same scale), no network.
    let page = h.path().join("compare.html");
    paceback(h.path())
        .args(["compare", "previous", "latest", "--html"])
        .arg(&page)
        .assert()
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"));
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let takes: Vec<String> = doc
        .select(&sel("div.take"))
        .map(|d| d.value().attr("style").unwrap().to_string())
        .collect();
    assert_eq!(takes.len(), 2);
    assert!(
        takes[1].contains("width:100.00%") && !takes[0].contains("width:100.00%"),
        "{takes:?}"
    );
    assert!(doc.select(&sel("div.take .timeline div")).count() >= 16);
    assert!(html.contains("fail") && html.contains("pass"));
}

#[test]
fn compare_two_takes_of_different_types() {
    let h = home();
    save_take(
        h.path(),
        &fixture("product_sense.transcript.json"),
        NURSES,
        None,
    );
    save_take(
        h.path(),
        &fixture("product_sense.transcript.json"),
        "How many night-shift nurses drive home in the US?",
        Some("estimation"),
    );
    save_take(
        h.path(),
        &fixture("star.transcript.json"),
        "Tell me about a time you shipped under pressure.",
        None,
    );
    let ids = takes(h.path());
    let out = paceback(h.path())
        .env("COLUMNS", "80")
        .args(["compare", &ids[0].0, &ids[1].0])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("note:") && text.contains("their budgets"),
        "{text}"
    );
    insta::assert_snapshot!("compare_different_types", redact(text, &ids));

    let c =
        common::output_json(paceback(h.path()).args(["compare", &ids[0].0, &ids[1].0, "--json"]));
    assert_eq!(c["same_type"], false);
    assert!(c["budgets"].as_array().unwrap().is_empty());
    let steps: Vec<&str> = c["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert!(
        !steps.is_empty() && !steps.contains(&"vision") && !steps.contains(&"metrics"),
        "{steps:?}"
    );

    // Working Backwards against STAR: no common step, still a comparison.
    let c =
        common::output_json(paceback(h.path()).args(["compare", &ids[0].0, &ids[2].0, "--json"]));
    assert!(c["steps"].as_array().unwrap().is_empty());
    assert!(c["shares"].is_null());
    assert!(c["note"].as_str().unwrap().contains("share no steps"));
    paceback(h.path())
        .args(["compare", &ids[0].0, &ids[2].0])
        .assert()
        .success()
        .stdout(predicate::str::contains("share no steps"));
}

#[test]
fn compare_refuses_unknown_and_identical_takes_and_takes_without_steps() {
    let h = home();
    paceback(h.path())
        .args(["compare", "previous", "latest"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no takes yet"));
    save_take(
        h.path(),
        &fixture("product_sense.transcript.json"),
        NURSES,
        None,
    );
    paceback(h.path())
        .args(["compare", "previous", "latest"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("only one take"));
    let ids = takes(h.path());
    paceback(h.path())
        .args(["compare", "2001-01-01", "latest"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no take `2001-01-01`"));
    paceback(h.path())
        .args(["compare", &ids[0].0[..13], "latest"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("same take"));
    // A take saved with no speech (an interrupted practice): nothing to compare.
    let recordings = h.path().join("recordings");
    let mut take = json(&std::fs::read(recordings.join(format!("{}.json", ids[0].0))).unwrap());
    let silent = "2001-02-03_04-05-06";
    take["id"] = silent.into();
    take["audio"] = serde_json::Value::Null;
    take["analysis"]["no_speech"] = true.into();
    take["analysis"]["steps"] = serde_json::json!([]);
    take["analysis"]["totals"] = serde_json::json!({});
    take["analysis"]["answer"]["duration_s"] = 0.into();
    std::fs::write(recordings.join(format!("{silent}.json")), take.to_string()).unwrap();
    let out = paceback(h.path())
        .args(["compare", silent, "latest"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("no speech") && err.contains(silent), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn show_explains_a_saved_take_sentence_by_sentence() {
    let h = home();
    save_take(
        h.path(),
        &fixture("product_sense.transcript.json"),
        "Design a product for night-shift nurses.",
        None,
    );
    let out = paceback(h.path())
        .args(["show", "latest", "--explain"])
        .assert()
        .success();
    let shown = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    // The report first, then what opened each step and every sentence's reading.
    let report = shown.find("Pressure-test").expect("the report");
    let openings = shown
        .find("Where each step starts and what decided it:")
        .expect("the openings");
    assert!(report < openings, "{shown}");
    assert!(
        shown.contains("\"The biggest risk is that nurses will not give up their own car.\""),
        "{shown}"
    );
    assert!(
        shown.contains("Every sentence (P = probability of its step"),
        "{shown}"
    );
    // Read again with the same model and cues, the steps are the saved ones: no warning.
    assert!(!shown.contains("Read again"), "{shown}");
    paceback(h.path())
        .args(["show", "latest", "--explain", "--json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));

    // Cues added after the take was saved change its reading: the explanation says so.
    let t = made_up_signposts(h.path());
    save_take(
        h.path(),
        &t,
        "Design a product for night-shift nurses.",
        None,
    );
    std::fs::write(h.path().join("cues.toml"), MADE_UP_CUES).unwrap();
    let out = paceback(h.path())
        .args(["show", "latest", "--explain"])
        .assert()
        .success();
    // (The note is wrapped to the terminal's width.)
    let shown = String::from_utf8_lossy(&out.get_output().stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        shown.contains("the steps differ from the saved report above")
            && shown.contains("paceback reanalyze"),
        "{shown}"
    );
    assert!(
        shown.contains("cue \"zorgly speaking (opener)\""),
        "{shown}"
    );
}
