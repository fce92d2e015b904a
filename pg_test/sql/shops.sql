-- Per-shop row-level security: cafe24.shop_access decides which shops' rows a role reads
-- and writes, in every table keyed by shop_no, in the views over them and in every
-- analysis run with the role's rights; fail-closed, not shadowable from search_path.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;
SET TimeZone = 'Asia/Seoul';
SELECT count(*) AS demo_tables FROM cafe24.generate_demo_data(seed => 11, shops => 3, products => 12, customers => 300, days => 120, start_date => '2025-01-01');

DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['shops_one', 'shops_group', 'shops_member', 'shops_all', 'shops_none', 'shops_mallory'] LOOP
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('DROP OWNED BY %I', r);
            EXECUTE format('DROP ROLE %I', r);
        END IF;
    END LOOP;
END $$;
CREATE ROLE shops_one;             -- shop 1
CREATE ROLE shops_group NOLOGIN;   -- shop 2, through its members
CREATE ROLE shops_member IN ROLE shops_group;
CREATE ROLE shops_all;             -- every shop
CREATE ROLE shops_none;            -- granted everything, given no shop
CREATE ROLE shops_mallory;         -- shop 3, and owns a schema full of traps
GRANT USAGE ON SCHEMA cafe24 TO shops_one, shops_group, shops_all, shops_none, shops_mallory;
GRANT SELECT ON ALL TABLES IN SCHEMA cafe24 TO shops_one, shops_group, shops_all, shops_none, shops_mallory;
GRANT INSERT, UPDATE ON cafe24.order_line, cafe24.product, cafe24.customer, cafe24.shop, cafe24.behaviour_event TO shops_one, shops_mallory;
INSERT INTO cafe24.shop_access (role, shop_no) VALUES
    ('shops_one', 1), ('shops_group', 2), ('shops_all', NULL), ('shops_mallory', 3),
    ('no_such_role', NULL);        -- a row for a role that does not exist grants nothing

-- Which shops each role reads, table by table.
CREATE FUNCTION pg_temp.shops_seen(tbl text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE s text;
BEGIN
    EXECUTE format('SELECT coalesce(string_agg(DISTINCT shop_no::text, '','' ORDER BY shop_no::text), ''-'') FROM cafe24.%I', tbl) INTO s;
    RETURN s;
END $$;
CREATE TEMP TABLE seen (role text, shop text, order_line text, behaviour_event text, sales_daily text, sales_monthly text,
                        order_daily text, order_fact text, kpi_live text, kpi_daily_facts text, readable_shops text);
GRANT ALL ON seen TO PUBLIC;
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['shops_one', 'shops_member', 'shops_all', 'shops_none', 'shops_mallory', 'postgres'] LOOP
        EXECUTE format('SET LOCAL ROLE %I', r);
        INSERT INTO seen SELECT r, pg_temp.shops_seen('shop'), pg_temp.shops_seen('order_line'), pg_temp.shops_seen('behaviour_event'),
               pg_temp.shops_seen('sales_daily'), pg_temp.shops_seen('sales_monthly'), pg_temp.shops_seen('order_daily'),
               pg_temp.shops_seen('order_fact'), pg_temp.shops_seen('kpi_live'), pg_temp.shops_seen('kpi_daily_facts'),
               (SELECT coalesce(string_agg(shop_no::text, ','), '-') FROM cafe24.readable_shops());
        RESET ROLE;
    END LOOP;
END $$;
SELECT * FROM seen ORDER BY role;

-- The documented example.
SET ROLE shops_one;
SELECT shop_no, name, currency, timezone FROM cafe24.readable_shops();
RESET ROLE;

-- The analyses read as the caller: shop 1's figures are the superuser's for shop 1.
CREATE TEMP TABLE super_figures AS
SELECT (SELECT sum(net_amount) FROM cafe24.sales_daily WHERE shop_no = 1) AS revenue,
       (SELECT sum(value) FROM cafe24.kpi_values(names => '{revenue}', period => 'month', as_of => '2025-03-31', shop_no => 1)) AS kpi_revenue,
       (SELECT count(DISTINCT customer_id) FROM cafe24.order_line WHERE shop_no = 1 AND customer_id IS NOT NULL AND status NOT IN ('cancelled', 'returned')) AS customers;
GRANT SELECT ON super_figures TO PUBLIC;
SET ROLE shops_one;
SELECT (SELECT sum(net_amount) FROM cafe24.sales_daily) = f.revenue AS same_revenue,
       (SELECT sum(value) FROM cafe24.kpi_values(names => '{revenue}', period => 'month', as_of => '2025-03-31')) = f.kpi_revenue AS same_kpi,
       (SELECT count(*) FROM cafe24.segment_customers()) = f.customers AS same_customers,
       (SELECT count(*) FROM cafe24.profit_margins(by => 'shop')) AS margin_rows
FROM super_figures AS f;
SET ROLE shops_none;
SELECT (SELECT count(*) FROM cafe24.order_line) AS lines,
       (SELECT count(*) FROM cafe24.kpi_values(names => '{revenue}', period => 'month', as_of => '2025-03-31') WHERE value <> 0) AS kpis_with_value;
SELECT count(*) FROM cafe24.segment_customers();
RESET ROLE;

-- Writes: a role writes only its shops' rows; the aggregates stay exact.
SET ROLE shops_one;
SELECT * FROM cafe24.ingest_orders('{"orders": [{"shop_no": 1, "order_id": "S1-1", "member_id": "", "order_date": "2025-04-01T10:00:00+09:00",
  "items": [{"order_item_code": "S1-1-01", "variant_code": "V-SHOPS-1", "quantity": 2, "product_price": "1000.00", "order_status": "N40"}]}]}');
