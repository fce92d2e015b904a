-- Customer behaviour: RFM segments, lifetime value, cohorts, repeat purchases, funnels,
-- product affinity.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;
SET TimeZone = 'UTC';
SELECT table_name, rows > 0 AS loaded FROM cafe24.generate_demo_data(seed => 21, products => 80, customers => 3000, days => 365, start_date => '2025-01-01');

-- Every purchasing member gets scores 1-5, a segment and a label.
SELECT count(*) AS customers, min(r_score) AS r_min, max(r_score) AS r_max, min(frequency) AS f_min,
       bool_and(distance >= 0) AS distances, count(DISTINCT segment_label) > 1 AS several_labels
FROM cafe24.segment_customers(as_of => '2026-01-01', k => 4);
SELECT segment_id, segment_label, customers > 0 AS populated, round(revenue_share_pct) >= 0 AS share
FROM cafe24.segment_summary(as_of => '2026-01-01', k => 4) ORDER BY segment_id;
-- The same seed gives the same segments; the quantile method needs no k.
SELECT (SELECT md5(string_agg(customer_key || segment_id, ',' ORDER BY customer_key)) FROM cafe24.segment_customers(as_of => '2026-01-01', k => 4, seed => 1))
     = (SELECT md5(string_agg(customer_key || segment_id, ',' ORDER BY customer_key)) FROM cafe24.segment_customers(as_of => '2026-01-01', k => 4, seed => 1)) AS deterministic;
SELECT segment_label, count(*) > 0 AS present FROM cafe24.segment_customers(as_of => '2026-01-01', method => 'quantile') GROUP BY 1 ORDER BY 1;

-- A tiny hand-made source: three customers, known RFM.
SELECT customer_key, recency_days, frequency, monetary, r_score, f_score, m_score
FROM cafe24.segment_customers(as_of => '2025-03-01 00:00+00', method => 'quantile',
  source => $$SELECT * FROM (VALUES ('a', timestamptz '2025-02-28 00:00+00', 100.0), ('a', '2025-01-01 00:00+00', 50.0),
                                    ('b', '2025-01-10 00:00+00', 20.0), ('c', '2025-02-01 00:00+00', 0.0)) AS t(customer_id, ordered_at, amount)$$)
ORDER BY customer_key;

-- Lifetime value: BG/NBD + Gamma-Gamma.
SELECT count(*) AS customers, bool_and(probability_alive BETWEEN 0 AND 1) AS probabilities,
       bool_and(expected_purchases >= 0 AND clv >= 0) AS non_negative,
       bool_and(probability_alive = 1) FILTER (WHERE repeat_purchases = 0) AS one_time_buyers_alive
FROM cafe24.customer_lifetime_value(horizon_days => 180, as_of => '2026-01-01');
SELECT repeat_purchases, customers > 0 AS populated, mean_predicted > 0 AS predicts
FROM cafe24.evaluate_lifetime_value(calibration_end => '2025-09-01', holdout_days => 90) ORDER BY customers DESC LIMIT 3;
SELECT predicted_purchases / actual_purchases BETWEEN 0.5 AND 2.0 AS within_factor_two
FROM cafe24.evaluate_lifetime_value(calibration_end => '2025-09-01', holdout_days => 90) WHERE repeat_purchases = 'all';

-- Cohorts and repeat purchases.
SELECT cohort, period, customers, cohort_size, retention_pct
FROM cafe24.cohort_retention() WHERE cohort = '2025-01-01' AND period <= 3 ORDER BY period;
SELECT bool_and(retention_pct <= 100) AS bounded, bool_and(retention_pct = 100) FILTER (WHERE period = 0) AS period0_full
FROM cafe24.cohort_retention(grain => 'week');
SELECT period, customers = new_customers + returning_customers AS adds_up FROM cafe24.repeat_purchase_rate() ORDER BY period LIMIT 3;

-- Funnels narrow at each step.
SELECT group_key, step, event_type, entered >= coalesce(converted, 0) AS narrows, conversion_pct <= 100 AS bounded
FROM cafe24.funnel() ORDER BY step;
SELECT * FROM cafe24.funnel(steps => array_fill('view'::text, ARRAY[100000]));
SELECT count(DISTINCT group_key) AS shops FROM cafe24.funnel(by => 'shop');
SELECT step, event_type, entered > 0 AS entered FROM cafe24.funnel(steps => '{view,purchase}', within => '2 hours') ORDER BY step;
SELECT * FROM cafe24.funnel(steps => '{view}');
SELECT * FROM cafe24.funnel(steps => '{view,wishlist}');
SELECT * FROM cafe24.funnel(within => '-1 hour');

-- Product affinity: complements in the demo are bought together far more than by chance.
SELECT count(*) > 0 AS pairs, min(lift) >= 1 AS lifted, max(lift) > 2 AS strong FROM cafe24.product_affinity(min_support => 0.001);
SELECT * FROM cafe24.product_affinity(min_support => 0);

-- Bad input.
SELECT * FROM cafe24.segment_customers(k => 0);
SELECT * FROM cafe24.segment_customers(k => 100000);
SELECT * FROM cafe24.segment_customers(method => 'dbscan');
SELECT * FROM cafe24.segment_customers(source => 'SELECT 1 AS who');
SELECT * FROM cafe24.customer_lifetime_value(horizon_days => 0);
SELECT * FROM cafe24.customer_lifetime_value(margin => 2);
SELECT * FROM cafe24.segment_customers(source => $$SELECT 'x' AS customer_id, now() AS ordered_at, 1 AS amount WHERE false$$);
SELECT * FROM cafe24.cohort_retention(grain => 'day');
SET cafe24_analytics.enable_customer_segmentation = off;
SELECT * FROM cafe24.segment_customers();
RESET cafe24_analytics.enable_customer_segmentation;
