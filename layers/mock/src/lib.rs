//! clanka-mock (skeleton).
