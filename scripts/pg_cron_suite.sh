#!/usr/bin/env bash
# pg_cron's own regression suite (pg_test/pg_cron/upstream, copied verbatim from pg_cron)
# against our scheduler: translates the test and its expected output from schema cron to
# schema cafe24, runs it as pg_regress would in a cluster of its own (port 54335), and
# compares the diff between expected and actual output with the accepted one,
# pg_test/pg_cron/accepted.diff. Every accepted hunk is explained in
# docs/scheduler.md (section "pg_cron's regression suite").
#
# Does not build or install: run scripts/install.sh first.
#   scripts/pg_cron_suite.sh            # passes iff the diff equals accepted.diff
#   scripts/pg_cron_suite.sh --accept   # rewrites accepted.diff with the current diff
source "$(dirname "$0")/lib.sh"
cd "${REPO_ROOT}"
SUITE=pg_test/pg_cron
TEST_DIR=/tmp/cafe24_analytics-pgcron
TEST_PORT=54335
WORK=/tmp/cafe24_analytics-pgcron-work
DB=postgres   # the suite must run where the scheduler lives (cafe24_analytics.scheduler_database)

accept=0
case "${1:-}" in
    --accept) accept=1 ;;
    "") ;;
    *) echo "usage: $0 [--accept]" >&2; exit 2 ;;
esac

rm -rf "${WORK}"
mkdir -p "${WORK}"

# Mechanical translation of pg_cron-test.sql and pg_cron-test.out, line by line; any line
# no rule matches is kept byte for byte (trailing blanks included), so the rest of the
# expected output is pg_cron's own. Deliberately not translated: ALTER EXTENSION pg_cron
# UPDATE, extname='pg_cron' and the 'ALTER EXTENSION pg_cron UPDATE' job command (we have
# no pg_cron versions to step through; the diff shows what that gives).
translate() {
    python3 - "$1" "$2" <<'PY'
import re, sys
src, dst = sys.argv[1], sys.argv[2]
rules = [
    # CREATE EXTENSION pg_cron [VERSION 'x'];  ->  CREATE EXTENSION cafe24_analytics;
    (re.compile(r"\bCREATE EXTENSION pg_cron(?: VERSION '[^']*')?", re.I),
     "CREATE EXTENSION cafe24_analytics"),
    # DROP EXTENSION [IF EXISTS] pg_cron [cascade]  ->  the same for cafe24_analytics
    (re.compile(r"\b(DROP EXTENSION (?:IF EXISTS )?)pg_cron\b", re.I),
     r"\1cafe24_analytics"),
    # cron.schedule, cron.job, ...  ->  cafe24.schedule, cafe24.job, ...
    # (also turns the enum label 'cron.database_name' into 'cafe24.database_name')
    (re.compile(r"\bcron\."), "cafe24."),
    # GRANT USAGE ON SCHEMA cron  ->  GRANT USAGE ON SCHEMA cafe24
    (re.compile(r"\b(SCHEMA )cron\b", re.I), r"\1cafe24"),
]
with open(src, encoding="utf-8", newline="") as f:
    lines = f.read().split("\n")
out = []
for line in lines:
    for pattern, repl in rules:
        line = pattern.sub(repl, line)
    out.append(line)
with open(dst, "w", encoding="utf-8", newline="") as f:
    f.write("\n".join(out))
PY
}
translate "${SUITE}/upstream/pg_cron-test.sql" "${WORK}/pg_cron-test.sql"
translate "${SUITE}/upstream/pg_cron-test.out" "${WORK}/expected.out"

start_cluster "${TEST_DIR}" "${TEST_PORT}"
restart_cluster "${TEST_DIR}"   # load the library installed last
trap 'stop_cluster "${TEST_DIR}"' EXIT

