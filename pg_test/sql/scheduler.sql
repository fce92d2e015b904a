-- Scheduler: pg_cron-compatible schedules, previews and errors; then, in the scheduler's
-- database (cafe24_analytics.scheduler_database = postgres on the test cluster), jobs run by
-- the preloaded launcher: repeated seconds jobs, failures, timeouts, owners and row-level
-- security, run_job, retries with backoff, scheduled reports, and a killed launcher.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;
SET timezone = 'UTC';

-- Previews with known answers.
SELECT * FROM cafe24.cron_next('30 3 * * *', '2026-03-01 00:00+00', 3);
SELECT * FROM cafe24.cron_next('0 9 * * MON-FRI', '2026-01-01 00:00+00', 3, 'Asia/Seoul');
SELECT * FROM cafe24.cron_next('0 0 $ * *', '2026-01-15 00:00+00', 3);
SELECT * FROM cafe24.cron_next('@hourly', '2026-01-01 00:30+00', 2);
SELECT * FROM cafe24.cron_next('10 seconds', '2026-01-01 00:00+00', 3);
SELECT * FROM cafe24.cron_next('0 12 1,15 * 5', '2026-05-01 00:00+00', 4);
SELECT count(*) AS reboot_runs FROM cafe24.cron_next('@reboot');
-- Clocks jump 02:00 -> 03:00 in Berlin on 2026-03-29: a 02:30 daily job runs at 03:00 that day, once.
SELECT * FROM cafe24.cron_next('30 2 * * *', '2026-03-28 12:00+00', 3, 'Europe/Berlin');
-- The default time zone is cafe24_analytics.timezone (GMT).
SELECT current_setting('cafe24_analytics.timezone') AS zone, cafe24.cron_next('0 9 * * *', '2026-06-01 00:00+00', 1) AS next;

-- Invalid schedules: SQLSTATE 22023, the field and what it allows, and a hint.
SELECT * FROM cafe24.cron_next('61 * * * *');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM cafe24.cron_next('0 0 30 2 *');
SELECT * FROM cafe24.cron_next('* * * *');
SELECT * FROM cafe24.cron_next('0 9 * * FUNDAY');
SELECT * FROM cafe24.cron_next('90 seconds');
SELECT * FROM cafe24.cron_next('0 9 * * *', timezone => 'Mars/Olympus');
SELECT cafe24.schedule('bad', '0 25 * * *', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
-- Outside the scheduler's database a job is stored, with a warning that it will not run there.
SET client_min_messages = notice;
SELECT cafe24.schedule('elsewhere', '@daily', 'SELECT 1');
SET client_min_messages = warning;

-- ---------------------------------------------------------------------------------------
-- The scheduler's database: the launcher has been waiting for the extension to appear.
\c postgres
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SET timezone = 'UTC';
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
DROP SCHEMA IF EXISTS cafe24 CASCADE; -- left behind by builds before the extension owned it
DROP TABLE IF EXISTS public.sched_ticks, public.sched_secret, public.sched_alice_log;
DO $$ DECLARE r text; BEGIN
    FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('sched_alice', 'sched_bob', 'sched_group') LOOP
        EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r);
    END LOOP;
END $$;
CREATE EXTENSION cafe24_analytics;
CREATE FUNCTION pg_temp.wait_until(condition text, seconds integer DEFAULT 30) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE ok boolean;
BEGIN
    FOR i IN 1 .. seconds * 10 LOOP
        EXECUTE condition INTO ok;
        IF ok THEN RETURN true; END IF;
        PERFORM pg_sleep(0.1);
        PERFORM pg_stat_clear_snapshot();
    END LOOP;
    RETURN false;
END $$;
SELECT count(*) AS launchers FROM pg_stat_activity WHERE backend_type = 'cafe24_analytics scheduler' AND datname = 'postgres';

