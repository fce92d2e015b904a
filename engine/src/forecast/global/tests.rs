use super::*;
use crate::forecast::{forecast, Model, Options};
use crate::rng::Rng;
use std::sync::OnceLock;
use std::time::Instant;

const H: usize = 28;

/// One synthetic product: sales, price and promotion over its whole life (the last `H`
/// days are the test window; price and promotion there are "known future").
struct Product {
    y: Vec<f64>,
    price: Vec<f64>,
    promo: Vec<f64>,
    start: NaiveDate,
    short: bool,
}

impl Product {
    fn train(&self) -> SeriesInput<'_> {
        SeriesInput {
            y: &self.y[..self.y.len() - H],
            start: self.start,
            price: Some(&self.price),
            promo: Some(&self.promo),
        }
    }
    fn test(&self) -> &[f64] {
        &self.y[self.y.len() - H..]
    }
}

/// A deterministic panel: every series ends on 2024-12-31 and shares a weekly pattern;
/// levels span two orders of magnitude; a third have only 30–60 days of history before
/// the test window, a sixth are intermittent (under one sale a day); promotions lift
/// sales by 60%, price cuts with elasticity −2; Poisson noise.
fn panel(n: usize, seed: u64) -> Vec<Product> {
    let end = NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
    let week = [0.8, 0.9, 0.95, 1.0, 1.1, 1.4, 1.25]; // Monday first
    let mut r = Rng::new(seed);
    (0..n)
        .map(|i| {
            let short = i % 3 == 0;
            let hist = if short { 30 + (r.f64() * 31.0) as usize } else { 365 };
            let len = hist + H;
            let start = end - chrono::Days::new(len as u64 - 1);
            let level =
                if i % 6 == 1 { 0.2 + 0.6 * r.f64() } else { (2f64.ln() + r.f64() * (200f64.ln() - 2f64.ln())).exp() };
            let trend = (r.f64() - 0.5) * 0.002;
            let base_price = 5.0 + 50.0 * r.f64();
            let mut price = Vec::with_capacity(len);
            let mut promo = Vec::with_capacity(len);
            let mut y = Vec::with_capacity(len);
            let mut cut: f64 = 1.0;
            for t in 0..len {
                if r.chance(0.02) {
                    cut = if cut < 1.0 { 1.0 } else { 0.85 };
                }
                let p = if r.chance(0.06) { 1.0 } else { 0.0 };
                let d = start + chrono::Days::new(t as u64);
                let mean = level
                    * week[d.weekday().num_days_from_monday() as usize]
                    * (1.0 + trend * t as f64).max(0.1)
                    * (1.0 + 0.6 * p)
                    * cut.powf(-2.0);
                y.push(r.poisson(mean) as f64);
                price.push(base_price * cut);
                promo.push(p);
            }
            Product { y, price, promo, start, short }
        })
        .collect()
}

fn test_opts() -> GlobalOptions {
    GlobalOptions { trees: 80, max_rows: 60_000, ..GlobalOptions::daily() }
}

/// The panel and a model fitted on its training parts, shared by the tests.
fn fitted() -> &'static (Vec<Product>, GlobalModel, f64) {
    &fitted_with_holdout().0
}

/// Panel, model, fit seconds; and the calibration holdouts.
type Fitted = ((Vec<Product>, GlobalModel, f64), Vec<Option<Holdout>>);

fn fitted_with_holdout() -> &'static Fitted {
    static F: OnceLock<Fitted> = OnceLock::new();
    F.get_or_init(|| {
        let p = panel(300, 7);
        let inputs: Vec<SeriesInput> = p.iter().map(Product::train).collect();
        let t = Instant::now();
        let (m, ho) = GlobalModel::fit_with_holdout(&inputs, &test_opts(), &AtomicBool::new(false)).unwrap();
        let secs = t.elapsed().as_secs_f64();
        ((p, m, secs), ho)
    })
}

fn mase(test: &[f64], point: &[f64], train: &[f64]) -> f64 {
    test.iter().zip(point).map(|(a, p)| (a - p).abs()).sum::<f64>() / test.len() as f64 / metrics::naive_scale(train, 7)
}

