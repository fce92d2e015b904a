#!/usr/bin/env bash
# Reports at scale.
#  1. A table of N rows (default 1 000 000; id, Hangul name, KRW amount, date, timestamp)
#     exported by export_report to CSV and XLSX, against COPY ... TO (the floor), and at
#     N/10 rows too, to show that the backend's peak memory stays flat as rows grow. PDF at
#     N/100 and N/10 rows (a PDF holds at most 100 000 table rows; its memory grows with
#     its pages), and the refusal past that limit.
#  2. The monthly_sales template over aggregates the size 10 M order lines make (2 000
#     products × 730 days in sales_daily, 24 months × 20 categories in sales_monthly),
#     to PDF, XLSX and HTML, against running its five section queries bare.
#  3. With PYTHON_BASELINE=1 (default when pip can install them): the same N rows written
#     by Python's csv module, xlsxwriter (constant_memory) and reportlab (a plain table),
#     reading through psycopg2 — the stack a report service would otherwise use.
# With TABLES_ONLY=1, only the CSV and XLSX exports of part 1 (and their COPY floor) run.
# The N-row COPY, CSV and XLSX runs are repeated in ROUNDS (default 3) interleaved rounds and
# reported as medians.
# Usage: [TABLES_ONLY=1] [ROUNDS=3] [BENCH_PORT=… BENCH_DIR=…] bash bench/reports.sh [N]
source "$(dirname "$0")/../scripts/lib.sh"
cd "${REPO_ROOT}"
N="${1:-1000000}"
SMALL=$((N / 10))
STORE="${BENCH_DIR:-/tmp/cafe24_analytics-demo}/reports"
TABLES_ONLY="${TABLES_ONLY:-0}"
ROUNDS="${ROUNDS:-3}"
bench_database
q -d cafe24_bench <<SQL
SET client_min_messages = warning;
CREATE TABLE public.big AS
SELECT g AS id, '상품 ' || g || ' product' AS name, (g % 997) * 1000::numeric AS amount,
       date '2025-01-01' + g % 365 AS day, timestamptz '2025-01-01 09:00+09' + g * interval '1 minute' AS ordered_at
FROM generate_series(1, ${N}) AS g;
CREATE TABLE public.small AS SELECT * FROM public.big WHERE id <= ${SMALL};
CREATE TABLE public.tiny AS SELECT * FROM public.big WHERE id <= ${SMALL} / 10;
SELECT cafe24.create_report('big', '{"title": "Big table", "sections": [{"title": "rows", "query": "SELECT * FROM public.big ORDER BY id", "columns": {"amount": {"format": "currency"}}}]}');
SELECT cafe24.create_report('small', '{"title": "Small table", "sections": [{"title": "rows", "query": "SELECT * FROM public.small ORDER BY id", "columns": {"amount": {"format": "currency"}}}]}');
SELECT cafe24.create_report('tiny', '{"title": "Tiny table", "sections": [{"title": "rows", "query": "SELECT * FROM public.tiny ORDER BY id", "columns": {"amount": {"format": "currency"}}}]}');
SQL
[ "${TABLES_ONLY}" = 1 ] || q -d cafe24_bench <<SQL
SET client_min_messages = warning;
-- Aggregates as 10 M order lines leave them: 2 000 products × 730 days, 24 months × 20 categories.
INSERT INTO cafe24.shop (shop_no, name) VALUES (1, 'bench');
INSERT INTO cafe24.product (product_id, product_code, variant_code, name, category, price, unit_cost)
SELECT p, 'P' || p, 'P' || p || '-A', '상품 ' || p, 'cat' || (p % 20), 10000 + p % 5000, 6000 + p % 3000 FROM generate_series(1, 2000) AS p;
ALTER TABLE cafe24.sales_daily DISABLE TRIGGER USER;
INSERT INTO cafe24.sales_daily
SELECT d::date, 1, p, 7, u, u * 12000, 0, u * 12000, u * 7000, 0, 0, 0
FROM generate_series(1, 2000) AS p, generate_series(date '2024-11-01', date '2026-10-31', '1 day') AS d,
     LATERAL (SELECT (1 + (p * 7 + (d::date - date '2024-01-01') * 13) % 9)::bigint AS u) AS x;
