-- Forecasting: the array function, sales forecasts from the star schema or any source,
-- backtests, and bad input.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;

-- Seasonal naive repeats the last season; intervals widen each season ahead.
SELECT step, yhat, round(lower[2]::numeric, 3) AS lower_95, round(upper[2]::numeric, 3) AS upper_95, model
FROM cafe24.forecast('{1,2,3,4,5,6,7,8,9,10,11,12,13,14}', horizon => 9, season_lengths => '{7}', model => 'seasonal_naive');

-- A linear trend continues under AutoETS (rounded to whole units).
SELECT step, round(yhat) AS yhat, model FROM cafe24.forecast(ARRAY(SELECT 10 + 2 * g FROM generate_series(0, 59) g)::float8[], horizon => 3, model => 'ets');

-- auto detects the weekly season and says what it chose; bounds bracket the forecast.
SELECT count(*) AS steps, bool_and(lower[1] <= yhat AND yhat <= upper[1] AND lower[2] <= lower[1] AND upper[1] <= upper[2]) AS nested,
       min(model) LIKE 'auto: %' AS auto_named
FROM cafe24.forecast(ARRAY(SELECT 100 + 30 * sin(2 * pi() * g / 7) + (g % 5) FROM generate_series(1, 140) g), horizon => 14);

-- It composes with any query: one forecast per series with LATERAL.
SELECT s.key, f.step, round(f.yhat) AS yhat
FROM (VALUES ('a', '{5,5,5,5}'::float8[]), ('b', '{0,0,0,0,0}')) AS s(key, y),
     LATERAL cafe24.forecast(s.y, horizon => 2) AS f
ORDER BY 1, 2;

-- Intermittent demand: Croston/TSB gives the mean demand per period.
SELECT step, round(yhat::numeric, 1) AS yhat, model FROM cafe24.forecast(ARRAY(SELECT CASE WHEN g % 3 = 0 THEN 3 ELSE 0 END FROM generate_series(1, 60) g)::float8[], horizon => 2, model => 'croston');

-- Short history: the seasonal model falls back and the model column says why.
SELECT DISTINCT model FROM cafe24.forecast('{5,7,6,8,7,9,8,10,9,11}', horizon => 3, season_lengths => '{7}', model => 'mstl');

-- Bad input gets a clear error naming the argument.
SELECT * FROM cafe24.forecast('{}', horizon => 3);
SELECT * FROM cafe24.forecast('{1,NULL,3}', horizon => 3);
SELECT * FROM cafe24.forecast('{1,NaN,3}', horizon => 3);
SELECT * FROM cafe24.forecast('{1,2,3}', horizon => 0);
SELECT * FROM cafe24.forecast('{1,2,3}', horizon => 1000000);
SELECT * FROM cafe24.forecast('{1,2,3}', horizon => 3, model => 'prophet');
SELECT * FROM cafe24.forecast('{1,2,3}', horizon => 3, levels => '{95,100}');
-- '{1}' is one period per season: no season, as statsforecast's season_length = 1.
SELECT * FROM cafe24.forecast('{1,2,3}', horizon => 3, season_lengths => '{1}');
-- A disabled feature says which setting enables it.
SET cafe24_analytics.enable_forecasting = off;
SELECT * FROM cafe24.forecast('{1,2,3}', horizon => 3);
RESET cafe24_analytics.enable_forecasting;

-- Sales forecasts from the star schema.
SELECT table_name, rows > 0 AS loaded FROM cafe24.generate_demo_data(seed => 3, products => 40, customers => 3000, days => 400, start_date => '2024-01-01', replace => true);
SELECT series_key, count(*) AS periods, min(ds) AS first_ds, max(ds) AS last_ds, bool_and(yhat >= 0) AS non_negative,
       bool_and(lower[2] <= yhat AND yhat <= upper[2]) AS bracketed, min(model) LIKE 'auto: %' AS auto
FROM cafe24.forecast_sales(horizon => 4, grain => 'week', by => 'category')
GROUP BY series_key ORDER BY series_key;
SELECT count(*) AS rows, count(DISTINCT series_key) AS series, min(ds) AS first_day FROM cafe24.forecast_sales(horizon => 28);
SELECT series_key, ds, step FROM cafe24.forecast_sales(horizon => 2, grain => 'month', by => 'shop', model => 'seasonal_naive') ORDER BY 1, 2;

-- Any source yielding (series_key, ds, y); missing days count as zero.
SELECT series_key, last_ds, periods, offsets, y FROM cafe24._sales_series('day', NULL, NULL,
  $$SELECT * FROM (VALUES ('x', date '2025-01-01', 2.0), ('x', date '2025-01-04', 5.0), ('y', date '2025-01-03', 1.0)) AS v(series_key, ds, y)$$);
CREATE TEMP TABLE my_sales AS
SELECT 'sku-1' AS series_key, d::date AS ds, 10 + (extract(dow FROM d) IN (0, 6))::int * 5 AS y
FROM generate_series(date '2025-01-01', date '2025-03-31', '1 day') AS d;
SELECT series_key, ds, round(yhat) AS yhat, model FROM cafe24.forecast_sales(horizon => 7, model => 'seasonal_naive', source => 'my_sales') ORDER BY ds;

