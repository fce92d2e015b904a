-- Scheduler hardening, each part a regression test of a reproduced attack or failure:
-- shadowing functions and operators planted by a schema-owning role never run with the
-- tables' owner's rights (run_job, unschedule, the job runner); a superuser's name lookups
-- find only its own jobs; pg_cron's alter_job signature, "no updates specified" and step
-- bounds; a bulk unschedule never deadlocks with the launcher; a launcher restart neither
-- kills a running job nor runs it twice; DROP EXTENSION drops the schema and its grants.
\c postgres
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SET timezone = 'UTC';
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
DROP SCHEMA IF EXISTS cafe24 CASCADE;
DROP TABLE IF EXISTS public.hard_hits, public.hard_writes;
DO $$ DECLARE r text; BEGIN
    FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('hard_mallory', 'hard_alice') LOOP
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

-- The extension owns its schema.
SELECT n.nspname, d.deptype FROM pg_depend AS d JOIN pg_namespace AS n ON n.oid = d.objid
WHERE d.classid = 'pg_namespace'::regclass AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'cafe24_analytics');

-- An attacker who owns a schema plants now() and = on bigint and text that would make a
-- superuser caller give it superuser, and records who called them.
CREATE ROLE hard_mallory LOGIN;
CREATE ROLE hard_alice LOGIN;
GRANT USAGE ON SCHEMA cafe24 TO hard_mallory, hard_alice;
CREATE SCHEMA mal AUTHORIZATION hard_mallory;
CREATE TABLE public.hard_hits (who text, what text);
GRANT INSERT, SELECT ON public.hard_hits TO PUBLIC;
SET ROLE hard_mallory;
CREATE FUNCTION mal.escalate(what text) RETURNS void LANGUAGE plpgsql AS $f$ BEGIN
    INSERT INTO public.hard_hits VALUES (current_user, what);
    IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
        EXECUTE 'ALTER ROLE hard_mallory SUPERUSER';
    END IF;
END $f$;
CREATE FUNCTION mal.now() RETURNS timestamptz LANGUAGE plpgsql AS $f$ BEGIN
    PERFORM mal.escalate('now()'); RETURN pg_catalog.now(); END $f$;
CREATE FUNCTION mal.int8eq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN
    PERFORM mal.escalate('bigint ='); RETURN $1 OPERATOR(pg_catalog.=) $2; END $f$;
CREATE OPERATOR mal.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = mal.int8eq);
CREATE FUNCTION mal.texteq(text, text) RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN
    PERFORM mal.escalate('text ='); RETURN $1 OPERATOR(pg_catalog.=) $2; END $f$;
CREATE OPERATOR mal.= (LEFTARG = text, RIGHTARG = text, FUNCTION = mal.texteq);
SELECT cafe24.schedule('j', '0 5 * * *', 'SELECT 1') AS j \gset
SELECT cafe24.schedule('j2', '0 5 * * *', 'SELECT 1') AS j2 \gset
-- The reproduction of the issue, and the same through every other entry point.
SET search_path = mal, pg_catalog;
SELECT cafe24.run_job(:j::bigint) = :j AS requested;
SELECT cafe24.run_job('j') = :j AS requested;
SELECT cafe24.schedule('j', '0 6 * * *', 'SELECT 2') = :j AS rescheduled;
SELECT cafe24.unschedule('j2');
SELECT cafe24.unschedule(:j::bigint);
SELECT count(*) AS cron_next_runs FROM cafe24.cron_next('@hourly');
-- The job runner records a run as the tables' owner after the job's own command, which
-- here sets the path to the attacker's schema.
SELECT cafe24.schedule('evil-run', '1 seconds', 'SET search_path = mal, pg_catalog; SELECT 1') AS evil \gset
RESET search_path;
RESET ROLE;
SELECT pg_temp.wait_until($$SELECT count(*) >= 2 FROM cafe24.job_run_details WHERE jobid = $$ || :evil || $$ AND status = 'succeeded'$$) AS evil_ran;
SELECT cafe24.unschedule(:evil);
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'hard_mallory';
SELECT count(*) FILTER (WHERE who <> 'hard_mallory') AS privileged_calls, count(*) AS all_calls FROM public.hard_hits;
-- A database owner's search_path reaches the launcher only through ALTER DATABASE: the
-- launcher pins its own (it is a superuser; planted objects would run as one).
SELECT count(*) AS launchers FROM pg_stat_activity WHERE backend_type = 'cafe24_analytics scheduler';

-- A superuser's unschedule(name) and run_job(name) find only its own job of that name.
SET ROLE hard_alice;
SELECT cafe24.schedule('shared-name', '@daily', 'SELECT 1') AS alice_job \gset
RESET ROLE;
SELECT cafe24.unschedule('shared-name');
SELECT cafe24.run_job('shared-name');
SELECT cafe24.schedule('shared-name', '@daily', 'SELECT 2') AS own_job \gset
SELECT cafe24.unschedule('shared-name');
SELECT jobid = :alice_job AS alices_job_kept, username, run_requested_at FROM cafe24.job WHERE jobname = 'shared-name';

