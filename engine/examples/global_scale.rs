//! Fit and forecast timings of the global model at scale.
//!
//! `cargo run --release -p cafe24_engine --example global_scale [series] [days] [threads] [short_every]`
//! (defaults 10000 series × 730 days of training history plus 28 test days, 2 threads).
//! Synthetic daily sales: shared weekly and yearly pattern, levels from 0.2 to 200 a day,
//! promotions and price cuts, Poisson noise; with `short_every = k > 0` every k-th
//! product was launched only 30–120 days ago.

use cafe24_engine::chrono::{Datelike, Days, NaiveDate};
use cafe24_engine::forecast::{metrics, GlobalModel, GlobalOptions, SeriesInput};
use cafe24_engine::rng::Rng;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::time::Instant;

fn main() {
    let arg = |k: usize, d: usize| std::env::args().nth(k).and_then(|a| a.parse().ok()).unwrap_or(d);
    let (n, days, threads, short_every) = (arg(1, 10_000), arg(2, 730), arg(3, 2), arg(4, 0));
    let h = 28;
    let end = NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
    let week = [0.8, 0.9, 0.95, 1.0, 1.1, 1.4, 1.25];
    let mut r = Rng::new(42);
    let t0 = Instant::now();
    let mut data = Vec::with_capacity(n);
    for i in 0..n {
        let len = if short_every > 0 && i % short_every == 0 { 30 + r.range(0, 90) as usize } else { days } + h;
        let start = end - Days::new(len as u64 - 1);
        let level =
            if i % 6 == 1 { 0.2 + 0.6 * r.f64() } else { (2f64.ln() + r.f64() * (200f64.ln() - 2f64.ln())).exp() };
        let (mut y, mut price, mut promo) = (Vec::with_capacity(len), Vec::with_capacity(len), Vec::with_capacity(len));
        let mut cut: f64 = 1.0;
        for t in 0..len {
            if r.chance(0.02) {
                cut = if cut < 1.0 { 1.0 } else { 0.85 };
            }
            let p = if r.chance(0.06) { 1.0 } else { 0.0 };
            let d = start + Days::new(t as u64);
            let yearly = 1.0 + 0.2 * (std::f64::consts::TAU * d.ordinal() as f64 / 365.25).sin();
            let mean =
                level * week[d.weekday().num_days_from_monday() as usize] * yearly * (1.0 + 0.6 * p) * cut.powi(-2);
            y.push(r.poisson(mean) as f64);
            price.push(20.0 * cut);
            promo.push(p);
        }
        data.push((y, price, promo, start));
    }
    let train: Vec<SeriesInput> = data
        .iter()
        .map(|(y, price, promo, start)| SeriesInput {
            y: &y[..y.len() - h],
            start: *start,
            price: Some(price),
            promo: Some(promo),
        })
        .collect();
    let cells: usize = train.iter().map(|s| s.y.len()).sum();
    println!("{n} series, {cells} observations generated in {:.1?}", t0.elapsed());

    let opts = GlobalOptions { threads, ..GlobalOptions::daily() };
    let never = AtomicBool::new(false);
    let t = Instant::now();
    let model = GlobalModel::fit(&train, &opts, &never).expect("fit");
    let fit = t.elapsed();
    println!(
        "fit: {fit:.1?} ({} trees × 2 fits, {} training rows, threads {threads}); calibration holdout MASE {:.3} vs seasonal naive {:.3}",
        opts.trees, model.info.training_rows, model.info.holdout_mase, model.info.holdout_mase_seasonal_naive
    );
    let t = Instant::now();
    let bytes = model.to_bytes();
    let back = GlobalModel::from_bytes(&bytes).expect("round trip");
    println!("serialize + parse: {:.1?}, {} bytes", t.elapsed(), bytes.len());

    let t = Instant::now();
    let done = AtomicUsize::new(0);
    let out = back.forecast_many(&train, h, &[80.0, 95.0], threads, &never, &done);
    let fc = t.elapsed();
    println!(
        "forecast: {fc:.1?} for {n} series × {h} steps with 80/95% intervals ({:.0} µs a series)",
        fc.as_secs_f64() * 1e6 / n as f64
    );

    let (mut mase, mut k, mut inside, mut steps) = (0.0, 0usize, [0usize; 2], 0usize);
    for ((y, ..), f) in data.iter().zip(out) {
        let f = f.expect("not cancelled").expect("forecast");
        let (tr, te) = y.split_at(y.len() - h);
        let d = metrics::naive_scale(tr, 7);
        if d > 0.0 && d.is_finite() {
            mase += te.iter().zip(&f.point).map(|(a, p)| (a - p).abs()).sum::<f64>() / h as f64 / d;
            k += 1;
        }
        for (j, iv) in f.intervals.iter().enumerate() {
            inside[j] += te.iter().enumerate().filter(|(i, a)| iv.lower[*i] <= **a && **a <= iv.upper[*i]).count();
        }
        steps += h;
    }
    println!(
        "test window: MASE {:.3}; coverage 80%: {:.3}, 95%: {:.3}",
        mase / k as f64,
        inside[0] as f64 / steps as f64,
        inside[1] as f64 / steps as f64
    );
}
