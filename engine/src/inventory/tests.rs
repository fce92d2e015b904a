use super::classify::{abc_classes, xyz_classes, AbcClass, AbcThresholds, XyzClass, XyzThresholds};
use super::demand::{lead_time_demand, DemandBasis, DemandStats};
use super::newsvendor::{critical_ratio, newsvendor_empirical, newsvendor_normal};
use super::policy::{self, ServiceTarget};
use super::recommend::{recommend, ProductInput, Recommendation};
use super::rule::{Policy, PolicyParams};
use super::simulate::{simulate, LeadTime, SimConfig, SimResult, NAIVE_WINDOW_DAYS};
use super::*;
use crate::rng::Rng;

fn close(actual: f64, expected: f64, tol: f64) {
    assert!((actual - expected).abs() <= tol, "{actual} != {expected} (tolerance {tol})");
}

fn rel(actual: f64, expected: f64, tol: f64) {
    assert!((actual - expected).abs() <= tol * expected.abs(), "{actual} != {expected} (relative tolerance {tol})");
}

// ---- normal distribution ------------------------------------------------------------------

#[test]
fn normal_quantile_at_known_points() {
    close(normal::quantile(0.95), 1.644853627, 1e-9);
    close(normal::quantile(0.975), 1.959963985, 1e-9);
    assert_eq!(normal::quantile(0.5), 0.0);
    // Reference values: scipy.stats.norm.ppf 1.11.
    for (p, z) in [
        (0.9, 1.2815515655446004),
        (0.99, 2.3263478740408408),
        (0.999999, 4.753424308817087),
        (1e-10, -6.361340902404056),
        (0.02, -2.053748910631823),
        (0.3, -0.5244005127080409),
    ] {
        rel(normal::quantile(p), z, 1e-14);
    }
    assert_eq!(normal::quantile(0.0), f64::NEG_INFINITY);
    assert_eq!(normal::quantile(1.0), f64::INFINITY);
    assert!(normal::quantile(f64::NAN).is_nan());
}

#[test]
fn normal_cdf_and_upper_tail_match_reference_values() {
    // Reference values: scipy.stats.norm.cdf / norm.sf 1.11.
    for (z, cdf) in [
        (-8.0, 6.22096057427174e-16),
        (-5.0, 2.866515718791933e-07),
        (-2.5, 0.006209665325776132),
        (-1.0, 0.15865525393145707),
        (0.0, 0.5),
        (0.5, 0.6914624612740131),
        (3.0, 0.9986501019683699),
    ] {
        rel(normal::cdf(z), cdf, 1e-13);
    }
    rel(normal::upper_tail(6.0), 9.865876450376946e-10, 1e-13);
    rel(normal::upper_tail(10.0), 7.61985302416047e-24, 1e-13);
    rel(normal::upper_tail(1.96), 0.024997895148220435, 1e-13);
    close(normal::pdf(0.0), 0.3989422804014327, 1e-16);
    for i in 1..1000 {
        let p = i as f64 / 1000.0;
        close(normal::cdf(normal::quantile(p)), p, 1e-15);
    }
}

#[test]
fn loss_function_matches_stockpyl_and_inverts() {
    // Reference values: stockpyl 1.x `loss_functions.standard_normal_loss` (Snyder & Shen,
    // Fundamentals of Supply Chain Theory); they agree to 1e-10 (the brief asked for 0.1%).
    for (z, g) in [
        (-2.0, 2.0084907026168297),
        (-0.5, 0.6977965574013061),
        (0.0, 0.3989422804014327),
        (0.5, 0.19779655740130608),
        (1.0, 0.08331547058768629),
        (1.5, 0.029306793762604616),
        (2.5, 0.0020041371791281425),
        (4.0, 7.1452584324054535e-06),
    ] {
        rel(normal::loss(z), g, 1e-10);
        close(normal::inverse_loss(g), z, 1e-9);
    }
    assert_eq!(normal::inverse_loss(0.0), f64::INFINITY);
    close(normal::inverse_loss(50.0), -50.0, 1e-9);
    let far = normal::inverse_loss(1e-30);
    assert!(far.is_finite() && far > 10.0 && normal::loss(far) < 1e-29, "{far}");
}

// ---- demand --------------------------------------------------------------------------------

#[test]
fn demand_stats_clip_returns_and_handle_empty_and_zero_history() {
    let s = DemandStats::from_history(&[-3.0, 5.0, 0.0, 3.0]).unwrap();
    assert_eq!((s.days, s.demand_days), (4, 2));
    close(s.mean, 2.0, 1e-12); // size 4 per demand day, one every 2 days
    close(s.sd, 6f64.sqrt(), 1e-12); // deviations -2, 3, -2, 1
    close(s.cv().unwrap(), 6f64.sqrt() / 2.0, 1e-12);
    assert!(s.intermittent()); // average interval 2 > 1.32
    assert!(!DemandStats::from_history(&[1.0, 2.0, 0.0, 1.0, 1.0]).unwrap().intermittent()); // 1.25

    for history in [&[][..], &[0.0, 0.0, -1.0][..]] {
        let s = DemandStats::from_history(history).unwrap();
        assert_eq!((s.mean, s.sd, s.cv(), s.intermittent(), s.has_demand()), (0.0, 0.0, None, false, false));
    }
    assert_eq!(
        DemandStats::from_history(&[1.0, 2.0, f64::NAN]).unwrap_err().to_string(),
        "demand[2] = NaN is out of range: allowed any finite number (negatives count as 0)"
    );
}

#[test]
fn forecast_basis_replaces_history_rate() {
    let stats = DemandStats::from_history(&[4.0, 6.0]).unwrap();
    assert_eq!(DemandBasis::History.rate(&stats, 1).unwrap(), (5.0, 2f64.sqrt()));
    let f = DemandBasis::Forecast { mean_per_day: 7.5, rmse_per_day: 2.0 };
    assert_eq!(f.rate(&stats, 1).unwrap(), (7.5, 2.0));
    let negative = DemandBasis::Forecast { mean_per_day: -0.4, rmse_per_day: 0.3 };
    assert_eq!(negative.rate(&stats, 1).unwrap(), (0.0, 0.3));
    let bad = DemandBasis::Forecast { mean_per_day: 1.0, rmse_per_day: -1.0 };
    assert_eq!(bad.rate(&stats, 1).unwrap_err().to_string(), "forecast_rmse = -1 is out of range: allowed 0 or more");
}