-- pg_cron's alter_job: its signature (pg_cron's own GRANT works), "no updates specified",
-- a NULL job id; out-of-range steps are refused as pg_cron refuses them.
GRANT EXECUTE ON FUNCTION cafe24.alter_job(bigint,text,text,text,text,boolean) TO hard_alice;
SET ROLE hard_alice;
SELECT cafe24.alter_job(job_id := :alice_job, active := false);
SELECT cafe24.alter_job(:alice_job);
\echo :LAST_ERROR_SQLSTATE
SELECT cafe24.alter_job_options(:alice_job, retries => 1);
RESET ROLE;
SELECT active FROM cafe24.job WHERE jobid = :alice_job;
SELECT cafe24.alter_job_options(:alice_job);
SELECT cafe24.alter_job(NULL, active => false);
\echo :LAST_ERROR_SQLSTATE
SELECT cafe24.alter_job_options(NULL, retries => 1);
SELECT cafe24.schedule('every-60', '*/60 * * * *', 'SELECT 1');
SELECT cafe24.schedule('every-25h', '0 */25 * * *', 'SELECT 1');
SELECT count(*) AS ok_steps FROM cafe24.cron_next('*/59 */23 */31 */12 */7', n => 1);

-- pg_cron's migration pattern, SELECT unschedule(jobid) FROM job, against 100 seconds jobs
-- the launcher is busy dispatching: six rounds, no deadlock.
SELECT count(cafe24.schedule('bulk-' || i, '1 seconds', 'SELECT 1')) AS scheduled FROM generate_series(1, 100) AS i;
SELECT pg_sleep(1.5);
SELECT count(cafe24.unschedule(jobid)) AS unscheduled FROM cafe24.job WHERE jobname LIKE 'bulk-%';
SELECT count(cafe24.schedule('bulk-' || i, '1 seconds', 'SELECT 1')) AS scheduled FROM generate_series(1, 100) AS i;
SELECT pg_sleep(1.5);
SELECT count(cafe24.unschedule(jobid)) AS unscheduled FROM cafe24.job WHERE jobname LIKE 'bulk-%';
SELECT count(cafe24.schedule('bulk-' || i, '1 seconds', 'SELECT 1')) AS scheduled FROM generate_series(1, 100) AS i;
SELECT pg_sleep(1.5);
SELECT count(cafe24.unschedule(jobid)) AS unscheduled FROM cafe24.job WHERE jobname LIKE 'bulk-%';
SELECT count(cafe24.schedule('bulk-' || i, '1 seconds', 'SELECT 1')) AS scheduled FROM generate_series(1, 100) AS i;
SELECT pg_sleep(1.5);
SELECT count(cafe24.unschedule(jobid)) AS unscheduled FROM cafe24.job WHERE jobname LIKE 'bulk-%';
SELECT count(cafe24.schedule('bulk-' || i, '1 seconds', 'SELECT 1')) AS scheduled FROM generate_series(1, 100) AS i;
SELECT pg_sleep(1.5);
SELECT count(cafe24.unschedule(jobid)) AS unscheduled FROM cafe24.job WHERE jobname LIKE 'bulk-%';
SELECT count(cafe24.schedule('bulk-' || i, '1 seconds', 'SELECT 1')) AS scheduled FROM generate_series(1, 100) AS i;
SELECT pg_sleep(1.5);
SELECT count(cafe24.unschedule(jobid)) AS unscheduled FROM cafe24.job WHERE jobname LIKE 'bulk-%';
SELECT pg_temp.wait_until($$SELECT NOT EXISTS (SELECT FROM cafe24.job_run_details WHERE status IN ('starting', 'running'))$$) AS all_finished;
SELECT count(*) FILTER (WHERE status = 'succeeded') > 0 AS bulk_jobs_ran, count(*) FILTER (WHERE status = 'failed') AS failed
FROM cafe24.job_run_details r WHERE r.command = 'SELECT 1' AND r.username = 'postgres';

-- A launcher restart while a job runs: the run goes on, records its own success, and is
-- neither marked failed nor retried (one write for one run).
CREATE TABLE public.hard_writes (at timestamptz NOT NULL DEFAULT clock_timestamp());
SELECT cafe24.schedule('slow-write', '@yearly', 'INSERT INTO public.hard_writes DEFAULT VALUES; SELECT pg_sleep(3)') AS slow \gset
SELECT cafe24.alter_job(:slow, active => false), cafe24.alter_job_options(:slow, retries => 2, retry_backoff => '1 second');
SELECT cafe24.run_job(:slow) = :slow AS requested;
SELECT pg_temp.wait_until($$SELECT EXISTS (SELECT FROM cafe24.job_run_details WHERE jobid = $$ || :slow || $$ AND status = 'running')$$) AS running;
SELECT pid AS launcher_pid FROM pg_stat_activity WHERE backend_type = 'cafe24_analytics scheduler' \gset
SELECT pg_terminate_backend(:launcher_pid);
SELECT pg_temp.wait_until($$SELECT EXISTS (SELECT FROM cafe24.job_run_details WHERE jobid = $$ || :slow || $$ AND status IN ('succeeded', 'failed'))$$) AS finished;
SELECT pg_temp.wait_until($$SELECT EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'cafe24_analytics scheduler' AND pid <> $$ || :launcher_pid || $$)$$) AS launcher_back;
SELECT pg_sleep(3); -- a wrongful retry (backoff 1 s) would have started by now
SELECT count(*) AS writes FROM public.hard_writes;
SELECT attempt, status, return_message FROM cafe24.job_run_details WHERE jobid = :slow ORDER BY runid;
SELECT retry_at IS NULL AS no_retry_pending, last_status FROM cafe24.job WHERE jobid = :slow;

-- DROP EXTENSION drops the schema with its grants, so the granted roles can be dropped.
DROP EXTENSION cafe24_analytics CASCADE;
SELECT count(*) AS cafe24_schemas FROM pg_namespace WHERE nspname = 'cafe24';
DROP TABLE public.hard_hits, public.hard_writes;
DROP OWNED BY hard_mallory;
DROP ROLE hard_mallory;
DROP ROLE hard_alice;
SELECT count(*) AS roles_left FROM pg_roles WHERE rolname LIKE 'hard\_%';
