//! The timing rules: the problem and solution shares, the whole answer, the think pause and the
//! step budgets (docs/method.md, "Timing").

use serde_json::json;

use super::{Check, CheckId, Context, Status, banded, pct, round3};
use crate::analysis::guidance::Budget;
use crate::analysis::steps::Step;
use crate::time::{clock, human, limit, range, round_cs};

pub(super) fn problem_share(cx: &Context) -> Option<Check> {
    let m = cx.method;
    if cx.answer_s <= 0.0 {
        return None;
    }
    let problem = cx.secs(Step::is_problem);
    let share = round3(problem / cx.answer_s);
    let limit = m.min_problem_share;
    let status = if share >= limit {
        Status::Pass
    } else if share >= limit - m.share_slack {
        Status::Warn
    } else {
        Status::Fail
    };
    let missing = (limit * cx.answer_s - problem).max(0.0);
    Some(
        Check::new(
            CheckId::ProblemShare,
            status,
            json!(share),
            format!(">= {limit:.2}"),
            format!(
                "{} of the answer defined the problem (customer, pain, end state); at least {}",
                pct(share),
                pct(limit)
            ),
        )
        .borderline_if(
            cx.share_ranges.map(|r| r.problem),
            &[limit, limit - m.share_slack],
        )
        .advise(
            (limit - share) / m.share_slack,
            format!(
                "Spend about {} more on the problem before any solution: only {} of your answer was customer, pain and end state (aim for {} or more).",
                human(missing),
                pct(share),
                pct(limit)
            ),
        ),
    )
}

pub(super) fn solution_share(cx: &Context) -> Option<Check> {
    let m = cx.method;
    if cx.answer_s <= 0.0 {
        return None;
    }
    let solution = cx.secs(Step::is_solution);
    let share = round3(solution / cx.answer_s);
    let limit = m.max_solution_share;
    let status = if share <= limit {
        Status::Pass
    } else if share <= limit + m.share_slack {
        Status::Warn
    } else {
        Status::Fail
    };
    let extra = (solution - limit * cx.answer_s).max(0.0);
    let (lo, hi) = m.capabilities;
    Some(
        Check::new(
            CheckId::SolutionShare,
            status,
            json!(share),
            format!("<= {limit:.2}"),
            format!(
                "{} of the answer went to the solution (capabilities, metrics); at most {}",
                pct(share),
                pct(limit)
            ),
        )
        .borderline_if(
            cx.share_ranges.map(|r| r.solution),
            &[limit, limit + m.share_slack],
        )
        .advise(
            (share - limit) / m.share_slack,
            format!(
                "Cut about {} from capabilities and metrics: they took {} of the answer (at most {}). Keep {lo}-{hi} capabilities and 2-3 metrics.",
                human(extra),
                pct(share),
                pct(limit)
            ),
        ),
    )
}

pub(super) fn answer_length(cx: &Context) -> Option<Check> {
    let b = cx.method.answer;
    let answer = cx.answer_s;
    let lo = if cx.profile.rules.min_length {
        b.min_s
    } else {
        0.0
    };
    let (status, dev) = banded(answer, lo, b.max_s, 0.0);
    let status = if status == Status::Fail && answer < lo && answer >= lo * 0.8 {
        Status::Warn
    } else {
        status
    };
    let longest = cx
        .steps
        .iter()
        .max_by(|a, b| a.duration_s.total_cmp(&b.duration_s));
    let advice = if answer > b.max_s {
        format!(
            "Bring the answer under {} (it ran {}); {} took the longest ({}), so trim there and practise against a {} timer.",
            clock(b.max_s),
            clock(answer),
            longest.map_or("one step", |s| cx.name(s.step)),
            clock(longest.map_or(0.0, |s| s.duration_s)),
            clock(b.target_s)
        )
    } else {
        format!(
            "Use the time: the answer ran {}; a full answer takes {}, so give each step its budget.",
            clock(answer),
            range(b.min_s, b.max_s)
        )
    };
    let (target, wanted) = if lo > 0.0 {
        (
            format!("{:.0}-{:.0} s", b.min_s, b.max_s),
            format!(
                "{}, practise to {}",
                range(b.min_s, b.max_s),
                clock(b.target_s)
            ),
        )
    } else {
        (
            format!("<= {:.0} s", b.max_s),
            format!("at most {}", clock(b.max_s)),
        )
    };
    Some(
        Check::new(
            CheckId::AnswerLength,
            status,
            json!(round_cs(answer)),
            target,
            format!("answer time {} (target {wanted})", clock(answer)),
        )
        .advise(dev, advice),
    )
}