#[test]
fn lead_time_demand_with_uncertain_lead_time_chopra_dell() {
    // Chopra & Meindl, Supply Chain Management, chapter on safety inventory, the Dell
    // example on lead-time uncertainty: D = 2,500/day, σ_D = 500, L = 7 days, s_L = 7 days,
    // CSL 0.90 → σ_L = 17,550 and ss = 22,491; with s_L = 0, σ_L = 1,323 and ss = 1,695.
    let ltd = lead_time_demand(2500.0, 500.0, 7.0, 7.0);
    close(ltd.mean, 17_500.0, 1e-9);
    close(ltd.sd, 17_549.93, 0.01);
    let s = policy::reorder_point(2500.0, 500.0, 7.0, 7.0, ServiceTarget::CycleServiceLevel(0.9), 0.0).unwrap();
    close(s.safety_stock, 22_491.14, 0.01);
    let s = policy::reorder_point(2500.0, 500.0, 7.0, 0.0, ServiceTarget::CycleServiceLevel(0.9), 0.0).unwrap();
    close(s.demand.sd, 1_322.88, 0.01);
    close(s.safety_stock.round(), 1_695.0, 0.0);
}

// ---- policy building blocks ----------------------------------------------------------------

#[test]
fn eoq_textbook_examples() {
    // Nahmias, Production and Operations Analysis, ch. 4 (EOQ): No. 2 pencils, 60 a week
    // (3,120 a year), 2¢ each, $12 per order, 25% annual interest → Q* = 3,870.
    let q = policy::eoq(3120.0, 12.0, 0.25, 0.02).unwrap();
    close(q.round(), 3870.0, 0.0);
    // Snyder & Shen, Fundamentals of Supply Chain Theory, Example 3.1: K = 8, h = 0.225 per
    // unit-year, λ = 1,300 → Q* = 304.0468 (stockpyl `economic_order_quantity` gives
    // 304.0467800264368); h given per unit means c = 1 here.
    rel(policy::eoq(1300.0, 8.0, 0.225, 1.0).unwrap(), 304.0467800264368, 1e-12);
    assert_eq!(policy::eoq(0.0, 8.0, 0.25, 1.0).unwrap(), 0.0);
    assert_eq!(policy::eoq(100.0, 0.0, 0.25, 1.0).unwrap(), 0.0);
    assert_eq!(
        policy::eoq(100.0, -5.0, 0.25, 1.0).unwrap_err().to_string(),
        "order_cost = -5 is out of range: allowed 0 or more"
    );
    assert_eq!(
        policy::eoq(100.0, 5.0, 0.0, 1.0).unwrap_err().to_string(),
        "holding_cost_rate = 0 is out of range: allowed above 0"
    );
}

#[test]
fn safety_stock_and_reorder_point_for_cycle_service_level_chopra() {
    // Chopra & Meindl, Supply Chain Management, chapter on safety inventory, "safety
    // inventory given a desired CSL" (Lego at Walmart): weekly demand 2,500, σ = 500,
    // L = 2 weeks, CSL 0.90 → σ_L = 707, ss = 906, ROP = 5,906.
    let s = policy::reorder_point(2500.0, 500.0, 2.0, 0.0, ServiceTarget::CycleServiceLevel(0.9), 10_000.0).unwrap();
    close(s.demand.sd, 707.107, 0.001);
    close(s.safety_stock, 906.19, 0.01);
    close(s.level, 5906.19, 0.01);
}

#[test]
fn fill_rate_and_safety_stock_for_a_fill_rate_target_chopra() {
    // Same chapter, "fill rate given a replenishment policy": Q = 10,000, σ_L = 707,
    // ss = 1,000 → expected shortage per cycle ESC = 25.13, fill rate 0.9975.
    let sigma = 500.0 * 2f64.sqrt();
    let esc = sigma * normal::loss(1000.0 / sigma);
    close(esc, 25.13, 0.01);
    close(1.0 - esc / 10_000.0, 0.9975, 0.00005);
    // "safety inventory given a desired fill rate": fill rate 0.975, Q = 10,000 → ESC = 250,
    // ss = 67 (66.70; G(z) = 250 / 707.1 solved by stockpyl's loss function and scipy gives
    // z = 0.094325).
    let z = policy::safety_factor(ServiceTarget::FillRate(0.975), sigma, 10_000.0).unwrap();
    close(z, 0.0943246, 1e-6);
    let s = policy::reorder_point(2500.0, 500.0, 2.0, 0.0, ServiceTarget::FillRate(0.975), 10_000.0).unwrap();
    close(s.safety_stock, 66.70, 0.01);
    // A fill rate the lot size alone achieves needs no safety stock (z < 0 is floored).
    let s = policy::reorder_point(2500.0, 500.0, 2.0, 0.0, ServiceTarget::FillRate(0.9), 10_000.0).unwrap();
    assert!(policy::safety_factor(ServiceTarget::FillRate(0.9), sigma, 10_000.0).unwrap() < 0.0);
    assert_eq!((s.safety_stock, s.level), (0.0, 5000.0));
    // Nothing uncertain or no orders: z = 0.
    assert_eq!(policy::safety_factor(ServiceTarget::FillRate(0.99), 0.0, 100.0).unwrap(), 0.0);
    assert_eq!(policy::safety_factor(ServiceTarget::FillRate(0.99), 10.0, 0.0).unwrap(), 0.0);
}

#[test]
fn order_up_to_level_for_periodic_review_chopra() {
    // Same chapter, periodic review: weekly demand 2,500, σ = 500, L = 2 weeks, review
    // every T = 4 weeks, CSL 0.90 → σ_{T+L} = 1,225, ss = 1,570, OUL = 16,570.
    let s = policy::order_up_to_level(2500.0, 500.0, 4.0, 2.0, 0.0, ServiceTarget::CycleServiceLevel(0.9)).unwrap();
    close(s.demand.mean, 15_000.0, 1e-9);
    close(s.demand.sd, 1224.74, 0.01);
    close(s.safety_stock, 1569.57, 0.01);
    close(s.level, 16_569.57, 0.01);
    // With an uncertain lead time the variance gains d²·σ_L²: √(6·500² + 2500²·1²).
    let s = policy::order_up_to_level(2500.0, 500.0, 4.0, 2.0, 1.0, ServiceTarget::CycleServiceLevel(0.9)).unwrap();
    close(s.demand.sd, (6.0 * 500.0f64.powi(2) + 2500.0f64.powi(2)).sqrt(), 1e-9);
    assert_eq!(
        policy::order_up_to_level(1.0, 1.0, 0.0, 2.0, 0.0, ServiceTarget::CycleServiceLevel(0.9))
            .unwrap_err()
            .to_string(),
        "review_period_days = 0 is out of range: allowed above 0"
    );
}

#[test]
fn service_targets_are_validated() {
    for (target, message) in [
        (ServiceTarget::CycleServiceLevel(1.0), "service_level = 1 is out of range: allowed strictly between 0 and 1"),
        (ServiceTarget::CycleServiceLevel(0.0), "service_level = 0 is out of range: allowed strictly between 0 and 1"),
        (
            ServiceTarget::CycleServiceLevel(f64::NAN),
            "service_level = NaN is out of range: allowed strictly between 0 and 1",
        ),
        (ServiceTarget::FillRate(1.5), "fill_rate = 1.5 is out of range: allowed strictly between 0 and 1"),
    ] {
        assert_eq!(policy::safety_factor(target, 1.0, 1.0).unwrap_err().to_string(), message);
    }
    assert_eq!(ServiceTarget::CycleServiceLevel(0.95).label(), "95% service");
    assert_eq!(ServiceTarget::FillRate(0.975).label(), "97.5% fill rate");
    assert_eq!(ServiceTarget::CycleServiceLevel(0.9999).label(), "99.99% service");
}