SELECT * FROM cafe24.ingest_orders('{"orders": [{"shop_no": 2, "order_id": "S2-1", "member_id": "", "order_date": "2025-04-01T10:00:00+09:00",
  "items": [{"order_item_code": "S2-1-01", "variant_code": "V-SHOPS-1", "quantity": 2, "product_price": "1000.00", "order_status": "N40"}]}]}');
UPDATE cafe24.order_line SET shop_no = 2 WHERE order_item_code = 'S1-1-01';
-- shop 2's lines are not there to update.
UPDATE cafe24.order_line SET quantity = quantity + 1 WHERE shop_no = 2;
RESET ROLE;
SELECT shop_no, quantity FROM cafe24.order_line WHERE order_item_code IN ('S1-1-01', 'S2-1-01');
SELECT aggregate, missing_or_different, unexpected FROM cafe24.check_aggregates();

-- shop_access itself: each role reads its rows; nobody but the owner writes it.
SET ROLE shops_member;
SELECT role, shop_no FROM cafe24.shop_access;
SET ROLE shops_mallory;
INSERT INTO cafe24.shop_access (role, shop_no) VALUES ('shops_mallory', NULL);
UPDATE cafe24.shop_access SET shop_no = NULL;
DELETE FROM cafe24.shop_access;
RESET ROLE;
SELECT count(*) AS access_rows FROM cafe24.shop_access;

-- A trap schema cannot widen the policy: the policy's functions and operators were bound at
-- CREATE EXTENSION, so search_path = mal, pg_catalog changes nothing and calls nothing.
CREATE SCHEMA mal AUTHORIZATION shops_mallory;
SET ROLE shops_mallory;
CREATE TABLE mal.calls (n int);
CREATE FUNCTION mal.trap_int_eq(integer, integer) RETURNS boolean LANGUAGE sql AS $$ INSERT INTO mal.calls VALUES (1); SELECT true $$;
CREATE OPERATOR mal.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = mal.trap_int_eq);
CREATE FUNCTION mal.trap_grants() RETURNS integer[] LANGUAGE sql AS $$ INSERT INTO mal.calls VALUES (1); SELECT '{1,2,3}'::integer[] $$;
CREATE FUNCTION mal._shop_grants() RETURNS integer[] LANGUAGE sql AS $$ SELECT mal.trap_grants() $$;
CREATE FUNCTION mal._all_shops_granted() RETURNS boolean LANGUAGE sql AS $$ INSERT INTO mal.calls VALUES (1); SELECT true $$;
CREATE FUNCTION mal.array_agg(integer) RETURNS integer[] LANGUAGE sql AS $$ SELECT mal.trap_grants() $$;
CREATE FUNCTION mal.pg_has_role(oid, text) RETURNS boolean LANGUAGE sql AS $$ INSERT INTO mal.calls VALUES (1); SELECT true $$;
SET search_path = mal, pg_catalog;
SELECT string_agg(DISTINCT shop_no::text, ',') AS mallory_sees_lines FROM cafe24.order_line;
SELECT string_agg(DISTINCT shop_no::text, ',') AS mallory_sees_daily FROM cafe24.kpi_daily_facts;
SELECT count(*) AS mallory_sees_access FROM cafe24.shop_access;
SELECT count(*) AS trap_calls FROM mal.calls;
RESET search_path;
RESET ROLE;

-- Another role's stored query runs as its owner, so with the owner's shops: shop_one's
-- report shows shop 1 to the superuser who renders it (from a session without temporary
-- objects, which another role's stored query requires).
DISCARD TEMP;
SET ROLE shops_one;
SELECT cafe24.create_report('shops_one_report', '{"title": "Shop one", "sections": [{"title": "shops", "query": "SELECT string_agg(DISTINCT shop_no::text, '','') AS shops FROM cafe24.order_daily"}]}');
RESET ROLE;
SELECT convert_from(cafe24.render_report('shops_one.shops_one_report', 'csv'), 'UTF8') AS rendered_by_superuser;

-- The policy is one InitPlan per query and an integer comparison per row.
SET ROLE shops_one;
EXPLAIN (COSTS OFF) SELECT sum(revenue) FROM cafe24.order_daily;
RESET ROLE;

DELETE FROM cafe24.shop_access;
DROP SCHEMA mal CASCADE;
DROP OWNED BY shops_one, shops_group, shops_member, shops_all, shops_none, shops_mallory;
DROP ROLE shops_one, shops_member, shops_group, shops_all, shops_none, shops_mallory;
