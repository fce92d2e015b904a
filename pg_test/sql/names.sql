-- Names are per owner: two roles create reports, dashboards, KPIs and forecast models of
-- the same names; both succeed, each uses its own, and no error, hint or catalog() shows
-- one the other's. Built-ins are everyone's and keep their names; an object shared through
-- readers (or owned by a group role) is named owner.name.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;
SET TimeZone = 'Asia/Seoul';
SELECT count(*) AS demo_tables FROM cafe24.generate_demo_data(seed => 7, shops => 1, products => 6, customers => 50, days => 60, start_date => '2025-01-01');
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['names_alice', 'names_bob', 'names_team', 'Names Carol'] LOOP
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r);
        END IF;
    END LOOP;
END $$;
CREATE ROLE names_alice;
CREATE ROLE names_bob;
CREATE ROLE names_team;
CREATE ROLE "Names Carol";
GRANT names_team TO names_alice;
GRANT USAGE ON SCHEMA cafe24 TO names_alice, names_bob, names_team, "Names Carol";
GRANT SELECT ON ALL TABLES IN SCHEMA cafe24 TO names_alice, names_bob, names_team, "Names Carol";
GRANT EXECUTE ON FUNCTION cafe24.export_report(text, text, jsonb, text, boolean, boolean, boolean) TO names_bob;
INSERT INTO cafe24.shop_access (role, shop_no) VALUES ('names_alice', NULL), ('names_bob', NULL), ('names_team', NULL), ('Names Carol', NULL);

-- Alice, then bob, create a report, a dashboard, a KPI and a model of the same names.
SET ROLE names_alice;
SELECT cafe24.create_report('weekly', '{"title": "Alice weekly", "sections": [{"title": "who", "query": "SELECT ''alice'' AS who"}]}');
SELECT cafe24.create_dashboard('ops', '{"title": "Alice ops", "widgets": [{"title": "who", "kind": "table", "query": "SELECT ''alice'' AS who"}]}');
INSERT INTO cafe24.kpi (name, title, query) VALUES ('answer', 'Alice''s answer', 'SELECT 1');
SELECT count(*) AS series FROM cafe24.train_forecast_model('daily', horizon => 7, model => 'seasonal_naive',
    source => $s$SELECT 'alice' AS series_key, d::date AS ds, 1::float8 AS y FROM generate_series(date '2025-01-01', date '2025-02-28', interval '1 day') AS d$s$);
SET ROLE names_bob;
SELECT cafe24.create_report('weekly', '{"title": "Bob weekly", "sections": [{"title": "who", "query": "SELECT ''bob'' AS who"}]}');
SELECT cafe24.create_dashboard('ops', '{"title": "Bob ops", "widgets": [{"title": "who", "kind": "table", "query": "SELECT ''bob'' AS who"}]}');
INSERT INTO cafe24.kpi (name, title, query) VALUES ('answer', 'Bob''s answer', 'SELECT 2');
SELECT count(*) AS series FROM cafe24.train_forecast_model('daily', horizon => 7, model => 'seasonal_naive',
    source => $s$SELECT 'bob' AS series_key, d::date AS ds, 2::float8 AS y FROM generate_series(date '2025-01-01', date '2025-02-28', interval '1 day') AS d$s$);

