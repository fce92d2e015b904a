use super::*;
use crate::rng::Rng;

fn opts(h: usize, seasons: Option<Vec<usize>>) -> Options {
    Options {
        horizon: h,
        season_lengths: seasons,
        candidates: vec![7, 365],
        detect_seasons: true,
        levels: vec![80.0, 95.0],
    }
}

/// Daily-like series: level + trend + weekly pattern + noise.
fn synthetic(seed: u64, n: usize, trend: f64, noise: f64) -> Vec<f64> {
    let mut r = Rng::new(seed);
    let week = [1.3, 1.1, 1.0, 0.95, 0.85, 0.8, 1.0];
    (0..n).map(|t| (50.0 + trend * t as f64) * week[t % 7] + noise * r.normal()).collect()
}

#[test]
fn seasonal_naive_known_answer() {
    let y: Vec<f64> = (1..=14).map(f64::from).collect();
    let f = forecast(&y, Model::SeasonalNaive, &opts(10, Some(vec![7]))).unwrap();
    assert_eq!(f.point, vec![8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 8.0, 9.0, 10.0]);
    assert_eq!(f.model, "seasonal_naive(7)");
    // Every seasonal difference is 7: sigma 7, one season ahead se 7, two seasons 7·√2.
    let z95 = 1.959_963_984_540_054;
    let upper = &f.intervals[1].upper;
    assert!((upper[0] - (8.0 + z95 * 7.0)).abs() < 1e-9);
    assert!((upper[7] - (8.0 + z95 * 7.0 * 2f64.sqrt())).abs() < 1e-9);
    assert_eq!(f.intervals[0].level, 80.0);
}

#[test]
fn naive_without_season() {
    let y = [3.0, 5.0, 4.0, 6.0];
    let f = forecast(&y, Model::SeasonalNaive, &opts(3, Some(vec![]))).unwrap();
    assert_eq!(f.point, vec![6.0, 6.0, 6.0]);
    assert_eq!(f.model, "naive");
}

#[test]
fn tsb_on_regular_intermittent_demand() {
    let y: Vec<f64> = (0..60).map(|t| if t % 3 == 2 { 3.0 } else { 0.0 }).collect();
    let f = forecast(&y, Model::Croston, &opts(5, Some(vec![]))).unwrap();
    assert_eq!(f.model, "croston_tsb");
    for p in &f.point {
        assert!((p - 1.0).abs() < 0.1, "{p}");
    }
    assert!(f.intervals[1].lower.iter().all(|v| *v >= 0.0), "non-negative history keeps bounds at 0 or above");
}

#[test]
fn ets_follows_a_linear_trend() {
    let y: Vec<f64> = (0..60).map(|t| 10.0 + 2.0 * t as f64).collect();
    let f = forecast(&y, Model::Ets, &opts(5, Some(vec![]))).unwrap();
    assert_eq!(f.model, "ets");
    for (h, p) in f.point.iter().enumerate() {
        let truth = 10.0 + 2.0 * (60 + h) as f64;
        assert!((p - truth).abs() / truth < 0.01, "step {h}: {p} vs {truth}");
    }
}

#[test]
fn mstl_beats_seasonal_naive_on_seasonal_trended_data_and_auto_beats_it_on_average() {
    let o = opts(28, Some(vec![7]));
    let (mut mstl_mase, mut snaive_mase, mut auto_mase) = (0.0, 0.0, 0.0);
    for seed in 0..12 {
        let y = synthetic(seed, 400, 0.05, 4.0);
        let (train, test) = y.split_at(372);
        let scale = metrics::naive_scale(train, 7);
        let mae = |m: Model| {
            let f = forecast(train, m, &o).unwrap();
            f.point.iter().zip(test).map(|(p, a)| (p - a).abs()).sum::<f64>() / 28.0 / scale
        };
        mstl_mase += mae(Model::Mstl);
        snaive_mase += mae(Model::SeasonalNaive);
        auto_mase += mae(Model::Auto);
    }
    assert!(mstl_mase < snaive_mase, "mstl {mstl_mase} snaive {snaive_mase}");
    assert!(auto_mase < snaive_mase, "auto {auto_mase} snaive {snaive_mase}");
}

