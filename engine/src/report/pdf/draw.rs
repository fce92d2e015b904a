//! Shapes drawn on a krilla page surface (y grows downwards, as in the layout).

use super::fonts::Fonts;
use super::{Anchor, Op, Rgb, Shape, P};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, LineCap, LineJoin, Stroke};
use krilla::surface::Surface;
use krilla::text::TextDirection;
use std::f64::consts::{FRAC_PI_2, TAU};

/// A shape moved by (`dx`, `dy`).
pub(super) fn offset(shape: Shape, dx: f64, dy: f64) -> Shape {
    match shape {
        Shape::Rect { x, y, w, h, fill } => Shape::Rect { x: x + dx, y: y + dy, w, h, fill },
        Shape::Line { x1, y1, x2, y2, stroke, width } => {
            Shape::Line { x1: x1 + dx, y1: y1 + dy, x2: x2 + dx, y2: y2 + dy, stroke, width }
        }
        Shape::Polyline { points, stroke, width } => {
            Shape::Polyline { points: points.into_iter().map(|(x, y)| (x + dx, y + dy)).collect(), stroke, width }
        }
        Shape::Area { points, fill } => {
            Shape::Area { points: points.into_iter().map(|(x, y)| (x + dx, y + dy)).collect(), fill }
        }
        Shape::Wedge { cx, cy, r, start, end, fill } => Shape::Wedge { cx: cx + dx, cy: cy + dy, r, start, end, fill },
        Shape::Text { x, y, text, size, anchor, fill } => {
            Shape::Text { x: x + dx, y: y + dy, text, size, anchor, fill }
        }
    }
}

fn color(c: Rgb) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

fn fill(c: Rgb) -> Option<Fill> {
    Some(Fill { paint: color(c).into(), opacity: NormalizedF32::ONE, rule: Default::default() })
}

fn stroke(c: Rgb, width: f64) -> Option<Stroke> {
    Some(Stroke {
        paint: color(c).into(),
        width: width as f32,
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        ..Default::default()
    })
}

/// Draws one op on a page surface (y grows downwards, as in the layout).
pub(super) fn draw(s: &mut Surface<'_>, fonts: &Fonts, op: &Op) {
    let mut pb = PathBuilder::new();
    match &op.shape {
        Shape::Rect { x, y, w, h, fill: c } => {
            if let Some(r) = Rect::from_xywh(*x as f32, *y as f32, *w as f32, *h as f32) {
                pb.push_rect(r);
                fill_path(s, pb, *c);
            }
        }
        Shape::Line { x1, y1, x2, y2, stroke: c, width } => {
            pb.move_to(*x1 as f32, *y1 as f32);
            pb.line_to(*x2 as f32, *y2 as f32);
            stroke_path(s, pb, *c, *width);
        }
        Shape::Polyline { points, stroke: c, width } => {
            trace(&mut pb, points);
            stroke_path(s, pb, *c, *width);
        }
        Shape::Area { points, fill: c } => {
            trace(&mut pb, points);
            pb.close();
            fill_path(s, pb, *c);
        }
        Shape::Wedge { cx, cy, r, start, end, fill: c } => {
            wedge(&mut pb, *cx, *cy, *r, *start, *end);
            fill_path(s, pb, *c);
        }
        Shape::Text { x, y, text, size, anchor, fill: c } => {
            let w = fonts.width(text, *size, op.bold);
            let x = match anchor {
                Anchor::Start => *x,
                Anchor::Middle => x - w / 2.0,
                Anchor::End => x - w,
            };
            s.set_stroke(None);
            s.set_fill(fill(*c));
            let font = if op.bold { fonts.bold.clone() } else { fonts.regular.clone() };
            s.draw_text(Point::from_xy(x as f32, *y as f32), font, *size as f32, text, false, TextDirection::Auto);
        }
    }
}

