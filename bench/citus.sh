#!/usr/bin/env bash
# One node against a coordinator with two workers (issue 17), on the same demo mall: for each
# analysis, the rows and bytes the coordinator received from the workers (auto_explain's
# nested plans: "Tuple data received from nodes" and the rows of each Citus scan), the
# coordinator backend's CPU (utime + stime from /proc) and the wall time, as ratios against
# the single-node run measured in the same run. Two cores: no speedup can show here.
# Run inside the shared PostgreSQL lock, after scripts/install.sh. KEEP_CLUSTER=1 keeps the
# cluster running afterwards.
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"

rc=0
"${REPO_ROOT}/scripts/citus_install.sh" || rc=$?
[ "${rc}" -eq 3 ] && { echo "skipped: no Citus installed and no CITUS_SOURCE"; exit 0; }
[ "${rc}" -eq 0 ] || exit "${rc}"

export CITUS_DB=cafe24_citus_bench
SINGLE_DB=cafe24_single_bench
COORD=54340
COORD_LOG=/tmp/c24-citus-coord/server.log
q() { local db="$1"; shift; as_postgres psql -X -q -At -v ON_ERROR_STOP=1 -h /tmp -p "${COORD}" -d "${db}" "$@"; }

"${REPO_ROOT}/scripts/citus.sh" start >/dev/null
[ "${KEEP_CLUSTER:-0}" = 1 ] || trap '"${REPO_ROOT}/scripts/citus.sh" stop >/dev/null' EXIT
source <(sed -n 's/^\(CITUS_DEMO_ARGS=.*\)$/\1/p' "${REPO_ROOT}/scripts/citus.sh")
if [ -z "$(q postgres -c "SELECT 1 FROM pg_database WHERE datname = '${SINGLE_DB}'")" ]; then
    q postgres -c "CREATE DATABASE ${SINGLE_DB}"
    q "${SINGLE_DB}" -c "SET client_min_messages = warning" -c "CREATE EXTENSION cafe24_analytics" \
        -c "SELECT count(*) FROM cafe24.generate_demo_data(${CITUS_DEMO_ARGS})" -c "ANALYZE" >/dev/null
fi
lines=$(q "${SINGLE_DB}" -c "SELECT count(*) FROM cafe24.order_line")

declare -A analyses=(
    [1_forecast_sales]="SELECT count(*) FROM cafe24.forecast_sales(horizon => 14, by => 'shop', model => 'seasonal_naive')"
    [2_segment_customers]="SELECT count(*) FROM cafe24.segment_customers(as_of => '2026-01-01')"
    [3_customer_lifetime_value]="SELECT count(*) FROM cafe24.customer_lifetime_value(horizon_days => 180, as_of => '2026-01-01')"
    [4_optimize_inventory]="SELECT count(*) FROM cafe24.optimize_inventory(as_of => '2025-12-31')"
    [5_profit_margins]="SELECT count(*) FROM cafe24.profit_margins(by => 'category', from_date => '2025-01-01', to_date => '2025-12-31')"
    # The array function grouped by the distribution column: the series are built and
    # forecast on the workers; only the forecasts come back (OFFSET 0 keeps them as rows).
    [6_forecast_on_workers]="SELECT count(*) FROM (SELECT s.shop_no, s.product_id, f.step, f.yhat FROM (SELECT shop_no, product_id, array_agg(sold_units::float8 ORDER BY day) AS y FROM cafe24.sales_daily GROUP BY shop_no, product_id) AS s CROSS JOIN LATERAL cafe24.forecast(s.y, 14, '{7}', 'ets') AS f OFFSET 0) AS x"
)

