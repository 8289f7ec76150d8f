#!/usr/bin/env bash
# Drill: `kill -9` of one gunicorn worker under load (make drills; docs/drills.md). The public mix runs for
# DRILL_DURATION (45s) on the load test's base (DATABASE_URL, else var/loadtest.sqlite3); 15 s in, the worker
# holding the most client connections (maillage/ops/busyworker.py, from /proc) is killed. Passes when requests
# failed, only those that worker held (at most its open connections, one request in flight each), all within
# 2 s of the kill, gunicorn started a new worker, and requests were answered after.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN_DIR=var/drills/kill-web-worker
rm -rf "$RUN_DIR" && mkdir -p "$RUN_DIR"
export LOADTEST_DIR=$RUN_DIR LOADTEST_DURATION=${DRILL_DURATION:-45s} LOADTEST_MAX_ERRORS=1000000
export LOADTEST_LABEL="Exercice : kill -9 d'un processus de gunicorn"
# The HTTP client would send a cut GET again on a new connection (as browsers do): off, to count what the kill cut.
export LOADTEST_CLIENT_RETRIES=0
# Once the load runs: wait 15 s, kill the worker with the most open connections, note when, then check that the
# master replaced it.
export LOADTEST_DURING='
    sleep 15
    workers=$(pgrep -P "$SERVER_PID" | wc -l)
    read -r victim connections < <(.venv/bin/python -m maillage.ops.busyworker "$SERVER_PID" --min-connections 2)
    echo "start $(date +%s.%N)" >"$RUN_DIR/events"
    kill -9 "$victim"
    echo "end $(date +%s.%N)" >>"$RUN_DIR/events"
    sleep 5
    echo "$workers $(pgrep -P "$SERVER_PID" | wc -l) $victim $connections" >"$RUN_DIR/respawn"
'
bash deploy/loadtest.sh
read -r before after victim connections <"$RUN_DIR/respawn"
echo "Processus $victim tué, qui tenait $connections connexion(s) ; processus de gunicorn : $before avant, $after cinq secondes après."
[ "$before" = "$after" ] || { echo "gunicorn n'a pas remplacé le processus tué." >&2; exit 1; }
.venv/bin/python -m maillage.ops.drillcheck "$RUN_DIR/results.json" "$RUN_DIR/events" --grace 2 \
    --min-errors 1 --max-errors "$connections"
