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
        "<script src",
        "<link",
    ] {
        assert!(
            !text.contains(load),
            "{} loads something: {load}",
            path.display()
        );
    }
    assert!(
        text.contains(r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none';"#),
        "{} lets the network in: no Content-Security-Policy",
        path.display()
    );
    let doc = scraper::Html::parse_document(&text);
    for attr in ["src", "href"] {
        let sel = scraper::Selector::parse(&format!("[{attr}]")).unwrap();
        for el in doc.select(&sel) {
            let url = el
                .value()
                .attr(attr)
                .unwrap_or_default()
                .to_ascii_lowercase();
            assert!(
                !url.contains("://") || url.starts_with("file://"),
                "{} loads {attr}={url:.80}",
                path.display()
            );
        }
    }
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
    assert_eq!(
        count(&doc, "audio"),
        0,
        "a take without a recording has no player"
    );
    assert!(
        doc.select(&scraper::Selector::parse("p.note").unwrap())
            .any(|n| n.text().collect::<String>().contains("no recording")),
        "and a note saying so"
    );
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

#[test]
fn progress_links_each_take_to_its_report_and_renews_it_when_the_take_changes() {
    let home = tempfile::tempdir().unwrap();
    history_with_takes(home.path());
    let progress = home.path().join("progress.html");
    let draw = || {
        paceback(home.path())
            .args(["progress", "--html"])
            .arg(&progress)
            .assert()
            .success();
        parse_html(&progress)
    };
    let doc = draw();
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let bars: Vec<String> = doc
        .select(&sel("svg.mix a.take"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(bars.len(), 3, "a linked bar per take");
    let ids: Vec<String> = history_json(home.path())
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    let report = |id: &str| home.path().join(format!("reports/{id}.html"));
    for id in &ids {
        let href = format!("file://{}", report(id).display());
        assert!(bars.contains(&href), "{href} not in {bars:?}");
        assert!(
            doc.select(&sel("figure a.take"))
                .any(|a| a.value().attr("href") == Some(href.as_str())),
            "the charts' dots link {id} too"
        );
        let page = parse_html(&report(id));
        let text: String = page.root_element().text().collect();
        assert!(text.contains(id.as_str()), "the report of {id} names it");
        assert_eq!(mode(&report(id)) & 0o777, 0o600);
    }
    // Drawn again: the reports are reused; after a reanalysis, that take's is written anew.
    let stamp = |id: &str| std::fs::metadata(report(id)).unwrap().modified().unwrap();
    let before: Vec<_> = ids.iter().map(|id| stamp(id)).collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    draw();
    assert_eq!(before, ids.iter().map(|id| stamp(id)).collect::<Vec<_>>());
    paceback(home.path())
        .args(["reanalyze", &ids[0]])
        .assert()
        .success();
    draw();
    assert!(
        stamp(&ids[0]) > before[0],
        "the reanalyzed take's report is new"
    );
    assert_eq!(stamp(&ids[1]), before[1]);
}

/// The headless browser on this machine, or `None` after saying that `what` is skipped.
fn browser(what: &str) -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        eprintln!("skipping {what}: no chromium (apt-get install chromium)");
    }
    found
}

/// A PNG screenshot of `page` from headless Chromium, or `None` (after saying so) without it.
fn screenshot(page: &Path) -> Option<Vec<u8>> {
    let browser = browser("the screenshot check")?;
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
    let out = paceback(home.path()).arg("progress").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().next(),
        Some("no takes with speech of any type yet: `paceback practice` records one")
    );
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

/// A take with a real recording: `samples/demo.wav` with its words (their true times, so no
/// speech model is needed), analyzed into `home`'s history and given its WAV the way a take
/// recorded by `practice` keeps it. Returns the take's id.
fn take_with_recording(home: &Path) -> String {
    let truth = json(&std::fs::read(repo().join("samples/demo.json")).unwrap());
    let transcript = serde_json::json!({
        "schema": "paceback.transcript/1",
        "model": "truth",
        "duration_s": truth["duration_s"],
        "words": truth["words"],
        "segments": [],
    });
    let words = home.join("demo.transcript.json");
    std::fs::write(&words, transcript.to_string()).unwrap();
    paceback(home)
        .args(["analyze", "--question"])
        .arg(truth["question"].as_str().unwrap())
        .arg("--transcript")
        .arg(&words)
        .assert()
        .success();
    let id = history_json(home)[0]["id"].as_str().unwrap().to_string();
    let dir = home.join("recordings");
    std::fs::copy(
        repo().join("samples/demo.wav"),
        dir.join(format!("{id}.wav")),
    )
    .unwrap();
    let record = dir.join(format!("{id}.json"));
    let mut take = json(&std::fs::read(&record).unwrap());
    take["audio"] = format!("{id}.wav").into();
    std::fs::write(&record, take.to_string()).unwrap();
    paceback(home)
        .args(["history", "--repair"])
        .assert()
        .success();
    id
}

/// What the probe appended to the report page does in the browser, after the recording has
/// loaded: click the third step, set the playing time to words across the answer (with the
/// `timeupdate` the browser fires), press the keys, click a quoted sentence and a transcript
/// sentence, play; and list every resource the page fetched and every request the
/// Content-Security-Policy blocked. The results land as JSON in `<pre id="probe-result">`.
const PROBE: &str = r#"<script>
(function(){
var out={seeks:[]},blocked=[],a=document.getElementById('player');
document.addEventListener('securitypolicyviolation',function(e){blocked.push(e.violatedDirective+' '+e.blockedURI)});
function done(){if(document.getElementById('probe-result'))return;out.blocked=blocked;
 out.resources=performance.getEntriesByType('resource').map(function(r){return r.name});
 var p=document.createElement('pre');p.id='probe-result';p.textContent=JSON.stringify(out);document.body.appendChild(p)}
var ws=[].slice.call(document.querySelectorAll('.transcript .w'));
function lit(){return ws.map(function(w,i){return w.classList.contains('now')?i:-1}).filter(function(i){return i>=0})}
function key(k){document.dispatchEvent(new KeyboardEvent('keydown',{key:k,bubbles:true}));return a.currentTime}
function ready(){
 out.duration=a.duration;
 var steps=document.querySelectorAll('.timeline .step');
 steps[2].click();out.after_step_click=a.currentTime;a.pause();
 [0.2,0.4,0.6,0.8].forEach(function(f){var w=ws[Math.floor(ws.length*f)];
   a.currentTime=(parseFloat(w.getAttribute('data-start'))+parseFloat(w.getAttribute('data-end')))/2;
   a.dispatchEvent(new Event('timeupdate'));out.seeks.push({t:a.currentTime,lit:lit()})});
 a.currentTime=parseFloat(steps[3].getAttribute('data-start'))+2;
 out.arrow_left=key('ArrowLeft');out.arrow_right=key('ArrowRight');
 out.space_plays=(key(' '),!a.paused);out.space_pauses=(key(' '),a.paused);
 var ev=document.querySelector('.evidence');out.evidence_start=parseFloat(ev.getAttribute('data-start'));ev.click();out.after_evidence_click=a.currentTime;
 var se=document.querySelectorAll('.transcript .sentence')[5];out.sentence_start=parseFloat(se.getAttribute('data-start'));se.click();out.after_sentence_click=a.currentTime;
 a.play().then(function(){setTimeout(function(){out.playing={t:a.currentTime,paused:a.paused,lit:lit()};a.pause();done()},500)},
   function(e){out.play_error=String(e);done()});
}
if(!a){out.no_player=true;done();return}
a.addEventListener('error',function(){out.media_error=a.error?a.error.code:-1;done()});
if(a.readyState>=1)ready();else a.addEventListener('loadedmetadata',ready);
setTimeout(function(){out.timed_out=true;done()},9000);
})();
</script>"#;

#[test]
fn the_take_report_replays_the_recording_in_chromium() {
    let home = tempfile::tempdir().unwrap();
    let id = take_with_recording(home.path());
    let page = home.path().join("take.html");
    paceback(home.path())
        .args(["show", &id, "--html"])
        .arg(&page)
        .assert()
        .success();
    let doc = parse_html(&page);
    let audio = doc
        .select(&scraper::Selector::parse("audio#player").unwrap())
        .next()
        .expect("a player");
    assert!(
        audio
            .value()
            .attr("src")
            .unwrap()
            .starts_with("data:audio/wav;base64,"),
        "the recording is inside the page"
    );
    let analysis = output_json(paceback(home.path()).args(["show", "--json", &id]));
    let words = analysis["words"].as_array().unwrap();
    assert_eq!(
        count(&doc, ".transcript .w[data-start][data-end]"),
        words.len()
    );

    // Linked on request: the page points at the take's WAV.
    let linked = home.path().join("linked.html");
    paceback(home.path())
        .args(["show", &id, "--link-audio", "--html"])
        .arg(&linked)
        .assert()
        .success();
    let text = std::fs::read_to_string(&linked).unwrap();
    assert!(text.contains("src=\"file://") && text.contains(&format!("{id}.wav\"")));
    assert!(
        text.len() < 200_000,
        "linked, not embedded: {} bytes",
        text.len()
    );

    let Some(browser) = browser("the replay check") else {
        return;
    };
    // Embedded, and linked: both play from the page opened as a file.
    for page in [&page, &linked] {
        let r = probe(browser, page);
        eprintln!("probe of {}: {r}", page.display());
        replays_as_analyzed(&r, &analysis);
    }
}

/// The results of [`PROBE`] run on a copy of `page` in headless `browser`.
fn probe(browser: &str, page: &Path) -> serde_json::Value {
    let probed = page.with_extension("probed.html");
    std::fs::write(&probed, std::fs::read_to_string(page).unwrap() + PROBE).unwrap();
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--autoplay-policy=no-user-gesture-required",
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", probed.display()))
        .output()
        .unwrap();
    let dom = scraper::Html::parse_document(&String::from_utf8_lossy(&out.stdout));
    let result = dom
        .select(&scraper::Selector::parse("pre#probe-result").unwrap())
        .next()
        .unwrap_or_else(|| {
            panic!(
                "the probe reported nothing: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    json(result.text().collect::<String>().as_bytes())
}

/// The probe's results `r` agree with the take's saved `analysis`.
fn replays_as_analyzed(r: &serde_json::Value, analysis: &serde_json::Value) {
    let steps = analysis["steps"].as_array().unwrap();
    let words = analysis["words"].as_array().unwrap();
    let num = |v: &serde_json::Value| {
        v.as_f64()
            .unwrap_or_else(|| panic!("not a number: {v} in {r}"))
    };
    let close = |got: &serde_json::Value, want: f64, what: &str| {
        let got = num(got);
        assert!(
            (got - want).abs() < 0.1,
            "{what}: {got} s, not {want} s ({r})"
        );
    };

    close(
        &r["duration"],
        num(&analysis["audio"]["duration_s"]),
        "the player's duration",
    );
    close(
        &r["after_step_click"],
        num(&steps[2]["start_s"]),
        "clicking the third step",
    );
    // The highlighted word is the one being said at each time set.
    assert_eq!(r["seeks"].as_array().unwrap().len(), 4, "{r}");
    for seek in r["seeks"].as_array().unwrap() {
        let t = num(&seek["t"]);
        let lit: Vec<usize> = seek["lit"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(lit.len(), 1, "one word lit at {t} s: {r}");
        let w = &words[lit[0]];
        assert!(
            num(&w["start_s"]) <= t && t < num(&w["end_s"]),
            "at {t} s the lit word is {w}"
        );
    }
    close(
        &r["arrow_left"],
        num(&steps[3]["start_s"]),
        "← from inside step 4",
    );
    close(&r["arrow_right"], num(&steps[4]["start_s"]), "→ to step 5");
    assert_eq!(r["space_plays"], true, "{r}");
    assert_eq!(r["space_pauses"], true, "{r}");
    close(
        &r["after_evidence_click"],
        num(&r["evidence_start"]),
        "clicking a quoted sentence",
    );
    close(
        &r["after_sentence_click"],
        num(&r["sentence_start"]),
        "clicking a sentence",
    );
    // Playing: the word said at the playing time is lit (none in a silence).
    let playing = &r["playing"];
    assert_eq!(playing["paused"], false, "it plays: {r}");
    let t = num(&playing["t"]);
    assert!(t >= num(&r["sentence_start"]) - 0.01, "{r}");
    let said: Vec<usize> = (0..words.len())
        .filter(|&i| num(&words[i]["start_s"]) <= t + 0.005 && t + 0.005 < num(&words[i]["end_s"]))
        .collect();
    assert_eq!(
        playing["lit"],
        serde_json::json!(said),
        "the word said at {t} s is lit: {r}"
    );
    // Nothing fetched, nothing blocked.
    assert_eq!(
        r["resources"],
        serde_json::json!([]),
        "the page fetched something"
    );
    assert_eq!(
        r["blocked"],
        serde_json::json!([]),
        "the policy blocked something"
    );
    assert!(
        r.get("timed_out").is_none() && r.get("media_error").is_none(),
        "{r}"
    );
}

#[test]
fn a_bank_question_id_stands_for_its_wording_and_type() {
    let home = tempfile::tempdir().unwrap();
    paceback(home.path())
        .args([
            "analyze",
            "--id",
            "st-streaming-enter-live-sports",
            "--transcript",
        ])
        .arg(fixture("product_sense.transcript.json"))
        .assert()
        .success();
    let takes = history_json(home.path());
    assert_eq!(takes[0]["question"]["id"], "st-streaming-enter-live-sports");
    assert_eq!(takes[0]["question"]["type"], "strategy");
    assert!(
        takes[0]["question"]["text"]
            .as_str()
            .unwrap()
            .contains("concert tickets"),
        "{}",
        takes[0]["question"]
    );
}

/// An ALSA configuration whose default device writes what is played to `out`, raw, as fast as
/// it is given (`null` slave): the "speakers" of `paceback play` on a machine without a card.
fn alsa_file_sink(dir: &Path, out: &Path) -> PathBuf {
    let conf = dir.join("asound.conf");
    std::fs::write(
        &conf,
        format!(
            "defaults.pcm.minperiodtime 5000\npcm.!default {{\n    type file\n    slave.pcm {{ type null }}\n    file \"{}\"\n    format \"raw\"\n}}\n",
            out.display()
        ),
    )
    .unwrap();
    conf
}

/// Samples of a raw file in the format `paceback play` said it opened ("…, 16000 Hz mono f32"),
/// as f32 in [-1, 1].
fn played_samples(raw: &[u8], said: &str) -> Vec<f32> {
    if said.contains("16000 Hz mono f32") {
        raw.chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
            .collect()
    } else if said.contains("16000 Hz mono i16") {
        raw.chunks_exact(2)
            .map(|b| f32::from(i16::from_le_bytes(b.try_into().unwrap())) / 32768.0)
            .collect()
    } else {
        panic!("the test expects 16 kHz mono f32 or i16 on the file sink: {said}")
    }
}

#[test]
fn play_step_writes_exactly_that_steps_samples_to_the_output() {
    let home = tempfile::tempdir().unwrap();
    let id = take_with_recording(home.path());
    let out = home.path().join("played.raw");
    let conf = alsa_file_sink(home.path(), &out);
    let run = paceback(home.path())
        .env("ALSA_CONFIG_PATH", &conf)
        .env_remove("PULSE_SERVER")
        .args(["play", &id, "--step", "pain"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains(", 16000 Hz mono"), "{stderr}");

    let analysis = output_json(paceback(home.path()).args(["show", &id, "--json"]));
    let pain: Vec<(f64, f64)> = analysis["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["step"] == "pain")
        .map(|s| (s["start_s"].as_f64().unwrap(), s["end_s"].as_f64().unwrap()))
        .collect();
    assert!(!pain.is_empty());
    let mut wav = hound::WavReader::open(repo().join("samples/demo.wav")).unwrap();
    assert_eq!((wav.spec().sample_rate, wav.spec().channels), (16_000, 1));
    let recording: Vec<i16> = wav.samples::<i16>().map(Result::unwrap).collect();
    let at = |t: f64| ((t * 16_000.0).round() as usize).min(recording.len());
    let expected: Vec<f32> = pain
        .iter()
        .flat_map(|&(a, b)| recording[at(a)..at(b)].iter())
        .map(|s| f32::from(*s) / 32768.0)
        .collect();
    let played = played_samples(&std::fs::read(&out).unwrap(), &stderr);
    assert!(
        played.len() >= expected.len(),
        "{} < {}",
        played.len(),
        expected.len()
    );
    let differ = played.iter().zip(&expected).filter(|(p, e)| p != e).count();
    assert_eq!(differ, 0, "of {} samples", expected.len());
    assert!(
        played[expected.len()..].iter().all(|s| *s == 0.0),
        "only silence after the step"
    );
    // The step's sentences are shown, under the step's name, and nothing of other steps.
    assert!(stdout.starts_with("Pain\n"), "{stdout}");
    let pain_words: Vec<&str> = analysis["words"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["step"] == "pain")
        .map(|w| w["w"].as_str().unwrap())
        .collect();
    let shown: Vec<&str> = stdout
        .lines()
        .skip(1)
        .flat_map(|l| l.split_whitespace())
        .filter(|w| !w.contains(':'))
        .collect();
    assert_eq!(shown, pain_words, "{stdout}");
}

#[test]
fn play_says_clearly_what_it_cannot_play() {
    let home = tempfile::tempdir().unwrap();
    let id = take_with_recording(home.path());
    // No sound card, and an ALSA configuration with no default device.
    let conf = home.path().join("empty.conf");
    std::fs::write(&conf, "").unwrap();
    let run = paceback(home.path())
        .env("ALSA_CONFIG_PATH", &conf)
        .env_remove("PULSE_SERVER")
        .args(["play", &id])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no sound output device found"), "{stderr}");
    assert!(
        !stderr.contains("ALSA lib"),
        "ALSA noise is hidden: {stderr}"
    );
    assert!(
        !stderr.contains("alsa:null"),
        "the null device is no speaker: {stderr}"
    );

    let out = home.path().join("played.raw");
    let sink = alsa_file_sink(home.path(), &out);
    let step = paceback(home.path())
        .env("ALSA_CONFIG_PATH", &sink)
        .args(["play", &id, "--step", "situation"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&step.stderr);
    assert_eq!(step.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not a step of a product sense answer"),
        "{stderr}"
    );
    assert!(
        stderr.contains("customer, pain"),
        "the steps it has: {stderr}"
    );
    assert!(!out.exists(), "nothing played");

    // A take analyzed from a transcript has no recording to play.
    analyze(
        home.path(),
        "product_sense.transcript.json",
        "Design a better alarm clock",
    );
    let bare = paceback(home.path())
        .env("ALSA_CONFIG_PATH", &sink)
        .args(["play", "latest"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&bare.stderr);
    assert_eq!(bare.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("has no recording"), "{stderr}");
}
