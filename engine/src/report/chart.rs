//! Charts as vector shapes. [`layout`] turns a chart section's rows into [`Shape`]s in a
//! `width` × `height` box (y grows downwards, units are points); the HTML writer turns them
//! into inline SVG ([`to_svg`]), the PDF writer into PDF paths. One layout, two drawings,
//! so a chart looks the same in every format.
//!
//! Decisions:
//! - Categories (the `x` column) are evenly spaced in row order, one band each; points and
//!   bar groups sit at band centres. X labels are the column's display text, thinned to every
//!   k-th so they never overlap, and shortened with `…` past [`MAX_LABEL_CHARS`].
//! - The y axis has "nice" ticks (steps 1, 2, 2.5, 5 × 10ⁿ; 4–7 ticks, see [`nice_ticks`]).
//!   Bars always include zero; lines include zero unless the data sit far above (or below)
//!   it (Excel's 5/6 rule), and a constant series still gets a range. Tick labels use the
//!   first y column's format, abbreviated with K/M/B from 10,000 up (`₩1.2M`, `25K`).
//! - NULL and non-numeric values are skipped: a bar is left out, a line breaks at the gap
//!   (an isolated point still shows as a dot). Pie slices skip values ≤ 0; more than
//!   [`PALETTE`]`.len()` slices keep the largest ones and merge the rest into [`OTHER`].
//! - Colours: the Okabe–Ito palette (distinguishable with the common colour-vision
//!   deficiencies), series *i* gets `PALETTE[i % 8]`. A legend names the series when there
//!   are several (the pie legend always, with each slice's percent share).
//! - No data at all draws only the text [`NO_DATA`]. Output never contains NaN: every
//!   coordinate is finite for empty, constant, negative or huge series.
//! - A full circle is a [`Shape::Wedge`] spanning 2π (the pie of one slice, line markers);
//!   drawers must render it as a circle.

use super::format::{self, effective};
use super::html::escape;
use super::{Display, Format, SectionHead, Value};
use std::f64::consts::TAU;
use std::fmt::Write as _;

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Text anchor along x.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// One drawing primitive.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: Rgb,
    },
    Line {
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        stroke: Rgb,
        width: f64,
    },
    Polyline {
        points: Vec<(f64, f64)>,
        stroke: Rgb,
        width: f64,
    },
    /// A closed pie slice: centre, radius, start and end angle in radians
    /// (0 = 12 o'clock, clockwise).
    Wedge {
        cx: f64,
        cy: f64,
        r: f64,
        start: f64,
        end: f64,
        fill: Rgb,
    },
    /// `y` is the text baseline.
    Text {
        x: f64,
        y: f64,
        text: String,
        size: f64,
        anchor: Anchor,
        fill: Rgb,
    },
}

/// Series colours: Okabe–Ito, ordered so neighbours contrast (blue, orange, green, …).
pub const PALETTE: [Rgb; 8] = [
    Rgb(0x00, 0x72, 0xb2), // blue
    Rgb(0xe6, 0x9f, 0x00), // orange
    Rgb(0x00, 0x9e, 0x73), // bluish green
    Rgb(0xd5, 0x5e, 0x00), // vermillion
    Rgb(0x56, 0xb4, 0xe9), // sky blue
    Rgb(0xcc, 0x79, 0xa7), // reddish purple
    Rgb(0xf0, 0xe4, 0x42), // yellow
    Rgb(0x00, 0x00, 0x00), // black
];

/// Text shown when a chart has nothing to draw.
pub const NO_DATA: &str = "데이터 없음";
/// Label of the pie slice that gathers the smallest slices.
pub const OTHER: &str = "기타";
/// Font stack that covers Hangul on Linux, Windows and Apple systems.
pub const FONT_FAMILY: &str = "'Noto Sans KR', 'Malgun Gothic', 'Apple SD Gothic Neo', sans-serif";
/// Longest category label, in characters, before it is shortened with `…`.
pub const MAX_LABEL_CHARS: usize = 18;

const INK: Rgb = Rgb(0x21, 0x25, 0x29);
const MUTED: Rgb = Rgb(0x5a, 0x62, 0x6a);
const GRID: Rgb = Rgb(0xde, 0xe2, 0xe6);
const AXIS: Rgb = Rgb(0x86, 0x8e, 0x96);
const FONT: f64 = 10.0;
const PAD: f64 = 8.0;
/// Values are clamped to ±this so ranges and coordinates stay finite.
const HUGE: f64 = 1e300;
/// Lines with at most this many categories get a dot at every point.
const MARKERS_UP_TO: usize = 31;

