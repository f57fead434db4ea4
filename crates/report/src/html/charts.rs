//! Charts as inline SVG, drawn with plotters' SVG backend (no scripts, no fonts to load): bars
//! with intervals, step curves, fan charts, forest plots, tornado charts, line charts, and the
//! sensitivity charts (Sobol' index bars, the Morris mu*–sigma plot, PRIM's coverage–density
//! trajectory and a box over the runs on two inputs).
//! Every function returns the `<svg>` element as a string; the same data gives the same bytes.
//!
//! Long file: every chart of every report, on shared axes, colours and legends; to be split by
//! family (forecast, sensitivity) now that the tornado and forest axes are one function
//! (`signed_rows`).

use plotters::coord::ranged1d::SegmentValue;
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordi32};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Okabe–Ito colours first (distinguishable with the common colour-vision deficiencies), then
/// further distinct hues for charts with many series.
pub const PALETTE: [RGBColor; 16] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(140, 140, 140),
    RGBColor(0, 0, 0),
    RGBColor(153, 0, 0),
    RGBColor(102, 51, 153),
    RGBColor(128, 128, 0),
    RGBColor(0, 102, 102),
    RGBColor(255, 102, 153),
    RGBColor(153, 102, 51),
    RGBColor(51, 153, 255),
    RGBColor(0, 204, 102),
];

/// A colour as CSS `rgb(…)`, for legends drawn in HTML.
pub fn css(c: RGBColor) -> String {
    format!("rgb({},{},{})", c.0, c.1, c.2)
}

/// The i-th palette colour (cycling).
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

const FONT: &str = "sans-serif";
const WIDTH: u32 = 900;

/// A labelled value with a 95% interval.
#[derive(Clone, Debug)]
pub struct Interval {
    /// Label shown on the axis.
    pub label: String,
    /// Point estimate.
    pub value: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
}

/// One band series of a fan chart: per x, the 5%, 25%, 50%, 75% and 95% quantiles.
#[derive(Clone, Debug)]
pub struct Fan {
    /// Series name (legend).
    pub name: String,
    /// `(x, [q05, q25, q50, q75, q95])`.
    pub points: Vec<(f64, [f64; 5])>,
}

/// A named line.
#[derive(Clone, Debug)]
pub struct Line {
    /// Series name (legend).
    pub name: String,
    /// Points in x order.
    pub points: Vec<(f64, f64)>,
}

/// Draws a chart on a white SVG canvas of `size` pixels and returns the `<svg>` element; a
/// drawing error becomes a short note in the chart's place.
fn render(size: (u32, u32), draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>) -> String {
    let mut svg = String::new();
    let r = (|| -> Result<(), String> {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)
    })();
    finish(svg, r)
}

/// A chart of numbers against numbers in the house style (margins, axis areas, fonts, a light
/// grid): x from `x.0` to `x.1` labelled with `x.2` decimals, y over `y`, labelled as
/// percentages when `y_percent`.
fn xy_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    x: (f64, f64, usize),
    y: (f64, f64),
    (x_desc, y_desc): (&str, &str),
    y_percent: bool,
) -> Result<ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>, String> {
    let (x_min, x_max, dec) = x;
    let mut chart = ChartBuilder::on(root)
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(60)
        .build_cartesian_2d(x_min..x_max, y.0..y.1)
        .map_err(err)?;
    let percent = |v: &f64| format!("{:.0}%", v * 100.0);
    let decimals = |v: &f64| format!("{v:.dec$}");
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_desc).y_desc(y_desc);
    if y_percent {
        mesh.y_label_formatter(&percent);
    }
    mesh.x_label_formatter(&decimals)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 14))
        .max_light_lines(2)
        .light_line_style(RGBColor(238, 238, 238))
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// The series legend every chart uses, in the corner `position`.
fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(200, 200, 200))
        .label_font((FONT, 14))
        .draw()
        .map_err(err)
}

fn finish(svg: String, r: Result<(), String>) -> String {
    match r {
        Ok(()) => svg,
        Err(e) => format!("<p class=\"chart-error\">This chart could not be drawn: {}</p>", super::escape(&e)),
    }
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// The x range of the points (padded when they all share one x) and a label formatter with as
/// many decimals as the span needs.
fn x_axis(xs: impl Iterator<Item = f64>) -> (f64, f64, usize) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for x in xs.filter(|x| x.is_finite()) {
        lo = lo.min(x);
        hi = hi.max(x);
    }
    if !lo.is_finite() {
        return (0.0, 1.0, 0);
    }
    if hi - lo < 1e-12 {
        lo -= 0.5;
        hi += 0.5;
    }
    let span = hi - lo;
    let decimals = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else if span >= 0.2 {
        2
    } else {
        3
    };
    (lo, hi, decimals)
}

fn height_for(rows: usize) -> u32 {
    (70 + 34 * rows as u32).clamp(160, 900)
}

fn label_of(labels: &[String], v: &SegmentValue<i32>) -> String {
    let n = labels.len() as i32;
    match v {
        // Segment 0 is at the bottom: the first label goes on top.
        SegmentValue::CenterOf(i) if *i >= 0 && *i < n => labels[(n - 1 - *i) as usize].clone(),
        _ => String::new(),
    }
}

