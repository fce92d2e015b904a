//! Display text of a value under a [`Format`], the same for every writer.
//!
//! Numbers use `,` thousands separators and `.` decimals (the Korean convention, which is
//! also the English one); KRW is `₩` with no decimals; negative amounts keep the sign
//! before the symbol (`-₩1,200`). Dates are ISO 8601 (`2026-10-31`, `2026-10-31 09:30`).

use super::{ColumnType, Format, Value};

/// The format a column gets when its spec names none.
pub fn default_format(kind: ColumnType) -> Format {
    match kind {
        ColumnType::Integer => Format::Integer,
        ColumnType::Number => Format::Number { decimals: 2 },
        ColumnType::Date => Format::Date,
        ColumnType::Timestamp => Format::DateTime,
        ColumnType::Bool | ColumnType::Text => Format::Text,
    }
}

/// Resolves [`Format::Auto`] against the column type.
pub fn effective(format: Format, kind: ColumnType) -> Format {
    match format {
        Format::Auto => default_format(kind),
        f => f,
    }
}

/// Whether the format shows a number (right-aligned in tables).
pub fn is_numeric(format: Format) -> bool {
    matches!(
        format,
        Format::Integer | Format::Number { .. } | Format::CurrencyKrw | Format::Percent { .. } | Format::Ratio { .. }
    )
}

/// The text a reader sees for `value` shown as `format` (already [`effective`]).
/// NULL shows as the empty string.
pub fn display(value: &Value, format: Format) -> String {
    if let Value::Null = value {
        return String::new();
    }
    let number = value.as_f64();
    match (format, number) {
        (Format::Integer, Some(x)) => group(x, 0),
        (Format::Number { decimals }, Some(x)) => group(x, decimals),
        (Format::CurrencyKrw, Some(x)) => {
            let g = group(x, 0);
            match g.strip_prefix('-') {
                Some(rest) => format!("-₩{rest}"),
                None => format!("₩{g}"),
            }
        }
        (Format::Percent { decimals }, Some(x)) => format!("{}%", group(x, decimals)),
        (Format::Ratio { decimals }, Some(x)) => format!("{}%", group(x * 100.0, decimals)),
        (Format::Date, _) | (Format::DateTime, _) | (_, None) => plain(value, format),
        (Format::Auto | Format::Text, Some(_)) => plain(value, format),
    }
}

/// [`display`], shortened for a KPI tile when it runs past `max_chars`: amounts in
/// millions (M) or billions (B) with one decimal, e.g. `₩114.4M` for ₩114,415,800.
pub fn compact(value: &Value, format: Format, max_chars: usize) -> String {
    let full = display(value, format);
    let (Some(x), true) = (value.as_f64(), full.chars().count() > max_chars) else { return full };
    let (scaled, unit) = if x.abs() >= 1e9 {
        (x / 1e9, "B")
    } else if x.abs() >= 1e6 {
        (x / 1e6, "M")
    } else {
        return full;
    };
    let short = group(scaled, 1);
    match (format, short.strip_prefix('-')) {
        (Format::CurrencyKrw, Some(rest)) => format!("-₩{rest}{unit}"),
        (Format::CurrencyKrw, None) => format!("₩{short}{unit}"),
        _ => format!("{short}{unit}"),
    }
}

/// Values as text without number formatting (dates ISO, booleans `true`/`false`).
fn plain(value: &Value, format: Format) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Decimal(s) | Value::Text(s) => s.clone(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Timestamp(t) => match format {
            Format::Date => t.format("%Y-%m-%d").to_string(),
            _ if t.format("%S%.f").to_string() == "00" => t.format("%Y-%m-%d %H:%M").to_string(),
            _ => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        },
    }
}

