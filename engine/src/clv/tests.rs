use super::*;

fn customer_lifetime_value(data: &[RepeatSummary], opts: &ClvOptions) -> Result<ClvFit, ArgError> {
    super::customer_lifetime_value(data, opts, &AtomicBool::new(false), &AtomicUsize::new(0))
}

fn evaluate(calibration: &[RepeatSummary], holdout_days: f64, actual: &[i64]) -> Result<Evaluation, ArgError> {
    super::evaluate(calibration, holdout_days, actual, &AtomicBool::new(false), &AtomicUsize::new(0))
}

/// `testdata/cdnow.csv`: the CDNOW sample of Fader, Hardie & Lee (2,357 customers who first
/// bought in Q1 1997), as shipped by the Python `lifetimes` package 0.11.3
/// (`cdnow_customers_summary_with_transactions.csv`: x, t_x, T in weeks to 1997-09-30, zbar
/// = mean repeat transaction value), plus `x_holdout`, each customer's distinct purchase
/// days from 1997-10-01 to 1998-06-30 (39 weeks), counted from the package's
/// `CDNOW_sample.txt`.
fn cdnow() -> (Vec<RepeatSummary>, Vec<i64>) {
    include_str!("testdata/cdnow.csv")
        .lines()
        .skip(1)
        .map(|l| {
            let v: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
            (RepeatSummary { x: v[0] as i64, t_x: v[1], age: v[2], monetary: v[3] }, v[4] as i64)
        })
        .unzip()
}

/// The same customers with times in days.
fn cdnow_days() -> Vec<RepeatSummary> {
    cdnow().0.iter().map(|c| RepeatSummary { t_x: c.t_x * 7.0, age: c.age * 7.0, ..*c }).collect()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(rel(got, want) < tol, "{what}: got {got}, want {want} (relative error {:.2e})", rel(got, want));
}

// Reference numbers from `lifetimes` 0.11.3 (scipy 1.x) on testdata/cdnow.csv:
// `BetaGeoFitter().fit(x, t_x, T)`, `GammaGammaFitter().fit(x[x>0], zbar[x>0])`, and their
// `conditional_expected_number_of_purchases_up_to_time(39, ...)`,
// `conditional_probability_alive`, `conditional_expected_average_profit`,
// `customer_lifetime_value(bg, ..., time=12, discount_rate=0.01, freq='W')`.
// They agree with the published values: BG/NBD r = 0.243, α = 4.414, a = 0.793, b = 2.426,
// LL = −9582.4; Gamma-Gamma p = 6.25, q = 3.74, γ = 15.44.
const LIFETIMES_BGNBD: [f64; 4] = [0.24259292827982182, 4.413532265271819, 0.7928859664406882, 2.42575238262586];
const LIFETIMES_BGNBD_LL: f64 = -9582.425560567368;
const LIFETIMES_E39_FIRST: [f64; 4] = [1.2259104241743999, 0.20325062425619006, 0.1947808579394776, 0.1947808579394776];
const LIFETIMES_E39_SUM: f64 = 1653.423283330681;
const LIFETIMES_PALIVE_FIRST: [f64; 4] = [0.726609136799059, 0.2122273880722099, 1.0, 1.0];
const LIFETIMES_GG: [f64; 3] = [6.248802496075312, 3.744588460923114, 15.44774806492914];
const LIFETIMES_EM_FIRST: [f64; 4] = [24.658616189236472, 18.911479869929103, 35.17100215250665, 35.17100215250665];
const LIFETIMES_CLV_FIRST: [f64; 4] = [36.27849576362541, 4.637466328569604, 8.344093121809983, 8.344093121809983];
const LIFETIMES_CLV_SUM: f64 = 71509.89931936466;
// Holdout means by calibration repeat purchases 0..=6, 7+: lifetimes' prediction and the data.
const LIFETIMES_HOLDOUT_PREDICTED: [f64; 8] =
    [0.225086, 0.523125, 1.044137, 1.520260, 2.163905, 2.653913, 3.504090, 6.157412];
const HOLDOUT_ACTUAL: [f64; 8] = [0.236712, 0.697039, 1.392523, 1.56, 2.532258, 2.947368, 3.862069, 6.359375];

