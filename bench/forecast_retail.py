#!/usr/bin/env python3
"""Daily retail forecasts on the demo mall: the retail calendar against the plain models (issue 16).

The demo's daily units per product (and per category), with each product's stockout days
from cafe24.inventory_snapshot. Several 28-day windows are held out: the last 28 days, and
windows that hold the Korean retail events (Seollal, Chuseok, 11.11 and Black Friday, the
Christmas run-up). Every model forecasts each window from the days before it:

- `auto`: cafe24's auto on the plain history (what forecast() does with an array);
- `auto + calendar`: the same through engine forecast::retail (what forecast_sales does with
  daily series: events divided out and planned ahead, stockout days filled);
- statsforecast AutoETS (season 7) and seasonal naive (7), on the plain history.

Scored on the held-out days that did not end out of stock (their sales are censored):
mean MASE (scaled by the training days' seasonal naive MAE), mean RMSSE (the M5 measure:
on intermittent series MAE rewards forecasting the median, often 0, so any lift that is
right on average scores worse by MASE), mean sMAPE, coverage of the
80 % and 95 % intervals, ms per series. Run with the demo cluster up (bash scripts/demo.sh):

    python bench/forecast_retail.py [port] [database]

Needs: pip install psycopg2-binary statsforecast; cargo (builds the engine's example).
"""
import datetime as dt
import json
import os
import subprocess
import sys
import time

import numpy as np
import psycopg2

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 54329
DATABASE = sys.argv[2] if len(sys.argv) > 2 else "cafe24_demo"
H = 28


def load(cur):
    """{key: (first day, units per day, stockout flags)} per product and per category."""
    cur.execute("SELECT min(day), max(day) FROM cafe24.sales_daily")
    first, last = cur.fetchone()
    n = (last - first).days + 1
    cur.execute("""SELECT p.variant_code, p.category, d.day, sum(d.sold_units)::float8
                   FROM cafe24.sales_daily AS d JOIN cafe24.product AS p USING (product_id) GROUP BY 1, 2, 3""")
    products, categories = {}, {}
    for key, cat, day, units in cur.fetchall():
        products.setdefault(key, np.zeros(n))[(day - first).days] += units
        categories.setdefault(f"category {cat}", np.zeros(n))[(day - first).days] += units
    cur.execute("""SELECT p.variant_code, i.day FROM cafe24.inventory_snapshot AS i
                   JOIN cafe24.product AS p USING (product_id) WHERE i.on_hand <= 0""")
    out = {k: np.zeros(n, bool) for k in products}
    for key, day in cur.fetchall():
        if key in out and first <= day <= last:
            out[key][(day - first).days] = True
    series = {k: (first, y, out[k]) for k, y in products.items()}
    series.update({k: (first, y, np.zeros(n, bool)) for k, y in categories.items()})
    return series, first, last


def windows(first, last):
    """(name, first held-out day): the last 28 days, and windows holding each event."""
    out = [("last 28 days", last - dt.timedelta(days=H - 1))]
    for year in range(first.year, last.year + 1):
        for name, start in [("Seollal", None), ("Chuseok", None), ("11.11 + Black Friday", dt.date(year, 11, 5)),
                            ("Christmas", dt.date(year, 12, 1))]:
            if start is None:
                cur = CAL[name].get(year)
                if cur is None:
                    continue
                start = cur - dt.timedelta(days=14)
            # At least 400 training days (a year and the events once), the window inside the data.
            if (start - first).days >= 400 and start + dt.timedelta(days=H - 1) <= last:
                out.append((f"{name} {year}", start))
    return out


CAL = {"Seollal": {2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 7)},
       "Chuseok": {2024: dt.date(2024, 9, 17), 2025: dt.date(2025, 10, 6), 2026: dt.date(2026, 9, 25), 2027: dt.date(2027, 9, 15)}}


def ours(jobs):
    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(["cargo", "build", "-q", "-p", "cafe24_engine", "--release", "--example", "forecast_batch"],
                   cwd=ROOT, env=env, check=True)
    exe = os.path.join(env["CARGO_TARGET_DIR"], "release", "examples", "forecast_batch")
    lines = "".join(json.dumps(j) + "\n" for j in jobs)
    out = subprocess.run([exe, "auto"], input=lines, capture_output=True, text=True, check=True).stdout.splitlines()
    return [json.loads(line)["results"][0] for line in out]


