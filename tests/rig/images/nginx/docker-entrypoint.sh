#!/bin/sh
# Enables TLS on 443 when a certificate and key are present. Looked up in this order:
#   NGINX_SSL_CERT / NGINX_SSL_KEY (explicit paths),
#   /etc/nginx/ssl/fullchain.pem + privkey.pem,
#   /etc/letsencrypt/live/$DOMAIN_NAME/fullchain.pem + privkey.pem.
# Only the built-in nginx.conf includes the generated server; a mounted nginx.conf is left alone.
set -e

tls_dir=/etc/nginx/medianest/tls
cert='' key=''
if [ -n "${NGINX_SSL_CERT:-}" ] || [ -n "${NGINX_SSL_KEY:-}" ]; then
  cert="${NGINX_SSL_CERT:-}" key="${NGINX_SSL_KEY:-}"
  if [ ! -r "$cert" ] || [ ! -r "$key" ]; then
    echo "entrypoint: NGINX_SSL_CERT/NGINX_SSL_KEY set but not readable" >&2
    exit 1
  fi
elif [ -r /etc/nginx/ssl/fullchain.pem ] && [ -r /etc/nginx/ssl/privkey.pem ]; then
  cert=/etc/nginx/ssl/fullchain.pem key=/etc/nginx/ssl/privkey.pem
elif [ -n "${DOMAIN_NAME:-}" ] && [ -r "/etc/letsencrypt/live/$DOMAIN_NAME/fullchain.pem" ]; then
  cert="/etc/letsencrypt/live/$DOMAIN_NAME/fullchain.pem" key="/etc/letsencrypt/live/$DOMAIN_NAME/privkey.pem"
fi

mkdir -p "$tls_dir"
rm -f "$tls_dir/server.conf"
if [ -n "$cert" ]; then
  cat >"$tls_dir/server.conf" <<CONF
server {
    listen 443 ssl default_server;
    server_name _;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:1m;
    include /etc/nginx/medianest/locations.conf;
}
CONF
  echo "entrypoint: TLS enabled on 443 with $cert"
fi

exec "$@"
