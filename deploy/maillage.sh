#!/usr/bin/env bash
# A `maillage` command by hand on the server, with the environment of the services:
#     sudo -u maillage /srv/maillage/deploy/maillage.sh createsuperuser
# The environment file is /etc/maillage/maillage.env (MAILLAGE_ENV_FILE to read another one).
set -euo pipefail
cd "$(dirname "$0")/.."

ENV_FILE=${MAILLAGE_ENV_FILE:-/etc/maillage/maillage.env}
if [ ! -r "$ENV_FILE" ]; then
    echo "Fichier d'environnement illisible : $ENV_FILE (lancer en tant que maillage : sudo -u maillage $0 …)" >&2
    exit 1
fi
set -a
# shellcheck source=maillage.env.example
. "$ENV_FILE"
set +a
exec "${VENV:-.venv}/bin/maillage" "$@"
