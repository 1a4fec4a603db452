//! Splitting an answer into the method's steps.
//!
//! 1. The words are cut into units: sentences (by punctuation), pauses of 0.8 s or more, and
//!    clauses that open with a step's signpost after a comma.
//! 2. Each unit gets a score per step from the cue lexicon: an opener at the start of the unit is
//!    strong evidence, the same opener later in the unit or a step's typical phrase is moderate,
//!    keywords are weak.
//! 3. A Viterbi pass picks the best sequence of steps over the units: staying in a step is free,
//!    moving on costs a little (more when steps are skipped), going back costs a lot. So a unit
//!    with no cues stays in the step around it, a step appears only when something in the answer
//!    announces it, and a speaker who skips or revisits a step is followed.
//!
//! Boundaries fall at word times: a step starts at the first word of its first unit.

use super::lexicon::{Lexicon, StepCues};
use super::phrases::Pattern;
use super::steps::{Framework, QuestionType, Step};
use crate::transcript::Word;

/// A run of consecutive words given to one step; `first..=last` index the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepSpan {
    pub step: Step,
    pub first: usize,
    pub last: usize,
}

/// A unit of the answer: words `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unit {
    first: usize,
    last: usize,
}

/// A pause this long ends a unit even without punctuation.
const UNIT_PAUSE_S: f64 = 0.8;

/// Words skipped before checking whether a unit opens with a signpost.
const DISCOURSE: [&str; 22] = [
    "so", "and", "okay", "ok", "now", "well", "um", "uh", "alright", "right", "then", "but",
    "next", "oh", "yeah", "yes", "er", "ah", "hmm", "anyway", "actually", "also",
];

fn ends_sentence(word: &str) -> bool {
    let w = word.trim_end_matches(['"', '\'', ')', '\u{201d}']);
    w.ends_with(['.', '?', '!'])
}

fn ends_clause(word: &str) -> bool {
    word.ends_with([',', ';', ':', '-', '\u{2014}'])
}

/// Index of the first word at or after `at` that is not a discourse marker.
fn skip_discourse(norm: &[String], at: usize) -> usize {
    (at..norm.len())
        .find(|&i| !norm[i].is_empty() && !DISCOURSE.contains(&norm[i].as_str()))
        .unwrap_or(norm.len())
}

/// Cut words into units.
fn units(words: &[Word], norm: &[String], lex: &Lexicon, framework: Framework) -> Vec<Unit> {
    let openers: Vec<&Pattern> = framework
        .steps()
        .iter()
        .flat_map(|s| lex.step(*s).openers.iter())
        .filter(|p| p.specificity() >= 2)
        .collect();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..words.len() {
        let last = i + 1 == words.len();
        let boundary_after = last
            || ends_sentence(&words[i].w)
            || words[i + 1].start_s - words[i].end_s >= UNIT_PAUSE_S
            || (ends_clause(&words[i].w) && {
                let at = skip_discourse(norm, i + 1);
                openers.iter().any(|p| p.match_at(norm, at).is_some())
            });
        if boundary_after {
            out.push(Unit {
                first: start,
                last: i,
            });
            start = i + 1;
        }
    }
    out
}

/// Weights of the evidence kinds.
const OPENER_AT_START: f64 = 3.0;
const OPENER_INSIDE: f64 = 1.2;
const PHRASE: f64 = 1.0;
const PHRASE_CAP: f64 = 2.5;
const KEYWORD: f64 = 0.3;
const KEYWORD_CAP: f64 = 0.9;

/// The cues of one step found in one unit.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Evidence {
    pub score: f64,
    /// The cue phrases that matched, as written in the lexicon.
    pub cues: Vec<String>,
}