#[test]
fn auto_names_its_choice_and_detects_the_weekly_season() {
    let y = synthetic(3, 300, 0.0, 2.0);
    let f = forecast(&y, Model::Auto, &opts(14, None)).unwrap();
    assert!(f.model.starts_with("auto: "), "{}", f.model);
    assert_eq!(seasons::detect(&y, &[7, 365]), vec![7]);
    let noise: Vec<f64> = (0..300).scan(Rng::new(1), |r, _| Some(r.normal())).collect();
    assert!(seasons::detect(&noise, &[7, 12, 365]).is_empty());
    // A yearly cycle under growth, two years of days: both periods found.
    let mut r = Rng::new(4);
    let yearly: Vec<f64> = (0..730)
        .map(|t| {
            (100.0 + 0.1 * t as f64)
                * (1.0 + 0.3 * (std::f64::consts::TAU * t as f64 / 365.0).sin())
                * [1.2, 1.0, 1.0, 1.0, 0.9, 0.9, 1.1][t % 7]
                + 5.0 * r.normal()
        })
        .collect();
    assert_eq!(seasons::detect(&yearly, &[7, 365]), vec![7, 365]);
    // Growth alone is not a yearly season.
    let growth: Vec<f64> = (0..730).map(|t| 100.0 + 0.5 * t as f64 + 5.0 * r.normal()).collect();
    assert!(seasons::detect(&growth, &[365]).is_empty());
}

#[test]
fn intervals_cover_about_as_promised() {
    // Gaussian noise around a weekly pattern: the 95% interval of seasonal naive and of
    // MSTL should cover most of the holdout, the 80% one less.
    let mut inside = [0usize; 2];
    let mut total = 0;
    for seed in 10..30 {
        let y = synthetic(seed, 200, 0.0, 3.0);
        let (train, test) = y.split_at(186);
        let f = forecast(train, Model::Mstl, &opts(14, Some(vec![7]))).unwrap();
        for (k, iv) in f.intervals.iter().enumerate() {
            inside[k] += test.iter().enumerate().filter(|(i, a)| iv.lower[*i] <= **a && **a <= iv.upper[*i]).count();
        }
        total += test.len();
    }
    let cov80 = inside[0] as f64 / total as f64;
    let cov95 = inside[1] as f64 / total as f64;
    assert!(cov95 > 0.85 && cov95 >= cov80 && cov80 > 0.6, "80%: {cov80}, 95%: {cov95}");
}

#[test]
fn known_grain_uses_every_natural_season_the_history_covers() {
    let y = synthetic(8, 100, 0.0, 30.0); // too noisy for detection
    let mut o = opts(7, None);
    o.detect_seasons = false;
    assert_eq!(forecast(&y, Model::Mstl, &o).unwrap().model, "mstl(7)");
}

#[test]
fn backtest_drops_seasons_the_training_window_cannot_cover() {
    // Exactly two years of days: the final fit may use 365, the backtest origins cannot.
    let y = synthetic(9, 730, 0.01, 3.0);
    let mut o = opts(14, Some(vec![7, 365]));
    o.detect_seasons = false;
    let scores = backtest(&y, &[Model::Mstl], &o, 3).unwrap();
    assert_eq!((scores[0].model.as_str(), scores[0].origins), ("mstl(7)", 3));
    let f = forecast(&y, Model::Auto, &o).unwrap();
    assert!(!f.model.contains("too short"), "{}", f.model);
}

#[test]
fn constant_and_all_zero_series() {
    let f = forecast(&[0.0; 30], Model::Auto, &opts(3, None)).unwrap();
    assert_eq!(f.point, vec![0.0; 3]);
    assert_eq!(f.model, "constant (all values equal)");
    assert_eq!(f.intervals[1].upper, vec![0.0; 3]);
}

#[test]
fn negative_values_are_kept() {
    let y: Vec<f64> = (0..40).map(|t| -5.0 - 0.5 * t as f64).collect();
    let f = forecast(&y, Model::Ets, &opts(3, Some(vec![]))).unwrap();
    assert!(f.point.iter().all(|p| *p < -20.0), "{:?}", f.point);
}

#[test]
fn short_history_falls_back_and_says_so() {
    let y = [5.0, 7.0, 6.0, 8.0, 7.0, 9.0, 8.0, 10.0, 9.0, 11.0];
    let f = forecast(&y, Model::Mstl, &opts(3, Some(vec![7]))).unwrap();
    assert!(f.model.contains("mstl: no season to model") && f.model.contains("season [7] skipped"), "{}", f.model);
    let f = forecast(&y, Model::Auto, &opts(3, Some(vec![7]))).unwrap();
    assert!(f.model.starts_with("auto: "), "{}", f.model);
    let one = forecast(&[4.0], Model::Auto, &opts(2, None)).unwrap();
    assert_eq!(one.point, vec![4.0, 4.0]);
}

