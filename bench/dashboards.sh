#!/usr/bin/env bash
# Dashboards and live KPIs at scale: a demo mall of about 10 M order lines (1 M customers,
# 2 000 products, 730 days; 0.5 sessions per order to keep the event table at ~25 M rows).
#  1. dashboard_data('merchant_overview') and render_dashboard (html), warm, against the
#     floor: the bare SQL of its cheapest widget (90 days of kpi_daily_facts).
#  2. Ingest overhead of live KPI maintenance: 300 single-order transactions (3 lines each)
#     and 300 single-event transactions (a shopper's view), with the KPI triggers enabled
#     and disabled (the sales aggregates stay on in both).
#  3. Commit-to-notification latency of NOTIFY cafe24_kpi, measured from Python (psycopg2).
# Usage: [KEEP=1] [REUSE=1] bash bench/dashboards.sh [CUSTOMERS]
#   KEEP=1 keeps database cafe24_bench afterwards; REUSE=1 measures a kept one again (after
#   a new build is installed, without the 15 minutes of data generation).
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"
C="${1:-1000000}"
if [ "${REUSE:-0}" = 1 ]; then
    bench_reuse
else
    bench_database
    q -d cafe24_bench -c "SELECT * FROM cafe24.generate_demo_data(seed => 7, customers => ${C}, products => 2000, days => 730, sessions_per_order => 0.5, start_date => current_date - 729)" -c "ANALYZE"
fi
echo "== $(q -d cafe24_bench -At -c 'SELECT count(*) FROM cafe24.order_line') order lines, $(q -d cafe24_bench -At -c 'SELECT count(*) FROM cafe24.behaviour_event') events"

{
q -d cafe24_bench -c "SELECT cafe24.dashboard_data('merchant_overview')" >/dev/null   # warm the cache
bench_measure "floor: 90 days of kpi_daily_facts" "SELECT count(s) FROM (SELECT day, sum(revenue), sum(gross_profit) FROM cafe24.kpi_daily_facts WHERE day > current_date - 90 GROUP BY day) s"
for run in 1 2 3; do
    bench_measure "dashboard_data merchant_overview #${run}" "SELECT length(cafe24.dashboard_data('merchant_overview')::text)"
done
bench_measure "render_dashboard html" "SELECT length(cafe24.render_dashboard('merchant_overview', 'html'))"
bench_measure "kpi_values, all KPIs, month" "SELECT count(*) FROM cafe24.kpi_values(period => 'month')"
} | bench_report

echo "== per widget (ms, warm)"
q -d cafe24_bench -At <<'SQL'
DO $$
DECLARE w record; t0 timestamptz;
BEGIN
    FOR w IN SELECT widget_no, title FROM cafe24.widget WHERE dashboard = 'merchant_overview' ORDER BY widget_no LOOP
        t0 := clock_timestamp();
        PERFORM cafe24._widget_data('merchant_overview', w.widget_no, '{}');
        RAISE NOTICE '%', format('%-45s %8s ms', w.title, round(extract(epoch FROM clock_timestamp() - t0) * 1000));
    END LOOP;
END $$;
SQL
seconds() { local t0; t0=$(date +%s.%N); as_postgres psql -X -q -h /tmp -p 54329 -d cafe24_bench -f "$1" >/dev/null; python3 -c "print($(date +%s.%N) - ${t0})"; }
for kind in orders batches events; do
    case ${kind} in orders) what="one 3-line order";; batches) what="100 3-line orders";; events) what="one event";; esac
    echo "== ingest: 300 transactions of ${what} each, live KPI triggers on vs off"
    "bench_${kind}_sql" 300 on1 "${C}" >/tmp/c24-${kind}-on.sql
    "bench_${kind}_sql" 300 off2 "${C}" >/tmp/c24-${kind}-off.sql
    chmod 644 /tmp/c24-${kind}-*.sql
    t_on=$(seconds /tmp/c24-${kind}-on.sql)
    bench_kpi_triggers DISABLE
    t_off=$(seconds /tmp/c24-${kind}-off.sql)
    bench_kpi_triggers ENABLE
    python3 -c "on, off = float('${t_on}'), float('${t_off}'); print('with live KPIs %.2f s, without %.2f s: %.2f ms vs %.2f ms per transaction, overhead %.0f %%' % (on, off, on / 0.3, off / 0.3, 100 * (on - off) / off))"
done

venv=/tmp/cafe24-bench-venv
[ -x "${venv}/bin/python" ] || python3 -m venv "${venv}"
if "${venv}/bin/pip" install -q psycopg2-binary >/dev/null 2>&1; then
    echo "== commit-to-notification latency (NOTIFY cafe24_kpi)"
    "${venv}/bin/python" - <<'PY'
import select, statistics, time
import psycopg2
run = int(time.time())
listen = psycopg2.connect(host="/tmp", port=54329, dbname="cafe24_bench", user="postgres")
listen.autocommit = True
listen.cursor().execute("LISTEN cafe24_kpi")
write = psycopg2.connect(host="/tmp", port=54329, dbname="cafe24_bench", user="postgres")
lat = []
for i in range(100):
    with write.cursor() as c:
        c.execute("""INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
                     VALUES (%s, %s, 1, now(), 5, 11, 1, 12000, 7000, 'paid')""", ("N%d-%d" % (run, i), "N%d-%d-1" % (run, i)))
    t0 = time.perf_counter()
    write.commit()
    got = False
    while not got:
        select.select([listen], [], [], 5)
        listen.poll()
        if listen.notifies:
            got = True
            lat.append((time.perf_counter() - t0) * 1000)
            listen.notifies.clear()
    time.sleep(0.01)
    listen.poll(); listen.notifies.clear()
lat.sort()
print("100 commits: p50 %.2f ms, p95 %.2f ms, max %.2f ms (from commit call to first notification)" % (statistics.median(lat), lat[94], lat[-1]))
PY
fi
# KEEP=1 keeps the database for a closer look.
[ "${KEEP:-0}" = 1 ] || q -d postgres -c "DROP DATABASE cafe24_bench"