#[test]
fn bgnbd_on_cdnow_matches_the_paper_and_lifetimes() {
    let (data, _) = cdnow();
    let m = BgNbd::fit(&data).unwrap();
    for (name, got, want) in
        [("r", m.r, 0), ("alpha", m.alpha, 1), ("a", m.a, 2), ("b", m.b, 3)].map(|(n, g, i)| (n, g, LIFETIMES_BGNBD[i]))
    {
        assert_close(name, got, want, 0.01);
    }
    assert!((m.log_likelihood - LIFETIMES_BGNBD_LL).abs() < 0.01, "LL {}", m.log_likelihood);
    for i in 0..4 {
        assert_close("E[X(39)]", m.expected_purchases(&data[i], 39.0), LIFETIMES_E39_FIRST[i], 1e-3);
        assert_close("P(alive)", m.probability_alive(&data[i]), LIFETIMES_PALIVE_FIRST[i], 1e-3);
    }
    let total: f64 = data.iter().map(|c| m.expected_purchases(c, 39.0)).sum();
    assert_close("sum E[X(39)]", total, LIFETIMES_E39_SUM, 1e-3);
}

#[test]
fn gamma_gamma_on_cdnow_matches_the_paper_and_lifetimes() {
    let (data, _) = cdnow();
    let m = GammaGamma::fit(&data).unwrap();
    assert_eq!(m.customers, 946);
    assert_close("p", m.p, LIFETIMES_GG[0], 0.01);
    assert_close("q", m.q, LIFETIMES_GG[1], 0.01);
    assert_close("gamma", m.gamma, LIFETIMES_GG[2], 0.01);
    for i in 0..4 {
        assert_close("E[M]", m.expected_order_value(&data[i]), LIFETIMES_EM_FIRST[i], 1e-3);
    }
    // One-order customers get the population mean p·γ/(q − 1).
    let x0 = RepeatSummary { x: 0, t_x: 0.0, age: 30.0, monetary: 0.0 };
    assert!((m.expected_order_value(&x0) - m.p * m.gamma / (m.q - 1.0)).abs() < 1e-12);
}

#[test]
fn clv_in_days_matches_lifetimes_monthly_discounting() {
    let data = cdnow_days();
    // lifetimes: 12 months of 4.345 weeks at 1 % a month; here 12 months of 30.4375 days
    // at the same effective annual rate, so the month ends differ by 0.07 %.
    let opts = ClvOptions { horizon_days: 365.25, discount_rate: 1.01f64.powi(12) - 1.0, margin: 1.0 };
    let fit = customer_lifetime_value(&data, &opts).unwrap();
    assert_close("alpha in days", fit.bgnbd.alpha, LIFETIMES_BGNBD[1] * 7.0, 0.01);
    assert_close("r (unit-free)", fit.bgnbd.r, LIFETIMES_BGNBD[0], 0.01);
    for i in 0..4 {
        assert_close("CLV", fit.customers[i].clv, LIFETIMES_CLV_FIRST[i], 0.005);
        assert_close("P(alive)", fit.customers[i].probability_alive, LIFETIMES_PALIVE_FIRST[i], 1e-3);
    }
    let total: f64 = fit.customers.iter().map(|c| c.clv).sum();
    assert_close("sum CLV", total, LIFETIMES_CLV_SUM, 0.005);
    // Margin scales linearly; no discount raises value; value grows with the horizon.
    let half = customer_lifetime_value(&data, &ClvOptions { margin: 0.5, ..opts }).unwrap();
    assert!((half.customers[0].clv - 0.5 * fit.customers[0].clv).abs() < 1e-9);
    let undiscounted = customer_lifetime_value(&data, &ClvOptions { discount_rate: 0.0, ..opts }).unwrap();
    let c = &undiscounted.customers[0];
    assert!((c.clv - c.expected_purchases * c.expected_order_value).abs() < 1e-9);
    assert!(c.clv > fit.customers[0].clv);
    let c = &fit.customers[2]; // x = 0
    assert_eq!(c.probability_alive, 1.0);
    assert!(c.expected_purchases > 0.0 && c.clv > 0.0);
}