/// Evidence that `unit` belongs to a step with these cues.
fn evidence(cues: &[&StepCues], norm: &[String], unit: Unit) -> Evidence {
    let words = &norm[unit.first..=unit.last];
    // Where the unit's content starts, after discourse markers.
    let lead = skip_discourse(words, 0);
    let mut opener: (f64, Option<&Pattern>) = (0.0, None);
    let mut phrase = 0.0;
    let mut keyword = 0.0;
    let mut found = Vec::new();
    for c in cues {
        for p in &c.openers {
            for (at, _) in p.find_all(words) {
                let bonus = 1.0 + 0.1 * (p.specificity().min(5) as f64 - 1.0);
                let w = if at <= lead {
                    OPENER_AT_START
                } else {
                    OPENER_INSIDE
                } * bonus;
                if w > opener.0 {
                    opener = (w, Some(p));
                }
            }
        }
        for p in c.phrases.iter().filter(|p| p.is_match(words)) {
            phrase += PHRASE;
            found.push(p.to_string());
        }
        for p in &c.keywords {
            let n = p.find_all(words).len();
            if n > 0 {
                keyword += n as f64 * KEYWORD;
                found.push(p.to_string());
            }
        }
    }
    if let Some(p) = opener.1 {
        found.insert(0, format!("{p} (opener)"));
    }
    Evidence {
        score: opener.0 + phrase.min(PHRASE_CAP) + keyword.min(KEYWORD_CAP),
        cues: found,
    }
}

/// How much the content model's P(step | sentence) counts next to the cues.
const CONTENT_WEIGHT: f64 = 3.5;

/// Transition costs of the Viterbi pass.
const FORWARD: f64 = 1.0;
const PER_SKIPPED: f64 = 0.35;
const BACKWARD: f64 = 3.5;

fn transition(from: usize, to: usize) -> f64 {
    use std::cmp::Ordering::*;
    match to.cmp(&from) {
        Equal => 0.0,
        Greater => FORWARD + PER_SKIPPED * (to - from - 1) as f64,
        Less => BACKWARD,
    }
}

/// Cost of opening the answer with step `k`: as if every earlier step had been skipped, so that
/// starting late is never cheaper than the steps it passes over.
fn start_cost(k: usize) -> f64 {
    PER_SKIPPED * k as f64
}

/// How plausible a step's evidence is at this point of the answer (0..1 through it): the
/// classification comes first and the thesis last.
fn position_weight(step: Step, at: f64) -> f64 {
    match step {
        Step::Classify if at > 0.2 => 0.1,
        Step::Thesis if at < 0.6 => 0.3,
        _ => 1.0,
    }
}

/// Where in an answer (fraction of answer time) each step usually falls. Only matters where the
/// cues are silent: it stops a stretch with no recognizable cue from being pulled into a step
/// that belongs at the other end of the answer.
fn usual_place(step: Step) -> (f64, f64) {
    match step {
        Step::Classify => (0.0, 0.08),
        Step::Customer => (0.0, 0.3),
        Step::Pain => (0.05, 0.45),
        Step::Vision => (0.15, 0.6),
        Step::Capabilities => (0.2, 0.85),
        Step::Metrics => (0.45, 0.95),
        Step::Risks => (0.55, 1.0),
        Step::Thesis => (0.75, 1.0),
        Step::Situation => (0.0, 0.35),
        Step::Task => (0.05, 0.45),
        Step::Action => (0.2, 0.9),
        Step::Result => (0.55, 1.0),
    }
}

/// Speakers pause longer between the parts of an answer than between sentences: changing step
/// after a pause of `gap` seconds costs this much more (negative: less) than the base cost.
fn pause_adjustment(gap: f64) -> f64 {
    if gap >= 0.6 {
        -0.4
    } else if gap < 0.15 {
        0.4
    } else {
        0.0
    }
}

/// Penalty per unit for being this far (fraction of the answer) outside a step's usual place.
const PLACE_PER_TENTH: f64 = 0.25;
const PLACE_CAP: f64 = 1.0;

fn place_penalty(step: Step, at: f64) -> f64 {
    let (lo, hi) = usual_place(step);
    let outside = (lo - at).max(at - hi).max(0.0);
    (outside * 10.0 * PLACE_PER_TENTH).min(PLACE_CAP)
}

