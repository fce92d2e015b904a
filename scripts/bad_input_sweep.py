#!/usr/bin/env python3
"""Bad input sweep over every function of schema cafe24 (Python 3.11, stdlib only).

Run it through scripts/bad_input_sweep.sh, which starts the cluster (port 54336), creates
the database "sweep" with the extension and a little demo data, and stops the cluster.

What it does:
  * reads every function of schema cafe24 from pg_proc (name, input argument names and
    types, defaults, whether PUBLIC may execute it). Internal functions (names starting
    with "_") are skipped only when they are revoked from PUBLIC.
  * builds calls: one with plausible values, then per argument in turn a bad value while
    the other arguments keep plausible values (required ones) or their defaults (optional
    ones, left out of the call; "source" arguments get a table the role can read). Bad
    values: NULL; for text '' / whitespace / 1 MB / unknown names / SQL-injection-like and
    quoted-identifier names / format characters / unicode, and for table-or-query
    arguments tables and catalogs the role cannot read; integers 0, -1 and the type's
    extremes; NaN and +-Infinity; 'infinity', '-infinity' and extreme dates and
    timestamps; extreme intervals; jsonb of other shapes ('[]', '"x"', '{"a":{}}', deep
    nesting, 10^5 elements) and the plausible object with each field replaced or removed;
    empty, 10^5-element, NULL-element, 2-D and odd-bound arrays.
  * runs each call in its own transaction (rolled back) with statement_timeout = '20s' as
    the role "sweeper" (what PUBLIC gets plus USAGE on schema cafe24), and then as the
    superuser for the functions revoked from PUBLIC (as sweeper those get one call, which
    must fail cleanly with a permission error).
  * classifies each call:
      ok       the call returned
      clean    an error with a SQLSTATE other than XX000 and no Rust panic / backtrace /
               source path text in its message, detail or hint
      unclear  XX000, panic or backtrace-like text, an empty message, or a call that
               dropped the canary table public.sweep_victim (SQL injection)
      timeout  57014 (our statement_timeout: a hang), or a call that ignored the timeout
               and had to be terminated or killed
      crash    the connection was lost because the backend died (the server log says
               "terminated by signal" / "was terminated"), or for no known reason
  * prints a summary table and the worst offenders with the exact call and message,
    writes everything to /tmp/cafe24_sweep.json, exits 1 if any call is unclear, a
    timeout or a crash.

Options: --list-only prints the number of calls (per function and in total) without running
them; --only REGEX sweeps the matching functions; --max-calls-per-function N (default 120,
enough for every generated call today: about 3 600 calls, under 2 minutes on 2 cores);
--superuser-pass all also sweeps every PUBLIC function as superuser, past the permission
checks the sweep role stops at (about 6 900 calls, 4-5 minutes; use another --json path);
--workers N parallel sessions (default 2); --statement-timeout S (default 20).

A call still running 10 s after its statement_timeout is ended with pg_terminate_backend,
and 10 s later with SIGKILL (the server then restarts its sessions; a call whose session
was lost to another backend's crash is run again once).
"""
from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

PSQL = "/usr/lib/postgresql/15/bin/psql"
SWEEP_ROLE = "sweeper"
SUPERUSER = "postgres"
TEXT_TYPES = {"text", "character varying", "name", "character", "citext"}
INT_LIMITS = {
    "smallint": (-32768, 32767),
    "integer": (-2147483648, 2147483647),
    "bigint": (-9223372036854775808, 9223372036854775807),
}
FLOAT_TYPES = {"double precision", "real"}
BACKTRACE_PATTERNS = [
    re.compile(p, re.I)
    for p in (
        r"panicked at",
        r"stack backtrace",
        r"RUST_BACKTRACE",
        r"\bsrc/",
        r"\.rs:\d+",
        r"called `(Option|Result)::(unwrap|expect)",
        r"called `Option::unwrap\(\)`",
        r"/rustc/[0-9a-f]{6,}",
        r"\.cargo/registry",
        r"^\s*\d+: 0x[0-9a-f]+",
    )
]
CRASH_LOG = re.compile(
    r"(server process|background worker \"[^\"]*\") \(PID (\d+)\) (was terminated by (signal|exception) [^\n]*|exited with exit code [1-9]\d*)"
)
LOG_PANIC = re.compile(r"\bPANIC:")

SHORT_TYPES = {"timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp",
               "double precision": "float8", "double precision[]": "float8[]", "integer": "int", "integer[]": "int[]",
               "boolean": "bool", "bigint[]": "bigint[]"}
MB = 1048576
N_BIG = 100000


