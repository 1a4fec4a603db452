//! Real cpal capture from an ALSA file fixture (scripts/audio_fixture.sh): the recording matches
//! what was played, `--duration` is honoured, `kill -9` leaves a readable WAV missing at most the
//! last 2 s, no microphone gives exit 2, and `practice` works end to end driven as a user would.
//!
//! Needs `sox`, and for real-time pacing a private headless PulseAudio (the script installs
//! `pulseaudio pulseaudio-utils libasound2-plugins` when missing; `.ci/run` installs them).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{json, model, paceback, repo};

/// A WAV file presented as the default microphone, for as long as this lives.
struct Fixture {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Fixture {
    /// `pace` is `fast` (as fast as it is read) or `realtime`.
    fn start(wav: &Path, pace: &str) -> Fixture {
        let dir = tempfile::Builder::new()
            .prefix("pbfx")
            .tempdir_in("/tmp")
            .unwrap();
        let out = Command::new(repo().join("scripts/audio_fixture.sh"))
            .arg("start")
            .arg(wav)
            .arg(dir.path())
            .args(["--pace", pace])
            .stderr(Stdio::inherit())
            .output()
            .expect("scripts/audio_fixture.sh runs");
        assert!(
            out.status.success(),
            "the audio fixture did not start (see above)"
        );
        let env = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Fixture { dir, env }
    }

    /// `paceback` capturing from this fixture.
    fn command(&self, home: &Path) -> Command {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("paceback"));
        cmd.env("PACEBACK_HOME", home)
            .env("NO_COLOR", "1")
            .env_remove("PULSE_SERVER")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("scripts/audio_fixture.sh"))
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}

fn demo() -> PathBuf {
    repo().join("samples/demo.wav")
}

/// Mono samples of a WAV file as f32 (any integer width; the first channel).
fn samples(path: &Path) -> (u32, Vec<f32>) {
    let mut r = hound::WavReader::open(path)
        .unwrap_or_else(|e| panic!("{} is not a readable WAV: {e}", path.display()));
    let spec = r.spec();
    let scale = (1i64 << (spec.bits_per_sample - 1)) as f32;
    let s: Vec<f32> = r
        .samples::<i32>()
        .step_by(spec.channels as usize)
        .map(|s| s.unwrap() as f32 / scale)
        .collect();
    (spec.sample_rate, s)
}

/// The best normalized correlation of `got` with the start of `reference` over lags of ±50 ms.
fn correlation(reference: &[f32], got: &[f32]) -> f64 {
    let n = got.len().min(reference.len()) - 800;
    (0..=1600)
        .map(|lag| {
            let (a, b) = if lag < 800 {
                (&reference[800 - lag..800 - lag + n], &got[..n])
            } else {
                (&reference[..n], &got[lag - 800..lag - 800 + n])
            };
            let dot: f64 = a
                .iter()
                .zip(b)
                .map(|(x, y)| f64::from(*x) * f64::from(*y))
                .sum();
            let na: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum();
            let nb: f64 = b.iter().map(|y| f64::from(*y).powi(2)).sum();
            dot / (na * nb).sqrt().max(1e-12)
        })
        .fold(f64::MIN, f64::max)
}

#[test]
fn record_names_a_silent_microphone_once_and_keeps_the_take() {
    let dir = tempfile::tempdir().unwrap();
    let silent = dir.path().join("silent.wav");
    common::write_wav_i16(&silent, 16_000, 1, &vec![0; 16_000 * 30]);
    let fx = Fixture::start(&silent, "fast");
    let home = tempfile::tempdir().unwrap();
    let out_wav = home.path().join("take.wav");
    let out = fx
        .command(home.path())
        .args(["record", "--duration", "8"])
        .arg(&out_wav)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("is it muted").count(), 1, "{err}");
    let (_, got) = samples(&out_wav);
    assert!((got.len() as f64 / 16_000.0 - 8.0).abs() < 0.05);
}

