//! Report specs (placeholder).