-- pg_cron's examples.
SELECT cafe24.schedule('nightly-vacuum', '30 3 * * *', 'VACUUM');
SELECT cafe24.schedule('0 10 * * *', 'VACUUM ANALYZE');
SELECT cafe24.schedule_in_database('regress-cleanup', '0 4 * * *', 'DELETE FROM pg_temp.nothing', 'cafe24_regress');
SELECT jobid, jobname, schedule, command, database, username, active, nodename FROM cafe24.job ORDER BY jobid;
-- Scheduling a name again replaces that job's schedule and command.
SELECT cafe24.schedule('nightly-vacuum', '0 3 * * *', 'VACUUM ANALYZE');
SELECT jobid, jobname, schedule, command, next_run > now() AS next_run_ahead FROM cafe24.job WHERE jobname = 'nightly-vacuum';
SELECT cafe24.alter_job(1, schedule => '0 2 * * *');
SELECT cafe24.alter_job_options(1, timeout => '30 minutes', retries => 2, timezone => 'Asia/Seoul');
SELECT schedule, timeout, retries, timezone, next_run = (SELECT cafe24.cron_next('0 2 * * *', now(), 1, 'Asia/Seoul')) AS next_run_in_seoul FROM cafe24.job WHERE jobid = 1;
SELECT cafe24.alter_job_options(1, retries => -1);
SELECT cafe24.alter_job_options(1, timezone => 'Asia/Tokio');
SELECT cafe24.unschedule('nightly-vacuum');
SELECT cafe24.unschedule(2);
SELECT cafe24.unschedule(3);
SELECT cafe24.unschedule(3);
\echo :LAST_ERROR_SQLSTATE
SELECT cafe24.unschedule('no-such-job');
SELECT cafe24.alter_job(42, active => false);
SELECT cafe24.schedule_in_database('x', '@daily', 'SELECT 1', 'no_such_database');

-- A seconds job fires repeatedly, each run its own worker.
CREATE TABLE public.sched_ticks (at timestamptz NOT NULL DEFAULT clock_timestamp(), pid integer DEFAULT pg_backend_pid());
SELECT cafe24.schedule('tick', '1 seconds', 'INSERT INTO public.sched_ticks DEFAULT VALUES') AS tick \gset
SELECT pg_temp.wait_until($$SELECT count(*) >= 3 FROM cafe24.job_run_details WHERE jobid = $$ || :tick || $$ AND status = 'succeeded'$$) AS ticked;
SELECT DISTINCT status, return_message, database, username, command FROM cafe24.job_run_details WHERE jobid = :tick AND status = 'succeeded';
SELECT count(DISTINCT pid) >= 3 AS separate_workers, bool_and(pid <> pg_backend_pid()) AS not_this_session FROM public.sched_ticks;
SELECT bool_and(end_time >= start_time AND start_time >= scheduled_time) AS ordered_times FROM cafe24.job_run_details WHERE jobid = :tick AND status = 'succeeded';

-- A failing job is recorded as failed while the others keep running.
SELECT cafe24.schedule('fails', '1 seconds', 'SELECT 1/0') AS fails \gset
SELECT pg_temp.wait_until($$SELECT count(*) >= 2 FROM cafe24.job_run_details WHERE jobid = $$ || :fails || $$ AND status = 'failed'$$) AS failed_twice;
SELECT DISTINCT status, return_message FROM cafe24.job_run_details WHERE jobid = :fails AND status = 'failed';
SELECT count(*) AS ticks_before FROM cafe24.job_run_details WHERE jobid = :tick AND status = 'succeeded' \gset
SELECT pg_temp.wait_until($$SELECT count(*) > $$ || :ticks_before || $$ FROM cafe24.job_run_details WHERE jobid = $$ || :tick || $$ AND status = 'succeeded'$$) AS still_ticking;
SELECT last_status FROM cafe24.job WHERE jobid = :fails;
SELECT cafe24.unschedule('fails');

-- A run past its timeout is cancelled (statement timeout) ...
SELECT cafe24.schedule_in_database('hangs', '1 seconds', 'SELECT pg_sleep(60)', 'postgres', active => false) AS hangs \gset
SELECT cafe24.alter_job(:hangs, active => true), cafe24.alter_job_options(:hangs, timeout => '1 second');
SELECT pg_temp.wait_until($$SELECT EXISTS (SELECT FROM cafe24.job_run_details WHERE jobid = $$ || :hangs || $$ AND status = 'failed')$$) AS timed_out;
SELECT DISTINCT return_message FROM cafe24.job_run_details WHERE jobid = :hangs AND status = 'failed';
SELECT cafe24.unschedule('hangs');
-- ... and one that ignores the cancel is terminated by the launcher.
SELECT cafe24.schedule_in_database('stubborn', '@yearly', $cmd$DO $$ BEGIN LOOP BEGIN PERFORM pg_sleep(60); EXCEPTION WHEN query_canceled THEN NULL; END; END LOOP; END $$$cmd$, 'postgres', active => false) AS stubborn \gset
SELECT cafe24.alter_job_options(:stubborn, timeout => '1 second');
SELECT cafe24.run_job('stubborn');
SELECT pg_temp.wait_until($$SELECT EXISTS (SELECT FROM cafe24.job_run_details WHERE jobid = $$ || :stubborn || $$ AND status = 'failed')$$) AS terminated;
SELECT status, return_message FROM cafe24.job_run_details WHERE jobid = :stubborn;
SELECT cafe24.unschedule('stubborn');

