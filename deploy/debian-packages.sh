#!/usr/bin/env bash
# The Debian packages Maillage needs, in one list per use (the single source for the Makefile and .ci/run):
#   runtime   Python with venv, and what WeasyPrint needs for the observatory's PDF reports
#             (Pango, HarfBuzz's subsetter, a font)                                 — make install, make run
#   test      runtime + chromium (browser tests; Playwright's own node program needs libatomic1) and
#             poppler-utils (pdftotext reads the PDFs back), redis-server (the shared cache
#             in Redis, tests/ops/test_shared_cache.py, started by the test itself)            — make test
#   ci        test + postgresql (the PostgreSQL run of .ci/run), systemd (`systemd-analyze verify` of the
#             units in deploy/systemd/), nginx and openssl (`nginx -t` of
#             deploy/nginx/maillage.conf with a throwaway certificate, tests/ops/test_deploy_files.py)
# Usage: deploy/debian-packages.sh LIST [--print]
# Installed packages are checked with dpkg-query. Missing ones are installed (apt-get) when run as root; else
# the exact command is printed and the script fails. --print only prints the list. Not Debian: says so, passes.
set -euo pipefail

RUNTIME=(python3 python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
TEST=("${RUNTIME[@]}" chromium libatomic1 poppler-utils redis-server)
CI=("${TEST[@]}" postgresql nginx openssl systemd)

case "${1:-}" in
runtime) packages=("${RUNTIME[@]}") ;;
test) packages=("${TEST[@]}") ;;
ci) packages=("${CI[@]}") ;;
*)
    echo "usage : $0 runtime|test|ci [--print]" >&2
    exit 2
    ;;
esac
if [ "${2:-}" = --print ]; then
    echo "${packages[*]}"
    exit 0
fi

if ! command -v dpkg-query >/dev/null; then
    echo "Système sans dpkg (pas Debian) : installez l'équivalent de ${packages[*]}" >&2
    exit 0
fi
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
    echo "== Paquets Debian à installer : ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "Paquets Debian manquants : ${missing[*]}" >&2
    echo "Installez-les (en administrateur), puis relancez :" >&2
    echo "    sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
