//! clanka-kv (skeleton).
