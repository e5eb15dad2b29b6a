#!/bin/sh
# certbot service entrypoint. Obtains the Let's Encrypt certificate for DOMAIN_NAME through the
# webroot nginx serves at /.well-known/acme-challenge/, then runs `certbot renew` every
# RENEW_INTERVAL seconds (12 h). A failed attempt is retried after RETRY_INTERVAL (1 h).
#
# Every attempt is recorded for the app in /etc/letsencrypt/medianest/last-attempt (the data
# folder's certbot/conf on the host): `key=value` lines (result, at, command, exit, domain,
# retry_seconds), a line `--`, then the last lines certbot printed. The app explains a failure from
# it (no internet, Let's Encrypt refusing the domain, ...) in an alert.
#
# `certbot-loop.sh health` succeeds once the certificate exists (the container's healthcheck);
# until then it prints why there is none yet.
set -eu

: "${DOMAIN_NAME:?DOMAIN_NAME is required}"
webroot=/var/www/certbot
live=/etc/letsencrypt/live/$DOMAIN_NAME
record=/etc/letsencrypt/medianest/last-attempt
interval=${RENEW_INTERVAL:-43200}
retry=${RETRY_INTERVAL:-3600}

if [ "${1:-}" = health ]; then
  if [ -s "$live/fullchain.pem" ] && [ -s "$live/privkey.pem" ]; then exit 0; fi
  if [ -s "$record" ] && grep -q '^result=failed$' "$record"; then
    at=$(sed -n 's/^at=//p' "$record")
    # certbot's own words: its error line, else its last line
    said=$(sed '1,/^--$/d' "$record" | grep -iE 'error|failed|refused|unauthorized' | grep -v '^Ask for help' | tail -n 1)
    [ -n "$said" ] || said=$(tail -n 1 "$record")
    echo "no certificate for $DOMAIN_NAME yet: the attempt at $at failed: $said"
  else
    echo "no certificate for $DOMAIN_NAME yet: the first attempt has not finished"
  fi
  exit 1
fi

: "${CERTBOT_EMAIL:?CERTBOT_EMAIL is required}"

attempt() {
  if [ -s "$live/fullchain.pem" ]; then
    command=renew
    # Without a terminal certbot first sleeps up to 8 minutes to spread cron-driven renewals over
    # Let's Encrypt's day; this loop already runs at a time of its own (12 h after the container
    # started), so it asks at once and the app learns the outcome while the user looks.
    certbot renew --webroot -w "$webroot" --non-interactive --no-random-sleep-on-renew
  else
    command=certonly
    certbot certonly --webroot -w "$webroot" -d "$DOMAIN_NAME" --email "$CERTBOT_EMAIL" \
      --agree-tos --no-eff-email --non-interactive --keep-until-expiring
  fi
}

# Writes the record beside the certificates, replaced in one rename so the app never reads half.
remember() { # remember RESULT EXIT OUTPUT_FILE
  mkdir -p "${record%/*}"
  {
    echo "result=$1"
    echo "at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "command=$command"
    echo "exit=$2"
    echo "domain=$DOMAIN_NAME"
    echo "retry_seconds=$retry"
    echo "--"
    tail -n 40 "$3"
  } >"$record.tmp"
  mv -f "$record.tmp" "$record"
}

trap 'exit 0' TERM INT
out=/tmp/certbot-attempt.out
command=certonly
while :; do
  # certbot's output still reaches the container's log; the record keeps its tail.
  if attempt >"$out" 2>&1; then
    cat "$out"
    remember ok 0 "$out"
    wait_for=$interval
  else
    code=$?
    cat "$out" >&2
    remember failed "$code" "$out"
    echo "certbot-loop: attempt failed; retrying in $retry s" >&2
    wait_for=$retry
  fi
  sleep "$wait_for" &
  wait $! || true
done
