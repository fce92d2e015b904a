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


def product_panel(cur, h=28, young_days=None):
    """The demo's products as one panel: the last h days held out, every product forecast from
    the rest by forecast_sales with the global model, auto, and seasonal naive. Products
    that started selling within the last 120 days are 'young' (where the global model is
    meant to help). Returns per model the mean MASE ratio to seasonal naive, overall and young."""
    cur.execute("SELECT max(day) FROM cafe24.sales_daily")
    last = cur.fetchone()[0]
    source = (f"SELECT p.variant_code AS series_key, d.day AS ds, d.sold_units AS y FROM cafe24.sales_daily AS d "
              f"JOIN cafe24.product AS p USING (product_id) WHERE d.day <= date '{last}' - {h}")
    if young_days:
        # Every other product as if it had started selling young_days before the cutoff.
        source += f" AND (p.product_id % 2 = 0 OR d.day > date '{last}' - {h} - {young_days})"
    cur.execute(f"""SELECT p.variant_code, array_agg(coalesce(d.sold_units, 0) ORDER BY g.day)
                    FROM cafe24.product AS p CROSS JOIN generate_series(date '{last}' - {h - 1}, date '{last}', '1 day') AS g(day)
                    LEFT JOIN (SELECT product_id, day, sum(sold_units) AS sold_units FROM cafe24.sales_daily GROUP BY 1, 2) AS d
                           ON d.product_id = p.product_id AND d.day = g.day::date
                    GROUP BY 1""")
    actual = {k: np.asarray(v, dtype=float) for k, v in cur.fetchall()}
    cur.execute(f"SELECT series_key, periods, offsets, y FROM cafe24._sales_series('day', NULL, NULL, %s)", (source,))
    history = {}
    for key, periods, offsets, values in cur.fetchall():
        y = np.zeros(periods)
        y[offsets] = values
        history[key] = y
    out = {}
    for model in ["seasonal_naive", "ets", "auto", "global"]:
        cur.execute("SELECT series_key, array_agg(yhat ORDER BY step) FROM cafe24.forecast_sales(horizon => %s, model => %s, source => %s) GROUP BY 1",
                    (h, model, source))
        out[model] = dict(cur.fetchall())
    scores = {m: [] for m in out}
    young = {m: [] for m in out}
    for key, y in history.items():
        if key not in actual or len(y) < 21 or not all(key in out[m] for m in out):
            continue
        scale = np.mean(np.abs(y[7:] - y[:-7]))
        if scale == 0:
            continue
        s = {m: float(np.mean(np.abs(np.asarray(out[m][key]) - actual[key])) / scale) for m in out}
        if s["seasonal_naive"] == 0:
            continue
        for m in out:
            scores[m].append(s[m] / s["seasonal_naive"])
            if len(y) < 120 and len(y) >= 21:
                young[m].append(s[m] / s["seasonal_naive"])
    print(f"\ndemo products as a panel ({len(scores['auto'])} products with sales, last {h} days held out; "
          f"{len(young['auto'])} young, under 120 days of history):")
    print("  mean MASE relative to seasonal naive (geometric mean in brackets):")
    for m in out:
        g = lambda v: np.exp(np.mean(np.log(np.maximum(v, 1e-9)))) if v else float("nan")
        print(f"  {m:<16} all {np.mean(scores[m]):.3f} ({g(scores[m]):.3f})   young {np.mean(young[m]) if young[m] else float('nan'):.3f} ({g(young[m]):.3f})")


if __name__ == "__main__":
    main()
    conn = psycopg2.connect(host="/tmp", port=PORT, user="postgres", dbname=DATABASE)
    product_panel(conn.cursor())
    # Half the products young (56 days of history): where auto hands them to the global model.
    product_panel(conn.cursor(), young_days=56)
