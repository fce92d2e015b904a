-- Privileges: two roles (priv_alice, priv_bob) and an attacker (priv_mallory, who owns
-- schema mal) against every object family: jobs and run history, reports and their
-- outputs, dashboards and widgets, KPIs, forecast models, the progress view; the functions
-- not granted to PUBLIC; order data read through an analytics function's source; the
-- SECURITY DEFINER triggers fired by a role that may write orders; code another role
-- stored (a KPI, report, dashboard or model) run by alice or a superuser. Mallory plants
-- shadowing functions, operators, aggregates and types in mal (now(), = on bigint and text,
-- lower, coalesce, pg_sleep, count(*), ...) and temporary tables and views named like the
-- extension's, and calls everything with search_path = mal, pg_catalog (and mal, public,
-- and pg_temp first): each planted object records who called it in mal.hits and counts
-- every call made as another role in priv.privileged_calls (a sequence: rollbacks keep it),
-- and tries to make mallory superuser when the caller is one.
--
-- Every attempt goes through priv.priv_try(label, sql, expect): it runs the SQL as the
-- current role and records the outcome in priv.results. A leak is an attempt that
-- succeeded when it should have failed, saw rows it should not have, or made a planted
-- object run as another role. Only the leaks (and checks that could not run) are listed
-- below, with the count of attempts per family.
SET client_min_messages = error;
\set SHOW_CONTEXT never
\set ECHO none
SET TimeZone = 'Asia/Seoul';
SET statement_timeout = '120s';
DROP SCHEMA IF EXISTS priv, mal, alice_s CASCADE;
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
DO $$ DECLARE r text; BEGIN
    FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('priv_alice', 'priv_bob', 'priv_mallory') LOOP
        EXECUTE format('DROP OWNED BY %I; DROP ROLE %I', r, r);
    END LOOP;
END $$;
CREATE EXTENSION cafe24_analytics;
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT count(*) AS demo_tables FROM cafe24.generate_demo_data(seed => 3, shops => 2, products => 12, customers => 200, days => 90, start_date => '2025-01-01') \gset

CREATE ROLE priv_alice LOGIN;
CREATE ROLE priv_bob LOGIN;
CREATE ROLE priv_mallory LOGIN;
GRANT USAGE ON SCHEMA cafe24 TO priv_alice, priv_bob, priv_mallory;
-- Every shop's rows for each (per-shop isolation has its own test, shops.sql).
INSERT INTO cafe24.shop_access (role, shop_no) VALUES ('priv_alice', NULL), ('priv_bob', NULL), ('priv_mallory', NULL);
CREATE SCHEMA alice_s AUTHORIZATION priv_alice;
CREATE SCHEMA mal AUTHORIZATION priv_mallory;

-- ---------------------------------------------------------------------------------------
-- The harness, owned by the superuser; nothing in it is SECURITY DEFINER. Its own
-- statements run with search_path pinned; only the attempt runs with the path asked for.
CREATE SCHEMA priv;
GRANT USAGE ON SCHEMA priv TO PUBLIC;
CREATE SEQUENCE priv.privileged_calls;
SELECT nextval('priv.privileged_calls') AS calls_start \gset
GRANT USAGE, SELECT ON SEQUENCE priv.privileged_calls TO PUBLIC;
CREATE TABLE priv.results (
    seq               bigint GENERATED ALWAYS AS IDENTITY,
    family            text NOT NULL,
    actor             text NOT NULL,
    label             text NOT NULL,
    expect            text NOT NULL,
    search_path       text,
    outcome           text NOT NULL,
    sqlstate          text,
    message           text,
    row_count         bigint,
    privileged_calls  bigint NOT NULL,
    leak              boolean NOT NULL,
    broken            boolean NOT NULL
);
GRANT INSERT ON priv.results TO PUBLIC;
-- Ids and values of the victims' objects: an attacker is assumed to know or guess them.
CREATE TABLE priv.ids (k text PRIMARY KEY, id bigint, v text);
GRANT SELECT ON priv.ids TO PUBLIC;
CREATE FUNCTION priv.id(key text) RETURNS bigint LANGUAGE sql STABLE SET search_path = pg_catalog AS $$ SELECT id FROM priv.ids WHERE k = key $$;
CREATE FUNCTION priv.v(key text) RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog AS $$ SELECT v FROM priv.ids WHERE k = key $$;
-- The attacks, run by each attacker under each search_path (priv.run_attacks).
CREATE TABLE priv.attacks (
    seq     integer GENERATED ALWAYS AS IDENTITY,
    family  text NOT NULL,
    label   text NOT NULL,
    sql     text NOT NULL,
    expect  text NOT NULL,
    actors  text[] NOT NULL DEFAULT '{priv_bob,priv_mallory}'
);
GRANT SELECT ON priv.attacks TO PUBLIC;

-- expect: denied (must fail), no_privilege (must fail with 42501), empty (must fail or
-- return / touch no row), ok (must work; a failure is a broken check, not a leak),
-- nonempty (must return rows), true (must return true), any (either), setup (not counted;
-- a failure is a broken check). priv.attacks also has own (see run_attacks).
CREATE PROCEDURE priv.priv_try(label text, sql text, expect text, path text DEFAULT NULL)
LANGUAGE plpgsql AS $body$
DECLARE
    caller_path text := pg_catalog.current_setting('search_path');
    run_path text;
    fam text;
    want_value boolean;
    calls_before bigint;
    calls bigint;
    n bigint := 0;
    v boolean;
    st text;
    msg text;
    outcome text := 'ok';
    leaked boolean;
    is_broken boolean;
BEGIN
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    IF expect NOT IN ('denied', 'no_privilege', 'empty', 'ok', 'nonempty', 'true', 'any', 'setup') THEN
        RAISE EXCEPTION 'priv_try: unknown expectation %', expect;
    END IF;
    fam := coalesce(current_setting('priv.family', true), 'none');
    run_path := coalesce(path, caller_path);
    want_value := expect = 'true';
    SELECT s.last_value INTO calls_before FROM priv.privileged_calls AS s;
    BEGIN
        PERFORM pg_catalog.set_config('search_path', run_path, true);
        IF want_value THEN
            EXECUTE sql INTO v;
        ELSE
            EXECUTE sql;
        END IF;
        GET DIAGNOSTICS n = ROW_COUNT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        outcome := 'error';
    END;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    SELECT s.last_value - calls_before INTO calls FROM priv.privileged_calls AS s;
    leaked := calls > 0 OR CASE expect
        WHEN 'denied' THEN outcome = 'ok'
        WHEN 'no_privilege' THEN outcome = 'ok' OR st IS DISTINCT FROM '42501'
        WHEN 'empty' THEN outcome = 'ok' AND n > 0
        WHEN 'true' THEN outcome = 'ok' AND v IS NOT TRUE
        ELSE false END;
    is_broken := CASE
        WHEN expect IN ('ok', 'setup', 'true') THEN outcome = 'error'
        WHEN expect = 'nonempty' THEN outcome = 'error' OR n = 0
        ELSE false END;
    INSERT INTO priv.results (family, actor, label, expect, search_path, outcome, sqlstate, message, row_count, privileged_calls, leak, broken)
    VALUES (fam, current_user, label, expect, run_path, outcome, st, msg, n, calls, leaked, is_broken);
    PERFORM pg_catalog.set_config('search_path', caller_path, true);
END $body$;
GRANT EXECUTE ON PROCEDURE priv.priv_try(text, text, text, text) TO PUBLIC;