#[test]
fn a_recording_matches_the_fixture_and_honours_duration() {
    let fx = Fixture::start(&demo(), "fast");
    let home = tempfile::tempdir().unwrap();
    let out_wav = home.path().join("take.wav");
    let out = fx
        .command(home.path())
        .args(["record", "--duration", "20"])
        .arg(&out_wav)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (rate, got) = samples(&out_wav);
    assert_eq!(rate, 16_000);
    let secs = got.len() as f64 / 16_000.0;
    assert!(
        (secs - 20.0).abs() < 0.05,
        "recorded {secs:.3} s for --duration 20"
    );
    let (_, reference) = samples(&demo());
    let c = correlation(&reference, &got);
    eprintln!("recorded {secs:.3} s for --duration 20, correlation {c:.5}");
    assert!(c > 0.99, "correlation with the fixture {c:.4}");
    // An existing take is never overwritten.
    let again = fx
        .command(home.path())
        .args(["record", "--duration", "1"])
        .arg(&out_wav)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(samples(&out_wav).1.len(), got.len());
}

#[test]
fn a_capture_killed_with_sigkill_keeps_all_but_the_last_two_seconds() {
    let fx = Fixture::start(&demo(), "realtime");
    let home = tempfile::tempdir().unwrap();
    let out_wav = home.path().join("take.wav");
    let mut child = fx
        .command(home.path())
        .arg("record")
        .arg(&out_wav)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let wait = Instant::now();
    while !out_wav.exists() {
        assert!(
            wait.elapsed() < Duration::from_secs(20),
            "the take never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = Instant::now();
    // The demo answer starts with 6 s of silence: kill it once it is well into speech.
    std::thread::sleep(Duration::from_secs(12));
    child.kill().unwrap(); // SIGKILL
    let elapsed = started.elapsed().as_secs_f64();
    child.wait().unwrap();
    let (rate, got) = samples(&out_wav);
    let kept = got.len() as f64 / f64::from(rate);
    assert!(
        kept >= elapsed - 2.0 && kept <= elapsed + 0.5,
        "kept {kept:.2} s of {elapsed:.2} s"
    );
    let (_, reference) = samples(&demo());
    let c = correlation(&reference, &got);
    eprintln!("killed after {elapsed:.2} s: kept {kept:.2} s, correlation {c:.5}");
    assert!(c > 0.99, "correlation with the fixture {c:.4}");
}

#[test]
fn no_microphone_names_the_devices_and_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let out = paceback(home.path())
        .env_remove("ALSA_CONFIG_PATH")
        .env_remove("PULSE_SERVER")
        .args(["record", "--duration", "1"])
        .arg(home.path().join("x.wav"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no microphone found"), "{err}");
    // The devices there are and how to pick one, or (no sound card) what to do.
    assert!(
        err.contains("--device") || err.contains("connect a microphone"),
        "{err}"
    );
    assert!(
        !err.contains("alsa:null"),
        "ALSA's null device is no microphone: {err}"
    );
    assert!(!err.contains("ALSA lib"), "ALSA noise is hidden: {err}");
    assert!(!home.path().join("x.wav").exists());
}

/// One practice session at a time: whisper on two cores does not share well.
static MODEL_TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn practice(fx: &Fixture, home: &Path, extra: &[&str]) -> Command {
    practice_question(
        fx,
        home,
        "Design a product that helps first-time home cooks cook more often.",
        extra,
    )
}

/// `question` is a wording or an id from `paceback questions`.
fn practice_question(fx: &Fixture, home: &Path, question: &str, extra: &[&str]) -> Command {
    let mut cmd = fx.command(home);
    cmd.args(["practice", "--model"])
        .arg(model())
        .args(["--question", question])
        .args(extra);
    cmd
}

fn assert_saved_take(home: &Path, stdout: &str, stderr: &str) {
    assert!(
        stdout.contains("problem definition"),
        "report: {stdout}\n{stderr}"
    );
    assert!(stderr.contains("saved as"), "{stderr}");
    let listed = common::history_takes(home);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["source"], "practice");
    assert_eq!(listed[0]["question"]["type"], "product_sense");
    let id = listed[0]["id"].as_str().unwrap();
    let rec = home.join("recordings");
    assert!(rec.join(format!("{id}.wav")).is_file());
    let take = json(&std::fs::read(rec.join(format!("{id}.json"))).unwrap());
    assert!(!take["transcript"]["words"].as_array().unwrap().is_empty());
}

#[test]
fn practice_end_to_end_stopped_with_enter() {
    let _turn = MODEL_TURN.lock().unwrap_or_else(|e| e.into_inner());
    let fx = Fixture::start(&demo(), "realtime");
    let home = tempfile::tempdir().unwrap();
    let mut child = practice(&fx, home.path(), &[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Answer for 35 s, then press Enter, as a user would.
    std::thread::sleep(Duration::from_secs(35));
    child.stdin.take().unwrap().write_all(b"\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    // The live panel, as plain lines (stdout is not a terminal).
    assert!(
        stdout.contains("think pause") || stderr.contains("think pause"),
        "{stdout}"
    );
    assert_saved_take(home.path(), &stdout, &stderr);
}

#[test]
fn practice_stops_at_max_minutes() {
    let _turn = MODEL_TURN.lock().unwrap_or_else(|e| e.into_inner());
    let fx = Fixture::start(&demo(), "fast");
    let home = tempfile::tempdir().unwrap();
    // the question by its id in the bank, as `paceback questions` lists it
    let out = practice_question(
        &fx,
        home.path(),
        "ps-meal-planning-toddlers",
        &["--max-minutes", "0.5"],
    )
    .stdin(Stdio::null())
    .output()
    .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("time's up at 0:30"), "{stderr}");
    assert_saved_take(home.path(), &stdout, &stderr);
    let listed = common::history_takes(home.path());
    assert_eq!(
        listed[0]["question"]["text"],
        "Design a product that helps parents of toddlers plan a week of meals."
    );
    let secs = listed[0]["duration_s"].as_f64().unwrap();
    assert!(
        (secs - 30.0).abs() < 0.1,
        "recorded {secs} s for --max-minutes 0.5"
    );
}

#[test]
fn a_full_disk_ends_the_take_and_keeps_what_was_written() {
    // A 64 kB file system holds about 2 s of take; mounting one needs root.
    let small = tempfile::Builder::new()
        .prefix("pbdisk")
        .tempdir_in("/tmp")
        .unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(small.path())
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("skipping the full-disk test: cannot mount a small tmpfs (needs root)");
        return;
    }
    let fx = Fixture::start(&demo(), "fast");
    let home = tempfile::tempdir().unwrap();
    let take = small.path().join("take.wav");
    let out = fx
        .command(home.path())
        .args(["record", "--duration", "10"])
        .arg(&take)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (_, got) = samples(&take);
    let _ = Command::new("umount").arg(small.path()).status();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("No space left") && err.contains("what was written is kept"),
        "{err}"
    );
    // Every whole sample that reached the disk: 64 kB is 2.05 s of 16-bit 16 kHz mono.
    let kept = got.len() as f64 / 16_000.0;
    eprintln!("a 64 kB disk kept {kept:.2} s");
    assert!(kept > 1.5 && kept < 2.1, "kept {kept:.2} s");
}

#[test]
fn a_microphone_that_goes_away_keeps_the_take() {
    let fx = Fixture::start(&demo(), "realtime");
    let home = tempfile::tempdir().unwrap();
    let out_wav = home.path().join("take.wav");
    let child = fx
        .command(home.path())
        .arg("record")
        .arg(&out_wav)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(5));
    // The sound server dies: the device delivers nothing more.
    Command::new(repo().join("scripts/audio_fixture.sh"))
        .arg("stop")
        .arg(fx.dir.path())
        .output()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the microphone went away") && err.contains("kept"),
        "{err}"
    );
    let (_, got) = samples(&out_wav);
    let kept = got.len() as f64 / 16_000.0;
    assert!((3.0..=6.0).contains(&kept), "kept {kept:.2} s of about 5");
}

