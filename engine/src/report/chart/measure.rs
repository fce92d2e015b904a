//! Text in a chart: estimated widths (no font at hand: the viewer picks one from
//! [`super::FONT_FAMILY`]) and shortening with `…`.

use super::FONT;

/// `text`, cut with `…` until it is at most `room` wide (at least one character stays).
pub(super) fn fit_width(text: &str, room: f64) -> String {
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
pub(super) fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| {
            let wide = matches!(c as u32, 0x1100..=0x11ff | 0x2e80..=0xa4cf | 0xac00..=0xd7a3 | 0xf900..=0xfaff | 0xff00..=0xffef);
            if wide { 1.0 } else { 0.62 }
        })
        .sum::<f64>()
        * size
}

/// `text` cut to `max` characters, the last one replaced by `…`.
pub(super) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}
