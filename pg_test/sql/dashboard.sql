-- KPIs (catalog, values, live maintenance and NOTIFY) and dashboards (specs, data with
-- per-widget errors, HTML and PDF, row-level security).
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;
SET TimeZone = 'Asia/Seoul';
SELECT table_name, rows > 0 AS loaded FROM cafe24.generate_demo_data(seed => 9, products => 20, customers => 600, days => 90, start_date => '2025-01-01');

-- order_daily is exact: the triggers agree with a recomputation from scratch.
CREATE TEMP TABLE kept AS SELECT * FROM cafe24.order_daily;
SELECT cafe24.rebuild_kpis() = (SELECT count(*) FROM kept) AS same_rows;
SELECT count(*) AS differences FROM (SELECT * FROM kept EXCEPT SELECT * FROM cafe24.order_daily) AS d;
SELECT sum(orders) = (SELECT count(DISTINCT order_id) FROM cafe24.order_line WHERE status NOT IN ('cancelled', 'returned')) AS orders_match
FROM cafe24.order_daily;

-- The catalog and a month of values, against the aggregates directly.
SELECT name, format, live, formula IS NOT NULL AS is_formula FROM cafe24.kpi ORDER BY name;
SELECT kpi, period_start, period_end, value, previous_value, change_pct, array_length(sparkline, 1) AS points
FROM cafe24.kpi_values(names => '{revenue,orders,average_order_value,gross_margin,conversion_rate,repeat_purchase_rate}', period => 'month', as_of => '2025-02-28');
SELECT (SELECT sum(net_amount) FROM cafe24.sales_daily WHERE day BETWEEN '2025-02-01' AND '2025-02-28') =
       (SELECT value FROM cafe24.kpi_values(names => '{revenue}', period => 'month', as_of => '2025-02-28')) AS revenue_matches;
SELECT kpi, value IS NOT NULL AS has_value FROM cafe24.kpi_values(names => '{inventory_value,below_reorder_point}', as_of => '2025-03-31');
SELECT * FROM cafe24.kpi_values(names => '{revenue,profit}');
SELECT * FROM cafe24.kpi_values(names => '{profit,revenue,profit,margin}');
SELECT * FROM cafe24.kpi_values(names => array_fill('revenue'::text, ARRAY[1001]));
SELECT * FROM cafe24.kpi_values(period => 'fortnight');
SELECT * FROM cafe24.kpi_values(as_of => 'infinity');

-- Live KPIs: an order moves the day's values in kpi_live (each change is a NOTIFY cafe24_kpi,
-- delivered at commit; bench/dashboards.sh measures that).
CREATE TEMP TABLE kept_live AS SELECT kpi, value FROM cafe24.kpi_live WHERE day = '2025-03-31' AND shop_no = (SELECT min(shop_no) FROM cafe24.shop);
INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
SELECT 'LIVE-1', 'LIVE-1-01', min(shop_no), '2025-03-31 10:00+09', (SELECT min(customer_id) FROM cafe24.customer), (SELECT min(product_id) FROM cafe24.product), 2, 15000, 9000, 'paid'
FROM cafe24.shop;
SELECT kpi, value - coalesce(before.v, 0) AS moved_by FROM cafe24.kpi_live
LEFT JOIN (SELECT kpi AS k, value AS v FROM kept_live) AS before ON before.k = kpi
WHERE day = '2025-03-31' AND shop_no = (SELECT min(shop_no) FROM cafe24.shop) AND kpi IN ('orders', 'revenue', 'units') ORDER BY kpi;

