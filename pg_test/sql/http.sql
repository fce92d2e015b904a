-- The HTTP server's entry points: API keys (create_api_key, revoke_api_key, authenticate)
-- and http_call / http_call_bytes, which run a public function as the key's role, sandboxed:
-- SQL the role stored cannot change role, and settings it makes do not outlive the call.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;
SET TimeZone = 'Asia/Seoul';
SELECT table_name, rows > 0 AS loaded FROM cafe24.generate_demo_data(seed => 4, products => 12, customers => 300, days => 60, start_date => '2025-01-01');

DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_server') THEN
        EXECUTE 'DROP OWNED BY web_server, web_alice, web_bob'; DROP ROLE web_server, web_alice, web_bob;
    END IF;
END $$;
CREATE ROLE web_alice;
CREATE ROLE web_bob;
-- The server's login: no rights of its own, no membership in the merchants' roles.
CREATE ROLE web_server LOGIN;
GRANT USAGE ON SCHEMA cafe24 TO web_server, web_alice, web_bob;
GRANT EXECUTE ON FUNCTION cafe24.authenticate(text), cafe24.http_call(text, text, jsonb), cafe24.http_call_bytes(text, text, jsonb) TO web_server;
GRANT SELECT ON ALL TABLES IN SCHEMA cafe24 TO web_alice;
REVOKE SELECT ON cafe24.api_key FROM web_alice;  -- what PUBLIC has: every column but the hash
INSERT INTO cafe24.shop_access (role, shop_no) VALUES ('web_alice', NULL);  -- every shop's rows

-- Keys: created by their role (or a member of it), shown once, stored hashed.
SET ROLE web_alice;
SELECT cafe24.create_api_key('web_alice', 'test key') AS alice_token \gset
SELECT left(:'alice_token', 4) AS prefix, length(:'alice_token') AS token_length;
SELECT role, label, created_by, expires_at IS NULL AS never_expires FROM cafe24.api_key;
SELECT token_sha256 FROM cafe24.api_key;
SELECT cafe24.create_api_key('web_bob');
SELECT length(cafe24.create_api_key('web_alice', 'docs example', expires_in => '90 days')) AS token_length;
SELECT cafe24.create_report('alice_escape', '{"title": "Escape", "sections": [{"title": "role", "query": "SELECT pg_catalog.set_config(''role'', ''web_bob'', false) AS r"}]}');
SELECT cafe24.create_report('alice_settings', '{"title": "Settings", "sections": [{"title": "mem", "query": "SELECT pg_catalog.set_config(''work_mem'', ''77MB'', false) AS w"}]}');
SELECT cafe24.create_report('alice_session', '{"title": "Session", "sections": [{"title": "auth", "query": "SELECT pg_catalog.set_config(''session_authorization'', ''postgres'', false) AS s"}]}');
INSERT INTO cafe24.kpi (name, title, query) VALUES ('alice_escape_kpi', 'Escape', 'SELECT pg_catalog.set_config(''role'', ''web_bob'', false)::numeric');
RESET ROLE;
SET ROLE web_bob;
SELECT cafe24.create_api_key('web_bob') AS bob_token \gset
RESET ROLE;
SELECT cafe24.create_api_key('postgres') AS superuser_token \gset