#[test]
fn bad_arguments_name_themselves() {
    let y = [1.0, 2.0, 3.0];
    assert_eq!(
        forecast(&y, Model::Ets, &opts(0, None)).unwrap_err().to_string(),
        "horizon: 0 is out of range: allowed 1 to 3660"
    );
    assert_eq!(forecast(&y, Model::Ets, &opts(100_000, None)).unwrap_err().argument, "horizon");
    let mut o = opts(3, None);
    o.levels = vec![95.0, 100.0];
    assert_eq!(
        forecast(&y, Model::Ets, &o).unwrap_err().to_string(),
        "levels: 100 is not a coverage level: each must lie strictly between 0 and 100"
    );
    o.levels = vec![80.0; MAX_LEVELS + 1];
    assert_eq!(forecast(&y, Model::Ets, &o).unwrap_err().to_string(), "levels: 21 levels asked for: at most 20");
    o.levels = vec![80.0; MAX_LEVELS];
    assert!(forecast(&y, Model::Ets, &o).is_ok());
    assert_eq!(forecast(&y, Model::Ets, &opts(3, Some(vec![0]))).unwrap_err().argument, "season_lengths");
    assert_eq!(Model::parse("prophet").unwrap_err().to_string(), "model: unknown model \"prophet\"");
    assert_eq!(Model::parse(" MSTL ").unwrap(), Model::Mstl);
    assert_eq!(clean_series(&[Some(1.0), None]).unwrap_err().to_string(), "y: element 2 is NULL");
    assert_eq!(clean_series(&[Some(f64::NAN)]).unwrap_err().to_string(), "y: element 1 is NaN");
    assert_eq!(clean_series(&[]).unwrap_err().to_string(), "y: is empty");
    assert!(forecast(&[], Model::Ets, &opts(3, None)).is_err());
}

#[test]
fn backtest_reports_every_candidate_with_coverage() {
    let y = synthetic(5, 300, 0.02, 3.0);
    let scores = backtest(&y, &[Model::Auto], &opts(14, Some(vec![7])), 3).unwrap();
    let names: Vec<&str> = scores.iter().map(|s| s.model.as_str()).collect();
    // Issue 16: auto compares seasonal naive, ETS, AutoTheta and their combination.
    // Then auto itself, refit (and recalibrated) at each origin.
    assert_eq!(names, vec!["seasonal_naive(7)", "ets", "auto_theta(7)", "combo(auto_theta(7),ets)", "auto"]);
    for s in &scores {
        assert_eq!(s.origins, 3);
        assert_eq!(s.accuracy.steps, 42);
        assert_eq!(s.accuracy.coverage.len(), 2);
        assert!(s.accuracy.smape >= 0.0 && s.accuracy.smape <= 200.0);
    }
    let snaive = &scores[0].accuracy;
    let theta = &scores[2].accuracy;
    assert!(theta.mase < snaive.mase, "{} vs {}", theta.mase, snaive.mase);
    assert!(backtest(&y[..20], &[Model::Ets], &opts(14, None), 3).is_err());
}

#[test]
fn metrics_known_answer() {
    let mut acc = metrics::AccuracyAccumulator::default();
    let lo = [0.0, 0.0];
    let hi = [1.5, 10.0];
    acc.add(&[2.0, 4.0], &[1.0, 4.0], &[(95.0, &lo, &hi)], 2.0);
    let a = acc.finish();
    assert_eq!(a.mase, 0.25); // (1/2 + 0/2) / 2
    assert!((a.smape - 200.0 / 3.0 / 2.0).abs() < 1e-12); // (2·1/3 + 0) / 2 in percent
    assert!((a.rmse - (0.5f64).sqrt()).abs() < 1e-12);
    assert_eq!(a.bias, -0.5);
    assert_eq!(a.coverage, vec![(95.0, 0.5)]);
    assert_eq!(metrics::naive_scale(&[1.0, 3.0, 2.0], 1), 1.5);
}

#[test]
fn many_series_in_threads_match_one_by_one() {
    let series: Vec<Vec<f64>> = (0..6).map(|s| synthetic(s, 120, 0.1, 2.0)).collect();
    let o = opts(7, None);
    let (cancel, done) = (AtomicBool::new(false), AtomicUsize::new(0));
    let many = forecast_many(&series, Model::Auto, &o, 2, &cancel, &done);
    assert_eq!(done.load(Ordering::Relaxed), 6);
    for (s, r) in series.iter().zip(many) {
        assert_eq!(r.unwrap().unwrap(), forecast(s, Model::Auto, &o).unwrap());
    }
    cancel.store(true, Ordering::Relaxed);
    assert!(forecast_many(&series, Model::Auto, &o, 2, &cancel, &done).iter().all(Option::is_none));
}

