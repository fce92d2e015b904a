-- Inventory optimization, policy simulation and profit margins.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;
SELECT table_name, rows > 0 AS loaded FROM cafe24.generate_demo_data(seed => 11, products => 30, customers => 2000, days => 240, start_date => '2025-01-01');

-- A hand-checkable product: 10 units a day for 30 days, lead time 7, cost 1000.
INSERT INTO cafe24.product (product_code, variant_code, name, category, price, unit_cost, lead_time_days)
VALUES ('HAND', 'HAND-1', 'Hand-checked mug', 'home', 2000, 1000, 7);
INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, product_id, quantity, unit_price, unit_cost, status)
SELECT 'H-' || g, 'H-' || g || '-01', 1, timestamptz '2025-07-29 12:00+09' - (g || ' days')::interval,
       (SELECT product_id FROM cafe24.product WHERE variant_code = 'HAND-1'), 10, 2000, 1000, 'delivered'
FROM generate_series(0, 29) AS g;
INSERT INTO cafe24.inventory_snapshot (day, product_id, on_hand, on_order)
SELECT '2025-07-29', product_id, 50, 0 FROM cafe24.product WHERE variant_code = 'HAND-1';

-- Constant demand has no variability: safety stock 0, reorder point 10·7 = 70, and with
-- 50 on hand an order up to 70 + EOQ is due now.
SELECT variant_code, on_hand, avg_daily_demand, demand_cv, lead_time_days, safety_stock, reorder_point, eoq, order_qty,
       round(days_of_cover::numeric, 1) AS days_of_cover, reason
FROM cafe24.optimize_inventory(as_of => '2025-07-29', history_days => 30, order_cost => 30000)
WHERE variant_code = 'HAND-1';

-- Every product gets a row; classes and reasons are filled in.
SELECT count(*) AS products, count(*) FILTER (WHERE reorder_point IS NOT NULL) AS planned,
       count(DISTINCT abc_class) AS abc_classes, bool_and(reason <> '') AS reasons,
       bool_and(safety_stock >= 0 AND eoq >= 0 AND order_qty >= 0) AS non_negative
FROM cafe24.optimize_inventory(service_level => 0.95, as_of => '2025-07-29');
SELECT abc_class, count(*) FROM cafe24.optimize_inventory(as_of => '2025-07-29') GROUP BY 1 ORDER BY 1;
-- A missing lead time uses the setting and says so; a missing cost gives no plan.
UPDATE cafe24.product SET lead_time_days = NULL WHERE variant_code = 'HAND-1';
SET cafe24_analytics.default_lead_time_days = 10;
SELECT lead_time_days, reorder_point, reason LIKE '%(default lead time)' AS says_default
FROM cafe24.optimize_inventory(as_of => '2025-07-29', history_days => 30) WHERE variant_code = 'HAND-1';
RESET cafe24_analytics.default_lead_time_days;
UPDATE cafe24.product SET unit_cost = NULL WHERE variant_code = 'HAND-1';
SELECT reorder_point, reason FROM cafe24.optimize_inventory(as_of => '2025-07-29') WHERE variant_code = 'HAND-1';
-- Periodic review and fill-rate targets.
SELECT count(*) FILTER (WHERE order_qty > 0) >= 0 AS ran FROM cafe24.optimize_inventory(review_period_days => 7, fill_rate => 0.98);
-- Bad input.
SELECT * FROM cafe24.optimize_inventory(service_level => 1.5);
SELECT * FROM cafe24.optimize_inventory(holding_cost_rate => -1);
SELECT * FROM cafe24.optimize_inventory(review_period_days => 0);
SELECT * FROM cafe24.optimize_inventory(history_days => 2);
SET cafe24_analytics.enable_inventory_optimization = off;
SELECT * FROM cafe24.optimize_inventory();
RESET cafe24_analytics.enable_inventory_optimization;

-- Simulation: the recommended policy against the naive baseline on the demo's demand.
SELECT variant_code, round(fill_rate::numeric, 3) > 0 AS ran, round(naive_fill_rate::numeric, 3) > 0 AS naive_ran,
       cost_change_pct IS NOT NULL AS compared