/// Width of the label area for category labels (about 8 px per character at the label size).
fn label_area(labels: &[String]) -> u32 {
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u32;
    (longest * 8 + 24).clamp(90, 480)
}

/// `n` category segments (plotters' segmented range over `0..k` has `k + 1` segments; a single
/// category keeps an empty second segment, as plotters labels no degenerate range).
fn segments(n: usize) -> plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordi32> {
    (0..(n as i32 - 1).max(1)).into_segmented()
}

fn seg(n: usize, i: usize) -> i32 {
    (n - 1 - i) as i32
}

/// Horizontal bars with 95% intervals on a 0–100% axis (probabilities).
pub fn probability_bars(items: &[Interval]) -> String {
    let labels: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
    let n = items.len().max(1);
    render((WIDTH, height_for(n)), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(label_area(&labels))
            .build_cartesian_2d(0f64..1f64, segments(n))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n + 1)
            .max_light_lines(1)
            .light_line_style(RGBColor(240, 240, 240))
            .x_labels(11)
            .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
            .y_label_formatter(&|v| label_of(&labels, v))
            .x_desc("probability (bar) with its 95% interval (whisker)")
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 14))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(items.iter().enumerate().map(|(i, it)| {
                let y = seg(n, i);
                let mut rect = Rectangle::new(
                    [(0.0, SegmentValue::Exact(y)), (it.value.clamp(0.0, 1.0), SegmentValue::Exact(y + 1))],
                    colour(i).mix(0.85).filled(),
                );
                rect.set_margin(7, 7, 0, 0);
                rect
            }))
            .map_err(err)?;
        chart
            .draw_series(items.iter().enumerate().map(|(i, it)| {
                ErrorBar::new_horizontal(SegmentValue::CenterOf(seg(n, i)), it.lo, it.value, it.hi, BLACK.stroke_width(2), 12)
            }))
            .map_err(err)?;
        chart
            .draw_series(items.iter().enumerate().map(|(i, it)| {
                Text::new(
                    super::pct(it.value),
                    (it.hi.clamp(0.0, 0.92) + 0.012, SegmentValue::CenterOf(seg(n, i))),
                    (FONT, 15).into_font().color(&BLACK),
                )
            }))
            .map_err(err)?;
        Ok(())
    })
}

/// A step curve of a cumulative share over rounds (0–100% axis), one line per series.
pub fn cumulative_curves(lines: &[Line], x_desc: &str, y_desc: &str) -> String {
    let (x_min, x_max, dec) = x_axis(lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)));
    render((WIDTH, 380), |root| {
        let mut chart = xy_chart(root, (x_min, x_max, dec), (0.0, 1.0), (x_desc, y_desc), true)?;
        for (i, l) in lines.iter().enumerate() {
            let mut pts = Vec::with_capacity(l.points.len() * 2);
            let mut prev: Option<f64> = None;
            for &(x, y) in &l.points {
                if let Some(py) = prev {
                    pts.push((x, py));
                }
                pts.push((x, y));
                prev = Some(y);
            }
            let c = colour(i);
            chart
                .draw_series(LineSeries::new(pts, c.stroke_width(3)))
                .map_err(err)?
                .label(l.name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(3)));
        }
        if lines.len() > 1 {
            legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        }
        Ok(())
    })
}

/// Fan chart: for each series, a light band from the 5% to the 95% quantile, a darker band
/// from 25% to 75%, and the median as a line.
pub fn fan_chart(fans: &[Fan], y_range: (f64, f64), x_desc: &str, y_desc: &str) -> String {
    let (x_min, x_max, dec) = x_axis(fans.iter().flat_map(|f| f.points.iter().map(|p| p.0)));
    render((WIDTH, 400), |root| {
        let mut chart = xy_chart(root, (x_min, x_max, dec), y_range, (x_desc, y_desc), false)?;
        for (i, f) in fans.iter().enumerate() {
            let c = colour(i);
            for (lo, hi, alpha) in [(0usize, 4usize, 0.15), (1, 3, 0.30)] {
                let mut poly: Vec<(f64, f64)> = f.points.iter().map(|(x, q)| (*x, q[hi])).collect();
                poly.extend(f.points.iter().rev().map(|(x, q)| (*x, q[lo])));
                chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(alpha).filled()))).map_err(err)?;
            }
            chart
                .draw_series(LineSeries::new(f.points.iter().map(|(x, q)| (*x, q[2])), c.stroke_width(3)))
                .map_err(err)?
                .label(f.name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(3)));
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}

fn symmetric_range(items: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let m = items.filter(|x| x.is_finite()).fold(0.0f64, |a, x| a.max(x.abs()));
    let m = if m == 0.0 { 0.1 } else { m * (1.0 + pad) };
    (-m, m)
}