# psql as pg_regress runs it: its environment (PGTZ, PGDATESTYLE, C messages, no psqlrc),
# the settings it gives its test database (here in PGOPTIONS, as postgres is not ours to
# ALTER), and "psql -X -a -q -d DB -v HIDE_TABLEAM=on -v HIDE_TOAST_COMPRESSION=on".
regress_psql() {
    as_postgres env -i PATH=/usr/bin:/bin PGHOST=/tmp PGPORT="${TEST_PORT}" PGUSER=postgres \
        PGTZ=PST8PDT PGDATESTYLE='Postgres, MDY' PGAPPNAME=pg_regress LC_MESSAGES=C \
        PGOPTIONS='-c lc_messages=C -c lc_monetary=C -c lc_numeric=C -c lc_time=C -c bytea_output=hex -c timezone_abbreviations=Default' \
        "${PG_BIN}/psql" -X -a -q -d "${DB}" -v HIDE_TABLEAM=on -v HIDE_TOAST_COMPRESSION=on "$@"
}

# Remove what an earlier (maybe aborted) run left, so every run starts alike: the suite's
# databases and roles, its objects in public, and the extension with its schema.
log "cleaning up earlier runs in ${DB}"
as_postgres "${PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 -h /tmp -p "${TEST_PORT}" -d "${DB}" <<'SQL' >/dev/null
SET client_min_messages = warning;
DROP DATABASE IF EXISTS pgcron_dbno WITH (FORCE);
DROP DATABASE IF EXISTS pgcron_dbyes WITH (FORCE);
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
DROP SCHEMA IF EXISTS cafe24 CASCADE;
DROP TABLE IF EXISTS public.test;
DROP TYPE IF EXISTS public.current_setting CASCADE;   -- and func1 and the cast
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['pgcron_cront', 'CaseOwner', 'caseowner', 'anotheruser', 'pgcron_useraqwxszedc'] LOOP
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('DROP OWNED BY %I', r);
            EXECUTE format('DROP ROLE %I', r);
        END IF;
    END LOOP;
END $$;
SQL

log "running pg_cron's regression suite in database ${DB} (port ${TEST_PORT})"
regress_psql <"${WORK}/pg_cron-test.sql" >"${WORK}/actual.out" 2>&1 || true

# The diff, as pg_regress writes it (-U3), with fixed labels and the hunk headers'
# line numbers dropped, so a hunk moving up or down does not count as a change.
rc=0
diff -U3 --label expected --label actual "${WORK}/expected.out" "${WORK}/actual.out" \
    >"${WORK}/raw.diff" || rc=$?
if [ $rc -gt 1 ]; then echo "diff failed" >&2; exit 2; fi
sed -E 's/^@@ -[0-9]+(,[0-9]+)? \+[0-9]+(,[0-9]+)? @@.*$/@@/' "${WORK}/raw.diff" >"${WORK}/normalized.diff"
hunks=$(grep -c '^@@$' "${WORK}/normalized.diff" || true)

if [ $accept -eq 1 ]; then
    cp "${WORK}/normalized.diff" "${SUITE}/accepted.diff"
    log "accepted ${hunks} differing hunks into ${SUITE}/accepted.diff"
    exit 0
fi
if [ -f "${SUITE}/accepted.diff" ] && cmp -s "${SUITE}/accepted.diff" "${WORK}/normalized.diff"; then
    log "pg_cron suite: output differs from pg_cron's in the ${hunks} accepted hunks only"
    exit 0
fi
log "pg_cron suite: the diff against pg_cron's expected output is not the accepted one"
echo "--- current diff (expected = pg_cron's, translated; actual = ours), ${hunks} hunks:"
head -400 "${WORK}/raw.diff"
if [ -f "${SUITE}/accepted.diff" ]; then
    echo "--- how it differs from ${SUITE}/accepted.diff:"
    diff -u --label accepted.diff --label current "${SUITE}/accepted.diff" "${WORK}/normalized.diff" | head -300 || true
else
    echo "--- ${SUITE}/accepted.diff does not exist yet"
fi
echo "(outputs in ${WORK}; if the change is deliberate: $0 --accept, and explain it in docs/scheduler.md, section pg_cron's regression suite)"
exit 1
