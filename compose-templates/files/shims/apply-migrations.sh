#!/bin/sh
# The `migrate` job: applies MediaNest's Prisma migrations with psql alone, in the PostgreSQL image.
# MediaNest's backend image has no Prisma CLI (reference R1); the app reads the migration folders
# from that image before this runs and mounts them at $MIGRATIONS: manifest.tsv (position, name,
# checksum, checksum of the file as written, transactional) and <name>.sql per migration.
#
# Each applied migration is recorded in _prisma_migrations exactly as `prisma migrate deploy` records
# it (a v4 uuid, the SHA-256 checksum, started and finished times, one applied step), so a later
# `prisma migrate deploy` finds nothing to do. Refused with nothing changed: a recorded migration
# whose file changed, a failed earlier migration, migrations the image does not know. A migration
# runs in one transaction with its record unless its SQL cannot run in one; when it fails, the
# database is as it was before it and PostgreSQL's error is the last thing printed.
#
# It connects as the backend does, with the DATABASE_URL from /run/secrets/database_url. The URL is
# split into libpq's variables and a password file: the password never appears in a command line
# or an environment.
set -eu

MIGRATIONS=${MIGRATIONS:-/opt/medianest/migrations}
PRISMA_LOCK=72707369 # the advisory lock Prisma takes while it migrates

say() { echo "migrate: $*"; }
fail() {
  echo "migrate: $*" >&2
  exit 1
}

[ -r /run/secrets/database_url ] || fail "cannot read /run/secrets/database_url (uid $(id -u))"
[ -r "$MIGRATIONS/manifest.tsv" ] || fail "no migrations were prepared at $MIGRATIONS"

url=$(cat /run/secrets/database_url)
case "$url" in
  postgres://* | postgresql://*) ;;
  *) fail "DATABASE_URL is not a postgresql:// URL" ;;
esac
rest=${url#*://}
case "$rest" in *@*) ;; *) fail "DATABASE_URL has no user and password" ;; esac
credentials=${rest%%@*}
location=${rest#*@}
PGUSER=${credentials%%:*}
case "$credentials" in *%*) fail "DATABASE_URL: a percent-encoded user or password is not supported here" ;; esac
hostport=${location%%/*}
PGHOST=${hostport%%:*}
PGPORT=5432
case "$hostport" in *:*) PGPORT=${hostport##*:} ;; esac
database=${location#*/}
# Prisma's own parameters (?schema=, ?connection_limit=) mean nothing to libpq.
PGDATABASE=${database%%\?*}
PGCONNECT_TIMEOUT=5
PGAPPNAME=medianest-migrate
# Notices ("already exists, skipping") are noise in the job's output.
PGOPTIONS='-c client_min_messages=warning'
# The password goes to libpq in a password file on the job's private tmpfs (':' and '\' escaped).
PGPASSFILE=/tmp/pgpass
(
  umask 077
  printf '*:*:*:%s:%s\n' "$PGUSER" "$(printf '%s' "${credentials#*:}" | sed 's/[\\:]/\\&/g')" >"$PGPASSFILE"
)
export PGUSER PGHOST PGPORT PGDATABASE PGCONNECT_TIMEOUT PGAPPNAME PGPASSFILE PGOPTIONS
# No ~/.psqlrc, stop at the first error, short error messages without PL/pgSQL context.
run_psql() { psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=terse "$@"; }

tries=0
until run_psql -c 'SELECT 1' >/dev/null 2>/tmp/connect.err; do
  tries=$((tries + 1))
  if [ "$tries" -ge 15 ]; then
    cat /tmp/connect.err >&2
    fail "cannot reach the database at $PGHOST:$PGPORT as $PGUSER"
  fi
  sleep 2
done

count=$(grep -c . "$MIGRATIONS/manifest.tsv" || true)

# The table as Prisma creates it; then every refusal, before anything is applied.
pending=$(
  run_psql -A -t <<SQL
\set VERBOSITY terse
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);
CREATE TEMP TABLE image_migrations (
    position integer, name text, checksum text, raw_checksum text, transactional boolean
);
\copy image_migrations FROM '$MIGRATIONS/manifest.tsv'
DO \$check\$
DECLARE
  found_name text;
BEGIN
  SELECT migration_name INTO found_name FROM "_prisma_migrations"
    WHERE finished_at IS NULL AND rolled_back_at IS NULL ORDER BY started_at LIMIT 1;
  IF found_name IS NOT NULL THEN
    RAISE EXCEPTION 'migration % failed earlier (recorded without a finish time); nothing was applied. Fix the database, then mark it rolled back or applied, and start again', found_name;
  END IF;
  SELECT migration_name INTO found_name FROM "_prisma_migrations" m
    WHERE rolled_back_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM image_migrations i WHERE i.name = m.migration_name)
    ORDER BY migration_name DESC LIMIT 1;
  IF found_name IS NOT NULL THEN
    RAISE EXCEPTION 'the database has migration % that this backend image does not know (the image is older than the database); nothing was applied. Use the image the database was migrated with, or restore a backup made with this one', found_name;
  END IF;
  SELECT m.migration_name INTO found_name FROM "_prisma_migrations" m
    JOIN image_migrations i ON i.name = m.migration_name
    WHERE m.rolled_back_at IS NULL AND m.checksum NOT IN (i.checksum, i.raw_checksum)
    ORDER BY m.migration_name LIMIT 1;
  IF found_name IS NOT NULL THEN
    RAISE EXCEPTION 'migration % was changed after it was applied (its checksum differs from the one recorded); nothing was applied', found_name;
  END IF;