/// One unit of the answer, why it went to its step.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UnitExplanation {
    pub start_s: f64,
    pub end_s: f64,
    pub text: String,
    pub step: Step,
    /// Cue evidence per step, strongest first (only steps with any).
    pub evidence: Vec<(Step, Evidence)>,
    /// What the sentence sounds like to the content model: P(step), likeliest first (above 10%).
    pub sounds_like: Vec<(Step, f64)>,
    /// The step with the best combined score for this sentence on its own (before the sequence
    /// is taken into account).
    pub best_alone: Step,
}

struct Decoded {
    units: Vec<Unit>,
    path: Vec<usize>,
    evidence: Vec<Vec<Evidence>>,
    /// The content model's P(step | unit), per unit.
    sounds_like: Vec<Vec<(Step, f64)>>,
    /// The combined score per unit and step that the Viterbi pass used.
    emissions: Vec<Vec<f64>>,
}

fn decode(words: &[Word], qtype: QuestionType, lex: &Lexicon) -> Decoded {
    let steps = qtype.steps();
    let norm: Vec<String> = words
        .iter()
        .map(|w| super::phrases::normalize(&w.w))
        .collect();
    let units = units(words, &norm, lex, qtype.framework());
    let (t0, t1) = (
        words[0].start_s,
        words[words.len() - 1].end_s.max(words[0].start_s + 1e-6),
    );
    let cues: Vec<Vec<&StepCues>> = steps.iter().map(|s| lex.cues_for(qtype, *s)).collect();
    let evidence: Vec<Vec<Evidence>> = units
        .iter()
        .map(|u| cues.iter().map(|c| evidence(c, &norm, *u)).collect())
        .collect();
    let content = super::content::ContentModel::builtin();
    let sounds_like: Vec<Vec<(Step, f64)>> = units
        .iter()
        .map(|u| content.posterior(qtype.framework(), &norm[u.first..=u.last]))
        .collect();
    let emissions: Vec<Vec<f64>> = units
        .iter()
        .zip(&evidence)
        .zip(&sounds_like)
        .map(|((u, ev), like)| {
            // The unit's middle, as a fraction of the answer.
            let at = ((words[u.first].start_s + words[u.last].end_s) / 2.0 - t0) / (t1 - t0);
            steps
                .iter()
                .zip(ev)
                .map(|(s, e)| {
                    let p = like
                        .iter()
                        .find(|(step, _)| step == s)
                        .map_or(0.0, |(_, p)| *p);
                    e.score * position_weight(*s, at) + CONTENT_WEIGHT * p - place_penalty(*s, at)
                })
                .collect()
        })
        .collect();
    let change_cost: Vec<f64> = units
        .iter()
        .map(|u| match u.first {
            0 => 0.0,
            i => pause_adjustment(words[i].start_s - words[i - 1].end_s),
        })
        .collect();
    let path = viterbi(&emissions, &change_cost, steps.len());
    Decoded {
        units,
        path,
        evidence,
        sounds_like,
        emissions,
    }
}

/// Assign every word of the answer to a step.
pub fn segment(words: &[Word], qtype: QuestionType, lex: &Lexicon) -> Vec<StepSpan> {
    if words.is_empty() {
        return Vec::new();
    }
    let steps = qtype.steps();
    let d = decode(words, qtype, lex);
    let mut spans: Vec<StepSpan> = Vec::new();
    for (u, k) in d.units.iter().zip(d.path) {
        match spans.last_mut() {
            Some(s) if s.step == steps[k] => s.last = u.last,
            _ => spans.push(StepSpan {
                step: steps[k],
                first: u.first,
                last: u.last,
            }),
        }
    }
    spans
}

