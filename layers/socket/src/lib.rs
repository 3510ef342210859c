//! clanka-socket (skeleton).