#[test]
fn order_quantity_days_of_cover_and_stockout_risk() {
    assert_eq!(policy::order_quantity(35.0, 80.0, 200.0), 165.0);
    assert_eq!(policy::order_quantity(80.0, 80.0, 200.0), 120.0);
    assert_eq!(policy::order_quantity(81.0, 80.0, 200.0), 0.0);
    assert_eq!(policy::days_of_cover(30.0, 10.0), Some(3.0));
    assert_eq!(policy::days_of_cover(30.0, 0.0), None);
    assert_eq!(policy::days_of_cover(30.0, 1e-12), None);
    let ltd = lead_time_demand(10.0, 3.0, 7.0, 0.0);
    close(policy::stockout_risk(70.0, ltd), 0.5, 1e-15);
    close(policy::stockout_risk(70.0 + 1.6448536269514722 * ltd.sd, ltd), 0.05, 1e-12);
    let certain = lead_time_demand(10.0, 0.0, 7.0, 0.0);
    assert_eq!((policy::stockout_risk(69.0, certain), policy::stockout_risk(70.0, certain)), (1.0, 0.0));
}

// ---- newsvendor ----------------------------------------------------------------------------

#[test]
fn newsvendor_textbook_examples() {
    // Snyder & Shen, Fundamentals of Supply Chain Theory, Example 4.3: h = 0.18, p = 0.70,
    // D ~ N(50, 8) → S* = 56.6040 (stockpyl `newsvendor_normal`: 56.60395592743389).
    rel(newsvendor_normal(50.0, 8.0, 0.70, 0.18).unwrap(), 56.60395592743389, 1e-12);
    // Nahmias, Production and Operations Analysis, ch. 5, Mac's newsstand: bought at 25¢,
    // sold at 75¢, no salvage (Cu = 0.50, Co = 0.25), demand ~ N(11.73, 4.74) → critical
    // ratio 0.667, z = 0.43, Q* = 13.77 ≈ 14 (stockpyl: 13.77164739866047).
    close(critical_ratio(0.50, 0.25).unwrap(), 2.0 / 3.0, 1e-15);
    rel(newsvendor_normal(11.73, 4.74, 0.50, 0.25).unwrap(), 13.77164739866047, 1e-12);
    assert_eq!(newsvendor_normal(1.0, 10.0, 1.0, 9.0).unwrap(), 0.0); // never negative
    assert_eq!(critical_ratio(0.0, 1.0).unwrap_err().to_string(), "underage_cost = 0 is out of range: allowed above 0");
    assert_eq!(
        critical_ratio(1.0, -1.0).unwrap_err().to_string(),
        "overage_cost = -1 is out of range: allowed above 0"
    );
}

#[test]
fn empirical_newsvendor_takes_the_critical_quantile_of_observations() {
    let seasons = [40.0, 10.0, 30.0, 20.0];
    assert_eq!(newsvendor_empirical(&seasons, 3.0, 1.0).unwrap(), 30.0); // ratio 0.75 → 3rd of 4
    assert_eq!(newsvendor_empirical(&seasons, 1.0, 1.0).unwrap(), 20.0); // 0.5 → 2nd
    assert_eq!(newsvendor_empirical(&seasons, 99.0, 1.0).unwrap(), 40.0); // 0.99 → 4th
    assert_eq!(newsvendor_empirical(&seasons, 1.0, 99.0).unwrap(), 10.0); // 0.01 → 1st
    assert_eq!(newsvendor_empirical(&[-5.0, 8.0], 1.0, 3.0).unwrap(), 0.0); // returns count as 0
    assert_eq!(newsvendor_empirical(&[], 1.0, 1.0).unwrap(), 0.0);
    assert_eq!(
        newsvendor_empirical(&[1.0, f64::INFINITY], 1.0, 1.0).unwrap_err().to_string(),
        "demand[1] = inf is out of range: allowed any finite number (negatives count as 0)"
    );
}

// ---- ABC / XYZ -----------------------------------------------------------------------------

#[test]
fn abc_classes_by_cumulative_revenue_share() {
    // Total 1,000: ranked 500 (before 0%), 300 (50%), 100 (80%), 60 (90%), 30 (96%), 10, 0.
    let revenue = [100.0, 500.0, 0.0, 30.0, 300.0, 60.0, 10.0];
    let classes = abc_classes(&revenue, AbcThresholds::default()).unwrap();
    use AbcClass::*;
    assert_eq!(classes, vec![B, A, C, C, A, B, C]);
    let strict = abc_classes(&revenue, AbcThresholds { a_share: 0.5, b_share: 0.8 }).unwrap();
    assert_eq!(strict, vec![C, A, C, C, B, C, C]);
    assert_eq!(abc_classes(&[0.0, -5.0], AbcThresholds::default()).unwrap(), vec![C, C]);
    assert_eq!(abc_classes(&[7.0], AbcThresholds::default()).unwrap(), vec![A]);
    assert_eq!(abc_classes(&[5.0, 5.0], AbcThresholds { a_share: 0.5, b_share: 1.0 }).unwrap(), vec![A, B]);
    assert_eq!(
        abc_classes(&[1.0], AbcThresholds { a_share: 0.9, b_share: 0.8 }).unwrap_err().to_string(),
        "b_share = 0.8 is out of range: allowed from a_share up to 1"
    );
    assert_eq!(abc_classes(&[1.0, f64::NAN], AbcThresholds::default()).unwrap_err().argument, "revenue[1]");
    assert_eq!(A.as_str(), "A");
}

#[test]
fn xyz_classes_by_coefficient_of_variation() {
    use XyzClass::*;
    let cvs = [Some(0.2), Some(0.5), Some(0.99), Some(1.0), Some(3.0), None];
    assert_eq!(xyz_classes(&cvs, XyzThresholds::default()).unwrap(), vec![X, Y, Y, Z, Z, Z]);
    let steady = DemandStats::from_history(&[10.0, 11.0, 9.0, 10.0]).unwrap();
    let lumpy = DemandStats::from_history(&[0.0, 0.0, 30.0, 0.0]).unwrap();
    let none = DemandStats::from_history(&[0.0; 5]).unwrap();
    assert_eq!(xyz_classes(&[steady.cv(), lumpy.cv(), none.cv()], XyzThresholds::default()).unwrap(), vec![X, Z, Z]);
    assert_eq!(
        xyz_classes(&[Some(f64::NAN)], XyzThresholds::default()).unwrap_err().to_string(),
        "cv[0] = NaN is out of range: allowed 0 or more"
    );
    assert_eq!(Y.as_str(), "Y");
}

