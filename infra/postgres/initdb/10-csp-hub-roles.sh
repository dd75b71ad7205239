#!/usr/bin/env bash
# csp-hub: the two database roles (infra/postgres/roles.sql, ADR 0018), created
# when the official postgres image initialises an empty data volume. Mounted
# into /docker-entrypoint-initdb.d (infra/compose.yaml) and executable, so the
# image's entrypoint runs it (rather than sourcing it) with the temporary
# server it starts for initialisation: Unix socket only, as POSTGRES_USER,
# after POSTGRES_DB was created. It runs once: a volume that already holds a
# cluster skips every init script (re-run roles.sql by hand to change a
# password, infra/README.md).
#
# Environment (set in compose.yaml):
#   POSTGRES_USER, POSTGRES_DB        set by the image's entrypoint
#   CSP_HUB_OWNER_PASSWORD_FILE       secret file: password of csp_hub_owner (MIGRATION_DATABASE_URL)
#   CSP_HUB_APP_PASSWORD_FILE         secret file: password of csp_hub_app (DATABASE_URL)
#   CSP_HUB_ROLES_SQL                 roles.sql as mounted (default /etc/csp-hub/roles.sql)
set -euo pipefail

roles_sql="${CSP_HUB_ROLES_SQL:-/etc/csp-hub/roles.sql}"

# One line from a secret file (a trailing line break dropped); stops naming the variable otherwise.
secret() {
  local name="$1" file="${!1:-}"
  if [ -z "$file" ]; then
    echo "csp-hub roles: $name is not set (the file holding that role's password)" >&2
    exit 1
  fi
  if [ ! -r "$file" ] || [ ! -s "$file" ]; then
    echo "csp-hub roles: $name names $file, which is missing, unreadable or empty" >&2
    exit 1
  fi
  local value
  value="$(cat "$file")"
  printf '%s' "${value%$'\r'}"
}

if [ ! -r "$roles_sql" ]; then
  echo "csp-hub roles: $roles_sql is not readable (mount infra/postgres/roles.sql there or set CSP_HUB_ROLES_SQL)" >&2
  exit 1
fi
owner_password="$(secret CSP_HUB_OWNER_PASSWORD_FILE)"
app_password="$(secret CSP_HUB_APP_PASSWORD_FILE)"

# The command infra/postgres/roles.sql documents, against the database the hub uses
# (query results and command tags silenced; errors and roles.sql's own messages still show).
psql --no-psqlrc --quiet --output=/dev/null -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-${POSTGRES_USER:-postgres}}" \
  -v owner_password="$owner_password" -v app_password="$app_password" \
  -f "$roles_sql"
echo "csp-hub roles: csp_hub_owner owns database ${POSTGRES_DB:-${POSTGRES_USER:-postgres}}; csp_hub_app may log in"
