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

-- Whether this database is on a Citus worker (not the coordinator): false without Citus.
CREATE FUNCTION cafe24._on_citus_worker() RETURNS boolean LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'citus') THEN
        RETURN false;
    END IF;
    RETURN (SELECT g.groupid OPERATOR(pg_catalog.<>) 0 FROM pg_catalog.pg_dist_local_group AS g);
END $$;
COMMENT ON FUNCTION cafe24._on_citus_worker() IS 'Internal: whether this database is on a Citus worker node (the scheduler refuses jobs there); false without Citus.';

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
    cmd text;
    fk record;
    trg record;
    restore text[] := '{}';
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
    IF cafe24._on_citus_worker() THEN
        RAISE EXCEPTION 'distribute_star_schema: this node is a worker, not the coordinator'
            USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Connect to the coordinator and call it there.';
    END IF;
    -- Idempotent: once every table is placed, only the listing.
    IF (SELECT pg_catalog.count(*) FROM pg_catalog.pg_dist_partition AS p WHERE p.logicalrelid = ANY (reference || facts))
       = pg_catalog.cardinality(reference || facts) THEN
        RETURN QUERY
            SELECT p.logicalrelid::regclass,
                   CASE p.partmethod WHEN 'n' THEN 'reference' WHEN 'h' THEN 'hash(' || pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) || ')' END,
                   CASE WHEN p.partmethod = 'h' THEN 'cafe24.order_line'::regclass END
            FROM pg_catalog.pg_dist_partition AS p
            WHERE p.logicalrelid = ANY (reference || facts)
            ORDER BY p.partmethod DESC, p.logicalrelid::regclass::text;
        RETURN;
    END IF;
    -- Citus distributes a table with triggers only when allowed (they stay disabled, below).
    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
    -- Foreign keys from the facts to the dimensions in one transaction need sequential mode.
    PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', 'sequential', true);
    -- Citus's NOTICEs about copying the local rows (handled below).
    PERFORM pg_catalog.set_config('client_min_messages', 'warning', true);

    -- Policies with subqueries are refused on Citus tables: the same rules without them.
    -- Here and on the workers' own (extension) copies of the tables, which Citus uses as
    -- shells (before this transaction touches the workers: run_command_on_workers commits apart).
    FOREACH cmd IN ARRAY (SELECT pg_catalog.array_agg(pg_catalog.format('DROP POLICY IF EXISTS shop_access ON cafe24.%I', x)) FROM pg_catalog.unnest(per_shop) AS x)
                         || 'DROP POLICY IF EXISTS shop_access_own ON cafe24.shop_access'::text LOOP
        EXECUTE cmd;
        PERFORM FROM run_command_on_workers(cmd) AS w WHERE NOT w.success;
        IF FOUND THEN
            RAISE EXCEPTION 'distribute_star_schema: % failed on a worker', cmd
                USING ERRCODE = 'connection_failure', HINT = 'Check that every worker is up and has the cafe24_analytics extension, then call this again.';
        END IF;
    END LOOP;

    -- A local table referencing a new reference table would be converted on the spot (and
    -- clash with the extension's own copy on the workers): the foreign keys between the star
    -- schema's tables are dropped here and added back once every table is placed.
    FOR fk IN SELECT c.conrelid::regclass AS rel, c.conname, pg_catalog.pg_get_constraintdef(c.oid) AS def
              FROM pg_catalog.pg_constraint AS c
              WHERE c.contype = 'f' AND c.conrelid = ANY (reference || facts)
                AND NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition AS p WHERE p.logicalrelid = c.conrelid)
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', fk.rel, fk.conname);
        restore := restore || pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.rel, fk.conname, fk.def);
        -- The workers' own (extension) copies of the table, which Citus uses as shells, too.
        -- (Before this transaction touches the workers: run_command_on_workers commits apart.)
        cmd := pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', fk.rel, fk.conname);
        PERFORM FROM run_command_on_workers(cmd) AS w WHERE NOT w.success;
        IF FOUND THEN
            RAISE EXCEPTION 'distribute_star_schema: % failed on a worker', cmd
                USING ERRCODE = 'connection_failure', HINT = 'Check that every worker is up and has the cafe24_analytics extension, then call this again.';
        END IF;
    END LOOP;

    -- Triggers off while Citus copies the rows into shards (the aggregates are copied too);
    -- the shards are created with them off, and the aggregate ones are turned on below.
    PERFORM pg_catalog.set_config('session_replication_role', 'replica', true);
    FOREACH t IN ARRAY reference || facts LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition AS p WHERE p.logicalrelid = t) THEN
            EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER USER', t);
        END IF;
    END LOOP;
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
    FOREACH cmd IN ARRAY restore LOOP
        EXECUTE cmd;
    END LOOP;
    -- The coordinator's own copies of the moved rows (the shards now hold them); triggers still
    -- off, so emptying order_line locally does not truncate the distributed aggregates.
    FOREACH t IN ARRAY moved LOOP
        PERFORM truncate_local_data_after_distributing_table(t);
    END LOOP;
    PERFORM pg_catalog.set_config('session_replication_role', 'origin', true);
    -- The aggregate triggers back on, here and (Citus propagates each ALTER) on every shard:
    -- on a shard they write the same node's co-located shards (cafe24._trigger_targets).
    -- The live-KPI triggers stay off: order facts span shops (a customer's first order), so
    -- on a cluster cafe24.rebuild_kpis() brings them up to date (docs/citus.md).
    FOR trg IN SELECT t.tgrelid::regclass AS rel, t.tgname FROM pg_catalog.pg_trigger AS t
               WHERE t.tgrelid OPERATOR(pg_catalog.=) ANY (reference || facts) AND NOT t.tgisinternal
                 AND t.tgfoid OPERATOR(pg_catalog.=) ANY (ARRAY['cafe24._order_line_changed()', 'cafe24._sales_daily_changed()',
                     'cafe24._product_changed()', 'cafe24._shop_changed()', 'cafe24._order_line_truncated()']::regprocedure[])
               ORDER BY 1, 2 LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE TRIGGER %I', trg.rel, trg.tgname);
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
'On a Citus coordinator with workers: makes shop, product, customer, inventory_snapshot and shop_access reference tables and shards order_line, behaviour_event, sales_daily, sales_monthly, order_daily, order_fact and kpi_live by shop_no, co-located; sales_daily and sales_monthly stay exact through triggers fired on the shards, the live-KPI facts through rebuild_kpis(). Idempotent; returns each table''s distribution. Superuser only; raises 55000 with a HINT when Citus is not installed.';
REVOKE ALL ON FUNCTION cafe24.distribute_star_schema() FROM PUBLIC;
