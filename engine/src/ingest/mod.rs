//! Cafe24 Admin API order payloads (placeholder, filled in below).