/// A path through `points`, open.
fn trace(pb: &mut PathBuilder, points: &[(f64, f64)]) {
    for (i, (x, y)) in points.iter().enumerate() {
        if i == 0 {
            pb.move_to(*x as f32, *y as f32);
        } else {
            pb.line_to(*x as f32, *y as f32);
        }
    }
}

fn fill_path(s: &mut Surface<'_>, pb: PathBuilder, c: Rgb) {
    if let Some(path) = pb.finish() {
        s.set_stroke(None);
        s.set_fill(fill(c));
        s.draw_path(&path);
    }
}

fn stroke_path(s: &mut Surface<'_>, pb: PathBuilder, c: Rgb, width: f64) {
    if let Some(path) = pb.finish() {
        s.set_fill(None);
        s.set_stroke(stroke(c, width));
        s.draw_path(&path);
        s.set_stroke(None);
    }
}

/// A pie slice from the centre: angles in radians, 0 at 12 o'clock, clockwise (y down).
fn wedge(pb: &mut PathBuilder, cx: f64, cy: f64, r: f64, start: f64, end: f64) {
    let (first, curves) = arc(cx, cy, r, start, end);
    pb.move_to(cx as f32, cy as f32);
    pb.line_to(first.0 as f32, first.1 as f32);
    for [c1, c2, p] in curves {
        pb.cubic_to(c1.0 as f32, c1.1 as f32, c2.0 as f32, c2.1 as f32, p.0 as f32, p.1 as f32);
    }
    pb.close();
}

/// The arc of a wedge as cubic Béziers of at most 90° each: its first point, then each
/// curve's two control points and end point.
fn arc(cx: f64, cy: f64, r: f64, start: f64, end: f64) -> (P, Vec<[P; 3]>) {
    let sweep = (end - start).clamp(0.0, TAU);
    let at = |a: f64| (cx + r * a.sin(), cy - r * a.cos());
    let n = (sweep / FRAC_PI_2).ceil().max(1.0) as usize;
    let step = sweep / n as f64;
    let k = 4.0 / 3.0 * (step / 4.0).tan() * r;
    let curves = (0..n)
        .map(|i| {
            let (a0, a1) = (start + step * i as f64, start + step * (i + 1) as f64);
            let ((px, py), (qx, qy)) = (at(a0), at(a1));
            // The clockwise arc's tangent at angle a is (cos a, sin a).
            [(px + k * a0.cos(), py + k * a0.sin()), (qx - k * a1.cos(), qy - k * a1.sin()), (qx, qy)]
        })
        .collect();
    (at(start), curves)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_moves_every_point() {
        let s = offset(
            Shape::Polyline { points: vec![(1.0, 2.0), (3.0, 4.0)], stroke: Rgb(0, 0, 0), width: 1.0 },
            10.0,
            20.0,
        );
        assert_eq!(s, Shape::Polyline { points: vec![(11.0, 22.0), (13.0, 24.0)], stroke: Rgb(0, 0, 0), width: 1.0 });
    }

    #[test]
    fn arcs_are_quarter_circle_beziers() {
        // A quarter from 12 to 3 o'clock on the unit circle: the classic k = 0.5523.
        let (first, curves) = arc(0.0, 0.0, 1.0, 0.0, FRAC_PI_2);
        assert_eq!(curves.len(), 1);
        let close = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() < 1e-4 && (a.1 - b.1).abs() < 1e-4;
        assert!(close(first, (0.0, -1.0)));
        let [c1, c2, end] = curves[0];
        assert!(close(c1, (0.55228, -1.0)), "{c1:?}");
        assert!(close(c2, (1.0, -0.55228)), "{c2:?}");
        assert!(close(end, (1.0, 0.0)));
        // A full circle: four curves, ending where it started.
        let (first, curves) = arc(5.0, 5.0, 2.0, 1.0, 1.0 + TAU);
        assert_eq!(curves.len(), 4);
        assert!(close(curves[3][2], first));
    }
}