FROM cafe24.simulate_inventory_policy(from_date => '2025-06-01', to_date => '2025-08-28')
WHERE variant_code = 'TOTAL';
SELECT count(*) > 20 AS per_product FROM cafe24.simulate_inventory_policy('2025-06-01', '2025-08-28', policy => 'naive');
-- The plain mean of the window instead of smoothing: a different plan, the same baseline.
SELECT s.total_cost <> m.total_cost AS different_plan, s.naive_total_cost = m.naive_total_cost AS same_baseline
FROM cafe24.simulate_inventory_policy('2025-06-01', '2025-08-28') AS s
JOIN cafe24.simulate_inventory_policy('2025-06-01', '2025-08-28', policy => 'history_mean') AS m USING (variant_code)
WHERE variant_code = 'TOTAL';
SELECT * FROM cafe24.simulate_inventory_policy('2025-06-01', '2025-05-01');
SELECT * FROM cafe24.simulate_inventory_policy('2025-06-01', '2025-08-01', policy => 'magic');

-- Retail events planned ahead: 10 a day from June 2024, 40 on the five mega-sale days of
-- 2024 (11.11, 29 November to 2 December), except that 11.11 sold out after 12. The week
-- after 3 November 2025 holds no event: 10 a day. The week after 7 November holds 11.11:
-- (6 + m) / 7 · 10, with m = (160 + 12 + 5) / (50 + 5) learned from the five days and
-- shrunk by 5 units. Once the snapshot says 11.11 ended out of stock, that day teaches
-- nothing: m = (160 + 5) / (40 + 5).
INSERT INTO cafe24.product (product_code, variant_code, name, category, price, unit_cost, lead_time_days)
VALUES ('EVT', 'EVT-1', 'Event-planned tumbler', 'home', 2000, 1000, 7);
INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, product_id, quantity, unit_price, unit_cost, status)
SELECT 'E-' || d, 'E-' || d || '-01', 1, d + time '12:00' AT TIME ZONE 'Asia/Seoul',
       (SELECT product_id FROM cafe24.product WHERE variant_code = 'EVT-1'),
       CASE WHEN d = '2024-11-11' THEN 12 WHEN d BETWEEN '2024-11-29' AND '2024-12-02' THEN 40 ELSE 10 END, 2000, 1000, 'delivered'
FROM generate_series(date '2024-06-01', date '2025-11-07', interval '1 day') AS g(d_ts), LATERAL (SELECT d_ts::date AS d) AS x;
SELECT as_of, round(avg_daily_demand::numeric, 3) AS avg_daily_demand,
       round((10 * (6 + (160 + 12 + 5) / 55.0) / 7)::numeric, 3) AS by_hand
FROM (VALUES (date '2025-11-03'), (date '2025-11-07')) AS a(as_of),
     LATERAL cafe24.optimize_inventory(as_of => a.as_of) AS o
WHERE o.variant_code = 'EVT-1' ORDER BY 1;
INSERT INTO cafe24.inventory_snapshot (day, product_id, on_hand, on_order)
SELECT '2024-11-11', product_id, 0, 0 FROM cafe24.product WHERE variant_code = 'EVT-1';
SELECT round(avg_daily_demand::numeric, 3) AS avg_daily_demand, round((10 * (6 + 165 / 45.0) / 7)::numeric, 3) AS by_hand
FROM cafe24.optimize_inventory(as_of => '2025-11-07') WHERE variant_code = 'EVT-1';
DELETE FROM cafe24.order_line WHERE order_id LIKE 'E-%';
DELETE FROM cafe24.inventory_snapshot WHERE product_id = (SELECT product_id FROM cafe24.product WHERE variant_code = 'EVT-1');
DELETE FROM cafe24.product WHERE variant_code = 'EVT-1';

-- Demand from a saved forecast model (units by product per day): the mean forecast over
-- lead time plus review, and its backtest error. The hand-checked mug stopped selling a
-- month before the data ends: smoothing its last 60 days says 0.42 a day, its forecast
-- much less.
UPDATE cafe24.product SET unit_cost = 1000, lead_time_days = 7 WHERE variant_code = 'HAND-1';
SELECT count(*) AS series FROM cafe24.train_forecast_model('daily_units', horizon => 14, by => 'product', measure => 'units', model => 'ets');
SELECT count(*) FILTER (WHERE reason LIKE '%(demand: forecast)') AS from_forecast,
       count(*) FILTER (WHERE reason LIKE '%(demand: history, no forecast for this product)') AS from_history,
       bool_and(safety_stock >= 0 AND reorder_point >= 0) AS non_negative