// ---- recommendation ------------------------------------------------------------------------

fn product(on_hand: f64, on_order: f64) -> ProductInput {
    ProductInput {
        history: vec![9.0, 11.0, 10.0, 12.0, 8.0],
        basis: DemandBasis::Forecast { mean_per_day: 10.0, rmse_per_day: 3.0 },
        unit_cost: 20.0,
        lead_time_days: 7.0,
        lead_time_sd_days: 0.0,
        on_hand,
        on_order,
    }
}

fn params(review_period_days: Option<u32>) -> PolicyParams {
    PolicyParams {
        service: ServiceTarget::CycleServiceLevel(0.95),
        review_period_days,
        holding_cost_rate: 0.25,
        order_cost: 50.0,
    }
}

fn all_finite(r: &Recommendation) -> bool {
    [
        r.daily_demand,
        r.demand_sd,
        r.lead_time_demand,
        r.safety_stock,
        r.reorder_point,
        r.eoq,
        r.order_up_to,
        r.position,
        r.order_qty,
        r.stockout_risk,
        r.excess_units,
        r.excess_value,
    ]
    .iter()
    .chain(r.demand_cv.iter())
    .chain(r.days_of_cover.iter())
    .all(|v| v.is_finite())
}

#[test]
fn continuous_review_recommendation() {
    // d = 10, σ_d = 3, L = 7: σ_LTD = 3·√7 = 7.937, ss = 1.645·7.937 = 13.06, ROP = 83.06 → 84;
    // EOQ = √(2·3650·50 / (0.25·20)) = 270.2 → 270; S = 354; position 35 → order 319.
    let r = recommend(&product(30.0, 5.0), &params(None)).unwrap();
    close(r.safety_stock, 13.0556, 1e-4);
    assert_eq!((r.reorder_point, r.eoq, r.order_up_to, r.position, r.order_qty), (84.0, 270.0, 354.0, 35.0, 319.0));
    assert_eq!(r.lead_time_demand, 70.0);
    assert_eq!(r.days_of_cover, Some(3.0));
    close(r.stockout_risk, 0.9999948, 1e-6); // P(LTD > 35), scipy norm.sf(-35 / 7.937)
    assert_eq!((r.excess_units, r.excess_value), (0.0, 0.0));
    assert_eq!(r.reason, "order 319 now: position 35 is below reorder point 84 (lead time 7 d, 95% service)");
    assert_eq!(r.policy(), Policy::MinMax { reorder_point: 84.0, order_up_to: 354.0 });
    assert!(all_finite(&r));

    let r = recommend(&product(500.0, 0.0), &params(None)).unwrap();
    assert_eq!((r.order_qty, r.excess_units, r.excess_value), (0.0, 146.0, 2920.0));
    assert_eq!(
        r.reason,
        "no order: position 500 is above reorder point 84 (lead time 7 d, 95% service); 146 units above the maximum 354 are excess"
    );
    let at = recommend(&product(84.0, 0.0), &params(None)).unwrap();
    assert_eq!(at.order_qty, 270.0);
    assert!(at.reason.starts_with("order 270 now: position 84 is at reorder point 84"), "{}", at.reason);
}

#[test]
fn periodic_review_recommendation() {
    // R = 7: S = 10·14 + 1.645·3·√14 = 158.46 → 159; position 35 → order 124.
    let r = recommend(&product(30.0, 5.0), &params(Some(7))).unwrap();
    close(r.safety_stock, 18.4634, 1e-4);
    assert_eq!((r.reorder_point, r.order_up_to, r.order_qty), (159.0, 159.0, 124.0));
    assert_eq!(
        r.reason,
        "order 124 now: position 35 is below order-up-to level 159 (review every 7 d, lead time 7 d, 95% service)"
    );
    assert_eq!(r.policy(), Policy::Periodic { review_days: 7, order_up_to: 159.0 });
    let r = recommend(&product(159.0, 0.0), &params(Some(7))).unwrap();
    assert_eq!(r.order_qty, 0.0);
    assert!(r.reason.starts_with("no order: position 159 is at or above order-up-to level 159"), "{}", r.reason);
}

#[test]
fn recommendation_with_lead_time_uncertainty_and_fill_rate() {
    let mut p = product(30.0, 5.0);
    p.lead_time_sd_days = 2.0;
    let r = recommend(&p, &params(None)).unwrap();
    // σ_LTD = √(7·9 + 100·4) = 21.52; ss = 1.645·21.52 = 35.40; ROP = 105.40 → 106.
    close(r.safety_stock, 1.6448536269514722 * 463f64.sqrt(), 1e-9);
    assert_eq!(r.reorder_point, 106.0);
    assert!(r.reason.contains("(lead time 7 ± 2 d, 95% service)"), "{}", r.reason);

    // Fill rate 98% with Q = 270: G(z) = 0.02·270 / 7.937 = 0.68 needs z < 0 → no safety stock.
    let mut fr = params(None);
    fr.service = ServiceTarget::FillRate(0.98);
    let r = recommend(&product(30.0, 5.0), &fr).unwrap();
    assert_eq!((r.safety_stock, r.reorder_point), (0.0, 70.0));
    fr.service = ServiceTarget::FillRate(0.999);
    let r = recommend(&product(30.0, 5.0), &fr).unwrap();
    let sigma = 3.0 * 7f64.sqrt();
    close(sigma * normal::loss(r.safety_stock / sigma), 0.001 * 270.0, 1e-9);
    assert!(r.reason.ends_with("99.9% fill rate)"), "{}", r.reason);
}

#[test]
fn zero_and_near_zero_demand_give_no_order_and_finite_values() {
    let mut p = product(12.0, 0.0);
    p.basis = DemandBasis::History;
    p.history = vec![0.0; 90];
    let r = recommend(&p, &params(None)).unwrap();
    assert!(all_finite(&r));
    assert_eq!(
        (r.safety_stock, r.reorder_point, r.eoq, r.order_up_to, r.order_qty, r.stockout_risk),
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    );
    assert_eq!((r.days_of_cover, r.demand_cv, r.excess_units, r.excess_value), (None, None, 12.0, 240.0));
    assert_eq!(r.reason, "no order: no demand in the last 90 days; all 12 units in stock and on order are excess");
    assert_eq!(r.policy(), Policy::MinMax { reorder_point: 0.0, order_up_to: 0.0 });

    p.history = vec![];
    p.on_hand = 0.0;
    assert_eq!(recommend(&p, &params(Some(7))).unwrap().reason, "no order: no sales history");

    let mut p = product(3.0, 0.0);
    p.basis = DemandBasis::Forecast { mean_per_day: 1e-12, rmse_per_day: 0.5 };
    let r = recommend(&p, &params(None)).unwrap();
    assert!(all_finite(&r));
    assert_eq!((r.order_qty, r.stockout_risk, r.days_of_cover), (0.0, 0.0, None));
    assert_eq!(r.reason, "no order: the forecast expects no demand; all 3 units in stock and on order are excess");
}

