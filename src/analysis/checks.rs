//! Every rule of SPEC §2–§4 as a check: status, the actual value, the target and a message, plus
//! the advice to give when it is the thing to fix next time.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use serde_json::{Value, json};

use super::guidance::{self as g, Budget};
use super::lexicon::Lexicon;
use super::phrases::{Pattern, normalize_all};
use super::steps::{QuestionType, Step};
use super::timing::{StepReport, seconds};
use crate::time::human;
use crate::transcript::Word;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

/// One rule's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub id: Cow<'static, str>,
    pub status: Status,
    pub actual: Value,
    pub target: String,
    pub message: String,
    /// What to do differently (empty on pass).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub advice: String,
    /// The value sits so close to the limit that the segmentation's uncertainty could put it
    /// on the other side: reported as a warning whatever the point value says.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub borderline: bool,
    /// How much fixing this would improve the answer; orders the advice.
    #[serde(skip)]
    pub severity: f64,
}

/// How much each rule matters to the method, for ranking advice.
fn priority(id: &str) -> f64 {
    match id {
        "problem_share" => 3.0,
        "solution_share" => 2.5,
        "over_framing" | "answer_length" => 2.0,
        "customer_framing" | "star_complete" => 1.5,
        "pain" | "capability_count" | "outcome_metric" => 1.2,
        "fillers" | "pace" | "long_pauses" => 0.7,
        _ => 1.0,
    }
}

impl Check {
    pub(crate) fn new(
        id: &'static str,
        status: Status,
        actual: Value,
        target: impl Into<String>,
        message: String,
    ) -> Self {
        Check {
            id: id.into(),
            status,
            actual,
            target: target.into(),
            message,
            advice: String::new(),
            borderline: false,
            severity: 0.0,
        }
    }

    /// Mark a share verdict borderline when `range` (where the share could be, given the
    /// segmentation's uncertainty) straddles `limit`: a warning that says so, whatever the point
    /// value's status.
    fn borderline_if(mut self, range: Option<(f64, f64)>, limit: f64) -> Self {
        if let Some((lo, hi)) = range
            && lo < limit
            && limit < hi
        {
            self.borderline = true;
            self.status = Status::Warn;
            self.message.push_str(&format!(
                "; borderline: where the steps change is uncertain enough that it could be {}-{}",
                pct(lo),
                pct(hi)
            ));
        }
        self
    }

    /// Attach advice, with `deviation` (0 = at the limit, 1 = a whole range away) scaling severity.
    pub(crate) fn advise(mut self, deviation: f64, advice: String) -> Self {
        if self.status != Status::Pass {
            let weight = if self.status == Status::Fail {
                2.0
            } else {
                1.0
            };
            self.severity = weight * priority(&self.id) * (1.0 + deviation.clamp(0.0, 2.0));
            self.advice = advice;
        }
        self
    }
}

/// Everything the checks look at.
pub struct Context<'a> {
    pub qtype: QuestionType,
    pub words: &'a [Word],
    pub steps: &'a [StepReport],
    pub answer_s: f64,
    pub think_pause_s: f64,
    pub lex: &'a Lexicon,
    /// Where the problem and solution shares could be, given the segmentation's uncertainty.
    pub share_ranges: Option<ShareRanges>,
}

/// 10th–90th percentile of the problem and solution shares over plausible segmentations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShareRanges {
    pub problem: (f64, f64),
    pub solution: (f64, f64),
}

impl Context<'_> {
    fn secs(&self, pred: impl Fn(Step) -> bool) -> f64 {
        seconds(self.steps, pred)
    }

    fn has(&self, step: Step) -> bool {
        self.steps.iter().any(|r| r.step == step)
    }

    /// The raw words of every span of `step`.
    fn words_of(&self, step: Step) -> Vec<&str> {
        self.steps
            .iter()
            .filter(|r| r.step == step)
            .flat_map(|r| {
                self.words[r.first_word..=r.last_word]
                    .iter()
                    .map(|w| w.w.as_str())
            })
            .collect()
    }

    fn norm_of(&self, step: Step) -> Vec<String> {
        normalize_all(&self.words_of(step))
    }

    /// The sentences of `step` as normalized word lists.
    fn sentences_of(&self, step: Step) -> Vec<Vec<String>> {
        let mut out = vec![];
        let mut cur = vec![];
        for w in self.words_of(step) {
            cur.push(w);
            if w.ends_with(['.', '?', '!']) {
                out.push(normalize_all(&std::mem::take(&mut cur)));
            }
        }
        if !cur.is_empty() {
            out.push(normalize_all(&cur));
        }
        out
    }
}