#[test]
fn beats_seasonal_naive_on_short_histories_and_covers_as_promised() {
    let (p, m, secs) = fitted();
    let snaive_opts = Options {
        horizon: H,
        season_lengths: Some(vec![7]),
        candidates: vec![7],
        detect_seasons: false,
        levels: vec![80.0, 95.0],
    };
    let (mut g, mut s, mut gl, mut sl, mut k_short, mut k_long) = (0.0, 0.0, 0.0, 0.0, 0, 0);
    let mut inside = [0usize; 2];
    let mut steps = 0;
    for prod in p {
        let train = prod.train();
        let scale = metrics::naive_scale(train.y, 7);
        let f = m.forecast(&train, H, &[80.0, 95.0]).unwrap();
        assert_eq!(f.model, "global_gbm");
        for (k, iv) in f.intervals.iter().enumerate() {
            inside[k] +=
                prod.test().iter().enumerate().filter(|(i, a)| iv.lower[*i] <= **a && **a <= iv.upper[*i]).count();
            assert!(iv
                .lower
                .iter()
                .zip(&f.point)
                .zip(&iv.upper)
                .all(|((l, p), u)| l <= u && *l >= 0.0 && l <= &(p + 1e-9) && &(p - 1e-9) <= u));
        }
        steps += H;
        if scale.is_nan() || scale <= 0.0 {
            continue;
        }
        let sn = forecast(train.y, Model::SeasonalNaive, &snaive_opts).unwrap();
        let (eg, es) = (mase(prod.test(), &f.point, train.y), mase(prod.test(), &sn.point, train.y));
        if prod.short {
            (g, s, k_short) = (g + eg, s + es, k_short + 1);
        } else {
            (gl, sl, k_long) = (gl + eg, sl + es, k_long + 1);
        }
    }
    let (g, s, gl, sl) = (g / k_short as f64, s / k_short as f64, gl / k_long as f64, sl / k_long as f64);
    let cov = [inside[0] as f64 / steps as f64, inside[1] as f64 / steps as f64];
    eprintln!(
        "fit {secs:.1}s, {} rows; short-history MASE global {g:.3} vs seasonal naive {s:.3} ({k_short} series); long {gl:.3} vs {sl:.3} ({k_long}); coverage 80%: {:.3}, 95%: {:.3}; calibration holdout MASE {:.3} vs {:.3}",
        m.info.training_rows, cov[0], cov[1], m.info.holdout_mase, m.info.holdout_mase_seasonal_naive
    );
    assert!(g < 0.8 * s, "short histories: global {g} vs seasonal naive {s}");
    assert!(gl < sl, "long histories: global {gl} vs seasonal naive {sl}");
    assert!((cov[0] - 0.80).abs() < 0.07, "80% interval covers {}", cov[0]);
    assert!((cov[1] - 0.95).abs() < 0.04, "95% interval covers {}", cov[1]);
    assert!(m.info.holdout_mase < m.info.holdout_mase_seasonal_naive);
    assert_eq!(m.tables.len(), 2, "young and mature series each get a residual table");
}

#[test]
fn learns_the_promotion_lift_and_uses_known_future_promotions() {
    let (p, m, _) = fitted();
    // A long, steady product: a promotion on the first forecast day raises that day.
    let prod = p.iter().find(|q| !q.short && q.y.iter().sum::<f64>() / q.y.len() as f64 > 50.0).unwrap();
    let n = prod.y.len() - H;
    let mut promo = prod.promo[..n].to_vec();
    let mut with = promo.clone();
    promo.push(0.0);
    with.push(1.0);
    let base = SeriesInput { y: &prod.y[..n], start: prod.start, price: Some(&prod.price[..n]), promo: Some(&promo) };
    let lifted = SeriesInput { promo: Some(&with), ..base };
    let (a, b) = (m.forecast(&base, 3, &[]).unwrap().point, m.forecast(&lifted, 3, &[]).unwrap().point);
    assert!(b[0] > 1.3 * a[0], "no promotion {} vs promotion {}", a[0], b[0]);
}

#[test]
fn serialization_round_trips_exactly() {
    let (p, m, _) = fitted();
    let bytes = m.to_bytes();
    let back = GlobalModel::from_bytes(&bytes).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    assert_eq!(back.spec, m.spec);
    assert_eq!(back.trees, m.trees);
    for prod in p.iter().step_by(17) {
        assert_eq!(
            back.forecast(&prod.train(), H, &[50.0, 99.0]).unwrap(),
            m.forecast(&prod.train(), H, &[50.0, 99.0]).unwrap()
        );
    }
    eprintln!("serialized model: {} bytes", bytes.len());
}

