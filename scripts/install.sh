#!/usr/bin/env bash
# Builds the extension in release mode and installs it, with its upgrade scripts,
# into Debian's PostgreSQL.
source "$(dirname "$0")/lib.sh"
cd "${REPO_ROOT}"
log "cargo pgrx install --release (PostgreSQL ${PG_MAJOR})"
cargo pgrx install --release --pg-config "${PG_CONFIG}" >/dev/null
sharedir="$("${PG_CONFIG}" --sharedir)/extension"
shopt -s nullglob
for f in migrations/cafe24_analytics--*--*.sql; do
    install -m 0644 "$f" "${sharedir}/"
done
