//! Runs `segment_customers` (k-means) on customers from a CSV and prints, for each k of
//! 2..=8 and for automatic k, the silhouette and the segments (label and size).
//!
//! ```text
//! CARGO_TARGET_DIR=/tmp/target-segments18 cargo run -j 1 --release -p cafe24_engine \
//!     --example segments_csv -- engine/src/segment/testdata/cdnow_rfm.csv [seed (default 42)] [groups.txt]
//! ```
//!
//! The CSV has a header and the columns `recency_days,purchase_days,total_amount` (one
//! customer a line), as `engine/src/segment/testdata/cdnow_rfm.csv`. Output: one line per
//! run, `k=<requested|auto> chosen=<k> silhouette=<s> segments=<label:size;...>`. With a
//! third argument, the automatic run's segment id of each customer is written there, one
//! a line in input order (`bench/segments_cdnow.py` reads it).

use cafe24_engine::segment::{self, CustomerSummary, Method, SegmentOptions, Segmentation};
use std::sync::atomic::{AtomicBool, AtomicUsize};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().expect("usage: segments_csv FILE.csv [seed] [groups.txt]");
    let seed: u64 = args.get(1).map_or(42, |s| s.parse().expect("seed"));
    let text = std::fs::read_to_string(path).expect("read the CSV");
    let end = 10_000.0;
    let customers: Vec<CustomerSummary> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            let recency: f64 = v[0].parse().expect("recency_days");
            let purchases: i64 = v[1].parse().expect("purchase_days");
            let total: f64 = v[2].parse().expect("total_amount");
            CustomerSummary {
                first_purchase: end - recency,
                last_purchase: end - recency,
                purchases,
                total_amount: total,
                mean_amount: total / purchases as f64,
                observation_end: end,
            }
        })
        .collect();
    println!("customers={}", customers.len());
    let run = |k: Option<i64>| -> Segmentation {
        let opts = SegmentOptions { method: Method::KMeans, k, seed };
        segment::segment_customers(&customers, &opts, &AtomicBool::new(false), &AtomicUsize::new(0)).expect("segment")
    };
    let show = |name: String, s: &Segmentation| {
        let segs: Vec<String> = s.segments.iter().map(|g| format!("{}:{}", g.label, g.customers)).collect();
        println!(
            "k={name} chosen={} silhouette={:.4} segments={}",
            s.segments.len(),
            s.silhouette.unwrap_or(f64::NAN),
            segs.join(";")
        );
    };
    for k in 2..=8 {
        show(k.to_string(), &run(Some(k)));
    }
    let auto = run(None);
    show("auto".into(), &auto);
    if let Some(out) = args.get(2) {
        let ids: String = auto.customers.iter().map(|c| format!("{}\n", c.segment)).collect();
        std::fs::write(out, ids).expect("write the groups");
    }
}
