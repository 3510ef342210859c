//! clanka-http (skeleton).