#[test]
fn intermittent_demand_is_planned_and_flagged() {
    let mut p = product(0.0, 0.0);
    p.basis = DemandBasis::History;
    p.history = [0.0, 0.0, 0.0, 5.0].repeat(25); // sales on 25 of 100 days, mean 1.25
    p.history[6] = -2.0; // a day of net returns counts as 0
    let r = recommend(&p, &params(None)).unwrap();
    assert!(all_finite(&r) && r.intermittent);
    close(r.daily_demand, 1.25, 1e-12);
    assert!(r.order_qty > 0.0 && r.safety_stock > 0.0);
    assert!(r.reason.ends_with("; intermittent demand (sales on 25 of 100 days)"), "{}", r.reason);
    assert!(r.demand_cv.unwrap() > 1.0);
}

#[test]
fn recommendation_errors_name_the_argument() {
    type Mutation = fn(&mut ProductInput, &mut PolicyParams);
    let cases: [(Mutation, &str); 11] = [
        (
            |_, c| c.service = ServiceTarget::CycleServiceLevel(1.2),
            "service_level = 1.2 is out of range: allowed strictly between 0 and 1",
        ),
        (|_, c| c.holding_cost_rate = f64::NAN, "holding_cost_rate = NaN is out of range: allowed above 0"),
        (|_, c| c.order_cost = -1.0, "order_cost = -1 is out of range: allowed 0 or more"),
        (|_, c| c.review_period_days = Some(0), "review_period_days = 0 is out of range: allowed 1 or more"),
        (|p, _| p.unit_cost = 0.0, "unit_cost = 0 is out of range: allowed above 0"),
        (|p, _| p.lead_time_days = -1.0, "lead_time_days = -1 is out of range: allowed 0 or more"),
        (|p, _| p.lead_time_sd_days = f64::INFINITY, "lead_time_sd_days = inf is out of range: allowed 0 or more"),
        (|p, _| p.on_hand = -3.0, "on_hand = -3 is out of range: allowed 0 or more"),
        (|p, _| p.on_order = f64::NAN, "on_order = NaN is out of range: allowed 0 or more"),
        (
            |p, _| p.history[1] = f64::NAN,
            "demand[1] = NaN is out of range: allowed any finite number (negatives count as 0)",
        ),
        (
            |p, _| p.basis = DemandBasis::Forecast { mean_per_day: f64::NAN, rmse_per_day: 1.0 },
            "forecast_mean = NaN is out of range: allowed any finite number (negatives count as 0)",
        ),
    ];
    for (mutate, message) in cases {
        let (mut p, mut c) = (product(1.0, 0.0), params(None));
        mutate(&mut p, &mut c);
        assert_eq!(recommend(&p, &c).unwrap_err().to_string(), message);
    }
}

// ---- simulator -----------------------------------------------------------------------------

fn config(policy: Policy, lead_time: LeadTime, on_hand: f64) -> SimConfig {
    SimConfig {
        policy,
        lead_time,
        history: vec![],
        on_hand,
        pipeline: vec![],
        unit_cost: 100.0,
        price: 150.0,
        holding_cost_rate: 0.365, // 0.1 per unit-day
        order_cost: 10.0,
    }
}

#[test]
fn simulator_continuous_sq_by_hand() {
    // Start 5, s = 3, Q = 5, L = 1 (an order placed at the end of day t arrives before day t+2):
    // day  demand  served  end stock  position  order (arrives)
    //  0     3       3         2          2      5 (day 2)
    //  1     2       2         0          5      -
    //  2     4       4         1          1      5 (day 4)     stock 0 + 5 arrived
    //  3     0       0         1          6      -
    //  4     6       6         0          0      5 (day 6)     stock 1 + 5 arrived
    //  5     1       0         0          5      -            1 lost
    let demand = [3.0, 2.0, 4.0, 0.0, 6.0, 1.0];
    let r = simulate(
        &demand,
        &config(Policy::ContinuousSQ { reorder_point: 3.0, order_qty: 5.0 }, LeadTime::Fixed(1), 5.0),
    )
    .unwrap();
    assert_eq!(
        (r.days, r.demanded, r.served, r.lost, r.stockout_days, r.orders, r.units_ordered),
        (6, 16.0, 15.0, 1.0, 1, 3, 15.0)
    );
    assert_eq!((r.fill_rate, r.ordering_cost, r.shortage_cost), (15.0 / 16.0, 30.0, 50.0));
    close(r.avg_on_hand, 4.0 / 6.0, 1e-12); // end stock 2, 0, 1, 1, 0, 0
    close(r.avg_on_hand_value, 400.0 / 6.0, 1e-9);
    close(r.holding_cost, 0.4, 1e-12); // 4 unit-days at 0.1
    close(r.total_cost, 80.4, 1e-12);

    // Below s by more than Q: the smallest multiple of Q that lifts the position above s.
    let r = simulate(
        &[0.0],
        &config(Policy::ContinuousSQ { reorder_point: 12.0, order_qty: 5.0 }, LeadTime::Fixed(1), 0.0),
    )
    .unwrap();
    assert_eq!(r.units_ordered, 15.0);
}

#[test]
fn simulator_periodic_minmax_and_naive_by_hand() {
    let demand = [3.0, 2.0, 4.0, 0.0, 6.0, 1.0];
    // (R = 2, S = 8), L = 0: reviews on days 0, 2, 4 order 6 each, arriving the next morning.
    // End stock: 2, 6, 2, 8, 2, 7.
    let r = simulate(&demand, &config(Policy::Periodic { review_days: 2, order_up_to: 8.0 }, LeadTime::Fixed(0), 5.0))
        .unwrap();
    assert_eq!((r.orders, r.units_ordered, r.lost, r.stockout_days), (3, 18.0, 0.0, 0));
    close(r.avg_on_hand, 27.0 / 6.0, 1e-12);

    // (s = 2, S = 9), L = 1. End stock / position: 2/2 → order 7 (day 2); 0/7; 7-4 = 3/3;
    // 3/3; 0, 3 of 6 lost, position 0 → order 9 (day 6); 0, 1 lost.
    let r =
        simulate(&demand, &config(Policy::MinMax { reorder_point: 2.0, order_up_to: 9.0 }, LeadTime::Fixed(1), 5.0))
            .unwrap();
    assert_eq!((r.orders, r.units_ordered, r.lost, r.stockout_days, r.served), (2, 16.0, 4.0, 2, 12.0));
    close(r.avg_on_hand, 8.0 / 6.0, 1e-12);

    // Naive, 2-day window, L = 1: trailing demand 6 (day 0 scaled), 5, 6, 4, 6, 7; orders 6
    // on days 0, 2, 4 when the position (2, 2, 2) is below it. End stock 2, 0, 2, 2, 2, 1.
    let r = simulate(&demand, &config(Policy::Naive { window_days: 2 }, LeadTime::Fixed(1), 5.0)).unwrap();
    assert_eq!((r.orders, r.units_ordered, r.lost), (3, 18.0, 0.0));
    close(r.avg_on_hand, 9.0 / 6.0, 1e-12);
}

