#!/usr/bin/env bash
# The recommended inventory policy against the naive rule on the demo's demand: loads the
# demo (seed 42, 20 000 customers, 500 products, 730 days ending 2026-12-01) into its own
# cluster and replays three stretches with simulate_inventory_policy under `recommended`
# (retail events planned ahead, at the default 95 % cycle service level and at 99.9 %),
# `smoothed` (the rule before events) and `history_mean`, each against the naive baseline
# measured in the same call. Prints total cost against naive, and fill rates.
# Runs the extension already installed (scripts/install.sh, under the shared lock when
# others share the machine); the cluster is stopped at the end, KEEP=1 leaves it running.
# Usage: bash bench/inventory_policy.sh     (PORT=54354 DIR=/tmp/cafe24-inventory-policy)
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"
PORT="${PORT:-54354}"
DIR="${DIR:-/tmp/cafe24-inventory-policy}"
start_cluster "${DIR}" "${PORT}"
restart_cluster "${DIR}"   # load the library installed now
[ "${KEEP:-0}" = 1 ] || trap 'stop_cluster "${DIR}"' EXIT
q() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -h /tmp -p "${PORT}" "$@"; }
q -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'cafe24_inventory'" | grep -q 1 \
    || q -d postgres -c "CREATE DATABASE cafe24_inventory"
q -d cafe24_inventory -c "DROP EXTENSION IF EXISTS cafe24_analytics CASCADE" -c "DROP SCHEMA IF EXISTS cafe24 CASCADE" \
    -c "CREATE EXTENSION cafe24_analytics" \
    -c "SELECT * FROM cafe24.generate_demo_data(seed => 42, customers => 20000, products => 500, days => 730, start_date => '2024-12-02')" >/dev/null
q -d cafe24_inventory -P pager=off <<'SQL'
\timing on
SELECT s.stretch, p.policy, p.service_level,
       round(t.cost_change_pct::numeric, 1) AS "cost vs naive %",
       round(t.fill_rate::numeric, 4) AS fill_rate, round(t.naive_fill_rate::numeric, 4) AS naive_fill_rate,
       t.stockout_days, t.naive_stockout_days,
       round((t.avg_inventory_value / 1e6)::numeric, 1) AS "stock M", round((t.naive_avg_inventory_value / 1e6)::numeric, 1) AS "naive stock M",
       round((t.total_cost / 1e6)::numeric, 1) AS "cost M", round((t.naive_total_cost / 1e6)::numeric, 1) AS "naive cost M"
FROM (VALUES (1, 'last 365 days', date '2025-12-02', date '2026-12-01'),
             (2, '300 to 151 days ago', date '2026-02-05', date '2026-07-04'),
             (3, 'last 120 days', date '2026-08-04', date '2026-12-01')) AS s(n, stretch, from_date, to_date)
CROSS JOIN (VALUES (1, 'recommended', 0.95), (2, 'recommended', 0.999), (3, 'smoothed', 0.95),
                   (4, 'history_mean', 0.95)) AS p(m, policy, service_level)
CROSS JOIN LATERAL cafe24.simulate_inventory_policy(s.from_date, s.to_date, policy => p.policy,
                                                    service_level => p.service_level) AS t
WHERE t.variant_code = 'TOTAL'
ORDER BY s.n, p.m;
SQL
