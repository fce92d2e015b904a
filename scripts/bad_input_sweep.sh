#!/usr/bin/env bash
# Bad input sweep: calls every function of schema cafe24 with generated bad arguments
# (NULLs, empty and huge text, extreme numbers, NaN/infinity, odd jsonb and arrays, unknown
# and injection-like names, unreadable tables) as a non-superuser role, then as superuser
# for the functions revoked from PUBLIC, and fails if any call crashes the backend, hangs
# (hits statement_timeout), or ends in an unclear error (XX000, a Rust panic or backtrace,
# an empty message). See scripts/bad_input_sweep.py for the classes and options.
#
# Uses the extension as currently installed (it does not build); cluster in
# /tmp/cafe24_analytics-sweep on port 54336, database "sweep" recreated on every run.
# Full results: /tmp/cafe24_sweep.json. Options are passed to the Python script
# (--list-only, --only FUNC, --max-calls-per-function N, --workers N, ...).
#
# SWEEP_ULIMIT_KB (default 6291456 = 6 GiB): virtual memory limit of every server process,
# so that an unbounded allocation fails inside the server instead of exhausting the
# machine; 0 disables it.
source "$(dirname "$0")/lib.sh"
cd "${REPO_ROOT}"
SWEEP_DIR=/tmp/cafe24_analytics-sweep
SWEEP_PORT=54336
limit_kb="${SWEEP_ULIMIT_KB:-6291456}"
if [ "${limit_kb}" != 0 ]; then ulimit -v "${limit_kb}"; fi

start_cluster "${SWEEP_DIR}" "${SWEEP_PORT}"
restart_cluster "${SWEEP_DIR}"   # load the library as installed now, under the limit above
trap 'stop_cluster "${SWEEP_DIR}"' EXIT

# export_report writes files outside the transaction: start from an empty storage directory,
# so that every run exercises the writes (not "already exists" from the previous run).
find "${SWEEP_DIR}/reports" -mindepth 1 -delete

psql_sweep() { as_postgres "${PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 -h /tmp -p "${SWEEP_PORT}" "$@"; }
psql_sweep -d postgres -c "DROP DATABASE IF EXISTS sweep WITH (FORCE)" -c "CREATE DATABASE sweep"
# Small deterministic demo data (well under a second): a bit over a year, so that yearly
# seasons and year-over-year growth have something to work on.
psql_sweep -d sweep >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION cafe24_analytics;
SELECT * FROM cafe24.generate_demo_data(seed => 7, shops => 2, products => 40, customers => 300,
                                        days => 400, start_date => current_date - 400);
SQL

rc=0
python3 "${REPO_ROOT}/scripts/bad_input_sweep.py" --port "${SWEEP_PORT}" --dbname sweep \
    --server-log "${SWEEP_DIR}/server.log" "$@" || rc=$?
exit $rc
