//! The content rules (docs/method.md, "Content"): what v1 leaves out and why, 3–5 capabilities
//! without hedged extras, one segment, an outcome metric with a threshold and a guardrail, a risk
//! with a mitigation, a closing sentence, the four STAR steps. Each quotes the sentences it judged
//! or, when it found nothing, says where it looked.

use serde_json::{Value, json};

use super::{Check, CheckId, Context, Evidence, Sentence, Status, any_match};
use crate::analysis::content::Property;
use crate::analysis::steps::Step;

/// At most this many sentences are quoted per check.
const QUOTED: usize = 2;

fn quote<'a>(sentences: impl IntoIterator<Item = &'a Sentence>) -> Vec<Evidence> {
    sentences
        .into_iter()
        .take(QUOTED)
        .map(Sentence::evidence)
        .collect()
}

/// How many times the patterns occur in a sentence.
fn occurrences(patterns: &[crate::analysis::phrases::Pattern], words: &[String]) -> usize {
    patterns.iter().map(|p| p.find_all(words).len()).sum()
}

/// The sentences of `step` that say `property`.
fn saying<'a>(cx: &'a Context, step: Step, property: Property) -> Vec<&'a Sentence> {
    cx.sentences_of(step)
        .filter(|s| cx.says(s, property))
        .collect()
}

pub(super) fn deprioritization(cx: &Context) -> Option<Check> {
    let sentences: Vec<&Sentence> = cx.sentences.iter().collect();
    let mut stated: Vec<&Sentence> = Vec::new();
    let mut reasoned: Vec<&Sentence> = Vec::new();
    for (i, s) in sentences.iter().enumerate() {
        if s.step != Some(Step::Capabilities) || !cx.says(s, Property::Deprioritization) {
            continue;
        }
        stated.push(s);
        // The reason follows in the same sentence or the next one.
        let next = sentences.get(i + 1).filter(|n| n.step == s.step);
        if cx.says(s, Property::Reason)
            || next.is_some_and(|n| any_match(&cx.lex.checks.reason, &n.norm))
        {
            reasoned.push(s);
        }
    }
    let status = match (stated.is_empty(), reasoned.is_empty()) {
        (false, false) => Status::Pass,
        (false, true) => Status::Warn,
        _ => Status::Fail,
    };
    let evidence = quote(if reasoned.is_empty() {
        stated
    } else {
        reasoned
    });
    Some(
        Check::new(
            CheckId::Deprioritization,
            status,
            json!(status != Status::Fail),
            "1-2 things not built in v1, with a reason",
            match status {
                Status::Pass => "named what v1 will not build, and why".into(),
                Status::Warn => "named what v1 will not build, but no reason followed".into(),
                Status::Fail => format!(
                    "no explicit \"not in v1\": looked for something left out of the first version {}",
                    cx.where_(Step::Capabilities)
                ),
            },
        )
        .quoting(evidence)
        .advise(
            if status == Status::Fail { 1.0 } else { 0.5 },
            "Say what you would NOT build in v1 and why (\"we would not build X in v1 because...\"): cutting shows judgement.".into(),
        ),
    )
}

