//! SVG line charts of progress figures (plotters), inlined into the HTML progress page.

use plotters::prelude::*;

use super::history::value;
use crate::history::progress::Metric;

const LINE: RGBColor = RGBColor(37, 99, 235);
const BAND: RGBAColor = RGBAColor(22, 163, 74, 0.14);
const LIMIT: RGBColor = RGBColor(22, 163, 74);

/// Beyond this many takes the points are drawn as a line only.
const MARKERS_UP_TO: usize = 60;

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

/// A line chart of one figure take by take (labelled with the takes' dates), with its target
/// shaded; `None` with no points.
pub fn line_chart(m: &Metric, size: (u32, u32)) -> Option<String> {
    m.points.first()?;
    let pts: Vec<(f64, f64)> = m
        .points
        .iter()
        .enumerate()
        .map(|(i, &(_, v))| (i as f64, v))
        .collect();
    let x_end = (pts.len() as f64 - 1.0).max(1.0);
    let (mut lo, mut hi) = pts.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.1), hi.max(p.1))
    });
    if let Some(t) = m.target {
        for v in [t.min, t.max].into_iter().flatten() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    let pad = ((hi - lo) * 0.1).max(if hi.abs() > 10.0 { 1.0 } else { 0.02 });
    let (lo, hi) = ((lo - pad).max(0.0), hi + pad);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .caption(&m.label, ("sans-serif", 18))
            .x_label_area_size(26)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.02 * x_end..x_end * 1.02, lo..hi)
            .ok()?;
        let to_date = |x: &f64| {
            let i = x.round().clamp(0.0, (m.points.len() - 1) as f64) as usize;
            day(m.points[i].0)
        };
        let to_value = |y: &f64| value(m.unit, *y);
        chart
            .configure_mesh()
            .x_labels(6.min(m.points.len()))
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
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), LINE.stroke_width(2)))
            .ok()?;
        if pts.len() <= MARKERS_UP_TO {
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 3, LINE.filled())))
                .ok()?;
        }
        root.present().ok()?;
    }
    Some(svg)
}
