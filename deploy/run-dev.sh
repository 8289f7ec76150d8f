#!/usr/bin/env bash
# `make run`'s servers: the background-task worker and Django's development server, stopped together.
# Ctrl-C stops runserver; the worker then gets SIGINT (it finishes its current job, or puts it back in the
# queue on a second signal). The worker runs in its own process group, so that its autoreloader (DEBUG) and the
# worker under it stop as one; SIGINT rather than SIGTERM, which Django's autoreloader turns into an abrupt exit.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin

setsid "$BIN/maillage" worker &
worker=$!
trap 'kill -INT -- -"$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
"$BIN/maillage" runserver "${RUNSERVER_ADDRESS:-127.0.0.1:8000}"
