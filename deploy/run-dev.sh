#!/usr/bin/env bash
# `make run`'s servers: the background-task workers (every queue, and the "emails" queue alone so that an e-mail
# never waits behind a long import) and Django's development server, stopped together.
# Ctrl-C stops runserver; the workers then get SIGINT (each finishes its current job, or puts it back in the
# queue on a second signal). Each worker runs in its own process group, so that its autoreloader (DEBUG) and the
# worker under it stop as one; SIGINT rather than SIGTERM, which Django's autoreloader turns into an abrupt exit.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
# `make run PORT=8001`: the server listens there, and links in e-mails sent by the worker point there.
PORT=${PORT:-8000}
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65535)); then
    echo "PORT doit être un numéro de port entre 1 et 65535 (reçu : « $PORT »)." >&2
    exit 2
fi
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}

setsid "$BIN/maillage" worker &
workers=($!)
setsid "$BIN/maillage" worker --queue emails &
workers+=($!)
stop_workers() {
    for worker in "${workers[@]}"; do kill -INT -- -"$worker" 2>/dev/null || true; done
    for worker in "${workers[@]}"; do wait "$worker" 2>/dev/null || true; done
}
trap stop_workers EXIT
"$BIN/maillage" runserver "${RUNSERVER_ADDRESS:-127.0.0.1:$PORT}"
