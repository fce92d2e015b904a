#!/usr/bin/env bash
# Installs what is missing: Debian packages, cargo-pgrx, and pgrx's PostgreSQL config.
# Quick and silent when everything is already there.
source "$(dirname "$0")/lib.sh"

# chromium: the browser tests of the server's page; nodejs/npm: playwright-core, which drives it.
packages=(postgresql-${PG_MAJOR} postgresql-server-dev-${PG_MAJOR} clang libclang-dev pkg-config sudo chromium)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || { echo "setup: need root to install ${missing[*]}" >&2; exit 1; }
    log "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian's postgresql package starts a default cluster on 5432; ours use their own ports.

if ! command -v cargo >/dev/null; then
    echo "setup: cargo not found; install Rust (rustup) first" >&2
    exit 1
fi
# The style tier of scripts/test.sh (rustup's default profile has both; a minimal one may not).
if command -v rustup >/dev/null && ! { cargo fmt --version && cargo clippy --version; } >/dev/null 2>&1; then
    log "rustup component add rustfmt clippy"
    rustup component add rustfmt clippy
fi
if [ "$(cargo pgrx --version 2>/dev/null | awk '{print $2}')" != "${PGRX_VERSION}" ]; then
    log "cargo install cargo-pgrx ${PGRX_VERSION} (about 3 minutes)"
    cargo install cargo-pgrx --version "${PGRX_VERSION}" --locked --quiet
fi
if ! grep -qs "pg${PG_MAJOR} = \"${PG_CONFIG}\"" "${HOME}/.pgrx/config.toml"; then
    log "cargo pgrx init --pg${PG_MAJOR} ${PG_CONFIG}"
    cargo pgrx init --pg${PG_MAJOR} "${PG_CONFIG}" >/dev/null
fi
