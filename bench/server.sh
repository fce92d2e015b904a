#!/usr/bin/env bash
# The HTTP server under load: requests per second and p50/p99 latency of the KPI endpoint
# and of a dashboard's data under 50 concurrent clients (cafe24-load, a bounded Rust loop on
# keep-alive connections), each against its baseline measured in the same run: the same
# cafe24.http_call straight over 50 Postgres connections. Then the live path: an order
# POSTed to /api/v1/orders until its KPI event reaches an SSE client (100 orders), against
# the POST alone; the same until the orders tile changes in Chromium (bench/live_browser.mjs);
# and the server's memory at rest and after the load.
#
# bash bench/server.sh [CUSTOMERS]   (default 20000; demo cluster, database cafe24_bench)
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"
customers="${1:-20000}"
bench_database
log "demo data: ${customers} customers, 365 days"
q -d cafe24_bench -c "SELECT count(*) FROM cafe24.generate_demo_data(seed => 5, customers => ${customers}, days => 365, start_date => current_date - 365)" >/dev/null
# Settle the new tables first, so that autovacuum does not run during the first measurement.
q -d cafe24_bench -c "VACUUM ANALYZE" >/dev/null
web_roles_sql bench_web bench_merchant | q -d cafe24_bench >/dev/null
token=$(q -d cafe24_bench -At -c "SET ROLE bench_merchant" -c "SELECT cafe24.create_api_key('bench_merchant', 'bench')")
cargo build -q --release -p cafe24-analytics-server
url="postgresql:///cafe24_bench?host=/tmp&port=54329&user=bench_web"
"${REPO_ROOT}/target/release/cafe24-analytics-server" --database-url "${url}" --listen 127.0.0.1:18390 --pool-size 50 >/tmp/cafe24_bench_http.log 2>&1 &
pid=$!
trap 'kill ${pid} 2>/dev/null' EXIT
sleep 1
rss() { awk -v k="$1" '$1 == k":" {print $2 " kB"}' "/proc/${pid}/status"; }
echo "server memory at rest: $(rss VmRSS)"
load="${REPO_ROOT}/target/release/cafe24-load"
# The SQL baselines first: the server's pool (50 connections) is not open yet, so the
# baselines' 50 connections fit in max_connections = 100.
pairs=("kpi_values|{\"names\": [\"revenue\", \"orders\"]}|/api/v1/kpis?names=revenue&names=orders"
       "dashboard_data|{\"name\": \"merchant_overview\"}|/api/v1/reports/custom-dashboard/merchant_overview")
for pair in "${pairs[@]}"; do
    IFS='|' read -r fn args path <<<"${pair}"
    echo "== baseline: cafe24.http_call('${fn}') over 50 Postgres connections, 10 s"
    "${load}" --sql "${url}" "${token}" 50 10 "${fn}" "${args}"
done
for pair in "${pairs[@]}"; do
    IFS='|' read -r fn args path <<<"${pair}"
    echo "== GET ${path}, 50 HTTP clients, 10 s"
    "${load}" "http://127.0.0.1:18390${path}" "${token}" 50 10
done
echo "server memory after the load: $(rss VmRSS) (peak $(rss VmHWM))"
echo "== live: POST /api/v1/orders until the KPI event reaches an SSE client, 100 orders"
SERVER=http://127.0.0.1:18390 TOKEN="${token}" python3 - <<'PY'
import http.client, json, os, threading, time
host, token = "127.0.0.1", os.environ["TOKEN"]
events = []
def follow():
    c = http.client.HTTPConnection(host, 18390, timeout=60)
    c.request("GET", "/api/v1/live", headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    while True:
        line = r.fp.readline()
        if not line:
            return
        if line.startswith(b"data:"):
            events.append(time.perf_counter())
threading.Thread(target=follow, daemon=True).start()
time.sleep(0.5)
post, live = [], []
c = http.client.HTTPConnection(host, 18390, timeout=60)
for i in range(100):
    day = time.strftime("%Y-%m-%dT%H:%M:%S+09:00", time.gmtime(time.time() + 9 * 3600))
    body = {"payload": {"orders": [{"shop_no": 1, "order_id": f"BENCH-{time.time_ns()}", "member_id": "", "order_date": day,
            "items": [{"order_item_code": f"BENCH-{time.time_ns()}-01", "variant_code": "BENCH-V", "product_name": "bench", "quantity": 1, "product_price": "1000.00", "order_status": "N20"}]}]}}
    n = len(events)
    t0 = time.perf_counter()
    c.request("POST", "/api/v1/orders", body=json.dumps(body), headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse()
    body_out = r.read()
    if r.status != 201:
        raise SystemExit(f"POST /api/v1/orders: {r.status} {body_out[:300]!r}")
    post.append(time.perf_counter() - t0)
    while len(events) == n and time.perf_counter() - t0 < 5:
        time.sleep(0.0005)
    if len(events) > n:
        live.append(events[n] - t0)
    time.sleep(0.05)
def pct(xs, p):
    xs = sorted(xs); return 1000 * xs[round((len(xs) - 1) * p)] if xs else float("nan")
print(f"POST alone (baseline): p50 {pct(post, .5):.1f} ms, p99 {pct(post, .99):.1f} ms")
print(f"POST to event at the client: {len(live)} of 100 seen, p50 {pct(live, .5):.1f} ms, p99 {pct(live, .99):.1f} ms "
      f"(x{pct(live, .5) / pct(post, .5):.2f} of the POST at p50)")
PY
echo "== live in a browser: POST /api/v1/orders until the orders tile changes in Chromium, 100 orders"
[ -d scripts/browser/node_modules/playwright-core ] || (cd scripts/browser && npm ci --silent --no-audit --no-fund)
SERVER=http://127.0.0.1:18390 TOKEN="${token}" node bench/live_browser.mjs
q -d cafe24_bench -c "DELETE FROM cafe24.order_line WHERE order_id LIKE 'BENCH-%' OR order_id LIKE 'BROWSER-BENCH-%'" >/dev/null