SET ROLE web_server;
-- A call: the function's rows as JSON, run as alice.
SELECT jsonb_array_length(cafe24.http_call(:'alice_token', 'cron_next', '{"schedule": "0 9 * * 1", "after": "2025-01-01 00:00+09", "n": 3}')) AS runs;
SELECT cafe24.http_call(:'alice_token', 'cron_next', '{"schedule": "0 9 * * 1", "after": "2025-01-01 00:00+09", "n": 1, "timezone": "Asia/Seoul"}') AS next_run;
SELECT x ->> 'kpi' AS kpi, (x ->> 'value')::numeric > 0 AS has_value
FROM jsonb_array_elements(cafe24.http_call(:'alice_token', 'kpi_values', '{"names": ["revenue", "orders"], "period": "month", "as_of": "2025-02-28"}')) AS x ORDER BY 1;
-- What a front end lists: the catalog, with alice's rights.
SET ROLE web_alice;
SELECT jsonb_array_length(c -> 'kpis') > 0 AS kpis, jsonb_array_length(c -> 'reports') > 0 AS reports, c -> 'widget_kinds' AS widget_kinds FROM cafe24.catalog() AS c;
RESET ROLE;
SET ROLE web_server;
SELECT jsonb_array_length(cafe24.http_call(:'alice_token', 'catalog') -> 'dashboards') AS dashboards;
-- One value for an array parameter is a one-element array (a query string's names=revenue).
SELECT jsonb_array_length(cafe24.http_call(:'alice_token', 'kpi_values', '{"names": "revenue", "as_of": "2025-02-28"}')) AS one_kpi;
SELECT length(cafe24.http_call_bytes(:'alice_token', 'render_report', '{"name": "monthly_sales", "format": "csv", "params": {"month": "2025-02-01"}}')) > 0 AS rendered;
-- Overloads are chosen by the parameter names given.
SELECT cafe24.http_call(:'alice_token', 'unschedule', '{"job_name": "no_such_job"}');
-- Bad calls name what is wrong.
SELECT cafe24.http_call('c24_not_a_key', 'cron_next', '{"schedule": "@daily"}');
SELECT cafe24.http_call(NULL, 'cron_next', '{"schedule": "@daily"}');
SELECT cafe24.http_call(:'alice_token', 'no_such_function', '{}');
SELECT cafe24.http_call(:'alice_token', '_sales_series', '{}');
SELECT cafe24.http_call(:'alice_token', 'cron_next', '{"schedule": "@daily", "color": "red"}');
SELECT cafe24.http_call(:'alice_token', 'cron_next', '{"n": 3}');
SELECT cafe24.http_call(:'alice_token', 'cron_next', '{"schedule": "@daily", "n": "three"}');
SELECT cafe24.http_call(:'alice_token', 'cron_next', '{"schedule": {"a": 1}}');
SELECT cafe24.http_call(:'alice_token', 'cron_next', '[1, 2]');
SELECT cafe24.http_call(:'alice_token', 'render_report', '{"name": "monthly_sales"}');
SELECT cafe24.http_call_bytes(:'alice_token', 'cron_next', '{"schedule": "@daily"}');
-- Never as a superuser.
SELECT cafe24.http_call(:'superuser_token', 'cron_next', '{"schedule": "@daily"}');
-- Row-level security as the key's role: bob does not see alice's reports, nor her order data.
SELECT cafe24.http_call_bytes(:'bob_token', 'render_report', '{"name": "alice_settings", "format": "csv"}');
SELECT cafe24.http_call(:'bob_token', 'kpi_values', '{"names": ["revenue"], "as_of": "2025-02-28"}');
-- Alice's own stored SQL cannot leave her role, nor change the server's session.
SELECT cafe24.http_call_bytes(:'alice_token', 'render_report', '{"name": "alice_escape", "format": "csv"}');
SELECT cafe24.http_call_bytes(:'alice_token', 'render_report', '{"name": "alice_session", "format": "csv"}');
SELECT cafe24.http_call(:'alice_token', 'kpi_values', '{"names": ["alice_escape_kpi"], "as_of": "2025-02-28"}');
SELECT convert_from(cafe24.http_call_bytes(:'alice_token', 'render_report', '{"name": "alice_settings", "format": "csv"}'), 'UTF8') AS alice_set_work_mem;
SELECT current_setting('work_mem') AS server_work_mem, current_user AS still, session_user AS logged_in_as;
-- The server itself has no rights to the data.
SELECT count(*) FROM cafe24.order_line;
SELECT * FROM cafe24.kpi_values(names => '{revenue}');
RESET ROLE;

-- Expiry and revocation.
SET ROLE web_alice;
SELECT cafe24.create_api_key('web_alice', 'short', expires_in => '1 millisecond') AS short_token \gset
SELECT cafe24.create_api_key('web_alice', 'bad', expires_in => '-1 day');
SELECT pg_sleep(0.01);
RESET ROLE;
SET ROLE web_server;
SELECT cafe24.http_call(:'short_token', 'cron_next', '{"schedule": "@daily"}');
RESET ROLE;
SET ROLE web_alice;
SELECT cafe24.revoke_api_key(id) AS revoked FROM cafe24.api_key WHERE label = 'test key';
SELECT label FROM cafe24.api_key ORDER BY id;
RESET ROLE;
SET ROLE web_server;
SELECT cafe24.http_call(:'alice_token', 'cron_next', '{"schedule": "@daily"}');
-- Only the server's login may authenticate or call.
RESET ROLE;
SET ROLE web_bob;
SELECT cafe24.authenticate(:'bob_token');
SELECT cafe24.http_call(:'bob_token', 'cron_next', '{"schedule": "@daily"}');
RESET ROLE;

DROP EXTENSION cafe24_analytics CASCADE;
DROP OWNED BY web_server, web_alice, web_bob;
DROP ROLE web_server, web_alice, web_bob;
