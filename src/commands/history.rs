//! `paceback history | show | export | reanalyze`: the saved takes.

use std::path::Path;

use super::json_out;
use crate::analysis::{self, Lexicon, TypeSource};
use crate::cli::{ExportArgs, HistoryArgs, PlayArgs, ReanalyzeArgs, ShowArgs};
use crate::error::{Error, Result};
use crate::history::{self, Filter, Index, Row, Store, TakeRecord, progress};
use crate::home::Home;
use crate::report::terminal::printable;
use crate::report::{self, Style};

/// `paceback history [--type T] [--limit N] [--json] [--repair]`.
pub fn list(args: HistoryArgs) -> Result<()> {
    let home = Home::from_env()?;
    if args.repair {
        return repair(&home);
    }
    let index = history::open_index(&home)?;
    let filter = Filter {
        qtype: args.qtype,
        since_unix: None,
    };
    // Trends need each take's predecessor, so read them all (columns only: fast) and show the tail.
    let rows = index.rows(&filter, None)?;
    let trends = progress::trends(&rows);
    let total = rows.len();
    let shown: Vec<(Row, progress::Trend)> = rows
        .into_iter()
        .zip(trends)
        .skip(total.saturating_sub(args.limit))
        .collect();
    if args.json {
        #[derive(serde::Serialize)]
        struct Listed<'a> {
            #[serde(flatten)]
            row: &'a Row,
            trend: &'a progress::Trend,
        }
        let listed: Vec<Listed> = shown
            .iter()
            .map(|(row, trend)| Listed { row, trend })
            .collect();
        return super::json_list("paceback.history/1", "takes", &listed);
    }
    print!(
        "{}",
        report::history::history_table(&shown, total, &Style::detect())
    );
    Ok(())
}

fn repair(home: &Home) -> Result<()> {
    let r = history::repair(home)?;
    if let Some(aside) = &r.set_aside {
        eprintln!(
            "paceback: the old history database is kept at {}",
            aside.display()
        );
    }
    println!(
        "rebuilt the history from {}",
        report::count(r.indexed, "saved take")
    );
    for (path, why) in &r.unreadable {
        println!(
            "  skipped {}: {}",
            printable(&path.display().to_string()),
            printable(why)
        );
    }
    if !r.audio_only.is_empty() {
        println!(
            "{} recording(s) have no saved analysis (an interrupted take?); add one with `paceback analyze FILE.wav`:",
            r.audio_only.len()
        );
        for p in &r.audio_only {
            println!("  {}", printable(&p.display().to_string()));
        }
    }
    Ok(())
}

/// The index and the take `id` names.
fn find(home: &Home, id: &str) -> Result<(Index, TakeRecord)> {
    let index = history::open_index(home)?;
    let rec = index.find(id)?;
    Ok((index, rec))
}

/// The saved analysis of a take; one that cannot be read is bad input naming the take.
fn analysis_of(rec: &TakeRecord) -> Result<analysis::Analysis> {
    rec.analysis()
        .map_err(|e| Error::bad_input(format!("take {}", rec.id), format!("{e:#}")))
}

/// `paceback show ID [--json] [--html FILE [--link-audio]]`.
pub fn show(args: ShowArgs) -> Result<()> {
    let home = Home::from_env()?;
    let (index, rec) = find(&home, &args.id)?;
    let analysis = analysis_of(&rec)?;
    if let Some(path) = &args.html {
        let lex = report::replay::Replay::lexicon(&home);
        let page = take_report(&home, &rec, &analysis, &lex, args.link_audio);
        write_page(path, &page)?;
    }
    if args.json {
        return json_out(&rec.analysis);
    }
    if args.html.is_none() || args.verbose || args.explain {
        let style = Style::detect();
        println!(
            "take {} · {} · {}",
            printable(&rec.id),
            printable(&rec.recorded_at),
            printable(&rec.source)
        );
        if let Some(audio) = rec.audio.as_ref().filter(|_| rec.check_names().is_ok()) {
            println!(
                "recording {}",
                Store::open(&home)?.dir().join(audio).display()
            );
        }
        if rec.interrupted {
            let heard = rec.transcript.words.last().map_or(0.0, |w| w.end_s);
            println!(
                "stopped with Ctrl-C after {}: this report covers the first {} that was transcribed",
                crate::time::clock(rec.duration_s),
                crate::time::clock(heard)
            );
        }
        print!("{}", report::terminal(&analysis, &style, args.verbose));
        if args.explain && !analysis.no_speech {
            print!("{}", explained(&home, &rec, &analysis));
        }
        if let Some(r) =
            history::compare::reference(analysis.question.qtype).filter(|_| !analysis.no_speech)
        {
            let text = report::mix::wrap(&r.sentence(), "", report::mix::terminal_width());
            print!("\n{}", style.dim(&text));
        }
        if let Some(hint) = super::compare::hint(&index, &rec)? {
            println!("\n{}", style.dim(&hint));
        }
    }
    Ok(())
}