def lit(s: str) -> str:
    """A standard SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def typed(expr: str, typ: str) -> str:
    return f"{expr}::{typ}"


class Psql:
    def __init__(self, host: str, port: int, db: str):
        self.host, self.port, self.db = host, port, db

    def argv(self, user: str, *extra: str) -> list[str]:
        return [PSQL, "-X", "-h", self.host, "-p", str(self.port), "-d", self.db, "-U", user, *extra]

    def run(self, sql: str, user: str = SUPERUSER, check: bool = True, timeout: float = 120) -> str:
        p = subprocess.run(
            self.argv(user, "-q", "-At", "-v", "ON_ERROR_STOP=1"),
            input=sql,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self.env(),
        )
        if check and p.returncode != 0:
            raise RuntimeError(f"psql as {user} failed ({p.returncode}): {p.stderr.strip()}\nSQL: {sql[:2000]}")
        return p.stdout

    def env(self) -> dict:
        env = dict(os.environ)
        env["PGAPPNAME"] = "cafe24_sweep"
        env["PGOPTIONS"] = "-c client_min_messages=warning"
        env.pop("PGPASSWORD", None)
        return env

    def wait_ready(self, seconds: float = 90) -> bool:
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                p = subprocess.run(self.argv(SUPERUSER, "-At", "-c", "SELECT 1"), capture_output=True, text=True,
                                   timeout=10, env=self.env())
                if p.returncode == 0 and p.stdout.strip() == "1":
                    return True
            except subprocess.TimeoutExpired:
                pass
            time.sleep(0.5)
        return False


# --------------------------------------------------------------------------------------
# Introspection

INTROSPECT = r"""
SELECT coalesce(json_agg(x ORDER BY x.proname, x.ident), '[]') FROM (
  SELECT p.oid::bigint AS oid, p.proname, pg_get_function_identity_arguments(p.oid) AS ident,
         pg_get_function_arguments(p.oid) AS args_text, p.pronargs, p.pronargdefaults,
         ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS u(t, o) ORDER BY o) AS in_types,
         p.proargnames AS argnames, p.proargmodes::text[] AS modes,
         pg_get_expr(p.proargdefaults, 0) AS defaults_text,
         format_type(p.prorettype, NULL) AS rettype, p.proretset AS retset, p.provolatile AS volatility,
         p.prosecdef AS security_definer, p.prokind AS kind,
         (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) AS a
                                      WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')) AS public_execute
  FROM pg_proc AS p
  WHERE p.pronamespace = 'cafe24'::regnamespace
) AS x
"""


def split_top_level(s: str) -> list[str]:
    """Splits a comma-separated list of SQL expressions at top-level commas."""
    out, cur, depth, i, q = [], [], 0, 0, None
    while i < len(s):
        c = s[i]
        if q:
            cur.append(c)
            if c == q:
                if i + 1 < len(s) and s[i + 1] == q:
                    cur.append(s[i + 1])
                    i += 1
                else:
                    q = None
        elif c in "'\"":
            q = c
            cur.append(c)
        elif c in "([":
            depth += 1
            cur.append(c)
        elif c in ")]":
            depth -= 1
            cur.append(c)
        elif c == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


def load_functions(db: Psql) -> list[dict]:
    funcs = json.loads(db.run(INTROSPECT))
    for f in funcs:
        names = f["argnames"] or []
        modes = f["modes"]
        if modes is None:
            in_names = (names + [""] * f["pronargs"])[: f["pronargs"]]
        else:
            in_names = [n for n, m in zip(names, modes) if m in ("i", "b", "v")]
        defaults = split_top_level(f["defaults_text"]) if f["defaults_text"] else []
        nd = f["pronargdefaults"]
        args = []
        for i, (n, t) in enumerate(zip(in_names, f["in_types"])):
            d = defaults[i - (f["pronargs"] - nd)] if i >= f["pronargs"] - nd and len(defaults) == nd else None
            args.append({"name": n, "type": t, "has_default": i >= f["pronargs"] - nd, "default": d})
        f["args"] = args
        f["key"] = f"{f['proname']}({f['ident']})"
        f["short"] = f"{f['proname']}({', '.join(SHORT_TYPES.get(a['type'], a['type']) for a in args)})"
        f["internal"] = f["proname"].startswith("_")
    return funcs


# --------------------------------------------------------------------------------------
# Values

class Ctx:
    """Facts of the database that plausible values depend on."""

    def __init__(self, today: datetime.date, job_id: int):
        self.today = today
        self.job_id = job_id

    def date(self, days_ago: int) -> str:
        return (self.today - datetime.timedelta(days=days_ago)).isoformat()


REPORT_SPEC = '{"title": "Sweep", "sections": [{"title": "t", "query": "SELECT 1 AS one, \'a\' AS letter"}]}'
DASH_SPEC = '{"title": "Sweep", "widgets": [{"title": "t", "kind": "table", "query": "SELECT 1 AS one"}]}'
INGEST_PAYLOAD = json.dumps({"orders": [{
    "shop_no": 1, "order_id": "20261124-0000003", "member_id": "lee02",
    "order_date": "2026-11-24T21:05:00+09:00",
    "items": [{"order_item_code": "20261124-0000003-01", "variant_code": "P000000N000A",
               "product_name": "머그컵", "quantity": 2, "product_price": "12000.00", "order_status": "N10"}]}]},
    ensure_ascii=False)
INGEST_LINES = json.dumps([{
    "order_id": "S-1", "order_item_code": "S-1-01", "shop_no": 1, "ordered_at": "2026-01-01T00:00:00+09:00",
    "member_id": "sweep01", "product_no": 1, "product_code": "P1", "variant_code": "SWEEP-1",
    "product_name": "sweep", "quantity": 1, "unit_price": 1000, "discount": 0, "status": "paid"}])
DEMO_CONFIG = '{"seed": 7, "shops": 2, "products": 10, "customers": 20, "days": 10, "start": "2026-01-01", "sessions_per_order": 2.0}'
FORECAST_Y = "{10,12,9,14,15,11,13,10,12,9,14,15,11,13,10,12,9,14,15,11,13,10,12,9,14,15,11,13}"

SALES_SOURCE = {"forecast_sales", "train_forecast_model", "backtest_forecast", "seasonal_trends",
                "seasonal_indices", "yoy_growth", "_sales_series", "_source_query"}
CUSTOMER_SOURCE = {"segment_customers", "segment_summary", "customer_lifetime_value", "evaluate_lifetime_value",
                   "cohort_retention", "repeat_purchase_rate", "_customer_summaries", "_customer_transactions",
                   "_holdout_purchases"}
SOURCE_ARGS = {"source", "p_source"}
FILE_ARGS = {"file_name", "file_name_template", "template"}


def plausible(fn: dict, arg: dict, ctx: Ctx) -> str | None:
    """A plausible SQL value for an argument, or None to leave it at its default."""
    f, n, t = fn["proname"], arg["name"], arg["type"]
    if n in SOURCE_ARGS:
        if f in SALES_SOURCE:
            return typed(lit("public.sweep_sales"), t)
        if f in CUSTOMER_SOURCE:
            return typed(lit("public.sweep_purchases"), t)
    if arg["has_default"]:
        return None
    by_func = {
        ("forecast", "y"): lit(FORECAST_Y),
        ("forecast", "horizon"): "7",
        ("create_report", "name"): lit("sweep_new_report"),
        ("create_report", "spec"): lit(REPORT_SPEC),
        ("create_dashboard", "name"): lit("sweep_new_dash"),
        ("create_dashboard", "spec"): lit(DASH_SPEC),
        ("render_report", "name"): lit("monthly_sales"),
        ("export_report", "name"): lit("monthly_sales"),
        ("drop_report", "name"): lit("sweep_report"),
        ("render_dashboard", "name"): lit("merchant_overview"),
        ("dashboard_data", "name"): lit("merchant_overview"),
        ("_widget_data", "name"): lit("merchant_overview"),
        ("drop_dashboard", "name"): lit("sweep_dash"),
        ("drop_forecast_model", "name"): lit("sweep_model"),
        ("train_forecast_model", "name"): lit("sweep_new_model"),
        ("schedule", "job_name"): lit("sweep-new-job"),
        ("schedule_in_database", "job_name"): lit("sweep-new-job"),
        ("schedule_report", "job_name"): lit("sweep-new-job"),
        ("unschedule", "job_name"): lit("sweep-job"),
        ("run_job", "job_name"): lit("sweep-job"),
        ("_grouped_sql", "source"): lit("SELECT 1 AS sign, * FROM cafe24.sales_daily"),
        ("_upsert_sql", "source"): lit("SELECT 1 AS sign, * FROM cafe24.sales_daily"),
        ("_prune_sql", "source"): lit("SELECT 1 AS sign, * FROM cafe24.sales_daily"),
        ("_holdout_purchases", "p_start"): lit(ctx.date(90)),
        ("_periods_between", "a"): lit(ctx.date(30)),
        ("_periods_between", "b"): lit(ctx.date(0)),
        ("simulate_inventory_policy", "from_date"): lit(ctx.date(60)),
        ("simulate_inventory_policy", "to_date"): lit(ctx.date(1)),
        ("_report_file_name", "report"): lit("monthly_sales"),
        ("_report_file_name", "format"): lit("pdf"),
        ("_report_file_name", "local"): lit("2026-01-01 09:00:00"),
        ("_line_measures", "quantity"): "2",
        ("_line_measures", "unit_price"): "1000",
        ("_line_measures", "discount"): "0",
        ("_line_measures", "unit_cost"): "400",
    }
    by_name = {
        "calibration_end": lit(ctx.date(90)),
        "spec": lit(REPORT_SPEC),
        "payload": lit(INGEST_PAYLOAD),
        "lines": lit(INGEST_LINES),
        "config": lit(DEMO_CONFIG),
        "widget_no": "1",
        "schedule": lit("@daily"),
        "command": lit("SELECT 1"),
        "database": lit("sweep"),
        "report_name": lit("monthly_sales"),
        "job_id": str(ctx.job_id),
        "grain": lit("day"),
        "p_grain": lit("day"),
        "p_by": lit("total"),
        "p_measure": lit("revenue"),
        "p_as_of": lit(ctx.date(1)),
        "p_days": "30",
        "template": lit("{report}_{date}.{format}"),
        "status": lit("paid"),
        "days": "ARRAY[" + lit(ctx.date(1)) + "]",
        "shops": "'{1}'",
        "orders": "true",
        "sessions": "true",
        "ids": "'{SWEEP-NONE}'",
        "custs": "'{1}'",
        "op": lit("INSERT"),
        "signed_lines": lit("SELECT 1 AS sign, * FROM cafe24.order_line"),
        "signed_daily": lit("SELECT 1 AS sign, * FROM cafe24.sales_daily"),
        "keys": "'{day,shop_no,product_id}'",
        "target": lit("cafe24.sales_daily"),
        "name": lit("sweep_name"),
    }
    v = by_func.get((f, n)) or by_name.get(n)
    if v is None:
        v = {
            "integer": "1", "bigint": "1", "smallint": "1", "double precision": "1.0", "real": "1.0",
            "numeric": "1", "boolean": "true", "date": lit(ctx.date(1)),
            "timestamp with time zone": lit(ctx.date(1)), "timestamp without time zone": lit(ctx.date(1)),
            "interval": lit("1 day"), "jsonb": "'{}'", "json": "'{}'",
        }.get(t)
        if v is None:
            v = "'{}'" if t.endswith("[]") else lit("x")
    return typed(v, t)


def plausible_element(fn: dict, arg: dict, ctx: Ctx) -> str:
    """An element for a large array of the argument's type."""
    t = arg["type"][:-2]
    n = arg["name"]
    if n == "steps":
        return "'view'"
    if n == "keys":
        return "'day'"
    if n == "season_lengths":
        return "7"
    if n == "levels":
        return "80"
    if t in TEXT_TYPES:
        return "'x'"
    if t == "date":
        return lit(ctx.date(1))
    if t.startswith("timestamp"):
        return lit(ctx.date(1))
    return "1"


