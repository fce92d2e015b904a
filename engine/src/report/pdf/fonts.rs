//! The embedded NanumSquare faces and their advance widths: text measured, fitted with an
//! ellipsis and wrapped exactly as it is drawn.

use krilla::text::Font;
use std::collections::HashMap;
use std::sync::OnceLock;

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/NanumSquareR.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/NanumSquareB.ttf");

/// `text` if it fits in `max` points, else its longest prefix that fits with an ellipsis.
pub(super) fn fit(fonts: &Fonts, text: &str, size: f64, bold: bool, max: f64) -> String {
    if fonts.width(text, size, bold) <= max {
        return text.to_string();
    }
    let ellipsis = fonts.ellipsis;
    let mut room = max - fonts.width(ellipsis, size, bold);
    let mut end = 0;
    for (i, c) in text.char_indices() {
        room -= fonts.char_width(c, size, bold);
        if room < 0.0 {
            break;
        }
        end = i + c.len_utf8();
    }
    if end == 0 && room < 0.0 && max < fonts.width(ellipsis, size, bold) {
        return String::new();
    }
    format!("{}{ellipsis}", text[..end].trim_end())
}

/// Greedy word wrap to `max` points; words longer than a line are split between characters.
pub(super) fn wrap(fonts: &Fonts, text: &str, size: f64, bold: bool, max: f64) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if fonts.width(&candidate, size, bold) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                if !line.is_empty() && fonts.width(&line, size, bold) + fonts.char_width(c, size, bold) > max {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        }
        lines.push(line);
    }
    lines.retain(|l| !l.is_empty());
    lines
}

/// The two embedded faces and their advance widths.
pub(super) struct Fonts {
    pub(super) regular: Font,
    pub(super) bold: Font,
    regular_metrics: &'static Metrics,
    bold_metrics: &'static Metrics,
    /// "…" when the font has it, else "...".
    pub(super) ellipsis: &'static str,
}

impl Fonts {
    pub(super) fn new() -> Self {
        static R: OnceLock<Metrics> = OnceLock::new();
        static B: OnceLock<Metrics> = OnceLock::new();
        let regular_metrics = R.get_or_init(|| Metrics::parse(REGULAR).expect("NanumSquareR.ttf parses"));
        let bold_metrics = B.get_or_init(|| Metrics::parse(BOLD).expect("NanumSquareB.ttf parses"));
        let ellipsis = if regular_metrics.advance.contains_key(&'\u{2026}') { "\u{2026}" } else { "..." };
        Fonts {
            regular: Font::new(REGULAR.into(), 0).expect("NanumSquareR.ttf loads"),
            bold: Font::new(BOLD.into(), 0).expect("NanumSquareB.ttf loads"),
            regular_metrics,
            bold_metrics,
            ellipsis,
        }
    }

    /// Width of `text` in points at `size`.
    pub(super) fn width(&self, text: &str, size: f64, bold: bool) -> f64 {
        text.chars().map(|c| self.char_width(c, size, bold)).sum()
    }

    pub(super) fn char_width(&self, c: char, size: f64, bold: bool) -> f64 {
        let m = if bold { self.bold_metrics } else { self.regular_metrics };
        let units = m.advance.get(&c).copied().unwrap_or(m.missing);
        units as f64 * size / m.units_per_em
    }
}

/// Advance widths by character, from a TrueType font's `cmap` (format 4) and `hmtx`.
struct Metrics {
    units_per_em: f64,
    advance: HashMap<char, u16>,
    /// Advance of glyph 0 (.notdef), used for unmapped characters.
    missing: u16,
}

impl Metrics {
    fn parse(font: &[u8]) -> Option<Metrics> {
        let u16_at = |o: usize| -> Option<u16> { Some(u16::from_be_bytes(font.get(o..o + 2)?.try_into().ok()?)) };
        let u32_at = |o: usize| -> Option<u32> { Some(u32::from_be_bytes(font.get(o..o + 4)?.try_into().ok()?)) };
        let tables = u16_at(4)? as usize;
        let table = |tag: &[u8; 4]| -> Option<usize> {
            (0..tables)
                .map(|i| 12 + 16 * i)
                .find(|&r| font.get(r..r + 4) == Some(tag))
                .and_then(|r| Some(u32_at(r + 8)? as usize))
        };
        let (head, hhea, hmtx, cmap) = (table(b"head")?, table(b"hhea")?, table(b"hmtx")?, table(b"cmap")?);
        let units_per_em = u16_at(head + 18)? as f64;
        let metrics = u16_at(hhea + 34)? as usize;
        let advance_of = |g: u16| u16_at(hmtx + 4 * (g as usize).min(metrics.saturating_sub(1)));
        // The Windows Unicode BMP subtable (platform 3, encoding 1), format 4.
        let sub = (0..u16_at(cmap + 2)? as usize)
            .map(|i| cmap + 4 + 8 * i)
            .find(|&r| u16_at(r) == Some(3) && u16_at(r + 2) == Some(1))
            .and_then(|r| Some(cmap + u32_at(r + 4)? as usize))?;
        if u16_at(sub)? != 4 {
            return None;
        }
        let segs = u16_at(sub + 6)? as usize / 2;
        let (ends, starts, deltas, ranges) = (sub + 14, sub + 16 + 2 * segs, sub + 16 + 4 * segs, sub + 16 + 6 * segs);
        let mut advance = HashMap::new();
        for s in 0..segs {
            let (end, start) = (u16_at(ends + 2 * s)?, u16_at(starts + 2 * s)?);
            let (delta, range) = (u16_at(deltas + 2 * s)?, u16_at(ranges + 2 * s)?);
            for code in start..=end {
                if code == 0xFFFF {
                    break;
                }
                let glyph = if range == 0 {
                    code.wrapping_add(delta)
                } else {
                    let at = ranges + 2 * s + range as usize + 2 * (code - start) as usize;
                    match u16_at(at)? {
                        0 => 0,
                        g => g.wrapping_add(delta),
                    }
                };
                if let (Some(c), true) = (char::from_u32(code as u32), glyph != 0) {
                    advance.insert(c, advance_of(glyph)?);
                }
            }
        }
        Some(Metrics { units_per_em, advance, missing: advance_of(0)? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_measured_from_the_font_and_cut_with_an_ellipsis() {
        let f = Fonts::new();
        let ga = f.width("가", 10.0, false);
        // NanumSquare's Hangul advance: 910 of 1000 units per em.
        assert!((ga - 9.1).abs() < 1e-9, "{ga}");
        assert_eq!(f.width("가나다", 10.0, false), 3.0 * ga);
        assert!(f.width("i", 10.0, false) < f.width("W", 10.0, false));
        assert!(f.width("₩", 10.0, false) > 0.0);
        assert_eq!(fit(&f, "가나다", 10.0, false, 3.0 * ga), "가나다");
        let cut = fit(&f, "가나다라마바사", 10.0, false, 3.0 * ga);
        assert!(cut.ends_with(f.ellipsis) && cut.starts_with('가'), "{cut}");
        assert!(f.width(&cut, 10.0, false) <= 3.0 * ga);
        assert_eq!(wrap(&f, "가나 다라 마바", 10.0, false, 2.5 * ga), ["가나", "다라", "마바"]);
    }
}
