//! Pie charts with a legend of percent shares.

use super::*;
use std::f64::consts::TAU;

/// Pie chart: the circle on the left, a legend with percent shares on the right.
pub(super) fn pie(head: &SectionHead, rows: &[Vec<Value>], width: f64, height: f64) -> Vec<Shape> {
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
