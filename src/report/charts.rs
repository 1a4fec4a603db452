//! SVG line charts of progress figures (plotters), inlined into the HTML progress page.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::history::value;
use crate::history::progress::Metric;

const BAND: RGBAColor = RGBAColor(22, 163, 74, 0.14);
const LIMIT: RGBColor = RGBColor(22, 163, 74);

/// Day-month of a Unix time, in the local zone.
fn day(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::system())
                .strftime("%b %d")
                .to_string()
        })
        .unwrap_or_default()
}

/// The value range a chart of `values` shows: the values and the target's limits, padded.
fn value_range(values: impl Iterator<Item = f64>, m: &Metric) -> (f64, f64) {
    let limits = m.target.into_iter().flat_map(|t| [t.min, t.max]).flatten();
    let (lo, hi) = values
        .chain(limits)
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = ((hi - lo) * 0.1).max(if hi.abs() > 10.0 { 1.0 } else { 0.02 });
    ((lo - pad).max(0.0), hi + pad)
}

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart of `m` over its takes (x: take index, labelled with dates) from `lo` to `hi`, with
/// its caption, grid and the target shaded.
fn frame<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    m: &Metric,
    (lo, hi): (f64, f64),
) -> Option<Chart<'a, 'b>> {
    let n = m.points.len();
    let x_end = (n as f64 - 1.0).max(1.0);
    root.fill(&WHITE).ok()?;
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .caption(&m.label, ("sans-serif", 18))
        .x_label_area_size(26)
        .y_label_area_size(60)
        .build_cartesian_2d(-0.02 * x_end..x_end * 1.02, lo..hi)
        .ok()?;
    let to_date = |x: &f64| {
        let i = x.round().clamp(0.0, (n - 1) as f64) as usize;
        day(m.points[i].0)
    };
    let to_value = |y: &f64| value(m.unit, *y);
    chart
        .configure_mesh()
        .x_labels(6.min(n))
        .y_labels(5)
        .x_label_formatter(&to_date)
        .y_label_formatter(&to_value)
        .light_line_style(RGBColor(238, 238, 238))
        .draw()
        .ok()?;
    if let Some(t) = m.target {
        let (b0, b1) = (t.min.unwrap_or(lo), t.max.unwrap_or(hi));
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(-0.02 * x_end, b0), (x_end * 1.02, b1)],
                BAND.filled(),
            )))
            .ok()?;
        for limit in [t.min, t.max].into_iter().flatten() {
            chart
                .draw_series(LineSeries::new(
                    [(-0.02 * x_end, limit), (x_end * 1.02, limit)],
                    LIMIT.stroke_width(1),
                ))
                .ok()?;
        }
    }
    Some(chart)
}

const RAW: RGBColor = RGBColor(96, 165, 250);
const RAW_HEX: &str = "#60a5fa";
const RAW_BAND: RGBAColor = RGBAColor(147, 197, 253, 0.45);
const MEDIAN: RGBColor = RGBColor(29, 78, 216);

/// Up to this many takes each is drawn as a dot; beyond, the range of the takes under each
/// stretch of the x axis is drawn as a band.
const DOTS_UP_TO: usize = 150;

/// Buckets of the band (and most points of the median line) across a chart.
const BUCKETS: usize = 160;

