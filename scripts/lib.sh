# Shared settings and helpers for the scripts; source it, do not run it.
# Everything here is idempotent and safe on a fresh Debian 12 machine as root.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_MAJOR=15
PG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin"
PG_CONFIG="${PG_BIN}/pg_config"
PGRX_VERSION=0.18.1
export PATH="${HOME}/.cargo/bin:${PATH}"
# A clean CI clone gains nothing from incremental compilation, which only adds to the disk.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Runs a command as the postgres OS user (PostgreSQL refuses to run as root).
as_postgres() {
    if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

# Starts (or reuses) a cluster in $1 listening on port $2 with the extension preloaded;
# $3 (optional) is appended to postgresql.conf when the cluster is created (a later line
# overrides an earlier one, e.g. shared_preload_libraries = 'citus,cafe24_analytics').
start_cluster() {
    local dir="$1" port="$2" extra_conf="${3:-}"
    close_lock_fds   # a server left running must not hold the caller's flock
    if [ ! -s "${dir}/PG_VERSION" ]; then
        log "initdb ${dir}"
        mkdir -p "${dir}"
        chown postgres:postgres "${dir}"
        as_postgres "${PG_BIN}/initdb" -D "${dir}" -U postgres --encoding=UTF8 --locale=C.UTF-8 >/dev/null
        cat >>"${dir}/postgresql.conf" <<CONF
port = ${port}
listen_addresses = ''
unix_socket_directories = '/tmp'
shared_preload_libraries = 'cafe24_analytics'
cafe24_analytics.report_storage_path = '${dir}/reports'
max_worker_processes = 16
${extra_conf}
CONF
    fi
    mkdir -p "${dir}/reports" && chown postgres:postgres "${dir}/reports"
    if ! as_postgres "${PG_BIN}/pg_ctl" -D "${dir}" status >/dev/null 2>&1; then
        log "starting PostgreSQL ${PG_MAJOR} on port ${port}"
        # No RUST_BACKTRACE in the server: error details must not carry backtraces.
        # Our TCP ports (the Citus clusters listen on localhost) lie in Linux's ephemeral
        # range (32768-60999): a client connection of an earlier tier can hold one as its
        # local port for a while. Then the bind fails; wait for it to be released.
        local attempt
        for attempt in $(seq 1 30); do
            if as_postgres env -u RUST_BACKTRACE "${PG_BIN}/pg_ctl" -D "${dir}" -l "${dir}/server.log" -w -t 60 start >/dev/null; then
                return 0
            fi
            tail -n 5 "${dir}/server.log" | grep -q "Address already in use" || return 1
            log "port ${port} is held by another socket (attempt ${attempt}); retrying in 2 s"
            sleep 2
        done
        return 1
    fi
}

# Restarts a running cluster so a freshly installed library is loaded.
restart_cluster() {
    local dir="$1"
    as_postgres env -u RUST_BACKTRACE "${PG_BIN}/pg_ctl" -D "${dir}" -l "${dir}/server.log" -w -t 60 restart -m fast >/dev/null
}

# For benchmarks: the freshly installed extension loaded in the (re)started demo cluster;
# defines q() to run psql against it.
# BENCH_PORT and BENCH_DIR choose another cluster (default: the demo's).
bench_cluster() {
    local dir="${BENCH_DIR:-/tmp/cafe24_analytics-demo}"
    BENCH_PORT="${BENCH_PORT:-54329}"
    "${REPO_ROOT}/scripts/install.sh"
    start_cluster "${dir}" "${BENCH_PORT}"
    restart_cluster "${dir}"
    q() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -h /tmp -p "${BENCH_PORT}" "$@"; }
}

# For benchmarks: bench_cluster with an empty database cafe24_bench.
bench_database() {
    "${REPO_ROOT}/scripts/setup.sh"
    bench_cluster
    q -d postgres -c "DROP DATABASE IF EXISTS cafe24_bench" -c "CREATE DATABASE cafe24_bench"
    q -d cafe24_bench -c "CREATE EXTENSION cafe24_analytics"
}

# For benchmarks that measure a kept database again (REUSE=1): bench_cluster, and
# cafe24_bench must exist.
bench_reuse() {
    bench_cluster
    q -d cafe24_bench -c "SELECT 1" >/dev/null
}

