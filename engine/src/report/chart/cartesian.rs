//! Line and bar charts: categories along x, "nice" ticks along y.

use super::axis::{tick_labels, ticks};
use super::measure::{fit_width, text_width};
use super::*;
use std::f64::consts::TAU;

/// Line and bar charts.
pub(super) fn cartesian(head: &SectionHead, rows: &[Vec<Value>], width: f64, height: f64, bars: bool) -> Vec<Shape> {
    let ys: Vec<usize> = head.y.iter().copied().filter(|&c| c < head.columns.len()).collect();
    let column = |c: usize| -> Vec<Option<f64>> {
        rows.iter().map(|r| r.get(c).and_then(Value::as_f64).map(|v| v.clamp(-HUGE, HUGE))).collect()
    };
    let series: Vec<Vec<Option<f64>>> = ys.iter().map(|&c| column(c)).collect();
    // The band's bounds, where both are known (bars have none).
    let interval: Option<Vec<Option<(f64, f64)>>> = head
        .band
        .filter(|b| !bars && b.iter().all(|&c| c < head.columns.len()))
        .map(|[l, h]| column(l).into_iter().zip(column(h)).map(|(l, h)| Some((l?.min(h?), l?.max(h?)))).collect());
    let (lo, hi) = series
        .iter()
        .flatten()
        .flatten()
        .copied()
        .chain(interval.iter().flatten().flatten().flat_map(|&(l, h)| [l, h]))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
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
    let band_fill = PALETTE[(ys.len() - 1) % PALETTE.len()].tint(0.25);
    if ys.len() > 1 || interval.is_some() {
        let mut items: Vec<(String, Rgb)> =
            ys.iter().enumerate().map(|(i, &c)| (head.columns[c].label.clone(), PALETTE[i % PALETTE.len()])).collect();
        if let Some([l, h]) = head.band.filter(|_| interval.is_some()) {
            items.push((format!("{} – {}", head.columns[l].label, head.columns[h].label), band_fill));
        }
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
    // Runs of consecutive rows with both bounds: one polygon each, along the high bound
    // and back along the low one (a single row is a tick across its band).
    if let Some(interval) = &interval {
        for run in runs(interval) {
            let half = if run.len() == 1 { (band * 0.3).min(4.0) } else { 0.0 };
            let mut points: Vec<(f64, f64)> = run.iter().map(|&(j, (_, h))| (centre(j) - half, y_of(h))).collect();
            if half > 0.0 {
                points.push((centre(run[0].0) + half, y_of(run[0].1 .1)));
            }
            points.extend(run.iter().rev().map(|&(j, (l, _))| (centre(j) + half, y_of(l))));
            if half > 0.0 {
                points.push((centre(run[0].0) - half, y_of(run[0].1 .0)));
            }
            shapes.push(Shape::Area { points, fill: band_fill });
        }
    }
    let axis = y_of(0.0f64.clamp(t0, t1));
    shapes.push(Shape::Line { x1: left, y1: axis, x2: right, y2: axis, stroke: AXIS, width: 1.0 });
    if !bars {
        for (s, values) in series.iter().enumerate() {
            let colour = PALETTE[s % PALETTE.len()];
            // A NULL breaks the line.
            for run in runs(values) {
                let points: Vec<(f64, f64)> = run.into_iter().map(|(i, v)| (centre(i), y_of(v))).collect();
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

/// The runs of consecutive known values (a `None` ends one), each with its row indexes.
fn runs<T: Copy>(values: &[Option<T>]) -> Vec<Vec<(usize, T)>> {
    let mut runs: Vec<Vec<(usize, T)>> = vec![Vec::new()];
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => runs.last_mut().unwrap().push((i, *v)),
            None => runs.push(Vec::new()),
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}
