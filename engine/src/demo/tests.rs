use super::*;
use std::collections::{HashMap, HashSet};

fn cfg(seed: u64, customers: u32, days: u32) -> DemoConfig {
    DemoConfig {
        seed,
        shops: 2,
        products: 200,
        customers,
        days,
        start: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        sessions_per_order: 2.0,
    }
}

fn run(c: DemoConfig) -> Vec<DayOutput> {
    DemoMall::new(c).unwrap().simulate(true).collect()
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let a = run(cfg(1, 2000, 60));
    let b = run(cfg(1, 2000, 60));
    let c = run(cfg(2, 2000, 60));
    let lines = |x: &[DayOutput]| x.iter().flat_map(|d| d.lines.clone()).collect::<Vec<_>>();
    assert_eq!(lines(&a), lines(&b));
    assert_ne!(lines(&a), lines(&c));
}

#[test]
fn events_do_not_change_orders() {
    let with: Vec<_> = DemoMall::new(cfg(5, 2000, 40)).unwrap().simulate(true).flat_map(|d| d.lines).collect();
    let without: Vec<_> = DemoMall::new(cfg(5, 2000, 40)).unwrap().simulate(false).flat_map(|d| d.lines).collect();
    assert_eq!(with, without);
}

#[test]
fn invalid_knobs_are_named() {
    let mut c = cfg(1, 10, 10);
    c.days = 0;
    assert_eq!(DemoMall::new(c).err().unwrap(), "days = 0 is out of range: allowed 1 to 3660");
    let mut c = cfg(1, 10, 10);
    c.products = 2_000_000;
    assert!(DemoMall::new(c).err().unwrap().starts_with("products = 2000000"));
}

