#!/usr/bin/env python3
"""Forecast accuracy on public series shipped inside PyPI packages, and on the demo mall.

For each series the last `h` points are held out; each model forecasts them from the rest.
Prints MASE (scaled by the in-sample seasonal naive MAE) per model and its ratio to seasonal
naive, for cafe24.forecast's models and, where it installs, statsforecast's AutoETS.

Usage: /path/to/venv/bin/python bench/forecast_accuracy.py [port] [database]
Needs: psycopg2, statsmodels, pmdarima; statsforecast optional. Uses the demo cluster
(bash scripts/demo.sh) and its database cafe24_demo.
"""
import sys
import numpy as np
import psycopg2

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 54329
DATABASE = sys.argv[2] if len(sys.argv) > 2 else "cafe24_demo"


def public_series():
    """(name, values, season, horizon) from datasets that ship inside the packages."""
    out = []
    import pmdarima.datasets as pd_
    out.append(("AirPassengers (monthly)", pd_.load_airpassengers(), 12, 12))
    out.append(("wineind (monthly)", pd_.load_wineind(), 12, 12))
    out.append(("taylor (half-hourly, 2 weeks)", pd_.load_taylor()[:672 * 2], 48, 48))
    import statsmodels.api as sm
    co2 = sm.datasets.co2.load_pandas().data["co2"].interpolate()
    out.append(("co2 Mauna Loa (weekly)", co2.values[-520:], 52, 26))
    elnino = sm.datasets.elnino.load_pandas().data.iloc[:, 1:13].values.ravel()
    out.append(("elnino SST (monthly)", elnino, 12, 12))
    return [(n, np.asarray(v, dtype=float), m, h) for n, v, m, h in out]


def demo_series(cur):
    cur.execute("SELECT series_key, periods, offsets, y FROM cafe24._sales_series('day', 'category', 'units', NULL)")
    out = []
    for key, periods, offsets, values in cur.fetchall():
        y = np.zeros(periods)
        y[offsets] = values
        out.append((f"demo {key} (daily units)", y, 7, 28))
    return out


def mase(train, test, fc, m):
    scale = np.mean(np.abs(train[m:] - train[:-m]))
    return float(np.mean(np.abs(np.asarray(fc) - test)) / scale)


def ours(cur, train, h, m, model):
    cur.execute("SELECT yhat FROM cafe24.forecast(%s, horizon => %s, season_lengths => %s, model => %s) ORDER BY step",
                (list(map(float, train)), h, [m], model))
    return [r[0] for r in cur.fetchall()]


def statsforecast_autoets(train, h, m):
    try:
        from statsforecast.models import AutoETS
    except ImportError:
        return None
    return AutoETS(season_length=m).forecast(y=train, h=h)["mean"]


def main():
    conn = psycopg2.connect(host="/tmp", port=PORT, user="postgres", dbname=DATABASE)
    cur = conn.cursor()
    models = ["seasonal_naive", "ets", "mstl", "auto"]
    rows = []
    for name, y, m, h in public_series() + demo_series(cur):
        train, test = y[:-h], y[-h:]
        scores = {mod: mase(train, test, ours(cur, train, h, m, mod), m) for mod in models}
        sf = statsforecast_autoets(train, h, m)
        scores["statsforecast AutoETS"] = mase(train, test, sf, m) if sf is not None else float("nan")
        rows.append((name, scores))
    cols = models + ["statsforecast AutoETS"]
    print(f"{'series':<34}" + "".join(f"{c:>23}" for c in cols))
    for name, s in rows:
        print(f"{name:<34}" + "".join(f"{s[c]:>23.3f}" for c in cols))
    print("\nmean MASE relative to seasonal naive (below 1 is better):")
    for c in cols:
        rel = [s[c] / s["seasonal_naive"] for _, s in rows if not np.isnan(s[c])]
        print(f"  {c:<24} {np.mean(rel):.3f}  (geometric {np.exp(np.mean(np.log(rel))):.3f}, {len(rel)} series)")
    worse = [n for n, s in rows if s["auto"] > s["seasonal_naive"]]
    print("auto worse than seasonal naive on:", ", ".join(worse) or "none")


if __name__ == "__main__":
    main()
