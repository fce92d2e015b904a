#!/usr/bin/env bash
# Customer analytics at scale: C customers (default 1 000 000) with about ten order lines
# each over two years (default 10 M lines), written straight into cafe24.order_line.
# Times segment_customers (k => 6 and automatic k) and customer_lifetime_value end to
# end, with the backend's peak memory, against the floor: the bare SQL aggregation that
# computes RFM alone.
# Usage: [KEEP=1] [REUSE=1] bash bench/customers.sh [C]
#   KEEP=1 keeps database cafe24_bench; REUSE=1 measures a kept one again.
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"
C="${1:-1000000}"
if [ "${REUSE:-0}" = 1 ]; then
    bench_reuse
else
bench_database
q -d cafe24_bench <<SQL
SET client_min_messages = warning;
SELECT setseed(0.42);
INSERT INTO cafe24.shop (shop_no, name) VALUES (1, 'bench');
INSERT INTO cafe24.product (product_id, product_code, variant_code, name, price, unit_cost)
SELECT p, 'P' || p, 'P' || p || '-A', 'product ' || p, 10000, 6000 FROM generate_series(1, 2000) AS p;
INSERT INTO cafe24.customer (customer_id, member_id) SELECT c, 'm' || c FROM generate_series(1, ${C}) AS c;
-- The analytics read order_line itself: skip the aggregate triggers and secondary indexes.
ALTER TABLE cafe24.order_line DISABLE TRIGGER USER;
DROP INDEX cafe24.order_line_product_idx, cafe24.order_line_order_idx, cafe24.order_line_ordered_at_brin;
INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, discount, status)
SELECT 'O' || g, 'O' || g || '-01', 1,
       timestamptz '2024-01-01' + (random() * 730) * interval '1 day',
       -- a skewed customer: a few buy often, most rarely
       1 + floor(${C} * power(random(), 1.6))::bigint,
       1 + floor(random() * 2000)::int, 1 + floor(random() * 3)::int, 5000 + floor(random() * 50000), 0, 'delivered'
FROM generate_series(1, ${C} * 10) AS g;
ANALYZE cafe24.order_line;
SQL
fi
echo "== $(q -d cafe24_bench -At -c 'SELECT count(DISTINCT customer_id) FROM cafe24.order_line') customers, $(q -d cafe24_bench -At -c 'SELECT count(*) FROM cafe24.order_line') order lines"
{
# The floor with its best plan: a sort of the lines by customer beats walking the customer
# index through a table not in customer order (17 s against 63 s at 10 M lines).
bench_measure "floor: RFM by SQL alone" "SET enable_indexscan = off; SELECT count(s) FROM (SELECT customer_id, min(ordered_at), max(ordered_at), count(DISTINCT date_trunc('day', ordered_at)), sum(quantity * unit_price - discount) FROM cafe24.order_line WHERE customer_id IS NOT NULL AND status NOT IN ('cancelled', 'returned') AND ordered_at <= '2026-01-01' GROUP BY customer_id) s"
bench_measure "segment_customers(k => 6)" "SELECT count(*) FROM cafe24.segment_customers(as_of => '2026-01-01', k => 6)"
bench_measure "segment_customers (k by silhouette)" "SELECT count(*) FROM cafe24.segment_customers(as_of => '2026-01-01')"
bench_measure "customer_lifetime_value" "SELECT count(*) FROM cafe24.customer_lifetime_value(as_of => '2026-01-01')"
} | bench_report
[ "${KEEP:-0}" = 1 ] || q -d postgres -c "DROP DATABASE cafe24_bench"