/// Forest plot: each row's estimate (dot) and 95% interval (whisker) against a zero line;
/// values are shares shown in percentage points.
pub fn forest(items: &[Interval], x_desc: &str) -> String {
    let range = symmetric_range(items.iter().flat_map(|i| [i.lo, i.hi]), 0.15);
    signed_rows(items, x_desc, range, 0, |chart, n| {
        zero_line(chart, n)?;
        chart
            .draw_series(items.iter().enumerate().map(|(i, it)| {
                ErrorBar::new_horizontal(SegmentValue::CenterOf(seg(n, i)), it.lo, it.value, it.hi, colour(0).stroke_width(3), 10)
            }))
            .map_err(err)?;
        chart
            .draw_series(
                items.iter().enumerate().map(|(i, it)| Circle::new((it.value, SegmentValue::CenterOf(seg(n, i))), 6, colour(3).filled())),
            )
            .map_err(err)?;
        Ok(())
    })
}

/// Tornado chart of paired swings: per row (largest on top) a bar from zero to the estimate with
/// its interval as a whisker; values are shares shown in percentage points.
pub fn swing_tornado(items: &[Interval], x_desc: &str) -> String {
    let range = symmetric_range(items.iter().flat_map(|i| [i.lo, i.hi, i.value]), 0.15);
    signed_rows(items, x_desc, range, 1, |chart, n| {
        chart
            .draw_series(items.iter().enumerate().filter(|(_, it)| it.value.is_finite()).map(|(i, it)| {
                let y = seg(n, i);
                let c = colour(if it.value < 0.0 { 5 } else { 3 });
                let (a, b) = if it.value < 0.0 { (it.value, 0.0) } else { (0.0, it.value) };
                let mut rect = Rectangle::new([(a, SegmentValue::Exact(y)), (b, SegmentValue::Exact(y + 1))], c.mix(0.85).filled());
                rect.set_margin(6, 6, 0, 0);
                rect
            }))
            .map_err(err)?;
        chart
            .draw_series(items.iter().enumerate().filter(|(_, it)| it.lo.is_finite() && it.hi.is_finite()).map(|(i, it)| {
                ErrorBar::new_horizontal(SegmentValue::CenterOf(seg(n, i)), it.lo, it.value, it.hi, BLACK.stroke_width(2), 8)
            }))
            .map_err(err)?;
        zero_line(chart, n)
    })
}

/// A chart of one row per item (the first on top) against a horizontal axis of signed shares,
/// labelled in percentage points.
type RowChart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, SegmentedCoord<RangedCoordi32>>>;

/// The axes [`forest`] and [`swing_tornado`] share: one row per item labelled with its label,
/// `x_range` (symmetric about zero) labelled in percentage points with `decimals` decimals (and
/// `0` for what rounds to zero); `draw` adds the marks, given the chart and the number of rows.
fn signed_rows(
    items: &[Interval],
    x_desc: &str,
    (lo, hi): (f64, f64),
    decimals: usize,
    draw: impl FnOnce(&mut RowChart<'_, '_>, usize) -> Result<(), String>,
) -> String {
    let labels: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
    let n = items.len().max(1);
    let zero = 0.5 / 10f64.powi(decimals as i32);
    render((WIDTH, height_for(n)), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(label_area(&labels))
            .build_cartesian_2d(lo..hi, segments(n))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n + 1)
            .max_light_lines(1)
            .light_line_style(RGBColor(240, 240, 240))
            .x_label_formatter(&|x| if (x * 100.0).abs() < zero { "0".to_string() } else { format!("{:+.*}", decimals, x * 100.0) })
            .y_label_formatter(&|v| label_of(&labels, v))
            .x_desc(x_desc)
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 14))
            .draw()
            .map_err(err)?;
        draw(&mut chart, n)
    })
}

/// The vertical line at zero of a [`signed_rows`] chart of `n` rows.
fn zero_line(chart: &mut RowChart<'_, '_>, n: usize) -> Result<(), String> {
    chart
        .draw_series(LineSeries::new(vec![(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Exact(n as i32))], BLACK.stroke_width(1)))
        .map_err(err)?;
    Ok(())
}

/// One row of a tornado chart: the outcome when the parameter is low and when it is high.
#[derive(Clone, Debug)]
pub struct Swing {
    /// Parameter name.
    pub label: String,
    /// The outcome with the parameter in its low range.
    pub low: f64,
    /// The outcome with the parameter in its high range.
    pub high: f64,
}