-- A job never overlaps itself, and the tick job kept going through all of the above.
SELECT cafe24.unschedule('tick');
SELECT pg_temp.wait_until($$SELECT NOT EXISTS (SELECT FROM cafe24.job_run_details WHERE status IN ('starting', 'running'))$$) AS all_finished;
SELECT count(*) AS overlapping_runs FROM cafe24.job_run_details AS a JOIN cafe24.job_run_details AS b
  ON a.jobid = b.jobid AND a.runid < b.runid AND b.start_time < a.end_time;

-- run_job runs a job now, even a paused one; retries wait retry_backoff, doubling each time.
SELECT cafe24.schedule('answer', '0 0 1 1 *', 'SELECT 42');
SELECT cafe24.run_job('answer');
SELECT pg_temp.wait_until($$SELECT EXISTS (SELECT FROM cafe24.job_run_details r JOIN cafe24.job j USING (jobid) WHERE j.jobname = 'answer' AND r.status = 'succeeded')$$) AS ran_now;
SELECT r.status, r.return_message, r.attempt FROM cafe24.job_run_details r JOIN cafe24.job j USING (jobid) WHERE j.jobname = 'answer';
SELECT cafe24.schedule_in_database('flaky', '@yearly', 'SELECT 1/0', 'postgres', active => false) AS flaky \gset
SELECT cafe24.alter_job_options(:flaky, retries => 2, retry_backoff => '1 second');
SELECT cafe24.run_job(:flaky);
SELECT pg_temp.wait_until($$SELECT count(*) = 3 FROM cafe24.job_run_details WHERE jobid = $$ || :flaky || $$ AND status = 'failed'$$) AS retried;
SELECT attempt, status, return_message FROM cafe24.job_run_details WHERE jobid = :flaky ORDER BY runid;
SELECT b.scheduled_time - a.end_time >= interval '1 second' AS first_wait, c.scheduled_time - b.end_time >= interval '2 seconds' AS doubled
FROM cafe24.job_run_details a, cafe24.job_run_details b, cafe24.job_run_details c
WHERE a.jobid = :flaky AND b.jobid = :flaky AND c.jobid = :flaky AND a.attempt = 1 AND b.attempt = 2 AND c.attempt = 3;
SELECT retry_at IS NULL AS no_more_retries, last_status FROM cafe24.job WHERE jobid = :flaky;
-- max_run_history keeps the newest runs of a job.
SELECT cafe24.alter_job_options(:flaky, retries => 0, max_run_history => 1);
SELECT cafe24.run_job(:flaky);
SELECT pg_temp.wait_until($$SELECT count(*) = 1 FROM cafe24.job_run_details WHERE jobid = $$ || :flaky) AS trimmed;
SELECT count(*) AS runs_kept FROM cafe24.job_run_details WHERE jobid = :flaky;