/// The segmentation unit by unit, with the cues behind each decision.
pub fn explain(words: &[Word], qtype: QuestionType, lex: &Lexicon) -> Vec<UnitExplanation> {
    if words.is_empty() {
        return Vec::new();
    }
    let steps = qtype.steps();
    let Decoded {
        units,
        path,
        evidence,
        sounds_like,
        emissions,
    } = decode(words, qtype, lex);
    units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let mut ev: Vec<(Step, Evidence)> = steps
                .iter()
                .copied()
                .zip(evidence[i].iter().cloned())
                .filter(|(_, e)| e.score > 0.0)
                .collect();
            ev.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
            let mut like: Vec<(Step, f64)> = sounds_like[i]
                .iter()
                .copied()
                .filter(|(_, p)| *p > 0.1)
                .collect();
            like.sort_by(|a, b| b.1.total_cmp(&a.1));
            let best = (0..steps.len())
                .max_by(|&a, &b| emissions[i][a].total_cmp(&emissions[i][b]))
                .unwrap_or(0);
            UnitExplanation {
                start_s: words[u.first].start_s,
                end_s: words[u.last].end_s,
                text: words[u.first..=u.last]
                    .iter()
                    .map(|w| w.w.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                step: steps[path[i]],
                evidence: ev,
                sounds_like: like,
                best_alone: steps[best],
            }
        })
        .collect()
}

/// Spans from known boundaries: each word goes to the last step starting before its middle.
pub fn from_boundaries(words: &[Word], bounds: &[(Step, f64)]) -> Vec<StepSpan> {
    let mut spans: Vec<StepSpan> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let mid = (w.start_s + w.end_s) / 2.0;
        let Some(step) = bounds
            .iter()
            .rev()
            .find(|(_, t)| *t <= mid)
            .or(bounds.first())
            .map(|(s, _)| *s)
        else {
            continue;
        };
        match spans.last_mut() {
            Some(s) if s.step == step => s.last = i,
            _ => spans.push(StepSpan {
                step,
                first: i,
                last: i,
            }),
        }
    }
    spans
}

