#!/usr/bin/env bash
# Fails when a released version has no upgrade path to the next one or to the current
# version. `--self-test` proves the check fails on a missing script.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"

check() {
    local root="$1" current prev="" v missing=0
    current=$(sed -n 's/^version = "\(.*\)"/\1/p' "${root}/Cargo.toml" | head -1)
    local versions=()
    while read -r v; do
        [[ -z "$v" || "$v" == \#* ]] && continue
        versions+=("$v")
    done <"${root}/migrations/RELEASED"
    [[ ${#versions[@]} -eq 0 || "${versions[-1]}" != "${current}" ]] && versions+=("${current}")
    for v in "${versions[@]}"; do
        if [[ -n "$prev" && ! -f "${root}/migrations/cafe24_analytics--${prev}--${v}.sql" ]]; then
            echo "missing upgrade script migrations/cafe24_analytics--${prev}--${v}.sql" >&2
            missing=1
        fi
        prev="$v"
    done
    return $missing
}

if [[ "${1:-}" == "--self-test" ]]; then
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/migrations"
    printf '[package]\nversion = "0.2.0"\n' >"$tmp/Cargo.toml"
    printf '0.1.0\n' >"$tmp/migrations/RELEASED"
    if check "$tmp" 2>/dev/null; then echo "self-test: a missing upgrade script was not detected" >&2; exit 1; fi
    touch "$tmp/migrations/cafe24_analytics--0.1.0--0.2.0.sql"
    check "$tmp" || { echo "self-test: a present upgrade script was not accepted" >&2; exit 1; }
    echo "check_migrations self-test passed"
    exit 0
fi
"$0" --self-test
check "${REPO_ROOT}"
echo "upgrade paths complete"
