#!/usr/bin/env bash
# What keeping the live KPIs costs the writer, in one run on one database: the same
# transactions (300 single-order transactions of 3 lines, 300 of 100 such orders, 300
# single-event transactions) with live KPIs deferred (cafe24_analytics.live_kpis = auto in
# the scheduler's database: the triggers queue, the scheduler's worker folds), counted at
# the statement (live_kpis = statement, how every database did it before), and with the KPI
# triggers off (the sales aggregates stay on in all three); the worker's fold time; whether
# the folded facts equal a rebuild; commit-to-NOTIFY latency in both modes (psycopg2).
# Its own cluster (port PORT, default 54351) with scheduler_database = cafe24_bench.
# Usage: [NO_INSTALL=1] [PORT=54351] bash bench/live_kpis.sh [CUSTOMERS]
#   NO_INSTALL=1 uses the installed extension (install it first, e.g. inside a shared lock).
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"
C="${1:-100000}"
PORT="${PORT:-54351}"
DIR=/tmp/cafe24_analytics-livekpis
[ "${NO_INSTALL:-0}" = 1 ] || "${REPO_ROOT}/scripts/install.sh"
stop_cluster "${DIR}"
rm -rf "${DIR}"
start_cluster "${DIR}" "${PORT}"
trap 'stop_cluster "${DIR}"' EXIT
q() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -h /tmp -p "${PORT}" "$@"; }
q -d postgres -c "ALTER SYSTEM SET cafe24_analytics.scheduler_database = 'cafe24_bench'" -c "ALTER SYSTEM SET track_functions = 'pl'" \
  -c "CREATE DATABASE cafe24_bench"
restart_cluster "${DIR}"
q -d cafe24_bench -c "CREATE EXTENSION cafe24_analytics"
q -d cafe24_bench -c "SELECT * FROM cafe24.generate_demo_data(seed => 7, customers => ${C}, products => 2000, days => 365, sessions_per_order => 0.5, start_date => current_date - 364)" -c "ANALYZE" >/dev/null
echo "== $(q -d cafe24_bench -At -c 'SELECT count(*) FROM cafe24.order_line') order lines, $(q -d cafe24_bench -At -c 'SELECT count(*) FROM cafe24.behaviour_event') events; live_kpis here: $(q -d cafe24_bench -At -c 'SELECT CASE WHEN cafe24._live_kpis_deferred() THEN $$deferred$$ ELSE $$statement$$ END')"

seconds() { # seconds FILE [live_kpis]: runs FILE in one session
    local t0
    t0=$(date +%s.%N)
    as_postgres env PGOPTIONS="-c cafe24_analytics.live_kpis=${2:-auto}" psql -X -q -v ON_ERROR_STOP=1 -h /tmp -p "${PORT}" -d cafe24_bench -f "$1" >/dev/null
    python3 -c "print($(date +%s.%N) - ${t0})"
}
fold_ms() { q -d cafe24_bench -At -c "SELECT coalesce(sum(total_time), 0) FROM pg_stat_user_functions WHERE funcname = '_fold_kpis'"; }
idle() { # waits until the worker has folded everything
    for _ in $(seq 1 100); do [ "$(q -d cafe24_bench -At -c 'SELECT count(*) FROM cafe24.kpi_dirty')" = 0 ] && return; sleep 0.1; done
}
# Three rounds, the modes interleaved in each (a loaded machine drifts); the medians.
ROUNDS="${ROUNDS:-3}"
printf '%-22s %12s %12s %12s %16s %16s %14s\n' "per transaction" "deferred" "statement" "off" "deferred added" "statement added" "fold (worker)"
for kind in orders batches events; do
    case ${kind} in orders) what="one 3-line order";; batches) what="100 3-line orders";; events) what="one event";; esac
    t_d=() t_s=() t_o=() f=()
    for r in $(seq 1 "${ROUNDS}"); do
        n=1
        for m in d s o; do "bench_${kind}_sql" 300 "${m}${r}${n}" "${C}" >"/tmp/c24-live-${kind}-${m}.sql"; n=$((n + 1)); done
        chmod 644 /tmp/c24-live-"${kind}"-*.sql
        idle
        f0=$(fold_ms)
        t_d+=("$(seconds "/tmp/c24-live-${kind}-d.sql")")
        idle
        sleep 1
        f+=("$(python3 -c "print($(fold_ms) - ${f0})")")
        t_s+=("$(seconds "/tmp/c24-live-${kind}-s.sql" statement)")
        bench_kpi_triggers DISABLE
        t_o+=("$(seconds "/tmp/c24-live-${kind}-o.sql")")
        bench_kpi_triggers ENABLE
    done
    python3 - "${t_d[*]}" "${t_s[*]}" "${t_o[*]}" "${f[*]}" <<PY