/// Lays out a chart section (`head.display` is line, bar or pie; other displays draw as a
/// line chart). `rows` are the section's rows, at most [`super::MAX_CHART_POINTS`].
pub fn layout(head: &SectionHead, rows: &[Vec<Value>], width: f64, height: f64) -> Vec<Shape> {
    let width = if width.is_finite() && width > 0.0 { width } else { 1.0 };
    let height = if height.is_finite() && height > 0.0 { height } else { 1.0 };
    match head.display {
        Display::Pie => pie(head, rows, width, height),
        Display::Bar => cartesian(head, rows, width, height, true),
        _ => cartesian(head, rows, width, height, false),
    }
}

/// Tick values from `lo` to `hi` (finite): a step of 1, 2, 2.5 or 5 × 10ⁿ giving about five
/// intervals, the first tick at or below `lo`, the last at or above `hi`. An empty range is
/// widened to include zero (or 0..1). `nice_ticks(0, 87)` is `[0, 20, 40, 60, 80, 100]`.
pub fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
    ticks(lo, hi, false)
}

fn ticks(lo: f64, hi: f64, integral: bool) -> Vec<f64> {
    let (mut lo, mut hi) = (lo.min(hi).clamp(-HUGE, HUGE), hi.max(lo).clamp(-HUGE, HUGE));
    if !(lo.is_finite() && hi.is_finite()) {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo <= hi.abs().max(lo.abs()) * 1e-12 {
        (lo, hi) = (lo.min(0.0), hi.max(0.0));
        if hi == lo {
            hi = 1.0;
        }
    }
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let mut step =
        [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw * (1.0 - 1e-9)).unwrap_or(10.0 * mag);
    if integral {
        step = step.max(1.0);
    }
    let first = (lo / step + 1e-9).floor() as i64;
    let last = (hi / step - 1e-9).ceil() as i64;
    let decimals = decimals_for(step);
    (first..=last.max(first + 1))
        .map(|k| {
            let t = k as f64 * step;
            // Drop binary noise (0.30000000000000004 → 0.3) where it is below the step's digits.
            if decimals <= 15 {
                format!("{t:.*}", decimals as usize).parse().unwrap_or(t)
            } else {
                t
            }
        })
        .collect()
}

/// Decimal places needed to write `step` (positive) exactly: 20 → 0, 2.5 → 1, 0.25 → 2.
fn decimals_for(step: f64) -> u8 {
    (0..=12u8)
        .find(|&d| {
            let s = step * 10f64.powi(d as i32);
            (s - s.round()).abs() < 1e-6 * s.max(1.0)
        })
        .unwrap_or(12)
}

/// Axis labels for `ticks` under the y column's `format`, sharing one unit (K/M/B).
fn tick_labels(ticks: &[f64], format: Format) -> Vec<String> {
    let step = match ticks {
        [a, b, ..] => b - a,
        _ => 1.0,
    };
    let show = |t: f64, f: Format| format::display(&Value::Float(t), f);
    match format {
        Format::Percent { .. } => {
            let f = Format::Percent { decimals: decimals_for(step) };
            ticks.iter().map(|&t| show(t, if t == 0.0 { Format::Percent { decimals: 0 } } else { f })).collect()
        }
        Format::Ratio { .. } => {
            let f = Format::Ratio { decimals: decimals_for(step * 100.0) };
            ticks.iter().map(|&t| show(t, if t == 0.0 { Format::Ratio { decimals: 0 } } else { f })).collect()
        }
        _ => {
            let max = ticks.iter().fold(0.0f64, |m, t| m.max(t.abs()));
            let (div, suffix) = match max {
                m if m >= 1e9 => (1e9, "B"),
                m if m >= 1e6 => (1e6, "M"),
                m if m >= 1e4 => (1e3, "K"),
                _ => (1.0, ""),
            };
            let decimals = decimals_for(step / div);
            ticks
                .iter()
                .map(|&t| {
                    let n = if t == 0.0 {
                        "0".to_string()
                    } else {
                        format!("{}{suffix}", format::group(t / div, decimals))
                    };
                    match (format, n.strip_prefix('-')) {
                        (Format::CurrencyKrw, Some(rest)) => format!("-₩{rest}"),
                        (Format::CurrencyKrw, None) => format!("₩{n}"),
                        _ => n,
                    }
                })
                .collect()
        }
    }
}

/// `text`, cut with `…` until it is at most `room` wide (at least one character stays).
fn fit_width(text: &str, room: f64) -> String {
    if text_width(text, FONT) <= room {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while chars.len() > 1 {
        chars.pop();
        let s: String = chars.iter().collect::<String>() + "…";
        if text_width(&s, FONT) <= room {
            return s;
        }
    }
    chars.iter().collect::<String>() + "…"
}

/// Rough width of `text` at font `size`: Hangul/CJK a full em, anything else 0.62 em.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| {
            let wide = matches!(c as u32, 0x1100..=0x11ff | 0x2e80..=0xa4cf | 0xac00..=0xd7a3 | 0xf900..=0xfaff | 0xff00..=0xffef);
            if wide { 1.0 } else { 0.62 }
        })
        .sum::<f64>()
        * size
}

