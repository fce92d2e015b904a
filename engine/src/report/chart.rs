//! Charts as vector shapes. [`layout`] turns a chart section's rows into [`Shape`]s in a
//! `width` × `height` box (y grows downwards, units are points); the HTML writer turns them
//! into inline SVG ([`to_svg`]), the PDF writer into PDF paths. One layout, two drawings,
//! so a chart looks the same in every format.

use super::{SectionHead, Value};

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

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
    Rect { x: f64, y: f64, w: f64, h: f64, fill: Rgb },
    Line { x1: f64, y1: f64, x2: f64, y2: f64, stroke: Rgb, width: f64 },
    Polyline { points: Vec<(f64, f64)>, stroke: Rgb, width: f64 },
    /// A closed pie slice: centre, radius, start and end angle in radians
    /// (0 = 12 o'clock, clockwise).
    Wedge { cx: f64, cy: f64, r: f64, start: f64, end: f64, fill: Rgb },
    /// `y` is the text baseline.
    Text { x: f64, y: f64, text: String, size: f64, anchor: Anchor, fill: Rgb },
}

/// Lays out a chart section (`head.display` is line, bar or pie).
pub fn layout(head: &SectionHead, rows: &[Vec<Value>], width: f64, height: f64) -> Vec<Shape> {
    let _ = (head, rows, width, height);
    unimplemented!("chart layout")
}

/// Inline SVG for shapes laid out in a `width` × `height` box.
pub fn to_svg(shapes: &[Shape], width: f64, height: f64) -> String {
    let _ = (shapes, width, height);
    unimplemented!("svg")
}
