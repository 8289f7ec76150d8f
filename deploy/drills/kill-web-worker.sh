#!/usr/bin/env bash
# Drill: `kill -9` of one gunicorn worker under load (make drills; docs/drills.md). The public mix runs for
# DRILL_DURATION (60s) on the load test's base (DATABASE_URL, else var/loadtest.sqlite3); 20 s in, one worker is
# killed. Passes when only the requests that worker held failed (at most its GUNICORN_THREADS, 4), all within
# 2 s of the kill, gunicorn started a new worker, and requests were answered after.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN_DIR=var/drills/kill-web-worker
rm -rf "$RUN_DIR" && mkdir -p "$RUN_DIR"
export LOADTEST_DIR=$RUN_DIR LOADTEST_DURATION=${DRILL_DURATION:-60s} LOADTEST_MAX_ERRORS=1000000
export LOADTEST_LABEL="Exercice : kill -9 d'un processus de gunicorn"
# Once the load runs: wait 20 s, kill the first worker, note when, then check that the master replaced it.
export LOADTEST_DURING='
    sleep 20
    workers=$(pgrep -P "$SERVER_PID" | wc -l)
    victim=$(pgrep -P "$SERVER_PID" | head -n 1)
    echo "start $(date +%s.%N)" >"$RUN_DIR/events"
    kill -9 "$victim"
    echo "end $(date +%s.%N)" >>"$RUN_DIR/events"
    sleep 5
    echo "$workers $(pgrep -P "$SERVER_PID" | wc -l) $victim" >"$RUN_DIR/respawn"
'
bash deploy/loadtest.sh
read -r before after victim <"$RUN_DIR/respawn"
echo "Processus $victim tué ; processus de gunicorn : $before avant, $after cinq secondes après."
[ "$before" = "$after" ] || { echo "gunicorn n'a pas remplacé le processus tué." >&2; exit 1; }
.venv/bin/python -m maillage.ops.drillcheck "$RUN_DIR/results.json" "$RUN_DIR/events" --grace 2 \
    --max-errors "${GUNICORN_THREADS:-4}"