/// `text` cut to `max` characters, the last one replaced by `…`.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

fn no_data(width: f64, height: f64) -> Vec<Shape> {
    vec![Shape::Text {
        x: width / 2.0,
        y: height / 2.0 + 4.0,
        text: NO_DATA.to_string(),
        size: 12.0,
        anchor: Anchor::Middle,
        fill: MUTED,
    }]
}

/// Display text of the category (x) value of each row.
fn categories(head: &SectionHead, rows: &[Vec<Value>]) -> Vec<String> {
    let format = head.columns.get(head.x).map_or(Format::Text, |c| effective(c.format, c.kind));
    rows.iter()
        .map(|r| shorten(&format::display(r.get(head.x).unwrap_or(&Value::Null), format), MAX_LABEL_CHARS))
        .collect()
}

/// A wrapping row of colour keys and labels from (`x`, `y`) within `width`; returns the
/// height it took.
fn legend(shapes: &mut Vec<Shape>, items: &[(String, Rgb)], x: f64, y: f64, width: f64) -> f64 {
    let (mut cx, mut cy) = (x, y);
    for (label, colour) in items {
        let w = 14.0 + text_width(label, FONT);
        if cx > x && cx + w > x + width {
            cx = x;
            cy += FONT + 6.0;
        }
        shapes.push(Shape::Rect { x: cx, y: cy, w: 10.0, h: 10.0, fill: *colour });
        shapes.push(Shape::Text {
            x: cx + 14.0,
            y: cy + 9.0,
            text: label.clone(),
            size: FONT,
            anchor: Anchor::Start,
            fill: INK,
        });
        cx += w + 14.0;
    }
    cy - y + FONT + 6.0
}

