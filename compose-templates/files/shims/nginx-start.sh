#!/bin/sh
# nginx entrypoint. With TLS it points /run/nginx-tls at the certificate to serve: Let's Encrypt's
# for DOMAIN_NAME once certbot has it, the self-signed one from /run/secrets otherwise. A watcher
# re-checks every CERT_CHECK_INTERVAL seconds and reloads nginx when the certificate changed (first
# issuance, renewal). Then nginx runs in the foreground as PID 1, so it gets the stop signal itself.
set -eu

links=/run/nginx-tls
self_signed=/run/secrets/tls_self_signed
interval=${CERT_CHECK_INTERVAL:-300}

# The nginx configuration file: the value after -c in the command, if any.
conf=
previous=
for arg in "$@"; do
  if [ "$previous" = -c ]; then conf=$arg; fi
  previous=$arg
done

pick_certificate() {
  live=/etc/letsencrypt/live/${DOMAIN_NAME:-}
  if [ -n "${DOMAIN_NAME:-}" ] && [ -r "$live/fullchain.pem" ] && [ -r "$live/privkey.pem" ]; then
    cert=$live/fullchain.pem
    key=$live/privkey.pem
  elif [ -r "$self_signed" ]; then
    cert=$self_signed
    key=$self_signed
  else
    return 1
  fi
  mkdir -p "$links"
  ln -sfn "$cert" "$links/fullchain.pem"
  ln -sfn "$key" "$links/privkey.pem"
}

fingerprint() {
  cat "$links/fullchain.pem" "$links/privkey.pem" 2>/dev/null | cksum
}

watch_certificate() {
  trap 'exit 0' TERM INT
  last=$(fingerprint)
  while sleep "$interval"; do
    pick_certificate || continue
    current=$(fingerprint)
    [ "$current" = "$last" ] && continue
    if nginx ${conf:+-c "$conf"} -t -q; then
      nginx ${conf:+-c "$conf"} -s reload && last=$current
      echo "nginx-start: certificate changed; nginx reloaded" >&2
    else
      echo "nginx-start: certificate changed but the configuration test failed; not reloading" >&2
    fi
  done
}

if pick_certificate; then
  watch_certificate &
fi

if [ "$#" -eq 0 ]; then
  set -- nginx -g 'daemon off;'
fi
exec "$@"