/// A chart of one figure take by take: each take (a dot, or the band of their range when they
/// are many) and the rolling median of the last `window` takes as a line, with the target
/// shaded; `None` with no points. Drawing stays proportional to the chart's width, not to the
/// number of takes.
/// Each dot is a link to its take's report where `link` gives one (by take id), and says its
/// day and value when hovered.
pub fn trend_chart(
    m: &Metric,
    window: usize,
    size: (u32, u32),
    link: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    m.points.first()?;
    let n = m.points.len();
    let values: Vec<f64> = m.points.iter().map(|p| p.1).collect();
    let median = crate::history::progress::rolling_median(&values, window);
    // Bucket bounds: [start, end) of take indices, at most BUCKETS of them.
    let buckets = n.min(BUCKETS);
    let bounds: Vec<(usize, usize)> = (0..buckets)
        .map(|i| {
            (
                i * n / buckets,
                ((i + 1) * n / buckets).max(i * n / buckets + 1),
            )
        })
        .collect();
    let mid = |(a, b): (usize, usize)| (a + b - 1) as f64 / 2.0;

    let mut svg = String::new();
    let mut dots = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let mut chart = frame(&root, m, value_range(values.iter().copied(), m))?;
        if n <= DOTS_UP_TO {
            // Drawn after the chart, on top of the median line, so each can be a link.
            for (i, v) in values.iter().enumerate() {
                let (x, y) = chart.backend_coord(&(i as f64, *v));
                let title = format!("{}: {}", day(m.points[i].0), value(m.unit, *v));
                let dot = format!(
                    "<circle cx=\"{x}\" cy=\"{y}\" r=\"3.5\" fill=\"{RAW_HEX}\"><title>{}</title></circle>",
                    maud::html! { (title) }.into_string()
                );
                match m.take_ids.get(i).and_then(|id| link(id)) {
                    Some(href) => dots.push_str(&format!(
                        "<a href=\"{}\" class=\"take\">{dot}</a>",
                        maud::html! { (href) }.into_string()
                    )),
                    None => dots.push_str(&dot),
                }
            }
        } else {
            let range = |(a, b): (usize, usize)| {
                values[a..b]
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)))
            };
            let upper: Vec<(f64, f64)> = bounds.iter().map(|&b| (mid(b), range(b).1)).collect();
            let lower: Vec<(f64, f64)> = bounds.iter().map(|&b| (mid(b), range(b).0)).collect();
            let outline: Vec<(f64, f64)> =
                upper.iter().chain(lower.iter().rev()).copied().collect();
            chart
                .draw_series(std::iter::once(Polygon::new(outline, RAW_BAND.filled())))
                .ok()?;
            for edge in [upper, lower] {
                chart
                    .draw_series(LineSeries::new(edge, RAW.stroke_width(1)))
                    .ok()?;
            }
        }
        // The median at the last take of each bucket (every take when they are few).
        let line: Vec<(f64, f64)> = bounds
            .iter()
            .map(|&(_, b)| ((b - 1) as f64, median[b - 1]))
            .collect();
        chart
            .draw_series(LineSeries::new(line, MEDIAN.stroke_width(2)))
            .ok()?;
        root.present().ok()?;
    }
    if let Some(end) = svg.rfind("</svg>") {
        svg.insert_str(end, &dots);
    }
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::progress::Unit;

    fn metric(n: usize) -> Metric {
        Metric {
            id: "pace".into(),
            label: "Pace".into(),
            unit: Unit::WordsPerMinute,
            target: None,
            points: (0..n)
                .map(|i| (1_700_000_000 + i as i64 * 3600, 130.0 + (i % 17) as f64))
                .collect(),
            take_ids: (0..n).map(|i| format!("take-{i}")).collect(),
        }
    }

    #[test]
    fn trend_charts_stay_small_however_many_takes() {
        let few = trend_chart(&metric(20), 5, (460, 240), &|_| None).unwrap();
        assert_eq!(few.matches("<circle").count(), 20);
        let many = trend_chart(&metric(10_000), 31, (460, 240), &|_| None).unwrap();
        assert_eq!(many.matches("<circle").count(), 0);
        assert!(many.contains("<polygon"), "the range band");
        assert!(many.len() < 60_000, "{} bytes", many.len());
        assert!(trend_chart(&metric(0), 5, (460, 240), &|_| None).is_none());
    }

    #[test]
    fn each_dot_links_to_its_take_where_there_is_a_report() {
        let m = metric(12);
        let link = |id: &str| (id != "take-3").then(|| format!("reports/{id}.html?a&b"));
        let svg = trend_chart(&m, 5, (460, 240), &link).unwrap();
        let doc = scraper::Html::parse_fragment(&svg);
        let sel = |s: &str| scraper::Selector::parse(s).unwrap();
        let hrefs: Vec<&str> = doc
            .select(&sel("a.take"))
            .map(|a| a.value().attr("href").unwrap())
            .collect();
        assert_eq!(hrefs.len(), 11, "every take but the one without a report");
        assert_eq!(hrefs[0], "reports/take-0.html?a&b");
        assert_eq!(hrefs[3], "reports/take-4.html?a&b");
        assert_eq!(doc.select(&sel("circle")).count(), 12);
        let first = doc.select(&sel("a.take circle title")).next().unwrap();
        assert!(
            first.text().collect::<String>().ends_with(": 130 wpm"),
            "{}",
            first.html()
        );
        // Dots rise with their value: take 1 (131 wpm) is drawn above take 0 (130).
        let cy: Vec<f64> = doc
            .select(&sel("circle"))
            .map(|c| c.value().attr("cy").unwrap().parse().unwrap())
            .collect();
        assert!(cy[1] < cy[0], "{cy:?}");
    }
}