/// Line and bar charts.
fn cartesian(head: &SectionHead, rows: &[Vec<Value>], width: f64, height: f64, bars: bool) -> Vec<Shape> {
    let ys: Vec<usize> = head.y.iter().copied().filter(|&c| c < head.columns.len()).collect();
    let series: Vec<Vec<Option<f64>>> = ys
        .iter()
        .map(|&c| rows.iter().map(|r| r.get(c).and_then(Value::as_f64).map(|v| v.clamp(-HUGE, HUGE))).collect())
        .collect();
    let (lo, hi) = series
        .iter()
        .flatten()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return no_data(width, height);
    }
    let (lo, hi) = if bars {
        (lo.min(0.0), hi.max(0.0))
    } else if lo >= 0.0 && (lo <= hi * 5.0 / 6.0 || lo == hi) {
        (0.0, hi)
    } else if hi <= 0.0 && (hi >= lo * 5.0 / 6.0 || lo == hi) {
        (lo, 0.0)
    } else {
        (lo, hi)
    };
    let y_column = &head.columns[ys[0]];
    let y_format = effective(y_column.format, y_column.kind);
    let integral = matches!(y_format, Format::Integer | Format::CurrencyKrw);
    let ticks = ticks(lo, hi, integral);
    let labels = tick_labels(&ticks, y_format);
    let (t0, t1) = (ticks[0], ticks[ticks.len() - 1]);

    let mut shapes = Vec::new();
    let mut top = PAD;
    if ys.len() > 1 {
        let items: Vec<(String, Rgb)> =
            ys.iter().enumerate().map(|(i, &c)| (head.columns[c].label.clone(), PALETTE[i % PALETTE.len()])).collect();
        top += legend(&mut shapes, &items, PAD, PAD, width - 2.0 * PAD) + 4.0;
    }
    top += FONT / 2.0; // room for the top tick label
    let left = PAD + labels.iter().map(|l| text_width(l, FONT)).fold(0.0, f64::max) + 6.0;
    let right = (width - 2.0 * PAD).max(left + 1.0);
    let bottom = (height - PAD - FONT - 6.0).max(top + 1.0);
    let (plot_w, plot_h) = (right - left, bottom - top);
    let y_of = |v: f64| bottom - (v - t0) / (t1 - t0) * plot_h;

    for (t, label) in ticks.iter().zip(&labels) {
        let y = y_of(*t);
        shapes.push(Shape::Line { x1: left, y1: y, x2: right, y2: y, stroke: GRID, width: 1.0 });
        shapes.push(Shape::Text {
            x: left - 6.0,
            y: y + FONT * 0.35,
            text: label.clone(),
            size: FONT,
            anchor: Anchor::End,
            fill: MUTED,
        });
    }

    let n = rows.len();
    let band = plot_w / n as f64;
    let centre = |i: usize| left + (i as f64 + 0.5) * band;
    let names = categories(head, rows);
    let widest = names.iter().map(|s| text_width(s, FONT)).fold(0.0, f64::max);
    // A bar chart of a few categories labels every bar, shortened to its band; otherwise
    // labels are thinned to every k-th so they never overlap.
    let every = if bars && n <= 16 { 1 } else { (((widest + 12.0) / band).ceil() as usize).max(1) };
    for i in (0..n).step_by(every) {
        let text = if every == 1 { fit_width(&names[i], band - 6.0) } else { names[i].clone() };
        let half = text_width(&text, FONT) / 2.0;
        let x = centre(i).clamp(half + 2.0, (width - half - 2.0).max(half + 2.0));
        shapes.push(Shape::Text { x, y: bottom + FONT + 4.0, text, size: FONT, anchor: Anchor::Middle, fill: MUTED });
    }

    if bars {
        let bar_w = band * 0.8 / series.len() as f64;
        let gap = if bar_w > 6.0 { 1.0 } else { 0.0 };
        let zero = y_of(0.0);
        for (s, values) in series.iter().enumerate() {
            for (i, v) in values.iter().enumerate() {
                if let Some(v) = v {
                    let y = y_of(*v);
                    shapes.push(Shape::Rect {
                        x: left + i as f64 * band + band * 0.1 + s as f64 * bar_w + gap / 2.0,
                        y: y.min(zero),
                        w: bar_w - gap,
                        h: (y - zero).abs(),
                        fill: PALETTE[s % PALETTE.len()],
                    });
                }
            }
        }
    }
    let axis = y_of(0.0f64.clamp(t0, t1));
    shapes.push(Shape::Line { x1: left, y1: axis, x2: right, y2: axis, stroke: AXIS, width: 1.0 });
    if !bars {
        for (s, values) in series.iter().enumerate() {
            let colour = PALETTE[s % PALETTE.len()];
            // Runs of consecutive values; a NULL breaks the line.
            let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for (i, v) in values.iter().enumerate() {
                match v {
                    Some(v) => runs.last_mut().unwrap().push((centre(i), y_of(*v))),
                    None => runs.push(Vec::new()),
                }
            }
            for points in runs.into_iter().filter(|r| !r.is_empty()) {
                if points.len() == 1 || n <= MARKERS_UP_TO {
                    for &(cx, cy) in &points {
                        shapes.push(Shape::Wedge { cx, cy, r: 2.5, start: 0.0, end: TAU, fill: colour });
                    }
                }
                if points.len() > 1 {
                    shapes.push(Shape::Polyline { points, stroke: colour, width: 2.0 });
                }
            }
        }
    }
    shapes
}

