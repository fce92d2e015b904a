#!/usr/bin/env bash
# HTTP tier: builds cafe24-analytics-server, starts a cluster (port 54344) with demo data,
# two merchant roles with API keys and the server's own login (no rights but EXECUTE on
# cafe24.authenticate / http_call / http_call_bytes), starts the server on port 18344 and
# runs scripts/server_tests.py and the browser tests (scripts/browser/test.mjs) against it;
# then stops the server with SIGTERM and checks it exits cleanly. Uses the installed extension (run scripts/install.sh first).
source "$(dirname "$0")/lib.sh"
cd "${REPO_ROOT}"
DIR=/tmp/cafe24_analytics-server
PORT=54344
HTTP_PORT=18344

log "cargo build --release -p cafe24-analytics-server"
cargo build -q --release -p cafe24-analytics-server
start_cluster "${DIR}" "${PORT}"
restart_cluster "${DIR}"
server_pid=""
cleanup() {
    [ -n "${server_pid}" ] && kill "${server_pid}" 2>/dev/null
    stop_cluster "${DIR}"
}
trap cleanup EXIT
q() { as_postgres "${PG_BIN}/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h /tmp -p "${PORT}" "$@"; }
q -d postgres -c "DROP DATABASE IF EXISTS web WITH (FORCE)" -c "CREATE DATABASE web"
q -d web >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION cafe24_analytics;
SELECT * FROM cafe24.generate_demo_data(seed => 11, shops => 2, products => 30, customers => 500, days => 200, start_date => current_date - 200);
DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'srv_server') THEN
        DROP OWNED BY srv_server, srv_merchant_a, srv_merchant_b; DROP ROLE srv_server, srv_merchant_a, srv_merchant_b;
    END IF;
END $$;
SQL
# Merchants log in (scheduled jobs run as their owner, who must be able to); only a ingests.
# a reads and writes shop 1, b shop 2 (per-shop row-level security, cafe24.shop_access).
web_roles_sql srv_server srv_merchant_a@1 srv_merchant_b@2 | q -d web >/dev/null
token() { q -d web -c "SET ROLE $1" -c "SELECT cafe24.create_api_key('$1', 'server tier')"; }
export TOKEN_A TOKEN_B TOKEN_SUPER
TOKEN_A=$(token srv_merchant_a)
TOKEN_B=$(token srv_merchant_b)
TOKEN_SUPER=$(token postgres)

log "starting cafe24-analytics-server on 127.0.0.1:${HTTP_PORT}"
"${REPO_ROOT}/target/release/cafe24-analytics-server" --help | grep -q -- --database-url
"${REPO_ROOT}/target/release/cafe24-analytics-server" \
    --database-url "postgresql:///web?host=/tmp&port=${PORT}&user=srv_server" \
    --listen "127.0.0.1:${HTTP_PORT}" --statement-timeout-ms 2000 >"${DIR}/http.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${HTTP_PORT}/api/v1/health', timeout=1)" 2>/dev/null && break
    sleep 0.1
done
rc=0
export SERVER="http://127.0.0.1:${HTTP_PORT}" PSQL="runuser -u postgres -- ${PG_BIN}/psql -h /tmp -p ${PORT} -d web"
python3 "${REPO_ROOT}/scripts/server_tests.py" || rc=1

# The page in a real browser: Debian's Chromium driven by playwright-core (npm, no browser
# download); screenshots in out/browser.
if [ ! -d "${REPO_ROOT}/scripts/browser/node_modules/playwright-core" ]; then
    log "npm ci (playwright-core)"
    (cd "${REPO_ROOT}/scripts/browser" && npm ci --no-audit --no-fund --silent)
fi
OUT="${REPO_ROOT}/out/browser" node "${REPO_ROOT}/scripts/browser/test.mjs" || rc=1

# SIGTERM: the server stops accepting, finishes, and exits 0.
kill -TERM "${server_pid}"
for _ in $(seq 1 50); do kill -0 "${server_pid}" 2>/dev/null || break; sleep 0.1; done
if kill -0 "${server_pid}" 2>/dev/null; then echo "FAIL the server did not stop on SIGTERM"; rc=1; else
    wait "${server_pid}"; status=$?
    if [ "${status}" -eq 0 ]; then echo "ok   the server exits 0 on SIGTERM"; else echo "FAIL the server exited ${status} on SIGTERM"; rc=1; fi
fi
server_pid=""
if grep -q "uri=/api/v1/health.*finished processing request" "${DIR}/http.log"; then echo "ok   requests are logged"; else echo "FAIL requests are not logged"; rc=1; fi
exit $rc