#[test]
fn garbage_bytes_are_refused_with_an_error() {
    let (_, m, _) = fitted();
    let good = m.to_bytes();
    let mut r = Rng::new(3);
    let mut cases: Vec<Vec<u8>> = vec![
        vec![],
        b"C24GLOB\0".to_vec(),
        b"{\"trees\": []}".to_vec(),
        good[..good.len() / 2].to_vec(),
        good[..good.len() - 1].to_vec(),
    ];
    cases.push((0..5000).map(|_| r.next_u64() as u8).collect());
    for _ in 0..20 {
        let mut b = good.clone();
        let k = 8 + (r.next_u64() as usize % (b.len() - 8));
        b[k] ^= 1 << (r.next_u64() % 8);
        cases.push(b);
    }
    let mut wrong_version = good.clone();
    wrong_version[8] = 9;
    cases.push(wrong_version);
    for (k, c) in cases.iter().enumerate() {
        let e = GlobalModel::from_bytes(c).expect_err(&format!("case {k} accepted"));
        assert_eq!(e.argument, "model");
    }
    // Structurally bad content behind a valid checksum is refused too (child index
    // pointing backwards would loop forever otherwise).
    let mut bad = m.clone();
    let internal = bad.trees[0].iter().position(|n| n.feature != LEAF).unwrap();
    bad.trees[0][internal].left = 0;
    assert!(GlobalModel::from_bytes(&bad.to_bytes()).unwrap_err().message.contains("bad tree node"));
}

#[test]
fn all_zero_series_forecast_zeros() {
    let (_, m, _) = fitted();
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let f = m.forecast(&SeriesInput::new(&[0.0; 40], start), 5, &[95.0]).unwrap();
    assert_eq!(f.point, vec![0.0; 5]);
    assert_eq!(f.intervals[0].upper, vec![0.0; 5]);
    // A panel with all-zero members still trains; they contribute no rows.
    let y: Vec<Vec<f64>> = (0..40)
        .map(|i| if i % 2 == 0 { vec![0.0; 60] } else { (0..60).map(|t| ((t * 7 + i) % 5) as f64).collect() })
        .collect();
    let inputs: Vec<SeriesInput> = y.iter().map(|v| SeriesInput::new(v, start)).collect();
    let small =
        GlobalModel::fit(&inputs, &GlobalOptions { trees: 5, ..GlobalOptions::daily() }, &AtomicBool::new(false))
            .unwrap();
    assert_eq!(small.forecast(&inputs[0], 3, &[80.0]).unwrap().point, vec![0.0; 3]);
    assert!(small.info.training_rows <= 20 * 59);
}

#[test]
fn cancel_stops_the_fit_promptly() {
    let p = panel(300, 8);
    let inputs: Vec<SeriesInput> = p.iter().map(Product::train).collect();
    let cancel = AtomicBool::new(true);
    let t = Instant::now();
    let e = GlobalModel::fit(&inputs, &test_opts(), &cancel).unwrap_err();
    assert_eq!(e.argument, "cancel");
    assert!(t.elapsed().as_secs_f64() < 2.0, "{:?}", t.elapsed());
    // Cancelled midway from another thread.
    let cancel = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(std::time::Duration::from_millis(300));
            cancel.store(true, Ordering::Relaxed);
        });
        let t = Instant::now();
        let r = GlobalModel::fit(&inputs, &GlobalOptions { trees: 100_000, ..test_opts() }, &cancel);
        assert_eq!(r.unwrap_err().argument, "cancel");
        assert!(t.elapsed().as_secs_f64() < 5.0, "{:?}", t.elapsed());
    });
}

#[test]
fn deterministic_for_a_seed_whatever_the_thread_count() {
    let p = panel(60, 9);
    let inputs: Vec<SeriesInput> = p.iter().map(Product::train).collect();
    let fit = |threads: usize, seed: u64| {
        GlobalModel::fit(
            &inputs,
            &GlobalOptions { trees: 10, threads, seed, ..GlobalOptions::daily() },
            &AtomicBool::new(false),
        )
        .unwrap()
        .to_bytes()
    };
    let a = fit(1, 1);
    assert_eq!(a, fit(1, 1));
    assert_eq!(a, fit(3, 1));
    assert_ne!(a, fit(1, 2));
}

