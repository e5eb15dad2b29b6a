#!/bin/sh
# Entrypoint shim for images that read their secrets from plain environment variables only
# (MediaNest's backend, its migrations, its frontend). Exports every secret mounted under
# /run/secrets as a variable named after the file in upper case (jwt_secret -> JWT_SECRET), then
# runs the image's own command. The values live only in this process tree's environment: not in
# the compose file, not in .env, not in `docker inspect`.
set -eu

for file in /run/secrets/*; do
  [ -f "$file" ] || continue
  name=$(basename "$file" | tr 'a-z' 'A-Z')
  case "$name" in
    '' | [0-9]* | *[!A-Z0-9_]*)
      echo "secrets-env: ignoring $file: not usable as a variable name" >&2
      continue
      ;;
  esac
  if [ ! -r "$file" ]; then
    echo "secrets-env: cannot read $file (owner or mode is wrong for uid $(id -u))" >&2
    exit 1
  fi
  value=$(cat "$file")
  export "$name=$value"
done

if [ "$#" -eq 0 ]; then
  echo "secrets-env: no command to run (medianest-appliance passes the image's own command: start the stack with it)" >&2
  exit 64
fi
exec "$@"
