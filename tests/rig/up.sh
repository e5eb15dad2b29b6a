#!/usr/bin/env bash
# Starts (or reuses) the rig's private Docker engine, builds the stand-in images when their inputs
# changed, and prints exactly two lines last:
#   DOCKER_HOST=unix:///var/tmp/medianest-rig/docker.sock   (or $RIG_DOCKER_HOST)
#   IMAGES=/var/tmp/medianest-rig/images.json
# Everything else goes to stderr. Env: RIG_HOME (default /var/tmp/medianest-rig), RIG_DOCKER_HOST
# (use that engine and start nothing), RIG_BIP / RIG_POOL (address plan).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T_START=$(date +%s.%N)
mkdir -p "$RIG_HOME"
chmod 0711 "$RIG_HOME"

# The daemon gets its own bridge so it never touches docker0, which another engine on this machine may
# own. dockerd refuses --bip together with --bridge, so the bridge carries the address instead.
RIG_BRIDGE="${RIG_BRIDGE:-mnrig0}"
RIG_ADDED_RULES="$RIG_HOME/iptables-rules"

ensure_docker_installed() {
  command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1 && return 0
  log "dockerd not found: installing Debian's docker.io"
  # another apt may be running: wait for its lock instead of failing
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q update >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q install -y docker.io >&2
  command -v dockerd >/dev/null 2>&1 || die "docker.io installed but dockerd is still missing"
}

ensure_bridge() {
  if ! ip link show "$RIG_BRIDGE" >/dev/null 2>&1; then
    ip link add name "$RIG_BRIDGE" type bridge
  fi
  if ! ip -4 addr show dev "$RIG_BRIDGE" | grep -q "inet $RIG_BIP "; then
    ip -4 addr flush dev "$RIG_BRIDGE"
    ip -4 addr add "$RIG_BIP" dev "$RIG_BRIDGE"
  fi
  ip link set "$RIG_BRIDGE" up
}

# Another dockerd with iptables enabled leaves the FORWARD policy at DROP; with br_netfilter loaded that
# silently drops traffic between our containers. Accept forwarding between the rig's own ranges only:
# a rule with just a source range would let a host with forwarding on route containers off the machine.
ensure_forwarding() {
  command -v iptables >/dev/null 2>&1 || return 0
  iptables -S FORWARD 2>/dev/null | grep -qx -- '-P FORWARD DROP' || return 0
  local src dst rule
  for src in "$(rig_bip_network)" "$RIG_POOL"; do
    for dst in "$(rig_bip_network)" "$RIG_POOL"; do
      rule="FORWARD -s $src -d $dst -m comment --comment medianest-rig -j ACCEPT"
      # shellcheck disable=SC2086 # the rule is a word list on purpose
      if ! iptables -C $rule 2>/dev/null; then
        iptables -I $rule
        echo "$rule" >>"$RIG_ADDED_RULES"
        log "iptables: FORWARD policy is DROP; added: $rule"
      fi
    done
  done
}

# Containers resolve unknown names through the embedded DNS, which forwards them to --dns; nxdns.mjs
# answers NXDOMAIN there so such lookups fail at once instead of hanging (see the comment in it).
ensure_dns_stub() {
  local pid addr="${RIG_BIP%/*}"
  if [[ -s "$RIG_DNS_PIDFILE" ]]; then
    pid="$(cat "$RIG_DNS_PIDFILE")"
    if kill -0 "$pid" 2>/dev/null && grep -q nxdns "/proc/$pid/cmdline" 2>/dev/null; then return 0; fi
  fi
  if ! command -v node >/dev/null 2>&1; then
    log "warning: node not found; lookups of unknown names in containers will hang until they time out"
    return 0
  fi
  setsid node "$RIG_DIR/nxdns.mjs" "$addr" 53 >>"$RIG_HOME/nxdns.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$RIG_DNS_PIDFILE"
  sleep 0.2
  kill -0 "$pid" 2>/dev/null || { log "warning: nxdns did not start:"; tail -3 "$RIG_HOME/nxdns.log" >&2; }
}