/// Numbers said as words, for counts like "three capabilities".
fn number_word(w: &str) -> Option<usize> {
    const WORDS: [&str; 11] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    const ORDINALS: [&str; 11] = [
        "", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    w.parse()
        .ok()
        .or_else(|| WORDS.iter().position(|x| *x == w))
        .or_else(|| {
            ORDINALS
                .iter()
                .skip(1)
                .position(|x| *x == w.trim_end_matches("ly"))
                .map(|i| i + 1)
        })
}

pub(super) fn capability_count(cx: &Context) -> Option<Check> {
    if !cx.has(Step::Capabilities) {
        return None;
    }
    let c = &cx.lex.checks;
    let (lo, hi) = cx.method.capabilities;
    let norm = cx.norm_of(Step::Capabilities);
    let mut stated_n = 0;
    for p in &c.capability_count {
        for (at, _) in p.find_all(&norm) {
            stated_n = stated_n.max(number_word(&norm[at]).unwrap_or(0));
        }
    }
    let items: Vec<&Sentence> = cx
        .sentences_of(Step::Capabilities)
        .filter(|s| any_match(&c.capability_item, &s.norm))
        .collect();
    let ordinal_max = norm
        .iter()
        .filter(|w| {
            ["st", "nd", "rd", "th", "ly"]
                .iter()
                .any(|e| w.ends_with(e))
        })
        .filter_map(|w| number_word(w))
        .max()
        .unwrap_or(0);
    // An enumeration usually leaves its first item unmarked ("We need a planner. Second, ...").
    let counted = stated_n
        .max(ordinal_max)
        .max(if items.is_empty() { 0 } else { items.len() + 1 });
    let status = if (lo..=hi).contains(&counted) {
        Status::Pass
    } else if counted == 0 || counted + 1 == lo || counted <= hi + 2 {
        Status::Warn
    } else {
        Status::Fail
    };
    Some(
        Check::new(
            CheckId::CapabilityCount,
            status,
            if counted == 0 { Value::Null } else { json!(counted) },
            format!("{lo}-{hi}"),
            if counted == 0 {
                format!(
                    "could not tell how many capabilities were named {} (number them: first, second, third)",
                    cx.where_(Step::Capabilities)
                )
            } else {
                format!("about {counted} capabilities named ({lo}–{hi}, not 6–10)")
            },
        )
        .quoting(quote(items))
        .advise(
            if counted > hi {
                (counted - hi) as f64 / hi as f64
            } else {
                0.3
            },
            if counted > hi {
                format!(
                    "Cut the list to {lo}-{hi} capabilities (you named about {counted}), each tied to the end state."
                )
            } else {
                format!(
                    "Name {lo}-{hi} capabilities explicitly (\"first..., second..., third...\"), each justified by the end state."
                )
            },
        ),
    )
}

pub(super) fn capability_hedging(cx: &Context) -> Option<Check> {
    if !cx.has(Step::Capabilities) {
        return None;
    }
    let hedged = saying(cx, Step::Capabilities, Property::HedgedExtra);
    // Each "we could also..." counts, several in one sentence too.
    let n: usize = hedged
        .iter()
        .map(|s| occurrences(&cx.lex.checks.hedging, &s.norm).max(1))
        .sum();
    let status = match n {
        0 => Status::Pass,
        1 | 2 => Status::Warn,
        _ => Status::Fail,
    };
    Some(
        Check::new(
            CheckId::CapabilityHedging,
            status,
            json!(n),
            "0",
            format!("{n} hedged extras (\"we could also add...\")"),
        )
        .quoting(quote(hedged.iter().copied()))
        .advise(
            n as f64 / 3.0,
            "Drop the \"we could also add...\" extras: an uncut list reads as no prioritization."
                .into(),
        ),
    )
}

pub(super) fn single_segment(cx: &Context) -> Option<Check> {
    let several: Vec<&Sentence> = cx
        .sentences_of(Step::Customer)
        .filter(|s| any_match(&cx.lex.checks.multiple_segments, &s.norm))
        .collect();
    let mentions: usize = several
        .iter()
        .map(|s| occurrences(&cx.lex.checks.multiple_segments, &s.norm))
        .sum();
    let status = match mentions {
        0 => Status::Pass,
        1 | 2 => Status::Warn,
        _ => Status::Fail,
    };
    Some(
        Check::new(
            CheckId::SingleSegment,
            status,
            json!(mentions),
            "one segment",
            if mentions == 0 {
                "the customer framing stays on one segment".into()
            } else {
                format!("the customer framing mentions other segments {mentions} time(s)")
            },
        )
        .quoting(quote(several.iter().copied()))
        .advise(
            mentions as f64 / 3.0,
            "Commit to one customer segment with two observable traits and say why it (size, pain, underserved).".into(),
        ),
    )
}

pub(super) fn outcome_metric(cx: &Context) -> Option<Check> {
    let has = cx.has(Step::Metrics);
    let outcome = saying(cx, Step::Metrics, Property::OutcomeMetric);
    let found = !outcome.is_empty();
    Some(
        Check::new(
            CheckId::OutcomeMetric,
            if found { Status::Pass } else { Status::Fail },
            json!(found),
            "at least one customer-outcome metric",
            if !has {
                "no success metrics were named (no metrics step was found)".into()
            } else if found {
                "a customer-outcome metric was named".into()
            } else {
                format!(
                    "no customer-outcome metric: looked for what the customer gains (time saved, tasks done, problems avoided) {}",
                    cx.where_(Step::Metrics)
                )
            },
        )
        .quoting(quote(outcome.iter().copied()))
        .advise(
            1.0,
            "Measure a customer outcome (time saved, tasks completed, errors avoided) with a direction and threshold, not only usage.".into(),
        ),
    )
}

pub(super) fn usage_metrics_only(cx: &Context) -> Option<Check> {
    let usage = saying(cx, Step::Metrics, Property::UsageMetric);
    if usage.is_empty() || !saying(cx, Step::Metrics, Property::OutcomeMetric).is_empty() {
        return None;
    }
    Some(
        Check::new(
            CheckId::UsageMetricsOnly,
            Status::Warn,
            json!(true),
            "not usage alone (DAU, MAU, session length)",
            "the metrics are usage metrics only".into(),
        )
        .quoting(quote(usage.iter().copied()))
        .advise(
            0.5,
            "Replace usage metrics (DAU, session length) with what the customer gains.".into(),
        ),
    )
}

pub(super) fn guardrail(cx: &Context) -> Option<Check> {
    let guard = saying(cx, Step::Metrics, Property::Guardrail);
    let found = !guard.is_empty();
    Some(
        Check::new(
            CheckId::Guardrail,
            if found { Status::Pass } else { Status::Warn },
            json!(found),
            "one guardrail metric",
            if found {
                "a guardrail metric was named".into()
            } else {
                format!(
                    "no guardrail metric: looked for what must not get worse {}",
                    cx.where_(Step::Metrics)
                )
            },
        )
        .quoting(quote(guard.iter().copied()))
        .advise(
            1.0,
            "Add a guardrail metric: what must not get worse while you move the main metric."
                .into(),
        ),
    )
}

pub(super) fn metric_threshold(cx: &Context) -> Option<Check> {
    if !cx.has(Step::Metrics) {
        return None;
    }
    let with = saying(cx, Step::Metrics, Property::Threshold);
    let found = !with.is_empty();
    Some(
        Check::new(
            CheckId::MetricThreshold,
            if found { Status::Pass } else { Status::Warn },
            json!(found),
            "direction + threshold",
            if found {
                "metrics come with a threshold".into()
            } else {
                format!(
                    "metrics have no threshold: looked for a target number or a direction with a size {}",
                    cx.where_(Step::Metrics)
                )
            },
        )
        .quoting(quote(with.iter().copied()))
        .advise(
            0.5,
            "Give each metric a direction and a threshold (\"from 40% to 60% in 3 months\").".into(),
        ),
    )
}

pub(super) fn risk_mitigation(cx: &Context) -> Option<Check> {
    let has = cx.has(Step::Risks);
    let mitigations = saying(cx, Step::Risks, Property::Mitigation);
    let status = match (has, mitigations.is_empty()) {
        (true, false) => Status::Pass,
        (true, true) => Status::Warn,
        _ => Status::Fail,
    };
    let evidence = if mitigations.is_empty() {
        quote(cx.sentences_of(Step::Risks))
    } else {
        quote(mitigations.iter().copied())
    };
    Some(
        Check::new(
            CheckId::RiskMitigation,
            status,
            json!(has),
            "the biggest risk and a mitigation",
            match status {
                Status::Pass => "named a risk and how to mitigate it".into(),
                Status::Warn => format!(
                    "named a risk but no mitigation: looked for a test, pilot or safeguard {}",
                    cx.where_(Step::Risks)
                ),
                Status::Fail => "no risk or weakest assumption named".into(),
            },
        )
        .quoting(evidence)
        .advise(
            if status == Status::Fail { 1.0 } else { 0.5 },
            "Name the biggest risk or weakest assumption and one way to test or mitigate it."
                .into(),
        ),
    )
}

pub(super) fn thesis(cx: &Context) -> Option<Check> {
    let has = cx.has(Step::Thesis);
    let last = cx.steps.last().map(|r| r.step) == Some(Step::Thesis);
    let thesis: Vec<&Sentence> = cx.sentences_of(Step::Thesis).collect();
    let words: usize = cx
        .steps
        .iter()
        .filter(|r| r.step == Step::Thesis)
        .map(|r| r.words)
        .sum();
    let max = cx.method.thesis_max_words;
    let status = match (has, last, words <= max) {
        (true, true, true) => Status::Pass,
        (true, _, _) => Status::Warn,
        _ => Status::Fail,
    };
    let name = cx.profile.noun(Step::Thesis);
    Some(
        Check::new(
            CheckId::Thesis,
            status,
            json!(has),
            "one sentence, at the end",
            match (has, last) {
                (true, true) if words <= max => format!("ended on the {name} in one sentence"),
                (true, true) => format!("the close ran {words} words; one sentence is enough"),
                (true, false) => format!("the {name} was said, but not at the end"),
                _ => format!("no closing {name}"),
            },
        )
        .quoting(quote(
            thesis[thesis.len().saturating_sub(QUOTED)..]
                .iter()
                .copied(),
        ))
        .advise(if has { 0.5 } else { 1.0 }, cx.profile.close_advice.into()),
    )
}

pub(super) fn star_complete(cx: &Context) -> Option<Check> {
    let missing: Vec<&str> = Step::STAR
        .iter()
        .filter(|s| !cx.has(**s))
        .map(|s| s.id())
        .collect();
    let status = match missing.len() {
        0 => Status::Pass,
        1 => Status::Warn,
        _ => Status::Fail,
    };
    Some(
        Check::new(
            CheckId::StarComplete,
            status,
            json!(4 - missing.len()),
            "situation, task, action, result",
            if missing.is_empty() {
                "all four STAR steps were covered".into()
            } else {
                format!("missing: {}", missing.join(", "))
            },
        )
        .advise(
            missing.len() as f64 / 2.0,
            format!(
                "Cover every STAR step; you left out: {}.",
                missing.join(", ")
            ),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_words_and_ordinals() {
        assert_eq!(number_word("three"), Some(3));
        assert_eq!(number_word("4"), Some(4));
        assert_eq!(number_word("second"), Some(2));
        assert_eq!(number_word("thirdly"), Some(3));
        assert_eq!(number_word("many"), None);
    }
}
