//! Shortening long text for the model: keep the head and the tail, note the cut.

use clanka_model::{TruncationMode, TruncationPolicy};

/// The note put where text was cut, e.g. `[... 1234 bytes (56 lines) cut ...]`.
pub(crate) fn cut_note(bytes: usize, lines: usize) -> String {
    let unit = if lines == 1 { "line" } else { "lines" };
    format!("[... {bytes} bytes ({lines} {unit}) cut ...]")
}

/// Caps `text` at about `max_bytes`: the first and last halves are kept, cut on
/// char boundaries, and the middle is replaced by a [`cut_note`] on its own line.
pub(crate) fn cap_text(text: &str, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text.to_owned();
    }
    let head_end = text.floor_char_boundary(max_bytes / 2);
    let tail_start = text.ceil_char_boundary(text.len() - max_bytes / 2);
    let cut = &text[head_end..tail_start];
    let lines = cut.bytes().filter(|b| *b == b'\n').count();
    join_cut(&text[..head_end], cut.len(), lines, &text[tail_start..])
}

/// `head`, a [`cut_note`] on its own line, then `tail`.
pub(crate) fn join_cut(head: &str, cut_bytes: usize, cut_lines: usize, tail: &str) -> String {
    let mut out = String::with_capacity(head.len() + tail.len() + 64);
    out.push_str(head);
    if !head.is_empty() && !head.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&cut_note(cut_bytes, cut_lines));
    if !tail.starts_with('\n') {
        out.push('\n');
    }
    out.push_str(tail);
    out
}

/// `text`'s first line, shortened to `max_chars` characters with `…`.
pub(crate) fn first_line(text: &str, max_chars: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

/// A tool's output as the model is given it, following a catalogue's truncation
/// policy: unchanged within `policy`, else `Total output lines: N`, a blank line, and
/// the head and tail halves around `…N tokens truncated…` (token policies, estimated
/// at 4 bytes a token) or `…N chars truncated…` (byte policies), as the official
/// client does. Characters are never split.
///
/// # Example
///
/// ```
/// use clanka_model::TruncationPolicy;
///
/// let long = "x".repeat(100);
/// let cut = clanka_tools::truncate_output(&long, TruncationPolicy::tokens(10));
/// assert_eq!(cut, format!("Total output lines: 1\n\n{}…15 tokens truncated…{}", "x".repeat(20), "x".repeat(20)));
/// ```
pub fn truncate_output(text: &str, policy: TruncationPolicy) -> String {
    let budget = usize::try_from(policy.bytes()).unwrap_or(usize::MAX);
    if text.len() <= budget {
        return text.to_owned();
    }
    let left = text.floor_char_boundary(budget / 2);
    let right = text.ceil_char_boundary(text.len() - (budget - budget / 2));
    let marker = match policy.mode {
        TruncationMode::Tokens => {
            format!("…{} tokens truncated…", (text.len() - budget).div_ceil(4))
        }
        TruncationMode::Bytes => {
            format!("…{} chars truncated…", text[left..right].chars().count())
        }
    };
    let lines = text.lines().count();
    format!(
        "Total output lines: {lines}\n\n{}{marker}{}",
        &text[..left],
        &text[right..]
    )
}

/// Shortens one line to at most `max_bytes`, noting how much was left out.
pub(crate) fn truncate_line(line: &str, max_bytes: usize) -> String {
    if line.len() <= max_bytes {
        return line.to_owned();
    }
    let end = line.floor_char_boundary(max_bytes);
    format!("{} [... {} more bytes]", &line[..end], line.len() - end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_unchanged() {
        assert_eq!(cap_text("abc\n", 10), "abc\n");
    }

    #[test]
    fn long_text_keeps_head_and_tail() {
        let text = "a\nb\nc\nd\ne\nf\ng\nh\n";
        assert_eq!(
            cap_text(text, 8),
            "a\nb\n[... 8 bytes (4 lines) cut ...]\ng\nh\n"
        );
    }

    #[test]
    fn cuts_on_char_boundaries() {
        let text = "ééééé"; // 10 bytes, 2 each
        let capped = cap_text(text, 5);
        assert_eq!(capped, "é\n[... 6 bytes (0 lines) cut ...]\né");
        assert_eq!(truncate_line("ééé", 3), "é [... 4 more bytes]");
    }
}