/// Tornado chart: for each parameter (widest swing on top), a bar from the baseline to the
/// outcome with the parameter low and one to the outcome with it high.
pub fn tornado(items: &[Swing], baseline: f64, x_desc: &str, low_name: &str, high_name: &str) -> String {
    let labels: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
    let n = items.len().max(1);
    let lo = items.iter().flat_map(|s| [s.low, s.high]).filter(|x| x.is_finite()).fold(baseline, f64::min);
    let hi = items.iter().flat_map(|s| [s.low, s.high]).filter(|x| x.is_finite()).fold(baseline, f64::max);
    let pad = ((hi - lo) * 0.08).max(0.01);
    let (lo, hi) = ((lo - pad).max(0.0), (hi + pad).min(1.0));
    render((WIDTH, height_for(n + 2)), |root| {
        // Two empty segments on top hold the legend clear of the bars.
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(label_area(&labels))
            .build_cartesian_2d(lo..hi, segments(n + 2))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n + 1)
            .max_light_lines(1)
            .light_line_style(RGBColor(240, 240, 240))
            .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
            .y_label_formatter(&|v| label_of(&labels, v))
            .x_desc(x_desc)
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 14))
            .draw()
            .map_err(err)?;
        for (k, (name, pick)) in [(low_name, 0usize), (high_name, 1usize)].into_iter().enumerate() {
            let c = colour(if k == 0 { 5 } else { 3 });
            chart
                .draw_series(items.iter().enumerate().map(|(i, s)| {
                    let v = if pick == 0 { s.low } else { s.high };
                    let y = seg(n, i);
                    let (a, b) = if v < baseline { (v, baseline) } else { (baseline, v) };
                    let mut rect = Rectangle::new([(a, SegmentValue::Exact(y)), (b, SegmentValue::Exact(y + 1))], c.mix(0.85).filled());
                    rect.set_margin(6, 6, 0, 0);
                    rect
                }))
                .map_err(err)?
                .label(name.to_string())
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 18, y + 6)], c.filled()));
        }
        chart
            .draw_series(LineSeries::new(
                vec![(baseline, SegmentValue::Exact(0)), (baseline, SegmentValue::Exact(n as i32))],
                BLACK.stroke_width(2),
            ))
            .map_err(err)?;
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}

/// Line chart of several named series over a shared x axis (e.g. positions per turn).
pub fn lines(lines: &[Line], y_range: (f64, f64), x_desc: &str, y_desc: &str) -> String {
    let (x_min, x_max, dec) = x_axis(lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)));
    let out = render((WIDTH, 420), |root| {
        let mut chart = xy_chart(root, (x_min, x_max, dec), y_range, (x_desc, y_desc), false)?;
        for (i, l) in lines.iter().enumerate() {
            let c = colour(i);
            chart.draw_series(LineSeries::new(l.points.iter().copied(), c.stroke_width(3))).map_err(err)?;
            chart.draw_series(l.points.iter().map(|&(x, y)| Circle::new((x, y), 3, c.filled()))).map_err(err)?;
        }
        Ok(())
    });
    // The legend is HTML under the chart: with many series it would hide the lines.
    let mut legend = String::from("<ul class=\"legend\">");
    for (i, l) in lines.iter().enumerate() {
        legend.push_str(&format!(
            "<li><span class=\"swatch\" style=\"background:{}\"></span>{}</li>",
            css(colour(i)),
            super::escape(&l.name)
        ));
    }
    legend.push_str("</ul>");
    if out.starts_with("<svg") {
        format!("{out}\n{legend}")
    } else {
        out
    }
}

/// A heat map of a two-parameter grid: `(x, y, share)` per cell, each cell coloured by its share
/// (0–1, darker blue = higher) and labelled with it.
pub fn heatmap(cells: &[(f64, f64, f64)], x_desc: &str, y_desc: &str) -> String {
    let mut xs: Vec<f64> = cells.iter().map(|c| c.0).collect();
    let mut ys: Vec<f64> = cells.iter().map(|c| c.1).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    ys.sort_by(f64::total_cmp);
    ys.dedup();
    let (nx, ny) = (xs.len().max(1), ys.len().max(1));
    render((WIDTH, (90 + 46 * ny as u32).clamp(200, 900)), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(90)
            .build_cartesian_2d(segments(nx), segments(ny))
            .map_err(err)?;
        let xl = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => xs.get(*i as usize).map_or(String::new(), |x| format!("{x}")),
            _ => String::new(),
        };
        let yl = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => ys.get(*i as usize).map_or(String::new(), |y| format!("{y}")),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nx + 1)
            .y_labels(ny + 1)
            .x_label_formatter(&xl)
            .y_label_formatter(&yl)
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 14))
            .draw()
            .map_err(err)?;
        let pos = |v: f64, all: &[f64]| all.iter().position(|a| *a == v).unwrap_or(0) as i32;
        // Colours span the shares present, so that differences between cells are visible.
        let lo = cells.iter().map(|c| c.2).filter(|p| p.is_finite()).fold(f64::INFINITY, f64::min);
        let hi = cells.iter().map(|c| c.2).filter(|p| p.is_finite()).fold(f64::NEG_INFINITY, f64::max);
        let shade = |p: f64| {
            if !p.is_finite() {
                0.0
            } else if hi > lo {
                (p - lo) / (hi - lo)
            } else {
                0.5
            }
        };
        chart
            .draw_series(cells.iter().map(|&(x, y, p)| {
                let (i, j) = (pos(x, &xs), pos(y, &ys));
                let t = 0.15 + 0.85 * shade(p);
                let c = RGBColor((247.0 - t * 239.0) as u8, (251.0 - t * 203.0) as u8, (255.0 - t * 148.0) as u8);
                let mut rect = Rectangle::new(
                    [(SegmentValue::Exact(i), SegmentValue::Exact(j)), (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1))],
                    c.filled(),
                );
                rect.set_margin(1, 1, 1, 1);
                rect
            }))
            .map_err(err)?;
        chart
            .draw_series(cells.iter().map(|&(x, y, p)| {
                let (i, j) = (pos(x, &xs), pos(y, &ys));
                let colour = if 0.15 + 0.85 * shade(p) > 0.55 { WHITE } else { BLACK };
                Text::new(super::pct(p), (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)), (FONT, 14).into_font().color(&colour))
            }))
            .map_err(err)?;
        Ok(())
    })
}

