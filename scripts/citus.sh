#!/usr/bin/env bash
# A local Citus cluster for the distributed tier: a coordinator on port 54340 and two workers
# on 54341 and 54342 (data in /tmp/c24-citus-{coord,w1,w2}), each run as the postgres OS user
# with shared_preload_libraries = 'citus,cafe24_analytics', the workers registered from the
# coordinator, and a database cafe24_citus with both extensions on every node and the demo
# data distributed by cafe24.distribute_star_schema() (CITUS_DB names another database).
#   bash scripts/citus.sh start    idempotent; exits 3 ("skipped: ...") when no Citus is
#                                  installed and no source is found (scripts/citus_install.sh)
#   bash scripts/citus.sh status   each node's state and the registered workers
#   bash scripts/citus.sh stop     idempotent
# Install the extension first (scripts/install.sh, inside the shared PostgreSQL lock): a
# cluster keeps the library it loaded.
source "$(dirname "$0")/lib.sh"

CITUS_DB="${CITUS_DB:-cafe24_citus}" # another name makes a fresh copy (e.g. to experiment)
# The demo mall every node-count comparison uses (scripts/citus_tier.sh loads it on one node too).
# Three shops: shops 1 and 2 hash to shards on the first worker, shop 3 to the second.
CITUS_DEMO_ARGS="${CITUS_DEMO_ARGS:-seed => 7, shops => 3, customers => 2000, products => 200, days => 365, start_date => '2025-01-01', sessions_per_order => 0.5}"
COORD_PORT=54340
WORKER_PORTS=(54341 54342)
node_dir() { # node_dir PORT
    case "$1" in
        "${COORD_PORT}") echo /tmp/c24-citus-coord ;;
        *) echo "/tmp/c24-citus-w$(($1 - COORD_PORT))" ;;
    esac
}
ALL_PORTS=("${COORD_PORT}" "${WORKER_PORTS[@]}")

# Citus opens connections between the nodes over TCP on localhost (initdb's default trust
# authentication applies to them); 8 shards per table suit two workers on a small machine.
CITUS_CONF="shared_preload_libraries = 'citus,cafe24_analytics'
listen_addresses = 'localhost'
citus.shard_count = 8"

psql_at() { # psql_at PORT DB ARGS...
    local port="$1" db="$2"
    shift 2
    as_postgres psql -X -q -At -v ON_ERROR_STOP=1 -h /tmp -p "${port}" -d "${db}" "$@"
}

start() {
    local rc=0 port
    close_lock_fds   # the nodes outlive this command
    "${REPO_ROOT}/scripts/citus_install.sh" || rc=$?
    [ "${rc}" -eq 0 ] || exit "${rc}"
    if [ ! -f "$("${PG_CONFIG}" --sharedir)/extension/cafe24_analytics.control" ]; then
        echo "cafe24_analytics is not installed: run scripts/install.sh first" >&2
        exit 1
    fi
    # Every node up first: on a restart the coordinator's DDL reaches the registered workers.
    for port in "${ALL_PORTS[@]}"; do
        start_cluster "$(node_dir "${port}")" "${port}" "${CITUS_CONF}"
    done
    for port in "${ALL_PORTS[@]}"; do
        if [ -z "$(psql_at "${port}" postgres -c "SELECT 1 FROM pg_database WHERE datname = '${CITUS_DB}'")" ]; then
            psql_at "${port}" postgres -c "CREATE DATABASE ${CITUS_DB}"
        fi
        # (Once the node is in the cluster, its workers refuse extension DDL, even IF NOT EXISTS.)
        if [ -z "$(psql_at "${port}" "${CITUS_DB}" -c "SELECT 1 FROM pg_extension WHERE extname = 'cafe24_analytics'")" ]; then
            psql_at "${port}" "${CITUS_DB}" -c "SET client_min_messages = warning" \
                -c "CREATE EXTENSION IF NOT EXISTS citus" -c "CREATE EXTENSION IF NOT EXISTS cafe24_analytics"
        fi
    done
    psql_at "${COORD_PORT}" "${CITUS_DB}" -c "SELECT citus_set_coordinator_host('localhost', ${COORD_PORT})" >/dev/null
    for port in "${WORKER_PORTS[@]}"; do
        if [ -z "$(psql_at "${COORD_PORT}" "${CITUS_DB}" -c "SELECT 1 FROM pg_dist_node WHERE nodeport = ${port}")" ]; then
            log "citus_add_node('localhost', ${port})"
            psql_at "${COORD_PORT}" "${CITUS_DB}" -c "SELECT citus_add_node('localhost', ${port})" >/dev/null
        fi
    done
    # Demo data into the local tables, then distribute them (Citus copies the rows into the
    # shards); both steps are skipped once done.
    if [ -z "$(psql_at "${COORD_PORT}" "${CITUS_DB}" -c "SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'cafe24.order_line'::regclass")" ]; then
        if [ "$(psql_at "${COORD_PORT}" "${CITUS_DB}" -c "SELECT count(*) FROM cafe24.order_line")" = 0 ]; then
            log "loading the demo data on the coordinator"
            psql_at "${COORD_PORT}" "${CITUS_DB}" -c "SELECT count(*) FROM cafe24.generate_demo_data(${CITUS_DEMO_ARGS})" >/dev/null
        fi
        log "cafe24.distribute_star_schema()"
        psql_at "${COORD_PORT}" "${CITUS_DB}" -c "SELECT count(*) FROM cafe24.distribute_star_schema()" -c "ANALYZE" >/dev/null
    fi
    status
}

status() {
    local port dir state
    for port in "${ALL_PORTS[@]}"; do
        dir="$(node_dir "${port}")"
        if [ -s "${dir}/PG_VERSION" ] && as_postgres "${PG_BIN}/pg_ctl" -D "${dir}" status >/dev/null 2>&1; then
            state=running
        else
            state=stopped
        fi
        printf '%-12s port %s  %s  %s\n' "$([ "${port}" = "${COORD_PORT}" ] && echo coordinator || echo worker)" "${port}" "${dir}" "${state}"
    done
    if as_postgres "${PG_BIN}/pg_ctl" -D "$(node_dir "${COORD_PORT}")" status >/dev/null 2>&1; then
        psql_at "${COORD_PORT}" "${CITUS_DB}" -c "SELECT 'active worker ' || node_name || ':' || node_port FROM citus_get_active_worker_nodes() ORDER BY node_port" 2>/dev/null || true
    fi
}

stop() {
    local port
    for port in "${ALL_PORTS[@]}"; do
        stop_cluster "$(node_dir "${port}")"
    done
    status
}

case "${1:-}" in
    start | stop | status) "$1" ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 2
        ;;
esac
