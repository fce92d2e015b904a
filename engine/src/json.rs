//! JSON text helpers.

/// How deeply arrays and objects nest in JSON text (brackets inside strings do not count),
/// found without parsing, so that text nested too deeply for a recursive parser can be
/// refused before it is parsed.
pub fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in text.bytes() {
        match (in_string, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b'[' | b'{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, _, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::nesting_depth;

    #[test]
    fn depth_counts_brackets_outside_strings() {
        assert_eq!(nesting_depth("1"), 0);
        assert_eq!(nesting_depth(r#"{"a": [1, {"b": 2}]}"#), 3);
        assert_eq!(nesting_depth(r#"{"a": "[[[[", "b": "\"{{"}"#), 1);
        assert_eq!(nesting_depth(&("[".repeat(5000) + &"]".repeat(5000))), 5000);
        assert_eq!(nesting_depth(r#"["\\", [1]]"#), 2);
    }
}