#[test]
fn holdout_evaluation_on_cdnow() {
    let (data, actual) = cdnow();
    let e = evaluate(&data, 39.0, &actual).unwrap();
    assert_close("predicted total", e.predicted_total, LIFETIMES_E39_SUM, 1e-3);
    assert_eq!(e.actual_total, 1882.0);
    assert_eq!(e.buckets.len(), 8);
    for (i, b) in e.buckets.iter().enumerate() {
        assert_eq!(b.repeat_purchases, i as i64);
        assert_close("bucket predicted", b.mean_predicted, LIFETIMES_HOLDOUT_PREDICTED[i], 1e-3);
        assert!((b.mean_actual - HOLDOUT_ACTUAL[i]).abs() < 1e-6, "bucket {i} actual {}", b.mean_actual);
    }
    assert_eq!(e.buckets.iter().map(|b| b.customers).sum::<usize>(), data.len());
}

#[test]
fn from_customer_counts_repeats_and_zeroes_single_day_recency() {
    let c = CustomerSummary {
        first_purchase: 100.0,
        last_purchase: 160.0,
        purchases: 3,
        total_amount: 90.0,
        mean_amount: 30.0,
        observation_end: 200.0,
    };
    assert_eq!(RepeatSummary::from_customer(&c), RepeatSummary { x: 2, t_x: 60.0, age: 100.0, monetary: 30.0 });
    // Two orders at different hours of one purchase day, counted as one purchase.
    let one = CustomerSummary { last_purchase: 100.3, purchases: 1, ..c };
    assert_eq!(RepeatSummary::from_customer(&one).t_x, 0.0);
}

#[test]
fn expected_purchases_behave() {
    let m = BgNbd { r: 0.25, alpha: 30.0, a: 0.8, b: 2.4, log_likelihood: 0.0 };
    let c = RepeatSummary { x: 3, t_x: 200.0, age: 250.0, monetary: 10.0 };
    assert_eq!(m.expected_purchases(&c, 0.0), 0.0);
    let mut last = 0.0;
    for t in [1.0, 30.0, 365.0, 3650.0] {
        let e = m.expected_purchases(&c, t);
        assert!(e > last, "increasing in t: {t} -> {e}");
        last = e;
    }
    // Recent activity means alive and more purchases than the same history long ago.
    let lapsed = RepeatSummary { t_x: 20.0, ..c };
    assert!(m.probability_alive(&c) > m.probability_alive(&lapsed));
    assert!(m.expected_purchases(&c, 365.0) > m.expected_purchases(&lapsed, 365.0));
    // Short horizon: about P(alive) · rate · t, with the posterior rate (r + x)/(α + T).
    let t = 0.01;
    let approx = m.probability_alive(&c) * (m.r + 3.0) / (m.alpha + c.age) * t;
    assert_close("small t", m.expected_purchases(&c, t), approx, 1e-3);
}

#[test]
fn errors_name_the_argument_and_value() {
    let ok = RepeatSummary { x: 1, t_x: 5.0, age: 10.0, monetary: 20.0 };
    let err = |d: &[RepeatSummary]| BgNbd::fit(d).unwrap_err().to_string();
    assert_eq!(err(&[]), "customers = (empty): at least one customer is needed");
    assert_eq!(err(&[ok, RepeatSummary { t_x: 11.0, ..ok }]), "customers[1].t_x = 11: must be between 0 and age (10)");
    assert_eq!(err(&[RepeatSummary { x: -1, ..ok }]), "customers[0].x = -1: must not be negative");
    assert_eq!(
        GammaGamma::fit(&[ok, RepeatSummary { monetary: f64::NAN, ..ok }]).unwrap_err().to_string(),
        "customers[1].monetary = NaN: must be a finite number"
    );
    let single = RepeatSummary { x: 0, t_x: 0.0, ..ok };
    assert_eq!(err(&[single]), "customers = 1 customers: none has a repeat purchase, so BG/NBD cannot be fitted");
    assert_eq!(
        GammaGamma::fit(&[single, RepeatSummary { monetary: -5.0, ..ok }]).unwrap_err().to_string(),
        "customers = 2 customers: none has a repeat purchase with a positive mean amount, so Gamma-Gamma cannot be fitted"
    );
    let opts = ClvOptions { horizon_days: 365.0, discount_rate: 0.1, margin: 1.0 };
    let clv_err = |o: ClvOptions| customer_lifetime_value(&[ok], &o).unwrap_err().to_string();
    assert_eq!(
        clv_err(ClvOptions { horizon_days: 0.0, ..opts }),
        "horizon_days = 0: must be above 0 and at most 36525"
    );
    assert_eq!(
        clv_err(ClvOptions { discount_rate: -0.1, ..opts }),
        "discount_rate = -0.1: must be a finite number, at least 0"
    );
    assert_eq!(clv_err(ClvOptions { margin: 1.5, ..opts }), "margin = 1.5: must be between 0 and 1");
    assert_eq!(
        evaluate(&[ok], 30.0, &[1, 2]).unwrap_err().to_string(),
        "actual = 2 counts: must have one count per customer (1)"
    );
    assert_eq!(evaluate(&[ok], 30.0, &[-1]).unwrap_err().to_string(), "actual[0] = -1: must not be negative");
    assert_eq!(
        evaluate(&[ok], f64::NAN, &[1]).unwrap_err().to_string(),
        "holdout_days = NaN: must be a finite number above 0"
    );
}