#[test]
fn simulator_pipeline_edge_cases_and_errors() {
    let mut c = config(Policy::MinMax { reorder_point: 0.0, order_up_to: 0.0 }, LeadTime::Fixed(3), 0.0);
    c.pipeline = vec![(2, 10.0)];
    let r = simulate(&[1.0, 1.0, 1.0, -4.0, 1.0], &c).unwrap();
    assert_eq!((r.lost, r.stockout_days, r.orders, r.demanded), (2.0, 2, 0, 4.0));
    close(r.avg_on_hand, (9.0 + 9.0 + 8.0) / 5.0, 1e-12);

    let empty = simulate(&[], &c).unwrap();
    assert_eq!((empty.days, empty.fill_rate, empty.avg_on_hand, empty.total_cost), (0, 1.0, 0.0, 0.0));
    c.price = 50.0; // selling below cost: a lost sale loses no margin
    assert_eq!(simulate(&[3.0], &c).unwrap().shortage_cost, 0.0);

    let errors = [
        (Policy::ContinuousSQ { reorder_point: 5.0, order_qty: 0.0 }, "order_qty = 0 is out of range: allowed above 0"),
        (
            Policy::MinMax { reorder_point: 5.0, order_up_to: 4.0 },
            "order_up_to = 4 is out of range: allowed from reorder_point up",
        ),
        (Policy::Periodic { review_days: 0, order_up_to: 4.0 }, "review_days = 0 is out of range: allowed 1 or more"),
        (Policy::Naive { window_days: 0 }, "window_days = 0 is out of range: allowed 1 or more"),
    ];
    for (policy, message) in errors {
        assert_eq!(simulate(&[1.0], &config(policy, LeadTime::Fixed(1), 0.0)).unwrap_err().to_string(), message);
    }
    let mut c = config(Policy::Naive { window_days: 30 }, LeadTime::Fixed(1), 0.0);
    c.pipeline = vec![(1, -2.0)];
    assert_eq!(simulate(&[1.0], &c).unwrap_err().to_string(), "pipeline[0] = -2 is out of range: allowed 0 or more");
    assert_eq!(
        simulate(&[f64::NAN], &config(Policy::Naive { window_days: 30 }, LeadTime::Fixed(1), 0.0))
            .unwrap_err()
            .argument,
        "demand[0]"
    );
    let drawn = LeadTime::Drawn { mean_days: -1.0, sd_days: 1.0, seed: 1 };
    assert_eq!(
        simulate(&[1.0], &config(Policy::Naive { window_days: 30 }, drawn, 0.0)).unwrap_err().to_string(),
        "lead_time_mean_days = -1 is out of range: allowed 0 or more"
    );
}

/// Daily demand: Poisson with mean `base · (1 + amplitude · sin(2π t / 365))`.
fn demand_series(seed: u64, days: usize, base: f64, amplitude: f64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    (0..days)
        .map(|t| rng.poisson(base * (1.0 + amplitude * (std::f64::consts::TAU * t as f64 / 365.0).sin())) as f64)
        .collect()
}

fn shop_product(history: Vec<f64>, lead_time_sd_days: f64) -> ProductInput {
    ProductInput {
        history,
        basis: DemandBasis::History,
        unit_cost: 10_000.0,
        lead_time_days: 7.0,
        lead_time_sd_days,
        on_hand: 0.0,
        on_order: 0.0,
    }
}

fn shop_config(policy: Policy, lead_time: LeadTime, on_hand: f64) -> SimConfig {
    SimConfig {
        policy,
        lead_time,
        history: vec![],
        on_hand,
        pipeline: vec![],
        unit_cost: 10_000.0,
        price: 20_000.0,
        holding_cost_rate: 0.25,
        order_cost: 30_000.0,
    }
}

/// `future` replayed under `policy` after `history`, in [`shop_config`]'s shop with a 7-day
/// lead time and `on_hand` units at the start.
fn replay_after(policy: Policy, history: &[f64], future: &[f64], on_hand: f64) -> SimResult {
    let mut c = shop_config(policy, LeadTime::Fixed(7), on_hand);
    c.history = history.to_vec();
    simulate(future, &c).unwrap()
}