def score(acc, train, test, ok, point, lower, upper, ms):
    scale = np.mean(np.abs(train[7:] - train[:-7]))
    if scale == 0 or not ok.any():
        return
    point = np.asarray(point, float)[ok]
    t = test[ok]
    acc["mase"].append(np.mean(np.abs(t - point)) / scale)
    acc["rmsse"].append(np.sqrt(np.mean((t - point) ** 2) / np.mean((train[7:] - train[:-7]) ** 2)))
    d = np.abs(t) + np.abs(point)
    acc["smape"].append(np.mean(np.where(d == 0, 0.0, 200.0 * np.abs(t - point) / np.where(d == 0, 1, d))))
    for lv in (80, 95):
        lo, hi = np.asarray(lower[lv], float)[ok], np.asarray(upper[lv], float)[ok]
        acc[lv] += int(np.sum((t >= lo) & (t <= hi)))
    acc["points"] += len(t)
    acc["ms"].append(ms)


def new():
    return {"mase": [], "rmsse": [], "smape": [], 80: 0, 95: 0, "points": 0, "ms": []}


def main():
    cur = psycopg2.connect(host="/tmp", port=PORT, user="postgres", dbname=DATABASE).cursor()
    series, first, last = load(cur)
    wins = windows(first, last)
    print(f"demo: {len(series)} series ({sum(not k.startswith('category') for k in series)} products), "
          f"{first} to {last}; windows: {', '.join(w for w, _ in wins)}")
    cases = []  # (window, key, train, test, ok, stocked_out in train, last training day)
    for wname, start in wins:
        cut = (start - first).days
        for key, (_, y, out) in series.items():
            train, test = y[:cut], y[cut:cut + H]
            active = np.flatnonzero(train > 0)
            if len(active) == 0 or cut - active[0] < 90:
                continue
            s = active[0]  # from the first sale
            cases.append((wname, key, train[s:], test, ~out[cut:cut + H], out[s:cut], start - dt.timedelta(days=1)))
    jobs = []
    for _, _, train, _, _, out, last_day in cases:
        base = {"y": train.tolist(), "h": H, "m": 7}
        jobs.append(base)
        jobs.append(dict(base, last_day=last_day.isoformat(), stocked_out=np.flatnonzero(out).tolist()))
    res = ours(jobs)
    from statsforecast.models import AutoETS
    names = ["auto", "auto + calendar", "statsforecast AutoETS", "seasonal naive"]
    groups = [w for w, _ in wins] + ["all products", "all categories"]
    acc = {(w, n): new() for w in groups for n in names}
    for i, (wname, key, train, test, ok, _, _) in enumerate(cases):
        kind = "all categories" if key.startswith("category") else "all products"
        fits = {"auto": res[2 * i], "auto + calendar": res[2 * i + 1]}
        for n, r in fits.items():
            lo = {lv: r["lower"][str(lv)] for lv in (80, 95)}
            hi = {lv: r["upper"][str(lv)] for lv in (80, 95)}
            for w in (wname, kind):
                score(acc[(w, n)], train, test, ok, r["point"], lo, hi, r["ms"])
        t = time.perf_counter()
        f = AutoETS(season_length=7).forecast(y=train, h=H, level=[80, 95])
        ms = (time.perf_counter() - t) * 1e3
        lo = {lv: np.maximum(f[f"lo-{lv}"], 0) for lv in (80, 95)}
        hi = {lv: f[f"hi-{lv}"] for lv in (80, 95)}
        sn = np.resize(train[-7:], H)
        for w in (wname, kind):
            score(acc[(w, "statsforecast AutoETS")], train, test, ok, np.maximum(f["mean"], 0), lo, hi, ms)
            score(acc[(w, "seasonal naive")], train, test, ok, sn, {80: sn, 95: sn}, {80: sn, 95: sn}, 0.0)
    for w in groups:
        print(f"\n{w} ({len(acc[(w, 'auto')]['mase'])} series, {acc[(w, 'auto')]['points']} held-out days in stock)")
        print(f"  {'model':<24}{'MASE':>8}{'RMSSE':>8}{'sMAPE':>8}{'cov 80':>8}{'cov 95':>8}{'ms':>8}   MASE / AutoETS")
        ref = np.mean(acc[(w, "statsforecast AutoETS")]["mase"])
        for n in names:
            a = acc[(w, n)]
            if not a["mase"]:
                continue
            pts = max(a["points"], 1)
            print(f"  {n:<24}{np.mean(a['mase']):>8.3f}{np.mean(a['rmsse']):>8.3f}{np.mean(a['smape']):>8.2f}{a[80] / pts:>8.3f}{a[95] / pts:>8.3f}"
                  f"{np.mean(a['ms']):>8.2f}   {np.mean(a['mase']) / ref:.3f}")


if __name__ == "__main__":
    main()
