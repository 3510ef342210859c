//! clanka: the effect-style runtime (skeleton).