/// Best state sequence: maximise total evidence minus transition costs.
/// `change_cost[i]` adjusts the cost of changing step between unit i-1 and unit i (see
/// [`pause_adjustment`]).
fn viterbi(emissions: &[Vec<f64>], change_cost: &[f64], n: usize) -> Vec<usize> {
    let mut best: Vec<f64> = (0..n).map(|k| emissions[0][k] - start_cost(k)).collect();
    let mut back: Vec<Vec<usize>> = Vec::with_capacity(emissions.len());
    back.push((0..n).collect());
    for (i, e) in emissions.iter().enumerate().skip(1) {
        let mut next = vec![f64::NEG_INFINITY; n];
        let mut from = vec![0; n];
        for k in 0..n {
            for (j, b) in best.iter().enumerate() {
                let change = if j == k { 0.0 } else { change_cost[i] };
                let v = b - transition(j, k) - change + e[k];
                if v > next[k] {
                    next[k] = v;
                    from[k] = j;
                }
            }
        }
        best = next;
        back.push(from);
    }
    let mut k = (0..n)
        .max_by(|&a, &b| best[a].total_cmp(&best[b]))
        .unwrap_or(0);
    let mut path = vec![k; emissions.len()];
    for i in (1..emissions.len()).rev() {
        k = back[i][k];
        path[i - 1] = k;
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words from text, 0.3 s each, with a 1 s pause after each sentence.
    fn speak(text: &str) -> Vec<Word> {
        let mut t = 5.0;
        let mut out = Vec::new();
        for w in text.split_whitespace() {
            out.push(Word::new(w, t, t + 0.3));
            t += if ends_sentence(w) { 1.3 } else { 0.3 };
        }
        out
    }

    fn steps_of(text: &str, qtype: QuestionType) -> Vec<&'static str> {
        let words = speak(text);
        segment(&words, qtype, &Lexicon::builtin())
            .iter()
            .map(|s| s.step.id())
            .collect()
    }

    #[test]
    fn explicit_signposts_give_every_step_in_order() {
        let got = steps_of(
            "I'd treat this as a product sense question. I want to focus on busy nurses who work night shifts. \
             Today, they spend an hour every week planning meals by hand. Imagine instead that dinner just shows up planned. \
             Working backwards from that, the product needs three capabilities. First, a planner. Second, a shopping list. \
             I'd measure success by the share of nurses who cook at home. The biggest risk is trust. \
             In one sentence, we are building a planner for nurses who waste time, replacing spreadsheets with calm.",
            QuestionType::ProductSense,
        );
        assert_eq!(
            got,
            [
                "classify",
                "customer",
                "pain",
                "vision",
                "capabilities",
                "metrics",
                "risks",
                "thesis"
            ]
        );
    }

    #[test]
    fn sentences_without_cues_stay_with_their_step() {
        let got = steps_of(
            "Today, nurses plan meals on paper. It takes them an hour. The lists get lost. They often give up. \
             Working backwards from that, the product needs a planner. It suggests meals. It builds the list.",
            QuestionType::ProductSense,
        );
        assert_eq!(got, ["pain", "capabilities"]);
    }

    #[test]
    fn skipped_steps_are_not_invented() {
        let got = steps_of(
            "Let me narrow this down to small landlords. Right now, they chase rent by text message every month. \
             I'd measure success by on-time rent. The biggest risk is that tenants ignore reminders.",
            QuestionType::ProductSense,
        );
        assert_eq!(got, ["customer", "pain", "metrics", "risks"]);
    }

    #[test]
    fn a_speaker_going_back_is_followed() {
        let got = steps_of(
            "Today, shift managers build rotas in spreadsheets. Working backwards from that, we'd build a scheduler. \
             It suggests rotas. Actually, going back to the pain: right now, swaps happen in a group chat and get lost. \
             The workaround is phone calls. So the second capability is a swap board. Another capability is alerts. \
             I'd measure success by fewer missed shifts.",
            QuestionType::ProductSense,
        );
        assert_eq!(
            got,
            ["pain", "capabilities", "pain", "capabilities", "metrics"]
        );
    }

    #[test]
    fn paraphrased_transitions_are_recognised() {
        let got = steps_of(
            "The people I care about here are first-time landlords. \
             What happens today is they chase tenants by phone. \
             In an ideal world, rent just arrives and they never think about it. \
             To get there, we'd need automatic reminders. \
             How would we know it's working? Late payments drop by half. \
             What worries me most is that tenants see reminders as nagging.",
            QuestionType::ProductSense,
        );
        assert_eq!(
            got,
            [
                "customer",
                "pain",
                "vision",
                "capabilities",
                "metrics",
                "risks"
            ]
        );
    }

    #[test]
    fn behavioral_answers_use_star() {
        let got = steps_of(
            "At my last company, we were a team of six building a payments app. \
             My task was to ship the redesign before the holiday freeze. \
             So I met with the engineering lead and cut the scope. Then I set up daily check-ins. \
             As a result, we shipped two days early and conversion went up eight percent.",
            QuestionType::Behavioral,
        );
        assert_eq!(got, ["situation", "task", "action", "result"]);
    }

    #[test]
    fn a_clause_after_a_comma_can_open_a_step() {
        let got = steps_of(
            "Right now they waste an hour a week on it, and the biggest risk is that they won't change habits.",
            QuestionType::ProductSense,
        );
        assert_eq!(got, ["pain", "risks"]);
    }

    #[test]
    fn no_words_no_steps() {
        assert!(segment(&[], QuestionType::ProductSense, &Lexicon::builtin()).is_empty());
    }

    #[test]
    fn viterbi_prefers_staying_without_evidence() {
        let e = vec![
            vec![0.0, 3.0, 0.0],
            vec![0.0, 0.0, 0.0],
            vec![0.0, 0.0, 3.0],
        ];
        assert_eq!(viterbi(&e, &[0.0; 3], 3), vec![1, 1, 2]);
        // weak evidence is not enough to go back
        let e = vec![vec![0.0, 0.0, 3.0], vec![1.0, 0.0, 0.0]];
        assert_eq!(viterbi(&e, &[0.0; 2], 3), vec![2, 2]);
    }
}
