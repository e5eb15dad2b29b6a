#!/bin/sh
# certbot service entrypoint. Obtains the Let's Encrypt certificate for DOMAIN_NAME through the
# webroot nginx serves at /.well-known/acme-challenge/, then runs `certbot renew` every
# RENEW_INTERVAL seconds (12 h). A failed attempt is retried after RETRY_INTERVAL (1 h).
# `certbot-loop.sh health` succeeds once the certificate exists (the container's healthcheck).
set -eu

: "${DOMAIN_NAME:?DOMAIN_NAME is required}"
webroot=/var/www/certbot
live=/etc/letsencrypt/live/$DOMAIN_NAME
interval=${RENEW_INTERVAL:-43200}
retry=${RETRY_INTERVAL:-3600}

if [ "${1:-}" = health ]; then
  [ -s "$live/fullchain.pem" ] && [ -s "$live/privkey.pem" ]
  exit
fi

: "${CERTBOT_EMAIL:?CERTBOT_EMAIL is required}"

attempt() {
  if [ -s "$live/fullchain.pem" ]; then
    certbot renew --webroot -w "$webroot" --non-interactive
  else
    certbot certonly --webroot -w "$webroot" -d "$DOMAIN_NAME" --email "$CERTBOT_EMAIL" \
      --agree-tos --no-eff-email --non-interactive --keep-until-expiring
  fi
}

trap 'exit 0' TERM INT
while :; do
  if attempt; then
    wait_for=$interval
  else
    echo "certbot-loop: attempt failed; retrying in $retry s" >&2
    wait_for=$retry
  fi
  sleep "$wait_for" &
  wait $! || true
done