/// `x` rounded half away from zero to `decimals` places, with `,` thousands separators.
pub fn group(x: f64, decimals: u8) -> String {
    let decimals = decimals.min(10) as usize;
    let s = format!("{:.*}", decimals, round_half_away(x, decimals));
    let (sign, digits) = match s.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", s.as_str()),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    // "-0" after rounding a tiny negative is shown as "0".
    let zero = int.bytes().all(|b| b == b'0') && frac.is_none_or(|f| f.bytes().all(|b| b == b'0'));
    if !zero {
        out.push_str(sign);
    }
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

fn round_half_away(x: f64, decimals: usize) -> f64 {
    let p = 10f64.powi(decimals as i32);
    let scaled = x * p;
    // Only adjust when scaling is exact enough to matter; keeps huge values untouched.
    if scaled.abs() < 1e15 {
        scaled.round() / p
    } else {
        x
    }
}

/// Excel number-format code for a format (used by the XLSX writer).
pub fn excel_code(format: Format) -> &'static str {
    match format {
        Format::Integer => "#,##0",
        Format::Number { decimals: 0 } => "#,##0",
        Format::Number { decimals: 1 } => "#,##0.0",
        Format::Number { decimals: 2 } => "#,##0.00",
        Format::Number { .. } => "#,##0.000",
        Format::CurrencyKrw => "[$₩-412]#,##0;-[$₩-412]#,##0",
        Format::Percent { decimals: 0 } | Format::Ratio { decimals: 0 } => "0%",
        Format::Percent { decimals: 1 } | Format::Ratio { decimals: 1 } => "0.0%",
        Format::Percent { .. } | Format::Ratio { .. } => "0.00%",
        Format::Date => "yyyy-mm-dd",
        Format::DateTime => "yyyy-mm-dd hh:mm",
        Format::Auto | Format::Text => "@",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn groups_thousands_and_rounds_half_away_from_zero() {
        assert_eq!(group(1234567.0, 0), "1,234,567");
        assert_eq!(group(-1234.5, 0), "-1,235");
        assert_eq!(group(999.995, 2), "1,000.00");
        assert_eq!(group(0.125, 2), "0.13");
        assert_eq!(group(12.0, 1), "12.0");
        assert_eq!(group(-0.0001, 2), "0.00");
        assert_eq!(group(100.0, 0), "100");
        assert_eq!(group(1000.0, 0), "1,000");
    }

    #[test]
    fn compact_amounts_for_tiles() {
        assert_eq!(compact(&Value::Int(114_415_800), Format::CurrencyKrw, 11), "₩114.4M");
        assert_eq!(compact(&Value::Int(27_786_000), Format::CurrencyKrw, 11), "₩27,786,000");
        assert_eq!(compact(&Value::Int(-2_500_000_000), Format::CurrencyKrw, 11), "-₩2.5B");
        assert_eq!(compact(&Value::Float(123_456_789.0), Format::Integer, 8), "123.5M");
        assert_eq!(compact(&Value::Float(0.5), Format::Percent { decimals: 1 }, 2), "0.5%");
    }

    #[test]
    fn currency_percent_and_ratio() {
        assert_eq!(display(&Value::Decimal("1234567.4".into()), Format::CurrencyKrw), "₩1,234,567");
        assert_eq!(display(&Value::Int(-1200), Format::CurrencyKrw), "-₩1,200");
        assert_eq!(display(&Value::Float(23.456), Format::Percent { decimals: 1 }), "23.5%");
        assert_eq!(display(&Value::Float(0.965), Format::Ratio { decimals: 1 }), "96.5%");
        assert_eq!(display(&Value::Null, Format::CurrencyKrw), "");
    }

    #[test]
    fn dates_and_text_are_plain() {
        let d = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        assert_eq!(display(&Value::Date(d), Format::Date), "2026-10-31");
        let t = d.and_hms_opt(9, 30, 0).unwrap();
        assert_eq!(display(&Value::Timestamp(t), Format::DateTime), "2026-10-31 09:30");
        assert_eq!(display(&Value::Timestamp(t), Format::Date), "2026-10-31");
        assert_eq!(display(&Value::Text("가방".into()), Format::CurrencyKrw), "가방");
        assert_eq!(display(&Value::Bool(true), Format::Text), "true");
    }

    #[test]
    fn auto_follows_the_column_type() {
        assert_eq!(effective(Format::Auto, ColumnType::Integer), Format::Integer);
        assert_eq!(display(&Value::Int(12345), effective(Format::Auto, ColumnType::Integer)), "12,345");
        assert_eq!(display(&Value::Float(1.23456), effective(Format::Auto, ColumnType::Number)), "1.23");
    }
}
