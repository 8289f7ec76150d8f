#!/usr/bin/env bash
# The production stack on this machine (`make serve`), settings config.settings.prod, in steps:
#   deploy/serve.sh prepare   apply the migrations, collect the static files (hashed names, gzip and brotli)
#   deploy/serve.sh web       gunicorn (config/gunicorn.py), in the foreground
#   deploy/serve.sh worker    the background-task worker of every queue (maillage worker), in the foreground
#   deploy/serve.sh worker-mail  the worker of the "emails" queue alone: a long import or refresh in the other
#                             worker does not hold an e-mail back
# The database is DATABASE_URL's, else the embedded SQLite file var/maillage.sqlite3.
#
# With no SECRET_KEY in the environment this is a trial on this machine: a secret is made once and kept in
# var/secret_key (readable by its owner only), ALLOWED_HOSTS defaults to 127.0.0.1,localhost and HTTPS to
# false (plain HTTP on the loopback). A real server sets SECRET_KEY and ALLOWED_HOSTS, and keeps HTTPS=true
# behind its TLS proxy.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${VENV:-.venv}/bin
VAR_DIR=${MAILLAGE_VAR_DIR:-var}
export DJANGO_SETTINGS_MODULE=config.settings.prod

if [ -z "${SECRET_KEY:-}" ]; then
    if [ ! -s "$VAR_DIR/secret_key" ]; then
        mkdir -p "$VAR_DIR"
        (umask 077 && "$BIN/python" -c "import secrets; print(secrets.token_urlsafe(64))" >"$VAR_DIR/secret_key.new")
        mv "$VAR_DIR/secret_key.new" "$VAR_DIR/secret_key"
    fi
    SECRET_KEY=$(cat "$VAR_DIR/secret_key")
    export SECRET_KEY
    export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
    export HTTPS=${HTTPS:-false}
    if [ "${1:-}" = web ]; then
        echo "Essai local (pas de SECRET_KEY) : clé secrète dans $VAR_DIR/secret_key, ALLOWED_HOSTS=$ALLOWED_HOSTS, HTTPS=$HTTPS" >&2
    fi
fi

case "${1:-}" in
prepare)
    # Side by side: collecting (and compressing) the static files needs no database.
    "$BIN/maillage" collectstatic --noinput --verbosity 0 &
    collecting=$!
    trap 'kill "$collecting" 2>/dev/null || true' EXIT
    "$BIN/maillage" migrate --noinput
    wait "$collecting"
    trap - EXIT
    ;;
web)
    exec "$BIN/gunicorn" --config config/gunicorn.py config.wsgi
    ;;
worker)
    exec "$BIN/maillage" worker --no-reload
    ;;
worker-mail)
    exec "$BIN/maillage" worker --no-reload --queue emails
    ;;
*)
    echo "usage : $0 prepare|web|worker|worker-mail" >&2
    exit 2
    ;;
esac
