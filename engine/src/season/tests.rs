use super::*;
use crate::rng::Rng;

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

#[test]
fn pelt_finds_mean_shifts() {
    let mut r = Rng::new(1);
    let y: Vec<f64> = (0..300).map(|t| if t < 100 { 10.0 } else if t < 200 { 20.0 } else { 12.0 } + r.normal()).collect();
    assert_eq!(pelt(&y, 1.0, 2), vec![100, 200]);
    let flat: Vec<f64> = (0..300).map(|_| 5.0 + r.normal()).collect();
    assert!(pelt(&flat, 1.0, 2).is_empty());
    assert!(pelt(&[1.0, 2.0], 1.0, 2).is_empty());
    // Segments shorter than min_len are not allowed.
    let mut blip = vec![0.0; 60];
    blip[30..33].copy_from_slice(&[9.0, 9.0, 9.0]);
    assert_eq!(pelt(&blip, 0.5, 2), vec![30, 33]);
    let cps = pelt(&blip, 0.5, 7);
    let bounds: Vec<usize> = std::iter::once(0).chain(cps.iter().copied()).chain(std::iter::once(60)).collect();
    assert!(!cps.is_empty() && bounds.windows(2).all(|w| w[1] - w[0] >= 7), "{cps:?}");
}

#[test]
fn decomposition_adds_up_and_flags_an_injected_spike() {
    let mut r = Rng::new(2);
    let week = [1.2, 1.0, 1.0, 1.0, 0.9, 0.8, 1.1];
    let mut y: Vec<f64> = (0..210).map(|t| (100.0 + 0.2 * t as f64) * week[t % 7] + 2.0 * r.normal()).collect();
    y[150] += 80.0;
    let dec = decompose(&y, &[7]).unwrap();
    assert_eq!(dec.season_lengths, vec![7]);
    for (t, yt) in y.iter().enumerate() {
        assert!((dec.trend[t] + dec.seasonal[t] + dec.remainder[t] - yt).abs() < 1e-3);
    }
    let flagged: Vec<usize> = (0..y.len()).filter(|t| dec.anomaly_score[*t].abs() > ANOMALY_THRESHOLD).collect();
    assert!(flagged.contains(&150), "{flagged:?}");
    // The spike stands out: its score is more than twice any other.
    let mut scores: Vec<f64> = dec.anomaly_score.iter().map(|s| s.abs()).collect();
    scores.sort_by(|a, b| b.total_cmp(a));
    assert_eq!(dec.anomaly_score[150].abs(), scores[0]);
    assert!(scores[0] > 2.0 * scores[1], "{} vs {}", scores[0], scores[1]);
    // A level shift is found, and nothing else.
    let shifted: Vec<f64> =
        (0..210).map(|t| 100.0 * week[t % 7] + if t >= 120 { 40.0 } else { 0.0 } + 2.0 * r.normal()).collect();
    let cps = decompose(&shifted, &[7]).unwrap().changepoints;
    assert!(cps.len() == 1 && (118..=122).contains(&cps[0]), "{cps:?}");
}

#[test]
fn no_season_means_moving_average_trend() {
    let y = [1.0, 2.0, 3.0, 4.0, 5.0];
    let dec = decompose(&y, &[7]).unwrap();
    assert!(dec.season_lengths.is_empty());
    assert_eq!(dec.seasonal, vec![0.0; 5]);
    assert_eq!(dec.trend[2], 3.0);
    assert!(decompose(&[], &[]).is_err());
}

#[test]
fn weekday_and_month_indices() {
    // Mondays sell 50 % more than other days: the Monday index is 1.5 / (7.5 / 7) = 1.4.
    let start = d(2024, 1, 1); // a Monday
    let y: Vec<f64> = (0..364).map(|t| if t % 7 == 0 { 150.0 } else { 100.0 }).collect();
    let trend = vec![100.0; 364];
    let idx = seasonal_indices(&y, &trend, start, Grain::Day);
    let monday = idx.iter().find(|i| i.kind == "weekday" && i.bucket == 1).unwrap();
    assert!((monday.index - 1.5 / (7.5 / 7.0)).abs() < 1e-12);
    assert_eq!(monday.periods, 52);
    assert!(idx.iter().all(|i| i.kind == "weekday"), "less than a year: no month indices");
    let y: Vec<f64> = (0..24).map(|t| if t % 12 == 11 { 200.0 } else { 100.0 }).collect();
    let idx = seasonal_indices(&y, &[100.0; 24], d(2023, 1, 1), Grain::Month);
    let dec = idx.iter().find(|i| i.bucket == 12).unwrap();
    assert!((dec.index - 2.0 / (13.0 / 12.0)).abs() < 1e-12);
}

#[test]
fn year_over_year_growth_of_complete_months() {
    // 24 months of monthly data growing 10 % a year.
    let y: Vec<f64> = (0..24).map(|t| if t < 12 { 100.0 } else { 110.0 }).collect();
    let g = yoy_growth(&y, d(2023, 1, 1), Grain::Month);
    assert_eq!(g.len(), 12);
    assert_eq!(g[0].0, d(2024, 1, 1));
    assert!((g[0].3 - 10.0).abs() < 1e-9);
    // Daily data starting mid-month: the partial first month has no growth row.
    let y = vec![1.0; 400];
    let g = yoy_growth(&y, d(2024, 1, 15), Grain::Day);
    assert!(g.iter().all(|r| r.0 >= d(2025, 2, 1) && (r.3 - 0.0).abs() < 1e-9), "{g:?}");
}
