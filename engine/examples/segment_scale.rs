//! Times customer segmentation and CLV on synthetic customers.
//!
//! ```text
//! CARGO_TARGET_DIR=/tmp/c24-helper-target cargo run --release -p cafe24_engine \
//!     --example segment_scale -- [customers (default 1000000)] [stages: rfm k6 auto clv eval cancel (default all)]
//! ```
//!
//! Customers are deterministic (seed 2024): first purchase day uniform over the last two
//! years, a lognormal purchase rate and an exponential lifetime, so most customers bought
//! on 1–3 days with a long tail; mean order value lognormal (median ≈ 30,000), 1 % with
//! refunds that exceed their spend. Times are whole days, observation end is fractional
//! (as `cafe24._customer_summaries` produces them).
//!
//! `cancel` sets the cancel flag of each computation from another thread, 10 ms to 3 s
//! after its start, and reports the longest time it took to return after that.

use cafe24_engine::clv::{self, ClvOptions, RepeatSummary};
use cafe24_engine::rng::Rng;
use cafe24_engine::segment::{self, CustomerSummary, Method, SegmentOptions};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::time::Instant;

const END: f64 = 20_000.0 + 0.4375;
const HOLDOUT_DAYS: f64 = 90.0;

/// Customers and each one's purchase days in the `HOLDOUT_DAYS` after `END`.
fn synthetic(n: usize, seed: u64) -> (Vec<CustomerSummary>, Vec<i64>) {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let first = 20_000.0 - rng.range(0, 729) as f64;
            let age = END - first;
            let rate = (-5.0 + 1.1 * rng.normal()).exp(); // purchase days per day while alive
            let life = rng.exponential(1.0 / 400.0);
            let active = life.min(age);
            let x = rng.poisson(rate * active).min(400) as i64;
            let t_x = if x == 0 { 0.0 } else { (active * rng.f64().powf(1.0 / x as f64)).floor().min(age.floor()) };
            let purchases = x + 1;
            let mean_amount = (10.3 + 0.8 * rng.normal()).exp().round();
            let total_amount = if rng.chance(0.01) { -0.2 * mean_amount } else { mean_amount * purchases as f64 };
            let holdout = if life > age { rng.poisson(rate * HOLDOUT_DAYS) as i64 } else { 0 };
            (
                CustomerSummary {
                    first_purchase: first,
                    last_purchase: first + t_x,
                    purchases,
                    total_amount,
                    mean_amount: total_amount / purchases as f64,
                    observation_end: END,
                },
                holdout,
            )
        })
        .unzip()
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    println!("{what:<28} {:>8.2} s", started.elapsed().as_secs_f64());
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let stages: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    let run = |s: &str| stages.is_empty() || stages.contains(&s);
    let (go, done) = (AtomicBool::new(false), AtomicUsize::new(0));
    let (customers, holdout) = timed("generate", || synthetic(n, 2024));
    let repeaters = customers.iter().filter(|c| c.purchases > 1).count();
    let mut freq = [0usize; 5];
    customers.iter().for_each(|c| freq[(c.purchases as usize).min(5) - 1] += 1);
    println!("{n} customers, {repeaters} with a repeat purchase; purchases 1/2/3/4/5+: {freq:?}");
    if run("rfm") {
        timed("rfm scores", || segment::rfm(&customers).unwrap());
    }
    let kmeans = |k: Option<i64>| SegmentOptions { method: Method::KMeans, k, seed: 42 };
    let report = |s: &segment::Segmentation| {
        for seg in &s.segments {
            println!(
                "  {:>2} {:<20} {:>8} customers  R {:.2} F {:.2} M {:.2}",
                seg.id,
                seg.label.name(),
                seg.customers,
                seg.r_score,
                seg.f_score,
                seg.m_score
            );
        }
        println!("  silhouette {:?}", s.silhouette);
    };
    if run("k6") {
        let s = timed("segment k=6", || segment::segment_customers(&customers, &kmeans(Some(6)), &go, &done).unwrap());
        report(&s);
    }
    if run("auto") {
        let s =
            timed("segment automatic k", || segment::segment_customers(&customers, &kmeans(None), &go, &done).unwrap());
        report(&s);
    }
    let data: Vec<RepeatSummary> = customers.iter().map(RepeatSummary::from_customer).collect();
    if run("clv") {
        let opts = ClvOptions { horizon_days: 365.0, discount_rate: 0.1, margin: 1.0 };
        let fit = timed("clv fit + values", || clv::customer_lifetime_value(&data, &opts, &go, &done).unwrap());
        let total: f64 = fit.customers.iter().map(|c| c.clv).sum();
        println!("  {:?}\n  {:?}\n  total CLV {total:.6e}", fit.bgnbd, fit.gamma_gamma);
    }
    if run("eval") {
        let e = timed("evaluate (holdout 90 d)", || clv::evaluate(&data, HOLDOUT_DAYS, &holdout, &go, &done).unwrap());
        println!("  predicted {:.1}, actual {:.1}", e.predicted_total, e.actual_total);
        for b in &e.buckets {
            println!(
                "  x={} n={} predicted {:.4} actual {:.4}",
                b.repeat_purchases, b.customers, b.mean_predicted, b.mean_actual
            );
        }
    }
    if run("cancel") {
        let opts = ClvOptions { horizon_days: 365.0, discount_rate: 0.1, margin: 1.0 };
        type Work<'a> = (&'a str, &'a (dyn Fn(&AtomicBool) -> bool + Sync));
        let work: [Work; 4] = [
            ("segment k=6", &|c| {
                segment::segment_customers(&customers, &kmeans(Some(6)), c, &done).is_err_and(|e| e.is_cancelled())
            }),
            ("segment automatic k", &|c| {
                segment::segment_customers(&customers, &kmeans(None), c, &done).is_err_and(|e| e.is_cancelled())
            }),
            ("clv fit + values", &|c| {
                clv::customer_lifetime_value(&data, &opts, c, &done).is_err_and(|e| e.is_cancelled())
            }),
            ("evaluate", &|c| clv::evaluate(&data, HOLDOUT_DAYS, &holdout, c, &done).is_err_and(|e| e.is_cancelled())),
        ];
        for (what, f) in work {
            let mut worst = (0.0f64, 0u64);
            for delay in [10, 40, 100, 200, 350, 600, 1000, 1600, 2400, 3000] {
                let cancel = AtomicBool::new(false);
                std::thread::scope(|s| {
                    let h = s.spawn(|| (f(&cancel), Instant::now()));
                    std::thread::sleep(std::time::Duration::from_millis(delay));
                    cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                    let set = Instant::now();
                    let (cancelled, returned) = h.join().unwrap();
                    let ms = returned.saturating_duration_since(set).as_secs_f64() * 1e3;
                    // A run that ended before the flag was set reports Ok: not a latency.
                    if cancelled && ms > worst.0 {
                        worst = (ms, delay);
                    }
                });
            }
            println!("cancel {what:<21} at worst {:>7.2} ms after the flag (set at {} ms)", worst.0, worst.1);
        }
    }
}
