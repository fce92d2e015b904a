-- cafe24.progress: a long call in another session shows what it has done, only to roles
-- allowed to see it; a cancel stops it and frees its entry.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;
CREATE EXTENSION IF NOT EXISTS dblink;

-- Nothing runs: the view is empty.
SELECT function, phase, done, total, percent, remaining FROM cafe24.progress;

-- 400 daily series of two years, forecast with automatic model choice: seconds of work,
-- started in a second session.
CREATE TABLE public.progress_panel AS
SELECT 's' || k AS series_key, date '2024-01-01' + d AS ds, 20 + k % 7 + 5 * sin(d * 2 * pi() / 7) + (d * k) % 5 AS y
FROM generate_series(1, 400) AS k, generate_series(0, 729) AS d;
SELECT dblink_connect('long', format('host=%s port=%s dbname=%s user=%s', split_part(current_setting('unix_socket_directories'), ',', 1),
                                     current_setting('port'), current_database(), current_user));
SELECT dblink_send_query('long', $$SELECT count(*) FROM cafe24.forecast_sales(horizon => 28, source => 'public.progress_panel')$$);
DO $$
BEGIN
    FOR i IN 1..1200 LOOP
        EXIT WHEN EXISTS (SELECT FROM cafe24.progress WHERE function = 'forecast_sales' AND phase = 'computing' AND done > 0);
        PERFORM pg_sleep(0.05);
    END LOOP;
END $$;
SELECT function, phase, total, done > 0 AND done < total AS part_done, percent > 0 AS has_percent,
       remaining > interval '0' AS has_estimate, usename = current_user AS mine,
       pid IN (SELECT pid FROM pg_stat_activity) AS live_backend
FROM cafe24.progress;

-- Another role does not see it.
CREATE ROLE progress_other;
GRANT USAGE ON SCHEMA cafe24 TO progress_other;
SET ROLE progress_other;
SELECT count(*) AS seen_by_other FROM cafe24.progress;
RESET ROLE;

-- Cancel: the call stops (its error is the cancel) and its entry is gone.
SELECT dblink_cancel_query('long');
SELECT * FROM dblink_get_result('long', false) AS r(n bigint);
SELECT position('canceling statement due to user request' IN dblink_error_message('long')) > 0 AS cancelled;
SELECT * FROM dblink_get_result('long', false) AS r(n bigint);
SELECT count(*) AS entries_after_cancel FROM cafe24.progress;
SELECT dblink_disconnect('long');

DROP TABLE public.progress_panel;
DROP OWNED BY progress_other;
DROP ROLE progress_other;
