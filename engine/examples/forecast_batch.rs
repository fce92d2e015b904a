//! Forecasts series read as JSON lines on stdin, one line of results per series on stdout.
//!
//! Input line:  {"y": [..], "h": 18, "m": 12}            (m = 1: no season)
//!              optional "last_day": "2025-11-05" (daily sales through the retail calendar,
//!              engine forecast::retail) and "stocked_out": [offsets of stockout days]
//! Output line: {"results": [{"model": "auto", "used": "auto: combo(..)", "ms": 3.1,
//!               "point": [..], "lower": {"80": [..], "95": [..]}, "upper": {..}}, ..]}
//!
//! Usage: forecast_batch MODEL... (SQL names, e.g. auto auto_ets auto_theta ets mstl);
//! `--levels 80,95` sets the interval levels. Runs on one thread; `ms` is wall time of
//! `forecast` for that series and model.
use cafe24_engine::forecast::{forecast, retail, Model, Options};
use std::io::{BufRead, Write};
use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut levels = vec![80.0, 95.0];
    if let Some(i) = args.iter().position(|a| a == "--levels") {
        levels = args[i + 1].split(',').map(|v| v.parse().expect("level")).collect();
        args.drain(i..i + 2);
    }
    let models: Vec<(String, Model)> = args.iter().map(|a| (a.clone(), Model::parse(a).expect("model name"))).collect();
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let line = line.expect("stdin");
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line).expect("json line");
        let y: Vec<f64> = v["y"].as_array().expect("y").iter().map(|x| x.as_f64().expect("number")).collect();
        let h = v["h"].as_u64().expect("h") as usize;
        let m = v["m"].as_u64().unwrap_or(1) as usize;
        let opts = Options {
            horizon: h,
            season_lengths: Some(vec![m]),
            candidates: vec![],
            detect_seasons: false,
            levels: levels.clone(),
        };
        let last_day = v["last_day"].as_str().map(|d| d.parse::<cafe24_engine::chrono::NaiveDate>().expect("last_day"));
        let mut stocked_out = vec![false; y.len()];
        for o in v["stocked_out"].as_array().into_iter().flatten() {
            if let Some(slot) = o.as_u64().and_then(|o| stocked_out.get_mut(o as usize)) {
                *slot = true;
            }
        }
        let mut results = Vec::new();
        for (name, model) in &models {
            let t = Instant::now();
            let f = match last_day {
                Some(day) => retail::forecast_daily(&y, &stocked_out, day, *model, &opts),
                None => forecast(&y, *model, &opts),
            };
            let ms = t.elapsed().as_secs_f64() * 1e3;
            results.push(match f {
                Ok(f) => {
                    let lower: serde_json::Map<String, serde_json::Value> = f.intervals.iter().map(|i| (format!("{}", i.level), serde_json::json!(i.lower))).collect();
                    let upper: serde_json::Map<String, serde_json::Value> = f.intervals.iter().map(|i| (format!("{}", i.level), serde_json::json!(i.upper))).collect();
                    serde_json::json!({"model": name, "used": f.model, "ms": ms, "point": f.point, "lower": lower, "upper": upper})
                }
                Err(e) => serde_json::json!({"model": name, "error": e.to_string(), "ms": ms}),
            });
        }
        writeln!(out, "{}", serde_json::json!({ "results": results })).expect("stdout");
        out.flush().expect("flush");
    }
}