#[test]
fn lines_are_well_formed() {
    let days = run(cfg(3, 3000, 120));
    let mut codes = HashSet::new();
    let start = day_start_epoch(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
    for d in &days {
        for l in &d.lines {
            assert!(l.quantity > 0 && l.unit_price > 0 && l.unit_cost > 0);
            assert!(l.discount >= 0 && l.discount <= l.unit_price * l.quantity as i64);
            assert!(codes.insert(l.order_item_code.clone()), "duplicate {}", l.order_item_code);
            assert!(l.order_item_code.starts_with(&l.order_id));
            let day_of = (l.ordered_at - start).div_euclid(86_400);
            assert_eq!(day_of, d.day as i64, "line outside its day");
        }
        for s in &d.snapshots {
            assert!(s.on_hand >= 0 && s.on_order >= 0);
        }
    }
}

#[test]
fn volume_scales_with_customers_about_ten_lines_each_over_two_years() {
    let days = run(cfg(11, 10_000, 730));
    let lines: usize = days.iter().map(|d| d.lines.len()).sum();
    let per_customer = lines as f64 / 10_000.0;
    assert!((7.0..14.0).contains(&per_customer), "{per_customer} lines per customer");
}

#[test]
fn seasonality_weekly_and_korean_peaks() {
    let c = cfg(7, 20_000, 730);
    let start = c.start;
    let mall = DemoMall::new(c).unwrap();
    let food_ids: HashSet<i64> = mall.products.iter().filter(|p| p.category == "food").map(|p| p.product_id).collect();
    let days: Vec<DayOutput> = mall.simulate(false).collect();
    let revenue: Vec<f64> = days
        .iter()
        .map(|d| {
            d.lines
                .iter()
                .filter(|l| l.status != "cancelled")
                .map(|l| (l.unit_price * l.quantity as i64 - l.discount) as f64)
                .sum()
        })
        .collect();
    let lines: Vec<f64> = days.iter().map(|d| d.lines.len() as f64).collect();
    let date = |i: usize| start + chrono::Duration::days(i as i64);
    // 11.11 in 2024 sells far more than the surrounding fortnight's average.
    let i1111 = (NaiveDate::from_ymd_opt(2024, 11, 11).unwrap() - start).num_days() as usize;
    let around: f64 = (i1111 - 14..i1111 - 3).map(|i| lines[i]).sum::<f64>() / 11.0;
    assert!(lines[i1111] > 1.6 * around, "11.11 {} vs {}", lines[i1111], around);
    // Food sells more in the Chuseok gifting run-up than in the month after.
    let chuseok = (crate::calendar::chuseok(2024).unwrap() - start).num_days() as usize;
    let food = |r: std::ops::Range<usize>| -> f64 {
        r.map(|i| days[i].lines.iter().filter(|l| food_ids.contains(&l.product_id)).count() as f64).sum()
    };
    let (before, after) = (food(chuseok - 9..chuseok - 2), food(chuseok + 20..chuseok + 27));
    assert!(before > 1.8 * after, "food before Chuseok {before}, after {after}");
    // Sunday + Monday beat Friday + Saturday across the whole history.
    let mut by_wd = [0.0; 7];
    for (i, r) in revenue.iter().enumerate() {
        by_wd[date(i).weekday().num_days_from_monday() as usize] += r;
    }
    assert!(by_wd[0] + by_wd[6] > 1.1 * (by_wd[4] + by_wd[5]), "{by_wd:?}");
    // Growth: the second year sells more than the first.
    let y1: f64 = revenue[..365].iter().sum();
    let y2: f64 = revenue[365..].iter().sum();
    assert!(y2 > 1.1 * y1, "y1 {y1} y2 {y2}");
}

#[test]
fn intermittent_demand_stockouts_promotions_cancellations_returns() {
    let days = run(cfg(13, 8000, 365));
    let n_days = days.len();
    let mut selling_days: HashMap<i64, usize> = HashMap::new();
    let mut statuses: HashMap<&str, usize> = HashMap::new();
    let mut discounted = 0;
    let mut total = 0;
    for d in &days {
        let mut seen = HashSet::new();
        for l in &d.lines {
            if seen.insert(l.product_id) {
                *selling_days.entry(l.product_id).or_default() += 1;
            }
            *statuses.entry(l.status).or_default() += 1;
            discounted += (l.discount > 0) as usize;
            total += 1;
        }
    }
    let intermittent = (1..=200).filter(|p| selling_days.get(p).copied().unwrap_or(0) < n_days / 4).count();
    assert!(intermittent >= 30, "only {intermittent} intermittent products");
    let stockout_days: usize = days.iter().map(|d| d.snapshots.iter().filter(|s| s.on_hand == 0).count()).sum();
    assert!(stockout_days > 100, "stockout product-days {stockout_days}");
    let share = |s: &str| statuses.get(s).copied().unwrap_or(0) as f64 / total as f64;
    assert!((0.02..0.05).contains(&share("cancelled")), "cancelled {}", share("cancelled"));
    assert!((0.02..0.08).contains(&share("returned")), "returned {}", share("returned"));
    assert!(share("delivered") > 0.8);
    let promo_share = discounted as f64 / total as f64;
    assert!((0.05..0.4).contains(&promo_share), "discounted share {promo_share}");
}

#[test]
fn customers_are_heterogeneous() {
    let days = run(cfg(17, 5000, 730));
    let mut orders: HashMap<i64, HashSet<String>> = HashMap::new();
    for l in days.iter().flat_map(|d| &d.lines) {
        if let Some(c) = l.customer_id {
            orders.entry(c).or_default().insert(l.order_id.clone());
        }
    }
    let once = orders.values().filter(|o| o.len() == 1).count();
    let loyal = orders.values().filter(|o| o.len() >= 10).count();
    assert!(once > 1000, "one-time buyers {once}");
    assert!(loyal > 300, "repeaters {loyal}");
    let guests = days.iter().flat_map(|d| &d.lines).filter(|l| l.customer_id.is_none()).count();
    assert!(guests > 0);
}

#[test]
fn funnel_narrows_at_each_step_and_sessions_are_ordered() {
    let days = run(cfg(19, 3000, 90));
    let mut count: HashMap<&str, usize> = HashMap::new();
    let mut sessions: HashMap<i64, Vec<(&str, i64)>> = HashMap::new();
    for e in days.iter().flat_map(|d| &d.events) {
        *count.entry(e.event_type).or_default() += 1;
        sessions.entry(e.session_id).or_default().push((e.event_type, e.occurred_at));
    }
    let (v, c, k, p) = (count["view"], count["cart"], count["checkout"], count["purchase"]);
    assert!(v > c && c > k && k > p && p > 0, "{v} {c} {k} {p}");
    let purchases: usize = days.iter().map(|d| d.lines.len()).sum();
    assert_eq!(p, purchases);
    let rank = |t: &str| ["view", "cart", "checkout", "purchase"].iter().position(|x| *x == t).unwrap();
    for evs in sessions.values() {
        for w in evs.windows(2) {
            if rank(w[0].0) < rank(w[1].0) {
                assert!(w[0].1 <= w[1].1);
            }
        }
    }
}

#[test]
fn complements_are_bought_together() {
    let mall = DemoMall::new(cfg(23, 6000, 365)).unwrap();
    let complement: Vec<usize> = mall.product_models.iter().map(|m| m.complement).collect();
    let days: Vec<DayOutput> = mall.simulate(false).collect();
    let mut by_order: HashMap<&str, Vec<i64>> = HashMap::new();
    for l in days.iter().flat_map(|d| &d.lines) {
        by_order.entry(&l.order_id).or_default().push(l.product_id);
    }
    let mut pairs_with_complement = 0;
    let mut multi = 0;
    for ps in by_order.values().filter(|ps| ps.len() > 1) {
        multi += 1;
        if ps.iter().any(|a| ps.contains(&(complement[(*a - 1) as usize] as i64 + 1))) {
            pairs_with_complement += 1;
        }
    }
    assert!(pairs_with_complement as f64 > 0.2 * multi as f64, "{pairs_with_complement}/{multi}");
}

#[test]
fn catalog_depends_on_seed_and_size_only() {
    let a = DemoMall::new(cfg(29, 100, 30)).unwrap();
    let b = DemoMall::new(cfg(29, 5000, 700)).unwrap();
    assert_eq!(a.products, b.products);
    assert!(a.products.iter().any(|p| p.name.contains('(') && p.name.chars().any(|c| ('가'..='힣').contains(&c))));
}

#[test]
fn config_from_json_names_the_bad_knob() {
    let ok = serde_json::json!({"seed": 1, "shops": 2, "products": 10, "customers": 5, "days": 3, "start": "2025-01-01", "sessions_per_order": 1.5});
    let c = DemoConfig::from_json(&ok).unwrap();
    assert_eq!((c.shops, c.products, c.customers, c.days), (2, 10, 5, 3));
    let mut bad = ok.clone();
    bad["customers"] = serde_json::json!(-5);
    assert_eq!(DemoConfig::from_json(&bad).unwrap_err(), "customers = -5 is out of range: allowed 1 to 20000000");
    let mut bad = ok.clone();
    bad["start"] = serde_json::json!("2025-13-01");
    assert!(DemoConfig::from_json(&bad).unwrap_err().starts_with("start = \"2025-13-01\" is not a date"));
    let mut bad = ok;
    bad["sessions_per_order"] = serde_json::json!(-1.0);
    assert!(DemoConfig::from_json(&bad).unwrap_err().starts_with("sessions_per_order = -1"));
}
