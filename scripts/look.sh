#!/usr/bin/env bash
# Turns the demo's reports and dashboard (out/reports, written by scripts/demo.sh) into
# what a person can look at, in out/look/:
#   - every PDF page as a PNG (pdftoppm, 60 dpi);
#   - every HTML page as screenshots at desktop (1280 px) and phone (390 px) width, in
#     headless Chromium;
#   - every XLSX read back by an independent reader (openpyxl): sheets, cell types and
#     number formats of the first data row, tables, frozen panes, autofilter, charts.
# Installs poppler-utils, chromium and openpyxl (in /tmp/cafe24-look-venv) when missing.
# Not a test: nothing here fails on what it sees. Usage: bash scripts/look.sh
source "$(dirname "$0")/lib.sh"
cd "${REPO_ROOT}"
[ -d out/reports ] || { echo "look: out/reports is missing; run bash scripts/demo.sh first" >&2; exit 1; }
missing=()
for p in poppler-utils chromium; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
venv=/tmp/cafe24-look-venv
[ -x "${venv}/bin/python" ] || python3 -m venv "${venv}"
"${venv}/bin/python" -c "import openpyxl" 2>/dev/null || "${venv}/bin/pip" install -q openpyxl
rm -rf out/look && mkdir -p out/look

for f in out/reports/*.pdf; do
    pdftoppm -r 60 -png "$f" "out/look/$(basename "$f" .pdf)"
done
profile=$(mktemp -d)
for f in out/reports/*.html; do
    for width in 1280 390; do
        chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
            --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="${profile}" \
            --window-size="${width},2400" --screenshot="out/look/$(basename "$f" .html)-${width}.png" "file://${REPO_ROOT}/$f" >/dev/null 2>&1
    done
done
rm -rf "${profile}"
"${venv}/bin/python" - out/reports/*.xlsx <<'PY' | tee out/look/xlsx.txt
import sys, openpyxl
for path in sys.argv[1:]:
    wb = openpyxl.load_workbook(path)
    print(path)
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(min_row=1, max_row=2))
        first = rows[1] if len(rows) > 1 else []
        typed = ", ".join(f"{c.value!r}:{type(c.value).__name__}[{c.number_format}]" for c in first[:6])
        print(f"  sheet {ws.title!r}: {ws.max_row} rows x {ws.max_column} cols, tables {list(ws.tables)}, "
              f"frozen {ws.freeze_panes}, autofilter {ws.auto_filter.ref}, charts {len(ws._charts)}")
        if typed:
            print(f"    first data row: {typed}")
PY
log "wrote $(ls out/look | wc -l) files to out/look"
