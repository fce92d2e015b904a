//! `cafe24_engine`: the pure-Rust core of the `cafe24_analytics` PostgreSQL extension.
//!
//! Everything that is math, simulation, parsing or formatting lives here and is tested
//! with plain `cargo test -p cafe24_engine`, without a database. The extension crate
//! (`src/`) only converts types, reads via SPI and reports errors.

pub use chrono;

pub mod calendar;
pub mod clv;
pub mod cron;
pub mod dashboard;
pub mod demo;
pub mod forecast;
pub mod ingest;
pub mod interrupt;
pub mod inventory;
pub mod json;
pub mod report;
pub mod rng;
pub mod season;
pub mod segment;
pub mod stats;
