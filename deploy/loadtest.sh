#!/usr/bin/env bash
# `make loadtest`: the production stack (config.settings.prod, gunicorn as `make serve` starts it) on a free port of
# the loopback, under the public mix of maillage/ops/locustfile.py (locust, headless) plus a few logged-in editors
# autosaving; then the report of maillage/ops/loadreport.py. Exit status 1 when there were more errors than
# LOADTEST_MAX_ERRORS (0).
#
# Database: DATABASE_URL when set (PostgreSQL), else the SQLite file LOADTEST_DB (var/loadtest.sqlite3). An empty
# database is filled first with `seed_demo --structures LOADTEST_STRUCTURES --actions LOADTEST_SHEETS` (4,000 and
# 100,000: the benchmark volume) and LOADTEST_OBSERVATORY_YEARS (5) years of observatory answers.
# Settings: LOADTEST_USERS (32 public visitors), LOADTEST_DURATION (2m, locust's syntax: 30s, 2m…), LOADTEST_PACE
# (requests a second per visitor at most, 4; 0: no wait), LOADTEST_EDITORS (4 logged-in editors),
# LOADTEST_MAX_ERRORS (0), LOADTEST_LABEL (title of the table), WEB_CONCURRENCY / GUNICORN_THREADS (gunicorn's).
# LOADTEST_DURING: a shell command run in the background once the load has started (the fault drills of
# deploy/drills/), with SERVER_PID (gunicorn's master) and RUN_DIR in its environment.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${VENV:-.venv}/bin
USERS=${LOADTEST_USERS:-32}
EDITORS=${LOADTEST_EDITORS:-4}
DURATION=${LOADTEST_DURATION:-2m}
RUN_DIR=${LOADTEST_DIR:-var/loadtest}
mkdir -p "$RUN_DIR"

"$BIN/python" -c "import locust" 2>/dev/null || "$BIN/python" -m pip install --quiet -e ".[load]"

if [ -z "${DATABASE_URL:-}" ]; then
    DATABASE_URL="sqlite:///$(pwd)/${LOADTEST_DB:-var/loadtest.sqlite3}"
fi
export DATABASE_URL
export DJANGO_SETTINGS_MODULE=config.settings.prod
SECRET_KEY=$("$BIN/python" -c "import secrets; print(secrets.token_urlsafe(64))")
export SECRET_KEY ALLOWED_HOSTS=127.0.0.1 HTTPS=false TRUSTED_PROXIES=127.0.0.1
# The server's own JSON request log goes to its log file, as a real server's goes to the journal.
SERVER_LOG="$RUN_DIR/server.log"
# Each run starts with an empty cache of pages (as after a deployment): pages a previous run kept under the same
# versions would otherwise be served from the start.
export PAGE_CACHE_DIR="$RUN_DIR/page-cache"
rm -rf "$PAGE_CACHE_DIR"

echo "== base : ${DATABASE_URL%%\?*}" >&2
bash deploy/serve.sh prepare >/dev/null
if [ "$("$BIN/maillage" shell --no-imports -v0 -c 'from maillage.actions.models import Action; print(Action.objects.exists())')" != True ]; then
    echo "== base vide : seed_demo --structures ${LOADTEST_STRUCTURES:-4000} --actions ${LOADTEST_SHEETS:-100000}" >&2
    "$BIN/maillage" seed_demo --structures "${LOADTEST_STRUCTURES:-4000}" --actions "${LOADTEST_SHEETS:-100000}" \
        --observatory-years "${LOADTEST_OBSERVATORY_YEARS:-5}" --seed 1
fi
"$BIN/maillage" loadtest_prepare "$RUN_DIR/plan.json" --editors "$EDITORS" >&2

PORT=$("$BIN/python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
BIND="127.0.0.1:$PORT" bash deploy/serve.sh web >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
echo "$SERVER_PID" >"$RUN_DIR/server.pid"
DURING_PID=
stop_server() {
    [ -z "$DURING_PID" ] || kill "$DURING_PID" 2>/dev/null || true
    # QUIT: the run is over, requests still in flight need not finish (TERM would wait up to 30 s for them).
    kill -QUIT "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}
trap stop_server EXIT

# Ready once /sante/pret says so (database, migrations, facet index loaded before the workers fork).
for _ in $(seq 1 240); do
    if "$BIN/python" -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$PORT/sante/pret', timeout=2)" 2>/dev/null; then
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "Le serveur s'est arrêté :" >&2; tail -n 30 "$SERVER_LOG" >&2; exit 2; }
    sleep 0.5
done
echo "== serveur prêt sur 127.0.0.1:$PORT (pid $SERVER_PID) ; $USERS visiteurs + $EDITORS personnes connectées, $DURATION" >&2

if [ -n "${LOADTEST_DURING:-}" ]; then
    SERVER_PID=$SERVER_PID RUN_DIR=$RUN_DIR bash -c "$LOADTEST_DURING" >"$RUN_DIR/during.log" 2>&1 &
    DURING_PID=$!
fi
LOADTEST_PLAN="$RUN_DIR/plan.json" LOADTEST_RESULTS="$RUN_DIR/results.json" LOADTEST_USERS="$USERS" \
    LOADTEST_SERVER_PID="$SERVER_PID" \
    "$BIN/locust" -f maillage/ops/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
    --users $((USERS + EDITORS)) --spawn-rate $((USERS + EDITORS)) --run-time "$DURATION" \
    --stop-timeout 5 --only-summary --loglevel WARNING >"$RUN_DIR/locust.log" 2>&1 || true

"$BIN/python" -m maillage.ops.loadreport "$RUN_DIR/results.json" --max-errors "${LOADTEST_MAX_ERRORS:-0}" \
    --label "${LOADTEST_LABEL:-$(date -u '+%Y-%m-%d %H:%M UTC'), ${DATABASE_URL%%:*}}"