-- Owners: a job runs as its owner, never as a superuser; each role sees only its own jobs.
CREATE ROLE sched_alice LOGIN;
CREATE ROLE sched_bob LOGIN;
CREATE ROLE sched_group NOLOGIN;
GRANT USAGE ON SCHEMA cafe24 TO sched_alice, sched_bob, sched_group;
CREATE TABLE public.sched_secret (x integer);
CREATE TABLE public.sched_alice_log (who text, by_superuser boolean);
ALTER TABLE public.sched_alice_log OWNER TO sched_alice;
SET ROLE sched_alice;
SELECT cafe24.schedule('alice-log', '1 seconds', 'INSERT INTO public.sched_alice_log SELECT current_user, usesuper FROM pg_user WHERE usename = current_user') > 0 AS scheduled;
SELECT cafe24.schedule('alice-secret', '1 seconds', 'INSERT INTO public.sched_secret VALUES (1)') > 0 AS scheduled;
SELECT cafe24.schedule_in_database('alice-elsewhere', '@daily', 'SELECT 1', 'postgres');
SELECT cafe24.alter_job(1, active => false);
SELECT jobname, username FROM cafe24.job ORDER BY jobname;
RESET ROLE;
SELECT pg_temp.wait_until($$SELECT EXISTS (SELECT FROM public.sched_alice_log) AND EXISTS (SELECT FROM cafe24.job_run_details r JOIN cafe24.job j USING (jobid) WHERE j.jobname = 'alice-secret' AND r.status = 'failed')$$) AS alice_ran;
SELECT DISTINCT who, by_superuser FROM public.sched_alice_log;
SELECT DISTINCT r.username, r.status, r.return_message FROM cafe24.job_run_details r JOIN cafe24.job j USING (jobid) WHERE j.jobname = 'alice-secret' AND r.status = 'failed';
SET ROLE sched_bob;
SELECT count(*) AS jobs_bob_sees FROM cafe24.job;
SELECT count(*) AS runs_bob_sees FROM cafe24.job_run_details;
SELECT cafe24.unschedule('alice-log');
SELECT cafe24.run_job('alice-log');
UPDATE cafe24.job SET command = 'SELECT 666';
RESET ROLE;
SET ROLE sched_group;
SELECT cafe24.schedule('group-job', '@daily', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE sched_alice;
SELECT cafe24.unschedule('alice-log');
SELECT cafe24.unschedule('alice-secret');
RESET ROLE;
-- A superuser may schedule for another role; the owner needs CONNECT on the database.
REVOKE CONNECT ON DATABASE cafe24_regress FROM PUBLIC;
SELECT cafe24.schedule_in_database('bob-regress', '@daily', 'SELECT 1', 'cafe24_regress', 'sched_bob');
GRANT CONNECT ON DATABASE cafe24_regress TO PUBLIC;
SELECT cafe24.schedule_in_database('bob-regress', '@daily', 'SELECT 1', 'cafe24_regress', 'sched_bob') > 0 AS scheduled;
SELECT jobname, database, username FROM cafe24.job WHERE jobname = 'bob-regress';
SELECT cafe24.schedule_in_database('group-job', '@daily', 'SELECT 1', 'postgres', 'sched_group');

-- Scheduled reports: export_report on a schedule; runs appear in job_run_details and report_output.
SELECT cafe24.create_report('sched_demo', '{"title": "Scheduled", "sections": [{"title": "t", "query": "SELECT 1 AS one, ''a'' AS letter"}]}');
SELECT cafe24.schedule_report('monthly-sales-pdf', '0 9 1 * *', 'monthly_sales', 'pdf', '{}', 'monthly/{report}_{date}.pdf') > 0 AS scheduled;
SELECT cafe24.schedule_report('demo-csv', '0 9 * * MON', 'sched_demo', 'csv', '{}', 'scheduled/{report}_{job_id}.{format}') AS demo \gset
SELECT cafe24.run_job('demo-csv');
SELECT pg_temp.wait_until($$SELECT EXISTS (SELECT FROM cafe24.job_run_details WHERE jobid = $$ || :demo || $$ AND status IN ('succeeded', 'failed'))$$) AS exported;
SELECT status, return_message FROM cafe24.job_run_details WHERE jobid = :demo;
SELECT report, format, rows, path LIKE '%/scheduled/sched_demo_' || :demo || '.csv' AS templated_path, created_by FROM cafe24.report_output WHERE report = 'sched_demo';
SELECT cafe24.schedule_report('bad-report', '@daily', 'no_such_report', 'pdf');
SELECT cafe24.schedule_report('bad-format', '@daily', 'sched_demo', 'docx');
SELECT cafe24.schedule_report('bad-template', '@daily', 'sched_demo', 'csv', '{}', '{report}_{week}.csv');
SELECT cafe24._report_file_name('monthly/{report}_{date}_{time}.{format}', 'monthly_sales', 'pdf', 7, '2026-10-01 09:00:05');

-- The launcher comes back after being killed, and fails a run left running whose worker is gone.
INSERT INTO cafe24.job_run_details (jobid, database, username, command, status, start_time, job_pid)
VALUES (999, 'postgres', 'postgres', 'SELECT 1', 'running', now(), 999999);
SELECT pid AS launcher_pid FROM pg_stat_activity WHERE backend_type = 'cafe24_analytics scheduler' \gset
SELECT pg_terminate_backend(:launcher_pid);
SELECT pg_temp.wait_until($$SELECT EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'cafe24_analytics scheduler' AND pid <> $$ || :launcher_pid || $$)$$) AS launcher_back;
SELECT pg_temp.wait_until($$SELECT status = 'failed' FROM cafe24.job_run_details WHERE jobid = 999$$) AS recovered;
SELECT status, return_message, end_time IS NOT NULL AS ended FROM cafe24.job_run_details WHERE jobid = 999;

-- Clean up: the launcher keeps waiting after the extension is dropped.
DROP EXTENSION cafe24_analytics CASCADE;
DROP TABLE public.sched_ticks, public.sched_secret, public.sched_alice_log;
DO $$ DECLARE r text; BEGIN
    FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('sched_alice', 'sched_bob', 'sched_group') LOOP
        EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r);
    END LOOP;
END $$;
SELECT pg_temp.wait_until($$SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'cafe24_analytics scheduler'$$, 10) AS launcher_still_there;
