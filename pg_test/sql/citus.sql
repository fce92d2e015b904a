-- distribute_star_schema() on a server without Citus: a clear error and nothing changed
-- (the distributed tier, scripts/citus_tier.sh, runs it on a 3-node cluster).
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;
SELECT * FROM cafe24.distribute_star_schema();
SELECT count(*) AS per_shop_policies FROM pg_policies WHERE schemaname = 'cafe24' AND policyname = 'shop_access';
-- Without Citus, the aggregate triggers write the tables themselves (on a Citus worker's
-- shard they write the same node's co-located shards), and this is not a Citus worker.
SELECT * FROM cafe24._trigger_targets('cafe24.order_line'::regclass, 'cafe24.order_line', '{cafe24.sales_daily,cafe24.shop}');
SELECT cafe24._on_citus_worker() AS on_citus_worker;