/// `copies` jittered copies of the CDNOW customers, times in days with fractions (so
/// hardly any two customers share (x, t_x, T) and the fit has the most work).
fn cdnow_many(copies: usize) -> Vec<RepeatSummary> {
    let base = cdnow_days();
    let mut rng = crate::rng::Rng::new(5);
    (0..copies)
        .flat_map(|_| base.clone())
        .map(|c| {
            let shift = rng.f64();
            RepeatSummary { t_x: if c.x > 0 { c.t_x + shift } else { 0.0 }, age: c.age + shift, ..c }
        })
        .collect()
}

#[test]
fn a_set_cancel_flag_returns_the_cancel_error_at_once() {
    let data = cdnow_many(20);
    let (cancel, done) = (AtomicBool::new(true), AtomicUsize::new(0));
    let opts = ClvOptions { horizon_days: 365.0, discount_rate: 0.1, margin: 1.0 };
    let started = std::time::Instant::now();
    let err = super::customer_lifetime_value(&data, &opts, &cancel, &done).unwrap_err();
    assert!(err.is_cancelled() && err.to_string() == "cancel = true: cancelled", "{err}");
    let actual = vec![0; data.len()];
    assert!(super::evaluate(&data, 30.0, &actual, &cancel, &done).unwrap_err().is_cancelled());
    assert!(BgNbd::fit_with_cancel(&data, &cancel).unwrap_err().is_cancelled());
    assert!(GammaGamma::fit_with_cancel(&data, &cancel).unwrap_err().is_cancelled());
    assert!(started.elapsed().as_millis() < 20, "{:?}", started.elapsed());
    assert_eq!(done.load(Ordering::Relaxed), 0);
}

#[test]
fn a_cancel_flag_set_during_a_large_fit_stops_it_promptly() {
    let data = cdnow_many(100); // 235,700 customers
    let opts = ClvOptions { horizon_days: 365.0, discount_rate: 0.1, margin: 1.0 };
    let actual = vec![1; data.len()];
    for which in ["clv", "evaluate"] {
        let (cancel, done) = (AtomicBool::new(false), AtomicUsize::new(0));
        std::thread::scope(|s| {
            let fit = s.spawn(|| {
                let r = match which {
                    "clv" => super::customer_lifetime_value(&data, &opts, &cancel, &done).map(|_| ()),
                    _ => super::evaluate(&data, 30.0, &actual, &cancel, &done).map(|_| ()),
                };
                (r, std::time::Instant::now())
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            cancel.store(true, Ordering::Relaxed);
            let set = std::time::Instant::now();
            let (r, returned) = fit.join().unwrap();
            let latency = returned.saturating_duration_since(set);
            assert!(r.unwrap_err().is_cancelled(), "{which}");
            assert!(latency.as_millis() < 500, "{which}: returned {latency:?} after the flag was set");
        });
    }
}

#[test]
fn done_counts_every_customer_forecast() {
    let data = cdnow_days();
    let (cancel, done) = (AtomicBool::new(false), AtomicUsize::new(0));
    let opts = ClvOptions { horizon_days: 365.0, discount_rate: 0.1, margin: 1.0 };
    super::customer_lifetime_value(&data, &opts, &cancel, &done).unwrap();
    assert_eq!(done.load(Ordering::Relaxed), data.len());
}
