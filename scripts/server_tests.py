#!/usr/bin/env python3
"""HTTP integration tests of cafe24-analytics-server (run by scripts/server_tier.sh, which
starts a cluster with demo data, the roles and their API keys, and the server).

Environment: SERVER (http://127.0.0.1:PORT), TOKEN_A and TOKEN_B (two merchants' keys),
TOKEN_SUPER (a key of a superuser), PSQL (a command line running SQL as the superuser).
Every check prints one line; the script exits 1 if any failed.
"""
from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

SERVER = urllib.parse.urlparse(os.environ["SERVER"])
TOKENS = {"a": os.environ["TOKEN_A"], "b": os.environ["TOKEN_B"], "super": os.environ["TOKEN_SUPER"]}
PSQL = shlex.split(os.environ["PSQL"])
failures: list[str] = []
checks = 0


def check(name: str, ok: bool, info: object = "") -> None:
    global checks
    checks += 1
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {info}"))
    if not ok:
        failures.append(name)


def request(method: str, path: str, token: str | None = "a", body: object = None, raw: bytes | None = None, query: dict | list | None = None):
    """(status, headers, parsed JSON or bytes)."""
    if query is not None:
        path += "?" + urllib.parse.urlencode(query, doseq=True)
    headers = {}
    if token is not None:
        headers["Authorization"] = "Bearer " + TOKENS.get(token, token)
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    c = http.client.HTTPConnection(SERVER.hostname, SERVER.port, timeout=60)
    c.request(method, path, body=data, headers=headers)
    r = c.getresponse()
    payload = r.read()
    c.close()
    kind = r.getheader("Content-Type", "")
    value = json.loads(payload) if kind.startswith("application/json") and payload else payload
    return r.status, {k.lower(): v for k, v in r.getheaders()}, value


def err(value) -> dict:
    return value.get("error", {}) if isinstance(value, dict) else {}