def text_bads(fn: dict, arg: dict, ctx: Ctx) -> list[tuple[str, str]]:
    t, n = arg["type"], arg["name"]
    v = [
        ("empty string", "''"),
        ("whitespace", "'   '"),
        ("whitespace with tab and newline", "E' \\t\\n '"),
        ("1 MB text", f"repeat('x', {MB})"),
        ("non-existent name", lit("no_such_thing_zz")),
        ("SQL injection", lit("x'; DROP TABLE sweep_victim; --")),
        ("SQL injection (table)", lit("public.sweep_sales; DROP TABLE public.sweep_victim; --")),
        ("quoted identifier", lit('"Quoted Name"')),
        ("quoted identifier with quotes", lit('"x""y"."z"')),
        ("format characters", lit("%s %n %d {0} {} $1 \\N")),
        ("unicode", lit("한글 ☃ \u200b")),
    ]
    if n in SOURCE_ARGS or (n == "source" and fn["proname"].startswith("_")):
        v += [
            ("unreadable table", lit("sweep_secret")),
            ("unreadable table (qualified)", lit("public.sweep_secret")),
            ("unreadable cafe24 table", lit("cafe24.order_line")),
            ("unreadable catalog", lit("pg_catalog.pg_authid")),
            ("query on unreadable table", lit("SELECT * FROM public.sweep_secret")),
            ("query on unreadable catalog", lit("SELECT rolname AS series_key, current_date AS ds, 1.0 AS y, rolname AS customer_id, now() AS ordered_at, 1.0 AS amount FROM pg_authid")),
            ("query of the wrong shape", lit("SELECT 1")),
            ("query with no rows", lit("SELECT * FROM public.sweep_sales WHERE false")),
            ("query raising an error", lit("SELECT 1/0 AS y")),
            ("VALUES of the wrong shape", lit("VALUES (1, 2, 3)")),
            ("data-modifying query", lit("WITH d AS (DELETE FROM public.sweep_victim RETURNING 1) SELECT * FROM public.sweep_sales")),
            ("two statements", lit("SELECT * FROM public.sweep_sales; DROP TABLE public.sweep_victim")),
            ("deeply nested query (1 MB)", f"'SELECT ' || repeat('(', 100000) || '1' || repeat(')', 100000) || ' AS y'"),
            ("huge expression (1 MB)", f"'SELECT ' || repeat('1+', 300000) || '1 AS y'"),
            ("view name with schema only", lit("public.")),
            ("table name with spaces", lit("sweep sales")),
        ]
    if n in FILE_ARGS:
        v += [
            ("path traversal", lit("../../../../etc/passwd")),
            ("absolute path", lit("/etc/passwd")),
            ("traversal inside path", lit("a/../../../x.pdf")),
            ("directory name", lit("dir/")),
            ("dot", lit(".")),
            ("dot dot", lit("..")),
            ("300-character file name", lit("x" * 300 + ".pdf")),
            ("unknown placeholder", lit("{report}_{nope}.{format}")),
            ("unbalanced brace", lit("{report")),
        ]
    if n == "schedule":
        v += [
            ("minute 61", lit("61 * * * *")),
            ("7 fields", lit("* * * * * * *")),
            ("Feb 31", lit("0 0 31 2 *")),
            ("zero seconds", lit("0 seconds")),
            ("negative seconds", lit("-5 seconds")),
            ("huge seconds", lit("99999999999999999999 seconds")),
            ("step zero", lit("*/0 * * * *")),
            ("huge step", lit("0-59/99999999999 * * * *")),
            ("reversed range", lit("59-0 * * * *")),
            ("unknown macro", lit("@never")),
        ]
    if n == "timezone":
        v += [("unknown zone", lit("Mars/Olympus")), ("huge offset", lit("+99:00")), ("POSIX offset", lit("UTC+1000000"))]
    if n == "username":
        v += [("superuser", lit("postgres")), ("predefined role", lit("pg_read_all_data")), ("self", lit(SWEEP_ROLE))]
    if n == "database":
        v += [("template0", lit("template0")), ("other database", lit("postgres"))]
    p = plausible(fn, arg, ctx)
    if p is not None and p.startswith("'") and p.endswith("'::" + t):
        raw = p[1 : p.rindex("'::")]
        if raw and not raw.startswith("{") and len(raw) < 60:
            v += [("upper case", lit(raw.upper().replace("''", "'"))), ("trailing space", lit(raw.replace("''", "'") + " "))]
    return [(lbl, typed(e, t)) for lbl, e in v]


def int_bads(arg: dict) -> list[tuple[str, str]]:
    t = arg["type"]
    lo, hi = INT_LIMITS[t]
    v = [("zero", "0"), ("-1", "-1"), (f"min {t}", str(lo)), (f"max {t}", str(hi))]
    if t == "bigint":
        v.append(("2^31-1", "2147483647"))
    return [(lbl, typed(f"({e})" if e.startswith("-") else e, t)) for lbl, e in v]


def float_bads(arg: dict) -> list[tuple[str, str]]:
    t = arg["type"]
    v = [("NaN", "'NaN'"), ("Infinity", "'Infinity'"), ("-Infinity", "'-Infinity'"), ("zero", "0"), ("-1", "(-1)"),
         ("1e308", "1e308" if t == "double precision" else "3e38"), ("-1e308", "(-1e308)" if t == "double precision" else "(-3e38)"),
         ("denormal", "'5e-324'" if t == "double precision" else "'1e-45'")]
    return [(lbl, typed(e, t)) for lbl, e in v]


def numeric_bads(arg: dict) -> list[tuple[str, str]]:
    v = [("NaN", "'NaN'"), ("Infinity", "'Infinity'"), ("-Infinity", "'-Infinity'"), ("zero", "0"), ("-1", "(-1)"),
         ("1e300", "1e300"), ("-1e300", "(-1e300)"), ("1e-300", "1e-300")]
    return [(lbl, typed(e, "numeric")) for lbl, e in v]


