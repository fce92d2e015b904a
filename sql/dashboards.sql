-- KPIs and dashboards: daily order facts kept current by triggers, the KPI catalog and
-- kpi_values, live KPI notifications, and dashboard / widget definitions.
-- Included by src/api/dashboard.rs after the bootstrap schema.

-- Daily facts per shop: distinct orders, orders from returning customers, shopper sessions
-- and sessions with a purchase (which cannot be summed from the per-product sales_daily),
-- and sales_daily's revenue, units and cost summed over products, so that every KPI reads
-- one row per shop-day, however many products and order lines there are.
CREATE TABLE cafe24.order_daily (
    day                 date    NOT NULL,
    shop_no             integer NOT NULL,
    orders              bigint  NOT NULL,
    repeat_orders       bigint  NOT NULL,
    sessions            bigint  NOT NULL,
    converted_sessions  bigint  NOT NULL,
    revenue             numeric NOT NULL DEFAULT 0,
    units               bigint  NOT NULL DEFAULT 0,
    cost                numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (day, shop_no)
);
COMMENT ON TABLE cafe24.order_daily IS 'Per shop-local day: orders, orders from returning customers, sessions and converted sessions (recomputed for the touched days by statement triggers on order_line and behaviour_event), and revenue, units and cost (kept by a statement trigger on sales_daily).';
COMMENT ON COLUMN cafe24.order_daily.day IS 'Day in the shop''s time zone.';
COMMENT ON COLUMN cafe24.order_daily.shop_no IS 'Shop.';
COMMENT ON COLUMN cafe24.order_daily.orders IS 'Distinct orders with at least one sold line (not cancelled or returned).';
COMMENT ON COLUMN cafe24.order_daily.repeat_orders IS 'Of those, orders whose customer had ordered before (exact when orders arrive in time order; rebuild_kpis() recomputes).';
COMMENT ON COLUMN cafe24.order_daily.sessions IS 'Distinct shopper sessions with any behaviour event that day.';
COMMENT ON COLUMN cafe24.order_daily.converted_sessions IS 'Of those, sessions with a purchase event.';
COMMENT ON COLUMN cafe24.order_daily.revenue IS 'sales_daily.net_amount summed over products (kept by a trigger on sales_daily).';
COMMENT ON COLUMN cafe24.order_daily.units IS 'sales_daily.sold_units summed over products.';
COMMENT ON COLUMN cafe24.order_daily.cost IS 'sales_daily.cost_amount summed over products.';

