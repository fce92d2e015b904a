-- SQL-level functions that call the Rust ones, and comments on the Rust functions.
-- Included last (finalize) by src/lib.rs.

CREATE FUNCTION cafe24._ingest_rows(lines jsonb)
RETURNS TABLE (order_id text, order_item_code text, shop_no integer, ordered_at timestamptz,
               member_id text, product_no integer, product_code text, variant_code text,
               product_name text, quantity integer, unit_price numeric, discount numeric, status text)
LANGUAGE sql STABLE AS $$
    SELECT * FROM jsonb_to_recordset(lines) AS x(
        order_id text, order_item_code text, shop_no integer, ordered_at timestamptz,
        member_id text, product_no integer, product_code text, variant_code text,
        product_name text, quantity integer, unit_price numeric, discount numeric, status text)
$$;
COMMENT ON FUNCTION cafe24._ingest_rows(jsonb) IS 'Internal: the typed rows of lines validated by ingest_orders.';

CREATE FUNCTION cafe24._ingest_lines(lines jsonb)
RETURNS TABLE (inserted bigint, updated bigint, unchanged bigint)
LANGUAGE plpgsql AS $$
DECLARE
    ins bigint;
    upd bigint;
    refused integer[];
BEGIN
    -- Per-shop row-level security would refuse the first row with a bare policy message.
    IF pg_catalog.row_security_active('cafe24.order_line'::regclass) AND NOT cafe24._all_shops_granted() THEN
        SELECT pg_catalog.array_agg(DISTINCT r.shop_no ORDER BY r.shop_no) INTO refused
        FROM cafe24._ingest_rows(lines) AS r
        WHERE r.shop_no <> ALL (coalesce(cafe24._shop_grants(), '{}'));
        IF refused IS NOT NULL THEN
            RAISE EXCEPTION 'ingest_orders: role % may not write shop %', current_user, pg_catalog.array_to_string(refused, ', ')
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'cafe24.shop_access lists the shops each role may read and write; the extension owner adds rows to it. Nothing of this payload was applied.';
        END IF;
    END IF;
    INSERT INTO cafe24.shop (shop_no, name)
    SELECT DISTINCT shop_no, 'Shop ' || shop_no FROM cafe24._ingest_rows(lines)
    ORDER BY 1
    ON CONFLICT (shop_no) DO NOTHING;

    INSERT INTO cafe24.customer (member_id)
    SELECT DISTINCT member_id FROM cafe24._ingest_rows(lines) WHERE member_id IS NOT NULL
    ORDER BY 1
    ON CONFLICT (member_id) DO NOTHING;

    INSERT INTO cafe24.product (variant_code, product_no, product_code, name, price)
    SELECT DISTINCT ON (variant_code) variant_code, product_no, product_code, product_name, unit_price
    FROM cafe24._ingest_rows(lines)
    ORDER BY variant_code, ordered_at DESC
    ON CONFLICT (variant_code) DO NOTHING;

    -- The lines joined to their product and customer first, MATERIALIZED: on Citus an
    -- INSERT ... SELECT whose SELECT joins this function scan to the reference tables
    -- inserted nothing (Citus 12.1: the join ran away from its intermediate result).
    WITH typed AS MATERIALIZED (
        SELECT i.order_id, i.order_item_code, i.shop_no, i.ordered_at, c.customer_id,
               p.product_id, i.quantity, i.unit_price, i.discount, p.unit_cost, i.status
        FROM cafe24._ingest_rows(lines) AS i
        JOIN cafe24.product AS p USING (variant_code)
        LEFT JOIN cafe24.customer AS c USING (member_id)
    ), upserted AS (
        INSERT INTO cafe24.order_line AS l (order_id, order_item_code, shop_no, ordered_at, customer_id,
                                            product_id, quantity, unit_price, discount, unit_cost, status)
        SELECT t.order_id, t.order_item_code, t.shop_no, t.ordered_at, t.customer_id,
               t.product_id, t.quantity, t.unit_price, t.discount, t.unit_cost, t.status
        FROM typed AS t
        ORDER BY t.order_item_code
        ON CONFLICT (shop_no, order_item_code) DO UPDATE
        SET order_id = excluded.order_id, ordered_at = excluded.ordered_at,
            customer_id = excluded.customer_id, product_id = excluded.product_id,
            quantity = excluded.quantity, unit_price = excluded.unit_price,
            discount = excluded.discount, status = excluded.status, updated_at = excluded.updated_at
        WHERE (l.order_id, l.shop_no, l.ordered_at, l.customer_id, l.product_id, l.quantity,
               l.unit_price, l.discount, l.status)
              IS DISTINCT FROM
              (excluded.order_id, excluded.shop_no, excluded.ordered_at, excluded.customer_id,
               excluded.product_id, excluded.quantity, excluded.unit_price, excluded.discount,
               excluded.status)
        RETURNING (xmax = 0) AS is_new
    )
    SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new) INTO ins, upd FROM upserted;
    RETURN QUERY SELECT ins, upd, jsonb_array_length(lines) - ins - upd;
END $$;
COMMENT ON FUNCTION cafe24._ingest_lines(jsonb) IS 'Internal: upserts lines validated by ingest_orders.';

COMMENT ON FUNCTION cafe24.ingest_orders(jsonb) IS
'Loads a Cafe24 Admin API orders response ({"orders":[{..., "items":[...]}]}) into the star schema. '
'Idempotent: re-sending a payload changes nothing; a changed status or quantity updates the line and the aggregates. '
'Unseen shops, products and members are created. Returns (inserted, updated, unchanged) line counts. '
'A malformed payload raises SQLSTATE 22023 naming the order, item and field, and applies nothing.';

CREATE FUNCTION cafe24.generate_demo_data(
    seed bigint DEFAULT 42,
    shops integer DEFAULT 2,
    products integer DEFAULT 500,
    customers integer DEFAULT 20000,
    days integer DEFAULT 730,
    start_date date DEFAULT NULL,
    sessions_per_order double precision DEFAULT 2.0,
    replace boolean DEFAULT false)
RETURNS TABLE (table_name text, rows bigint)
LANGUAGE plpgsql AS $$
DECLARE
    cfg jsonb;
    start date := coalesce(start_date, current_date - days);
    n bigint;
    ddl record;
    restore text[] := '{}';
    t0 timestamptz := clock_timestamp();
BEGIN
    IF start IS NULL OR NOT isfinite(start) THEN
        RAISE EXCEPTION 'generate_demo_data: start_date = % is not a finite date', start_date
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass a date such as ''2024-01-01'', or NULL for days before today.';
    END IF;
    cfg := jsonb_build_object('seed', seed, 'shops', shops, 'products', products, 'customers', customers,
                              'days', days, 'start', to_char(start, 'YYYY-MM-DD'), 'sessions_per_order', sessions_per_order);
    -- Validate all knobs before touching any table.
    PERFORM count(*) FROM cafe24._demo_shops(cfg);
    IF NOT (SELECT bool_and(pg_has_role(c.relowner, 'USAGE')) FROM pg_class AS c
            WHERE c.relnamespace = 'cafe24'::regnamespace AND c.relkind = 'r') THEN
        RAISE EXCEPTION 'generate_demo_data: role % does not own the cafe24 tables', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Run it as the role that created the extension (it bulk-loads with foreign keys deferred to one check per table).';
    END IF;
    IF EXISTS (SELECT FROM cafe24.order_line) OR EXISTS (SELECT FROM cafe24.product)
       OR EXISTS (SELECT FROM cafe24.customer) OR EXISTS (SELECT FROM cafe24.shop) THEN
        IF NOT replace THEN
            RAISE EXCEPTION 'generate_demo_data: the star schema already holds data'
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'Pass replace => true to delete all shops, products, customers, orders, events and snapshots first.';
        END IF;
        TRUNCATE cafe24.behaviour_event, cafe24.inventory_snapshot, cafe24.order_line,
                 cafe24.customer, cafe24.product, cafe24.shop;
    END IF;

    -- Bulk-load fast path: the fact tables lose their constraints and indexes for the
    -- load and get them back at the end: one sort per index and one join per foreign
    -- key instead of a lookup and an index insertion per row.
    PERFORM set_config('maintenance_work_mem', '512MB', true);
    FOR ddl IN SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop_sql,
                     format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) AS add_sql
              FROM pg_constraint AS c
              WHERE c.contype IN ('p', 'u', 'f')
                AND c.conrelid IN ('cafe24.order_line'::regclass, 'cafe24.behaviour_event'::regclass,
                                   'cafe24.inventory_snapshot'::regclass)
              ORDER BY c.contype = 'f' DESC   -- drop foreign keys first, re-add them last
    LOOP
        EXECUTE ddl.drop_sql;
        restore := ddl.add_sql || restore;
    END LOOP;
    FOR ddl IN SELECT format('DROP INDEX %s', i.indexrelid::regclass) AS drop_sql, pg_get_indexdef(i.indexrelid) AS add_sql
              FROM pg_index AS i
              WHERE i.indrelid IN ('cafe24.order_line'::regclass, 'cafe24.behaviour_event'::regclass,
                                   'cafe24.inventory_snapshot'::regclass)
    LOOP
        EXECUTE ddl.drop_sql;
        restore := restore || ddl.add_sql;
    END LOOP;

    -- Live KPIs are counted once at the end (rebuild_kpis) rather than by difference per row.
    ALTER TABLE cafe24.order_line DISABLE TRIGGER zz_kpis_insert;
    ALTER TABLE cafe24.behaviour_event DISABLE TRIGGER zz_kpis_insert;

    INSERT INTO cafe24.shop (shop_no, name, timezone) SELECT * FROM cafe24._demo_shops(cfg);
    GET DIAGNOSTICS n = ROW_COUNT; table_name := 'shop'; rows := n; RETURN NEXT;
    RAISE DEBUG 'generate_demo_data: % rows into shop after % s', n, round(extract(epoch FROM clock_timestamp() - t0), 2);

    INSERT INTO cafe24.product (product_id, product_no, product_code, variant_code, name, category, brand,
                                price, unit_cost, lead_time_days)
    SELECT * FROM cafe24._demo_products(cfg);
    GET DIAGNOSTICS n = ROW_COUNT; table_name := 'product'; rows := n; RETURN NEXT;
    RAISE DEBUG 'generate_demo_data: % rows into product after % s', n, round(extract(epoch FROM clock_timestamp() - t0), 2);

    INSERT INTO cafe24.customer (customer_id, member_id, signed_up_at, region)
    SELECT customer_id, member_id, to_timestamp(signed_up_epoch), region FROM cafe24._demo_customers(cfg);
    GET DIAGNOSTICS n = ROW_COUNT; table_name := 'customer'; rows := n; RETURN NEXT;
    RAISE DEBUG 'generate_demo_data: % rows into customer after % s', n, round(extract(epoch FROM clock_timestamp() - t0), 2);

    INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id,
                                   quantity, unit_price, discount, unit_cost, status, updated_at)
    SELECT order_id, order_item_code, shop_no, to_timestamp(ordered_epoch), customer_id, product_id,
           quantity, unit_price, discount, unit_cost, status, to_timestamp(ordered_epoch)
    FROM cafe24._demo_order_lines(cfg);
    GET DIAGNOSTICS n = ROW_COUNT; table_name := 'order_line'; rows := n; RETURN NEXT;
    RAISE DEBUG 'generate_demo_data: % rows into order_line after % s', n, round(extract(epoch FROM clock_timestamp() - t0), 2);

    INSERT INTO cafe24.inventory_snapshot (day, product_id, on_hand, on_order)
    SELECT start + day_offset, product_id, on_hand, on_order FROM cafe24._demo_inventory(cfg);
    GET DIAGNOSTICS n = ROW_COUNT; table_name := 'inventory_snapshot'; rows := n; RETURN NEXT;
    RAISE DEBUG 'generate_demo_data: % rows into inventory_snapshot after % s', n, round(extract(epoch FROM clock_timestamp() - t0), 2);

    INSERT INTO cafe24.behaviour_event (session_id, customer_id, shop_no, product_id, event_type, occurred_at)
    SELECT session_id, customer_id, shop_no, product_id, event_type, to_timestamp(occurred_epoch)
    FROM cafe24._demo_events(cfg);
    GET DIAGNOSTICS n = ROW_COUNT; table_name := 'behaviour_event'; rows := n; RETURN NEXT;
    RAISE DEBUG 'generate_demo_data: % rows into behaviour_event after % s', n, round(extract(epoch FROM clock_timestamp() - t0), 2);

    FOR i IN 1 .. coalesce(array_length(restore, 1), 0) LOOP
        EXECUTE restore[i];   -- primary and unique keys, foreign keys, then plain indexes
    END LOOP;
    RAISE DEBUG 'generate_demo_data: keys and indexes restored after % s', round(extract(epoch FROM clock_timestamp() - t0), 2);
    ALTER TABLE cafe24.order_line ENABLE TRIGGER zz_kpis_insert;
    ALTER TABLE cafe24.behaviour_event ENABLE TRIGGER zz_kpis_insert;
    PERFORM cafe24.rebuild_kpis();
    RAISE DEBUG 'generate_demo_data: KPI facts counted after % s', round(extract(epoch FROM clock_timestamp() - t0), 2);
    -- Keep identity columns ahead of the explicit keys used above.
    PERFORM setval(pg_get_serial_sequence('cafe24.product', 'product_id'), greatest(max(product_id), 1)) FROM cafe24.product;
    PERFORM setval(pg_get_serial_sequence('cafe24.customer', 'customer_id'), greatest(max(customer_id), 1)) FROM cafe24.customer;
