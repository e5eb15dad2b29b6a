#!/bin/sh
# Starts redis-server with its password read from /run/secrets/redis_password. Redis has no
# password-file option (redis/redis#12392), and a password on the command line would show in `ps`
# on the host, so it goes in through stdin: `redis-server FILE -` reads FILE, then the extra
# configuration lines on stdin.
set -eu
umask 0077

secret=/run/secrets/redis_password
if [ ! -r "$secret" ]; then
  echo "redis-start: cannot read $secret" >&2
  exit 1
fi
password=$(cat "$secret")
# The appliance generates hex; anything else could break out of the configuration line.
case "$password" in
  '' | *[!A-Za-z0-9]*)
    echo "redis-start: $secret must hold letters and digits only" >&2
    exit 1
    ;;
esac

if [ "$#" -eq 0 ]; then
  set -- redis-server
fi
exec "$@" - <<CONF
requirepass $password
CONF
