#!/usr/bin/env bash
# csp-hub: creates the secret files infra/compose.yaml reads, with openssl.
#
#   infra/make-secrets.sh [folder]        (default: infra/secrets beside this script)
#
# Never overwrites a file that exists: delete one on purpose to replace it (a
# new role password also needs roles.sql run again, a new signing key a
# rotation: docs/operations/keys.md). The folder is private (0700) and the
# files world-readable inside it (0444): compose hands file secrets to the
# containers as bind mounts with the host's owner and mode, and both the
# hub (uid 10001) and PostgreSQL (uid 999) must read theirs.
set -euo pipefail
dir="${1:-$(cd "$(dirname "$0")" && pwd)/secrets}"
command -v openssl >/dev/null || { echo "make-secrets: openssl is needed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
chmod 0700 "$dir"
umask 0077

made=()
create() {
  local name="$1"; shift
  if [ -e "$dir/$name" ]; then return; fi
  "$@" > "$dir/$name.tmp"
  mv "$dir/$name.tmp" "$dir/$name"
  made+=("$name")
}
password() { openssl rand -hex 32; }

create postgres_password password
create csp_hub_owner_password password
create csp_hub_app_password password
create metrics_token password
# Hub token signing key (ES256, JWT_ALGORITHM's default), PKCS#8 PEM.
create jwt_private_key openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256
# Audit checkpoint signing key (Ed25519) and its public half: keep a copy of the
# public key off this host, with the backups (docs/operations/backup.md).
create audit_checkpoint_key openssl genpkey -algorithm ed25519
create audit_checkpoint_public_key openssl pkey -in "$dir/audit_checkpoint_key" -pubout

chmod 0444 "$dir"/*
if [ "${#made[@]}" -eq 0 ]; then
  echo "make-secrets: every secret exists already in $dir"
else
  echo "make-secrets: created ${made[*]} in $dir"
fi
