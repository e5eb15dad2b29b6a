#!/usr/bin/env bash
# The whole test suite, with its own setup: Debian packages, npm ci, the build, the rig's private
# Docker engine and stand-in images; then typecheck, lint, unit, integration and e2e tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT=$(repo_root)
cd "$ROOT"

ensure_debian_packages docker.io docker-compose chromium iptables docker-registry iproute2
ensure_node_modules
build_app

log "Starting the test rig"
rig_out=$(bash tests/rig/up.sh)
DOCKER_HOST=$(printf '%s\n' "$rig_out" | tail -n 2 | head -n 1 | sed 's/^DOCKER_HOST=//')
MEDIANEST_IMAGES=$(printf '%s\n' "$rig_out" | tail -n 1 | sed 's/^IMAGES=//')
export DOCKER_HOST MEDIANEST_IMAGES
# Tests send nothing to the machine's real networks: no serve announces itself over mDNS.
export MEDIANEST_MDNS=off
log "Rig: DOCKER_HOST=$DOCKER_HOST IMAGES=$MEDIANEST_IMAGES"
if [ "${CI:-}" = "true" ]; then trap 'bash tests/rig/down.sh >/dev/null 2>&1 || true' EXIT; fi

reports="$ROOT/test-results"
rm -rf "$reports" && mkdir -p "$reports"
status=0
step() {
  local name=$1
  shift
  log "$name"
  "$@" || { echo "FAILED: $name" >&2; status=1; }
}

step "Typecheck" npm run -s typecheck
step "Lint" npm run -s lint
step "Lint: import circles and the direction of core areas" node scripts/check-imports.mjs
step "Format" npm run -s format:check
step "Unit tests" npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$reports/unit.json"
step "Integration tests (rig engine)" npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$reports/integration.json"
step "End-to-end tests (Chromium)" env PLAYWRIGHT_JSON_OUTPUT_NAME="$reports/e2e.json" npx playwright test --config tests/e2e/playwright.config.ts --reporter=list,json

log "Whole run: ${SECONDS}s"
node scripts/test-summary.mjs "$reports/unit.json" "$reports/integration.json" "$reports/e2e.json" || status=1
exit $status
