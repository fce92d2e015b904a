#!/usr/bin/env bash
# Distributed test tier (issue 17): the same demo mall on one node and on the 3-node Citus
# cluster of scripts/citus.sh give equal analytics results; ingest_orders on the coordinator
# keeps the shard aggregates exact; a worker stopped in the middle of a query or a write
# gives a clear error and leaves nothing half-written.
# Exit 0 with "skipped: ..." when no Citus is installed and no source is found. Run it inside
# the shared PostgreSQL lock, after scripts/install.sh; it stops the cluster at the end
# (KEEP_CLUSTER=1 keeps it).
source "$(dirname "$0")/lib.sh"
cd "${REPO_ROOT}"
close_lock_fds   # with KEEP_CLUSTER=1 the nodes outlive this command

rc=0
"${REPO_ROOT}/scripts/citus_install.sh" || rc=$?
if [ "${rc}" -eq 3 ]; then
    echo "skipped: the distributed tier needs Citus (none installed and no CITUS_SOURCE tarball)"
    exit 0
fi
[ "${rc}" -eq 0 ] || exit "${rc}"
[ -f "$("${PG_CONFIG}" --sharedir)/extension/cafe24_analytics.control" ] || "${REPO_ROOT}/scripts/install.sh"

export CITUS_DB=cafe24_citus_tier
SINGLE_DB=cafe24_single_tier
COORD=54340
t0=$(date +%s)
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
q() { # q PORT DB SQL...
    local port="$1" db="$2"
    shift 2
    as_postgres psql -X -q -At -v ON_ERROR_STOP=1 -h /tmp -p "${port}" -d "${db}" "$@"
}

# A fresh tier database on every node (the kept cafe24_citus of citus.sh is not touched).
"${REPO_ROOT}/scripts/citus.sh" stop >/dev/null
for port in 54340 54341 54342; do
    dir=$([ "${port}" = "${COORD}" ] && echo /tmp/c24-citus-coord || echo "/tmp/c24-citus-w$((port - COORD))")
    [ -s "${dir}/PG_VERSION" ] || continue
    start_cluster "${dir}" "${port}"
    q "${port}" postgres -c "DROP DATABASE IF EXISTS ${CITUS_DB} WITH (FORCE)" -c "DROP DATABASE IF EXISTS ${SINGLE_DB} WITH (FORCE)"
done
[ "${KEEP_CLUSTER:-0}" = 1 ] || trap '"${REPO_ROOT}/scripts/citus.sh" stop >/dev/null' EXIT
"${REPO_ROOT}/scripts/citus.sh" start
source <(sed -n 's/^\(CITUS_DEMO_ARGS=.*\)$/\1/p' "${REPO_ROOT}/scripts/citus.sh")

# The single-node baseline: the same demo mall in a plain database of the coordinator's
# server (no citus extension in it).
q "${COORD}" postgres -c "CREATE DATABASE ${SINGLE_DB}"
q "${COORD}" "${SINGLE_DB}" -c "SET client_min_messages = warning" -c "CREATE EXTENSION cafe24_analytics" \
    -c "SELECT count(*) FROM cafe24.generate_demo_data(${CITUS_DEMO_ARGS})" -c "ANALYZE" >/dev/null
log "single node and cluster loaded after $(($(date +%s) - t0)) s"

dist=$(q "${COORD}" "${CITUS_DB}" -c "SELECT string_agg(logicalrelid::text || ':' || partmethod::text, ' ' ORDER BY logicalrelid::text) FROM pg_dist_partition")
echo "distributed: ${dist}"
[ "$(q "${COORD}" "${CITUS_DB}" -c "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text LIKE 'cafe24.%'")" = 12 ] ||
    fail "distribute_star_schema did not place the 12 star-schema tables"
again=$(q "${COORD}" "${CITUS_DB}" -c "SELECT count(*) FROM cafe24.distribute_star_schema()")
[ "${again}" = 12 ] && pass "distribute_star_schema() is idempotent" || fail "second distribute_star_schema() returned ${again} rows"

