#!/usr/bin/env bash
# Builds the extension in release mode and installs it, with its upgrade scripts,
# into Debian's PostgreSQL. Each file is staged next to its destination and renamed into
# place, never overwritten: a running backend or background worker keeps the pages of the
# library it loaded (`cargo pgrx install` rewrote the .so in place, and live processes of a
# running cluster could then crash with SIGILL or SIGSEGV).
source "$(dirname "$0")/lib.sh"
cd "${REPO_ROOT}"
stage="${REPO_ROOT}/target/release/cafe24_analytics-stage"
log "cargo pgrx package (PostgreSQL ${PG_MAJOR})"
rm -rf "${stage}"
cargo pgrx package --pg-config "${PG_CONFIG}" --out-dir "${stage}" >/dev/null
place() { # place SOURCE DESTINATION MODE
    install -D -m "$3" "$1" "$2.new.$$"
    mv -f "$2.new.$$" "$2"
}
while read -r f; do
    place "${stage}/${f}" "/${f}" "$(stat -c %a "${stage}/${f}")"
done < <(cd "${stage}" && find . -type f -printf '%P\n')
sharedir="$("${PG_CONFIG}" --sharedir)/extension"
shopt -s nullglob
for f in migrations/cafe24_analytics--*--*.sql; do
    place "$f" "${sharedir}/$(basename "$f")" 0644
done