-- Daily sales go through the retail calendar: the Christmas run-up (1-24 December) sold
-- half as much again in each of the last two years, so it is planned ahead. Cyber Monday
-- 2025 fell on 1 December, so of the mega-sale days one in ten sold 150 too: x1.11.
CREATE TEMP TABLE december AS
SELECT 'shop' AS series_key, d::date AS ds, CASE WHEN extract(month FROM d) = 12 AND extract(day FROM d) <= 24 THEN 150 ELSE 100 END AS y
FROM generate_series(date '2024-11-01', date '2026-11-28', '1 day') AS d;
SELECT ds, round(yhat) AS yhat, model FROM cafe24.forecast_sales(horizon => 4, model => 'ets', source => 'december') ORDER BY ds;
-- From the star schema, a product's days out of stock (inventory_snapshot.on_hand 0) are
-- filled from the days around them rather than learned as a slump.
SELECT count(*) FILTER (WHERE model LIKE '%stockout day% filled%') > 0 AS some_filled,
       bool_and(model LIKE '%(retail calendar: %') AS all_through_calendar
FROM cafe24.forecast_sales(horizon => 1, by => 'product', measure => 'units', model => 'seasonal_naive');
SELECT * FROM cafe24.forecast_sales(source => 'SELECT 1 AS key, now() AS ds, 1 AS y');
SELECT * FROM cafe24.forecast_sales(source => 'no_such_table');
SELECT * FROM cafe24.forecast_sales(grain => 'year');
SELECT * FROM cafe24.forecast_sales(by => 'brand');

-- Backtests: how good each model would have been.
SELECT series_key, model, round(mase::numeric, 2) > 0 AS scored, levels, cardinality(coverage) AS coverages, origins, steps
FROM cafe24.backtest_forecast(horizon => 14, model => 'auto', origins => 2)
ORDER BY series_key, model;
SELECT count(*) FILTER (WHERE model = 'seasonal_naive(7)') AS snaive, count(*) AS models
FROM cafe24.backtest_forecast(horizon => 7, by => 'category', model => 'seasonal_naive');
SELECT * FROM cafe24.backtest_forecast(origins => 0);

-- The global model learns across series: 40 series share a weekly shape at different
-- levels; 10 of them started 35 days ago. 'auto' gives the young ones the global model.
CREATE TEMP TABLE panel AS
SELECT 's' || lpad(k::text, 2, '0') AS series_key, d AS ds,
       round((5 + k) * (1 + 0.5 * (extract(isodow FROM d) >= 6)::int) * (1 + 0.1 * sin(k + (d - date '2025-01-01'))))::float8 AS y
FROM generate_series(1, 40) AS k, generate_series(0, 180) AS i, LATERAL (SELECT date '2025-01-01' + i AS d) AS x
WHERE k <= 30 OR d > date '2025-06-30' - 35;
SELECT CASE WHEN series_key > 's30' THEN 'young' ELSE 'mature' END AS age, split_part(model, ':', 1) AS model, count(DISTINCT series_key) AS series
FROM cafe24.forecast_sales(horizon => 14, source => 'panel') GROUP BY 1, 2 ORDER BY 1, 2;
-- It sees the weekend bump of a young series from the others: Saturdays forecast higher.
SELECT round((avg(yhat) FILTER (WHERE extract(isodow FROM ds) >= 6) / avg(yhat) FILTER (WHERE extract(isodow FROM ds) < 6))::numeric, 1) AS weekend_ratio,
       min(model) AS model
FROM cafe24.forecast_sales(horizon => 14, model => 'global', source => 'panel') WHERE series_key = 's35';
SELECT * FROM cafe24.forecast('{1,2,3}', horizon => 3, model => 'global');

-- Saved models: the choice per series and the global model are stored with their backtest
-- scores; forecasting from the model skips the choice and the global fit, same numbers.
SELECT model, count(*) AS series, count(mase) AS scored, bool_and(cardinality(coverage) = 2) AS coverage_per_level
FROM cafe24.train_forecast_model('panel_daily', horizon => 14, source => 'panel') GROUP BY 1 ORDER BY 1;
SELECT name, grain, by, requested, series, global_model IS NOT NULL AS has_global, (global_info ->> 'series')::int AS global_series
FROM cafe24.forecast_model;
SELECT count(*) AS rows, min(s.model) LIKE '% (saved model panel_daily)' AS says_saved,
       bool_and(s.yhat = f.yhat) FILTER (WHERE s.series_key > 's30') AS young_same_as_fresh_global
FROM cafe24.forecast_sales(horizon => 14, model_name => 'panel_daily') AS s
LEFT JOIN cafe24.forecast_sales(horizon => 14, model => 'global', source => 'panel') AS f USING (series_key, step);
SELECT * FROM cafe24.train_forecast_model('panel_daily', source => 'panel');
SELECT * FROM cafe24.forecast_sales(model_name => 'nope');
SELECT * FROM cafe24.forecast_sales(model_name => 'panel_daily', grain => 'week');
SELECT * FROM cafe24.train_forecast_model('Panel', source => 'panel');
-- Saved models are private to their owner.
CREATE ROLE fc_other;
GRANT USAGE ON SCHEMA cafe24 TO fc_other;
SET ROLE fc_other;
SELECT count(*) AS visible_models FROM cafe24.forecast_model;
SELECT count(*) AS visible_series FROM cafe24.forecast_model_series;
RESET ROLE;
SELECT cafe24.drop_forecast_model('panel_daily');
SELECT count(*) AS series_left FROM cafe24.forecast_model_series;
DROP OWNED BY fc_other;
DROP ROLE fc_other;
-- Series longer than 5 000 points are refused (one model fit of such a series can take minutes).
SELECT count(*) FROM cafe24.forecast(y => array_fill(1::float8, ARRAY[100000]), horizon => 7);