/// Horizontal bars of values on `[lo, hi]` with optional 95% intervals (tournament scores).
pub fn value_bars(items: &[Interval], range: (f64, f64), x_desc: &str, with_intervals: bool) -> String {
    let labels: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
    let n = items.len().max(1);
    render((WIDTH, height_for(n)), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(label_area(&labels))
            .build_cartesian_2d(range.0..range.1, segments(n))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n + 1)
            .max_light_lines(1)
            .light_line_style(RGBColor(240, 240, 240))
            .y_label_formatter(&|v| label_of(&labels, v))
            .x_desc(x_desc)
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 14))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(items.iter().enumerate().map(|(i, it)| {
                let y = seg(n, i);
                let mut rect = Rectangle::new(
                    [(range.0.max(0.0).min(range.1), SegmentValue::Exact(y)), (it.value, SegmentValue::Exact(y + 1))],
                    colour(0).mix(0.8).filled(),
                );
                rect.set_margin(6, 6, 0, 0);
                rect
            }))
            .map_err(err)?;
        if with_intervals {
            chart
                .draw_series(items.iter().enumerate().map(|(i, it)| {
                    ErrorBar::new_horizontal(SegmentValue::CenterOf(seg(n, i)), it.lo, it.value, it.hi, BLACK.stroke_width(2), 10)
                }))
                .map_err(err)?;
        }
        Ok(())
    })
}

/// One input's Sobol' indices: first order (S1) and total order (ST), each with its bootstrap
/// half-width.
#[derive(Clone, Debug)]
pub struct SobolBar {
    /// The input's label.
    pub label: String,
    /// S1 and its half-width.
    pub s1: (f64, f64),
    /// ST and its half-width.
    pub st: (f64, f64),
}

/// Colours of the Sobol' bars: total order, first order.
pub const SOBOL_COLOURS: [RGBColor; 2] = [PALETTE[0], PALETTE[1]];

/// An HTML legend under a chart: a swatch and a name per entry.
pub fn html_legend(entries: &[(RGBColor, &str)]) -> String {
    let mut legend = String::from("<ul class=\"legend\">");
    for (c, name) in entries {
        legend.push_str(&format!("<li><span class=\"swatch\" style=\"background:{}\"></span>{}</li>", css(*c), super::escape(name)));
    }
    legend.push_str("</ul>");
    legend
}

fn with_legend(svg: String, entries: &[(RGBColor, &str)]) -> String {
    if svg.starts_with("<svg") {
        format!("{svg}\n{}", html_legend(entries))
    } else {
        svg
    }
}

/// Sobol' indices as paired horizontal bars, one pair per input in the given order (largest
/// first): ST on top, S1 below, each with its bootstrap interval as a whisker.
pub fn sobol_bars(items: &[SobolBar]) -> String {
    let n = items.len().max(1);
    // Two segments per input, top to bottom: ST (labelled) then S1.
    let labels: Vec<String> = items.iter().flat_map(|i| [i.label.clone(), String::new()]).collect();
    let rows = 2 * n;
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let lo = items.iter().flat_map(|i| [i.s1.0 - i.s1.1, i.st.0 - i.st.1]).map(finite).fold(0.0f64, f64::min);
    let hi = items.iter().flat_map(|i| [i.s1.0 + i.s1.1, i.st.0 + i.st.1]).map(finite).fold(0.1f64, f64::max);
    let pad = 0.04 * (hi - lo);
    let (lo, hi) = (lo - if lo < 0.0 { pad } else { 0.0 }, hi + pad);
    let svg = render((WIDTH, (60 + 19 * rows as u32).clamp(160, 1200)), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(label_area(&labels))
            .build_cartesian_2d(lo..hi, segments(rows))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows + 1)
            .max_light_lines(1)
            .light_line_style(RGBColor(240, 240, 240))
            .x_label_formatter(&|x| format!("{x:.2}"))
            .y_label_formatter(&|v| label_of(&labels, v))
            .x_desc("Sobol' index (share of the output's variance) with its 95% bootstrap interval")
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 14))
            .draw()
            .map_err(err)?;
        for (k, pick) in [0usize, 1].into_iter().enumerate() {
            let c = SOBOL_COLOURS[k];
            let value = |it: &SobolBar| if pick == 0 { it.st } else { it.s1 };
            chart
                .draw_series(items.iter().enumerate().map(|(i, it)| {
                    let y = seg(rows, 2 * i + pick);
                    let v = finite(value(it).0);
                    let (a, b) = if v < 0.0 { (v, 0.0) } else { (0.0, v) };
                    let mut rect = Rectangle::new([(a, SegmentValue::Exact(y)), (b, SegmentValue::Exact(y + 1))], c.mix(0.85).filled());
                    rect.set_margin(2, 2, 0, 0);
                    rect
                }))
                .map_err(err)?;
            chart
                .draw_series(items.iter().enumerate().filter(|(_, it)| value(it).0.is_finite() && value(it).1.is_finite()).map(
                    |(i, it)| {
                        let (v, h) = value(it);
                        ErrorBar::new_horizontal(SegmentValue::CenterOf(seg(rows, 2 * i + pick)), v - h, v, v + h, BLACK.stroke_width(1), 7)
                    },
                ))
                .map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Exact(rows as i32))],
                BLACK.stroke_width(1),
            ))
            .map_err(err)?;
        Ok(())
    });
    with_legend(svg, &[(SOBOL_COLOURS[0], "ST, total order (alone and in interactions)"), (SOBOL_COLOURS[1], "S1, first order (alone)")])
}