# Equal results: each analysis's ordered result set, on one node and on the cluster.
declare -A analyses=(
    [forecast_sales]="SELECT * FROM cafe24.forecast_sales(horizon => 14, by => 'shop', model => 'seasonal_naive') ORDER BY 1, 2, 3"
    [forecast_sales_auto]="SELECT * FROM cafe24.forecast_sales(horizon => 7, grain => 'week', by => 'category') ORDER BY 1, 2, 3"
    [segment_customers]="SELECT * FROM cafe24.segment_customers(as_of => '2026-01-01') ORDER BY 1"
    [customer_lifetime_value]="SELECT * FROM cafe24.customer_lifetime_value(horizon_days => 180, as_of => '2026-01-01') ORDER BY 1"
    [optimize_inventory]="SELECT * FROM cafe24.optimize_inventory(as_of => '2025-12-31') ORDER BY 1"
    [profit_margins]="SELECT * FROM cafe24.profit_margins(by => 'category', from_date => '2025-01-01', to_date => '2025-12-31') ORDER BY 1"
    [profit_margins_shop]="SELECT * FROM cafe24.profit_margins(by => 'shop', from_date => '2025-01-01', to_date => '2025-12-31') ORDER BY 1"
)
for name in $(printf '%s\n' "${!analyses[@]}" | sort); do
    sql="${analyses[$name]}"
    a=$(q "${COORD}" "${SINGLE_DB}" -c "SET extra_float_digits = 0" -c "${sql}" 2>&1) || { fail "${name} on one node: ${a}"; continue; }
    b=$(q "${COORD}" "${CITUS_DB}" -c "SET extra_float_digits = 0" -c "${sql}" 2>&1) || { fail "${name} on the cluster: ${b}"; continue; }
    rows=$(printf '%s\n' "${a}" | grep -c . || true)
    if [ "${a}" = "${b}" ] && [ "${rows}" -gt 0 ]; then
        pass "${name}: ${rows} rows equal on one node and on the cluster"
    else
        fail "${name}: results differ ($(printf '%s\n' "${a}" | grep -c .) vs $(printf '%s\n' "${b}" | grep -c .) rows)"
        diff <(printf '%s\n' "${a}") <(printf '%s\n' "${b}") | head -6 >&2
    fi
done

# Ingest on the coordinator: new lines in both shops and a changed status; the shard
# aggregates stay exact (check_aggregates compares them with a full recomputation).
payload='{"orders": [
 {"shop_no": 1, "order_id": "TIER-1", "member_id": "tier_member", "order_date": "2025-12-30T10:00:00+09:00",
  "items": [{"order_item_code": "TIER-1-01", "variant_code": "TIER-V1", "quantity": 2, "product_price": "1000.00", "order_status": "N40"},
            {"order_item_code": "TIER-1-02", "variant_code": "TIER-V2", "quantity": 1, "product_price": "5000.00", "order_status": "N10"}]},
 {"shop_no": 2, "order_id": "TIER-2", "member_id": "", "order_date": "2025-12-31T23:30:00+09:00",
  "items": [{"order_item_code": "TIER-2-01", "variant_code": "TIER-V1", "quantity": 3, "product_price": "1000.00", "order_status": "N40"}]}]}'
changed="${payload//\"N10\"/\"C40\"}"
for db in "${SINGLE_DB}" "${CITUS_DB}"; do
    out=$(q "${COORD}" "${db}" -c "SELECT * FROM cafe24.ingest_orders('${payload}')" -c "SELECT * FROM cafe24.ingest_orders('${changed}')" \
          -c "SELECT * FROM cafe24.ingest_orders('${changed}')" 2>&1) || fail "ingest_orders on ${db}: ${out}"
    echo "ingest_orders on ${db}: $(echo ${out})"
done
# The live-KPI facts on the cluster: rebuild_kpis() (docs/citus.md); on one node, the queue.
q "${COORD}" "${CITUS_DB}" -c "SELECT cafe24.rebuild_kpis()" >/dev/null || fail "rebuild_kpis() on the cluster"
q "${COORD}" "${SINGLE_DB}" -c "SELECT cafe24.fold_live_kpis()" >/dev/null || fail "fold_live_kpis() on one node"
for db in "${SINGLE_DB}" "${CITUS_DB}"; do
    chk=$(q "${COORD}" "${db}" -c "SELECT string_agg(format('%s %s/%s %s %s', aggregate, stored_rows, expected_rows, missing_or_different, unexpected), '; ') FROM cafe24.check_aggregates()" 2>&1) || true
    if [[ "${chk}" =~ ^sales_daily\ ([0-9]+)/([0-9]+)\ 0\ 0\;\ sales_monthly\ ([0-9]+)/([0-9]+)\ 0\ 0$ ]] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]; then
        pass "aggregates exact after ingest on ${db}: ${chk}"
    else
        fail "aggregates after ingest on ${db}: ${chk}"
    fi
