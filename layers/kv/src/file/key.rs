//! Reversible encoding of keys and lock names into safe file names.
//!
//! A key file is `k-` followed by the key with every byte outside `[a-z0-9_.-]`
//! written as `%XX` (uppercase hex). So a name never contains `/`, is never `.`
//! or `..`, and never differs from another only by letter case (which would clash
//! on case-insensitive file systems). Lock files use the prefix `.lock-` and
//! temporary files `.tmp-`, so neither can be mistaken for a key.

use crate::KvError;

const KEY_PREFIX: &str = "k-";
const LOCK_PREFIX: &str = ".lock-";
pub(super) const TEMP_PREFIX: &str = ".tmp-";
/// The longest file name most file systems accept, in bytes.
const NAME_MAX: usize = 255;

/// The file name holding the value under `key`.
pub(super) fn key_file_name(key: &str) -> Result<String, KvError> {
    checked(KEY_PREFIX, key, "key too long for a file name")
}

/// The file name of the lock called `name`.
pub(super) fn lock_file_name(name: &str) -> Result<String, KvError> {
    checked(LOCK_PREFIX, name, "lock name too long for a file name")
}

/// The key stored in the file called `name`, or `None` for files that hold no key.
pub(super) fn decode_key_file_name(name: &str) -> Option<String> {
    let escaped = name.strip_prefix(KEY_PREFIX)?;
    let mut bytes = Vec::with_capacity(escaped.len());
    let mut rest = escaped.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    let key = String::from_utf8(bytes).ok()?;
    // Only the canonical spelling counts, so each file maps to one key and back.
    (escape(&key) == escaped).then_some(key)
}

fn checked(prefix: &str, key: &str, reason: &'static str) -> Result<String, KvError> {
    let name = format!("{prefix}{}", escape(key));
    if name.len() > NAME_MAX {
        return Err(KvError::InvalidKey {
            key: key.to_owned(),
            reason,
        });
    }
    Ok(name)
}

fn escape(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for &byte in key.as_bytes() {
        if matches!(byte, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push_str(&format!("{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &[
        "",
        ".",
        "..",
        "../x",
        "a/b",
        "/abs",
        "codex.auth/tokens",
        "Tokens",
        "%41",
        "k-x",
        ".lock-x",
        ".tmp-1",
        "ünïcødé ✓",
        "a\0b",
        "with space",
        "\\",
        "CON",
    ];

    #[test]
    fn round_trips_and_stays_a_plain_name() {
        for key in KEYS {
            let name = key_file_name(key).unwrap();
            assert_eq!(decode_key_file_name(&name).as_deref(), Some(*key), "{name}");
            assert!(name.starts_with("k-"), "{name}");
            assert!(!name.contains('/') && !name.contains('\\') && !name.contains('\0'));
            assert!(name.bytes().all(|b| b.is_ascii_graphic()), "{name}");
        }
    }

    #[test]
    fn examples() {
        assert_eq!(key_file_name("").unwrap(), "k-");
        assert_eq!(
            key_file_name("codex.auth/tokens").unwrap(),
            "k-codex.auth%2Ftokens"
        );
        assert_eq!(key_file_name("Ab").unwrap(), "k-%41b");
        assert_eq!(key_file_name("é").unwrap(), "k-%C3%A9");
        assert_eq!(lock_file_name("refresh").unwrap(), ".lock-refresh");
    }

    #[test]
    fn names_differ_beyond_letter_case() {
        let mut seen = std::collections::HashSet::new();
        for key in KEYS.iter().chain(&["a", "A", "ab", "aB", "Ab", "AB"]) {
            assert!(
                seen.insert(key_file_name(key).unwrap().to_lowercase()),
                "{key}"
            );
        }
    }

    #[test]
    fn ignores_foreign_and_non_canonical_names() {
        for name in [
            "README", ".lock-x", ".tmp-1-2", "k-%4", "k-%zz", "k-%41%", "k-%4a", "k-A", "k-%61",
            "k-%FF", "k-a/b", "k- ",
        ] {
            assert_eq!(decode_key_file_name(name), None, "{name}");
        }
    }

    #[test]
    fn rejects_names_too_long() {
        assert!(key_file_name(&"a".repeat(253)).is_ok());
        let Err(KvError::InvalidKey { .. }) = key_file_name(&"a".repeat(254)) else {
            panic!("accepted a 256-byte file name");
        };
        assert!(lock_file_name(&"é".repeat(100)).is_err());
    }
}