rig_bip_network() { # 10.212.0.1/24 -> 10.212.0.0/24 (only /24 and wider on octet boundaries are used here)
  local addr="${RIG_BIP%/*}" len="${RIG_BIP#*/}"
  IFS=. read -r a b c _ <<<"$addr"
  case "$len" in
  24) echo "$a.$b.$c.0/24" ;;
  16) echo "$a.$b.0.0/16" ;;
  *) echo "$RIG_BIP" ;;
  esac
}

start_daemon() {
  local pid i
  [[ ${#RIG_SOCK} -lt 104 ]] || die "socket path too long for a unix socket: $RIG_SOCK"
  ensure_docker_installed
  # a dead daemon's leftovers would make dockerd refuse to start
  if [[ -e "$RIG_PIDFILE" ]] && ! rig_daemon_alive; then rm -f "$RIG_PIDFILE" "$RIG_STARTED_MARK"; fi
  rm -f "$RIG_SOCK"
  mkdir -p "$RIG_HOME/data" "$RIG_HOME/exec"
  [[ -f "$RIG_HOME/daemon.json" ]] || echo '{}' >"$RIG_HOME/daemon.json"
  ensure_bridge
  ensure_forwarding
  ensure_dns_stub
  log "starting the rig's dockerd (log: $RIG_HOME/dockerd.log)"
  # setsid: the engine outlives this script and its terminal. Its own containerd namespace keeps it
  # apart from any other engine that shares a system containerd. --ip-forward=false leaves the host's
  # forwarding off, so nothing from a container is routed off the machine; --dns points containers
  # (and the embedded DNS's upstream) at the bridge address, where nxdns.mjs answers NXDOMAIN, so no
  # lookup heads for the host's resolver.
  setsid dockerd \
    --data-root "$RIG_HOME/data" \
    --exec-root "$RIG_HOME/exec" \
    --pidfile "$RIG_PIDFILE" \
    --config-file "$RIG_HOME/daemon.json" \
    -H "unix://$RIG_SOCK" \
    --containerd-namespace medianest-rig \
    --containerd-plugins-namespace medianest-rig-plugins \
    --bridge "$RIG_BRIDGE" \
    --default-address-pool "base=$RIG_POOL,size=24" \
    --iptables=false --ip-masq=false --ip-forward=false \
    --dns "${RIG_BIP%/*}" \
    --userland-proxy=true \
    >>"$RIG_HOME/dockerd.log" 2>&1 </dev/null &
  pid=$!
  for ((i = 0; i < 300; i++)); do
    if rig_engine_answers && rig_daemon_alive; then
      # the PID dockerd wrote itself is the one down.sh stops (setsid may have forked)
      pid="$(cat "$RIG_PIDFILE")"
      echo "$pid" >"$RIG_STARTED_MARK"
      log "engine up (pid $pid) in $(awk -v a="$T_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null && ! rig_daemon_alive; then break; fi
    sleep 0.1
  done
  log "dockerd did not answer on $RIG_SOCK; last lines of its log:"
  tail -25 "$RIG_HOME/dockerd.log" >&2 || true
  kill "$pid" 2>/dev/null || true
  rm -f "$RIG_STARTED_MARK"
  die "the rig engine failed to start"
}

if [[ -n "${RIG_DOCKER_HOST:-}" ]]; then
  rig_engine_answers || die "RIG_DOCKER_HOST=$RIG_DOCKER_HOST does not answer"
  log "using the engine at $RIG_DOCKER_HOST (nothing started)"
elif rig_daemon_alive && rig_engine_answers; then
  log "reusing the running rig engine (pid $(cat "$RIG_PIDFILE"))"
  ensure_forwarding
  [[ ! -f "$RIG_STARTED_MARK" ]] || ensure_dns_stub
else
  start_daemon
fi

bash "$RIG_DIR/build-images.sh"

log "up.sh took $(awk -v a="$T_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s"
printf 'DOCKER_HOST=%s\n' "$RIG_DOCKER_HOST_URL"
printf 'IMAGES=%s\n' "$RIG_IMAGES_FILE"
