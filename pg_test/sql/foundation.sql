-- Foundation: star schema, demo data, incremental aggregates, Cafe24 ingest, settings.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;

-- Settings and their defaults.
SELECT name, setting, context FROM pg_settings WHERE name LIKE 'cafe24_analytics.%' AND name <> 'cafe24_analytics.report_storage_path' ORDER BY name;

-- Demo data is deterministic: the same arguments give the same rows.
SELECT * FROM cafe24.generate_demo_data(seed => 7, shops => 2, products => 60, customers => 400, days => 120, start_date => '2025-09-01');
SELECT count(DISTINCT category) AS categories, min(price) > 0 AS priced,
       bool_and(unit_cost < price) AS cost_below_price, count(*) FILTER (WHERE name ~ '[가-힣]') AS korean_names
FROM cafe24.product;
SELECT status, count(*) FROM cafe24.order_line GROUP BY status ORDER BY status;
SELECT event_type, count(*) FROM cafe24.behaviour_event GROUP BY event_type ORDER BY count(*) DESC;
SELECT to_char(month, 'YYYY-MM') AS month, sum(order_lines) AS lines, sum(sold_units) AS units, sum(net_amount) AS revenue
FROM cafe24.sales_monthly GROUP BY month ORDER BY month;
SELECT * FROM cafe24.check_aggregates();

-- The aggregates stay equal to a full recomputation through every kind of change.
UPDATE cafe24.order_line SET status = 'cancelled' WHERE line_id % 7 = 0;
UPDATE cafe24.order_line SET quantity = quantity + 1, discount = 0 WHERE line_id % 11 = 0;
UPDATE cafe24.order_line SET ordered_at = ordered_at + interval '20 hours' WHERE line_id % 13 = 0;
DELETE FROM cafe24.order_line WHERE line_id % 17 = 0;
UPDATE cafe24.product SET category = 'sale' WHERE product_id % 5 = 0;
UPDATE cafe24.shop SET timezone = 'America/New_York' WHERE shop_no = 2;
SELECT aggregate, missing_or_different, unexpected FROM cafe24.check_aggregates();
-- A rebuild gives the same tables.
CREATE TEMP TABLE daily_before AS SELECT * FROM cafe24.sales_daily;
SELECT cafe24.rebuild_aggregates();
SELECT count(*) AS rows_differing FROM ((TABLE daily_before EXCEPT TABLE cafe24.sales_daily) UNION ALL (TABLE cafe24.sales_daily EXCEPT TABLE daily_before)) AS d;
-- Deleting every line of some product-days removes their aggregate rows.
DELETE FROM cafe24.order_line WHERE product_id = 1;
SELECT count(*) AS product_1_rows FROM cafe24.sales_daily WHERE product_id = 1;
SELECT aggregate, missing_or_different, unexpected FROM cafe24.check_aggregates();
TRUNCATE cafe24.order_line CASCADE;
SELECT (SELECT count(*) FROM cafe24.sales_daily) AS daily, (SELECT count(*) FROM cafe24.sales_monthly) AS monthly;

-- Existing data is kept unless replace => true.
SELECT * FROM cafe24.generate_demo_data(seed => 7, customers => 10, days => 5);
SELECT table_name, rows > 0 AS loaded FROM cafe24.generate_demo_data(seed => 7, products => 5, customers => 20, days => 5, start_date => '2025-01-01', replace => true);
-- Bad knobs name themselves.
SELECT * FROM cafe24.generate_demo_data(customers => 0, replace => true);
SELECT * FROM cafe24.generate_demo_data(days => 100000, replace => true);
SELECT * FROM cafe24.generate_demo_data(sessions_per_order => 'NaN', replace => true);
SELECT * FROM cafe24.generate_demo_data(start_date => 'infinity', replace => true);

-- A role that may only write order lines still keeps the aggregates exact (the
-- maintenance triggers are SECURITY DEFINER) and cannot rebuild them.
CREATE ROLE regress_loader;
GRANT USAGE ON SCHEMA cafe24 TO regress_loader;
GRANT INSERT, UPDATE ON cafe24.order_line TO regress_loader;
-- It writes shop 1's lines (per-shop row-level security: cafe24.shop_access).
INSERT INTO cafe24.shop_access (role, shop_no) VALUES ('regress_loader', 1);
SET ROLE regress_loader;
SELECT * FROM cafe24.generate_demo_data(replace => true);
INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, product_id, quantity, unit_price, status)
VALUES ('X-1', 'X-1-01', 1, '2025-01-03 12:00+09', 1, 3, 1000, 'paid');
SELECT cafe24.rebuild_aggregates();
RESET ROLE;
SELECT aggregate, missing_or_different, unexpected FROM cafe24.check_aggregates();
SELECT day, order_lines, sold_units, net_amount FROM cafe24.sales_daily WHERE (day, shop_no, product_id) = ('2025-01-03', 1, 1);
DROP OWNED BY regress_loader;
DROP ROLE regress_loader;