/// Run `cmd`, press Ctrl-C (SIGINT) after `secs` seconds, and collect what it printed.
fn ctrl_c_after(cmd: &mut Command, secs: u64) -> std::process::Output {
    let child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(secs));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_silent_microphone_is_named_within_five_seconds() {
    let _turn = MODEL_TURN.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let silent = dir.path().join("silent.wav");
    common::write_wav_i16(&silent, 16_000, 1, &vec![0; 16_000 * 30]);
    let fx = Fixture::start(&silent, "realtime");
    let home = tempfile::tempdir().unwrap();
    let out = ctrl_c_after(&mut practice(&fx, home.path(), &[]), 8);
    let err = String::from_utf8_lossy(&out.stderr);
    // Plain mode prints a status line when the fault appears, stamped with the audio time.
    let warned = err
        .lines()
        .find(|l| l.contains("is it muted"))
        .unwrap_or_else(|| panic!("no muted-microphone warning: {err}"));
    let at = warned
        .strip_prefix("[0:0")
        .and_then(|l| l.chars().next())
        .and_then(|c| c.to_digit(10))
        .unwrap_or_else(|| panic!("not stamped in the first 10 s: {warned}"));
    assert!(at <= 5, "warned at 0:0{at}: {warned}");
}

#[test]
fn ctrl_c_during_practice_keeps_the_recording() {
    let _turn = MODEL_TURN.lock().unwrap_or_else(|e| e.into_inner());
    let fx = Fixture::start(&demo(), "realtime");
    let home = tempfile::tempdir().unwrap();
    let out = ctrl_c_after(&mut practice(&fx, home.path(), &[]), 10);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("the recording is kept at") && err.contains("interrupted"),
        "{err}"
    );
    // Still a take: in the history with its question and type, marked, with its WAV.
    let listed = common::history_takes(home.path());
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["interrupted"], true);
    assert_eq!(listed[0]["source"], "practice");
    assert_eq!(listed[0]["question"]["type"], "product_sense");
    assert_eq!(
        listed[0]["question"]["text"],
        "Design a product that helps first-time home cooks cook more often."
    );
    let id = listed[0]["id"].as_str().unwrap();
    let (_, got) = samples(&home.path().join("recordings").join(format!("{id}.wav")));
    assert!(got.len() as f64 / 16_000.0 > 5.0);
    // Its report is there, and the history table says it was stopped.
    paceback(home.path())
        .args(["show", id])
        .assert()
        .success()
        .stdout(predicates::str::contains("stopped with Ctrl-C after"));
    let table = paceback(home.path()).arg("history").output().unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).contains("(stopped)"));
}

