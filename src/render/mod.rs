//! Rendering an agent's [`Output`] for people (plain text, optionally coloured) or for
//! programs (one JSON object per line).
//!
//! # Example
//!
//! ```
//! use clanka::agent::Output;
//! use clanka::render::{Renderer, Style};
//!
//! let mut out = Vec::new();
//! let mut renderer = Renderer::new(&mut out, Style::plain());
//! renderer.render(&Output::ToolCall {
//!     id: "c1".into(),
//!     name: "exec_command".into(),
//!     arguments: serde_json::json!({"cmd": "cargo test"}),
//!     summary: "cargo test".into(),
//! })?;
//! renderer.render(&Output::ToolOutput { id: "c1".into(), output: "ok".into(), is_error: false })?;
//! assert_eq!(String::from_utf8(out).unwrap(), "● exec_command cargo test\n  │ ok\n");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, Write};

use crate::agent::Output;

pub use clanka_model::error_chain;

/// Lines of tool output shown before the rest is counted.
const OUTPUT_LINES: usize = 4;

/// How output looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours and dimming.
    pub color: bool,
    /// One JSON object per event instead of text.
    pub json: bool,
}

impl Style {
    /// Plain text without colours (pipes, files, `NO_COLOR`).
    pub fn plain() -> Self {
        Self {
            color: false,
            json: false,
        }
    }

    /// Text with colours (a terminal).
    pub fn color() -> Self {
        Self {
            color: true,
            json: false,
        }
    }

    /// JSON lines.
    pub fn json() -> Self {
        Self {
            color: false,
            json: true,
        }
    }
}

/// Writes events as they arrive.
///
/// With colours (a terminal) text streams as it comes, and a retry that voids it says
/// so. Without (pipes, files), text and reasoning are held until the response they
/// belong to is over, so a retried attempt's partial text never reaches the output.
#[derive(Debug)]
pub struct Renderer<W> {
    out: W,
    style: Style,
    /// Whether the cursor is mid-line (inside a text or reasoning section).
    mid_line: bool,
    /// Sections not yet written (plain text only), oldest first.
    held: Vec<Held>,
    /// The last text section of the top agent, so a summary repeating it is not
    /// printed twice.
    last_text: String,
}

/// A text or reasoning section waiting for its response to be over.
#[derive(Debug)]
struct Held {
    id: String,
    indent: String,
    reasoning: bool,
    text: String,
}

impl<W: Write> Renderer<W> {
    /// A renderer writing to `out`.
    pub fn new(out: W, style: Style) -> Self {
        Self {
            out,
            style,
            mid_line: false,
            held: Vec::new(),
            last_text: String::new(),
        }
    }

    /// Writes one event.
    pub fn render(&mut self, event: &Output) -> io::Result<()> {
        if self.style.json {
            serde_json::to_writer(&mut self.out, event)?;
            self.out.write_all(b"\n")?;
            return self.out.flush();
        }
        self.text(event, 0)?;
        self.out.flush()
    }

    /// Whether the last thing written ended mid-line (a streaming answer or
    /// reasoning): whatever draws on the terminal next must not draw over it.
    pub fn mid_line(&self) -> bool {
        self.mid_line
    }

    /// Writes a line of the driver's own (e.g. a notice); ignored in JSON mode.
    pub fn notice(&mut self, text: &str) -> io::Result<()> {
        if self.style.json {
            return Ok(());
        }
        self.end_line()?;
        let line = self.paint("1", &visible(text));
        writeln!(self.out, "{line}")
    }