def date_bads(arg: dict) -> list[tuple[str, str]]:
    t = arg["type"]
    if t == "date":
        v = [("infinity", "'infinity'"), ("-infinity", "'-infinity'"), ("4713 BC", "'4713-01-01 BC'"),
             ("max date", "'5874897-12-31'"), ("year 1", "'0001-01-01'"), ("9999-12-31", "'9999-12-31'"),
             ("epoch", "'1970-01-01'")]
    elif t == "timestamp with time zone":
        v = [("infinity", "'infinity'"), ("-infinity", "'-infinity'"), ("4713 BC", "'4713-01-01 00:00:00+00 BC'"),
             ("max timestamp", "'294276-12-31 23:59:59+00'"), ("year 1", "'0001-01-01 00:00:00+00'"),
             ("epoch", "'1970-01-01 00:00:00+00'")]
    else:
        v = [("infinity", "'infinity'"), ("-infinity", "'-infinity'"), ("4713 BC", "'4713-01-01 00:00:00 BC'"),
             ("max timestamp", "'294276-12-31 23:59:59'"), ("year 1", "'0001-01-01 00:00:00'"),
             ("epoch", "'1970-01-01 00:00:00'")]
    return [(lbl, typed(e, t)) for lbl, e in v]


def interval_bads(arg: dict) -> list[tuple[str, str]]:
    v = [("zero", "'0'"), ("negative", "'-1 day'"), ("1 microsecond", "'1 microsecond'"),
         ("huge", "'178000000 years'"), ("huge negative", "'-178000000 years'"),
         ("mixed signs", "'1 month -40 days'")]
    return [(lbl, typed(e, "interval")) for lbl, e in v]


def json_field_variants(obj) -> list[tuple[str, object]]:
    """Every field (recursively, through the first element of arrays) replaced by other
    shapes, or removed; and arrays given a null element and an empty element."""
    out = []

    def walk(node_path):
        node = obj
        for x in node_path:
            node = node[x]
        if isinstance(node, dict):
            for k in list(node):
                child = node_path + (k,)
                name = "/".join(str(x) for x in child)
                for lbl, rep in (("null", None), ('"x"', "x"), ("-1", -1), ("1e30", 10 ** 30), ("[]", []),
                                 ("{}", {}), ('""', "")):
                    if node[k] == rep and type(node[k]) is type(rep):
                        continue
                    out.append((f"field {name} = {lbl}", set_at(obj, child, rep)))
                out.append((f"field {name} removed", del_at(obj, child)))
                walk(child)
        elif isinstance(node, list) and node:
            name = "/".join(str(x) for x in node_path) or "root"
            out.append((f"array {name} with a null element", set_at(obj, node_path, node + [None])))
            out.append((f"array {name} with an empty object", set_at(obj, node_path, node + [{}])))
            walk(node_path + (0,))

    walk(())
    return out


def set_at(obj, path, value):
    new = json.loads(json.dumps(obj))
    if not path:
        return value
    ref = new
    for x in path[:-1]:
        ref = ref[x]
    ref[path[-1]] = value
    return new


def del_at(obj, path):
    new = json.loads(json.dumps(obj))
    ref = new
    for x in path[:-1]:
        ref = ref[x]
    del ref[path[-1]]
    return new


def jsonb_bads(fn: dict, arg: dict, ctx: Ctx) -> list[tuple[str, str]]:
    t = arg["type"]
    v = [
        ("empty array", "'[]'"),
        ("string", "'\"x\"'"),
        ("empty object", "'{}'"),
        ("json null", "'null'"),
        ("number", "'0'"),
        ("nested empty object", "'{\"a\":{}}'"),
        ("deeply nested arrays (5000)", "(repeat('[', 5000) || repeat(']', 5000))"),
        ("deeply nested objects (2000)", "(repeat('{\"a\":', 2000) || '1' || repeat('}', 2000))"),
        ("10^5-element array", f"(SELECT jsonb_agg(g) FROM generate_series(1, {N_BIG}) AS g)"),
        ("10^5-key object", f"(SELECT jsonb_object_agg('k' || g, g) FROM generate_series(1, {N_BIG}) AS g)"),
        ("1 MB string", f"to_jsonb(repeat('x', {MB}))"),
    ]
    p = plausible(fn, arg, ctx)
    out = [(lbl, typed(e, t)) for lbl, e in v]
    if p is not None:
        raw = p[1 : p.rindex("'::")].replace("''", "'")
        try:
            obj = json.loads(raw)
        except ValueError:
            obj = None
        if isinstance(obj, (dict, list)) and obj:
            for lbl, new in json_field_variants(obj):
                out.append((lbl, typed(lit(json.dumps(new, ensure_ascii=False)), t)))
    return out


def array_bads(fn: dict, arg: dict, ctx: Ctx) -> list[tuple[str, str]]:
    t = arg["type"]
    et = t[:-2]
    el = plausible_element(fn, arg, ctx)
    if fn["proname"] == "forecast" and arg["name"] == "y":
        big = f"(SELECT array_agg((10 + g % 7 + g % 13)::float8) FROM generate_series(1, {N_BIG}) AS g)"
    else:
        big = f"array_fill({el}::{et}, ARRAY[{N_BIG}])"
    v = [("empty array", "'{}'"), ("10^5-element array", big)]
    if et in FLOAT_TYPES:
        v.append(("10^5-element nearly constant array", f"(array_fill(1::{et}, ARRAY[{N_BIG}]) || '{{2}}'::{t})"))
    v += [("NULL element", "'{NULL}'"),
         ("2-D array", f"ARRAY[ARRAY[{el}, {el}], ARRAY[{el}, {el}]]::{t}"),
         ("lower bound 0", f"'[0:1]={{{el.strip(chr(39))},{el.strip(chr(39))}}}'")]
    if et in FLOAT_TYPES or et == "numeric":
        v += [("NaN element", "'{NaN}'"), ("Infinity element", "'{1,Infinity}'"), ("-Infinity element", "'{-Infinity,1}'"),
              ("negative element", "'{-1}'"), ("zero element", "'{0}'"), ("huge element", "'{1e308}'" if et != "numeric" else "'{1e300}'"),
              ("single element", "'{1}'")]
    elif et in INT_LIMITS:
        lo, hi = INT_LIMITS[et]
        v += [("zero element", "'{0}'"), ("negative element", "'{-1}'"), ("max element", f"'{{{hi}}}'"),
              ("min element", f"'{{{lo}}}'"), ("duplicate elements", f"'{{{el},{el}}}'")]
    elif et in TEXT_TYPES:
        v += [("empty string element", "'{\"\"}'"), ("whitespace element", "'{\"  \"}'"),
              ("unknown element", "'{no_such_thing_zz}'"), ("injection element", lit("{\"x'; DROP TABLE sweep_victim; --\"}")),
              ("duplicate elements", f"ARRAY[{el}, {el}]::{t}"), ("1 MB element", f"ARRAY[repeat('x', {MB})]")]
    elif et == "date":
        v += [("infinity element", "'{infinity}'"), ("-infinity element", "'{-infinity}'"),
              ("max date element", "'{5874897-12-31}'")]
    out = []
    for lbl, e in v:
        out.append((lbl, e if e.endswith("::" + t) else typed(e, t)))
    return out