/// A Python with pyte (the VT100 screen the panel tests read), or `None` after saying so.
fn pty_python() -> Option<&'static str> {
    let found = ["/usr/bin/python3", "python3"].into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import pyte"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        eprintln!("skipping the terminal test: no pyte (apt-get install python3-pyte)");
    }
    found
}

/// What the panel markers are: each must be on screen at most once at any moment.
const PANEL_MARKERS: [&str; 5] = [
    "● recording",
    "  think pause   ",
    "  answer        ",
    "  input         ",
    "Enter finishes the answer",
];

/// `practice` of the longest bank question in a pseudo-terminal `cols` wide (resized to
/// `resize.0` columns after `resize.1` s), Enter after 30 s; the screen over time.
fn practice_in_a_terminal(cols: u16, resize: Option<(u16, f64)>) -> Option<serde_json::Value> {
    let python = pty_python()?;
    let _turn = MODEL_TURN.lock().unwrap_or_else(|e| e.into_inner());
    let fx = Fixture::start(&demo(), "realtime");
    let home = tempfile::tempdir().unwrap();
    let question = "You have three candidates for next quarter at a budgeting app: bank sync \
                    fixes, shared budgets for couples, and a savings-goal feature. Which goes first?";
    let mut cmd = Command::new(python);
    cmd.arg(repo().join("tests/pty_screen.py"))
        .args([
            "--cols",
            &cols.to_string(),
            "--rows",
            "40",
            "--enter-at",
            "30",
        ])
        .args(["--watch", question]);
    for m in PANEL_MARKERS {
        cmd.args(["--watch", m]);
    }
    if let Some((to, at)) = resize {
        cmd.args(["--resize", &format!("{to}@{at}")]);
    }
    cmd.arg("--")
        .arg(assert_cmd::cargo::cargo_bin("paceback"))
        .args(["practice", "--model"])
        .arg(model())
        .args(["--question", "pr-three-features-fintech"])
        .env("PACEBACK_HOME", home.path())
        .env_remove("NO_COLOR")
        .env_remove("PULSE_SERVER")
        .envs(fx.env.iter().map(|(k, v)| (k, v)));
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "pty_screen.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = json(&out.stdout);
    assert_eq!(run["exit"], 0, "{}", run["output"]);
    assert!(
        run["output"].as_str().unwrap().contains("Next time:"),
        "the report is printed: {}",
        run["output"]
    );
    Some(run)
}

