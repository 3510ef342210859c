//! Bounded capture of a command's output: the first and last bytes are kept, the
//! middle is counted and dropped, so memory stays small whatever the command prints.

use std::collections::VecDeque;

use super::super::text::join_cut;

/// Head and tail of a byte stream, each at most half of the cap.
#[derive(Debug)]
pub(super) struct Capture {
    head: Vec<u8>,
    tail: VecDeque<u8>,
    half: usize,
    cut_bytes: usize,
    cut_lines: usize,
}

impl Capture {
    /// A capture keeping about `max_bytes` in all.
    pub(super) fn new(max_bytes: usize) -> Self {
        Self {
            head: Vec::new(),
            tail: VecDeque::new(),
            half: max_bytes / 2,
            cut_bytes: 0,
            cut_lines: 0,
        }
    }

    /// Appends `data`.
    pub(super) fn push(&mut self, mut data: &[u8]) {
        let room = self.half.saturating_sub(self.head.len()).min(data.len());
        self.head.extend_from_slice(&data[..room]);
        data = &data[room..];
        self.tail.extend(data);
        if self.tail.len() > self.half {
            let excess = self.tail.len() - self.half;
            self.cut_lines += self.tail.range(..excess).filter(|b| **b == b'\n').count();
            self.cut_bytes += excess;
            self.tail.drain(..excess);
        }
    }

    /// The captured text; if something was dropped, head and tail are cut on char
    /// boundaries and joined by a cut note.
    pub(super) fn finish(self) -> String {
        let mut head = self.head;
        let tail = Vec::from(self.tail);
        if self.cut_bytes == 0 {
            head.extend_from_slice(&tail);
            return String::from_utf8_lossy(&head).into_owned();
        }
        let keep = complete_prefix(&head);
        let skip = tail
            .iter()
            .take(3)
            .take_while(|b| is_continuation(**b))
            .count();
        let cut_bytes = self.cut_bytes + (head.len() - keep) + skip;
        join_cut(
            &String::from_utf8_lossy(&head[..keep]),
            cut_bytes,
            self.cut_lines,
            &String::from_utf8_lossy(&tail[skip..]),
        )
    }
}

/// Whether `byte` continues a UTF-8 sequence.
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// The length of `bytes` without a UTF-8 sequence left incomplete at its end.
fn complete_prefix(bytes: &[u8]) -> usize {
    let len = bytes.len();
    let Some(lead) = (len.saturating_sub(4)..len)
        .rev()
        .find(|&i| !is_continuation(bytes[i]))
    else {
        return len;
    };
    let needed = match bytes[lead] {
        b if b >= 0xF0 => 4,
        b if b >= 0xE0 => 3,
        b if b >= 0xC0 => 2,
        _ => 1,
    };
    if len - lead < needed { lead } else { len }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_output_is_kept_whole() {
        let mut capture = Capture::new(100);
        capture.push(b"hello ");
        capture.push(b"world\n");
        assert_eq!(capture.finish(), "hello world\n");
    }

    #[test]
    fn large_output_keeps_head_and_tail() {
        let mut capture = Capture::new(8);
        for line in ["a\n", "b\n", "c\n", "d\n", "e\n", "f\n", "g\n"] {
            capture.push(line.as_bytes());
        }
        assert_eq!(
            capture.finish(),
            "a\nb\n[... 6 bytes (3 lines) cut ...]\nf\ng\n"
        );
    }

    #[test]
    fn cut_respects_utf8() {
        let mut capture = Capture::new(6);
        capture.push("éééééé".as_bytes()); // 12 bytes: head 3, tail 3
        assert_eq!(capture.finish(), "é\n[... 8 bytes (0 lines) cut ...]\né");
    }
}
