//! The delivery rules (docs/method.md, "Delivery"): pace in the coaches' bands, fillers, long
//! pauses inside steps.

use serde_json::json;

use super::{Check, CheckId, Context, Status};

pub(super) fn pace(cx: &Context) -> Option<Check> {
    let d = cx.delivery;
    let bands = cx.method.pace_bands;
    let (lo, hi) = (bands[0].1, bands[1].2);
    let status = if (lo..=hi).contains(&d.wpm) {
        Status::Pass
    } else if (lo * 0.85..=hi * 1.12).contains(&d.wpm) {
        Status::Warn
    } else {
        Status::Fail
    };
    let gap = if d.wpm < lo {
        (lo - d.wpm) / (lo * 0.15)
    } else {
        (d.wpm - hi).max(0.0) / (hi * 0.12)
    } / 2.0;
    let named: Vec<String> = bands
        .iter()
        .map(|(who, a, b)| format!("{a:.0}–{b:.0} ({who})"))
        .collect();
    Some(
        Check::new(
            CheckId::Pace,
            status,
            json!(d.wpm),
            format!("{lo:.0}-{hi:.0} wpm"),
            format!(
                "{:.0} words per minute ({:.0} excluding pauses); coaches' bands: {}",
                d.wpm,
                d.wpm_excluding_pauses,
                named.join(", ")
            ),
        )
        .advise(
            gap,
            if d.wpm > hi {
                format!(
                    "Slow down: {:.0} words per minute is fast for an interview; pause at each step change.",
                    d.wpm
                )
            } else {
                format!(
                    "Pick up the pace a little: {:.0} words per minute; aim for {:.0}-{:.0}.",
                    d.wpm, bands[1].1, bands[0].2
                )
            },
        ),
    )
}

pub(super) fn fillers(cx: &Context) -> Option<Check> {
    let d = cx.delivery;
    let fine = cx.method.fillers_fine_per_100;
    let status = if d.fillers_per_100_words < fine {
        Status::Pass
    } else if d.fillers_per_100_words < 2.0 * fine {
        Status::Warn
    } else {
        Status::Fail
    };
    Some(
        Check::new(
            CheckId::Fillers,
            status,
            json!(d.fillers_per_100_words),
            format!("< {fine:.0} per 100 words"),
            format!(
                "{} filler words, {:.1} per 100 words (at least; the recognizer misses some)",
                d.fillers, d.fillers_per_100_words
            ),
        )
        .advise(
            d.fillers_per_100_words / fine - 1.0,
            format!(
                "Replace fillers with silence: {:.1} per 100 words (fine is under {fine:.0}). A short pause sounds more confident than \"um\".",
                d.fillers_per_100_words
            ),
        ),
    )
}

pub(super) fn long_pauses(cx: &Context) -> Option<Check> {
    let d = cx.delivery;
    let allowed = cx.method.long_pauses_allowed;
    let n = d.long_pauses_within_steps;
    let status = if n <= allowed {
        Status::Pass
    } else if n <= allowed + 2 {
        Status::Warn
    } else {
        Status::Fail
    };
    let long = cx.method.long_pause_s;
    Some(
        Check::new(
            CheckId::LongPauses,
            status,
            json!(n),
            format!("<= {allowed} inside a step"),
            format!(
                "{n} pauses of {long:.0} s or more inside steps, {} between steps",
                d.long_pauses_between_steps
            ),
        )
        .advise(
            (n.saturating_sub(allowed)) as f64 / 3.0,
            "Pause between steps, not inside them: long silences mid-step sound like losing the thread.".into(),
        ),
    )
}