#[test]
fn binned_training_trees_agree_with_raw_thresholds() {
    let p = panel(30, 10);
    let inputs: Vec<SeriesInput> = p.iter().map(Product::train).collect();
    let lens: Vec<usize> = inputs.iter().map(|s| s.y.len()).collect();
    let opts = GlobalOptions { trees: 5, max_rows: 2000, ..GlobalOptions::daily() };
    let spec = Spec {
        grain: opts.grain,
        lags: opts.lags.clone(),
        windows: opts.windows.clone(),
        season: opts.season,
        scale_window: opts.scale_window,
    };
    let mat = build_matrix(&inputs, &lens, &spec, &opts, &AtomicBool::new(false)).unwrap();
    let mut b = Booster { m: &mat, opts: &opts, grad: mat.target.iter().map(|t| -t).collect() };
    let mut rows: Vec<u32> = (0..mat.target.len() as u32).collect();
    let tree = b.tree(&mut rows);
    assert!(tree.len() > 3);
    b.grad.clear();
    let sampled = sample_rows(&inputs, &lens, &spec, opts.max_rows, opts.seed);
    assert_eq!(sampled.len(), mat.target.len());
    let mut x = vec![0.0; spec.n_features()];
    for (k, &(i, t)) in sampled.iter().enumerate() {
        let s = &inputs[i as usize];
        let scale = scale_at(s.y, t as usize, spec.scale_window);
        spec.features(s.y, t as usize, scale, s.start, &Exo::new(s), &mut x);
        assert_eq!(tree_value(&tree, &x), tree_value_binned(&tree, &mat.bins[k * mat.nf..(k + 1) * mat.nf]), "row {k}");
    }
}

#[test]
fn helpers_known_answers() {
    // Scale: mean |y| of the last w before t, else of all before t.
    let y = [4.0, 0.0, 2.0, 0.0, 0.0, 6.0];
    assert_eq!(scale_at(&y, 3, 2), 1.0);
    assert_eq!(scale_at(&y, 5, 2), 1.2); // last two are zero → mean of 4, 0, 2, 0, 0
    assert_eq!(scale_at(&y, 0, 2), 0.0);
    // Noise unit: mean |seasonal difference| (lag 1 when too short for the season).
    assert_eq!(noise_unit(&[1.0, 3.0, 2.0], Some(7), 10, 9.0), 1.5);
    assert_eq!(noise_unit(&[5.0, 5.0], None, 10, 9.0), 9.0);
    let q = quantile_grid((0..=200).map(f64::from).collect());
    assert_eq!(q.len(), QGRID);
    assert_eq!((q[0], q[100], q[200]), (0.0, 100.0, 200.0));
    let t = ResidualTable { min_age: 0, series: 1, steps: vec![q] };
    assert_eq!(t.quantile(5, 0.025), 5.0);
    assert!((t.quantile(0, 0.0125) - 2.5).abs() < 1e-9);
    // Exogenous values persist past their end; price is a ratio to the mean known price.
    let s = SeriesInput {
        y: &[1.0, 1.0],
        start: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        price: Some(&[10.0, 30.0, 10.0]),
        promo: Some(&[0.0, 1.0]),
    };
    let e = Exo::new(&s);
    assert_eq!((e.price_ratio(2), e.price_ratio(9)), (0.5, 0.5));
    assert_eq!(Exo::at(e.promo, 5), 1.0);
}

#[test]
fn bad_arguments_name_themselves() {
    let (_, m, _) = fitted();
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let y = [1.0, 2.0, 3.0];
    assert_eq!(m.forecast(&SeriesInput::new(&y, start), 0, &[]).unwrap_err().argument, "horizon");
    assert_eq!(m.forecast(&SeriesInput::new(&y, start), 3, &[100.0]).unwrap_err().argument, "levels");
    assert_eq!(
        m.forecast(&SeriesInput::new(&[1.0, f64::NAN], start), 3, &[]).unwrap_err().to_string(),
        "y: element 2 is NaN"
    );
    let short_price = SeriesInput { price: Some(&[1.0]), ..SeriesInput::new(&y, start) };
    assert_eq!(m.forecast(&short_price, 3, &[]).unwrap_err().argument, "price");
    let never = AtomicBool::new(false);
    assert_eq!(GlobalModel::fit(&[], &GlobalOptions::daily(), &never).unwrap_err().argument, "series");
    assert_eq!(
        GlobalModel::fit(
            &[SeriesInput::new(&y, start)],
            &GlobalOptions { bins: 300, ..GlobalOptions::daily() },
            &never
        )
        .unwrap_err()
        .argument,
        "bins"
    );
    let one = m.forecast(&SeriesInput::new(&[3.0], start), 2, &[80.0]).unwrap();
    assert!(one.point.iter().all(|v| v.is_finite() && *v >= 0.0));
}