def bad_values(fn: dict, arg: dict, ctx: Ctx) -> list[tuple[str, str]]:
    t = arg["type"]
    vals = [("NULL", typed("NULL", t))]
    if t in TEXT_TYPES:
        vals += text_bads(fn, arg, ctx)
    elif t in INT_LIMITS:
        vals += int_bads(arg)
    elif t in FLOAT_TYPES:
        vals += float_bads(arg)
    elif t == "numeric":
        vals += numeric_bads(arg)
    elif t in ("date", "timestamp with time zone", "timestamp without time zone"):
        vals += date_bads(arg)
    elif t == "interval":
        vals += interval_bads(arg)
    elif t in ("jsonb", "json"):
        vals += jsonb_bads(fn, arg, ctx)
    elif t.endswith("[]"):
        vals += array_bads(fn, arg, ctx)
    return vals


def call_sql(fn: dict, values: dict[str, str]) -> str:
    """The statement calling fn with the given named arguments (others at their defaults)."""
    if all(a["name"] for a in fn["args"]):
        parts = [f'{a["name"]} => {values[a["name"]]}' for a in fn["args"] if a["name"] in values]
    else:  # positional: every argument, defaults spelled out
        parts = [values.get(a["name"]) or a["default"] or "NULL" for a in fn["args"]]
    target = f"cafe24.{fn['proname']}({', '.join(parts)})"
    if fn["kind"] == "p":
        return f"CALL {target}"
    return f"SELECT count(*) FROM {target} AS t"


def build_calls(funcs: list[dict], ctx: Ctx, cap: int, superuser_all: bool = False) -> tuple[list[dict], list[dict]]:
    calls, skipped = [], []
    for fn in funcs:
        if fn["kind"] not in ("f", "p"):
            skipped.append({"function": fn["key"], "short": fn["short"], "reason": f"prokind {fn['kind']}"})
            continue
        if fn["internal"] and not fn["public_execute"]:
            skipped.append({"function": fn["key"], "short": fn["short"], "reason": "internal and revoked from PUBLIC"})
            continue
        base = {}
        for a in fn["args"]:
            p = plausible(fn, a, ctx)
            if p is not None:
                base[a["name"]] = p
        per_fn = [("(plausible values)", "", dict(base))]
        per_arg = []
        for a in fn["args"]:
            lst = []
            for lbl, v in bad_values(fn, a, ctx):
                vals = dict(base)
                vals[a["name"]] = v
                lst.append((lbl, a["name"], vals))
            per_arg.append(lst)
        # Round robin over the arguments so that a cap keeps every argument covered.
        level = 0
        while any(level < len(l) for l in per_arg):
            for lst in per_arg:
                if level < len(lst):
                    per_fn.append(lst[level])
            level += 1
        seen, uniq = set(), []
        for lbl, argname, vals in per_fn:
            sql = call_sql(fn, vals)
            if sql in seen:
                continue
            seen.add(sql)
            uniq.append((lbl, argname, sql))
        dropped = max(0, len(uniq) - cap)
        uniq = uniq[:cap]
        if fn["public_execute"]:
            roles = [SWEEP_ROLE, SUPERUSER] if superuser_all else [SWEEP_ROLE]
        else:
            roles = [SUPERUSER]
            # As sweeper: one call, which must be refused with a clean permission error.
            calls.append({"function": fn["key"], "short": fn["short"], "proname": fn["proname"], "role": SWEEP_ROLE, "arg": "",
                          "label": "(plausible values, not granted)", "sql": uniq[0][2], "expect_denied": True})
        for role in roles:
            for lbl, argname, sql in uniq:
                calls.append({"function": fn["key"], "short": fn["short"], "proname": fn["proname"], "role": role, "arg": argname,
                              "label": lbl, "sql": sql})
        fn["calls_dropped_by_cap"] = dropped
    for i, c in enumerate(calls):
        c["id"] = i
    return calls, skipped


# --------------------------------------------------------------------------------------
# Running

MSG_START = re.compile(r"^(?:psql:[^\n]*?:\d+: )?(ERROR|WARNING|NOTICE|INFO|FATAL|PANIC|LOG|DEBUG):  (.*)$")
FIELD = re.compile(r"^(DETAIL|HINT|CONTEXT|LOCATION|QUERY|STATEMENT|INTERNAL QUERY|WHERE):  (.*)$")
CONN_LOST = re.compile(r"server closed the connection unexpectedly|connection to server was lost|no connection to the server|terminating connection|could not receive data from server|SSL SYSCALL error")


class Batch:
    """One psql process running a list of calls (all of one role)."""

    def __init__(self, runner: "Runner", calls: list[dict], role: str):
        self.runner, self.calls, self.role = runner, calls, role
        self.pid = None
        self.current = None  # call id running now
        self.current_start = None
        self.ended = set()
        self.blocks: dict[int, list[dict]] = collections.defaultdict(list)
        self.extra: dict[int, list[str]] = collections.defaultdict(list)
        self.sqlstate: dict[int, str] = {}
        self.victim: dict[int, str] = {}
        self.duration: dict[int, float] = {}
        self.tail: list[str] = []
        self.lock = threading.Lock()
        self.watchdog_action: dict[int, str] = {}

    def script(self) -> str:
        lines = [
            "\\set VERBOSITY verbose",
            "\\set SHOW_CONTEXT errors",
            "SELECT pg_backend_pid() AS sweep_pid \\gset",
            "\\warn @@PID :sweep_pid",
        ]
        t = self.runner.args.statement_timeout
        for c in self.calls:
            lines += [
                f"\\warn @@BEGIN {c['id']}",
                "BEGIN;",
                f"SET LOCAL statement_timeout = '{t}s';",
                f"SET LOCAL lock_timeout = '{max(1, t - 5)}s';",
                c["sql"] + ";",
                f"\\warn @@END {c['id']} :SQLSTATE",
                "\\set sweep_victim unknown",
                "SELECT to_regclass('public.sweep_victim') IS NULL AS sweep_victim \\gset",
                f"\\warn @@VICTIM {c['id']} :sweep_victim",
                "ROLLBACK;",
            ]
        return "\n".join(lines) + "\n"

    def read(self, stream):
        block = None
        field = None
        for raw in stream:
            line = raw.rstrip("\n")
            now = time.time()
            with self.lock:
                self.tail = (self.tail + [line])[-40:]
                if line.startswith("@@PID "):
                    try:
                        self.pid = int(line.split()[1])
                    except ValueError:
                        pass
                    continue
                if line.startswith("@@BEGIN "):
                    self.current = int(line.split()[1])
                    self.current_start = now
                    block = field = None
                    continue
                if line.startswith("@@END "):
                    parts = line.split()
                    cid = int(parts[1])
                    self.sqlstate[cid] = parts[2] if len(parts) > 2 else ""
                    self.ended.add(cid)
                    if self.current_start is not None:
                        self.duration[cid] = now - self.current_start
                    self.current_start = None
                    block = field = None
                    continue
                if line.startswith("@@VICTIM "):
                    parts = line.split()
                    self.victim[int(parts[1])] = parts[2] if len(parts) > 2 else ""
                    continue
                cid = self.current
                if cid is None or cid in self.ended:
                    if cid is not None and CONN_LOST.search(line):
                        self.extra[cid].append(line)
                    continue
                m = MSG_START.match(line)
                if m:
                    rest = m.group(2)
                    sm = re.match(r"^([0-9A-Z]{5}): (.*)$", rest, re.S)
                    block = {"severity": m.group(1), "sqlstate": sm.group(1) if sm else None,
                             "message": sm.group(2) if sm else rest}
                    self.blocks[cid].append(block)
                    field = "message"
                    continue
                m = FIELD.match(line)
                if m and block is not None:
                    field = m.group(1).lower()
                    block[field] = m.group(2)
                    continue
                if block is not None and field is not None and not line.startswith("psql:"):
                    block[field] = block.get(field, "") + "\n" + line
                else:
                    self.extra[cid].append(line)

    def run(self) -> None:
        args = self.runner.args
        with tempfile.NamedTemporaryFile("w", suffix=".sql", prefix="cafe24_sweep_", delete=False) as tf:
            tf.write(self.script())
            path = tf.name
        try:
            proc = subprocess.Popen(
                self.runner.db.argv(self.role, "-q", "-v", "ON_ERROR_STOP=0", "-f", path),
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace",
                env=self.runner.db.env())
            reader = threading.Thread(target=self.read, args=(proc.stderr,), daemon=True)
            reader.start()
            hard = args.statement_timeout
            while proc.poll() is None:
                time.sleep(0.2)
                with self.lock:
                    cid, start, pid = self.current, self.current_start, self.pid
                if cid is None or start is None or pid is None:
                    continue
                running = time.time() - start
                action = self.watchdog_action.get(cid)
                if running > hard + 10 and action is None:
                    self.watchdog_action[cid] = "terminate"
                    self.runner.log(f"  call {cid} still running {running:.0f}s after start, ignoring "
                                    f"statement_timeout: pg_terminate_backend({pid})")
                    self.runner.db.run(f"SELECT pg_terminate_backend({pid})", check=False, timeout=30)
                elif running > hard + 20 and action == "terminate":
                    self.watchdog_action[cid] = "kill"
                    self.runner.log(f"  call {cid} ignored pg_terminate_backend: SIGKILL {pid}")
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                elif running > hard + 60 and action == "kill":
                    self.watchdog_action[cid] = "psql killed"
                    proc.kill()
            reader.join(timeout=10)
        finally:
            os.unlink(path)