/// `show --explain`: the take read again as `reanalyze` would read it (today's sentence model and
/// cues) and what decided each sentence; says so when its steps are no longer the saved ones.
fn explained(home: &Home, rec: &TakeRecord, analysis: &analysis::Analysis) -> String {
    let lex = report::replay::Replay::lexicon(home);
    let encoder = super::sentence_model(home, false);
    let encoder = encoder.as_ref().map(|e| e as &dyn crate::embed::Embedder);
    let (now, seg) = analysis::analyze_segmented(&saved_input(rec, analysis), &lex, encoder);
    let starts = |a: &analysis::Analysis| -> Vec<_> {
        a.steps
            .iter()
            .map(|s| (s.step, s.start_s.to_bits()))
            .collect()
    };
    let note = (starts(analysis) != starts(&now)).then(|| {
        let note = format!(
            "Read again with today's sentence model and cues, the steps differ from the saved \
             report above (`paceback reanalyze {}` saves the new reading).",
            printable(&rec.id)
        );
        format!(
            "\n{}",
            report::mix::wrap(&note, "", report::mix::terminal_width())
        )
    });
    let qtype = now.question.qtype;
    let units = seg.map_or_else(Vec::new, |seg| {
        analysis::segment::explain(&seg, qtype, encoder)
    });
    note.unwrap_or_default() + &report::explain(&units, qtype)
}

/// What a saved take is analyzed from again: its transcript and question, its type if the user
/// gave it (an inferred one is inferred again).
fn saved_input(rec: &TakeRecord, before: &analysis::Analysis) -> analysis::Input {
    analysis::Input {
        words: rec.transcript.words.clone(),
        audio_path: before.audio.path.clone(),
        duration_s: rec.transcript.duration_s,
        question: rec.question.text.clone(),
        qtype: (before.question.type_source == TypeSource::Flag).then_some(before.question.qtype),
        given_steps: None,
    }
}

/// `paceback play ID [--step STEP] [--device DEVICE]`.
pub fn play(args: PlayArgs) -> Result<()> {
    let home = Home::from_env()?;
    let (_, rec) = find(&home, &args.id)?;
    let analysis = analysis_of(&rec)?;
    let step = match &args.step {
        Some(name) => Some(crate::play::find_step(&analysis, name).map_err(Error::Usage)?),
        None => None,
    };
    let Some(name) = rec.audio.as_ref().filter(|_| rec.check_names().is_ok()) else {
        return Err(Error::Usage(format!(
            "take {} has no recording (it was analyzed from a transcript), so there is nothing to play",
            printable(&rec.id)
        )));
    };
    let audio = crate::audio::read_audio(&home.recordings_dir().join(name))?;
    crate::play::play(
        &analysis,
        &audio,
        step,
        args.device.as_deref(),
        &Style::detect(),
    )
}

/// The report page of a take, with its recording inside (or linked when `link_audio`) and its
/// delivery marked by `lex`.
pub fn take_report(
    home: &Home,
    rec: &TakeRecord,
    analysis: &analysis::Analysis,
    lex: &Lexicon,
    link_audio: bool,
) -> String {
    let replay = report::replay::Replay::for_take(home, rec, analysis, lex, link_audio);
    report::html::take_page(rec, analysis, &replay)
}

/// Write an HTML page, private to the user (0600) like everything paceback writes, saying where.
pub fn write_page(path: &Path, html: &str) -> Result<()> {
    history::write_private(path, html.as_bytes())?;
    eprintln!("paceback: wrote {}", path.display());
    Ok(())
}

/// `paceback export [--csv | --json]`.
pub fn export(args: ExportArgs) -> Result<()> {
    let home = Home::from_env()?;
    let index = history::open_index(&home)?;
    if args.csv {
        let rows = index.rows(&Filter::default(), None)?;
        let mut out = csv::Writer::from_writer(std::io::stdout().lock());
        write_csv(&mut out, &rows)?;
        out.flush().map_err(anyhow::Error::from)?;
        return Ok(());
    }
    #[derive(serde::Serialize)]
    struct Export {
        schema: &'static str,
        takes: Vec<TakeRecord>,
    }
    json_out(&Export {
        schema: "paceback.export/1",
        takes: index.all()?,
    })
}