-- Runs the attacks of the families, in order, that name the current role among their
-- actors, with the given search_path (NULL: the caller's). An attack expected 'own' (an
-- operation on one's own object that is no privileged path) must work with the caller's
-- path; under a planted one, only what runs as whom counts.
CREATE PROCEDURE priv.run_attacks(families text[], path text DEFAULT NULL)
LANGUAGE plpgsql AS $body$
DECLARE
    caller_path text := pg_catalog.current_setting('search_path');
    a record;
BEGIN
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    FOR a IN SELECT x.* FROM priv.attacks AS x
             WHERE x.family = ANY (families) AND current_user::text = ANY (x.actors)
             ORDER BY array_position(families, x.family), x.seq LOOP
        PERFORM set_config('priv.family', a.family, true);
        CALL priv.priv_try(a.label, a.sql,
                           CASE WHEN a.expect <> 'own' THEN a.expect WHEN path IS NULL THEN 'ok' ELSE 'any' END,
                           coalesce(path, caller_path));
    END LOOP;
    PERFORM pg_catalog.set_config('search_path', caller_path, true);
END $body$;
GRANT EXECUTE ON PROCEDURE priv.run_attacks(text[], text) TO PUBLIC;

-- ---------------------------------------------------------------------------------------
-- Mallory's planted objects. Each records its call (who, what, session_user) and, called
-- as a superuser, makes mallory one.
SET ROLE priv_mallory;
GRANT USAGE ON SCHEMA mal TO PUBLIC;
CREATE TABLE mal.hits (who text, what text);
GRANT INSERT ON mal.hits TO PUBLIC;
CREATE FUNCTION mal.spy(what text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN
    IF current_user OPERATOR(pg_catalog.<>) 'priv_mallory' THEN
        PERFORM pg_catalog.nextval('priv.privileged_calls');
    END IF;
    BEGIN
        INSERT INTO mal.hits (who, what)
        VALUES (current_user, what OPERATOR(pg_catalog.||) ' [session_user ' OPERATOR(pg_catalog.||) session_user OPERATOR(pg_catalog.||) ']');
        IF (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname OPERATOR(pg_catalog.=) current_user)
           AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname OPERATOR(pg_catalog.=) 'priv_mallory') THEN
            EXECUTE 'ALTER ROLE priv_mallory SUPERUSER';
        END IF;
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
    RETURN true;
END $f$;
CREATE FUNCTION mal.spy_num(what text) RETURNS numeric LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy(what); RETURN 0; END $f$;
-- Functions.
CREATE FUNCTION mal.now() RETURNS timestamptz LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('now()'); RETURN pg_catalog.now(); END $f$;
CREATE FUNCTION mal.clock_timestamp() RETURNS timestamptz LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('clock_timestamp()'); RETURN pg_catalog.clock_timestamp(); END $f$;
CREATE FUNCTION mal.lower(text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('lower(text)'); RETURN pg_catalog.lower($1); END $f$;
CREATE FUNCTION mal.upper(text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('upper(text)'); RETURN pg_catalog.upper($1); END $f$;
CREATE FUNCTION mal.pg_sleep(double precision) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('pg_sleep(float8)'); END $f$;
CREATE FUNCTION mal."coalesce"(anyelement, anyelement) RETURNS anyelement LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('coalesce()'); RETURN COALESCE($1, $2); END $f$;
CREATE FUNCTION mal.nullif(anyelement, anyelement) RETURNS anyelement LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('nullif()'); RETURN NULLIF($1, $2); END $f$;
CREATE FUNCTION mal.format(text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('format(text)'); RETURN pg_catalog.format($1); END $f$;
CREATE FUNCTION mal.format(text, text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('format(text, text)'); RETURN pg_catalog.format($1, $2); END $f$;
CREATE FUNCTION mal.format(text, text, text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('format(text, text, text)'); RETURN pg_catalog.format($1, $2, $3); END $f$;
CREATE FUNCTION mal.current_setting(text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('current_setting(text)'); RETURN pg_catalog.current_setting($1); END $f$;
CREATE FUNCTION mal.current_setting(text, boolean) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('current_setting(text, bool)'); RETURN pg_catalog.current_setting($1, $2); END $f$;
CREATE FUNCTION mal.set_config(text, text, boolean) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('set_config()'); RETURN pg_catalog.set_config($1, $2, $3); END $f$;
CREATE FUNCTION mal.current_database() RETURNS name LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('current_database()'); RETURN pg_catalog.current_database(); END $f$;
CREATE FUNCTION mal.quote_ident(text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('quote_ident()'); RETURN pg_catalog.quote_ident($1); END $f$;
CREATE FUNCTION mal.quote_literal(text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('quote_literal()'); RETURN pg_catalog.quote_literal($1); END $f$;
CREATE FUNCTION mal.hashtext(text) RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('hashtext()'); RETURN pg_catalog.hashtext($1); END $f$;
CREATE FUNCTION mal.hashint8(bigint) RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('hashint8()'); RETURN pg_catalog.hashint8($1); END $f$;
CREATE FUNCTION mal.pg_advisory_xact_lock(integer, integer) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('pg_advisory_xact_lock()'); PERFORM pg_catalog.pg_advisory_xact_lock($1, $2); END $f$;
CREATE FUNCTION mal.pg_advisory_xact_lock_shared(integer, integer) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('pg_advisory_xact_lock_shared()'); PERFORM pg_catalog.pg_advisory_xact_lock_shared($1, $2); END $f$;
CREATE FUNCTION mal.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('unnest()'); RETURN QUERY SELECT pg_catalog.unnest($1); END $f$;
CREATE FUNCTION mal.round(numeric, integer) RETURNS numeric LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('round(numeric, int)'); RETURN pg_catalog.round($1, $2); END $f$;
CREATE FUNCTION mal.round(numeric) RETURNS numeric LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('round(numeric)'); RETURN pg_catalog.round($1); END $f$;
CREATE FUNCTION mal.to_regclass(text) RETURNS regclass LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('to_regclass()'); RETURN pg_catalog.to_regclass($1); END $f$;
CREATE FUNCTION mal.has_function_privilege(text, text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('has_function_privilege()'); RETURN pg_catalog.has_function_privilege($1, $2); END $f$;
CREATE FUNCTION mal.pg_notify(text, text) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('pg_notify()'); PERFORM pg_catalog.pg_notify($1, $2); END $f$;
CREATE FUNCTION mal.date_trunc(text, timestamptz) RETURNS timestamptz LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('date_trunc(text, timestamptz)'); RETURN pg_catalog.date_trunc($1, $2); END $f$;
CREATE FUNCTION mal.date_trunc(text, timestamp) RETURNS timestamp LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('date_trunc(text, timestamp)'); RETURN pg_catalog.date_trunc($1, $2); END $f$;
CREATE FUNCTION mal.to_char(timestamptz, text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('to_char()'); RETURN pg_catalog.to_char($1, $2); END $f$;
-- Aggregates: sum(numeric) and count(*).
CREATE FUNCTION mal.sum_step(numeric, numeric) RETURNS numeric LANGUAGE plpgsql STRICT SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('sum(numeric)'); RETURN $1 + $2; END $f$;
CREATE FUNCTION mal.sum_final(numeric) RETURNS numeric LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('sum(numeric)'); RETURN $1; END $f$;
CREATE AGGREGATE mal.sum(numeric) (SFUNC = mal.sum_step, STYPE = numeric, FINALFUNC = mal.sum_final);
CREATE FUNCTION mal.count_step(bigint) RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN RETURN $1 + 1; END $f$;
CREATE FUNCTION mal.count_final(bigint) RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('count(*)'); RETURN $1; END $f$;
CREATE AGGREGATE mal.count(*) (SFUNC = mal.count_step, STYPE = bigint, INITCOND = '0', FINALFUNC = mal.count_final);
-- Operators.
CREATE FUNCTION mal.op_int8eq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('= (bigint)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $f$;
CREATE OPERATOR mal.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = mal.op_int8eq);
CREATE FUNCTION mal.op_int4eq(integer, integer) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('= (integer)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $f$;
CREATE OPERATOR mal.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = mal.op_int4eq);
CREATE FUNCTION mal.op_texteq(text, text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('= (text)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $f$;
CREATE OPERATOR mal.= (LEFTARG = text, RIGHTARG = text, FUNCTION = mal.op_texteq);
CREATE FUNCTION mal.op_nametexteq(name, text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('= (name, text)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $f$;
CREATE OPERATOR mal.= (LEFTARG = name, RIGHTARG = text, FUNCTION = mal.op_nametexteq);
CREATE FUNCTION mal.op_oideq(oid, oid) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('= (oid)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $f$;
CREATE OPERATOR mal.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = mal.op_oideq);
CREATE FUNCTION mal.op_dateeq(date, date) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('= (date)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $f$;
CREATE OPERATOR mal.= (LEFTARG = date, RIGHTARG = date, FUNCTION = mal.op_dateeq);
CREATE FUNCTION mal.op_textne(text, text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('<> (text)'); RETURN $1 OPERATOR(pg_catalog.<>) $2; END $f$;
CREATE OPERATOR mal.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = mal.op_textne);
CREATE FUNCTION mal.op_textcat(text, text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('|| (text)'); RETURN $1 OPERATOR(pg_catalog.||) $2; END $f$;
CREATE OPERATOR mal.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = mal.op_textcat);
-- Temporary relations named like the extension's: empty tables of the same columns whose
-- writes are recorded (and a job row pointing at alice's job under mallory's name), or
-- views that record every read and then show the real rows.
CREATE FUNCTION mal.spy_write() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN PERFORM mal.spy('write to temporary ' || TG_TABLE_NAME); RETURN NULL; END $f$;
CREATE FUNCTION mal.spy_rows(what text, r anyelement) RETURNS SETOF anyelement LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN
    PERFORM mal.spy(what);
    RETURN QUERY EXECUTE format('SELECT * FROM %s', pg_typeof(r));
END $f$;
CREATE PROCEDURE mal.plant_temp_tables() LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
DECLARE t name;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class AS c WHERE c.relnamespace = 'cafe24'::regnamespace AND c.relkind IN ('r', 'v') ORDER BY 1 LOOP
        EXECUTE format('CREATE TEMP TABLE %I AS SELECT (NULL::cafe24.%I).* WITH NO DATA', t, t);
        EXECUTE format('CREATE TRIGGER spy BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON pg_temp.%I FOR EACH STATEMENT EXECUTE FUNCTION mal.spy_write()', t);
    END LOOP;
    ALTER TABLE pg_temp.job DISABLE TRIGGER spy;
    INSERT INTO pg_temp.job (jobid, schedule, command, nodename, nodeport, database, username, active, jobname)
    VALUES (priv.id('alice_job'), '0 4 * * *', 'SELECT 1', 'localhost', 5432, current_database(), 'priv_mallory', true, 'priv_mallory_job');
    ALTER TABLE pg_temp.job ENABLE TRIGGER spy;
END $f$;
CREATE PROCEDURE mal.plant_temp_views() LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
DECLARE t name;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class AS c WHERE c.relnamespace = 'cafe24'::regnamespace AND c.relkind IN ('r', 'v') ORDER BY 1 LOOP
        EXECUTE format('CREATE TEMP VIEW %I AS SELECT * FROM mal.spy_rows(%L, NULL::cafe24.%I)', t, 'read of temporary view ' || t, t);
    END LOOP;
END $f$;
-- Types: domains named like the built-in types whose check records every cast.
CREATE DOMAIN mal.text AS pg_catalog.text CHECK (mal.spy('cast to text'));
CREATE DOMAIN mal.jsonb AS pg_catalog.jsonb CHECK (mal.spy('cast to jsonb'));
CREATE DOMAIN mal.date AS pg_catalog.date CHECK (mal.spy('cast to date'));
CREATE DOMAIN mal.regclass AS pg_catalog.regclass CHECK (mal.spy('cast to regclass'));
CREATE DOMAIN mal.regrole AS pg_catalog.regrole CHECK (mal.spy('cast to regrole'));
CREATE DOMAIN mal.float8 AS pg_catalog.float8 CHECK (mal.spy('cast to float8'));
CREATE DOMAIN mal.int8 AS pg_catalog.int8 CHECK (mal.spy('cast to int8'));
CREATE DOMAIN mal.timestamptz AS pg_catalog.timestamptz CHECK (mal.spy('cast to timestamptz'));
CREATE DOMAIN mal.oid AS pg_catalog.oid CHECK (mal.spy('cast to oid'));
CREATE DOMAIN mal.bytea AS pg_catalog.bytea CHECK (mal.spy('cast to bytea'));
RESET ROLE;

-- ---------------------------------------------------------------------------------------
-- Functions not granted to PUBLIC: bob and mallory may call none of them (42501), called
-- with NULLs of their argument types. (Before any grant: alter_job, alter_job_options and
-- export_report are granted below, as pg_cron's alter_job is.)
INSERT INTO priv.attacks (family, label, sql, expect)
SELECT 'revoked functions', 'call ' || p.oid::regprocedure::text,
       format('SELECT %I.%I(%s)', n.nspname, p.proname,
              (SELECT string_agg(format('NULL::%I.%I', tn.nspname, t.typname), ', ' ORDER BY a.i)
               FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(typ, i)
               JOIN pg_type AS t ON t.oid = a.typ JOIN pg_namespace AS tn ON tn.oid = t.typnamespace)),
       'no_privilege'
FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
WHERE n.nspname = 'cafe24'
  AND NOT EXISTS (SELECT FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS a
                  WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
ORDER BY 2;
SET ROLE priv_bob;
CALL priv.run_attacks('{revoked functions}');
SET ROLE priv_mallory;
CALL priv.run_attacks('{revoked functions}');
CALL priv.run_attacks('{revoked functions}', 'mal, pg_catalog');
CALL priv.run_attacks('{revoked functions}', 'pg_temp, mal, pg_catalog');
RESET ROLE;

-- ---------------------------------------------------------------------------------------
-- Grants: alice reads the star schema; everyone may alter their jobs and export reports
-- (pg_cron's GRANT pattern); mallory may write orders and events and move shops and
-- products (a data loader: the aggregate and KPI triggers then run as their owner).
GRANT SELECT ON ALL TABLES IN SCHEMA cafe24 TO priv_alice;
GRANT EXECUTE ON FUNCTION cafe24.alter_job(bigint, text, text, text, text, boolean),
                          cafe24.alter_job_options(bigint, interval, integer, interval, integer, text),
                          cafe24.export_report(text, text, jsonb, text, boolean, boolean, boolean)
    TO priv_alice, priv_bob, priv_mallory;
GRANT INSERT, DELETE, SELECT (shop_no, order_item_code, status), UPDATE (status) ON cafe24.order_line TO priv_mallory;
GRANT INSERT, DELETE, SELECT (session_id), UPDATE (occurred_at) ON cafe24.behaviour_event TO priv_mallory;
GRANT SELECT (shop_no, timezone), UPDATE (timezone) ON cafe24.shop TO priv_mallory;
GRANT SELECT (product_id, category), UPDATE (category) ON cafe24.product TO priv_mallory;

-- ---------------------------------------------------------------------------------------
-- Alice's objects: private tables of orders and sales, jobs (one name also used by the
-- superuser), a report over her table and the star schema exported to a file and kept, a
-- dashboard, a formula and a query KPI, a saved forecast model.
SET ROLE priv_alice;
SET priv.family = 'setup';
GRANT USAGE ON SCHEMA alice_s TO PUBLIC;
CREATE TABLE alice_s.orders AS
SELECT 'c' || (i % 12) AS customer_id, timestamptz '2025-01-01 10:00+09' + (i * 37 % 80) * interval '1 day' AS ordered_at,
       (1000 + i * 137 % 5000)::numeric AS amount
FROM generate_series(1, 120) AS i;
CREATE TABLE alice_s.sales AS
SELECT 'secret' AS series_key, d::date AS ds, (100 + 20 * extract(isodow FROM d) + extract(doy FROM d)::integer % 7)::float8 AS y
FROM generate_series(date '2025-01-01', date '2025-03-31', interval '1 day') AS d;
CALL priv.priv_try('alice schedules alice_job', $$SELECT cafe24.schedule('alice_job', '0 5 * * *', 'SELECT 1')$$, 'setup');
CALL priv.priv_try('alice schedules priv_shared', $$SELECT cafe24.schedule('priv_shared', '0 6 * * *', 'SELECT 1')$$, 'setup');
CALL priv.priv_try('alice schedules priv_shared2', $$SELECT cafe24.schedule('priv_shared2', '0 7 * * *', 'SELECT 1')$$, 'setup');
CALL priv.priv_try('alice creates alice_report', $$SELECT cafe24.create_report('alice_report', '{
  "title": "Alice''s customers",
  "sections": [
    {"title": "Orders", "query": "SELECT customer_id, sum(amount) AS amount FROM alice_s.orders GROUP BY 1 ORDER BY 1"},
    {"title": "Months", "display": "bar", "x": "month", "y": ["revenue"],
     "query": "SELECT month::text AS month, sum(net_amount) AS revenue FROM cafe24.sales_monthly GROUP BY 1 ORDER BY 1"}
  ]}')$$, 'setup');
CALL priv.priv_try('alice exports alice_report', $$SELECT * FROM cafe24.export_report('alice_report', 'csv', file_name => 'privileges/alice_report.csv', overwrite => true, keep_content => true)$$, 'setup');
CALL priv.priv_try('alice creates alice_kpi', $$INSERT INTO cafe24.kpi (name, title, formula) VALUES ('alice_kpi', 'Alice''s revenue', 'sum(revenue) * 2')$$, 'setup');
CALL priv.priv_try('alice creates alice_query_kpi', $$INSERT INTO cafe24.kpi (name, title, query) VALUES ('alice_query_kpi', 'Alice''s customers', 'SELECT count(DISTINCT customer_id) FROM alice_s.orders WHERE ordered_at >= $1 AND ordered_at < $2')$$, 'setup');
CALL priv.priv_try('alice creates alice_dash', $$SELECT cafe24.create_dashboard('alice_dash', '{
  "title": "Alice",
  "widgets": [
    {"title": "KPIs", "kind": "kpi", "kpis": ["alice_kpi", "revenue"], "period": "month"},
    {"title": "Customers", "kind": "table", "query": "SELECT customer_id, count(*) AS orders FROM alice_s.orders GROUP BY 1 ORDER BY 1"},
    {"title": "Days", "kind": "line", "x": "day", "y": ["revenue"], "query": "SELECT day, sum(revenue) AS revenue FROM cafe24.kpi_daily_facts GROUP BY 1 ORDER BY 1"}
  ]}')$$, 'setup');
CALL priv.priv_try('alice trains alice_model', $$SELECT * FROM cafe24.train_forecast_model('alice_model', horizon => 7, model => 'seasonal_naive', source => 'alice_s.sales')$$, 'setup');
RESET ROLE;
-- A run of alice's job (jobs do not run outside the scheduler's database).
INSERT INTO priv.ids (k, id) SELECT 'alice_job', jobid FROM cafe24.job WHERE jobname = 'alice_job' AND username = 'priv_alice';
INSERT INTO cafe24.job_run_details (jobid, database, username, command, status, return_message, start_time, end_time)
SELECT priv.id('alice_job'), current_database(), 'priv_alice', 'SELECT 1', 'succeeded', 'SELECT 1', now(), now();
INSERT INTO priv.ids (k, id) SELECT 'alice_run', runid FROM cafe24.job_run_details WHERE username = 'priv_alice';
INSERT INTO priv.ids (k, id) SELECT 'alice_output', id FROM cafe24.report_output WHERE created_by = 'priv_alice'::regrole;
INSERT INTO priv.ids (k, v) VALUES ('alice_orders_oid', 'alice_s.orders'::regclass::oid::text), ('alice_sales_oid', 'alice_s.sales'::regclass::oid::text);
INSERT INTO priv.ids (k, id) SELECT 'product', min(product_id) FROM cafe24.product;
INSERT INTO priv.ids (k, id) SELECT 'customer', min(customer_id) FROM cafe24.customer;
INSERT INTO priv.ids (k, v) SELECT 'product_category', category FROM cafe24.product WHERE product_id = priv.id('product');
INSERT INTO priv.ids (k, v) SELECT 'shop2_tz', timezone FROM cafe24.shop WHERE shop_no = 2;
-- Fingerprints of what must not change.
CREATE FUNCTION priv.state(key text) RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
SELECT CASE key
    WHEN 'alice jobs' THEN (SELECT md5(string_agg(j::text, ';' ORDER BY j.jobid)) FROM cafe24.job AS j WHERE j.username = 'priv_alice')
    WHEN 'alice runs' THEN (SELECT md5(string_agg(r::text, ';' ORDER BY r.runid)) FROM cafe24.job_run_details AS r WHERE r.username = 'priv_alice')
    WHEN 'alice report' THEN (SELECT md5(string_agg(r::text, ';' ORDER BY r.name)) FROM cafe24.report AS r WHERE r.owner = 'priv_alice'::regrole)
    WHEN 'templates' THEN (SELECT md5(string_agg(r::text, ';' ORDER BY r.name)) FROM cafe24.report AS r WHERE r.template)
    WHEN 'alice outputs' THEN (SELECT md5(string_agg(o::text, ';' ORDER BY o.id)) FROM cafe24.report_output AS o WHERE o.created_by = 'priv_alice'::regrole)
    WHEN 'alice file' THEN (SELECT encode(sha256(pg_read_binary_file(o.path)), 'hex') FROM cafe24.report_output AS o WHERE o.id = priv.id('alice_output'))
    WHEN 'alice dashboard' THEN (SELECT md5(string_agg(d::text, ';' ORDER BY d.name)) FROM cafe24.dashboard AS d WHERE d.owner = 'priv_alice'::regrole)
        || (SELECT md5(string_agg(w::text, ';' ORDER BY w.dashboard, w.widget_no)) FROM cafe24.widget AS w JOIN cafe24.dashboard AS d ON d.owner = w.dashboard_owner AND d.name = w.dashboard WHERE d.owner = 'priv_alice'::regrole)
    WHEN 'builtin dashboard' THEN (SELECT md5(string_agg(d::text, ';' ORDER BY d.name)) FROM cafe24.dashboard AS d WHERE d.builtin)
        || (SELECT md5(string_agg(w::text, ';' ORDER BY w.dashboard, w.widget_no)) FROM cafe24.widget AS w JOIN cafe24.dashboard AS d ON d.owner = w.dashboard_owner AND d.name = w.dashboard WHERE d.builtin)
    WHEN 'alice kpis' THEN (SELECT md5(string_agg(k::text, ';' ORDER BY k.name)) FROM cafe24.kpi AS k WHERE k.owner = 'priv_alice'::regrole)
    WHEN 'builtin kpis' THEN (SELECT md5(string_agg(k::text, ';' ORDER BY k.name)) FROM cafe24.kpi AS k WHERE k.builtin)
    WHEN 'alice model' THEN (SELECT md5(string_agg(m::text, ';' ORDER BY m.name)) FROM cafe24.forecast_model AS m WHERE m.owner = 'priv_alice'::regrole)
        || (SELECT md5(string_agg(s::text, ';' ORDER BY s.model_name, s.series_key)) FROM cafe24.forecast_model_series AS s JOIN cafe24.forecast_model AS m ON m.owner = s.model_owner AND m.name = s.model_name WHERE m.owner = 'priv_alice'::regrole)
END
$$;
CREATE TABLE priv.snap AS SELECT k, priv.state(k) AS v FROM unnest(ARRAY['alice jobs', 'alice runs', 'alice report', 'templates', 'alice outputs',
    'alice file', 'alice dashboard', 'builtin dashboard', 'alice kpis', 'builtin kpis', 'alice model']) AS k;

-- Mallory's KPIs: one shared with alice, one private with a query, one marked live; each
-- calls a planted function.
SET ROLE priv_mallory;
SET priv.family = 'setup';
CALL priv.priv_try('mallory shares a KPI with alice', $$INSERT INTO cafe24.kpi (name, title, formula, readers) VALUES ('mal_shared_kpi', 'Free insight', 'sum(revenue) + mal.spy_num(''formula of a KPI shared with alice'')', '{priv_alice}')$$, 'setup');
CALL priv.priv_try('mallory creates a query KPI', $$INSERT INTO cafe24.kpi (name, title, query) VALUES ('mal_query_kpi', 'Mallory''s', 'SELECT mal.spy_num(''query of a private KPI'')')$$, 'setup');
CALL priv.priv_try('mallory creates a live KPI', $$INSERT INTO cafe24.kpi (name, title, formula, live) VALUES ('mal_live_kpi', 'Mallory''s live', 'sum(revenue) + mal.spy_num(''formula of a live KPI'')', true)$$, 'setup');
CALL priv.priv_try('mallory creates a view over alice''s orders', $$CREATE VIEW mal.alice_orders AS SELECT * FROM alice_s.orders$$, 'setup');
RESET ROLE;

-- ---------------------------------------------------------------------------------------
-- The attacks. Own objects are named after the attacker (current_user || '_...'). Names
-- are per owner, so alice's objects are attacked as priv_alice.<name> (a bare name is the
-- attacker's own or a built-in), and an own object named like alice's must work.

-- Jobs and run history.
INSERT INTO priv.attacks (family, label, sql, expect) VALUES
('jobs', 'read alice''s jobs', $q$SELECT * FROM cafe24.job WHERE username = 'priv_alice'$q$, 'empty'),
('jobs', 'read alice''s job by id', $q$SELECT * FROM cafe24.job WHERE jobid = priv.id('alice_job')$q$, 'empty'),
('jobs', 'read other roles'' jobs', $q$SELECT * FROM cafe24.job WHERE username <> current_user$q$, 'empty'),
('jobs', 'read alice''s run history', $q$SELECT * FROM cafe24.job_run_details WHERE username = 'priv_alice'$q$, 'empty'),
('jobs', 'read run history by id', $q$SELECT * FROM cafe24.job_run_details WHERE jobid = priv.id('alice_job') OR runid = priv.id('alice_run')$q$, 'empty'),
('jobs', 'delete alice''s run', $q$DELETE FROM cafe24.job_run_details WHERE runid = priv.id('alice_run')$q$, 'empty'),
('jobs', 'delete other roles'' runs', $q$DELETE FROM cafe24.job_run_details WHERE username <> current_user$q$, 'empty'),
('jobs', 'rewrite alice''s run', $q$UPDATE cafe24.job_run_details SET status = 'failed', return_message = 'forged' WHERE runid = priv.id('alice_run')$q$, 'denied'),
('jobs', 'forge a run of alice''s job', $q$INSERT INTO cafe24.job_run_details (jobid, database, username, command, status) VALUES (priv.id('alice_job'), current_database(), 'priv_alice', 'SELECT 666', 'succeeded')$q$, 'denied'),
('jobs', 'truncate run history', $q$TRUNCATE cafe24.job_run_details$q$, 'denied'),
('jobs', 'record alice''s run through _record_run', $q$SELECT cafe24._record_run(priv.id('alice_run'), 'failed', 'forged', now(), now(), 1, false)$q$, 'no_privilege'),
('jobs', 'update alice''s job directly', $q$UPDATE cafe24.job SET command = 'SELECT 666' WHERE jobid = priv.id('alice_job')$q$, 'denied'),
('jobs', 'delete alice''s job directly', $q$DELETE FROM cafe24.job WHERE jobid = priv.id('alice_job')$q$, 'denied'),
('jobs', 'insert a job for alice directly', $q$INSERT INTO cafe24.job (schedule, command, username, jobname) VALUES ('* * * * *', 'SELECT 666', 'priv_alice', 'planted')$q$, 'denied'),
('jobs', 'truncate jobs', $q$TRUNCATE cafe24.job$q$, 'denied'),
('jobs', 'unschedule alice''s job by id', $q$SELECT cafe24.unschedule(priv.id('alice_job'))$q$, 'denied'),
('jobs', 'unschedule alice''s job by name', $q$SELECT cafe24.unschedule('alice_job')$q$, 'denied'),
('jobs', 'run_job alice''s job by id', $q$SELECT cafe24.run_job(priv.id('alice_job'))$q$, 'denied'),
('jobs', 'run_job alice''s job by name', $q$SELECT cafe24.run_job('alice_job')$q$, 'denied'),
('jobs', 'alter_job alice''s command', $q$SELECT cafe24.alter_job(priv.id('alice_job'), command => 'SELECT 666')$q$, 'denied'),
('jobs', 'alter_job alice''s schedule and active', $q$SELECT cafe24.alter_job(priv.id('alice_job'), schedule => '* * * * *', active => false)$q$, 'denied'),
('jobs', 'alter_job: take alice''s job', $q$SELECT cafe24.alter_job(priv.id('alice_job'), username => current_user)$q$, 'denied'),
('jobs', 'alter_job alice''s database', $q$SELECT cafe24.alter_job(priv.id('alice_job'), database => 'postgres')$q$, 'denied'),
('jobs', 'alter_job_options alice''s timeout and retries', $q$SELECT cafe24.alter_job_options(priv.id('alice_job'), timeout => '1 second', retries => 5)$q$, 'denied'),
('jobs', 'alter_job_options alice''s history and zone', $q$SELECT cafe24.alter_job_options(priv.id('alice_job'), max_run_history => 1, timezone => 'UTC')$q$, 'denied'),
('jobs', 'schedule_in_database as alice', $q$SELECT cafe24.schedule_in_database('planted', '* * * * *', 'SELECT 666', current_database(), 'priv_alice')$q$, 'denied'),
('jobs', 'schedule an own job', $q$SELECT cafe24.schedule(current_user || '_job', '0 4 * * *', 'SELECT 1')$q$, 'ok'),
('jobs', 'schedule an own job named like alice''s', $q$SELECT cafe24.schedule('alice_job', '0 4 * * *', 'SELECT 2')$q$, 'ok'),
('jobs', 'schedule an own unnamed job', $q$SELECT cafe24.schedule('0 4 * * *', 'SELECT 3')$q$, 'ok'),
('jobs', 'alter_job: give an own job to alice', $q$SELECT cafe24.alter_job((SELECT jobid FROM cafe24.job WHERE jobname = current_user || '_job'), username => 'priv_alice')$q$, 'denied'),
('jobs', 'run_job an own job by name', $q$SELECT cafe24.run_job(current_user || '_job')$q$, 'ok'),
('jobs', 'run_job an own job by id', $q$SELECT cafe24.run_job(jobid) FROM cafe24.job WHERE jobname = 'alice_job' AND username = current_user$q$, 'ok'),
('jobs', 'alter_job an own job', $q$SELECT cafe24.alter_job((SELECT jobid FROM cafe24.job WHERE jobname = current_user || '_job'), schedule => '0 3 * * *', command => 'SELECT 4', active => false)$q$, 'ok'),
('jobs', 'alter_job_options an own job', $q$SELECT cafe24.alter_job_options((SELECT jobid FROM cafe24.job WHERE jobname = current_user || '_job'), timeout => '1 minute', retries => 1, timezone => 'Asia/Seoul')$q$, 'ok'),
('jobs', 'cron_next', $q$SELECT * FROM cafe24.cron_next('0 9 * * MON-FRI', now(), 3)$q$, 'ok'),
('jobs', 'unschedule the own job named like alice''s', $q$SELECT cafe24.unschedule('alice_job')$q$, 'ok'),
('jobs', 'unschedule an own job by id', $q$SELECT cafe24.unschedule(jobid) FROM cafe24.job WHERE jobname IS NULL AND username = current_user$q$, 'ok'),
('jobs', 'unschedule an own job by name', $q$SELECT cafe24.unschedule(current_user || '_job')$q$, 'ok');

-- Reports and report outputs.
INSERT INTO priv.attacks (family, label, sql, expect) VALUES
('reports', 'read alice''s report', $q$SELECT * FROM cafe24.report WHERE name = 'alice_report'$q$, 'empty'),
('reports', 'read alice''s reports by owner', $q$SELECT * FROM cafe24.report WHERE owner = 'priv_alice'::regrole$q$, 'empty'),
('reports', 'read reports not shared', $q$SELECT * FROM cafe24.report WHERE NOT template AND NOT pg_has_role(owner, 'USAGE')$q$, 'empty'),
('reports', 'rewrite alice''s spec', $q$UPDATE cafe24.report SET spec = '{"title": "pwned", "sections": [{"title": "a", "query": "SELECT 666"}]}' WHERE name = 'alice_report'$q$, 'empty'),
('reports', 'share alice''s report with oneself', $q$UPDATE cafe24.report SET readers = readers || current_user::regrole WHERE name = 'alice_report'$q$, 'empty'),
('reports', 'take alice''s report', $q$UPDATE cafe24.report SET owner = current_user::regrole WHERE name = 'alice_report'$q$, 'empty'),
('reports', 'delete alice''s report directly', $q$DELETE FROM cafe24.report WHERE name = 'alice_report'$q$, 'empty'),
('reports', 'drop_report alice''s', $q$SELECT cafe24.drop_report('priv_alice.alice_report')$q$, 'denied'),
('reports', 'drop_report alice''s if it exists', $q$SELECT 1 WHERE cafe24.drop_report('priv_alice.alice_report', if_exists => true)$q$, 'empty'),
('reports', 'create_report over alice''s', $q$SELECT cafe24.create_report('priv_alice.alice_report', '{"title": "pwned", "sections": [{"title": "a", "query": "SELECT 666 AS n"}]}', replace => true)$q$, 'denied'),
('reports', 'render alice''s report as pdf', $q$SELECT cafe24.render_report('priv_alice.alice_report', 'pdf')$q$, 'denied'),
('reports', 'render alice''s report as xlsx', $q$SELECT cafe24.render_report('priv_alice.alice_report', 'xlsx')$q$, 'denied'),
('reports', 'render alice''s report as csv', $q$SELECT cafe24.render_report('priv_alice.alice_report', 'csv')$q$, 'denied'),
('reports', 'render alice''s report as html', $q$SELECT cafe24.render_report('priv_alice.alice_report', 'html')$q$, 'denied'),
('reports', 'render alice''s report as json', $q$SELECT cafe24.render_report('priv_alice.alice_report', 'json')$q$, 'denied'),
('reports', 'export alice''s report, kept', $q$SELECT * FROM cafe24.export_report('priv_alice.alice_report', 'csv', keep_content => true)$q$, 'denied'),
('reports', 'export alice''s report to a file', $q$SELECT * FROM cafe24.export_report('priv_alice.alice_report', 'json', file_name => 'privileges/stolen.json', overwrite => true)$q$, 'denied'),
('reports', 'schedule_report alice''s report', $q$SELECT cafe24.schedule_report('steal', '@daily', 'priv_alice.alice_report', 'csv')$q$, 'denied'),
('reports', 'plant a report owned by alice', $q$INSERT INTO cafe24.report (name, title, spec, owner) VALUES ('planted_report', 'Planted', '{"title": "Planted", "sections": [{"title": "a", "query": "SELECT 1"}]}', 'priv_alice')$q$, 'denied'),
('reports', 'plant a template', $q$INSERT INTO cafe24.report (name, title, spec, template) VALUES ('planted_template', 'Planted', '{"title": "Planted", "sections": [{"title": "a", "query": "SELECT 1"}]}', true)$q$, 'denied'),
('reports', 'rewrite the templates', $q$UPDATE cafe24.report SET spec = '{"title": "pwned", "sections": [{"title": "a", "query": "SELECT 666"}]}' WHERE template$q$, 'empty'),
('reports', 'delete the templates', $q$DELETE FROM cafe24.report WHERE template$q$, 'empty'),
('reports', 'read alice''s outputs', $q$SELECT * FROM cafe24.report_output WHERE created_by = 'priv_alice'::regrole OR id = priv.id('alice_output')$q$, 'empty'),
('reports', 'read outputs of other roles', $q$SELECT * FROM cafe24.report_output WHERE NOT pg_has_role(created_by, 'USAGE')$q$, 'empty'),
('reports', 'read the content alice kept', $q$SELECT content FROM cafe24.report_output WHERE report = 'alice_report'$q$, 'empty'),
('reports', 'delete alice''s output', $q$DELETE FROM cafe24.report_output WHERE id = priv.id('alice_output')$q$, 'empty'),
('reports', 'rewrite alice''s output', $q$UPDATE cafe24.report_output SET content = NULL, path = '/tmp/x' WHERE id = priv.id('alice_output')$q$, 'denied'),
('reports', 'forge an output of alice', $q$INSERT INTO cafe24.report_output (report, report_owner, format, bytes, sha256, rows, duration, created_by) VALUES ('alice_report', 'priv_alice', 'csv', 1, 'x', 1, '1 second', 'priv_alice')$q$, 'denied'),
('reports', 'render the monthly_sales template (order data)', $q$SELECT cafe24.render_report('monthly_sales', 'json', '{"month": "2025-02-01"}')$q$, 'denied'),
('reports', 'render the customer_segments template (order data)', $q$SELECT cafe24.render_report('customer_segments', 'json')$q$, 'denied'),
('reports', 'create an own report', $q$SELECT cafe24.create_report(current_user || '_report', '{"title": "Own", "parameters": [{"name": "d", "type": "date", "default": "2025-01-01"}], "sections": [{"title": "a", "query": "SELECT 1 AS one, ''x'' AS t, $1 AS d"}, {"title": "b", "display": "bar", "x": "t", "y": ["one"], "query": "SELECT ''x'' AS t, 1 AS one"}]}')$q$, 'ok'),
('reports', 'render an own report as pdf', $q$SELECT cafe24.render_report(current_user || '_report', 'pdf')$q$, 'ok'),
('reports', 'render an own report as xlsx', $q$SELECT cafe24.render_report(current_user || '_report', 'xlsx')$q$, 'ok'),
('reports', 'render an own report as html', $q$SELECT cafe24.render_report(current_user || '_report', 'html', '{"d": "2025-02-01"}')$q$, 'ok'),
('reports', 'render an own report as json', $q$SELECT cafe24.render_report(current_user || '_report', 'json')$q$, 'ok'),
('reports', 'export an own report', $q$SELECT * FROM cafe24.export_report(current_user || '_report', 'csv', file_name => 'privileges/' || current_user || '.csv', overwrite => true, keep_content => true)$q$, 'ok'),
('reports', 'export an own report over alice''s file', $q$SELECT * FROM cafe24.export_report(current_user || '_report', 'csv', file_name => 'privileges/alice_report.csv', overwrite => true)$q$, 'denied'),
('reports', 'give an own report to alice', $q$UPDATE cafe24.report SET owner = 'priv_alice' WHERE name = current_user || '_report'$q$, 'empty'),
('reports', 'make an own report a template', $q$UPDATE cafe24.report SET template = true WHERE name = current_user || '_report'$q$, 'empty'),
('reports', 'schedule_report an own report', $q$SELECT cafe24.schedule_report(current_user || '_report_job', '@daily', current_user || '_report', 'csv', '{}', 'privileges/{report}_{date}.csv')$q$, 'ok'),
('reports', 'unschedule the own report job', $q$SELECT cafe24.unschedule(current_user || '_report_job')$q$, 'ok'),
('reports', 'delete own outputs', $q$DELETE FROM cafe24.report_output WHERE created_by = current_user::regrole$q$, 'ok'),
('reports', 'drop an own report', $q$SELECT cafe24.drop_report(current_user || '_report')$q$, 'ok'),
('reports', 'create an own report named like alice''s', $q$SELECT cafe24.create_report('alice_report', '{"title": "Own", "sections": [{"title": "a", "query": "SELECT 1 AS one"}]}')$q$, 'ok'),
('reports', 'render it', $q$SELECT cafe24.render_report('alice_report', 'json')$q$, 'ok'),
('reports', 'create a report named like a template', $q$SELECT cafe24.create_report('monthly_sales', '{"title": "pwned", "sections": [{"title": "a", "query": "SELECT 666 AS n"}]}', replace => true)$q$, 'denied'),
('reports', 'rename the own one like a template', $q$UPDATE cafe24.report SET name = 'monthly_sales' WHERE owner = current_user::regrole AND name = 'alice_report'$q$, 'denied'),
('reports', 'drop the own one named like alice''s', $q$SELECT cafe24.drop_report('alice_report')$q$, 'ok');

-- Dashboards and widgets.
INSERT INTO priv.attacks (family, label, sql, expect) VALUES
('dashboards', 'read alice''s dashboard', $q$SELECT * FROM cafe24.dashboard WHERE name = 'alice_dash'$q$, 'empty'),
('dashboards', 'read alice''s dashboards by owner', $q$SELECT * FROM cafe24.dashboard WHERE owner = 'priv_alice'::regrole$q$, 'empty'),
('dashboards', 'read alice''s widgets', $q$SELECT * FROM cafe24.widget WHERE dashboard = 'alice_dash'$q$, 'empty'),
('dashboards', 'rewrite alice''s spec', $q$UPDATE cafe24.dashboard SET spec = '{}', title = 'pwned' WHERE name = 'alice_dash'$q$, 'empty'),
('dashboards', 'share alice''s dashboard with oneself', $q$UPDATE cafe24.dashboard SET readers = readers || current_user::regrole WHERE name = 'alice_dash'$q$, 'empty'),
('dashboards', 'take alice''s dashboard', $q$UPDATE cafe24.dashboard SET owner = current_user::regrole WHERE name = 'alice_dash'$q$, 'empty'),
('dashboards', 'rename alice''s dashboard', $q$UPDATE cafe24.dashboard SET name = 'stolen' WHERE name = 'alice_dash'$q$, 'empty'),
('dashboards', 'rewrite alice''s widgets', $q$UPDATE cafe24.widget SET section = '{"title": "x", "query": "SELECT 666 AS n"}' WHERE dashboard = 'alice_dash'$q$, 'empty'),
('dashboards', 'delete alice''s widgets', $q$DELETE FROM cafe24.widget WHERE dashboard = 'alice_dash'$q$, 'empty'),
('dashboards', 'add a widget to alice''s dashboard', $q$INSERT INTO cafe24.widget (dashboard_owner, dashboard, widget_no, title, kind, section, col, "row", width, height, refresh_seconds) VALUES ('priv_alice', 'alice_dash', 99, 'planted', 'table', '{"title": "planted", "query": "SELECT 666 AS n"}', 1, 9, 1, 1, 60)$q$, 'denied'),
('dashboards', 'delete alice''s dashboard directly', $q$DELETE FROM cafe24.dashboard WHERE name = 'alice_dash'$q$, 'empty'),
('dashboards', 'drop_dashboard alice''s', $q$SELECT cafe24.drop_dashboard('priv_alice.alice_dash')$q$, 'denied'),
('dashboards', 'drop_dashboard alice''s if it exists', $q$SELECT 1 WHERE cafe24.drop_dashboard('priv_alice.alice_dash', if_exists => true)$q$, 'empty'),
('dashboards', 'create_dashboard over alice''s', $q$SELECT cafe24.create_dashboard('priv_alice.alice_dash', '{"title": "pwned", "widgets": [{"title": "a", "kind": "table", "query": "SELECT 666 AS n"}]}', replace => true)$q$, 'denied'),
('dashboards', 'dashboard_data of alice''s', $q$SELECT cafe24.dashboard_data('priv_alice.alice_dash')$q$, 'denied'),
('dashboards', 'render alice''s dashboard as html', $q$SELECT cafe24.render_dashboard('priv_alice.alice_dash', 'html')$q$, 'denied'),
('dashboards', 'render alice''s dashboard as pdf', $q$SELECT cafe24.render_dashboard('priv_alice.alice_dash', 'pdf')$q$, 'denied'),
('dashboards', '_widget_data of alice''s KPI widget', $q$SELECT cafe24._widget_data('priv_alice.alice_dash', 0)$q$, 'denied'),
('dashboards', '_widget_data of alice''s table widget', $q$SELECT cafe24._widget_data('priv_alice.alice_dash', 1)$q$, 'denied'),
('dashboards', 'plant a dashboard owned by alice', $q$INSERT INTO cafe24.dashboard (name, title, spec, owner) VALUES ('planted_dash', 'Planted', '{}', 'priv_alice')$q$, 'denied'),
('dashboards', 'plant a built-in dashboard', $q$INSERT INTO cafe24.dashboard (name, title, spec, builtin) VALUES ('planted_builtin', 'Planted', '{}', true)$q$, 'denied'),
('dashboards', 'rewrite the built-in dashboard', $q$UPDATE cafe24.dashboard SET title = 'pwned' WHERE builtin$q$, 'empty'),
('dashboards', 'rewrite the built-in widgets', $q$UPDATE cafe24.widget SET section = '{"title": "x", "query": "SELECT 666 AS n"}' WHERE dashboard = 'merchant_overview'$q$, 'empty'),
('dashboards', 'add a widget to the built-in dashboard', $q$INSERT INTO cafe24.widget (dashboard_owner, dashboard, widget_no, title, kind, section, col, "row", width, height, refresh_seconds) VALUES ('postgres', 'merchant_overview', 99, 'planted', 'table', '{"title": "planted", "query": "SELECT 666 AS n"}', 1, 9, 1, 1, 60)$q$, 'denied'),
('dashboards', 'delete the built-in widgets', $q$DELETE FROM cafe24.widget WHERE dashboard = 'merchant_overview'$q$, 'empty'),
('dashboards', 'delete the built-in dashboard', $q$DELETE FROM cafe24.dashboard WHERE builtin$q$, 'empty'),
('dashboards', 'drop_dashboard the built-in one', $q$SELECT cafe24.drop_dashboard('merchant_overview')$q$, 'denied'),
('dashboards', 'the built-in dashboard shows no order data', $q$SELECT w FROM jsonb_array_elements(cafe24.dashboard_data('merchant_overview') -> 'widgets') AS w WHERE w -> 'error' IS NULL$q$, 'empty'),
('dashboards', 'create an own dashboard', $q$SELECT cafe24.create_dashboard(current_user || '_dash', '{"title": "Own", "widgets": [{"title": "t", "kind": "table", "query": "SELECT 1 AS one"}, {"title": "c", "kind": "bar", "x": "k", "y": ["v"], "query": "SELECT ''a'' AS k, 1 AS v"}]}')$q$, 'ok'),
('dashboards', 'dashboard_data of an own dashboard', $q$SELECT cafe24.dashboard_data(current_user || '_dash')$q$, 'ok'),
('dashboards', 'render an own dashboard as html', $q$SELECT cafe24.render_dashboard(current_user || '_dash', 'html')$q$, 'ok'),
('dashboards', 'render an own dashboard as pdf', $q$SELECT cafe24.render_dashboard(current_user || '_dash', 'pdf')$q$, 'ok'),
('dashboards', 'a widget of alice''s KPI', $q$SELECT cafe24.create_dashboard(current_user || '_kpis', '{"title": "K", "widgets": [{"title": "k", "kind": "kpi", "kpis": ["alice_kpi"]}]}')$q$, 'any'),
('dashboards', 'its data is refused', $q$SELECT w FROM jsonb_array_elements(cafe24.dashboard_data(current_user || '_kpis') -> 'widgets') AS w WHERE w -> 'error' IS NULL$q$, 'empty'),
('dashboards', 'drop that dashboard', $q$SELECT cafe24.drop_dashboard(current_user || '_kpis', if_exists => true)$q$, 'any'),
('dashboards', 'give an own dashboard to alice', $q$UPDATE cafe24.dashboard SET owner = 'priv_alice' WHERE name = current_user || '_dash'$q$, 'empty'),
('dashboards', 'make an own dashboard built in', $q$UPDATE cafe24.dashboard SET builtin = true WHERE name = current_user || '_dash'$q$, 'empty'),
('dashboards', 'move an own widget to alice''s dashboard', $q$UPDATE cafe24.widget SET dashboard_owner = 'priv_alice', dashboard = 'alice_dash', widget_no = 98 WHERE dashboard = current_user || '_dash' AND widget_no = 0$q$, 'denied'),
('dashboards', 'rename an own dashboard like the built-in one', $q$UPDATE cafe24.dashboard SET name = 'merchant_overview' WHERE name = current_user || '_dash'$q$, 'denied'),
('dashboards', 'create an own dashboard named like alice''s', $q$SELECT cafe24.create_dashboard('alice_dash', '{"title": "Own", "widgets": [{"title": "t", "kind": "table", "query": "SELECT 1 AS one"}]}')$q$, 'ok'),
('dashboards', 'its data', $q$SELECT cafe24.dashboard_data('alice_dash') #> '{widgets,0,data,rows}' = '[[1]]'$q$, 'true'),
('dashboards', 'drop it', $q$SELECT cafe24.drop_dashboard('alice_dash')$q$, 'ok'),
('dashboards', 'drop an own dashboard', $q$SELECT cafe24.drop_dashboard(current_user || '_dash')$q$, 'ok');

-- KPIs.
INSERT INTO priv.attacks (family, label, sql, expect) VALUES
('kpis', 'read alice''s KPIs', $q$SELECT * FROM cafe24.kpi WHERE name IN ('alice_kpi', 'alice_query_kpi')$q$, 'empty'),
('kpis', 'read alice''s KPIs by owner', $q$SELECT * FROM cafe24.kpi WHERE owner = 'priv_alice'::regrole$q$, 'empty'),
('kpis', 'rewrite alice''s formula', $q$UPDATE cafe24.kpi SET formula = 'sum(revenue) * 0 + 666' WHERE name = 'alice_kpi'$q$, 'empty'),
('kpis', 'rewrite alice''s query', $q$UPDATE cafe24.kpi SET query = 'SELECT 666' WHERE name = 'alice_query_kpi'$q$, 'empty'),
('kpis', 'share alice''s KPI with oneself', $q$UPDATE cafe24.kpi SET readers = readers || current_user::regrole WHERE name = 'alice_kpi'$q$, 'empty'),
('kpis', 'take alice''s KPI', $q$UPDATE cafe24.kpi SET owner = current_user::regrole WHERE name = 'alice_kpi'$q$, 'empty'),
('kpis', 'delete alice''s KPIs', $q$DELETE FROM cafe24.kpi WHERE name LIKE 'alice%'$q$, 'empty'),
('kpis', 'kpi_values of alice''s formula KPI', $q$SELECT * FROM cafe24.kpi_values(names => '{priv_alice.alice_kpi}', as_of => '2025-02-28')$q$, 'denied'),
('kpis', 'kpi_values of alice''s query KPI', $q$SELECT * FROM cafe24.kpi_values(names => '{priv_alice.alice_query_kpi}', as_of => '2025-02-28')$q$, 'denied'),
('kpis', 'kpi_values lists none of alice''s', $q$SELECT * FROM cafe24.kpi_values(as_of => '2025-02-28') WHERE kpi LIKE 'alice%'$q$, 'empty'),
('kpis', 'kpi_values of built-in KPIs (order data)', $q$SELECT * FROM cafe24.kpi_values(names => '{revenue,orders,gross_margin}', as_of => '2025-02-28')$q$, 'empty'),
('kpis', 'kpi_values of a built-in query KPI (inventory)', $q$SELECT * FROM cafe24.kpi_values(names => '{inventory_value}', as_of => '2025-02-28')$q$, 'empty'),
('kpis', 'plant a KPI owned by alice', $q$INSERT INTO cafe24.kpi (name, title, formula, owner) VALUES ('planted_kpi', 'Planted', 'sum(revenue)', 'priv_alice')$q$, 'denied'),
('kpis', 'plant a built-in live KPI', $q$INSERT INTO cafe24.kpi (name, title, formula, live, builtin) VALUES ('planted_builtin', 'Planted', 'sum(revenue)', true, true)$q$, 'denied'),
('kpis', 'rewrite built-in formulas', $q$UPDATE cafe24.kpi SET formula = 'sum(revenue) + 666' WHERE builtin AND formula IS NOT NULL$q$, 'empty'),
('kpis', 'rewrite built-in queries', $q$UPDATE cafe24.kpi SET query = 'SELECT 666' WHERE builtin AND query IS NOT NULL$q$, 'empty'),
('kpis', 'mark built-in KPIs live', $q$UPDATE cafe24.kpi SET live = true WHERE builtin$q$, 'empty'),
('kpis', 'delete built-in KPIs', $q$DELETE FROM cafe24.kpi WHERE builtin$q$, 'empty'),
('kpis', 'read live KPI values', $q$SELECT * FROM cafe24.kpi_live$q$, 'denied'),
('kpis', 'write live KPI values', $q$INSERT INTO cafe24.kpi_live (kpi, shop_no, day, value) VALUES ('revenue', 1, '2025-02-01', 666)$q$, 'denied'),
('kpis', 'rewrite live KPI values', $q$UPDATE cafe24.kpi_live SET value = 666$q$, 'denied'),
('kpis', 'delete live KPI values', $q$DELETE FROM cafe24.kpi_live$q$, 'denied'),
('kpis', 'create an own KPI', $q$INSERT INTO cafe24.kpi (name, title, query) VALUES (current_user || '_kpi', 'Own', 'SELECT 42')$q$, 'ok'),
('kpis', 'kpi_values of an own KPI', $q$SELECT * FROM cafe24.kpi_values(names => ARRAY[current_user || '_kpi'], as_of => '2025-02-28')$q$, 'ok'),
('kpis', 'give an own KPI to alice', $q$UPDATE cafe24.kpi SET owner = 'priv_alice' WHERE name = current_user || '_kpi'$q$, 'empty'),
('kpis', 'make an own KPI built in', $q$UPDATE cafe24.kpi SET builtin = true WHERE name = current_user || '_kpi'$q$, 'empty'),
('kpis', 'delete an own KPI', $q$DELETE FROM cafe24.kpi WHERE name = current_user || '_kpi'$q$, 'ok'),
('kpis', 'create an own KPI named like alice''s', $q$INSERT INTO cafe24.kpi (name, title, query) VALUES ('alice_kpi', 'Own', 'SELECT 7')$q$, 'ok'),
('kpis', 'kpi_values of it', $q$SELECT value = 7 FROM cafe24.kpi_values(names => '{alice_kpi}', as_of => '2025-02-28')$q$, 'true'),
('kpis', 'create a KPI named like a built-in one', $q$INSERT INTO cafe24.kpi (name, title, formula) VALUES ('revenue', 'pwned', 'sum(revenue) + 666')$q$, 'denied'),
('kpis', 'delete it', $q$DELETE FROM cafe24.kpi WHERE owner = current_user::regrole AND name = 'alice_kpi'$q$, 'ok');

-- Forecast models.
INSERT INTO priv.attacks (family, label, sql, expect) VALUES
('forecast models', 'read alice''s model', $q$SELECT * FROM cafe24.forecast_model WHERE name = 'alice_model'$q$, 'empty'),
('forecast models', 'read alice''s models by owner', $q$SELECT * FROM cafe24.forecast_model WHERE owner = 'priv_alice'::regrole$q$, 'empty'),
('forecast models', 'read alice''s model series', $q$SELECT * FROM cafe24.forecast_model_series WHERE model_name = 'alice_model'$q$, 'empty'),
('forecast models', 'replace the source of alice''s model', $q$UPDATE cafe24.forecast_model SET source = 'SELECT ''x'' AS series_key, current_date AS ds, 666 AS y' WHERE name = 'alice_model'$q$, 'empty'),
('forecast models', 'replace alice''s global model', $q$UPDATE cafe24.forecast_model SET global_model = '\x00'::bytea WHERE name = 'alice_model'$q$, 'empty'),
('forecast models', 'take alice''s model', $q$UPDATE cafe24.forecast_model SET owner = current_user::regrole WHERE name = 'alice_model'$q$, 'empty'),
('forecast models', 'rewrite alice''s series', $q$UPDATE cafe24.forecast_model_series SET model = 'naive' WHERE model_name = 'alice_model'$q$, 'empty'),
('forecast models', 'add a series to alice''s model', $q$INSERT INTO cafe24.forecast_model_series (model_owner, model_name, series_key, model) VALUES ('priv_alice', 'alice_model', 'planted', 'naive')$q$, 'denied'),
('forecast models', 'delete alice''s series', $q$DELETE FROM cafe24.forecast_model_series WHERE model_name = 'alice_model'$q$, 'empty'),
('forecast models', 'delete alice''s model directly', $q$DELETE FROM cafe24.forecast_model WHERE name = 'alice_model'$q$, 'empty'),
('forecast models', 'drop_forecast_model alice''s', $q$SELECT cafe24.drop_forecast_model('priv_alice.alice_model')$q$, 'denied'),
('forecast models', 'drop_forecast_model alice''s if it exists', $q$SELECT 1 WHERE cafe24.drop_forecast_model('priv_alice.alice_model', if_exists => true)$q$, 'empty'),
('forecast models', 'train over alice''s model', $q$SELECT * FROM cafe24.train_forecast_model('priv_alice.alice_model', horizon => 7, model => 'seasonal_naive', source => $s$SELECT 'x' AS series_key, d::date AS ds, 1::float8 AS y FROM generate_series(date '2025-01-01', date '2025-03-01', interval '1 day') AS d$s$, replace => true)$q$, 'denied'),
('forecast models', 'forecast from alice''s model', $q$SELECT * FROM cafe24.forecast_sales(horizon => 7, model_name => 'priv_alice.alice_model')$q$, 'denied'),
('forecast models', 'plan inventory from alice''s model', $q$SELECT * FROM cafe24.optimize_inventory(demand_model => 'priv_alice.alice_model')$q$, 'denied'),
('forecast models', 'plant a model owned by alice', $q$INSERT INTO cafe24.forecast_model (name, grain, by, measure, source, requested, horizon, series, owner) VALUES ('planted_model', 'day', 'total', 'revenue', 'SELECT 1', 'auto', 7, 1, 'priv_alice')$q$, 'denied'),
('forecast models', 'train an own model', $q$SELECT * FROM cafe24.train_forecast_model(current_user || '_model', horizon => 7, model => 'seasonal_naive', source => $s$SELECT 'x' AS series_key, d::date AS ds, ((d::date - date '2025-01-01') % 7 + 1)::float8 AS y FROM generate_series(date '2025-01-01', date '2025-03-01', interval '1 day') AS d$s$)$q$, 'own'),
('forecast models', 'forecast from an own model', $q$SELECT * FROM cafe24.forecast_sales(horizon => 7, model_name => current_user || '_model')$q$, 'own'),
('forecast models', 'give an own model to alice', $q$UPDATE cafe24.forecast_model SET owner = 'priv_alice' WHERE name = current_user || '_model'$q$, 'empty'),
('forecast models', 'drop an own model', $q$SELECT cafe24.drop_forecast_model(current_user || '_model')$q$, 'own'),
('forecast models', 'train an own model named like alice''s', $q$SELECT * FROM cafe24.train_forecast_model('alice_model', horizon => 7, model => 'seasonal_naive', source => $s$SELECT 'x' AS series_key, d::date AS ds, ((d::date - date '2025-01-01') % 7 + 1)::float8 AS y FROM generate_series(date '2025-01-01', date '2025-03-01', interval '1 day') AS d$s$)$q$, 'own'),
('forecast models', 'forecast from it', $q$SELECT * FROM cafe24.forecast_sales(horizon => 7, model_name => 'alice_model')$q$, 'own'),
('forecast models', 'drop it', $q$SELECT cafe24.drop_forecast_model('alice_model')$q$, 'own');

-- Order data through an analytics function: alice's tables (not granted) named as the
-- source, and the star schema (bob and mallory may not read it).
INSERT INTO priv.attacks (family, label, sql, expect) VALUES
('order data', 'read alice''s orders directly', $q$SELECT * FROM alice_s.orders$q$, 'denied'),
('order data', 'read alice''s sales directly', $q$SELECT * FROM alice_s.sales$q$, 'denied'),
('order data', 'read order lines directly', $q$SELECT * FROM cafe24.order_line$q$, 'denied'),
('order data', 'read daily sales directly', $q$SELECT * FROM cafe24.sales_daily$q$, 'denied'),
('order data', 'read daily KPI facts directly', $q$SELECT * FROM cafe24.kpi_daily_facts$q$, 'denied'),
('order data', 'read customers directly', $q$SELECT * FROM cafe24.customer$q$, 'denied'),
('order data', 'segment_customers(source => alice''s table)', $q$SELECT * FROM cafe24.segment_customers(method => 'quantile', source => 'alice_s.orders')$q$, 'empty'),
('order data', 'segment_customers(source => a query of it)', $q$SELECT * FROM cafe24.segment_customers(method => 'quantile', source => 'SELECT * FROM alice_s.orders')$q$, 'empty'),
('order data', 'segment_customers(source => TABLE it)', $q$SELECT * FROM cafe24.segment_customers(method => 'quantile', source => 'TABLE alice_s.orders')$q$, 'empty'),
('order data', 'segment_customers(source => its oid)', $q$SELECT * FROM cafe24.segment_customers(method => 'quantile', source => priv.v('alice_orders_oid'))$q$, 'empty'),
('order data', 'segment_customers(source => its quoted name)', $q$SELECT * FROM cafe24.segment_customers(method => 'quantile', source => '"alice_s"."orders"')$q$, 'empty'),
('order data', 'segment_summary(source => alice''s table)', $q$SELECT * FROM cafe24.segment_summary(k => 2, source => 'alice_s.orders')$q$, 'empty'),
('order data', 'customer_lifetime_value(source => alice''s table)', $q$SELECT * FROM cafe24.customer_lifetime_value(source => 'alice_s.orders')$q$, 'empty'),
('order data', 'evaluate_lifetime_value(source => alice''s table)', $q$SELECT * FROM cafe24.evaluate_lifetime_value(calibration_end => '2025-02-01', source => 'alice_s.orders')$q$, 'empty'),
('order data', 'cohort_retention(source => alice''s table)', $q$SELECT * FROM cafe24.cohort_retention(source => 'alice_s.orders')$q$, 'empty'),
('order data', 'cohort_retention(source => a CTE over it)', $q$SELECT * FROM cafe24.cohort_retention(source => 'WITH x AS (SELECT * FROM alice_s.orders) SELECT * FROM x')$q$, 'empty'),
('order data', 'repeat_purchase_rate(source => alice''s table)', $q$SELECT * FROM cafe24.repeat_purchase_rate(source => 'alice_s.orders')$q$, 'empty'),
('order data', 'forecast_sales(source => alice''s table)', $q$SELECT * FROM cafe24.forecast_sales(horizon => 7, model => 'seasonal_naive', source => 'alice_s.sales')$q$, 'empty'),
('order data', 'forecast_sales(source => a query of it)', $q$SELECT * FROM cafe24.forecast_sales(horizon => 7, model => 'seasonal_naive', source => 'SELECT * FROM alice_s.sales')$q$, 'empty'),
('order data', 'forecast_sales(source => its oid)', $q$SELECT * FROM cafe24.forecast_sales(horizon => 7, model => 'seasonal_naive', source => priv.v('alice_sales_oid'))$q$, 'empty'),
('order data', 'backtest_forecast(source => alice''s table)', $q$SELECT * FROM cafe24.backtest_forecast(horizon => 7, model => 'seasonal_naive', source => 'alice_s.sales')$q$, 'empty'),
('order data', 'train_forecast_model(source => alice''s table)', $q$SELECT * FROM cafe24.train_forecast_model(current_user || '_stolen', horizon => 7, model => 'seasonal_naive', source => 'alice_s.sales')$q$, 'empty'),
('order data', 'seasonal_trends(source => alice''s table)', $q$SELECT * FROM cafe24.seasonal_trends(source => 'alice_s.sales')$q$, 'empty'),
('order data', 'seasonal_indices(source => alice''s table)', $q$SELECT * FROM cafe24.seasonal_indices(source => 'alice_s.sales')$q$, 'empty'),
('order data', 'yoy_growth(source => alice''s table)', $q$SELECT * FROM cafe24.yoy_growth(source => 'alice_s.sales')$q$, 'empty'),
('order data', 'forecast_sales (star schema)', $q$SELECT * FROM cafe24.forecast_sales(horizon => 7, model => 'seasonal_naive')$q$, 'empty'),
('order data', 'backtest_forecast (star schema)', $q$SELECT * FROM cafe24.backtest_forecast(horizon => 7, model => 'seasonal_naive', origins => 1)$q$, 'empty'),
('order data', 'train_forecast_model (star schema)', $q$SELECT * FROM cafe24.train_forecast_model(current_user || '_star', horizon => 7, model => 'seasonal_naive')$q$, 'empty'),
('order data', 'seasonal_trends (star schema)', $q$SELECT * FROM cafe24.seasonal_trends()$q$, 'empty'),
('order data', 'seasonal_indices (star schema)', $q$SELECT * FROM cafe24.seasonal_indices()$q$, 'empty'),
('order data', 'yoy_growth (star schema)', $q$SELECT * FROM cafe24.yoy_growth()$q$, 'empty'),
('order data', 'segment_customers (star schema)', $q$SELECT * FROM cafe24.segment_customers(method => 'quantile')$q$, 'empty'),
('order data', 'segment_summary (star schema)', $q$SELECT * FROM cafe24.segment_summary(k => 2)$q$, 'empty'),
('order data', 'customer_lifetime_value (star schema)', $q$SELECT * FROM cafe24.customer_lifetime_value()$q$, 'empty'),
('order data', 'evaluate_lifetime_value (star schema)', $q$SELECT * FROM cafe24.evaluate_lifetime_value(calibration_end => '2025-02-01')$q$, 'empty'),
('order data', 'cohort_retention (star schema)', $q$SELECT * FROM cafe24.cohort_retention()$q$, 'empty'),
('order data', 'repeat_purchase_rate (star schema)', $q$SELECT * FROM cafe24.repeat_purchase_rate()$q$, 'empty'),
('order data', 'funnel (star schema)', $q$SELECT * FROM cafe24.funnel()$q$, 'empty'),
('order data', 'product_affinity (star schema)', $q$SELECT * FROM cafe24.product_affinity()$q$, 'empty'),
('order data', 'profit_margins (star schema)', $q$SELECT * FROM cafe24.profit_margins()$q$, 'empty'),
('order data', 'optimize_inventory (star schema)', $q$SELECT * FROM cafe24.optimize_inventory()$q$, 'empty'),
('order data', 'simulate_inventory_policy (star schema)', $q$SELECT * FROM cafe24.simulate_inventory_policy(from_date => '2025-02-01', to_date => '2025-02-20')$q$, 'empty'),
('order data', 'check_aggregates (star schema)', $q$SELECT * FROM cafe24.check_aggregates()$q$, 'empty'),
('order data', 'a report section over order lines', $q$SELECT cafe24.create_report(current_user || '_peek', '{"title": "p", "sections": [{"title": "a", "query": "SELECT * FROM cafe24.order_line"}]}')$q$, 'denied'),
('order data', 'a report analysis over alice''s table', $q$SELECT cafe24.create_report(current_user || '_peek', '{"title": "p", "sections": [{"title": "a", "analysis": "cohort_retention", "args": {"source": "alice_s.orders"}}]}')$q$, 'any'),
('order data', 'render it', $q$SELECT cafe24.render_report(current_user || '_peek', 'json')$q$, 'denied'),
('order data', 'drop it', $q$SELECT cafe24.drop_report(current_user || '_peek', if_exists => true)$q$, 'any'),
('order data', 'a widget over alice''s table', $q$SELECT cafe24.create_dashboard(current_user || '_peek', '{"title": "p", "widgets": [{"title": "a", "kind": "table", "query": "SELECT * FROM alice_s.orders"}]}')$q$, 'denied'),
('order data', 'a forecast widget (star schema)', $q$SELECT cafe24.create_dashboard(current_user || '_forecast', '{"title": "f", "widgets": [{"title": "f", "kind": "forecast", "horizon": 7}]}')$q$, 'denied'),
('order data', 'a dashboard of star-schema analyses', $q$SELECT cafe24.create_dashboard(current_user || '_star', '{"title": "s", "widgets": [{"title": "u", "kind": "funnel", "days": 1}, {"title": "c", "kind": "cohort_heatmap", "periods": 2}, {"title": "k", "kind": "kpi", "kpis": ["revenue", "inventory_value"]}, {"title": "m", "kind": "table", "analysis": "profit_margins", "args": {"by": "product"}}]}')$q$, 'any'),
('order data', 'its widgets show no order data', $q$SELECT w FROM jsonb_array_elements(cafe24.dashboard_data(current_user || '_star') -> 'widgets') AS w WHERE w -> 'error' IS NULL$q$, 'empty'),
('order data', 'drop that dashboard', $q$SELECT cafe24.drop_dashboard(current_user || '_star', if_exists => true)$q$, 'any');
INSERT INTO priv.attacks (family, label, sql, expect, actors) VALUES
('order data', 'cohort_retention(source => own view of alice''s table)', $q$SELECT * FROM cafe24.cohort_retention(source => 'mal.alice_orders')$q$, 'empty', '{priv_mallory}'),
('order data', 'segment_customers(source => own view of alice''s table)', $q$SELECT * FROM cafe24.segment_customers(method => 'quantile', source => 'mal.alice_orders')$q$, 'empty', '{priv_mallory}');

-- The SECURITY DEFINER aggregate and KPI triggers, fired by mallory's writes (under her
-- search_path and temporary relations), and direct writes to what they maintain.
INSERT INTO priv.attacks (family, label, sql, expect) VALUES
('triggers', 'write daily sales', $q$UPDATE cafe24.sales_daily SET net_amount = 0$q$, 'denied'),
('triggers', 'delete monthly sales', $q$DELETE FROM cafe24.sales_monthly$q$, 'denied'),
('triggers', 'write daily order facts', $q$INSERT INTO cafe24.order_daily (day, shop_no, orders, repeat_orders, sessions, converted_sessions) VALUES ('2025-02-01', 1, 666, 0, 0, 0)$q$, 'denied'),
('triggers', 'write order facts', $q$DELETE FROM cafe24.order_fact$q$, 'denied'),
('triggers', 'truncate order lines', $q$TRUNCATE cafe24.order_line$q$, 'denied'),
('triggers', 'rebuild_aggregates', $q$SELECT cafe24.rebuild_aggregates()$q$, 'no_privilege'),
('triggers', 'rebuild_kpis', $q$SELECT cafe24.rebuild_kpis()$q$, 'no_privilege'),
('triggers', '_refresh_orders', $q$SELECT * FROM cafe24._refresh_orders(ARRAY['x'], NULL)$q$, 'no_privilege'),
('triggers', '_notify_kpis', $q$SELECT cafe24._notify_kpis(ARRAY[date '2025-02-01'], ARRAY[1])$q$, 'no_privilege');
INSERT INTO priv.attacks (family, label, sql, expect, actors) VALUES
('triggers', 'insert an order line', $q$INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, discount, unit_cost, status) VALUES ('PRIV-M', 'PRIV-M-01', 1, '2025-02-10 10:00+09', priv.id('customer'), priv.id('product'), 2, 1000, 0, 600, 'paid')$q$, 'ok', '{priv_mallory}'),
('triggers', 'upsert order lines', $q$INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, discount, unit_cost, status) VALUES ('PRIV-M', 'PRIV-M-01', 1, '2025-02-10 10:00+09', priv.id('customer'), priv.id('product'), 2, 1000, 0, 600, 'shipped'), ('PRIV-M', 'PRIV-M-02', 1, '2025-02-10 10:00+09', priv.id('customer'), priv.id('product'), 1, 500, 0, 300, 'paid') ON CONFLICT (shop_no, order_item_code) DO UPDATE SET status = excluded.status$q$, 'ok', '{priv_mallory}'),
('triggers', 'cancel an order line', $q$UPDATE cafe24.order_line SET status = 'cancelled' WHERE order_item_code = 'PRIV-M-01'$q$, 'ok', '{priv_mallory}'),
('triggers', 'delete the order lines', $q$DELETE FROM cafe24.order_line WHERE order_item_code IN ('PRIV-M-01', 'PRIV-M-02')$q$, 'ok', '{priv_mallory}'),
('triggers', 'insert shopper events', $q$INSERT INTO cafe24.behaviour_event (session_id, customer_id, shop_no, product_id, event_type, occurred_at) VALUES (987654321, NULL, 1, priv.id('product'), 'view', '2025-02-10 10:00+09'), (987654321, NULL, 1, priv.id('product'), 'purchase', '2025-02-10 10:05+09')$q$, 'ok', '{priv_mallory}'),
('triggers', 'move shopper events', $q$UPDATE cafe24.behaviour_event SET occurred_at = '2025-02-11 10:00+09' WHERE session_id = 987654321$q$, 'ok', '{priv_mallory}'),
('triggers', 'delete shopper events', $q$DELETE FROM cafe24.behaviour_event WHERE session_id = 987654321$q$, 'ok', '{priv_mallory}'),
('triggers', 'move a shop to another time zone', $q$UPDATE cafe24.shop SET timezone = 'UTC' WHERE shop_no = 2$q$, 'ok', '{priv_mallory}'),
('triggers', 'move it back', $q$UPDATE cafe24.shop SET timezone = priv.v('shop2_tz') WHERE shop_no = 2$q$, 'ok', '{priv_mallory}'),
('triggers', 'move a product to another category', $q$UPDATE cafe24.product SET category = 'priv_moved' WHERE product_id = priv.id('product')$q$, 'ok', '{priv_mallory}'),
('triggers', 'move it back', $q$UPDATE cafe24.product SET category = priv.v('product_category') WHERE product_id = priv.id('product')$q$, 'ok', '{priv_mallory}');

-- The progress view, while alice's call runs in her own session.
INSERT INTO priv.attacks (family, label, sql, expect) VALUES
('progress', 'read alice''s call', $q$SELECT * FROM cafe24.progress WHERE usename = 'priv_alice'$q$, 'empty'),
('progress', 'read other roles'' calls', $q$SELECT * FROM cafe24.progress WHERE usename <> current_user$q$, 'empty'),
('progress', 'read alice''s slot through _progress()', $q$SELECT * FROM cafe24._progress() AS p WHERE p.pid = priv.id('alice_pid')$q$, 'empty'),
('progress', 'read the slots of other roles', $q$SELECT * FROM cafe24._progress() AS p WHERE p.role_oid <> (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)$q$, 'empty'),
('progress', 'read alice''s query text', $q$SELECT * FROM pg_catalog.pg_stat_activity WHERE pid = priv.id('alice_pid') AND query LIKE '%forecast_sales%'$q$, 'empty'),
('progress', 'cancel alice''s call', $q$SELECT pg_catalog.pg_cancel_backend(priv.id('alice_pid')::integer)$q$, 'denied'),
('progress', 'terminate alice''s backend', $q$SELECT pg_catalog.pg_terminate_backend(priv.id('alice_pid')::integer)$q$, 'denied');

-- ---------------------------------------------------------------------------------------
-- Runs: bob, mallory, then mallory with her schema first on the path and temporary tables
-- (with pg_catalog after mal, and with mal, public) or temporary views (with pg_temp first,
-- and again with mal, pg_catalog) named like the extension's relations.
SET ROLE priv_bob;
CALL priv.run_attacks('{jobs,reports,dashboards,kpis,forecast models,order data,triggers}');
SET ROLE priv_mallory;
CALL priv.run_attacks('{jobs,reports,dashboards,kpis,forecast models,order data,triggers}');
CALL mal.plant_temp_tables();
CALL priv.run_attacks('{jobs,reports,dashboards,kpis,forecast models,order data,triggers}', 'mal, pg_catalog');
CALL priv.run_attacks('{jobs,reports,dashboards,kpis,forecast models,order data,triggers}', 'mal, public');
DISCARD TEMP;
CALL mal.plant_temp_views();
CALL priv.run_attacks('{jobs,reports,dashboards,kpis,forecast models,order data,triggers}', 'pg_temp, mal, pg_catalog');
CALL priv.run_attacks('{jobs,reports,dashboards,kpis,forecast models,order data,triggers}', 'mal, pg_catalog');
DISCARD TEMP;
RESET ROLE;

-- A superuser's name lookups find only its own jobs: priv_shared is only alice's;
-- priv_shared2 is alice's and the superuser's.
SET priv.family = 'jobs';
CALL priv.priv_try('superuser: unschedule alice''s job by its name', $$SELECT cafe24.unschedule('priv_shared')$$, 'denied');
CALL priv.priv_try('superuser: run_job alice''s job by its name', $$SELECT cafe24.run_job('priv_shared')$$, 'denied');
CALL priv.priv_try('superuser: schedule an own job of a name alice uses', $$SELECT cafe24.schedule('priv_shared2', '0 8 * * *', 'SELECT 1')$$, 'ok');
CALL priv.priv_try('superuser: run_job the own job of that name', $$SELECT cafe24.run_job('priv_shared2')$$, 'ok');
CALL priv.priv_try('superuser: unschedule the own job of that name', $$SELECT cafe24.unschedule('priv_shared2')$$, 'ok');
CALL priv.priv_try('superuser: alice''s jobs are still there', $$SELECT count(*) = 3 FROM cafe24.job WHERE username = 'priv_alice' AND jobname IN ('alice_job', 'priv_shared', 'priv_shared2') AND run_requested_at IS NULL$$, 'true');

-- ---------------------------------------------------------------------------------------
-- Progress: alice's forecast reads its source for 6 seconds in her own session.
SELECT dblink_connect('priv_long', format('host=%s port=%s dbname=%s user=priv_alice', split_part(current_setting('unix_socket_directories'), ',', 1),
                                          current_setting('port'), current_database())) AS connected \gset
SELECT dblink_send_query('priv_long', $$SELECT count(*) FROM cafe24.forecast_sales(horizon => 7, model => 'seasonal_naive',
    source => 'SELECT ''k'' AS series_key, d::date AS ds, 1::float8 AS y FROM pg_sleep(6), generate_series(date ''2025-01-01'', date ''2025-03-01'', interval ''1 day'') AS d')$$) AS sent \gset
DO $$
BEGIN
    FOR i IN 1 .. 200 LOOP
        EXIT WHEN EXISTS (SELECT FROM cafe24.progress WHERE usename = 'priv_alice');
        PERFORM pg_sleep(0.05);
    END LOOP;
END $$;
INSERT INTO priv.ids (k, id) SELECT 'alice_pid', pid FROM cafe24.progress WHERE usename = 'priv_alice';
SET priv.family = 'progress';
CALL priv.priv_try('superuser: alice''s call is in progress', $$SELECT count(*) = 1 FROM cafe24.progress WHERE usename = 'priv_alice' AND function = 'forecast_sales' AND pid = priv.id('alice_pid')$$, 'true');
SET ROLE priv_bob;
CALL priv.run_attacks('{progress}');
SET ROLE priv_mallory;
CALL priv.run_attacks('{progress}');
CALL mal.plant_temp_tables();
CALL priv.run_attacks('{progress}', 'mal, pg_catalog');
DISCARD TEMP;
CALL mal.plant_temp_views();
CALL priv.run_attacks('{progress}', 'pg_temp, mal, pg_catalog');
DISCARD TEMP;
SET ROLE priv_alice;
SET priv.family = 'progress';
CALL priv.priv_try('alice sees her own call', $$SELECT * FROM cafe24.progress WHERE usename = 'priv_alice' AND pid = priv.id('alice_pid')$$, 'nonempty');
RESET ROLE;
CALL priv.priv_try('superuser: the attempts ran while it was in progress', $$SELECT EXISTS (SELECT FROM cafe24.progress WHERE pid = priv.id('alice_pid'))$$, 'true');
SELECT n AS alice_rows FROM dblink_get_result('priv_long') AS r(n bigint) \gset
SELECT dblink_disconnect('priv_long') AS disconnected \gset
CALL priv.priv_try('superuser: alice''s call finished with its forecast', format('SELECT %s = 7', :'alice_rows'), 'true');

-- ---------------------------------------------------------------------------------------
-- Afterwards: alice's objects, the built-ins and the aggregates are as they were, and
-- alice still uses hers.
SET priv.family = 'jobs';
CALL priv.priv_try('superuser: alice''s jobs unchanged', $$SELECT priv.state('alice jobs') = (SELECT v FROM priv.snap WHERE k = 'alice jobs')$$, 'true');
CALL priv.priv_try('superuser: alice''s run history unchanged', $$SELECT priv.state('alice runs') = (SELECT v FROM priv.snap WHERE k = 'alice runs')$$, 'true');
CALL priv.priv_try('superuser: no job planted', $$SELECT NOT EXISTS (SELECT FROM cafe24.job WHERE jobname IN ('planted', 'steal') OR command LIKE '%666%' OR (username = 'priv_alice' AND jobname NOT IN ('alice_job', 'priv_shared', 'priv_shared2')))$$, 'true');
SET priv.family = 'reports';
CALL priv.priv_try('superuser: alice''s report unchanged', $$SELECT priv.state('alice report') = (SELECT v FROM priv.snap WHERE k = 'alice report')$$, 'true');
CALL priv.priv_try('superuser: the templates unchanged', $$SELECT priv.state('templates') = (SELECT v FROM priv.snap WHERE k = 'templates')$$, 'true');
CALL priv.priv_try('superuser: alice''s outputs unchanged', $$SELECT priv.state('alice outputs') = (SELECT v FROM priv.snap WHERE k = 'alice outputs')$$, 'true');
CALL priv.priv_try('superuser: alice''s exported file unchanged', $$SELECT priv.state('alice file') = (SELECT sha256 FROM cafe24.report_output WHERE id = priv.id('alice_output'))$$, 'true');
CALL priv.priv_try('superuser: no report planted', $$SELECT NOT EXISTS (SELECT FROM cafe24.report WHERE name LIKE 'planted%' OR (owner = 'priv_alice'::regrole AND name <> 'alice_report'))$$, 'true');
SET priv.family = 'dashboards';
CALL priv.priv_try('superuser: alice''s dashboard and widgets unchanged', $$SELECT priv.state('alice dashboard') = (SELECT v FROM priv.snap WHERE k = 'alice dashboard')$$, 'true');
CALL priv.priv_try('superuser: the built-in dashboard unchanged', $$SELECT priv.state('builtin dashboard') = (SELECT v FROM priv.snap WHERE k = 'builtin dashboard')$$, 'true');
CALL priv.priv_try('superuser: no dashboard planted', $$SELECT NOT EXISTS (SELECT FROM cafe24.dashboard WHERE name LIKE 'planted%' OR (owner = 'priv_alice'::regrole AND name <> 'alice_dash'))$$, 'true');
SET priv.family = 'kpis';
CALL priv.priv_try('superuser: alice''s KPIs unchanged', $$SELECT priv.state('alice kpis') = (SELECT v FROM priv.snap WHERE k = 'alice kpis')$$, 'true');
CALL priv.priv_try('superuser: the built-in KPIs unchanged', $$SELECT priv.state('builtin kpis') = (SELECT v FROM priv.snap WHERE k = 'builtin kpis')$$, 'true');
CALL priv.priv_try('superuser: no KPI planted', $$SELECT NOT EXISTS (SELECT FROM cafe24.kpi WHERE name LIKE 'planted%' OR (owner = 'priv_alice'::regrole AND name NOT IN ('alice_kpi', 'alice_query_kpi')))$$, 'true');
SET priv.family = 'forecast models';
CALL priv.priv_try('superuser: alice''s model unchanged', $$SELECT priv.state('alice model') = (SELECT v FROM priv.snap WHERE k = 'alice model')$$, 'true');
CALL priv.priv_try('superuser: no model planted', $$SELECT NOT EXISTS (SELECT FROM cafe24.forecast_model WHERE name LIKE 'planted%' OR name LIKE '%stolen' OR (owner = 'priv_alice'::regrole AND name <> 'alice_model'))$$, 'true');
SET priv.family = 'triggers';
CALL priv.priv_try('superuser: the aggregates are exact', $$SELECT bool_and(missing_or_different = 0 AND unexpected = 0) FROM cafe24.check_aggregates()$$, 'true');
CREATE TABLE priv.kept_daily AS SELECT * FROM cafe24.order_daily;
CREATE TABLE priv.kept_live AS SELECT kpi, shop_no, day, value FROM cafe24.kpi_live;
SELECT cafe24.rebuild_kpis() AS order_daily_rows \gset
CALL priv.priv_try('superuser: the daily KPI facts are what a rebuild gives', $$SELECT NOT EXISTS (SELECT * FROM priv.kept_daily EXCEPT SELECT * FROM cafe24.order_daily) AND NOT EXISTS (SELECT * FROM cafe24.order_daily EXCEPT SELECT * FROM priv.kept_daily)$$, 'true');
CALL priv.priv_try('superuser: the live KPIs are what a rebuild gives', $$SELECT NOT EXISTS (SELECT * FROM priv.kept_live EXCEPT SELECT kpi, shop_no, day, value FROM cafe24.kpi_live) AND NOT EXISTS (SELECT kpi, shop_no, day, value FROM cafe24.kpi_live EXCEPT SELECT * FROM priv.kept_live)$$, 'true');
CALL priv.priv_try('superuser: mallory''s writes are undone', $$SELECT NOT EXISTS (SELECT FROM cafe24.order_line WHERE order_id = 'PRIV-M') AND NOT EXISTS (SELECT FROM cafe24.behaviour_event WHERE session_id = 987654321) AND (SELECT timezone FROM cafe24.shop WHERE shop_no = 2) = priv.v('shop2_tz') AND (SELECT category FROM cafe24.product WHERE product_id = priv.id('product')) = priv.v('product_category')$$, 'true');

SET ROLE priv_alice;
SET priv.family = 'jobs';
CALL priv.priv_try('alice sees her jobs', $$SELECT * FROM cafe24.job WHERE jobid = priv.id('alice_job')$$, 'nonempty');
CALL priv.priv_try('alice sees her run history', $$SELECT * FROM cafe24.job_run_details WHERE runid = priv.id('alice_run')$$, 'nonempty');
SET priv.family = 'reports';
CALL priv.priv_try('alice renders her report', $$SELECT cafe24.render_report('alice_report', 'csv')$$, 'nonempty');
CALL priv.priv_try('alice sees her output', $$SELECT * FROM cafe24.report_output WHERE id = priv.id('alice_output') AND content IS NOT NULL$$, 'nonempty');
SET priv.family = 'dashboards';
CALL priv.priv_try('alice''s widgets all render', $$SELECT bool_and(w -> 'error' IS NULL) AND count(*) = 3 FROM jsonb_array_elements(cafe24.dashboard_data('alice_dash') -> 'widgets') AS w$$, 'true');
SET priv.family = 'kpis';
CALL priv.priv_try('alice''s KPIs have values', $$SELECT count(value) = 2 FROM cafe24.kpi_values(names => '{alice_kpi,alice_query_kpi}', as_of => '2025-02-28')$$, 'true');
SET priv.family = 'forecast models';
CALL priv.priv_try('alice forecasts from her model', $$SELECT * FROM cafe24.forecast_sales(horizon => 7, model_name => 'alice_model')$$, 'nonempty');
SET priv.family = 'order data';
CALL priv.priv_try('alice segments her orders', $$SELECT * FROM cafe24.segment_customers(method => 'quantile', source => 'alice_s.orders')$$, 'nonempty');
RESET ROLE;

-- ---------------------------------------------------------------------------------------
-- Code another role stored, run by whoever uses it: mallory shares a KPI, a report and a
-- dashboard with alice and saves a forecast model, each calling a planted function; alice
-- and a superuser (who sees every role's rows) ask for every KPI they can see, name
-- mallory's objects, and the superuser's order fires the live-KPI triggers (mallory's live
-- KPI is not built in). Only what runs as whom counts here. Last, since a superuser running
-- planted code would make mallory one.
SET ROLE priv_mallory;
SET priv.family = 'setup';
CALL priv.priv_try('mallory shares a report with alice', $$SELECT cafe24.create_report('mal_report', '{"title": "Free report", "sections": [{"title": "a", "query": "SELECT 1 AS one WHERE mal.spy(''section of a report shared with alice'')"}]}')$$, 'setup');
CALL priv.priv_try('(readers)', $$UPDATE cafe24.report SET readers = '{priv_alice}' WHERE name = 'mal_report'$$, 'setup');
CALL priv.priv_try('mallory shares a dashboard with alice', $$SELECT cafe24.create_dashboard('mal_dash', '{"title": "Free dashboard", "widgets": [{"title": "a", "kind": "table", "query": "SELECT 1 AS one WHERE mal.spy(''widget of a dashboard shared with alice'')"}]}')$$, 'setup');
CALL priv.priv_try('(readers)', $$UPDATE cafe24.dashboard SET readers = '{priv_alice}' WHERE name = 'mal_dash'$$, 'setup');
CALL priv.priv_try('mallory saves a forecast model', $$SELECT * FROM cafe24.train_forecast_model('mal_model', horizon => 7, model => 'seasonal_naive', by => 'product', measure => 'units',
    source => 'SELECT ''x'' AS series_key, d::date AS ds, 1::float8 AS y FROM generate_series(date ''2025-01-01'', date ''2025-03-31'', interval ''1 day'') AS d WHERE mal.spy(''source of a saved forecast model'')')$$, 'setup');
RESET ROLE;
SET priv.family = 'kpis';
CALL priv.priv_try('superuser: an order fires the live-KPI triggers', $$INSERT INTO cafe24.order_line (order_id, order_item_code, shop_no, ordered_at, customer_id, product_id, quantity, unit_price, discount, unit_cost, status) VALUES ('PRIV-S', 'PRIV-S-01', 1, '2025-02-12 10:00+09', priv.id('customer'), priv.id('product'), 1, 1000, 0, 600, 'paid')$$, 'ok');
CALL priv.priv_try('superuser: and its deletion', $$DELETE FROM cafe24.order_line WHERE order_id = 'PRIV-S'$$, 'ok');
CALL priv.priv_try('superuser: the built-in dashboard', $$SELECT cafe24.dashboard_data('merchant_overview')$$, 'ok');
CALL priv.priv_try('superuser: a template', $$SELECT cafe24.render_report('monthly_sales', 'json', '{"month": "2025-02-01"}')$$, 'ok');
CALL priv.priv_try('superuser: built-in KPIs by name', $$SELECT * FROM cafe24.kpi_values(names => '{revenue,orders,inventory_value}', as_of => '2025-02-28')$$, 'ok');
CALL priv.priv_try('superuser: mallory''s KPIs by name', $$SELECT * FROM cafe24.kpi_values(names => '{priv_mallory.mal_query_kpi,priv_mallory.mal_live_kpi}', as_of => '2025-02-28')$$, 'any');
SET ROLE priv_alice;
CALL priv.priv_try('alice: kpi_values() of every KPI she can see', $$SELECT * FROM cafe24.kpi_values(as_of => '2025-02-28')$$, 'ok');
CALL priv.priv_try('alice: the KPI mallory shared, by name', $$SELECT * FROM cafe24.kpi_values(names => '{priv_mallory.mal_shared_kpi}', as_of => '2025-02-28')$$, 'any');
CALL priv.priv_try('alice: a dashboard widget of that KPI', $$SELECT cafe24.create_dashboard('alice_trojan', '{"title": "T", "widgets": [{"title": "k", "kind": "kpi", "kpis": ["priv_mallory.mal_shared_kpi"]}]}')$$, 'any');
CALL priv.priv_try('alice: its data', $$SELECT cafe24.dashboard_data('alice_trojan')$$, 'any');
CALL priv.priv_try('alice: drop it', $$SELECT cafe24.drop_dashboard('alice_trojan', if_exists => true)$$, 'any');
CALL priv.priv_try('alice: her dashboard', $$SELECT cafe24.dashboard_data('alice_dash')$$, 'ok');
SET priv.family = 'reports';
CALL priv.priv_try('alice: the report mallory shared', $$SELECT cafe24.render_report('priv_mallory.mal_report', 'json')$$, 'any');
SET priv.family = 'dashboards';
CALL priv.priv_try('alice: the dashboard mallory shared', $$SELECT cafe24.dashboard_data('priv_mallory.mal_dash')$$, 'any');
CALL priv.priv_try('alice: rendered', $$SELECT cafe24.render_dashboard('priv_mallory.mal_dash', 'html')$$, 'any');
RESET ROLE;
SET priv.family = 'reports';
CALL priv.priv_try('superuser: mallory''s report by name', $$SELECT cafe24.render_report('priv_mallory.mal_report', 'csv')$$, 'any');
CALL priv.priv_try('superuser: mallory''s report exported', $$SELECT * FROM cafe24.export_report('priv_mallory.mal_report', 'json', file_name => 'privileges/mal_report.json', overwrite => true)$$, 'any');
SET priv.family = 'dashboards';
CALL priv.priv_try('superuser: mallory''s dashboard by name', $$SELECT cafe24.dashboard_data('priv_mallory.mal_dash')$$, 'any');
SET priv.family = 'forecast models';
CALL priv.priv_try('superuser: forecast from mallory''s model', $$SELECT * FROM cafe24.forecast_sales(horizon => 7, model_name => 'priv_mallory.mal_model')$$, 'any');
CALL priv.priv_try('superuser: plan inventory from mallory''s model', $$SELECT * FROM cafe24.optimize_inventory(demand_model => 'priv_mallory.mal_model')$$, 'any');
-- Another role's stored queries run as that role, as a view does: each planted call above
-- was made as mallory; alice, a reader, gets the rows mallory sees; from a session holding
-- temporary objects (which an unqualified name could resolve to) they are refused.
SET priv.family = 'stored queries';
CALL priv.priv_try('superuser: mallory''s section, widget and source ran, as mallory only',
    $$SELECT count(DISTINCT split_part(what, ' [', 1)) = 3 AND bool_and(who = 'priv_mallory') FROM mal.hits
      WHERE what LIKE 'section of a report shared%' OR what LIKE 'widget of a dashboard shared%' OR what LIKE 'source of a saved forecast model%'$$, 'true');
SET ROLE priv_alice;
SET priv.family = 'stored queries';
CALL priv.priv_try('alice: the widget mallory shared shows mallory''s row', $$SELECT cafe24.dashboard_data('priv_mallory.mal_dash') #> '{widgets,0,data,rows}' = '[[1]]'$$, 'true');
CREATE TEMP TABLE alice_temp ();
CALL priv.priv_try('alice, holding a temporary table: the report mallory shared', $$SELECT cafe24.render_report('priv_mallory.mal_report', 'json')$$, 'no_privilege');
CALL priv.priv_try('alice, holding a temporary table: her own report', $$SELECT cafe24.render_report('alice_report', 'csv')$$, 'nonempty');
DISCARD TEMP;
RESET ROLE;
SET priv.family = 'stored queries';
CREATE TEMP TABLE superuser_temp ();
CALL priv.priv_try('superuser, holding a temporary table: mallory''s model', $$SELECT * FROM cafe24.forecast_sales(horizon => 7, model_name => 'priv_mallory.mal_model')$$, 'no_privilege');
DISCARD TEMP;
SET priv.family = 'kpis';
CALL priv.priv_try('superuser: kpi_values() of every KPI it can see', $$SELECT * FROM cafe24.kpi_values(as_of => '2025-02-28')$$, 'ok');

-- ---------------------------------------------------------------------------------------
\set ECHO all
-- The functions not granted to PUBLIC (each refused to bob and to mallory):
SELECT substr(label, 6) AS revoked_function FROM priv.attacks WHERE family = 'revoked functions' ORDER BY 1;
-- Attempts that leaked, and checks that could not run: none.
SELECT family, actor, search_path, label, outcome, sqlstate, privileged_calls AS calls, CASE WHEN leak THEN 'LEAK' ELSE 'broken' END AS problem
FROM priv.results WHERE leak OR broken ORDER BY seq;
SELECT family, count(*) AS attempts, count(*) FILTER (WHERE leak) AS leaks
FROM priv.results WHERE expect <> 'setup' GROUP BY family ORDER BY min(seq);
-- Mallory is no superuser, and no planted object ran as another role.
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'priv_mallory';
SELECT count(*) AS calls_as_another_role FROM mal.hits WHERE who <> 'priv_mallory';
SELECT count(*) AS attempts, count(*) FILTER (WHERE leak) AS leaks FROM priv.results WHERE expect <> 'setup';

DROP EXTENSION cafe24_analytics CASCADE;
DROP SCHEMA priv, mal, alice_s CASCADE;
DROP OWNED BY priv_alice, priv_bob, priv_mallory;
DROP ROLE priv_alice, priv_bob, priv_mallory;
SELECT count(*) AS roles_left FROM pg_roles WHERE rolname LIKE 'priv\_%';