/// Pie chart: the circle on the left, a legend with percent shares on the right.
fn pie(head: &SectionHead, rows: &[Vec<Value>], width: f64, height: f64) -> Vec<Shape> {
    let Some(&yc) = head.y.first() else {
        return no_data(width, height);
    };
    let names = categories(head, rows);
    let mut slices: Vec<(String, f64)> = rows
        .iter()
        .zip(names)
        .filter_map(|(r, name)| r.get(yc)?.as_f64().filter(|v| *v > 0.0).map(|v| (name, v.min(HUGE))))
        .collect();
    if slices.is_empty() {
        return no_data(width, height);
    }
    if slices.len() > PALETTE.len() {
        // Keep the largest (in row order), merge the rest.
        let mut order: Vec<usize> = (0..slices.len()).collect();
        order.sort_by(|&a, &b| slices[b].1.total_cmp(&slices[a].1));
        let keep = &order[..PALETTE.len() - 1];
        let rest: f64 = order[PALETTE.len() - 1..].iter().map(|&i| slices[i].1).sum();
        let mut kept: Vec<(String, f64)> =
            slices.iter().enumerate().filter(|(i, _)| keep.contains(i)).map(|(_, s)| s.clone()).collect();
        kept.push((OTHER.to_string(), rest));
        slices = kept;
    }
    let total: f64 = slices.iter().map(|s| s.1).sum();
    let r = ((height - 2.0 * PAD) / 2.0).min(width / 4.0).max(1.0);
    let row_h = FONT + 8.0;
    // Legend lines "name  12.3%", names shortened to fit right of the pie.
    let room = width - 2.0 * r - 24.0 - 14.0 - 2.0 * PAD;
    let lines: Vec<String> = slices
        .iter()
        .map(|(name, v)| {
            let share = format::display(&Value::Float(v / total * 100.0), Format::Percent { decimals: 1 });
            let mut keep = name.chars().count();
            let mut line = format!("{name}  {share}");
            while keep > 1 && text_width(&line, FONT) > room {
                keep -= 1;
                line = format!("{}  {share}", shorten(name, keep));
            }
            line
        })
        .collect();
    let legend_w = 14.0 + lines.iter().map(|l| text_width(l, FONT)).fold(0.0, f64::max);
    // Centre pie and legend together.
    let left = ((width - (2.0 * r + 24.0 + legend_w)) / 2.0).max(PAD);
    let (cx, cy) = (left + r, height / 2.0);
    let legend_x = cx + r + 24.0;
    let mut y = cy - row_h * slices.len() as f64 / 2.0;
    let mut shapes = Vec::new();
    let mut angle = 0.0;
    for (i, ((_, v), line)) in slices.iter().zip(lines).enumerate() {
        let fill = PALETTE[i % PALETTE.len()];
        let end = if i + 1 == slices.len() { TAU } else { angle + v / total * TAU };
        shapes.push(Shape::Wedge { cx, cy, r, start: angle, end, fill });
        angle = end;
        shapes.push(Shape::Rect { x: legend_x, y, w: 10.0, h: 10.0, fill });
        shapes.push(Shape::Text {
            x: legend_x + 14.0,
            y: y + 9.0,
            text: line,
            size: FONT,
            anchor: Anchor::Start,
            fill: INK,
        });
        y += row_h;
    }
    shapes
}

