#!/usr/bin/env bash
# SQL golden tests: installs the extension, starts a cluster (port 54330) with it
# preloaded, and runs PostgreSQL's pg_regress over pg_test/sql (all, or those named).
# To accept a deliberate change: cp pg_test/results/X.out pg_test/expected/X.out
source "$(dirname "$0")/lib.sh"
cd "${REPO_ROOT}"
TEST_DIR=/tmp/cafe24_analytics-regress
TEST_PORT=54330

"${REPO_ROOT}/scripts/install.sh"
start_cluster "${TEST_DIR}" "${TEST_PORT}"
restart_cluster "${TEST_DIR}"   # load the library just installed
trap 'stop_cluster "${TEST_DIR}"' EXIT
rm -rf pg_test/results pg_test/regression.diffs pg_test/regression.out
mkdir -p pg_test/results
if [ $# -gt 0 ]; then tests="$*"; else tests=$(cd pg_test/sql && ls *.sql | sed 's/\.sql$//' | sort); fi
for t in ${tests}; do [ -f "pg_test/expected/${t}.out" ] || : >"pg_test/expected/${t}.out"; done
rc=0
"$("${PG_CONFIG}" --pkglibdir)/pgxs/src/test/regress/pg_regress" \
    --bindir="${PG_BIN}" --host=/tmp --port="${TEST_PORT}" --user=postgres \
    --inputdir=pg_test --outputdir=pg_test --dbname=cafe24_regress ${tests} || rc=$?
if [ $rc -ne 0 ] && [ -f pg_test/regression.diffs ]; then head -300 pg_test/regression.diffs; fi
exit $rc
