//! One module per SQL feature: argument checks, a call into the engine, rows out.

pub mod customers;
pub mod dashboard;
pub mod demo;
pub mod forecast;
pub mod forecast_model;
pub mod http;
pub mod ingest;
pub mod inventory;
pub mod live_kpis;
pub mod report;
pub mod season;