done
kpi_sql="SELECT day, shop_no, orders, repeat_orders, sessions, converted_sessions, revenue, units, cost FROM cafe24.order_daily ORDER BY 1, 2"
facts_sql="SELECT md5(string_agg(concat_ws(',', day, shop_no, product_id, order_lines, sold_units, net_amount, cost_amount, returned_units, cancelled_units), ';' ORDER BY day, shop_no, product_id)) FROM cafe24.sales_daily"
for sql in "${kpi_sql}" "${facts_sql}"; do
    a=$(q "${COORD}" "${SINGLE_DB}" -c "${sql}")
    b=$(q "${COORD}" "${CITUS_DB}" -c "${sql}")
    [ "${a}" = "${b}" ] && pass "after ingest, equal on both: ${sql:0:60}..." || fail "after ingest, different: ${sql:0:60}..."
done

# The scheduler: refused on a worker; a job on the coordinator reaches the shards (here the
# KPI rebuild, after a line changed on a shard: the job's run brings order_daily up to date).
msg=$(q 54341 "${CITUS_DB}" -c "SELECT cafe24.schedule('x', '@daily', 'SELECT 1')" 2>&1) &&
    fail "schedule() on a worker was accepted" ||
    { [[ "${msg}" == *"Citus worker"* ]] && pass "schedule() on a worker: ${msg:0:120}" || fail "schedule() on a worker: ${msg}"; }
q "${COORD}" postgres -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS cafe24_analytics" >/dev/null
q "${COORD}" "${CITUS_DB}" -c "UPDATE cafe24.order_line SET status = 'cancelled' WHERE order_item_code = 'TIER-1-01'" >/dev/null
q "${COORD}" "${SINGLE_DB}" -c "UPDATE cafe24.order_line SET status = 'cancelled' WHERE order_item_code = 'TIER-1-01'" -c "SELECT cafe24.fold_live_kpis()" >/dev/null
job=$(q "${COORD}" postgres -c "SELECT cafe24.schedule_in_database('citus_tier_kpis', '1 seconds', 'SELECT cafe24.rebuild_kpis()', '${CITUS_DB}')")
ran=""
for _ in $(seq 1 60); do
    ran=$(q "${COORD}" postgres -c "SELECT status FROM cafe24.job_run_details WHERE jobid = ${job} AND status IN ('succeeded', 'failed') ORDER BY runid LIMIT 1")
    [ -n "${ran}" ] && break
    sleep 0.5
done
q "${COORD}" postgres -c "SELECT cafe24.unschedule(${job})" >/dev/null
a=$(q "${COORD}" "${SINGLE_DB}" -c "${kpi_sql}")
b=$(q "${COORD}" "${CITUS_DB}" -c "${kpi_sql}")
[ "${ran}" = succeeded ] && [ "${a}" = "${b}" ] && pass "a coordinator job rebuilt the cluster's KPI facts: equal to one node's" ||
    fail "coordinator job: run ${ran:-not seen}, order_daily $([ "${a}" = "${b}" ] && echo equal || echo different)"

# The worker holding shop 1's shards (shops 1 and 2 are on one worker, shop 3 on the other).
W=$(q "${COORD}" "${CITUS_DB}" -c "SELECT p.nodeport FROM pg_dist_shard_placement AS p WHERE p.shardid = get_shard_id_for_distribution_column('cafe24.order_line', 1)")
W_DIR=/tmp/c24-citus-w$((W - COORD))

# A worker stopped in the middle of a read: a clear error naming the node.
lines_before=$(q "${COORD}" "${CITUS_DB}" -c "SELECT count(*) FROM cafe24.order_line")
err=$(mktemp)
q "${COORD}" "${CITUS_DB}" -c "SELECT count(*) FROM cafe24.order_line WHERE pg_sleep(0.01) IS NOT NULL" >/dev/null 2>"${err}" &
reader=$!
sleep 2
as_postgres "${PG_BIN}/pg_ctl" -D "${W_DIR}" -m immediate -w stop >/dev/null
if wait "${reader}"; then
    fail "a read survived a stopped worker without an error"
else
    msg=$(tr '\n' ' ' <"${err}")
    [[ "${msg}" == *"localhost:${W}"* || "${msg}" == *"connection"* ]] && pass "stopped worker mid-read: ${msg:0:160}" || fail "unclear error: ${msg}"
fi
start_cluster "${W_DIR}" "${W}"