ALTER TABLE cafe24.sales_daily ENABLE TRIGGER USER;
INSERT INTO cafe24.sales_monthly
SELECT date_trunc('month', d.day)::date, d.shop_no, p.category, sum(order_lines), sum(sold_units), sum(gross_amount), sum(discount_amount),
       sum(net_amount), sum(cost_amount), 0, 0, 0
FROM cafe24.sales_daily AS d JOIN cafe24.product AS p USING (product_id) GROUP BY 1, 2, 3;
ANALYZE;
SQL
echo "== ${N} rows; monthly_sales over $(q -d cafe24_bench -At -c 'SELECT sum(order_lines) FROM cafe24.sales_daily') order lines' aggregates"
sections_bare="DO \$\$ DECLARE s jsonb; n bigint; BEGIN
  FOR s IN SELECT jsonb_array_elements(spec -> 'sections') FROM cafe24.report WHERE name = 'monthly_sales' LOOP
    EXECUTE format('SELECT count(q) FROM (%s) AS q', s ->> 'query') INTO n USING date '2026-10-01', NULL::integer;
  END LOOP; END \$\$"
{
as_postgres rm -f "${STORE}/bench-copy.csv"
# ROUNDS interleaved rounds of the floor and both exports (one run swings by ±30 % here).
for round in $(seq 1 "${ROUNDS}"); do
    bench_measure "floor: COPY TO csv, ${N} rows" "COPY (SELECT * FROM public.big ORDER BY id) TO '${STORE}/bench-copy.csv' WITH (FORMAT csv, HEADER)"
    for f in csv xlsx; do
        bench_measure "export_report ${f}, ${N} rows" "SELECT bytes FROM cafe24.export_report('big', '${f}', file_name => 'bench-big.${f}', overwrite => true)"
    done
done
for f in csv xlsx; do
    bench_measure "export_report ${f}, ${SMALL} rows" "SELECT bytes FROM cafe24.export_report('small', '${f}', file_name => 'bench-small.${f}', overwrite => true)"
done
[ "${TABLES_ONLY}" = 1 ] && exit 0
bench_measure "export_report pdf, $((SMALL / 10)) rows" "SELECT bytes FROM cafe24.export_report('tiny', 'pdf', file_name => 'bench-tiny.pdf', overwrite => true)"
bench_measure "export_report pdf, ${SMALL} rows" "SELECT bytes FROM cafe24.export_report('small', 'pdf', file_name => 'bench-small.pdf', overwrite => true)"
# Past 100 000 table rows a PDF is refused: time and memory until the refusal.
bench_measure "pdf, ${N} rows: refused at 100000" "DO \$\$ BEGIN PERFORM cafe24.export_report('big', 'pdf', file_name => 'bench-big.pdf', overwrite => true); EXCEPTION WHEN program_limit_exceeded THEN NULL; END \$\$"
bench_measure "floor: monthly_sales section queries" "${sections_bare}"
for f in pdf xlsx html; do
    bench_measure "monthly_sales ${f}" "SELECT length(cafe24.render_report('monthly_sales', '${f}', '{\"month\": \"2026-10-01\"}'))"
done
} | bench_report
echo "== output sizes"
ls -l "${STORE}"/bench-* | awk '{printf "%12d  %s\n", $5, $9}'

if [ "${PYTHON_BASELINE:-1}" = 1 ] && [ "${TABLES_ONLY}" != 1 ]; then
    venv=/tmp/cafe24-bench-venv
    [ -x "${venv}/bin/python" ] || python3 -m venv "${venv}"
    if "${venv}/bin/pip" install -q psycopg2-binary xlsxwriter reportlab >/dev/null 2>&1; then
        echo "== Python stack (psycopg2 server-side cursor), ${N} rows; reportlab at ${SMALL} rows"
        "${venv}/bin/python" "${REPO_ROOT}/bench/reports_python.py" "${N}" "${SMALL}"
    else
        echo "== Python baseline skipped: pip could not install psycopg2-binary, xlsxwriter, reportlab"
    fi
fi
q -d postgres -c "DROP DATABASE cafe24_bench"
as_postgres rm -f "${STORE}"/bench-*
