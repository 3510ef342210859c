//! Parses the retry delay providers write into rate-limit messages.

use std::time::Duration;

const NEEDLE: &str = "try again in";

/// The delay in a message like "Please try again in 11.054s", if there is one.
///
/// Matches what the Codex client does with `(?i)try again in\s*(\d+(?:\.\d+)?)\s*(s|ms|seconds?)`:
/// case-insensitive, decimals allowed, units `s`, `ms`, `second` or `seconds`. The
/// first phrase that parses wins.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use clanka_model::parse_retry_delay;
///
/// assert_eq!(parse_retry_delay("Please try again in 11.054s."), Some(Duration::from_millis(11_054)));
/// assert_eq!(parse_retry_delay("Try again in 28ms"), Some(Duration::from_millis(28)));
/// assert_eq!(parse_retry_delay("try again later"), None);
/// ```
pub fn parse_retry_delay(message: &str) -> Option<Duration> {
    // ASCII lowercasing keeps byte offsets, so slices of `lower` line up with `message`.
    let lower = message.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(NEEDLE) {
        let after = from + found + NEEDLE.len();
        if let Some(delay) = parse_amount(&lower[after..]) {
            return Some(delay);
        }
        from = after;
    }
    None
}

/// Parses `\s*(\d+(?:\.\d+)?)\s*(s|ms|seconds?)` at the start of `text`.
fn parse_amount(text: &str) -> Option<Duration> {
    let text = text.trim_start();
    let integer = leading_digits(text);
    if integer == 0 {
        return None;
    }
    let mut end = integer;
    if let Some(rest) = text[end..].strip_prefix('.') {
        let fraction = leading_digits(rest);
        if fraction > 0 {
            end += 1 + fraction;
        }
    }
    let value: f64 = text[..end].parse().ok()?;
    let unit = text[end..].trim_start();
    let seconds = if unit.starts_with('s') {
        value
    } else if unit.starts_with("ms") {
        value / 1000.0
    } else {
        return None;
    };
    Duration::try_from_secs_f64(seconds).ok()
}

fn leading_digits(text: &str) -> usize {
    text.bytes().take_while(u8::is_ascii_digit).count()
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn parses_the_units_the_protocol_names() {
        let cases = [
            (
                "Please try again in 11.054s.",
                Some(Duration::from_millis(11_054)),
            ),
            ("Please try again in 28ms.", Some(Duration::from_millis(28))),
            (
                "please TRY AGAIN IN 2 seconds",
                Some(Duration::from_secs(2)),
            ),
            ("Try again in 1 second.", Some(Duration::from_secs(1))),
            ("try again in   35 s", Some(Duration::from_secs(35))),
            ("try again in1.5ms", Some(Duration::from_micros(1500))),
            ("try again in 0s", Some(Duration::ZERO)),
        ];
        for (message, expected) in cases {
            assert_eq!(parse_retry_delay(message), expected, "{message}");
        }
    }

    #[test]
    fn rejects_other_shapes() {
        let cases = [
            "try again later",
            "try again in a minute",
            "try again in 5 minutes",
            "try again in .5s",
            "try again in 5.s",
            "try again in -1s",
            "rate limit reached",
            "",
        ];
        for message in cases {
            assert_eq!(parse_retry_delay(message), None, "{message}");
        }
    }

    #[test]
    fn first_parsable_phrase_wins() {
        let message = "Try again in a bit. Or try again in 3s, not try again in 9s.";
        assert_eq!(parse_retry_delay(message), Some(Duration::from_secs(3)));
    }

    #[test]
    fn survives_huge_values_and_non_ascii_text() {
        let huge = format!("try again in {}s", "9".repeat(400));
        assert_eq!(parse_retry_delay(&huge), None);
        assert_eq!(
            parse_retry_delay("Überlastet — try again in 2s ✓"),
            Some(Duration::from_secs(2))
        );
    }
}
