//! `cafe24_engine`: the pure-Rust core of the `cafe24_analytics` PostgreSQL extension.
//!
//! Everything that is math, simulation, parsing or formatting lives here and is tested
//! with plain `cargo test -p cafe24_engine`, without a database. The extension crate
//! (`src/`) only converts types, reads via SPI and reports errors.

pub mod calendar;
pub mod clv;
pub mod demo;
pub mod ingest;
pub mod rng;
pub mod segment;