# bench_demo_database CUSTOMERS [ARGS]: cafe24_bench holding the demo mall of CUSTOMERS
# customers (2 000 products, 730 days to today, 0.5 sessions per order; about ten order
# lines per customer), with generate_demo_data's extra ARGS (e.g. "shops => 2"); with
# REUSE=1 the kept database is measured again instead.
bench_demo_database() {
    if [ "${REUSE:-0}" = 1 ]; then
        bench_reuse
        return
    fi
    bench_database
    q -d cafe24_bench -c "SELECT * FROM cafe24.generate_demo_data(seed => 7, customers => $1, products => 2000, days => 730, sessions_per_order => 0.5, start_date => current_date - 729${2:+, $2})" -c "ANALYZE" >/dev/null
}

# Write-cost benchmarks (bench/dashboards.sh, bench/live_kpis.sh): the SQL of N
# transactions of one statement each, for today, shop 1. TAG tells the runs of one script
# apart; with BENCH_RUN (when the script started) it keeps order codes and session ids
# unique when a kept database is measured again. Session ids take TAG's digits (0-99).
BENCH_RUN="${BENCH_RUN:-$(date +%s)}"
bench_orders_sql() { # N TAG: one 3-line order each
    for i in $(seq 1 "$1"); do
        echo "INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
SELECT 'B${BENCH_RUN}$2-$i', 'B${BENCH_RUN}$2-$i-' || g, 1, now(), $i, g * 7, 1, 10000, 6000, 'paid' FROM generate_series(1, 3) AS g;"
    done
}
bench_batches_sql() { # N TAG CUSTOMERS: 100 3-line orders each (as ingest_orders loads a page of orders)
    for i in $(seq 1 "$1"); do
        echo "INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, unit_cost, status)
SELECT 'M${BENCH_RUN}$2-$i-' || o, 'M${BENCH_RUN}$2-$i-' || o || '-' || g, 1, now(), ($i * 100 + o) % $3 + 1, g * 7, 1, 10000, 6000, 'paid' FROM generate_series(1, 100) AS o, generate_series(1, 3) AS g;"
    done
}
bench_events_sql() { # N TAG: one view event each, in a new session (N <= 9999)
    local slot
    slot=$(printf %02d "$((10#0${2//[!0-9]/}))")
    for i in $(seq 1 "$1"); do
        echo "INSERT INTO cafe24.behaviour_event (session_id, customer_id, shop_no, product_id, event_type, occurred_at) VALUES (${BENCH_RUN}${slot}$(printf %04d "$i"), $i, 1, 7, 'view', now());"
    done
}
# ENABLE or DISABLE the live KPI triggers of cafe24_bench (the sales aggregates stay on).
bench_kpi_triggers() {
    q -d cafe24_bench -c "ALTER TABLE cafe24.order_line $1 TRIGGER zz_kpis_insert" -c "ALTER TABLE cafe24.behaviour_event $1 TRIGGER zz_kpis_insert" \
      -c "ALTER TABLE cafe24.sales_daily $1 TRIGGER zz_kpis_insert, $1 TRIGGER zz_kpis_update"
}

