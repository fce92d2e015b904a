//! Shapes as inline SVG.

use super::*;
use crate::report::text::escape;
use std::f64::consts::TAU;
use std::fmt::Write as _;

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
            Shape::Area { points, fill } => {
                let pts: Vec<String> = points.iter().map(|(x, y)| format!("{},{}", num(*x), num(*y))).collect();
                write!(s, r#"<polygon points="{}" fill="{}"/>"#, pts.join(" "), fill.hex())
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
}