#[test]
fn auto_choice_is_what_auto_fits_and_scores_the_best_candidate() {
    let o = opts(14, None);
    for seed in 0..4 {
        let y = synthetic(seed, 150, 0.2, 3.0);
        let (model, acc) = auto_choice(&y, &o).unwrap().expect("long enough to backtest");
        let auto = forecast(&y, Model::Auto, &o).unwrap();
        let concrete = forecast(&y, model, &o).unwrap();
        assert_eq!(auto.point, concrete.point, "seed {seed}: auto fits the model it chose");
        assert_eq!(auto.model, format!("auto: {}", concrete.model));
        // Issue 16: auto keeps the combination unless a single model is clearly better
        // (2 origins); the chosen MASE is at most the combination's.
        let scores = backtest(&y, &[Model::Auto], &o, 2).unwrap();
        let combo = scores.iter().find(|s| s.model.starts_with("combo(")).expect("combination scored").accuracy.mase;
        assert!(acc.mase <= combo + 1e-12, "seed {seed}: {} vs combo {combo}", acc.mase);
        assert!(scores.iter().any(|s| (s.accuracy.mase - acc.mase).abs() < 1e-12), "seed {seed}: a candidate's score");
        assert_eq!(Model::parse(model.name()).unwrap(), model);
    }
    assert_eq!(auto_choice(&[3.0; 50], &o).unwrap(), None, "constant: nothing to choose");
    // 20 points forecast 14 ahead: two windows cut short by the end of the history.
    assert!(auto_choice(&synthetic(1, 20, 0.0, 1.0), &o).unwrap().is_some(), "short windows backtest");
    assert_eq!(auto_choice(&synthetic(1, 10, 0.0, 1.0), &o).unwrap(), None, "too short to backtest");
}

#[test]
fn parallel_map_keeps_order_and_stops_on_cancel() {
    let (cancel, done) = (AtomicBool::new(false), AtomicUsize::new(0));
    let squares = parallel_map(100, 3, &cancel, &done, |i| i * i);
    assert_eq!(squares, (0..100).map(|i| Some(i * i)).collect::<Vec<_>>());
    assert_eq!(done.load(Ordering::Relaxed), 100);
    cancel.store(true, Ordering::Relaxed);
    assert!(parallel_map(10, 2, &cancel, &done, |i| i).iter().all(Option::is_none));
}

#[test]
fn season_one_means_no_season() {
    let y = synthetic(2, 60, 0.1, 2.0);
    let one = forecast(&y, Model::SeasonalNaive, &opts(5, Some(vec![1]))).unwrap();
    let none = forecast(&y, Model::SeasonalNaive, &opts(5, Some(vec![]))).unwrap();
    assert_eq!(one, none);
    assert_eq!(one.model, "naive");
    assert_eq!(forecast(&y, Model::AutoTheta, &opts(5, Some(vec![1]))).unwrap().model, "auto_theta");
}

#[test]
fn combination_is_the_mean_of_its_members() {
    let y = synthetic(6, 150, 0.1, 2.0);
    let o = opts(7, Some(vec![7]));
    let c = forecast(&y, Model::Combo(Combo::ThetaEts), &o).unwrap();
    let a = forecast(&y, Model::AutoTheta, &o).unwrap();
    let b = forecast(&y, Model::Ets, &o).unwrap();
    assert_eq!(c.model, "combo(auto_theta(7),ets)");
    for i in 0..7 {
        assert!((c.point[i] - (a.point[i] + b.point[i]) / 2.0).abs() < 1e-9);
        assert!((c.intervals[1].upper[i] - (a.intervals[1].upper[i] + b.intervals[1].upper[i]) / 2.0).abs() < 1e-9);
    }
    for name in MODEL_NAMES {
        assert_eq!(Model::parse(name).unwrap().name(), name);
    }
    // The HINT of an unknown model lists exactly the models there are.
    let e = Model::parse("prophet").unwrap_err();
    assert_eq!(e.hint, format!("Use one of {}.", MODEL_NAMES.join(", ")));
}

