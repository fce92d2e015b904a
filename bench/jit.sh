#!/usr/bin/env bash
# JIT on the report and analytics paths: each analysis of a demo mall of about 10 M order
# lines (1 M customers, 2 000 products, 730 days) run with jit = off and with jit = on
# (PostgreSQL's default thresholds), in fresh backends, best of 2 warm runs each, in one
# run; prints each time and the ratio on/off (> 1: JIT costs more than it saves).
# The functions' own settings are lifted for the run (ALTER FUNCTION ... RESET jit), then
# put back, so the figures say what JIT does to each path, not what the extension sets.
# Usage: [KEEP=1] [REUSE=1] bash bench/jit.sh [CUSTOMERS]   (1 000 000 ≈ 10 M lines)
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"
C="${1:-1000000}"
bench_demo_database "${C}"
echo "== $(q -d cafe24_bench -At -c 'SELECT count(*) FROM cafe24.order_line') order lines, jit available: $(q -d cafe24_bench -At -c 'SELECT pg_jit_available()')"
as_of="$(q -d cafe24_bench -At -c 'SELECT max(day) FROM cafe24.order_daily')"
month="$(q -d cafe24_bench -At -c "SELECT date_trunc('month', date '${as_of}' - 40)::date")"
# The extension's own jit settings (read once), lifted for the run and restored at the end.
mapfile -t fns < <(q -d cafe24_bench -At -c "SELECT p.oid::regprocedure FROM pg_proc AS p WHERE p.pronamespace = 'cafe24'::regnamespace AND 'jit=off' = ANY (p.proconfig)")
reset="" saved=""
for f in "${fns[@]}"; do reset+="ALTER FUNCTION ${f} RESET jit; " saved+="ALTER FUNCTION ${f} SET jit = off; "; done
[ -z "${reset}" ] || q -d cafe24_bench -c "${reset}" >/dev/null
trap '[ -z "${saved}" ] || q -d cafe24_bench -c "${saved}" >/dev/null' EXIT

paths=(
    "render_report monthly_sales html|SELECT length(cafe24.render_report('monthly_sales', 'html', '{\"month\": \"${month}\"}'))"
    "dashboard_data merchant_overview|SELECT length(cafe24.dashboard_data('merchant_overview')::text)"
    "segment_customers|SELECT count(*) FROM cafe24.segment_customers(as_of => '${as_of}')"
    "customer_lifetime_value|SELECT count(*) FROM cafe24.customer_lifetime_value(as_of => '${as_of}')"
    "optimize_inventory|SELECT count(*) FROM cafe24.optimize_inventory(as_of => '${as_of}')"
    "profit_margins by product|SELECT count(*) FROM cafe24.profit_margins(by => 'product', from_date => date '${as_of}' - 364, to_date => '${as_of}')"
    "forecast_sales by category|SELECT count(*) FROM cafe24.forecast_sales(horizon => 28, by => 'category')"
    "seasonal_trends|SELECT count(*) FROM cafe24.seasonal_trends()"
    "cohort_retention|SELECT count(*) FROM cafe24.cohort_retention()"
    "repeat_purchase_rate|SELECT count(*) FROM cafe24.repeat_purchase_rate()"
    "funnel (last 30 days)|SELECT count(*) FROM cafe24.funnel(from_time => timestamptz '${as_of}' - interval '29 days', to_time => timestamptz '${as_of}' + interval '1 day')"
    "product_affinity|SELECT count(*) FROM cafe24.product_affinity()"
)
# best_of SETTING SQL: best of 2 runs after a warm-up, in one fresh backend, in seconds.
best_of() {
    q -d cafe24_bench -At <<SQL | tail -1
SET jit = $1;
$2;
SELECT clock_timestamp() AS t0 \gset
$2;
SELECT clock_timestamp() AS t1 \gset
$2;
SELECT least(extract(epoch FROM timestamptz :'t1' - :'t0'), extract(epoch FROM clock_timestamp() - :'t1'));
SQL
}
printf '%-36s%10s%10s%10s\n' "path" "jit off s" "jit on s" "on / off"
for p in "${paths[@]}"; do
    label="${p%%|*}" sql="${p#*|}"
    off="$(best_of off "${sql}")" on="$(best_of on "${sql}")"
    python3 -c "import sys; off, on = float(sys.argv[2]), float(sys.argv[3]); print('%-36s%10.3f%10.3f%10.2f' % (sys.argv[1], off, on, on / off))" "${label}" "${off}" "${on}"
done
