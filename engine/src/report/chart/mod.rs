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
//! - A line chart's `band` (low and high column of an interval) is shaded between them in
//!   a light tint of the last series' colour (the forecast, when y is history and forecast),
//!   under the lines, broken where either bound is NULL, named in the legend as
//!   "low – high"; the y range takes in the band.
//! - Colours: the Okabe–Ito palette (distinguishable with the common colour-vision
//!   deficiencies), series *i* gets `PALETTE[i % 8]`. A legend names the series when there
//!   are several (the pie legend always, with each slice's percent share).
//! - No data at all draws only the text [`NO_DATA`]. Output never contains NaN: every
//!   coordinate is finite for empty, constant, negative or huge series.
//! - A full circle is a [`Shape::Wedge`] spanning 2π (the pie of one slice, line markers);
//!   drawers must render it as a circle.
//!
//! Parts: [`axis`] (ticks and their labels), `measure` (text widths, shortening),
//! `cartesian` (line and bar charts), `pie`, [`svg`] (the HTML drawing); the PDF drawing
//! is in [`super::pdf`].

mod axis;
mod cartesian;
mod measure;
mod pie;
mod svg;

pub use axis::nice_ticks;
pub use svg::to_svg;

use super::format::{self, effective};
use super::{Display, Format, SectionHead, Value};
use measure::{shorten, text_width};

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// This colour mixed with white, `share` (0–1) of it: an opaque tint, so that every
    /// drawing (SVG, PDF) shows the same colour without transparency.
    pub fn tint(self, share: f64) -> Rgb {
        let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * share.clamp(0.0, 1.0)).round() as u8;
        Rgb(mix(self.0), mix(self.1), mix(self.2))
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
    /// A filled polygon (closed from the last point back to the first), no outline.
    Area {
        points: Vec<(f64, f64)>,
        fill: Rgb,
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
        Display::Pie => pie::pie(head, rows, width, height),
        Display::Bar => cartesian::cartesian(head, rows, width, height, true),
        _ => cartesian::cartesian(head, rows, width, height, false),
    }
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

#[cfg(test)]
mod tests {
    use super::measure::text_width;
    use super::*;
    use crate::report::{Column, ColumnType};
    use std::f64::consts::TAU;

    fn head(display: Display, ys: usize, format: Format) -> SectionHead {
        let mut columns = vec![Column { label: "day".into(), kind: ColumnType::Text, format: Format::Text }];
        for i in 0..ys {
            columns.push(Column { label: format!("s{i}"), kind: ColumnType::Number, format });
        }
        SectionHead { title: "t".into(), display, columns, x: 0, band: None, y: (1..=ys).collect() }
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
    fn a_band_is_shaded_between_its_bounds_under_the_lines() {
        // history (s0), forecast (s1), low (s2), high (s3): two rows of history, three of
        // forecast with their interval, the middle one missing its low bound.
        let mut h = head(Display::Line, 4, Format::Integer);
        h.y = vec![1, 2];
        h.band = Some([3, 4]);
        let r = rows(&[
            &[Some(10.0), None, None, None],
            &[Some(12.0), Some(12.0), Some(12.0), Some(12.0)],
            &[None, Some(14.0), Some(8.0), Some(30.0)],
            &[None, Some(15.0), None, Some(31.0)],
            &[None, Some(16.0), Some(9.0), Some(40.0)],
        ]);
        let shapes = layout(&h, &r, 400.0, 300.0);
        let areas: Vec<_> = shapes
            .iter()
            .enumerate()
            .filter_map(|(i, s)| if let Shape::Area { points, fill } = s { Some((i, points, *fill)) } else { None })
            .collect();
        // Rows 1–2 make one polygon (2 points along the top, 2 back along the bottom); row 4
        // alone is a narrow quad; row 3's NULL low bound breaks the band.
        assert_eq!(areas.iter().map(|(_, p, _)| p.len()).collect::<Vec<_>>(), [4, 4]);
        let fill = PALETTE[1].tint(0.25);
        assert!(areas.iter().all(|&(_, _, f)| f == fill));
        assert_eq!(fill, Rgb(0xf9, 0xe7, 0xbf));
        // Under every line, and the y axis reaches the band's top (40) past the lines' 16.
        let first_line = shapes.iter().position(|s| matches!(s, Shape::Polyline { .. })).unwrap();
        assert!(areas.iter().all(|&(i, _, _)| i < first_line));
        assert!(texts(&shapes).contains(&"40"));
        // The top edge is the high bound (smaller y is higher), and the legend names the band.
        let quad = areas[0].1;
        assert!(quad[0].1 == quad[3].1 && quad[1].1 < quad[2].1); // row 1: low = high = 12
        assert!(texts(&shapes).contains(&"s2 – s3"));
        // Bars have no band.
        h.display = Display::Bar;
        assert!(!layout(&h, &r, 400.0, 300.0).iter().any(|s| matches!(s, Shape::Area { .. })));
        let svg = to_svg(&shapes, 400.0, 300.0);
        assert_eq!(svg.matches("<polygon points=").count(), 2);
        assert!(svg.contains("fill=\"#f9e7bf\""));
    }

    #[test]
    fn tints_mix_with_white() {
        assert_eq!(Rgb(0, 0x72, 0xb2).tint(1.0), Rgb(0, 0x72, 0xb2));
        assert_eq!(Rgb(0, 0x72, 0xb2).tint(0.0), Rgb(255, 255, 255));
        assert_eq!(Rgb(0, 0, 0).tint(0.5), Rgb(128, 128, 128));
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
            band: None,
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