    fn text(&mut self, event: &Output, depth: usize) -> io::Result<()> {
        let indent = "│ ".repeat(depth);
        if self.holds_sections() && self.hold(event, &indent) {
            return Ok(());
        }
        if !matches!(event, Output::SubagentPart { .. } | Output::Retry { .. }) {
            self.release()?;
        }
        match event {
            Output::TextStart { .. } if depth == 0 => self.last_text.clear(),
            Output::AgentStart { .. }
            | Output::TextStart { .. }
            | Output::ReasoningStart { .. } => {}
            Output::ReasoningDelta { delta, .. } => self.flow(&indent, delta, true)?,
            Output::TextDelta { delta, .. } => {
                if depth == 0 {
                    self.last_text.push_str(delta);
                }
                self.flow(&indent, delta, false)?;
            }
            Output::TextEnd { .. } | Output::ReasoningEnd { .. } => self.end_line()?,
            Output::ToolCall { name, summary, .. } => {
                self.end_line()?;
                let call = self.paint("36", &format!("● {}", visible(name)));
                let line = if summary.is_empty() {
                    call
                } else {
                    format!("{call} {}", visible(summary))
                };
                writeln!(self.out, "{indent}{line}")?;
            }
            Output::ToolOutput {
                output, is_error, ..
            } => self.tool_output(&indent, output, *is_error)?,
            Output::SubagentStart { prompt, model, .. } => {
                self.end_line()?;
                let header = self.paint("35", &format!("┌ sub-agent on {model}"));
                writeln!(self.out, "{indent}{header}: {}", first_line(prompt))?;
            }
            Output::SubagentPart { part, .. } => self.text(part, depth + 1)?,
            Output::SubagentComplete { .. } => {
                self.end_line()?;
                let footer = self.paint("35", "└ sub-agent done");
                writeln!(self.out, "{indent}{footer}")?;
            }
            Output::SubagentFailed { error, .. } => {
                self.end_line()?;
                let footer = self.paint("31", "└ sub-agent failed");
                writeln!(self.out, "{indent}{footer}: {}", first_line(error))?;
            }
            Output::Usage { .. } => {}
            Output::Retry {
                attempt,
                error,
                delay_ms,
                discard,
            } => {
                self.end_line()?;
                self.held.retain(|held| !discard.contains(&held.id));
                let mut line = format!(
                    "↻ retry {attempt} in {:.1} s: {}",
                    *delay_ms as f64 / 1000.0,
                    visible(error)
                );
                if !discard.is_empty() && !self.holds_sections() {
                    line.push_str(" (the answer above was cut off and is discarded)");
                }
                writeln!(self.out, "{indent}{}", self.paint("33", &line))?;
            }
            Output::CompactionStarted { tokens_before } => {
                self.end_line()?;
                let line = format!("⇣ compacting the context ({tokens_before} tokens)");
                writeln!(self.out, "{indent}{}", self.paint("33", &line))?;
            }
            Output::CompactionFinished {
                tokens_before,
                tokens_after,
                method,
            } => {
                self.end_line()?;
                let line = format!(
                    "⇣ compacted: {tokens_before} → about {tokens_after} tokens ({method})"
                );
                writeln!(self.out, "{indent}{}", self.paint("33", &line))?;
            }
            Output::Warning { message } => {
                self.end_line()?;
                let line = format!("warning: {}", visible(message));
                writeln!(self.out, "{indent}{}", self.paint("33", &line))?;
            }
            Output::AgentFinished { summary, .. } => {
                self.end_line()?;
                if depth == 0 {
                    // An answer given as text was just shown: do not repeat it.
                    let repeated = summary.trim() == self.last_text.trim();
                    let done = self.paint("32", if repeated { "✓ done" } else { "✓ done:" });
                    if repeated {
                        writeln!(self.out, "{done}")?;
                    } else {
                        writeln!(self.out, "{done} {}", visible(summary))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether sections wait for their response to end (plain text).
    fn holds_sections(&self) -> bool {
        !self.style.color
    }

    /// Keeps a section event for later; whether `event` was one.
    fn hold(&mut self, event: &Output, indent: &str) -> bool {
        match event {
            Output::TextStart { id } | Output::ReasoningStart { id } => {
                self.held.push(Held {
                    id: id.clone(),
                    indent: indent.to_owned(),
                    reasoning: matches!(event, Output::ReasoningStart { .. }),
                    text: String::new(),
                });
            }
            Output::TextDelta { id, delta } | Output::ReasoningDelta { id, delta } => {
                match self.held.iter_mut().rev().find(|held| held.id == *id) {
                    Some(held) => held.text.push_str(delta),
                    None => self.held.push(Held {
                        id: id.clone(),
                        indent: indent.to_owned(),
                        reasoning: matches!(event, Output::ReasoningDelta { .. }),
                        text: delta.clone(),
                    }),
                }
            }
            Output::TextEnd { .. } | Output::ReasoningEnd { .. } => {}
            _ => return false,
        }
        true
    }

    /// Writes the held sections: their response is over.
    fn release(&mut self) -> io::Result<()> {
        for held in std::mem::take(&mut self.held) {
            if !held.reasoning && held.indent.is_empty() {
                self.last_text.clone_from(&held.text);
            }
            self.flow(&held.indent, &held.text, held.reasoning)?;
            self.end_line()?;
        }
        Ok(())
    }

    /// Writes streamed text, indenting continuation lines.
    fn flow(&mut self, indent: &str, delta: &str, dim: bool) -> io::Result<()> {
        for (index, piece) in delta.split('\n').enumerate() {
            if index > 0 {
                writeln!(self.out)?;
                self.mid_line = false;
            }
            if piece.is_empty() {
                continue;
            }
            if !self.mid_line {
                write!(self.out, "{indent}")?;
                self.mid_line = true;
            }
            let piece = visible(piece);
            let text = if dim {
                self.paint("2", &piece)
            } else {
                piece.into_owned()
            };
            write!(self.out, "{text}")?;
        }
        Ok(())
    }

    fn tool_output(&mut self, indent: &str, output: &str, is_error: bool) -> io::Result<()> {
        self.end_line()?;
        let lines: Vec<&str> = output.trim_end().lines().collect();
        let bar = if is_error {
            self.paint("31", "  ✗ ")
        } else {
            "  │ ".to_owned()
        };
        for line in lines.iter().take(OUTPUT_LINES) {
            let line = self.paint("2", &shorten(line, 160));
            writeln!(self.out, "{indent}{bar}{line}")?;
        }
        if lines.len() > OUTPUT_LINES {
            let more = self.paint("2", &format!("… {} more lines", lines.len() - OUTPUT_LINES));
            writeln!(self.out, "{indent}{bar}{more}")?;
        }
        Ok(())
    }

    /// Reports that the run failed: in JSON mode the last line, an `error` event
    /// (`{"type":"error","message":…}`); in text mode nothing (the caller says it on
    /// stderr).
    pub fn error(&mut self, message: &str) -> io::Result<()> {
        if !self.style.json {
            return Ok(());
        }
        let event = serde_json::json!({"type": "error", "message": message});
        serde_json::to_writer(&mut self.out, &event)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }

    /// Forgets the sections of a response that never completed (the run failed):
    /// plain output shows only answers that were whole.
    pub fn discard_unfinished(&mut self) {
        self.held.clear();
    }

    /// Ends the current line, if any, and writes the usage line.
    pub fn finish(&mut self, usage: Option<&Output>) -> io::Result<()> {
        if self.style.json {
            return Ok(());
        }
        self.release()?;
        self.end_line()?;
        if let Some(Output::Usage {
            context_tokens,
            input_tokens,
            output_tokens,
        }) = usage
        {
            let line =
                format!("tokens: {input_tokens} in, {output_tokens} out, context {context_tokens}");
            writeln!(self.out, "{}", self.paint("2", &line))?;
        }
        self.out.flush()
    }

    fn end_line(&mut self) -> io::Result<()> {
        if self.mid_line {
            writeln!(self.out)?;
            self.mid_line = false;
        }
        Ok(())
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.style.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

fn first_line(text: &str) -> String {
    shorten(text.lines().next().unwrap_or_default(), 100)
}

/// `text` safe to print on a terminal (see [`visible`]), cut after `max`
/// characters with `…`.
pub fn shorten(text: &str, max: usize) -> String {
    let text = visible(text);
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

/// `text` safe to print on a terminal: control characters (escape sequences that
/// set the title, clear the screen or move the cursor, a bell, a carriage return)
/// are shown as escapes instead of acting; newlines and tabs stay.
///
/// ```
/// use clanka::render::visible;
///
/// assert_eq!(visible("ok\x1b]0;owned\x07\x1b[2J"), "ok\\u{1b}]0;owned\\u{7}\\u{1b}[2J");
/// assert_eq!(visible("two\nlines\tand a tab"), "two\nlines\tand a tab");
/// ```
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() && c != '\n' && c != '\t' {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
