#!/usr/bin/env bash
# Forecasting throughput: N daily series × 730 days (default N = 10000), 28 days ahead,
# model auto, end to end from a table in one SQL call. Prints seconds, series per second,
# the backend's peak memory (VmHWM), and ratios against baselines measured in the same
# run: reading the series alone (the SQL floor) and the seasonal naive model. Then the
# saved-model path (train_forecast_model once, forecast_sales(model_name) after), and how
# soon a statement_timeout stops an auto run.
# Usage: bash bench/forecast.sh [N]   (uses the demo cluster, database cafe24_bench)
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"
N="${1:-10000}"
bench_database
q -d cafe24_bench -P pager=off <<SQL
CREATE UNLOGGED TABLE series AS
SELECT 'sku-' || s AS series_key, d::date AS ds,
       greatest(0, (20 + s % 50) * (1 + 0.3 * sin(2 * pi() * extract(doy FROM d) / 365.25))
                 * (CASE extract(isodow FROM d) WHEN 6 THEN 1.3 WHEN 7 THEN 1.4 ELSE 1 END)
                 * (1 + 0.0005 * (d::date - date '2024-01-01'))
                 + 4 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::float8 AS y
FROM generate_series(1, ${N}) AS s, generate_series(date '2024-01-01', date '2025-12-30', '1 day') AS d;
ANALYZE series;
SQL
run() { # label, SQL → prints "label|seconds"
    local secs
    secs=$(q -d cafe24_bench -At <<SQL | tail -1
SELECT clock_timestamp() AS t0 \gset
$2;
SELECT extract(epoch FROM clock_timestamp() - :'t0');
SQL
)
    echo "$1|$secs"
}
echo "== ${N} daily series x 730 days, horizon 28"
floor=$(run "read series only" "SELECT count(*) FROM cafe24._sales_series('day', NULL, NULL, 'series')")
snaive=$(run "seasonal_naive" "SELECT count(*) FROM cafe24.forecast_sales(horizon => 28, model => 'seasonal_naive', source => 'series')")
# auto, with the backend's peak memory read from /proc while the session is still open
auto_start=$(date +%s.%N)
pid_file=$(mktemp)
q -d cafe24_bench -At >"${pid_file}" <<SQL &
SELECT pg_backend_pid();
SELECT count(*) FROM cafe24.forecast_sales(horizon => 28, model => 'auto', source => 'series');
SELECT pg_sleep(2);
SQL
bg=$!
sleep 1
pid=$(head -1 "${pid_file}")
peak=0
while kill -0 $bg 2>/dev/null; do
    v=$(awk '/VmHWM/ {print $2}' /proc/${pid}/status 2>/dev/null || echo 0)
    [ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v
    sleep 0.5
done
auto_secs=$(echo "$(date +%s.%N) - ${auto_start} - 2" | bc)
rm -f "${pid_file}"
# Saved models: the per-series choice made once (the same backtests as auto), then daily
# forecasts from it without them.
train=$(run "train_forecast_model" "SELECT count(*) FROM cafe24.train_forecast_model('bench', horizon => 28, source => 'series')")
saved=$(run "forecast_sales(model_name)" "SELECT count(*) FROM cafe24.forecast_sales(horizon => 28, model_name => 'bench')")
python3 - "$N" "$floor" "$snaive" "$auto_secs" "$peak" "$train" "$saved" <<'PY'
import sys
n = int(sys.argv[1])
floor = float(sys.argv[2].split('|')[1]); snaive = float(sys.argv[3].split('|')[1])
auto = float(sys.argv[4]); peak_kib = int(sys.argv[5])
train = float(sys.argv[6].split('|')[1]); saved = float(sys.argv[7].split('|')[1])
print(f"{'run':<30}{'seconds':>10}{'series/s':>12}{'x floor':>10}")
for name, s in [("read series only (floor)", floor), ("seasonal_naive", snaive), ("auto", auto),
                ("train_forecast_model (auto)", train), ("forecast_sales(model_name)", saved)]:
    print(f"{name:<30}{s:>10.2f}{n / s:>12.1f}{s / floor:>10.1f}")
print(f"auto / seasonal_naive: {auto / snaive:.1f}x; backend peak memory (VmHWM) during auto: {peak_kib / 1024:.0f} MiB")
PY
# Cancellation: statement_timeout on an auto run; how long past the timeout it returns.
cancel=$(as_postgres psql -X -q -h /tmp -p 54329 -d cafe24_bench -At <<'SQL' 2>/dev/null | tail -1
SET statement_timeout = '20s';
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM cafe24.forecast_sales(horizon => 28, model => 'auto', source => 'series');
SELECT round(extract(epoch FROM clock_timestamp() - :'t0')::numeric - 20, 3);
SQL
)
echo "statement_timeout = 20s on auto: returned ${cancel} s after the timeout"
q -d postgres -c "DROP DATABASE cafe24_bench"
