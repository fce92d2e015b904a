-- Citus: distribute the star schema over a cluster (docs/citus.md). Nothing here runs at
-- CREATE EXTENSION; distribute_star_schema() is called once, on the coordinator, by a superuser.

-- The per-shop policy in the form Citus accepts on distributed and reference tables (no
-- subquery): the two STABLE functions are called per row rather than once as an InitPlan,
-- so single-node installs keep finalize.sql's form (bench/shop_access.sh, docs/citus.md).
CREATE FUNCTION cafe24._role_applies(role name) RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RETURN EXISTS (SELECT FROM pg_catalog.pg_roles AS r
                   WHERE r.rolname OPERATOR(pg_catalog.=) role AND pg_catalog.pg_has_role(r.oid, 'USAGE'));
END $$;
COMMENT ON FUNCTION cafe24._role_applies(name) IS 'Internal: whether the current role has the privileges of role (false when no such role); the shop_access policy on Citus.';

CREATE FUNCTION cafe24.distribute_star_schema()
RETURNS TABLE (table_name regclass, distribution text, colocated_with regclass)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    -- Dimensions (and the mall-wide stock, and who may read which shop) on every node.
    reference regclass[] := ARRAY['cafe24.shop', 'cafe24.product', 'cafe24.customer',
                                  'cafe24.inventory_snapshot', 'cafe24.shop_access']::regclass[];
    -- Facts and their aggregates sharded by shop_no, co-located with order_line, so a
    -- shard's triggers write the same node's aggregate shards and per-shop work runs there.
    facts regclass[] := ARRAY['cafe24.order_line', 'cafe24.behaviour_event', 'cafe24.sales_daily',
                              'cafe24.sales_monthly', 'cafe24.order_daily', 'cafe24.order_fact',
                              'cafe24.kpi_live']::regclass[];
    per_shop text[] := '{shop,order_line,behaviour_event,sales_daily,sales_monthly,order_daily,order_fact,kpi_live}';
    t regclass;
    n text;
    moved regclass[] := '{}';
    f regprocedure;
    cmd text;
    failed text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'distribute_star_schema: the citus extension is not installed in database %', pg_catalog.current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Install Citus from its packages (or scripts/citus_install.sh), add citus first to shared_preload_libraries, run CREATE EXTENSION citus, add the workers with citus_add_node(), then call this on the coordinator.';
    END IF;
    IF NOT pg_catalog.current_setting('is_superuser')::boolean THEN
        RAISE EXCEPTION 'distribute_star_schema: role % is not a superuser', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Run it as a superuser on the coordinator: it changes the star schema''s tables, triggers and policies.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_node WHERE noderole = 'primary' AND groupid <> 0) THEN
        RAISE EXCEPTION 'distribute_star_schema: the cluster has no worker node'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Add workers first: SELECT citus_set_coordinator_host(''coordinator-host'', 5432); SELECT citus_add_node(''worker-host'', 5432);';
    END IF;
    IF (SELECT g.groupid FROM pg_catalog.pg_dist_local_group AS g) <> 0 THEN
        RAISE EXCEPTION 'distribute_star_schema: this node is a worker, not the coordinator'
            USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Connect to the coordinator and call it there.';
    END IF;
    -- The aggregates are kept by statement triggers, which Citus then fires on each shard
    -- (co-located writes only: sales_daily, sales_monthly, order_daily, order_fact, kpi_live).
    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
    -- Foreign keys from the facts to the dimensions in one transaction need sequential mode.
    PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', 'sequential', true);
    -- Citus's NOTICEs about copying the local rows (handled below).
    PERFORM pg_catalog.set_config('client_min_messages', 'warning', true);

    -- Policies with subqueries are refused on Citus tables: the same rules without them.
    FOREACH n IN ARRAY per_shop LOOP
        EXECUTE pg_catalog.format('DROP POLICY IF EXISTS shop_access ON cafe24.%1$I', n);
    END LOOP;
    DROP POLICY IF EXISTS shop_access_own ON cafe24.shop_access;

    FOREACH t IN ARRAY reference LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition AS p WHERE p.logicalrelid = t) THEN
            PERFORM create_reference_table(t);
            moved := moved || t;
        END IF;
    END LOOP;
    FOREACH t IN ARRAY facts LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition AS p WHERE p.logicalrelid = t) THEN
            IF t = 'cafe24.order_line'::regclass THEN
                PERFORM create_distributed_table(t, 'shop_no');
            ELSE
                PERFORM create_distributed_table(t, 'shop_no', colocate_with => 'cafe24.order_line');
            END IF;
            moved := moved || t;
        END IF;
    END LOOP;
    -- The coordinator's own copies of the moved rows (the shards now hold them); triggers off,
    -- so emptying order_line locally does not truncate the distributed aggregates.
    PERFORM pg_catalog.set_config('session_replication_role', 'replica', true);
    FOREACH t IN ARRAY moved LOOP
        PERFORM truncate_local_data_after_distributing_table(t);
    END LOOP;
    PERFORM pg_catalog.set_config('session_replication_role', 'origin', true);

    -- The triggers that keep order_fact, order_daily and the live KPIs read other shards
    -- (a customer's first order may be in another shop); Citus refuses such a nested query in
    -- a trigger on a shard unless allowed, so the internal trigger code allows it, on every node.
    FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
             WHERE p.pronamespace OPERATOR(pg_catalog.=) 'cafe24'::regnamespace AND p.prosecdef
               AND p.proname OPERATOR(pg_catalog.~~) '\_%'
    LOOP
        cmd := pg_catalog.format('ALTER FUNCTION %s SET citus.allow_nested_distributed_execution = on', f);
        EXECUTE cmd;
        SELECT pg_catalog.string_agg(w.nodename || ':' || w.nodeport || ' ' || w.result, '; ') INTO failed
        FROM run_command_on_workers(cmd) AS w WHERE NOT w.success;
        IF failed IS NOT NULL THEN
            RAISE EXCEPTION 'distribute_star_schema: % failed on %', cmd, failed
                USING ERRCODE = 'connection_failure', HINT = 'Check that every worker has the cafe24_analytics extension (CREATE EXTENSION on each node), then call this again.';
        END IF;
    END LOOP;

    FOREACH n IN ARRAY per_shop LOOP
        EXECUTE pg_catalog.format($p$
            CREATE POLICY shop_access ON cafe24.%1$I
                USING (cafe24._all_shops_granted() OR shop_no OPERATOR(pg_catalog.=) ANY (cafe24._shop_grants()))
        $p$, n);
    END LOOP;
    CREATE POLICY shop_access_own ON cafe24.shop_access FOR SELECT USING (cafe24._role_applies(role));

    RETURN QUERY
        SELECT p.logicalrelid::regclass,
               CASE p.partmethod WHEN 'n' THEN 'reference' WHEN 'h' THEN 'hash(' || pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) || ')' END,
               CASE WHEN p.partmethod = 'h' THEN 'cafe24.order_line'::regclass END
        FROM pg_catalog.pg_dist_partition AS p
        WHERE p.logicalrelid = ANY (reference || facts)
        ORDER BY p.partmethod DESC, p.logicalrelid::regclass::text;
END $$;
COMMENT ON FUNCTION cafe24.distribute_star_schema() IS
'On a Citus coordinator with workers: makes shop, product, customer, inventory_snapshot and shop_access reference tables and shards order_line, behaviour_event, sales_daily, sales_monthly, order_daily, order_fact and kpi_live by shop_no, co-located; the aggregates stay exact through triggers fired on the shards. Idempotent; returns each table''s distribution. Superuser only; raises 55000 with a HINT when Citus is not installed.';
REVOKE ALL ON FUNCTION cafe24.distribute_star_schema() FROM PUBLIC;
