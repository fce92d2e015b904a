#!/usr/bin/env bash
# The demo, end to end: installs what is missing, builds and installs the extension,
# starts a local PostgreSQL 15 (port 54329, data in /tmp/cafe24_analytics-demo), loads
# a deterministic demo mall, runs the analytics and writes sample outputs to ./out.
#
# Knobs (environment): DEMO_CUSTOMERS (default 20000), DEMO_DAYS (730), DEMO_PRODUCTS (500).
source "$(dirname "$0")/lib.sh"
cd "${REPO_ROOT}"

DEMO_DIR=/tmp/cafe24_analytics-demo
DEMO_PORT=54329
DB=cafe24_demo
customers="${DEMO_CUSTOMERS:-20000}"
days="${DEMO_DAYS:-730}"
products="${DEMO_PRODUCTS:-500}"

"${REPO_ROOT}/scripts/setup.sh"
"${REPO_ROOT}/scripts/install.sh"
start_cluster "${DEMO_DIR}" "${DEMO_PORT}"
restart_cluster "${DEMO_DIR}"   # load the library just installed

psql_demo() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -h /tmp -p "${DEMO_PORT}" "$@"; }
psql_demo -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '${DB}'" | grep -q 1 \
    || psql_demo -d postgres -c "CREATE DATABASE ${DB}"
psql_demo -d "${DB}" -c "DROP EXTENSION IF EXISTS cafe24_analytics CASCADE" -c "CREATE EXTENSION cafe24_analytics"

log "generating demo data: ${customers} customers, ${products} products, ${days} days"
psql_demo -d "${DB}" -c "\\timing on" -c "SELECT * FROM cafe24.generate_demo_data(seed => 42, customers => ${customers}, products => ${products}, days => ${days}, start_date => DATE '2026-11-23' - ${days})"

mkdir -p out
chmod 0777 out   # the queries below run as the postgres OS user
log "summary"
psql_demo -d "${DB}" -P pager=off <<'SQL' | tee out/summary.txt
\echo 'Row counts'
SELECT 'shops' AS "table", count(*) AS rows FROM cafe24.shop
UNION ALL SELECT 'products', count(*) FROM cafe24.product
UNION ALL SELECT 'customers', count(*) FROM cafe24.customer
UNION ALL SELECT 'order lines', count(*) FROM cafe24.order_line
UNION ALL SELECT 'behaviour events', count(*) FROM cafe24.behaviour_event
UNION ALL SELECT 'inventory snapshots', count(*) FROM cafe24.inventory_snapshot;

\echo 'Revenue by month (KRW, all shops; from the incrementally maintained sales_monthly)'
SELECT to_char(month, 'YYYY-MM') AS month,
       to_char(sum(net_amount), 'FM999,999,999,999') AS revenue,
       sum(sold_units) AS units,
       round(100 * (1 - sum(cost_amount) / nullif(sum(net_amount), 0)), 1) AS "margin %"
FROM cafe24.sales_monthly GROUP BY month ORDER BY month;

\echo 'Aggregates versus a full recomputation (0 and 0 means exact)'
SELECT * FROM cafe24.check_aggregates();
SQL
psql_demo -d "${DB}" -c "\\copy (SELECT month, shop_no, category, net_amount, cost_amount, sold_units, returned_units FROM cafe24.sales_monthly ORDER BY 1, 2, 3) TO 'out/revenue_by_month.csv' WITH (FORMAT csv, HEADER)"
log "wrote $(ls out | tr '\n' ' ')to ./out"