/// One CSV row per take: its figures, then seconds per timing budget of the method (every
/// budget of every question type, so the columns are the same whatever the history holds; a
/// budget that does not apply to a take's type is an empty cell).
pub fn write_csv<W: std::io::Write>(out: &mut csv::Writer<W>, rows: &[Row]) -> anyhow::Result<()> {
    let mut budget_ids: Vec<&str> = Vec::new();
    for t in analysis::QuestionType::ALL {
        for (b, _) in analysis::method::METHOD.budgets(t) {
            if !budget_ids.contains(&b.id) {
                budget_ids.push(b.id);
            }
        }
    }
    let mut header: Vec<String> = [
        "id",
        "recorded_at",
        "source",
        "question_id",
        "question",
        "type",
        "audio",
        "duration_s",
        "answer_s",
        "think_pause_s",
        "problem_share",
        "solution_share",
        "wpm",
        "fillers_per_100_words",
        "checks_passed",
        "checks_warned",
        "checks_total",
    ]
    .map(String::from)
    .to_vec();
    header.extend(budget_ids.iter().map(|id| format!("budget_{id}_s")));
    out.write_record(&header)?;
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for r in rows {
        let f = &r.figures;
        let mut record = vec![
            cell(&r.id),
            cell(&r.recorded_at),
            cell(&r.source),
            cell(r.question.id.as_deref().unwrap_or_default()),
            cell(r.question.text.as_deref().unwrap_or_default()),
            r.question.qtype.id().to_string(),
            cell(r.audio.as_deref().unwrap_or_default()),
            r.duration_s.to_string(),
            f.answer_s.to_string(),
            f.think_pause_s.to_string(),
            opt(f.problem_share),
            opt(f.solution_share),
            f.wpm.to_string(),
            f.fillers_per_100_words.to_string(),
            f.checks_passed.to_string(),
            f.checks_warned.to_string(),
            f.checks_total.to_string(),
        ];
        record.extend(
            budget_ids
                .iter()
                .map(|id| opt(f.budgets.iter().find(|b| b.id == *id).map(|b| b.actual_s))),
        );
        out.write_record(&record)?;
    }
    Ok(())
}

/// A text cell that a spreadsheet will not run as a formula: one starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'` (the OWASP advice for CSV injection).
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Say why take `id` is left as it is.
fn warn_skipped(id: &str, why: &anyhow::Error) {
    eprintln!(
        "paceback: warning: skipped take {id:?}: {}",
        printable(&format!("{why:#}"))
    );
}

/// `paceback reanalyze [--all | ID]`: the saved transcripts analyzed again with today's cues;
/// each earlier result is kept in the take's `earlier_analyses`.
pub fn reanalyze(args: ReanalyzeArgs) -> Result<()> {
    let home = Home::from_env()?;
    let lexicon = Lexicon::load(&home.cues_file())?;
    let encoder = super::sentence_model(&home, false);
    let store = Store::open(&home)?;
    let mut index = history::open_index(&home)?;
    let ids: Vec<String> = match &args.id {
        Some(id) if !args.all => vec![index.resolve(id)?],
        _ => index
            .rows(&Filter::default(), None)?
            .into_iter()
            .map(|r| r.id)
            .collect(),
    };
    let (mut changed, mut skipped) = (0, 0);
    let bar = crate::progress_bar::bar(ids.len() as u64, "re-analyzing", ids.len() > 1);
    for id in &ids {
        bar.inc(1);
        // The take file is the record, named by the id (never a path); the index copy serves
        // when the file is gone. A file that cannot be read is left as it is.
        let file = match store.record_path(id) {
            Ok(file) => file,
            Err(e) => {
                bar.suspend(|| warn_skipped(id, &e));
                skipped += 1;
                continue;
            }
        };
        let mut rec = match TakeRecord::load(&file) {
            Ok(rec) => rec,
            Err(_) if !file.exists() => match index.take(id)? {
                Some(rec) => rec,
                None => continue,
            },
            Err(e) => {
                bar.suspend(|| warn_skipped(id, &e));
                skipped += 1;
                continue;
            }
        };
        let before = rec
            .analysis()
            .map_err(|e| Error::bad_input(&file, format!("{e:#}")))?;
        let after = analysis::analyze(
            &saved_input(&rec, &before),
            &lexicon,
            encoder.as_ref().map(|e| e as _),
        );
        let mut earlier = std::mem::replace(
            &mut rec.analysis,
            serde_json::to_value(&after).map_err(anyhow::Error::from)?,
        );
        earlier["replaced_at"] = serde_json::Value::String(history::now_rfc3339());
        rec.earlier_analyses.push(earlier);
        rec.question.qtype = after.question.qtype;
        store.save(&rec)?;
        index.insert(&rec)?;
        let (b, a) = (history::Figures::of(&before), history::Figures::of(&after));
        if b != a {
            changed += 1;
        }
        bar.suspend(|| {
            println!(
                "{id}  problem {} → {}  solution {} → {}  checks passed {}/{} → {}/{}",
                report::history::percent(b.problem_share),
                report::history::percent(a.problem_share),
                report::history::percent(b.solution_share),
                report::history::percent(a.solution_share),
                b.checks_passed,
                b.checks_total,
                a.checks_passed,
                a.checks_total
            )
        });
    }
    bar.finish_and_clear();
    eprintln!(
        "paceback: re-analyzed {}, {changed} changed; earlier results are kept (`paceback export`)",
        report::count(ids.len() - skipped, "take")
    );
    if skipped > 0 {
        return Err(Error::Other(anyhow::anyhow!(
            "{} could not be re-analyzed (see above; `paceback history --repair` lists unreadable take files)",
            report::count(skipped, "take")
        )));
    }
    Ok(())
}