import sys
from statistics import median
d, s, o = (median(float(x) for x in a.split()) / 0.3 for a in sys.argv[1:4])
f = median(float(x) for x in sys.argv[4].split()) / 300
print('%-22s %9.2f ms %9.2f ms %9.2f ms %9.2f ms %3.0f%% %9.2f ms %3.0f%% %11.2f ms' % ('${what}', d, s, o, d - o, 100 * (d - o) / o, s - o, 100 * (s - o) / o, f))
PY
done
rm -f /tmp/c24-live-*.sql

# Exactness: a rebuild first counts the orders loaded with the triggers off; then orders
# (some cancelled, two moved a day back) and events go through the worker's folds, and
# the facts and live values must equal a second rebuild's.
q -d cafe24_bench -At <<'SQL'
SELECT cafe24.rebuild_kpis() IS NOT NULL AS rebuilt \gset
SET cafe24_analytics.live_kpis = deferred;
INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
SELECT 'X' || o, 'X' || o || '-' || g, 1, now() - o * interval '1 hour', o, g * 7, g, 10000, 6000, CASE WHEN o % 7 = 0 THEN 'cancelled' ELSE 'paid' END
FROM generate_series(1, 50) AS o, generate_series(1, 3) AS g;
UPDATE cafe24.order_line SET ordered_at = ordered_at - interval '1 day' WHERE order_id IN ('X1', 'X2');
INSERT INTO cafe24.behaviour_event (session_id, customer_id, shop_no, product_id, event_type, occurred_at)
SELECT 900000000000 + s, s, 1, 7, CASE WHEN s % 3 = 0 THEN 'purchase' ELSE 'view' END, now() - s * interval '10 minutes' FROM generate_series(1, 50) AS s;
SELECT pg_sleep(1);
CREATE TEMP TABLE kept AS SELECT * FROM cafe24.order_daily;
CREATE TEMP TABLE kept_live AS SELECT kpi, shop_no, day, value FROM cafe24.kpi_live;
SELECT cafe24.rebuild_kpis() IS NOT NULL AS rebuilt \gset
SELECT 'exact after the worker''s folds: ' || (NOT EXISTS (SELECT * FROM kept EXCEPT SELECT * FROM cafe24.order_daily)
    AND NOT EXISTS (SELECT * FROM cafe24.order_daily EXCEPT SELECT * FROM kept)
    AND NOT EXISTS (SELECT * FROM kept_live EXCEPT SELECT kpi, shop_no, day, value FROM cafe24.kpi_live)
    AND NOT EXISTS (SELECT kpi, shop_no, day, value FROM cafe24.kpi_live EXCEPT SELECT * FROM kept_live));
SQL

venv=/tmp/cafe24-bench-venv
[ -x "${venv}/bin/python" ] || python3 -m venv "${venv}"
if "${venv}/bin/pip" install -q psycopg2-binary >/dev/null 2>&1; then
    echo "== commit-to-notification latency (NOTIFY cafe24_kpi), 200 commits of a one-line order each"
    PORT="${PORT}" "${venv}/bin/python" - <<'PY'
import os, select, statistics, time
import psycopg2
port = int(os.environ["PORT"])
run = int(time.time())
for mode in ("deferred", "statement"):
    listen = psycopg2.connect(host="/tmp", port=port, dbname="cafe24_bench", user="postgres")
    listen.autocommit = True
    listen.cursor().execute("LISTEN cafe24_kpi")
    write = psycopg2.connect(host="/tmp", port=port, dbname="cafe24_bench", user="postgres",
                             options="-c cafe24_analytics.live_kpis=%s" % mode)
    lat = []
    for i in range(200):
        with write.cursor() as c:
            c.execute("""INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
                         VALUES (%s, %s, 1, now(), 5, 11, 1, 12000, 7000, 'paid')""", ("N%s%d-%d" % (mode, run, i), "N%s%d-%d-1" % (mode, run, i)))
        t0 = time.perf_counter()
        write.commit()
        while True:
            if not select.select([listen], [], [], 5)[0]:
                raise SystemExit("no notification within 5 s (%s)" % mode)
            listen.poll()
            if listen.notifies:
                lat.append((time.perf_counter() - t0) * 1000)
                break
        time.sleep(0.02)
        listen.poll()
        listen.notifies.clear()
    lat.sort()
    print("%-9s p50 %6.1f ms, p99 %6.1f ms, max %6.1f ms (from the commit call to the first notification)"
          % (mode, statistics.median(lat), lat[197], lat[-1]))
    listen.close()
    write.close()
PY
fi