END $$;
COMMENT ON FUNCTION cafe24.generate_demo_data(bigint, integer, integer, integer, integer, date, double precision, boolean) IS
'Fills the star schema with a deterministic demo mall (same arguments, same data): bilingual catalog, '
'heterogeneous customers, orders with weekly and yearly seasonality and Korean peaks (Seollal, Chuseok, 11.11, '
'Black Friday), promotions, stockouts, intermittent long-tail demand, funnels, cancellations and returns. '
'About 10 order lines per customer over two years. Refuses to overwrite data unless replace => true.';

COMMENT ON FUNCTION cafe24._demo_shops(jsonb) IS 'Internal row source of generate_demo_data.';
COMMENT ON FUNCTION cafe24._demo_products(jsonb) IS 'Internal row source of generate_demo_data.';
COMMENT ON FUNCTION cafe24._demo_customers(jsonb) IS 'Internal row source of generate_demo_data.';
COMMENT ON FUNCTION cafe24._demo_order_lines(jsonb) IS 'Internal row source of generate_demo_data.';
COMMENT ON FUNCTION cafe24._demo_inventory(jsonb) IS 'Internal row source of generate_demo_data.';
COMMENT ON FUNCTION cafe24._demo_events(jsonb) IS 'Internal row source of generate_demo_data.';

-- ---------------------------------------------------------------------------
-- Forecasting
-- ---------------------------------------------------------------------------