# bench_measure LABEL SQL: runs SQL in a fresh backend of cafe24_bench and prints
# "LABEL|seconds|peak MiB" (the backend's VmHWM, read from /proc while it runs).
bench_measure() {
    local pid_file secs peak=0 v bg pid
    pid_file=$(mktemp)
    q -d cafe24_bench -At >"${pid_file}" <<SQL &
SELECT pg_backend_pid();
SELECT clock_timestamp() AS t0 \gset
$2;
SELECT 'elapsed ' || extract(epoch FROM clock_timestamp() - :'t0');
SELECT pg_sleep(1);
SQL
    bg=$!
    sleep 0.5
    pid=$(head -1 "${pid_file}")
    while kill -0 $bg 2>/dev/null; do
        v=$(awk '/VmHWM/ {print $2}' /proc/${pid}/status 2>/dev/null || echo 0)
        [ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v
        sleep 0.2
    done
    secs=$(sed -n 's/^elapsed //p' "${pid_file}")
    rm -f "${pid_file}"
    printf '%s|%s|%s\n' "$1" "$secs" "$((peak / 1024))"
}

# bench_report: reads bench_measure lines on stdin and prints them as a table with the
# ratio to the most recent line whose label starts with "floor". A label measured several
# times (interleaved rounds) is one line: the median seconds (with the range) and the
# largest peak, in the order labels first appear.
bench_report() {
    python3 -c '
import sys, statistics
rows = [l.strip().split("|") for l in sys.stdin if "|" in l]
order, runs = [], {}
for name, secs, peak in rows:
    if name not in runs:
        order.append(name)
        runs[name] = []
    runs[name].append((float(secs), int(peak)))
print("%-40s%10s%10s%10s  %s" % ("run", "seconds", "peak MiB", "x floor", "runs"))
floor = None
for name in order:
    secs = [r[0] for r in runs[name]]
    s = statistics.median(secs)
    if name.startswith("floor"):
        floor = s
    spread = "%d: %.2f-%.2f" % (len(secs), min(secs), max(secs)) if len(secs) > 1 else "1"
    print("%-40s%10.2f%10d%10.1f  %s" % (name, s, max(r[1] for r in runs[name]), s / floor, spread))
'
}

stop_cluster() {
    local dir="$1"
    if [ -s "${dir}/PG_VERSION" ]; then
        as_postgres "${PG_BIN}/pg_ctl" -D "${dir}" -w -t 60 stop -m fast >/dev/null 2>&1 || true
    fi
}

# web_roles_sql LOGIN WRITER [READER...]: SQL that makes the roles the HTTP server needs
# (docs/server.md), each LOGIN if missing: the server's login with nothing but EXECUTE on
# cafe24.authenticate / http_call / http_call_bytes; merchants who read the star schema (not
# the API keys' hashes) and may export reports; WRITER may also ingest orders. A merchant
# written name@1,2 reads and writes shops 1 and 2 (cafe24.shop_access); a bare name, every shop.
web_roles_sql() {
    local login="$1" writer="${2%%@*}" r name shops
    shift
    echo "SET client_min_messages = warning;"
    local names=()
    for r in "$@"; do names+=("${r%%@*}"); done
    for r in "${login}" "${names[@]}"; do
        echo "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${r}') THEN CREATE ROLE ${r} LOGIN; END IF; END \$\$;"
    done
    local merchants
    merchants=$(IFS=,; echo "${names[*]}")
    cat <<SQL
GRANT USAGE ON SCHEMA cafe24 TO ${login}, ${merchants};
GRANT EXECUTE ON FUNCTION cafe24.authenticate(text), cafe24.http_call(text, text, jsonb), cafe24.http_call_bytes(text, text, jsonb) TO ${login};
GRANT SELECT ON ALL TABLES IN SCHEMA cafe24 TO ${merchants};
REVOKE SELECT ON cafe24.api_key FROM ${merchants};
GRANT INSERT, UPDATE ON cafe24.order_line, cafe24.product, cafe24.customer, cafe24.shop TO ${writer};
GRANT EXECUTE ON FUNCTION cafe24.export_report TO ${merchants};
SQL
    for r in "$@"; do
        name="${r%%@*}"
        echo "DELETE FROM cafe24.shop_access WHERE role = '${name}';"
        if [[ "$r" == *@* ]]; then shops="${r#*@}"; else shops=""; fi
        if [ -z "${shops}" ]; then
            echo "INSERT INTO cafe24.shop_access (role, shop_no) VALUES ('${name}', NULL);"
        else
            echo "INSERT INTO cafe24.shop_access (role, shop_no) SELECT '${name}', unnest('{${shops}}'::integer[]);"
        fi
    done
}

# Closes this shell's descriptors on *.lock files (e.g. the shared /tmp/c24-pg.lock taken by
# `flock FILE command`), so that servers started from here and left running do not inherit
# them and hold the lock after the command ends.
close_lock_fds() {
    local fd
    for fd in /proc/$$/fd/*; do
        fd="${fd##*/}"
        [ "${fd}" -gt 2 ] 2>/dev/null || continue
        case "$(readlink "/proc/$$/fd/${fd}" 2>/dev/null)" in *.lock) eval "exec ${fd}>&-" ;; esac
    done
}
