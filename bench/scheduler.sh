#!/usr/bin/env bash
# Scheduler at scale, on the regression cluster (its launcher connects to "postgres"):
#  1. CPU of the idle launcher over 20 s with 500 jobs that are not due.
#  2. 500 jobs firing every minute for about 130 s: runs, successes, and dispatch lateness
#     (start_time - scheduled_time) p50 / p99 / max. Lateness is bounded by free worker
#     slots (max_worker_processes), not by the launcher.
# Usage: bash bench/scheduler.sh
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"
"${REPO_ROOT}/scripts/setup.sh"
"${REPO_ROOT}/scripts/install.sh"
D=/tmp/cafe24_analytics-regress
start_cluster "$D" 54330
restart_cluster "$D"
q() { as_postgres psql -X -q -At -v ON_ERROR_STOP=1 -h /tmp -p 54330 -d postgres "$@"; }
q -c "SET client_min_messages = warning" -c "DROP EXTENSION IF EXISTS cafe24_analytics CASCADE" -c "DROP SCHEMA IF EXISTS cafe24 CASCADE" -c "CREATE EXTENSION cafe24_analytics"
sleep 2
q -c "SELECT count(cafe24.schedule('bench' || i, '0 3 * * *', 'SELECT 1')) FROM generate_series(1, 500) AS i" >/dev/null
LP=$(q -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'cafe24_analytics scheduler'")
t0=$(awk '{print $14 + $15}' "/proc/${LP}/stat"); sleep 20; t1=$(awk '{print $14 + $15}' "/proc/${LP}/stat")
echo "== launcher CPU with 500 idle jobs: $(python3 -c "print('%.2f' % ((${t1} - ${t0}) / $(getconf CLK_TCK)))") s in 20 s"
q -c "SELECT count(cafe24.alter_job(jobid, schedule => '* * * * *')) FROM cafe24.job" >/dev/null
sleep 130
echo "== 500 jobs every minute for 130 s"
q -c "SELECT format('runs %s, succeeded %s, lateness p50 %s ms, p99 %s ms, max %s ms', count(*), count(*) FILTER (WHERE status = 'succeeded'),
  round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM start_time - scheduled_time))),
  round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM start_time - scheduled_time))),
  round(1000 * max(extract(epoch FROM start_time - scheduled_time))))
  FROM cafe24.job_run_details"
q -c "SET client_min_messages = warning" -c "DROP EXTENSION cafe24_analytics CASCADE"