-- One series per key, one value per period from the key's first period to the last
-- complete period of the whole source; periods without sales count as 0. Rows with a
-- NULL key or date are left out.
-- A caller's source as a query: query text (starting with SELECT, WITH, VALUES or TABLE)
-- as given, otherwise a table or view name, resolved as a regclass and quoted.
CREATE FUNCTION cafe24._source_query(source text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN source ~* '^\s*(select|with|values|table)\M' THEN source
                ELSE format('SELECT * FROM %s', source::regclass) END
$$;
COMMENT ON FUNCTION cafe24._source_query(text) IS 'Internal: a source argument (query text or relation name) as query text.';

-- Whole periods (day, week or month) from period start a to period start b.
CREATE FUNCTION cafe24._periods_between(grain text, a date, b date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE grain WHEN 'day' THEN b - a WHEN 'week' THEN (b - a) / 7
           ELSE ((extract(year FROM b) - extract(year FROM a)) * 12 + extract(month FROM b) - extract(month FROM a))::integer END
$$;
COMMENT ON FUNCTION cafe24._periods_between(text, date, date) IS 'Internal: whole periods between two period starts.';

CREATE FUNCTION cafe24._sales_series(p_grain text, p_by text, p_measure text, p_source text)
RETURNS TABLE (series_key text, last_ds date, periods integer, offsets integer[], y float8[])
LANGUAGE plpgsql STABLE AS $$
DECLARE
    src text;
    key_expr text;
    y_expr text;
BEGIN
    IF p_grain IS NULL OR p_grain NOT IN ('day', 'week', 'month') THEN
        RAISE EXCEPTION 'grain: unknown grain "%"', p_grain
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use day, week or month.';
    END IF;
    IF p_source IS NULL THEN
        key_expr := CASE p_by WHEN 'total' THEN '''total''' WHEN 'shop' THEN 'd.shop_no::text'
                              WHEN 'category' THEN 'p.category' WHEN 'product' THEN 'p.variant_code' END;
        y_expr := CASE p_measure WHEN 'revenue' THEN 'd.net_amount' WHEN 'units' THEN 'd.sold_units' END;
        IF key_expr IS NULL THEN
            RAISE EXCEPTION 'by: unknown grouping "%"', p_by
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Use total, shop, category or product.';
        END IF;
        IF y_expr IS NULL THEN
            RAISE EXCEPTION 'measure: unknown measure "%"', p_measure
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Use revenue (net amount) or units.';
        END IF;
        -- Today (in each shop's time zone) is not over: its sales are left out.
        src := format('SELECT %s AS series_key, d.day AS ds, %s::float8 AS y
                       FROM cafe24.sales_daily AS d JOIN cafe24.product AS p USING (product_id) JOIN cafe24.shop AS sh USING (shop_no)
                       WHERE d.day < (now() AT TIME ZONE sh.timezone)::date', key_expr, y_expr);
    ELSE
        src := format('SELECT series_key::text AS series_key, ds::date AS ds, y::float8 AS y FROM (%s) AS src',
                      cafe24._source_query(p_source));
    END IF;
    -- Sparse per key: the offsets (in periods from the key's first period) of the periods
    -- with data and their sums; the reader fills the gaps with zeros. One pass over the
    -- source (the last complete period comes from the grouped rows) and no window: the
    -- positions are counted back from the last period, then turned around per key.
    RETURN QUERY EXECUTE format($q$
        WITH s AS (SELECT r.series_key, date_trunc(%2$L, r.ds::timestamp)::date AS ds, sum(r.y) AS y, max(r.ds) AS last_day
                   FROM (%1$s) AS r WHERE r.ds IS NOT NULL AND r.series_key IS NOT NULL GROUP BY 1, 2),
        lim AS (SELECT CASE WHEN max(s.last_day) + 1 >= (date_trunc(%2$L, max(s.last_day)::timestamp) + %3$L::interval)::date
                            THEN date_trunc(%2$L, max(s.last_day)::timestamp)::date
                            ELSE (date_trunc(%2$L, max(s.last_day)::timestamp) - %3$L::interval)::date END AS last_ds
                FROM s),
        g AS (SELECT s.series_key, lim.last_ds, cafe24._periods_between(%2$L, min(s.ds), lim.last_ds) + 1 AS periods,
                     array_agg(cafe24._periods_between(%2$L, s.ds, lim.last_ds) ORDER BY s.ds) AS back, array_agg(s.y ORDER BY s.ds) AS y
              FROM s CROSS JOIN lim WHERE s.ds <= lim.last_ds
              GROUP BY s.series_key, lim.last_ds)
        SELECT g.series_key, g.last_ds, g.periods, ARRAY(SELECT g.periods - 1 - b FROM unnest(g.back) WITH ORDINALITY AS x(b, i) ORDER BY i), g.y
        FROM g ORDER BY g.series_key$q$, src, p_grain, '1 ' || p_grain);
EXCEPTION
    WHEN undefined_column OR undefined_table OR syntax_error OR datatype_mismatch OR invalid_text_representation THEN
        RAISE EXCEPTION 'source: %', SQLERRM
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass a table, view or query yielding columns series_key, ds (date or timestamp) and y (number).';
END $$;
COMMENT ON FUNCTION cafe24._sales_series(text, text, text, text) IS 'Internal: the gap-filled series behind forecast_sales and backtest_forecast.';

COMMENT ON FUNCTION cafe24.forecast(double precision[], integer, integer[], text, double precision[]) IS
'Forecasts one series given as an array (oldest first): one row per future step with yhat, lower[i]/upper[i] '
'for levels[i], and the model used. Models: auto (rolling-origin backtest of the candidates, lowest MASE), '
'seasonal_naive, ets (AutoETS), mstl (MSTL + AutoETS), croston (TSB). season_lengths NULL detects them.';
COMMENT ON FUNCTION cafe24.forecast_sales(integer, text, text, text, text, text, double precision[], text) IS
'Forecasts sales per series (by total, shop, category or product; grain day, week or month) from the star '
'schema, or from a source table/query yielding (series_key, ds, y [, price, promo]). Days without sales count '
'as 0; the last incomplete period is left out. model_name forecasts from a model saved by train_forecast_model '
'without refitting. One row per series and future period.';
COMMENT ON FUNCTION cafe24.train_forecast_model(text, integer, text, text, text, text, text, double precision[], boolean) IS
'Chooses and scores a model per series now (backtest MASE, sMAPE, RMSE, bias, interval coverage) and saves it '
'in cafe24.forecast_model / forecast_model_series, the global model as a checksummed binary, so that '
'forecast_sales(model_name => ...) forecasts without refitting. Private to its owner.';
COMMENT ON FUNCTION cafe24.drop_forecast_model(text, boolean) IS
'Deletes a saved forecast model you own and its per-series rows; if_exists => true makes a missing one a no-op. '
'Returns whether one was deleted.';
COMMENT ON FUNCTION cafe24.backtest_forecast(integer, text, text, text, text, text, integer, double precision[]) IS
'Rolling-origin evaluation per series and model: MASE (below 1 beats seasonal naive), sMAPE, RMSE, bias and '
'the share of actuals inside each interval, so a forecast can be judged before it is trusted.';

-- ---------------------------------------------------------------------------
-- Inventory and margins
-- ---------------------------------------------------------------------------

-- Per product: stock at the end of p_as_of (NULL: the latest snapshot day), revenue over
-- the p_days days ending then, and the units sold over the p_series_days (at least p_days)
-- ending then as sparse (offset from that window's first day, units) arrays, with the
-- offsets of the days in that window that ended out of stock (on_hand 0 in the snapshot).
CREATE FUNCTION cafe24._inventory_inputs(p_as_of date, p_days integer, p_series_days integer)
RETURNS TABLE (product_id bigint, variant_code text, name text, unit_cost float8, price float8,
               lead_time_days integer, on_hand integer, on_order integer, revenue float8,
               offsets integer[], units float8[], as_of date, stockout_offsets integer[])
-- PL/pgSQL, not SQL: Citus refuses parameterized SQL functions that read distributed tables.
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH cutoff AS (
        SELECT coalesce(p_as_of, (SELECT max(day) FROM cafe24.inventory_snapshot),
                        (SELECT max(day) FROM cafe24.sales_daily), current_date) AS day
    ),
    sold AS (
        SELECT d.product_id, d.day - (c.day - p_series_days + 1) AS off, sum(d.sold_units)::float8 AS u,
               sum(d.net_amount) FILTER (WHERE d.day > c.day - p_days)::float8 AS rev
        FROM cafe24.sales_daily AS d, cutoff AS c
        WHERE d.day > c.day - p_series_days AND d.day <= c.day
        GROUP BY 1, 2
    ),
    per_product AS (
        SELECT s.product_id, array_agg(s.off ORDER BY s.off) AS offsets,
               array_agg(s.u ORDER BY s.off) AS units, sum(s.rev) AS revenue
        FROM sold AS s GROUP BY 1
    ),
    stocked_out AS (
        SELECT i.product_id, array_agg(i.day - (c.day - p_series_days + 1) ORDER BY i.day) AS offsets
        FROM cafe24.inventory_snapshot AS i, cutoff AS c
        WHERE i.day > c.day - p_series_days AND i.day <= c.day AND i.on_hand <= 0
        GROUP BY 1
    )
    SELECT p.product_id, p.variant_code, p.name, p.unit_cost::float8, p.price::float8, p.lead_time_days,
           coalesce(inv.on_hand, 0), coalesce(inv.on_order, 0), coalesce(pp.revenue, 0),
           coalesce(pp.offsets, '{}'), coalesce(pp.units, '{}'), c.day, coalesce(so.offsets, '{}')
    FROM cafe24.product AS p
    CROSS JOIN cutoff AS c
    LEFT JOIN per_product AS pp ON pp.product_id = p.product_id
    LEFT JOIN stocked_out AS so ON so.product_id = p.product_id
    LEFT JOIN LATERAL (
        SELECT i.on_hand, i.on_order FROM cafe24.inventory_snapshot AS i
        WHERE i.product_id = p.product_id AND i.day <= c.day
        ORDER BY i.day DESC LIMIT 1
    ) AS inv ON true
    ORDER BY p.product_id;
END $$;
COMMENT ON FUNCTION cafe24._inventory_inputs(date, integer, integer) IS 'Internal: per-product stock and sales history behind optimize_inventory and simulate_inventory_policy.';

COMMENT ON FUNCTION cafe24.optimize_inventory(double precision, integer, double precision, double precision, date, integer, double precision, double precision, text) IS
'Per product: demand statistics, safety stock, reorder point, EOQ, quantity to order now, days of cover, stockout risk, '
'excess stock value, ABC (revenue) and XYZ (demand variability) classes and a reason in words, for a cycle service level '
'(or a fill rate) under continuous review, or periodic review every review_period_days; demand from smoothing with '
'Korean retail events (gifting, lunar holidays, 11.11, Black Friday, Christmas) planned ahead and its measured error. demand_model takes lead-time '
'demand and its error from a saved forecast model (train_forecast_model) instead of the history.';
COMMENT ON FUNCTION cafe24.simulate_inventory_policy(date, date, text, double precision, integer, double precision, double precision, integer) IS
'Replays the daily demand between from_date and to_date against a policy (recommended: re-planned daily with retail '
'events planned ahead; smoothed or history_mean: weekly without events; or naive) and against the naive baseline (reorder the last 30 days of demand when stock falls below it), '
'per product and in total (variant_code TOTAL): fill rate, stockout days, average inventory value, total cost.';

CREATE FUNCTION cafe24.profit_margins(
    by text DEFAULT 'category',
    from_date date DEFAULT NULL,
    to_date date DEFAULT NULL,
    compare_to text DEFAULT 'previous_period')
RETURNS TABLE (key text, revenue numeric, discounts numeric, cost_of_goods numeric, gross_profit numeric,
               margin_pct numeric, profit_share_pct numeric, previous_gross_profit numeric,
               profit_change_pct numeric, pareto_rank integer, cumulative_profit_share_pct numeric,
               makes_80_pct boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    -- The key, from the product (p) or from the daily row (b.dk, computed per row below).
    key_expr text := CASE by WHEN 'product' THEN 'p.variant_code' WHEN 'category' THEN 'p.category'
                             WHEN 'brand' THEN 'coalesce(p.brand, ''(none)'')' WHEN 'shop' THEN 'b.dk'
                             WHEN 'month' THEN 'b.dk' END;
    -- Per daily row: the shop, or the month a row counts in (a previous-period row counts in
    -- the month it is compared with, so months line up with their own comparison).
    row_key text := CASE by WHEN 'shop' THEN 'd.shop_no::text'
                            WHEN 'month' THEN 'to_char(CASE WHEN cur THEN d.day ELSE (d.day + $3::interval)::date END, ''YYYY-MM'')'
                            ELSE 'NULL::text' END;
    lo date;
    hi date;
    shift interval;
BEGIN
    IF key_expr IS NULL THEN
        RAISE EXCEPTION 'profit_margins: by: unknown grouping "%"', by
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use product, category, brand, shop or month.';
    END IF;
    hi := coalesce(to_date, (SELECT max(day) FROM cafe24.sales_daily), current_date);
    lo := coalesce(from_date, (date_trunc('month', hi) - interval '11 months')::date);
    IF lo > hi THEN
        RAISE EXCEPTION 'profit_margins: from_date % is after to_date %', lo, hi
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass from_date on or before to_date.';
    END IF;
    shift := CASE compare_to WHEN 'previous_period' THEN ((hi - lo + 1) || ' days')::interval
                             WHEN 'previous_year' THEN interval '1 year' END;
    IF compare_to IS NOT NULL AND shift IS NULL THEN
        RAISE EXCEPTION 'profit_margins: compare_to: unknown comparison "%"', compare_to
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use previous_period, previous_year or NULL.';
    END IF;
    -- One pass over the daily rows of both periods, aggregated by product id (and shop or
    -- month) before the product is joined: the join and the text key then see one row per
    -- product, not one per product-day. A day in both periods (previous_year over more
    -- than a year) counts in each.
    RETURN QUERY EXECUTE format($q$
        WITH days AS (
            SELECT d.*, true AS cur FROM cafe24.sales_daily AS d WHERE d.day BETWEEN $1 AND $2
            UNION ALL
            SELECT d.*, false FROM cafe24.sales_daily AS d
            WHERE $3::interval IS NOT NULL AND d.day BETWEEN ($1 - $3::interval)::date AND ($2 - $3::interval)::date
        ),
        b AS (
            SELECT d.product_id, %2$s AS dk,
                   sum(d.net_amount) FILTER (WHERE cur) AS revenue, sum(d.discount_amount) FILTER (WHERE cur) AS discounts,
                   sum(d.cost_amount) FILTER (WHERE cur) AS cogs, sum(d.net_amount - d.cost_amount) FILTER (WHERE NOT cur) AS prev_gp
            FROM days AS d GROUP BY 1, 2
        ),
        k AS (
            SELECT %1$s AS k, sum(b.revenue) AS revenue, sum(b.discounts) AS discounts, sum(b.cogs) AS cogs,
                   sum(b.prev_gp) AS prev_gp
            FROM b JOIN cafe24.product AS p USING (product_id)
            GROUP BY 1 HAVING count(b.revenue) > 0
        ),
        r AS (
            SELECT k.*, k.revenue - k.cogs AS gp,
                   sum(k.revenue - k.cogs) OVER () AS total_gp,
                   row_number() OVER (ORDER BY k.revenue - k.cogs DESC, k.k) AS rnk,
                   sum(k.revenue - k.cogs) OVER (ORDER BY k.revenue - k.cogs DESC, k.k) AS cum_gp
            FROM k
        )
        SELECT k, revenue, discounts, cogs, gp,
               round(100 * gp / nullif(revenue, 0), 2),
               round(100 * gp / nullif(total_gp, 0), 2),
               prev_gp,
               round(100 * (gp / nullif(prev_gp, 0) - 1), 2),
               rnk::integer,
               round(100 * cum_gp / nullif(total_gp, 0), 2),
               coalesce(cum_gp - gp < 0.8 * total_gp, false)
        FROM r ORDER BY rnk$q$, key_expr, row_key)
    USING lo, hi, shift;
END $$;
COMMENT ON FUNCTION cafe24.profit_margins(text, date, date, text) IS
'Revenue, discounts, cost of goods, gross profit, margin %, share of profit, change versus the previous period or year, '
'and Pareto rank (makes_80_pct: the fewest keys that make 80 % of gross profit), by product, category, brand, shop or month. '
'By month, each month is compared with the days it shifts from (the same month a year earlier for previous_year). '
'Defaults: the last 12 months of data.';

COMMENT ON FUNCTION cafe24.seasonal_trends(text, text, text, text, integer[]) IS
'Per series and period: value, robust MSTL trend / seasonal / remainder, anomaly score and flag (|robust z| > 3.5), '
'changepoint flag (PELT), and the season lengths used.';
COMMENT ON FUNCTION cafe24.seasonal_indices(text, text, text, text) IS
'Per series: weekday and month seasonal indices (mean of value / trend per bucket, normalised to 1).';
COMMENT ON FUNCTION cafe24.yoy_growth(text, text, text, text) IS
'Per series and complete month: total, the same month a year earlier, and growth in percent.';

-- ---------------------------------------------------------------------------
-- Customer behaviour
-- ---------------------------------------------------------------------------

-- SQL text yielding (customer_key text, ordered_at timestamptz, amount float8): orders of
-- members from the star schema (sold lines, net of discounts), or the caller's source.
CREATE FUNCTION cafe24._customer_transactions(p_source text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_source IS NULL THEN
        RETURN $s$
            SELECT l.customer_id::text AS customer_key, min(l.ordered_at) AS ordered_at,
                   sum(l.quantity * l.unit_price - l.discount)::float8 AS amount
            FROM cafe24.order_line AS l
            WHERE l.customer_id IS NOT NULL AND l.status NOT IN ('cancelled', 'returned')
            GROUP BY l.customer_id, l.order_id$s$;
    END IF;
    RETURN format('SELECT customer_id::text AS customer_key, ordered_at::timestamptz AS ordered_at, amount::float8 AS amount FROM (%s) AS src',
                  cafe24._source_query(p_source));
END $$;
COMMENT ON FUNCTION cafe24._customer_transactions(text) IS 'Internal: the transactions behind the customer analytics.';

-- Per customer: purchase days up to p_as_of, in days since 1970 (the unit the models use).
-- Every customer's lines are read, so a sort of the lines by customer wins over walking
-- the customer index through a table not in customer order (17 s against 63 s at 10 M lines):
-- index scans are off inside this function (bitmap scans stay on for narrow sources).
CREATE FUNCTION cafe24._customer_summaries(p_as_of timestamptz, p_source text)
RETURNS TABLE (customer_key text, first_day float8, last_day float8, purchase_days bigint,
               total_amount float8, mean_amount float8, end_day float8)
LANGUAGE plpgsql STABLE SET enable_indexscan = off AS $$
DECLARE
    as_of timestamptz := coalesce(p_as_of, now());
BEGIN
    IF p_source IS NULL THEN
        -- The star schema: the lines of an order share its time, so one pass over the lines
        -- grouped by customer gives everything (the mean per purchase day is the total over
        -- the purchase days), sorted by id.
        RETURN QUERY
        SELECT l.customer_id::text, extract(epoch FROM date_trunc('day', min(l.ordered_at)))::float8 / 86400,
               extract(epoch FROM date_trunc('day', max(l.ordered_at)))::float8 / 86400,
               count(DISTINCT date_trunc('day', l.ordered_at)),
               sum(l.quantity * l.unit_price - l.discount)::float8,
               sum(l.quantity * l.unit_price - l.discount)::float8 / count(DISTINCT date_trunc('day', l.ordered_at)),
               extract(epoch FROM as_of)::float8 / 86400
        FROM cafe24.order_line AS l
        WHERE l.customer_id IS NOT NULL AND l.status NOT IN ('cancelled', 'returned') AND l.ordered_at <= as_of
        GROUP BY l.customer_id ORDER BY l.customer_id;
        RETURN;
    END IF;
    RETURN QUERY EXECUTE format($q$
        WITH d AS (
            SELECT t.customer_key, date_trunc('day', t.ordered_at) AS day, sum(t.amount) AS amount
            FROM (%s) AS t WHERE t.ordered_at <= $1 AND t.customer_key IS NOT NULL GROUP BY 1, 2
        )
        SELECT d.customer_key, extract(epoch FROM min(d.day))::float8 / 86400, extract(epoch FROM max(d.day))::float8 / 86400,
               count(*), sum(d.amount), avg(d.amount), extract(epoch FROM $1)::float8 / 86400
        FROM d GROUP BY 1 ORDER BY 1$q$, cafe24._customer_transactions(p_source))
    USING as_of;
EXCEPTION
    WHEN undefined_column OR undefined_table OR syntax_error OR datatype_mismatch OR invalid_text_representation THEN
        RAISE EXCEPTION 'source: %', SQLERRM
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass a table, view or query yielding columns customer_id, ordered_at (timestamp) and amount (number).';
END $$;
COMMENT ON FUNCTION cafe24._customer_summaries(timestamptz, text) IS 'Internal: per-customer purchase summaries behind segment_customers and customer_lifetime_value.';

CREATE FUNCTION cafe24._holdout_purchases(p_start timestamptz, p_days integer, p_source text)
RETURNS TABLE (customer_key text, purchase_days bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT t.customer_key, count(DISTINCT date_trunc('day', t.ordered_at))
        FROM (%s) AS t WHERE t.ordered_at > $1 AND t.ordered_at <= $1 + make_interval(days => $2)
        GROUP BY 1$q$, cafe24._customer_transactions(p_source))
    USING p_start, p_days;
END $$;
COMMENT ON FUNCTION cafe24._holdout_purchases(timestamptz, integer, text) IS 'Internal: purchase days per customer in an evaluation holdout.';

COMMENT ON FUNCTION cafe24.segment_customers(timestamptz, integer, text, text, bigint) IS
'Per customer: recency (days), frequency (purchase days), monetary (total), R/F/M scores 1-5, segment id and label '
'(Champions, Loyal, Potential loyalists, New, At risk, Can''t lose, Hibernating, Lost), distance to the centroid. '
'k-means on standardised (recency, frequency, ln(1+monetary)), k by silhouette when NULL; or method => ''quantile''.';
COMMENT ON FUNCTION cafe24.segment_summary(timestamptz, integer, text, text, bigint) IS
'Per segment of segment_customers: customers, share of revenue, member means (the centroid) of R, F, M and their scores, label.';
COMMENT ON FUNCTION cafe24.customer_lifetime_value(integer, timestamptz, text, double precision, double precision) IS
'Per customer: BG/NBD expected purchases over horizon_days and probability alive, Gamma-Gamma expected order value, and '
'discounted CLV (margin × value × purchases, discounted monthly at the annual discount_rate).';
COMMENT ON FUNCTION cafe24.evaluate_lifetime_value(timestamptz, integer, text) IS
'Fits BG/NBD on purchases up to calibration_end and compares predicted with actual purchase days in the next holdout_days, '
'per calibration repeat-purchase count and in total.';

CREATE FUNCTION cafe24.cohort_retention(grain text DEFAULT 'month', source text DEFAULT NULL)
RETURNS TABLE (cohort date, period integer, customers bigint, cohort_size bigint, retention_pct numeric, revenue numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF grain IS NULL OR grain NOT IN ('week', 'month') THEN
        RAISE EXCEPTION 'cohort_retention: grain: unknown grain "%"', grain
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use week or month.';
    END IF;
    RETURN QUERY EXECUTE format($q$
        WITH t AS (SELECT customer_key, date_trunc(%1$L, ordered_at)::date AS p, amount FROM (%2$s) AS x),
        first AS (SELECT customer_key, min(p) AS cohort FROM t GROUP BY 1),
        act AS (
            SELECT f.cohort,
                   CASE %1$L WHEN 'month' THEN ((extract(year FROM t.p) - extract(year FROM f.cohort)) * 12
                                                + extract(month FROM t.p) - extract(month FROM f.cohort))::int
                             ELSE ((t.p - f.cohort) / 7)::int END AS period,
                   count(DISTINCT t.customer_key) AS customers, sum(t.amount)::numeric AS revenue
            FROM t JOIN first AS f USING (customer_key) GROUP BY 1, 2
        )
        SELECT a.cohort, a.period, a.customers, s.customers AS cohort_size,
               round(100.0 * a.customers / s.customers, 2), round(a.revenue, 2)
        FROM act AS a JOIN act AS s ON s.cohort = a.cohort AND s.period = 0
        ORDER BY 1, 2$q$, grain, cafe24._customer_transactions(source));
END $$;
COMMENT ON FUNCTION cafe24.cohort_retention(text, text) IS
'Cohorts by first purchase week or month: per cohort and period since, customers active, cohort size, retention %, revenue.';

CREATE FUNCTION cafe24.repeat_purchase_rate(grain text DEFAULT 'month', source text DEFAULT NULL)
RETURNS TABLE (period date, customers bigint, new_customers bigint, returning_customers bigint, repeat_rate_pct numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF grain IS NULL OR grain NOT IN ('week', 'month') THEN
        RAISE EXCEPTION 'repeat_purchase_rate: grain: unknown grain "%"', grain
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use week or month.';
    END IF;
    RETURN QUERY EXECUTE format($q$
        WITH t AS (SELECT DISTINCT customer_key, date_trunc(%1$L, ordered_at)::date AS p FROM (%2$s) AS x),
        first AS (SELECT customer_key, min(p) AS p0 FROM t GROUP BY 1)
        SELECT t.p, count(*), count(*) FILTER (WHERE t.p = f.p0), count(*) FILTER (WHERE t.p > f.p0),
               round(100.0 * count(*) FILTER (WHERE t.p > f.p0) / count(*), 2)
        FROM t JOIN first AS f USING (customer_key) GROUP BY 1 ORDER BY 1$q$, grain, cafe24._customer_transactions(source));
END $$;
COMMENT ON FUNCTION cafe24.repeat_purchase_rate(text, text) IS
'Per week or month: active customers, new ones (first purchase in the period), returning ones, and the returning share.';

CREATE FUNCTION cafe24.funnel(
    steps text[] DEFAULT '{view,cart,checkout,purchase}',
    within interval DEFAULT '1 day',
    by text DEFAULT NULL,
    from_time timestamptz DEFAULT NULL,
    to_time timestamptz DEFAULT NULL)
RETURNS TABLE (group_key text, step integer, event_type text, entered bigint, converted bigint,
               conversion_pct numeric, median_time_to_next interval)
-- The step CTEs are estimated at one row each, so the planner would nest loops over
-- sessions (0.35 s for one demo day); hash joins do it in 18 ms. A lossy BRIN range
-- costs the event scan past jit_above_cost: compiling took 2 s of a 0.1 s day at 49 M events.
LANGUAGE plpgsql STABLE SET enable_nestloop = off SET jit = off AS $$
DECLARE
    n integer := coalesce(cardinality(steps), 0);
    key_expr text := CASE coalesce(by, 'total') WHEN 'total' THEN '''total''' WHEN 'shop' THEN 'e.shop_no::text'
                                                WHEN 'category' THEN 'p.category' END;
    ctes text := '';
    sel text := '';
BEGIN
    IF n > 16 THEN
        RAISE EXCEPTION 'funnel: steps has % elements; at most 16 are allowed', n
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the event types in order, e.g. ''{view,cart,checkout,purchase}''.';
    END IF;
    IF n < 2 THEN
        RAISE EXCEPTION 'funnel: steps: % needs at least two steps', steps
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the event types in order, e.g. ''{view,cart,checkout,purchase}''.';
    END IF;
    IF EXISTS (SELECT FROM unnest(steps) AS s WHERE s IS NULL OR s NOT IN ('view', 'cart', 'checkout', 'purchase')) THEN
        RAISE EXCEPTION 'funnel: steps: % contains an unknown event type', steps
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Event types are view, cart, checkout and purchase.';
    END IF;
    IF within IS NULL OR within <= interval '0' THEN
        RAISE EXCEPTION 'funnel: within: % must be a positive interval', within
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass how long a session may take from the first step, e.g. ''1 day''.';
    END IF;
    IF key_expr IS NULL THEN
        RAISE EXCEPTION 'funnel: by: unknown grouping "%"', by
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use NULL (total), shop or category (of the first step''s product).';
    END IF;
    -- s1: first occurrence of step 1 per session; s<k>: first step k at or after step k-1,
    -- within the window from step 1. Events out of order are handled by the time condition.
    ctes := format($c$ev AS (SELECT * FROM cafe24.behaviour_event
                             WHERE ($3::timestamptz IS NULL OR occurred_at >= $3) AND ($4::timestamptz IS NULL OR occurred_at < $4)),
        s1 AS (SELECT DISTINCT ON (e.session_id) e.session_id, %s AS g, e.occurred_at AS t0, e.occurred_at AS t
               FROM ev AS e JOIN cafe24.product AS p USING (product_id)
               WHERE e.event_type = $1[1] ORDER BY e.session_id, e.occurred_at)$c$, key_expr);
    FOR k IN 2 .. n LOOP
        ctes := ctes || format($c$,
        s%1$s AS (SELECT prev.session_id, prev.g, prev.t0, min(e.occurred_at) AS t
                  FROM s%2$s AS prev JOIN ev AS e USING (session_id)
                  WHERE e.event_type = $1[%1$s] AND e.occurred_at >= prev.t AND e.occurred_at <= prev.t0 + $2
                  GROUP BY 1, 2, 3)$c$, k, k - 1);
    END LOOP;
    FOR k IN 1 .. n LOOP
        sel := sel || CASE WHEN k > 1 THEN ' UNION ALL ' ELSE '' END || format($c$
        SELECT a.g, %1$s, $1[%1$s], count(*), %2$s, %3$s
        FROM s%1$s AS a %4$s GROUP BY a.g$c$, k,
            CASE WHEN k < n THEN 'count(b.session_id)' ELSE 'NULL::bigint' END,
            CASE WHEN k < n THEN 'percentile_cont(0.5) WITHIN GROUP (ORDER BY b.t - a.t)' ELSE 'NULL::interval' END,
            CASE WHEN k < n THEN format('LEFT JOIN s%s AS b USING (session_id)', k + 1) ELSE '' END);
    END LOOP;
    RETURN QUERY EXECUTE format($q$
        WITH %s
        SELECT g, k::integer, et, entered, converted, round(100.0 * converted / nullif(entered, 0), 2), med
        FROM (%s) AS r(g, k, et, entered, converted, med) ORDER BY g, k$q$, ctes, sel)
    USING steps, within, from_time, to_time;
END $$;
COMMENT ON FUNCTION cafe24.funnel(text[], interval, text, timestamptz, timestamptz) IS
'Per step of a funnel over behaviour_event sessions: sessions that entered it, converted to the next step (in order, '
'within the window from the first step), conversion %, and the median time to the next step; optionally by shop or category.';

CREATE FUNCTION cafe24.product_affinity(min_support double precision DEFAULT 0.001, min_lift double precision DEFAULT 1.0,
                                        from_date date DEFAULT NULL, to_date date DEFAULT NULL)
RETURNS TABLE (product text, with_product text, orders_together bigint, support numeric, confidence numeric, lift numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF min_support IS NULL OR NOT (min_support > 0 AND min_support <= 1) THEN
        RAISE EXCEPTION 'product_affinity: min_support = % is out of range: allowed above 0 up to 1', min_support
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the share of orders a pair must appear in, e.g. 0.001.';
    END IF;
    RETURN QUERY
    WITH o AS (
        SELECT DISTINCT l.order_id, l.product_id FROM cafe24.order_line AS l
        WHERE l.status NOT IN ('cancelled')
          AND (from_date IS NULL OR l.ordered_at >= from_date) AND (to_date IS NULL OR l.ordered_at < to_date + 1)
    ),
    n AS (SELECT count(DISTINCT order_id)::numeric AS orders FROM o),
    single AS (SELECT product_id, count(*) AS c FROM o GROUP BY 1),
    pair AS (
        SELECT a.product_id AS pa, b.product_id AS pb, count(*) AS c
        FROM o AS a JOIN o AS b ON a.order_id = b.order_id AND a.product_id <> b.product_id
        GROUP BY 1, 2 HAVING count(*) >= min_support * (SELECT orders FROM n)
    )
    SELECT p1.variant_code, p2.variant_code, pair.c,
           round(pair.c / n.orders, 6), round(pair.c::numeric / sa.c, 6),
           round(pair.c * n.orders / (sa.c * sb.c), 4)
    FROM pair CROSS JOIN n
    JOIN single AS sa ON sa.product_id = pair.pa JOIN single AS sb ON sb.product_id = pair.pb
    JOIN cafe24.product AS p1 ON p1.product_id = pair.pa JOIN cafe24.product AS p2 ON p2.product_id = pair.pb
    WHERE pair.c * n.orders / (sa.c * sb.c) >= min_lift
    ORDER BY 6 DESC, 3 DESC, 1, 2;
END $$;
COMMENT ON FUNCTION cafe24.product_affinity(double precision, double precision, date, date) IS
'Products bought together: per ordered pair (product, with_product), orders containing both, support (share of orders), '
'confidence (share of product''s orders that also hold with_product) and lift (above 1: bought together more than by chance).';

-- Reports --------------------------------------------------------------------------------

COMMENT ON FUNCTION cafe24.create_report(text, jsonb, boolean) IS
'Checks a report spec (JSON paths in errors, parameter types, every section query planned against the database, named columns) and stores it in cafe24.report; replace => true replaces an existing one.';
COMMENT ON FUNCTION cafe24.drop_report(text, boolean) IS
'Deletes a report you own; if_exists => true makes a missing report a no-op. Returns whether a report was deleted.';
COMMENT ON FUNCTION cafe24.render_report(text, text, jsonb, boolean) IS
'Renders a report to pdf, xlsx, csv (a zip when it has several sections; csv_bom => true for Excel), html or json and returns the bytes. '
'Sections of your own reports and the templates run with your rights, those of a report another role shared with its owner''s (as a view); params reach the queries as bound parameters.';
COMMENT ON FUNCTION cafe24.export_report(text, text, jsonb, text, boolean, boolean, boolean) IS
'Renders a report into a file under cafe24_analytics.report_storage_path (relative file_name; no .., no links; written atomically) '
'and records it in cafe24.report_output (keep_content => true also stores the bytes there); overwrite => true replaces only your own files. Not granted to PUBLIC: GRANT EXECUTE to roles that may write files.';
REVOKE ALL ON FUNCTION cafe24.export_report(text, text, jsonb, text, boolean, boolean, boolean) FROM PUBLIC;
COMMENT ON FUNCTION cafe24.http_call(text, text, jsonb) IS
'The HTTP server''s entry point: runs public function cafe24.<function> with args (a JSON object keyed by parameter name) as the role of API key token, sandboxed (no role change, no temporary objects, settings undone), and returns its result as JSON. Not granted to PUBLIC (docs/server.md).';
COMMENT ON FUNCTION cafe24.http_call_bytes(text, text, jsonb) IS
'http_call for the functions that return bytea (render_report, render_dashboard). Not granted to PUBLIC.';
REVOKE ALL ON FUNCTION cafe24.http_call(text, text, jsonb), cafe24.http_call_bytes(text, text, jsonb) FROM PUBLIC;

-- Built-in templates: shared with every role (template = true), owned by the extension owner.
INSERT INTO cafe24.report (name, title, template, spec) VALUES
('monthly_sales', 'Monthly sales', true, $json$
{
  "title": "Monthly sales",
  "description": "Revenue, units and gross margin for one month (default: the last complete month), by day, category and product.",
  "parameters": [
    {"name": "month", "type": "date"},
    {"name": "shop_no", "type": "integer"}
  ],
  "sections": [
    {"title": "Headline", "display": "kpi",
     "query": "WITH m AS (SELECT coalesce(date_trunc('month', $1), date_trunc('month', current_date) - interval '1 month')::date AS start) SELECT coalesce(sum(s.net_amount), 0) AS revenue, coalesce(sum(s.sold_units), 0) AS units, coalesce(sum(s.net_amount - s.cost_amount), 0) AS gross_profit, round(100 * sum(s.net_amount - s.cost_amount) / nullif(sum(s.net_amount), 0), 1) AS margin_pct FROM m LEFT JOIN cafe24.sales_monthly AS s ON s.month = m.start AND ($2 IS NULL OR s.shop_no = $2)",
     "columns": {"revenue": {"label": "Revenue", "format": "currency"}, "units": {"label": "Units", "format": "integer"},
                 "gross_profit": {"label": "Gross profit", "format": "currency"}, "margin_pct": {"label": "Gross margin", "format": "percent"}}},
    {"title": "Revenue by day", "display": "line", "x": "day", "y": ["revenue", "gross_profit"],
     "query": "WITH m AS (SELECT coalesce(date_trunc('month', $1), date_trunc('month', current_date) - interval '1 month')::date AS start) SELECT d.day, sum(d.net_amount) AS revenue, sum(d.net_amount - d.cost_amount) AS gross_profit FROM m JOIN cafe24.sales_daily AS d ON d.day >= m.start AND d.day < m.start + interval '1 month' WHERE $2 IS NULL OR d.shop_no = $2 GROUP BY d.day ORDER BY d.day",
     "columns": {"day": {"label": "Day", "format": "date"}, "revenue": {"label": "Revenue", "format": "currency"}, "gross_profit": {"label": "Gross profit", "format": "currency"}}},
    {"title": "Revenue by category", "display": "bar", "x": "category", "y": ["revenue"],
     "query": "WITH m AS (SELECT coalesce(date_trunc('month', $1), date_trunc('month', current_date) - interval '1 month')::date AS start) SELECT s.category, sum(s.net_amount) AS revenue FROM m JOIN cafe24.sales_monthly AS s ON s.month = m.start WHERE $2 IS NULL OR s.shop_no = $2 GROUP BY s.category ORDER BY revenue DESC",
     "columns": {"category": {"label": "Category"}, "revenue": {"label": "Revenue", "format": "currency"}}},
    {"title": "Category margins", "display": "table",
     "query": "WITH m AS (SELECT coalesce(date_trunc('month', $1), date_trunc('month', current_date) - interval '1 month')::date AS start) SELECT p.key AS category, p.revenue, p.gross_profit, p.margin_pct, p.profit_share_pct, p.profit_change_pct FROM m CROSS JOIN LATERAL cafe24.profit_margins('category', m.start, (m.start + interval '1 month' - interval '1 day')::date, 'previous_period') AS p ORDER BY p.gross_profit DESC",
     "columns": {"category": {"label": "Category"}, "revenue": {"label": "Revenue", "format": "currency"}, "gross_profit": {"label": "Gross profit", "format": "currency"},
                 "margin_pct": {"label": "Margin", "format": "percent"}, "profit_share_pct": {"label": "Share of profit", "format": "percent"},
                 "profit_change_pct": {"label": "Change vs previous month", "format": "percent"}}},
    {"title": "Top 20 products", "display": "table",
     "query": "WITH m AS (SELECT coalesce(date_trunc('month', $1), date_trunc('month', current_date) - interval '1 month')::date AS start) SELECT p.variant_code, p.name, p.category, sum(d.sold_units) AS units, sum(d.net_amount) AS revenue, round(100 * sum(d.net_amount - d.cost_amount) / nullif(sum(d.net_amount), 0), 1) AS margin_pct FROM m JOIN cafe24.sales_daily AS d ON d.day >= m.start AND d.day < m.start + interval '1 month' JOIN cafe24.product AS p USING (product_id) WHERE $2 IS NULL OR d.shop_no = $2 GROUP BY p.product_id ORDER BY revenue DESC, p.variant_code LIMIT 20",
     "columns": {"variant_code": {"label": "Variant"}, "name": {"label": "Product"}, "category": {"label": "Category"}, "units": {"label": "Units", "format": "integer"},
                 "revenue": {"label": "Revenue", "format": "currency"}, "margin_pct": {"label": "Margin", "format": "percent"}}}
  ]
}
$json$),
('inventory_reorder', 'Inventory reorder', true, $json$
{
  "title": "Inventory reorder",
  "description": "What to order now at the target cycle service level, and what is at risk of stocking out (optimize_inventory).",
  "parameters": [{"name": "service_level", "type": "double precision", "default": 0.95}],
  "sections": [
    {"title": "Summary", "display": "kpi",
     "query": "SELECT count(*) FILTER (WHERE order_qty > 0) AS products_to_order, coalesce(sum(order_qty * i.unit_cost) FILTER (WHERE order_qty > 0), 0) AS order_value, count(*) FILTER (WHERE stockout_risk >= 0.5) AS at_risk, coalesce(sum(excess_value), 0) AS excess_value FROM cafe24.optimize_inventory(service_level => coalesce($1, 0.95)) AS o LEFT JOIN LATERAL (SELECT unit_cost FROM cafe24.product WHERE product_id = o.product_id) AS i ON true",
     "columns": {"products_to_order": {"label": "Products to order", "format": "integer"}, "order_value": {"label": "Order value at cost", "format": "currency"},
                 "at_risk": {"label": "Stockout risk ≥ 50%", "format": "integer"}, "excess_value": {"label": "Excess stock value", "format": "currency"}}},
    {"title": "Order now", "display": "table",
     "query": "SELECT variant_code, name, abc_class || xyz_class AS class, on_hand, on_order, round(avg_daily_demand::numeric, 2) AS daily_demand, round(reorder_point::numeric) AS reorder_point, round(order_qty::numeric) AS order_qty, round(days_of_cover::numeric, 1) AS days_of_cover, round(stockout_risk::numeric, 3) AS stockout_risk, reason FROM cafe24.optimize_inventory(service_level => coalesce($1, 0.95)) WHERE order_qty > 0 ORDER BY stockout_risk DESC NULLS LAST, variant_code",
     "columns": {"variant_code": {"label": "Variant"}, "name": {"label": "Product"}, "class": {"label": "ABC/XYZ"}, "on_hand": {"label": "On hand", "format": "integer"},
                 "on_order": {"label": "On order", "format": "integer"}, "daily_demand": {"label": "Daily demand", "format": "number", "decimals": 2},
                 "reorder_point": {"label": "Reorder point", "format": "integer"}, "order_qty": {"label": "Order", "format": "integer"},
                 "days_of_cover": {"label": "Days of cover", "format": "number", "decimals": 1}, "stockout_risk": {"label": "Stockout risk", "format": "ratio"}, "reason": {"label": "Why"}}}
  ]
}
$json$),
('customer_segments', 'Customer segments', true, $json$
{
  "title": "Customer segments",
  "description": "RFM segments by k-means (segment_summary): how many customers each holds and what share of revenue they bring.",
  "parameters": [{"name": "k", "type": "integer"}],
  "sections": [
    {"title": "Customers by segment", "display": "pie", "x": "segment", "y": ["customers"],
     "query": "SELECT segment_label AS segment, customers FROM cafe24.segment_summary(k => $1) ORDER BY segment_id"},
    {"title": "Share of revenue", "display": "bar", "x": "segment", "y": ["revenue_share_pct"],
     "query": "SELECT segment_label AS segment, round(revenue_share_pct::numeric, 1) AS revenue_share_pct FROM cafe24.segment_summary(k => $1) ORDER BY segment_id",
     "columns": {"revenue_share_pct": {"label": "Share of revenue", "format": "percent"}}},
    {"title": "Segments", "display": "table",
     "query": "SELECT segment_id, segment_label, customers, round(revenue_share_pct::numeric, 1) AS revenue_share_pct, round(recency_days::numeric, 1) AS recency_days, round(frequency::numeric, 2) AS frequency, round(monetary::numeric) AS monetary FROM cafe24.segment_summary(k => $1) ORDER BY segment_id",
     "columns": {"segment_id": {"label": "Segment", "format": "integer"}, "segment_label": {"label": "Label"}, "customers": {"label": "Customers", "format": "integer"},
                 "revenue_share_pct": {"label": "Share of revenue", "format": "percent"}, "recency_days": {"label": "Recency (days)", "format": "number", "decimals": 1},
                 "frequency": {"label": "Orders", "format": "number", "decimals": 2}, "monetary": {"label": "Spend", "format": "currency"}}}
  ]
}
$json$),
('forecast', 'Sales forecast', true, $json$
{
  "title": "Sales forecast",
  "description": "Daily revenue forecast for the whole mall with 80% and 95% intervals, and weekly by category (forecast_sales, model chosen by backtest).",
  "parameters": [{"name": "horizon_days", "type": "integer", "default": 28}],
  "sections": [
    {"title": "Daily revenue forecast", "display": "line", "x": "day", "y": ["forecast", "lower_80", "upper_80"],
     "query": "SELECT ds AS day, round(yhat::numeric) AS forecast, round(lower[1]::numeric) AS lower_80, round(upper[1]::numeric) AS upper_80 FROM cafe24.forecast_sales(horizon => coalesce($1, 28), grain => 'day', by => 'total') ORDER BY ds",
     "columns": {"day": {"label": "Day", "format": "date"}, "forecast": {"label": "Forecast", "format": "currency"}, "lower_80": {"label": "80% low", "format": "currency"}, "upper_80": {"label": "80% high", "format": "currency"}}},
    {"title": "Weekly forecast by category", "display": "table",
     "query": "SELECT series_key AS category, ds AS week, round(yhat::numeric) AS forecast, round(lower[2]::numeric) AS lower_95, round(upper[2]::numeric) AS upper_95, model FROM cafe24.forecast_sales(horizon => greatest(1, coalesce($1, 28) / 7), grain => 'week', by => 'category') ORDER BY 1, 2",
     "columns": {"category": {"label": "Category"}, "week": {"label": "Week of", "format": "date"}, "forecast": {"label": "Forecast", "format": "currency"},
                 "lower_95": {"label": "95% low", "format": "currency"}, "upper_95": {"label": "95% high", "format": "currency"}, "model": {"label": "Model"}}}
  ]
}
$json$);

-- Dashboards ------------------------------------------------------------------------------

COMMENT ON FUNCTION cafe24.create_dashboard(text, jsonb, boolean) IS
'Checks a dashboard spec (JSON paths in errors; every widget query planned against the database) and stores it in cafe24.dashboard and cafe24.widget; replace => true replaces an existing one.';
COMMENT ON FUNCTION cafe24.drop_dashboard(text, boolean) IS
'Deletes a dashboard you own and its widgets; if_exists => true makes a missing one a no-op. Returns whether one was deleted.';
COMMENT ON FUNCTION cafe24._widget_data(text, integer, jsonb) IS 'Internal: one widget''s columns and rows (called by dashboard_data, one subtransaction per widget).';
COMMENT ON FUNCTION cafe24.render_dashboard(text, text, jsonb) IS
'A dashboard as one self-contained responsive HTML page (CSS grid, inline SVG charts, KPI tiles with change and sparkline; one column at phone width) or a PDF snapshot.';

-- The default merchant dashboard, shared with every role.
SELECT cafe24.create_dashboard('merchant_overview', $json$
{
  "title": "Merchant overview",
  "description": "Today and this month at a glance: sales KPIs as orders arrive, the last 90 days, the next four weeks, the shopper funnel and the best sellers.",
  "refresh_seconds": 60,
  "parameters": [{"name": "shop_no", "type": "integer"}],
  "widgets": [
    {"title": "Today", "kind": "kpi", "period": "day", "refresh_seconds": 10,
     "kpis": ["revenue", "orders", "average_order_value", "conversion_rate", "gross_margin", "repeat_purchase_rate"],
     "position": {"col": 1, "row": 1, "width": 12, "height": 1}},
    {"title": "This month", "kind": "kpi", "period": "month",
     "kpis": ["revenue", "orders", "units", "gross_margin", "inventory_value", "below_reorder_point"],
     "position": {"col": 1, "row": 2, "width": 12, "height": 1}},
    {"title": "Revenue and gross profit, last 90 complete days", "kind": "line", "x": "day", "y": ["revenue", "gross_profit"],
     "query": "WITH last AS (SELECT cafe24._last_complete_day() AS day) SELECT f.day, sum(f.revenue) AS revenue, sum(f.gross_profit) AS gross_profit FROM cafe24.kpi_daily_facts AS f, last WHERE f.day > last.day - 90 AND f.day <= last.day AND ($1 IS NULL OR f.shop_no = $1) GROUP BY f.day ORDER BY f.day",
     "columns": {"revenue": {"label": "Revenue", "format": "currency"}, "gross_profit": {"label": "Gross profit", "format": "currency"}},
     "position": {"col": 1, "row": 3, "width": 8, "height": 2}},
    {"title": "Revenue by category, this month", "kind": "pie", "x": "category", "y": ["revenue"],
     "query": "SELECT category, sum(net_amount) AS revenue FROM cafe24.sales_monthly WHERE month = (SELECT max(month) FROM cafe24.sales_monthly) AND ($1 IS NULL OR shop_no = $1) GROUP BY category ORDER BY revenue DESC",
     "columns": {"revenue": {"format": "currency"}},
     "position": {"col": 9, "row": 3, "width": 4, "height": 2}},
    {"title": "Revenue forecast, next 4 weeks", "kind": "forecast", "horizon": 28, "history_days": 56, "refresh_seconds": 3600,
     "position": {"col": 1, "row": 5, "width": 8, "height": 2}},
    {"title": "Shopper funnel, last day", "kind": "funnel", "days": 1,
     "position": {"col": 9, "row": 5, "width": 4, "height": 2}},
    {"title": "Best sellers, last 7 days", "kind": "table",
     "query": "SELECT p.variant_code, p.name, sum(d.sold_units) AS units, sum(d.net_amount) AS revenue FROM cafe24.sales_daily AS d JOIN cafe24.product AS p USING (product_id) WHERE d.day > (SELECT max(day) FROM cafe24.sales_daily) - 7 AND ($1 IS NULL OR d.shop_no = $1) GROUP BY p.product_id ORDER BY revenue DESC, p.variant_code LIMIT 10",
     "columns": {"variant_code": {"label": "Variant"}, "name": {"label": "Product"}, "units": {"label": "Units", "format": "integer"}, "revenue": {"label": "Revenue", "format": "currency"}},
     "position": {"col": 1, "row": 7, "width": 12, "height": 2}}
  ]
}
$json$);
UPDATE cafe24.dashboard SET builtin = true WHERE owner = current_user::regrole AND name = 'merchant_overview';

-- Planner estimates ----------------------------------------------------------------------
-- Rows per call and cost (in cpu_operator_cost units, about 25 ns each here) of the
-- set-returning functions, so that EXPLAIN and join planning see roughly what they do
-- instead of PostgreSQL's default of 1000 rows at cost 1 (measured on the demo mall;
-- bench/ has the figures). The array forecast is expensive per call: its cost steers the
-- planner to run it once per series and to consider parallel plans around it.
ALTER FUNCTION cafe24.forecast(double precision[], integer, integer[], text, double precision[]) ROWS 28 COST 400000;
ALTER FUNCTION cafe24.forecast_sales(integer, text, text, text, text, text, double precision[], text) ROWS 1000 COST 4000000;
ALTER FUNCTION cafe24.backtest_forecast(integer, text, text, text, text, text, integer, double precision[]) ROWS 100 COST 4000000;
ALTER FUNCTION cafe24.train_forecast_model(text, integer, text, text, text, text, text, double precision[], boolean) ROWS 100 COST 4000000;
ALTER FUNCTION cafe24.seasonal_trends(text, text, text, text, integer[]) ROWS 2000 COST 400000;
ALTER FUNCTION cafe24.seasonal_indices(text, text, text, text) ROWS 50 COST 400000;
ALTER FUNCTION cafe24.yoy_growth(text, text, text, text) ROWS 100 COST 400000;
ALTER FUNCTION cafe24.segment_customers(timestamptz, integer, text, text, bigint) ROWS 20000 COST 4000000;
ALTER FUNCTION cafe24.segment_summary(timestamptz, integer, text, text, bigint) ROWS 8 COST 4000000;
ALTER FUNCTION cafe24.customer_lifetime_value(integer, timestamptz, text, double precision, double precision) ROWS 20000 COST 4000000;
ALTER FUNCTION cafe24.evaluate_lifetime_value(timestamptz, integer, text) ROWS 10 COST 4000000;
ALTER FUNCTION cafe24.cohort_retention(text, text) ROWS 300 COST 400000;
ALTER FUNCTION cafe24.repeat_purchase_rate(text, text) ROWS 24 COST 400000;
ALTER FUNCTION cafe24.funnel(text[], interval, text, timestamptz, timestamptz) ROWS 8 COST 400000;
ALTER FUNCTION cafe24.product_affinity(double precision, double precision, date, date) ROWS 200 COST 400000;
ALTER FUNCTION cafe24.optimize_inventory(double precision, integer, double precision, double precision, date, integer, double precision, double precision, text) ROWS 500 COST 400000;
ALTER FUNCTION cafe24.simulate_inventory_policy(date, date, text, double precision, integer, double precision, double precision, integer) ROWS 500 COST 4000000;
ALTER FUNCTION cafe24.profit_margins(text, date, date, text) ROWS 50 COST 400000;
ALTER FUNCTION cafe24.kpi_values(text[], text, date, text, integer, integer) ROWS 10 COST 40000;
ALTER FUNCTION cafe24.check_aggregates() ROWS 2 COST 400000;
ALTER FUNCTION cafe24.ingest_orders(jsonb) ROWS 1 COST 40000;
ALTER FUNCTION cafe24.generate_demo_data(bigint, integer, integer, integer, integer, date, double precision, boolean) ROWS 6 COST 4000000;
ALTER FUNCTION cafe24.cron_next(text, timestamptz, integer, text) ROWS 5 COST 1000;

-- Dashboards and live KPIs answer from aggregates or a day of events in milliseconds, but
-- their plans can cost past jit_above_cost (a lossy BRIN range, an initplan bound the planner
-- cannot see, unnest() of a transition table's keys), and JIT compiling then takes 0.5–2 s
-- (bench/dashboards.sh at 10.8 M order lines). They never gain from it.
ALTER FUNCTION cafe24.dashboard_data(text, jsonb, integer[]) SET jit = off;
ALTER FUNCTION cafe24._widget_data(text, integer, jsonb) SET jit = off;
ALTER FUNCTION cafe24.render_dashboard(text, text, jsonb) SET jit = off;
ALTER FUNCTION cafe24.kpi_values(text[], text, date, text, integer, integer) SET jit = off;
ALTER FUNCTION cafe24._kpis_trigger() SET jit = off;
ALTER FUNCTION cafe24._sales_daily_kpis() SET jit = off;
ALTER FUNCTION cafe24._refresh_order_daily(date[], integer[], boolean, boolean) SET jit = off;
ALTER FUNCTION cafe24._notify_kpis(date[], integer[]) SET jit = off;
-- The analytics keep PostgreSQL's JIT: at 10.8 M order lines it saves 8–19 % on
-- segment_customers, customer_lifetime_value, cohort_retention, forecast_sales,
-- seasonal_trends, optimize_inventory, repeat_purchase_rate and funnel (bench/jit.sh,
-- bench/README.md). profit_margins is the exception: compiling costs more than it saves.
ALTER FUNCTION cafe24.profit_margins(text, date, date, text) SET jit = off;
COMMENT ON FUNCTION cafe24._live_kpis_deferred() IS 'Internal: whether the live-KPI triggers only queue their work in cafe24.kpi_dirty for the fold (cafe24_analytics.live_kpis = deferred, or auto in the scheduler''s database with the library preloaded) instead of doing it at the statement.';

-- Progress ----------------------------------------------------------------------------------

COMMENT ON FUNCTION cafe24._progress() IS 'Internal: the shared-memory progress slots of live backends whose role the caller has the privileges of (all with pg_read_all_stats); read through cafe24.progress.';
CREATE VIEW cafe24.progress WITH (security_barrier) AS
SELECT p.pid, r.rolname AS usename, p.function, p.phase, p.done, p.total,
       round(100.0 * p.done / nullif(p.total, 0), 1) AS percent,
       p.started, p.updated,
       CASE WHEN p.done > 0 AND p.total > p.done THEN (p.updated - p.started) * ((p.total - p.done)::float8 / p.done) END AS remaining
FROM cafe24._progress() AS p
LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = p.role_oid;
GRANT SELECT ON cafe24.progress TO PUBLIC;
COMMENT ON VIEW cafe24.progress IS 'Long calls in progress (forecasting, segmentation, lifetime value, model training), one row per backend: what is done of how much, since when, and an estimate of the time left. Rows of other roles need pg_read_all_stats. Empty unless the library is in shared_preload_libraries.';
COMMENT ON COLUMN cafe24.progress.pid IS 'Backend process id (as in pg_stat_activity; pg_cancel_backend(pid) stops the call).';
COMMENT ON COLUMN cafe24.progress.usename IS 'Role running the call.';
COMMENT ON COLUMN cafe24.progress.function IS 'SQL function, e.g. forecast_sales.';
COMMENT ON COLUMN cafe24.progress.phase IS 'reading series, reading customers, or computing.';
COMMENT ON COLUMN cafe24.progress.done IS 'Items finished in this phase (series, fits, customers).';
COMMENT ON COLUMN cafe24.progress.total IS 'Items in this phase; NULL when not known in advance.';
COMMENT ON COLUMN cafe24.progress.percent IS 'done as a percentage of total.';
COMMENT ON COLUMN cafe24.progress.started IS 'When this phase started.';
COMMENT ON COLUMN cafe24.progress.updated IS 'When done was last updated (every 100 ms at most).';
COMMENT ON COLUMN cafe24.progress.remaining IS 'Time left at the rate so far; NULL until something is done.';

-- Shop access ---------------------------------------------------------------------------
-- Per-shop row-level security on every table keyed by shop_no. A role reads and writes the
-- rows of the shops cafe24.shop_access gives it (or a role it is a member of); a row with
-- shop_no NULL gives every shop. Fail-closed: a role with no row sees no shop's rows, however
-- much it is granted. Superusers, BYPASSRLS roles and the tables' owner (the extension owner,
-- whose SECURITY DEFINER triggers keep the aggregates exact over all shops) are not filtered.
-- The policy calls two functions, each at most once per query as an InitPlan, so a scan
-- pays one integer comparison per row (bench/shop_access.sh). They are PL/pgSQL, whose
-- plans a session keeps (a SQL function's body is planned again at every call: 0.12 ms a
-- query against 0.025 ms), with search_path pinned to pg_catalog, pg_temp and every name
-- qualified; the policy's own operators are bound at CREATE POLICY.
CREATE TABLE cafe24.shop_access (
    role        name NOT NULL,
    shop_no     integer CHECK (shop_no > 0),
    granted_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT shop_access_role_shop_key UNIQUE NULLS NOT DISTINCT (role, shop_no)
);
COMMENT ON TABLE cafe24.shop_access IS 'Which roles read and write which shops'' rows (per-shop row-level security on shop, order_line, behaviour_event, sales_daily, sales_monthly, order_daily, order_fact, kpi_live). A role with no row sees no shop. Written by the extension owner (or a superuser); each role reads the rows that apply to it.';
COMMENT ON COLUMN cafe24.shop_access.role IS 'Role given access; members of the role (with INHERIT) have it too. A row naming a role that does not exist grants nothing.';
COMMENT ON COLUMN cafe24.shop_access.shop_no IS 'Shop whose rows the role may read and write; NULL for every shop, present and future.';
COMMENT ON COLUMN cafe24.shop_access.granted_at IS 'When the row was added.';
ALTER TABLE cafe24.shop_access ENABLE ROW LEVEL SECURITY;
CREATE POLICY shop_access_own ON cafe24.shop_access FOR SELECT
    USING (EXISTS (SELECT FROM pg_catalog.pg_roles AS r
                   WHERE r.rolname OPERATOR(pg_catalog.=) shop_access.role AND pg_catalog.pg_has_role(r.oid, 'USAGE')));
GRANT SELECT ON cafe24.shop_access TO PUBLIC;

-- The shop_access the policy functions read: the table, or on a Citus node with a copy of it
-- (a reference table after distribute_star_schema), that copy. The per-shop policies are
-- evaluated inside the workers' shard queries, where Citus runs no distributed query; the
-- copy has the table's policy and grants, so each role still reads only its own rows.
CREATE FUNCTION cafe24._shop_access_rel() RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel text;
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_shard') IS NOT NULL THEN
        SELECT pg_catalog.shard_name(s.logicalrelid, s.shardid) INTO rel
        FROM pg_catalog.pg_dist_shard AS s JOIN pg_catalog.pg_dist_placement AS p USING (shardid)
        WHERE s.logicalrelid OPERATOR(pg_catalog.=) 'cafe24.shop_access'::pg_catalog.regclass
          AND p.groupid OPERATOR(pg_catalog.=) (SELECT g.groupid FROM pg_catalog.pg_dist_local_group AS g);
    END IF;
    RETURN coalesce(rel, 'cafe24.shop_access');
END $$;
COMMENT ON FUNCTION cafe24._shop_access_rel() IS 'Internal: cafe24.shop_access, or on a Citus node the local copy of it (the per-shop policies run inside shard queries).';
-- cafe24._shop_grants() and cafe24._all_shops_granted() are in src/shop_access.rs (one read per
-- statement, also where the policies call them per row).
COMMENT ON FUNCTION cafe24._shop_grants() IS 'Internal: the shops cafe24.shop_access gives the current role by number (for the per-shop policies).';
COMMENT ON FUNCTION cafe24._all_shops_granted() IS 'Internal: whether cafe24.shop_access gives the current role every shop (for the per-shop policies).';

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['shop', 'order_line', 'behaviour_event', 'sales_daily', 'sales_monthly',
                             'order_daily', 'order_fact', 'kpi_live'] LOOP
        EXECUTE pg_catalog.format($p$
            ALTER TABLE cafe24.%1$I ENABLE ROW LEVEL SECURITY;
            CREATE POLICY shop_access ON cafe24.%1$I
                USING ((SELECT cafe24._all_shops_granted()) OR shop_no OPERATOR(pg_catalog.=) ANY ((SELECT cafe24._shop_grants())::integer[]))
        $p$, t);
    END LOOP;
END $$;
-- A view over order_daily reads it as the caller, so the caller's shops apply.
ALTER VIEW cafe24.kpi_daily_facts SET (security_invoker = true);

CREATE FUNCTION cafe24.readable_shops()
RETURNS TABLE (shop_no integer, name text, currency text, timezone text)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 10
BEGIN ATOMIC
    SELECT s.shop_no, s.name, s.currency, s.timezone FROM cafe24.shop AS s ORDER BY s.shop_no;
END;
COMMENT ON FUNCTION cafe24.readable_shops() IS
'The shops whose rows you may read (cafe24.shop_access, or every shop for a superuser or the tables'' owner), with their name, currency and time zone. Empty when you have no access to any shop, or no SELECT on cafe24.shop.';

-- What a front end lists, in one call, with the caller's rights (row-level security applies).
CREATE FUNCTION cafe24.catalog() RETURNS jsonb LANGUAGE sql STABLE SET search_path = pg_catalog, cafe24, pg_temp AS $$
SELECT jsonb_build_object(
    'kpis', (SELECT COALESCE(jsonb_agg(jsonb_build_object('name', k.name, 'title', k.title, 'format', k.format, 'unit', k.unit,
                                                          'live', k.live, 'builtin', k.builtin, 'higher_is_better', k.higher_is_better) ORDER BY NOT k.builtin, k.name), '[]')
             FROM cafe24.kpi AS k WHERE k.builtin OR k.owner = current_user::regrole),
    'dashboards', (SELECT COALESCE(jsonb_agg(jsonb_build_object('name', d.name, 'ref', cafe24._name_of(d.owner, d.name, d.builtin), 'title', d.title, 'owner', d.owner::text,
                                                                'builtin', d.builtin, 'refresh_seconds', d.refresh_seconds, 'updated_at', d.updated_at, 'spec', d.spec)
                                             ORDER BY d.name, d.owner::text), '[]')
                   FROM cafe24.dashboard AS d),
    'reports', (SELECT COALESCE(jsonb_agg(jsonb_build_object('name', r.name, 'ref', cafe24._name_of(r.owner, r.name, r.template), 'title', r.title, 'owner', r.owner::text,
                                                             'template', r.template, 'parameters', COALESCE(r.spec -> 'parameters', '[]')) ORDER BY r.name, r.owner::text), '[]')
                FROM cafe24.report AS r),
    'outputs', (SELECT COALESCE(jsonb_agg(o ORDER BY o.id DESC), '[]') FROM (
                   SELECT o.id, o.report, o.report_owner::text AS report_owner, o.format, o.params, o.path, o.bytes, o.rows, o.created_at, o.content IS NOT NULL AS kept
                   FROM cafe24.report_output AS o ORDER BY o.id DESC LIMIT 50) AS o),
    'jobs', (SELECT COALESCE(jsonb_agg(j ORDER BY j.jobid), '[]') FROM (
                SELECT j.jobid, j.jobname, j.schedule, j.command, j.active,
                       (SELECT jsonb_build_object('status', r.status, 'start_time', r.start_time, 'end_time', r.end_time, 'message', r.return_message)
                        FROM cafe24.job_run_details AS r WHERE r.jobid = j.jobid ORDER BY r.runid DESC LIMIT 1) AS last_run
                FROM cafe24.job AS j) AS j),
    'progress', (SELECT COALESCE(jsonb_agg(p), '[]') FROM (SELECT p.function, p.phase, p.done, p.total, p.percent, p.started FROM cafe24.progress AS p
                                                           WHERE p.usename = current_user) AS p),
    'shops', (SELECT COALESCE(jsonb_agg(to_jsonb(s) ORDER BY s.shop_no), '[]') FROM cafe24.readable_shops() AS s),
    'widget_kinds', '["kpi", "line", "bar", "pie", "table", "forecast", "funnel", "cohort_heatmap"]'::jsonb,
    'analyses', (SELECT COALESCE(jsonb_agg(jsonb_build_object('name', p.proname, 'columns',
                     (SELECT jsonb_agg(jsonb_build_object('name', a.n, 'type', format_type(a.t, NULL)) ORDER BY a.i)
                      FROM unnest(p.proargnames, p.proallargtypes, p.proargmodes) WITH ORDINALITY AS a(n, t, m, i) WHERE a.m = 't'))
                 ORDER BY p.proname), '[]')
                 FROM pg_proc AS p WHERE p.pronamespace = 'cafe24'::regnamespace
                   AND p.proname = ANY ('{profit_margins,segment_summary,cohort_retention,funnel,seasonal_indices,yoy_growth,optimize_inventory,forecast_sales}')))
$$;
COMMENT ON FUNCTION cafe24.catalog() IS
'What a front end lists, as JSON, with your rights: the shops you may read, your KPIs and the built-in ones, the dashboards (with their specs) and reports (with their parameters) you can see, each with the ref to pass for it (its name, or owner.name when shared with you), your last 50 outputs, your jobs with their last run, your calls in progress, the widget kinds and the analyses a widget can show with their result columns.';

-- Internal SECURITY DEFINER helpers and trigger functions are called by triggers and by each
-- other (as the owner), never by users: nobody else may run them (a trigger fires whatever
-- the EXECUTE privilege on its function).
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc AS p
             WHERE p.pronamespace OPERATOR(pg_catalog.=) 'cafe24'::regnamespace AND p.prosecdef
               AND p.proname OPERATOR(pg_catalog.~~) '\_%'
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END $$;
