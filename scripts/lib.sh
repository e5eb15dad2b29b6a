# Shared setup for the README's two commands (sourced by start.sh and test.sh).

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Debian packages the app and its tests need, installed only when missing (root only).
ensure_debian_packages() {
  local need=()
  for pkg in "$@"; do
    case "$pkg" in
      docker.io) command -v dockerd >/dev/null 2>&1 || need+=(docker.io) ;;
      docker-compose) command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose) ;;
      chromium) [ -x /usr/bin/chromium ] || need+=(chromium) ;;
      iptables) command -v iptables >/dev/null 2>&1 || need+=(iptables) ;;
      *) dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg") ;;
    esac
  done
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${need[*]}. Install them with: sudo apt-get install ${need[*]}" >&2
    return 1
  fi
  log "Installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

# npm ci when package-lock.json changed since the last install (a stamp in node_modules).
ensure_node_modules() {
  # better-sqlite3 compiles from source here; Node's headers are in /usr.
  export npm_config_nodedir="${npm_config_nodedir:-/usr}"
  local stamp=node_modules/.medianest-lock-hash
  local want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  log "Installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
}

build_app() {
  log "Building the renderer and the server"
  npm run -s build
}
