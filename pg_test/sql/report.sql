-- Reports: specs checked by create_report, rendering to every format, exports under the
-- storage path, row-level security between roles, and the built-in templates.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;
SET TimeZone = 'Asia/Seoul';
SELECT table_name, rows > 0 AS loaded FROM cafe24.generate_demo_data(seed => 5, products => 24, customers => 800, days => 120, start_date => '2025-01-01');

-- Templates ship with the extension.
SELECT name, title, template, jsonb_array_length(spec -> 'sections') AS sections FROM cafe24.report ORDER BY name;

-- A report with two parameters, a KPI section, a chart and a named analysis.
SELECT cafe24.create_report('category_month', '{
  "title": "카테고리 월간 매출",
  "parameters": [{"name": "month", "type": "date", "default": "2025-03-01"},
                 {"name": "shop_no", "type": "integer"}],
  "sections": [
    {"title": "Headline", "display": "kpi",
     "query": "SELECT sum(net_amount) AS revenue, sum(sold_units) AS units FROM cafe24.sales_monthly WHERE month = $1 AND ($2 IS NULL OR shop_no = $2)",
     "columns": {"revenue": {"label": "매출", "format": "currency"}, "units": {"label": "Units", "format": "integer"}}},
    {"title": "Revenue by category", "display": "bar", "x": "category", "y": ["revenue"],
     "query": "SELECT category, sum(net_amount) AS revenue FROM cafe24.sales_monthly WHERE month = $1 AND ($2 IS NULL OR shop_no = $2) GROUP BY 1 ORDER BY 2 DESC",
     "columns": {"revenue": {"format": "currency"}}},
    {"title": "Margins", "analysis": "profit_margins", "args": {"by": "category", "from_date": {"param": "month"}, "to_date": "2025-03-31"}}
  ]
}');

-- JSON output carries typed values: the KPI row and the categories of March 2025.
SELECT s -> 'title' AS section, jsonb_array_length(s -> 'rows') AS rows, s -> 'rows' -> 0 AS first_row
FROM jsonb_array_elements(convert_from(cafe24.render_report('category_month', 'json'), 'UTF8')::jsonb -> 'sections') AS s;
SELECT (SELECT sum(net_amount) FROM cafe24.sales_monthly WHERE month = '2025-03-01') =
       (convert_from(cafe24.render_report('category_month', 'json'), 'UTF8')::jsonb #>> '{sections,0,rows,0,0}')::numeric AS kpi_matches_the_table;
-- Parameters are bound: another month, one shop.
SELECT convert_from(cafe24.render_report('category_month', 'json', '{"month": "2025-02-01", "shop_no": 1}'), 'UTF8')::jsonb -> 'params' AS params;

-- Every format: magic bytes, and the page / sheet / zip structure.
SELECT format, substr(b, 1, 4) AS magic, length(b) > 500 AS has_content
FROM (VALUES ('pdf'), ('xlsx'), ('csv'), ('html'), ('json')) AS f(format),
     LATERAL (SELECT cafe24.render_report('category_month', f.format) AS b) AS r;
SELECT position('<svg' IN html) > 0 AS inline_svg, position('http://' IN html) + position('https://' IN html) = 0 AS self_contained,
       position('₩' IN html) > 0 AS won_formatted, position('카테고리 월간 매출' IN html) > 0 AS hangul_title
FROM (SELECT convert_from(cafe24.render_report('category_month', 'html'), 'UTF8') AS html) AS h;

-- A line chart's band: an interval shaded between two columns (the forecast's 80 %).
SELECT cafe24.create_report('forecast_band', '{"title": "Revenue forecast", "sections": [
  {"title": "Next 2 weeks", "display": "line", "x": "day", "y": ["forecast"], "band": ["low_80", "high_80"],
   "query": "SELECT ds AS day, round(yhat) AS forecast, round(lower[1]) AS low_80, round(upper[1]) AS high_80 FROM cafe24.forecast_sales(horizon => 14)",
   "columns": {"forecast": {"format": "currency"}, "low_80": {"format": "currency", "label": "80 % low"}, "high_80": {"format": "currency", "label": "80 % high"}}}]}');
SELECT position('<polygon' IN convert_from(cafe24.render_report('forecast_band', 'html'), 'UTF8')) > 0 AS band_is_shaded;
SELECT convert_from(cafe24.render_report('forecast_band', 'json'), 'UTF8')::jsonb #> '{sections,0,band}' AS band_columns;

-- A one-section CSV is plain RFC 4180 text (CRLF, quoted when needed); csv_bom adds the BOM.
SELECT cafe24.create_report('csv_demo', '{"title": "CSV", "sections": [{"title": "t",
  "query": "SELECT * FROM (VALUES (1, ''plain'', 1.50::numeric, date ''2025-01-02''), (2, ''with, comma'', NULL, NULL), (3, ''say \"hi\"'', -2, NULL)) AS v(id, label, amount, day)"}]}');
SELECT replace(convert_from(cafe24.render_report('csv_demo', 'csv'), 'UTF8'), E'\r\n', '⏎') AS csv;
SELECT substr(cafe24.render_report('csv_demo', 'csv', csv_bom => true), 1, 3) AS bom;

