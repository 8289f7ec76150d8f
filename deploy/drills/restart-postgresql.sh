#!/usr/bin/env bash
# Drill: a PostgreSQL restart under load (make drills; docs/drills.md). A throwaway cluster is made under
# var/drills/ on a free port (never the server other people use), filled with DRILL_SHEETS (20,000) generated
# sheets, and the public mix runs for DRILL_DURATION (60s); 20 s in, `pg_ctl restart -m fast`. Passes when
# requests fail only while the database is down (and 2 s after), and are answered again after it, the
# application not restarted.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN_DIR=$(pwd)/var/drills/restart-postgresql
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_postgres() {
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
rm -rf "$RUN_DIR" && mkdir -p "$RUN_DIR/pg"
[ "$(id -u)" = 0 ] && chown postgres "$RUN_DIR/pg"
PG_PORT=$(.venv/bin/python -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
PG_CTL="$PG_BIN/pg_ctl -D $RUN_DIR/pg/data -l $RUN_DIR/pg/log -w -o \"-p $PG_PORT -k $RUN_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off\""
as_postgres "$PG_BIN/initdb -D $RUN_DIR/pg/data -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null"
as_postgres "$PG_CTL start >/dev/null"
trap 'as_postgres "$PG_BIN/pg_ctl -D $RUN_DIR/pg/data -m immediate stop >/dev/null" || true' EXIT
.venv/bin/python -c "import psycopg; psycopg.connect('postgres://postgres@127.0.0.1:$PG_PORT/postgres', autocommit=True).execute('CREATE DATABASE maillage')"

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/maillage"
export LOADTEST_DIR=$RUN_DIR LOADTEST_DURATION=${DRILL_DURATION:-60s} LOADTEST_MAX_ERRORS=1000000
export LOADTEST_STRUCTURES=${DRILL_STRUCTURES:-1000} LOADTEST_SHEETS=${DRILL_SHEETS:-20000}
export LOADTEST_LABEL="Exercice : redémarrage de PostgreSQL"
export PG_CTL
export -f as_postgres
export LOADTEST_DURING='
    sleep 20
    echo "start $(date +%s.%N)" >"$RUN_DIR/events"
    as_postgres "$PG_CTL -m fast restart >/dev/null"
    echo "end $(date +%s.%N)" >>"$RUN_DIR/events"
'
bash deploy/loadtest.sh
.venv/bin/python -m maillage.ops.drillcheck "$RUN_DIR/results.json" "$RUN_DIR/events" --grace 2
