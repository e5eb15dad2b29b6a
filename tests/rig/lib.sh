# Shared settings for up.sh, down.sh and build-images.sh. Sourced, never run.
# shellcheck shell=bash disable=SC2034 # the variables are used by the scripts that source this file

RIG_HOME="${RIG_HOME:-/var/tmp/medianest-rig}"
RIG_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RIG_SOCK="$RIG_HOME/docker.sock"
RIG_PIDFILE="$RIG_HOME/dockerd.pid"
RIG_STARTED_MARK="$RIG_HOME/started-by-up"
RIG_DNS_PIDFILE="$RIG_HOME/nxdns.pid"
RIG_IMAGES_FILE="$RIG_HOME/images.json"
RIG_IMAGES_ROOT_FILE="$RIG_HOME/images-root.json" # backend, migrate, frontend: the root-Dockerfile variants
RIG_IMAGES_VERSIONS_FILE="$RIG_HOME/images-versions.json" # backend version (v1, v2, ...) -> image

# Address plan: unusual private ranges so the rig never collides with a host
# docker0 (172.17/16) or MediaNest's own compose subnets (172.20-32).
RIG_BIP="${RIG_BIP:-10.212.0.1/24}"
RIG_POOL="${RIG_POOL:-10.213.0.0/16}"

if [[ -n "${RIG_DOCKER_HOST:-}" ]]; then
  RIG_DOCKER_HOST_URL="$RIG_DOCKER_HOST"
else
  RIG_DOCKER_HOST_URL="unix://$RIG_SOCK"
fi

log() { printf '[rig] %s\n' "$*" >&2; }
die() { printf '[rig] ERROR: %s\n' "$*" >&2; exit 1; }

# Every docker call goes to the rig engine, never to whatever DOCKER_HOST the caller has.
rdocker() { DOCKER_HOST="$RIG_DOCKER_HOST_URL" docker "$@"; }

# True when the pidfile names a live dockerd.
rig_daemon_alive() {
  local pid
  [[ -s "$RIG_PIDFILE" ]] || return 1
  pid="$(cat "$RIG_PIDFILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]]
}

rig_engine_answers() { rdocker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
