#!/usr/bin/env bash
# Customer analytics at scale: C customers (default 1 000 000) with about ten order lines
# each over two years (default 10 M lines), written straight into cafe24.order_line.
# Times segment_customers (k => 6 and automatic k) and customer_lifetime_value end to
# end, with the backend's peak memory, against the floor: the bare SQL aggregation that
# computes RFM alone.
# Usage: bash bench/customers.sh [C]
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"
C="${1:-1000000}"
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
measure() { # label, SQL: prints "label|seconds|peak MiB" from a fresh backend
    local pid_file secs peak=0 v
    pid_file=$(mktemp)
    q -d cafe24_bench -At >"${pid_file}" <<SQL &
SELECT pg_backend_pid();
SELECT clock_timestamp() AS t0 \gset
$2;
SELECT extract(epoch FROM clock_timestamp() - :'t0');
SELECT pg_sleep(1);
SQL
    local bg=$!
    sleep 0.5
    local pid
    pid=$(head -1 "${pid_file}")
    while kill -0 $bg 2>/dev/null; do
        v=$(awk '/VmHWM/ {print $2}' /proc/${pid}/status 2>/dev/null || echo 0)
        [ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v
        sleep 0.2
    done
    secs=$(sed -n 3p "${pid_file}")
    rm -f "${pid_file}"
    printf '%s|%s|%s\n' "$1" "$secs" "$((peak / 1024))"
}
echo "== $(q -d cafe24_bench -At -c 'SELECT count(DISTINCT customer_id) FROM cafe24.order_line') customers, $(q -d cafe24_bench -At -c 'SELECT count(*) FROM cafe24.order_line') order lines"
{
measure "floor: RFM by SQL alone" "SELECT count(*) FROM (SELECT customer_id, min(ordered_at), max(ordered_at), count(DISTINCT date_trunc('day', ordered_at)), sum(quantity * unit_price - discount) FROM cafe24.order_line GROUP BY customer_id) s"
measure "segment_customers(k => 6)" "SELECT count(*) FROM cafe24.segment_customers(as_of => '2026-01-01', k => 6)"
measure "segment_customers (k by silhouette)" "SELECT count(*) FROM cafe24.segment_customers(as_of => '2026-01-01')"
measure "customer_lifetime_value" "SELECT count(*) FROM cafe24.customer_lifetime_value(as_of => '2026-01-01')"
} >"${results:=$(mktemp)}"
python3 - "${results}" <<'PY'
import sys
rows = [l.strip().split("|") for l in open(sys.argv[1]) if "|" in l]
print(f"{'run':<40}{'seconds':>10}{'peak MiB':>10}{'x floor':>10}")
floor = None
for name, secs, peak in rows:
    s = float(secs)
    if name.startswith("floor"):
        floor = s
    print(f"{name:<40}{s:>10.2f}{int(peak):>10}{s / floor:>10.1f}")
PY
rm -f "${results}"
q -d postgres -c "DROP DATABASE cafe24_bench"