#[test]
fn drawn_lead_times_are_deterministic() {
    let demand = demand_series(5, 400, 20.0, 0.0);
    let policy = Policy::ContinuousSQ { reorder_point: 160.0, order_qty: 300.0 };
    let drawn = |seed| LeadTime::Drawn { mean_days: 7.0, sd_days: 2.0, seed };
    let a = simulate(&demand, &shop_config(policy.clone(), drawn(1), 200.0)).unwrap();
    let b = simulate(&demand, &shop_config(policy.clone(), drawn(1), 200.0)).unwrap();
    let c = simulate(&demand, &shop_config(policy.clone(), drawn(2), 200.0)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let fixed = simulate(&demand, &shop_config(policy.clone(), LeadTime::Fixed(7), 200.0)).unwrap();
    let no_spread = LeadTime::Drawn { mean_days: 7.0, sd_days: 0.0, seed: 9 };
    assert_eq!(simulate(&demand, &shop_config(policy, no_spread, 200.0)).unwrap(), fixed);
}

#[test]
fn recommended_sq_policy_at_95_percent_service_keeps_fill_rate_on_stationary_demand() {
    // Plan on one year of history, replay ten further years of the same process.
    let series = demand_series(11, 365 + 3650, 20.0, 0.0);
    let (history, future) = series.split_at(365);
    for (lead_sd, lead_time) in
        [(0.0, LeadTime::Fixed(7)), (2.0, LeadTime::Drawn { mean_days: 7.0, sd_days: 2.0, seed: 3 })]
    {
        let mut p = shop_product(history.to_vec(), lead_sd);
        p.on_hand = 200.0;
        let params = PolicyParams { order_cost: 30_000.0, ..params(None) };
        let r = recommend(&p, &params).unwrap();
        let sq = Policy::ContinuousSQ { reorder_point: r.reorder_point, order_qty: r.eoq };
        let sim = simulate(future, &shop_config(sq, lead_time, p.on_hand)).unwrap();
        assert!(sim.fill_rate >= 0.93, "fill rate {} with {r:?}", sim.fill_rate);
        assert!(sim.orders > 50, "{sim:?}");
    }
}

#[test]
fn recommended_policy_beats_naive_baseline_on_seasonal_demand() {
    // A yearly season of ±30% around 20 a day; one year of history, two years replayed, for
    // three seeds. Both rules adapt: the naive one to the last 30 days, the recommended one
    // re-planned weekly from the last 4 weeks (95% service).
    for seed in [21, 22, 23] {
        let series = demand_series(seed, 3 * 365, 20.0, 0.3);
        let (history, future) = series.split_at(365);
        let run = |policy| replay_after(policy, history, future, 300.0);
        let params = PolicyParams { order_cost: 30_000.0, ..params(None) };
        let recommended =
            run(Policy::Recommended { params, window_days: 28, replan_days: 7, basis: DemandBasis::History });
        let naive = run(Policy::Naive { window_days: NAIVE_WINDOW_DAYS });
        // Seeds 21, 22, 23: total cost 2.99M / 3.40M / 3.34M against 4.51M / 4.46M / 4.45M.
        assert!(recommended.total_cost < 0.85 * naive.total_cost, "recommended {recommended:?}\nnaive {naive:?}");
        assert!(recommended.fill_rate > 0.98 && recommended.avg_on_hand < 0.5 * naive.avg_on_hand);
    }
}

#[test]
fn recommended_policy_follows_recommend_and_replans() {
    let series = demand_series(8, 365 + 200, 20.0, 0.0);
    let (history, future) = series.split_at(365);
    let params = PolicyParams { order_cost: 30_000.0, ..params(None) };
    let mut c = shop_config(Policy::Naive { window_days: 1 }, LeadTime::Fixed(7), 300.0);
    c.history = history.to_vec();
    // Planned once (no re-plan within the replay): the same as the rule `recommend` gives.
    let plan = recommend(&shop_product(history.to_vec(), 0.0), &params).unwrap().policy();
    let fixed = simulate(future, &SimConfig { policy: plan, ..c.clone() }).unwrap();
    c.policy = Policy::Recommended {
        params: params.clone(),
        window_days: 365,
        replan_days: 1000,
        basis: DemandBasis::History,
    };
    assert_eq!(simulate(future, &c).unwrap(), fixed);
    // Without history nothing is known before day 0: no order until the first re-plan.
    c.history.clear();
    c.on_hand = 0.0;
    c.policy =
        Policy::Recommended { params: params.clone(), window_days: 28, replan_days: 5, basis: DemandBasis::History };
    let r = simulate(&future[..10], &c).unwrap();
    assert_eq!((r.served, r.orders), (0.0, 1));
    c.policy =
        Policy::Recommended { params: params.clone(), window_days: 28, replan_days: 0, basis: DemandBasis::History };
    assert_eq!(
        simulate(&future[..10], &c).unwrap_err().to_string(),
        "replan_days = 0 is out of range: allowed 1 or more"
    );
    c.policy = Policy::Recommended {
        params: PolicyParams { holding_cost_rate: -1.0, ..params },
        window_days: 28,
        replan_days: 7,
        basis: DemandBasis::History,
    };
    assert_eq!(simulate(&[], &c).unwrap_err().to_string(), "holding_cost_rate = -1 is out of range: allowed above 0");
}

#[test]
fn smoothing_level_and_error_by_hand() {
    // 28 days of 4 start the level at 4; two days of 14: level 4 + 0.1·10 = 5, then
    // 5 + 0.1·9 = 5.9; one-day errors 0 (28 times), 10, 9: RMSE √(181/30).
    let mut h = vec![4.0; 28];
    h.extend([14.0, 14.0]);
    let s = DemandStats::from_history(&h).unwrap();
    assert!((s.level - 5.9).abs() < 1e-12, "{s:?}");
    assert!((s.level_rmse - (181.0f64 / 30.0).sqrt()).abs() < 1e-12);
    assert_eq!(DemandBasis::Smoothed.rate(&s, 7).unwrap(), (s.level, s.level_rmse));
    // Constant demand: the level is the demand and there is no error.
    let c = DemandStats::from_history(&[7.0; 90]).unwrap();
    assert_eq!((c.level, c.level_rmse), (7.0, 0.0));
    assert_eq!(DemandStats::from_history(&[]).unwrap().level, 0.0);
}

#[test]
fn smoothed_demand_follows_a_ramp_the_history_mean_misses() {
    // Demand rising from 2 to 20 a day over the 180 days of history and on for 60 more:
    // planned weekly from the 180-day mean, the shop runs out; from the smoothed level it
    // keeps up, at a lower total cost.
    let ramp: Vec<f64> = (0..240).map(|t| (2.0 + 0.1 * t as f64).round()).collect();
    let (history, future) = ramp.split_at(180);
    let params = PolicyParams { order_cost: 30_000.0, ..params(None) };
    let run = |basis| {
        let policy = Policy::Recommended { params: params.clone(), window_days: 180, replan_days: 7, basis };
        replay_after(policy, history, future, 100.0)
    };
    let (mean, smoothed) = (run(DemandBasis::History), run(DemandBasis::Smoothed));
    // Measured: fill rate 0.933 against 0.828, total cost 1.10M against 2.55M.
    assert!(smoothed.fill_rate > 0.92 && mean.fill_rate < 0.85, "smoothed {smoothed:?}\nmean {mean:?}");
    assert!(smoothed.total_cost < 0.5 * mean.total_cost, "smoothed {smoothed:?}\nmean {mean:?}");
}

// ---- events --------------------------------------------------------------------------------

fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Daily demand from `first` to `last`: `base(t)` times 4 on the mega-sale days (11.11 and
/// Black Friday to Cyber Monday), the other events without effect.
fn mega_sale_series(first: chrono::NaiveDate, last: chrono::NaiveDate, base: impl Fn(usize) -> f64) -> Vec<f64> {
    let days = (last - first).num_days() as usize + 1;
    (0..days)
        .map(|t| {
            let mega = crate::calendar::event_on(first + chrono::Duration::days(t as i64))
                == Some(crate::calendar::RetailEvent::MegaSale);
            base(t) * if mega { 4.0 } else { 1.0 }
        })
        .collect()
}

#[test]
fn event_multipliers_and_outlook_by_hand() {
    use super::events::{EventDemand, PRIOR_UNITS};
    // 10 a day from June 2024 to October 2025, 40 on the five mega-sale days of 2024
    // (11.11, 29 November to 2 December). Their baseline is 10 (every other day sells 10),
    // so the multiplier is (5·40 + 5) / (5·10 + 5); the other events show none: 1.
    let h = mega_sale_series(day(2024, 6, 1), day(2025, 10, 31), |_| 10.0);
    let e = EventDemand::learn(&h, &[], day(2025, 10, 31));
    let mega = (200.0 + PRIOR_UNITS) / (50.0 + PRIOR_UNITS);
    assert!((e.multipliers[2] - mega).abs() < 1e-12, "{e:?}");
    for k in [0, 1, 3] {
        assert!((e.multipliers[k] - 1.0).abs() < 1e-12, "{e:?}");
    }
    // The peak does not lift the level.
    assert!((e.level - 10.0).abs() < 1e-9, "{e:?}");
    // The week after 7 November 2025 holds 11.11: mean (6 + m) / 7 times 10.
    let h = mega_sale_series(day(2024, 6, 1), day(2025, 11, 7), |_| 10.0);
    let (mean, _) = EventDemand::learn(&h, &[], day(2025, 11, 7)).outlook(7);
    assert!((mean - 10.0 * (6.0 + mega) / 7.0).abs() < 1e-9, "{mean}");
    // No event in the coming days: the level; zero days of outlook count as one.
    assert_eq!(EventDemand::learn(&[10.0; 400], &[], day(2025, 6, 1)).outlook(0).0, 10.0);
    // A slow mover (0.1 a day) shows little: its five peak days weigh 0.5 against 5.
    let slow = mega_sale_series(day(2024, 6, 1), day(2025, 10, 31), |_| 0.1);
    let m = EventDemand::learn(&slow, &[], day(2025, 10, 31)).multipliers[2];
    assert!((m - (2.0 + PRIOR_UNITS) / (0.5 + PRIOR_UNITS)).abs() < 1e-12, "{m}");
    // Empty and all-zero histories: no demand, multipliers 1.
    for h in [vec![], vec![0.0; 400]] {
        let e = EventDemand::learn(&h, &[], day(2025, 10, 31));
        assert_eq!((e.level, e.multipliers), (0.0, [1.0; 4]));
    }
}

#[test]
fn events_policy_serves_the_mega_sale_at_half_the_naive_cost() {
    // Poisson demand around 20 a day, four times that on the mega-sale days; a year and a
    // half of history, then the 60 days from 1 October 2025 replayed (11.11 and Black
    // Friday to Cyber Monday inside), lead time 7 days, for three seeds.
    let (first, last) = (day(2024, 4, 1), day(2025, 11, 29));
    let split = (day(2025, 9, 30) - first).num_days() as usize + 1;
    for seed in [31, 32, 33] {
        let mut rng = Rng::new(seed);
        let series: Vec<f64> = mega_sale_series(first, last, |_| 20.0).iter().map(|m| rng.poisson(*m) as f64).collect();
        let (history, future) = series.split_at(split);
        let run = |policy| replay_after(policy, history, future, 300.0);
        let params = PolicyParams { order_cost: 30_000.0, ..params(None) };
        let plan =
            |basis, replan_days| Policy::Recommended { params: params.clone(), window_days: 400, replan_days, basis };
        let events =
            run(plan(DemandBasis::Events { last_day: day(2025, 9, 30), history: vec![], stocked_out: vec![] }, 1));
        let smoothed = run(plan(DemandBasis::Smoothed, 7));
        let naive = run(Policy::Naive { window_days: NAIVE_WINDOW_DAYS });
        assert!(events.fill_rate > 0.98, "events {events:?}");
        // Seed 31: nothing lost by either, total cost 0.21M against 0.41M (naive holds three
        // times the stock).
        assert!(
            events.fill_rate >= naive.fill_rate && events.lost <= smoothed.lost,
            "events {events:?}\nnaive {naive:?}\nsmoothed {smoothed:?}"
        );
        assert!(events.total_cost < 0.7 * naive.total_cost, "events {events:?}\nnaive {naive:?}");
    }
}

#[test]
fn event_outlook_error_is_measured_over_the_outlook_and_weighs_recent_stretches() {
    use super::events::EventDemand;
    let last = day(2025, 6, 30);
    // Flat demand without event lifts: every forecast sum is right, no error.
    let flat = vec![10.0; 400];
    let e = EventDemand::learn(&flat, &[], last);
    assert_eq!(e.multipliers, [1.0; 4]);
    assert_eq!(e.outlook(7), (10.0, 0.0));
    // Independent Poisson days: the one-day error is about √20, and a week's error per day
    // is only somewhat larger (the smoothed level's own error adds a little per day).
    let mut rng = Rng::new(7);
    let poisson: Vec<f64> = (0..400).map(|_| rng.poisson(20.0) as f64).collect();
    let e = EventDemand::learn(&poisson, &[], last);
    let (one, week) = (e.outlook(1).1, e.outlook(7).1);
    assert!((one / 20f64.sqrt() - 1.0).abs() < 0.25 && (1.0..1.6).contains(&(week / one)), "{one} {week}");
    // A level that wanders (a random walk): errors persist over the outlook, so the
    // per-day error of two-week sums is well above the one-day error.
    let mut level = 20.0;
    let walk: Vec<f64> = (0..400)
        .map(|_| {
            level = (level + 2.0 * rng.normal()).max(1.0);
            level
        })
        .collect();
    let e = EventDemand::learn(&walk, &[], last);
    assert!(e.outlook(14).1 > 2.0 * e.outlook(1).1, "{:?} {:?}", e.outlook(14), e.outlook(1));
    // The same miss weighs more when recent: one day of 60 among days of 10, 300 days
    // ago and 10 days ago (both days without events: late April 2024 / mid June 2025).
    let miss = |at: usize| {
        let mut h = vec![10.0; 400];
        h[at] = 60.0;
        EventDemand::learn(&h, &[], last).outlook(1).1
    };
    assert!(miss(390) > 3.0 * miss(100), "{} {}", miss(390), miss(100));
}

#[test]
fn days_that_ended_out_of_stock_teach_no_slump() {
    use super::events::{EventDemand, PRIOR_UNITS};
    // 10 a day, 40 on the five mega-sale days of 2024, but 11.11 and 29 November ran out
    // of stock after 12 sales. Unmarked, they pull the multiplier down; marked, it is
    // learned from the other three days alone.
    let (first, last) = (day(2024, 6, 1), day(2025, 10, 31));
    let mut h = mega_sale_series(first, last, |_| 10.0);
    let at = |d: chrono::NaiveDate| (d - first).num_days() as usize;
    let mut out = vec![false; h.len()];
    for d in [day(2024, 11, 11), day(2024, 11, 29)] {
        h[at(d)] = 12.0;
        out[at(d)] = true;
    }
    let unmarked = EventDemand::learn(&h, &[], last).multipliers[2];
    let marked = EventDemand::learn(&h, &out, last).multipliers[2];
    assert!((unmarked - (3.0 * 40.0 + 24.0 + PRIOR_UNITS) / (50.0 + PRIOR_UNITS)).abs() < 1e-12, "{unmarked}");
    assert!((marked - (3.0 * 40.0 + PRIOR_UNITS) / (30.0 + PRIOR_UNITS)).abs() < 1e-12, "{marked}");
    // The last ten days sold nothing because nothing was on hand: marked, the level stays
    // at 10 and no error stretch holds them; unmarked, the smoothing reads a slump.
    let n = h.len();
    let mut out = vec![false; n];
    for i in n - 10..n {
        h[i] = 0.0;
        out[i] = true;
    }
    let marked = EventDemand::learn(&h, &out, last);
    assert!((marked.level - 10.0).abs() < 1e-9, "{}", marked.level);
    assert!(EventDemand::learn(&h, &[], last).level < 7.0);
}