#[test]
fn conformal_multiplier_known_answer_and_coverage() {
    // Scores 1..=9 at 80 %: rank ceil(10·0.8) = 8 → 8; the RMS part, √(285/9) = 5.627,
    // times the predictive t quantile for 9/3 = 3 independent draws (df 2: 1.886·√(4/3)),
    // is 12.25 and larger, so 12.25.
    let s: Vec<f64> = (1..=9).map(f64::from).collect();
    let m = conformal::multiplier(&s, 80.0, 0.0).unwrap();
    assert!((m - 12.253).abs() < 1e-3, "{m}");
    // With many scores the predictive quantile tends to z: 3,000 scores of 1 give 1.28.
    let m = conformal::multiplier(&[1.0; 3000], 80.0, 0.0).unwrap();
    assert!((m - models::z_of(80.0)).abs() < 2e-3, "{m}");
    assert!((conformal::predictive_z(95.0, 1000.0) - 1.96).abs() < 5e-3);
    // Errors all ±2 around intervals of half-width 1: the quantile says 2, the errors' RMS
    // (σ = 2) times the predictive quantile for 4/3 draws (df 2: 1.886·√1.75) says 4.99;
    // the larger wins.
    let mut f = Forecast {
        point: vec![0.0; 4],
        intervals: vec![Interval { level: 80.0, lower: vec![-1.0; 4], upper: vec![1.0; 4] }],
        model: String::new(),
    };
    let mut acc = Vec::new();
    conformal::add_scores(&mut acc, &[2.0, -2.0, 2.0, -2.0], &f);
    conformal::apply(&mut f, &acc, 0.0);
    let w = conformal::predictive_z(80.0, 4.0 / 3.0) * 2.0;
    assert!((w - 4.989).abs() < 1e-3, "{w}");
    assert!(
        f.intervals[0]
            .upper
            .iter()
            .zip(&f.intervals[0].lower)
            .all(|(u, l)| (u - w).abs() < 1e-12 && (l + w).abs() < 1e-12),
        "{:?}",
        f.intervals[0]
    );
    // On Gaussian noise with a model whose own intervals are far too narrow, calibrated
    // 80 % intervals cover roughly 80 % of the holdout.
    let mut r = Rng::new(7);
    let (mut inside, mut total) = (0, 0);
    for _ in 0..300 {
        let mut acc = Vec::new();
        let narrow = |_: usize| Forecast {
            point: vec![0.0; 5],
            intervals: vec![Interval { level: 80.0, lower: vec![-0.3; 5], upper: vec![0.3; 5] }],
            model: String::new(),
        };
        for o in 0..4 {
            let actual: Vec<f64> = (0..5).map(|_| r.normal()).collect();
            conformal::add_scores(&mut acc, &actual, &narrow(o));
        }
        let mut f = narrow(0);
        conformal::apply(&mut f, &acc, 0.0);
        for _ in 0..5 {
            let a = r.normal();
            inside += (f.intervals[0].lower[0] <= a && a <= f.intervals[0].upper[0]) as usize;
            total += 1;
        }
    }
    let cov = inside as f64 / total as f64;
    assert!((0.74..0.90).contains(&cov), "calibrated 80 % coverage {cov}");
}

#[test]
fn auto_backtests_whole_overlapping_or_short_windows() {
    // (training length, test length) of each origin; training never below min_train (10).
    assert_eq!(auto_cuts(100, 14, &[7]), vec![(72, 14), (86, 14)], "end to end");
    assert_eq!(auto_cuts(30, 14, &[7]), vec![(14, 14), (16, 14)], "overlapping whole windows");
    assert_eq!(auto_cuts(28, 14, &[7]), vec![(14, 14)], "one whole window");
    assert_eq!(auto_cuts(14, 6, &[]), vec![(10, 4), (12, 2)], "M3 yearly: cut short");
    assert_eq!(auto_cuts(11, 6, &[]), vec![(10, 1)]);
    assert!(auto_cuts(10, 6, &[]).is_empty());
    for (n, h) in [(15, 8), (40, 18), (73, 12), (300, 28)] {
        for (cut, len) in auto_cuts(n, h, &[12]) {
            assert!(cut >= 24 && len >= 1 && len <= h && cut + len <= n, "n {n} h {h}: ({cut}, {len})");
        }
    }
}

#[test]
fn intermittent_series_do_not_get_seasonal_naive() {
    // Two sales a week: seasonal naive would repeat last week's zeros and win by MAE.
    let y: Vec<f64> = (0..200).map(|t| if t % 7 == 2 || t % 7 == 5 { 1.0 + (t % 3) as f64 } else { 0.0 }).collect();
    let c = auto_candidates(&y, &[7]);
    assert!(!c.contains(&Model::SeasonalNaive) && c.contains(&Model::Croston), "{c:?}");
    let dense = synthetic(1, 200, 0.0, 1.0);
    assert!(auto_candidates(&dense, &[7]).contains(&Model::SeasonalNaive));
}