/// Every snapshot: no panel line twice (nothing left behind by a redraw), and while the panel is
/// up, the question exactly once.
fn assert_clean_screen(run: &serde_json::Value) {
    let question = "You have three candidates for next quarter at a budgeting app: bank sync \
                    fixes, shared budgets for couples, and a savings-goal feature. Which goes first?";
    let snapshots = run["snapshots"].as_array().unwrap();
    let mut panel_seen = 0;
    for s in snapshots {
        let counts = &s["counts"];
        let screen = s["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        for m in PANEL_MARKERS {
            assert!(
                s["rows_with"][m].as_u64().unwrap() <= 1,
                "{m:?} {} times at {} s:\n{screen}",
                s["rows_with"][m],
                s["t"]
            );
        }
        if s["rows_with"]["● recording"] == 1 {
            panel_seen += 1;
            assert_eq!(
                counts[question], 1,
                "the question once at {} s:\n{screen}",
                s["t"]
            );
        }
    }
    assert!(
        panel_seen > 50,
        "the panel was up for {panel_seen} snapshots"
    );
}

#[test]
fn the_panel_fits_an_80_column_terminal() {
    let Some(run) = practice_in_a_terminal(80, None) else {
        return;
    };
    assert_clean_screen(&run);
}

#[test]
fn the_panel_fits_a_200_column_terminal() {
    let Some(run) = practice_in_a_terminal(200, None) else {
        return;
    };
    assert_clean_screen(&run);
}

#[test]
fn resizing_the_terminal_mid_take_leaves_no_garbage() {
    let Some(run) = practice_in_a_terminal(120, Some((60, 15.0))) else {
        return;
    };
    let snapshots = run["snapshots"].as_array().unwrap();
    for s in snapshots {
        for m in PANEL_MARKERS {
            assert!(
                s["rows_with"][m].as_u64().unwrap() <= 1,
                "{m:?} twice at {} s: {:#?}",
                s["t"],
                s["rows"]
            );
        }
    }
    // After the resize the panel is drawn for 60 columns: its lines end in `…` where cut, and
    // none runs to the last column (where a wrap would begin).
    let after: Vec<&serde_json::Value> = snapshots
        .iter()
        // (the first redraw comes within a tick of the resize)
        .filter(|s| s["t"].as_f64().unwrap() > 15.6 && s["rows_with"]["● recording"] == 1)
        .collect();
    assert!(
        after.len() > 20,
        "{} snapshots after the resize",
        after.len()
    );
    for s in after {
        for row in s["rows"].as_array().unwrap() {
            let row = row.as_str().unwrap();
            if PANEL_MARKERS.iter().any(|m| row.contains(m)) {
                assert!(row.chars().count() < 60, "{row:?} at {} s", s["t"]);
            }
        }
    }
}
