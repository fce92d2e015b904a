#!/usr/bin/env bash
# What per-shop row-level security costs (docs/security.md "Shops"): the same queries as a
# superuser (no policy), as a role given every shop (shop_no NULL), as a role given both
# shops by number, and as a role given shop 1 against the superuser filtering shop 1
# itself. Best of 3 warm runs each, in one run; prints each ratio to its baseline.
# Usage: [KEEP=1] [REUSE=1] bash bench/shop_access.sh [CUSTOMERS]   (1 000 000 ≈ 10 M lines)
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"
C="${1:-1000000}"
bench_demo_database "${C}" "shops => 2"
echo "== $(q -d cafe24_bench -At -c 'SELECT count(*) FROM cafe24.order_line') order lines"
q -d cafe24_bench >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_all') THEN
        DROP OWNED BY bench_all, bench_listed, bench_one; DROP ROLE bench_all, bench_listed, bench_one;
    END IF;
END $$;
CREATE ROLE bench_all; CREATE ROLE bench_listed; CREATE ROLE bench_one;
GRANT USAGE ON SCHEMA cafe24 TO bench_all, bench_listed, bench_one;
GRANT SELECT ON ALL TABLES IN SCHEMA cafe24 TO bench_all, bench_listed, bench_one;
DELETE FROM cafe24.shop_access WHERE role LIKE 'bench\_%';
INSERT INTO cafe24.shop_access (role, shop_no) VALUES ('bench_all', NULL), ('bench_listed', 1), ('bench_listed', 2), ('bench_one', 1);
CREATE SCHEMA IF NOT EXISTS bench;
-- Best of n runs of a query as a role, in ms.
CREATE OR REPLACE FUNCTION bench.best_ms(query text, role text, n int DEFAULT 3) RETURNS numeric LANGUAGE plpgsql AS $f$
DECLARE best numeric; t timestamptz; ms numeric;
BEGIN
    -- One role for all runs, as a session has: a role change replans cached plans.
    IF role IS NOT NULL THEN EXECUTE format('SET LOCAL ROLE %I', role); END IF;
    FOR i IN 0..n LOOP   -- run 0 warms the cache
        t := clock_timestamp();
        EXECUTE query;
        ms := extract(epoch FROM clock_timestamp() - t) * 1000;
        IF i > 0 AND (best IS NULL OR ms < best) THEN best := ms; END IF;
    END LOOP;
    RESET ROLE;
    RETURN round(best, 2);
END $f$;
SQL
q -d cafe24_bench <<'SQL'
\pset footer off
WITH queries(name, all_shops, shop_one) AS (VALUES
    ('scan order_line (sum of sales)', 'SELECT sum(quantity * unit_price) FROM cafe24.order_line', 'SELECT sum(quantity * unit_price) FROM cafe24.order_line WHERE shop_no = 1'),
    ('sales_daily by month', 'SELECT date_trunc(''month'', day), sum(net_amount) FROM cafe24.sales_daily GROUP BY 1', 'SELECT date_trunc(''month'', day), sum(net_amount) FROM cafe24.sales_daily WHERE shop_no = 1 GROUP BY 1'),
    ('kpi_values (6 KPIs, month)', 'SELECT * FROM cafe24.kpi_values(names => ''{revenue,orders,average_order_value,gross_margin,conversion_rate,repeat_purchase_rate}'', period => ''month'')', 'SELECT * FROM cafe24.kpi_values(names => ''{revenue,orders,average_order_value,gross_margin,conversion_rate,repeat_purchase_rate}'', period => ''month'', shop_no => 1)'),
    ('profit_margins by category', 'SELECT * FROM cafe24.profit_margins(by => ''category'')', NULL),
    ('funnel (last 7 days)', 'SELECT * FROM cafe24.funnel(from_time => now() - interval ''7 days'')', NULL)
), t AS (
    SELECT name, bench.best_ms(all_shops, NULL) AS superuser_ms, bench.best_ms(all_shops, 'bench_all') AS every_shop_ms,
           bench.best_ms(all_shops, 'bench_listed') AS listed_ms,
           CASE WHEN shop_one IS NOT NULL THEN bench.best_ms(shop_one, NULL) END AS superuser_shop1_ms,
           CASE WHEN shop_one IS NOT NULL THEN bench.best_ms(all_shops, 'bench_one') END AS shop1_role_ms
    FROM queries
)
SELECT name, superuser_ms, every_shop_ms, round(every_shop_ms / nullif(superuser_ms, 0), 2) AS every_ratio,
       listed_ms, round(listed_ms / nullif(superuser_ms, 0), 2) AS listed_ratio,
       superuser_shop1_ms, shop1_role_ms, round(shop1_role_ms / nullif(superuser_shop1_ms, 0), 2) AS shop1_ratio
FROM t;
SQL
[ "${KEEP:-0}" = 1 ] || q -d postgres -c "DROP DATABASE cafe24_bench" >/dev/null
