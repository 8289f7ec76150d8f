#!/usr/bin/env bash
# Drill: `kill -9` of the task worker during a figures refresh (make drills; docs/drills.md). On its own base
# (DATABASE_URL, else var/drills/kill-task-worker/base.sqlite3 with 4,000 structures × 5 years of answers, made
# the first time), the year's figures are fingerprinted, deleted, and a refresh is queued; `maillage worker`
# takes it and is killed one second into the job; a new worker starts. Passes when the job ran again to its end
# and the year's figures are the same as before, row for row.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
RUN_DIR=var/drills/kill-task-worker
YEAR=${DRILL_YEAR:-2025}
mkdir -p "$RUN_DIR"
export DJANGO_SETTINGS_MODULE=config.settings.prod ALLOWED_HOSTS=127.0.0.1 HTTPS=false
SECRET_KEY=$("$BIN/python" -c "import secrets; print(secrets.token_urlsafe(64))")
export SECRET_KEY
export DATABASE_URL=${DATABASE_URL:-sqlite:///$(pwd)/$RUN_DIR/base.sqlite3}
py() { "$BIN/maillage" shell --no-imports -v0 -c "$1"; }

"$BIN/maillage" migrate --noinput -v0
if [ "$(py 'from maillage.structures.models import Structure; print(Structure.objects.exists())')" != True ]; then
    "$BIN/maillage" seed_demo --structures 4000 --actions 0 --seed 1
fi
"$BIN/maillage" bench_observatory --no-refresh --digest "$RUN_DIR/before.txt"
py "from maillage.observatory.models import Aggregate; Aggregate.objects.filter(year=$YEAR).delete()"
# Jobs left waiting by an earlier run (the publications a refresh queues) would go first: dropped.
py "from django_tasks_db.models import DBTaskResult; DBTaskResult.objects.filter(status='READY').delete()"
JOB=$(py "from maillage.observatory.figures.tasks import refresh_figures; print(refresh_figures.enqueue($YEAR).id)")
status() { py "from django_tasks_db.models import DBTaskResult; print(DBTaskResult.objects.get(id='$JOB').status)"; }
echo "Recalcul des chiffres de $YEAR en file (tâche $JOB)."

"$BIN/maillage" worker --interval 0.5 >"$RUN_DIR/worker-1.log" 2>&1 &
FIRST=$!
for _ in $(seq 1 120); do [ "$(status)" = RUNNING ] && break; sleep 0.5; done
sleep 1
[ "$(status)" = RUNNING ] || { echo "La tâche n'a pas démarré." >&2; kill "$FIRST"; exit 1; }
kill -9 "$FIRST"
wait "$FIRST" 2>/dev/null || true
echo "Exécuteur $FIRST tué pendant le recalcul ; état de la tâche : $(status)."

started=$(date +%s)
"$BIN/maillage" worker --interval 0.5 >"$RUN_DIR/worker-2.log" 2>&1 &
SECOND=$!
trap 'kill "$SECOND" 2>/dev/null || true' EXIT
for _ in $(seq 1 360); do [ "$(status)" = SUCCESSFUL ] && break; sleep 0.5; done
echo "Nouvel exécuteur : tâche $(status) en $(($(date +%s) - started)) s ; exécutée par : $(py "from django_tasks_db.models import DBTaskResult; print(', '.join(DBTaskResult.objects.get(id='$JOB').worker_ids))")."
kill -TERM "$SECOND"; sleep 1; kill -TERM "$SECOND" 2>/dev/null || true  # the second puts a follow-on job back
wait "$SECOND" 2>/dev/null || true
"$BIN/maillage" bench_observatory --no-refresh --digest "$RUN_DIR/after.txt"
if [ "$(status)" = SUCCESSFUL ] && cmp -s "$RUN_DIR/before.txt" "$RUN_DIR/after.txt"; then
    echo "Chiffres identiques à ceux d'avant ($(wc -l <"$RUN_DIR/after.txt") agrégats). Exercice réussi."
else
    echo "Exercice échoué : $(diff "$RUN_DIR/before.txt" "$RUN_DIR/after.txt" | grep -c '^[<>]') lignes d'agrégats diffèrent." >&2
    exit 1
fi