/// A point of a labelled scatter plot, with an optional horizontal interval (half-width).
#[derive(Clone, Debug)]
pub struct Labelled {
    /// Label drawn beside the point (when it fits) and its rank number otherwise.
    pub label: String,
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
    /// Half-width of the interval of x, drawn as a whisker.
    pub x_half: Option<f64>,
}

/// Approximate width in pixels of `text` at `size` px (sans-serif averages about 0.55 em).
fn text_width(text: &str, size: u32) -> i32 {
    (text.chars().count() as f64 * size as f64 * 0.55).ceil() as i32
}

/// A scatter plot with each point labelled: the points are numbered in the given order (their
/// rank), and a point's name is written beside it unless it would overlap a label already
/// written (labels are placed in the given order, so the first ones always show); the others
/// keep only their number, or nothing in a crowd. With `diagonal`, a grey line marks y = x
/// (Morris: sigma = mu*).
pub fn labelled_scatter(points: &[Labelled], x_desc: &str, y_desc: &str, diagonal: bool) -> String {
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let x_hi = points.iter().map(|p| finite(p.x + p.x_half.unwrap_or(0.0))).fold(0.0f64, f64::max);
    let y_hi = points.iter().map(|p| finite(p.y)).fold(0.0f64, f64::max);
    let x_hi = if x_hi > 0.0 { x_hi * 1.25 } else { 1.0 };
    let y_hi = if y_hi > 0.0 { y_hi * 1.12 } else { 1.0 };
    render((WIDTH, 560), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..x_hi, 0f64..y_hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_label_formatter(&|v| format!("{v:.2}"))
            .y_label_formatter(&|v| format!("{v:.2}"))
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 14))
            .max_light_lines(2)
            .light_line_style(RGBColor(238, 238, 238))
            .draw()
            .map_err(err)?;
        if diagonal {
            let m = x_hi.min(y_hi);
            chart.draw_series(LineSeries::new(vec![(0.0, 0.0), (m, m)], RGBColor(170, 170, 170).stroke_width(1))).map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    "σ = μ*",
                    (m * 0.93, m * 0.97),
                    (FONT, 13).into_font().color(&RGBColor(120, 120, 120)),
                )))
                .map_err(err)?;
        }
        chart
            .draw_series(points.iter().filter(|p| p.x.is_finite() && p.y.is_finite()).filter_map(|p| {
                let h = p.x_half.filter(|h| h.is_finite())?;
                Some(ErrorBar::new_horizontal(p.y, (p.x - h).max(0.0), p.x, p.x + h, RGBColor(120, 120, 120).stroke_width(1), 6))
            }))
            .map_err(err)?;
        chart
            .draw_series(
                points
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.x.is_finite() && p.y.is_finite())
                    .map(|(i, p)| Circle::new((p.x, p.y), 5, colour(if i < 10 { 0 } else { 6 }).filled())),
            )
            .map_err(err)?;
        // Names where they fit, in order; numbers otherwise.
        let mut taken: Vec<(i32, i32, i32, i32)> = Vec::new();
        let mut texts = Vec::new();
        for (i, p) in points.iter().enumerate().filter(|(_, p)| p.x.is_finite() && p.y.is_finite()) {
            let (px, py) = chart.backend_coord(&(p.x, p.y));
            let name = format!("{}. {}", i + 1, p.label);
            let w = text_width(&name, 13);
            let overlaps = |b: &(i32, i32, i32, i32)| taken.iter().any(|t| b.0 < t.2 && t.0 < b.2 && b.1 < t.3 && t.1 < b.3);
            // Right of the dot, or left of it near the right edge.
            let right = (px + 8, py - 8, px + 8 + w, py + 8);
            let left = (px - 8 - w, py - 8, px - 8, py + 8);
            let fits = |b: &(i32, i32, i32, i32)| b.0 >= 74 && b.2 <= WIDTH as i32 - 14 && !overlaps(b);
            if fits(&right) {
                taken.push(right);
                texts.push((name, p.x, p.y, 8));
            } else if fits(&left) {
                taken.push(left);
                texts.push((name, p.x, p.y, -8 - w));
            } else {
                // The number where it fits; a point in a crowd keeps only its dot (the table
                // beside the chart lists every input).
                let num = format!("{}", i + 1);
                let nb = (px + 7, py - 8, px + 7 + text_width(&num, 12), py + 8);
                if !overlaps(&nb) {
                    taken.push(nb);
                    texts.push((num, p.x, p.y, 7));
                }
            }
        }
        chart
            .draw_series(
                texts
                    .into_iter()
                    .map(|(t, x, y, dx)| EmptyElement::at((x, y)) + Text::new(t, (dx, -7), (FONT, 13).into_font().color(&BLACK))),
            )
            .map_err(err)?;
        Ok(())
    })
}