FROM cafe24.optimize_inventory(demand_model => 'daily_units');
SELECT round(h.avg_daily_demand::numeric, 2) AS from_history, f.avg_daily_demand < h.avg_daily_demand / 2 AS forecast_much_lower
FROM cafe24.optimize_inventory(history_days => 60) AS h
JOIN cafe24.optimize_inventory(history_days => 60, demand_model => 'daily_units') AS f USING (variant_code)
WHERE variant_code = 'HAND-1';
-- The forecast starts after the history: planning an earlier day with it is refused.
SELECT * FROM cafe24.optimize_inventory(as_of => '2025-07-29', demand_model => 'daily_units');
SELECT count(*) FROM cafe24.train_forecast_model('weekly_revenue', horizon => 4, grain => 'week', by => 'category', model => 'seasonal_naive');
SELECT * FROM cafe24.optimize_inventory(demand_model => 'weekly_revenue');
SELECT * FROM cafe24.optimize_inventory(demand_model => 'no_such_model');

-- Profit margins with Pareto ranks and comparison periods.
SELECT key, gross_profit > 0 AS profitable, margin_pct BETWEEN 0 AND 100 AS sane_margin, pareto_rank,
       previous_gross_profit IS NOT NULL AS compared
FROM cafe24.profit_margins(by => 'category', from_date => '2025-06-01', to_date => '2025-08-28')
ORDER BY pareto_rank;
SELECT sum(profit_share_pct) BETWEEN 99.9 AND 100.1 AS shares_add_up, max(cumulative_profit_share_pct) AS cumulative,
       count(*) FILTER (WHERE makes_80_pct) < count(*) AS few_make_80
FROM cafe24.profit_margins(by => 'product', from_date => '2025-01-01', to_date => '2025-08-28', compare_to => NULL);
SELECT key, revenue = (SELECT sum(net_amount) FROM cafe24.sales_daily WHERE day BETWEEN '2025-03-01' AND '2025-03-31') AS matches_daily
FROM cafe24.profit_margins(by => 'month', from_date => '2025-03-01', to_date => '2025-03-31', compare_to => 'previous_year');
-- Known answers from the daily table: a month against the same month a year earlier, and
-- every grouping adding up to the same totals.
SELECT key, gross_profit = (SELECT sum(net_amount - cost_amount) FROM cafe24.sales_daily WHERE day BETWEEN '2025-03-01' AND '2025-03-31') AS current_ok,
       previous_gross_profit IS NOT DISTINCT FROM (SELECT sum(net_amount - cost_amount) FROM cafe24.sales_daily WHERE day BETWEEN '2024-03-01' AND '2024-03-31') AS previous_ok
FROM cafe24.profit_margins(by => 'month', from_date => '2025-03-01', to_date => '2025-03-31', compare_to => 'previous_year');
SELECT g.by, sum(m.revenue) = (SELECT sum(net_amount) FROM cafe24.sales_daily WHERE day BETWEEN '2025-04-01' AND '2025-06-30') AS revenue_ok,
       sum(m.previous_gross_profit) = (SELECT sum(net_amount - cost_amount) FROM cafe24.sales_daily WHERE day BETWEEN date '2025-04-01' - 91 AND date '2025-06-30' - 91) AS previous_ok
FROM unnest('{product,category,brand,shop,month}'::text[]) AS g(by),
     LATERAL cafe24.profit_margins(by => g.by, from_date => '2025-04-01', to_date => '2025-06-30') AS m
GROUP BY g.by ORDER BY g.by;
SELECT * FROM cafe24.profit_margins(by => 'colour');
SELECT * FROM cafe24.profit_margins(from_date => '2025-05-01', to_date => '2025-04-01');
SELECT * FROM cafe24.profit_margins(compare_to => 'last_decade');