-- One row per order with a sold line: the shop-local day and the shop it counts on (those
-- of its first sold line), its customer, and whether it is a repeat order (its first sold
-- line is later than the customer's first line ever). The order triggers compare an
-- order's state now with its row here and add the difference to order_daily, so any number
-- of triggers on one statement (INSERT ... ON CONFLICT DO UPDATE fires two) adds up.
CREATE TABLE cafe24.order_fact (
    order_id     text NOT NULL,
    day          date NOT NULL,
    shop_no      integer NOT NULL,
    customer_id  bigint,
    first_at     timestamptz NOT NULL,
    repeat       boolean NOT NULL,
    PRIMARY KEY (shop_no, order_id)
);
CREATE INDEX order_fact_customer_idx ON cafe24.order_fact (customer_id);
CREATE INDEX order_fact_day_idx ON cafe24.order_fact (day, shop_no);
COMMENT ON TABLE cafe24.order_fact IS 'Per order with a sold line: the day, shop and customer it counts for in order_daily and whether it is a repeat order; kept by the order_line triggers, rebuilt by rebuild_kpis().';
COMMENT ON COLUMN cafe24.order_fact.order_id IS 'Order (cafe24.order_line.order_id).';
COMMENT ON COLUMN cafe24.order_fact.day IS 'Shop-local day of its first sold line.';
COMMENT ON COLUMN cafe24.order_fact.shop_no IS 'Shop of its sold lines.';
COMMENT ON COLUMN cafe24.order_fact.customer_id IS 'Customer; NULL for guest orders.';
COMMENT ON COLUMN cafe24.order_fact.first_at IS 'Time of its first sold line.';
COMMENT ON COLUMN cafe24.order_fact.repeat IS 'Whether the customer had a line before this order.';

-- What statements touched while live KPIs are deferred (cafe24_analytics.live_kpis): the
-- triggers only append a row per touched order, shop-day of events or shop-day of sales;
-- cafe24._fold_kpis() takes the rows and brings order_fact, order_daily and kpi_live up to
-- date in the same transaction (the scheduler's worker every 250 ms, fold_live_kpis() on
-- demand). No unique key: concurrent writers of one shop-day never wait for each other.
CREATE TABLE cafe24.kpi_dirty (
    seq          bigint GENERATED ALWAYS AS IDENTITY,
    source       "char" NOT NULL CHECK (source IN ('o', 'e', 's')),
    shop_no      integer NOT NULL,
    day          date NOT NULL,
    order_id     text,
    customer_id  bigint
);
COMMENT ON TABLE cafe24.kpi_dirty IS 'Internal queue of what order_line, behaviour_event and sales_daily statements touched while live KPIs are deferred; folded into order_fact, order_daily and kpi_live by cafe24._fold_kpis(). Every role may read seq (kpi_values waits for the rows committed before it), nothing else.';
COMMENT ON COLUMN cafe24.kpi_dirty.seq IS 'Order of arrival.';
COMMENT ON COLUMN cafe24.kpi_dirty.source IS 'o: an order_line change (order and customer), e: a behaviour_event change (shop-day), s: a sales_daily change (shop-day).';
COMMENT ON COLUMN cafe24.kpi_dirty.shop_no IS 'Shop.';
COMMENT ON COLUMN cafe24.kpi_dirty.day IS 'Shop-local day of the changed row.';
COMMENT ON COLUMN cafe24.kpi_dirty.order_id IS 'Order of a changed line (source o).';
COMMENT ON COLUMN cafe24.kpi_dirty.customer_id IS 'Customer of a changed line (source o), or NULL.';

-- The state of orders `ids` and of every order of customers `custs` as the lines say now,
-- against their rows in order_fact: the difference goes to order_daily's orders and
-- repeat orders, order_fact is brought up to date, and the shop-days whose counts moved
-- are returned. A customer's first order decides whether the others are repeat orders, so
-- all of a touched customer's orders are looked at (through the indexes).
-- jit = off: the estimates for unnest() are loose, and compiling took 1 s of a 3 ms refresh.
CREATE FUNCTION cafe24._refresh_orders(ids text[], custs bigint[])
RETURNS TABLE (day date, shop_no integer)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
    WITH touched AS (SELECT DISTINCT t.order_id FROM unnest(ids) AS t(order_id)),
    now_o AS (
        SELECT l.order_id, min(l.ordered_at) AS first_at, min(l.shop_no) AS shop_no, min(l.customer_id) AS customer_id
        FROM cafe24.order_line AS l JOIN touched USING (order_id)
        WHERE l.status NOT IN ('cancelled', 'returned')
        GROUP BY 1
    ),
    c AS (
        SELECT DISTINCT u.customer_id FROM (SELECT unnest(custs) UNION ALL SELECT customer_id FROM now_o) AS u(customer_id)
        WHERE u.customer_id IS NOT NULL
    ),
    firsts AS (
        SELECT l.customer_id, min(l.ordered_at) AS first_ever FROM cafe24.order_line AS l JOIN c USING (customer_id) GROUP BY 1
    ),
    new_state AS (
        SELECT o.order_id, (o.first_at AT TIME ZONE s.timezone)::date AS day, o.shop_no, o.customer_id, o.first_at,
               coalesce(o.first_at > f.first_ever, false) AS repeat
        FROM now_o AS o JOIN cafe24.shop AS s USING (shop_no) LEFT JOIN firsts AS f USING (customer_id)
        UNION ALL
        SELECT x.order_id, x.day, x.shop_no, x.customer_id, x.first_at, coalesce(x.first_at > f.first_ever, false)
        FROM cafe24.order_fact AS x JOIN firsts AS f USING (customer_id)
        WHERE NOT EXISTS (SELECT FROM touched AS t WHERE t.order_id = x.order_id)
    ),
    -- A union of two index lookups: `order_id IN … OR customer_id IN …` scans all of order_fact.
    old_state AS (
        SELECT x.* FROM cafe24.order_fact AS x JOIN touched USING (order_id)
        UNION
        SELECT x.* FROM cafe24.order_fact AS x JOIN c USING (customer_id)
    ),
    gone AS (
        DELETE FROM cafe24.order_fact AS x USING touched AS t
        WHERE x.order_id = t.order_id AND NOT EXISTS (SELECT FROM now_o AS o WHERE o.order_id = x.order_id AND o.shop_no = x.shop_no)
    ),
    kept AS (
        INSERT INTO cafe24.order_fact AS x (order_id, day, shop_no, customer_id, first_at, repeat)
        SELECT n.order_id, n.day, n.shop_no, n.customer_id, n.first_at, n.repeat FROM new_state AS n
        ON CONFLICT (shop_no, order_id) DO UPDATE
            SET day = excluded.day, customer_id = excluded.customer_id,
                first_at = excluded.first_at, repeat = excluded.repeat
            WHERE (x.day, x.shop_no, x.customer_id, x.first_at, x.repeat)
                  IS DISTINCT FROM (excluded.day, excluded.shop_no, excluded.customer_id, excluded.first_at, excluded.repeat)
    ),
    d AS (
        SELECT u.day, u.shop_no, sum(u.sign) AS orders, coalesce(sum(u.sign) FILTER (WHERE u.repeat), 0) AS repeat_orders
        FROM (SELECT 1 AS sign, n.day, n.shop_no, n.repeat FROM new_state AS n
              UNION ALL SELECT -1, o.day, o.shop_no, o.repeat FROM old_state AS o) AS u
        GROUP BY 1, 2
    ),
    up AS (
        INSERT INTO cafe24.order_daily AS t (day, shop_no, orders, repeat_orders, sessions, converted_sessions)
        SELECT d.day, d.shop_no, d.orders, d.repeat_orders, 0, 0 FROM d WHERE d.orders <> 0 OR d.repeat_orders <> 0
        ON CONFLICT ON CONSTRAINT order_daily_pkey DO UPDATE
            SET orders = t.orders + excluded.orders, repeat_orders = t.repeat_orders + excluded.repeat_orders
        RETURNING t.day, t.shop_no
    )
    SELECT up.day, up.shop_no FROM up
$$;
COMMENT ON FUNCTION cafe24._refresh_orders(text[], bigint[]) IS 'Internal: brings order_fact and order_daily''s order counts up to date for the touched orders and customers; returns the shop-days that moved.';

-- Order facts of every order, from scratch (rebuild_kpis).
CREATE FUNCTION cafe24._rebuild_order_facts() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    TRUNCATE cafe24.order_fact;
    WITH o AS (
        SELECT l.order_id, min(l.ordered_at) AS first_at, min(l.shop_no) AS shop_no, min(l.customer_id) AS customer_id
        FROM cafe24.order_line AS l WHERE l.status NOT IN ('cancelled', 'returned') GROUP BY 1
    ),
    firsts AS (SELECT l.customer_id, min(l.ordered_at) AS first_ever FROM cafe24.order_line AS l WHERE l.customer_id IS NOT NULL GROUP BY 1)
    INSERT INTO cafe24.order_fact (order_id, day, shop_no, customer_id, first_at, repeat)
    SELECT o.order_id, (o.first_at AT TIME ZONE s.timezone)::date, o.shop_no, o.customer_id, o.first_at, coalesce(o.first_at > f.first_ever, false)
    FROM o JOIN cafe24.shop AS s USING (shop_no) LEFT JOIN firsts AS f USING (customer_id);
$$;
COMMENT ON FUNCTION cafe24._rebuild_order_facts() IS 'Internal: recomputes cafe24.order_fact from order_line.';

-- The last complete shop-local day with sales, which charts and forecasts end on (today's
-- partial sales would read as a slump): yesterday in the shop that is furthest behind, or
-- the last day with sales when that is earlier.
CREATE FUNCTION cafe24._last_complete_day() RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT least(max(d.day), (SELECT min((now() AT TIME ZONE s.timezone)::date) - 1 FROM cafe24.shop AS s))
    FROM cafe24.sales_daily AS d
$$;
COMMENT ON FUNCTION cafe24._last_complete_day() IS 'Internal: the last complete shop-local day with sales (yesterday in the shop furthest behind, or the last day with sales if earlier).';

-- The daily facts every built-in KPI is a formula over.
CREATE VIEW cafe24.kpi_daily_facts AS
SELECT day, shop_no, revenue, units, cost, revenue - cost AS gross_profit, orders, repeat_orders, sessions, converted_sessions
FROM cafe24.order_daily;
COMMENT ON VIEW cafe24.kpi_daily_facts IS 'Per shop-local day: revenue, units, cost, gross profit (sales_daily summed over products), orders, repeat orders, sessions, converted sessions. KPI formulas aggregate these columns; one row per shop-day.';
COMMENT ON COLUMN cafe24.kpi_daily_facts.day IS 'Day in the shop''s time zone.';
COMMENT ON COLUMN cafe24.kpi_daily_facts.shop_no IS 'Shop.';
COMMENT ON COLUMN cafe24.kpi_daily_facts.revenue IS 'Net revenue.';
COMMENT ON COLUMN cafe24.kpi_daily_facts.units IS 'Units sold.';
COMMENT ON COLUMN cafe24.kpi_daily_facts.cost IS 'Cost of goods sold.';
COMMENT ON COLUMN cafe24.kpi_daily_facts.gross_profit IS 'revenue - cost.';
COMMENT ON COLUMN cafe24.kpi_daily_facts.orders IS 'Orders with a sold line.';
COMMENT ON COLUMN cafe24.kpi_daily_facts.repeat_orders IS 'Orders from returning customers.';
COMMENT ON COLUMN cafe24.kpi_daily_facts.sessions IS 'Shopper sessions.';
COMMENT ON COLUMN cafe24.kpi_daily_facts.converted_sessions IS 'Sessions with a purchase.';

-- Recomputes order_daily for the shop-days (days[i], shops[i]). No temporary tables: this
-- runs as the extension owner, so the keys travel as arrays.
CREATE FUNCTION cafe24._refresh_order_daily(days date[], shops integer[], orders boolean, sessions boolean)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF days IS NULL THEN
        RETURN;
    END IF;
    -- Orders from order_fact; sessions in one set-based pass over the touched time range,
    -- grouped by shop-local day.
    IF orders THEN
        WITH keys AS (SELECT DISTINCT k.day, k.shop_no FROM unnest(days, shops) AS k(day, shop_no)),
        counts AS (
            SELECT f.day, f.shop_no, count(*) AS orders, count(*) FILTER (WHERE f.repeat) AS repeat_orders
            FROM cafe24.order_fact AS f JOIN keys USING (day, shop_no) GROUP BY 1, 2
        )
        INSERT INTO cafe24.order_daily AS d (day, shop_no, orders, repeat_orders, sessions, converted_sessions)
        SELECT k.day, k.shop_no, coalesce(c.orders, 0), coalesce(c.repeat_orders, 0), 0, 0
        FROM keys AS k LEFT JOIN counts AS c USING (day, shop_no)
        ON CONFLICT (day, shop_no) DO UPDATE SET orders = excluded.orders, repeat_orders = excluded.repeat_orders;
    END IF;
    IF sessions THEN
        WITH keys AS (
            SELECT k.day, k.shop_no, (k.day::timestamp AT TIME ZONE s.timezone) AS lo, ((k.day + 1)::timestamp AT TIME ZONE s.timezone) AS hi
            FROM unnest(days, shops) AS k(day, shop_no) JOIN cafe24.shop AS s USING (shop_no)
        ),
        bounds AS (SELECT min(lo) AS lo, max(hi) AS hi FROM keys),
        counts AS (
            SELECT (e.occurred_at AT TIME ZONE s.timezone)::date AS day, e.shop_no,
                   count(DISTINCT e.session_id) AS sessions,
                   count(DISTINCT e.session_id) FILTER (WHERE e.event_type = 'purchase') AS converted
            FROM cafe24.behaviour_event AS e JOIN cafe24.shop AS s USING (shop_no), bounds
            WHERE e.occurred_at >= bounds.lo AND e.occurred_at < bounds.hi
            GROUP BY 1, 2
        )
        INSERT INTO cafe24.order_daily AS d (day, shop_no, orders, repeat_orders, sessions, converted_sessions)
        SELECT k.day, k.shop_no, 0, 0, coalesce(c.sessions, 0), coalesce(c.converted, 0)
        FROM keys AS k LEFT JOIN counts AS c USING (day, shop_no)
        ON CONFLICT (day, shop_no) DO UPDATE SET sessions = excluded.sessions, converted_sessions = excluded.converted_sessions;
    END IF;
    DELETE FROM cafe24.order_daily AS d USING unnest(days, shops) AS k(day, shop_no)
    WHERE d.day = k.day AND d.shop_no = k.shop_no AND d.orders = 0 AND d.sessions = 0 AND d.revenue = 0 AND d.units = 0 AND d.cost = 0;
    PERFORM cafe24._notify_kpis(days, shops);
END $$;
COMMENT ON FUNCTION cafe24._refresh_order_daily(date[], integer[], boolean, boolean) IS 'Internal: recounts order_daily''s orders (from order_fact) and sessions for the given shop-days, then notifies moved KPIs.';

-- Sums sales_daily over products into order_daily for the shop-days (days[i], shops[i]).
CREATE FUNCTION cafe24._refresh_order_daily_sales(days date[], shops integer[])
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF days IS NULL THEN
        RETURN;
    END IF;
    WITH keys AS (SELECT DISTINCT k.day, k.shop_no FROM unnest(days, shops) AS k(day, shop_no)),
    sums AS (
        SELECT d.day, d.shop_no, sum(d.net_amount) AS revenue, sum(d.sold_units) AS units, sum(d.cost_amount) AS cost
        FROM cafe24.sales_daily AS d JOIN keys USING (day, shop_no) GROUP BY 1, 2
    )
    INSERT INTO cafe24.order_daily AS o (day, shop_no, orders, repeat_orders, sessions, converted_sessions, revenue, units, cost)
    SELECT k.day, k.shop_no, 0, 0, 0, 0, coalesce(s.revenue, 0), coalesce(s.units, 0), coalesce(s.cost, 0)
    FROM keys AS k LEFT JOIN sums AS s USING (day, shop_no)
    ON CONFLICT (day, shop_no) DO UPDATE SET revenue = excluded.revenue, units = excluded.units, cost = excluded.cost;
    DELETE FROM cafe24.order_daily AS d USING unnest(days, shops) AS k(day, shop_no)
    WHERE d.day = k.day AND d.shop_no = k.shop_no AND d.orders = 0 AND d.sessions = 0 AND d.revenue = 0 AND d.units = 0 AND d.cost = 0;
END $$;
COMMENT ON FUNCTION cafe24._refresh_order_daily_sales(date[], integer[]) IS 'Internal: sums sales_daily over products into order_daily for the touched shop-days.';

CREATE FUNCTION cafe24._sales_daily_kpis() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- Deferred: the touched shop-days are queued for _fold_kpis, which sums them anew.
    IF TG_OP <> 'TRUNCATE' AND cafe24._live_kpis_deferred() THEN
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO cafe24.kpi_dirty (source, shop_no, day) SELECT DISTINCT 's'::"char", n.shop_no, n.day FROM new_rows AS n;
        END IF;
        IF TG_OP <> 'INSERT' THEN
            INSERT INTO cafe24.kpi_dirty (source, shop_no, day) SELECT DISTINCT 's'::"char", o.shop_no, o.day FROM old_rows AS o;
        END IF;
        RETURN NULL;
    END IF;
    -- At the statement: a fold in progress finishes first (see _fold_kpis).
    PERFORM pg_advisory_xact_lock_shared(2400106, 0);
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE cafe24.order_daily SET revenue = 0, units = 0, cost = 0;
        DELETE FROM cafe24.order_daily WHERE orders = 0 AND sessions = 0;
        RETURN NULL;
    END IF;
    -- By difference: what the statement added minus what it took away, per shop-day.
    EXECUTE format($q$
        WITH d AS (
            SELECT day, shop_no, sum(revenue) AS revenue, sum(units) AS units, sum(cost) AS cost FROM (%s) AS c GROUP BY 1, 2
        )
        INSERT INTO cafe24.order_daily AS t (day, shop_no, orders, repeat_orders, sessions, converted_sessions, revenue, units, cost)
        SELECT day, shop_no, 0, 0, 0, 0, revenue, units, cost FROM d
        ON CONFLICT (day, shop_no) DO UPDATE SET revenue = t.revenue + excluded.revenue, units = t.units + excluded.units, cost = t.cost + excluded.cost
        WHERE (t.revenue, t.units, t.cost) IS DISTINCT FROM (t.revenue + excluded.revenue, t.units + excluded.units, t.cost + excluded.cost)
        $q$, CASE TG_OP
            WHEN 'INSERT' THEN 'SELECT day, shop_no, net_amount AS revenue, sold_units AS units, cost_amount AS cost FROM new_rows'
            WHEN 'DELETE' THEN 'SELECT day, shop_no, -net_amount AS revenue, -sold_units AS units, -cost_amount AS cost FROM old_rows'
            ELSE 'SELECT day, shop_no, net_amount AS revenue, sold_units AS units, cost_amount AS cost FROM new_rows
                  UNION ALL SELECT day, shop_no, -net_amount, -sold_units, -cost_amount FROM old_rows' END);
    RETURN NULL;
END $$;
COMMENT ON FUNCTION cafe24._sales_daily_kpis() IS 'Internal trigger: keeps order_daily''s revenue, units and cost equal to sales_daily summed over products.';
CREATE TRIGGER zz_kpis_insert AFTER INSERT ON cafe24.sales_daily
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cafe24._sales_daily_kpis();
CREATE TRIGGER zz_kpis_update AFTER UPDATE ON cafe24.sales_daily
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cafe24._sales_daily_kpis();
CREATE TRIGGER zz_kpis_delete AFTER DELETE ON cafe24.sales_daily
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cafe24._sales_daily_kpis();
CREATE TRIGGER zz_kpis_truncate AFTER TRUNCATE ON cafe24.sales_daily FOR EACH STATEMENT EXECUTE FUNCTION cafe24._sales_daily_kpis();

-- Live KPIs are kept in one of two ways (cafe24_analytics.live_kpis, docs/dashboards.md):
-- deferred, the triggers only queue what a statement touched in cafe24.kpi_dirty and
-- _fold_kpis() does what follows after commit; at the statement, as follows.
-- The triggers maintain order_daily without recounting a day. Orders: the touched orders
-- (and their customers' other orders) are compared with their rows in order_fact
-- (_refresh_orders). Sessions: for the touched sessions, their contribution now minus
-- their contribution before the statement (their events as they are, without the
-- statement's new rows, plus its old rows). Concurrent writers of the same order,
-- customer or session wait for each other on a transaction-level advisory lock, so that
-- (under READ COMMITTED) each counts from the other's committed rows; a statement touching
-- more than 10 000 of them takes one lock that excludes all other writers instead.
CREATE FUNCTION cafe24._kpis_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    orders boolean := TG_TABLE_NAME = 'order_line';
    at_col text := CASE WHEN orders THEN 'ordered_at' ELSE 'occurred_at' END;
    -- Transition tables are visible only here (and in the statements it EXECUTEs).
    changed text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT * FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT * FROM old_rows'
        ELSE 'SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows' END;
    -- Rows as they were before the statement; %1$s: rows as they are now.
    was text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT * FROM %1$s AS x WHERE NOT EXISTS (SELECT FROM new_rows AS n WHERE n.event_id = x.event_id)'
        WHEN 'DELETE' THEN 'SELECT * FROM %1$s UNION ALL SELECT * FROM old_rows'
        ELSE 'SELECT * FROM %1$s AS x WHERE NOT EXISTS (SELECT FROM new_rows AS n WHERE n.event_id = x.event_id) UNION ALL SELECT * FROM old_rows' END;
    ids text[];
    custs bigint[];
    sessions bigint[];
    days date[];
    shops integer[];
    moved_days date[];
    moved_shops integer[];
BEGIN
    -- Deferred: only what was touched is queued (static statements, planned once per
    -- session); _fold_kpis does the rest after commit.
    IF cafe24._live_kpis_deferred() THEN
        IF orders AND TG_OP <> 'DELETE' THEN
            INSERT INTO cafe24.kpi_dirty (source, shop_no, day, order_id, customer_id)
            SELECT DISTINCT 'o'::"char", n.shop_no, (n.ordered_at AT TIME ZONE s.timezone)::date, n.order_id, n.customer_id
            FROM new_rows AS n JOIN cafe24.shop AS s USING (shop_no);
        END IF;
        IF orders AND TG_OP <> 'INSERT' THEN
            INSERT INTO cafe24.kpi_dirty (source, shop_no, day, order_id, customer_id)
            SELECT DISTINCT 'o'::"char", o.shop_no, (o.ordered_at AT TIME ZONE s.timezone)::date, o.order_id, o.customer_id
            FROM old_rows AS o JOIN cafe24.shop AS s USING (shop_no);
        END IF;
        IF NOT orders AND TG_OP <> 'DELETE' THEN
            INSERT INTO cafe24.kpi_dirty (source, shop_no, day)
            SELECT DISTINCT 'e'::"char", n.shop_no, (n.occurred_at AT TIME ZONE s.timezone)::date FROM new_rows AS n JOIN cafe24.shop AS s USING (shop_no);
        END IF;
        IF NOT orders AND TG_OP <> 'INSERT' THEN
            INSERT INTO cafe24.kpi_dirty (source, shop_no, day)
            SELECT DISTINCT 'e'::"char", o.shop_no, (o.occurred_at AT TIME ZONE s.timezone)::date FROM old_rows AS o JOIN cafe24.shop AS s USING (shop_no);
        END IF;
        RETURN NULL;
    END IF;
    -- At the statement: a fold in progress finishes first (see _fold_kpis).
    PERFORM pg_advisory_xact_lock_shared(2400106, 0);
    IF orders THEN
        EXECUTE format('SELECT array_agg(DISTINCT order_id ORDER BY order_id), array_agg(DISTINCT customer_id ORDER BY customer_id) FILTER (WHERE customer_id IS NOT NULL) FROM (%s) AS c', changed)
            INTO ids, custs;
        IF cardinality(ids) + coalesce(cardinality(custs), 0) > 10000 THEN
            PERFORM pg_advisory_xact_lock(2400101, 0);
        ELSE
            PERFORM pg_advisory_xact_lock_shared(2400101, 0);
            PERFORM pg_advisory_xact_lock(2400102, hashtext(o)) FROM unnest(ids) AS o ORDER BY hashtext(o);
            PERFORM pg_advisory_xact_lock(2400103, hashint8(c)) FROM unnest(custs) AS c ORDER BY hashint8(c);
        END IF;
        SELECT array_agg(r.day), array_agg(r.shop_no) INTO moved_days, moved_shops FROM cafe24._refresh_orders(ids, custs) AS r;
    ELSE
        EXECUTE format('SELECT array_agg(DISTINCT session_id ORDER BY session_id) FROM (%s) AS c', changed) INTO sessions;
        IF cardinality(sessions) > 10000 THEN
            PERFORM pg_advisory_xact_lock(2400104, 0);
        ELSE
            PERFORM pg_advisory_xact_lock_shared(2400104, 0);
            PERFORM pg_advisory_xact_lock(2400105, hashint8(x)) FROM unnest(sessions) AS x ORDER BY hashint8(x);
        END IF;
        EXECUTE format($q$
            WITH now_events AS (SELECT e.* FROM cafe24.behaviour_event AS e JOIN unnest($1) AS t(session_id) USING (session_id)),
            events AS (SELECT 1 AS side, * FROM now_events UNION ALL SELECT -1, * FROM (%1$s) AS w),
            v AS (
                SELECT x.side, (x.occurred_at AT TIME ZONE s.timezone)::date AS day, x.shop_no, x.session_id,
                       bool_or(x.event_type = 'purchase') AS converted
                FROM events AS x JOIN cafe24.shop AS s USING (shop_no)
                GROUP BY 1, 2, 3, 4
            ),
            d AS (
                SELECT day, shop_no, sum(side) AS sessions, coalesce(sum(side) FILTER (WHERE converted), 0) AS converted
                FROM v GROUP BY 1, 2
            )
            INSERT INTO cafe24.order_daily AS t (day, shop_no, orders, repeat_orders, sessions, converted_sessions)
            SELECT day, shop_no, 0, 0, sessions, converted FROM d WHERE sessions <> 0 OR converted <> 0
            ON CONFLICT (day, shop_no) DO UPDATE SET sessions = t.sessions + excluded.sessions,
                                                     converted_sessions = t.converted_sessions + excluded.converted_sessions
            $q$, format(was, 'now_events')) USING sessions;
    END IF;
    -- The touched shop-days (those of the changed rows, and those whose order counts moved):
    -- empty rows go, and the live KPIs that moved are announced.
    EXECUTE format('SELECT array_agg(day), array_agg(shop_no)
                    FROM (SELECT (r.%I AT TIME ZONE s.timezone)::date AS day, r.shop_no
                          FROM (%s) AS r JOIN cafe24.shop AS s USING (shop_no)
                          UNION SELECT * FROM unnest($1, $2)) AS k', at_col, changed)
        INTO days, shops USING moved_days, moved_shops;
    IF days IS NOT NULL THEN
        DELETE FROM cafe24.order_daily AS d USING unnest(days, shops) AS k(day, shop_no)
        WHERE d.day = k.day AND d.shop_no = k.shop_no
          AND d.orders = 0 AND d.sessions = 0 AND d.revenue = 0 AND d.units = 0 AND d.cost = 0;
        PERFORM cafe24._notify_kpis(days, shops);
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION cafe24._kpis_trigger() IS 'Internal trigger: brings order_daily''s orders (through order_fact) or sessions up to date for what an order_line or behaviour_event statement touched, then announces the live KPIs that moved.';

-- A shop moving to another time zone re-cuts its days: its order and session counts are
-- recounted (its sales follow through sales_daily, which the aggregates re-cut).
CREATE FUNCTION cafe24._shop_kpis() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    moved integer[];
    days date[];
    shops integer[];
BEGIN
    SELECT array_agg(n.shop_no) INTO moved FROM new_rows AS n JOIN old_rows AS o USING (shop_no)
    WHERE n.timezone IS DISTINCT FROM o.timezone;
    IF moved IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(2400106, 0);  -- no fold meanwhile
    UPDATE cafe24.order_fact AS f SET day = (f.first_at AT TIME ZONE s.timezone)::date
    FROM cafe24.shop AS s WHERE s.shop_no = f.shop_no AND f.shop_no = ANY (moved);
    UPDATE cafe24.order_daily SET orders = 0, repeat_orders = 0, sessions = 0, converted_sessions = 0 WHERE shop_no = ANY (moved);
    SELECT array_agg(day), array_agg(shop_no) INTO days, shops FROM (
        SELECT (l.ordered_at AT TIME ZONE s.timezone)::date AS day, l.shop_no FROM cafe24.order_line AS l JOIN cafe24.shop AS s USING (shop_no) WHERE l.shop_no = ANY (moved)
        UNION SELECT (e.occurred_at AT TIME ZONE s.timezone)::date, e.shop_no FROM cafe24.behaviour_event AS e JOIN cafe24.shop AS s USING (shop_no) WHERE e.shop_no = ANY (moved)) AS k;
    PERFORM cafe24._refresh_order_daily(days, shops, true, true);
    DELETE FROM cafe24.order_daily WHERE shop_no = ANY (moved) AND orders = 0 AND sessions = 0 AND revenue = 0 AND units = 0 AND cost = 0;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION cafe24._shop_kpis() IS 'Internal trigger: recounts the orders and sessions of a shop whose time zone changed.';
CREATE TRIGGER zz_kpis_timezone AFTER UPDATE ON cafe24.shop
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cafe24._shop_kpis();

-- Named zz_ so they fire after the aggregate triggers (same event: alphabetical order).
CREATE TRIGGER zz_kpis_insert AFTER INSERT ON cafe24.order_line
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cafe24._kpis_trigger();
CREATE TRIGGER zz_kpis_update AFTER UPDATE ON cafe24.order_line
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cafe24._kpis_trigger();
CREATE TRIGGER zz_kpis_delete AFTER DELETE ON cafe24.order_line
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cafe24._kpis_trigger();
CREATE TRIGGER zz_kpis_insert AFTER INSERT ON cafe24.behaviour_event
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cafe24._kpis_trigger();
CREATE TRIGGER zz_kpis_update AFTER UPDATE ON cafe24.behaviour_event
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cafe24._kpis_trigger();
CREATE TRIGGER zz_kpis_delete AFTER DELETE ON cafe24.behaviour_event
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cafe24._kpis_trigger();

CREATE FUNCTION cafe24._truncate_order_daily() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'order_line' THEN
        TRUNCATE cafe24.order_fact;
        UPDATE cafe24.order_daily SET orders = 0, repeat_orders = 0;
    ELSE
        UPDATE cafe24.order_daily SET sessions = 0, converted_sessions = 0;
    END IF;
    DELETE FROM cafe24.order_daily WHERE orders = 0 AND sessions = 0 AND revenue = 0 AND units = 0 AND cost = 0;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION cafe24._truncate_order_daily() IS 'Internal trigger: clears order_daily facts when order_line or behaviour_event is truncated.';
CREATE TRIGGER zz_kpis_truncate AFTER TRUNCATE ON cafe24.order_line FOR EACH STATEMENT EXECUTE FUNCTION cafe24._truncate_order_daily();
CREATE TRIGGER zz_kpis_truncate AFTER TRUNCATE ON cafe24.behaviour_event FOR EACH STATEMENT EXECUTE FUNCTION cafe24._truncate_order_daily();

CREATE FUNCTION cafe24.rebuild_kpis() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    days date[];
    shops integer[];
    n bigint;
BEGIN
    -- From scratch: what is queued is counted, and no fold runs meanwhile.
    PERFORM pg_advisory_xact_lock(2400106, 0);
    DELETE FROM cafe24.kpi_dirty;
    TRUNCATE cafe24.order_daily;
    PERFORM cafe24._rebuild_order_facts();
    -- Sales sums first: the order and session pass after it announces the live KPIs.
    SELECT array_agg(day), array_agg(shop_no) INTO days, shops FROM (SELECT DISTINCT day, shop_no FROM cafe24.sales_daily) AS k;
    PERFORM cafe24._refresh_order_daily_sales(days, shops);
    SELECT array_agg(day), array_agg(shop_no) INTO days, shops FROM (
        SELECT (l.ordered_at AT TIME ZONE s.timezone)::date AS day, l.shop_no FROM cafe24.order_line AS l JOIN cafe24.shop AS s USING (shop_no)
        UNION SELECT (e.occurred_at AT TIME ZONE s.timezone)::date, e.shop_no FROM cafe24.behaviour_event AS e JOIN cafe24.shop AS s USING (shop_no)) AS k;
    PERFORM cafe24._refresh_order_daily(days, shops, true, true);
    SELECT count(*) INTO n FROM cafe24.order_daily;
    RETURN n;
END $$;
COMMENT ON FUNCTION cafe24.rebuild_kpis() IS 'Recomputes cafe24.order_fact and cafe24.order_daily from sales_daily, order_line and behaviour_event (after loads with triggers disabled) and the live KPIs from them; returns the rows of order_daily.';
REVOKE ALL ON FUNCTION cafe24.rebuild_kpis() FROM PUBLIC;

-- The KPI catalog.
CREATE TABLE cafe24.kpi (
    name        text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    title       text NOT NULL,
    formula     text,
    query       text,
    unit        text NOT NULL DEFAULT '',
    format      text NOT NULL DEFAULT 'number' CHECK (format IN ('integer', 'number', 'currency', 'percent')),
    target      numeric,
    compare_to  text NOT NULL DEFAULT 'previous_period' CHECK (compare_to IN ('previous_period', 'previous_year')),
    higher_is_better boolean NOT NULL DEFAULT true,
    live        boolean NOT NULL DEFAULT false,
    owner       regrole NOT NULL DEFAULT current_user::regrole,
    readers     regrole[] NOT NULL DEFAULT '{}',
    builtin     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (owner, name),
    CHECK ((formula IS NULL) <> (query IS NULL))
);
COMMENT ON TABLE cafe24.kpi IS 'KPI catalog: a formula over cafe24.kpi_daily_facts (aggregated over the period) or a query of one value for ($1 from, $2 to exclusive, $3 shop_no). Row-level security as for reports.';
COMMENT ON COLUMN cafe24.kpi.name IS 'KPI name used by kpi_values and dashboard widgets, unique per owner: a name means your own KPI, else the built-in one.';
COMMENT ON COLUMN cafe24.kpi.title IS 'Label shown to readers.';
COMMENT ON COLUMN cafe24.kpi.formula IS 'Aggregate expression over kpi_daily_facts columns, e.g. sum(revenue) / nullif(sum(orders), 0); gives period values and daily sparklines.';
COMMENT ON COLUMN cafe24.kpi.query IS 'Alternatively a SELECT of one number with parameters $1 (period start date), $2 (end date, exclusive), $3 (shop_no or NULL).';
COMMENT ON COLUMN cafe24.kpi.unit IS 'Unit shown after the value (KRW, %, orders, ...).';
COMMENT ON COLUMN cafe24.kpi.format IS 'integer, number, currency (KRW) or percent (value in percent points).';
COMMENT ON COLUMN cafe24.kpi.target IS 'Target for the period, or NULL.';
COMMENT ON COLUMN cafe24.kpi.compare_to IS 'Default comparison: previous_period or previous_year.';
COMMENT ON COLUMN cafe24.kpi.higher_is_better IS 'Whether an increase is good news (false for e.g. products below reorder point).';
COMMENT ON COLUMN cafe24.kpi.live IS 'Whether changes to today''s value are announced with NOTIFY cafe24_kpi as orders and events arrive (formula KPIs only).';
COMMENT ON COLUMN cafe24.kpi.owner IS 'Role that owns the KPI.';
COMMENT ON COLUMN cafe24.kpi.readers IS 'Roles that may also see its definition; kpi_values runs only built-in KPIs and the caller''s own.';
COMMENT ON COLUMN cafe24.kpi.builtin IS 'Shipped with the extension, visible to every role.';
ALTER TABLE cafe24.kpi ENABLE ROW LEVEL SECURITY;
CREATE POLICY kpi_read ON cafe24.kpi FOR SELECT
    USING (builtin OR pg_has_role(owner, 'USAGE') OR EXISTS (SELECT FROM unnest(readers) AS r WHERE pg_has_role(r, 'USAGE')));
-- Only the extension owner (who bypasses these policies) marks KPIs built in: a built-in
-- KPI is shown to every role and its formula runs in the live-KPI triggers.
CREATE POLICY kpi_write ON cafe24.kpi FOR ALL USING (pg_has_role(owner, 'USAGE')) WITH CHECK (pg_has_role(owner, 'USAGE') AND NOT builtin);
GRANT SELECT, INSERT, UPDATE, DELETE ON cafe24.kpi TO PUBLIC;
CREATE TRIGGER refuse_builtin_name BEFORE INSERT OR UPDATE OF name, builtin ON cafe24.kpi
    FOR EACH ROW EXECUTE FUNCTION cafe24._refuse_builtin_name();

-- The KPI a reference names for the caller: a bare name is the caller's own KPI, else the
-- built-in one; owner.name is that role's (which kpi_values refuses to run).
CREATE FUNCTION cafe24._find_kpi(ref text) RETURNS SETOF cafe24.kpi
LANGUAGE sql STABLE ROWS 1 SET search_path = pg_catalog, pg_temp AS $$
    SELECT k.* FROM cafe24.kpi AS k, cafe24._name_ref(ref) AS n
    WHERE k.name = n.name AND (k.owner = coalesce(n.owner, current_user::regrole::oid) OR (n.owner IS NULL AND k.builtin))
    ORDER BY k.builtin LIMIT 1
$$;
COMMENT ON FUNCTION cafe24._find_kpi(text) IS 'Internal: the KPI a reference (name or owner.name) names for the caller.';

INSERT INTO cafe24.kpi (name, title, formula, query, unit, format, higher_is_better, live, builtin) VALUES
('revenue', 'Revenue', 'sum(revenue)', NULL, 'KRW', 'currency', true, true, true),
('orders', 'Orders', 'sum(orders)', NULL, 'orders', 'integer', true, true, true),
('average_order_value', 'Average order value', 'sum(revenue) / nullif(sum(orders), 0)', NULL, 'KRW', 'currency', true, true, true),
('units', 'Units sold', 'sum(units)', NULL, 'units', 'integer', true, true, true),
('gross_margin', 'Gross margin', '100 * sum(gross_profit) / nullif(sum(revenue), 0)', NULL, '%', 'percent', true, true, true),
('conversion_rate', 'Conversion rate', '100 * sum(converted_sessions)::numeric / nullif(sum(sessions), 0)', NULL, '%', 'percent', true, true, true),
('repeat_purchase_rate', 'Repeat purchase rate', '100 * sum(repeat_orders)::numeric / nullif(sum(orders), 0)', NULL, '%', 'percent', true, true, true),
('inventory_value', 'Inventory value at cost', NULL,
 'SELECT coalesce(sum(s.on_hand * p.unit_cost), 0) FROM cafe24.inventory_snapshot AS s JOIN cafe24.product AS p USING (product_id) WHERE s.day = (SELECT max(day) FROM cafe24.inventory_snapshot WHERE day < $2)',
 'KRW', 'currency', false, false, true),
('below_reorder_point', 'Products below reorder point', NULL,
 'WITH last AS (SELECT max(day) AS day FROM cafe24.inventory_snapshot WHERE day < $2), demand AS (SELECT product_id, sum(sold_units) / 28.0 AS daily FROM cafe24.sales_daily WHERE day >= $2 - 28 AND day < $2 AND ($3 IS NULL OR shop_no = $3) GROUP BY product_id) SELECT count(*) FROM cafe24.inventory_snapshot AS s JOIN last USING (day) JOIN demand AS d USING (product_id) JOIN cafe24.product AS p USING (product_id) WHERE s.on_hand + s.on_order < d.daily * coalesce(p.lead_time_days, current_setting(''cafe24_analytics.default_lead_time_days'')::int)',
 'products', 'integer', false, false, true),
('forecast_accuracy', 'Forecast accuracy (100 - sMAPE, 7 days)', NULL,
 'SELECT round(100 - min(smape)::numeric, 1) FROM cafe24.backtest_forecast(horizon => 7, model => ''auto'', source => ''SELECT ''''total'''' AS series_key, day AS ds, sum(revenue) AS y FROM cafe24.kpi_daily_facts WHERE day > (SELECT max(day) FROM cafe24.order_daily) - 400 GROUP BY day'')',
 '%', 'percent', true, false, true);

-- Last announced value of each live KPI per shop and day: NOTIFY fires only on change.
CREATE TABLE cafe24.kpi_live (
    kpi         text NOT NULL,
    shop_no     integer NOT NULL,
    day         date NOT NULL,
    value       numeric,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kpi, shop_no, day)
);
COMMENT ON TABLE cafe24.kpi_live IS 'Current value of each live KPI per shop and day, kept by the order_line, behaviour_event and sales_daily triggers (at the statement, or after commit by cafe24._fold_kpis() when deferred: cafe24_analytics.live_kpis); a change sends NOTIFY cafe24_kpi with its key (kpi, shop, day), not its value: any role may LISTEN, only roles granted this table read the value.';
COMMENT ON COLUMN cafe24.kpi_live.kpi IS 'KPI name.';
COMMENT ON COLUMN cafe24.kpi_live.shop_no IS 'Shop.';
COMMENT ON COLUMN cafe24.kpi_live.day IS 'Shop-local day.';
COMMENT ON COLUMN cafe24.kpi_live.value IS 'Value of the KPI for that shop and day.';
COMMENT ON COLUMN cafe24.kpi_live.updated_at IS 'When it last changed.';
-- Order data, as the star schema: readable by the roles granted it, not by PUBLIC.

-- Recomputes live KPIs for the given shop-days; upserts and notifies those that moved.
CREATE FUNCTION cafe24._notify_kpis(days date[], shops integer[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    k record;
BEGIN
    -- Every live KPI of every touched shop-day in one statement: the formulas side by side
    -- over each shop-day's row of facts, upserted where the value moved, then announced.
    SELECT string_agg(format('(%s)::numeric', formula), ', ' ORDER BY name) AS formulas,
           string_agg(format('(%L, f.a[%s])', name, n), ', ' ORDER BY name) AS pairs
    INTO k
    FROM (SELECT name, formula, row_number() OVER (ORDER BY name) AS n FROM cafe24.kpi WHERE kpi.live AND kpi.formula IS NOT NULL AND kpi.builtin) AS x;
    IF k.formulas IS NULL OR days IS NULL THEN
        RETURN;
    END IF;
    EXECUTE format($q$
        -- Grouped by the shop-day, not a lateral aggregate per key: Citus pushes this down to
        -- the shards. A shop-day without facts gets NULL, as the built-in sums give over no rows.
        WITH keys AS (SELECT DISTINCT day, shop_no FROM unnest($1, $2) AS k(day, shop_no)),
        facts AS (
            SELECT f.day, f.shop_no, ARRAY[%s] AS a
            FROM cafe24.kpi_daily_facts AS f JOIN keys USING (day, shop_no)
            GROUP BY f.day, f.shop_no
        ),
        v AS (
            SELECT keys.day, keys.shop_no, x.kpi, x.value
            FROM keys LEFT JOIN facts AS f USING (day, shop_no)
            CROSS JOIN LATERAL (VALUES %s) AS x(kpi, value)
        ),
        moved AS (
            INSERT INTO cafe24.kpi_live AS l (kpi, shop_no, day, value)
            SELECT kpi, shop_no, day, value FROM v
            ON CONFLICT (kpi, shop_no, day) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at  -- the default now(): Citus refuses now() in DO UPDATE SET
                WHERE l.value IS DISTINCT FROM excluded.value
            RETURNING kpi, shop_no, day, value
        )
        SELECT count(pg_notify('cafe24_kpi', json_build_object('kpi', kpi, 'shop', shop_no, 'day', day, 'at', now())::text))
        FROM (SELECT * FROM moved ORDER BY kpi, shop_no, day) AS m
        $q$, k.formulas, k.pairs) USING days, shops;
END $$;
COMMENT ON FUNCTION cafe24._notify_kpis(date[], integer[]) IS 'Internal: recomputes live KPIs for the touched shop-days and sends NOTIFY cafe24_kpi for each that moved.';

-- Folds the queue (at most max_rows of it, oldest first; NULL: all): the taken rows go in
-- the same transaction as the facts they bring up to date, so a crash loses nothing.
-- Orders move order_fact and order_daily by difference (_refresh_orders), sessions and
-- sales are recounted for their shop-days, then the live KPIs that moved are announced.
-- One fold at a time, and none while a trigger counting at the statement is in progress
-- (those hold this lock shared); wait => false returns NULL at once instead of waiting.
CREATE FUNCTION cafe24._fold_kpis(wait boolean, max_rows integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    n bigint;
    ids text[];
    custs bigint[];
    e_days date[];
    e_shops integer[];
    s_days date[];
    s_shops integer[];
    days date[];
    shops integer[];
BEGIN
    IF NOT EXISTS (SELECT FROM cafe24.kpi_dirty) THEN
        RETURN 0;
    END IF;
    IF wait THEN
        PERFORM pg_advisory_xact_lock(2400106, 0);
    ELSIF NOT pg_try_advisory_xact_lock(2400106, 0) THEN
        RETURN NULL;
    END IF;
    WITH taken AS (
        DELETE FROM cafe24.kpi_dirty AS q
        WHERE max_rows IS NULL OR q.seq IN (SELECT x.seq FROM cafe24.kpi_dirty AS x ORDER BY x.seq LIMIT max_rows)
        RETURNING q.source, q.shop_no, q.day, q.order_id, q.customer_id
    ),
    keys AS (SELECT DISTINCT t.source, t.day, t.shop_no FROM taken AS t),
    all_keys AS (SELECT DISTINCT k.day, k.shop_no FROM keys AS k)
    SELECT (SELECT count(*) FROM taken),
           (SELECT array_agg(DISTINCT t.order_id) FROM taken AS t WHERE t.source = 'o'),
           (SELECT array_agg(DISTINCT t.customer_id) FROM taken AS t WHERE t.source = 'o' AND t.customer_id IS NOT NULL),
           (SELECT array_agg(k.day ORDER BY k.day, k.shop_no) FROM keys AS k WHERE k.source = 'e'),
           (SELECT array_agg(k.shop_no ORDER BY k.day, k.shop_no) FROM keys AS k WHERE k.source = 'e'),
           (SELECT array_agg(k.day ORDER BY k.day, k.shop_no) FROM keys AS k WHERE k.source = 's'),
           (SELECT array_agg(k.shop_no ORDER BY k.day, k.shop_no) FROM keys AS k WHERE k.source = 's'),
           (SELECT array_agg(k.day ORDER BY k.day, k.shop_no) FROM all_keys AS k),
           (SELECT array_agg(k.shop_no ORDER BY k.day, k.shop_no) FROM all_keys AS k)
    INTO n, ids, custs, e_days, e_shops, s_days, s_shops, days, shops;
    IF n = 0 THEN
        RETURN 0;
    END IF;
    IF ids IS NOT NULL THEN
        -- Orders whose first line moved count on another shop-day: those days too.
        SELECT days || array_agg(r.day), shops || array_agg(r.shop_no) INTO days, shops FROM cafe24._refresh_orders(ids, custs) AS r;
    END IF;
    PERFORM cafe24._refresh_order_daily_sales(s_days, s_shops);
    PERFORM cafe24._refresh_order_daily(e_days, e_shops, false, true);
    DELETE FROM cafe24.order_daily AS d USING unnest(days, shops) AS k(day, shop_no)
    WHERE d.day = k.day AND d.shop_no = k.shop_no AND d.orders = 0 AND d.sessions = 0 AND d.revenue = 0 AND d.units = 0 AND d.cost = 0;
    PERFORM cafe24._notify_kpis(days, shops);
    RETURN n;
END $$;
COMMENT ON FUNCTION cafe24._fold_kpis(boolean, integer) IS 'Internal: takes up to max_rows (NULL: all) rows of cafe24.kpi_dirty and brings order_fact, order_daily and kpi_live up to date for them in the same transaction, sending NOTIFY cafe24_kpi for each live KPI that moved; returns the rows taken, or NULL when wait is false and another fold is in progress.';

CREATE FUNCTION cafe24.fold_live_kpis() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT cafe24._fold_kpis(true, NULL)
$$;
COMMENT ON FUNCTION cafe24.fold_live_kpis() IS 'Brings order_fact, order_daily (kpi_daily_facts) and kpi_live up to date now with what was queued while live KPIs are deferred (cafe24_analytics.live_kpis), sending NOTIFY cafe24_kpi for what moved; returns how many queued changes it folded (0 when nothing was queued). The scheduler''s worker does this every 250 ms in its database. Not granted to PUBLIC.';
REVOKE ALL ON FUNCTION cafe24.fold_live_kpis() FROM PUBLIC;

-- kpi_values reads the facts exactly: while live KPIs are deferred, it first waits until
-- the rows queued before it was called have been folded (under READ COMMITTED each
-- statement sees what committed before it; other isolation levels read their snapshot).
-- Rows of the caller's own transaction are folded only after it commits, so they are not
-- waited for; nor is a worker that does not come within 2 s.
CREATE FUNCTION cafe24._await_live_kpis() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    last bigint;
    mine xid := pg_current_xact_id_if_assigned()::xid;
BEGIN
    IF NOT cafe24._live_kpis_deferred() OR current_setting('transaction_isolation') <> 'read committed' THEN
        RETURN;
    END IF;
    SELECT max(q.seq) INTO last FROM cafe24.kpi_dirty AS q;
    FOR i IN 1..200 LOOP
        EXIT WHEN last IS NULL OR NOT EXISTS (SELECT FROM cafe24.kpi_dirty AS q WHERE q.seq <= last AND (mine IS NULL OR q.xmin <> mine));
        PERFORM pg_sleep(0.01);
    END LOOP;
END $$;
COMMENT ON FUNCTION cafe24._await_live_kpis() IS 'Internal: while live KPIs are deferred, waits (at most 2 s) until the changes queued in cafe24.kpi_dirty before the call have been folded, so that kpi_values reads exact facts.';
GRANT SELECT (seq) ON cafe24.kpi_dirty TO PUBLIC;

CREATE FUNCTION cafe24.kpi_values(
    names text[] DEFAULT NULL,
    period text DEFAULT 'month',
    as_of date DEFAULT NULL,
    compare_to text DEFAULT NULL,
    shop_no integer DEFAULT NULL,
    sparkline_days integer DEFAULT 30)
RETURNS TABLE (kpi text, title text, period_start date, period_end date, value numeric, previous_value numeric,
               change_pct numeric, target numeric, vs_target_pct numeric, unit text, format text,
               higher_is_better boolean, sparkline numeric[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    d date := coalesce(as_of, current_date);
    lo date;
    hi date;
    k record;
    cmp text;
    plo date;
    phi date;
    missing text;
BEGIN
    PERFORM cafe24._await_live_kpis();
    -- Today is the shops' today (their sales days are cut in their time zones), not the
    -- session's: the latest local date over the shops asked for (a role that may not read
    -- the shops gets the session's).
    IF as_of IS NULL AND has_table_privilege('cafe24.shop', 'SELECT') THEN
        d := coalesce((SELECT max((now() AT TIME ZONE s.timezone)::date) FROM cafe24.shop AS s
                       WHERE kpi_values.shop_no IS NULL OR s.shop_no = kpi_values.shop_no), d);
    END IF;
    hi := d + 1;
    IF period IS NULL OR period NOT IN ('day', 'week', 'month', 'quarter', 'year', 'last_7_days', 'last_28_days', 'last_30_days') THEN
        RAISE EXCEPTION 'kpi_values: period = % is not supported', coalesce(quote_literal(period), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use day, week, month, quarter or year (to date, ending at as_of), or last_7_days, last_28_days, last_30_days.';
    END IF;
    IF NOT isfinite(d) THEN
        RAISE EXCEPTION 'kpi_values: as_of = % is not a finite date', d
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass a date such as ''2026-10-31'', or NULL for today.';
    END IF;
    IF compare_to IS NOT NULL AND compare_to NOT IN ('previous_period', 'previous_year') THEN
        RAISE EXCEPTION 'kpi_values: compare_to = % is not supported', quote_literal(compare_to)
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use previous_period or previous_year, or NULL for each KPI''s own.';
    END IF;
    IF sparkline_days IS NULL OR sparkline_days NOT BETWEEN 0 AND 366 THEN
        RAISE EXCEPTION 'kpi_values: sparkline_days = % is out of range: allowed 0 to 366', sparkline_days
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass how many daily points to return, e.g. 30.';
    END IF;
    IF cardinality(names) > 1000 THEN
        RAISE EXCEPTION 'kpi_values: names has % elements: at most 1000', cardinality(names)
            USING ERRCODE = 'program_limit_exceeded', HINT = 'Ask for the KPIs a view shows, or NULL for all of yours and the built-in ones.';
    END IF;
    -- A name is the caller's own KPI, else the built-in one (owner.name: that role's).
    SELECT string_agg(u.n, ', ' ORDER BY u.i) INTO missing
    FROM (SELECT x.n, min(x.i) AS i FROM unnest(names) WITH ORDINALITY AS x(n, i) GROUP BY x.n) AS u
    WHERE NOT EXISTS (SELECT FROM cafe24._find_kpi(u.n));
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'kpi_values: unknown KPI %', missing
            USING ERRCODE = 'undefined_object',
                  HINT = 'Your KPIs and the built-in ones: ' || (SELECT string_agg(c.name, ', ' ORDER BY c.name) FROM cafe24.kpi AS c
                                                                 WHERE c.builtin OR c.owner OPERATOR(pg_catalog.=) current_user::regrole) || '.';
    END IF;
    -- A KPI's formula or query is code, run with the caller's rights: only built-in KPIs and
    -- the caller's own run here (another role's KPI, even shared through readers or seen by
    -- a superuser, would run its owner's code as the caller): refused when named as
    -- owner.name, never in the default list.
    SELECT string_agg(format('%s (owner %s)', c.name, c.owner), ', ') INTO missing FROM unnest(names) AS n, cafe24._find_kpi(n) AS c
    WHERE NOT c.builtin AND c.owner OPERATOR(pg_catalog.<>) current_user::regrole;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'kpi_values: KPI % belongs to another role; its formula would run with your rights', missing
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Use a built-in KPI or one of your own (copy the definition into a KPI you own after reviewing it).';
    END IF;
    lo := CASE period
        WHEN 'day' THEN d
        WHEN 'last_7_days' THEN d - 6
        WHEN 'last_28_days' THEN d - 27
        WHEN 'last_30_days' THEN d - 29
        ELSE date_trunc(period, d::timestamp)::date END;
    -- Each name once, in the order asked (by default the caller's KPIs after the built-in ones).
    FOR k IN SELECT * FROM (
                 SELECT DISTINCT ON (c.owner, c.name) c.*, u.i
                 FROM unnest(coalesce(names, ARRAY(SELECT x.name FROM cafe24.kpi AS x
                                                   WHERE x.builtin OR x.owner OPERATOR(pg_catalog.=) current_user::regrole
                                                   ORDER BY x.builtin DESC, x.name))) WITH ORDINALITY AS u(n, i)
                 CROSS JOIN LATERAL cafe24._find_kpi(u.n) AS c
                 WHERE c.builtin OR c.owner OPERATOR(pg_catalog.=) current_user::regrole
                 ORDER BY c.owner, c.name, u.i) AS c
             ORDER BY c.i LOOP
        cmp := coalesce(compare_to, k.compare_to);
        IF cmp = 'previous_year' THEN
            plo := (lo - interval '1 year')::date; phi := (hi - interval '1 year')::date;
        ELSIF period IN ('day', 'week', 'last_7_days', 'last_28_days', 'last_30_days') THEN
            plo := lo - (hi - lo); phi := lo;
        ELSE  -- the same stretch of the previous month / quarter / year
            plo := (lo - ('1 ' || period)::interval)::date; phi := (hi - ('1 ' || period)::interval)::date;
        END IF;
        kpi := k.name; title := k.title; period_start := lo; period_end := hi - 1;
        unit := k.unit; format := k.format; target := k.target; higher_is_better := k.higher_is_better;
        IF k.formula IS NOT NULL THEN
            EXECUTE format('SELECT (%s)::numeric FROM cafe24.kpi_daily_facts WHERE day >= $1 AND day < $2 AND ($3 IS NULL OR shop_no = $3)', k.formula)
                INTO value USING lo, hi, shop_no;
            EXECUTE format('SELECT (%s)::numeric FROM cafe24.kpi_daily_facts WHERE day >= $1 AND day < $2 AND ($3 IS NULL OR shop_no = $3)', k.formula)
                INTO previous_value USING plo, phi, shop_no;
            EXECUTE format($q$SELECT array_agg(coalesce(x.v, 0) ORDER BY g.day)
                FROM generate_series($2 - $1 + 1, $2, interval '1 day') AS g(day)
                LEFT JOIN (SELECT f.day, (%s)::numeric AS v FROM cafe24.kpi_daily_facts AS f
                           WHERE f.day > $2 - $1 AND f.day <= $2 AND ($3 IS NULL OR f.shop_no = $3) GROUP BY f.day) AS x
                       ON x.day = g.day::date$q$, k.formula)
                INTO sparkline USING sparkline_days, d, shop_no;
        ELSE
            EXECUTE format('SELECT (%s)::numeric FROM (%s) AS q(v)', 'v', k.query) INTO value USING lo, hi, shop_no;
            EXECUTE format('SELECT (%s)::numeric FROM (%s) AS q(v)', 'v', k.query) INTO previous_value USING plo, phi, shop_no;
            sparkline := NULL;
        END IF;
        change_pct := round(100 * (value - previous_value) / nullif(abs(previous_value), 0), 1);
        vs_target_pct := round(100 * value / nullif(k.target, 0), 1);
        value := trim_scale(round(value, 4)); previous_value := trim_scale(round(previous_value, 4));
        RETURN NEXT;
    END LOOP;
END $$;
COMMENT ON FUNCTION cafe24.kpi_values(text[], text, date, text, integer, integer) IS
'KPI values for a period ending at as_of (day, week, month, quarter, year to date, or the last 7/28/30 days): value, the comparison period''s value, '
'change %, value as % of target, and a daily sparkline of the last sparkline_days days (formula KPIs). Reads only the aggregate tables; while live KPIs are deferred it first waits (at most 2 s) for the changes committed before the call to be folded into them, so it is VOLATILE.';

-- Dashboards: a spec (as given to create_dashboard) and its widgets, one row each.
CREATE TABLE cafe24.dashboard (
    name             text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    title            text NOT NULL,
    spec             jsonb NOT NULL,
    refresh_seconds  integer NOT NULL DEFAULT 60 CHECK (refresh_seconds > 0),
    owner            regrole NOT NULL DEFAULT current_user::regrole,
    readers          regrole[] NOT NULL DEFAULT '{}',
    builtin          boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner, name)
);
COMMENT ON TABLE cafe24.dashboard IS 'Dashboards as checked by create_dashboard. Names are per owner. Row-level security: owners see their own; readers and built-in dashboards are shared.';
COMMENT ON COLUMN cafe24.dashboard.name IS 'Dashboard name (lower-case identifier), unique per owner: bare for your own or a built-in one, owner.name for one shared with you.';
COMMENT ON COLUMN cafe24.dashboard.title IS 'Title shown on the page.';
COMMENT ON COLUMN cafe24.dashboard.spec IS 'The spec given to create_dashboard (see docs/dashboards.md).';
COMMENT ON COLUMN cafe24.dashboard.refresh_seconds IS 'Default refresh interval for widgets, in seconds.';
COMMENT ON COLUMN cafe24.dashboard.owner IS 'Role that owns the dashboard.';
COMMENT ON COLUMN cafe24.dashboard.readers IS 'Roles (and their members) that may also see it, as owner.name: UPDATE cafe24.dashboard SET readers = ''{analyst}'' WHERE owner = current_user::regrole AND name = ...';
COMMENT ON COLUMN cafe24.dashboard.builtin IS 'Shipped with the extension, visible to every role.';
COMMENT ON COLUMN cafe24.dashboard.created_at IS 'When it was created.';
COMMENT ON COLUMN cafe24.dashboard.updated_at IS 'When its spec last changed.';
ALTER TABLE cafe24.dashboard ENABLE ROW LEVEL SECURITY;
CREATE POLICY dashboard_read ON cafe24.dashboard FOR SELECT
    USING (builtin OR pg_has_role(owner, 'USAGE') OR EXISTS (SELECT FROM unnest(readers) AS r WHERE pg_has_role(r, 'USAGE')));
-- Only the extension owner marks dashboards built in (shown to, and run by, every role).
CREATE POLICY dashboard_write ON cafe24.dashboard FOR ALL USING (pg_has_role(owner, 'USAGE')) WITH CHECK (pg_has_role(owner, 'USAGE') AND NOT builtin);
GRANT SELECT, INSERT, UPDATE, DELETE ON cafe24.dashboard TO PUBLIC;
CREATE TRIGGER refuse_builtin_name BEFORE INSERT OR UPDATE OF name, builtin ON cafe24.dashboard
    FOR EACH ROW EXECUTE FUNCTION cafe24._refuse_builtin_name();

-- The dashboard a reference names for the caller: a bare name is the caller's own
-- dashboard, else the built-in one; owner.name is that role's.
CREATE FUNCTION cafe24._find_dashboard(ref text) RETURNS SETOF cafe24.dashboard
LANGUAGE sql STABLE ROWS 1 SET search_path = pg_catalog, pg_temp AS $$
    SELECT d.* FROM cafe24.dashboard AS d, cafe24._name_ref(ref) AS n
    WHERE d.name = n.name AND (d.owner = coalesce(n.owner, current_user::regrole::oid) OR (n.owner IS NULL AND d.builtin))
    ORDER BY d.builtin LIMIT 1
$$;
COMMENT ON FUNCTION cafe24._find_dashboard(text) IS 'Internal: the dashboard a reference (name or owner.name) names for the caller.';

CREATE TABLE cafe24.widget (
    dashboard_owner  regrole NOT NULL,
    dashboard        text NOT NULL,
    widget_no        integer NOT NULL,
    title            text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('kpi', 'line', 'bar', 'pie', 'table', 'forecast', 'funnel', 'cohort_heatmap')),
    kpis             text[],
    section          jsonb NOT NULL,
    col              integer NOT NULL CHECK (col BETWEEN 1 AND 12),
    "row"            integer NOT NULL CHECK ("row" >= 1),
    width            integer NOT NULL CHECK (width BETWEEN 1 AND 12 AND col + width <= 13),
    height           integer NOT NULL CHECK (height BETWEEN 1 AND 6),
    refresh_seconds  integer NOT NULL CHECK (refresh_seconds > 0),
    PRIMARY KEY (dashboard_owner, dashboard, widget_no),
    FOREIGN KEY (dashboard_owner, dashboard) REFERENCES cafe24.dashboard (owner, name) ON DELETE CASCADE ON UPDATE CASCADE
);
COMMENT ON TABLE cafe24.widget IS 'Widgets of dashboards, written by create_dashboard: kind, its query (as a report section) or KPI names, grid position and size, refresh interval. Visible with their dashboard.';
COMMENT ON COLUMN cafe24.widget.dashboard_owner IS 'Owner of the dashboard the widget belongs to.';
COMMENT ON COLUMN cafe24.widget.dashboard IS 'Name of the dashboard the widget belongs to.';
COMMENT ON COLUMN cafe24.widget.widget_no IS 'Position in the spec''s widget list, from 0.';
COMMENT ON COLUMN cafe24.widget.title IS 'Widget title.';
COMMENT ON COLUMN cafe24.widget.kind IS 'kpi, line, bar, pie, table, forecast, funnel or cohort_heatmap.';
COMMENT ON COLUMN cafe24.widget.kpis IS 'KPI names of a kpi widget (cafe24.kpi).';
COMMENT ON COLUMN cafe24.widget.section IS 'The widget''s data as a report section: query or analysis, display, columns.';
COMMENT ON COLUMN cafe24.widget.col IS 'First grid column, 1 to 12.';
COMMENT ON COLUMN cafe24.widget."row" IS 'First grid row, from 1.';
COMMENT ON COLUMN cafe24.widget.width IS 'Grid columns spanned.';
COMMENT ON COLUMN cafe24.widget.height IS 'Grid rows spanned (160 px each).';
COMMENT ON COLUMN cafe24.widget.refresh_seconds IS 'How often a front end should refresh it, in seconds.';
ALTER TABLE cafe24.widget ENABLE ROW LEVEL SECURITY;
CREATE POLICY widget_read ON cafe24.widget FOR SELECT
    USING (EXISTS (SELECT FROM cafe24.dashboard AS d WHERE d.owner = widget.dashboard_owner AND d.name = widget.dashboard));
CREATE POLICY widget_write ON cafe24.widget FOR ALL
    USING (EXISTS (SELECT FROM cafe24.dashboard AS d WHERE d.owner = widget.dashboard_owner AND d.name = widget.dashboard AND pg_has_role(d.owner, 'USAGE')))
    WITH CHECK (EXISTS (SELECT FROM cafe24.dashboard AS d WHERE d.owner = widget.dashboard_owner AND d.name = widget.dashboard AND pg_has_role(d.owner, 'USAGE')));
GRANT SELECT, INSERT, UPDATE, DELETE ON cafe24.widget TO PUBLIC;

CREATE FUNCTION cafe24.dashboard_data(name text, params jsonb DEFAULT '{}', widgets integer[] DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
    d record;
    w record;
    widgets jsonb := '[]';
    data jsonb;
    msg text;
    state text;
    bad text;
BEGIN
    SELECT * INTO d FROM cafe24._find_dashboard(dashboard_data.name);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'dashboard_data: dashboard "%" does not exist', dashboard_data.name
            USING ERRCODE = 'undefined_object',
                  HINT = 'A name is your own dashboard or a built-in one; name one shared with you as owner.name'
                         || coalesce(' (' || (SELECT string_agg(cafe24._name_of(x.owner, x.name, x.builtin), ', ' ORDER BY x.owner::text)
                                              FROM cafe24.dashboard AS x, cafe24._name_ref(dashboard_data.name) AS n WHERE x.name = n.name) || ')', '')
                         || '. SELECT owner, name FROM cafe24.dashboard lists the dashboards you can see.';
    END IF;
    IF params IS NOT NULL AND jsonb_typeof(params) <> 'object' THEN
        RAISE EXCEPTION 'dashboard_data: params = % is not a JSON object', params
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass params => ''{"shop_no": 1}''.';
    END IF;
    SELECT string_agg(k, ', ') INTO bad FROM jsonb_object_keys(coalesce(params, '{}')) AS k
    WHERE k NOT IN (SELECT p ->> 'name' FROM jsonb_array_elements(coalesce(d.spec -> 'parameters', '[]')) AS p);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'dashboard_data: params.% is not a parameter of this dashboard', bad
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Parameters: ' || coalesce((SELECT string_agg(p ->> 'name', ', ') FROM jsonb_array_elements(d.spec -> 'parameters') AS p), 'none') || '.';
    END IF;
    SELECT string_agg(n::text, ', ') INTO bad FROM unnest(dashboard_data.widgets) AS n
    WHERE n IS NULL OR n NOT IN (SELECT x.widget_no FROM cafe24.widget AS x WHERE x.dashboard_owner = d.owner AND x.dashboard = d.name);
    IF bad IS NOT NULL OR dashboard_data.widgets = '{}' THEN
        RAISE EXCEPTION 'dashboard_data: widgets = % %', dashboard_data.widgets,
                        CASE WHEN bad IS NULL THEN 'is empty' ELSE format('names no widget %s of dashboard "%s"', bad, d.name) END
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass widget numbers from dashboard_data(name) -> ''widgets'' -> i ->> ''widget_no'' (from 0), or NULL for every widget.';
    END IF;
    FOR w IN SELECT * FROM cafe24.widget AS x
             WHERE x.dashboard_owner = d.owner AND x.dashboard = d.name AND (dashboard_data.widgets IS NULL OR x.widget_no = ANY (dashboard_data.widgets))
             ORDER BY x.widget_no LOOP
        -- Each widget in its own subtransaction: a failing query shows its error, the rest render.
        BEGIN
            data := jsonb_build_object('data', cafe24._widget_data(d.owner::text || '.' || d.name, w.widget_no, params));
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
            data := jsonb_build_object('error', jsonb_build_object('message', msg, 'sqlstate', state));
        END;
        widgets := widgets || jsonb_build_array(jsonb_build_object(
            'widget_no', w.widget_no, 'title', w.title, 'kind', w.kind, 'kpis', w.kpis, 'refresh_seconds', w.refresh_seconds,
            'position', jsonb_build_object('col', w.col, 'row', w."row", 'width', w.width, 'height', w.height)) || data);
    END LOOP;
    RETURN jsonb_build_object('name', d.name, 'title', d.title, 'description', coalesce(d.spec ->> 'description', ''),
                              'refresh_seconds', d.refresh_seconds, 'params', coalesce(params, '{}'),
                              'generated_at', to_char(now(), 'YYYY-MM-DD HH24:MI:SS TZ'), 'widgets', widgets);
END $$;
COMMENT ON FUNCTION cafe24.dashboard_data(text, jsonb, integer[]) IS
'Every widget''s data (or only those whose widget_no is in widgets, to refresh one), ready for a front end: widget_no, title, kind, grid position, refresh interval, and columns and typed rows (or the error of a widget whose query failed; the other widgets still render).';