# A worker stopped in the middle of a write (ingest into both shops' shards, then a pause
# before COMMIT): the commit fails and no line, aggregate or KPI of the payload is left.
write_payload="${payload//TIER-/HALF-}"
q "${COORD}" "${CITUS_DB}" -c "BEGIN" -c "SELECT * FROM cafe24.ingest_orders('${write_payload}')" -c "SELECT pg_sleep(4)" -c "COMMIT" >/dev/null 2>"${err}" &
writer=$!
sleep 2
as_postgres "${PG_BIN}/pg_ctl" -D "${W_DIR}" -m immediate -w stop >/dev/null
if wait "${writer}"; then
    fail "a write committed with a worker stopped"
else
    pass "stopped worker mid-write: $(tr '\n' ' ' <"${err}" | cut -c1-160)"
fi
start_cluster "${W_DIR}" "${W}"
sleep 1
q "${COORD}" "${CITUS_DB}" -c "SELECT recover_prepared_transactions()" >/dev/null
half=$(q "${COORD}" "${CITUS_DB}" -c "SELECT count(*) FROM cafe24.order_line WHERE order_id LIKE 'HALF-%'")
now_lines=$(q "${COORD}" "${CITUS_DB}" -c "SELECT count(*) FROM cafe24.order_line")
chk=$(q "${COORD}" "${CITUS_DB}" -c "SELECT sum(missing_or_different + unexpected) FROM cafe24.check_aggregates()")
facts=$(q "${COORD}" "${CITUS_DB}" -c "SELECT count(*) FROM cafe24.order_fact WHERE order_id LIKE 'HALF-%'")
if [ "${half}" = 0 ] && [ "${facts}" = 0 ] && [ "${chk}" = 0 ] && [ "${now_lines}" = "${lines_before}" ]; then
    pass "nothing half-written: 0 lines, 0 order facts of the payload, aggregates exact, ${now_lines} lines as before"
else
    fail "after the failed write: ${half} lines, ${facts} facts of the payload, ${chk} aggregate differences, ${now_lines} lines (was ${lines_before})"
fi
rm -f "${err}"

# Per-shop row-level security on the cluster: a role given shop 1 reads shop 1 only, the same
# rows as on one node (the policies run in the workers' shard queries; schema USAGE is not
# propagated by Citus for the extension's schema, so it is granted on the workers too).
q "${COORD}" "${CITUS_DB}" -c "DO \$\$ BEGIN CREATE ROLE tier_shop1 LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
for db in "${SINGLE_DB}" "${CITUS_DB}"; do
    q "${COORD}" "${db}" -c "GRANT USAGE ON SCHEMA cafe24 TO tier_shop1" -c "GRANT SELECT ON cafe24.order_line, cafe24.sales_daily TO tier_shop1" \
        -c "INSERT INTO cafe24.shop_access VALUES ('tier_shop1', 1)" >/dev/null
done
q "${COORD}" "${CITUS_DB}" -c "SELECT count(*) FROM run_command_on_workers('GRANT USAGE ON SCHEMA cafe24 TO tier_shop1') WHERE success" >/dev/null
rls_sql="SELECT shop_no, count(*), sum(net_amount) FROM cafe24.sales_daily GROUP BY 1 ORDER BY 1"
a=$(as_postgres psql -X -q -At -h /tmp -p "${COORD}" -U tier_shop1 -d "${SINGLE_DB}" -c "${rls_sql}" 2>&1)
b=$(as_postgres psql -X -q -At -h /tmp -p "${COORD}" -U tier_shop1 -d "${CITUS_DB}" -c "${rls_sql}" 2>&1)
[[ "${a}" == 1\|* ]] && [ "$(printf '%s\n' "${b}" | wc -l)" = 1 ] && [ "${a}" = "${b}" ] &&
    pass "a role given shop 1 reads shop 1 only on both: ${b}" || fail "per-shop RLS: one node '${a}', cluster '${b}'"

# TRUNCATE on the coordinator empties the aggregates on every shard.
q "${COORD}" "${CITUS_DB}" -c "TRUNCATE cafe24.order_line" >/dev/null
chk=$(q "${COORD}" "${CITUS_DB}" -c "SELECT string_agg(format('%s %s', aggregate, stored_rows), ', ') FROM cafe24.check_aggregates()")
[ "${chk}" = "sales_daily 0, sales_monthly 0" ] && pass "TRUNCATE order_line: ${chk}" || fail "after TRUNCATE order_line: ${chk}"

echo "citus tier: ${failures} failures in $(($(date +%s) - t0)) s"
[ "${failures}" -eq 0 ]
