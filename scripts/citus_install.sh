#!/usr/bin/env bash
# Makes Citus available to Debian's PostgreSQL 15: uses an installed Citus when there is one
# (citus.so in pg_config --pkglibdir and citus.control in the extension directory), otherwise
# builds it from the source tarball $CITUS_SOURCE (default: the vendored
# ../shared/vendor/citus-12.1.12.tar.gz next to the repository) in a temporary directory and
# installs it, with the Debian build dependencies it needs.
# Exit codes: 0 Citus is installed; 3 skipped (no Citus installed and no source); else failure.
# Users install Citus from its own packages (https://docs.citusdata.com); this build is for
# machines without them. Run it inside the shared PostgreSQL lock: it writes to the system
# PostgreSQL's directories.
source "$(dirname "$0")/lib.sh"

CITUS_SKIPPED=3
pkglibdir="$("${PG_CONFIG}" --pkglibdir)"
extdir="$("${PG_CONFIG}" --sharedir)/extension"

citus_installed() { [ -f "${pkglibdir}/citus.so" ] && [ -f "${extdir}/citus.control" ]; }

if citus_installed; then
    log "Citus already installed ($(sed -n "s/^default_version = '\(.*\)'/\1/p" "${extdir}/citus.control"))"
    exit 0
fi

default_source="${REPO_ROOT}/../shared/vendor/citus-12.1.12.tar.gz"
source_tarball="${CITUS_SOURCE:-${default_source}}"
if [ ! -f "${source_tarball}" ]; then
    echo "skipped: no Citus installed and no source (set CITUS_SOURCE to a Citus source tarball; looked for ${source_tarball})" >&2
    exit "${CITUS_SKIPPED}"
fi
source_tarball="$(cd "$(dirname "${source_tarball}")" && pwd)/$(basename "${source_tarball}")"

# The Debian packages Citus's configure and build need (../shared/vendor/README.md).
deps=(libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev libxslt1-dev libpam0g-dev libreadline-dev)
missing=()
for p in "${deps[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi

build="$(mktemp -d /tmp/citus-build.XXXXXX)"
trap 'rm -rf "${build}"' EXIT
log "building Citus from ${source_tarball} in ${build}"
tar -xzf "${source_tarball}" -C "${build}" --strip-components=1
cd "${build}"
./configure PG_CONFIG="${PG_CONFIG}" >configure.log 2>&1 || { tail -20 configure.log >&2; exit 1; }
make -j"$(nproc)" >make.log 2>&1 || { tail -30 make.log >&2; exit 1; }
make install >install.log 2>&1 || { tail -20 install.log >&2; exit 1; }
citus_installed || { echo "Citus build finished but citus.so / citus.control are missing" >&2; exit 1; }
log "Citus installed from source"
