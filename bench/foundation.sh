#!/usr/bin/env bash
# Foundation benchmarks, each printed as a ratio against a baseline measured in the same run:
#   1. demo data for ~1M order lines (customers => 100000, days => 730) vs a bare
#      INSERT ... SELECT of the same number of rows from generate_series (the floor);
#   2. ingest_orders on a 10k-order payload vs a plain INSERT of the same lines from
#      jsonb_to_recordset into a table without keys or triggers;
#   3. BRIN vs B-tree on order_line.ordered_at: size and a one-week range count.
# Uses the demo cluster (scripts/demo.sh starts it) and its own database cafe24_bench.
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"
CUSTOMERS="${BENCH_CUSTOMERS:-100000}"
bench_database

q -d cafe24_bench -P pager=off <<SQL
\set ON_ERROR_STOP 1
CREATE TEMP TABLE t (what text, seconds float8, rows bigint);
CREATE FUNCTION pg_temp.timed(what text, sql text) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz := clock_timestamp(); n bigint;
BEGIN
    EXECUTE sql; GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO t VALUES (what, extract(epoch FROM clock_timestamp() - t0), n);
END \$\$;

SET client_min_messages = debug1;
SELECT pg_temp.timed('demo data (all tables, aggregates, indexes)',
  'SELECT * FROM cafe24.generate_demo_data(seed => 1, customers => ${CUSTOMERS}, products => 2000, days => 730, start_date => ''2024-11-01'')');
RESET client_min_messages;
UPDATE t SET rows = (SELECT count(*) FROM cafe24.order_line) WHERE what LIKE 'demo%';
SELECT pg_temp.timed('baseline: bare insert of as many rows', format(
  'CREATE TEMP TABLE bare AS SELECT g AS line_id, g::text AS order_item_code, 1 AS shop_no, now() AS ordered_at,
          g AS customer_id, g %% 2000 AS product_id, 1 AS quantity, 1000::numeric AS unit_price FROM generate_series(1, %s) g',
  (SELECT count(*) FROM cafe24.order_line)));

-- A 10k-order Cafe24 payload made from the demo's orders, with new item codes.
CREATE TEMP TABLE payload AS
SELECT jsonb_build_object('orders', jsonb_agg(o)) AS doc, sum(n) AS lines FROM (
  SELECT jsonb_build_object('shop_no', min(l.shop_no), 'order_id', 'B' || l.order_id, 'member_id', min(c.member_id),
           'order_date', to_char(min(l.ordered_at) AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD"T"HH24:MI:SS"+09:00"'),
           'items', jsonb_agg(jsonb_build_object('order_item_code', 'B' || l.order_item_code, 'variant_code', p.variant_code,
               'product_no', p.product_no, 'product_code', p.product_code, 'product_name', p.name,
               'quantity', l.quantity, 'product_price', l.unit_price::text, 'option_price', '0.00',
               'additional_discount_price', l.discount::text, 'order_status', 'N40'))) AS o, count(*) AS n
  FROM cafe24.order_line l JOIN cafe24.product p USING (product_id) LEFT JOIN cafe24.customer c USING (customer_id)
  WHERE l.order_id IN (SELECT DISTINCT order_id FROM cafe24.order_line ORDER BY order_id LIMIT 10000)
  GROUP BY l.order_id) s;
SELECT pg_temp.timed('ingest_orders: 10k orders, first time', 'SELECT * FROM cafe24.ingest_orders((SELECT doc FROM payload))');
UPDATE t SET rows = (SELECT lines FROM payload) WHERE what LIKE 'ingest%first%';
SELECT pg_temp.timed('ingest_orders: same payload again (no-op)', 'SELECT * FROM cafe24.ingest_orders((SELECT doc FROM payload))');
UPDATE t SET rows = (SELECT lines FROM payload) WHERE what LIKE 'ingest%again%';
SELECT pg_temp.timed('baseline: plain insert of the same lines', '
  CREATE TEMP TABLE plain AS SELECT i->>''order_item_code'' AS code, (i->>''quantity'')::int AS quantity,
         (i->>''product_price'')::numeric AS price, (o->>''order_date'')::timestamptz AS ordered_at
  FROM payload, jsonb_array_elements(doc->''orders'') o, jsonb_array_elements(o->''items'') i');

\echo
\echo '== 1-2. Generation and ingest'
SELECT what, rows, round(seconds::numeric, 2) AS seconds, round(rows / seconds) AS rows_per_s FROM t ORDER BY what;
SELECT round((SELECT seconds FROM t WHERE what LIKE 'demo%') / (SELECT seconds FROM t WHERE what LIKE 'baseline: bare%'))::numeric AS demo_vs_bare_insert,
       round(((SELECT seconds FROM t WHERE what LIKE 'ingest%first%') / (SELECT seconds FROM t WHERE what LIKE 'baseline: plain%'))::numeric, 1) AS ingest_vs_plain_insert;

\echo '== 3. BRIN versus B-tree on order_line.ordered_at'
CREATE INDEX bench_btree ON cafe24.order_line (ordered_at);
VACUUM ANALYZE cafe24.order_line;
SELECT pg_size_pretty(pg_relation_size('cafe24.order_line_ordered_at_brin')) AS brin_size,
       pg_size_pretty(pg_relation_size('cafe24.bench_btree')) AS btree_size,
       round(pg_relation_size('cafe24.bench_btree')::numeric / pg_relation_size('cafe24.order_line_ordered_at_brin')) AS btree_over_brin;
-- EXECUTE plans each run afresh, under the enable_* settings of the moment.
CREATE FUNCTION pg_temp.range_ms(n int) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz; best float8 := 1e9; c bigint;
BEGIN
  FOR i IN 1..n LOOP
    t0 := clock_timestamp();
    EXECUTE 'SELECT sum(quantity) FROM cafe24.order_line WHERE ordered_at >= ''2025-06-01'' AND ordered_at < ''2025-06-08''' INTO c;
    best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1000);
  END LOOP;
  RETURN best;
END \$\$;
SET enable_seqscan = off;
SET enable_indexscan = off; SET enable_bitmapscan = on;
DROP INDEX cafe24.bench_btree;
SELECT round(pg_temp.range_ms(5)::numeric, 1) AS brin_week_ms \gset
CREATE INDEX bench_btree ON cafe24.order_line (ordered_at);
DROP INDEX cafe24.order_line_ordered_at_brin;
SET enable_indexscan = on;
SELECT round(pg_temp.range_ms(5)::numeric, 1) AS btree_week_ms \gset
SET enable_seqscan = on; SET enable_indexscan = off; SET enable_bitmapscan = off;
SELECT round(pg_temp.range_ms(3)::numeric, 1) AS seqscan_week_ms \gset
RESET ALL;
SELECT :brin_week_ms AS brin_week_ms, :btree_week_ms AS btree_week_ms, :seqscan_week_ms AS seqscan_week_ms,
       round(:brin_week_ms / :btree_week_ms, 2) AS brin_over_btree,
       round(:seqscan_week_ms / :brin_week_ms, 1) AS seqscan_over_brin;
SQL
q -d postgres -c "DROP DATABASE cafe24_bench"