-- Spec errors say where: a JSON path and what is allowed.
SELECT cafe24.create_report('bad', '{"title": "x", "sections": [{"title": "a", "query": "SELECT 1", "display": "donut"}]}');
SELECT cafe24.create_report('bad', '{"title": "x", "sections": [{"title": "a", "query": "SELECT 1 +"}]}');
SELECT cafe24.create_report('bad', '{"title": "x", "sections": [{"title": "a", "query": "SELECT 1 AS n", "display": "line", "x": "day", "y": ["n"]}]}');
SELECT cafe24.create_report('bad', '{"title": "x", "sections": [{"title": "a", "query": "SELECT 1 AS n, ''a'' AS t", "display": "bar", "x": "n", "y": ["t"]}]}');
SELECT cafe24.create_report('bad', '{"title": "x", "sections": [{"title": "a", "query": "SELECT 1 AS n, 2 AS v", "display": "line", "x": "n", "y": ["v"], "band": ["lo", "hi"]}]}');
SELECT cafe24.create_report('bad', '{"title": "x", "sections": [{"title": "a", "query": "SELECT 1 AS n, 2 AS v, ''a'' AS lo", "display": "line", "x": "n", "y": ["v"], "band": ["lo", "v"]}]}');
SELECT cafe24.create_report('bad', '{"title": "x", "sections": [{"title": "a", "query": "SELECT 1 AS n, 2 AS v", "display": "bar", "x": "n", "y": ["v"], "band": ["v", "v"]}]}');
SELECT cafe24.create_report('bad', '{"title": "x", "parameters": [{"name": "m", "type": "dat"}], "sections": [{"title": "a", "query": "SELECT $1"}]}');
SELECT cafe24.create_report('bad', '{"title": "x", "parameters": [{"name": "m", "type": "date", "default": "soon"}], "sections": [{"title": "a", "query": "SELECT $1"}]}');
SELECT cafe24.create_report('bad', '{"title": "x", "sections": [{"title": "a", "query": "SELECT $2"}]}');
SELECT cafe24.create_report('bad', '{"title": "x", "sections": [{"title": "a", "analysis": "profit_margins", "args": {"group_by": "brand"}}]}');
SELECT cafe24.create_report('bad', '{"title": "x", "sections": [{"title": "a", "query": "DELETE FROM cafe24.shop RETURNING *"}]}');
SELECT cafe24.create_report('Bad Name', '{"title": "x", "sections": [{"title": "a", "query": "SELECT 1"}]}');
SELECT cafe24.create_report('csv_demo', '{"title": "x", "sections": [{"title": "a", "query": "SELECT 1"}]}');
-- Render errors: unknown report, format, parameter, and a value of the wrong type.
SELECT cafe24.render_report('nope', 'pdf');
SELECT cafe24.render_report('csv_demo', 'docx');
SELECT cafe24.render_report('category_month', 'json', '{"months": "2025-03-01"}');
SELECT cafe24.render_report('category_month', 'json', '{"month": "March"}');
-- A section that fails at run time names itself.
SELECT cafe24.create_report('fails', '{"title": "x", "sections": [{"title": "fine", "query": "SELECT 1 AS one"},
  {"title": "divides", "query": "SELECT 1 / (count(*) - count(*)) AS boom FROM cafe24.shop"}]}');
SELECT cafe24.render_report('fails', 'html');