class Runner:
    def __init__(self, args, db: Psql):
        self.args, self.db = args, db
        self.results: dict[int, dict] = {}
        self.lock = threading.Lock()
        self.log_lock = threading.Lock()
        self.crashes_seen: set[int] = set()

    def log(self, msg: str) -> None:
        with self.log_lock:
            print(msg, file=sys.stderr, flush=True)

    def log_size(self) -> int:
        try:
            return os.path.getsize(self.args.server_log)
        except OSError:
            return 0

    def log_text(self, start: int) -> str:
        try:
            with open(self.args.server_log, "rb") as f:
                f.seek(start)
                return f.read(20 * MB).decode("utf-8", "replace")
        except OSError:
            return ""

    def crash_lines(self, text: str) -> list[dict]:
        out = []
        lines = text.splitlines()
        for i, line in enumerate(lines):
            m = CRASH_LOG.search(line)
            if m or LOG_PANIC.search(line):
                ctx = lines[max(0, i - 12): i + 3]
                out.append({"pid": int(m.group(2)) if m else None, "line": line,
                            "context": [l[:2000] for l in ctx]})
        return out

    def run_calls(self, calls: list[dict]) -> None:
        """Runs calls of one role in batches; resumes after connection losses."""
        pending = list(calls)
        retried: set[int] = set()
        while pending:
            role = pending[0]["role"]
            log_start = self.log_size()
            b = Batch(self, pending, role)
            b.run()
            by_id = {c["id"]: c for c in pending}
            done_upto = -1
            for i, c in enumerate(pending):
                if c["id"] in b.ended:
                    self.record(c, b)
                    done_upto = i
                else:
                    break
            rest = pending[done_upto + 1:]
            if not rest:
                break
            # The batch died before finishing: the first unfinished call was running (or the
            # session was lost between calls).
            c = rest[0]
            started = b.current == c["id"]
            time.sleep(0.5)
            ready = self.db.wait_ready()
            logtxt = self.log_text(log_start)
            crashes = self.crash_lines(logtxt)
            ours = [x for x in crashes if x["pid"] == b.pid]
            others = [x for x in crashes if x["pid"] is not None and x["pid"] != b.pid]
            action = b.watchdog_action.get(c["id"])
            if not started and b.pid is None:
                # psql could not even connect (server restarting): try again.
                if c["id"] in retried:
                    self.record_dead(c, b, "crash", "could not connect to run the call", crashes)
                    rest = rest[1:]
                else:
                    retried.add(c["id"])
                    self.log(f"  could not start a session for call {c['id']}; retrying")
                pending = rest
                continue
            if started and action:
                note = {"terminate": "ignored statement_timeout and query cancel; ended by pg_terminate_backend",
                        "kill": "ignored statement_timeout, cancel and pg_terminate_backend; killed with SIGKILL",
                        "psql killed": "ignored statement_timeout, cancel, pg_terminate_backend and SIGKILL"}[action]
                self.record_dead(c, b, "timeout", note, ours)
                rest = rest[1:]
            elif started and not ours and others and c["id"] not in retried:
                # Another backend crashed and took this session with it: run the call again.
                retried.add(c["id"])
                self.log(f"  call {c['id']} lost its session to a crash of PID {others[0]['pid']}; retrying")
            elif started:
                note = "the backend died during the call" if ours else "the connection was lost during the call"
                self.record_dead(c, b, "crash", note, ours or crashes)
                rest = rest[1:]
            else:
                # Lost between calls (after the previous call had returned).
                prev = pending[done_upto] if done_upto >= 0 else None
                if prev is not None and ours:
                    r = self.results[prev["id"]]
                    r["class"] = "crash"
                    r["note"] = "the backend died right after the call returned (during ROLLBACK or the next command)"
                    r["server_log"] = ours
                    self.log(f"  CRASH after call {prev['id']}: {prev['sql'][:200]}")
            if not ready:
                self.log("  the server did not come back within 90 s; stopping")
                for c2 in rest:
                    self.record_dead(c2, b, "crash", "not run: the server did not come back", [])
                break
            pending = rest

    def classify(self, sqlstate: str, block: dict | None, victim: str) -> tuple[str, str]:
        if victim == "t":
            return "unclear", "the canary table public.sweep_victim was dropped by the call (SQL injection)"
        if sqlstate == "00000":
            return "ok", ""
        if sqlstate == "57014":
            return "timeout", "statement_timeout (or cancel) reached"
        if sqlstate == "XX000":
            return "unclear", "SQLSTATE XX000 (internal error)"
        if not sqlstate:
            return "unclear", "no SQLSTATE"
        if block is None:
            return "unclear", "no error message was printed"
        if not (block.get("message") or "").strip():
            return "unclear", "empty message"
        for f in ("message", "detail", "hint"):
            txt = block.get(f) or ""
            for p in BACKTRACE_PATTERNS:
                if p.search(txt):
                    return "unclear", f"{f} contains panic/backtrace/source-path text ({p.pattern})"
        return "clean", ""

    def record(self, c: dict, b: Batch) -> None:
        sqlstate = b.sqlstate.get(c["id"], "")
        blocks = b.blocks.get(c["id"], [])
        err = next((x for x in blocks if x["severity"] in ("ERROR", "FATAL", "PANIC")), None)
        cls, why = self.classify(sqlstate, err, b.victim.get(c["id"], ""))
        if c.get("expect_denied") and cls == "clean" and sqlstate != "42501":
            why = f"expected a permission error (42501), got {sqlstate}"
        if c.get("expect_denied") and cls == "ok":
            cls, why = "unclear", "a function revoked from PUBLIC ran for the sweep role"
        if err and err.get("sqlstate") and sqlstate and err["sqlstate"] != sqlstate:
            why = (why + "; " if why else "") + f"psql SQLSTATE {sqlstate} but message says {err['sqlstate']}"
        res = {**c, "class": cls, "note": why, "sqlstate": sqlstate,
               "duration_s": round(b.duration.get(c["id"], 0.0), 3)}
        if err:
            res["error"] = {k: (v[:20000] if isinstance(v, str) else v) for k, v in err.items()}
        others = [x for x in blocks if x is not err]
        if others:
            res["messages"] = [{k: (v[:2000] if isinstance(v, str) else v) for k, v in x.items()} for x in others[:5]]
        with self.lock:
            self.results[c["id"]] = res

    def record_dead(self, c: dict, b: Batch, cls: str, note: str, log_entries: list[dict]) -> None:
        blocks = b.blocks.get(c["id"], [])
        res = {**c, "class": cls, "note": note, "sqlstate": "",
               "duration_s": round(time.time() - b.current_start, 3) if b.current_start and b.current == c["id"] else None,
               "psql_output": [l[:2000] for l in (b.extra.get(c["id"], []) or b.tail)[-15:]],
               "server_log": log_entries}
        if blocks:
            res["error"] = {k: (v[:20000] if isinstance(v, str) else v) for k, v in blocks[0].items()}
        with self.lock:
            self.results[c["id"]] = res
        self.log(f"  {cls.upper()}: call {c['id']} ({c['short']}, {c['arg'] or '-'}: {c['label']}): {note}")