-- Each uses its own.
SELECT convert_from(cafe24.render_report('weekly', 'csv'), 'UTF8') AS bob_report;
SELECT cafe24.dashboard_data('ops') #> '{widgets,0,data,rows}' AS bob_dashboard;
SELECT kpi, title, value FROM cafe24.kpi_values(names => '{answer}', as_of => '2025-02-28');
SELECT DISTINCT series_key FROM cafe24.forecast_sales(horizon => 7, model_name => 'daily');
-- Again without replace: the refusal is about bob's own report.
SELECT cafe24.create_report('weekly', '{"title": "Bob weekly", "sections": [{"title": "who", "query": "SELECT ''bob'' AS who"}]}');
-- Alice's objects by owner.name are unknown to bob, exactly as names nobody uses; the
-- hints name only what bob can see.
SELECT cafe24.render_report('names_alice.weekly', 'csv');
SELECT cafe24.render_report('names_alice.nothing', 'csv');
SELECT cafe24.render_report('ghost.weekly', 'csv');
SELECT cafe24.dashboard_data('names_alice.ops');
SELECT * FROM cafe24.forecast_sales(horizon => 7, model_name => 'names_alice.daily');
SELECT cafe24.drop_report('names_alice.weekly');
SELECT cafe24.drop_dashboard('names_alice.ops', if_exists => true) AS dropped;
-- The catalog lists bob's own objects and the built-ins only.
SELECT name, ref, owner, template FROM jsonb_to_recordset(cafe24.catalog() -> 'reports') AS r(name text, ref text, owner text, template boolean) ORDER BY name, owner;
SELECT name, ref, owner, builtin FROM jsonb_to_recordset(cafe24.catalog() -> 'dashboards') AS d(name text, ref text, owner text, builtin boolean) ORDER BY name, owner;
SELECT name, builtin FROM jsonb_to_recordset(cafe24.catalog() -> 'kpis') AS k(name text, builtin boolean) WHERE NOT builtin;
SET ROLE names_alice;
SELECT convert_from(cafe24.render_report('weekly', 'csv'), 'UTF8') AS alice_report;
SELECT cafe24.dashboard_data('ops') #> '{widgets,0,data,rows}' AS alice_dashboard;
SELECT kpi, title, value FROM cafe24.kpi_values(names => '{answer}', as_of => '2025-02-28');
SELECT DISTINCT series_key FROM cafe24.forecast_sales(horizon => 7, model_name => 'daily');
RESET ROLE;
SELECT owner, name, title FROM cafe24.report WHERE NOT template ORDER BY 1, 2;
SELECT owner, name, count(w.widget_no) AS widgets FROM cafe24.dashboard AS d LEFT JOIN cafe24.widget AS w ON w.dashboard_owner = d.owner AND w.dashboard = d.name
WHERE NOT d.builtin GROUP BY 1, 2 ORDER BY 1, 2;
SELECT m.owner, m.name, s.series_key FROM cafe24.forecast_model AS m JOIN cafe24.forecast_model_series AS s ON s.model_owner = m.owner AND s.model_name = m.name ORDER BY 1;

-- Built-ins are everyone's: the templates, merchant_overview and the built-in KPIs work for
-- both under their bare names, and no role's object may take a built-in name (42710).
SET ROLE names_bob;
SELECT jsonb_array_length(convert_from(cafe24.render_report('monthly_sales', 'json', '{"month": "2025-02-01"}'), 'UTF8')::jsonb -> 'sections') AS template_sections;
SELECT jsonb_array_length(cafe24.dashboard_data('merchant_overview') -> 'widgets') AS builtin_widgets;
SELECT kpi FROM cafe24.kpi_values(names => '{revenue}', as_of => '2025-02-28');
SELECT cafe24.create_report('monthly_sales', '{"title": "Mine", "sections": [{"title": "a", "query": "SELECT 1 AS one"}]}');
SELECT cafe24.create_dashboard('merchant_overview', '{"title": "Mine", "widgets": [{"title": "a", "kind": "table", "query": "SELECT 1 AS one"}]}');
INSERT INTO cafe24.kpi (name, title, formula) VALUES ('revenue', 'Mine', 'sum(revenue)');
UPDATE cafe24.kpi SET name = 'revenue' WHERE owner = current_user::regrole AND name = 'answer';
SELECT cafe24.drop_report('monthly_sales');
SELECT cafe24.drop_dashboard('merchant_overview', if_exists => true);
SET ROLE names_alice;
SELECT jsonb_array_length(cafe24.dashboard_data('merchant_overview') -> 'widgets') AS builtin_widgets;
SELECT length(cafe24.render_report('postgres.monthly_sales', 'csv', '{"month": "2025-02-01"}')) > 0 AS template_by_owner_name;

