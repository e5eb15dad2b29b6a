#!/bin/sh
# Stand-in for the official redis image's entrypoint:
# - arguments that start with '-' (or a *.conf file) run redis-server with them;
# - `redis-server ...` as root takes over /data and drops to the redis user (uid 999);
# - protected mode is off, as in the official image (it patches the compiled-in default).
# Extension the real image does NOT have: REDIS_PASSWORD_FILE (or REDIS_PASSWORD) adds
# --requirepass. A template that must also work with the real image wraps the command instead:
#   sh -c 'exec redis-server --requirepass "$(cat /run/secrets/redis_password)" ...'
set -e

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  # the password file is read here, as root, before privileges are dropped
  if [ -n "${REDIS_PASSWORD_FILE:-}" ]; then
    REDIS_PASSWORD="$(cat "$REDIS_PASSWORD_FILE")"
    export REDIS_PASSWORD
    unset REDIS_PASSWORD_FILE
  fi
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

if [ "$1" = redis-server ]; then
  shift
  conf=
  if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ]; then conf="$1"; shift; fi
  if [ -n "${REDIS_PASSWORD_FILE:-}" ]; then REDIS_PASSWORD="$(cat "$REDIS_PASSWORD_FILE")"; fi
  pw="${REDIS_PASSWORD:-}"
  unset REDIS_PASSWORD REDIS_PASSWORD_FILE
  # protected-mode goes first so an explicit --protected-mode later on the command line wins
  if [ -n "$pw" ]; then
    set -- ${conf:+"$conf"} --protected-mode no "$@" --requirepass "$pw"
  else
    set -- ${conf:+"$conf"} --protected-mode no "$@"
  fi
  set -- redis-server "$@"
fi

um="$(umask)"
if [ "$um" = 0022 ]; then umask 0077; fi
exec "$@"
