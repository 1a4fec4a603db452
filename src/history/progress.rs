//! Trends over takes: the figures `progress` follows, each take's change against the previous
//! take of its type (history's arrows), and the week-by-week summary.

use serde::Serialize;

use super::index::Row;
use crate::analysis::QuestionType;
use crate::analysis::method::{METHOD, profile};

/// Which way a figure should go.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Target {
    const fn at_least(v: f64) -> Target {
        Target {
            min: Some(v),
            max: None,
        }
    }
    const fn at_most(v: f64) -> Target {
        Target {
            min: None,
            max: Some(v),
        }
    }
    const fn between(lo: f64, hi: f64) -> Target {
        Target {
            min: Some(lo),
            max: Some(hi),
        }
    }

    /// How far `v` is outside the target (0 inside).
    pub fn miss(&self, v: f64) -> f64 {
        let below = self.min.map_or(0.0, |m| (m - v).max(0.0));
        let above = self.max.map_or(0.0, |m| (v - m).max(0.0));
        below + above
    }
}

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A fraction shown as a percentage.
    Share,
    Seconds,
    WordsPerMinute,
    Per100Words,
}

/// One figure over the takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric {
    pub id: String,
    pub label: String,
    pub unit: Unit,
    pub target: Option<Target>,
    /// (Unix seconds, value), oldest first; takes without the figure are left out.
    pub points: Vec<(i64, f64)>,
    /// The take of each point (for the page's links; not part of `paceback.progress/1`).
    #[serde(skip)]
    pub take_ids: Vec<String>,
}

impl Metric {
    pub fn first(&self) -> Option<f64> {
        self.points.first().map(|p| p.1)
    }
    pub fn latest(&self) -> Option<f64> {
        self.points.last().map(|p| p.1)
    }

    /// Whether the latest take is nearer the target than the first (None without a target or
    /// with fewer than two takes).
    pub fn improved(&self) -> Option<bool> {
        let (t, a, b) = (self.target?, self.first()?, self.latest()?);
        (self.points.len() >= 2 && t.miss(a) != t.miss(b)).then(|| t.miss(b) < t.miss(a))
    }
}

/// A calendar week's takes, averaged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    /// The Monday the week starts on.
    pub week_of: String,
    pub takes: usize,
    pub problem_share: Option<f64>,
    pub solution_share: Option<f64>,
    pub answer_s: f64,
    pub checks_passed: f64,
}

/// Everything `progress` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub schema: &'static str,
    pub takes: usize,
    pub first_at: Option<String>,
    pub latest_at: Option<String>,
    pub metrics: Vec<Metric>,
    pub weeks: Vec<Week>,
}

pub const SCHEMA: &str = "paceback.progress/1";

/// Whether the problem/solution shares apply to the take's question type.
fn shares_apply(r: &Row) -> bool {
    profile(r.question.qtype).rules.shares
}

/// Pace band both coaches' ranges agree on.
fn pace_target() -> Target {
    let lo = METHOD
        .pace_bands
        .iter()
        .map(|b| b.1)
        .fold(f64::MIN, f64::max);
    let hi = METHOD
        .pace_bands
        .iter()
        .map(|b| b.2)
        .fold(f64::MAX, f64::min);
    Target::between(lo, hi)
}

/// One take's reading of a figure: its label in that take's type, its target there, its value.
type Reading = (String, Target, f64);

/// A time budget as a target: "at most" when it has no minimum.
fn budget_target(min_s: f64, max_s: f64) -> Target {
    if min_s > 0.0 {
        Target::between(min_s, max_s)
    } else {
        Target::at_most(max_s)
    }
}