#[test]
fn per_series_choice_between_global_and_auto() {
    let ((p, m, _), holdouts) = fitted_with_holdout();
    // Every 10th product (a third of them short), to keep per-series Auto affordable.
    let picked: Vec<&Product> = p.iter().step_by(10).collect();
    let inputs: Vec<SeriesInput> = picked.iter().map(|q| q.train()).collect();
    let ho: Vec<Option<Holdout>> = (0..p.len()).step_by(10).map(|i| holdouts[i].clone()).collect();
    let o = Options {
        horizon: H,
        season_lengths: Some(vec![7]),
        candidates: vec![7],
        detect_seasons: false,
        levels: vec![80.0],
    };
    let choices = choose(&inputs, &ho, Model::Auto, &o, Some(7), 2, &AtomicBool::new(false)).unwrap();
    assert_eq!(choices.len(), picked.len());
    let (mut chosen, mut local, mut global, mut k) = (0.0, 0.0, 0.0, 0);
    let mut short_global = (0, 0);
    for ((q, c), s) in picked.iter().zip(&choices).zip(&inputs) {
        assert_eq!(c.global, c.global_mase < c.local_mase, "{c:?}");
        let g = m.forecast(s, H, &[]).unwrap().point;
        let l = forecast(s.y, Model::Auto, &o).unwrap().point;
        let d = metrics::naive_scale(s.y, 7);
        if d.is_nan() || d <= 0.0 {
            continue;
        }
        let (eg, el) = (mase(q.test(), &g, s.y), mase(q.test(), &l, s.y));
        (chosen, local, global, k) = (chosen + if c.global { eg } else { el }, local + el, global + eg, k + 1);
        if q.short {
            short_global = (short_global.0 + c.global as usize, short_global.1 + 1);
        }
    }
    let (chosen, local, global) = (chosen / k as f64, local / k as f64, global / k as f64);
    eprintln!("test-window MASE over {k} series: chosen {chosen:.3}, auto only {local:.3}, global only {global:.3}; global chosen for {}/{} short series, {}/{} overall",
        short_global.0, short_global.1, choices.iter().filter(|c| c.global).count(), choices.len());
    assert!(chosen < local, "chosen {chosen} vs auto {local}");
    assert!(short_global.0 * 10 >= short_global.1 * 7, "global for {short_global:?} short series");
}

#[test]
fn weekly_and_monthly_grains() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let spec = |grain| Spec { grain, lags: vec![1], windows: vec![], season: None, scale_window: 4 };
    assert_eq!(spec(Grain::Day).date(d(2024, 2, 28), 2), Some(d(2024, 3, 1)));
    assert_eq!(spec(Grain::Week).date(d(2024, 1, 1), 2), Some(d(2024, 1, 15)));
    assert_eq!(spec(Grain::Month).date(d(2024, 1, 31), 1), Some(d(2024, 2, 29)));
    assert_eq!(spec(Grain::Day).date(d(2024, 1, 1), usize::MAX), None);
    // Monthly panel with a shared yearly shape: forecasts follow it.
    let shape = [0.7, 0.7, 0.9, 1.0, 1.0, 1.1, 1.2, 1.2, 1.0, 0.9, 1.1, 1.6];
    let mut r = Rng::new(11);
    let ys: Vec<Vec<f64>> = (0..60)
        .map(|i| {
            let level = 50.0 + 10.0 * i as f64;
            (0..48).map(|t| level * shape[t % 12] * (1.0 + 0.05 * r.normal())).collect()
        })
        .collect();
    let inputs: Vec<SeriesInput> = ys.iter().map(|y| SeriesInput::new(y, d(2020, 1, 1))).collect();
    let m = GlobalModel::fit(
        &inputs,
        &GlobalOptions { trees: 60, min_leaf: 10, ..GlobalOptions::monthly() },
        &AtomicBool::new(false),
    )
    .unwrap();
    let f = m.forecast(&inputs[5], 12, &[90.0]).unwrap();
    let level = 100.0;
    for (k, p) in f.point.iter().enumerate() {
        assert!((p / (level * shape[k]) - 1.0).abs() < 0.2, "month {}: {p} vs {}", k + 1, level * shape[k]);
    }
    assert!(f.point[11] > f.point[0] * 1.6, "December above January: {:?}", f.point);
}
