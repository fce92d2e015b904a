#!/usr/bin/env bash
# Fault tier: jobs write one row per run while the scheduler is hit by faults: SIGKILL of a
# run's worker and of the launcher (both make the postmaster restart every backend),
# `pg_ctl restart -m immediate`, pg_terminate_backend of the launcher and of a run. Then
# every succeeded run must have written exactly its row (none lost) and every row must
# belong to a succeeded run (none doubled), and no run may be left unfinished.
# Uses the installed extension (run scripts/install.sh first); cluster on port 54338.
source "$(dirname "$0")/lib.sh"
cd "${REPO_ROOT}"
DIR=/tmp/cafe24_analytics-fault
PORT=54338
start_cluster "${DIR}" "${PORT}"
restart_cluster "${DIR}"
trap 'stop_cluster "${DIR}"' EXIT
log_start=$(($(wc -l <"${DIR}/server.log") + 1))
q() { as_postgres psql -X -q -A -t -v ON_ERROR_STOP=1 -h /tmp -p "${PORT}" -d postgres "$@"; }

q -c "SET client_min_messages = warning" -c "DROP EXTENSION IF EXISTS cafe24_analytics CASCADE" -c "DROP SCHEMA IF EXISTS cafe24 CASCADE" \
  -c "DROP TABLE IF EXISTS public.fault_writes" -c "CREATE EXTENSION cafe24_analytics" \
  -c "CREATE TABLE public.fault_writes (job text NOT NULL, pid integer NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())"
q -c "SELECT cafe24.schedule('fast', '1 seconds', \$\$INSERT INTO public.fault_writes (job, pid) VALUES ('fast', pg_backend_pid()); SELECT pg_sleep(0.3)\$\$)" >/dev/null
q -c "SELECT cafe24.schedule('slow', '1 seconds', \$\$INSERT INTO public.fault_writes (job, pid) VALUES ('slow', pg_backend_pid()); SELECT pg_sleep(2)\$\$)" >/dev/null
q -c "SELECT cafe24.alter_job_options(jobid, retries => 3, retry_backoff => '1 second') FROM cafe24.job" >/dev/null

wait_up() { for _ in $(seq 1 100); do q -c "SELECT 1" >/dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }
worker_pid() { q -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'cafe24_analytics job' ORDER BY backend_start LIMIT 1" 2>/dev/null; }
launcher_pid() { q -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'cafe24_analytics scheduler'" 2>/dev/null; }
faults=0
fault() {
    local name="$1" pid
    sleep 3
    case "${name}" in
        kill9-worker) pid=$(worker_pid); [ -n "${pid}" ] && kill -9 "${pid}" ;;
        kill9-launcher) pid=$(launcher_pid); [ -n "${pid}" ] && kill -9 "${pid}" ;;
        restart-immediate) as_postgres env -u RUST_BACKTRACE "${PG_BIN}/pg_ctl" -D "${DIR}" -l "${DIR}/server.log" -w -t 60 restart -m immediate >/dev/null ;;
        terminate-launcher) q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'cafe24_analytics scheduler'" >/dev/null ;;
        terminate-worker) q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'cafe24_analytics job'" >/dev/null ;;
    esac
    faults=$((faults + 1))
    log "fault ${faults}: ${name}"
    sleep 1
    wait_up
}
sleep 3
for f in terminate-launcher kill9-worker terminate-worker kill9-launcher restart-immediate terminate-launcher kill9-worker terminate-launcher; do
    fault "${f}"
done
sleep 4
q -c "SELECT cafe24.unschedule(jobid) FROM cafe24.job" >/dev/null
# Retries may still be due; wait until nothing is pending or running.
for _ in $(seq 1 150); do
    left=$(q -c "SELECT count(*) FROM cafe24.job_run_details WHERE status IN ('starting', 'running')")
    [ "${left}" = 0 ] && break
    sleep 0.2
done

read -r runs succeeded failed unfinished writes lost doubled < <(q -F ' ' -c "
WITH ok AS (SELECT r.runid, j.job, r.job_pid FROM cafe24.job_run_details AS r
            JOIN (VALUES ('fast'), ('slow')) AS j (job) ON r.command LIKE '%(''' || j.job || ''',%'
            WHERE r.status = 'succeeded')
SELECT (SELECT count(*) FROM cafe24.job_run_details),
       (SELECT count(*) FROM ok),
       (SELECT count(*) FROM cafe24.job_run_details WHERE status = 'failed'),
       (SELECT count(*) FROM cafe24.job_run_details WHERE status IN ('starting', 'running')),
       (SELECT count(*) FROM public.fault_writes),
       (SELECT count(*) FROM ok WHERE NOT EXISTS (SELECT FROM public.fault_writes AS w WHERE w.job = ok.job AND w.pid = ok.job_pid)),
       (SELECT count(*) FROM public.fault_writes AS w WHERE NOT EXISTS (SELECT FROM ok WHERE ok.job = w.job AND ok.job_pid = w.pid))
         + (SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM public.fault_writes GROUP BY job, pid) AS d)")
echo "fault tier: ${faults} faults; ${runs} runs (${succeeded} succeeded, ${failed} failed, ${unfinished} unfinished); ${writes} writes; ${lost} lost, ${doubled} doubled"
q -c "SELECT status, left(return_message, 60), count(*) FROM cafe24.job_run_details GROUP BY 1, 2 ORDER BY 1, 2"
crashes=$(tail -n +"${log_start}" "${DIR}/server.log" | grep -c "terminated by signal 11\|terminated by signal 6\|PANIC" || true)
echo "server log: ${crashes} segfaults/aborts/panics"
[ "${succeeded}" -gt 0 ] && [ "${lost}" = 0 ] && [ "${doubled}" = 0 ] && [ "${unfinished}" = 0 ] && [ "${crashes}" = 0 ]
