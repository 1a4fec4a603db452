//! `paceback practice [--type T] [--question Q] [--device D] [--max-minutes M]`.

use crate::analysis::{self, Lexicon, question};
use crate::cli::PracticeArgs;
use crate::error::{Error, Result};
use crate::history::{self, QuestionRef, Store, TakeRecord};
use crate::home::Home;
use crate::practice::{self, Session};
use crate::questions::Bank;
use crate::record::{self, Stop};
use crate::time::{clock, range};

pub fn run(args: PracticeArgs) -> Result<()> {
    let home = Home::from_env()?;
    let lexicon = Lexicon::load(&home.cues_file())?;
    let store = Store::open(&home)?;
    let bank = Bank::load(&home.questions_file())?;
    let encoder = super::sentence_model(&home, args.json).map(std::sync::Arc::new);

    // The question: given, or the bank question practised least.
    let (qref, hint) = match &args.question.question {
        // an id from `paceback questions`
        Some(id) if bank.get(id).is_some() => {
            let q = bank.get(id).expect("just found");
            (
                QuestionRef {
                    id: Some(q.id.clone()),
                    text: Some(q.text.clone()),
                    qtype: args.question.qtype.unwrap_or(q.qtype),
                },
                q.hint.clone(),
            )
        }
        Some(text) => {
            let qtype = args
                .question
                .qtype
                .or_else(|| {
                    question::from_question(text, &lexicon, encoder.as_deref().map(|e| e as _))
                })
                .unwrap_or(analysis::QuestionType::ProductSense);
            let id = bank.find(text).map(|q| q.id.clone());
            (
                QuestionRef {
                    id,
                    text: Some(text.clone()),
                    qtype,
                },
                None,
            )
        }
        None => {
            // A damaged index only costs the least-practised pick.
            let counts = history::open_index(&home)
                .and_then(|index| index.practice_counts())
                .unwrap_or_default();
            let q = bank
                .least_practised(args.question.qtype, &counts, &mut fastrand::Rng::new())
                .ok_or_else(|| Error::usage("the question bank has no question of that type"))?;
            (
                QuestionRef {
                    id: Some(q.id.clone()),
                    text: Some(q.text.clone()),
                    qtype: q.qtype,
                },
                q.hint.clone(),
            )
        }
    };
    let text = qref.text.clone().unwrap_or_default();

    // The model before the microphone: a missing model should not cost a take.
    let model = crate::model::resolve(args.speech.model.as_deref(), &home)?;
    let recognizer = super::load_recognizer(&model, &args.speech)?;

    print_card(&text, qref.qtype, hint.as_deref());
    let take = store.new_take()?;
    let recorded_at = history::now_rfc3339();
    let outcome = practice::run(Session {
        source: record::Source::Microphone(args.device.clone()),
        wav: take.wav.clone(),
        limit_s: args.max_minutes * 60.0,
        qtype: qref.qtype,
        recognizer,
        lexicon: lexicon.clone(),
        encoder: encoder.clone(),
        voice: super::voice_model(&home, args.json)
            .map(|v| Box::new(v) as Box<dyn crate::transcribe::VoiceActivity + Send>),
        enter: record::enter_pressed(),
        on_frame: None,
    });
    if outcome.is_err() {
        store.release(&take);
    }
    let outcome = match outcome {
        Ok(o) => o,
        Err(Error::Interrupted) if take.wav.exists() => {
            history::make_private(&take.wav)?;
            eprintln!(
                "paceback: stopped; the recording is kept at {} (analyze it with `paceback analyze {}`)",
                take.wav.display(),
                take.wav.display()
            );
            return Err(Error::Interrupted);
        }
        Err(e) => {
            if take.wav.exists() {
                let _ = history::make_private(&take.wav);
                eprintln!("paceback: the recording is kept at {}", take.wav.display());
            }
            return Err(e);
        }
    };
    history::make_private(&take.wav)?;
    for w in outcome.recorded.warnings() {
        eprintln!("paceback: warning: {w}");
    }
    let interrupted = outcome.recorded.stop == Stop::Interrupted;

    let input = analysis::Input {
        words: outcome.transcript.words.clone(),
        audio_path: Some(take.wav.display().to_string()),
        duration_s: outcome.transcript.duration_s,
        question: Some(text.clone()),
        qtype: Some(qref.qtype),
        given_steps: None,
    };
    let analysis = analysis::analyze(&input, &lexicon, encoder.as_deref().map(|e| e as _));
    let device = outcome.recorded.device.clone();
    let heard_s = outcome.transcript.words.last().map_or(0.0, |w| w.end_s);
    let model = outcome.transcript.model.clone();
    let saved = history::save_claimed(&home, &store, &take, || {
        let mut rec = TakeRecord::new(
            &take,
            recorded_at,
            "practice",
            qref,
            Some(device),
            outcome.transcript,
            &analysis,
        )?;
        rec.interrupted = interrupted;
        Ok(rec)
    })?;
    if interrupted {
        // Ctrl-C: the take is kept and marked; its report is one command away.
        eprintln!(
            "paceback: stopped; the take is saved as {} (interrupted: analyzed from the first {} transcribed; the recording is kept at {}); `paceback show {}` shows its report",
            take.id,
            clock(heard_s),
            take.wav.display(),
            take.id
        );
        return Err(Error::Interrupted);
    }
    super::print_analysis(&analysis, args.json, args.verbose)?;
    eprintln!(
        "paceback: saved as {} ({}; report ready {:.1} s after you stopped)\n  hear it back: paceback play {} (--step STEP for one step), or paceback show {} --html take.html",
        take.id,
        saved.display(),
        outcome.finish_s,
        take.id,
        take.id
    );
    if let Some(note) = crate::practice::keeping_up(&model, outcome.speed, outcome.finish_s) {
        eprintln!("paceback: note: {note}");
    }
    if analysis.no_speech {
        return Err(Error::NoSpeech(take.wav.display().to_string()));
    }
    Ok(())
}

fn print_card(text: &str, qtype: analysis::QuestionType, hint: Option<&str>) {
    let method = &analysis::method::METHOD;
    let mut budgets: Vec<String> = method
        .budgets(qtype)
        .iter()
        .map(|(b, _)| {
            let what = b.label.to_lowercase();
            if b.min_s == 0.0 {
                format!("{what} at most {}", clock(b.max_s))
            } else if b.id == "answer" {
                format!(
                    "{what} {} (aim for {})",
                    range(b.min_s, b.max_s),
                    clock(b.target_s)
                )
            } else {
                format!("{what} {}", range(b.min_s, b.max_s))
            }
        })
        .collect();
    if method.profile(qtype).rules.shares {
        budgets.push(format!(
            "problem ≥ {:.0}%, solution ≤ {:.0}%",
            method.min_problem_share * 100.0,
            method.max_solution_share * 100.0
        ));
    }
    // Wrapped at words to the terminal (long bank questions run to 150 characters).
    let width = if crate::output::interactive(crate::output::Stream::Stderr) {
        usize::from(console::Term::stderr().size().1).saturating_sub(1)
    } else {
        usize::MAX
    };
    let para = |text: &str| {
        textwrap::fill(
            text,
            textwrap::Options::new(width.max(20))
                .initial_indent("  ")
                .subsequent_indent("    "),
        )
    };
    eprintln!("\n{} question:\n{}", qtype.label(), para(text));
    if let Some(h) = hint {
        eprintln!("{}", para(&format!("hint: {h}")));
    }
    eprintln!("{}\n", para(&format!("budgets: {}", budgets.join(" · "))));
}