ROUNDS="${ROUNDS:-5}"
# CPU seconds (user + system) that the server on PORT's processes ended so far have used: the
# postmaster's reaped children (backends, the workers' backends serving the coordinator).
reaped_cpu() { # reaped_cpu PORT
    local dir pid
    dir=$([ "$1" = "${COORD}" ] && echo /tmp/c24-citus-coord || echo "/tmp/c24-citus-w$(($1 - COORD))")
    pid=$(head -1 "${dir}/postmaster.pid")
    awk '{ printf "%.2f\n", ($16 + $17) / 100 }' "/proc/${pid}/stat"
}
# measure DB SQL -> "seconds coordinator_cpu workers_cpu" per run: ROUNDS runs in one session
# after a warm-up run in another; CPU from the postmasters' reaped children once it ended.
measure() {
    local db="$1" sql="$2" c0 w0 c1 w1 t0 t1
    q "${db}" -c "${sql}" >/dev/null
    sleep 0.3
    c0=$(reaped_cpu "${COORD}"); w0="$(reaped_cpu 54341) + $(reaped_cpu 54342)"
    t0=$(date +%s.%N)
    for _ in $(seq 1 "${ROUNDS}"); do printf '%s;\n' "${sql}"; done | q "${db}" >/dev/null
    t1=$(date +%s.%N)
    sleep 0.3
    c1=$(reaped_cpu "${COORD}"); w1="$(reaped_cpu 54341) + $(reaped_cpu 54342)"
    python3 -c "print('%.4f %.3f %.3f' % (($t1 - $t0) / ${ROUNDS}, ($c1 - $c0) / ${ROUNDS}, (($w1) - ($w0)) / ${ROUNDS}))"
}

# shipped SQL -> "rows bytes tasks": what the coordinator's Citus scans received, summed over
# the nested statements the analysis ran (auto_explain, text format, in the server log).
shipped() {
    local sql="$1" from
    from=$(stat -c %s "${COORD_LOG}")
    q "${CITUS_DB}" <<SQL >/dev/null || return 1
SET client_min_messages = warning;
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_level = log;
${sql};
SQL
    sleep 0.5
    tail -c +"$((from + 1))" "${COORD_LOG}" | python3 -c '
import re, sys
rows = byt = tasks = 0
for line in sys.stdin:
    m = re.search(r"Custom Scan \(Citus Adaptive\).*actual time=[0-9.]+\.\.[0-9.]+ rows=(\d+) loops=(\d+)", line)
    if m: rows += int(m.group(1)) * int(m.group(2))
    m = re.search(r"Tuple data received from nodes: (\d+) (bytes|kB|MB)", line)
    if m: byt += int(m.group(1)) * {"bytes": 1, "kB": 1024, "MB": 1048576}[m.group(2)]
    m = re.search(r"Task Count: (\d+)", line)
    if m: tasks += int(m.group(1))
print(rows, byt, tasks)'
}

shops=$(q "${SINGLE_DB}" -c "SELECT count(*) FROM cafe24.shop")
daily=$(q "${SINGLE_DB}" -c "SELECT count(*) FROM cafe24.sales_daily")
printf '%s order lines (%s sales_daily rows), %s shops, 8 shards per table on 2 workers\n' "${lines}" "${daily}" "${shops}"
printf '%-22s %7s %9s %5s | %8s %8s %6s | %8s %8s %8s | %6s\n' analysis rows bytes tasks "1 node s" "3 node s" "wall x" "1 cpu s" "coord s" "workers" "coord x"
for name in $(printf '%s\n' "${!analyses[@]}" | sort); do
    sql="${analyses[$name]}"
    read -r s1 c1 _ < <(measure "${SINGLE_DB}" "${sql}")
    read -r s3 c3 w3 < <(measure "${CITUS_DB}" "${sql}")
    read -r rows bytes tasks < <(shipped "${sql}" 2>/dev/null || echo "- - -")
    python3 -c "
s1, s3, c1, c3, w3 = $s1, $s3, $c1, $c3, $w3
print('%-22s %7s %9s %5s | %8.3f %8.3f %6.2f | %8.3f %8.3f %8.3f | %6s' % ('${name#*_}', '${rows}', '${bytes}', '${tasks}', s1, s3, s3 / s1, c1, c3, w3, '%.2f' % (c3 / c1) if c1 else '-'))"
done
echo "rows, bytes: what the coordinator's Citus scans received over one run (auto_explain; - where Citus failed to"
echo "  EXPLAIN ANALYZE a parameterized PL/pgSQL statement: 'cache lookup failed for type')."
echo "cpu: user + system seconds per run, from the servers' reaped backends; workers: both workers together."
