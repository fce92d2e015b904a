#!/usr/bin/env bash
# Inventory and margins at scale: N products (default 100 000) with two years of daily
# sales (about 30 % of product-days sell) written straight into cafe24.sales_daily, and
# one stock snapshot per product. Times optimize_inventory (180 days of history) and
# profit_margins by product and by category, with the backend's peak memory, against
# the floor: the bare SQL aggregation over the same rows.
# Usage: bash bench/inventory.sh [N]
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"
N="${1:-100000}"
bench_database
q -d cafe24_bench <<SQL
SET client_min_messages = warning;
INSERT INTO cafe24.shop (shop_no, name) VALUES (1, 'bench');
INSERT INTO cafe24.product (product_id, product_code, variant_code, name, category, price, unit_cost, lead_time_days)
SELECT p, 'P' || p, 'P' || p || '-A', 'product ' || p, 'cat' || (p % 20), 10000 + p % 5000, 6000 + p % 3000, 3 + p % 14
FROM generate_series(1, ${N}) AS p;
ALTER TABLE cafe24.sales_daily DISABLE TRIGGER USER;  -- the monthly roll-up is not part of this benchmark
INSERT INTO cafe24.sales_daily
SELECT d::date, 1, p, 1, u, u * 12000, 0, u * 12000, u * 7000, 0, 0, 0
FROM generate_series(1, ${N}) AS p, generate_series(date '2024-01-01', date '2025-12-30', '1 day') AS d,
     LATERAL (SELECT (1 + (p * 7 + (d::date - date '2024-01-01') * 13) % 5)::bigint AS u) AS x
WHERE (p * 31 + (d::date - date '2024-01-01') * 17) % 10 < 3;
ALTER TABLE cafe24.sales_daily ENABLE TRIGGER USER;
INSERT INTO cafe24.inventory_snapshot SELECT '2025-12-30', p, (p * 37) % 200, 0 FROM generate_series(1, ${N}) AS p;
ANALYZE;
SQL
echo "== ${N} products, $(q -d cafe24_bench -At -c 'SELECT count(*) FROM cafe24.sales_daily') product-days with sales"
{
bench_measure "floor: SQL aggregation of 180 days" "SELECT count(s) FROM (SELECT product_id, sum(sold_units), stddev(sold_units) FROM cafe24.sales_daily WHERE day > date '2025-12-30' - 180 GROUP BY 1) s"
bench_measure "optimize_inventory" "SELECT count(*) FROM cafe24.optimize_inventory(as_of => '2025-12-30')"
bench_measure "floor: SQL aggregation of 12 months" "SELECT count(s) FROM (SELECT product_id, sum(net_amount), sum(cost_amount) FROM cafe24.sales_daily WHERE day > date '2024-12-30' GROUP BY 1) s"
bench_measure "profit_margins by product" "SELECT count(*) FROM cafe24.profit_margins(by => 'product', from_date => '2024-12-31', to_date => '2025-12-30')"
bench_measure "profit_margins by category" "SELECT count(*) FROM cafe24.profit_margins(by => 'category', from_date => '2024-12-31', to_date => '2025-12-30')"
} | bench_report
q -d postgres -c "DROP DATABASE cafe24_bench"