# --------------------------------------------------------------------------------------
# Fixtures

def setup_fixtures(db: Psql) -> int:
    db.run(f"""
SET client_min_messages = warning;
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{SWEEP_ROLE}') THEN
        CREATE ROLE {SWEEP_ROLE} LOGIN;
    END IF;
END $$;
GRANT USAGE ON SCHEMA cafe24 TO {SWEEP_ROLE};
DROP TABLE IF EXISTS public.sweep_sales, public.sweep_purchases, public.sweep_secret, public.sweep_victim;
CREATE TABLE public.sweep_sales AS
    SELECT 'total'::text AS series_key, day AS ds, sum(net_amount)::float8 AS y
    FROM cafe24.sales_daily GROUP BY day;
INSERT INTO public.sweep_sales
    SELECT 'shop ' || shop_no, day, sum(net_amount)::float8 FROM cafe24.sales_daily GROUP BY 1, 2;
CREATE TABLE public.sweep_purchases AS
    SELECT customer_id::text AS customer_id, ordered_at, (quantity * unit_price - discount) AS amount
    FROM cafe24.order_line WHERE customer_id IS NOT NULL AND status NOT IN ('cancelled', 'returned');
GRANT SELECT ON public.sweep_sales, public.sweep_purchases TO {SWEEP_ROLE};
CREATE TABLE public.sweep_secret AS
    SELECT 'secret'::text AS series_key, current_date - 1 AS ds, 1.0::float8 AS y,
           'secret'::text AS customer_id, now() AS ordered_at, 1.0 AS amount;
CREATE TABLE public.sweep_victim (x integer);
ALTER TABLE public.sweep_victim OWNER TO {SWEEP_ROLE};
""")
    out = db.run(f"""
SET client_min_messages = error;
SELECT cafe24.create_report('sweep_report', {lit(REPORT_SPEC)}, replace => true);
SELECT cafe24.create_dashboard('sweep_dash', {lit(DASH_SPEC)}, replace => true);
SELECT count(*) FROM cafe24.train_forecast_model('sweep_model', horizon => 7, model => 'seasonal_naive',
                                                 source => 'public.sweep_sales', replace => true);
SELECT CASE WHEN EXISTS (SELECT FROM cafe24.job WHERE jobname = 'sweep-job') THEN 0
            ELSE cafe24.schedule('sweep-job', '@yearly', 'SELECT 1') END;
SELECT jobid FROM cafe24.job WHERE jobname = 'sweep-job';
""", user=SWEEP_ROLE)
    return int(out.split()[-1])


# --------------------------------------------------------------------------------------

def summarize(calls_res: list[dict], funcs_order: list[str]) -> list[dict]:
    rows = collections.OrderedDict()
    for r in calls_res:
        key = (r["function"], r["role"])
        row = rows.setdefault(key, {"function": r["function"], "short": r["short"], "role": r["role"], "calls": 0, "ok": 0, "clean": 0,
                                    "unclear": 0, "timeout": 0, "crash": 0})
        row["calls"] += 1
        row[r["class"]] += 1
    return sorted(rows.values(), key=lambda x: (x["function"], x["role"] != SWEEP_ROLE))