fn any_match(patterns: &[Pattern], words: &[String]) -> bool {
    patterns.iter().any(|p| p.is_match(words))
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// Pass inside `[lo, hi]`, warn within `slack` (a fraction of the bound) outside, else fail;
/// returns the status and how far outside the range the value is, relative to the range.
fn banded(v: f64, lo: f64, hi: f64, slack: f64) -> (Status, f64) {
    let width = (hi - lo).max(hi * 0.25).max(1e-9);
    let dev = if v < lo {
        (lo - v) / width
    } else if v > hi {
        (v - hi) / width
    } else {
        0.0
    };
    let status = if (lo..=hi).contains(&v) {
        Status::Pass
    } else if v >= lo * (1.0 - slack) && v <= hi * (1.0 + slack) {
        Status::Warn
    } else {
        Status::Fail
    };
    (status, dev)
}

/// A timing budget as a check.
fn budget_check(
    id: &'static str,
    b: &Budget,
    actual: f64,
    what: &str,
    slack: f64,
    advice: impl Fn(f64) -> String,
) -> Check {
    let (status, dev) = banded(actual, b.min_s, b.max_s, slack);
    let message = format!(
        "{what}: {} (target {})",
        human(actual),
        crate::time::range(b.min_s, b.max_s)
    );
    Check::new(
        id,
        status,
        json!(crate::time::round_cs(actual)),
        format!("{}-{} s", b.min_s, b.max_s),
        message,
    )
    .advise(dev, advice(actual))
}

/// The timing rules of SPEC §2.
pub fn timing(cx: &Context) -> Vec<Check> {
    let mut out = vec![];
    let t = cx.qtype;
    let answer = cx.answer_s;
    let problem = cx.secs(Step::is_problem);
    let solution = cx.secs(Step::is_solution);

    if g::shares_apply(t) && answer > 0.0 {
        let share = round3(problem / answer);
        let status = if share >= g::MIN_PROBLEM_SHARE {
            Status::Pass
        } else if share >= g::MIN_PROBLEM_SHARE - 0.05 {
            Status::Warn
        } else {
            Status::Fail
        };
        let missing = (g::MIN_PROBLEM_SHARE * answer - problem).max(0.0);
        out.push(
            Check::new(
                "problem_share",
                status,
                json!(round3(share)),
                ">= 0.30",
                format!("{} of the answer defined the problem (customer, pain, end state); at least 30%", pct(share)),
            )
            .borderline_if(cx.share_ranges.map(|r| r.problem), g::MIN_PROBLEM_SHARE)
            .advise(
                (g::MIN_PROBLEM_SHARE - share) / g::MIN_PROBLEM_SHARE,
                format!(
                    "Spend about {} more on the problem before any solution: only {} of your answer was customer, pain and end state (aim for 30% or more).",
                    human(missing),
                    pct(share)
                ),
            ),
        );
        let share = round3(solution / answer);
        let status = if share <= g::MAX_SOLUTION_SHARE {
            Status::Pass
        } else if share <= g::MAX_SOLUTION_SHARE + 0.05 {
            Status::Warn
        } else {
            Status::Fail
        };
        let extra = (solution - g::MAX_SOLUTION_SHARE * answer).max(0.0);
        out.push(
            Check::new(
                "solution_share",
                status,
                json!(round3(share)),
                "<= 0.40",
                format!("{} of the answer went to the solution (capabilities, metrics); at most 40%", pct(share)),
            )
            .borderline_if(cx.share_ranges.map(|r| r.solution), g::MAX_SOLUTION_SHARE)
            .advise(
                (share - g::MAX_SOLUTION_SHARE) / g::MAX_SOLUTION_SHARE,
                format!(
                    "Cut about {} from capabilities and metrics: they took {} of the answer (at most 40%). Keep 3-5 capabilities and 2-3 metrics.",
                    human(extra),
                    pct(share)
                ),
            ),
        );
    }

    // Whole answer: 5–8 minutes for a full sequence; at most 8 for any answer.
    let lo = if g::minimum_length_applies(t) {
        g::ANSWER.min_s
    } else {
        0.0
    };
    let (status, dev) = banded(answer, lo, g::ANSWER.max_s, 0.0);
    let status = if status == Status::Fail && answer < lo && answer >= lo * 0.8 {
        Status::Warn
    } else {
        status
    };
    let longest = cx
        .steps
        .iter()
        .max_by(|a, b| a.duration_s.total_cmp(&b.duration_s));
    let length_advice = if answer > g::ANSWER.max_s {
        format!(
            "Bring the answer under 8 minutes (it ran {}); {} took the longest ({}), so trim there and practise against a 6-minute timer.",
            crate::time::clock(answer),
            longest.map_or("one step", |s| s.step.label()),
            crate::time::clock(longest.map_or(0.0, |s| s.duration_s))
        )
    } else {
        format!(
            "Use the time: the answer ran {}; a full answer takes 5-8 minutes, so give each step its budget.",
            crate::time::clock(answer)
        )
    };
    out.push(
        Check::new(
            "answer_length",
            status,
            json!(crate::time::round_cs(answer)),
            if lo > 0.0 { "300-480 s" } else { "<= 480 s" },
            format!(
                "answer time {} (target {})",
                crate::time::clock(answer),
                if lo > 0.0 {
                    "5–8 min, practise to 6"
                } else {
                    "at most 8 min"
                }
            ),
        )
        .advise(dev, length_advice),
    );

    // Think pause 5–10 s.
    let (status, dev) = banded(
        cx.think_pause_s,
        g::THINK_PAUSE.min_s,
        g::THINK_PAUSE.max_s,
        0.0,
    );
    let status = if status == Status::Fail && (2.0..=20.0).contains(&cx.think_pause_s) {
        Status::Warn
    } else {
        status
    };
    let pause_advice = if cx.think_pause_s < g::THINK_PAUSE.min_s {
        format!(
            "Take 5-10 s to think before you speak: you started after {}. Classify the question and pick your customer first.",
            human(cx.think_pause_s)
        )
    } else {
        format!(
            "Start speaking within 10 s: you were silent for {}. Say the question type aloud to get going.",
            human(cx.think_pause_s)
        )
    };
    out.push(
        Check::new(
            "think_pause",
            status,
            json!(crate::time::round_cs(cx.think_pause_s)),
            "5-10 s",
            format!(
                "{} of silence before the first word (target 5–10 s)",
                human(cx.think_pause_s)
            ),
        )
        .advise(dev, pause_advice),
    );

    if let Some(b) = g::customer_framing(t) {
        let framing = cx.secs(|s| matches!(s, Step::Customer | Step::Pain));
        out.push(budget_check("customer_framing", &b, framing, "customer + pain", 0.25, |v| {
            if v < b.min_s {
                format!(
                    "Frame the customer and their pain for {}-{} s in a {} answer: you gave it {}.",
                    b.min_s,
                    b.max_s,
                    t.label(),
                    human(v)
                )
            } else {
                format!(
                    "Tighten the customer framing to {}-{} s for a {} question: it took {}. Pick one segment and move on.",
                    b.min_s,
                    b.max_s,
                    t.label(),
                    human(v)
                )
            }
        }));
    }

    if g::pain_rule_applies(t) {
        let pain = cx.secs(|s| s == Step::Pain);
        out.push(budget_check("pain", &g::PAIN, pain, "current pain", 0.25, |v| {
            if v < g::PAIN.min_s {
                format!(
                    "Describe today's pain concretely for 30-60 s (actions, time spent, the workaround): you spent {}.",
                    human(v)
                )
            } else {
                format!("Keep the pain to 30-60 s: it took {}. One vivid example is enough.", human(v))
            }
        }));
    }

    if t == QuestionType::ProductSense {
        let framing = problem;
        let status = if framing <= g::OVER_FRAMING_WARN_S {
            Status::Pass
        } else if framing < g::OVER_FRAMING_FAIL_S {
            Status::Warn
        } else {
            Status::Fail
        };
        out.push(
            Check::new(
                "over_framing",
                status,
                json!(crate::time::round_cs(framing)),
                "<= 120 s",
                format!("customer framing (steps 2–4) took {} (90–120 s for product sense)", human(framing)),
            )
            .advise(
                (framing - g::OVER_FRAMING_WARN_S) / g::OVER_FRAMING_WARN_S,
                format!(
                    "Cut the framing to 90-120 s: steps 2-4 took {}. Over 2 minutes usually means several segments; commit to one.",
                    crate::time::clock(framing)
                ),
            ),
        );
    }

    if g::full_sequence(t) {
        let risks = cx.secs(|s| s == Step::Risks);
        out.push(budget_check("pressure_test", &g::PRESSURE_TEST, risks, "pressure-test", 0.5, |v| {
            if v == 0.0 {
                "Pressure-test the idea for 20-30 s: name the biggest risk or weakest assumption and how you'd mitigate it.".to_string()
            } else if v < g::PRESSURE_TEST.min_s {
                format!("Give the pressure-test 20-30 s: you spent {} on risks.", human(v))
            } else {
                format!("Keep the pressure-test to 20-30 s: it took {}. One risk and one mitigation.", human(v))
            }
        }));
    }
    out
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
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

/// The content checks of SPEC §3.
pub fn content(cx: &Context) -> Vec<Check> {
    let t = cx.qtype;
    let c = &cx.lex.checks;
    let mut out = vec![];
    let all = normalize_all(&cx.words.iter().map(|w| w.w.as_str()).collect::<Vec<_>>());

    if matches!(t, QuestionType::ProductSense | QuestionType::Strategy) {
        // Deprioritization with a reason.
        let mut stated = false;
        let mut reasoned = false;
        for p in &c.deprioritize {
            for (_, end) in p.find_all(&all) {
                stated = true;
                let window = &all[end.saturating_sub(1)..(end + 25).min(all.len())];
                reasoned |= any_match(&c.reason, window);
            }
        }
        let status = match (stated, reasoned) {
            (true, true) => Status::Pass,
            (true, false) => Status::Warn,
            _ => Status::Fail,
        };
        out.push(
            Check::new(
                "deprioritization",
                status,
                json!(stated),
                "1-2 things not built in v1, with a reason",
                match status {
                    Status::Pass => "named what v1 will not build, and why".into(),
                    Status::Warn => "named what v1 will not build, but no reason followed".into(),
                    Status::Fail => "no explicit \"not in v1\"".into(),
                },
            )
            .advise(
                0.0,
                "Say what you would NOT build in v1 and why (\"we would not build X in v1 because...\"): cutting shows judgement.".into(),
            ),
        );

        // 3–5 capabilities; hedging signals an uncut list.
        if cx.has(Step::Capabilities) {
            let norm = cx.norm_of(Step::Capabilities);
            let mut stated_n = 0;
            for p in &c.capability_count {
                for (at, _) in p.find_all(&norm) {
                    stated_n = stated_n.max(number_word(&norm[at]).unwrap_or(0));
                }
            }
            let sentences = cx.sentences_of(Step::Capabilities);
            let items = sentences
                .iter()
                .filter(|s| any_match(&c.capability_item, s))
                .count();
            let ordinal_max = norm
                .iter()
                .filter(|w| {
                    w.ends_with("st")
                        || w.ends_with("nd")
                        || w.ends_with("rd")
                        || w.ends_with("th")
                        || w.ends_with("ly")
                })
                .filter_map(|w| number_word(w))
                .max()
                .unwrap_or(0);
            // An enumeration usually leaves its first item unmarked ("We need a planner. Second, ...").
            let counted = stated_n
                .max(ordinal_max)
                .max(if items > 0 { items + 1 } else { 0 });
            let status = match counted {
                3..=5 => Status::Pass,
                0 | 2 | 6 | 7 => Status::Warn,
                _ => Status::Fail,
            };
            out.push(
                Check::new(
                    "capability_count",
                    status,
                    if counted == 0 { Value::Null } else { json!(counted) },
                    "3-5",
                    if counted == 0 {
                        "could not tell how many capabilities were named (number them: first, second, third)".into()
                    } else {
                        format!("about {counted} capabilities named (3–5, not 6–10)")
                    },
                )
                .advise(
                    counted.saturating_sub(5) as f64 / 5.0,
                    if counted > 5 {
                        format!("Cut the list to 3-5 capabilities (you named about {counted}), each tied to the end state.")
                    } else {
                        "Name 3-5 capabilities explicitly (\"first..., second..., third...\"), each justified by the end state.".into()
                    },
                ),
            );
            let hedges: usize = c.hedging.iter().map(|p| p.find_all(&norm).len()).sum();
            let status = match hedges {
                0 => Status::Pass,
                1 | 2 => Status::Warn,
                _ => Status::Fail,
            };
            out.push(
                Check::new(
                    "capability_hedging",
                    status,
                    json!(hedges),
                    "0",
                    format!("{hedges} hedged extras (\"we could also add...\")"),
                )
                .advise(
                    hedges as f64 / 3.0,
                    "Drop the \"we could also add...\" extras: an uncut list reads as no prioritization.".into(),
                ),
            );
        }

        // One segment, not several.
        let norm = cx.norm_of(Step::Customer);
        let mentions: usize = c
            .multiple_segments
            .iter()
            .map(|p| p.find_all(&norm).len())
            .sum();
        let status = match mentions {
            0 => Status::Pass,
            1 | 2 => Status::Warn,
            _ => Status::Fail,
        };
        out.push(
            Check::new(
                "single_segment",
                status,
                json!(mentions),
                "one segment",
                if mentions == 0 {
                    "the customer framing stays on one segment".into()
                } else {
                    format!("the customer framing mentions other segments {mentions} time(s)")
                },
            )
            .advise(
                mentions as f64 / 3.0,
                "Commit to one customer segment with two observable traits and say why it (size, pain, underserved).".into(),
            ),
        );
    }

    if g::full_sequence(t) {
        // Metrics.
        let norm = cx.norm_of(Step::Metrics);
        let has_metrics = cx.has(Step::Metrics);
        let outcome = has_metrics && any_match(&c.outcome_metrics, &norm);
        let usage = has_metrics && any_match(&c.usage_metrics, &norm);
        out.push(
            Check::new(
                "outcome_metric",
                if outcome { Status::Pass } else { Status::Fail },
                json!(outcome),
                "at least one customer-outcome metric",
                if !has_metrics {
                    "no success metrics were named".into()
                } else if outcome {
                    "a customer-outcome metric was named".into()
                } else {
                    "no customer-outcome metric (only usage or none)".into()
                },
            )
            .advise(
                0.3,
                "Measure a customer outcome (time saved, tasks completed, errors avoided) with a direction and threshold, not only usage.".into(),
            ),
        );
        if usage && !outcome {
            out.push(
                Check::new(
                    "usage_metrics_only",
                    Status::Warn,
                    json!(true),
                    "not usage alone (DAU, MAU, session length)",
                    "the metrics are usage metrics only".into(),
                )
                .advise(
                    0.0,
                    "Replace usage metrics (DAU, session length) with what the customer gains."
                        .into(),
                ),
            );
        }
        let guardrail = has_metrics && any_match(&c.guardrail, &norm);
        out.push(
            Check::new(
                "guardrail",
                if guardrail {
                    Status::Pass
                } else {
                    Status::Warn
                },
                json!(guardrail),
                "one guardrail metric",
                if guardrail {
                    "a guardrail metric was named".into()
                } else {
                    "no guardrail metric".into()
                },
            )
            .advise(
                0.0,
                "Add a guardrail metric: what must not get worse while you move the main metric."
                    .into(),
            ),
        );
        if has_metrics {
            let threshold = any_match(&c.threshold, &norm)
                || norm
                    .iter()
                    .any(|w| w.chars().any(|ch| ch.is_ascii_digit()) && w != "v1");
            out.push(
                Check::new(
                    "metric_threshold",
                    if threshold { Status::Pass } else { Status::Warn },
                    json!(threshold),
                    "direction + threshold",
                    if threshold { "metrics come with a threshold".into() } else { "metrics have no threshold".into() },
                )
                .advise(0.0, "Give each metric a direction and a threshold (\"from 40% to 60% in 3 months\").".into()),
            );
        }

        // Risk with a mitigation.
        let norm = cx.norm_of(Step::Risks);
        let mitigated = any_match(&c.mitigation, &norm);
        let status = match (cx.has(Step::Risks), mitigated) {
            (true, true) => Status::Pass,
            (true, false) => Status::Warn,
            _ => Status::Fail,
        };
        out.push(
            Check::new(
                "risk_mitigation",
                status,
                json!(cx.has(Step::Risks)),
                "the biggest risk and a mitigation",
                match status {
                    Status::Pass => "named a risk and how to mitigate it".into(),
                    Status::Warn => "named a risk but no mitigation".into(),
                    Status::Fail => "no risk or weakest assumption named".into(),
                },
            )
            .advise(
                0.0,
                "Name the biggest risk or weakest assumption and one way to test or mitigate it."
                    .into(),
            ),
        );
    }

    if t != QuestionType::Behavioral {
        // A one-sentence thesis at the end.
        let last = cx.steps.last().map(|r| r.step);
        let thesis_words = cx
            .words_of(Step::Thesis)
            .iter()
            .filter(|w| super::timing::is_word(w))
            .count();
        let status = match (
            cx.has(Step::Thesis),
            last == Some(Step::Thesis),
            thesis_words <= 60,
        ) {
            (true, true, true) => Status::Pass,
            (true, _, _) => Status::Warn,
            _ => Status::Fail,
        };
        out.push(
            Check::new(
                "thesis",
                status,
                json!(cx.has(Step::Thesis)),
                "one sentence, at the end",
                match (cx.has(Step::Thesis), last == Some(Step::Thesis)) {
                    (true, true) if thesis_words <= 60 => "ended on a one-sentence thesis".into(),
                    (true, true) => format!("the closing thesis ran {thesis_words} words; one sentence is enough"),
                    (true, false) => "a thesis was said, but not at the end".into(),
                    _ => "no closing thesis".into(),
                },
            )
            .advise(
                0.0,
                if t == QuestionType::Estimation {
                    "Finish with the number in one sentence, then stop.".into()
                } else {
                    "End with one sentence: \"We are building [capability] for [customer] who [pain], replacing [workaround] with [outcome].\" Then stop.".into()
                },
            ),
        );
    } else {
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
        out.push(
            Check::new(
                "star_complete",
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
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banded_statuses() {
        assert_eq!(banded(45.0, 30.0, 60.0, 0.25).0, Status::Pass);
        assert_eq!(banded(25.0, 30.0, 60.0, 0.25).0, Status::Warn);
        assert_eq!(banded(20.0, 30.0, 60.0, 0.25).0, Status::Fail);
        assert_eq!(banded(70.0, 30.0, 60.0, 0.25).0, Status::Warn);
        assert_eq!(banded(80.0, 30.0, 60.0, 0.25).0, Status::Fail);
        assert_eq!(banded(30.0, 30.0, 60.0, 0.0).0, Status::Pass);
        assert!(banded(90.0, 30.0, 60.0, 0.25).1 > banded(70.0, 30.0, 60.0, 0.25).1);
    }

    #[test]
    fn number_words_and_ordinals() {
        assert_eq!(number_word("three"), Some(3));
        assert_eq!(number_word("4"), Some(4));
        assert_eq!(number_word("second"), Some(2));
        assert_eq!(number_word("thirdly"), Some(3));
        assert_eq!(number_word("many"), None);
    }
}
