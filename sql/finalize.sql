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
BEGIN
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

    WITH upserted AS (
        INSERT INTO cafe24.order_line AS l (order_id, order_item_code, shop_no, ordered_at, customer_id,
                                            product_id, quantity, unit_price, discount, unit_cost, status)
        SELECT i.order_id, i.order_item_code, i.shop_no, i.ordered_at, c.customer_id,
               p.product_id, i.quantity, i.unit_price, i.discount, p.unit_cost, i.status
        FROM cafe24._ingest_rows(lines) AS i
        JOIN cafe24.product AS p USING (variant_code)
        LEFT JOIN cafe24.customer AS c USING (member_id)
        ORDER BY i.order_item_code
        ON CONFLICT (order_item_code) DO UPDATE
        SET order_id = excluded.order_id, shop_no = excluded.shop_no, ordered_at = excluded.ordered_at,
            customer_id = excluded.customer_id, product_id = excluded.product_id,
            quantity = excluded.quantity, unit_price = excluded.unit_price,
            discount = excluded.discount, status = excluded.status, updated_at = now()
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

    INSERT INTO cafe24.shop (shop_no, name, timezone) SELECT * FROM cafe24._demo_shops(cfg);
    GET DIAGNOSTICS n = ROW_COUNT; table_name := 'shop'; rows := n; RETURN NEXT;

    INSERT INTO cafe24.product (product_id, product_no, product_code, variant_code, name, category, brand,
                                price, unit_cost, lead_time_days)
    SELECT * FROM cafe24._demo_products(cfg);
    GET DIAGNOSTICS n = ROW_COUNT; table_name := 'product'; rows := n; RETURN NEXT;

    INSERT INTO cafe24.customer (customer_id, member_id, signed_up_at, region)
    SELECT customer_id, member_id, to_timestamp(signed_up_epoch), region FROM cafe24._demo_customers(cfg);
    GET DIAGNOSTICS n = ROW_COUNT; table_name := 'customer'; rows := n; RETURN NEXT;

    INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id,
                                   quantity, unit_price, discount, unit_cost, status, updated_at)
    SELECT order_id, order_item_code, shop_no, to_timestamp(ordered_epoch), customer_id, product_id,
           quantity, unit_price, discount, unit_cost, status, to_timestamp(ordered_epoch)
    FROM cafe24._demo_order_lines(cfg);
    GET DIAGNOSTICS n = ROW_COUNT; table_name := 'order_line'; rows := n; RETURN NEXT;

    INSERT INTO cafe24.inventory_snapshot (day, product_id, on_hand, on_order)
    SELECT start + day_offset, product_id, on_hand, on_order FROM cafe24._demo_inventory(cfg);
    GET DIAGNOSTICS n = ROW_COUNT; table_name := 'inventory_snapshot'; rows := n; RETURN NEXT;

    INSERT INTO cafe24.behaviour_event (session_id, customer_id, shop_no, product_id, event_type, occurred_at)
    SELECT session_id, customer_id, shop_no, product_id, event_type, to_timestamp(occurred_epoch)
    FROM cafe24._demo_events(cfg);
    GET DIAGNOSTICS n = ROW_COUNT; table_name := 'behaviour_event'; rows := n; RETURN NEXT;

    FOR i IN 1 .. coalesce(array_length(restore, 1), 0) LOOP
        EXECUTE restore[i];   -- primary and unique keys, foreign keys, then plain indexes
    END LOOP;
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
-- complete period of the whole source; periods without sales count as 0.
CREATE FUNCTION cafe24._sales_series(p_grain text, p_by text, p_measure text, p_source text)
RETURNS TABLE (series_key text, last_ds date, y float8[])
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
        src := format('SELECT %s AS series_key, d.day AS ds, %s::float8 AS y
                       FROM cafe24.sales_daily AS d JOIN cafe24.product AS p USING (product_id)', key_expr, y_expr);
    ELSE
        IF p_source ~* '^\s*(select|with|values|table)\M' THEN
            src := p_source;
        ELSE
            src := format('SELECT * FROM %s', p_source::regclass);
        END IF;
        src := format('SELECT series_key::text AS series_key, ds::date AS ds, y::float8 AS y FROM (%s) AS src', src);
    END IF;
    RETURN QUERY EXECUTE format($q$
        WITH raw AS (%1$s),
        s AS (SELECT r.series_key, date_trunc(%2$L, r.ds)::date AS ds, sum(r.y) AS y
              FROM raw AS r WHERE r.ds IS NOT NULL GROUP BY 1, 2),
        lim AS (SELECT CASE WHEN max(r.ds) + 1 >= (date_trunc(%2$L, max(r.ds)) + %3$L::interval)::date
                            THEN date_trunc(%2$L, max(r.ds))::date
                            ELSE (date_trunc(%2$L, max(r.ds)) - %3$L::interval)::date END AS last_ds
                FROM raw AS r),
        b AS (SELECT s.series_key, min(s.ds) AS first_ds FROM s GROUP BY 1)
        SELECT b.series_key, lim.last_ds, array_agg(coalesce(s.y, 0) ORDER BY g.ds)
        FROM b CROSS JOIN lim
        CROSS JOIN LATERAL generate_series(b.first_ds, lim.last_ds, %3$L::interval) AS g(ds)
        LEFT JOIN s ON s.series_key IS NOT DISTINCT FROM b.series_key AND s.ds = g.ds::date
        WHERE b.first_ds <= lim.last_ds
        GROUP BY b.series_key, lim.last_ds
        ORDER BY b.series_key$q$, src, p_grain, '1 ' || p_grain);
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
COMMENT ON FUNCTION cafe24.forecast_sales(integer, text, text, text, text, text, double precision[]) IS
'Forecasts sales per series (by total, shop, category or product; grain day, week or month) from the star '
'schema, or from a source table/query yielding (series_key, ds, y). Days without sales count as 0; the last '
'incomplete period is left out. One row per series and future period.';
COMMENT ON FUNCTION cafe24.backtest_forecast(integer, text, text, text, text, text, integer, double precision[]) IS
'Rolling-origin evaluation per series and model: MASE (below 1 beats seasonal naive), sMAPE, RMSE, bias and '
'the share of actuals inside each interval, so a forecast can be judged before it is trusted.';