/// One figure over `rows`, read by `f` as (label, target, value) per take: one metric when
/// every take has the same target, else one per target, its id and label naming the question
/// types that share it ("Customer + pain (strategy)", `budget_customer_framing:strategy`; the
/// label of a target three types or more share says "other types").
fn by_target(
    rows: &[&Row],
    id: &str,
    unit: Unit,
    f: &dyn Fn(&Row) -> Option<Reading>,
) -> Vec<Metric> {
    // Each target's metric, with the types whose takes it holds.
    let mut groups: Vec<(Vec<QuestionType>, Metric)> = Vec::new();
    for r in rows {
        let Some((label, target, v)) = f(r) else {
            continue;
        };
        let i = match groups.iter().position(|g| g.1.target == Some(target)) {
            Some(i) => i,
            None => {
                let metric = Metric {
                    id: id.into(),
                    label,
                    unit,
                    target: Some(target),
                    points: Vec::new(),
                    take_ids: Vec::new(),
                };
                groups.push((Vec::new(), metric));
                groups.len() - 1
            }
        };
        let (types, m) = &mut groups[i];
        if !types.contains(&r.question.qtype) {
            types.push(r.question.qtype);
        }
        m.points.push((r.recorded_unix, v));
        m.take_ids.push(r.id.clone());
    }
    let split = groups.len() > 1;
    groups
        .into_iter()
        .map(|(types, mut m)| {
            if split {
                let ids: Vec<&str> = types.iter().map(|t| t.id()).collect();
                let labels: Vec<&str> = types.iter().map(|t| t.label()).collect();
                m.id = format!("{id}:{}", ids.join("+"));
                // Three types or more share the usual target: named by the exceptions beside it.
                m.label = if types.len() >= 3 {
                    format!("{} (other types)", m.label)
                } else {
                    format!("{} ({})", m.label, labels.join(", "))
                };
            }
            m
        })
        .collect()
}

/// The trends over `rows` (oldest first). Takes with no speech are left out.
pub fn progress(rows: &[Row]) -> Progress {
    let rows: Vec<&Row> = rows.iter().filter(|r| r.figures.answer_s > 0.0).collect();
    let series = |id: &str, label: &str, unit, target, f: &dyn Fn(&Row) -> Option<f64>| Metric {
        id: id.into(),
        label: label.into(),
        unit,
        target,
        points: rows
            .iter()
            .filter_map(|r| f(r).map(|v| (r.recorded_unix, v)))
            .collect(),
        take_ids: rows
            .iter()
            .filter(|r| f(r).is_some())
            .map(|r| r.id.clone())
            .collect(),
    };
    let mut metrics = vec![
        series(
            "problem_share",
            "Problem definition",
            Unit::Share,
            Some(Target::at_least(METHOD.min_problem_share)),
            &|r| r.figures.problem_share.filter(|_| shares_apply(r)),
        ),
        series(
            "solution_share",
            "Solution",
            Unit::Share,
            Some(Target::at_most(METHOD.max_solution_share)),
            &|r| r.figures.solution_share.filter(|_| shares_apply(r)),
        ),
    ];
    // The whole answer and the step budgets: a figure whose target differs by question type
    // (a 5-minute minimum for full answers only; each type's own framing budget) is one row per
    // target, named with its types, so no take is judged against another type's budget.
    metrics.extend(by_target(
        &rows,
        "answer_length",
        Unit::Seconds,
        &|r: &Row| {
            let min = if profile(r.question.qtype).rules.min_length {
                METHOD.answer.min_s
            } else {
                0.0
            };
            Some((
                "Whole answer".to_string(),
                budget_target(min, METHOD.answer.max_s),
                r.figures.answer_s,
            ))
        },
    ));
    metrics.extend(by_target(
        &rows,
        "think_pause",
        Unit::Seconds,
        &|r: &Row| {
            Some((
                "Think pause".to_string(),
                budget_target(METHOD.think_pause.min_s, METHOD.think_pause.max_s),
                r.figures.think_pause_s,
            ))
        },
    ));
    // Step budgets, in the order they first appear.
    let mut budget_ids: Vec<&str> = Vec::new();
    for r in &rows {
        for b in &r.figures.budgets {
            if !budget_ids.contains(&b.id.as_str())
                && b.id != METHOD.answer.id
                && b.id != METHOD.think_pause.id
            {
                budget_ids.push(&b.id);
            }
        }
    }
    for id in budget_ids {
        metrics.extend(by_target(
            &rows,
            &format!("budget_{id}"),
            Unit::Seconds,
            &|r: &Row| {
                r.figures
                    .budgets
                    .iter()
                    .find(|b| b.id == id)
                    .map(|b| (b.label.clone(), budget_target(b.min_s, b.max_s), b.actual_s))
            },
        ));
    }
    metrics.push(series(
        "pace",
        "Pace",
        Unit::WordsPerMinute,
        Some(pace_target()),
        &|r| Some(r.figures.wpm),
    ));
    metrics.push(series(
        "fillers",
        "Fillers",
        Unit::Per100Words,
        Some(Target::at_most(METHOD.fillers_fine_per_100)),
        &|r| Some(r.figures.fillers_per_100_words),
    ));
    metrics.push(series(
        "checks_passed",
        "Checks passed",
        Unit::Share,
        Some(Target::at_least(1.0)),
        &|r| checks_passed(r),
    ));
    Progress {
        schema: SCHEMA,
        takes: rows.len(),
        first_at: rows.first().map(|r| r.recorded_at.clone()),
        latest_at: rows.last().map(|r| r.recorded_at.clone()),
        metrics,
        weeks: weeks(&rows),
    }
}