def sql(query: str) -> str:
    return subprocess.run(PSQL + ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", query], check=True, capture_output=True, text=True).stdout.strip()


# Unauthenticated: health, OpenAPI, the page.
s, _, v = request("GET", "/api/v1/health", token=None)
check("health without a token", s == 200 and v == {"status": "ok"}, (s, v))
s, _, doc = request("GET", "/api/v1/openapi.json", token=None)
check("openapi.json without a token", s == 200 and doc.get("openapi", "").startswith("3."), s)
paths = doc.get("paths", {}) if isinstance(doc, dict) else {}
for p in ["/api/v1/analytics/sales-forecast", "/api/v1/analytics/customer-segmentation", "/api/v1/analytics/inventory-optimization",
          "/api/v1/reports/custom-dashboard/{name}", "/api/v1/reports/generate", "/api/v1/reports/schedule"]:
    check(f"openapi documents {p}", p in paths, sorted(paths))
horizon = [q for q in paths.get("/api/v1/analytics/sales-forecast", {}).get("get", {}).get("parameters", []) if q["name"] == "horizon"]
check("openapi: sales-forecast's horizon is an optional integer from the SQL signature", horizon and horizon[0]["schema"] == {"type": "integer"} and not horizon[0]["required"], horizon)
s, h, page = request("GET", "/", token=None)
check("the page without a token", s == 200 and h.get("content-type", "").startswith("text/html") and b"cafe24_analytics" in page, s)

# Who is calling.
s, h, v = request("GET", "/api/v1/kpis", token=None)
check("no token: 401 with a JSON error and WWW-Authenticate", s == 401 and err(v).get("message") and h.get("www-authenticate") == "Bearer", (s, v))
s, _, v = request("GET", "/api/v1/kpis", token="c24_wrong")
check("a bad token: 401, SQLSTATE 28000", s == 401 and err(v).get("sqlstate") == "28000", (s, v))
s, _, v = request("GET", "/api/v1/cron/next", token="super", query={"schedule": "@daily"})
check("a superuser's key: 403", s == 403 and err(v).get("sqlstate") == "42501", (s, v))

# The analytics, as merchant a.
s, _, v = request("GET", "/api/v1/analytics/sales-forecast", query=[("horizon", "7"), ("model", "seasonal_naive"), ("levels", "80"), ("levels", "95")])
check("sales-forecast: 7 steps with both levels", s == 200 and len(v) == 7 and all(len(r["lower"]) == 2 for r in v), (s, str(v)[:300]))
for path, query in [("customer-segmentation", {"method": "quantile"}), ("segment-summary", {"k": "3"}), ("inventory-optimization", {}),
                    ("profit-margins", {"by": "category"}), ("seasonal-trends", {}), ("customer-lifetime-value", {}), ("cohorts", {}), ("funnel", {})]:
    s, _, v = request("GET", "/api/v1/analytics/" + path, query=query)
    check(f"{path}: rows", s == 200 and isinstance(v, list) and len(v) > 0, (s, str(v)[:300]))
s, _, v = request("GET", "/api/v1/kpis", query=[("names", "revenue"), ("names", "orders"), ("period", "month")])
check("kpis: two values", s == 200 and sorted(r["kpi"] for r in v) == ["orders", "revenue"], (s, str(v)[:300]))

# Per-shop row-level security: a reads shop 1, b shop 2 (cafe24.shop_access).
for name, shop in [("a", 1), ("b", 2)]:
    s, _, v = request("GET", "/api/v1/catalog", token=name)
    check(f"merchant {name}'s catalog lists shop {shop} only", s == 200 and [x["shop_no"] for x in v.get("shops", [])] == [shop], (s, str(v)[:200]))
    s, _, v = request("GET", "/api/v1/kpis", token=name, query=[("names", "revenue"), ("period", "month")])
    want = sql(f"SELECT value FROM cafe24.kpi_values(names => '{{revenue}}', period => 'month', shop_no => {shop})")
    check(f"merchant {name}'s revenue is shop {shop}'s", s == 200 and len(v) == 1 and float(v[0]["value"] or 0) == float(want or 0) > 0, (s, v, want))
s, _, v = request("GET", "/api/v1/kpis", token="b", query=[("names", "revenue"), ("period", "month"), ("shop_no", "1")])
check("merchant b asking for shop 1 gets no value", s == 200 and all(r["value"] in (None, 0) for r in v), (s, v))
s, _, v = request("GET", "/api/v1/analytics/profit-margins", token="b", query={"by": "shop"})
check("merchant b's margins by shop: one shop's row", s == 200 and len(v) == 1, (s, str(v)[:300]))
s, _, v = request("POST", "/api/v1/orders", body={"payload": {"orders": [{"shop_no": 2, "order_id": "SRV-X", "member_id": "", "order_date": "2026-01-01T10:00:00+09:00",
                  "items": [{"order_item_code": "SRV-X-01", "variant_code": "SRV-VARIANT", "quantity": 1, "product_price": "1000.00", "order_status": "N20"}]}]}})
check("merchant a ingesting into shop 2: 403 naming the shop", s == 403 and err(v).get("sqlstate") == "42501" and "shop 2" in err(v).get("message", ""), (s, v))
s, _, v = request("GET", "/api/v1/cron/next", query={"schedule": "0 9 * * 1", "n": "3", "after": "2026-01-01 00:00+09"})
check("cron/next: three Mondays", s == 200 and len(v) == 3, (s, v))

# Bad parameters: 400 with the field named.
s, _, v = request("GET", "/api/v1/analytics/sales-forecast", query={"horizon": "abc"})
check("horizon=abc: 400 naming horizon", s == 400 and err(v).get("field") == "horizon" and err(v).get("sqlstate") == "22P02", (s, v))
s, _, v = request("GET", "/api/v1/analytics/sales-forecast", query={"horizon": "0"})
check("horizon=0: 400 naming horizon", s == 400 and "horizon" in err(v).get("message", ""), (s, v))
s, _, v = request("GET", "/api/v1/analytics/sales-forecast", query={"colour": "red"})
check("an unknown parameter: 400 naming the parameters", s == 400 and "colour" in err(v).get("message", ""), (s, v))
s, _, v = request("POST", "/api/v1/reports/generate", raw=b"[1, 2]")
check("a body that is not an object: 400", s == 400 and err(v).get("sqlstate") == "22023", (s, v))
s, _, v = request("POST", "/api/v1/reports/generate", raw=b"{oops")
check("a body that is not JSON: 400", s == 400 and err(v).get("sqlstate") == "22P02", (s, v))
s, _, v = request("GET", "/api/v1/analytics/sales-forecast",
                  query={"source": "SELECT 'x' AS series_key, current_date AS ds, pg_catalog.set_config('role', 'srv_merchant_b', false)::int::float8 AS y"})
check("SQL in a source cannot change role: 403", s == 403 and "role" in err(v).get("message", ""), (s, v))

# Reports.
s, h, pdf = request("POST", "/api/v1/reports/generate", body={"name": "monthly_sales", "format": "pdf", "params": {"month": "2025-02-01"}})
check("generate pdf: application/pdf with a file name", s == 200 and h.get("content-type") == "application/pdf" and pdf.startswith(b"%PDF")
      and 'filename="monthly_sales.pdf"' in h.get("content-disposition", ""), (s, h))
s, h, x = request("POST", "/api/v1/reports/generate", body={"name": "monthly_sales", "format": "xlsx", "params": {"month": "2025-02-01"}})
check("generate xlsx", s == 200 and h.get("content-type", "").startswith("application/vnd.openxmlformats") and x.startswith(b"PK"), (s, h))
s, h, csv = request("POST", "/api/v1/reports/generate", body={"name": "monthly_sales", "format": "csv", "params": {"month": "2025-02-01"}})
check("generate csv (several sections: a zip)", s == 200 and h.get("content-type") in ("application/zip", "text/csv; charset=utf-8"), (s, h))
s, _, v = request("POST", "/api/v1/reports/generate", body={"name": "no_such_report"})
check("generate a missing report: 404", s == 404 and err(v).get("sqlstate") == "42704", (s, v))

s, _, v = request("GET", "/api/v1/analytics/forecast-backtest", query={"horizon": "7", "model": "seasonal_naive", "origins": "1"})
check("forecast-backtest: rows with MASE", s == 200 and v and "mase" in v[0], (s, str(v)[:300]))
s, _, v = request("POST", "/api/v1/reports/export", body={"name": "monthly_sales", "format": "csv", "file_name": "srv/monthly.csv", "overwrite": True})
check("export a report to the storage path: 201 with its output row", s == 201 and v and v[0]["path"].endswith("/srv/monthly.csv") and v[0]["bytes"] > 0, (s, v))
s, _, v = request("GET", "/api/v1/catalog")
check("the catalog lists merchant a's output", s == 200 and any(o["path"] and o["path"].endswith("/srv/monthly.csv") for o in v["outputs"]), (s, str(v)[:300]))
s, _, v = request("GET", "/api/v1/catalog", token="b")
check("merchant b's catalog has none of a's outputs", s == 200 and not v["outputs"], (s, str(v)[:300]))
s, _, v = request("POST", "/api/v1/reports/export", token="b", body={"name": "monthly_sales", "format": "csv", "file_name": "srv/monthly.csv", "overwrite": True})
check("merchant b cannot overwrite a's file: 403", s == 403 and err(v).get("sqlstate") == "42501", (s, v))

# Dashboards: create, read, replace, drop; another merchant sees nothing of them.
spec = {"title": "Ops", "widgets": [{"title": "Revenue", "kind": "kpi", "kpis": ["revenue", "orders"]}, {"title": "Funnel", "kind": "funnel", "days": 30}]}
s, _, v = request("POST", "/api/v1/reports/custom-dashboard", body={"name": "srv_ops", "spec": spec})
check("create a dashboard: 201", s == 201 and v == "srv_ops", (s, v))
s, _, v = request("POST", "/api/v1/reports/custom-dashboard", body={"name": "srv_ops", "spec": spec})
check("create it again: 409", s == 409, (s, v))
s, _, v = request("GET", "/api/v1/reports/custom-dashboard/srv_ops")
check("its data: two widgets without errors", s == 200 and len(v.get("widgets", [])) == 2 and all("error" not in w for w in v["widgets"]), (s, str(v)[:300]))
s, _, v = request("GET", "/api/v1/reports/custom-dashboard/srv_ops", query={"widgets": "0"})
check("one widget alone: ?widgets=0", s == 200 and [w["widget_no"] for w in v.get("widgets", [])] == [0], (s, str(v)[:300]))
s, _, v = request("GET", "/api/v1/reports/custom-dashboard/srv_ops", query={"widgets": "7"})
check("a widget it does not have: 400", s == 400 and err(v).get("sqlstate") == "22023", (s, v))
s, _, v = request("GET", "/api/v1/reports/custom-dashboard/srv_ops", token="b")
check("merchant b does not see it: 404", s == 404, (s, v))
s, _, v = request("DELETE", "/api/v1/reports/custom-dashboard/srv_ops", token="b")
check("merchant b cannot drop it: 404", s == 404, (s, v))
s, _, v = request("PUT", "/api/v1/reports/custom-dashboard/srv_ops", body={"spec": {**spec, "title": "Ops 2"}})
check("replace it", s == 200, (s, v))
s, _, v = request("GET", "/api/v1/reports/custom-dashboard/srv_ops")
check("the replacement is what SQL users see", s == 200 and v.get("title") == "Ops 2" and sql("SELECT title FROM cafe24.dashboard WHERE name = 'srv_ops'") == "Ops 2", (s, v))
s, _, v = request("DELETE", "/api/v1/reports/custom-dashboard/srv_ops")
check("drop it", s == 200 and v is True, (s, v))

# Schedules.
s, _, v = request("POST", "/api/v1/reports/schedule", body={"job_name": "srv_monthly", "schedule": "0 6 1 * *", "report_name": "monthly_sales", "format": "pdf"})
check("schedule a report: 201 with the job id", s == 201 and isinstance(v, int), (s, v))
s, _, v = request("DELETE", "/api/v1/reports/schedule/srv_monthly", token="b")
check("merchant b cannot unschedule it", s in (400, 404), (s, v))
s, _, v = request("DELETE", "/api/v1/reports/schedule/srv_monthly")
check("unschedule it", s == 200 and v is True, (s, v))

# Limits: a 100 MB body is refused without reading it all; a slow call hits statement_timeout.
big = b"{" + b" " * (100 * 1024 * 1024) + b"}"
try:
    s, _, v = request("POST", "/api/v1/reports/generate", raw=big)
    check("a 100 MB request: 413", s == 413, (s, v))
except (BrokenPipeError, ConnectionResetError) as e:
    check("a 100 MB request: refused (connection closed while sending)", True, e)
s, _, v = request("GET", "/api/v1/analytics/sales-forecast", query={"model": "seasonal_naive",
                  "source": "SELECT 'x' AS series_key, d::date AS ds, 1::float8 AS y FROM generate_series(date '2025-01-01', date '2025-03-01', interval '1 day') AS d, pg_sleep(4) AS s"})
check("a call past statement_timeout: 504, SQLSTATE 57014", s == 504 and err(v).get("sqlstate") == "57014", (s, v))

# Concurrent requests.
with concurrent.futures.ThreadPoolExecutor(50) as pool:
    statuses = list(pool.map(lambda i: request("GET", "/api/v1/kpis", token="ab"[i % 2], query={"names": "revenue"})[0], range(200)))
check("200 concurrent requests from 50 clients", statuses.count(200) == 200, statuses)

# Live: an order ingested through the API reaches a listening client of its shop as an
# event, and not a client whose role reads another shop.
events: dict[str, list[str]] = {"a": [], "b": []}
ready = {"a": threading.Event(), "b": threading.Event()}


def follow(name: str, timeout: float):
    c = http.client.HTTPConnection(SERVER.hostname, SERVER.port, timeout=timeout)
    c.request("GET", "/api/v1/live", headers={"Authorization": "Bearer " + TOKENS[name]})
    r = c.getresponse()
    events[name].append(f"status {r.status} {r.getheader('Content-Type')}")
    ready[name].set()
    try:
        while True:
            chunk = r.fp.readline()
            if not chunk:
                break
            if chunk.startswith(b"data:"):
                events[name].append(chunk.decode().strip())
                break
    except (socket.timeout, TimeoutError):
        pass


followers = [threading.Thread(target=follow, args=("a", 20), daemon=True), threading.Thread(target=follow, args=("b", 3), daemon=True)]
for t in followers:
    t.start()
ready["a"].wait(10)
ready["b"].wait(10)
time.sleep(0.3)
order = {"orders": [{"shop_no": 1, "order_id": "SRV-1", "member_id": "", "order_date": time.strftime("%Y-%m-%dT%H:%M:%S+09:00", time.gmtime(time.time() + 9 * 3600)),
                     "items": [{"order_item_code": "SRV-1-01", "variant_code": "SRV-VARIANT", "product_name": "server test", "quantity": 1, "product_price": "1000.00", "order_status": "N20"}]}]}
started = time.time()
s, _, v = request("POST", "/api/v1/orders", body={"payload": order})
check("ingest an order through the API", s == 201 and v and v[0]["inserted"] == 1, (s, v))
followers[0].join(10)
check("a live client gets the KPI event", len(events["a"]) == 2 and events["a"][0].startswith("status 200 text/event-stream") and '"kpi"' in events["a"][1], events["a"])
check("... within a second of the commit", time.time() - started < 1.5, time.time() - started)
followers[1].join(10)
check("a live client of shop 2 gets no event of shop 1", events["b"] == ["status 200 text/event-stream"], events["b"])
s, _, v = request("GET", "/api/v1/live", token="c24_wrong")
check("live with a bad token: 401", s == 401, (s, v))

print(f"{checks - len(failures)} of {checks} checks passed")
sys.exit(1 if failures else 0)