-- Exports land under cafe24_analytics.report_storage_path, atomically, and are recorded.
SELECT path ~ '/reports/tests/category_month\.xlsx$' AS under_storage, bytes > 0 AS written, length(sha256) AS sha_len, rows
FROM cafe24.export_report('category_month', 'xlsx', file_name => 'tests/category_month.xlsx', overwrite => true);
SELECT output_id > 0 AS recorded, rows FROM cafe24.export_report('category_month', 'pdf', file_name => 'tests/category_month.pdf', overwrite => true);
SELECT o.report, o.format, o.bytes = (pg_stat_file(o.path)).size AS size_matches, o.created_by::text AS created_by, o.content IS NULL AS file_only
FROM cafe24.report_output AS o ORDER BY o.id LIMIT 1;
SELECT e.bytes = length(o.content) AS kept, e.sha256 = encode(sha256(o.content), 'hex') AS sha_matches
FROM cafe24.export_report('csv_demo', 'csv', file_name => 'tests/kept.csv', overwrite => true, keep_content => true) AS e
JOIN cafe24.report_output AS o ON o.id = e.output_id;
SELECT * FROM cafe24.export_report('csv_demo', 'csv', file_name => 'tests/kept.csv');
SELECT * FROM cafe24.export_report('csv_demo', 'csv', file_name => '../escape.csv');
SELECT * FROM cafe24.export_report('csv_demo', 'csv', file_name => '/tmp/escape.csv');
-- A failing export leaves no file, not even a temporary one.
SELECT * FROM cafe24.export_report('fails', 'pdf', file_name => 'tests/fails.pdf');
-- Nor does one that outgrows cafe24_analytics.report_max_size (superuser-only).
SET cafe24_analytics.report_max_size = '2kB';
SELECT * FROM cafe24.export_report('category_month', 'xlsx', file_name => 'tests/too_big.xlsx');
SELECT length(cafe24.render_report('category_month', 'html'));
RESET cafe24_analytics.report_max_size;
-- A file appears when its transaction commits: an export rolled back, or in a savepoint
-- rolled back, leaves nothing; the committed one is there with its row.
BEGIN;
SELECT path AS pending_path FROM cafe24.export_report('csv_demo', 'csv', file_name => 'tests/rolled_back.csv') \gset
SELECT pg_stat_file(:'pending_path', true) IS NULL AS not_there_before_commit;
ROLLBACK;
SELECT pg_stat_file(:'pending_path', true) IS NULL AS not_there_after_rollback;
BEGIN;
SAVEPOINT s;
SELECT rows FROM cafe24.export_report('csv_demo', 'csv', file_name => 'tests/savepoint_rolled_back.csv');
ROLLBACK TO SAVEPOINT s;
SAVEPOINT s2;
SELECT rows FROM cafe24.export_report('csv_demo', 'csv', file_name => 'tests/committed.csv', overwrite => true);
RELEASE SAVEPOINT s2;
COMMIT;
SELECT count(*) AS committed_rows, bool_and(bytes = (pg_stat_file(path)).size) AS committed_file_matches
FROM cafe24.report_output WHERE path LIKE '%/tests/committed.csv' OR path LIKE '%rolled_back%';
-- File names that are legal but trouble (hidden, padded, quoted, control characters).
SELECT * FROM cafe24.export_report('csv_demo', 'csv', file_name => 'tests/.hidden.csv');
SELECT * FROM cafe24.export_report('csv_demo', 'csv', file_name => 'tests/padded.csv ');
SELECT * FROM cafe24.export_report('csv_demo', 'csv', file_name => E'tests/new\nline.csv');
SELECT f FROM pg_ls_dir(current_setting('cafe24_analytics.report_storage_path') || '/tests') AS f ORDER BY f;

-- Row-level security: a report is its owner's unless shared; sections run with the
-- caller's rights.
CREATE ROLE report_alice;
CREATE ROLE report_bob;
GRANT USAGE ON SCHEMA cafe24 TO report_alice, report_bob;
GRANT SELECT ON cafe24.sales_monthly TO report_alice;
INSERT INTO cafe24.shop_access (role, shop_no) VALUES ('report_alice', NULL);
SET ROLE report_alice;
SELECT cafe24.create_report('alice_sales', '{"title": "Alice", "sections": [{"title": "months", "query": "SELECT month, sum(net_amount) AS revenue FROM cafe24.sales_monthly GROUP BY 1 ORDER BY 1"}]}');
SELECT length(cafe24.render_report('alice_sales', 'csv')) > 0 AS alice_renders;
SET ROLE report_bob;
SELECT name FROM cafe24.report WHERE NOT template;
SELECT cafe24.render_report('alice_sales', 'csv');
SELECT cafe24.drop_report('alice_sales');
RESET ROLE;
SET ROLE report_alice;
UPDATE cafe24.report SET readers = '{report_bob}' WHERE name = 'alice_sales';
SET ROLE report_bob;
SELECT name FROM cafe24.report WHERE NOT template;
-- Names are per owner: bob names alice's report as owner.name (a bare name is his own, or
-- a template). A shared report runs as a view does: with its owner's rights (bob may not
-- read sales_monthly himself), so bob gets the rows alice sees.
SELECT cafe24.render_report('alice_sales', 'csv');
SELECT convert_from(cafe24.render_report('report_alice.alice_sales', 'csv'), 'UTF8') AS bob_renders_alices_rows;
SELECT count(*) FROM cafe24.sales_monthly;
SELECT * FROM cafe24.export_report('report_alice.alice_sales', 'csv', keep_content => true);
-- Nobody but the extension owner makes a template (shown to every role, run with theirs).
UPDATE cafe24.report SET template = true WHERE name = 'alice_sales';
SET ROLE report_alice;
UPDATE cafe24.report SET template = true WHERE name = 'alice_sales';
RESET ROLE;

-- Templates render over the demo data.
SELECT s -> 'title' AS section, jsonb_array_length(s -> 'rows') AS rows
FROM jsonb_array_elements(convert_from(cafe24.render_report('monthly_sales', 'json', '{"month": "2025-03-01"}'), 'UTF8')::jsonb -> 'sections') AS s;
SELECT name, length(cafe24.render_report(name, 'pdf')) > 1000 AS pdf_ok
FROM cafe24.report WHERE template AND name IN ('inventory_reorder', 'customer_segments') ORDER BY name;

SELECT cafe24.drop_report('fails');
SELECT cafe24.drop_report('fails', if_exists => true);
DELETE FROM cafe24.report WHERE owner IN ('report_alice'::regrole, 'report_bob'::regrole);
REASSIGN OWNED BY report_alice, report_bob TO postgres;
DROP OWNED BY report_alice, report_bob;
DROP ROLE report_alice;
DROP ROLE report_bob;