-- A listener in another session gets one NOTIFY cafe24_kpi per KPI the commit moved (shop
-- 1's revenue, orders and units for that day, among others), with its key and not its
-- value (any role may LISTEN): the value is read from kpi_live, which needs a grant.
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('listener', format('host=%s port=%s dbname=%s user=%s', split_part(current_setting('unix_socket_directories'), ',', 1),
                                         current_setting('port'), current_database(), current_user));
SELECT dblink_exec('listener', 'LISTEN cafe24_kpi');
INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
SELECT 'LIVE-2', 'LIVE-2-01', min(shop_no), '2025-03-31 11:00+09', (SELECT max(customer_id) FROM cafe24.customer), (SELECT min(product_id) FROM cafe24.product), 1, 20000, 9000, 'paid'
FROM cafe24.shop;
CREATE TEMP TABLE heard (channel text, payload jsonb);
DO $$
BEGIN
    FOR i IN 1..100 LOOP
        INSERT INTO heard SELECT notify_name, extra::jsonb FROM dblink_get_notify('listener');
        EXIT WHEN EXISTS (SELECT FROM heard WHERE payload ->> 'kpi' = 'revenue');
        PERFORM pg_sleep(0.05);
    END LOOP;
END $$;
SELECT h.channel, h.payload ->> 'kpi' AS kpi, h.payload ->> 'day' AS day,
       NOT h.payload ? 'value' AS no_value_in_payload, l.value > 0 AS value_in_kpi_live, h.payload ? 'at' AS stamped
FROM heard AS h JOIN cafe24.kpi_live AS l ON l.kpi = h.payload ->> 'kpi' AND l.shop_no = (h.payload ->> 'shop')::int AND l.day = (h.payload ->> 'day')::date
WHERE h.payload ->> 'kpi' IN ('orders', 'revenue', 'units') ORDER BY 2;
SELECT dblink_disconnect('listener');

-- UPDATEs that move an order and a shopper's events to another day refresh both days, as a
-- rebuild would.
UPDATE cafe24.order_line SET ordered_at = '2025-03-30 10:00+09' WHERE order_id = 'LIVE-1';
UPDATE cafe24.behaviour_event SET occurred_at = occurred_at - interval '1 day'
WHERE session_id = (SELECT min(session_id) FROM cafe24.behaviour_event WHERE occurred_at >= '2025-03-31');
-- More of what the triggers keep by difference: a repeat order of a known customer in two
-- statements, a guest order, one line cancelled and a whole order cancelled, an order
-- deleted, a new session with a purchase, events deleted.
INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
SELECT 'LIVE-3', 'LIVE-3-0' || g, min(shop_no), '2025-03-31 12:00+09', (SELECT min(customer_id) FROM cafe24.customer), (SELECT min(product_id) FROM cafe24.product), g, 1000, 500, 'paid'
FROM cafe24.shop, generate_series(1, 2) AS g GROUP BY g;
INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
SELECT 'LIVE-3', 'LIVE-3-03', min(shop_no), '2025-03-31 12:00+09', (SELECT min(customer_id) FROM cafe24.customer), (SELECT max(product_id) FROM cafe24.product), 1, 3000, 1000, 'paid'
FROM cafe24.shop;
INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
SELECT 'GUEST-1', 'GUEST-1-01', max(shop_no), '2025-03-29 08:00+09', NULL, (SELECT min(product_id) FROM cafe24.product), 1, 5000, 2000, 'paid'
FROM cafe24.shop;
UPDATE cafe24.order_line SET status = 'cancelled' WHERE order_item_code = 'LIVE-3-01';
UPDATE cafe24.order_line SET status = 'cancelled' WHERE order_id = 'LIVE-2';
DELETE FROM cafe24.order_line WHERE order_id = (SELECT min(order_id) FROM cafe24.order_line WHERE ordered_at >= '2025-03-20' AND ordered_at < '2025-03-21');
INSERT INTO cafe24.behaviour_event (session_id, customer_id, shop_no, product_id, event_type, occurred_at)
SELECT 999999999, NULL, min(shop_no), (SELECT min(product_id) FROM cafe24.product), t, '2025-03-31 13:00+09'::timestamptz + g * interval '1 minute'
FROM cafe24.shop, unnest('{view,cart,checkout,purchase}'::text[]) WITH ORDINALITY AS x(t, g) GROUP BY t, g;
DELETE FROM cafe24.behaviour_event WHERE session_id = (SELECT max(session_id) FROM cafe24.behaviour_event WHERE session_id < 999999999);
-- INSERT ... ON CONFLICT DO UPDATE fires both the UPDATE and the INSERT triggers: a line
-- cancelled and a new one added to the same order in one statement count once.
INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
SELECT 'LIVE-3', c, min(shop_no), '2025-03-31 12:00+09', (SELECT min(customer_id) FROM cafe24.customer), (SELECT min(product_id) FROM cafe24.product), 1, 1000, 500, st
FROM cafe24.shop, (VALUES ('LIVE-3-02', 'cancelled'), ('LIVE-3-04', 'paid')) AS v(c, st) GROUP BY c, st
ON CONFLICT (shop_no, order_item_code) DO UPDATE SET status = excluded.status;
-- Two sessions writing lines of the same new order at once: the second waits for the
-- first to commit, then counts from its rows (one order, not two).
SELECT dblink_connect('w1', format('host=%s port=%s dbname=%s user=%s', split_part(current_setting('unix_socket_directories'), ',', 1),
                                   current_setting('port'), current_database(), current_user)) AS w1,
       dblink_connect('w2', format('host=%s port=%s dbname=%s user=%s', split_part(current_setting('unix_socket_directories'), ',', 1),
                                   current_setting('port'), current_database(), current_user)) AS w2;
SELECT dblink_exec('w1', 'BEGIN');
SELECT dblink_exec('w1', $$INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
                           SELECT 'RACE-1', 'RACE-1-01', min(shop_no), '2025-03-31 14:00+09', NULL, (SELECT min(product_id) FROM cafe24.product), 1, 1000, 500, 'paid' FROM cafe24.shop$$);
SELECT dblink_send_query('w2', $$INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
                                 SELECT 'RACE-1', 'RACE-1-02', min(shop_no), '2025-03-31 14:00+09', NULL, (SELECT min(product_id) FROM cafe24.product), 1, 1000, 500, 'paid' FROM cafe24.shop$$);
SELECT pg_sleep(0.5);
SELECT dblink_is_busy('w2') AS second_waits;
SELECT dblink_exec('w1', 'COMMIT');
SELECT * FROM dblink_get_result('w2') AS r(status text);
SELECT dblink_disconnect('w1'), dblink_disconnect('w2');
CREATE TEMP TABLE kept_moved AS SELECT * FROM cafe24.order_daily;
SELECT cafe24.rebuild_kpis() = (SELECT count(*) FROM kept_moved) AS same_rows_after_update;
SELECT count(*) AS differences_after_update FROM (SELECT * FROM kept_moved EXCEPT SELECT * FROM cafe24.order_daily) AS d;
-- A shop moving to another time zone: its days are cut anew, as a rebuild would.
UPDATE cafe24.shop SET timezone = 'America/New_York' WHERE shop_no = (SELECT min(shop_no) FROM cafe24.shop);
CREATE TEMP TABLE kept_tz AS SELECT * FROM cafe24.order_daily;
SELECT cafe24.rebuild_kpis() = (SELECT count(*) FROM kept_tz) AS same_rows_after_timezone;
SELECT count(*) AS differences_after_timezone FROM (SELECT * FROM kept_tz EXCEPT SELECT * FROM cafe24.order_daily) AS d;
UPDATE cafe24.shop SET timezone = 'Asia/Seoul' WHERE shop_no = (SELECT min(shop_no) FROM cafe24.shop);

-- Deferred live KPIs (cafe24_analytics.live_kpis = deferred; auto means that in the
-- scheduler's database when the library is preloaded): the triggers only queue what
-- changed, and kpi_live and kpi_daily_facts follow when the queue is folded (here by
-- hand, there by the scheduler's worker every 250 ms), to the same values a count at the
-- statement gives: a rebuild afterwards changes nothing.
SET cafe24_analytics.live_kpis = 'sometimes';
SET cafe24_analytics.live_kpis = deferred;
CREATE TEMP TABLE kept_before_fold AS SELECT kpi, value FROM cafe24.kpi_live WHERE day = '2025-03-31' AND shop_no = (SELECT min(shop_no) FROM cafe24.shop);
INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
SELECT 'DEFER-1', 'DEFER-1-0' || g, min(shop_no), '2025-03-31 15:00+09', (SELECT min(customer_id) FROM cafe24.customer), (SELECT min(product_id) FROM cafe24.product), 1, 10000, 6000, 'paid'
FROM cafe24.shop, generate_series(1, 3) AS g GROUP BY g;
UPDATE cafe24.order_line SET ordered_at = '2025-03-28 10:00+09' WHERE order_id = 'LIVE-3';
UPDATE cafe24.order_line SET status = 'returned' WHERE order_item_code = 'RACE-1-01';
INSERT INTO cafe24.behaviour_event (session_id, customer_id, shop_no, product_id, event_type, occurred_at)
SELECT 999999998, NULL, min(shop_no), (SELECT min(product_id) FROM cafe24.product), t, '2025-03-31 16:00+09'::timestamptz + g * interval '1 minute'
FROM cafe24.shop, unnest('{view,purchase}'::text[]) WITH ORDINALITY AS x(t, g) GROUP BY t, g;
DELETE FROM cafe24.behaviour_event WHERE session_id = (SELECT min(session_id) FROM cafe24.behaviour_event WHERE occurred_at >= '2025-03-30');
SELECT source, count(*) > 0 AS queued FROM cafe24.kpi_dirty GROUP BY 1 ORDER BY 1;
SELECT count(*) AS moved_before_fold FROM cafe24.kpi_live AS l JOIN kept_before_fold AS b USING (kpi)
WHERE l.day = '2025-03-31' AND l.shop_no = (SELECT min(shop_no) FROM cafe24.shop) AND l.value IS DISTINCT FROM b.value;
SELECT cafe24.fold_live_kpis() > 0 AS folded;
SELECT count(*) AS left_in_queue FROM cafe24.kpi_dirty;
SELECT l.kpi, l.value - coalesce(b.value, 0) AS moved_by FROM cafe24.kpi_live AS l LEFT JOIN kept_before_fold AS b USING (kpi)
WHERE l.day = '2025-03-31' AND l.shop_no = (SELECT min(shop_no) FROM cafe24.shop) AND l.kpi IN ('revenue', 'units') ORDER BY 1;
-- Two sessions writing the same shop-day at once (products of two categories, whose sales
-- aggregates are other rows) do not wait for each other while deferred.
SELECT dblink_connect('w1', format('host=%s port=%s dbname=%s user=%s', split_part(current_setting('unix_socket_directories'), ',', 1),
                                   current_setting('port'), current_database(), current_user)) AS w1,
       dblink_connect('w2', format('host=%s port=%s dbname=%s user=%s', split_part(current_setting('unix_socket_directories'), ',', 1),
                                   current_setting('port'), current_database(), current_user)) AS w2;
SELECT dblink_exec('w1', 'SET cafe24_analytics.live_kpis = deferred'), dblink_exec('w2', 'SET cafe24_analytics.live_kpis = deferred');
SELECT dblink_exec('w1', 'BEGIN');
SELECT dblink_exec('w1', $$INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
                           SELECT 'RACE-2', 'RACE-2-01', min(shop_no), '2025-03-31 17:00+09', (SELECT max(customer_id) FROM cafe24.customer), (SELECT min(product_id) FROM cafe24.product WHERE category = (SELECT min(category) FROM cafe24.product)), 1, 1000, 500, 'paid' FROM cafe24.shop$$);
SELECT dblink_send_query('w2', $$INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
                                 SELECT 'RACE-3', 'RACE-3-01', min(shop_no), '2025-03-31 17:00+09', (SELECT max(customer_id) FROM cafe24.customer), (SELECT min(product_id) FROM cafe24.product WHERE category = (SELECT max(category) FROM cafe24.product)), 1, 1000, 500, 'paid' FROM cafe24.shop$$);
SELECT pg_sleep(0.5);
SELECT dblink_is_busy('w2') AS second_waits;
SELECT * FROM dblink_get_result('w2') AS r(status text);
SELECT cafe24.fold_live_kpis() > 0 AS folded_before_first_commits;
SELECT dblink_exec('w1', 'COMMIT');
SELECT dblink_disconnect('w1'), dblink_disconnect('w2');
SELECT cafe24.fold_live_kpis() > 0 AS folded_after;
CREATE TEMP TABLE kept_deferred AS SELECT * FROM cafe24.order_daily;
CREATE TEMP TABLE kept_live_deferred AS SELECT kpi, shop_no, day, value FROM cafe24.kpi_live;
SELECT cafe24.rebuild_kpis() = (SELECT count(*) FROM kept_deferred) AS same_rows_deferred;
SELECT count(*) AS differences_deferred FROM (SELECT * FROM kept_deferred EXCEPT SELECT * FROM cafe24.order_daily) AS d;
SELECT count(*) AS live_differences_deferred FROM (
    (SELECT * FROM kept_live_deferred EXCEPT SELECT kpi, shop_no, day, value FROM cafe24.kpi_live)
    UNION ALL (SELECT kpi, shop_no, day, value FROM cafe24.kpi_live EXCEPT SELECT * FROM kept_live_deferred)) AS d;
RESET cafe24_analytics.live_kpis;
SELECT cafe24.fold_live_kpis() AS nothing_queued;

-- A dashboard: KPI tiles, a chart, a table whose query fails at run time, a heatmap.
SELECT cafe24.create_dashboard('ops', '{
  "title": "Operations",
  "widgets": [
    {"title": "February", "kind": "kpi", "kpis": ["revenue", "orders"], "period": "month"},
    {"title": "Daily revenue", "kind": "line", "x": "day", "y": ["revenue"],
     "query": "SELECT day, sum(revenue) AS revenue FROM cafe24.kpi_daily_facts GROUP BY day ORDER BY day",
     "position": {"col": 1, "row": 2, "width": 8, "height": 2}},
    {"title": "Fragile", "kind": "table", "query": "SELECT 1 / (count(*) - count(*)) AS boom FROM cafe24.shop"},
    {"title": "Cohorts", "kind": "cohort_heatmap", "periods": 2}
  ]
}');
SELECT widget_no, title, kind, kpis, col, "row", width, height, refresh_seconds FROM cafe24.widget WHERE dashboard = 'ops' ORDER BY widget_no;
SELECT w ->> 'title' AS widget, w -> 'error' ->> 'sqlstate' AS error, jsonb_array_length(w -> 'data' -> 'rows') > 0 AS has_rows
FROM jsonb_array_elements(cafe24.dashboard_data('ops') -> 'widgets') AS w;
-- One widget alone, for a front end refreshing it on its own interval; a bad number is named.
SELECT w ->> 'widget_no' AS widget_no, w ->> 'kind' AS kind FROM jsonb_array_elements(cafe24.dashboard_data('ops', widgets => '{0}') -> 'widgets') AS w;
SELECT cafe24.dashboard_data('ops', widgets => '{0,99}');
SELECT cafe24.dashboard_data('ops', widgets => '{}');
SELECT position('<svg' IN page) > 0 AS chart, position('division by zero' IN page) > 0 AS widget_error_shown,
       position('grid-column:1/span 8' IN page) > 0 AS placed, position('http' IN page) = 0 AS self_contained
FROM (SELECT convert_from(cafe24.render_dashboard('ops', 'html'), 'UTF8') AS page) AS p;
SELECT substr(cafe24.render_dashboard('ops', 'pdf'), 1, 5) AS pdf_magic;

-- The default dashboard renders.
SELECT w ->> 'title' AS widget, w ->> 'kind' AS kind, w -> 'error' ->> 'message' AS error,
       coalesce(jsonb_array_length(w -> 'data' -> 'rows') > 0, w -> 'data' ? 'kpis' OR w ->> 'kind' = 'kpi') AS has_data
FROM jsonb_array_elements(cafe24.dashboard_data('merchant_overview') -> 'widgets') AS w;

-- Bad input: precise spec errors, unknown names and parameters.
SELECT cafe24.create_dashboard('bad', '{"title": "x", "widgets": [{"title": "a", "kind": "gauge"}]}');
SELECT cafe24.create_dashboard('bad', '{"title": "x", "widgets": [{"title": "a", "kind": "bar", "query": "SELECT 1 AS n", "x": "n", "y": ["m"]}]}');
SELECT cafe24.create_dashboard('bad', '{"title": "x", "widgets": [{"title": "a", "kind": "table", "query": "SELECT * FROM nowhere"}]}');
SELECT cafe24.create_dashboard('bad', '{"title": "x", "widgets": [{"title": "a", "kind": "table", "query": "SELECT 1", "position": {"col": 8, "width": 6}}]}');
SELECT cafe24.dashboard_data('nope');
SELECT cafe24.dashboard_data('ops', '{"shop": 1}');
SELECT cafe24.render_dashboard('ops', 'xlsx');

-- Row-level security: a dashboard is its owner's until shared.
CREATE ROLE dash_carol;
GRANT USAGE ON SCHEMA cafe24 TO dash_carol;
SET ROLE dash_carol;
SELECT name FROM cafe24.dashboard ORDER BY name;
SELECT count(*) AS widgets_seen FROM cafe24.widget WHERE dashboard = 'ops';
SELECT cafe24.dashboard_data('ops');
RESET ROLE;
UPDATE cafe24.dashboard SET readers = '{dash_carol}' WHERE name = 'ops';
SET ROLE dash_carol;
SELECT count(*) AS widgets_seen FROM cafe24.widget WHERE dashboard = 'ops';
-- Only the extension owner marks KPIs and dashboards built in (shown to every role; a
-- built-in KPI's formula runs in the live-KPI triggers).
INSERT INTO cafe24.kpi (name, title, formula, builtin, live) VALUES ('carols', 'Carol''s', 'sum(revenue)', true, true);
INSERT INTO cafe24.kpi (name, title, formula) VALUES ('carols', 'Carol''s', 'sum(revenue)');
UPDATE cafe24.kpi SET builtin = true WHERE name = 'carols';
SELECT cafe24.create_dashboard('carols', '{"title": "Carol", "widgets": [{"title": "Revenue", "kind": "kpi", "kpis": ["carols"]}]}');
UPDATE cafe24.dashboard SET builtin = true WHERE name = 'carols';
SELECT name, builtin FROM cafe24.kpi WHERE name = 'carols' UNION ALL SELECT name, builtin FROM cafe24.dashboard WHERE name = 'carols';
SELECT cafe24.drop_dashboard('carols', if_exists => true);
DELETE FROM cafe24.kpi WHERE name = 'carols';
RESET ROLE;

SELECT cafe24.drop_dashboard('ops');
SELECT count(*) AS widgets_left FROM cafe24.widget WHERE dashboard = 'ops';
DROP OWNED BY dash_carol;
DROP ROLE dash_carol;

-- A KPI formula is code: another role's KPI never runs as the caller, not for a superuser
-- and not for a reader it was shared with (it would run its owner's code with their rights).
CREATE ROLE dash_mallory;
CREATE ROLE dash_reader;
GRANT USAGE ON SCHEMA cafe24 TO dash_mallory, dash_reader;
CREATE TABLE public.dash_hits (who text);
GRANT INSERT ON public.dash_hits TO PUBLIC;
CREATE FUNCTION public.dash_trap() RETURNS numeric LANGUAGE sql VOLATILE AS $$ INSERT INTO public.dash_hits VALUES (current_user) RETURNING 1 $$;
SET ROLE dash_mallory;
INSERT INTO cafe24.kpi (name, title, query, readers) VALUES ('trap', 'Trap', 'SELECT public.dash_trap()', '{dash_reader}');
RESET ROLE;
SELECT count(*) AS trap_visible_to_superuser FROM cafe24.kpi WHERE name = 'trap';
SELECT count(*) FILTER (WHERE kpi = 'trap') AS trap_rows FROM cafe24.kpi_values(as_of => '2025-03-31');
-- A bare name is the caller's own KPI or a built-in one; owner.name names mallory's, which
-- is refused because its formula would run with the caller's rights.
SELECT * FROM cafe24.kpi_values(names => '{trap}', as_of => '2025-03-31');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM cafe24.kpi_values(names => '{dash_mallory.trap}', as_of => '2025-03-31');
\echo :LAST_ERROR_SQLSTATE
SET ROLE dash_reader;
SELECT count(*) FILTER (WHERE kpi = 'trap') AS trap_rows FROM cafe24.kpi_values(as_of => '2025-03-31');
SELECT * FROM cafe24.kpi_values(names => '{trap}', as_of => '2025-03-31');
SELECT * FROM cafe24.kpi_values(names => '{dash_mallory.trap}', as_of => '2025-03-31');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) AS trap_calls FROM public.dash_hits;
DELETE FROM cafe24.kpi WHERE name = 'trap';
DROP TABLE public.dash_hits;
DROP FUNCTION public.dash_trap();
DROP OWNED BY dash_mallory, dash_reader;
DROP ROLE dash_mallory, dash_reader;
