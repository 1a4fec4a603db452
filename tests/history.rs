//! The history as a user meets it, through the binary: saving, listing, showing, progress,
//! export round trips, two processes saving at once, a damaged database and its repair, and
//! the HTML pages (well-formed, with charts, and rendering in headless Chromium when present).

mod common;

use std::path::{Path, PathBuf};

use common::{json, output_json, paceback, repo};
use predicates::prelude::*;

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Analyze a fixture transcript into the history of `home`.
fn analyze(home: &Path, name: &str, question: &str) {
    paceback(home)
        .args(["analyze", "--question", question, "--transcript"])
        .arg(fixture(name))
        .assert()
        .success()
        .stderr(predicates::str::contains("warning").not());
}

fn history_json(home: &Path) -> Vec<serde_json::Value> {
    common::history_takes(home)
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn analyze_saves_a_take_that_show_and_export_give_back() {
    let home = tempfile::tempdir().unwrap();
    let out = paceback(home.path())
        .args([
            "analyze",
            "--json",
            "--question",
            "Design a better alarm clock",
            "--transcript",
        ])
        .arg(fixture("product_sense.transcript.json"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "--json stays quiet: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let analysis = json(&out.stdout);

    let rows = history_json(home.path());
    assert_eq!(rows.len(), 1);
    let id = rows[0]["id"].as_str().unwrap().to_string();
    assert_eq!(rows[0]["question"]["text"], "Design a better alarm clock");
    assert_eq!(
        rows[0]["problem_share"],
        analysis["shares"]["problem_definition"]
    );

    let shown = paceback(home.path())
        .args(["show", "--json", &id])
        .output()
        .unwrap();
    assert_eq!(
        json(&shown.stdout),
        analysis,
        "show gives the saved analysis"
    );
    let text = paceback(home.path())
        .args(["show", "latest"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains(&id) && text.contains("Next time:"), "{text}");

    // JSON export: the take in full.
    let export = output_json(paceback(home.path()).arg("export"));
    assert_eq!(export["schema"], "paceback.export/1");
    let take = &export["takes"][0];
    assert_eq!(take["analysis"], analysis);
    let transcript = json(&std::fs::read(fixture("product_sense.transcript.json")).unwrap());
    assert_eq!(take["transcript"]["words"], transcript["words"]);

    // CSV export: one row per take with the same figures.
    let csv_out = paceback(home.path())
        .args(["export", "--csv"])
        .output()
        .unwrap();
    let mut reader = csv::Reader::from_reader(&csv_out.stdout[..]);
    let header = reader.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1);
    let field = |name: &str| {
        let i = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name}"));
        records[0][i].to_string()
    };
    assert_eq!(field("id"), id);
    assert_eq!(
        field("problem_share").parse::<f64>().unwrap(),
        analysis["shares"]["problem_definition"].as_f64().unwrap()
    );
    assert!(header.iter().any(|h| h == "budget_pain_s"));

    // Everything private to the user.
    #[cfg(unix)]
    {
        assert_eq!(mode(&home.path().join("history.db")), 0o600);
        assert_eq!(mode(&home.path().join("recordings")), 0o700);
        assert_eq!(
            mode(&home.path().join(format!("recordings/{id}.json"))),
            0o600
        );
    }
}

#[test]
fn a_failed_analysis_saves_nothing() {
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("silence.wav");
    common::write_wav_i16(&wav, 16_000, 1, &vec![0; 16_000]);
    paceback(home.path())
        .args(["analyze", "--model", "/nonexistent/model.bin"])
        .arg(&wav)
        .assert()
        .code(2);
    assert!(history_json(home.path()).is_empty());
}

#[test]
fn no_save_leaves_the_history_alone() {
    let home = tempfile::tempdir().unwrap();
    paceback(home.path())
        .args(["analyze", "--no-save", "--transcript"])
        .arg(fixture("product_sense.transcript.json"))
        .assert()
        .success();
    assert!(history_json(home.path()).is_empty());
}

#[test]
fn two_processes_saving_at_once_lose_nothing() {
    let home = tempfile::tempdir().unwrap();
    const EACH: usize = 8;
    let writers: Vec<_> = ["product_sense.transcript.json", "star.transcript.json"]
        .into_iter()
        .map(|name| {
            let home = home.path().to_path_buf();
            std::thread::spawn(move || {
                for i in 0..EACH {
                    analyze(&home, name, &format!("question {i} of {name}"));
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let rows = history_json(home.path());
    assert_eq!(rows.len(), 2 * EACH);
    let mut ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 2 * EACH, "every take got its own id");
    let files = std::fs::read_dir(home.path().join("recordings"))
        .unwrap()
        .count();
    assert_eq!(files, 2 * EACH);
}

#[test]
fn a_damaged_database_is_named_and_repair_rebuilds_it_from_the_takes() {
    let home = tempfile::tempdir().unwrap();
    analyze(
        home.path(),
        "product_sense.transcript.json",
        "Design a better alarm clock",
    );
    let db = home.path().join("history.db");
    std::fs::write(
        &db,
        b"this is not a database, it was overwritten by accident".repeat(200),
    )
    .unwrap();
    let _ = std::fs::remove_file(home.path().join("history.db-wal"));
    let _ = std::fs::remove_file(home.path().join("history.db-shm"));

    let out = paceback(home.path()).arg("history").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("damaged") && err.contains("history --repair"),
        "{err}"
    );

    // A take analyzed meanwhile is still saved as a file, with a warning.
    let out = paceback(home.path())
        .args([
            "analyze",
            "--question",
            "Tell me about a time you failed",
            "--transcript",
        ])
        .arg(fixture("star.transcript.json"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning"));

    let out = paceback(home.path())
        .args(["history", "--repair"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("from 2 saved take"));
    let kept: Vec<_> = std::fs::read_dir(home.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".bak"))
        .collect();
    assert_eq!(
        kept.len(),
        1,
        "the damaged database is set aside, not deleted"
    );
    let rows = history_json(home.path());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["question"]["type"], "behavioral");
}

#[test]
fn takes_saved_before_the_index_existed_are_listed() {
    let home = tempfile::tempdir().unwrap();
    analyze(
        home.path(),
        "product_sense.transcript.json",
        "Design a better alarm clock",
    );
    analyze(
        home.path(),
        "star.transcript.json",
        "Tell me about a time you failed",
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(home.path().join(format!("history.db{suffix}")));
    }
    assert_eq!(history_json(home.path()).len(), 2);
}

#[test]
fn reanalyze_keeps_the_earlier_result() {
    let home = tempfile::tempdir().unwrap();
    analyze(
        home.path(),
        "product_sense.transcript.json",
        "Design a better alarm clock",
    );
    // The user teaches paceback that "alarm" is a pain cue.
    std::fs::write(
        home.path().join("cues.toml"),
        "[steps.pain]\nphrases = [\"alarm\"]\n",
    )
    .unwrap();
    for _ in 0..2 {
        paceback(home.path())
            .args(["reanalyze", "--all"])
            .assert()
            .success();
    }
    let export = output_json(paceback(home.path()).arg("export"));
    let take = &export["takes"][0];
    let earlier = take["earlier_analyses"].as_array().unwrap();
    assert_eq!(earlier.len(), 2);
    assert!(earlier.iter().all(|e| e["replaced_at"].is_string()));
    assert_eq!(earlier[0]["schema"], "paceback.analysis/1");
    let file = home
        .path()
        .join(format!("recordings/{}.json", take["id"].as_str().unwrap()));
    let on_disk = json(&std::fs::read(file).unwrap());
    assert_eq!(on_disk["earlier_analyses"].as_array().unwrap().len(), 2);
}

/// Three takes of rising quality over two weeks, through the index directly.
fn history_with_takes(home: &Path) {
    for (q, name) in [
        (
            "Design a better alarm clock",
            "product_sense.transcript.json",
        ),
        ("Tell me about a time you failed", "star.transcript.json"),
        (
            "Design a product for commuters",
            "product_sense.transcript.json",
        ),
    ] {
        analyze(home, name, q);
    }
}

fn parse_html(path: &Path) -> scraper::Html {
    let text = std::fs::read_to_string(path).unwrap();
    for load in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
        "<script",
    ] {
        assert!(
            !text.contains(load),
            "{} loads something: {load}",
            path.display()
        );
    }
    let doc = scraper::Html::parse_document(&text);
    assert!(
        doc.errors.is_empty(),
        "{} is not well-formed: {:?}",
        path.display(),
        doc.errors
    );
    doc
}

fn count(doc: &scraper::Html, selector: &str) -> usize {
    doc.select(&scraper::Selector::parse(selector).unwrap())
        .count()
}

#[test]
fn the_html_pages_are_well_formed_and_hold_the_charts() {
    let home = tempfile::tempdir().unwrap();
    history_with_takes(home.path());
    let show = home.path().join("show.html");
    paceback(home.path())
        .args(["show", "latest", "--html"])
        .arg(&show)
        .assert()
        .success();
    let doc = parse_html(&show);
    assert!(count(&doc, ".timeline div") >= 4, "timeline bar by step");
    assert!(count(&doc, ".transcript p") >= 4, "transcript by step");
    assert!(count(&doc, "table tr") >= 10, "budget and check tables");

    let progress = home.path().join("progress.html");
    paceback(home.path())
        .args(["progress", "--html"])
        .arg(&progress)
        .assert()
        .success();
    let doc = parse_html(&progress);
    // One section per question type, each with its step-mix strip (a bar per take).
    assert_eq!(
        count(&doc, "section.qtype"),
        2,
        "product sense and behavioral"
    );
    assert_eq!(
        count(&doc, "section#product_sense svg.mix rect"),
        2,
        "a bar per take"
    );
    assert_eq!(count(&doc, "section#behavioral svg.mix rect"), 1);
    assert!(
        count(&doc, "section#product_sense svg.mix path") >= 6,
        "the bars stacked by step"
    );
    assert!(
        count(&doc, "section#behavioral figure svg") >= 4,
        "charts per type"
    );
    assert!(count(&doc, "figure svg") >= 6, "a chart per figure");
    assert!(
        count(&doc, "figure svg polyline, figure svg path") >= 6,
        "charts hold lines"
    );
    assert!(
        count(&doc, ".timeline div") >= 4,
        "the latest take's timeline"
    );

    if let Some(png) = screenshot(&progress) {
        let (colored, colors) = ink(&png);
        assert!(
            colored > 0.03,
            "the page rendered blank ({colored:.3} inked)"
        );
        assert!(colors >= 8, "the page has only {colors} colours");
    }
}

/// A PNG screenshot of `page` from headless Chromium, or `None` (after saying so) without it.
fn screenshot(page: &Path) -> Option<Vec<u8>> {
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    let Some(browser) = browser else {
        eprintln!("skipping the screenshot check: no chromium (apt-get install chromium)");
        return None;
    };
    let png = page.with_extension("png");
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1100,1400",
        ])
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        png.exists(),
        "chromium wrote no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(std::fs::read(png).unwrap())
}

/// The share of pixels that are not white, and the number of distinct colours.
fn ink(png: &[u8]) -> (f64, usize) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(step).collect();
    let inked = pixels
        .iter()
        .filter(|p| p[..3].iter().any(|&c| c < 235))
        .count();
    let colors: std::collections::HashSet<[u8; 3]> = pixels
        .iter()
        .map(|p| [p[0] & 0xf0, p[1] & 0xf0, p[2] & 0xf0])
        .collect();
    (inked as f64 / pixels.len() as f64, colors.len())
}

#[test]
fn history_and_progress_read_well_in_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let out = paceback(home.path()).arg("history").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("no takes saved yet"));
    history_with_takes(home.path());
    let out = paceback(home.path()).arg("history").output().unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        table.lines().filter(|l| l.starts_with("20")).count(),
        3,
        "{table}"
    );
    // The third take compares with the first (same type), not the STAR take between.
    let third = table
        .lines()
        .filter(|l| l.starts_with("20"))
        .nth(2)
        .unwrap();
    assert!(third.contains('='), "same answer, same figures: {third}");

    let out = paceback(home.path())
        .env("COLUMNS", "80")
        .args(["progress", "--type", "product_sense"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Progress over 2 takes of product sense questions"),
        "{text}"
    );
    assert!(
        text.contains("Problem definition") && text.contains("≥ 30%"),
        "{text}"
    );
    assert!(text.contains("week of"), "{text}");
    assert!(text.contains("step mix of the latest 2 takes"), "{text}");
    let strip: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("product sense") && l.contains('|'))
        .collect();
    assert_eq!(strip.len(), 2, "{text}");
    assert!(
        strip
            .iter()
            .all(|l| l.contains("|12222") && l.chars().count() <= 80),
        "{text}"
    );

    let p = output_json(paceback(home.path()).args(["progress", "--json"]));
    assert_eq!(p["schema"], "paceback.progress/1");
    assert_eq!(p["takes"], 3);
    let out = paceback(home.path())
        .args(["progress", "--since", "2999-01-01"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("no takes"));
    paceback(home.path())
        .args(["progress", "--since", "yesterday-ish"])
        .assert()
        .code(2);
    paceback(home.path())
        .args(["show", "nope"])
        .assert()
        .code(2);
}

