#!/usr/bin/env bash
# Every test tier; exits non-zero on any failure.
#   1. engine unit tests          cargo test -p cafe24_engine (no PostgreSQL)
#   2. in-server tests            cargo pgrx test pg15 (#[pg_test], extension preloaded)
#   3. SQL golden tests           pg_regress over pg_test/sql against a real cluster
#   4. pg_cron's regression suite (pg_test/pg_cron) against the scheduler
#      and the scheduler under faults (no run lost or doubled)
#   5. bad input: every public function with generated bad arguments (clear errors, no crash)
#      and the HTTP server against a real cluster
#   6. distributed: the demo on one node and on a 3-node Citus cluster (scripts/citus_tier.sh;
#      Citus built from ../shared/vendor or $CITUS_SOURCE when none is installed, else skipped)
#   7. repository checks          upgrade paths, documented examples executed by tier 3,
#                                 code style (cargo fmt --check, cargo clippy -D warnings)
source "$(dirname "$0")/lib.sh"
cd "${REPO_ROOT}"

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

tier "SQL golden tests (pg_regress)" "${REPO_ROOT}/scripts/regress.sh"
# Uses the extension regress.sh installed.
tier "pg_cron's own regression suite" "${REPO_ROOT}/scripts/pg_cron_suite.sh"
tier "scheduler faults (kill -9, immediate restart, terminated launcher and runs)" "${REPO_ROOT}/scripts/fault_tier.sh"
tier "bad input sweep (clear errors, no crash or hang)" "${REPO_ROOT}/scripts/bad_input_sweep.sh"
tier "HTTP server (endpoints, keys, errors, limits, live events)" "${REPO_ROOT}/scripts/server_tier.sh"
tier "distributed (one node vs Citus coordinator + 2 workers)" "${REPO_ROOT}/scripts/citus_tier.sh"

tier "upgrade paths" "${REPO_ROOT}/scripts/check_migrations.sh"
tier "documented examples are tested" python3 "${REPO_ROOT}/scripts/check_doc_examples.py"
tier "code style (cargo fmt --check, cargo clippy --workspace -D warnings)" \
    bash -c 'cargo fmt --check && cargo clippy -q --workspace --all-targets -- -D warnings'

echo
echo "tiers: ${passed} passed, ${failed} failed"
if [ ${failed} -ne 0 ]; then
    printf 'failed tier: %s\n' "${failures[@]}"
    exit 1
fi