/// One entry of PRIM's peeling-and-pasting trajectory.
#[derive(Clone, Copy, Debug)]
pub struct TrajectoryPoint {
    /// Coverage (share of the target's runs inside the box).
    pub coverage: f64,
    /// Density (share of the box's runs that hit the target).
    pub density: f64,
    /// Number of restricted inputs.
    pub res_dim: usize,
}

/// PRIM's coverage–density trajectory: the boxes from the whole space (coverage 1) to the
/// smallest peeled box, coloured by the number of restricted inputs, the density threshold as
/// a dashed line and the chosen entry ringed and labelled.
pub fn prim_trajectory(points: &[TrajectoryPoint], chosen: Option<usize>, threshold: f64) -> String {
    let dims: Vec<usize> = {
        let mut d: Vec<usize> = points.iter().map(|p| p.res_dim).collect();
        d.sort_unstable();
        d.dedup();
        d
    };
    let svg = render((WIDTH, 460), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..1.02f64, 0f64..1.04f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("coverage: share of the target's runs inside the box")
            .y_desc("density: share of the box's runs in the target")
            .x_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 14))
            .max_light_lines(2)
            .light_line_style(RGBColor(238, 238, 238))
            .draw()
            .map_err(err)?;
        if threshold.is_finite() {
            let dash: Vec<f64> = (0..51).map(|k| k as f64 / 50.0 * 1.02).collect();
            chart
                .draw_series(
                    dash.chunks(2)
                        .filter(|c| c.len() == 2)
                        .map(|c| PathElement::new(vec![(c[0], threshold), (c[1], threshold)], RGBColor(179, 51, 51).stroke_width(2))),
                )
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("threshold {:.0}%", threshold * 100.0),
                    (0.02, (threshold + 0.035).min(1.03)),
                    (FONT, 13).into_font().color(&RGBColor(179, 51, 51)),
                )))
                .map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(points.iter().map(|p| (p.coverage, p.density)), RGBColor(150, 150, 150).stroke_width(1)))
            .map_err(err)?;
        chart
            .draw_series(points.iter().map(|p| {
                let k = dims.iter().position(|d| *d == p.res_dim).unwrap_or(0);
                Circle::new((p.coverage, p.density), 5, colour(k).filled())
            }))
            .map_err(err)?;
        if let Some(p) = chosen.and_then(|i| points.get(i)) {
            chart.draw_series(std::iter::once(Circle::new((p.coverage, p.density), 11, BLACK.stroke_width(2)))).map_err(err)?;
            let text = format!("chosen: coverage {:.0}%, density {:.0}%", p.coverage * 100.0, p.density * 100.0);
            // Below the ring (peeling raises the density, so the path runs above and to the
            // left), ending left of it when it is near the right edge.
            let x = if p.coverage > 0.55 { p.coverage - text_width(&text, 14) as f64 / 820.0 } else { p.coverage + 0.02 };
            let y = if p.density < 0.15 { p.density + 0.1 } else { p.density - 0.06 };
            chart.draw_series(std::iter::once(Text::new(text, (x.max(0.0), y), (FONT, 14).into_font().color(&BLACK)))).map_err(err)?;
        }
        Ok(())
    });
    let names: Vec<String> = dims.iter().map(|d| format!("{d} input{} restricted", if *d == 1 { "" } else { "s" })).collect();
    let entries: Vec<(RGBColor, &str)> = names.iter().enumerate().map(|(k, n)| (colour(k), n.as_str())).collect();
    with_legend(svg, &entries)
}