END
\$check\$;
SELECT position || ':' || name || ':' || CASE WHEN transactional THEN 't' ELSE 'f' END || ':' || checksum
  FROM image_migrations i
  WHERE NOT EXISTS (
    SELECT 1 FROM "_prisma_migrations" m
      WHERE m.migration_name = i.name AND m.rolled_back_at IS NULL AND m.finished_at IS NOT NULL)
  ORDER BY position;
SQL
) || fail "refused: nothing was applied"

latest() { tail -n 1 "$MIGRATIONS/manifest.tsv" | cut -f 2; }

if [ -z "$pending" ]; then
  say "nothing to apply; schema at $(latest) ($count of $count migrations applied)"
  exit 0
fi

todo=$(echo "$pending" | grep -c .)
done_now=0
for line in $pending; do
  position=${line%%:*}
  rest=${line#*:}
  name=${rest%%:*}
  rest=${rest#*:}
  transactional=${rest%%:*}
  checksum=${rest#*:}
  done_now=$((done_now + 1))
  id=$(cat /proc/sys/kernel/random/uuid)
  file="$MIGRATIONS/$name.sql"
  say "applying $done_now of $todo: $name (migration $position of $count)"
  if [ "$transactional" = t ]; then
    # The record and the migration commit together or not at all.
    # Names and checksums come from the app's manifest: [A-Za-z0-9_-] and hex only.
    if ! run_psql --single-transaction \
      -c "SELECT pg_advisory_xact_lock($PRISMA_LOCK)" \
      -c "INSERT INTO \"_prisma_migrations\" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('$id', '$checksum', '$name', now(), 0)" \
      -f "$file" \
      -c "UPDATE \"_prisma_migrations\" SET finished_at = clock_timestamp(), applied_steps_count = applied_steps_count + 1 WHERE id = '$id'"; then
      fail "$name failed; the database is as it was before it (nothing of it was applied, nothing recorded)"
    fi
  else
    # SQL that cannot run in a transaction (CREATE INDEX CONCURRENTLY, ...): recorded as Prisma does,
    # started first, its error kept in logs on failure.
    run_psql -c "INSERT INTO \"_prisma_migrations\" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('$id', '$checksum', '$name', now(), 0)"
    if ! run_psql -f "$file" 2>/tmp/migration.err; then
      cat /tmp/migration.err >&2
      echo "UPDATE \"_prisma_migrations\" SET logs = :'mn_logs' WHERE id = '$id';" |
        run_psql -v mn_logs="$(tail -c 4000 /tmp/migration.err)" || true
      fail "$name failed outside a transaction; it is recorded as failed in _prisma_migrations and may be partly applied"
    fi
    run_psql -c "UPDATE \"_prisma_migrations\" SET finished_at = clock_timestamp(), applied_steps_count = applied_steps_count + 1 WHERE id = '$id'"
  fi
done
say "applied $todo; schema at $(latest) ($count of $count migrations applied)"
