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
psql_demo -d "${DB}" -c "DROP EXTENSION IF EXISTS cafe24_analytics CASCADE" -c "DROP SCHEMA IF EXISTS cafe24 CASCADE" -c "CREATE EXTENSION cafe24_analytics"

log "generating demo data: ${customers} customers, ${products} products, ${days} days"
psql_demo -d "${DB}" -c "\\timing on" -c "SELECT * FROM cafe24.generate_demo_data(seed => 42, customers => ${customers}, products => ${products}, days => ${days}, start_date => current_date + 1 - ${days})"

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
export_csv() { # name, query: runs the analysis and writes out/<name>.csv
    psql_demo -d "${DB}" -c "\\copy ($2) TO 'out/$1.csv' WITH (FORMAT csv, HEADER)"
}
log "running the analytics"
export_csv revenue_by_month "SELECT month, shop_no, category, net_amount, cost_amount, sold_units, returned_units FROM cafe24.sales_monthly ORDER BY 1, 2, 3"
export_csv forecast_by_category "SELECT series_key AS category, ds, round(yhat) AS revenue, round(lower[2]) AS lower_95, round(upper[2]) AS upper_95, model FROM cafe24.forecast_sales(horizon => 8, grain => 'week', by => 'category') ORDER BY 1, 2"
export_csv forecast_backtest "SELECT series_key, model, round(mase::numeric, 3) AS mase, round(smape::numeric, 1) AS smape, coverage FROM cafe24.backtest_forecast(horizon => 14, by => 'category') ORDER BY 1, 3"
export_csv weekday_profile "SELECT kind, bucket, round(index::numeric, 3) AS index FROM cafe24.seasonal_indices() ORDER BY 1, 2"
export_csv customer_segments "SELECT * FROM cafe24.segment_summary(k => 6)"
export_csv customer_lifetime_value_top100 "SELECT * FROM cafe24.customer_lifetime_value(horizon_days => 365) ORDER BY clv DESC LIMIT 100"
export_csv cohort_retention "SELECT * FROM cafe24.cohort_retention() WHERE period <= 12"
export_csv funnel "SELECT * FROM cafe24.funnel(by => 'shop')"
export_csv product_affinity_top50 "SELECT * FROM cafe24.product_affinity(min_support => 0.0005) LIMIT 50"
export_csv inventory_orders_now "SELECT variant_code, name, on_hand, reorder_point, order_qty, abc_class, xyz_class, reason FROM cafe24.optimize_inventory() WHERE order_qty > 0 ORDER BY abc_class, order_qty DESC"
export_csv inventory_policy_vs_naive "SELECT * FROM cafe24.simulate_inventory_policy(from_date => current_date - 120, to_date => current_date) WHERE variant_code = 'TOTAL'"
export_csv profit_by_category "SELECT * FROM cafe24.profit_margins(by => 'category')"
render() { # report, format, file: renders a report (bytea) into out/reports/<file>
    psql_demo -d "${DB}" -At -c "SELECT encode(cafe24.render_report('$1', '$2'), 'base64')" | base64 -d >"out/reports/$3"
}
log "rendering the built-in report templates"
mkdir -p out/reports
render monthly_sales pdf monthly_sales.pdf
render monthly_sales xlsx monthly_sales.xlsx
render monthly_sales html monthly_sales.html
render monthly_sales csv monthly_sales.zip
render inventory_reorder pdf inventory_reorder.pdf
render inventory_reorder xlsx inventory_reorder.xlsx
render customer_segments pdf customer_segments.pdf
render customer_segments html customer_segments.html
render forecast pdf forecast.pdf
render forecast html forecast.html
render_dashboard() { psql_demo -d "${DB}" -At -c "SELECT encode(cafe24.render_dashboard('$1', '$2'), 'base64')" | base64 -d >"out/reports/$3"; }
render_dashboard merchant_overview html merchant_overview.html
render_dashboard merchant_overview pdf merchant_overview.pdf
log "wrote $(ls out | tr '\n' ' ')to ./out, reports: $(ls out/reports | tr '\n' ' ')"

# The HTTP server and its page, as a merchant would meet them: a rights-less login for the
# server, one merchant role with an API key (docs/server.md).
HTTP_LISTEN="${DEMO_HTTP_LISTEN:-127.0.0.1:8080}"
log "building and starting cafe24-analytics-server on ${HTTP_LISTEN}"
cargo build -q --release -p cafe24-analytics-server
web_roles_sql cafe24_web demo_merchant | psql_demo -d "${DB}" >/dev/null
token=$(psql_demo -d "${DB}" -At -c "SET ROLE demo_merchant" -c "SELECT cafe24.create_api_key('demo_merchant', 'demo')")
echo "${token}" >out/demo_token.txt
pid_file="${DEMO_DIR}/http.pid"
if [ -f "${pid_file}" ] && kill -0 "$(cat "${pid_file}")" 2>/dev/null; then kill "$(cat "${pid_file}")"; sleep 1; fi
nohup "${REPO_ROOT}/target/release/cafe24-analytics-server" --listen "${HTTP_LISTEN}" \
    --database-url "postgresql:///${DB}?host=/tmp&port=${DEMO_PORT}&user=cafe24_web" >"${DEMO_DIR}/http.log" 2>&1 &
echo $! >"${pid_file}"
sleep 1
if kill -0 "$(cat "${pid_file}")" 2>/dev/null; then
    log "open http://${HTTP_LISTEN}/ with the token in out/demo_token.txt: ${token}"
else
    log "the server did not start (see ${DEMO_DIR}/http.log); the rest of the demo is in ./out"
fi