/// Runs on two inputs (their quantiles, 0–1), those in the target coloured, the others grey,
/// with a box's limits on those two inputs drawn as a rectangle `((x0, x1), (y0, y1))`.
pub fn box_scatter(
    points: &[(f64, f64, bool)],
    limits: ((f64, f64), (f64, f64)),
    (x_desc, y_desc): (&str, &str),
    (hit_name, miss_name): (&str, &str),
) -> String {
    let hit = PALETTE[3];
    let miss = RGBColor(160, 160, 160);
    let svg = render((WIDTH, 620), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.01f64..1.01f64, -0.01f64..1.01f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_label_formatter(&|v| format!("{v:.1}"))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 14))
            .max_light_lines(1)
            .light_line_style(RGBColor(242, 242, 242))
            .draw()
            .map_err(err)?;
        chart.draw_series(points.iter().filter(|p| !p.2).map(|&(x, y, _)| Circle::new((x, y), 2, miss.filled()))).map_err(err)?;
        chart.draw_series(points.iter().filter(|p| p.2).map(|&(x, y, _)| Circle::new((x, y), 2, hit.filled()))).map_err(err)?;
        let ((x0, x1), (y0, y1)) = limits;
        chart.draw_series(std::iter::once(Rectangle::new([(x0, y0), (x1, y1)], BLACK.stroke_width(3)))).map_err(err)?;
        Ok(())
    });
    with_legend(svg, &[(hit, hit_name), (miss, miss_name), (BLACK, "the box's limits on these two inputs")])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(l: &str, v: f64) -> Interval {
        Interval { label: l.into(), value: v, lo: v - 0.05, hi: v + 0.05 }
    }

    #[test]
    fn one_category_and_one_cell_draw() {
        let one = probability_bars(&[iv("only", 0.4)]);
        assert!(one.starts_with("<svg") && one.contains("only"), "{one}");
        let h = heatmap(&[(1.0, 2.0, 0.5)], "x", "y");
        assert!(h.starts_with("<svg") && h.contains("50%"));
    }

    #[test]
    fn sensitivity_charts_draw_their_marks() {
        let bars = sobol_bars(&[
            SobolBar { label: "Iran's delivery capacity".into(), s1: (0.4, 0.05), st: (0.55, 0.06) },
            SobolBar { label: "leak".into(), s1: (-0.01, 0.02), st: (0.0, 0.01) },
        ]);
        assert!(bars.starts_with("<svg") && bars.contains("Iran&apos;s delivery capacity"), "{bars}");
        // Four bars (two per input), over the background.
        assert!(bars.matches("<rect").count() >= 5, "{bars}");
        assert!(bars.contains("ST, total order") && bars.contains("S1, first order"));
        let pts: Vec<Labelled> = (0..12)
            .map(|i| Labelled {
                label: format!("parameter number {i}"),
                x: 0.5 - 0.04 * i as f64,
                y: 0.3 - 0.02 * i as f64,
                x_half: Some(0.02),
            })
            .collect();
        let sc = labelled_scatter(&pts, "mu*", "sigma", true);
        // One dot (radius 5) per input; the whiskers' ends are drawn as smaller marks.
        assert_eq!(sc.matches(" r=\"5\"").count(), 12, "one dot per input");
        assert!(sc.contains("1. parameter number 0"), "the first name always shows");
        assert!(sc.contains("σ = μ*"));
        let traj = prim_trajectory(
            &[
                TrajectoryPoint { coverage: 1.0, density: 0.3, res_dim: 0 },
                TrajectoryPoint { coverage: 0.7, density: 0.6, res_dim: 1 },
                TrajectoryPoint { coverage: 0.5, density: 0.85, res_dim: 2 },
            ],
            Some(2),
            0.8,
        );
        assert!(traj.contains("chosen: coverage 50%, density 85%") && traj.contains("threshold 80%"));
        assert!(traj.contains("2 inputs restricted"));
        let b = box_scatter(
            &[(0.1, 0.2, true), (0.8, 0.9, false), (0.5, 0.5, true)],
            ((0.0, 0.6), (0.1, 1.0)),
            ("x", "y"),
            ("breakdown", "other runs"),
        );
        assert_eq!(b.matches("<circle").count(), 3);
        assert!(b.contains("breakdown") && b.contains("<rect"));
        assert_eq!(
            b,
            box_scatter(
                &[(0.1, 0.2, true), (0.8, 0.9, false), (0.5, 0.5, true)],
                ((0.0, 0.6), (0.1, 1.0)),
                ("x", "y"),
                ("breakdown", "other runs")
            )
        );
    }

    #[test]
    fn charts_are_svg_with_their_marks_and_labels() {
        let bars = probability_bars(&[iv("comprehensive <deal> & more", 0.3), iv("collapse", 0.5)]);
        assert!(bars.starts_with("<svg"), "{}", &bars[..bars.len().min(200)]);
        assert!(bars.contains("<rect") && bars.contains("collapse"));
        assert!(!bars.contains("<deal>"), "labels are escaped");
        assert_eq!(bars, probability_bars(&[iv("comprehensive <deal> & more", 0.3), iv("collapse", 0.5)]));
        let f = forest(&[iv("mediated vs direct", 0.1), iv("no spoiler", -0.02)], "difference (points)");
        assert!(f.contains("<circle") && f.contains("<line") || f.contains("<polyline"));
        let fan = fan_chart(
            &[Fan { name: "US→Iran".into(), points: (0..10).map(|x| (x as f64, [0.1, 0.2, 0.3, 0.4, 0.5])).collect() }],
            (0.0, 1.0),
            "week",
            "trust",
        );
        assert!(fan.contains("<polygon") && fan.contains("polyline"));
        let t = tornado(&[Swing { label: "leak".into(), low: 0.4, high: 0.2 }], 0.3, "P", "low", "high");
        assert!(t.matches("<rect").count() >= 3);
        let c = cumulative_curves(&[Line { name: "a".into(), points: vec![(0.0, 0.0), (5.0, 0.5)] }], "x", "y");
        assert!(c.contains("polyline"));
    }
}