/// A number for SVG: at most two decimals, no trailing zeros, never NaN.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// Inline SVG for shapes laid out in a `width` × `height` box: `<svg viewBox=… role="img">`
/// (no size, so it scales to its container; no `xmlns`, which HTML does not need — add it
/// for a standalone `.svg` file). The output starts with `<svg `. Text is XML-escaped.
pub fn to_svg(shapes: &[Shape], width: f64, height: f64) -> String {
    let mut s = String::with_capacity(128 + shapes.len() * 80);
    let _ = write!(
        s,
        r#"<svg viewBox="0 0 {} {}" role="img" font-family="{}">"#,
        num(width),
        num(height),
        escape(FONT_FAMILY)
    );
    for shape in shapes {
        let _ = match shape {
            Shape::Rect { x, y, w, h, fill } => write!(
                s,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
                num(*x),
                num(*y),
                num(w.max(0.0)),
                num(h.max(0.0)),
                fill.hex()
            ),
            Shape::Line { x1, y1, x2, y2, stroke, width } => write!(
                s,
                r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"/>"#,
                num(*x1),
                num(*y1),
                num(*x2),
                num(*y2),
                stroke.hex(),
                num(*width)
            ),
            Shape::Polyline { points, stroke, width } => {
                let pts: Vec<String> = points.iter().map(|(x, y)| format!("{},{}", num(*x), num(*y))).collect();
                write!(
                    s,
                    r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="{}" stroke-linejoin="round" stroke-linecap="round"/>"#,
                    pts.join(" "),
                    stroke.hex(),
                    num(*width)
                )
            }
            Shape::Wedge { cx, cy, r, start, end, fill } => {
                let sweep = end - start;
                if sweep >= TAU - 1e-9 {
                    write!(s, r#"<circle cx="{}" cy="{}" r="{}" fill="{}"/>"#, num(*cx), num(*cy), num(*r), fill.hex())
                } else if sweep <= 0.0 || !sweep.is_finite() {
                    Ok(())
                } else {
                    let at = |a: f64| (cx + r * a.sin(), cy - r * a.cos());
                    let ((x0, y0), (x1, y1)) = (at(*start), at(*end));
                    write!(
                        s,
                        r#"<path d="M{},{}L{},{}A{},{} 0 {} 1 {},{}Z" fill="{}"/>"#,
                        num(*cx),
                        num(*cy),
                        num(x0),
                        num(y0),
                        num(*r),
                        num(*r),
                        u8::from(sweep > std::f64::consts::PI),
                        num(x1),
                        num(y1),
                        fill.hex()
                    )
                }
            }
            Shape::Text { x, y, text, size, anchor, fill } => {
                let anchor = match anchor {
                    Anchor::Start => "",
                    Anchor::Middle => r#" text-anchor="middle""#,
                    Anchor::End => r#" text-anchor="end""#,
                };
                write!(
                    s,
                    r#"<text x="{}" y="{}" font-size="{}"{} fill="{}">{}</text>"#,
                    num(*x),
                    num(*y),
                    num(*size),
                    anchor,
                    fill.hex(),
                    escape(text)
                )
            }
        };
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Column, ColumnType};

    fn head(display: Display, ys: usize, format: Format) -> SectionHead {
        let mut columns = vec![Column { label: "day".into(), kind: ColumnType::Text, format: Format::Text }];
        for i in 0..ys {
            columns.push(Column { label: format!("s{i}"), kind: ColumnType::Number, format });
        }
        SectionHead { title: "t".into(), display, columns, x: 0, y: (1..=ys).collect() }
    }

    fn rows(values: &[&[Option<f64>]]) -> Vec<Vec<Value>> {
        values
            .iter()
            .enumerate()
            .map(|(i, vs)| {
                let mut r = vec![Value::Text(format!("c{i}"))];
                r.extend(vs.iter().map(|v| v.map_or(Value::Null, Value::Float)));
                r
            })
            .collect()
    }

    fn texts(shapes: &[Shape]) -> Vec<&str> {
        shapes
            .iter()
            .filter_map(|s| if let Shape::Text { text, .. } = s { Some(text.as_str()) } else { None })
            .collect()
    }

    #[test]
    fn nice_ticks_known_answers() {
        assert_eq!(nice_ticks(0.0, 87.0), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 100.0), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 101.0), vec![0.0, 25.0, 50.0, 75.0, 100.0, 125.0]);
        assert_eq!(nice_ticks(0.0, 0.3), vec![0.0, 0.1, 0.2, 0.3]);
        assert_eq!(nice_ticks(-35.0, 12.0), vec![-40.0, -30.0, -20.0, -10.0, 0.0, 10.0, 20.0]);
        assert_eq!(nice_ticks(0.0, 0.0), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(5.0, 5.0), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        for (lo, hi) in [(0.0, 1.0), (3.0, 7.0), (-1e9, 2e9), (0.001, 0.0042), (-7.0, -2.0), (0.0, 1.7e12)] {
            let t = nice_ticks(lo, hi);
            assert!((4..=7).contains(&t.len()), "{lo}..{hi}: {t:?}");
            assert!(t[0] <= lo && *t.last().unwrap() >= hi, "{lo}..{hi}: {t:?}");
        }
    }

    #[test]
    fn tick_labels_abbreviate_with_the_column_format() {
        assert_eq!(tick_labels(&[0.0, 20.0, 40.0], Format::Integer), ["0", "20", "40"]);
        assert_eq!(
            tick_labels(&[0.0, 500_000.0, 1_000_000.0, 1_500_000.0], Format::CurrencyKrw),
            ["₩0", "₩0.5M", "₩1.0M", "₩1.5M"]
        );
        assert_eq!(tick_labels(&[-20_000.0, 0.0, 20_000.0], Format::CurrencyKrw), ["-₩20K", "₩0", "₩20K"]);
        assert_eq!(tick_labels(&[0.0, 2.5, 5.0], Format::Percent { decimals: 0 }), ["0%", "2.5%", "5.0%"]);
        assert_eq!(tick_labels(&[0.0, 0.1, 0.2], Format::Ratio { decimals: 2 }), ["0%", "10%", "20%"]);
        assert_eq!(tick_labels(&[0.0, 1e9, 2e9], Format::Number { decimals: 2 }), ["0", "1B", "2B"]);
    }

    #[test]
    fn bar_heights_are_proportional_and_negatives_hang_below_zero() {
        let h = head(Display::Bar, 1, Format::Integer);
        let shapes = layout(&h, &rows(&[&[Some(10.0)], &[Some(20.0)], &[Some(40.0)], &[Some(-10.0)]]), 400.0, 300.0);
        let bars: Vec<(f64, f64)> = shapes
            .iter()
            .filter_map(|s| if let Shape::Rect { y, h, .. } = s { Some((*y, *h)) } else { None })
            .collect();
        assert_eq!(bars.len(), 4);
        assert!((bars[1].1 / bars[0].1 - 2.0).abs() < 1e-9);
        assert!((bars[2].1 / bars[0].1 - 4.0).abs() < 1e-9);
        assert!((bars[3].1 - bars[0].1).abs() < 1e-9);
        // The positive bars end at the zero line, where the negative one starts.
        let zero = bars[0].0 + bars[0].1;
        assert!((bars[2].0 + bars[2].1 - zero).abs() < 1e-9);
        assert!((bars[3].0 - zero).abs() < 1e-9);
        assert!(texts(&shapes).contains(&"-10")); // the axis reaches below zero
    }

    #[test]
    fn grouped_bars_get_series_colours_and_a_legend() {
        let h = head(Display::Bar, 2, Format::Integer);
        let shapes = layout(&h, &rows(&[&[Some(1.0), Some(2.0)], &[None, Some(3.0)]]), 400.0, 300.0);
        let fills: Vec<Rgb> = shapes
            .iter()
            .filter_map(|s| if let Shape::Rect { fill, h, .. } = s { (*h > 10.0).then_some(*fill) } else { None })
            .collect();
        assert_eq!(fills, [PALETTE[0], PALETTE[1], PALETTE[1]]); // the NULL bar is left out
        let t = texts(&shapes);
        assert!(t.contains(&"s0") && t.contains(&"s1"));
    }

    #[test]
    fn pie_angles_sum_to_a_full_turn_and_skip_non_positive() {
        let h = head(Display::Pie, 1, Format::Integer);
        let shapes =
            layout(&h, &rows(&[&[Some(1.0)], &[Some(3.0)], &[Some(0.0)], &[Some(-5.0)], &[None]]), 400.0, 200.0);
        let wedges: Vec<(f64, f64)> = shapes
            .iter()
            .filter_map(|s| if let Shape::Wedge { start, end, .. } = s { Some((*start, *end)) } else { None })
            .collect();
        assert_eq!(wedges.len(), 2);
        assert_eq!(wedges[0].0, 0.0);
        assert!((wedges[0].1 - TAU / 4.0).abs() < 1e-12);
        assert_eq!(wedges[1], (wedges[0].1, TAU));
        let sum: f64 = wedges.iter().map(|(a, b)| b - a).sum();
        assert!((sum - TAU).abs() < 1e-12);
        assert_eq!(texts(&shapes), ["c0  25.0%", "c1  75.0%"]);
    }

    #[test]
    fn pie_merges_small_slices_into_other() {
        let h = head(Display::Pie, 1, Format::Integer);
        let values: Vec<[Option<f64>; 1]> = (1..=10).map(|v| [Some(v as f64)]).collect();
        let refs: Vec<&[Option<f64>]> = values.iter().map(|v| &v[..]).collect();
        let shapes = layout(&h, &rows(&refs), 400.0, 200.0);
        let t = texts(&shapes);
        assert_eq!(t.len(), 8);
        assert_eq!(t[0], "c3  7.3%"); // 4 of 55: the smallest three (1+2+3) are merged
        assert_eq!(t[7], "기타  10.9%");
    }

    #[test]
    fn pie_legend_is_shortened_to_fit_the_box() {
        let h = head(Display::Pie, 1, Format::Integer);
        let rows: Vec<Vec<Value>> =
            (1..=3).map(|i| vec![Value::Text("아주 긴 상품 이름이 들어갑니다".into()), Value::Int(i)]).collect();
        let shapes = layout(&h, &rows, 360.0, 280.0);
        for s in &shapes {
            if let Shape::Text { x, text, .. } = s {
                assert!(x + text_width(text, FONT) <= 360.0, "{text} at {x}");
                assert!(text.contains('…') && text.ends_with('%'), "{text}");
            }
        }
    }

    #[test]
    fn one_slice_draws_a_circle() {
        let shapes = vec![Shape::Wedge { cx: 50.0, cy: 50.0, r: 40.0, start: 0.0, end: TAU, fill: PALETTE[0] }];
        assert_eq!(
            to_svg(&shapes, 100.0, 100.0),
            format!(
                r##"<svg viewBox="0 0 100 100" role="img" font-family="{}"><circle cx="50" cy="50" r="40" fill="#0072b2"/></svg>"##,
                escape(FONT_FAMILY)
            )
        );
        let quarter = vec![Shape::Wedge { cx: 50.0, cy: 50.0, r: 40.0, start: 0.0, end: TAU / 4.0, fill: PALETTE[0] }];
        assert!(to_svg(&quarter, 100.0, 100.0).contains(r#"d="M50,50L50,10A40,40 0 0 1 90,50Z""#));
    }

    #[test]
    fn text_is_escaped() {
        let shapes =
            vec![Shape::Text { x: 1.0, y: 2.0, text: r#"<b>&"x""#.into(), size: 10.0, anchor: Anchor::End, fill: INK }];
        let svg = to_svg(&shapes, 10.0, 10.0);
        assert!(svg.contains(r##"text-anchor="end" fill="#212529">&lt;b&gt;&amp;&quot;x&quot;</text>"##), "{svg}");
    }

    #[test]
    fn lines_break_at_gaps_and_never_emit_nan() {
        let h = head(Display::Line, 1, Format::Number { decimals: 1 });
        let shapes = layout(&h, &rows(&[&[Some(1.0)], &[Some(2.0)], &[None], &[Some(4.0)]]), 300.0, 200.0);
        let lines: Vec<usize> = shapes
            .iter()
            .filter_map(|s| if let Shape::Polyline { points, .. } = s { Some(points.len()) } else { None })
            .collect();
        assert_eq!(lines, [2]);
        let dots = shapes.iter().filter(|s| matches!(s, Shape::Wedge { .. })).count();
        assert_eq!(dots, 3);
        let cases: Vec<Vec<Vec<Value>>> = vec![
            vec![],
            rows(&[&[None], &[None]]),
            rows(&[&[Some(5.0)], &[Some(5.0)]]),
            rows(&[&[Some(0.0)], &[Some(0.0)]]),
            rows(&[&[Some(-3.0)], &[Some(-8.0)]]),
            rows(&[&[Some(f64::MAX)], &[Some(-f64::MAX)]]),
            rows(&[&[Some(7.0)]]),
        ];
        for display in [Display::Line, Display::Bar, Display::Pie] {
            for r in &cases {
                let svg = to_svg(&layout(&head(display, 2, Format::Integer), r, 300.0, 200.0), 300.0, 200.0);
                assert!(!svg.contains("NaN") && !svg.contains("inf"), "{display:?} {r:?}: {svg}");
            }
        }
        let empty = layout(&h, &[], 300.0, 200.0);
        assert_eq!(texts(&empty), [NO_DATA]);
    }

    #[test]
    fn constant_line_gets_a_zero_based_axis() {
        let h = head(Display::Line, 1, Format::Integer);
        let t = texts(&layout(&h, &rows(&[&[Some(5.0)], &[Some(5.0)]]), 300.0, 200.0))
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        assert_eq!(&t[..6], ["0", "1", "2", "3", "4", "5"]);
    }

    #[test]
    fn few_bars_are_all_labelled_and_shortened_to_their_band() {
        let head = SectionHead {
            title: "t".into(),
            display: Display::Bar,
            columns: vec![
                Column { label: "c".into(), kind: ColumnType::Text, format: Format::Text },
                Column { label: "v".into(), kind: ColumnType::Number, format: Format::Number { decimals: 0 } },
            ],
            x: 0,
            y: vec![1],
        };
        let rows: Vec<Vec<Value>> =
            (0..7).map(|i| vec![Value::Text(format!("electronics-{i}")), Value::Int(i + 1)]).collect();
        let shapes = layout(&head, &rows, 450.0, 240.0);
        let labels: Vec<&String> = shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Text { text, .. } if text.starts_with("elec") => Some(text),
                _ => None,
            })
            .collect();
        assert_eq!(labels.len(), 7, "{labels:?}");
        assert!(labels.iter().all(|l| l.ends_with('…')), "{labels:?}");
    }

    #[test]
    fn x_labels_are_thinned_to_fit() {
        let h = head(Display::Line, 1, Format::Integer);
        let values: Vec<[Option<f64>; 1]> = (0..100).map(|v| [Some(v as f64)]).collect();
        let refs: Vec<&[Option<f64>]> = values.iter().map(|v| &v[..]).collect();
        let shapes = layout(&h, &rows(&refs), 300.0, 200.0);
        let mut xs: Vec<(f64, f64)> = shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Text { x, text, anchor: Anchor::Middle, .. } => Some((*x, text_width(text, FONT))),
                _ => None,
            })
            .collect();
        assert!(xs.len() > 3 && xs.len() < 30, "{}", xs.len());
        xs.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in xs.windows(2) {
            assert!(w[1].0 - w[0].0 >= (w[0].1 + w[1].1) / 2.0, "overlap {w:?}");
        }
    }
}
