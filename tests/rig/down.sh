#!/usr/bin/env bash
# Stops only what up.sh started: the dockerd whose PID up.sh recorded, and the iptables rules it added.
# The data-root (image cache) stays, so the next up.sh is warm. Containers and networks that tests
# labelled org.medianest.test are removed first, so nothing they left behind survives a restart.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ -n "${RIG_DOCKER_HOST:-}" ]]; then
  log "RIG_DOCKER_HOST is set: up.sh started nothing, so there is nothing to stop"
  exit 0
fi

if [[ ! -s "$RIG_STARTED_MARK" ]]; then
  log "up.sh did not start an engine here ($RIG_STARTED_MARK absent): nothing to stop"
  exit 0
fi
pid="$(cat "$RIG_STARTED_MARK")"

if rig_daemon_alive && [[ "$(cat "$RIG_PIDFILE")" == "$pid" ]]; then
  if rig_engine_answers; then
    ids="$(rdocker ps -aq --filter label=org.medianest.test)"
    # shellcheck disable=SC2086 # one id per word
    [[ -z "$ids" ]] || rdocker rm -f -v $ids >/dev/null 2>&1 || true
    rdocker network prune -f --filter label=org.medianest.test >/dev/null 2>&1 || true
  fi
  log "stopping the rig's dockerd (pid $pid)"
  kill -TERM "$pid"
  # dockerd stops its containers first (their stop timeouts apply), then exits
  for ((i = 0; i < 600; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "dockerd (pid $pid) still running after 60 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
else
  log "the engine up.sh started (pid $pid) is no longer running"
fi

if [[ -s "$RIG_DNS_PIDFILE" ]]; then
  dns_pid="$(cat "$RIG_DNS_PIDFILE")"
  if kill -0 "$dns_pid" 2>/dev/null && grep -q nxdns "/proc/$dns_pid/cmdline" 2>/dev/null; then
    kill -TERM "$dns_pid" 2>/dev/null || true
  fi
  rm -f "$RIG_DNS_PIDFILE"
fi

if [[ -f "$RIG_HOME/iptables-rules" ]] && command -v iptables >/dev/null 2>&1; then
  while IFS= read -r rule; do
    # shellcheck disable=SC2086
    iptables -D $rule 2>/dev/null || true
  done <"$RIG_HOME/iptables-rules"
  rm -f "$RIG_HOME/iptables-rules"
fi
rm -f "$RIG_STARTED_MARK" "$RIG_SOCK"
log "rig engine stopped; image cache kept in $RIG_HOME/data"