def short(s: str | None, n: int) -> str:
    if s is None:
        return ""
    s = s.replace("\n", "\\n")
    return s if len(s) <= n else s[:n] + f"... ({len(s)} chars)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="/tmp")
    ap.add_argument("--port", type=int, default=54336)
    ap.add_argument("--dbname", default="sweep")
    ap.add_argument("--server-log", default="/tmp/cafe24_analytics-sweep/server.log")
    ap.add_argument("--json", default="/tmp/cafe24_sweep.json")
    ap.add_argument("--list-only", action="store_true", help="print the number of calls and exit")
    ap.add_argument("--only", help="regular expression: sweep only functions whose name matches")
    ap.add_argument("--max-calls-per-function", type=int, default=120)
    ap.add_argument("--superuser-pass", choices=("revoked", "all"), default="revoked",
                    help="functions swept again as superuser: those revoked from PUBLIC (default), or all")
    ap.add_argument("--statement-timeout", type=int, default=20, help="seconds")
    ap.add_argument("--workers", type=int, default=2, help="parallel sessions (the machine has 2 cores)")
    args = ap.parse_args()

    db = Psql(args.host, args.port, args.dbname)
    t0 = time.time()
    funcs = load_functions(db)
    if args.only:
        funcs = [f for f in funcs if re.search(args.only, f["proname"])]
    today = datetime.date.fromisoformat(db.run("SELECT current_date").strip())
    if args.list_only:
        ctx = Ctx(today, 1)
    else:
        ctx = Ctx(today, setup_fixtures(db))
    calls, skipped = build_calls(funcs, ctx, args.max_calls_per_function, args.superuser_pass == "all")

    if args.list_only:
        per = collections.Counter((c["function"], c["role"]) for c in calls)
        shorts = {c["function"]: c["short"] for c in calls}
        for (f, role), n in sorted(per.items()):
            print(f"{n:5d}  {shorts[f]}  [{role}]")
        for s in skipped:
            print(f"    -  {s['short']}  (skipped: {s['reason']})")
        capped = [f for f in funcs if f.get("calls_dropped_by_cap")]
        print(f"{len(calls)} calls over {len(per)} function/role pairs "
              f"({len(funcs)} functions, {len(skipped)} skipped; cap {args.max_calls_per_function} per function "
              f"dropped calls of {len(capped)} functions)")
        return 0

    so = "/usr/lib/postgresql/15/lib/cafe24_analytics.so"
    lib_mtime_start = os.path.getmtime(so) if os.path.exists(so) else None
    log_start = os.path.getsize(args.server_log) if os.path.exists(args.server_log) else 0
    runner = Runner(args, db)
    runner.log(f"==> {len(calls)} calls over {len(funcs) - len(skipped)} functions "
               f"({args.workers} sessions, statement_timeout {args.statement_timeout}s)")

    # Phase 1: the sweep role, functions spread over the workers (one function per batch).
    groups = collections.OrderedDict()
    for c in calls:
        groups.setdefault((c["function"], c["role"]), []).append(c)
    phase1 = [g for (f, role), g in groups.items() if role == SWEEP_ROLE]
    phase2 = [g for (f, role), g in groups.items() if role != SWEEP_ROLE]
    # Big groups first, so that the two workers finish together.
    phase1.sort(key=len, reverse=True)

    def work(queue_: list[list[dict]], qlock: threading.Lock):
        while True:
            with qlock:
                if not queue_:
                    return
                g = queue_.pop(0)
            t = time.time()
            runner.run_calls(g)
            res = [runner.results.get(c["id"], {}).get("class") for c in g]
            bad = sum(1 for r in res if r in ("unclear", "timeout", "crash"))
            runner.log(f"  {g[0]['short']} [{g[0]['role']}]: {len(g)} calls, {time.time() - t:.1f}s"
                       + (f", {bad} bad" if bad else ""))

    phase2.sort(key=len, reverse=True)
    for phase, nworkers in ((phase1, args.workers), (phase2, args.workers if args.superuser_pass == "all" else 1)):
        qlock = threading.Lock()
        threads = [threading.Thread(target=work, args=(phase, qlock)) for _ in range(max(1, nworkers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    # Crashes in the server log that no call claimed (for instance of a background worker).
    log_all = runner.log_text(log_start)
    crash_entries = runner.crash_lines(log_all)
    lib_mtime_end = os.path.getmtime(so) if os.path.exists(so) else None
    duration = time.time() - t0

    res = [runner.results[c["id"]] for c in calls if c["id"] in runner.results]
    table = summarize(res, [])
    totals = collections.Counter(r["class"] for r in res)
    sqlstates = collections.Counter(r["sqlstate"] for r in res if r["class"] == "clean")
    echoing = [r for r in res if len((r.get("error") or {}).get("message") or "") > 10000]

    print()
    w = max([len(r["short"]) for r in table] + [8])
    hdr = f"{'function':<{w}} {'role':<9} {'calls':>5} {'ok':>4} {'clean':>5} {'unclear':>7} {'timeout':>7} {'crash':>5}"
    print(hdr)
    print("-" * len(hdr))
    for row in table:
        flag = " <==" if row["unclear"] or row["timeout"] or row["crash"] else ""
        print(f"{row['short']:<{w}} {row['role']:<9} {row['calls']:>5} {row['ok']:>4} {row['clean']:>5} "
              f"{row['unclear']:>7} {row['timeout']:>7} {row['crash']:>5}{flag}")
    print("-" * len(hdr))
    print(f"{'TOTAL':<{w}} {'':<9} {len(res):>5} {totals['ok']:>4} {totals['clean']:>5} {totals['unclear']:>7} "
          f"{totals['timeout']:>7} {totals['crash']:>5}")
    print(f"\nclean errors by SQLSTATE: " + ", ".join(f"{k} {v}" for k, v in sqlstates.most_common()))
    if echoing:
        print(f"note: {len(echoing)} error messages are over 10 kB (they echo a huge argument), in: "
              + ", ".join(sorted({r["short"] for r in echoing})))
    if skipped:
        print("skipped: " + "; ".join(f"{s['short']} ({s['reason']})" for s in skipped))
    capped = [(f["short"], f["calls_dropped_by_cap"]) for f in funcs if f.get("calls_dropped_by_cap")]
    if capped:
        print(f"cap of {args.max_calls_per_function} calls per function dropped: "
              + ", ".join(f"{k} {n}" for k, n in capped))
    secdef = [f["short"] for f in funcs if f["security_definer"] and f["public_execute"]]
    if secdef:
        print("note: SECURITY DEFINER functions executable by PUBLIC: " + ", ".join(secdef))

    bad = [r for r in res if r["class"] in ("crash", "timeout", "unclear")]
    order = {"crash": 0, "timeout": 1, "unclear": 2}
    groups = collections.OrderedDict()
    for r in sorted(bad, key=lambda r: (order[r["class"]], r["function"], r["role"], r["id"])):
        e = r.get("error") or {}
        pattern = re.sub(r"\d+", "N", (e.get("message") or r.get("note") or "")[:300])
        groups.setdefault((r["class"], r.get("sqlstate") or "", pattern), []).append(r)
    if bad:
        print(f"\nWorst offenders: {len(bad)} calls, {len(groups)} kinds (crash, then timeout, then unclear; "
              f"each kind's first call in full, then every call)")
    for (cls, state, _), rs in sorted(groups.items(), key=lambda kv: (order[kv[0][0]], -len(kv[1]))):
        r = rs[0]
        e = r.get("error") or {}
        print(f"\n[{cls.upper()}] {len(rs)} call(s): {state or '-'} {short(e.get('message') or r.get('note'), 300)}")
        if r.get("note"):
            print(f"  why:      {r['note']}")
        for f in ("detail", "hint", "context", "location"):
            if e.get(f):
                print(f"  {f + ':':<9} {short(e[f], 300)}")
        for x in (r.get("server_log") or [])[:2]:
            print(f"  log:      {short(x['line'], 300)}")
            for l in x["context"]:
                if "panicked" in l or "memory allocation" in l or "Failed process" in l or "fatal runtime" in l:
                    print(f"            {short(l, 300)}")
        if cls == "crash" and r.get("psql_output"):
            print(f"  psql:     {short(' | '.join(r['psql_output'][-3:]), 300)}")
        for x in rs:
            t = f" [{x['duration_s']}s]" if x.get("duration_s") and x["duration_s"] >= 1 else ""
            who = "" if x["role"] == SWEEP_ROLE else f" (as {x['role']})"
            print(f"  - {x['proname']}.{x['arg'] or '-'} = {x['label']}{who}{t}: {short(x['sql'], 400)}")
    unclaimed = [x for x in crash_entries if not any(
        x["line"] == y["line"] for r in res for y in (r.get("server_log") or []))]
    if unclaimed:
        print("\nserver log crashes not attributed to a call:")
        for x in unclaimed:
            print(f"  {short(x['line'], 300)}")
    if lib_mtime_start != lib_mtime_end:
        print("\nnote: cafe24_analytics.so was reinstalled during the sweep; results may mix two builds")
    print(f"\n{len(res)} calls in {duration:.0f}s: {totals['ok']} ok, {totals['clean']} clean, {totals['unclear']} unclear, "
          f"{totals['timeout']} timeout, {totals['crash']} crash. Full results: {args.json}")

    report = {
        "started": datetime.datetime.fromtimestamp(t0, datetime.timezone.utc).isoformat(),
        "duration_s": round(duration, 1),
        "settings": {"port": args.port, "dbname": args.dbname, "statement_timeout_s": args.statement_timeout,
                     "max_calls_per_function": args.max_calls_per_function, "workers": args.workers,
                     "sweep_role": SWEEP_ROLE, "only": args.only, "superuser_pass": args.superuser_pass},
        "library": {"path": so, "mtime_start": lib_mtime_start, "mtime_end": lib_mtime_end},
        "totals": {k: totals.get(k, 0) for k in ("ok", "clean", "unclear", "timeout", "crash")} | {"calls": len(res)},
        "clean_sqlstates": dict(sqlstates),
        "functions": [{k: f[k] for k in ("key", "proname", "args", "rettype", "retset", "volatility",
                                          "security_definer", "public_execute", "internal")}
                      | {"calls_dropped_by_cap": f.get("calls_dropped_by_cap", 0)} for f in funcs],
        "skipped": skipped,
        "summary": table,
        "unattributed_server_log_crashes": unclaimed,
        "calls": res,
    }
    with open(args.json, "w") as f:
        json.dump(report, f, indent=1, ensure_ascii=False)
    return 1 if (totals["unclear"] or totals["timeout"] or totals["crash"]) else 0


if __name__ == "__main__":
    sys.exit(main())
