#!/usr/bin/env bash
# Stand-in for the official postgres image's entrypoint (same variables, same order of events):
# POSTGRES_USER, POSTGRES_PASSWORD / POSTGRES_PASSWORD_FILE, POSTGRES_DB, POSTGRES_INITDB_ARGS,
# POSTGRES_HOST_AUTH_METHOD, PGDATA, /docker-entrypoint-initdb.d/*.{sh,sql,sql.gz}.
# Like the official one, it reads *_FILE again after dropping to the postgres user, so a secret file
# must be readable by uid 70.
set -Eeo pipefail

# file_env VAR [DEFAULT]: VAR from the environment or from the file named by VAR_FILE, not both.
file_env() {
  local var="$1" fileVar="${1}_FILE" def="${2:-}" val
  if [ "${!var:-}" ] && [ "${!fileVar:-}" ]; then
    echo >&2 "error: both $var and $fileVar are set (but are exclusive)"
    exit 1
  fi
  val="$def"
  if [ "${!var:-}" ]; then
    val="${!var}"
  elif [ "${!fileVar:-}" ]; then
    val="$(<"${!fileVar}")"
  fi
  export "$var"="$val"
  unset "$fileVar"
}

setup_env() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
  : "${PGDATA:=/var/lib/postgresql/data}"
  export PGDATA
  DATABASE_ALREADY_EXISTS=
  if [ -s "$PGDATA/PG_VERSION" ]; then DATABASE_ALREADY_EXISTS=true; fi
}

create_directories() {
  local uid
  uid="$(id -u)"
  mkdir -p "$PGDATA"
  # a bind-mounted folder arrives owned by whoever created it on the host: take it over
  chmod 00700 "$PGDATA" 2>/dev/null || :
  mkdir -p /var/run/postgresql || :
  chmod 03777 /var/run/postgresql || :
  if [ "$uid" = 0 ]; then
    find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
  fi
}

verify_minimum_env() {
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    cat >&2 <<'MSG'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a non-empty value for the
       superuser, or POSTGRES_HOST_AUTH_METHOD=trust to allow all connections without a password.
MSG
    exit 1
  fi
}

init_database_dir() {
  # the password goes through a pipe, never the command line
  eval 'initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host='"$POSTGRES_HOST_AUTH_METHOD"' '"$POSTGRES_INITDB_ARGS"' "$@"'
  # listen on every interface, as the official image's sample configuration does
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"
}

# The init server listens on a private socket and no TCP port, so neither pg_isready (default socket)
# nor another container sees a server until initialisation is over.
INIT_SOCKET_DIR=
temp_server_start() {
  INIT_SOCKET_DIR="$(mktemp -d /tmp/pg-init.XXXXXX)"
  PGHOST="$INIT_SOCKET_DIR" PGUSER="$POSTGRES_USER" \
    pg_ctl -D "$PGDATA" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$INIT_SOCKET_DIR' -p 5432" \
    start >/dev/null
}
temp_server_stop() {
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  rm -rf "$INIT_SOCKET_DIR"
}

psql_init() {
  PGHOST="$INIT_SOCKET_DIR" PGPASSWORD='' psql -X -v ON_ERROR_STOP=1 --no-password --no-psqlrc \
    --username "$POSTGRES_USER" "$@"
}

setup_db() {
  local exists
  exists="$(psql_init --dbname postgres -tA -v db="$POSTGRES_DB" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")"
  if [ -z "$exists" ]; then
    psql_init --dbname postgres -v db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";' >/dev/null
    echo "entrypoint: created database $POSTGRES_DB"
  fi
}

process_init_files() {
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    # shellcheck disable=SC1090 # init scripts are whatever the user mounts
    case "$f" in
    *.sh) echo "entrypoint: running $f"; if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
    *.sql) echo "entrypoint: running $f"; psql_init --dbname "$POSTGRES_DB" -f "$f" ;;
    *.sql.gz) echo "entrypoint: running $f"; gzip -dc "$f" | psql_init --dbname "$POSTGRES_DB" ;;
    *) echo "entrypoint: ignoring $f" ;;
    esac
  done
}

main() {
  if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi

  if [ "$1" = postgres ]; then
    setup_env
    create_directories
    if [ "$(id -u)" = 0 ]; then
      exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
    fi
    if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
      verify_minimum_env
      ls /docker-entrypoint-initdb.d/ >/dev/null
      init_database_dir
      export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
      temp_server_start
      setup_db
      process_init_files
      temp_server_stop
      unset PGPASSWORD
      echo "entrypoint: PostgreSQL init process complete; ready for start up."
    else
      echo "entrypoint: PostgreSQL database directory appears to contain a database; skipping initialization"
    fi
  fi
  exec "$@"
}

main "$@"
