//! Fuzzes `EventDecoder::decode` with arbitrary lines: it must never panic.

#![no_main]

use clanka_responses::EventDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut decoder = EventDecoder::new();
    let mut parts = Vec::new();
    for line in text.split('\n') {
        // SSE lines carry a `data:` prefix; WebSocket frames are bare payloads.
        let payload = line.strip_prefix("data:").map_or(line, str::trim_start);
        let _ = decoder.decode(payload, &mut parts);
        if parts.len() > 1024 {
            parts.clear();
        }
    }
});