pub(super) fn think_pause(cx: &Context) -> Option<Check> {
    let b = cx.method.think_pause;
    let t = cx.think_pause_s;
    let (status, dev) = banded(t, b.min_s, b.max_s, 0.0);
    let status = if status == Status::Fail && (b.min_s * 0.4..=b.max_s * 2.0).contains(&t) {
        Status::Warn
    } else {
        status
    };
    let advice = if t < b.min_s {
        format!(
            "Take {} to think before you speak: you started after {}. Classify the question and pick your customer first.",
            range(b.min_s, b.max_s),
            human(t)
        )
    } else {
        format!(
            "Start speaking within {}: you were silent for {}. Say the question type aloud to get going.",
            limit(b.max_s),
            human(t)
        )
    };
    Some(
        Check::new(
            CheckId::ThinkPause,
            status,
            json!(round_cs(t)),
            format!("{:.0}-{:.0} s", b.min_s, b.max_s),
            format!(
                "{} of silence before the first word (target {})",
                human(t),
                range(b.min_s, b.max_s)
            ),
        )
        .advise(dev, advice),
    )
}

/// A timing budget as a check.
fn budget(id: CheckId, b: &Budget, actual: f64, what: &str, slack: f64, advice: String) -> Check {
    let (status, dev) = banded(actual, b.min_s, b.max_s, slack);
    Check::new(
        id,
        status,
        json!(round_cs(actual)),
        format!("{:.0}-{:.0} s", b.min_s, b.max_s),
        format!(
            "{what}: {} (target {})",
            human(actual),
            range(b.min_s, b.max_s)
        ),
    )
    .advise(dev, advice)
}

pub(super) fn customer_framing(cx: &Context) -> Option<Check> {
    let b = cx.profile.customer_framing?;
    let v = cx.secs(|s| matches!(s, Step::Customer | Step::Pain));
    let what = cx.profile.with_article();
    let words = cx.profile.framing_words;
    let advice = if v < b.min_s {
        format!(
            "Frame {} for {} in {what} answer: you gave it {}.",
            words.what,
            range(b.min_s, b.max_s),
            human(v)
        )
    } else {
        format!(
            "Tighten the {} to {} for {what} question: it took {}. {}",
            words.name,
            range(b.min_s, b.max_s),
            human(v),
            words.trim
        )
    };
    Some(budget(
        CheckId::CustomerFraming,
        &b,
        v,
        &b.label.to_lowercase(),
        0.25,
        advice,
    ))
}

pub(super) fn pain(cx: &Context) -> Option<Check> {
    let b = cx.method.pain;
    let v = cx.secs(|s| s == Step::Pain);
    let advice = if v < b.min_s {
        format!(
            "Describe today's pain concretely for {} (actions, time spent, the workaround): you spent {}.",
            range(b.min_s, b.max_s),
            human(v)
        )
    } else {
        format!(
            "Keep the pain to {}: it took {}. One vivid example is enough.",
            range(b.min_s, b.max_s),
            human(v)
        )
    };
    Some(budget(CheckId::Pain, &b, v, "current pain", 0.25, advice))
}

pub(super) fn over_framing(cx: &Context) -> Option<Check> {
    let m = cx.method;
    let framing = cx.secs(Step::is_problem);
    let status = if framing <= m.over_framing_warn_s {
        Status::Pass
    } else if framing < m.over_framing_fail_s {
        Status::Warn
    } else {
        Status::Fail
    };
    Some(
        Check::new(
            CheckId::OverFraming,
            status,
            json!(round_cs(framing)),
            format!("<= {:.0} s", m.over_framing_warn_s),
            format!(
                "customer framing (steps 2–4) took {} ({} for {})",
                human(framing),
                range(m.framing.min_s, m.framing.max_s),
                cx.qtype.label()
            ),
        )
        .advise(
            (framing - m.over_framing_warn_s) / (m.over_framing_fail_s - m.over_framing_warn_s),
            format!(
                "Cut the framing to {}: steps 2-4 took {}. Over {} usually means several segments; commit to one.",
                range(m.framing.min_s, m.framing.max_s),
                clock(framing),
                clock(m.over_framing_warn_s)
            ),
        ),
    )
}

pub(super) fn pressure_test(cx: &Context) -> Option<Check> {
    let b = cx.method.pressure_test;
    let v = cx.secs(|s| s == Step::Risks);
    let advice = if v == 0.0 {
        format!(
            "Pressure-test the idea for {}: name the biggest risk or weakest assumption and how you'd mitigate it.",
            range(b.min_s, b.max_s)
        )
    } else if v < b.min_s {
        format!(
            "Give the pressure-test {}: it took {}.",
            range(b.min_s, b.max_s),
            human(v)
        )
    } else {
        format!(
            "Keep the pressure-test to {}: it took {}. One risk and one mitigation.",
            range(b.min_s, b.max_s),
            human(v)
        )
    };
    Some(budget(
        CheckId::PressureTest,
        &b,
        v,
        "pressure-test",
        0.5,
        advice,
    ))
}