/// How many takes the rolling median of `n` takes looks back over: enough to smooth out one
/// bad day, few enough to follow a change within weeks.
pub fn median_window(n: usize) -> usize {
    ((n / 40).clamp(5, 31)) | 1
}

/// The median of each value and the `window − 1` before it (fewer at the start).
pub fn rolling_median(values: &[f64], window: usize) -> Vec<f64> {
    let window = window.max(1);
    let mut buf: Vec<f64> = Vec::with_capacity(window);
    (0..values.len())
        .map(|i| {
            buf.clear();
            buf.extend_from_slice(&values[i + 1 - window.min(i + 1)..=i]);
            let mid = buf.len() / 2;
            let (_, m, _) = buf.select_nth_unstable_by(mid, f64::total_cmp);
            let upper = *m;
            if buf.len() % 2 == 1 {
                upper
            } else {
                let lower = buf[..mid].iter().copied().fold(f64::MIN, f64::max);
                (lower + upper) / 2.0
            }
        })
        .collect()
}

fn checks_passed(r: &Row) -> Option<f64> {
    (r.figures.checks_total > 0)
        .then(|| f64::from(r.figures.checks_passed) / f64::from(r.figures.checks_total))
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The Monday of the week a take was recorded in (its own local date).
fn week_of(r: &Row) -> String {
    let date = r
        .recorded_at
        .get(..10)
        .and_then(|d| d.parse::<jiff::civil::Date>().ok());
    match date {
        Some(d) => {
            let back = i64::from(d.weekday().to_monday_zero_offset());
            d.checked_sub(jiff::Span::new().days(back))
                .unwrap_or(d)
                .to_string()
        }
        None => "unknown".into(),
    }
}

fn weeks(rows: &[&Row]) -> Vec<Week> {
    let mut out: Vec<(String, Vec<&Row>)> = Vec::new();
    for r in rows {
        let week = week_of(r);
        match out.iter_mut().find(|(w, _)| *w == week) {
            Some((_, takes)) => takes.push(r),
            None => out.push((week, vec![r])),
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter()
        .map(|(week_of, takes)| Week {
            week_of,
            takes: takes.len(),
            problem_share: mean(takes.iter().filter_map(|r| r.figures.problem_share)),
            solution_share: mean(takes.iter().filter_map(|r| r.figures.solution_share)),
            answer_s: mean(takes.iter().map(|r| r.figures.answer_s)).unwrap_or(0.0),
            checks_passed: mean(takes.iter().filter_map(|r| checks_passed(r))).unwrap_or(0.0),
        })
        .collect()
}

/// How a figure moved since the previous take of the same type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `up`, `down` or `same`.
    pub direction: &'static str,
    /// Nearer the target (true), further (false), or no nearer nor further (None).
    pub better: Option<bool>,
}

impl Change {
    fn between(before: f64, after: f64, target: Target, same_within: f64) -> Change {
        let direction = if (after - before).abs() <= same_within {
            "same"
        } else if after > before {
            "up"
        } else {
            "down"
        };
        let (was, is) = (target.miss(before), target.miss(after));
        let better = (direction != "same" && (was - is).abs() > 1e-9).then_some(is < was);
        Change { direction, better }
    }

    pub fn arrow(&self) -> char {
        match self.direction {
            "up" => '↑',
            "down" => '↓',
            _ => '=',
        }
    }
}

/// A take's changes against the previous take of its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Trend {
    pub problem_share: Option<Change>,
    pub solution_share: Option<Change>,
    pub checks_passed: Option<Change>,
}

/// Each row's trend (rows oldest first).
pub fn trends(rows: &[Row]) -> Vec<Trend> {
    let mut previous: std::collections::HashMap<_, &Row> = std::collections::HashMap::new();
    rows.iter()
        .map(|r| {
            let trend = match previous.get(&r.question.qtype) {
                Some(p) => {
                    let share = |a: Option<f64>, b: Option<f64>, t| match (a, b) {
                        (Some(a), Some(b)) => Some(Change::between(a, b, t, 0.02)),
                        _ => None,
                    };
                    Trend {
                        problem_share: share(
                            p.figures.problem_share.filter(|_| shares_apply(p)),
                            r.figures.problem_share.filter(|_| shares_apply(r)),
                            Target::at_least(METHOD.min_problem_share),
                        ),
                        solution_share: share(
                            p.figures.solution_share.filter(|_| shares_apply(p)),
                            r.figures.solution_share.filter(|_| shares_apply(r)),
                            Target::at_most(METHOD.max_solution_share),
                        ),
                        checks_passed: share(
                            checks_passed(p),
                            checks_passed(r),
                            Target::at_least(1.0),
                        ),
                    }
                }
                None => Trend::default(),
            };
            if r.figures.answer_s > 0.0 {
                previous.insert(r.question.qtype, r);
            }
            trend
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::QuestionType;
    use crate::history::index::{BudgetFigure, Figures};
    use crate::history::take::QuestionRef;

    pub(crate) fn row(at: &str, qtype: QuestionType, problem: f64, solution: f64) -> Row {
        Row {
            id: at.replace([':', 'T'], "-"),
            recorded_at: at.into(),
            recorded_unix: crate::history::index::unix_seconds(at),
            source: "practice".into(),
            question: QuestionRef {
                id: None,
                text: Some("Q".into()),
                qtype,
            },
            audio: None,
            duration_s: 300.0,
            interrupted: false,
            figures: Figures {
                answer_s: 290.0,
                think_pause_s: 6.0,
                problem_share: Some(problem),
                solution_share: Some(solution),
                wpm: 150.0,
                fillers_per_100_words: 2.0,
                checks_passed: 8,
                checks_warned: 2,
                checks_total: 12,
                budgets: vec![BudgetFigure {
                    id: "pain".into(),
                    label: "Pain".into(),
                    actual_s: 45.0,
                    min_s: 30.0,
                    max_s: 60.0,
                }],
                step_totals: crate::history::index::StepTotals(vec![
                    (crate::analysis::Step::Customer, 290.0 * problem / 2.0),
                    (crate::analysis::Step::Pain, 290.0 * problem / 2.0),
                    (crate::analysis::Step::Capabilities, 290.0 * solution),
                ]),
            },
        }
    }

    #[test]
    fn a_figure_whose_target_differs_by_type_is_a_row_per_target() {
        let framing = |r: &mut Row, label: &str, min_s, max_s, actual_s| {
            r.figures.budgets.push(BudgetFigure {
                id: "customer_framing".into(),
                label: label.into(),
                actual_s,
                min_s,
                max_s,
            })
        };
        let mut ps = row("2026-11-02T10:00:00", QuestionType::ProductSense, 0.3, 0.3);
        framing(&mut ps, "Customer + pain", 60.0, 90.0, 70.0);
        let mut es = row("2026-11-03T10:00:00", QuestionType::Estimation, 0.3, 0.3);
        framing(&mut es, "Framing", 10.0, 15.0, 30.0);
        es.figures.answer_s = 120.0;
        let mut ps2 = row("2026-11-04T10:00:00", QuestionType::ProductSense, 0.3, 0.3);
        framing(&mut ps2, "Customer + pain", 60.0, 90.0, 80.0);
        let p = progress(&[ps.clone(), es, ps2.clone()]);
        let get = |id: &str| {
            p.metrics
                .iter()
                .find(|m| m.id == id)
                .unwrap_or_else(|| panic!("{id}"))
        };
        let m = get("budget_customer_framing:product_sense");
        assert_eq!(m.label, "Customer + pain (product sense)");
        assert_eq!(
            m.points.iter().map(|p| p.1).collect::<Vec<_>>(),
            [70.0, 80.0]
        );
        assert_eq!(m.target, Some(Target::between(60.0, 90.0)));
        let e = get("budget_customer_framing:estimation");
        assert_eq!(
            (e.label.as_str(), e.points.len()),
            ("Framing (estimation)", 1)
        );
        // the 5-minute minimum is held only against the types it applies to
        let short = get("answer_length:estimation");
        assert_eq!(short.target, Some(Target::at_most(METHOD.answer.max_s)));
        assert_eq!(short.points[0].1, 120.0);
        assert_eq!(get("answer_length:product_sense").points.len(), 2);
        // one type: one row each, under the plain ids
        let one = progress(&[ps, ps2]);
        assert!(
            one.metrics
                .iter()
                .any(|m| m.id == "budget_customer_framing" && m.label == "Customer + pain")
        );
        assert!(
            one.metrics
                .iter()
                .any(|m| m.id == "answer_length" && m.label == "Whole answer")
        );
    }

    #[test]
    fn the_rolling_median_ignores_one_bad_take() {
        let v = [10.0, 11.0, 50.0, 12.0, 13.0, 2.0, 14.0];
        assert_eq!(
            rolling_median(&v, 3),
            [10.0, 10.5, 11.0, 12.0, 13.0, 12.0, 13.0]
        );
        assert_eq!(rolling_median(&v, 1), v);
        assert!(rolling_median(&[], 5).is_empty());
        assert_eq!(median_window(10), 5);
        assert_eq!(median_window(2000), 31);
    }

    #[test]
    fn trends_compare_with_the_previous_take_of_the_same_type() {
        let rows = vec![
            row(
                "2026-11-02T10:00:00+00:00",
                QuestionType::Strategy,
                0.20,
                0.50,
            ),
            row(
                "2026-11-03T10:00:00+00:00",
                QuestionType::Behavioral,
                0.0,
                0.0,
            ),
            row(
                "2026-11-04T10:00:00+00:00",
                QuestionType::Strategy,
                0.32,
                0.45,
            ),
            row(
                "2026-11-05T10:00:00+00:00",
                QuestionType::Strategy,
                0.45,
                0.46,
            ),
        ];
        let t = trends(&rows);
        assert_eq!(t[0], Trend::default());
        assert_eq!(t[1], Trend::default(), "no earlier behavioral take");
        let p = t[2].problem_share.unwrap();
        assert_eq!((p.arrow(), p.better), ('↑', Some(true)));
        let s = t[2].solution_share.unwrap();
        assert_eq!((s.arrow(), s.better), ('↓', Some(true)));
        // Up again, but already past 30%: no nearer the target.
        let p = t[3].problem_share.unwrap();
        assert_eq!((p.arrow(), p.better), ('↑', None));
        // A one-point move is "same".
        assert_eq!(t[3].solution_share.unwrap().arrow(), '=');
    }

    #[test]
    fn progress_follows_every_figure_and_groups_weeks() {
        let rows = vec![
            row(
                "2026-11-02T10:00:00+01:00",
                QuestionType::Strategy,
                0.20,
                0.50,
            ),
            row(
                "2026-11-08T22:00:00+01:00",
                QuestionType::Strategy,
                0.25,
                0.45,
            ),
            row(
                "2026-11-09T09:00:00+01:00",
                QuestionType::Strategy,
                0.35,
                0.38,
            ),
        ];
        let p = progress(&rows);
        assert_eq!(p.takes, 3);
        let problem = p.metrics.iter().find(|m| m.id == "problem_share").unwrap();
        assert_eq!(
            (problem.first(), problem.latest()),
            (Some(0.20), Some(0.35))
        );
        assert_eq!(problem.improved(), Some(true));
        assert!(p.metrics.iter().any(|m| m.id == "budget_pain"));
        assert!(p.metrics.iter().any(|m| m.id == "pace"));
        // Sunday the 8th belongs to the week of Monday the 2nd.
        let weeks: Vec<(&str, usize)> = p
            .weeks
            .iter()
            .map(|w| (w.week_of.as_str(), w.takes))
            .collect();
        assert_eq!(weeks, vec![("2026-11-02", 2), ("2026-11-09", 1)]);
        assert!((p.weeks[0].problem_share.unwrap() - 0.225).abs() < 1e-9);
    }

    #[test]
    fn takes_without_speech_are_left_out() {
        let mut silent = row(
            "2026-11-02T10:00:00+00:00",
            QuestionType::Strategy,
            0.0,
            0.0,
        );
        silent.figures.answer_s = 0.0;
        let p = progress(&[silent]);
        assert_eq!(p.takes, 0);
        assert!(p.metrics.iter().all(|m| m.points.is_empty()));
    }

    #[test]
    fn targets_measure_the_miss() {
        assert_eq!(Target::at_least(0.3).miss(0.2), 0.09999999999999998);
        assert_eq!(Target::at_most(0.4).miss(0.3), 0.0);
        assert_eq!(Target::between(5.0, 10.0).miss(12.0), 2.0);
    }
}
