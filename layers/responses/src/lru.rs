//! A small least-recently-used map by conversation: the socket pool and the cache
//! of encoded inputs keep at most their capacity, and let go of the entry used
//! longest ago first, one at a time.

use std::collections::HashMap;

/// Entries by key, each stamped with when it was last used.
#[derive(Debug)]
pub(crate) struct Lru<V> {
    entries: HashMap<String, (u64, V)>,
    clock: u64,
    capacity: usize,
}

impl<V> Lru<V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: HashMap::new(),
            clock: 0,
            capacity: capacity.max(1),
        }
    }

    /// The entry of `key`, marked as just used.
    pub(crate) fn get(&mut self, key: &str) -> Option<&V> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(key).map(|(used, value)| {
            *used = clock;
            &*value
        })
    }

    /// Puts `value` under `key` (as just used). When that makes one too many, the
    /// least recently used entry that `evictable` allows goes; when none may go, the
    /// map grows past its capacity for now.
    pub(crate) fn insert(&mut self, key: &str, value: V, evictable: impl Fn(&V) -> bool) {
        self.clock += 1;
        self.entries.insert(key.to_owned(), (self.clock, value));
        if self.entries.len() > self.capacity {
            let victim = self
                .entries
                .iter()
                .filter(|(k, (_, v))| k.as_str() != key && evictable(v))
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| k.clone());
            if let Some(victim) = victim {
                self.entries.remove(&victim);
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_evictable_entry_goes_first_and_alone() {
        let mut lru = Lru::new(3);
        for key in ["a", "b", "c"] {
            lru.insert(key, key.to_owned(), |_| true);
        }
        assert!(lru.get("a").is_some());
        lru.insert("d", "d".into(), |_| true);
        assert_eq!(lru.len(), 3);
        assert!(lru.get("b").is_none(), "b was used longest ago");
        assert!(lru.get("a").is_some() && lru.get("c").is_some());
        // Only "busy" entries besides the new one: the map grows instead.
        lru.insert("e", "e".into(), |v| v == "none");
        assert_eq!(lru.len(), 4);
    }
}
