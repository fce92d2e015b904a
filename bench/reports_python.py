"""The Python report stack on the same rows as bench/reports.sh: psycopg2 (server-side
cursor), then the csv module, xlsxwriter in constant_memory mode, and reportlab's
platypus table. Prints seconds and peak RSS (MiB) per run.
Usage: python reports_python.py N SMALL  (reads public.big from cafe24_bench)."""
import csv
import os
import resource
import sys
import tempfile
import time

import psycopg2

N, SMALL = int(sys.argv[1]), int(sys.argv[2])
out = tempfile.mkdtemp(prefix="c24-py-")


def rows(limit):
    conn = psycopg2.connect(host="/tmp", port=54329, dbname="cafe24_bench", user="postgres")
    cur = conn.cursor(name="bench")
    cur.itersize = 1000
    cur.execute("SELECT * FROM public.big WHERE id <= %s ORDER BY id", (limit,))
    first = cur.fetchone()  # a named cursor has no description before its first fetch
    yield [d[0] for d in cur.description]
    if first is not None:
        yield first
    for r in cur:
        yield r
    conn.close()


def run(label, fn):
    t0 = time.perf_counter()
    fn()
    secs = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print("%-40s%10.2f%10d" % (label, secs, peak), flush=True)


def write_csv():
    with open(os.path.join(out, "py.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for r in rows(N):
            w.writerow(r)


def write_xlsx():
    import xlsxwriter

    wb = xlsxwriter.Workbook(os.path.join(out, "py.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet("rows")
    money = wb.add_format({"num_format": "#,##0"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for i, r in enumerate(rows(N)):
        if i == 0:
            ws.write_row(0, 0, r)
            continue
        ws.write_number(i, 0, r[0])
        ws.write_string(i, 1, r[1])
        ws.write_number(i, 2, float(r[2]), money)
        ws.write_datetime(i, 3, r[3], date)
        ws.write_datetime(i, 4, r[4].replace(tzinfo=None), stamp)
    wb.close()


def write_pdf():
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table

    data = [[str(c) for c in r] for r in rows(SMALL)]
    SimpleDocTemplate(os.path.join(out, "py.pdf"), pagesize=A4).build([Table(data, repeatRows=1)])


print("%-40s%10s%10s" % ("python run", "seconds", "peak MiB"))
run("csv module, %d rows" % N, write_csv)
run("xlsxwriter constant_memory, %d rows" % N, write_xlsx)
run("reportlab table, %d rows (no Hangul font)" % SMALL, write_pdf)
for f in sorted(os.listdir(out)):
    print("%12d  %s" % (os.path.getsize(os.path.join(out, f)), f))
