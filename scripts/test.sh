#!/usr/bin/env bash
# Every test tier; exits non-zero on any failure.
#   1. engine unit tests          cargo test -p cafe24_engine (no PostgreSQL)
#   2. in-server tests            cargo pgrx test pg15 (#[pg_test], extension preloaded)
#   3. SQL golden tests           pg_regress over pg_test/sql against a real cluster
#   4. repository checks          upgrade paths, documented examples executed by tier 3
source "$(dirname "$0")/lib.sh"
cd "${REPO_ROOT}"

TEST_DIR=/tmp/cafe24_analytics-regress
TEST_PORT=54330
PGRX_TEST_DIR=/tmp/c24-pgrx
passed=0
failed=0
failures=()
tier() {
    local name="$1"; shift
    log "tier: ${name}"
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("${name}"); fi
}

"${REPO_ROOT}/scripts/setup.sh"

tier "engine unit tests" cargo test -q -p cafe24_engine
# pgrx's test framework creates its own cluster in ${PGRX_TEST_DIR}.
tier "pgrx in-server tests" cargo pgrx test pg15 --runas postgres --pgdata "${PGRX_TEST_DIR}"

regress() {
    "${REPO_ROOT}/scripts/install.sh"
    start_cluster "${TEST_DIR}" "${TEST_PORT}"
    restart_cluster "${TEST_DIR}"
    rm -rf pg_test/results pg_test/regression.diffs pg_test/regression.out
    mkdir -p pg_test/results
    local tests
    tests=$(cd pg_test/sql && ls *.sql | sed 's/\.sql$//' | sort)
    "$(${PG_CONFIG} --pkglibdir)/pgxs/src/test/regress/pg_regress" \
        --bindir="${PG_BIN}" --host=/tmp --port="${TEST_PORT}" --user=postgres \
        --inputdir=pg_test --outputdir=pg_test --dbname=cafe24_regress \
        ${tests}
    local rc=$?
    if [ $rc -ne 0 ] && [ -f pg_test/regression.diffs ]; then head -200 pg_test/regression.diffs; fi
    return $rc
}
tier "SQL golden tests (pg_regress)" regress
stop_cluster "${TEST_DIR}"

tier "upgrade paths" "${REPO_ROOT}/scripts/check_migrations.sh"
tier "documented examples are tested" python3 "${REPO_ROOT}/scripts/check_doc_examples.py"

echo
echo "tiers: ${passed} passed, ${failed} failed"
if [ ${failed} -ne 0 ]; then
    printf 'failed tier: %s\n' "${failures[@]}"
    exit 1
fi