#[test]
fn csv_header_is_the_same_empty_or_full() {
    let home = tempfile::tempdir().unwrap();
    let header = |home: &Path| {
        let out = paceback(home).args(["export", "--csv"]).output().unwrap();
        assert!(out.status.success());
        let mut reader = csv::Reader::from_reader(&out.stdout[..]);
        reader.headers().unwrap().clone()
    };
    let empty = header(home.path());
    analyze(
        home.path(),
        "product_sense.transcript.json",
        "Design a better alarm clock",
    );
    analyze(
        home.path(),
        "star.transcript.json",
        "Tell me about a time you disagreed with your manager.",
    );
    let full = header(home.path());
    assert_eq!(empty, full);
    assert!(full.iter().any(|h| h == "budget_pain_s"), "{full:?}");
}

#[test]
fn every_json_list_carries_its_schema() {
    let home = tempfile::tempdir().unwrap();
    analyze(
        home.path(),
        "product_sense.transcript.json",
        "Design a better alarm clock",
    );
    for (args, schema, key) in [
        (&["history", "--json"][..], "paceback.history/1", "takes"),
        (
            &["questions", "--json"][..],
            "paceback.questions/1",
            "questions",
        ),
        (
            &["model", "list", "--json"][..],
            "paceback.models/1",
            "models",
        ),
        (&["devices", "--json"][..], "paceback.devices/1", "devices"),
        (&["progress", "--json"][..], "paceback.progress/1", "takes"),
        (&["export", "--json"][..], "paceback.export/1", "takes"),
    ] {
        let v = output_json(paceback(home.path()).args(args));
        assert_eq!(v["schema"], schema, "{args:?}: {v}");
        assert!(v.get(key).is_some(), "{args:?} has no {key}: {v}");
    }
}

#[test]
fn color_follows_the_flag_then_the_environment() {
    let home = tempfile::tempdir().unwrap();
    analyze(
        home.path(),
        "product_sense.transcript.json",
        "Design a better alarm clock",
    );
    let history = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = paceback(home.path());
        cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.args(args).arg("history").output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().contains('\u{1b}')
    };
    // Not a terminal: plain unless asked.
    assert!(!history(&[], &[]));
    assert!(history(&["--color", "always"], &[]));
    assert!(history(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!history(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    assert!(!history(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]));
    // The flag is global: it works after the subcommand too.
    let out = paceback(home.path())
        .args(["show", "latest", "--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}