-- Shared: alice lists bob as a reader of her report, dashboard and KPI. Bob's bare names are
-- still his own; alice's are names_alice.weekly and names_alice.ops, rendered with her
-- rights as before; her KPI he may read, not run.
UPDATE cafe24.report SET readers = '{names_bob}' WHERE owner = current_user::regrole AND name = 'weekly';
UPDATE cafe24.dashboard SET readers = '{names_bob}' WHERE owner = current_user::regrole AND name = 'ops';
UPDATE cafe24.kpi SET readers = '{names_bob}' WHERE owner = current_user::regrole AND name = 'answer';
SET ROLE names_bob;
SELECT convert_from(cafe24.render_report('weekly', 'csv'), 'UTF8') AS own_report;
SELECT convert_from(cafe24.render_report('names_alice.weekly', 'csv'), 'UTF8') AS shared_report;
SELECT rows FROM cafe24.export_report('names_alice.weekly', 'csv', file_name => 'names/shared.csv', overwrite => true, keep_content => true);
SELECT report, report_owner::text, convert_from(content, 'UTF8') AS content FROM cafe24.report_output;
SELECT cafe24.schedule_report('names_job', '@daily', 'names_alice.weekly', 'csv') > 0 AS scheduled;
SELECT command LIKE '%name => ''names_alice.weekly''%' AS job_names_the_shared_report FROM cafe24.job WHERE jobname = 'names_job';
SELECT cafe24.unschedule('names_job');
SELECT cafe24.dashboard_data('ops') #> '{widgets,0,data,rows}' AS own_dashboard;
SELECT cafe24.dashboard_data('names_alice.ops') #> '{widgets,0,data,rows}' AS shared_dashboard;
SELECT substr(cafe24.render_dashboard('names_alice.ops', 'html'), 1, 15) AS shared_html;
SELECT kpi, title, value FROM cafe24.kpi_values(names => '{answer}', as_of => '2025-02-28');
SELECT * FROM cafe24.kpi_values(names => '{names_alice.answer}', as_of => '2025-02-28');
SELECT cafe24.drop_report('names_alice.weekly');
SELECT name, ref, owner FROM jsonb_to_recordset(cafe24.catalog() -> 'reports') AS r(name text, ref text, owner text) WHERE NOT template ORDER BY ref;
SELECT name, ref, owner FROM jsonb_to_recordset(cafe24.catalog() -> 'dashboards') AS d(name text, ref text, owner text) WHERE NOT builtin ORDER BY ref;
-- A bare name of an object bob has not, but can see shared, points him to it.
SELECT cafe24.drop_report('weekly');
SELECT cafe24.render_report('weekly', 'csv');

-- A role that needs quotes: "Names Carol".weekly.
SET ROLE "Names Carol";
SELECT cafe24.create_report('weekly', '{"title": "Carol weekly", "sections": [{"title": "who", "query": "SELECT ''carol'' AS who"}]}');
UPDATE cafe24.report SET readers = '{names_bob}' WHERE owner = current_user::regrole AND name = 'weekly';
SET ROLE names_bob;
SELECT convert_from(cafe24.render_report('"Names Carol".weekly', 'csv'), 'UTF8') AS quoted_owner;
SELECT ref FROM jsonb_to_recordset(cafe24.catalog() -> 'reports') AS r(ref text, template boolean) WHERE NOT template ORDER BY ref;

-- A group role's model: alice, a member of names_team, uses it as names_team.shared.
SET ROLE names_team;
SELECT count(*) AS series FROM cafe24.train_forecast_model('shared', horizon => 7, model => 'seasonal_naive',
    source => $s$SELECT 'team' AS series_key, d::date AS ds, 3::float8 AS y FROM generate_series(date '2025-01-01', date '2025-02-28', interval '1 day') AS d$s$);
SET ROLE names_alice;
SELECT DISTINCT series_key FROM cafe24.forecast_sales(horizon => 7, model_name => 'names_team.shared');
SELECT * FROM cafe24.forecast_sales(horizon => 7, model_name => 'shared');
SET ROLE names_bob;
SELECT * FROM cafe24.forecast_sales(horizon => 7, model_name => 'names_team.shared');
RESET ROLE;

-- The security doc's example.
SELECT cafe24.create_report('names_demo', '{"title": "Mine", "sections": [{"title": "a", "query": "SELECT 1 AS one"}]}');
SELECT name, ref, template FROM jsonb_to_recordset(cafe24.catalog() -> 'reports') AS r(name text, ref text, template boolean) WHERE name = 'names_demo';
SELECT cafe24.drop_report('names_demo');

DELETE FROM cafe24.report_output;
DROP EXTENSION cafe24_analytics CASCADE;
DROP OWNED BY names_alice, names_bob, names_team, "Names Carol";
DROP ROLE names_alice, names_bob, names_team, "Names Carol";
