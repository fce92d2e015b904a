-- Seasonal trend analysis: decomposition, anomalies, changepoints, indices, growth.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;

-- A weekly pattern (weekends +50 %) with a spike and a level shift, as a source query.
CREATE TEMP TABLE daily AS
SELECT 'shop' AS series_key, d::date AS ds,
       (CASE WHEN extract(isodow FROM d) >= 6 THEN 150 ELSE 100 END
        + CASE WHEN d >= '2025-04-01' THEN 60 ELSE 0 END
        + CASE WHEN d = '2025-02-14' THEN 400 ELSE 0 END
        + (extract(doy FROM d)::int * 7919 % 11) - 5)::float8 AS y
FROM generate_series(date '2025-01-01', date '2025-06-30', '1 day') AS d;

SELECT ds, round(y) AS y, round(anomaly_score::numeric, 1) > 3.5 AS flagged, season_lengths
FROM cafe24.seasonal_trends(source => 'daily') WHERE is_anomaly ORDER BY ds;
SELECT ds FROM cafe24.seasonal_trends(source => 'daily') WHERE is_changepoint ORDER BY ds;
SELECT bool_and(abs(trend + seasonal + remainder - y) < 0.01) AS adds_up, count(*) AS days
FROM cafe24.seasonal_trends(source => 'daily');
SELECT kind, bucket, round(index::numeric, 2) AS index, periods
FROM cafe24.seasonal_indices(source => 'daily') ORDER BY kind, bucket;

-- Year-over-year growth of complete months, from the star schema.
SELECT table_name, rows > 0 AS loaded FROM cafe24.generate_demo_data(seed => 5, products => 20, customers => 1500, days => 500, start_date => '2024-01-01');
SELECT series_key, to_char(month, 'YYYY-MM') AS month, growth_pct > -100 AS sane FROM cafe24.yoy_growth(grain => 'month') ORDER BY month;
SELECT count(*) > 0 AS rows, bool_and(cardinality(season_lengths) <= 2) AS seasons FROM cafe24.seasonal_trends(grain => 'week', by => 'shop');
SELECT * FROM cafe24.seasonal_trends(season_lengths => '{1}');
SELECT * FROM cafe24.seasonal_trends(season_lengths => array_fill(7, ARRAY[100000]));
SELECT * FROM cafe24.seasonal_indices(grain => 'hour');
