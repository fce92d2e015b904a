#!/usr/bin/env python3
"""Automatic k of segment_customers() on the real CDNOW customers, against scikit-learn.

The data is the CDNOW master transaction log (Fader & Hardie; 69,659 purchases by the
23,570 customers who first bought in Q1 1997, to 1998-06-30) as the `lifetimes` package
ships it (`lifetimes/datasets/CDNOW_master.txt`; `btyd` ships the same file). Each
customer is summarised as `cafe24._customer_summaries` does: purchase days (several
orders on one day are one purchase), total amount, recency = 1998-06-30 - last purchase
day (the choice of end day does not matter: the features are standardised).

Features, as `engine/src/segment/kmeans.rs` builds them: [recency_days, purchase_days,
ln(1 + max(total, 0))], each centred and divided by its population standard deviation.

Prints, for k = 2..8:
  * ours: the engine's silhouette (5,000-customer seeded sample, as the engine measures it)
    and segment labels/sizes, from `cargo run --example segments_csv`;
  * scikit-learn: KMeans(k, init='k-means++', n_init=10, random_state=0), silhouette on
    all customers and on a 5,000 sample;
and then the k chosen before (best silhouette among 2..8, the old rule) and after (best
among 4..8, the new rule), ours and scikit-learn's, with the full-data silhouette of our
automatic segmentation measured by scikit-learn.

Setup (PyPI only):
    python3 -m venv /tmp/segments18-venv
    /tmp/segments18-venv/bin/pip install scikit-learn numpy
    /tmp/segments18-venv/bin/pip install --no-deps lifetimes   # only for its data file
Run from the repository root:
    /tmp/segments18-venv/bin/python bench/segments_cdnow.py
Options: --master PATH (CDNOW_master.txt; default: the installed lifetimes/btyd copy,
else the committed per-customer testdata), --seed N (engine seed, default 42, as the SQL
default), --write-testdata PATH (write the per-customer CSV the engine tests use, exit).
"""

import argparse
import collections
import datetime
import importlib.util
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTDATA = os.path.join(ROOT, "engine", "src", "segment", "testdata", "cdnow_rfm.csv")
END = datetime.date(1998, 6, 30)


def find_master():
    for pkg in ("lifetimes", "btyd"):
        spec = importlib.util.find_spec(pkg)  # locates the package without importing it
        if spec and spec.origin:
            path = os.path.join(os.path.dirname(spec.origin), "datasets", "CDNOW_master.txt")
            if os.path.exists(path):
                return path
    return None


def summarise(master):
    """(recency_days, purchase_days, total_amount) per customer, in customer id order."""
    days = collections.defaultdict(lambda: collections.defaultdict(float))
    with open(master) as f:
        next(f)
        for line in f:
            cid, d, _n, v = line.split()
            days[int(cid)][d] += float(v)
    rows = []
    for cid in sorted(days):
        ds = days[cid]
        last = max(ds)
        last = datetime.date(int(last[:4]), int(last[4:6]), int(last[6:]))
        rows.append(((END - last).days, len(ds), round(sum(ds.values()), 2)))
    return rows


def write_csv(rows, path):
    with open(path, "w") as f:
        f.write("recency_days,purchase_days,total_amount\n")
        for r, n, m in rows:
            f.write(f"{r},{n},{f'{m:.2f}'.rstrip('0').rstrip('.')}\n")


def read_csv(path):
    with open(path) as f:
        next(f)
        return [(int(a), int(b), float(c)) for a, b, c in (l.strip().split(",") for l in f if l.strip())]


def features(rows):
    import numpy as np

    x = np.array([[r, n, np.log1p(max(m, 0.0))] for r, n, m in rows], dtype=float)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    return (x - x.mean(axis=0)) / sd


def run_engine(csv, seed, groups_path):
    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", "/tmp/target-segments18")
    cmd = ["cargo", "run", "-j", "1", "--release", "-q", "-p", "cafe24_engine", "--example", "segments_csv", "--",
           csv, str(seed), groups_path]
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    runs = {}
    for line in out.splitlines():
        m = re.match(r"k=(\S+) chosen=(\d+) silhouette=(\S+) segments=(.*)", line)
        if m:
            runs[m.group(1)] = (int(m.group(2)), float(m.group(3)), m.group(4))
    return runs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--master")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--write-testdata")
    args = ap.parse_args()

    master = args.master or find_master()
    if args.write_testdata:
        if not master:
            sys.exit("CDNOW_master.txt not found: pip install --no-deps lifetimes, or pass --master")
        write_csv(summarise(master), args.write_testdata)
        return
    if master:
        rows = summarise(master)
        source = master
    else:
        rows = read_csv(TESTDATA)
        source = TESTDATA + " (lifetimes not installed: the committed per-customer summary of the same log)"
    print(f"CDNOW master log: {source}")
    print(f"customers: {len(rows)}")

    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    import sklearn

    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "cdnow_rfm.csv")
        write_csv(rows, csv)
        groups_path = os.path.join(tmp, "groups.txt")
        ours = run_engine(csv, args.seed, groups_path)
        with open(groups_path) as f:
            our_groups = np.array([int(l) for l in f])

    x = features(rows)
    sample = np.random.RandomState(0).choice(len(x), size=min(5000, len(x)), replace=False)
    print(f"\nscikit-learn {sklearn.__version__}: KMeans(k, init='k-means++', n_init=10, random_state=0)")
    print(f"{'k':>2}  {'ours (5k sample)':>16}  {'sklearn (all)':>13}  {'sklearn (5k)':>12}  our segments")
    sk_full, sk_sample = {}, {}
    for k in range(2, 9):
        km = KMeans(n_clusters=k, init="k-means++", n_init=10, random_state=0).fit(x)
        sk_full[k] = silhouette_score(x, km.labels_)
        sk_sample[k] = silhouette_score(x[sample], km.labels_[sample])
        _, s, segs = ours[str(k)]
        print(f"{k:>2}  {s:>16.4f}  {sk_full[k]:>13.4f}  {sk_sample[k]:>12.4f}  {segs}")

    def best(scores, ks):
        return max(ks, key=lambda k: (scores[k], -k))

    our_sil = {k: ours[str(k)][1] for k in range(2, 9)}
    before = best(our_sil, range(2, 9))
    auto_k, auto_s, auto_segs = ours["auto"]
    print("\nchosen k (best mean silhouette):")
    print(f"  before (ours, k in 2..8):  k = {before}, silhouette {our_sil[before]:.4f}, segments {ours[str(before)][2]}")
    print(f"  after  (ours, k in 4..8):  k = {auto_k}, silhouette {auto_s:.4f}, segments {auto_segs}")
    print(f"  scikit-learn, k in 2..8:   k = {best(sk_full, range(2, 9))} (all customers), "
          f"{best(sk_sample, range(2, 9))} (5k sample)")
    print(f"  scikit-learn, k in 4..8:   k = {best(sk_full, range(4, 9))} (all customers, silhouette "
          f"{sk_full[best(sk_full, range(4, 9))]:.4f}), {best(sk_sample, range(4, 9))} (5k sample)")
    print(f"  our automatic segmentation, silhouette on all customers (scikit-learn): "
          f"{silhouette_score(x, our_groups):.4f}")


if __name__ == "__main__":
    main()
